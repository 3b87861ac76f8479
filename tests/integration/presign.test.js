// Presigned URLs and warehouse credentials (issue 26, deliverable 7),
// against OpenStack Swift with s3api, which checks every SigV4 signature
// (tests/servers/swift.sh) the way S3 does, query-string ones included.
//
// presign: a reader of a table gets a URL that plain HTTP fetches, for one
// object inside the table only, valid for [storage] presign_expiry_secs;
// Swift refuses it tampered with or expired.  Warehouse credentials: the
// contract's store-level Credentials, only where the warehouse vends its
// keys and only to admins and writers.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startIcebergServer } from './lib/iceberg.js';
import { s3 as s3req, startSwift } from './lib/s3.js';
import { basic } from './lib/server.js';
import { expectError, expectJson, uniq } from './lib/expect.js';

const PW = 'Str0ng-Passw0rd-for-tests';
const BUCKET = `pgl-presign-${process.pid}`;
const NOVEND = `pgl-presign-nv-${process.pid}`;	// a bucket the operator does not list
const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', required: false, type: 'long' }] };
const root = { authorization: basic() };

let swift, srv;
const T = {}; // the tenant: its admin, users, warehouses, catalogs
const B = {}; // another tenant's admin

const as = (headers) => (method, p, body) => srv.req(method, p, { body, headers });
const enc = (key) => key.split('/').map(encodeURIComponent).join('/');
const put = (key, body) => assert.equal(s3req(swift, 'PUT', `/${BUCKET}/${enc(key)}`, { body }).status, 200, key);

async function login(call, tenant, role) {
  const username = uniq(role);
  const u = expectJson(await call('POST', '/api/v1/users', { username, password: PW, tenant_id: tenant, role }), 201);
  const tok = expectJson(await as({})('POST', '/api/v1/users/login', { username, password: PW, 'tenant-id': tenant }), 200).token;
  return { id: u.id, call: as({ authorization: `Bearer ${tok}` }) };
}

/** An S3 warehouse in bucket, a catalog in it with table db.t, and its grants. */
async function s3Table(bucket) {
  const wh = uniq('wh');
  expectJson(await T.admin.call('POST', '/api/v1/warehouses', { name: wh, storage_config: {
    type: 's3', bucket, prefix: 'lake', endpoint: swift.endpoint, region: 'us-east-1',
    access_key_id: 'test:tester', secret_access_key: 'testing' } }), 201);
  const cat = uniq('cat');
  const c = expectJson(await T.admin.call('POST', '/api/v1/catalogs', { name: cat, warehouse_name: wh }), 201);
  expectJson(await T.admin.call('POST', `/v1/${cat}/namespaces`, { namespace: ['db'] }), 200);
  const t = expectJson(await T.admin.call('POST', `/v1/${cat}/namespaces/db/tables`, { name: 't', schema }), 200);
  for (const [u, actions] of [[T.reader, ['read']], [T.writer, ['read', 'write']]]) {
    expectJson(await T.admin.call('POST', '/api/v1/permissions', { 'user-id': u.id, scope: { type: 'catalog', catalog_id: c.id }, actions }), 201);
  }
  return { wh, cat, root: `s3://${bucket}/lake/${cat}`, table: t.metadata.location, P: `/v1/${cat}/namespaces/db/tables/t/presign` };
}

before(async () => {
  swift = await startSwift();
  assert.equal(s3req(swift, 'PUT', `/${BUCKET}`).status, 200);
  assert.equal(s3req(swift, 'PUT', `/${NOVEND}`).status, 200);
  // The operator lets BUCKET's one warehouse vend its keys (issue 67:
  // the operator's grant, never a storage_config's).
  srv = await startIcebergServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_STATIC_KEY_BUCKETS: BUCKET },
    allowEndpoints: [swift.endpoint] });
  const call = as(root);
  T.id = expectJson(await call('POST', '/api/v1/tenants', { name: uniq('t') }), 201).id;
  T.admin = await login(call, T.id, 'tenant-admin');
  T.reader = await login(T.admin.call, T.id, 'tenant-user');
  T.writer = await login(T.admin.call, T.id, 'tenant-user');
  T.none = await login(T.admin.call, T.id, 'tenant-user');
  T.vend = await s3Table(BUCKET);
  T.novend = await s3Table(NOVEND);
  B.id = expectJson(await call('POST', '/api/v1/tenants', { name: uniq('b') }), 201).id;
  B.admin = await login(call, B.id, 'tenant-admin');
});
after(async () => {
  await srv?.stop();
  swift?.destroy();
});

const presign = (u, t, location) => u.call('GET', `${t.P}?location=${encodeURIComponent(location)}`);

test('presign: a reader gets a URL that plain HTTP fetches, and the object\'s bytes come back', async () => {
  const t = T.vend;
  const tableKey = t.table.slice(`s3://${BUCKET}/`.length);
  for (const name of ['data/00000-0-a.parquet', 'data/a b+c=d&e é%20.parquet']) {
    const key = `${tableKey}/${name}`;
    const bytes = `bytes of ${name} ${uniq('x')}`;
    put(key, bytes);
    const r = expectJson(await presign(T.reader, t, `s3://${BUCKET}/${key}`), 200);
    assert.deepEqual(Object.keys(r), ['url']);
    assert.equal(r.url, String(new URL(r.url)));
    const u = new URL(r.url);
    assert.equal(u.origin, swift.endpoint, 'path-style, at the warehouse\'s endpoint');
    assert.equal(decodeURIComponent(u.pathname), `/${BUCKET}/${key}`);
    assert.equal(u.searchParams.get('X-Amz-Algorithm'), 'AWS4-HMAC-SHA256');
    assert.equal(u.searchParams.get('X-Amz-Expires'), '300', 'the default presign_expiry_secs');
    assert.equal(u.searchParams.get('X-Amz-SignedHeaders'), 'host');
    assert.match(u.searchParams.get('X-Amz-Credential'), /^test:tester\/\d{8}\/us-east-1\/s3\/aws4_request$/);
    assert.ok(!r.url.includes('testing'), 'the secret key is not in the URL');
    const got = await fetch(r.url);
    assert.equal(got.status, 200, await got.clone().text());
    assert.equal(await got.text(), bytes);
  }
  // Writers and admins read too.
  for (const u of [T.writer, T.admin]) {
    expectJson(await presign(u, t, `${t.table}/data/00000-0-a.parquet`), 200);
  }
});

test('presign: Swift refuses the URL tampered with (signature, key, expiry) or expired', async () => {
  const t = T.vend;
  const key = `${t.table.slice(`s3://${BUCKET}/`.length)}/data/tamper.bin`;
  put(key, 'secret bytes');
  put(`${key}.other`, 'other bytes');
  const { url } = expectJson(await presign(T.reader, t, `s3://${BUCKET}/${key}`), 200);
  assert.equal((await fetch(url)).status, 200);
  const u = new URL(url);
  const sig = u.searchParams.get('X-Amz-Signature');
  const tampered = [
    url.replace(sig, (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1)),
    url.replace('/tamper.bin?', '/tamper.bin.other?'),
    url.replace('X-Amz-Expires=300', 'X-Amz-Expires=3000'),
  ];
  for (const bad of tampered) {
    const r = await fetch(bad);
    assert.equal(r.status, 403, `${bad}: ${r.status}`);
    assert.ok(!(await r.text()).includes('secret bytes'));
  }
  // PUT with the GET's signature writes nothing.
  assert.equal((await fetch(url, { method: 'PUT', body: 'overwritten' })).status, 403);
  assert.equal(await (await fetch(url)).text(), 'secret bytes');

  // A server whose URLs live a second: the URL works, then is refused.
  const short = await startIcebergServer({ allowEndpoints: [swift.endpoint], env: { PANGOLIN_PRESIGN_EXPIRY_SECS: '1' } });
  try {
    const call = (m, p, body) => short.req(m, p, { body });
    const wh = uniq('wh');
    expectJson(await call('POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 's3', bucket: BUCKET, prefix: 'short',
      endpoint: swift.endpoint, access_key_id: 'test:tester', secret_access_key: 'testing' } }), 201);
    const cat = uniq('cat');
    expectJson(await call('POST', '/api/v1/catalogs', { name: cat, warehouse_name: wh }), 201);
    expectJson(await call('POST', `/v1/${cat}/namespaces`, { namespace: ['db'] }), 200);
    const tbl = expectJson(await call('POST', `/v1/${cat}/namespaces/db/tables`, { name: 't', schema }), 200);
    const obj = `${tbl.metadata.location}/data/f.bin`;
    put(obj.slice(`s3://${BUCKET}/`.length), 'short-lived');
    const r = expectJson(await call('GET', `/v1/${cat}/namespaces/db/tables/t/presign?location=${encodeURIComponent(obj)}`), 200);
    assert.equal(new URL(r.url).searchParams.get('X-Amz-Expires'), '1');
    await new Promise((res) => setTimeout(res, 2500));
    const late = await fetch(r.url);
    assert.equal(late.status, 403, 'expired');
    assert.match(await late.text(), /expired/i);
  } finally {
    await short.stop();
  }
});

test('presign: only objects inside the table; other locations are refused and nothing is signed', async () => {
  const t = T.vend;
  const other = T.novend;
  const tableKey = t.table.slice(`s3://${BUCKET}/`.length);
  for (const location of [
    `${other.table}/data/f.parquet`,                       // another table's object
    `${t.root}/db/t2/data/f.parquet`,                      // a sibling of the table
    `${t.root}/db/t-other/data/f.parquet`,                 // a name the table's is a prefix of
    `s3://other-bucket/${tableKey}/data/f.parquet`,        // another bucket
    `${t.table}/data/../../t2/data/f.parquet`,             // a way out
    `${t.table}/./data/f.parquet`,
    `${t.table}//data/f.parquet`,
    `${t.table}/data/`,                                    // not an object
    t.table,                                               // the table's own prefix
    `${t.table}/data/f\u0001.parquet`,                     // a control byte
  ]) {
    const b = expectError(await presign(T.reader, t, location), 403, { iceberg: true });
    assert.equal(b.error.type, 'ForbiddenException', location);
    assert.match(b.error.message, /inside the table's location/);
    assert.ok(!JSON.stringify(b).includes('X-Amz-Signature'));
  }
  for (const location of ['', 'http://example.com/x', `/tmp/${tableKey}/f`, `file:///${tableKey}/f`]) {
    expectError(await presign(T.reader, t, location), 400, { iceberg: true });
  }
  expectError(await T.reader.call('GET', t.P), 400, { iceberg: true, message: /location=/ });
  // A table on local disk has no URL to give; a missing table is 404.
  const local = await srv.req('GET', `/v1/demo/namespaces/db/tables/nope/presign?location=${encodeURIComponent('s3://b/k')}`, { headers: root });
  expectError(local, 404, { iceberg: true });
  expectJson(await srv.req('POST', '/v1/demo/namespaces', { body: { namespace: ['loc'] }, headers: root }), 200);
  const lt = expectJson(await srv.req('POST', '/v1/demo/namespaces/loc/tables', { body: { name: 't', schema }, headers: root }), 200);
  const r = await srv.req('GET', `/v1/demo/namespaces/loc/tables/t/presign?location=${encodeURIComponent(`${lt.metadata.location}/data/f`)}`, { headers: root });
  expectError(r, 400, { iceberg: true, message: /local disk/ });
});

test('presign: readers of the table only; another tenant\'s table is missing', async () => {
  const t = T.vend;
  const loc = `${t.table}/data/00000-0-a.parquet`;
  expectError(await as({})('GET', `${t.P}?location=${encodeURIComponent(loc)}`), 401, { iceberg: true });
  expectError(await presign(T.none, t, loc), 403, { iceberg: true });
  expectError(await presign(B.admin, t, loc), 404, { iceberg: true });
  expectJson(await presign(T.reader, t, loc), 200);
});

const creds = (u, wh, location) => u.call('GET', `/api/v1/warehouses/${encodeURIComponent(wh)}/credentials` +
  (location === undefined ? '' : `?location=${encodeURIComponent(location)}`));

test('warehouse credentials: the keys only where the warehouse vends them, and only to admins and writers', async () => {
  const t = T.vend;
  for (const u of [T.admin, T.writer]) {
    const c = expectJson(await creds(u, t.wh, `${t.table}/data/x.parquet`), 200);
    assert.deepEqual(c, { type: 'Aws', access_key_id: 'test:tester', secret_access_key: 'testing', session_token: null, expiration: null });
  }
  expectJson(await creds(T.admin, t.wh, `s3://${BUCKET}/lake`), 200); // an admin, anywhere in the warehouse
  const r = await creds(T.admin, t.wh, t.root);
  assert.equal(r.headers['cache-control'], 'no-store');
  // A writer of one catalog gets nothing for a place no catalog of theirs holds.
  expectError(await creds(T.writer, t.wh, `s3://${BUCKET}/lake/elsewhere/x`), 403);
  expectError(await creds(T.writer, T.novend.wh, `${t.table}/x`), 403, { message: /admins and to callers who may write/ });
  for (const u of [T.reader, T.none]) {
    const b = expectError(await creds(u, t.wh, `${t.table}/x`), 403, { message: /remote signing or presign/ });
    assert.ok(!JSON.stringify(b).includes('testing'));
  }
  expectError(await creds({ call: as({}) }, t.wh, `${t.table}/x`), 401);
  // A warehouse that keeps its keys: nobody gets them, admins included.
  for (const u of [T.admin, T.writer]) {
    const b = expectError(await creds(u, T.novend.wh, `${T.novend.table}/x`), 403, { message: /static_key_buckets/ });
    assert.ok(!JSON.stringify(b).includes('testing'));
  }
  // Root acting in the tenant is an admin there.
  expectJson(await srv.req('GET', `/api/v1/warehouses/${t.wh}/credentials?location=${encodeURIComponent(t.root)}`,
    { headers: { ...root, 'x-pangolin-tenant': T.id } }), 200);
});

test('warehouse credentials: ?location= is required and lies in the warehouse; local ones have none; another tenant\'s is missing', async () => {
  const t = T.vend;
  expectError(await creds(T.admin, t.wh), 400, { message: /location=/ });
  for (const loc of ['/tmp/x', 'file:///tmp/x', `s3://${BUCKET}/lake/../x`, 'gs://b/x']) {
    expectError(await creds(T.admin, t.wh, loc), 400);
  }
  for (const loc of [`s3://other-${BUCKET}/lake/x`, `s3://${BUCKET}/other/x`, `s3://${BUCKET}/lakehouse/x`]) {
    expectError(await creds(T.admin, t.wh, loc), 403, { message: /outside the warehouse/ });
  }
  // The default tenant's local warehouse `wh` ([defaults]) has no keys.
  expectError(await srv.req('GET', `/api/v1/warehouses/wh/credentials?location=${encodeURIComponent('s3://b/x')}`, { headers: root }),
    400, { message: /no S3 keys/ });
  // Another tenant's admin: exactly the answer for a missing warehouse.
  const theirs = await creds(B.admin, t.wh, `${t.table}/x`);
  const missing = uniq('missing');
  const none = await creds(B.admin, missing, `${t.table}/x`);
  assert.equal(theirs.status, 404);
  assert.equal(theirs.text.replace(t.wh, '<name>'), none.text.replace(missing, '<name>'));
  // A non-admin learns nothing of a warehouse it cannot write into.
  const a = await creds(T.none, t.wh, `${t.table}/x`);
  const b = await creds(T.none, missing, `${t.table}/x`);
  assert.equal(a.status, 403);
  assert.equal(a.text, b.text);
});
