/*
 * Migration 20: the usage ledger (store ABI 1.27, issue 67), as SQLite's
 * migration 22 (sqlite_schema_usage.c) with one difference.
 *
 * Host transactions run at REPEATABLE READ, where a row updated by two
 * concurrent transactions fails the second with 40001 once the first
 * commits: one ledger row per (tenant, kind) would turn every two
 * concurrent writers of a tenant into a retry (a management change
 * beside a commit, whose events and audit rows both count).  So each
 * session writes its own slot, its backend's pid modulo 64: a session
 * runs one transaction at a time, so its slot's row is never updated by
 * two at once, unless two live sessions share a slot and write the same
 * tenant's kind at the same moment, which is a retry as any other race.
 * A read adds a tenant's slots up (sql_usage.c): a range of the primary
 * key, at most 64 rows a kind.  A slot's row is updated by each of its
 * session's counted writes, as a branch's head row is by each commit of
 * the branch: a row kept small, whose old versions HOT pruning and
 * autovacuum take as those of the branch heads.
 *
 * One PL/pgSQL function a counted table (its kind and bytes differ,
 * sql_usage.h), the update's trigger only when the row's bytes, kind or
 * tenant change: the swap of a table's metadata location calls nothing.
 */
#include <stddef.h>

#include "pg_store.h"
#include "sql_usage.h"

#define U_ALWAYS(r)	"true"

/*
 * Add dn rows of kind k and db bytes to tenant t's figures, in this
 * session's slot, while the tenant exists: the rows that outlive it
 * (events, audit, plan parts) count nothing once its figures are gone,
 * nor do the deletes its cascade makes after its own trigger went.
 * Written out in each function, not called: PL/pgSQL keeps the plan of
 * its own statements for the session, where a SQL function called from
 * it is planned at every call (measured: a third more time a commit).
 */
#define U_ADD(t, k, dn, db) \
	"    INSERT INTO tenant_usage (tenant_id, kind, slot, n, bytes)" \
	"    SELECT " t ", " k ", pg_backend_pid() % 64, " dn ", " db \
	"    WHERE EXISTS (SELECT 1 FROM tenants WHERE id = " t ")" \
	"    ON CONFLICT (tenant_id, kind, slot) DO UPDATE" \
	"    SET n = tenant_usage.n + EXCLUDED.n," \
	"    bytes = tenant_usage.bytes + EXCLUDED.bytes;"

/*
 * The function and triggers of table tbl: rows of kind KIND(r), BYTES(r)
 * bytes each, those where WHEN(r) holds.  An update that keeps a row's
 * tenant, kind and count adds its change of bytes alone: one statement.
 */
#define U_TRIGGERS(tbl, KIND, BYTES, WHEN) \
	"CREATE FUNCTION usage_" tbl "() RETURNS trigger" \
	"  LANGUAGE plpgsql SET search_path FROM CURRENT AS $$" \
	" BEGIN" \
	"  IF TG_OP = 'UPDATE' AND OLD.tenant_id = NEW.tenant_id AND " \
	KIND("OLD") " = " KIND("NEW") " AND " WHEN("OLD") " AND " \
	WHEN("NEW") " THEN" \
	U_ADD("NEW.tenant_id", KIND("NEW"), "0", \
	    BYTES("NEW") " - " BYTES("OLD")) \
	"    RETURN NULL;" \
	"  END IF;" \
	"  IF TG_OP <> 'INSERT' AND " WHEN("OLD") " THEN" \
	U_ADD("OLD.tenant_id", KIND("OLD"), "-1", "-" BYTES("OLD")) \
	"  END IF;" \
	"  IF TG_OP <> 'DELETE' AND " WHEN("NEW") " THEN" \
	U_ADD("NEW.tenant_id", KIND("NEW"), "1", BYTES("NEW")) \
	"  END IF;" \
	"  RETURN NULL;" \
	" END $$;" \
	"CREATE TRIGGER usage_" tbl " AFTER INSERT OR DELETE ON " tbl \
	"  FOR EACH ROW EXECUTE FUNCTION usage_" tbl "();" \
	"CREATE TRIGGER usage_" tbl "_upd AFTER UPDATE ON " tbl \
	"  FOR EACH ROW WHEN (" BYTES("OLD") " <> " BYTES("NEW") \
	"  OR " KIND("OLD") " <> " KIND("NEW") " OR " WHEN("OLD") \
	"  IS DISTINCT FROM " WHEN("NEW") \
	"  OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id)" \
	"  EXECUTE FUNCTION usage_" tbl "();"

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

const char pg_usage_sql[] =
	"CREATE TABLE tenant_usage ("
	"  tenant_id text COLLATE \"C\" NOT NULL,"
	"  kind text COLLATE \"C\" NOT NULL,"
	"  slot integer NOT NULL,"
	"  n bigint NOT NULL,"
	"  bytes bigint NOT NULL,"
	"  PRIMARY KEY (tenant_id, kind, slot)"
	");"
	"CREATE FUNCTION tenants_drop_usage() RETURNS trigger"
	"  LANGUAGE plpgsql SET search_path FROM CURRENT AS $$"
	" BEGIN"
	"  DELETE FROM tenant_usage WHERE tenant_id = OLD.id;"
	"  RETURN NULL;"
	" END $$;"
	"CREATE TRIGGER tenants_drop_usage AFTER DELETE ON tenants"
	"  FOR EACH ROW EXECUTE FUNCTION tenants_drop_usage();"
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

/*
 * Migration 22: a statement's rows counted once a statement (issue 69).
 * A row trigger upserted the session's slot row once per inserted or
 * deleted row: a statement that cascaded to 10,000 commits (a catalog's
 * delete) wrote 10,000 versions of one row, each found by walking the
 * versions before it, 10 times SQLite's time; a transaction of 10,000
 * statements made as many subtransactions lock it.  Inserts and deletes
 * now read the statement's rows (a transition table) and add each
 * tenant's and kind's count and bytes in one upsert.  An update keeps its
 * row trigger: it fires only when a row's bytes, kind or tenant change,
 * where a statement trigger would run at every swap of a table's
 * pointer.
 */
#define S_ADD(fn, tbl, rows, sign, KIND, BYTES, WHEN) \
	"CREATE FUNCTION " fn "() RETURNS trigger" \
	"  LANGUAGE plpgsql SET search_path FROM CURRENT AS $$" \
	" BEGIN" \
	"  INSERT INTO tenant_usage (tenant_id, kind, slot, n, bytes)" \
	"  SELECT r.tenant_id, " KIND("r") ", pg_backend_pid() % 64," \
	"  " sign "count(*), " sign "sum(" BYTES("r") ")" \
	"  FROM " rows " r" \
	"  WHERE " WHEN("r") \
	"  AND EXISTS (SELECT 1 FROM tenants WHERE id = r.tenant_id)" \
	"  GROUP BY 1, 2" \
	"  ON CONFLICT (tenant_id, kind, slot) DO UPDATE" \
	"  SET n = tenant_usage.n + EXCLUDED.n," \
	"  bytes = tenant_usage.bytes + EXCLUDED.bytes;" \
	"  RETURN NULL;" \
	" END $$;"

#define S_TRIGGERS(tbl, KIND, BYTES, WHEN) \
	"DROP TRIGGER usage_" tbl " ON " tbl ";" \
	S_ADD("usage_" tbl "_added", tbl, "added", "", KIND, BYTES, WHEN) \
	S_ADD("usage_" tbl "_removed", tbl, "removed", "-", KIND, BYTES, \
	    WHEN) \
	"CREATE TRIGGER usage_" tbl "_added AFTER INSERT ON " tbl \
	"  REFERENCING NEW TABLE AS added" \
	"  FOR EACH STATEMENT EXECUTE FUNCTION usage_" tbl "_added();" \
	"CREATE TRIGGER usage_" tbl "_removed AFTER DELETE ON " tbl \
	"  REFERENCING OLD TABLE AS removed" \
	"  FOR EACH STATEMENT EXECUTE FUNCTION usage_" tbl "_removed();"

#define S_OTHER(tbl, BYTES, WHEN)	S_TRIGGERS(tbl, K_OTHER, BYTES, WHEN)

const char pg_usage_by_statement_sql[] =
	S_TRIGGERS("namespaces", K_NAMESPACES, U_NAMESPACE_BYTES, U_ALWAYS)
	S_TRIGGERS("assets", U_ASSET_KIND, U_ASSET_BYTES, U_ALWAYS)
	S_TRIGGERS("business_metadata", K_METADATA, U_METADATA_BYTES,
	    U_ALWAYS)
	S_TRIGGERS("commits", K_COMMITS, U_COMMIT_BYTES, U_ALWAYS)
	S_TRIGGERS("dropped_assets", K_DROPPED, U_DROPPED_BYTES, U_ALWAYS)
	S_TRIGGERS("policies", K_POLICIES, U_POLICY_BYTES, U_ALWAYS)
	S_TRIGGERS("webhooks", K_WEBHOOKS, U_WEBHOOK_BYTES, U_WEBHOOK_WHEN)
	S_TRIGGERS("events", K_EVENTS, U_EVENT_BYTES, U_ALWAYS)
	S_TRIGGERS("audit_events", K_AUDIT, U_AUDIT_BYTES, U_AUDIT_WHEN)
	S_TRIGGERS("plan_parts", K_PLANS, U_PLAN_BYTES, U_ALWAYS)
	U_OTHER_TABLES(S_OTHER, U_ALWAYS);
