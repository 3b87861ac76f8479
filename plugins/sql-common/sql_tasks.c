/*
 * Background tasks (store.h, ABI 1.5): a queue with leases.  A claim is
 * one UPDATE of one claimable row, so two runners never take the same
 * task: SQLite runs it under its single write lock, PostgreSQL picks the
 * row with FOR UPDATE SKIP LOCKED, so concurrent claims take different
 * rows instead of waiting on each other.
 *
 * Tenants take turns (issue 23): a lease that expired is taken back
 * first (its task was already started), else the oldest queued task of
 * the tenant whose last claim is the oldest (tenants never claimed
 * first, in the order they queued their first task).  The turn lives in
 * task_tenants; triggers (migration "fair task claims") enter a tenant
 * at its first task and move it to the back at each claim, inside the
 * claim's own statement.  Every step reads an index: running rows are
 * few, tenants are walked in turn order to the first one with a queued
 * task, and that tenant's oldest is the head of (tenant, status, time).
 */
#include "sql_store.h"

#define TASK_FIELDS \
	"id, tenant_id, kind, status, catalog, branch, ns, tbl, params," \
	" progress_done, progress_total, phase, message, result, error," \
	" attempts, max_attempts, created_by, lease_owner, lease_expires_at," \
	" heartbeat_at, cancel_requested, created_at, started_at," \
	" finished_at, updated_at"

#if defined(SQL_DIALECT_POSTGRES)
#define SKIP_LOCKED	" FOR UPDATE SKIP LOCKED"
#else
#define SKIP_LOCKED	""
#endif

static const char TASK_INSERT[] =
	"INSERT INTO tasks (" TASK_FIELDS ") VALUES (?1, ?2, ?3, 'queued',"
	" ?4, ?5, ?6, ?7, ?8, 0, 0, NULL, NULL, NULL, NULL, 0, ?9, ?10, NULL,"
	" 0, 0, 0, ?11, 0, 0, ?11)";
static const char TASK_GET[] =
	"SELECT " TASK_FIELDS " FROM tasks WHERE tenant_id = ?1 AND id = ?2";
#define TASK_WHERE \
	" WHERE tenant_id = ?1 AND (?2 IS NULL OR status = ?2)" \
	" AND (?3 IS NULL OR kind = ?3) AND (?4 IS NULL OR catalog = ?4)" \
	" AND (?5 IS NULL OR tbl = ?5) AND (?6 IS NULL OR created_by = ?6)"
static const char TASK_LIST[] =
	"SELECT " TASK_FIELDS " FROM tasks" TASK_WHERE
	" AND (created_at, id) < (?9, ?10)"
	" ORDER BY created_at DESC, id DESC LIMIT ?7 OFFSET ?8";
static const char TASK_COUNT[] =
	"SELECT count(*) FROM tasks" TASK_WHERE;
#define CLAIMABLE \
	"(status = 'queued' OR (status = 'running' AND lease_expires_at <= ?2))"
#define EXPIRED_LEASE \
	"(SELECT id FROM tasks WHERE status = 'running'" \
	" AND lease_expires_at <= ?2 ORDER BY created_at, id LIMIT 1" \
	SKIP_LOCKED ")"
#define NEXT_TENANT \
	"(SELECT tt.tenant_id FROM task_tenants tt WHERE EXISTS" \
	" (SELECT 1 FROM tasks q WHERE q.tenant_id = tt.tenant_id" \
	" AND q.status = 'queued')" \
	" ORDER BY tt.claim_seq, tt.entered_at, tt.tenant_id LIMIT 1)"
#define NEXT_QUEUED \
	"(SELECT id FROM tasks WHERE tenant_id = " NEXT_TENANT \
	" AND status = 'queued' ORDER BY created_at, id LIMIT 1" \
	SKIP_LOCKED ")"
/* When the tenant in turn has nothing left to take (a concurrent claim
 * holds its last queued row), the oldest queued row of any tenant. */
#define OLDEST_QUEUED \
	"(SELECT id FROM tasks WHERE status = 'queued'" \
	" ORDER BY created_at, id LIMIT 1" SKIP_LOCKED ")"
static const char TASK_CLAIM[] =
	"UPDATE tasks SET status = 'running', lease_owner = ?1,"
	" lease_expires_at = ?2 + ?3, heartbeat_at = ?2,"
	" attempts = attempts + 1,"
	" started_at = CASE WHEN started_at = 0 THEN ?2 ELSE started_at END,"
	" updated_at = ?2"
	" WHERE id = coalesce(" EXPIRED_LEASE ", " NEXT_QUEUED ","
	" " OLDEST_QUEUED ")"
	" AND " CLAIMABLE
	" RETURNING " TASK_FIELDS;
/* ?2 "queued" hands the task back: no owner, no lease. */
static const char TASK_UPDATE[] =
	"UPDATE tasks SET status = ?2, progress_done = ?3,"
	" progress_total = ?4, phase = ?5, message = ?6, result = ?7,"
	" error = ?8,"
	" lease_owner = CASE WHEN ?2 = 'queued' THEN NULL ELSE lease_owner END,"
	" lease_expires_at = CASE WHEN ?2 = 'queued' THEN 0 ELSE ?10 END,"
	" heartbeat_at = ?11,"
	" finished_at = CASE WHEN ?2 IN ('succeeded', 'failed', 'cancelled')"
	"  THEN ?11 ELSE finished_at END,"
	" updated_at = ?11"
	" WHERE id = ?1 AND lease_owner = ?9 AND status = 'running'";
static const char TASK_CANCEL[] =
	"UPDATE tasks SET cancel_requested = 1,"
	" status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,"
	" finished_at = CASE WHEN status = 'queued' THEN ?3 ELSE finished_at"
	" END, updated_at = ?3"
	" WHERE tenant_id = ?1 AND id = ?2 AND status IN ('queued', 'running')";
static const char TASK_EXISTS[] =
	"SELECT count(*) FROM tasks WHERE tenant_id = ?1 AND id = ?2";

static void
task_fill(struct row *r, void *out)
{
	struct pgl_task	*t = out;

	t->id = row_text(r);
	t->tenant_id = row_text(r);
	t->kind = row_text(r);
	t->status = row_text(r);
	t->catalog = row_text(r);
	t->branch = row_text(r);
	t->ns = row_text(r);
	t->table = row_text(r);
	t->params = row_text(r);
	t->progress_done = (uint64_t)row_int(r);
	t->progress_total = (uint64_t)row_int(r);
	t->phase = row_text(r);
	t->message = row_text(r);
	t->result = row_text(r);
	t->error = row_text(r);
	t->attempts = (int)row_int(r);
	t->max_attempts = (int)row_int(r);
	t->created_by = row_text(r);
	t->lease_owner = row_text(r);
	t->lease_expires_ms = row_int(r);
	t->heartbeat_ms = row_int(r);
	t->cancel_requested = row_int(r) != 0;
	t->created_at_ms = row_int(r);
	t->started_at_ms = row_int(r);
	t->finished_at_ms = row_int(r);
	t->updated_at_ms = row_int(r);
}

int
sql_create_task(struct pgl_store *s, const struct pgl_task *t,
    struct pgl_err *err)
{
	if (t->id == NULL || t->tenant_id == NULL || t->kind == NULL ||
	    t->params == NULL || t->max_attempts < 1)
		return (store_err(err, PGL_EINVAL, "invalid task (id, tenant, "
		    "kind, params and max_attempts are required)"));
	return (store_exec(s, err, TASK_INSERT, NULL, "ssssssssdsi", t->id,
	    t->tenant_id, t->kind, t->catalog, t->branch, t->ns, t->table,
	    t->params, t->max_attempts, t->created_by,
	    t->created_at_ms != 0 ? t->created_at_ms : store_now_ms()));
}

int
sql_get_task(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    const char *id, struct pgl_task *out, struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, TASK_GET, task_fill, out, "ss", tenant, id);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "task not found");
	return (rc);
}

int
sql_list_tasks(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    const struct pgl_task_filter *f, const struct pgl_page *page,
    struct pgl_task **items, size_t *n, uint64_t *total, struct pgl_err *err)
{
	void	*p;
	int	 rc;

	rc = store_list(s, a, err, TASK_LIST, task_fill, sizeof(**items), &p,
	    n, "sssssspis", tenant, f->status, f->kind, f->catalog, f->table,
	    f->created_by, page, sql_after_n(page, INT64_MAX),
	    sql_after_s(page));
	*items = p;
	if (rc == PGL_OK && total != NULL)
		rc = store_count(s, err, TASK_COUNT, total, "ssssss", tenant,
		    f->status, f->kind, f->catalog, f->table, f->created_by);
	return (rc);
}

int
sql_claim_task(struct pgl_store *s, struct pgl_arena *a,
    const char *lease_owner, int64_t now_ms, int64_t lease_ms,
    struct pgl_task *out, struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, TASK_CLAIM, task_fill, out, "sii",
	    lease_owner, now_ms, lease_ms);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "no task to claim");
	return (rc);
}

int
sql_update_task(struct pgl_store *s, const struct pgl_task *t,
    struct pgl_err *err)
{
	uint64_t	changed;
	int		rc;

	rc = store_exec(s, err, TASK_UPDATE, &changed, "ssiisssssii", t->id,
	    t->status, (int64_t)t->progress_done, (int64_t)t->progress_total,
	    t->phase, t->message, t->result, t->error, t->lease_owner,
	    t->lease_expires_ms, store_now_ms());
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ECONFLICT, "task %s is no longer held "
		    "by %s", t->id, t->lease_owner != NULL ? t->lease_owner :
		    "(none)");
	return (rc);
}

int
sql_cancel_task(struct pgl_store *s, const char *tenant, const char *id,
    struct pgl_err *err)
{
	uint64_t	changed, n;
	int		rc;

	rc = store_exec(s, err, TASK_CANCEL, &changed, "ssi", tenant, id,
	    store_now_ms());
	if (rc != PGL_OK || changed != 0)
		return (rc);
	if ((rc = store_count(s, err, TASK_EXISTS, &n, "ss", tenant, id)) !=
	    PGL_OK)
		return (rc);
	return (n == 0 ? store_err(err, PGL_ENOTFOUND, "task not found") :
	    store_err(err, PGL_ECONFLICT, "task %s has already ended", id));
}
