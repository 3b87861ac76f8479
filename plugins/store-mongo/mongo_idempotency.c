/*
 * Idempotency keys (Iceberg REST Idempotency-Key): the reply to the first
 * request with a key, replayed for repeats until it expires.
 */
#include "mongo_store.h"

static void
idempotent_fill(struct doc *d, void *out)
{
	struct pgl_idempotent	*k = out;

	k->key = doc_str(d, "key");
	k->route = doc_str(d, "route");
	k->status = (int)doc_int(d, "status");
	k->body = doc_str(d, "body");
	k->expires_at_ms = doc_int(d, "expires_at");
}

static void
record_set(bson_t *b, const struct pgl_idempotent *k)
{
	BSON_APPEND_UTF8(b, "route", k->route);
	BSON_APPEND_INT32(b, "status", k->status);
	mg_str(b, "body", k->body);
	BSON_APPEND_INT64(b, "expires_at", k->expires_at_ms);
}

/*
 * A live key is never overwritten (PGL_EEXISTS: a concurrent request with
 * the same key got there first); an expired one is replaced in place, so
 * a key can be reused before the purge has run.  The replace is one
 * conditional update; otherwise the record is inserted, and the unique
 * (tenant_id, key) index settles two first requests racing.
 */
int
mongo_put_idempotent(struct pgl_store *s, const char *tenant,
    const struct pgl_idempotent *k, struct pgl_err *err)
{
	bson_t		key = BSON_INITIALIZER, expired, up = BSON_INITIALIZER;
	bson_t		set, doc = BSON_INITIALIZER;
	uint64_t	matched;
	int		found, rc;

	if (tenant == NULL || k->key == NULL || k->route == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid value (tenant, "
		    "key and route are required)"));
	BSON_APPEND_UTF8(&key, "tenant_id", tenant);
	BSON_APPEND_UTF8(&key, "key", k->key);
	bson_init(&expired);
	bson_concat(&expired, &key);
	BCON_APPEND(&expired, "expires_at", "{", "$lte",
	    BCON_INT64(mongo_now_ms()), "}");
	BSON_APPEND_DOCUMENT_BEGIN(&up, "$set", &set);
	record_set(&set, k);
	bson_append_document_end(&up, &set);
	rc = mg_update(s, err, COLL_IDEMPOTENCY, &expired, &up, 0, &matched);
	if (rc == PGL_OK && matched == 0) {
		rc = mg_exists(s, err, COLL_IDEMPOTENCY, &key, &found);
		if (rc == PGL_OK && found)
			rc = mongo_err(err, PGL_EEXISTS,
			    "idempotency key already recorded");
		if (rc == PGL_OK) {
			bson_concat(&doc, &key);
			record_set(&doc, k);
			rc = mg_insert(s, err, COLL_IDEMPOTENCY, &doc);
		}
		if (rc == PGL_EEXISTS)
			(void)mongo_err(err, rc,
			    "idempotency key already recorded");
	}
	bson_destroy(&doc);
	bson_destroy(&up);
	bson_destroy(&expired);
	bson_destroy(&key);
	return (rc);
}

int
mongo_get_idempotent(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *key, int64_t now_ms,
    struct pgl_idempotent *out, struct pgl_err *err)
{
	bson_t	filter = BSON_INITIALIZER;
	int	rc;

	mg_str(&filter, "tenant_id", tenant);
	mg_str(&filter, "key", key);
	BCON_APPEND(&filter, "expires_at", "{", "$gt", BCON_INT64(now_ms),
	    "}");
	rc = mg_get(s, a, err, COLL_IDEMPOTENCY, &filter, idempotent_fill,
	    out);
	if (rc == PGL_ENOTFOUND)
		(void)mongo_err(err, rc, "idempotency key not found");
	bson_destroy(&filter);
	return (rc);
}

int
mongo_purge_idempotent(struct pgl_store *s, int64_t now_ms,
    uint64_t *purged, struct pgl_err *err)
{
	bson_t		*filter;
	uint64_t	n = 0;
	int		rc;

	filter = BCON_NEW("expires_at", "{", "$lte", BCON_INT64(now_ms), "}");
	rc = mg_delete(s, err, COLL_IDEMPOTENCY, filter, 1, &n);
	if (purged != NULL)
		*purged = rc == PGL_OK ? n : 0;
	bson_destroy(filter);
	return (rc);
}
