/*
 * GET /api/v1/cache/stats: every registered cache (tiers.c
 * registers the metadata cache's tiers) summed over all workers from the
 * shared statistics segment (metrics/cache_stats.h), so the answer is
 * the same whichever worker takes the request.
 */
#include <stdlib.h>

#include "api/cache/cache.h"
#include "http/request.h"
#include "metrics/cache_stats.h"
#include "metrics/metrics.h"
#include "util/json.h"

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
