// Branch merges (pangolin-api.md §2.5, §4; top section item 3): a real
// three-way merge per asset from the merge base, Iceberg-aware for table
// properties and schema, conflicts resolved by strategy, `complete`
// merging source INTO target in one transaction.  Runs on every store
// (PGL_STORE); every /v1 answer is checked against the Iceberg OpenAPI
// document by lib/iceberg.js.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, STORE, tmpDir } from './lib/server.js';
import { assertRowIdsApart, startIcebergServer, WAREHOUSE } from './lib/iceberg.js';
import { createTable } from './lib/iceberg_data.js';
import { IcebergRestCatalog } from 'iceberg-js';
import { validatingFetch } from './lib/openapi.js';
import { expectError, expectJson, expectList, uniq, UUID_RE } from './lib/expect.js';
import { tenantWithFeatBranch } from './lib/merge_fixture.js';

let srv;
before(async () => { srv = await startIcebergServer(); });
after(async () => { await srv?.stop(); });

const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };
const viewBody = (name, sql = 'select 1 as id') => ({
  name, schema,
  'view-version': { 'version-id': 1, 'timestamp-ms': Date.now(), 'schema-id': 0, summary: { engine: 'test' },
    'default-namespace': ['db'], representations: [{ type: 'sql', sql, dialect: 'spark' }] },
  properties: {},
});

const ok = async (method, p, body, status = 200) => expectJson(await srv.req(method, p, { body }), status);

/** A fresh catalog with namespace db; returns helpers bound to it. */
async function catalog() {
  const cat = uniq('mcat');
  await ok('POST', '/api/v1/catalogs', { name: cat, warehouse_name: WAREHOUSE }, 201);
  await ok('POST', `/v1/${cat}/namespaces`, { namespace: ['db'] });
  const at = (t, b) => (b && b !== 'main' ? `${t}@${b}` : t);
  const c = {
    name: cat,
    table: (t, properties = {}) => ok('POST', `/v1/${cat}/namespaces/db/tables`, { name: t, schema, properties }),
    view: (v, sql) => ok('POST', `/v1/${cat}/namespaces/db/views`, viewBody(v, sql)),
    load: async (t, b) => {
      const r = await srv.req('GET', `/v1/${cat}/namespaces/db/tables/${at(t, b)}`);
      return r.status === 404 ? null : expectJson(r, 200);
    },
    loadView: async (v, b) => {
      const r = await srv.req('GET', `/v1/${cat}/namespaces/db/views/${at(v, b)}`);
      return r.status === 404 ? null : expectJson(r, 200);
    },
    commit: (t, b, updates) => ok('POST', `/v1/${cat}/namespaces/db/tables/${at(t, b)}`, { requirements: [], updates }),
    props: (t, b, set = {}, remove = []) => c.commit(t, b, [
      ...(Object.keys(set).length ? [{ action: 'set-properties', updates: set }] : []),
      ...(remove.length ? [{ action: 'remove-properties', removals: remove }] : []),
    ]),
    replaceView: (v, b, sql) => ok('POST', `/v1/${cat}/namespaces/db/views/${at(v, b)}`, {
      requirements: [], updates: [
        { action: 'add-view-version', 'view-version': { 'version-id': 2, 'timestamp-ms': Date.now(), 'schema-id': 0, summary: { engine: 'test' }, 'default-namespace': ['db'], representations: [{ type: 'sql', sql, dialect: 'spark' }] } },
        { action: 'set-current-view-version', 'view-version-id': -1 }] }),
    drop: async (t, b) => assert.equal((await srv.req('DELETE', `/v1/${cat}/namespaces/db/tables/${at(t, b)}`)).status, 204),
    dropView: async (v, b) => assert.equal((await srv.req('DELETE', `/v1/${cat}/namespaces/db/views/${at(v, b)}`)).status, 204),
    // Ingest branches: an experimental one needs force to merge into main.
    branch: (name, extra = {}) => ok('POST', '/api/v1/branches', { name, catalog: cat, branch_type: 'ingest', ...extra }, 201),
    merge: (source, target = 'main', extra = {}) => srv.req('POST', '/api/v1/branches/merge',
      { body: { source_branch: source, target_branch: target, catalog: cat, ...extra } }),
    head: async (b) => (await ok('GET', `/api/v1/branches/${b}?catalog=${cat}`)).head_commit_id,
    commits: async (b) => ok('GET', `/api/v1/branches/${b}/commits?catalog=${cat}`),
  };
  return c;
}

const conflictsOf = async (id) => ok('GET', `/api/v1/merge-operations/${id}/conflicts`);
const resolve = (id, strategy, resolved_value) => srv.req('POST', `/api/v1/conflicts/${id}/resolve`,
  { body: resolved_value === undefined ? { strategy } : { strategy, resolved_value } });
const complete = (id) => srv.req('POST', `/api/v1/merge-operations/${id}/complete`);

test('a conflict-free merge takes every source change into the target (never the reverse) with a two-parent merge commit', async () => {
  const c = await catalog();
  for (const t of ['changed', 'deleted', 'kept', 'target_changed']) await c.table(t, { v: 'base' });
  await c.view('vw', 'select 1 as id');
  await c.branch('feat');
  await c.props('changed', 'feat', { v: 'feat' });
  await c.drop('deleted', 'feat');
  await c.table('added_x'); // added on the target side
  await ok('POST', `/v1/${c.name}/namespaces/db/tables?branch=feat`, { name: 'added', schema, properties: { v: 'new' } });
  await c.replaceView('vw', 'feat', 'select 2 as id');
  await c.props('target_changed', 'main', { v: 'main' });
  const mainHead = await c.head('main');
  const featHead = await c.head('feat');

  const op = expectJson(await c.merge('feat'), 200);
  assert.equal(op.status, 'Completed');
  assert.equal(op.source_branch, 'feat');
  assert.equal(op.target_branch, 'main');
  assert.match(op.result_commit_id, UUID_RE);
  assert.ok(op.completed_at);
  assert.equal(op.plan, undefined, 'the plan stays inside');

  assert.equal((await c.load('changed')).metadata.properties.v, 'feat');
  assert.equal(await c.load('deleted'), null, 'deletions propagate');
  assert.equal((await c.load('added')).metadata.properties.v, 'new');
  assert.equal((await c.load('target_changed')).metadata.properties.v, 'main', 'the target keeps its own change');
  assert.equal((await c.load('kept')).metadata.properties.v, 'base');
  assert.equal((await c.load('added_x')).metadata.properties.v, undefined);
  assert.match(JSON.stringify((await c.loadView('vw')).metadata), /select 2 as id/);
  // Never the reverse: the source is untouched.
  assert.equal((await c.load('target_changed', 'feat')).metadata.properties.v, 'base');
  assert.equal(await c.load('added_x', 'feat'), null);
  assert.equal(await c.head('feat'), featHead);

  const [m] = await c.commits('main');
  assert.equal(m.id, op.result_commit_id);
  assert.equal(m.parent_id, mainHead);
  assert.equal(m.merge_parent_id, featHead);
  const names = m.operations.map((o) => (o.Put ? `put ${o.Put.asset.name}` : `delete ${o.Delete.name}`)).sort();
  assert.deepEqual(names, ['delete deleted', 'put added', 'put changed', 'put vw']);

  const list = expectList(await srv.req('GET', `/api/v1/catalogs/${c.name}/merge-operations`));
  assert.deepEqual(Object.keys(list.items[0]).sort(), ['completed_at', 'conflicts_count', 'id', 'initiated_at', 'source_branch', 'status', 'target_branch']);
  assert.equal(list.items[0].id, op.id);
  assert.equal(list.items[0].conflicts_count, 0);
  assert.deepEqual(await ok('GET', `/api/v1/merge-operations/${op.id}`), op);
});

// {unchanged, changed, added, deleted} on each side, per table property.
const CASES = [
  // [source, target, expected merged value | CONFLICT]; base value 'b' unless added
  ['unchanged', 'unchanged', 'b'], ['unchanged', 'changed', 't'], ['unchanged', 'deleted', undefined],
  ['changed', 'unchanged', 's'], ['deleted', 'unchanged', undefined], ['deleted', 'deleted', undefined],
  ['changed-same', 'changed-same', 'same'], ['absent', 'added', 't'], ['added', 'absent', 's'], ['added-same', 'added-same', 'same'],
  ['changed', 'changed', 'CONFLICT'], ['changed', 'deleted', 'CONFLICT'], ['deleted', 'changed', 'CONFLICT'], ['added', 'added', 'CONFLICT'],
];
const inBase = (s) => !['absent', 'added', 'added-same'].includes(s);
function apply(side, action, key, set, remove) {
  if (action === 'changed' || action === 'added') set[key] = side;
  else if (action === 'changed-same' || action === 'added-same') set[key] = 'same';
  else if (action === 'deleted') remove.push(key);
}

test('three-way table properties: every {unchanged, changed, added, deleted} pair merges or conflicts as the rules say', async () => {
  const c = await catalog();
  const clean = CASES.filter(([, , e]) => e !== 'CONFLICT');
  const bad = CASES.filter(([, , e]) => e === 'CONFLICT');
  const base = {};
  const key = ([s, t]) => `k_${s}_${t}`.replace(/-/g, '_');
  for (const cs of CASES) if (inBase(cs[0]) && inBase(cs[1])) base[key(cs)] = 'b';
  await c.table('clean', base);
  await c.table('bad', base);
  await c.branch('feat');
  for (const [tbl, cases] of [['clean', clean], ['bad', bad]]) {
    const sset = {}, sdel = [], tset = {}, tdel = [];
    for (const cs of cases) { apply('s', cs[0], key(cs), sset, sdel); apply('t', cs[1], key(cs), tset, tdel); }
    await c.props(tbl, 'feat', sset, sdel);
    await c.props(tbl, 'main', tset, tdel);
  }
  const r = expectJson(await c.merge('feat'), 409);
  assert.equal(r.status, 'conflicted');
  assert.equal(r.conflicts, 1, 'only the table with colliding keys conflicts');
  assert.match(r.message, /1 conflicts/);
  const [conflict] = await conflictsOf(r.operation_id);
  assert.equal(conflict.asset_name, 'db.bad');
  assert.deepEqual(conflict.conflict_type.MetadataConflict.conflicting_properties.sort(), bad.map(key).sort());
  assert.equal(conflict.resolution, null);
  assert.equal(conflict.merge_operation_id, r.operation_id);
  // Take the target for the conflicting table; the clean one merges.
  expectJson(await resolve(conflict.id, 'TakeTarget'), 200);
  expectJson(await complete(r.operation_id), 200);
  const props = (await c.load('clean')).metadata.properties;
  for (const cs of clean) assert.equal(props[key(cs)], cs[2], `${cs[0]} / ${cs[1]}`);
  const badProps = (await c.load('bad')).metadata.properties;
  for (const cs of bad) assert.equal(badProps[key(cs)], cs[1] === 'deleted' ? undefined : 't');
});

test('three-way assets: {unchanged, changed, added, deleted} per side for tables and views', async () => {
  const c = await catalog();
  // name: [source action, target action]
  const tables = {
    t_uc: ['unchanged', 'changed'], t_cu: ['changed', 'unchanged'], t_du: ['deleted', 'unchanged'],
    t_ud: ['unchanged', 'deleted'], t_dd: ['deleted', 'deleted'], t_dc: ['deleted', 'changed'], t_cd: ['changed', 'deleted'],
  };
  for (const t of Object.keys(tables)) await c.table(t, { v: 'b' });
  await c.view('v_cu', 'select 1 as id');
  await c.view('v_cc', 'select 1 as id');
  await c.view('v_du', 'select 1 as id');
  await c.branch('feat');
  for (const [t, [s, g]] of Object.entries(tables)) {
    for (const [side, action] of [['feat', s], ['main', g]]) {
      if (action === 'changed') await c.props(t, side, { v: side });
      if (action === 'deleted') await c.drop(t, side);
    }
  }
  await ok('POST', `/v1/${c.name}/namespaces/db/tables?branch=feat`, { name: 't_added_s', schema });
  await c.table('t_added_t');
  await ok('POST', `/v1/${c.name}/namespaces/db/tables?branch=feat`, { name: 't_added_both', schema, properties: { v: 's' } });
  await c.table('t_added_both', { v: 't' });
  await c.replaceView('v_cu', 'feat', 'select 2 as id');
  await c.replaceView('v_cc', 'feat', 'select 2 as id');
  await c.replaceView('v_cc', 'main', 'select 3 as id');
  await c.dropView('v_du', 'feat');

  const r = expectJson(await c.merge('feat'), 409);
  const cs = await conflictsOf(r.operation_id);
  const byName = Object.fromEntries(cs.map((x) => [x.asset_name, x]));
  assert.deepEqual(Object.keys(byName).sort(), ['db.t_added_both', 'db.t_cd', 'db.t_dc', 'db.v_cc']);
  assert.deepEqual(byName['db.t_dc'].conflict_type, { DeletionConflict: { asset_name: 'db.t_dc', deleted_in: 'source', modified_in: 'target' } });
  assert.deepEqual(byName['db.t_cd'].conflict_type, { DeletionConflict: { asset_name: 'db.t_cd', deleted_in: 'target', modified_in: 'source' } });
  assert.ok(byName['db.v_cc'].conflict_type.SchemaChange);
  assert.ok(byName['db.t_added_both'].conflict_type.SchemaChange);
  // Nothing moved yet: the operation waits for resolutions.
  assert.equal((await c.load('t_cu')).metadata.properties.v, 'b');
  const op = await ok('GET', `/api/v1/merge-operations/${r.operation_id}`);
  assert.equal(op.status, 'Conflicted');
  assert.equal(op.conflicts.length, 4);
  expectError(await complete(r.operation_id), 400, { message: /Cannot complete merge/ });
  for (const x of cs) expectJson(await resolve(x.id, 'TakeSource'), 200);
  assert.equal((await ok('GET', `/api/v1/merge-operations/${r.operation_id}`)).status, 'Ready');
  const done = expectJson(await complete(r.operation_id), 200);
  assert.deepEqual(Object.keys(done).sort(), ['commit_id', 'operation_id', 'status']);
  assert.equal(done.status, 'completed');

  assert.equal((await c.load('t_uc')).metadata.properties.v, 'main');
  assert.equal((await c.load('t_cu')).metadata.properties.v, 'feat');
  assert.equal(await c.load('t_du'), null);
  assert.equal(await c.load('t_ud'), null);
  assert.equal(await c.load('t_dd'), null);
  assert.equal(await c.load('t_dc'), null, 'TakeSource: the source deleted it');
  assert.equal((await c.load('t_cd')).metadata.properties.v, 'feat', 'TakeSource: the source changed it');
  assert.ok(await c.load('t_added_s'));
  assert.ok(await c.load('t_added_t'));
  assert.equal((await c.load('t_added_both')).metadata.properties.v, 's');
  assert.match(JSON.stringify((await c.loadView('v_cu')).metadata), /select 2 as id/);
  assert.match(JSON.stringify((await c.loadView('v_cc')).metadata), /select 2 as id/);
  assert.equal(await c.loadView('v_du'), null);
  assert.equal((await ok('GET', `/api/v1/merge-operations/${r.operation_id}`)).status, 'Completed');
});

test('schema: a change on one side merges with property changes on the other; divergent changes are a SchemaChange', async () => {
  const c = await catalog();
  await c.table('one', { v: 'b' });
  await c.table('both', { v: 'b' });
  await c.branch('feat');
  const addCol = (t, b, id, name) => c.commit(t, b, [
    { action: 'add-schema', schema: { type: 'struct', 'schema-id': 1, fields: [...schema.fields, { id, name, required: false, type: 'string' }] } },
    { action: 'set-current-schema', 'schema-id': -1 }]);
  await addCol('one', 'feat', 2, 'extra');
  await c.props('one', 'main', { owner: 'main' });
  await addCol('both', 'feat', 2, 'from_feat');
  await addCol('both', 'main', 2, 'from_main');
  const r = expectJson(await c.merge('feat'), 409);
  const [x] = await conflictsOf(r.operation_id);
  assert.equal(x.asset_name, 'db.both');
  assert.equal(x.conflict_type.SchemaChange.table_name, 'db.both');
  assert.equal(x.conflict_type.SchemaChange.source_schema[1].name, 'from_feat');
  assert.equal(x.conflict_type.SchemaChange.target_schema[1].name, 'from_main');
  expectJson(await resolve(x.id, 'TakeTarget'), 200);
  expectJson(await complete(r.operation_id), 200);
  const one = (await c.load('one')).metadata;
  const cur = one.schemas.find((s) => s['schema-id'] === one['current-schema-id']);
  assert.deepEqual(cur.fields.map((f) => f.name), ['id', 'extra'], 'the source\'s new column');
  assert.equal(one.properties.owner, 'main', 'and the target\'s property');
  const both = (await c.load('both')).metadata;
  assert.deepEqual(both.schemas.find((s) => s['schema-id'] === both['current-schema-id']).fields.map((f) => f.name), ['id', 'from_main']);
});

test('a second merge starts from the first one\'s source head (merge commits have two parents)', async () => {
  const c = await catalog();
  await c.table('t', { v: 'b' });
  await c.branch('feat');
  await c.props('t', 'feat', { k: '1' });
  expectJson(await c.merge('feat'), 200);
  await c.props('t', 'main', { other: '2' });
  await c.props('t', 'feat', { k: '3' });
  const op = expectJson(await c.merge('feat'), 200);
  assert.equal(op.base_commit_id, (await c.commits('main'))[2].merge_parent_id);
  const p = (await c.load('t')).metadata.properties;
  assert.equal(p.k, '3');
  assert.equal(p.other, '2');
  // Merging again with nothing new changes nothing.
  const head = await c.head('main');
  const again = expectJson(await c.merge('feat'), 200);
  assert.equal(again.status, 'Completed');
  assert.equal(await c.head('main'), head);
});

test('Manual resolution takes a metadata location inside the table; bad values and strategies are refused', async () => {
  const c = await catalog();
  const t = await c.table('t', { v: 'b' });
  await c.table('other');
  await c.branch('feat');
  const s = await c.props('t', 'feat', { v: 'feat' });
  await c.props('t', 'main', { v: 'main' });
  const r = expectJson(await c.merge('feat'), 409);
  const [x] = await conflictsOf(r.operation_id);
  expectError(await resolve(x.id, 'Sideways'), 422);
  expectError(await resolve(x.id, 'AutoMerge'), 400);
  expectError(await resolve(x.id, 'Manual'), 422);
  expectError(await resolve(x.id, 'Manual', 42), 422);
  expectError(await resolve(x.id, 'Manual', (await c.load('other'))['metadata-location']), 422, { message: /inside/ });
  expectError(await resolve(x.id, 'Manual', `${t.metadata.location}/metadata/99999-nope.metadata.json`), 422);
  expectError(await srv.req('POST', `/api/v1/conflicts/${x.id}/resolve`, { body: { strategy: 'TakeSource', extra: 1 } }), 422);
  expectError(await srv.req('POST', `/api/v1/conflicts/${x.id}/resolve`, { raw: true, body: '{"strategy":', headers: { 'content-type': 'application/json' } }), 400);
  expectError(await resolve('6f1c1b9e-5f0e-4d7b-9c1a-2b3c4d5e6f70', 'TakeSource'), 404);
  assert.equal((await ok('GET', `/api/v1/merge-operations/${r.operation_id}`)).status, 'Conflicted');
  const res = expectJson(await resolve(x.id, 'Manual', s['metadata-location']), 200);
  assert.deepEqual(res, { status: 'resolved', conflict_id: x.id });
  const [y] = await conflictsOf(r.operation_id);
  assert.equal(y.resolution.strategy, 'Manual');
  assert.equal(y.resolution.resolved_value, s['metadata-location']);
  expectJson(await complete(r.operation_id), 200);
  assert.equal((await c.load('t'))['metadata-location'], s['metadata-location']);
  expectError(await complete(r.operation_id), 400, { message: /Cannot complete merge/ });
  expectError(await srv.req('POST', `/api/v1/merge-operations/${r.operation_id}/abort`), 400);
});

test('a merge racing commits on the target answers 409 and applies nothing', async () => {
  const c = await catalog();
  await c.table('a', { v: 'b' });
  await c.table('b', { v: 'b' });
  await c.branch('feat');
  await c.props('a', 'feat', { v: 'feat' });
  await c.props('b', 'feat', { v: 'feat' });
  await c.props('b', 'main', { v: 'main' });
  const r = expectJson(await c.merge('feat'), 409);
  const [x] = await conflictsOf(r.operation_id);
  expectJson(await resolve(x.id, 'TakeSource'), 200);
  // The target moves (a commit to an asset the merge does not touch).
  await c.table('late');
  const head = await c.head('main');
  const aBefore = (await c.load('a'))['metadata-location'];
  expectError(await complete(r.operation_id), 409, { message: /merge again/ });
  assert.equal(await c.head('main'), head, 'no merge commit');
  assert.equal((await c.load('a'))['metadata-location'], aBefore, 'nothing half-applied');
  assert.equal((await c.load('b')).metadata.properties.v, 'main');
  assert.equal((await ok('GET', `/api/v1/merge-operations/${r.operation_id}`)).status, 'Ready');
  // Merging again on the new head works.
  const again = expectJson(await c.merge('feat'), 409);
  for (const y of await conflictsOf(again.operation_id)) expectJson(await resolve(y.id, 'TakeSource'), 200);
  expectJson(await complete(again.operation_id), 200);
  assert.equal((await c.load('a')).metadata.properties.v, 'feat');
  assert.equal((await c.load('b')).metadata.properties.v, 'feat');
  assert.ok(await c.load('late'));

  // Concurrent merges and commits: every merge either completes or 409s, never half.
  await c.branch('feat2');
  await c.props('a', 'feat2', { w: 'x' });
  const rs = await Promise.all([c.merge('feat2'), c.props('b', 'main', { z: '1' }), c.merge('feat2')]);
  for (const m of [rs[0], rs[2]]) assert.ok([200, 409].includes(m.status), m.text);
  assert.equal((await c.load('a')).metadata.properties.w, 'x');
});

test('abort, experimental branches into main, partial branches, bad input', async () => {
  const c = await catalog();
  await c.table('t', { v: 'b' });
  await c.table('u', { v: 'b' });
  await c.branch('exp', { branch_type: 'experimental' });
  await c.props('t', 'exp', { v: 'exp' });
  expectError(await c.merge('exp'), 400, { message: /force/ });
  await c.branch('ing', { branch_type: 'ingest' });
  await c.props('t', 'ing', { w: 'ing' });
  expectJson(await c.merge('ing'), 200);
  const forced = expectJson(await c.merge('exp', 'main', { force: true }), 200);
  assert.equal(forced.status, 'Completed');
  assert.equal((await c.load('t')).metadata.properties.v, 'exp');
  assert.equal((await c.load('t')).metadata.properties.w, 'ing');

  // A partial branch touches only what it holds.
  await c.branch('part', { assets: ['db.t'], branch_type: 'ingest' });
  await c.props('t', 'part', { p: '1' });
  expectJson(await c.merge('part'), 200);
  assert.ok(await c.load('u'), 'an asset the partial branch does not hold stays');
  assert.equal((await c.load('t')).metadata.properties.p, '1');

  // Abort.
  await c.branch('x', { branch_type: 'ingest' });
  await c.props('u', 'x', { v: 'x' });
  await c.props('u', 'main', { v: 'main' });
  const r = expectJson(await c.merge('x'), 409);
  assert.deepEqual(expectJson(await srv.req('POST', `/api/v1/merge-operations/${r.operation_id}/abort`), 200),
    { status: 'aborted', operation_id: r.operation_id });
  assert.equal((await ok('GET', `/api/v1/merge-operations/${r.operation_id}`)).status, 'Aborted');
  expectError(await complete(r.operation_id), 400);
  const [x] = await conflictsOf(r.operation_id);
  expectError(await resolve(x.id, 'TakeSource'), 400);

  // Bad input.
  expectError(await c.merge('nope'), 404, { message: /nope/ });
  expectError(await c.merge('x', 'x'), 400);
  expectError(await srv.req('POST', '/api/v1/branches/merge', { body: { source_branch: 'x', target_branch: 'main' } }), 422);
  expectError(await srv.req('POST', '/api/v1/branches/merge', { body: { source_branch: 1, target_branch: 'main', catalog: c.name } }), 422);
  expectError(await c.merge('x', 'main', { force: 'yes' }), 422);
  expectError(await c.merge('x', 'main', { strategy: 'x' }), 422);
  expectError(await srv.req('POST', '/api/v1/branches/merge', { raw: true, body: '{"source_branch"', headers: { 'content-type': 'application/json' } }), 400);
  expectError(await srv.req('POST', '/api/v1/branches/merge', { body: { source_branch: 'x', target_branch: 'main', catalog: uniq('nocat') } }), 404);
  const missing = await srv.req('GET', '/api/v1/merge-operations/6f1c1b9e-5f0e-4d7b-9c1a-2b3c4d5e6f70');
  expectError(missing, 404);
  assert.deepEqual(missing.json, { error: 'Merge operation not found' });
  expectError(await srv.req('GET', `/api/v1/catalogs/${uniq('nocat')}/merge-operations`), 404);
  expectError(await complete('not-a-uuid'), 404);
});

test('real tables: appends on both branches merge into one snapshot on the target\'s; icebird reads the union of rows', async () => {
  const c = await catalog();
  const t = await createTable(srv, { catalog: c.name, namespace: ['db'], table: 'rows' });
  await t.appendRows([{ id: 1, name: 'base' }]);
  await c.branch('feat');
  const feat = t.onBranch('feat');
  await feat.appendRows([{ id: 2, name: 'feat' }]);
  await feat.appendRows([{ id: 3, name: 'feat' }], { writer: 'icebird' });
  await t.appendRows([{ id: 4, name: 'main' }]);
  await t.setProperties({ owner: 'main' });
  const before = (await t.load()).metadata;
  const op = expectJson(await c.merge('feat'), 200);
  assert.equal(op.status, 'Completed');
  const after = (await t.load()).metadata;
  const ids = (rows) => rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  assert.deepEqual(ids(await t.readRows()), [1, 2, 3, 4]);
  assert.deepEqual(ids(await feat.readRows()), [1, 2, 3], 'the source is untouched');
  const snap = after.snapshots.find((x) => x['snapshot-id'] === after['current-snapshot-id']);
  assert.equal(snap['parent-snapshot-id'], before['current-snapshot-id'], 'one new snapshot on top of the target\'s');
  assert.equal(snap.summary.operation, 'append');
  assert.equal(snap['sequence-number'], before['last-sequence-number'] + 1);
  assert.equal(after['last-sequence-number'], snap['sequence-number']);
  assert.equal(after.properties.owner, 'main');
  // The merged manifests are added by the new snapshot, with its sequence number.
  const ms = await t.manifests(snap);
  assert.equal(ms.length, 4);
  assert.equal(ms.filter((m) => m.added_snapshot_id === snap['snapshot-id']).length, 2);
  for (const m of ms.filter((x) => x.added_snapshot_id === snap['snapshot-id'])) assert.equal(m.sequence_number, snap['sequence-number']);
  // An Iceberg client nobody here wrote loads the merged table.
  const fetch = validatingFetch();
  const js = new IcebergRestCatalog({ baseUrl: `http://127.0.0.1:${srv.port}`, warehouse: c.name, auth: { type: 'none' }, fetch });
  const loaded = await js.loadTable({ namespace: ['db'], name: 'rows' });
  assert.equal(loaded['current-snapshot-id'], after['current-snapshot-id']);
  assert.deepEqual(fetch.failures, []);
});

test('real tables: a delete on one branch and appends on the other of an unpartitioned table is a DataOverlap', async () => {
  const c = await catalog();
  const t = await createTable(srv, { catalog: c.name, namespace: ['db'], table: 'rows' });
  await t.appendRows([{ id: 1, name: 'base' }, { id: 2, name: 'base' }]);
  await c.branch('feat');
  await t.onBranch('feat').deleteRows((r) => Number(r.id) === 1);
  await t.appendRows([{ id: 3, name: 'main' }]);
  const r = expectJson(await c.merge('feat'), 409);
  const [x] = await conflictsOf(r.operation_id);
  assert.deepEqual(x.conflict_type, { DataOverlap: { table_name: 'db.rows', overlapping_partitions: ['(unpartitioned)'] } });
  expectJson(await resolve(x.id, 'TakeSource'), 200);
  expectJson(await complete(r.operation_id), 200);
  assert.deepEqual((await t.readRows()).map((row) => Number(row.id)), [2]);
});

test('rebase takes main\'s changes into the branch by the same rules; the branch\'s own stay; conflicts answer as a merge\'s', async () => {
  const c = await catalog();
  await c.table('t', { v: 'b' });
  await c.table('u', { v: 'b' });
  await c.branch('feat', { branch_type: 'experimental' });
  await c.props('t', 'feat', { k: 'feat' });
  await c.props('u', 'main', { v: 'main' });
  await c.table('n');
  const rebase = (name, body) => srv.req('POST', `/api/v1/branches/${name}/rebase`, { body });
  const r = expectJson(await rebase('feat', { name: 'feat', catalog: c.name }), 200);
  assert.equal(r.status, 'rebased');
  assert.match(r.operation_id, UUID_RE);
  assert.equal(r.commit_id, await c.head('feat'));
  assert.equal((await c.load('t', 'feat')).metadata.properties.k, 'feat');
  assert.equal((await c.load('u', 'feat')).metadata.properties.v, 'main');
  assert.ok(await c.load('n', 'feat'));
  assert.equal((await c.load('t')).metadata.properties.k, undefined, 'main is untouched');
  // Merging back is now one-sided.
  expectJson(await c.merge('feat', 'main', { force: true }), 200);
  assert.equal((await c.load('t')).metadata.properties.k, 'feat');
  // Both change one key: the rebase conflicts, with an operation to resolve.
  await c.props('t', 'feat', { v: 'feat' });
  await c.props('t', 'main', { v: 'main' });
  const x = expectJson(await rebase('feat', { name: 'feat', catalog: c.name }), 409);
  assert.equal(x.status, 'conflicted');
  const op = await ok('GET', `/api/v1/merge-operations/${x.operation_id}`);
  assert.deepEqual([op.source_branch, op.target_branch], ['main', 'feat']);
  expectError(await rebase('feat', { name: 'feat', catalog: c.name, extra: 1 }), 422);
  expectError(await rebase('nope', { name: 'nope', catalog: c.name }), 404);
  expectError(await rebase('main', { name: 'main', catalog: c.name }), 400);
});

test('a partial branch names assets of its source: unknown ones are 404, listed, and no branch is made', async () => {
  const c = await catalog();
  await c.table('t');
  expectError(await srv.req('POST', '/api/v1/branches', { body: { name: 'p', catalog: c.name, assets: ['db.t', 'db.nope', 'x.y'] } }),
    404, { message: /db\.nope, x\.y/ });
  expectError(await srv.req('GET', `/api/v1/branches/p?catalog=${c.name}`), 404);
  const p = await c.branch('p', { assets: ['db.t'] });
  assert.deepEqual(p.assets, ['db.t']);
  // A table created on the partial branch merges back; main's other tables stay.
  await c.table('other');
  await ok('POST', `/v1/${c.name}/namespaces/db/tables?branch=p`, { name: 'fresh', schema });
  expectJson(await c.merge('p'), 200);
  assert.ok(await c.load('fresh'));
  assert.ok(await c.load('other'));
});

test('authorization: merging needs write on the catalog, looking needs read', async () => {
  const PW = 'Str0ng-Passw0rd-for-merges';
  const a = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0' } });
  try {
    const { as, root, admin, user, u, cat, catId } = await tenantWithFeatBranch(a, { password: PW, tag: 'm' });
    await as(admin, 'POST', `/v1/${cat}/namespaces/db/tables/t`, { requirements: [], updates: [{ action: 'set-properties', updates: { v: 'main' } }] }, 200);
    const body = { source_branch: 'feat', target_branch: 'main', catalog: cat };
    await as(user, 'POST', '/api/v1/branches/merge', body, 403);
    const op = (await as(admin, 'POST', '/api/v1/branches/merge', body, 409)).json.operation_id;
    const [x] = (await as(admin, 'GET', `/api/v1/merge-operations/${op}/conflicts`, undefined, 200)).json;
    await as(user, 'GET', `/api/v1/merge-operations/${op}`, undefined, 403);
    await as(admin, 'POST', '/api/v1/permissions', { 'user-id': u.id, scope: { type: 'catalog', catalog_id: catId }, actions: ['read'] }, 201);
    await as(user, 'GET', `/api/v1/merge-operations/${op}`, undefined, 200);
    await as(user, 'GET', `/api/v1/catalogs/${cat}/merge-operations`, undefined, 200);
    await as(user, 'POST', `/api/v1/conflicts/${x.id}/resolve`, { strategy: 'TakeSource' }, 403);
    await as(user, 'POST', `/api/v1/merge-operations/${op}/complete`, undefined, 403);
    await as(user, 'POST', `/api/v1/merge-operations/${op}/abort`, undefined, 403);
    await as(admin, 'POST', '/api/v1/permissions', { 'user-id': u.id, scope: { type: 'catalog', catalog_id: catId }, actions: ['write'] }, 201);
    await as(user, 'POST', `/api/v1/conflicts/${x.id}/resolve`, { strategy: 'TakeSource' }, 200);
    await as(user, 'POST', `/api/v1/merge-operations/${op}/complete`, undefined, 200);
    // Another tenant's operation answers like a missing one.
    const other = (await as(root, 'POST', '/api/v1/tenants', { name: uniq('mt2') }, 201)).json.id;
    const r = await as({ ...root, 'x-pangolin-tenant': other }, 'GET', `/api/v1/merge-operations/${op}`, undefined, 404);
    assert.deepEqual(r.json, { error: 'Merge operation not found' });
  } finally {
    await a.stop();
  }
});

test('real tables: deletes and overwrites merge when the partitions touched are disjoint, conflict listing them when they meet', async () => {
  const c = await catalog();
  const spec = { fields: [{ 'source-id': 2, 'field-id': 1000, name: 'name', transform: 'identity' }] };
  const t = await createTable(srv, { catalog: c.name, namespace: ['db'], table: 'parts', partitionSpec: spec });
  // One append per partition: a manifest's summary bounds the partitions
  // it holds, and those are what a merge compares.
  for (const [id, name] of [[1, 'a'], [2, 'b'], [3, 'c']]) await t.appendRows([{ id, name }]);
  await c.branch('feat');
  const feat = t.onBranch('feat');
  await feat.deleteRows((r) => Number(r.id) === 1);                       // partition a, merge-on-read
  await feat.overwrite((r) => Number(r.id) === 2, [{ id: 20, name: 'b' }], { mode: 'cow' }); // partition b
  await t.appendRows([{ id: 4, name: 'd' }]);                              // partition d
  await t.deleteRows((r) => Number(r.id) === 3);                           // partition c
  const before = (await t.load()).metadata;
  const m = await c.merge('feat');
  assert.equal(m.status, 200, m.status === 409 ? JSON.stringify(await conflictsOf(m.json.operation_id)) : m.text);
  const ids = (rows) => rows.map((r) => Number(r.id)).sort((x, y) => x - y);
  assert.deepEqual(ids(await t.readRows()), [4, 20]);
  const after = (await t.load()).metadata;
  const snap = after.snapshots.find((x) => x['snapshot-id'] === after['current-snapshot-id']);
  assert.equal(snap['parent-snapshot-id'], before['current-snapshot-id']);
  assert.equal(snap.summary.operation, 'overwrite');
  assert.equal(snap['sequence-number'], before['last-sequence-number'] + 1);

  // Both sides in partition d: a DataOverlap naming it.
  await c.branch('feat2');
  await t.onBranch('feat2').deleteRows((r) => Number(r.id) === 4);
  await t.appendRows([{ id: 5, name: 'd' }, { id: 6, name: 'e' }]);
  const r = expectJson(await c.merge('feat2'), 409);
  const [x] = await conflictsOf(r.operation_id);
  assert.deepEqual(x.conflict_type.DataOverlap.overlapping_partitions, ['name=d']);
  expectJson(await resolve(x.id, 'TakeTarget'), 200);
  expectJson(await complete(r.operation_id), 200);
  assert.deepEqual(ids(await t.readRows()), [4, 5, 6, 20]);
});

test('kill -9 during complete, three rounds: the merge is all there or not at all', { skip: STORE !== 'sqlite' && 'SQLite store only (a store of its own, restarted)' }, async (tc) => {
  const dir = tmpDir('pgl-merge-kill');
  let k = await startIcebergServer({ store: 'sqlite', dir });
  const N = 40;
  try {
    const q = async (method, p, body, status = 200) => expectJson(await k.req(method, p, { body }), status);
    const cat = uniq('kcat');
    await q('POST', '/api/v1/catalogs', { name: cat, warehouse_name: WAREHOUSE }, 201);
    await q('POST', `/v1/${cat}/namespaces`, { namespace: ['db'] });
    for (let i = 0; i < N; i++) await q('POST', `/v1/${cat}/namespaces/db/tables`, { name: `t${i}`, schema, properties: { v: 'b' } });
    const value = async (i) => (await q('GET', `/v1/${cat}/namespaces/db/tables/t${i}`)).metadata.properties.v;
    for (let round = 0; round < 3; round++) {
      const src = `r${round}`;
      await q('POST', '/api/v1/branches', { name: src, catalog: cat, branch_type: 'ingest' }, 201);
      for (let i = 0; i < N; i++) {
        await q('POST', `/v1/${cat}/namespaces/db/tables/t${i}@${src}`, { requirements: [], updates: [{ action: 'set-properties', updates: { v: src } }] });
      }
      // One conflict, so the merge waits for complete.
      await q('POST', `/v1/${cat}/namespaces/db/tables/t0`, { requirements: [], updates: [{ action: 'set-properties', updates: { v: `main${round}` } }] });
      const op = (await q('POST', '/api/v1/branches/merge', { source_branch: src, target_branch: 'main', catalog: cat }, 409)).operation_id;
      const [x] = await q('GET', `/api/v1/merge-operations/${op}/conflicts`);
      await q('POST', `/api/v1/conflicts/${x.id}/resolve`, { strategy: 'TakeSource' });
      const head = (await q('GET', `/api/v1/branches/main?catalog=${cat}`)).head_commit_id;
      k.req('POST', `/api/v1/merge-operations/${op}/complete`).catch(() => {});
      await new Promise((res) => setTimeout(res, [0, 2, 4][round]));
      k.kill();
      await k.exited;
      k = await startIcebergServer({ store: 'sqlite', dir });
      const st = (await q('GET', `/api/v1/merge-operations/${op}`)).status;
      tc.diagnostic(`round ${round}: ${st} after the kill`);
      const now = (await q('GET', `/api/v1/branches/main?catalog=${cat}`)).head_commit_id;
      const values = await Promise.all(Array.from({ length: N }, (_, i) => value(i)));
      if (st === 'Completed') {
        assert.deepEqual(new Set(values), new Set([src]), `round ${round}: completed means every table`);
        assert.notEqual(now, head);
      } else {
        assert.equal(st, 'Ready', `round ${round}`);
        assert.equal(now, head, `round ${round}: no merge commit`);
        assert.equal(values.filter((v) => v === src).length, 0, `round ${round}: nothing half-applied`);
        await q('POST', `/api/v1/merge-operations/${op}/complete`);
      }
      assert.equal(await value(0), src);
    }
  } finally {
    await k.stop();
  }
});

test('real tables, format v3: merged appends get row ids from the target\'s next-row-id on', async () => {
  const c = await catalog();
  const t = await createTable(srv, { catalog: c.name, namespace: ['db'], table: 'v3rows', formatVersion: 3 });
  await t.appendRows([{ id: 1, name: 'base' }]);
  await c.branch('feat');
  await t.onBranch('feat').appendRows([{ id: 2, name: 'feat' }, { id: 3, name: 'feat' }]);
  await t.appendRows([{ id: 4, name: 'main' }]);
  const before = (await t.load()).metadata;
  expectJson(await c.merge('feat'), 200);
  const after = (await t.load()).metadata;
  const snap = after.snapshots.find((x) => x['snapshot-id'] === after['current-snapshot-id']);
  assert.equal(snap['first-row-id'], before['next-row-id']);
  assert.equal(snap['added-rows'], 2);
  assert.equal(after['next-row-id'], before['next-row-id'] + 2);
  const added = (await t.manifests(snap)).filter((m) => m.added_snapshot_id === snap['snapshot-id']);
  assert.deepEqual(added.map((m) => m.first_row_id), [before['next-row-id']]);
  assertRowIdsApart(after);
  assert.deepEqual((await t.readRows()).map((r) => Number(r.id)).sort((x, y) => x - y), [1, 2, 3, 4]);
});

test('format v3: a branch merged into main brings its snapshots\' row ids, and main\'s next append gets none of them', async () => {
  const c = await catalog();
  await ok('POST', `/v1/${c.name}/namespaces/db/tables`, { name: 'ids', schema, properties: { 'format-version': '3' } });
  await c.branch('feat');
  let n = 0;
  /** Rows [first, first + added) appended on branch b: its metadata, or the error answer's body. */
  const append = async (b, first, added, status = 200) => {
    const md = (await c.load('ids', b)).metadata;
    const id = 7000 + (++n);
    const parent = md['current-snapshot-id'];
    const r = await srv.req('POST', `/v1/${c.name}/namespaces/db/tables/${b === 'main' ? 'ids' : `ids@${b}`}`, { body: { requirements: [], updates: [
      { action: 'add-snapshot', snapshot: { 'snapshot-id': id, ...(parent != null && parent !== -1 ? { 'parent-snapshot-id': parent } : {}),
        'sequence-number': md['last-sequence-number'] + 1, 'timestamp-ms': Date.now(), summary: { operation: 'append' },
        'manifest-list': `${md.location}/metadata/snap-${id}.avro`, 'schema-id': 0, 'first-row-id': first, 'added-rows': added } },
      { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id }] } });
    return status === 200 ? expectJson(r, 200).metadata : expectError(r, status, { iceberg: true });
  };
  await append('feat', 0, 5);
  // A writer may leave a gap; the ids it took are still taken.
  await append('feat', 100, 2);
  expectJson(await c.merge('feat'), 200);
  let md = (await c.load('ids')).metadata;
  assert.equal(md.snapshots.length, 2, 'main has the branch\'s snapshots');
  assertRowIdsApart(md);
  assert.equal(md['next-row-id'], 102);
  // Where 0 + 5 + 2 would have put the next rows: over the branch's [100, 102).
  await append('main', 7, 100, 409);
  md = await append('main', md['next-row-id'], 100);
  assertRowIdsApart(md);
});

test('real tables: an Iceberg tag made on one branch survives property changes on the other; different tags on both conflict', async () => {
  const c = await catalog();
  const t = await createTable(srv, { catalog: c.name, namespace: ['db'], table: 'tagged' });
  await t.appendRows([{ id: 1, name: 'a' }]);
  await c.branch('feat');
  await t.onBranch('feat').setRef('v1');
  await c.props('tagged', 'main', { owner: 'main' });
  expectJson(await c.merge('feat'), 200);
  const md = (await t.load()).metadata;
  assert.equal(md.refs.v1?.type, 'tag');
  assert.equal(md.properties.owner, 'main');
  await c.branch('feat2');
  await t.onBranch('feat2').setRef('v2');
  await t.setRef('v3');
  const r = expectJson(await c.merge('feat2'), 409);
  const [x] = await conflictsOf(r.operation_id);
  assert.deepEqual(x.conflict_type, { MetadataConflict: { asset_name: 'db.tagged', conflicting_properties: [] } });
});

test('real tables, format v1: appends on both branches merge too', async () => {
  const c = await catalog();
  const t = await createTable(srv, { catalog: c.name, namespace: ['db'], table: 'v1rows', formatVersion: 1 });
  await t.appendRows([{ id: 1, name: 'base' }]);
  await c.branch('feat');
  await t.onBranch('feat').appendRows([{ id: 2, name: 'feat' }]);
  await t.appendRows([{ id: 3, name: 'main' }]);
  expectJson(await c.merge('feat'), 200);
  const md = (await t.load()).metadata;
  assert.equal(md['format-version'], 1);
  assert.deepEqual((await t.readRows()).map((r) => Number(r.id)).sort((x, y) => x - y), [1, 2, 3]);
});

test('a rename on the source is a delete and an add on the target; a commit to the old name on the target conflicts', async () => {
  const c = await catalog();
  await c.table('old', { v: 'b' });
  await c.table('kept', { v: 'b' });
  await c.branch('feat');
  const rename = async (from, to) => assert.equal((await srv.req('POST', `/v1/${c.name}/tables/rename`,
    { body: { source: { namespace: ['db'], name: from }, destination: { namespace: ['db'], name: to } } })).status, 204);
  await rename('old@feat', 'new@feat');
  assert.equal(await c.load('old', 'feat'), null);
  expectJson(await c.merge('feat'), 200);
  assert.equal(await c.load('old'), null);
  assert.equal((await c.load('new')).metadata.properties.v, 'b');
  await c.branch('feat2');
  await rename('kept@feat2', 'moved@feat2');
  await c.props('kept', 'main', { v: 'main' });
  const r = expectJson(await c.merge('feat2'), 409);
  const [x] = await conflictsOf(r.operation_id);
  assert.equal(x.asset_name, 'db.kept');
  assert.ok(x.conflict_type.DeletionConflict);
});
