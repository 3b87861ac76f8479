// The authorization matrix's world (authz_matrix.test.js): two tenants
// whose objects carry names no other object contains (so a body can be
// searched for them), every role the product hands out, the route
// table as the binary declares it (`pangolin --list-rules`), the URL and
// body of each (route, role, target) cell, and a digest of everything a
// refused mutation could have changed.
//
// Tenant A: catalog acat on a local warehouse, namespace ownns (table
// owntbl, view ownview, function ownfn) where the tenant users hold their grants, and
// nbrns (nbrtbl, nbrview, nbrfn) where none does: "another table in the same
// catalog".  A mask policy on owntbl binds the role `bound`.  Tenant B
// has the same shape (bcat, bspace, btable, bview, bfn): "another tenant's".
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { basic, runBinary } from './server.js';
import { uniq } from './expect.js';

export const PW = 'Str0ng-Passw0rd-for-tests';
export const MISSING = '6f1c1b9e-5f0e-4d7b-9c1a-2b3c4d5e6f70';
const R = crypto.randomBytes(4).toString('hex');
/** Every name a body is searched for: a prefix and this run's token. */
export const N = Object.fromEntries(['acat', 'awhse', 'afed', 'ownns', 'owntbl', 'ownview', 'ownfn', 'nbrns', 'nbrtbl', 'nbrview',
  'nbrfn', 'bcat', 'bwhse', 'bfed', 'bspace', 'btable', 'bview', 'bfn', 'gone'].map((p) => [p, `${p}_${R}`]));
export const SEARCH = R;

const SCHEMA = { type: 'struct', 'schema-id': 0, fields: [
  { id: 1, name: 'id', required: true, type: 'long' },
  { id: 2, name: 'email', required: false, type: 'string' },
] };
const viewBody = (name, ns) => ({
  name, schema: SCHEMA, 'view-version': { 'version-id': 1, 'timestamp-ms': 1, 'schema-id': 0, summary: {},
    'default-namespace': [ns], representations: [{ type: 'sql', sql: 'select 1', dialect: 'spark' }] },
});
// A SQL function (issue 70) beside each table and view.
const fnBody = (name) => ({ name, definitions: [{ parameters: [{ name: 'x', type: 'int' }], 'return-type': 'int',
  'function-type': 'udf', versions: [{ representations: [{ type: 'sql', dialect: 'spark', sql: 'x + 1' }] }] }] });

/** The route table as the binary declares it: [{method, path, rule, who, action, scope, audit, flags}]. */
export function routeRules() {
  const r = runBinary(['--list-rules']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/**
 * Both tenants, their objects and a caller of every role: { A, B, as }
 * where as[role] is the role's headers.
 */
export async function buildWorld(srv) {
  const root = { authorization: basic() };
  const ok = async (method, p, body, headers = root, status = [200, 201, 204]) => {
    const r = await srv.req(method, p, { body, headers });
    assert.ok([].concat(status).includes(r.status), `${method} ${p}: ${r.status} ${r.text}`);
    return r.json;
  };
  const login = async (username, tenant) => ({
    authorization: `Bearer ${(await ok('POST', '/api/v1/users/login', { username, password: PW, 'tenant-id': tenant })).token}`,
  });
  const tenant = async (t, tag, names) => {
    t.id = (await ok('POST', '/api/v1/tenants', { name: uniq(`mx-${tag}`) })).id;
    t.adminName = uniq(`mxadmin-${tag}`);
    t.adminId = (await ok('POST', '/api/v1/users', { username: t.adminName, password: PW, tenant_id: t.id, role: 'tenant-admin' })).id;
    t.admin = await login(t.adminName, t.id);
    t.cat = names.cat;
    t.wh = names.wh;
    t.fed = names.fed;
    await ok('POST', '/api/v1/warehouses', { name: t.wh, storage_config: { type: 'local', root: path.join(srv.tenantDir(t.id), t.wh) } }, t.admin);
    t.catId = (await ok('POST', '/api/v1/catalogs', { name: t.cat, warehouse_name: t.wh }, t.admin)).id;
    await ok('POST', '/api/v1/federated-catalogs', { name: t.fed, config: { properties: { uri: 'http://remote.invalid:8181' } } }, t.admin);
    t.objects = {};
    for (const [key, ns, tbl, view, fn] of names.objects) {
      await ok('POST', `/v1/${t.cat}/namespaces`, { namespace: [ns] }, t.admin);
      const made = await ok('POST', `/v1/${t.cat}/namespaces/${ns}/tables`, { name: tbl, schema: SCHEMA }, t.admin);
      await ok('POST', `/v1/${t.cat}/namespaces/${ns}/views`, viewBody(view, ns), t.admin);
      await ok('POST', `/v1/${t.cat}/namespaces/${ns}/functions`, fnBody(fn), t.admin);
      t.objects[key] = { ns, tbl, view, fn, tableId: made.metadata['table-uuid'], location: made.metadata.location,
        metadataLocation: made['metadata-location'] };
    }
    t.role = uniq(`mxbound-${tag}`);
    t.roleId = (await ok('POST', '/api/v1/roles', { name: t.role }, t.admin)).id;
    const o = Object.values(t.objects)[0];
    t.policyId = (await ok('POST', '/api/v1/policies', { name: uniq('mxmask'), catalog: t.cat, namespace: [o.ns], table: o.tbl,
      column: 'email', action: 'mask-alphanum', applies_to: { roles: [t.role] } }, t.admin)).id;
    // A second branch, for the merge preview.
    await ok('POST', '/api/v1/branches', { name: 'dev', catalog: t.cat, from_branch: 'main' }, t.admin);
  };
  const A = {};
  const B = {};
  await tenant(A, 'a', { cat: N.acat, wh: N.awhse, fed: N.afed,
    objects: [['own', N.ownns, N.owntbl, N.ownview, N.ownfn], ['nbr', N.nbrns, N.nbrtbl, N.nbrview, N.nbrfn]] });
  await tenant(B, 'b', { cat: N.bcat, wh: N.bwhse, fed: N.bfed, objects: [['own', N.bspace, N.btable, N.bview, N.bfn]] });

  // Tenant A's callers: grants on namespace ownns only.
  const onOwn = { type: 'namespace', catalog_id: A.catId, namespace: N.ownns };
  const user = async (tag, actions, bound) => {
    const username = uniq(`mx${tag}`);
    const id = (await ok('POST', '/api/v1/users', { username, password: PW, tenant_id: A.id, role: 'tenant-user' }, A.admin)).id;
    let permId;
    if (actions.length) permId = (await ok('POST', '/api/v1/permissions', { 'user-id': id, scope: onOwn, actions }, A.admin)).id;
    if (bound) await ok('POST', `/api/v1/users/${id}/roles`, { 'role-id': A.roleId }, A.admin);
    return { id, permId, headers: await login(username, A.id) };
  };
  const noGrant = await user('none', []);
  const reader = await user('reader', ['read']);
  const writer = await user('writer', ['read', 'write', 'create', 'update', 'delete']);
  const bound = await user('bound', ['read'], true);
  // The trusted engine: a service user the tenant admin marked as one
  // that applies the restrictions it is answered (docs/security.md).
  const engine = await ok('POST', '/api/v1/service-users', { name: uniq('mxengine'), role: 'tenant-user', enforces_read_restrictions: true }, A.admin);
  await ok('POST', '/api/v1/permissions', { 'user-id': engine.id, scope: onOwn, actions: ['read'] }, A.admin);
  await ok('POST', `/api/v1/users/${engine.id}/roles`, { 'role-id': A.roleId }, A.admin);
  A.readerId = reader.id;
  A.permId = reader.permId;
  A.engineId = engine.id;
  // Tenant B's counterparts of the ids A's routes are called with.
  const bUser = await ok('POST', '/api/v1/users', { username: uniq('mxbuser'), password: PW, tenant_id: B.id, role: 'tenant-user' }, B.admin);
  B.readerId = bUser.id;
  B.permId = (await ok('POST', '/api/v1/permissions', { 'user-id': bUser.id, scope: { type: 'catalog', catalog_id: B.catId }, actions: ['read'] }, B.admin)).id;
  B.engineId = (await ok('POST', '/api/v1/service-users', { name: uniq('mxbsu'), role: 'tenant-user' }, B.admin)).id;

  const as = {
    anonymous: {},
    other_admin: B.admin,
    no_grant: noGrant.headers,
    reader: reader.headers,
    writer: writer.headers,
    policy_bound: bound.headers,
    engine: { 'x-api-key': engine.api_key },
    tenant_admin: A.admin,
    root: { ...root, 'x-pangolin-tenant': A.id },
  };
  return { A, B, as };
}

/**
 * What a refused mutation could have changed, read as root: each
 * tenant's catalogs, namespaces, tables (their metadata files), views,
 * warehouses, roles, grants, policies, users and service users.
 */
export async function digest(srv, { A, B }) {
  // As root in the tenant; policies are the tenant admin's alone.
  const get = async (p, tenant) => {
    const t = tenant === A.id ? A : B;
    const headers = p === '/api/v1/policies' ? t.admin : { authorization: basic(), 'x-pangolin-tenant': tenant };
    const r = await srv.req('GET', p, { headers, validate: false });
    return [r.status, r.json];
  };
  const out = {};
  for (const t of [A, B]) {
    const d = {};
    for (const p of ['/api/v1/catalogs', '/api/v1/warehouses', '/api/v1/federated-catalogs', '/api/v1/roles',
      '/api/v1/policies', '/api/v1/service-users', '/api/v1/webhooks', `/api/v1/tenants/${t.id}`]) d[p] = await get(p, t.id);
    const [, users] = await get('/api/v1/users', t.id);
    d.users = (users ?? []).map((u) => ({ id: u.id, username: u.username, role: u.role, active: u.active }));
    for (const u of users ?? []) d[`perms ${u.username}`] = await get(`/api/v1/permissions?user=${u.id}`, t.id);
    d.namespaces = await get(`/v1/${t.cat}/namespaces`, t.id);
    for (const o of Object.values(t.objects)) {
      d[`tables ${o.ns}`] = await get(`/v1/${t.cat}/namespaces/${o.ns}/tables`, t.id);
      d[`views ${o.ns}`] = await get(`/v1/${t.cat}/namespaces/${o.ns}/views`, t.id);
      const [s, tbl] = await get(`/v1/${t.cat}/namespaces/${o.ns}/tables/${o.tbl}`, t.id);
      d[`table ${o.tbl}`] = [s, tbl?.['metadata-location']];
      const [vs, v] = await get(`/v1/${t.cat}/namespaces/${o.ns}/views/${o.view}`, t.id);
      d[`view ${o.view}`] = [vs, v?.['metadata-location']];
      d[`functions ${o.ns}`] = await get(`/v1/${t.cat}/namespaces/${o.ns}/functions`, t.id);
      const [fs, f] = await get(`/v1/${t.cat}/namespaces/${o.ns}/functions/${o.fn}`, t.id);
      d[`function ${o.fn}`] = [fs, f?.['metadata-location']];
    }
    d.branches = await get(`/api/v1/branches?catalog=${t.cat}`, t.id);
    out[t.id] = d;
  }
  return out;
}
