// A COMMIT that fails for real on the PostgreSQL store (iceberg-commit.md:
// the outcome is unknown): a deferred constraint trigger on the server's
// assets table raises at COMMIT while its fault table holds a row.  Used
// by the suites that check CommitStateUnknownException.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const psql = (sql) => execFileSync('psql', [process.env.PGL_PG_URL, '-v', 'ON_ERROR_STOP=1', '-At', '-c', sql], { encoding: 'utf8' });

/** The fault of srv's schema (named after its directory): on(), off(), remove(). */
export function commitFault(srv) {
  const schema = `t_${path.basename(srv.dir).replace(/[^a-z0-9]/gi, '_').toLowerCase()}`;
  psql(`CREATE TABLE "${schema}".fault (on_ boolean);
    CREATE FUNCTION "${schema}".fault_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF EXISTS (SELECT 1 FROM "${schema}".fault) THEN RAISE EXCEPTION 'injected at COMMIT'; END IF; RETURN NULL; END $$;
    CREATE CONSTRAINT TRIGGER fault_at_commit AFTER UPDATE ON "${schema}".assets
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "${schema}".fault_at_commit();`);
  return {
    on: () => psql(`INSERT INTO "${schema}".fault VALUES (true)`),
    off: () => psql(`DELETE FROM "${schema}".fault`),
    remove: () => psql(`DROP TRIGGER fault_at_commit ON "${schema}".assets; DROP FUNCTION "${schema}".fault_at_commit(); DROP TABLE "${schema}".fault;`),
  };
}
