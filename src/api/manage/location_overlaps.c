/*
 * GET /api/v1/catalogs/{name}/location-overlaps (root or a tenant admin):
 * the tables and views of the catalog whose locations overlap another's
 * (commit/overlaps.h), either way round, as pairs: each one lying in the
 * place of the other.  Every table owns its files (issue 67) from now
 * on; these are the overlaps of before, reported, never broken.
 */
#include <string.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/commit/overlaps.h"
#include "api/manage/manage.h"
#include "api/target.h"
#include "app/app.h"
#include "util/json.h"

#define LISTED_MAX	1000

struct listing {
	struct pgl_req	*r;
	const char	*catalog;
	json_t		*items;
	uint64_t	 total;
};

static json_t *
owner_json(struct pgl_req *r, const struct pgl_location_owner *o)
{
	json_t	*j;

	j = json_pack("{s:s,s:s,s:o,s:s,s:s,s:s}", "catalog", o->catalog,
	    "branch", o->branch, "namespace", ice_ns_json(o->ns), "name",
	    o->name, "kind", o->kind, "location", o->location);
	if (j != NULL)
		json_object_set_new(j, "dropped_id", api_str_or_null(
		    o->dropped_id));
	(void)r;
	return (j);
}

static int
one(void *arg, const struct pgl_location_owner *up,
    const struct pgl_location_owner *o)
{
	struct listing	*l = arg;

	if (strcmp(up->catalog, l->catalog) != 0 &&
	    strcmp(o->catalog, l->catalog) != 0)
		return (0);
	l->total++;
	if (json_array_size(l->items) < LISTED_MAX)
		json_array_append_new(l->items, json_pack("{s:o,s:o}",
		    "asset", owner_json(l->r, o), "inside", owner_json(l->r,
		    up)));
	return (0);
}

void
api_location_overlaps(struct pgl_req *r)
{
	struct pgl_catalog	 c;
	struct pgl_err		 err;
	struct listing		 l;
	const char		*name = pgl_param(r, "name");
	uint64_t		 found;

	if (api_get_catalog(r, r->tenant, name, &c, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Catalog '%.200s' not found", name);
		return;
	}
	l = (struct listing){ r, c.name, json_array(), 0 };
	if (ice_overlaps_walk(r->tenant, one, &l, &found, &err) != PGL_OK) {
		json_decref(l.items);
		pgl_reply_store_error(r, &err);
		return;
	}
	pgl_reply_json(r, 200, json_pack("{s:o,s:I,s:b}", "overlaps", l.items,
	    "total", (json_int_t)l.total, "truncated",
	    l.total > json_array_size(l.items)));
}
