/*
 * The schema of store ABI 1.17 (migration 17 of sqlite_migrate.c, whose
 * notes on keys and cascades apply here too): data policies and column
 * tags (sql_policies.c).
 */
#include "sqlite_store.h"

/*
 * policies: clustered by (tenant_id, id); names unique per tenant;
 * policies_catalog serves a catalog's list by name and is the child
 * index of the catalog's foreign key (a delete cascades, a rename
 * follows).  column_tags: clustered by asset, so an asset's tags are one
 * range and go with it; column_tags_tag finds a tag's columns.
 */
const char sqlite_policies_sql[] =
	"CREATE TABLE policies ("
	"  tenant_id TEXT NOT NULL,"
	"  id TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  catalog TEXT NOT NULL,"
	"  ns TEXT,"
	"  table_name TEXT,"
	"  tag TEXT,"
	"  doc TEXT NOT NULL,"
	"  created_ms INTEGER NOT NULL,"
	"  updated_ms INTEGER NOT NULL,"
	"  PRIMARY KEY (tenant_id, id),"
	"  FOREIGN KEY (tenant_id, catalog) REFERENCES catalogs(tenant_id, name)"
	"    ON DELETE CASCADE ON UPDATE CASCADE"
	") STRICT, WITHOUT ROWID;"
	"CREATE UNIQUE INDEX policies_name ON policies(tenant_id, name);"
	"CREATE INDEX policies_catalog ON policies(tenant_id, catalog, name);"
	"CREATE TABLE column_tags ("
	"  asset_id TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,"
	"  tenant_id TEXT NOT NULL,"
	"  field_id INTEGER NOT NULL,"
	"  tag TEXT NOT NULL,"
	"  PRIMARY KEY (asset_id, field_id, tag)"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX column_tags_tag ON column_tags(tenant_id, tag, asset_id,"
	"  field_id);";
