// Access requests (pangolin-api.md §2.10; issue 26): a user asks for read
// on an asset it found; admins review; approving grants read on the
// asset in the review's own transaction; audited; tenants apart.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, test } from 'node:test';
import { expectError, expectJson, expectList, UUID_RE } from './lib/expect.js';
import { catalogOf, describe, okFor, root, startAuthServer, tenantUser, tenantWithAdmin } from './lib/governance.js';

let srv, ok, A, B, cat;
before(async () => {
  srv = await startAuthServer();
  ok = okFor(srv);
  A = await tenantWithAdmin(srv, 'a');
  B = await tenantWithAdmin(srv, 'b');
  cat = await catalogOf(srv, A);
  await describe(srv, cat.tableId, { description: 'orders', discoverable: true }, A.admin);
  await describe(srv, cat.genId, { discoverable: true }, A.admin);
});
after(async () => { await srv?.stop(); });

const ask = (id, h, body = { reason: 'quarterly report' }) => srv.req('POST', `/api/v1/assets/${id}/access-requests`, { body, headers: h });
const review = (id, body, h = A.admin) => srv.req('PUT', `/api/v1/access-requests/${id}`, { body, headers: h });
const tbl = () => `/v1/${cat.name}/namespaces/${cat.ns}/tables/tbl`;

test('create is 201 AccessRequest (kebab-case), pending', async () => {
  const u = await tenantUser(srv, A, 'asker');
  const q = expectJson(await ask(cat.tableId, u.headers), 201);
  assert.match(q.id, UUID_RE);
  assert.equal(q['tenant-id'], A.id);
  assert.equal(q['user-id'], u.id);
  assert.equal(q['asset-id'], cat.tableId);
  assert.equal(q.reason, 'quarterly report');
  assert.equal(q.status, 'pending');
  assert.match(q['requested-at'], /^\d{4}-\d\d-\d\dT/);
  assert.equal(q['reviewed-by'], null);
  assert.equal(q['reviewed-at'], null);
  assert.equal(q['review-comment'], null);
  assert.deepEqual(expectJson(await srv.req('GET', `/api/v1/access-requests/${q.id}`, { headers: u.headers }), 200), q);
  assert.equal(expectJson(await ask(cat.tableId, u.headers, {}), 201).reason, null);
});

test('approving grants read on the asset at once; the request records the review, once', async () => {
  const u = await tenantUser(srv, A, 'approved');
  expectError(await srv.req('GET', tbl(), { headers: u.headers }), 403, { iceberg: true });
  const q = expectJson(await ask(cat.tableId, u.headers), 201);
  const done = expectJson(await review(q.id, { status: 'approved', comment: 'ok for Q3' }), 200);
  assert.equal(done.status, 'approved');
  assert.equal(done['reviewed-by'], A.adminId);
  assert.equal(done['review-comment'], 'ok for Q3');
  assert.match(done['reviewed-at'], /^\d{4}-/);
  for (let i = 0; i < 4; i++) assert.equal((await srv.req('GET', tbl(), { headers: u.headers })).status, 200);
  expectError(await srv.req('DELETE', tbl(), { headers: u.headers }), 403, { iceberg: true });
  const perms = await ok('GET', '/api/v1/permissions', undefined, u.headers);
  assert.equal(perms.length, 1);
  assert.deepEqual(perms[0].scope, { type: 'asset', catalog_id: cat.id, namespace: cat.ns, asset_id: cat.tableId });
  assert.deepEqual(perms[0].actions, ['read']);
  expectError(await review(q.id, { status: 'rejected' }), 409, { message: /already reviewed/ });
  // Audited: the review and the grant.
  const events = await ok('GET', '/api/v1/audit?action=review_access_request', undefined, A.admin);
  assert.ok(events.some((e) => e.resource_id === q.id && e.result === 'success'));
  const grants = await ok('GET', '/api/v1/audit?action=grant_permission', undefined, A.admin);
  assert.ok(grants.some((e) => e.resource_name === u.id));
});

test('rejecting grants nothing', async () => {
  const u = await tenantUser(srv, A, 'rejected');
  const q = expectJson(await ask(cat.genId, u.headers), 201);
  assert.equal(expectJson(await review(q.id, { status: 'rejected', comment: 'no' }), 200).status, 'rejected');
  assert.deepEqual(await ok('GET', '/api/v1/permissions', undefined, u.headers), []);
  expectError(await srv.req('GET', `/api/v1/catalogs/${cat.name}/namespaces/${cat.ns}/assets/gen`, { headers: u.headers }), 403);
});

test('reviews: only admins; pending is 400, other values 422, an unknown request 404', async () => {
  const u = await tenantUser(srv, A, 'rules');
  const q = expectJson(await ask(cat.tableId, u.headers), 201);
  expectError(await review(q.id, { status: 'approved' }, u.headers), 403);
  expectError(await review(q.id, { status: 'pending' }), 400);
  expectError(await review(q.id, { status: 'maybe' }), 422);
  expectError(await review(q.id, { status: 'approved', extra: 1 }), 422);
  expectError(await review(q.id, {}), 422);
  expectError(await review('6f1c1b9e-5f0e-4d7b-9c1a-2b3c4d5e6f70', { status: 'approved' }), 404);
  const raw = await srv.req('PUT', `/api/v1/access-requests/${q.id}`, { body: '{"status":', headers: { ...A.admin, 'content-type': 'application/json' } });
  expectError(raw, 400);
});

/** An answer as the client sees it, but for its request id (and the clock). */
const shape = (r) => {
  const { 'x-request-id': _id, date: _date, ...headers } = r.headers;
  return { status: r.status, headers, text: r.text };
};

test('an asset of the caller\'s tenant that it cannot see answers a request exactly as a random id does (404, byte for byte): its existence does not leak', async () => {
  const u = await tenantUser(srv, A, 'hidden');
  const missing = crypto.randomUUID();
  const bodies = [{ reason: 'need it' }, {}, { reason: 42 }, { reason: 'x', why: 'y' }];
  for (const body of bodies) {
    const hidden = await ask(cat.viewId, u.headers, body);
    const none = await ask(missing, u.headers, body);
    assert.notEqual(hidden.status, 403, JSON.stringify(body));
    assert.deepEqual(shape(hidden), shape(none), JSON.stringify(body));
  }
  expectError(await ask(cat.viewId, u.headers), 404, { message: /^Asset not found$/ });
  // The asset's other routes by id say the same.
  for (const p of ['', '/metadata']) {
    const hidden = await srv.req('GET', `/api/v1/assets/${cat.viewId}${p}`, { headers: u.headers });
    const none = await srv.req('GET', `/api/v1/assets/${missing}${p}`, { headers: u.headers });
    assert.deepEqual(shape(hidden), shape(none), p);
  }
  // Nothing was recorded for the hidden asset.
  assert.ok(!(await ok('GET', '/api/v1/access-requests', undefined, A.admin)).some((q) => q['user-id'] === u.id));
});

test('a request needs an asset the caller sees; bad bodies 422', async () => {
  const u = await tenantUser(srv, A, 'badbody');
  expectError(await ask('6f1c1b9e-5f0e-4d7b-9c1a-2b3c4d5e6f70', u.headers), 404);
  expectError(await ask(cat.tableId, u.headers, { reason: 42 }), 422);
  expectError(await ask(cat.tableId, u.headers, { reason: 'x', why: 'y' }), 422);
  expectError(await ask(cat.tableId, u.headers, { reason: 'r'.repeat(4097) }), 422);
});

test('lists: admins see the tenant\'s, users their own (another\'s answers 404), newest first, paged', async () => {
  const u1 = await tenantUser(srv, A, 'list1');
  const u2 = await tenantUser(srv, A, 'list2');
  const a = expectJson(await ask(cat.tableId, u1.headers), 201);
  const b = expectJson(await ask(cat.genId, u1.headers), 201);
  const c = expectJson(await ask(cat.tableId, u2.headers), 201);
  const mine = expectList(await srv.req('GET', '/api/v1/access-requests', { headers: u1.headers }));
  assert.deepEqual(mine.items.map((x) => x.id), [b.id, a.id]);
  assert.equal(mine.total, 2);
  expectError(await srv.req('GET', `/api/v1/access-requests/${c.id}`, { headers: u1.headers }), 404);
  const all = expectList(await srv.req('GET', '/api/v1/access-requests?limit=1', { headers: A.admin }));
  assert.equal(all.items.length, 1);
  assert.equal(all.items[0].id, c.id);
  assert.ok(all.total >= 3);
  expectError(await srv.req('GET', '/api/v1/access-requests?limit=x', { headers: A.admin }), 400);
});

test('tenants apart: another tenant\'s requests answer like missing ones and never list', async () => {
  const u = await tenantUser(srv, A, 'apart');
  const q = expectJson(await ask(cat.tableId, u.headers), 201);
  const theirs = await srv.req('GET', `/api/v1/access-requests/${q.id}`, { headers: B.admin });
  const none = await srv.req('GET', '/api/v1/access-requests/6f1c1b9e-5f0e-4d7b-9c1a-2b3c4d5e6f70', { headers: B.admin });
  assert.equal(theirs.status, 404);
  assert.equal(theirs.text, none.text);
  expectError(await review(q.id, { status: 'approved' }, B.admin), 404);
  assert.ok(!expectList(await srv.req('GET', '/api/v1/access-requests', { headers: B.admin })).items.some((x) => x.id === q.id));
  expectError(await ask(cat.tableId, B.admin), 404);
  // Root acts in a tenant it names.
  const asRoot = expectList(await srv.req('GET', '/api/v1/access-requests', { headers: { ...root, 'x-pangolin-tenant': A.id } }));
  assert.ok(asRoot.items.some((x) => x.id === q.id));
});

test('deleting the asset takes its requests with it', async () => {
  const c = await catalogOf(srv, A, 'tmp');
  await describe(srv, c.genId, { discoverable: true }, A.admin);
  const u = await tenantUser(srv, A, 'orphan');
  const q = expectJson(await ask(c.genId, u.headers), 201);
  const del = expectJson(await srv.req('POST', '/api/v1/bulk/assets/delete', { body: { asset_ids: [c.genId] }, headers: A.admin }), 200);
  assert.equal(del.succeeded, 1);
  expectError(await srv.req('GET', `/api/v1/access-requests/${q.id}`, { headers: A.admin }), 404);
  // And deleting the catalog, those of its assets.
  await describe(srv, c.tableId, { discoverable: true }, A.admin);
  const q2 = expectJson(await ask(c.tableId, u.headers, {}), 201);
  await ok('DELETE', `/api/v1/catalogs/${c.name}`, undefined, A.admin);
  expectError(await srv.req('GET', `/api/v1/access-requests/${q2.id}`, { headers: A.admin }), 404);
});
