/*
 * Scan plan parts (store ABI 1.11, issue 28): the ScanTasks JSON of one
 * plan task, kept until it expires so a client can page through a large
 * plan.  Keyed by (tenant, plan, seq); a part is expired when
 * expires_at < now, and an expired part is treated as absent everywhere:
 * get does not see it, and put may replace it before the purge has run.
 */
#include <string.h>

#include "sql_store.h"

static const char PART_PUT[] =
	"INSERT INTO plan_parts (tenant_id, plan_id, seq, table_name, body,"
	" expires_at, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?8)"
	" ON CONFLICT (tenant_id, plan_id, seq) DO UPDATE SET"
	" table_name = excluded.table_name, body = excluded.body,"
	" expires_at = excluded.expires_at, bytes = excluded.bytes"
	" WHERE plan_parts.expires_at < ?7";
/*
 * By the usage index (tenant_id, expires_at, bytes; migration "plan
 * part sizes"), which holds every column read here: no body is read.
 */
static const char PARTS_USAGE[] =
	"SELECT tenant_id, count(DISTINCT plan_id), count(*),"
	" coalesce(sum(bytes), 0) FROM plan_parts"
	" WHERE (?1 IS NULL OR tenant_id = ?1) AND expires_at >= ?2"
	" GROUP BY tenant_id ORDER BY 4 DESC, tenant_id LIMIT ?3 OFFSET ?4";
static const char PARTS_TOUCH[] =
	"UPDATE plan_parts SET expires_at = ?4"
	" WHERE tenant_id = ?1 AND plan_id = ?2 AND expires_at >= ?3";
static const char PART_GET[] =
	"SELECT plan_id, seq, table_name, body, expires_at FROM plan_parts"
	" WHERE tenant_id = ?1 AND plan_id = ?2 AND seq = ?3"
	" AND expires_at >= ?4";
static const char PARTS_DELETE[] =
	"DELETE FROM plan_parts WHERE tenant_id = ?1 AND plan_id = ?2";
/* Oldest first by the expiry index: one bounded write per call. */
static const char PARTS_PURGE[] =
	"DELETE FROM plan_parts WHERE (tenant_id, plan_id, seq) IN"
	" (SELECT tenant_id, plan_id, seq FROM plan_parts"
	" WHERE expires_at < ?1 ORDER BY expires_at LIMIT ?2)";

static void
part_fill(struct row *r, void *out)
{
	struct pgl_plan_part	*p = out;

	p->plan_id = row_text(r);
	p->seq = (uint32_t)row_int(r);
	p->table = row_text(r);
	p->body = row_text(r);
	p->expires_at_ms = row_int(r);
}

int
sql_put_plan_part(struct pgl_store *s, const char *tenant,
    const struct pgl_plan_part *p, struct pgl_err *err)
{
	uint64_t	changed = 0;
	int		rc;

	if (tenant == NULL || p->plan_id == NULL || p->table == NULL ||
	    p->body == NULL)
		return (store_err(err, PGL_EINVAL, "invalid plan part "
		    "(tenant, plan id, table and body are required)"));
	rc = store_exec(s, err, PART_PUT, &changed, "ssissiii", tenant,
	    p->plan_id, (int64_t)p->seq, p->table, p->body, p->expires_at_ms,
	    store_now_ms(), (int64_t)strlen(p->body));
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ECONFLICT, "plan %s part %u already "
		    "stored", p->plan_id, p->seq);
	return (rc);
}

int
sql_get_plan_part(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *plan_id, uint32_t seq, int64_t now_ms,
    struct pgl_plan_part *out, struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, PART_GET, part_fill, out, "ssii", tenant,
	    plan_id, (int64_t)seq, now_ms);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "plan %s part %u not found",
		    plan_id != NULL ? plan_id : "", seq);
	return (rc);
}

int
sql_delete_plan_parts(struct pgl_store *s, const char *tenant,
    const char *plan_id, struct pgl_err *err)
{
	return (store_exec(s, err, PARTS_DELETE, NULL, "ss", tenant,
	    plan_id));
}

int
sql_purge_plan_parts(struct pgl_store *s, int64_t now_ms, uint32_t limit,
    uint64_t *purged, struct pgl_err *err)
{
	uint64_t	n = 0;
	int		rc;

	if (purged != NULL)
		*purged = 0;
	if (limit == 0)
		return (store_err(err, PGL_EINVAL, "limit must be positive"));
	rc = store_exec(s, err, PARTS_PURGE, &n, "ii", now_ms,
	    (int64_t)limit);
	if (purged != NULL && rc == PGL_OK)
		*purged = n;
	/* Their space back to the disk (issue 67): a plan's parts are the
	 * largest rows a tenant makes, and the quickest to go. */
	if (rc == PGL_OK && n > 0)
		store_reclaim(s);
	return (rc);
}

static void
usage_fill(struct row *r, void *out)
{
	struct pgl_plan_usage	*u = out;

	u->tenant = row_text(r);
	u->plans = (uint64_t)row_int(r);
	u->parts = (uint64_t)row_int(r);
	u->bytes = (uint64_t)row_int(r);
}

int
sql_plan_usage(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    int64_t now_ms, uint32_t limit, struct pgl_plan_usage **out, size_t *n,
    struct pgl_err *err)
{
	struct pgl_page	 page = { limit, 0, NULL };
	void		*p = NULL;
	int		 rc;

	*out = NULL;
	*n = 0;
	if (tenant != NULL)
		page.limit = 1;
	rc = store_list(s, a, err, PARTS_USAGE, usage_fill, sizeof(**out), &p,
	    n, "sip", tenant, now_ms, &page);
	if (rc != PGL_OK)
		return (rc);
	*out = p;
	return (PGL_OK);
}

int
sql_touch_plan_parts(struct pgl_store *s, const char *tenant,
    const char *plan_id, int64_t now_ms, int64_t expires_at_ms,
    struct pgl_err *err)
{
	return (store_exec(s, err, PARTS_TOUCH, NULL, "ssii", tenant, plan_id,
	    now_ms, expires_at_ms));
}
