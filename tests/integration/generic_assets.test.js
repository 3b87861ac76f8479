// Generic assets (pangolin-api.md §2.4; issue 26): Delta, Hudi, Paimon,
// files, models... registered in a namespace on a branch, each register
// a catalog commit, merged by the branch merge like tables.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { NIL_UUID, startServer } from './lib/server.js';
import { expectError, expectJson, expectList, uniq, UUID_RE } from './lib/expect.js';

let srv, root;
before(async () => {
  srv = await startServer();
  root = path.join(srv.tenantDir(NIL_UUID), 'wh');
  expectJson(await srv.req('POST', '/api/v1/warehouses', { body: { name: 'wh', storage_config: { type: 'local', root } } }), 201);
});
after(async () => { await srv?.stop(); });

const enc = encodeURIComponent;
const assetsOf = (cat, ns, branch) => `/api/v1/catalogs/${enc(cat)}/namespaces/${enc(ns)}/assets${branch ? `?branch=${enc(branch)}` : ''}`;

async function catalog(...namespaces) {
  const name = uniq('cat');
  const c = expectJson(await srv.req('POST', '/api/v1/catalogs', { body: { name, warehouse_name: 'wh' } }), 201);
  for (const ns of namespaces) expectJson(await srv.req('POST', `/v1/${name}/namespaces`, { body: { namespace: ns } }), 200);
  return { name, storage: c.storage_location };
}

const register = (cat, ns, body, branch) => srv.req('POST', assetsOf(cat, ns, branch), { body });

test('register is 201 {id, name, kind, location, namespace, branch, properties}; get and list show it', async () => {
  const c = await catalog(['sales']);
  const loc = `${c.storage}/sales/orders_delta`;
  const a = expectJson(await register(c.name, 'sales', { name: 'orders_delta', kind: 'DELTA_TABLE', location: loc, properties: { format: 'delta' } }), 201);
  assert.match(a.id, UUID_RE);
  assert.equal(a.name, 'orders_delta');
  assert.equal(a.kind, 'DELTA_TABLE');
  assert.equal(a.location, `file://${loc}`);
  assert.deepEqual(a.namespace, ['sales']);
  assert.equal(a.branch, 'main');
  assert.deepEqual(a.properties, { format: 'delta' });
  assert.deepEqual(expectJson(await srv.req('GET', `${assetsOf(c.name, 'sales')}/orders_delta`), 200), a);
  const { items, total } = expectList(await srv.req('GET', assetsOf(c.name, 'sales')));
  assert.equal(total, 1);
  assert.deepEqual(items[0], { id: a.id, name: 'orders_delta', namespace: ['sales'], kind: 'DELTA_TABLE', location: a.location, branch: 'main', identifier: { namespace: ['sales'], name: 'orders_delta' } });
  expectError(await srv.req('GET', `${assetsOf(c.name, 'sales')}/nope`), 404, { message: /not found/ });
  expectError(await srv.req('GET', assetsOf(uniq('nocat'), 'sales')), 404);
  expectError(await srv.req('GET', assetsOf(c.name, 'nons')), 404);
});

test('each register is a catalog commit with a Put on its branch', async () => {
  const c = await catalog(['ml']);
  const a = expectJson(await register(c.name, 'ml', { name: 'churn', kind: 'ML_MODEL', location: `${c.storage}/ml/churn` }), 201);
  const commits = expectList(await srv.req('GET', `/api/v1/branches/main/commits?catalog=${c.name}`)).items;
  assert.equal(commits[0].message, 'Register ML_MODEL ml.churn');
  assert.equal(commits[0].operations.length, 1);
  assert.equal(commits[0].operations[0].Put.asset.id, a.id);
  assert.equal(commits[0].operations[0].Put.asset.kind, 'ML_MODEL');
});

test('assets live on branches: ?branch= registers, lists and reads there only', async () => {
  const c = await catalog(['raw']);
  expectJson(await srv.req('POST', '/api/v1/branches', { body: { name: 'dev', catalog: c.name } }), 201);
  const a = expectJson(await register(c.name, 'raw', { name: 'events', kind: 'PARQUET_TABLE', location: `${c.storage}/raw/events` }, 'dev'), 201);
  assert.equal(a.branch, 'dev');
  assert.equal(expectList(await srv.req('GET', assetsOf(c.name, 'raw'))).total, 0);
  assert.equal(expectList(await srv.req('GET', assetsOf(c.name, 'raw', 'dev'))).total, 1);
  expectJson(await srv.req('GET', `${assetsOf(c.name, 'raw')}/events?branch=dev`), 200);
  expectError(await srv.req('GET', `${assetsOf(c.name, 'raw')}/events`), 404);
  expectError(await register(c.name, 'raw', { name: 'x', kind: 'OTHER', location: `${c.storage}/raw/x` }, 'nobranch'), 404, { message: /nobranch/ });
  const commits = expectList(await srv.req('GET', `/api/v1/branches/dev/commits?catalog=${c.name}`)).items;
  assert.equal(commits[0].message, 'Register PARQUET_TABLE raw.events');
});

test('merge takes an asset added on one side; both sides adding it differently is a conflict', async () => {
  const c = await catalog(['lake']);
  expectJson(await srv.req('POST', '/api/v1/branches', { body: { name: 'feature', catalog: c.name, branch_type: 'ingest' } }), 201);
  expectJson(await register(c.name, 'lake', { name: 'clicks', kind: 'HUDI_TABLE', location: `${c.storage}/lake/clicks` }, 'feature'), 201);
  const merged = expectJson(await srv.req('POST', '/api/v1/branches/merge', { body: { source_branch: 'feature', target_branch: 'main', catalog: c.name } }), 200);
  assert.equal(merged.status, 'Completed');
  const onMain = expectJson(await srv.req('GET', `${assetsOf(c.name, 'lake')}/clicks`), 200);
  assert.equal(onMain.kind, 'HUDI_TABLE');
  assert.equal(onMain.location, `file://${c.storage}/lake/clicks`);
  // Both sides register "paimon" at different places: a conflict.
  expectJson(await srv.req('POST', '/api/v1/branches', { body: { name: 'other', catalog: c.name, branch_type: 'ingest' } }), 201);
  expectJson(await register(c.name, 'lake', { name: 'paimon', kind: 'APACHE_PAIMON', location: `${c.storage}/lake/p1` }), 201);
  expectJson(await register(c.name, 'lake', { name: 'paimon', kind: 'APACHE_PAIMON', location: `${c.storage}/lake/p2` }, 'other'), 201);
  const r = await srv.req('POST', '/api/v1/branches/merge', { body: { source_branch: 'other', target_branch: 'main', catalog: c.name } });
  const body = expectJson(r, 409);
  assert.equal(body.status, 'conflicted');
  const conflicts = expectJson(await srv.req('GET', `/api/v1/merge-operations/${body.operation_id}/conflicts`), 200);
  assert.equal(conflicts.length, 1);
  assert.ok(conflicts[0].conflict_type.MetadataConflict, JSON.stringify(conflicts[0]));
  // The same asset added the same way on both sides is no conflict.
  expectJson(await srv.req('POST', '/api/v1/branches', { body: { name: 'same', catalog: c.name, branch_type: 'ingest' } }), 201);
  expectJson(await register(c.name, 'lake', { name: 'csv', kind: 'CSV_TABLE', location: `${c.storage}/lake/csv` }), 201);
  expectJson(await register(c.name, 'lake', { name: 'csv', kind: 'CSV_TABLE', location: `${c.storage}/lake/csv` }, 'same'), 201);
  expectJson(await srv.req('POST', '/api/v1/branches/merge', { body: { source_branch: 'same', target_branch: 'main', catalog: c.name } }), 200);
});

test('locations follow the tables\' rule: inside the catalog\'s storage, no traversal', async () => {
  const c = await catalog(['s']);
  const bad = [
    '/etc/passwd', `${c.storage}/../elsewhere`, `${c.storage}/s/./x`, 'relative/path', `${c.storage}`,
    `s3://bucket${c.storage}/s/x`, 'file://host/x', `${c.storage}/s/a\u0001b`, '',
  ];
  for (const location of bad) {
    const r = await register(c.name, 's', { name: uniq('bad'), kind: 'DIRECTORY', location });
    assert.equal(r.status, 400, `${JSON.stringify(location)}: ${r.status} ${r.text}`);
  }
  expectJson(await register(c.name, 's', { name: 'viauri', kind: 'DIRECTORY', location: `file://${c.storage}/s/dir` }), 201);
  // A connection string is text, not a place in the storage.
  const db = expectJson(await register(c.name, 's', { name: 'warehouse_db', kind: 'DB_CONN_STRING', location: 'postgresql://db.internal:5432/sales' }), 201);
  assert.equal(db.location, 'postgresql://db.internal:5432/sales');
  expectError(await register(c.name, 's', { name: 'ctl', kind: 'DB_CONN_STRING', location: 'a\nb' }), 400);
});

test('bodies are checked: malformed JSON 400; unknown field, wrong type, missing field, Iceberg or unknown kind 422', async () => {
  const c = await catalog(['v']);
  const loc = `${c.storage}/v/x`;
  const r = await srv.req('POST', assetsOf(c.name, 'v'), { body: '{"name": "x",', headers: { 'content-type': 'application/json' } });
  expectError(r, 400);
  expectError(await register(c.name, 'v', { name: 'x', kind: 'OTHER', location: loc, extra: 1 }), 422, { message: /extra/ });
  expectError(await register(c.name, 'v', { name: 'x', kind: 'OTHER', location: 42 }), 422);
  expectError(await register(c.name, 'v', { name: 'x', kind: 'OTHER' }), 422, { message: /location/ });
  expectError(await register(c.name, 'v', { name: 'x', kind: 'OTHER', location: loc, properties: { n: 1 } }), 422);
  expectError(await register(c.name, 'v', { name: 'x', kind: 'ICEBERG_TABLE', location: loc }), 422, { message: /Iceberg REST/ });
  expectError(await register(c.name, 'v', { name: 'x', kind: 'VIEW', location: loc }), 422);
  expectError(await register(c.name, 'v', { name: 'x', kind: 'delta_table', location: loc }), 422, { message: /DELTA_TABLE/ });
  for (const name of ['a/b', 'a\\b', 'x@dev', '.', '..', '', 'a\u0000b', 'x'.repeat(256)]) {
    const res = await register(c.name, 'v', { name, kind: 'OTHER', location: loc });
    assert.ok([400, 422].includes(res.status), `${JSON.stringify(name)}: ${res.status}`);
  }
});

test('odd but valid names: spaces, %, #, quotes, non-ASCII; nested namespaces dotted', async () => {
  const c = await catalog(['odd'], ['a', 'b']);
  for (const name of ['with space', '100%', 'hash#tag', 'quote"d', "it's", 'Äpfel-データ']) {
    const a = expectJson(await register(c.name, 'odd', { name, kind: 'OTHER', location: `${c.storage}/odd/x` }), 201);
    assert.equal(expectJson(await srv.req('GET', `${assetsOf(c.name, 'odd')}/${enc(name)}`), 200).id, a.id);
  }
  const n = expectJson(await register(c.name, 'a.b', { name: 'nested', kind: 'JSON_TABLE', location: `${c.storage}/a/b/nested` }), 201);
  assert.deepEqual(n.namespace, ['a', 'b']);
  assert.equal(expectList(await srv.req('GET', assetsOf(c.name, 'a\u001fb'))).total, 1);
});

test('a name taken by an asset, a table or a view of the namespace is 409', async () => {
  const c = await catalog(['t']);
  const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', required: false, type: 'long' }] };
  expectJson(await srv.req('POST', `/v1/${c.name}/namespaces/t/tables`, { body: { name: 'tbl', schema } }), 200);
  expectJson(await register(c.name, 't', { name: 'gen', kind: 'OTHER', location: `${c.storage}/t/gen` }), 201);
  expectError(await register(c.name, 't', { name: 'gen', kind: 'OTHER', location: `${c.storage}/t/gen2` }), 409, { message: /exists/ });
  expectError(await register(c.name, 't', { name: 'tbl', kind: 'OTHER', location: `${c.storage}/t/tbl2` }), 409);
  // The list holds tables too, with their kind.
  const kinds = expectList(await srv.req('GET', assetsOf(c.name, 't'))).items.map((i) => `${i.name}:${i.kind}`);
  assert.deepEqual(kinds, ['gen:OTHER', 'tbl:ICEBERG_TABLE']);
});

test('the list pages: default and ceiling, X-Total-Count, bad values 400', async () => {
  const c = await catalog(['p']);
  for (let i = 0; i < 5; i++) expectJson(await register(c.name, 'p', { name: `a${i}`, kind: 'CSV_TABLE', location: `${c.storage}/p/a${i}` }), 201);
  const page = expectList(await srv.req('GET', `${assetsOf(c.name, 'p')}?limit=2&offset=1`));
  assert.equal(page.total, 5);
  assert.deepEqual(page.items.map((i) => i.name), ['a1', 'a2']);
  assert.equal(expectList(await srv.req('GET', `${assetsOf(c.name, 'p')}?limit=100000`)).items.length, 5);
  assert.equal(expectList(await srv.req('GET', `${assetsOf(c.name, 'p')}?offset=10`)).items.length, 0);
  expectError(await srv.req('GET', `${assetsOf(c.name, 'p')}?limit=abc`), 400);
  expectError(await srv.req('GET', `${assetsOf(c.name, 'p')}?offset=-1`), 400);
});
