/*
 * Data policies as a reader reads them (issue 46, ARCHITECTURE.md §11,
 * §14): whether a tenant has any (one cached check, so a tenant without
 * policies pays nothing on the hot paths), a catalog's policies, and
 * their resolution for a principal on a table, which the caller's read
 * restrictions (restrictions.c), the explanation and the commit's schema
 * check (commit/policy_guard.c) are made of.
 *
 * The cached answer is kept in the config cache under the shared config
 * epoch (config_cache.h): every committed management change, a policy's
 * among them, bumps it on every worker, and other replicas hear of it
 * through the store's announcements or within the cache's TTL.
 */
#include <string.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/read/policies.h"
#include "api/request/req_app.h"
#include "app/app.h"
#include "auth/grant_cache.h"
#include "plugin/loader.h"
#include "policy/policy.h"

#define WHAT_ANY	"policies-any"

int
ice_policies_any(struct pgl_req *r)
{
	struct pgl_policy	*ps;
	struct pgl_page		 one = { 1, 0, NULL };
	struct pgl_err		 err;
	const char		*body;
	size_t			 len, n;
	uint64_t		 total = 0, epoch;

	if (!pgl_store_has_policies(pgl_app.db) || r->tenant[0] == '\0')
		return (0);
	if (api_list_cached(r, r->tenant, WHAT_ANY, &body, &len, &total) == 0)
		return (total > 0);
	/* The epoch first: a change committed meanwhile bumps it past. */
	epoch = pgl_grant_epoch();
	if (STORE(list_policies, r->arena, r->tenant, NULL, &one, &ps, &n,
	    &total, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	api_list_keep(r->tenant, WHAT_ANY, epoch, "", 0, total);
	return (total > 0);
}

int
ice_policies_of_catalog(struct pgl_req *r, const char *catalog,
    struct pgl_policy **ps, size_t *n)
{
	struct pgl_page	all = { 0, 0, NULL };
	struct pgl_err	err;

	*ps = NULL;
	*n = 0;
	if (STORE(list_policies, r->arena, r->tenant, catalog, &all, ps, n,
	    NULL, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	return (0);
}

/*
 * The row asset_id was copied from, when it is a branch's own copy of a
 * table (copy-on-write: its first change on the branch) and the request's
 * authorization step read it: NULL otherwise.  Such a copy keeps no column
 * tags of its own unless they were set on it, and its origin's hold for
 * it, as its labels do (labels.c): a tag policy does not stop at a commit
 * on a branch.
 */
static const char *
origin_of(struct pgl_req *r, const char *asset_id)
{
	const struct pgl_asset	*a;

	if (r->app == NULL || !r->app->have_asset)
		return (NULL);
	a = &r->app->asset;
	if (a->id == NULL || a->origin == NULL ||
	    strcmp(a->id, asset_id) != 0 || strcmp(a->origin, asset_id) == 0)
		return (NULL);
	return (a->origin);
}

int
ice_policy_resolve(struct pgl_req *r, const char *catalog, const char *ns,
    const char *name, const char *asset_id, const json_t *md,
    const struct pgl_pol_principal *who, struct pgl_pol_result *res)
{
	struct pgl_pol_table	 t;
	struct pgl_policy	*ps = NULL;
	struct pgl_column_tag	*tags = NULL;
	struct pgl_err		 err;
	const char		*origin;
	size_t			 n = 0, ntags = 0;
	int			 any;

	memset(res, 0, sizeof(*res));
	if ((any = ice_policies_any(r)) == -1)
		return (-1);
	if (any == 1 && ice_policies_of_catalog(r, catalog, &ps, &n) == -1)
		return (-1);
	if (n > 0 && asset_id != NULL && STORE(list_column_tags, r->arena,
	    r->tenant, asset_id, NULL, &tags, &ntags, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	if (n > 0 && asset_id != NULL && ntags == 0 &&
	    (origin = origin_of(r, asset_id)) != NULL &&
	    STORE(list_column_tags, r->arena, r->tenant, origin, NULL, &tags,
	    &ntags, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	memset(&t, 0, sizeof(t));
	t.catalog = catalog;
	t.ns = ns;
	t.name = name;
	t.schema = pgl_pol_current_schema(md);
	t.tags = tags;
	t.ntags = ntags;
	t.uuid = asset_id;
	if (pgl_pol_resolve(ps, n, who, &t, res) == -1) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	return (0);
}
