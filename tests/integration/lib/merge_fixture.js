// A tenant set up for the merge routes' authorization tests: its admin,
// a tenant user without grants, a local warehouse and catalog holding
// db.t, and a branch feat on which db.t's property v is "feat".
import assert from 'node:assert/strict';
import path from 'node:path';
import { basic } from './server.js';
import { uniq } from './expect.js';

const SCHEMA = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };

export async function tenantWithFeatBranch(srv, { password, tag }) {
  const as = async (h, method, p, body, want) => {
    const r = await srv.req(method, p, { body, headers: h });
    if (want !== undefined) assert.equal(r.status, want, `${method} ${p}: ${r.text}`);
    return r;
  };
  const root = { authorization: basic() };
  const tenant = (await as(root, 'POST', '/api/v1/tenants', { name: uniq(`${tag}t`) }, 201)).json.id;
  const login = async (username) => ({ authorization: `Bearer ${(await as({}, 'POST', '/api/v1/users/login',
    { username, password, 'tenant-id': tenant }, 200)).json.token}` });
  const adminName = uniq(`${tag}admin`);
  await as(root, 'POST', '/api/v1/users', { username: adminName, password, tenant_id: tenant, role: 'tenant-admin' }, 201);
  const admin = await login(adminName);
  const userName = uniq(`${tag}user`);
  const u = (await as(admin, 'POST', '/api/v1/users', { username: userName, password, tenant_id: tenant, role: 'tenant-user' }, 201)).json;
  const user = await login(userName);
  const wh = uniq('wh');
  await as(admin, 'POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 'local', root: path.join(srv.tenantDir(tenant), 'wh') } }, 201);
  const cat = uniq('cat');
  const catId = (await as(admin, 'POST', '/api/v1/catalogs', { name: cat, warehouse_name: wh }, 201)).json.id;
  await as(admin, 'POST', `/v1/${cat}/namespaces`, { namespace: ['db'] }, 200);
  await as(admin, 'POST', `/v1/${cat}/namespaces/db/tables`, { name: 't', schema: SCHEMA }, 200);
  await as(admin, 'POST', '/api/v1/branches', { name: 'feat', catalog: cat, branch_type: 'ingest' }, 201);
  await as(admin, 'POST', `/v1/${cat}/namespaces/db/tables/t@feat`,
    { requirements: [], updates: [{ action: 'set-properties', updates: { v: 'feat' } }] }, 200);
  return { as, root, tenant, admin, user, u, cat, catId };
}
