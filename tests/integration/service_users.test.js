// Service users, API keys and OAuth2 client credentials (pangolin-api.md
// §2.8, §1.2): keys "pgl_<key id>_<secret>" shown once and stored as a
// hash, X-API-Key out of the box, rotate/deactivate/expiry, and a bearer
// token from client credentials that Iceberg routes accept.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { after, before, test } from 'node:test';
import { basic, startServer, STORE } from './lib/server.js';
import { expectError, expectJson, expectList, uniq } from './lib/expect.js';

let srv, admin, tenant;
const PW = 'Str0ng-Passw0rd-for-tests';
before(async () => {
  srv = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0' } });
  const root = { authorization: basic() };
  tenant = expectJson(await srv.req('POST', '/api/v1/tenants', { body: { name: uniq('t') }, headers: root }), 201).id;
  const username = uniq('admin');
  expectJson(await srv.req('POST', '/api/v1/users', { body: { username, password: PW, tenant_id: tenant, role: 'tenant-admin' }, headers: root }), 201);
  admin = expectJson(await srv.req('POST', '/api/v1/users/login', { body: { username, password: PW, 'tenant-id': tenant } }), 200).token;
});
after(async () => { await srv?.stop(); });

const asAdmin = (method, p, body) => srv.req(method, p, { body, headers: { authorization: `Bearer ${admin}` } });
const withKey = (key, method, p) => srv.req(method, p, { headers: { 'x-api-key': key } });
const token = (form, p = '/v1/oauth/tokens') => srv.req('POST', p, {
  body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' },
});

async function serviceUser(extra = {}) {
  return expectJson(await asAdmin('POST', '/api/v1/service-users', { name: uniq('etl'), role: 'tenant-user', description: 'nightly', ...extra }), 201);
}

test('a service user gets a pgl_<key id>_<secret> key with 256 bits of secret, shown once', async () => {
  const su = await serviceUser();
  assert.match(su.api_key, /^pgl_[0-9a-f]{16}_[0-9a-f]{64}$/);
  assert.equal(su.tenant_id, tenant);
  assert.equal(su.role, 'tenant-user');
  assert.equal(su.active, true);
  const got = expectJson(await asAdmin('GET', `/api/v1/service-users/${su.id}`), 200);
  assert.equal(got.name, su.name);
  assert.ok(!JSON.stringify(got).includes(su.api_key.slice(21)), 'get never shows the key');
  assert.ok(!('api-key-hash' in got) && !('api_key' in got));
  const list = expectList(await asAdmin('GET', '/api/v1/service-users'));
  assert.ok(list.items.some((x) => x.id === su.id));
  assert.ok(!JSON.stringify(list.items).includes(su.api_key.slice(21)), 'list never shows a key');
});

test('the key is stored only as a hash', { skip: STORE !== 'sqlite' && 'the SQLite file is read directly' }, async () => {
  const su = await serviceUser();
  const row = execFileSync('sqlite3', [srv.dbPath, `SELECT key_id || ' ' || api_key_hash || doc FROM service_users WHERE id = '${su.id}'`], { encoding: 'utf8' });
  assert.ok(!row.includes(su.api_key.slice(21)));
  assert.match(row, /sha256:[0-9a-f]{64}/);
});

test('X-API-Key works out of the box, in the service user\'s own tenant', async () => {
  const su = await serviceUser();
  const me = expectJson(await withKey(su.api_key, 'GET', '/api/v1/users/me'), 200);
  assert.equal(me.id, su.id);
  assert.equal(me['tenant-id'], tenant);
  expectJson(await withKey(su.api_key, 'GET', '/api/v1/catalogs'), 200);
  // A tenant-user key is not an admin.
  expectError(await withKey(su.api_key, 'GET', '/api/v1/service-users'), 403);
  for (const bad of [su.api_key.slice(0, -1) + (su.api_key.endsWith('a') ? 'b' : 'a'), 'pgl_nope', 'x'.repeat(85), `pgl_${'0'.repeat(16)}_${'0'.repeat(64)}`]) {
    expectError(await withKey(bad, 'GET', '/api/v1/catalogs'), 401, { message: /Invalid or expired API key/ });
  }
});

test('rotate replaces the key at once; deactivate and delete stop it', async () => {
  const su = await serviceUser();
  const rotated = expectJson(await asAdmin('POST', `/api/v1/service-users/${su.id}/rotate`), 200);
  assert.notEqual(rotated.api_key, su.api_key);
  expectError(await withKey(su.api_key, 'GET', '/api/v1/catalogs'), 401);
  expectJson(await withKey(rotated.api_key, 'GET', '/api/v1/catalogs'), 200);
  assert.deepEqual(expectJson(await asAdmin('PUT', `/api/v1/service-users/${su.id}`, { active: false }), 200), { status: 'updated' });
  expectError(await withKey(rotated.api_key, 'GET', '/api/v1/catalogs'), 401);
  expectJson(await asAdmin('PUT', `/api/v1/service-users/${su.id}`, { active: true }), 200);
  expectJson(await withKey(rotated.api_key, 'GET', '/api/v1/catalogs'), 200);
  assert.deepEqual(expectJson(await asAdmin('DELETE', `/api/v1/service-users/${su.id}`), 200), { status: 'deleted' });
  expectError(await withKey(rotated.api_key, 'GET', '/api/v1/catalogs'), 401);
  expectError(await asAdmin('GET', `/api/v1/service-users/${su.id}`), 404);
});

test('an expired key is refused', { skip: STORE !== 'sqlite' && 'expiry is moved into the past in the SQLite file' }, async () => {
  const su = await serviceUser({ expires_in_days: 1 });
  assert.ok(Date.parse(su.expires_at) > Date.now());
  expectJson(await withKey(su.api_key, 'GET', '/api/v1/catalogs'), 200);
  execFileSync('sqlite3', [srv.dbPath], { input: `.timeout 5000\nUPDATE service_users SET expires_at = 1 WHERE id = '${su.id}';\n` });
  // The shell writes behind Pangolin's back, which the rows each worker
  // keeps see within their TTL (2 s, as for table pointers; a change
  // made through Pangolin is seen at once).  A key's own expiry is
  // checked against the clock on every request.
  await new Promise((r) => setTimeout(r, 2100));
  expectError(await withKey(su.api_key, 'GET', '/api/v1/catalogs'), 401);
});

test('OAuth2 client credentials give a bearer token that Iceberg and management routes accept', async () => {
  const su = await serviceUser({ role: 'tenant-admin' });
  for (const p of ['/v1/oauth/tokens', '/v1/anycat/v1/oauth/tokens', '/api/v1/iceberg/anycat/oauth/tokens']) {
    const r = expectJson(await token({ grant_type: 'client_credentials', client_id: su.id, client_secret: su.api_key, scope: 'catalog' }, p), 200);
    assert.equal(r.token_type, 'bearer');
    assert.equal(r.expires_in, 3600);
    assert.equal(r.issued_token_type, 'urn:ietf:params:oauth:token-type:access_token');
    assert.equal(r.access_token.split('.').length, 3);
  }
  const { access_token: bearer } = expectJson(await token({ grant_type: 'client_credentials', client_id: su.id, client_secret: su.api_key }), 200);
  const h = { authorization: `Bearer ${bearer}` };
  // The tenant admin service user makes a catalog and uses it over /v1.
  const wh = uniq('wh');
  expectJson(await srv.req('POST', '/api/v1/warehouses', { body: { name: wh, storage_config: { type: 'local', root: `${srv.tenantDir(tenant)}/${wh}` } }, headers: h }), 201);
  const cat = uniq('cat');
  expectJson(await srv.req('POST', '/api/v1/catalogs', { body: { name: cat, warehouse_name: wh }, headers: h }), 201);
  expectJson(await srv.req('GET', `/v1/config?warehouse=${cat}`, { headers: h }), 200);
  expectJson(await srv.req('POST', `/v1/${cat}/namespaces`, { body: { namespace: ['ns'] }, headers: h }), 200);
  const listed = expectJson(await srv.req('GET', `/v1/${cat}/namespaces`, { headers: h }), 200).namespaces;
  assert.ok(listed.some((n) => n.length === 1 && n[0] === 'ns'), JSON.stringify(listed));
  // The token is a session: logout revokes it.
  assert.equal((await srv.req('POST', '/api/v1/users/logout', { headers: h })).status, 204);
  expectError(await srv.req('GET', `/v1/${cat}/namespaces`, { headers: h }), 401, { iceberg: true, message: /revoked/ });
});

test('client credential errors follow RFC 6749: invalid_request, unsupported_grant_type, invalid_client', async () => {
  const su = await serviceUser();
  const good = { grant_type: 'client_credentials', client_id: su.id, client_secret: su.api_key };
  const err = async (r, status, code) => {
    assert.equal(r.status, status, r.text);
    assert.equal(r.json?.error, code, r.text);
    assert.equal(typeof r.json.error_description, 'string');
  };
  await err(await token({ ...good, grant_type: 'password' }), 400, 'unsupported_grant_type');
  await err(await token({ client_id: su.id, client_secret: su.api_key }), 400, 'invalid_request');
  // RFC 6749 §3.2: an unknown field is ignored, an empty one is as if not sent.
  expectJson(await token({ ...good, extra: '1', audience: '' }), 200);
  await err(await token({ ...good, client_id: '' }), 400, 'invalid_request');
  await err(await token({ ...good, scope: 'catalog  "x"' }), 400, 'invalid_scope');
  await err(await srv.req('POST', '/v1/oauth/tokens', { body: 'grant_type=client_credentials&grant_type=client_credentials', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 400, 'invalid_request');
  await err(await srv.req('POST', '/v1/oauth/tokens', { body: good }), 400, 'invalid_request');
  await err(await srv.req('POST', '/v1/oauth/tokens', { body: 'client_id=%ZZ', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 400, 'invalid_request');
  const wrong = [
    // One character changed (never to itself: the key is random hex).
    { ...good, client_secret: `${su.api_key.slice(0, -1)}${su.api_key.endsWith('0') ? '1' : '0'}` },
    { ...good, client_id: crypto.randomUUID() },
    { ...good, client_secret: 'not-a-key' },
  ];
  const bodies = new Set();
  for (const form of wrong) {
    const r = await token(form);
    await err(r, 401, 'invalid_client');
    bodies.add(r.text);
  }
  assert.equal(bodies.size, 1, 'one answer for every wrong client');
});

test('service users are tenant admin business: a tenant user or another tenant cannot see them', async () => {
  const su = await serviceUser();
  const root = { authorization: basic() };
  const other = expectJson(await srv.req('POST', '/api/v1/tenants', { body: { name: uniq('t') }, headers: root }), 201).id;
  const username = uniq('admin');
  expectJson(await srv.req('POST', '/api/v1/users', { body: { username, password: PW, tenant_id: other, role: 'tenant-admin' }, headers: root }), 201);
  const b = expectJson(await srv.req('POST', '/api/v1/users/login', { body: { username, password: PW, 'tenant-id': other } }), 200).token;
  const cross = await srv.req('GET', `/api/v1/service-users/${su.id}`, { headers: { authorization: `Bearer ${b}` } });
  const missing = await srv.req('GET', `/api/v1/service-users/${crypto.randomUUID()}`, { headers: { authorization: `Bearer ${b}` } });
  assert.equal(cross.status, 404);
  assert.equal(cross.text, missing.text);
  expectError(await srv.req('POST', `/api/v1/service-users/${su.id}/rotate`, { headers: { authorization: `Bearer ${b}` } }), 404);
  expectError(await asAdmin('POST', '/api/v1/service-users', { name: uniq('x'), role: 'root' }), 422);
  expectError(await asAdmin('POST', '/api/v1/service-users', { name: uniq('x'), role: 'tenant-user', expires_in_days: 0 }), 400);
});

// Names people read (issue 42): a service user's name is shown in lists,
// grants and the audit log as the caller's, so a new one may not read as
// another of the tenant's.
test('a service user name reading as one of the tenant\'s is 409 (case and Unicode forms apart); another tenant\'s are its own', async () => {
  const name = uniq('Loader');
  expectJson(await asAdmin('POST', '/api/v1/service-users', { name, role: 'tenant-user' }), 201);
  const wide = [...name].map((c) => (/[!-~]/.test(c) ? String.fromCodePoint(c.codePointAt(0) + 0xfee0) : c)).join('');
  for (const other of [name.toUpperCase(), name.toLowerCase(), wide]) {
    expectError(await asAdmin('POST', '/api/v1/service-users', { name: other, role: 'tenant-user' }), 409, { message: /reads the same/ });
  }
  // Renaming another onto it is refused too; renaming itself in another case is not.
  const mine = await serviceUser();
  expectError(await asAdmin('PUT', `/api/v1/service-users/${mine.id}`, { name: name.toLowerCase() }), 409, { message: /reads the same/ });
  const same = expectList(await asAdmin('GET', '/api/v1/service-users?limit=1000')).items.filter((x) => x.name.toLowerCase() === name.toLowerCase());
  assert.equal(same.length, 1);
  expectJson(await asAdmin('PUT', `/api/v1/service-users/${same[0].id}`, { name: name.toUpperCase() }), 200);
  // Another tenant may have its own.
  const root = { authorization: basic() };
  const other = expectJson(await srv.req('POST', '/api/v1/tenants', { body: { name: uniq('t') }, headers: root }), 201).id;
  const username = uniq('admin');
  expectJson(await srv.req('POST', '/api/v1/users', { body: { username, password: PW, tenant_id: other, role: 'tenant-admin' }, headers: root }), 201);
  const b = expectJson(await srv.req('POST', '/api/v1/users/login', { body: { username, password: PW, 'tenant-id': other } }), 200).token;
  expectJson(await srv.req('POST', '/api/v1/service-users', { body: { name: name.toLowerCase(), role: 'tenant-user' }, headers: { authorization: `Bearer ${b}` } }), 201);
});

test('a new service user name may not begin or end with white space, hold an invisible character or read as root: 400', async () => {
  const base = uniq('etl');
  for (const [name, message] of [[`${base} `, /white space/], [`${base}\u200b`, /U\+200B/], ['Root', /reserved/]]) {
    expectError(await asAdmin('POST', '/api/v1/service-users', { name, role: 'tenant-user' }), 400, { message });
  }
  const su = await serviceUser();
  expectError(await asAdmin('PUT', `/api/v1/service-users/${su.id}`, { name: `${base}\u2060` }), 400, { message: /U\+2060/ });
  assert.ok(!expectList(await asAdmin('GET', '/api/v1/service-users?limit=1000')).items.some((x) => x.name.includes(base)));
});
