// Health, readiness, /metrics and /api/v1/app-config: the public routes,
// on a server with authentication on (no NO_AUTH, a root user).
// Readiness pings the store and root's reads list stored rows: those run on
// every store.  Liveness, the refusals made before any store call and the
// metrics (rendered from shared memory) run on the sqlite pass only (ONCE,
// lib/server.js), whose two workers the counter test needs anyway.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { basic, ONCE, request, startServer, STORE } from './lib/server.js';
import { expectError, expectJson, expectList, pool } from './lib/expect.js';

let srv;
before(async () => { srv = await startServer({ noAuth: false, root: true }); });
after(async () => { await srv?.stop(); });

/** Value of one exposition line, or undefined. */
function metric(text, name, labels = '') {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('GET /health/live is 200 {"status":"alive"}', { skip: ONCE }, async () => {
  assert.deepEqual(expectJson(await srv.req('GET', '/health/live'), 200), { status: 'alive' });
});

test('GET /health/ready is 200 with status ready, store ok, the plugin and a latency', async () => {
  const body = expectJson(await srv.req('GET', '/health/ready'), 200);
  assert.equal(body.status, 'ready');
  assert.equal(body.store, 'ok');
  assert.equal(body.store_plugin, STORE);
  assert.equal(typeof body.store_latency_ms, 'number');
  assert.ok(body.store_latency_ms >= 0);
});

test('GET /health is the readiness check', async () => {
  const body = expectJson(await srv.req('GET', '/health'), 200);
  assert.equal(body.status, 'ready');
  assert.equal(body.store, 'ok');
});

test('health routes are public: credentials are not checked, even wrong ones', { skip: ONCE }, async () => {
  const r = await srv.req('GET', '/health/live', { headers: { authorization: 'Basic bm9wZTpub3Bl' } });
  assert.equal(r.status, 200);
});

test('GET /api/v1/app-config is public and says auth is enabled', { skip: ONCE }, async () => {
  assert.deepEqual(expectJson(await srv.req('GET', '/api/v1/app-config'), 200), { auth_enabled: true });
});

test('with auth on, a protected route without credentials is 401 JSON with WWW-Authenticate', { skip: ONCE }, async () => {
  for (const p of ['/api/v1/catalogs', '/api/v1/tenants', '/api/v1/warehouses/x', '/api/v1/branches?catalog=x']) {
    const r = await srv.req('GET', p);
    expectError(r, 401);
    assert.match(r.headers['www-authenticate'] ?? '', /^Basic realm=/);
  }
  expectError(await srv.req('POST', '/api/v1/catalogs', { body: { name: 'x' } }), 401);
});

test('with auth on, root by HTTP Basic may read but is not a tenant admin', async () => {
  const root = { authorization: basic() };
  expectList(await srv.req('GET', '/api/v1/catalogs', { headers: root }));
  expectList(await srv.req('GET', '/api/v1/tenants', { headers: root }));
  expectError(await srv.req('POST', '/api/v1/catalogs', { body: { name: 'x' }, headers: root }), 403);
  // Root places a tenant's warehouses (docs/security.md) but must name the
  // tenant; deleting one stays a tenant admin's.
  expectError(await srv.req('POST', '/api/v1/warehouses', { body: { name: 'x' }, headers: root }), 400);
  expectError(await srv.req('DELETE', '/api/v1/warehouses/x', { headers: root }), 403);
});

test('GET /metrics is Prometheus text with the request counter, the duration histogram and pangolin_ready 1', { skip: ONCE }, async () => {
  await srv.req('GET', '/health/ready');
  const r = await srv.req('GET', '/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  const t = r.text;
  assert.match(t, /^# TYPE pangolin_http_requests_total counter$/m);
  assert.match(t, /^# TYPE pangolin_http_request_duration_seconds histogram$/m);
  assert.ok(metric(t, 'pangolin_http_requests_total', '{method="GET",route="/health/ready",status="200"}') >= 1);
  const lab = '{method="GET",route="/health/ready",status="200"';
  for (const le of ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf']) {
    assert.notEqual(metric(t, 'pangolin_http_request_duration_seconds_bucket', `${lab},le="${le}"}`), undefined, `bucket le=${le}`);
  }
  const count = metric(t, 'pangolin_http_request_duration_seconds_count', `${lab}}`);
  assert.ok(count >= 1);
  assert.equal(metric(t, 'pangolin_http_request_duration_seconds_bucket', `${lab},le="+Inf"}`), count, '+Inf bucket = _count');
  assert.ok(metric(t, 'pangolin_http_request_duration_seconds_sum', `${lab}}`) >= 0);
  assert.equal(metric(t, 'pangolin_ready'), 1);
});

test('metrics label requests with the route template, not the raw path', { skip: ONCE }, async () => {
  const root = { authorization: basic() };
  await srv.req('GET', '/api/v1/catalogs/no-such-catalog-a', { headers: root });
  await srv.req('GET', '/api/v1/catalogs/no-such-catalog-b', { headers: root });
  const t = (await srv.req('GET', '/metrics')).text;
  assert.ok(metric(t, 'pangolin_http_requests_total', '{method="GET",route="/api/v1/catalogs/{name}",status="404"}') >= 2);
  assert.doesNotMatch(t, /no-such-catalog/);
});

test('the request counter aggregates every worker: N requests raise it by at least N', { skip: ONCE }, async () => {
  const lab = '{method="GET",route="/health/live",status="200"}';
  const before0 = metric((await srv.req('GET', '/metrics')).text, 'pangolin_http_requests_total', lab) ?? 0;
  // Kore's workers take turns accepting; new connections in rounds until
  // (with several workers) more than one has served some of them.
  const servedBy = () => new Set([...srv.log().matchAll(/\[worker (\d+)\] access method=GET route=\/health\/live /g)].map((m) => m[1]));
  const wantWorkers = STORE === 'sqlite' ? 2 : 1;
  let n = 0;
  for (let round = 0; round < 50 && (n < 60 || servedBy().size < wantWorkers); round++) {
    await pool([...Array(16).keys()], 16, async () => {
      const r = await request(srv.port, 'GET', '/health/live', { agent: false });
      assert.equal(r.status, 200);
    });
    n += 16;
    // Access lines are buffered per worker and written within a second.
    await new Promise((r) => setTimeout(r, n < 60 ? 5 : 100));
  }
  assert.ok(servedBy().size >= wantWorkers, `requests were served by workers ${[...servedBy()]}`);
  const after0 = metric((await srv.req('GET', '/metrics')).text, 'pangolin_http_requests_total', lab);
  assert.ok(after0 - before0 >= n, `counter moved by ${after0 - before0}, expected >= ${n}`);
});

test('unmatched requests are counted under route="unmatched"', { skip: ONCE }, async () => {
  await srv.req('GET', '/definitely/not/a/route');
  const t = (await srv.req('GET', '/metrics')).text;
  assert.ok(metric(t, 'pangolin_http_requests_total', '{method="GET",route="unmatched",status="404"}') >= 1);
});
