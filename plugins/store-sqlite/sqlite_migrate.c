/*
 * Versioned schema migrations, applied at open.  Every Kore worker opens
 * the database at start-up, often at the same instant, so the whole check
 * and apply runs inside BEGIN IMMEDIATE: the first worker migrates while
 * the others wait on the lock (busy_timeout) and then find nothing to do.
 * Migrations are append-only; a released one is never edited.
 *
 * Schema notes that apply throughout:
 *  - Tables are STRICT (a wrong type is an error, not a silent cast) and
 *    WITHOUT ROWID (the natural key is the clustered key: one b-tree, and
 *    key-ordered lists read in index order), but the logs of large rows
 *    every commit appends to (migration 20): commits, events, audit.
 *  - Child tables name their parent by the natural key and ON DELETE
 *    CASCADE, so deleting a tenant, catalog, branch or namespace is one
 *    statement.  Every FK's child columns lead some index, or each
 *    cascaded delete would scan the child table.
 *  - catalogs -> warehouses is NO ACTION, not RESTRICT: RESTRICT fires
 *    mid-statement, so deleting a tenant would fail whenever its
 *    warehouses happened to be cascaded before its catalogs.  NO ACTION is
 *    checked at the end of the statement: a direct warehouse delete still
 *    fails while a catalog uses it (PGL_EINUSE), a tenant delete does not.
 *  - Commits name their parent, and tags and branch heads their commit,
 *    through (tenant_id, catalog_name, id): a history cannot point into
 *    another catalog or tenant, cannot hold a cycle (a parent exists
 *    before its child and commits are immutable), and a tag of an unknown
 *    commit is refused (pangolin-api.md, "tags point at real commits").
 *  - Namespaces are one TEXT column, levels joined by PGL_NS_SEP (0x1f).
 */
#include "sqlite_store.h"

struct migration {
	int		version;
	const char	*name;
	const char	*sql;
};

static const struct migration migrations[] = {
	{ 1, "catalog core",
	"CREATE TABLE tenants ("
	"  id TEXT NOT NULL PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  properties TEXT NOT NULL"
	") STRICT, WITHOUT ROWID;"

	"CREATE TABLE warehouses ("
	"  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  id TEXT NOT NULL UNIQUE,"
	"  storage_config TEXT NOT NULL,"
	"  vending_strategy TEXT,"
	"  use_sts INTEGER NOT NULL,"
	"  PRIMARY KEY (tenant_id, name)"
	") STRICT, WITHOUT ROWID;"

	"CREATE TABLE catalogs ("
	"  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  id TEXT NOT NULL UNIQUE,"
	"  catalog_type TEXT NOT NULL,"
	"  warehouse_name TEXT,"
	"  storage_location TEXT,"
	"  federated_config TEXT,"
	"  properties TEXT NOT NULL,"
	"  PRIMARY KEY (tenant_id, name),"
	"  FOREIGN KEY (tenant_id, warehouse_name)"
	"    REFERENCES warehouses(tenant_id, name) ON UPDATE CASCADE"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX catalogs_warehouse ON catalogs(tenant_id, warehouse_name);"

	"CREATE TABLE namespaces ("
	"  tenant_id TEXT NOT NULL,"
	"  catalog_name TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  properties TEXT NOT NULL,"
	"  PRIMARY KEY (tenant_id, catalog_name, name),"
	"  FOREIGN KEY (tenant_id, catalog_name)"
	"    REFERENCES catalogs(tenant_id, name) ON DELETE CASCADE"
	") STRICT, WITHOUT ROWID;"

	"CREATE TABLE commits ("
	"  id TEXT NOT NULL PRIMARY KEY,"
	"  tenant_id TEXT NOT NULL,"
	"  catalog_name TEXT NOT NULL,"
	"  parent_id TEXT,"
	"  timestamp INTEGER NOT NULL,"
	"  author TEXT,"
	"  message TEXT,"
	"  operations TEXT NOT NULL,"
	"  FOREIGN KEY (tenant_id, catalog_name)"
	"    REFERENCES catalogs(tenant_id, name) ON DELETE CASCADE,"
	"  FOREIGN KEY (tenant_id, catalog_name, parent_id)"
	"    REFERENCES commits(tenant_id, catalog_name, id)"
	") STRICT, WITHOUT ROWID;"
	"CREATE UNIQUE INDEX commits_catalog"
	"  ON commits(tenant_id, catalog_name, id);"
	"CREATE INDEX commits_parent ON commits(parent_id);"

	"CREATE TABLE branches ("
	"  tenant_id TEXT NOT NULL,"
	"  catalog_name TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  head_commit_id TEXT,"
	"  branch_type TEXT NOT NULL,"
	"  assets TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (tenant_id, catalog_name, name),"
	"  FOREIGN KEY (tenant_id, catalog_name)"
	"    REFERENCES catalogs(tenant_id, name) ON DELETE CASCADE,"
	"  FOREIGN KEY (tenant_id, catalog_name, head_commit_id)"
	"    REFERENCES commits(tenant_id, catalog_name, id)"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX branches_head ON branches(head_commit_id);"

	"CREATE TABLE tags ("
	"  tenant_id TEXT NOT NULL,"
	"  catalog_name TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  commit_id TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (tenant_id, catalog_name, name),"
	"  FOREIGN KEY (tenant_id, catalog_name)"
	"    REFERENCES catalogs(tenant_id, name) ON DELETE CASCADE,"
	"  FOREIGN KEY (tenant_id, catalog_name, commit_id)"
	"    REFERENCES commits(tenant_id, catalog_name, id)"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX tags_commit ON tags(commit_id);"

	"CREATE TABLE assets ("
	"  tenant_id TEXT NOT NULL,"
	"  catalog_name TEXT NOT NULL,"
	"  branch_name TEXT NOT NULL,"
	"  namespace TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  id TEXT NOT NULL UNIQUE,"
	"  kind TEXT NOT NULL,"
	"  location TEXT,"
	"  metadata_location TEXT,"
	"  properties TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  PRIMARY KEY (tenant_id, catalog_name, branch_name, namespace, name),"
	"  FOREIGN KEY (tenant_id, catalog_name, branch_name)"
	"    REFERENCES branches(tenant_id, catalog_name, name)"
	"    ON DELETE CASCADE,"
	"  FOREIGN KEY (tenant_id, catalog_name, namespace)"
	"    REFERENCES namespaces(tenant_id, catalog_name, name)"
	"    ON DELETE CASCADE"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX assets_namespace"
	"  ON assets(tenant_id, catalog_name, namespace);"

	"CREATE TABLE idempotency ("
	"  tenant_id TEXT NOT NULL,"
	"  key TEXT NOT NULL,"
	"  route TEXT NOT NULL,"
	"  status INTEGER NOT NULL,"
	"  body TEXT,"
	"  expires_at INTEGER NOT NULL,"
	"  PRIMARY KEY (tenant_id, key)"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX idempotency_expiry ON idempotency(expires_at);"
	/* Not an FK: replies are recorded for whatever tenant the request
	 * resolved to, but they must not outlive a deleted tenant. */
	"CREATE TRIGGER tenants_drop_idempotency AFTER DELETE ON tenants"
	"  BEGIN DELETE FROM idempotency WHERE tenant_id = old.id; END;"
	},

	/*
	 * commits_parent: the FK child scan run for every commit a catalog
	 * delete cascades to matched (tenant_id, catalog_name) on
	 * commits_catalog rather than parent_id alone, and so read the whole
	 * history per commit: 23 s for 10,000 commits, 0.1 s with all three
	 * FK columns in this index.
	 * assets_namespace: spelled out to the full key (what SQLite appends
	 * anyway), or the planner preferred it to the primary key for keyed
	 * reads and sorted namespace listings in a temp b-tree.
	 */
	{ 2, "indexes for cascades and keyed reads",
	"DROP INDEX commits_parent;"
	"CREATE INDEX commits_parent"
	"  ON commits(parent_id, tenant_id, catalog_name);"
	"DROP INDEX assets_namespace;"
	"CREATE INDEX assets_namespace"
	"  ON assets(tenant_id, catalog_name, namespace, branch_name, name);"
	},
	/*
	 * Users and session tokens (plugins/sql-common/sql_users.c).  Tokens
	 * name no user or tenant by foreign key: root's sessions from the
	 * environment have no user row.  A tenant's tokens go with it by
	 * trigger; a user's are deleted with the user.
	 */
	{ 3, "users and session tokens",
	"CREATE TABLE users ("
	"  id TEXT NOT NULL PRIMARY KEY,"
	"  tenant_id TEXT REFERENCES tenants(id) ON DELETE CASCADE,"
	"  username TEXT NOT NULL UNIQUE,"
	"  email TEXT,"
	"  role TEXT NOT NULL,"
	"  password_hash TEXT,"
	"  active INTEGER NOT NULL,"
	"  doc TEXT NOT NULL"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX users_tenant ON users(tenant_id, username);"
	"CREATE TABLE active_tokens ("
	"  id TEXT NOT NULL PRIMARY KEY,"
	"  tenant_id TEXT,"
	"  user_id TEXT NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  doc TEXT NOT NULL"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX active_tokens_user ON active_tokens(user_id, expires_at);"
	"CREATE INDEX active_tokens_expiry ON active_tokens(expires_at);"
	"CREATE INDEX active_tokens_tenant ON active_tokens(tenant_id);"
	"CREATE TABLE revoked_tokens ("
	"  jti TEXT NOT NULL PRIMARY KEY,"
	"  expires_at INTEGER NOT NULL,"
	"  reason TEXT"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX revoked_tokens_expiry ON revoked_tokens(expires_at);"
	"CREATE TRIGGER tenants_drop_tokens AFTER DELETE ON tenants BEGIN"
	"  DELETE FROM active_tokens WHERE tenant_id = OLD.id;"
	" END;"
	},
	/* Service users and their API keys (sql_service_users.c). */
	{ 4, "service users",
	"CREATE TABLE service_users ("
	"  id TEXT NOT NULL PRIMARY KEY,"
	"  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  key_id TEXT NOT NULL UNIQUE,"
	"  api_key_hash TEXT NOT NULL,"
	"  active INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  doc TEXT NOT NULL,"
	"  UNIQUE (tenant_id, name)"
	") STRICT, WITHOUT ROWID;"
	},
	/* The audit log (sql_audit.c): append-only, newest first. */
	{ 5, "audit log",
	"CREATE TABLE audit_events ("
	"  id TEXT NOT NULL PRIMARY KEY,"
	"  tenant_id TEXT,"
	"  timestamp INTEGER NOT NULL,"
	"  user_id TEXT,"
	"  action TEXT NOT NULL,"
	"  resource_type TEXT NOT NULL,"
	"  resource_id TEXT,"
	"  result TEXT NOT NULL,"
	"  doc TEXT NOT NULL"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX audit_tenant_time ON audit_events(tenant_id, timestamp);"
	"CREATE INDEX audit_time ON audit_events(timestamp);"
	},
	/*
	 * Roles, their assignment to principals, and direct grants
	 * (sql_roles.c).  A principal is a user or a service user, so
	 * assignments and grants carry no foreign key to either; deleting
	 * one removes its rows by trigger.  Grants keep their order of
	 * creation (seq).
	 */
	{ 6, "roles and permissions",
	"CREATE TABLE roles ("
	"  id TEXT NOT NULL PRIMARY KEY,"
	"  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  doc TEXT NOT NULL,"
	"  UNIQUE (tenant_id, name)"
	") STRICT, WITHOUT ROWID;"
	"CREATE TABLE user_roles ("
	"  tenant_id TEXT NOT NULL,"
	"  principal_id TEXT NOT NULL,"
	"  role_id TEXT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,"
	"  doc TEXT NOT NULL,"
	"  PRIMARY KEY (tenant_id, principal_id, role_id)"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX user_roles_role ON user_roles(role_id);"
	"CREATE TABLE permissions ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  id TEXT NOT NULL UNIQUE,"
	"  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
	"  user_id TEXT NOT NULL,"
	"  doc TEXT NOT NULL"
	") STRICT;"
	"CREATE INDEX permissions_user ON permissions(tenant_id, user_id, seq);"
	"CREATE INDEX permissions_tenant ON permissions(tenant_id, seq);"
	"CREATE TRIGGER users_drop_grants AFTER DELETE ON users BEGIN"
	"  DELETE FROM user_roles WHERE principal_id = OLD.id;"
	"  DELETE FROM permissions WHERE user_id = OLD.id;"
	" END;"
	"CREATE TRIGGER service_users_drop_grants AFTER DELETE ON service_users"
	" BEGIN"
	"  DELETE FROM user_roles WHERE principal_id = OLD.id;"
	"  DELETE FROM permissions WHERE user_id = OLD.id;"
	" END;"
	"CREATE TRIGGER tenants_drop_assignments AFTER DELETE ON tenants BEGIN"
	"  DELETE FROM user_roles WHERE tenant_id = OLD.id;"
	" END;"
	"CREATE INDEX user_roles_principal ON user_roles(principal_id);"
	"CREATE INDEX permissions_principal ON permissions(user_id);"
	},
	/*
	 * Background tasks (sql_tasks.c).  No foreign key to tenants: a
	 * task outlives nothing it needs, and a tenant's tasks go with it by
	 * trigger.  claim takes the oldest queued or lease-expired task.
	 */
	{ 7, "tasks",
	"CREATE TABLE tasks ("
	"  id TEXT NOT NULL PRIMARY KEY,"
	"  tenant_id TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  catalog TEXT, branch TEXT, ns TEXT, tbl TEXT,"
	"  params TEXT NOT NULL,"
	"  progress_done INTEGER NOT NULL, progress_total INTEGER NOT NULL,"
	"  phase TEXT, message TEXT, result TEXT, error TEXT,"
	"  attempts INTEGER NOT NULL, max_attempts INTEGER NOT NULL,"
	"  created_by TEXT,"
	"  lease_owner TEXT, lease_expires_at INTEGER NOT NULL,"
	"  heartbeat_at INTEGER NOT NULL,"
	"  cancel_requested INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL, started_at INTEGER NOT NULL,"
	"  finished_at INTEGER NOT NULL, updated_at INTEGER NOT NULL"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX tasks_tenant_time ON tasks(tenant_id, created_at);"
	"CREATE INDEX tasks_claim ON tasks(status, created_at);"
	"CREATE TRIGGER tenants_drop_tasks AFTER DELETE ON tenants BEGIN"
	"  DELETE FROM tasks WHERE tenant_id = OLD.id;"
	" END;"
	},
	/*
	 * Merges (sql_merges.c).  A merge commit's second parent: SQLite
	 * cannot add a table constraint, so the column references the
	 * commit by id (unique store-wide) and the method checks tenant and
	 * catalog; its index keeps a catalog delete's FK checks indexed.
	 * Operations and conflicts go with their catalog; conflicts keep
	 * their creation order in seq.
	 */
	{ 8, "merges",
	"ALTER TABLE commits ADD COLUMN merge_parent_id TEXT"
	"  REFERENCES commits(id);"
	"CREATE INDEX commits_merge_parent ON commits(merge_parent_id);"
	"CREATE TABLE merge_operations ("
	"  id TEXT NOT NULL PRIMARY KEY,"
	"  tenant_id TEXT NOT NULL,"
	"  catalog_name TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  initiated_at INTEGER NOT NULL,"
	"  doc TEXT NOT NULL,"
	"  FOREIGN KEY (tenant_id, catalog_name)"
	"    REFERENCES catalogs(tenant_id, name) ON DELETE CASCADE"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX merge_operations_catalog"
	"  ON merge_operations(tenant_id, catalog_name, initiated_at);"
	"CREATE TABLE merge_conflicts ("
	"  id TEXT NOT NULL PRIMARY KEY,"
	"  tenant_id TEXT NOT NULL,"
	"  merge_op_id TEXT NOT NULL"
	"    REFERENCES merge_operations(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  doc TEXT NOT NULL"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX merge_conflicts_op ON merge_conflicts(merge_op_id, seq);"
	},
	/*
	 * Fair claims (sql_tasks.c): tenants take turns.  task_tenants
	 * holds each tenant's turn (claim_seq, the store-wide claim count
	 * at its last claim; 0 never claimed, and then the time of its
	 * first task breaks the tie, so the longest waiting goes first);
	 * triggers keep it in the same
	 * statement as the insert and the claim, so no claim ever sees a
	 * turn its own write did not make.  (tenant_id, status, created_at)
	 * finds one tenant's oldest queued task without a scan.
	 */
	{ 9, "fair task claims",
	"CREATE TABLE task_tenants ("
	"  tenant_id TEXT NOT NULL PRIMARY KEY,"
	"  claim_seq INTEGER NOT NULL,"
	"  entered_at INTEGER NOT NULL"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX task_tenants_turn"
	"  ON task_tenants(claim_seq, entered_at, tenant_id);"
	"CREATE INDEX tasks_tenant_claim ON tasks(tenant_id, status, created_at);"
	"INSERT INTO task_tenants"
	"  SELECT tenant_id, 0, min(created_at) FROM tasks GROUP BY tenant_id;"
	"CREATE TRIGGER tasks_enter_turns AFTER INSERT ON tasks BEGIN"
	"  INSERT OR IGNORE INTO task_tenants VALUES (NEW.tenant_id, 0,"
	"    NEW.created_at);"
	" END;"
	"CREATE TRIGGER tasks_take_turn AFTER UPDATE OF attempts ON tasks"
	"  WHEN NEW.attempts > OLD.attempts BEGIN"
	"  UPDATE task_tenants SET claim_seq ="
	"    (SELECT max(claim_seq) + 1 FROM task_tenants)"
	"    WHERE tenant_id = NEW.tenant_id;"
	" END;"
	"CREATE TRIGGER tenants_drop_turns AFTER DELETE ON tenants BEGIN"
	"  DELETE FROM task_tenants WHERE tenant_id = OLD.id;"
	" END;"
	},
	/* Governance (store ABI 1.10): sqlite_schema_gov.c. */
	{ 10, "business metadata, access requests, search, settings",
	sqlite_governance_sql
	},
	/*
	 * Scan plan parts (store ABI 1.11; sql_plan_parts.c).  A body is a
	 * plan task's ScanTasks JSON, up to the host's cap of a few MB, kept
	 * whole in TEXT.  The expiry index serves the purge, which deletes
	 * the oldest first.  Not an FK, as for idempotency keys: a plan is
	 * stored for whatever tenant the request resolved to, and must not
	 * outlive a deleted tenant.
	 */
	{ 11, "scan plan parts",
	"CREATE TABLE plan_parts ("
	"  tenant_id TEXT NOT NULL,"
	"  plan_id TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  table_name TEXT NOT NULL,"
	"  body TEXT NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  PRIMARY KEY (tenant_id, plan_id, seq)"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX plan_parts_expiry ON plan_parts(expires_at);"
	"CREATE TRIGGER tenants_drop_plan_parts AFTER DELETE ON tenants"
	"  BEGIN DELETE FROM plan_parts WHERE tenant_id = old.id; END;"
	},
	/*
	 * Copy-on-write branches (store ABI 1.12; sql_lineage.c).  A forked
	 * branch names its parent and the clock at the fork; an asset row
	 * carries the clock at its birth on its branch, and gone marks a
	 * tombstone (deleted on this branch, still on its parent).  Rows and
	 * branches from before are roots holding copies (seq 0, no parent),
	 * which is what they were.  asset_clock has one row.
	 */
	{ 12, "copy-on-write branches",
	"ALTER TABLE branches ADD COLUMN parent_name TEXT;"
	"ALTER TABLE branches ADD COLUMN fork_seq INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX branches_parent"
	"  ON branches(tenant_id, catalog_name, parent_name);"
	/* A branch's listing walks its lineage's rows in name order. */
	"CREATE INDEX assets_lineage"
	"  ON assets(tenant_id, catalog_name, namespace, name, branch_name);"
	"ALTER TABLE assets ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE assets ADD COLUMN gone INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE asset_clock ("
	"  one INTEGER NOT NULL PRIMARY KEY CHECK (one = 1),"
	"  v INTEGER NOT NULL"
	") STRICT;"
	"INSERT INTO asset_clock (one, v) VALUES (1, 0);"
	},
	/*
	 * Plan part sizes (store ABI 1.14; sql_plan_parts.c): each part's
	 * body length, so a tenant's stored plans are counted against its
	 * quota.  The column comes after the body in the row, whose large
	 * bodies spill to overflow pages; the index holds every column the
	 * count reads (the primary key's plan_id with them), so it reads no
	 * row.
	 */
	{ 13, "plan part sizes",
	"ALTER TABLE plan_parts ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;"
	"UPDATE plan_parts SET bytes = length(CAST(body AS BLOB));"
	"CREATE INDEX plan_parts_usage ON plan_parts(tenant_id, expires_at,"
	"  bytes);"
	},
	/*
	 * The keys of principal names (store ABI 1.14; sql_name_keys.c):
	 * name_key held under a UNIQUE index (NULLs distinct), or, for a
	 * row of before whose key an earlier row holds, name_key_dup.  The
	 * rows of before get theirs in the step after (steps[]).
	 */
	{ 14, "name keys of users and service users",
	"ALTER TABLE users ADD COLUMN name_key TEXT;"
	"ALTER TABLE users ADD COLUMN name_key_dup TEXT;"
	"CREATE UNIQUE INDEX users_name_key ON users(name_key);"
	"CREATE INDEX users_name_key_dup ON users(name_key_dup);"
	"ALTER TABLE service_users ADD COLUMN name_key TEXT;"
	"ALTER TABLE service_users ADD COLUMN name_key_dup TEXT;"
	"CREATE UNIQUE INDEX service_users_name_key"
	"  ON service_users(tenant_id, name_key);"
	"CREATE INDEX service_users_name_key_dup"
	"  ON service_users(tenant_id, name_key_dup);"
	},
	/* Change events, the outbox (store ABI 1.15): sqlite_schema_events.c. */
	{ 15, "change events",
	sqlite_events_sql
	},
	/* Push sinks (store ABI 1.16): sqlite_schema_webhooks.c. */
	{ 16, "push sinks",
	sqlite_webhooks_sql
	},
	/* Data policies and column tags (store ABI 1.17, issue 46):
	 * sqlite_schema_policies.c. */
	{ 17, "data policies",
	sqlite_policies_sql
	},
	/* Recoverable drops (store ABI 1.18): sqlite_schema_dropped.c. */
	{ 18, "recoverable drops",
	sqlite_dropped_sql
	},
	/* A drop keeps the asset's column tags (store ABI 1.20; JSON text,
	 * sql_dropped.c): their rows go with the asset's by cascade.  An
	 * entry of before has none (NULL). */
	{ 19, "column tags of recoverable drops",
	"ALTER TABLE dropped_assets ADD COLUMN column_tags TEXT;"
	},
	/* The three logs every commit appends to, rowid tables (issue
	 * 45): sqlite_schema_logs.c. */
	{ 20, "the commit logs as rowid tables",
	sqlite_logs_rowid_sql
	},
	/* Every table owns its files (store ABI 1.26, issue 67):
	 * sqlite_schema_locations.c.  The keys of the rows of before are
	 * the step's. */
	{ 21, "locations' keys and assets' origins",
	sqlite_locations_sql
	},
	/* The usage ledger (store ABI 1.27, issue 67): sqlite_schema_usage.c;
	 * the rows of before counted by its step. */
	{ 22, "tenant usage ledger", sqlite_usage_sql },
	/* Keyset pages (store ABI 1.28, issue 69): sqlite_schema_keyset.c. */
	{ 23, "keyset pages", sqlite_keyset_sql },
	{ 24, "search at a million assets", "" },	/* its step, below */
};

/* Steps in C after a migration's SQL, in its transaction. */
static const struct {
	int	version;
	int	(*run)(struct pgl_store *, struct pgl_err *);
} steps[] = {
	{ 14, sql_name_keys_backfill },
	{ 21, sql_location_keys_backfill },
	{ 22, sql_usage_recount_all },
	{ 24, sqlite_search_index_step },	/* sqlite_schema_search.c */
};

#define NMIGRATIONS	(sizeof(migrations) / sizeof(migrations[0]))

static const char MIGRATIONS_TABLE[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	"  version INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  applied_at INTEGER NOT NULL"
	") STRICT";
static const char MIGRATIONS_VERSION[] =
	"SELECT coalesce(max(version), 0) FROM schema_migrations";
static const char MIGRATIONS_RECORD[] =
	"INSERT INTO schema_migrations (version, name, applied_at)"
	" VALUES (?1, ?2, ?3)";

static int
apply(struct pgl_store *s, const struct migration *m, struct pgl_err *err)
{
	char	*msg = NULL;
	size_t	 i;
	int	 rc;

	rc = sqlite3_exec(s->db, m->sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		(void)store_err(err, PGL_EINTERNAL, STORE_NAME
		    ": migration %d (%s) failed: %s", m->version, m->name,
		    msg != NULL ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return (PGL_EINTERNAL);
	}
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (steps[i].version == m->version &&
		    (rc = steps[i].run(s, err)) != PGL_OK)
			return (rc);
	}
	return (store_exec(s, err, MIGRATIONS_RECORD, NULL, "isi",
	    (int64_t)m->version, m->name, store_now_ms()));
}

/* Every migration not yet applied, in the caller's transaction; *applied
 * how many. */
int
sqlite_migrate_locked(struct pgl_store *s, size_t *applied,
    struct pgl_err *err)
{
	uint64_t	version;
	size_t		i;
	int		rc;

	*applied = 0;

	if ((rc = store_exec(s, err, MIGRATIONS_TABLE, NULL, "")) != PGL_OK)
		return (rc);
	if ((rc = store_count(s, err, MIGRATIONS_VERSION, &version, ""))
	    != PGL_OK)
		return (rc);
	if (version > (uint64_t)migrations[NMIGRATIONS - 1].version)
		return (store_err(err, PGL_EINVAL, STORE_NAME ": database "
		    "schema version %llu is newer than this plugin's (%d)",
		    (unsigned long long)version,
		    migrations[NMIGRATIONS - 1].version));
	for (i = 0; i < NMIGRATIONS && rc == PGL_OK; i++) {
		if ((uint64_t)migrations[i].version > version &&
		    (rc = apply(s, &migrations[i], err)) == PGL_OK)
			(*applied)++;
	}
	return (rc);
}
