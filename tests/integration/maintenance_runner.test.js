// Maintenance tasks against their runners' failures (issue 12): a runner
// killed with -9 mid-task (its lease runs out, another runner reclaims the
// task and finishes it), a cancel mid-run (cooperative, between steps),
// and SIGTERM (the runner hands its task back at once).  A test hook,
// PGL_TEST_TASK_STEP_MS, makes every step of a task slow enough to hit.
// Not on the memory store, whose tasks run inside the request.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { expectJson, uniq } from './lib/expect.js';
import { CATALOG, nsPath, simpleSchema, startIcebergServer } from './lib/iceberg.js';
import { STORE } from './lib/server.js';
import { waitTask } from './lib/tasks.js';
import { fsPath } from './lib/location.js';

const skip = STORE === 'memory' && 'the memory store runs tasks in the request, without runners';
const P = `/v1/${CATALOG}`;
const DAY = 24 * 3600 * 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const servers = [];
after(async () => { for (const s of servers) await s.stop().catch(() => {}); });

async function server(env, opts = {}) {
  const s = await startIcebergServer({ ...opts, env: { TASK_WORKER_POLL_INTERVAL_MS: '50', TASK_WORKER_CONCURRENCY: '2', ...env } });
  servers.push(s);
  return s;
}

/** A table with `n` old orphan files planted below it. */
async function tableWithOrphans(srv, n = 5) {
  const ns = uniq('ns');
  expectJson(await srv.req('POST', `${P}/namespaces`, { body: { namespace: [ns] } }), 200);
  const t = expectJson(await srv.req('POST', `${P}/namespaces/${nsPath([ns])}/tables`, { body: { name: 't', schema: simpleSchema() } }), 200);
  const orphans = [];
  const when = new Date(Date.now() - 10 * DAY);
  for (let i = 0; i < n; i++) {
    const f = path.join(fsPath(t.metadata.location), 'data', `orphan-${i}.parquet`);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, 'x');
    fs.utimesSync(f, when, when);
    orphans.push(f);
  }
  return { path: `${P}/namespaces/${nsPath([ns])}/tables/t`, orphans, metadata: fsPath(t['metadata-location']) };
}

async function queue(srv, tablePath) {
  const r = await srv.rawReq('POST', `${tablePath}/maintenance`, { body: { operations: ['remove_orphan_files'], older_than_ms: DAY } });
  return expectJson(r, 202).task_id;
}

async function whenRunning(srv, id) {
  for (let i = 0; i < 200; i++) {
    const t = expectJson(await srv.rawReq('GET', `/api/v1/tasks/${id}`), 200);
    if (t.status === 'running' && t.lease_owner) return t;
    await sleep(25);
  }
  assert.fail(`task ${id} never ran`);
}

test('kill -9 of the runner mid-task: the lease runs out, another runner reclaims the task and completes it', { skip }, async () => {
  const srv = await server({ TASK_WORKER_LEASE_MS: '1500', PGL_TEST_TASK_STEP_MS: '300' });
  const t = await tableWithOrphans(srv);
  const id = await queue(srv, t.path);
  const running = await whenRunning(srv, id);
  const pid = Number(running.lease_owner.split(':').pop());
  assert.ok(pid > 1, running.lease_owner);
  process.kill(pid, 'SIGKILL');
  const done = await waitTask(srv.rawReq, id, { timeout: 30000 });
  assert.equal(done.status, 'succeeded', JSON.stringify(done));
  assert.ok(done.attempts >= 2, `reclaimed: attempts ${done.attempts}`);
  assert.notEqual(done.lease_owner, running.lease_owner);
  for (const f of t.orphans) assert.ok(!fs.existsSync(f), `deleted ${f}`);
  assert.ok(fs.existsSync(t.metadata), 'the table\'s metadata stays');
  expectJson(await srv.req('GET', t.path), 200);
});

test('cancel mid-run: the runner stops between steps, the task ends cancelled, the table is intact', { skip }, async () => {
  const srv = await server({ PGL_TEST_TASK_STEP_MS: '400' });
  const t = await tableWithOrphans(srv);
  const id = await queue(srv, t.path);
  await whenRunning(srv, id);
  const c = expectJson(await srv.rawReq('POST', `/api/v1/tasks/${id}/cancel`), 202);
  assert.equal(c.cancel_requested, true);
  const done = await waitTask(srv.rawReq, id);
  assert.equal(done.status, 'cancelled', JSON.stringify(done));
  assert.ok(fs.existsSync(t.metadata));
  expectJson(await srv.req('GET', t.path), 200);
  // Ended: a second cancel is a conflict.
  assert.equal((await srv.rawReq('POST', `/api/v1/tasks/${id}/cancel`)).status, 409);
});

test('SIGTERM: the runner hands its task back (no lease left), and the next server finishes it at once', { skip }, async () => {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'pgl-term-'));
  const first = await startIcebergServer({ dir, env: { TASK_WORKER_POLL_INTERVAL_MS: '50', TASK_WORKER_LEASE_MS: '600000', PGL_TEST_TASK_STEP_MS: '500' } });
  const t = await tableWithOrphans(first);
  const id = await queue(first, t.path);
  await whenRunning(first, id);
  await first.stop({ keep: true });
  // A lease of 10 minutes: only a released task can be claimed now.
  const second = await startIcebergServer({ dir, env: { TASK_WORKER_POLL_INTERVAL_MS: '50', TASK_WORKER_LEASE_MS: '600000' } });
  servers.push(second);
  const done = await waitTask(second.rawReq, id, { timeout: 15000 });
  assert.equal(done.status, 'succeeded', JSON.stringify(done));
  for (const f of t.orphans) assert.ok(!fs.existsSync(f), `deleted ${f}`);
});
