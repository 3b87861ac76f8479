#ifndef PGL_PAGING_H
#define PGL_PAGING_H

#include <stddef.h>
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

/*
 * The byte cap on one list page (PANGOLIN_MAX_PAGE_BYTES), set at start.
 * pgl_page_full() says whether a page of used bytes holding n items
 * should stop: never before its first item.
 */
void		pgl_paging_set_max_bytes(size_t);
size_t		pgl_paging_max_bytes(void);
int		pgl_page_full(size_t used, size_t n);

/* Strict unsigned decimal: no sign, no spaces, no trailing bytes. */
int		 pgl_parse_u64(const char *, uint64_t max, uint64_t *);

#endif
