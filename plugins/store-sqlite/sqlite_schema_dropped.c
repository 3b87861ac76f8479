/*
 * The schema of store ABI 1.18 (migration 18 of sqlite_migrate.c, whose
 * notes on keys apply here too): recoverable drops, the tables and views
 * a drop keeps for the catalog's undrop retention (sql_dropped.c).
 */
#include "sqlite_store.h"

/*
 * dropped_assets: one row per drop, keyed (tenant_id, id), holding the
 * asset row as it was.  It goes with its catalog (and so its tenant) by
 * the foreign key; not with its branch or namespace, whose deletion a
 * restore reports (404) instead.  dropped_catalog serves a catalog's
 * list, newest first; dropped_tenant a tenant's (its count, the limit);
 * dropped_all every tenant's, the expiry sweep.
 */
const char sqlite_dropped_sql[] =
	"CREATE TABLE dropped_assets ("
	"  tenant_id TEXT NOT NULL,"
	"  id TEXT NOT NULL,"
	"  catalog_name TEXT NOT NULL,"
	"  branch_name TEXT NOT NULL,"
	"  namespace TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  asset_id TEXT,"
	"  location TEXT,"
	"  metadata_location TEXT,"
	"  properties TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  dropped_at INTEGER NOT NULL,"
	"  dropped_by TEXT,"
	"  PRIMARY KEY (tenant_id, id),"
	"  FOREIGN KEY (tenant_id, catalog_name)"
	"    REFERENCES catalogs(tenant_id, name) ON DELETE CASCADE"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX dropped_catalog"
	"  ON dropped_assets(tenant_id, catalog_name, dropped_at, id);"
	"CREATE INDEX dropped_tenant ON dropped_assets(tenant_id, dropped_at, id);"
	"CREATE INDEX dropped_all ON dropped_assets(dropped_at, id, tenant_id);";
