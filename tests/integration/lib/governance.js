// Setup shared by the governance suites (issue 26: business metadata,
// search, access requests, dashboard and settings): a server with auth
// on, tenants with their admins, tenant users with grants, a catalog
// with a namespace, a table, a view and generic assets.
import assert from 'node:assert/strict';
import path from 'node:path';
import { basic, startServer } from './server.js';
import { uniq } from './expect.js';

export const PW = 'Str0ng-Passw0rd-for-tests';
export const root = { authorization: basic() };
export const SCHEMA = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', required: false, type: 'long' }] };

export async function startAuthServer(opts = {}) {
  return startServer({ root: true, noAuth: false, ...opts, env: { PANGOLIN_AUTH_RATE_LIMIT: '0', ...opts.env } });
}

/** A request that must answer one of status; returns the JSON. */
export function okFor(srv) {
  return async (method, p, body, headers = root, status = [200, 201, 204]) => {
    const r = await srv.req(method, p, { body, headers });
    assert.ok([].concat(status).includes(r.status), `${method} ${p}: ${r.status} ${r.text}`);
    return r.json;
  };
}

/** A tenant with its admin: { id, admin (headers), adminId }. */
export async function tenantWithAdmin(srv, tag) {
  const ok = okFor(srv);
  const t = {};
  t.id = (await ok('POST', '/api/v1/tenants', { name: uniq(`gov-${tag}`) })).id;
  const name = uniq(`admin-${tag}`);
  t.adminId = (await ok('POST', '/api/v1/users', { username: name, password: PW, tenant_id: t.id, role: 'tenant-admin' })).id;
  const login = await ok('POST', '/api/v1/users/login', { username: name, password: PW, 'tenant-id': t.id });
  t.admin = { authorization: `Bearer ${login.token}` };
  return t;
}

/** A tenant user of t: { id, headers }. */
export async function tenantUser(srv, t, tag) {
  const ok = okFor(srv);
  const username = uniq(tag);
  const u = await ok('POST', '/api/v1/users', { username, password: PW, tenant_id: t.id, role: 'tenant-user' }, t.admin);
  const token = (await ok('POST', '/api/v1/users/login', { username, password: PW, 'tenant-id': t.id })).token;
  return { id: u.id, headers: { authorization: `Bearer ${token}` } };
}

/** Grant u actions on scope (admin of t). */
export async function grant(srv, t, u, scope, actions) {
  return okFor(srv)('POST', '/api/v1/permissions', { 'user-id': u.id, scope, actions }, t.admin);
}

/**
 * A catalog of t on a warehouse of its own, with namespace ns holding a
 * table `tbl`, a view `vw` and a generic asset `gen` (DELTA_TABLE):
 * { name, id, storage, ns, tableId, viewId, genId }.
 */
export async function catalogOf(srv, t, ns = 'ns') {
  const ok = okFor(srv);
  const wh = uniq('wh');
  await ok('POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 'local', root: path.join(srv.tenantDir(t.id), wh) } }, t.admin);
  const name = uniq('cat');
  const c = await ok('POST', '/api/v1/catalogs', { name, warehouse_name: wh }, t.admin);
  await ok('POST', `/v1/${name}/namespaces`, { namespace: [ns] }, t.admin);
  const tbl = await ok('POST', `/v1/${name}/namespaces/${ns}/tables`, { name: 'tbl', schema: SCHEMA }, t.admin);
  await ok('POST', `/v1/${name}/namespaces/${ns}/views`, {
    name: 'vw', schema: SCHEMA, 'view-version': { 'version-id': 1, 'timestamp-ms': 1, 'schema-id': 0, summary: {}, 'default-namespace': [ns], representations: [{ type: 'sql', sql: 'select 1', dialect: 'spark' }] },
  }, t.admin);
  const gen = await ok('POST', `/api/v1/catalogs/${name}/namespaces/${ns}/assets`, { name: 'gen', kind: 'DELTA_TABLE', location: `${c.storage_location}/${ns}/gen` }, t.admin);
  const list = await ok('GET', `/api/v1/catalogs/${name}/namespaces/${ns}/assets`, undefined, t.admin);
  const idOf = (n) => list.find((a) => a.name === n).id;
  assert.equal(idOf('tbl'), tbl.metadata['table-uuid']);
  return { name, id: c.id, storage: c.storage_location, ns, tableId: idOf('tbl'), viewId: idOf('vw'), genId: gen.id };
}

/** Business metadata of asset id (admin headers h). */
export function describe(srv, id, body, h) {
  return okFor(srv)('POST', `/api/v1/assets/${id}/metadata`, { tags: [], properties: {}, discoverable: false, ...body }, h);
}
