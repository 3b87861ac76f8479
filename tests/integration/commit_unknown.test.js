// A commit whose COMMIT fails (iceberg-commit.md: outcome unknown): 500
// CommitStateUnknownException, and the metadata file it wrote is kept,
// because the table's pointer may already name it.  PostgreSQL only: a
// deferred constraint trigger makes the COMMIT itself fail, for real.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { STORE } from './lib/server.js';
import { metadataFiles, simpleSchema, startIcebergServer } from './lib/iceberg.js';
import { expectJson } from './lib/expect.js';
import { commitFault } from './lib/pg_commit_fault.js';

const skip = STORE !== 'postgres' && 'needs PostgreSQL (a deferred trigger fails the COMMIT)';
let srv;

before(async () => {
  if (skip) return;
  srv = await startIcebergServer();
});
after(async () => { await srv?.stop(); });

test('a COMMIT that fails is CommitStateUnknown, and the file the table may point at stays', { skip }, async () => {
  const T = '/v1/demo/namespaces/cu/tables';
  expectJson(await srv.req('POST', '/v1/demo/namespaces', { body: { namespace: ['cu'] } }), 200);
  const t = expectJson(await srv.req('POST', T, { body: { name: 't', schema: simpleSchema() } }), 200);
  const fault = commitFault(srv);
  fault.on();
  const before = metadataFiles(t.metadata.location).length;
  const r = await srv.req('POST', `${T}/t`, { body: { requirements: [], updates: [{ action: 'set-properties', updates: { a: 'b' } }] } });
  assert.equal(r.status, 500, r.text);
  assert.equal(r.json.error.type, 'CommitStateUnknownException');
  assert.equal(metadataFiles(t.metadata.location).length, before + 1, 'the new metadata file is kept');
  // Here the COMMIT did fail: the table is as it was, and commits again.
  assert.equal(expectJson(await srv.req('GET', `${T}/t`), 200)['metadata-location'], t['metadata-location']);
  fault.off();
  const ok = expectJson(await srv.req('POST', `${T}/t`, { body: { requirements: [], updates: [{ action: 'set-properties', updates: { a: 'c' } }] } }), 200);
  assert.equal(ok.metadata.properties.a, 'c');
});
