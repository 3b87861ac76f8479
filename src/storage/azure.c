/*
 * One Blob service call (azure_call.h): its URL, its headers (x-ms-date,
 * x-ms-version) and authorization (Shared Key, azure_sign.h, or an Entra
 * token, entra.h), the call itself on a handle kept by s3.c within the
 * endpoint's breaker, the connect-time check of every address
 * (endpoint.h), and what its answer means.  The S3 client's machinery is
 * reached through a struct pgl_s3 view of the warehouse (view_of).
 */
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "storage/azure.h"
#include "storage/azure_call.h"
#include "storage/azure_sign.h"
#include "storage/endpoint.h"
#include "storage/entra.h"
#include "storage/s3.h"
#include "storage/s3_call.h"
#include "storage/s3_client.h"
#include "storage/s3xml.h"

#define MAX_SENT	8		/* headers a call sends and signs */

/* What the connect-time check saw (one request). */
struct guard {
	int		 listed;	/* the endpoint's origin is allowed */
	const char	*refused;	/* the class of an address refused */
};

/* The warehouse as the S3 client's machinery sees it. */
struct view {
	struct pgl_s3	 s3;
	char		 base[512];	/* the Blob service base URL */
	char		 origin[256];	/* its scheme://host[:port] */
	const char	*path;		/* its path, "" or "/devstoreaccount1" */
};

static int	perform_call(const struct pgl_azure *, const struct view *,
		    const struct az_request *, struct az_response *,
		    struct pgl_err *);

/*
 * The view: the endpoint is the base URL's origin, not the URL, because
 * the allow-list (pgl_s3_listed) holds origins and an emulator's URL has
 * a path; the handle cache keys on (origin, "azure", account) and the
 * breaker on the origin.  No secret goes in: the S3 code never signs.
 */
static int
view_of(const struct pgl_azure *a, struct view *v)
{
	const char	*host, *slash;
	size_t		 n;
	int		 w;

	memset(v, 0, sizeof(*v));
	if (a->endpoint != NULL)
		w = snprintf(v->base, sizeof(v->base), "%s", a->endpoint);
	else
		w = snprintf(v->base, sizeof(v->base),
		    "https://%s.blob.core.windows.net", a->account);
	if (w < 0 || (size_t)w >= sizeof(v->base) ||
	    (host = strstr(v->base, "://")) == NULL)
		return (-1);
	/* "No trailing '/'", but an operator may write one. */
	for (n = strlen(v->base); n > 0 && v->base[n - 1] == '/'; n--)
		v->base[n - 1] = '\0';
	slash = strchr(host + 3, '/');
	n = slash != NULL ? (size_t)(slash - v->base) : strlen(v->base);
	if (n >= sizeof(v->origin))
		return (-1);
	memcpy(v->origin, v->base, n);
	v->origin[n] = '\0';
	v->path = v->base + n;
	v->s3.endpoint = v->origin;
	v->s3.region = "azure";
	v->s3.bucket = a->container;
	v->s3.access_key = a->account;
	v->s3.secret_key = "";
	v->s3.path_style = 1;
	v->s3.name = a->name;
	return (0);
}

int
pgl_azure_err(struct pgl_err *err, int code, const struct pgl_azure *a,
    const char *what, const char *detail)
{
	struct pgl_s3	s = { .name = a->name };

	return (pgl_s3_err(err, code, &s, what, detail));
}

static int
path_of(const struct pgl_azure *a, const struct view *v, const char *blob,
    char *out, size_t len)
{
	char	enc[3 * AZ_NAME_MAX + 1];
	int	n;

	if (blob == NULL)
		n = snprintf(out, len, "%s/%s", v->path, a->container);
	else {
		if (*blob == '\0' || strlen(blob) > AZ_NAME_MAX)
			return (-1);
		/* Each segment encoded, '/' kept: the name Azure stores is
		 * the decoded path, and the signature covers it as sent. */
		pgl_s3_encode(enc, sizeof(enc), blob, 1);
		n = snprintf(out, len, "%s/%s/%s", v->path, a->container, enc);
	}
	return (n < 0 || (size_t)n >= len ? -1 : 0);
}

int
pgl_azure_path(const struct pgl_azure *a, const char *blob, char *out,
    size_t len)
{
	struct view	v;

	if (view_of(a, &v) == -1)
		return (-1);
	return (path_of(a, &v, blob, out, len));
}

void
pgl_azure_date(char out[32])
{
	time_t		now = time(NULL);
	struct tm	tm;

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(out, 32, "%a, %d %b %Y %H:%M:%S GMT", &tm) == 0)
		out[0] = '\0';
}

int
pgl_azure_authorize(const struct pgl_azure *a, const struct pgl_azure_signed *q,
    char *out, size_t len, struct pgl_err *err)
{
	char	token[AZ_AUTH_MAX - 16];
	int	rc, n;

	if (a->account_key != NULL) {
		if (pgl_azure_shared_key(a->account, a->account_key, q, out,
		    len) == -1)
			return (pgl_azure_err(err, PGL_EINVAL, a, "cannot sign "
			    "for Azure", "the account key is not base64"));
		return (PGL_OK);
	}
	if ((rc = pgl_entra_token(a, token, sizeof(token), err)) != PGL_OK)
		return (rc);
	n = snprintf(out, len, "Bearer %s", token);
	if (n < 0 || (size_t)n >= len)
		return (pgl_azure_err(err, PGL_EINVAL, a, "Entra token too "
		    "long", NULL));
	return (PGL_OK);
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct az_body	*b = arg;
	size_t		 len = size * n;
	char		*grown;

	if (b->len + len > b->max) {
		b->too_big = 1;
		return (0);
	}
	if ((grown = realloc(b->data, b->len + len + 1)) == NULL)
		return (0);
	b->data = grown;
	memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
	return (len);
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct az_response	*r = arg;
	size_t			 len = size * n, c;
	char			 line[256];
	struct tm		 tm;

	if (len >= sizeof(line))
		return (len);
	memcpy(line, p, len);
	line[len] = '\0';
	if (strncasecmp(line, "content-length:", 15) == 0)
		r->length = strtoull(line + 15, NULL, 10);
	else if (strncasecmp(line, "last-modified:", 14) == 0) {
		memset(&tm, 0, sizeof(tm));
		if (strptime(line + 14, " %a, %d %b %Y %H:%M:%S GMT", &tm) !=
		    NULL)
			r->mtime = (int64_t)timegm(&tm);
	} else if (strncasecmp(line, "x-ms-error-code:", 16) == 0) {
		p = line + 16 + strspn(line + 16, " ");
		c = strcspn(p, "\r\n");
		/* Only a code that looks like one reaches a message. */
		if (pgl_xml_code_ok(p, c))
			(void)snprintf(r->code, sizeof(r->code), "%.*s",
			    (int)c, p);
	}
	return (len);
}

/* As s3_call.c's: an address the operator did not allow is never
 * connected to, whatever the name resolved to before (DNS rebinding). */
static curl_socket_t
open_checked(void *arg, curlsocktype purpose, struct curl_sockaddr *sa)
{
	struct guard	*g = arg;
	const char	*why;

	(void)purpose;
	if (!g->listed && (why = pgl_addr_class(&sa->addr)) != NULL) {
		g->refused = why;
		return (CURL_SOCKET_BAD);
	}
	return (socket(sa->family, sa->socktype | SOCK_CLOEXEC, sa->protocol));
}

int
pgl_azure_perform(const struct pgl_azure *a, const struct az_request *q,
    struct az_response *r, struct pgl_err *err)
{
	struct view		 v;
	struct s3_endpoint	*ep = NULL;
	enum pgl_breaker_admit	 how = PGL_BREAKER_GO;
	int			 rc;

	memset(r, 0, sizeof(*r));
	if (view_of(a, &v) == -1)
		return (pgl_azure_err(err, PGL_EINVAL, a, "not an Azure "
		    "endpoint", NULL));
	if ((rc = pgl_s3_call_begin(&v.s3, 0, &ep, &how, err)) != PGL_OK)
		return (rc);
	rc = perform_call(a, &v, q, r, err);
	/* No answer in time, no connection, or the store's own failure:
	 * what opens the breaker.  A refusal of ours (address) is not. */
	pgl_s3_call_end(ep, how, (rc == PGL_EUNAVAIL && !r->refused) ||
	    (rc == PGL_OK && r->status >= 500));
	return (rc);
}

/* The headers a call sends, signed as sent: curl_slist lines in hdrs. */
static int
headers_of(const struct pgl_azure *a, const struct az_request *q,
    const char *path, struct curl_slist **hdrs, struct pgl_err *err)
{
	struct pgl_azure_header	 h[MAX_SENT];
	struct pgl_azure_signed	 s = { q->method, path, q->query, h, 0 };
	char			 date[32], length[24], line[AZ_AUTH_MAX + 32];
	char			 auth[AZ_AUTH_MAX];
	size_t			 i;
	int			 body, rc;

	body = strcmp(q->method, "PUT") == 0 || strcmp(q->method, "POST") == 0;
	pgl_azure_date(date);
	h[s.nheaders++] = (struct pgl_azure_header){ "x-ms-date", date };
	h[s.nheaders++] = (struct pgl_azure_header){ "x-ms-version",
	    PGL_AZURE_VERSION };
	if (body) {
		/* libcurl sends both for a body: signed as it sends them. */
		(void)snprintf(length, sizeof(length), "%zu", q->len);
		h[s.nheaders++] = (struct pgl_azure_header){ "Content-Length",
		    length };
		h[s.nheaders++] = (struct pgl_azure_header){ "Content-Type",
		    q->content_type != NULL ? q->content_type :
		    "application/octet-stream" };
	}
	if (q->blob_type != NULL)
		h[s.nheaders++] = (struct pgl_azure_header){ "x-ms-blob-type",
		    q->blob_type };
	if (q->if_none_match != NULL)
		h[s.nheaders++] = (struct pgl_azure_header){ "If-None-Match",
		    q->if_none_match };
	if ((rc = pgl_azure_authorize(a, &s, auth, sizeof(auth), err)) !=
	    PGL_OK)
		return (rc);
	for (i = 0; i < s.nheaders; i++) {
		/* libcurl writes Content-Length itself. */
		if (strcmp(h[i].name, "Content-Length") == 0)
			continue;
		(void)snprintf(line, sizeof(line), "%s: %s", h[i].name,
		    h[i].value);
		*hdrs = curl_slist_append(*hdrs, line);
	}
	(void)snprintf(line, sizeof(line), "Authorization: %s", auth);
	*hdrs = curl_slist_append(*hdrs, line);
	/* No 100-continue round trip: a Put is small and a refusal cheap. */
	*hdrs = curl_slist_append(*hdrs, "Expect:");
	return (PGL_OK);
}

static void
set_options(CURL *h, const struct az_request *q, const char *url,
    struct curl_slist *hdrs, struct guard *g, struct az_response *r)
{
	(void)curl_easy_setopt(h, CURLOPT_URL, url);
	(void)curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	(void)curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)pgl_s3_limits()->connect_timeout_ms);
	(void)curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
	    (long)pgl_s3_limits()->timeout_ms);
	(void)curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	/* Where Azure answers is where we asked: no redirect, no proxy
	 * from the environment (it would resolve names past the check). */
	(void)curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	(void)curl_easy_setopt(h, CURLOPT_PROXY, "");
	(void)curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_checked);
	(void)curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, g);
	(void)curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	(void)curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->body);
	(void)curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	(void)curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	if (strcmp(q->method, "HEAD") == 0)
		(void)curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	else if (strcmp(q->method, "GET") != 0)
		(void)curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, q->method);
	if (strcmp(q->method, "PUT") == 0 || strcmp(q->method, "POST") == 0) {
		(void)curl_easy_setopt(h, CURLOPT_POSTFIELDS,
		    q->data != NULL ? q->data : "");
		(void)curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)q->len);
	}
	if (!pgl_s3_keeps_clients()) {
		(void)curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
		(void)curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
	}
}

static int
perform_call(const struct pgl_azure *a, const struct view *v,
    const struct az_request *q, struct az_response *r, struct pgl_err *err)
{
	struct s3_client	*kept;
	CURL			*h;
	struct curl_slist	*hdrs = NULL;
	struct guard		 g = { 0, NULL };
	char			 path[3 * AZ_NAME_MAX + 512], url[4 * AZ_NAME_MAX + 1024];
	char			 line[256];
	long			 conns = 0;
	CURLcode		 rc;
	int			 n;

	/* Room for an error body too; a Get checks its own limit after. */
	r->body.max = q->max > AZ_ERR_MAX ? q->max : AZ_ERR_MAX;
	if (path_of(a, v, q->blob, path, sizeof(path)) == -1 ||
	    (n = snprintf(url, sizeof(url), "%s%s%s%s", v->origin, path,
	    q->query != NULL ? "?" : "", q->query != NULL ? q->query : "")) <
	    0 || (size_t)n >= sizeof(url))
		return (pgl_azure_err(err, PGL_EINVAL, a, "location too long "
		    "for Azure", NULL));
	if ((n = headers_of(a, q, path, &hdrs, err)) != PGL_OK) {
		curl_slist_free_all(hdrs);
		return (n);
	}
	if ((h = pgl_s3_client_take(&v->s3, &kept)) == NULL) {
		curl_slist_free_all(hdrs);
		return (pgl_azure_err(err, PGL_EUNAVAIL, a, "no Azure client",
		    NULL));
	}
	curl_easy_reset(h);
	/* The default endpoint (Azure's) is never allowed a private
	 * address, as AWS is not (s3.c). */
	g.listed = a->endpoint != NULL && pgl_s3_listed(&v->s3);
	set_options(h, q, url, hdrs, &g, r);
	rc = curl_easy_perform(h);
	curl_slist_free_all(hdrs);
	if (curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &conns) != CURLE_OK)
		conns = 0;
	if (rc == CURLE_OK)
		(void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	pgl_s3_client_give(h, kept, 1, conns);
	if (rc != CURLE_OK && !r->body.too_big) {
		free(r->body.data);
		r->body.data = NULL;
		if (g.refused != NULL) {
			r->refused = 1;
			(void)snprintf(line, sizeof(line), "its address is %s "
			    "and its origin is not in [storage] "
			    "allowed_endpoints", g.refused);
			return (pgl_azure_err(err, PGL_EUNAVAIL, a,
			    "endpoint refused", line));
		}
		return (pgl_azure_err(err, PGL_EUNAVAIL, a, "Azure did not "
		    "answer", curl_easy_strerror(rc)));
	}
	return (PGL_OK);
}

/* Azure's error code: the x-ms-error-code header, else <Code> of the
 * body (a HEAD has none). */
static const char *
code_of(struct az_response *r, char *buf, size_t len)
{
	const char	*a, *b;

	if (r->code[0] != '\0') {
		(void)snprintf(buf, len, "%s", r->code);
		return (buf);
	}
	if (r->body.data == NULL || (a = strstr(r->body.data, "<Code>")) ==
	    NULL || (b = strstr(a, "</Code>")) == NULL)
		return (NULL);
	a += 6;
	if (!pgl_xml_code_ok(a, (size_t)(b - a)))
		return (NULL);
	(void)snprintf(buf, len, "%.*s", (int)(b - a), a);
	return (buf);
}

int
pgl_azure_failed(const struct pgl_azure *a, const char *blob,
    struct az_response *r, struct pgl_err *err)
{
	char	code[128] = "", what[AZ_NAME_MAX + 64];
	int	rc;

	(void)snprintf(what, sizeof(what), "%s (HTTP %ld)",
	    code_of(r, code, sizeof(code)) != NULL ? code : "Azure error",
	    r->status);
	/* A missing container is the warehouse's fault, not a missing
	 * blob's. */
	if (r->status == 404 && strcmp(code, "ContainerNotFound") != 0)
		rc = pgl_azure_err(err, PGL_ENOTFOUND, a, "no such blob",
		    blob != NULL ? blob : a->container);
	else if (r->status == 403 || r->status == 400 || r->status == 404 ||
	    r->status == 409)
		rc = pgl_azure_err(err, PGL_EUNAVAIL, a, "Azure refused the "
		    "request", what);
	else
		rc = pgl_azure_err(err, PGL_EUNAVAIL, a, "Azure failed", what);
	free(r->body.data);
	r->body.data = NULL;
	return (rc);
}
