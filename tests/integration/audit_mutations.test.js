// Every mutation leaves exactly one audit event (pangolin-api.md §2.12):
// success events written with the change, failure events for refused or
// failed changes that changed nothing, root's impersonation recorded in
// the tenant it acted in.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { basic, startServer } from './lib/server.js';
import { expectJson, uniq } from './lib/expect.js';

const PW = 'Str0ng-Passw0rd-for-tests';
let srv, data, tenant, admin, adminName, user, userId;
const root = { authorization: basic() };

before(async () => {
  srv = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0' } });
  tenant = expectJson(await srv.req('POST', '/api/v1/tenants', { body: { name: uniq('t') }, headers: root }), 201).id;
  data = srv.tenantDir(tenant); // a tenant's warehouses live below <local root>/<tenant id>/
  const name = uniq('admin');
  adminName = name;
  expectJson(await srv.req('POST', '/api/v1/users', { body: { username: name, password: PW, tenant_id: tenant, role: 'tenant-admin' }, headers: root }), 201);
  admin = { authorization: `Bearer ${expectJson(await srv.req('POST', '/api/v1/users/login', { body: { username: name, password: PW, 'tenant-id': tenant } }), 200).token}` };
  const uname = uniq('user');
  userId = expectJson(await srv.req('POST', '/api/v1/users', { body: { username: uname, password: PW, tenant_id: tenant, role: 'tenant-user' }, headers: admin }), 201).id;
  user = { authorization: `Bearer ${expectJson(await srv.req('POST', '/api/v1/users/login', { body: { username: uname, password: PW, 'tenant-id': tenant } }), 200).token}` };
});
after(async () => {
  await srv?.stop();
  fs.rmSync(data, { recursive: true, force: true });
});

const events = async (action) => expectJson(await srv.req('GET', `/api/v1/audit?action=${action}&limit=1000`, { headers: admin }), 200);

/** Run a call and return the audit events it added for action. */
async function change(action, call) {
  const before = (await events(action)).length;
  const r = await call();
  const all = await events(action);
  return { r, added: all.slice(0, all.length - before) };
}

const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', required: false, type: 'long' }] };

test('each mutation route leaves exactly one success event naming its resource', async () => {
  const wh = uniq('wh');
  const cat = uniq('cat');
  const steps = [
    ['create_warehouse', 'POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 'local', root: path.join(data, 'w') } }, wh],
    ['create_catalog', 'POST', '/api/v1/catalogs', { name: cat, warehouse_name: wh }, cat],
    ['update_catalog', 'PUT', `/api/v1/catalogs/${cat}`, { properties: { owner: 'x' } }, cat],
    ['create_namespace', 'POST', `/v1/${cat}/namespaces`, { namespace: ['ns'] }],
    ['update_namespace', 'POST', `/v1/${cat}/namespaces/ns/properties`, { updates: { a: 'b' } }],
    ['create_table', 'POST', `/v1/${cat}/namespaces/ns/tables`, { name: 't1', schema }, 't1'],
    ['update_table', 'POST', `/v1/${cat}/namespaces/ns/tables/t1`, { requirements: [], updates: [{ action: 'set-properties', updates: { k: 'v' } }] }, 't1'],
    ['rename_table', 'POST', `/v1/${cat}/tables/rename`, { source: { namespace: ['ns'], name: 't1' }, destination: { namespace: ['ns'], name: 't2' } }],
    ['drop_table', 'DELETE', `/v1/${cat}/namespaces/ns/tables/t2`, undefined, 't2'],
    ['create_branch', 'POST', '/api/v1/branches', { name: 'dev', catalog: cat }, 'dev'],
    ['delete_branch', 'DELETE', `/api/v1/branches/dev?catalog=${cat}`, undefined, 'dev'],
    ['create_role', 'POST', '/api/v1/roles', { name: 'readers' }, 'readers'],
    ['grant_permission', 'POST', '/api/v1/permissions', { 'user-id': userId, scope: { type: 'tenant' }, actions: ['read'] }],
    ['delete_namespace', 'DELETE', `/v1/${cat}/namespaces/ns`, undefined, 'ns'],
    ['delete_catalog', 'DELETE', `/api/v1/catalogs/${cat}`, undefined, cat],
    ['delete_warehouse', 'DELETE', `/api/v1/warehouses/${wh}`, undefined, wh],
  ];
  for (const [action, method, p, body, name] of steps) {
    const { r, added } = await change(action, () => srv.req(method, p, { body, headers: admin }));
    assert.ok(r.status < 300, `${method} ${p}: ${r.status} ${r.text}`);
    assert.equal(added.length, 1, `${action}: ${JSON.stringify(added)}`);
    const e = added[0];
    assert.equal(e.result, 'success', action);
    assert.equal(e.tenant_id, tenant);
    assert.equal(e.username, adminName);
    assert.equal(e.ip_address, '127.0.0.1');
    if (name) assert.equal(e.resource_name, name, action);
  }
  // Role lifecycle: update, assign, revoke, delete.
  const role = expectJson(await srv.req('GET', '/api/v1/roles', { headers: admin }), 200).find((x) => x.name === 'readers');
  for (const [action, method, p, body] of [
    ['update_role', 'PUT', `/api/v1/roles/${role.id}`, { name: 'readers2' }],
    ['assign_role', 'POST', `/api/v1/users/${userId}/roles`, { 'role-id': role.id }],
    ['revoke_role', 'DELETE', `/api/v1/users/${userId}/roles/${role.id}`],
    ['delete_role', 'DELETE', `/api/v1/roles/${role.id}`],
  ]) {
    const { r, added } = await change(action, () => srv.req(method, p, { body, headers: admin }));
    assert.ok(r.status < 300, `${action}: ${r.status} ${r.text}`);
    assert.equal(added.length, 1, action);
    assert.equal(added[0].resource_type, 'role');
  }
});

test('each webhook mutation leaves one success event naming the subscription', async () => {
  const name = uniq('hook');
  const { r, added } = await change('create_webhook', () => srv.req('POST', '/api/v1/webhooks',
    { body: { name, url: 'https://hooks.example.com/p' }, headers: admin }));
  assert.equal(r.status, 201, r.text);
  assert.equal(added.length, 1);
  assert.equal(added[0].resource_type, 'webhook');
  assert.equal(added[0].resource_name, name);
  const id = r.json.id;
  assert.equal(added[0].resource_id, id);
  for (const [action, method, p, body] of [
    ['update_webhook', 'PUT', `/api/v1/webhooks/${id}`, { active: true }],
    ['rotate_webhook_secret', 'POST', `/api/v1/webhooks/${id}/rotate-secret`, {}],
    ['test_webhook', 'POST', `/api/v1/webhooks/${id}/test`],
    ['replay_webhook', 'POST', `/api/v1/webhooks/${id}/replay`, { after_seq: 0 }],
    ['delete_webhook', 'DELETE', `/api/v1/webhooks/${id}`],
  ]) {
    const x = await change(action, () => srv.req(method, p, { body, headers: admin }));
    assert.ok(x.r.status < 300, `${action}: ${x.r.status} ${x.r.text}`);
    assert.equal(x.added.length, 1, action);
    assert.equal(x.added[0].result, 'success', action);
    assert.equal(x.added[0].resource_type, 'webhook', action);
    assert.equal(x.added[0].resource_id, id, action);
  }
});

test('a failed or refused mutation leaves one failure event and no change', async () => {
  const wh = uniq('wh');
  expectJson(await srv.req('POST', '/api/v1/warehouses', { body: { name: wh, storage_config: { type: 'local', root: path.join(data, 'f') } }, headers: admin }), 201);
  const cat = uniq('cat');
  expectJson(await srv.req('POST', '/api/v1/catalogs', { body: { name: cat, warehouse_name: wh }, headers: admin }), 201);
  const count = async () => expectJson(await srv.req('GET', '/api/v1/catalogs', { headers: admin }), 200).length;
  const n = await count();
  // Failed: the name is taken.
  let { r, added } = await change('create_catalog', () => srv.req('POST', '/api/v1/catalogs', { body: { name: cat, warehouse_name: wh }, headers: admin }));
  assert.equal(r.status, 409);
  assert.equal(added.length, 1);
  assert.equal(added[0].result, 'failure');
  assert.ok(added[0].error_message.length > 0);
  assert.equal(await count(), n);
  // Refused: a tenant user may not delete a catalog.
  ({ r, added } = await change('delete_catalog', () => srv.req('DELETE', `/api/v1/catalogs/${cat}`, { headers: user })));
  assert.equal(r.status, 403);
  assert.equal(added.length, 1);
  assert.equal(added[0].result, 'failure');
  assert.equal(added[0].user_id, userId);
  assert.equal(await count(), n);
  // Failed in the handler after the store changed nothing: a bad grant.
  ({ r, added } = await change('grant_permission', () => srv.req('POST', '/api/v1/permissions', { body: { 'user-id': userId, scope: { type: 'galaxy' }, actions: ['read'] }, headers: admin })));
  assert.equal(r.status, 422);
  assert.equal(added.length, 1);
  assert.equal(added[0].result, 'failure');
  // Anonymous refusals are not written (anyone could fill the log).
  ({ r, added } = await change('delete_catalog', () => srv.req('DELETE', `/api/v1/catalogs/${cat}`)));
  assert.equal(r.status, 401);
  assert.equal(added.length, 0);
});

test('root acting in a tenant is recorded there as tenant_impersonation', async () => {
  const { r, added } = await change('tenant_impersonation', () => srv.req('GET', '/api/v1/catalogs', { headers: { ...root, 'x-pangolin-tenant': tenant } }));
  assert.equal(r.status, 200);
  assert.equal(added.length, 1);
  assert.equal(added[0].tenant_id, tenant);
  assert.equal(added[0].resource_id, tenant);
  assert.equal(added[0].username, 'root');
});
