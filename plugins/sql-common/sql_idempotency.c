/*
 * Idempotency keys (Iceberg REST Idempotency-Key): the reply to the first
 * request with a key, replayed for repeats until it expires.
 */
#include "sql_store.h"

/*
 * A live key is never overwritten (PGL_EEXISTS: a concurrent request with
 * the same key got there first); an expired one is replaced in place, so
 * a key can be reused before the purge has run.
 */
static const char IDEMPOTENT_PUT[] =
	"INSERT INTO idempotency (tenant_id, key, route, status, body,"
	" expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
	" ON CONFLICT (tenant_id, key) DO UPDATE SET route = excluded.route,"
	" status = excluded.status, body = excluded.body,"
	" expires_at = excluded.expires_at"
	" WHERE idempotency.expires_at <= ?7";
static const char IDEMPOTENT_GET[] =
	"SELECT key, route, status, body, expires_at FROM idempotency"
	" WHERE tenant_id = ?1 AND key = ?2 AND expires_at > ?3";
static const char IDEMPOTENT_PURGE[] =
	"DELETE FROM idempotency WHERE expires_at <= ?1";

static void
idempotent_fill(struct row *r, void *out)
{
	struct pgl_idempotent	*k = out;

	k->key = row_text(r);
	k->route = row_text(r);
	k->status = (int)row_int(r);
	k->body = row_text(r);
	k->expires_at_ms = row_int(r);
}

int
sql_put_idempotent(struct pgl_store *s, const char *tenant,
    const struct pgl_idempotent *k, struct pgl_err *err)
{
	uint64_t	changed;
	int		rc;

	rc = store_exec(s, err, IDEMPOTENT_PUT, &changed, "sssdsii", tenant,
	    k->key, k->route, k->status, k->body, k->expires_at_ms,
	    store_now_ms());
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_EEXISTS,
		    "idempotency key already recorded");
	return (rc);
}

int
sql_get_idempotent(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *key, int64_t now_ms,
    struct pgl_idempotent *out, struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, IDEMPOTENT_GET, idempotent_fill, out, "ssi",
	    tenant, key, now_ms);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "idempotency key not found");
	return (rc);
}

int
sql_purge_idempotent(struct pgl_store *s, int64_t now_ms,
    uint64_t *purged, struct pgl_err *err)
{
	uint64_t	n = 0;
	int		rc;

	rc = store_exec(s, err, IDEMPOTENT_PURGE, &n, "i", now_ms);
	if (purged != NULL)
		*purged = rc == PGL_OK ? n : 0;
	return (rc);
}
