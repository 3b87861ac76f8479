// A client's table or view commit on local disk waits for its metadata
// file in the worker's write pool (src/storage/write_pool.c) while the
// worker serves other requests (pgl_req_pend in src/http/kore_dispatch.c).
// What that must not change: answers on one connection keep their order
// (HTTP/1.1 pipelining), a client that leaves mid-commit breaks nothing,
// and commits of one table from one worker all land.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { pool, uniq } from './lib/expect.js';
import { rawConnection } from './lib/raw_http.js';
import { CATALOG, simpleSchema, startIcebergServer } from './lib/iceberg.js';
import { STORE } from './lib/server.js';
import { holdWriterLock } from './lib/writer_lock.js';

const P = `/v1/${CATALOG}`;
let srv;

before(async () => {
  srv = await startIcebergServer({ workers: STORE === 'memory' ? undefined : 2 });
  assert.equal((await srv.req('POST', `${P}/namespaces`, { body: { namespace: ['a'] } })).status, 200);
});
// stop() fails on any sanitizer report in the server's log.
after(async () => { await srv?.stop(); });

async function table() {
  const name = uniq('t');
  const r = await srv.req('POST', `${P}/namespaces/a/tables`, { body: { name, schema: simpleSchema() } });
  assert.equal(r.status, 200, r.text);
  return `${P}/namespaces/a/tables/${name}`;
}

const commitBody = (k, v) => JSON.stringify({ updates: [{ action: 'set-properties', updates: { [k]: v } }] });
const post = (p, body, id) => `POST ${p} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
  `X-Request-Id: ${id}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const get = (p, id) => `GET ${p} HTTP/1.1\r\nHost: x\r\nX-Request-Id: ${id}\r\n\r\n`;

/** The first n answers to text, written at once on one connection. */
async function pipelined(text, n) {
  const c = await rawConnection(srv.port);
  const out = [];
  const timer = setTimeout(() => c.close(), 20000);
  try {
    c.write(text);
    while (out.length < n) out.push(await c.next());
    return out;
  } catch (e) {
    throw new Error(`only ${out.length} of ${n} answers: ${e.message}`);
  } finally {
    clearTimeout(timer);
    c.close();
  }
}

test('pipelined on one connection, a commit, a load, a commit and a load answer in order, each load seeing the commit before it', async () => {
  const p = await table();
  const answers = await pipelined(post(p, commitBody('x', '1'), 'c1') + get(p, 'l1') +
    post(p, commitBody('x', '2'), 'c2') + get(p, 'l2'), 4);
  assert.deepEqual(answers.map((a) => a.id), ['c1', 'l1', 'c2', 'l2']);
  assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200]);
  assert.equal(answers[1].json['metadata-location'], answers[0].json['metadata-location']);
  assert.equal(answers[1].json.metadata.properties.x, '1');
  assert.equal(answers[3].json['metadata-location'], answers[2].json['metadata-location']);
  assert.equal(answers[3].json.metadata.properties.x, '2');
});

const pooled = async () => Number(/^pangolin_commit_pool_writes_total (\d+)$/m.exec((await srv.req('GET', '/metrics')).text)?.[1]);
const threaded = async (s = srv) => Number(/^pangolin_commit_thread_attempts_total (\d+)$/m.exec((await s.req('GET', '/metrics')).text)?.[1]);
const counter = async (name) => Number(new RegExp(`^pangolin_${name}_total (\\d+)$`, 'm').exec((await srv.req('GET', '/metrics')).text)?.[1]);

// Before the test of clients that leave: the commits it leaves behind may
// still land while a later test counts the server's files and retries.
test('64 commits of one table at once over 64 connections all land, one worker at a time, their files written by the pool', async () => {
  const p = await table();
  const before = await pooled();
  const computed = await threaded();
  const [onLoop0, chained0] = [await counter('commit_loop_attempts'), await counter('commit_chained')];
  const retried = await counter('commit_retries');
  const takenOver = await counter('commit_claim_takeovers');
  assert.ok(Number.isFinite(retried) && Number.isFinite(takenOver));
  const st = await pool(Array.from({ length: 64 }, (_, i) => i), 64, async (i) => {
    for (let tries = 1; ; tries++) {
      const r = await srv.req('POST', p, { body: JSON.parse(commitBody(`k${i}`, String(i))) });
      // The MongoDB-protocol test server has no multi-document
      // transactions: the locked attempt that stops a writer from losing
      // forever holds nothing there (commit/loop.c), and a commit of one
      // worker can lose to every commit of the other in turn.  There a
      // 409 CommitFailedException is the spec's answer, and a client
      // commits again, as Iceberg clients do.  Every other store: 200.
      if (STORE === 'mongo' && r.status === 409 && r.json?.error?.type === 'CommitFailedException' && tries < 4) continue;
      assert.equal(r.status, 200, r.text);
      return r.json['metadata-location'];
    }
  });
  assert.equal(new Set(st).size, 64, 'every commit wrote its own file');
  const load = await srv.req('GET', p);
  for (let i = 0; i < 64; i++) assert.equal(load.json.metadata.properties[`k${i}`], String(i));
  assert.ok(await pooled() - before >= 64, 'the write pool wrote every file');
  // Parsing, applying and rendering ran on the workers' commit threads,
  // not on their event loops (issue 45), but for a commit chained on the
  // one before it on the commit worker, whose reads go to the other
  // (commit/loop.c, chained_here): at least one attempt a commit.
  const onLoop = await counter('commit_loop_attempts') - onLoop0;
  assert.ok(onLoop <= await counter('commit_chained') - chained0, 'only chained commits were computed on a loop');
  assert.ok(await threaded() - computed + onLoop >= 64, 'every commit was computed on a commit thread, or chained on the commit worker\'s loop');
  // The two workers take turns on the table (a claim they share,
  // commit/async.c), so no commit is written on a base the other worker
  // replaces meanwhile: no lost race, no file written twice.  Only a
  // claim taken over from a holder silent for 2 s could race.
  if (await counter('commit_claim_takeovers') === takenOver) {
    assert.equal(await counter('commit_retries') - retried, 0, 'no commit lost a race to the other worker');
    assert.equal(await pooled() - before, 64, 'one file a commit');
  }
});

test('clients that leave right after sending their commits: the server stays up and the table stays sound', async () => {
  const p = await table();
  const sent = [];
  for (let i = 0; i < 32; i++) {
    sent.push(new Promise((resolve) => {
      const sock = net.connect(srv.port, '127.0.0.1', () => {
        sock.write(post(p, commitBody(`k${i}`, 'v'), `gone${i}`), () => { sock.destroy(); resolve(); });
      });
      sock.on('error', resolve);
    }));
  }
  await Promise.all(sent);
  // The server goes on with commits whose clients left: wait until the
  // catalog log stops growing (under CI's load that took over 500 ms).
  const name = p.split('/').at(-1);
  const logged = async () => (await srv.req('GET', `/api/v1/branches/main/commits?catalog=${CATALOG}&limit=10000`))
    .json.filter((c) => c.message === `Commit table a.${name}`).length;
  for (let last = -1, n = await logged(), t0 = Date.now(); n !== last && Date.now() - t0 < 20000; ) {
    await new Promise((r) => setTimeout(r, 500));
    [last, n] = [n, await logged()];
  }
  // Whatever of them landed, the pointer names a file that is there, and
  // a commit after them lands on it.
  const r = await srv.req('POST', p, { body: JSON.parse(commitBody('after', 'yes')) });
  assert.equal(r.status, 200, r.text);
  const loc = r.json['metadata-location'];
  assert.ok(fs.existsSync(new URL(loc.startsWith('file:') ? loc : `file://${loc}`)), loc);
  const load = await srv.req('GET', p);
  assert.equal(load.json.metadata.properties.after, 'yes');
  const landed = Object.keys(load.json.metadata.properties).filter((k) => /^k\d+$/.test(k));
  assert.equal(await logged(), landed.length + 1,
    'every commit that moved the pointer is in the catalog log, and no other');
});

test('[storage] commit_threads = 0: commits compute on the event loop, and land the same', async () => {
  const inline = await startIcebergServer({ workers: STORE === 'memory' ? undefined : 2, env: { PANGOLIN_COMMIT_THREADS: '0' } });
  try {
    assert.equal((await inline.req('POST', `${P}/namespaces`, { body: { namespace: ['a'] } })).status, 200);
    const name = uniq('t');
    assert.equal((await inline.req('POST', `${P}/namespaces/a/tables`, { body: { name, schema: simpleSchema() } })).status, 200);
    const p = `${P}/namespaces/a/tables/${name}`;
    await pool(Array.from({ length: 16 }, (_, i) => i), 8, async (i) => {
      for (let tries = 1; ; tries++) {
        const r = await inline.req('POST', p, { body: JSON.parse(commitBody(`k${i}`, String(i))) });
        if (STORE === 'mongo' && r.status === 409 && tries < 4) continue;
        assert.equal(r.status, 200, r.text);
        return;
      }
    });
    const load = await inline.req('GET', p);
    for (let i = 0; i < 16; i++) assert.equal(load.json.metadata.properties[`k${i}`], String(i));
    assert.equal(await threaded(inline), 0, 'no commit thread ran');
    // A refused update is still refused, with the same answer.
    const bad = await inline.req('POST', p, { body: { updates: [{ action: 'set-current-schema', 'schema-id': 99 }] } });
    assert.equal(bad.status, 400, bad.text);
  } finally {
    await inline.stop();
  }
});

const metric = async (name) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec((await srv.req('GET', '/metrics')).text)?.[1]);
/** Every event of the catalog's feed (POST /v1/{prefix}/events), page by page. */
async function feedEvents() {
  const out = [];
  let token;
  for (;;) {
    const r = await srv.req('POST', `${P}/events`, { body: { 'page-size': 1000, 'continuation-token': token } });
    assert.equal(r.status, 200, r.text);
    out.push(...r.json.events);
    if (r.json.events.length === 0 || r.json['continuation-token'] === token) return out;
    token = r.json['continuation-token'];
  }
}
const fileOf = (loc) => new URL(loc.startsWith('file:') ? loc : `file://${loc}`);

test('commits of 32 tables at once swap in shared store transactions (group commit): each lands once, with its catalog commit and its files', async () => {
  const tables = [];
  for (let i = 0; i < 32; i++) tables.push(await table());
  const total = async () => Number((await srv.req('GET', `/api/v1/branches/main/commits?catalog=${CATALOG}&limit=1`)).headers['x-total-count']);
  const [groups0, grouped0] = [await metric('pangolin_commit_groups_total'), await metric('pangolin_commit_grouped_total')];
  const syncs0 = await metric('pangolin_commit_log_syncs_total');
  const undeferred0 = await metric('pangolin_commit_groups_undeferred_total');
  const [flights0, hints0] = [await metric('pangolin_commit_flights_total'), await metric('pangolin_commit_row_hints_total')];
  const treeMisses = async () => Number(/^pangolin_cache_misses_total\{cache="metadata_trees",tier="l1"\} (\d+)$/m.exec((await srv.req('GET', '/metrics')).text)?.[1]);
  const misses0 = await treeMisses();
  const history0 = await total();
  assert.ok(history0 > 0, 'the history has a total');
  for (let round = 0; round < 4; round++) {
    await pool(tables, 32, async (p) => {
      const r = await srv.req('POST', p, { body: JSON.parse(commitBody(`r${round}`, p)) });
      assert.equal(r.status, 200, r.text);
    });
  }
  for (const p of tables) {
    const md = (await srv.req('GET', p)).json.metadata;
    for (let round = 0; round < 4; round++) assert.equal(md.properties[`r${round}`], p);
    // Every file of the table's history is there: none deleted by a
    // group that failed and a commit that then wrote again.
    for (const e of md['metadata-log']) assert.ok(fs.existsSync(fileOf(e['metadata-file'])), e['metadata-file']);
  }
  assert.equal(await total() - history0, 128, 'one catalog commit per commit');
  // Each table's base is parsed once, by its first commit; every later
  // one finds the file the commit before it wrote, parsed, in the cache.
  const misses = await treeMisses() - misses0;
  assert.ok(misses <= 32, `${misses} bases parsed for 128 commits of 32 tables`);
  const groups = await metric('pangolin_commit_groups_total') - groups0;
  const grouped = await metric('pangolin_commit_grouped_total') - grouped0;
  if (STORE === 'mongo') {
    // The MongoDB-protocol test server cannot undo a failed transaction
    // (atomic() says 0): there every commit swaps alone.
    assert.equal(groups, 0);
  } else {
    assert.ok(groups > 0, `128 commits over 32 tables, none grouped (${grouped} in ${groups})`);
    assert.ok(grouped >= 2 * groups && grouped <= 128, `${grouped} commits in ${groups} groups`);
  }
  // SQLite syncs its log (the WAL) off the event loop, once a group,
  // before the group's commits are answered (commit/log_sync.h); every
  // other store's commit is durable as it returns.
  const syncs = await metric('pangolin_commit_log_syncs_total') - syncs0;
  if (STORE === 'sqlite') assert.ok(syncs > 0, `${syncs} log syncs for 128 commits`);
  else assert.equal(syncs, 0);
  // PostgreSQL's groups send their writes ahead (store ABI 1.24): every
  // one took, none had to run again, and each commit has its event.
  assert.equal(await metric('pangolin_commit_groups_undeferred_total') - undeferred0, 0);
  // And their COMMIT (store ABI 1.25): its answer is taken in later, the
  // worker's loop serving other work meanwhile.  The other stores commit
  // where they are.
  const flights = await metric('pangolin_commit_flights_total') - flights0;
  if (STORE === 'postgres') assert.ok(flights > 0 && flights <= groups, `${flights} of ${groups} groups answered later`);
  else assert.equal(flights, 0);
  // A table's later commits start from its row as the one before left it
  // on the commit worker, read from no store first: rounds 1-3, at most
  // 96, but for a commit chained on another (which reads none either).
  const hints = await metric('pangolin_commit_row_hints_total') - hints0;
  assert.ok(hints >= 64 && hints <= 96, `${hints} of 96 later commits started from the row their table's last left`);
  const names = new Set(tables.map((p) => p.split('/').pop()));
  const events = (await feedEvents()).filter((e) => e.operation['operation-type'] === 'update-table' &&
    names.has(e.operation.identifier?.name));
  assert.equal(events.length, 128, 'one update-table event per commit');
  assert.equal(new Set(events.map((e) => e['event-id'])).size, 128);
});

test("a table's next file copies the text of the entries it shares with the last from a memo, and is the same JSON", async () => {
  const p = await table();
  const copied0 = await metric('pangolin_commit_entries_copied_total');
  for (let i = 0; i < 10; i++) {
    const r = await srv.req('POST', p, { body: JSON.parse(commitBody(`m${i}`, `${i}`)) });
    assert.equal(r.status, 200, r.text);
  }
  // Ten files, each sharing its table's log, schemas, specs and orders
  // with the one before: the threads that rendered them copied some.
  // (Test builds render every copied entry again and stop the server
  // if its text differs: src/util/json_out.c, copy_check.)
  const copied = await metric('pangolin_commit_entries_copied_total') - copied0;
  assert.ok(copied > 0, `${copied} entries copied over ten commits of one table`);
  const r = await srv.req('GET', p);
  const log = r.json.metadata['metadata-log'];
  assert.equal(log.length, 10);
  // Each file is compact JSON, every entry in it once.
  for (const loc of [log[5]['metadata-file'], r.json['metadata-location']]) {
    const text = fs.readFileSync(fileOf(loc), 'utf8');
    assert.equal(text, JSON.stringify(JSON.parse(text)), loc);
  }
  const last = JSON.parse(fs.readFileSync(fileOf(r.json['metadata-location']), 'utf8'));
  assert.deepEqual(last['metadata-log'].map((e) => e['metadata-file']), log.map((e) => e['metadata-file']));
  assert.equal(last.properties.m9, '9');
});

test('a row hint is only a hint: a commit made elsewhere, a schema change and a rename each start from the row as it is', async () => {
  const p = await table();
  const hints = async () => metric('pangolin_commit_row_hints_total');
  const commit = async (body, want = 200) => {
    const r = await srv.req('POST', p, { body });
    assert.equal(r.status, want, r.text);
    return r.json;
  };
  await commit(JSON.parse(commitBody('k0', 'a')));
  let h = await hints();
  await commit(JSON.parse(commitBody('k1', 'b')));
  assert.equal(await hints() - h, 1, "a table's next commit starts from its row as the last left it");
  // A schema change reads its row: the data policies' check takes the
  // column tags of the row's id.
  h = await hints();
  const md = (await srv.req('GET', p)).json.metadata;
  const schema = { ...simpleSchema(), 'schema-id': md['last-column-id'] + 1, fields: [...simpleSchema().fields,
    { id: md['last-column-id'] + 1, name: 'added', required: false, type: 'string' }] };
  await commit({ updates: [{ action: 'add-schema', schema, 'last-column-id': md['last-column-id'] + 1 },
    { action: 'set-current-schema', 'schema-id': -1 }] });
  assert.equal(await hints() - h, 0, 'a schema change read its row');
  // The row moved by a transaction commit (another route, the same
  // worker's hint left behind would name the file before it): the next
  // commit's swap finds the pointer moved, runs again on the row as it
  // is, and keeps both changes.
  const name = p.split('/').pop();
  const tx = await srv.req('POST', `${P}/transactions/commit`, { body: { 'table-changes': [
    { identifier: { namespace: ['a'], name }, requirements: [], updates: [{ action: 'set-properties', updates: { tx: 'c' } }] }] } });
  assert.ok(tx.status === 204 || tx.status === 200, tx.text);
  await commit(JSON.parse(commitBody('k2', 'd')));
  const props = (await srv.req('GET', p)).json.metadata.properties;
  assert.deepEqual([props.k0, props.k1, props.tx, props.k2], ['a', 'b', 'c', 'd']);
  // A rename away and a new table of the old name: the hint names the
  // old row, whose pointer is not the new one's.
  const moved = uniq('mv');
  const rn = await srv.req('POST', `${P}/tables/rename`, { body: { source: { namespace: ['a'], name },
    destination: { namespace: ['a'], name: moved } } });
  assert.equal(rn.status, 204, rn.text);
  assert.equal((await srv.req('POST', `${P}/namespaces/a/tables`, { body: { name, schema: simpleSchema() } })).status, 200);
  await commit(JSON.parse(commitBody('fresh', 'e')));
  const fresh = (await srv.req('GET', p)).json.metadata.properties;
  assert.equal(fresh.fresh, 'e');
  assert.equal(fresh.k0, undefined, "the new table has none of the old one's properties");
  assert.equal((await srv.req('GET', `${P}/namespaces/a/tables/${moved}`)).json.metadata.properties.fresh, undefined);
});

test('commits of 16 tables at once on main and on a branch forked from it all land, and the fork keeps its view (the swaps that cannot go ahead are made waiting)', async () => {
  const tables = [];
  for (let i = 0; i < 16; i++) tables.push(await table());
  const fork = uniq('fk');
  assert.equal((await srv.req('POST', '/api/v1/branches', { body: { name: fork, catalog: CATALOG, branch_type: 'ingest', from_branch: 'main' } })).status, 201);
  const at = (p) => p.replace(/\/([^/]+)$/, `/$1@${fork}`);
  const commit = async (p, round) => {
    const r = await srv.req('POST', p, { body: JSON.parse(commitBody(`r${round}`, p)) });
    assert.equal(r.status, 200, r.text);
  };
  // Round 0 changes only the fork's tables, every one a row it inherits.
  const [undeferred0, groups0] = [await metric('pangolin_commit_groups_undeferred_total'), await metric('pangolin_commit_groups_total')];
  await pool(tables.map(at), 16, (p) => commit(p, 0));
  const [undeferred1, groups1] = [await metric('pangolin_commit_groups_undeferred_total'), await metric('pangolin_commit_groups_total')];
  for (let round = 1; round < 3; round++) {
    await pool([...tables, ...tables.map(at)], 32, (p) => commit(p, round));
  }
  for (const p of tables) {
    const main = (await srv.req('GET', p)).json.metadata.properties;
    assert.equal(main.r0, undefined, 'the fork\'s change stays on the fork');
  }
  for (const p of tables) {
    const main = (await srv.req('GET', p)).json.metadata.properties;
    const branch = (await srv.req('GET', at(p))).json.metadata.properties;
    for (let round = 1; round < 3; round++) assert.equal(main[`r${round}`], p);
    for (let round = 0; round < 3; round++) assert.equal(branch[`r${round}`], at(p));
  }
  // A fork's first change of a table it only inherits cannot go ahead:
  // on PostgreSQL every group of round 0 ran again, each write awaited;
  // after it the fork's rows are its own, and main's swaps (main has a
  // fork) wait by themselves, so no group runs twice.
  const [undeferred2, groups2] = [await metric('pangolin_commit_groups_undeferred_total'), await metric('pangolin_commit_groups_total')];
  assert.equal(undeferred1 - undeferred0, STORE === 'postgres' ? groups1 - groups0 : 0,
    `round 0: ${undeferred1 - undeferred0} groups ran again of ${groups1 - groups0}`);
  assert.equal(undeferred2 - undeferred1, 0, `rounds 1-2: ${undeferred2 - undeferred1} groups ran again of ${groups2 - groups1}`);
});

/**
 * A client that commits to table p over one raw keep-alive socket until
 * stop() or the server closes it: one commit in flight, each setting
 * key `${id}-${n}`, with the time it was written and its status.
 */
function committer(port, p, id) {
  const log = [];
  let stopped = false;
  const run = (async () => {
    const sock = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => { sock.once('connect', resolve); sock.once('error', resolve); });
    let buf = Buffer.alloc(0);
    let waiting = null;
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1 || !waiting) return;
      const head = buf.subarray(0, end).toString('latin1');
      const len = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (buf.length < end + 4 + len) return;
      buf = buf.subarray(end + 4 + len);
      const w = waiting;
      waiting = null;
      w({ status: Number(head.split(' ')[1]), close: /\r\nconnection: *close/i.test(head) });
    });
    const closed = new Promise((resolve) => { sock.on('close', resolve); sock.on('error', resolve); });
    for (let n = 0; !stopped && !sock.destroyed; n++) {
      const e = { key: `${id}-${n}`, sentAt: null, status: null };
      log.push(e);
      const answered = new Promise((resolve) => { waiting = resolve; });
      sock.write(post(p, commitBody(e.key, 'v'), e.key));
      e.sentAt = Date.now();
      const r = await Promise.race([answered, closed.then(() => null)]);
      if (r === null) break;
      e.status = r.status;
      if (r.close) break;
    }
    sock.destroy();
  })();
  return { log, stop: () => { stopped = true; return run; } };
}

test('SIGTERM in a commit storm: every commit written before the signal is answered, and every 200 is in the table after a restart', { skip: STORE !== 'sqlite' && 'one store is enough: the drain is the server\'s, not the store\'s' }, async () => {
  let s = await startIcebergServer({ store: 'sqlite', workers: 2 });
  assert.equal((await s.req('POST', `${P}/namespaces`, { body: { namespace: ['a'] } })).status, 200);
  const names = ['s0', 's1', 's2', 's3'];
  for (const name of names) assert.equal((await s.req('POST', `${P}/namespaces/a/tables`, { body: { name, schema: simpleSchema() } })).status, 200);
  const writers = Array.from({ length: 32 }, (_, i) => committer(s.port, `${P}/namespaces/a/tables/${names[i % 4]}`, `w${i}`));
  await new Promise((r) => setTimeout(r, 700));
  const signalAt = Date.now();
  const exit = await s.stop({ timeout: 5000, keep: true });
  await Promise.all(writers.map((w) => w.stop()));
  assert.deepEqual(exit, { code: 0, signal: null });

  const all = writers.flatMap((w) => w.log);
  const before = all.filter((e) => e.sentAt !== null && e.sentAt < signalAt);
  assert.ok(before.length > 20, `commits were running: ${before.length} before the signal`);
  assert.deepEqual(before.filter((e) => e.status === null).map((e) => e.key), [], 'commits written before SIGTERM without an answer');
  assert.deepEqual([...new Set(all.filter((e) => e.status !== null).map((e) => e.status))], [200]);

  s = await startIcebergServer({ store: 'sqlite', dir: s.dir });
  try {
    const props = {};
    for (const name of names) Object.assign(props, (await s.req('GET', `${P}/namespaces/a/tables/${name}`)).json.metadata.properties);
    const acked = all.filter((e) => e.status === 200).map((e) => e.key);
    assert.deepEqual(acked.filter((k) => props[k] !== 'v'), [], `acknowledged commits missing after the restart (of ${acked.length})`);
  } finally {
    await s.stop();
  }
});

test('a swap that finds another process holding the store\'s writer lock gives way: its worker answers reads meanwhile, and the commit lands once the lock is free', { skip: !['sqlite', 'postgres'].includes(STORE) && 'the other stores take no lock a writer waits for on the worker' }, async () => {
  // One worker: were its loop waiting for the lock (SQLite's busy handler,
  // PostgreSQL's pg_advisory_lock), nothing would answer until it came
  // free or the wait timed out.
  const s = await startIcebergServer({ workers: 1 });
  let holder;
  try {
    assert.equal((await s.req('POST', `${P}/namespaces`, { body: { namespace: ['a'] } })).status, 200);
    const t = `${P}/namespaces/a/tables/held`;
    assert.equal((await s.req('POST', `${P}/namespaces/a/tables`, { body: { name: 'held', schema: simpleSchema() } })).status, 200);
    const deferred = async () => Number(/^pangolin_commit_swaps_deferred_total (\d+)$/m.exec((await s.req('GET', '/metrics')).text)?.[1] ?? 0);
    const d0 = await deferred();

    holder = await holdWriterLock(s);
    let settled = false;
    const commit = s.req('POST', t, { body: JSON.parse(commitBody('k', 'v')) }).finally(() => { settled = true; });
    // Each poll is answered by the one worker while its swap waits.
    for (let i = 0; await deferred() === d0; i++) {
      assert.ok(i < 2000, 'the swap never gave way to the lock\'s holder');
      await new Promise((r) => setTimeout(r, 5));
    }
    const load = await s.req('GET', t);
    assert.equal(load.status, 200, load.text);
    assert.equal(load.json.metadata.properties.k, undefined, 'the commit landed while the lock was held');
    assert.equal(settled, false, 'the commit was answered while another process held the writer lock');

    await holder.release();
    holder = null;
    const r = await commit;
    assert.equal(r.status, 200, r.text);
    assert.equal((await s.req('GET', t)).json.metadata.properties.k, 'v');
  } finally {
    holder?.kill();
    await s.stop();
  }
});
