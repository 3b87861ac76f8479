/*
 * The schema's migrations, in order (pg_migrate.c applies them).
 * Append-only: a released one is never edited.
 *
 * The schema mirrors the SQLite plugin's (sqlite_migrate.c, whose notes
 * on keys and cascades apply here unchanged), with these differences:
 *  - Every key column is text COLLATE "C": lists are ordered by bytes, as
 *    SQLite's BINARY collation orders them, whatever the database's
 *    locale, and the namespace-children range (name > P || 0x1f AND
 *    name < P || 0x20) means the same thing in both.
 *  - JSON stays text, not jsonb: the ABI promises back exactly the text
 *    that was stored, and jsonb would re-space and re-order it.
 *  - Times are bigint milliseconds, as in the ABI.
 *  - The idempotency cleanup is a PL/pgSQL trigger with the schema's
 *    search_path pinned, so it deletes from this schema's table whatever
 *    the path of the session that deletes the tenant.
 *  - The indexes SQLite needed a second migration to get right are in
 *    the first one here: commits(parent_id, ...) and the full-key
 *    assets_namespace, for the FK checks a catalog delete cascades to.
 */
#include <stddef.h>

#include "pg_store.h"

/* A key column: byte-ordered text, never NULL. */
#define K	" text COLLATE \"C\" NOT NULL"
/* A nullable reference to a key. */
#define KREF	" text COLLATE \"C\""

const struct pg_migration pg_migrations[] = {
	{ 1, "catalog core",
	"CREATE TABLE tenants ("
	"  id" K " PRIMARY KEY,"
	"  name" K " UNIQUE,"
	"  properties text NOT NULL"
	");"

	"CREATE TABLE warehouses ("
	"  tenant_id" K " REFERENCES tenants(id) ON DELETE CASCADE,"
	"  name" K ","
	"  id" K " UNIQUE,"
	"  storage_config text NOT NULL,"
	"  vending_strategy text,"
	"  use_sts integer NOT NULL,"
	"  PRIMARY KEY (tenant_id, name)"
	");"

	/* NO ACTION (the default), not RESTRICT: see sqlite_migrate.c. */
	"CREATE TABLE catalogs ("
	"  tenant_id" K " REFERENCES tenants(id) ON DELETE CASCADE,"
	"  name" K ","
	"  id" K " UNIQUE,"
	"  catalog_type text NOT NULL,"
	"  warehouse_name" KREF ","
	"  storage_location text,"
	"  federated_config text,"
	"  properties text NOT NULL,"
	"  PRIMARY KEY (tenant_id, name),"
	"  FOREIGN KEY (tenant_id, warehouse_name)"
	"    REFERENCES warehouses(tenant_id, name) ON UPDATE CASCADE"
	");"
	"CREATE INDEX catalogs_warehouse ON catalogs(tenant_id, warehouse_name);"

	"CREATE TABLE namespaces ("
	"  tenant_id" K ","
	"  catalog_name" K ","
	"  name" K ","
	"  properties text NOT NULL,"
	"  PRIMARY KEY (tenant_id, catalog_name, name),"
	"  FOREIGN KEY (tenant_id, catalog_name)"
	"    REFERENCES catalogs(tenant_id, name) ON DELETE CASCADE"
	");"

	"CREATE TABLE commits ("
	"  id" K " PRIMARY KEY,"
	"  tenant_id" K ","
	"  catalog_name" K ","
	"  parent_id" KREF ","
	"  timestamp bigint NOT NULL,"
	"  author text,"
	"  message text,"
	"  operations text NOT NULL,"
	"  UNIQUE (tenant_id, catalog_name, id),"
	"  FOREIGN KEY (tenant_id, catalog_name)"
	"    REFERENCES catalogs(tenant_id, name) ON DELETE CASCADE,"
	"  FOREIGN KEY (tenant_id, catalog_name, parent_id)"
	"    REFERENCES commits(tenant_id, catalog_name, id)"
	");"
	"CREATE INDEX commits_parent"
	"  ON commits(parent_id, tenant_id, catalog_name);"

	"CREATE TABLE branches ("
	"  tenant_id" K ","
	"  catalog_name" K ","
	"  name" K ","
	"  head_commit_id" KREF ","
	"  branch_type text NOT NULL,"
	"  assets text NOT NULL,"
	"  created_at bigint NOT NULL,"
	"  PRIMARY KEY (tenant_id, catalog_name, name),"
	"  FOREIGN KEY (tenant_id, catalog_name)"
	"    REFERENCES catalogs(tenant_id, name) ON DELETE CASCADE,"
	"  FOREIGN KEY (tenant_id, catalog_name, head_commit_id)"
	"    REFERENCES commits(tenant_id, catalog_name, id)"
	");"
	"CREATE INDEX branches_head"
	"  ON branches(head_commit_id, tenant_id, catalog_name);"

	"CREATE TABLE tags ("
	"  tenant_id" K ","
	"  catalog_name" K ","
	"  name" K ","
	"  commit_id" K ","
	"  created_at bigint NOT NULL,"
	"  PRIMARY KEY (tenant_id, catalog_name, name),"
	"  FOREIGN KEY (tenant_id, catalog_name)"
	"    REFERENCES catalogs(tenant_id, name) ON DELETE CASCADE,"
	"  FOREIGN KEY (tenant_id, catalog_name, commit_id)"
	"    REFERENCES commits(tenant_id, catalog_name, id)"
	");"
	"CREATE INDEX tags_commit ON tags(commit_id, tenant_id, catalog_name);"

	"CREATE TABLE assets ("
	"  tenant_id" K ","
	"  catalog_name" K ","
	"  branch_name" K ","
	"  namespace" K ","
	"  name" K ","
	"  id" K " UNIQUE,"
	"  kind text NOT NULL,"
	"  location text,"
	"  metadata_location text,"
	"  properties text NOT NULL,"
	"  created_at bigint NOT NULL,"
	"  updated_at bigint NOT NULL,"
	"  PRIMARY KEY (tenant_id, catalog_name, branch_name, namespace, name),"
	"  FOREIGN KEY (tenant_id, catalog_name, branch_name)"
	"    REFERENCES branches(tenant_id, catalog_name, name)"
	"    ON DELETE CASCADE,"
	"  FOREIGN KEY (tenant_id, catalog_name, namespace)"
	"    REFERENCES namespaces(tenant_id, catalog_name, name)"
	"    ON DELETE CASCADE"
	");"
	"CREATE INDEX assets_namespace"
	"  ON assets(tenant_id, catalog_name, namespace, branch_name, name);"

	"CREATE TABLE idempotency ("
	"  tenant_id" K ","
	"  key" K ","
	"  route text NOT NULL,"
	"  status integer NOT NULL,"
	"  body text,"
	"  expires_at bigint NOT NULL,"
	"  PRIMARY KEY (tenant_id, key)"
	");"
	"CREATE INDEX idempotency_expiry ON idempotency(expires_at);"
	/* Not an FK: replies are recorded for whatever tenant the request
	 * resolved to, but they must not outlive a deleted tenant. */
	"CREATE FUNCTION tenants_drop_idempotency() RETURNS trigger"
	"  LANGUAGE plpgsql SET search_path FROM CURRENT AS $$"
	"  BEGIN"
	"    DELETE FROM idempotency WHERE tenant_id = OLD.id;"
	"    RETURN NULL;"
	"  END $$;"
	"CREATE TRIGGER tenants_drop_idempotency AFTER DELETE ON tenants"
	"  FOR EACH ROW EXECUTE FUNCTION tenants_drop_idempotency();"
	},
	/* Users and session tokens: as SQLite's migration 3. */
	{ 2, "users and session tokens",
	"CREATE TABLE users ("
	"  id" K " PRIMARY KEY,"
	"  tenant_id" KREF " REFERENCES tenants(id) ON DELETE CASCADE,"
	"  username" K " UNIQUE,"
	"  email text,"
	"  role text NOT NULL,"
	"  password_hash text,"
	"  active integer NOT NULL,"
	"  doc text NOT NULL"
	");"
	"CREATE INDEX users_tenant ON users(tenant_id, username);"
	"CREATE TABLE active_tokens ("
	"  id" K " PRIMARY KEY,"
	"  tenant_id" KREF ","
	"  user_id" K ","
	"  expires_at bigint NOT NULL,"
	"  doc text NOT NULL"
	");"
	"CREATE INDEX active_tokens_user ON active_tokens(user_id, expires_at);"
	"CREATE INDEX active_tokens_expiry ON active_tokens(expires_at);"
	"CREATE INDEX active_tokens_tenant ON active_tokens(tenant_id);"
	"CREATE TABLE revoked_tokens ("
	"  jti" K " PRIMARY KEY,"
	"  expires_at bigint NOT NULL,"
	"  reason text"
	");"
	"CREATE INDEX revoked_tokens_expiry ON revoked_tokens(expires_at);"
	"CREATE FUNCTION tenants_drop_tokens() RETURNS trigger"
	"  LANGUAGE plpgsql SET search_path FROM CURRENT AS $$"
	"  BEGIN"
	"    DELETE FROM active_tokens WHERE tenant_id = OLD.id;"
	"    RETURN NULL;"
	"  END $$;"
	"CREATE TRIGGER tenants_drop_tokens AFTER DELETE ON tenants"
	"  FOR EACH ROW EXECUTE FUNCTION tenants_drop_tokens();"
	},
	/* Service users: as SQLite's migration 4. */
	{ 3, "service users",
	"CREATE TABLE service_users ("
	"  id" K " PRIMARY KEY,"
	"  tenant_id" K " REFERENCES tenants(id) ON DELETE CASCADE,"
	"  name" K ","
	"  key_id" K " UNIQUE,"
	"  api_key_hash text NOT NULL,"
	"  active integer NOT NULL,"
	"  expires_at bigint NOT NULL,"
	"  doc text NOT NULL,"
	"  UNIQUE (tenant_id, name)"
	");"
	},
	/* The audit log: as SQLite's migration 5. */
	{ 4, "audit log",
	"CREATE TABLE audit_events ("
	"  id" K " PRIMARY KEY,"
	"  tenant_id" KREF ","
	"  timestamp bigint NOT NULL,"
	"  user_id" KREF ","
	"  action text NOT NULL,"
	"  resource_type text NOT NULL,"
	"  resource_id" KREF ","
	"  result text NOT NULL,"
	"  doc text NOT NULL"
	");"
	"CREATE INDEX audit_tenant_time ON audit_events(tenant_id, timestamp);"
	"CREATE INDEX audit_time ON audit_events(timestamp);"
	},
	/* Roles and permissions: as SQLite's migration 6. */
	{ 5, "roles and permissions",
	"CREATE TABLE roles ("
	"  id" K " PRIMARY KEY,"
	"  tenant_id" K " REFERENCES tenants(id) ON DELETE CASCADE,"
	"  name" K ","
	"  doc text NOT NULL,"
	"  UNIQUE (tenant_id, name)"
	");"
	"CREATE TABLE user_roles ("
	"  tenant_id" K ","
	"  principal_id" K ","
	"  role_id" K " REFERENCES roles(id) ON DELETE CASCADE,"
	"  doc text NOT NULL,"
	"  PRIMARY KEY (tenant_id, principal_id, role_id)"
	");"
	"CREATE INDEX user_roles_role ON user_roles(role_id);"
	"CREATE INDEX user_roles_principal ON user_roles(principal_id);"
	"CREATE TABLE permissions ("
	"  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
	"  id" K " UNIQUE,"
	"  tenant_id" K " REFERENCES tenants(id) ON DELETE CASCADE,"
	"  user_id" K ","
	"  doc text NOT NULL"
	");"
	"CREATE INDEX permissions_user ON permissions(tenant_id, user_id, seq);"
	"CREATE INDEX permissions_tenant ON permissions(tenant_id, seq);"
	"CREATE INDEX permissions_principal ON permissions(user_id);"
	/* A principal is a user or a service user: no FK, triggers. */
	"CREATE FUNCTION principals_drop_grants() RETURNS trigger"
	"  LANGUAGE plpgsql SET search_path FROM CURRENT AS $$"
	"  BEGIN"
	"    DELETE FROM user_roles WHERE principal_id = OLD.id;"
	"    DELETE FROM permissions WHERE user_id = OLD.id;"
	"    RETURN NULL;"
	"  END $$;"
	"CREATE TRIGGER users_drop_grants AFTER DELETE ON users"
	"  FOR EACH ROW EXECUTE FUNCTION principals_drop_grants();"
	"CREATE TRIGGER service_users_drop_grants AFTER DELETE ON service_users"
	"  FOR EACH ROW EXECUTE FUNCTION principals_drop_grants();"
	"CREATE FUNCTION tenants_drop_assignments() RETURNS trigger"
	"  LANGUAGE plpgsql SET search_path FROM CURRENT AS $$"
	"  BEGIN"
	"    DELETE FROM user_roles WHERE tenant_id = OLD.id;"
	"    RETURN NULL;"
	"  END $$;"
	"CREATE TRIGGER tenants_drop_assignments AFTER DELETE ON tenants"
	"  FOR EACH ROW EXECUTE FUNCTION tenants_drop_assignments();"
	},
	/* Background tasks: as SQLite's migration 7. */
	{ 6, "tasks",
	"CREATE TABLE tasks ("
	"  id" K " PRIMARY KEY,"
	"  tenant_id" K ","
	"  kind" K ","
	"  status" K ","
	"  catalog" KREF ", branch" KREF ", ns" KREF ", tbl" KREF ","
	"  params text NOT NULL,"
	"  progress_done bigint NOT NULL, progress_total bigint NOT NULL,"
	"  phase text, message text, result text, error text,"
	"  attempts bigint NOT NULL, max_attempts bigint NOT NULL,"
	"  created_by" KREF ","
	"  lease_owner" KREF ", lease_expires_at bigint NOT NULL,"
	"  heartbeat_at bigint NOT NULL,"
	"  cancel_requested bigint NOT NULL,"
	"  created_at bigint NOT NULL, started_at bigint NOT NULL,"
	"  finished_at bigint NOT NULL, updated_at bigint NOT NULL"
	");"
	"CREATE INDEX tasks_tenant_time ON tasks(tenant_id, created_at);"
	"CREATE INDEX tasks_claim ON tasks(status, created_at);"
	"CREATE FUNCTION tenants_drop_tasks() RETURNS trigger"
	"  LANGUAGE plpgsql SET search_path FROM CURRENT AS $$"
	"  BEGIN"
	"    DELETE FROM tasks WHERE tenant_id = OLD.id;"
	"    RETURN NULL;"
	"  END $$;"
	"CREATE TRIGGER tenants_drop_tasks AFTER DELETE ON tenants"
	"  FOR EACH ROW EXECUTE FUNCTION tenants_drop_tasks();"
	},
	/* Merges: as SQLite's migration 8, with the full-key reference
	 * SQLite cannot add to an existing table. */
	{ 7, "merges",
	"ALTER TABLE commits ADD COLUMN merge_parent_id" KREF ","
	"  ADD FOREIGN KEY (tenant_id, catalog_name, merge_parent_id)"
	"    REFERENCES commits(tenant_id, catalog_name, id);"
	"CREATE INDEX commits_merge_parent"
	"  ON commits(merge_parent_id, tenant_id, catalog_name);"
	"CREATE TABLE merge_operations ("
	"  id" K " PRIMARY KEY,"
	"  tenant_id" K ","
	"  catalog_name" K ","
	"  status" K ","
	"  initiated_at bigint NOT NULL,"
	"  doc text NOT NULL,"
	"  FOREIGN KEY (tenant_id, catalog_name)"
	"    REFERENCES catalogs(tenant_id, name) ON DELETE CASCADE"
	");"
	"CREATE INDEX merge_operations_catalog"
	"  ON merge_operations(tenant_id, catalog_name, initiated_at);"
	"CREATE TABLE merge_conflicts ("
	"  id" K " PRIMARY KEY,"
	"  tenant_id" K ","
	"  merge_op_id" K
	"    REFERENCES merge_operations(id) ON DELETE CASCADE,"
	"  seq bigint NOT NULL,"
	"  doc text NOT NULL"
	");"
	"CREATE INDEX merge_conflicts_op ON merge_conflicts(merge_op_id, seq);"
	},
	/* Fair task claims: as SQLite's migration 9. */
	{ 8, "fair task claims",
	"CREATE TABLE task_tenants ("
	"  tenant_id" K " PRIMARY KEY,"
	"  claim_seq bigint NOT NULL,"
	"  entered_at bigint NOT NULL"
	");"
	"CREATE INDEX task_tenants_turn"
	"  ON task_tenants(claim_seq, entered_at, tenant_id);"
	"CREATE INDEX tasks_tenant_claim ON tasks(tenant_id, status, created_at);"
	"INSERT INTO task_tenants"
	"  SELECT tenant_id, 0, min(created_at) FROM tasks GROUP BY tenant_id;"
	"CREATE FUNCTION tasks_enter_turns() RETURNS trigger"
	"  LANGUAGE plpgsql SET search_path FROM CURRENT AS $$"
	"  BEGIN"
	"    INSERT INTO task_tenants VALUES (NEW.tenant_id, 0,"
	"    NEW.created_at)"
	"      ON CONFLICT (tenant_id) DO NOTHING;"
	"    RETURN NULL;"
	"  END $$;"
	"CREATE TRIGGER tasks_enter_turns AFTER INSERT ON tasks"
	"  FOR EACH ROW EXECUTE FUNCTION tasks_enter_turns();"
	"CREATE FUNCTION tasks_take_turn() RETURNS trigger"
	"  LANGUAGE plpgsql SET search_path FROM CURRENT AS $$"
	"  BEGIN"
	"    UPDATE task_tenants SET claim_seq ="
	"      (SELECT max(claim_seq) + 1 FROM task_tenants)"
	"      WHERE tenant_id = NEW.tenant_id;"
	"    RETURN NULL;"
	"  END $$;"
	"CREATE TRIGGER tasks_take_turn AFTER UPDATE OF attempts ON tasks"
	"  FOR EACH ROW WHEN (NEW.attempts > OLD.attempts)"
	"  EXECUTE FUNCTION tasks_take_turn();"
	"CREATE FUNCTION tenants_drop_turns() RETURNS trigger"
	"  LANGUAGE plpgsql SET search_path FROM CURRENT AS $$"
	"  BEGIN"
	"    DELETE FROM task_tenants WHERE tenant_id = OLD.id;"
	"    RETURN NULL;"
	"  END $$;"
	"CREATE TRIGGER tenants_drop_turns AFTER DELETE ON tenants"
	"  FOR EACH ROW EXECUTE FUNCTION tenants_drop_turns();"
	},
	/* Governance (store ABI 1.10): pg_schema_gov.c. */
	{ 9, "business metadata, access requests, search, settings",
	    pg_governance_sql },
	/* Scan plan parts (store ABI 1.11): as SQLite's migration 11. */
	{ 10, "scan plan parts",
	"CREATE TABLE plan_parts ("
	"  tenant_id" K ","
	"  plan_id" K ","
	"  seq bigint NOT NULL,"
	"  table_name text NOT NULL,"
	"  body text NOT NULL,"
	"  expires_at bigint NOT NULL,"
	"  PRIMARY KEY (tenant_id, plan_id, seq)"
	");"
	"CREATE INDEX plan_parts_expiry ON plan_parts(expires_at);"
	"CREATE FUNCTION tenants_drop_plan_parts() RETURNS trigger"
	"  LANGUAGE plpgsql SET search_path FROM CURRENT AS $$"
	"  BEGIN"
	"    DELETE FROM plan_parts WHERE tenant_id = OLD.id;"
	"    RETURN NULL;"
	"  END $$;"
	"CREATE TRIGGER tenants_drop_plan_parts AFTER DELETE ON tenants"
	"  FOR EACH ROW EXECUTE FUNCTION tenants_drop_plan_parts();"
	},
	/* Copy-on-write branches (store ABI 1.12): as SQLite's migration 12,
	 * the clock a sequence. */
	{ 11, "copy-on-write branches",
	"ALTER TABLE branches ADD COLUMN parent_name text;"
	"ALTER TABLE branches ADD COLUMN fork_seq bigint NOT NULL DEFAULT 0;"
	"CREATE INDEX branches_parent"
	"  ON branches(tenant_id, catalog_name, parent_name);"
	/* A branch's listing walks its lineage's rows in name order. */
	"CREATE INDEX assets_lineage"
	"  ON assets(tenant_id, catalog_name, namespace, name, branch_name);"
	"ALTER TABLE assets ADD COLUMN seq bigint NOT NULL DEFAULT 0;"
	"ALTER TABLE assets ADD COLUMN gone integer NOT NULL DEFAULT 0;"
	"CREATE SEQUENCE asset_clock;"
	},
	/* Plan part sizes (store ABI 1.14): as SQLite's migration 13; the
	 * bodies are TOASTed, so the sum reads the index and the heap's
	 * small columns, never a body. */
	{ 12, "plan part sizes",
	"ALTER TABLE plan_parts ADD COLUMN bytes bigint NOT NULL DEFAULT 0;"
	"UPDATE plan_parts SET bytes = octet_length(body);"
	"CREATE INDEX plan_parts_usage ON plan_parts(tenant_id, expires_at)"
	"  INCLUDE (bytes, plan_id);"
	},
	/* The keys of principal names (store ABI 1.14): as SQLite's
	 * migration 14 (NULLs are distinct in a UNIQUE index here too). */
	{ 13, "name keys of users and service users",
	"ALTER TABLE users ADD COLUMN name_key" KREF ";"
	"ALTER TABLE users ADD COLUMN name_key_dup" KREF ";"
	"CREATE UNIQUE INDEX users_name_key ON users(name_key);"
	"CREATE INDEX users_name_key_dup ON users(name_key_dup);"
	"ALTER TABLE service_users ADD COLUMN name_key" KREF ";"
	"ALTER TABLE service_users ADD COLUMN name_key_dup" KREF ";"
	"CREATE UNIQUE INDEX service_users_name_key"
	"  ON service_users(tenant_id, name_key);"
	"CREATE INDEX service_users_name_key_dup"
	"  ON service_users(tenant_id, name_key_dup);"
	},
	/*
	 * Change events, the outbox (store ABI 1.15): as SQLite's migration
	 * 15 (sqlite_schema_events.c), except that seq is drawn from a
	 * sequence under the tenant's advisory lock (sql_events.c says why
	 * not a counter row), so there is no clock table; the usage count
	 * reads events_tenant and the heap's small columns, never a body
	 * (TOASTed).
	 */
	{ 14, "change events",
	"CREATE TABLE events ("
	"  tenant_id" K ","
	"  catalog" K ","
	"  seq bigint NOT NULL,"
	"  id" K " UNIQUE,"
	"  ts_ms bigint NOT NULL,"
	"  actor text,"
	"  operation_type text NOT NULL,"
	"  object_type text NOT NULL,"
	"  object_name text,"
	"  object_uuid text,"
	"  branch text,"
	"  request_id text,"
	"  body text NOT NULL,"
	"  bytes bigint NOT NULL,"
	"  PRIMARY KEY (tenant_id, catalog, seq)"
	");"
	"CREATE INDEX events_tenant ON events(tenant_id, seq)"
	"  INCLUDE (bytes, ts_ms);"
	"CREATE INDEX events_time ON events(ts_ms, seq);"
	"CREATE SEQUENCE event_clock;"
	"CREATE TABLE event_horizon ("
	"  tenant_id" K ","
	"  catalog" K ","
	"  seq bigint NOT NULL,"
	"  PRIMARY KEY (tenant_id, catalog)"
	");"
	"CREATE FUNCTION events_horizon() RETURNS trigger"
	"  LANGUAGE plpgsql SET search_path FROM CURRENT AS $$"
	"  BEGIN"
	"    INSERT INTO event_horizon (tenant_id, catalog, seq)"
	"      VALUES (OLD.tenant_id, OLD.catalog, OLD.seq)"
	"      ON CONFLICT (tenant_id, catalog) DO UPDATE"
	"      SET seq = greatest(event_horizon.seq, excluded.seq);"
	"    RETURN NULL;"
	"  END $$;"
	"CREATE TRIGGER events_horizon AFTER DELETE ON events"
	"  FOR EACH ROW EXECUTE FUNCTION events_horizon();"
	},
	/* Push sinks (store ABI 1.16): as SQLite's migration 16
	 * (sqlite_schema_webhooks.c). */
	{ 15, "push sinks",
	"CREATE TABLE webhooks ("
	"  tenant_id" K ","
	"  id" K ","
	"  kind text NOT NULL,"
	"  name text,"
	"  url text,"
	"  filter text,"
	"  secrets text,"
	"  created_ms bigint NOT NULL,"
	"  updated_ms bigint NOT NULL,"
	"  cursor_seq bigint NOT NULL,"
	"  status text NOT NULL,"
	"  status_reason text,"
	"  failing_since_ms bigint NOT NULL,"
	"  next_attempt_ms bigint NOT NULL,"
	"  attempts bigint NOT NULL,"
	"  delivered bigint NOT NULL,"
	"  failures bigint NOT NULL,"
	"  recent text,"
	"  lease_owner text,"
	"  lease_until_ms bigint NOT NULL,"
	"  PRIMARY KEY (tenant_id, id)"
	");"
	"CREATE INDEX webhooks_created ON webhooks(tenant_id, created_ms, id);"
	"CREATE INDEX webhooks_all ON webhooks(created_ms, id, tenant_id);"
	},
	/* Data policies and column tags (store ABI 1.17, issue 46): as
	 * SQLite's migration 17 (pg_schema_policies.c). */
	{ 16, "data policies", pg_policies_sql },
	/* Recoverable drops (store ABI 1.18): as SQLite's migration 18
	 * (sqlite_schema_dropped.c). */
	{ 17, "recoverable drops",
	"CREATE TABLE dropped_assets ("
	"  tenant_id" K ","
	"  id" K ","
	"  catalog_name" K ","
	"  branch_name" K ","
	"  namespace" K ","
	"  name" K ","
	"  kind text NOT NULL,"
	"  asset_id text,"
	"  location text,"
	"  metadata_location text,"
	"  properties text NOT NULL,"
	"  created_at bigint NOT NULL,"
	"  dropped_at bigint NOT NULL,"
	"  dropped_by text,"
	"  PRIMARY KEY (tenant_id, id),"
	"  FOREIGN KEY (tenant_id, catalog_name)"
	"    REFERENCES catalogs(tenant_id, name) ON DELETE CASCADE"
	");"
	"CREATE INDEX dropped_catalog"
	"  ON dropped_assets(tenant_id, catalog_name, dropped_at, id);"
	"CREATE INDEX dropped_tenant"
	"  ON dropped_assets(tenant_id, dropped_at, id);"
	"CREATE INDEX dropped_all ON dropped_assets(dropped_at, id, tenant_id);"
	},
	/* A drop keeps the asset's column tags (store ABI 1.20): as
	 * SQLite's migration 19. */
	{ 18, "column tags of recoverable drops",
	"ALTER TABLE dropped_assets ADD COLUMN column_tags text;"
	},
	/* Every table owns its files (store ABI 1.26): as SQLite's
	 * migration 21.  The keys are COLLATE "C": a key's range is one
	 * of bytes (sql_locations.c). */
	{ 19, "locations' keys and assets' origins",
	"ALTER TABLE assets ADD COLUMN location_key" KREF ";"
	"ALTER TABLE assets ADD COLUMN origin" KREF ";"
	"ALTER TABLE dropped_assets ADD COLUMN location_key" KREF ";"
	"ALTER TABLE dropped_assets ADD COLUMN origin" KREF ";"
	"CREATE INDEX assets_location ON assets(tenant_id, location_key);"
	"CREATE INDEX dropped_location"
	"  ON dropped_assets(tenant_id, location_key);"
	ORIGINS_OF_BEFORE
	"CREATE TABLE location_claims ("
	"  tenant_id" K " PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,"
	"  n bigint NOT NULL"
	");"
	},
	/* The usage ledger (store ABI 1.27, issue 67): as SQLite's
	 * migration 22, one slot a session (pg_schema_usage.c); the rows of
	 * before counted by its step. */
	{ 20, "tenant usage ledger", pg_usage_sql },
	{ 21, "keyset pages", pg_keyset_sql },	/* pg_schema_keyset.c */
	{ 22, "usage by statement", pg_usage_by_statement_sql },
	{ 23, "asset notes", pg_asset_notes_sql },	/* pg_schema_notes.c */
	{ 24, "search index without a pending list", pg_search_index_sql },
};

/* Steps in C after a migration's SQL, in its transaction. */
const struct pg_migration_step pg_migration_steps[] = {
	{ 13, sql_name_keys_backfill },
	{ 19, sql_location_keys_backfill },
	{ 20, sql_usage_recount_all },
	{ 24, pg_search_index_step },	/* pg_schema_search.c */
};

const size_t pg_nmigrations =
    sizeof(pg_migrations) / sizeof(pg_migrations[0]);
const size_t pg_nmigration_steps =
    sizeof(pg_migration_steps) / sizeof(pg_migration_steps[0]);
