/*
 * Every route Pangolin serves, top to bottom.  The dispatcher matches
 * method + path segments against this table (first match wins, so a
 * literal segment must come before a {param} in the same position); the
 * rule says who may call the route, on which resource, and which audit
 * event a mutation records (gate.h), and is decided before the handler
 * runs.  The path template is also the `route` label of the metrics.
 *
 * Rules:
 *   PUBLIC             no credentials checked
 *   ANYONE             any principal; the handler narrows (self or admin)
 *   ADMIN              root or a tenant admin
 *   TENANT_ADMIN       a tenant admin, in its own tenant
 *   ROOT               root
 *   SEES(scope)        a tenant user must see something in scope; the
 *                      handler filters what it lists
 *   MAY(action, scope) a tenant user needs the action on the scope
 * A mutation's rule is spelled with _DOES and names its audit action.
 * An asset's scope (TABLE, VIEW, MASSET, ASSET_ID) is decided with its
 * tags (tag grants) and, for SEES, whether it is discoverable.
 *
 * A row is ROUTE(method, path, handler, rule, flags[, remote]), and a
 * route without a rule does not build (ARCHITECTURE.md §13; the rules and
 * ROUTE are in route_rules.h): a bare initializer must name every field,
 * and the build runs `pangolin --list-rules`, which checks each rule
 * (manage/route_list.c).  authz_matrix.test.js calls every route as every
 * role and compares the answer with its rule.
 */
#include "api/api.h"
#include "api/maintenance/maint.h"
#include "api/manage/manage.h"
#include "api/identity/identity.h"
#include "api/gate.h"
#include "api/rest/rest.h"
#include "api/rest/dropped.h"
#include "api/read/read.h"
#include "api/branching/merge.h"
#include "api/federation/federation.h"
#include "api/functions/functions.h"
#include "api/cache/cache.h"
#include "api/discovery/discovery.h"
#include "api/feed/feed.h"
#include "api/scan/scan.h"
#include "api/webhooks/webhooks.h"
#include "api/policies/policies.h"
#include "api/quota/quota.h"
#include "api/routes.h"
#include "api/route_rules.h"

#define GET	PGL_GET
#define POST	PGL_POST
#define PUT	PGL_PUT
#define DELETE	PGL_DELETE
#define JSON	ROUTE_JSON
#define HEAD	PGL_HEAD
#define NOSTORE	ROUTE_NO_STORE
#define OWNAUTH	ROUTE_OWN_AUTH
#define COMMIT	ROUTE_COMMIT
/* On a federated catalog: sent to its remote, or refused (federation.h). */
#define FWD	api_fed_forward
#define NOFED	api_fed_refuse

/* Iceberg path pieces, spelled as in the REST spec (for /v1/config). */
#define NS	"/v1/{prefix}/namespaces/{namespace}"
#define TBL	NS "/tables/{table}"
#define VIEW	NS "/views/{view}"
#define FUNC	NS "/functions/{function}"
/* PyIceberg's doubled-prefix aliases (pangolin-api.md §1.2). */
#define NS2	"/v1/{prefix}/v1/namespaces/{namespace}"
#define TBL2	NS2 "/tables/{table}"

#pragma GCC diagnostic error "-Wmissing-field-initializers"	/* rows whole */

const struct pgl_route pgl_routes[] = {
	/* Health and metrics (public). */
	ROUTE(GET, "/health", api_health_ready,
	    PUBLIC, NOSTORE),
	ROUTE(GET, "/health/live", api_health_live,
	    PUBLIC, NOSTORE),
	ROUTE(GET, "/health/ready", api_health_ready,
	    PUBLIC, NOSTORE),
	ROUTE(GET, "/metrics", api_metrics,
	    PUBLIC, NOSTORE),
	ROUTE(GET, "/api/v1/app-config", api_app_config,
	    PUBLIC, NOSTORE),

	/* The admin page (assets/, compiled in). */
	ROUTE(GET, "/", api_ui_root,
	    PUBLIC, NOSTORE),
	ROUTE(GET, "/ui", api_ui_index,
	    PUBLIC, NOSTORE),
	ROUTE(GET, "/ui/{file}", api_ui_file,
	    PUBLIC, NOSTORE),

	/* The API's own description and its page (docs/openapi/: ours and
	 * the Iceberg REST spec's, merged); the reference's paths
	 * (pangolin-api.md §1.1) lead to them. */
	ROUTE(GET, "/openapi.json", api_openapi_json,
	    PUBLIC, NOSTORE),
	ROUTE(GET, "/api/v1/openapi.json", api_openapi_json,
	    PUBLIC, NOSTORE),
	ROUTE(GET, "/api/docs", api_docs_index,
	    PUBLIC, NOSTORE),
	ROUTE(GET, "/api/docs/{file}", api_docs_file,
	    PUBLIC, NOSTORE),
	ROUTE(GET, "/api-docs/openapi.json", api_openapi_json,
	    PUBLIC, NOSTORE),
	ROUTE(GET, "/swagger-ui", api_docs_moved,
	    PUBLIC, NOSTORE),
	ROUTE(GET, "/swagger-ui/{file}", api_docs_moved,
	    PUBLIC, NOSTORE),

	/* Iceberg REST catalog (iceberg-commit.md; pangolin-api.md §1.2). */
	ROUTE(GET, "/v1/config", ice_config,
	    PUBLIC, 0, FWD),
	ROUTE(GET, "/v1/{prefix}/config", ice_config,
	    PUBLIC, 0, FWD),
	ROUTE(GET, "/v1/{prefix}/namespaces", ice_ns_list,
	    SEES(PREFIX), 0, FWD),
	ROUTE(POST, "/v1/{prefix}/namespaces", ice_ns_create,
	    MAY_DOES(CREATE, PREFIX, "create_namespace"), JSON, FWD),
	ROUTE(GET, NS, ice_ns_load,
	    SEES(NS), 0, FWD),
	ROUTE(HEAD, NS, ice_ns_head,
	    SEES(NS), 0, FWD),
	ROUTE(DELETE, NS, ice_ns_drop,
	    MAY_DOES(DELETE, NS, "delete_namespace"), 0, FWD),
	ROUTE(POST, NS "/properties", ice_ns_properties,
	    MAY_DOES(UPDATE, NS, "update_namespace"), JSON, FWD),
	ROUTE(GET, NS "/tables", ice_table_list,
	    SEES(NS), 0, FWD),
	ROUTE(POST, NS "/tables", ice_table_create,
	    MAY_DOES(CREATE, NS, "create_table"), JSON, FWD),
	ROUTE(POST, NS "/register", ice_table_register,
	    MAY_DOES(CREATE, NS, "register_table"), JSON, FWD),
	ROUTE(GET, TBL, ice_table_load,
	    MAY(READ, TABLE), 0, FWD),
	ROUTE(HEAD, TBL, ice_table_head,
	    MAY(READ, TABLE), 0, FWD),
	ROUTE(POST, TBL, ice_table_commit,
	    MAY_DOES(UPDATE, TABLE, "update_table"), JSON | COMMIT, FWD),
	ROUTE(DELETE, TBL, ice_table_drop,
	    MAY_DOES(DELETE, TABLE, "drop_table"), 0, FWD),
	ROUTE(POST, TBL "/metrics", ice_table_metrics,
	    MAY(READ, TABLE), JSON, FWD),
	ROUTE(POST, TBL "/plan", ice_plan_scan,
	    MAY(READ, TABLE), JSON, FWD),
	ROUTE(GET, TBL "/plan/{plan-id}", ice_plan_fetch,
	    MAY(READ, TABLE), 0, FWD),
	ROUTE(DELETE, TBL "/plan/{plan-id}", ice_plan_cancel,
	    MAY_DOES(READ, TABLE, "cancel_scan_plan"), 0, FWD),
	ROUTE(POST, TBL "/tasks", ice_scan_tasks,
	    MAY(READ, TABLE), JSON, FWD),
	ROUTE(POST, TBL "/maintenance", ice_table_maintenance,
	    MAY_DOES(DELETE, TABLE, "table_maintenance"), JSON, NOFED),
	ROUTE(GET, TBL "/credentials", ice_table_credentials,
	    MAY(READ, TABLE), 0, FWD),
	ROUTE(POST, TBL "/sign", ice_table_sign,
	    MAY(READ, TABLE), JSON, FWD),
	ROUTE(GET, TBL "/presign", ice_table_presign,
	    MAY(READ, TABLE), 0, FWD),
	ROUTE(POST, TBL "/unregister", ice_table_unregister,
	    MAY_DOES(DELETE, TABLE, "unregister_table"), JSON, FWD),
	ROUTE(POST, "/v1/{prefix}/tables/rename", ice_table_rename,
	    MAY_DOES(UPDATE, PREFIX, "rename_table"), JSON, FWD),
	/* The change events of the catalog (the Iceberg events proposal;
	 * issue 43): a caller sees only the events of what it may read. */
	ROUTE(POST, "/v1/{prefix}/events", api_events_query,
	    SEES(PREFIX), JSON, NOFED),
	ROUTE(POST, "/v1/{prefix}/transactions/commit", ice_transactions_commit,
	    MAY_DOES_TO(UPDATE, PREFIX, "commit_transaction", "table"),
	    JSON | COMMIT, FWD),
	ROUTE(GET, NS "/views", ice_table_list,
	    SEES(NS), 0, FWD),
	ROUTE(POST, NS "/views", ice_view_create,
	    MAY_DOES(CREATE, NS, "create_view"), JSON, FWD),
	ROUTE(POST, NS "/register-view", ice_view_register,
	    MAY_DOES(CREATE, NS, "register_view"), JSON, FWD),
	ROUTE(GET, VIEW, ice_view_load,
	    MAY(READ, VIEW), 0, FWD),
	ROUTE(HEAD, VIEW, ice_view_head,
	    MAY(READ, VIEW), 0, FWD),
	ROUTE(POST, VIEW, ice_view_commit,
	    MAY_DOES(UPDATE, VIEW, "update_view"), JSON | COMMIT, FWD),
	ROUTE(DELETE, VIEW, ice_view_drop,
	    MAY_DOES(DELETE, VIEW, "drop_view"), 0, FWD),
	ROUTE(POST, "/v1/{prefix}/views/rename", ice_table_rename,
	    MAY_DOES(UPDATE, PREFIX, "rename_view"), JSON, FWD),
	/* SQL functions (issue 70): list and load as the spec has them,
	 * create (?replace=true appends versions), drop and exists as
	 * apache/iceberg PR 17966 proposes; per namespace like tables. */
	ROUTE(GET, NS "/functions", ice_function_list,
	    SEES(NS), 0, FWD),
	ROUTE(POST, NS "/functions", ice_function_create,
	    MAY_DOES(CREATE, NS, "create_function"), JSON, FWD),
	ROUTE(GET, FUNC, ice_function_load,
	    MAY(READ, FUNCTION), 0, FWD),
	ROUTE(HEAD, FUNC, ice_function_head,
	    MAY(READ, FUNCTION), 0, FWD),
	ROUTE(DELETE, FUNC, ice_function_drop,
	    MAY_DOES(DELETE, FUNCTION, "drop_function"), 0, FWD),

	ROUTE(GET, "/v1/{prefix}/v1/config", ice_config,
	    PUBLIC, 0, FWD),
	ROUTE(GET, "/v1/{prefix}/v1/namespaces", ice_ns_list,
	    SEES(PREFIX), 0, FWD),
	ROUTE(POST, "/v1/{prefix}/v1/namespaces", ice_ns_create,
	    MAY_DOES(CREATE, PREFIX, "create_namespace"), JSON, FWD),
	ROUTE(GET, NS2, ice_ns_load,
	    SEES(NS), 0, FWD),
	ROUTE(HEAD, NS2, ice_ns_head,
	    SEES(NS), 0, FWD),
	ROUTE(DELETE, NS2, ice_ns_drop,
	    MAY_DOES(DELETE, NS, "delete_namespace"), 0, FWD),
	ROUTE(POST, NS2 "/properties", ice_ns_properties,
	    MAY_DOES(UPDATE, NS, "update_namespace"), JSON, FWD),
	ROUTE(GET, NS2 "/tables", ice_table_list,
	    SEES(NS), 0, FWD),
	ROUTE(POST, NS2 "/tables", ice_table_create,
	    MAY_DOES(CREATE, NS, "create_table"), JSON, FWD),
	ROUTE(GET, TBL2, ice_table_load,
	    MAY(READ, TABLE), 0, FWD),
	ROUTE(HEAD, TBL2, ice_table_head,
	    MAY(READ, TABLE), 0, FWD),
	ROUTE(POST, TBL2, ice_table_commit,
	    MAY_DOES(UPDATE, TABLE, "update_table"), JSON | COMMIT, FWD),
	ROUTE(DELETE, TBL2, ice_table_drop,
	    MAY_DOES(DELETE, TABLE, "drop_table"), 0, FWD),
	ROUTE(POST, TBL2 "/metrics", ice_table_metrics,
	    MAY(READ, TABLE), JSON, FWD),
	ROUTE(POST, TBL2 "/plan", ice_plan_scan,
	    MAY(READ, TABLE), JSON, FWD),
	ROUTE(GET, TBL2 "/plan/{plan-id}", ice_plan_fetch,
	    MAY(READ, TABLE), 0, FWD),
	ROUTE(DELETE, TBL2 "/plan/{plan-id}", ice_plan_cancel,
	    MAY_DOES(READ, TABLE, "cancel_scan_plan"), 0, FWD),
	ROUTE(POST, TBL2 "/tasks", ice_scan_tasks,
	    MAY(READ, TABLE), JSON, FWD),
	ROUTE(POST, TBL2 "/maintenance", ice_table_maintenance,
	    MAY_DOES(DELETE, TABLE, "table_maintenance"), JSON, NOFED),
	ROUTE(POST, "/v1/{prefix}/v1/tables/rename", ice_table_rename,
	    MAY_DOES(UPDATE, PREFIX, "rename_table"), JSON, FWD),

	/* Tenants (§2.1). */
	ROUTE(GET, "/api/v1/tenants", api_tenant_list,
	    ANYONE, 0),
	ROUTE(POST, "/api/v1/tenants", api_tenant_create,
	    ANYONE_DOES("create_tenant"), JSON),
	ROUTE(GET, "/api/v1/tenants/{id}", api_tenant_get,
	    ANYONE, 0),
	ROUTE(PUT, "/api/v1/tenants/{id}", api_tenant_update,
	    ROOT_DOES("update_tenant"), JSON),
	ROUTE(DELETE, "/api/v1/tenants/{id}", api_tenant_delete,
	    ROOT_DOES("delete_tenant"), 0),
	/* What it holds against its quotas (issue 67): root, or the
	 * tenant's admin (the handler narrows to its own). */
	ROUTE(GET, "/api/v1/tenants/{id}/usage", api_quota_usage,
	    ADMIN, 0),

	/* Warehouses (§2.2).  Root creates and moves them too, inside the
	 * tenant it names (storage is placed by the operator; §2.2 says 403). */
	ROUTE(GET, "/api/v1/warehouses", api_warehouse_list,
	    ADMIN, 0),
	ROUTE(POST, "/api/v1/warehouses", api_warehouse_create,
	    ADMIN_DOES("create_warehouse"), JSON),
	ROUTE(GET, "/api/v1/warehouses/{name}", api_warehouse_get,
	    ADMIN, 0),
	ROUTE(PUT, "/api/v1/warehouses/{name}", api_warehouse_update,
	    ADMIN_DOES("update_warehouse"), JSON),
	ROUTE(DELETE, "/api/v1/warehouses/{name}", api_warehouse_delete,
	    TENANT_ADMIN_DOES("delete_warehouse"), 0),
	/* Its keys, where it vends them, to admins and to writers of the
	 * catalog holding ?location= (the handler decides, as vending). */
	ROUTE(GET, "/api/v1/warehouses/{name}/credentials",
	    api_warehouse_credentials, ANYONE, 0),

	/* Catalogs (§2.3). */
	ROUTE(GET, "/api/v1/catalogs", api_catalog_list,
	    ANYONE, 0),
	ROUTE(POST, "/api/v1/catalogs", api_catalog_create,
	    TENANT_ADMIN_DOES("create_catalog"), JSON),
	ROUTE(GET, "/api/v1/catalogs/{name}", api_catalog_get,
	    SEES(CATALOG), 0),
	ROUTE(PUT, "/api/v1/catalogs/{name}", api_catalog_update,
	    TENANT_ADMIN_DOES("update_catalog"), JSON),
	ROUTE(DELETE, "/api/v1/catalogs/{name}", api_catalog_delete,
	    TENANT_ADMIN_DOES("delete_catalog"), 0),
	ROUTE(GET, "/api/v1/catalogs/{name}/summary", api_catalog_summary,
	    SEES(CATALOG), 0),
	ROUTE(GET, "/api/v1/catalogs/{name}/namespaces/tree",
	    api_namespace_tree, SEES(CATALOG), 0),
	/* Undrop (issue 46): a catalog's recoverable drops; the handlers
	 * keep to the namespaces where the caller may create tables
	 * (rest/dropped.c). */
	ROUTE(GET, "/api/v1/catalogs/{name}/dropped", api_dropped_list,
	    SEES(CATALOG), 0),
	ROUTE(POST, "/api/v1/catalogs/{name}/dropped/{id}/restore",
	    api_dropped_restore, SEES_DOES(CATALOG, "restore_dropped"), JSON),
	/* Every table owns its files (issue 67): the catalog's tables and
	 * views lying in another's location, from before; to admins, who
	 * see every table (manage/location_overlaps.c). */
	ROUTE(GET, "/api/v1/catalogs/{name}/location-overlaps",
	    api_location_overlaps, ADMIN, 0),

	/* Federated catalogs (§2.11): catalogs whose tables live in a remote
	 * Iceberg catalog; a tenant user sees those it may see into, and
	 * may probe them. */
	ROUTE(GET, "/api/v1/federated-catalogs", api_fed_list,
	    ANYONE, 0),
	ROUTE(POST, "/api/v1/federated-catalogs", api_fed_create,
	    TENANT_ADMIN_DOES("create_catalog"), JSON),
	ROUTE(GET, "/api/v1/federated-catalogs/{name}", api_fed_get,
	    SEES(CATALOG), 0),
	ROUTE(DELETE, "/api/v1/federated-catalogs/{name}", api_fed_delete,
	    TENANT_ADMIN_DOES("delete_catalog"), 0),
	ROUTE(POST, "/api/v1/federated-catalogs/{name}/test", api_fed_test,
	    SEES(CATALOG), 0),
	ROUTE(POST, "/api/v1/federated-catalogs/{name}/sync", api_fed_sync,
	    ADMIN_DOES_TO("sync_catalog", "catalog"), 0),
	ROUTE(GET, "/api/v1/federated-catalogs/{name}/stats", api_fed_stats,
	    ADMIN, 0),
	/* Generic assets of a namespace (§2.4), on ?branch= (main). */
	ROUTE(GET, "/api/v1/catalogs/{name}/namespaces/{namespace}/assets",
	    api_asset_list,
	    SEES(MNS), 0),
	ROUTE(POST, "/api/v1/catalogs/{name}/namespaces/{namespace}/assets",
	    api_asset_register,
	    MAY_DOES(CREATE, MNS, "create_asset"), JSON),
	ROUTE(GET, "/api/v1/catalogs/{name}/namespaces/{namespace}/assets/{asset}",
	    api_asset_get,
	    MAY(READ, MASSET), 0),

	/* Business metadata, discovery and access requests (§2.10): an
	 * asset by id is seen by a grant or by being discoverable;
	 * changing its metadata needs update (discoverable: true also
	 * manage-discovery on the catalog); searches filter what they
	 * find; a request is made on what one sees, reviewed by admins. */
	ROUTE(GET, "/api/v1/assets/search", api_search_assets,
	    ANYONE, 0),
	ROUTE(GET, "/api/v1/assets/{asset_id}", api_asset_by_id_get,
	    SEES(ASSET_ID), 0),
	ROUTE(GET, "/api/v1/assets/{asset_id}/metadata", api_metadata_get,
	    SEES(ASSET_ID), 0),
	ROUTE(POST, "/api/v1/assets/{asset_id}/metadata", api_metadata_put,
	    MAY_DOES(UPDATE, ASSET_ID, "update_business_metadata"), JSON),
	ROUTE(DELETE, "/api/v1/assets/{asset_id}/metadata", api_metadata_delete,
	    MAY_DOES(DELETE, ASSET_ID, "delete_business_metadata"), 0),
	ROUTE(GET, "/api/v1/business-metadata/{asset_id}", api_metadata_get,
	    SEES(ASSET_ID), 0),
	ROUTE(DELETE, "/api/v1/business-metadata/{asset_id}",
	    api_metadata_delete,
	    MAY_DOES(DELETE, ASSET_ID, "delete_business_metadata"), 0),
	ROUTE(POST, "/api/v1/assets/{asset_id}/access-requests",
	    api_access_request_create,
	    SEES_DOES(ASSET_ID, "create_access_request"), JSON),
	ROUTE(GET, "/api/v1/access-requests", api_access_request_list,
	    ANYONE, 0),
	ROUTE(GET, "/api/v1/access-requests/{id}", api_access_request_get,
	    ANYONE, 0),
	ROUTE(PUT, "/api/v1/access-requests/{id}", api_access_request_review,
	    ADMIN_DOES("review_access_request"), JSON),
	ROUTE(GET, "/api/v1/search", api_search,
	    ANYONE, 0),
	ROUTE(GET, "/api/v1/search/assets", api_search_assets_paged,
	    ANYONE, 0),
	/* Each asset authorized (delete) and committed on its branch. */
	ROUTE(POST, "/api/v1/bulk/assets/delete", api_bulk_delete_assets,
	    ANYONE_DOES_TO("bulk_delete_assets", "asset"), JSON),
	ROUTE(POST, "/api/v1/validate/names", api_validate_names,
	    ADMIN, JSON),

	/* Settings and the dashboard (§2.11). */
	ROUTE(GET, "/api/v1/config/settings", api_settings_get,
	    ADMIN, 0),
	ROUTE(PUT, "/api/v1/config/settings", api_settings_put,
	    ADMIN_DOES_TO("update_settings", "settings"), JSON),
	ROUTE(GET, "/api/v1/dashboard/stats", api_dashboard_stats,
	    ANYONE, 0),

	/* Branches, commits and tags (§2.5). */
	ROUTE(GET, "/api/v1/branches", api_branch_list,
	    SEES(CATALOG_QUERY), 0),
	ROUTE(POST, "/api/v1/branches/merge", api_merge_start,
	    ANYONE_DOES("merge_branch"), JSON),
	ROUTE(GET, "/api/v1/branches/merge/preview", api_merge_preview,
	    ANYONE, 0),
	ROUTE(POST, "/api/v1/branches", api_branch_create,
	    ANYONE_DOES("create_branch"), JSON),
	ROUTE(GET, "/api/v1/branches/{name}", api_branch_get,
	    SEES(CATALOG_QUERY), 0),
	ROUTE(DELETE, "/api/v1/branches/{name}", api_branch_delete,
	    MAY_DOES(DELETE, CATALOG_QUERY, "delete_branch"), 0),
	ROUTE(GET, "/api/v1/branches/{name}/commits", api_branch_commits,
	    SEES(CATALOG_QUERY), 0),
	ROUTE(POST, "/api/v1/branches/{name}/rebase", api_branch_rebase,
	    ANYONE_DOES("rebase_branch"), JSON),
	ROUTE(GET, "/api/v1/tags", api_tag_list,
	    SEES(CATALOG_QUERY), 0),
	ROUTE(POST, "/api/v1/tags", api_tag_create,
	    ANYONE_DOES("create_tag"), JSON),
	ROUTE(DELETE, "/api/v1/tags/{name}", api_tag_delete,
	    MAY_DOES(DELETE, CATALOG_QUERY, "delete_tag"), 0),

	/* Merges (§2.5, §4): the handlers decide on the target catalog,
	 * named by the body or the operation (write to change, read to
	 * look); a catalog's list needs read on the whole catalog. */
	ROUTE(GET, "/api/v1/catalogs/{name}/merge-operations", api_merge_list,
	    MAY(READ, CATALOG), 0),
	ROUTE(GET, "/api/v1/merge-operations/{id}", api_merge_get,
	    ANYONE, 0),
	ROUTE(GET, "/api/v1/merge-operations/{id}/conflicts",
	    api_merge_conflicts, ANYONE, 0),
	ROUTE(POST, "/api/v1/conflicts/{id}/resolve", api_merge_resolve,
	    ANYONE_DOES("resolve_conflict"), JSON),
	ROUTE(POST, "/api/v1/merge-operations/{id}/complete",
	    api_merge_complete, ANYONE_DOES("complete_merge"), 0),
	ROUTE(POST, "/api/v1/merge-operations/{id}/abort", api_merge_abort,
	    ANYONE_DOES("abort_merge"), 0),

	/* Users and sessions (§2.6); literal segments before {user_id}. */
	ROUTE(POST, "/api/v1/users/login", api_login,
	    PUBLIC, JSON),
	ROUTE(POST, "/api/v1/users/logout", api_logout,
	    ANYONE, 0),
	ROUTE(GET, "/api/v1/users/me", api_me,
	    ANYONE, 0),
	ROUTE(GET, "/api/v1/users/me/tokens", api_tokens_mine,
	    ANYONE, 0),
	ROUTE(GET, "/api/v1/users/{user_id}/tokens", api_tokens_of_user,
	    ADMIN, 0),
	ROUTE(GET, "/api/v1/users", api_user_list,
	    ADMIN, 0),
	ROUTE(POST, "/api/v1/users", api_user_create,
	    ADMIN_DOES("create_user"), JSON),
	ROUTE(GET, "/api/v1/users/{user_id}", api_user_get,
	    ANYONE, 0),
	ROUTE(PUT, "/api/v1/users/{user_id}", api_user_update,
	    ANYONE_DOES("update_user"), JSON),
	ROUTE(DELETE, "/api/v1/users/{user_id}", api_user_delete,
	    ADMIN_DOES("delete_user"), 0),

	/* Roles, role assignments and direct grants (§2.9). */
	ROUTE(GET, "/api/v1/roles", api_role_list,
	    ADMIN, 0),
	ROUTE(POST, "/api/v1/roles", api_role_create,
	    ADMIN_DOES("create_role"), JSON),
	ROUTE(GET, "/api/v1/roles/{id}", api_role_get,
	    ADMIN, 0),
	ROUTE(PUT, "/api/v1/roles/{id}", api_role_update,
	    ADMIN_DOES("update_role"), JSON),
	ROUTE(DELETE, "/api/v1/roles/{id}", api_role_delete,
	    ADMIN_DOES("delete_role"), 0),
	ROUTE(GET, "/api/v1/users/{user_id}/roles", api_user_roles,
	    ANYONE, 0),
	ROUTE(POST, "/api/v1/users/{user_id}/roles", api_user_role_assign,
	    ADMIN_DOES_TO("assign_role", "role"), JSON),
	ROUTE(DELETE, "/api/v1/users/{user_id}/roles/{role_id}",
	    api_user_role_revoke, ADMIN_DOES_TO("revoke_role", "role"), 0),
	ROUTE(GET, "/api/v1/permissions", api_permission_list,
	    ANYONE, 0),
	ROUTE(POST, "/api/v1/permissions", api_permission_grant,
	    ADMIN_DOES_TO("grant_permission", "permission"), JSON),
	ROUTE(DELETE, "/api/v1/permissions/{id}", api_permission_revoke,
	    ADMIN_DOES_TO("revoke_permission", "permission"), 0),

	/* Session tokens (§2.7). */
	ROUTE(POST, "/api/v1/tokens", api_token_mint,
	    ADMIN_DOES("create_token"), JSON),
	ROUTE(POST, "/api/v1/tokens/rotate", api_token_rotate,
	    ANYONE_DOES("rotate_token"), 0),
	ROUTE(DELETE, "/api/v1/tokens/{token_id}", api_token_delete,
	    ADMIN_DOES("revoke_token"), 0),
	ROUTE(POST, "/api/v1/auth/revoke", api_token_revoke_own,
	    ANYONE_DOES("revoke_token"), JSON),
	ROUTE(POST, "/api/v1/auth/revoke/{token_id}", api_token_revoke_id,
	    ADMIN_DOES("revoke_token"), JSON),
	ROUTE(POST, "/api/v1/auth/cleanup-tokens", api_token_cleanup,
	    ADMIN_DOES_TO("cleanup_tokens", "token"), 0),

	/* Cache statistics, all workers (root and tenant admins). */
	ROUTE(GET, "/api/v1/cache/stats", api_cache_stats,
	    ADMIN, 0),

	/* The tenant's change events, every catalog's and its own (issue
	 * 43), after a continuation token. */
	ROUTE(GET, "/api/v1/events", api_events_tenant,
	    ADMIN, 0),
	/* Webhook subscriptions to those events (issue 43): a tenant
	 * admin's; the secret is in the create and rotate answers only. */
	ROUTE(GET, "/api/v1/webhooks", api_webhook_list,
	    ADMIN, 0),
	ROUTE(POST, "/api/v1/webhooks", api_webhook_create,
	    ADMIN_DOES("create_webhook"), JSON),
	ROUTE(GET, "/api/v1/webhooks/{id}", api_webhook_get,
	    ADMIN, 0),
	ROUTE(PUT, "/api/v1/webhooks/{id}", api_webhook_update,
	    ADMIN_DOES("update_webhook"), JSON),
	ROUTE(DELETE, "/api/v1/webhooks/{id}", api_webhook_delete,
	    ADMIN_DOES("delete_webhook"), 0),
	ROUTE(POST, "/api/v1/webhooks/{id}/rotate-secret", api_webhook_rotate,
	    ADMIN_DOES_TO("rotate_webhook_secret", "webhook"), JSON),
	ROUTE(POST, "/api/v1/webhooks/{id}/test", api_webhook_test,
	    ADMIN_DOES_TO("test_webhook", "webhook"), 0),
	ROUTE(GET, "/api/v1/webhooks/{id}/deliveries", api_webhook_deliveries,
	    ADMIN, 0),
	ROUTE(POST, "/api/v1/webhooks/{id}/replay", api_webhook_replay,
	    ADMIN_DOES_TO("replay_webhook", "webhook"), JSON),

	/* Data policies (issue 46): a tenant admin's, each a row filter or
	 * a column action for some principals; what they make of a table
	 * for one user; the column tags a tag's policy follows (put like
	 * an asset's business metadata, searched by admins). */
	ROUTE(GET, "/api/v1/policies", api_policy_list,
	    TENANT_ADMIN, 0),
	ROUTE(POST, "/api/v1/policies", api_policy_create,
	    TENANT_ADMIN_DOES("create_policy"), JSON),
	ROUTE(GET, "/api/v1/policies/{id}", api_policy_get,
	    TENANT_ADMIN, 0),
	ROUTE(PUT, "/api/v1/policies/{id}", api_policy_update,
	    TENANT_ADMIN_DOES("update_policy"), JSON),
	ROUTE(DELETE, "/api/v1/policies/{id}", api_policy_delete,
	    TENANT_ADMIN_DOES("delete_policy"), 0),
	ROUTE(GET, "/api/v1/catalogs/{name}/namespaces/{namespace}/tables/{table}/effective-restrictions",
	    api_policy_explain, TENANT_ADMIN, 0),
	ROUTE(GET, "/api/v1/assets/{asset_id}/column-tags", api_column_tags_get,
	    SEES(ASSET_ID), 0),
	ROUTE(PUT, "/api/v1/assets/{asset_id}/column-tags", api_column_tags_put,
	    MAY_DOES(UPDATE, ASSET_ID, "update_column_tags"), JSON),
	ROUTE(GET, "/api/v1/column-tags", api_column_tags_search,
	    ADMIN, 0),

	/* Audit (§2.12): admins of a tenant; root across tenants. */
	ROUTE(GET, "/api/v1/audit", api_audit_list,
	    ADMIN, 0),
	ROUTE(GET, "/api/v1/audit/count", api_audit_count,
	    ADMIN, 0),
	ROUTE(GET, "/api/v1/audit/{id}", api_audit_get,
	    ADMIN, 0),

	/* Background tasks (issue 12): the handler checks the task's table
	 * (read to see, delete to cancel). */
	ROUTE(GET, "/api/v1/tasks", api_task_list,
	    ANYONE, 0),
	ROUTE(GET, "/api/v1/tasks/{id}", api_task_get,
	    ANYONE, 0),
	ROUTE(POST, "/api/v1/tasks/{id}/cancel", api_task_cancel,
	    ANYONE_DOES("cancel_task"), 0),

	/* Service users and API keys (§2.8). */
	ROUTE(GET, "/api/v1/service-users", api_service_user_list,
	    ADMIN, 0),
	ROUTE(POST, "/api/v1/service-users", api_service_user_create,
	    ADMIN_DOES("create_service_user"), JSON),
	ROUTE(GET, "/api/v1/service-users/{id}", api_service_user_get,
	    ADMIN, 0),
	ROUTE(PUT, "/api/v1/service-users/{id}", api_service_user_update,
	    ADMIN_DOES("update_service_user"), JSON),
	ROUTE(DELETE, "/api/v1/service-users/{id}", api_service_user_delete,
	    ADMIN_DOES("delete_service_user"), 0),
	ROUTE(POST, "/api/v1/service-users/{id}/rotate",
	    api_service_user_rotate,
	    ADMIN_DOES_TO("rotate_api_key", "service_user"), 0),

	/* Signing in to the page with an identity provider ([[auth.oidc]]
	 * client_id): the Rust Pangolin's routes.  Public; no caller yet. */
	ROUTE(GET, "/api/v1/oauth/providers", api_sso_providers,
	    PUBLIC, OWNAUTH),
	ROUTE(GET, "/oauth/authorize/{provider}", api_sso_authorize,
	    PUBLIC, OWNAUTH),
	ROUTE(GET, "/oauth/callback/{provider}", api_sso_callback,
	    PUBLIC, OWNAUTH),
	ROUTE(POST, "/api/v1/oauth/exchange", api_sso_exchange,
	    PUBLIC, JSON | OWNAUTH),

	/* OAuth2 client credentials (§1.2, §2.8): form bodies, public;
	 * Authorization is the client's (client_secret_basic), not root's. */
	ROUTE(POST, "/v1/oauth/tokens", api_oauth_token,
	    PUBLIC, OWNAUTH),
	ROUTE(POST, "/v1/{prefix}/oauth/tokens", api_oauth_token,
	    PUBLIC, OWNAUTH),
	ROUTE(POST, "/v1/{prefix}/v1/oauth/tokens", api_oauth_token,
	    PUBLIC, OWNAUTH),
	ROUTE(POST, "/api/v1/iceberg/{prefix}/oauth/tokens", api_oauth_token,
	    PUBLIC, OWNAUTH),
	ROUTE(POST, "/api/v1/iceberg/{prefix}/v1/oauth/tokens", api_oauth_token,
	    PUBLIC, OWNAUTH),
};

const size_t	pgl_nroutes = sizeof(pgl_routes) / sizeof(pgl_routes[0]);

