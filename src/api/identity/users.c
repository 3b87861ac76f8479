/*
 * Users and login (pangolin-api.md §2.6).  Passwords are argon2id
 * (src/auth/hash.c); a login answers an HS256 session token whose id
 * (jti) and metadata are stored, never the token; logout revokes it.
 *
 * Tenant scoping: a tenant admin manages the users of its own tenant
 * only, root those of every tenant; a user of another tenant answers
 * exactly like a missing one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/identity/identity.h"
#include "api/identity/password_job.h"
#include "api/target.h"
#include "app/app.h"
#include "auth/password.h"
#include "auth/principal.h"
#include "util/arena.h"
#include "util/json.h"

static const struct pgl_jfield create_fields[] = {
	{ "username", PGL_J_STRING, 1 },
	{ "email", PGL_J_STRING, 0 },
	{ "password", PGL_J_STRING, 0 },
	{ "tenant_id", PGL_J_STRING, 0 },
	{ "role", PGL_J_STRING, 1 },
	{ NULL, 0, 0 }
};

static const struct pgl_jfield update_fields[] = {
	{ "email", PGL_J_STRING, 0 },
	{ "password", PGL_J_STRING, 0 },
	{ "active", PGL_J_BOOL, 0 },
	{ NULL, 0, 0 }
};

/* Root may see every user; a tenant admin or user only its tenant's. */
static int
visible(const struct pgl_req *r, const struct pgl_user *u)
{
	if (r->who.role == ROLE_ROOT)
		return (1);
	return (u->tenant_id != NULL && strcmp(u->tenant_id,
	    r->who.tenant_id) == 0);
}

static int
find_user(struct pgl_req *r, struct pgl_user *u)
{
	struct pgl_err	err;
	int		rc;

	memset(&err, 0, sizeof(err));
	rc = STORE(get_user, r->arena, pgl_param(r, "user_id"), u, &err);
	if (rc == PGL_OK && visible(r, u))
		return (0);
	if (rc != PGL_OK && rc != PGL_ENOTFOUND)
		pgl_reply_store_error(r, &err);
	else
		pgl_reply_error(r, 404, "User not found");
	return (-1);
}

static int
is_admin_of(const struct pgl_req *r, const struct pgl_user *u)
{
	return (r->who.role == ROLE_ROOT || (r->who.role == ROLE_TENANT_ADMIN &&
	    visible(r, u)));
}

static int
password_ok(struct pgl_req *r, const char *pw)
{
	if (pw == NULL || pgl_password_is_weak(pw)) {
		pgl_reply_error(r, 400, "password must be at least 12 "
		    "characters and not a common password");
		return (0);
	}
	return (1);
}

/*
 * The tenant a new user goes to, or NULL after a reply: root names it
 * (tenant admins only), a tenant admin creates in its own tenant.
 */
static const char *
new_user_tenant(struct pgl_req *r, const char *role)
{
	const char	*tenant = pgl_json_str(r->body, "tenant_id");

	if (strcmp(role, "root") == 0) {
		pgl_reply_error(r, 403, "root users cannot be created");
		return (NULL);
	}
	if (strcmp(role, "tenant-admin") != 0 &&
	    strcmp(role, "tenant-user") != 0) {
		pgl_reply_error(r, 422, "role must be tenant-admin or "
		    "tenant-user");
		return (NULL);
	}
	if (r->who.role == ROLE_ROOT) {
		if (tenant == NULL || !pgl_uuid_valid(tenant)) {
			pgl_reply_error(r, 400, "tenant_id (a UUID) is "
			    "required");
			return (NULL);
		}
		return (tenant);
	}
	if (tenant != NULL && strcmp(tenant, r->who.tenant_id) != 0) {
		pgl_reply_error(r, 403, "Forbidden");
		return (NULL);
	}
	return (r->tenant);
}

void
api_user_create(struct pgl_req *r)
{
	struct pgl_user	 u;
	struct pgl_err	 err;
	char		 id[PGL_UUID_LEN + 1], hash[PGL_HASH_LEN];
	const char	*role, *pw;

	if (pgl_req_body(r, create_fields) == -1 ||
	    api_principal_name_ok(r, "username", pgl_json_str(r->body,
	    "username")) == -1)
		return;
	role = pgl_json_str(r->body, "role");
	pw = pgl_json_str(r->body, "password");
	memset(&u, 0, sizeof(u));
	if ((u.tenant_id = new_user_tenant(r, role)) == NULL ||
	    !password_ok(r, pw))
		return;
	/* Off the event loop: this run ends here, and runs again with it. */
	if (api_password_hash(r, pw, hash, &err) != PGL_OK) {
		api_password_reply_error(r, &err);
		return;
	}
	pgl_uuid_new(id);
	u.id = id;
	u.username = pgl_json_str(r->body, "username");
	u.email = pgl_json_str(r->body, "email");
	u.role = role;
	u.password_hash = hash;
	u.active = 1;
	u.doc = pgl_arena_printf(r->arena, "{\"created-at\":\"%s\"}",
	    api_rfc3339(r->arena, pgl_now_ms() / 1000));
	if (STORE(create_user, &u, &err) != PGL_OK) {
		if (err.code == PGL_EEXISTS)
			(void)snprintf(err.msg, sizeof(err.msg),
			    "User '%s' already exists, or one whose name "
			    "reads the same (names are compared without case, "
			    "Unicode form, spacing or invisible characters)",
			    u.username);
		pgl_reply_missing(r, &err, "Tenant not found");
		return;
	}
	api_audit(r, u.tenant_id, "create_user", "user", u.id, u.username, 1,
	    NULL);
	pgl_reply_json(r, 201, api_user_info(&u));
}


void
api_user_list(struct pgl_req *r)
{
	struct pgl_user	*items;
	struct api_page	 pg;
	struct pgl_err	 err;
	json_t		*arr;
	uint64_t	 total = 0;
	size_t		 n, i;

	if (api_list_page(r, pgl_page_scope("users", r->tenant, NULL),
	    &pg) == -1)
		return;
	if (STORE(list_users, r->arena, r->tenant, &pg.pg, &items, &n,
	    pg.keyed ? NULL : &total, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, api_user_info(&items[i]));
	api_reply_page(r, arr, items, sizeof(*items),
	    API_KEY_S(struct pgl_user, username), &pg, total);
}

void
api_user_get(struct pgl_req *r)
{
	struct pgl_user	u;

	if (find_user(r, &u) == -1)
		return;
	if (strcmp(u.id, r->who.user_id) != 0 && !is_admin_of(r, &u)) {
		pgl_reply_error(r, 403, "Forbidden");
		return;
	}
	pgl_reply_json(r, 200, api_user_info(&u));
}

void
api_user_update(struct pgl_req *r)
{
	struct pgl_user	 u;
	struct pgl_err	 err;
	const json_t	*active;
	const char	*pw;
	char		 hash[PGL_HASH_LEN];

	if (pgl_req_body(r, update_fields) == -1 || find_user(r, &u) == -1)
		return;
	if (strcmp(u.id, r->who.user_id) != 0 && !is_admin_of(r, &u)) {
		pgl_reply_error(r, 403, "Forbidden");
		return;
	}
	active = json_object_get(r->body, "active");
	if (active != NULL && !json_is_null(active)) {
		if (!is_admin_of(r, &u)) {
			pgl_reply_error(r, 403, "only an admin may change "
			    "`active`");
			return;
		}
		u.active = json_is_true(active);
	}
	if (pgl_json_str(r->body, "email") != NULL)
		u.email = pgl_json_str(r->body, "email");
	if ((pw = pgl_json_str(r->body, "password")) != NULL) {
		if (!password_ok(r, pw))
			return;
		if (api_password_hash(r, pw, hash, &err) != PGL_OK) {
			api_password_reply_error(r, &err);
			return;
		}
		u.password_hash = hash;
	}
	if (STORE(update_user, &u, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "User not found");
		return;
	}
	/* After the write: a login that read the user as active before it
	 * has its token row by now (api_session_new). */
	if (!u.active && api_owner_revoke(r, u.id, "user deactivated") == -1)
		return;
	api_audit(r, u.tenant_id, "update_user", "user", u.id, u.username, 1,
	    NULL);
	pgl_reply_json(r, 200, api_user_info(&u));
}

void
api_user_delete(struct pgl_req *r)
{
	struct pgl_user	 u;
	struct pgl_err	 err;

	if (find_user(r, &u) == -1)
		return;
	if (!is_admin_of(r, &u)) {
		pgl_reply_error(r, 403, "Forbidden");
		return;
	}
	if (strcmp(u.id, r->who.user_id) == 0) {
		pgl_reply_error(r, 400, "you cannot delete yourself");
		return;
	}
	/* In the gate's transaction: both or neither. */
	if (api_external_forget(r, &u) == -1)
		return;
	if (STORE(delete_user, u.id, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "User not found");
		return;
	}
	api_audit(r, u.tenant_id, "delete_user", "user", u.id, u.username, 1,
	    NULL);
	pgl_reply_empty(r, 204);
}
