/*
 * Parsed metadata files, kept per worker (api/cache/tree_cache.c).
 */
#ifndef API_TREE_CACHE_H
#define API_TREE_CACHE_H

#include <jansson.h>

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
