// Commits run on one worker ([server] commit_workers, default 1): a
// connection that sends a commit to another worker is handed over, with
// what was read from it, and stays; a connection on the commit worker that
// reads while commits are under way there goes to a worker that takes none
// (src/http/kore_move.c).  Where a connection lives is read from /proc
// (lib/workers.js), not guessed from timings.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { uniq } from './lib/expect.js';
import { CATALOG, simpleSchema, startIcebergServer } from './lib/iceberg.js';
import { STORE } from './lib/server.js';
import { rawConnection } from './lib/raw_http.js';
import { holders, openConnections, workerPids } from './lib/workers.js';
import { holdWriterLock } from './lib/writer_lock.js';

const P = `/v1/${CATALOG}`;
const skip = STORE === 'memory' && 'the memory store runs one worker';
let srv;

before(async () => {
  if (skip) return;
  srv = await startIcebergServer({ workers: 2 });
  assert.equal((await srv.req('POST', `${P}/namespaces`, { body: { namespace: ['a'] } })).status, 200);
});
after(async () => { await srv?.stop(); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const commitBody = (k, v) => JSON.stringify({ updates: [{ action: 'set-properties', updates: { [k]: v } }] });
const postHead = (p, body) => `POST ${p} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
  `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
const get = (p) => `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`;

async function table(s) {
  const name = uniq('t');
  const r = await s.req('POST', `${P}/namespaces/a/tables`, { body: { name, schema: simpleSchema() }, agent: false });
  assert.equal(r.status, 200, r.text);
  return `${P}/namespaces/a/tables/${name}`;
}

async function metric(s, name) {
  const text = (await s.req('GET', '/metrics', { agent: false })).text;
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
}

const connect = (s) => rawConnection(s.port);

/** Wait (5 s at most) until the connection is held by exactly these workers. */
async function heldBy(s, c, ids, why) {
  const w = workerPids(s.proc.pid);
  let now;
  for (const deadline = Date.now() + 5000; ;) {
    now = holders(w, s.port, c.port);
    if (JSON.stringify(now) === JSON.stringify(ids)) return;
    if (Date.now() > deadline) break;
    await sleep(10);
  }
  assert.fail(`${why}: held by worker(s) ${JSON.stringify(now)}, not ${JSON.stringify(ids)}`);
}

/** Worker id that took the connection (accepts are asynchronous). */
async function landing(s, c) {
  const w = workerPids(s.proc.pid);
  assert.equal(w.size, 2, `two workers: ${JSON.stringify([...w])}`);
  for (const deadline = Date.now() + 5000; Date.now() < deadline; await sleep(5)) {
    const now = holders(w, s.port, c.port);
    if (now.length === 1) return now[0];
  }
  assert.fail('no worker took the connection within 5 s');
}

/** A connection accepted by worker id; the others opened on the way stay
 * open (in spare) so that the workers' accept share sends new ones on. */
async function landOn(s, id, spare) {
  for (let i = 0; i < 64; i++) {
    const c = await connect(s);
    if (await landing(s, c) === id) return c;
    spare.push(c);
  }
  assert.fail(`none of 64 connections was accepted by worker ${id}`);
}

test('a connection that sends a commit to a worker that takes none is handed to the commit worker with its request, and stays there', { skip }, async () => {
  const t = await table(srv);
  const spare = [];
  try {
    const moved = await metric(srv, 'pangolin_connections_moved_to_commit_worker_total');
    const c = await landOn(srv, 2, spare);
    const body = commitBody('k', 'v1');
    c.write(postHead(t, body) + body);
    const r = await c.next();
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.metadata.properties.k, 'v1');
    await heldBy(srv, c, [1], 'after its commit');
    assert.equal(await metric(srv, 'pangolin_connections_moved_to_commit_worker_total'), moved + 1);
    // Its next requests, a read and a commit, are answered where it is now.
    c.write(get(t));
    const l = await c.next();
    assert.equal(l.status, 200, l.text);
    assert.equal(l.json.metadata.properties.k, 'v1');
    const body2 = commitBody('k', 'v2');
    c.write(postHead(t, body2) + body2);
    assert.equal((await c.next()).status, 200);
    await heldBy(srv, c, [1], 'after its next requests');
    assert.equal(await metric(srv, 'pangolin_connections_moved_to_commit_worker_total'), moved + 1);
    c.close();
  } finally {
    for (const c of spare) c.close();
  }
});

test('a commit whose body arrives after its head was handed over, and a load pipelined behind it, are answered in order', { skip }, async () => {
  const t = await table(srv);
  const spare = [];
  try {
    const c = await landOn(srv, 2, spare);
    const body = commitBody('late', 'yes');
    const half = Math.floor(body.length / 2);
    c.write(postHead(t, body) + body.slice(0, half));
    // The head is whole: the connection moves with half a body read.
    await heldBy(srv, c, [1], 'with its commit\'s head in');
    c.write(body.slice(half) + get(t));
    const r = await c.next();
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.metadata.properties.late, 'yes');
    const l = await c.next();
    assert.equal(l.status, 200, l.text);
    assert.equal(l.json['metadata-location'], r.json['metadata-location']);
    c.close();
  } finally {
    for (const c of spare) c.close();
  }
});

test('while a commit is under way on the commit worker, a connection there that never committed is handed to another worker as it reads', { skip: skip || (!['sqlite', 'postgres'].includes(STORE) && 'no writer lock another process can hold on this store') }, async () => {
  const t = await table(srv);
  const spare = [];
  let holder;
  try {
    const deferred = () => metric(srv, 'pangolin_commit_swaps_deferred_total');
    const d0 = await deferred();
    holder = await holdWriterLock(srv);
    // The commit stays open on worker 1 while another process holds the lock.
    const w = await landOn(srv, 1, spare);
    const body = commitBody('held', 'v');
    w.write(postHead(t, body) + body);
    const committed = w.next();
    for (let i = 0; await deferred() === d0; i++) {
      assert.ok(i < 1000, 'the commit never reached its swap');
      await sleep(5);
    }
    const movedOff = await metric(srv, 'pangolin_connections_moved_off_commit_worker_total');
    const r = await landOn(srv, 1, spare);
    r.write(get(t));
    const l = await r.next();
    assert.equal(l.status, 200, l.text);
    assert.equal(l.json.metadata.properties.held, undefined, 'the commit landed while the lock was held');
    await heldBy(srv, r, [2], 'the reader');
    // At least this one (a metrics request may have moved too).
    assert.ok(await metric(srv, 'pangolin_connections_moved_off_commit_worker_total') >= movedOff + 1);
    // It stays there for its next read.
    r.write(get(t));
    assert.equal((await r.next()).status, 200);
    await heldBy(srv, r, [2], 'the reader, after another read');
    await holder.release();
    holder = null;
    const c = await committed;
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.metadata.properties.held, 'v');
    w.close();
    r.close();
  } finally {
    holder?.kill();
    for (const c of spare) c.close();
  }
});

// Another writer (a replica over the same store) moves one table of a
// group while the group waits for the store: the group's transaction
// leaves that table's swap out and the rest lands; that commit alone is
// made again, on the table as the other writer left it
// (src/api/commit/swap_runs.c).  Here the other writer is the session
// holding the writer lock: it points t back at its first file.  Both
// commits are known to be ready to swap before the lock is let go: the
// write pool's count rose by two (a written file is pushed to the ready
// list in the same turn of the loop), then a swap gave way after that.
test('a table another writer moved is left out of its group\'s swap; the rest lands and that commit is made again on the moved table', { skip: skip || (!['sqlite', 'postgres'].includes(STORE) && 'no writer lock another process can hold on this store') }, async () => {
  const name = uniq('t');
  const created = await srv.req('POST', `${P}/namespaces/a/tables`, { body: { name, schema: simpleSchema() }, agent: false });
  assert.equal(created.status, 200, created.text);
  const t = `${P}/namespaces/a/tables/${name}`;
  const u = await table(srv);
  const f0 = created.json['metadata-location'];
  const first = await srv.req('POST', t, { body: { updates: [{ action: 'set-properties', updates: { a: '1' } }] }, agent: false });
  assert.equal(first.status, 200, first.text);
  const f1 = first.json['metadata-location'];
  const lost0 = await metric(srv, 'pangolin_commit_group_swaps_lost_total');
  const writes0 = await metric(srv, 'pangolin_commit_pool_writes_total');
  let holder;
  try {
    holder = await holdWriterLock(srv);
    await holder.run((n) => `UPDATE ${n('assets')} SET metadata_location = '${f0}' WHERE metadata_location = '${f1}'`);
    const post = (p, k) => srv.req('POST', p, { body: { updates: [{ action: 'set-properties', updates: { [k]: 'v' } }] }, agent: false });
    const answers = Promise.all([post(t, 'b'), post(u, 'c')]);
    for (let i = 0; await metric(srv, 'pangolin_commit_pool_writes_total') < writes0 + 2; i++) {
      assert.ok(i < 2000, 'the two commits never had their files written');
      await sleep(5);
    }
    const d = await metric(srv, 'pangolin_commit_swaps_deferred_total');
    for (let i = 0; await metric(srv, 'pangolin_commit_swaps_deferred_total') === d; i++) {
      assert.ok(i < 2000, 'the group never tried its swap');
      await sleep(5);
    }
    await holder.release();
    holder = null;
    const [rt, ru] = await answers;
    assert.equal(rt.status, 200, rt.text);
    assert.equal(ru.status, 200, ru.text);
    assert.equal(await metric(srv, 'pangolin_commit_group_swaps_lost_total') - lost0, 1, 'one swap left out of the group');
    // Made again on the file the other writer left: its property only.
    const props = rt.json.metadata.properties;
    assert.equal(props.b, 'v');
    assert.equal(props.a, undefined, 'made on the file before the first commit');
    assert.ok(rt.json.metadata['metadata-log'].some((e) => e['metadata-file'] === f0));
    const mt = (await srv.req('GET', t, { agent: false })).json;
    assert.equal(mt['metadata-location'], rt.json['metadata-location']);
    assert.equal((await srv.req('GET', u, { agent: false })).json.metadata.properties.c, 'v');
  } finally {
    holder?.kill();
  }
});

test('connections are counted per address where they live: with a cap of one a worker, every connection that moved frees its place on both', { skip }, async () => {
  const s = await startIcebergServer({ workers: 2, env: { PANGOLIN_MAX_CONNS_PER_ADDR: '1' } });
  // One connection at a time: the next opens once the server has closed
  // every end it held (start-up's probes too).
  const quiet = async () => {
    for (const deadline = Date.now() + 5000; openConnections(s.port) > 0; await sleep(10))
      assert.ok(Date.now() < deadline, `the server still holds ${openConnections(s.port)} connection(s)`);
  };
  const once = async (text) => {
    await quiet();
    const c = await connect(s);
    c.write(text);
    const r = await c.next();
    c.close();
    return r;
  };
  try {
    const ns = JSON.stringify({ namespace: ['a'] });
    assert.equal((await once(postHead(`${P}/namespaces`, ns) + ns)).status, 200);
    const create = JSON.stringify({ name: 'capped', schema: simpleSchema() });
    assert.equal((await once(postHead(`${P}/namespaces/a/tables`, create) + create)).status, 200);
    const t = `${P}/namespaces/a/tables/capped`;
    // Were a count not let go (by the worker a connection left, or the one
    // it moved to), the next connection that worker accepted would be
    // refused 503.
    let moves = 0;
    const afterMove = { 1: 0, 2: 0 };
    for (let i = 0; i < 400 && (moves < 3 || afterMove[1] < 3); i++) {
      await quiet();
      const c = await connect(s);
      const at = await landing(s, c);
      const body = commitBody('n', String(i));
      c.write(postHead(t, body) + body);
      const r = await c.next();
      assert.equal(r.status, 200, `connection ${i} on worker ${at}: ${r.text}`);
      if (moves > 0) afterMove[at]++;
      if (at === 2) {
        await heldBy(s, c, [1], `connection ${i}, after its commit`);
        moves++;
      }
      c.close();
    }
    assert.ok(moves >= 3 && afterMove[1] >= 3, `moves ${moves}, then accepted by worker 1: ${afterMove[1]}`);
  } finally {
    await s.stop();
  }
});

/** fn(server, t, spare) on a server of two workers that both commit
 * (commit_workers = 0), t a fresh table; spare connections closed after. */
async function everyWorkerCommitting(fn) {
  const s = await startIcebergServer({ workers: 2, env: { PANGOLIN_COMMIT_WORKERS: '0' } });
  const spare = [];
  try {
    assert.equal((await s.req('POST', `${P}/namespaces`, { body: { namespace: ['a'] }, agent: false })).status, 200);
    await fn(s, await table(s), spare);
  } finally {
    for (const c of spare) c.close();
    await s.stop();
  }
}

test('with commit_workers = 0 no connection moves', { skip }, () => everyWorkerCommitting(async (s, t, spare) => {
  const c = await landOn(s, 2, spare);
  const body = commitBody('k', 'here');
  c.write(postHead(t, body) + body);
  assert.equal((await c.next()).status, 200);
  await heldBy(s, c, [2], 'after its commit');
  assert.equal(await metric(s, 'pangolin_connections_moved_to_commit_worker_total'), 0);
  c.close();
}));

// With every worker committing, each keeps its last row of a table as a
// hint for the table's next commit, and the other worker's commits make
// it stale: the swap is lost and the commit runs again.  A hint found
// stale rests the table's hints (src/api/commit/rows.c), so commits sent
// to the two workers in turn lose a swap about once a worker, not nearly
// every time (18 of 20 before).  Each commit waits for the one before.
test('with every worker committing one table in turn, a stale row hint costs a lost swap once, not each commit', { skip }, () => everyWorkerCommitting(async (s, t, spare) => {
  const on = [await landOn(s, 1, spare), await landOn(s, 2, spare)];
  const before = await metric(s, 'pangolin_commit_retries_total');
  for (let i = 0; i < 20; i++) {
    const c = on[i % 2];
    const body = commitBody('k', `v${i}`);
    c.write(postHead(t, body) + body);
    const res = await c.next();
    assert.equal(res.status, 200, `commit ${i}`);
  }
  const retries = await metric(s, 'pangolin_commit_retries_total') - before;
  assert.ok(retries <= 6, `${retries} lost swaps in 20 commits`);
  const meta = JSON.parse((await s.req('GET', t, { agent: false })).text).metadata;
  assert.equal(meta.properties.k, 'v19');
  for (const c of on) c.close();
}));
