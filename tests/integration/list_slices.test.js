// Iceberg lists in slices (issue 23: no big listing inline on the event
// loop).  A namespace or table list is read from the store and written
// list_slice_rows rows at a time, and between slices the worker serves
// other requests (pangolin_list_yields_total counts those turns).  Here
// PANGOLIN_LIST_SLICE_ROWS is 7, so a few dozen rows cross several
// slices: every answer must be the same as one read in one go, paged or
// not, for an admin and for a tenant user whose list is filtered by its
// grants as it is read.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { basic, startServer } from './lib/server.js';
import { uniq } from './lib/expect.js';

const PW = 'Str0ng-Passw0rd-for-tests';
const SLICE = 7;
const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', required: false, type: 'long' }] };
const root = { authorization: basic() };
let srv, admin, user, cat, catId;

const ok = async (method, p, body, headers) => {
  const r = await srv.req(method, p, { body, headers });
  assert.ok([200, 201, 204].includes(r.status), `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
};
const login = async (username, tenant) =>
  ({ authorization: `Bearer ${(await ok('POST', '/api/v1/users/login', { username, password: PW, 'tenant-id': tenant })).token}` });
const yields = async () => Number(/^pangolin_list_yields_total (\d+)$/m.exec((await srv.req('GET', '/metrics', { headers: root })).text)?.[1]);
const pad = (i) => String(i).padStart(2, '0');

before(async () => {
  srv = await startServer({ root: true, noAuth: false, workers: 1,
    env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_LIST_SLICE_ROWS: String(SLICE) } });
  const tenant = (await ok('POST', '/api/v1/tenants', { name: uniq('ls') }, root)).id;
  const an = uniq('admin');
  await ok('POST', '/api/v1/users', { username: an, password: PW, tenant_id: tenant, role: 'tenant-admin' }, root);
  admin = await login(an, tenant);
  const un = uniq('user');
  const u = await ok('POST', '/api/v1/users', { username: un, password: PW, tenant_id: tenant, role: 'tenant-user' }, admin);
  user = await login(un, tenant);
  const wh = uniq('wh');
  await ok('POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 'local', root: path.join(srv.tenantDir(tenant), 'wh') } }, admin);
  cat = uniq('cat');
  catId = (await ok('POST', '/api/v1/catalogs', { name: cat, warehouse_name: wh }, admin)).id;
  for (let i = 0; i < 20; i++) await ok('POST', `/v1/${cat}/namespaces`, { namespace: [`ns${pad(i)}`] }, admin);
  await ok('POST', `/v1/${cat}/namespaces`, { namespace: ['big'] }, admin);
  for (let i = 0; i < 30; i++) await ok('POST', `/v1/${cat}/namespaces/big/tables`, { name: `t${pad(i)}`, schema }, admin);
  for (const ns of ['ns03', 'ns10', 'ns17']) {
    await ok('POST', '/api/v1/permissions', { 'user-id': u.id, scope: { type: 'namespace', catalog_id: catId, namespace: ns }, actions: ['read'] }, admin);
  }
});
after(async () => { await srv?.stop(); });

/** Every page of a list, following next-page-token. */
async function pages(p, key, size, headers) {
  const out = [];
  let tok = '';
  for (let i = 0; i < 100; i++) {
    const r = await ok('GET', `${p}?pageToken=${tok}&pageSize=${size}`, undefined, headers);
    out.push(r[key]);
    if (r['next-page-token'] == null) return out;
    tok = r['next-page-token'];
  }
  throw new Error('no last page');
}

test('an admin\'s lists that cross several slices hold every row once, in order, paged or not, and the worker yields between slices', async () => {
  const before = await yields();
  const all = await ok('GET', `/v1/${cat}/namespaces`, undefined, admin);
  // A catalog is created with its namespace "default".
  const names = ['big', 'default', ...Array.from({ length: 20 }, (_, i) => `ns${pad(i)}`)];
  assert.deepEqual(all.namespaces, names.map((n) => [n]));
  assert.equal(all['next-page-token'], null);
  // 22 rows in slices of 7: three turns given up.
  assert.ok(await yields() - before >= 3, `yields ${await yields() - before}`);

  const tables = (await ok('GET', `/v1/${cat}/namespaces/big/tables`, undefined, admin)).identifiers;
  assert.deepEqual(tables.map((t) => t.name), Array.from({ length: 30 }, (_, i) => `t${pad(i)}`));
  for (const size of [1, 4, 7, 10, 29, 30, 1000]) {
    const got = await pages(`/v1/${cat}/namespaces/big/tables`, 'identifiers', size, admin);
    assert.deepEqual(got.flat(), tables, `pageSize ${size}`);
    assert.equal(got.length, Math.ceil(30 / size), `pageSize ${size}: ${got.length} pages`);
    assert.ok(got.every((pg, i) => pg.length === (i < got.length - 1 ? size : 30 - size * (got.length - 1))));
  }
  assert.deepEqual((await pages(`/v1/${cat}/namespaces`, 'namespaces', 5, admin)).flat(), all.namespaces);
  // A page token is a key (issue 69): an offset of before is no token.
  const past = await srv.req('GET', `/v1/${cat}/namespaces/big/tables?pageToken=o30&pageSize=5`, { headers: admin });
  assert.equal(past.status, 400, past.text);
});

test('a tenant user\'s lists are filtered as they are read: only its namespaces, paged across slices', async () => {
  const mine = [['ns03'], ['ns10'], ['ns17']];
  assert.deepEqual((await ok('GET', `/v1/${cat}/namespaces`, undefined, user)).namespaces, mine);
  for (const size of [1, 2, 3, 50]) {
    const got = await pages(`/v1/${cat}/namespaces`, 'namespaces', size, user);
    assert.deepEqual(got.flat(), mine, `pageSize ${size}`);
    assert.equal(got.length, Math.ceil(3 / size), `pageSize ${size}: ${got.length} pages`);
  }
  // No grant on big: its tables are not listed.
  const r = await srv.req('GET', `/v1/${cat}/namespaces/big/tables`, { headers: user });
  assert.ok(r.status === 403 || (r.status === 200 && r.json.identifiers.length === 0), `${r.status} ${r.text}`);
});

test('a client that leaves during a sliced list breaks nothing: the worker answers on', async () => {
  const net = await import('node:net');
  for (let i = 0; i < 8; i++) {
    await new Promise((resolve) => {
      const s = net.connect(srv.port, '127.0.0.1', () => {
        s.write(`GET /v1/${cat}/namespaces/big/tables HTTP/1.1\r\nHost: x\r\nAuthorization: ${admin.authorization}\r\n\r\n`, () => { s.destroy(); resolve(); });
      });
      s.on('error', resolve);
    });
  }
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await ok('GET', `/v1/${cat}/namespaces/big/tables`, undefined, admin)).identifiers.length, 30);
  assert.equal((await srv.req('GET', '/health/live')).status, 200);
});
