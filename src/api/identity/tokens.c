/*
 * Session token management (pangolin-api.md §2.7): mint a token for a
 * tenant, rotate the presented one, revoke own or by id, clean up, list.
 * The store holds a token's id and metadata, never the token, so lists
 * show TokenInfo without `token`.  A tenant admin acts on its own
 * tenant's tokens only; another tenant's token answers like a missing
 * one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/identity/identity.h"
#include "api/target.h"
#include "app/app.h"
#include "auth/principal.h"
#include "util/arena.h"
#include "util/json.h"

#define HOUR		3600
#define MAX_HOURS	8760
/* A revocation by id of a token the store no longer lists is kept 24 h. */
#define REVOKE_KEEP_MS	(86400LL * 1000)

static const struct pgl_jfield mint_fields[] = {
	{ "tenant_id", PGL_J_STRING, 1 },
	{ "username", PGL_J_STRING, 0 },
	{ "roles", PGL_J_STRLIST, 0 },
	{ "expires_in_hours", PGL_J_INT, 0 },
	{ NULL, 0, 0 }
};

static const struct pgl_jfield revoke_fields[] = {
	{ "reason", PGL_J_STRING, 0 },
	{ NULL, 0, 0 }
};

/* §2.7 spellings -> the claim's role, or NULL. */
static const char *
role_named(const char *s)
{
	if (strcasecmp(s, "root") == 0)
		return ("root");
	if (strcasecmp(s, "admin") == 0 || strcasecmp(s, "tenantadmin") == 0 ||
	    strcasecmp(s, "tenant-admin") == 0)
		return ("tenant-admin");
	if (strcasecmp(s, "user") == 0 || strcasecmp(s, "tenantuser") == 0 ||
	    strcasecmp(s, "tenant-user") == 0)
		return ("tenant-user");
	return (NULL);
}

static int
rank(const char *role)
{
	return (strcmp(role, "root") == 0 ? 3 :
	    strcmp(role, "tenant-admin") == 0 ? 2 : 1);
}

static void
reply_token(struct pgl_req *r, const char *tok, int64_t exp,
    const char *tenant)
{
	pgl_reply_json(r, 200, json_pack("{s:s,s:s,s:o}", "token", tok,
	    "expires_at", api_rfc3339(r->arena, exp), "tenant_id",
	    api_str_or_null(tenant)));
}

/* The role a minted token carries; NULL after a reply. */
static const char *
mint_role(struct pgl_req *r, const struct pgl_user *stored)
{
	const json_t	*roles = json_object_get(r->body, "roles");
	const char	*role = stored != NULL ? stored->role : "tenant-user";

	if (roles != NULL && json_array_size(roles) > 0 &&
	    (role = role_named(json_string_value(json_array_get(roles, 0)))) ==
	    NULL) {
		pgl_reply_error(r, 400, "unknown role");
		return (NULL);
	}
	if (rank(role) > rank(pgl_role_name(r->who.role))) {
		pgl_reply_error(r, 403, "Forbidden");
		return (NULL);
	}
	return (role);
}

/*
 * The named user, who must be an active user of tenant; or, without a
 * username, none: the token is then the caller's own (owner), revoked
 * with the caller.  0, or -1 after a reply.
 */
static int
mint_user(struct pgl_req *r, const char *tenant, const char *name,
    struct pgl_user *u, int *found)
{
	struct pgl_err	err;
	int		rc;

	*found = 0;
	if (name == NULL)
		return (0);
	rc = STORE(get_user_by_username, r->arena, name, u, &err);
	if (rc != PGL_OK && rc != PGL_ENOTFOUND) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	if (rc == PGL_ENOTFOUND || u->tenant_id == NULL ||
	    strcmp(u->tenant_id, tenant) != 0) {
		pgl_reply_error(r, 404, "User '%s' not found in tenant %s",
		    name, tenant);
		return (-1);
	}
	if (!u->active) {
		pgl_reply_error(r, 409, "User '%s' is not active", name);
		return (-1);
	}
	*found = 1;
	return (0);
}

void
api_token_mint(struct pgl_req *r)
{
	struct pgl_user		 u;
	struct api_session	 sn;
	const json_t		*h;
	const char		*tenant, *name, *role;
	char			 id[PGL_UUID_LEN + 1], *tok;
	int64_t			 hours = 24, exp;
	int			 found;

	if (api_throttled(r, NULL) || pgl_req_body(r, mint_fields) == -1)
		return;
	tenant = pgl_json_str(r->body, "tenant_id");
	if (!pgl_uuid_valid(tenant)) {
		pgl_reply_error(r, 400, "tenant_id must be a UUID");
		return;
	}
	if (r->who.role != ROLE_ROOT && strcmp(tenant, r->who.tenant_id)) {
		pgl_reply_error(r, 403, "Forbidden");
		return;
	}
	if ((h = json_object_get(r->body, "expires_in_hours")) != NULL &&
	    json_is_integer(h))
		hours = json_integer_value(h) < 1 ? 1 : json_integer_value(h) >
		    MAX_HOURS ? MAX_HOURS : json_integer_value(h);
	name = pgl_json_str(r->body, "username");
	if (mint_user(r, tenant, name, &u, &found) == -1 ||
	    (role = mint_role(r, found ? &u : NULL)) == NULL)
		return;
	pgl_uuid_new(id);
	sn = (struct api_session){ found ? u.id : id, found ? name :
	    "api-user", strcmp(role, "root") == 0 ? NULL : tenant, role,
	    found ? u.id : r->who.user_id, NULL, (int)(hours * HOUR) };
	if (api_session_new(r, &sn, &tok, &exp) == -1)
		return;
	api_audit(r, tenant, "create_token", "token", NULL, sn.username, 1,
	    NULL);
	reply_token(r, tok, exp, sn.tenant);
	free(tok);
}

/*
 * The presented session, revoked; a new one with the same claims, owner
 * and key, that ends no later than the presented one would have.
 */
void
api_token_rotate(struct pgl_req *r)
{
	struct api_session	 sn;
	struct pgl_token	 t;
	struct pgl_err		 err;
	json_t			*doc;
	int64_t			 exp, left;
	char			*tok;
	int			 rc;

	if (r->who.jti[0] == '\0') {
		pgl_reply_error(r, 400, "only a session token can be rotated");
		return;
	}
	rc = STORE(get_token, r->arena, r->who.jti, &t, &err);
	if (rc != PGL_OK && rc != PGL_ENOTFOUND) {
		pgl_reply_store_error(r, &err);
		return;
	}
	left = r->who.expires_at - pgl_now_ms() / 1000;
	sn = (struct api_session){ r->who.user_id, r->who.username,
	    r->who.role == ROLE_ROOT ? NULL : r->who.tenant_id,
	    pgl_role_name(r->who.role), rc == PGL_OK ? t.user_id : NULL, NULL,
	    (int)(left < pgl_app.cfg->auth.session_ttl_secs ? left :
	    pgl_app.cfg->auth.session_ttl_secs) };
	doc = rc == PGL_OK ? api_obj(t.doc) : NULL;
	if (doc != NULL && pgl_json_str(doc, "key_id") != NULL)
		sn.key_id = pgl_arena_strdup(r->arena, pgl_json_str(doc,
		    "key_id"));
	json_decref(doc);
	if (api_session_new(r, &sn, &tok, &exp) == -1)
		return;
	if (STORE(revoke_token, r->who.jti, r->who.expires_at * 1000,
	    "rotated", &err) != PGL_OK) {
		free(tok);
		pgl_reply_store_error(r, &err);
		return;
	}
	api_audit(r, sn.tenant, "rotate_token", "token", r->who.jti, NULL, 1,
	    NULL);
	reply_token(r, tok, exp, sn.tenant);
	free(tok);
}

void
api_token_revoke_own(struct pgl_req *r)
{
	struct pgl_err	err;

	if (pgl_req_body(r, revoke_fields) == -1)
		return;
	if (r->who.jti[0] == '\0') {
		pgl_reply_error(r, 400, "no session token to revoke");
		return;
	}
	if (STORE(revoke_token, r->who.jti, r->who.expires_at * 1000,
	    pgl_json_str(r->body, "reason"), &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	api_audit(r, r->tenant, "revoke_token", "token", r->who.jti, NULL, 1,
	    NULL);
	pgl_reply_json(r, 200, json_pack("{s:s}", "message", "Token revoked "
	    "successfully. Please log in again."));
}

/* Revoke {token_id} if the caller may: 0, or -1 after a reply. */
static int
revoke_by_id(struct pgl_req *r, const char *reason)
{
	struct pgl_token	 t;
	struct pgl_err		 err;
	const char		*id = pgl_param(r, "token_id");
	int			 rc;

	rc = STORE(get_token, r->arena, id, &t, &err);
	if (rc != PGL_OK && rc != PGL_ENOTFOUND) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	if (rc == PGL_ENOTFOUND || (r->who.role != ROLE_ROOT &&
	    (t.tenant_id == NULL || strcmp(t.tenant_id, r->who.tenant_id)))) {
		pgl_reply_error(r, 404, "Token not found");
		return (-1);
	}
	if (STORE(revoke_token, id, t.expires_at_ms != 0 ? t.expires_at_ms :
	    pgl_now_ms() + REVOKE_KEEP_MS, reason, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	api_audit(r, t.tenant_id, "revoke_token", "token", id, NULL, 1, NULL);
	return (0);
}

void
api_token_revoke_id(struct pgl_req *r)
{
	if (pgl_req_body(r, revoke_fields) == -1 ||
	    revoke_by_id(r, pgl_json_str(r->body, "reason")) == -1)
		return;
	pgl_reply_json(r, 200, json_pack("{s:s}", "message", pgl_arena_printf(
	    r->arena, "Token %s revoked successfully", pgl_param(r,
	    "token_id"))));
}

void
api_token_delete(struct pgl_req *r)
{
	if (revoke_by_id(r, "deleted") == 0)
		pgl_reply_empty(r, 204);
}

void
api_token_cleanup(struct pgl_req *r)
{
	struct pgl_err	err;
	uint64_t	n = 0;

	if (STORE(cleanup_expired_tokens, pgl_now_ms(), &n, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	pgl_reply_json(r, 200, json_pack("{s:s,s:I}", "message",
	    pgl_arena_printf(r->arena, "Cleaned up %llu expired tokens",
	    (unsigned long long)n), "count", (json_int_t)n));
}

/* TokenInfo list of user_id's live sessions in tenant. */
static void
list_tokens(struct pgl_req *r, const char *tenant, const char *user_id)
{
	struct pgl_token	*items;
	struct api_page		 pg;
	struct pgl_err		 err;
	json_t			*arr, *doc;
	uint64_t		 total = 0;
	size_t			 n, i;

	if (api_list_page(r, pgl_page_scope("tokens", tenant != NULL ?
	    tenant : PGL_PAGE_NONE, user_id, NULL), &pg) == -1)
		return;
	if (STORE(list_active_tokens, r->arena, tenant, user_id, pgl_now_ms(),
	    &pg.pg, &items, &n, pg.keyed ? NULL : &total, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	arr = json_array();
	for (i = 0; i < n; i++) {
		doc = api_obj(items[i].doc);
		json_array_append_new(arr, json_pack("{s:s,s:o,s:s,s:O,s:s,"
		    "s:s,s:b}", "id", items[i].id, "tenant_id",
		    api_str_or_null(items[i].tenant_id), "user_id",
		    items[i].user_id, "username", json_object_get(doc,
		    "username") ? json_object_get(doc, "username") :
		    json_null(), "expires_at", api_rfc3339(r->arena,
		    items[i].expires_at_ms / 1000), "created_at",
		    api_rfc3339(r->arena, json_integer_value(json_object_get(
		    doc, "created_at")) / 1000), "is_valid", 1));
		json_decref(doc);
	}
	api_reply_page(r, arr, items, sizeof(*items),
	    API_KEY_NS(struct pgl_token, expires_at_ms, id), &pg, total);
}

void
api_tokens_mine(struct pgl_req *r)
{
	list_tokens(r, r->who.role == ROLE_ROOT ? NULL : r->who.tenant_id,
	    r->who.user_id);
}

void
api_tokens_of_user(struct pgl_req *r)
{
	struct pgl_user	u;
	struct pgl_err	err;

	if (STORE(get_user, r->arena, pgl_param(r, "user_id"), &u, &err) !=
	    PGL_OK || (r->who.role != ROLE_ROOT && (u.tenant_id == NULL ||
	    strcmp(u.tenant_id, r->who.tenant_id)))) {
		pgl_reply_error(r, 404, "User not found");
		return;
	}
	list_tokens(r, u.tenant_id, u.id);
}
