/*
 * The cache room: the metadata cache's tiers, which every room and the
 * config cache read through (tiers.c), parsed metadata files kept per
 * worker (tree_cache.c), and the route that shows every cache's counters
 * (stats.c).  It sits below the shared layer (config_cache.c counts its
 * copies with api_cache_tier_*) and uses nothing of src/api.
 */
#ifndef PGL_API_CACHE_H
#define PGL_API_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pangolin/cache.h"

struct pgl_req;

/* tiers.c: the metadata cache, L1 then the optional L2. */
struct pgl_config;
struct pgl_err;
int	api_cache_tiers_init(const struct pgl_config *, struct pgl_err *);
void	api_cache_tiers_open(const struct pgl_config *);	/* worker */
void	api_cache_tiers_close(void);
const char *api_cache_l2_name(void);	/* NULL: no L2 */
/*
 * A hit as a read-only view (*val, *len) kept valid until
 * api_mcache_unref(*ref): L1's entry pinned (no copy), else a copy.
 * api_mcache_own makes a ref of a malloc'd buffer (freed on failure).
 */
int	api_mcache_ref(const char *key, const void **val, size_t *len,
	    void **ref);
int	api_mcache_own(void *copy, void **ref);
void	api_mcache_unref(void *ref);
void	api_mcache_put(const char *key, const void *val, size_t len);
void	api_mcache_del(const char *key);
/* Servers sharing the L2 tell each other of changes (no-ops without). */
void	api_cache_l2_announce(const char *channel);
int	api_cache_l2_changes_seen(const char *channel);	/* 1: drop copies */

/*
 * A cache's counters as it publishes them (metrics/cache_stats.h).  Hits
 * and misses are counted by the caller, on every lookup (a copy the
 * caller finds stale is its miss); the rest (entries, bytes, evictions)
 * comes from the plugin's stats(), which may walk the cache (the LRU
 * sweeps expired entries), so it is read after a change and otherwise at
 * most once a second.
 */
struct api_cache_tier {
	int			id;		/* registered; -1: none */
	uint64_t		hits, misses;
	struct pgl_cache_stats	last;		/* the plugin's, as last read */
	uint64_t		read_at_us;
};

void	api_cache_tier_count(struct api_cache_tier *, int rc);
void	api_cache_tier_publish(struct api_cache_tier *,
	    const struct pgl_cache_ops *, struct pgl_cache *, int changed);

/* stats.c: GET of every cache's counters (the tiers, the tree cache, the
 * object store's clients). */
void	 api_cache_stats(struct pgl_req *);

/* tree_cache.c */

/* Parent, before fork: register the cache's statistics. */
void	 api_tree_cache_init(void);
/*
 * A new reference to the tree of the file at location, or NULL; and in
 * *read (when not NULL) a new reference to its normalised form if one
 * was kept, else NULL, with *checked 1 if that form is known to pass
 * ice_md_validate (the engine built it).
 */
json_t	*api_tree_get(const char *location, json_t **read, int *checked);
/*
 * Keep a reference to tree as the file at location: parsed from it, or
 * written to it by ice_render_metadata(), which reads back as the same tree; and to
 * read, its normalised form (ice_md_read's), if not NULL; checked: read
 * is what the engine built and checked (ice_table_apply_read's
 * *next_read), not merely read from a file.
 */
void	 api_tree_put(const char *location, json_t *tree, json_t *read,
	    int checked);
/* Forget the file at location: a commit has moved the pointer past it. */
void	 api_tree_drop(const char *location);
/*
 * Let go of a reference to a metadata tree (or its normalised form) off
 * the event loop, as the cache's own are: a commit's base, once the
 * commit that replaced it is done, is often the last reference.
 */
void	 api_tree_release(json_t *);

#endif
