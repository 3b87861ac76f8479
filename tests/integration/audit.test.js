// The audit log (pangolin-api.md §2.12) of the identity routes: logins
// (success and failure), sessions, users and service users, with the
// client's address and user agent; admins read their tenant's, root all.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, test } from 'node:test';
import { basic, startServer } from './lib/server.js';
import { expectError, expectJson, expectList, uniq } from './lib/expect.js';

const PW = 'Str0ng-Passw0rd-for-tests';
let srv, tenantA, tenantB, adminA, adminB, aName;
const root = { authorization: basic() };
const bearer = (t) => ({ authorization: `Bearer ${t}` });
const req = (method, p, headers, body) => srv.req(method, p, { headers, body });

before(async () => {
  srv = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_TRUST_FORWARDED_FOR: 'true' } });
  tenantA = expectJson(await req('POST', '/api/v1/tenants', root, { name: uniq('ta') }), 201).id;
  tenantB = expectJson(await req('POST', '/api/v1/tenants', root, { name: uniq('tb') }), 201).id;
  const admin = async (tenant) => {
    const username = uniq('admin');
    expectJson(await req('POST', '/api/v1/users', root, { username, password: PW, tenant_id: tenant, role: 'tenant-admin' }), 201);
    return { username, token: expectJson(await req('POST', '/api/v1/users/login', {}, { username, password: PW, 'tenant-id': tenant }), 200).token };
  };
  const a = await admin(tenantA);
  adminA = a.token;
  aName = a.username;
  adminB = (await admin(tenantB)).token;
});
after(async () => { await srv?.stop(); });

const audit = (token, qs = '') => req('GET', `/api/v1/audit${qs}`, bearer(token));

test('logins, failed logins and user changes are recorded with address and user agent', async () => {
  const r = await srv.req('POST', '/api/v1/users/login', { body: { username: aName, password: 'Wrong-password-1', 'tenant-id': tenantA },
    headers: { 'x-forwarded-for': '198.51.100.7', 'user-agent': 'pyiceberg/0.9' } });
  expectError(r, 401);
  const failed = expectList(await audit(adminA, '?action=login_failed')).items;
  assert.ok(failed.length >= 1);
  const e = failed[0];
  assert.equal(e.result, 'failure');
  assert.equal(e.resource_name, aName);
  assert.equal(e.ip_address, '198.51.100.7');
  assert.equal(e.user_agent, 'pyiceberg/0.9');
  assert.equal(e.error_message, 'Invalid credentials');
  assert.deepEqual(Object.keys(e).sort(), ['action', 'error_message', 'id', 'ip_address', 'metadata', 'resource_id', 'resource_name',
    'resource_type', 'result', 'tenant_id', 'timestamp', 'user_agent', 'user_id', 'username']);
  const name = uniq('u');
  const u = expectJson(await req('POST', '/api/v1/users', bearer(adminA), { username: name, password: PW, role: 'tenant-user' }), 201);
  assert.equal((await req('DELETE', `/api/v1/users/${u.id}`, bearer(adminA))).status, 204);
  const mine = expectList(await audit(adminA, `?resource_id=${u.id}`)).items;
  assert.deepEqual(mine.map((x) => x.action), ['delete_user', 'create_user'], 'newest first');
  assert.equal(mine[0].username, aName, 'who did it');
  const logins = expectList(await audit(adminA, '?action=login&result=success')).items;
  assert.ok(logins.some((x) => x.resource_name === aName));
  const one = expectJson(await req('GET', `/api/v1/audit/${mine[0].id}`, bearer(adminA)), 200);
  assert.deepEqual(one, mine[0]);
  assert.deepEqual(expectJson(await req('GET', `/api/v1/audit/count?resource_id=${u.id}`, bearer(adminA)), 200), { count: 2 });
});

test('sessions and service users are recorded; each tenant sees its own, root sees all', async () => {
  const su = expectJson(await req('POST', '/api/v1/service-users', bearer(adminB), { name: uniq('etl'), role: 'tenant-user' }), 201);
  expectJson(await req('POST', `/api/v1/service-users/${su.id}/rotate`, bearer(adminB)), 200);
  const b = expectList(await audit(adminB, `?resource_id=${su.id}`)).items.map((x) => x.action);
  assert.deepEqual(b, ['rotate_api_key', 'create_service_user']);
  assert.equal(expectList(await audit(adminA, `?resource_id=${su.id}`)).items.length, 0, 'tenant A sees none of B');
  const cross = await req('GET', `/api/v1/audit/${expectList(await audit(adminB, `?resource_id=${su.id}`)).items[0].id}`, bearer(adminA));
  assert.equal(cross.status, 404);
  const all = expectList(await req('GET', `/api/v1/audit?resource_id=${su.id}`, root)).items;
  assert.equal(all.length, 2, 'root reads across tenants');
  const missing = expectJson(await req('GET', `/api/v1/audit/${crypto.randomUUID()}`, root), 404);
  assert.equal(missing.error, 'Audit event not found');
});

test('filters: time range, bad times are 400, tenant users may not read the log', async () => {
  const now = new Date();
  const iso = (d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const past = expectList(await audit(adminA, `?end_time=${iso(new Date(now - 3600e3))}`)).items;
  assert.equal(past.length, 0);
  const recent = expectList(await audit(adminA, `?start_time=${iso(new Date(now - 3600e3))}`)).items;
  assert.ok(recent.length > 0);
  expectError(await audit(adminA, '?start_time=yesterday'), 400);
  expectError(await audit(adminA, '?end_time=2026-01-01'), 400);
  const name = uniq('u');
  expectJson(await req('POST', '/api/v1/users', bearer(adminA), { username: name, password: PW, role: 'tenant-user' }), 201);
  const t = expectJson(await req('POST', '/api/v1/users/login', {}, { username: name, password: PW, 'tenant-id': tenantA }), 200).token;
  expectError(await audit(t), 403);
});
