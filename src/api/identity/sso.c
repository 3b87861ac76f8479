/*
 * Signing in to the page with the organisation's identity provider: the
 * OpenID Connect authorization code flow with PKCE (S256), state and
 * nonce, this server being a confidential client ([[auth.oidc]]
 * client_id and client_secret).  The routes are the Rust Pangolin's:
 *
 *   GET  /api/v1/oauth/providers       the providers with a sign-in
 *   GET  /oauth/authorize/{provider}   302 to the provider
 *   GET  /oauth/callback/{provider}    the code exchanged (off the event
 *                                      loop), the ID token checked (a new
 *                                      kid fetches the keys, as a bearer
 *                                      token's does), a session made;
 *                                      302 to the page
 *   POST /api/v1/oauth/exchange        the page trades the one-time code
 *                                      it was handed for the session
 *
 * Nothing is kept on the server between the redirects: the flow's secrets
 * (state, nonce, PKCE verifier) travel in an HttpOnly cookie sealed with
 * a key derived from PANGOLIN_JWT_SECRET, so any worker or replica can
 * take the callback.  The one-time code is the session sealed the same
 * way, good for 120 seconds, and used once: its first exchange records
 * it in the store's token table, whose key refuses the second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/identity/identity.h"
#include "api/identity/idp.h"
#include "app/app.h"
#include "auth/jwk.h"
#include "auth/oidc_token.h"
#include "auth/sso_seal.h"
#include "storage/write_pool.h"
#include "util/arena.h"
#include "util/httpc.h"
#include "util/json.h"

#define TOKEN_MAX	(256 * 1024)
#define COOKIE		"pgl_sso"

/* The code exchange at the provider's token endpoint, on a pool thread;
 * then, if the ID token's kid is new, the wait for the provider's keys. */
struct exchange {
	struct pgl_wjob		 w;
	struct pgl_req		*r;
	struct pgl_idp		*idp;
	char			*url, *form, *user, *secret, *nonce;
	struct pgl_httpc_reply	 rep;
	char			 why[160];
	struct pgl_idp_waiter	 wait;
	int			 refetched;
};

/* signed_in(): the keys are being fetched; finish() runs again after. */
#define KEYS_WAIT	1

static const struct pgl_jfield exchange_fields[] = {
	{ "code", PGL_J_STRING, 1 },
	{ NULL, 0, 0 }
};

/* j sealed as kind, in the arena; NULL on failure. */
static const char *
seal_json(struct pgl_req *r, enum pgl_sso_kind kind, json_t *j)
{
	char		*sealed;
	const char	*out = NULL;

	sealed = pgl_sso_seal(kind, pgl_app.cfg->auth.jwt_secret, j,
	    pgl_now_ms() / 1000);
	if (sealed != NULL)
		out = pgl_arena_strdup(r->arena, sealed);
	free(sealed);
	return (out);
}

/* The object sealed in text as kind and not past its end; or NULL. */
static json_t *
unseal_json(enum pgl_sso_kind kind, const char *text)
{
	return (pgl_sso_open(kind, pgl_app.cfg->auth.jwt_secret, text,
	    pgl_now_ms() / 1000));
}

/* 32 random bytes, base64url, in the arena. */
static const char *
random_text(struct pgl_req *r)
{
	unsigned char	b[32];
	char		out[48];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return (NULL);
	pgl_b64url_encode(b, sizeof(b), out);
	return (pgl_arena_strdup(r->arena, out));
}

static const char *
challenge_of(struct pgl_req *r, const char *verifier)
{
	unsigned char	md[32];
	unsigned int	len = 0;
	char		out[48];

	if (EVP_Digest(verifier, strlen(verifier), md, &len, EVP_sha256(),
	    NULL) != 1)
		return (NULL);
	pgl_b64url_encode(md, len, out);
	return (pgl_arena_strdup(r->arena, out));
}

/* Where clients reach this server: the setting, else the Host header. */
static const char *
public_url(struct pgl_req *r)
{
	const char	*host = pgl_header(r, "host"), *p;
	const char	*proto = pgl_app.cfg->auth.trust_forwarded_for ?
			    pgl_header(r, "x-forwarded-proto") : NULL;

	if (pgl_app.cfg->auth.public_url != NULL)
		return (pgl_app.cfg->auth.public_url);
	if (host == NULL || *host == '\0' || strlen(host) > 255)
		return (NULL);
	for (p = host; *p != '\0'; p++) {
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && strchr(".-:[]", *p) == NULL)
			return (NULL);
	}
	if (proto == NULL || strcmp(proto, "https") != 0)
		proto = "http";
	return (pgl_arena_printf(r->arena, "%s://%s", proto, host));
}

static const char *
redirect_uri(struct pgl_req *r, const struct pgl_idp *idp)
{
	const char	*base = public_url(r);

	return (base == NULL ? NULL : pgl_arena_printf(r->arena,
	    "%s/oauth/callback/%s", base, idp->cfg->name));
}

static const char *
esc(struct pgl_req *r, const char *s)
{
	char		*e = pgl_httpc_escape(s);
	const char	*out;

	out = e != NULL ? pgl_arena_strdup(r->arena, e) : "";
	free(e);
	return (out);
}

/*
 * The flow cookie's attributes: a browser keeps one cookie per name,
 * domain and path (RFC 6265 §5.3 step 11), so the one that clears it
 * must name the path that set it, or it is a second cookie and the
 * first stays until its Max-Age.
 */
static const char *
cookie_path(struct pgl_req *r, const struct pgl_idp *idp)
{
	return (pgl_arena_printf(r->arena, "Path=/oauth/callback/%s",
	    idp->cfg->name));
}

/* Back to the page, with what it needs in the fragment (never logged,
 * never sent to a server); the flow cookie cleared, used or not. */
static void
to_page(struct pgl_req *r, const struct pgl_idp *idp, const char *key,
    const char *value)
{
	pgl_set_header(r, "location", pgl_arena_printf(r->arena, "/ui/#%s=%s",
	    key, esc(r, value)));
	pgl_set_header(r, "cache-control", "no-store");
	pgl_set_header(r, "set-cookie", pgl_arena_printf(r->arena,
	    COOKIE "=; %s; Max-Age=0; HttpOnly; SameSite=Lax",
	    cookie_path(r, idp)));
	pgl_reply_empty(r, 302);
}

/* A provider of the request's {provider} with a sign-in, or NULL (404). */
static struct pgl_idp *
sso_provider(struct pgl_req *r)
{
	struct pgl_idp	*idp = pgl_idp_by_name(pgl_param(r, "provider"));

	if (idp == NULL || idp->cfg->client_id == NULL) {
		pgl_reply_error(r, 404, "no sign-in provider '%.64s'",
		    pgl_param(r, "provider"));
		return (NULL);
	}
	return (idp);
}

/* The contract's {"providers": [names]}, and beside it what the page's
 * buttons need (the issuer and where to start), so no client has to
 * know the authorize path. */
void
api_sso_providers(struct pgl_req *r)
{
	json_t		*names = json_array(), *details = json_array();
	struct pgl_idp	*idp;
	size_t		 i;

	for (i = 0; i < pgl_idp_count(); i++) {
		idp = pgl_idp_at(i);
		if (idp->cfg->client_id == NULL)
			continue;
		json_array_append_new(names, json_string(idp->cfg->name));
		json_array_append_new(details, json_pack("{s:s,s:s,s:s}",
		    "name", idp->cfg->name, "issuer", idp->cfg->issuer,
		    "authorize-url", pgl_arena_printf(r->arena,
		    "/oauth/authorize/%s", idp->cfg->name)));
	}
	pgl_reply_json(r, 200, json_pack("{s:o,s:o}", "providers", names,
	    "provider_details", details));
}

/* The provider's endpoints came (or not): the redirect again. */
static void
authorize_resume(void *arg)
{
	struct pgl_req	*r = arg;

	r->pending = 0;
	if (!r->gone)
		api_sso_authorize(r);
	else
		pgl_reply_error(r, 503, "the client left");
	if (!r->pending)
		pgl_req_done(r);
}

/* The endpoints are known, or the request waits for them (1), or 503. */
static int
endpoints_ready(struct pgl_req *r, struct pgl_idp *idp)
{
	struct pgl_idp_waiter	*w;

	if (idp->authorization_endpoint != NULL && idp->token_endpoint != NULL)
		return (0);
	if ((w = pgl_arena_alloc(r->arena, sizeof(*w))) != NULL &&
	    pgl_idp_refetch(idp, w, authorize_resume, r) == 1) {
		pgl_req_pend(r);
		return (1);
	}
	pgl_reply_error(r, 503, "the identity provider '%s' cannot be "
	    "reached: %s", idp->cfg->name, idp->last_error[0] != '\0' ?
	    idp->last_error : "no endpoints yet");
	return (-1);
}

void
api_sso_authorize(struct pgl_req *r)
{
	struct pgl_idp	*idp;
	const char	*state, *nonce, *verifier, *challenge, *cb, *flow;

	if ((idp = sso_provider(r)) == NULL || endpoints_ready(r, idp) != 0)
		return;
	state = random_text(r);
	nonce = random_text(r);
	verifier = random_text(r);
	challenge = verifier != NULL ? challenge_of(r, verifier) : NULL;
	if ((cb = redirect_uri(r, idp)) == NULL) {
		pgl_reply_error(r, 400, "no usable Host header: set "
		    "PANGOLIN_PUBLIC_URL");
		return;
	}
	flow = state == NULL || nonce == NULL || challenge == NULL ? NULL :
	    seal_json(r, PGL_SSO_FLOW, json_pack("{s:s,s:s,s:s,s:s,s:s}", "p",
	    idp->cfg->name, "s", state, "n", nonce, "v", verifier, "r", cb));
	if (flow == NULL) {
		pgl_reply_error(r, 503, "cannot start the sign-in");
		return;
	}
	pgl_set_header(r, "set-cookie", pgl_arena_printf(r->arena,
	    COOKIE "=%s; %s; Max-Age=%d; HttpOnly; SameSite=Lax%s", flow,
	    cookie_path(r, idp), pgl_sso_lifetime(PGL_SSO_FLOW),
	    strncmp(cb, "https:", 6) == 0 ? "; Secure" : ""));
	pgl_set_header(r, "cache-control", "no-store");
	pgl_set_header(r, "location", pgl_arena_printf(r->arena,
	    "%s%sresponse_type=code&client_id=%s&redirect_uri=%s&scope=%s&"
	    "state=%s&nonce=%s&code_challenge=%s&code_challenge_method=S256",
	    idp->authorization_endpoint, strchr(idp->authorization_endpoint,
	    '?') != NULL ? "&" : "?", esc(r, idp->cfg->client_id), esc(r, cb),
	    esc(r, idp->cfg->scopes), state, nonce, challenge));
	pgl_reply_empty(r, 302);
}

/* The flow cookie of this provider's callback, opened; or NULL. */
static json_t *
flow_of(struct pgl_req *r, const struct pgl_idp *idp)
{
	const char	*c = pgl_header(r, "cookie"), *v, *end;
	json_t		*flow;

	if (c == NULL || (v = strstr(c, COOKIE "=")) == NULL)
		return (NULL);
	v += strlen(COOKIE "=");
	end = v + strcspn(v, ";");
	flow = unseal_json(PGL_SSO_FLOW, pgl_arena_strndup(r->arena, v,
	    (size_t)(end - v)));
	if (flow != NULL && strcmp(pgl_json_str(flow, "p") != NULL ?
	    pgl_json_str(flow, "p") : "", idp->cfg->name) != 0) {
		json_decref(flow);
		flow = NULL;
	}
	return (flow);
}

static void
exchange_free(struct exchange *x)
{
	free(x->url);
	free(x->form);
	free(x->user);
	free(x->secret);
	free(x->nonce);
	pgl_httpc_reply_free(&x->rep);
	free(x);
}

static void
exchange_run(struct pgl_wjob *w)
{
	struct exchange	*x = (struct exchange *)w;

	w->rc = pgl_httpc_call(x->url, x->form, x->user, x->secret,
	    TOKEN_MAX, &x->rep, x->why, sizeof(x->why));
}

static int	finish(struct exchange *);

/* The keys the ID token asked for came (or did not): check it again. */
static void
keys_arrived(void *arg)
{
	struct exchange	*x = arg;
	struct pgl_req	*r = x->r;

	r->pending = 0;
	if (r->gone)
		pgl_reply_error(r, 503, "the client left");
	else if (finish(x) == KEYS_WAIT)
		return;
	exchange_free(x);
	pgl_req_done(r);
}

/*
 * The ID token (its nonce this flow's), with the access token's claims
 * when that is a token of ours for the same subject (providers put
 * groups in one or the other).  A kid the keys do not hold asks for them
 * again, as a bearer token's does (api/identity/external.c), once: after a key
 * rotation the first sign-in needs no bearer request to bring the keys.
 */
static int
verified_claims(struct exchange *x, const json_t *ans, json_t **id,
    const char **why)
{
	json_t		*at = NULL;
	const char	*sub, *use = NULL;
	int		 rc;

	rc = pgl_idp_verify_id_token(x->idp, pgl_json_str(ans, "id_token"),
	    x->nonce, id, why);
	if (rc == PGL_OIDC_UNKNOWN_KID && !x->refetched) {
		x->refetched = 1;
		if (pgl_idp_refetch(x->idp, &x->wait, keys_arrived, x) == 1)
			return (KEYS_WAIT);
	}
	if (rc != PGL_OIDC_OK)
		return (401);
	if (pgl_json_str(ans, "access_token") != NULL &&
	    pgl_idp_verify(x->idp, pgl_json_str(ans, "access_token"), NULL,
	    &at, &use) == PGL_OIDC_OK && (sub = pgl_json_str(at,
	    "sub")) != NULL && pgl_json_str(*id, "sub") != NULL &&
	    strcmp(sub, pgl_json_str(*id, "sub")) == 0)
		json_object_update_missing(*id, at);
	json_decref(at);
	return (0);
}

/* The caller the provider's answer names: 0, KEYS_WAIT, or a status. */
static int
signed_in(struct pgl_req *r, struct exchange *x, const char **why)
{
	json_t	*ans, *id = NULL;
	int	 rc;

	ans = pgl_json_load_or(x->rep.body, NULL);
	if (x->rep.status != 200 || pgl_json_str(ans, "id_token") == NULL) {
		*why = "the provider refused the code";
		json_decref(ans);
		return (401);
	}
	if ((rc = verified_claims(x, ans, &id, why)) == 0)
		rc = api_external_resolve(r, x->idp, id, why);
	json_decref(id);
	json_decref(ans);
	return (rc);
}

/* A session for r->who, sealed as the one-time code; NULL replied. */
static const char *
session_code(struct pgl_req *r)
{
	struct api_session	 sn;
	const char		*code;
	char			*tok;
	int64_t			 exp;

	sn = (struct api_session){ r->who.user_id, r->who.username,
	    r->who.tenant_id[0] != '\0' ? r->who.tenant_id : NULL,
	    pgl_role_name(r->who.role), NULL, NULL,
	    pgl_app.cfg->auth.session_ttl_secs };
	if (api_session_new(r, &sn, &tok, &exp) == -1)
		return (NULL);
	code = seal_json(r, PGL_SSO_CODE, json_pack("{s:s,s:I}", "t", tok,
	    "x", (json_int_t)exp));
	free(tok);
	if (code == NULL)
		pgl_reply_error(r, 503, "cannot seal the sign-in");
	return (code);
}

/* The provider answered: a session for the page, or its error; or
 * KEYS_WAIT, the request pending again. */
static int
finish(struct exchange *x)
{
	struct pgl_req	*r = x->r;
	const char	*why = "the provider's answer could not be read", *code;
	int		 rc;

	api_external_report(r, x->idp);
	if ((rc = signed_in(r, x, &why)) == KEYS_WAIT) {
		pgl_req_pend(r);
		return (KEYS_WAIT);
	}
	if (rc == 0) {
		api_audit(r, r->who.tenant_id[0] != '\0' ? r->who.tenant_id :
		    NULL, "login", "user", r->who.user_id, r->who.username, 1,
		    NULL);
		if ((code = session_code(r)) != NULL)
			to_page(r, x->idp, "sso", code);
	} else {
		api_audit_claim(r, NULL, "login_failed", x->idp->cfg->name,
		    why);
		to_page(r, x->idp, "sso_error", why);
	}
	return (0);
}

static void
exchange_done(struct pgl_wjob *w, int stopped)
{
	struct exchange	*x = (struct exchange *)w;
	struct pgl_req	*r = x->r;

	r->pending = 0;
	if (r->gone || stopped)
		pgl_reply_error(r, 503, "%s", stopped ? "stopping" : "gone");
	else if (w->rc != 0) {
		api_audit_claim(r, NULL, "oidc_provider_error",
		    x->idp->cfg->name, x->why);
		to_page(r, x->idp, "sso_error",
		    "the provider could not be reached");
	} else if (finish(x) == KEYS_WAIT)
		return;
	exchange_free(x);
	pgl_req_done(r);
}

/* The form of the token request; x->url and the rest set. */
static int
exchange_new(struct pgl_req *r, struct pgl_idp *idp, const json_t *flow,
    const char *code, struct exchange **out)
{
	struct exchange	*x;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return (-1);
	x->r = r;
	x->idp = idp;
	x->url = strdup(idp->token_endpoint);
	x->user = strdup(idp->cfg->client_id);
	x->secret = strdup(idp->cfg->client_secret);
	x->nonce = strdup(pgl_json_str(flow, "n"));
	if (asprintf(&x->form, "grant_type=authorization_code&code=%s&"
	    "redirect_uri=%s&code_verifier=%s", esc(r, code), esc(r,
	    pgl_json_str(flow, "r")), pgl_json_str(flow, "v")) == -1)
		x->form = NULL;
	if (x->url == NULL || x->user == NULL || x->secret == NULL ||
	    x->nonce == NULL || x->form == NULL) {
		exchange_free(x);
		return (-1);
	}
	x->w.run = exchange_run;
	x->w.done = exchange_done;
	x->w.arg = x;
	*out = x;
	return (0);
}

void
api_sso_callback(struct pgl_req *r)
{
	struct exchange	*x;
	struct pgl_idp	*idp;
	const char	*code = pgl_query(r, "code"), *state;
	json_t		*flow;

	if ((idp = sso_provider(r)) == NULL)
		return;
	if (pgl_query(r, "error") != NULL) {
		to_page(r, idp, "sso_error", pgl_query(r, "error"));
		return;
	}
	flow = flow_of(r, idp);
	state = pgl_query(r, "state");
	if (flow == NULL || code == NULL || state == NULL ||
	    strcmp(state, pgl_json_str(flow, "s")) != 0 ||
	    idp->token_endpoint == NULL) {
		json_decref(flow);
		to_page(r, idp, "sso_error", "this sign-in is not the one "
		    "started here, or it took too long: start again");
		return;
	}
	if (exchange_new(r, idp, flow, code, &x) == -1 ||
	    pgl_wpool_submit(&x->w) == -1) {
		json_decref(flow);
		pgl_reply_error(r, 503, "cannot reach the provider now");
		return;
	}
	json_decref(flow);
	pgl_req_pend(r);
}

/* The code's UUID in the token table: its first use claims it. */
static int
claim_code(struct pgl_req *r, const char *code, int64_t exp)
{
	struct pgl_token	 t;
	struct pgl_err		 err;
	unsigned char		 md[32];
	unsigned int		 len = 0;
	char			 id[PGL_UUID_LEN + 1];

	if (EVP_Digest(code, strlen(code), md, &len, EVP_sha256(), NULL) != 1)
		return (-1);
	md[6] = (md[6] & 0x0f) | 0x50;
	md[8] = (md[8] & 0x3f) | 0x80;
	(void)snprintf(id, sizeof(id), "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", md[0], md[1], md[2], md[3],
	    md[4], md[5], md[6], md[7], md[8], md[9], md[10], md[11], md[12],
	    md[13], md[14], md[15]);
	t = (struct pgl_token){ id, NULL, id, exp * 1000, "{\"kind\":"
	    "\"sso-code\"}" };
	if (STORE(store_token, &t, &err) == PGL_OK)
		return (0);
	if (err.code == PGL_EEXISTS)
		pgl_reply_error(r, 400, "this sign-in code was used already");
	else
		pgl_reply_store_error(r, &err);
	return (-1);
}

void
api_sso_exchange(struct pgl_req *r)
{
	json_t	*c;

	if (pgl_req_body(r, exchange_fields) == -1)
		return;
	c = unseal_json(PGL_SSO_CODE, pgl_json_str(r->body, "code"));
	if (c == NULL || pgl_json_str(c, "t") == NULL) {
		json_decref(c);
		pgl_reply_error(r, 400, "invalid or expired sign-in code");
		return;
	}
	if (claim_code(r, pgl_json_str(r->body, "code"),
	    json_integer_value(json_object_get(c, "e"))) == 0) {
		pgl_set_header(r, "cache-control", "no-store");
		pgl_reply_json(r, 200, json_pack("{s:s,s:s,s:s}", "token",
		    pgl_json_str(c, "t"), "token_type", "Bearer",
		    "expires-at", api_rfc3339(r->arena,
		    json_integer_value(json_object_get(c, "x")))));
	}
	json_decref(c);
}
