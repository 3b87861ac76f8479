/*
 * The cache room: parsed metadata files kept per worker (tree_cache.c),
 * and the route that shows every cache's counters (stats.c).  The
 * metadata cache's tiers, which every room reads through, are the shared
 * layer's (api.h, cache_tiers.c).
 */
#ifndef PGL_API_CACHE_H
#define PGL_API_CACHE_H

#include <jansson.h>

struct pgl_req;

/* stats.c: GET of every cache's counters (the tiers, the tree cache, the
 * object store's clients). */
void	 api_cache_stats(struct pgl_req *);

/* tree_cache.c */

/* Parent, before fork: register the cache's statistics. */
void	 api_tree_cache_init(void);
/* A new reference to the tree of the file at location, or NULL. */
json_t	*api_tree_get(const char *location);
/*
 * Keep a reference to tree as the file at location: parsed from it, or
 * written to it by ice_dump(), which reads back as the same tree.
 */
void	 api_tree_put(const char *location, json_t *tree);

#endif
