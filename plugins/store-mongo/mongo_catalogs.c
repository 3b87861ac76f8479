/*
 * Warehouses, catalogs and namespaces: the configuration a tenant builds
 * before any table exists.  Every filter is keyed by tenant_id first.
 * References that SQLite checks with foreign keys (a catalog's tenant and
 * warehouse, a namespace's catalog) are checked here before the write;
 * see mongo_schema.c for what that does and does not guarantee.
 *
 * Kept whole, over 600 lines: the three levels check and cascade into one
 * another, and the checks are the guarantee (see above).
 */
#include <string.h>

#include "mongo_store.h"

/* filter {tenant_id, <field>: value} */
static void
tenant_key(bson_t *b, const char *tenant, const char *field,
    const char *value)
{
	bson_init(b);
	mg_str(b, "tenant_id", tenant);
	mg_str(b, field, value);
}

/* filter {tenant_id, catalog_name, <field>: value} */
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
exists_key(struct pgl_store *s, struct pgl_err *err, int coll,
    const char *tenant, const char *field, const char *value, int *found)
{
	bson_t	filter;
	int	rc;

	tenant_key(&filter, tenant, field, value);
	rc = mg_exists(s, err, coll, &filter, found);
	bson_destroy(&filter);
	return (rc);
}

static int
tenant_exists(struct pgl_store *s, struct pgl_err *err, const char *tenant,
    int *found)
{
	bson_t	filter = BSON_INITIALIZER;
	int	rc;

	mg_str(&filter, "id", tenant);
	rc = mg_exists(s, err, COLL_TENANTS, &filter, found);
	bson_destroy(&filter);
	return (rc);
}

/* {$or: [{tenant_id, name}, {id}]}: a natural key or an id taken. */
static int
key_or_id_taken(struct pgl_store *s, struct pgl_err *err, int coll,
    const char *tenant, const char *name, const char *id, int *found)
{
	bson_t	*dup;
	int	rc;

	dup = BCON_NEW("$or", "[", "{", "tenant_id", BCON_UTF8(tenant),
	    "name", BCON_UTF8(name), "}", "{", "id", BCON_UTF8(id), "}", "]");
	rc = mg_exists(s, err, coll, dup, found);
	bson_destroy(dup);
	return (rc);
}

/* Warehouses. */

static void
warehouse_fill(struct doc *d, void *out)
{
	struct pgl_warehouse	*w = out;

	w->id = doc_str(d, "id");
	w->tenant_id = doc_str(d, "tenant_id");
	w->name = doc_str(d, "name");
	w->storage_config = doc_str(d, "storage_config");
	w->vending_strategy = doc_str(d, "vending_strategy");
	w->use_sts = doc_bool(d, "use_sts");
}

static const struct mg_shape	warehouse_shape = {
	COLL_WAREHOUSES, sizeof(struct pgl_warehouse), warehouse_fill,
	"warehouse", MG_NAME_KEY, "s"
};

static void
warehouse_set(bson_t *b, const struct pgl_warehouse *w)
{
	mg_str_or(b, "storage_config", w->storage_config, "{}");
	mg_str(b, "vending_strategy", w->vending_strategy);
	BSON_APPEND_BOOL(b, "use_sts", w->use_sts != 0);
}

int
mongo_create_warehouse(struct pgl_store *s, const struct pgl_warehouse *w,
    struct pgl_err *err)
{
	bson_t	doc = BSON_INITIALIZER;
	int	found, rc;

	if (w->tenant_id == NULL || w->name == NULL || w->id == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid value (warehouse "
		    "tenant, name and id are required)"));
	rc = key_or_id_taken(s, err, COLL_WAREHOUSES, w->tenant_id, w->name,
	    w->id, &found);
	if (rc == PGL_OK && found)
		rc = mongo_err(err, PGL_EEXISTS,
		    "already exists (warehouse %s)", w->name);
	if (rc == PGL_OK)
		rc = tenant_exists(s, err, w->tenant_id, &found);
	if (rc == PGL_OK && !found)
		rc = mongo_err(err, PGL_ENOTFOUND, "tenant %s not found",
		    w->tenant_id);
	if (rc == PGL_OK) {
		BSON_APPEND_UTF8(&doc, "tenant_id", w->tenant_id);
		BSON_APPEND_UTF8(&doc, "name", w->name);
		BSON_APPEND_UTF8(&doc, "id", w->id);
		warehouse_set(&doc, w);
		rc = mg_insert(s, err, COLL_WAREHOUSES, &doc);
	}
	bson_destroy(&doc);
	return (rc);
}

int
mongo_get_warehouse(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *name, struct pgl_warehouse *out,
    struct pgl_err *err)
{
	return (mg_get_by(s, a, err, &warehouse_shape, out, "tenant_id",
	    tenant, "name", name, NULL));
}

int
mongo_list_warehouses(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const struct pgl_page *page,
    struct pgl_warehouse **items, size_t *n, uint64_t *total,
    struct pgl_err *err)
{
	return (mg_page_of(s, a, err, &warehouse_shape, tenant, "name", page,
	    items, n, total));
}

/* A rename reaches catalogs.warehouse_name, as SQL's ON UPDATE CASCADE. */
static int
update_warehouse_tx(struct pgl_store *s, const char *old_name,
    const struct pgl_warehouse *w, struct pgl_err *err)
{
	const char	*name = w->name != NULL ? w->name : old_name;
	bson_t		filter, users, up = BSON_INITIALIZER, set;
	bson_t		*follow;
	uint64_t	matched = 0;
	int		found, rc, renamed = strcmp(name, old_name) != 0;

	tenant_key(&filter, w->tenant_id, "name", old_name);
	tenant_key(&users, w->tenant_id, "warehouse_name", old_name);
	rc = mg_exists(s, err, COLL_WAREHOUSES, &filter, &found);
	if (rc == PGL_OK && !found)
		rc = mongo_err(err, PGL_ENOTFOUND, "warehouse %s not found",
		    old_name);
	if (rc == PGL_OK && renamed)
		rc = exists_key(s, err, COLL_WAREHOUSES, w->tenant_id, "name",
		    name, &found);
	if (rc == PGL_OK && renamed && found)
		rc = mongo_err(err, PGL_EEXISTS,
		    "already exists (warehouse %s)", name);
	if (rc == PGL_OK) {
		BSON_APPEND_DOCUMENT_BEGIN(&up, "$set", &set);
		BSON_APPEND_UTF8(&set, "name", name);
		warehouse_set(&set, w);
		bson_append_document_end(&up, &set);
		rc = mg_update(s, err, COLL_WAREHOUSES, &filter, &up, 0,
		    &matched);
	}
	if (rc == PGL_OK && matched == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "warehouse %s not found",
		    old_name);
	if (rc == PGL_OK && renamed) {
		follow = BCON_NEW("$set", "{", "warehouse_name",
		    BCON_UTF8(name), "}");
		rc = mg_update(s, err, COLL_CATALOGS, &users, follow, 1, NULL);
		bson_destroy(follow);
	}
	bson_destroy(&up);
	bson_destroy(&users);
	bson_destroy(&filter);
	return (rc);
}

int
mongo_update_warehouse(struct pgl_store *s, const char *old_name,
    const struct pgl_warehouse *w, struct pgl_err *err)
{
	int	own, rc;

	if (old_name == NULL || w->tenant_id == NULL)
		return (mongo_err(err, PGL_ENOTFOUND, "warehouse not found"));
	if ((rc = mg_tx_own_begin(s, &own, err)) != PGL_OK)
		return (rc);
	rc = update_warehouse_tx(s, old_name, w, err);
	return (mg_tx_own_end(s, own, rc, err));
}

int
mongo_delete_warehouse(struct pgl_store *s, const char *tenant,
    const char *name, struct pgl_err *err)
{
	bson_t		filter;
	uint64_t	deleted;
	int		used, rc;

	rc = exists_key(s, err, COLL_CATALOGS, tenant, "warehouse_name", name,
	    &used);
	if (rc == PGL_OK && used)
		return (mongo_err(err, PGL_EINUSE,
		    "warehouse %s is used by a catalog", name));
	if (rc != PGL_OK)
		return (rc);
	tenant_key(&filter, tenant, "name", name);
	rc = mg_delete(s, err, COLL_WAREHOUSES, &filter, 0, &deleted);
	if (rc == PGL_OK && deleted == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "warehouse %s not found",
		    name);
	bson_destroy(&filter);
	return (rc);
}

/* Catalogs. */

static void
catalog_fill(struct doc *d, void *out)
{
	struct pgl_catalog	*c = out;

	c->id = doc_str(d, "id");
	c->tenant_id = doc_str(d, "tenant_id");
	c->name = doc_str(d, "name");
	c->catalog_type = doc_str(d, "catalog_type");
	c->warehouse_name = doc_str(d, "warehouse_name");
	c->storage_location = doc_str(d, "storage_location");
	c->federated_config = doc_str(d, "federated_config");
	c->properties = doc_str(d, "properties");
}

static const struct mg_shape	catalog_shape = {
	COLL_CATALOGS, sizeof(struct pgl_catalog), catalog_fill, "catalog",
	MG_NAME_KEY, "s"
};

/* The fields an update replaces (catalog_type only when given). */
static void
catalog_set(bson_t *b, const struct pgl_catalog *c)
{
	mg_str(b, "warehouse_name", c->warehouse_name);
	mg_str(b, "storage_location", c->storage_location);
	mg_str(b, "federated_config", c->federated_config);
	mg_str_or(b, "properties", c->properties, "{}");
}

static int
catalog_refs(struct pgl_store *s, const char *tenant,
    const struct pgl_catalog *c, struct pgl_err *err)
{
	int	found, rc;

	rc = tenant_exists(s, err, tenant, &found);
	if (rc == PGL_OK && found && c->warehouse_name != NULL)
		rc = exists_key(s, err, COLL_WAREHOUSES, tenant, "name",
		    c->warehouse_name, &found);
	if (rc == PGL_OK && !found)
		rc = mongo_err(err, PGL_ENOTFOUND, "tenant %s or warehouse %s "
		    "not found", tenant, c->warehouse_name != NULL ?
		    c->warehouse_name : "-");
	return (rc);
}

int
mongo_create_catalog(struct pgl_store *s, const struct pgl_catalog *c,
    struct pgl_err *err)
{
	bson_t	doc = BSON_INITIALIZER;
	int	found, rc;

	if (c->tenant_id == NULL || c->name == NULL || c->id == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid value (catalog "
		    "tenant, name and id are required)"));
	rc = key_or_id_taken(s, err, COLL_CATALOGS, c->tenant_id, c->name,
	    c->id, &found);
	if (rc == PGL_OK && found)
		rc = mongo_err(err, PGL_EEXISTS,
		    "already exists (catalog %s)", c->name);
	if (rc == PGL_OK)
		rc = catalog_refs(s, c->tenant_id, c, err);
	if (rc == PGL_OK) {
		BSON_APPEND_UTF8(&doc, "tenant_id", c->tenant_id);
		BSON_APPEND_UTF8(&doc, "name", c->name);
		BSON_APPEND_UTF8(&doc, "id", c->id);
		mg_str_or(&doc, "catalog_type", c->catalog_type, "Local");
		catalog_set(&doc, c);
		rc = mg_insert(s, err, COLL_CATALOGS, &doc);
	}
	bson_destroy(&doc);
	return (rc);
}

int
mongo_get_catalog(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *name, struct pgl_catalog *out,
    struct pgl_err *err)
{
	return (mg_get_by(s, a, err, &catalog_shape, out, "tenant_id", tenant,
	    "name", name, NULL));
}

int
mongo_list_catalogs(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const struct pgl_page *page,
    struct pgl_catalog **items, size_t *n, uint64_t *total,
    struct pgl_err *err)
{
	return (mg_page_of(s, a, err, &catalog_shape, tenant, "name", page,
	    items, n, total));
}

int
mongo_update_catalog(struct pgl_store *s, const char *tenant,
    const struct pgl_catalog *c, struct pgl_err *err)
{
	bson_t		filter, up = BSON_INITIALIZER, set;
	uint64_t	matched;
	int		found = 1, rc = PGL_OK;

	tenant_key(&filter, tenant, "name", c->name);
	/* A missing warehouse matters only for a catalog that exists. */
	if (c->warehouse_name != NULL)
		rc = exists_key(s, err, COLL_WAREHOUSES, tenant, "name",
		    c->warehouse_name, &found);
	if (rc == PGL_OK && !found) {
		rc = mg_exists(s, err, COLL_CATALOGS, &filter, &found);
		if (rc == PGL_OK)
			rc = found ? mongo_err(err, PGL_ENOTFOUND,
			    "warehouse %s not found", c->warehouse_name) :
			    mongo_err(err, PGL_ENOTFOUND,
			    "catalog %s not found", c->name);
	}
	if (rc == PGL_OK) {
		BSON_APPEND_DOCUMENT_BEGIN(&up, "$set", &set);
		if (c->catalog_type != NULL)
			BSON_APPEND_UTF8(&set, "catalog_type", c->catalog_type);
		catalog_set(&set, c);
		bson_append_document_end(&up, &set);
		rc = mg_update(s, err, COLL_CATALOGS, &filter, &up, 0,
		    &matched);
		if (rc == PGL_OK && matched == 0)
			rc = mongo_err(err, PGL_ENOTFOUND,
			    "catalog %s not found", c->name);
	}
	bson_destroy(&up);
	bson_destroy(&filter);
	return (rc);
}

/* Everything keyed by (tenant_id, catalog_name), children first. */
static const int	catalog_children[] = {
	COLL_DROPPED,
	COLL_ACCESS, COLL_MERGE_CONFLICTS, COLL_MERGE_OPS, COLL_ASSETS,
	COLL_TAGS, COLL_BRANCHES, COLL_COMMITS, COLL_NAMESPACES,
	COLL_POLICIES,	/* ABI 1.17: a catalog's data policies */
};

static int
delete_catalog_tx(struct pgl_store *s, const char *tenant, const char *name,
    struct pgl_err *err)
{
	bson_t		filter, owned;
	uint64_t	deleted;
	size_t		i;
	int		found, rc;

	tenant_key(&filter, tenant, "name", name);
	catalog_key(&owned, tenant, name, NULL, NULL);
	rc = mg_exists(s, err, COLL_CATALOGS, &filter, &found);
	if (rc == PGL_OK && !found)
		rc = mongo_err(err, PGL_ENOTFOUND, "catalog %s not found",
		    name);
	/* Its assets' column tags, keyed by asset id (SQL's cascade). */
	if (rc == PGL_OK)
		rc = mongo_drop_asset_deps(s, tenant, &owned, err);
	for (i = 0; rc == PGL_OK && i < sizeof(catalog_children) /
	    sizeof(catalog_children[0]); i++)
		rc = mg_delete(s, err, catalog_children[i], &owned, 1, NULL);
	if (rc == PGL_OK)
		rc = mg_delete(s, err, COLL_CATALOGS, &filter, 0, &deleted);
	if (rc == PGL_OK && deleted == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "catalog %s not found",
		    name);
	bson_destroy(&owned);
	bson_destroy(&filter);
	return (rc);
}

int
mongo_delete_catalog(struct pgl_store *s, const char *tenant,
    const char *name, struct pgl_err *err)
{
	int	own, rc;

	if ((rc = mg_tx_own_begin(s, &own, err)) != PGL_OK)
		return (rc);
	rc = delete_catalog_tx(s, tenant, name, err);
	return (mg_tx_own_end(s, own, rc, err));
}

static void
asset_counts_fill(struct doc *d, void *out)
{
	struct pgl_catalog_counts	*c = out;

	c->assets = (uint64_t)doc_int(d, "assets");
	c->tables = (uint64_t)doc_int(d, "tables");
	c->views = (uint64_t)doc_int(d, "views");
}

/* 1 for an asset on main of this kind, else 0. */
#define EQ(field, value)						\
	"{", "$eq", "[", BCON_UTF8(field), BCON_UTF8(value), "]", "}"
#define ON_MAIN(kind)							\
	"$sum", "{", "$cond", "[", "{", "$and", "[",			\
	EQ("$branch_name", "main"), EQ("$kind", kind),			\
	"]", "}", BCON_INT32(1), BCON_INT32(0), "]", "}"

/* One pass over the catalog's assets for all three asset counts;
 * tombstones (copy-on-write deletes) are no assets. */
static int
count_assets(struct pgl_store *s, const char *tenant, const char *catalog,
    struct pgl_catalog_counts *out, struct pgl_err *err)
{
	bson_t	*pipeline;
	int	rc;

	pipeline = BCON_NEW("pipeline", "[",
	    "{", "$match", "{", "tenant_id", BCON_UTF8(tenant),
	    "catalog_name", BCON_UTF8(catalog),
	    "gone", "{", "$ne", BCON_BOOL(true), "}", "}", "}",
	    "{", "$group", "{", "_id", BCON_NULL,
	    "assets", "{", "$sum", BCON_INT32(1), "}",
	    "tables", "{", ON_MAIN("ICEBERG_TABLE"), "}",
	    "views", "{", ON_MAIN("VIEW"), "}",
	    "}", "}", "]");
	rc = mg_aggregate_get(s, NULL, err, COLL_ASSETS, pipeline,
	    asset_counts_fill, out);
	bson_destroy(pipeline);
	/* No assets, no group: the counts stay 0. */
	return (rc == PGL_ENOTFOUND ? PGL_OK : rc);
}

int
mongo_count_catalog(struct pgl_store *s, const char *tenant,
    const char *catalog, struct pgl_catalog_counts *out, struct pgl_err *err)
{
	bson_t	filter;
	int	found, rc;

	memset(out, 0, sizeof(*out));
	tenant_key(&filter, tenant, "name", catalog);
	rc = mg_exists(s, err, COLL_CATALOGS, &filter, &found);
	bson_destroy(&filter);
	if (rc == PGL_OK && !found)
		return (mongo_err(err, PGL_ENOTFOUND, "catalog %s not found",
		    catalog));
	catalog_key(&filter, tenant, catalog, NULL, NULL);
	if (rc == PGL_OK)
		rc = mg_count(s, err, COLL_NAMESPACES, &filter,
		    &out->namespaces);
	if (rc == PGL_OK)
		rc = count_assets(s, tenant, catalog, out, err);
	if (rc == PGL_OK)
		rc = mg_count(s, err, COLL_BRANCHES, &filter, &out->branches);
	if (rc == PGL_OK)
		rc = mg_count(s, err, COLL_TAGS, &filter, &out->tags);
	bson_destroy(&filter);
	return (rc);
}

/* Namespaces. */

static void
ns_fill(struct doc *d, void *out)
{
	struct pgl_namespace	*ns = out;

	ns->catalog = doc_str(d, "catalog_name");
	ns->name = doc_str(d, "name");
	ns->properties = doc_str(d, "properties");
}

static const struct mg_shape	ns_shape = {
	COLL_NAMESPACES, sizeof(struct pgl_namespace), ns_fill, "namespace",
	MG_NAME_NONE, "s"
};

/* The name up to its last separator; "" for a top-level namespace. */
static void
append_parent(bson_t *b, const char *name)
{
	const char	*sep = strrchr(name, PGL_NS_SEP);

	bson_append_utf8(b, "parent", -1, name,
	    sep != NULL ? (int)(sep - name) : 0);
}

int
mongo_create_namespace(struct pgl_store *s, const char *tenant,
    const struct pgl_namespace *ns, struct pgl_err *err)
{
	bson_t	key, doc = BSON_INITIALIZER;
	int	found, rc;

	if (ns->catalog == NULL || ns->name == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid value (namespace "
		    "catalog and name are required)"));
	catalog_key(&key, tenant, ns->catalog, "name", ns->name);
	rc = mg_exists(s, err, COLL_NAMESPACES, &key, &found);
	if (rc == PGL_OK && found)
		rc = mongo_err(err, PGL_EEXISTS,
		    "already exists (namespace)");
	if (rc == PGL_OK)
		rc = exists_key(s, err, COLL_CATALOGS, tenant, "name",
		    ns->catalog, &found);
	if (rc == PGL_OK && !found)
		rc = mongo_err(err, PGL_ENOTFOUND, "catalog %s not found",
		    ns->catalog);
	if (rc == PGL_OK) {
		bson_concat(&doc, &key);
		append_parent(&doc, ns->name);
		mg_str_or(&doc, "properties", ns->properties, "{}");
		rc = mg_insert(s, err, COLL_NAMESPACES, &doc);
	}
	bson_destroy(&doc);
	bson_destroy(&key);
	return (rc);
}

int
mongo_get_namespace(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const char *name,
    struct pgl_namespace *out, struct pgl_err *err)
{
	return (mg_get_by(s, a, err, &ns_shape, out, "tenant_id", tenant,
	    "catalog_name", catalog, "name", name, NULL));
}

/* parent NULL lists the whole catalog, "" the top level, anything else
 * the direct children of parent. */
int
mongo_list_namespaces(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const char *parent,
    const struct pgl_page *page, struct pgl_namespace **items, size_t *n,
    uint64_t *total, struct pgl_err *err)
{
	bson_t	filter, *sort = BCON_NEW("name", BCON_INT32(1));
	int	rc;

	catalog_key(&filter, tenant, catalog, NULL, NULL);
	if (parent != NULL)
		BSON_APPEND_UTF8(&filter, "parent", parent);
	rc = mg_page(s, a, err, &ns_shape, &filter, sort, page, items, n,
	    total);
	bson_destroy(sort);
	bson_destroy(&filter);
	return (rc);
}

int
mongo_update_namespace(struct pgl_store *s, const char *tenant,
    const struct pgl_namespace *ns, struct pgl_err *err)
{
	bson_t		key, *up;
	uint64_t	matched;
	int		rc;

	catalog_key(&key, tenant, ns->catalog, "name", ns->name);
	up = BCON_NEW("$set", "{", "properties", BCON_UTF8(ns->properties !=
	    NULL ? ns->properties : "{}"), "}");
	rc = mg_update(s, err, COLL_NAMESPACES, &key, up, 0, &matched);
	if (rc == PGL_OK && matched == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "namespace not found");
	bson_destroy(up);
	bson_destroy(&key);
	return (rc);
}

/* Its assets, on every branch, go with it (not its child namespaces:
 * in SQL the cascade follows the exact name too). */
static int
delete_namespace_tx(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *name, struct pgl_err *err)
{
	bson_t		key, assets;
	uint64_t	deleted;
	int		found, rc;

	catalog_key(&key, tenant, catalog, "name", name);
	catalog_key(&assets, tenant, catalog, "namespace", name);
	rc = mg_exists(s, err, COLL_NAMESPACES, &key, &found);
	if (rc == PGL_OK && !found)
		rc = mongo_err(err, PGL_ENOTFOUND, "namespace not found");
	if (rc == PGL_OK)
		rc = mongo_drop_asset_deps(s, tenant, &assets, err);
	if (rc == PGL_OK)
		rc = mg_delete(s, err, COLL_ASSETS, &assets, 1, NULL);
	if (rc == PGL_OK)
		rc = mg_delete(s, err, COLL_NAMESPACES, &key, 0, &deleted);
	if (rc == PGL_OK && deleted == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "namespace not found");
	bson_destroy(&assets);
	bson_destroy(&key);
	return (rc);
}

int
mongo_delete_namespace(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *name, struct pgl_err *err)
{
	int	own, rc;

	if ((rc = mg_tx_own_begin(s, &own, err)) != PGL_OK)
		return (rc);
	rc = delete_namespace_tx(s, tenant, catalog, name, err);
	return (mg_tx_own_end(s, own, rc, err));
}
