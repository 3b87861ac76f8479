/*
 * Direct grants (pangolin-api.md §2.9): one scope and its actions for one
 * user or service user of the tenant.  Admins grant and revoke; anyone
 * may list their own.
 */
#include <string.h>

#include "api/api.h"
#include "api/identity/identity.h"
#include "api/gate.h"
#include "api/target.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/paging.h"

static const struct pgl_jfield grant_fields[] = {
	{ "user-id", PGL_J_STRING, 1 },
	{ "tenant-id", PGL_J_STRING, 0 },
	{ "scope", PGL_J_OBJECT, 1 },
	{ "actions", PGL_J_ARRAY, 1 },
	{ NULL, 0, 0 }
};

static json_t *
permission_json(const struct pgl_permission *p)
{
	json_t	*j = api_obj(p->doc);

	json_object_set_new(j, "id", json_string(p->id));
	json_object_set_new(j, "user-id", json_string(p->user_id));
	json_object_set_new(j, "tenant-id", json_string(p->tenant_id));
	return (j);
}

/* Grants live in a tenant: a caller without one must name one. */
static int
tenant_context(struct pgl_req *r)
{
	if (strcmp(r->tenant, PGL_NIL_UUID) != 0 ||
	    r->who.role != ROLE_ROOT)
		return (0);
	pgl_reply_error(r, 400, "root must name a tenant (X-Pangolin-Tenant) "
	    "to grant or list permissions");
	return (-1);
}

void
api_permission_grant(struct pgl_req *r)
{
	struct pgl_permission	 p;
	struct pgl_err		 err;
	char			 id[PGL_UUID_LEN + 1];
	const char		*user;
	json_t			*doc, *one;

	if (pgl_req_body(r, grant_fields) == -1 || tenant_context(r) == -1 ||
	    api_body_tenant(r, "tenant-id") == -1)
		return;
	one = json_pack("[{s:O,s:O}]", "scope", json_object_get(r->body,
	    "scope"), "actions", json_object_get(r->body, "actions"));
	if (api_grants_check(r, one) == -1) {
		json_decref(one);
		return;
	}
	json_decref(one);
	user = pgl_json_str(r->body, "user-id");
	if (api_principal_in_tenant(r, user) == -1)
		return;
	pgl_uuid_new(id);
	doc = json_pack("{s:s,s:s,s:s,s:O,s:O,s:s,s:s}", "id", id, "user-id",
	    user, "tenant-id", r->tenant, "scope", json_object_get(r->body,
	    "scope"), "actions", json_object_get(r->body, "actions"),
	    "granted-by", r->who.user_id, "granted-at", api_rfc3339(r->arena,
	    pgl_now_ms() / 1000));
	p = (struct pgl_permission){ id, r->tenant, user,
	    api_text(r->arena, doc), 0 };
	json_decref(doc);
	api_audit_about(r, id, user);
	if (STORE(create_permission, &p, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Tenant not found");
		return;
	}
	pgl_reply_json(r, 201, permission_json(&p));
}

/* ?user=U: admins any principal of the tenant, others only themselves. */
void
api_permission_list(struct pgl_req *r)
{
	struct pgl_permission	*items;
	struct api_page		 pg;
	struct pgl_err		 err;
	const char		*user = pgl_query(r, "user");
	uint64_t		 total = 0;
	size_t			 n, i;
	json_t			*arr;

	if (tenant_context(r) == -1)
		return;
	if (!api_is_admin(r)) {
		if (user != NULL && strcmp(user, r->who.user_id) != 0) {
			pgl_reply_error(r, 403, "Forbidden");
			return;
		}
		user = r->who.user_id;
	}
	if (api_list_page(r, pgl_page_scope("permissions", r->tenant,
	    user != NULL ? user : PGL_PAGE_NONE, NULL), &pg) == -1)
		return;
	if (STORE(list_permissions, r->arena, r->tenant, user, &pg.pg, &items,
	    &n, pg.keyed ? NULL : &total, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, permission_json(&items[i]));
	api_reply_page(r, arr, items, sizeof(*items),
	    API_KEY_NS(struct pgl_permission, seq, id), &pg, total);
}

void
api_permission_revoke(struct pgl_req *r)
{
	struct pgl_err	 err;
	const char	*id = pgl_param(r, "id");

	api_audit_about(r, id, NULL);
	if (STORE(delete_permission, r->tenant, id, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Permission not found");
		return;
	}
	pgl_reply_empty(r, 204);
}
