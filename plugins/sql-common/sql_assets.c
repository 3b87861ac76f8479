/*
 * Assets (tables, views, generic assets), keyed by (tenant, catalog,
 * branch, namespace, name): the reads, and the bulk copy of a partial
 * branch.  A forked branch holds only the rows it changed and reads the
 * rest through its lineage (sql_lineage.h); every read here is one
 * statement, the walk included.  The writes are in sql_asset_writes.c.
 */
#include <string.h>

#include "sql_lineage.h"

#define ASSET_COLS \
	"SELECT id, catalog_name, branch_name, namespace, name, kind," \
	" location, metadata_location, properties, created_at, updated_at," \
	" coalesce(origin, id) FROM assets"

/* An asset of a branch: its row at the lowest level of the lineage, and
 * whether that row is a tombstone (then there is none). */
static const char ASSET_GET[] =
	LINEAGE "SELECT " VIEW_COLS ", a.gone FROM lineage l "
	SQL_JOIN_IN_ORDER " assets a ON " IN_LINEAGE("a", "l")
	" AND a.namespace = ?4 AND a.name = ?5 ORDER BY l.depth LIMIT 1";
/*
 * The same asked of the branch's own rows first: where the branch has a
 * row of the asset (every asset of a branch never forked, and any a fork
 * changed), that row is level 0's and the answer.  A primary-key probe:
 * PostgreSQL ran the walk above in 60 us (a hash join and a sort over the
 * lineage), this in 7, and every loadTable asks it.  Only an asset a
 * fork inherits takes the walk as well.
 */
static const char ASSET_OWN[] =
	"SELECT " VIEW_COLS ", a.gone FROM assets a"
	" WHERE a.tenant_id = ?1 AND a.catalog_name = ?2"
	" AND a.branch_name = ?3 AND a.namespace = ?4 AND a.name = ?5";
static const char ASSET_GET_BY_ID[] =
	ASSET_COLS " WHERE id = ?2 AND tenant_id = ?1 AND gone = 0";

/*
 * Lists.  kind NULL = any; without a namespace, the whole branch.  The
 * catalog's rows are walked in (namespace, name) order (assets_lineage),
 * each kept when its branch is in the lineage and nothing lower shadows
 * it: a page stops after its rows, and a branch of no changes costs what
 * its parent's listing does.
 */
#define VIEW_FROM \
	" FROM assets a " SQL_JOIN_IN_ORDER " lineage l ON " \
	IN_LINEAGE("a", "l") " WHERE a.tenant_id = ?1 AND a.catalog_name = ?2"
#define VIEW_LIVE	" AND a.gone = 0" NOT_SHADOWED("a", "l")
#define ASSET_IN_NS	" AND a.namespace = ?4"
#define ASSET_KIND	" AND (?5 IS NULL OR a.kind = ?5)"
#define ASSET_PAGE	" ORDER BY a.namespace, a.name LIMIT ?6 OFFSET ?7"
/*
 * A page starts after the key (?8, ?9) (store ABI 1.28; ("", "") is
 * before every row).  A list of one kind in a namespace reads the
 * assets_kind index (SQLite migration 23, PostgreSQL 21): the views of
 * a namespace of 200,000 tables are a range of it, where the kind as a
 * filter read every table.
 */
#define ASSET_KIND_IS	" AND a.kind = ?5"
#define ASSET_FROM_NS	SQL_UNUSED("?8") " AND a.name > ?9"
#define ASSET_FROM	" AND (a.namespace, a.name) > (?8, ?9)"

static const char ASSET_LIST_NS[] =
	LINEAGE "SELECT " VIEW_COLS VIEW_FROM ASSET_IN_NS ASSET_KIND
	ASSET_FROM_NS VIEW_LIVE ASSET_PAGE;
static const char ASSET_LIST_NS_KIND[] =
	LINEAGE "SELECT " VIEW_COLS VIEW_FROM ASSET_IN_NS ASSET_KIND_IS
	ASSET_FROM_NS VIEW_LIVE ASSET_PAGE;
static const char ASSET_COUNT_NS[] =
	LINEAGE "SELECT count(*)" VIEW_FROM ASSET_IN_NS ASSET_KIND VIEW_LIVE;
static const char ASSET_LIST_BRANCH[] =
	LINEAGE "SELECT " VIEW_COLS VIEW_FROM SQL_UNUSED("?4") ASSET_KIND
	ASSET_FROM VIEW_LIVE ASSET_PAGE;
static const char ASSET_COUNT_BRANCH[] =
	LINEAGE "SELECT count(*)" VIEW_FROM SQL_UNUSED("?4") ASSET_KIND
	VIEW_LIVE;
/* Keyset pages: the key columns only, after a (namespace, name), each
 * planned for its own values (SQL_CUSTOM_PLAN). */
#define ASSET_KEY_COLS \
	"a.id, a.catalog_name, ?3, a.namespace, a.name, a.kind"
#define ASSET_AFTER_ORDER	" ORDER BY a.namespace, a.name LIMIT ?6"
static const char ASSET_LIST_NS_AFTER[] =
	SQL_CUSTOM_PLAN LINEAGE "SELECT " ASSET_KEY_COLS VIEW_FROM ASSET_IN_NS ASSET_KIND
	SQL_UNUSED("?7") " AND a.name > ?8" VIEW_LIVE ASSET_AFTER_ORDER;
static const char ASSET_LIST_NS_KIND_AFTER[] =
	SQL_CUSTOM_PLAN LINEAGE "SELECT " ASSET_KEY_COLS VIEW_FROM ASSET_IN_NS ASSET_KIND_IS
	SQL_UNUSED("?7") " AND a.name > ?8" VIEW_LIVE ASSET_AFTER_ORDER;
static const char ASSET_LIST_BRANCH_AFTER[] =
	SQL_CUSTOM_PLAN LINEAGE "SELECT " ASSET_KEY_COLS VIEW_FROM SQL_UNUSED("?4") ASSET_KIND
	" AND (a.namespace > ?7 OR (a.namespace = ?7 AND a.name > ?8))"
	VIEW_LIVE ASSET_AFTER_ORDER;
static const char ASSET_LIST_ALL[] =
	LINEAGE "SELECT " VIEW_COLS VIEW_FROM VIEW_LIVE
	" ORDER BY a.namespace, a.name";

/*
 * The copies get new ids and keep everything else, timestamps included:
 * a copy is the same table state seen from another branch.  One
 * statement, so the server copies without a round trip per row; what is
 * copied is src's view (its lineage resolved), born on dst at ?7.
 * ns_filter keeps that namespace and its children (a prefix test, not
 * LIKE, so '%' and '_' in a name are not wildcards); names_json keeps the
 * "ns.table" names listed (levels dotted, as the branch API writes them).
 * An asset already in dst fails the whole statement (EEXISTS): nothing is
 * half-copied and nothing is silently overwritten.
 */
static const char ASSET_COPY[] =
	LINEAGE "INSERT INTO assets (" ASSET_INSERT_COLS ")"
	" SELECT a.tenant_id, a.catalog_name, ?4, a.namespace, a.name, "
	SQL_UUID ", a.kind, a.location, a.metadata_location, a.properties,"
	" a.created_at, a.updated_at, ?7, 0" ASSET_COPY_OWNER("a") VIEW_FROM
	VIEW_LIVE
	" AND (?5 IS NULL OR a.namespace = ?5"
	"  OR " SQL_STARTS_WITH("a.namespace", "?5 || " SQL_CHR "(31)") ")"
	" AND (?6 IS NULL"
	"  OR replace(a.namespace, " SQL_CHR "(31), '.') || '.' || a.name"
	"  IN (" SQL_JSON_ELEMENTS("?6") "))";
static const char JSON_IS_ARRAY[] = "SELECT " SQL_JSON_IS_ARRAY("?1");
/* The asset clock: the seq of a row born now (sql_lineage.h). */
static const char NEXT_SEQ[] = SQL_NEXT_SEQ;

int
sql_next_seq(struct pgl_store *s, uint64_t *seq, struct pgl_err *err)
{
	int	rc;

	if ((rc = store_count(s, err, NEXT_SEQ, seq, "")) == PGL_OK &&
	    *seq == 0)
		rc = store_err(err, PGL_EINTERNAL, "the asset clock is missing");
	return (rc);
}

static void
asset_fill(struct row *r, void *out)
{
	struct pgl_asset	*as = out;

	as->id = row_text(r);
	as->catalog = row_text(r);
	as->branch = row_text(r);
	as->ns = row_text(r);
	as->name = row_text(r);
	as->kind = row_text(r);
	as->location = row_text(r);
	as->metadata_location = row_text(r);
	as->properties = row_text(r);
	as->created_at_ms = row_int(r);
	as->updated_at_ms = row_int(r);
	as->origin = row_text(r);
}


struct seen_asset {
	struct pgl_asset	as;
	int64_t			gone;
};

static void
seen_fill(struct row *r, void *out)
{
	struct seen_asset	*sa = out;

	asset_fill(r, &sa->as);
	sa->gone = row_int(r);
}

int
sql_get_asset(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const char *branch,
    const char *ns, const char *name, struct pgl_asset *out,
    struct pgl_err *err)
{
	struct seen_asset	sa;
	int			rc;

	rc = store_get(s, a, err, ASSET_OWN, seen_fill, &sa, "sssss",
	    tenant, catalog, branch, ns, name);
	if (rc == PGL_ENOTFOUND)
		rc = store_get(s, a, err, ASSET_GET, seen_fill, &sa, "sssss",
		    tenant, catalog, branch, ns, name);
	if (rc == PGL_OK && sa.gone)
		rc = PGL_ENOTFOUND;
	if (rc == PGL_ENOTFOUND)
		return (store_err(err, rc, "asset %s not found", name));
	if (rc == PGL_OK)
		*out = sa.as;
	return (rc);
}

int
sql_get_asset_by_id(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *id, struct pgl_asset *out,
    struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, ASSET_GET_BY_ID, asset_fill, out, "ss",
	    tenant, id);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "asset %s not found", id);
	return (rc);
}

int
sql_list_assets(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const char *branch,
    const char *ns, const char *kind, const struct pgl_page *page,
    struct pgl_asset **items, size_t *n, uint64_t *total,
    struct pgl_err *err)
{
	const char	*list = ASSET_LIST_NS, *count = ASSET_COUNT_NS;
	void		*p;
	int		rc;

	if (ns == NULL) {
		list = ASSET_LIST_BRANCH;
		count = ASSET_COUNT_BRANCH;
	} else if (kind != NULL)
		list = ASSET_LIST_NS_KIND;
	rc = store_list(s, a, err, list, asset_fill, sizeof(**items), &p, n,
	    "ssssspss", tenant, catalog, branch, ns, kind, page,
	    sql_after_s(page), sql_after_s2(page));
	*items = p;
	if (rc == PGL_OK && total != NULL)
		rc = store_count(s, err, count, total, "sssss", tenant, catalog,
		    branch, ns, kind);
	return (rc);
}

static void
asset_key_fill(struct row *r, void *out)
{
	struct pgl_asset	*as = out;

	memset(as, 0, sizeof(*as));
	as->id = row_text(r);
	as->catalog = row_text(r);
	as->branch = row_text(r);
	as->ns = row_text(r);
	as->name = row_text(r);
	as->kind = row_text(r);
}

int
sql_list_assets_after(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const char *branch,
    const char *ns, const char *kind, const char *after_ns,
    const char *after_name, uint32_t limit, struct pgl_asset **items,
    size_t *n, struct pgl_err *err)
{
	void	*p;
	int	 rc;

	if (limit == 0 || after_name == NULL || (ns == NULL &&
	    after_ns == NULL))
		return (store_err(err, PGL_EINVAL, "list_assets_after: a "
		    "limit and a key are required"));
	rc = store_list(s, a, err, ns == NULL ? ASSET_LIST_BRANCH_AFTER :
	    kind != NULL ? ASSET_LIST_NS_KIND_AFTER : ASSET_LIST_NS_AFTER,
	    asset_key_fill, sizeof(**items), &p, n,
	    "sssssiss", tenant, catalog, branch, ns, kind, (int64_t)limit,
	    ns != NULL ? ns : after_ns, after_name);
	*items = p;
	return (rc);
}




int
sql_list_all_assets_for_branch(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const char *branch,
    struct pgl_asset **items, size_t *n, struct pgl_err *err)
{
	void	*p;
	int	rc;

	rc = store_list(s, a, err, ASSET_LIST_ALL, asset_fill,
	    sizeof(**items), &p, n, "sss", tenant, catalog, branch);
	*items = p;
	return (rc);
}

/*
 * A malformed names_json is the caller's mistake, and must be reported as
 * one whether or not the source branch has a row to test it against, so
 * it is checked first.  PostgreSQL fails the cast (PGL_EINVAL); inside a
 * transaction the statement's savepoint undoes it and the transaction
 * goes on.
 */
static int
check_names(struct pgl_store *s, const char *names_json,
    struct pgl_err *err)
{
	uint64_t	ok = 0;
	int		rc;

	if (names_json == NULL)
		return (PGL_OK);
	rc = store_count(s, err, JSON_IS_ARRAY, &ok, "s", names_json);
	if ((rc == PGL_OK && !ok) || rc == PGL_EINVAL)
		rc = store_err(err, PGL_EINVAL,
		    "names_json is not a JSON array");
	return (rc);
}

int
sql_copy_assets_bulk(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *src, const char *dst,
    const char *ns_filter, const char *names_json, uint64_t *copied,
    struct pgl_err *err)
{
	uint64_t	n = 0, seq;
	int		rc;

	if ((rc = check_names(s, names_json, err)) != PGL_OK)
		return (rc);
	if ((rc = sql_next_seq(s, &seq, err)) != PGL_OK)
		return (rc);
	rc = store_exec(s, err, ASSET_COPY, &n, "ssssssi", tenant, catalog,
	    src, dst, ns_filter, names_json, (int64_t)seq);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "branch %s not found", dst);
	if (copied != NULL)
		*copied = rc == PGL_OK ? n : 0;
	return (rc);
}
