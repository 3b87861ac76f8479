// The Redis L2 tier of the metadata cache ([cache] l2 = "cache-redis"):
// two pangolin processes on one SQLite store and one Redis share metadata
// files through it; Redis stopped and started under a loadTable load
// fails no request and is used again after the restart; bad settings are
// refused by --check-config.  Each test runs its own redis-server.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, runBinary, startServer, STORE, tmpDir } from './lib/server.js';
import { expectJson } from './lib/expect.js';
import { startRedis } from './lib/redis.js';

const skip = STORE !== 'sqlite' && 'SQLite pass only (two processes share one database file)';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let dir;
before(() => { dir = tmpDir('pgl-redis'); });
after(() => { fs.rmSync(dir, { recursive: true, force: true }); });

const l2Toml = (port, l1 = '') => [l1, '[cache]', 'plugin = "cache"', 'l2 = "cache-redis"',
  '[cache.l2_options]', `url = "redis://127.0.0.1:${port}"`, 'timeout_ms = 50'].join('\n');
const smallL1 = '[cache.options]\nmax_entries = 1\n';

const tier = (s, t) => s.caches.find((c) => c.name === 'metadata' && c.tier === t);
const stats = async (srv) => expectJson(await srv.req('GET', '/api/v1/cache/stats'), 200);

async function catalogWithTables(srv, names) {
  const ok = async (method, p, body) => {
    const r = await srv.req(method, p, { body });
    assert.ok([200, 201, 204].includes(r.status), `${method} ${p}: ${r.status} ${r.text}`);
  };
  await ok('POST', '/api/v1/warehouses', { name: 'wh', storage_config: { type: 'local', root: path.join(srv.tenantDir(), 'wh') } });
  await ok('POST', '/api/v1/catalogs', { name: 'cat', warehouse_name: 'wh' });
  await ok('POST', '/v1/cat/namespaces', { namespace: ['ns'] });
  const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', required: false, type: 'long' }] };
  for (const name of names) await ok('POST', '/v1/cat/namespaces/ns/tables', { name, schema });
}
const load = (srv, t) => srv.req('GET', `/v1/cat/namespaces/ns/tables/${t}`);

test('two processes share one Redis: a metadata file loaded through one is an L2 hit on the other', { skip }, async () => {
  const redis = await startRedis(await freePort());
  const port = redis.proc.spawnargs[2];
  const a = await startServer({ store: 'sqlite', extra: l2Toml(port) });
  let b;
  try {
    await catalogWithTables(a, ['t']);
    assert.equal((await load(a, 't')).status, 200);
    // A replica: the same database, the same local roots.
    b = await startServer({ store: 'sqlite', extra: l2Toml(port), localRoots: [a.localRoot], env: { DATABASE_URL: `sqlite://${a.dbPath}` } });
    const before = tier(await stats(b), 'l2');
    assert.ok(before, 'the stats name the l2 tier');
    assert.equal(before.hits, 0);
    const r = await load(b, 't');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.metadata, (await load(a, 't')).json.metadata, 'the same table through both');
    const s = await stats(b);
    assert.equal(tier(s, 'l2').hits, 1, 'B read the file from Redis, not from disk');
    assert.equal(tier(s, 'l1').misses, 1);
    // ...and filled its L1: the next load on that worker is an L1 hit.
    await load(b, 't');
    assert.ok(tier(await stats(b), 'l1').hits + tier(await stats(b), 'l2').hits >= 2);
  } finally {
    await b?.stop();
    await a.stop();
    await redis.stop();
  }
});

test('Redis stopped and started under a loadTable load: no request fails, and L2 is used again after', { skip }, async () => {
  const port = await freePort();
  let redis = await startRedis(port);
  // An L1 of one entry and two tables: nearly every load asks L2.  Each
  // loader alternates the tables itself: were each to load one table,
  // a worker whose connections all carried the same one would hit its
  // L1 every time, and how connections land on workers is the kernel's.
  const srv = await startServer({ store: 'sqlite', extra: l2Toml(port, smallL1) });
  let running = true;
  const failures = [];
  let done = 0, slowest = 0;
  const worker = async (i) => {
    for (let n = i; running; n++) {
      const t0 = Date.now();
      const r = await load(srv, n % 2 ? 'a' : 'b');
      slowest = Math.max(slowest, Date.now() - t0);
      if (r.status !== 200) failures.push(`${r.status} ${r.text}`);
      done++;
    }
  };
  try {
    await catalogWithTables(srv, ['a', 'b']);
    const loaders = [0, 1, 2, 3].map(worker);
    // The loads' first hits: on a loaded CI machine the first loads of
    // an ASan build can take longer than a fixed half second.
    let beforeStop = 0;
    for (let waited = 0; waited < 10000 && beforeStop === 0; waited += 100) {
      await sleep(100);
      beforeStop = tier(await stats(srv), 'l2').hits;
    }
    assert.ok(beforeStop > 0, 'L2 serves while Redis is up');
    await redis.stop();
    await sleep(300);
    const downFrom = tier(await stats(srv), 'l2').hits;
    await sleep(1000);
    assert.equal(tier(await stats(srv), 'l2').hits, downFrom, 'no L2 hit while Redis is down');
    const doneDown = done;
    redis = await startRedis(port);
    let back = false;
    for (let i = 0; i < 100 && !back; i++) {
      await sleep(100);
      back = tier(await stats(srv), 'l2').hits > downFrom;
    }
    running = false;
    await Promise.all(loaders);
    assert.deepEqual(failures, [], 'no request failed');
    assert.ok(doneDown > 0 && done > doneDown, 'the load ran throughout');
    assert.ok(back, 'L2 hits again after the restart');
    assert.ok(slowest < 2000, `slowest load ${slowest} ms`);
    assert.match(srv.log(), /cache redis: 127\.0\.0\.1:\d+ unavailable .*L1 only, retrying with back-off/);
    assert.match(srv.log(), /cache redis: 127\.0\.0\.1:\d+ is back/);
  } finally {
    running = false;
    await srv.stop();
    await redis.stop();
  }
});

test('a Redis that hangs (SIGSTOP) costs a request at most its timeout: no failure, no long wait', { skip }, async () => {
  const port = await freePort();
  const redis = await startRedis(port);
  const srv = await startServer({ store: 'sqlite', extra: l2Toml(port, smallL1) });
  try {
    await catalogWithTables(srv, ['a', 'b']);
    for (const t of ['a', 'b']) assert.equal((await load(srv, t)).status, 200);
    redis.proc.kill('SIGSTOP');
    let slowest = 0;
    for (let i = 0; i < 40; i++) {
      const t0 = Date.now();
      const r = await load(srv, i % 2 ? 'a' : 'b');
      slowest = Math.max(slowest, Date.now() - t0);
      assert.equal(r.status, 200, r.text);
    }
    // 50 ms per command, then the tier is dropped until the back-off ends.
    assert.ok(slowest < 1000, `slowest load ${slowest} ms`);
    assert.match(srv.log(), /cache redis: .* unavailable .*L1 only/);
  } finally {
    redis.proc.kill('SIGCONT');
    await srv.stop();
    await redis.stop();
  }
});

test('--check-config refuses bad Redis settings with a message naming the option', () => {
  const cases = [
    ['url = "http://x:1"', /cache l2: cache redis: option url: "http:\/\/x:1" is not redis:\/\/host\[:port\]\[\/db\]/],
    ['url = "redis://h:70000"', /option url/],
    ['url = "redis://h:1/16"', /option url/],
    ['timeout_ms = 51', /option timeout_ms: "51" is not an integer from 1 to 50/],
    ['timeout_ms = 0', /option timeout_ms/],
    ['ttl_secs = "x"', /option ttl_secs/],
    ['prefix = "a*"', /option prefix/],
    ['bogus = 1', /unknown option "bogus"/],
  ];
  for (const [line, re] of cases) {
    const f = path.join(dir, 'bad.toml');
    fs.writeFileSync(f, `[server]\nbind = "127.0.0.1"\nport = 18098\n[auth]\nno_auth = true\n[cache]\nl2 = "cache-redis"\n[cache.l2_options]\n${line}\n`);
    const r = runBinary(['--check-config', '-c', f]);
    assert.equal(r.code, 2, `${line}: exit ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, re, line);
  }
  const f = path.join(dir, 'missing.toml');
  fs.writeFileSync(f, '[server]\nbind = "127.0.0.1"\nport = 18098\n[auth]\nno_auth = true\n[cache]\nl2 = "no-such-cache"\n');
  const r = runBinary(['--check-config', '-c', f]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cache l2: .*no-such-cache/);
  const g = path.join(dir, 'good.toml');
  fs.writeFileSync(g, '[server]\nbind = "127.0.0.1"\nport = 18098\n[auth]\nno_auth = true\n[cache]\nl2 = "cache-redis"\n[cache.l2_options]\n'
    + 'url = "redis://127.0.0.1:1/3"\ntimeout_ms = 20\nttl_secs = 60\nprefix = "pgl:"\n');
  const ok = runBinary(['--check-config', '-c', g]);
  assert.equal(ok.code, 0, `${ok.stderr}: options are validated without connecting`);
  assert.match(ok.stdout, /; cache l2 redis\n$/);
});

test('two servers on one SQLite file and one Redis: a catalog change through one is seen through the other on its next request (Redis pub/sub, not the 10 s TTL)', { skip }, async () => {
  const redis = await startRedis(await freePort());
  const port = redis.proc.spawnargs[2];
  const a = await startServer({ store: 'sqlite', extra: l2Toml(port) });
  let b;
  try {
    await catalogWithTables(a, ['t']);
    // A replica: the same database, the same local roots.
    b = await startServer({ store: 'sqlite', extra: l2Toml(port), localRoots: [a.localRoot], env: { DATABASE_URL: `sqlite://${a.dbPath}` } });
    const props = async (srv) => expectJson(await srv.req('GET', '/api/v1/catalogs/cat'), 200).properties ?? {};
    // B's workers subscribe and cache the catalog (several reads: both workers).
    for (let i = 0; i < 8; i++) await props(b);
    for (let v = 1; v <= 5; v++) {
      expectJson(await a.req('PUT', '/api/v1/catalogs/cat', { body: { properties: { v: String(v) } } }), 200);
      await sleep(5);	// the message crosses loopback
      for (let i = 0; i < 4; i++) assert.equal((await props(b)).v, String(v), `B saw change ${v} on read ${i + 1}`);
    }
  } finally {
    await b?.stop();
    await a.stop();
    await redis.stop();
  }
});
