/*
 * Assets as the management API names them, and the business metadata
 * authorization reads of them (asset_ref.h).  What a lookup finds is
 * kept in r->app, so the gate's authorization and the handler read each
 * row once.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/asset_ref.h"
#include "api/config_cache.h"
#include "api/placement/placement.h"
#include "api/request/req_app.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"

#define ID_MAX	128

int
api_mgmt_catalog(struct pgl_req *r, struct pgl_catalog *c,
    struct pgl_err *err)
{
	const char	*name = pgl_param(r, "name");
	int		 rc;

	if (r->app->have_catalog && strcmp(r->app->catalog.name, name) == 0) {
		*c = r->app->catalog;
		return (PGL_OK);
	}
	if ((rc = api_get_catalog(r, r->tenant, name, c, err)) == PGL_OK) {
		r->app->catalog = *c;
		r->app->have_catalog = 1;
	}
	return (rc);
}

/* "a.b" (or "a\x1fb", as /v1 spells it) as the store's "a\x1fb". */
static char *
levels(struct pgl_req *r, const char *raw)
{
	char	*ns, *p;

	if ((ns = pgl_arena_strdup(r->arena, raw)) == NULL ||
	    strchr(ns, PGL_NS_SEP) != NULL)
		return (ns);
	for (p = ns; *p != '\0'; p++) {
		if (*p == '.')
			*p = PGL_NS_SEP;
	}
	return (ns);
}

int
api_mgmt_ns(struct pgl_req *r, struct ice_target *t)
{
	const char	*branch = NULL, *q = pgl_query(r, "branch");
	char		*raw;

	if ((raw = levels(r, pgl_param(r, "namespace"))) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	if (ice_parse_ns(r, raw, &t->ns, &branch) == -1)
		return (-1);
	if (branch == NULL && q != NULL) {
		if (pgl_req_name(r, "branch", q) == -1)
			return (-1);
		branch = q;
	}
	t->branch = branch != NULL ? branch : ICE_DEFAULT_BRANCH;
	return (0);
}

int
api_mgmt_target(struct pgl_req *r, const char *name_param,
    struct ice_target *t)
{
	struct pgl_err	 err;
	const char	*why;

	memset(t, 0, sizeof(*t));
	if (api_mgmt_catalog(r, &t->catalog, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Catalog '%.200s' not found",
		    pgl_param(r, "name"));
		return (-1);
	}
	if ((why = api_placement_serving(r, &t->catalog)) != NULL) {
		pgl_reply_error(r, 409, "%s", why);
		return (-1);
	}
	if (api_mgmt_ns(r, t) == -1)
		return (-1);
	if (name_param != NULL) {
		t->name = pgl_param(r, name_param);
		if (pgl_req_name(r, name_param, t->name) == -1)
			return (-1);
	}
	return (0);
}

int
api_asset_find(struct pgl_req *r, const char *id, struct pgl_asset *a,
    struct pgl_catalog *c, struct pgl_err *err)
{
	int	rc;

	/* Ids are UUIDs; anything long is simply not one of ours.  One the
	 * caller does not see is not one of its (authz.c, scope_hidden). */
	if (strlen(id) > ID_MAX || (r->app->hidden_asset != NULL &&
	    strcmp(r->app->hidden_asset, id) == 0)) {
		err->code = PGL_ENOTFOUND;
		(void)snprintf(err->msg, sizeof(err->msg), "asset not found");
		return (PGL_ENOTFOUND);
	}
	if (r->app->have_asset && r->app->asset.id != NULL &&
	    strcmp(r->app->asset.id, id) == 0)
		*a = r->app->asset;
	else if ((rc = STORE(get_asset_by_id, r->arena, r->tenant, id, a,
	    err)) != PGL_OK)
		return (rc);
	r->app->asset = *a;
	r->app->have_asset = 1;
	if (r->app->have_catalog && strcmp(r->app->catalog.name,
	    a->catalog) == 0) {
		*c = r->app->catalog;
		return (PGL_OK);
	}
	if ((rc = api_get_catalog(r, r->tenant, a->catalog, c, err)) ==
	    PGL_OK) {
		r->app->catalog = *c;
		r->app->have_catalog = 1;
	}
	return (rc);
}

int
api_asset_by_id(struct pgl_req *r, const char *id, struct pgl_asset *a,
    struct pgl_catalog *c)
{
	struct pgl_err	err;

	if (api_asset_find(r, id, a, c, &err) == PGL_OK)
		return (0);
	pgl_reply_missing(r, &err, "Asset not found");
	return (-1);
}

int
api_asset_metadata(struct pgl_req *r, const char *asset_id,
    const struct pgl_business_metadata **m)
{
	struct pgl_req_app	*app = r->app;
	struct pgl_err		 err;
	int			 rc;

	*m = NULL;
	if (app->have_bm && app->bm.asset_id != NULL &&
	    strcmp(app->bm.asset_id, asset_id) == 0) {
		*m = app->bm_found ? &app->bm : NULL;
		return (app->bm_found);
	}
	if (pgl_app.db->get_business_metadata == NULL)
		return (0);	/* an older plugin: no metadata */
	memset(&app->bm, 0, sizeof(app->bm));
	rc = STORE(get_business_metadata, r->arena, r->tenant, asset_id,
	    &app->bm, &err);
	if (rc != PGL_OK && rc != PGL_ENOTFOUND) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	app->bm.asset_id = pgl_arena_strdup(r->arena, asset_id);
	app->have_bm = 1;
	app->bm_found = rc == PGL_OK;
	*m = app->bm_found ? &app->bm : NULL;
	return (app->bm_found);
}

size_t
api_tags_parse(struct pgl_req *r, const char *json, const char *const **tags)
{
	json_t		*arr = pgl_json_load_or(json, NULL), *v;
	const char	**out;
	size_t		 i, n = 0;

	*tags = NULL;
	if (!json_is_array(arr) || (out = pgl_arena_alloc(r->arena,
	    (json_array_size(arr) + 1) * sizeof(*out))) == NULL) {
		json_decref(arr);
		return (0);
	}
	json_array_foreach(arr, i, v) {
		if (json_is_string(v) && (out[n] = pgl_arena_strdup(r->arena,
		    json_string_value(v))) != NULL)
			n++;
	}
	json_decref(arr);
	*tags = out;
	return (n);
}

int
api_target_metadata(struct pgl_req *r, struct pgl_target *t)
{
	const struct pgl_business_metadata	*m;
	int					 rc;

	if (t->asset_id == NULL || *t->asset_id == '\0')
		return (0);
	if ((rc = api_asset_metadata(r, t->asset_id, &m)) <= 0)
		return (rc);
	t->ntags = api_tags_parse(r, m->tags, &t->tags);
	t->discoverable = m->discoverable;
	return (0);
}

void
api_asset_target(const struct pgl_asset *a, const struct pgl_catalog *c,
    struct pgl_target *t)
{
	memset(t, 0, sizeof(*t));
	t->catalog_id = c->id;
	t->ns = a->ns;
	t->asset_id = a->id;
}
