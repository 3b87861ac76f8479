// Business metadata (pangolin-api.md §2.10; issue 26): description,
// tags, properties and discoverable of tables, views and generic assets;
// tag-scoped grants now match; discoverable needs manage-discovery.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { expectError, expectJson, UUID_RE } from './lib/expect.js';
import { catalogOf, describe, grant, okFor, startAuthServer, tenantUser, tenantWithAdmin } from './lib/governance.js';

let srv, ok, A, B, cat;
before(async () => {
  srv = await startAuthServer();
  ok = okFor(srv);
  A = await tenantWithAdmin(srv, 'a');
  B = await tenantWithAdmin(srv, 'b');
  cat = await catalogOf(srv, A);
});
after(async () => { await srv?.stop(); });

const md = (id, h = A.admin) => srv.req('GET', `/api/v1/assets/${id}/metadata`, { headers: h });
const put = (id, body, h = A.admin) => srv.req('POST', `/api/v1/assets/${id}/metadata`, { body, headers: h });
const full = { description: 'Orders, one row per order', tags: ['pii', 'finance'], properties: { owner: { team: 'sales' }, sla: 24 }, discoverable: false };

test('upsert is 200 {"metadata": BusinessMetadata (kebab-case)} on a table, a view and a generic asset; GET and the alias read it', async () => {
  for (const id of [cat.tableId, cat.viewId, cat.genId]) {
    const m = expectJson(await put(id, full), 200).metadata;
    assert.match(m.id, UUID_RE);
    assert.equal(m['asset-id'], id);
    assert.equal(m.description, full.description);
    assert.deepEqual(m.tags, full.tags);
    assert.deepEqual(m.properties, full.properties);
    assert.equal(m.discoverable, false);
    assert.equal(m['created-by'], A.adminId);
    assert.equal(m['updated-by'], A.adminId);
    assert.match(m['created-at'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(expectJson(await md(id), 200), { metadata: m });
    assert.deepEqual(expectJson(await srv.req('GET', `/api/v1/business-metadata/${id}`, { headers: A.admin }), 200), { metadata: m });
  }
});

test('a second upsert replaces the content and keeps id and creation; tags are kept once each', async () => {
  const first = expectJson(await put(cat.genId, full), 200).metadata;
  const again = expectJson(await put(cat.genId, { tags: ['b', 'a', 'b'], properties: {}, discoverable: false }), 200).metadata;
  assert.equal(again.id, first.id);
  assert.equal(again['created-at'], first['created-at']);
  assert.equal(again.description, null);
  assert.deepEqual(again.tags, ['b', 'a']);
  assert.deepEqual(again.properties, {});
});

test('delete is 204 and GET is then 404; the alias deletes too; an unknown asset is 404', async () => {
  expectJson(await put(cat.viewId, full), 200);
  assert.equal((await srv.req('DELETE', `/api/v1/assets/${cat.viewId}/metadata`, { headers: A.admin })).status, 204);
  expectError(await md(cat.viewId), 404, { message: /Business metadata not found/ });
  assert.equal((await srv.req('DELETE', `/api/v1/business-metadata/${cat.viewId}`, { headers: A.admin })).status, 204);
  expectError(await md('6f1c1b9e-5f0e-4d7b-9c1a-2b3c4d5e6f70'), 404, { message: /Asset not found/ });
  expectError(await put('6f1c1b9e-5f0e-4d7b-9c1a-2b3c4d5e6f70', full), 404);
  expectError(await srv.req('DELETE', '/api/v1/assets/nope/metadata', { headers: A.admin }), 404);
});

test('bodies are checked: malformed JSON 400; unknown or missing fields, wrong types, bad tags, oversized values 422', async () => {
  const raw = await srv.req('POST', `/api/v1/assets/${cat.genId}/metadata`, { body: '{"tags": [', headers: { ...A.admin, 'content-type': 'application/json' } });
  expectError(raw, 400);
  const bad = [
    { ...full, owner: 'x' }, { ...full, tags: 'pii' }, { ...full, tags: [1] }, { ...full, discoverable: 'yes' },
    { ...full, properties: [] }, { tags: [], properties: {} }, { tags: [], discoverable: false },
    { ...full, tags: [''] }, { ...full, tags: ['a,b'] }, { ...full, tags: ['#pii'] }, { ...full, tags: ['a\u0001b'] },
    { ...full, tags: ['x'.repeat(256)] }, { ...full, tags: Array.from({ length: 65 }, (_, i) => `t${i}`) },
    { ...full, description: 'd'.repeat(4097) }, { ...full, properties: { big: 'x'.repeat(70000) } },
  ];
  for (const body of bad) {
    const r = await put(cat.genId, body);
    assert.equal(r.status, 422, `${JSON.stringify(body).slice(0, 80)}: ${r.status} ${r.text}`);
  }
  // Odd but valid tags: spaces, quotes, '#' inside, non-ASCII.
  const odd = ['customer data', 'say "hi"', 'c#', 'データ', "it's"];
  assert.deepEqual(expectJson(await put(cat.genId, { ...full, tags: odd }), 200).metadata.tags, odd);
});

test('discoverable: true needs manage-discovery on the catalog; update alone changes the rest', async () => {
  const steward = await tenantUser(srv, A, 'steward');
  await grant(srv, A, steward, { type: 'catalog', catalog_id: cat.id }, ['update']);
  expectJson(await put(cat.tableId, { ...full, discoverable: false }, steward.headers), 200);
  expectError(await put(cat.tableId, { ...full, discoverable: true }, steward.headers), 403, { message: /manage-discovery/ });
  await grant(srv, A, steward, { type: 'catalog', catalog_id: cat.id }, ['manage-discovery']);
  assert.equal(expectJson(await put(cat.tableId, { ...full, discoverable: true }, steward.headers), 200).metadata.discoverable, true);
  const reader = await tenantUser(srv, A, 'reader');
  await grant(srv, A, reader, { type: 'catalog', catalog_id: cat.id }, ['read']);
  expectError(await put(cat.tableId, full, reader.headers), 403);
  expectError(await srv.req('DELETE', `/api/v1/assets/${cat.tableId}/metadata`, { headers: reader.headers }), 403);
  expectJson(await put(cat.tableId, { ...full, discoverable: false }), 200);
});

test('tag-scoped grants match the asset\'s tags: a table, a view and a generic asset, at once when tags change', async () => {
  const u = await tenantUser(srv, A, 'tagged');
  await grant(srv, A, u, { type: 'tag', tag_name: 'gold' }, ['read']);
  const tbl = `/v1/${cat.name}/namespaces/${cat.ns}/tables/tbl`;
  const gen = `/api/v1/catalogs/${cat.name}/namespaces/${cat.ns}/assets/gen`;
  expectError(await srv.req('GET', tbl, { headers: u.headers }), 403, { iceberg: true });
  expectError(await srv.req('GET', gen, { headers: u.headers }), 403);
  await describe(srv, cat.tableId, { tags: ['gold'] }, A.admin);
  await describe(srv, cat.genId, { tags: ['silver', 'gold'] }, A.admin);
  for (let i = 0; i < 4; i++) {
    assert.equal((await srv.req('GET', tbl, { headers: u.headers })).status, 200);
    assert.equal((await srv.req('GET', gen, { headers: u.headers })).status, 200);
  }
  // read, not delete: the grant carries read only.
  expectError(await srv.req('DELETE', tbl, { headers: u.headers }), 403, { iceberg: true });
  // Its metadata is readable to it; the untagged view's is not there for
  // it (an asset by id it does not see answers as a missing one).
  expectJson(await md(cat.tableId, u.headers), 200);
  expectError(await md(cat.viewId, u.headers), 404);
  // Untagging takes the access away on the next request.
  await describe(srv, cat.tableId, { tags: ['bronze'] }, A.admin);
  for (let i = 0; i < 4; i++) assert.equal((await srv.req('GET', tbl, { headers: u.headers })).status, 403);
  await describe(srv, cat.genId, { tags: [] }, A.admin);
  assert.equal((await srv.req('GET', gen, { headers: u.headers })).status, 403);
});

test('a discoverable asset is seen (by id, its metadata) by any user of the tenant, not read; undiscoverable again, it is missing to them', async () => {
  const u = await tenantUser(srv, A, 'nobody');
  expectError(await srv.req('GET', `/api/v1/assets/${cat.viewId}`, { headers: u.headers }), 404);
  await describe(srv, cat.viewId, { description: 'a view for all', discoverable: true }, A.admin);
  const got = expectJson(await srv.req('GET', `/api/v1/assets/${cat.viewId}`, { headers: u.headers }), 200);
  assert.equal(got.asset.id, cat.viewId);
  assert.equal(got.asset.kind, 'VIEW');
  assert.equal(got.metadata.description, 'a view for all');
  assert.equal(got.catalog, cat.name);
  assert.deepEqual(got.namespace, [cat.ns]);
  expectJson(await md(cat.viewId, u.headers), 200);
  expectError(await srv.req('GET', `/v1/${cat.name}/namespaces/${cat.ns}/views/vw`, { headers: u.headers }), 403, { iceberg: true });
  await describe(srv, cat.viewId, { discoverable: false }, A.admin);
  expectError(await srv.req('GET', `/api/v1/assets/${cat.viewId}`, { headers: u.headers }), 404);
});

test('another tenant\'s asset and metadata answer exactly like missing ones', async () => {
  await describe(srv, cat.genId, full, A.admin);
  const missing = '6f1c1b9e-5f0e-4d7b-9c1a-2b3c4d5e6f70';
  for (const p of ['/api/v1/assets/{}', '/api/v1/assets/{}/metadata', '/api/v1/business-metadata/{}']) {
    const theirs = await srv.req('GET', p.replace('{}', cat.genId), { headers: B.admin });
    const none = await srv.req('GET', p.replace('{}', missing), { headers: B.admin });
    assert.equal(theirs.status, 404);
    assert.equal(theirs.text, none.text);
  }
  expectError(await put(cat.genId, full, B.admin), 404);
  expectError(await srv.req('DELETE', `/api/v1/assets/${cat.genId}/metadata`, { headers: B.admin }), 404);
  expectJson(await md(cat.genId), 200);
});

test('dropping the table takes its metadata: the id answers 404 afterwards', async () => {
  const c = await catalogOf(srv, A, 'gone');
  await describe(srv, c.tableId, full, A.admin);
  await ok('DELETE', `/v1/${c.name}/namespaces/gone/tables/tbl`, undefined, A.admin);
  expectError(await md(c.tableId), 404, { message: /Asset not found/ });
  // Re-created under the same name: a new asset, no metadata.
  const t = await ok('POST', `/v1/${c.name}/namespaces/gone/tables`, { name: 'tbl', schema: { type: 'struct', 'schema-id': 0, fields: [] } }, A.admin);
  expectError(await md(t.metadata['table-uuid']), 404, { message: /Business metadata not found/ });
});

test('upserts and deletes are audited with the asset', async () => {
  await describe(srv, cat.tableId, full, A.admin);
  const events = await ok('GET', `/api/v1/audit?resource_id=${cat.tableId}`, undefined, A.admin);
  const actions = events.map((e) => e.action);
  assert.ok(actions.includes('update_business_metadata'), JSON.stringify(actions));
  assert.equal(events.find((e) => e.action === 'update_business_metadata').resource_type, 'business_metadata');
});
