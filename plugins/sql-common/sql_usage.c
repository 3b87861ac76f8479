/*
 * The usage ledger (store ABI 1.27, issue 67): the figures each tenant's
 * quota is checked against, kept by the migrations' triggers
 * (sqlite_schema_usage.c, pg_schema_usage.c) in the transaction of every
 * write of a counted row.  A (tenant, kind) may have several rows, one
 * per slot (PostgreSQL's, so that concurrent writers of a tenant never
 * update one row: pg_schema_usage.c); a read adds them up, a tenant's
 * being a range of the primary key whatever it holds.
 *
 * The recount is the same arithmetic (sql_usage.h) over the rows
 * themselves, in one statement: the migration's step for the rows of
 * before, and the repair of the ABI's usage_recount.
 */
#include <string.h>

#include "sql_store.h"
#include "sql_usage.h"

#define USAGE_COLS \
	"SELECT u.tenant_id, u.kind, sum(u.n), sum(u.bytes)" \
	" FROM tenant_usage u"
static const char USAGE_OF_TENANT[] = USAGE_COLS
	" WHERE u.tenant_id = ?1 AND (?2 IS NULL OR u.kind = ?2)"
	" GROUP BY u.tenant_id, u.kind"
	" HAVING sum(u.n) <> 0 OR sum(u.bytes) <> 0 ORDER BY u.kind";
/* The tenants holding the most first, then each one's kinds. */
static const char USAGE_TOP[] =
	"WITH top AS (SELECT tenant_id, sum(bytes) AS b FROM tenant_usage"
	" WHERE ?1 IS NULL OR kind = ?1 GROUP BY tenant_id"
	" HAVING sum(n) <> 0 OR sum(bytes) <> 0"
	" ORDER BY sum(bytes) DESC, tenant_id LIMIT ?2 OFFSET ?3) "
	USAGE_COLS " JOIN top ON top.tenant_id = u.tenant_id"
	" WHERE ?1 IS NULL OR u.kind = ?1"
	" GROUP BY u.tenant_id, u.kind, top.b"
	" HAVING sum(u.n) <> 0 OR sum(u.bytes) <> 0"
	" ORDER BY top.b DESC, u.tenant_id, u.kind";

/* Every counted row of tenant ?1 (NULL: of every tenant), its kind and
 * bytes. */
#define OF(t)	" WHERE ?1 IS NULL OR " t ".tenant_id = ?1"
#define USAGE_ROWS \
	"SELECT n.tenant_id, 'namespaces' AS kind, " U_NAMESPACE_BYTES("n") \
	" AS b FROM namespaces n" OF("n") \
	" UNION ALL SELECT a.tenant_id, " U_ASSET_KIND("a") ", " \
	U_ASSET_BYTES("a") " FROM assets a" OF("a") \
	" UNION ALL SELECT m.tenant_id, 'metadata', " U_METADATA_BYTES("m") \
	" FROM business_metadata m" OF("m") \
	" UNION ALL SELECT c.tenant_id, 'commits', " U_COMMIT_BYTES("c") \
	" FROM commits c" OF("c") \
	" UNION ALL SELECT d.tenant_id, 'dropped', " U_DROPPED_BYTES("d") \
	" FROM dropped_assets d" OF("d") \
	" UNION ALL SELECT p.tenant_id, 'policies', " U_POLICY_BYTES("p") \
	" FROM policies p" OF("p") \
	" UNION ALL SELECT w.tenant_id, 'webhooks', " U_WEBHOOK_BYTES("w") \
	" FROM webhooks w WHERE " U_WEBHOOK_WHEN("w") \
	" AND (?1 IS NULL OR w.tenant_id = ?1)" \
	" UNION ALL SELECT e.tenant_id, 'events', " U_EVENT_BYTES("e") \
	" FROM events e" OF("e") \
	" UNION ALL SELECT l.tenant_id, 'audit', " U_AUDIT_BYTES("l") \
	" FROM audit_events l WHERE " U_AUDIT_WHEN("l") \
	" AND (?1 IS NULL OR l.tenant_id = ?1)" \
	" UNION ALL SELECT q.tenant_id, 'plans', " U_PLAN_BYTES("q") \
	" FROM plan_parts q" OF("q") \
	U_OTHER_TABLES(OTHER_ROWS, OTHER_ALWAYS)
/* One table of kind other: its rows where WHEN holds. */
#define OTHER_ALWAYS(r)	"1 = 1"
#define OTHER_ROWS(tbl, BYTES, WHEN) \
	" UNION ALL SELECT o.tenant_id, 'other', " BYTES("o") \
	" FROM " tbl " o WHERE " WHEN("o") " AND (?1 IS NULL OR" \
	" o.tenant_id = ?1)"

static const char USAGE_CLEAR[] =
	"DELETE FROM tenant_usage WHERE ?1 IS NULL OR tenant_id = ?1";
static const char USAGE_RECOUNT[] =
	"INSERT INTO tenant_usage (tenant_id, kind, slot, n, bytes)"
	" SELECT x.tenant_id, x.kind, 0, count(*), sum(x.b)"
	" FROM (" USAGE_ROWS ") x"
	" WHERE EXISTS (SELECT 1 FROM tenants t WHERE t.id = x.tenant_id)"
	" GROUP BY x.tenant_id, x.kind";

/* By audit_tenant_time: the tenant's oldest, one bounded write. */
static const char AUDIT_TRIM[] =
	"DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events"
	" WHERE tenant_id = ?1 ORDER BY timestamp LIMIT ?2)";

static void
usage_fill(struct row *r, void *out)
{
	struct pgl_usage	*u = out;

	u->tenant = row_text(r);
	u->kind = row_text(r);
	u->count = row_int(r);
	u->bytes = row_int(r);
}

int
sql_usage(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    const char *kind, uint32_t limit, struct pgl_usage **out, size_t *n,
    struct pgl_err *err)
{
	struct pgl_page	 page = { limit, 0, NULL };
	void		*p = NULL;
	int		 rc;

	*out = NULL;
	*n = 0;
	if (tenant != NULL)
		rc = store_list(s, a, err, USAGE_OF_TENANT, usage_fill,
		    sizeof(**out), &p, n, "ss", tenant, kind);
	else
		rc = store_list(s, a, err, USAGE_TOP, usage_fill,
		    sizeof(**out), &p, n, "sp", kind, &page);
	if (rc == PGL_OK)
		*out = p;
	return (rc);
}

/* Both statements in one transaction (the caller's, else their own). */
int
sql_usage_recount(struct pgl_store *s, const char *tenant,
    struct pgl_err *err)
{
	int	owned, rc;

	if ((rc = store_tx_own(s, &owned, err)) != PGL_OK)
		return (rc);
	if ((rc = store_exec(s, err, USAGE_CLEAR, NULL, "s", tenant)) ==
	    PGL_OK)
		rc = store_exec(s, err, USAGE_RECOUNT, NULL, "s", tenant);
	return (store_tx_done(s, owned, rc, err));
}

/* The migration's step, inside the migration's own transaction. */
int
sql_usage_recount_all(struct pgl_store *s, struct pgl_err *err)
{
	int	rc;

	if ((rc = store_exec(s, err, USAGE_CLEAR, NULL, "s", NULL)) ==
	    PGL_OK)
		rc = store_exec(s, err, USAGE_RECOUNT, NULL, "s", NULL);
	return (rc);
}

int
sql_trim_audit(struct pgl_store *s, const char *tenant, uint32_t count,
    uint64_t *purged, struct pgl_err *err)
{
	uint64_t	n = 0;
	int		rc;

	if (purged != NULL)
		*purged = 0;
	if (tenant == NULL)
		return (store_err(err, PGL_EINVAL, "trim_audit needs a "
		    "tenant"));
	if (count == 0)
		return (PGL_OK);
	rc = store_exec(s, err, AUDIT_TRIM, &n, "si", tenant,
	    (int64_t)count);
	if (rc == PGL_OK && purged != NULL)
		*purged = n;
	return (rc);
}
