/*
 * Roles and their assignment to principals (pangolin-api.md §2.9).  A
 * role is a named set of grants in one tenant; a user or a service user
 * of that tenant holds the grants of every role assigned to it.  Only
 * admins change them (routes.c), and only in their own tenant: every
 * lookup is scoped to the request's tenant, so another tenant's role or
 * user answers exactly as a missing one.
 */
#include <string.h>

#include "api/api.h"
#include "api/identity/identity.h"
#include "api/gate.h"
#include "api/target.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"

static const struct pgl_jfield create_fields[] = {
	{ "name", PGL_J_STRING, 1 },
	{ "description", PGL_J_STRING, 0 },
	{ "tenant-id", PGL_J_STRING, 0 },
	{ "permissions", PGL_J_ARRAY, 0 },
	{ NULL, 0, 0 }
};

/* PUT takes the whole Role back, read-only fields included. */
static const struct pgl_jfield update_fields[] = {
	{ "id", PGL_J_STRING, 0 },
	{ "name", PGL_J_STRING, 0 },
	{ "description", PGL_J_ANY, 0 },
	{ "tenant-id", PGL_J_STRING, 0 },
	{ "permissions", PGL_J_ARRAY, 0 },
	{ "created-by", PGL_J_ANY, 0 },
	{ "created-at", PGL_J_ANY, 0 },
	{ "updated-at", PGL_J_ANY, 0 },
	{ NULL, 0, 0 }
};

static const struct pgl_jfield assign_fields[] = {
	{ "role-id", PGL_J_STRING, 1 },
	{ NULL, 0, 0 }
};

int
api_body_tenant(struct pgl_req *r, const char *field)
{
	const char	*t = pgl_json_str(r->body, field);

	if (t == NULL || strcmp(t, r->tenant) == 0)
		return (0);
	/* Not the caller's tenant: as if it did not exist (decision 5). */
	pgl_reply_error(r, 404, "Tenant not found");
	return (-1);
}

int
api_grants_check(struct pgl_req *r, const json_t *arr)
{
	struct pgl_grant	 g;
	const char		*why;
	json_t			*v;
	size_t			 i;

	json_array_foreach(arr, i, v) {
		if (!json_is_object(v) || pgl_grant_parse(json_object_get(v,
		    "scope"), json_object_get(v, "actions"), r->arena, &g,
		    &why) == -1) {
			pgl_reply_error(r, 422, "permissions[%zu]: %s", i,
			    json_is_object(v) ? why : "must be an object with "
			    "scope and actions");
			return (-1);
		}
	}
	return (0);
}

static json_t *
role_json(const struct pgl_role *role)
{
	json_t	*j = api_obj(role->doc);

	json_object_set_new(j, "id", json_string(role->id));
	json_object_set_new(j, "name", json_string(role->name));
	json_object_set_new(j, "tenant-id", json_string(role->tenant_id));
	if (json_object_get(j, "permissions") == NULL)
		json_object_set_new(j, "permissions", json_array());
	return (j);
}

void
api_role_create(struct pgl_req *r)
{
	struct pgl_role	 role;
	struct pgl_err	 err;
	char		 id[PGL_UUID_LEN + 1];
	const char	*now = api_rfc3339(r->arena, pgl_now_ms() / 1000);
	json_t		*perms, *doc;

	if (pgl_req_body(r, create_fields) == -1 ||
	    api_body_tenant(r, "tenant-id") == -1 ||
	    pgl_req_name(r, "name", pgl_json_str(r->body, "name")) == -1)
		return;
	perms = json_object_get(r->body, "permissions");
	if (perms != NULL && api_grants_check(r, perms) == -1)
		return;
	pgl_uuid_new(id);
	doc = json_pack("{s:s,s:s,s:o,s:s,s:o,s:s,s:s,s:s}", "id", id, "name",
	    pgl_json_str(r->body, "name"), "description",
	    api_str_or_null(pgl_json_str(r->body, "description")),
	    "tenant-id", r->tenant, "permissions", perms != NULL ?
	    json_incref(perms) : json_array(), "created-by", r->who.user_id,
	    "created-at", now, "updated-at", now);
	role = (struct pgl_role){ id, r->tenant, pgl_json_str(r->body, "name"),
	    api_text(r->arena, doc) };
	json_decref(doc);
	api_audit_about(r, id, role.name);
	if (STORE(create_role, &role, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Tenant not found");
		return;
	}
	pgl_reply_json(r, 201, role_json(&role));
}


void
api_role_list(struct pgl_req *r)
{
	struct pgl_role	*roles;
	struct api_page	 pg;
	struct pgl_err	 err;
	uint64_t	 total = 0;
	size_t		 n, i;
	json_t		*arr;

	if (api_list_page(r, pgl_page_scope("roles", r->tenant, NULL),
	    &pg) == -1)
		return;
	if (STORE(list_roles, r->arena, r->tenant, &pg.pg, &roles, &n,
	    pg.keyed ? NULL : &total, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, role_json(&roles[i]));
	api_reply_page(r, arr, roles, sizeof(*roles),
	    API_KEY_S(struct pgl_role, name), &pg, total);
}

static int
find_role(struct pgl_req *r, const char *id, struct pgl_role *role)
{
	struct pgl_err	err;

	if (STORE(get_role, r->arena, r->tenant, id, role, &err) == PGL_OK)
		return (0);
	pgl_reply_missing(r, &err, "Role not found");
	return (-1);
}

void
api_role_get(struct pgl_req *r)
{
	struct pgl_role	role;

	if (find_role(r, pgl_param(r, "id"), &role) == 0)
		pgl_reply_json(r, 200, role_json(&role));
}

void
api_role_update(struct pgl_req *r)
{
	struct pgl_role	 role;
	struct pgl_err	 err;
	const char	*id = pgl_param(r, "id"), *v;
	json_t		*doc, *perms;

	if (pgl_req_body(r, update_fields) == -1 ||
	    api_body_tenant(r, "tenant-id") == -1)
		return;
	if ((v = pgl_json_str(r->body, "id")) != NULL && strcmp(v, id) != 0) {
		pgl_reply_error(r, 400, "id in the body does not match the path");
		return;
	}
	if ((v = pgl_json_str(r->body, "name")) != NULL &&
	    pgl_req_name(r, "name", v) == -1)
		return;
	perms = json_object_get(r->body, "permissions");
	if (perms != NULL && api_grants_check(r, perms) == -1)
		return;
	if (find_role(r, id, &role) == -1)
		return;
	doc = api_obj(role.doc);
	if (v != NULL) {
		role.name = v;
		json_object_set_new(doc, "name", json_string(v));
	}
	if (json_object_get(r->body, "description") != NULL)
		json_object_set(doc, "description", json_object_get(r->body,
		    "description"));
	if (perms != NULL)
		json_object_set(doc, "permissions", perms);
	json_object_set_new(doc, "updated-at", json_string(api_rfc3339(
	    r->arena, pgl_now_ms() / 1000)));
	role.doc = api_text(r->arena, doc);
	json_decref(doc);
	api_audit_about(r, id, role.name);
	if (STORE(update_role, &role, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Role not found");
		return;
	}
	pgl_reply_json(r, 200, role_json(&role));
}

void
api_role_delete(struct pgl_req *r)
{
	struct pgl_err	 err;
	const char	*id = pgl_param(r, "id");

	api_audit_about(r, id, NULL);
	if (STORE(delete_role, r->tenant, id, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Role not found");
		return;
	}
	pgl_reply_empty(r, 204);
}

/*
 * 0 if id is a user or a service user of the request's tenant, else -1
 * after a 404 (another tenant's principal reads as a missing one).
 */
int
api_principal_in_tenant(struct pgl_req *r, const char *id)
{
	struct pgl_service_user	su;
	struct pgl_user		u;
	struct pgl_err		err;

	if (STORE(get_user, r->arena, id, &u, &err) == PGL_OK) {
		if (u.tenant_id != NULL && strcmp(u.tenant_id, r->tenant) == 0)
			return (0);
	} else if (err.code != PGL_ENOTFOUND) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	if (STORE(get_service_user, r->arena, r->tenant, id, &su, &err) ==
	    PGL_OK)
		return (0);
	pgl_reply_missing(r, &err, "User not found");
	return (-1);
}

/* The caller itself, or an admin of the principal's tenant. */
static int
self_or_admin(struct pgl_req *r, const char *id)
{
	if (api_is_admin(r) || strcmp(id, r->who.user_id) == 0)
		return (0);
	pgl_reply_error(r, 403, "Forbidden");
	return (-1);
}

void
api_user_roles(struct pgl_req *r)
{
	struct pgl_role	*roles;
	struct pgl_err	 err;
	const char	*id = pgl_param(r, "user_id");
	size_t		 n, i;
	json_t		*arr;

	if (self_or_admin(r, id) == -1 || api_principal_in_tenant(r, id) == -1)
		return;
	if (STORE(list_user_roles, r->arena, r->tenant, id, &roles, &n,
	    &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, role_json(&roles[i]));
	pgl_reply_list(r, arr, n);
}

void
api_user_role_assign(struct pgl_req *r)
{
	struct pgl_role	 role;
	struct pgl_err	 err;
	const char	*id = pgl_param(r, "user_id"), *role_id;
	json_t		*doc;

	if (pgl_req_body(r, assign_fields) == -1 ||
	    api_principal_in_tenant(r, id) == -1)
		return;
	role_id = pgl_json_str(r->body, "role-id");
	if (find_role(r, role_id, &role) == -1)
		return;
	doc = json_pack("{s:s,s:s,s:s,s:s}", "user-id", id, "role-id",
	    role_id, "assigned-by", r->who.user_id, "assigned-at",
	    api_rfc3339(r->arena, pgl_now_ms() / 1000));
	api_audit_about(r, role_id, role.name);
	if (STORE(assign_role, r->tenant, id, role_id, api_text(r->arena, doc),
	    &err) != PGL_OK) {
		json_decref(doc);
		pgl_reply_missing(r, &err, "Role not found");
		return;
	}
	pgl_reply_json(r, 201, doc);
}

void
api_user_role_revoke(struct pgl_req *r)
{
	struct pgl_err	 err;
	const char	*id = pgl_param(r, "user_id");
	const char	*role_id = pgl_param(r, "role_id");

	if (api_principal_in_tenant(r, id) == -1)
		return;
	api_audit_about(r, role_id, NULL);
	if (STORE(revoke_role, r->tenant, id, role_id, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Role assignment not found");
		return;
	}
	pgl_reply_empty(r, 204);
}
