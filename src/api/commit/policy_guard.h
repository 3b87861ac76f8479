/*
 * Data policies as the commit room sees them (policy_guard.c): read by
 * the commit loop, and by the policies room above it.
 */
#ifndef PGL_API_COMMIT_POLICY_GUARD_H
#define PGL_API_COMMIT_POLICY_GUARD_H

#include <stddef.h>

#include <jansson.h>

#include "http/request.h"
#include "pangolin/store.h"
#include "policy/policy.h"

struct ice_change;

/* 1 when the request's tenant has a policy, 0 none (one cached check),
 * -1 after replying on a store error. */
int	ice_policies_any(struct pgl_req *);
/* Every policy of the tenant's catalog: 0, or -1 after replying. */
int	ice_policies_of_catalog(struct pgl_req *, const char *catalog,
	    struct pgl_policy **, size_t *);
/*
 * A change of a table's schema against the policies on it: 0, or -1
 * after replying 400 ValidationException naming the policy it breaks.
 */
int	ice_policy_commit_check(struct pgl_req *, const struct ice_change *);
/*
 * The read-restrictions of who on the table (catalog, ns, name; its
 * asset id and its metadata md, whose current schema counts): the
 * tenant's policies of the catalog and the table's column tags through
 * the resolver (pgl_pol_resolve).  A tenant without policies costs one
 * cached check and answers an empty result.  0 (res the caller's:
 * pgl_pol_result_free), or -1 after replying.  The explanation calls
 * it, and policy_read.c for the caller's own answers.
 */
int	ice_policy_resolve(struct pgl_req *, const char *catalog,
	    const char *ns, const char *name, const char *asset_id,
	    const json_t *md, const struct pgl_pol_principal *who,
	    struct pgl_pol_result *res);

#endif
