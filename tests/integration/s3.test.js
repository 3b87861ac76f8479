// Tables on object storage (issue 10): an S3 warehouse on OpenStack Swift
// with s3api, which checks every SigV4 signature (tests/servers/swift.sh).
// Create, commit, load, rename, register, views and drop with purge write
// and read the bucket; a wrong secret, a missing bucket or a stopped
// server is a clear JSON error naming the warehouse, and nothing is
// swapped; locations outside the catalog's storage are refused; vended
// credentials give a client what it needs to reach the table's files.
//
// What S3 and the catalog's S3 client decide (errors, locations, settings,
// a stopped endpoint before any swap, metrics, vended keys, signing,
// addressing, the orphan listing) runs on the sqlite pass only (ONCE,
// lib/server.js).  On every store: the table's life on S3 with its purge
// task, grants deciding what is signed, a purge that must keep files
// another table reaches, and a merge run as a task.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { startIcebergServer } from './lib/iceberg.js';
import { cutProxy, keys as bucketKeys, s3 as s3req, startSwift } from './lib/s3.js';
import { basic, ONCE } from './lib/server.js';
import { expectError, expectJson, uniq } from './lib/expect.js';
import { waitTask } from './lib/tasks.js';

let srv, swift, endpoint, gate;
const BUCKET = `pgl-it-${process.pid}`;
// The bucket whose one warehouse the operator lets vend its keys
// ([storage] static_key_buckets; issue 67: never a storage_config's say).
const KEYS_BUCKET = `pgl-it-keys-${process.pid}`;
const s3 = (method, p, o) => s3req(swift, method, p, o);
// Swift on loopback (path-style and virtual-hosted) and a dead loopback
// port: origins the operator allow-lists ([storage] allowed_endpoints).
const allowed = () => [endpoint, `http://localhost:${swift.port}`, 'http://127.0.0.1:9', gate.endpoint];
const keys = (prefix) => bucketKeys(swift, BUCKET, prefix);

before(async () => {
  swift = await startSwift();
  endpoint = swift.endpoint;
  gate = await cutProxy(swift.port);
  assert.equal(s3('PUT', `/${BUCKET}`).status, 200);
  assert.equal(s3('PUT', `/${KEYS_BUCKET}`).status, 200);
  // Every /v1 answer is checked against the Iceberg OpenAPI document.
  srv = await startIcebergServer({ allowEndpoints: allowed(), env: { PANGOLIN_STATIC_KEY_BUCKETS: KEYS_BUCKET } });
});
after(async () => {
  await srv?.stop();
  gate?.close();
  swift?.destroy();
});

const req = (method, p, body) => srv.req(method, p, { body });
const noContent = async (method, p, body) => {
  const r = await req(method, p, body);
  assert.equal(r.status, 204, `${method} ${p}: ${r.status} ${r.text}`);
};
/** Drop with purge: 204 at once; the purge task has run when this returns. */
const purged = async (p) => {
  const r = await req('DELETE', p);
  assert.equal(r.status, 204, `DELETE ${p}: ${r.status} ${r.text}`);
  const t = await waitTask((m, q, o) => srv.rawReq(m, q, o), r.headers['pangolin-task-id']);
  assert.equal(t.status, 'succeeded', JSON.stringify(t));
  return t;
};
const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', required: false, type: 'long' }] };

async function s3Catalog(config = {}) {
  const wh = uniq('s3wh');
  expectJson(await req('POST', '/api/v1/warehouses', { name: wh, storage_config: {
    type: 's3', bucket: BUCKET, prefix: 'lake', endpoint, region: 'us-east-1',
    access_key_id: 'test:tester', secret_access_key: 'testing', ...config } }), 201);
  const cat = uniq('s3cat');
  const c = expectJson(await req('POST', '/api/v1/catalogs', { name: cat, warehouse_name: wh }), 201);
  assert.equal(c.storage_location, `s3://${config.bucket ?? BUCKET}/lake/${cat}`);
  expectJson(await req('POST', `/v1/${cat}/namespaces`, { namespace: ['db'] }), 200);
  return { wh, cat };
}

test('an S3 warehouse keeps tables in its bucket: create, commit, load, rename, register, drop with purge', async () => {
  const { cat } = await s3Catalog();
  const T = `/v1/${cat}/namespaces/db/tables`;
  const created = expectJson(await req('POST', T, { name: 't1', schema }), 200);
  assert.match(created['metadata-location'], new RegExp(`^s3://${BUCKET}/lake/${cat}/db/t1/metadata/00000-.*\\.metadata\\.json$`));
  const prefix = `lake/${cat}/db/t1/`;
  assert.equal(keys(prefix).length, 1, 'the metadata file is in the bucket');
  const obj = s3('GET', `/${BUCKET}/${created['metadata-location'].slice(`s3://${BUCKET}/`.length)}`);
  assert.equal(JSON.parse(obj.text)['format-version'], 2);
  // A commit writes a new object, then swaps the pointer.
  const committed = expectJson(await req('POST', `${T}/t1`, { requirements: [], updates: [{ action: 'set-properties', updates: { owner: 'etl' } }] }), 200);
  assert.notEqual(committed['metadata-location'], created['metadata-location']);
  assert.equal(keys(prefix).length, 2);
  const loaded = expectJson(await req('GET', `${T}/t1`), 200);
  assert.equal(loaded.metadata.properties.owner, 'etl');
  assert.equal(loaded['metadata-location'], committed['metadata-location']);
  // Rename keeps the files where they are; once t2 lets go of them
  // (unregister: every table owns its files, issue 67), register points a
  // new name at them.
  await noContent('POST', `/v1/${cat}/tables/rename`, { source: { namespace: ['db'], name: 't1' }, destination: { namespace: ['db'], name: 't2' } });
  expectJson(await req('GET', `${T}/t2`), 200);
  expectError(await req('POST', `/v1/${cat}/namespaces/db/register`, { name: 't3', 'metadata-location': committed['metadata-location'] }), 409, { iceberg: true });
  expectJson(await req('POST', `${T}/t2/unregister`, {}), 200);
  const reg = expectJson(await req('POST', `/v1/${cat}/namespaces/db/register`, { name: 't3', 'metadata-location': committed['metadata-location'] }), 200);
  assert.equal(reg.metadata.properties.owner, 'etl');
  // Views on S3 too.
  const view = expectJson(await req('POST', `/v1/${cat}/namespaces/db/views`, {
    name: 'v1', schema, 'view-version': { 'version-id': 1, 'timestamp-ms': Date.now(), 'schema-id': 0, summary: {},
      representations: [{ type: 'sql', sql: 'select 1', dialect: 'spark' }], 'default-namespace': ['db'] },
    properties: {} }), 200);
  assert.match(view['metadata-location'], new RegExp(`^s3://${BUCKET}/lake/${cat}/db/v1/`));
  expectJson(await req('GET', `/v1/${cat}/namespaces/db/views/v1`), 200);
  // A drop without purge keeps t3 recoverable (undrop), its files too.
  await noContent('DELETE', `${T}/t3`);
  assert.ok(keys(prefix).some((k) => committed['metadata-location'].endsWith(k)), 'the recoverable t3 keeps its files');
  const dropped = expectJson(await req('GET', `/api/v1/catalogs/${cat}/dropped`), 200).find((d) => d.name === 't3');
  expectJson(await req('POST', `/api/v1/catalogs/${cat}/dropped/${dropped.id}/restore`, {}), 200);
  // Drop with purge deletes the table's objects from the bucket.
  await purged(`${T}/t3?purgeRequested=true`);
  assert.deepEqual(keys(prefix), []);
});

test('a wrong secret, a missing bucket or a dead endpoint is a 503 naming the warehouse; nothing is created', { skip: ONCE }, async () => {
  for (const [config, why] of [
    [{ secret_access_key: 'not-the-secret' }, /SignatureDoesNotMatch/],
    [{ bucket: 'pgl-no-such-bucket' }, /NoSuchBucket/],
    [{ endpoint: 'http://127.0.0.1:9' }, /did not answer/],
  ]) {
    const { wh, cat } = await s3Catalog(config);
    const r = await req('POST', `/v1/${cat}/namespaces/db/tables`, { name: 't', schema });
    const b = expectError(r, 503, { iceberg: true });
    assert.match(b.error.message, new RegExp(`warehouse '${wh}'`));
    assert.match(b.error.message, why);
    assert.ok(!b.error.message.includes('not-the-secret'), 'the secret is never echoed');
    assert.equal(r.headers['retry-after'], '1');
    expectError(await req('GET', `/v1/${cat}/namespaces/db/tables/t`), 404, { iceberg: true });
  }
});

test('locations outside the catalog\'s storage, or in another bucket, are refused and nothing is written', { skip: ONCE }, async () => {
  const { cat } = await s3Catalog();
  const T = `/v1/${cat}/namespaces/db/tables`;
  for (const location of [`s3://${BUCKET}/elsewhere/t`, `s3://other-bucket/lake/${cat}/db/t`, `s3://${BUCKET}/lake/${cat}/../x/t`, '/tmp/local/t']) {
    const b = expectError(await req('POST', T, { name: uniq('t'), schema, location }), 400, { iceberg: true });
    assert.match(b.error.message, /storage location|\.\.|not supported|bucket/, location);
  }
  assert.deepEqual(keys('elsewhere/'), []);
  const b = expectError(await req('POST', `/v1/${cat}/namespaces/db/register`, { name: 'r', 'metadata-location': `s3://${BUCKET}/elsewhere/m.metadata.json` }), 400, { iceberg: true });
  assert.match(b.error.message, /storage location/);
});

test('bad S3 settings are 400 when the warehouse is created', { skip: ONCE }, async () => {
  for (const [cfg, why] of [
    [{ type: 's3' }, /bucket/],
    [{ type: 's3', bucket: 'No_Such' }, /bucket/],
    [{ type: 's3', bucket: 'ok-bucket', endpoint: 'not a url' }, /endpoint/],
    [{ type: 's3', bucket: 'ok-bucket', endpoint: 'ftp://host' }, /endpoint/],
    [{ type: 's3', bucket: 'ok-bucket', prefix: 'a/../b' }, /prefix/],
    [{ type: 's3', bucket: 'ok-bucket', access_key_id: 'key\r\nX-Injected: 1', secret_access_key: 's' }, /printable/],
    [{ type: 's3', bucket: 'ok-bucket', 's3.secret-access-key': 'sécret' }, /printable/],
    [{ type: 's3', bucket: 'ok-bucket', region: 'us east' }, /printable/],
  ]) {
    expectError(await req('POST', '/api/v1/warehouses', { name: uniq('bad'), storage_config: cfg }), 400, { message: why });
  }
});

test('the S3 server stopped mid-commit: 503, the pointer is not swapped, and the catalog answers on', { skip: ONCE }, async () => {
  // The warehouse reaches Swift through a proxy this test cuts: to the
  // catalog the endpoint stops, as a stopped server does (the Swift the
  // other test files share keeps running).
  const { cat } = await s3Catalog({ endpoint: gate.endpoint });
  const T = `/v1/${cat}/namespaces/db/tables`;
  const created = expectJson(await req('POST', T, { name: 'k', schema }), 200);
  await gate.cut();
  try {
    const r = await srv.req('POST', `${T}/k`, { body: { requirements: [], updates: [{ action: 'set-properties', updates: { a: 'b' } }] }, timeout: 60000 });
    expectError(r, 503, { iceberg: true });
    expectJson(await req('GET', '/health/live'), 200);
  } finally {
    await gate.restore();
  }
  const loaded = expectJson(await req('GET', `${T}/k`), 200);
  assert.equal(loaded['metadata-location'], created['metadata-location']);
  const again = expectJson(await req('POST', `${T}/k`, { requirements: [], updates: [{ action: 'set-properties', updates: { a: 'b' } }] }), 200);
  assert.equal(again.metadata.properties.a, 'b');
});

test('/metrics counts S3 requests and the connections they opened (kept-alive clients reuse them)', { skip: ONCE }, async () => {
  const { cat } = await s3Catalog();
  const T = `/v1/${cat}/namespaces/db/tables`;
  expectJson(await req('POST', T, { name: 'm', schema }), 200);
  for (let i = 0; i < 5; i++) {
    expectJson(await req('POST', `${T}/m`, { requirements: [], updates: [{ action: 'set-properties', updates: { i: String(i) } }] }), 200);
  }
  const text = (await req('GET', '/metrics')).text;
  const value = (name) => Number(text.match(new RegExp(`^${name} (\\d+)$`, 'm'))?.[1]);
  const requests = value('pangolin_object_store_requests_total');
  const connections = value('pangolin_object_store_connections_total');
  assert.ok(requests >= 6, `requests ${requests}`);
  assert.ok(connections >= 1 && connections < requests, `${connections} connections for ${requests} requests`);
});

test('vended credentials: loadTable and createTable with X-Iceberg-Access-Delegation, and /credentials', { skip: ONCE }, async () => {
  // Static keys leave only where the operator lists the bucket
  // (egress.test.js checks that they do not otherwise).
  const { cat } = await s3Catalog({ bucket: KEYS_BUCKET });
  const T = `/v1/${cat}/namespaces/db/tables`;
  const vend = { 'x-iceberg-access-delegation': 'vended-credentials' };
  const created = expectJson(await srv.req('POST', T, { body: { name: 'v', schema }, headers: vend }), 200);
  const want = { 's3.access-key-id': 'test:tester', 's3.secret-access-key': 'testing', 's3.region': 'us-east-1',
    's3.path-style-access': 'true', 's3.endpoint': endpoint };
  assert.deepEqual(created.config, want);
  const prefix = `s3://${KEYS_BUCKET}/lake/${cat}/db/v`;
  assert.deepEqual(created['storage-credentials'], [{ prefix, config: want }]);
  // Without the header: nothing vended, and the answers carry distinct tags.
  const plain = await srv.req('GET', `${T}/v`);
  assert.deepEqual(expectJson(plain, 200).config, {});
  assert.equal(plain.json['storage-credentials'], undefined);
  const vended = await srv.req('GET', `${T}/v`, { headers: vend });
  assert.deepEqual(expectJson(vended, 200)['storage-credentials'], [{ prefix, config: want }]);
  assert.notEqual(vended.headers.etag, plain.headers.etag);
  assert.match(vended.headers.vary ?? '', /X-Iceberg-Access-Delegation/i);
  // The vended keys work against the bucket (the client's own writes).
  assert.equal(s3('PUT', `/${KEYS_BUCKET}/lake/${cat}/db/v/data/00000.parquet`, { body: 'PAR1' }).status, 200);
  const creds = expectJson(await srv.req('GET', `${T}/v/credentials`), 200);
  assert.deepEqual(creds['storage-credentials'], [{ prefix, config: want }]);
  // A table on local disk has none to give.
  const local = expectJson(await srv.req('POST', '/v1/demo/namespaces', { body: { namespace: [uniq('n')] } }), 200);
  const ns = local.namespace[0];
  expectJson(await srv.req('POST', `/v1/demo/namespaces/${ns}/tables`, { body: { name: 't', schema }, headers: vend }), 200);
  assert.deepEqual(expectJson(await srv.req('GET', `/v1/demo/namespaces/${ns}/tables/t/credentials`), 200)['storage-credentials'], []);
});

/** Send a request the catalog signed: the headers it answered, as given. */
function sendSigned(method, uri, headers, body) {
  const args = ['-s', '-o', '-', '-w', '\n%{http_code}', '-X', method, '-H', 'User-Agent:', '-H', 'Accept:'];
  for (const [k, vs] of Object.entries(headers)) for (const v of vs) args.push('-H', `${k}: ${v}`);
  if (body !== undefined) args.push('--data-binary', body);
  args.push(uri);
  const out = execFileSync('curl', args, { encoding: 'utf8' });
  const nl = out.lastIndexOf('\n');
  return { status: Number(out.slice(nl + 1)), text: out.slice(0, nl) };
}

test('remote signing: the catalog signs a client\'s S3 requests inside the table, and S3 accepts them', { skip: ONCE }, async () => {
  const { cat } = await s3Catalog();
  const T = `/v1/${cat}/namespaces/db/tables`;
  const signing = { 'x-iceberg-access-delegation': 'remote-signing' };
  const created = expectJson(await srv.req('POST', T, { body: { name: 'rs', schema }, headers: signing }), 200);
  assert.equal(created.config['s3.remote-signing-enabled'], 'true');
  assert.equal(created.config['s3.signer.endpoint'], `v1/${cat}/namespaces/db/tables/rs/sign`);
  assert.equal(created.config['s3.signer.uri'], `http://127.0.0.1:${srv.port}`, 'the catalog as the client reached it');
  assert.equal(created.config['s3.access-key-id'], undefined, 'no keys handed out');
  assert.equal(created['storage-credentials'], undefined);
  const loaded = expectJson(await srv.req('GET', `${T}/rs`, { headers: signing }), 200);
  assert.equal(loaded.config['s3.remote-signing-enabled'], 'true');
  const base = `${endpoint}/${BUCKET}/lake/${cat}/db/rs`;
  const sign = (method, uri, headers = {}) => srv.req('POST', `${T}/rs/sign`, {
    body: { region: 'us-east-1', uri, method, headers: { 'x-amz-content-sha256': ['UNSIGNED-PAYLOAD'], ...headers } } });
  // A write and a read of a data file, signed here, sent by the client.
  let s = expectJson(await sign('PUT', `${base}/data/0001.parquet`, { 'content-type': ['application/octet-stream'] }), 200);
  assert.ok(s.headers.Authorization[0].startsWith('AWS4-HMAC-SHA256 Credential=test:tester/'));
  assert.equal(sendSigned('PUT', s.uri, s.headers, 'PAR1-data').status, 200);
  s = expectJson(await sign('GET', `${base}/data/0001.parquet`), 200);
  const got = sendSigned('GET', s.uri, s.headers);
  assert.equal(got.status, 200);
  assert.equal(got.text, 'PAR1-data');
  // A listing of the table's prefix, parameters in any order.
  s = expectJson(await sign('GET', `${endpoint}/${BUCKET}?prefix=${encodeURIComponent(`lake/${cat}/db/rs/`)}&list-type=2`), 200);
  const listed = sendSigned('GET', s.uri, s.headers);
  assert.equal(listed.status, 200, listed.text);
  assert.match(listed.text, /0001\.parquet/);
  // Outside the table, another bucket, another host: 403, nothing signed.
  for (const uri of [`${endpoint}/${BUCKET}/lake/${cat}/db/other/x.parquet`, `${endpoint}/other-bucket/lake/${cat}/db/rs/x`,
    `http://evil.example:1/${BUCKET}/lake/${cat}/db/rs/x`, `${endpoint}/${BUCKET}?list-type=2&prefix=lake%2F`]) {
    const r = await sign('GET', uri);
    assert.equal(r.status, 403, `${uri}: ${r.text}`);
    assert.equal(r.json.error.type, 'ForbiddenException');
  }
  expectError(await sign('GET', 'not a url'), 400, { iceberg: true });
  const bad = await srv.req('POST', `${T}/rs/sign`, { body: { region: 'us-east-1', uri: `${base}/data/0001.parquet`, method: 'GET',
    headers: { 'x-amz-meta-a\nb': ['1'], 'x-ok': ['v\r\nInjected: 1'] } } });
  expectError(bad, 400, { iceberg: true });
});

test('virtual-hosted addressing: objects at <bucket>.<endpoint host>, written, read, signed and purged', { skip: ONCE }, async () => {
  // Swift's s3api takes the bucket from the Host when it ends in
  // "localhost" (tests/servers/swift.sh); curl and the catalog resolve
  // any *.localhost to the loopback address.
  const vhost = `http://localhost:${swift.port}`;
  const { cat } = await s3Catalog({ endpoint: vhost, 's3.path-style-access': 'false' });
  const T = `/v1/${cat}/namespaces/db/tables`;
  const created = expectJson(await req('POST', T, { name: 'vh', schema }), 200);
  const prefix = `lake/${cat}/db/vh/`;
  assert.equal(keys(prefix).length, 1, 'the metadata file is in the bucket');
  expectJson(await req('POST', `${T}/vh`, { requirements: [], updates: [{ action: 'set-properties', updates: { a: '1' } }] }), 200);
  assert.equal(keys(prefix).length, 2);
  assert.notEqual(expectJson(await req('GET', `${T}/vh`), 200)['metadata-location'], created['metadata-location']);
  // The config a client gets says virtual-hosted, and a request signed for
  // the bucket's own host is accepted.
  const signing = { 'x-iceberg-access-delegation': 'remote-signing' };
  const loaded = expectJson(await srv.req('GET', `${T}/vh`, { headers: signing }), 200);
  assert.equal(loaded.config['s3.path-style-access'], 'false');
  const uri = `http://${BUCKET}.localhost:${swift.port}/${prefix}data/v.parquet`;
  const sign = (method, u) => srv.req('POST', `${T}/vh/sign`, {
    body: { region: 'us-east-1', uri: u, method, headers: { 'x-amz-content-sha256': ['UNSIGNED-PAYLOAD'] } } });
  let s = expectJson(await sign('PUT', uri), 200);
  assert.equal(sendSigned('PUT', s.uri, s.headers, 'PAR1-vh').status, 200);
  s = expectJson(await sign('GET', uri), 200);
  assert.equal(sendSigned('GET', s.uri, s.headers).text, 'PAR1-vh');
  assert.equal((await sign('GET', `http://other-bucket.localhost:${swift.port}/${prefix}data/v.parquet`)).status, 403);
  // The client's own file is the client's to delete (nothing committed it).
  s = expectJson(await sign('DELETE', uri), 200);
  assert.equal(sendSigned('DELETE', s.uri, s.headers).status, 204);
  await purged(`${T}/vh?purgeRequested=true`);
  assert.deepEqual(keys(prefix), []);
});

test('remote signing follows grants: a reader may sign GETs of its table, not PUTs or DELETEs', async () => {
  const PW = 'Str0ng-Passw0rd-for-tests';
  const auth = await startIcebergServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0' }, allowEndpoints: allowed() });
  try {
    const root = { authorization: basic() };
    const as = (headers) => (method, p, body) => auth.req(method, p, { body, headers });
    const tenant = expectJson(await as(root)('POST', '/api/v1/tenants', { name: uniq('t') }), 201).id;
    const login = async (username, role) => {
      const u = expectJson(await as(root)('POST', '/api/v1/users', { username, password: PW, tenant_id: tenant, role }), 201);
      const tok = expectJson(await as({})('POST', '/api/v1/users/login', { username, password: PW, 'tenant-id': tenant }), 200).token;
      return { id: u.id, call: as({ authorization: `Bearer ${tok}` }) };
    };
    const admin = await login(uniq('admin'), 'tenant-admin');
    const reader = await login(uniq('reader'), 'tenant-user');
    const wh = uniq('s3wh');
    expectJson(await admin.call('POST', '/api/v1/warehouses', { name: wh, storage_config: {
      type: 's3', bucket: BUCKET, prefix: 'auth', endpoint, access_key_id: 'test:tester', secret_access_key: 'testing' } }), 201);
    const cat = uniq('cat');
    const c = expectJson(await admin.call('POST', '/api/v1/catalogs', { name: cat, warehouse_name: wh }), 201);
    expectJson(await admin.call('POST', `/v1/${cat}/namespaces`, { namespace: ['db'] }), 200);
    expectJson(await admin.call('POST', `/v1/${cat}/namespaces/db/tables`, { name: 't', schema }), 200);
    expectJson(await admin.call('POST', '/api/v1/permissions', { 'user-id': reader.id, scope: { type: 'catalog', catalog_id: c.id }, actions: ['read'] }), 201);
    const uri = `${endpoint}/${BUCKET}/auth/${cat}/db/t/data/x.parquet`;
    const sign = (who, method) => who.call('POST', `/v1/${cat}/namespaces/db/tables/t/sign`, {
      region: 'us-east-1', uri, method, headers: { 'x-amz-content-sha256': ['UNSIGNED-PAYLOAD'] } });
    expectJson(await sign(reader, 'GET'), 200);
    for (const m of ['PUT', 'DELETE']) {
      const r = await sign(reader, m);
      assert.equal(r.status, 403, `${m}: ${r.text}`);
    }
    expectJson(await sign(admin, 'PUT'), 200);
    expectJson(await sign(admin, 'DELETE'), 200);
  } finally {
    await auth.stop();
  }
});

test('purge deletes the table\'s objects in one multi-object delete, never an object outside the catalog', async () => {
  const { cat } = await s3Catalog();
  const T = `/v1/${cat}/namespaces/db/tables`;
  const t = expectJson(await req('POST', T, { name: 'p', schema }), 200);
  for (let i = 0; i < 3; i++) {
    expectJson(await req('POST', `${T}/p`, { requirements: [], updates: [{ action: 'set-properties', updates: { i: String(i) } }] }), 200);
  }
  // A file planted outside the catalog, named by a registered table's log.
  assert.equal(s3('PUT', `/${BUCKET}/outside/keep.metadata.json`, { body: '{}' }).status, 200);
  const md = JSON.parse(s3('GET', `/${BUCKET}/${t['metadata-location'].slice(`s3://${BUCKET}/`.length)}`).text);
  md['metadata-log'] = [{ 'timestamp-ms': 1, 'metadata-file': `s3://${BUCKET}/outside/keep.metadata.json` }];
  md.location = `s3://${BUCKET}/lake/${cat}/db/q`;	// its own (issue 67)
  const planted = `lake/${cat}/db/q/metadata/00009-planted.metadata.json`;
  assert.equal(s3('PUT', `/${BUCKET}/${planted}`, { body: JSON.stringify(md) }).status, 200);
  expectJson(await req('POST', `/v1/${cat}/namespaces/db/register`, { name: 'q', 'metadata-location': `s3://${BUCKET}/${planted}` }), 200);
  const s3Requests = async () => Number((await req('GET', '/metrics')).text.match(/^pangolin_object_store_requests_total (\d+)$/m)[1]);
  const before = await s3Requests();
  await purged(`${T}/p?purgeRequested=true`);
  // The purge task: p's metadata read, one multi-object delete, and p's
  // metadata file itself last (so a re-run after a crash still finds the
  // rest): 3, fewer when the memory store's worker runs the task with
  // metadata in its cache.  One DELETE per file would be 4 deletes on top
  // of the reads.
  const sent = await s3Requests() - before;
  assert.ok(sent >= 2 && sent <= 4, `one multi-object delete, not one request per file: ${sent} requests`);
  assert.deepEqual(keys(`lake/${cat}/db/p/`), [], 'the table\'s 4 metadata objects are gone');
  await purged(`${T}/q?purgeRequested=true`);
  assert.deepEqual(keys(`lake/${cat}/db/q/`), []);
  assert.deepEqual(keys('outside/'), ['outside/keep.metadata.json'], 'an object outside the catalog is never deleted');
});

test('remove_orphan_files on S3 lists the table prefix with LastModified: a dry run names the orphan, the real run deletes only it', { skip: ONCE }, async () => {
  const { cat } = await s3Catalog();
  const T = `/v1/${cat}/namespaces/db/tables`;
  const created = expectJson(await req('POST', T, { name: 'orph', schema }), 200);
  expectJson(await req('POST', `${T}/orph`, { updates: [{ action: 'set-properties', updates: { a: '1' } }] }), 200);
  const prefix = `lake/${cat}/db/orph/`;
  assert.equal(s3('PUT', `/${BUCKET}/${prefix}data/orphan.parquet`, { body: 'PAR1' }).status, 200);
  const metadata = keys(prefix).filter((k) => k.endsWith('.metadata.json'));
  assert.equal(metadata.length, 2);
  await new Promise((r) => setTimeout(r, 1100));	// LastModified has 1 s resolution
  const run = async (body) => {
    const r = await srv.rawReq('POST', `${T}/orph/maintenance`, { body });
    const t = await waitTask((m, q, o) => srv.rawReq(m, q, o), expectJson(r, 202).task_id);
    assert.equal(t.status, 'succeeded', JSON.stringify(t));
    return t.result.remove_orphan_files;
  };
  const dry = await run({ operations: ['remove_orphan_files'], older_than_ms: 0, dry_run: true });
  assert.deepEqual(dry.files, [`s3://${BUCKET}/${prefix}data/orphan.parquet`]);
  assert.equal(dry.listed_files, 3);
  assert.equal(keys(prefix).length, 3, 'a dry run deletes nothing');
  const real = await run({ operations: ['remove_orphan_files'], older_than_ms: 0 });
  assert.equal(real.deleted_files, 1);
  assert.deepEqual(keys(prefix).sort(), metadata.sort());
  expectJson(await req('GET', `${T}/orph`), 200);
  assert.ok(created);
});

test('a merge that must merge a table\'s files on S3 runs as a task (202), off the event loop; one that only moves pointers answers 200', async () => {
  const { cat } = await s3Catalog();
  const T = (name, b) => `/v1/${cat}/namespaces/db/tables/${b ? `${name}@${b}` : name}`;
  const set = (name, b, k) => srv.req('POST', T(name, b), { body: { requirements: [],
    updates: [{ action: 'set-properties', updates: { [k]: b ?? 'main' } }] } });
  for (const name of ['t', 'u']) expectJson(await req('POST', `/v1/${cat}/namespaces/db/tables`, { name, schema }), 200);
  expectJson(await req('POST', '/api/v1/branches', { name: 'feat', catalog: cat, branch_type: 'ingest' }), 201);
  const merge = () => req('POST', '/api/v1/branches/merge', { source_branch: 'feat', target_branch: 'main', catalog: cat });
  // Only the branch changed u: the merge moves u's pointer, inline.
  expectJson(await set('u', 'feat', 'only'), 200);
  const inline = expectJson(await merge(), 200);
  assert.equal(inline.status, 'Completed', JSON.stringify(inline));
  assert.equal((await req('GET', T('u'))).json.metadata.properties.only, 'feat');
  // Both branches changed t: its metadata is merged into a new file.
  expectJson(await set('t', 'feat', 'f'), 200);
  expectJson(await set('t', undefined, 'm'), 200);
  const r = await merge();
  const queued = expectJson(r, 202);
  assert.equal(queued.status, 'queued');
  assert.equal(r.headers.location, `/api/v1/tasks/${queued.task_id}`);
  const t = await waitTask((m, q, o) => srv.rawReq(m, q, o), queued.task_id);
  assert.equal(t.status, 'succeeded', JSON.stringify(t));
  const props = (await req('GET', T('t'))).json.metadata.properties;
  assert.equal(props.f, 'feat');
  assert.equal(props.m, 'main');
  const loc = (await req('GET', T('t'))).json['metadata-location'];
  assert.match(loc, new RegExp(`^s3://${BUCKET}/lake/${cat}/`));
});
