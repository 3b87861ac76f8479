/*
 * The schema of store ABI 1.15 (migration 15 of sqlite_migrate.c, whose
 * notes on keys apply here too): change events, the outbox
 * (sql_events.c says how seq is drawn and read).
 */
#include "sqlite_store.h"

/*
 * events: clustered by (tenant, catalog, seq), so a catalog's stream is
 * one range of the table; events_tenant reads the tenant's stream across
 * catalogs in seq order and holds what the usage count reads (bytes,
 * ts_ms), so the count reads no body; events_time serves the purge,
 * oldest first.  Not an FK of the tenant, as audit events are not:
 * events outlive their tenant (its deletion is an event too) until the
 * retention purge.  event_clock has one row, bumped in the write
 * transaction (writers are serialized), so seq follows commit order.
 * event_horizon keeps, per stream, the highest seq ever deleted, by the
 * trigger, whichever statement deletes.
 */
const char sqlite_events_sql[] =
	"CREATE TABLE events ("
	"  tenant_id TEXT NOT NULL,"
	"  catalog TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  id TEXT NOT NULL UNIQUE,"
	"  ts_ms INTEGER NOT NULL,"
	"  actor TEXT,"
	"  operation_type TEXT NOT NULL,"
	"  object_type TEXT NOT NULL,"
	"  object_name TEXT,"
	"  object_uuid TEXT,"
	"  branch TEXT,"
	"  request_id TEXT,"
	"  body TEXT NOT NULL,"
	"  bytes INTEGER NOT NULL,"
	"  PRIMARY KEY (tenant_id, catalog, seq)"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX events_tenant ON events(tenant_id, seq, bytes, ts_ms);"
	"CREATE INDEX events_time ON events(ts_ms, seq);"
	"CREATE TABLE event_clock ("
	"  one INTEGER NOT NULL PRIMARY KEY CHECK (one = 1),"
	"  v INTEGER NOT NULL"
	") STRICT;"
	"INSERT INTO event_clock (one, v) VALUES (1, 0);"
	"CREATE TABLE event_horizon ("
	"  tenant_id TEXT NOT NULL,"
	"  catalog TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  PRIMARY KEY (tenant_id, catalog)"
	") STRICT, WITHOUT ROWID;"
	"CREATE TRIGGER events_horizon AFTER DELETE ON events BEGIN"
	"  INSERT INTO event_horizon (tenant_id, catalog, seq)"
	"    VALUES (old.tenant_id, old.catalog, old.seq)"
	"    ON CONFLICT (tenant_id, catalog) DO UPDATE"
	"    SET seq = max(event_horizon.seq, excluded.seq);"
	" END;";
