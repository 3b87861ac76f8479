// Session token management (pangolin-api.md §2.7): mint, rotate, revoke
// own and by id, cleanup, list own and another user's; tenant admins act
// on their own tenant's tokens only.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, test } from 'node:test';
import { basic, startServer } from './lib/server.js';
import { expectError, expectJson, expectList, uniq } from './lib/expect.js';

const PW = 'Str0ng-Passw0rd-for-tests';
let srv, tenantA, tenantB, adminA, adminB, userA;
const root = { authorization: basic() };
const bearer = (t) => ({ authorization: `Bearer ${t}` });
const req = (method, p, headers, body) => srv.req(method, p, { headers, body });

async function person(tenant, role) {
  const username = uniq(role);
  const u = expectJson(await req('POST', '/api/v1/users', root, { username, password: PW, tenant_id: tenant, role: 'tenant-admin' }), 201);
  let id = u.id;
  let name = username;
  if (role === 'user') {
    const a = expectJson(await req('POST', '/api/v1/users/login', {}, { username, password: PW, 'tenant-id': tenant }), 200).token;
    name = uniq('user');
    id = expectJson(await req('POST', '/api/v1/users', bearer(a), { username: name, password: PW, role: 'tenant-user' }), 201).id;
  }
  const { token } = expectJson(await req('POST', '/api/v1/users/login', {}, { username: name, password: PW, 'tenant-id': tenant }), 200);
  return { id, token, username: name };
}

before(async () => {
  srv = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0' } });
  tenantA = expectJson(await req('POST', '/api/v1/tenants', root, { name: uniq('ta') }), 201).id;
  tenantB = expectJson(await req('POST', '/api/v1/tenants', root, { name: uniq('tb') }), 201).id;
  adminA = await person(tenantA, 'admin');
  adminB = await person(tenantB, 'admin');
  userA = await person(tenantA, 'user');
});
after(async () => { await srv?.stop(); });

test('a tenant admin mints a token for its tenant, never above its own role or for another tenant', async () => {
  const t = expectJson(await req('POST', '/api/v1/tokens', bearer(adminA.token), { tenant_id: tenantA, username: userA.username, expires_in_hours: 2 }), 200);
  assert.equal(t.tenant_id, tenantA);
  assert.ok(Date.parse(t.expires_at) < Date.now() + 2 * 3600 * 1000 + 5000);
  const me = expectJson(await req('GET', '/api/v1/users/me', bearer(t.token)), 200);
  assert.equal(me.id, userA.id, 'the stored user\'s id and role');
  assert.equal(me.role, 'tenant-user');
  expectError(await req('POST', '/api/v1/tokens', bearer(adminA.token), { tenant_id: tenantB }), 403);
  expectError(await req('POST', '/api/v1/tokens', bearer(adminA.token), { tenant_id: tenantA, roles: ['root'] }), 403);
  expectError(await req('POST', '/api/v1/tokens', bearer(adminA.token), { tenant_id: tenantA, roles: ['wizard'] }), 400);
  expectError(await req('POST', '/api/v1/tokens', bearer(adminA.token), { tenant_id: 'nope' }), 400);
  expectError(await req('POST', '/api/v1/tokens', bearer(userA.token), { tenant_id: tenantA }), 403);
  const r = expectJson(await req('POST', '/api/v1/tokens', root, { tenant_id: tenantB, roles: ['Admin'] }), 200);
  assert.equal(expectJson(await req('GET', '/api/v1/users/me', bearer(r.token)), 200).role, 'tenant-admin');
});

test('rotate answers a new token and revokes the presented one', async () => {
  const p = await person(tenantA, 'user');
  const t = expectJson(await req('POST', '/api/v1/tokens/rotate', bearer(p.token)), 200);
  assert.notEqual(t.token, p.token);
  expectError(await req('GET', '/api/v1/users/me', bearer(p.token)), 401, { message: /revoked/ });
  assert.equal(expectJson(await req('GET', '/api/v1/users/me', bearer(t.token)), 200).id, p.id);
  expectError(await req('POST', '/api/v1/tokens/rotate', root), 400);
});

test('revoke own (a JSON body is required) and revoke by id, tenant-scoped', async () => {
  const p = await person(tenantA, 'user');
  expectError(await srv.req('POST', '/api/v1/auth/revoke', { headers: bearer(p.token) }), 400);
  const m = expectJson(await req('POST', '/api/v1/auth/revoke', bearer(p.token), { reason: 'done' }), 200);
  assert.match(m.message, /revoked/);
  expectError(await req('GET', '/api/v1/users/me', bearer(p.token)), 401);

  const q = await person(tenantA, 'user');
  const mine = expectList(await req('GET', '/api/v1/users/me/tokens', bearer(q.token)));
  assert.equal(mine.items.length, 1);
  const info = mine.items[0];
  assert.deepEqual(Object.keys(info).sort(), ['created_at', 'expires_at', 'id', 'is_valid', 'tenant_id', 'user_id', 'username']);
  assert.ok(!('token' in info), 'the token itself is never stored or listed');
  // Another tenant's admin: the same answer as for a token that does not exist.
  const cross = await req('POST', `/api/v1/auth/revoke/${info.id}`, bearer(adminB.token), {});
  const missing = await req('POST', `/api/v1/auth/revoke/${crypto.randomUUID()}`, bearer(adminB.token), {});
  assert.equal(cross.status, 404);
  assert.equal(cross.text, missing.text);
  expectJson(await req('GET', '/api/v1/users/me', bearer(q.token)), 200);
  const ok = expectJson(await req('POST', `/api/v1/auth/revoke/${info.id}`, bearer(adminA.token), { reason: 'offboarded' }), 200);
  assert.match(ok.message, new RegExp(info.id));
  expectError(await req('GET', '/api/v1/users/me', bearer(q.token)), 401);

  const r2 = await person(tenantA, 'user');
  const id2 = expectList(await req('GET', `/api/v1/users/${r2.id}/tokens`, bearer(adminA.token))).items[0].id;
  expectError(await req('GET', `/api/v1/users/${r2.id}/tokens`, bearer(adminB.token)), 404);
  expectError(await req('GET', `/api/v1/users/${r2.id}/tokens`, bearer(r2.token)), 403);
  assert.equal((await req('DELETE', `/api/v1/tokens/${id2}`, bearer(adminA.token))).status, 204);
  expectError(await req('GET', '/api/v1/users/me', bearer(r2.token)), 401);
  expectList(await req('GET', `/api/v1/users/${r2.id}/tokens`, root));
});

test('cleanup reports what it removed', async () => {
  const r = expectJson(await req('POST', '/api/v1/auth/cleanup-tokens', bearer(adminA.token)), 200);
  assert.equal(typeof r.count, 'number');
  assert.match(r.message, /^Cleaned up \d+ expired tokens$/);
  expectError(await req('POST', '/api/v1/auth/cleanup-tokens', bearer(userA.token)), 403);
});
