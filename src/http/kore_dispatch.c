/*
 * The one Kore handler.  kore.conf routes every path here; this file runs
 * the steps in order (request id, CORS, route match, the application's
 * admission, body checks) and then the application's serve step, and
 * always finishes with one access-log line and the request metrics.
 *
 * Kept whole, over 600 lines: it is the one bridge between a Kore request
 * and a pgl_req (dispatch, pending work, resume, the access line), and
 * its steps are read in order.
 */
#include <sys/epoll.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <kore.h>
#include <http.h>

#include "http/dispatch.h"
#include "http/request.h"
#include "metrics/limits.h"
#include "metrics/metrics.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/log.h"
#include "util/names.h"
#include "util/str.h"

int	pgl_http_dispatch(struct http_request *);
void	pgl_http_kore_error_headers(struct kore_buf *);
int	pgl_http_kore_allow(const char *, char *, size_t);

static const struct pgl_http_app	*app;	/* set once, before fork */

#define CORS_METHODS	"GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS"
#define CORS_HEADERS	"Content-Type, Authorization, Accept, " \
			"X-Pangolin-Tenant, X-API-Key, X-Request-Id, " \
			"Idempotency-Key, If-None-Match"

static int
request_id_valid(const char *id)
{
	size_t	i, len = strlen(id);

	if (len == 0 || len > 128)
		return (0);
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)id[i]) && id[i] != '-' &&
		    id[i] != '_' && id[i] != '.')
			return (0);
	}
	return (1);
}

static void
set_request_id(struct pgl_req *r)
{
	const char	*id = pgl_header(r, "x-request-id");

	if (id != NULL && request_id_valid(id))
		(void)pgl_strlcpy(r->request_id, id, sizeof(r->request_id));
	else
		pgl_uuid_new(r->request_id);
	pgl_set_header(r, "x-request-id", r->request_id);
}

/* Access-Control-Allow-Origin: "*" or the request origin if listed. */
static void
set_cors(struct pgl_req *r)
{
	const char	*allowed = app->cors_origins;
	const char	*origin = pgl_header(r, "origin");
	const char	*p;
	size_t		 len;

	if (strcmp(allowed, "*") == 0) {
		pgl_set_header(r, "access-control-allow-origin", "*");
		return;
	}
	if (origin == NULL)
		return;
	len = strlen(origin);
	for (p = allowed; (p = strstr(p, origin)) != NULL; p += len) {
		if ((p == allowed || p[-1] == ',' || p[-1] == ' ') &&
		    (p[len] == ',' || p[len] == '\0')) {
			pgl_set_header(r, "access-control-allow-origin", origin);
			pgl_set_header(r, "vary", "Origin");
			return;
		}
	}
}

/* Split the raw query string into decoded name/value pairs. */
static int
parse_query(struct pgl_req *r)
{
	char	*qs, *pair, *eq, *p;

	if (r->http->query_string == NULL)
		return (0);
	if ((qs = pgl_arena_strdup(r->arena, r->http->query_string)) == NULL)
		return (-1);
	while ((pair = strsep(&qs, "&")) != NULL) {
		if (*pair == '\0')
			continue;
		if (r->nquery == PGL_MAX_QUERY)
			return (-1);
		for (p = pair; *p != '\0'; p++) {
			if (*p == '+')
				*p = ' ';
		}
		if ((eq = strchr(pair, '=')) != NULL)
			*eq++ = '\0';
		else
			eq = pair + strlen(pair);
		/* Names and values reach the store: UTF-8 only (§ names). */
		if (pgl_url_decode(pair) == -1 || pgl_url_decode(eq) == -1 ||
		    !pgl_utf8_valid(pair, strlen(pair)) ||
		    !pgl_utf8_valid(eq, strlen(eq)))
			return (-1);
		r->qname[r->nquery] = pair;
		r->qvalue[r->nquery++] = eq;
	}
	return (0);
}

static int
is_json_type(const char *ct)
{
	size_t	n = strcspn(ct, ";");

	while (n > 0 && ct[n - 1] == ' ')
		n--;
	return ((n == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
	    (n > 5 && strncasecmp(ct + n - 5, "+json", 5) == 0));
}

/*
 * The body ceiling of r's route family.  Iceberg commits carry whole
 * schemas and many updates, so they keep the server-wide ceiling;
 * management calls and metrics reports are small, and refusing a large
 * one before it is parsed spares the several times its size a parsed
 * body takes.
 */
static size_t
family_limit(const struct pgl_req *r, const char **setting,
    enum pgl_limit *which)
{
	const char	*path = r->match.route->path;
	size_t		 n = strlen(path);

	if (!r->iceberg) {
		*setting = "PANGOLIN_MAX_MANAGEMENT_BODY_BYTES";
		*which = PGL_LIMIT_MANAGEMENT_BODY;
		return (app->max_management_body_bytes);
	}
	if (n >= 8 && strcmp(path + n - 8, "/metrics") == 0) {
		*setting = "PANGOLIN_MAX_METRICS_BODY_BYTES";
		*which = PGL_LIMIT_METRICS_BODY;
		return (app->max_metrics_body_bytes);
	}
	*setting = "PANGOLIN_MAX_BODY_BYTES";
	*which = PGL_LIMIT_BODY;
	return (app->max_body_bytes);
}

/* 415 / 413 / 400 for a route that takes a JSON body. */
static int
read_json_body(struct pgl_req *r)
{
	struct kore_buf	*b = r->http->http_body;
	const char	*ct = pgl_header(r, "content-type");
	const char	*setting;
	enum pgl_limit	 which;
	char		 why[256];
	size_t		 len = r->http->http_body_length, limit;

	if (b == NULL || len == 0) {
		/* Some bodies are optional (e.g. revoke); handlers decide. */
		return (0);
	}
	if (ct == NULL || !is_json_type(ct)) {
		pgl_reply_error(r, 415, "Content-Type must be application/json");
		return (-1);
	}
	if (len > app->max_body_bytes) {
		pgl_limit_hit(PGL_LIMIT_BODY, app->max_body_bytes);
		pgl_reply_error(r, 413, "request body exceeds %zu bytes",
		    app->max_body_bytes);
		return (-1);
	}
	if (len > (limit = family_limit(r, &setting, &which))) {
		pgl_limit_hit(which, limit);
		pgl_reply_ice_error(r, 413, "RequestTooLargeException",
		    "request body exceeds %zu bytes (%s)", limit, setting);
		return (-1);
	}
	if ((r->body = pgl_json_parse(b->data, len, why,
	    sizeof(why))) == NULL) {
		pgl_reply_error(r, 400, "%s", why);
		return (-1);
	}
	return (0);
}

/* The Allow value for the methods a path serves ("GET, HEAD, OPTIONS"). */
static void
allow_list(int allowed, char *buf, size_t size)
{
	static const int	order[] = { PGL_GET, PGL_HEAD, PGL_POST, PGL_PUT,
	    PGL_DELETE, PGL_PATCH, PGL_OPTIONS };
	size_t			i, len = 0;

	/* HEAD falls back to GET (router.c); OPTIONS is answered anywhere. */
	if (allowed & PGL_GET)
		allowed |= PGL_HEAD;
	allowed |= PGL_OPTIONS;
	buf[0] = '\0';
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if ((allowed & order[i]) && len < size)
			len += (size_t)snprintf(buf + len, size - len,
			    "%s%s", len > 0 ? ", " : "",
			    pgl_method_name(order[i]));
	}
}

/* RFC 9110 §15.5.6: a 405 lists the methods the path does serve. */
static void
set_allow(struct pgl_req *r, int allowed)
{
	char	buf[64];

	allow_list(allowed, buf, sizeof(buf));
	pgl_set_header(r, "allow", buf);
}

/* Path parameters become names and store keys: valid UTF-8 only. */
static int
params_utf8(const struct pgl_match *m)
{
	size_t	i;

	for (i = 0; i < m->nparams; i++) {
		if (!pgl_utf8_valid(m->values[i], strlen(m->values[i])))
			return (0);
	}
	return (1);
}

static void	serve(struct pgl_req *);

/* Everything between "request arrived" and "handler runs". */
static void
route(struct pgl_req *r)
{
	enum pgl_match_result	m;

	if (parse_query(r) == -1) {
		pgl_reply_error(r, 400, "malformed query string");
		return;
	}
	m = pgl_router_match(app->routes, app->nroutes, r->method, r->http->path,
	    &r->match);
	if (m == PGL_MATCH_OK && !params_utf8(&r->match))
		m = PGL_MATCH_BAD_PATH;
	switch (m) {
	case PGL_MATCH_OK:
		break;
	case PGL_MATCH_BAD_METHOD:
		set_allow(r, r->match.allowed);
		pgl_reply_error(r, 405, "method not allowed");
		return;
	case PGL_MATCH_BAD_PATH:
		pgl_reply_error(r, 400, "malformed path");
		return;
	default:
		pgl_reply_error(r, 404, "no such route: %s %.200s",
		    pgl_method_name(r->method), r->http->path);
		return;
	}
	switch (app->admit(r)) {
	case -1:
		return;
	case 1:
		pgl_req_pend(r);	/* pgl_http_admitted() goes on */
		return;
	}
	serve(r);
}

/* After admission: the body, then the application's serve step. */
static void
serve(struct pgl_req *r)
{
	if ((r->match.route->flags & ROUTE_JSON) && read_json_body(r) == -1)
		return;
	app->serve(r);
}

void
pgl_http_admitted(struct pgl_req *r)
{
	r->pending = 0;
	/* Refused meanwhile, or the client left: nothing is served. */
	if (r->status == 0 && !r->gone)
		serve(r);
	else if (r->status == 0)
		pgl_reply_error(r, 503, "the client left before admission");
	if (!r->pending)
		pgl_req_done(r);
}

/* Append s to buf at *at, within size (keeps room for nothing else). */
static void
put_str(char *buf, size_t size, size_t *at, const char *s)
{
	size_t	n = strlen(s);

	if (n > size - *at)
		n = size - *at;
	memcpy(buf + *at, s, n);
	*at += n;
}

static void
put_uint(char *buf, size_t size, size_t *at, uint64_t v, int width)
{
	char	digits[24];
	int	n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 || n < width);
	while (n > 0 && *at < size)
		buf[(*at)++] = digits[--n];
}

/* Microseconds as milliseconds with three decimals: "12.345". */
static void
put_ms(char *buf, size_t size, size_t *at, uint64_t us)
{
	put_uint(buf, size, at, us / 1000, 1);
	put_str(buf, size, at, ".");
	put_uint(buf, size, at, us % 1000, 3);
}

/*
 * The access line, formatted by hand: vfprintf showed in profiles.
 * "access method=GET route=/x status=200 duration_ms=0.123 request_id=..."
 */
static size_t
access_line(const struct pgl_req *r, uint64_t us, char *buf, size_t size)
{
	size_t	at = 0;

	put_str(buf, size, &at, "access method=");
	put_str(buf, size, &at, pgl_method_name(r->method));
	put_str(buf, size, &at, " route=");
	put_str(buf, size, &at, r->match.route != NULL ?
	    r->match.route->path : "-");
	put_str(buf, size, &at, " status=");
	put_uint(buf, size, &at, (uint64_t)r->status, 1);
	put_str(buf, size, &at, " duration_ms=");
	put_ms(buf, size, &at, us);
	put_str(buf, size, &at, " request_id=");
	put_str(buf, size, &at, r->request_id);
	return (at);
}

/*
 * The same, as JSON members for LOG_FORMAT=json (the log adds ts, level
 * and process): "msg":"access","method":…,"path":…,"route":…,"status":…,
 * "duration_ms":…,"request_id":…  The path is the one received, without
 * the query string; the route is its template.
 */
static size_t
access_json(const struct pgl_req *r, uint64_t us, char *buf, size_t size)
{
	size_t	at = 0;

	put_str(buf, size, &at, "\"msg\":\"access\",\"method\":\"");
	put_str(buf, size, &at, pgl_method_name(r->method));
	put_str(buf, size, &at, "\",\"path\":");
	/* The path may be long: leave room for the members after it. */
	pgl_log_json_str(buf, size > 400 ? size - 400 : size, &at,
	    pgl_req_path(r));
	put_str(buf, size, &at, ",\"route\":");
	pgl_log_json_str(buf, size, &at, r->match.route != NULL ?
	    r->match.route->path : "-");
	put_str(buf, size, &at, ",\"status\":");
	put_uint(buf, size, &at, (uint64_t)r->status, 1);
	put_str(buf, size, &at, ",\"duration_ms\":");
	put_ms(buf, size, &at, us);
	put_str(buf, size, &at, ",\"request_id\":");
	pgl_log_json_str(buf, size, &at, r->request_id);
	return (at);
}

static void
finish(struct pgl_req *r)
{
	uint64_t	us = pgl_now_us() - r->start_us;
	char		line[1024];

	pgl_metrics_observe(r->match.route != NULL ?
	    (size_t)(r->match.route - app->routes) + 1 : 0,
	    pgl_method_name(r->method), r->status, us);
	pgl_log_access(line, pgl_log_json() ?
	    access_json(r, us, line, sizeof(line)) :
	    access_line(r, us, line, sizeof(line)));
}

static void	(*second_fn)(void);

static void
log_tick(void *arg, uint64_t now)
{
	(void)arg;
	(void)now;
	pgl_log_tick();
	if (second_fn != NULL)
		second_fn();
}

void
pgl_http_every_second(void (*fn)(void))
{
	second_fn = fn;
}

/*
 * One descriptor the worker's event loop watches (pgl_http_watch): the
 * write pool's.  What its jobs' done() do (a group of commits' store
 * transaction, the next step of each) waits for the end of the turn,
 * after the requests that came in with it (pgl_worker_turn): a read
 * never waits behind a commit's store work that arrived at the same
 * time, only behind one turn's worth of it.
 */
static struct {
	struct kore_event	evt;	/* first: Kore casts to it */
	int			(*ready)(void);
	int			 pending;
	int			 more;	/* ready() left work */
} watched;

static void
watched_ready(void *arg, int error)
{
	(void)arg;
	(void)error;
	watched.pending = 1;
}

void
pgl_http_watch(int fd, int (*ready)(void))
{
	watched.evt.type = KORE_TYPE_TASK;	/* work off the thread */
	watched.evt.handle = watched_ready;
	watched.ready = ready;
	kore_platform_event_level_read(fd, &watched);
}

/* A one-shot watch: fd's readiness runs ready() once, at the end of a
 * turn; watched again by another call. */
static struct kore_event	once;

void
pgl_http_watch_once(int fd)
{
	once.type = KORE_TYPE_TASK;
	once.handle = watched_ready;
	kore_platform_event_schedule(fd, EPOLLIN | EPOLLRDHUP | EPOLLONESHOT,
	    0, &once);
}

void
pgl_http_watch_wake(void)
{
	watched.pending = 1;
}

static int	 soon_armed;

static void
soon_tick(void *arg, u_int64_t now)
{
	(void)arg;
	(void)now;
	soon_armed = 0;
	watched.pending = 1;
}

void
pgl_http_watch_soon(void)
{
	if (soon_armed || watched.ready == NULL)
		return;
	(void)kore_timer_add(soon_tick, 1, NULL, KORE_TIMER_ONESHOT);
	soon_armed = 1;
}

/* pgl_http_poll: a one-shot timer armed again while fn is set (a
 * repeating one could not be removed from its own callback). */
static void	(*poll_fn)(void);
static int	 poll_armed;

static void
poll_tick(void *arg, u_int64_t now)
{
	(void)arg;
	(void)now;
	poll_armed = 0;
	if (poll_fn != NULL)
		poll_fn();
	pgl_http_poll(poll_fn);
}

void
pgl_http_poll(void (*fn)(void))
{
	poll_fn = fn;
	if (fn == NULL || poll_armed)
		return;
	(void)kore_timer_add(poll_tick, 1, NULL, KORE_TIMER_ONESHOT);
	poll_armed = 1;
}

void
pgl_http_worker_start(void)
{
	/* Access lines buffered in a quiet second still go out. */
	(void)kore_timer_add(log_tick, 1000, NULL, 0);
}

void
pgl_http_worker_stop(void)
{
	pgl_log_flush();
}

void
pgl_http_init(const struct pgl_http_app *a)
{
	app = a;
}

const struct pgl_route *
pgl_http_routes(size_t *n)
{
	*n = app->nroutes;
	return (app->routes);
}

/* The reply chosen: send it (unless the client left), log, free r. */
static int
complete(struct pgl_req *r)
{
	int	status;

	if (r->after != NULL)
		r->after(r);
	/* Every path replies; a step that returned without one is a bug,
	 * answered as one rather than with status 0. */
	if (r->status == 0)
		pgl_reply_error(r, 500, "internal error: no reply");
	if (!r->gone) {
		pgl_reply_send(r);
	} else {
		status = r->status;
		pgl_reply_withdraw(r);
		r->status = status;
	}
	finish(r);
	json_decref(r->body);
	pgl_arena_free(r->arena);
	free(r);
	return (KORE_RESULT_OK);
}

/*
 * Kore frees a request whose connection went away, sleeping or not.  A
 * pending r stays for the work that will finish it (pgl_req_done); a
 * finished one not yet sent is logged and freed here.
 */
static void
on_free(struct http_request *hreq)
{
	struct pgl_req	*r = hreq->hdlr_extra;

	hreq->hdlr_extra = NULL;
	hreq->onfree = NULL;
	if (r == NULL)
		return;
	r->gone = 1;
	r->http = NULL;
	if (!r->pending)
		(void)complete(r);
}

static int
park(struct http_request *hreq, struct pgl_req *r)
{
	hreq->hdlr_extra = r;
	hreq->onfree = on_free;
	http_request_sleep(hreq);
	return (KORE_RESULT_RETRY);
}

void
pgl_req_pend(struct pgl_req *r)
{
	r->pending = 1;
}

/*
 * A request woken since the loop last looked: its reply is made by Kore's
 * http_process(), so the loop must not sleep in epoll first (a wake-up
 * from the end of a turn, pgl_worker_turn, comes after this turn's
 * http_process()).
 */
static int	woken;

void
pgl_req_done(struct pgl_req *r)
{
	r->pending = 0;
	woken = 1;
	if (r->gone)
		(void)complete(r);
	else
		http_request_wakeup(r->http);
}

/*
 * Work deferred with pgl_req_later(), first in first out.  The worker's
 * loop runs one piece per turn, after that turn's requests (the Kore
 * patch's pgl_worker_turn), so a request that arrives while long work
 * is under way waits for one piece, whoever's work it is.
 */
struct later {
	TAILQ_ENTRY(later)	 list;
	void			(*fn)(struct pgl_req *, void *);
	struct pgl_req		*r;
	void			*arg;
};

static TAILQ_HEAD(, later)	later_queue =
				    TAILQ_HEAD_INITIALIZER(later_queue);

int	pgl_worker_deferred(void);
void	pgl_worker_turn(void);

/* Kore's loop: 1 while deferred work waits (do not sleep in epoll). */
int
pgl_worker_deferred(void)
{
	int	w = woken;

	woken = 0;
	return (w || watched.pending || watched.more ||
	    !TAILQ_EMPTY(&later_queue));
}

/*
 * Kore's loop, once per turn: what the write pool finished, then the
 * oldest piece of deferred work.
 */
void
pgl_worker_turn(void)
{
	struct later	*l, one;

	if (watched.pending || watched.more) {
		watched.pending = 0;
		watched.more = watched.ready();
	}
	if ((l = TAILQ_FIRST(&later_queue)) == NULL)
		return;
	TAILQ_REMOVE(&later_queue, l, list);
	one = *l;
	free(l);
	one.fn(one.r, one.arg);
}

int
pgl_req_later(struct pgl_req *r, void (*fn)(struct pgl_req *, void *),
    void *arg)
{
	struct later	*l;

	if ((l = malloc(sizeof(*l))) == NULL)
		return (-1);
	l->fn = fn;
	l->r = r;
	l->arg = arg;
	TAILQ_INSERT_TAIL(&later_queue, l, list);
	pgl_req_pend(r);
	return (0);
}

/* Woken: the pending work replied (or woke it early: sleep again). */
static int
resume(struct http_request *hreq, struct pgl_req *r)
{
	if (r->pending) {
		http_request_sleep(hreq);
		return (KORE_RESULT_RETRY);
	}
	hreq->hdlr_extra = NULL;
	hreq->onfree = NULL;
	return (complete(r));
}

int
pgl_http_dispatch(struct http_request *hreq)
{
	struct pgl_req	*r;

	/* The Kore patch reads a connection's next request only once this
	 * one is answered (its item 7), so a pending reply keeps order. */
	if (hreq->hdlr_extra != NULL)
		return (resume(hreq, hreq->hdlr_extra));
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->arena = pgl_arena_new()) == NULL) {
		free(r);
		http_response(hreq, 503, NULL, 0);
		return (KORE_RESULT_OK);
	}
	r->http = hreq;
	r->start_us = pgl_now_us();
	r->arrived_us = pgl_conn_arrived_us(hreq->owner);
	if (r->arrived_us == 0 || r->arrived_us > r->start_us)
		r->arrived_us = r->start_us;
	r->method = pgl_method_parse(http_method_text(hreq->method));
	r->iceberg = strncmp(hreq->path, "/v1/", 4) == 0;
	set_request_id(r);
	set_cors(r);

	if (r->method == PGL_OPTIONS) {
		/* CORS preflight, answered for every path. */
		pgl_set_header(r, "access-control-allow-methods", CORS_METHODS);
		pgl_set_header(r, "access-control-allow-headers", CORS_HEADERS);
		pgl_set_header(r, "access-control-max-age", "600");
		pgl_reply_empty(r, 204);
	} else {
		route(r);
	}
	if (r->pending)
		return (park(hreq, r));
	return (complete(r));
}

/*
 * Errors Kore answers itself, before a request reaches the dispatcher
 * (413, 414, 431, malformed heads), get the headers every response
 * carries (called from the Kore patch, src/kore/0001-pangolin.patch).
 */
void
pgl_http_kore_error_headers(struct kore_buf *hdr)
{
	char	id[PGL_UUID_LEN + 1];

	pgl_uuid_new(id);
	kore_buf_appendf(hdr, "x-request-id: %s\r\n", id);
	if (app != NULL && strcmp(app->cors_origins, "*") == 0)
		kore_buf_appendf(hdr, "access-control-allow-origin: *\r\n");
}

int
pgl_http_head_route(const char *method, const char *path)
{
	static struct pgl_match	m;	/* 8 KiB: not on the stack */
	int			meth;

	if (app == NULL || (meth = pgl_method_parse(method)) <= 0 ||
	    pgl_router_match(app->routes, app->nroutes, meth, path, &m) !=
	    PGL_MATCH_OK)
		return (0);
	return (m.route->flags);
}

/*
 * An unknown method (Kore's patch, RFC 9110 §9.1): is the target's path
 * one the route table serves?  If so Kore answers 501 with this Allow
 * list, otherwise 400.  The query string is not part of the path.
 */
int
pgl_http_kore_allow(const char *target, char *allow, size_t size)
{
	struct pgl_match	*m;
	char			*path;
	size_t			 len = strcspn(target, "?");
	int			 allowed;

	if ((path = strndup(target, len)) == NULL ||
	    (m = malloc(sizeof(*m))) == NULL) {
		free(path);
		return (0);
	}
	/* Method 0 matches no route: the router collects every method of
	 * the paths that match (PGL_MATCH_BAD_METHOD). */
	allowed = app != NULL && pgl_router_match(app->routes, app->nroutes, 0,
	    path, m) == PGL_MATCH_BAD_METHOD ? m->allowed : 0;
	free(m);
	free(path);
	if (allowed == 0)
		return (0);
	allow_list(allowed, allow, size);
	return (1);
}
