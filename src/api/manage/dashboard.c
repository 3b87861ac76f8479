/*
 * The dashboard's counts (pangolin-api.md §2.11), real ones where the
 * reference answered 0 for users and branches.  Scope by caller: root
 * not acting in a tenant sees the whole system, a tenant admin (or root
 * naming a tenant) its tenant, in one store round trip (count_tenant);
 * anyone else what it may see: the catalogs it sees, and in each the
 * namespaces, tables and views it sees (a catalog it may list whole is
 * counted by the store; a partly granted one is walked on main), with
 * itself as the one user and no warehouses (it may list none).
 */
#include <string.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/manage/manage.h"
#include "app/app.h"
#include "util/json.h"

/* A partly visible catalog: its namespaces and main's assets, each seen. */
static int
walk_catalog(struct pgl_req *r, const struct pgl_catalog *c,
    struct pgl_catalog_counts *n, struct pgl_err *err)
{
	struct pgl_namespace	*nss;
	struct pgl_asset	*as;
	struct pgl_page		 all = { 0, 0, NULL };
	struct pgl_target	 t;
	size_t			 nn, na, i;
	int			 rc;

	if ((rc = STORE(list_namespaces, r->arena, r->tenant, c->name, NULL,
	    &all, &nss, &nn, NULL, err)) != PGL_OK ||
	    (rc = STORE(list_all_assets_for_branch, r->arena, r->tenant,
	    c->name, "main", &as, &na, err)) != PGL_OK)
		return (rc);
	n->namespaces = n->tables = n->views = n->assets = 0;
	memset(&t, 0, sizeof(t));
	t.catalog_id = c->id;
	t.asset_id = "";
	for (i = 0; i < nn; i++) {
		t.ns = nss[i].name;
		n->namespaces += api_sees(r, &t);
	}
	for (i = 0; i < na; i++) {
		t.ns = as[i].ns;
		t.asset_id = as[i].id;
		if (!api_sees(r, &t))
			continue;
		n->assets++;
		n->tables += strcmp(as[i].kind, "ICEBERG_TABLE") == 0;
		n->views += strcmp(as[i].kind, "VIEW") == 0;
	}
	return (PGL_OK);
}

int
api_catalog_counts_seen(struct pgl_req *r, const struct pgl_catalog *c,
    struct pgl_catalog_counts *cc, struct pgl_err *err)
{
	struct pgl_target	t;
	int			rc;

	memset(&t, 0, sizeof(t));
	t.catalog_id = c->id;
	t.ns = "";
	t.asset_id = "";
	if ((rc = STORE(count_catalog, r->tenant, c->name, cc, err)) !=
	    PGL_OK || api_allowed(r, PGL_ACT_LIST, &t))
		return (rc);
	return (walk_catalog(r, c, cc, err));
}

/* One catalog the caller sees into n. */
static int
count_visible(struct pgl_req *r, const struct pgl_catalog *c,
    struct pgl_tenant_counts *n, struct pgl_err *err)
{
	struct pgl_catalog_counts	cc;
	int				rc;

	if ((rc = api_catalog_counts_seen(r, c, &cc, err)) != PGL_OK)
		return (rc);
	n->catalogs++;
	n->branches += cc.branches;
	n->namespaces += cc.namespaces;
	n->tables += cc.tables;
	n->views += cc.views;
	return (PGL_OK);
}

static int
user_counts(struct pgl_req *r, struct pgl_tenant_counts *n,
    struct pgl_err *err)
{
	struct pgl_catalog	*cs;
	struct pgl_page		 all = { 0, 0, NULL };
	struct pgl_target	 t;
	size_t			 nc, i;
	int			 rc;

	memset(n, 0, sizeof(*n));
	n->tenants = 1;
	n->users = 1;
	if ((rc = STORE(list_catalogs, r->arena, r->tenant, &all, &cs, &nc,
	    NULL, err)) != PGL_OK)
		return (rc);
	memset(&t, 0, sizeof(t));
	t.ns = "";
	t.asset_id = "";
	for (i = 0; i < nc && rc == PGL_OK; i++) {
		t.catalog_id = cs[i].id;
		if (api_sees(r, &t))
			rc = count_visible(r, &cs[i], n, err);
	}
	return (rc);
}

void
api_dashboard_stats(struct pgl_req *r)
{
	struct pgl_tenant_counts	 n;
	struct pgl_err			 err;
	const char			*scope;
	int				 rc;

	if (pgl_app.db->count_tenant == NULL) {
		pgl_reply_error(r, 501, "not supported by this store plugin");
		return;
	}
	if (r->who.role == ROLE_ROOT && strcmp(r->tenant, PGL_NIL_UUID) == 0) {
		scope = "system";
		rc = STORE(count_tenant, NULL, &n, &err);
	} else if (api_is_admin(r)) {
		scope = "tenant";
		rc = STORE(count_tenant, r->tenant, &n, &err);
	} else {
		scope = "user";
		rc = user_counts(r, &n, &err);
	}
	if (rc != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	pgl_reply_json(r, 200, json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
	    "s:s}", "catalogs_count", (json_int_t)n.catalogs,
	    "tables_count", (json_int_t)n.tables, "views_count",
	    (json_int_t)n.views, "namespaces_count", (json_int_t)n.namespaces, "users_count",
	    (json_int_t)n.users, "warehouses_count", (json_int_t)n.warehouses,
	    "branches_count", (json_int_t)n.branches, "tenants_count",
	    (json_int_t)n.tenants, "scope", scope));
}
