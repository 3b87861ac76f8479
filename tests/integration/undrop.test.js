// Undrop (issue 46 part 5): a table or view dropped without purge stays
// recoverable for its catalog's retention, is listed by
// GET /api/v1/catalogs/{c}/dropped and restored, with its whole history,
// by POST .../dropped/{id}/restore; after the retention (the catalog
// property pangolin.undrop-retention-days, here set after the drop so
// that nothing waits on the clock) it is final and a purge task deletes
// its files.  Purge of another table and orphan removal never delete a
// recoverable table's files.  Runs on every store: the memory store runs
// each task in the request that queued it, the others in the runners.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { expectError, expectJson, uniq } from './lib/expect.js';
import { CATALOG, WAREHOUSE, nsPath, startIcebergServer } from './lib/iceberg.js';
import { createTable, filesOnDisk } from './lib/iceberg_data.js';
import { startServer } from './lib/server.js';
import { waitTask } from './lib/tasks.js';
import { makeTenant, ok } from './lib/tenant_fixture.js';

let srv;
before(async () => {
  srv = await startIcebergServer({ env: { TASK_WORKER_POLL_INTERVAL_MS: '50' } });
});
after(async () => { await srv?.stop(); });

const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };
const rows = (ids) => ids.map((id) => ({ id, name: `r${id}` }));
const byId = (rs) => [...rs].sort((a, b) => a.id - b.id);

/** A fresh catalog of the default tenant on the test warehouse. */
async function catalog(properties = {}) {
  const name = uniq('ucat');
  expectJson(await srv.req('POST', '/api/v1/catalogs', { body: { name, warehouse_name: WAREHOUSE, properties } }), 201);
  return name;
}

const dropped = async (cat, headers) => expectJson(await srv.req('GET', `/api/v1/catalogs/${cat}/dropped`, { headers }), 200);
const restore = (cat, id, body, headers) => srv.req('POST', `/api/v1/catalogs/${cat}/dropped/${id}/restore`, { body, headers });

/** Drop t (a handle of lib/iceberg_data.js) without purge; the drop's id. */
async function drop(t) {
  const r = await t.req('DELETE', t.path());
  assert.equal(r.status, 204, r.text);
  assert.equal(r.headers['pangolin-task-id'], undefined, 'no purge is queued');
  assert.ok(r.headers['pangolin-dropped-id'], 'the drop names its entry');
  return r.headers['pangolin-dropped-id'];
}

/** Poll the list until id is gone from it (each read expires what is due). */
async function waitGone(cat, id) {
  const end = Date.now() + 30000;
  for (;;) {
    if (!(await dropped(cat)).some((d) => d.id === id)) return;
    assert.ok(Date.now() < end, `drop ${id} still listed`);
  }
}

/** The purge task the expiry of drop id queued. */
async function purgeOf(id) {
  const tasks = expectJson(await srv.rawReq('GET', '/api/v1/tasks?kind=purge&limit=1000'), 200);
  const t = tasks.find((x) => x.params?.dropped_id === id);
  assert.ok(t, `a purge task for ${id}: ${JSON.stringify(tasks.map((x) => x.params))}`);
  return waitTask(srv.rawReq, t.id);
}

test('a dropped table comes back as it was: same metadata file, history, snapshots, rows and files', async () => {
  const cat = await catalog();
  const t = await createTable(srv, { catalog: cat, namespace: ['db'], table: 'events' });
  await t.appendRows(rows([1, 2]));
  await t.appendRows(rows([3]), { writer: 'icebird' });
  const before = await t.load();
  const dir = await t.dir();
  const files = filesOnDisk(dir);
  const id = await drop(t);
  expectError(await t.req('GET', t.path()), 404, { iceberg: true });

  const list = await dropped(cat);
  assert.equal(list.length, 1);
  assert.deepEqual({ ...list[0], dropped_at: undefined, expires_at: undefined },
    { id, kind: 'table', namespace: ['db'], name: 'events', branch: 'main', dropped_by: list[0].dropped_by, dropped_at: undefined, expires_at: undefined });
  assert.ok(list[0].dropped_by, 'who dropped it');
  const at = Date.parse(list[0].dropped_at);
  assert.equal(Date.parse(list[0].expires_at) - at, 7 * 24 * 3600 * 1000, 'the default retention, 7 days');
  assert.deepEqual(filesOnDisk(dir), files, 'a recoverable drop deletes nothing');

  const r = expectJson(await restore(cat, id), 200);
  assert.equal(r.metadata_location, before['metadata-location']);
  assert.deepEqual([r.kind, r.namespace, r.name, r.branch], ['table', ['db'], 'events', 'main']);
  const back = await t.load();
  assert.equal(back['metadata-location'], before['metadata-location']);
  assert.deepEqual(back.metadata, before.metadata, 'history, metadata log and snapshots intact');
  assert.deepEqual(byId(await t.readRows()), rows([1, 2, 3]));
  assert.deepEqual(await t.filesOnDisk(), files);
  assert.deepEqual(await dropped(cat), [], 'a restored drop leaves the list');
  expectError(await restore(cat, id), 404);
  // The restore is a commit of the branch and a recorded mutation.
  const commits = expectJson(await srv.req('GET', `/api/v1/branches/main/commits?catalog=${cat}`), 200);
  assert.match(commits[0].message, /^Restore table db\.events/);
  const audit = expectJson(await srv.req('GET', `/api/v1/audit?action=restore_dropped&resource_id=${id}`), 200);
  assert.equal(audit.length, 1);
  assert.equal(audit[0].result, 'success');
  // Its change event: the catalog takes the table back (register-table).
  const events = expectJson(await srv.req('GET', '/api/v1/events?limit=1000'), 200).events;
  const reg = events.filter((e) => e.operation['operation-type'] === 'register-table');
  assert.equal(reg.length, 1, JSON.stringify(reg));
  assert.match(JSON.stringify(reg[0].operation), /"events"/);
  // And it can be written to again.
  await t.appendRows(rows([4]));
  assert.deepEqual(byId(await t.readRows()), rows([1, 2, 3, 4]));
});

test('restore under a new name and namespace; the target namespace must exist; bad bodies are 4xx', async () => {
  const cat = await catalog();
  const t = await createTable(srv, { catalog: cat, namespace: ['db'], table: 'orders' });
  await t.appendRows(rows([7]));
  const md = (await t.load())['metadata-location'];
  const id = await drop(t);
  const nope = expectError(await restore(cat, id, { namespace: ['nowhere'] }), 404);
  assert.match(nope.error, /nowhere/, 'the 404 names the namespace');
  expectError(await restore(cat, id, { name: 7 }), 422);
  expectError(await restore(cat, id, { namespace: 'db' }), 422);
  expectError(await restore(cat, id, { surprise: true }), 422);
  expectError(await restore(cat, id, { name: 'a\u0001b' }), 400);
  expectError(await restore(cat, 'no-such-id'), 404);
  expectError(await restore(uniq('nocat'), id), 404);
  expectJson(await srv.req('POST', `/v1/${cat}/namespaces`, { body: { namespace: ['archive', 'old'] } }), 200);
  const r = expectJson(await restore(cat, id, { namespace: ['archive', 'old'], name: 'orders_2025' }), 200);
  assert.deepEqual([r.namespace, r.name], [['archive', 'old'], 'orders_2025']);
  const moved = expectJson(await srv.req('GET', `/v1/${cat}/namespaces/${nsPath(['archive', 'old'])}/tables/orders_2025`), 200);
  assert.equal(moved['metadata-location'], md);
  expectError(await srv.req('GET', `/v1/${cat}/namespaces/db/tables/orders`), 404, { iceberg: true });
});

test('a name taken by a table or a view since is 409; another name restores it', async () => {
  const cat = await catalog();
  const t = await createTable(srv, { catalog: cat, namespace: ['db'], table: 'dup' });
  const id = await drop(t);
  await createTable(srv, { catalog: cat, namespace: ['db'], table: 'dup' });
  const e = expectError(await restore(cat, id), 409);
  assert.match(e.error, /Table with same name already exists: db\.dup/);
  await srv.req('POST', `/v1/${cat}/namespaces/db/views`, { body: {
    name: 'taken', schema,
    'view-version': { 'version-id': 1, 'timestamp-ms': Date.now(), 'schema-id': 0, summary: { engine: 'test' }, 'default-namespace': ['db'], representations: [{ type: 'sql', sql: 'select 1 as id', dialect: 'spark' }] },
    properties: {} } });
  assert.match(expectError(await restore(cat, id, { name: 'taken' }), 409).error, /View with same name/);
  assert.equal((await dropped(cat)).length, 1, 'a refused restore keeps the drop');
  expectJson(await restore(cat, id, { name: 'dup_old' }), 200);
});

test('a drop on a branch is recoverable on that branch and restored there; main never lost it', async () => {
  const cat = await catalog();
  const t = await createTable(srv, { catalog: cat, namespace: ['db'], table: 'logs' });
  await t.appendRows(rows([1]));
  expectJson(await srv.req('POST', '/api/v1/branches', { body: { name: 'dev', catalog: cat, from_branch: 'main' } }), 201);
  const dev = t.onBranch('dev');
  await dev.appendRows(rows([2]));
  const before = await dev.load();
  const id = await drop(dev);
  expectError(await dev.req('GET', dev.path()), 404, { iceberg: true });
  assert.deepEqual(byId(await t.readRows()), rows([1]), 'main keeps its version');
  const [entry] = await dropped(cat);
  assert.equal(entry.branch, 'dev');
  expectJson(await restore(cat, id), 200);
  const back = await dev.load();
  assert.equal(back['metadata-location'], before['metadata-location']);
  assert.deepEqual(byId(await dev.readRows({ catalogBranch: 'dev' })), rows([1, 2]));
  assert.deepEqual(byId(await t.readRows()), rows([1]));
});

test('after a branch merge, a table dropped on main comes back with the merged history', async () => {
  const cat = await catalog();
  expectJson(await srv.req('POST', `/v1/${cat}/namespaces`, { body: { namespace: ['db'] } }), 200);
  expectJson(await srv.req('POST', '/api/v1/branches', { body: { name: 'ingest', catalog: cat, from_branch: 'main', branch_type: 'ingest' } }), 201);
  const onIngest = await createTable(srv, { catalog: cat, namespace: ['db'], table: 'merged', catalogBranch: 'ingest' });
  await onIngest.appendRows(rows([5, 6]));
  const m = await srv.req('POST', '/api/v1/branches/merge', { body: { source_branch: 'ingest', target_branch: 'main', catalog: cat } });
  assert.ok([200, 201].includes(m.status), m.text);
  const t = onIngest.onBranch(null);
  const before = await t.load();
  const id = await drop(t);
  expectJson(await restore(cat, id), 200);
  assert.deepEqual((await t.load()).metadata, before.metadata);
  assert.deepEqual(byId(await t.readRows()), rows([5, 6]));
});

test('views are kept and restored too', async () => {
  const cat = await catalog();
  expectJson(await srv.req('POST', `/v1/${cat}/namespaces`, { body: { namespace: ['db'] } }), 200);
  const v = expectJson(await srv.req('POST', `/v1/${cat}/namespaces/db/views`, { body: {
    name: 'daily', schema,
    'view-version': { 'version-id': 1, 'timestamp-ms': Date.now(), 'schema-id': 0, summary: { engine: 'test' }, 'default-namespace': ['db'], representations: [{ type: 'sql', sql: 'select 1 as id', dialect: 'spark' }] },
    properties: { owner: 'ann' } } }), 200);
  const r = await srv.req('DELETE', `/v1/${cat}/namespaces/db/views/daily`);
  assert.equal(r.status, 204);
  const id = r.headers['pangolin-dropped-id'];
  const [entry] = await dropped(cat);
  assert.deepEqual([entry.id, entry.kind, entry.name], [id, 'view', 'daily']);
  expectJson(await restore(cat, id), 200);
  const back = expectJson(await srv.req('GET', `/v1/${cat}/namespaces/db/views/daily`), 200);
  assert.equal(back['metadata-location'], v['metadata-location']);
  assert.deepEqual(back.metadata, v.metadata);
});

test('purgeRequested=true is final at once: not listed, its files purged', async () => {
  const cat = await catalog();
  const t = await createTable(srv, { catalog: cat, namespace: ['db'], table: 'gone' });
  await t.appendRows(rows([1]));
  const files = await t.filesOnDisk();
  const r = await t.req('DELETE', `${t.path()}?purgeRequested=true`);
  assert.equal(r.status, 204);
  assert.equal(r.headers['pangolin-dropped-id'], undefined);
  const task = await waitTask(srv.rawReq, r.headers['pangolin-task-id']);
  assert.equal(task.status, 'succeeded', JSON.stringify(task));
  assert.deepEqual(await dropped(cat), []);
  for (const f of files) assert.ok(!fs.existsSync(f), `purged ${f}`);
});

test('an unregister is not a drop: nothing listed, the files stay, the table is gone', async () => {
  const cat = await catalog();
  const t = await createTable(srv, { catalog: cat, namespace: ['db'], table: 'let_go' });
  await t.appendRows(rows([1]));
  const files = await t.filesOnDisk();
  const r = await t.req('POST', `${t.path()}/unregister`, { body: {} });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers['pangolin-dropped-id'], undefined, 'no drop entry is named');
  assert.deepEqual(await dropped(cat), [], 'an unregistered table is not recoverable here');
  for (const f of files) assert.ok(fs.existsSync(f), `kept ${f}`);
  assert.equal((await t.req('GET', t.path())).status, 404, 'unregistered');
  // A plain drop in the same catalog still is: the two are told apart.
  const u = await createTable(srv, { catalog: cat, namespace: ['db'], table: 'kept' });
  const id = await drop(u);
  assert.deepEqual((await dropped(cat)).map((d) => [d.id, d.name]), [[id, 'kept']]);
});

test('a recoverable table keeps its place: no other table takes its files, and orphan removal beside it keeps them', async () => {
  const cat = await catalog();
  const t = await createTable(srv, { catalog: cat, namespace: ['db'], table: 'kept' });
  await t.appendRows(rows([1, 2]));
  const loaded = await t.load();
  const md = loaded['metadata-location'];
  const files = await t.filesOnDisk();
  const id = await drop(t);
  // Its files are still its own (every table owns its files, issue 67):
  // a register of them under another name is refused, naming the drop.
  const twin = await srv.req('POST', `/v1/${cat}/namespaces/db/register`, { body: { name: 'twin', 'metadata-location': md } });
  expectError(twin, 409, { iceberg: true, message: /dropped and still recoverable/ });
  for (const f of files) assert.ok(fs.existsSync(f), `kept ${f}`);
  // A new table of the same name takes a directory of its own: orphan
  // removal there must not take the dropped table's files.
  const again = await createTable(srv, { catalog: cat, namespace: ['db'], table: 'kept' });
  await again.appendRows(rows([9]));
  assert.notEqual((await again.load()).metadata.location, loaded.metadata.location);
  const o = expectJson(await srv.rawReq('POST', `${again.path()}/maintenance`, { body: { operations: ['remove_orphan_files'], older_than_ms: 0 } }), 202);
  const done = await waitTask(srv.rawReq, o.task_id);
  assert.equal(done.status, 'succeeded', JSON.stringify(done));
  for (const f of files) assert.ok(fs.existsSync(f), `orphan removal kept ${f}`);
  const back = expectJson(await restore(cat, id, { name: 'kept_before' }), 200);
  assert.equal(back.metadata_location, md);
  const old = t.onBranch(null);
  old.table = 'kept_before';
  assert.deepEqual(byId(await old.readRows()), rows([1, 2]));
  assert.deepEqual(byId(await again.readRows()), rows([9]));
});

test('after the retention the drop is gone from the list and its files are purged by a task, branch-safely', async () => {
  const cat = await catalog();
  const t = await createTable(srv, { catalog: cat, namespace: ['db'], table: 'old' });
  await t.appendRows(rows([1]));
  expectJson(await srv.req('POST', '/api/v1/branches', { body: { name: 'keep', catalog: cat, from_branch: 'main' } }), 201);
  await t.appendRows(rows([2]));
  const shared = (await t.onBranch('keep').load())['metadata-location'];
  const files = await t.filesOnDisk();
  const id = await drop(t);
  // The retention is the catalog's, read when the drop is looked at:
  // 0 set now makes this drop final too, by the time the list is read.
  expectJson(await srv.req('PUT', `/api/v1/catalogs/${cat}`, { body: { properties: { 'pangolin.undrop-retention-days': '0' } } }), 200);
  await waitGone(cat, id);
  expectError(await restore(cat, id), 404);
  const task = await purgeOf(id);
  assert.equal(task.status, 'succeeded', JSON.stringify(task));
  assert.deepEqual([task.target.catalog, task.target.branch, task.target.table], [cat, 'main', 'old']);
  // What the branch still reaches stays; what only main's version reached went.
  const left = await t.onBranch('keep').filesOnDisk();
  assert.ok(left.length > 0 && left.length < files.length, `${left.length} of ${files.length} files left`);
  assert.ok(left.includes(shared.replace(/^file:\/\//, '')), 'the branch\'s metadata file stays');
  assert.deepEqual(byId(await t.onBranch('keep').readRows({ catalogBranch: 'keep' })), rows([1]));
  const audit = expectJson(await srv.req('GET', `/api/v1/audit?action=expire_dropped&resource_id=${id}`), 200);
  assert.equal(audit.length, 1);
});

test('retention 0 on the catalog makes a drop final at once: nothing listed, the drop answers without an entry', async () => {
  const cat = await catalog({ 'pangolin.undrop-retention-days': '0' });
  const t = await createTable(srv, { catalog: cat, namespace: ['db'], table: 'final' });
  const r = await t.req('DELETE', t.path());
  assert.equal(r.status, 204);
  assert.equal(r.headers['pangolin-dropped-id'], undefined);
  assert.deepEqual(await dropped(cat), []);
});

test('restores of one drop at once: exactly one wins (200), the others are 404 or 409, and one table comes back', async () => {
  const cat = await catalog();
  const tables = async () => expectJson(await srv.req('GET', `/v1/${cat}/namespaces/db/tables`), 200).identifiers.map((x) => x.name).sort();
  const race = async (id, body) => {
    const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => restore(cat, id, body(i))));
    const won = rs.filter((r) => r.status === 200);
    assert.equal(won.length, 1, rs.map((r) => `${r.status} ${r.text}`).join('\n'));
    for (const r of rs) if (r.status !== 200) assert.ok([404, 409].includes(r.status), `${r.status} ${r.text}`);
    assert.ok(!(await dropped(cat)).some((d) => d.id === id), 'the entry is taken');
    return won[0].json;
  };
  // Each under a name of its own: only the winner's table is made (the
  // losers' were left behind on MongoDB without transactions, most
  // rounds; several rounds make a pass of a broken build unlikely).
  const back = [];
  for (let k = 0; k < 6; k++) {
    const t = await createTable(srv, { catalog: cat, namespace: ['db'], table: `raced${k}` });
    await t.appendRows(rows([k]));
    const md = (await t.load())['metadata-location'];
    const won = await race(await drop(t), (i) => ({ name: `raced${k}_${i}` }));
    assert.equal(won.metadata_location, md);
    back.push(won.name);
    assert.deepEqual(await tables(), [...back].sort());
  }
  // All under its own name: one table, with its rows.
  const u = await createTable(srv, { catalog: cat, namespace: ['db'], table: 'same' });
  await u.appendRows(rows([3]));
  assert.equal((await race(await drop(u), () => undefined)).name, 'same');
  assert.deepEqual(await tables(), [...back, 'same'].sort());
  assert.deepEqual(byId(await u.readRows()), rows([3]));
});

test('the retention property takes what [undrop] retention_days takes: whole days 0-36500; anything else is refused (400 naming it), on create and update', async () => {
  const KEY = 'pangolin.undrop-retention-days';
  const bad = ['-1', 'seven', '', '7 days', '36501', '1e3', '0.5', '1.0', '99999999999999999999'];
  const refused = (r, v) => {
    expectError(r, 400, { message: /pangolin\.undrop-retention-days .*0 to 36500/ });
    assert.ok(r.json.error.includes(`'${v}'`), `the refusal names the value: ${r.text}`);
  };
  for (const v of bad) {
    const name = uniq('bad');
    refused(await srv.req('POST', '/api/v1/catalogs', { body: { name, warehouse_name: WAREHOUSE, properties: { [KEY]: v } } }), v);
    expectError(await srv.req('GET', `/api/v1/catalogs/${name}`), 404);
  }
  const cat = await catalog({ [KEY]: '3', owner: 'sales' });
  const props = async () => expectJson(await srv.req('GET', `/api/v1/catalogs/${cat}`), 200).properties;
  for (const v of bad) refused(await srv.req('PUT', `/api/v1/catalogs/${cat}`, { body: { properties: { [KEY]: v, owner: 'someone' } } }), v);
  assert.deepEqual(await props(), { [KEY]: '3', owner: 'sales' }, 'a refused update changes nothing');
  // A number is not a property value (they are strings).
  expectError(await srv.req('PUT', `/api/v1/catalogs/${cat}`, { body: { properties: { [KEY]: 5 } } }), 400);
  for (const v of ['0', '36500', '14']) {
    expectJson(await srv.req('PUT', `/api/v1/catalogs/${cat}`, { body: { properties: { [KEY]: v } } }), 200);
    assert.equal((await props())[KEY], v);
  }
  // null removes it (the others stay): the setting applies again.
  expectJson(await srv.req('PUT', `/api/v1/catalogs/${cat}`, { body: { properties: { [KEY]: null } } }), 200);
  assert.deepEqual(await props(), { owner: 'sales' });
  const t = await createTable(srv, { catalog: cat, namespace: ['db'], table: 'back' });
  const id = await drop(t);
  assert.ok((await dropped(cat)).some((d) => d.id === id), 'recoverable for [undrop] retention_days again');
});

describe('who may see and restore', () => {
  let asrv, A, B;
  before(async () => {
    asrv = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0', TASK_WORKER_POLL_INTERVAL_MS: '50' } });
    A = await makeTenant(asrv, 'ua');
    B = await makeTenant(asrv, 'ub');
    await ok(asrv, 'POST', `/v1/${A.cat}/namespaces`, { namespace: ['sales'] }, A.admin);
    await ok(asrv, 'POST', `/v1/${A.cat}/namespaces`, { namespace: ['hr'] }, A.admin);
  });
  after(async () => { await asrv?.stop(); });

  const list = (cat, headers) => asrv.req('GET', `/api/v1/catalogs/${cat}/dropped`, { headers });
  const undrop = (cat, id, body, headers) => asrv.req('POST', `/api/v1/catalogs/${cat}/dropped/${id}/restore`, { body, headers });

  async function droppedIn(ns, name) {
    await ok(asrv, 'POST', `/v1/${A.cat}/namespaces/${ns}/tables`, { name, schema }, A.admin);
    const r = await asrv.req('DELETE', `/v1/${A.cat}/namespaces/${ns}/tables/${name}`, { headers: A.admin });
    assert.equal(r.status, 204);
    return r.headers['pangolin-dropped-id'];
  }

  test('another tenant never sees nor restores them, even with a catalog of the same name', async () => {
    const id = await droppedIn('sales', uniq('t'));
    expectError(await list(A.cat, B.admin), 404);
    expectError(await undrop(A.cat, id, undefined, B.admin), 404);
    await ok(asrv, 'POST', '/api/v1/catalogs', { name: A.cat, warehouse_name: B.wh }, B.admin);
    assert.deepEqual(expectJson(await list(A.cat, B.admin), 200), []);
    expectError(await undrop(A.cat, id, undefined, B.admin), 404);
    // Nor does an id of another catalog of the same tenant.
    const other = uniq('cat');
    await ok(asrv, 'POST', '/api/v1/catalogs', { name: other, warehouse_name: A.wh }, A.admin);
    expectError(await undrop(other, id, undefined, A.admin), 404);
    assert.ok(expectJson(await list(A.cat, A.admin), 200).some((d) => d.id === id), 'still there for its tenant');
  });

  test('a reader sees nothing and may not restore; create in the namespace may, only there', async () => {
    const sales = await droppedIn('sales', uniq('t'));
    const hr = await droppedIn('hr', uniq('t'));
    expectError(await list(A.cat, A.user), 403);
    const read = await ok(asrv, 'POST', '/api/v1/permissions', { 'user-id': A.userId, scope: { type: 'catalog', catalog_id: A.catId }, actions: ['read'] }, A.admin);
    assert.deepEqual(expectJson(await list(A.cat, A.user), 200), [], 'a reader lists none');
    expectError(await undrop(A.cat, sales, undefined, A.user), 403);
    const create = await ok(asrv, 'POST', '/api/v1/permissions', { 'user-id': A.userId, scope: { type: 'namespace', catalog_id: A.catId, namespace: 'sales' }, actions: ['create'] }, A.admin);
    const mine = expectJson(await list(A.cat, A.user), 200);
    assert.ok(mine.some((d) => d.id === sales) && !mine.some((d) => d.id === hr), 'only the drops of sales');
    expectError(await undrop(A.cat, hr, undefined, A.user), 403);
    // Not into hr either: create is needed where it goes too.
    expectError(await undrop(A.cat, sales, { namespace: ['hr'] }, A.user), 403);
    expectJson(await undrop(A.cat, sales, undefined, A.user), 200);
    await ok(asrv, 'DELETE', `/api/v1/permissions/${create.id}`, undefined, A.admin);
    await ok(asrv, 'DELETE', `/api/v1/permissions/${read.id}`, undefined, A.admin);
    expectJson(await undrop(A.cat, hr, undefined, A.admin), 200);
    const audit = expectJson(await asrv.req('GET', `/api/v1/audit?action=restore_dropped&result=failure`, { headers: A.admin }), 200);
    assert.ok(audit.length >= 3, 'refused restores are audited');
  });
});

describe('the tenant\'s limit', () => {
  let small;
  before(async () => {
    small = await startIcebergServer({ env: { TASK_WORKER_POLL_INTERVAL_MS: '50', PANGOLIN_UNDROP_MAX_PER_TENANT: '2' } });
  });
  after(async () => { await small?.stop(); });

  test('past the limit the oldest drop becomes final and its files are purged', async () => {
    const ids = [];
    const tables = [];
    for (const name of ['a', 'b', 'c']) {
      const t = await createTable(small, { catalog: CATALOG, namespace: ['lim'], table: name });
      await t.appendRows(rows([1]));
      tables.push({ t, files: await t.filesOnDisk() });
      const r = await t.req('DELETE', t.path());
      assert.equal(r.status, 204);
      ids.push(r.headers['pangolin-dropped-id']);
    }
    const list = expectJson(await small.req('GET', `/api/v1/catalogs/${CATALOG}/dropped`), 200);
    assert.deepEqual(list.map((d) => d.id), [ids[2], ids[1]], 'the two newest, newest first');
    const tasks = expectJson(await small.rawReq('GET', '/api/v1/tasks?kind=purge'), 200);
    const purge = tasks.find((x) => x.params?.dropped_id === ids[0]);
    assert.ok(purge, 'the oldest drop\'s purge was queued');
    assert.equal(purge.params.reason, 'limit');
    assert.equal((await waitTask(small.rawReq, purge.id)).status, 'succeeded');
    for (const f of tables[0].files) assert.ok(!fs.existsSync(f), `purged ${f}`);
    for (const f of tables[1].files) assert.ok(fs.existsSync(f), `kept ${f}`);
    expectError(await small.req('POST', `/api/v1/catalogs/${CATALOG}/dropped/${ids[0]}/restore`), 404);
  });
});
