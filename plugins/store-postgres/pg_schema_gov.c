/*
 * The schema of store ABI 1.10 (migration 9 of pg_migrate.c): as
 * SQLite's migration 10 (plugins/store-sqlite/sqlite_schema_gov.c), the
 * triggers in PL/pgSQL, key columns byte-ordered as everywhere here; and
 * the text index of search, made at every open that can.
 */
#include "pg_store.h"

/* A key column: byte-ordered text, never NULL. */
#define K	" text COLLATE \"C\" NOT NULL"
/* A nullable reference to a key. */
#define KREF	" text COLLATE \"C\""

const char pg_governance_sql[] =
	"CREATE TABLE business_metadata ("
	"  asset_id" K " PRIMARY KEY REFERENCES assets(id) ON DELETE CASCADE,"
	"  tenant_id" K ","
	"  id" K ","
	"  description text,"
	"  tags text NOT NULL,"
	"  properties text NOT NULL,"
	"  discoverable integer NOT NULL,"
	"  created_by" KREF ", created_at bigint NOT NULL,"
	"  updated_by" KREF ", updated_at bigint NOT NULL"
	");"
	"CREATE TABLE asset_tags ("
	"  asset_id" K
	"    REFERENCES business_metadata(asset_id) ON DELETE CASCADE,"
	"  tenant_id" K ","
	"  tag" K ","
	"  PRIMARY KEY (asset_id, tag)"
	");"
	"CREATE INDEX asset_tags_tag ON asset_tags(tenant_id, tag, asset_id);"
	"CREATE FUNCTION business_metadata_tags() RETURNS trigger"
	"  LANGUAGE plpgsql SET search_path FROM CURRENT AS $$"
	"  BEGIN"
	"    IF TG_OP = 'UPDATE' THEN"
	"      DELETE FROM asset_tags WHERE asset_id = NEW.asset_id;"
	"    END IF;"
	"    INSERT INTO asset_tags"
	"      SELECT NEW.asset_id, NEW.tenant_id, e #>> '{}'"
	"      FROM jsonb_array_elements(NEW.tags::jsonb) e"
	"      WHERE jsonb_typeof(e) = 'string'"
	"      ON CONFLICT DO NOTHING;"
	"    RETURN NULL;"
	"  END $$;"
	"CREATE TRIGGER business_metadata_tags"
	"  AFTER INSERT OR UPDATE OF tags ON business_metadata"
	"  FOR EACH ROW EXECUTE FUNCTION business_metadata_tags();"

	"CREATE TABLE access_requests ("
	"  id" K " PRIMARY KEY,"
	"  tenant_id" K ","
	"  user_id" K ","
	"  asset_id" K " REFERENCES assets(id) ON DELETE CASCADE,"
	"  reason text,"
	"  status" K ","
	"  requested_at bigint NOT NULL,"
	"  reviewed_by" KREF ","
	"  reviewed_at bigint NOT NULL,"
	"  review_comment text"
	");"
	"CREATE INDEX access_requests_tenant"
	"  ON access_requests(tenant_id, requested_at);"
	"CREATE INDEX access_requests_user"
	"  ON access_requests(tenant_id, user_id, requested_at);"
	"CREATE INDEX access_requests_asset ON access_requests(asset_id);"

	"CREATE TABLE settings ("
	"  tenant_id" K " PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,"
	"  doc text NOT NULL"
	");"

	"CREATE TABLE asset_search ("
	"  asset_id" K " PRIMARY KEY,"
	"  tenant_id" K ","
	"  catalog_name" K ","
	"  namespace" K ","
	"  name" K ","
	"  text text NOT NULL,"
	"  discoverable integer NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX asset_search_tenant"
	"  ON asset_search(tenant_id, name, catalog_name, namespace);"
	"CREATE FUNCTION assets_search() RETURNS trigger"
	"  LANGUAGE plpgsql SET search_path FROM CURRENT AS $$"
	"  BEGIN"
	"    IF TG_OP = 'INSERT' THEN"
	"      INSERT INTO asset_search VALUES (NEW.id, NEW.tenant_id,"
	"        NEW.catalog_name, NEW.namespace, NEW.name, NEW.name, 0);"
	"    ELSIF TG_OP = 'DELETE' THEN"
	"      DELETE FROM asset_search WHERE asset_id = OLD.id;"
	"    ELSE"
	"      UPDATE asset_search SET namespace = NEW.namespace,"
	"        name = NEW.name, text = NEW.name || coalesce(chr(10) ||"
	"        (SELECT description FROM business_metadata"
	"        WHERE asset_id = NEW.id), '')"
	"        WHERE asset_id = NEW.id;"
	"    END IF;"
	"    RETURN NULL;"
	"  END $$;"
	"CREATE TRIGGER assets_search_in AFTER INSERT ON assets"
	"  FOR EACH ROW WHEN (NEW.branch_name = 'main')"
	"  EXECUTE FUNCTION assets_search();"
	"CREATE TRIGGER assets_search_out AFTER DELETE ON assets"
	"  FOR EACH ROW WHEN (OLD.branch_name = 'main')"
	"  EXECUTE FUNCTION assets_search();"
	"CREATE TRIGGER assets_search_rename"
	"  AFTER UPDATE OF namespace, name ON assets"
	"  FOR EACH ROW WHEN (NEW.branch_name = 'main')"
	"  EXECUTE FUNCTION assets_search();"
	"CREATE FUNCTION business_metadata_search() RETURNS trigger"
	"  LANGUAGE plpgsql SET search_path FROM CURRENT AS $$"
	"  BEGIN"
	"    IF TG_OP = 'DELETE' THEN"
	"      UPDATE asset_search SET text = name, discoverable = 0"
	"        WHERE asset_id = OLD.asset_id;"
	"    ELSE"
	"      UPDATE asset_search SET"
	"        text = name || coalesce(chr(10) || NEW.description, ''),"
	"        discoverable = NEW.discoverable"
	"        WHERE asset_id = NEW.asset_id;"
	"    END IF;"
	"    RETURN NULL;"
	"  END $$;"
	"CREATE TRIGGER business_metadata_search"
	"  AFTER INSERT OR UPDATE OF description, discoverable OR DELETE"
	"  ON business_metadata"
	"  FOR EACH ROW EXECUTE FUNCTION business_metadata_search();"
	"INSERT INTO asset_search"
	"  SELECT id, tenant_id, catalog_name, namespace, name, name, 0"
	"  FROM assets WHERE branch_name = 'main';";

/*
 * The text index of search (sql_search.c): pg_trgm's GIN operator class
 * on asset_search.text, which ILIKE uses at any length.  The extension
 * belongs to the database, not a schema: it is made once (in public if
 * this role may, else in this schema) under a lock of its own, so that
 * schemas migrating side by side do not race to make it.  Each schema's
 * index is made by the first open that finds the extension, so
 * installing pg_trgm later (a superuser's CREATE EXTENSION pg_trgm) and
 * restarting builds it.  Without it search still answers, by reading the
 * tenant's rows, and the log says so at every open.  pg_trgm is a trusted
 * extension (PostgreSQL 13+): a role without superuser but with CREATE on
 * the database makes it too (checked by hand, issue 69: a role without
 * it logs the line and searches; granted CREATE, the next open made the
 * extension in public and the index).  No fast update: a pending list
 * is read whole by every search (migration 24, pg_schema_search.c).
 */
static const char TEXT_INDEX[] =
	"DO $$ DECLARE ns text; BEGIN"
	"  IF to_regclass('asset_search_trgm') IS NOT NULL THEN RETURN; END IF;"
	"  PERFORM pg_advisory_xact_lock(1885825024, 0);"
	"  IF NOT EXISTS (SELECT 1 FROM pg_extension"
	"      WHERE extname = 'pg_trgm') THEN"
	"    BEGIN CREATE EXTENSION pg_trgm WITH SCHEMA public;"
	"    EXCEPTION WHEN others THEN"
	"      BEGIN CREATE EXTENSION pg_trgm;"
	"      EXCEPTION WHEN others THEN NULL; END;"
	"    END;"
	"  END IF;"
	"  SELECT n.nspname INTO ns FROM pg_extension e"
	"    JOIN pg_namespace n ON n.oid = e.extnamespace"
	"    WHERE e.extname = 'pg_trgm';"
	"  IF ns IS NOT NULL THEN"
	"    EXECUTE format('CREATE INDEX asset_search_trgm ON asset_search"
	"      USING gin (text %I.gin_trgm_ops)"
	"      WITH (fastupdate = off)', ns);"
	"  END IF;"
	"END $$";
static const char TEXT_INDEX_EXISTS[] =
	"SELECT (to_regclass('asset_search_trgm') IS NOT NULL)::int";

int
pg_ensure_text_index(struct pgl_store *s, struct pgl_err *err)
{
	uint64_t	exists = 0;
	int		rc;

	if ((rc = pg_simple(s, TEXT_INDEX, NULL, err)) != PGL_OK ||
	    (rc = store_count(s, err, TEXT_INDEX_EXISTS, &exists, "")) !=
	    PGL_OK)
		return (rc);
	if (!exists)
		s->host->log(PGL_LOG_WARN, STORE_NAME ": pg_trgm is not "
		    "available (a superuser, or a role with CREATE on the "
		    "database: the extension is trusted, can CREATE "
		    "EXTENSION pg_trgm, then restart): asset search reads "
		    "every asset of a tenant");
	return (PGL_OK);
}

