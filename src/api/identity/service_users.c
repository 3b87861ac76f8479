/*
 * Service users and API keys (pangolin-api.md §2.8): machine principals
 * of a tenant.  A key is minted in the new format only
 * ("pgl_<key id>_<secret>", src/auth/apikey.c), shown once in the create
 * and rotate answers, and stored as a hash; list and get never return
 * either.  X-API-Key works out of the box (kore_dispatch.c).
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/identity/identity.h"
#include "api/target.h"
#include "app/app.h"
#include "auth/apikey.h"
#include "util/arena.h"
#include "util/json.h"

#define DAY_MS	(86400LL * 1000)

static const struct pgl_jfield create_fields[] = {
	{ "name", PGL_J_STRING, 1 },
	{ "description", PGL_J_STRING, 0 },
	{ "role", PGL_J_STRING, 1 },
	{ "expires_in_days", PGL_J_INT, 0 },
	{ "enforces_read_restrictions", PGL_J_BOOL, 0 },
	{ NULL, 0, 0 }
};

static const struct pgl_jfield update_fields[] = {
	{ "name", PGL_J_STRING, 0 },
	{ "description", PGL_J_STRING, 0 },
	{ "active", PGL_J_BOOL, 0 },
	{ "enforces_read_restrictions", PGL_J_BOOL, 0 },
	{ NULL, 0, 0 }
};

/* doc[key], or null when absent (a borrowed reference either way). */
static json_t *
field(json_t *doc, const char *key)
{
	json_t	*v = json_object_get(doc, key);

	return (v != NULL ? v : json_null());
}

static json_t *
time_or_null(struct pgl_arena *a, int64_t ms)
{
	return (ms == 0 ? json_null() : json_string(api_rfc3339(a, ms / 1000)));
}

/* Whether the tenant admin marked it an engine that enforces read
 * restrictions (data policies): it is then handed the files of tables
 * its roles' restrictions hold on, and trusted to apply them. */
static int
enforces(const json_t *doc)
{
	return (json_is_true(json_object_get(doc, "enforces_read_restrictions")));
}

/* enforces_read_restrictions of the body, when sent, into doc. */
static void
set_enforces(struct pgl_req *r, json_t *doc)
{
	const json_t	*v = json_object_get(r->body,
			    "enforces_read_restrictions");

	if (v != NULL && !json_is_null(v))
		json_object_set_new(doc, "enforces_read_restrictions",
		    json_boolean(json_is_true(v)));
}

/* ServiceUser (kebab-case), without the key or its hash. */
static json_t *
su_json(struct pgl_req *r, const struct pgl_service_user *u)
{
	json_t	*doc = api_obj(u->doc), *j;

	j = json_pack("{s:s,s:s,s:O,s:s,s:O,s:O,s:O,s:o,s:O,s:b,s:b}", "id",
	    u->id, "name", u->name, "description", field(doc, "description"),
	    "tenant-id", u->tenant_id, "role", field(doc, "role"),
	    "created-at", field(doc, "created-at"),
	    "created-by", field(doc, "created-by"),
	    "expires-at", time_or_null(r->arena, u->expires_at_ms),
	    "last-used", json_null(), "active", u->active,
	    "enforces-read-restrictions", enforces(doc));
	json_decref(doc);
	return (j);
}

/* ApiKeyResponse (snake_case): the one answer that carries the key. */
static json_t *
key_json(struct pgl_req *r, const struct pgl_service_user *u,
    const char *key)
{
	json_t	*doc = api_obj(u->doc), *j;

	j = json_pack("{s:s,s:s,s:O,s:s,s:O,s:s,s:O,s:O,s:o,s:b}", "id", u->id,
	    "name", u->name, "description", field(doc, "description"),
	    "tenant_id", u->tenant_id, "role", field(doc, "role"),
	    "api_key", key, "created_at", field(doc, "created-at"),
	    "created_by", field(doc, "created-by"),
	    "expires_at", time_or_null(r->arena, u->expires_at_ms),
	    "active", u->active);
	json_decref(doc);
	return (j);
}

/* The 409's words: the name, or one reading as it, is the tenant's. */
static void
taken_msg(struct pgl_err *err, const char *name)
{
	if (err->code == PGL_EEXISTS)
		(void)snprintf(err->msg, sizeof(err->msg), "Service user "
		    "'%s' already exists, or one whose name reads the same "
		    "(names are compared without case, Unicode form, spacing "
		    "or invisible characters)", name);
}

/* A service user acts in its admin's tenant, never above it. */
static int
role_ok(struct pgl_req *r, const char *role)
{
	if (strcmp(role, "tenant-user") == 0 ||
	    strcmp(role, "tenant-admin") == 0)
		return (1);
	pgl_reply_error(r, 422, "role must be tenant-admin or tenant-user");
	return (0);
}

void
api_service_user_create(struct pgl_req *r)
{
	struct pgl_service_user	 u;
	struct pgl_err		 err;
	char			 id[PGL_UUID_LEN + 1], key[PGL_APIKEY_LEN + 1];
	char			 kid[PGL_APIKEY_ID_LEN + 1];
	char			 hash[PGL_APIKEY_HASH_LEN + 1];
	const json_t		*days;
	json_t			*doc;

	if (pgl_req_body(r, create_fields) == -1 ||
	    api_principal_name_ok(r, "name", pgl_json_str(r->body, "name")) ==
	    -1 || !role_ok(r, pgl_json_str(r->body, "role")))
		return;
	days = json_object_get(r->body, "expires_in_days");
	if (days != NULL && json_is_integer(days) &&
	    (json_integer_value(days) < 1 || json_integer_value(days) > 3650)) {
		pgl_reply_error(r, 400, "expires_in_days must be 1 to 3650");
		return;
	}
	if (pgl_apikey_mint(key, kid, hash) == -1) {
		pgl_reply_error(r, 500, "cannot mint an API key");
		return;
	}
	pgl_uuid_new(id);
	doc = json_pack("{s:s,s:s,s:s}", "role", pgl_json_str(r->body, "role"),
	    "created-at", api_rfc3339(r->arena, pgl_now_ms() / 1000),
	    "created-by", r->who.user_id);
	if (pgl_json_str(r->body, "description") != NULL)
		json_object_set_new(doc, "description", json_string(
		    pgl_json_str(r->body, "description")));
	set_enforces(r, doc);
	u = (struct pgl_service_user){ id, r->tenant, pgl_json_str(r->body,
	    "name"), kid, hash, 1, 0, api_text(r->arena, doc) };
	json_decref(doc);
	if (days != NULL && json_is_integer(days))
		u.expires_at_ms = pgl_now_ms() + json_integer_value(days) *
		    DAY_MS;
	if (STORE(create_service_user, &u, &err) != PGL_OK) {
		taken_msg(&err, u.name);
		pgl_reply_missing(r, &err, "Tenant not found");
		return;
	}
	api_audit(r, r->tenant, "create_service_user", "service_user", u.id,
	    u.name, 1, NULL);
	pgl_reply_json(r, 201, key_json(r, &u, key));
}


void
api_service_user_list(struct pgl_req *r)
{
	struct pgl_service_user	*items;
	struct api_page		 pg;
	struct pgl_err		 err;
	json_t			*arr;
	uint64_t		 total = 0;
	size_t			 n, i;

	if (api_list_page(r, pgl_page_scope("service-users", r->tenant, NULL),
	    &pg) == -1)
		return;
	if (STORE(list_service_users, r->arena, r->tenant, &pg.pg, &items, &n,
	    pg.keyed ? NULL : &total, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, su_json(r, &items[i]));
	api_reply_page(r, arr, items, sizeof(*items),
	    API_KEY_S(struct pgl_service_user, name), &pg, total);
}

static int
find(struct pgl_req *r, struct pgl_service_user *u)
{
	struct pgl_err	err;

	if (STORE(get_service_user, r->arena, r->tenant, pgl_param(r, "id"), u,
	    &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Service user not found");
		return (-1);
	}
	return (0);
}

void
api_service_user_get(struct pgl_req *r)
{
	struct pgl_service_user	u;

	if (find(r, &u) == 0)
		pgl_reply_json(r, 200, su_json(r, &u));
}

void
api_service_user_update(struct pgl_req *r)
{
	struct pgl_service_user	 u;
	struct pgl_err		 err;
	const json_t		*v;
	json_t			*doc;

	if (pgl_req_body(r, update_fields) == -1 || find(r, &u) == -1)
		return;
	/* A new name is held to a new one's rules; the one it has, even one
	 * of before those rules, may be sent back unchanged. */
	if (pgl_json_str(r->body, "name") != NULL &&
	    strcmp(pgl_json_str(r->body, "name"), u.name) != 0) {
		if (api_principal_name_ok(r, "name", pgl_json_str(r->body,
		    "name")) == -1)
			return;
		u.name = pgl_json_str(r->body, "name");
	}
	if ((v = json_object_get(r->body, "active")) != NULL &&
	    !json_is_null(v))
		u.active = json_is_true(v);
	doc = api_obj(u.doc);
	if (pgl_json_str(r->body, "description") != NULL)
		json_object_set_new(doc, "description", json_string(
		    pgl_json_str(r->body, "description")));
	set_enforces(r, doc);
	u.doc = api_text(r->arena, doc);
	json_decref(doc);
	if (STORE(update_service_user, &u, &err) != PGL_OK) {
		taken_msg(&err, u.name);
		pgl_reply_missing(r, &err, "Service user not found");
		return;
	}
	if (!u.active && api_owner_revoke(r, u.id, "service user "
	    "deactivated") == -1)
		return;
	api_audit(r, r->tenant, "update_service_user", "service_user", u.id,
	    u.name, 1, NULL);
	pgl_reply_json(r, 200, json_pack("{s:s}", "status", "updated"));
}

void
api_service_user_delete(struct pgl_req *r)
{
	struct pgl_err	err;

	if (STORE(delete_service_user, r->tenant, pgl_param(r, "id"), &err) !=
	    PGL_OK) {
		pgl_reply_missing(r, &err, "Service user not found");
		return;
	}
	if (api_owner_revoke(r, pgl_param(r, "id"), "service user deleted") ==
	    -1)
		return;
	api_audit(r, r->tenant, "delete_service_user", "service_user",
	    pgl_param(r, "id"), NULL, 1, NULL);
	pgl_reply_json(r, 200, json_pack("{s:s}", "status", "deleted"));
}

/*
 * A new key; the old one stops working when this has answered, and so
 * does every session exchanged for it (or minted by the service user).
 */
void
api_service_user_rotate(struct pgl_req *r)
{
	struct pgl_service_user	u;
	struct pgl_err		err;
	char			key[PGL_APIKEY_LEN + 1];
	char			kid[PGL_APIKEY_ID_LEN + 1];
	char			hash[PGL_APIKEY_HASH_LEN + 1];

	if (find(r, &u) == -1)
		return;
	if (pgl_apikey_mint(key, kid, hash) == -1) {
		pgl_reply_error(r, 500, "cannot mint an API key");
		return;
	}
	u.key_id = kid;
	u.api_key_hash = hash;
	if (STORE(update_service_user, &u, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Service user not found");
		return;
	}
	if (api_owner_revoke(r, u.id, "api key rotated") == -1)
		return;
	api_audit(r, r->tenant, "rotate_api_key", "service_user", u.id,
	    u.name, 1, NULL);
	pgl_reply_json(r, 200, key_json(r, &u, key));
}
