/*
 * Assets read (mongo_assets.c writes them): one asset by key or by id,
 * a namespace's page of them, a branch's all.  On a forked branch (ABI
 * 1.12) each is one resolving aggregation of the branch's lineage
 * (mongo_lineage.c), cut and sorted on the server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mongo_store.h"

void
mongo_asset_fill(struct doc *d, void *out)
{
	struct pgl_asset	*as = out;

	as->id = doc_str(d, "id");
	as->catalog = doc_str(d, "catalog_name");
	as->branch = doc_str(d, "branch_name");
	as->ns = doc_str(d, "namespace");
	as->name = doc_str(d, "name");
	as->kind = doc_str(d, "kind");
	as->location = doc_str(d, "location");
	as->metadata_location = doc_str(d, "metadata_location");
	as->properties = doc_str(d, "properties");
	as->created_at_ms = doc_int(d, "created_at");
	as->updated_at_ms = doc_int(d, "updated_at");
	/* ABI 1.26: a document of before the upgrade's backfill is its own. */
	if ((as->origin = doc_str(d, "origin")) == NULL)
		as->origin = as->id;
}

/* A resolving read of branch (mongo_lineage.c) into an arena array. */
static int
lineage_list(struct pgl_store *s, struct pgl_arena *a,
    const struct lineage_q *q, doc_fill_fn fill, size_t size, void **items,
    size_t *n, struct pgl_err *err)
{
	bson_t	*pipeline;
	int	 rc;

	pipeline = mongo_lineage_pipeline(s, q);
	rc = mg_aggregate(s, a, err, COLL_BRANCHES, pipeline, fill, size,
	    items, n);
	bson_destroy(pipeline);
	return (rc);
}

static void
lineage_query(struct lineage_q *q, const char *tenant, const char *catalog,
    const char *branch, const bson_t *match)
{
	memset(q, 0, sizeof(*q));
	q->tenant = tenant;
	q->catalog = catalog;
	q->branch = branch;
	q->match = match;
}

/* One aggregation: the branch's lineage and the key's rows on it
 * (mongo_read_key); the asset carries the branch asked about. */
int
mongo_get_asset(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const char *branch,
    const char *ns, const char *name, struct pgl_asset *out,
    struct pgl_err *err)
{
	struct resolved	r;
	struct doc	d;
	int		rc;

	rc = mongo_read_key(s, tenant, catalog, branch, ns, name, &r, err);
	if (rc == PGL_OK && (r.row == NULL || r.gone))
		rc = mongo_err(err, PGL_ENOTFOUND, "asset %s not found",
		    name != NULL ? name : "-");
	if (rc == PGL_OK) {
		memset(&d, 0, sizeof(d));
		d.s = s;
		d.a = a;
		d.b = r.row;
		mongo_asset_fill(&d, out);
		out->branch = s->host->arena_strndup(a, branch,
		    strlen(branch));
		if (d.oom || out->branch == NULL)
			rc = mongo_err(err, PGL_ENOMEM, "arena exhausted");
	}
	mongo_resolved_free(&r);
	return (rc);
}

/* By id: the row itself, on its own branch; never a tombstone. */
int
mongo_get_asset_by_id(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *id, struct pgl_asset *out,
    struct pgl_err *err)
{
	bson_t	filter = BSON_INITIALIZER;
	int	rc;

	mg_str(&filter, "id", id);
	mg_str(&filter, "tenant_id", tenant);
	mongo_not_gone(&filter);
	rc = mg_get(s, a, err, COLL_ASSETS, &filter, mongo_asset_fill, out);
	if (rc == PGL_ENOTFOUND)
		(void)mongo_err(err, rc, "asset %s not found", id);
	bson_destroy(&filter);
	return (rc);
}

/*
 * The rows after the key (after_ns, after_name) in list order (within
 * ns, after the name alone).  The condition holds for every row of a key
 * alike, so it narrows the rows before resolution.
 */
static void
after_key(bson_t *match, const char *ns, const char *after_ns,
    const char *after_name)
{
	bson_t	*after;

	if (after_name == NULL)
		after_name = "";
	if (ns != NULL)
		after = BCON_NEW("name", "{", "$gt", BCON_UTF8(after_name),
		    "}");
	else {
		if (after_ns == NULL)
			after_ns = "";
		after = BCON_NEW("namespace", "{", "$gte", BCON_UTF8(after_ns),
		    "}", "$or", "[",
		    "{", "namespace", "{", "$gt", BCON_UTF8(after_ns), "}", "}",
		    "{", "name", "{", "$gt", BCON_UTF8(after_name), "}", "}",
		    "]");
	}
	bson_concat(match, after);
	bson_destroy(after);
}

/*
 * kind NULL = any; without a namespace, the whole branch; sorted by
 * (namespace, name).  The kind is a filter on the resolved rows (a key's
 * own row may differ in kind from the one it hides).  The total is a
 * second aggregation, as the count of a find was.
 */
int
mongo_list_assets(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const char *branch,
    const char *ns, const char *kind, const struct pgl_page *page,
    struct pgl_asset **items, size_t *n, uint64_t *total,
    struct pgl_err *err)
{
	struct lineage_q	 q;
	bson_t			 match = BSON_INITIALIZER;
	bson_t			 keyed = BSON_INITIALIZER;
	void			*p = NULL;
	int			 rc;

	*items = NULL;
	*n = 0;
	if (ns != NULL)
		BSON_APPEND_UTF8(&match, "namespace", ns);
	/* A keyset page (ABI 1.28) reads after its key; the total is of
	 * every match. */
	bson_concat(&keyed, &match);
	if (page != NULL && page->after != NULL)
		after_key(&keyed, ns, page->after->s, page->after->s2);
	lineage_query(&q, tenant, catalog, branch, &keyed);
	q.kind = kind;
	q.page = page;
	if (tenant == NULL || catalog == NULL || branch == NULL) {
		bson_destroy(&match);
		bson_destroy(&keyed);
		if (total != NULL)
			*total = 0;
		return (PGL_OK);
	}
	rc = lineage_list(s, a, &q, mongo_asset_fill, sizeof(**items), &p, n,
	    err);
	*items = p;
	q.match = &match;
	if (rc == PGL_OK && total != NULL)
		rc = mongo_lineage_count(s, &q, total, err);
	bson_destroy(&match);
	bson_destroy(&keyed);
	return (rc);
}

static void
asset_key_fill(struct doc *d, void *out)
{
	struct pgl_asset	*as = out;

	memset(as, 0, sizeof(*as));
	as->id = doc_str(d, "id");
	as->catalog = doc_str(d, "catalog_name");
	as->branch = doc_str(d, "branch_name");
	as->ns = doc_str(d, "namespace");
	as->name = doc_str(d, "name");
	as->kind = doc_str(d, "kind");
}

/* Keyset page: after (after_ns, after_name) in list order, key fields. */
int
mongo_list_assets_after(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const char *branch,
    const char *ns, const char *kind, const char *after_ns,
    const char *after_name, uint32_t limit, struct pgl_asset **items,
    size_t *n, struct pgl_err *err)
{
	struct pgl_page		 page = { limit, 0, NULL };
	struct lineage_q	 q;
	bson_t			 match = BSON_INITIALIZER;
	void			*p = NULL;
	int			 rc;

	*items = NULL;
	*n = 0;
	if (limit == 0 || after_name == NULL || (ns == NULL &&
	    after_ns == NULL))
		return (mongo_err(err, PGL_EINVAL, "list_assets_after: a "
		    "limit and a key are required"));
	if (tenant == NULL || catalog == NULL || branch == NULL)
		return (PGL_OK);
	if (ns != NULL)
		BSON_APPEND_UTF8(&match, "namespace", ns);
	after_key(&match, ns, after_ns, after_name);
	lineage_query(&q, tenant, catalog, branch, &match);
	q.kind = kind;
	q.page = &page;
	rc = lineage_list(s, a, &q, asset_key_fill, sizeof(**items), &p, n,
	    err);
	*items = p;
	bson_destroy(&match);
	return (rc);
}

/* Every asset a branch sees, in one aggregation (conflicts, merges). */
int
mongo_list_all_assets_for_branch(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const char *branch,
    struct pgl_asset **items, size_t *n, struct pgl_err *err)
{
	struct lineage_q	 q;
	void			*p = NULL;
	int			 rc;

	*items = NULL;
	*n = 0;
	if (tenant == NULL || catalog == NULL || branch == NULL)
		return (PGL_OK);
	lineage_query(&q, tenant, catalog, branch, NULL);
	rc = lineage_list(s, a, &q, mongo_asset_fill, sizeof(**items), &p, n,
	    err);
	*items = p;
	return (rc);
}
