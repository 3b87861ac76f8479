// End to end with an Iceberg client nobody here wrote: npm iceberg-js
// (unmodified) against the real server.  Its `fetch` option is the only
// hook used: every /v1 answer it receives is checked against the Iceberg
// OpenAPI spec (lib/openapi.js) and every request is recorded, so the
// tests can also look at what the client sent.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { IcebergError, IcebergRestCatalog } from 'iceberg-js';
import { uniq } from './lib/expect.js';
import { basic, NIL_UUID } from './lib/server.js';
import { CATALOG, files, metadataFiles, sampleSchema, simpleSchema, startIcebergServer } from './lib/iceberg.js';
import { validatingFetch } from './lib/openapi.js';
import { waitIdle } from './lib/tasks.js';
import { keys as bucketKeys, s3, splitS3, startSwift } from './lib/s3.js';
import { list as cephList, s3 as cephS3, startCeph } from './lib/ceph.js';
import { fsPath } from './lib/location.js';

let srv;
let checked;
const sent = [];
// PGL_ICEBERG_AUTH=oauth (a second run in tests/run-integration.sh): auth
// on, and iceberg-js carries a bearer token from OAuth2 client credentials.
const OAUTH = process.env.PGL_ICEBERG_AUTH === 'oauth';
let auth = { type: 'none' };
// PGL_ICEBERG_S3=1 (a third run): the catalog is on an S3 warehouse in
// OpenStack Swift with s3api (tests/servers/swift.sh), and the checks of
// what was written look in the bucket instead of on disk.
const S3 = process.env.PGL_ICEBERG_S3 === '1';
// PGL_ICEBERG_STS=1 (a fourth run): the catalog is on an S3 warehouse in
// Ceph's RADOS Gateway that vends STS credentials (use_sts + role_arn,
// tests/servers/ceph.sh), and the client asks for them on every table
// call (accessDelegation: ['vended-credentials']).
const STS = process.env.PGL_ICEBERG_STS === '1';
const CAT = S3 ? 's3demo' : STS ? 'stsdemo' : CATALOG;
const BUCKET = `pgl-js-${process.pid}`;
let swift, ceph;

/** An S3 warehouse and catalog `s3demo` in it. */
async function s3Catalog() {
  assert.equal(s3(swift, 'PUT', `/${BUCKET}`).status, 200);
  const ok = (r, status) => { assert.equal(r.status, status, r.text); return JSON.parse(r.text); };
  ok(await srv.rawReq('POST', '/api/v1/warehouses', { body: { name: 's3wh', storage_config: { type: 's3', bucket: BUCKET,
    endpoint: swift.endpoint, access_key_id: 'test:tester', secret_access_key: 'testing' } } }), 201);
  ok(await srv.rawReq('POST', '/api/v1/catalogs', { body: { name: CAT, warehouse_name: 's3wh' } }), 201);
}

/** A warehouse on Ceph vending STS credentials for role S3Access, and catalog `stsdemo` in it. */
async function stsCatalog() {
  const ok = (r, status) => { assert.equal(r.status, status, r.text); return JSON.parse(r.text); };
  ok(await srv.rawReq('POST', '/api/v1/warehouses', { body: { name: 'stswh', use_sts: true, storage_config: { type: 's3',
    bucket: ceph.bucket, endpoint: ceph.endpoint, region: 'us-east-1', access_key_id: ceph.accessKey,
    secret_access_key: ceph.secretKey, role_arn: ceph.roleArn, sts_duration_secs: '900' } } }), 201);
  ok(await srv.rawReq('POST', '/api/v1/catalogs', { body: { name: CAT, warehouse_name: 'stswh' } }), 201);
}

/** What is stored under a directory-like location: file names on disk, keys in the bucket. */
function stored(location) {
  if (!S3 && !STS) return files(location);
  const [bucket, key] = splitS3(location);
  if (S3) return bucketKeys(swift, bucket, `${key}/`);
  const r = cephList(ceph, bucket, `${key}/`);
  assert.equal(r.status, 200, r.text);
  return r.keys;
}
const storedMetadata = (tableLocation) => (S3 || STS ? stored(`${tableLocation}/metadata`).filter((k) => k.endsWith('.metadata.json'))
  : metadataFiles(tableLocation));
function exists(location) {
  if (S3) return s3(swift, 'HEAD', `/${splitS3(location).join('/')}`).status === 200;
  if (STS) return cephS3(ceph, 'HEAD', `/${splitS3(location).join('/')}`).status === 200;
  return fs.existsSync(fsPath(location));
}
const catalogLocation = () => (S3 ? `s3://${BUCKET}/${CAT}` : STS ? `s3://${ceph.bucket}/${CAT}` : srv.catalogRoot);

/** A tenant-admin service user of the default tenant, and a token from /v1/oauth/tokens. */
async function clientCredentialsToken() {
  const PW = 'Str0ng-Passw0rd-for-tests';
  const root = { authorization: basic() };
  const ok = (r, status) => { assert.equal(r.status, status, r.text); return JSON.parse(r.text); };
  ok(await srv.rawReq('POST', '/api/v1/users', { body: { username: 'ice-admin', password: PW, tenant_id: NIL_UUID, role: 'tenant-admin' }, headers: root }), 201);
  const { token } = ok(await srv.rawReq('POST', '/api/v1/users/login', { body: { username: 'ice-admin', password: PW, 'tenant-id': NIL_UUID } }), 200);
  const su = ok(await srv.rawReq('POST', '/api/v1/service-users', { body: { name: 'iceberg-js', role: 'tenant-admin' }, headers: { authorization: `Bearer ${token}` } }), 201);
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: su.id, client_secret: su.api_key }).toString();
  return ok(await srv.rawReq('POST', '/v1/oauth/tokens', { body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 200).access_token;
}

/** A fresh client (its own config/prefix resolution) over the checked fetch. */
function client(opts = {}) {
  return new IcebergRestCatalog({
    baseUrl: `http://127.0.0.1:${srv.port}`,
    warehouse: CAT,
    auth,
    fetch: async (url, init = {}) => {
      sent.push({ url: new URL(url), method: (init.method ?? 'GET').toUpperCase(), headers: { ...(init.headers ?? {}) }, body: init.body });
      return checked(url, init);
    },
    ...(STS ? { accessDelegation: ['vended-credentials'] } : {}),
    ...opts,
  });
}

let catalog;
before(async () => {
  // Swift listens on loopback: its origin is allow-listed, as an operator would.
  if (S3) swift = await startSwift();
  if (STS) ceph = await startCeph();
  srv = await startIcebergServer({ ...(OAUTH ? { root: true, noAuth: false } : {}),
    allowEndpoints: S3 ? [swift.endpoint] : STS ? [ceph.endpoint] : [] });
  if (OAUTH) auth = { type: 'bearer', token: await clientCredentialsToken() };
  if (S3) await s3Catalog();
  if (STS) await stsCatalog();
  checked = validatingFetch();
  catalog = client();
});
afterEach(() => {
  assert.deepEqual(checked.failures.map((e) => e.message), [], 'every /v1 answer matches the Iceberg OpenAPI spec');
});
after(async () => {
  await srv?.stop();
  swift?.destroy();
  ceph?.destroy();
});

/** Run fn and return the IcebergError it throws. */
async function icebergError(fn) {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof IcebergError, `an IcebergError, got ${e}`);
    return e;
  }
  assert.fail('expected an IcebergError');
}

const schema = () => ({
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: true },
    { id: 2, name: 'ts', type: 'timestamp', required: true },
    { id: 3, name: 'user_id', type: 'string', required: false },
  ],
  'identifier-field-ids': [1],
});

test('config: GET /v1/config?warehouse= first, then every call under the prefix it returns', async () => {
  sent.length = 0;
  const c = client();
  const cfg = await c.loadConfig();
  assert.equal(cfg.overrides.prefix, CAT);
  assert.ok(Array.isArray(cfg.endpoints));
  await c.listNamespaces();
  assert.equal(sent[0].url.pathname, '/v1/config');
  assert.equal(sent[0].url.searchParams.get('warehouse'), CAT);
  assert.equal(sent[1].url.pathname, `/v1/${CAT}/namespaces`);
  // A client that never called loadConfig resolves the prefix itself, once.
  sent.length = 0;
  const lazy = client();
  await Promise.all([lazy.listNamespaces(), lazy.listNamespaces()]);
  assert.equal(sent.filter((s) => s.url.pathname === '/v1/config').length, 1);
  // An unknown warehouse: the client falls back to it as the prefix and the server says 404.
  const lost = client({ warehouse: uniq('nowhere') });
  const e = await icebergError(() => lost.listNamespaces());
  assert.equal(e.status, 404);
  assert.equal(e.icebergType, 'NoSuchNamespaceException');
});

test('namespaces: create, load, exists, properties, list with parent and paging, drop', async () => {
  const top = uniq('js');
  await catalog.createNamespace({ namespace: [top] }, { properties: { owner: 'js' } });
  for (const k of ['a', 'b', 'c']) await catalog.createNamespace({ namespace: [top, k] });
  await catalog.createNamespace({ namespace: [top, 'a', 'deep'] });

  assert.deepEqual(await catalog.loadNamespaceMetadata({ namespace: [top] }), { properties: { owner: 'js' } });
  assert.equal(await catalog.namespaceExists({ namespace: [top, 'a'] }), true);
  assert.equal(await catalog.namespaceExists({ namespace: [top, 'zz'] }), false);

  const all = await catalog.listNamespaces();
  assert.ok(all.namespaces.some((n) => n.namespace.join('.') === top));
  assert.ok(!all.namespaces.some((n) => n.namespace.length > 1), 'top level only');
  assert.equal(all.nextPageToken, undefined);

  const kids = await catalog.listNamespaces({ parent: { namespace: [top] } });
  assert.deepEqual(kids.namespaces.map((n) => n.namespace), [[top, 'a'], [top, 'b'], [top, 'c']]);
  const deep = await catalog.listNamespaces({ parent: { namespace: [top, 'a'] } });
  assert.deepEqual(deep.namespaces.map((n) => n.namespace), [[top, 'a', 'deep']]);

  // Paging: an empty pageToken starts it; follow next-page-token to the end.
  const pages = [];
  let token = '';
  do {
    const page = await catalog.listNamespaces({ parent: { namespace: [top] }, pageSize: 2, pageToken: token });
    pages.push(page.namespaces.map((n) => n.namespace.at(-1)));
    token = page.nextPageToken;
  } while (token !== undefined);
  assert.deepEqual(pages, [['a', 'b'], ['c']]);

  const upd = await catalog.updateNamespaceProperties({ namespace: [top] }, { updates: { team: 'x' }, removals: ['owner', 'nope'] });
  assert.deepEqual(upd, { updated: ['team'], removed: ['owner'], missing: ['nope'] });
  assert.deepEqual((await catalog.loadNamespaceMetadata({ namespace: [top] })).properties, { team: 'x' });

  const dup = await icebergError(() => catalog.createNamespace({ namespace: [top] }));
  assert.equal(dup.status, 409);
  assert.equal(dup.icebergType, 'AlreadyExistsException');
  assert.equal(await catalog.createNamespaceIfNotExists({ namespace: [top] }), undefined);

  const busy = await icebergError(() => catalog.dropNamespace({ namespace: [top] }));
  assert.equal(busy.status, 409);
  assert.equal(busy.icebergType, 'NamespaceNotEmptyException');
  await catalog.dropNamespace({ namespace: [top, 'a', 'deep'] });
  await catalog.dropNamespace({ namespace: [top, 'a'] });
  assert.equal(await catalog.namespaceExists({ namespace: [top, 'a'] }), false);
  const missing = await icebergError(() => catalog.loadNamespaceMetadata({ namespace: [top, 'a'] }));
  assert.equal(missing.status, 404);
  assert.equal(missing.icebergType, 'NoSuchNamespaceException');
});

test('tables: create, list with paging, load (ETag, If-None-Match, snapshots=refs), exists', async () => {
  const ns = { namespace: [uniq('jst')] };
  await catalog.createNamespace(ns);
  const created = await catalog.createTableResult(ns, {
    name: 'events',
    schema: schema(),
    // As iceberg-js users write it: no spec-id, no field-id.
    'partition-spec': { fields: [{ 'source-id': 2, name: 'ts_day', transform: 'day' }] },
    'write-order': { 'order-id': 1, fields: [{ 'source-id': 1, transform: 'identity', direction: 'asc', 'null-order': 'nulls-first' }] },
    properties: { 'write.format.default': 'parquet' },
  });
  const md = created.metadata;
  assert.ok(created['metadata-location'], 'create returns metadata-location');
  assert.ok(created.etag, 'create returns an ETag');
  assert.equal(md['format-version'], 2);
  assert.deepEqual(md['partition-specs'][0].fields, [{ name: 'ts_day', transform: 'day', 'source-id': 2, 'field-id': 1000 }]);
  assert.equal(md.properties['write.format.default'], 'parquet');
  assert.ok(exists(created['metadata-location']));

  for (const n of ['a', 'b', 'c', 'd']) await catalog.createTable(ns, { name: n, schema: simpleSchema() });
  const list = await catalog.listTables(ns);
  assert.deepEqual(list.identifiers.map((i) => i.name), ['a', 'b', 'c', 'd', 'events']);
  assert.equal(list.nextPageToken, undefined);
  const names = [];
  let token = '';
  do {
    const page = await catalog.listTables(ns, { pageSize: 2, pageToken: token });
    assert.ok(page.identifiers.length <= 2);
    names.push(...page.identifiers.map((i) => i.name));
    token = page.nextPageToken;
  } while (token !== undefined);
  assert.deepEqual(names, ['a', 'b', 'c', 'd', 'events']);

  const id = { namespace: ns.namespace, name: 'events' };
  const loaded = await catalog.loadTableResult(id);
  assert.equal(loaded['metadata-location'], created['metadata-location']);
  assert.deepEqual(loaded.metadata, md);
  assert.equal(loaded.etag, created.etag);
  assert.equal(await catalog.loadTable(id, { ifNoneMatch: loaded.etag }), null, '304 -> null');
  const refs = await catalog.loadTable(id, { snapshots: 'refs' });
  assert.deepEqual(refs, md);

  assert.equal(await catalog.tableExists(id), true);
  assert.equal(await catalog.tableExists({ namespace: ns.namespace, name: 'nope' }), false);
  const e = await icebergError(() => catalog.loadTable({ namespace: ns.namespace, name: 'nope' }));
  assert.equal(e.status, 404);
  assert.equal(e.icebergType, 'NoSuchTableException');
  const dup = await icebergError(() => catalog.createTable(ns, { name: 'events', schema: schema() }));
  assert.equal(dup.status, 409);
  assert.deepEqual(await catalog.createTableIfNotExists(ns, { name: 'events', schema: schema() }), md);
});

test('tables: commit (properties, schema evolution, snapshots) answers metadata-location; a stale requirement is 409', async () => {
  const ns = { namespace: [uniq('jsc')] };
  await catalog.createNamespace(ns);
  const id = { namespace: ns.namespace, name: 't' };
  const t0 = await catalog.createTableResult(ns, { name: 't', schema: schema() });
  const md0 = t0.metadata;

  const c1 = await catalog.updateTable(id, {
    requirements: [{ type: 'assert-table-uuid', uuid: md0['table-uuid'] }],
    updates: [{ action: 'set-properties', updates: { 'commit.by': 'iceberg-js' } }],
  });
  assert.match(path.basename(c1['metadata-location']), /^00001-/);
  assert.equal(c1.metadata.properties['commit.by'], 'iceberg-js');

  // Schema evolution as a Java client sends it.
  const next = structuredClone(md0.schemas[0]);
  next.fields.push({ id: 4, name: 'country', type: 'string', required: false });
  const c2 = await catalog.commitTable(id, {
    requirements: [
      { type: 'assert-current-schema-id', 'current-schema-id': 0 },
      { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': 3 },
    ],
    updates: [{ action: 'add-schema', schema: next }, { action: 'set-current-schema', 'schema-id': -1 }],
  });
  assert.equal(c2.metadata['current-schema-id'], 1);
  assert.equal(c2.metadata['last-column-id'], 4);

  // An append: add-snapshot + set-snapshot-ref main, guarded by assert-ref-snapshot-id.
  const snapId = 4200000000000 + Math.floor(Math.random() * 1e6);
  const c3 = await catalog.updateTable(id, {
    requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }],
    updates: [
      { action: 'add-snapshot', snapshot: { 'snapshot-id': snapId, 'sequence-number': 1, 'timestamp-ms': Date.now(), summary: { operation: 'append' }, 'manifest-list': `${md0.location}/metadata/snap-${snapId}.avro`, 'schema-id': 1 } },
      { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': snapId },
    ],
  });
  assert.equal(c3.metadata['current-snapshot-id'], snapId);
  assert.deepEqual(c3.metadata.refs.main, { 'snapshot-id': snapId, type: 'branch' });

  const stale = await icebergError(() => catalog.updateTable(id, {
    requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }],
    updates: [{ action: 'set-properties', updates: { x: 'y' } }],
  }));
  assert.equal(stale.status, 409);
  assert.equal(stale.icebergType, 'CommitFailedException');
  const bad = await icebergError(() => catalog.updateTable(id, { updates: [{ action: 'set-current-schema', 'schema-id': 99 }] }));
  assert.equal(bad.status, 400);

  const now = await catalog.loadTableResult(id);
  assert.equal(now['metadata-location'], c3['metadata-location']);
  assert.equal(await catalog.loadTable(id, { ifNoneMatch: t0.etag }) === null, false, 'the create ETag is stale now');
  assert.equal(await catalog.loadTable(id, { ifNoneMatch: now.etag }), null);
  assert.deepEqual((await catalog.loadTable(id, { snapshots: 'refs' })).snapshots.map((s) => s['snapshot-id']), [snapId]);
});

test('tables: stage-create writes nothing; register, rename, drop with purge', async () => {
  const ns = { namespace: [uniq('jsr')] };
  const other = { namespace: [uniq('jsr2')] };
  await catalog.createNamespace(ns);
  await catalog.createNamespace(other);

  const staged = await catalog.createTableResult(ns, { name: 'ctas', schema: sampleSchema(), 'stage-create': true });
  assert.equal(staged['metadata-location'] ?? null, null, 'no metadata-location for a staged create');
  assert.equal(staged.metadata.schemas[0].fields[0].id, 1);
  assert.equal(await catalog.tableExists({ namespace: ns.namespace, name: 'ctas' }), false);
  assert.deepEqual(stored(`${catalogLocation()}/${ns.namespace[0]}`), [], 'nothing written');

  const t = await catalog.createTableResult(ns, { name: 'orig', schema: schema() });
  const c = await catalog.updateTable({ namespace: ns.namespace, name: 'orig' }, { updates: [{ action: 'set-properties', updates: { a: '1' } }] });
  // orig's files are its own (every table owns its files, issue 67): no
  // other table is registered on them; its own file registers back onto
  // it (overwrite), an earlier version too.
  const notOurs = await icebergError(() => catalog.registerTableResult(other, { name: 'copy', 'metadata-location': c['metadata-location'] }));
  assert.ok([400, 409].includes(notOurs.status), `register on orig's file: ${notOurs.status}`);
  assert.deepEqual(await catalog.registerTable(ns, { name: 'orig', 'metadata-location': t['metadata-location'], overwrite: true }), t.metadata);
  assert.deepEqual(await catalog.loadTable({ namespace: ns.namespace, name: 'orig' }), t.metadata);
  const reg = await catalog.registerTableResult(ns, { name: 'orig', 'metadata-location': c['metadata-location'], overwrite: true });
  assert.equal(reg['metadata-location'], c['metadata-location']);
  const taken = await icebergError(() => catalog.registerTable(ns, { name: 'orig', 'metadata-location': t['metadata-location'] }));
  assert.equal(taken.status, 409);

  await catalog.renameTable({ source: { namespace: ns.namespace, name: 'orig' }, destination: { namespace: other.namespace, name: 'moved' } });
  assert.equal(await catalog.tableExists({ namespace: ns.namespace, name: 'orig' }), false);
  const moved = await catalog.loadTableResult({ namespace: other.namespace, name: 'moved' });
  assert.equal(moved['metadata-location'], c['metadata-location']);
  const gone = await icebergError(() => catalog.renameTable({ source: { namespace: ns.namespace, name: 'orig' }, destination: { namespace: other.namespace, name: 'x' } }));
  assert.equal(gone.status, 404);

  // Drop without purge keeps the files (recoverable, undrop); restored,
  // a drop with purge takes them.
  const admin = OAUTH ? { authorization: basic(), 'x-pangolin-tenant': NIL_UUID } : undefined;
  await catalog.dropTable({ namespace: other.namespace, name: 'moved' });
  assert.ok(exists(t['metadata-location']), 'a recoverable drop keeps its files');
  assert.equal(storedMetadata(t.metadata.location).length, 2);
  const dropped = (await srv.rawReq('GET', `/api/v1/catalogs/${CAT}/dropped`, { headers: admin })).json.find((d) => d.name === 'moved');
  assert.equal((await srv.rawReq('POST', `/api/v1/catalogs/${CAT}/dropped/${dropped.id}/restore`, { body: {}, headers: admin })).status, 200);
  await catalog.dropTable({ namespace: other.namespace, name: 'moved' }, { purge: true });
  // The purge is a task (Pangolin-Task-Id): wait until it has run.
  await waitIdle((m, p, o) => srv.rawReq(m, p, o), { kind: 'purge', headers: admin });
  assert.equal(storedMetadata(t.metadata.location).length, 0, 'purge deleted the table\'s metadata files');
  assert.equal(await catalog.tableExists({ namespace: other.namespace, name: 'moved' }), false);
  const again = await icebergError(() => catalog.dropTable({ namespace: other.namespace, name: 'moved' }));
  assert.equal(again.status, 404);
  assert.equal(again.icebergType, 'NoSuchTableException');

  await catalog.dropNamespace(ns);
  await catalog.dropNamespace(other);
});

test('STS: createTable and loadTableResult give storage-credentials whose keys PUT under the table\'s location (200) and not under another table\'s (403)',
  { skip: !STS && 'the STS run only (PGL_ICEBERG_STS=1)' }, async () => {
    const ns = { namespace: [uniq('jsv')] };
    await catalog.createNamespace(ns);
    const created = await catalog.createTableResult(ns, { name: 'mine', schema: schema() });
    const other = await catalog.createTableResult(ns, { name: 'other', schema: schema() });
    const loaded = await catalog.loadTableResult({ namespace: ns.namespace, name: 'mine' });
    const [bucket, mine] = splitS3(created.metadata.location);
    const [, theirs] = splitS3(other.metadata.location);
    for (const [what, r] of [['createTable', created], ['loadTable', loaded]]) {
      const sc = r['storage-credentials'];
      assert.ok(Array.isArray(sc) && sc.length === 1, `${what}: one storage credential`);
      assert.equal(sc[0].prefix, created.metadata.location);
      const c = sc[0].config;
      assert.ok(c['s3.session-token'], `${what}: temporary keys with a session token`);
      assert.notEqual(c['s3.access-key-id'], ceph.accessKey);
      const put = cephS3(c, 'PUT', `/${bucket}/${mine}/data/${what}.parquet`, { body: 'PAR1' });
      assert.equal(put.status, 200, `${what}: PUT under the table's location: ${put.text}`);
      const out = cephS3(c, 'PUT', `/${bucket}/${theirs}/data/${what}.parquet`, { body: 'PAR1' });
      assert.equal(out.status, 403, `${what}: PUT under another table's location: ${out.text}`);
    }
    // A client that does not ask gets no credentials.
    const plain = await client({ accessDelegation: undefined }).loadTableResult({ namespace: ns.namespace, name: 'mine' });
    assert.equal(plain['storage-credentials'], undefined);
    assert.deepEqual(plain.config ?? {}, {});
  });

test('what iceberg-js sent: Idempotency-Key on every POST/DELETE, %1F namespaces; what it drove: every route it has', async () => {
  const mutations = sent.filter((s) => s.method === 'POST' || s.method === 'DELETE');
  assert.ok(mutations.length > 20);
  for (const m of mutations) {
    const key = Object.entries(m.headers).find(([k]) => k.toLowerCase() === 'idempotency-key')?.[1];
    assert.match(key ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, `${m.method} ${m.url.pathname}`);
  }
  assert.ok(sent.some((s) => /%1F/.test(s.url.href)), 'a multi-level namespace went over the wire');
  const expected = ['getConfig', 'listNamespaces', 'createNamespace', 'loadNamespaceMetadata', 'namespaceExists',
    'updateProperties', 'dropNamespace', 'listTables', 'createTable', 'loadTable', 'tableExists', 'updateTable',
    'registerTable', 'renameTable', 'dropTable'];
  for (const op of expected) assert.ok(checked.seen.has(op), `iceberg-js drove ${op} (checked against the spec)`);
});
