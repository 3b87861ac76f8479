/*
 * Merge operations, their conflicts, and the merge base of two commits
 * (store.h, ABI 1.6).  An operation and a conflict are a few key columns
 * and the JSON document the API returns, stored as given.  Everything is
 * keyed by tenant first: another tenant's operation is not found.
 */
#include <string.h>

#include "sql_store.h"

#define OP_FIELDS	"id, tenant_id, catalog_name, status, doc, initiated_at"

static const char OP_INSERT[] =
	"INSERT INTO merge_operations (" OP_FIELDS ")"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char OP_GET[] =
	"SELECT " OP_FIELDS " FROM merge_operations"
	" WHERE tenant_id = ?1 AND id = ?2";
static const char OP_LIST[] =
	"SELECT " OP_FIELDS " FROM merge_operations"
	" WHERE tenant_id = ?1 AND catalog_name = ?2"
	" AND (initiated_at, id) < (?5, ?6)"
	" ORDER BY initiated_at DESC, id DESC LIMIT ?3 OFFSET ?4";
static const char OP_COUNT[] =
	"SELECT count(*) FROM merge_operations"
	" WHERE tenant_id = ?1 AND catalog_name = ?2";
static const char OP_UPDATE[] =
	"UPDATE merge_operations SET status = ?3, doc = ?4"
	" WHERE tenant_id = ?1 AND id = ?2";

#define CONFLICT_FIELDS	"id, merge_op_id, doc"

/* The operation must be the tenant's: no row inserted otherwise. */
static const char CONFLICT_INSERT[] =
	"INSERT INTO merge_conflicts (id, tenant_id, merge_op_id, seq, doc)"
	" SELECT ?2, ?1, ?3, (SELECT coalesce(max(seq), 0) + 1"
	"  FROM merge_conflicts WHERE merge_op_id = ?3), ?4"
	" WHERE EXISTS (SELECT 1 FROM merge_operations"
	"  WHERE tenant_id = ?1 AND id = ?3)";
static const char CONFLICT_LIST[] =
	"SELECT " CONFLICT_FIELDS " FROM merge_conflicts"
	" WHERE tenant_id = ?1 AND merge_op_id = ?2"
	" ORDER BY seq LIMIT ?3 OFFSET ?4";
static const char CONFLICT_COUNT[] =
	"SELECT count(*) FROM merge_conflicts"
	" WHERE tenant_id = ?1 AND merge_op_id = ?2";
static const char CONFLICT_GET[] =
	"SELECT " CONFLICT_FIELDS " FROM merge_conflicts"
	" WHERE tenant_id = ?1 AND id = ?2";
static const char CONFLICT_UPDATE[] =
	"UPDATE merge_conflicts SET doc = ?3 WHERE tenant_id = ?1 AND id = ?2";

/*
 * The ancestors of ?2 and of ?3 (each commit itself at distance 0),
 * following both parents; UNION keeps one row per (commit, distance), so
 * a history full of merges stays bounded by commits x depth.  Of the
 * commits in both sets: the newest, then the one nearest to both heads.
 * The tenant test on every step keeps the walk inside the tenant.  The
 * count tells a missing head (no row at distance 0) from no common
 * ancestor.
 *
 * A step reads its commit by id and takes the two parent columns as two
 * rows (k), so every step is one lookup whatever the planner believes.
 * Joining the parents as "commits p ON p.id IN (parent, merge parent)"
 * let PostgreSQL, with a young table's statistics, scan every commit of
 * the tenant per step, and again per row: 49 s for two chains of 500.
 */
#define ANCESTORS(cte, head) \
	cte "(id, d) AS (" \
	"  SELECT id, 0 FROM commits WHERE id = " head " AND tenant_id = ?1" \
	"  UNION" \
	"  SELECT CASE k.n WHEN 0 THEN c.parent_id ELSE c.merge_parent_id END," \
	"   " cte ".d + 1 FROM " cte \
	"   JOIN commits c ON c.id = " cte ".id AND c.tenant_id = ?1" \
	"   CROSS JOIN (SELECT 0 AS n UNION ALL SELECT 1) k" \
	"   WHERE CASE k.n WHEN 0 THEN c.parent_id" \
	"    ELSE c.merge_parent_id END IS NOT NULL)"

static const char MERGE_BASE[] =
	"WITH RECURSIVE " ANCESTORS("a", "?2") ", " ANCESTORS("b", "?3") ","
	" common(id, d) AS (SELECT a.id, min(a.d) + min(b.d)"
	"  FROM a JOIN b ON b.id = a.id GROUP BY a.id)"
	" SELECT common.id FROM common"
	"  JOIN commits c ON c.id = common.id AND c.tenant_id = ?1"
	" ORDER BY c.timestamp DESC, common.d, common.id LIMIT 1";
static const char HEADS_EXIST[] =
	"SELECT count(*) FROM commits"
	" WHERE tenant_id = ?1 AND id IN (?2, ?3)";

static void
op_fill(struct row *r, void *out)
{
	struct pgl_merge_op	*m = out;

	m->id = row_text(r);
	m->tenant_id = row_text(r);
	m->catalog = row_text(r);
	m->status = row_text(r);
	m->doc = row_text(r);
	m->initiated_at_ms = row_int(r);
}

static void
conflict_fill(struct row *r, void *out)
{
	struct pgl_merge_conflict	*c = out;

	c->id = row_text(r);
	c->merge_op_id = row_text(r);
	c->doc = row_text(r);
}

static void
text_fill(struct row *r, void *out)
{
	*(const char **)out = row_text(r);
}

int
sql_create_merge_op(struct pgl_store *s, const struct pgl_merge_op *m,
    struct pgl_err *err)
{
	int	rc;

	if (m->id == NULL || m->tenant_id == NULL || m->catalog == NULL ||
	    m->status == NULL || m->doc == NULL)
		return (store_err(err, PGL_EINVAL, "invalid merge operation "
		    "(id, tenant, catalog, status and doc are required)"));
	rc = store_exec(s, err, OP_INSERT, NULL, "sssssi", m->id,
	    m->tenant_id, m->catalog, m->status, m->doc,
	    m->initiated_at_ms != 0 ? m->initiated_at_ms : store_now_ms());
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "catalog %s not found", m->catalog);
	return (rc);
}

int
sql_get_merge_op(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *id, struct pgl_merge_op *out,
    struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, OP_GET, op_fill, out, "ss", tenant, id);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "Merge operation not found");
	return (rc);
}

int
sql_list_merge_ops(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const struct pgl_page *page,
    struct pgl_merge_op **items, size_t *n, uint64_t *total,
    struct pgl_err *err)
{
	void	*p;
	int	rc;

	rc = store_list(s, a, err, OP_LIST, op_fill, sizeof(**items), &p, n,
	    "sspis", tenant, catalog, page, sql_after_n(page, INT64_MAX),
	    sql_after_s(page));
	*items = p;
	if (rc == PGL_OK && total != NULL)
		rc = store_count(s, err, OP_COUNT, total, "ss", tenant,
		    catalog);
	return (rc);
}

int
sql_update_merge_op(struct pgl_store *s, const struct pgl_merge_op *m,
    struct pgl_err *err)
{
	uint64_t	changed;
	int		rc;

	if (m->status == NULL || m->doc == NULL)
		return (store_err(err, PGL_EINVAL, "invalid merge operation "
		    "(status and doc are required)"));
	rc = store_exec(s, err, OP_UPDATE, &changed, "ssss", m->tenant_id,
	    m->id, m->status, m->doc);
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "Merge operation not found");
	return (rc);
}

int
sql_create_merge_conflict(struct pgl_store *s, const char *tenant,
    const struct pgl_merge_conflict *c, struct pgl_err *err)
{
	uint64_t	changed = 0;
	int		rc;

	if (c->id == NULL || c->merge_op_id == NULL || c->doc == NULL)
		return (store_err(err, PGL_EINVAL, "invalid merge conflict "
		    "(id, operation and doc are required)"));
	rc = store_exec(s, err, CONFLICT_INSERT, &changed, "ssss", tenant,
	    c->id, c->merge_op_id, c->doc);
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "Merge operation not found");
	return (rc);
}

int
sql_list_merge_conflicts(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *op, const struct pgl_page *page,
    struct pgl_merge_conflict **items, size_t *n, uint64_t *total,
    struct pgl_err *err)
{
	void	*p;
	int	rc;

	rc = store_list(s, a, err, CONFLICT_LIST, conflict_fill,
	    sizeof(**items), &p, n, "ssp", tenant, op, page);
	*items = p;
	if (rc == PGL_OK && total != NULL)
		rc = store_count(s, err, CONFLICT_COUNT, total, "ss", tenant,
		    op);
	return (rc);
}

int
sql_get_merge_conflict(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *id, struct pgl_merge_conflict *out,
    struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, CONFLICT_GET, conflict_fill, out, "ss",
	    tenant, id);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "Conflict not found");
	return (rc);
}

int
sql_update_merge_conflict(struct pgl_store *s, const char *tenant,
    const struct pgl_merge_conflict *c, struct pgl_err *err)
{
	uint64_t	changed;
	int		rc;

	if (c->doc == NULL)
		return (store_err(err, PGL_EINVAL, "invalid merge conflict "
		    "(doc is required)"));
	rc = store_exec(s, err, CONFLICT_UPDATE, &changed, "sss", tenant,
	    c->id, c->doc);
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "Conflict not found");
	return (rc);
}

int
sql_get_merge_base(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *ca, const char *cb, const char **base,
    struct pgl_err *err)
{
	uint64_t	heads;
	int		rc;

	*base = NULL;
	rc = store_get(s, a, err, MERGE_BASE, text_fill, base, "sss", tenant,
	    ca, cb);
	if (rc != PGL_ENOTFOUND)
		return (rc);
	/* No common ancestor, or a head that is not there. */
	if ((rc = store_count(s, err, HEADS_EXIST, &heads, "sss", tenant, ca,
	    cb)) != PGL_OK)
		return (rc);
	if (heads < (strcmp(ca, cb) == 0 ? 1u : 2u))
		return (store_err(err, PGL_ENOTFOUND, "commit %s or %s not "
		    "found", ca, cb));
	return (PGL_OK);
}
