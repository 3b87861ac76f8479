// Outbound requests and what leaves with them (issue 22, parts 2 and 4):
// S3 endpoints on loopback, private, link-local or metadata addresses are
// refused unless the operator allow-lists the origin, at warehouse create
// and again at connect time; a remote error reaches the caller only as its
// code and status; remote signing signs only requests inside the table;
// static keys are vended only when the warehouse says so, and to writers.
//
// No real S3 here: a small in-memory S3 on loopback (allow-listed) keeps
// the tables' metadata, and plain listeners record who connects to them.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import dns from 'node:dns/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { after, before, test } from 'node:test';
import { expectError, expectJson, uniq } from './lib/expect.js';
import { startIcebergServer } from './lib/iceberg.js';
import { basic } from './lib/server.js';

const BUCKET = 'egress-lake';
const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', required: false, type: 'long' }] };
let srv, stub, trap, denied, junk;

/** Listen on a free port of host; resolves the server. */
const listen = (server, host = '127.0.0.1') => new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, host, () => resolve(server));
});

/** An S3 that keeps objects in memory and checks nothing. */
async function startStub() {
  const objects = new Map();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url, 'http://x');
      const key = decodeURIComponent(u.pathname);
      if (req.method === 'PUT') { objects.set(key, Buffer.concat(chunks)); res.writeHead(200).end(); return; }
      if (req.method === 'DELETE') { objects.delete(key); res.writeHead(204).end(); return; }
      if (req.method === 'POST') { res.writeHead(200, { 'content-type': 'application/xml' }).end('<DeleteResult/>'); return; }
      if (u.searchParams.get('list-type') === '2') {
        res.writeHead(200, { 'content-type': 'application/xml' }).end('<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>');
        return;
      }
      const body = objects.get(key);
      if (body === undefined) {
        res.writeHead(404, { 'content-type': 'application/xml' }).end('<Error><Code>NoSuchKey</Code></Error>');
        return;
      }
      res.writeHead(200, { 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });
  await listen(server);
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

/** A listener that answers every request 403 with body; counts connections. */
async function startDenier(body) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(403, { 'content-type': 'application/xml' }).end(body));
  });
  await listen(server);
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

/** A TCP listener on every local address that records each connection. */
async function startTrap() {
  const t = { connections: 0 };
  t.server = net.createServer((sock) => { t.connections++; sock.destroy(); });
  try {
    await listen(t.server, '::');
  } catch {
    await listen(t.server, '0.0.0.0');
  }
  t.port = t.server.address().port;
  return t;
}

before(async () => {
  stub = await startStub();
  trap = await startTrap();
  denied = await startDenier('<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>secret-marker: bucket policy of tenant B</Message></Error>');
  junk = await startDenier('<Error><Code>leaked text from the endpoint</Code><Message>more</Message></Error>');
  srv = await startIcebergServer({ allowEndpoints: [stub.origin, denied.origin, junk.origin] });
});
after(async () => {
  await srv?.stop();
  for (const s of [stub, trap, denied, junk]) s?.server.close();
});

const req = (method, p, body, headers) => srv.req(method, p, { body, headers });

/** A warehouse on endpoint, a catalog in it and namespace db; { wh, cat }. */
async function s3Catalog(call, endpoint, extra = {}) {
  const wh = uniq('wh');
  expectJson(await call('POST', '/api/v1/warehouses', { name: wh, storage_config: {
    type: 's3', bucket: BUCKET, prefix: 'lake', endpoint, region: 'us-east-1',
    access_key_id: 'AKIDEGRESS', secret_access_key: 'egress-secret', ...extra } }), 201);
  const cat = uniq('cat');
  const c = expectJson(await call('POST', '/api/v1/catalogs', { name: cat, warehouse_name: wh }), 201);
  expectJson(await call('POST', `/v1/${cat}/namespaces`, { namespace: ['db'] }), 200);
  return { wh, cat, id: c.id };
}

test('loopback, private, link-local and metadata endpoints are refused at create and update unless allow-listed', async () => {
  const p = trap.port;
  for (const endpoint of [`http://127.0.0.1:${p}`, `http://[::1]:${p}`, 'http://169.254.169.254', 'http://10.0.0.1',
    `http://localhost:${p}`, `http://LOCALHOST.:${p}`, `http://bucket.localhost:${p}`, `http://127.1:${p}`, `http://2130706433:${p}`,
    `http://0x7f000001:${p}`, `http://[::ffff:127.0.0.1]:${p}`, `http://0.0.0.0:${p}`, `http://[::]:${p}`, 'http://192.168.1.1',
    'http://172.16.0.1', 'http://100.64.0.1', 'http://[fd00:ec2::254]', 'http://[fe80::1]', 'http://[fc00::1]',
    'http://metadata.google.internal', `https://127.0.0.1:${p}`]) {
    const r = await req('POST', '/api/v1/warehouses', { name: uniq('ssrf'), storage_config: { type: 's3', bucket: BUCKET, endpoint } });
    expectError(r, 400, { message: /allowed_endpoints/ });
  }
  // An update to such an endpoint is refused the same way.
  const wh = uniq('upd');
  expectJson(await req('POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 's3', bucket: BUCKET, endpoint: stub.origin } }), 201);
  expectError(await req('PUT', `/api/v1/warehouses/${wh}`, { storage_config: { endpoint: `http://127.0.0.1:${p}` } }), 400, { message: /allowed_endpoints/ });
  expectError(await req('PUT', `/api/v1/warehouses/${wh}`, { storage_config: { endpoint: 'http://169.254.169.254' } }), 400, { message: /metadata/ });
  // The allow-listed origin is accepted; the same host on another port is not.
  const ok = await req('POST', '/api/v1/warehouses', { name: uniq('ok'), storage_config: { type: 's3', bucket: BUCKET, endpoint: stub.origin } });
  expectJson(ok, 201);
  expectError(await req('POST', '/api/v1/warehouses', { name: uniq('port'), storage_config: { type: 's3', bucket: BUCKET, endpoint: `http://127.0.0.1:${p}` } }), 400);
  assert.equal(trap.connections, 0, 'nothing connected to the trap');
});

test('a name that resolves to a loopback or private address is refused at connect time (no DNS rebinding)', async (t) => {
  // The machine's own name: not local by its spelling, so the warehouse is
  // created; it resolves to this host, where the trap listens.
  const host = os.hostname().toLowerCase();
  const addrs = await dns.lookup(host, { all: true }).catch(() => []);
  const local = addrs.filter((a) => /^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|::1$|f[cd]|fe[89ab])/i.test(a.address));
  if (host === 'localhost' || local.length === 0 || local.length !== addrs.length) {
    t.skip(`${host} does not resolve only to local addresses here (${addrs.map((a) => a.address).join(', ')})`);
    return;
  }
  const { wh, cat } = await s3Catalog(req, `http://${host}:${trap.port}`);
  const r = await req('POST', `/v1/${cat}/namespaces/db/tables`, { name: 't', schema });
  const b = expectError(r, 503, { iceberg: true });
  assert.match(b.error.message, new RegExp(`warehouse '${wh}'`));
  assert.match(b.error.message, /endpoint refused/);
  assert.equal(trap.connections, 0, 'the server never connected to the resolved loopback address');
});

test('a remote error reaches the caller only as its S3 code and HTTP status', async () => {
  let { cat } = await s3Catalog(req, denied.origin);
  let b = expectError(await req('POST', `/v1/${cat}/namespaces/db/tables`, { name: 't', schema }), 503, { iceberg: true });
  assert.match(b.error.message, /AccessDenied/);
  assert.match(b.error.message, /HTTP 403/);
  assert.ok(!b.error.message.includes('secret-marker'), b.error.message);
  // A <Code> that is not a code is not echoed either.
  ({ cat } = await s3Catalog(req, junk.origin));
  b = expectError(await req('POST', `/v1/${cat}/namespaces/db/tables`, { name: 't', schema }), 503, { iceberg: true });
  assert.match(b.error.message, /HTTP 403/);
  assert.ok(!/leaked|more/.test(b.error.message), b.error.message);
});

test('remote signing signs only requests inside the table', async () => {
  const { cat } = await s3Catalog(req, stub.origin);
  const T = `/v1/${cat}/namespaces/db/tables`;
  const created = expectJson(await req('POST', T, { name: 't', schema }), 200);
  expectJson(await req('POST', T, { name: 'other', schema }), 200);
  const key = created.metadata.location.slice(`s3://${BUCKET}/`.length);
  assert.equal(key, `lake/${cat}/db/t`);
  const bucketUri = `${stub.origin}/${BUCKET}`;
  const base = `${bucketUri}/${key}`;
  const sign = (method, uri, headers = {}, body) => req('POST', `${T}/t/sign`, {
    region: 'us-east-1', uri, method, headers: { 'x-amz-content-sha256': ['UNSIGNED-PAYLOAD'], ...headers }, ...(body !== undefined ? { body } : {}) });
  const sha = (s) => crypto.createHash('sha256').update(s).digest('hex');
  const deleteBody = (...keys) => `<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${
    keys.map((k) => `<Object><Key>${k}</Key></Object>`).join('')}<Quiet>true</Quiet></Delete>`;
  const inside = deleteBody(`${key}/data/a.parquet`, `${key}/data/b&amp;c.parquet`);

  // Signed: what a reader and a writer of the table do.
  for (const [method, uri, headers, body] of [
    ['GET', `${base}/metadata/x.json`],
    ['HEAD', `${base}/data/a.parquet`],
    ['PUT', `${base}/data/a.parquet`],
    ['PUT', `${base}/data/b.parquet`, { 'x-amz-copy-source': [`/${BUCKET}/${key}/data/a.parquet`], 'x-amz-copy-source-range': ['bytes=0-9'] }],
    ['PUT', `${base}/data/b.parquet`, { 'x-amz-copy-source': [`${BUCKET}/${encodeURIComponent(`${key}/data/a b.parquet`)}?versionId=3`] }],
    ['POST', `${base}/data/big.parquet?uploads`],
    ['PUT', `${base}/data/big.parquet?partNumber=1&uploadId=u1`],
    ['POST', `${base}/data/big.parquet?uploadId=u1`],
    ['DELETE', `${base}/data/big.parquet?uploadId=u1`],
    ['DELETE', `${base}/data/a.parquet`],
    ['GET', `${bucketUri}?list-type=2&prefix=${encodeURIComponent(`${key}/data/`)}&max-keys=100`],
    ['POST', `${bucketUri}?delete`, { 'x-amz-content-sha256': [sha(inside)] }, inside],
  ]) {
    const r = await sign(method, uri, headers, body);
    const s = expectJson(r, 200);
    assert.match(s.headers.Authorization[0], /^AWS4-HMAC-SHA256 /, `${method} ${uri}`);
  }

  // Refused: each shape that would reach outside the table.
  const outside = deleteBody(`${key}/data/a.parquet`, `lake/${cat}/db/other/metadata/m.json`);
  const dotdot = deleteBody(`${key}/../other/x`);
  for (const [what, method, uri, headers, body] of [
    ['copy from another table', 'PUT', `${base}/data/b.parquet`, { 'x-amz-copy-source': [`/${BUCKET}/lake/${cat}/db/other/metadata/m.json`] }],
    ['copy from another bucket', 'PUT', `${base}/data/b.parquet`, { 'x-amz-copy-source': [`/other-bucket/${key}/data/a.parquet`] }],
    ['copy through ..', 'PUT', `${base}/data/b.parquet`, { 'x-amz-copy-source': [`/${BUCKET}/${key}/../other/x`] }],
    ['copy range alone', 'PUT', `${base}/data/b.parquet`, { 'x-amz-copy-source-range': ['bytes=0-9'] }],
    ['copy on a GET', 'GET', `${base}/data/b.parquet`, { 'x-amz-copy-source': [`/${BUCKET}/${key}/data/a.parquet`] }],
    ['redirect to another object', 'PUT', `${base}/data/b.parquet`, { 'x-amz-website-redirect-location': [`/lake/${cat}/db/other/x`] }],
    ['a public grant', 'PUT', `${base}/data/b.parquet`, { 'x-amz-grant-read': ['uri="http://acs.amazonaws.com/groups/global/AllUsers"'] }],
    ['a public acl', 'PUT', `${base}/data/b.parquet`, { 'x-amz-acl': ['public-read'] }],
    ['multi-delete unsigned', 'POST', `${bucketUri}?delete`, {}, inside],
    ['multi-delete without its body', 'POST', `${bucketUri}?delete`, { 'x-amz-content-sha256': [sha(inside)] }],
    ['multi-delete with another body', 'POST', `${bucketUri}?delete`, { 'x-amz-content-sha256': [sha(inside)] }, outside],
    ['multi-delete with a key outside', 'POST', `${bucketUri}?delete`, { 'x-amz-content-sha256': [sha(outside)] }, outside],
    ['multi-delete through ..', 'POST', `${bucketUri}?delete`, { 'x-amz-content-sha256': [sha(dotdot)] }, dotdot],
    ['duplicated prefix', 'GET', `${bucketUri}?list-type=2&prefix=${encodeURIComponent(`${key}/`)}&prefix=lake%2F`],
    ['a prefix with a bare +', 'GET', `${bucketUri}?list-type=2&prefix=${encodeURIComponent(`${key}/`)}a+b`],
    ['list outside', 'GET', `${bucketUri}?list-type=2&prefix=${encodeURIComponent(`${key}/../`)}`],
    ['list v1', 'GET', `${bucketUri}?prefix=${encodeURIComponent(`${key}/`)}`],
    ['key ending /..', 'GET', `${base}/data/..`],
    ['key ending /.. (encoded)', 'PUT', `${base}/data/%2E%2E`],
    ['key through ..', 'GET', `${base}/../other/metadata/m.json`],
    ['key with //', 'PUT', `${base}//x`],
    ['an acl subresource', 'PUT', `${base}/data/a.parquet?acl`],
    ['another method', 'PATCH', `${base}/data/a.parquet`],
  ]) {
    const r = await sign(method, uri, headers, body);
    assert.equal(r.status, 403, `${what}: ${r.status} ${r.text}`);
    assert.equal(r.json.error.type, 'ForbiddenException', what);
  }
});

test('static keys: never vended by default; where the operator lists the bucket only to writers; readers get remote signing; a storage_config cannot ask for them', async () => {
  const PW = 'Str0ng-Passw0rd-for-tests';
  // The operator's grant (issue 67): a warehouse's storage_config said
  // "vend_static_keys": "true" and its writers got keys that reach the
  // whole bucket, other tenants' warehouses in it too.
  const KEYS_BUCKET = 'egress-keys';
  const auth = await startIcebergServer({ root: true, noAuth: false, allowEndpoints: [stub.origin],
    env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_STATIC_KEY_BUCKETS: KEYS_BUCKET } });
  try {
    const root = { authorization: basic() };
    const as = (headers) => (method, p, body, h = {}) => auth.req(method, p, { body, headers: { ...headers, ...h } });
    const tenant = expectJson(await as(root)('POST', '/api/v1/tenants', { name: uniq('t') }), 201).id;
    const login = async (role) => {
      const username = uniq(role);
      const u = expectJson(await as(root)('POST', '/api/v1/users', { username, password: PW, tenant_id: tenant, role }), 201);
      const tok = expectJson(await as({})('POST', '/api/v1/users/login', { username, password: PW, 'tenant-id': tenant }), 200).token;
      return { id: u.id, call: as({ authorization: `Bearer ${tok}` }) };
    };
    const admin = await login('tenant-admin');
    const reader = await login('tenant-user');
    const writer = await login('tenant-user');
    const vend = { 'x-iceberg-access-delegation': 'vended-credentials' };
    const keysIn = (j) => JSON.stringify(j).includes('egress-secret');

    expectError(await admin.call('POST', '/api/v1/warehouses', { name: uniq('wh'), storage_config: {
      type: 's3', bucket: KEYS_BUCKET, endpoint: stub.origin, access_key_id: 'AKIDEGRESS', secret_access_key: 'egress-secret',
      vend_static_keys: 'true' } }), 422, { message: /vend_static_keys is the operator's.*static_key_buckets/ });
    for (const [flag, bucket] of [[undefined, BUCKET], ['false', BUCKET], ['listed', KEYS_BUCKET]]) {
      const { cat, id } = await s3Catalog(admin.call, stub.origin, { bucket, ...(flag === 'false' ? { vend_static_keys: flag } : {}) });
      const T = `/v1/${cat}/namespaces/db/tables`;
      const created = expectJson(await admin.call('POST', T, { name: 't', schema }, vend), 200);
      expectJson(await admin.call('POST', '/api/v1/permissions', { 'user-id': reader.id, scope: { type: 'catalog', catalog_id: id }, actions: ['read'] }), 201);
      expectJson(await admin.call('POST', '/api/v1/permissions', { 'user-id': writer.id, scope: { type: 'catalog', catalog_id: id }, actions: ['read', 'write'] }), 201);
      const give = flag === 'listed';
      assert.equal(keysIn(created), give, `create by the admin, vend_static_keys ${flag}`);
      for (const [who, u, may] of [['admin', admin, give], ['writer', writer, give], ['reader', reader, false]]) {
        const loaded = expectJson(await u.call('GET', `${T}/t`, undefined, vend), 200);
        assert.equal(keysIn(loaded), may, `${who} loads, vend_static_keys ${flag}`);
        if (may) {
          assert.equal(loaded['storage-credentials'][0].config['s3.secret-access-key'], 'egress-secret');
        } else {
          assert.equal(loaded['storage-credentials'], undefined, who);
          // What is offered instead: remote signing, no keys.
          assert.equal(loaded.config['s3.remote-signing-enabled'], 'true', who);
        }
        const creds = expectJson(await u.call('GET', `${T}/t/credentials`), 200);
        assert.equal(keysIn(creds), may, `${who} /credentials, vend_static_keys ${flag}`);
        if (!may) assert.deepEqual(creds['storage-credentials'], []);
      }
      // A body with keys and one without never share an ETag, so a
      // client's cached answer is never confirmed for the other (304).
      const tag = async (u) => (await u.call('GET', `${T}/t`, undefined, vend)).headers.etag;
      const [wt, rt] = [await tag(writer), await tag(reader)];
      assert.ok(wt && rt, 'loads carry an ETag');
      if (give) assert.notEqual(wt, rt, 'writer (keys) and reader (none) tags');
      else assert.equal(wt, rt, 'no keys for either: one body, one tag');
      const nm = await reader.call('GET', `${T}/t`, undefined, { ...vend, 'if-none-match': wt });
      assert.equal(nm.status, give ? 200 : 304, 'a reader presenting the writer\'s tag');
      // Signing follows the same line: a reader reads, a writer writes.
      const uri = `${stub.origin}/${bucket}/lake/${cat}/db/t/data/x.parquet`;
      const sign = (u, method) => u.call('POST', `${T}/t/sign`, {
        region: 'us-east-1', uri, method, headers: { 'x-amz-content-sha256': ['UNSIGNED-PAYLOAD'] } });
      expectJson(await sign(reader, 'GET'), 200);
      assert.equal((await sign(reader, 'PUT')).status, 403, 'a reader\'s PUT');
      expectJson(await sign(writer, 'PUT'), 200);
    }
    // A listed bucket holds one warehouse, of any tenant: its keys would
    // reach a second one's files.
    expectError(await admin.call('POST', '/api/v1/warehouses', { name: uniq('wh'), storage_config: {
      type: 's3', bucket: KEYS_BUCKET, prefix: 'other', endpoint: stub.origin, access_key_id: 'AKIDOTHER', secret_access_key: 'other-secret' } }),
    400, { message: new RegExp(`bucket ${KEYS_BUCKET} holds another warehouse.*static_key_buckets`) });
  } finally {
    await auth.stop();
  }
});
