// Credentials die with their owner (issue 22, part 3): a session, rotated
// or minted token of a deactivated or deleted user, and an OAuth token of a
// rotated, deactivated or deleted key, answer 401 from the next request
// on; rotation keeps the first expiry; revoke by id reaches a deleted
// user's tokens; minted tokens name a real user; root's HTTP Basic is
// throttled and audited; failed logins are recorded only where the
// account lives; nobody can lock a user out from the user's own address.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { basic, ONCE, request, ROOT_PASSWORD, ROOT_USER, startServer, STORE } from './lib/server.js';
import { expectError, expectJson, expectList, uniq } from './lib/expect.js';

const PW = 'Str0ng-Passw0rd-for-tests';
const root = { authorization: basic() };
const bearer = (t) => ({ authorization: `Bearer ${t}` });
const claims = (t) => JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString());

let srv, tenantA, tenantB;
const req = (method, p, headers, body) => srv.req(method, p, { headers, body });

before(async () => {
  srv = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0' } });
  tenantA = expectJson(await req('POST', '/api/v1/tenants', root, { name: uniq('ta') }), 201).id;
  tenantB = expectJson(await req('POST', '/api/v1/tenants', root, { name: uniq('tb') }), 201).id;
});
after(async () => { await srv?.stop(); });

async function user(tenant, role = 'tenant-admin') {
  const username = uniq(role);
  const u = expectJson(await req('POST', '/api/v1/users', root, { username, password: PW, tenant_id: tenant, role }), 201);
  return { ...u, username, token: await login(username, tenant) };
}
async function login(username, tenant) {
  return expectJson(await req('POST', '/api/v1/users/login', {}, { username, password: PW, 'tenant-id': tenant }), 200).token;
}
const me = (t) => req('GET', '/api/v1/users/me', bearer(t));

test('a deactivated admin\'s session, rotated and minted tokens are 401: no self re-activation, no rotation', async () => {
  const a = await user(tenantA);
  const boss = await user(tenantA);
  const rotated = expectJson(await req('POST', '/api/v1/tokens/rotate', bearer(a.token)), 200).token;
  const minted = expectJson(await req('POST', '/api/v1/tokens', bearer(boss.token), { tenant_id: tenantA, username: a.username }), 200).token;
  const session = await login(a.username, tenantA);
  for (const t of [rotated, minted, session]) expectJson(await me(t), 200);
  expectJson(await req('PUT', `/api/v1/users/${a.id}`, bearer(boss.token), { active: false }), 200);
  for (const t of [rotated, minted, session]) {
    expectError(await me(t), 401);
    expectError(await req('PUT', `/api/v1/users/${a.id}`, bearer(t), { active: true }), 401);
    expectError(await req('POST', '/api/v1/tokens/rotate', bearer(t)), 401);
  }
  assert.equal(expectJson(await req('GET', `/api/v1/users/${a.id}`, bearer(boss.token)), 200).active, false);
  // Re-activated by an admin, the user logs in afresh; the old tokens stay dead.
  expectJson(await req('PUT', `/api/v1/users/${a.id}`, bearer(boss.token), { active: true }), 200);
  for (const t of [rotated, minted, session]) expectError(await me(t), 401);
  expectJson(await me(await login(a.username, tenantA)), 200);
});

test('a deleted admin\'s token cannot create a new admin; root and the tenant admin revoke its tokens by id', async () => {
  const a = await user(tenantA);
  const boss = await user(tenantA);
  const second = await login(a.username, tenantA);
  const minted = expectJson(await req('POST', '/api/v1/tokens', root, { tenant_id: tenantA, username: a.username }), 200).token;
  assert.equal((await req('DELETE', `/api/v1/users/${a.id}`, bearer(boss.token))).status, 204);
  for (const t of [a.token, second, minted]) {
    expectError(await me(t), 401);
    expectError(await req('POST', '/api/v1/users', bearer(t), { username: uniq('evil'), password: PW, role: 'tenant-admin' }), 401);
  }
  // Revoke by id still finds a deleted user's token: root, and its tenant's admin.
  assert.equal((await req('DELETE', `/api/v1/tokens/${claims(a.token).jti}`, root)).status, 204);
  assert.equal((await req('DELETE', `/api/v1/tokens/${claims(second).jti}`, bearer(boss.token))).status, 204);
  // Another tenant's admin still sees nothing.
  const other = await user(tenantB);
  expectError(await req('DELETE', `/api/v1/tokens/${claims(minted).jti}`, bearer(other.token)), 404);
});

test('deleting a tenant kills the sessions of its users', async () => {
  const t = expectJson(await req('POST', '/api/v1/tenants', root, { name: uniq('tc') }), 201).id;
  const a = await user(t);
  expectJson(await me(a.token), 200);
  assert.equal((await req('DELETE', `/api/v1/tenants/${t}`, root)).status, 204);
  expectError(await me(a.token), 401);
  expectError(await req('GET', '/api/v1/users', bearer(a.token)), 401);
});

test('rotation never extends a token past its first expiry', async () => {
  const a = await user(tenantA, 'tenant-user');
  const minted = expectJson(await req('POST', '/api/v1/tokens', root, { tenant_id: tenantA, username: a.username, expires_in_hours: 1 }), 200);
  const first = claims(minted.token).exp;
  const r1 = expectJson(await req('POST', '/api/v1/tokens/rotate', bearer(minted.token)), 200);
  assert.ok(claims(r1.token).exp <= first, `rotated exp ${claims(r1.token).exp} > first ${first}`);
  assert.ok(Date.parse(r1.expires_at) <= Date.parse(minted.expires_at));
  const r2 = expectJson(await req('POST', '/api/v1/tokens/rotate', bearer(r1.token)), 200);
  assert.ok(claims(r2.token).exp <= first);
  expectJson(await me(r2.token), 200);
  expectError(await me(r1.token), 401);
});

test('a minted token names a real, active user of the tenant', async () => {
  const a = await user(tenantA);
  const b = await user(tenantB, 'tenant-user');
  expectError(await req('POST', '/api/v1/tokens', bearer(a.token), { tenant_id: tenantA, username: uniq('nobody') }), 404);
  expectError(await req('POST', '/api/v1/tokens', bearer(a.token), { tenant_id: tenantA, username: b.username }), 404);
  expectError(await req('POST', '/api/v1/tokens', root, { tenant_id: tenantA, username: b.username }), 404);
  const t = expectJson(await req('POST', '/api/v1/tokens', root, { tenant_id: tenantB, username: b.username }), 200).token;
  assert.equal(expectJson(await me(t), 200).id, b.id);
});

test('a token minted without a username dies with the admin who minted it', async () => {
  const a = await user(tenantA);
  const boss = await user(tenantA);
  const t = expectJson(await req('POST', '/api/v1/tokens', bearer(a.token), { tenant_id: tenantA, roles: ['tenant-admin'] }), 200).token;
  expectJson(await req('GET', '/api/v1/users', bearer(t)), 200);
  expectJson(await req('PUT', `/api/v1/users/${a.id}`, bearer(boss.token), { active: false }), 200);
  expectError(await req('GET', '/api/v1/users', bearer(t)), 401);
});

// OAuth tokens from a service user's API key (§2.8).
const form = (o) => new URLSearchParams(o).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
async function oauth(su) {
  const r = await srv.req('POST', '/v1/oauth/tokens', { body: form({ grant_type: 'client_credentials', client_id: su.id, client_secret: su.api_key }), headers: FORM });
  return expectJson(r, 200).access_token;
}

test('an OAuth token dies with its key\'s rotation, its service user\'s deactivation and deletion', async () => {
  const admin = await user(tenantA);
  const mk = async () => expectJson(await req('POST', '/api/v1/service-users', bearer(admin.token), { name: uniq('etl'), role: 'tenant-user' }), 201);
  // Rotation: the old key's tokens are 401, the new key's work.
  const su = await mk();
  const before = await oauth(su);
  const rotatedBefore = expectJson(await req('POST', '/api/v1/tokens/rotate', bearer(before)), 200).token;
  expectJson(await me(rotatedBefore), 200);
  const fresh = expectJson(await req('POST', `/api/v1/service-users/${su.id}/rotate`, bearer(admin.token)), 200);
  expectError(await me(before), 401);
  expectError(await me(rotatedBefore), 401);
  const after = await oauth({ id: su.id, api_key: fresh.api_key });
  expectJson(await me(after), 200);
  // Deactivation.
  const su2 = await mk();
  const t2 = await oauth(su2);
  expectJson(await me(t2), 200);
  expectJson(await req('PUT', `/api/v1/service-users/${su2.id}`, bearer(admin.token), { active: false }), 200);
  expectError(await me(t2), 401);
  // Deletion.
  const su3 = await mk();
  const t3 = await oauth(su3);
  expectJson(await me(t3), 200);
  expectJson(await req('DELETE', `/api/v1/service-users/${su3.id}`, bearer(admin.token)), 200);
  expectError(await me(t3), 401);
});

test('a deactivation is seen by a replica on the same store at its next request', { skip: STORE === 'memory' && 'the memory store is one process' }, async () => {
  const replica = await startServer({ root: true, noAuth: false, shareWith: srv.dir, env: { PANGOLIN_AUTH_RATE_LIMIT: '0' } });
  try {
    const a = await user(tenantA, 'tenant-user');
    const boss = await user(tenantA);
    expectJson(await replica.req('GET', '/api/v1/users/me', { headers: bearer(a.token) }), 200);
    expectJson(await req('PUT', `/api/v1/users/${a.id}`, bearer(boss.token), { active: false }), 200);
    expectError(await replica.req('GET', '/api/v1/users/me', { headers: bearer(a.token) }), 401);
  } finally {
    await replica.stop();
  }
});

// Throttles and the audit log: servers of their own, with a small limit.
const agent = new http.Agent({ keepAlive: false });

test('root HTTP Basic: a flood of wrong passwords gets 429 with Retry-After, and is in root\'s audit log', async () => {
  const s = await startServer({ root: true, noAuth: false, workers: 2, env: {
    PANGOLIN_AUTH_RATE_LIMIT: '5', PANGOLIN_AUTH_RATE_WINDOW_SECS: '60', PANGOLIN_TRUST_FORWARDED_FOR: 'true',
  } });
  try {
    const from = (ip, authorization) => request(s.port, 'GET', '/api/v1/tenants', { agent, headers: { authorization, 'x-forwarded-for': ip } });
    const t0 = Date.now();
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => from('192.0.2.50', basic(ROOT_USER, `wrong-${i}`))));
    const statuses = answers.map((r) => r.status);
    assert.ok(statuses.filter((x) => x === 401).length <= 5 + 2, `at most about the limit are checked: ${statuses}`);
    const throttled = answers.filter((r) => r.status === 429);
    assert.ok(throttled.length >= 30, `most are refused unchecked: ${statuses}`);
    for (const r of throttled) {
      const after = Number(r.headers['retry-after']);
      assert.ok(after >= 1 && after <= 60, `Retry-After ${r.headers['retry-after']}`);
    }
    assert.ok(Date.now() - t0 < 10000);
    // Even the right password waits at that address; another address is not affected.
    expectError(await from('192.0.2.50', basic()), 429);
    expectJson(await from('192.0.2.51', basic()), 200);
    // The failures are recorded in root's log, the name as an unverified claim.
    const { token } = expectJson(await request(s.port, 'POST', '/api/v1/users/login', { body: { username: ROOT_USER, password: ROOT_PASSWORD }, headers: { 'x-forwarded-for': '192.0.2.52' } }), 200);
    const { items } = expectList(await request(s.port, 'GET', '/api/v1/audit?action=login_failed&limit=100', { headers: bearer(token) }));
    const mine = items.filter((e) => e.ip_address === '192.0.2.50');
    assert.ok(mine.length >= 1 && mine.length <= 7, `${mine.length} failures recorded`);
    assert.equal(mine[0].result, 'failure');
    assert.equal(mine[0].resource_name, ROOT_USER);
    assert.equal(mine[0].metadata.username_verified, false);
    assert.equal(mine[0].tenant_id, null);
  } finally {
    await s.stop();
  }
});

// Configuration: root's Basic refused before any store call; root's login
// and session are the other tests' on every store (ONCE, lib/server.js).
test('PANGOLIN_ROOT_BASIC=false: root\'s Basic is 401, root\'s login still works', { skip: ONCE }, async () => {
  const s = await startServer({ root: true, noAuth: false, env: { PANGOLIN_ROOT_BASIC: 'false', PANGOLIN_AUTH_RATE_LIMIT: '0' } });
  try {
    const r = await request(s.port, 'GET', '/api/v1/tenants', { headers: { authorization: basic() } });
    expectError(r, 401);
    const { token } = expectJson(await request(s.port, 'POST', '/api/v1/users/login', { body: { username: ROOT_USER, password: ROOT_PASSWORD } }), 200);
    expectList(await request(s.port, 'GET', '/api/v1/tenants', { headers: bearer(token) }));
  } finally {
    await s.stop();
  }
});

test('a failed anonymous login is recorded only in the tenant that holds the name, truncated and unverified', async () => {
  const a = await user(tenantA);
  const b = await user(tenantB);
  const audit = async (t) => expectList(await req('GET', '/api/v1/audit?action=login_failed&limit=1000', bearer(t))).items;
  const junk = `forged ${'x'.repeat(200)} text`;
  // Naming tenant B: an unknown name, and A's admin's name, with a wrong password.
  expectError(await req('POST', '/api/v1/users/login', {}, { username: junk, password: 'Wrong-password-1', 'tenant-id': tenantB }), 401);
  expectError(await req('POST', '/api/v1/users/login', {}, { username: a.username, password: 'Wrong-password-1', 'tenant-id': tenantB }), 401);
  const inB = await audit(b.token);
  assert.ok(!inB.some((e) => (e.resource_name ?? '').includes('forged') || e.resource_name === a.username), JSON.stringify(inB));
  const inA = (await audit(a.token)).filter((e) => e.resource_name === a.username);
  assert.equal(inA.length, 1);
  assert.equal(inA[0].metadata.username_verified, false);
  // Nowhere else either: root's view of every tenant has no forged text.
  const all = expectList(await req('GET', '/api/v1/audit?action=login_failed&limit=1000', root)).items;
  assert.ok(!all.some((e) => (e.resource_name ?? '').includes('forged')));
  // A claimed name is kept to 64 bytes (root's Basic records what was tried).
  expectError(await req('GET', '/api/v1/tenants', { authorization: basic(`é${'y'.repeat(100)}`, 'nope') }), 401);
  const claimed = expectList(await req('GET', '/api/v1/audit?action=login_failed&limit=1000', root)).items
    .filter((e) => (e.resource_name ?? '').startsWith('éyyy'));
  assert.equal(claimed.length, 1);
  assert.ok(Buffer.byteLength(claimed[0].resource_name) <= 64);
  assert.equal(claimed[0].metadata.truncated, true);
  assert.equal(claimed[0].metadata.username_verified, false);
});

// The login throttle is counted per address in shared memory (as in
// ratelimit.test.js, listed as store-independent): ONCE, lib/server.js.
test('failed logins from one address do not lock the account out from another', { skip: ONCE }, async () => {
  const s = await startServer({ root: true, noAuth: false, workers: 2, env: {
    PANGOLIN_AUTH_RATE_LIMIT: '3', PANGOLIN_AUTH_RATE_WINDOW_SECS: '60', PANGOLIN_TRUST_FORWARDED_FOR: 'true',
  } });
  try {
    const t = expectJson(await request(s.port, 'POST', '/api/v1/tenants', { headers: root, body: { name: uniq('t') } }), 201).id;
    const name = uniq('victim');
    expectJson(await request(s.port, 'POST', '/api/v1/users', { headers: root, body: { username: name, password: PW, tenant_id: t, role: 'tenant-user' } }), 201);
    const login1 = (password, ip) => request(s.port, 'POST', '/api/v1/users/login', { agent, body: { username: name, password, 'tenant-id': t }, headers: { 'x-forwarded-for': ip } });
    // The attacker: 11 wrong passwords from one address (limit 3): throttled there.
    const got = [];
    for (let i = 0; i < 11; i++) got.push((await login1('Wrong-password-1', '198.51.100.1')).status);
    assert.deepEqual(got.slice(0, 3), [401, 401, 401]);
    assert.ok(got.slice(3).every((x) => x === 429), `${got}`);
    // The user, from another address, logs in.
    expectJson(await login1(PW, '203.0.113.9'), 200);
  } finally {
    await s.stop();
  }
});
