// Users, login and sessions (pangolin-api.md §2.6, §3.1): argon2id
// passwords, HS256 session tokens whose revocation every worker sees,
// tenant-scoped user management, and start-up refusing a missing or weak
// PANGOLIN_JWT_SECRET when auth is on.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { basic, ONCE, request, ROOT_PASSWORD, ROOT_USER, runBinary, startServer, STORE } from './lib/server.js';
import { expectError, expectJson, expectList, uniq, UUID_RE } from './lib/expect.js';

let srv;
let tenantA, tenantB;
before(async () => {
  // Many logins from one address: the throttle has its own test file.
  // The shipped hash cost, which a test below reads back (lib/server.js, HASH_ENV).
  srv = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PGL_TEST_ARGON2_CHEAP: '' } });
  tenantA = expectJson(await asRoot('POST', '/api/v1/tenants', { name: uniq('ta') }), 201).id;
  tenantB = expectJson(await asRoot('POST', '/api/v1/tenants', { name: uniq('tb') }), 201).id;
});
after(async () => { await srv?.stop(); });

const PW = 'Str0ng-Passw0rd-for-tests';
const asRoot = (method, p, body) => srv.req(method, p, { body, headers: { authorization: basic() } });
const as = (token, method, p, body) => srv.req(method, p, { body, headers: { authorization: `Bearer ${token}` } });
const login = (body) => srv.req('POST', '/api/v1/users/login', { body });
async function loginOk(body) {
  const r = expectJson(await login(body), 200);
  assert.match(r.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  return r;
}

/** A tenant admin of tenant (created by root) and its session token. */
async function tenantAdmin(tenant) {
  const username = uniq('admin');
  const u = expectJson(await asRoot('POST', '/api/v1/users', { username, email: `${username}@x.io`, password: PW, tenant_id: tenant, role: 'tenant-admin' }), 201);
  const { token } = await loginOk({ username, password: PW, 'tenant-id': tenant });
  return { ...u, token };
}

test('root from the environment logs in without a tenant and gets a working session token', async () => {
  const r = await loginOk({ username: ROOT_USER, password: ROOT_PASSWORD });
  assert.equal(r.user.role, 'root');
  assert.equal(r.user.id, 'ffffffff-ffff-ffff-ffff-ffffffffffff');
  assert.equal(r.user['tenant-id'], null);
  assert.ok(Date.parse(r['expires-at']) > Date.now() + 23 * 3600 * 1000, 'a 24 h session by default');
  const me = expectJson(await as(r.token, 'GET', '/api/v1/users/me'), 200);
  assert.equal(me.role, 'root');
  assert.equal(me.username, ROOT_USER);
});

test('a tenant admin is created by root, logs in with its tenant, and sees itself in /users/me', async () => {
  const ta = await tenantAdmin(tenantA);
  assert.match(ta.id, UUID_RE);
  assert.deepEqual(Object.keys(ta).filter((k) => k !== 'token').sort(),
    ['active', 'created-at', 'email', 'id', 'last-login', 'oauth-provider', 'role', 'tenant-id', 'username']);
  assert.equal(ta['tenant-id'], tenantA);
  assert.ok(!('password' in ta) && !('password_hash' in ta), 'no password material in a UserInfo');
  const me = expectJson(await as(ta.token, 'GET', '/api/v1/users/me'), 200);
  assert.equal(me.id, ta.id);
  assert.equal(me['tenant-id'], tenantA);
  assert.ok(me['last-login'], 'last-login is recorded');
});

test('passwords are stored as argon2id hashes, never in plaintext', { skip: STORE !== 'sqlite' && 'the SQLite file is read directly' }, async () => {
  const ta = await tenantAdmin(tenantA);
  const row = execFileSync('sqlite3', [srv.dbPath, `SELECT password_hash FROM users WHERE id = '${ta.id}'`], { encoding: 'utf8' }).trim();
  assert.match(row, /^\$argon2id\$v=19\$m=7168,t=5,p=1\$/);
  assert.ok(!row.includes(PW));
  const tokens = execFileSync('sqlite3', [srv.dbPath, 'SELECT id || doc FROM active_tokens'], { encoding: 'utf8' });
  assert.ok(!tokens.includes(ta.token.split('.')[2]), 'the store never holds a token');
});

test('a failed login says "Invalid credentials" with the same body for an unknown user, a wrong password and an inactive account', async () => {
  const ta = await tenantAdmin(tenantA);
  const bodies = [];
  for (const body of [
    { username: uniq('nobody'), password: PW, 'tenant-id': tenantA },
    { username: ta.username, password: `${PW}x`, 'tenant-id': tenantA },
  ]) {
    const r = await login(body);
    expectError(r, 401, { message: /^Invalid credentials$/ });
    bodies.push(r.text);
  }
  expectJson(await asRoot('PUT', `/api/v1/users/${ta.id}`, { active: false }), 200);
  const r = await login({ username: ta.username, password: PW, 'tenant-id': tenantA });
  bodies.push(r.text);
  assert.equal(new Set(bodies).size, 1, bodies.join('\n'));
  // A deactivated user's existing session keeps working only until revoked; the login is refused.
});

test('a tenant user must name its tenant, root must not', async () => {
  const ta = await tenantAdmin(tenantA);
  expectError(await login({ username: ta.username, password: PW }), 401, { message: /Tenant users must login with tenant_id/ });
  expectError(await login({ username: ta.username, password: PW, tenant_id: tenantB }), 401, { message: /Tenant users must login with tenant_id/ });
  expectJson(await login({ username: ta.username, password: PW, tenant_id: tenantA }), 200);
});

test('logout revokes the session: every worker refuses the token at once, on new connections', async () => {
  const ta = await tenantAdmin(tenantA);
  const agent = new http.Agent({ keepAlive: false });
  expectJson(await request(srv.port, 'GET', '/api/v1/users/me', { agent, headers: { authorization: `Bearer ${ta.token}` } }), 200);
  assert.equal((await as(ta.token, 'POST', '/api/v1/users/logout')).status, 204);
  for (let i = 0; i < 20; i++) {
    const r = await request(srv.port, 'GET', '/api/v1/users/me', { agent, headers: { authorization: `Bearer ${ta.token}` } });
    expectError(r, 401, { message: /Token has been revoked/ });
  }
  // A new login is a new session.
  const again = await loginOk({ username: ta.username, password: PW, 'tenant-id': tenantA });
  expectJson(await as(again.token, 'GET', '/api/v1/users/me'), 200);
});

// The signature, its algorithm and the token's shape are checked before
// any store call: the sqlite pass is enough (ONCE, lib/server.js).
test('tokens that are tampered with, unsigned (alg none), signed with another key or malformed are 401', { skip: ONCE }, async () => {
  const { token } = await tenantAdmin(tenantA);
  const [h, p, s] = token.split('.');
  const payload = JSON.parse(Buffer.from(p, 'base64url'));
  const forged = Buffer.from(JSON.stringify({ ...payload, role: 'root', tenant_id: undefined })).toString('base64url');
  const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  const other = crypto.createHmac('sha256', 'another-secret-of-enough-length-0123456789').update(`${h}.${p}`).digest('base64url');
  for (const bad of [`${h}.${forged}.${s}`, `${none}.${forged}.`, `${h}.${p}.${other}`, 'abc', `${h}.${p}`, 'x'.repeat(5000)]) {
    expectError(await as(bad, 'GET', '/api/v1/users/me'), 401);
  }
  expectError(await srv.req('GET', '/api/v1/users/me'), 401, { message: /Missing or invalid authorization header/ });
});

test('a tenant admin manages its own tenant\'s users only; another tenant\'s user answers exactly like a missing one', async () => {
  const a = await tenantAdmin(tenantA);
  const b = await tenantAdmin(tenantB);
  const name = uniq('user');
  const u = expectJson(await as(a.token, 'POST', '/api/v1/users', { username: name, email: `${name}@x.io`, password: PW, role: 'tenant-user' }), 201);
  assert.equal(u['tenant-id'], tenantA, 'created in the admin\'s own tenant');
  expectError(await as(a.token, 'POST', '/api/v1/users', { username: uniq('u'), password: PW, tenant_id: tenantB, role: 'tenant-user' }), 403);
  const list = expectList(await as(a.token, 'GET', '/api/v1/users'));
  assert.ok(list.items.every((x) => x['tenant-id'] === tenantA));
  assert.ok(list.items.some((x) => x.id === u.id));
  const cross = await as(b.token, 'GET', `/api/v1/users/${u.id}`);
  const missing = await as(b.token, 'GET', `/api/v1/users/${crypto.randomUUID()}`);
  assert.equal(cross.status, 404);
  assert.equal(cross.text, missing.text, 'same body for another tenant\'s user and a missing one');
  expectError(await as(b.token, 'DELETE', `/api/v1/users/${u.id}`), 404);
  expectError(await as(b.token, 'PUT', `/api/v1/users/${u.id}`, { email: 'x@y.z' }), 404);
  assert.equal((await as(a.token, 'DELETE', `/api/v1/users/${u.id}`)).status, 204);
  expectError(await as(a.token, 'DELETE', `/api/v1/users/${a.id}`), 400, { message: /yourself/ });
});

test('a tenant user reads and updates itself, nothing more', async () => {
  const a = await tenantAdmin(tenantA);
  const name = uniq('user');
  const u = expectJson(await as(a.token, 'POST', '/api/v1/users', { username: name, password: PW, role: 'tenant-user' }), 201);
  const { token } = await loginOk({ username: name, password: PW, 'tenant-id': tenantA });
  expectJson(await as(token, 'GET', `/api/v1/users/${u.id}`), 200);
  expectError(await as(token, 'GET', '/api/v1/users'), 403);
  expectError(await as(token, 'GET', `/api/v1/users/${a.id}`), 403);
  expectError(await as(token, 'PUT', `/api/v1/users/${u.id}`, { active: false }), 403);
  expectError(await as(token, 'DELETE', `/api/v1/users/${u.id}`), 403);
  expectJson(await as(token, 'PUT', `/api/v1/users/${u.id}`, { password: `${PW}-new` }), 200);
  expectError(await login({ username: name, password: PW, 'tenant-id': tenantA }), 401);
  expectJson(await login({ username: name, password: `${PW}-new`, 'tenant-id': tenantA }), 200);
});

test('user bodies are checked: weak passwords, root role, duplicates, unknown fields, bad tenant', async () => {
  const a = await tenantAdmin(tenantA);
  expectError(await as(a.token, 'POST', '/api/v1/users', { username: uniq('u'), password: 'short', role: 'tenant-user' }), 400, { message: /password/ });
  expectError(await as(a.token, 'POST', '/api/v1/users', { username: uniq('u'), password: 'password1234', role: 'tenant-user' }), 400);
  expectError(await asRoot('POST', '/api/v1/users', { username: uniq('u'), password: PW, role: 'root' }), 403);
  expectError(await as(a.token, 'POST', '/api/v1/users', { username: a.username, password: PW, role: 'tenant-user' }), 409);
  expectError(await as(a.token, 'POST', '/api/v1/users', { username: uniq('u'), password: PW, role: 'tenant-user', admin: true }), 422);
  expectError(await as(a.token, 'POST', '/api/v1/users', { username: uniq('u'), password: PW, role: 'wizard' }), 422);
  expectError(await asRoot('POST', '/api/v1/users', { username: uniq('u'), password: PW, role: 'tenant-admin' }), 400, { message: /tenant_id/ });
  expectError(await asRoot('POST', '/api/v1/users', { username: uniq('u'), password: PW, role: 'tenant-admin', tenant_id: crypto.randomUUID() }), 404);
  expectError(await login({ username: 'x' }), 422);
});

// Names people read (issue 42): a new one may not read as one taken.
const fullwidth = (s) => [...s].map((c) => (/[!-~]/.test(c) ? String.fromCodePoint(c.codePointAt(0) + 0xfee0) : c)).join('');
const newUser = (token, username, role = 'tenant-user') => as(token, 'POST', '/api/v1/users', { username, password: PW, role });
async function userNames(token) {
  return expectList(await as(token, 'GET', '/api/v1/users?limit=1000')).items.map((u) => u.username);
}

test('a user name reading as a taken one is 409 in any tenant: case and Unicode forms apart, it is the same name', async () => {
  const a = await tenantAdmin(tenantA);
  const b = await tenantAdmin(tenantB);
  const name = uniq('adminA');
  expectJson(await newUser(a.token, name), 201);
  const alike = [name.toUpperCase(), name.toLowerCase(), fullwidth(name), fullwidth(name.toUpperCase())];
  for (const other of alike) {
    for (const who of [a, b]) {
      const r = await newUser(who.token, other);
      expectError(r, 409, { message: /already exists.*reads the same/ });
    }
  }
  assert.deepEqual((await userNames(a.token)).filter((n) => n.toLowerCase() === name.toLowerCase()), [name]);
  assert.ok(!(await userNames(b.token)).some((n) => n.toLowerCase() === name.toLowerCase()));
  // The account is untouched: it signs in by its name as written.
  await loginOk({ username: name, password: PW, 'tenant-id': tenantA });
  expectError(await login({ username: name.toUpperCase(), password: PW, 'tenant-id': tenantA }), 401);
});

test('a new user name may not begin or end with white space or hold an invisible character: 400 naming it, nothing made', async () => {
  const a = await tenantAdmin(tenantA);
  const base = uniq('pat');
  const bad = [[`${base} `, /white space/], [` ${base}`, /white space/], [`${base}\u200b`, /invisible character \(U\+200B\)/],
    [`pa\u200dt-${base}`, /U\+200D/], [`\ufeff${base}`, /U\+FEFF/], [`${base}\u00ad`, /U\+00AD/],
    [`jo  ${base}`, /white space other than/], [`jo\u00a0${base}`, /U\+00A0/]];
  for (const [username, message] of bad) {
    expectError(await newUser(a.token, username), 400, { message });
  }
  assert.ok(!(await userNames(a.token)).some((n) => n.includes(base)), 'nothing was made');
  expectJson(await newUser(a.token, `jo ${base}`), 201);
});

test('`root` and any name reading as it belong to the operator\'s account: 400 for a new user, from root or a tenant admin', async () => {
  const a = await tenantAdmin(tenantA);
  for (const username of ['root', 'Root', 'ROOT', fullwidth('root'), 'ro\u00adot']) {
    expectError(await newUser(a.token, username), 400, { message: /reserved|invisible/ });
    expectError(await asRoot('POST', '/api/v1/users', { username, password: PW, role: 'tenant-admin', tenant_id: tenantA }), 400);
  }
  assert.ok(!(await userNames(a.token)).some((n) => n.normalize('NFKC').toLowerCase() === 'root'));
  // Root itself is unchanged.
  assert.equal((await loginOk({ username: ROOT_USER, password: ROOT_PASSWORD })).user.role, 'root');
});

// Configuration, checked before any store is opened (ONCE, lib/server.js).
test('with auth on, a missing or weak PANGOLIN_JWT_SECRET stops start-up with one line (exit 2); no-auth mode needs none', { skip: ONCE }, () => {
  for (const secret of ['', 'secret', 'changeme', 'too-short-for-a-key']) {
    const r = runBinary(['--check-config'], { env: { PANGOLIN_JWT_SECRET: secret, PANGOLIN_ROOT_USER: ROOT_USER, PANGOLIN_ROOT_PASSWORD: ROOT_PASSWORD } });
    assert.equal(r.code, 2, `${JSON.stringify(secret)}: ${r.stderr}`);
    assert.match(r.stderr, /jwt_secret|JWT_SECRET/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  const ok = runBinary(['--check-config'], { env: { PANGOLIN_JWT_SECRET: '', PANGOLIN_NO_AUTH: 'true', PANGOLIN_BIND_ADDRESS: '127.0.0.1' } });
  assert.equal(ok.code, 0, ok.stderr);
});
