/*
 * Cache statistics shared by every Kore worker, for GET /api/v1/cache/stats
 * and /metrics.  Each worker owns its caches (a per-worker LRU), so each
 * publishes its own snapshot into a row of one anonymous shared segment
 * mapped by the parent before fork; readers sum the rows.
 *
 * Any cache (the metadata cache, the lead's config cache, a future L2)
 * registers a name and a tier once, in the parent, before fork, and then
 * publishes its struct pgl_cache_stats after operations that change it.
 */
#ifndef PGL_CACHE_STATS_H
#define PGL_CACHE_STATS_H

#include <stddef.h>
#include <stdio.h>

#include "pangolin/cache.h"

#define PGL_CACHE_STATS_MAX	8	/* registered caches */
#define PGL_CACHE_STATS_ROWS	256	/* worker processes over a life */

/* Map the segment; once, in the parent, before workers fork. */
int	pgl_cache_stats_init(void);

/*
 * Register a cache under name and tier (e.g. "metadata", "l1"); both are
 * kept by reference.  Returns the cache's id, or -1 if the segment is not
 * mapped or every slot is taken.
 */
int	pgl_cache_stats_register(const char *name, const char *tier);

/* Publish the calling worker's snapshot of cache id. */
void	pgl_cache_stats_publish(int id, const struct pgl_cache_stats *);

size_t	pgl_cache_stats_count(void);
const char *pgl_cache_stats_name(int id);
const char *pgl_cache_stats_tier(int id);

/* The sum over every worker's row of cache id. */
void	pgl_cache_stats_total(int id, struct pgl_cache_stats *out);

/* hits / (hits + misses), 0 before any lookup. */
double	pgl_cache_stats_hit_ratio(const struct pgl_cache_stats *);

/* The Prometheus families pangolin_cache_* for every registered cache. */
void	pgl_cache_stats_render(FILE *fp);

#endif
