/*
 * Push sinks (store ABI 1.16, issue 43): webhook subscriptions and the
 * tenants' NATS cursors, one document each in `webhooks`, keyed
 * (tenant_id, id) under a unique index (schema 8).  The field names are
 * the SQL stores' columns (sql_webhooks.c), and as there each group of
 * fields has its one writer: put_webhook the config, set_webhook_state
 * the state, claim_webhook the lease.
 *
 * The lease and the state writes are each one update whose filter holds
 * the condition, so the server tests it and writes under the
 * document's lock: two dispatchers racing for an expired lease cannot
 * both match it.  Only when an update matched nothing is the document
 * looked up, to tell a missing one (PGL_ENOTFOUND) from a lease held by
 * another.
 *
 * Creation looks first (PGL_EEXISTS before writing, and on test servers
 * that do not enforce unique indexes); two creates racing are decided by
 * the unique index on a real server (E11000, PGL_EEXISTS).  CongoDB
 * enforces none, so there both may insert (README.md).
 */
#include <string.h>

#include "mongo_store.h"

#define WHAT	"webhook"

static void
webhook_fill(struct doc *d, void *out)
{
	struct pgl_webhook	*w = out;

	w->id = doc_str(d, "id");
	w->tenant_id = doc_str(d, "tenant_id");
	w->kind = doc_str(d, "kind");
	w->name = doc_str(d, "name");
	w->url = doc_str(d, "url");
	w->filter = doc_str(d, "filter");
	w->secrets = doc_str(d, "secrets");
	w->created_ms = doc_int(d, "created_ms");
	w->updated_ms = doc_int(d, "updated_ms");
	w->cursor = (uint64_t)doc_int(d, "cursor_seq");
	w->status = doc_str(d, "status");
	w->status_reason = doc_str(d, "status_reason");
	w->failing_since_ms = doc_int(d, "failing_since_ms");
	w->next_attempt_ms = doc_int(d, "next_attempt_ms");
	w->attempts = (uint32_t)doc_int(d, "attempts");
	w->delivered = (uint64_t)doc_int(d, "delivered");
	w->failures = (uint64_t)doc_int(d, "failures");
	w->recent = doc_str(d, "recent");
	w->lease_owner = doc_str(d, "lease_owner");
	w->lease_until_ms = doc_int(d, "lease_until_ms");
}

static const struct mg_shape	webhook_shape = {
	COLL_WEBHOOKS, sizeof(struct pgl_webhook), webhook_fill, WHAT,
	MG_NAME_TENANT, NULL
};




/* After an update that matched nothing: is the document there at all? */
static int
webhook_missing(struct pgl_store *s, const char *tenant, const char *id,
    int *missing, struct pgl_err *err)
{
	bson_t	key = BSON_INITIALIZER;
	int	found = 0, rc;

	mg_key_of(&key, tenant, id);
	rc = mg_exists(s, err, COLL_WEBHOOKS, &key, &found);
	bson_destroy(&key);
	*missing = !found;
	return (rc);
}

static void
config_fields(bson_t *b, const struct pgl_webhook *w)
{
	mg_str(b, "kind", w->kind);
	mg_str(b, "name", w->name);
	mg_str(b, "url", w->url);
	mg_str(b, "filter", w->filter);
	mg_str(b, "secrets", w->secrets);
	BSON_APPEND_INT64(b, "updated_ms", w->updated_ms);
}

static void
state_fields(bson_t *b, const struct pgl_webhook *w)
{
	BSON_APPEND_INT64(b, "cursor_seq", (int64_t)w->cursor);
	if (w->status != NULL)
		mg_str(b, "status", w->status);
	mg_str(b, "status_reason", w->status_reason);
	BSON_APPEND_INT64(b, "failing_since_ms", w->failing_since_ms);
	BSON_APPEND_INT64(b, "next_attempt_ms", w->next_attempt_ms);
	BSON_APPEND_INT64(b, "attempts", (int64_t)w->attempts);
	BSON_APPEND_INT64(b, "delivered", (int64_t)w->delivered);
	BSON_APPEND_INT64(b, "failures", (int64_t)w->failures);
	mg_str(b, "recent", w->recent);
}

static int
webhook_insert(struct pgl_store *s, const struct pgl_webhook *w,
    struct pgl_err *err)
{
	bson_t	doc = BSON_INITIALIZER;
	int	found = 0, rc;

	mg_key_of(&doc, w->tenant_id, w->id);
	rc = mg_exists(s, err, COLL_WEBHOOKS, &doc, &found);
	if (rc == PGL_OK && found)
		rc = PGL_EEXISTS;
	if (rc == PGL_OK) {
		config_fields(&doc, w);
		BSON_APPEND_INT64(&doc, "created_ms", w->created_ms);
		state_fields(&doc, w);
		if (w->status == NULL)
			mg_str(&doc, "status", "active");
		BSON_APPEND_NULL(&doc, "lease_owner");
		BSON_APPEND_INT64(&doc, "lease_until_ms", 0);
		rc = mg_insert(s, err, COLL_WEBHOOKS, &doc);
	}
	bson_destroy(&doc);
	if (rc == PGL_EEXISTS)
		rc = mongo_err(err, rc, "webhook %s of tenant %s already "
		    "exists", w->id, w->tenant_id);
	return (rc);
}

int
mongo_put_webhook(struct pgl_store *s, const struct pgl_webhook *w,
    int create, struct pgl_err *err)
{
	bson_t		key = BSON_INITIALIZER, set;
	bson_t		up = BSON_INITIALIZER;
	uint64_t	matched = 0;
	int		rc;

	if (w == NULL)
		return (mongo_err(err, PGL_EINVAL, "no webhook"));
	if ((rc = mg_key_valid(err, WHAT, w->tenant_id, w->id)) != PGL_OK)
		return (rc);
	if (w->kind == NULL || *w->kind == '\0')
		return (mongo_err(err, PGL_EINVAL, "a webhook needs a kind"));
	if (create)
		return (webhook_insert(s, w, err));
	mg_key_of(&key, w->tenant_id, w->id);
	BSON_APPEND_DOCUMENT_BEGIN(&up, "$set", &set);
	config_fields(&set, w);
	bson_append_document_end(&up, &set);
	rc = mg_update(s, err, COLL_WEBHOOKS, &key, &up, 0, &matched);
	if (rc == PGL_OK && matched == 0)
		rc = mg_not_found_of(err, WHAT, w->tenant_id, w->id);
	bson_destroy(&up);
	bson_destroy(&key);
	return (rc);
}

int
mongo_get_webhook(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *id, struct pgl_webhook *out,
    struct pgl_err *err)
{
	int	rc;

	if ((rc = mg_key_valid(err, WHAT, tenant, id)) != PGL_OK)
		return (rc);
	return (mg_get_by(s, a, err, &webhook_shape, out, "tenant_id", tenant,
	    "id", id, NULL));
}

int
mongo_list_webhooks(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, struct pgl_webhook **out, size_t *n,
    struct pgl_err *err)
{
	bson_t	 filter = BSON_INITIALIZER, *sort;
	int	 rc;

	if (tenant != NULL)
		mg_str(&filter, "tenant_id", tenant);
	sort = BCON_NEW("created_ms", BCON_INT32(1), "id", BCON_INT32(1),
	    "tenant_id", BCON_INT32(1));
	rc = mg_page(s, a, err, &webhook_shape, &filter, sort, NULL, out, n,
	    NULL);
	bson_destroy(sort);
	bson_destroy(&filter);
	return (rc);
}

int
mongo_delete_webhook(struct pgl_store *s, const char *tenant,
    const char *id, struct pgl_err *err)
{
	bson_t		key = BSON_INITIALIZER;
	uint64_t	deleted = 0;
	int		rc;

	if ((rc = mg_key_valid(err, WHAT, tenant, id)) != PGL_OK)
		return (rc);
	mg_key_of(&key, tenant, id);
	rc = mg_delete(s, err, COLL_WEBHOOKS, &key, 0, &deleted);
	bson_destroy(&key);
	if (rc == PGL_OK && deleted == 0)
		rc = mg_not_found_of(err, WHAT, tenant, id);
	return (rc);
}

int
mongo_set_webhook_state(struct pgl_store *s, const struct pgl_webhook *w,
    const char *owner, struct pgl_err *err)
{
	bson_t		key = BSON_INITIALIZER, set;
	bson_t		up = BSON_INITIALIZER;
	uint64_t	matched = 0;
	int		missing, rc;

	if (w == NULL)
		return (mongo_err(err, PGL_EINVAL, "no webhook"));
	if ((rc = mg_key_valid(err, WHAT, w->tenant_id, w->id)) != PGL_OK)
		return (rc);
	mg_key_of(&key, w->tenant_id, w->id);
	/* A dispatcher's: only while the lease is still its own. */
	if (owner != NULL)
		mg_str(&key, "lease_owner", owner);
	BSON_APPEND_DOCUMENT_BEGIN(&up, "$set", &set);
	state_fields(&set, w);
	/* A route's (resume, replay): whatever the lease, which it clears. */
	if (owner == NULL) {
		BSON_APPEND_NULL(&set, "lease_owner");
		BSON_APPEND_INT64(&set, "lease_until_ms", 0);
	}
	bson_append_document_end(&up, &set);
	rc = mg_update(s, err, COLL_WEBHOOKS, &key, &up, 0, &matched);
	bson_destroy(&up);
	bson_destroy(&key);
	if (rc != PGL_OK || matched > 0)
		return (rc);
	if ((rc = webhook_missing(s, w->tenant_id, w->id, &missing, err)) !=
	    PGL_OK)
		return (rc);
	/* owner NULL matches any lease: the document went meanwhile. */
	if (missing || owner == NULL)
		return (mg_not_found_of(err, WHAT, w->tenant_id, w->id));
	return (mongo_err(err, PGL_ECONFLICT, "the lease of webhook %s is no "
	    "longer %s's", w->id, owner));
}

/* {tenant_id, id, $or: [free, the owner's, expired]} */
static bson_t *
claim_filter(const char *tenant, const char *id, const char *owner,
    int64_t now_ms)
{
	return (BCON_NEW("tenant_id", BCON_UTF8(tenant), "id", BCON_UTF8(id),
	    "$or", "[",
	    "{", "lease_owner", BCON_NULL, "}",
	    "{", "lease_owner", BCON_UTF8(owner), "}",
	    "{", "lease_until_ms", "{", "$lt", BCON_INT64(now_ms), "}", "}",
	    "]"));
}

int
mongo_claim_webhook(struct pgl_store *s, const char *tenant, const char *id,
    const char *owner, int64_t now_ms, int64_t until_ms, int *got,
    struct pgl_err *err)
{
	bson_t		*filter, *up;
	uint64_t	 matched = 0;
	int		 missing, rc;

	*got = 0;
	if ((rc = mg_key_valid(err, WHAT, tenant, id)) != PGL_OK)
		return (rc);
	if (owner == NULL || *owner == '\0')
		return (mongo_err(err, PGL_EINVAL, "a lease needs an owner"));
	filter = claim_filter(tenant, id, owner, now_ms);
	up = BCON_NEW("$set", "{", "lease_owner", BCON_UTF8(owner),
	    "lease_until_ms", BCON_INT64(until_ms), "}");
	rc = mg_update(s, err, COLL_WEBHOOKS, filter, up, 0, &matched);
	bson_destroy(up);
	bson_destroy(filter);
	if (rc != PGL_OK)
		return (rc);
	if (matched > 0) {
		*got = 1;
		return (PGL_OK);
	}
	if ((rc = webhook_missing(s, tenant, id, &missing, err)) != PGL_OK)
		return (rc);
	return (missing ? mg_not_found_of(err, WHAT, tenant, id) : PGL_OK);
}
