/*
 * Which asset rows a write transaction changed, for the asset cache
 * (sqlite_asset_cache.c): only the pointers of a few tables, or anything.
 *
 * A table commit swaps its pointer and writes the catalog commit, the
 * branch head, its event and its audit record; none of those but the
 * swap touches a row get_asset reads, and the swap touches only rows of
 * its own name (its branch's, or a copy-up of its parent's).  Those five
 * methods run "quiet" here: their statements do not make the transaction
 * wide, the rows they change are counted, and the swap marks its table.
 * Any other statement that may write (sqlite3_stmt_readonly) makes the
 * transaction wide.  A row changed that the quiet methods did not count
 * (sqlite3_total_changes64 grew by more than theirs: a foreign key's
 * action, a trigger) makes it wide too, and so does a quiet method that
 * opened and committed its own transaction (its changes are counted only
 * inside the caller's).  So a mistake here costs hits, never a stale row.
 *
 * The marks start afresh with every transaction: with BEGIN, or with a
 * statement run outside one (its own).  A rolled-back transaction's
 * marks are dropped by the next one's start.
 */
#include "sqlite_store.h"

static void
marks_reset(struct pgl_store *s)
{
	struct asset_marks	*m = &s->marks;

	m->wide = 0;
	m->n = 0;
	m->quiet_changes = 0;
	m->total_at_start = sqlite3_total_changes64(s->db);
}

/* Before every statement store_runv runs. */
void
sqlite_marks_statement(struct pgl_store *s, sqlite3_stmt *st)
{
	if (s->assets == NULL)
		return;
	if (sqlite3_get_autocommit(s->db))
		marks_reset(s);
	if (s->marks.quiet == 0 && !sqlite3_stmt_readonly(st))
		s->marks.wide = 1;
}

/* From the WAL hook, once the transaction is committed and visible. */
void
sqlite_marks_settle(struct pgl_store *s)
{
	struct asset_marks	*m = &s->marks;
	int64_t			 changed;
	size_t			 i;

	changed = sqlite3_total_changes64(s->db) - m->total_at_start;
	if (m->wide || m->n > ASSET_MARKS_MAX || changed != m->quiet_changes)
		__atomic_add_fetch(sqlite_assets_count(s), 1,
		    __ATOMIC_SEQ_CST);
	else {
		for (i = 0; i < m->n; i++)
			__atomic_add_fetch(sqlite_table_count(s, m->slot[i]), 1,
			    __ATOMIC_SEQ_CST);
	}
	marks_reset(s);
}

static int64_t
quiet_enter(struct pgl_store *s)
{
	s->marks.quiet++;
	return (sqlite3_total_changes64(s->db));
}

/* Counted only inside the caller's transaction, still open. */
static void
quiet_leave(struct pgl_store *s, int64_t before)
{
	s->marks.quiet--;
	if (!sqlite3_get_autocommit(s->db))
		s->marks.quiet_changes += sqlite3_total_changes64(s->db) -
		    before;
}

static void
mark_table(struct pgl_store *s, uint32_t slot)
{
	struct asset_marks	*m = &s->marks;
	size_t			 i;

	if (sqlite3_get_autocommit(s->db))
		return;
	for (i = 0; i < m->n && i < ASSET_MARKS_MAX; i++) {
		if (m->slot[i] == slot)
			return;
	}
	if (m->n < ASSET_MARKS_MAX)
		m->slot[m->n] = slot;
	m->n++;			/* past the end: settles wide */
}

int
sqlite_update_metadata_location(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *branch, const char *ns,
    const char *name, const char *expected, const char *next,
    struct pgl_err *err)
{
	int64_t	before = quiet_enter(s);
	int	rc;

	rc = sql_update_metadata_location(s, tenant, catalog, branch, ns,
	    name, expected, next, err);
	mark_table(s, sqlite_table_slot(tenant, catalog, ns, name));
	quiet_leave(s, before);
	return (rc);
}

int
sqlite_update_branch_head(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *branch, const char *expected,
    const char *head, struct pgl_err *err)
{
	int64_t	before = quiet_enter(s);
	int	rc;

	rc = sql_update_branch_head(s, tenant, catalog, branch, expected,
	    head, err);
	quiet_leave(s, before);
	return (rc);
}

int
sqlite_create_commit(struct pgl_store *s, const char *tenant,
    const struct pgl_commit *c, struct pgl_err *err)
{
	int64_t	before = quiet_enter(s);
	int	rc;

	rc = sql_create_commit(s, tenant, c, err);
	quiet_leave(s, before);
	return (rc);
}

int
sqlite_append_event(struct pgl_store *s, const struct pgl_event *e,
    uint64_t *seq, struct pgl_err *err)
{
	int64_t	before = quiet_enter(s);
	int	rc;

	rc = sql_append_event(s, e, seq, err);
	quiet_leave(s, before);
	return (rc);
}

int
sqlite_log_audit_event(struct pgl_store *s, const struct pgl_audit_event *e,
    struct pgl_err *err)
{
	int64_t	before = quiet_enter(s);
	int	rc;

	rc = sql_log_audit_event(s, e, err);
	quiet_leave(s, before);
	return (rc);
}
