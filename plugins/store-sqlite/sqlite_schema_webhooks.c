/*
 * The schema of store ABI 1.16 (migration 16 of sqlite_migrate.c, whose
 * notes on keys apply here too): push sinks, webhook subscriptions and
 * the tenants' NATS cursors (sql_webhooks.c says who writes what).
 */
#include "sqlite_store.h"

/*
 * webhooks: one row per sink, clustered by its key.  Each group of
 * columns (config, state, lease) has its own writer.  webhooks_created
 * serves a tenant's list in the order it is read; webhooks_all every
 * tenant's, the dispatcher's sweep.  Not an FK of the tenant, as events
 * are not: a sink may still deliver its tenant's deletion.
 */
const char sqlite_webhooks_sql[] =
	"CREATE TABLE webhooks ("
	"  tenant_id TEXT NOT NULL,"
	"  id TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  name TEXT,"
	"  url TEXT,"
	"  filter TEXT,"
	"  secrets TEXT,"
	"  created_ms INTEGER NOT NULL,"
	"  updated_ms INTEGER NOT NULL,"
	"  cursor_seq INTEGER NOT NULL,"
	"  status TEXT NOT NULL,"
	"  status_reason TEXT,"
	"  failing_since_ms INTEGER NOT NULL,"
	"  next_attempt_ms INTEGER NOT NULL,"
	"  attempts INTEGER NOT NULL,"
	"  delivered INTEGER NOT NULL,"
	"  failures INTEGER NOT NULL,"
	"  recent TEXT,"
	"  lease_owner TEXT,"
	"  lease_until_ms INTEGER NOT NULL,"
	"  PRIMARY KEY (tenant_id, id)"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX webhooks_created ON webhooks(tenant_id, created_ms, id);"
	"CREATE INDEX webhooks_all ON webhooks(created_ms, id, tenant_id);";
