// Who may start, see and cancel maintenance tasks (issue 12): starting
// needs delete on the table, seeing a task read on its table, cancelling
// delete; another tenant's task is 404 like a missing one, ever.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { basic, startServer } from './lib/server.js';
import { expectError, expectJson, uniq } from './lib/expect.js';

const PW = 'Str0ng-Passw0rd-for-tests';
const root = { authorization: basic() };
let srv, A, B;

const ok = async (method, p, body, headers = root, status) => {
  const r = await srv.req(method, p, { body, headers });
  assert.ok(status ? r.status === status : [200, 201, 202, 204].includes(r.status), `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
};
const login = async (username, tenant) => ({
  authorization: `Bearer ${(await ok('POST', '/api/v1/users/login', { username, password: PW, 'tenant-id': tenant })).token}`,
});

async function tenant() {
  const id = (await ok('POST', '/api/v1/tenants', { name: uniq('mt') })).id;
  const adminName = uniq('admin');
  await ok('POST', '/api/v1/users', { username: adminName, password: PW, tenant_id: id, role: 'tenant-admin' });
  const admin = await login(adminName, id);
  const wh = uniq('wh');
  await ok('POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 'local', root: path.join(srv.tenantDir(id), 'wh') } }, admin);
  const cat = uniq('cat');
  const catId = (await ok('POST', '/api/v1/catalogs', { name: cat, warehouse_name: wh }, admin)).id;
  await ok('POST', `/v1/${cat}/namespaces`, { namespace: ['ns'] }, admin);
  const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', required: false, type: 'long' }] };
  await ok('POST', `/v1/${cat}/namespaces/ns/tables`, { name: 't', schema }, admin);
  const user = async (name, actions) => {
    const u = await ok('POST', '/api/v1/users', { username: name, password: PW, tenant_id: id, role: 'tenant-user' }, admin);
    if (actions) await ok('POST', '/api/v1/permissions', { 'user-id': u.id, scope: { type: 'namespace', catalog_id: catId, namespace: 'ns' }, actions }, admin);
    return login(name, id);
  };
  return { id, admin, cat, user, table: `/v1/${cat}/namespaces/ns/tables/t` };
}

before(async () => {
  srv = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0', TASK_WORKER_POLL_INTERVAL_MS: '50' } });
  A = await tenant();
  B = await tenant();
  A.reader = await A.user(uniq('reader'), ['read']);
  A.writer = await A.user(uniq('writer'), ['read', 'delete']);
  A.nobody = await A.user(uniq('nobody'));
});
after(async () => { await srv?.stop(); });

const start = (headers) => srv.req('POST', `${A.table}/maintenance`, { body: { operations: ['expire_snapshots'] }, headers });

test('starting maintenance needs delete on the table: a reader and a user without grants get 403, the writer 202', async () => {
  expectError(await start(A.reader), 403, { iceberg: true });
  expectError(await start(A.nobody), 403, { iceberg: true });
  expectError(await start(B.admin), 404, { iceberg: true });
  expectJson(await start(A.writer), 202);
});

test('a task is seen by whoever may read its table, cancelled only with delete; 404 for everyone else, another tenant\'s admin included', async () => {
  const id = expectJson(await start(A.writer), 202).task_id;
  assert.equal(expectJson(await srv.req('GET', `/api/v1/tasks/${id}`, { headers: A.reader }), 200).id, id);
  assert.ok(expectJson(await srv.req('GET', '/api/v1/tasks', { headers: A.reader }), 200).some((t) => t.id === id));
  expectError(await srv.req('GET', `/api/v1/tasks/${id}`, { headers: A.nobody }), 404);
  assert.deepEqual(expectJson(await srv.req('GET', '/api/v1/tasks', { headers: A.nobody }), 200), []);
  expectError(await srv.req('GET', `/api/v1/tasks/${id}`, { headers: B.admin }), 404);
  assert.ok(!expectJson(await srv.req('GET', '/api/v1/tasks', { headers: B.admin }), 200).some((t) => t.id === id));
  expectError(await srv.req('POST', `/api/v1/tasks/${id}/cancel`, { headers: B.admin }), 404);
  expectError(await srv.req('POST', `/api/v1/tasks/${id}/cancel`, { headers: A.reader }), 403);
  assert.equal(expectJson(await srv.req('GET', `/api/v1/tasks/${id}`, { headers: A.admin }), 200).id, id);
  expectError(await srv.req('GET', '/api/v1/tasks'), 401);
});
