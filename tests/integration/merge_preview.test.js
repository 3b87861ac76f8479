// GET /api/v1/branches/merge/preview (issue 27): what a merge would do,
// computed by the merge planner without writing anything: the merge
// base, every asset either side changed with what each side did, and
// the conflicts the merge would report.  Runs on every store (PGL_STORE).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startServer } from './lib/server.js';
import { startIcebergServer, WAREHOUSE } from './lib/iceberg.js';
import { expectError, expectJson, uniq } from './lib/expect.js';
import { tenantWithFeatBranch } from './lib/merge_fixture.js';

let srv;
before(async () => { srv = await startIcebergServer(); });
after(async () => { await srv?.stop(); });

const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };
const ok = async (method, p, body, status = 200) => expectJson(await srv.req(method, p, { body }), status);
const preview = (q) => srv.req('GET', `/api/v1/branches/merge/preview?${new URLSearchParams(q)}`);

/** catalog db.{conf,gone,kept}; feat changes conf and adds fresh; main changes conf and drops gone. */
async function scene() {
  const cat = uniq('pcat');
  await ok('POST', '/api/v1/catalogs', { name: cat, warehouse_name: WAREHOUSE }, 201);
  await ok('POST', `/v1/${cat}/namespaces`, { namespace: ['db'] });
  for (const t of ['conf', 'gone', 'kept'])
    await ok('POST', `/v1/${cat}/namespaces/db/tables`, { name: t, schema, properties: { v: 'base', old: 'x' } });
  await ok('POST', '/api/v1/branches', { name: 'feat', catalog: cat, branch_type: 'ingest' }, 201);
  const props = (t, updates, removals = []) => ok('POST', `/v1/${cat}/namespaces/db/tables/${t}`, { requirements: [],
    updates: [{ action: 'set-properties', updates }, ...(removals.length ? [{ action: 'remove-properties', removals }] : [])] });
  await props('conf@feat', { v: 'feat', added: 'on feat' }, ['old']);
  await ok('POST', `/v1/${cat}/namespaces/db/tables?branch=feat`, { name: 'fresh', schema });
  await props('conf', { v: 'main' });
  assert.equal((await srv.req('DELETE', `/v1/${cat}/namespaces/db/tables/gone`)).status, 204);
  return cat;
}

const filesUnder = (dir) => fs.readdirSync(dir, { recursive: true }).map(String).sort();

const heads = async (cat) => {
  const out = {};
  for (const b of ['main', 'feat']) out[b] = (await ok('GET', `/api/v1/branches/${b}?catalog=${cat}`)).head_commit_id;
  return out;
};
const metaLocs = async (cat) => Promise.all(['conf', 'conf@feat', 'kept'].map(async (t) =>
  (await ok('GET', `/v1/${cat}/namespaces/db/tables/${t}`))['metadata-location']));

test('a preview lists each asset either side changed, what each side did, and the conflict the merge then reports; nothing is written', async () => {
  const cat = await scene();
  const before = { heads: await heads(cat), locs: await metaLocs(cat),
    ops: await ok('GET', `/api/v1/catalogs/${cat}/merge-operations`) };
  assert.deepEqual(before.ops, []);
  const p = expectJson(await preview({ catalog: cat, source: 'feat', target: 'main' }), 200);
  assert.equal(p.catalog, cat);
  assert.equal(p.source_branch, 'feat');
  assert.equal(p.target_branch, 'main');
  assert.equal(typeof p.base_commit_id, 'string', 'the branches share a base');
  assert.equal(p.source_head, before.heads.feat);
  assert.equal(p.target_head, before.heads.main);
  const by = Object.fromEntries(p.assets.map((a) => [a.name, a]));
  assert.deepEqual(Object.keys(by).sort(), ['db.conf', 'db.fresh', 'db.gone'], 'kept is untouched on both sides');

  // Both sides set v differently: a MetadataConflict naming v.
  const conf = by['db.conf'];
  assert.equal(conf.kind, 'ICEBERG_TABLE');
  assert.deepEqual(conf.namespace, 'db');
  assert.equal(conf.action, 'conflict');
  assert.equal(conf.source.change, 'modified');
  assert.equal(conf.target.change, 'modified');
  assert.deepEqual(conf.source.properties, { added: ['added'], changed: ['v'], removed: ['old'] });
  assert.deepEqual(conf.target.properties, { added: [], changed: ['v'], removed: [] });
  assert.deepEqual(conf.source.schema_id, { from: 0, to: 0 });
  assert.deepEqual(conf.source.snapshot_id, { from: null, to: null });
  assert.deepEqual(conf.conflict.conflict_type, { MetadataConflict: { asset_name: 'db.conf', conflicting_properties: ['v'] } });
  assert.equal(conf.conflict.asset_name, 'db.conf');
  assert.match(conf.conflict.description, /db\.conf/);

  // Added on the source only: the merge puts it on the target.
  assert.equal(by['db.fresh'].action, 'put');
  assert.equal(by['db.fresh'].source.change, 'added');
  assert.equal(by['db.fresh'].target.change, 'unchanged');
  assert.deepEqual(by['db.fresh'].source.snapshot_id, { from: null, to: null });
  // Deleted on the target only: the target keeps its own (no action).
  assert.equal(by['db.gone'].action, 'none');
  assert.equal(by['db.gone'].source.change, 'unchanged');
  assert.equal(by['db.gone'].target.change, 'deleted');
  assert.equal(by['db.gone'].conflict, null);
  assert.equal(p.conflicts.length, 1);
  assert.deepEqual(p.conflicts[0], conf.conflict);

  // Nothing written: heads, operations and metadata files as they were.
  assert.deepEqual(await heads(cat), before.heads);
  assert.deepEqual(await metaLocs(cat), before.locs);
  assert.deepEqual(await ok('GET', `/api/v1/catalogs/${cat}/merge-operations`), []);

  // The merge itself reports the conflict the preview showed.
  const m = expectJson(await srv.req('POST', '/api/v1/branches/merge', { body: { source_branch: 'feat', target_branch: 'main', catalog: cat } }), 409);
  const [c] = await ok('GET', `/api/v1/merge-operations/${m.operation_id}/conflicts`);
  assert.deepEqual(c.conflict_type, conf.conflict.conflict_type);
  assert.equal(c.description, conf.conflict.description);
});

test('a preview of properties both sides merge without conflict says put, and writes no merged metadata file', async () => {
  const cat = uniq('pcat');
  await ok('POST', '/api/v1/catalogs', { name: cat, warehouse_name: WAREHOUSE }, 201);
  await ok('POST', `/v1/${cat}/namespaces`, { namespace: ['db'] });
  await ok('POST', `/v1/${cat}/namespaces/db/tables`, { name: 't', schema });
  await ok('POST', '/api/v1/branches', { name: 'feat', catalog: cat, branch_type: 'ingest' }, 201);
  await ok('POST', `/v1/${cat}/namespaces/db/tables/t@feat`, { requirements: [], updates: [{ action: 'set-properties', updates: { a: '1' } }] });
  await ok('POST', `/v1/${cat}/namespaces/db/tables/t`, { requirements: [], updates: [{ action: 'set-properties', updates: { b: '2' } }] });
  const before = (await ok('GET', `/v1/${cat}/namespaces/db/tables/t`))['metadata-location'];
  const files = filesUnder(srv.root);
  const p = expectJson(await preview({ catalog: cat, source: 'feat', target: 'main' }), 200);
  assert.equal(p.assets.length, 1);
  assert.equal(p.assets[0].action, 'put', 'different keys merge');
  assert.deepEqual(p.assets[0].source.properties.added, ['a']);
  assert.deepEqual(p.assets[0].target.properties.added, ['b']);
  assert.deepEqual(p.conflicts, []);
  assert.equal((await ok('GET', `/v1/${cat}/namespaces/db/tables/t`))['metadata-location'], before);
  assert.deepEqual(filesUnder(srv.root), files, 'no file written in the warehouse');
  assert.deepEqual(await ok('GET', `/api/v1/catalogs/${cat}/merge-operations`), []);
  // The merge itself writes the merged metadata file the preview did not.
  expectJson(await srv.req('POST', '/api/v1/branches/merge', { body: { source_branch: 'feat', target_branch: 'main', catalog: cat } }), 200);
  assert.ok(filesUnder(srv.root).length > files.length);
});

test('a preview needs catalog, source and target: 400 without one, 404 for a missing branch or catalog, 400 for one branch into itself', async () => {
  const cat = await scene();
  for (const q of [{ source: 'feat', target: 'main' }, { catalog: cat, target: 'main' }, { catalog: cat, source: 'feat' }, { catalog: cat, source: '', target: 'main' }]) {
    const r = await preview(q);
    expectError(r, 400);
    const missing = ['catalog', 'source', 'target'].find((k) => !q[k]);
    assert.match(r.json.error, new RegExp(`\`${missing}\``));
  }
  const nb = await preview({ catalog: cat, source: 'nope', target: 'main' });
  expectError(nb, 404);
  assert.match(nb.json.error, /Branch 'nope' not found/);
  expectError(await preview({ catalog: cat, source: 'feat', target: 'nope' }), 404);
  expectError(await preview({ catalog: uniq('nocat'), source: 'feat', target: 'main' }), 404);
  const same = await preview({ catalog: cat, source: 'main', target: 'main' });
  expectError(same, 400);
  assert.match(same.json.error, /into itself/);
  assert.deepEqual(await ok('GET', `/api/v1/catalogs/${cat}/merge-operations`), []);
});

test('a preview needs read on the catalog (403 without it), and past PANGOLIN_MERGE_INLINE_MAX_ASSETS answers 422', async () => {
  const PW = 'Str0ng-Passw0rd-for-previews';
  const a = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_MERGE_INLINE_MAX_ASSETS: '2' } });
  try {
    const { as, admin, user, u, cat, catId } = await tenantWithFeatBranch(a, { password: PW, tag: 'p' });
    const q = `/api/v1/branches/merge/preview?catalog=${cat}&source=feat&target=main`;
    await as(user, 'GET', q, undefined, 403);
    await as(admin, 'POST', '/api/v1/permissions', { 'user-id': u.id, scope: { type: 'catalog', catalog_id: catId }, actions: ['read'] }, 201);
    const p = (await as(user, 'GET', q, undefined, 200)).json;
    assert.deepEqual(p.assets.map((x) => [x.name, x.source.change, x.target.change, x.action]), [['db.t', 'modified', 'unchanged', 'put']]);
    // Three assets on main: over the limit of 2, refused with the reason.
    for (const t of ['t2', 't3']) await as(admin, 'POST', `/v1/${cat}/namespaces/db/tables`, { name: t, schema }, 200);
    const big = await as(user, 'GET', q, undefined, 422);
    assert.match(big.json.error, /PANGOLIN_MERGE_INLINE_MAX_ASSETS/);
    assert.equal((await as(admin, 'GET', `/api/v1/catalogs/${cat}/merge-operations`, undefined, 200)).json.length, 0);
  } finally {
    await a.stop();
  }
});
