/*
 * Branches, tags and commits: the catalog's history.  Commits form a
 * parent chain per catalog; a branch head and a tag each name one.
 */
#include "sql_lineage.h"

/* Branches. */

#define BRANCH_COLS \
	"SELECT catalog_name, name, head_commit_id, branch_type, assets," \
	" created_at, parent_name FROM branches"
#define BRANCH_KEY \
	" WHERE tenant_id = ?1 AND catalog_name = ?2 AND name = ?3"
#define BRANCH_KEY_P \
	" WHERE p.tenant_id = ?1 AND p.catalog_name = ?2 AND p.name = ?3"

static const char BRANCH_INSERT[] =
	"INSERT INTO branches (tenant_id, catalog_name, name, head_commit_id,"
	" branch_type, assets, created_at)"
	" VALUES (?1, ?2, ?3, ?4, coalesce(?5, 'experimental'),"
	" coalesce(?6, '[]'), ?7)";
static const char BRANCH_GET[] = BRANCH_COLS BRANCH_KEY;
static const char BRANCH_EXISTS[] = "SELECT count(*) FROM branches" BRANCH_KEY;
static const char BRANCH_LIST[] =
	BRANCH_COLS " WHERE tenant_id = ?1 AND catalog_name = ?2"
	" AND name > ?5 ORDER BY name LIMIT ?3 OFFSET ?4";
static const char BRANCH_COUNT[] =
	"SELECT count(*) FROM branches WHERE tenant_id = ?1"
	" AND catalog_name = ?2";
/* The branch's assets go with it (FK cascade). */
static const char BRANCH_DELETE[] = "DELETE FROM branches" BRANCH_KEY;

/*
 * Copy-on-write (sql_lineage.h).  A fork is one row: its parent and the
 * clock.  Touching the parent's row first makes a writer on the parent
 * whose snapshot predates the fork fail its lock (PostgreSQL) instead of
 * changing in place a row the fork saw, and tells a missing parent.
 */
static const char BRANCH_TOUCH[] =
	"UPDATE branches SET fork_seq = fork_seq" BRANCH_KEY;
static const char BRANCH_DEPTH[] =
	LINEAGE "SELECT max(depth) FROM lineage";
static const char BRANCH_FORK[] =
	"INSERT INTO branches (tenant_id, catalog_name, name, head_commit_id,"
	" branch_type, assets, created_at, parent_name, fork_seq)"
	" VALUES (?1, ?2, ?3, ?4, coalesce(?5, 'experimental'), '[]', ?6, ?7,"
	" ?8)";
/*
 * Deleting a branch P that others were forked from: every branch below P
 * that reads one of P's rows (ASSET_PROTECT in sql_asset_writes.c says
 * which) first gets a copy of it (tombstones too, unless P is a root,
 * above which nothing is hidden); then P's children take P's own parent
 * and fork point, which is how they saw what lies above P.
 */
static const char BRANCH_ORPHAN_ROWS[] =
	"WITH RECURSIVE below(name, ns, nm, depth) AS ("
	" SELECT c.name, a.namespace, a.name, 1 FROM branches c JOIN assets a"
	"  ON a.tenant_id = ?1 AND a.catalog_name = ?2 AND a.branch_name = ?3"
	"  AND a.seq < c.fork_seq"
	"  WHERE c.tenant_id = ?1 AND c.catalog_name = ?2"
	"  AND c.parent_name = ?3"
	" UNION ALL"
	" SELECT y.name, d.ns, d.nm, d.depth + 1 FROM below d JOIN assets x"
	"  ON x.tenant_id = ?1 AND x.catalog_name = ?2"
	"  AND x.branch_name = d.name AND x.namespace = d.ns AND x.name = d.nm"
	"  JOIN branches y ON y.tenant_id = ?1 AND y.catalog_name = ?2"
	"  AND y.parent_name = d.name AND x.seq >= y.fork_seq"
	"  WHERE d.depth < " SQL_STR(PGL_BRANCH_MAX_DEPTH) ") "
	"INSERT INTO assets (" ASSET_INSERT_COLS ")"
	" SELECT a.tenant_id, a.catalog_name, d.name, a.namespace, a.name, "
	SQL_UUID ", a.kind, a.location, a.metadata_location, a.properties,"
	" a.created_at, a.updated_at, a.seq, a.gone" ASSET_COPY_OWNER("a")
	" FROM below d JOIN assets a ON a.tenant_id = ?1"
	" AND a.catalog_name = ?2 AND a.branch_name = ?3"
	" AND a.namespace = d.ns AND a.name = d.nm"
	" WHERE (a.gone = 0 OR EXISTS (SELECT 1 FROM branches p" BRANCH_KEY_P
	"  AND p.parent_name IS NOT NULL))"
	" AND NOT EXISTS (SELECT 1 FROM assets z WHERE z.tenant_id = ?1"
	"  AND z.catalog_name = ?2 AND z.branch_name = d.name"
	"  AND z.namespace = d.ns AND z.name = d.nm)"
	" ON CONFLICT DO NOTHING";
static const char BRANCH_REPARENT[] =
	"UPDATE branches SET"
	" parent_name = (SELECT p.parent_name FROM branches p" BRANCH_KEY_P "),"
	" fork_seq = (SELECT CASE WHEN p.parent_name IS NULL THEN 0"
	"  ELSE p.fork_seq END FROM branches p" BRANCH_KEY_P ")"
	" WHERE tenant_id = ?1 AND catalog_name = ?2 AND parent_name = ?3";
static const char BRANCH_SWAP_HEAD[] =
	"UPDATE branches SET head_commit_id = ?5" BRANCH_KEY
	" AND head_commit_id " SQL_IS_NOT_DISTINCT " ?4";

static void
branch_fill(struct row *r, void *out)
{
	struct pgl_branch	*b = out;

	b->catalog = row_text(r);
	b->name = row_text(r);
	b->head_commit_id = row_text(r);
	b->branch_type = row_text(r);
	b->assets = row_text(r);
	b->created_at_ms = row_int(r);
	b->parent = row_text(r);
}

int
sql_create_branch(struct pgl_store *s, const char *tenant,
    const struct pgl_branch *b, struct pgl_err *err)
{
	int	rc;

	rc = store_exec(s, err, BRANCH_INSERT, NULL, "ssssssi", tenant,
	    b->catalog, b->name, b->head_commit_id, b->branch_type, b->assets,
	    b->created_at_ms ? b->created_at_ms : store_now_ms());
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "catalog %s or head commit not found",
		    b->catalog);
	return (rc);
}

int
sql_get_branch(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const char *name,
    struct pgl_branch *out, struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, BRANCH_GET, branch_fill, out, "sss", tenant,
	    catalog, name);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "branch %s not found", name);
	return (rc);
}

int
sql_list_branches(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const struct pgl_page *page,
    struct pgl_branch **items, size_t *n, uint64_t *total,
    struct pgl_err *err)
{
	void	*p;
	int	rc;

	rc = store_list(s, a, err, BRANCH_LIST, branch_fill, sizeof(**items),
	    &p, n, "ssps", tenant, catalog, page, sql_after_s(page));
	*items = p;
	if (rc == PGL_OK && total != NULL)
		rc = store_count(s, err, BRANCH_COUNT, total, "ss", tenant,
		    catalog);
	return (rc);
}

int
sql_delete_branch(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *name, struct pgl_err *err)
{
	uint64_t	changed = 0;
	int		rc, owned;

	if ((rc = store_tx_own(s, &owned, err)) != PGL_OK)
		return (rc);
	if ((rc = store_exec(s, err, BRANCH_ORPHAN_ROWS, NULL, "sss", tenant,
	    catalog, name)) == PGL_OK &&
	    (rc = store_exec(s, err, BRANCH_REPARENT, NULL, "sss", tenant,
	    catalog, name)) == PGL_OK)
		rc = store_exec(s, err, BRANCH_DELETE, &changed, "sss", tenant,
		    catalog, name);
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "branch %s not found", name);
	return (store_tx_done(s, owned, rc, err));
}

/* A fork too deep for the lineage's walk is a root with copies. */
static int
fork_flat(struct pgl_store *s, const char *tenant,
    const struct pgl_branch *b, const char *from, struct pgl_err *err)
{
	struct pgl_branch	root = *b;
	int			rc;

	root.assets = "[]";
	if ((rc = sql_create_branch(s, tenant, &root, err)) != PGL_OK)
		return (rc);
	return (sql_copy_assets_bulk(s, tenant, b->catalog, from, b->name,
	    NULL, NULL, NULL, err));
}

static int
fork_in(struct pgl_store *s, const char *tenant, const struct pgl_branch *b,
    const char *from, struct pgl_err *err)
{
	uint64_t	changed, depth, seq;
	int		rc;

	rc = store_exec(s, err, BRANCH_TOUCH, &changed, "sss", tenant,
	    b->catalog, from);
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "branch %s not found", from);
	if (rc != PGL_OK || (rc = store_count(s, err, BRANCH_DEPTH, &depth,
	    "sss", tenant, b->catalog, from)) != PGL_OK)
		return (rc);
	if (depth + 1 > PGL_BRANCH_MAX_DEPTH)
		return (fork_flat(s, tenant, b, from, err));
	if ((rc = sql_next_seq(s, &seq, err)) != PGL_OK)
		return (rc);
	rc = store_exec(s, err, BRANCH_FORK, NULL, "sssssisi", tenant,
	    b->catalog, b->name, b->head_commit_id, b->branch_type,
	    (int64_t)(b->created_at_ms ? b->created_at_ms : store_now_ms()),
	    from, (int64_t)seq);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "head commit of %s not found", b->name);
	else if (rc == PGL_EEXISTS)
		(void)store_err(err, rc, "branch %s exists", b->name);
	return (rc);
}

int
sql_fork_branch(struct pgl_store *s, const char *tenant,
    const struct pgl_branch *b, const char *from, struct pgl_err *err)
{
	int	rc, owned;

	if ((rc = store_tx_own(s, &owned, err)) != PGL_OK)
		return (rc);
	rc = fork_in(s, tenant, b, from, err);
	return (store_tx_done(s, owned, rc, err));
}

/* Same shape as the metadata-location swap in sql_assets.c. */
int
sql_update_branch_head(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *name, const char *expected,
    const char *new_head, struct pgl_err *err)
{
	uint64_t	changed, exists;
	int		rc;

	rc = store_write(s, err, BRANCH_SWAP_HEAD, &changed, 1, "sssss",
	    tenant, catalog, name, expected, new_head);
	if (rc == PGL_ENOTFOUND)
		return (store_err(err, rc, "commit %s not found", new_head));
	if (rc != PGL_OK || changed == 1)
		return (rc);
	rc = store_count(s, err, BRANCH_EXISTS, &exists, "sss", tenant,
	    catalog, name);
	if (rc != PGL_OK)
		return (rc);
	if (exists)
		return (store_err(err, PGL_ECONFLICT, "branch %s moved "
		    "concurrently: head is not the expected commit", name));
	return (store_err(err, PGL_ENOTFOUND, "branch %s not found", name));
}

/* Tags. */

#define TAG_COLS \
	"SELECT catalog_name, name, commit_id, created_at FROM tags"
#define TAG_KEY \
	" WHERE tenant_id = ?1 AND catalog_name = ?2 AND name = ?3"

static const char TAG_INSERT[] =
	"INSERT INTO tags (tenant_id, catalog_name, name, commit_id,"
	" created_at) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char TAG_GET[] = TAG_COLS TAG_KEY;
static const char TAG_LIST[] =
	TAG_COLS " WHERE tenant_id = ?1 AND catalog_name = ?2"
	" AND name > ?5 ORDER BY name LIMIT ?3 OFFSET ?4";
static const char TAG_COUNT[] =
	"SELECT count(*) FROM tags WHERE tenant_id = ?1 AND catalog_name = ?2";
static const char TAG_DELETE[] = "DELETE FROM tags" TAG_KEY;

static void
tag_fill(struct row *r, void *out)
{
	struct pgl_tag	*t = out;

	t->catalog = row_text(r);
	t->name = row_text(r);
	t->commit_id = row_text(r);
	t->created_at_ms = row_int(r);
}

int
sql_create_tag(struct pgl_store *s, const char *tenant,
    const struct pgl_tag *t, struct pgl_err *err)
{
	int	rc;

	rc = store_exec(s, err, TAG_INSERT, NULL, "ssssi", tenant, t->catalog,
	    t->name, t->commit_id,
	    t->created_at_ms ? t->created_at_ms : store_now_ms());
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "catalog %s or commit %s not found",
		    t->catalog, t->commit_id ? t->commit_id : "-");
	return (rc);
}

int
sql_get_tag(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    const char *catalog, const char *name, struct pgl_tag *out,
    struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, TAG_GET, tag_fill, out, "sss", tenant,
	    catalog, name);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "tag %s not found", name);
	return (rc);
}

int
sql_list_tags(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    const char *catalog, const struct pgl_page *page, struct pgl_tag **items,
    size_t *n, uint64_t *total, struct pgl_err *err)
{
	void	*p;
	int	rc;

	rc = store_list(s, a, err, TAG_LIST, tag_fill, sizeof(**items), &p, n,
	    "ssps", tenant, catalog, page, sql_after_s(page));
	*items = p;
	if (rc == PGL_OK && total != NULL)
		rc = store_count(s, err, TAG_COUNT, total, "ss", tenant,
		    catalog);
	return (rc);
}

int
sql_delete_tag(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *name, struct pgl_err *err)
{
	uint64_t	changed;
	int		rc;

	rc = store_exec(s, err, TAG_DELETE, &changed, "sss", tenant, catalog,
	    name);
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "tag %s not found", name);
	return (rc);
}

/* Commits. */

#define COMMIT_FIELDS \
	"id, catalog_name, parent_id, timestamp, author, message, operations," \
	" merge_parent_id"

#define COMMIT_INSERT_INTO \
	"INSERT INTO commits (id, tenant_id, catalog_name, parent_id," \
	" timestamp, author, message, operations, merge_parent_id)"
/* A merge parent must be a commit of the same tenant and catalog (in
 * SQLite only its id is a foreign key): no row inserted otherwise. */
static const char COMMIT_INSERT_MERGE[] = COMMIT_INSERT_INTO
	" SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, coalesce(?8, '[]'), ?9"
	" WHERE EXISTS (SELECT 1 FROM commits"
	"  WHERE id = ?9 AND tenant_id = ?2 AND catalog_name = ?3)";
/*
 * Every other commit (all of a table's): plain values.  The form above
 * reads the table it writes, which SQLite answers by staging the row in
 * a temporary b-tree it opens and closes per commit.
 */
static const char COMMIT_INSERT[] = COMMIT_INSERT_INTO
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, coalesce(?8, '[]'), ?9)";
static const char COMMIT_GET[] =
	"SELECT " COMMIT_FIELDS " FROM commits"
	" WHERE id = ?2 AND tenant_id = ?1";
/*
 * A page of head's ancestry, head first: one primary-key lookup per step,
 * the depth bounded by ?3 (offset + limit) inside the recursion so a short
 * page stops there instead of reading the whole chain and sorting it (a
 * LIMIT inside the recursive term would do the same in SQLite, but
 * PostgreSQL refuses one); LIMIT ?4 OFFSET ?5 then cut the page.  The FK
 * on parent_id rules out cycles, and the tenant test on every step keeps
 * the walk inside the caller's tenant.  The count walks the whole chain,
 * touching only the primary key and parent_id.
 */
static const char COMMIT_ANCESTRY_PAGE[] =
	"WITH RECURSIVE chain(depth, " COMMIT_FIELDS ") AS ("
	"  SELECT 0, " COMMIT_FIELDS " FROM commits"
	"   WHERE id = ?2 AND tenant_id = ?1"
	"  UNION ALL"
	"  SELECT chain.depth + 1, c.id, c.catalog_name, c.parent_id,"
	"   c.timestamp, c.author, c.message, c.operations, c.merge_parent_id"
	"   FROM chain JOIN commits c ON c.id = chain.parent_id"
	"   WHERE c.tenant_id = ?1 AND chain.depth + 1 < ?3)"
	" SELECT " COMMIT_FIELDS " FROM chain ORDER BY depth LIMIT ?4 OFFSET ?5";
static const char COMMIT_ANCESTRY_COUNT[] =
	"WITH RECURSIVE chain(id, parent_id) AS ("
	"  SELECT id, parent_id FROM commits WHERE id = ?2 AND tenant_id = ?1"
	"  UNION ALL"
	"  SELECT c.id, c.parent_id FROM chain"
	"   JOIN commits c ON c.id = chain.parent_id WHERE c.tenant_id = ?1)"
	" SELECT count(*) FROM chain";

static void
commit_fill(struct row *r, void *out)
{
	struct pgl_commit	*c = out;

	c->id = row_text(r);
	c->catalog = row_text(r);
	c->parent_id = row_text(r);
	c->timestamp_ms = row_int(r);
	c->author = row_text(r);
	c->message = row_text(r);
	c->operations = row_text(r);
	c->merge_parent_id = row_text(r);
}

int
sql_create_commit(struct pgl_store *s, const char *tenant,
    const struct pgl_commit *c, struct pgl_err *err)
{
	uint64_t	changed = 0;
	int		rc;

	rc = store_write(s, err, c->merge_parent_id != NULL ?
	    COMMIT_INSERT_MERGE : COMMIT_INSERT, &changed, 1, "ssssissss",
	    c->id, tenant, c->catalog, c->parent_id,
	    c->timestamp_ms ? c->timestamp_ms : store_now_ms(), c->author,
	    c->message, c->operations, c->merge_parent_id);
	if (rc == PGL_OK && changed == 0)
		return (store_err(err, PGL_ENOTFOUND, "merge parent commit %s "
		    "not found in catalog %s", c->merge_parent_id, c->catalog));
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "catalog %s or parent commit %s not "
		    "found", c->catalog, c->parent_id ? c->parent_id : "-");
	return (rc);
}

int
sql_get_commit(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *id, struct pgl_commit *out,
    struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, COMMIT_GET, commit_fill, out, "ss", tenant,
	    id);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "commit %s not found", id);
	return (rc);
}

int
sql_get_commit_ancestry(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *head, uint32_t limit,
    struct pgl_commit **items, size_t *n, struct pgl_err *err)
{
	void	*p;
	int	rc;

	/* The first page of the chain, limit 0 meaning all of it. */
	rc = store_list(s, a, err, COMMIT_ANCESTRY_PAGE, commit_fill,
	    sizeof(**items), &p, n, "ssiii", tenant, head,
	    limit == 0 ? INT64_MAX : (int64_t)limit,
	    limit == 0 ? INT64_MAX : (int64_t)limit, (int64_t)0);
	*items = p;
	/* The head itself is always the first row when it exists. */
	if (rc == PGL_OK && *n == 0)
		rc = store_err(err, PGL_ENOTFOUND, "commit %s not found", head);
	return (rc);
}

int
sql_list_commit_ancestry(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *head, const struct pgl_page *pg,
    struct pgl_commit **items, size_t *n, uint64_t *total,
    struct pgl_err *err)
{
	int64_t		limit = pg->limit == 0 ? INT64_MAX : (int64_t)pg->limit;
	int64_t		offset = (int64_t)pg->offset, walk;
	uint64_t	count;
	void		*p = NULL;
	int		rc;

	*items = NULL;
	*n = 0;
	rc = store_count(s, err, COMMIT_ANCESTRY_COUNT, &count, "ss", tenant,
	    head);
	if (rc == PGL_OK && count == 0)
		rc = store_err(err, PGL_ENOTFOUND, "commit %s not found", head);
	if (rc != PGL_OK)
		return (rc);
	if (total != NULL)
		*total = count;
	if ((uint64_t)offset >= count)
		return (PGL_OK);
	walk = limit > INT64_MAX - offset ? INT64_MAX : limit + offset;
	rc = store_list(s, a, err, COMMIT_ANCESTRY_PAGE, commit_fill,
	    sizeof(**items), &p, n, "ssiii", tenant, head, walk, limit,
	    offset);
	*items = p;
	return (rc);
}
