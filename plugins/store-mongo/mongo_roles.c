/*
 * Roles, role assignments and direct grants, as
 * plugins/sql-common/sql_roles.c: keyed by tenant first, unique role
 * names per tenant, assignments idempotent, grants in creation order.
 *
 * There is no sequence to draw from without a counter document every
 * create would write (and every concurrent transaction would conflict
 * on), so a grant's seq is the store's clock in microseconds, and above
 * the handle's last one (grant_seq), so that one writer's grants list in
 * the order they were made; ties (grants of two processes in the same
 * microsecond, which have no order to keep) go by id, so that (seq, id)
 * is the key of a keyset page (ABI 1.28).  Grants made before were
 * given the clock in milliseconds (by _id within one): smaller, so they
 * list first, as they were made first.
 */
#include "mongo_store.h"

static void
role_fill(struct doc *d, void *out)
{
	struct pgl_role	*r = out;

	r->id = doc_str(d, "id");
	r->tenant_id = doc_str(d, "tenant_id");
	r->name = doc_str(d, "name");
	r->doc = doc_str(d, "doc");
}

static const struct mg_shape	role_shape = {
	COLL_ROLES, sizeof(struct pgl_role), role_fill, "role", MG_NAME_KEY,
	"s"
};

static void
perm_fill(struct doc *d, void *out)
{
	struct pgl_permission	*p = out;

	p->id = doc_str(d, "id");
	p->tenant_id = doc_str(d, "tenant_id");
	p->user_id = doc_str(d, "user_id");
	p->doc = doc_str(d, "doc");
	p->seq = doc_int(d, "seq");
}

/* The next grant's place (see the top). */
static int64_t
grant_seq(struct pgl_store *s)
{
	int64_t	now = mongo_now_ms() * 1000;

	s->grant_seq = now > s->grant_seq ? now : s->grant_seq + 1;
	return (s->grant_seq);
}

static const struct mg_shape	perm_shape = {
	COLL_PERMISSIONS, sizeof(struct pgl_permission), perm_fill,
	"permission", MG_NAME_KEY, "ns"
};

/* Another role (not id) of the tenant with this name. */
static int
name_taken(struct pgl_store *s, const struct pgl_role *r, struct pgl_err *err)
{
	bson_t	*dup;
	int	 found = 0, rc;

	dup = BCON_NEW("tenant_id", BCON_UTF8(r->tenant_id), "name",
	    BCON_UTF8(r->name), "id", "{", "$ne", BCON_UTF8(r->id), "}");
	rc = mg_exists(s, err, COLL_ROLES, dup, &found);
	bson_destroy(dup);
	if (rc == PGL_OK && found)
		rc = mongo_err(err, PGL_EEXISTS, "role %s already exists",
		    r->name);
	return (rc);
}

int
mongo_create_role(struct pgl_store *s, const struct pgl_role *r,
    struct pgl_err *err)
{
	bson_t	doc = BSON_INITIALIZER, filter = BSON_INITIALIZER;
	int	found = 0, rc;

	if (r->id == NULL || r->tenant_id == NULL || r->name == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid value (role id, "
		    "tenant and name are required)"));
	mg_str(&filter, "id", r->id);
	rc = mg_exists(s, err, COLL_ROLES, &filter, &found);
	if (rc == PGL_OK && found)
		rc = mongo_err(err, PGL_EEXISTS, "role %s already exists",
		    r->id);
	if (rc == PGL_OK)
		rc = name_taken(s, r, err);
	if (rc == PGL_OK)
		rc = mongo_tenant_exists(s, r->tenant_id, err);
	if (rc == PGL_OK) {
		mg_str(&doc, "id", r->id);
		mg_str(&doc, "tenant_id", r->tenant_id);
		mg_str(&doc, "name", r->name);
		mg_str_or(&doc, "doc", r->doc, "{}");
		rc = mg_insert(s, err, COLL_ROLES, &doc);
	}
	bson_destroy(&filter);
	bson_destroy(&doc);
	return (rc);
}

int
mongo_get_role(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    const char *id, struct pgl_role *out, struct pgl_err *err)
{
	return (mg_get_by(s, a, err, &role_shape, out, "tenant_id", tenant,
	    "id", id, NULL));
}

int
mongo_list_roles(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    const struct pgl_page *page, struct pgl_role **items, size_t *n,
    uint64_t *total, struct pgl_err *err)
{
	return (mg_page_of(s, a, err, &role_shape, tenant, "name", page, items,
	    n, total));
}

int
mongo_update_role(struct pgl_store *s, const struct pgl_role *r,
    struct pgl_err *err)
{
	bson_t		filter = BSON_INITIALIZER, *up;
	uint64_t	matched = 0;
	int		found = 0, rc;

	if (r->id == NULL || r->tenant_id == NULL || r->name == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid value (role id, "
		    "tenant and name are required)"));
	mg_str(&filter, "tenant_id", r->tenant_id);
	mg_str(&filter, "id", r->id);
	rc = mg_exists(s, err, COLL_ROLES, &filter, &found);
	if (rc == PGL_OK && !found)
		rc = mongo_err(err, PGL_ENOTFOUND, "role %s not found", r->id);
	if (rc == PGL_OK)
		rc = name_taken(s, r, err);
	if (rc == PGL_OK) {
		up = BCON_NEW("$set", "{", "name", BCON_UTF8(r->name), "doc",
		    BCON_UTF8(r->doc != NULL ? r->doc : "{}"), "}");
		rc = mg_update(s, err, COLL_ROLES, &filter, up, 0, &matched);
		bson_destroy(up);
	}
	if (rc == PGL_OK && matched == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "role %s not found", r->id);
	bson_destroy(&filter);
	return (rc);
}

int
mongo_delete_role(struct pgl_store *s, const char *tenant, const char *id,
    struct pgl_err *err)
{
	bson_t		filter = BSON_INITIALIZER;
	bson_t		assigned = BSON_INITIALIZER;
	uint64_t	deleted = 0;
	int		own, rc;

	if ((rc = mg_tx_own_begin(s, &own, err)) != PGL_OK)
		return (rc);
	mg_str(&filter, "tenant_id", tenant);
	mg_str(&filter, "id", id);
	mg_str(&assigned, "tenant_id", tenant);
	mg_str(&assigned, "role_id", id);
	/* Assignments first: without transactions a failure leaves a role
	 * that can be deleted again, never assignments to nothing. */
	rc = mg_delete(s, err, COLL_USER_ROLES, &assigned, 1, NULL);
	if (rc == PGL_OK)
		rc = mg_delete(s, err, COLL_ROLES, &filter, 0, &deleted);
	if (rc == PGL_OK && deleted == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "role %s not found", id);
	bson_destroy(&assigned);
	bson_destroy(&filter);
	return (mg_tx_own_end(s, own, rc, err));
}

int
mongo_assign_role(struct pgl_store *s, const char *tenant,
    const char *user_id, const char *role_id, const char *doc,
    struct pgl_err *err)
{
	bson_t	role = BSON_INITIALIZER, key = BSON_INITIALIZER;
	bson_t	row = BSON_INITIALIZER;
	int	found = 0, rc;

	mg_str(&role, "tenant_id", tenant);
	mg_str(&role, "id", role_id);
	rc = mg_exists(s, err, COLL_ROLES, &role, &found);
	if (rc == PGL_OK && !found)
		rc = mongo_err(err, PGL_ENOTFOUND, "role %s not found",
		    role_id);
	mg_str(&key, "tenant_id", tenant);
	mg_str(&key, "principal_id", user_id);
	mg_str(&key, "role_id", role_id);
	/* Re-assigning keeps the first assignment and its doc. */
	if (rc == PGL_OK)
		rc = mg_exists(s, err, COLL_USER_ROLES, &key, &found);
	if (rc == PGL_OK && !found) {
		bson_copy_to_excluding_noinit(&key, &row, "", NULL);
		mg_str_or(&row, "doc", doc, "{}");
		rc = mg_insert(s, err, COLL_USER_ROLES, &row);
		if (rc == PGL_EEXISTS)	/* a concurrent assign won */
			rc = PGL_OK;
	}
	bson_destroy(&row);
	bson_destroy(&key);
	bson_destroy(&role);
	return (rc);
}

int
mongo_revoke_role(struct pgl_store *s, const char *tenant,
    const char *user_id, const char *role_id, struct pgl_err *err)
{
	bson_t		key = BSON_INITIALIZER;
	uint64_t	deleted = 0;
	int		rc;

	mg_str(&key, "tenant_id", tenant);
	mg_str(&key, "principal_id", user_id);
	mg_str(&key, "role_id", role_id);
	rc = mg_delete(s, err, COLL_USER_ROLES, &key, 0, &deleted);
	if (rc == PGL_OK && deleted == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "role %s is not assigned "
		    "to %s", role_id, user_id);
	bson_destroy(&key);
	return (rc);
}

/* Read on every authorization of a tenant user: one $lookup. */
int
mongo_list_user_roles(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *user_id, struct pgl_role **items,
    size_t *n, struct pgl_err *err)
{
	bson_t	*pipeline;
	void	*p;
	int	 rc;

	pipeline = BCON_NEW("pipeline", "[",
	    "{", "$match", "{", "tenant_id", BCON_UTF8(tenant),
	    "principal_id", BCON_UTF8(user_id), "}", "}",
	    "{", "$lookup", "{", "from", BCON_UTF8("roles"),
	    "localField", BCON_UTF8("role_id"), "foreignField", BCON_UTF8("id"),
	    "as", BCON_UTF8("role"), "}", "}",
	    "{", "$unwind", BCON_UTF8("$role"), "}",
	    "{", "$replaceRoot", "{", "newRoot", BCON_UTF8("$role"), "}", "}",
	    "{", "$sort", "{", "name", BCON_INT32(1), "}", "}",
	    "]");
	rc = mg_aggregate(s, a, err, COLL_USER_ROLES, pipeline, role_fill,
	    sizeof(**items), &p, n);
	*items = p;
	bson_destroy(pipeline);
	return (rc);
}

int
mongo_create_permission(struct pgl_store *s, const struct pgl_permission *p,
    struct pgl_err *err)
{
	bson_t	doc = BSON_INITIALIZER;
	int	found = 0, rc;

	if (p->id == NULL || p->tenant_id == NULL || p->user_id == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid value (permission "
		    "id, tenant and principal are required)"));
	/* The id's unique index decides a race; the check answers first
	 * (mongo_schema.c says why). */
	mg_str(&doc, "id", p->id);
	rc = mg_exists(s, err, COLL_PERMISSIONS, &doc, &found);
	if (rc == PGL_OK && found)
		rc = mongo_err(err, PGL_EEXISTS, "permission %s already exists",
		    p->id);
	if (rc == PGL_OK)
		rc = mongo_tenant_exists(s, p->tenant_id, err);
	if (rc != PGL_OK) {
		bson_destroy(&doc);
		return (rc);
	}
	mg_str(&doc, "tenant_id", p->tenant_id);
	mg_str(&doc, "user_id", p->user_id);
	BSON_APPEND_INT64(&doc, "seq", grant_seq(s));
	mg_str_or(&doc, "doc", p->doc, "{}");
	rc = mg_insert(s, err, COLL_PERMISSIONS, &doc);
	if (rc == PGL_EEXISTS)
		(void)mongo_err(err, rc, "permission %s already exists", p->id);
	bson_destroy(&doc);
	return (rc);
}

int
mongo_delete_permission(struct pgl_store *s, const char *tenant,
    const char *id, struct pgl_err *err)
{
	bson_t		filter = BSON_INITIALIZER;
	uint64_t	deleted = 0;
	int		rc;

	mg_str(&filter, "tenant_id", tenant);
	mg_str(&filter, "id", id);
	rc = mg_delete(s, err, COLL_PERMISSIONS, &filter, 0, &deleted);
	if (rc == PGL_OK && deleted == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "permission %s not found",
		    id);
	bson_destroy(&filter);
	return (rc);
}

int
mongo_list_permissions(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *user_id, const struct pgl_page *page,
    struct pgl_permission **items, size_t *n, uint64_t *total,
    struct pgl_err *err)
{
	bson_t	filter = BSON_INITIALIZER, *sort;
	int	rc;

	sort = BCON_NEW("seq", BCON_INT32(1), "id", BCON_INT32(1));
	mg_str(&filter, "tenant_id", tenant);
	if (user_id != NULL)
		mg_str(&filter, "user_id", user_id);
	rc = mg_page(s, a, err, &perm_shape, &filter, sort, page, items, n,
	    total);
	bson_destroy(sort);
	bson_destroy(&filter);
	return (rc);
}

int
mongo_drop_grants_of(struct pgl_store *s, const char *id, struct pgl_err *err)
{
	bson_t	held = BSON_INITIALIZER, granted = BSON_INITIALIZER;
	int	rc;

	mg_str(&held, "principal_id", id);
	mg_str(&granted, "user_id", id);
	rc = mg_delete(s, err, COLL_USER_ROLES, &held, 1, NULL);
	if (rc == PGL_OK)
		rc = mg_delete(s, err, COLL_PERMISSIONS, &granted, 1, NULL);
	bson_destroy(&granted);
	bson_destroy(&held);
	return (rc);
}
