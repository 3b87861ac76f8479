/*
 * The writes to assets on copy-on-write branches (store ABI 1.12).
 *
 * A branch B changes an asset K in one transaction (its own, when the
 * caller has none), in this order:
 *  1. read B's branch row (is B forked?), and when the transaction is
 *     the write's own, lock it: a fork from B (which updates that row)
 *     then waits, or, on PostgreSQL (REPEATABLE READ), makes this writer
 *     fail with a serialization error if it forked after this writer's
 *     snapshot.  In the host's transaction the head's compare-and-swap
 *     that records every change (ice_log_commit) is that same conflict,
 *     so the row is not locked twice (two writers of one branch would
 *     then wait for each other's lock to move the head: a deadlock);
 *  2. protect K: every branch below B that reads B's own row of K (a
 *     child that saw it at its fork and has none of its own, or one
 *     further down that reads past a newer row of its parent) gets a
 *     copy of it before B changes it;
 *  3. the change itself: in place on B's own row, or, for a row B only
 *     inherits, a new row of B's ("copy-up") born now, so that B's own
 *     children forked earlier do not see it; a delete on a forked branch
 *     leaves a tombstone that hides the inherited row.
 * See sql_lineage.h for how reads resolve a branch's view.
 */
#include <stdio.h>
#include <string.h>

#include "sql_lineage.h"

#define ASSET_KEY \
	" WHERE tenant_id = ?1 AND catalog_name = ?2 AND branch_name = ?3" \
	" AND namespace = ?4 AND name = ?5"

/*
 * 0: no branch; 1: a root; 2: a forked branch; + 4 when a branch was
 * forked from it (step 2 has nothing to do on one without: most writes).
 * BRANCH_LOCK locks it.
 */
#define BRANCH_KIND_OF \
	"SELECT CASE WHEN parent_name IS NULL THEN 1 ELSE 2 END + CASE WHEN" \
	" EXISTS (SELECT 1 FROM branches c WHERE c.tenant_id = ?1 AND" \
	" c.catalog_name = ?2 AND c.parent_name = ?3) THEN 4 ELSE 0 END" \
	" FROM branches" \
	" WHERE tenant_id = ?1 AND catalog_name = ?2 AND name = ?3"
static const char BRANCH_KIND[] = BRANCH_KIND_OF;
static const char BRANCH_LOCK[] = BRANCH_KIND_OF SQL_LOCK_ROW;

/*
 * What the branch sees of ?4.?5: 0 nothing at all; else 1 + 4 * level of
 * the row + 2 * tombstone + 1 when its metadata location is ?6.
 */
static const char ASSET_STATE[] =
	LINEAGE "SELECT 1 + 4 * l.depth + 2 * a.gone + CASE WHEN"
	" a.metadata_location " SQL_IS_NOT_DISTINCT " ?6 THEN 1 ELSE 0 END"
	" FROM lineage l " SQL_JOIN_IN_ORDER " assets a ON "
	IN_LINEAGE("a", "l") " AND a.namespace = ?4 AND a.name = ?5"
	" ORDER BY l.depth LIMIT 1";

/*
 * Step 2: B's own row r of ?4.?5, copied to every branch below B that
 * reads it.  A child reads r when r was born before the child's fork and
 * the child has no row of its own; a child's own row born after its own
 * child's fork is invisible to that grandchild, which reads past it to
 * r; and so on down.  The walk descends only through such invisible rows
 * (the first branch without a row is where the copy goes: its subtree
 * then reads the copy), at most PGL_BRANCH_MAX_DEPTH levels.
 */
static const char ASSET_PROTECT[] =
	"WITH RECURSIVE below(name, depth) AS ("
	" SELECT c.name, 1 FROM branches c JOIN assets r ON r.tenant_id = ?1"
	"  AND r.catalog_name = ?2 AND r.branch_name = ?3"
	"  AND r.namespace = ?4 AND r.name = ?5 AND r.seq < c.fork_seq"
	"  WHERE c.tenant_id = ?1 AND c.catalog_name = ?2"
	"  AND c.parent_name = ?3"
	" UNION ALL"
	" SELECT y.name, d.depth + 1 FROM below d JOIN assets x"
	"  ON x.tenant_id = ?1 AND x.catalog_name = ?2"
	"  AND x.branch_name = d.name AND x.namespace = ?4 AND x.name = ?5"
	"  JOIN branches y ON y.tenant_id = ?1 AND y.catalog_name = ?2"
	"  AND y.parent_name = d.name AND x.seq >= y.fork_seq"
	"  WHERE d.depth < " SQL_STR(PGL_BRANCH_MAX_DEPTH) ") "
	"INSERT INTO assets (" ASSET_INSERT_COLS ")"
	" SELECT a.tenant_id, a.catalog_name, d.name, a.namespace, a.name, "
	SQL_UUID ", a.kind, a.location, a.metadata_location, a.properties,"
	" a.created_at, a.updated_at, a.seq, a.gone" ASSET_COPY_OWNER("a")
	" FROM below d JOIN assets a ON a.tenant_id = ?1"
	" AND a.catalog_name = ?2 AND a.branch_name = ?3"
	" AND a.namespace = ?4 AND a.name = ?5"
	" WHERE NOT EXISTS (SELECT 1 FROM assets z WHERE z.tenant_id = ?1"
	"  AND z.catalog_name = ?2 AND z.branch_name = d.name"
	"  AND z.namespace = ?4 AND z.name = ?5)"
	" ON CONFLICT DO NOTHING";

static const char ASSET_INSERT[] =
	"INSERT INTO assets (" ASSET_INSERT_COLS ")"
	" VALUES (?1, ?2, ?3, ?4, ?5, coalesce(?6, " SQL_UUID "), ?7, ?8, ?9,"
	" coalesce(?10, '{}'), ?11, ?12, ?13, 0, ?14, coalesce(?15, ?6))";
static const char TOMBSTONE_INSERT[] =
	"INSERT INTO assets (" ASSET_INSERT_COLS ")"
	" VALUES (?1, ?2, ?3, ?4, ?5, " SQL_UUID ", '', NULL, NULL, '{}', ?6,"
	" ?6, ?7, 1, NULL, NULL) ON CONFLICT DO NOTHING";
static const char TOMBSTONE_DELETE[] =
	"DELETE FROM assets" ASSET_KEY " AND gone = 1";
static const char ASSET_DELETE[] = "DELETE FROM assets" ASSET_KEY;

/* In place, on B's own live row. */
static const char ASSET_UPDATE[] =
	"UPDATE assets SET kind = coalesce(?6, kind), location = ?7,"
	" metadata_location = ?8, properties = coalesce(?9, '{}'),"
	" updated_at = ?10, location_key = ?11" ASSET_KEY " AND gone = 0";
/*
 * A NULL expected pointer matches only a NULL pointer.  In PostgreSQL a
 * concurrent writer holding the row makes this wait, and the condition is
 * then checked again against the row it committed.
 */
static const char ASSET_SWAP_LOCATION[] =
	"UPDATE assets SET metadata_location = ?7, updated_at = ?8"
	ASSET_KEY " AND gone = 0 AND metadata_location " SQL_IS_NOT_DISTINCT
	" ?6";
/* The same, on a branch nothing was forked from (no copy to protect). */
static const char ASSET_SWAP_UNFORKED[] =
	"UPDATE assets SET metadata_location = ?7, updated_at = ?8"
	ASSET_KEY " AND gone = 0 AND metadata_location " SQL_IS_NOT_DISTINCT
	" ?6 AND NOT EXISTS (SELECT 1 FROM branches c WHERE c.tenant_id = ?1"
	" AND c.catalog_name = ?2 AND c.parent_name = ?3)";
static const char BRANCH_FORKS[] =
	"SELECT count(*) FROM branches c WHERE c.tenant_id = ?1"
	" AND c.catalog_name = ?2 AND c.parent_name = ?3";
static const char ASSET_MOVE[] =
	"UPDATE assets SET namespace = ?6, name = ?7, updated_at = ?8,"
	" seq = ?9" ASSET_KEY " AND gone = 0";

/* Copy-up: the inherited row of ?4.?5 as B's own, changed, born at seq. */
#define COPY_UP(cols) \
	LINEAGE "INSERT INTO assets (" ASSET_INSERT_COLS ") SELECT" \
	" a.tenant_id, a.catalog_name, ?3, " cols \
	" FROM lineage l " SQL_JOIN_IN_ORDER " assets a ON " \
	IN_LINEAGE("a", "l") " AND a.namespace = ?4 AND a.name = ?5" \
	" WHERE l.depth > 0 AND a.gone = 0" NOT_SHADOWED("a", "l")

static const char COPY_UP_SWAP[] =
	COPY_UP("a.namespace, a.name, " SQL_UUID ", a.kind, a.location, ?7,"
	" a.properties, a.created_at, ?8, ?9, 0" ASSET_COPY_OWNER("a"))
	" AND a.metadata_location " SQL_IS_NOT_DISTINCT " ?6"
	" ON CONFLICT DO NOTHING";
static const char COPY_UP_UPDATE[] =
	COPY_UP("a.namespace, a.name, " SQL_UUID ", coalesce(?6, a.kind),"
	" ?7, ?8, coalesce(?9, '{}'), a.created_at, ?10, ?11, 0, ?12,"
	" coalesce(a.origin, a.id)")
	" ON CONFLICT DO NOTHING";
static const char COPY_UP_MOVE[] =
	COPY_UP("?6, ?7, " SQL_UUID ", a.kind, a.location,"
	" a.metadata_location, a.properties, a.created_at, ?8, ?9, 0"
	ASSET_COPY_OWNER("a"))
	" ON CONFLICT DO NOTHING";

/* What ASSET_STATE found. */
struct state {
	int	found;		/* a row, live or not */
	int	own;		/* on the branch itself */
	int	gone;
	int	match;		/* the expected metadata location */
};

static int
state_of(struct pgl_store *s, const char *tenant, const char *catalog,
    const char *branch, const char *ns, const char *name,
    const char *expected, struct state *st, struct pgl_err *err)
{
	uint64_t	v;
	int		rc;

	rc = store_count(s, err, ASSET_STATE, &v, "ssssss", tenant, catalog,
	    branch, ns, name, expected);
	if (rc != PGL_OK)
		return (rc);
	st->found = v != 0;
	v = v != 0 ? v - 1 : 0;
	st->own = v / 4 == 0;
	st->gone = (v & 2) != 0;
	st->match = (v & 1) != 0;
	return (PGL_OK);
}

/* Both dialects' rollback undoes every write: the host may group them. */
int
sql_atomic(struct pgl_store *s)
{
	(void)s;
	return (1);
}

/* The transaction a write needs, unless the caller has one open. */
struct wtx {
	struct pgl_store	*s;
	int			 owned;
	int			 forked;	/* the branch has a parent */
	int			 forks;		/* and children */
};

static int
wtx_begin(struct wtx *w, struct pgl_store *s, const char *tenant,
    const char *catalog, const char *branch, struct pgl_err *err)
{
	uint64_t	kind;
	int		rc;

	w->s = s;
	if ((rc = store_tx_own(s, &w->owned, err)) != PGL_OK)
		return (rc);
	rc = store_count(s, err, w->owned ? BRANCH_LOCK : BRANCH_KIND, &kind,
	    "sss", tenant, catalog, branch);
	w->forked = (kind & 3) == 2;
	w->forks = (kind & 4) != 0;
	if (rc == PGL_OK && (kind & 3) == 0)
		rc = store_err(err, PGL_ENOTFOUND, "branch %s not found",
		    branch);
	return (rc);
}

static int
wtx_end(struct wtx *w, int rc, struct pgl_err *err)
{
	return (store_tx_done(w->s, w->owned, rc, err));
}

static int
protect(const struct wtx *w, const char *tenant, const char *catalog,
    const char *branch, const char *ns, const char *name,
    struct pgl_err *err)
{
	if (!w->forks)
		return (PGL_OK);
	return (store_exec(w->s, err, ASSET_PROTECT, NULL, "sssss", tenant,
	    catalog, branch, ns, name));
}

static int
tombstone(struct pgl_store *s, const char *tenant, const char *catalog,
    const char *branch, const char *ns, const char *name, uint64_t seq,
    struct pgl_err *err)
{
	uint64_t	changed;
	int		rc;

	rc = store_exec(s, err, TOMBSTONE_INSERT, &changed, "sssssii", tenant,
	    catalog, branch, ns, name, store_now_ms(), (int64_t)seq);
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ECONFLICT, "asset %s changed "
		    "concurrently", name);
	return (rc);
}

/* The error for a key the branch does not show, or shows another way. */
static int
lost(const struct state *st, const char *what, const char *name,
    struct pgl_err *err)
{
	if (!st->found || st->gone)
		return (store_err(err, PGL_ENOTFOUND, "%s %s not found", what,
		    name));
	return (store_err(err, PGL_ECONFLICT, "%s %s changed concurrently: "
	    "metadata location is not the expected one", what, name));
}

static int
create_in(struct wtx *w, const char *tenant, const struct pgl_asset *as,
    struct pgl_err *err)
{
	struct state	st;
	uint64_t	seq;
	int64_t		now = store_now_ms();
	char		key[PGL_LOCATION_KEY_LEN];
	const char	*k;
	int		rc;

	if ((rc = state_of(w->s, tenant, as->catalog, as->branch, as->ns,
	    as->name, NULL, &st, err)) != PGL_OK)
		return (rc);
	if (st.found && !st.gone)
		return (store_err(err, PGL_EEXISTS, "asset %s exists",
		    as->name));
	if ((rc = protect(w, tenant, as->catalog, as->branch, as->ns,
	    as->name, err)) != PGL_OK ||
	    (rc = store_exec(w->s, err, TOMBSTONE_DELETE, NULL, "sssss",
	    tenant, as->catalog, as->branch, as->ns, as->name)) != PGL_OK ||
	    (rc = sql_next_seq(w->s, &seq, err)) != PGL_OK)
		return (rc);
	if ((rc = sql_location_key(w->s, as->location, key, &k, err)) !=
	    PGL_OK)
		return (rc);
	rc = store_exec(w->s, err, ASSET_INSERT, NULL, "ssssssssssiiiss",
	    tenant, as->catalog, as->branch, as->ns, as->name, as->id,
	    as->kind, as->location, as->metadata_location, as->properties,
	    as->created_at_ms ? as->created_at_ms : now,
	    as->updated_at_ms ? as->updated_at_ms : now, (int64_t)seq, k,
	    as->origin);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "branch %s or namespace not found",
		    as->branch);
	return (rc);
}

int
sql_create_asset(struct pgl_store *s, const char *tenant,
    const struct pgl_asset *as, struct pgl_err *err)
{
	struct wtx	w;
	int		rc;

	rc = wtx_begin(&w, s, tenant, as->catalog, as->branch, err);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "branch %s or namespace not found",
		    as->branch);
	if (rc == PGL_OK)
		rc = create_in(&w, tenant, as, err);
	return (wtx_end(&w, rc, err));
}

static int
update_in(struct wtx *w, const char *tenant, const struct pgl_asset *as,
    struct pgl_err *err)
{
	struct state	st;
	uint64_t	changed, seq;
	int64_t		now = as->updated_at_ms ? as->updated_at_ms :
			    store_now_ms();
	char		key[PGL_LOCATION_KEY_LEN];
	const char	*k;
	int		rc;

	if ((rc = sql_location_key(w->s, as->location, key, &k, err)) !=
	    PGL_OK || (rc = protect(w, tenant, as->catalog, as->branch, as->ns,
	    as->name, err)) != PGL_OK)
		return (rc);
	rc = store_exec(w->s, err, ASSET_UPDATE, &changed, "sssssssssis",
	    tenant, as->catalog, as->branch, as->ns, as->name, as->kind,
	    as->location, as->metadata_location, as->properties, now, k);
	if (rc != PGL_OK || changed == 1)
		return (rc);
	if ((rc = state_of(w->s, tenant, as->catalog, as->branch, as->ns,
	    as->name, NULL, &st, err)) != PGL_OK)
		return (rc);
	if (!st.found || st.gone || st.own)
		return (store_err(err, PGL_ENOTFOUND, "asset %s not found",
		    as->name));
	if ((rc = sql_next_seq(w->s, &seq, err)) != PGL_OK)
		return (rc);
	rc = store_exec(w->s, err, COPY_UP_UPDATE, &changed, "sssssssssiis",
	    tenant, as->catalog, as->branch, as->ns, as->name, as->kind,
	    as->location, as->metadata_location, as->properties, now,
	    (int64_t)seq, k);
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ECONFLICT, "asset %s changed "
		    "concurrently", as->name);
	return (rc);
}

int
sql_update_asset(struct pgl_store *s, const char *tenant,
    const struct pgl_asset *as, struct pgl_err *err)
{
	struct wtx	w;
	int		rc;

	if ((rc = wtx_begin(&w, s, tenant, as->catalog, as->branch, err)) ==
	    PGL_OK)
		rc = update_in(&w, tenant, as, err);
	else if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "asset %s not found", as->name);
	return (wtx_end(&w, rc, err));
}

static int
delete_in(struct wtx *w, const char *tenant, const char *catalog,
    const char *branch, const char *ns, const char *name,
    struct pgl_err *err)
{
	struct state	st;
	uint64_t	seq;
	int		rc;

	if ((rc = state_of(w->s, tenant, catalog, branch, ns, name, NULL, &st,
	    err)) != PGL_OK)
		return (rc);
	if (!st.found || st.gone)
		return (store_err(err, PGL_ENOTFOUND, "asset %s not found",
		    name));
	if (st.own && ((rc = protect(w, tenant, catalog, branch, ns, name,
	    err)) != PGL_OK || (rc = store_exec(w->s, err, ASSET_DELETE, NULL,
	    "sssss", tenant, catalog, branch, ns, name)) != PGL_OK))
		return (rc);
	if (!w->forked)
		return (PGL_OK);
	if ((rc = sql_next_seq(w->s, &seq, err)) != PGL_OK)
		return (rc);
	return (tombstone(w->s, tenant, catalog, branch, ns, name, seq, err));
}

int
sql_delete_asset(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *branch, const char *ns,
    const char *name, struct pgl_err *err)
{
	struct wtx	w;
	int		rc;

	if ((rc = wtx_begin(&w, s, tenant, catalog, branch, err)) == PGL_OK)
		rc = delete_in(&w, tenant, catalog, branch, ns, name, err);
	else if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "asset %s not found", name);
	return (wtx_end(&w, rc, err));
}

struct move {
	const char	*tenant, *catalog, *branch;
	const char	*src_ns, *src, *dst_ns, *dst;
};

static int
rename_in(struct wtx *w, const struct move *m, struct pgl_err *err)
{
	struct state	from, to;
	uint64_t	seq, changed;
	int		rc;

	if ((rc = state_of(w->s, m->tenant, m->catalog, m->branch, m->src_ns,
	    m->src, NULL, &from, err)) != PGL_OK ||
	    (rc = state_of(w->s, m->tenant, m->catalog, m->branch, m->dst_ns,
	    m->dst, NULL, &to, err)) != PGL_OK)
		return (rc);
	if (!from.found || from.gone)
		return (store_err(err, PGL_ENOTFOUND, "asset %s not found",
		    m->src));
	if (to.found && !to.gone)
		return (store_err(err, PGL_EEXISTS, "asset %s exists", m->dst));
	if ((rc = protect(w, m->tenant, m->catalog, m->branch, m->src_ns,
	    m->src, err)) != PGL_OK ||
	    (rc = protect(w, m->tenant, m->catalog, m->branch, m->dst_ns,
	    m->dst, err)) != PGL_OK ||
	    (rc = store_exec(w->s, err, TOMBSTONE_DELETE, NULL, "sssss",
	    m->tenant, m->catalog, m->branch, m->dst_ns, m->dst)) != PGL_OK ||
	    (rc = sql_next_seq(w->s, &seq, err)) != PGL_OK)
		return (rc);
	rc = store_exec(w->s, err, from.own ? ASSET_MOVE : COPY_UP_MOVE,
	    &changed, "sssssssii", m->tenant, m->catalog, m->branch,
	    m->src_ns, m->src, m->dst_ns, m->dst, store_now_ms(),
	    (int64_t)seq);
	if (rc == PGL_ENOTFOUND)
		return (store_err(err, rc, "destination namespace not found"));
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ECONFLICT, "asset %s changed "
		    "concurrently", m->src);
	if (rc != PGL_OK || !w->forked)
		return (rc);
	return (tombstone(w->s, m->tenant, m->catalog, m->branch, m->src_ns,
	    m->src, seq, err));
}

int
sql_rename_asset(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *branch, const char *src_ns,
    const char *src, const char *dst_ns, const char *dst,
    struct pgl_err *err)
{
	struct move	m = { tenant, catalog, branch, src_ns, src, dst_ns,
			    dst };
	struct wtx	w;
	int		rc;

	if ((rc = wtx_begin(&w, s, tenant, catalog, branch, err)) == PGL_OK)
		rc = rename_in(&w, &m, err);
	else if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "asset %s not found", src);
	return (wtx_end(&w, rc, err));
}

/*
 * Compare-and-swap of a table's metadata pointer: the commit path.  On
 * the table's own row it is one conditional UPDATE after the protect
 * (which finds no child on a branch without forks); when that matched
 * nothing, ASSET_STATE tells a lost swap from an inherited row, which is
 * copied up with the swap's condition in the INSERT.
 */
static int
swap_in(struct wtx *w, const struct move *k, const char *expected,
    const char *next, struct pgl_err *err)
{
	struct state	st;
	uint64_t	changed, seq;
	int64_t		now = store_now_ms();
	int		rc;

	if ((rc = protect(w, k->tenant, k->catalog, k->branch, k->src_ns,
	    k->src, err)) != PGL_OK)
		return (rc);
	rc = store_exec(w->s, err, ASSET_SWAP_LOCATION, &changed, "sssssssi",
	    k->tenant, k->catalog, k->branch, k->src_ns, k->src, expected,
	    next, now);
	if (rc != PGL_OK || changed == 1)
		return (rc);
	if ((rc = state_of(w->s, k->tenant, k->catalog, k->branch, k->src_ns,
	    k->src, expected, &st, err)) != PGL_OK)
		return (rc);
	if (!st.found || st.gone || st.own || !st.match)
		return (lost(&st, "table", k->src, err));
	if ((rc = sql_next_seq(w->s, &seq, err)) != PGL_OK)
		return (rc);
	rc = store_exec(w->s, err, COPY_UP_SWAP, &changed, "sssssssii",
	    k->tenant, k->catalog, k->branch, k->src_ns, k->src, expected,
	    next, now, (int64_t)seq);
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ECONFLICT, "table %s changed "
		    "concurrently", k->src);
	return (rc);
}

/*
 * In a transaction of its own, a swap that lost a race with another
 * transaction (PGL_ERETRY: the row changed after the snapshot) runs once
 * more: a fresh snapshot shows the winner's row, and the swap then lands
 * or answers what a swap promises, PGL_ECONFLICT.  In the host's
 * transaction the host runs the whole of it again.
 */
/* Whether branch has forks: asked once a deferring transaction. */
static int
branch_forked(struct pgl_store *s, const char *tenant, const char *catalog,
    const char *branch, int *forked, struct pgl_err *err)
{
	struct sql_fork_memo	*m = store_fork_memo(s);
	char			 key[sizeof(m->key)];
	uint64_t		 n;
	int			 len, rc;

	len = snprintf(key, sizeof(key), "%s\x1f%s\x1f%s", tenant, catalog,
	    branch);
	if (len < 0 || (size_t)len >= sizeof(key))
		m = NULL;		/* too long to keep: asked each time */
	if (m != NULL && m->valid && strcmp(m->key, key) == 0) {
		*forked = m->forked;
		return (PGL_OK);
	}
	if ((rc = store_count(s, err, BRANCH_FORKS, &n, "sss", tenant,
	    catalog, branch)) != PGL_OK)
		return (rc);
	*forked = n > 0;
	if (m != NULL) {
		memcpy(m->key, key, (size_t)len + 1);
		m->forked = *forked;
		m->valid = 1;
	}
	return (PGL_OK);
}

int
sql_update_metadata_location(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *branch, const char *ns,
    const char *name, const char *expected, const char *new_location,
    struct pgl_err *err)
{
	struct move	k = { tenant, catalog, branch, ns, name, NULL, NULL };
	struct wtx	w = { NULL, 0, 0, 0 };
	uint64_t	changed = 0;
	int		rc, run, forked = 0;

	/*
	 * In the host's transaction (a commit's swap), the table's own row
	 * on a branch with no forks swaps in one statement: the branch's
	 * kind need not be read first (a round trip on PostgreSQL, per
	 * commit).  Anything else (an inherited row, a forked-from branch,
	 * a lost race, no such table) takes the whole path below, which
	 * tells them apart.  Outside one, the path below locks the branch
	 * against a fork made meanwhile.
	 */
	if (store_in_tx(s)) {
		/* Sent ahead, it must match: a forked-from branch's swap
		 * takes the path below, waiting for each answer. */
		if (store_defers(s) && (rc = branch_forked(s, tenant,
		    catalog, branch, &forked, err)) != PGL_OK)
			return (rc);
		if (!forked) {
			rc = store_write(s, err, ASSET_SWAP_UNFORKED,
			    &changed, 1, "sssssssi", tenant, catalog, branch,
			    ns, name, expected, new_location, store_now_ms());
			if (rc != PGL_OK || changed == 1)
				return (rc);
		}
	}
	for (run = 0; run < 2; run++) {
		if ((rc = wtx_begin(&w, s, tenant, catalog, branch, err)) ==
		    PGL_OK)
			rc = swap_in(&w, &k, expected, new_location, err);
		else if (rc == PGL_ENOTFOUND)
			(void)store_err(err, rc, "table %s not found", name);
		if ((rc = wtx_end(&w, rc, err)) != PGL_ERETRY || !w.owned)
			break;
	}
	return (rc);
}
