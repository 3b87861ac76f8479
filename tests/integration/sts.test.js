// Credential vending with STS (issue 30) against a real STS: Ceph's RADOS
// Gateway with AssumeRole on loopback (tests/servers/ceph.sh), which checks
// every SigV4 signature and enforces the session policy of the keys it
// hands out.  The catalog mints keys for one table with AssumeRole and an
// inline session policy; curl then uses them from outside as a client
// would, so every 200 and 403 on the bucket below is RGW's own answer.
// STS does not depend on the store: the sqlite pass runs this file.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { list, s3, s3Code, startCeph } from './lib/ceph.js';
import { startIcebergServer } from './lib/iceberg.js';
import { basic, freePort, NIL_UUID, STORE } from './lib/server.js';
import { expectError, expectJson, uniq } from './lib/expect.js';

const skip = STORE !== 'sqlite' && 'store-independent: the sqlite pass runs it (PGL_STORE=sqlite)';

const PW = 'Str0ng-Passw0rd-for-tests';
const VEND = { 'x-iceberg-access-delegation': 'vended-credentials' };
const KEYS = ['s3.access-key-id', 's3.endpoint', 's3.path-style-access', 's3.region', 's3.secret-access-key',
  's3.session-token', 's3.session-token-expires-at-ms'];
const DEAD = 'http://127.0.0.1:9'; // allow-listed, nothing listens
const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', required: false, type: 'long' }] };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let ceph, srv;
const root = { authorization: basic() };
let admin; // a tenant admin of the default tenant: may write every table
/** Every answer the catalog gave in this file, for the check that no long-term key leaves. */
const answers = [];

/** A request as `headers` (the tenant admin by default); the answer is kept in `answers`. */
async function call(method, p, { body, headers = admin } = {}) {
  const r = await srv.req(method, p, { body, headers });
  answers.push(`${method} ${p} -> ${r.status} ${JSON.stringify(r.headers)} ${r.text}`);
  return r;
}
async function ok(method, p, body, headers = admin) {
  const r = await call(method, p, { body, headers });
  assert.ok([200, 201, 204].includes(r.status), `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
}
/** A user of the default tenant with a role: { id, headers }. */
async function user(tag, role) {
  const username = uniq(tag);
  const u = await ok('POST', '/api/v1/users', { username, password: PW, tenant_id: NIL_UUID, role }, root);
  const { token } = await ok('POST', '/api/v1/users/login', { username, password: PW, 'tenant-id': NIL_UUID }, {});
  return { id: u.id, headers: { authorization: `Bearer ${token}` } };
}

before(async () => {
  if (skip) return;
  // Ceph's cold start and the catalog's side by side: RGW's port is picked
  // first, so the catalog starts with its origin allow-listed.  One
  // worker: the credential cache is per worker, so counts are exact.
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const starting = startCeph({ port });
  srv = await startIcebergServer({ root: true, noAuth: false, workers: 1, allowEndpoints: [endpoint, DEAD],
    env: { PANGOLIN_AUTH_RATE_LIMIT: '0' } }).catch(async (e) => { (await starting.catch(() => null))?.destroy(); throw e; });
  ceph = await starting;
  assert.equal(ceph.endpoint, endpoint);
  admin = (await user('sts-admin', 'tenant-admin')).headers;
});
after(async () => {
  await srv?.stop();
  ceph?.destroy();
});

/**
 * A warehouse vending STS credentials (use_sts + role_arn in its
 * storage_config, or with awsSts the AwsSts vending strategy), a catalog
 * on it and namespace db.  config: storage_config keys to add or override.
 * Returns { wh, cat, catId, T (the tables path), key(t) (a table's key
 * prefix in the bucket), loc(t) (its location) }.
 */
async function stsCatalog(config = {}, { awsSts = false } = {}) {
  const wh = uniq('stswh');
  const storage = { type: 's3', bucket: ceph.bucket, prefix: 'lake', endpoint: ceph.endpoint, region: 'us-east-1',
    access_key_id: ceph.accessKey, secret_access_key: ceph.secretKey, sts_duration_secs: '900',
    ...(awsSts ? {} : { role_arn: ceph.roleArn }), ...config };
  const body = awsSts ? { name: wh, storage_config: storage, vending_strategy: { AwsSts: { role_arn: ceph.roleArn, external_id: null } } }
    : { name: wh, use_sts: true, storage_config: storage };
  expectJson(await call('POST', '/api/v1/warehouses', { body }), 201);
  const cat = uniq('stscat');
  const c = expectJson(await call('POST', '/api/v1/catalogs', { body: { name: cat, warehouse_name: wh } }), 201);
  assert.equal(c.storage_location, `s3://${ceph.bucket}/lake/${cat}`);
  await ok('POST', `/v1/${cat}/namespaces`, { namespace: ['db'] });
  const key = (t) => `lake/${cat}/db/${t}`;
  return { wh, cat, catId: c.id, T: `/v1/${cat}/namespaces/db/tables`, key, loc: (t) => `s3://${ceph.bucket}/${key(t)}` };
}

/** createTable (body: name or a whole request) without the header: the table's metadata file key. */
async function table(T, body) {
  const r = await ok('POST', T, typeof body === 'string' ? { name: body, schema } : body);
  assert.equal(r['storage-credentials'], undefined, 'no credentials without the header');
  return r['metadata-location'].slice(`s3://${ceph.bucket}/`.length);
}

/**
 * The vended credentials of a loadTable/createTable answer: exactly one
 * entry, for the table's location, with every key; the top-level config
 * is the same.  Returns its config.
 */
function vended(body, location, { duration = 900 } = {}) {
  const sc = body['storage-credentials'];
  assert.ok(Array.isArray(sc) && sc.length === 1, `one storage credential: ${JSON.stringify(body).slice(0, 500)}`);
  assert.equal(sc[0].prefix, location, 'the credential is for the table\'s location');
  if (body.metadata) assert.equal(body.metadata.location, location);
  const c = sc[0].config;
  checkConfig(c, duration);
  if (body.metadata) assert.deepEqual(body.config, c, 'config carries the same keys');
  return c;
}
function checkConfig(c, duration) {
  assert.deepEqual(Object.keys(c).filter((k) => KEYS.includes(k)).sort(), KEYS, JSON.stringify(c));
  assert.equal(c['s3.endpoint'], ceph.endpoint);
  assert.equal(c['s3.region'], 'us-east-1');
  assert.equal(c['s3.path-style-access'], 'true');
  assert.notEqual(c['s3.access-key-id'], ceph.accessKey, 'temporary keys, not the warehouse\'s');
  assert.ok(c['s3.session-token'].length > 20);
  assert.match(c['s3.session-token-expires-at-ms'], /^\d+$/, 'ms since the epoch as decimal text');
  const left = Number(c['s3.session-token-expires-at-ms']) - Date.now();
  assert.ok(left > 0 && left <= duration * 1000 + 5000, `expires in ${left} ms (duration ${duration} s)`);
}
const load = (T, t, headers = admin) => call('GET', `${T}/${encodeURIComponent(t)}`, { headers: { ...headers, ...VEND } });
const bucketPath = (k) => `/${ceph.bucket}/${k}`;

/** pangolin_sts_* counters from /metrics (summed over any labels). */
async function metric(name) {
  const text = (await call('GET', '/metrics', { headers: {} })).text;
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'gm'))) sum += Number(m[1]);
  assert.ok(new RegExp(`^${name}[ {]`, 'm').test(text), `/metrics has ${name}`);
  return sum;
}
const stsCache = async () => {
  const s = expectJson(await call('GET', '/api/v1/cache/stats', { headers: root }), 200);
  const c = s.caches.find((x) => x.name === 'sts_credentials' && x.tier === 'l1');
  assert.ok(c, `cache stats list sts_credentials (l1): ${JSON.stringify(s.caches.map((x) => x.name))}`);
  return c;
};

test('table A\'s credentials read and write under A\'s prefix; RGW refuses them under table B\'s prefix and on the bucket root; listing only with A\'s prefix', { skip }, async () => {
  const { T, key, loc } = await stsCatalog();
  const bMeta = await table(T, 'b');
  // createTable with the header hands out A's keys.
  const created = expectJson(await call('POST', T, { body: { name: 'a', schema }, headers: { ...admin, ...VEND } }), 200);
  const c = vended(created, loc('a'));
  const aMeta = created['metadata-location'].slice(`s3://${ceph.bucket}/`.length);
  // Under A: write, read back, read what the catalog wrote, delete.
  assert.equal(s3(c, 'PUT', bucketPath(`${key('a')}/data/00000.parquet`), { body: 'PAR1-a' }).status, 200);
  const got = s3(c, 'GET', bucketPath(`${key('a')}/data/00000.parquet`));
  assert.deepEqual([got.status, got.text], [200, 'PAR1-a']);
  assert.equal(s3(c, 'GET', bucketPath(aMeta)).status, 200, 'the table\'s metadata file');
  assert.equal(s3(c, 'PUT', bucketPath(`${key('a')}/data/gone.parquet`), { body: 'x' }).status, 200);
  assert.equal(s3(c, 'DELETE', bucketPath(`${key('a')}/data/gone.parquet`)).status, 204);
  // Under B: B's metadata file is there (the long-term keys read it), but not for A's keys.
  assert.equal(s3(ceph, 'GET', bucketPath(bMeta)).status, 200, 'control: the object exists');
  const getB = s3(c, 'GET', bucketPath(bMeta));
  assert.deepEqual([getB.status, s3Code(getB)], [403, 'AccessDenied']);
  assert.equal(s3(c, 'PUT', bucketPath(`${key('b')}/data/x.parquet`), { body: 'x' }).status, 403);
  assert.equal(s3(c, 'PUT', bucketPath(`${key('a')}-sibling/x`), { body: 'x' }).status, 403, 'a key that only starts like A\'s prefix');
  assert.equal(s3(c, 'PUT', bucketPath('root.txt'), { body: 'x' }).status, 403);
  // Listing: the bucket root and B's prefix no; A's prefix yes.
  assert.equal(list(c, ceph.bucket).status, 403, 'list of the bucket root');
  assert.equal(list(c, ceph.bucket, `${key('b')}/`).status, 403, 'list of B\'s prefix');
  const la = list(c, ceph.bucket, `${key('a')}/`);
  assert.equal(la.status, 200, la.text);
  assert.ok(la.keys.includes(`${key('a')}/data/00000.parquet`), la.keys.join(' '));
  assert.ok(la.keys.includes(aMeta));
  // loadTable with the header: A's keys again; without it: nothing vended.
  const loaded = expectJson(await load(T, 'a'), 200);
  vended(loaded, loc('a'));
  const plain = expectJson(await call('GET', `${T}/a`), 200);
  assert.deepEqual(plain.config, {});
  assert.equal(plain['storage-credentials'], undefined);
});

test('/credentials answers fresh-looking keys for the table without the header; stage-create with the header vends for the staged location', { skip }, async () => {
  const { T, key, loc } = await stsCatalog();
  await table(T, 'a');
  await table(T, 'b');
  const r = expectJson(await call('GET', `${T}/a/credentials`), 200);
  assert.deepEqual(Object.keys(r), ['storage-credentials']);
  assert.equal(r['storage-credentials'].length, 1);
  assert.equal(r['storage-credentials'][0].prefix, loc('a'));
  const c = r['storage-credentials'][0].config;
  checkConfig(c, 900);
  assert.equal(s3(c, 'PUT', bucketPath(`${key('a')}/data/c.parquet`), { body: 'x' }).status, 200);
  assert.equal(s3(c, 'PUT', bucketPath(`${key('b')}/data/c.parquet`), { body: 'x' }).status, 403);
  // A staged table: nothing is committed, yet its writer needs keys for its location.
  const staged = expectJson(await call('POST', T, { body: { name: 'st', schema, 'stage-create': true }, headers: { ...admin, ...VEND } }), 200);
  const sc = vended(staged, loc('st'));
  assert.equal(s3(sc, 'PUT', bucketPath(`${key('st')}/data/0.parquet`), { body: 'x' }).status, 200);
  assert.equal(s3(sc, 'PUT', bucketPath(`${key('a')}/data/st.parquet`), { body: 'x' }).status, 403);
});

test('a reader\'s credentials (read grant on A only) GET but cannot PUT or DELETE; a writer\'s (write grant) PUT', { skip }, async () => {
  const { T, key, loc, catId } = await stsCatalog();
  const meta = await table(T, 'a');
  const tableId = expectJson(await call('GET', `${T}/a`), 200).metadata['table-uuid'];
  const grant = async (u, actions) => ok('POST', '/api/v1/permissions',
    { 'user-id': u.id, scope: { type: 'asset', catalog_id: catId, namespace: 'db', asset_id: tableId }, actions });
  const reader = await user('sts-reader', 'tenant-user');
  const writer = await user('sts-writer', 'tenant-user');
  await grant(reader, ['read']);
  await grant(writer, ['write']);
  const adminKeys = vended(expectJson(await load(T, 'a'), 200), loc('a'));
  assert.equal(s3(adminKeys, 'PUT', bucketPath(`${key('a')}/data/by-admin.parquet`), { body: 'admin' }).status, 200);

  const rc = vended(expectJson(await load(T, 'a', reader.headers), 200), loc('a'));
  assert.notEqual(rc['s3.access-key-id'], adminKeys['s3.access-key-id'], 'a reader does not get the writers\' keys');
  const got = s3(rc, 'GET', bucketPath(`${key('a')}/data/by-admin.parquet`));
  assert.deepEqual([got.status, got.text], [200, 'admin']);
  assert.equal(s3(rc, 'GET', bucketPath(meta)).status, 200);
  assert.equal(list(rc, ceph.bucket, `${key('a')}/`).status, 200);
  const put = s3(rc, 'PUT', bucketPath(`${key('a')}/data/by-reader.parquet`), { body: 'r' });
  assert.deepEqual([put.status, s3Code(put)], [403, 'AccessDenied']);
  assert.equal(s3(rc, 'DELETE', bucketPath(`${key('a')}/data/by-admin.parquet`)).status, 403);
  // /credentials for the reader: read-only as well.
  const rr = expectJson(await call('GET', `${T}/a/credentials`, { headers: reader.headers }), 200);
  assert.equal(s3(rr['storage-credentials'][0].config, 'PUT', bucketPath(`${key('a')}/data/r2.parquet`), { body: 'r' }).status, 403);

  const wc = vended(expectJson(await load(T, 'a', writer.headers), 200), loc('a'));
  assert.equal(s3(wc, 'PUT', bucketPath(`${key('a')}/data/by-writer.parquet`), { body: 'w' }).status, 200);
  assert.equal(s3(wc, 'GET', bucketPath(`${key('a')}/data/by-admin.parquet`)).status, 200);
});

test('expired credentials (sts_duration_secs "3") are refused by RGW; /credentials then answers new keys that work', { skip }, async () => {
  const { T, key, loc } = await stsCatalog({ sts_duration_secs: '3' });
  const c = vended(expectJson(await call('POST', T, { body: { name: 'e', schema }, headers: { ...admin, ...VEND } }), 200), loc('e'), { duration: 3 });
  const obj = bucketPath(`${key('e')}/data/0.parquet`);
  assert.equal(s3(c, 'PUT', obj, { body: 'before' }).status, 200);
  await sleep(Math.max(0, Number(c['s3.session-token-expires-at-ms']) - Date.now()) + 1000);
  const late = s3(c, 'PUT', obj, { body: 'after' });
  assert.ok([400, 403].includes(late.status), `expired keys: ${late.status} ${late.text}`);
  const fresh = expectJson(await call('GET', `${T}/e/credentials`), 200)['storage-credentials'];
  assert.equal(fresh.length, 1);
  assert.equal(fresh[0].prefix, loc('e'));
  const f = fresh[0].config;
  checkConfig(f, 3);
  assert.notEqual(f['s3.access-key-id'], c['s3.access-key-id'], 'new keys, not the expired ones from the cache');
  assert.equal(s3(f, 'PUT', obj, { body: 'after' }).status, 200);
});

test('the cache: N loads with vended-credentials give the same keys from one AssumeRole (metrics +1, sts_credentials hits +N-1)', { skip }, async () => {
  const { T, loc } = await stsCatalog();
  await table(T, 'h');
  const N = 6;
  const calls0 = await metric('pangolin_sts_assume_role_total');
  const cache0 = await stsCache();
  const keys = [];
  for (let i = 0; i < N; i++) keys.push(vended(expectJson(await load(T, 'h'), 200), loc('h'))['s3.access-key-id']);
  assert.deepEqual(new Set(keys).size, 1, `one access key for ${N} loads: ${keys}`);
  assert.equal(await metric('pangolin_sts_assume_role_total') - calls0, 1, 'one AssumeRole');
  const cache1 = await stsCache();
  assert.equal(cache1.hits - cache0.hits, N - 1, JSON.stringify({ cache0, cache1 }));
  assert.equal(cache1.misses - cache0.misses, 1);
  assert.ok(cache1.entries >= 1);
});

test('a burst of 30 concurrent first loads of one table waits for one AssumeRole (single flight), all 200 with the same keys', { skip }, async () => {
  const { T, loc } = await stsCatalog();
  await table(T, 'burst');
  await ok('GET', `${T}/burst`); // its metadata cached: the burst waits only on STS
  const calls0 = await metric('pangolin_sts_assume_role_total');
  const s3calls0 = await metric('pangolin_object_store_requests_total');
  const rs = await Promise.all(Array.from({ length: 30 }, () => load(T, 'burst')));
  assert.deepEqual(rs.map((r) => r.status), rs.map(() => 200), rs.find((r) => r.status !== 200)?.text);
  const keys = new Set(rs.map((r) => vended(r.json, loc('burst'))['s3.access-key-id']));
  assert.equal(keys.size, 1, 'every waiter got the one call\'s keys');
  assert.equal(await metric('pangolin_sts_assume_role_total') - calls0, 1, 'one AssumeRole for the burst');
  // One worker, the metadata cached: the AssumeRole is the only call out,
  // and it is no S3 request.
  assert.equal(await metric('pangolin_object_store_requests_total') - s3calls0, 0, 'STS is not counted as S3');
});

test('an AwsSts vending_strategy warehouse vends like use_sts', { skip }, async () => {
  const { T, key, loc } = await stsCatalog({}, { awsSts: true });
  await table(T, 'y');
  const c = vended(expectJson(await call('POST', T, { body: { name: 'x', schema }, headers: { ...admin, ...VEND } }), 200), loc('x'));
  assert.equal(s3(c, 'PUT', bucketPath(`${key('x')}/data/0.parquet`), { body: 'x' }).status, 200);
  assert.equal(s3(c, 'PUT', bucketPath(`${key('y')}/data/0.parquet`), { body: 'x' }).status, 403);
  assert.equal(list(c, ceph.bucket).status, 403);
});

test('a role that does not exist is a 502 naming the warehouse, AssumeRole and NoSuchEntity; no keys vended, none static', { skip }, async () => {
  const { wh, T } = await stsCatalog({ role_arn: 'arn:aws:iam:::role/NoSuchRole' });
  await table(T, 't');
  const failures0 = await metric('pangolin_sts_assume_role_failures_total');
  const r = await load(T, 't');
  const b = expectError(r, 502, { iceberg: true });
  assert.match(b.error.message, new RegExp(`'?${wh}'?`));
  assert.match(b.error.message, /AssumeRole/);
  assert.match(b.error.message, /NoSuchEntity/);
  assert.ok(await metric('pangolin_sts_assume_role_failures_total') > failures0, 'the failure is counted');
  expectError(await call('GET', `${T}/t/credentials`), 502, { iceberg: true });
  // Without the header the table loads: only vending needs the role.
  expectJson(await call('GET', `${T}/t`), 200);
});

test('an unreachable STS endpoint (allow-listed, nothing listening) is a 503 with Retry-After naming the warehouse', { skip }, async () => {
  const { wh, T } = await stsCatalog({ sts_endpoint: DEAD });
  await table(T, 't');
  const r = await load(T, 't');
  const b = expectError(r, 503, { iceberg: true });
  assert.match(b.error.message, new RegExp(wh));
  assert.match(r.headers['retry-after'] ?? '', /^\d+$/, 'Retry-After');
  const c = await call('GET', `${T}/t/credentials`);
  expectError(c, 503, { iceberg: true });
  assert.match(c.headers['retry-after'] ?? '', /^\d+$/);
  expectJson(await call('GET', `${T}/t`), 200);
});

test('a table whose session policy would pass [storage] sts_policy_max_bytes is a 400 naming the warehouse and "session policy"; STS is not called', { skip }, async () => {
  const { wh, cat, T } = await stsCatalog();
  // A 700-byte path in the policy's resources and its s3:prefix
  // condition: past the 1536-byte default (RGW 16.2 dies on an inline
  // policy of ~1,700 bytes, so this must never reach it).
  await table(T, { name: 'long', schema, location: `s3://${ceph.bucket}/lake/${cat}/db/${'x'.repeat(700)}` });
  const calls0 = await metric('pangolin_sts_assume_role_total');
  const b = expectError(await load(T, 'long'), 400, { iceberg: true });
  assert.equal(b.error.type, 'BadRequestException');
  assert.match(b.error.message, new RegExp(wh));
  assert.match(b.error.message, /session policy/);
  expectError(await call('GET', `${T}/long/credentials`), 400, { iceberg: true });
  assert.equal(await metric('pangolin_sts_assume_role_total'), calls0, 'no AssumeRole for a refused policy');
  expectJson(await call('GET', `${T}/long`), 200);
  // RGW still answers (nothing oversize reached it).
  assert.equal(s3(ceph, 'GET', `/${ceph.bucket}?list-type=2&max-keys=1`).status, 200);
});

test('warehouse validation: use_sts without role_arn, a malformed role ARN, a bad or non-allow-listed sts_endpoint, sts_duration_secs outside 1..43200 are 400', { skip }, async () => {
  const base = { type: 's3', bucket: ceph.bucket, prefix: 'lake', endpoint: ceph.endpoint, region: 'us-east-1',
    access_key_id: ceph.accessKey, secret_access_key: ceph.secretKey };
  const create = (extra, cfg) => call('POST', '/api/v1/warehouses', { body: { name: uniq('badwh'), storage_config: { ...base, ...cfg }, ...extra } });
  const sts = { use_sts: true };
  const arn = ceph.roleArn;
  for (const [extra, cfg, why] of [
    [sts, {}, /role_arn/],
    [sts, { role_arn: 'S3Access' }, /role_arn/],
    [sts, { role_arn: 'arn:aws:iam::role/S3Access' }, /role_arn/],
    [sts, { role_arn: 'arn:aws:s3:::bucket' }, /role_arn/],
    [sts, { role_arn: 'arn:aws:iam:::user/tester' }, /role_arn/],
    [sts, { role_arn: 'arn:aws:iam:::role/' }, /role_arn/],
    [sts, { role_arn: 'arn::iam:::role/S3Access' }, /role_arn/],
    [{ vending_strategy: { AwsSts: { role_arn: 'not-an-arn', external_id: null } } }, {}, /role_arn/],
    [sts, { role_arn: arn, sts_endpoint: 'ftp://127.0.0.1:21' }, /sts_endpoint/],
    [sts, { role_arn: arn, sts_endpoint: 'not a url' }, /sts_endpoint/],
    [sts, { role_arn: arn, sts_endpoint: 'http://127.0.0.1:1' }, /sts_endpoint/],
    [sts, { role_arn: arn, sts_duration_secs: '0' }, /sts_duration_secs/],
    [sts, { role_arn: arn, sts_duration_secs: '43201' }, /sts_duration_secs/],
    [sts, { role_arn: arn, sts_duration_secs: 'abc' }, /sts_duration_secs/],
    [sts, { role_arn: arn, sts_duration_secs: '1.5' }, /sts_duration_secs/],
    [sts, { role_arn: arn, sts_duration_secs: '-5' }, /sts_duration_secs/],
  ]) {
    const r = await create(extra, cfg);
    assert.equal(r.status, 400, `${JSON.stringify({ ...extra, ...cfg })}: ${r.status} ${r.text}`);
    expectError(r, 400, { message: why });
  }
  // The edges and another ARN partition are accepted.
  for (const cfg of [
    { role_arn: 'arn:aws-cn:iam::123456789012:role/Reader', sts_duration_secs: '43200' },
    { role_arn: arn, sts_duration_secs: '1', external_id: 'ext-1', sts_region: 'eu-central-1' },
    { role_arn: arn, sts_endpoint: DEAD },
  ]) expectJson(await create(sts, cfg), 201);
});

test('IAM wildcards in a table name are escaped: keys for table "st*r" do not reach sibling "stuvr" (no widening)', { skip }, async () => {
  const { T, key } = await stsCatalog();
  const sibling = await table(T, 'stuvr');
  await table(T, 'st*r');
  const r = expectJson(await load(T, 'st*r'), 200);
  const c = r['storage-credentials'][0].config;
  checkConfig(c, 900);
  assert.equal(s3(ceph, 'GET', bucketPath(sibling)).status, 200, 'control: the object exists');
  assert.equal(s3(c, 'GET', bucketPath(sibling)).status, 403, 'st*r\'s keys read stuvr\'s metadata');
  assert.equal(s3(c, 'PUT', bucketPath(`${key('stuvr')}/data/0.parquet`), { body: 'x' }).status, 403);
  assert.equal(list(c, ceph.bucket, `${key('stuvr')}/`).status, 403);
});

test('no answer of the catalog in this file carried the warehouses\' long-term access key or secret', { skip }, async () => {
  const shown = expectJson(await call('GET', '/api/v1/warehouses'), 200);
  assert.ok(Array.isArray(shown) && shown.length > 0);
  assert.ok(answers.length > 50, `${answers.length} answers`);
  const leaks = answers.filter((a) => a.includes(ceph.secretKey) || a.includes(ceph.accessKey));
  assert.deepEqual(leaks.map((a) => a.slice(0, 200)), []);
});
