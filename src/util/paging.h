#ifndef PGL_PAGING_H
#define PGL_PAGING_H

#include <stdint.h>

#include "pangolin/store.h"

#define PGL_PAGE_DEFAULT	100
#define PGL_PAGE_MAX		1000

/*
 * Management-list paging (pangolin-api.md decision 6): limit/offset or
 * page/page_size (pages start at 1), default 100, larger values clamped to
 * 1000.  Each argument is the raw query value or NULL.  Returns NULL on
 * success or the reason the values are invalid (-> 400).
 */
const char	*pgl_paging_parse(const char *limit, const char *offset,
		    const char *page, const char *page_size, struct pgl_page *);

/* Strict unsigned decimal: no sign, no spaces, no trailing bytes. */
int		 pgl_parse_u64(const char *, uint64_t max, uint64_t *);

#endif
