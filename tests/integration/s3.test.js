// Tables on object storage (issue 10): an S3 warehouse on OpenStack Swift
// with s3api, which checks every SigV4 signature (tests/servers/swift.sh).
// Create, commit, load, rename, register, views and drop with purge write
// and read the bucket; a wrong secret, a missing bucket or a stopped
// server is a clear JSON error naming the warehouse, and nothing is
// swapped; locations outside the catalog's storage are refused; vended
// credentials give a client what it needs to reach the table's files.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startIcebergServer } from './lib/iceberg.js';
import { freePort, REPO, tmpDir } from './lib/server.js';
import { expectError, expectJson, uniq } from './lib/expect.js';

const SWIFT = path.join(REPO, 'tests/servers/swift.sh');
let srv, swiftDir, swiftPort, endpoint;
const BUCKET = `pgl-it-${process.pid}`;

/** One signed S3 request with curl (the flags swift_check.sh shows). */
function s3(method, p, { body } = {}) {
  const args = ['-s', '-o', '-', '-w', '\n%{http_code}', '--aws-sigv4', 'aws:amz:us-east-1:s3',
    '-H', 'x-amz-content-sha256: UNSIGNED-PAYLOAD', '-X', method];
  if (body !== undefined) args.push('--data-binary', body);
  args.push(`http://test%3Atester:testing@127.0.0.1:${swiftPort}${p}`);
  const out = execFileSync('curl', args, { encoding: 'utf8' });
  const nl = out.lastIndexOf('\n');
  return { status: Number(out.slice(nl + 1)), text: out.slice(0, nl) };
}

/** The keys under a prefix. */
function keys(prefix) {
  const r = s3('GET', `/${BUCKET}?list-type=2&prefix=${encodeURIComponent(prefix)}`);
  assert.equal(r.status, 200, r.text);
  return [...r.text.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]);
}

function swift(cmd) {
  return execFileSync('sh', [SWIFT, cmd, swiftDir, String(swiftPort)], { encoding: 'utf8', timeout: 90000 }).trim();
}

before(async () => {
  swiftDir = tmpDir('pgl-swift');
  swiftPort = await freePort();
  endpoint = swift('start');
  assert.equal(s3('PUT', `/${BUCKET}`).status, 200);
  // Every /v1 answer is checked against the Iceberg OpenAPI document.
  srv = await startIcebergServer();
});
after(async () => {
  await srv?.stop();
  if (swiftDir) {
    try { swift('stop'); } catch { /* already stopped */ }
    fs.rmSync(swiftDir, { recursive: true, force: true });
  }
});

const req = (method, p, body) => srv.req(method, p, { body });
const noContent = async (method, p, body) => {
  const r = await req(method, p, body);
  assert.equal(r.status, 204, `${method} ${p}: ${r.status} ${r.text}`);
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
  // Rename keeps the files where they are; register points a new name at them.
  await noContent('POST', `/v1/${cat}/tables/rename`, { source: { namespace: ['db'], name: 't1' }, destination: { namespace: ['db'], name: 't2' } });
  expectJson(await req('GET', `${T}/t2`), 200);
  const reg = expectJson(await req('POST', `/v1/${cat}/namespaces/db/register`, { name: 't3', 'metadata-location': committed['metadata-location'] }), 200);
  assert.equal(reg.metadata.properties.owner, 'etl');
  // Views on S3 too.
  const view = expectJson(await req('POST', `/v1/${cat}/namespaces/db/views`, {
    name: 'v1', schema, 'view-version': { 'version-id': 1, 'timestamp-ms': Date.now(), 'schema-id': 0, summary: {},
      representations: [{ type: 'sql', sql: 'select 1', dialect: 'spark' }], 'default-namespace': ['db'] },
    properties: {} }), 200);
  assert.match(view['metadata-location'], new RegExp(`^s3://${BUCKET}/lake/${cat}/db/v1/`));
  expectJson(await req('GET', `/v1/${cat}/namespaces/db/views/v1`), 200);
  // Drop with purge deletes the table's objects from the bucket.
  await noContent('DELETE', `${T}/t3`);
  await noContent('DELETE', `${T}/t2?purgeRequested=true`);
  assert.deepEqual(keys(prefix), []);
});

test('a wrong secret, a missing bucket or a dead endpoint is a 503 naming the warehouse; nothing is created', async () => {
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

test('locations outside the catalog\'s storage, or in another bucket, are refused and nothing is written', async () => {
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

test('bad S3 settings are 400 when the warehouse is created', async () => {
  for (const [cfg, why] of [
    [{ type: 's3' }, /bucket/],
    [{ type: 's3', bucket: 'No_Such' }, /bucket/],
    [{ type: 's3', bucket: 'ok-bucket', endpoint: 'not a url' }, /endpoint/],
    [{ type: 's3', bucket: 'ok-bucket', endpoint: 'ftp://host' }, /endpoint/],
    [{ type: 's3', bucket: 'ok-bucket', prefix: 'a/../b' }, /prefix/],
  ]) {
    expectError(await req('POST', '/api/v1/warehouses', { name: uniq('bad'), storage_config: cfg }), 400, { message: why });
  }
});

test('the S3 server stopped mid-commit: 503, the pointer is not swapped, and the catalog answers on', async () => {
  const { cat } = await s3Catalog();
  const T = `/v1/${cat}/namespaces/db/tables`;
  const created = expectJson(await req('POST', T, { name: 'k', schema }), 200);
  swift('stop');
  try {
    const r = await req('POST', `${T}/k`, { requirements: [], updates: [{ action: 'set-properties', updates: { a: 'b' } }] });
    expectError(r, 503, { iceberg: true });
    expectJson(await req('GET', '/health/live'), 200);
  } finally {
    endpoint = swift('start');
  }
  const loaded = expectJson(await req('GET', `${T}/k`), 200);
  assert.equal(loaded['metadata-location'], created['metadata-location']);
  const again = expectJson(await req('POST', `${T}/k`, { requirements: [], updates: [{ action: 'set-properties', updates: { a: 'b' } }] }), 200);
  assert.equal(again.metadata.properties.a, 'b');
});

test('/metrics counts S3 requests and the connections they opened (kept-alive clients reuse them)', async () => {
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

test('vended credentials: loadTable and createTable with X-Iceberg-Access-Delegation, and /credentials', async () => {
  const { cat } = await s3Catalog();
  const T = `/v1/${cat}/namespaces/db/tables`;
  const vend = { 'x-iceberg-access-delegation': 'vended-credentials' };
  const created = expectJson(await srv.req('POST', T, { body: { name: 'v', schema }, headers: vend }), 200);
  const want = { 's3.access-key-id': 'test:tester', 's3.secret-access-key': 'testing', 's3.region': 'us-east-1',
    's3.path-style-access': 'true', 's3.endpoint': endpoint };
  assert.deepEqual(created.config, want);
  const prefix = `s3://${BUCKET}/lake/${cat}/db/v`;
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
  assert.equal(s3('PUT', `/${BUCKET}/lake/${cat}/db/v/data/00000.parquet`, { body: 'PAR1' }).status, 200);
  const creds = expectJson(await srv.req('GET', `${T}/v/credentials`), 200);
  assert.deepEqual(creds['storage-credentials'], [{ prefix, config: want }]);
  // A table on local disk has none to give.
  const local = expectJson(await srv.req('POST', '/v1/demo/namespaces', { body: { namespace: [uniq('n')] } }), 200);
  const ns = local.namespace[0];
  expectJson(await srv.req('POST', `/v1/demo/namespaces/${ns}/tables`, { body: { name: 't', schema }, headers: vend }), 200);
  assert.deepEqual(expectJson(await srv.req('GET', `/v1/demo/namespaces/${ns}/tables/t/credentials`), 200)['storage-credentials'], []);
});
