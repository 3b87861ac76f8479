// Discovery search (pangolin-api.md §2.10; issue 26): /assets/search,
// /search/assets and /search, through each store's text index, filtered
// by the caller's grants and by discoverable, tenants apart.  A tag is
// on an asset when it or one of its columns carries it (column tags,
// issue 46), and each asset hit lists its column tags.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { expectError, expectJson, expectList, uniq } from './lib/expect.js';
import { catalogOf, describe, grant, okFor, startAuthServer, tenantUser, tenantWithAdmin } from './lib/governance.js';

let srv, ok, A, B, cat, ids;
const NAMES = ['orders_daily', 'Customer_Orders', 'revenue', '100% "real"', 'hash#name', 'deep_model'];

before(async () => {
  srv = await startAuthServer();
  ok = okFor(srv);
  A = await tenantWithAdmin(srv, 'a');
  B = await tenantWithAdmin(srv, 'b');
  cat = await catalogOf(srv, A, 'sales');
  await ok('POST', `/v1/${cat.name}/namespaces`, { namespace: ['sales', 'eu'] }, A.admin);
  await ok('POST', `/v1/${cat.name}/namespaces`, { namespace: ['hr'] }, A.admin);
  ids = {};
  for (const name of NAMES) {
    const ns = name === 'deep_model' ? 'sales.eu' : name === 'revenue' ? 'hr' : 'sales';
    const a = await ok('POST', `/api/v1/catalogs/${cat.name}/namespaces/${ns}/assets`, { name, kind: name === 'deep_model' ? 'ML_MODEL' : 'PARQUET_TABLE', location: `${cat.storage}/${ns.replace('.', '/')}/x` }, A.admin);
    ids[name] = a.id;
  }
  await describe(srv, ids.revenue, { description: 'Monthly REVENUE by region', tags: ['finance', 'pii'], discoverable: true }, A.admin);
  await describe(srv, ids.orders_daily, { description: 'every order of the day', tags: ['pii'] }, A.admin);
  await describe(srv, cat.tableId, { tags: ['finance'] }, A.admin);
  // Tenant B has a look-alike that A must never find, and B never A's.
  const bc = await catalogOf(srv, B, 'sales');
  await ok('POST', `/api/v1/catalogs/${bc.name}/namespaces/sales/assets`, { name: 'orders_b', kind: 'CSV_TABLE', location: `${bc.storage}/sales/o` }, B.admin);
});
after(async () => { await srv?.stop(); });

const search = (q, h = A.admin, extra = '') => srv.req('GET', `/api/v1/assets/search?query=${encodeURIComponent(q)}${extra}`, { headers: h });
const names = (r) => expectList(r).items.map((i) => i.name);

test('/assets/search: a case-insensitive substring of names and descriptions, each hit in the contract\'s shape', async () => {
  assert.deepEqual(names(await search('orders')), ['Customer_Orders', 'orders_daily']);
  assert.deepEqual(names(await search('ORDER')), ['Customer_Orders', 'orders_daily']);
  const hits = expectList(await search('region')).items;
  assert.equal(hits.length, 1);
  const h = hits[0];
  assert.deepEqual(Object.keys(h).sort(), ['branch', 'catalog', 'column_tags', 'description', 'discoverable', 'has_access', 'id', 'kind', 'location', 'name', 'namespace', 'tags'].sort());
  assert.deepEqual(h.column_tags, []);
  assert.equal(h.id, ids.revenue);
  assert.equal(h.name, 'revenue');
  assert.equal(h.kind, 'PARQUET_TABLE');
  assert.equal(h.description, 'Monthly REVENUE by region');
  assert.deepEqual(h.tags, ['finance', 'pii']);
  assert.equal(h.discoverable, true);
  assert.equal(h.has_access, true);
  assert.equal(h.catalog, cat.name);
  assert.equal(h.namespace, 'hr');
  assert.equal(h.branch, 'main');
  assert.deepEqual(names(await search('model')), ['deep_model']);
  assert.equal(expectList(await search('model')).items[0].namespace, 'sales.eu');
  assert.deepEqual(names(await search('nothing-like-this')), []);
});

test('#tag words and tags=a,b are ALL-of tag filters; both with text', async () => {
  assert.deepEqual(names(await search('#pii')), ['orders_daily', 'revenue']);
  assert.deepEqual(names(await search('#pii #finance')), ['revenue']);
  assert.deepEqual(names(await search('', A.admin, '&tags=pii,finance')), ['revenue']);
  assert.deepEqual(names(await search('#finance')), ['revenue', 'tbl']);
  assert.deepEqual(names(await search('orders #pii')), ['orders_daily']);
  assert.deepEqual(names(await search('#nosuchtag')), []);
  // An empty query lists every asset of main (tables and views too).
  assert.equal(expectList(await search('')).total, NAMES.length + 3);
});

test('quotes, # and % in a query are characters, not syntax', async () => {
  assert.deepEqual(names(await search('100%')), ['100% "real"']);
  assert.deepEqual(names(await search('"real"')), ['100% "real"']);
  assert.deepEqual(names(await search('% "')), ['100% "real"']);
  assert.deepEqual(names(await search('h#n')), ['hash#name']);
  assert.deepEqual(names(await search('#')), ['hash#name']);
  assert.deepEqual(names(await search('_')), ['Customer_Orders', 'deep_model', 'orders_daily']);
  assert.deepEqual(names(await search("o'r")), []);
});

test('bad queries are 400: missing, control bytes, not UTF-8, too long, bad tags', async () => {
  expectError(await srv.req('GET', '/api/v1/assets/search', { headers: A.admin }), 400, { message: /query/ });
  expectError(await srv.req('GET', '/api/v1/assets/search?query=a%01b', { headers: A.admin }), 400);
  expectError(await srv.req('GET', '/api/v1/assets/search?query=%FF%FE', { headers: A.admin }), 400);
  expectError(await search('x'.repeat(1025)), 400);
  expectError(await search('#a,b'), 400);
  expectError(await search('', A.admin, `&tags=${'t'.repeat(300)}`), 400);
  expectError(await search('', A.admin, `&tags=${Array.from({ length: 65 }, (_, i) => `t${i}`).join(',')}`), 400);
});

test('pages: limit/offset with X-Total-Count, the ceiling, bad values 400', async () => {
  const p = expectList(await search('', A.admin, '&limit=2&offset=1'));
  assert.equal(p.total, NAMES.length + 3);
  assert.equal(p.items.length, 2);
  assert.equal(expectList(await search('', A.admin, '&limit=5000')).items.length, NAMES.length + 3);
  expectError(await search('', A.admin, '&limit=x'), 400);
  expectError(await search('', A.admin, '&page=0'), 400);
});

test('a tenant user finds what it may see and the discoverable; has_access says what it may read', async () => {
  const none = await tenantUser(srv, A, 'none');
  assert.deepEqual(names(await search('', none.headers)), ['revenue']);
  const hit = expectList(await search('revenue', none.headers)).items[0];
  assert.equal(hit.has_access, false);
  const nsUser = await tenantUser(srv, A, 'ns');
  await grant(srv, A, nsUser, { type: 'namespace', catalog_id: cat.id, namespace: 'sales.eu' }, ['read']);
  assert.deepEqual(names(await search('', nsUser.headers)), ['deep_model', 'revenue']);
  assert.equal(expectList(await search('model', nsUser.headers)).items[0].has_access, true);
  const tagUser = await tenantUser(srv, A, 'tag');
  await grant(srv, A, tagUser, { type: 'tag', tag_name: 'pii' }, ['read']);
  const found = expectList(await search('', tagUser.headers)).items;
  assert.deepEqual(found.map((i) => i.name), ['orders_daily', 'revenue']);
  assert.ok(found.every((i) => i.has_access));
  const catUser = await tenantUser(srv, A, 'cat');
  await grant(srv, A, catUser, { type: 'catalog', catalog_id: cat.id }, ['list']);
  const all = expectList(await search('', catUser.headers));
  assert.equal(all.total, NAMES.length + 3);
  assert.ok(all.items.every((i) => !i.has_access), 'list is not read');
});

test('tenants never find each other\'s assets', async () => {
  assert.deepEqual(names(await search('orders', B.admin)), ['orders_b']);
  assert.deepEqual(names(await search('orders')), ['Customer_Orders', 'orders_daily']);
  const r = expectJson(await srv.req('GET', '/api/v1/search/assets?q=orders', { headers: B.admin }), 200);
  assert.deepEqual(r.results.map((x) => x.name), ['orders_b']);
  const u = expectJson(await srv.req('GET', `/api/v1/search?q=${encodeURIComponent(cat.name)}`, { headers: B.admin }), 200);
  assert.deepEqual(u.results, []);
});

test('only main is searched: an asset registered on a branch is found once merged', async () => {
  await ok('POST', '/api/v1/branches', { name: 'dev', catalog: cat.name, branch_type: 'ingest' }, A.admin);
  await ok('POST', `/api/v1/catalogs/${cat.name}/namespaces/sales/assets?branch=dev`, { name: 'branch_only', kind: 'OTHER', location: `${cat.storage}/sales/b` }, A.admin);
  assert.deepEqual(names(await search('branch_only')), []);
  await ok('POST', '/api/v1/branches/merge', { source_branch: 'dev', target_branch: 'main', catalog: cat.name }, A.admin);
  assert.deepEqual(names(await search('branch_only')), ['branch_only']);
});

test('/search/assets is {results, total, limit, offset}: q required, limit 50 by default and at most 1000', async () => {
  const r = expectJson(await srv.req('GET', '/api/v1/search/assets?q=o', { headers: A.admin }), 200);
  assert.deepEqual(Object.keys(r).sort(), ['limit', 'offset', 'results', 'total']);
  assert.equal(r.limit, 50);
  assert.equal(r.offset, 0);
  assert.equal(r.total, r.results.length);
  const one = r.results.find((x) => x.name === 'orders_daily');
  assert.deepEqual(one.namespace, ['sales']);
  assert.equal(one.catalog, cat.name);
  assert.equal(one.asset_type, 'parquet_table');
  assert.equal(one.has_access, true);
  assert.equal(r.results.find((x) => x.name === 'tbl')?.asset_type ?? 'table', 'table');
  const p = expectJson(await srv.req('GET', '/api/v1/search/assets?q=o&limit=1&offset=1', { headers: A.admin }), 200);
  assert.equal(p.results.length, 1);
  assert.equal(p.total, r.total);
  assert.equal(expectJson(await srv.req('GET', '/api/v1/search/assets?q=o&limit=99999', { headers: A.admin }), 200).limit, 1000);
  assert.equal(expectJson(await srv.req('GET', `/api/v1/search/assets?q=o&catalog=${uniq('none')}`, { headers: A.admin }), 200).total, 0);
  expectError(await srv.req('GET', '/api/v1/search/assets', { headers: A.admin }), 400);
  expectError(await srv.req('GET', '/api/v1/search/assets?q=', { headers: A.admin }), 400);
  expectError(await srv.req('GET', '/api/v1/search/assets?q=a&limit=-1', { headers: A.admin }), 400);
});

test('/search finds catalogs, namespaces, branches and assets, shortest names first, filtered for tenant users', async () => {
  await ok('POST', '/api/v1/branches', { name: 'sales-fix', catalog: cat.name, branch_type: 'ingest' }, A.admin);
  const r = expectJson(await srv.req('GET', '/api/v1/search?q=sales', { headers: A.admin }), 200);
  const kinds = r.results.map((x) => `${x.kind}:${x.name}`);
  assert.ok(kinds.includes('Namespace:sales'), JSON.stringify(kinds));
  assert.ok(kinds.includes('Namespace:sales.eu'));
  assert.ok(kinds.includes('Branch:sales-fix'));
  const lengths = r.results.map((x) => x.name.length);
  assert.deepEqual(lengths, [...lengths].sort((a, b) => a - b));
  assert.equal(r.results.find((x) => x.name === 'sales').context, cat.name);
  const c = expectJson(await srv.req('GET', `/api/v1/search?q=${encodeURIComponent(cat.name)}`, { headers: A.admin }), 200);
  assert.deepEqual(c.results.filter((x) => x.kind === 'Catalog').map((x) => x.id), [cat.id]);
  const a = expectJson(await srv.req('GET', '/api/v1/search?q=revenue', { headers: A.admin }), 200);
  assert.deepEqual(a.results, [{ id: ids.revenue, name: 'revenue', kind: 'Asset', description: 'Monthly REVENUE by region', context: `${cat.name}.hr` }]);
  assert.equal(expectJson(await srv.req('GET', '/api/v1/search?q=s&limit=2', { headers: A.admin }), 200).results.length, 2);
  const none = await tenantUser(srv, A, 'lonely');
  assert.deepEqual(expectJson(await srv.req('GET', '/api/v1/search?q=s', { headers: none.headers }), 200).results, []);
  const seen = expectJson(await srv.req('GET', '/api/v1/search?q=e', { headers: none.headers }), 200);
  assert.deepEqual(seen.results.map((x) => `${x.kind}:${x.name}`), ['Asset:revenue']);
  expectError(await srv.req('GET', '/api/v1/search', { headers: A.admin }), 400);
});

// Column tags (issue 46): a tag on a column finds its table, each hit
// lists its column tags by field id, and who sees what is unchanged.  A
// tenant of its own, so the other tests' counts stay as they are.
test('a tag on a column finds its table (#tag and tags=), hits list column tags, visibility unchanged', async () => {
  const C = await tenantWithAdmin(srv, 'c');
  const cc = await catalogOf(srv, C, 'lake');
  const fields = [['id', 'long'], ['email', 'string'], ['phone', 'string']].map(([name, type], i) => ({ id: i + 1, name, required: false, type }));
  const people = await ok('POST', `/v1/${cc.name}/namespaces/lake/tables`, { name: 'people', schema: { type: 'struct', 'schema-id': 0, fields } }, C.admin);
  const pid = people.metadata['table-uuid'];
  const put = await ok('PUT', `/api/v1/assets/${pid}/column-tags`, { columns: [{ column: 'email', tags: ['pii:email', 'gdpr'] }, { column: 'phone', tags: ['gdpr'] }] }, C.admin);
  const fid = Object.fromEntries(put.columns.map((c) => [c.column, c.field_id]));
  const want = [{ field_id: fid.email, tags: ['gdpr', 'pii:email'] }, { field_id: fid.phone, tags: ['gdpr'] }].sort((a, b) => a.field_id - b.field_id);
  await describe(srv, cc.viewId, { tags: ['pii:email'] }, C.admin);
  const q = (text, h = C.admin, extra = '') => search(text, h, extra);

  // The text form and the parameter; a tag on the view itself and one on
  // the table's column both count; every tag must be somewhere.
  const hits = expectList(await q('#pii:email')).items;
  assert.deepEqual(hits.map((x) => x.name), ['people', 'vw']);
  assert.deepEqual(hits[0].column_tags, want);
  assert.deepEqual(hits[0].tags, []);
  assert.deepEqual(hits[1].column_tags, []);
  assert.deepEqual(names(await q('', C.admin, '&tags=pii:email,gdpr')), ['people']);
  assert.deepEqual(names(await q('peo #gdpr')), ['people']);
  assert.deepEqual(names(await q('#gdpr #nosuchtag')), []);
  const paged = expectJson(await srv.req('GET', `/api/v1/search/assets?q=${encodeURIComponent('#gdpr')}`, { headers: C.admin }), 200);
  assert.equal(paged.total, 1);
  assert.deepEqual(paged.results.map((x) => [x.name, x.column_tags]), [['people', want]]);
  const p1 = expectList(await q('#pii:email', C.admin, '&limit=1&offset=1'));
  assert.equal(p1.total, 2);
  assert.deepEqual(p1.items.map((x) => x.name), ['vw']);

  // A tenant user with discovery rights on the catalog finds the table by
  // its column's tag and sees the tags; one without sees nothing of it,
  // nor does a tag grant on a column's tag (a column tag is no grant).
  const lister = await tenantUser(srv, C, 'lister');
  await grant(srv, C, lister, { type: 'catalog', catalog_id: cc.id }, ['list']);
  const seen = expectList(await q('#gdpr', lister.headers)).items;
  assert.deepEqual(seen.map((x) => [x.name, x.has_access]), [['people', false]]);
  assert.deepEqual(seen[0].column_tags, want);
  const none = await tenantUser(srv, C, 'none');
  const hidden = expectList(await q('#gdpr', none.headers));
  assert.equal(hidden.total, 0);
  assert.deepEqual(hidden.items, []);
  const hp = expectJson(await srv.req('GET', `/api/v1/search/assets?q=${encodeURIComponent('#gdpr')}`, { headers: none.headers }), 200);
  assert.deepEqual([hp.total, hp.results], [0, []]);
  const tagged = await tenantUser(srv, C, 'tagged');
  await grant(srv, C, tagged, { type: 'tag', tag_name: 'gdpr' }, ['read']);
  assert.deepEqual(names(await q('#gdpr', tagged.headers)), []);
  // Made discoverable, anyone in the tenant finds it, column tags too.
  await describe(srv, pid, { discoverable: true }, C.admin);
  const disc = expectList(await q('', none.headers, '&tags=gdpr')).items;
  assert.deepEqual(disc.map((x) => [x.name, x.column_tags]), [['people', want]]);
  // Another tenant never finds it by the tag.
  assert.deepEqual(names(await search('#gdpr', A.admin)), []);

  // Tags removed: the table is no longer found by them.
  await ok('PUT', `/api/v1/assets/${pid}/column-tags`, { columns: [] }, C.admin);
  assert.deepEqual(names(await q('#gdpr')), []);
  assert.deepEqual(names(await q('#pii:email')), ['vw']);
});
