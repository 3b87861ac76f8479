/*
 * A federated catalog's federated_config: {"properties": {...}}, every
 * value a string.  Checked when stored (create, update), its secrets
 * (mask.c says which) sealed like a warehouse's (warehouse_secrets.c) and
 * masked in every answer; opened into a struct fed_conf when a call
 * needs it.
 *
 * Properties read (Iceberg REST client names where there are some):
 *   uri                base URL; {uri}/v1/config is the remote's config
 *   warehouse          sent as ?warehouse= to its /v1/config
 *   token              bearer token
 *   username, password HTTP Basic
 *   api_key (x-api-key) an API key, in header api_key_header (X-API-Key)
 *   credential         OAuth2 client credentials "client_id:secret"
 *   oauth2-server-uri  token endpoint (default {uri}/v1/oauth/tokens)
 *   scope              OAuth2 scope (default "catalog")
 * Others are kept and ignored.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/federation/fed.h"
#include "api/federation/federation.h"
#include "api/storage/warehouse_secrets.h"
#include "app/app.h"
#include "storage/endpoint.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/seal.h"

#define WHERE	"federated_config.properties"

/* The key of a property, or its alias, that holds a value. */
static const char *
prop(const json_t *props, const char *key, const char *alias)
{
	const char	*v = pgl_json_str(props, key);

	if ((v == NULL || *v == '\0') && alias != NULL)
		v = pgl_json_str(props, alias);
	return (v != NULL && *v != '\0' ? v : NULL);
}

/*
 * url as http(s)://host[:port][/path]: its origin (scheme://host:port,
 * the default port written) into origin; -1 if it is not such a URL or
 * carries credentials, a query or a fragment.
 */
static int
split_url(const char *url, char *origin, size_t len)
{
	struct pgl_origin	 o;
	const char		*host, *path;
	char			 head[300];

	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return (-1);
	host = strstr(url, "://") + 3;
	path = host + strcspn(host, "/");
	if ((size_t)(path - url) >= sizeof(head) ||
	    strpbrk(url, "?#@ \\") != NULL)
		return (-1);
	(void)snprintf(head, sizeof(head), "%.*s", (int)(path - url), url);
	if (pgl_origin_parse(head, &o) == -1)
		return (-1);
	if (strchr(o.host, ':') != NULL)
		(void)snprintf(origin, len, "%s://[%s]:%u", o.scheme, o.host,
		    o.port);
	else
		(void)snprintf(origin, len, "%s://%s:%u", o.scheme, o.host,
		    o.port);
	return (0);
}

/* NULL if url may be called under the allow-list, else why not. */
static const char *
url_refused(const char *url, char *why, size_t len)
{
	const struct pgl_strlist	*allowed =
	    &pgl_app.cfg->storage.allowed_endpoints;
	char				 origin[300];
	const char			*cls;

	if (split_url(url, origin, sizeof(origin)) == -1) {
		(void)snprintf(why, len, "must be http(s)://host[:port][/path] "
		    "without credentials, query or fragment");
		return (why);
	}
	if ((cls = pgl_endpoint_check(origin, allowed->v, allowed->n)) ==
	    NULL)
		return (NULL);
	(void)snprintf(why, len, "its host is %s and its origin is not in "
	    "[storage] allowed_endpoints", cls);
	return (why);
}

static int
header_name_ok(const char *h)
{
	static const char *const banned[] = { "host", "content-length",
	    "transfer-encoding", "connection", "authorization" };
	size_t	i, n = strlen(h);

	if (n == 0 || n > 64 || strspn(h, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
		return (0);
	for (i = 0; i < sizeof(banned) / sizeof(banned[0]); i++) {
		if (strcasecmp(h, banned[i]) == 0)
			return (0);
	}
	return (1);
}

/* How many ways to sign in the properties name. */
static int
sign_ins(const json_t *p)
{
	return ((prop(p, "token", NULL) != NULL) +
	    (prop(p, "username", NULL) != NULL ||
	    prop(p, "password", NULL) != NULL) +
	    (prop(p, "api_key", "x-api-key") != NULL) +
	    (prop(p, "credential", NULL) != NULL));
}

/* Every value a string without control bytes, not sealed: 0, else -1. */
static int
values_ok(const json_t *p, char *why, size_t len)
{
	const char	*k, *s;
	json_t		*v;

	json_object_foreach((json_t *)p, k, v) {
		if (!json_is_string(v)) {
			(void)snprintf(why, len, "%s.%.64s must be a string",
			    WHERE, k);
			return (-1);
		}
		/* Every sealed value is opened for a call, whatever its key:
		 * one that does not open would fail every call. */
		if (pgl_seal_is_sealed(json_string_value(v))) {
			(void)snprintf(why, len, "%s.%.64s: values starting "
			    "with \"%s\" are reserved for sealed secrets",
			    WHERE, k, PGL_SEAL_PREFIX);
			return (-1);
		}
		for (s = json_string_value(v); *s != '\0'; s++) {
			if ((unsigned char)*s < 0x20 || *s == 0x7f) {
				(void)snprintf(why, len, "%s.%.64s holds a "
				    "control character", WHERE, k);
				return (-1);
			}
		}
	}
	return (0);
}

/* NULL if p describes a remote we may call, else why not (in why). */
static const char *
props_check(const json_t *p, char *why, size_t len)
{
	const char	*uri = prop(p, "uri", NULL), *v;
	char		 detail[160];

	if (values_ok(p, why, len) == -1)
		return (why);
	if (uri == NULL) {
		(void)snprintf(why, len, "%s.uri is required", WHERE);
		return (why);
	}
	if (url_refused(uri, detail, sizeof(detail)) != NULL) {
		(void)snprintf(why, len, "%s.uri: %s", WHERE, detail);
		return (why);
	}
	if ((v = prop(p, "oauth2-server-uri", NULL)) != NULL &&
	    url_refused(v, detail, sizeof(detail)) != NULL) {
		(void)snprintf(why, len, "%s.oauth2-server-uri: %s", WHERE,
		    detail);
		return (why);
	}
	if (sign_ins(p) > 1) {
		(void)snprintf(why, len, "%s: choose one way to sign in to the "
		    "remote: token, username and password, api_key, or "
		    "credential", WHERE);
		return (why);
	}
	if ((prop(p, "username", NULL) == NULL) !=
	    (prop(p, "password", NULL) == NULL)) {
		(void)snprintf(why, len, "%s: username and password go "
		    "together", WHERE);
		return (why);
	}
	if ((v = prop(p, "api_key_header", NULL)) != NULL &&
	    !header_name_ok(v)) {
		(void)snprintf(why, len, "%s.api_key_header must be a header "
		    "name (letters, digits, '-'), not a reserved one", WHERE);
		return (why);
	}
	return (NULL);
}

const char *
api_fed_config_prepare(struct pgl_req *r, const json_t *cfg,
    const char *stored)
{
	const json_t	*props = json_object_get(cfg, "properties");
	json_t		*copy, *out;
	const char	*text, *was = NULL;
	char		 why[320];

	if (!json_is_object(cfg) || json_object_size(cfg) != 1 ||
	    !json_is_object(props)) {
		pgl_reply_error(r, 422, "federated_config must be "
		    "{\"properties\": {...}}");
		return (NULL);
	}
	if (stored != NULL) {
		out = api_obj(stored);
		was = api_text(r->arena, json_object_get(out, "properties"));
		json_decref(out);
	}
	/* A mask sent back keeps the stored secret, checked as it will be
	 * used (a header name, a URL); new ones are sealed. */
	copy = json_deep_copy(props);
	if (fed_props_unmask(r, WHERE, copy, was) == -1) {
		json_decref(copy);
		return (NULL);
	}
	if (props_check(copy, why, sizeof(why)) != NULL) {
		json_decref(copy);
		pgl_reply_error(r, 400, "%s", why);
		return (NULL);
	}
	if (api_secrets_seal_if(r, WHERE, copy, NULL, fed_secret_key) == -1) {
		json_decref(copy);
		return (NULL);
	}
	out = json_pack("{s:o}", "properties", copy);
	text = out != NULL ? api_text(r->arena, out) : NULL;
	json_decref(out);
	if (text == NULL)
		pgl_reply_error(r, 503, "out of memory");
	return (text);
}

/* --- a remote for a call -------------------------------------------------- */

static int
dup_into(char **dst, const char *src)
{
	*dst = NULL;
	return (src != NULL && (*dst = strdup(src)) == NULL ? -1 : 0);
}

/* 64-bit FNV-1a: the stored config's text names its session entry. */
static uint64_t
fnv(const char *s)
{
	uint64_t	h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (h);
}

/* The sign-in of p into f; -1 out of memory. */
static int
fill_auth(struct fed_conf *f, const json_t *p)
{
	const char	*cred = prop(p, "credential", NULL), *colon;
	char		*id;

	if (prop(p, "token", NULL) != NULL) {
		f->auth = FED_AUTH_BEARER;
		return (dup_into(&f->token, prop(p, "token", NULL)));
	}
	if (prop(p, "username", NULL) != NULL) {
		f->auth = FED_AUTH_BASIC;
		return (dup_into(&f->user, prop(p, "username", NULL)) |
		    dup_into(&f->password, prop(p, "password", NULL)));
	}
	if (prop(p, "api_key", "x-api-key") != NULL) {
		f->auth = FED_AUTH_APIKEY;
		return (dup_into(&f->api_key, prop(p, "api_key", "x-api-key")) |
		    dup_into(&f->api_key_header, prop(p, "api_key_header",
		    NULL) != NULL ? prop(p, "api_key_header", NULL) :
		    "X-API-Key"));
	}
	if (cred == NULL)
		return (0);
	f->auth = FED_AUTH_OAUTH;
	/* "id:secret", or a secret alone (Iceberg's credential). */
	colon = strchr(cred, ':');
	if ((id = strndup(cred, colon != NULL ? (size_t)(colon - cred) :
	    0)) == NULL)
		return (-1);
	f->client_id = id;
	return (dup_into(&f->client_secret, colon != NULL ? colon + 1 : cred) |
	    dup_into(&f->scope, prop(p, "scope", NULL) != NULL ?
	    prop(p, "scope", NULL) : "catalog"));
}

/* The OAuth2 token endpoint: oauth2-server-uri, or {uri}/v1/oauth/tokens. */
static int
fill_token_uri(struct fed_conf *f, const json_t *p)
{
	const struct pgl_strlist	*allowed =
	    &pgl_app.cfg->storage.allowed_endpoints;
	const char			*v = prop(p, "oauth2-server-uri", NULL);
	char				 origin[300];

	if (f->auth != FED_AUTH_OAUTH)
		return (0);
	if (v != NULL)
		f->token_uri = strdup(v);
	else if (asprintf(&f->token_uri, "%s/v1/oauth/tokens", f->uri) == -1)
		f->token_uri = NULL;
	if (f->token_uri == NULL)
		return (-1);
	f->token_listed = split_url(f->token_uri, origin, sizeof(origin)) ==
	    0 && pgl_origin_listed(origin, allowed->v, allowed->n);
	return (0);
}

/* f from p (checked as when stored: the allow-list may have changed). */
static int
fill(struct pgl_req *r, struct fed_conf *f, const json_t *p,
    const struct pgl_catalog *c)
{
	const struct pgl_strlist	*allowed =
	    &pgl_app.cfg->storage.allowed_endpoints;
	char				 origin[300], why[320];
	size_t				 n;

	if (props_check(p, why, sizeof(why)) != NULL) {
		pgl_reply_ice_error(r, 502, "BadGatewayException", "federated "
		    "catalog '%.200s' cannot be called: %s", c->name, why);
		return (-1);
	}
	(void)split_url(prop(p, "uri", NULL), origin, sizeof(origin));
	if (dup_into(&f->catalog, c->name) == -1 ||
	    dup_into(&f->tenant, c->tenant_id != NULL ? c->tenant_id :
	    r->tenant) == -1 ||
	    dup_into(&f->uri, prop(p, "uri", NULL)) == -1 ||
	    dup_into(&f->origin, origin) == -1 ||
	    dup_into(&f->warehouse, prop(p, "warehouse", NULL)) == -1 ||
	    fill_auth(f, p) == -1 || fill_token_uri(f, p) == -1 ||
	    asprintf(&f->key, "%s|%016llx", c->id, (unsigned long long)
	    fnv(c->federated_config != NULL ? c->federated_config : "")) ==
	    -1) {
		f->key = NULL;
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	/* {uri}/v1/...: one slash between them. */
	if ((n = strlen(f->uri)) > 0 && f->uri[n - 1] == '/')
		f->uri[n - 1] = '\0';
	f->listed = pgl_origin_listed(origin, allowed->v, allowed->n);
	return (0);
}

struct fed_conf *
fed_conf_load(struct pgl_req *r, const struct pgl_catalog *c)
{
	struct fed_conf	*f;
	json_t		*cfg, *props;
	const char	*text;

	cfg = api_obj(c->federated_config != NULL ? c->federated_config :
	    "{}");
	text = api_text(r->arena, json_object_get(cfg, "properties"));
	json_decref(cfg);
	/* A secret that does not open answers 500 naming it. */
	if ((props = api_secrets_open(r, WHERE, text != NULL ? text :
	    "{}")) == NULL)
		return (NULL);
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		json_decref(props);
		pgl_reply_error(r, 503, "out of memory");
		return (NULL);
	}
	if (fill(r, f, props, c) == -1) {
		fed_conf_free(f);
		f = NULL;
	}
	json_decref(props);
	return (f);
}

/* free() of a secret, wiped first: it is not left in freed memory. */
static void
wipe(char *s)
{
	if (s != NULL)
		explicit_bzero(s, strlen(s));
	free(s);
}

void
fed_conf_free(struct fed_conf *f)
{
	if (f == NULL)
		return;
	free(f->catalog);
	free(f->tenant);
	free(f->uri);
	free(f->origin);
	free(f->warehouse);
	wipe(f->token);
	free(f->user);
	wipe(f->password);
	wipe(f->api_key);
	free(f->api_key_header);
	free(f->client_id);
	wipe(f->client_secret);
	free(f->scope);
	free(f->token_uri);
	free(f->key);
	free(f);
}
