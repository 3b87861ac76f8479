/*
 * Assets as the management API names them (pangolin-api.md §1.4, §2.4,
 * §2.10), for the gate's authorization and the rooms that serve them:
 * /api/v1/catalogs/{name}/namespaces/{namespace}[/assets/{asset}] with
 * the namespace's levels dotted ("a.b", or 0x1F as on /v1) and the
 * branch from ?branch= (default main), and /api/v1/assets/{asset_id}.
 * And an asset's business metadata as authorization needs it: its tags
 * (tag-scoped grants) and whether it is discoverable, one read by key.
 */
#ifndef PGL_API_ASSET_REF_H
#define PGL_API_ASSET_REF_H

#include "api/target.h"
#include "auth/rbac.h"
#include "http/request.h"

/*
 * The catalog {name} (this request's copy once looked up): PGL_OK, or
 * the store's code (PGL_ENOTFOUND) with err; nothing is replied.
 */
int	api_mgmt_catalog(struct pgl_req *, struct pgl_catalog *,
	    struct pgl_err *);
/*
 * The management address into t: catalog, namespace, branch and, when
 * name_param is given, the asset's name.  0, or -1 after replying (404
 * for a missing catalog, 400 for a bad name).
 */
int	api_mgmt_target(struct pgl_req *, const char *name_param,
	    struct ice_target *t);
/* Only the namespace and branch of the request into t (catalog set). */
int	api_mgmt_ns(struct pgl_req *, struct ice_target *t);

/*
 * The asset of id in the request's tenant and its catalog: PGL_OK, or
 * the store's code with err (PGL_ENOTFOUND), nothing replied.
 */
int	api_asset_find(struct pgl_req *, const char *id, struct pgl_asset *,
	    struct pgl_catalog *, struct pgl_err *);
/* The same, replying 404 {"error":"Asset not found"}: 0 or -1. */
int	api_asset_by_id(struct pgl_req *, const char *id, struct pgl_asset *,
	    struct pgl_catalog *);

/*
 * The asset's business metadata (read once a request): 1 found (*m), 0
 * none, -1 after replying on a store error.
 */
int	api_asset_metadata(struct pgl_req *, const char *asset_id,
	    const struct pgl_business_metadata **m);
/* A tags JSON array into an arena array (non-strings skipped). */
size_t	api_tags_parse(struct pgl_req *, const char *json,
	    const char *const **tags);
/* t's tags and discoverable from the asset's metadata: 0 or -1. */
int	api_target_metadata(struct pgl_req *, struct pgl_target *t);
/* The target of an asset in catalog c (no tags yet). */
void	api_asset_target(const struct pgl_asset *, const struct pgl_catalog *,
	    struct pgl_target *);

#endif
