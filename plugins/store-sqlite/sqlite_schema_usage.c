/*
 * Migration 22: the usage ledger (store ABI 1.27, issue 67; the figures
 * each tenant's quota is checked against).  tenant_usage holds, per
 * tenant and kind, the rows the store keeps and their bytes
 * (sql_usage.h), changed by triggers on every counted table in the
 * statement that writes the row, so a rollback takes the change back
 * and a cascade (a catalog's, a branch's, a namespace's delete) is
 * counted like a direct delete.  SQLite serializes its writers, so one
 * row per (tenant, kind) is enough (slot 0; PostgreSQL's need more:
 * pg_schema_usage.c).  Rows of a tenant deleted go with it; the rows
 * that outlive a tenant (events, audit, plan parts) count nothing once
 * it is gone: the upsert asks that the tenant exist.  The rows of before
 * are counted by the step after (sql_usage_recount_all).
 *
 * An update fires only when a row's bytes or kind change, so the swap
 * of a table's metadata location (same length) costs the length
 * comparison alone.
 */
#include "sqlite_store.h"
#include "sql_usage.h"

#define U_ALWAYS(r)	"1"

/* Add dn rows of kind k and db bytes to tenant t's figures, when cond. */
#define U_ADD(t, k, dn, db, cond) \
	"INSERT INTO tenant_usage (tenant_id, kind, slot, n, bytes)" \
	" SELECT " t ", " k ", 0, " dn ", " db \
	" WHERE " cond " AND EXISTS (SELECT 1 FROM tenants WHERE id = " t ")" \
	" ON CONFLICT (tenant_id, kind, slot) DO UPDATE" \
	" SET n = n + excluded.n, bytes = bytes + excluded.bytes;"

/* The three triggers of table tbl: its rows of kind KIND(r), BYTES(r)
 * bytes each, those where WHEN(r) holds. */
#define U_TRIGGERS(tbl, KIND, BYTES, WHEN) \
	"CREATE TRIGGER usage_" tbl "_ins AFTER INSERT ON " tbl " BEGIN " \
	U_ADD("new.tenant_id", KIND("new"), "1", BYTES("new"), WHEN("new")) \
	" END;" \
	"CREATE TRIGGER usage_" tbl "_del AFTER DELETE ON " tbl " BEGIN " \
	U_ADD("old.tenant_id", KIND("old"), "-1", "-" BYTES("old"), \
	    WHEN("old")) \
	" END;" \
	"CREATE TRIGGER usage_" tbl "_upd AFTER UPDATE ON " tbl \
	" WHEN " BYTES("old") " <> " BYTES("new") " OR " KIND("old") \
	" <> " KIND("new") " OR " WHEN("old") " <> " WHEN("new") \
	" OR old.tenant_id IS NOT new.tenant_id BEGIN " \
	U_ADD("old.tenant_id", KIND("old"), "-1", "-" BYTES("old"), \
	    WHEN("old")) \
	U_ADD("new.tenant_id", KIND("new"), "1", BYTES("new"), WHEN("new")) \
	" END;"

#define K_NAMESPACES(r)	"'namespaces'"
#define K_METADATA(r)	"'metadata'"
#define K_COMMITS(r)	"'commits'"
#define K_DROPPED(r)	"'dropped'"
#define K_POLICIES(r)	"'policies'"
#define K_WEBHOOKS(r)	"'webhooks'"
#define K_EVENTS(r)	"'events'"
#define K_AUDIT(r)	"'audit'"
#define K_PLANS(r)	"'plans'"
#define K_OTHER(r)	"'other'"
#define U_OTHER(tbl, BYTES, WHEN)	U_TRIGGERS(tbl, K_OTHER, BYTES, WHEN)

const char sqlite_usage_sql[] =
	"CREATE TABLE tenant_usage ("
	"  tenant_id TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  slot INTEGER NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  bytes INTEGER NOT NULL,"
	"  PRIMARY KEY (tenant_id, kind, slot)"
	") STRICT, WITHOUT ROWID;"
	"CREATE TRIGGER tenants_drop_usage AFTER DELETE ON tenants BEGIN"
	"  DELETE FROM tenant_usage WHERE tenant_id = old.id;"
	" END;"
	U_TRIGGERS("namespaces", K_NAMESPACES, U_NAMESPACE_BYTES, U_ALWAYS)
	U_TRIGGERS("assets", U_ASSET_KIND, U_ASSET_BYTES, U_ALWAYS)
	U_TRIGGERS("business_metadata", K_METADATA, U_METADATA_BYTES,
	    U_ALWAYS)
	U_TRIGGERS("commits", K_COMMITS, U_COMMIT_BYTES, U_ALWAYS)
	U_TRIGGERS("dropped_assets", K_DROPPED, U_DROPPED_BYTES, U_ALWAYS)
	U_TRIGGERS("policies", K_POLICIES, U_POLICY_BYTES, U_ALWAYS)
	U_TRIGGERS("webhooks", K_WEBHOOKS, U_WEBHOOK_BYTES, U_WEBHOOK_WHEN)
	U_TRIGGERS("events", K_EVENTS, U_EVENT_BYTES, U_ALWAYS)
	U_TRIGGERS("audit_events", K_AUDIT, U_AUDIT_BYTES, U_AUDIT_WHEN)
	U_TRIGGERS("plan_parts", K_PLANS, U_PLAN_BYTES, U_ALWAYS)
	U_OTHER_TABLES(U_OTHER, U_ALWAYS);
