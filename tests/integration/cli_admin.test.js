// pangolin admin (issue 27, part 2): every verb added to the command line,
// run as the built binary against a real server (SQLite store, auth on,
// root): get/update for each family, grants and role assignment, tokens,
// key rotation, audit, search, business metadata, access requests,
// federated catalogs, namespaces, named profiles and `use TENANT`,
// generate-code (the iceberg-js snippet is run by node against the server;
// the others are parsed), bash completion (driven through bash), and the
// exit codes (2 usage, 1 on 404, 3 on 401/403).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { test, before, after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BIN, ROOT_PASSWORD, ROOT_USER, SAN_ENV, STORE, cleanEnv, request, startServer, tmpDir } from './lib/server.js';

const skipAll = STORE !== 'sqlite' && 'SQLite store only (run with PGL_STORE=sqlite)';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const PW = 'Tr0ub4dor-and-3-more';
const uniq = (p) => `${p}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

let srv, xdg, url, fake;
let rootToken, adminToken, userToken, tenant, tenantName, adminName, userId, wh, cat, assetId;

// Leak checking on for the client (the server's is off: Kore's start-up
// allocations), so a leak in any verb fails its test.
const CLI_SAN = { ...SAN_ENV, ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0' };
const env = (extra = {}) => ({ ...cleanEnv(), ...CLI_SAN, XDG_CONFIG_HOME: xdg, PANGOLIN_URL: url, ...extra });
const clean = (r) => { assert.doesNotMatch(r.stderr ?? r.err, /AddressSanitizer|runtime error:|LeakSanitizer/, r.stderr ?? r.err); };

/** The binary, synchronously; token: PANGOLIN_TOKEN. */
function cli(args, { token, extra = {} } = {}) {
  const r = spawnSync(BIN, ['admin', ...args], { env: env({ ...(token ? { PANGOLIN_TOKEN: token } : {}), ...extra }), encoding: 'utf8', timeout: 30000 });
  clean(r);
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The binary without blocking this process (the fake remote lives here). */
function cliAsync(args, { token } = {}) {
  return new Promise((resolve) => {
    const p = spawn(BIN, ['admin', ...args], { env: env(token ? { PANGOLIN_TOKEN: token } : {}) });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('close', (code) => { clean({ err }); resolve({ code, out, err }); });
  });
}

/** --output json: exit 0 and nothing but JSON on stdout. */
function ok(args, token, opts = {}) {
  const r = cli([...args, '--output', 'json'], { token, ...opts });
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}${r.out}`);
  return JSON.parse(r.out);
}

const code = (args, token, opts) => cli(args, { token, ...opts }).code;

async function api(method, p, body, token = adminToken, headers = {}) {
  const r = await request(srv.port, method, p, { body, headers: { authorization: `Bearer ${token}`, ...headers } });
  assert.ok(r.status < 300, `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
}

/** A remote Iceberg catalog for federation: answers every call. */
function fakeRemote() {
  const s = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url.includes('/namespaces') ? { namespaces: [['remote']] } : { defaults: {}, overrides: {} }));
    });
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

const login = async (username, password, body = {}) => (await api('POST', '/api/v1/users/login', { username, password, ...body }, 'x')).token;

before(async () => {
  if (skipAll) return;
  xdg = tmpDir('pgl-cli-admin-xdg');
  fake = await fakeRemote();
  fake.origin = `http://127.0.0.1:${fake.address().port}`;
  // The operator lets bucket clib's warehouse vend its keys ([storage]
  // static_key_buckets: never a storage_config's say, issue 67).
  srv = await startServer({ store: 'sqlite', noAuth: false, root: true, allowEndpoints: [fake.origin],
    env: { TASK_WORKER_ENABLED: 'false', PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_STATIC_KEY_BUCKETS: 'clib' } });
  url = `http://127.0.0.1:${srv.port}`;
  rootToken = await login(ROOT_USER, ROOT_PASSWORD);
  tenantName = uniq('tn');
  tenant = (await api('POST', '/api/v1/tenants', { name: tenantName }, rootToken)).id;
  adminName = uniq('adm');
  await api('POST', '/api/v1/users', { username: adminName, password: PW, tenant_id: tenant, role: 'tenant-admin' }, rootToken);
  adminToken = await login(adminName, PW, { 'tenant-id': tenant });
  const uname = uniq('usr');
  userId = (await api('POST', '/api/v1/users', { username: uname, password: PW, tenant_id: tenant, role: 'tenant-user' })).id;
  userToken = await login(uname, PW, { 'tenant-id': tenant });
  wh = uniq('wh');
  await api('POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 'local', root: path.join(srv.tenantDir(tenant), wh) } });
  cat = uniq('cat');
  await api('POST', '/api/v1/catalogs', { name: cat, warehouse_name: wh });
  await api('POST', `/v1/${cat}/namespaces`, { namespace: ['sales'] });
  await api('POST', `/v1/${cat}/namespaces/sales/tables`, { name: 'orders', schema: { type: 'struct', fields: [{ id: 1, name: 'n', required: false, type: 'long' }] } });
});

after(async () => {
  if (srv) await srv.stop();
  if (fake) fake.close();
  if (xdg) fs.rmSync(xdg, { recursive: true, force: true });
});

const file = () => path.join(xdg, 'pangolin', 'cli.json');

test('profiles: login writes the chosen profile (0600), --profile selects it, profiles list never shows a token', { skip: skipAll }, () => {
  assert.deepEqual(ok(['login', ROOT_USER, ROOT_PASSWORD, '--profile', 'root']), { logged_in: true, profile: 'root' });
  const l = cli(['login', adminName, PW, '--tenant', tenant, '--profile', 'admin']);
  assert.equal(l.code, 0, l.err);
  assert.match(l.out, /profile admin/);
  assert.equal(fs.statSync(file()).mode & 0o777, 0o600);
  const saved = JSON.parse(fs.readFileSync(file(), 'utf8'));
  assert.deepEqual(Object.keys(saved.profiles).sort(), ['admin', 'root']);
  assert.equal(saved.profiles.root.url, url);
  assert.notEqual(saved.profiles.root.token, saved.profiles.admin.token);
  // Two tokens, two answers: only root lists tenants; the admin is refused (403: exit 3).
  assert.ok(ok(['tenants', 'list', '--profile', 'root']).some((t) => t.id === tenant));
  assert.equal(code(['tenants', 'list', '--profile', 'admin']), 3);
  assert.ok(ok(['catalogs', 'list', '--profile', 'admin']).some((c) => c.name === cat));
  // $PANGOLIN_PROFILE names one too; --profile wins over it.
  assert.equal(code(['tenants', 'list'], undefined, { extra: { PANGOLIN_PROFILE: 'admin' } }), 3);
  assert.equal(code(['tenants', 'list', '--profile', 'root'], undefined, { extra: { PANGOLIN_PROFILE: 'admin' } }), 0);
  // No default profile yet: no token, refused.
  assert.equal(code(['catalogs', 'list']), 3);
  const list = cli(['profiles', 'list', '--output', 'json']);
  assert.equal(list.code, 0, list.err);
  const names = JSON.parse(list.out);
  assert.deepEqual(names.map((p) => p.name).sort(), ['admin', 'root']);
  assert.ok(names.every((p) => p.has_token && p.url === url && !('token' in p)));
  for (const p of Object.values(saved.profiles)) assert.ok(!list.out.includes(p.token));
  const text = cli(['profiles', 'list']);
  assert.equal(text.code, 0);
  assert.match(text.out, /name=admin/);
  assert.ok(!text.out.includes(saved.profiles.admin.token));
});

test('profiles: the old flat {url, token} file is the default profile, and a login keeps it', { skip: skipAll }, () => {
  const old = tmpDir('pgl-cli-flat');
  try {
    fs.mkdirSync(path.join(old, 'pangolin'), { mode: 0o700 });
    const f = path.join(old, 'pangolin', 'cli.json');
    fs.writeFileSync(f, JSON.stringify({ url, token: adminToken }), { mode: 0o600 });
    const x = { extra: { XDG_CONFIG_HOME: old } };
    assert.ok(ok(['catalogs', 'list'], undefined, x).some((c) => c.name === cat));
    assert.deepEqual(ok(['profiles', 'list'], undefined, x).map((p) => p.name), ['default']);
    assert.equal(cli(['login', ROOT_USER, ROOT_PASSWORD, '--profile', 'root'], x).code, 0);
    const saved = JSON.parse(fs.readFileSync(f, 'utf8'));
    assert.equal(saved.profiles.default.token, adminToken, 'migrated');
    assert.equal(saved.token, adminToken, 'mirrored flat for older clients');
    assert.equal(fs.statSync(f).mode & 0o777, 0o600);
    assert.ok(ok(['catalogs', 'list'], undefined, x).some((c) => c.name === cat));
    assert.equal(cli(['profiles', 'delete', 'root', '--output', 'json'], x).code, 0);
    assert.deepEqual(ok(['profiles', 'list'], undefined, x).map((p) => p.name), ['default']);
    assert.equal(cli(['profiles', 'delete', 'nope'], x).code, 1);
  } finally {
    fs.rmSync(old, { recursive: true, force: true });
  }
});

test('use TENANT: root acts in that tenant (X-Pangolin-Tenant) until use none', { skip: skipAll }, () => {
  const P = ['--profile', 'root'];
  // Without it root's tenant is the default one: not this warehouse.
  assert.ok(!ok(['warehouses', 'list', ...P]).some((w) => w.name === wh));
  const u = ok(['use', tenantName, ...P]);
  assert.deepEqual(u, { profile: 'root', tenant });
  assert.equal(JSON.parse(fs.readFileSync(file(), 'utf8')).profiles.root.tenant, tenant);
  assert.ok(ok(['warehouses', 'list', ...P]).some((w) => w.name === wh), 'the header was sent');
  assert.equal(ok(['warehouses', 'get', wh, ...P]).name, wh);
  // By id as well; the admin profile is untouched.
  assert.equal(ok(['use', tenant, ...P]).tenant, tenant);
  assert.equal(JSON.parse(fs.readFileSync(file(), 'utf8')).profiles.admin.tenant, undefined);
  assert.equal(ok(['use', 'none', ...P]).tenant, null);
  assert.ok(!ok(['warehouses', 'list', ...P]).some((w) => w.name === wh));
  ok(['use', tenantName, ...P]);
  ok(['use', '--clear', ...P]);
  assert.equal(JSON.parse(fs.readFileSync(file(), 'utf8')).profiles.root.tenant, undefined);
  assert.ok(!ok(['warehouses', 'list', ...P]).some((w) => w.name === wh));
  // --tenant names it for one command.
  assert.ok(ok(['warehouses', 'list', '--tenant', tenant, ...P]).some((w) => w.name === wh));
  assert.equal(code(['use', 'no-such-tenant', ...P]), 1);
  assert.equal(code(['use', ...P]), 2);
  assert.equal(code(['use', tenantName, '--profile', 'admin']), 3, 'only root lists tenants');
});

test('get and update: tenants, warehouses, catalogs, users, roles, service-users (PUT); branches get', { skip: skipAll }, () => {
  const R = rootToken, T = adminToken;
  assert.equal(ok(['tenants', 'get', tenant], R).name, tenantName);
  const t = ok(['tenants', 'update', tenant, 'properties:={"team":"data"}'], R);
  assert.equal(t.properties.team, 'data');
  assert.equal(ok(['tenants', 'get', tenant], R).properties.team, 'data');

  assert.equal(ok(['warehouses', 'get', wh], T).name, wh);
  const w = ok(['warehouses', 'update', wh, 'use_sts:=false', '--output', 'json'], T);
  assert.equal(w.name, wh);

  assert.equal(ok(['catalogs', 'get', cat], T).name, cat);
  ok(['catalogs', 'update', cat, '--data', JSON.stringify({ properties: { owner: 'ops' } })], T);
  assert.equal(ok(['catalogs', 'get', cat], T).properties.owner, 'ops');
  assert.ok(ok(['catalogs', 'summary', cat], T));
  assert.ok(JSON.stringify(ok(['catalogs', 'tree', cat], T)).includes('sales'));

  assert.equal(ok(['users', 'get', userId], T).id, userId);
  ok(['users', 'update', userId, 'email=u@example.com'], T);
  assert.equal(ok(['users', 'get', userId], T).email, 'u@example.com');

  const role = ok(['roles', 'create', `name=${uniq('r')}`], T);
  assert.equal(ok(['roles', 'get', role.id], T).id, role.id);
  ok(['roles', 'update', role.id, 'description=readers of sales'], T);
  assert.equal(ok(['roles', 'get', role.id], T).description, 'readers of sales');

  const su = ok(['service-users', 'create', `name=${uniq('etl')}`, 'role=tenant-user'], T);
  ok(['service-users', 'update', su.id, 'description=nightly', 'active:=true'], T);
  assert.equal(ok(['service-users', 'get', su.id], T).description, 'nightly');

  assert.equal(ok(['branches', 'get', 'main', '--catalog', cat], T).name, 'main');
  assert.ok(Array.isArray(ok(['branches', 'commits', 'main', '--catalog', cat], T)));
  ok(['branches', 'create', 'name=behind', 'branch_type=ingest', '--catalog', cat], T);
  assert.equal(ok(['branches', 'rebase', 'behind', '--catalog', cat], T).status, 'rebased');
  assert.equal(code(['branches', 'rebase', 'no-such-branch', '--catalog', cat], T), 1);
  assert.ok(ok(['users', 'tokens', userId], T).every((t) => t.user_id === userId));

  // Missing: 404 is exit 1.  No such verb in the API: usage (2).
  const gone = cli(['catalogs', 'get', 'no-such-catalog'], { token: T });
  assert.equal(gone.code, 1);
  assert.match(gone.err, /404/);
  assert.equal(cli(['catalogs', 'get', 'no-such-catalog', '--output', 'json'], { token: T }).out.trim(), '{"error":{"status":404}}');
  assert.equal(code(['tags', 'get', 'v1', '--catalog', cat], T), 2);
  assert.equal(code(['branches', 'update', 'main', 'x=y', '--catalog', cat], T), 2);
  assert.equal(code(['roles', 'update', role.id], T), 2, 'nothing to change');
  assert.equal(code(['roles', 'update', role.id, 'notaword'], T), 2);
  assert.equal(code(['roles', 'get', role.id], 'not.a.jwt'), 3);
});

test('merge operations: list, get, abort', { skip: skipAll }, () => {
  const T = adminToken;
  ok(['branches', 'create', 'name=side', 'branch_type=ingest', '--catalog', cat], T);
  const r = cli(['merge', 'start', 'side', 'main', '--catalog', cat, '--output', 'json'], { token: T });
  assert.ok(r.code === 0 || r.code === 1, r.err);
  const m = JSON.parse(r.out);
  const id = m.id ?? m.operation_id;
  assert.ok(id, r.out);
  assert.equal(ok(['merge', 'get', id], T).id, id);
  assert.ok(ok(['merge', 'list', '--catalog', cat], T).some((x) => x.id === id));
  assert.equal(code(['merge', 'list'], T), 2, 'needs --catalog');
  assert.equal(code(['merge', 'get', '00000000-0000-0000-0000-000000000000'], T), 1);
  // A completed merge cannot be aborted: the route answers 400, exit 1.
  const done = cli(['merge', 'abort', id], { token: T });
  assert.equal(done.code, 1);
  assert.match(done.err, /Cannot abort a completed merge/);
});

test('merge abort: a merge stopped on a conflict is aborted', { skip: skipAll }, async () => {
  const T = adminToken;
  ok(['branches', 'create', 'name=clash', 'branch_type=ingest', '--catalog', cat], T);
  const schema = (type) => ({ type: 'struct', fields: [{ id: 1, name: 'n', required: false, type }] });
  await api('POST', `/v1/${cat}/namespaces/sales/tables`, { name: 'dup@clash', schema: schema('long') });
  await api('POST', `/v1/${cat}/namespaces/sales/tables`, { name: 'dup', schema: schema('string') });
  const r = cli(['merge', 'start', 'clash', 'main', '--catalog', cat, '--output', 'json'], { token: T });
  assert.equal(r.code, 1, r.err + r.out);
  const m = JSON.parse(r.out);
  const id = m.operation_id ?? m.id;
  assert.ok(id, r.out);
  assert.ok(ok(['merge', 'conflicts', id], T).length > 0);
  assert.equal(ok(['merge', 'abort', id], T).status, 'aborted');
  assert.equal(ok(['merge', 'get', id], T).status.toLowerCase(), 'aborted');
});

test('permissions grant/list/revoke; users assign-role/roles/revoke-role', { skip: skipAll }, () => {
  const T = adminToken;
  const c = ok(['catalogs', 'get', cat], T);
  const p = ok(['permissions', 'grant', userId, 'read,list', 'catalog', `catalog_id=${c.id}`], T);
  assert.equal(p['user-id'], userId);
  assert.deepEqual(p.actions.sort(), ['list', 'read']);
  assert.equal(p.scope.type, 'catalog');
  assert.ok(ok(['permissions', 'list', '--user', userId], T).some((x) => x.id === p.id));
  const q = ok(['permissions', 'grant', '--data', JSON.stringify({ 'user-id': userId, scope: { type: 'tenant' }, actions: ['read'] })], T);
  assert.equal(q.scope.type, 'tenant');
  assert.equal(cli(['permissions', 'revoke', p.id, '--output', 'json'], { token: T }).code, 0);
  assert.equal(cli(['permissions', 'revoke', q.id], { token: T }).code, 0);
  assert.ok(!ok(['permissions', 'list', '--user', userId], T).some((x) => x.id === p.id || x.id === q.id));
  assert.equal(code(['permissions', 'grant', userId, 'read'], T), 2);
  assert.equal(code(['permissions', 'grant', userId, 'fly', 'tenant'], T), 1, 'an unknown action: 422');

  const role = ok(['roles', 'create', `name=${uniq('ro')}`], T);
  assert.equal(cli(['users', 'assign-role', userId, role.id], { token: T }).code, 0);
  assert.ok(ok(['users', 'roles', userId], T).some((r) => r.id === role.id));
  assert.equal(cli(['users', 'revoke-role', userId, role.id], { token: T }).code, 0);
  assert.ok(!ok(['users', 'roles', userId], T).some((r) => r.id === role.id));
  assert.equal(code(['users', 'assign-role', userId], T), 2);
  assert.equal(code(['users', 'assign-role', userId, role.id], userToken), 3, 'a tenant user may not');
});

test('tokens: list own and a user\'s, revoke one (then it is refused: exit 3)', { skip: skipAll }, async () => {
  const uname = uniq('tok');
  const id = (await api('POST', '/api/v1/users', { username: uname, password: PW, tenant_id: tenant, role: 'tenant-user' })).id;
  const t1 = await login(uname, PW, { 'tenant-id': tenant });
  const mine = ok(['tokens', 'list'], t1);
  assert.ok(mine.length >= 1);
  assert.ok(mine.every((t) => t.user_id === id));
  const theirs = ok(['tokens', 'list', '--user', id], adminToken);
  assert.deepEqual(theirs.map((t) => t.id).sort(), mine.map((t) => t.id).sort());
  assert.equal(cli(['tokens', 'revoke', mine[0].id], { token: adminToken }).code, 0);
  assert.equal(code(['tokens', 'list'], t1), 3, 'the revoked token is refused');
  assert.equal(code(['tokens', 'revoke'], adminToken), 2);
});

test('service-users rotate: the new key once on stdout, the old one stops working', { skip: skipAll }, async () => {
  const su = ok(['service-users', 'create', `name=${uniq('rot')}`, 'role=tenant-user'], adminToken);
  const r = cli(['service-users', 'rotate', su.id], { token: adminToken });
  assert.equal(r.code, 0, r.err);
  const key = r.out.trim();
  assert.match(key, /^pgl_/);
  assert.notEqual(key, su.api_key);
  assert.match(r.err, /shown once/);
  const grant = (secret) => request(srv.port, 'POST', '/v1/oauth/tokens', {
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: su.id, client_secret: secret }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal((await grant(key)).status, 200);
  assert.equal((await grant(su.api_key)).status, 401);
  const j = ok(['service-users', 'rotate', su.id], adminToken);
  assert.match(j.api_key, /^pgl_/);
  assert.equal(code(['service-users', 'rotate', 'no-such-id'], adminToken), 1);
});

test('audit: list with filters, count, get', { skip: skipAll }, () => {
  const T = adminToken;
  const all = ok(['audit', 'list', '--limit', '5'], T);
  assert.ok(all.length > 0 && all.length <= 5);
  const made = ok(['audit', 'list', '--action', 'create_catalog', '--resource-type', 'catalog'], T);
  assert.ok(made.length >= 1);
  assert.ok(made.every((e) => e.action === 'create_catalog'));
  assert.ok(made.some((e) => e.resource_name === cat));
  const n = ok(['audit', 'count', '--action', 'create_catalog'], T).count;
  assert.equal(n, made.length);
  assert.equal(ok(['audit', 'count', '--action', 'create_catalog', '--start-time', '2999-01-01T00:00:00Z'], T).count, 0);
  assert.deepEqual(ok(['audit', 'list', '--action', 'create_catalog', '--offset', String(n)], T), []);
  assert.equal(ok(['audit', 'get', made[0].id], T).id, made[0].id);
  assert.equal(code(['audit', 'get', '00000000-0000-0000-0000-00000000abcd'], T), 1);
  assert.equal(code(['audit', 'frob'], T), 2);
  assert.equal(code(['audit', 'list', '--bogus', 'x'], T), 2, 'an unknown flag');
});

test('search, business metadata (get/set/delete), access requests (request/list/get/review)', { skip: skipAll }, () => {
  const T = adminToken;
  const hits = ok(['search', 'orders', '--catalog', cat], T);
  const hit = hits.results.find((x) => x.name === 'orders');
  assert.ok(hit, JSON.stringify(hits));
  assetId = hit.id;
  assert.ok(ok(['search', 'orders'], T).results.some((x) => x.name === 'orders'));

  assert.equal(code(['metadata', 'get', assetId], T), 1, 'none yet: 404');
  let m = ok(['metadata', 'set', assetId, 'owner=alice', 'description=Orders', 'tags=pii,gold', 'discoverable=true'], T).metadata;
  assert.equal(m.description, 'Orders');
  assert.deepEqual(m.tags, ['pii', 'gold']);
  assert.equal(m.discoverable, true);
  assert.deepEqual(m.properties, { owner: 'alice' });
  // A second set keeps what it does not name.
  m = ok(['metadata', 'set', assetId, 'tier:=2'], T).metadata;
  assert.deepEqual(m.properties, { owner: 'alice', tier: 2 });
  assert.deepEqual(m.tags, ['pii', 'gold']);
  assert.equal(ok(['metadata', 'get', assetId], T).metadata.description, 'Orders');
  assert.ok(ok(['search', 'orders', '--tags', 'pii'], T).some((x) => x.id === assetId));
  assert.equal(cli(['metadata', 'delete', assetId], { token: T }).code, 0);
  assert.equal(code(['metadata', 'get', assetId], T), 1);

  // A tenant user asks for what it can find: a discoverable asset.
  ok(['metadata', 'set', assetId, '--data', JSON.stringify({ tags: [], properties: {}, discoverable: true })], T);
  const req = ok(['access-requests', 'request', assetId, '--reason', 'quarterly report'], userToken);
  assert.equal(req.reason, 'quarterly report');
  assert.equal(req.status, 'pending');
  assert.ok(ok(['access-requests', 'list'], T).some((x) => x.id === req.id));
  assert.equal(ok(['access-requests', 'get', req.id], T).id, req.id);
  const done = ok(['access-requests', 'review', req.id, 'approve', '--comment', 'ok for Q3'], T);
  assert.equal(done.status, 'approved');
  assert.equal(done['review-comment'], 'ok for Q3');
  assert.equal(code(['access-requests', 'review', req.id, 'deny'], T), 1, 'reviewed once: 409');
  const other = ok(['access-requests', 'request', assetId], userToken);
  assert.equal(ok(['access-requests', 'review', other.id, 'deny'], T).status, 'rejected');
  assert.equal(code(['access-requests', 'review', other.id, 'maybe'], T), 2);
  assert.equal(code(['access-requests', 'review', other.id, 'approve'], userToken), 3);
});

test('federated: create, list, get, test, sync, stats, delete', { skip: skipAll }, async () => {
  const T = adminToken;
  const name = uniq('fed');
  const run = async (args, token = T) => {
    const r = await cliAsync([...args, '--output', 'json'], { token });
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}${r.out}`);
    return JSON.parse(r.out);
  };
  const made = await run(['federated', 'create', name, `uri=${fake.origin}`, 'token=remote-secret']);
  assert.equal(made.name, name);
  assert.ok((await run(['federated', 'list'])).some((f) => f.name === name));
  assert.equal((await run(['federated', 'get', name])).name, name);
  assert.equal((await run(['federated', 'test', name])).status, 'connected');
  assert.ok(await run(['federated', 'sync', name]));
  assert.ok('sync_status' in (await run(['federated', 'stats', name])));
  const second = uniq('fed');
  await run(['federated', 'create', second, '--data', JSON.stringify({ config: { properties: { uri: fake.origin } } })]);
  assert.equal((await run(['federated', 'delete', second])).status, 'deleted');
  assert.equal((await run(['federated', 'delete', name])).status, 'deleted');
  assert.equal((await cliAsync(['federated', 'get', name], { token: T })).code, 1);
  assert.equal((await cliAsync(['federated', 'create'], { token: T })).code, 2);
});

test('namespaces: list, create, get, update properties, delete (--catalog)', { skip: skipAll }, () => {
  const T = adminToken, C = ['--catalog', cat];
  assert.ok(ok(['namespaces', 'list', ...C], T).namespaces.some((n) => n[0] === 'sales'));
  ok(['namespaces', 'create', 'mkt.eu', 'owner=ops', ...C], T);
  assert.deepEqual(ok(['namespaces', 'get', 'mkt.eu', ...C], T).namespace, ['mkt', 'eu']);
  const u = ok(['namespaces', 'update', 'mkt.eu', 'tier=gold', '-owner', ...C], T);
  assert.deepEqual(u.updated, ['tier']);
  assert.deepEqual(u.removed, ['owner']);
  assert.equal(ok(['namespaces', 'get', 'mkt.eu', ...C], T).properties.tier, 'gold');
  assert.equal(cli(['namespaces', 'delete', 'mkt.eu', ...C], { token: T }).code, 0);
  assert.equal(code(['namespaces', 'get', 'mkt.eu', ...C], T), 1);
  assert.equal(code(['namespaces', 'list'], T), 2);
});

/** Runs an ES module with node where `iceberg-js` resolves (a node_modules link). */
function runModule(source) {
  const dir = fs.mkdtempSync(path.join(tmpDir('pgl-cli-js'), 'm'));
  try {
    fs.symlinkSync(path.join(HERE, 'node_modules'), path.join(dir, 'node_modules'));
    const f = path.join(dir, 'catalog.mjs');
    fs.writeFileSync(f, source);
    return spawnSync(process.execPath, [f], { cwd: dir, encoding: 'utf8', timeout: 30000 });
  } finally {
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
}

test('generate-code iceberg-js: the snippet runs with node and lists namespaces and loads the table (token and OAuth2)', { skip: skipAll }, () => {
  const out = cli(['generate-code', cat, '--client', 'iceberg-js'], { token: adminToken });
  assert.equal(out.code, 0, out.err);
  assert.ok(out.out.includes(adminToken), 'the profile\'s token by default');
  const r = runModule(out.out);
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout);
  assert.ok(got.namespaces.some((n) => n.namespace[0] === 'sales'), r.stdout);
  const t = got.tables.find((x) => x.name === 'orders');
  assert.ok(t && t.location.startsWith('file://'), r.stdout);

  // OAuth2 client credentials: the snippet trades them at /v1/oauth/tokens.
  const su = ok(['service-users', 'create', `name=${uniq('js')}`, 'role=tenant-admin'], adminToken);
  const j = ok(['generate-code', cat, '--client', 'iceberg-js', '--auth', 'oauth', '--client-id', su.id, '--client-secret', su.api_key], adminToken);
  assert.equal(j.auth, 'oauth');
  assert.ok(!j.snippet.includes(adminToken));
  const o = runModule(j.snippet);
  assert.equal(o.status, 0, o.stderr);
  assert.ok(JSON.parse(o.stdout).tables.some((x) => x.name === 'orders'));
  // A wrong secret: the snippet fails loudly.
  const bad = ok(['generate-code', cat, '--client', 'iceberg-js', '--auth', 'oauth', '--client-id', su.id, '--client-secret', 'wrong'], adminToken);
  const b = runModule(bad.snippet);
  assert.notEqual(b.status, 0);
  assert.match(b.stderr, /token: HTTP 401/);
});

test('generate-code pyiceberg, spark, trino: parsed, with uri, warehouse and the credential', { skip: skipAll }, () => {
  const T = adminToken;
  const py = ok(['generate-code', cat, '--client', 'pyiceberg'], T).snippet;
  const ast = spawnSync('python3', ['-c', 'import ast,sys; ast.parse(sys.stdin.read())'], { input: py, encoding: 'utf8' });
  assert.equal(ast.status, 0, ast.stderr + py);
  assert.ok(py.includes(`"uri": "${url}"`) && py.includes(`"warehouse": "${cat}"`) && py.includes(`"token": "${T}"`), py);
  const pyo = ok(['generate-code', cat, '--client', 'pyiceberg', '--auth', 'oauth', '--client-id', 'cid', '--client-secret', 'sec'], T).snippet;
  assert.equal(spawnSync('python3', ['-c', 'import ast,sys; ast.parse(sys.stdin.read())'], { input: pyo }).status, 0);
  assert.ok(pyo.includes('"credential": "cid:sec"') && pyo.includes(`"oauth2-server-uri": "${url}/v1/oauth/tokens"`), pyo);

  const ident = cat.replace(/[^A-Za-z0-9]/g, '_');
  const conf = (s) => Object.fromEntries([...s.matchAll(/--conf (\S+?)=(\S+)/g)].map((m) => [m[1], m[2]]));
  const sp = conf(ok(['generate-code', cat, '--client', 'spark'], T).snippet);
  assert.equal(sp[`spark.sql.catalog.${ident}`], 'org.apache.iceberg.spark.SparkCatalog');
  assert.equal(sp[`spark.sql.catalog.${ident}.type`], 'rest');
  assert.equal(sp[`spark.sql.catalog.${ident}.uri`], url);
  assert.equal(sp[`spark.sql.catalog.${ident}.warehouse`], cat);
  assert.equal(sp[`spark.sql.catalog.${ident}.token`], T);
  const spo = conf(ok(['generate-code', cat, '--client', 'spark', '--auth', 'oauth', '--client-id', 'cid', '--client-secret', 'sec'], T).snippet);
  assert.equal(spo[`spark.sql.catalog.${ident}.credential`], 'cid:sec');
  assert.equal(spo[`spark.sql.catalog.${ident}.oauth2-server-uri`], `${url}/v1/oauth/tokens`);
  assert.equal(spo[`spark.sql.catalog.${ident}.token`], undefined);

  const props = (s) => Object.fromEntries(s.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => { const i = l.indexOf('='); assert.ok(i > 0, l); return [l.slice(0, i), l.slice(i + 1)]; }));
  const tr = props(ok(['generate-code', cat, '--client', 'trino'], T).snippet);
  assert.deepEqual(tr, {
    'connector.name': 'iceberg', 'iceberg.catalog.type': 'rest', 'iceberg.rest-catalog.uri': url,
    'iceberg.rest-catalog.warehouse': cat, 'iceberg.rest-catalog.security': 'OAUTH2', 'iceberg.rest-catalog.oauth2.token': T,
  });
  const tro = props(ok(['generate-code', cat, '--client', 'trino', '--auth', 'oauth', '--client-id', 'cid', '--client-secret', 'sec'], T).snippet);
  assert.equal(tro['iceberg.rest-catalog.oauth2.credential'], 'cid:sec');
  assert.equal(tro['iceberg.rest-catalog.oauth2.server-uri'], `${url}/v1/oauth/tokens`);
  const trn = props(ok(['generate-code', cat, '--client', 'trino', '--auth', 'none'], T).snippet);
  assert.equal(trn['iceberg.rest-catalog.security'], undefined);

  assert.equal(code(['generate-code', cat, '--client', 'duckdb'], T), 2);
  assert.equal(code(['generate-code', cat], T), 2);
  assert.equal(code(['generate-code', cat, '--client', 'spark', '--auth', 'oauth'], T), 2, 'oauth needs the client id and secret');
  assert.equal(code(['generate-code', 'no-such-catalog', '--client', 'spark'], T), 1);
});

/** The completion function, called as bash would for `pangolin <line>`. */
function complete(script, line, cmd = 'pangolin') {
  const words = [cmd, ...line.split(' ')];
  const driver = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})\nCOMP_CWORD=${words.length - 1}\n_pangolin\nprintf '%s\\n' "\${COMPREPLY[@]}"\n`;
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', driver], { encoding: 'utf8', env: env() });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean);
}

test('completion bash: areas, verbs, flags and flag values through a bash driver', { skip: skipAll }, () => {
  const r = cli(['completion', 'bash']);
  assert.equal(r.code, 0, r.err);
  const s = r.out;
  assert.match(s, /complete -F _pangolin pangolin/);
  assert.deepEqual(complete(s, 'ad'), ['admin']);
  assert.deepEqual(complete(s, 'admin au'), ['audit']);
  assert.ok(complete(s, 'admin ').includes('generate-code'));
  assert.deepEqual(complete(s, 'admin tokens '), ['list', 'revoke', 'create', 'rotate', 'cleanup']);
  assert.deepEqual(complete(s, 'admin service-users ro'), ['rotate']);
  assert.deepEqual(complete(s, 'admin --profile x audit c'), ['count'], 'a flag and its value are skipped');
  assert.deepEqual(complete(s, 'admin audit list --res').sort(), ['--resource-id', '--resource-type', '--result']);
  assert.deepEqual(complete(s, 'admin generate-code demo --client '), ['pyiceberg', 'spark', 'trino', 'iceberg-js']);
  assert.deepEqual(complete(s, 'admin access-requests review abc '), ['approve', 'deny']);
  assert.deepEqual(complete(s, 'admin audit list --limit '), [], 'a value is not completed');
  // Profile names come from the binary (the profiles test made two).
  assert.deepEqual(complete(s, 'admin --profile ', BIN).sort(), ['admin', 'root']);
  assert.deepEqual(complete(s, 'admin --profile r', BIN), ['root']);
  assert.equal(code(['completion', 'zsh']), 2);
  // --output json: the script inside JSON, nothing else on stdout.
  assert.deepEqual(ok(['completion', 'bash']), { shell: 'bash', script: s });
});

// --- the system pages, assets, validation, session tokens, merge preview,
// warehouse credentials, whoami and logout: each compared with the API's
// own answer to the same request.

const text = (args, token, opts = {}) => {
  const r = cli(args, { token, ...opts });
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}${r.out}`);
  return r.out;
};

test('dashboard: the API\'s counts as JSON and one "key: value" line each; usage 2, no token 3', { skip: skipAll }, async () => {
  const T = adminToken;
  assert.deepEqual(ok(['dashboard'], T), await api('GET', '/api/v1/dashboard/stats', undefined, T));
  const lines = text(['dashboard'], T).trim().split('\n');
  assert.ok(lines.includes('scope: tenant'), lines.join('|'));
  assert.ok(lines.some((l) => /^catalogs_count: [1-9]\d*$/.test(l)), lines.join('|'));
  assert.equal(code(['dashboard', 'extra'], T), 2);
  assert.equal(code(['dashboard'], 'not-a-token'), 3);
});

test('settings get/set: set overlays the given keys on what the server has (PUT replaces the whole object); 422 is exit 1', { skip: skipAll }, async () => {
  const T = adminToken;
  assert.deepEqual(ok(['settings', 'get'], T), await api('GET', '/api/v1/config/settings', undefined, T));
  const a = ok(['settings', 'set', 'smtp_host=mail.example.com', 'default_retention_days:=45'], T);
  assert.equal(a.smtp_host, 'mail.example.com');
  assert.equal(a.default_retention_days, 45);
  // A second set names other keys: the first ones are kept, not nulled.
  const b = ok(['settings', 'set', 'smtp_port:=2525', 'allow_public_signup:=true'], T);
  assert.equal(b.smtp_port, 2525);
  assert.equal(b.allow_public_signup, true);
  assert.equal(b.smtp_host, 'mail.example.com');
  assert.equal(b.default_retention_days, 45);
  assert.deepEqual(b, await api('GET', '/api/v1/config/settings', undefined, T));
  const d = ok(['settings', 'set', '--data', JSON.stringify({ smtp_user: 'ops' })], T);
  assert.equal(d.smtp_user, 'ops');
  assert.equal(d.smtp_port, 2525);
  const bad = cli(['settings', 'set', 'smtp_port:=70000'], { token: T });
  assert.equal(bad.code, 1, bad.err);
  assert.match(bad.err, /HTTP 422.*smtp_port must be between/);
  assert.equal(ok(['settings', 'get'], T).smtp_port, 2525, 'the refused set changed nothing');
  assert.equal(code(['settings', 'set'], T), 2);
  assert.equal(code(['settings', 'set', 'smtp_port'], T), 2);
  assert.equal(code(['settings', 'set', 'smtp_host=x'], userToken), 3, 'a tenant user may not');
});

test('cache stats: the API\'s caches as JSON, a table of name, tier, hits, misses, hit ratio, entries', { skip: skipAll }, async () => {
  const j = ok(['cache', 'stats'], rootToken);
  const a = await api('GET', '/api/v1/cache/stats', undefined, rootToken);
  assert.deepEqual(j.caches.map((c) => [c.name, c.tier]), a.caches.map((c) => [c.name, c.tier]));
  assert.ok(j.caches.length > 0);
  assert.deepEqual(Object.keys(j.object_store).sort(), Object.keys(a.object_store).sort());
  const rows = text(['cache', 'stats'], rootToken).trim().split('\n');
  assert.match(rows[0], /^NAME\s+TIER\s+HITS\s+MISSES\s+HIT RATIO\s+ENTRIES$/);
  for (const c of a.caches) assert.ok(rows.some((r) => r.split(/\s+/)[0] === c.name && r.split(/\s+/)[1] === c.tier), c.name);
  assert.equal(code(['cache'], rootToken), 2);
  assert.equal(code(['cache', 'stats'], 'not-a-token'), 3);
});

test('assets: create, list (--branch), get by id, bulk-delete (one bad id: exit 1, the good one deleted); a dotted namespace', { skip: skipAll }, async () => {
  const T = adminToken;
  const c = ok(['catalogs', 'get', cat], T);
  await api('POST', `/v1/${cat}/namespaces`, { namespace: ['sales', 'eu'] });
  const loc = `${c.storage_location}/sales/eu/orders_delta`;
  const a = ok(['assets', 'create', 'sales.eu', '--catalog', cat, 'name=orders_delta', 'kind=DELTA_TABLE', `location=${loc}`, 'properties:={"format":"delta"}'], T);
  assert.deepEqual(a.namespace, ['sales', 'eu']);
  assert.equal(a.kind, 'DELTA_TABLE');
  assert.deepEqual(a.properties, { format: 'delta' });
  const listed = ok(['assets', 'list', 'sales.eu', '--catalog', cat], T);
  assert.deepEqual(listed, await api('GET', `/api/v1/catalogs/${cat}/namespaces/sales%1Feu/assets`, undefined, T));
  assert.ok(listed.some((x) => x.id === a.id));
  const got = ok(['assets', 'get', a.id], T);
  assert.deepEqual(got, await api('GET', `/api/v1/assets/${a.id}`, undefined, T));
  assert.equal(got.asset.name, 'orders_delta');
  // On a branch: there only.
  ok(['branches', 'create', 'name=assetbr', '--catalog', cat], T);
  const b = ok(['assets', 'create', 'sales', '--catalog', cat, '--branch', 'assetbr', 'name=model', 'kind=ML_MODEL', `location=${c.storage_location}/sales/model`], T);
  assert.equal(b.branch, 'assetbr');
  assert.ok(ok(['assets', 'list', 'sales', '--catalog', cat, '--branch', 'assetbr'], T).some((x) => x.id === b.id));
  assert.ok(!ok(['assets', 'list', 'sales', '--catalog', cat], T).some((x) => x.name === 'model'));
  // Refusals: a bad kind (422), a missing namespace and a missing id (404), no --catalog (2).
  const bad = cli(['assets', 'create', 'sales', '--catalog', cat, 'name=x', 'kind=NOPE', `location=${loc}x`], { token: T });
  assert.equal(bad.code, 1);
  assert.match(bad.err, /HTTP 422.*kind must be one of/);
  assert.equal(code(['assets', 'list', 'no.such', '--catalog', cat], T), 1);
  assert.equal(code(['assets', 'get', '00000000-0000-0000-0000-000000000000'], T), 1);
  assert.equal(code(['assets', 'list', 'sales'], T), 2);
  assert.equal(code(['assets', 'bulk-delete'], T), 2);
  // bulk-delete: the good id goes, the bad one is named; exit 1.
  const missing = '00000000-0000-0000-0000-000000000001';
  const r = cli(['assets', 'bulk-delete', a.id, missing, '--output', 'json'], { token: T });
  assert.equal(r.code, 1, r.err);
  const res = JSON.parse(r.out);
  assert.equal(res.succeeded, 1);
  assert.equal(res.failed, 1);
  assert.match(r.err, new RegExp(`${missing}: not found`));
  assert.equal(code(['assets', 'get', a.id], T), 1, 'deleted');
  assert.deepEqual(ok(['assets', 'bulk-delete', b.id], T), { succeeded: 1, failed: 0, errors: [] });
});

test('validate catalog|warehouse: "name: available" or the reason; a taken name is exit 1', { skip: skipAll }, async () => {
  const T = adminToken;
  const free = uniq('free');
  assert.equal(text(['validate', 'catalog', free], T), `${free}: available\n`);
  const r = cli(['validate', 'catalog', free, cat], { token: T });
  assert.equal(r.code, 1);
  assert.equal(r.out, `${free}: available\n${cat}: a catalog of that name exists\n`);
  const j = cli(['validate', 'warehouse', wh, '--output', 'json'], { token: T });
  assert.equal(j.code, 1);
  assert.deepEqual(JSON.parse(j.out), await api('POST', '/api/v1/validate/names', { resource_type: 'warehouse', names: [wh] }, T));
  assert.equal(JSON.parse(j.out).results[0].available, false);
  assert.deepEqual(ok(['validate', 'warehouse', free], T).results, [{ name: free, available: true, reason: null }]);
  assert.equal(code(['validate', 'table', free], T), 2);
  assert.equal(code(['validate', 'catalog'], T), 2);
});

test('tokens create, rotate (saved to the profile), cleanup; whoami; logout forgets the profile\'s token', { skip: skipAll }, async () => {
  const uname = uniq('ses');
  const uid = (await api('POST', '/api/v1/users', { username: uname, password: PW, tenant_id: tenant, role: 'tenant-user' })).id;
  // create: the token once on stdout; the tenant defaults to the caller's.
  const made = cli(['tokens', 'create', `username=${uname}`, 'expires_in_hours:=2'], { token: adminToken });
  assert.equal(made.code, 0, made.err);
  const tok = made.out.trim();
  assert.match(made.err, /shown once/);
  assert.equal((await api('GET', '/api/v1/users/me', undefined, tok)).id, uid);
  const mj = ok(['tokens', 'create', '--data', JSON.stringify({ tenant_id: tenant, username: uname })], adminToken);
  assert.equal(mj.tenant_id, tenant);
  assert.ok(mj.token && mj.expires_at);
  const nouser = cli(['tokens', 'create', 'username=nobody-here'], { token: adminToken });
  assert.equal(nouser.code, 1);
  assert.match(nouser.err, /HTTP 404.*not found/);
  assert.equal(code(['tokens', 'create', 'tenant_id=not-a-uuid'], adminToken), 1);

  // whoami: the API's /users/me.
  assert.deepEqual(ok(['whoami'], tok), await api('GET', '/api/v1/users/me', undefined, tok));
  assert.equal(code(['whoami'], 'not-a-token'), 3);

  // rotate with a profile's token: printed, saved, the old one refused.
  const l = cli(['login', uname, PW, '--tenant', tenant, '--profile', 'ses']);
  assert.equal(l.code, 0, l.err);
  const before = JSON.parse(fs.readFileSync(file(), 'utf8')).profiles.ses.token;
  const rot = cli(['tokens', 'rotate', '--profile', 'ses']);
  assert.equal(rot.code, 0, rot.err);
  const fresh = rot.out.trim();
  assert.notEqual(fresh, before);
  assert.match(rot.err, /saved to profile ses/);
  assert.equal(JSON.parse(fs.readFileSync(file(), 'utf8')).profiles.ses.token, fresh);
  assert.equal((await request(srv.port, 'GET', '/api/v1/users/me', { headers: { authorization: `Bearer ${before}` } })).status, 401);
  assert.equal(ok(['whoami', '--profile', 'ses']).username, uname);
  // A token given by flag is rotated but the profile is left alone.
  const rj = ok(['tokens', 'rotate'], tok);
  assert.ok(rj.token && rj.token !== tok);
  assert.equal(code(['tokens', 'rotate'], tok), 3, 'the rotated token is refused');
  assert.equal(JSON.parse(fs.readFileSync(file(), 'utf8')).profiles.ses.token, fresh);

  // logout: revoked on the server, gone from the profile.
  assert.deepEqual(ok(['logout', '--profile', 'ses']), { logged_out: true, profile: 'ses', token_forgotten: true });
  assert.equal(JSON.parse(fs.readFileSync(file(), 'utf8')).profiles.ses.token, undefined);
  assert.equal((await request(srv.port, 'GET', '/api/v1/users/me', { headers: { authorization: `Bearer ${fresh}` } })).status, 401);
  assert.equal(code(['whoami', '--profile', 'ses']), 3, 'no token left');
  assert.equal(code(['logout', 'x'], adminToken), 2);

  // cleanup: root's route.
  const cl = ok(['tokens', 'cleanup'], rootToken);
  assert.equal(typeof cl.count, 'number');
  assert.match(cl.message, /Cleaned up \d+ expired tokens/);
  assert.equal(code(['tokens', 'cleanup'], userToken), 3);
});

test('merge preview: the API\'s plan as JSON, a line an asset (source, target, conflict or "-"); a missing branch is exit 1', { skip: skipAll }, async () => {
  const T = adminToken;
  ok(['branches', 'create', 'name=pv', 'branch_type=ingest', '--catalog', cat], T);
  const schema = { type: 'struct', fields: [{ id: 1, name: 'n', required: false, type: 'long' }] };
  await api('POST', `/v1/${cat}/namespaces/sales/tables`, { name: 'pvt@pv', schema });
  const j = ok(['merge', 'preview', 'pv', 'main', '--catalog', cat], T);
  assert.deepEqual(j, await api('GET', `/api/v1/branches/merge/preview?catalog=${cat}&source=pv&target=main`, undefined, T));
  const a = j.assets.find((x) => x.name === 'sales.pvt');
  assert.ok(a, JSON.stringify(j.assets));
  const lines = text(['merge', 'preview', 'pv', 'main', '--catalog', cat], T).trim().split('\n');
  assert.ok(lines.includes(`sales.pvt  source:${a.source.change}  target:${a.target.change}  -`), lines.join('|'));
  assert.equal(a.source.change, 'added');
  // The clash branch (merge abort's test) adds sales.dup on both sides: its conflict's kind.
  const cj = ok(['merge', 'preview', 'clash', 'main', '--catalog', cat], T);
  const dup = cj.assets.find((x) => x.name === 'sales.dup');
  assert.ok(dup && dup.conflict, JSON.stringify(cj.assets));
  const kind = Object.keys(dup.conflict.conflict_type)[0];
  assert.ok(text(['merge', 'preview', 'clash', 'main', '--catalog', cat], T).split('\n')
    .includes(`sales.dup  source:${dup.source.change}  target:${dup.target.change}  ${kind}`));
  const miss = cli(['merge', 'preview', 'no-such-branch', 'main', '--catalog', cat], { token: T });
  assert.equal(miss.code, 1);
  assert.match(miss.err, /HTTP 404/);
  assert.equal(code(['merge', 'preview', 'pv', 'main'], T), 2, 'needs --catalog');
});

test('warehouses credentials: an S3 warehouse that vends its keys answers them; a local one and a missing one are exit 1', { skip: skipAll }, async () => {
  const T = adminToken;
  const s3wh = uniq('whs3');
  await api('POST', '/api/v1/warehouses', { name: s3wh, storage_config: { type: 's3', bucket: 'clib', prefix: 'lake', endpoint: fake.origin, region: 'us-east-1', access_key_id: 'AKIDCLI', secret_access_key: 'cli-secret' } });
  const j = ok(['warehouses', 'credentials', s3wh, '--location', 's3://clib/lake/x'], T);
  assert.deepEqual(j, await api('GET', `/api/v1/warehouses/${s3wh}/credentials?location=${encodeURIComponent('s3://clib/lake/x')}`, undefined, T));
  assert.equal(j.access_key_id, 'AKIDCLI');
  const local = cli(['warehouses', 'credentials', wh, '--location', 's3://clib/lake/x'], { token: T });
  assert.equal(local.code, 1);
  assert.match(local.err, /HTTP 400.*has no S3 keys/);
  assert.equal(code(['warehouses', 'credentials', s3wh], T), 1, 'no --location: 400');
  assert.equal(code(['warehouses', 'credentials', 'no-such-wh', '--location', 's3://clib/lake/x'], T), 1);
  assert.equal(code(['warehouses', 'credentials', s3wh, '--location', 's3://clib/elsewhere/x'], T), 3, 'outside the warehouse: 403');
});

test('completion bash: the new areas and verbs are offered', { skip: skipAll }, () => {
  const s = cli(['completion', 'bash']).out;
  const areas = complete(s, 'admin ');
  for (const a of ['dashboard', 'settings', 'cache', 'assets', 'validate', 'whoami', 'logout']) assert.ok(areas.includes(a), a);
  assert.deepEqual(complete(s, 'admin settings '), ['get', 'set']);
  assert.deepEqual(complete(s, 'admin cache '), ['stats']);
  assert.deepEqual(complete(s, 'admin validate '), ['catalog', 'warehouse']);
  assert.deepEqual(complete(s, 'admin assets '), ['list', 'create', 'get', 'bulk-delete']);
  assert.deepEqual(complete(s, 'admin merge pr'), ['preview']);
  assert.deepEqual(complete(s, 'admin warehouses cr'), ['create', 'credentials']);
  assert.deepEqual(complete(s, 'admin tokens r'), ['revoke', 'rotate']);
  assert.ok(complete(s, 'admin assets list --br').includes('--branch'));
  assert.ok(complete(s, 'admin warehouses credentials w --loc').includes('--location'));
});

test('webhooks: create (the secret once), list, get, update, test, deliveries, replay, rotate-secret, delete', { skip: skipAll }, () => {
  const T = adminToken;
  const made = ok(['webhooks', 'create', '--name', 'cli-hook', '--hook-url', 'https://hooks.example.com/p',
    '--operation-type', 'create-table', '--operation-type', 'update-table', '--catalog', cat, '--namespace', 'sales.eu'], T);
  assert.match(made.secret, /^whsec_/);
  assert.deepEqual(made.operation_types, ['create-table', 'update-table']);
  assert.deepEqual(made.catalogs, [cat]);
  assert.deepEqual(made.namespaces, [['sales', 'eu']]);
  const listed = ok(['webhooks', 'list'], T);
  assert.ok(listed.some((w) => w.id === made.id));
  assert.ok(!JSON.stringify(listed).includes('whsec_'), 'no secret in the list');
  const got = ok(['webhooks', 'get', made.id], T);
  assert.equal(got.name, 'cli-hook');
  assert.ok(!('secret' in got));
  assert.equal(ok(['webhooks', 'update', made.id, '--name', 'renamed', 'active:=false'], T).status, 'paused');
  assert.equal(ok(['webhooks', 'update', made.id, 'active:=true'], T).status, 'active');
  const sent = ok(['webhooks', 'test', made.id], T);
  assert.ok(sent.event_id);
  assert.ok(Array.isArray(ok(['webhooks', 'deliveries', made.id], T).deliveries));
  assert.equal(ok(['webhooks', 'replay', made.id, '--after-seq', '0'], T).cursor, 0);
  const rot = ok(['webhooks', 'rotate-secret', made.id, '--overlap-secs', '60'], T);
  assert.match(rot.secret, /^whsec_/);
  assert.notEqual(rot.secret, made.secret);
  assert.equal(code(['webhooks', 'create', '--name', 'bad', '--hook-url', 'http://10.0.0.1/'], T), 1, 'a refused url');
  assert.equal(code(['webhooks', 'replay', made.id], T), 2, 'replay needs --after or --after-seq');
  assert.equal(code(['webhooks', 'list'], userToken), 3, 'a tenant user is refused');
  assert.equal(code(['webhooks', 'delete', made.id], T), 0);
  assert.equal(code(['webhooks', 'get', made.id], T), 1);
  const s = cli(['completion', 'bash']).out;
  assert.ok(complete(s, 'admin ').includes('webhooks'));
  assert.deepEqual(complete(s, 'admin webhooks r'), ['rotate-secret', 'replay']);
  assert.ok(complete(s, 'admin webhooks create --oper').includes('--operation-type'));
  assert.ok(complete(s, 'admin webhooks replay x --after').includes('--after-seq'));
  // The stream the subscriptions are fed from, a page at a time.
  const first = ok(['events', 'list', '--limit', '1'], T);
  assert.equal(first.events.length, 1);
  const next = ok(['events', 'list', '--after', first['continuation-token'], '--limit', '1000'], T);
  assert.ok(next.events.every((e) => e['event-id'] !== first.events[0]['event-id']));
  assert.ok(next.events.some((e) => e.operation['operation-type'] === 'x-pangolin.webhook-test'), 'the test event is in the stream');
  assert.equal(code(['events', 'list'], userToken), 3, 'a tenant user is refused');
  assert.deepEqual(complete(s, 'admin ev'), ['events']);
});

test('policies: create, list (by catalog), show, explain, delete; a tenant user is refused', { skip: skipAll }, () => {
  const T = adminToken;
  const made = ok(['policies', 'create', 'name=cli-mask', `catalog=${cat}`, 'namespace:=["sales"]', 'table=orders',
    'column=n', 'action=sha-256-global', `applies_to:={"users":["${userId}"]}`], T);
  assert.equal(made.field_id, 1);
  assert.ok(ok(['policies', 'list', '--catalog', cat], T).some((p) => p.id === made.id));
  assert.equal(ok(['policies', 'show', made.id], T).name, 'cli-mask');
  const ex = ok(['policies', 'explain', `${cat}.sales.orders`, '--user', userId, '--groups', 'g1,g2'], T);
  assert.deepEqual(ex['read-restrictions'], { 'required-column-projections': [{ 'field-id': 1, action: 'sha-256-global' }] });
  assert.deepEqual(ex.groups, ['g1', 'g2']);
  assert.equal(code(['policies', 'create', 'name=bad', `catalog=${cat}`, 'namespace:=["sales"]', 'table=orders', 'column=n',
    'action=mask-alphanum', `applies_to:={"users":["${userId}"]}`], T), 1, 'mask-alphanum on a long: 422');
  assert.equal(code(['policies', 'explain', 'nodots', '--user', userId], T), 2);
  assert.equal(code(['policies', 'explain', `${cat}.sales.orders`], T), 2, 'explain needs --user');
  assert.equal(code(['policies', 'list'], userToken), 3, 'a tenant user is refused');
  assert.equal(code(['policies', 'delete', made.id], T), 0);
  assert.equal(code(['policies', 'show', made.id], T), 1);
  const s = cli(['completion', 'bash']).out;
  assert.ok(complete(s, 'admin ').includes('policies'));
  assert.deepEqual(complete(s, 'admin policies e'), ['explain']);
});
