// The task runners (issue 12, item 1): a supervisor forked from the
// parent keeps TASK_WORKER_CONCURRENCY runner processes, restarts one that
// dies, and goes with the parent; TASK_WORKER_ENABLED=false runs none.
// A runner claims queued tasks from the store; no kind runs yet, so a
// claimed task fails with "not supported yet" (never faked as done).
// SQLite only: the test queues a task with the sqlite3 CLI, since no route
// creates tasks yet.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { NIL_UUID, STORE, makeToml, request, spawnOnFreePort, tmpDir } from './lib/server.js';

const skip = STORE !== 'sqlite' && 'SQLite store only (run with PGL_STORE=sqlite)';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function childPids(pid) {
  const out = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch { /* exited meanwhile */ }
  }
  return out;
}

const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };

/** The parent's children that have children of their own: the supervisor. */
const supervisors = (parent) => childPids(parent).filter((p) => childPids(p).length > 0);

const threads = (pid) => { try { return fs.readdirSync(`/proc/${pid}/task`).length; } catch { return 0; } };
/* The supervisor's children: the runners (one thread each) and the event
 * dispatcher (its delivery threads besides; issue 43). */
const runnersOf = (sup) => childPids(sup).filter((p) => threads(p) === 1);
const dispatcherOf = (sup) => childPids(sup).filter((p) => threads(p) > 1);

async function until(fn, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v || Date.now() > end) return v;
    await sleep(50);
  }
}

async function start(env) {
  const dir = tmpDir('pgl-tasks');
  const config = path.join(dir, 'pangolin.toml');
  const { h, port } = await spawnOnFreePort((p) => {
    fs.writeFileSync(config, makeToml({ store: 'sqlite', port: p, dir }));
    return ['-c', config];
  }, env);
  return { h, dir, port, db: path.join(dir, 'pangolin.db') };
}

function sql(db, q) {
  // The server writes the same file: wait for its lock, as it does.
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', db, q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test('runners: N of them under one supervisor, restarted after kill -9, a queued task claimed, all gone with the parent', { skip }, async () => {
  const { h, dir, db } = await start({ TASK_WORKER_CONCURRENCY: '3', TASK_WORKER_POLL_INTERVAL_MS: '50' });
  try {
    const sup = await until(() => supervisors(h.proc.pid).length === 1 && supervisors(h.proc.pid));
    assert.ok(sup, 'one supervisor');
    const runners = await until(() => runnersOf(sup[0]).length === 3 && dispatcherOf(sup[0]).length === 1 && runnersOf(sup[0]));
    assert.ok(runners, `3 runners and the event dispatcher under ${sup[0]}: ${childPids(sup[0])}`);

    process.kill(runners[0], 'SIGKILL');
    const again = await until(() => {
      const now = runnersOf(sup[0]);
      return now.length === 3 && !now.includes(runners[0]) && now;
    });
    assert.ok(again, `a new runner replaced ${runners[0]}`);
    // The dispatcher is restarted the same way.
    const [disp] = dispatcherOf(sup[0]);
    process.kill(disp, 'SIGKILL');
    assert.ok(await until(() => {
      const now = dispatcherOf(sup[0]);
      return now.length === 1 && now[0] !== disp;
    }), `a new event dispatcher replaced ${disp}`);

    sql(db, "INSERT INTO tasks VALUES('k1','t','maintenance','queued',NULL,NULL,NULL,NULL,'{}',0,0,NULL,NULL,NULL,NULL,0,3,NULL,NULL,0,0,0,1000,0,0,1000)");
    const row = await until(() => {
      const r = sql(db, "SELECT status, error, attempts FROM tasks WHERE id = 'k1'");
      return r.startsWith('failed') && r;
    });
    assert.equal(row, 'failed|a maintenance task names no operations|1');

    const all = [sup[0], ...childPids(sup[0])];
    await h.stop();
    assert.ok(await until(() => !all.some(alive), 3000), 'supervisor and runners exit with the parent');
  } finally {
    h.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('TASK_WORKER_ENABLED=false: no supervisor, no runner; a queued task stays queued', { skip }, async () => {
  const { h, dir, db } = await start({ TASK_WORKER_ENABLED: 'false', TASK_WORKER_POLL_INTERVAL_MS: '50' });
  try {
    await sleep(300);
    assert.deepEqual(supervisors(h.proc.pid), []);
    sql(db, "INSERT INTO tasks VALUES('k1','t','maintenance','queued',NULL,NULL,NULL,NULL,'{}',0,0,NULL,NULL,NULL,NULL,0,3,NULL,NULL,0,0,0,1000,0,0,1000)");
    await sleep(500);
    assert.equal(sql(db, "SELECT status FROM tasks WHERE id = 'k1'"), 'queued');
    await h.stop();
  } finally {
    h.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a claimed task asked to cancel ends cancelled; one past max_attempts fails with its last error', { skip }, async () => {
  const { h, dir, db } = await start({ TASK_WORKER_CONCURRENCY: '1', TASK_WORKER_POLL_INTERVAL_MS: '50' });
  try {
    // Both were running under a runner whose lease expired (it died).
    sql(db, "INSERT INTO tasks VALUES('c1','t','maintenance','running',NULL,NULL,NULL,NULL,'{}',0,0,NULL,NULL,NULL,NULL,1,3,NULL,'dead',1,1,1,1000,1000,0,1000)");
    sql(db, "INSERT INTO tasks VALUES('a1','t','maintenance','running',NULL,NULL,NULL,NULL,'{}',0,0,NULL,NULL,NULL,'disk full',3,3,NULL,'dead',1,1,0,1001,1000,0,1000)");
    const rows = await until(() => {
      const r = sql(db, "SELECT id, status, error, attempts FROM tasks WHERE status != 'running' ORDER BY id");
      return r.split('\n').length === 2 && r;
    });
    assert.equal(rows, 'a1|failed|gave up after 3 attempts: disk full|4\nc1|cancelled||2');
    await h.stop();
  } finally {
    h.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const task = (id, tenant, status, created) =>
  `INSERT INTO tasks VALUES('${id}','${tenant}','maintenance','${status}','c1','main','a\x1fb','t1','{"older_than_ms":5}',2,7,'scan','2 of 7',NULL,NULL,0,3,'u1',NULL,0,0,0,${created},0,0,${created})`;

test('GET /api/v1/tasks/{id}, the list with filters and X-Total-Count, cancel (queued: cancelled; ended: 409); another tenant\'s task is 404', { skip }, async () => {
  const { h, dir, port, db } = await start({ TASK_WORKER_ENABLED: 'false' });
  try {
    sql(db, task('k1', NIL_UUID, 'queued', 1000) + ';' + task('k2', NIL_UUID, 'succeeded', 2000) + ';' + task('k3', 'other', 'queued', 3000));
    let r = await request(port, 'GET', '/api/v1/tasks/k1');
    assert.equal(r.status, 200, r.text);
    const t = JSON.parse(r.text);
    assert.equal(t.id, 'k1');
    assert.equal(t.status, 'queued');
    assert.deepEqual(t.target, { catalog: 'c1', branch: 'main', namespace: ['a', 'b'], table: 't1' });
    assert.deepEqual(t.params, { older_than_ms: 5 });
    assert.deepEqual(t.progress, { done: 2, total: 7, phase: 'scan', message: '2 of 7' });
    assert.equal(t.created_by, 'u1');
    assert.equal(t.created_at, '1970-01-01T00:00:01Z');

    r = await request(port, 'GET', '/api/v1/tasks');
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.text).map((x) => x.id), ['k2', 'k1']);
    assert.equal(r.headers['x-total-count'], '2');
    r = await request(port, 'GET', '/api/v1/tasks?status=succeeded');
    assert.deepEqual(JSON.parse(r.text).map((x) => x.id), ['k2']);

    assert.equal((await request(port, 'GET', '/api/v1/tasks/k3')).status, 404);
    assert.equal((await request(port, 'POST', '/api/v1/tasks/k3/cancel')).status, 404);
    r = await request(port, 'POST', '/api/v1/tasks/k1/cancel');
    assert.equal(r.status, 202, r.text);
    assert.equal(JSON.parse(r.text).status, 'cancelled');
    assert.equal(sql(db, "SELECT status FROM tasks WHERE id = 'k1'"), 'cancelled');
    r = await request(port, 'POST', '/api/v1/tasks/k2/cancel');
    assert.equal(r.status, 409, r.text);
    assert.equal(typeof JSON.parse(r.text), 'object', 'a JSON error');
    await h.stop();
  } finally {
    h.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
