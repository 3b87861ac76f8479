/*
 * An Iceberg call on a federated catalog's remote, as a pool job (or the
 * sync task) makes it (fed.h): the remote's /v1/config first, for the
 * prefix it asks its clients to use (kept config_ttl_secs), then the
 * call under {uri}/v1/{prefix}/, signed in with the catalog's own
 * credentials.  An OAuth2 token (client credentials) is kept until
 * shortly before it expires and taken anew, with one retry of the call,
 * when the remote refuses it (401).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "api/federation/fed.h"
#include "app/app.h"

/* A header line (malloc'd): "Name: value". */
static char *
line(const char *name, const char *value)
{
	char	*s;

	return (asprintf(&s, "%s: %s", name, value) == -1 ? NULL : s);
}

/* "Authorization: Basic base64(user:password)", malloc'd. */
static char *
basic_line(const char *user, const char *password)
{
	char		*pair, *out = NULL;
	unsigned char	*b64;
	size_t		 n;

	if (asprintf(&pair, "%s:%s", user, password) == -1)
		return (NULL);
	n = strlen(pair);
	if ((b64 = malloc(4 * ((n + 2) / 3) + 1)) != NULL) {
		(void)EVP_EncodeBlock(b64, (unsigned char *)pair, (int)n);
		if (asprintf(&out, "Authorization: Basic %s", b64) == -1)
			out = NULL;
		explicit_bzero(b64, strlen((char *)b64));
		free(b64);
	}
	explicit_bzero(pair, n);
	free(pair);
	return (out);
}

/*
 * The token endpoint refused us: its status and our words.  Nothing of
 * its answer is quoted (docs/security.md): a remote's text never reaches
 * our callers.
 */
static void
token_refused(struct fed_answer *a)
{
	long	status = a->status;

	if (a->body != NULL)
		explicit_bzero(a->body, a->len);
	fed_answer_free(a);
	a->status = 0;
	a->fail = FED_FAIL_AUTH;
	(void)snprintf(a->why, sizeof(a->why), "its token endpoint refused "
	    "the configured credential (HTTP %ld)", status);
}

/* A new OAuth2 token (client credentials), kept in the session. */
static int
fetch_token(const struct fed_conf *f, char **token, struct fed_answer *a)
{
	const char	*hdrs[] = { "Content-Type: application/x-www-form-"
			    "urlencoded", "Accept: application/json", NULL };
	char		*id = fed_escape(f->client_id, 0);
	char		*secret = fed_escape(f->client_secret, 0);
	char		*scope = fed_escape(f->scope, 0), *form = NULL;
	struct fed_http	 q = { "POST", f->token_uri, hdrs, NULL, 0,
			    f->token_listed };
	json_t		*j;
	const char	*tok;
	int		 rc = -1;

	if (id != NULL && secret != NULL && scope != NULL &&
	    asprintf(&form, "grant_type=client_credentials%s%s&client_secret="
	    "%s&scope=%s", *id != '\0' ? "&client_id=" : "", id, secret,
	    scope) == -1)
		form = NULL;
	free(id);
	free(scope);
	if (secret != NULL)
		explicit_bzero(secret, strlen(secret));
	free(secret);
	if (form == NULL) {
		a->fail = FED_FAIL_CONNECT;
		(void)snprintf(a->why, sizeof(a->why), "out of memory");
		return (-1);
	}
	q.body = form;
	q.len = strlen(form);
	if (fed_http(&q, a) == 0 && a->status != 200)
		token_refused(a);
	else if (a->status == 200) {
		j = json_loads(a->body != NULL ? a->body : "", 0, NULL);
		if ((tok = json_string_value(json_object_get(j,
		    "access_token"))) != NULL && (*token = strdup(tok)) !=
		    NULL) {
			fed_session_put_token(f->key, tok, json_integer_value(
			    json_object_get(j, "expires_in")));
			rc = 0;
		} else
			token_refused(a);
		json_decref(j);
		/* The answer held the token: not left in freed memory. */
		if (a->body != NULL)
			explicit_bzero(a->body, a->len);
		fed_answer_free(a);
	}
	explicit_bzero(form, strlen(form));
	free(form);
	return (rc);
}

/*
 * Our sign-in header into *out (NULL: none); for OAuth the token used
 * into *used (the session's, unless fresh or none is kept).
 */
static int
sign_in(const struct fed_conf *f, int fresh, char **out, char **used,
    struct fed_answer *a)
{
	*out = *used = NULL;
	switch (f->auth) {
	case FED_AUTH_NONE:
		return (0);
	case FED_AUTH_BEARER:
		if (asprintf(out, "Authorization: Bearer %s", f->token) == -1)
			*out = NULL;
		break;
	case FED_AUTH_BASIC:
		*out = basic_line(f->user, f->password);
		break;
	case FED_AUTH_APIKEY:
		*out = line(f->api_key_header, f->api_key);
		break;
	case FED_AUTH_OAUTH:
		if ((fresh || (*used = fed_session_token(f->key)) == NULL) &&
		    fetch_token(f, used, a) == -1)
			return (-1);
		if (asprintf(out, "Authorization: Bearer %s", *used) == -1)
			*out = NULL;
		break;
	}
	if (*out != NULL)
		return (0);
	a->fail = FED_FAIL_CONNECT;
	(void)snprintf(a->why, sizeof(a->why), "out of memory");
	return (-1);
}

static void
wipe(char *s)
{
	if (s != NULL)
		explicit_bzero(s, strlen(s));
	free(s);
}

/*
 * One exchange signed in: headers (NULL-ended, without ours) and our
 * sign-in; a refused OAuth token is taken anew and the call made once
 * more.
 */
static int
signed_call(const struct fed_conf *f, const char *method, const char *url,
    const char *const *headers, const void *body, size_t len,
    struct fed_answer *a)
{
	const char	*all[24];
	struct fed_http	 q = { method, url, all, body, len, f->listed };
	char		*auth, *used;
	size_t		 n = 0;
	int		 rc, fresh = 0;

	for (;;) {
		if (sign_in(f, fresh, &auth, &used, a) == -1)
			return (-1);
		for (n = 0; headers != NULL && headers[n] != NULL && n < 22;
		    n++)
			all[n] = headers[n];
		if (auth != NULL)
			all[n++] = auth;
		all[n] = NULL;
		rc = fed_http(&q, a);
		wipe(auth);
		if (rc == 0 && a->status == 401 && f->auth == FED_AUTH_OAUTH &&
		    !fresh) {
			fed_session_drop_token(f->key, used);
			wipe(used);
			fed_answer_free(a);
			fresh = 1;
			continue;
		}
		wipe(used);
		return (rc);
	}
}

/*
 * A config answer that is not one: a failure naming its status only,
 * never the remote's words (docs/security.md: they could be anything,
 * and reach whoever calls the catalog).
 */
static int
not_config(struct fed_answer *a)
{
	long	status = a->status;

	if (status == 200)
		(void)snprintf(a->why, sizeof(a->why), "its /v1/config "
		    "answered HTTP 200 without a JSON object");
	else
		(void)snprintf(a->why, sizeof(a->why), "its /v1/config "
		    "answered HTTP %ld", status);
	fed_answer_free(a);
	a->status = 0;
	a->fail = status == 401 || status == 403 ? FED_FAIL_AUTH :
	    FED_FAIL_ANSWER;
	return (-1);
}

int
fed_remote_config(const struct fed_conf *f, int fresh, char **json,
    struct fed_answer *a)
{
	const char	*hdrs[] = { "Accept: application/json", NULL };
	char		*url, *wh = NULL;
	json_t		*j;
	int		 ttl = pgl_app.cfg->federation.config_ttl_secs, rc;

	memset(a, 0, sizeof(*a));
	if (!fresh && (*json = fed_session_config(f->key,
	    (int64_t)ttl * 1000)) != NULL)
		return (0);
	if ((f->warehouse != NULL && (wh = fed_escape(f->warehouse, 0)) ==
	    NULL) || asprintf(&url, "%s/v1/config%s%s", f->uri, wh != NULL ?
	    "?warehouse=" : "", wh != NULL ? wh : "") == -1) {
		free(wh);
		a->fail = FED_FAIL_CONNECT;
		(void)snprintf(a->why, sizeof(a->why), "out of memory");
		return (-1);
	}
	free(wh);
	rc = signed_call(f, "GET", url, hdrs, NULL, 0, a);
	free(url);
	if (rc == -1)
		return (-1);
	if (a->status != 200 || (j = json_loads(a->body != NULL ? a->body :
	    "", 0, NULL)) == NULL || !json_is_object(j))
		return (not_config(a));
	json_decref(j);
	*json = a->body;
	a->body = NULL;
	a->len = 0;
	if (ttl > 0)
		fed_session_put_config(f->key, *json);
	return (0);
}

char *
fed_config_prefix(const char *json)
{
	json_t		*j = json_loads(json, 0, NULL);
	const char	*p;
	char		*out = NULL;

	p = json_string_value(json_object_get(json_object_get(j, "overrides"),
	    "prefix"));
	if (p == NULL)
		p = json_string_value(json_object_get(json_object_get(j,
		    "defaults"), "prefix"));
	if (p != NULL && *p != '\0')
		out = fed_escape(p, 1);
	json_decref(j);
	return (out);
}

int
fed_remote_call(const struct fed_conf *f, const struct fed_req *q,
    struct fed_answer *a)
{
	char	*json, *prefix, *url;
	int	 rc;

	if (fed_remote_config(f, 0, &json, a) == -1)
		return (-1);
	prefix = fed_config_prefix(json);
	free(json);
	if (asprintf(&url, "%s/v1/%s%s%s%s%s", f->uri, prefix != NULL ?
	    prefix : "", prefix != NULL ? "/" : "", q->suffix,
	    q->query != NULL ? "?" : "", q->query != NULL ? q->query : "") ==
	    -1) {
		free(prefix);
		a->fail = FED_FAIL_CONNECT;
		(void)snprintf(a->why, sizeof(a->why), "out of memory");
		return (-1);
	}
	free(prefix);
	rc = signed_call(f, q->method, url, q->headers, q->body, q->len, a);
	free(url);
	return (rc);
}
