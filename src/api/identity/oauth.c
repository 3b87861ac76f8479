/*
 * OAuth2 client credentials (RFC 6749 §4.4) for Iceberg clients: the
 * service user's id is the client id and its API key the secret
 * (PyIceberg `credential=<client_id>:<secret>`).  The answer is a bearer
 * session token for the service user, recorded like a login's, so it can
 * be revoked.  Served at the Iceberg spec's unprefixed /v1/oauth/tokens,
 * which clients call before they know a prefix, and at the prefixed
 * aliases of pangolin-api.md §1.2.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/identity/identity.h"
#include "app/app.h"
#include "api/gate.h"
#include "auth/apikey.h"
#include "auth/oidc_token.h"
#include "auth/principal.h"
#include "util/arena.h"
#include "util/json.h"
#include "http/router.h"
#include "util/names.h"

#define TOKEN_TTL	3600
#define FORM_MAX	(PGL_OIDC_TOKEN_MAX + 4096)

struct form {
	const char	*grant_type, *client_id, *client_secret, *scope;
	/* RFC 8693 token exchange */
	const char	*subject_token, *subject_token_type;
	const char	*requested_token_type, *actor_token;
	const char	*actor_token_type, *audience, *resource;
};

static void	grant(struct pgl_req *, const struct api_session *);

#define TOKEN_EXCHANGE	"urn:ietf:params:oauth:grant-type:token-exchange"
#define TYPE_PREFIX	"urn:ietf:params:oauth:token-type:"

/* The form's fields by name: each known once. */
static const char **
form_slot(struct form *f, const char *name)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} fields[] = {
#define F(n)	{ #n, offsetof(struct form, n) }
		F(grant_type), F(client_id), F(client_secret), F(scope),
		F(subject_token), F(subject_token_type),
		F(requested_token_type), F(actor_token), F(actor_token_type),
		F(audience), F(resource),
#undef F
	};
	size_t	i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strcmp(fields[i].name, name) == 0)
			return ((const char **)(void *)((char *)f +
			    fields[i].off));
	}
	return (NULL);
}

/* RFC 6749 §5.2: {"error": code, "error_description": text}. */
static void
oauth_error(struct pgl_req *r, int status, const char *code,
    const char *text)
{
	if (status == 401)
		pgl_set_header(r, "www-authenticate", "Basic realm=\"pangolin\"");
	pgl_set_header(r, "cache-control", "no-store");
	pgl_reply_json(r, status, json_pack("{s:s,s:s}", "error", code,
	    "error_description", text));
}

/*
 * One form field: known names once each, values percent-decoded.  RFC
 * 6749 §3.2: a field without a value is as if it were not sent, and one
 * the server does not know is ignored (a client's extension, say).
 */
static const char *
form_field(struct pgl_arena *a, struct form *f, char *pair)
{
	const char	**slot;
	char		 *eq = strchr(pair, '='), *p;

	if (eq == NULL)
		return ("a form field without '='");
	*eq = '\0';
	if ((slot = form_slot(f, pair)) == NULL || eq[1] == '\0')
		return (NULL);
	if (*slot != NULL)
		return ("a form field given twice");
	for (p = eq + 1; *p != '\0'; p++) {
		if (*p == '+')
			*p = ' ';
	}
	if (pgl_url_decode(eq + 1) == -1 ||
	    !pgl_utf8_valid(eq + 1, strlen(eq + 1)))
		return ("a form value that is not valid percent-encoded UTF-8");
	*slot = pgl_arena_strdup(a, eq + 1);
	return (NULL);
}

static const char *
form_parse(struct pgl_req *r, struct form *f)
{
	const char	*body, *why, *ct = pgl_header(r, "content-type");
	char		*copy, *pair, *next;
	size_t		 len;

	memset(f, 0, sizeof(*f));
	if (ct == NULL || strncasecmp(ct, "application/x-www-form-urlencoded",
	    33) != 0)
		return ("the body must be application/x-www-form-urlencoded");
	body = pgl_req_body_raw(r, &len);
	if (len == 0 || len > FORM_MAX || memchr(body, '\0', len) != NULL)
		return ("a form body of 1 to 20480 bytes is required");
	copy = pgl_arena_strndup(r->arena, body, len);
	for (pair = copy; pair != NULL; pair = next) {
		if ((next = strchr(pair, '&')) != NULL)
			*next++ = '\0';
		if ((why = form_field(r->arena, f, pair)) != NULL)
			return (why);
	}
	return (NULL);
}

/* One client_secret_basic part: form-urlencoded (RFC 6749 §2.3.1). */
static const char *
basic_part(struct pgl_arena *a, char *s)
{
	char	*p;

	for (p = s; *p != '\0'; p++) {
		if (*p == '+')
			*p = ' ';
	}
	if (pgl_url_decode(s) == -1 || !pgl_utf8_valid(s, strlen(s)))
		return (NULL);
	return (pgl_arena_strdup(a, s));
}

/*
 * client_secret_basic (RFC 6749 §2.3.1, what PyIceberg's oauth2 auth
 * sends): Authorization: Basic base64(urlencode(id):urlencode(secret)).
 * Fills the form's client_id and client_secret; the form may carry them
 * too only with the same values.  NULL, or why not.
 */
static const char *
basic_client(struct pgl_req *r, struct form *f)
{
	const char	*authz = pgl_header(r, "authorization"), *id, *secret;
	char		 buf[512], *colon;

	/* A bearer is the caller's own token: what an Iceberg client
	 * sends with a token exchange, whose subject_token is what counts. */
	if (authz == NULL || (strncasecmp(authz, "Bearer ", 7) == 0 &&
	    f->grant_type != NULL && strcmp(f->grant_type, TOKEN_EXCHANGE) ==
	    0))
		return (NULL);
	if (strncasecmp(authz, "Basic ", 6) != 0)
		return ("the Authorization header must be Basic client "
		    "credentials");
	if (pgl_base64_decode(authz + 6, buf, sizeof(buf)) == -1 ||
	    (colon = strchr(buf, ':')) == NULL) {
		explicit_bzero(buf, sizeof(buf));
		return ("malformed Basic client credentials");
	}
	*colon = '\0';
	id = basic_part(r->arena, buf);
	secret = basic_part(r->arena, colon + 1);
	explicit_bzero(buf, sizeof(buf));
	if (id == NULL || secret == NULL)
		return ("malformed Basic client credentials");
	if ((f->client_id != NULL && strcmp(f->client_id, id) != 0) ||
	    (f->client_secret != NULL && strcmp(f->client_secret, secret) != 0))
		return ("client credentials in both the Authorization header "
		    "and the form, with different values");
	f->client_id = id;
	f->client_secret = secret;
	return (NULL);
}

/* client_credentials: a service user's id and API key. */
static void
client_credentials(struct pgl_req *r, const struct form *f)
{
	struct pgl_service_user	 su;
	struct api_session	 sn;
	struct pgl_err		 err;
	const char		*role;
	char			 kid[PGL_APIKEY_ID_LEN + 1];
	char			 secret[PGL_APIKEY_SECRET_LEN + 1];
	json_t			*doc;
	int			 rc;

	if (f->client_id == NULL || f->client_secret == NULL) {
		oauth_error(r, 400, "invalid_request", "client_id and "
		    "client_secret are required");
		return;
	}
	rc = pgl_apikey_parse(f->client_secret, kid, secret) == -1 ?
	    PGL_ENOTFOUND : STORE(get_service_user_by_key_id, r->arena, kid,
	    &su, &err);
	if (rc != PGL_OK && rc != PGL_ENOTFOUND) {
		pgl_reply_store_error(r, &err);
		return;
	}
	/* One answer for every way the client can be wrong. */
	if (rc != PGL_OK || strcmp(su.id, f->client_id) != 0 ||
	    !pgl_apikey_verify(secret, su.api_key_hash) || !su.active ||
	    (su.expires_at_ms != 0 && su.expires_at_ms <= pgl_now_ms())) {
		oauth_error(r, 401, "invalid_client", "client authentication "
		    "failed");
		return;
	}
	doc = pgl_json_load_or(su.doc, json_object());
	role = pgl_json_str(doc, "role");
	role = pgl_arena_strdup(r->arena, role != NULL ? role : "tenant-user");
	json_decref(doc);
	/* The session is the key's: it ends no later than the key, and dies
	 * with the key's rotation or its service user (api_owner_revoke). */
	sn = (struct api_session){ su.id, su.name, su.tenant_id, role, su.id,
	    kid, TOKEN_TTL };
	if (su.expires_at_ms != 0 && (su.expires_at_ms - pgl_now_ms()) / 1000 <
	    TOKEN_TTL)
		sn.ttl_secs = (int)((su.expires_at_ms - pgl_now_ms()) / 1000);
	grant(r, &sn);
}

/* Sign the session and answer with it (RFC 6749 §5.1, RFC 8693 §2.2). */
static void
grant(struct pgl_req *r, const struct api_session *sn)
{
	char	*tok;
	int64_t	 exp;

	if (api_session_new(r, sn, &tok, &exp) == -1)
		return;
	pgl_set_header(r, "cache-control", "no-store");
	pgl_reply_json(r, 200, json_pack("{s:s,s:s,s:i,s:s}", "access_token",
	    tok, "token_type", "bearer", "expires_in", sn->ttl_secs,
	    "issued_token_type", TYPE_PREFIX "access_token"));
	free(tok);
}

/* The exchanged session ends no later than the token given for it. */
static int
ttl_until(int64_t exp)
{
	int64_t	left = exp - pgl_now_ms() / 1000;
	int	ttl = pgl_app.cfg->auth.session_ttl_secs;

	if (exp > 0 && left < ttl)
		ttl = left > 1 ? (int)left : 1;
	return (ttl);
}

/* The request waited for a provider's keys: exchange again. */
static void
exchange_resume(struct pgl_req *r)
{
	r->pending = 0;
	if (!r->gone)
		api_oauth_token(r);
	else
		pgl_reply_error(r, 503, "the client left");
	if (!r->pending)
		pgl_req_done(r);
}

/* Which token types may be exchanged, and for what. */
static const char *
exchange_types(const struct form *f)
{
	const char	*t = f->subject_token_type;

	if (f->subject_token == NULL || t == NULL)
		return ("subject_token and subject_token_type are required");
	if (strcmp(t, TYPE_PREFIX "access_token") != 0 &&
	    strcmp(t, TYPE_PREFIX "id_token") != 0 &&
	    strcmp(t, TYPE_PREFIX "jwt") != 0)
		return ("subject_token_type must be an access_token, id_token "
		    "or jwt");
	if (f->actor_token != NULL || f->actor_token_type != NULL)
		return ("actor tokens are not supported");
	if (f->requested_token_type != NULL &&
	    strcmp(f->requested_token_type, TYPE_PREFIX "access_token") != 0)
		return ("only an access_token can be issued");
	return (NULL);
}

/*
 * RFC 8693 token exchange: an identity provider's token (or one of our
 * own sessions, which Iceberg clients exchange to refresh) for a session
 * of the caller it names.
 */
static void
token_exchange(struct pgl_req *r, const struct form *f)
{
	struct api_session	 sn;
	struct pgl_idp		*idp;
	const char		*why, *authz;
	int			 rc;

	if ((why = exchange_types(f)) != NULL) {
		oauth_error(r, 400, "invalid_request", why);
		return;
	}
	if ((idp = api_external_provider(f->subject_token)) != NULL)
		rc = api_external_identify(r, idp, f->subject_token, &why,
		    exchange_resume);
	else {
		authz = pgl_arena_printf(r->arena, "Bearer %s",
		    f->subject_token);
		rc = pgl_auth_resolve(pgl_app.cfg, authz, NULL, &r->who,
		    r->tenant, &why);
		if (rc == 0 && r->who.jti[0] != '\0')
			rc = api_session_alive(r, &why);
	}
	if (rc == API_AUTH_WAIT) {
		pgl_req_pend(r);
		return;
	}
	if (rc != 0) {
		oauth_error(r, rc == 503 ? 503 : 400, rc == 503 ?
		    "temporarily_unavailable" : "invalid_grant", why);
		return;
	}
	sn = (struct api_session){ r->who.user_id, r->who.username,
	    r->who.tenant_id[0] != '\0' ? r->who.tenant_id : NULL,
	    pgl_role_name(r->who.role), NULL, NULL,
	    ttl_until(r->who.expires_at) };
	api_audit(r, sn.tenant, "login", "user", r->who.user_id,
	    r->who.username, 1, NULL);
	grant(r, &sn);
}

/*
 * RFC 6749 §3.3: scope = scope-token *( SP scope-token ), each token one
 * or more of %x21 / %x23-5B / %x5D-7E.  Any well-formed scope is granted
 * as the caller's whole access ("catalog", PyIceberg's default, is the
 * spec's one scope); what the caller may do is its grants' business.
 */
static int
scope_valid(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	int			 token = 0;

	for (; *p != '\0'; p++) {
		if (*p == ' ') {
			if (!token)
				return (0);
			token = 0;
		} else if (*p < 0x21 || *p > 0x7e || *p == '"' ||
		    *p == '\\')
			return (0);
		else
			token = 1;
	}
	return (token);
}

void
api_oauth_token(struct pgl_req *r)
{
	struct form	 f;
	const char	*why;

	if ((why = form_parse(r, &f)) != NULL ||
	    (why = basic_client(r, &f)) != NULL) {
		oauth_error(r, 400, "invalid_request", why);
		return;
	}
	if (f.scope != NULL && !scope_valid(f.scope)) {
		oauth_error(r, 400, "invalid_scope", "scope must be "
		    "space-separated tokens of printable ASCII (RFC 6749 "
		    "§3.3)");
		return;
	}
	if (f.grant_type == NULL)
		oauth_error(r, 400, "invalid_request", "grant_type is required");
	else if (strcmp(f.grant_type, "client_credentials") == 0)
		client_credentials(r, &f);
	else if (strcmp(f.grant_type, TOKEN_EXCHANGE) == 0)
		token_exchange(r, &f);
	else
		oauth_error(r, 400, "unsupported_grant_type", "grant_type must "
		    "be client_credentials or " TOKEN_EXCHANGE);
}
