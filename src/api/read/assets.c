/*
 * The asset rows behind Iceberg tables and views as a reader finds them
 * (ARCHITECTURE.md §14): one of a kind at a target (404 of its kind),
 * from the authorization step's read of the same row when it made one,
 * or as the store has it now (a commit's retry after a lost race); and
 * whether a branch exists.  Writers (create, drop) are the commit room's
 * (commit/assets.c).
 */
#include <string.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/read/read.h"
#include "api/request/req_app.h"
#include "api/target.h"
#include "app/app.h"

#define KIND_VIEW	"VIEW"
#define KIND_FUNCTION	"FUNCTION"

const char *
ice_asset_noun(const char *kind)
{
	if (kind != NULL && strcmp(kind, KIND_VIEW) == 0)
		return ("view");
	if (kind != NULL && strcmp(kind, KIND_FUNCTION) == 0)
		return ("function");
	return ("table");
}

/*
 * The asset of that kind at t; replies 404 (of the kind's type) if
 * absent.  cached: the authorization step's read of the same row will
 * do (a retry after a lost race needs the row as it is now).
 */
static int
find(struct pgl_req *r, const struct ice_target *t, const char *kind,
    struct pgl_asset *a, int cached)
{
	struct pgl_err	err;
	int		rc;

	if (cached && r->app != NULL && r->app->have_asset &&
	    ice_same_asset(&r->app->asset, t)) {
		*a = r->app->asset;
		rc = PGL_OK;
	} else {
		/* The row as it is now, not as of the request's arrival. */
		if (!cached)
			api_store_read_after(0);
		rc = STORE(get_asset, r->arena, r->tenant, t->catalog.name,
		    t->branch, t->ns, t->name, a, &err);
	}
	if (rc == PGL_OK && strcmp(a->kind, kind) == 0)
		return (0);
	if (rc == PGL_OK || err.code == PGL_ENOTFOUND) {
		if (strcmp(kind, KIND_FUNCTION) == 0)
			pgl_reply_ice_error(r, 404, "NoSuchFunctionException",
			    "Function does not exist: %s", ice_dotted(r, t->ns,
			    t->name));
		else if (strcmp(kind, KIND_VIEW) == 0)
			pgl_reply_ice_error(r, 404, "NoSuchViewException",
			    "View does not exist: %s", ice_dotted(r, t->ns,
			    t->name));
		else
			pgl_reply_ice_error(r, 404, "NoSuchTableException",
			    "Table does not exist: %s", ice_dotted(r, t->ns,
			    t->name));
		return (-1);
	}
	pgl_reply_store_error(r, &err);
	return (-1);
}

int
ice_find_asset(struct pgl_req *r, const struct ice_target *t, const char *kind,
    struct pgl_asset *a)
{
	return (find(r, t, kind, a, 1));
}

int
ice_reload_asset(struct pgl_req *r, const struct ice_target *t,
    const char *kind, struct pgl_asset *a)
{
	return (find(r, t, kind, a, 0));
}

int
ice_branch_exists(struct pgl_req *r, const struct ice_target *t)
{
	struct pgl_branch	b;
	struct pgl_err		err;

	if (STORE(get_branch, r->arena, r->tenant, t->catalog.name, t->branch,
	    &b, &err) == PGL_OK)
		return (1);
	if (err.code == PGL_ENOTFOUND)
		pgl_reply_ice_error(r, 404, "NotFoundException",
		    "Branch '%.200s' not found", t->branch);
	else
		pgl_reply_store_error(r, &err);
	return (0);
}
