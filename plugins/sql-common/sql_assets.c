/*
 * Assets (tables, views, generic assets), keyed by (tenant, catalog,
 * branch, namespace, name).  A branch owns its own copy of every asset
 * row (copy-on-branch, ARCHITECTURE.md §6), so creating a branch is one
 * INSERT ... SELECT and a commit is one conditional UPDATE.
 */
#include <string.h>

#include "sql_store.h"

#define ASSET_COLS \
	"SELECT id, catalog_name, branch_name, namespace, name, kind," \
	" location, metadata_location, properties, created_at, updated_at" \
	" FROM assets"
#define ASSET_KEY \
	" WHERE tenant_id = ?1 AND catalog_name = ?2 AND branch_name = ?3" \
	" AND namespace = ?4 AND name = ?5"

static const char ASSET_INSERT[] =
	"INSERT INTO assets (tenant_id, catalog_name, branch_name, namespace,"
	" name, id, kind, location, metadata_location, properties,"
	" created_at, updated_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, coalesce(?6, " SQL_UUID "), ?7, ?8, ?9,"
	" coalesce(?10, '{}'), ?11, ?12)";
static const char ASSET_GET[] = ASSET_COLS ASSET_KEY;
static const char ASSET_GET_BY_ID[] =
	ASSET_COLS " WHERE id = ?2 AND tenant_id = ?1";
static const char ASSET_EXISTS[] = "SELECT count(*) FROM assets" ASSET_KEY;
static const char ASSET_UPDATE[] =
	"UPDATE assets SET kind = coalesce(?6, kind), location = ?7,"
	" metadata_location = ?8, properties = coalesce(?9, '{}'),"
	" updated_at = ?10" ASSET_KEY;
static const char ASSET_DELETE[] = "DELETE FROM assets" ASSET_KEY;
static const char ASSET_RENAME[] =
	"UPDATE assets SET namespace = ?6, name = ?7, updated_at = ?8"
	ASSET_KEY;
/*
 * A NULL expected pointer matches only a NULL pointer.  In PostgreSQL a
 * concurrent writer holding the row makes this wait, and the condition is
 * then checked again against the row it committed.
 */
static const char ASSET_SWAP_LOCATION[] =
	"UPDATE assets SET metadata_location = ?7, updated_at = ?8"
	ASSET_KEY " AND metadata_location " SQL_IS_NOT_DISTINCT " ?6";

/* Lists.  kind NULL = any; without a namespace, the whole branch. */
#define ASSET_BRANCH \
	" WHERE tenant_id = ?1 AND catalog_name = ?2 AND branch_name = ?3"
#define ASSET_IN_NS	ASSET_BRANCH " AND namespace = ?4"
#define ASSET_KIND	" AND (?5 IS NULL OR kind = ?5)"
#define ASSET_PAGE	" ORDER BY namespace, name LIMIT ?6 OFFSET ?7"

static const char ASSET_LIST_NS[] =
	ASSET_COLS ASSET_IN_NS ASSET_KIND ASSET_PAGE;
static const char ASSET_COUNT_NS[] =
	"SELECT count(*) FROM assets" ASSET_IN_NS ASSET_KIND;
static const char ASSET_LIST_BRANCH[] =
	ASSET_COLS ASSET_BRANCH SQL_UNUSED("?4") ASSET_KIND ASSET_PAGE;
static const char ASSET_COUNT_BRANCH[] =
	"SELECT count(*) FROM assets" ASSET_BRANCH SQL_UNUSED("?4") ASSET_KIND;
/* Keyset pages: the key columns only, after a (namespace, name). */
#define ASSET_KEY_COLS \
	"SELECT id, catalog_name, branch_name, namespace, name, kind" \
	" FROM assets"
#define ASSET_AFTER_ORDER	" ORDER BY namespace, name LIMIT ?6"
static const char ASSET_LIST_NS_AFTER[] =
	ASSET_KEY_COLS ASSET_IN_NS ASSET_KIND SQL_UNUSED("?7")
	" AND name > ?8" ASSET_AFTER_ORDER;
static const char ASSET_LIST_BRANCH_AFTER[] =
	ASSET_KEY_COLS ASSET_BRANCH SQL_UNUSED("?4") ASSET_KIND
	" AND (namespace > ?7 OR (namespace = ?7 AND name > ?8))"
	ASSET_AFTER_ORDER;
static const char ASSET_LIST_ALL[] =
	ASSET_COLS ASSET_BRANCH " ORDER BY namespace, name";

/*
 * The copies get new ids and keep everything else, timestamps included:
 * a copy is the same table state seen from another branch.  One
 * statement, so the server copies without a round trip per row.
 * ns_filter keeps that namespace and its children (a prefix test, not
 * LIKE, so '%' and '_' in a name are not wildcards); names_json keeps the
 * "ns.table" names listed (levels dotted, as the branch API writes them).
 * An asset already in dst fails the whole statement (EEXISTS): nothing is
 * half-copied and nothing is silently overwritten.
 */
static const char ASSET_COPY[] =
	"INSERT INTO assets (tenant_id, catalog_name, branch_name, namespace,"
	" name, id, kind, location, metadata_location, properties,"
	" created_at, updated_at)"
	" SELECT tenant_id, catalog_name, ?4, namespace, name, " SQL_UUID ","
	" kind, location, metadata_location, properties, created_at, updated_at"
	" FROM assets" ASSET_BRANCH
	" AND (?5 IS NULL OR namespace = ?5"
	"  OR " SQL_STARTS_WITH("namespace", "?5 || " SQL_CHR "(31)") ")"
	" AND (?6 IS NULL"
	"  OR replace(namespace, " SQL_CHR "(31), '.') || '.' || name"
	"  IN (" SQL_JSON_ELEMENTS("?6") "))";
static const char JSON_IS_ARRAY[] = "SELECT " SQL_JSON_IS_ARRAY("?1");

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
}

int
sql_create_asset(struct pgl_store *s, const char *tenant,
    const struct pgl_asset *as, struct pgl_err *err)
{
	int64_t	now = store_now_ms();
	int	rc;

	rc = store_exec(s, err, ASSET_INSERT, NULL, "ssssssssssii", tenant,
	    as->catalog, as->branch, as->ns, as->name, as->id, as->kind,
	    as->location, as->metadata_location, as->properties,
	    as->created_at_ms ? as->created_at_ms : now,
	    as->updated_at_ms ? as->updated_at_ms : now);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "branch %s or namespace not found",
		    as->branch);
	return (rc);
}

int
sql_get_asset(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const char *branch,
    const char *ns, const char *name, struct pgl_asset *out,
    struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, ASSET_GET, asset_fill, out, "sssss",
	    tenant, catalog, branch, ns, name);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "asset %s not found", name);
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
	}
	rc = store_list(s, a, err, list, asset_fill, sizeof(**items), &p, n,
	    "sssssp", tenant, catalog, branch, ns, kind, page);
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
	rc = store_list(s, a, err, ns != NULL ? ASSET_LIST_NS_AFTER :
	    ASSET_LIST_BRANCH_AFTER, asset_key_fill, sizeof(**items), &p, n,
	    "sssssiss", tenant, catalog, branch, ns, kind, (int64_t)limit,
	    ns != NULL ? ns : after_ns, after_name);
	*items = p;
	return (rc);
}

int
sql_update_asset(struct pgl_store *s, const char *tenant,
    const struct pgl_asset *as, struct pgl_err *err)
{
	uint64_t	changed;
	int		rc;

	rc = store_exec(s, err, ASSET_UPDATE, &changed, "sssssssssi", tenant,
	    as->catalog, as->branch, as->ns, as->name, as->kind, as->location,
	    as->metadata_location, as->properties,
	    as->updated_at_ms ? as->updated_at_ms : store_now_ms());
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "asset %s not found",
		    as->name);
	return (rc);
}

int
sql_delete_asset(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *branch, const char *ns,
    const char *name, struct pgl_err *err)
{
	uint64_t	changed;
	int		rc;

	rc = store_exec(s, err, ASSET_DELETE, &changed, "sssss", tenant,
	    catalog, branch, ns, name);
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "asset %s not found", name);
	return (rc);
}

int
sql_rename_asset(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *branch, const char *src_ns,
    const char *src, const char *dst_ns, const char *dst,
    struct pgl_err *err)
{
	uint64_t	changed;
	int		rc;

	rc = store_exec(s, err, ASSET_RENAME, &changed, "sssssssi", tenant,
	    catalog, branch, src_ns, src, dst_ns, dst, store_now_ms());
	if (rc == PGL_ENOTFOUND)
		return (store_err(err, rc, "destination namespace not found"));
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "asset %s not found", src);
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
	uint64_t	n = 0;
	int		rc;

	if ((rc = check_names(s, names_json, err)) != PGL_OK)
		return (rc);
	rc = store_exec(s, err, ASSET_COPY, &n, "ssssss", tenant, catalog,
	    src, dst, ns_filter, names_json);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "branch %s not found", dst);
	if (copied != NULL)
		*copied = rc == PGL_OK ? n : 0;
	return (rc);
}

/*
 * Compare-and-swap of a table's metadata pointer.  The UPDATE is the
 * atomic step; when it matched nothing, a second look only decides which
 * error to report, so a race between the two cannot make a wrong swap.
 */
int
sql_update_metadata_location(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *branch, const char *ns,
    const char *name, const char *expected, const char *new_location,
    struct pgl_err *err)
{
	uint64_t	changed, exists;
	int		rc;

	rc = store_exec(s, err, ASSET_SWAP_LOCATION, &changed, "sssssssi",
	    tenant, catalog, branch, ns, name, expected, new_location,
	    store_now_ms());
	if (rc != PGL_OK || changed == 1)
		return (rc);
	rc = store_count(s, err, ASSET_EXISTS, &exists, "sssss", tenant,
	    catalog, branch, ns, name);
	if (rc != PGL_OK)
		return (rc);
	if (exists)
		return (store_err(err, PGL_ECONFLICT, "table %s changed "
		    "concurrently: metadata location is not the expected one",
		    name));
	return (store_err(err, PGL_ENOTFOUND, "table %s not found", name));
}
