/*
 * Branches, tags and commits: the catalog's history.  Commits form a
 * parent chain per catalog; a branch head and a tag each name one.  As in
 * store-sqlite, a commit's parent, a branch head and a tag must name a
 * commit of the same tenant and catalog; here the methods check it (no
 * foreign keys), and since commits are never changed or deleted on their
 * own (only with their catalog), a check cannot be overtaken by a delete.
 *
 * Kept whole, over 600 lines: branches, tags and commits check one another's
 * references on every write, and read together those checks are the
 * guarantee the foreign keys give elsewhere.
 */
#include <stdint.h>
#include <string.h>

#include "mongo_store.h"

static void
catalog_key(bson_t *b, const char *tenant, const char *catalog,
    const char *field, const char *value)
{
	bson_init(b);
	mg_str(b, "tenant_id", tenant);
	mg_str(b, "catalog_name", catalog);
	if (field != NULL)
		mg_str(b, field, value);
}

static int
catalog_exists(struct pgl_store *s, struct pgl_err *err, const char *tenant,
    const char *catalog, int *found)
{
	bson_t	filter = BSON_INITIALIZER;
	int	rc;

	mg_str(&filter, "tenant_id", tenant);
	mg_str(&filter, "name", catalog);
	rc = mg_exists(s, err, COLL_CATALOGS, &filter, found);
	bson_destroy(&filter);
	return (rc);
}

/* A commit of this tenant and catalog. */
static int
commit_exists(struct pgl_store *s, struct pgl_err *err, const char *tenant,
    const char *catalog, const char *id, int *found)
{
	bson_t	filter;
	int	rc;

	catalog_key(&filter, tenant, catalog, "id", id);
	rc = mg_exists(s, err, COLL_COMMITS, &filter, found);
	bson_destroy(&filter);
	return (rc);
}

/* Both exist: the catalog, and the commit unless it is NULL. */
static int
catalog_and_commit(struct pgl_store *s, struct pgl_err *err,
    const char *tenant, const char *catalog, const char *commit, int *found)
{
	int	rc;

	rc = catalog_exists(s, err, tenant, catalog, found);
	if (rc == PGL_OK && *found && commit != NULL)
		rc = commit_exists(s, err, tenant, catalog, commit, found);
	return (rc);
}

/* A catalog's branches or tags, by name. */
static int
list_in_catalog(struct pgl_store *s, struct pgl_arena *a,
    const struct mg_shape *sh, const char *tenant, const char *catalog,
    const struct pgl_page *page, void *items, size_t *n, uint64_t *total,
    struct pgl_err *err)
{
	bson_t	filter, *sort = BCON_NEW("name", BCON_INT32(1));
	int	rc;

	catalog_key(&filter, tenant, catalog, NULL, NULL);
	rc = mg_page(s, a, err, sh, &filter, sort, page, items, n, total);
	bson_destroy(sort);
	bson_destroy(&filter);
	return (rc);
}

/* Branches. */

static void
branch_fill(struct doc *d, void *out)
{
	struct pgl_branch	*b = out;

	b->catalog = doc_str(d, "catalog_name");
	b->name = doc_str(d, "name");
	b->head_commit_id = doc_str(d, "head_commit_id");
	b->branch_type = doc_str(d, "branch_type");
	b->assets = doc_str(d, "assets");
	b->created_at_ms = doc_int(d, "created_at");
	b->parent = doc_str(d, "parent");
}

static const struct mg_shape	branch_shape = {
	COLL_BRANCHES, sizeof(struct pgl_branch), branch_fill, "branch",
	MG_NAME_KEY, "s"
};

/* A root (parent NULL) or a fork of parent at the clock's fork_seq. */
static int
insert_branch(struct pgl_store *s, const char *tenant,
    const struct pgl_branch *b, const char *parent, int64_t fork_seq,
    struct pgl_err *err)
{
	bson_t	key, doc = BSON_INITIALIZER;
	int	found, rc;

	if (b->catalog == NULL || b->name == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid value (branch "
		    "catalog and name are required)"));
	catalog_key(&key, tenant, b->catalog, "name", b->name);
	rc = mg_exists(s, err, COLL_BRANCHES, &key, &found);
	if (rc == PGL_OK && found)
		rc = mongo_err(err, PGL_EEXISTS, "already exists (branch %s)",
		    b->name);
	if (rc == PGL_OK)
		rc = catalog_and_commit(s, err, tenant, b->catalog,
		    b->head_commit_id, &found);
	if (rc == PGL_OK && !found)
		rc = mongo_err(err, PGL_ENOTFOUND,
		    "catalog %s or head commit not found", b->catalog);
	if (rc == PGL_OK) {
		bson_concat(&doc, &key);
		mg_str(&doc, "head_commit_id", b->head_commit_id);
		mg_str_or(&doc, "branch_type", b->branch_type, "experimental");
		mg_str_or(&doc, "assets", b->assets, "[]");
		BSON_APPEND_INT64(&doc, "created_at",
		    b->created_at_ms ? b->created_at_ms : mongo_now_ms());
		if (parent != NULL) {
			BSON_APPEND_UTF8(&doc, "parent", parent);
			BSON_APPEND_INT64(&doc, "fork_seq", fork_seq);
		}
		rc = mg_insert(s, err, COLL_BRANCHES, &doc);
	}
	bson_destroy(&doc);
	bson_destroy(&key);
	return (rc);
}

/* An explicit create makes a root, whatever b->parent says. */
int
mongo_create_branch(struct pgl_store *s, const char *tenant,
    const struct pgl_branch *b, struct pgl_err *err)
{
	return (insert_branch(s, tenant, b, NULL, 0, err));
}

/*
 * b becomes a child of from: one branch document, no asset documents.
 * A lineage already PGL_BRANCH_MAX_DEPTH + 1 levels deep cannot grow:
 * b is then a root holding a copy of what from sees.
 */
static int
fork_tx(struct pgl_store *s, const char *tenant, const struct pgl_branch *b,
    const char *from, struct pgl_err *err)
{
	int64_t	seq;
	int	levels, rc;

	rc = mongo_lineage_depth(s, tenant, b->catalog, from, &levels, err);
	if (rc != PGL_OK)
		return (rc);
	if (levels >= PGL_BRANCH_MAX_DEPTH + 1) {
		if ((rc = insert_branch(s, tenant, b, NULL, 0, err)) != PGL_OK)
			return (rc);
		return (mongo_copy_assets_bulk(s, tenant, b->catalog, from,
		    b->name, NULL, NULL, NULL, err));
	}
	if ((rc = mongo_clock_next(s, &seq, err)) != PGL_OK)
		return (rc);
	return (insert_branch(s, tenant, b, from, seq, err));
}

int
mongo_fork_branch(struct pgl_store *s, const char *tenant,
    const struct pgl_branch *b, const char *from, struct pgl_err *err)
{
	int	own, rc;

	if (b->catalog == NULL || b->name == NULL || from == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid value (branch "
		    "catalog, name and source are required)"));
	if ((rc = mg_tx_own_begin(s, &own, err)) != PGL_OK)
		return (rc);
	rc = fork_tx(s, tenant, b, from, err);
	return (mg_tx_own_end(s, own, rc, err));
}

int
mongo_get_branch(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const char *name,
    struct pgl_branch *out, struct pgl_err *err)
{
	return (mg_get_by(s, a, err, &branch_shape, out, "tenant_id", tenant,
	    "catalog_name", catalog, "name", name, NULL));
}

int
mongo_list_branches(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const struct pgl_page *page,
    struct pgl_branch **items, size_t *n, uint64_t *total,
    struct pgl_err *err)
{
	return (list_in_catalog(s, a, &branch_shape, tenant, catalog, page,
	    items, n, total, err));
}

/* The branch and every asset it owns; its children keep their view
 * (mongo_detach_children). */
static int
delete_branch_tx(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *name, struct pgl_err *err)
{
	bson_t		key, assets;
	uint64_t	deleted;
	int		found, rc;

	catalog_key(&key, tenant, catalog, "name", name);
	catalog_key(&assets, tenant, catalog, "branch_name", name);
	rc = mg_exists(s, err, COLL_BRANCHES, &key, &found);
	if (rc == PGL_OK && !found)
		rc = mongo_err(err, PGL_ENOTFOUND, "branch %s not found", name);
	if (rc == PGL_OK)
		rc = mongo_detach_children(s, tenant, catalog, name, err);
	if (rc == PGL_OK)
		rc = mongo_drop_access_requests(s, tenant, catalog, name, NULL,
		    0, err);
	/* Its rows' column tags (SQL's cascade). */
	if (rc == PGL_OK)
		rc = mongo_drop_asset_deps(s, tenant, &assets, err);
	if (rc == PGL_OK)
		rc = mg_delete(s, err, COLL_ASSETS, &assets, 1, NULL);
	if (rc == PGL_OK)
		rc = mg_delete(s, err, COLL_BRANCHES, &key, 0, &deleted);
	if (rc == PGL_OK && deleted == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "branch %s not found", name);
	bson_destroy(&assets);
	bson_destroy(&key);
	return (rc);
}

int
mongo_delete_branch(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *name, struct pgl_err *err)
{
	int	own, rc;

	if ((rc = mg_tx_own_begin(s, &own, err)) != PGL_OK)
		return (rc);
	rc = delete_branch_tx(s, tenant, catalog, name, err);
	return (mg_tx_own_end(s, own, rc, err));
}

/* After a swap that matched nothing: a moved head or no branch. */
static int
lost_swap(struct pgl_store *s, const bson_t *key, const char *name,
    struct pgl_err *err)
{
	int	found, rc;

	rc = mg_exists(s, err, COLL_BRANCHES, key, &found);
	if (rc == PGL_OK && found)
		rc = mongo_err(err, PGL_ECONFLICT, "branch %s moved "
		    "concurrently: head is not the expected commit", name);
	else if (rc == PGL_OK)
		rc = mongo_err(err, PGL_ENOTFOUND, "branch %s not found", name);
	return (rc);
}

/*
 * Compare-and-swap of a branch head (expected NULL = no head yet), the
 * same shape as the metadata-location swap in mongo_assets.c.  An unknown
 * new head is PGL_ENOTFOUND only where SQL's foreign key would fire: on
 * a swap that would otherwise have succeeded.
 */
int
mongo_update_branch_head(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *name, const char *expected,
    const char *new_head, struct pgl_err *err)
{
	bson_t		key, cas, up = BSON_INITIALIZER, set;
	uint64_t	matched;
	int		found = 1, rc = PGL_OK;

	catalog_key(&key, tenant, catalog, "name", name);
	bson_init(&cas);
	bson_concat(&cas, &key);
	mg_str(&cas, "head_commit_id", expected);
	if (new_head != NULL)
		rc = commit_exists(s, err, tenant, catalog, new_head, &found);
	if (rc == PGL_OK && !found) {
		rc = mg_exists(s, err, COLL_BRANCHES, &cas, &found);
		if (rc == PGL_OK && found)
			rc = mongo_err(err, PGL_ENOTFOUND,
			    "commit %s not found", new_head);
		else if (rc == PGL_OK)
			rc = lost_swap(s, &key, name, err);
	} else if (rc == PGL_OK) {
		BSON_APPEND_DOCUMENT_BEGIN(&up, "$set", &set);
		mg_str(&set, "head_commit_id", new_head);
		bson_append_document_end(&up, &set);
		/* A head as long as the last measures the same (the ledger,
		 * mongo_usage.c): every commit's but a branch's first. */
		if (expected != NULL && new_head != NULL &&
		    strlen(expected) == strlen(new_head))
			rc = mg_update_raw(s, err, COLL_BRANCHES, &cas, &up, 0,
			    &matched);
		else
			rc = mg_update(s, err, COLL_BRANCHES, &cas, &up, 0,
			    &matched);
		if (rc == PGL_OK && matched == 0)
			rc = lost_swap(s, &key, name, err);
	}
	bson_destroy(&up);
	bson_destroy(&cas);
	bson_destroy(&key);
	return (rc);
}

/* Tags. */

static void
tag_fill(struct doc *d, void *out)
{
	struct pgl_tag	*t = out;

	t->catalog = doc_str(d, "catalog_name");
	t->name = doc_str(d, "name");
	t->commit_id = doc_str(d, "commit_id");
	t->created_at_ms = doc_int(d, "created_at");
}

static const struct mg_shape	tag_shape = {
	COLL_TAGS, sizeof(struct pgl_tag), tag_fill, "tag", MG_NAME_KEY, "s"
};

/* Tags point at real commits (pangolin-api.md, deliberate change 2). */
int
mongo_create_tag(struct pgl_store *s, const char *tenant,
    const struct pgl_tag *t, struct pgl_err *err)
{
	bson_t	key, doc = BSON_INITIALIZER;
	int	found, rc;

	if (t->catalog == NULL || t->name == NULL || t->commit_id == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid value (tag "
		    "catalog, name and commit are required)"));
	catalog_key(&key, tenant, t->catalog, "name", t->name);
	rc = mg_exists(s, err, COLL_TAGS, &key, &found);
	if (rc == PGL_OK && found)
		rc = mongo_err(err, PGL_EEXISTS, "already exists (tag %s)",
		    t->name);
	if (rc == PGL_OK)
		rc = catalog_and_commit(s, err, tenant, t->catalog,
		    t->commit_id, &found);
	if (rc == PGL_OK && !found)
		rc = mongo_err(err, PGL_ENOTFOUND, "catalog %s or commit %s "
		    "not found", t->catalog, t->commit_id);
	if (rc == PGL_OK) {
		bson_concat(&doc, &key);
		BSON_APPEND_UTF8(&doc, "commit_id", t->commit_id);
		BSON_APPEND_INT64(&doc, "created_at",
		    t->created_at_ms ? t->created_at_ms : mongo_now_ms());
		rc = mg_insert(s, err, COLL_TAGS, &doc);
	}
	bson_destroy(&doc);
	bson_destroy(&key);
	return (rc);
}

int
mongo_get_tag(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    const char *catalog, const char *name, struct pgl_tag *out,
    struct pgl_err *err)
{
	return (mg_get_by(s, a, err, &tag_shape, out, "tenant_id", tenant,
	    "catalog_name", catalog, "name", name, NULL));
}

int
mongo_list_tags(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    const char *catalog, const struct pgl_page *page, struct pgl_tag **items,
    size_t *n, uint64_t *total, struct pgl_err *err)
{
	return (list_in_catalog(s, a, &tag_shape, tenant, catalog, page,
	    items, n, total, err));
}

int
mongo_delete_tag(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *name, struct pgl_err *err)
{
	bson_t		key;
	uint64_t	deleted;
	int		rc;

	catalog_key(&key, tenant, catalog, "name", name);
	rc = mg_delete(s, err, COLL_TAGS, &key, 0, &deleted);
	if (rc == PGL_OK && deleted == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "tag %s not found", name);
	bson_destroy(&key);
	return (rc);
}

/* Commits. */

static void
commit_fill(struct doc *d, void *out)
{
	struct pgl_commit	*c = out;

	c->id = doc_str(d, "id");
	c->catalog = doc_str(d, "catalog_name");
	c->parent_id = doc_str(d, "parent_id");
	c->timestamp_ms = doc_int(d, "timestamp");
	c->author = doc_str(d, "author");
	c->message = doc_str(d, "message");
	c->operations = doc_str(d, "operations");
	c->merge_parent_id = doc_str(d, "merge_parent_id");
}

static const struct mg_shape	commit_shape = {
	COLL_COMMITS, sizeof(struct pgl_commit), commit_fill, "commit",
	MG_NAME_KEY, NULL
};

static int
field_is(const bson_t *b, const char *key, const char *want)
{
	bson_iter_t	it;

	return (want != NULL && bson_iter_init_find(&it, b, key) &&
	    BSON_ITER_HOLDS_UTF8(&it) &&
	    strcmp(bson_iter_utf8(&it, NULL), want) == 0);
}

/*
 * One find answers both questions a new commit asks: is its id taken
 * (commit ids are unique store-wide, the "id" index, as in SQLite), and
 * is its parent a commit of the same tenant and catalog.
 */
static int
commit_lookup(struct pgl_store *s, const char *tenant,
    const struct pgl_commit *c, int *taken, int *parent_ok,
    struct pgl_err *err)
{
	mongoc_cursor_t	*cur;
	const bson_t	*b, *reply;
	bson_error_t	e;
	bson_t		filter = BSON_INITIALIZER, list, by_id, parent, *extra;
	int		rc;

	*taken = 0;
	*parent_ok = c->parent_id == NULL;
	BSON_APPEND_ARRAY_BEGIN(&filter, "$or", &list);
	BSON_APPEND_DOCUMENT_BEGIN(&list, "0", &by_id);
	BSON_APPEND_UTF8(&by_id, "id", c->id);
	bson_append_document_end(&list, &by_id);
	if (c->parent_id != NULL) {
		BSON_APPEND_DOCUMENT_BEGIN(&list, "1", &parent);
		BSON_APPEND_UTF8(&parent, "id", c->parent_id);
		mg_str(&parent, "tenant_id", tenant);
		BSON_APPEND_UTF8(&parent, "catalog_name", c->catalog);
		bson_append_document_end(&list, &parent);
	}
	bson_append_array_end(&filter, &list);
	extra = BCON_NEW("limit", BCON_INT64(2), "projection", "{",
	    "id", BCON_INT32(1), "tenant_id", BCON_INT32(1),
	    "catalog_name", BCON_INT32(1), "}");
	rc = mg_find(s, err, COLL_COMMITS, &filter, extra, &cur);
	bson_destroy(extra);
	bson_destroy(&filter);
	if (rc != PGL_OK)
		return (rc);
	while (mongoc_cursor_next(cur, &b)) {
		if (field_is(b, "id", c->id))
			*taken = 1;
		if (field_is(b, "id", c->parent_id) &&
		    field_is(b, "tenant_id", tenant) &&
		    field_is(b, "catalog_name", c->catalog))
			*parent_ok = 1;
	}
	if (mongoc_cursor_error_document(cur, &e, &reply))
		rc = mongo_error(err, &e, reply);
	mongoc_cursor_destroy(cur);
	return (rc);
}

int
mongo_create_commit(struct pgl_store *s, const char *tenant,
    const struct pgl_commit *c, struct pgl_err *err)
{
	bson_t	doc = BSON_INITIALIZER;
	int	taken, parent_ok, found = 0, rc;

	if (c->id == NULL || c->catalog == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid value (commit id "
		    "and catalog are required)"));
	rc = commit_lookup(s, tenant, c, &taken, &parent_ok, err);
	if (rc == PGL_OK && taken)
		rc = mongo_err(err, PGL_EEXISTS, "already exists (commit %s)",
		    c->id);
	/* A parent in this catalog proves the catalog exists: commits are
	 * only ever deleted with their catalog.  A root commit asks. */
	if (rc == PGL_OK && parent_ok && c->parent_id != NULL)
		found = 1;
	else if (rc == PGL_OK && parent_ok)
		rc = catalog_exists(s, err, tenant, c->catalog, &found);
	if (rc == PGL_OK && !found)
		rc = mongo_err(err, PGL_ENOTFOUND, "catalog %s or parent "
		    "commit %s not found", c->catalog,
		    c->parent_id != NULL ? c->parent_id : "-");
	if (rc == PGL_OK && c->merge_parent_id != NULL &&
	    (rc = commit_exists(s, err, tenant, c->catalog,
	    c->merge_parent_id, &found)) == PGL_OK && !found)
		rc = mongo_err(err, PGL_ENOTFOUND, "merge parent commit %s "
		    "not found in catalog %s", c->merge_parent_id, c->catalog);
	if (rc == PGL_OK) {
		BSON_APPEND_UTF8(&doc, "id", c->id);
		mg_str(&doc, "tenant_id", tenant);
		BSON_APPEND_UTF8(&doc, "catalog_name", c->catalog);
		mg_str(&doc, "parent_id", c->parent_id);
		BSON_APPEND_INT64(&doc, "timestamp",
		    c->timestamp_ms ? c->timestamp_ms : mongo_now_ms());
		mg_str(&doc, "author", c->author);
		mg_str(&doc, "message", c->message);
		mg_str_or(&doc, "operations", c->operations, "[]");
		mg_str(&doc, "merge_parent_id", c->merge_parent_id);
		mongo_parents(&doc, c->parent_id, c->merge_parent_id);
		rc = mg_insert(s, err, COLL_COMMITS, &doc);
	}
	bson_destroy(&doc);
	return (rc);
}

int
mongo_get_commit(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *id, struct pgl_commit *out,
    struct pgl_err *err)
{
	return (mg_get_by(s, a, err, &commit_shape, out, "tenant_id", tenant,
	    "id", id, NULL));
}

/* $match the head, walk its parents (at most depth steps), one per row. */
#define ANCESTRY_STAGES(tenant, head, depth)				\
	"{", "$match", "{", "tenant_id", BCON_UTF8(tenant),		\
	"id", BCON_UTF8(head), "}", "}",				\
	"{", "$graphLookup", "{",					\
	"from", BCON_UTF8(mongo_coll_names[COLL_COMMITS]),		\
	"startWith", BCON_UTF8("$id"),					\
	"connectFromField", BCON_UTF8("parent_id"),			\
	"connectToField", BCON_UTF8("id"),				\
	"as", BCON_UTF8("chain"),					\
	"maxDepth", BCON_INT32((int32_t)(depth)),			\
	"depthField", BCON_UTF8("depth"),				\
	"restrictSearchWithMatch", "{", "tenant_id", BCON_UTF8(tenant),	\
	"}", "}", "}",							\
	"{", "$unwind", BCON_UTF8("$chain"), "}",			\
	"{", "$replaceRoot", "{", "newRoot", BCON_UTF8("$chain"), "}", "}"

/*
 * Head first, following parent_id, in one aggregation: $graphLookup
 * starts at the head itself (depth 0) and walks parent_id -> id on the
 * unique id index, at most limit - 1 steps; the tenant test on every step
 * keeps the walk inside the caller's tenant.  The $unwind right after
 * $graphLookup is absorbed into it by the server, so a long history is
 * not one document bound by the 16 MB limit.  maxDepth is always given:
 * unbounded is the server default, but not every server agrees.
 */
int
mongo_get_commit_ancestry(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *head, uint32_t limit,
    struct pgl_commit **items, size_t *n, struct pgl_err *err)
{
	bson_t	*pipeline;
	void	*p;
	int64_t	depth = limit > 0 ? (int64_t)limit - 1 : INT32_MAX;
	int	rc;

	*items = NULL;
	*n = 0;
	if (tenant == NULL || head == NULL)
		return (mongo_err(err, PGL_ENOTFOUND, "commit not found"));
	pipeline = BCON_NEW("pipeline", "[",
	    ANCESTRY_STAGES(tenant, head, depth),
	    "{", "$sort", "{", "depth", BCON_INT32(1), "}", "}",
	    "]");
	rc = mg_aggregate(s, a, err, COLL_COMMITS, pipeline, commit_fill,
	    sizeof(**items), &p, n);
	bson_destroy(pipeline);
	*items = p;
	/* The head itself is always the first document when it exists. */
	if (rc == PGL_OK && *n == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "commit %s not found", head);
	return (rc);
}

/* The count stage's single document: {n: <int>}. */
static void
chain_count_fill(struct doc *d, void *out)
{
	*(uint64_t *)out = (uint64_t)doc_int(d, "n");
}

/*
 * One page of the chain: the same $graphLookup walk as above, bounded by
 * offset + limit steps, then $skip/$limit; the total is a second
 * aggregation over the whole chain that returns one counter document.
 */
int
mongo_list_commit_ancestry(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *head, const struct pgl_page *pg,
    struct pgl_commit **items, size_t *n, uint64_t *total,
    struct pgl_err *err)
{
	bson_t		*pipeline;
	void		*p = NULL;
	uint64_t	 count = 0;
	int64_t		 limit = pg->limit ? (int64_t)pg->limit : INT32_MAX;
	int64_t		 walk = limit + (int64_t)pg->offset - 1;
	int		 rc;

	*items = NULL;
	*n = 0;
	if (tenant == NULL || head == NULL)
		return (mongo_err(err, PGL_ENOTFOUND, "commit not found"));
	pipeline = BCON_NEW("pipeline", "[",
	    ANCESTRY_STAGES(tenant, head, INT32_MAX),
	    "{", "$group", "{", "_id", BCON_NULL,
	    "n", "{", "$sum", BCON_INT32(1), "}", "}", "}",
	    "]");
	rc = mg_aggregate_get(s, NULL, err, COLL_COMMITS, pipeline,
	    chain_count_fill, &count);
	bson_destroy(pipeline);
	if (rc == PGL_ENOTFOUND || (rc == PGL_OK && count == 0))
		return (mongo_err(err, PGL_ENOTFOUND, "commit %s not found",
		    head));
	if (rc != PGL_OK)
		return (rc);
	if (total != NULL)
		*total = count;
	if (pg->offset >= count)
		return (PGL_OK);
	pipeline = BCON_NEW("pipeline", "[",
	    ANCESTRY_STAGES(tenant, head, walk > INT32_MAX ? INT32_MAX : walk),
	    "{", "$sort", "{", "depth", BCON_INT32(1), "}", "}",
	    "{", "$skip", BCON_INT64((int64_t)pg->offset), "}",
	    "{", "$limit", BCON_INT64(limit), "}",
	    "]");
	rc = mg_aggregate(s, a, err, COLL_COMMITS, pipeline, commit_fill,
	    sizeof(**items), &p, n);
	bson_destroy(pipeline);
	*items = p;
	return (rc);
}
