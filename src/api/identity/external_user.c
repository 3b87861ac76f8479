/*
 * The caller an identity provider's verified claims name (external.c
 * verifies the token; auth/idp_claims.h reads the claims): a user of the
 * catalog like any other, so grants, roles, deactivation and the audit
 * log apply unchanged.
 *
 * The user row.  Its id is derived from the provider's issuer and the
 * token's subject (a name-based UUID), so finding it is one primary-key
 * read per request, the same cost as a session's revocation check.  The
 * first token of a subject creates it, external (no password), in the
 * tenant the token names; a later token that names another tenant is
 * refused (a user lives in one tenant).  Its role and the tenant roles
 * its groups map to are brought in line with each token's groups.
 * Deactivating the user refuses its tokens from the next request;
 * deleting it does too, for a day (identity.h, api_external_forget),
 * after which a new token of the subject makes it afresh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/gate.h"
#include "api/identity/external_user.h"
#include "api/identity/identity.h"
#include "api/identity/idp.h"
#include "app/app.h"
#include "auth/idp_claims.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

#define TENANT_PAGE	1000
#define ROLE_PAGE	1000

/*
 * The user id of a provider's subject: SHA-256 of issuer, a NUL and the
 * subject, shaped as a version-5-style UUID.  The same in every worker,
 * replica and restart.
 */
static void
external_id(const char *issuer, const char *subject, char out[PGL_UUID_LEN + 1])
{
	unsigned char	md[32];
	unsigned int	len = 0;
	EVP_MD_CTX	*c = EVP_MD_CTX_new();

	memset(md, 0, sizeof(md));
	if (c != NULL && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(c, issuer, strlen(issuer) + 1) == 1 &&
	    EVP_DigestUpdate(c, subject, strlen(subject)) == 1)
		(void)EVP_DigestFinal_ex(c, md, &len);
	EVP_MD_CTX_free(c);
	md[6] = (md[6] & 0x0f) | 0x50;
	md[8] = (md[8] & 0x3f) | 0x80;
	(void)snprintf(out, PGL_UUID_LEN + 1, "%02x%02x%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", md[0], md[1], md[2],
	    md[3], md[4], md[5], md[6], md[7], md[8], md[9], md[10], md[11],
	    md[12], md[13], md[14], md[15]);
}

/* The tenant a token names, by id or name: its id, or NULL. */
static const char *
tenant_id_of(struct pgl_req *r, const char *name, int *store_failed)
{
	struct pgl_tenant	 t, *list;
	struct pgl_page		 page = { TENANT_PAGE, 0, NULL };
	struct pgl_err		 err;
	size_t			 n, i;
	uint64_t		 total;
	int			 rc;

	*store_failed = 0;
	if (pgl_uuid_valid(name)) {
		rc = STORE(get_tenant, r->arena, name, &t, &err);
		*store_failed = rc != PGL_OK && rc != PGL_ENOTFOUND;
		return (rc == PGL_OK ? t.id : NULL);
	}
	do {
		if (STORE(list_tenants, r->arena, &page, &list, &n, &total,
		    &err) != PGL_OK) {
			*store_failed = 1;
			return (NULL);
		}
		for (i = 0; i < n; i++) {
			if (strcmp(list[i].name, name) == 0)
				return (list[i].id);
		}
		page.offset += n;
	} while (n == TENANT_PAGE);
	return (NULL);
}

/* The role named name in tenant: its id, or NULL. */
static const char *
role_id_of(struct pgl_req *r, const char *tenant, const char *name)
{
	struct pgl_role	*list;
	struct pgl_page	 page = { ROLE_PAGE, 0, NULL };
	struct pgl_err	 err;
	size_t		 n, i;
	uint64_t	 total;

	if (STORE(list_roles, r->arena, tenant, &page, &list, &n, &total,
	    &err) != PGL_OK)
		return (NULL);
	for (i = 0; i < n; i++) {
		if (strcmp(list[i].name, name) == 0)
			return (list[i].id);
	}
	return (NULL);
}

static int
has_str(const json_t *arr, const char *s)
{
	const json_t	*v;
	size_t		 i;

	json_array_foreach(arr, i, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return (1);
	}
	return (0);
}

/* Grants changed: this worker's caches, the other workers' and
 * replicas' (as the gate announces a management change). */
static void
grants_changed(void)
{
	struct pgl_err	err;

	if (api_store_announces())
		(void)STORE(announce_change, &err);
	api_config_changed();
}

/* The mapped tenant roles, in the order the groups gave them. */
static json_t *
roles_json(const struct pgl_idp_who *who)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < who->nroles; i++)
		json_array_append_new(a, json_string(who->roles[i]));
	return (a);
}

/*
 * Hold exactly the tenant roles the groups map to, among those the
 * groups ever granted ("oauth-roles"); roles an admin assigned by hand
 * are left alone.  A mapped role the tenant does not have is skipped.
 */
static void
sync_roles(struct pgl_req *r, const char *tenant, const char *user,
    const json_t *had, const json_t *want)
{
	struct pgl_err	 err;
	const char	*id;
	json_t		*v;
	size_t		 i;

	json_array_foreach(had, i, v) {
		if (has_str(want, json_string_value(v)) ||
		    (id = role_id_of(r, tenant, json_string_value(v))) == NULL)
			continue;
		(void)STORE(revoke_role, tenant, user, id, &err);
	}
	json_array_foreach(want, i, v) {
		if (has_str(had, json_string_value(v)) ||
		    (id = role_id_of(r, tenant, json_string_value(v))) == NULL)
			continue;
		(void)STORE(assign_role, tenant, user, id, "{}", &err);
	}
	grants_changed();
}

/* The doc of a new external user. */
static const char *
new_doc(struct pgl_req *r, const struct pgl_idp *idp,
    const struct pgl_idp_who *who)
{
	const char	*now = api_rfc3339(r->arena, pgl_now_ms() / 1000);
	json_t		*doc;
	const char	*text;

	doc = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o}", "oauth-provider",
	    idp->cfg->name, "oauth-issuer", idp->cfg->issuer, "oauth-subject",
	    who->subject, "created-at", now, "last-login", now, "oauth-roles",
	    roles_json(who));
	text = api_text(r->arena, doc);
	json_decref(doc);
	return (text);
}

/* First sight: make the user.  0, or an HTTP status with *why. */
static int
create_user(struct pgl_req *r, const struct pgl_idp *idp,
    const struct pgl_idp_who *who, const char *id, const char *tenant,
    const char **why)
{
	struct pgl_user	 u;
	struct pgl_err	 err;
	json_t		*none = json_array(), *want = roles_json(who);
	int		 revoked = 0, rc;

	if (STORE(is_token_revoked, id, &revoked, &err) != PGL_OK || revoked) {
		json_decref(none);
		json_decref(want);
		*why = revoked ? "This user was deleted" :
		    "Unable to verify the user";
		return (revoked ? 401 : 503);
	}
	/* A provider names its users as it likes: the name is held to a
	 * new user's rules here, where the user would be made. */
	if ((*why = api_principal_name_refused(r, "The user name",
	    who->username)) != NULL) {
		json_decref(none);
		json_decref(want);
		return (403);
	}
	memset(&u, 0, sizeof(u));
	u.id = id;
	u.tenant_id = who->role == ROLE_ROOT ? NULL : tenant;
	u.username = who->username;
	u.email = who->email;
	u.role = pgl_role_name(who->role);
	u.active = 1;
	u.doc = new_doc(r, idp, who);
	rc = STORE(create_user, &u, &err);
	if (rc == PGL_OK) {
		if (u.tenant_id != NULL)
			sync_roles(r, tenant, id, none, want);
		api_audit(r, u.tenant_id, "create_user", "user", id,
		    who->username, 1, NULL);
		api_audit(r, u.tenant_id, "login", "user", id, who->username,
		    1, NULL);
	}
	json_decref(none);
	json_decref(want);
	if (rc == PGL_EEXISTS) {
		*why = pgl_arena_printf(r->arena, "The user name '%s' belongs "
		    "to another account, or reads as one that does",
		    who->username);
		return (403);
	}
	if (rc != PGL_OK) {
		*why = "Unable to create the user";
		return (503);
	}
	return (0);
}

/* A known user: still active, same tenant, role and roles as the token;
 * *same is 1 when it already was (nothing written). */
static int
known_user(struct pgl_req *r, const struct pgl_user *u,
    const struct pgl_idp_who *who, const char *tenant, const char **why,
    int *same_out)
{
	struct pgl_user	 v = *u;
	struct pgl_err	 err;
	json_t		*doc, *want;
	const char	*role = pgl_role_name(who->role);
	int		 same;

	if (!u->active) {
		*why = "User is deactivated";
		return (401);
	}
	if ((u->tenant_id == NULL) != (who->role == ROLE_ROOT) ||
	    (u->tenant_id != NULL && strcmp(u->tenant_id, tenant) != 0)) {
		*why = "The token names another tenant than its user's";
		return (403);
	}
	doc = api_obj(u->doc);
	want = roles_json(who);
	same = strcmp(u->role, role) == 0 && json_equal(want,
	    json_object_get(doc, "oauth-roles"));
	*same_out = same;
	if (!same) {
		if (u->tenant_id != NULL)
			sync_roles(r, tenant, u->id, json_object_get(doc,
			    "oauth-roles"), want);
		json_object_set(doc, "oauth-roles", want);
		v.role = role;
		v.doc = api_text(r->arena, doc);
		if (STORE(update_user, &v, &err) != PGL_OK)
			pgl_log(PGL_LOG_WARN, "oidc: user %s: role not "
			    "updated: %s", u->id, err.msg);
		api_audit(r, u->tenant_id, "update_user", "user", u->id,
		    u->username, 1, NULL);
	}
	json_decref(doc);
	json_decref(want);
	return (0);
}

/* tenant NULL: root, who may act in the tenant X-Pangolin-Tenant names. */
void
api_external_caller(struct pgl_req *r, enum pgl_user_role role, const char *id,
    const char *username, const char *tenant)
{
	const char	*x = pgl_header(r, "x-pangolin-tenant");

	memset(&r->who, 0, sizeof(r->who));
	r->who.role = role;
	(void)pgl_strlcpy(r->who.user_id, id, sizeof(r->who.user_id));
	(void)pgl_strlcpy(r->who.username, username, sizeof(r->who.username));
	(void)pgl_strlcpy(r->who.tenant_id, tenant != NULL ? tenant : "",
	    sizeof(r->who.tenant_id));
	if (tenant != NULL)
		(void)pgl_strlcpy(r->tenant, tenant, sizeof(r->tenant));
	else if (x != NULL && pgl_uuid_valid(x))
		(void)pgl_strlcpy(r->tenant, x, sizeof(r->tenant));
}

static void
set_who(struct pgl_req *r, const struct pgl_idp_who *who, const char *id,
    const char *tenant)
{
	api_external_caller(r, who->role, id, who->username, tenant);
}

/* api_external_resolve; *kept is the user row when it was found as the
 * token has it (nothing written), else its id is NULL. */
int
api_external_user(struct pgl_req *r, struct pgl_idp *idp, const json_t *claims,
    const char **why, struct pgl_user *kept)
{
	struct pgl_idp_who	 who;
	struct pgl_user		 u;
	struct pgl_err		 err;
	const char		*tenant = NULL;
	char			 id[PGL_UUID_LEN + 1], buf[160];
	int			 failed, rc, same = 0;

	if (pgl_idp_who(idp->cfg, claims, &who, buf, sizeof(buf)) == -1) {
		*why = pgl_arena_strdup(r->arena, buf);
		return (403);
	}
	if (who.role != ROLE_ROOT &&
	    (tenant = tenant_id_of(r, who.tenant, &failed)) == NULL) {
		*why = failed ? "metadata store unavailable, retry later" :
		    pgl_arena_printf(r->arena, "The token's tenant '%s' does "
		    "not exist", who.tenant);
		return (failed ? 503 : 403);
	}
	external_id(idp->cfg->issuer, who.subject, id);
	/* The caller of the audit events below; taken back on failure. */
	set_who(r, &who, id, tenant);
	memset(kept, 0, sizeof(*kept));
	rc = STORE(get_user, r->arena, id, &u, &err);
	if (rc == PGL_OK) {
		rc = known_user(r, &u, &who, tenant, why, &same);
		if (rc == 0 && same)
			*kept = u;
	} else if (rc == PGL_ENOTFOUND)
		rc = create_user(r, idp, &who, id, tenant, why);
	else {
		*why = "metadata store unavailable, retry later";
		rc = 503;
	}
	if (rc != 0) {
		memset(&r->who, 0, sizeof(r->who));
		(void)pgl_strlcpy(r->tenant, PGL_NIL_UUID, sizeof(r->tenant));
	}
	return (rc);
}

int
api_external_resolve(struct pgl_req *r, struct pgl_idp *idp,
    const json_t *claims, const char **why)
{
	struct pgl_user	kept;

	return (api_external_user(r, idp, claims, why, &kept));
}
