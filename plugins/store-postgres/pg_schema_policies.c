/*
 * The schema of store ABI 1.17 (migration 16 of pg_migrations.c), as
 * SQLite's migration 17 (sqlite_schema_policies.c): data policies and
 * column tags (sql_policies.c).
 */
#include "pg_store.h"

const char pg_policies_sql[] =
	"CREATE TABLE policies ("
	"  tenant_id text COLLATE \"C\" NOT NULL,"
	"  id text COLLATE \"C\" NOT NULL,"
	"  name text COLLATE \"C\" NOT NULL,"
	"  catalog text COLLATE \"C\" NOT NULL,"
	"  ns text COLLATE \"C\","
	"  table_name text COLLATE \"C\","
	"  tag text COLLATE \"C\","
	"  doc text NOT NULL,"
	"  created_ms bigint NOT NULL,"
	"  updated_ms bigint NOT NULL,"
	"  PRIMARY KEY (tenant_id, id),"
	"  FOREIGN KEY (tenant_id, catalog) REFERENCES catalogs(tenant_id, name)"
	"    ON DELETE CASCADE ON UPDATE CASCADE"
	");"
	"CREATE UNIQUE INDEX policies_name ON policies(tenant_id, name);"
	"CREATE INDEX policies_catalog ON policies(tenant_id, catalog, name);"
	"CREATE TABLE column_tags ("
	"  asset_id text COLLATE \"C\" NOT NULL"
	"    REFERENCES assets(id) ON DELETE CASCADE,"
	"  tenant_id text COLLATE \"C\" NOT NULL,"
	"  field_id bigint NOT NULL,"
	"  tag text COLLATE \"C\" NOT NULL,"
	"  PRIMARY KEY (asset_id, field_id, tag)"
	");"
	"CREATE INDEX column_tags_tag ON column_tags(tenant_id, tag, asset_id,"
	"  field_id);";
