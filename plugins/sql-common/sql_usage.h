/*
 * The usage ledger's arithmetic (store ABI 1.27, issue 67), written once
 * for the two SQL stores: which kind (struct pgl_usage) a row of each
 * counted table is, which rows count, and a row's bytes, each a macro
 * of the row's name (NEW, OLD, or a table's alias), so that the
 * migrations' triggers (sqlite_schema_usage.c, pg_schema_usage.c) and
 * the recount (sql_usage.c) add up the same thing.
 *
 * A row's bytes are the octet lengths of its stored text, scaled, and
 * PGL_USAGE_ROW_BYTES for the rest (key, header, index entries; store.h,
 * measured in docs/limits.md), the tenant's id left out as the same in
 * every row.
 * A webhook's state (cursor, status, the dispatcher's recent results)
 * is left out too: its dispatcher rewrites it, and it is bounded.  An
 * asset's and a dropped entry's location key and origin (ABI 1.26,
 * sql_locations.c) are stored text and count; location_claims (one row
 * a tenant, a counter) is bookkeeping, as tenant_usage is, and does not.
 */
#ifndef SQL_USAGE_H
#define SQL_USAGE_H

#include "pangolin/store.h"

#include "sql_dialect.h"

/*
 * A row's bytes from its strings' total: measured (docs/limits.md,
 * Quotas) so that the figure bounds what the store grows by on the
 * store that keeps the most per row (PostgreSQL: TOAST's chunks and
 * page space over large text, 9/8 with a margin; tuple headers and index
 * entries, PGL_USAGE_ROW_BYTES a row).  The triggers hold the figures as
 * they were made: a change to them is a migration that makes the
 * triggers again and recounts.
 */
#define U_SIZE(text) \
	"((" text ") * " U_XSTR(PGL_USAGE_TEXT_NUM) " / " \
	U_XSTR(PGL_USAGE_TEXT_DEN) " + " U_ROW ")"

#define U_STR(x)	#x
#define U_XSTR(x)	U_STR(x)
#define U_ROW		U_XSTR(PGL_USAGE_ROW_BYTES)

#if defined(SQL_DIALECT_SQLITE)
#define U_LEN(c)	"coalesce(length(CAST(" c " AS BLOB)), 0)"
#else
#define U_LEN(c)	"coalesce(octet_length(" c "), 0)"
#endif

#define U_NAMESPACE_BYTES(r) \
	U_SIZE(U_LEN(r ".catalog_name") " + " U_LEN(r ".name") \
	" + " U_LEN(r ".properties"))

#define U_ASSET_KIND(r) \
	"(CASE " r ".kind WHEN 'ICEBERG_TABLE' THEN 'tables'" \
	" WHEN 'VIEW' THEN 'views' ELSE 'assets' END)"
#define U_ASSET_BYTES(r) \
	U_SIZE(U_LEN(r ".catalog_name") " + " \
	U_LEN(r ".branch_name") " + " U_LEN(r ".namespace") " + " \
	U_LEN(r ".name") " + " U_LEN(r ".id") " + " U_LEN(r ".kind") \
	" + " U_LEN(r ".location") " + " U_LEN(r ".metadata_location") \
	" + " U_LEN(r ".properties") " + " U_LEN(r ".location_key") \
	" + " U_LEN(r ".origin"))

#define U_METADATA_BYTES(r) \
	U_SIZE(U_LEN(r ".asset_id") " + " U_LEN(r ".id") " + " \
	U_LEN(r ".description") " + " U_LEN(r ".tags") " + " \
	U_LEN(r ".properties") " + " U_LEN(r ".created_by") " + " \
	U_LEN(r ".updated_by"))

#define U_COMMIT_BYTES(r) \
	U_SIZE(U_LEN(r ".id") " + " U_LEN(r ".catalog_name") \
	" + " U_LEN(r ".parent_id") " + " U_LEN(r ".author") " + " \
	U_LEN(r ".message") " + " U_LEN(r ".operations") " + " \
	U_LEN(r ".merge_parent_id"))

#define U_DROPPED_BYTES(r) \
	U_SIZE(U_LEN(r ".id") " + " U_LEN(r ".catalog_name") \
	" + " U_LEN(r ".branch_name") " + " U_LEN(r ".namespace") " + " \
	U_LEN(r ".name") " + " U_LEN(r ".kind") " + " U_LEN(r ".asset_id") \
	" + " U_LEN(r ".location") " + " U_LEN(r ".metadata_location") \
	" + " U_LEN(r ".properties") " + " U_LEN(r ".dropped_by") " + " \
	U_LEN(r ".column_tags") " + " U_LEN(r ".location_key") " + " \
	U_LEN(r ".origin"))

#define U_POLICY_BYTES(r) \
	U_SIZE(U_LEN(r ".id") " + " U_LEN(r ".name") " + " \
	U_LEN(r ".catalog") " + " U_LEN(r ".ns") " + " \
	U_LEN(r ".table_name") " + " U_LEN(r ".tag") " + " \
	U_LEN(r ".doc"))

#define U_WEBHOOK_WHEN(r)	"(" r ".kind = 'webhook')"
#define U_WEBHOOK_BYTES(r) \
	U_SIZE(U_LEN(r ".id") " + " U_LEN(r ".name") " + " \
	U_LEN(r ".url") " + " U_LEN(r ".filter") " + " \
	U_LEN(r ".secrets"))

#define U_EVENT_BYTES(r) \
	U_SIZE(U_LEN(r ".catalog") " + " U_LEN(r ".id") " + " \
	U_LEN(r ".actor") " + " U_LEN(r ".operation_type") " + " \
	U_LEN(r ".object_type") " + " U_LEN(r ".object_name") " + " \
	U_LEN(r ".object_uuid") " + " U_LEN(r ".branch") " + " \
	U_LEN(r ".request_id") " + " U_LEN(r ".body"))

#define U_AUDIT_WHEN(r)		"(" r ".tenant_id IS NOT NULL)"
#define U_AUDIT_BYTES(r) \
	U_SIZE(U_LEN(r ".id") " + " U_LEN(r ".user_id") " + " \
	U_LEN(r ".action") " + " U_LEN(r ".resource_type") " + " \
	U_LEN(r ".resource_id") " + " U_LEN(r ".result") " + " \
	U_LEN(r ".doc"))

/*
 * The rest a tenant makes the store hold, one kind "other": catalogs,
 * warehouses, branches, tags, roles and their assignments, grants,
 * service users, users (a tenant's), access requests, merge operations
 * and their conflicts, column tags, settings.  Each table's bytes, and
 * U_OTHER_TABLES(X), X(table, its bytes, which rows) for each.
 */
#define U_CATALOG_BYTES(r) \
	U_SIZE(U_LEN(r ".name") " + " U_LEN(r ".id") " + " \
	U_LEN(r ".catalog_type") " + " U_LEN(r ".warehouse_name") " + " \
	U_LEN(r ".storage_location") " + " U_LEN(r ".federated_config") \
	" + " U_LEN(r ".properties"))
#define U_WAREHOUSE_BYTES(r) \
	U_SIZE(U_LEN(r ".name") " + " U_LEN(r ".id") " + " \
	U_LEN(r ".storage_config") " + " U_LEN(r ".vending_strategy"))
#define U_BRANCH_BYTES(r) \
	U_SIZE(U_LEN(r ".catalog_name") " + " U_LEN(r ".name") " + " \
	U_LEN(r ".head_commit_id") " + " U_LEN(r ".branch_type") " + " \
	U_LEN(r ".assets"))
#define U_TAG_BYTES(r) \
	U_SIZE(U_LEN(r ".catalog_name") " + " U_LEN(r ".name") " + " \
	U_LEN(r ".commit_id"))
#define U_ROLE_BYTES(r) \
	U_SIZE(U_LEN(r ".id") " + " U_LEN(r ".name") " + " U_LEN(r ".doc"))
#define U_USER_ROLE_BYTES(r) \
	U_SIZE(U_LEN(r ".principal_id") " + " U_LEN(r ".role_id") " + " \
	U_LEN(r ".doc"))
#define U_PERMISSION_BYTES(r) \
	U_SIZE(U_LEN(r ".id") " + " U_LEN(r ".user_id") " + " \
	U_LEN(r ".doc"))
#define U_SERVICE_USER_BYTES(r) \
	U_SIZE(U_LEN(r ".id") " + " U_LEN(r ".name") " + " \
	U_LEN(r ".key_id") " + " U_LEN(r ".api_key_hash") " + " \
	U_LEN(r ".doc"))
#define U_USER_BYTES(r) \
	U_SIZE(U_LEN(r ".id") " + " U_LEN(r ".username") " + " \
	U_LEN(r ".email") " + " U_LEN(r ".role") " + " \
	U_LEN(r ".password_hash") " + " U_LEN(r ".doc"))
#define U_ACCESS_BYTES(r) \
	U_SIZE(U_LEN(r ".id") " + " U_LEN(r ".user_id") " + " \
	U_LEN(r ".asset_id") " + " U_LEN(r ".reason") " + " \
	U_LEN(r ".status") " + " U_LEN(r ".reviewed_by") " + " \
	U_LEN(r ".review_comment"))
#define U_MERGE_BYTES(r) \
	U_SIZE(U_LEN(r ".id") " + " U_LEN(r ".catalog_name") " + " \
	U_LEN(r ".status") " + " U_LEN(r ".doc"))
#define U_CONFLICT_BYTES(r) \
	U_SIZE(U_LEN(r ".id") " + " U_LEN(r ".merge_op_id") " + " \
	U_LEN(r ".doc"))
#define U_COLUMN_TAG_BYTES(r) \
	U_SIZE(U_LEN(r ".asset_id") " + " U_LEN(r ".tag"))
#define U_SETTINGS_BYTES(r) \
	U_SIZE(U_LEN(r ".doc"))
#define U_TENANTS_ROW(r)	"(" r ".tenant_id IS NOT NULL)"

#define U_OTHER_TABLES(X, ALWAYS) \
	X("catalogs", U_CATALOG_BYTES, ALWAYS) \
	X("warehouses", U_WAREHOUSE_BYTES, ALWAYS) \
	X("branches", U_BRANCH_BYTES, ALWAYS) \
	X("tags", U_TAG_BYTES, ALWAYS) \
	X("roles", U_ROLE_BYTES, ALWAYS) \
	X("user_roles", U_USER_ROLE_BYTES, ALWAYS) \
	X("permissions", U_PERMISSION_BYTES, ALWAYS) \
	X("service_users", U_SERVICE_USER_BYTES, ALWAYS) \
	X("users", U_USER_BYTES, U_TENANTS_ROW) \
	X("access_requests", U_ACCESS_BYTES, ALWAYS) \
	X("merge_operations", U_MERGE_BYTES, ALWAYS) \
	X("merge_conflicts", U_CONFLICT_BYTES, ALWAYS) \
	X("column_tags", U_COLUMN_TAG_BYTES, ALWAYS) \
	X("settings", U_SETTINGS_BYTES, ALWAYS)

#define U_PLAN_BYTES(r) \
	U_SIZE(U_LEN(r ".plan_id") " + " U_LEN(r ".table_name") \
	" + " U_LEN(r ".body"))

#endif
