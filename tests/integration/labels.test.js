// Labels on every load (issue 70; apache/iceberg PR 15750): a table's and
// a view's business metadata become its object-labels, its column tags its
// field labels by field id, computed per request for what the caller may
// see (no label on a column a policy projects for it), never written into
// the metadata file, named by the ETag (a change answers an old tag 200
// with the new labels, never 304), carried on a branch, never a secret-
// looking key, and only the keys the operator's [labels] business_keys
// lets through.  Every answer is checked against the labels document
// (lib/labels.js) and the REST document we ship (lib/openapi.js).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { expectJson, uniq } from './lib/expect.js';
import { grant, okFor, startAuthServer, tenantUser, tenantWithAdmin } from './lib/governance.js';
import { byField, checkLabels, checkResult } from './lib/labels.js';
import { IcebergRestCatalog } from 'iceberg-js';
import { checkResponse, validatingFetch } from './lib/openapi.js';
import { makeToml, ONCE, runBinary, tmpDir } from './lib/server.js';

const SCHEMA = {
  type: 'struct', 'schema-id': 0, fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'email', required: false, type: 'string' },
    { id: 3, name: 'country', required: false, type: 'string' },
    { id: 4, name: 'address', required: false, type: { type: 'struct', fields: [{ id: 5, name: 'city', required: false, type: 'string' }] } },
  ],
};
const VIEW_VERSION = (ns, sql) => ({
  'version-id': 1, 'timestamp-ms': 1, 'schema-id': 0, summary: {}, 'default-namespace': [ns],
  representations: [{ type: 'sql', sql, dialect: 'spark' }],
});

let srv, ok, A, cat, ns, analyst, rAnalyst, tableId, viewId;
const tbl = 'people';
const vw = 'people_v';
const tpath = (t = tbl) => `/v1/${cat}/namespaces/${ns}/tables/${t}`;
const vpath = (v = vw) => `/v1/${cat}/namespaces/${ns}/views/${v}`;

/** A /v1 request, its answer checked against the REST document we ship. */
async function v1(method, p, { headers = A.admin, body } = {}) {
  const r = await srv.req(method, p, { headers, body });
  checkResponse(method, p, r);
  return r;
}
const loadTable = (p = tpath(), headers = A.admin, extra = {}) => v1('GET', p, { headers: { ...headers, ...extra } });

async function describe(id, body) {
  return ok('POST', `/api/v1/assets/${id}/metadata`, { tags: [], properties: {}, discoverable: false, ...body }, A.admin);
}
async function tagColumns(id, columns) {
  return ok('PUT', `/api/v1/assets/${id}/column-tags`, { columns }, A.admin);
}

before(async () => {
  srv = await startAuthServer();
  ok = okFor(srv);
  A = await tenantWithAdmin(srv, 'lbl');
  const wh = uniq('wh');
  await ok('POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 'local', root: path.join(srv.tenantDir(A.id), wh) } }, A.admin);
  cat = uniq('cat');
  const catalog = await ok('POST', '/api/v1/catalogs', { name: cat, warehouse_name: wh }, A.admin);
  ns = 'crm';
  await ok('POST', `/v1/${cat}/namespaces`, { namespace: [ns] }, A.admin);
  tableId = (await ok('POST', `/v1/${cat}/namespaces/${ns}/tables`, { name: tbl, schema: SCHEMA }, A.admin)).metadata['table-uuid'];
  await ok('POST', `/v1/${cat}/namespaces/${ns}/views`, { name: vw, schema: SCHEMA, 'view-version': VIEW_VERSION(ns, 'select * from people') }, A.admin);
  const list = await ok('GET', `/api/v1/catalogs/${cat}/namespaces/${ns}/assets`, undefined, A.admin);
  viewId = list.find((a) => a.name === vw).id;
  assert.equal(list.find((a) => a.name === tbl).id, tableId);
  rAnalyst = uniq('analyst');
  const ra = (await ok('POST', '/api/v1/roles', { name: rAnalyst }, A.admin)).id;
  analyst = await tenantUser(srv, A, 'analyst');
  await ok('POST', `/api/v1/users/${analyst.id}/roles`, { 'role-id': ra }, A.admin);
  await grant(srv, A, analyst, { type: 'catalog', catalog_id: catalog.id }, ['read']);
  await describe(tableId, {
    description: 'One row per customer',
    tags: ['gold', 'domain=finance', 'owner=not-this-one', 'tier:1'],
    properties: { owner: 'sales-eng', 'cost-center': 'cc-42', sla: 24, contact: { team: 'crm' }, retired: null },
  });
  await tagColumns(tableId, [
    { column: 'email', tags: ['pii', 'classification=confidential'] },
    { column: 'country', tags: ['geo'] },
    { field_id: 5, tags: ['geo', 'granularity=city'] },
  ]);
});
after(async () => { await srv?.stop(); });

test('a table load carries object labels (business metadata) and field labels by field id (column tags), as the spec shapes them', async () => {
  const r = expectJson(await loadTable(), 200);
  const labels = checkResult(r);
  assert.deepEqual(labels['object-labels'], {
    owner: 'sales-eng', 'cost-center': 'cc-42', sla: '24', contact: '{"team":"crm"}',
    gold: '', domain: 'finance', tier: '1',
  });
  assert.deepEqual(byField(labels), {
    2: { pii: '', classification: 'confidential' },
    3: { geo: '' },
    5: { geo: '', granularity: 'city' },
  });
  // Never in the metadata file, its properties included.
  assert.ok(!JSON.stringify(r.metadata).includes('sales-eng'));
  // Every form of the answer: snapshots=refs and gzip.
  const refs = expectJson(await loadTable(`${tpath()}?snapshots=refs`), 200);
  assert.deepEqual(checkResult(refs), labels);
  const z = await gzipGet(tpath(), A.admin);
  assert.equal(z.headers['content-encoding'], 'gzip');
  assert.deepEqual(JSON.parse(gunzipSync(z.body).toString()).labels, labels);
});

/** GET p with gzip asked for: status, headers, the raw bytes. */
function gzipGet(p, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: srv.port, method: 'GET', path: p, headers: { ...headers, 'accept-encoding': 'gzip' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a view load and a view commit\'s answer carry the view\'s labels', async () => {
  await describe(viewId, { tags: ['semantic=customer'], properties: { owner: 'bi' } });
  const v = expectJson(await v1('GET', vpath()), 200);
  assert.deepEqual(checkResult(v, { view: true }), { 'object-labels': { owner: 'bi', semantic: 'customer' }, fields: [] });
  const replaced = expectJson(await v1('POST', vpath(), {
    body: { requirements: [], updates: [{ action: 'set-properties', updates: { comment: 'v2' } }] },
  }), 200);
  assert.deepEqual(checkResult(replaced, { view: true }), v.labels);
});

test('a business metadata or column tag change changes the ETag: the old tag is answered 200 with the new labels, never 304', async () => {
  const first = await loadTable();
  const e1 = first.headers.etag;
  assert.ok(e1);
  assert.equal((await loadTable(tpath(), A.admin, { 'if-none-match': e1 })).status, 304);
  await describe(tableId, {
    tags: ['gold', 'domain=finance', 'owner=not-this-one', 'tier:1'],
    properties: { owner: 'growth', 'cost-center': 'cc-42', sla: 24, contact: { team: 'crm' } },
  });
  const second = await loadTable(tpath(), A.admin, { 'if-none-match': e1 });
  assert.equal(second.status, 200, 'a changed label is never hidden by a 304');
  assert.equal(checkResult(second.json)['object-labels'].owner, 'growth');
  const e2 = second.headers.etag;
  assert.notEqual(e2, e1);
  assert.equal((await loadTable(tpath(), A.admin, { 'if-none-match': e2 })).status, 304);
  // A column tag change does the same.
  await tagColumns(tableId, [
    { column: 'email', tags: ['pii', 'classification=restricted'] },
    { column: 'country', tags: ['geo'] },
    { field_id: 5, tags: ['geo', 'granularity=city'] },
  ]);
  const third = await loadTable(tpath(), A.admin, { 'if-none-match': e2 });
  assert.equal(third.status, 200);
  assert.equal(byField(checkResult(third.json))[2].classification, 'restricted');
  assert.notEqual(third.headers.etag, e2);
  // Back to the first state's labels: its own tag again (the tag names them).
  await describe(tableId, {
    description: 'One row per customer',
    tags: ['gold', 'domain=finance', 'owner=not-this-one', 'tier:1'],
    properties: { owner: 'sales-eng', 'cost-center': 'cc-42', sla: 24, contact: { team: 'crm' }, retired: null },
  });
  await tagColumns(tableId, [
    { column: 'email', tags: ['pii', 'classification=confidential'] },
    { column: 'country', tags: ['geo'] },
    { field_id: 5, tags: ['geo', 'granularity=city'] },
  ]);
  assert.equal((await loadTable()).headers.etag, e1);
});

test('a table without business metadata or column tags answers without labels', async () => {
  await ok('POST', `/v1/${cat}/namespaces/${ns}/tables`, { name: 'plain', schema: SCHEMA }, A.admin);
  const r = expectJson(await loadTable(tpath('plain')), 200);
  checkResult(r);
  assert.equal(r.labels, undefined);
});

test('a tenant without any labels loads without them, and its first business metadata or column tag is carried by the next load', async () => {
  // Issue 69: a tenant with no labels at all is told once an epoch
  // (store labels_any), not asked per table; a first label must still
  // show at once.
  const B = await tenantWithAdmin(srv, 'lbl0');
  const wh = uniq('wh');
  await ok('POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 'local', root: path.join(srv.tenantDir(B.id), wh) } }, B.admin);
  const c = uniq('cat');
  await ok('POST', '/api/v1/catalogs', { name: c, warehouse_name: wh }, B.admin);
  await ok('POST', `/v1/${c}/namespaces`, { namespace: ['n'] }, B.admin);
  const id = (await ok('POST', `/v1/${c}/namespaces/n/tables`, { name: 't', schema: SCHEMA }, B.admin)).metadata['table-uuid'];
  const p = `/v1/${c}/namespaces/n/tables/t`;
  const bare = expectJson(await v1('GET', p, { headers: B.admin }), 200);
  assert.equal(bare.labels, undefined);
  await ok('POST', `/api/v1/assets/${id}/metadata`, { tags: ['gold'], properties: {}, discoverable: false }, B.admin);
  const one = checkResult(expectJson(await v1('GET', p, { headers: B.admin }), 200));
  assert.deepEqual(one['object-labels'], { gold: '' });
  await ok('DELETE', `/api/v1/assets/${id}/metadata`, undefined, B.admin, 204);
  assert.equal(expectJson(await v1('GET', p, { headers: B.admin }), 200).labels, undefined);
  await ok('PUT', `/api/v1/assets/${id}/column-tags`, { columns: [{ column: 'email', tags: ['pii'] }] }, B.admin);
  assert.deepEqual(byField(checkResult(expectJson(await v1('GET', p, { headers: B.admin }), 200)))[2], { pii: '' });
});

test('a branch carries its table\'s labels, on its own row after a commit on it too', async () => {
  const main = checkResult(expectJson(await loadTable(), 200));
  assert.equal(main['object-labels'].owner, 'sales-eng');
  assert.deepEqual(byField(main)[2], { pii: '', classification: 'confidential' });
  const b = uniq('dev');
  await ok('POST', '/api/v1/branches', { name: b, catalog: cat, branch_type: 'experimental', from_branch: 'main' }, A.admin, 201);
  const before = expectJson(await loadTable(tpath(`${tbl}@${b}`)), 200);
  assert.deepEqual(checkResult(before), main);
  await v1('POST', tpath(`${tbl}@${b}`), { body: { requirements: [], updates: [{ action: 'set-properties', updates: { stage: 'dev' } }] } });
  const after = expectJson(await loadTable(tpath(`${tbl}@${b}`)), 200);
  assert.equal(after.metadata.properties.stage, 'dev');
  assert.deepEqual(checkResult(after), main);
  // The table's Iceberg refs (a branch, a tag) are in the same answer.
  const snap = expectJson(await loadTable(`${tpath()}?snapshots=refs`), 200);
  assert.deepEqual(checkResult(snap), main);
});

test('iceberg-js (unmodified) loads a labelled table, its ETag round trip included', async () => {
  const checked = validatingFetch();
  const catalog = new IcebergRestCatalog({
    baseUrl: `http://127.0.0.1:${srv.port}`, warehouse: cat,
    auth: { type: 'bearer', token: A.admin.authorization.slice(7) }, fetch: checked,
  });
  const id = { namespace: [ns], name: tbl };
  const loaded = await catalog.loadTableResult(id);
  assert.equal(checkResult(loaded)['object-labels'].owner, 'sales-eng');
  assert.equal(await catalog.loadTable(id, { ifNoneMatch: loaded.etag }), null, '304 -> null');
  assert.equal((await catalog.loadTable(id)).location, loaded.metadata.location);
  assert.deepEqual(checked.failures, []);
});

test('a caller for whom a policy masks a column gets no label of it (nor of a field nested in a masked one), nor its column tags (a search shows it none); another caller gets them', async () => {
  const mask = expectJson(await srv.req('POST', '/api/v1/policies', {
    body: { name: uniq('mask'), catalog: cat, namespace: [ns], table: tbl, column: 'email', action: 'mask-alphanum', applies_to: { roles: [rAnalyst] } }, headers: A.admin,
  }), 201);
  const nested = expectJson(await srv.req('POST', '/api/v1/policies', {
    body: { name: uniq('addr'), catalog: cat, namespace: [ns], table: tbl, column: 'address', action: 'replace-with-null', applies_to: { roles: [rAnalyst] } }, headers: A.admin,
  }), 201);
  try {
    const a = expectJson(await loadTable(tpath(), analyst.headers), 200);
    const fields = byField(checkResult(a));
    assert.ok(a['read-restrictions'], 'the analyst is restricted');
    assert.deepEqual(Object.keys(fields).sort(), ['3'], `no label of a masked field: ${JSON.stringify(fields)}`);
    assert.equal(checkResult(a)['object-labels'].owner, 'sales-eng');
    const admin = expectJson(await loadTable(), 200);
    assert.deepEqual(Object.keys(byField(checkResult(admin))).sort(), ['2', '3', '5']);
    // Two views of the labels, two tags; neither answers the other 304.
    const ea = (await loadTable(tpath(), analyst.headers)).headers.etag;
    const ed = (await loadTable()).headers.etag;
    assert.notEqual(ea, ed);
    assert.equal((await loadTable(tpath(), analyst.headers, { 'if-none-match': ed })).status, 200);
    // The column tags route leaves them out the same way: it once listed
    // every column's tags to whoever saw the table.
    const tagged = async (headers) => expectJson(await srv.req('GET', `/api/v1/assets/${tableId}/column-tags`, { headers }), 200).columns.map((c) => c.field_id).sort();
    assert.deepEqual(await tagged(analyst.headers), [3]);
    assert.deepEqual(await tagged(A.admin), [2, 3, 5]);
    // A search does not read the schema a mask needs: a caller a policy
    // binds in the catalog is shown no column tags of its hits there.
    const hitTags = async (headers) => expectJson(await srv.req('GET', `/api/v1/search/assets?q=${encodeURIComponent('#geo')}`, { headers }), 200).results.filter((x) => x.id === tableId).map((x) => x.column_tags.map((c) => c.field_id));
    assert.deepEqual(await hitTags(analyst.headers), [[]]);
    assert.deepEqual(await hitTags(A.admin), [[2, 3, 5]]);
  } finally {
    for (const p of [mask, nested]) await srv.req('DELETE', `/api/v1/policies/${p.id}`, { headers: A.admin });
  }
});

test('a tag policy holds on a branch\'s own copy of the table (after a commit on the branch), and the tagged column\'s label stays hidden there', async () => {
  const pol = expectJson(await srv.req('POST', '/api/v1/policies', {
    body: { name: uniq('geo'), catalog: cat, tag: 'geo', action: 'mask-alphanum', applies_to: { roles: [rAnalyst] } }, headers: A.admin,
  }), 201);
  try {
    const b = uniq('feat');
    await ok('POST', '/api/v1/branches', { name: b, catalog: cat, branch_type: 'experimental', from_branch: 'main' }, A.admin, 201);
    await v1('POST', tpath(`${tbl}@${b}`), { body: { requirements: [], updates: [{ action: 'set-properties', updates: { stage: b } }] } });
    for (const p of [tpath(`${tbl}@${b}`), tpath()]) {
      const a = expectJson(await loadTable(p, analyst.headers), 200);
      const masked = (a['read-restrictions']?.['required-column-projections'] ?? []).map((x) => x['field-id']);
      assert.ok(masked.includes(3), `${p}: the geo-tagged column is masked: ${JSON.stringify(a['read-restrictions'])}`);
      const fields = byField(checkResult(a));
      assert.equal(fields[3], undefined, `${p}: no label of the masked column`);
      assert.deepEqual(fields[2], { pii: '', classification: 'confidential' });
    }
  } finally {
    await srv.req('DELETE', `/api/v1/policies/${pol.id}`, { headers: A.admin });
  }
});

test('a secret-looking key is never a label: properties, tags and column tags alike', async () => {
  await ok('POST', `/v1/${cat}/namespaces/${ns}/tables`, { name: 'secrets', schema: SCHEMA }, A.admin);
  const id = (await ok('GET', tpath('secrets'), undefined, A.admin)).metadata['table-uuid'];
  await describe(id, {
    tags: ['token=abc', 'x-api-key=k1', 'visible=yes'],
    properties: { password: 'hunter2', 'db.Password': 'p', secretKey: 's', 'auth-header': 'Bearer x', 'signing.key': 'k', owner: 'ops' },
  });
  await tagColumns(id, [{ column: 'email', tags: ['secret=1', 'credential', 'pii'] }]);
  const r = expectJson(await loadTable(tpath('secrets')), 200);
  const labels = checkResult(r);
  assert.deepEqual(labels['object-labels'], { owner: 'ops', visible: 'yes' });
  assert.deepEqual(byField(labels), { 2: { pii: '' } });
  for (const s of ['hunter2', 'Bearer', 'abc', 'k1']) assert.ok(!JSON.stringify(labels).includes(s), s);
});

test('the operator\'s [labels] business_keys chooses the keys (a secret one never), and [] carries none', async () => {
  const one = await startAuthServer({ extra: '[labels]\nbusiness_keys = ["owner", "pii", "password"]' });
  const none = await startAuthServer({ extra: '[labels]\nbusiness_keys = []' });
  try {
    for (const [s, want] of [[one, { object: { owner: 'ops' }, fields: { 2: { pii: '' } } }], [none, null]]) {
      const o = okFor(s);
      const T = await tenantWithAdmin(s, 'op');
      const wh = uniq('wh');
      await o('POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 'local', root: path.join(s.tenantDir(T.id), wh) } }, T.admin);
      const c = uniq('cat');
      await o('POST', '/api/v1/catalogs', { name: c, warehouse_name: wh }, T.admin);
      await o('POST', `/v1/${c}/namespaces`, { namespace: ['n'] }, T.admin);
      const id = (await o('POST', `/v1/${c}/namespaces/n/tables`, { name: 't', schema: SCHEMA }, T.admin)).metadata['table-uuid'];
      await o('POST', `/api/v1/assets/${id}/metadata`, { tags: ['gold'], properties: { owner: 'ops', team: 'x', password: 'p' }, discoverable: false }, T.admin);
      await o('PUT', `/api/v1/assets/${id}/column-tags`, { columns: [{ column: 'email', tags: ['pii', 'geo'] }, { column: 'country', tags: ['geo'] }] }, T.admin);
      const p = `/v1/${c}/namespaces/n/tables/t`;
      const r = await s.req('GET', p, { headers: T.admin });
      checkResponse('GET', p, r);
      const body = expectJson(r, 200);
      checkResult(body);
      if (want === null) {
        assert.equal(body.labels, undefined);
      } else {
        checkLabels(body.labels);
        assert.deepEqual(body.labels['object-labels'], want.object);
        assert.deepEqual(byField(body.labels), want.fields);
      }
    }
  } finally {
    await one.stop();
    await none.stop();
  }
});

test('a "*" beside other keys is refused by the configuration check', { skip: ONCE }, () => {
  const dir = tmpDir('pgl-labels');
  const file = path.join(dir, 'pangolin.toml');
  fs.writeFileSync(file, makeToml({ port: 1, dir, extra: '[labels]\nbusiness_keys = ["*", "owner"]' }));
  const r = runBinary(['--check-config', '-c', file]);
  fs.rmSync(dir, { recursive: true, force: true });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /labels\.business_keys/);
});
