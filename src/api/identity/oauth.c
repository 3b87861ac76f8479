/*
 * OAuth2 client credentials (RFC 6749 §4.4) for Iceberg clients: the
 * service user's id is the client id and its API key the secret
 * (PyIceberg `credential=<client_id>:<secret>`).  The answer is a bearer
 * session token for the service user, recorded like a login's, so it can
 * be revoked.  Served at the Iceberg spec's unprefixed /v1/oauth/tokens,
 * which clients call before they know a prefix, and at the prefixed
 * aliases of pangolin-api.md §1.2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/identity/identity.h"
#include "app/app.h"
#include "auth/apikey.h"
#include "auth/principal.h"
#include "util/arena.h"
#include "util/json.h"
#include "http/router.h"
#include "util/names.h"

#define TOKEN_TTL	3600
#define FORM_MAX	4096

struct form {
	const char	*grant_type, *client_id, *client_secret, *scope;
};

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

/* One form field: known names once each, values percent-decoded. */
static const char *
form_field(struct pgl_arena *a, struct form *f, char *pair)
{
	const char	**slot;
	char		 *eq = strchr(pair, '='), *p;

	if (eq == NULL)
		return ("a form field without '='");
	*eq = '\0';
	if (strcmp(pair, "grant_type") == 0)
		slot = &f->grant_type;
	else if (strcmp(pair, "client_id") == 0)
		slot = &f->client_id;
	else if (strcmp(pair, "client_secret") == 0)
		slot = &f->client_secret;
	else if (strcmp(pair, "scope") == 0)
		slot = &f->scope;
	else
		return ("unknown form field");
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
		return ("a form body of 1 to 4096 bytes is required");
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

	if (authz == NULL)
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

void
api_oauth_token(struct pgl_req *r)
{
	struct pgl_service_user	 su;
	struct api_session	 sn;
	struct pgl_err		 err;
	struct form		 f;
	const char		*why, *role;
	char			 kid[PGL_APIKEY_ID_LEN + 1], *tok;
	char			 secret[PGL_APIKEY_SECRET_LEN + 1];
	json_t			*doc;
	int64_t			 exp;
	int			 rc;

	if ((why = form_parse(r, &f)) != NULL ||
	    (why = basic_client(r, &f)) != NULL) {
		oauth_error(r, 400, "invalid_request", why);
		return;
	}
	if (f.grant_type == NULL || f.client_id == NULL ||
	    f.client_secret == NULL) {
		oauth_error(r, 400, "invalid_request", "grant_type, client_id "
		    "and client_secret are required");
		return;
	}
	if (strcmp(f.grant_type, "client_credentials") != 0) {
		oauth_error(r, 400, "unsupported_grant_type", "only "
		    "client_credentials is supported");
		return;
	}
	rc = pgl_apikey_parse(f.client_secret, kid, secret) == -1 ?
	    PGL_ENOTFOUND : STORE(get_service_user_by_key_id, r->arena, kid,
	    &su, &err);
	if (rc != PGL_OK && rc != PGL_ENOTFOUND) {
		pgl_reply_store_error(r, &err);
		return;
	}
	/* One answer for every way the client can be wrong. */
	if (rc != PGL_OK || strcmp(su.id, f.client_id) != 0 ||
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
	if (api_session_new(r, &sn, &tok, &exp) == -1)
		return;
	pgl_set_header(r, "cache-control", "no-store");
	pgl_reply_json(r, 200, json_pack("{s:s,s:s,s:i,s:s}", "access_token",
	    tok, "token_type", "bearer", "expires_in", sn.ttl_secs,
	    "issued_token_type", "urn:ietf:params:oauth:token-type:"
	    "access_token"));
	free(tok);
}
