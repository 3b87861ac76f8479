// A branch too large for the event loop (issue 23, part 2): a partial branch
// (assets: [...]) copies the rows it names in one store statement, whose
// time grows with them (8,000 tables: some 60 ms on SQLite, every other
// request on the worker waiting).  Past PANGOLIN_BRANCH_INLINE_MAX_ASSETS
// rows to copy the route answers 202 with a task of kind "branch" (Location
// /api/v1/tasks/{id}); a task runner makes the branch with the same code,
// and the task's result is the branch and the rows copied.  What the copy
// would refuse (a missing source, a taken name) is refused before queueing.
// Small copies keep the synchronous 201.  The CLI follows the task.
// A whole branch copies nothing since issue 29 (a copy-on-write fork, one
// row whatever the tables): it is always the synchronous 201.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { BIN, SAN_ENV, cleanEnv, tmpDir } from './lib/server.js';
import { startIcebergServer, WAREHOUSE } from './lib/iceberg.js';
import { waitTask } from './lib/tasks.js';
import { expectJson, uniq, UUID_RE } from './lib/expect.js';

const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };
const THRESHOLD = 3;

let srv;
before(async () => {
  srv = await startIcebergServer({
    env: { PANGOLIN_BRANCH_INLINE_MAX_ASSETS: String(THRESHOLD), TASK_WORKER_POLL_INTERVAL_MS: '100' },
  });
});
after(async () => { await srv?.stop(); });

const ok = async (method, p, body, status = 200) => expectJson(await srv.req(method, p, { body }), status);

/** A catalog with namespace db and n tables t0.. */
async function catalog(n) {
  const cat = uniq('bcat');
  await ok('POST', '/api/v1/catalogs', { name: cat, warehouse_name: WAREHOUSE }, 201);
  await ok('POST', `/v1/${cat}/namespaces`, { namespace: ['db'] });
  for (let i = 0; i < n; i++) await ok('POST', `/v1/${cat}/namespaces/db/tables`, { name: `t${i}`, schema });
  return cat;
}

const branch = (cat, name, extra = {}) => srv.req('POST', '/api/v1/branches',
  { body: { name, catalog: cat, branch_type: 'experimental', ...extra } });

/** Every table of a catalog of n tables, as a partial branch names them. */
const allNames = (n) => Array.from({ length: n }, (_, i) => `db.t${i}`);

const tablesOn = async (cat, b) => (await ok('GET', `/v1/${cat}/namespaces/db@${b}/tables?pageSize=100`))
  .identifiers.map((i) => i.name).sort();

test('a branch of more assets than the threshold answers 202 and is made by a task', async () => {
  const cat = await catalog(THRESHOLD + 2);
  const r = await branch(cat, 'big', { assets: allNames(THRESHOLD + 2) });
  const body = expectJson(r, 202);
  assert.match(body.task_id, UUID_RE);
  assert.equal(r.headers.location, `/api/v1/tasks/${body.task_id}`);
  assert.equal(body.kind, 'branch');
  assert.equal(body.name, 'big');
  assert.equal(body.from_branch, 'main');
  const t = await waitTask(srv.req.bind(srv), body.task_id);
  assert.equal(t.status, 'succeeded', JSON.stringify(t));
  assert.equal(t.kind, 'branch');
  assert.equal(t.result.copied, THRESHOLD + 2);
  assert.equal(t.result.branch.name, 'big');
  const got = await ok('GET', `/api/v1/branches/big?catalog=${cat}`);
  assert.equal(got.head_commit_id, (await ok('GET', `/api/v1/branches/main?catalog=${cat}`)).head_commit_id);
  assert.deepEqual(await tablesOn(cat, 'big'), await tablesOn(cat, 'main'));
  // The branch is a branch like any other: its tables load and commit.
  await ok('POST', `/v1/${cat}/namespaces/db/tables/t0@big`, { requirements: [],
    updates: [{ action: 'set-properties', updates: { on: 'big' } }] });
  assert.equal((await ok('GET', `/v1/${cat}/namespaces/db/tables/t0`)).metadata.properties?.on, undefined);
});

test('a whole branch of more tables than the threshold is a synchronous 201 fork', async () => {
  const cat = await catalog(THRESHOLD + 2);
  const body = expectJson(await branch(cat, 'fork'), 201);
  assert.equal(body.name, 'fork');
  assert.deepEqual(await tablesOn(cat, 'fork'), await tablesOn(cat, 'main'));
  assert.equal((await ok('GET', '/api/v1/tasks?limit=1000')).filter((t) => t.kind === 'branch' &&
    t.params?.name === 'fork' && t.catalog === cat).length, 0);
});

test('a whole branch from a lineage 16 forks deep is a copy: over the threshold, a task', async () => {
  // The store would copy every row inside the fork (PGL_BRANCH_MAX_DEPTH);
  // the host makes it the copy it can size instead, off the event loop.
  const cat = await catalog(THRESHOLD + 2);
  let from = 'main';
  for (let i = 1; i <= 16; i++) {
    expectJson(await branch(cat, `d${i}`, { from_branch: from }), 201);
    from = `d${i}`;
  }
  const body = expectJson(await branch(cat, 'deep', { from_branch: from }), 202);
  assert.equal(body.kind, 'branch');
  const t = await waitTask(srv.req.bind(srv), body.task_id);
  assert.equal(t.status, 'succeeded', JSON.stringify(t));
  assert.equal(t.result.copied, THRESHOLD + 2);
  assert.deepEqual(await tablesOn(cat, 'deep'), await tablesOn(cat, 'main'));
});

test('at or under the threshold a branch keeps the synchronous 201', async () => {
  const cat = await catalog(THRESHOLD);
  const body = expectJson(await branch(cat, 'small'), 201);
  assert.equal(body.name, 'small');
  assert.deepEqual(await tablesOn(cat, 'small'), ['t0', 't1', 't2']);
  // A partial branch copies only the names it lists: two rows, inline.
  const big = await catalog(THRESHOLD + 2);
  expectJson(await branch(big, 'part', { assets: ['db.t0', 'db.t1'] }), 201);
  assert.deepEqual(await tablesOn(big, 'part'), ['t0', 't1']);
});

test('what the copy would refuse is refused before a task is queued', async () => {
  const cat = await catalog(THRESHOLD + 1);
  expectJson(await branch(cat, 'taken', { assets: allNames(THRESHOLD + 1) }), 202);
  const tasksBefore = (await ok('GET', '/api/v1/tasks?limit=1000')).length;
  // A taken name waits for nothing: the first task may still run.
  const first = await ok('GET', `/api/v1/tasks?limit=1000`);
  await Promise.all(first.filter((t) => t.kind === 'branch').map((t) => waitTask(srv.req.bind(srv), t.id)));
  const dup = await branch(cat, 'taken', { assets: allNames(THRESHOLD + 1) });
  assert.equal(dup.status, 409, dup.text);
  assert.match(dup.json.error, /already exists/);
  const missing = await branch(cat, 'x', { from_branch: 'nope', assets: allNames(THRESHOLD + 1) });
  assert.equal(missing.status, 404, missing.text);
  assert.match(missing.json.error, /nope/);
  assert.equal((await ok('GET', '/api/v1/tasks?limit=1000')).length, tasksBefore);
});

test('the CLI follows a large branch to its end', async () => {
  const cat = await catalog(THRESHOLD + 1);
  const xdg = tmpDir('pgl-branch-cli');
  const r = spawnSync(BIN, ['admin', 'branches', 'create', 'name=cli', 'branch_type=ingest',
    `assets:=${JSON.stringify(allNames(THRESHOLD + 1))}`, '--catalog', cat, '--output', 'json'], {
    env: { ...cleanEnv(), ...SAN_ENV, XDG_CONFIG_HOME: xdg, PANGOLIN_URL: `http://127.0.0.1:${srv.port}` },
    encoding: 'utf8', timeout: 60000,
  });
  fs.rmSync(xdg, { recursive: true, force: true });
  assert.doesNotMatch(r.stderr, /AddressSanitizer|runtime error:/, r.stderr);
  assert.equal(r.status, 0, `${r.stderr}${r.stdout}`);
  const out = JSON.parse(r.stdout);
  assert.equal(out.kind, 'branch');
  assert.equal(out.status, 'succeeded');
  assert.equal(out.result.copied, THRESHOLD + 1);
  assert.deepEqual(await tablesOn(cat, 'cli'), await tablesOn(cat, 'main'));
});
