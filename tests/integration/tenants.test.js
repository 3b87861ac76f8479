// Tenants (pangolin-api.md §2.1), NO_AUTH mode, root by HTTP Basic, and
// tenant isolation.  The server runs in NO_AUTH mode with a root user
// configured: requests without credentials are the nil-tenant admin,
// requests with Basic credentials are root.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { basic, freePort, makeToml, NIL_UUID, ONCE, runBinary, startServer, tmpDir } from './lib/server.js';
import { checkPaging, expectError, expectJson, expectList, uniq, UUID_RE } from './lib/expect.js';

let srv;
before(async () => { srv = await startServer({ root: true }); });
after(async () => { await srv?.stop(); });

const ROOT = { authorization: basic() };
const asRoot = (method, p, o = {}) => srv.req(method, p, { ...o, headers: { ...ROOT, ...(o.headers ?? {}) } });
const createTenant = async (name = uniq('t'), properties) => {
  const body = properties === undefined ? { name } : { name, properties };
  return expectJson(await asRoot('POST', '/api/v1/tenants', { body }), 201);
};

test('NO_AUTH: the tenant list shows the default tenant with the nil UUID', async () => {
  const { items, total } = expectList(await srv.req('GET', '/api/v1/tenants'));
  const dflt = items.find((t) => t.id === NIL_UUID);
  assert.deepEqual(dflt, { id: NIL_UUID, name: 'default', properties: {} });
  assert.ok(total >= 1);
});

// Refused by the configuration (NO_AUTH) before any store call: ONCE.
test('NO_AUTH: creating a tenant is 403 "Tenant creation is disabled in NO_AUTH mode"', { skip: ONCE }, async () => {
  const body = expectError(await srv.req('POST', '/api/v1/tenants', { body: { name: uniq('t') } }), 403);
  assert.equal(body.error, 'Tenant creation is disabled in NO_AUTH mode');
});

test('NO_AUTH: the anonymous admin may read its own tenant but not update or delete tenants', async () => {
  assert.equal(expectJson(await srv.req('GET', `/api/v1/tenants/${NIL_UUID}`), 200).id, NIL_UUID);
  const t = await createTenant();
  expectError(await srv.req('GET', `/api/v1/tenants/${t.id}`), 404, { message: /not found/i });
  expectError(await srv.req('PUT', `/api/v1/tenants/${t.id}`, { body: { properties: { a: 'b' } } }), 403);
  expectError(await srv.req('DELETE', `/api/v1/tenants/${t.id}`), 403);
  expectJson(await asRoot('GET', `/api/v1/tenants/${t.id}`), 200);
});

test('root creates a tenant: 201 {id, name, properties}', async () => {
  const name = uniq('acme');
  const t = await createTenant(name, { region: 'eu', tier: 'gold' });
  assert.deepEqual(Object.keys(t).sort(), ['id', 'name', 'properties']);
  assert.match(t.id, UUID_RE);
  assert.equal(t.name, name);
  assert.deepEqual(t.properties, { region: 'eu', tier: 'gold' });
  const noProps = await createTenant();
  assert.deepEqual(noProps.properties, {});
});

test('root gets a tenant by id, and it is in the list', async () => {
  const t = await createTenant(uniq('get'), { k: 'v' });
  assert.deepEqual(expectJson(await asRoot('GET', `/api/v1/tenants/${t.id}`), 200), t);
  const { items } = expectList(await asRoot('GET', '/api/v1/tenants?limit=1000'));
  assert.deepEqual(items.find((x) => x.id === t.id), t);
});

test('updating a tenant merges properties and may rename it', async () => {
  const t = await createTenant(uniq('upd'), { a: '1', b: '2' });
  const newName = uniq('renamed');
  const u = expectJson(await asRoot('PUT', `/api/v1/tenants/${t.id}`, { body: { name: newName, properties: { b: 'two', c: '3' } } }), 200);
  assert.deepEqual(u, { id: t.id, name: newName, properties: { a: '1', b: 'two', c: '3' } });
  assert.deepEqual(expectJson(await asRoot('GET', `/api/v1/tenants/${t.id}`), 200), u);
  // Properties only: the name stays.
  const v = expectJson(await asRoot('PUT', `/api/v1/tenants/${t.id}`, { body: { properties: { d: '4' } } }), 200);
  assert.equal(v.name, newName);
  assert.deepEqual(v.properties, { a: '1', b: 'two', c: '3', d: '4' });
});

test('deleting a tenant is 204 and it is gone afterwards', async () => {
  const t = await createTenant();
  const r = await asRoot('DELETE', `/api/v1/tenants/${t.id}`);
  assert.equal(r.status, 204);
  assert.equal(r.text, '');
  expectError(await asRoot('GET', `/api/v1/tenants/${t.id}`), 404);
  expectError(await asRoot('DELETE', `/api/v1/tenants/${t.id}`), 404);
});

test('the default tenant cannot be deleted', async () => {
  expectError(await asRoot('DELETE', `/api/v1/tenants/${NIL_UUID}`), 400);
  expectJson(await asRoot('GET', `/api/v1/tenants/${NIL_UUID}`), 200);
});

test('a duplicate tenant name is 409, on create and on rename', async () => {
  const t = await createTenant();
  expectError(await asRoot('POST', '/api/v1/tenants', { body: { name: t.name } }), 409, { message: /exists/ });
  const other = await createTenant();
  expectError(await asRoot('PUT', `/api/v1/tenants/${other.id}`, { body: { name: t.name } }), 409);
});

// Checked before any store call: ONCE (lib/server.js).
test('a tenant id that is not a UUID is 400 on get, update and delete', { skip: ONCE }, async () => {
  for (const id of ['nope', '1234', `${NIL_UUID}x`, 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz']) {
    expectError(await asRoot('GET', `/api/v1/tenants/${id}`), 400);
    expectError(await asRoot('PUT', `/api/v1/tenants/${id}`, { body: { properties: {} } }), 400);
    expectError(await asRoot('DELETE', `/api/v1/tenants/${id}`), 400);
  }
});

test('an unknown tenant id is 404 on get, update and delete', async () => {
  const id = '6f1c1b9e-5f0e-4d7b-9c1a-2b3c4d5e6f70';
  expectError(await asRoot('GET', `/api/v1/tenants/${id}`), 404);
  expectError(await asRoot('PUT', `/api/v1/tenants/${id}`, { body: { properties: {} } }), 404);
  expectError(await asRoot('DELETE', `/api/v1/tenants/${id}`), 404);
});

// Bodies and names are checked before any store call: ONCE (lib/server.js).
test('tenant bodies are validated: unknown field, wrong type, missing name are 422; a bad new name is 400', { skip: ONCE }, async () => {
  expectError(await asRoot('POST', '/api/v1/tenants', { body: { name: uniq('t'), owner: 'me' } }), 422);
  expectError(await asRoot('POST', '/api/v1/tenants', { body: { name: uniq('t'), properties: { a: 1 } } }), 422);
  expectError(await asRoot('POST', '/api/v1/tenants', { body: { properties: {} } }), 422);
  const t = await createTenant();
  expectError(await asRoot('PUT', `/api/v1/tenants/${t.id}`, { body: { id: t.id } }), 422);
  for (const name of ['', 'a/b', '..', 'a@b', 'x'.repeat(300)]) {
    expectError(await asRoot('PUT', `/api/v1/tenants/${t.id}`, { body: { name } }), 400);
  }
});

// Issue 22: no-auth mode ignores a credential that does not hold (PyIceberg
// sends "Bearer None"); the caller is the anonymous admin.  With auth on
// the same credentials are 401 (pyiceberg_shapes.test.js).  How a
// credential is taken is decided before any store call: ONCE.
test('NO_AUTH: a wrong Basic password and other bad credentials are ignored: the caller is the anonymous admin', { skip: ONCE }, async () => {
  const t = await createTenant();
  const bad = [
    basic('root', 'not-the-password'),
    basic('admin', 'Corr3ct-Horse-Battery'),
    basic('root', ''),
    'Basic !!!not-base64!!!',
    'Basic ' + Buffer.from('no-colon').toString('base64'),
    'Bearer abc.def.ghi',
    'Bearer None',
    'Digest x',
  ];
  const anonymous = expectList(await srv.req('GET', '/api/v1/tenants?limit=1000'));
  for (const authorization of bad) {
    assert.deepEqual(expectList(await srv.req('GET', '/api/v1/tenants?limit=1000', { headers: { authorization } })), anonymous, authorization);
    // Each wrong Basic counts against root's Basic throttle (10 here).
    if (authorization.startsWith('Basic ') && authorization !== bad[0]) continue;
    expectError(await srv.req('GET', `/api/v1/tenants/${t.id}`, { headers: { authorization } }), 404);
    expectError(await srv.req('POST', '/api/v1/tenants', { headers: { authorization }, body: { name: uniq('t') } }), 403);
  }
});

test('root acting in tenant B via X-Pangolin-Tenant cannot see the default tenant\'s catalogs', async () => {
  const b = await createTenant(uniq('tenant-b'));
  const cat = uniq('iso');
  expectJson(await srv.req('POST', '/api/v1/catalogs', { body: { name: cat } }), 201);
  // Root without the header acts in the default tenant and sees it ...
  expectJson(await asRoot('GET', `/api/v1/catalogs/${cat}`), 200);
  // ... in tenant B it does not exist.
  const inB = { 'x-pangolin-tenant': b.id };
  const { items } = expectList(await asRoot('GET', '/api/v1/catalogs?limit=1000', { headers: inB }));
  assert.ok(!items.some((c) => c.name === cat), 'catalog leaked into tenant B');
  expectError(await asRoot('GET', `/api/v1/catalogs/${cat}`, { headers: inB }), 404);
  expectError(await asRoot('GET', `/api/v1/catalogs/${cat}/summary`, { headers: inB }), 404);
  expectError(await asRoot('GET', `/api/v1/branches?catalog=${cat}`, { headers: inB }), 404);
  expectError(await asRoot('GET', `/api/v1/tags?catalog=${cat}`, { headers: inB }), 404);
  expectError(await asRoot('GET', `/api/v1/branches/main/commits?catalog=${cat}`, { headers: inB }), 404);
  expectError(await asRoot('GET', `/api/v1/catalogs/${cat}/namespaces/tree`, { headers: inB }), 404);
  const wh = uniq('wh');
  expectJson(await srv.req('POST', '/api/v1/warehouses', { body: { name: wh, storage_config: { type: 's3', bucket: 'lake' } } }), 201);
  const whs = expectList(await asRoot('GET', '/api/v1/warehouses?limit=1000', { headers: inB }));
  assert.ok(!whs.items.some((w) => w.name === wh), 'warehouse leaked into tenant B');
  expectError(await asRoot('GET', `/api/v1/warehouses/${wh}`, { headers: inB }), 404);
});

test('X-Pangolin-Tenant is ignored for non-root callers', async () => {
  const b = await createTenant(uniq('tenant-b'));
  const cat = uniq('own');
  expectJson(await srv.req('POST', '/api/v1/catalogs', { body: { name: cat } }), 201);
  expectJson(await srv.req('GET', `/api/v1/catalogs/${cat}`, { headers: { 'x-pangolin-tenant': b.id } }), 200);
});

test('tenant lists page: limit/offset, page/page_size, past the end, bad values', async () => {
  for (let i = 0; i < 6; i++) await createTenant(uniq('page'));
  const names = await checkPaging(srv, '/api/v1/tenants', { headers: ROOT, keyset: true });
  assert.deepEqual(names, [...names].sort(), 'tenants are listed by name');
});

// Configuration, on the memory store whatever the pass: ONCE (lib/server.js).
test('a weak root password refuses to start: exit 2 with one line naming the key', { skip: ONCE }, async () => {
  const dir = tmpDir('pgl-weak');
  const port = await freePort();
  for (const weak of ['short', 'password123', 'changeme', 'PasswordPassword', '123456789012']) {
    const config = path.join(dir, 'weak.toml');
    fs.writeFileSync(config, makeToml({ store: 'memory', port, dir, root: true })
      .replace(/root_password = .*/, `root_password = ${JSON.stringify(weak)}`));
    const r = runBinary(['-c', config]);
    assert.equal(r.code, 2, `${weak}: exit ${r.code} ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /root_password/);
    assert.match(lines[0], /weak/);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
