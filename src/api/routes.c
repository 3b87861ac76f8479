/*
 * Every route Pangolin serves, top to bottom.  The dispatcher matches
 * method + path segments against this table (first match wins, so a
 * literal segment must come before a {param} in the same position), checks
 * the auth level, and calls the handler.  The path template is also the
 * `route` label of the request metrics.
 */
#include "api/api.h"
#include "api/iceberg.h"
#include "api/routes.h"

#define GET	PGL_GET
#define POST	PGL_POST
#define PUT	PGL_PUT
#define DELETE	PGL_DELETE
#define JSON	ROUTE_JSON
#define HEAD	PGL_HEAD
#define NOSTORE	ROUTE_NO_STORE

/* Iceberg path pieces, spelled as in the REST spec (for /v1/config). */
#define NS	"/v1/{prefix}/namespaces/{namespace}"
#define TBL	NS "/tables/{table}"
#define VIEW	NS "/views/{view}"
/* PyIceberg's doubled-prefix aliases (pangolin-api.md §1.2). */
#define NS2	"/v1/{prefix}/v1/namespaces/{namespace}"
#define TBL2	NS2 "/tables/{table}"

const struct pgl_route pgl_routes[] = {
	/* Health and metrics (public). */
	{ GET,    "/health",                          api_health_ready,     AUTH_NONE, NOSTORE },
	{ GET,    "/health/live",                     api_health_live,      AUTH_NONE, NOSTORE },
	{ GET,    "/health/ready",                    api_health_ready,     AUTH_NONE, NOSTORE },
	{ GET,    "/metrics",                         api_metrics,          AUTH_NONE, NOSTORE },
	{ GET,    "/api/v1/app-config",               api_app_config,       AUTH_NONE, NOSTORE },

	/* The admin page (assets/, compiled in). */
	{ GET,    "/ui",                              api_ui_index,         AUTH_NONE, NOSTORE },
	{ GET,    "/ui/{file}",                       api_ui_file,          AUTH_NONE, NOSTORE },

	/* Iceberg REST catalog (iceberg-commit.md; pangolin-api.md §1.2). */
	{ GET,    "/v1/config",                       ice_config,           AUTH_NONE, 0 },
	{ GET,    "/v1/{prefix}/config",              ice_config,           AUTH_NONE, 0 },
	{ GET,    "/v1/{prefix}/namespaces",          ice_ns_list,          AUTH_USER, 0 },
	{ POST,   "/v1/{prefix}/namespaces",          ice_ns_create,        AUTH_USER, JSON },
	{ GET,    NS,                                 ice_ns_load,          AUTH_USER, 0 },
	{ HEAD,   NS,                                 ice_ns_head,          AUTH_USER, 0 },
	{ DELETE, NS,                                 ice_ns_drop,          AUTH_USER, 0 },
	{ POST,   NS "/properties",                   ice_ns_properties,    AUTH_USER, JSON },
	{ GET,    NS "/tables",                       ice_table_list,       AUTH_USER, 0 },
	{ POST,   NS "/tables",                       ice_table_create,     AUTH_USER, JSON },
	{ POST,   NS "/register",                     ice_table_register,   AUTH_USER, JSON },
	{ GET,    TBL,                                ice_table_load,       AUTH_USER, 0 },
	{ HEAD,   TBL,                                ice_table_head,       AUTH_USER, 0 },
	{ POST,   TBL,                                ice_table_commit,     AUTH_USER, JSON },
	{ DELETE, TBL,                                ice_table_drop,       AUTH_USER, 0 },
	{ POST,   TBL "/metrics",                     ice_table_metrics,    AUTH_USER, JSON },
	{ GET,    TBL "/credentials",                 ice_table_credentials, AUTH_USER, 0 },
	{ POST,   TBL "/unregister",                  ice_table_unregister, AUTH_USER, JSON },
	{ POST,   "/v1/{prefix}/tables/rename",       ice_table_rename,     AUTH_USER, JSON },
	{ POST,   "/v1/{prefix}/transactions/commit", ice_transactions_commit, AUTH_USER, JSON },
	{ GET,    NS "/views",                        ice_table_list,       AUTH_USER, 0 },
	{ POST,   NS "/views",                        ice_view_create,      AUTH_USER, JSON },
	{ POST,   NS "/register-view",                ice_view_register,    AUTH_USER, JSON },
	{ GET,    VIEW,                               ice_view_load,        AUTH_USER, 0 },
	{ HEAD,   VIEW,                               ice_view_head,        AUTH_USER, 0 },
	{ POST,   VIEW,                               ice_view_commit,      AUTH_USER, JSON },
	{ DELETE, VIEW,                               ice_view_drop,        AUTH_USER, 0 },
	{ POST,   "/v1/{prefix}/views/rename",        ice_table_rename,     AUTH_USER, JSON },

	{ GET,    "/v1/{prefix}/v1/config",           ice_config,           AUTH_NONE, 0 },
	{ GET,    "/v1/{prefix}/v1/namespaces",       ice_ns_list,          AUTH_USER, 0 },
	{ POST,   "/v1/{prefix}/v1/namespaces",       ice_ns_create,        AUTH_USER, JSON },
	{ GET,    NS2,                                ice_ns_load,          AUTH_USER, 0 },
	{ HEAD,   NS2,                                ice_ns_head,          AUTH_USER, 0 },
	{ DELETE, NS2,                                ice_ns_drop,          AUTH_USER, 0 },
	{ POST,   NS2 "/properties",                  ice_ns_properties,    AUTH_USER, JSON },
	{ GET,    NS2 "/tables",                      ice_table_list,       AUTH_USER, 0 },
	{ POST,   NS2 "/tables",                      ice_table_create,     AUTH_USER, JSON },
	{ GET,    TBL2,                               ice_table_load,       AUTH_USER, 0 },
	{ HEAD,   TBL2,                               ice_table_head,       AUTH_USER, 0 },
	{ POST,   TBL2,                               ice_table_commit,     AUTH_USER, JSON },
	{ DELETE, TBL2,                               ice_table_drop,       AUTH_USER, 0 },
	{ POST,   TBL2 "/metrics",                    ice_table_metrics,    AUTH_USER, JSON },
	{ POST,   "/v1/{prefix}/v1/tables/rename",    ice_table_rename,     AUTH_USER, JSON },

	/* Tenants (§2.1). */
	{ GET,    "/api/v1/tenants",                  api_tenant_list,      AUTH_USER, 0 },
	{ POST,   "/api/v1/tenants",                  api_tenant_create,    AUTH_USER, JSON },
	{ GET,    "/api/v1/tenants/{id}",             api_tenant_get,       AUTH_USER, 0 },
	{ PUT,    "/api/v1/tenants/{id}",             api_tenant_update,    AUTH_ROOT, JSON },
	{ DELETE, "/api/v1/tenants/{id}",             api_tenant_delete,    AUTH_ROOT, 0 },

	/* Warehouses (§2.2). */
	{ GET,    "/api/v1/warehouses",               api_warehouse_list,   AUTH_USER, 0 },
	{ POST,   "/api/v1/warehouses",               api_warehouse_create, AUTH_TENANT_ADMIN, JSON },
	{ GET,    "/api/v1/warehouses/{name}",        api_warehouse_get,    AUTH_USER, 0 },
	{ PUT,    "/api/v1/warehouses/{name}",        api_warehouse_update, AUTH_TENANT_ADMIN, JSON },
	{ DELETE, "/api/v1/warehouses/{name}",        api_warehouse_delete, AUTH_TENANT_ADMIN, 0 },

	/* Catalogs (§2.3). */
	{ GET,    "/api/v1/catalogs",                 api_catalog_list,     AUTH_USER, 0 },
	{ POST,   "/api/v1/catalogs",                 api_catalog_create,   AUTH_TENANT_ADMIN, JSON },
	{ GET,    "/api/v1/catalogs/{name}",          api_catalog_get,      AUTH_USER, 0 },
	{ PUT,    "/api/v1/catalogs/{name}",          api_catalog_update,   AUTH_TENANT_ADMIN, JSON },
	{ DELETE, "/api/v1/catalogs/{name}",          api_catalog_delete,   AUTH_TENANT_ADMIN, 0 },
	{ GET,    "/api/v1/catalogs/{name}/summary",  api_catalog_summary,  AUTH_USER, 0 },
	{ GET,    "/api/v1/catalogs/{name}/namespaces/tree", api_namespace_tree, AUTH_USER, 0 },

	/* Branches, commits and tags (§2.5). */
	{ GET,    "/api/v1/branches",                 api_branch_list,      AUTH_USER, 0 },
	{ POST,   "/api/v1/branches",                 api_branch_create,    AUTH_ADMIN, JSON },
	{ GET,    "/api/v1/branches/{name}",          api_branch_get,       AUTH_USER, 0 },
	{ DELETE, "/api/v1/branches/{name}",          api_branch_delete,    AUTH_ADMIN, 0 },
	{ GET,    "/api/v1/branches/{name}/commits",  api_branch_commits,   AUTH_USER, 0 },
	{ GET,    "/api/v1/tags",                     api_tag_list,         AUTH_USER, 0 },
	{ POST,   "/api/v1/tags",                     api_tag_create,       AUTH_ADMIN, JSON },
	{ DELETE, "/api/v1/tags/{name}",              api_tag_delete,       AUTH_ADMIN, 0 },

	/* Users and sessions (§2.6); literal segments before {user_id}. */
	{ POST,   "/api/v1/users/login",              api_login,            AUTH_NONE, JSON },
	{ POST,   "/api/v1/users/logout",             api_logout,           AUTH_USER, 0 },
	{ GET,    "/api/v1/users/me",                 api_me,               AUTH_USER, 0 },
	{ GET,    "/api/v1/users/me/tokens",          api_tokens_mine,      AUTH_USER, 0 },
	{ GET,    "/api/v1/users/{user_id}/tokens",   api_tokens_of_user,   AUTH_ADMIN, 0 },
	{ GET,    "/api/v1/users",                    api_user_list,        AUTH_ADMIN, 0 },
	{ POST,   "/api/v1/users",                    api_user_create,      AUTH_ADMIN, JSON },
	{ GET,    "/api/v1/users/{user_id}",          api_user_get,         AUTH_USER, 0 },
	{ PUT,    "/api/v1/users/{user_id}",          api_user_update,      AUTH_USER, JSON },
	{ DELETE, "/api/v1/users/{user_id}",          api_user_delete,      AUTH_ADMIN, 0 },

	/* Session tokens (§2.7). */
	{ POST,   "/api/v1/tokens",                   api_token_mint,       AUTH_ADMIN, JSON },
	{ POST,   "/api/v1/tokens/rotate",            api_token_rotate,     AUTH_USER, 0 },
	{ DELETE, "/api/v1/tokens/{token_id}",        api_token_delete,     AUTH_ADMIN, 0 },
	{ POST,   "/api/v1/auth/revoke",              api_token_revoke_own, AUTH_USER, JSON },
	{ POST,   "/api/v1/auth/revoke/{token_id}",   api_token_revoke_id,  AUTH_ADMIN, JSON },
	{ POST,   "/api/v1/auth/cleanup-tokens",      api_token_cleanup,    AUTH_ADMIN, 0 },

	/* Audit (§2.12): admins of a tenant; root across tenants. */
	{ GET,    "/api/v1/audit",                    api_audit_list,       AUTH_ADMIN, 0 },
	{ GET,    "/api/v1/audit/count",              api_audit_count,      AUTH_ADMIN, 0 },
	{ GET,    "/api/v1/audit/{id}",               api_audit_get,        AUTH_ADMIN, 0 },

	/* Service users and API keys (§2.8). */
	{ GET,    "/api/v1/service-users",            api_service_user_list, AUTH_ADMIN, 0 },
	{ POST,   "/api/v1/service-users",            api_service_user_create, AUTH_ADMIN, JSON },
	{ GET,    "/api/v1/service-users/{id}",       api_service_user_get, AUTH_ADMIN, 0 },
	{ PUT,    "/api/v1/service-users/{id}",       api_service_user_update, AUTH_ADMIN, JSON },
	{ DELETE, "/api/v1/service-users/{id}",       api_service_user_delete, AUTH_ADMIN, 0 },
	{ POST,   "/api/v1/service-users/{id}/rotate", api_service_user_rotate, AUTH_ADMIN, 0 },

	/* OAuth2 client credentials (§1.2, §2.8): form bodies, public. */
	{ POST,   "/v1/oauth/tokens",                 api_oauth_token,      AUTH_NONE, 0 },
	{ POST,   "/v1/{prefix}/oauth/tokens",        api_oauth_token,      AUTH_NONE, 0 },
	{ POST,   "/v1/{prefix}/v1/oauth/tokens",     api_oauth_token,      AUTH_NONE, 0 },
	{ POST,   "/api/v1/iceberg/{prefix}/oauth/tokens", api_oauth_token, AUTH_NONE, 0 },
	{ POST,   "/api/v1/iceberg/{prefix}/v1/oauth/tokens", api_oauth_token, AUTH_NONE, 0 },
};

const size_t	pgl_nroutes = sizeof(pgl_routes) / sizeof(pgl_routes[0]);
