/*
 * The schema of the asset notes (migration 23 of pg_migrations.c; issue
 * 69): what the asset cache of every server on this schema is told, at
 * the commit of each transaction that changed what an asset lookup finds
 * (pg_asset_cache.c says how it keeps read-your-writes with them).
 *
 * A deferred constraint trigger runs at COMMIT, before PostgreSQL queues
 * the transaction's notifications: the first note of a transaction takes
 * the advisory lock below, held until the transaction is over, then its
 * number from asset_notes.  So a number is taken only once every number
 * before it belongs to a transaction that is over, and the numbers rise
 * in the order the notes are delivered (PostgreSQL queues notifications
 * in commit order).  The lock is held from the COMMIT's triggers to its
 * end: asset commits queue there one after another, as their
 * notifications already do (PostgreSQL serialises committing NOTIFYs).
 *
 * An asset row's note names it: "<schema> <n>\x1f<tenant>\x1f<catalog>
 * \x1f<namespace>\x1f<name>" (every branch's row of a name shares one:
 * a branch sees its parent's); a change to branches, a catalog's or a
 * tenant's deletion, a row with names too long for a payload, or the
 * 65th row of one transaction is "<schema> <n>": all.  PostgreSQL drops a
 * transaction's duplicate notifications itself.
 *
 * asset_notes_start(): the number a new listener starts from, read under
 * the lock's shared side (no commit holds a number it has not delivered).
 */
#include "pg_store.h"

#define NOTES_LOCK	"1885825026"	/* "pgl\2" */
#define NOTES_MAX	"64"

const char pg_asset_notes_sql[] =
	"CREATE SEQUENCE asset_notes;"
	"CREATE FUNCTION asset_notes_start() RETURNS bigint"
	"  LANGUAGE plpgsql AS $$"
	"  BEGIN"
	"    PERFORM pg_advisory_xact_lock_shared(" NOTES_LOCK ","
	"      hashtext(current_schema()));"
	"    RETURN (SELECT CASE WHEN is_called THEN last_value ELSE 0 END"
	"      FROM asset_notes);"
	"  END $$;"
	/* No SET clause: it would undo set_config(..., true) at its exit.
	 * Every name is the trigger's table's schema's, whatever the
	 * writer's search_path (an operator's psql, a test's session). */
	"CREATE FUNCTION asset_noted() RETURNS trigger"
	"  LANGUAGE plpgsql AS $$"
	"  DECLARE"
	"    sch text := TG_TABLE_SCHEMA;"
	"    done bigint := coalesce(nullif(current_setting("
	"      'pangolin.asset_notes', true), ''), '0')::bigint;"
	"    n text := current_setting('pangolin.asset_note', true);"
	"    us char := chr(31);"
	"    one text;"
	"  BEGIN"
	"    IF done < 0 THEN RETURN NULL; END IF;"
	"    IF done = 0 THEN"
	"      PERFORM pg_advisory_xact_lock(" NOTES_LOCK ", hashtext(sch));"
	"      n := nextval((quote_ident(sch) || '.asset_notes')::regclass)"
	"        ::text;"
	"      PERFORM set_config('pangolin.asset_note', n, true);"
	"    END IF;"
	"    IF TG_TABLE_NAME <> 'assets' OR done >= " NOTES_MAX " THEN"
	"      PERFORM set_config('pangolin.asset_notes', '-1', true);"
	"      PERFORM pg_notify('" PG_ASSET_CHANNEL "',"
	"        sch || ' ' || n);"
	"      RETURN NULL;"
	"    END IF;"
	"    PERFORM set_config('pangolin.asset_notes', (done + 1)::text, true);"
	"    IF TG_OP <> 'INSERT' THEN"
	"      one := sch || ' ' || n || us || OLD.tenant_id || us"
	"        || OLD.catalog_name || us || OLD.namespace || us || OLD.name;"
	"      IF octet_length(one) > 7000 THEN"
	"        one := sch || ' ' || n;"
	"      END IF;"
	"      PERFORM pg_notify('" PG_ASSET_CHANNEL "', one);"
	"    END IF;"
	"    IF TG_OP <> 'DELETE' THEN"
	"      one := sch || ' ' || n || us || NEW.tenant_id || us"
	"        || NEW.catalog_name || us || NEW.namespace || us || NEW.name;"
	"      IF octet_length(one) > 7000 THEN"
	"        one := sch || ' ' || n;"
	"      END IF;"
	"      PERFORM pg_notify('" PG_ASSET_CHANNEL "', one);"
	"    END IF;"
	"    RETURN NULL;"
	"  END $$;"
	"CREATE CONSTRAINT TRIGGER assets_noted"
	"  AFTER INSERT OR UPDATE OR DELETE ON assets"
	"  DEFERRABLE INITIALLY DEFERRED"
	"  FOR EACH ROW EXECUTE FUNCTION asset_noted();"
	/* What moves a lookup's lineage (sql_lineage.h), not a branch's
	 * head, which every commit moves. */
	"CREATE CONSTRAINT TRIGGER branches_noted"
	"  AFTER INSERT OR DELETE"
	"  OR UPDATE OF tenant_id, catalog_name, name, parent_name, fork_seq"
	"  ON branches DEFERRABLE INITIALLY DEFERRED"
	"  FOR EACH ROW EXECUTE FUNCTION asset_noted();"
	"CREATE CONSTRAINT TRIGGER catalogs_noted AFTER DELETE ON catalogs"
	"  DEFERRABLE INITIALLY DEFERRED"
	"  FOR EACH ROW EXECUTE FUNCTION asset_noted();"
	"CREATE CONSTRAINT TRIGGER tenants_noted AFTER DELETE ON tenants"
	"  DEFERRABLE INITIALLY DEFERRED"
	"  FOR EACH ROW EXECUTE FUNCTION asset_noted();";
