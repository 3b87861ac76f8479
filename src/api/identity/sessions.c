/*
 * Sessions (pangolin-api.md §2.6, §3.1): login answers an HS256 token for
 * PANGOLIN_SESSION_TTL_SECS; its jti and metadata are stored (never the
 * token) so it can be listed and revoked; logout revokes the presented
 * token, and every worker refuses it from then on (kore_dispatch.c asks
 * the store on every request).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/identity/identity.h"
#include "api/identity/password_job.h"
#include "app/app.h"
#include "auth/jwt.h"
#include "auth/password.h"
#include "auth/principal.h"
#include "auth/ratelimit.h"
#include "util/arena.h"
#include "util/json.h"

/* Root from the environment has no user row (§2.6). */
#define ENV_ROOT_ID	"ffffffff-ffff-ffff-ffff-ffffffffffff"
/* An account's failed logins from all addresses, in rate_limits. */
#define ACCOUNT_CEILING	10

static const struct pgl_jfield login_fields[] = {
	{ "username", PGL_J_STRING, 1 },
	{ "password", PGL_J_STRING, 1 },
	{ "tenant-id", PGL_J_STRING, 0 },
	{ "tenant_id", PGL_J_STRING, 0 },
	{ NULL, 0, 0 }
};

/* The token row's doc: its username, when it was made, and the API key
 * it was exchanged for (a rotation carries that key on). */
static const char *
session_doc(struct pgl_req *r, const struct pgl_jwt_claims *c,
    const char *key_id)
{
	const char	*text;
	json_t		*doc;

	doc = json_pack("{s:s,s:I}", "username", c->username, "created_at",
	    (json_int_t)c->iat * 1000);
	if (doc != NULL && key_id != NULL)
		json_object_set_new(doc, "key_id", json_string(key_id));
	text = api_text(r->arena, doc);
	json_decref(doc);
	return (text);
}

int
api_owner_live(struct pgl_req *r, const char *owner, const char *tenant,
    const char *key_id, struct pgl_err *err)
{
	struct pgl_user		u;
	struct pgl_service_user	su;
	int			rc;

	/* Root from the environment, root by Basic, the no-auth admin:
	 * no row to lose. */
	if (strcmp(owner, ENV_ROOT_ID) == 0 || strcmp(owner, PGL_NIL_UUID) == 0)
		return (1);
	if (key_id == NULL) {
		rc = STORE(get_user, r->arena, owner, &u, err);
		if (rc == PGL_OK)
			return (u.active != 0);
		if (rc != PGL_ENOTFOUND)
			return (-1);
	}
	if (tenant == NULL)
		return (0);
	rc = STORE(get_service_user, r->arena, tenant, owner, &su, err);
	if (rc == PGL_ENOTFOUND)
		return (0);
	if (rc != PGL_OK)
		return (-1);
	return (su.active && (su.expires_at_ms == 0 ||
	    su.expires_at_ms > pgl_now_ms()) && (key_id == NULL ||
	    (su.key_id != NULL && strcmp(su.key_id, key_id) == 0)));
}

/*
 * The owner is checked after the token row is written: a deactivation,
 * deletion or key rotation that committed before this read is seen here,
 * and one that commits after it revokes the row (api_owner_revoke), so
 * however the two race no token outlives its owner.
 */
int
api_session_new(struct pgl_req *r, const struct api_session *sn,
    char **token, int64_t *exp)
{
	struct pgl_jwt_claims	 c;
	struct pgl_token	 t;
	struct pgl_err		 err, err2;
	int64_t			 now = pgl_now_ms() / 1000;
	const char		*owner = sn->owner != NULL ? sn->owner : sn->sub;
	int			 live;

	memset(&c, 0, sizeof(c));
	(void)snprintf(c.sub, sizeof(c.sub), "%s", sn->sub);
	pgl_uuid_new(c.jti);
	(void)snprintf(c.username, sizeof(c.username), "%s", sn->username);
	(void)snprintf(c.tenant_id, sizeof(c.tenant_id), "%s",
	    sn->tenant != NULL ? sn->tenant : "");
	(void)snprintf(c.role, sizeof(c.role), "%s", sn->role);
	c.iat = now;
	c.exp = *exp = now + (sn->ttl_secs > 0 ? sn->ttl_secs : 1);
	t = (struct pgl_token){ c.jti, sn->tenant, owner, c.exp * 1000,
	    session_doc(r, &c, sn->key_id) };
	if (pgl_jwt_sign(pgl_app.cfg->auth.jwt_secret, &c, token) == -1) {
		pgl_reply_error(r, 500, "cannot sign a session token");
		return (-1);
	}
	if (STORE(store_token, &t, &err) != PGL_OK) {
		free(*token);
		*token = NULL;
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	if ((live = api_owner_live(r, owner, sn->tenant, sn->key_id, &err)) ==
	    1)
		return (0);
	(void)STORE(revoke_token, c.jti, c.exp * 1000, "owner gone", &err2);
	free(*token);
	*token = NULL;
	if (live == -1)
		pgl_reply_store_error(r, &err);
	else
		pgl_reply_error(r, 401, "Invalid credentials");
	return (-1);
}

/* Sign and record a session; replies 200 {token, user, expires-at}. */
static void
issue(struct pgl_req *r, const struct pgl_user *u, json_t *info)
{
	struct api_session	 sn = { u->id, u->username, u->tenant_id,
	    u->role, NULL, NULL, pgl_app.cfg->auth.session_ttl_secs };
	char			*tok;
	int64_t			 exp;

	if (api_session_new(r, &sn, &tok, &exp) == -1) {
		json_decref(info);
		return;
	}
	pgl_reply_json(r, 200, json_pack("{s:s,s:o,s:s}", "token", tok,
	    "user", info, "expires-at", api_rfc3339(r->arena, exp)));
	free(tok);
}

static json_t *
root_info(const char *username)
{
	return (json_pack("{s:s,s:s,s:s,s:n,s:s,s:n,s:n,s:n,s:b}", "id",
	    ENV_ROOT_ID, "username", username, "email", "root@pangolin.local",
	    "tenant-id", "role", "root", "oauth-provider", "created-at",
	    "last-login", "active", 1));
}

/* Root from the environment, checked in constant time. */
static int
env_root(const char *user, const char *pw)
{
	const struct pgl_config	*cfg = pgl_app.cfg;
	int			 ok;

	if (cfg->auth.root_user == NULL)
		return (0);
	ok = pgl_secret_equal(user, cfg->auth.root_user);
	ok &= pgl_secret_equal(pw, cfg->auth.root_password);
	return (ok);
}

/*
 * One answer for every way a login can fail on the credentials (unknown
 * user, wrong password, inactive account), so the reply tells nothing
 * about which account exists.  The caller is anonymous: the failure is
 * recorded only where the named account lives (holder: its tenant, NULL
 * for root), never in a tenant the caller merely named, and the name is
 * recorded as the caller's unverified claim (api_audit_claim).
 */
static void
refuse(struct pgl_req *r, int known, const char *holder, const char *name,
    const char *why)
{
	if (known)
		api_audit_claim(r, holder, "login_failed", name, why);
	pgl_set_header(r, "www-authenticate", "Bearer realm=\"pangolin\"");
	pgl_reply_error(r, 401, "%s", why);
}

/* last-login in the user's doc: one write per login. */
static int
record_login(struct pgl_req *r, struct pgl_user *u)
{
	struct pgl_err	 err;
	json_t		*doc = api_obj(u->doc);

	json_object_set_new(doc, "last-login", json_string(api_rfc3339(
	    r->arena, pgl_now_ms() / 1000)));
	u->doc = api_text(r->arena, doc);
	json_decref(doc);
	if (STORE(update_user, u, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	return (0);
}

/*
 * The auth throttle (§3.6): an attempt counts against the client address
 * and against the account (when there is one); past the limit the answer
 * is 429 with Retry-After, before any credential is checked.  It counts
 * up front, so attempts made at once cannot pass the limit together, and
 * a login that succeeds gives its count back (throttle_clear): only
 * failures use up a window.  The account counts per address, so that
 * nobody can lock a user out from the user's own address; across all
 * addresses it has ACCOUNT_CEILING times the limit, against guessing
 * spread over many addresses.  The address is the first X-Forwarded-For
 * entry only when the operator says a proxy sets it.
 */
int
api_throttled(struct pgl_req *r, const char *account)
{
	const struct pgl_config	*cfg = pgl_app.cfg;
	const char		*peer = api_client_addr(r);
	int64_t			 now = pgl_now_ms() / 1000;
	int			 retry;

	retry = pgl_ratelimit_hit(pgl_arena_printf(r->arena, "ip:%s", peer),
	    cfg->auth.rate_limit, cfg->auth.rate_window_secs, now);
	if (retry == 0 && account != NULL)
		retry = pgl_ratelimit_hit(pgl_arena_printf(r->arena, "%s@%s",
		    account, peer), cfg->auth.rate_limit,
		    cfg->auth.rate_window_secs, now);
	if (retry == 0 && account != NULL)
		retry = pgl_ratelimit_hit(account, cfg->auth.rate_limit *
		    ACCOUNT_CEILING, cfg->auth.rate_window_secs, now);
	if (retry == 0)
		return (0);
	pgl_set_header(r, "retry-after", pgl_arena_printf(r->arena, "%d",
	    retry));
	pgl_reply_error(r, 429, "Too many login attempts, retry in %d s",
	    retry);
	return (1);
}

/*
 * A successful login: the address gets its attempt back (one success in
 * a run of failures does not reset the address, or a guesser with an
 * account of its own could keep guessing at others'), and the account
 * starts afresh, here and overall: its owner, who knows the password,
 * is not held to what a guesser spent.
 */
static void
throttle_clear(struct pgl_req *r, const char *account)
{
	pgl_ratelimit_forgive(pgl_arena_printf(r->arena, "ip:%s",
	    api_client_addr(r)), pgl_app.cfg->auth.rate_window_secs,
	    pgl_now_ms() / 1000);
	pgl_ratelimit_clear(pgl_arena_printf(r->arena, "%s@%s", account,
	    api_client_addr(r)));
	pgl_ratelimit_clear(account);
}

void
api_login(struct pgl_req *r)
{
	struct pgl_user	 u;
	struct pgl_err	 err;
	const char	*name, *pw, *tenant, *acct;
	int		 rc, ok;

	if (pgl_req_body(r, login_fields) == -1)
		return;
	name = pgl_json_str(r->body, "username");
	pw = pgl_json_str(r->body, "password");
	tenant = pgl_json_str(r->body, "tenant-id");
	if (tenant == NULL)
		tenant = pgl_json_str(r->body, "tenant_id");
	/* Usernames are unique store-wide: the account is the name, not the
	 * tenant the caller chose to name with it. */
	acct = pgl_arena_printf(r->arena, "acct:%s", name);
	/* Counted once: a run after the password's check is its replay. */
	if (!api_password_checked(r) && api_throttled(r, acct))
		return;
	if (tenant == NULL && env_root(name, pw)) {
		throttle_clear(r, acct);
		u = (struct pgl_user){ ENV_ROOT_ID, NULL, name, NULL, "root",
		    NULL, 1, NULL };
		api_audit(r, NULL, "login", "user", ENV_ROOT_ID, name, 1, NULL);
		issue(r, &u, root_info(name));
		return;
	}
	memset(&err, 0, sizeof(err));
	rc = STORE(get_user_by_username, r->arena, name, &u, &err);
	if (rc != PGL_OK && rc != PGL_ENOTFOUND) {
		pgl_reply_store_error(r, &err);
		return;
	}
	/*
	 * Off the event loop (password_job.h): the first run ends here and
	 * runs again with the answer.  An unknown name is checked against a
	 * decoy, so a login costs the same whether or not the user exists.
	 */
	if (api_password_check(r, pw, rc == PGL_OK ? u.password_hash : NULL,
	    &ok, &err) != PGL_OK) {
		api_password_reply_error(r, &err);
		return;
	}
	if (rc == PGL_ENOTFOUND || u.password_hash == NULL) {
		/* Root's own name is root's to see; any other unknown name
		 * belongs to nobody and is not recorded. */
		refuse(r, rc == PGL_OK || (tenant == NULL &&
		    pgl_app.cfg->auth.root_user != NULL && strcmp(name,
		    pgl_app.cfg->auth.root_user) == 0), rc == PGL_OK ?
		    u.tenant_id : NULL, name, "Invalid credentials");
		return;
	}
	if (!ok || !u.active) {
		refuse(r, 1, u.tenant_id, name, "Invalid credentials");
		return;
	}
	if (u.tenant_id == NULL && tenant != NULL) {
		refuse(r, 1, NULL, name,
		    "Root users must login without tenant_id");
		return;
	}
	if (u.tenant_id != NULL && (tenant == NULL || strcmp(tenant,
	    u.tenant_id) != 0)) {
		refuse(r, 1, u.tenant_id, name,
		    "Tenant users must login with tenant_id");
		return;
	}
	throttle_clear(r, acct);
	if (record_login(r, &u) == -1)
		return;
	api_audit(r, u.tenant_id, "login", "user", u.id, u.username, 1, NULL);
	issue(r, &u, api_user_info(&u));
}

void
api_me(struct pgl_req *r)
{
	struct pgl_user	 u;
	struct pgl_err	 err;

	if (r->who.role != ROLE_ROOT && STORE(get_user, r->arena,
	    r->who.user_id, &u, &err) == PGL_OK) {
		pgl_reply_json(r, 200, api_user_info(&u));
		return;
	}
	/* Root from the environment, no-auth mode: no user row. */
	pgl_reply_json(r, 200, json_pack("{s:s,s:s,s:n,s:o,s:s,s:n,s:n,s:n,"
	    "s:b}", "id", r->who.user_id, "username", r->who.username,
	    "email", "tenant-id", r->who.role == ROLE_ROOT ? json_null() :
	    json_string(r->who.tenant_id), "role", pgl_role_name(r->who.role),
	    "oauth-provider", "created-at", "last-login", "active", 1));
}

/* Revokes the presented session token; without one there is none. */
void
api_logout(struct pgl_req *r)
{
	struct pgl_err	err;

	if (r->who.jti[0] != '\0' && STORE(revoke_token, r->who.jti,
	    r->who.expires_at * 1000, "logout", &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	if (r->who.jti[0] != '\0')
		api_audit(r, r->tenant, "revoke_token", "token", r->who.jti,
		    "logout", 1, NULL);
	pgl_reply_empty(r, 204);
}
