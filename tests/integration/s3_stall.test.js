// An object store that accepts and never answers (issue 23, part 2): a
// tenant's S3 endpoint stalls, and another tenant's requests on the same
// worker keep their latency.  Tenant A's warehouse reaches Swift through
// a TCP proxy this test runs; tenant B's reaches Swift directly.  With
// the proxy flipped to "accept and never answer", A's loadTable and
// commits end in 503 (the S3 timeout, then the open breaker) within a
// bounded time while B's loadTable and commit latency is measured; once
// the breaker is open A is answered 503 with Retry-After at once, naming
// A's warehouse and nothing of B's.  One worker, so A and B share it: an
// S3 call made on the worker's event loop would hold B behind it for the
// whole timeout.
import assert from 'node:assert/strict';
import net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, beforeEach, test } from 'node:test';
import { keys as bucketKeys, s3 as s3req, startSwift } from './lib/s3.js';
import { basic, freePort, startServer, STORE } from './lib/server.js';
import { expectError, expectJson, uniq } from './lib/expect.js';

const PW = 'Str0ng-Passw0rd-for-tests';
const TIMEOUT_MS = 4000;	// PANGOLIN_S3_TIMEOUT_MS
const FAILURES = 3;		// PANGOLIN_S3_BREAKER_FAILURES
const COOLDOWN = 25;		// PANGOLIN_S3_BREAKER_COOLDOWN_SECS
const root = { authorization: basic() };
const BUCKET = `pgl-stall-${process.pid}`;
const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', required: false, type: 'long' }] };
let srv, swift, proxy, A, B;

/**
 * A TCP proxy to Swift: passes bytes both ways until hang(), then takes
 * every connection and every request and answers nothing, until pass().
 * After hangPuts() only a connection that starts a PUT goes silent; after
 * hangGets(n) the next n GETs pass and every later one goes silent.
 * holdPut() holds the next PUT (its bytes are kept, not sent on) until
 * the release() it hands back; its held promise says when that PUT came.
 */
async function startProxy(port) {
  let hanging = false;
  let puts = false;
  let gets = null;		// GETs still to pass, or null: all pass
  let hold = null;		// { held, release, seen } for the next PUT
  const socks = new Set();
  const server = net.createServer((c) => {
    const u = net.connect(port, '127.0.0.1');
    let dead = false;
    let kept = null;		// the held PUT's bytes, in order
    socks.add(c).add(u);
    c.on('data', (d) => {
      const head = d.subarray(0, 4).toString();
      if (puts && head === 'PUT ') dead = true;
      if (head === 'GET ' && gets !== null && gets-- <= 0) dead = true;
      if (head === 'PUT ' && hold !== null && kept === null) {
        const h = hold;
        hold = null;
        kept = [];
        h.take(() => { for (const k of kept) u.write(k); kept = null; });
      }
      if (kept !== null) kept.push(d);
      else if (!hanging && !dead) u.write(d);
    });
    u.on('data', (d) => { if (!hanging && !dead) c.write(d); });
    const end = () => { c.destroy(); u.destroy(); socks.delete(c); socks.delete(u); };
    c.on('error', end).on('close', end);
    u.on('error', end).on('close', end);
  });
  const own = await freePort();
  await new Promise((resolve) => server.listen(own, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${own}`,
    hang() { hanging = true; },
    hangPuts() { puts = true; },
    hangGets(n = 0) { gets = n; },
    holdPut() {
      let release = () => {};
      const held = new Promise((resolve) => {
        hold = { take(go) { release = go; resolve(); } };
      });
      return { held, release: () => release() };
    },
    pass() { hanging = false; puts = false; gets = null; hold = null; },
    close() { for (const s of socks) s.destroy(); server.close(); },
  };
}

const ok = async (method, p, body, headers, on = srv) => {
  const r = await on.req(method, p, { body, headers });
  assert.ok([200, 201, 204].includes(r.status), `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
};

/** A tenant with an admin and an S3 warehouse at endpoint, a catalog, a table. */
async function tenant(endpoint, on = srv) {
  const id = (await ok('POST', '/api/v1/tenants', { name: uniq('st') }, root, on)).id;
  const name = uniq('admin');
  await ok('POST', '/api/v1/users', { username: name, password: PW, tenant_id: id, role: 'tenant-admin' }, root, on);
  const h = { authorization: `Bearer ${(await ok('POST', '/api/v1/users/login', { username: name, password: PW, 'tenant-id': id }, undefined, on)).token}` };
  const wh = uniq('stwh');
  await ok('POST', '/api/v1/warehouses', { name: wh, storage_config: {
    type: 's3', bucket: BUCKET, prefix: wh, endpoint, region: 'us-east-1',
    access_key_id: 'test:tester', secret_access_key: 'testing' } }, h, on);
  const cat = uniq('stcat');
  await ok('POST', '/api/v1/catalogs', { name: cat, warehouse_name: wh }, h, on);
  await ok('POST', `/v1/${cat}/namespaces`, { namespace: ['db'] }, h, on);
  await ok('POST', `/v1/${cat}/namespaces/db/tables`, { name: 't', schema }, h, on);
  const T = `/v1/${cat}/namespaces/db/tables/t`;
  return {
    wh, h, T,
    load: () => on.req('GET', T, { headers: h, timeout: 60000 }),
    commit: (v) => on.req('POST', T, { headers: h, timeout: 60000, body: { requirements: [],
      updates: [{ action: 'set-properties', updates: { v: String(v) } }] } }),
  };
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
/** f's answer and how long it took. */
const timed = async (f) => { const t0 = performance.now(); const r = await f(); return { r, ms: performance.now() - t0 }; };

/** b's requests (a tenant()), loads and commits in turn, n at least and
 * until more() says no (60 s at most): each { r, ms }, all 200. */
async function measure(b, n, more = () => false) {
  const out = [];
  const end = performance.now() + 60000;
  for (let i = 0; i < n || (more() && performance.now() < end); i++) {
    const x = await timed(() => (i % 2 === 0 ? b.load() : b.commit(`m${i}`)));
    assert.equal(x.r.status, 200, `B ${i}: ${x.r.status} ${x.r.text}`);
    out.push(x.ms);
  }
  return out;
}

/** B's requests, loads and commits in turn, n at least and until more()
 * says no (60 s at most): their times in ms. */
async function measureB(n, more = () => false) {
  const ms = [];
  const end = performance.now() + 60000;
  for (let i = 0; i < n || (more() && performance.now() < end); i++) {
    const t0 = performance.now();
    const r = i % 2 === 0 ? await B.load() : await B.commit(i);
    ms.push(performance.now() - t0);
    assert.equal(r.status, 200, `B ${i}: ${r.status} ${r.text}`);
  }
  return ms;
}

/** One worker, short S3 timeouts, and env on top; opts: startServer's
 * (shareWith: a replica on another's store). */
const stallServer = (env, opts = {}) => startServer({
  ...opts, root: true, noAuth: false, workers: 1,
  allowEndpoints: [swift.endpoint, proxy.endpoint],
  env: {
    PANGOLIN_AUTH_RATE_LIMIT: '0',
    PANGOLIN_S3_TIMEOUT_MS: String(TIMEOUT_MS),
    PANGOLIN_S3_CONNECT_TIMEOUT_MS: '1000',
    // Metadata files are read from the store, not the worker's cache.
    METADATA_CACHE_MAX_ENTRIES: '1',
    ...env,
  },
});

before(async () => {
  swift = await startSwift();
  assert.equal(s3req(swift, 'PUT', `/${BUCKET}`).status, 200);
  proxy = await startProxy(swift.port);
  srv = await stallServer({
    PANGOLIN_S3_BREAKER_FAILURES: String(FAILURES),
    PANGOLIN_S3_BREAKER_COOLDOWN_SECS: String(COOLDOWN),
  });
  A = await tenant(proxy.endpoint);
  B = await tenant(swift.endpoint);
});
// Each test starts with the proxy passing: one that failed half-way
// (its stall still on) must not fail the next one's setup too.
beforeEach(() => { proxy?.pass(); });
after(async () => {
  await srv?.stop();
  proxy?.close();
  swift?.destroy();
});

test('a stalled S3 endpoint: its tenant gets 503 in bounded time, another tenant on the same worker keeps its latency, then the breaker answers at once', async () => {
  // Both work while the proxy passes.
  assert.equal((await A.load()).status, 200);
  assert.equal((await A.commit('a0')).status, 200);
  assert.ok(bucketKeys(swift, BUCKET, `${A.wh}/`).length >= 2, 'A writes through the proxy');
  const base = await measureB(20);
  console.log(`B unloaded: p50 ${pct(base, 50).toFixed(1)} ms, p99 ${pct(base, 99).toFixed(1)} ms`);

  proxy.hang();
  // A's clients keep up to 4 requests at the stalled store while B is
  // measured: loads and commits, each timed.
  // Once the breaker is open they stop: what follows is B alone.
  let measuring = true;
  const answers = [];
  const open = () => answers.some((a) => /object store unavailable/.test(a.text));
  const attacker = async (k) => {
    for (let i = 0; measuring && !open(); i++) {
      const t0 = performance.now();
      const what = (k + i) % 2 === 0 ? 'load' : 'commit';
      const r = what === 'load' ? await A.load() : await A.commit(`x${k}-${i}`);
      const ms = performance.now() - t0;
      answers.push({ what, status: r.status, ms, text: r.text });
      if (ms < 100) await new Promise((res) => setTimeout(res, 25));
    }
  };
  const attackers = [0, 1, 2, 3].map(attacker);
  // Let the first of them reach the store and wait on it.
  await new Promise((res) => setTimeout(res, 300));
  // B is measured through the stall, until the breaker has opened; the
  // liveness probe beside it.
  // This process's own event loop is watched too: a time here that the
  // server did not cause (this test's process held) is told apart in the
  // line printed below.
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const t0 = performance.now();
  const liveP = srv.req('GET', '/health/live').then((r) => ({ r, ms: performance.now() - t0 }));
  const during = await measureB(50, () => !open());
  const { r: live, ms: liveMs } = await liveP;
  lag.disable();
  assert.equal(live.status, 200);
  measuring = false;
  await Promise.all(attackers);
  console.log(`B during the stall: p50 ${pct(during, 50).toFixed(1)} ms, p99 ${pct(during, 99).toFixed(1)} ms, max ${Math.max(...during).toFixed(1)} ms; /health/live ${liveMs.toFixed(1)} ms; ` +
    `this process's event loop held at most ${(lag.max / 1e6).toFixed(1)} ms`);
  console.log(`B: ${during.length} requests in the stall`);
  console.log(`A: ${answers.length} answers, statuses ${[...new Set(answers.map((a) => a.status))]}, ` +
    answers.slice(0, 12).map((a) => `${a.what} ${a.ms.toFixed(0)} ms`).join(', '));
  assert.ok(open(), 'the breaker opened');
  // Every A request ended, in 503, within a bound well past the timeout.
  for (const a of answers) {
    assert.equal(a.status, 503, a.text);
    assert.ok(a.ms < 10 * TIMEOUT_MS + 5000, `A answered after ${a.ms} ms`);
  }
  assert.ok(answers.some((a) => a.ms >= TIMEOUT_MS * 0.8), 'some A request waited on the stalled store');
  // B never waited behind A's store: far below the stall (loose: ASan,
  // a shared VM, the mongo test server); on the loop it would be 4 s+.
  assert.ok(pct(during, 99) < TIMEOUT_MS / 2, `B p99 ${pct(during, 99)} ms during the stall`);
  assert.ok(liveMs < TIMEOUT_MS / 2, `/health/live took ${liveMs} ms`);

  // The breaker is open (FAILURES timeouts in a row): A is refused at once.
  const t1 = performance.now();
  const r = await A.load();
  const fastMs = performance.now() - t1;
  console.log(`A with the breaker open: ${r.status} in ${fastMs.toFixed(1)} ms, retry-after ${r.headers['retry-after']}`);
  assert.equal(r.status, 503, r.text);
  assert.ok(fastMs < TIMEOUT_MS / 2, `the open breaker answered in ${fastMs} ms`);
  const retry = Number(r.headers['retry-after']);
  assert.ok(retry >= 1 && retry <= COOLDOWN, `Retry-After ${r.headers['retry-after']}`);
  assert.equal(r.json.error.code, 503);
  assert.match(r.json.error.message, new RegExp(A.wh));
  assert.doesNotMatch(r.json.error.message, new RegExp(B.wh));
  assert.doesNotMatch(r.json.error.message, /127\.0\.0\.1|http:/);
  // A commit too, and B is still served.
  const c = await A.commit('late');
  assert.equal(c.status, 503, c.text);
  assert.ok(Number(c.headers['retry-after']) >= 1);
  assert.equal((await B.load()).status, 200);
  const m = (await srv.req('GET', '/metrics', { headers: root })).text;
  const trips = Number(m.match(/^pangolin_s3_breaker_open_total (\d+)/m)?.[1]);
  console.log(`pangolin_s3_breaker_open_total ${trips}`);
  assert.ok(trips >= 1, 'the trip is counted');

  // The store answers again: after the cooldown one probe goes through,
  // and its success closes the breaker.
  proxy.pass();
  const wait = Number(c.headers['retry-after']);
  await new Promise((res) => setTimeout(res, (wait + 1) * 1000));
  const probe = await A.load();
  assert.equal(probe.status, 200, probe.text);
  assert.equal((await A.commit('after')).status, 200);
  assert.equal((await A.load()).json.metadata.properties.v, 'after');
});

test('past s3_max_inflight_per_endpoint calls to a stalled endpoint the next wait at its gate, holding no thread, and past s3_max_queued_per_endpoint they are 503 at once', async () => {
  // No breaker: the cap and the queue alone keep the stalled endpoint to
  // 2 threads and 2 waiting jobs.
  const srv2 = await stallServer({ PANGOLIN_S3_BREAKER_FAILURES: '0', PANGOLIN_S3_MAX_INFLIGHT_PER_ENDPOINT: '2',
    PANGOLIN_S3_MAX_QUEUED_PER_ENDPOINT: '2' });
  try {
    const A2 = await tenant(proxy.endpoint, srv2);
    const B2 = await tenant(swift.endpoint, srv2);
    proxy.hang();
    const As = [];
    for (let i = 0; i < 6; i++) {
      As.push(timed(() => A2.load()));
      await new Promise((res) => setTimeout(res, 50));
    }
    await new Promise((res) => setTimeout(res, 300));
    const b = await timed(() => B2.load());
    const a = await Promise.all(As);
    console.log(`A (cap 2, queue 2): ${a.map((x) => `${x.r.status} ${x.ms.toFixed(0)} ms`).join(', ')}; B ${b.ms.toFixed(1)} ms`);
    assert.equal(b.r.status, 200);
    assert.ok(b.ms < TIMEOUT_MS / 2, `B took ${b.ms} ms`);
    for (const x of a) assert.equal(x.r.status, 503, x.r.text);
    const busy = a.filter((x) => /object store busy/.test(x.r.text));
    assert.equal(busy.length, 2, 'the two past the queue are refused');
    for (const x of busy) {
      assert.ok(x.ms < TIMEOUT_MS / 2, `a refusal past the queue took ${x.ms} ms`);
      assert.ok(Number(x.r.headers['retry-after']) >= 1);
      assert.match(x.r.json.error.message, new RegExp(A2.wh));
    }
    assert.ok(a.some((x) => x.ms >= TIMEOUT_MS * 0.8), 'the first calls waited on the store');
    assert.ok(a.some((x) => x.ms >= TIMEOUT_MS * 1.6), 'the queued calls waited at the gate, then on the store');
    const m = (await srv2.req('GET', '/metrics', { headers: root })).text;
    assert.ok(Number(m.match(/^pangolin_s3_refused_total (\d+)/m)?.[1]) >= busy.length);
  } finally {
    proxy.pass();
    await srv2.stop();
  }
});

test('a burst past s3_max_inflight_per_endpoint on a healthy endpoint waits its turn: every create and commit lands', async () => {
  const srv4 = await stallServer({ PANGOLIN_S3_MAX_INFLIGHT_PER_ENDPOINT: '2' });
  try {
    const B4 = await tenant(swift.endpoint, srv4);
    const ns = B4.T.replace(/\/tables\/t$/, '');
    const rs = await Promise.all(Array.from({ length: 24 }, (_, i) =>
      srv4.req('POST', `${ns}/tables`, { headers: B4.h, timeout: 60000, body: { name: `burst${i}`, schema } })));
    console.log('creates', rs.map((r) => r.status).join(','));
    assert.deepEqual(rs.map((r) => r.status), rs.map(() => 200), rs.find((r) => r.status !== 200)?.text);
    const cs = await Promise.all(Array.from({ length: 24 }, (_, i) =>
      srv4.req('POST', `${ns}/tables/burst${i}`, { headers: B4.h, timeout: 60000,
        body: { requirements: [], updates: [{ action: 'set-properties', updates: { v: String(i) } }] } })));
    console.log('commits', cs.map((r) => r.status).join(','));
    assert.deepEqual(cs.map((r) => r.status), cs.map(() => 200), cs.find((r) => r.status !== 200)?.text);
  } finally {
    await srv4.stop();
  }
});

test('creates whose first metadata file goes to a stalled endpoint wait off the event loop: another tenant keeps its latency, and nothing half-made is left', async () => {
  // No breaker, so every create waits the whole timeout.
  const srv3 = await stallServer({ PANGOLIN_S3_BREAKER_FAILURES: '0' });
  try {
    const A3 = await tenant(proxy.endpoint, srv3);
    const B3 = await tenant(swift.endpoint, srv3);
    const ns = A3.T.replace(/\/tables\/t$/, '');
    const view = {
      name: 'v', schema: schema, properties: {},
      'view-version': { 'version-id': 1, 'timestamp-ms': Date.now(), 'schema-id': 0, summary: { engine: 'test' },
        'default-namespace': ['db'], representations: [{ type: 'sql', sql: 'select 1 as n', dialect: 'spark' }] },
    };
    // A create transaction (stage-create, then assert-create) as Spark's CTAS sends it.
    const staged = (await srv3.req('POST', `${ns}/tables`, { headers: A3.h, body: { name: 'ctas', schema, 'stage-create': true } })).json.metadata;
    const ctas = { requirements: [{ type: 'assert-create' }], updates: [
      { action: 'assign-uuid', uuid: staged['table-uuid'] },
      { action: 'upgrade-format-version', 'format-version': 2 },
      { action: 'add-schema', schema: staged.schemas[0] },
      { action: 'set-current-schema', 'schema-id': -1 },
      { action: 'add-spec', spec: staged['partition-specs'][0] },
      { action: 'set-default-spec', 'spec-id': -1 },
      { action: 'add-sort-order', 'sort-order': staged['sort-orders'][0] },
      { action: 'set-default-sort-order', 'sort-order-id': -1 },
      { action: 'set-location', location: staged.location },
    ] };
    const creates = {
      table: () => srv3.req('POST', `${ns}/tables`, { headers: A3.h, timeout: 60000, body: { name: 't2', schema } }),
      view: () => srv3.req('POST', `${ns}/views`, { headers: A3.h, timeout: 60000, body: view }),
      ctas: () => srv3.req('POST', `${ns}/tables/ctas`, { headers: A3.h, timeout: 60000, body: ctas }),
    };
    proxy.hang();
    const As = Object.values(creates).map((f) => timed(f));
    await new Promise((res) => setTimeout(res, 300));
    const bs = [];
    for (let i = 0; i < 6; i++) bs.push(await timed(() => (i % 2 ? B3.commit(i) : B3.load())));
    const a = await Promise.all(As);
    console.log(`A creates: ${a.map((x) => `${x.r.status} ${x.ms.toFixed(0)} ms`).join(', ')}; B ${bs.map((x) => x.ms.toFixed(1)).join(', ')} ms`);
    for (const x of bs) {
      assert.equal(x.r.status, 200, x.r.text);
      assert.ok(x.ms < TIMEOUT_MS / 2, `B waited ${x.ms} ms behind A's creates`);
    }
    for (const x of a) {
      assert.equal(x.r.status, 503, x.r.text);
      assert.ok(x.ms >= TIMEOUT_MS * 0.8, `a create answered in ${x.ms} ms: it did not wait on the store`);
    }
    // Nothing was recorded: each create goes through once the store answers.
    proxy.pass();
    for (const [what, f] of Object.entries(creates)) {
      assert.equal((await srv3.req('GET', what === 'view' ? `${ns}/views/v` : `${ns}/tables/${what === 'table' ? 't2' : 'ctas'}`, { headers: A3.h })).status, 404, what);
      const r = await f();
      assert.equal(r.status, 200, `${what}: ${r.text}`);
    }
  } finally {
    proxy.pass();
    await srv3.stop();
  }
});

test('a multi-table transaction whose files go to a stalled endpoint waits off the event loop: another tenant keeps its latency, and no table moves', async () => {
  const srv4 = await stallServer({ PANGOLIN_S3_BREAKER_FAILURES: '0' });
  try {
    const A4 = await tenant(proxy.endpoint, srv4);
    const B4 = await tenant(swift.endpoint, srv4);
    const ns = A4.T.replace(/\/tables\/t$/, '');
    const prefix = ns.replace(/\/namespaces\/db$/, '');
    await ok('POST', `${ns}/tables`, { name: 't2', schema }, A4.h, srv4);
    const before = {};
    for (const t of ['t', 't2']) before[t] = (await srv4.req('GET', `${ns}/tables/${t}`, { headers: A4.h })).json['metadata-location'];
    const tx = () => srv4.req('POST', `${prefix}/transactions/commit`, { headers: A4.h, timeout: 60000, body: {
      'table-changes': ['t', 't2'].map((name) => ({ identifier: { namespace: ['db'], name }, requirements: [],
        updates: [{ action: 'set-properties', updates: { tx: 'yes' } }] })) } });
    // Reads pass, object writes never answer.
    proxy.hangPuts();
    const As = [timed(tx), timed(tx)];
    await new Promise((res) => setTimeout(res, 300));
    const bs = [];
    for (let i = 0; i < 6; i++) bs.push(await timed(() => (i % 2 ? B4.commit(i) : B4.load())));
    const a = await Promise.all(As);
    console.log(`A transactions: ${a.map((x) => `${x.r.status} ${x.ms.toFixed(0)} ms`).join(', ')}; B ${bs.map((x) => x.ms.toFixed(1)).join(', ')} ms`);
    for (const x of bs) {
      assert.equal(x.r.status, 200, x.r.text);
      assert.ok(x.ms < TIMEOUT_MS / 2, `B waited ${x.ms} ms behind A's transactions`);
    }
    for (const x of a) {
      assert.equal(x.r.status, 503, x.r.text);
      assert.ok(x.ms >= TIMEOUT_MS * 0.8, `a transaction answered in ${x.ms} ms: it did not wait on the store`);
    }
    proxy.pass();
    for (const t of ['t', 't2']) {
      const j = (await srv4.req('GET', `${ns}/tables/${t}`, { headers: A4.h })).json;
      assert.equal(j['metadata-location'], before[t], `${t} moved although its file was never written`);
    }
    const r = await tx();
    assert.equal(r.status, 204, r.text);
    for (const t of ['t', 't2']) {
      const j = (await srv4.req('GET', `${ns}/tables/${t}`, { headers: A4.h })).json;
      assert.equal(j.metadata.properties.tx, 'yes', t);
    }
  } finally {
    proxy.pass();
    await srv4.stop();
  }
});

test('commits that lose their swap to a replica and must read its metadata from a stalled endpoint wait off the event loop: the retry and the commit queued behind it answer 503, another tenant keeps its latency', { skip: STORE === 'memory' && 'the memory store is one process' }, async () => {
  const env = { PANGOLIN_S3_BREAKER_FAILURES: '0' };
  const s1 = await stallServer(env);
  let s2;
  try {
    s2 = await stallServer(env, { shareWith: s1.dir });
    const A7 = await tenant(proxy.endpoint, s1);
    const B7 = await tenant(swift.endpoint, s1);
    const onReplica = (v) => s2.req('POST', A7.T, { headers: A7.h, timeout: 60000, body: { requirements: [],
      updates: [{ action: 'set-properties', updates: { v } }] } });
    // s1's worker holds A's current metadata: its next commit reads nothing.
    assert.equal((await A7.commit('warm')).status, 200);
    // s1's commit writes its file (held in the proxy) while the replica
    // moves the pointer to a file s1 has never read.
    const hold = proxy.holdPut();
    const c1 = timed(() => A7.commit('c1'));
    await hold.held;
    const won = await onReplica('replica');
    assert.equal(won.status, 200, won.text);
    proxy.hangGets();
    // A second commit of the table on s1 queues behind the first (on an
    // object store commits are never chained, commit/async.c).
    const c2 = timed(() => A7.commit('c2'));
    await sleep(200);
    let done = false;
    const both = Promise.all([c1, c2]).finally(() => { done = true; });
    // c1's swap loses; its retry reads the winner's file, which stalls.
    hold.release();
    const bs = await measure(B7, 6, () => !done);
    const a = await both;
    console.log(`A commits after a lost swap: ${a.map((x) => `${x.r.status} ${x.ms.toFixed(0)} ms`).join(', ')}; ` +
      `B ${bs.length} requests, max ${Math.max(...bs).toFixed(1)} ms`);
    for (const x of a) {
      assert.equal(x.r.status, 503, x.r.text);
      assert.ok(Number(x.r.headers['retry-after']) >= 1);
      assert.match(x.r.json.error.message, new RegExp(A7.wh));
    }
    assert.ok(a[0].ms >= TIMEOUT_MS * 0.8, `the retry answered in ${a[0].ms} ms: it did not wait on the store`);
    assert.ok(a[1].ms >= TIMEOUT_MS * 1.6, `the queued commit answered in ${a[1].ms} ms: it did not wait behind the first, then on the store`);
    assert.ok(Math.max(...bs) < TIMEOUT_MS / 2, `B waited ${Math.max(...bs)} ms behind A's commits`);
    // The replica's commit stands, and s1 commits again once the store answers.
    proxy.pass();
    assert.equal((await A7.load()).json.metadata.properties.v, 'replica');
    assert.equal((await A7.commit('after')).status, 200);
    assert.equal((await onReplica('again')).status, 200);
    assert.equal((await A7.load()).json.metadata.properties.v, 'again');
  } finally {
    proxy.pass();
    await s2?.stop();
    await s1.stop();
  }
});

test('a multi-table transaction over twenty uncached tables reads their metadata off the event loop, sixteen at a time: once the store stalls, it answers 503 and another tenant keeps its latency', async () => {
  const s = await stallServer({ PANGOLIN_S3_BREAKER_FAILURES: '0' });
  try {
    const A8 = await tenant(proxy.endpoint, s);
    const B8 = await tenant(swift.endpoint, s);
    const ns = A8.T.replace(/\/tables\/t$/, '');
    const prefix = ns.replace(/\/namespaces\/db$/, '');
    // Twenty tables whose metadata this worker has never read.
    const names = Array.from({ length: 20 }, (_, i) => `m${i}`);
    for (const name of names) await ok('POST', `${ns}/tables`, { name, schema }, A8.h, s);
    const tx = () => s.req('POST', `${prefix}/transactions/commit`, { headers: A8.h, timeout: 60000, body: {
      'table-changes': names.map((name) => ({ identifier: { namespace: ['db'], name }, requirements: [],
        updates: [{ action: 'set-properties', updates: { tx: 'yes' } }] })) } });
    // Sixteen reads pass, the rest never answer.
    proxy.hangGets(16);
    let done = false;
    const a = timed(tx).finally(() => { done = true; });
    const bs = await measure(B8, 6, () => !done);
    const { r, ms } = await a;
    console.log(`A's transaction of ${names.length} tables: ${r.status} in ${ms.toFixed(0)} ms; B ${bs.length} requests, max ${Math.max(...bs).toFixed(1)} ms`);
    assert.equal(r.status, 503, r.text);
    assert.ok(Number(r.headers['retry-after']) >= 1);
    assert.ok(ms >= TIMEOUT_MS * 0.8, `the transaction answered in ${ms} ms: it did not wait on the store`);
    assert.ok(Math.max(...bs) < TIMEOUT_MS / 2, `B waited ${Math.max(...bs)} ms behind A's transaction`);
    proxy.pass();
    const again = await tx();
    assert.equal(again.status, 204, again.text);
    for (const name of names) {
      assert.equal((await s.req('GET', `${ns}/tables/${name}`, { headers: A8.h })).json.metadata.properties.tx, 'yes', name);
    }
  } finally {
    proxy.pass();
    await s.stop();
  }
});

test('a Manual conflict resolution whose metadata file is on a stalled endpoint waits off the event loop, outside any store transaction: 503 with Retry-After, another tenant keeps its latency, nothing is recorded', async () => {
  const s = await stallServer({ PANGOLIN_S3_BREAKER_FAILURES: '0' });
  try {
    const A9 = await tenant(proxy.endpoint, s);
    const B9 = await tenant(swift.endpoint, s);
    const ns = A9.T.replace(/\/tables\/t$/, '');
    const cat = ns.split('/')[2];
    // Changed on a branch, dropped on main: a DeletionConflict, found
    // without reading a file.  Its first metadata file is the value to
    // resolve with: no worker's cache holds it any more.
    const first = (await ok('POST', `${ns}/tables`, { name: 'mc', schema }, A9.h, s))['metadata-location'];
    await ok('POST', '/api/v1/branches', { name: 'feat', catalog: cat, branch_type: 'ingest' }, A9.h, s);
    await ok('POST', `${ns}/tables/mc@feat`, { requirements: [], updates: [{ action: 'set-properties', updates: { v: 'feat' } }] }, A9.h, s);
    assert.equal((await s.req('DELETE', `${ns}/tables/mc`, { headers: A9.h })).status, 204);
    const m = await s.req('POST', '/api/v1/branches/merge', { headers: A9.h,
      body: { source_branch: 'feat', target_branch: 'main', catalog: cat } });
    assert.equal(m.status, 409, m.text);
    const conflicts = () => ok('GET', `/api/v1/merge-operations/${m.json.operation_id}/conflicts`, undefined, A9.h, s);
    const [x] = await conflicts();
    const resolve = () => s.req('POST', `/api/v1/conflicts/${x.id}/resolve`, { headers: A9.h, timeout: 60000,
      body: { strategy: 'Manual', resolved_value: first } });
    proxy.hang();
    let done = false;
    const a = timed(resolve).finally(() => { done = true; });
    await sleep(200);
    const bs = await measure(B9, 6, () => !done);
    const { r, ms } = await a;
    console.log(`A's Manual resolution: ${r.status} in ${ms.toFixed(0)} ms; B ${bs.length} requests, max ${Math.max(...bs).toFixed(1)} ms`);
    expectError(r, 503, { message: new RegExp(A9.wh) });
    assert.ok(Number(r.headers['retry-after']) >= 1);
    assert.ok(ms >= TIMEOUT_MS * 0.8, `the resolution answered in ${ms} ms: it did not wait on the store`);
    assert.ok(Math.max(...bs) < TIMEOUT_MS / 2, `B waited ${Math.max(...bs)} ms behind A's resolution`);
    proxy.pass();
    assert.equal((await conflicts())[0].resolution ?? null, null, 'a resolution was recorded');
    const again = await resolve();
    assert.equal(again.status, 200, again.text);
    assert.equal((await conflicts())[0].resolution.resolved_value, first);
  } finally {
    proxy.pass();
    await s.stop();
  }
});
