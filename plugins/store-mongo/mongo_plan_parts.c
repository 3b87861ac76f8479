/*
 * Scan plan parts (store ABI 1.11, issue 28): the ScanTasks JSON of one
 * plan task, kept until it expires so a client can page through a large
 * plan.  One document per (tenant_id, plan_id, seq), under a unique index.
 * As in the SQL stores, a part is expired when expires_at < now, and an
 * expired part is absent: get does not see it, put may replace it.
 *
 * The body is one BSON string, stored whole.  This relies on the host
 * (the scan planner) capping a part at 4 MB: a document is capped at
 * 16 MB, so a part always fits with its keys.
 */
#include <stdio.h>
#include <string.h>

#include "mongo_store.h"

static void
part_fill(struct doc *d, void *out)
{
	struct pgl_plan_part	*p = out;

	p->plan_id = doc_str(d, "plan_id");
	p->seq = (uint32_t)doc_int(d, "seq");
	p->table = doc_str(d, "table_name");
	p->body = doc_str(d, "body");
	p->expires_at_ms = doc_int(d, "expires_at");
}

static void
part_key(bson_t *b, const char *tenant, const char *plan_id, uint32_t seq)
{
	mg_str(b, "tenant_id", tenant);
	mg_str(b, "plan_id", plan_id);
	BSON_APPEND_INT64(b, "seq", (int64_t)seq);
}

static void
part_set(bson_t *b, const struct pgl_plan_part *p)
{
	BSON_APPEND_UTF8(b, "table_name", p->table);
	BSON_APPEND_UTF8(b, "body", p->body);
	BSON_APPEND_INT64(b, "expires_at", p->expires_at_ms);
	/* ABI 1.14: counted against the tenant's quota without the body. */
	BSON_APPEND_INT64(b, "bytes", (int64_t)strlen(p->body));
}

/* An expired part is replaced in place by one conditional update. */
static int
replace_expired(struct pgl_store *s, const bson_t *key,
    const struct pgl_plan_part *p, uint64_t *matched, struct pgl_err *err)
{
	bson_t	expired = BSON_INITIALIZER, up = BSON_INITIALIZER, set;
	int	rc;

	bson_concat(&expired, key);
	BCON_APPEND(&expired, "expires_at", "{", "$lt",
	    BCON_INT64(mongo_now_ms()), "}");
	BSON_APPEND_DOCUMENT_BEGIN(&up, "$set", &set);
	part_set(&set, p);
	bson_append_document_end(&up, &set);
	rc = mg_update(s, err, COLL_PLAN_PARTS, &expired, &up, 0, matched);
	bson_destroy(&up);
	bson_destroy(&expired);
	return (rc);
}

/*
 * The existence check answers PGL_ECONFLICT before writing (and on
 * servers without unique indexes); the unique index settles two puts
 * racing.
 */
int
mongo_put_plan_part(struct pgl_store *s, const char *tenant,
    const struct pgl_plan_part *p, struct pgl_err *err)
{
	bson_t		key = BSON_INITIALIZER, doc = BSON_INITIALIZER;
	uint64_t	matched = 0;
	int		found, rc;

	if (tenant == NULL || p->plan_id == NULL || p->table == NULL ||
	    p->body == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid plan part "
		    "(tenant, plan id, table and body are required)"));
	part_key(&key, tenant, p->plan_id, p->seq);
	rc = replace_expired(s, &key, p, &matched, err);
	if (rc == PGL_OK && matched == 0) {
		rc = mg_exists(s, err, COLL_PLAN_PARTS, &key, &found);
		if (rc == PGL_OK && found)
			rc = PGL_EEXISTS;
		if (rc == PGL_OK) {
			bson_concat(&doc, &key);
			part_set(&doc, p);
			rc = mg_insert(s, err, COLL_PLAN_PARTS, &doc);
		}
		if (rc == PGL_EEXISTS)
			rc = mongo_err(err, PGL_ECONFLICT, "plan %s part %u "
			    "already stored", p->plan_id, p->seq);
	}
	bson_destroy(&doc);
	bson_destroy(&key);
	return (rc);
}

int
mongo_get_plan_part(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *plan_id, uint32_t seq, int64_t now_ms,
    struct pgl_plan_part *out, struct pgl_err *err)
{
	bson_t	filter = BSON_INITIALIZER;
	int	rc;

	part_key(&filter, tenant, plan_id, seq);
	BCON_APPEND(&filter, "expires_at", "{", "$gte", BCON_INT64(now_ms),
	    "}");
	rc = mg_get(s, a, err, COLL_PLAN_PARTS, &filter, part_fill, out);
	if (rc == PGL_ENOTFOUND)
		(void)mongo_err(err, rc, "plan %s part %u not found",
		    plan_id != NULL ? plan_id : "", seq);
	bson_destroy(&filter);
	return (rc);
}

int
mongo_delete_plan_parts(struct pgl_store *s, const char *tenant,
    const char *plan_id, struct pgl_err *err)
{
	bson_t	filter = BSON_INITIALIZER;
	int	rc;

	mg_str(&filter, "tenant_id", tenant);
	mg_str(&filter, "plan_id", plan_id);
	rc = mg_delete(s, err, COLL_PLAN_PARTS, &filter, 1, NULL);
	bson_destroy(&filter);
	return (rc);
}

/*
 * The _ids of the oldest expired batch by the expiry index (the _id
 * alone: bodies are large), then one deleteMany of those _ids, since
 * MongoDB's delete takes no sort or limit.
 */
int
mongo_purge_plan_parts(struct pgl_store *s, int64_t now_ms, uint32_t limit,
    uint64_t *purged, struct pgl_err *err)
{
	mongoc_cursor_t	*cur = NULL;
	const bson_t	*b, *reply;
	bson_error_t	 e;
	bson_iter_t	 it;
	bson_t		*filter, *opts, del = BSON_INITIALIZER, in, ids;
	char		 k[16];
	uint32_t	 n = 0;
	int		 rc;

	if (purged != NULL)
		*purged = 0;
	if (limit == 0)
		return (mongo_err(err, PGL_EINVAL, "limit must be positive"));
	filter = BCON_NEW("expires_at", "{", "$lt", BCON_INT64(now_ms), "}");
	opts = BCON_NEW("sort", "{", "expires_at", BCON_INT32(1), "}",
	    "projection", "{", "_id", BCON_INT32(1), "}",
	    "limit", BCON_INT64((int64_t)limit),
	    "batchSize", BCON_INT64((int64_t)limit));
	BSON_APPEND_DOCUMENT_BEGIN(&del, "_id", &in);
	BSON_APPEND_ARRAY_BEGIN(&in, "$in", &ids);
	rc = mg_find(s, err, COLL_PLAN_PARTS, filter, opts, &cur);
	while (rc == PGL_OK && n < limit && mongoc_cursor_next(cur, &b)) {
		if (!bson_iter_init_find(&it, b, "_id"))
			continue;
		(void)snprintf(k, sizeof(k), "%u", n++);
		BSON_APPEND_VALUE(&ids, k, bson_iter_value(&it));
	}
	if (rc == PGL_OK && mongoc_cursor_error_document(cur, &e, &reply))
		rc = mongo_error(err, &e, reply);
	bson_append_array_end(&in, &ids);
	bson_append_document_end(&del, &in);
	if (rc == PGL_OK && n > 0)
		rc = mg_delete(s, err, COLL_PLAN_PARTS, &del, 1, purged);
	if (cur != NULL)
		mongoc_cursor_destroy(cur);
	bson_destroy(&del);
	bson_destroy(opts);
	bson_destroy(filter);
	return (rc);
}

static void
usage_fill(struct doc *d, void *out)
{
	struct pgl_plan_usage	*u = out;

	u->tenant = doc_str(d, "_id");
	u->plans = (uint64_t)doc_int(d, "plans");
	u->parts = (uint64_t)doc_int(d, "parts");
	u->bytes = (uint64_t)doc_int(d, "bytes");
}

/*
 * Parts grouped by plan, then plans by tenant: the documents' bytes
 * fields (put_plan_part's), never a body.
 */
int
mongo_plan_usage(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, int64_t now_ms, uint32_t limit,
    struct pgl_plan_usage **out, size_t *n, struct pgl_err *err)
{
	bson_t	match = BSON_INITIALIZER, *pipeline;
	void	*p = NULL;
	int	rc;

	*out = NULL;
	*n = 0;
	if (tenant != NULL) {
		mg_str(&match, "tenant_id", tenant);
		limit = 1;
	}
	BCON_APPEND(&match, "expires_at", "{", "$gte", BCON_INT64(now_ms),
	    "}");
	pipeline = BCON_NEW("pipeline", "[",
	    "{", "$match", BCON_DOCUMENT(&match), "}",
	    "{", "$group", "{", "_id", "{", "t", BCON_UTF8("$tenant_id"),
	    "p", BCON_UTF8("$plan_id"), "}",
	    "parts", "{", "$sum", BCON_INT32(1), "}",
	    "bytes", "{", "$sum", BCON_UTF8("$bytes"), "}", "}", "}",
	    "{", "$group", "{", "_id", BCON_UTF8("$_id.t"),
	    "plans", "{", "$sum", BCON_INT32(1), "}",
	    "parts", "{", "$sum", BCON_UTF8("$parts"), "}",
	    "bytes", "{", "$sum", BCON_UTF8("$bytes"), "}", "}", "}",
	    "{", "$sort", "{", "bytes", BCON_INT32(-1), "_id", BCON_INT32(1),
	    "}", "}",
	    "{", "$limit", BCON_INT64(limit > 0 ? (int64_t)limit : INT64_MAX),
	    "}", "]");
	rc = mg_aggregate(s, a, err, COLL_PLAN_PARTS, pipeline, usage_fill,
	    sizeof(**out), &p, n);
	if (rc == PGL_OK)
		*out = p;
	bson_destroy(pipeline);
	bson_destroy(&match);
	return (rc);
}

int
mongo_touch_plan_parts(struct pgl_store *s, const char *tenant,
    const char *plan_id, int64_t now_ms, int64_t expires_at_ms,
    struct pgl_err *err)
{
	bson_t	filter = BSON_INITIALIZER, *up;
	int	rc;

	mg_str(&filter, "tenant_id", tenant);
	mg_str(&filter, "plan_id", plan_id);
	BCON_APPEND(&filter, "expires_at", "{", "$gte", BCON_INT64(now_ms),
	    "}");
	up = BCON_NEW("$set", "{", "expires_at", BCON_INT64(expires_at_ms),
	    "}");
	rc = mg_update(s, err, COLL_PLAN_PARTS, &filter, up, 1, NULL);
	bson_destroy(up);
	bson_destroy(&filter);
	return (rc);
}
