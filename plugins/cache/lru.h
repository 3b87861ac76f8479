/*
 * Internal to the in-process cache plugin: the LRU+TTL store that
 * cache.c exposes through struct pgl_cache_ops.
 *
 * The plugin is built with -fvisibility=hidden, so none of these names
 * leave the shared object; only pangolin_cache_plugin() is exported.
 */
#ifndef PANGOLIN_CACHE_LRU_H
#define PANGOLIN_CACHE_LRU_H

#include <stddef.h>
#include <stdint.h>

#include "pangolin/cache.h"

struct cache_lru_limits {
	uint64_t	max_entries;
	uint64_t	max_bytes;
	uint64_t	ttl_secs;	/* default for put(ttl_secs = 0) */
};

struct pgl_cache	*cache_lru_new(const struct cache_lru_limits *);
void			 cache_lru_free(struct pgl_cache *);
int			 cache_lru_get(struct pgl_cache *, const char *,
			    void **, size_t *);
int			 cache_lru_get_ref(struct pgl_cache *, const char *,
			    const void **, size_t *, void **);
void			 cache_lru_release(struct pgl_cache *, void *);
int			 cache_lru_put(struct pgl_cache *, const char *,
			    const void *, size_t, uint32_t);
int			 cache_lru_del(struct pgl_cache *, const char *);
int			 cache_lru_del_prefix(struct pgl_cache *,
			    const char *);
void			 cache_lru_clear(struct pgl_cache *);
void			 cache_lru_stats(struct pgl_cache *,
			    struct pgl_cache_stats *);

/*
 * Test hook: replace the monotonic millisecond clock (NULL restores it).
 * Unit tests link the sources directly and drive TTLs without sleeping;
 * it is hidden in the shared object, so it is not part of the ABI.
 */
void			 cache_lru_set_clock(uint64_t (*)(void));

#endif
