/*
 * One exchange with an Azure service (azure_http.h) through a struct
 * pgl_s3 view of its origin: s3.c keeps the handles, the breakers and the
 * counts under its lock; this file sets a handle up as s3_call.c does.
 */
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "storage/azure_http.h"
#include "storage/endpoint.h"
#include "storage/s3.h"
#include "storage/s3_client.h"
#include "storage/s3xml.h"

/* What the connect-time check saw (one request). */
struct guard {
	int		 listed;	/* the endpoint's origin is allowed */
	const char	*refused;	/* the class of an address refused */
};

int
pgl_azure_http_err(struct pgl_err *err, int code, const char *name,
    const char *what, const char *detail)
{
	struct pgl_s3	s = { .name = name };

	return (pgl_s3_err(err, code, &s, what, detail));
}

/*
 * The view: its endpoint is the URL's origin, not the URL, because the
 * allow-list (pgl_s3_listed) holds origins and an emulator's URL has a
 * path; the handle cache keys on (origin, "azure", key) and the breaker
 * on the origin.  No secret goes in: the S3 code never signs.
 */
static int
view_of(const struct az_http *q, struct pgl_s3 *v, char *origin, size_t len)
{
	const char	*host, *slash;
	size_t		 n;

	if ((host = strstr(q->url, "://")) == NULL)
		return (-1);
	slash = strchr(host + 3, '/');
	n = slash != NULL ? (size_t)(slash - q->url) : strlen(q->url);
	if (n >= len)
		return (-1);
	memcpy(origin, q->url, n);
	origin[n] = '\0';
	memset(v, 0, sizeof(*v));
	v->endpoint = origin;
	v->region = "azure";
	v->access_key = q->key != NULL ? q->key : "";
	v->secret_key = "";
	v->path_style = 1;
	v->name = q->name;
	return (0);
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

static void
set_options(CURL *h, const struct az_http *q, struct curl_slist *hdrs,
    struct guard *g, struct az_response *r)
{
	(void)curl_easy_setopt(h, CURLOPT_URL, q->url);
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
	/* The operator's CA bundle ([storage] ca_file), alone. */
	if (pgl_s3_ca_file() != NULL) {
		(void)curl_easy_setopt(h, CURLOPT_CAINFO, pgl_s3_ca_file());
		(void)curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
	}
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
perform(const struct az_http *q, const struct pgl_s3 *v,
    struct az_response *r, struct pgl_err *err)
{
	struct s3_client	*kept;
	CURL			*h;
	struct curl_slist	*hdrs = NULL, *more;
	struct guard		 g = { 0, NULL };
	char			 line[256], what[96];
	long			 conns = 0;
	CURLcode		 rc;
	size_t			 i;

	for (i = 0; i < q->nheaders; i++) {
		if ((more = curl_slist_append(hdrs, q->headers[i])) == NULL) {
			curl_slist_free_all(hdrs);
			return (pgl_azure_http_err(err, PGL_ENOMEM, q->name,
			    "out of memory", NULL));
		}
		hdrs = more;
	}
	(void)snprintf(what, sizeof(what), "no %s client", q->service);
	if ((h = pgl_s3_client_take(v, &kept)) == NULL) {
		curl_slist_free_all(hdrs);
		return (pgl_azure_http_err(err, PGL_EUNAVAIL, q->name, what,
		    NULL));
	}
	curl_easy_reset(h);
	g.listed = q->configured && pgl_s3_listed(v);
	/* Room for an error body too; a Get checks its own limit after. */
	r->body.max = q->max > 64 * 1024 ? q->max : 64 * 1024;
	set_options(h, q, hdrs, &g, r);
	rc = curl_easy_perform(h);
	curl_slist_free_all(hdrs);
	if (curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &conns) != CURLE_OK)
		conns = 0;
	if (rc == CURLE_OK)
		(void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	pgl_s3_client_give(h, kept, 1, conns);
	if (rc == CURLE_OK || r->body.too_big)
		return (PGL_OK);
	free(r->body.data);
	r->body.data = NULL;
	if (g.refused != NULL) {
		r->refused = 1;
		(void)snprintf(line, sizeof(line), "its address is %s and its "
		    "origin is not in [storage] allowed_endpoints", g.refused);
		return (pgl_azure_http_err(err, PGL_EUNAVAIL, q->name,
		    "endpoint refused", line));
	}
	(void)snprintf(what, sizeof(what), "%s did not answer", q->service);
	return (pgl_azure_http_err(err, PGL_EUNAVAIL, q->name, what,
	    curl_easy_strerror(rc)));
}

int
pgl_azure_http(const struct az_http *q, struct az_response *r,
    struct pgl_err *err)
{
	struct pgl_s3		 v;
	struct s3_endpoint	*ep = NULL;
	enum pgl_breaker_admit	 how = PGL_BREAKER_GO;
	char			 origin[256];
	int			 rc;

	memset(r, 0, sizeof(*r));
	if (view_of(q, &v, origin, sizeof(origin)) == -1)
		return (pgl_azure_http_err(err, PGL_EINVAL, q->name, "not a "
		    "URL", NULL));
	if ((rc = pgl_s3_call_begin(&v, 0, &ep, &how, err)) != PGL_OK)
		return (rc);
	rc = perform(q, &v, r, err);
	/* No answer in time, no connection, or the service's own failure:
	 * what opens the breaker.  A refusal of ours (address) is not. */
	pgl_s3_call_end(ep, how, (rc == PGL_EUNAVAIL && !r->refused) ||
	    (rc == PGL_OK && r->status >= 500));
	return (rc);
}
