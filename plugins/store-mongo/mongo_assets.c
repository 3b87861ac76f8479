/*
 * Assets (tables, views, generic assets), keyed by (tenant, catalog,
 * branch, namespace, name).  A root branch (main, a branch made by
 * copying) owns a document per asset; a forked branch (ABI 1.12) owns
 * only what it changed, and reads the rest from its lineage as of each
 * fork: every read is one resolving aggregation (mongo_lineage.c; the
 * reads are mongo_asset_reads.c's), and every write here follows the
 * steps of issue 29 (protect the children, copy up, tombstones), in one
 * transaction where the deployment has them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mongo_store.h"

/* {tenant_id, catalog_name, branch_name}: a branch's assets. */
static void
branch_filter(bson_t *b, const char *tenant, const char *catalog,
    const char *branch)
{
	bson_init(b);
	mg_str(b, "tenant_id", tenant);
	mg_str(b, "catalog_name", catalog);
	mg_str(b, "branch_name", branch);
}

/* The whole natural key; a NULL part is null, which matches nothing. */
static void
asset_key(bson_t *b, const char *tenant, const char *catalog,
    const char *branch, const char *ns, const char *name)
{
	branch_filter(b, tenant, catalog, branch);
	mg_str(b, "namespace", ns);
	mg_str(b, "name", name);
}

static int
exists_in_catalog(struct pgl_store *s, struct pgl_err *err, int coll,
    const char *tenant, const char *catalog, const char *name, int *found)
{
	bson_t	filter = BSON_INITIALIZER;
	int	rc;

	mg_str(&filter, "tenant_id", tenant);
	mg_str(&filter, "catalog_name", catalog);
	mg_str(&filter, "name", name);
	rc = mg_exists(s, err, coll, &filter, found);
	bson_destroy(&filter);
	return (rc);
}

/* The id already taken (by any row, tombstones included). */
static int
id_taken(struct pgl_store *s, struct pgl_err *err, const char *id,
    int *found)
{
	bson_t	filter = BSON_INITIALIZER;
	int	rc;

	BSON_APPEND_UTF8(&filter, "id", id);
	rc = mg_exists(s, err, COLL_ASSETS, &filter, found);
	bson_destroy(&filter);
	return (rc);
}

/* Key resolved live on the branch: PGL_EEXISTS. */
static int
key_free(const struct resolved *r, const char *name, struct pgl_err *err)
{
	if (r->row != NULL && !r->gone)
		return (mongo_err(err, PGL_EEXISTS, "already exists (asset "
		    "%s)", name));
	return (PGL_OK);
}

/*
 * Before a new row takes a key on branch: the children are protected
 * from a change of branch's own row for it (a tombstone, which the new
 * row replaces), and that tombstone goes.
 */
static int
clear_own_tombstone(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *branch, const struct resolved *r,
    const bson_t *key, struct pgl_err *err)
{
	int	rc;

	if (r->row == NULL || r->level != 0)
		return (PGL_OK);
	rc = mongo_protect(s, tenant, catalog, branch, r, err);
	if (rc == PGL_OK)
		rc = mg_delete(s, err, COLL_ASSETS, key, 0, NULL);
	return (rc);
}

static int
new_asset_doc(struct pgl_store *s, bson_t *doc, const bson_t *key,
    const struct pgl_asset *as, const char *id, int64_t seq)
{
	int64_t	now = mongo_now_ms();

	bson_init(doc);
	bson_concat(doc, key);
	BSON_APPEND_UTF8(doc, "id", id);
	BSON_APPEND_UTF8(doc, "kind", as->kind);
	mg_str(doc, "location", as->location);
	/* Every table owns its files (ABI 1.26, mongo_locations.c). */
	mongo_location_key_set(s, doc, as->location);
	BSON_APPEND_UTF8(doc, "origin", as->origin != NULL ? as->origin : id);
	mg_str(doc, "metadata_location", as->metadata_location);
	mg_str_or(doc, "properties", as->properties, "{}");
	BSON_APPEND_INT64(doc, "created_at",
	    as->created_at_ms ? as->created_at_ms : now);
	BSON_APPEND_INT64(doc, "updated_at",
	    as->updated_at_ms ? as->updated_at_ms : now);
	BSON_APPEND_INT64(doc, "seq", seq);
	/* The text index of a main branch's assets (mongo_search.c). */
	if (strcmp(as->branch, "main") == 0 &&
	    mongo_search_fields(doc, as->name, NULL) != PGL_OK)
		return (PGL_ENOMEM);
	return (PGL_OK);
}

static int
create_asset_tx(struct pgl_store *s, const char *tenant,
    const struct pgl_asset *as, const char *id, int check_id,
    struct pgl_err *err)
{
	struct resolved	r;
	bson_t		key, doc = BSON_INITIALIZER;
	int64_t		seq;
	int		found = 0, rc;

	asset_key(&key, tenant, as->catalog, as->branch, as->ns, as->name);
	rc = mongo_resolve_key(s, tenant, as->catalog, as->branch, as->ns,
	    as->name, &r, err);
	if (rc == PGL_OK)
		rc = key_free(&r, as->name, err);
	if (rc == PGL_OK && check_id)
		rc = id_taken(s, err, id, &found);
	if (rc == PGL_OK && found)
		rc = mongo_err(err, PGL_EEXISTS, "already exists (asset %s)",
		    as->name);
	/* The resolution read the branch document: no second look. */
	found = r.branch_exists;
	if (rc == PGL_OK && found)
		rc = exists_in_catalog(s, err, COLL_NAMESPACES, tenant,
		    as->catalog, as->ns, &found);
	if (rc == PGL_OK && !found)
		rc = mongo_err(err, PGL_ENOTFOUND,
		    "branch %s or namespace not found", as->branch);
	if (rc == PGL_OK)
		rc = clear_own_tombstone(s, tenant, as->catalog, as->branch,
		    &r, &key, err);
	if (rc == PGL_OK)
		rc = mongo_clock_next(s, &seq, err);
	if (rc == PGL_OK) {
		bson_destroy(&doc);
		if (new_asset_doc(s, &doc, &key, as, id, seq) != PGL_OK)
			rc = mongo_err(err, PGL_ENOMEM, "out of memory");
	}
	if (rc == PGL_OK)
		rc = mg_insert(s, err, COLL_ASSETS, &doc);
	mongo_resolved_free(&r);
	bson_destroy(&doc);
	bson_destroy(&key);
	return (rc);
}

int
mongo_create_asset(struct pgl_store *s, const char *tenant,
    const struct pgl_asset *as, struct pgl_err *err)
{
	char		uuid[37];
	const char	*id = as->id;
	int		own, rc;

	if (as->catalog == NULL || as->branch == NULL || as->ns == NULL ||
	    as->name == NULL || as->kind == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid value (asset "
		    "catalog, branch, namespace, name and kind are required)"));
	if (id == NULL) {
		mongo_uuid_v4(uuid);
		id = uuid;
	}
	if ((rc = mg_tx_own_begin(s, &own, err)) != PGL_OK)
		return (rc);
	rc = create_asset_tx(s, tenant, as, id, as->id != NULL, err);
	return (mg_tx_own_end(s, own, rc, err));
}

/* The key on branch, live: PGL_ENOTFOUND when absent or deleted. */
static int
resolve_live(struct pgl_store *s, const char *tenant, const char *catalog,
    const char *branch, const char *ns, const char *name, const char *what,
    struct resolved *r, struct pgl_err *err)
{
	int	rc;

	rc = mongo_resolve_key(s, tenant, catalog, branch, ns, name, r, err);
	if (rc == PGL_OK && (r->row == NULL || r->gone))
		rc = mongo_err(err, PGL_ENOTFOUND, "%s %s not found", what,
		    name != NULL ? name : "-");
	return (rc);
}

/* Own row: protect the children, then change it in place.  Inherited:
 * copy it up first, so the change lands on branch's own copy. */
static int
make_own(struct pgl_store *s, const char *tenant, const char *catalog,
    const char *branch, const struct resolved *r, struct pgl_err *err)
{
	if (r->level == 0)
		return (mongo_protect(s, tenant, catalog, branch, r, err));
	return (mongo_copy_up(s, branch, r, err));
}

static int
update_asset_tx(struct pgl_store *s, const char *tenant,
    const struct pgl_asset *as, struct pgl_err *err)
{
	struct resolved	r;
	bson_t		key, up = BSON_INITIALIZER, set;
	uint64_t	matched;
	int		rc;

	rc = resolve_live(s, tenant, as->catalog, as->branch, as->ns,
	    as->name, "asset", &r, err);
	if (rc == PGL_OK)
		rc = make_own(s, tenant, as->catalog, as->branch, &r, err);
	mongo_resolved_free(&r);
	if (rc != PGL_OK)
		return (rc);
	asset_key(&key, tenant, as->catalog, as->branch, as->ns, as->name);
	BSON_APPEND_DOCUMENT_BEGIN(&up, "$set", &set);
	if (as->kind != NULL)
		BSON_APPEND_UTF8(&set, "kind", as->kind);
	mg_str(&set, "location", as->location);
	mongo_location_key_set(s, &set, as->location);
	mg_str(&set, "metadata_location", as->metadata_location);
	mg_str_or(&set, "properties", as->properties, "{}");
	BSON_APPEND_INT64(&set, "updated_at",
	    as->updated_at_ms ? as->updated_at_ms : mongo_now_ms());
	bson_append_document_end(&up, &set);
	rc = mg_update(s, err, COLL_ASSETS, &key, &up, 0, &matched);
	if (rc == PGL_OK && matched == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "asset %s not found",
		    as->name);
	bson_destroy(&up);
	bson_destroy(&key);
	return (rc);
}

int
mongo_update_asset(struct pgl_store *s, const char *tenant,
    const struct pgl_asset *as, struct pgl_err *err)
{
	int	own, rc;

	if ((rc = mg_tx_own_begin(s, &own, err)) != PGL_OK)
		return (rc);
	rc = update_asset_tx(s, tenant, as, err);
	return (mg_tx_own_end(s, own, rc, err));
}

/*
 * Own row: protect, drop its access requests and column tags (in SQL,
 * by cascade; its business metadata is part of the document), delete
 * it, and on a
 * forked branch leave a tombstone so the parent's row stays hidden.
 * Inherited: only the tombstone.
 */
static int
delete_asset_tx(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *branch, const char *ns,
    const char *name, struct pgl_err *err)
{
	struct resolved		r;
	bson_t			key;
	bson_iter_t		it;
	char			kind[64] = "";
	uint64_t		deleted;
	int			rc;

	rc = resolve_live(s, tenant, catalog, branch, ns, name, "asset", &r,
	    err);
	if (rc == PGL_OK && bson_iter_init_find(&it, r.row, "kind") &&
	    BSON_ITER_HOLDS_UTF8(&it))
		(void)snprintf(kind, sizeof(kind), "%s",
		    bson_iter_utf8(&it, NULL));
	if (rc == PGL_OK && r.level == 0) {
		asset_key(&key, tenant, catalog, branch, ns, name);
		rc = mongo_protect(s, tenant, catalog, branch, &r, err);
		if (rc == PGL_OK)
			rc = mongo_drop_asset_deps(s, tenant, &key, err);
		if (rc == PGL_OK)
			rc = mg_delete(s, err, COLL_ASSETS, &key, 0, &deleted);
		if (rc == PGL_OK && deleted == 0)
			rc = mongo_err(err, PGL_ENOTFOUND,
			    "asset %s not found", name);
		bson_destroy(&key);
	}
	if (rc == PGL_OK && (r.level > 0 || r.has_parent))
		rc = mongo_insert_tombstone(s, tenant, catalog, branch, ns,
		    name, kind[0] != '\0' ? kind : NULL, err);
	mongo_resolved_free(&r);
	return (rc);
}

int
mongo_delete_asset(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *branch, const char *ns,
    const char *name, struct pgl_err *err)
{
	int	own, rc;

	if ((rc = mg_tx_own_begin(s, &own, err)) != PGL_OK)
		return (rc);
	rc = delete_asset_tx(s, tenant, catalog, branch, ns, name, err);
	return (mg_tx_own_end(s, own, rc, err));
}

/* The description of a row's business metadata (malloc'd), if any. */
static char *
row_description(const bson_t *row)
{
	bson_iter_t	it;

	if (bson_iter_init(&it, row) &&
	    bson_iter_find_descendant(&it, "bm.description", &it) &&
	    BSON_ITER_HOLDS_UTF8(&it))
		return (strdup(bson_iter_utf8(&it, NULL)));
	return (NULL);
}

/* The update of a rename: the key fields, a new seq (the row is born
 * again at its new key), and on main the text index. */
static bson_t *
rename_update(const char *branch, const char *dst_ns, const char *dst,
    const char *description, int64_t seq)
{
	bson_t	*up = bson_new(), set;

	BSON_APPEND_DOCUMENT_BEGIN(up, "$set", &set);
	BSON_APPEND_UTF8(&set, "namespace", dst_ns);
	BSON_APPEND_UTF8(&set, "name", dst);
	BSON_APPEND_INT64(&set, "updated_at", mongo_now_ms());
	if (seq > 0)
		BSON_APPEND_INT64(&set, "seq", seq);
	if (strcmp(branch, "main") == 0 &&
	    mongo_search_fields(&set, dst, description) != PGL_OK) {
		bson_destroy(up);
		return (NULL);
	}
	bson_append_document_end(up, &set);
	return (up);
}

/* Branch's own row at from moves to (dst_ns, dst), keeping its id. */
static int
move_own_row(struct pgl_store *s, const char *branch, const bson_t *from,
    const char *dst_ns, const char *dst, const char *description,
    int64_t seq, const char *src, struct pgl_err *err)
{
	bson_t		*up;
	uint64_t	 matched;
	int		 rc;

	if ((up = rename_update(branch, dst_ns, dst, description, seq)) ==
	    NULL)
		return (mongo_err(err, PGL_ENOMEM, "out of memory"));
	rc = mg_update(s, err, COLL_ASSETS, from, up, 0, &matched);
	bson_destroy(up);
	if (rc == PGL_OK && matched == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "asset %s not found", src);
	return (rc);
}

struct rename {
	const char	*tenant, *catalog, *branch;
	const char	*src_ns, *src, *dst_ns, *dst;
};

/* The checks, in SQL's order: source, destination, its namespace. */
static int
rename_check(struct pgl_store *s, const struct rename *m, int same,
    struct resolved *r, struct resolved *r2, struct pgl_err *err)
{
	int	found, rc;

	rc = resolve_live(s, m->tenant, m->catalog, m->branch, m->src_ns,
	    m->src, "asset", r, err);
	if (rc == PGL_OK && !same)
		rc = mongo_resolve_key(s, m->tenant, m->catalog, m->branch,
		    m->dst_ns, m->dst, r2, err);
	if (rc == PGL_OK)
		rc = key_free(r2, m->dst, err);
	if (rc == PGL_OK)
		rc = exists_in_catalog(s, err, COLL_NAMESPACES, m->tenant,
		    m->catalog, m->dst_ns, &found);
	if (rc == PGL_OK && !found)
		rc = mongo_err(err, PGL_ENOTFOUND,
		    "destination namespace not found");
	return (rc);
}

/*
 * Own row at K: protect both keys, drop an own tombstone at K2, move the
 * row (same id, new seq).  Inherited: copy it up at K first, then move
 * the copy.  On a forked branch a tombstone at K then hides the
 * parent's row.
 */
static int
rename_tx(struct pgl_store *s, const struct rename *m,
    struct pgl_err *err)
{
	struct resolved		 r, r2;
	bson_t			 from, to;
	bson_iter_t		 it;
	char			*description = NULL, kind[64] = "";
	int64_t			 seq = 0;
	int			 rc, same;

	memset(&r2, 0, sizeof(r2));
	same = strcmp(m->src_ns, m->dst_ns) == 0 && strcmp(m->src, m->dst) == 0;
	asset_key(&from, m->tenant, m->catalog, m->branch, m->src_ns, m->src);
	asset_key(&to, m->tenant, m->catalog, m->branch, m->dst_ns, m->dst);
	rc = rename_check(s, m, same, &r, &r2, err);
	if (rc == PGL_OK && same) {
		/* Onto itself: a touch of an own row, nothing otherwise. */
		if (r.level == 0) {
			description = row_description(r.row);
			rc = move_own_row(s, m->branch, &from, m->dst_ns,
			    m->dst, description, 0, m->src, err);
		}
		goto out;
	}
	if (rc == PGL_OK && bson_iter_init_find(&it, r.row, "kind") &&
	    BSON_ITER_HOLDS_UTF8(&it))
		(void)snprintf(kind, sizeof(kind), "%s",
		    bson_iter_utf8(&it, NULL));
	if (rc == PGL_OK)
		rc = clear_own_tombstone(s, m->tenant, m->catalog, m->branch,
		    &r2, &to, err);
	if (rc == PGL_OK && r.level == 0) {
		description = row_description(r.row);
		rc = mongo_protect(s, m->tenant, m->catalog, m->branch, &r,
		    err);
	} else if (rc == PGL_OK)
		rc = mongo_copy_up(s, m->branch, &r, err);
	if (rc == PGL_OK)
		rc = mongo_clock_next(s, &seq, err);
	if (rc == PGL_OK)
		rc = move_own_row(s, m->branch, &from, m->dst_ns, m->dst,
		    description, seq, m->src, err);
	if (rc == PGL_OK && r.has_parent)
		rc = mongo_insert_tombstone(s, m->tenant, m->catalog,
		    m->branch, m->src_ns, m->src, kind[0] != '\0' ? kind : NULL,
		    err);
out:
	free(description);
	mongo_resolved_free(&r2);
	mongo_resolved_free(&r);
	bson_destroy(&to);
	bson_destroy(&from);
	return (rc);
}

/*
 * As in SQL, renaming something that does not exist is PGL_ENOTFOUND
 * whatever the destination, a taken destination is PGL_EEXISTS (the
 * unique index under a race) and a missing destination namespace
 * PGL_ENOTFOUND.
 */
int
mongo_rename_asset(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *branch, const char *src_ns,
    const char *src, const char *dst_ns, const char *dst,
    struct pgl_err *err)
{
	struct rename	m = { tenant, catalog, branch, src_ns, src, dst_ns,
			    dst };
	int		own, rc;

	if (src_ns == NULL || src == NULL || dst_ns == NULL || dst == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid value (rename "
		    "needs both namespaces and names)"));
	if (catalog == NULL || branch == NULL)
		return (mongo_err(err, PGL_ENOTFOUND, "asset %s not found",
		    src));
	if ((rc = mg_tx_own_begin(s, &own, err)) != PGL_OK)
		return (rc);
	rc = rename_tx(s, &m, err);
	return (mg_tx_own_end(s, own, rc, err));
}

/* The resolved row's metadata location is the expected one. */
static int
location_is(const bson_t *row, const char *expected)
{
	bson_iter_t	it;

	if (!bson_iter_init_find(&it, row, "metadata_location") ||
	    !BSON_ITER_HOLDS_UTF8(&it))
		return (expected == NULL);
	return (expected != NULL &&
	    strcmp(bson_iter_utf8(&it, NULL), expected) == 0);
}

/* After a swap that matched nothing: a change in between, or none. */
static int
lost_swap(struct pgl_store *s, const bson_t *key, const char *name,
    struct pgl_err *err)
{
	int	found, rc;

	rc = mg_exists(s, err, COLL_ASSETS, key, &found);
	if (rc == PGL_OK && found)
		rc = mongo_err(err, PGL_ECONFLICT, "table %s changed "
		    "concurrently: metadata location is not the "
		    "expected one", name);
	else if (rc == PGL_OK)
		rc = mongo_err(err, PGL_ENOTFOUND, "table %s not found", name);
	return (rc);
}

/*
 * Compare-and-swap of a table's metadata pointer.  The expected value is
 * checked against the resolved row (own or inherited); the row then
 * becomes the branch's own (protect, or copy-up), and the swap itself is
 * one update whose filter holds the expected value (null matches only
 * null: the field is always written), so a writer in between makes it
 * match nothing: PGL_ECONFLICT.
 */
static int
swap_tx(struct pgl_store *s, const char *tenant, const char *catalog,
    const char *branch, const char *ns, const char *name,
    const char *expected, const char *new_location, struct pgl_err *err)
{
	struct resolved	r;
	bson_t		key, cas, up = BSON_INITIALIZER, set;
	uint64_t	matched;
	int		rc;

	rc = resolve_live(s, tenant, catalog, branch, ns, name, "table", &r,
	    err);
	if (rc == PGL_OK && !location_is(r.row, expected))
		rc = mongo_err(err, PGL_ECONFLICT, "table %s changed "
		    "concurrently: metadata location is not the expected one",
		    name);
	if (rc == PGL_OK)
		rc = make_own(s, tenant, catalog, branch, &r, err);
	mongo_resolved_free(&r);
	if (rc != PGL_OK)
		return (rc);
	asset_key(&key, tenant, catalog, branch, ns, name);
	bson_init(&cas);
	bson_concat(&cas, &key);
	mg_str(&cas, "metadata_location", expected);
	BSON_APPEND_DOCUMENT_BEGIN(&up, "$set", &set);
	mg_str(&set, "metadata_location", new_location);
	BSON_APPEND_INT64(&set, "updated_at", mongo_now_ms());
	bson_append_document_end(&up, &set);
	/* A pointer of the same length measures the same (the ledger,
	 * mongo_usage.c): a commit's swap, nearly always; else measured. */
	if (expected != NULL && new_location != NULL &&
	    strlen(expected) == strlen(new_location))
		rc = mg_update_raw(s, err, COLL_ASSETS, &cas, &up, 0,
		    &matched);
	else
		rc = mg_update(s, err, COLL_ASSETS, &cas, &up, 0, &matched);
	if (rc == PGL_OK && matched == 0)
		rc = lost_swap(s, &key, name, err);
	bson_destroy(&up);
	bson_destroy(&cas);
	bson_destroy(&key);
	return (rc);
}

int
mongo_update_metadata_location(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *branch, const char *ns,
    const char *name, const char *expected, const char *new_location,
    struct pgl_err *err)
{
	int	own, rc;

	if ((rc = mg_tx_own_begin(s, &own, err)) != PGL_OK)
		return (rc);
	rc = swap_tx(s, tenant, catalog, branch, ns, name, expected,
	    new_location, err);
	return (mg_tx_own_end(s, own, rc, err));
}
