/*
 * The management room: health and metrics, the page, tenants,
 * warehouses, catalogs (and their namespace tree), the bootstrap, the
 * per-tenant settings and the dashboard's counts.
 */
#ifndef PGL_API_MANAGE_H
#define PGL_API_MANAGE_H

#include "api/api.h"
#include "metrics/metrics.h"

/* manage/health.c */
void	api_health_ready(struct pgl_req *);
void	api_health_live(struct pgl_req *);
void	api_metrics(struct pgl_req *);
void	api_app_config(struct pgl_req *);

/* manage/metrics_scope.c: the lines of /metrics r's caller may see. */
enum pgl_metrics_scope	api_metrics_scope(struct pgl_req *);

/* manage/ui.c */
void	api_ui_root(struct pgl_req *);
void	api_ui_index(struct pgl_req *);
void	api_ui_file(struct pgl_req *);

/* manage/route_list.c: the route table handed in (main.c), described */
struct pgl_route;
void	api_routes_list(FILE *, const struct pgl_route *, size_t);
/* Each route and its rule as JSON; -1 when one is missing or incoherent. */
int	api_routes_rules(FILE *, const struct pgl_route *, size_t);

/* manage/api_docs.c */
void	api_openapi_json(struct pgl_req *);
void	api_docs_index(struct pgl_req *);
void	api_docs_file(struct pgl_req *);
void	api_docs_moved(struct pgl_req *);

/* manage/tenants.c */
void	api_tenant_list(struct pgl_req *);
void	api_tenant_create(struct pgl_req *);
void	api_tenant_get(struct pgl_req *);
void	api_tenant_update(struct pgl_req *);
void	api_tenant_delete(struct pgl_req *);

/* manage/warehouses.c */
void	api_warehouse_list(struct pgl_req *);
void	api_warehouse_create(struct pgl_req *);
void	api_warehouse_get(struct pgl_req *);
void	api_warehouse_update(struct pgl_req *);
/* warehouse_check.c: checks the STS settings share with the S3 ones. */
int	api_warehouse_word_ok(const char *, size_t);
const char *api_warehouse_endpoint_refused(const char *field, const char *);
int	api_warehouse_prefix_ok(const char *, const char *extra);
/* warehouse_azure.c: an azure storage_config, NULL if it may be stored. */
const char *api_warehouse_azure_check(struct pgl_req *, const json_t *cfg);
/* warehouse_sts.c: NULL if a warehouse's STS settings, as stored, are
 * sound (a role to assume when it vends from STS; endpoint, region and
 * duration); else why not. */
const char *api_warehouse_sts_check(int use_sts, const char *config_text,
	    const char *vending_text);
void	api_warehouse_delete(struct pgl_req *);

/* manage/warehouse_credentials.c */
void	api_warehouse_credentials(struct pgl_req *);

/* manage/catalogs.c */
void	api_catalog_list(struct pgl_req *);
void	api_catalog_create(struct pgl_req *);
void	api_catalog_get(struct pgl_req *);
void	api_catalog_update(struct pgl_req *);
void	api_catalog_delete(struct pgl_req *);
void	api_catalog_summary(struct pgl_req *);
/* manage/location_overlaps.c: tables in another's place (issue 67). */
void	api_location_overlaps(struct pgl_req *);
void	api_namespace_tree(struct pgl_req *);

/* manage/catalog_props.c: a catalog's properties as they are set.
 * 0, or -1 after replying 400 naming the property and what it takes. */
int	api_catalog_props_check(struct pgl_req *, const json_t *props);
/* upd (strings; null removes one) merged into c->properties. */
int	api_catalog_props_merge(struct pgl_req *, struct pgl_catalog *c,
	    const json_t *upd);

/* manage/settings.c: per-tenant settings (§2.11) */
void	api_settings_get(struct pgl_req *);
void	api_settings_put(struct pgl_req *);

/* manage/dashboard.c: the dashboard's counts (§2.11) */
void	api_dashboard_stats(struct pgl_req *);
/*
 * c's counts as the caller sees them (issue 67): the store's, and for a
 * caller who may not list the whole catalog the namespaces and main's
 * assets it sees (assets: those of every kind), walked in two reads.
 */
int	api_catalog_counts_seen(struct pgl_req *, const struct pgl_catalog *,
	    struct pgl_catalog_counts *, struct pgl_err *);

/*
 * Create a catalog with its `main` branch (rooted at an initial commit)
 * and its `default` namespace, in one transaction.
 */
int	pgl_catalog_create(struct pgl_arena *, const char *tenant,
	    const struct pgl_catalog *, struct pgl_err *);

/* Default tenant and the optional bootstrap warehouse/catalog (parent). */
int	pgl_bootstrap(struct pgl_err *);

#endif
