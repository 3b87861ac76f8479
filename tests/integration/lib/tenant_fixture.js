// A tenant made over the management API for the change-event tests
// (events, webhooks_api, webhooks_delivery): root makes the tenant and its
// admin; the admin makes a tenant user (no grant yet), a local warehouse
// and a catalog.  `ok` is one call that must succeed.
import assert from 'node:assert/strict';
import path from 'node:path';
import { basic } from './server.js';
import { uniq } from './expect.js';

export const PW = 'Str0ng-Passw0rd-for-tests';
export const root = { authorization: basic() };

/** method p on server s; fails the test unless answered 2xx; the JSON. */
export async function ok(s, method, p, body, headers = root) {
  const r = await s.req(method, p, { body, headers });
  assert.ok([200, 201, 202, 204].includes(r.status), `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
}

/** The headers of username's session in tenant. */
export async function login(s, username, tenant) {
  const t = (await ok(s, 'POST', '/api/v1/users/login', { username, password: PW, 'tenant-id': tenant })).token;
  return { authorization: `Bearer ${t}` };
}

/**
 * { id, admin, user, userId, userName, wh, cat, catId }: admin and user
 * are request headers; the user is a tenant user holding no grant.
 */
export async function makeTenant(s, tag) {
  const id = (await ok(s, 'POST', '/api/v1/tenants', { name: uniq(tag) })).id;
  const adminName = uniq('admin');
  await ok(s, 'POST', '/api/v1/users', { username: adminName, password: PW, tenant_id: id, role: 'tenant-admin' });
  const admin = await login(s, adminName, id);
  const userName = uniq('user');
  const u = await ok(s, 'POST', '/api/v1/users', { username: userName, password: PW, tenant_id: id, role: 'tenant-user' }, admin);
  const user = await login(s, userName, id);
  const wh = uniq('wh');
  await ok(s, 'POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 'local', root: path.join(s.tenantDir(id), 'wh') } }, admin);
  const cat = uniq('cat');
  const catId = (await ok(s, 'POST', '/api/v1/catalogs', { name: cat, warehouse_name: wh }, admin)).id;
  return { id, admin, user, userId: u.id, userName, wh, cat, catId };
}
