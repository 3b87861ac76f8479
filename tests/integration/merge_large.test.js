// Large merges never run on the event loop (issue 23, part 2): a merge or
// rebase whose branches hold more than PANGOLIN_MERGE_INLINE_MAX_ASSETS
// assets answers 202 with a task of kind "merge" (Location
// /api/v1/tasks/{id}); a task runner plans and records it with the same
// code as the synchronous route, and the task's result is the outcome
// (operation id, completed or conflicted, conflicts, result commit).
// Small merges keep the synchronous answer.  The task counts against the
// tenant's task quota.  The CLI's `merge start` follows the task.
//
// The tests (threshold 3) run on every store.  How long another tenant
// waits while a merge of thousands of tables runs is a figure, not a
// rule a test can hold on a shared machine: tests/bench/isolation.sh
// measures it (its "large merge" attack, ISO_MERGE_TABLES) beside the
// quiet server in the same run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { BIN, SAN_ENV, STORE, basic, cleanEnv, startServer, tmpDir } from './lib/server.js';
import { startIcebergServer, WAREHOUSE } from './lib/iceberg.js';
import { expectJson, uniq, UUID_RE } from './lib/expect.js';

const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };
const THRESHOLD = 3;
const PW = 'Str0ng-Passw0rd-for-tests';

let srv;
before(async () => {
  srv = await startIcebergServer({
    env: { PANGOLIN_MERGE_INLINE_MAX_ASSETS: String(THRESHOLD), TASK_WORKER_POLL_INTERVAL_MS: '100' },
  });
});
after(async () => { await srv?.stop(); });

const ok = async (s, method, p, body, status = 200) => expectJson(await s.req(method, p, { body }), status);

/** A catalog with namespace db and n tables t0.. (property v=base). */
async function catalog(s, n) {
  const cat = uniq('lcat');
  await ok(s, 'POST', '/api/v1/catalogs', { name: cat, warehouse_name: WAREHOUSE }, 201);
  await ok(s, 'POST', `/v1/${cat}/namespaces`, { namespace: ['db'] });
  for (let i = 0; i < n; i++) await ok(s, 'POST', `/v1/${cat}/namespaces/db/tables`, { name: `t${i}`, schema, properties: { v: 'base' } });
  const at = (t, b) => (b && b !== 'main' ? `${t}@${b}` : t);
  return {
    name: cat,
    branch: (name) => ok(s, 'POST', '/api/v1/branches', { name, catalog: cat, branch_type: 'ingest' }, 201),
    props: (t, b, set) => ok(s, 'POST', `/v1/${cat}/namespaces/db/tables/${at(t, b)}`,
      { requirements: [], updates: [{ action: 'set-properties', updates: set }] }),
    load: async (t, b) => (await ok(s, 'GET', `/v1/${cat}/namespaces/db/tables/${at(t, b)}`)).metadata,
    merge: (source, target = 'main') => s.req('POST', '/api/v1/branches/merge',
      { body: { source_branch: source, target_branch: target, catalog: cat } }),
    head: async (b) => (await ok(s, 'GET', `/api/v1/branches/${b}?catalog=${cat}`)).head_commit_id,
  };
}

/** The 202 of a queued merge: its task id, checked against Location. */
function accepted(r) {
  const body = expectJson(r, 202);
  assert.equal(body.status, 'queued');
  assert.match(body.task_id, UUID_RE);
  assert.equal(r.headers.location, `/api/v1/tasks/${body.task_id}`);
  return body.task_id;
}

/** Poll a task to its end (generous: the ASan build on a loaded VM). */
async function waitTask(s, id, ms = 60000) {
  const end = Date.now() + ms;
  for (;;) {
    const t = await ok(s, 'GET', `/api/v1/tasks/${id}`);
    if (['succeeded', 'failed', 'cancelled'].includes(t.status)) return t;
    assert.ok(Date.now() < end, `task ${id} still ${t.status} after ${ms} ms`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

test('a merge over the threshold answers 202 and completes as a task with the same outcome', async () => {
  const c = await catalog(srv, THRESHOLD + 1);
  await c.branch('feat');
  await c.props('t0', 'feat', { v: 'feat' });
  await c.props('t1', 'main', { v: 'main' });
  const featHead = await c.head('feat');
  const id = accepted(await c.merge('feat'));
  const t = await waitTask(srv, id);
  assert.equal(t.status, 'succeeded', JSON.stringify(t));
  assert.equal(t.kind, 'merge');
  assert.equal(t.target.catalog, c.name);
  assert.equal(t.target.branch, 'main');
  assert.equal(t.progress.message, 'feat -> main', 'the page shows what merges into what');
  assert.equal(t.result.status, 'completed');
  assert.equal(t.result.conflicts, 0);
  assert.match(t.result.operation_id, UUID_RE);
  assert.equal(t.result.result_commit_id, await c.head('main'));
  const op = await ok(srv, 'GET', `/api/v1/merge-operations/${t.result.operation_id}`);
  assert.equal(op.status, 'Completed');
  assert.equal(op.result_commit_id, t.result.result_commit_id);
  assert.equal(op.source_branch, 'feat');
  // The same merge the synchronous route makes.
  assert.equal((await c.load('t0')).properties.v, 'feat');
  assert.equal((await c.load('t1')).properties.v, 'main');
  const [m] = await ok(srv, 'GET', `/api/v1/branches/main/commits?catalog=${c.name}`);
  assert.equal(m.merge_parent_id, featHead);
  // The task is listed like any task.
  const list = await ok(srv, 'GET', '/api/v1/tasks?kind=merge&limit=100');
  assert.ok((list.items ?? list).some((x) => x.id === id));
});

test('a large merge that meets conflicts records them: the task result says conflicted', async () => {
  const c = await catalog(srv, THRESHOLD + 1);
  await c.branch('feat');
  await c.props('t2', 'feat', { v: 'feat' });
  await c.props('t2', 'main', { v: 'main' });
  const t = await waitTask(srv, accepted(await c.merge('feat')));
  assert.equal(t.status, 'succeeded', JSON.stringify(t));
  assert.equal(t.result.status, 'conflicted');
  assert.equal(t.result.conflicts, 1);
  assert.equal(t.result.result_commit_id, null);
  const op = await ok(srv, 'GET', `/api/v1/merge-operations/${t.result.operation_id}`);
  assert.equal(op.status, 'Conflicted');
  const conflicts = await ok(srv, 'GET', `/api/v1/merge-operations/${op.id}/conflicts`);
  assert.equal((conflicts.items ?? conflicts).length, 1);
  assert.equal((await c.load('t2')).properties.v, 'main', 'nothing applied');
});

test('a merge at or under the threshold keeps the synchronous answer', async () => {
  const c = await catalog(srv, THRESHOLD);
  await c.branch('feat');
  await c.props('t0', 'feat', { v: 'feat' });
  const op = expectJson(await c.merge('feat'), 200);
  assert.equal(op.status, 'Completed');
  assert.equal((await c.load('t0')).properties.v, 'feat');
});

test('a rebase over the threshold runs as a merge task too', async () => {
  const c = await catalog(srv, THRESHOLD + 1);
  await c.branch('feat');
  await c.props('t3', 'main', { v: 'main' });
  const r = await srv.req('POST', '/api/v1/branches/feat/rebase', { body: { name: 'feat', catalog: c.name } });
  const t = await waitTask(srv, accepted(r));
  assert.equal(t.status, 'succeeded', JSON.stringify(t));
  assert.equal(t.result.operation, 'rebase');
  assert.equal(t.result.status, 'completed');
  assert.equal(t.result.result_commit_id, await c.head('feat'));
  assert.equal((await c.load('t3', 'feat')).properties.v, 'main');
});

test('the CLI follows a large merge to its outcome', async () => {
  const c = await catalog(srv, THRESHOLD + 1);
  await c.branch('feat');
  await c.props('t0', 'feat', { v: 'cli' });
  const xdg = tmpDir('pgl-merge-cli');
  const r = spawnSync(BIN, ['admin', 'merge', 'start', 'feat', 'main', '--catalog', c.name, '--output', 'json'], {
    env: { ...cleanEnv(), ...SAN_ENV, XDG_CONFIG_HOME: xdg, PANGOLIN_URL: `http://127.0.0.1:${srv.port}` },
    encoding: 'utf8', timeout: 60000,
  });
  fs.rmSync(xdg, { recursive: true, force: true });
  assert.doesNotMatch(r.stderr, /AddressSanitizer|runtime error:/, r.stderr);
  assert.equal(r.status, 0, `${r.stderr}${r.stdout}`);
  assert.match(r.stderr, /task [0-9a-f-]+: /, 'progress lines on stderr');
  const out = JSON.parse(r.stdout);
  assert.equal(out.status, 'completed');
  assert.equal(out.result_commit_id, await c.head('main'));
  assert.equal((await c.load('t0')).properties.v, 'cli');
});

// With the runners off the task stays queued, so the quota counts it.
// Not on memory: its worker runs each task before it answers.
test('a large merge counts against the tenant task quota (429 past it)', { skip: STORE === 'memory' && 'the memory store runs every task inline: none stays queued' }, async () => {
  const s = await startIcebergServer({
    env: { PANGOLIN_MERGE_INLINE_MAX_ASSETS: String(THRESHOLD), TASK_WORKER_ENABLED: 'false', PANGOLIN_MAX_TASKS_PER_TENANT: '1' },
  });
  try {
    const c = await catalog(s, THRESHOLD + 1);
    await c.branch('feat');
    await c.props('t0', 'feat', { v: 'feat' });
    accepted(await c.merge('feat'));
    const r = await c.merge('feat');
    const body = expectJson(r, 429);
    assert.match(body.error, /PANGOLIN_MAX_TASKS_PER_TENANT/);
    assert.equal(body.limit, 1);
    assert.ok(r.headers['retry-after']);
  } finally {
    await s.stop();
  }
});

// A tenant user who may write the catalog queues the merge and follows its
// task (a task of no table is judged by the catalog's grants); one who may
// only read it is refused at submit as the synchronous merge refuses it;
// one with no grant on the catalog does not see the task.
test('a tenant user with write on the catalog queues a large merge and sees its task; others are refused', async () => {
  const s = await startServer({
    root: true, noAuth: false,
    env: { PANGOLIN_AUTH_RATE_LIMIT: '0', TASK_WORKER_POLL_INTERVAL_MS: '100', PANGOLIN_MERGE_INLINE_MAX_ASSETS: String(THRESHOLD) },
  });
  try {
    const root = { authorization: basic() };
    const as = async (h, method, p, body) => {
      const r = await s.req(method, p, { body, headers: h });
      assert.ok([200, 201, 202, 204].includes(r.status), `${method} ${p}: ${r.status} ${r.text.slice(0, 300)}`);
      return r.json;
    };
    const id = (await as(root, 'POST', '/api/v1/tenants', { name: uniq('ut') })).id;
    const login = async (username) => ({ authorization: `Bearer ${(await as(root, 'POST', '/api/v1/users/login', { username, password: PW, 'tenant-id': id })).token}` });
    const adminName = uniq('admin');
    await as(root, 'POST', '/api/v1/users', { username: adminName, password: PW, tenant_id: id, role: 'tenant-admin' });
    const admin = await login(adminName);
    const wh = uniq('wh');
    await as(admin, 'POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 'local', root: path.join(s.tenantDir(id), 'wh') } });
    const cat = uniq('cat');
    const catId = (await as(admin, 'POST', '/api/v1/catalogs', { name: cat, warehouse_name: wh })).id;
    await as(admin, 'POST', `/v1/${cat}/namespaces`, { namespace: ['db'] });
    for (let i = 0; i <= THRESHOLD; i++) await as(admin, 'POST', `/v1/${cat}/namespaces/db/tables`, { name: `t${i}`, schema });
    await as(admin, 'POST', '/api/v1/branches', { name: 'feat', catalog: cat, branch_type: 'ingest' });
    await as(admin, 'POST', `/v1/${cat}/namespaces/db/tables/t0@feat`, { requirements: [], updates: [{ action: 'set-properties', updates: { v: 'feat' } }] });
    const user = async (actions) => {
      const name = uniq('u');
      const u = await as(admin, 'POST', '/api/v1/users', { username: name, password: PW, tenant_id: id, role: 'tenant-user' });
      if (actions) await as(admin, 'POST', '/api/v1/permissions', { 'user-id': u.id, scope: { type: 'catalog', catalog_id: catId }, actions });
      return login(name);
    };
    const writer = await user(['read', 'write']);
    const reader = await user(['read']);
    const nobody = await user(null);
    const merge = (h) => s.req('POST', '/api/v1/branches/merge', { headers: h, body: { source_branch: 'feat', target_branch: 'main', catalog: cat } });
    assert.equal((await merge(reader)).status, 403, 'read only: refused at submit');
    const taskId = accepted(await merge(writer));
    const t = await waitTask({ req: (m, p, o = {}) => s.req(m, p, { ...o, headers: writer }) }, taskId);
    assert.equal(t.status, 'succeeded', JSON.stringify(t));
    assert.equal(t.result.status, 'completed');
    const op = await as(writer, 'GET', `/api/v1/merge-operations/${t.result.operation_id}`);
    assert.equal(op.initiated_by, (await as(writer, 'GET', '/api/v1/users/me')).id, 'the operation names who asked');
    assert.equal((await s.req('GET', `/api/v1/tasks/${taskId}`, { headers: reader })).status, 200, 'read on the catalog sees it');
    assert.equal((await s.req('GET', `/api/v1/tasks/${taskId}`, { headers: nobody })).status, 404);
  } finally {
    await s.stop();
  }
});
