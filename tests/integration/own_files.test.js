// A table reads and names only files in its own place (issue 67, the
// hole left by "every table owns its files"): a table's location is its
// own, but its metadata could still name another table's files.  A
// writer of table B (or a register of a crafted file under B's own
// location) made B's snapshot name A's manifest list, and B's scan plan
// then read A's manifests and answered A's data files with their column
// statistics, past A's grants and A's data policies.  Now every write
// that makes a table's metadata name a manifest list, statistics file or
// write.*.path outside the table's location is refused (400 naming the
// field), and every reader (plan, maintenance, merge) refuses to read
// one, for tables of before too.  docs/security.md, "Every table owns
// its files".
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { expectError, expectJson, uniq } from './lib/expect.js';
import { grant, okFor, startAuthServer, tenantUser, tenantWithAdmin } from './lib/governance.js';
import { createTable, localPath, manifestListSchema, openTable, readAvro, writeAvro } from './lib/iceberg_data.js';
import { STORE } from './lib/server.js';
import { waitTask } from './lib/tasks.js';

const SCHEMA = {
  type: 'struct', 'schema-id': 0, fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'email', required: false, type: 'string' },
  ],
};
const ROWS = [{ id: 1, email: 'anna@a.nl' }, { id: 2, email: 'bert@b.nl' }];

let srv;

/**
 * A tenant on s with a local catalog: `secret.a`, a table of real files
 * (two snapshots with column metrics, a statistics and a partition
 * statistics file) whose email column a policy masks for bob; mallory
 * may do anything in `mine` and nothing in `secret`; bob reads the
 * catalog and writes in `mine`.
 */
async function world(s) {
  const ok = okFor(s);
  const T = await tenantWithAdmin(s, 'own');
  const wh = uniq('wh');
  await ok('POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 'local', root: path.join(s.tenantDir(T.id), wh) } }, T.admin);
  const cat = uniq('cat');
  const c = await ok('POST', '/api/v1/catalogs', { name: cat, warehouse_name: wh }, T.admin);
  for (const ns of ['secret', 'mine']) await ok('POST', `/v1/${cat}/namespaces`, { namespace: [ns] }, T.admin);
  const a = await createTable(s, { catalog: cat, namespace: ['secret'], table: 'a', schema: SCHEMA, metrics: true, headers: T.admin });
  for (const r of ROWS) await a.appendRows([r]);
  const stats = await a.setStatistics();
  const pstats = await a.setPartitionStatistics();
  const amd = (await a.load()).metadata;
  const mallory = await tenantUser(s, T, 'mallory');
  await grant(s, T, mallory, { type: 'namespace', catalog_id: c.id, namespace: 'mine' }, ['all']);
  const bob = await tenantUser(s, T, 'bob');
  await grant(s, T, bob, { type: 'catalog', catalog_id: c.id }, ['read']);
  await grant(s, T, bob, { type: 'namespace', catalog_id: c.id, namespace: 'mine' }, ['all']);
  await ok('POST', '/api/v1/policies', { name: uniq('mask'), catalog: cat, namespace: ['secret'], column: 'email', action: 'mask-alphanum', applies_to: { users: [bob.id] } }, T.admin);
  const snap = amd.snapshots.find((x) => x['snapshot-id'] === amd['current-snapshot-id']);
  return {
    T, ok, cat, root: c.storage_location, a, amd, list: snap['manifest-list'], stats: `file://${stats}`, pstats: `file://${pstats}`,
    mallory, bob, P: `/v1/${cat}/namespaces`,
  };
}

let W;

before(async () => {
  srv = await startAuthServer({ env: { TASK_WORKER_POLL_INTERVAL_MS: '50' } });
  W = await world(srv);
});
after(async () => { await srv?.stop(); });

/** A table of u's own in `mine`, with one snapshot of its own files. */
async function ownTable(s, w, u, name = uniq('b')) {
  const r = await s.req('POST', `${w.P}/mine/tables`, { body: { name, schema: SCHEMA, properties: { 'format-version': '2' } }, headers: u.headers });
  expectJson(r, 200);
  const t = openTable(s, { catalog: w.cat, namespace: ['mine'], table: name, headers: u.headers, metrics: true });
  await t.appendRows([{ id: 9, email: 'own@x.nl' }]);
  return t;
}

/** add-snapshot (and main moved to it) of a snapshot naming list, on md. */
function snapshotNaming(md, list) {
  const id = crypto.randomBytes(6).readUIntBE(0, 6) + 1;
  const parent = md['current-snapshot-id'];
  return [
    { action: 'add-snapshot', snapshot: { 'snapshot-id': id, ...(parent > 0 ? { 'parent-snapshot-id': parent } : {}), 'sequence-number': md['last-sequence-number'] + 1,
      'timestamp-ms': Date.now(), 'manifest-list': list, summary: { operation: 'append' }, 'schema-id': 0 } },
    { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
  ];
}

function refused(r, field, what) {
  const e = expectError(r, 400, { iceberg: true });
  assert.equal(e.error.type, 'BadRequestException', `${what}: ${r.text}`);
  assert.match(e.error.message, /lies outside the (table|view)'s location .*reads and names only files in its own place/, `${what}: ${e.error.message}`);
  assert.ok(e.error.message.includes(field), `${what}: names ${field}: ${e.error.message}`);
  return e;
}

test('a writer of its own table cannot make it name another table\'s manifest list, statistics files or write paths: 400 naming the field, nothing changes', async () => {
  const w = W;
  const b = await ownTable(srv, w, w.mallory);
  const loaded = await b.load();
  const md = loaded.metadata;
  const commit = (updates) => b.commit([], updates, { expect: null });
  // The hole: B's snapshot naming A's manifest list (B's plan then read
  // A's manifests and answered A's files and bounds).
  refused(await commit(snapshotNaming(md, w.list)), 'manifest-list', 'add-snapshot');
  const sid = md['current-snapshot-id'];
  refused(await commit([{ action: 'set-statistics', 'snapshot-id': sid, statistics: { 'snapshot-id': sid, 'statistics-path': w.stats, 'file-size-in-bytes': 10, 'file-footer-size-in-bytes': 8, 'blob-metadata': [] } }]), 'statistics', 'set-statistics');
  refused(await commit([{ action: 'set-partition-statistics', 'partition-statistics': { 'snapshot-id': sid, 'statistics-path': w.pstats, 'file-size-in-bytes': 10 } }]), 'partition-statistics', 'set-partition-statistics');
  const aLoc = w.amd.location;
  for (const k of ['write.data.path', 'write.metadata.path', 'write.object-storage.path', 'write.folder-storage.path']) {
    refused(await commit([{ action: 'set-properties', updates: { [k]: `${aLoc}/data` } }]), k, k);
    refused(await commit([{ action: 'set-properties', updates: { [k]: w.root } }]), k, `${k} at the catalog's root`);
  }
  // A sibling whose name begins the same, and a way out by "..".
  const bLoc = md.location;
  refused(await commit(snapshotNaming(md, `${bLoc}0/metadata/snap.avro`)), 'manifest-list', 'a sibling sharing the prefix');
  refused(await commit(snapshotNaming(md, `${bLoc}/../../secret/a/metadata/snap.avro`)), 'manifest-list', '..');
  // A multi-table transaction (the catalog's to commit: its admin).
  const tx = await srv.req('POST', `/v1/${w.cat}/transactions/commit`, { headers: w.T.admin, body: { 'table-changes': [
    { identifier: { namespace: ['mine'], name: b.table }, requirements: [], updates: snapshotNaming(md, w.list) },
  ] } });
  refused(tx, 'manifest-list', 'transactions/commit');
  assert.equal((await b.load())['metadata-location'], loaded['metadata-location'], 'the table is unchanged');
  // What lies in its own place is its own to name.
  const ok = expectJson(await commit([{ action: 'set-properties', updates: { 'write.data.path': `${bLoc}/data2`, 'write.metadata.path': `${bLoc}/meta2` } }]), 200);
  assert.ok(ok['metadata-location'].startsWith(`${bLoc}/meta2/`), ok['metadata-location']);
  await b.appendRows([{ id: 10, email: 'two@x.nl' }]);
});

test('a table with snapshots moved by set-location is judged by its new place: its files stay named in the old one, so the move is refused', async () => {
  const w = W;
  const b = await ownTable(srv, w, w.mallory);
  const before = await b.load();
  const moved = `${w.root}/mine/${uniq('moved')}`;
  refused(await b.commit([], [{ action: 'set-location', location: moved }], { expect: null }), 'manifest-list', 'set-location');
  assert.equal((await b.load())['metadata-location'], before['metadata-location']);
});

test('create, stage-create and a create transaction naming another table\'s place are refused, and no table is made', async () => {
  const w = W;
  const aLoc = w.amd.location;
  const h = w.mallory.headers;
  const exists = async (n) => (await srv.req('HEAD', `${w.P}/mine/tables/${n}`, { headers: h })).status === 204;
  const name = uniq('c');
  refused(await srv.req('POST', `${w.P}/mine/tables`, { headers: h, body: { name, schema: SCHEMA, properties: { 'write.data.path': `${aLoc}/data` } } }), 'write.data.path', 'create');
  refused(await srv.req('POST', `${w.P}/mine/tables`, { headers: h, body: { name, schema: SCHEMA, 'stage-create': true, properties: { 'write.metadata.path': `${aLoc}/metadata` } } }), 'write.metadata.path', 'stage-create');
  assert.ok(!(await exists(name)));
  // A create transaction (CTAS): staged, then committed with assert-create.
  const staged = expectJson(await srv.req('POST', `${w.P}/mine/tables`, { headers: h, body: { name, schema: SCHEMA, 'stage-create': true } }), 200).metadata;
  const base = [
    { action: 'assign-uuid', uuid: staged['table-uuid'] },
    { action: 'upgrade-format-version', 'format-version': 2 },
    { action: 'add-schema', schema: staged.schemas[0] },
    { action: 'set-current-schema', 'schema-id': -1 },
    { action: 'add-spec', spec: staged['partition-specs'][0] },
    { action: 'set-default-spec', 'spec-id': -1 },
    { action: 'add-sort-order', 'sort-order': staged['sort-orders'][0] },
    { action: 'set-default-sort-order', 'sort-order-id': -1 },
    { action: 'set-location', location: staged.location },
  ];
  const ctas = (updates) => srv.req('POST', `${w.P}/mine/tables/${name}`, { headers: h, body: { requirements: [{ type: 'assert-create' }], updates: [...base, ...updates] } });
  refused(await ctas([{ action: 'set-properties', updates: { 'write.object-storage.path': `${aLoc}/data` } }]), 'write.object-storage.path', 'create transaction');
  refused(await ctas(snapshotNaming({ 'current-snapshot-id': -1, 'last-sequence-number': 0 }, w.list)), 'manifest-list', 'create transaction with a snapshot');
  assert.ok(!(await exists(name)));
  expectJson(await ctas([]), 200);
  assert.ok(await exists(name), 'the same transaction naming its own place creates it');
});

test('a view\'s write.metadata.path is held to its own place, on create and on commit', async () => {
  const w = W;
  const h = w.mallory.headers;
  const name = uniq('v');
  const view = { name, schema: SCHEMA, 'view-version': { 'version-id': 1, 'timestamp-ms': Date.now(), 'schema-id': 0, summary: {}, 'default-namespace': ['mine'], representations: [{ type: 'sql', sql: 'select 1', dialect: 'spark' }] } };
  refused(await srv.req('POST', `${w.P}/mine/views`, { headers: h, body: { ...view, properties: { 'write.metadata.path': `${w.amd.location}/metadata` } } }), 'write.metadata.path', 'view create');
  const v = expectJson(await srv.req('POST', `${w.P}/mine/views`, { headers: h, body: view }), 200);
  const commit = (updates) => srv.req('POST', `${w.P}/mine/views/${name}`, { headers: h, body: { requirements: [], updates } });
  const e = refused(await commit([{ action: 'set-properties', updates: { 'write.metadata.path': `${w.amd.location}/metadata` } }]), 'write.metadata.path', 'view commit');
  assert.match(e.error.message, /the view's location/);
  expectJson(await commit([{ action: 'set-properties', updates: { 'write.metadata.path': `${v.metadata.location}/meta2` } }]), 200);
});

/** A metadata file of md at dir/metadata/<name>, on local disk; its URI. */
function writeMetadata(dir, md, name = `00000-${crypto.randomUUID()}.metadata.json`) {
  const file = path.join(localPath(dir), 'metadata', name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(md));
  return `file://${file}`;
}

/** A table's metadata whose one snapshot names list, at location dir. */
function naming(md, dir, list) {
  const [add] = snapshotNaming({ 'current-snapshot-id': -1, 'last-sequence-number': 0 }, list);
  const id = add.snapshot['snapshot-id'];
  return { ...md, location: dir, snapshots: [add.snapshot], 'current-snapshot-id': id, 'last-sequence-number': 1,
    refs: { main: { 'snapshot-id': id, type: 'branch' } }, 'snapshot-log': [{ 'snapshot-id': id, 'timestamp-ms': add.snapshot['timestamp-ms'] }],
    'metadata-log': [], statistics: [], 'partition-statistics': [] };
}

test('a register of a crafted file under one\'s own location naming another table\'s manifest list or statistics is refused, and so is its overwrite', async () => {
  const w = W;
  const h = w.mallory.headers;
  const b = await ownTable(srv, w, w.mallory);
  const own = (await b.load()).metadata;
  const reg = (file, name, overwrite = false) => srv.req('POST', `${w.P}/mine/register`, { headers: h, body: { name, 'metadata-location': file, ...(overwrite ? { overwrite } : {}) } });
  // A new table at a place of its own whose snapshot names A's list.
  const dir = `${w.root}/mine/${uniq('crafted')}`;
  const name = uniq('r');
  refused(await reg(writeMetadata(dir, naming(own, dir, w.list)), name), 'manifest-list', 'register');
  assert.equal((await srv.req('HEAD', `${w.P}/mine/tables/${name}`, { headers: h })).status, 404, 'no table');
  // B overwritten by files under B's own location naming A's.
  const loaded = await b.load();
  const sid = own['current-snapshot-id'];
  const over = (md) => reg(writeMetadata(own.location, md), b.table, true);
  refused(await over(naming(own, own.location, w.list)), 'manifest-list', 'register overwrite');
  refused(await over({ ...own, statistics: [{ 'snapshot-id': sid, 'statistics-path': w.stats, 'file-size-in-bytes': 10, 'file-footer-size-in-bytes': 8, 'blob-metadata': [] }] }), 'statistics', 'with statistics');
  refused(await over({ ...own, 'partition-statistics': [{ 'snapshot-id': sid, 'statistics-path': w.pstats, 'file-size-in-bytes': 10 }] }), 'partition-statistics', 'with partition statistics');
  refused(await over({ ...own, properties: { ...own.properties, 'write.data.path': `${w.amd.location}/data` } }), 'write.data.path', 'with write.data.path');
  assert.equal((await b.load())['metadata-location'], loaded['metadata-location'], 'B unchanged');
  // B's own files, under its own location: its own to register.
  expectJson(await over(own), 200);
});

test('a user a data policy binds learns none of the protected table\'s masked statistics through a table of its own naming its files', async () => {
  const w = W;
  const h = w.bob.headers;
  // Directly: the masked column has no statistics in bob's plan of A.
  const direct = expectJson(await srv.req('POST', `${w.P}/secret/tables/a/plan`, { headers: h, body: { 'stats-fields': ['id', 'email'] } }), 200);
  assert.equal(direct.status, 'completed');
  assert.ok(!JSON.stringify(direct).includes('@'), 'no email bound in bob\'s plan of A');
  // Through a table of bob's own: every way to name A's files is refused.
  const b = await ownTable(srv, w, w.bob);
  const md = (await b.load()).metadata;
  refused(await b.commit([], snapshotNaming(md, w.list), { expect: null }), 'manifest-list', 'bob\'s add-snapshot');
  const dir = `${w.root}/mine/${uniq('bobs')}`;
  refused(await srv.req('POST', `${w.P}/mine/register`, { headers: h, body: { name: uniq('copy'), 'metadata-location': writeMetadata(dir, naming(md, dir, w.list)) } }), 'manifest-list', 'bob\'s register');
  // bob's own table plans its own file alone, A's bounds nowhere.
  const plan = expectJson(await srv.req('POST', `${b.path()}/plan`, { headers: h, body: { 'stats-fields': ['id', 'email'] } }), 200);
  const files = (plan['file-scan-tasks'] ?? []).map((x) => x['data-file']['file-path']);
  assert.equal(files.length, 1, JSON.stringify(plan));
  assert.ok(files.every((f) => f.startsWith(md.location)), files.join());
  assert.ok(!JSON.stringify(plan).includes('anna@') && !JSON.stringify(plan).includes('bert@'), 'none of A\'s values');
});

/** A manifest list of md's current snapshot copied to dir, naming manifests edited by fn. */
async function copyList(md, dir, fn = (m) => m) {
  const snap = md.snapshots.find((x) => x['snapshot-id'] === md['current-snapshot-id']);
  const { records } = await readAvro(fs.readFileSync(localPath(snap['manifest-list'])));
  const file = path.join(localPath(dir), 'metadata', `snap-${crypto.randomUUID()}.avro`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const meta = { 'snapshot-id': snap['snapshot-id'], 'parent-snapshot-id': 'null', 'format-version': 2, 'sequence-number': snap['sequence-number'] };
  fs.writeFileSync(file, await writeAvro('avsc', manifestListSchema(2), records.map(fn), meta));
  return `file://${file}`;
}

test('tables of before naming another table\'s manifest list, manifests or data files: plans 403, maintenance deletes none of its files, a merge bringing them is refused', { skip: STORE !== 'sqlite' && 'points tables of before at crafted files straight in the SQLite file' }, async () => {
  const s = await startAuthServer({ env: { TASK_WORKER_POLL_INTERVAL_MS: '50' } });
  let again;
  try {
    const w = await world(s);
    const h = w.T.admin;
    // Three tables of the admin's own, each then pointed at a crafted
    // file under its own location, as before this rule one could:
    //  list:     a snapshot naming A's manifest list;
    //  manifest: its own list naming A's manifests;
    //  data:     its own list and manifest, naming A's data files.
    const tables = {};
    for (const k of ['list', 'manifest', 'data']) tables[k] = await ownTable(s, w, { headers: h }, `old_${k}`);
    const mdOf = async (t) => (await t.load()).metadata;
    const aSnap = w.amd.snapshots.find((x) => x['snapshot-id'] === w.amd['current-snapshot-id']);
    const aManifests = (await readAvro(fs.readFileSync(localPath(aSnap['manifest-list'])))).records;
    const point = async (t, list) => {
      const md = await mdOf(t);
      const snap = md.snapshots.find((x) => x['snapshot-id'] === md['current-snapshot-id']);
      return writeMetadata(md.location, { ...md, snapshots: md.snapshots.map((x) => (x === snap ? { ...x, 'manifest-list': list } : x)) }, `99999-${crypto.randomUUID()}.metadata.json`);
    };
    const files = {};
    files.list = await point(tables.list, w.list);
    files.manifest = await point(tables.manifest, await copyList(w.amd, (await mdOf(tables.manifest)).location));
    // data: A's manifest bytes copied under its own location (naming A's data files).
    const dmd = await mdOf(tables.data);
    const copied = aManifests.map((m) => {
      const to = path.join(localPath(dmd.location), 'metadata', `copy-${crypto.randomUUID()}.avro`);
      fs.copyFileSync(localPath(m.manifest_path), to);
      return { ...m, manifest_path: `file://${to}` };
    });
    files.data = await point(tables.data, await copyList(w.amd, dmd.location, (m, i) => copied[i]));
    // merge: both branches changed it, dev's side (of before) by a
    // snapshot naming A's manifest list.  In a catalog of its own: a
    // branch shares main's tables, so their maintenance would read dev's.
    const cat2 = uniq('cat');
    const wh2 = (await w.ok('GET', `/api/v1/catalogs/${w.cat}`, undefined, h)).warehouse_name;
    await w.ok('POST', '/api/v1/catalogs', { name: cat2, warehouse_name: wh2 }, h);
    await w.ok('POST', `/v1/${cat2}/namespaces`, { namespace: ['mine'] }, h);
    const m = await ownTable(s, { ...w, P: `/v1/${cat2}/namespaces`, cat: cat2 }, { headers: h }, 'old_merge');
    await w.ok('POST', '/api/v1/branches', { name: 'dev', catalog: cat2, from_branch: 'main', branch_type: 'ingest' }, h);
    await m.appendRows([{ id: 11, email: 'main@x.nl' }]);
    const dev = await m.onBranch('dev').load().then((j) => j.metadata);
    const [add] = snapshotNaming(dev, w.list);
    const onDev = writeMetadata(dev.location, { ...dev, snapshots: [...dev.snapshots, add.snapshot], 'current-snapshot-id': add.snapshot['snapshot-id'],
      'last-sequence-number': add.snapshot['sequence-number'], refs: { main: { 'snapshot-id': add.snapshot['snapshot-id'], type: 'branch' } } }, `99999-${crypto.randomUUID()}.metadata.json`);
    const aFiles = () => fs.readdirSync(localPath(w.amd.location), { recursive: true }).sort();
    const aBefore = aFiles();
    await s.stop({ keep: true });
    const q = (v) => `'${v.replace(/'/g, "''")}'`;
    execFileSync('sqlite3', [s.dbPath], { input: [
      ...Object.entries(files).map(([k, f]) => `UPDATE assets SET metadata_location = ${q(f)} WHERE name = 'old_${k}' AND branch_name = 'main';`),
      `UPDATE assets SET metadata_location = ${q(onDev)} WHERE name = 'old_merge' AND branch_name = 'dev';`,
    ].join('\n') });
    again = await startAuthServer({ dir: s.dir, env: { TASK_WORKER_POLL_INTERVAL_MS: '50' } });

    // Plans: refused, naming what lies outside; nothing of A answered.
    for (const [k, what] of [['list', 'manifest list'], ['manifest', 'manifest'], ['data', 'data file']]) {
      const r = await again.req('POST', `${w.P}/mine/tables/old_${k}/plan`, { headers: h, body: { 'stats-fields': ['id', 'email'] } });
      const e = expectError(r, 403, { iceberg: true });
      assert.equal(e.error.type, 'ForbiddenException', r.text);
      assert.match(e.error.message, new RegExp(`^${what} \\S+ lies outside the table's location`), `${k}: ${e.error.message}`);
      assert.ok(!r.text.includes('anna@'), 'no bound of A');
    }
    // Maintenance: what is kept is never skipped (it stops, deleting
    // nothing); a purge reads none of A's files and deletes none.
    const maintain = async (t, body) => {
      const r = await again.req('POST', `${w.P}/mine/tables/${t}/maintenance`, { headers: h, body });
      return waitTask(again.req, expectJson(r, 202).task_id, { headers: h, timeout: 60000 });
    };
    const ex = await maintain('old_list', { operations: ['expire_snapshots'], older_than_ms: 0 });
    assert.equal(ex.status, 'failed', JSON.stringify(ex));
    assert.match(ex.error, /a kept snapshot's manifest list \S+ lies outside the table's location/);
    const orph = await maintain('old_manifest', { operations: ['remove_orphan_files'], older_than_ms: 0 });
    assert.equal(orph.status, 'failed', JSON.stringify(orph));
    assert.match(orph.error, /manifest \S+ lies outside the table's location/);
    for (const k of ['list', 'manifest']) {
      const r = await again.req('DELETE', `${w.P}/mine/tables/old_${k}?purgeRequested=true`, { headers: h });
      assert.equal(r.status, 204, r.text);
      const task = await waitTask(again.req, r.headers['pangolin-task-id'], { headers: h, timeout: 60000 });
      assert.equal(task.status, 'succeeded', JSON.stringify(task));
    }
    assert.match(again.log(), /manifest list \S+ lies outside the table's location \S+: not read, and nothing it names is deleted/);
    assert.deepEqual(aFiles(), aBefore, 'none of A\'s files went');
    // The merge would write a manifest list naming A's manifests.
    const merge = await again.req('POST', '/api/v1/branches/merge', { headers: h, body: { source_branch: 'dev', target_branch: 'main', catalog: cat2 } });
    assert.equal(merge.status, 400, merge.text);
    assert.match(merge.text, /cannot merge: the manifest list \S+ lies outside the table's location/);
    // A's own plan is A's, as before.
    expectJson(await again.req('POST', `${w.P}/secret/tables/a/plan`, { headers: h, body: {} }), 200);
  } finally {
    await again?.stop();
  }
});
