/*
 * Callers with an identity provider's token ([[auth.oidc]]): the token
 * is verified against the provider's keys (idp.h), and its claims name
 * the caller (external_user.c), who is then a user of the catalog like
 * any other.  Tokens resolved lately are kept (below), so a client that
 * sends the same token on every request pays for that once.  A deleted
 * external user's tokens are refused for a day (api_external_forget).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/identity/external_user.h"
#include "api/identity/identity.h"
#include "api/identity/idp.h"
#include "app/app.h"
#include "api/request/req_app.h"
#include "auth/grant_cache.h"
#include "auth/idp_claims.h"
#include "auth/oidc_token.h"
#include "auth/token_cache.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/str.h"

/* A deleted external user's tokens stay refused this long. */
#define FORGET_MS	(24LL * 3600 * 1000)

/* One request waiting on its provider's keys. */
struct waiting {
	struct pgl_idp_waiter	 w;
	struct pgl_req		*r;
	void			(*resume)(struct pgl_req *);
};

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

/*
 * The token's groups (the provider's groups claim: a list of strings or
 * one string) on r->app, for data policies that name groups; copied to
 * the arena, since the claims may outlive no request.
 */
static void
keep_groups(struct pgl_req *r, const struct pgl_idp *idp, const json_t *claims)
{
	const char	*name = idp->cfg->groups_claim != NULL ?
			    idp->cfg->groups_claim : "groups";
	const json_t	*g = pgl_idp_claim(claims, name), *v;
	const char	**out;
	size_t		 i, n = 0;

	if (r->app == NULL || g == NULL)
		return;
	if (json_is_string(g)) {
		if ((out = pgl_arena_alloc(r->arena, sizeof(*out))) != NULL &&
		    (out[0] = pgl_arena_strdup(r->arena,
		    json_string_value(g))) != NULL) {
			r->app->idp_groups = out;
			r->app->nidp_groups = 1;
		}
		return;
	}
	if (!json_is_array(g) || json_array_size(g) == 0 ||
	    (out = pgl_arena_alloc(r->arena, json_array_size(g) *
	    sizeof(*out))) == NULL)
		return;
	json_array_foreach(g, i, v) {
		if (json_is_string(v) && (out[n] = pgl_arena_strdup(r->arena,
		    json_string_value(v))) != NULL)
			n++;
	}
	r->app->idp_groups = out;
	r->app->nidp_groups = n;
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
	api_external_caller(r, v->role, v->id, v->username,
	    v->tenant[0] != '\0' ? v->tenant : NULL);
	keep_groups(r, v->idp, v->claims);
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
	rc = api_external_user(r, idp, claims, why, &kept);
	if (rc == 0) {
		keep_groups(r, idp, claims);
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
