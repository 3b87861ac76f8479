/*
 * The metadata cache as the handlers use it, and GET /api/v1/cache/stats.
 *
 * The wrapper calls the cache plugin and then publishes this worker's
 * counters into the shared statistics segment (metrics/cache_stats.h),
 * so the route and /metrics answer for every worker, not the one that
 * happened to take the request.
 */
#include <stdlib.h>

#include "api/api.h"
#include "app.h"
#include "metrics/cache_stats.h"
#include "metrics/metrics.h"
#include "pangolin/cache.h"
#include "util/json.h"

static int	metadata_id = -1;

void
api_cache_stats_init(void)
{
	if (pgl_cache_stats_init() == 0)
		metadata_id = pgl_cache_stats_register("metadata", "l1");
}

/* The plugin's counters are cheap to read (a struct copy). */
static void
publish_metadata(void)
{
	struct pgl_cache_stats	s = { 0 };

	pgl_app.cache->stats(pgl_app.cacheh, &s);
	pgl_cache_stats_publish(metadata_id, &s);
}

int
api_mcache_get(const char *key, void **val, size_t *len)
{
	int	rc;

	if (pgl_app.cacheh == NULL)
		return (PGL_ENOTFOUND);
	rc = pgl_app.cache->get(pgl_app.cacheh, key, val, len);
	publish_metadata();
	return (rc);
}

void
api_mcache_put(const char *key, const void *val, size_t len)
{
	if (pgl_app.cacheh == NULL)
		return;
	(void)pgl_app.cache->put(pgl_app.cacheh, key, val, len, 0);
	publish_metadata();
}

void
api_mcache_del(const char *key)
{
	if (pgl_app.cacheh == NULL)
		return;
	(void)pgl_app.cache->del(pgl_app.cacheh, key);
	publish_metadata();
}

static json_t *
cache_json(int id)
{
	struct pgl_cache_stats	t;

	pgl_cache_stats_total(id, &t);
	return (json_pack("{s:s,s:s,s:I,s:I,s:f,s:I,s:I,s:I,s:I,s:I,s:I}",
	    "name", pgl_cache_stats_name(id),
	    "tier", pgl_cache_stats_tier(id),
	    "hits", (json_int_t)t.hits,
	    "misses", (json_int_t)t.misses,
	    "hit_ratio", pgl_cache_stats_hit_ratio(&t),
	    "evictions", (json_int_t)t.evictions,
	    "expirations", (json_int_t)t.expirations,
	    "entries", (json_int_t)t.entries,
	    "bytes", (json_int_t)t.bytes,
	    "max_entries", (json_int_t)t.max_entries,
	    "max_bytes", (json_int_t)t.max_bytes));
}

/* Requests per connection opened: what reusing connections buys. */
static json_t *
object_store_json(void)
{
	uint64_t	req = pgl_metrics_get(PGL_C_OBJECT_STORE_REQUESTS);
	uint64_t	conn = pgl_metrics_get(PGL_C_OBJECT_STORE_CONNECTIONS);

	return (json_pack("{s:I,s:I,s:f}",
	    "requests", (json_int_t)req,
	    "connections", (json_int_t)conn,
	    "reuse_ratio", conn == 0 ? 0.0 : (double)req / (double)conn));
}

void
api_cache_stats(struct pgl_req *r)
{
	json_t	*caches, *c;
	size_t	 i;

	if ((caches = json_array()) == NULL) {
		pgl_reply_error(r, 500, "out of memory");
		return;
	}
	for (i = 0; i < pgl_cache_stats_count(); i++) {
		if ((c = cache_json((int)i)) == NULL ||
		    json_array_append_new(caches, c) == -1) {
			json_decref(caches);
			pgl_reply_error(r, 500, "out of memory");
			return;
		}
	}
	pgl_reply_json(r, 200, json_pack("{s:o,s:o}", "caches", caches,
	    "object_store", object_store_json()));
}
