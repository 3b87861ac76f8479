/*
 * GET /api/v1/catalogs/{name}/namespaces/{namespace}/tables/{table}/
 * effective-restrictions?user=<id>[&groups=a,b]: what the resolver makes
 * of the table for that user (tenant admins), in the shape a later
 * loadTable will carry: {"read-restrictions", "policies": [{id, name}],
 * "flags": [{id, name, reason}]}.  A user's IdP groups are known only
 * from its token, so the explanation takes them as asked (groups=);
 * its roles are its tenant roles.  A service user is asked for by its
 * id, as a user is.
 */
#include <string.h>

#include "api/api.h"
#include "api/asset_ref.h"
#include "api/policies/policies.h"
#include "api/policies/policy_int.h"
#include "api/read/policies.h"
#include "app/app.h"
#include "util/arena.h"

#define MAX_GROUPS	64

/* The user (or service user) of the tenant: 0, or -1 after replying. */
static int
principal_of(struct pgl_req *r, const char *id, const char ***roles,
    size_t *nroles)
{
	struct pgl_user		 u;
	struct pgl_service_user	 su;
	struct pgl_role		*rs;
	struct pgl_err		 err;
	size_t			 n, i;
	int			 found;

	found = STORE(get_user, r->arena, id, &u, &err) == PGL_OK &&
	    u.tenant_id != NULL && strcmp(u.tenant_id, r->tenant) == 0;
	if (!found)
		found = STORE(get_service_user, r->arena, r->tenant, id, &su,
		    &err) == PGL_OK;
	if (!found) {
		pgl_reply_error(r, 404, "user %.64s not found in this tenant",
		    id);
		return (-1);
	}
	if (STORE(list_user_roles, r->arena, r->tenant, id, &rs, &n,
	    &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	if ((*roles = pgl_arena_alloc(r->arena, (n + 1) *
	    sizeof(**roles))) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	for (i = 0; i < n; i++)
		(*roles)[i] = rs[i].name;
	*nroles = n;
	return (0);
}

/* groups=a,b into an arena array. */
static size_t
groups_of(struct pgl_req *r, const char ***out)
{
	const char	*q = pgl_query(r, "groups");
	char		*copy, *g, *save = NULL;
	size_t		 n = 0;

	*out = pgl_arena_alloc(r->arena, MAX_GROUPS * sizeof(**out));
	if (q == NULL || *out == NULL ||
	    (copy = pgl_arena_strdup(r->arena, q)) == NULL)
		return (0);
	for (g = strtok_r(copy, ",", &save); g != NULL && n < MAX_GROUPS;
	    g = strtok_r(NULL, ",", &save))
		if (*g != '\0')
			(*out)[n++] = g;
	return (n);
}

static json_t *
strings(const char *const *v, size_t n)
{
	json_t	*arr = json_array();
	size_t	 i;

	for (i = 0; arr != NULL && i < n; i++)
		json_array_append_new(arr, json_string(v[i]));
	return (arr);
}

void
api_policy_explain(struct pgl_req *r)
{
	struct ice_target		 t;
	struct pol_tbl			 tbl;
	struct pgl_pol_principal	 who;
	struct pgl_pol_result		 res;
	const char			*user = pgl_query(r, "user");
	const char			**roles, **groups;
	int				 rc;

	if (!pol_ready(r))
		return;
	if (user == NULL || *user == '\0') {
		pgl_reply_error(r, 400, "user: the id of the user to explain "
		    "for is required (?user=<id>)");
		return;
	}
	if (api_mgmt_target(r, "table", &t) == -1 ||
	    principal_of(r, user, &roles, &who.nroles) == -1)
		return;
	who.user_id = user;
	who.roles = roles;
	who.ngroups = groups_of(r, &groups);
	who.groups = groups;
	if (pol_table_load(r, t.catalog.name, t.ns, t.name, t.branch, 404,
	    &tbl) == -1)
		return;
	rc = ice_policy_resolve(r, t.catalog.name, t.ns, t.name,
	    tbl.asset.id, tbl.md, &who, &res);
	pol_table_free(&tbl);
	if (rc == -1)
		return;
	pgl_reply_json(r, 200, json_pack("{s:o, s:o, s:o, s:s, s:o, s:o}",
	    "read-restrictions", res.restrictions, "policies", res.applied,
	    "flags", res.flags, "user", user, "roles", strings(roles,
	    who.nroles), "groups", strings(groups, who.ngroups)));
}
