/*
 * Callers with an identity provider's token ([[auth.oidc]]): the token is
 * verified against the provider's keys (auth/idp.h), its claims name the
 * caller (auth/idp_claims.h), and the caller is a user of the catalog
 * like any other, so grants, roles, deactivation and the audit log apply
 * unchanged.
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
#include <time.h>

#include <openssl/evp.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/gate.h"
#include "api/identity/identity.h"
#include "api/identity/idp.h"
#include "app/app.h"
#include "auth/grant_cache.h"
#include "auth/idp_claims.h"
#include "auth/oidc_token.h"
#include "auth/token_cache.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

#define TENANT_PAGE	1000
#define ROLE_PAGE	1000

/* A deleted external user's tokens stay refused this long. */
#define FORGET_MS	(24LL * 3600 * 1000)

/* One request waiting on its provider's keys. */
struct waiting {
	struct pgl_idp_waiter	 w;
	struct pgl_req		*r;
	void			(*resume)(struct pgl_req *);
};

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
	struct pgl_page		 page = { TENANT_PAGE, 0 };
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
	struct pgl_page	 page = { ROLE_PAGE, 0 };
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
		    "to another account", who->username);
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
static void
set_caller(struct pgl_req *r, enum pgl_user_role role, const char *id,
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
	set_caller(r, who->role, id, who->username, tenant);
}

/* api_external_resolve; *kept is the user row when it was found as the
 * token has it (nothing written), else its id is NULL. */
static int
resolve(struct pgl_req *r, struct pgl_idp *idp, const json_t *claims,
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

	return (resolve(r, idp, claims, why, &kept));
}

static void
keys_arrived(void *arg)
{
	struct waiting	*w = arg;

	w->resume(w->r);
}

/*
 * Refused after its signature held: a token the provider did issue,
 * worth a line in root's audit log (throttled per address, like every
 * anonymous failure).  Forgeries are not recorded: anyone can make them.
 */
static int
genuine(int rc)
{
	return (rc == PGL_OIDC_EXPIRED || rc == PGL_OIDC_NOT_YET_VALID ||
	    rc == PGL_OIDC_FUTURE_IAT || rc == PGL_OIDC_BAD_AUDIENCE ||
	    rc == PGL_OIDC_BAD_ISSUER);
}

void
api_external_report(struct pgl_req *r, struct pgl_idp *idp)
{
	if (pgl_idp_unreported_error(idp))
		api_audit_claim(r, NULL, "oidc_provider_error", idp->cfg->name,
		    pgl_arena_printf(r->arena, "keys not fetched (%s); the "
		    "last good keys are kept", idp->last_error));
}

/*
 * Tokens resolved lately (auth/token_cache.h), so that a client sending
 * the same token on every request does not have it taken apart, verified
 * and resolved every time: parsing its JSON to find the issuer, hashing
 * it for the verifier's cache, looking up the tenant and parsing the
 * user's doc cost 170,000 instructions a request, three and a half times
 * a cached loadTable (callgrind, an RS256 token, docs/benchmarks.md).  An
 * entry is used only while
 *  - its key is still among the provider's and its times hold, checked
 *    again each time (pgl_idp_recheck);
 *  - no management change committed since it was made (the grant epoch,
 *    as for the config cache: a tenant renamed, a role mapped anew) and,
 *    since another replica's changes do not bump this server's epoch, it
 *    is younger than PGL_GRANT_CACHE_TTL_MS, as a worker's grants are;
 *  - the user row, read from the store on every request as before, is
 *    the one the token resolved to, unchanged: deactivating or deleting
 *    the user refuses the token from the next request, on every worker
 *    and replica.
 * Otherwise the token goes the long way, which decides, records and
 * syncs as it always did.  Only a resolution that wrote nothing is kept:
 * after a sync the next request resolves again and finds it done.
 */
struct resolved {
	struct pgl_idp		*idp;
	char			 kid[128];
	json_t			*claims;	/* verified; for the times */
	uint64_t		 epoch;
	enum pgl_user_role	 role;
	char			 id[PGL_UUID_LEN + 1];
	char			 tenant[PGL_UUID_LEN + 1];	/* "" root */
	char			*username;
	char			*user_role, *user_doc;	/* the row as found */
};

static struct pgl_token_cache	*resolved_cache;
static int			 resolved_tried;

static void
resolved_free(void *p)
{
	struct resolved	*v = p;

	json_decref(v->claims);
	free(v->username);
	free(v->user_role);
	free(v->user_doc);
	free(v);
}

static struct pgl_token_cache *
resolved_tokens(void)
{
	if (!resolved_tried) {
		resolved_tried = 1;
		resolved_cache = pgl_token_cache_new(
		    (size_t)pgl_app.cfg->auth.token_cache_entries,
		    resolved_free);
	}
	return (resolved_cache);
}

static int
same_row(const struct resolved *v, const struct pgl_user *u)
{
	return (u->active && (u->tenant_id == NULL) == (v->tenant[0] == '\0') &&
	    (u->tenant_id == NULL || strcmp(u->tenant_id, v->tenant) == 0) &&
	    strcmp(u->role, v->user_role) == 0 &&
	    strcmp(u->doc, v->user_doc) == 0);
}

/* token's caller, resolved lately and still so: 0; else -1 (go the long
 * way: it decides). */
static int
known(struct pgl_req *r, const char *token)
{
	struct resolved	*v;
	struct pgl_user	 u;
	struct pgl_err	 err;
	const char	*why;

	if ((v = pgl_token_cache_get(resolved_tokens(), token,
	    (int64_t)time(NULL))) == NULL)
		return (-1);
	if (v->epoch != pgl_grant_epoch() ||
	    pgl_idp_recheck(v->idp, v->kid, v->claims, &why) != PGL_OIDC_OK ||
	    STORE(get_user, r->arena, v->id, &u, &err) != PGL_OK ||
	    !same_row(v, &u)) {
		pgl_token_cache_drop(resolved_cache, token);
		return (-1);
	}
	api_external_report(r, v->idp);
	set_caller(r, v->role, v->id, v->username, v->tenant[0] != '\0' ?
	    v->tenant : NULL);
	r->who.expires_at = json_integer_value(json_object_get(v->claims,
	    "exp"));
	return (0);
}

/* Until the token's own end, or the epoch's bound (a change another
 * replica committed is seen here within it), whichever comes first. */
static int64_t
resolved_until(int64_t token_end)
{
	int64_t	bound = (int64_t)time(NULL) + PGL_GRANT_CACHE_TTL_MS / 1000;

	return (token_end < bound ? token_end : bound);
}

/* Keep what the long way found: the caller in r->who, u as it was. */
static void
remember(struct pgl_req *r, struct pgl_idp *idp, const char *token,
    json_t *claims, const struct pgl_user *u, uint64_t epoch)
{
	struct resolved	*v;
	char		 iss[8];
	json_int_t	 exp = json_integer_value(json_object_get(claims,
			    "exp"));

	if (resolved_tokens() == NULL || u->id == NULL ||
	    (v = calloc(1, sizeof(*v))) == NULL)
		return;
	v->idp = idp;
	v->claims = json_incref(claims);
	v->epoch = epoch;
	v->role = r->who.role;
	(void)pgl_strlcpy(v->id, r->who.user_id, sizeof(v->id));
	(void)pgl_strlcpy(v->tenant, r->who.tenant_id, sizeof(v->tenant));
	v->username = strdup(r->who.username);
	v->user_role = strdup(u->role);
	v->user_doc = strdup(u->doc);
	if (v->username == NULL || v->user_role == NULL ||
	    v->user_doc == NULL || pgl_oidc_peek(token, iss, sizeof(iss),
	    v->kid, sizeof(v->kid)) == -1) {
		resolved_free(v);
		return;
	}
	(void)pgl_token_cache_put(resolved_cache, token,
	    resolved_until(exp + idp->cfg->leeway_secs + 1), v);
}

struct pgl_idp *
api_external_provider(const char *token)
{
	struct resolved	*v;
	char		 iss[512], kid[128];

	if (pgl_idp_count() == 0 || strlen(token) > PGL_OIDC_TOKEN_MAX)
		return (NULL);
	/* Known: its issuer was read when it was verified. */
	if ((v = pgl_token_cache_get(resolved_tokens(), token,
	    (int64_t)time(NULL))) != NULL)
		return (v->idp);
	if (pgl_oidc_peek(token, iss, sizeof(iss), kid, sizeof(kid)) == -1)
		return (NULL);
	return (pgl_idp_by_issuer(iss));
}

int
api_external_verify(struct pgl_req *r, struct pgl_idp *idp,
    const char *token, json_t **claims, const char **why,
    void (*resume)(struct pgl_req *))
{
	struct waiting	*w;
	int		 rc;

	api_external_report(r, idp);
	rc = pgl_idp_verify(idp, token, NULL, claims, why);
	if (genuine(rc))
		api_audit_claim(r, NULL, "login_failed", idp->cfg->name, *why);
	if (rc != PGL_OIDC_UNKNOWN_KID)
		return (rc == PGL_OIDC_OK ? 0 : 401);
	/* Keys the worker has not seen: ask again, and wait if asked. */
	if (resume != NULL && (w = pgl_arena_alloc(r->arena,
	    sizeof(*w))) != NULL) {
		w->r = r;
		w->resume = resume;
		if (pgl_idp_refetch(idp, &w->w, keys_arrived, w) == 1)
			return (API_AUTH_WAIT);
	} else
		(void)pgl_idp_refetch(idp, NULL, NULL, NULL);
	if (!idp->have_keys) {
		*why = "The identity provider's keys are not available";
		api_audit_claim(r, NULL, "oidc_provider_error", idp->cfg->name,
		    idp->last_error[0] != '\0' ? idp->last_error : *why);
		return (503);
	}
	return (401);
}

int
api_external_identify(struct pgl_req *r, struct pgl_idp *idp,
    const char *token, const char **why, void (*resume)(struct pgl_req *))
{
	struct pgl_user	 kept;
	json_t		*claims = NULL;
	uint64_t	 epoch;
	int		 rc;

	if (known(r, token) == 0)
		return (0);
	/* Read before the store is: a change committed meanwhile makes
	 * what is kept below stale at once. */
	epoch = pgl_grant_epoch();
	if ((rc = api_external_verify(r, idp, token, &claims, why,
	    resume)) != 0)
		return (rc);
	rc = resolve(r, idp, claims, why, &kept);
	if (rc == 0) {
		r->who.expires_at = json_integer_value(json_object_get(claims,
		    "exp"));
		remember(r, idp, token, claims, &kept, epoch);
	}
	if (rc != 0 && rc != 503)
		api_audit_claim(r, NULL, "login_failed", pgl_json_str(claims,
		    "sub") != NULL ? pgl_json_str(claims, "sub") : "?", *why);
	json_decref(claims);
	return (rc);
}

int
api_external_forget(struct pgl_req *r, const struct pgl_user *u)
{
	struct pgl_err	 err;
	json_t		*doc = api_obj(u->doc);
	int		 external = json_object_get(doc, "oauth-subject") != NULL;

	json_decref(doc);
	if (!external)
		return (0);
	if (STORE(revoke_token, u->id, pgl_now_ms() + FORGET_MS,
	    "external user deleted", &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	return (0);
}

const struct api_external_ops api_external_ops = {
	.provider = api_external_provider,
	.identify = api_external_identify,
};
