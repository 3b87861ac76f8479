/*
 * May the caller do this (pangolin-api.md §2.9, §3.5, decision 5)?  Root
 * and a tenant admin may do anything in the request's tenant: a tenant
 * admin's tenant is always its own, and every lookup below and in the
 * handlers is scoped to it, so another tenant's resource answers exactly
 * as a missing one.  A tenant user (or service user) needs a grant: its
 * roles' and its own permissions, loaded once per request in two queries
 * and decided by src/auth/rbac.c, for lists too.
 */
#include <string.h>

#include "api/api.h"
#include "api/asset_ref.h"
#include "api/config_cache.h"
#include "api/gate.h"
#include "api/target.h"
#include "app/app.h"
#include "auth/grant_cache.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/log.h"

/* A principal's grants are read whole; more than this is refused. */
#define MAX_GRANTS	100000

int
api_is_admin(const struct pgl_req *r)
{
	return (r->who.role == ROLE_ROOT || r->who.role == ROLE_TENANT_ADMIN);
}

/* Append the grants of a JSON array of {scope, actions}; bad ones skipped. */
static void
add_grants(struct pgl_req *r, const json_t *arr, struct pgl_grant *out,
    size_t cap, size_t *n)
{
	const char	*why;
	json_t		*v;
	size_t		 i;

	json_array_foreach(arr, i, v) {
		if (*n == cap)
			return;
		if (pgl_grant_parse(json_object_get(v, "scope"),
		    json_object_get(v, "actions"), r->arena, &out[*n],
		    &why) == 0)
			(*n)++;
		else
			pgl_log(PGL_LOG_WARN, "authz: a stored grant of %s is "
			    "ignored: %s", r->who.user_id, why);
	}
}

/* Count the grants a role doc and a permission list hold. */
static size_t
count_grants(json_t **roles, size_t nroles, size_t nperms)
{
	size_t	i, n = nperms;

	for (i = 0; i < nroles; i++)
		n += json_array_size(json_object_get(roles[i], "permissions"));
	return (n);
}

static int	read_grants(struct pgl_req *);

/* The caller's grants: this worker's copy if current, else the store's. */
static int
load_grants(struct pgl_req *r)
{
	struct pgl_req_app	*a = r->app;
	const struct pgl_grant	*g;
	uint64_t		 epoch;
	int64_t			 now = pgl_now_ms();

	if (a->grants_loaded)
		return (0);
	/* The epoch is read first: a change committed while the store is
	 * read bumps it past this copy's. */
	epoch = pgl_grant_epoch();
	if ((g = pgl_grant_cache_get(r->tenant, r->who.user_id, epoch, now,
	    &a->ngrants)) != NULL) {
		a->grants = (struct pgl_grant *)g;
		a->grants_loaded = 1;
		return (0);
	}
	if (read_grants(r) == -1)
		return (-1);
	pgl_grant_cache_put(r->tenant, r->who.user_id, epoch, now, a->grants,
	    a->ngrants);
	return (0);
}

static int
read_grants(struct pgl_req *r)
{
	struct pgl_req_app	*a = r->app;
	struct pgl_role		*roles;
	struct pgl_permission	*perms;
	struct pgl_page		 all = { MAX_GRANTS, 0, NULL };
	struct pgl_err		 err;
	json_t			**docs, *doc;
	size_t			 nroles, nperms, i, cap;

	if (STORE(list_user_roles, r->arena, r->tenant, r->who.user_id,
	    &roles, &nroles, &err) != PGL_OK ||
	    STORE(list_permissions, r->arena, r->tenant, r->who.user_id, &all,
	    &perms, &nperms, NULL, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	if ((docs = pgl_arena_alloc(r->arena, (nroles + 1) *
	    sizeof(*docs))) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	for (i = 0; i < nroles; i++)
		docs[i] = api_obj(roles[i].doc);
	cap = count_grants(docs, nroles, nperms);
	if ((a->grants = pgl_arena_alloc(r->arena, (cap + 1) *
	    sizeof(*a->grants))) == NULL) {
		for (i = 0; i < nroles; i++)
			json_decref(docs[i]);
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	for (i = 0; i < nroles; i++) {
		add_grants(r, json_object_get(docs[i], "permissions"),
		    a->grants, cap, &a->ngrants);
		json_decref(docs[i]);
	}
	for (i = 0; i < nperms; i++) {
		doc = api_obj(perms[i].doc);
		/* A Permission is one grant: {scope, actions, ...}. */
		doc = json_pack("[o]", doc);
		add_grants(r, doc, a->grants, cap, &a->ngrants);
		json_decref(doc);
	}
	a->grants_loaded = 1;
	return (0);
}

/* The asset's id if it exists on the target's branch, else "". */
static const char *
asset_id(struct pgl_req *r, const struct ice_target *t)
{
	struct pgl_asset	as;
	struct pgl_err		err;

	if (STORE(get_asset, r->arena, r->tenant, t->catalog.name, t->branch,
	    t->ns, t->name, &as, &err) != PGL_OK)
		return ("");
	/* The handler's ice_find_asset of the same row takes it from here. */
	r->app->asset = as;
	r->app->have_asset = 1;
	return (as.id);
}

/* /catalogs/{name}/namespaces/{namespace}[/assets/{asset}], ?branch= */
static int
find_mgmt(struct pgl_req *r, enum api_scope scope, struct pgl_target *out)
{
	struct ice_target	 t;
	struct pgl_asset	 as;
	struct pgl_err		 err;

	memset(&t, 0, sizeof(t));
	if (api_mgmt_catalog(r, &t.catalog, &err) != PGL_OK) {
		if (err.code == PGL_ENOTFOUND)
			return (0);
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	if (api_mgmt_ns(r, &t) == -1)
		return (-1);
	out->catalog_id = t.catalog.id;
	out->ns = t.ns;
	if (scope != SC_MASSET)
		return (1);
	if (STORE(get_asset, r->arena, r->tenant, t.catalog.name, t.branch,
	    t.ns, pgl_param(r, "asset"), &as, &err) == PGL_OK) {
		r->app->asset = as;
		r->app->have_asset = 1;
		out->asset_id = as.id;
	}
	return (1);
}

/* /assets/{asset_id}: a missing asset is the handler's 404. */
static int
find_by_id(struct pgl_req *r, struct pgl_target *out)
{
	struct pgl_asset	as;
	struct pgl_catalog	c;
	struct pgl_err		err;

	if (api_asset_find(r, pgl_param(r, "asset_id"), &as, &c, &err) !=
	    PGL_OK) {
		if (err.code == PGL_ENOTFOUND)
			return (0);
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	api_asset_target(&as, &c, out);
	return (1);
}

/*
 * The rule's resource as a target.  1: resolved; 0: nothing to decide on
 * (a catalog that does not exist in the caller's tenant, a missing query
 * parameter): the handler answers that exactly as it does for anyone;
 * -1: replied (the same 400/404 the handler would give).
 */
static int
find_target(struct pgl_req *r, enum api_scope scope, struct pgl_target *out)
{
	struct ice_target	 t;
	struct pgl_catalog	 c;
	struct pgl_err		 err;
	const char		*name;

	memset(out, 0, sizeof(*out));
	out->ns = "";
	out->asset_id = "";
	switch (scope) {
	case SC_NONE:
	case SC_TENANT:
		return (1);
	case SC_PREFIX:
		if (ice_catalog(r, &t.catalog) == -1)
			return (-1);
		out->catalog_id = t.catalog.id;
		return (1);
	case SC_NS:
	case SC_TABLE:
	case SC_VIEW:
	case SC_FUNCTION:
		if (ice_target(r, scope == SC_NS ? NULL : scope == SC_TABLE ?
		    "table" : scope == SC_VIEW ? "view" : "function", &t) == -1)
			return (-1);
		out->catalog_id = t.catalog.id;
		out->ns = t.ns;
		if (scope != SC_NS)
			out->asset_id = asset_id(r, &t);
		return (1);
	case SC_MNS:
	case SC_MASSET:
		return (find_mgmt(r, scope, out));
	case SC_ASSET_ID:
		return (find_by_id(r, out));
	case SC_CATALOG:
	case SC_CATALOG_QUERY:
		name = scope == SC_CATALOG ? pgl_param(r, "name") :
		    pgl_query(r, "catalog");
		if (name == NULL)
			return (0);
		if (api_get_catalog(r, r->tenant, name, &c, &err) !=
		    PGL_OK) {
			if (err.code == PGL_ENOTFOUND)
				return (0);
			pgl_reply_store_error(r, &err);
			return (-1);
		}
		out->catalog_id = c.id;
		return (1);
	}
	return (0);
}

/*
 * t with its asset's tags when the caller holds a tag grant and t came
 * without them (a handler's check of an asset: signing, a list): one read
 * by key, kept for the request.
 */
static const struct pgl_target *
with_tags(struct pgl_req *r, const struct pgl_target *t,
    struct pgl_target *buf)
{
	if (t->ntags > 0 || t->asset_id == NULL || *t->asset_id == '\0' ||
	    !pgl_rbac_has_tag_grants(r->app->grants, r->app->ngrants))
		return (t);
	*buf = *t;
	if (api_target_metadata(r, buf) == -1)
		return (t);
	return (buf);
}

int
api_allowed(struct pgl_req *r, unsigned action, const struct pgl_target *t)
{
	struct pgl_target	buf;

	if (api_is_admin(r))
		return (1);
	if (r->who.role == ROLE_NONE || load_grants(r) == -1)
		return (0);
	return (pgl_rbac_allows(r->app->grants, r->app->ngrants, action,
	    with_tags(r, t, &buf)));
}

int
api_sees(struct pgl_req *r, const struct pgl_target *t)
{
	struct pgl_target	buf;

	if (api_is_admin(r))
		return (1);
	if (r->who.role == ROLE_NONE || load_grants(r) == -1)
		return (0);
	return (pgl_rbac_sees(r->app->grants, r->app->ngrants,
	    with_tags(r, t, &buf)));
}

/*
 * An asset named by its id that the caller does not see answers as a
 * missing one, byte for byte: a 403 would tell that the id exists.  The
 * gate lets the request through to its handler, whose lookup of the id
 * (api_asset_find) then finds nothing, so the body's checks, the 404
 * and the audit record come in the order and words of a missing asset.
 * One that it sees but may not change stays a 403.  1 when hidden, 0
 * when not, -1 after a reply (the metadata could not be read).
 */
static int
scope_hidden(struct pgl_req *r, const struct pgl_rule *rule,
    struct pgl_target *t)
{
	if (rule->scope != SC_ASSET_ID || *t->asset_id == '\0')
		return (0);
	if (rule->who != WHO_SEE) {
		if (api_target_metadata(r, t) == -1)
			return (-1);
		if (pgl_rbac_sees(r->app->grants, r->app->ngrants, t))
			return (0);
	}
	r->app->hidden_asset = t->asset_id;
	return (1);
}

/*
 * A tenant user on a WHO_PERM or WHO_SEE route.  An asset's business
 * metadata is read (one read by key) only when it can decide: a tag
 * grant of the caller's may cover its tags, or it may be discoverable
 * to someone who would see it.
 */
static int
decide(struct pgl_req *r, const struct pgl_rule *rule)
{
	struct pgl_target	t;
	int			rc;

	if (load_grants(r) == -1)
		return (-1);
	if ((rc = find_target(r, rule->scope, &t)) <= 0)
		return (rc);
	if (*t.asset_id != '\0' && (rule->who == WHO_SEE ||
	    pgl_rbac_has_tag_grants(r->app->grants, r->app->ngrants)) &&
	    api_target_metadata(r, &t) == -1)
		return (-1);
	if (rule->who == WHO_SEE ?
	    pgl_rbac_sees(r->app->grants, r->app->ngrants, &t) :
	    pgl_rbac_allows(r->app->grants, r->app->ngrants, rule->action, &t))
		return (0);
	switch (scope_hidden(r, rule, &t)) {
	case 1:
		return (0);
	case -1:
		return (-1);
	}
	return (403);
}

int
api_authorize(struct pgl_req *r)
{
	const struct pgl_rule	*rule = r->app->rule;
	enum pgl_user_role	 role = r->who.role;

	switch (rule->who) {
	case WHO_PUBLIC:
	case WHO_ANY:
		return (0);
	case WHO_ADMIN:
		return (api_is_admin(r) ? 0 : 403);
	case WHO_TENANT_ADMIN:
		return (role == ROLE_TENANT_ADMIN ? 0 : 403);
	case WHO_ROOT:
		return (role == ROLE_ROOT ? 0 : 403);
	case WHO_SEE:
	case WHO_PERM:
		return (api_is_admin(r) ? 0 : decide(r, rule));
	}
	return (403);
}

size_t
api_filter_page(struct pgl_req *r, void *items, size_t n, size_t size,
    int (*visible)(struct pgl_req *, const void *, void *), void *ctx,
    const struct pgl_page *pg, uint64_t *total)
{
	unsigned char	*base = items;
	uint64_t	 seen = 0;
	size_t		 i, kept = 0;

	for (i = 0; i < n; i++) {
		if (!visible(r, base + i * size, ctx))
			continue;
		if (seen++ < pg->offset || (pg->limit != 0 &&
		    kept == pg->limit))
			continue;
		if (kept != i)
			memcpy(base + kept * size, base + i * size, size);
		kept++;
	}
	*total = seen;
	return (kept);
}

int
api_filter_keyed(struct pgl_req *r, struct api_page *p, size_t size,
    int (*fetch)(struct pgl_req *, void *, const struct pgl_page *, void **,
    size_t *, struct pgl_err *), void *arg,
    int (*visible)(struct pgl_req *, const void *, void *), void *ctx,
    const struct api_row_key *rk, void **items, size_t *n)
{
	const struct pgl_page	*pg = &p->pg;
	struct pgl_page		 slice = { 0, 0, pg->after };
	struct pgl_page_key	 k;
	struct pgl_err		 err;
	unsigned char		*out, *rows;
	size_t			 got, i;
	int			 slices = 0;

	slice.limit = (uint32_t)pgl_app.cfg->server.list_slice_rows;
	p->resumed = 0;
	*n = 0;
	if ((out = pgl_arena_alloc(r->arena, (pg->limit + 1) * size)) ==
	    NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	*items = out;
	do {
		memset(&err, 0, sizeof(err));
		if (fetch(r, arg, &slice, (void **)&rows, &got, &err) !=
		    PGL_OK) {
			pgl_reply_store_error(r, &err);
			return (-1);
		}
		for (i = 0; i < got && *n < pg->limit; i++) {
			if (visible(r, rows + i * size, ctx))
				memcpy(out + (*n)++ * size, rows + i * size,
				    size);
		}
		if (got == 0)
			break;
		/* The next slice after this one's last row (its strings
		 * stay in r's arena, with the rows). */
		if ((slice.after = pgl_arena_alloc(r->arena, sizeof(k))) ==
		    NULL) {
			pgl_reply_error(r, 503, "out of memory");
			return (-1);
		}
		api_row_key(rows + (got - 1) * size, rk, &k);
		memcpy((void *)slice.after, &k, sizeof(k));
		/*
		 * A caller who may see few rows of a long list would have the
		 * whole list read for one page, the worker's loop held all
		 * the while: past [server] list_max_slices slices the page
		 * ends short, and its next token starts after the last row
		 * read, seen or not.
		 */
		if (++slices == pgl_app.cfg->server.list_max_slices &&
		    *n < pg->limit && got == slice.limit) {
			p->resumed = 1;
			p->resume = k;
			break;
		}
	} while (*n < pg->limit && got == slice.limit);
	return (0);
}

int
api_require(struct pgl_req *r, unsigned action, const struct pgl_target *t)
{
	if (api_allowed(r, action, t))
		return (0);
	if (r->status == 0)
		pgl_reply_error(r, 403, "Forbidden");
	return (-1);
}

/* The name of the catalog id among cs, or NULL. */
static const char *
catalog_name(const struct pgl_catalog *cs, size_t n, const char *id)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (strcmp(cs[i].id, id) == 0)
			return (cs[i].name);
	}
	return (NULL);
}

/* One grant into the visibility lists; 1 when it covers the tenant. */
static int
add_visible(struct pgl_req *r, const struct pgl_grant *g,
    const struct pgl_catalog *cs, size_t ncs, json_t *cats, json_t *nss,
    json_t *ids, json_t *tags)
{
	const char	*name;

	if ((pgl_actions_implied(g->actions) & PGL_ACT_SEES) == 0)
		return (0);
	switch (g->kind) {
	case PGL_SCOPE_TENANT:
		return (1);
	case PGL_SCOPE_TAG:
		json_array_append_new(tags, json_string(g->tag));
		return (0);
	case PGL_SCOPE_ASSET:
		json_array_append_new(ids, json_string(g->asset_id));
		return (0);
	default:
		break;
	}
	if ((name = catalog_name(cs, ncs, g->catalog_id)) == NULL)
		return (0);
	if (g->kind == PGL_SCOPE_CATALOG)
		json_array_append_new(cats, json_string(name));
	else
		json_array_append_new(nss, json_string(pgl_arena_printf(
		    r->arena, "%s" PGL_VIS_NS_SEP_STR "%s", name, g->ns)));
	return (0);
}

int
api_search_scope(struct pgl_req *r, struct pgl_asset_query *q)
{
	struct pgl_catalog	*cs = NULL;
	struct pgl_page		 all = { 0, 0, NULL };
	struct pgl_err		 err;
	json_t			*l[4];
	size_t			 ncs = 0, i;
	int			 whole = 0;

	q->restricted = 0;
	if (api_is_admin(r))
		return (0);
	if (load_grants(r) == -1)
		return (-1);
	if (STORE(list_catalogs, r->arena, r->tenant, &all, &cs, &ncs, NULL,
	    &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	for (i = 0; i < 4; i++)
		l[i] = json_array();
	for (i = 0; i < r->app->ngrants && !whole; i++)
		whole = add_visible(r, &r->app->grants[i], cs, ncs, l[0], l[1],
		    l[2], l[3]);
	q->restricted = !whole;
	q->vis_catalogs = api_text(r->arena, l[0]);
	q->vis_namespaces = api_text(r->arena, l[1]);
	q->vis_assets = api_text(r->arena, l[2]);
	q->vis_tags = api_text(r->arena, l[3]);
	for (i = 0; i < 4; i++)
		json_decref(l[i]);
	return (0);
}
