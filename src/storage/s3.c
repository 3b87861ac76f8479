/*
 * The S3 client (s3.h): objects read, written, listed and deleted with
 * SigV4 over libcurl, handles kept per endpoint, every call bounded by
 * the connect and total timeouts and admitted by its endpoint's breaker
 * and in-flight cap (breaker.h), every address checked before connecting
 * (endpoint.h).  Safe on the write pool's threads: shared state is under
 * one lock.
 *
 * Over 600 lines as one file: each call takes the same path (admit,
 * handle, sign, perform, classify the failure, count), and every
 * operation is a few lines on it.
 */
#include <sys/socket.h>

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "storage/breaker.h"
#include "storage/endpoint.h"
#include "storage/fileio.h"
#include "storage/s3.h"
#include "storage/s3xml.h"
#include "storage/sigv4.h"
#include "util/str.h"

#define CLIENTS		16		/* handles kept per worker */
#define KEY_MAX		1024		/* S3's own limit on key bytes */
#define ERR_BODY_MAX	(64 * 1024)
#define LIST_BODY_MAX	(16 * 1024 * 1024)
#define ENDPOINTS	64		/* breakers kept per worker */

/*
 * One kept-alive handle per (endpoint, region, access key), used by one
 * thread at a time (busy): the worker's own and the write pool's threads
 * share the cache under the lock.  A call that finds its handle busy
 * gets one of its own for that call.
 */
struct client {
	char		 id[512];
	CURL		*h;
	int		 busy;
};

/* The breaker and in-flight count of one endpoint (breaker.h). */
struct endpoint {
	char			 origin[256];
	struct pgl_breaker	 b;
};


static pthread_mutex_t	lock = PTHREAD_MUTEX_INITIALIZER;
static struct client	clients[CLIENTS];
static size_t		nclients;
static struct endpoint	endpoints[ENDPOINTS];
static size_t		nendpoints;
static struct pgl_s3_stats totals;		/* under the lock */
static int		curl_ready;
static int		keep_clients = 1;	/* set once, before fork */
static char *const	*allowed;		/* the operator's origins, too */
static size_t		 nallowed;
/* Set once, before fork ([storage] s3_*). */
static struct pgl_s3_limits limits = { 3000, 15000, 5, 30, 4, 64 };

/* What the connect-time check saw (one request). */
struct guard {
	int		 listed;	/* the endpoint's origin is allowed */
	const char	*refused;	/* the class of an address refused */
};

struct body {
	char	*data;
	size_t	 len, max;
	int	 too_big;
};

struct request {
	const char	*method;	/* GET PUT POST DELETE HEAD */
	const char	*key;		/* "" for the bucket */
	const char	*query;		/* sorted, encoded; or NULL */
	const void	*data;
	size_t		 len;
	size_t		 max;		/* response bytes kept */
	const char	*content_md5;	/* base64, or NULL */
	const char	*service;	/* signed for; NULL: "s3" */
	int		 root;		/* the endpoint's "/" (STS) */
};

struct response {
	long		 status;
	struct body	 body;
	uint64_t	 length;	/* Content-Length (HEAD) */
	int64_t		 mtime;		/* Last-Modified, seconds */
	int		 refused;	/* an address we would not connect to */
};

static int	perform_call(const struct pgl_s3 *, const struct request *,
		    struct response *, struct pgl_err *);

int
pgl_s3_split(const char *loc, char *bucket, size_t len, const char **key)
{
	const char	*p, *slash;

	if (strncmp(loc, "s3://", 5) == 0)
		p = loc + 5;
	else if (strncmp(loc, "s3a://", 6) == 0)
		p = loc + 6;
	else
		return (-1);
	slash = strchr(p, '/');
	if (slash == p || (slash == NULL ? strlen(p) : (size_t)(slash - p)) >=
	    len)
		return (-1);
	if (slash == NULL) {
		(void)pgl_strlcpy(bucket, p, len);
		*key = "";
	} else {
		memcpy(bucket, p, (size_t)(slash - p));
		bucket[slash - p] = '\0';
		*key = slash + 1;
	}
	return (0);
}

/* RFC 3986 unreserved bytes stay; '/' stays in a path, not in a query. */
static void
encode(char *out, size_t len, const char *in, int keep_slash)
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

static int
s3_err(struct pgl_err *err, int code, const struct pgl_s3 *s,
    const char *fmt, const char *detail)
{
	err->code = code;
	(void)snprintf(err->msg, sizeof(err->msg), "warehouse '%.60s': %.60s"
	    "%s%.119s", s->name != NULL ? s->name : "?", fmt, detail != NULL ?
	    ": " : "", detail != NULL ? detail : "");
	return (code);
}

/*
 * A handle for this call: the kept one of its id if idle, a new kept one,
 * or (all taken) one for this call alone (*kept NULL).  Under the lock.
 */
static CURL *
checkout(const struct pgl_s3 *s, struct client **kept)
{
	char		 id[sizeof(clients[0].id)];
	size_t		 i;

	*kept = NULL;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return (NULL);
		curl_ready = 1;
	}
	(void)snprintf(id, sizeof(id), "%s|%s|%s", s->endpoint != NULL ?
	    s->endpoint : "aws", s->region, s->access_key);
	for (i = 0; i < nclients; i++) {
		if (strcmp(clients[i].id, id) == 0 && !clients[i].busy)
			break;
	}
	if (i == nclients) {
		/* Full: the oldest idle handle goes (its connection closes
		 * with it); none idle: a handle for this call only. */
		if (nclients == CLIENTS) {
			for (i = 0; i < nclients && clients[i].busy; i++)
				;
			if (i == nclients)
				return (curl_easy_init());
			curl_easy_cleanup(clients[i].h);
			memmove(&clients[i], &clients[i + 1],
			    (CLIENTS - i - 1) * sizeof(clients[0]));
			nclients--;
		}
		i = nclients;
		memset(&clients[i], 0, sizeof(clients[0]));
		if ((clients[i].h = curl_easy_init()) == NULL)
			return (NULL);
		(void)pgl_strlcpy(clients[i].id, id, sizeof(id));
		nclients++;
		totals.clients = nclients;
	}
	clients[i].busy = 1;
	*kept = &clients[i];
	return (clients[i].h);
}

/* The call is over: its handle is free again (or closed). */
static void
checkin(CURL *h, struct client *kept)
{
	size_t	i;

	for (i = 0; kept != NULL && i < nclients; i++) {
		if (clients[i].h == h) {
			clients[i].busy = 0;
			return;
		}
	}
	curl_easy_cleanup(h);
}

/* The endpoint's origin as the breaker's key: scheme, host and port. */
void
pgl_s3_origin(const struct pgl_s3 *s, char *out, size_t len)
{
	const char	*p, *end;

	if (s->endpoint == NULL) {
		(void)snprintf(out, len, "https://s3.%s.amazonaws.com",
		    s->region);
		return;
	}
	/* Up to the path, if the endpoint names one. */
	p = strstr(s->endpoint, "://");
	p = p != NULL ? p + 3 : s->endpoint;
	end = strchr(p, '/');
	(void)snprintf(out, len, "%.*s", end != NULL ? (int)(end -
	    s->endpoint) : (int)strlen(s->endpoint), s->endpoint);
}

/* The endpoint's breaker, made if new; NULL if the table is full of
 * busy ones (the call then goes unguarded).  Under the lock. */
static struct endpoint *
endpoint_of(const struct pgl_s3 *s)
{
	char	origin[sizeof(endpoints[0].origin)];
	size_t	i;

	pgl_s3_origin(s, origin, sizeof(origin));
	for (i = 0; i < nendpoints; i++) {
		if (strcasecmp(endpoints[i].origin, origin) == 0)
			return (&endpoints[i]);
	}
	if (nendpoints == ENDPOINTS) {
		/* Forget a closed, idle one: it holds nothing to keep. */
		for (i = 0; i < nendpoints; i++) {
			if (!endpoints[i].b.open && endpoints[i].b.inflight ==
			    0)
				break;
		}
		if (i == nendpoints)
			return (NULL);
	} else
		i = nendpoints++;
	memset(&endpoints[i], 0, sizeof(endpoints[i]));
	(void)pgl_strlcpy(endpoints[i].origin, origin,
	    sizeof(endpoints[i].origin));
	return (&endpoints[i]);
}

static struct pgl_breaker_cfg
breaker_cfg(void)
{
	struct pgl_breaker_cfg	c;

	c.failures = limits.breaker_failures;
	c.cooldown = limits.breaker_cooldown_secs;
	c.max_inflight = limits.max_inflight;
	return (c);
}

static int64_t
now_secs(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec);
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
	encode(key, sizeof(key), q->key, 1);
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
static const char *
error_code(struct response *r, char *buf, size_t len)
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

/* The refusal of a call the breaker did not admit, naming only the
 * warehouse and when to retry; PGL_OK if it was admitted. */
static int
refusal(const struct pgl_s3 *s, enum pgl_breaker_admit how, int retry,
    struct pgl_err *err)
{
	char	why[96];

	if (how == PGL_BREAKER_OPEN) {
		(void)snprintf(why, sizeof(why), "it failed %d times in a row; "
		    "retry after %d s", limits.breaker_failures, retry);
		return (s3_err(err, PGL_EUNAVAIL, s, "object store "
		    "unavailable", why));
	}
	if (how == PGL_BREAKER_BUSY) {
		(void)snprintf(why, sizeof(why), "%d calls to it under way; "
		    "retry after %d s", limits.max_inflight, retry);
		return (s3_err(err, PGL_EUNAVAIL, s, "object store busy", why));
	}
	return (PGL_OK);
}

/*
 * Whether a call to s's endpoint may start (then end_call), or a copy's
 * answer only (check: takes no probe and no slot).  *ep NULL: the
 * endpoint table is full of busy ones, the call goes unguarded.
 */
static int
begin_call(const struct pgl_s3 *s, int check, struct endpoint **ep,
    enum pgl_breaker_admit *how, struct pgl_err *err)
{
	struct pgl_breaker_cfg	cfg = breaker_cfg();
	struct pgl_breaker	copy;
	int			retry = 1;

	(void)pthread_mutex_lock(&lock);
	if ((*ep = endpoint_of(s)) == NULL) {
		(void)pthread_mutex_unlock(&lock);
		return (PGL_OK);
	}
	copy = (*ep)->b;
	*how = pgl_breaker_admit(check ? &copy : &(*ep)->b, &cfg, now_secs(),
	    &retry);
	/* A check asks about the breaker: a full cap is a wait (obj_job.c). */
	if (check && *how == PGL_BREAKER_BUSY)
		*how = PGL_BREAKER_GO;
	if (*how == PGL_BREAKER_OPEN || *how == PGL_BREAKER_BUSY)
		totals.refused++;
	(void)pthread_mutex_unlock(&lock);
	return (refusal(s, *how, retry, err));
}

static void
end_call(struct endpoint *ep, enum pgl_breaker_admit how, int failed)
{
	struct pgl_breaker_cfg	cfg = breaker_cfg();

	if (ep == NULL)
		return;
	(void)pthread_mutex_lock(&lock);
	if (pgl_breaker_done(&ep->b, &cfg, how, failed, now_secs()))
		totals.trips++;
	(void)pthread_mutex_unlock(&lock);
}

int
pgl_s3_check(const struct pgl_s3 *s, struct pgl_err *err)
{
	struct endpoint		*ep;
	enum pgl_breaker_admit	 how;

	return (begin_call(s, 1, &ep, &how, err));
}

int
pgl_s3_retry_after(const struct pgl_err *err)
{
	const char	*p;
	int		 n;

	if (err->code != PGL_EUNAVAIL ||
	    (p = strstr(err->msg, "retry after ")) == NULL)
		return (0);
	n = atoi(p + 12);
	return (n > 0 ? n : 0);
}

static int
perform(const struct pgl_s3 *s, const struct request *q, struct response *r,
    struct pgl_err *err)
{
	struct endpoint		*ep = NULL;
	enum pgl_breaker_admit	 how = PGL_BREAKER_GO;
	int			 rc;

	memset(r, 0, sizeof(*r));
	if ((rc = begin_call(s, 0, &ep, &how, err)) != PGL_OK)
		return (rc);
	rc = perform_call(s, q, r, err);
	/* No answer in time, no connection, or the store's own failure:
	 * what opens the breaker.  A refusal of ours (address) is not. */
	end_call(ep, how, (rc == PGL_EUNAVAIL && !r->refused) ||
	    (rc == PGL_OK && r->status >= 500));
	return (rc);
}

static int
perform_call(const struct pgl_s3 *s, const struct request *q,
    struct response *r, struct pgl_err *err)
{
	struct client		*kept;
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
		return (s3_err(err, PGL_EINVAL, s, "location too long for S3",
		    NULL));
	(void)pthread_mutex_lock(&lock);
	h = checkout(s, &kept);
	(void)pthread_mutex_unlock(&lock);
	if (h == NULL)
		return (s3_err(err, PGL_EUNAVAIL, s, "no S3 client", NULL));
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
	    (long)limits.connect_timeout_ms);
	(void)curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
	    (long)limits.timeout_ms);
	(void)curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	/* Where S3 answers is where we asked: no redirect, no proxy from
	 * the environment (it would resolve names past the check). */
	(void)curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	(void)curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(h, CURLOPT_PROXY, "");
	g.listed = s->endpoint != NULL && pgl_origin_listed(s->endpoint,
	    allowed, nallowed);
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
	if (!keep_clients || q->root) {
		(void)curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
		(void)curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
	}
	rc = curl_easy_perform(h);
	curl_slist_free_all(hdrs);
	if (curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &conns) != CURLE_OK)
		conns = 0;
	if (rc == CURLE_OK)
		(void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	(void)pthread_mutex_lock(&lock);
	/* STS has a counter of its own (pangolin_sts_assume_role_total). */
	if (!q->root) {
		totals.requests++;
		totals.connections += (uint64_t)conns;
	}
	checkin(h, kept);
	(void)pthread_mutex_unlock(&lock);
	if (rc != CURLE_OK && !r->body.too_big) {
		free(r->body.data);
		r->body.data = NULL;
		if (g.refused != NULL) {
			r->refused = 1;
			(void)snprintf(line, sizeof(line), "its address is %s "
			    "and its origin is not in [storage] "
			    "allowed_endpoints", g.refused);
			return (s3_err(err, PGL_EUNAVAIL, s, "endpoint refused",
			    line));
		}
		return (s3_err(err, PGL_EUNAVAIL, s, "S3 did not answer",
		    curl_easy_strerror(rc)));
	}
	return (PGL_OK);
}

/* The store code for an S3 answer that is not a success. */
static int
failed(const struct pgl_s3 *s, const char *key, struct response *r,
    struct pgl_err *err)
{
	char	code[128] = "", what[KEY_MAX + 64];
	int	rc;

	(void)snprintf(what, sizeof(what), "%s (HTTP %ld)",
	    error_code(r, code, sizeof(code)) != NULL ? code : "S3 error",
	    r->status);
	if (r->status == 404 && strcmp(code, "NoSuchBucket") != 0)
		rc = s3_err(err, PGL_ENOTFOUND, s, "no such object", key);
	else if (r->status == 403 || r->status == 400 || r->status == 404)
		rc = s3_err(err, PGL_EUNAVAIL, s, "S3 refused the request",
		    what);
	else
		rc = s3_err(err, PGL_EUNAVAIL, s, "S3 failed", what);
	free(r->body.data);
	r->body.data = NULL;
	return (rc);
}

int
pgl_s3_get(const struct pgl_s3 *s, const char *key, size_t max, char **data,
    size_t *len, struct pgl_err *err)
{
	struct request	q = { "GET", key, NULL, NULL, 0, max, NULL, NULL, 0 };
	struct response	r;
	int		rc;

	if ((rc = perform(s, &q, &r, err)) != PGL_OK)
		return (rc);
	if (r.status != 200 && !r.body.too_big)
		return (failed(s, key, &r, err));
	if (r.body.too_big || r.body.len > max) {
		free(r.body.data);
		return (s3_err(err, PGL_EINVAL, s, "object too large", key));
	}
	if (r.body.data == NULL && (r.body.data = calloc(1, 1)) == NULL)
		return (s3_err(err, PGL_EUNAVAIL, s, "out of memory", NULL));
	*data = r.body.data;
	*len = r.body.len;
	return (PGL_OK);
}

/*
 * A request whose answer is only a status: PGL_OK for 2xx (and for a
 * DELETE of what is not there), the store code of S3's error otherwise.
 * r keeps the headers (HEAD); its body is freed.
 */
static int
exchange(const struct pgl_s3 *s, const struct request *q,
    struct response *r, struct pgl_err *err)
{
	int	rc;

	if ((rc = perform(s, q, r, err)) != PGL_OK)
		return (rc);
	if ((r->status < 200 || r->status > 299) && !(r->status == 404 &&
	    strcmp(q->method, "DELETE") == 0))
		return (failed(s, q->key, r, err));
	free(r->body.data);
	r->body.data = NULL;
	return (PGL_OK);
}

int
pgl_s3_post_form(const struct pgl_s3 *s, const char *service,
    const char *form, size_t max, long *status, char **body, size_t *len,
    struct pgl_err *err)
{
	struct request	q = { "POST", "", NULL, form, strlen(form), max, NULL,
			    service, 1 };
	struct response	r;
	int		rc;

	if ((rc = perform(s, &q, &r, err)) != PGL_OK)
		return (rc);
	if (r.body.too_big) {
		free(r.body.data);
		return (s3_err(err, PGL_EUNAVAIL, s, "answer too large",
		    service));
	}
	*status = r.status;
	*body = r.body.data;
	*len = r.body.len;
	return (PGL_OK);
}

int
pgl_s3_put(const struct pgl_s3 *s, const char *key, const void *data,
    size_t len, struct pgl_err *err)
{
	struct request	q = { "PUT", key, NULL, data, len, ERR_BODY_MAX,
			    NULL, NULL, 0 };
	struct response	r;

	return (exchange(s, &q, &r, err));
}

int
pgl_s3_create_bucket(const struct pgl_s3 *s, struct pgl_err *err)
{
	struct request	q = { "PUT", "", NULL, NULL, 0, ERR_BODY_MAX, NULL,
			    NULL, 0 };
	struct response	r;
	char		code[128] = "";
	int		rc;

	if ((rc = perform(s, &q, &r, err)) != PGL_OK)
		return (rc);
	if (r.status == 200 || (r.status == 409 &&
	    error_code(&r, code, sizeof(code)) != NULL &&
	    strcmp(code, "BucketAlreadyOwnedByYou") == 0)) {
		free(r.body.data);
		return (PGL_OK);
	}
	return (failed(s, s->bucket, &r, err));
}

int
pgl_s3_delete(const struct pgl_s3 *s, const char *key, struct pgl_err *err)
{
	struct request	q = { "DELETE", key, NULL, NULL, 0, ERR_BODY_MAX,
			    NULL, NULL, 0 };
	struct response	r;

	return (exchange(s, &q, &r, err));
}

/* "<Delete><Quiet>true</Quiet><Object><Key>k</Key></Object>...</Delete>" */
static char *
delete_body(const char *const *keys, size_t n, size_t *len)
{
	char	*out, *o;
	size_t	 cap = 64, i;

	for (i = 0; i < n; i++)
		cap += 32 + 6 * strlen(keys[i]);
	if ((out = o = malloc(cap)) == NULL)
		return (NULL);
	o += sprintf(o, "<Delete><Quiet>true</Quiet>");
	for (i = 0; i < n; i++) {
		const char	*k;

		o += sprintf(o, "<Object><Key>");
		for (k = keys[i]; *k != '\0'; k++) {
			switch (*k) {
			case '&': o += sprintf(o, "&amp;"); break;
			case '<': o += sprintf(o, "&lt;"); break;
			case '>': o += sprintf(o, "&gt;"); break;
			case '"': o += sprintf(o, "&quot;"); break;
			case '\'': o += sprintf(o, "&apos;"); break;
			default: *o++ = *k;
			}
		}
		o += sprintf(o, "</Key></Object>");
	}
	o += sprintf(o, "</Delete>");
	*len = (size_t)(o - out);
	return (out);
}

int
pgl_s3_delete_keys(const struct pgl_s3 *s, const char *const *keys, size_t n,
    struct pgl_err *err)
{
	struct request	 q = { "POST", "", "delete=", NULL, 0, ERR_BODY_MAX,
			    NULL, NULL, 0 };
	struct response	 r;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	char		 md5[32], code[128] = "";
	char		*body;
	const char	*p;
	size_t		 len, batch;
	int		 rc = PGL_OK;

	for (; n > 0 && rc == PGL_OK; keys += batch, n -= batch) {
		batch = n > 1000 ? 1000 : n;
		if ((body = delete_body(keys, batch, &len)) == NULL)
			return (s3_err(err, PGL_ENOMEM, s, "out of memory",
			    NULL));
		/* S3 requires Content-MD5 on a multi-object delete. */
		if (!EVP_Digest(body, len, md, NULL, EVP_md5(), NULL)) {
			free(body);
			return (s3_err(err, PGL_EINTERNAL, s, "md5 failed",
			    NULL));
		}
		(void)EVP_EncodeBlock((unsigned char *)md5, md, 16);
		q.data = body;
		q.len = len;
		q.content_md5 = md5;
		rc = perform(s, &q, &r, err);
		free(body);
		if (rc != PGL_OK)
			return (rc);
		if (r.status != 200)
			return (failed(s, "multi-object delete", &r, err));
		/* Quiet mode lists only the objects that were not deleted. */
		p = r.body.data != NULL ? r.body.data : "";
		if (strstr(p, "<Error>") != NULL) {
			/* Only a code that looks like one: the key and the
			 * message are the remote's text. */
			(void)pgl_xml_next(&p, "Code", code, sizeof(code));
			rc = s3_err(err, PGL_EUNAVAIL, s, "could not delete",
			    pgl_xml_code_ok(code, strlen(code)) ? code : "S3 error");
		}
		free(r.body.data);
	}
	return (rc);
}

int
pgl_s3_head(const struct pgl_s3 *s, const char *key,
    struct pgl_file_info *fi, struct pgl_err *err)
{
	struct request	q = { "HEAD", key, NULL, NULL, 0, ERR_BODY_MAX,
			    NULL, NULL, 0 };
	struct response	r;
	int		rc;

	if ((rc = exchange(s, &q, &r, err)) != PGL_OK)
		return (rc);
	memset(fi, 0, sizeof(*fi));
	fi->type = PGL_FILE_REG;
	fi->size = r.length;
	fi->mtime_ms = r.mtime * 1000;
	return (PGL_OK);
}

int
pgl_s3_list(const struct pgl_s3 *s, const char *prefix, pgl_s3_list_fn fn,
    void *arg, struct pgl_err *err)
{
	struct request	 q = { "GET", "", NULL, NULL, 0, LIST_BODY_MAX, NULL,
			    NULL, 0 };
	struct response	 r;
	char		 token[1024] = "", etok[3 * 1024 + 1];
	char		 epfx[3 * KEY_MAX + 1], query[8192], key[KEY_MAX + 1];
	char		 size[32], more[16], when[40];
	const char	*p, *c;
	int		 rc;

	encode(epfx, sizeof(epfx), prefix, 0);
	do {
		/* Parameters in byte order, values encoded (SigV4). */
		encode(etok, sizeof(etok), token, 0);
		(void)snprintf(query, sizeof(query), "%s%s%slist-type=2&"
		    "max-keys=%u&prefix=%s", token[0] != '\0' ?
		    "continuation-token=" : "", token[0] != '\0' ? etok : "",
		    token[0] != '\0' ? "&" : "", s->max_keys != 0 ?
		    s->max_keys : 1000, epfx);
		q.query = query;
		if ((rc = perform(s, &q, &r, err)) != PGL_OK)
			return (rc);
		if (r.status != 200)
			return (failed(s, prefix, &r, err));
		p = r.body.data != NULL ? r.body.data : "";
		while ((c = strstr(p, "<Contents>")) != NULL) {
			p = c;
			if (!pgl_xml_next(&p, "Key", key, sizeof(key)) ||
			    !pgl_xml_next(&p, "LastModified", when, sizeof(when)) ||
			    !pgl_xml_next(&p, "Size", size, sizeof(size)))
				break;
			if ((rc = fn(arg, key, strtoull(size, NULL, 10),
			    pgl_iso8601_ms(when))) != 0)
				break;
		}
		p = r.body.data != NULL ? r.body.data : "";
		token[0] = '\0';
		if (rc == 0 && pgl_xml_next(&p, "IsTruncated", more, sizeof(more)) &&
		    strcmp(more, "true") == 0) {
			p = r.body.data;
			if (!pgl_xml_next(&p, "NextContinuationToken", token,
			    sizeof(token)))
				token[0] = '\0';
		}
		free(r.body.data);
	} while (rc == 0 && token[0] != '\0');
	return (PGL_OK);
}

void
pgl_s3_stats(struct pgl_s3_stats *st)
{
	(void)pthread_mutex_lock(&lock);
	*st = totals;
	(void)pthread_mutex_unlock(&lock);
}

void
pgl_s3_set_limits(const struct pgl_s3_limits *l)
{
	limits = *l;
}

const struct pgl_s3_limits *
pgl_s3_limits(void)
{
	return (&limits);
}

void
pgl_s3_keep_clients(int on)
{
	keep_clients = on;
}

void
pgl_s3_allow_endpoints(char *const *origins, size_t n)
{
	allowed = origins;
	nallowed = n;
}

void
pgl_s3_shutdown(void)
{
	size_t	i;

	(void)pthread_mutex_lock(&lock);
	for (i = 0; i < nclients; i++)
		curl_easy_cleanup(clients[i].h);
	nclients = 0;
	totals.clients = 0;
	(void)pthread_mutex_unlock(&lock);
}
