/*
 * GET /v1/config and /v1/{prefix}/config.  `?warehouse=` (or the path's
 * prefix) names a catalog of the caller's tenant, which becomes the
 * `prefix` override; `endpoints` lists every /v1/{prefix} route in the
 * route table, so Java clients use views and HEAD.
 */
#include <string.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/rest/rest.h"
#include "app/app.h"
#include "http/dispatch.h"
#include "util/json.h"
#include "util/jw.h"

#define IDEMPOTENCY_LIFETIME	"PT30M"

static json_t *
endpoints(void)
{
	json_t			*arr = json_array();
	const struct pgl_route	*routes;
	const char		*p;
	char			 buf[256];
	size_t			 i, n;
	int			 m;

	routes = pgl_http_routes(&n);
	for (i = 0; i < n; i++) {
		p = routes[i].path;
		/* The doubled PyIceberg aliases are not spec paths. */
		if (strncmp(p, "/v1/{prefix}/", 13) != 0 ||
		    strncmp(p, "/v1/{prefix}/v1/", 16) == 0)
			continue;
		for (m = PGL_GET; m <= PGL_PATCH; m <<= 1) {
			if (!(routes[i].method & m))
				continue;
			(void)snprintf(buf, sizeof(buf), "%s %s",
			    pgl_method_name(m), p);
			json_array_append_new(arr, json_string(buf));
		}
	}
	return (arr);
}

/*
 * The endpoints list as JSON text, made once per process: the route
 * table never changes, and serialising it per request was most of this
 * route's time.  NULL if memory ran out (then made again next time).
 */
static const char *
endpoints_text(void)
{
	static char	*text;
	json_t		*arr;

	if (text == NULL && (arr = endpoints()) != NULL) {
		text = pgl_json_dump(arr);
		json_decref(arr);
	}
	return (text);
}

void
ice_config(struct pgl_req *r)
{
	struct pgl_catalog	 c;
	struct pgl_err		 err;
	struct pgl_jw		 w;
	const char		*name = pgl_param(r, "prefix");

	if (name == NULL)
		name = pgl_query(r, "warehouse");
	if (name != NULL && *name != '\0') {
		if (api_get_catalog(r, r->tenant, name, &c, &err) !=
		    PGL_OK) {
			if (err.code == PGL_ENOTFOUND)
				pgl_reply_ice_error(r, 404, "NotFoundException",
				    "Catalog '%.200s' not found", name);
			else
				pgl_reply_store_error(r, &err);
			return;
		}
	} else {
		name = NULL;
	}
	jw_init(&w);
	jw_open(&w, '{');
	jw_json(&w, "defaults", "{}", "{}");
	jw_raw(&w, ",\"overrides\":");
	jw_open(&w, '{');
	if (name != NULL)
		jw_str(&w, "prefix", c.name);
	jw_close(&w, '}');
	jw_json(&w, "endpoints", endpoints_text(), "[]");
	jw_str(&w, "idempotency-key-lifetime", IDEMPOTENCY_LIFETIME);
	jw_close(&w, '}');
	if (endpoints_text() == NULL)
		w.oom = 1;
	pgl_reply_jw(r, 200, &w);
}
