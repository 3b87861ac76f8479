/*
 * Merge operations, their conflicts and merge bases, as
 * plugins/sql-common/sql_merges.c.  A conflict carries its operation's
 * catalog so that a catalog delete takes it with one delete by key.
 *
 * Commits keep `parents` (parent_id, then merge_parent_id, the ones that
 * are set) beside the two fields, because $graphLookup follows one field,
 * each element of an array one by one: the merge base is one
 * aggregation that walks both heads' ancestry through it.  Commits
 * written before merges existed have no `parents` and end the walk; they
 * are only ever first-parent chains, whose merges the API never asks for
 * (the merge base of two branches made before merges existed is found
 * once either has a commit written since).
 */
#include <string.h>

#include "mongo_store.h"

void
mongo_parents(bson_t *doc, const char *parent, const char *merge_parent)
{
	bson_t	arr;

	BSON_APPEND_ARRAY_BEGIN(doc, "parents", &arr);
	if (parent != NULL)
		BSON_APPEND_UTF8(&arr, "0", parent);
	if (merge_parent != NULL)
		BSON_APPEND_UTF8(&arr, parent != NULL ? "1" : "0",
		    merge_parent);
	bson_append_array_end(doc, &arr);
}

static void
op_fill(struct doc *d, void *out)
{
	struct pgl_merge_op	*m = out;

	m->id = doc_str(d, "id");
	m->tenant_id = doc_str(d, "tenant_id");
	m->catalog = doc_str(d, "catalog_name");
	m->status = doc_str(d, "status");
	m->doc = doc_str(d, "doc");
	m->initiated_at_ms = doc_int(d, "initiated_at");
}

static const struct mg_shape	op_shape = {
	COLL_MERGE_OPS, sizeof(struct pgl_merge_op), op_fill, "Merge operation",
	MG_NAME_NONE, "ns"
};

static void
conflict_fill(struct doc *d, void *out)
{
	struct pgl_merge_conflict	*c = out;

	c->id = doc_str(d, "id");
	c->merge_op_id = doc_str(d, "merge_op_id");
	c->doc = doc_str(d, "doc");
}

static const struct mg_shape	conflict_shape = {
	COLL_MERGE_CONFLICTS, sizeof(struct pgl_merge_conflict), conflict_fill,
	"Conflict", MG_NAME_NONE, NULL
};

int
mongo_create_merge_op(struct pgl_store *s, const struct pgl_merge_op *m,
    struct pgl_err *err)
{
	bson_t	doc = BSON_INITIALIZER, filter = BSON_INITIALIZER;
	int	found = 0, rc;

	if (m->id == NULL || m->tenant_id == NULL || m->catalog == NULL ||
	    m->status == NULL || m->doc == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid merge operation "
		    "(id, tenant, catalog, status and doc are required)"));
	mg_str(&filter, "tenant_id", m->tenant_id);
	mg_str(&filter, "name", m->catalog);
	rc = mg_exists(s, err, COLL_CATALOGS, &filter, &found);
	bson_destroy(&filter);
	if (rc == PGL_OK && !found)
		return (mongo_err(err, PGL_ENOTFOUND, "catalog %s not found",
		    m->catalog));
	if (rc != PGL_OK)
		return (rc);
	/* The unique index decides a race; this answers before writing. */
	filter = (bson_t)BSON_INITIALIZER;
	mg_str(&filter, "tenant_id", m->tenant_id);
	mg_str(&filter, "id", m->id);
	rc = mg_exists(s, err, COLL_MERGE_OPS, &filter, &found);
	bson_destroy(&filter);
	if (rc == PGL_OK && found)
		return (mongo_err(err, PGL_EEXISTS, "already exists (merge "
		    "operation %s)", m->id));
	if (rc != PGL_OK)
		return (rc);
	BSON_APPEND_UTF8(&doc, "id", m->id);
	BSON_APPEND_UTF8(&doc, "tenant_id", m->tenant_id);
	BSON_APPEND_UTF8(&doc, "catalog_name", m->catalog);
	BSON_APPEND_UTF8(&doc, "status", m->status);
	BSON_APPEND_UTF8(&doc, "doc", m->doc);
	BSON_APPEND_INT64(&doc, "initiated_at", m->initiated_at_ms != 0 ?
	    m->initiated_at_ms : mongo_now_ms());
	rc = mg_insert(s, err, COLL_MERGE_OPS, &doc);
	bson_destroy(&doc);
	return (rc);
}

int
mongo_get_merge_op(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *id, struct pgl_merge_op *out,
    struct pgl_err *err)
{
	return (mg_get_by(s, a, err, &op_shape, out, "tenant_id", tenant, "id",
	    id, NULL));
}

int
mongo_list_merge_ops(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const struct pgl_page *page,
    struct pgl_merge_op **items, size_t *n, uint64_t *total,
    struct pgl_err *err)
{
	bson_t	filter = BSON_INITIALIZER;
	bson_t	*sort = BCON_NEW("initiated_at", BCON_INT32(-1), "id",
		    BCON_INT32(-1));
	int	 rc;

	mg_str(&filter, "tenant_id", tenant);
	mg_str(&filter, "catalog_name", catalog);
	rc = mg_page(s, a, err, &op_shape, &filter, sort, page, items, n,
	    total);
	bson_destroy(sort);
	bson_destroy(&filter);
	return (rc);
}

int
mongo_update_merge_op(struct pgl_store *s, const struct pgl_merge_op *m,
    struct pgl_err *err)
{
	bson_t		*filter, *up;
	uint64_t	 matched = 0;
	int		 rc;

	if (m->id == NULL || m->tenant_id == NULL || m->status == NULL ||
	    m->doc == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid merge operation "
		    "(status and doc are required)"));
	filter = BCON_NEW("tenant_id", BCON_UTF8(m->tenant_id), "id",
	    BCON_UTF8(m->id));
	up = BCON_NEW("$set", "{", "status", BCON_UTF8(m->status), "doc",
	    BCON_UTF8(m->doc), "}");
	rc = mg_update(s, err, COLL_MERGE_OPS, filter, up, 0, &matched);
	if (rc == PGL_OK && matched == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "Merge operation not found");
	bson_destroy(filter);
	bson_destroy(up);
	return (rc);
}

/* The operation's catalog, without an arena (the method has none). */
struct op_catalog {
	char	name[512];
};

static void
op_catalog_fill(struct doc *d, void *out)
{
	struct op_catalog	*c = out;
	bson_iter_t		 it;
	const char		*v;
	uint32_t		 len;

	if (!bson_iter_init_find(&it, d->b, "catalog_name") ||
	    !BSON_ITER_HOLDS_UTF8(&it))
		return;
	v = bson_iter_utf8(&it, &len);
	if (len < sizeof(c->name))
		memcpy(c->name, v, (size_t)len + 1);
}

int
mongo_create_merge_conflict(struct pgl_store *s, const char *tenant,
    const struct pgl_merge_conflict *c, struct pgl_err *err)
{
	struct op_catalog	op = { "" };
	bson_t			doc = BSON_INITIALIZER, filter = BSON_INITIALIZER;
	uint64_t		seq = 0;
	int			rc;

	if (tenant == NULL || c->id == NULL || c->merge_op_id == NULL ||
	    c->doc == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid merge conflict "
		    "(id, operation and doc are required)"));
	mg_str(&filter, "tenant_id", tenant);
	mg_str(&filter, "id", c->merge_op_id);
	rc = mg_get(s, NULL, err, COLL_MERGE_OPS, &filter, op_catalog_fill,
	    &op);
	bson_destroy(&filter);
	if (rc == PGL_ENOTFOUND)
		return (mongo_err(err, rc, "Merge operation not found"));
	if (rc != PGL_OK)
		return (rc);
	filter = (bson_t)BSON_INITIALIZER;
	mg_str(&filter, "tenant_id", tenant);
	mg_str(&filter, "merge_op_id", c->merge_op_id);
	rc = mg_count(s, err, COLL_MERGE_CONFLICTS, &filter, &seq);
	bson_destroy(&filter);
	if (rc != PGL_OK)
		return (rc);
	BSON_APPEND_UTF8(&doc, "id", c->id);
	BSON_APPEND_UTF8(&doc, "tenant_id", tenant);
	BSON_APPEND_UTF8(&doc, "catalog_name", op.name);
	BSON_APPEND_UTF8(&doc, "merge_op_id", c->merge_op_id);
	BSON_APPEND_INT64(&doc, "seq", (int64_t)seq + 1);
	BSON_APPEND_UTF8(&doc, "doc", c->doc);
	rc = mg_insert(s, err, COLL_MERGE_CONFLICTS, &doc);
	bson_destroy(&doc);
	return (rc);
}

int
mongo_list_merge_conflicts(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *op, const struct pgl_page *page,
    struct pgl_merge_conflict **items, size_t *n, uint64_t *total,
    struct pgl_err *err)
{
	bson_t	filter = BSON_INITIALIZER;
	bson_t	*sort = BCON_NEW("seq", BCON_INT32(1));
	int	 rc;

	mg_str(&filter, "tenant_id", tenant);
	mg_str(&filter, "merge_op_id", op);
	rc = mg_page(s, a, err, &conflict_shape, &filter, sort, page, items, n,
	    total);
	bson_destroy(sort);
	bson_destroy(&filter);
	return (rc);
}

int
mongo_get_merge_conflict(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *id, struct pgl_merge_conflict *out,
    struct pgl_err *err)
{
	return (mg_get_by(s, a, err, &conflict_shape, out, "tenant_id", tenant,
	    "id", id, NULL));
}

int
mongo_update_merge_conflict(struct pgl_store *s, const char *tenant,
    const struct pgl_merge_conflict *c, struct pgl_err *err)
{
	bson_t		*filter, *up;
	uint64_t	 matched = 0;
	int		 rc;

	if (tenant == NULL || c->id == NULL || c->doc == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid merge conflict "
		    "(doc is required)"));
	filter = BCON_NEW("tenant_id", BCON_UTF8(tenant), "id",
	    BCON_UTF8(c->id));
	up = BCON_NEW("$set", "{", "doc", BCON_UTF8(c->doc), "}");
	rc = mg_update(s, err, COLL_MERGE_CONFLICTS, filter, up, 0, &matched);
	if (rc == PGL_OK && matched == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "Conflict not found");
	bson_destroy(filter);
	bson_destroy(up);
	return (rc);
}

struct base_row {
	const char	*id;
	int64_t		 heads;
};

static void
base_fill(struct doc *d, void *out)
{
	struct base_row	*b = out;

	b->id = doc_str(d, "_id");
	b->heads = doc_int(d, "heads");
}

/*
 * One aggregation: both heads, each one's ancestry through `parents`
 * (depth 0 is the head itself), grouped by ancestor; the ancestors both
 * reach, newest first, then nearest to both.  A head that is its own
 * merge base (a == b, or an ancestor of the other) is found the same way.
 */
int
mongo_get_merge_base(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *ca, const char *cb, const char **base,
    struct pgl_err *err)
{
	struct base_row	 row = { NULL, 0 };
	bson_t		*pipeline, filter = BSON_INITIALIZER, in, arr;
	uint64_t	 heads = 0;
	int		 want = strcmp(ca, cb) == 0 ? 1 : 2, rc;

	*base = NULL;
	pipeline = BCON_NEW("pipeline", "[",
	    "{", "$match", "{", "tenant_id", BCON_UTF8(tenant), "id", "{",
	    "$in", "[", BCON_UTF8(ca), BCON_UTF8(cb), "]", "}", "}", "}",
	    "{", "$graphLookup", "{",
	    "from", BCON_UTF8(mongo_coll_names[COLL_COMMITS]),
	    "startWith", BCON_UTF8("$id"),
	    "connectFromField", BCON_UTF8("parents"),
	    "connectToField", BCON_UTF8("id"),
	    "as", BCON_UTF8("chain"),
	    "maxDepth", BCON_INT32(INT32_MAX),
	    "depthField", BCON_UTF8("depth"),
	    "restrictSearchWithMatch", "{", "tenant_id", BCON_UTF8(tenant),
	    "}", "}", "}",
	    "{", "$unwind", BCON_UTF8("$chain"), "}",
	    "{", "$group", "{", "_id", BCON_UTF8("$chain.id"),
	    "heads", "{", "$sum", BCON_INT32(1), "}",
	    "d", "{", "$sum", BCON_UTF8("$chain.depth"), "}",
	    "ts", "{", "$max", BCON_UTF8("$chain.timestamp"), "}", "}", "}",
	    "{", "$match", "{", "heads", BCON_INT32(want), "}", "}",
	    "{", "$sort", "{", "ts", BCON_INT32(-1), "d", BCON_INT32(1),
	    "_id", BCON_INT32(1), "}", "}",
	    "{", "$limit", BCON_INT32(1), "}",
	    "]");
	rc = mg_aggregate_get(s, a, err, COLL_COMMITS, pipeline, base_fill,
	    &row);
	bson_destroy(pipeline);
	if (rc == PGL_OK)
		*base = row.id;
	if (rc != PGL_ENOTFOUND)
		return (rc);
	/* No common ancestor, or a head that is not there. */
	mg_str(&filter, "tenant_id", tenant);
	BSON_APPEND_DOCUMENT_BEGIN(&filter, "id", &in);
	BSON_APPEND_ARRAY_BEGIN(&in, "$in", &arr);
	BSON_APPEND_UTF8(&arr, "0", ca);
	BSON_APPEND_UTF8(&arr, "1", cb);
	bson_append_array_end(&in, &arr);
	bson_append_document_end(&filter, &in);
	rc = mg_count(s, err, COLL_COMMITS, &filter, &heads);
	bson_destroy(&filter);
	if (rc == PGL_OK && heads < (uint64_t)want)
		rc = mongo_err(err, PGL_ENOTFOUND, "commit %s or %s not found",
		    ca, cb);
	return (rc);
}
