/*
 * Entra's client-credentials token (entra.h): the call to the authority's
 * token endpoint, its answer, and what this process keeps of tokens and
 * user delegation keys (entra_sas.c) between calls.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/sha.h>

#include "storage/azure.h"
#include "storage/azure_http.h"
#include "storage/entra.h"

#define ANSWER_MAX	(64 * 1024)	/* a token answer is ~2 KB */
#define FORM_MAX	4096
#define KEPT_MAX	64		/* principals x endpoints, per process */
#define TOKEN_MARGIN_MS	(300 * 1000)
#define SCOPE		"https://storage.azure.com/.default"

/* One thing kept: a token (a string) or a user delegation key. */
struct kept {
	char	*key;
	void	*value;
	size_t	 len;
	int64_t	 refresh_ms;		/* served until then */
	int64_t	 used_ms;
};

static pthread_mutex_t	 lock = PTHREAD_MUTEX_INITIALIZER;
static struct kept	 kept[KEPT_MAX];
static size_t		 nkept;

int64_t
pgl_entra_now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Under the lock. */
static void
drop(size_t i)
{
	explicit_bzero(kept[i].value, kept[i].len);
	free(kept[i].value);
	free(kept[i].key);
	kept[i] = kept[--nkept];
	memset(&kept[nkept], 0, sizeof(kept[0]));
}

int
pgl_entra_kept_get(const char *key, void *out, size_t len, int64_t now_ms)
{
	size_t	i;
	int	rc = -1;

	(void)pthread_mutex_lock(&lock);
	for (i = 0; i < nkept; i++) {
		if (strcmp(kept[i].key, key) != 0)
			continue;
		if (now_ms >= kept[i].refresh_ms)
			drop(i);
		else if (kept[i].len <= len) {
			memcpy(out, kept[i].value, kept[i].len);
			kept[i].used_ms = now_ms;
			rc = 0;
		}
		break;
	}
	(void)pthread_mutex_unlock(&lock);
	return (rc);
}

void
pgl_entra_kept_put(const char *key, const void *value, size_t len,
    int64_t refresh_ms, int64_t now_ms)
{
	struct kept	 k;
	size_t		 i, lru = 0;

	if (refresh_ms <= now_ms || (k.key = strdup(key)) == NULL)
		return;
	if ((k.value = malloc(len)) == NULL) {
		free(k.key);
		return;
	}
	memcpy(k.value, value, len);
	k.len = len;
	k.refresh_ms = refresh_ms;
	k.used_ms = now_ms;
	(void)pthread_mutex_lock(&lock);
	/* Replace the same key's; else room: a lapsed one, else the least
	 * recently used. */
	for (i = 0; i < nkept && strcmp(kept[i].key, key) != 0; i++)
		;
	if (i < nkept)
		drop(i);
	else if (nkept == KEPT_MAX) {
		for (i = 0; i < nkept; i++) {
			if (now_ms >= kept[i].refresh_ms)
				break;
			if (kept[i].used_ms < kept[lru].used_ms)
				lru = i;
		}
		drop(i < nkept ? i : lru);
	}
	kept[nkept++] = k;
	(void)pthread_mutex_unlock(&lock);
}

void
pgl_entra_forget(void)
{
	(void)pthread_mutex_lock(&lock);
	while (nkept > 0)
		drop(nkept - 1);
	(void)pthread_mutex_unlock(&lock);
}

static int
entra_err(struct pgl_err *err, int code, const struct pgl_azure *a,
    const char *what)
{
	err->code = code;
	(void)snprintf(err->msg, sizeof(err->msg), "warehouse '%.60s': Entra "
	    "%.170s", a->name != NULL ? a->name : "?", what);
	return (code);
}

/* A tenant is a GUID or a domain name: nothing that changes the path. */
static int
tenant_ok(const char *t)
{
	size_t	n = 0;

	for (; t[n] != '\0'; n++) {
		if (!isalnum((unsigned char)t[n]) && t[n] != '-' &&
		    t[n] != '.')
			return (0);
	}
	return (n > 0 && n <= 128 && t[0] != '.');
}

/*
 * The authority without a trailing '/' into url, and its origin
 * (scheme://host[:port]) into origin; -1 if it is not an http(s) URL.
 */
static int
authority_of(const struct pgl_azure *a, char *url, size_t ulen,
    char *origin, size_t olen)
{
	const char	*au = a->authority != NULL ? a->authority :
			    PGL_ENTRA_AUTHORITY, *host, *slash;
	size_t		 n = strlen(au);

	while (n > 0 && au[n - 1] == '/')
		n--;
	if (n >= ulen || (strncmp(au, "https://", 8) != 0 &&
	    strncmp(au, "http://", 7) != 0))
		return (-1);
	memcpy(url, au, n);
	url[n] = '\0';
	host = strstr(url, "://") + 3;
	slash = strchr(host, '/');
	n = slash != NULL ? (size_t)(slash - url) : n;
	if (n >= olen || (slash == NULL ? strlen(host) : (size_t)(slash -
	    host)) == 0)
		return (-1);
	memcpy(origin, url, n);
	origin[n] = '\0';
	return (0);
}

/*
 * The principal's key in what is kept: the authority, tenant, client and
 * a hash of the secret (a new secret is a new principal; the secret
 * itself is not kept).  -1 if the settings are missing or malformed.
 */
int
pgl_entra_principal(const struct pgl_azure *a, char *out, size_t len)
{
	unsigned char	md[SHA256_DIGEST_LENGTH];
	char		url[512], origin[300], hex[2 * SHA256_DIGEST_LENGTH + 1];
	size_t		i;
	int		n;

	if (a->tenant_id == NULL || !tenant_ok(a->tenant_id) ||
	    a->client_id == NULL || a->client_id[0] == '\0' ||
	    strlen(a->client_id) > 256 || a->client_secret == NULL ||
	    a->client_secret[0] == '\0' || authority_of(a, url, sizeof(url),
	    origin, sizeof(origin)) == -1)
		return (-1);
	SHA256((const unsigned char *)a->client_secret,
	    strlen(a->client_secret), md);
	for (i = 0; i < sizeof(md); i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", md[i]);
	n = snprintf(out, len, "%s\n%s\n%s\n%s", url, a->tenant_id,
	    a->client_id, hex);
	return (n < 0 || (size_t)n >= len ? -1 : 0);
}

/* "a=b&c=d" with each value percent-encoded; -1 if it does not fit. */
static int
form_add(char *form, size_t len, const char *key, const char *value)
{
	char	*v;
	size_t	 n = strlen(form);
	int	 w;

	if ((v = curl_easy_escape(NULL, value, 0)) == NULL)
		return (-1);
	w = snprintf(form + n, len - n, "%s%s=%s", n > 0 ? "&" : "", key, v);
	explicit_bzero(v, strlen(v));
	curl_free(v);
	return (w < 0 || (size_t)w >= len - n ? -1 : 0);
}

/* An OAuth error code ("invalid_client"): lower-case letters and '_'. */
static int
code_ok(const char *s)
{
	size_t	n;

	for (n = 0; s[n] != '\0'; n++) {
		if (!islower((unsigned char)s[n]) && s[n] != '_')
			return (0);
	}
	return (n > 0 && n <= 64);
}

/* A refusal's words: the OAuth error and Entra's AADSTS number. */
static int
refused_by(const struct pgl_azure *a, long status, json_t *doc,
    struct pgl_err *err)
{
	const char	*code = json_string_value(json_object_get(doc, "error"));
	json_t		*nums = json_object_get(doc, "error_codes");
	char		 what[160], aadsts[32] = "";

	if (code == NULL || !code_ok(code))
		code = "an error";
	if (json_is_integer(json_array_get(nums, 0)))
		(void)snprintf(aadsts, sizeof(aadsts), ", AADSTS%lld",
		    (long long)json_integer_value(json_array_get(nums, 0)));
	(void)snprintf(what, sizeof(what), "%s the token request: %s%s "
	    "(HTTP %ld)%s", status >= 500 || status == 429 ? "failed" :
	    "refused", code, aadsts, status, status >= 500 || status == 429 ?
	    "; retry after 1 s" : "");
	return (entra_err(err, PGL_EUNAVAIL, a, what));
}

/* The token of a 200 answer and when it expires; -1 if it holds none. */
static int
token_of(json_t *doc, char *out, size_t len, int64_t *lifetime_ms)
{
	const char	*t = json_string_value(json_object_get(doc,
			    "access_token"));
	json_t		*e = json_object_get(doc, "expires_in");
	long long	 secs;
	size_t		 i;

	/* v2.0 answers a number; v1.0 answered a string. */
	if (json_is_integer(e))
		secs = json_integer_value(e);
	else if (json_is_string(e))
		secs = strtoll(json_string_value(e), NULL, 10);
	else
		return (-1);
	if (t == NULL || t[0] == '\0' || strlen(t) >= len || secs <= 0 ||
	    secs > 7 * 86400)
		return (-1);
	/* A header's value: no byte that would end or split it. */
	for (i = 0; t[i] != '\0'; i++) {
		if (!isgraph((unsigned char)t[i]))
			return (-1);
	}
	memcpy(out, t, strlen(t) + 1);
	*lifetime_ms = (int64_t)secs * 1000;
	return (0);
}

/*
 * The call: a token into out and its lifetime.  The exchange is
 * azure_http.h's (the S3 client's handles, breaker per origin, timeouts
 * and address check; no redirect, which the secret would follow, and no
 * proxy from the environment).
 */
static int
fetch_token(const struct pgl_azure *a, char *out, size_t len,
    int64_t *lifetime_ms, struct pgl_err *err)
{
	static const char *const hdrs[] = {
		"Content-Type: application/x-www-form-urlencoded",
		"Accept: application/json", "Expect:" };
	struct az_http		 q;
	struct az_response	 r;
	json_t			*doc;
	char			 au[512], origin[300], url[768];
	char			 form[FORM_MAX] = "", why[200];
	const char		*w;
	int			 rc;

	(void)authority_of(a, au, sizeof(au), origin, sizeof(origin));
	if ((size_t)snprintf(url, sizeof(url), "%s/%s/oauth2/v2.0/token", au,
	    a->tenant_id) >= sizeof(url) ||
	    form_add(form, sizeof(form), "grant_type", "client_credentials") ||
	    form_add(form, sizeof(form), "client_id", a->client_id) ||
	    form_add(form, sizeof(form), "client_secret", a->client_secret) ||
	    form_add(form, sizeof(form), "scope", SCOPE)) {
		explicit_bzero(form, sizeof(form));
		return (entra_err(err, PGL_EINVAL, a, "settings too long"));
	}
	memset(&q, 0, sizeof(q));
	q.service = "Entra";
	q.name = a->name;
	q.method = "POST";
	q.url = url;
	q.key = a->client_id;
	/* Microsoft's own authority is never reached at a private address;
	 * one the warehouse names only if the operator listed it. */
	q.configured = a->authority != NULL;
	q.headers = hdrs;
	q.nheaders = sizeof(hdrs) / sizeof(hdrs[0]);
	q.data = form;
	q.len = strlen(form);
	q.max = ANSWER_MAX;
	rc = pgl_azure_http(&q, &r, err);
	explicit_bzero(form, sizeof(form));
	if (rc != PGL_OK) {
		/* Said of Entra: the words after the warehouse's. */
		if (r.refused)
			(void)snprintf(why, sizeof(why), "authority refused: %s",
			    (w = strstr(err->msg, "refused: ")) != NULL ?
			    w + 9 : "its address is not allowed");
		else if ((w = strstr(err->msg, "object store ")) != NULL)
			(void)snprintf(why, sizeof(why), "%s", w + 13);
		else
			(void)snprintf(why, sizeof(why), "%s",
			    (w = strstr(err->msg, "Entra ")) != NULL ? w + 6 :
			    "did not answer");
		return (entra_err(err, rc, a, why));
	}
	doc = r.body.data != NULL && !r.body.too_big ?
	    json_loads(r.body.data, 0, NULL) : NULL;
	if (r.body.too_big)
		rc = entra_err(err, PGL_EUNAVAIL, a, "answered more than 64 KiB "
		    "to the token request");
	else if (r.status != 200)
		rc = refused_by(a, r.status, doc, err);
	else if (doc == NULL || token_of(doc, out, len, lifetime_ms) == -1)
		rc = entra_err(err, PGL_EUNAVAIL, a, "answered no token");
	json_decref(doc);
	if (r.body.data != NULL)
		explicit_bzero(r.body.data, r.body.len);
	free(r.body.data);
	return (rc);
}

int
pgl_entra_token(const struct pgl_azure *a, char *out, size_t len,
    struct pgl_err *err)
{
	char	key[1024], token[PGL_ENTRA_TOKEN_MAX];
	int64_t	now = pgl_entra_now_ms(), life = 0, margin;
	int	rc;

	if (len > 0)
		out[0] = '\0';
	if (pgl_entra_principal(a, key, sizeof(key)) == -1)
		return (entra_err(err, PGL_EINVAL, a, "settings: tenant_id, "
		    "client_id and client_secret are needed (tenant_id a GUID "
		    "or domain)"));
	if (pgl_entra_kept_get(key, token, sizeof(token), now) == 0)
		goto found;
	if ((rc = fetch_token(a, token, sizeof(token), &life, err)) != PGL_OK)
		return (rc);
	/* Five minutes before it expires, or half its life if shorter:
	 * a request never leaves with a token about to lapse. */
	margin = life / 2 < TOKEN_MARGIN_MS ? life / 2 : TOKEN_MARGIN_MS;
	pgl_entra_kept_put(key, token, strlen(token) + 1, now + life - margin,
	    now);
found:
	if (strlen(token) >= len) {
		explicit_bzero(token, sizeof(token));
		return (entra_err(err, PGL_EINVAL, a, "token too long"));
	}
	memcpy(out, token, strlen(token) + 1);
	explicit_bzero(token, sizeof(token));
	return (PGL_OK);
}
