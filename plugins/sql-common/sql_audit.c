/*
 * The audit log: append-only, newest first, every filter optional.  A
 * NULL tenant lists (and gets) across tenants: root's view.  Events stay
 * after their tenant is deleted; the log is the record of that too.
 */
#include "sql_store.h"

#define AUDIT_FIELDS \
	"id, tenant_id, timestamp, user_id, action, resource_type," \
	" resource_id, result, doc"

static const char AUDIT_INSERT[] =
	"INSERT INTO audit_events (" AUDIT_FIELDS ")"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, coalesce(?9, '{}'))";
#define AUDIT_FILTER \
	" (?2 IS NULL OR user_id = ?2) AND (?3 IS NULL OR action = ?3)" \
	" AND (?4 IS NULL OR resource_type = ?4)" \
	" AND (?5 IS NULL OR resource_id = ?5) AND (?6 IS NULL OR result = ?6)" \
	" AND (?7 = 0 OR timestamp >= ?7) AND (?8 = 0 OR timestamp <= ?8)"
#define AUDIT_WHERE \
	" WHERE (?1 IS NULL OR tenant_id = ?1) AND" AUDIT_FILTER
/*
 * A page is a range of an index from the key on (?11, ?12; ABI 1.28):
 * audit_tenant_key for one tenant, audit_key for root's view of every
 * tenant (SQLite migration 23, PostgreSQL 21), rather than "tenant_id = ?1
 * unless NULL", which no index serves.
 */
#define AUDIT_PAGE \
	" AND (timestamp, id) < (?11, ?12)" \
	" ORDER BY timestamp DESC, id DESC LIMIT ?9 OFFSET ?10"
static const char AUDIT_LIST_TENANT[] =
	"SELECT " AUDIT_FIELDS " FROM audit_events WHERE tenant_id = ?1 AND"
	AUDIT_FILTER AUDIT_PAGE;
static const char AUDIT_LIST_ALL[] =
	"SELECT " AUDIT_FIELDS " FROM audit_events WHERE" AUDIT_FILTER
	SQL_UNUSED("?1") AUDIT_PAGE;
static const char AUDIT_COUNT[] =
	"SELECT count(*) FROM audit_events" AUDIT_WHERE;
static const char AUDIT_GET[] =
	"SELECT " AUDIT_FIELDS " FROM audit_events"
	" WHERE id = ?2 AND (?1 IS NULL OR tenant_id = ?1)";

/* The oldest first, by the timestamp index; a bounded batch. */
static const char AUDIT_EXPIRE[] =
	"DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events"
	" WHERE timestamp < ?1 ORDER BY timestamp LIMIT ?2)";

static void
audit_fill(struct row *r, void *out)
{
	struct pgl_audit_event	*e = out;

	e->id = row_text(r);
	e->tenant_id = row_text(r);
	e->timestamp_ms = row_int(r);
	e->user_id = row_text(r);
	e->action = row_text(r);
	e->resource_type = row_text(r);
	e->resource_id = row_text(r);
	e->result = row_text(r);
	e->doc = row_text(r);
}

int
sql_log_audit_event(struct pgl_store *s, const struct pgl_audit_event *e,
    struct pgl_err *err)
{
	return (store_write(s, err, AUDIT_INSERT, NULL, -1, "ssissssss", e->id,
	    e->tenant_id, e->timestamp_ms, e->user_id, e->action,
	    e->resource_type, e->resource_id, e->result, e->doc));
}

int
sql_list_audit_events(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const struct pgl_audit_filter *f,
    const struct pgl_page *page, struct pgl_audit_event **items, size_t *n,
    uint64_t *total, struct pgl_err *err)
{
	void	*p;
	int	rc;

	rc = store_list(s, a, err, tenant != NULL ? AUDIT_LIST_TENANT :
	    AUDIT_LIST_ALL, audit_fill, sizeof(**items), &p, n, "ssssssiipis",
	    tenant, f->user_id, f->action, f->resource_type, f->resource_id,
	    f->result, f->start_ms, f->end_ms, page,
	    sql_after_n(page, INT64_MAX), sql_after_s(page));
	*items = p;
	if (rc == PGL_OK && total != NULL)
		rc = store_count(s, err, AUDIT_COUNT, total, "ssssssii", tenant,
		    f->user_id, f->action, f->resource_type, f->resource_id,
		    f->result, f->start_ms, f->end_ms);
	return (rc);
}

int
sql_get_audit_event(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *id, struct pgl_audit_event *out,
    struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, AUDIT_GET, audit_fill, out, "ss", tenant,
	    id);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "audit event %s not found", id);
	return (rc);
}

int
sql_delete_audit_events_before(struct pgl_store *s, struct pgl_arena *a,
    int64_t before_ms, uint32_t limit, uint64_t *deleted, struct pgl_err *err)
{
	*deleted = 0;
	if (limit == 0)
		return (store_err(err, PGL_EINVAL, "limit must be positive"));
	return (store_exec(s, err, AUDIT_EXPIRE, deleted, "ii", before_ms,
	    (int64_t)limit));
}
