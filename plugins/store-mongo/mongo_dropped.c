/*
 * Recoverable drops (store ABI 1.18, undrop): one document per dropped
 * table or view in `dropped_assets`, keyed (tenant_id, id) under a
 * unique index (schema 10), with the SQL stores' column names
 * (sql_dropped.c).  The drop inserts it in its transaction, a restore
 * or the expiry deletes it in theirs: delete answers PGL_ENOTFOUND for
 * one already gone, so of two racing only one goes on.
 *
 * column_tags (ABI 1.20, schema 11) is the host's JSON text of the
 * asset's column tags, null for none; a document of before has no such
 * field, which reads as none.
 *
 * location_key and origin (ABI 1.26, schema 12): mongo_locations.c.
 *
 * MongoDB has no foreign keys: the insert checks the catalog, and the
 * catalog's (and the tenant's) delete takes the entries with its other
 * children (mongo_catalogs.c, mongo_tenants.c).
 */
#include <string.h>

#include "mongo_store.h"

#define WHAT	"dropped entry"

static void
dropped_fill(struct doc *d, void *out)
{
	struct pgl_dropped	*e = out;

	e->id = doc_str(d, "id");
	e->tenant_id = doc_str(d, "tenant_id");
	e->catalog = doc_str(d, "catalog_name");
	e->branch = doc_str(d, "branch_name");
	e->ns = doc_str(d, "namespace");
	e->name = doc_str(d, "name");
	e->kind = doc_str(d, "kind");
	e->asset_id = doc_str(d, "asset_id");
	e->location = doc_str(d, "location");
	e->metadata_location = doc_str(d, "metadata_location");
	e->properties = doc_str(d, "properties");
	e->created_at_ms = doc_int(d, "created_at");
	e->dropped_at_ms = doc_int(d, "dropped_at");
	e->dropped_by = doc_str(d, "dropped_by");
	e->column_tags = doc_str(d, "column_tags");
	if ((e->origin = doc_str(d, "origin")) == NULL)
		e->origin = e->asset_id;
}

static const struct mg_shape	dropped_shape = {
	COLL_DROPPED, sizeof(struct pgl_dropped), dropped_fill, WHAT,
	MG_NAME_TENANT, "ns"
};




/* The catalog must be the tenant's, as the SQL stores' foreign key says. */
static int
catalog_exists(struct pgl_store *s, const struct pgl_dropped *d,
    struct pgl_err *err)
{
	bson_t	key = BSON_INITIALIZER;
	int	found = 0, rc;

	mg_str(&key, "tenant_id", d->tenant_id);
	mg_str(&key, "name", d->catalog);
	rc = mg_exists(s, err, COLL_CATALOGS, &key, &found);
	bson_destroy(&key);
	if (rc == PGL_OK && !found)
		rc = mongo_err(err, PGL_ENOTFOUND, "catalog %s of tenant %s "
		    "not found", d->catalog, d->tenant_id);
	return (rc);
}

static void
dropped_doc(struct pgl_store *s, bson_t *b, const struct pgl_dropped *d)
{
	mg_key_of(b, d->tenant_id, d->id);
	mg_str(b, "catalog_name", d->catalog);
	mg_str(b, "branch_name", d->branch);
	mg_str(b, "namespace", d->ns);
	mg_str(b, "name", d->name);
	mg_str(b, "kind", d->kind);
	mg_str(b, "asset_id", d->asset_id);
	mg_str(b, "location", d->location);
	mongo_location_key_set(s, b, d->location);
	mg_str(b, "origin", d->origin != NULL ? d->origin : d->asset_id);
	mg_str(b, "metadata_location", d->metadata_location);
	mg_str_or(b, "properties", d->properties, "{}");
	BSON_APPEND_INT64(b, "created_at", d->created_at_ms);
	BSON_APPEND_INT64(b, "dropped_at", d->dropped_at_ms);
	mg_str(b, "dropped_by", d->dropped_by);
	mg_str(b, "column_tags", d->column_tags);
}

int
mongo_put_dropped(struct pgl_store *s, const struct pgl_dropped *d,
    struct pgl_err *err)
{
	bson_t	doc = BSON_INITIALIZER;
	int	found = 0, rc;

	if (d == NULL)
		return (mongo_err(err, PGL_EINVAL, "no dropped entry"));
	if ((rc = mg_key_valid(err, WHAT, d->tenant_id, d->id)) != PGL_OK)
		return (rc);
	if (d->catalog == NULL || d->branch == NULL || d->ns == NULL ||
	    d->name == NULL || d->kind == NULL)
		return (mongo_err(err, PGL_EINVAL, "a dropped entry names its "
		    "catalog, branch, namespace, name and kind"));
	if ((rc = catalog_exists(s, d, err)) != PGL_OK)
		return (rc);
	mg_key_of(&doc, d->tenant_id, d->id);
	rc = mg_exists(s, err, COLL_DROPPED, &doc, &found);
	bson_reinit(&doc);
	if (rc == PGL_OK && found)
		rc = PGL_EEXISTS;
	if (rc == PGL_OK) {
		dropped_doc(s, &doc, d);
		rc = mg_insert(s, err, COLL_DROPPED, &doc);
	}
	bson_destroy(&doc);
	if (rc == PGL_EEXISTS)
		rc = mongo_err(err, rc, "dropped entry %s of tenant %s already "
		    "exists", d->id, d->tenant_id);
	return (rc);
}

int
mongo_get_dropped(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *id, struct pgl_dropped *out,
    struct pgl_err *err)
{
	int	rc;

	if ((rc = mg_key_valid(err, WHAT, tenant, id)) != PGL_OK)
		return (rc);
	return (mg_get_by(s, a, err, &dropped_shape, out, "tenant_id", tenant,
	    "id", id, NULL));
}

int
mongo_list_dropped(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const struct pgl_page *page,
    struct pgl_dropped **out, size_t *n, uint64_t *total,
    struct pgl_err *err)
{
	bson_t	 filter = BSON_INITIALIZER, *sort;
	int	 rc;

	*out = NULL;
	*n = 0;
	if (tenant == NULL && catalog != NULL)
		return (mongo_err(err, PGL_EINVAL, "a catalog's dropped "
		    "entries need its tenant"));
	if (tenant != NULL)
		mg_str(&filter, "tenant_id", tenant);
	if (catalog != NULL)
		mg_str(&filter, "catalog_name", catalog);
	sort = BCON_NEW("dropped_at", BCON_INT32(-1), "id", BCON_INT32(-1),
	    "tenant_id", BCON_INT32(-1));
	rc = mg_page(s, a, err, &dropped_shape, &filter, sort, page, out, n,
	    total);
	bson_destroy(sort);
	bson_destroy(&filter);
	return (rc);
}

int
mongo_delete_dropped(struct pgl_store *s, const char *tenant, const char *id,
    struct pgl_err *err)
{
	bson_t		key = BSON_INITIALIZER;
	uint64_t	deleted = 0;
	int		rc;

	if ((rc = mg_key_valid(err, WHAT, tenant, id)) != PGL_OK)
		return (rc);
	mg_key_of(&key, tenant, id);
	rc = mg_delete(s, err, COLL_DROPPED, &key, 0, &deleted);
	bson_destroy(&key);
	if (rc == PGL_OK && deleted == 0)
		rc = mg_not_found_of(err, WHAT, tenant, id);
	return (rc);
}
