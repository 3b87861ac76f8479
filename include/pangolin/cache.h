/*
 * The cache plugin ABI.
 *
 * A cache plugin is a shared object exporting one symbol,
 * pangolin_cache_plugin(), which returns a const table of methods
 * (SQLite's VFS and Kore's module functions are the models).  The loader
 * refuses a plugin whose abi_major differs from PGL_CACHE_ABI_MAJOR.
 *
 * A cache holds bytes under NUL-terminated string keys, each with a TTL,
 * within an entry cap and a byte budget (ARCHITECTURE.md section 7).
 * It is only ever an optimisation: a miss, an eviction or a failed put
 * must never change what a request returns, only how fast.
 */
#ifndef PANGOLIN_CACHE_H
#define PANGOLIN_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "pangolin/plugin.h"

#define PGL_CACHE_ABI_MAJOR	1
#define PGL_CACHE_ABI_MINOR	2

/* Opaque; owned by the plugin from open to close. */
struct pgl_cache;

/*
 * Counters are cumulative over the life of the handle (clear, del and
 * del_prefix do not reset them), so they can back Prometheus counters.
 * Fields are only ever appended: the host zeroes the struct before
 * calling stats, and an older plugin leaves newer fields at zero.
 */
struct pgl_cache_stats {
	uint64_t	hits;
	uint64_t	misses;		/* including expired keys */
	uint64_t	evictions;	/* live entries dropped for room */
	uint64_t	expirations;	/* entries dropped past their TTL */
	uint64_t	entries;
	uint64_t	bytes;		/* sum of key + value lengths */
	uint64_t	max_entries;
	uint64_t	max_bytes;
};

struct pgl_cache_ops {
	uint16_t	abi_major;
	uint16_t	abi_minor;	/* fields are only ever appended */
	const char	*name;

	/*
	 * Options arrive as strings from [cache.options] in the config.
	 * An unknown key or a bad value fails with PGL_EINVAL and a message
	 * in *err that names the option.
	 */
	int	(*open)(const struct pgl_host *host,
		    const struct pgl_kv *opts, size_t nopts,
		    struct pgl_cache **out, struct pgl_err *err);
	void	(*close)(struct pgl_cache *);

	/*
	 * On a hit, copies the value into a malloc'd buffer (*val, *len)
	 * that the caller frees with free(), and returns PGL_OK.  A miss or
	 * an expired entry returns PGL_ENOTFOUND; PGL_ENOMEM if the copy
	 * cannot be allocated (not counted as a hit or a miss).
	 */
	int	(*get)(struct pgl_cache *, const char *key, void **val,
		    size_t *len);

	/*
	 * Stores a copy of the value, replacing any entry under the key.
	 * ttl_secs 0 means the cache's default TTL.  A value that could
	 * never fit the byte budget is not stored (PGL_EINVAL) and any
	 * older value under the key is dropped, so no stale copy survives.
	 */
	int	(*put)(struct pgl_cache *, const char *key, const void *val,
		    size_t len, uint32_t ttl_secs);

	/* PGL_OK if the key was present, else PGL_ENOTFOUND. */
	int	(*del)(struct pgl_cache *, const char *key);

	/* Invalidate a family of keys, e.g. every "wh:<tenant>:" entry. */
	int	(*del_prefix)(struct pgl_cache *, const char *prefix);
	void	(*clear)(struct pgl_cache *);
	void	(*stats)(struct pgl_cache *, struct pgl_cache_stats *out);

	/*
	 * ABI 1.1, optional (NULL in a cache that no other server shares):
	 * servers sharing the cache tell each other that something changed.
	 * announce tells every other server listening on channel;
	 * changes_seen sets *seen to 1 when an announcement arrived since the
	 * last call, or when the cache cannot tell (it was unreachable: one
	 * may have been missed), else 0.  Neither may block for long.
	 */
	int	(*announce)(struct pgl_cache *, const char *channel);
	int	(*changes_seen)(struct pgl_cache *, const char *channel,
		    int *seen);

	/*
	 * ABI 1.2, optional (NULL: the host falls back to get): a hit as a
	 * read-only view of the entry (*val, *len), pinned until
	 * release(*ref), so a large value is served without a copy.  Hits
	 * and misses count as for get.  An entry replaced, deleted, evicted,
	 * expired or cleared while pinned leaves the cache at once (no later
	 * get finds it, its bytes leave the stats) and is freed at its last
	 * release; release may come after close.
	 */
	int	(*get_ref)(struct pgl_cache *, const char *key,
		    const void **val, size_t *len, void **ref);
	void	(*release)(struct pgl_cache *, void *ref);
};

/* The one symbol a cache plugin exports. */
const struct pgl_cache_ops	*pangolin_cache_plugin(void);

#endif
