/*
 * A set of strings with a 64-bit value each (a file's size), for the
 * reachability of table files: open addressing, linear probing, the
 * strings copied into the set's own arena.  Grows at half full, so
 * lookups stay one or two probes at 100,000 files.
 */
#ifndef PGL_STRSET_H
#define PGL_STRSET_H

#include <stddef.h>
#include <stdint.h>

struct pgl_strset;

struct pgl_strset	*pgl_strset_new(void);
void			 pgl_strset_free(struct pgl_strset *);

/* 1 if added, 0 if already there, -1 out of memory. */
int		pgl_strset_add(struct pgl_strset *, const char *s, int64_t v);
int		pgl_strset_has(const struct pgl_strset *, const char *s);
size_t		pgl_strset_count(const struct pgl_strset *);

/* Every member, in no order; a non-zero return from fn stops the walk. */
typedef int	(*pgl_strset_fn)(void *arg, const char *s, int64_t v);
int		pgl_strset_each(const struct pgl_strset *, pgl_strset_fn,
		    void *arg);

#endif
