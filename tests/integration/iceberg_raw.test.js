// Iceberg REST over plain HTTP (iceberg-commit.md §0-§9, pangolin-api.md
// §1.2, §2.4, §3.3-3.4): what iceberg-js does not drive, and the rules.
// Every /v1 answer is checked against the Iceberg OpenAPI spec by srv.req
// (lib/iceberg.js -> lib/openapi.js).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, test } from 'node:test';
import { expectError, expectJson, uniq } from './lib/expect.js';
import { operationFor, validate } from './lib/openapi.js';
import { assertRowIdsApart, CATALOG, files, metadataFiles, nsPath, sampleSchema, simpleSchema, startIcebergServer } from './lib/iceberg.js';
import { fileUri, fsPath, ownCopy } from './lib/location.js';
import { waitTask } from './lib/tasks.js';

let srv;
before(async () => { srv = await startIcebergServer(); });
after(async () => { await srv?.stop(); });

const P = `/v1/${CATALOG}`;
const req = (m, p, o) => srv.req(m, p, o);
const ok = async (m, p, body, status = 200, o = {}) => {
  const r = await req(m, p, { body, ...o });
  if (status === 204) {
    assert.equal(r.status, 204, `${m} ${p}: expected 204, got ${r.status} ${r.text.slice(0, 300)}`);
    assert.equal(r.text, '');
    return r;
  }
  return expectJson(r, status);
};
const iceErr = async (m, p, body, status, type, message) => {
  const r = await req(m, p, { body });
  const b = expectError(r, status, { iceberg: true, message });
  if (type) assert.equal(b.error.type, type, `${m} ${p}: error type of ${r.text}`);
  return b;
};

/** A new namespace (levels) in catalog `cat`; returns its path segment. */
async function mkns(levels = [uniq('ns')], cat = CATALOG, properties) {
  await ok('POST', `/v1/${cat}/namespaces`, { namespace: levels, ...(properties ? { properties } : {}) });
  return nsPath(levels);
}

/** A new catalog in the warehouse (own namespaces, branches and commit log). */
async function mkcat() {
  const name = uniq('cat');
  expectJson(await srv.req('POST', '/api/v1/catalogs', { body: { name, warehouse_name: 'wh' } }), 201);
  return name;
}

const tablePath = (ns, t, cat = CATALOG) => `/v1/${cat}/namespaces/${ns}/tables/${t}`;

async function mktable(ns, name = uniq('t'), extra = {}, cat = CATALOG) {
  return ok('POST', `/v1/${cat}/namespaces/${ns}/tables`, { name, schema: simpleSchema(), ...extra });
}

const load = (ns, t, cat = CATALOG) => ok('GET', tablePath(ns, t, cat));
const commit = (ns, t, body, status = 200, cat = CATALOG) => ok('POST', tablePath(ns, t, cat), body, status);
const setProps = (updates) => ({ action: 'set-properties', updates });

let snapCounter = 0;
/** An add-snapshot + set-snapshot-ref main pair on top of metadata md. */
function appendUpdates(md, id = 1000 + (++snapCounter)) {
  const parent = md['current-snapshot-id'] ?? -1;
  const snap = {
    'snapshot-id': id,
    ...(parent !== -1 ? { 'parent-snapshot-id': parent } : {}),
    'sequence-number': (md['last-sequence-number'] ?? 0) + 1,
    'timestamp-ms': Date.now(),
    summary: { operation: 'append' },
    'manifest-list': `${md.location}/metadata/snap-${id}.avro`,
    'schema-id': md['current-schema-id'],
  };
  return [
    { action: 'add-snapshot', snapshot: snap },
    { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
  ];
}

const view = (name, extra = {}) => ({
  name,
  schema: { type: 'struct', 'schema-id': 3, fields: [{ id: 1, name: 'n', required: false, type: 'long' }] },
  'view-version': {
    'version-id': 9, 'timestamp-ms': Date.now(), 'schema-id': 3, summary: { engine: 'test' },
    'default-namespace': [], representations: [{ type: 'sql', sql: 'select 1 as n', dialect: 'spark' }],
  },
  properties: {},
  ...extra,
});
const viewPath = (ns, v, cat = CATALOG) => `/v1/${cat}/namespaces/${ns}/views/${v}`;

// ---------------------------------------------------------------- the checker

test('the OpenAPI check is not vacuous: it rejects bodies and statuses the spec does not allow', async () => {
  const ns = await mkns();
  const good = await mktable(ns, 'shape');
  assert.equal(validate('loadTable', 200, good).valid, true);
  const { 'format-version': _, ...noVersion } = good.metadata;
  assert.equal(validate('loadTable', 200, { ...good, metadata: noVersion }).valid, false, 'metadata without format-version');
  assert.equal(validate('loadTable', 200, { ...good, metadata: { ...good.metadata, 'current-snapshot-id': 'x' } }).valid, false);
  assert.equal(validate('createTable', 201, good).valid, false, 'an undeclared success status');
  assert.equal(validate('dropTable', 204, { oops: true }).valid, false, 'a body on a no-content answer');
  assert.equal(validate('loadTable', 404, { error: 'flat' }).valid, false, 'a flat error');
  assert.equal(validate('loadView', 404, { message: 'm', type: 't', code: 404 }).valid, false, 'a bare ErrorModel');
  assert.equal(validate('createTable', 422, { error: { message: 'm', type: 't', code: 422 } }).valid, true, 'an undeclared error status with the envelope');
  assert.equal(validate('getConfig', 200, { defaults: {}, overrides: {}, 'idempotency-key-lifetime': 'half an hour' }).valid, false, 'formats are checked');
  assert.equal(operationFor('POST', `/v1/${CATALOG}/v1/tables/rename`), 'renameTable');
  assert.equal(operationFor('HEAD', `/v1/${CATALOG}/namespaces/a%1Fb/tables/t`), 'tableExists');
  assert.equal(operationFor('GET', '/v1/namespaces'), null);
});

// ---------------------------------------------------------------- config

const SPEC_ROUTES = [
  'GET /v1/{prefix}/namespaces', 'POST /v1/{prefix}/namespaces',
  'GET /v1/{prefix}/namespaces/{namespace}', 'HEAD /v1/{prefix}/namespaces/{namespace}',
  'DELETE /v1/{prefix}/namespaces/{namespace}', 'POST /v1/{prefix}/namespaces/{namespace}/properties',
  'GET /v1/{prefix}/namespaces/{namespace}/tables', 'POST /v1/{prefix}/namespaces/{namespace}/tables',
  'POST /v1/{prefix}/namespaces/{namespace}/register',
  'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}', 'HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}', 'DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics',
  'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials',
  'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/unregister',
  'POST /v1/{prefix}/tables/rename', 'POST /v1/{prefix}/transactions/commit',
  'GET /v1/{prefix}/namespaces/{namespace}/views', 'POST /v1/{prefix}/namespaces/{namespace}/views',
  'POST /v1/{prefix}/namespaces/{namespace}/register-view',
  'GET /v1/{prefix}/namespaces/{namespace}/views/{view}', 'HEAD /v1/{prefix}/namespaces/{namespace}/views/{view}',
  'POST /v1/{prefix}/namespaces/{namespace}/views/{view}', 'DELETE /v1/{prefix}/namespaces/{namespace}/views/{view}',
  'POST /v1/{prefix}/views/rename',
];

test('GET /v1/config: defaults, overrides, every /v1/{prefix} endpoint (views and HEAD too), idempotency-key-lifetime', async () => {
  const c = await ok('GET', '/v1/config');
  assert.equal(typeof c.defaults, 'object');
  assert.equal(typeof c.overrides, 'object');
  assert.equal(c.overrides.prefix, undefined, 'no warehouse, no prefix override');
  for (const e of SPEC_ROUTES) assert.ok(c.endpoints.includes(e), `endpoints lists ${e}`);
  for (const e of c.endpoints) {
    assert.match(e, /^(GET|HEAD|POST|PUT|DELETE) \/v1\/\{prefix\}\//, `endpoint format: ${e}`);
    assert.doesNotMatch(e, /\{prefix\}\/v1\//, 'the doubled-prefix aliases are not spec paths');
  }
  assert.equal(new Set(c.endpoints).size, c.endpoints.length, 'no duplicates');
  assert.match(c['idempotency-key-lifetime'], /^P(T(\d+H)?(\d+M)?(\d+S)?|\d+D)$/);
});

test('GET /v1/config?warehouse= names the catalog: overrides.prefix; the prefixed forms agree', async () => {
  const a = await ok('GET', `/v1/config?warehouse=${CATALOG}`);
  assert.equal(a.overrides.prefix, CATALOG);
  const b = await ok('GET', `/v1/${CATALOG}/config`);
  assert.equal(b.overrides.prefix, CATALOG);
  const d = await ok('GET', `/v1/${CATALOG}/v1/config`);
  assert.deepEqual(d, b);
  // An unknown warehouse is an Iceberg error, not a config pointing nowhere.
  const r = await req('GET', `/v1/config?warehouse=${uniq('nope')}`);
  assert.ok(r.status === 404 || r.status === 400, `unknown warehouse: ${r.status}`);
  expectError(r, r.status, { iceberg: true });
});

test('an unknown prefix is 404 NoSuchNamespaceException naming the catalog', async () => {
  const name = uniq('nocat');
  await iceErr('GET', `/v1/${name}/namespaces`, undefined, 404, 'NoSuchNamespaceException', new RegExp(name));
});

test('malformed requests and unknown routes under /v1 get the Iceberg error envelope', async () => {
  const ns = await mkns();
  const bad = await req('POST', `${P}/namespaces`, { body: '{"namespace": [', headers: { 'content-type': 'application/json' } });
  expectError(bad, 400, { iceberg: true });
  expectError(await req('POST', `${P}/namespaces`, { body: '{"namespace": ["x"]}', headers: { 'content-type': 'text/plain' } }), 415, { iceberg: true });
  expectError(await req('POST', `${P}/namespaces`, { body: { namespace: 'flat' } }), 400, { iceberg: true });
  expectError(await req('POST', `${P}/namespaces/${ns}/tables`, { body: { name: 't' } }), 400, { iceberg: true });
  expectError(await req('PUT', `${P}/namespaces`, { body: {} }), 405, { iceberg: true });
  expectError(await req('GET', '/v1/namespaces'), 404, { iceberg: true });
  expectError(await req('GET', `${P}/namespaces/${ns}/tables/t/nosuch`), 404, { iceberg: true });
  // planTableScan is a POST (issue 28): another method is 405.
  expectError(await req('GET', `${P}/namespaces/${ns}/tables/t/plan`), 405, { iceberg: true });
});

// ---------------------------------------------------------------- aliases

test('the doubled-prefix aliases (/v1/{prefix}/v1/...) serve the same operations', async () => {
  const A = `/v1/${CATALOG}/v1`;
  const level = uniq('alias');
  expectJson(await req('POST', `${A}/namespaces`, { body: { namespace: [level] } }), 200);
  const list = expectJson(await req('GET', `${A}/namespaces`), 200);
  assert.ok(list.namespaces.some((n) => n[0] === level));
  assert.deepEqual(expectJson(await req('GET', `${A}/namespaces/${level}`), 200).namespace, [level]);
  assert.equal((await req('HEAD', `${A}/namespaces/${level}`)).status, 204);
  expectJson(await req('POST', `${A}/namespaces/${level}/properties`, { body: { updates: { a: '1' } } }), 200);
  const created = expectJson(await req('POST', `${A}/namespaces/${level}/tables`, { body: { name: 't', schema: simpleSchema() } }), 200);
  const loaded = expectJson(await req('GET', `${A}/namespaces/${level}/tables/t`), 200);
  assert.equal(loaded['metadata-location'], created['metadata-location']);
  assert.deepEqual(expectJson(await req('GET', `${A}/namespaces/${level}/tables`), 200).identifiers, [{ namespace: [level], name: 't' }]);
  assert.equal((await req('HEAD', `${A}/namespaces/${level}/tables/t`)).status, 204);
  const c = expectJson(await req('POST', `${A}/namespaces/${level}/tables/t`, { body: { updates: [setProps({ via: 'alias' })] } }), 200);
  assert.equal(c.metadata.properties.via, 'alias');
  assert.equal((await req('POST', `${A}/namespaces/${level}/tables/t/metrics`, { body: metricsReport() })).status, 204);
  assert.equal((await req('POST', `${A}/tables/rename`, { body: { source: { namespace: [level], name: 't' }, destination: { namespace: [level], name: 'u' } } })).status, 204);
  assert.equal((await req('DELETE', `${A}/namespaces/${level}/tables/u`)).status, 204);
  assert.equal((await req('DELETE', `${A}/namespaces/${level}`)).status, 204);
  assert.equal((await req('HEAD', `${P}/namespaces/${level}`)).status, 404);
});

// ---------------------------------------------------------------- branches

test('branch addressing: table@dev, ns@dev and ?branch= on create see the branch; main is untouched', async () => {
  const cat = await mkcat();
  const ns = await mkns([uniq('br')], cat);
  const t = await mktable(ns, 'orders', {}, cat);
  expectJson(await srv.req('POST', '/api/v1/branches', { body: { name: 'dev', catalog: cat } }), 201);

  // The branch has its own copy of the table: a commit on dev ...
  const onDev = await commit(ns, 'orders@dev', { updates: [setProps({ where: 'dev' })] }, 200, cat);
  assert.equal(onDev.metadata.properties.where, 'dev');
  // ... is seen through either suffix, and not on main.
  assert.equal((await load(`${ns}@dev`, 'orders', cat)).metadata.properties.where, 'dev');
  assert.equal((await load(ns, 'orders@dev', cat))['metadata-location'], onDev['metadata-location']);
  const main = await load(ns, 'orders', cat);
  assert.equal(main.metadata.properties.where, undefined);
  assert.equal(main['metadata-location'], t['metadata-location']);
  // The table's suffix wins over the namespace's.
  assert.equal((await load(`${ns}@dev`, 'orders@main', cat))['metadata-location'], t['metadata-location']);

  // ?branch= on create, and name@branch in the body.
  await ok('POST', `/v1/${cat}/namespaces/${ns}/tables?branch=dev`, { name: 'staged', schema: simpleSchema() });
  await ok('POST', `/v1/${cat}/namespaces/${ns}/tables`, { name: 'other@dev', schema: simpleSchema() });
  for (const n of ['staged', 'other']) {
    assert.equal((await req('HEAD', tablePath(ns, `${n}@dev`, cat))).status, 204);
    assert.equal((await req('HEAD', tablePath(ns, n, cat))).status, 404, `${n} is not on main`);
  }
  const devList = await ok('GET', `/v1/${cat}/namespaces/${ns}@dev/tables`);
  assert.deepEqual(devList.identifiers.map((i) => i.name).sort(), ['orders', 'other', 'staged']);
  const mainList = await ok('GET', `/v1/${cat}/namespaces/${ns}/tables`);
  assert.deepEqual(mainList.identifiers.map((i) => i.name), ['orders']);

  // An unknown branch is 404 on create.
  const r = await req('POST', `/v1/${cat}/namespaces/${ns}/tables?branch=nope`, { body: { name: 'x', schema: simpleSchema() } });
  expectError(r, 404, { iceberg: true });
  assert.equal((await req('HEAD', tablePath(ns, 'x@nope', cat))).status, 404);
});

// ---------------------------------------------------------------- namespaces

test('namespace create is 200 {namespace, properties}; a duplicate is 409 AlreadyExistsException', async () => {
  const levels = [uniq('a'), 'b'];
  await mkns([levels[0]]);
  const body = await ok('POST', `${P}/namespaces`, { namespace: levels, properties: { owner: 'me' } });
  assert.deepEqual(body, { namespace: levels, properties: { owner: 'me' } });
  await iceErr('POST', `${P}/namespaces`, { namespace: levels }, 409, 'AlreadyExistsException');
  assert.deepEqual(await ok('GET', `${P}/namespaces/${nsPath(levels)}`), { namespace: levels, properties: { owner: 'me' } });
});

test('namespace HEAD is 204 when it exists, 404 when not', async () => {
  const ns = await mkns();
  const h = await req('HEAD', `${P}/namespaces/${ns}`);
  assert.equal(h.status, 204);
  assert.equal((await req('HEAD', `${P}/namespaces/${uniq('missing')}`)).status, 404);
  await iceErr('GET', `${P}/namespaces/${uniq('missing')}`, undefined, 404, 'NoSuchNamespaceException');
});

test('dropping a namespace that holds a table, a view or a child namespace is 409 NamespaceNotEmptyException', async () => {
  const withTable = await mkns();
  await mktable(withTable, 't');
  await iceErr('DELETE', `${P}/namespaces/${withTable}`, undefined, 409, 'NamespaceNotEmptyException');

  const withView = await mkns();
  await ok('POST', `${P}/namespaces/${withView}/views`, view('v'));
  await iceErr('DELETE', `${P}/namespaces/${withView}`, undefined, 409, 'NamespaceNotEmptyException');

  const parent = uniq('p');
  await mkns([parent]);
  await mkns([parent, 'child']);
  await iceErr('DELETE', `${P}/namespaces/${parent}`, undefined, 409, 'NamespaceNotEmptyException');

  // Emptied, each drops; a second drop is 404.
  await ok('DELETE', tablePath(withTable, 't'), undefined, 204);
  await ok('DELETE', `${P}/namespaces/${withTable}`, undefined, 204);
  await ok('DELETE', viewPath(withView, 'v'), undefined, 204);
  await ok('DELETE', `${P}/namespaces/${withView}`, undefined, 204);
  await ok('DELETE', `${P}/namespaces/${nsPath([parent, 'child'])}`, undefined, 204);
  await ok('DELETE', `${P}/namespaces/${parent}`, undefined, 204);
  await iceErr('DELETE', `${P}/namespaces/${parent}`, undefined, 404, 'NoSuchNamespaceException');
});

test('a table on another branch keeps its namespace from being dropped', async () => {
  const cat = await mkcat();
  const ns = await mkns([uniq('nb')], cat);
  expectJson(await srv.req('POST', '/api/v1/branches', { body: { name: 'dev', catalog: cat } }), 201);
  await ok('POST', `/v1/${cat}/namespaces/${ns}/tables?branch=dev`, { name: 't', schema: simpleSchema() });
  await iceErr('DELETE', `/v1/${cat}/namespaces/${ns}`, undefined, 409, 'NamespaceNotEmptyException');
});

test('namespace properties: updates and removals answer {updated, removed, missing}; a key in both is 400', async () => {
  const ns = await mkns([uniq('props')], CATALOG, { a: '1', b: '2', c: '3' });
  const r = await ok('POST', `${P}/namespaces/${ns}/properties`, { updates: { a: '10', d: '4' }, removals: ['b', 'zz'] });
  assert.deepEqual(r.updated.sort(), ['a', 'd']);
  assert.deepEqual(r.removed, ['b']);
  assert.deepEqual(r.missing, ['zz']);
  assert.deepEqual((await ok('GET', `${P}/namespaces/${ns}`)).properties, { a: '10', c: '3', d: '4' });
  await iceErr('POST', `${P}/namespaces/${ns}/properties`, { updates: { c: 'x' }, removals: ['c'] }, 400);
  assert.deepEqual((await ok('GET', `${P}/namespaces/${ns}`)).properties, { a: '10', c: '3', d: '4' }, 'a 400 changes nothing');
  await iceErr('POST', `${P}/namespaces/${uniq('missing')}/properties`, { updates: { a: '1' } }, 404, 'NoSuchNamespaceException');
});

test('list namespaces: top level without parent, direct children only with parent=, missing parent is 404', async () => {
  const cat = await mkcat();
  for (const levels of [['a'], ['a', 'b'], ['a', 'b', 'c'], ['a', 'd'], ['e']]) await mkns(levels, cat);
  const top = await ok('GET', `/v1/${cat}/namespaces`);
  assert.deepEqual(top.namespaces.map((n) => n.join('.')).sort(), ['a', 'default', 'e']);
  assert.equal(top['next-page-token'], null);
  const kids = await ok('GET', `/v1/${cat}/namespaces?parent=a`);
  assert.deepEqual(kids.namespaces.sort(), [['a', 'b'], ['a', 'd']]);
  const grand = await ok('GET', `/v1/${cat}/namespaces?parent=${nsPath(['a', 'b'])}`);
  assert.deepEqual(grand.namespaces, [['a', 'b', 'c']]);
  assert.deepEqual((await ok('GET', `/v1/${cat}/namespaces?parent=e`)).namespaces, []);
  await iceErr('GET', `/v1/${cat}/namespaces?parent=zz`, undefined, 404, 'NoSuchNamespaceException');
});

// ---------------------------------------------------------------- tables: create

test('create reassigns every id (§2.3), takes format-version from properties and strips reserved keys', async () => {
  const ns = await mkns();
  const body = await ok('POST', `${P}/namespaces/${ns}/tables`, {
    name: 'ids',
    schema: sampleSchema(),
    'partition-spec': { 'spec-id': 5, fields: [{ name: 'id_bucket', transform: 'bucket[8]', 'source-id': 11, 'field-id': 7 }, { name: 'ts_day', transform: 'day', 'source-id': 12, 'field-id': 3 }] },
    'write-order': { 'order-id': 9, fields: [{ transform: 'identity', 'source-id': 12, direction: 'desc', 'null-order': 'nulls-last' }] },
    properties: { 'format-version': '3', uuid: 'not-mine', 'current-snapshot-id': '5', 'snapshot-count': '1', owner: 'me' },
  });
  const md = body.metadata;
  assert.equal(md['format-version'], 3);
  const schema = md.schemas[0];
  assert.equal(md['current-schema-id'], 0);
  assert.equal(schema['schema-id'], 0);
  // a1 b2 c3 d4 e5, then point.x 6, point.y 7, tags.element 8, attrs.key 9, attrs.value 10.
  assert.deepEqual(schema.fields.map((f) => [f.name, f.id]), [['id', 1], ['ts', 2], ['point', 3], ['tags', 4], ['attrs', 5]]);
  assert.deepEqual(schema.fields[2].type.fields.map((f) => f.id), [6, 7]);
  assert.equal(schema.fields[3].type['element-id'], 8);
  assert.equal(schema.fields[4].type['key-id'], 9);
  assert.equal(schema.fields[4].type['value-id'], 10);
  assert.deepEqual(schema['identifier-field-ids'], [1]);
  assert.equal(md['last-column-id'], 10);
  assert.equal(md['default-spec-id'], 0);
  assert.deepEqual(md['partition-specs'], [{ 'spec-id': 0, fields: [
    { name: 'id_bucket', transform: 'bucket[8]', 'source-id': 1, 'field-id': 1000 },
    { name: 'ts_day', transform: 'day', 'source-id': 2, 'field-id': 1001 }] }]);
  assert.equal(md['last-partition-id'], 1001);
  assert.equal(md['default-sort-order-id'], 1);
  assert.deepEqual(md['sort-orders'], [{ 'order-id': 1, fields: [{ transform: 'identity', 'source-id': 2, direction: 'desc', 'null-order': 'nulls-last' }] }]);
  assert.deepEqual(md.properties, { 'write.parquet.compression-codec': 'zstd', owner: 'me' });
  assert.notEqual(md['table-uuid'], 'not-mine');
  assert.equal(md['current-snapshot-id'], null, 'v3 writes null for no snapshot');
  assert.equal(md['next-row-id'], 0);
  // The default location, and the file holds exactly the metadata answered.
  assert.equal(md.location, fileUri(path.join(srv.catalogRoot, ns, 'ids')));
  assert.match(body['metadata-location'], new RegExp(`^${md.location}/metadata/00000-[0-9a-f-]{36}\\.metadata\\.json$`));
  assert.deepEqual(JSON.parse(fs.readFileSync(fsPath(body['metadata-location']), 'utf8')), md);
});

test('create defaults: format 2, unpartitioned (last-partition-id 999), unsorted (order 0), current-snapshot-id -1', async () => {
  const ns = await mkns();
  const { metadata: md } = await mktable(ns, 'plain', { location: path.join(srv.catalogRoot, ns, 'elsewhere', uniq('loc')) + '/' });
  assert.equal(md['format-version'], 2);
  assert.deepEqual(md['partition-specs'], [{ 'spec-id': 0, fields: [] }]);
  assert.equal(md['last-partition-id'], 999);
  assert.deepEqual(md['sort-orders'], [{ 'order-id': 0, fields: [] }]);
  assert.equal(md['default-sort-order-id'], 0);
  assert.equal(md['current-snapshot-id'], -1);
  assert.equal(md['last-sequence-number'], 0);
  assert.ok(!md.location.endsWith('/'), 'trailing / stripped');
  assert.deepEqual(md.refs, {});
  assert.deepEqual(md.snapshots, []);
  assert.deepEqual(md['metadata-log'], []);
});

test('a nested namespace\'s table lives at <catalog>/<level>/<level>/<table>', async () => {
  const levels = [uniq('outer'), 'inner'];
  await mkns([levels[0]]);
  const ns = await mkns(levels);
  const t = await mktable(ns, 'deep');
  assert.equal(t.metadata.location, fileUri(path.join(srv.catalogRoot, ...levels, 'deep')));
  assert.deepEqual((await ok('GET', `${P}/namespaces/${ns}/tables`)).identifiers, [{ namespace: levels, name: 'deep' }]);
  assert.deepEqual((await ok('GET', `${P}/namespaces/${ns}`)).namespace, levels);
});

test('create in a missing namespace is 404; a bad format-version or schema is 400', async () => {
  await iceErr('POST', `${P}/namespaces/${uniq('missing')}/tables`, { name: 't', schema: simpleSchema() }, 404, 'NoSuchNamespaceException');
  const ns = await mkns();
  await iceErr('POST', `${P}/namespaces/${ns}/tables`, { name: 't', schema: simpleSchema(), properties: { 'format-version': 'x' } }, 400);
  await iceErr('POST', `${P}/namespaces/${ns}/tables`, { name: 't', schema: simpleSchema(), properties: { 'format-version': '9' } }, 400);
  await iceErr('POST', `${P}/namespaces/${ns}/tables`, { name: 't', schema: { type: 'struct', fields: [{ id: 1, name: 'a', required: true, type: 'nope' }] } }, 400);
  await iceErr('POST', `${P}/namespaces/${ns}/tables`, { name: 't', schema: simpleSchema(), 'partition-spec': { fields: [{ name: 'p', transform: 'identity', 'source-id': 99 }] } }, 400);
  assert.equal((await req('HEAD', tablePath(ns, 't'))).status, 404, 'nothing was created');
  assert.deepEqual(files(path.join(srv.catalogRoot, ns)), [], 'nothing was written');
});

test('a table or view name clash is 409 "Table/View with same name already exists"', async () => {
  const ns = await mkns();
  await mktable(ns, 'tbl');
  await ok('POST', `${P}/namespaces/${ns}/views`, view('vw'));
  await iceErr('POST', `${P}/namespaces/${ns}/tables`, { name: 'tbl', schema: simpleSchema() }, 409, 'AlreadyExistsException', /Table with same name already exists/);
  await iceErr('POST', `${P}/namespaces/${ns}/tables`, { name: 'vw', schema: simpleSchema() }, 409, 'AlreadyExistsException', /View with same name already exists/);
  await iceErr('POST', `${P}/namespaces/${ns}/views`, view('tbl'), 409, 'AlreadyExistsException', /Table with same name already exists/);
  await iceErr('POST', `${P}/namespaces/${ns}/views`, view('vw'), 409, 'AlreadyExistsException', /View with same name already exists/);
  // A staged create checks too.
  await iceErr('POST', `${P}/namespaces/${ns}/tables`, { name: 'tbl', schema: simpleSchema(), 'stage-create': true }, 409, 'AlreadyExistsException');
});

test('stage-create writes nothing; an assert-create commit then creates the table with the client\'s ids', async () => {
  const ns = await mkns();
  const staged = await ok('POST', `${P}/namespaces/${ns}/tables`, { name: 'ctas', schema: sampleSchema(), 'stage-create': true });
  assert.equal(staged['metadata-location'] ?? null, null);
  const md = staged.metadata;
  assert.equal(md.location, fileUri(path.join(srv.catalogRoot, ns, 'ctas')));
  assert.equal((await req('HEAD', tablePath(ns, 'ctas'))).status, 404);
  assert.deepEqual(files(md.location), []);

  const updates = [
    { action: 'assign-uuid', uuid: md['table-uuid'] },
    { action: 'upgrade-format-version', 'format-version': 2 },
    { action: 'add-schema', schema: md.schemas[0] },
    { action: 'set-current-schema', 'schema-id': -1 },
    { action: 'add-spec', spec: md['partition-specs'][0] },
    { action: 'set-default-spec', 'spec-id': -1 },
    { action: 'add-sort-order', 'sort-order': md['sort-orders'][0] },
    { action: 'set-default-sort-order', 'sort-order-id': -1 },
    { action: 'set-location', location: md.location },
    setProps({ created: 'by-tx' }),
  ];
  // Any other requirement next to assert-create is 400.
  await iceErr('POST', tablePath(ns, 'ctas'), { requirements: [{ type: 'assert-create' }, { type: 'assert-current-schema-id', 'current-schema-id': 0 }], updates }, 400);
  const done = await commit(ns, 'ctas', { requirements: [{ type: 'assert-create' }], updates });
  assert.match(path.basename(done['metadata-location']), /^00000-/);
  assert.equal(done.metadata['table-uuid'], md['table-uuid']);
  assert.equal(done.metadata.properties.created, 'by-tx');
  assert.deepEqual(done.metadata.schemas[0].fields.map((f) => f.id), [1, 2, 3, 4, 5]);
  assert.deepEqual((await load(ns, 'ctas')).metadata, done.metadata);
  // Once it exists, assert-create fails.
  await iceErr('POST', tablePath(ns, 'ctas'), { requirements: [{ type: 'assert-create' }], updates }, 409, 'CommitFailedException');
});

// ---------------------------------------------------------------- tables: load

test('load sends an ETag; If-None-Match with it is 304 until the table changes; snapshots=refs has its own', async () => {
  const ns = await mkns();
  const created = await req('POST', `${P}/namespaces/${ns}/tables`, { body: { name: 'e', schema: simpleSchema() } });
  const r1 = await req('GET', tablePath(ns, 'e'));
  const tag = r1.headers.etag;
  assert.ok(tag, 'ETag on load');
  assert.equal(created.headers.etag, tag, 'the create answer carries the same ETag');
  const nm = await req('GET', tablePath(ns, 'e'), { headers: { 'if-none-match': tag } });
  assert.equal(nm.status, 304);
  assert.equal(nm.text, '');
  const other = await req('GET', tablePath(ns, 'e'), { headers: { 'if-none-match': '"something-else"' } });
  assert.equal(other.status, 200);
  const refs = await req('GET', `${tablePath(ns, 'e')}?snapshots=refs`);
  assert.equal(refs.status, 200);
  assert.notEqual(refs.headers.etag, tag, 'the refs view is a different representation');
  assert.equal((await req('GET', `${tablePath(ns, 'e')}?snapshots=refs`, { headers: { 'if-none-match': refs.headers.etag } })).status, 304);

  await commit(ns, 'e', { updates: [setProps({ k: 'v' })] });
  const r2 = await req('GET', tablePath(ns, 'e'), { headers: { 'if-none-match': tag } });
  assert.equal(r2.status, 200, 'a stale ETag gets the new metadata');
  assert.notEqual(r2.headers.etag, tag);
  assert.equal(r2.json.metadata.properties.k, 'v');
  await iceErr('GET', `${tablePath(ns, 'e')}?snapshots=some`, undefined, 400);
});

test('load with snapshots=refs keeps only the snapshots a ref points at', async () => {
  const ns = await mkns();
  let md = (await mktable(ns, 'snaps')).metadata;
  for (let i = 0; i < 3; i++) md = (await commit(ns, 'snaps', { updates: appendUpdates(md) })).metadata;
  assert.equal(md.snapshots.length, 3);
  const all = await load(ns, 'snaps');
  assert.equal(all.metadata.snapshots.length, 3);
  const refs = await ok('GET', `${tablePath(ns, 'snaps')}?snapshots=refs`);
  assert.deepEqual(refs.metadata.snapshots.map((s) => s['snapshot-id']), [md['current-snapshot-id']]);
  const { snapshots: a, ...restAll } = all.metadata;
  const { snapshots: b, ...restRefs } = refs.metadata;
  assert.deepEqual(restRefs, restAll, 'everything else is identical');
});

test('table HEAD is 204 / 404, and a view is not a table', async () => {
  const ns = await mkns();
  await mktable(ns, 'h');
  await ok('POST', `${P}/namespaces/${ns}/views`, view('v'));
  assert.equal((await req('HEAD', tablePath(ns, 'h'))).status, 204);
  assert.equal((await req('HEAD', tablePath(ns, 'nope'))).status, 404);
  assert.equal((await req('HEAD', tablePath(ns, 'v'))).status, 404);
  await iceErr('GET', tablePath(ns, 'v'), undefined, 404, 'NoSuchTableException');
  await iceErr('GET', tablePath(ns, 'nope'), undefined, 404, 'NoSuchTableException');
});

// ---------------------------------------------------------------- tables: commit

test('every requirement type fails with 409 CommitFailedException when stale and passes when current', async () => {
  const ns = await mkns();
  let md = (await mktable(ns, 'req', { 'partition-spec': { fields: [{ name: 'id_b', transform: 'bucket[4]', 'source-id': 1 }] } })).metadata;
  md = (await commit(ns, 'req', { updates: appendUpdates(md) })).metadata;
  const snap = md['current-snapshot-id'];
  const good = [
    { type: 'assert-table-uuid', uuid: md['table-uuid'].toUpperCase() },
    { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': snap },
    { type: 'assert-ref-snapshot-id', ref: 'nobranch', 'snapshot-id': null },
    { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': md['last-column-id'] },
    { type: 'assert-current-schema-id', 'current-schema-id': md['current-schema-id'] },
    { type: 'assert-last-assigned-partition-id', 'last-assigned-partition-id': md['last-partition-id'] },
    { type: 'assert-default-spec-id', 'default-spec-id': md['default-spec-id'] },
    { type: 'assert-default-sort-order-id', 'default-sort-order-id': md['default-sort-order-id'] },
  ];
  const bad = [
    { type: 'assert-table-uuid', uuid: '00000000-0000-0000-0000-000000000000' },
    { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': snap + 1 },
    { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null },
    { type: 'assert-ref-snapshot-id', ref: 'nobranch', 'snapshot-id': snap },
    { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': md['last-column-id'] + 1 },
    { type: 'assert-current-schema-id', 'current-schema-id': md['current-schema-id'] + 1 },
    { type: 'assert-last-assigned-partition-id', 'last-assigned-partition-id': md['last-partition-id'] - 1 },
    { type: 'assert-default-spec-id', 'default-spec-id': md['default-spec-id'] + 1 },
    { type: 'assert-default-sort-order-id', 'default-sort-order-id': md['default-sort-order-id'] + 1 },
  ];
  const before = (await load(ns, 'req'))['metadata-location'];
  for (const b of bad) {
    const e = await iceErr('POST', tablePath(ns, 'req'), { requirements: [...good, b], updates: [setProps({ x: 'y' })] }, 409, 'CommitFailedException');
    assert.match(e.error.message, /Requirement failed/, JSON.stringify(b));
  }
  // assert-create on an existing table: 409 alone, 400 next to other requirements (§2.6).
  await iceErr('POST', tablePath(ns, 'req'), { requirements: [{ type: 'assert-create' }], updates: [] }, 409, 'CommitFailedException');
  await iceErr('POST', tablePath(ns, 'req'), { requirements: [...good, { type: 'assert-create' }], updates: [] }, 400);
  assert.equal((await load(ns, 'req'))['metadata-location'], before, 'a failed commit changes nothing');
  const passed = await commit(ns, 'req', { requirements: good, updates: [setProps({ x: 'y' })] });
  assert.equal(passed.metadata.properties.x, 'y');
  assert.notEqual(passed['metadata-location'], before);
});

test('an unknown update action or requirement type is 400; a missing table is 404 NoSuchTableException', async () => {
  const ns = await mkns();
  await mktable(ns, 'u');
  await iceErr('POST', tablePath(ns, 'u'), { updates: [{ action: 'make-it-fast' }] }, 400);
  await iceErr('POST', tablePath(ns, 'u'), { requirements: [{ type: 'assert-good-vibes' }], updates: [] }, 400);
  await iceErr('POST', tablePath(ns, 'u'), { updates: [{ action: 'set-current-schema', 'schema-id': 42 }] }, 400);
  await iceErr('POST', tablePath(ns, 'u'), { updates: 'nope' }, 400);
  await iceErr('POST', tablePath(ns, 'nope'), { updates: [setProps({ a: 'b' })] }, 404, 'NoSuchTableException');
});

test('a no-op commit answers the current metadata and writes no new file', async () => {
  const ns = await mkns();
  const t = await mktable(ns, 'noop');
  const dir = path.join(fsPath(t.metadata.location), 'metadata');
  const before = files(dir);
  for (const updates of [[], [{ action: 'set-current-schema', 'schema-id': 0 }], [{ action: 'remove-properties', removals: [] }]]) {
    const r = await commit(ns, 'noop', { requirements: [{ type: 'assert-table-uuid', uuid: t.metadata['table-uuid'] }], updates });
    assert.equal(r['metadata-location'], t['metadata-location'], JSON.stringify(updates));
    assert.deepEqual(r.metadata, t.metadata);
  }
  assert.deepEqual(files(dir), before, 'no file was written');
  // A set-properties of an unchanged value is a change (§9-9).
  await commit(ns, 'noop', { updates: [setProps({ a: '1' })] });
  const again = await commit(ns, 'noop', { updates: [setProps({ a: '1' })] });
  assert.match(path.basename(again['metadata-location']), /^00002-/);
  assert.equal(files(dir).length, before.length + 2);
});

test('commits number files 00001, 00002, ... and append the previous file to metadata-log', async () => {
  const ns = await mkns();
  const t = await mktable(ns, 'seq');
  const c1 = await commit(ns, 'seq', { updates: [setProps({ n: '1' })] });
  const c2 = await commit(ns, 'seq', { updates: [setProps({ n: '2' })] });
  assert.match(path.basename(c1['metadata-location']), /^00001-[0-9a-f-]{36}\.metadata\.json$/);
  assert.match(path.basename(c2['metadata-location']), /^00002-/);
  assert.deepEqual(c2.metadata['metadata-log'].map((e) => e['metadata-file']), [t['metadata-location'], c1['metadata-location']]);
  assert.equal(c2.metadata['metadata-log'][1]['timestamp-ms'], c1.metadata['last-updated-ms']);
  assert.deepEqual(JSON.parse(fs.readFileSync(fsPath(c2['metadata-location']), 'utf8')), c2.metadata);
});

test('metadata-log is trimmed to write.metadata.previous-versions-max; old files stay unless delete-after-commit', async () => {
  const ns = await mkns();
  const t = await mktable(ns, 'trim', { properties: { 'write.metadata.previous-versions-max': '2' } });
  const locs = [t['metadata-location']];
  let last;
  for (let i = 0; i < 5; i++) {
    last = await commit(ns, 'trim', { updates: [setProps({ i: String(i) })] });
    locs.push(last['metadata-location']);
  }
  const log = last.metadata['metadata-log'].map((e) => e['metadata-file']);
  assert.deepEqual(log, locs.slice(-3, -1), 'the newest 2 previous files');
  assert.equal(metadataFiles(t.metadata.location).length, 6, 'without delete-after-commit every file stays');
});

test('write.metadata.delete-after-commit.enabled=true deletes the files that fall out of metadata-log', async () => {
  const ns = await mkns();
  const t = await mktable(ns, 'gc', { properties: { 'write.metadata.previous-versions-max': '2', 'write.metadata.delete-after-commit.enabled': 'true' } });
  const locs = [t['metadata-location']];
  let last;
  for (let i = 0; i < 5; i++) {
    last = await commit(ns, 'gc', { updates: [setProps({ i: String(i) })] });
    locs.push(last['metadata-location']);
  }
  const kept = [...last.metadata['metadata-log'].map((e) => e['metadata-file']), last['metadata-location']];
  assert.deepEqual(kept, locs.slice(-3));
  assert.deepEqual(metadataFiles(t.metadata.location), kept.map((f) => path.basename(f)).sort());
  for (const gone of locs.slice(0, -3)) assert.ok(!fs.existsSync(fsPath(gone)), `${gone} deleted`);
});

test('add-snapshot + set-snapshot-ref main moves current-snapshot-id, refs, snapshot-log and last-sequence-number', async () => {
  const ns = await mkns();
  let md = (await mktable(ns, 'app')).metadata;
  const first = appendUpdates(md);
  md = (await commit(ns, 'app', { requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }], updates: first })).metadata;
  const s1 = first[0].snapshot['snapshot-id'];
  assert.equal(md['current-snapshot-id'], s1);
  assert.deepEqual(md.refs, { main: { 'snapshot-id': s1, type: 'branch' } });
  assert.equal(md['last-sequence-number'], 1);
  const second = appendUpdates(md);
  md = (await commit(ns, 'app', { requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': s1 }], updates: second })).metadata;
  const s2 = second[0].snapshot['snapshot-id'];
  assert.equal(md['current-snapshot-id'], s2);
  assert.equal(md.snapshots[1]['parent-snapshot-id'], s1);
  assert.deepEqual(md['snapshot-log'].map((e) => e['snapshot-id']), [s1, s2]);
  assert.equal(md['last-sequence-number'], 2);
  // A stale sequence number is 409 (retryable), not 400.
  const stale = appendUpdates(md);
  stale[0].snapshot['sequence-number'] = 1;
  await iceErr('POST', tablePath(ns, 'app'), { updates: stale }, 409, 'CommitFailedException');
});

test('write.metadata.compression-codec=gzip writes .gz.metadata.json files that load, commit and register', async () => {
  const ns = await mkns();
  const t = await mktable(ns, 'gz', { properties: { 'write.metadata.compression-codec': 'gzip' } });
  assert.match(path.basename(t['metadata-location']), /^00000-[0-9a-f-]{36}\.gz\.metadata\.json$/);
  assert.deepEqual(JSON.parse(zlib.gunzipSync(fs.readFileSync(fsPath(t['metadata-location']))).toString('utf8')), t.metadata);
  assert.deepEqual((await load(ns, 'gz')).metadata, t.metadata);
  const c = await commit(ns, 'gz', { updates: [setProps({ a: '1' })] });
  assert.match(path.basename(c['metadata-location']), /^00001-.*\.gz\.metadata\.json$/);
  assert.deepEqual(JSON.parse(zlib.gunzipSync(fs.readFileSync(fsPath(c['metadata-location']))).toString('utf8')), c.metadata);
  // Registered as a table of its own: a copy at a location of its own.
  const dir = path.join(srv.catalogRoot, ns, 'gz2');
  const reg = await ok('POST', `${P}/namespaces/${ns}/register`, { name: 'gz2', 'metadata-location': ownCopy(c['metadata-location'], dir) });
  assert.deepEqual(reg.metadata, { ...c.metadata, location: fileUri(dir) });
  // Back to no codec: the next file is plain JSON.
  const plain = await commit(ns, 'gz', { updates: [setProps({ 'write.metadata.compression-codec': 'none' })] });
  assert.match(path.basename(plain['metadata-location']), /^00002-[0-9a-f-]{36}\.metadata\.json$/);
  assert.deepEqual(JSON.parse(fs.readFileSync(fsPath(plain['metadata-location']), 'utf8')), plain.metadata);
});

test('a v1 table: created from format-version 1, written with the v1 fields, and committable', async () => {
  const ns = await mkns();
  const { metadata: md } = await mktable(ns, 'old', { properties: { 'format-version': '1' } });
  assert.equal(md['format-version'], 1);
  assert.deepEqual(md.schema, md.schemas[0], 'v1 writes the current schema as `schema`');
  assert.deepEqual(md['partition-spec'], [], 'and the default spec\'s fields as `partition-spec`');
  assert.equal(md['current-snapshot-id'], -1);
  assert.equal(md['last-sequence-number'], undefined);
  const snap = { 'snapshot-id': 77, 'timestamp-ms': Date.now(), summary: { operation: 'append' }, 'manifest-list': `${md.location}/metadata/snap-77.avro`, 'schema-id': 0 };
  const c = await commit(ns, 'old', { updates: [{ action: 'add-snapshot', snapshot: snap }, { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 77 }] });
  assert.equal(c.metadata['current-snapshot-id'], 77);
  assert.equal(c.metadata['format-version'], 1);
});

// ---------------------------------------------------------------- tables: drop, rename, register

test('drop is 204, then 404; without purge the files stay', async () => {
  const ns = await mkns();
  const t = await mktable(ns, 'keep');
  await commit(ns, 'keep', { updates: [setProps({ a: '1' })] });
  await ok('DELETE', `${tablePath(ns, 'keep')}?purgeRequested=false`, undefined, 204);
  await iceErr('DELETE', tablePath(ns, 'keep'), undefined, 404, 'NoSuchTableException');
  assert.equal((await req('HEAD', tablePath(ns, 'keep'))).status, 404);
  assert.equal(metadataFiles(t.metadata.location).length, 2);
});

/** Drop with purge: 204 at once, the purge runs as a task; wait for it. */
async function purgeDrop(p) {
  const r = await ok('DELETE', p, undefined, 204);
  const t = await waitTask(req, r.headers['pangolin-task-id']);
  assert.equal(t.status, 'succeeded', JSON.stringify(t));
  assert.equal(t.kind, 'purge');
  return t;
}

test('purgeRequested=True (any case) deletes the table\'s metadata files, never another table\'s', async () => {
  const ns = await mkns();
  const a = await mktable(ns, 'a');
  const a1 = await commit(ns, 'a', { updates: [setProps({ v: '1' })] });
  // Rename a -> b, then create a new `a`: <ns>/a is b's (every table owns
  // its files, issue 67), so the new one takes <ns>/a-<8 hex>.
  await ok('POST', `${P}/tables/rename`, { source: { namespace: [ns], name: 'a' }, destination: { namespace: [ns], name: 'b' } }, 204);
  const a2 = await mktable(ns, 'a');
  assert.match(a2.metadata.location, new RegExp(`^${a.metadata.location}-[0-9a-f]{8}$`), 'a directory of its own');
  const a2c = await commit(ns, 'a', { updates: [setProps({ v: '2' })] });
  const bFiles = [a['metadata-location'], a1['metadata-location']];
  const aFiles = [a2['metadata-location'], a2c['metadata-location']];

  await purgeDrop(`${tablePath(ns, 'b')}?purgeRequested=True`);
  for (const f of bFiles) assert.ok(!fs.existsSync(fsPath(f)), `purged ${f}`);
  for (const f of aFiles) assert.ok(fs.existsSync(fsPath(f)), `kept ${f} (another table's)`);
  assert.equal((await load(ns, 'a')).metadata.properties.v, '2');

  await purgeDrop(`${tablePath(ns, 'a')}?purgeRequested=TRUE`);
  for (const f of aFiles) assert.ok(!fs.existsSync(fsPath(f)), `purged ${f}`);
});

test('purge of a table whose metadata file is already gone is one 204, and the server answers on', async () => {
  const ns = await mkns();
  const t = await mktable(ns, 'gone');
  fs.unlinkSync(fsPath(t['metadata-location']));
  // One response: a second one on the same request would desync the
  // connection, so keep using it (keep-alive agent) right after.
  const task = await purgeDrop(`${tablePath(ns, 'gone')}?purgeRequested=true`);
  assert.deepEqual(task.result, { purge: { deleted_files: 0, deleted_bytes: 0 } });
  assert.equal((await req('HEAD', tablePath(ns, 'gone'))).status, 404);
  await ok('GET', `${P}/namespaces/${ns}`);
});

test('rename: across namespaces 204 (same metadata); missing source 404; missing target namespace 404; taken target 409', async () => {
  const from = await mkns();
  const to = await mkns();
  const t = await mktable(from, 'mv');
  const rn = (src, dst) => req('POST', `${P}/tables/rename`, { body: { source: src, destination: dst } });
  const r = await rn({ namespace: [from], name: 'mv' }, { namespace: [to], name: 'moved' });
  assert.equal(r.status, 204);
  assert.equal((await req('HEAD', tablePath(from, 'mv'))).status, 404);
  const moved = await load(to, 'moved');
  assert.equal(moved['metadata-location'], t['metadata-location'], 'metadata and location untouched');

  expectError(await rn({ namespace: [from], name: 'mv' }, { namespace: [to], name: 'x' }), 404, { iceberg: true });
  assert.equal((await rn({ namespace: [from], name: 'mv' }, { namespace: [to], name: 'x' })).json.error.type, 'NoSuchTableException');
  const e = expectError(await rn({ namespace: [to], name: 'moved' }, { namespace: [uniq('gone')], name: 'x' }), 404, { iceberg: true });
  assert.equal(e.error.type, 'NoSuchNamespaceException');
  await mktable(to, 'taken');
  await ok('POST', `${P}/namespaces/${to}/views`, view('aview'));
  for (const name of ['taken', 'aview']) {
    const c = expectError(await rn({ namespace: [to], name: 'moved' }, { namespace: [to], name }), 409, { iceberg: true });
    assert.equal(c.error.type, 'AlreadyExistsException');
  }
  // Renaming onto itself is a no-op.
  assert.equal((await rn({ namespace: [to], name: 'moved' }, { namespace: [to], name: 'moved' })).status, 204);
  assert.equal((await load(to, 'moved'))['metadata-location'], t['metadata-location']);
});

test('register points a new table at an existing file; 409 unless overwrite; next commit numbers on', async () => {
  const ns = await mkns();
  const src = await mktable(ns, 'src');
  const c1 = await commit(ns, 'src', { updates: [setProps({ gen: '1' })] });
  // Its files are src's while src is registered (every table owns its
  // files, issue 67): src lets go of them first.
  await iceErr('POST', `${P}/namespaces/${ns}/register`, { name: 'copy', 'metadata-location': c1['metadata-location'] }, 409, 'AlreadyExistsException');
  await ok('POST', `${tablePath(ns, 'src')}/unregister`, {});
  const reg = await ok('POST', `${P}/namespaces/${ns}/register`, { name: 'copy', 'metadata-location': c1['metadata-location'] });
  assert.equal(reg['metadata-location'], c1['metadata-location']);
  assert.deepEqual(reg.metadata, c1.metadata);
  assert.equal((await load(ns, 'copy'))['metadata-location'], c1['metadata-location'], 'no new file: the pointer is that file');
  const next = await commit(ns, 'copy', { updates: [setProps({ gen: '2' })] });
  assert.match(path.basename(next['metadata-location']), /^00002-/);

  await iceErr('POST', `${P}/namespaces/${ns}/register`, { name: 'copy', 'metadata-location': src['metadata-location'] }, 409, 'AlreadyExistsException');
  const over = await ok('POST', `${P}/namespaces/${ns}/register`, { name: 'copy', 'metadata-location': src['metadata-location'], overwrite: true });
  assert.equal(over['metadata-location'], src['metadata-location']);
  assert.equal((await load(ns, 'copy'))['metadata-location'], src['metadata-location']);

  await iceErr('POST', `${P}/namespaces/${ns}/register`, { name: 'ghost', 'metadata-location': path.join(srv.catalogRoot, ns, 'nope', 'metadata', '00000-x.metadata.json') }, 404);
  await iceErr('POST', `${P}/namespaces/${uniq('missing')}/register`, { name: 'r', 'metadata-location': src['metadata-location'] }, 404, 'NoSuchNamespaceException');
  const junk = path.join(srv.catalogRoot, ns, 'junk', 'metadata', '00009-junk.metadata.json');
  fs.mkdirSync(path.dirname(junk), { recursive: true });
  fs.writeFileSync(junk, '{"not": "metadata"}');
  await iceErr('POST', `${P}/namespaces/${ns}/register`, { name: 'junk', 'metadata-location': junk }, 400);
});

test('register reads the file itself: a purged or garbage-collected metadata file is 404 even right after a load', async () => {
  const ns = await mkns();
  const t = await mktable(ns, 'gone');
  await load(ns, 'gone');
  await purgeDrop(`${tablePath(ns, 'gone')}?purgeRequested=true`);
  assert.ok(!fs.existsSync(fsPath(t['metadata-location'])));
  await iceErr('POST', `${P}/namespaces/${ns}/register`, { name: 'gone', 'metadata-location': t['metadata-location'] }, 404);
  assert.equal((await req('HEAD', tablePath(ns, 'gone'))).status, 404, 'no table points at a missing file');

  const g = await mktable(ns, 'gc', { properties: { 'write.metadata.previous-versions-max': '1', 'write.metadata.delete-after-commit.enabled': 'true' } });
  await load(ns, 'gc');
  await commit(ns, 'gc', { updates: [setProps({ a: '1' })] });
  await commit(ns, 'gc', { updates: [setProps({ a: '2' })] });
  assert.ok(!fs.existsSync(fsPath(g['metadata-location'])), 'the first file fell out of the log and was deleted');
  await iceErr('POST', `${P}/namespaces/${ns}/register`, { name: 'gc', 'metadata-location': g['metadata-location'], overwrite: true }, 404);

  const v = await ok('POST', `${P}/namespaces/${ns}/views`, view('vgone'));
  await ok('GET', viewPath(ns, 'vgone'));
  fs.rmSync(fsPath(v['metadata-location']));
  // A file in a live view's place is that view's (issue 67): refused
  // before it is read, missing or not.
  await iceErr('POST', `${P}/namespaces/${ns}/register-view`, { name: 'vgone2', 'metadata-location': v['metadata-location'] }, 409);
  const elsewhere = path.join(srv.catalogRoot, ns, 'vgone3', 'metadata', path.basename(fsPath(v['metadata-location'])));
  await iceErr('POST', `${P}/namespaces/${ns}/register-view`, { name: 'vgone3', 'metadata-location': elsewhere }, 404);
});

test('unregister removes the pointer, keeps the files and answers {metadata-location, metadata}', async () => {
  const ns = await mkns();
  const t = await mktable(ns, 'unreg');
  const r = await ok('POST', `${tablePath(ns, 'unreg')}/unregister`, {});
  assert.equal(r['metadata-location'], t['metadata-location']);
  assert.deepEqual(r.metadata, t.metadata);
  assert.equal((await req('HEAD', tablePath(ns, 'unreg'))).status, 404);
  assert.ok(fs.existsSync(fsPath(t['metadata-location'])), 'the file stays');
  await ok('POST', `${P}/namespaces/${ns}/register`, { name: 'unreg', 'metadata-location': t['metadata-location'] });
  assert.equal((await req('HEAD', tablePath(ns, 'unreg'))).status, 204);
  await iceErr('POST', `${tablePath(ns, 'none')}/unregister`, {}, 404, 'NoSuchTableException');
});

function metricsReport() {
  return {
    'report-type': 'commit-report', 'table-name': 'x', 'snapshot-id': 1, 'sequence-number': 1, operation: 'append',
    metrics: {},
  };
}

test('metrics report is 204; credentials is 200 {storage-credentials} (none for local disk)', async () => {
  const ns = await mkns();
  await mktable(ns, 'm');
  await ok('POST', `${tablePath(ns, 'm')}/metrics`, metricsReport(), 204);
  await iceErr('POST', `${tablePath(ns, 'zz')}/metrics`, metricsReport(), 404, 'NoSuchTableException');
  const c = await ok('GET', `${tablePath(ns, 'm')}/credentials`);
  assert.deepEqual(c, { 'storage-credentials': [] });
  await iceErr('GET', `${tablePath(ns, 'zz')}/credentials`, undefined, 404, 'NoSuchTableException');
});

// ---------------------------------------------------------------- views

test('views: create, list, load, HEAD, replace, rename, drop, register-view', async () => {
  const ns = await mkns();
  const created = await ok('POST', `${P}/namespaces/${ns}/views`, view('v1', { properties: { owner: 'me' } }));
  const md = created.metadata;
  assert.equal(md['format-version'], 1);
  assert.equal(md['current-version-id'], 1);
  assert.equal(md.versions.length, 1);
  assert.equal(md.versions[0]['version-id'], 1);
  assert.equal(md.versions[0]['schema-id'], 0);
  assert.equal(md.schemas[0]['schema-id'], 0);
  assert.deepEqual(md['version-log'].map((e) => e['version-id']), [1]);
  assert.equal(md.properties.owner, 'me');
  assert.equal(md.location, fileUri(path.join(srv.catalogRoot, ns, 'v1')));
  assert.match(created['metadata-location'], /\/metadata\/00000-[0-9a-f-]{36}\.gz\.metadata\.json$/, 'views default to gzip');
  assert.ok(fs.existsSync(fsPath(created['metadata-location'])));

  await ok('POST', `${P}/namespaces/${ns}/views`, view('v2'));
  await mktable(ns, 'not-a-view');
  const list = await ok('GET', `${P}/namespaces/${ns}/views`);
  assert.deepEqual(list.identifiers.map((i) => i.name).sort(), ['v1', 'v2']);
  const tables = await ok('GET', `${P}/namespaces/${ns}/tables`);
  assert.deepEqual(tables.identifiers.map((i) => i.name), ['not-a-view']);

  const loaded = await ok('GET', viewPath(ns, 'v1'));
  assert.equal(loaded['metadata-location'], created['metadata-location']);
  assert.deepEqual(loaded.metadata, md);
  assert.equal((await req('HEAD', viewPath(ns, 'v1'))).status, 204);
  assert.equal((await req('HEAD', viewPath(ns, 'zz'))).status, 404);
  assert.equal((await req('HEAD', viewPath(ns, 'not-a-view'))).status, 404);
  await iceErr('GET', viewPath(ns, 'zz'), undefined, 404, 'NoSuchViewException');

  // Replace, as Java's replaceView sends it.
  const replace = (uuid) => ({
    requirements: [{ type: 'assert-view-uuid', uuid }],
    updates: [
      { action: 'add-schema', schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', required: false, type: 'long' }, { id: 2, name: 'm', required: false, type: 'string' }] } },
      { action: 'add-view-version', 'view-version': { 'version-id': 0, 'timestamp-ms': Date.now(), 'schema-id': -1, summary: { engine: 'test' }, 'default-namespace': [ns], representations: [{ type: 'sql', sql: "select 1 as n, 'a' as m", dialect: 'spark' }] } },
      { action: 'set-current-view-version', 'view-version-id': -1 },
    ],
  });
  await iceErr('POST', viewPath(ns, 'v1'), replace('00000000-0000-0000-0000-000000000000'), 409, 'CommitFailedException');
  const rep = await ok('POST', viewPath(ns, 'v1'), replace(md['view-uuid']));
  assert.equal(rep.metadata['current-version-id'], 2);
  assert.equal(rep.metadata.versions.find((v) => v['version-id'] === 2)['schema-id'], 1);
  assert.deepEqual(rep.metadata['version-log'].map((e) => e['version-id']), [1, 2]);
  assert.match(path.basename(rep['metadata-location']), /^00001-.*\.gz\.metadata\.json$/);
  assert.equal((await ok('GET', viewPath(ns, 'v1')))['metadata-location'], rep['metadata-location']);
  await iceErr('POST', viewPath(ns, 'v1'), { updates: [{ action: 'set-current-view-version', 'view-version-id': 77 }] }, 400);
  await iceErr('POST', viewPath(ns, 'zz'), replace(md['view-uuid']), 404, 'NoSuchViewException');

  // Rename (a table name is taken too), then drop.
  const rn = (src, dst) => req('POST', `${P}/views/rename`, { body: { source: { namespace: [ns], name: src }, destination: { namespace: [ns], name: dst } } });
  expectError(await rn('v1', 'not-a-view'), 409, { iceberg: true });
  expectError(await rn('v1', 'v2'), 409, { iceberg: true });
  expectError(await rn('zz', 'v9'), 404, { iceberg: true });
  assert.equal((await rn('v1', 'v1b')).status, 204);
  assert.equal((await req('HEAD', viewPath(ns, 'v1'))).status, 404);
  assert.equal((await ok('GET', viewPath(ns, 'v1b')))['metadata-location'], rep['metadata-location']);
  await ok('DELETE', viewPath(ns, 'v1b'), undefined, 204);
  await iceErr('DELETE', viewPath(ns, 'v1b'), undefined, 404, 'NoSuchViewException');

  // The dropped view still owns its files (it is recoverable, and every
  // table or view owns its files, issue 67): its file is not registered
  // under a new name; a copy of its own, at a location of its own, is.
  await iceErr('POST', `${P}/namespaces/${ns}/register-view`, { name: 'back', 'metadata-location': rep['metadata-location'] }, 409, 'AlreadyExistsException');
  const dir = path.join(srv.catalogRoot, ns, 'back');
  const copy = ownCopy(rep['metadata-location'], dir);
  const reg = await ok('POST', `${P}/namespaces/${ns}/register-view`, { name: 'back', 'metadata-location': copy });
  assert.equal(reg['metadata-location'], copy);
  assert.deepEqual(reg.metadata, { ...rep.metadata, location: fileUri(dir) });
  assert.equal((await ok('GET', viewPath(ns, 'back'))).metadata['current-version-id'], 2);
  await iceErr('POST', `${P}/namespaces/${ns}/register-view`, { name: 'back', 'metadata-location': copy }, 409, 'AlreadyExistsException');
  // A live view's file is not registered under another name either.
  const v2 = await ok('GET', viewPath(ns, 'v2'));
  await iceErr('POST', `${P}/namespaces/${ns}/register-view`, { name: 'v2copy', 'metadata-location': v2['metadata-location'] }, 409, 'AlreadyExistsException');
  assert.equal((await req('HEAD', viewPath(ns, 'v2copy'))).status, 404);
  await iceErr('POST', `${P}/namespaces/${ns}/register-view`, { name: 'v3', 'metadata-location': path.join(srv.catalogRoot, ns, 'none', 'none.gz.metadata.json') }, 404);
});

// ---------------------------------------------------------------- transactions

test('POST /transactions/commit changes every table (204) or, with one failing requirement, none (409)', async () => {
  const ns = await mkns();
  const a = await mktable(ns, 'ta');
  const b = await mktable(ns, 'tb');
  const change = (name, md, props, uuid = md['table-uuid']) => ({
    identifier: { namespace: [ns], name },
    requirements: [{ type: 'assert-table-uuid', uuid }],
    updates: [setProps(props)],
  });
  await ok('POST', `${P}/transactions/commit`, { 'table-changes': [change('ta', a.metadata, { tx: '1' }), change('tb', b.metadata, { tx: '1' })] }, 204);
  const a1 = await load(ns, 'ta');
  const b1 = await load(ns, 'tb');
  assert.equal(a1.metadata.properties.tx, '1');
  assert.equal(b1.metadata.properties.tx, '1');
  assert.notEqual(a1['metadata-location'], a['metadata-location']);
  assert.notEqual(b1['metadata-location'], b['metadata-location']);

  const aFiles = metadataFiles(a.metadata.location).length;
  await iceErr('POST', `${P}/transactions/commit`, {
    'table-changes': [change('ta', a.metadata, { tx: '2' }), change('tb', b.metadata, { tx: '2' }, '00000000-0000-0000-0000-000000000000')],
  }, 409, 'CommitFailedException');
  const a2 = await load(ns, 'ta');
  const b2 = await load(ns, 'tb');
  assert.equal(a2['metadata-location'], a1['metadata-location'], 'ta unchanged');
  assert.equal(b2['metadata-location'], b1['metadata-location'], 'tb unchanged');
  assert.equal(a2.metadata.properties.tx, '1');
  assert.equal(metadataFiles(a.metadata.location).length, aFiles, 'no file left behind for ta');

  // An invalid update in one change also leaves every table alone.
  await iceErr('POST', `${P}/transactions/commit`, {
    'table-changes': [change('ta', a.metadata, { tx: '3' }), { identifier: { namespace: [ns], name: 'tb' }, updates: [{ action: 'set-current-schema', 'schema-id': 9 }] }],
  }, 400);
  assert.equal((await load(ns, 'ta'))['metadata-location'], a1['metadata-location']);

  await iceErr('POST', `${P}/transactions/commit`, { 'table-changes': [{ updates: [setProps({ a: 'b' })] }] }, 400);
  await iceErr('POST', `${P}/transactions/commit`, { 'table-changes': [] }, 400);
  await iceErr('POST', `${P}/transactions/commit`, { 'table-changes': [change('ta', a.metadata, { x: '1' }), change('nope', a.metadata, { x: '1' })] }, 404, 'NoSuchTableException');
  assert.equal((await load(ns, 'ta'))['metadata-location'], a1['metadata-location']);
});

// ---------------------------------------------------------------- v3 row lineage

/** appendUpdates for a v3 table: rows [first, first + added); added undefined leaves added-rows out. */
function rowUpdates(md, first, added) {
  const u = appendUpdates(md);
  u[0].snapshot['first-row-id'] = first;
  if (added !== undefined) u[0].snapshot['added-rows'] = added;
  return u;
}

test('v3 add-snapshot without added-rows is 400 naming the field, and next-row-id stays', async () => {
  const ns = await mkns();
  let md = (await mktable(ns, 'rows', { properties: { 'format-version': '3' } })).metadata;
  md = (await commit(ns, 'rows', { updates: rowUpdates(md, 0, 30) })).metadata;
  assert.equal(md['next-row-id'], 30);
  const b = await iceErr('POST', tablePath(ns, 'rows'), { updates: rowUpdates(md, 30) }, 400);
  assert.match(b.error.message, /added-rows/);
  const now = (await load(ns, 'rows')).metadata;
  assert.equal(now['next-row-id'], 30);
  assert.equal(now.snapshots.length, 1);
});

test('v3 snapshots never share row ids: behind next-row-id is 409; past it, next-row-id moves past the snapshot\'s rows', async () => {
  const ns = await mkns();
  let md = (await mktable(ns, 'gap', { properties: { 'format-version': '3' } })).metadata;
  md = (await commit(ns, 'gap', { updates: rowUpdates(md, 100, 10) })).metadata;
  assert.equal(md['next-row-id'], 110, 'past the ids [100, 110) the snapshot took');
  await iceErr('POST', tablePath(ns, 'gap'), { updates: rowUpdates(md, 10, 100) }, 409, 'CommitFailedException');
  md = (await commit(ns, 'gap', { updates: rowUpdates(md, 110, 5) })).metadata;
  assert.equal(md['next-row-id'], 115);
  assertRowIdsApart(md);
});

test('/transactions/commit: a v3 snapshot without added-rows (400) or at ids another holds (409) changes no table', async () => {
  const ns = await mkns();
  const a = (await mktable(ns, 'ra', { properties: { 'format-version': '3' } })).metadata;
  let b = (await mktable(ns, 'rb', { properties: { 'format-version': '3' } })).metadata;
  const change = (name, updates) => ({ identifier: { namespace: [ns], name }, requirements: [], updates });
  await ok('POST', `${P}/transactions/commit`, { 'table-changes': [change('rb', rowUpdates(b, 0, 7))] }, 204);
  b = (await load(ns, 'rb')).metadata;
  const before = [(await load(ns, 'ra'))['metadata-location'], (await load(ns, 'rb'))['metadata-location']];
  const bad = await iceErr('POST', `${P}/transactions/commit`, {
    'table-changes': [change('ra', [setProps({ tx: '1' })]), change('rb', rowUpdates(b, 7))],
  }, 400);
  assert.match(bad.error.message, /added-rows/);
  await iceErr('POST', `${P}/transactions/commit`, {
    'table-changes': [change('ra', rowUpdates(a, 0, 3)), change('rb', rowUpdates(b, 3, 3))],
  }, 409, 'CommitFailedException');
  assert.deepEqual([(await load(ns, 'ra'))['metadata-location'], (await load(ns, 'rb'))['metadata-location']], before);
  assert.equal((await load(ns, 'rb')).metadata['next-row-id'], 7);
});

test('register refuses a v3 file whose snapshots share row ids, hold ids past next-row-id, or lack added-rows (400)', async () => {
  const ns = await mkns();
  const t = await mktable(ns, 'src', { properties: { 'format-version': '3' } });
  const md = { ...t.metadata, location: fileUri(path.join(srv.catalogRoot, ns, 'bad')) };
  const dir = path.join(fsPath(md.location), 'metadata');
  fs.mkdirSync(dir, { recursive: true });
  const snapshot = (id, seq, first, added) => ({
    'snapshot-id': id, 'sequence-number': seq, 'timestamp-ms': md['last-updated-ms'],
    summary: { operation: 'append' }, 'manifest-list': `${md.location}/metadata/snap-${id}.avro`, 'schema-id': 0,
    'first-row-id': first, ...(added !== undefined ? { 'added-rows': added } : {}),
  });
  const file = (name, snapshots, next) => {
    const f = path.join(dir, `00009-${name}.metadata.json`);
    fs.writeFileSync(f, JSON.stringify({ ...md, 'last-sequence-number': 2, 'next-row-id': next, snapshots }));
    return f;
  };
  const shared = await iceErr('POST', `${P}/namespaces/${ns}/register`,
    { name: 'shared', 'metadata-location': file('shared', [snapshot(1, 1, 0, 10), snapshot(2, 2, 5, 10)], 15) }, 400);
  assert.match(shared.error.message, /snapshots 1 and 2 share row ids/);
  const past = await iceErr('POST', `${P}/namespaces/${ns}/register`,
    { name: 'past', 'metadata-location': file('past', [snapshot(1, 1, 0, 10)], 4) }, 400);
  assert.match(past.error.message, /past next-row-id 4/);
  const missing = await iceErr('POST', `${P}/namespaces/${ns}/register`,
    { name: 'missing', 'metadata-location': file('missing', [snapshot(1, 1, 0)], 0) }, 400);
  assert.match(missing.error.message, /added-rows/);
  for (const name of ['shared', 'past', 'missing']) await iceErr('GET', tablePath(ns, name), undefined, 404);
  const good = await ok('POST', `${P}/namespaces/${ns}/register`,
    { name: 'good', 'metadata-location': file('good', [snapshot(1, 1, 0, 10), snapshot(2, 2, 10, 5)], 15) });
  assertRowIdsApart(good.metadata);
});

// ---------------------------------------------------------------- idempotency

test('Idempotency-Key: a repeated create gets the first answer back without running again', async () => {
  const cat = await mkcat();
  const ns = await mkns([uniq('idem')], cat);
  const key = '017f22e2-79b0-7cc3-98c4-dc0c0c07398f'.replace(/^.{8}/, Math.random().toString(16).slice(2, 10).padEnd(8, '0'));
  const headers = { 'idempotency-key': key };
  const body = { name: 'once', schema: simpleSchema() };
  const first = await req('POST', `/v1/${cat}/namespaces/${ns}/tables`, { body, headers });
  assert.equal(first.status, 200);
  const second = await req('POST', `/v1/${cat}/namespaces/${ns}/tables`, { body, headers });
  assert.equal(second.status, 200, 'not 409: the create did not run again');
  assert.deepEqual(second.json, first.json);
  // Without the key the same create is a conflict.
  expectError(await req('POST', `/v1/${cat}/namespaces/${ns}/tables`, { body }), 409, { iceberg: true });
  const commits = expectJson(await srv.req('GET', `/api/v1/branches/main/commits?catalog=${cat}`), 200);
  assert.equal(commits.filter((c) => /Create table/.test(c.message)).length, 1, 'one create in the log');

  // A repeated drop is 204 twice.
  const dkey = { 'idempotency-key': `${key.slice(0, -4)}dddd` };
  assert.equal((await req('DELETE', tablePath(ns, 'once', cat), { headers: dkey })).status, 204);
  assert.equal((await req('DELETE', tablePath(ns, 'once', cat), { headers: dkey })).status, 204);
});

test('Idempotency-Key reused for a different request is 422 (and that request does not run)', async () => {
  const ns = await mkns();
  const key = `0190aaaa-bbbb-7ccc-8ddd-${Math.random().toString(16).slice(2, 14).padEnd(12, '0')}`;
  const headers = { 'idempotency-key': key };
  assert.equal((await req('POST', `${P}/namespaces/${ns}/tables`, { body: { name: 'k1', schema: simpleSchema() }, headers })).status, 200);
  // Another route with the same key.
  expectError(await req('POST', `${P}/namespaces`, { body: { namespace: [uniq('k')] }, headers }), 422, { iceberg: true });
  // The same route with another body: a different request, not a replay.
  expectError(await req('POST', `${P}/namespaces/${ns}/tables`, { body: { name: 'k2', schema: simpleSchema() }, headers }), 422, { iceberg: true });
  assert.equal((await req('HEAD', tablePath(ns, 'k2'))).status, 404, 'the second create did not run');
});

// ---------------------------------------------------------------- pagination

test('pagination: no pageToken is everything with next-page-token null; pageToken/pageSize walk pages; bad values 400', async () => {
  const cat = await mkcat();
  const ns = await mkns([uniq('pg')], cat);
  for (let i = 0; i < 5; i++) await mkns([`n${i}`], cat);
  for (let i = 0; i < 5; i++) await mktable(ns, `t${i}`, {}, cat);
  for (const [list, key] of [[`/v1/${cat}/namespaces`, 'namespaces'], [`/v1/${cat}/namespaces/${ns}/tables`, 'identifiers']]) {
    const all = await ok('GET', list);
    assert.equal(all['next-page-token'], null, `${list}: no token, no next page`);
    assert.ok(all[key].length >= 5);
    const withSize = await ok('GET', `${list}?pageSize=2`);
    assert.deepEqual(withSize[key], all[key], 'pageSize without pageToken still lists everything');
    const seen = [];
    let token = '';
    let pages = 0;
    do {
      const page = await ok('GET', `${list}?pageToken=${encodeURIComponent(token)}&pageSize=2`);
      assert.ok(page[key].length <= 2);
      seen.push(...page[key]);
      token = page['next-page-token'];
      pages++;
      assert.ok(pages < 10);
    } while (token !== null && token !== undefined);
    assert.deepEqual(seen, all[key], `${list}: pages concatenate to the full list`);
    assert.equal(pages, Math.ceil(all[key].length / 2));
    for (const qs of ['pageToken=%21bogus', 'pageToken=o-1', 'pageSize=0', 'pageSize=abc', 'pageSize=-1', 'pageToken=&pageSize=x']) {
      expectError(await req('GET', `${list}?${qs}`), 400, { iceberg: true });
    }
  }
});

// ---------------------------------------------------------------- commit log

test('every create, commit, rename, register and drop appends a commit on the branch (newest first, Put/Delete)', async () => {
  const cat = await mkcat();
  const ns = await mkns([uniq('log')], cat);
  const log = async (branch = 'main') => expectJson(await srv.req('GET', `/api/v1/branches/${branch}/commits?catalog=${cat}`), 200);
  const start = await log();
  const t = await mktable(ns, 'lt', {}, cat);
  const c = await commit(ns, 'lt', { updates: [setProps({ a: '1' })] }, 200, cat);
  await ok('POST', `/v1/${cat}/tables/rename`, { source: { namespace: [ns], name: 'lt' }, destination: { namespace: [ns], name: 'lt2' } }, 204);
  await ok('POST', `/v1/${cat}/namespaces/${ns}/register`, { name: 'reg', 'metadata-location': ownCopy(t['metadata-location'], path.join(fsPath(t.metadata.location), '..', 'reg')) });
  const lv = await ok('POST', `/v1/${cat}/namespaces/${ns}/views`, view('lv'));
  const lv2 = await ok('POST', viewPath(ns, 'lv', cat), { requirements: [{ type: 'assert-view-uuid', uuid: lv.metadata['view-uuid'] }], updates: [setProps({ k: 'v' })] });
  await ok('DELETE', tablePath(ns, 'lt2', cat), undefined, 204);
  await ok('DELETE', viewPath(ns, 'lv', cat), undefined, 204);
  // A no-op commit and a failed one append nothing.
  await commit(ns, 'reg', { updates: [] }, 200, cat);
  await iceErr('POST', tablePath(ns, 'reg', cat), { requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': 5 }], updates: [setProps({ a: '2' })] }, 409);

  const all = await log();
  const added = all.slice(0, all.length - start.length);
  assert.deepEqual(all.slice(added.length), start, 'history before is kept');
  const kinds = (x) => x.operations.map((o) => Object.keys(o)[0]).join(',');
  assert.deepEqual(added.map(kinds).reverse(), ['Put', 'Put', 'Delete,Put', 'Put', 'Put', 'Put', 'Delete', 'Delete']);
  const names = (x) => x.operations.map((o) => (o.Put ? o.Put.asset.name : o.Delete.name)).join(',');
  assert.deepEqual(added.map(names).reverse(), ['lt', 'lt', 'lt,lt2', 'reg', 'lv', 'lv', 'lt2', 'lv']);
  assert.equal(added[2].operations[0].Put.asset.properties.metadata_location, lv2['metadata-location'], 'the view replace records its new file');
  assert.equal(added[2].operations[0].Put.asset.kind, 'VIEW');
  const put = added[added.length - 2].operations[0].Put.asset;
  assert.equal(put.properties.metadata_location, c['metadata-location'], 'the commit records the new pointer');
  assert.equal(put.kind, 'ICEBERG_TABLE');
  for (let i = 0; i + 1 < all.length; i++) {
    assert.equal(all[i].parent_id, all[i + 1].id, 'a parent chain, newest first');
    assert.ok(all[i].timestamp >= all[i + 1].timestamp);
  }
  const head = expectJson(await srv.req('GET', `/api/v1/branches/main?catalog=${cat}`), 200).head_commit_id;
  assert.equal(head, all[0].id);

  // A commit on another branch goes to that branch's history only.
  expectJson(await srv.req('POST', '/api/v1/branches', { body: { name: 'dev', catalog: cat } }), 201);
  await commit(ns, 'reg@dev', { updates: [setProps({ b: '1' })] }, 200, cat);
  const dev = await log('dev');
  assert.equal(dev[0].message.includes('reg'), true);
  assert.equal(dev[1].id, all[0].id, 'dev branched from main\'s head');
  assert.deepEqual(await log(), all, 'main did not move');
});
