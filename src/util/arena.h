/*
 * A bump allocator for memory that lives exactly as long as one request
 * (or one call in a test).  Everything a store plugin returns is copied
 * into an arena, so the caller frees a whole request with one call.
 */
#ifndef PGL_ARENA_H
#define PGL_ARENA_H

#include <stddef.h>

struct pgl_arena;

struct pgl_arena	*pgl_arena_new(void);
void			 pgl_arena_free(struct pgl_arena *);
void			*pgl_arena_alloc(struct pgl_arena *, size_t);
char			*pgl_arena_strdup(struct pgl_arena *, const char *);
char			*pgl_arena_strndup(struct pgl_arena *, const char *,
			    size_t);
char			*pgl_arena_printf(struct pgl_arena *, const char *, ...)
			    __attribute__((format(printf, 2, 3)));
size_t			 pgl_arena_used(const struct pgl_arena *);

#endif
