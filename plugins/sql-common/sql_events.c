/*
 * Change events, the outbox (store ABI 1.15, issue 43): one row per
 * change, written by append_event in the change's own transaction, so a
 * change and its event commit or roll back together.
 *
 * The order.  seq is one number per event, strictly increasing in commit
 * order within a tenant, which is what a reader paging "after seq" needs
 * to never miss an event committed later: the tenant stream and each
 * catalog's (a subsequence of it) are both read by seq.  Gaps are
 * allowed: a rolled back event's number is not reused.
 *  - SQLite serializes writers (BEGIN IMMEDIATE), so a one-row clock
 *    bumped in the write transaction is enough: it rolls back with it.
 *  - PostgreSQL runs host transactions at REPEATABLE READ (pg_store.c),
 *    where a counter row updated by two transactions fails the second
 *    with 40001 once the first commits: every two concurrent changes of
 *    a tenant would turn into a retry.  Instead append takes a
 *    transaction-scoped advisory lock keyed by the tenant, then the next
 *    value of a sequence: the lock is held until commit or rollback, so
 *    the next appender of the tenant waits (it does not fail) and draws
 *    a larger number after this one committed.  Hence "call it last":
 *    the lock is held from the append to the commit.  A transaction asks
 *    for it once (store_event_locked): its later events of the tenant
 *    hold it already, and so does one begun with begin_tenant, whose
 *    session took the same key before BEGIN and keeps it past COMMIT.
 *
 * The horizon.  Purge and trim delete events; a trigger records, per
 * (tenant, catalog), the highest seq deleted (event_horizon), so the host
 * can tell a reader whose position is below it that it missed events
 * (410 Gone), whatever the gaps.
 */
#include <string.h>

#include "sql_store.h"

static const char EVENT_LOCK[] = SQL_EVENT_LOCK;
#define EVENT_INSERT_INTO \
	"INSERT INTO events (tenant_id, catalog, seq, id, ts_ms, actor," \
	" operation_type, object_type, object_name, object_uuid, branch," \
	" request_id, body, bytes)"
#ifdef SQL_EVENT_SEQ_IN_INSERT
/* The number drawn by the insert itself: one round trip, not two. */
static const char EVENT_INSERT_NEXT[] = EVENT_INSERT_INTO
	" VALUES (?1, ?2, " SQL_EVENT_SEQ_IN_INSERT ", ?3, ?4, ?5, ?6, ?7, ?8,"
	" ?9, ?10, ?11, ?12, ?13) RETURNING seq";
#else
static const char EVENT_NEXT_SEQ[] = SQL_NEXT_EVENT_SEQ;
static const char EVENT_INSERT[] = EVENT_INSERT_INTO
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
#endif

#define EVENT_COLS \
	"SELECT id, tenant_id, catalog, seq, ts_ms, actor, operation_type," \
	" object_type, object_name, object_uuid, branch, request_id, body" \
	" FROM events"
/* Levels: equal, or a leading part and the separator. */
#define EVENT_MORE \
	" AND seq > ?3 AND ts_ms >= ?4" \
	" AND (?5 IS NULL OR operation_type IN (" SQL_JSON_ELEMENTS("?5") "))" \
	" AND (?7 IS NULL OR object_type IN (" SQL_JSON_ELEMENTS("?7") "))" \
	" AND (?8 IS NULL OR object_uuid IN (" SQL_JSON_ELEMENTS("?8") "))" \
	" AND (?9 IS NULL OR EXISTS (SELECT 1 FROM (" SQL_JSON_VALUES("?9") \
	") n WHERE object_name = n.v" \
	"  OR " SQL_STARTS_WITH("object_name", "n.v || " SQL_CHR "(31)") "))" \
	" ORDER BY seq LIMIT ?6"
/* A catalog's stream: a range of the primary key. */
static const char EVENTS_OF_CATALOG[] =
	EVENT_COLS " WHERE tenant_id = ?1 AND catalog = ?2" EVENT_MORE;
/* The tenant's: by events_tenant; ?2 names no column (SQL_UNUSED). */
static const char EVENTS_OF_TENANT[] =
	EVENT_COLS " WHERE tenant_id = ?1" SQL_UNUSED("?2") EVENT_MORE;

static const char HORIZON_OF_CATALOG[] =
	"SELECT coalesce(max(seq), 0) FROM event_horizon"
	" WHERE tenant_id = ?1 AND catalog = ?2";
static const char HORIZON_OF_TENANT[] =
	"SELECT coalesce(max(seq), 0) FROM event_horizon WHERE tenant_id = ?1";
/* Both ends of an index (events_tenant, event_horizon's key). */
static const char NEWEST_OF_TENANT[] =
	"SELECT coalesce(max(s), 0) FROM"
	" (SELECT max(seq) AS s FROM events WHERE tenant_id = ?1"
	" UNION ALL SELECT max(seq) FROM event_horizon WHERE tenant_id = ?1)"
	" AS newest";

/* Oldest first by events_time: one bounded write per call. */
static const char EVENTS_PURGE[] =
	"DELETE FROM events WHERE (tenant_id, catalog, seq) IN"
	" (SELECT tenant_id, catalog, seq FROM events"
	" WHERE ts_ms < ?1 ORDER BY ts_ms, seq LIMIT ?2)";
static const char EVENTS_TRIM[] =
	"DELETE FROM events WHERE (tenant_id, catalog, seq) IN"
	" (SELECT tenant_id, catalog, seq FROM events"
	" WHERE tenant_id = ?1 ORDER BY seq LIMIT ?2)";
/*
 * By events_tenant, which holds every column read: no body is read.  One
 * tenant's is a range of the index (the limit's check); every tenant's
 * reads the whole index (the periodic sweep), hence two texts.
 */
#define EVENTS_USAGE_COLS \
	"SELECT tenant_id, count(*), coalesce(sum(bytes), 0), min(ts_ms)" \
	" FROM events"
static const char EVENTS_USAGE_OF_TENANT[] =
	EVENTS_USAGE_COLS " WHERE tenant_id = ?1 GROUP BY tenant_id";
static const char EVENTS_USAGE_ALL[] =
	EVENTS_USAGE_COLS " GROUP BY tenant_id ORDER BY 2 DESC, tenant_id"
	" LIMIT ?1 OFFSET ?2";

static void
event_fill(struct row *r, void *out)
{
	struct pgl_event	*e = out;

	e->id = row_text(r);
	e->tenant_id = row_text(r);
	e->catalog = row_text(r);
	e->seq = (uint64_t)row_int(r);
	e->ts_ms = row_int(r);
	e->actor = row_text(r);
	e->operation_type = row_text(r);
	e->object_type = row_text(r);
	e->object_name = row_text(r);
	e->object_uuid = row_text(r);
	e->branch = row_text(r);
	e->request_id = row_text(r);
	e->body = row_text(r);
}

static int
event_valid(const struct pgl_event *e, struct pgl_err *err)
{
	if (e == NULL || e->id == NULL || *e->id == '\0' ||
	    e->tenant_id == NULL || *e->tenant_id == '\0' ||
	    e->catalog == NULL || e->operation_type == NULL ||
	    *e->operation_type == '\0' || e->object_type == NULL ||
	    e->body == NULL)
		return (store_err(err, PGL_EINVAL, "invalid event (id, tenant, "
		    "catalog, operation type, object type and body are "
		    "required)"));
	return (PGL_OK);
}

static int
append(struct pgl_store *s, const struct pgl_event *e, uint64_t *seq,
    struct pgl_err *err)
{
	int	rc;

	/* PostgreSQL's: the tenant's order, held until the commit. */
	if (sizeof(EVENT_LOCK) > 1 && !store_event_locked(s, e->tenant_id)) {
		if ((rc = store_exec(s, err, EVENT_LOCK, NULL, "s",
		    e->tenant_id)) != PGL_OK)
			return (rc);
		store_event_lock_taken(s, e->tenant_id);
	}
#ifdef SQL_EVENT_SEQ_IN_INSERT
	/* Sent ahead, its number is not known here (store ABI 1.24). */
	if (store_defers(s))
		return (store_write(s, err, EVENT_INSERT_NEXT, NULL, 1, "sssi"
		    "ssssssss" "i", e->tenant_id, e->catalog, e->id, e->ts_ms,
		    e->actor, e->operation_type, e->object_type,
		    e->object_name, e->object_uuid, e->branch, e->request_id,
		    e->body, (int64_t)strlen(e->body)));
	if ((rc = store_count(s, err, EVENT_INSERT_NEXT, seq, "sssi"
	    "ssssssss" "i", e->tenant_id, e->catalog, e->id, e->ts_ms,
	    e->actor, e->operation_type, e->object_type, e->object_name,
	    e->object_uuid, e->branch, e->request_id, e->body,
	    (int64_t)strlen(e->body))) != PGL_OK)
		return (rc);
	return (*seq == 0 ? store_err(err, PGL_EINTERNAL, "the event clock "
	    "is missing") : PGL_OK);
#else
	if ((rc = store_count(s, err, EVENT_NEXT_SEQ, seq, "")) != PGL_OK)
		return (rc);
	if (*seq == 0)
		return (store_err(err, PGL_EINTERNAL, "the event clock is "
		    "missing"));
	return (store_exec(s, err, EVENT_INSERT, NULL, "ssisi" "ssssssss" "i",
	    e->tenant_id, e->catalog, (int64_t)*seq, e->id, e->ts_ms,
	    e->actor, e->operation_type, e->object_type, e->object_name,
	    e->object_uuid, e->branch, e->request_id, e->body,
	    (int64_t)strlen(e->body)));
#endif
}

int
sql_append_event(struct pgl_store *s, const struct pgl_event *e,
    uint64_t *seq, struct pgl_err *err)
{
	uint64_t	v = 0;
	int		owned, rc;

	if (seq != NULL)
		*seq = 0;
	if ((rc = event_valid(e, err)) != PGL_OK)
		return (rc);
	if ((rc = store_tx_own(s, &owned, err)) != PGL_OK)
		return (rc);
	rc = append(s, e, &v, err);
	if (rc == PGL_EEXISTS)
		(void)store_err(err, rc, "event %s already recorded", e->id);
	rc = store_tx_done(s, owned, rc, err);
	if (rc == PGL_OK && seq != NULL)
		*seq = v;
	return (rc);
}

int
sql_list_events(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    const struct pgl_event_filter *f, struct pgl_event **out, size_t *n,
    struct pgl_err *err)
{
	void	*p = NULL;
	int	 rc;

	*out = NULL;
	*n = 0;
	if (tenant == NULL || f == NULL || f->limit == 0)
		return (store_err(err, PGL_EINVAL, "list_events needs a tenant "
		    "and a positive limit"));
	rc = store_list(s, a, err, f->catalog != NULL ? EVENTS_OF_CATALOG :
	    EVENTS_OF_TENANT, event_fill, sizeof(**out), &p, n, "ssiisisss",
	    tenant, f->catalog, (int64_t)f->after_seq, f->since_ms,
	    f->operation_types, (int64_t)f->limit, f->object_types,
	    f->object_uuids, f->object_names);
	if (rc == PGL_OK)
		*out = p;
	return (rc);
}

int
sql_event_horizon(struct pgl_store *s, const char *tenant,
    const char *catalog, uint64_t *seq, struct pgl_err *err)
{
	if (catalog != NULL)
		return (store_count(s, err, HORIZON_OF_CATALOG, seq, "ss",
		    tenant, catalog));
	return (store_count(s, err, HORIZON_OF_TENANT, seq, "s", tenant));
}

int
sql_event_newest(struct pgl_store *s, const char *tenant, uint64_t *seq,
    struct pgl_err *err)
{
	return (store_count(s, err, NEWEST_OF_TENANT, seq, "s", tenant));
}

int
sql_purge_events(struct pgl_store *s, int64_t before_ms, uint32_t limit,
    uint64_t *purged, struct pgl_err *err)
{
	uint64_t	n = 0;
	int		rc;

	if (purged != NULL)
		*purged = 0;
	if (limit == 0)
		return (store_err(err, PGL_EINVAL, "limit must be positive"));
	rc = store_exec(s, err, EVENTS_PURGE, &n, "ii", before_ms,
	    (int64_t)limit);
	if (rc == PGL_OK && purged != NULL)
		*purged = n;
	return (rc);
}

int
sql_trim_events(struct pgl_store *s, const char *tenant, uint32_t count,
    uint64_t *purged, struct pgl_err *err)
{
	uint64_t	n = 0;
	int		rc;

	if (purged != NULL)
		*purged = 0;
	if (tenant == NULL)
		return (store_err(err, PGL_EINVAL, "trim_events needs a "
		    "tenant"));
	if (count == 0)
		return (PGL_OK);
	rc = store_exec(s, err, EVENTS_TRIM, &n, "si", tenant,
	    (int64_t)count);
	if (rc == PGL_OK && purged != NULL)
		*purged = n;
	return (rc);
}

static void
usage_fill(struct row *r, void *out)
{
	struct pgl_event_usage	*u = out;

	u->tenant = row_text(r);
	u->events = (uint64_t)row_int(r);
	u->bytes = (uint64_t)row_int(r);
	u->oldest_ms = row_int(r);
}

int
sql_event_usage(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    uint32_t limit, struct pgl_event_usage **out, size_t *n,
    struct pgl_err *err)
{
	struct pgl_page	 page = { limit, 0, NULL };
	void		*p = NULL;
	int		 rc;

	*out = NULL;
	*n = 0;
	if (tenant != NULL)
		rc = store_list(s, a, err, EVENTS_USAGE_OF_TENANT, usage_fill,
		    sizeof(**out), &p, n, "s", tenant);
	else
		rc = store_list(s, a, err, EVENTS_USAGE_ALL, usage_fill,
		    sizeof(**out), &p, n, "p", &page);
	if (rc == PGL_OK)
		*out = p;
	return (rc);
}
