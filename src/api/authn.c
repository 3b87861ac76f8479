/*
 * Who is calling (pangolin-api.md §3.1): an API key, root by HTTP Basic,
 * or a session token that has not been revoked.  The header parsing and
 * token checks are src/auth's; what needs the store is here.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/gate.h"
#include "app/app.h"
#include "auth/apikey.h"
#include "auth/jwt.h"
#include "auth/principal.h"
#include "auth/ratelimit.h"
#include "auth/token_cache.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/names.h"
#include "util/str.h"

#define UNAVAILABLE	"metadata store unavailable, retry later"
/* Root's Basic failures from all addresses, in rate_limits. */
#define ACCOUNT_CEILING	10
#define BASIC_ACCOUNT	"basic:root"

static int
store_ready(void)
{
	struct pgl_err	err;

	return (pgl_app.dbh != NULL || pgl_app_store_open(&err) == 0);
}

/*
 * A session token is refused from the moment its revocation committed:
 * the store is asked on every request (one primary-key read; SQLite
 * answers from memory while no commit has landed since), so every worker
 * of every replica agrees.  A store that cannot answer fails closed with
 * 503 (pangolin-api.md §3.1).
 */
int
api_session_alive(struct pgl_req *r, const char **why)
{
	struct pgl_err	err;
	int		revoked = 1;

	if (!store_ready() ||
	    STORE(is_token_revoked, r->who.jti, &revoked, &err) != PGL_OK) {
		*why = "Unable to verify token status";
		return (503);
	}
	if (revoked) {
		*why = "Token has been revoked";
		return (401);
	}
	return (0);
}

/* A service user's role, from its doc. */
static enum pgl_user_role
key_role(const struct pgl_service_user *su)
{
	json_t			*doc = pgl_json_load_or(su->doc, json_object());
	const char		*role = pgl_json_str(doc, "role");
	enum pgl_user_role	 was;

	was = role != NULL && strcmp(role, "tenant-admin") == 0 ?
	    ROLE_TENANT_ADMIN : ROLE_TENANT_USER;
	json_decref(doc);
	return (was);
}

/*
 * API keys verified lately (auth/token_cache.h): the stored hash the
 * secret matched and the doc the role came from.  The service user's
 * row is still read on every request (deactivating, deleting or
 * rotating refuses the key from the next one); while it holds the same
 * hash and doc, the key needs neither SHA-256 nor JSON parsing again:
 * with them, a loadTable by API key cost 27,000 instructions more
 * (callgrind, docs/benchmarks.md).
 */
struct key_seen {
	char			*hash;
	char			*doc;
	enum pgl_user_role	 role;
};

static struct pgl_token_cache	*keys_seen;
static int			 keys_tried;

static void
key_seen_free(void *p)
{
	struct key_seen	*k = p;

	free(k->hash);
	free(k->doc);
	free(k);
}

static struct pgl_token_cache *
keys_cache(void)
{
	if (!keys_tried) {
		keys_tried = 1;
		keys_seen = pgl_token_cache_new(
		    (size_t)pgl_app.cfg->auth.token_cache_entries,
		    key_seen_free);
	}
	return (keys_seen);
}

/* key verified against su's hash before, and the role su's doc gives. */
static struct key_seen *
key_known(const char *key, const struct pgl_service_user *su)
{
	struct key_seen	*k = pgl_token_cache_get(keys_cache(), key, INT64_MIN);

	if (k == NULL || strcmp(k->hash, su->api_key_hash) != 0)
		return (NULL);
	if (strcmp(k->doc, su->doc) != 0) {
		pgl_token_cache_drop(keys_seen, key);
		return (NULL);
	}
	return (k);
}

static void
key_remember(const char *key, const struct pgl_service_user *su,
    enum pgl_user_role role)
{
	struct key_seen	*k;

	if (keys_cache() == NULL || (k = calloc(1, sizeof(*k))) == NULL)
		return;
	k->hash = strdup(su->api_key_hash);
	k->doc = strdup(su->doc);
	k->role = role;
	if (k->hash == NULL || k->doc == NULL) {
		key_seen_free(k);
		return;
	}
	(void)pgl_token_cache_put(keys_seen, key, INT64_MAX, k);
}

static void
key_principal(struct pgl_req *r, const struct pgl_service_user *su,
    enum pgl_user_role role)
{
	memset(&r->who, 0, sizeof(r->who));
	r->who.role = role;
	(void)pgl_strlcpy(r->who.user_id, su->id, sizeof(r->who.user_id));
	(void)pgl_strlcpy(r->who.username, su->name, sizeof(r->who.username));
	(void)pgl_strlcpy(r->who.tenant_id, su->tenant_id,
	    sizeof(r->who.tenant_id));
	(void)pgl_strlcpy(r->tenant, su->tenant_id, sizeof(r->tenant));
}

/*
 * X-API-Key: a service user's key ("pgl_<key id>_<secret>"), found by key
 * id, checked against its stored hash, active and unexpired.  The
 * principal is the service user, in its own tenant (X-Pangolin-Tenant is
 * not for keys).  Every refusal reads the same; one for a real key id is
 * audited in that key's tenant (an unknown id has no tenant to tell, and
 * recording it would let anyone fill the log).
 */
static int
api_key(struct pgl_req *r, const char *key, const char **why)
{
	struct pgl_service_user	 su;
	struct pgl_err		 err;
	struct key_seen		*k;
	enum pgl_user_role	 role;
	char			 id[PGL_APIKEY_ID_LEN + 1];
	char			 secret[PGL_APIKEY_SECRET_LEN + 1];
	int			 rc;

	*why = "Invalid or expired API key";
	if (pgl_apikey_parse(key, id, secret) == -1)
		return (401);
	if (!store_ready()) {
		*why = UNAVAILABLE;
		return (503);
	}
	rc = STORE(get_service_user_by_key_id, r->arena, id, &su, &err);
	if (rc != PGL_OK && rc != PGL_ENOTFOUND) {
		*why = UNAVAILABLE;
		return (503);
	}
	if (rc != PGL_OK)
		return (401);
	k = key_known(key, &su);
	if ((k == NULL && !pgl_apikey_verify(secret, su.api_key_hash)) ||
	    !su.active ||
	    (su.expires_at_ms != 0 && su.expires_at_ms <= pgl_now_ms())) {
		api_audit(r, su.tenant_id, "api_key_rejected", "service_user",
		    su.id, su.name, 0, *why);
		return (401);
	}
	role = k != NULL ? k->role : key_role(&su);
	if (k == NULL)
		key_remember(key, &su, role);
	key_principal(r, &su, role);
	return (0);
}

/* §3.2: root acting inside a tenant is recorded there, every time. */
static void
impersonation(struct pgl_req *r)
{
	if (r->who.role != ROLE_ROOT || strcmp(r->tenant, PGL_NIL_UUID) == 0 ||
	    !store_ready())
		return;
	api_audit(r, r->tenant, "tenant_impersonation", "tenant", r->tenant,
	    NULL, 1, NULL);
}

/*
 * Root's HTTP Basic is a password check on every request, so it is
 * throttled like a login (§3.6): while the client address has had
 * rate_limit failures in the window, or root's account ACCOUNT_CEILING
 * times that from all addresses, the answer is 429 before any check.
 * Only failures count (root sends Basic on every request); each is
 * recorded in root's audit log with the name tried as an unverified
 * claim.  PANGOLIN_ROOT_BASIC=false turns Basic off.
 */
static int
root_basic(struct pgl_req *r, const char *authz, const char **why,
    int *retry_after)
{
	const struct pgl_config	*cfg = pgl_app.cfg;
	const char		*ip, *claim = "";
	int64_t			 now = pgl_now_ms() / 1000;
	char			 buf[512], *colon;
	int			 retry, rc;

	if (!cfg->auth.root_basic) {
		*why = "HTTP Basic is disabled (PANGOLIN_ROOT_BASIC=false)";
		return (401);
	}
	ip = pgl_arena_printf(r->arena, "basic:%s", api_client_addr(r));
	retry = pgl_ratelimit_peek(ip, cfg->auth.rate_limit,
	    cfg->auth.rate_window_secs, now);
	if (retry == 0)
		retry = pgl_ratelimit_peek(BASIC_ACCOUNT, cfg->auth.rate_limit *
		    ACCOUNT_CEILING, cfg->auth.rate_window_secs, now);
	if (retry != 0) {
		*retry_after = retry;
		*why = pgl_arena_printf(r->arena, "Too many login attempts, "
		    "retry in %d s", retry);
		return (429);
	}
	rc = pgl_auth_resolve(cfg, authz, pgl_header(r, "x-pangolin-tenant"),
	    &r->who, r->tenant, why);
	if (rc == 0)
		return (0);
	(void)pgl_ratelimit_hit(ip, cfg->auth.rate_limit,
	    cfg->auth.rate_window_secs, now);
	(void)pgl_ratelimit_hit(BASIC_ACCOUNT, cfg->auth.rate_limit *
	    ACCOUNT_CEILING, cfg->auth.rate_window_secs, now);
	if (pgl_base64_decode(authz + 6, buf, sizeof(buf)) == 0) {
		if ((colon = strchr(buf, ':')) != NULL)
			*colon = '\0';
		claim = pgl_arena_strdup(r->arena, buf);
	}
	explicit_bzero(buf, sizeof(buf));
	memset(&r->who, 0, sizeof(r->who));
	if (store_ready() && pgl_utf8_valid(claim, strlen(claim)))
		api_audit_claim(r, NULL, "login_failed", claim,
		    "Invalid credentials (HTTP Basic)");
	return (rc);
}

/* identity/external.c's entry points (gate.h), handed over by main.c. */
static const struct api_external_ops	*external;

void
api_authn_external(const struct api_external_ops *ops)
{
	external = ops;
}

/*
 * A bearer token whose issuer is one of [[auth.oidc]] is that provider's
 * (identity/external.c); any other is a session of ours.  resume: the
 * request may wait for the provider's keys (API_AUTH_WAIT).
 */
static int
identify(struct pgl_req *r, const char **why, int *retry_after,
    void (*resume)(struct pgl_req *))
{
	const char	*authz = pgl_header(r, "authorization");
	struct pgl_idp	*idp;
	int		 rc;

	if (authz != NULL && strncasecmp(authz, "Basic ", 6) == 0)
		return (root_basic(r, authz, why, retry_after));
	/* A session of ours verified lately is not taken apart again to
	 * see whose it is: with a provider configured, that JSON parse of
	 * every bearer token cost more than the loadTable it guarded
	 * (docs/benchmarks.md).  Only our secret verified it, and we sign
	 * no "iss": it is no provider's. */
	if (authz != NULL && strncasecmp(authz, "Bearer ", 7) == 0 &&
	    !pgl_jwt_known(pgl_app.cfg->auth.jwt_secret, authz + 7) &&
	    external != NULL &&
	    (idp = external->provider(authz + 7)) != NULL)
		return (external->identify(r, idp, authz + 7, why, resume));
	rc = pgl_auth_resolve(pgl_app.cfg, authz, pgl_header(r,
	    "x-pangolin-tenant"), &r->who, r->tenant, why);
	if (rc == 0 && r->who.jti[0] != '\0')
		rc = api_session_alive(r, why);
	return (rc);
}

int
api_identify(struct pgl_req *r, const char **why, int *retry_after)
{
	return (identify(r, why, retry_after, NULL));
}

/*
 * No-auth mode ignores a credential that does not hold: clients send
 * one anyway (PyIceberg 0.10 sends "Bearer None" when it has none), and
 * every caller there is the no-auth admin.  A credential that holds is
 * still used (root by Basic acts as root, a session as its user).
 */
int
api_authenticate(struct pgl_req *r, const char **why,
    void (*resume)(struct pgl_req *))
{
	const char	*key = pgl_header(r, "x-api-key");
	const char	*authz = pgl_header(r, "authorization");
	int		 no_auth = pgl_app.cfg->auth.no_auth, retry = 0, rc;

	/* §3.1: a key is checked first, except that no-auth mode without
	 * an Authorization header is the no-auth principal. */
	if (key != NULL && !(no_auth && authz == NULL))
		rc = api_key(r, key, why);
	else
		rc = identify(r, why, &retry, resume);
	if (rc == API_AUTH_WAIT)
		return (rc);
	if (rc != 0 && no_auth) {
		memset(&r->who, 0, sizeof(r->who));
		rc = pgl_auth_resolve(pgl_app.cfg, NULL, NULL, &r->who,
		    r->tenant, why);
	}
	if (rc == 429)
		pgl_set_header(r, "retry-after", pgl_arena_printf(r->arena,
		    "%d", retry));
	if (rc == 0)
		impersonation(r);
	return (rc);
}
