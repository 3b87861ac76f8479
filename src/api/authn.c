/*
 * Who is calling (pangolin-api.md §3.1): an API key, root by HTTP Basic,
 * or a session token that has not been revoked.  The header parsing and
 * token checks are src/auth's; what needs the store is here.
 */
#include <string.h>

#include "api/api.h"
#include "api/gate.h"
#include "app.h"
#include "auth/apikey.h"
#include "auth/principal.h"
#include "util/json.h"
#include "util/str.h"

#define UNAVAILABLE	"metadata store unavailable, retry later"

static int
store_ready(void)
{
	struct pgl_err	err;

	return (pgl_app.dbh != NULL || pgl_app_store_open(&err) == 0);
}

/*
 * A session token is refused from the moment its revocation committed:
 * the store is asked on every request (one primary-key read), so every
 * worker of every replica agrees.  A store that cannot answer fails
 * closed with 503 (pangolin-api.md §3.1).
 */
static int
session_live(struct pgl_req *r, const char **why)
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

static void
key_principal(struct pgl_req *r, const struct pgl_service_user *su)
{
	json_t		*doc = pgl_json_load_or(su->doc, json_object());
	const char	*role = pgl_json_str(doc, "role");

	memset(&r->who, 0, sizeof(r->who));
	r->who.role = role != NULL && strcmp(role, "tenant-admin") == 0 ?
	    ROLE_TENANT_ADMIN : ROLE_TENANT_USER;
	json_decref(doc);
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
	if (!pgl_apikey_verify(secret, su.api_key_hash) || !su.active ||
	    (su.expires_at_ms != 0 && su.expires_at_ms <= pgl_now_ms())) {
		api_audit(r, su.tenant_id, "api_key_rejected", "service_user",
		    su.id, su.name, 0, *why);
		return (401);
	}
	key_principal(r, &su);
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

int
api_authenticate(struct pgl_req *r, const char **why)
{
	const char	*key = pgl_header(r, "x-api-key");
	const char	*authz = pgl_header(r, "authorization");
	int		 rc;

	/* §3.1: a key is checked first, except that no-auth mode without
	 * an Authorization header is the no-auth principal. */
	if (key != NULL && !(pgl_app.cfg->auth.no_auth && authz == NULL))
		return (api_key(r, key, why));
	rc = pgl_auth_resolve(pgl_app.cfg, authz, pgl_header(r,
	    "x-pangolin-tenant"), &r->who, r->tenant, why);
	if (rc == 0 && r->who.jti[0] != '\0')
		rc = session_live(r, why);
	if (rc == 0)
		impersonation(r);
	return (rc);
}
