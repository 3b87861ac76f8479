/*
 * Push sinks (store ABI 1.16, issue 43): webhook subscriptions and the
 * tenants' NATS cursors, one row each in `webhooks`, keyed (tenant_id,
 * id).  Three groups of columns, each written by one method (store.h):
 * the config by put_webhook, the state by set_webhook_state, the lease
 * by claim_webhook, so a route editing a subscription and a dispatcher
 * delivering it never write over each other's columns.
 *
 * The lease and the state writes are each one conditional UPDATE, so the
 * condition and the write are one statement under the row's lock (a
 * PostgreSQL writer that waited re-reads the condition on the row the
 * other committed; SQLite serializes writers): two dispatchers racing
 * for an expired lease cannot both get it.  Only when an UPDATE changed
 * nothing is the row looked up, to tell a missing one (PGL_ENOTFOUND)
 * from a lease held by another.
 *
 * Not an FK of the tenant, as events are not: the host deletes a
 * tenant's subscriptions (the tenant's deletion is an event a sink may
 * still have to deliver).
 */
#include "sql_store.h"

#define WEBHOOK_COLS \
	"SELECT id, tenant_id, kind, name, url, filter, secrets, created_ms," \
	" updated_ms, cursor_seq, status, status_reason, failing_since_ms," \
	" next_attempt_ms, attempts, delivered, failures, recent," \
	" lease_owner, lease_until_ms FROM webhooks"

static const char WEBHOOK_INSERT[] =
	"INSERT INTO webhooks (tenant_id, id, kind, name, url, filter,"
	" secrets, created_ms, updated_ms, cursor_seq, status, status_reason,"
	" failing_since_ms, next_attempt_ms, attempts, delivered, failures,"
	" recent, lease_owner, lease_until_ms)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
	" coalesce(?11, 'active'), ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
	" NULL, 0)";
/* The config only: the state and the lease are the dispatcher's. */
static const char WEBHOOK_CONFIG[] =
	"UPDATE webhooks SET kind = ?3, name = ?4, url = ?5, filter = ?6,"
	" secrets = ?7, updated_ms = ?8 WHERE tenant_id = ?1 AND id = ?2";
static const char WEBHOOK_GET[] =
	WEBHOOK_COLS " WHERE tenant_id = ?1 AND id = ?2";
static const char WEBHOOK_COUNT[] =
	"SELECT count(*) FROM webhooks WHERE tenant_id = ?1 AND id = ?2";
/* By webhooks_created; every tenant's by webhooks_all (the sweep). */
static const char WEBHOOKS_OF_TENANT[] =
	WEBHOOK_COLS " WHERE tenant_id = ?1 ORDER BY created_ms, id";
static const char WEBHOOKS_ALL[] =
	WEBHOOK_COLS " ORDER BY created_ms, id, tenant_id";
static const char WEBHOOK_DELETE[] =
	"DELETE FROM webhooks WHERE tenant_id = ?1 AND id = ?2";

#define WEBHOOK_STATE \
	"UPDATE webhooks SET cursor_seq = ?3, status = coalesce(?4, status)," \
	" status_reason = ?5, failing_since_ms = ?6, next_attempt_ms = ?7," \
	" attempts = ?8, delivered = ?9, failures = ?10, recent = ?11"
/* A dispatcher's: only while the lease is still its own. */
static const char WEBHOOK_STATE_OWNED[] =
	WEBHOOK_STATE " WHERE tenant_id = ?1 AND id = ?2 AND lease_owner = ?12";
/* A route's (resume, replay): whatever the lease, which it clears. */
static const char WEBHOOK_STATE_RESET[] =
	WEBHOOK_STATE ", lease_owner = NULL, lease_until_ms = 0"
	" WHERE tenant_id = ?1 AND id = ?2";
/* Free, already the owner's (a renewal), or expired. */
static const char WEBHOOK_CLAIM[] =
	"UPDATE webhooks SET lease_owner = ?3, lease_until_ms = ?5"
	" WHERE tenant_id = ?1 AND id = ?2 AND (lease_owner IS NULL"
	" OR lease_owner = ?3 OR lease_until_ms < ?4)";

static void
webhook_fill(struct row *r, void *out)
{
	struct pgl_webhook	*w = out;

	w->id = row_text(r);
	w->tenant_id = row_text(r);
	w->kind = row_text(r);
	w->name = row_text(r);
	w->url = row_text(r);
	w->filter = row_text(r);
	w->secrets = row_text(r);
	w->created_ms = row_int(r);
	w->updated_ms = row_int(r);
	w->cursor = (uint64_t)row_int(r);
	w->status = row_text(r);
	w->status_reason = row_text(r);
	w->failing_since_ms = row_int(r);
	w->next_attempt_ms = row_int(r);
	w->attempts = (uint32_t)row_int(r);
	w->delivered = (uint64_t)row_int(r);
	w->failures = (uint64_t)row_int(r);
	w->recent = row_text(r);
	w->lease_owner = row_text(r);
	w->lease_until_ms = row_int(r);
}

static int
key_valid(const char *tenant, const char *id, struct pgl_err *err)
{
	if (tenant == NULL || *tenant == '\0' || id == NULL || *id == '\0')
		return (store_err(err, PGL_EINVAL, "a webhook needs a tenant "
		    "and an id"));
	return (PGL_OK);
}

/* After an UPDATE that changed nothing: is the row there at all? */
static int
webhook_missing(struct pgl_store *s, const char *tenant, const char *id,
    int *missing, struct pgl_err *err)
{
	uint64_t	n = 0;
	int		rc;

	*missing = 0;
	if ((rc = store_count(s, err, WEBHOOK_COUNT, &n, "ss", tenant,
	    id)) != PGL_OK)
		return (rc);
	*missing = n == 0;
	return (PGL_OK);
}

static int
not_found(struct pgl_err *err, const char *tenant, const char *id)
{
	return (store_err(err, PGL_ENOTFOUND, "webhook %s of tenant %s not "
	    "found", id, tenant));
}

static int
webhook_insert(struct pgl_store *s, const struct pgl_webhook *w,
    struct pgl_err *err)
{
	int	rc;

	rc = store_exec(s, err, WEBHOOK_INSERT, NULL,
	    "sssssss" "ii" "issii" "iiis", w->tenant_id, w->id, w->kind,
	    w->name, w->url, w->filter, w->secrets, w->created_ms,
	    w->updated_ms, (int64_t)w->cursor, w->status, w->status_reason,
	    w->failing_since_ms, w->next_attempt_ms, (int64_t)w->attempts,
	    (int64_t)w->delivered, (int64_t)w->failures, w->recent);
	if (rc == PGL_EEXISTS)
		(void)store_err(err, rc, "webhook %s of tenant %s already "
		    "exists", w->id, w->tenant_id);
	return (rc);
}

int
sql_put_webhook(struct pgl_store *s, const struct pgl_webhook *w,
    int create, struct pgl_err *err)
{
	uint64_t	changed = 0;
	int		rc;

	if (w == NULL)
		return (store_err(err, PGL_EINVAL, "no webhook"));
	if ((rc = key_valid(w->tenant_id, w->id, err)) != PGL_OK)
		return (rc);
	if (w->kind == NULL || *w->kind == '\0')
		return (store_err(err, PGL_EINVAL, "a webhook needs a kind"));
	if (create)
		return (webhook_insert(s, w, err));
	rc = store_exec(s, err, WEBHOOK_CONFIG, &changed, "sssssssi",
	    w->tenant_id, w->id, w->kind, w->name, w->url, w->filter,
	    w->secrets, w->updated_ms);
	if (rc == PGL_OK && changed == 0)
		rc = not_found(err, w->tenant_id, w->id);
	return (rc);
}

int
sql_get_webhook(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    const char *id, struct pgl_webhook *out, struct pgl_err *err)
{
	int	rc;

	if ((rc = key_valid(tenant, id, err)) != PGL_OK)
		return (rc);
	rc = store_get(s, a, err, WEBHOOK_GET, webhook_fill, out, "ss",
	    tenant, id);
	if (rc == PGL_ENOTFOUND)
		(void)not_found(err, tenant, id);
	return (rc);
}

int
sql_list_webhooks(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, struct pgl_webhook **out, size_t *n,
    struct pgl_err *err)
{
	void	*p = NULL;
	int	 rc;

	*out = NULL;
	*n = 0;
	if (tenant != NULL)
		rc = store_list(s, a, err, WEBHOOKS_OF_TENANT, webhook_fill,
		    sizeof(**out), &p, n, "s", tenant);
	else
		rc = store_list(s, a, err, WEBHOOKS_ALL, webhook_fill,
		    sizeof(**out), &p, n, "");
	if (rc == PGL_OK)
		*out = p;
	return (rc);
}

int
sql_delete_webhook(struct pgl_store *s, const char *tenant, const char *id,
    struct pgl_err *err)
{
	uint64_t	changed = 0;
	int		rc;

	if ((rc = key_valid(tenant, id, err)) != PGL_OK)
		return (rc);
	rc = store_exec(s, err, WEBHOOK_DELETE, &changed, "ss", tenant, id);
	if (rc == PGL_OK && changed == 0)
		rc = not_found(err, tenant, id);
	return (rc);
}

int
sql_set_webhook_state(struct pgl_store *s, const struct pgl_webhook *w,
    const char *owner, struct pgl_err *err)
{
	uint64_t	changed = 0;
	int		missing, rc;

	if (w == NULL)
		return (store_err(err, PGL_EINVAL, "no webhook"));
	if ((rc = key_valid(w->tenant_id, w->id, err)) != PGL_OK)
		return (rc);
	if (owner != NULL)
		rc = store_exec(s, err, WEBHOOK_STATE_OWNED, &changed,
		    "ssissiii" "iiss", w->tenant_id, w->id,
		    (int64_t)w->cursor, w->status, w->status_reason,
		    w->failing_since_ms, w->next_attempt_ms,
		    (int64_t)w->attempts, (int64_t)w->delivered,
		    (int64_t)w->failures, w->recent, owner);
	else
		rc = store_exec(s, err, WEBHOOK_STATE_RESET, &changed,
		    "ssissiii" "iis", w->tenant_id, w->id,
		    (int64_t)w->cursor, w->status, w->status_reason,
		    w->failing_since_ms, w->next_attempt_ms,
		    (int64_t)w->attempts, (int64_t)w->delivered,
		    (int64_t)w->failures, w->recent);
	if (rc != PGL_OK || changed > 0)
		return (rc);
	if ((rc = webhook_missing(s, w->tenant_id, w->id, &missing,
	    err)) != PGL_OK)
		return (rc);
	/* owner NULL matches any lease: the row went meanwhile. */
	if (missing || owner == NULL)
		return (not_found(err, w->tenant_id, w->id));
	return (store_err(err, PGL_ECONFLICT, "the lease of webhook %s is "
	    "no longer %s's", w->id, owner));
}

int
sql_claim_webhook(struct pgl_store *s, const char *tenant, const char *id,
    const char *owner, int64_t now_ms, int64_t until_ms, int *got,
    struct pgl_err *err)
{
	uint64_t	changed = 0;
	int		missing, rc;

	*got = 0;
	if ((rc = key_valid(tenant, id, err)) != PGL_OK)
		return (rc);
	if (owner == NULL || *owner == '\0')
		return (store_err(err, PGL_EINVAL, "a lease needs an owner"));
	rc = store_exec(s, err, WEBHOOK_CLAIM, &changed, "sssii", tenant, id,
	    owner, now_ms, until_ms);
	if (rc != PGL_OK)
		return (rc);
	if (changed > 0) {
		*got = 1;
		return (PGL_OK);
	}
	if ((rc = webhook_missing(s, tenant, id, &missing, err)) != PGL_OK)
		return (rc);
	return (missing ? not_found(err, tenant, id) : PGL_OK);
}
