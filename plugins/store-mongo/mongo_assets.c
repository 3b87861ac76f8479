/*
 * Assets (tables, views, generic assets), keyed by (tenant, catalog,
 * branch, namespace, name).  A branch owns its own copy of every asset
 * document (copy-on-branch, ARCHITECTURE.md §6), so creating a branch is
 * one bulk write (mongo_copy.c) and a commit is one conditional update.
 */
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

/* The natural key or the id already taken. */
static int
asset_taken(struct pgl_store *s, struct pgl_err *err, const bson_t *key,
    const char *id, int *found)
{
	bson_t	dup = BSON_INITIALIZER, list, by_id;
	int	rc;

	BSON_APPEND_ARRAY_BEGIN(&dup, "$or", &list);
	BSON_APPEND_DOCUMENT(&list, "0", key);
	BSON_APPEND_DOCUMENT_BEGIN(&list, "1", &by_id);
	BSON_APPEND_UTF8(&by_id, "id", id);
	bson_append_document_end(&list, &by_id);
	bson_append_array_end(&dup, &list);
	rc = mg_exists(s, err, COLL_ASSETS, &dup, found);
	bson_destroy(&dup);
	return (rc);
}

int
mongo_create_asset(struct pgl_store *s, const char *tenant,
    const struct pgl_asset *as, struct pgl_err *err)
{
	bson_t		key, doc = BSON_INITIALIZER;
	char		uuid[37];
	const char	*id = as->id;
	int64_t		now = mongo_now_ms();
	int		found, rc;

	if (as->catalog == NULL || as->branch == NULL || as->ns == NULL ||
	    as->name == NULL || as->kind == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid value (asset "
		    "catalog, branch, namespace, name and kind are required)"));
	if (id == NULL) {
		mongo_uuid_v4(uuid);
		id = uuid;
	}
	asset_key(&key, tenant, as->catalog, as->branch, as->ns, as->name);
	rc = asset_taken(s, err, &key, id, &found);
	if (rc == PGL_OK && found)
		rc = mongo_err(err, PGL_EEXISTS, "already exists (asset %s)",
		    as->name);
	if (rc == PGL_OK)
		rc = exists_in_catalog(s, err, COLL_BRANCHES, tenant,
		    as->catalog, as->branch, &found);
	if (rc == PGL_OK && found)
		rc = exists_in_catalog(s, err, COLL_NAMESPACES, tenant,
		    as->catalog, as->ns, &found);
	if (rc == PGL_OK && !found)
		rc = mongo_err(err, PGL_ENOTFOUND,
		    "branch %s or namespace not found", as->branch);
	if (rc == PGL_OK) {
		bson_concat(&doc, &key);
		BSON_APPEND_UTF8(&doc, "id", id);
		BSON_APPEND_UTF8(&doc, "kind", as->kind);
		mg_str(&doc, "location", as->location);
		mg_str(&doc, "metadata_location", as->metadata_location);
		mg_str_or(&doc, "properties", as->properties, "{}");
		BSON_APPEND_INT64(&doc, "created_at",
		    as->created_at_ms ? as->created_at_ms : now);
		BSON_APPEND_INT64(&doc, "updated_at",
		    as->updated_at_ms ? as->updated_at_ms : now);
		/* The text index of a main branch's assets (mongo_search.c). */
		if (strcmp(as->branch, "main") == 0 &&
		    mongo_search_fields(&doc, as->name, NULL) != PGL_OK)
			rc = mongo_err(err, PGL_ENOMEM, "out of memory");
	}
	if (rc == PGL_OK) {
		rc = mg_insert(s, err, COLL_ASSETS, &doc);
	}
	bson_destroy(&doc);
	bson_destroy(&key);
	return (rc);
}

int
mongo_get_asset(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const char *branch,
    const char *ns, const char *name, struct pgl_asset *out,
    struct pgl_err *err)
{
	bson_t	key;
	int	rc;

	asset_key(&key, tenant, catalog, branch, ns, name);
	rc = mg_get(s, a, err, COLL_ASSETS, &key, mongo_asset_fill, out);
	if (rc == PGL_ENOTFOUND)
		(void)mongo_err(err, rc, "asset %s not found", name);
	bson_destroy(&key);
	return (rc);
}

int
mongo_get_asset_by_id(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *id, struct pgl_asset *out,
    struct pgl_err *err)
{
	bson_t	filter = BSON_INITIALIZER;
	int	rc;

	mg_str(&filter, "id", id);
	mg_str(&filter, "tenant_id", tenant);
	rc = mg_get(s, a, err, COLL_ASSETS, &filter, mongo_asset_fill, out);
	if (rc == PGL_ENOTFOUND)
		(void)mongo_err(err, rc, "asset %s not found", id);
	bson_destroy(&filter);
	return (rc);
}

/* kind NULL = any; without a namespace, the whole branch.  Sorted by
 * (namespace, name), which the key index provides. */
int
mongo_list_assets(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const char *branch,
    const char *ns, const char *kind, const struct pgl_page *page,
    struct pgl_asset **items, size_t *n, uint64_t *total,
    struct pgl_err *err)
{
	bson_t	filter, *sort;
	void	*p;
	int	rc;

	sort = BCON_NEW("namespace", BCON_INT32(1), "name", BCON_INT32(1));
	branch_filter(&filter, tenant, catalog, branch);
	if (ns != NULL)
		BSON_APPEND_UTF8(&filter, "namespace", ns);
	if (kind != NULL)
		BSON_APPEND_UTF8(&filter, "kind", kind);
	rc = mg_list(s, a, err, COLL_ASSETS, &filter, sort, page, mongo_asset_fill,
	    sizeof(**items), &p, n);
	*items = p;
	if (rc == PGL_OK && total != NULL)
		rc = mg_count(s, err, COLL_ASSETS, &filter, total);
	bson_destroy(&filter);
	bson_destroy(sort);
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
	struct pgl_page	 page = { limit, 0 };
	bson_t		 filter, *sort, *after;
	void		*p;
	int		 rc;

	if (limit == 0 || after_name == NULL || (ns == NULL &&
	    after_ns == NULL))
		return (mongo_err(err, PGL_EINVAL, "list_assets_after: a "
		    "limit and a key are required"));
	branch_filter(&filter, tenant, catalog, branch);
	if (kind != NULL)
		BSON_APPEND_UTF8(&filter, "kind", kind);
	if (ns != NULL) {
		BSON_APPEND_UTF8(&filter, "namespace", ns);
		after = BCON_NEW("name", "{", "$gt", BCON_UTF8(after_name),
		    "}");
	} else
		after = BCON_NEW("$or", "[",
		    "{", "namespace", "{", "$gt", BCON_UTF8(after_ns), "}", "}",
		    "{", "namespace", BCON_UTF8(after_ns),
		    "name", "{", "$gt", BCON_UTF8(after_name), "}", "}",
		    "]");
	bson_concat(&filter, after);
	sort = BCON_NEW("namespace", BCON_INT32(1), "name", BCON_INT32(1));
	rc = mg_list(s, a, err, COLL_ASSETS, &filter, sort, &page,
	    asset_key_fill, sizeof(**items), &p, n);
	*items = p;
	bson_destroy(&filter);
	bson_destroy(after);
	bson_destroy(sort);
	return (rc);
}

/* Every asset of a branch in one find (conflict detection, merges). */
int
mongo_list_all_assets_for_branch(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const char *branch,
    struct pgl_asset **items, size_t *n, struct pgl_err *err)
{
	bson_t	filter, *sort;
	void	*p;
	int	rc;

	sort = BCON_NEW("namespace", BCON_INT32(1), "name", BCON_INT32(1));
	branch_filter(&filter, tenant, catalog, branch);
	rc = mg_list(s, a, err, COLL_ASSETS, &filter, sort, NULL, mongo_asset_fill,
	    sizeof(**items), &p, n);
	*items = p;
	bson_destroy(&filter);
	bson_destroy(sort);
	return (rc);
}

int
mongo_update_asset(struct pgl_store *s, const char *tenant,
    const struct pgl_asset *as, struct pgl_err *err)
{
	bson_t		key, up = BSON_INITIALIZER, set;
	uint64_t	matched;
	int		rc;

	asset_key(&key, tenant, as->catalog, as->branch, as->ns, as->name);
	BSON_APPEND_DOCUMENT_BEGIN(&up, "$set", &set);
	if (as->kind != NULL)
		BSON_APPEND_UTF8(&set, "kind", as->kind);
	mg_str(&set, "location", as->location);
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
mongo_delete_asset(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *branch, const char *ns,
    const char *name, struct pgl_err *err)
{
	bson_t		key;
	uint64_t	deleted;
	int		own, rc;

	asset_key(&key, tenant, catalog, branch, ns, name);
	/* Its access requests first (in SQL, by cascade); its business
	 * metadata is part of the document. */
	if ((rc = mg_tx_own_begin(s, &own, err)) != PGL_OK) {
		bson_destroy(&key);
		return (rc);
	}
	rc = mongo_drop_requests_of(s, tenant, &key, err);
	if (rc == PGL_OK)
		rc = mg_delete(s, err, COLL_ASSETS, &key, 0, &deleted);
	if (rc == PGL_OK && deleted == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "asset %s not found", name);
	bson_destroy(&key);
	return (mg_tx_own_end(s, own, rc, err));
}

/* Whether the asset exists, and its description (malloc'd) if any. */
struct rename_src {
	int	 found;
	char	*description;
};

static void
rename_src_fill(struct doc *d, void *out)
{
	struct rename_src	*r = out;
	struct doc		 bm;
	bson_t			 sub;
	bson_iter_t		 it;

	r->found = 1;
	if (mongo_bm_doc(d, &sub, &bm) &&
	    bson_iter_init_find(&it, &sub, "description") &&
	    BSON_ITER_HOLDS_UTF8(&it))
		r->description = strdup(bson_iter_utf8(&it, NULL));
}

/* The update of a rename: the key fields, and on main the text index. */
static bson_t *
rename_update(const char *branch, const char *dst_ns, const char *dst,
    const char *description)
{
	bson_t	*up = bson_new(), set;

	BSON_APPEND_DOCUMENT_BEGIN(up, "$set", &set);
	BSON_APPEND_UTF8(&set, "namespace", dst_ns);
	BSON_APPEND_UTF8(&set, "name", dst);
	BSON_APPEND_INT64(&set, "updated_at", mongo_now_ms());
	if (strcmp(branch, "main") == 0 &&
	    mongo_search_fields(&set, dst, description) != PGL_OK) {
		bson_destroy(up);
		return (NULL);
	}
	bson_append_document_end(up, &set);
	return (up);
}

/*
 * One conditional update of the key fields.  As in SQL, renaming
 * something that does not exist is PGL_ENOTFOUND whatever the
 * destination, a taken destination is PGL_EEXISTS (the unique index
 * under a race) and a missing destination namespace PGL_ENOTFOUND.
 */
int
mongo_rename_asset(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *branch, const char *src_ns,
    const char *src, const char *dst_ns, const char *dst,
    struct pgl_err *err)
{
	struct rename_src was = { 0, NULL };
	bson_t		from, to, *up;
	uint64_t	matched;
	int		found, rc, same;

	if (src_ns == NULL || src == NULL || dst_ns == NULL || dst == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid value (rename "
		    "needs both namespaces and names)"));
	same = strcmp(src_ns, dst_ns) == 0 && strcmp(src, dst) == 0;
	asset_key(&from, tenant, catalog, branch, src_ns, src);
	asset_key(&to, tenant, catalog, branch, dst_ns, dst);
	rc = mg_get(s, NULL, err, COLL_ASSETS, &from, rename_src_fill, &was);
	if (rc == PGL_ENOTFOUND)
		rc = mongo_err(err, PGL_ENOTFOUND, "asset %s not found", src);
	if (rc == PGL_OK && !same)
		rc = mg_exists(s, err, COLL_ASSETS, &to, &found);
	if (rc == PGL_OK && !same && found)
		rc = mongo_err(err, PGL_EEXISTS, "already exists (asset %s)",
		    dst);
	if (rc == PGL_OK)
		rc = exists_in_catalog(s, err, COLL_NAMESPACES, tenant,
		    catalog, dst_ns, &found);
	if (rc == PGL_OK && !found)
		rc = mongo_err(err, PGL_ENOTFOUND,
		    "destination namespace not found");
	if (rc == PGL_OK) {
		if ((up = rename_update(branch, dst_ns, dst,
		    was.description)) == NULL)
			rc = mongo_err(err, PGL_ENOMEM, "out of memory");
		else {
			rc = mg_update(s, err, COLL_ASSETS, &from, up, 0,
			    &matched);
			bson_destroy(up);
		}
		if (rc == PGL_OK && matched == 0)
			rc = mongo_err(err, PGL_ENOTFOUND,
			    "asset %s not found", src);
	}
	free(was.description);
	bson_destroy(&to);
	bson_destroy(&from);
	return (rc);
}

/*
 * Compare-and-swap of a table's metadata pointer: one update whose
 * filter holds the expected value (null matches only null: the field is
 * always written).  The update is the atomic step; when it matched
 * nothing, a second look only decides which error to report, so a race
 * between the two cannot make a wrong swap.
 */
int
mongo_update_metadata_location(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *branch, const char *ns,
    const char *name, const char *expected, const char *new_location,
    struct pgl_err *err)
{
	bson_t		key, cas, up = BSON_INITIALIZER, set;
	uint64_t	matched;
	int		found, rc;

	asset_key(&key, tenant, catalog, branch, ns, name);
	bson_init(&cas);
	bson_concat(&cas, &key);
	mg_str(&cas, "metadata_location", expected);
	BSON_APPEND_DOCUMENT_BEGIN(&up, "$set", &set);
	mg_str(&set, "metadata_location", new_location);
	BSON_APPEND_INT64(&set, "updated_at", mongo_now_ms());
	bson_append_document_end(&up, &set);
	rc = mg_update(s, err, COLL_ASSETS, &cas, &up, 0, &matched);
	if (rc == PGL_OK && matched == 0) {
		rc = mg_exists(s, err, COLL_ASSETS, &key, &found);
		if (rc == PGL_OK && found)
			rc = mongo_err(err, PGL_ECONFLICT, "table %s changed "
			    "concurrently: metadata location is not the "
			    "expected one", name);
		else if (rc == PGL_OK)
			rc = mongo_err(err, PGL_ENOTFOUND,
			    "table %s not found", name);
	}
	bson_destroy(&up);
	bson_destroy(&cas);
	bson_destroy(&key);
	return (rc);
}
