/*
 * One S3 call (s3_call.h): its URL (path-style or virtual-hosted), its
 * headers and SigV4 signature (by libcurl, with the payload hash it does
 * not add), the call itself on a handle kept by s3.c within the
 * endpoint's breaker, the connect-time check of every address
 * (endpoint.h), and what its answer means; and the presigned GET URL,
 * signed the same way.
 */
#include <sys/socket.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/sha.h>

#include "storage/endpoint.h"
#include "storage/s3.h"
#include "storage/s3_call.h"
#include "storage/s3_client.h"
#include "storage/s3xml.h"
#include "storage/sigv4.h"

/* What the connect-time check saw (one request). */
struct guard {
	int		 listed;	/* the endpoint's origin is allowed */
	const char	*refused;	/* the class of an address refused */
};

static int	perform_call(const struct pgl_s3 *, const struct request *,
		    struct response *, struct pgl_err *);

/* RFC 3986 unreserved bytes stay; '/' stays in a path, not in a query. */
void
pgl_s3_encode(char *out, size_t len, const char *in, int keep_slash)
{
	static const char	hex[] = "0123456789ABCDEF";
	size_t			o = 0;

	for (; *in != '\0' && o + 4 < len; in++) {
		unsigned char	c = (unsigned char)*in;

		if (isalnum(c) || c == '-' || c == '_' || c == '.' ||
		    c == '~' || (keep_slash && c == '/'))
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct body	*b = arg;
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

/* The request URL: path-style or virtual-hosted. */
static int
url_of(const struct pgl_s3 *s, const struct request *q, char *out,
    size_t len)
{
	char		 key[3 * KEY_MAX + 1];
	const char	*ep = s->endpoint, *host;
	char		 scheme[8];
	int		 n;

	if (q->root) {
		n = snprintf(out, len, "%s/", ep);
		return (ep == NULL || n < 0 || (size_t)n >= len ? -1 : 0);
	}
	if (strlen(q->key) > KEY_MAX)
		return (-1);
	pgl_s3_encode(key, sizeof(key), q->key, 1);
	if (ep == NULL || !s->path_style) {
		if (ep == NULL) {
			n = snprintf(out, len, "https://%s.s3.%s.amazonaws.com/"
			    "%s", s->bucket, s->region, key);
		} else {
			host = strstr(ep, "://");
			if (host == NULL || (size_t)(host - ep) >= sizeof(scheme))
				return (-1);
			memcpy(scheme, ep, (size_t)(host - ep));
			scheme[host - ep] = '\0';
			n = snprintf(out, len, "%s://%s.%s/%s", scheme,
			    s->bucket, host + 3, key);
		}
	} else {
		/* The bucket itself is "/bucket", not "/bucket/". */
		n = snprintf(out, len, "%s/%s%s%s", ep, s->bucket,
		    key[0] != '\0' ? "/" : "", key);
	}
	if (n < 0 || (size_t)n >= len)
		return (-1);
	if (q->query != NULL && q->query[0] != '\0' &&
	    (size_t)snprintf(out + n, len - (size_t)n, "?%s", q->query) >=
	    len - (size_t)n)
		return (-1);
	return (0);
}

/*
 * A presigned GET of one object (SigV4 query-string authentication), the
 * URL a client fetches without keys until it expires.  The key is
 * encoded as the requests this client makes encode it, so the URL names
 * exactly the object that was checked.
 */
int
pgl_s3_presign_get(const struct pgl_s3 *s, const char *key, int expires,
    time_t now, char *out, size_t len)
{
	struct request			 q = { "GET", key, NULL, NULL, 0, 0,
					    NULL, NULL, 0 };
	struct pgl_sigv4_request	 sq;
	struct pgl_sigv4_key		 k = { s->access_key, s->secret_key,
					    s->region, "s3" };
	char				 url[4 * KEY_MAX], host[512];
	char				 query[8192], date[17];
	const char			*h, *path;
	struct tm			 tm;
	size_t				 n;

	if (*key == '\0' || url_of(s, &q, url, sizeof(url)) == -1 ||
	    (h = strstr(url, "://")) == NULL)
		return (-1);
	h += 3;
	path = strchr(h, '/');
	n = path != NULL ? (size_t)(path - h) : strlen(h);
	if (path == NULL || n >= sizeof(host))
		return (-1);
	memcpy(host, h, n);
	host[n] = '\0';
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(date, sizeof(date), "%Y%m%dT%H%M%SZ", &tm) != 16)
		return (-1);
	sq = (struct pgl_sigv4_request){ "GET", host, path, "", NULL, 0, "" };
	if (pgl_sigv4_presign(&sq, &k, date, expires, s->session_token, query,
	    sizeof(query)) == -1)
		return (-1);
	n = (size_t)snprintf(out, len, "%s?%s", url, query);
	return (n >= len ? -1 : 0);
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct response	*r = arg;
	size_t		 len = size * n;
	char		 line[256];
	struct tm	 tm;

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
	}
	return (len);
}

static void
sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char	md[SHA256_DIGEST_LENGTH];
	int		i;

	SHA256(data != NULL ? data : "", len, md);
	for (i = 0; i < SHA256_DIGEST_LENGTH; i++)
		(void)snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* S3's <Code> of an error body, for the message. */
const char *
pgl_s3_error_code(struct response *r, char *buf, size_t len)
{
	const char	*a, *b;

	if (r->body.data == NULL || (a = strstr(r->body.data, "<Code>")) ==
	    NULL || (b = strstr(a, "</Code>")) == NULL)
		return (NULL);
	a += 6;
	if (!pgl_xml_code_ok(a, (size_t)(b - a)))
		return (NULL);
	(void)snprintf(buf, len, "%.*s", (int)(b - a), a);
	return (buf);
}

/*
 * Every address libcurl is about to connect to, after its own name
 * resolution: one the operator did not allow (loopback, private,
 * link-local, metadata) is never connected to, whatever the endpoint's
 * name resolved to when the warehouse was created (DNS rebinding).
 */
static curl_socket_t
open_checked(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct guard	*g = arg;
	const char	*why;

	(void)purpose;
	if (!g->listed && (why = pgl_addr_class(&a->addr)) != NULL) {
		g->refused = why;
		return (CURL_SOCKET_BAD);
	}
	return (socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol));
}

int
pgl_s3_perform(const struct pgl_s3 *s, const struct request *q,
    struct response *r, struct pgl_err *err)
{
	struct s3_endpoint		*ep = NULL;
	enum pgl_breaker_admit	 how = PGL_BREAKER_GO;
	int			 rc;

	memset(r, 0, sizeof(*r));
	if ((rc = pgl_s3_call_begin(s, 0, &ep, &how, err)) != PGL_OK)
		return (rc);
	rc = perform_call(s, q, r, err);
	/* No answer in time, no connection, or the store's own failure:
	 * what opens the breaker.  A refusal of ours (address) is not. */
	pgl_s3_call_end(ep, how, (rc == PGL_EUNAVAIL && !r->refused) ||
	    (rc == PGL_OK && r->status >= 500));
	return (rc);
}

static int
perform_call(const struct pgl_s3 *s, const struct request *q,
    struct response *r, struct pgl_err *err)
{
	struct s3_client		*kept;
	CURL			*h;
	struct curl_slist	*hdrs = NULL;
	struct guard		 g = { 0, NULL };
	char			 url[4 * KEY_MAX], sigv4[128], hash[65];
	char			 line[4200];
	long			 conns = 0;
	CURLcode		 rc;

	/* Room for an error body too; a GET checks its own limit after. */
	r->body.max = q->max > ERR_BODY_MAX ? q->max : ERR_BODY_MAX;
	if (url_of(s, q, url, sizeof(url)) == -1)
		return (pgl_s3_err(err, PGL_EINVAL, s,
		    "location too long for S3", NULL));
	h = pgl_s3_client_take(s, &kept);
	if (h == NULL)
		return (pgl_s3_err(err, PGL_EUNAVAIL, s, "no S3 client", NULL));
	curl_easy_reset(h);
	(void)snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:%s", s->region,
	    q->service != NULL ? q->service : "s3");
	sha256_hex(q->data, q->len, hash);
	(void)snprintf(line, sizeof(line), "x-amz-content-sha256: %s", hash);
	hdrs = curl_slist_append(hdrs, line);
	/* A body gets a type of our choosing: libcurl signs the header it
	 * will send, and removing one ("Content-Type:") breaks the
	 * signature (libcurl 7.88). */
	if (q->root)
		hdrs = curl_slist_append(hdrs, "Content-Type: "
		    "application/x-www-form-urlencoded; charset=utf-8");
	else if (strcmp(q->method, "PUT") == 0 ||
	    strcmp(q->method, "POST") == 0)
		hdrs = curl_slist_append(hdrs,
		    "Content-Type: application/octet-stream");
	if (q->content_md5 != NULL) {
		(void)snprintf(line, sizeof(line), "Content-MD5: %s",
		    q->content_md5);
		hdrs = curl_slist_append(hdrs, line);
	}
	if (s->session_token != NULL) {
		(void)snprintf(line, sizeof(line), "x-amz-security-token: %s",
		    s->session_token);
		hdrs = curl_slist_append(hdrs, line);
	}
	(void)curl_easy_setopt(h, CURLOPT_URL, url);
	(void)curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4);
	(void)curl_easy_setopt(h, CURLOPT_USERNAME, s->access_key);
	(void)curl_easy_setopt(h, CURLOPT_PASSWORD, s->secret_key);
	(void)curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	(void)curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)pgl_s3_limits()->connect_timeout_ms);
	(void)curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
	    (long)pgl_s3_limits()->timeout_ms);
	(void)curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	/* Where S3 answers is where we asked: no redirect, no proxy from
	 * the environment (it would resolve names past the check). */
	(void)curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	(void)curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(h, CURLOPT_PROXY, "");
	/* The operator's CA bundle ([storage] ca_file), alone. */
	if (pgl_s3_ca_file() != NULL) {
		(void)curl_easy_setopt(h, CURLOPT_CAINFO, pgl_s3_ca_file());
		(void)curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
	}
	g.listed = pgl_s3_listed(s);
	(void)curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_checked);
	(void)curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &g);
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
	/*
	 * STS's form on a connection of its own: Ceph RGW's beast sends a
	 * reused connection's answer head and body in two segments, and the
	 * body waits for our delayed ACK of the head (40 ms, seen with
	 * strace); a new connection gets both at once.  AssumeRole is made
	 * once per table and refresh (sts_cache.h), so its handshake is cheap.
	 */
	if (!pgl_s3_keeps_clients() || q->root) {
		(void)curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
		(void)curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
	}
	rc = curl_easy_perform(h);
	curl_slist_free_all(hdrs);
	if (curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &conns) != CURLE_OK)
		conns = 0;
	if (rc == CURLE_OK)
		(void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	pgl_s3_client_give(h, kept, !q->root, conns);
	if (rc != CURLE_OK && !r->body.too_big) {
		free(r->body.data);
		r->body.data = NULL;
		if (g.refused != NULL) {
			r->refused = 1;
			(void)snprintf(line, sizeof(line), "its address is %s "
			    "and its origin is not in [storage] "
			    "allowed_endpoints", g.refused);
			return (pgl_s3_err(err, PGL_EUNAVAIL, s,
			    "endpoint refused", line));
		}
		return (pgl_s3_err(err, PGL_EUNAVAIL, s, "S3 did not answer",
		    curl_easy_strerror(rc)));
	}
	return (PGL_OK);
}

/* The store code for an S3 answer that is not a success. */
int
pgl_s3_failed(const struct pgl_s3 *s, const char *key, struct response *r,
    struct pgl_err *err)
{
	char	code[128] = "", what[KEY_MAX + 64];
	int	rc;

	(void)snprintf(what, sizeof(what), "%s (HTTP %ld)",
	    pgl_s3_error_code(r, code, sizeof(code)) != NULL ? code :
	    "S3 error", r->status);
	if (r->status == 404 && strcmp(code, "NoSuchBucket") != 0)
		rc = pgl_s3_err(err, PGL_ENOTFOUND, s, "no such object", key);
	else if (r->status == 403 || r->status == 400 || r->status == 404)
		rc = pgl_s3_err(err, PGL_EUNAVAIL, s, "S3 refused the request",
		    what);
	else
		rc = pgl_s3_err(err, PGL_EUNAVAIL, s, "S3 failed", what);
	free(r->body.data);
	r->body.data = NULL;
	return (rc);
}
