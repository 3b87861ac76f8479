/*
 * Replies.  Every response is JSON with the right status (HEAD and 204
 * excepted) and carries x-request-id; the dispatcher adds CORS headers.
 *
 * Kept whole, over 600 lines: every way an answer is made goes through
 * the same headers, framing and limits here, so that none is forgotten.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kore.h>
#include <http.h>

#include "http/gzip.h"
#include "http/request.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/jw.h"
#include "util/names.h"
#include "util/paging.h"

uint64_t
pgl_now_us(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
}

int64_t
pgl_now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

const char *
pgl_param(const struct pgl_req *r, const char *name)
{
	return (pgl_match_param(&r->match, name));
}

const char *
pgl_req_path(const struct pgl_req *r)
{
	return (r->http != NULL ? r->http->path : "");
}

const char *
pgl_query(const struct pgl_req *r, const char *name)
{
	size_t	i;

	for (i = 0; i < r->nquery; i++) {
		if (strcmp(r->qname[i], name) == 0)
			return (r->qvalue[i]);
	}
	return (NULL);
}

const char *
pgl_header(const struct pgl_req *r, const char *name)
{
	const char	*v;

	/* A task's request has no connection (api/maintenance/task_run.c). */
	if (r->http == NULL || !http_request_header(r->http, name, &v))
		return (NULL);
	return (*v != '\0' ? v : NULL);
}

const char *
pgl_req_peer(const struct pgl_req *r, char *buf, size_t len)
{
	const struct connection	*c = r->http != NULL ? r->http->owner : NULL;

	buf[0] = '\0';
	if (c == NULL)
		return (buf);
	if (c->family == AF_INET)
		(void)inet_ntop(AF_INET, &c->addr.ipv4.sin_addr, buf,
		    (socklen_t)len);
	else if (c->family == AF_INET6)
		(void)inet_ntop(AF_INET6, &c->addr.ipv6.sin6_addr, buf,
		    (socklen_t)len);
	return (buf);
}

const char *
pgl_req_body_raw(const struct pgl_req *r, size_t *len)
{
	struct kore_buf	*b = r->http != NULL ? r->http->http_body : NULL;

	*len = b != NULL ? r->http->http_body_length : 0;
	return (b != NULL ? (const char *)b->data : "");
}

size_t
pgl_req_body_len(const struct pgl_req *r)
{
	return (r->http != NULL ? r->http->http_body_length : 0);
}

void
pgl_set_header(struct pgl_req *r, const char *name, const char *value)
{
	if (r->http != NULL)
		http_response_header(r->http, name, value);
}

size_t
pgl_header_mark(const struct pgl_req *r)
{
	struct http_header	*h;
	size_t			 n = 0;

	if (r->http == NULL)
		return (0);
	TAILQ_FOREACH(h, &r->http->resp_headers, list)
		n++;
	return (n);
}

void
pgl_header_reset(struct pgl_req *r, size_t mark)
{
	struct http_header	*h, *next;
	size_t			 n = 0;

	if (r->http == NULL)
		return;
	for (h = TAILQ_FIRST(&r->http->resp_headers); h != NULL; h = next) {
		next = TAILQ_NEXT(h, list);
		if (n++ < mark)
			continue;
		TAILQ_REMOVE(&r->http->resp_headers, h, list);
		kore_free(h->header);
		kore_free(h->value);
		kore_pool_put(&http_header_pool, h);
	}
}

/*
 * The reply is kept, not sent: the dispatcher sends it when the request
 * is done, so the application may still withdraw it (a transaction that
 * fails to commit after its handler answered 2xx) and replay it later
 * (Idempotency-Key).
 */
void
pgl_reply_raw(struct pgl_req *r, int status, const char *ctype,
    const void *data, size_t len)
{
	if (r->status != 0)
		return;
	if (data != NULL && len > 0 &&
	    (r->reply_body = pgl_arena_strndup(r->arena, data, len)) == NULL) {
		status = 503;
		ctype = NULL;
		len = 0;
	}
	r->status = status;
	r->reply_len = r->reply_body != NULL ? len : 0;
	r->reply_type = ctype;
}

void
pgl_reply_arena(struct pgl_req *r, int status, const char *ctype,
    const char *data, size_t len)
{
	if (r->status != 0)
		return;
	r->status = status;
	r->reply_body = data;
	r->reply_len = len;
	r->reply_type = ctype;
}

void
pgl_reply_malloc(struct pgl_req *r, int status, const char *ctype,
    char *data, size_t len)
{
	if (r->status != 0) {
		free(data);
		return;
	}
	r->reply_owned = data;
	pgl_reply_arena(r, status, ctype, data, len);
}

void
pgl_reply_gzip(struct pgl_req *r, int status, const char *ctype,
    const unsigned char *gz, size_t len)
{
	if (r->status != 0)
		return;
	r->status = status;
	r->reply_gz = gz;
	r->reply_gz_len = len;
	r->reply_type = ctype;
}

static void
segs_release(const struct pgl_reply_seg *seg, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (seg[i].release != NULL)
			seg[i].release(seg[i].arg);
	}
}

static void
segs_drop(struct pgl_req *r)
{
	segs_release(r->reply_seg, r->reply_nseg);
	r->reply_nseg = 0;
	r->reply_seg_gz = 0;
}

static size_t
segs_total(const struct pgl_reply_seg *seg, size_t n)
{
	size_t	i, total = 0;

	for (i = 0; i < n; i++)
		total += seg[i].len;
	return (total);
}

void
pgl_reply_segs(struct pgl_req *r, int status, const char *ctype, int gzip,
    const struct pgl_reply_seg *seg, size_t n)
{
	if (r->status != 0 || n > PGL_REPLY_SEGS) {
		segs_release(seg, n);
		if (r->status == 0)
			pgl_reply_error(r, 500, "reply in too many pieces");
		return;
	}
	memcpy(r->reply_seg, seg, n * sizeof(*seg));
	r->reply_nseg = n;
	r->reply_seg_gz = gzip;
	r->status = status;
	r->reply_type = ctype;
}

/* Join plain pieces into the arena: a reply read back as one buffer. */
const char *
pgl_reply_body(struct pgl_req *r, size_t *len)
{
	char	*body;
	size_t	 i, at = 0, total;

	if (r->reply_nseg > 0 && !r->reply_seg_gz) {
		total = segs_total(r->reply_seg, r->reply_nseg);
		if ((body = pgl_arena_alloc(r->arena, total + 1)) == NULL)
			return (NULL);
		for (i = 0; i < r->reply_nseg; i++) {
			memcpy(body + at, r->reply_seg[i].data,
			    r->reply_seg[i].len);
			at += r->reply_seg[i].len;
		}
		body[total] = '\0';
		segs_drop(r);
		r->reply_body = body;
		r->reply_len = total;
	}
	*len = r->reply_body != NULL ? r->reply_len : 0;
	return (r->reply_body);
}

void
pgl_reply_withdraw(struct pgl_req *r)
{
	segs_drop(r);
	free(r->reply_owned);
	r->reply_owned = NULL;
	r->status = 0;
	r->reply_body = NULL;
	r->reply_len = 0;
	r->reply_gz = NULL;
	r->reply_gz_len = 0;
	r->reply_type = NULL;
	r->lost_race = 0;
}

int
pgl_req_gzip(const struct pgl_req *r)
{
	return (r->method != PGL_HEAD &&
	    pgl_gzip_accepted(pgl_header(r, "accept-encoding")));
}

/* A JSON body of len large enough that its encoding depends on the client. */
static int
varies(const struct pgl_req *r, size_t len)
{
	return (len > PGL_GZIP_MIN && r->reply_type != NULL &&
	    strstr(r->reply_type, "json") != NULL && r->method != PGL_HEAD &&
	    r->status != 204 && r->status != 304);
}

static int
compressible(const struct pgl_req *r)
{
	return (r->reply_body != NULL && varies(r, r->reply_len));
}

/* Compress the plain reply into the arena; 0 if that failed. */
static size_t
gzip_reply(struct pgl_req *r, unsigned char **out)
{
	size_t	cap = pgl_gz_bound(r->reply_len, NULL, 0);

	if ((*out = pgl_arena_alloc(r->arena, cap)) == NULL)
		return (0);
	return (pgl_gz_assemble(r->reply_body, r->reply_len, NULL, "", 0,
	    *out, cap));
}

static int
stream_sent(struct netbuf *nb)
{
	free(nb->extra);
	return (KORE_RESULT_OK);
}

/*
 * A body larger than one of Kore's send buffers goes to Kore as one
 * stream of our own copy, freed once sent (or once the connection is
 * gone): Kore would copy it into 8 KiB buffers and send() each apart.
 */
static void
send_body(struct pgl_req *r, const void *body, size_t len)
{
	void	*copy;

	if (len > NETBUF_SEND_PAYLOAD_MAX && r->http->owner != NULL &&
	    r->http->method != HTTP_METHOD_HEAD) {
		if (body == r->reply_owned) {
			copy = r->reply_owned;
			r->reply_owned = NULL;
		} else if ((copy = malloc(len)) != NULL) {
			memcpy(copy, body, len);
		}
		if (copy != NULL) {
			http_response_stream(r->http, r->status, copy, len,
			    stream_sent, copy);
			return;
		}
	}
	http_response(r->http, r->status, body, len);
}

/*
 * Pieces on their way: Kore calls seg_sent as it is done with each
 * netbuf, and the last one releases them all.  The arena's pieces (a
 * few hundred bytes of frame) are copied in here, as the arena ends
 * with the request, before Kore has sent them; the large ones (a pinned
 * cache entry) are not.
 */
struct seg_hold {
	size_t			pending;	/* netbufs Kore holds */
	size_t			nseg;
	struct pgl_reply_seg	seg[PGL_REPLY_SEGS];
	char			copies[];
};

static struct seg_hold *
hold_take(struct pgl_req *r)
{
	struct seg_hold	*h;
	char		*p;
	size_t		 i, extra = 0;

	for (i = 0; i < r->reply_nseg; i++) {
		if (r->reply_seg[i].release == NULL)
			extra += r->reply_seg[i].len;
	}
	if ((h = malloc(sizeof(*h) + extra)) == NULL)
		return (NULL);
	p = h->copies;
	for (i = 0; i < r->reply_nseg; i++) {
		h->seg[i] = r->reply_seg[i];
		if (h->seg[i].release == NULL && h->seg[i].len > 0) {
			memcpy(p, h->seg[i].data, h->seg[i].len);
			h->seg[i].data = p;
			p += h->seg[i].len;
		}
	}
	h->nseg = r->reply_nseg;
	h->pending = 0;
	r->reply_nseg = 0;
	return (h);
}

static void
hold_free(struct seg_hold *h)
{
	segs_release(h->seg, h->nseg);
	free(h);
}

static int
seg_sent(struct netbuf *nb)
{
	struct seg_hold	*h = nb->extra;

	if (--h->pending == 0)
		hold_free(h);
	return (KORE_RESULT_OK);
}

/*
 * As http_response_stream does it: the head with the total length, then
 * each piece as a stream netbuf of its own, so without TLS Kore sends
 * the head and all the pieces in one writev() (Kore patch item 18).
 */
static void
send_segs(struct pgl_req *r)
{
	struct seg_hold	*h;
	struct netbuf	*nb;
	size_t		 i, total;

	total = segs_total(r->reply_seg, r->reply_nseg);
	h = NULL;
	if (r->http->owner != NULL && r->http->method != HTTP_METHOD_HEAD &&
	    (h = hold_take(r)) == NULL) {
		segs_drop(r);
		http_response(r->http, 503, NULL, 0);
		return;
	}
	if (r->reply_seg_gz)
		http_response_header(r->http, "content-encoding", "gzip");
	http_response(r->http, r->status, NULL, total);
	/* No body goes out (HEAD, a task): the head alone, with the length. */
	if (h == NULL) {
		segs_drop(r);
		return;
	}
	for (i = 0; i < h->nseg; i++)
		h->pending += h->seg[i].len > 0;
	if (h->pending == 0) {
		hold_free(h);
		return;
	}
	for (i = 0; i < h->nseg; i++) {
		if (h->seg[i].len == 0)
			continue;
		net_send_stream(r->http->owner, (void *)h->seg[i].data,
		    h->seg[i].len, seg_sent, &nb);
		nb->extra = h;
	}
}

static void
send_gzip(struct pgl_req *r, const unsigned char *gz, size_t len)
{
	http_response_header(r->http, "content-encoding", "gzip");
	send_body(r, gz, len);
}

/*
 * RFC 9110 §12.5.5: every reply whose encoding depends on Accept-Encoding
 * says so (Vary), compressed or not, so caches keep them apart.
 */
void
pgl_reply_send(struct pgl_req *r)
{
	unsigned char	*gz;
	size_t		 gzlen;

	if (r->reply_type != NULL)
		http_response_header(r->http, "content-type", r->reply_type);
	if (r->reply_nseg > 0) {
		if (r->reply_seg_gz ||
		    varies(r, segs_total(r->reply_seg, r->reply_nseg)))
			http_response_header(r->http, "vary",
			    "Accept-Encoding");
		send_segs(r);
	} else if (r->reply_gz != NULL) {
		http_response_header(r->http, "vary", "Accept-Encoding");
		send_gzip(r, r->reply_gz, r->reply_gz_len);
	} else if (compressible(r)) {
		http_response_header(r->http, "vary", "Accept-Encoding");
		if (pgl_req_gzip(r) && (gzlen = gzip_reply(r, &gz)) > 0)
			send_gzip(r, gz, gzlen);
		else
			send_body(r, r->reply_body, r->reply_len);
	} else {
		send_body(r, r->reply_body, r->reply_len);
	}
	/* Sent (copied) or handed to Kore: what is left is ours. */
	free(r->reply_owned);
	r->reply_owned = NULL;
}

void
pgl_reply_empty(struct pgl_req *r, int status)
{
	pgl_reply_raw(r, status, NULL, NULL, 0);
}

void
pgl_reply_json(struct pgl_req *r, int status, json_t *j)
{
	char	*s;

	if (j == NULL || (s = pgl_json_dump(j)) == NULL) {
		json_decref(j);
		pgl_reply_error(r, 500, "out of memory");
		return;
	}
	json_decref(j);
	/* jansson's buffer is the body: Kore sends it without a copy. */
	pgl_reply_malloc(r, status, "application/json", s, strlen(s));
}

/* The Iceberg exception type that fits a status (spec doc §0). */
static const char *
ice_type(int status)
{
	switch (status) {
	case 400: case 413: case 415: case 422:
		return ("BadRequestException");
	case 401: return ("NotAuthorizedException");
	case 403: return ("ForbiddenException");
	case 404: return ("NotFoundException");
	case 405: return ("MethodNotAllowedException");
	case 406: return ("NotAcceptableException");
	case 409: return ("AlreadyExistsException");
	case 429: return ("TooManyRequestsException");
	case 501: return ("UnsupportedOperationException");
	case 503: return ("ServiceUnavailableException");
	default:  return ("InternalServerError");
	}
}

/*
 * The OAuth token endpoints (/v1/oauth/tokens and its prefixed aliases):
 * their 400 and 401 are RFC 6749 §5.2's, whoever answers them (the Kore
 * patch does the same for its own 400s), as the Iceberg spec says and
 * OAuth clients parse (PyIceberg: "unexpected JSON payload" otherwise).
 */
static int
oauth_path(const struct pgl_req *r)
{
	const char	*p = r->http != NULL ? r->http->path : NULL;
	size_t		 len = p != NULL ? strlen(p) : 0;

	return (len >= 13 && strcmp(p + len - 13, "/oauth/tokens") == 0);
}

static void
vreply_error(struct pgl_req *r, int status, const char *type,
    const char *fmt, va_list ap)
{
	char	 msg[512];
	json_t	*j;

	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	/* Messages echo names; never emit bytes that are not UTF-8. */
	if (!pgl_utf8_valid(msg, strlen(msg)))
		(void)snprintf(msg, sizeof(msg), "%s", "invalid request");
	if ((status == 400 || status == 401) && oauth_path(r)) {
		j = json_pack("{s:s,s:s}", "error", status == 401 ?
		    "invalid_client" : "invalid_request", "error_description",
		    msg);
	} else if (r->iceberg) {
		j = json_pack("{s:{s:s,s:s,s:i}}", "error", "message", msg,
		    "type", type != NULL ? type : ice_type(status), "code",
		    status);
	} else {
		j = json_pack("{s:s}", "error", msg);
	}
	pgl_reply_json(r, status, j);
}

void
pgl_reply_error(struct pgl_req *r, int status, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vreply_error(r, status, NULL, fmt, ap);
	va_end(ap);
}

void
pgl_reply_ice_error(struct pgl_req *r, int status, const char *type,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vreply_error(r, status, type, fmt, ap);
	va_end(ap);
}

/* A store that is down is usually back within a second (a reconnect, a
 * failover: the operator guide measures 0.25 s); a client that honours
 * Retry-After comes back then rather than at once. */
#define STORE_RETRY_AFTER	"1"

int
pgl_store_status(int code)
{
	switch (code) {
	case PGL_ENOTFOUND:	return (404);
	case PGL_EEXISTS:	return (409);
	case PGL_ECONFLICT:	return (409);
	case PGL_EINUSE:	return (409);
	case PGL_EINVAL:	return (400);
	case PGL_EUNAVAIL:	return (503);
	/* Run again by the host until it gave up: a lost race between
	 * transactions says nothing about the client's request. */
	case PGL_ERETRY:	return (503);
	case PGL_EUNSUPPORTED:	return (501);
	default:		return (500);
	}
}

void
pgl_reply_store_error(struct pgl_req *r, const struct pgl_err *err)
{
	int	status = pgl_store_status(err->code);

	if (r->status == 0 && err->code == PGL_ERETRY)
		r->lost_race = 1;
	if (status >= 500) {
		/* Details go to the log; the client gets no internals. */
		kore_log(LOG_ERR, "store error (%d) rid=%s: %s", err->code,
		    r->request_id, err->msg);
		if (status == 503)
			pgl_set_header(r, "retry-after", STORE_RETRY_AFTER);
		pgl_reply_error(r, status, "%s", err->code == PGL_ERETRY ?
		    "the metadata store kept losing races with concurrent "
		    "changes to the same rows; nothing was changed, retry "
		    "later" : status == 503 ?
		    "metadata store unavailable, retry later" :
		    status == 501 ? "not supported by this store plugin" :
		    "internal error");
		return;
	}
	/* A lost compare-and-swap is not "already exists" (409's default
	 * type): the change lost to a concurrent one, and a client that
	 * reloads may make it again. */
	if (err->code == PGL_ECONFLICT) {
		pgl_reply_ice_error(r, status, "CommitFailedException", "%s",
		    err->msg);
		return;
	}
	pgl_reply_error(r, status, "%s", err->msg);
}

void
pgl_reply_missing(struct pgl_req *r, const struct pgl_err *err,
    const char *fmt, ...)
{
	va_list	ap;

	if (err->code != PGL_ENOTFOUND) {
		pgl_reply_store_error(r, err);
		return;
	}
	va_start(ap, fmt);
	vreply_error(r, 404, NULL, fmt, ap);
	va_end(ap);
}

void
pgl_reply_jw(struct pgl_req *r, int status, struct pgl_jw *w)
{
	if (w->oom) {
		pgl_reply_error(r, 503, "out of memory");
		jw_free(w);
		return;
	}
	/* The writer's buffer is the body: Kore sends it without a copy. */
	pgl_reply_malloc(r, status, "application/json", w->buf, w->len);
	w->buf = NULL;
	jw_free(w);
}

void
pgl_reply_jw_list(struct pgl_req *r, struct pgl_jw *w, uint64_t total)
{
	char	buf[32];

	(void)snprintf(buf, sizeof(buf), "%llu", (unsigned long long)total);
	pgl_set_header(r, "x-total-count", buf);
	pgl_reply_jw(r, 200, w);
}

void
pgl_reply_raw_list(struct pgl_req *r, const char *body, size_t len,
    uint64_t total)
{
	char	 buf[32];
	char	*copy;

	(void)snprintf(buf, sizeof(buf), "%llu", (unsigned long long)total);
	pgl_set_header(r, "x-total-count", buf);
	/* One copy, handed to Kore as is (not one in the arena, then one
	 * more for Kore): a page may be a MiB, held until the client reads. */
	if ((copy = malloc(len > 0 ? len : 1)) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	memcpy(copy, body, len);
	pgl_reply_malloc(r, 200, "application/json", copy, len);
}

/*
 * A page stops adding items once it passes max_page_bytes (and keeps at
 * least one): a page of 1,000 items of 64 KiB properties each would be a
 * 64 MiB answer held for each client that does not read it.  The total
 * still counts every item, so a client paging by offset reads on.
 */
size_t
pgl_list_trim(json_t *array)
{
	size_t	i, used = 2;

	if (!json_is_array(array))
		return (0);
	for (i = 0; i < json_array_size(array); i++) {
		if (pgl_page_full(used, i))
			break;
		used += json_dumpb(json_array_get(array, i), NULL, 0,
		    JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY |
		    JSON_REAL_PRECISION(6)) + 1;
	}
	while (json_array_size(array) > i)
		(void)json_array_remove(array, json_array_size(array) - 1);
	return (i);
}

void
pgl_reply_list(struct pgl_req *r, json_t *array, uint64_t total)
{
	char	buf[32];

	(void)pgl_list_trim(array);
	(void)snprintf(buf, sizeof(buf), "%llu", (unsigned long long)total);
	pgl_set_header(r, "x-total-count", buf);
	pgl_reply_json(r, 200, array);
}

int
pgl_req_page(struct pgl_req *r, struct pgl_page *pg)
{
	const char	*why;

	why = pgl_paging_parse(pgl_query(r, "limit"), pgl_query(r, "offset"),
	    pgl_query(r, "page"), pgl_query(r, "page_size"), pg);
	if (why != NULL) {
		pgl_reply_error(r, 400, "%s", why);
		return (-1);
	}
	return (0);
}

int
pgl_req_body(struct pgl_req *r, const struct pgl_jfield *fields)
{
	char	why[256];

	if (r->body == NULL) {
		pgl_reply_error(r, 400, "a JSON request body is required");
		return (-1);
	}
	if (pgl_json_check(r->body, fields, why, sizeof(why)) == -1) {
		pgl_reply_error(r, r->iceberg ? 400 : 422, "%s", why);
		return (-1);
	}
	return (0);
}

int
pgl_req_name(struct pgl_req *r, const char *field, const char *value)
{
	const char	*why;

	if (value == NULL || (why = pgl_name_check(value)) != NULL) {
		pgl_reply_error(r, 400, "invalid %s: %s", field,
		    value == NULL ? "missing" : why);
		return (-1);
	}
	return (0);
}
