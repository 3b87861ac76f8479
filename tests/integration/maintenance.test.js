// Table maintenance as background tasks (issue 12): the route, the task it
// queues, orphan removal, purge in a task, and branch-aware safety (a
// branch made from a table shares its files: nothing it needs goes).
// Runs on every store: the memory store runs each task in the worker
// before it answers, the others in the task runners.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { expectError, expectJson, uniq } from './lib/expect.js';
import { CATALOG, nsPath, simpleSchema, startIcebergServer } from './lib/iceberg.js';
import { waitTask } from './lib/tasks.js';
import { fsPath } from './lib/location.js';

let srv;
before(async () => {
  srv = await startIcebergServer({ env: { TASK_WORKER_POLL_INTERVAL_MS: '50', TASK_WORKER_CONCURRENCY: '2' } });
});
after(async () => { await srv?.stop(); });

const P = `/v1/${CATALOG}`;
const DAY = 24 * 3600 * 1000;
const req = (m, p, o) => srv.req(m, p, o);
const rawReq = (m, p, o) => srv.rawReq(m, p, o);

async function table(name = uniq('t')) {
  const ns = uniq('ns');
  expectJson(await req('POST', `${P}/namespaces`, { body: { namespace: [ns] } }), 200);
  const t = expectJson(await req('POST', `${P}/namespaces/${nsPath([ns])}/tables`, { body: { name, schema: simpleSchema() } }), 200);
  return { ns, name, path: `${P}/namespaces/${nsPath([ns])}/tables/${name}`, location: fsPath(t.metadata.location), t };
}

async function maintain(tablePath, body, status = 202) {
  const r = await rawReq('POST', `${tablePath}/maintenance`, { body });
  if (status !== 202) return expectError(r, status, { iceberg: true });
  const j = expectJson(r, 202);
  assert.deepEqual(Object.keys(j).sort(), ['status', 'task_id']);
  assert.equal(j.status, 'queued');
  assert.equal(r.headers.location, `/api/v1/tasks/${j.task_id}`);
  return waitTask(rawReq, j.task_id);
}

/** Every regular file below dir, as full paths. */
function files(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const f = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...files(f));
    else if (e.isFile()) out.push(f);
  }
  return out;
}
const metadataFiles = (loc) => files(path.join(loc, 'metadata')).filter((f) => f.endsWith('.metadata.json'));

/** A file below dir, with its modification time ageMs in the past. */
function plant(dir, rel, ageMs) {
  const f = path.join(dir, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, `orphan ${rel}`);
  const when = new Date(Date.now() - ageMs);
  fs.utimesSync(f, when, when);
  return f;
}

test('a bad body is 400 with the reason; a missing table is 404; nothing is queued', async () => {
  const { path: tp } = await table();
  await maintain(tp, {}, 400);
  await maintain(tp, { operations: [] }, 400);
  await maintain(tp, { operations: ['compact'] }, 400);
  await maintain(tp, { job_type: 'vacuum' }, 400);
  await maintain(tp, { operations: ['expire_snapshots'], job_type: 'expire_snapshots' }, 400);
  await maintain(tp, { operations: ['expire_snapshots'], older_than_ms: -1 }, 400);
  await maintain(tp, { operations: ['expire_snapshots'], retain_last: 'two' }, 400);
  await maintain(tp, { operations: ['expire_snapshots'], surprise: 1 }, 400);
  const missing = `${P}/namespaces/${nsPath([uniq('nope')])}/tables/x`;
  await maintain(missing, { operations: ['expire_snapshots'] }, 404);
  const list = expectJson(await rawReq('GET', '/api/v1/tasks?kind=maintenance'), 200);
  assert.ok(!list.some((t) => t.target.table === 'x'), 'nothing queued for a missing table');
});

test('expire on a table without snapshots succeeds with nothing expired; the task shows target, params, progress and result', async () => {
  const t = await table();
  const task = await maintain(t.path, { operations: ['expire_snapshots'], older_than_ms: 0, retain_last: 1 });
  assert.equal(task.status, 'succeeded', JSON.stringify(task));
  assert.equal(task.kind, 'maintenance');
  assert.deepEqual(task.target, { catalog: CATALOG, branch: 'main', namespace: [t.ns], table: t.name });
  assert.deepEqual(task.params, { operations: ['expire_snapshots'], older_than_ms: 0, retain_last: 1, dry_run: false });
  assert.deepEqual(task.result, { expire_snapshots: { expired_snapshots: 0, removed_refs: [], dry_run: false } });
  assert.equal(task.attempts, 1);
  assert.ok(task.started_at && task.finished_at);
  // The doubled-prefix alias queues the same.
  const alias = `/v1/${CATALOG}/v1/namespaces/${nsPath([t.ns])}/tables/${t.name}`;
  assert.equal((await maintain(alias, { operations: ['expire_snapshots'] })).status, 'succeeded');
});

test('remove_orphan_files: a dry run lists exactly the old unreferenced files; the real run deletes them and nothing else', async () => {
  const t = await table();
  const loc = t.location;
  const old1 = plant(loc, 'data/part-0001.parquet', 5 * DAY);
  const old2 = plant(loc, 'data/a=1/deep/part-0002.parquet', 4 * DAY);
  const young = plant(loc, 'data/part-0003.parquet', 60 * 1000);
  const metadata = metadataFiles(loc);
  assert.equal(metadata.length, 1);
  // A metadata file of the table, however old, is never an orphan.
  const when = new Date(Date.now() - 30 * DAY);
  fs.utimesSync(metadata[0], when, when);

  const dry = await maintain(t.path, { operations: ['remove_orphan_files'], dry_run: true });
  assert.equal(dry.status, 'succeeded', JSON.stringify(dry));
  const r = dry.result.remove_orphan_files;
  assert.deepEqual([...r.files].sort(), [old2, old1].sort());
  assert.equal(r.deleted_files, 2);
  assert.equal(r.too_young, 1);
  assert.equal(r.dry_run, true);
  for (const f of [old1, old2, young, ...metadata]) assert.ok(fs.existsSync(f), `dry run kept ${f}`);

  const metric = async (name) => Number((await rawReq('GET', '/metrics')).text.match(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm'))?.[1]);
  const deletedBefore = await metric('pangolin_task_files_deleted_total');
  const okBefore = await metric('pangolin_tasks_total{kind="maintenance",outcome="succeeded"}');
  const real = await maintain(t.path, { job_type: 'remove_orphan_files', older_than_ms: 3 * DAY });
  assert.equal(await metric('pangolin_task_files_deleted_total') - deletedBefore, 2, 'files deleted are counted');
  assert.equal(await metric('pangolin_tasks_total{kind="maintenance",outcome="succeeded"}') - okBefore, 1);
  assert.ok(await metric('pangolin_task_duration_seconds_count{kind="maintenance"}') >= 1);
  assert.equal(real.status, 'succeeded', JSON.stringify(real));
  assert.equal(real.result.remove_orphan_files.deleted_files, 2);
  assert.ok(!fs.existsSync(old1) && !fs.existsSync(old2), 'old orphans deleted');
  assert.ok(fs.existsSync(young), 'a young file (a write in flight) stays');
  for (const f of metadata) assert.ok(fs.existsSync(f), `kept ${f}`);
  expectJson(await req('GET', t.path), 200);
});

test('remove_orphan_files keeps what a branch\'s version of the table reaches', async () => {
  const t = await table();
  const branch = uniq('b');
  expectJson(await rawReq('POST', '/api/v1/branches', { body: { name: branch, catalog: CATALOG, from_branch: 'main' } }), 201);
  // main moves on; the branch keeps the first metadata file.
  const first = metadataFiles(t.location);
  expectJson(await req('POST', t.path, { body: { updates: [{ action: 'set-properties', updates: { v: '2' } }] } }), 200);
  const when = new Date(Date.now() - 30 * DAY);
  for (const f of files(t.location)) fs.utimesSync(f, when, when);
  const task = await maintain(t.path, { operations: ['remove_orphan_files'], older_than_ms: 0 });
  assert.equal(task.status, 'succeeded', JSON.stringify(task));
  for (const f of first) assert.ok(fs.existsSync(f), `the branch's metadata ${f} stays`);
  const onBranch = expectJson(await req('GET', `${P}/namespaces/${nsPath([t.ns])}/tables/${t.name}@${branch}`), 200);
  assert.equal(onBranch['metadata-location'], t.t['metadata-location']);
});

test('drop with purge answers 204 at once with Pangolin-Task-Id; the purge task keeps files a branch still uses', async () => {
  const t = await table();
  const branch = uniq('b');
  expectJson(await rawReq('POST', '/api/v1/branches', { body: { name: branch, catalog: CATALOG, from_branch: 'main' } }), 201);
  const shared = metadataFiles(t.location);
  let r = await req('DELETE', `${t.path}?purgeRequested=true`);
  assert.equal(r.status, 204, r.text);
  let task = await waitTask(rawReq, r.headers['pangolin-task-id']);
  assert.equal(task.status, 'succeeded', JSON.stringify(task));
  assert.equal(task.kind, 'purge');
  for (const f of shared) assert.ok(fs.existsSync(f), `the branch still uses ${f}`);
  const onBranch = `${P}/namespaces/${nsPath([t.ns])}/tables/${t.name}@${branch}`;
  expectJson(await req('GET', onBranch), 200);
  // Dropped on the branch too: now nothing keeps them.
  r = await req('DELETE', `${onBranch}?purgeRequested=true`);
  assert.equal(r.status, 204, r.text);
  task = await waitTask(rawReq, r.headers['pangolin-task-id']);
  assert.equal(task.status, 'succeeded', JSON.stringify(task));
  for (const f of shared) assert.ok(!fs.existsSync(f), `purged ${f}`);
});
