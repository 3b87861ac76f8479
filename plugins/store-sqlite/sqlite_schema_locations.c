/*
 * The schema of store ABI 1.26 (migration 21 of sqlite_migrate.c, whose
 * notes on keys apply here too): every table owns its files (issue 67;
 * plugins/sql-common/sql_locations.c).
 */
#include "sqlite_store.h"

/*
 * Assets and dropped entries keep their location's key (the migration's
 * step, sql_location_keys_backfill, keys the rows of before) and their
 * origin (ORIGINS_OF_BEFORE: one per catalog, namespace and name), the
 * owners of a place found by (tenant_id, location_key).  A tenant's
 * claims are one row of location_claims, which goes with the tenant.
 */
const char sqlite_locations_sql[] =
	"ALTER TABLE assets ADD COLUMN location_key TEXT;"
	"ALTER TABLE assets ADD COLUMN origin TEXT;"
	"ALTER TABLE dropped_assets ADD COLUMN location_key TEXT;"
	"ALTER TABLE dropped_assets ADD COLUMN origin TEXT;"
	"CREATE INDEX assets_location ON assets(tenant_id, location_key);"
	"CREATE INDEX dropped_location"
	"  ON dropped_assets(tenant_id, location_key);"
	ORIGINS_OF_BEFORE
	"CREATE TABLE location_claims ("
	"  tenant_id TEXT NOT NULL PRIMARY KEY"
	"    REFERENCES tenants(id) ON DELETE CASCADE,"
	"  n INTEGER NOT NULL"
	") STRICT, WITHOUT ROWID;";
