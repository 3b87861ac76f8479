// Request rates (issue 23, part 3): an optional ceiling on the requests
// one principal, and one tenant, may make in a window, counted across
// every worker of the process (PANGOLIN_RATE_PER_PRINCIPAL,
// PANGOLIN_RATE_PER_TENANT, PANGOLIN_RATE_WINDOW_SECS).  Past it: 429
// with Retry-After and the limit named; other principals are not
// affected; off by default.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { basic, request, startServer } from './lib/server.js';
import { expectError, expectJson, uniq } from './lib/expect.js';

const LIMIT = 20;
const WINDOW = 4;
const PW = 'Rate-Limit-Passw0rd';
// A new connection per request, so a burst spreads over both workers.
const agent = new http.Agent({ keepAlive: false });

let srv;
let A;
let B;
before(async () => {
  srv = await startServer({ root: true, noAuth: false, workers: 2, env: {
    PANGOLIN_RATE_PER_PRINCIPAL: String(LIMIT), PANGOLIN_RATE_WINDOW_SECS: String(WINDOW),
  } });
  // Root sets up two tenants with an admin each; root's own requests
  // count too, so keep them few.
  const root = async (method, p, body) => expectJson(await srv.req(method, p, { body, headers: { authorization: basic() } }), method === 'POST' ? 201 : 200);
  const tenant = async () => {
    const id = (await root('POST', '/api/v1/tenants', { name: uniq('rt') })).id;
    const name = uniq('ra');
    await root('POST', '/api/v1/users', { username: name, password: PW, tenant_id: id, role: 'tenant-admin' });
    const login = expectJson(await srv.req('POST', '/api/v1/users/login', { body: { username: name, password: PW, 'tenant-id': id } }), 200);
    return { id, h: { authorization: `Bearer ${login.token}` } };
  };
  A = await tenant();
  B = await tenant();
});
after(async () => { await srv?.stop(); });

const list = (who) => request(srv.port, 'GET', '/api/v1/catalogs', { agent, headers: who.h });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Wait for the start of a fresh window, so a burst fits in one. */
async function freshWindow() {
  const s = Date.now() / 1000;
  await sleep(((Math.ceil(s / WINDOW) * WINDOW) - s) * 1000 + 50);
}

test('a principal\'s burst across both workers gets the limit and no more; the rest is 429 with Retry-After; another principal is served', async () => {
  await sleep(WINDOW * 1000);
  const burst = await Promise.all(Array.from({ length: 3 * LIMIT }, () => list(A)));
  const okCount = burst.filter((r) => r.status === 200).length;
  const refused = burst.filter((r) => r.status === 429);
  console.log(`# burst of ${3 * LIMIT}: ${okCount} answered 200, ${refused.length} 429`);
  // Counted across workers: never the limit per worker.  A burst may
  // straddle two windows, so at most twice the limit.
  assert.ok(okCount >= 1 && okCount <= 2 * LIMIT, `${okCount} OK`);
  assert.ok(refused.length >= LIMIT, `${refused.length} refused`);
  assert.equal(okCount + refused.length, 3 * LIMIT);
  const r = refused[0];
  expectError(r, 429, { message: /PANGOLIN_RATE_PER_PRINCIPAL/ });
  assert.equal(r.json.limit, LIMIT);
  assert.equal(r.json.window_secs, WINDOW);
  const retry = Number(r.headers['retry-after']);
  assert.ok(retry >= 1 && retry <= WINDOW, `Retry-After ${r.headers['retry-after']}`);
  // B is another principal: its own window.
  expectJson(await list(B), 200);
  // After the window A is served again.
  await sleep(retry * 1000 + 100);
  expectJson(await list(A), 200);
  const m = await request(srv.port, 'GET', '/metrics', { agent });
  const n = Number(/^pangolin_rate_limited_total (\d+)/m.exec(m.text)?.[1]);
  assert.ok(n >= refused.length, `pangolin_rate_limited_total ${n}`);
  // Named in the log once per worker, not once per 429.
  const lines = srv.log().split('\n').filter((l) => l.includes('limit reached: [server] rate_per_principal 20 per window')).length;
  assert.ok(lines >= 1 && lines <= 2, `${lines} log lines for ${refused.length} refusals`);
});

test('within one window, sequential requests past the limit are refused whichever worker answers', async () => {
  await freshWindow();
  const codes = [];
  for (let i = 0; i < LIMIT + 5; i++) codes.push((await list(B)).status);
  const okCount = codes.filter((c) => c === 200).length;
  // The window may turn during the run (WINDOW s); then at most 2×.
  assert.ok(okCount <= 2 * LIMIT, codes.join(','));
  assert.ok(codes.includes(429), codes.join(','));
  // An Iceberg route answers in the Iceberg envelope.
  await sleep(0);
  const ice = await request(srv.port, 'GET', '/v1/config', { agent, headers: B.h });
  if (ice.status === 429) {
    assert.equal(ice.json.error.type, 'TooManyRequestsException');
    assert.equal(ice.json.error.code, 429);
  }
});

test('health and metrics are never counted', async () => {
  await freshWindow();
  const r = await Promise.all(Array.from({ length: 3 * LIMIT }, () => request(srv.port, 'GET', '/health/live', { agent })));
  assert.ok(r.every((x) => x.status === 200));
});

test('off by default: a burst of 200 is all served', async () => {
  const plain = await startServer({ workers: 2 });
  try {
    const a = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const r = await Promise.all(Array.from({ length: 200 }, () => request(plain.port, 'GET', '/api/v1/catalogs', { agent: a })));
    a.destroy();
    assert.deepEqual([...new Set(r.map((x) => x.status))], [200]);
  } finally {
    await plain.stop();
  }
});

test('a tenant\'s rate is shared by its principals', async () => {
  const t = await startServer({ root: true, noAuth: false, workers: 2, env: {
    PANGOLIN_RATE_PER_TENANT: '10', PANGOLIN_RATE_WINDOW_SECS: '30',
  } });
  try {
    // Root is no tenant's: set up freely.
    const root = async (method, p, body) => expectJson(await t.req(method, p, { body, headers: { authorization: basic() } }), 201);
    const id = (await root('POST', '/api/v1/tenants', { name: uniq('rt') })).id;
    const users = [];
    for (let i = 0; i < 2; i++) {
      const name = uniq('ru');
      await root('POST', '/api/v1/users', { username: name, password: PW, tenant_id: id, role: 'tenant-admin' });
      const login = expectJson(await t.req('POST', '/api/v1/users/login', { body: { username: name, password: PW, 'tenant-id': id } }), 200);
      users.push({ authorization: `Bearer ${login.token}` });
    }
    const codes = [];
    for (let i = 0; i < 12; i++) codes.push((await request(t.port, 'GET', '/api/v1/catalogs', { agent, headers: users[i % 2] })).status);
    assert.equal(codes.filter((c) => c === 200).length, 10, codes.join(','));
    const last = await request(t.port, 'GET', '/api/v1/catalogs', { agent, headers: users[0] });
    expectError(last, 429, { message: /PANGOLIN_RATE_PER_TENANT/ });
    // Root (no tenant) is not held by the tenant's rate.
    assert.equal((await request(t.port, 'GET', '/api/v1/tenants', { agent, headers: { authorization: basic() } })).status, 200);
  } finally {
    await t.stop();
  }
});

