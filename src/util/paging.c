#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "util/paging.h"

/* Set before workers fork; a page stops adding items once past it. */
static size_t	max_page_bytes = 1024 * 1024;

void
pgl_paging_set_max_bytes(size_t n)
{
	max_page_bytes = n;
}

size_t
pgl_paging_max_bytes(void)
{
	return (max_page_bytes);
}

int
pgl_page_full(size_t used, size_t n)
{
	return (n > 0 && used >= max_page_bytes);
}

int
pgl_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long	v;
	char			*end;

	if (s == NULL || !isdigit((unsigned char)*s))
		return (-1);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return (-1);
	*out = v;
	return (0);
}

const char *
pgl_paging_parse(const char *limit, const char *offset, const char *page,
    const char *page_size, struct pgl_page *pg)
{
	uint64_t	l = PGL_PAGE_DEFAULT, o = 0, p = 1;
	const uint64_t	big = UINT64_MAX / 2 / PGL_PAGE_MAX;

	if ((limit != NULL || offset != NULL) &&
	    (page != NULL || page_size != NULL))
		return ("use either limit/offset or page/page_size, not both");
	if (limit != NULL && pgl_parse_u64(limit, big, &l) == -1)
		return ("limit must be a non-negative integer");
	if (offset != NULL && pgl_parse_u64(offset, big, &o) == -1)
		return ("offset must be a non-negative integer");
	if (page_size != NULL && pgl_parse_u64(page_size, big, &l) == -1)
		return ("page_size must be a non-negative integer");
	if (page != NULL && (pgl_parse_u64(page, big, &p) == -1 || p == 0))
		return ("page must be an integer starting at 1");
	/* limit=0 would mean "no limit" to the store: never let it through. */
	if (l == 0)
		l = PGL_PAGE_DEFAULT;
	if (l > PGL_PAGE_MAX)
		l = PGL_PAGE_MAX;
	if (page != NULL || page_size != NULL)
		o = (p - 1) * l;
	pg->limit = (uint32_t)l;
	pg->offset = o;
	pg->after = NULL;
	return (NULL);
}
