// Passwords are hashed and checked off the worker's event loop.  One
// argon2id run is 20-30 ms of CPU in a release build and several times
// that in the sanitizer build these tests run; made on the loop, a burst
// of logins (an unknown name costs a check too) or a tenant admin setting
// passwords in a loop held every other request on that worker behind it.
// One worker and one CPU-lane thread, so the checks run one after another
// and any request the loop serves meanwhile is answered first.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { basic, startServer } from './lib/server.js';
import { expectJson, uniq } from './lib/expect.js';

const PW = 'Str0ng-Passw0rd-for-tests';
const JOBS = 4;			// PANGOLIN_AUTH_PASSWORD_JOBS
const root = { authorization: basic() };
let srv, tenant, user;

before(async () => {
  srv = await startServer({
    root: true, noAuth: false, workers: 1,
    // The shipped hash cost: the lane is seen only behind checks that take time.
    env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_SCAN_THREADS: '1', PANGOLIN_AUTH_PASSWORD_JOBS: String(JOBS), PGL_TEST_ARGON2_CHEAP: '' },
  });
  tenant = expectJson(await srv.req('POST', '/api/v1/tenants', { body: { name: uniq('pw') }, headers: root }), 201).id;
  user = uniq('pwuser');
  expectJson(await srv.req('POST', '/api/v1/users', { headers: root, body: { username: user, password: PW, tenant_id: tenant, role: 'tenant-admin' } }), 201);
});
after(async () => { await srv?.stop(); });

/** Each request on a connection of its own, sent together: the order in
 * which their answers came, by label. */
async function race(reqs) {
  const agent = new http.Agent({ keepAlive: false, maxSockets: 64 });
  const order = [];
  try {
    await Promise.all(reqs.map(async ([label, method, p, o]) => {
      const r = await srv.req(method, p, { ...o, agent, timeout: 120000 });
      order.push({ label, r });
    }));
  } finally {
    agent.destroy();
  }
  return order;
}

const login = (username, password) => ['POST', '/api/v1/users/login', { body: { username, password, 'tenant-id': tenant } }];

test('logins and a password change wait for their hash off the loop: a request sent after them is answered first, and their answers are right', async () => {
  const order = await race([
    ['right', ...login(user, PW)],
    ['wrong', ...login(user, 'Wr0ng-Passw0rd-for-tests')],
    ['unknown', ...login(uniq('nobody'), PW)],
    ['unknown2', ...login(uniq('nobody'), PW)],
    ['live', 'GET', '/health/live', {}],
  ]);
  const labels = order.map((o) => o.label);
  // Made on the loop, the first check would have held /health/live
  // behind it; off it, the loop answers at once.
  assert.equal(labels[0], 'live', `answered in this order: ${labels.join(', ')}`);
  const by = Object.fromEntries(order.map((o) => [o.label, o.r]));
  assert.ok(expectJson(by.right, 200).token, 'the right password logs in');
  for (const l of ['wrong', 'unknown', 'unknown2']) {
    assert.equal(by[l].status, 401, `${l}: ${by[l].status} ${by[l].text}`);
    assert.match(by[l].json.error?.message ?? by[l].text, /Invalid credentials/);
  }

  // A new password is hashed off the loop too (PUT /users/{id}, in a
  // management transaction rolled back while it waits and run again).
  const token = by.right.json.token;
  const me = expectJson(await srv.req('GET', '/api/v1/users/me', { headers: { authorization: `Bearer ${token}` } }), 200);
  const NEW = 'An0ther-Passw0rd-for-tests';
  const change = await race([
    ['put', 'PUT', `/api/v1/users/${me.id}`, { headers: { authorization: `Bearer ${token}` }, body: { password: NEW } }],
    ['live', 'GET', '/health/live', {}],
  ]);
  assert.equal(change[0].label, 'live', `answered in this order: ${change.map((o) => o.label).join(', ')}`);
  expectJson(change.find((o) => o.label === 'put').r, 200);
  assert.equal((await srv.req(...login(user, PW))).status, 401, 'the old password no longer logs in');
  expectJson(await srv.req(...login(user, NEW)), 200);
});

test(`at most ${JOBS} checks wait or run in a worker at once: more are answered 503 with Retry-After, and none is lost`, async () => {
  const n = 3 * JOBS;
  const order = await race(Array.from({ length: n }, (_, i) => [`l${i}`, ...login(uniq('nobody'), PW)]));
  const codes = order.map((o) => o.r.status);
  assert.ok(codes.every((c) => c === 401 || c === 503), `codes: ${codes.join(',')}`);
  const busy = order.filter((o) => o.r.status === 503);
  assert.ok(busy.length >= 1 && busy.length <= n - JOBS, `503s: ${busy.length} of ${n}`);
  for (const b of busy) {
    assert.ok(b.r.headers['retry-after'], 'Retry-After on 503');
    assert.match(b.r.text, /too many password checks under way/);
  }
  // The worker is free again: every check was let go.
  assert.equal((await srv.req(...login(user, 'An0ther-Passw0rd-for-tests'))).status, 200);
});
