/*
 * Every Iceberg call on a federated catalog (federation.h): the gate has
 * authorized it (routes.c's rule, as for a local catalog), and here it
 * becomes a pool job that calls the remote, while the request waits
 * (pgl_req_pend) and the worker serves others.  What is sent: the method,
 * the path after /v1/{prefix}/ (PyIceberg's doubled /v1 dropped) under
 * the remote's own prefix, the query, the body as received, and of the
 * caller's headers only those the Iceberg REST spec gives a meaning to a
 * catalog (Content-Type, Accept, If-None-Match, Idempotency-Key,
 * X-Iceberg-Access-Delegation), plus our request id.  The caller's own
 * credentials are never sent.  A tenant user's lists (namespaces, tables,
 * views) are filtered to what it may see, as local ones are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/federation/fed.h"
#include "api/federation/federation.h"
#include "app/app.h"
#include "metrics/metrics.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/names.h"

#define MAX_HEADERS	8

/* A call under way: the pool job and what its reply needs. */
struct call {
	struct fed_job	 j;		/* first: the job */
	struct pgl_req	*r;
	int		 config;	/* /config: the remote's, as ours */
	char		*config_json;
	struct fed_req	 q;
	char		*method, *suffix, *query;
	char		*hdrs[MAX_HEADERS + 1];
	void		*body;
};

static void
call_free(struct call *c)
{
	size_t	i;

	fed_conf_free(c->j.conf);
	fed_answer_free(&c->j.a);
	free(c->config_json);
	free(c->method);
	free(c->suffix);
	free(c->query);
	for (i = 0; i < MAX_HEADERS; i++)
		free(c->hdrs[i]);
	free(c->body);
	free(c);
}

/* A /config route: the remote's config is answered, not forwarded. */
static int
is_config(const char *path)
{
	size_t	n = strlen(path);

	return (n >= 7 && strcmp(path + n - 7, "/config") == 0);
}

/*
 * The raw path after /v1/{prefix}/ (and PyIceberg's second /v1/): the
 * router matched it segment by segment, so the segments stay as the
 * client escaped them.  NULL (after a 400) for a dot segment, which the
 * remote's URL handling could resolve upwards.
 */
static char *
suffix_of(struct pgl_req *r)
{
	const char	*p = pgl_req_path(r), *seg;
	int		 skip, i;
	size_t		 len;

	skip = strncmp(r->match.route->path, "/v1/{prefix}/v1/", 16) == 0 ?
	    3 : 2;
	for (i = 0; i < skip; i++) {
		p += *p == '/';
		p += strcspn(p, "/");
	}
	p += *p == '/';
	for (seg = p; *seg != '\0'; seg += len + (seg[len] == '/')) {
		len = strcspn(seg, "/");
		if ((len == 1 && seg[0] == '.') ||
		    (len == 2 && seg[0] == '.' && seg[1] == '.') || len == 0) {
			pgl_reply_ice_error(r, 400, "BadRequestException",
			    "empty, '.' and '..' path segments are not "
			    "forwarded");
			return (NULL);
		}
	}
	return (strdup(p));
}

/* The query as received, escaped again from its decoded pairs. */
static char *
query_of(const struct pgl_req *r)
{
	char	*out = NULL, *n, *v, *grown;
	size_t	 i;

	for (i = 0; i < r->nquery; i++) {
		n = fed_escape(r->qname[i], 0);
		v = fed_escape(r->qvalue[i], 0);
		if (n == NULL || v == NULL || asprintf(&grown, "%s%s%s=%s",
		    out != NULL ? out : "", out != NULL ? "&" : "", n, v) ==
		    -1)
			grown = NULL;
		free(n);
		free(v);
		free(out);
		if ((out = grown) == NULL)
			return (NULL);
	}
	return (out);
}

/* The caller's headers a remote catalog may act on, and our id. */
static int
headers_of(struct pgl_req *r, struct call *c)
{
	static const char *const pass[] = { "Content-Type", "Accept",
	    "If-None-Match", "Idempotency-Key", "X-Iceberg-Access-Delegation" };
	const char	*v;
	size_t		 i, n = 0;

	for (i = 0; i < sizeof(pass) / sizeof(pass[0]); i++) {
		if ((v = pgl_header(r, pass[i])) == NULL)
			continue;
		if (asprintf(&c->hdrs[n++], "%s: %s", pass[i], v) == -1)
			return (-1);
	}
	if (pgl_header(r, "Accept") == NULL &&
	    (c->hdrs[n++] = strdup("Accept: application/json")) == NULL)
		return (-1);
	if (asprintf(&c->hdrs[n++], "X-Request-Id: %s", r->request_id) == -1)
		return (-1);
	c->hdrs[n] = NULL;
	return (0);
}

/* The request as the pool job will send it; -1 after a reply. */
static int
build(struct pgl_req *r, struct call *c)
{
	const char	*body;
	size_t		 len;

	if ((c->suffix = suffix_of(r)) == NULL)
		return (-1);
	body = pgl_req_body_raw(r, &len);
	c->method = strdup(pgl_method_name(r->method));
	c->query = query_of(r);
	/* A copy: the request's buffer goes if the client leaves. */
	if ((len > 0 || r->method == PGL_POST || r->method == PGL_PUT) &&
	    (c->body = malloc(len + 1)) != NULL) {
		memcpy(c->body, body, len);
		c->q.body = c->body;
		c->q.len = len;
	}
	if (c->method == NULL || (r->nquery > 0 && c->query == NULL) ||
	    ((len > 0 || r->method == PGL_POST || r->method == PGL_PUT) &&
	    c->body == NULL) || headers_of(r, c) == -1) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	c->q.method = c->method;
	c->q.suffix = c->suffix;
	c->q.query = c->query;
	c->q.headers = (const char *const *)c->hdrs;
	return (0);
}

/* On a pool thread. */
static void
run_call(struct fed_job *j)
{
	struct call	*c = (struct call *)j;

	(void)fed_remote_call(j->conf, &c->q, &j->a);
}

static void
run_config(struct fed_job *j)
{
	struct call	*c = (struct call *)j;

	(void)fed_remote_config(j->conf, 0, &c->config_json, &j->a);
}

/* levels of a JSON array joined by the namespace separator (arena). */
static const char *
joined(struct pgl_req *r, const json_t *levels)
{
	json_t	*v;
	size_t	 i, len = 1;
	char	*out;

	json_array_foreach(levels, i, v) {
		if (!json_is_string(v))
			return (NULL);
		len += strlen(json_string_value(v)) + 1;
	}
	if ((out = pgl_arena_alloc(r->arena, len)) == NULL)
		return (NULL);
	out[0] = '\0';
	json_array_foreach(levels, i, v) {
		if (i > 0)
			strcat(out, PGL_NS_SEP_STR);
		strcat(out, json_string_value(v));
	}
	return (out);
}

/*
 * A tenant user's list holds what it may see (as a local list does):
 * namespaces, and tables or views by their namespace.
 */
static void
filter_list(struct pgl_req *r, struct fed_answer *a)
{
	const char	*path = r->match.route->path, *key, *ns;
	size_t		 n = strlen(path), i;
	json_t		*j, *arr, *keep, *v;
	char		*text;
	int		 is_ns;

	is_ns = n >= 11 && strcmp(path + n - 11, "/namespaces") == 0;
	if (api_is_admin(r) || r->method != PGL_GET || a->status != 200 ||
	    (!is_ns && (n < 7 || (strcmp(path + n - 7, "/tables") != 0 &&
	    strcmp(path + n - 6, "/views") != 0))))
		return;
	key = is_ns ? "namespaces" : "identifiers";
	if ((j = json_loadb(a->body != NULL ? a->body : "", a->len, 0,
	    NULL)) == NULL || !json_is_array(arr = json_object_get(j, key))) {
		json_decref(j);
		return;
	}
	keep = json_array();
	json_array_foreach(arr, i, v) {
		ns = joined(r, is_ns ? v : json_object_get(v, "namespace"));
		if (ns != NULL && api_sees(r, &(struct pgl_target){
		    r->app->catalog.id, ns, "", NULL, 0, 0 }))
			json_array_append(keep, v);
	}
	json_object_set_new(j, key, keep);
	if ((text = pgl_json_dump(j)) != NULL) {
		free(a->body);
		a->body = text;
		a->len = strlen(text);
	}
	json_decref(j);
}

/* On the worker's thread, once the call is over. */
static void
called(struct fed_job *j, int stopped)
{
	struct call	*c = (struct call *)j;
	struct pgl_req	*r = c->r;

	if (stopped && j->a.status == 0 && j->a.fail == FED_OK) {
		j->a.fail = FED_FAIL_STOPPED;
		(void)snprintf(j->a.why, sizeof(j->a.why), "the server is "
		    "stopping");
	}
	pgl_metrics_add(PGL_C_FED_CALLS, 1);
	if (j->a.status == 0)
		pgl_metrics_add(PGL_C_FED_FAILED, 1);
	if (r->gone)
		;	/* nobody to answer: the call's effect stands */
	else if (j->a.status == 0)
		fed_reply_failure(r, j->conf, &j->a);
	else if (c->config)
		fed_reply_config(r, j->conf, c->config_json);
	else {
		filter_list(r, &j->a);
		fed_reply_relay(r, j->conf, &j->a);
	}
	call_free(c);
	pgl_req_done(r);
}

/* The config this process holds, if fresh: answered with no job. */
static int
config_held(struct pgl_req *r, const struct fed_conf *f)
{
	int64_t	 ttl = (int64_t)pgl_app.cfg->federation.config_ttl_secs * 1000;
	char	*json;

	if ((json = fed_session_config(f->key, ttl)) == NULL)
		return (0);
	fed_reply_config(r, f, json);
	free(json);
	return (1);
}

void
api_fed_forward(struct pgl_req *r)
{
	struct call	*c;
	int		 retry;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	c->r = r;
	c->config = is_config(r->match.route->path);
	if ((c->j.conf = fed_conf_load(r, &r->app->catalog)) == NULL ||
	    (c->config && config_held(r, c->j.conf)) ||
	    (!c->config && build(r, c) == -1)) {
		call_free(c);
		return;
	}
	c->j.run = c->config ? run_config : run_call;
	c->j.done = called;
	if (fed_submit(&c->j, &retry) == -1) {
		pgl_metrics_add(PGL_C_FED_REFUSED, 1);
		pgl_set_header(r, "retry-after", pgl_arena_printf(r->arena,
		    "%d", retry));
		pgl_reply_ice_error(r, 503, "ServiceUnavailableException",
		    "federated catalog '%.200s': its remote catalog %.200s "
		    "is not called now: %s", c->j.conf->catalog,
		    c->j.conf->origin, c->j.a.why);
		call_free(c);
		return;
	}
	pgl_req_pend(r);
}

void
api_fed_refuse(struct pgl_req *r)
{
	(void)api_local_catalog(r, &r->app->catalog);
}
