/*
 * Tenants.  Deleting one deletes everything it owns, collection by
 * collection (no foreign keys here), in one transaction where the
 * deployment has them; children go first, so an interrupted delete
 * without transactions leaves a tenant that can be deleted again rather
 * than orphans a recreated tenant would inherit.
 */
#include "mongo_store.h"

static void
tenant_fill(struct doc *d, void *out)
{
	struct pgl_tenant	*t = out;

	t->id = doc_str(d, "id");
	t->name = doc_str(d, "name");
	t->properties = doc_str(d, "properties");
}

static const struct mg_shape	tenant_shape = {
	COLL_TENANTS, sizeof(struct pgl_tenant), tenant_fill, "tenant",
	MG_NAME_KEY, "s"
};

/*
 * Existence checks before writes: see mongo_schema.c.  The unique
 * indexes decide under a race (E11000 -> PGL_EEXISTS); the check gives
 * the same answer without relying on them, which test servers that do
 * not enforce unique indexes need.
 */
int
mongo_create_tenant(struct pgl_store *s, const struct pgl_tenant *t,
    struct pgl_err *err)
{
	bson_t	*dup, doc = BSON_INITIALIZER;
	int	found, rc;

	if (t->id == NULL || t->name == NULL)
		return (mongo_err(err, PGL_EINVAL,
		    "invalid value (tenant id and name are required)"));
	dup = BCON_NEW("$or", "[", "{", "id", BCON_UTF8(t->id), "}",
	    "{", "name", BCON_UTF8(t->name), "}", "]");
	rc = mg_exists(s, err, COLL_TENANTS, dup, &found);
	if (rc == PGL_OK && found)
		rc = mongo_err(err, PGL_EEXISTS, "already exists (tenant id "
		    "%s or name %s)", t->id, t->name);
	if (rc == PGL_OK) {
		BSON_APPEND_UTF8(&doc, "id", t->id);
		BSON_APPEND_UTF8(&doc, "name", t->name);
		mg_str_or(&doc, "properties", t->properties, "{}");
		rc = mg_insert(s, err, COLL_TENANTS, &doc);
	}
	bson_destroy(&doc);
	bson_destroy(dup);
	return (rc);
}

int
mongo_get_tenant(struct pgl_store *s, struct pgl_arena *a, const char *id,
    struct pgl_tenant *out, struct pgl_err *err)
{
	return (mg_get_by(s, a, err, &tenant_shape, out, "id", id, NULL));
}

int
mongo_list_tenants(struct pgl_store *s, struct pgl_arena *a,
    const struct pgl_page *page, struct pgl_tenant **items, size_t *n,
    uint64_t *total, struct pgl_err *err)
{
	bson_t	all = BSON_INITIALIZER, *sort = BCON_NEW("name", BCON_INT32(1));
	int	rc;

	rc = mg_page(s, a, err, &tenant_shape, &all, sort, page, items, n,
	    total);
	bson_destroy(sort);
	return (rc);
}

int
mongo_update_tenant(struct pgl_store *s, const struct pgl_tenant *t,
    struct pgl_err *err)
{
	bson_t		filter = BSON_INITIALIZER, *dup = NULL;
	bson_t		up = BSON_INITIALIZER, set;
	uint64_t	matched;
	int		found = 0, rc = PGL_OK;

	mg_str(&filter, "id", t->id);
	/* A name another tenant has is taken (checked only if the tenant
	 * exists: an update of nothing is PGL_ENOTFOUND, as in SQL). */
	if (t->name != NULL) {
		dup = BCON_NEW("name", BCON_UTF8(t->name),
		    "id", "{", "$ne", BCON_UTF8(t->id != NULL ? t->id : ""),
		    "}");
		rc = mg_exists(s, err, COLL_TENANTS, dup, &found);
		if (rc == PGL_OK && found)
			rc = mg_exists(s, err, COLL_TENANTS, &filter, &found);
		if (rc == PGL_OK && found)
			rc = mongo_err(err, PGL_EEXISTS,
			    "already exists (tenant name %s)", t->name);
	}
	if (rc == PGL_OK) {
		BSON_APPEND_DOCUMENT_BEGIN(&up, "$set", &set);
		mg_str_or(&set, "properties", t->properties, "{}");
		if (t->name != NULL)
			BSON_APPEND_UTF8(&set, "name", t->name);
		bson_append_document_end(&up, &set);
		rc = mg_update(s, err, COLL_TENANTS, &filter, &up, 0, &matched);
		if (rc == PGL_OK && matched == 0)
			rc = mongo_err(err, PGL_ENOTFOUND,
			    "tenant %s not found", t->id);
	}
	bson_destroy(&up);
	if (dup != NULL)
		bson_destroy(dup);
	bson_destroy(&filter);
	return (rc);
}

/* Everything keyed by tenant_id, children before parents. */
static const int	tenant_children[] = {
	COLL_DROPPED,
	COLL_ACCESS, COLL_SETTINGS, COLL_PLAN_PARTS,
	COLL_MERGE_CONFLICTS, COLL_MERGE_OPS, COLL_TASKS, COLL_TASK_TENANTS,
	COLL_PERMISSIONS, COLL_USER_ROLES, COLL_ROLES,
	COLL_SERVICE_USERS, COLL_TOKENS, COLL_USERS, COLL_IDEMPOTENCY, COLL_ASSETS, COLL_TAGS,
	COLL_BRANCHES, COLL_COMMITS, COLL_NAMESPACES, COLL_CATALOGS,
	COLL_WAREHOUSES,
	COLL_POLICIES, COLL_COLUMN_TAGS,	/* ABI 1.17 */
};

static int
delete_tenant_tx(struct pgl_store *s, const char *id, struct pgl_err *err)
{
	bson_t		owned = BSON_INITIALIZER, filter = BSON_INITIALIZER;
	uint64_t	deleted;
	size_t		i;
	int		found, rc;

	mg_str(&filter, "id", id);
	mg_str(&owned, "tenant_id", id);
	rc = mg_exists(s, err, COLL_TENANTS, &filter, &found);
	if (rc == PGL_OK && !found)
		rc = mongo_err(err, PGL_ENOTFOUND, "tenant %s not found", id);
	/* Its tokens are revoked before their rows go, so none of them
	 * authenticates afterwards. */
	if (rc == PGL_OK)
		rc = mongo_revoke_tokens_where(s, &owned, "tenant deleted", err);
	for (i = 0; rc == PGL_OK && i < sizeof(tenant_children) /
	    sizeof(tenant_children[0]); i++)
		rc = mg_delete(s, err, tenant_children[i], &owned, 1, NULL);
	/* Its figures go with it: nothing is left to count (the changes
	 * the deletes above noted, too). */
	if (rc == PGL_OK) {
		mongo_usage_forget(s, id);
		rc = mg_delete(s, err, COLL_USAGE, &owned, 1, NULL);
	}
	if (rc == PGL_OK)
		rc = mg_delete(s, err, COLL_TENANTS, &filter, 0, &deleted);
	if (rc == PGL_OK && deleted == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "tenant %s not found", id);
	bson_destroy(&owned);
	bson_destroy(&filter);
	return (rc);
}

int
mongo_delete_tenant(struct pgl_store *s, const char *id, struct pgl_err *err)
{
	int	own, rc;

	if ((rc = mg_tx_own_begin(s, &own, err)) != PGL_OK)
		return (rc);
	rc = delete_tenant_tx(s, id, err);
	return (mg_tx_own_end(s, own, rc, err));
}

/* PGL_OK if the tenant exists, PGL_ENOTFOUND naming it if not. */
int
mongo_tenant_exists(struct pgl_store *s, const char *id, struct pgl_err *err)
{
	bson_t	filter = BSON_INITIALIZER;
	int	found = 0, rc;

	mg_str(&filter, "id", id);
	rc = mg_exists(s, err, COLL_TENANTS, &filter, &found);
	bson_destroy(&filter);
	if (rc == PGL_OK && !found)
		rc = mongo_err(err, PGL_ENOTFOUND, "tenant %s not found", id);
	return (rc);
}
