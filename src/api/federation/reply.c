/*
 * A remote's answer as ours (fed.h).  Its status, body, Content-Type and
 * ETag are relayed as they came, with three exceptions that keep our
 * contract (every error JSON, pangolin-api.md's first section): an error
 * whose body is not an Iceberg error envelope gets one; a 401 means the
 * remote refused the catalog's configured credentials, not the caller's,
 * so it is our 502 (a client told 401 would sign in to us again, in
 * vain); and a redirect is not followed nor relayed (502).  No answer at
 * all is 502, 504 past the timeout, 503 while the server stops, each
 * naming the catalog and the remote's origin, never its reply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/federation/fed.h"
#include "http/dispatch.h"
#include "util/arena.h"
#include "util/json.h"

void
fed_reply_failure(struct pgl_req *r, const struct fed_conf *f,
    const struct fed_answer *a)
{
	int		 status = 502;
	const char	*type = "BadGatewayException";

	if (a->fail == FED_FAIL_TIMEOUT) {
		status = 504;
		type = "GatewayTimeoutException";
	} else if (a->fail == FED_FAIL_STOPPED) {
		status = 503;
		type = "ServiceUnavailableException";
	}
	pgl_reply_ice_error(r, status, type, "federated catalog '%.200s': "
	    "its remote catalog %.200s: %s", f->catalog, f->origin, a->why);
}

/* 1 if body is an Iceberg error envelope {"error":{"message",...}}. */
static int
is_envelope(const char *body, size_t len)
{
	json_t	*j, *e;
	int	 ok;

	if (body == NULL || (j = json_loadb(body, len, 0, NULL)) == NULL)
		return (0);
	e = json_object_get(j, "error");
	ok = json_is_object(e) &&
	    json_is_string(json_object_get(e, "message"));
	json_decref(j);
	return (ok);
}

/* 1 if ctype is JSON (application/json, or a +json type), or not given. */
static int
is_json_type(const char *ctype)
{
	size_t	n = strcspn(ctype, "; ");

	return (n == 0 || (n == 16 && strncasecmp(ctype, "application/json",
	    16) == 0) || (n > 5 && strncasecmp(ctype + n - 5, "+json", 5) ==
	    0));
}

/* The Content-Type to send: the remote's, or JSON; in the arena. */
static const char *
ctype_of(struct pgl_req *r, const struct fed_answer *a)
{
	if (a->ctype[0] == '\0')
		return ("application/json");
	return (pgl_arena_strdup(r->arena, a->ctype));
}

void
fed_reply_relay(struct pgl_req *r, const struct fed_conf *f,
    struct fed_answer *a)
{
	long	s = a->status;

	if (s == 401) {
		pgl_reply_ice_error(r, 502, "BadGatewayException", "federated "
		    "catalog '%.200s': its remote catalog %.200s refused the "
		    "configured credentials (HTTP 401)", f->catalog, f->origin);
		return;
	}
	if (s < 200 || s > 599 || (s >= 300 && s < 400 && s != 304)) {
		pgl_reply_ice_error(r, 502, "BadGatewayException", "federated "
		    "catalog '%.200s': its remote catalog %.200s answered HTTP "
		    "%ld, which is not relayed", f->catalog, f->origin, s);
		return;
	}
	if (a->etag[0] != '\0')
		pgl_set_header(r, "etag", pgl_arena_strdup(r->arena, a->etag));
	if (s >= 400 && !is_envelope(a->body, a->len)) {
		pgl_reply_ice_error(r, (int)s, "RemoteCatalogException",
		    "federated catalog '%.200s': its remote catalog answered "
		    "HTTP %ld", f->catalog, s);
		return;
	}
	if (a->body == NULL || a->len == 0 || r->method == PGL_HEAD ||
	    s == 204 || s == 304) {
		pgl_reply_empty(r, (int)s);
		return;
	}
	/* Catalogs answer JSON: anything else is not relayed, so that a
	 * remote is a catalog to its callers, never a way to fetch pages. */
	if (!is_json_type(a->ctype)) {
		pgl_reply_ice_error(r, 502, "BadGatewayException", "federated "
		    "catalog '%.200s': its remote catalog %.200s answered HTTP "
		    "%ld with a body that is not JSON", f->catalog, f->origin,
		    s);
		return;
	}
	pgl_reply_malloc(r, (int)s, ctype_of(r, a), a->body, a->len);
	a->body = NULL;
	a->len = 0;
}

/* 1 if "METHOD /v1/{prefix}/..." is a route we forward. */
static int
forwarded(const char *endpoint)
{
	const struct pgl_route	*routes;
	const char		*sp = strchr(endpoint, ' ');
	char			 method[16];
	size_t			 i, n;
	int			 m;

	if (sp == NULL || (size_t)(sp - endpoint) >= sizeof(method))
		return (0);
	(void)snprintf(method, sizeof(method), "%.*s", (int)(sp - endpoint),
	    endpoint);
	if ((m = pgl_method_parse(method)) <= 0)
		return (0);
	routes = pgl_http_routes(&n);
	for (i = 0; i < n; i++) {
		if (routes[i].remote != NULL && (routes[i].method & m) &&
		    strcmp(routes[i].path, sp + 1) == 0)
			return (1);
	}
	return (0);
}

/* The remote's endpoints that we forward (a client calls us for them). */
static json_t *
endpoints(const json_t *theirs)
{
	json_t		*out = json_array(), *v;
	size_t		 i;

	json_array_foreach(theirs, i, v) {
		if (json_is_string(v) && forwarded(json_string_value(v)))
			json_array_append(out, v);
	}
	return (out);
}

void
fed_reply_config(struct pgl_req *r, const struct fed_conf *f,
    const char *json)
{
	json_t	*theirs = pgl_json_load_or(json, json_object());
	json_t	*defaults = json_object_get(theirs, "defaults");
	json_t	*overrides = json_object_get(theirs, "overrides");
	json_t	*out, *v;

	defaults = json_is_object(defaults) ? json_deep_copy(defaults) :
	    json_object();
	overrides = json_is_object(overrides) ? json_deep_copy(overrides) :
	    json_object();
	/* Clients keep calling us, under our prefix: never the remote's
	 * own uri or prefix.  Nor a secret it gave us, signed in as the
	 * catalog (its token, an object store's keys): whoever may read
	 * the catalog is not the catalog; a mask would be taken for the
	 * value, so such keys are left out (mask.c). */
	fed_props_drop(defaults);
	fed_props_drop(overrides);
	(void)json_object_del(defaults, "uri");
	(void)json_object_del(defaults, "prefix");
	(void)json_object_del(overrides, "uri");
	json_object_set_new(overrides, "prefix", json_string(f->catalog));
	out = json_pack("{s:o,s:o}", "defaults", defaults, "overrides",
	    overrides);
	if (out != NULL && json_is_array(v = json_object_get(theirs,
	    "endpoints")))
		json_object_set_new(out, "endpoints", endpoints(v));
	if (out != NULL && json_is_string(v = json_object_get(theirs,
	    "idempotency-key-lifetime")))
		json_object_set(out, "idempotency-key-lifetime", v);
	json_decref(theirs);
	pgl_reply_json(r, 200, out);
}
