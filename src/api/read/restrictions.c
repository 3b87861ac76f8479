/*
 * The caller's read restrictions on a table (read/policies.h), what a
 * load, a plan, storage access and the events feed answer by.
 *
 * The caller is the request's principal: its user (or service user) id,
 * the names of the tenant roles it holds, and the groups its identity
 * provider's token named (r->app->idp_groups; none for a local account).
 * Root, or a request without a tenant, reads without restrictions: there
 * are no policies outside a tenant.
 *
 * A tenant without policies costs one cached check (ice_policies_any);
 * with policies, the caller's roles are read, and ice_policy_resolve
 * (read/policies.c) reads the catalog's policies and the table's column
 * tags for the resolver (src/policy), which decides what they make.
 */
#include <string.h>

#include "api/api.h"
#include "api/read/policies.h"
#include "api/read/read.h"
#include "api/request/req_app.h"
#include "app/app.h"
#include "policy/policy.h"
#include "util/arena.h"

/* The names of the tenant roles the caller holds: 0, or -1 after replying. */
static int
caller_roles(struct pgl_req *r, const char ***names, size_t *n)
{
	struct pgl_role	*rs = NULL;
	struct pgl_err	 err;
	size_t		 i, count = 0;

	*names = NULL;
	*n = 0;
	if (r->who.user_id[0] == '\0')
		return (0);
	if (STORE(list_user_roles, r->arena, r->tenant, r->who.user_id, &rs,
	    &count, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	if ((*names = pgl_arena_alloc(r->arena, (count + 1) *
	    sizeof(**names))) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	for (i = 0; i < count; i++)
		(*names)[i] = rs[i].name;
	*n = count;
	return (0);
}

/* The caller as the resolver takes it: 0, or -1 after replying. */
static int
caller(struct pgl_req *r, struct pgl_pol_principal *who)
{
	const char	**roles;

	memset(who, 0, sizeof(*who));
	if (caller_roles(r, &roles, &who->nroles) == -1)
		return (-1);
	who->user_id = r->who.user_id;
	who->roles = roles;
	if (r->app != NULL) {
		who->groups = r->app->idp_groups;
		who->ngroups = r->app->nidp_groups;
	}
	return (0);
}

int
ice_read_restrictions(struct pgl_req *r, const char *catalog, const char *ns,
    const char *name, const char *asset_id, const json_t *md, json_t **out,
    json_t **applied)
{
	struct pgl_pol_principal	 who;
	struct pgl_pol_result		 res;
	int				 any;

	*out = NULL;
	if (applied != NULL)
		*applied = NULL;
	if (r->tenant[0] == '\0' || r->who.role == ROLE_ROOT)
		return (0);
	if ((any = ice_policies_any(r)) <= 0)
		return (any);
	if (caller(r, &who) == -1 || ice_policy_resolve(r, catalog, ns, name,
	    asset_id, md, &who, &res) == -1)
		return (-1);
	/* An object with no member restricts nothing: no restrictions. */
	if (res.restrictions != NULL && json_object_size(res.restrictions) > 0) {
		*out = json_incref(res.restrictions);
		if (applied != NULL)
			*applied = json_incref(res.applied);
	}
	pgl_pol_result_free(&res);
	return (0);
}

int
ice_caller_enforces(struct pgl_req *r)
{
	struct pgl_service_user	 su;
	struct pgl_err		 err;
	json_t			*doc;
	int			 yes;

	if (r->who.user_id[0] == '\0' || STORE(get_service_user, r->arena,
	    r->tenant, r->who.user_id, &su, &err) != PGL_OK || !su.active)
		return (0);
	doc = api_obj(su.doc);
	yes = json_is_true(json_object_get(doc, "enforces_read_restrictions"));
	json_decref(doc);
	return (yes);
}

int
ice_storage_allowed(struct pgl_req *r, const struct pgl_catalog *c,
    const char *ns, const char *name, const struct pgl_asset *a)
{
	json_t	*md, *rr;
	int	 any, rc;

	if ((any = ice_policies_any(r)) <= 0)
		return (any);
	if (ice_read_metadata(r, c, a->metadata_location, 500, &md) == -1)
		return (-1);
	rc = ice_read_restrictions(r, c->name, ns, name, a->id, md, &rr,
	    NULL);
	json_decref(md);
	if (rc == -1 || rr == NULL)
		return (rc);
	json_decref(rr);
	return (ice_caller_enforces(r) ? 0 : ice_storage_refused(r, name));
}

int
ice_storage_allowed_new(struct pgl_req *r, const char *catalog,
    const char *ns, const char *name, const json_t *md)
{
	json_t	*rr;

	if (pgl_header(r, "x-iceberg-access-delegation") == NULL)
		return (0);
	if (ice_read_restrictions(r, catalog, ns, name, NULL, md, &rr,
	    NULL) == -1)
		return (-1);
	if (rr == NULL)
		return (0);
	json_decref(rr);
	return (ice_caller_enforces(r) ? 0 : ice_storage_refused(r, name));
}

int
ice_storage_refused(struct pgl_req *r, const char *name)
{
	pgl_reply_ice_error(r, 403, "ForbiddenException", "read restrictions "
	    "apply to %s on table %s: its files (credentials, remote signing, "
	    "presigned URLs) are served only to an engine that enforces them "
	    "(a service user with enforces_read_restrictions, holding the "
	    "same roles)", r->who.username[0] != '\0' ? r->who.username :
	    "this caller", name);
	return (-1);
}

int
ice_policies_bind_caller(struct pgl_req *r, const char *catalog)
{
	struct pgl_pol_principal	 who;
	struct pgl_policy		*ps = NULL;
	size_t				 n = 0, i;
	json_t				*doc;
	int				 any, hit = 0;

	if (r->tenant[0] == '\0' || r->who.role == ROLE_ROOT)
		return (0);
	if ((any = ice_policies_any(r)) <= 0)
		return (any);
	if (ice_policies_of_catalog(r, catalog, &ps, &n) == -1)
		return (-1);
	if (n == 0)
		return (0);
	if (caller(r, &who) == -1)
		return (-1);
	for (i = 0; i < n && !hit; i++) {
		doc = api_obj(ps[i].doc);
		hit = pgl_pol_applies_to(doc, &who);
		json_decref(doc);
	}
	return (hit);
}

int
ice_restricted_metadata(struct pgl_req *r, const json_t *md, const json_t *rr,
    json_t **out)
{
	struct pgl_pol_mask	 m;
	int			 oom = 0;

	*out = NULL;
	if (rr == NULL)
		return (0);
	if (pgl_pol_mask_of(rr, md, &m) == 0) {
		*out = pgl_pol_redact_metadata(md, &m, &oom);
		pgl_pol_mask_free(&m);
	} else
		oom = 1;
	if (!oom)
		return (0);
	pgl_reply_error(r, 503, "out of memory");
	return (-1);
}

/* 1 when some policy of catalog binds the caller (or that cannot be
 * read: fail closed), 0 when none does; nothing replied. */
static int
bound_in(struct pgl_req *r, const char *catalog)
{
	struct pgl_pol_principal	 who;
	struct pgl_policy		*ps = NULL;
	struct pgl_role			*rs = NULL;
	struct pgl_page			 all = { 0, 0, NULL };
	struct pgl_err			 err;
	const char			**roles;
	size_t				 n = 0, nr = 0, i;
	json_t				*doc;
	int				 hit = 0;

	if (r->tenant[0] == '\0' || r->who.role == ROLE_ROOT ||
	    !pgl_store_has_policies(pgl_app.db))
		return (0);
	if (STORE(list_policies, r->arena, r->tenant, catalog, &all, &ps, &n,
	    NULL, &err) != PGL_OK)
		return (1);
	if (n == 0)
		return (0);
	if (r->who.user_id[0] != '\0' && STORE(list_user_roles, r->arena,
	    r->tenant, r->who.user_id, &rs, &nr, &err) != PGL_OK)
		return (1);
	if ((roles = pgl_arena_alloc(r->arena, (nr + 1) * sizeof(*roles))) ==
	    NULL)
		return (1);
	for (i = 0; i < nr; i++)
		roles[i] = rs[i].name;
	memset(&who, 0, sizeof(who));
	who.user_id = r->who.user_id;
	who.roles = roles;
	who.nroles = nr;
	if (r->app != NULL) {
		who.groups = r->app->idp_groups;
		who.ngroups = r->app->nidp_groups;
	}
	for (i = 0; i < n && !hit; i++) {
		doc = api_obj(ps[i].doc);
		hit = doc == NULL || pgl_pol_applies_to(doc, &who);
		json_decref(doc);
	}
	return (hit);
}

void
ice_event_withhold(struct pgl_req *r, const char *catalog,
    const char *object_type, json_t *event, struct ice_event_memo *memo)
{
	struct pgl_pol_mask	 all = { NULL, 0, 1 };
	json_t			*op, *red;
	size_t			 i;
	int			 oom, bound;

	if (catalog == NULL || *catalog == '\0' || object_type == NULL ||
	    strcmp(object_type, "table") != 0 || (op = json_object_get(event,
	    "operation")) == NULL || !json_is_array(json_object_get(op,
	    "updates")))
		return;
	/* Most events carry no statistics: no policy read for them. */
	red = pgl_pol_redact_updates(json_object_get(op, "updates"), &all,
	    &oom);
	if (red == NULL && !oom)
		return;
	for (i = 0; i < memo->n; i++)
		if (strcmp(memo->catalogs[i], catalog) == 0)
			break;
	if (i < memo->n)
		bound = memo->bound[i];
	else {
		bound = bound_in(r, catalog);
		if (memo->n < ICE_EVENT_MEMO) {
			memo->catalogs[memo->n] = pgl_arena_strdup(r->arena,
			    catalog);
			memo->bound[memo->n++] = bound;
		}
	}
	if (!bound) {
		json_decref(red);
		return;
	}
	/* Out of memory: no update at all rather than one in clear. */
	json_object_set_new(op, "updates", red != NULL ? red : json_array());
}
