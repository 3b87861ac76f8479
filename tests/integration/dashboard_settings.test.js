// The dashboard's counts, per-tenant settings with a sealed SMTP password,
// bulk delete of assets and name validation (pangolin-api.md §2.10,
// §2.11; issue 26).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { STORE } from './lib/server.js';
import { expectError, expectJson, expectList, uniq } from './lib/expect.js';
import { catalogOf, describe, grant, okFor, root, startAuthServer, tenantUser, tenantWithAdmin } from './lib/governance.js';

const KEY = Buffer.alloc(32, 7).map((b, i) => (b + i * 13) & 0xff).toString('base64');
let srv, ok, A, B, cat;
before(async () => {
  srv = await startAuthServer({ env: { PANGOLIN_ENCRYPTION_KEY: KEY } });
  ok = okFor(srv);
  A = await tenantWithAdmin(srv, 'a');
  B = await tenantWithAdmin(srv, 'b');
  cat = await catalogOf(srv, A);
});
after(async () => { await srv?.stop(); });

const stats = (h) => srv.req('GET', '/api/v1/dashboard/stats', { headers: h });
const KEYS = ['branches_count', 'catalogs_count', 'namespaces_count', 'scope', 'tables_count', 'tenants_count', 'users_count', 'views_count', 'warehouses_count'];

test('the dashboard counts for real: a tenant admin its tenant, users and branches included', async () => {
  const t = await tenantWithAdmin(srv, 'dash');
  const c = await catalogOf(srv, t);
  await ok('POST', '/api/v1/branches', { name: 'dev', catalog: c.name, branch_type: 'ingest' }, t.admin);
  await tenantUser(srv, t, 'u1');
  const s = expectJson(await stats(t.admin), 200);
  assert.deepEqual(Object.keys(s).sort(), KEYS);
  assert.deepEqual(s, { catalogs_count: 1, tables_count: 1, views_count: 1, namespaces_count: 2, users_count: 2, warehouses_count: 1, branches_count: 2, tenants_count: 1, scope: 'tenant' });
  // Root names the tenant: the same; without, the whole system.
  assert.deepEqual(expectJson(await stats({ ...root, 'x-pangolin-tenant': t.id }), 200), s);
  const sys = expectJson(await stats(root), 200);
  assert.equal(sys.scope, 'system');
  assert.ok(sys.tenants_count >= 4 && sys.catalogs_count >= 2 && sys.branches_count >= 3, JSON.stringify(sys));
});

test('a tenant user\'s dashboard counts what it may see', async () => {
  const t = await tenantWithAdmin(srv, 'udash');
  const c1 = await catalogOf(srv, t, 'one');
  const c2 = await catalogOf(srv, t, 'two');
  await ok('POST', `/v1/${c2.name}/namespaces`, { namespace: ['hidden'] }, t.admin);
  const u = await tenantUser(srv, t, 'viewer');
  assert.deepEqual(expectJson(await stats(u.headers), 200), { catalogs_count: 0, tables_count: 0, views_count: 0, namespaces_count: 0, users_count: 1, warehouses_count: 0, branches_count: 0, tenants_count: 1, scope: 'user' });
  await grant(srv, t, u, { type: 'catalog', catalog_id: c1.id }, ['read']);
  await grant(srv, t, u, { type: 'namespace', catalog_id: c2.id, namespace: 'two' }, ['read']);
  const s = expectJson(await stats(u.headers), 200);
  assert.equal(s.scope, 'user');
  assert.equal(s.catalogs_count, 2);
  assert.equal(s.namespaces_count, 3, 'default and one of c1, two of c2');
  assert.equal(s.tables_count, 2);
  assert.equal(s.views_count, 2);
  assert.equal(s.branches_count, 2);
});

test('settings: defaults until a PUT, which replaces the whole object; tenants apart', async () => {
  const t = await tenantWithAdmin(srv, 'set');
  assert.deepEqual(expectJson(await srv.req('GET', '/api/v1/config/settings', { headers: t.admin }), 200), {
    allow_public_signup: false, default_warehouse_bucket: null, default_retention_days: 30, smtp_host: null, smtp_port: null, smtp_user: null, smtp_password: null,
  });
  const body = { allow_public_signup: true, default_warehouse_bucket: 'lake', default_retention_days: 7, smtp_host: 'smtp.example.com', smtp_port: 587, smtp_user: 'mailer', smtp_password: 'Sm7p-secret!' };
  const put = expectJson(await srv.req('PUT', '/api/v1/config/settings', { body, headers: t.admin }), 200);
  assert.deepEqual(put, { ...body, smtp_password: '********' });
  assert.deepEqual(expectJson(await srv.req('GET', '/api/v1/config/settings', { headers: t.admin }), 200), put);
  // Missing fields become null.
  const partial = expectJson(await srv.req('PUT', '/api/v1/config/settings', { body: { smtp_host: 'mx' }, headers: t.admin }), 200);
  assert.equal(partial.smtp_user, null);
  assert.equal(partial.smtp_password, null);
  assert.equal(partial.allow_public_signup, null);
  // Another tenant's settings are its own.
  assert.equal(expectJson(await srv.req('GET', '/api/v1/config/settings', { headers: B.admin }), 200).smtp_host, null);
  assert.equal(expectJson(await srv.req('GET', '/api/v1/config/settings', { headers: { ...root, 'x-pangolin-tenant': t.id } }), 200).smtp_host, 'mx');
});

test('the SMTP password is sealed at rest, masked, and kept when the mask comes back', async () => {
  const t = await tenantWithAdmin(srv, 'seal');
  const body = { smtp_host: 'smtp.example.com', smtp_password: 'Very-Secret-Pw-42' };
  expectJson(await srv.req('PUT', '/api/v1/config/settings', { body, headers: t.admin }), 200);
  if (STORE === 'sqlite') {
    const wal = `${srv.dbPath}-wal`;
    const db = Buffer.concat([fs.readFileSync(srv.dbPath), fs.existsSync(wal) ? fs.readFileSync(wal) : Buffer.alloc(0)]);
    assert.equal(db.indexOf('Very-Secret-Pw-42'), -1, 'the password is not in the database file');
    assert.ok(db.indexOf('enc:v1:') >= 0, 'a sealed value is');
  }
  const kept = expectJson(await srv.req('PUT', '/api/v1/config/settings', { body: { ...body, smtp_port: 25, smtp_password: '********' }, headers: t.admin }), 200);
  assert.equal(kept.smtp_password, '********');
  assert.equal(kept.smtp_port, 25);
  // Mask with nothing stored, or a value posing as sealed: 400.
  const u = await tenantWithAdmin(srv, 'seal2');
  expectError(await srv.req('PUT', '/api/v1/config/settings', { body: { smtp_password: '********' }, headers: u.admin }), 400);
  expectError(await srv.req('PUT', '/api/v1/config/settings', { body: { smtp_password: 'enc:v1:abc' }, headers: u.admin }), 400);
});

test('settings: admins only; bodies checked (unknown field, wrong type, ranges 422; malformed 400)', async () => {
  const u = await tenantUser(srv, A, 'nosettings');
  expectError(await srv.req('GET', '/api/v1/config/settings', { headers: u.headers }), 403);
  expectError(await srv.req('PUT', '/api/v1/config/settings', { body: {}, headers: u.headers }), 403);
  for (const body of [{ smtp: 'x' }, { smtp_port: '25' }, { smtp_port: 70000 }, { default_retention_days: -1 }, { allow_public_signup: 1 }, { smtp_host: 'h'.repeat(1025) }]) {
    expectError(await srv.req('PUT', '/api/v1/config/settings', { body, headers: A.admin }), 422);
  }
  expectError(await srv.req('PUT', '/api/v1/config/settings', { body: '{', headers: { ...A.admin, 'content-type': 'application/json' } }), 400);
});

test('bulk delete: each asset authorized and committed on its branch; missing and forbidden ones fail alone', async () => {
  const c = await catalogOf(srv, A, 'bulk');
  const u = await tenantUser(srv, A, 'bulker');
  await grant(srv, A, u, { type: 'catalog', catalog_id: c.id }, ['read']);
  await grant(srv, A, u, { type: 'asset', catalog_id: c.id, namespace: 'bulk', asset_id: c.genId }, ['delete']);
  const r = expectJson(await srv.req('POST', '/api/v1/bulk/assets/delete', { body: { asset_ids: [c.genId, c.tableId, cat.viewId, 'nope'] }, headers: u.headers }), 200);
  assert.equal(r.succeeded, 1);
  assert.equal(r.failed, 3);
  assert.deepEqual(r.errors, [`${c.tableId}: forbidden`, `${cat.viewId}: not found`, 'nope: not found']);
  const left = expectList(await srv.req('GET', `/api/v1/catalogs/${c.name}/namespaces/bulk/assets`, { headers: A.admin })).items.map((i) => i.name);
  assert.deepEqual(left, ['tbl', 'vw']);
  const commits = expectList(await srv.req('GET', `/api/v1/branches/main/commits?catalog=${c.name}`, { headers: A.admin })).items;
  assert.equal(commits[0].message, 'Delete DELTA_TABLE bulk.gen');
  assert.deepEqual(commits[0].operations, [{ Delete: { name: 'gen', namespace: ['bulk'] } }]);
  // An admin deletes a table and a view at once; each its own commit.
  const all = expectJson(await srv.req('POST', '/api/v1/bulk/assets/delete', { body: { asset_ids: [c.tableId, c.viewId] }, headers: A.admin }), 200);
  assert.deepEqual(all, { succeeded: 2, failed: 0, errors: [] });
  expectError(await srv.req('GET', `/v1/${c.name}/namespaces/bulk/tables/tbl`, { headers: A.admin }), 404, { iceberg: true });
  const events = await ok('GET', '/api/v1/audit?action=delete_asset', undefined, A.admin);
  assert.ok(events.some((e) => e.resource_id === c.tableId));
});

test('bulk delete bounds: at most 100 ids (400), bodies checked (422), another tenant\'s ids are not found', async () => {
  const ids = Array.from({ length: 101 }, (_, i) => `id-${i}`);
  expectError(await srv.req('POST', '/api/v1/bulk/assets/delete', { body: { asset_ids: ids }, headers: A.admin }), 400, { message: /100/ });
  expectError(await srv.req('POST', '/api/v1/bulk/assets/delete', { body: { asset_ids: 'x' }, headers: A.admin }), 422);
  expectError(await srv.req('POST', '/api/v1/bulk/assets/delete', { body: { ids: [] }, headers: A.admin }), 422);
  const r = expectJson(await srv.req('POST', '/api/v1/bulk/assets/delete', { body: { asset_ids: [cat.tableId] }, headers: B.admin }), 200);
  assert.deepEqual(r, { succeeded: 0, failed: 1, errors: [`${cat.tableId}: not found`] });
  expectJson(await srv.req('GET', `/v1/${cat.name}/namespaces/${cat.ns}/tables/tbl`, { headers: A.admin }), 200);
  assert.deepEqual(expectJson(await srv.req('POST', '/api/v1/bulk/assets/delete', { body: { asset_ids: [] }, headers: A.admin }), 200), { succeeded: 0, failed: 0, errors: [] });
});

test('name validation: availability of catalog and warehouse names, with the reason', async () => {
  const free = uniq('free');
  const r = expectJson(await srv.req('POST', '/api/v1/validate/names', { body: { resource_type: 'catalog', names: [cat.name, free, 'a/b', ''] }, headers: A.admin }), 200);
  assert.deepEqual(r.results.map((x) => [x.name, x.available]), [[cat.name, false], [free, true], ['a/b', false], ['', false]]);
  assert.match(r.results[0].reason, /exists/);
  assert.equal(r.results[1].reason, null);
  assert.match(r.results[2].reason, /\//);
  // Another tenant's names are free here.
  assert.equal(expectJson(await srv.req('POST', '/api/v1/validate/names', { body: { resource_type: 'catalog', names: [cat.name] }, headers: B.admin }), 200).results[0].available, true);
  const whs = await ok('GET', '/api/v1/warehouses', undefined, A.admin);
  assert.equal(expectJson(await srv.req('POST', '/api/v1/validate/names', { body: { resource_type: 'warehouse', names: [whs[0].name] }, headers: A.admin }), 200).results[0].available, false);
  expectError(await srv.req('POST', '/api/v1/validate/names', { body: { resource_type: 'table', names: [] }, headers: A.admin }), 422);
  expectError(await srv.req('POST', '/api/v1/validate/names', { body: { resource_type: 'catalog', names: Array(101).fill('x') }, headers: A.admin }), 400);
  const u = await tenantUser(srv, A, 'novalidate');
  expectError(await srv.req('POST', '/api/v1/validate/names', { body: { resource_type: 'catalog', names: ['x'] }, headers: u.headers }), 403);
});

test('the description of a deleted asset leaves search at once (no orphans in the index)', async () => {
  const c = await catalogOf(srv, A, 'idx');
  await describe(srv, c.genId, { description: 'zebra stripes unique words' }, A.admin);
  assert.equal(expectList(await srv.req('GET', '/api/v1/assets/search?query=zebra%20stripes', { headers: A.admin })).total, 1);
  expectJson(await srv.req('POST', '/api/v1/bulk/assets/delete', { body: { asset_ids: [c.genId] }, headers: A.admin }), 200);
  assert.equal(expectList(await srv.req('GET', '/api/v1/assets/search?query=zebra%20stripes', { headers: A.admin })).total, 0);
});
