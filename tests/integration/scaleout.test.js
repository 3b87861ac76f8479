// Scale-out and database failover (issue 31), PostgreSQL pass only: the
// layout of docs/operator-guide.md, "Scale-out behind a load balancer".
//
// Three replicas behind HAProxy over one PostgreSQL primary with a
// streaming standby, the store's URL naming both hosts
// (target_session_attrs=read-write), metadata shared through a Redis L2.
// What must hold, in order:
//   - read-your-writes through the balancer: a commit or a catalog change
//     answered by one replica is what the next request sees on another;
//   - a replica killed (SIGKILL) or stopped (SIGTERM) in a commit storm
//     loses no acknowledged commit, and the balancer routes around it;
//   - the standby promoted in a commit storm after the primary stopped:
//     every commit answered 200 is in its table afterwards, every other
//     answer is a 5xx JSON error, the same replica processes answer again
//     (no restart), and their caches stay coherent.
// The test runs its own PostgreSQL pair, Redis and HAProxy on loopback.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startHaproxy } from './lib/haproxy.js';
import { simpleSchema } from './lib/iceberg.js';
import { startRedis } from './lib/redis.js';
import { freePort, REPO, request, startServer, STORE, tmpDir } from './lib/server.js';

const skip = STORE !== 'postgres' && 'PostgreSQL pass only';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const script = path.join(REPO, 'tests/servers/postgres.sh');
const WRITERS = 8;
const T = '/v1/cat/namespaces/ns/tables';

let dir, primary, standby, redis, lb, l2;
const replicas = [];

const pg = (cmd, node, ...more) => execFileSync('sh', [script, cmd, node.dir, String(node.port), ...more.map(String)],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();

// A replica: the first owns the schema's name and the lake, the others share them.
const replica = (port) => startServer({ store: 'postgres', workers: 2, port, extra: l2,
  ...(replicas[0] ? { shareWith: replicas[0].dir } : {}) });

before(async () => {
  if (skip)
    return;
  dir = tmpDir('pgl-scale');
  fs.chmodSync(dir, 0o755);	// PostgreSQL runs as user postgres
  primary = { dir: path.join(dir, 'primary'), port: await freePort() };
  standby = { dir: path.join(dir, 'standby'), port: await freePort() };
  pg('start', primary);
  pg('standby', standby, primary.port);
  process.env.PGL_PG_URL = `postgresql://postgres@127.0.0.1:${primary.port},127.0.0.1:${standby.port}/pangolin`
    + '?target_session_attrs=read-write&connect_timeout=2';
  const redisPort = await freePort();
  redis = await startRedis(redisPort);
  l2 = ['[cache]', 'plugin = "cache"', 'l2 = "cache-redis"', '[cache.l2_options]',
    `url = "redis://127.0.0.1:${redisPort}"`, 'timeout_ms = 50'].join('\n');
  for (let i = 0; i < 3; i++) replicas.push(await replica());
  lb = await startHaproxy(dir, replicas.map((r) => r.port));

  const ok = async (method, p, body, want) => {
    const r = await lb.req(method, p, { body });
    assert.equal(r.status, want, `${method} ${p}: ${r.status} ${r.text}`);
  };
  await ok('POST', '/api/v1/warehouses', { name: 'wh', storage_config: { type: 'local', root: path.join(replicas[0].tenantDir(), 'wh') } }, 201);
  await ok('POST', '/api/v1/catalogs', { name: 'cat', warehouse_name: 'wh' }, 201);
  await ok('POST', '/v1/cat/namespaces', { namespace: ['ns'] }, 200);
});

after(async () => {
  await lb?.stop();
  for (const r of replicas) await r?.stop({ keep: true }).catch(() => {});
  await redis?.stop();
  for (const node of [standby, primary])
    if (node && fs.existsSync(path.join(node.dir, 'data', 'postmaster.pid'))) pg('stop', node);
  if (dir && !process.env.PGL_KEEP) fs.rmSync(dir, { recursive: true, force: true });
});

const createTable = async (name) => {
  const r = await lb.req('POST', T, { body: { name, schema: simpleSchema() } });
  assert.equal(r.status, 200, r.text);
};
const commit = (name, props, o = {}) => lb.req('POST', `${T}/${name}`,
  { body: { requirements: [], updates: [{ action: 'set-properties', updates: props }] }, timeout: 15000, ...o });

/**
 * WRITERS clients commit through the balancer, each to its own table,
 * until `event` has run and `tail` ms more have passed.  Returns every
 * answer ({ start, end, status, json }) and each table's acknowledged keys.
 */
async function storm(tag, event, { lead = 600, tail = 1500 } = {}) {
  const tables = Array.from({ length: WRITERS }, (_, w) => `${tag}${w}`);
  for (const t of tables) await createTable(t);
  const answers = [];
  const acked = new Map(tables.map((t) => [t, []]));
  let stop = false;
  const writer = async (t) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let n = 0; !stop; n++) {
      const key = `k${n}`;
      const start = Date.now();
      let r;
      try {
        r = await commit(t, { [key]: 'x' }, { agent });
      } catch (e) {
        answers.push({ start, end: Date.now(), status: 'network', error: String(e) });
        await sleep(20);
        continue;
      }
      answers.push({ start, end: Date.now(), status: r.status, json: r.json, text: r.text });
      if (r.status === 200) acked.get(t).push(key);
      else await sleep(20);
    }
    agent.destroy();
  };
  const load = Promise.all(tables.map(writer));
  await sleep(lead);
  const times = await event();
  await sleep(tail);
  stop = true;
  await load;
  return { answers, acked, times };
}

/** Every acknowledged key is in its table, read through the balancer. */
async function assertNothingLost(acked) {
  let n = 0;
  for (const [t, keys] of acked) {
    const r = await lb.req('GET', `${T}/${t}`);
    assert.equal(r.status, 200, r.text);
    for (const k of keys) assert.equal(r.json.metadata.properties[k], 'x', `acknowledged commit ${t}.${k} is lost`);
    n += keys.length;
  }
  return n;
}

/**
 * Answers other than 200 are 5xx with a JSON error body, or a connection
 * HAProxy closed without an answer (it does so when a replica dies with the
 * request on a reused connection, so that the client decides): both leave
 * the outcome unknown to the client.  Returns { status: count }.
 */
function assertFailuresAre5xx(answers) {
  const counts = {};
  for (const a of answers) {
    counts[a.status] = (counts[a.status] ?? 0) + 1;
    if (a.status === 200 || a.status === 'network') continue;
    assert.ok(a.status >= 500 && a.status <= 504, `unexpected answer ${a.status}: ${a.text}`);
    assert.equal(typeof a.json?.error?.message, 'string', `${a.status} without a JSON error: ${a.text}`);
  }
  return counts;
}

/** Wait until HAProxy sends requests to every replica again. */
async function allServing() {
  const deadline = Date.now() + 15000;
  for (;;) {
    const seen = new Set();
    for (let i = 0; i < 9; i++) seen.add((await lb.req('GET', '/health/ready', { agent: false })).headers['x-served-by']);
    if (seen.size === 3) return;
    assert.ok(Date.now() < deadline, `HAProxy serves from ${[...seen]} only`);
    await sleep(100);
  }
}

test('read-your-writes through the balancer: what one replica acknowledged, the next request to another sees', { skip }, async (t) => {
  await createTable('ryw');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const served = new Set();
  for (let i = 0; i < 20; i++) {
    const c = await commit('ryw', { n: String(i) }, { agent });
    assert.equal(c.status, 200, c.text);
    const l = await lb.req('GET', `${T}/ryw`, { agent });
    assert.equal(l.status, 200, l.text);
    assert.notEqual(l.headers['x-served-by'], c.headers['x-served-by'], 'round robin sends the read elsewhere');
    assert.equal(l.json['metadata-location'], c.json['metadata-location']);
    assert.equal(l.json.metadata.properties.n, String(i));
    served.add(c.headers['x-served-by']).add(l.headers['x-served-by']);
  }
  assert.equal(served.size, 3, `answered by ${[...served]}`);
  // A catalog's properties are kept per worker; a change through one
  // replica reaches the others' copies through the store's NOTIFY.
  for (let i = 0; i < 20; i++) {
    const u = await lb.req('PUT', '/api/v1/catalogs/cat', { body: { properties: { rev: String(i) } }, agent });
    assert.equal(u.status, 200, u.text);
    const g = await lb.req('GET', '/api/v1/catalogs/cat', { agent });
    assert.notEqual(g.headers['x-served-by'], u.headers['x-served-by']);
    assert.equal(g.json.properties.rev, String(i), `catalog read through ${g.headers['x-served-by']} after a change through ${u.headers['x-served-by']}`);
  }
  agent.destroy();
  t.diagnostic('40 of 40 reads through another replica saw the write before them');
});

// A replica that went away comes back on its port: the next test starts whole.
async function restart(i) {
  replicas[i] = await replica(replicas[i].port);
  await allServing();
}

test('a replica killed (SIGKILL) in a commit storm: no acknowledged commit lost, the balancer routes around it', { skip }, async (t) => {
  const victim = replicas[2];
  const { answers, acked, times } = await storm('kill', async () => {
    victim.kill();
    await victim.exited;
    return { killed: Date.now() };
  });
  fs.rmSync(victim.dir, { recursive: true, force: true });
  const n = await assertNothingLost(acked);
  const counts = assertFailuresAre5xx(answers);
  // Once HAProxy's checks (100 ms, 2 falls) see it gone, nothing fails.
  const late = answers.filter((a) => a.start > times.killed + 1000);
  assert.ok(late.length > 0, 'commits after the kill');
  assert.deepEqual(late.filter((a) => a.status !== 200).map((a) => a.status), [], 'failures a second after the kill');
  t.diagnostic(`${n} commits acknowledged and present; answers ${JSON.stringify(counts)}`);
  await restart(2);
});

test('a replica stopped (SIGTERM) in a commit storm: no acknowledged commit lost', { skip }, async (t) => {
  const victim = replicas[1];
  const { answers, acked } = await storm('term', async () => {
    await victim.stop();
    return {};
  });
  const n = await assertNothingLost(acked);
  const counts = assertFailuresAre5xx(answers);
  t.diagnostic(`${n} commits acknowledged and present; answers ${JSON.stringify(counts)}`);
  await restart(1);
});

test('database failover: the standby promoted in a commit storm loses no acknowledged commit; the replicas recover without a restart', { skip }, async (t) => {
  const pids = replicas.map((r) => r.proc.pid);
  const { answers, acked, times } = await storm('fo', async () => {
    const stopped = Date.now();
    pg('stop', primary);
    pg('promote', standby);
    return { stopped, promoted: Date.now() };
  }, { tail: 2500 });
  const n = await assertNothingLost(acked);
  const counts = assertFailuresAre5xx(answers);
  // Recovery: from the primary's stop to the first commit that began after
  // it and was acknowledged.
  const first = answers.filter((a) => a.status === 200 && a.start >= times.stopped).sort((x, y) => x.end - y.end)[0];
  assert.ok(first, 'no commit acknowledged after the failover');
  const recovery = first.end - times.stopped;
  const promoted = times.promoted - times.stopped;
  // The same processes answer, each of them ready.
  assert.deepEqual(replicas.map((r) => r.proc.pid), pids);
  for (const r of replicas) assert.equal((await request(r.port, 'GET', '/health/ready', { agent: false })).status, 200);
  // Caches stay coherent: the replicas listen on the new primary.
  for (let i = 0; i < 6; i++) {
    const u = await lb.req('PUT', '/api/v1/catalogs/cat', { body: { properties: { after: String(i) } } });
    assert.equal(u.status, 200, u.text);
    for (const r of replicas)
      assert.equal((await request(r.port, 'GET', '/api/v1/catalogs/cat', { agent: false })).json.properties.after, String(i));
  }
  t.diagnostic(`${n} commits acknowledged and present; answers ${JSON.stringify(counts)}; `
    + `primary stop + promote took ${promoted} ms, the first commit acknowledged ${recovery} ms after the stop`);
  assert.ok(recovery < promoted + 10000, `recovered ${recovery - promoted} ms after the promotion`);
});
