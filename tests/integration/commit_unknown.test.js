// A commit whose COMMIT fails (iceberg-commit.md: outcome unknown): 500
// CommitStateUnknownException, and the metadata file it wrote is kept,
// because the table's pointer may already name it.  PostgreSQL only: a
// deferred constraint trigger makes the COMMIT itself fail, for real.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { STORE } from './lib/server.js';
import { metadataFiles, simpleSchema, startIcebergServer } from './lib/iceberg.js';
import { expectJson } from './lib/expect.js';

const skip = STORE !== 'postgres' && 'needs PostgreSQL (a deferred trigger fails the COMMIT)';
let srv, schema;

const psql = (sql) => execFileSync('psql', [process.env.PGL_PG_URL, '-v', 'ON_ERROR_STOP=1', '-At', '-c', sql], { encoding: 'utf8' });

before(async () => {
  if (skip) return;
  srv = await startIcebergServer();
  schema = `t_${path.basename(srv.dir).replace(/[^a-z0-9]/gi, '_').toLowerCase()}`;
});
after(async () => { await srv?.stop(); });

test('a COMMIT that fails is CommitStateUnknown, and the file the table may point at stays', { skip }, async () => {
  const T = '/v1/demo/namespaces/cu/tables';
  expectJson(await srv.req('POST', '/v1/demo/namespaces', { body: { namespace: ['cu'] } }), 200);
  const t = expectJson(await srv.req('POST', T, { body: { name: 't', schema: simpleSchema() } }), 200);
  psql(`CREATE TABLE "${schema}".fault (on_ boolean);
    CREATE FUNCTION "${schema}".fault_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF EXISTS (SELECT 1 FROM "${schema}".fault) THEN RAISE EXCEPTION 'injected at COMMIT'; END IF; RETURN NULL; END $$;
    CREATE CONSTRAINT TRIGGER fault_at_commit AFTER UPDATE ON "${schema}".assets
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "${schema}".fault_at_commit();
    INSERT INTO "${schema}".fault VALUES (true);`);
  const before = metadataFiles(t.metadata.location).length;
  const r = await srv.req('POST', `${T}/t`, { body: { requirements: [], updates: [{ action: 'set-properties', updates: { a: 'b' } }] } });
  assert.equal(r.status, 500, r.text);
  assert.equal(r.json.error.type, 'CommitStateUnknownException');
  assert.equal(metadataFiles(t.metadata.location).length, before + 1, 'the new metadata file is kept');
  // Here the COMMIT did fail: the table is as it was, and commits again.
  assert.equal(expectJson(await srv.req('GET', `${T}/t`), 200)['metadata-location'], t['metadata-location']);
  psql(`DELETE FROM "${schema}".fault`);
  const ok = expectJson(await srv.req('POST', `${T}/t`, { body: { requirements: [], updates: [{ action: 'set-properties', updates: { a: 'c' } }] } }), 200);
  assert.equal(ok.metadata.properties.a, 'c');
});
