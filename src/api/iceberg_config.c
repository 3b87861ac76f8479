/*
 * GET /v1/config and /v1/{prefix}/config.  `?warehouse=` (or the path's
 * prefix) names a catalog of the caller's tenant, which becomes the
 * `prefix` override; `endpoints` lists every /v1/{prefix} route in the
 * route table, so Java clients use views and HEAD.
 */
#include <string.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/iceberg.h"
#include "api/routes.h"
#include "app.h"

#define IDEMPOTENCY_LIFETIME	"PT30M"

static json_t *
endpoints(void)
{
	json_t		*arr = json_array();
	const char	*p;
	char		 buf[256];
	size_t		 i;
	int		 m;

	for (i = 0; i < pgl_nroutes; i++) {
		p = pgl_routes[i].path;
		/* The doubled PyIceberg aliases are not spec paths. */
		if (strncmp(p, "/v1/{prefix}/", 13) != 0 ||
		    strncmp(p, "/v1/{prefix}/v1/", 16) == 0)
			continue;
		for (m = PGL_GET; m <= PGL_PATCH; m <<= 1) {
			if (!(pgl_routes[i].method & m))
				continue;
			(void)snprintf(buf, sizeof(buf), "%s %s",
			    pgl_method_name(m), p);
			json_array_append_new(arr, json_string(buf));
		}
	}
	return (arr);
}

void
ice_config(struct pgl_req *r)
{
	struct pgl_catalog	 c;
	struct pgl_err		 err;
	const char		*name = pgl_param(r, "prefix");
	json_t			*overrides = json_object();

	if (name == NULL)
		name = pgl_query(r, "warehouse");
	if (name != NULL && *name != '\0') {
		if (api_get_catalog(r, r->tenant, name, &c, &err) !=
		    PGL_OK) {
			json_decref(overrides);
			if (err.code == PGL_ENOTFOUND)
				pgl_reply_ice_error(r, 404, "NotFoundException",
				    "Catalog '%.200s' not found", name);
			else
				pgl_reply_store_error(r, &err);
			return;
		}
		json_object_set_new(overrides, "prefix", json_string(c.name));
	}
	pgl_reply_json(r, 200, json_pack("{s:{},s:o,s:o,s:s}", "defaults",
	    "overrides", overrides, "endpoints", endpoints(),
	    "idempotency-key-lifetime", IDEMPOTENCY_LIFETIME));
}
