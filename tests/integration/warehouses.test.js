// Warehouses (pangolin-api.md §2.2): where a tenant's table data lives.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { basic, NIL_UUID, startServer } from './lib/server.js';
import { checkPaging, expectError, expectJson, expectList, pool, uniq, UUID_RE } from './lib/expect.js';

let srv;
let data;
before(async () => {
  // The loopback endpoint some cases store, allowed as an operator would.
  srv = await startServer({ root: true, allowEndpoints: ['http://127.0.0.1:9000'] });
  // The no-auth caller is the nil tenant's admin: its warehouses live in
  // <local root>/<nil tenant id>/ (storage_placement.test.js).
  data = srv.tenantDir(NIL_UUID);
});
after(async () => {
  await srv?.stop();
  fs.rmSync(data, { recursive: true, force: true });
});

const local = (sub = uniq('root')) => ({ type: 'local', root: path.join(data, sub) });
// Storage for the cases about something else (no directory to make).
const S3 = { type: 's3', bucket: 'lake' };
const create = (body) => srv.req('POST', '/api/v1/warehouses', { body });
const createOk = async (body) => expectJson(await create(body), 201);

test('creating a local warehouse is 201 {id, name, tenant_id, use_sts, storage_config, vending_strategy} and makes its root', async () => {
  const name = uniq('wh');
  const cfg = local();
  const w = await createOk({ name, storage_config: cfg });
  assert.deepEqual(Object.keys(w).sort(), ['id', 'name', 'storage_config', 'tenant_id', 'use_sts', 'vending_strategy']);
  assert.match(w.id, UUID_RE);
  assert.equal(w.name, name);
  assert.equal(w.tenant_id, NIL_UUID);
  assert.equal(w.use_sts, false);
  assert.deepEqual(w.storage_config, cfg);
  assert.equal(w.vending_strategy, 'None');
  assert.ok(fs.statSync(cfg.root).isDirectory(), 'the local root exists');
});

test('a local root may be a file:// URL, and "path" is accepted for "root"', async () => {
  const root = path.join(data, uniq('url'));
  await createOk({ name: uniq('wh'), storage_config: { type: 'local', root: `file://${root}` } });
  assert.ok(fs.statSync(root).isDirectory());
  const p = path.join(data, uniq('path'));
  await createOk({ name: uniq('wh'), storage_config: { type: 'filesystem', path: p } });
  assert.ok(fs.statSync(p).isDirectory());
});

test('an object-store warehouse keeps its storage_config (no local directory)', async () => {
  const cfg = { type: 's3', bucket: 'lake', region: 'eu-west-1', endpoint: 'http://127.0.0.1:9000', 's3.path-style-access': 'true',
    role_arn: 'arn:aws:iam::123456789012:role/lake' };
  const w = await createOk({ name: uniq('s3'), use_sts: true, storage_config: cfg });
  assert.deepEqual(w.storage_config, cfg);
  assert.equal(w.use_sts, true);
});

const SECRETS = {
  secret_access_key: 's3cr3t',
  's3.secret-access-key': 's3cr3t',
  access_key_id: 'AKIAEXAMPLE',
  's3.access-key-id': 'AKIAEXAMPLE',
  's3.session-token': 'tok',
  session_token: 'tok',
  'azure.account-key': 'key',
  account_key: 'key',
  client_secret: 'shh',
  password: 'hunter2hunter2',
  sas_token: 'sv=2020',
  'gcs.service-account-key': '{"private_key":"x"}',
  private_key: '-----BEGIN',
  credential: 'c',
};

test('secret-looking storage_config values are masked as ******** in every response', async () => {
  const name = uniq('sec');
  const plain = { type: 's3', bucket: 'lake', region: 'us-east-1', endpoint: 'http://minio:9000' };
  const masked = { ...plain, ...Object.fromEntries(Object.keys(SECRETS).map((k) => [k, '********'])) };
  const w = await createOk({ name, storage_config: { ...plain, ...SECRETS } });
  assert.deepEqual(w.storage_config, masked, 'create');
  assert.deepEqual(expectJson(await srv.req('GET', `/api/v1/warehouses/${name}`), 200).storage_config, masked, 'get');
  const { items } = expectList(await srv.req('GET', '/api/v1/warehouses?limit=1000'));
  assert.deepEqual(items.find((x) => x.name === name).storage_config, masked, 'list');
  const u = expectJson(await srv.req('PUT', `/api/v1/warehouses/${name}`, { body: { storage_config: { region: 'eu-north-1' } } }), 200);
  assert.deepEqual(u.storage_config, { ...masked, region: 'eu-north-1' }, 'update');
  for (const r of [w, u]) assert.doesNotMatch(JSON.stringify(r), /s3cr3t|AKIAEXAMPLE|hunter2/);
});

test('secrets inside vending_strategy are masked too', async () => {
  const name = uniq('vend');
  const vs = { AwsStatic: { access_key_id: 'AKIAEXAMPLE', secret_access_key: 's3cr3t' } };
  const w = await createOk({ name, storage_config: { type: 's3', bucket: 'lake' }, vending_strategy: vs });
  assert.deepEqual(w.vending_strategy, { AwsStatic: { access_key_id: '********', secret_access_key: '********' } });
  const g = expectJson(await srv.req('GET', `/api/v1/warehouses/${name}`), 200);
  assert.doesNotMatch(JSON.stringify(g), /s3cr3t|AKIAEXAMPLE/);
  const sts = await createOk({ name: uniq('sts'), storage_config: S3, vending_strategy: { AwsSts: { role_arn: 'arn:aws:iam::1:role/r', external_id: null } } });
  assert.deepEqual(sts.vending_strategy, { AwsSts: { role_arn: 'arn:aws:iam::1:role/r', external_id: null } }, 'non-secret fields stay');
});

test('vending_strategy "None" and the tagged variants are accepted', async () => {
  const ok = [
    'None',
    { AwsStatic: { access_key_id: 'a', secret_access_key: 'b' } },
    { AwsSts: { role_arn: 'arn:aws:iam::1:role/r', external_id: null } },
    { AzureSas: { account_name: 'acct', account_key: 'k' } },
    { GcpDownscoped: { service_account_email: 'x@y', private_key: 'k' } },
  ];
  for (const vs of ok) {
    const w = await createOk({ name: uniq('vs'), storage_config: S3, vending_strategy: vs });
    if (vs === 'None') assert.equal(w.vending_strategy, 'None');
    else assert.deepEqual(Object.keys(w.vending_strategy), Object.keys(vs));
  }
  // null means "not set".
  assert.equal((await createOk({ name: uniq('vs'), storage_config: S3, vending_strategy: null })).vending_strategy, 'None');
});

test('bad vending_strategy shapes are 400', async () => {
  const bad = ['none', 'AwsStatic', '', 42, true, [], {}, { AwsStatic: 'x' }, { AwsStatic: null }, { Unknown: {} },
    { type: 'None' }, { AwsSts: {}, AwsStatic: {} }];
  for (const vs of bad) {
    expectError(await create({ name: uniq('badvs'), storage_config: S3, vending_strategy: vs }), 400, { message: /vending_strategy/ });
  }
});

test('a local root with traversal or a relative path is 400 and nothing is created', async () => {
  const bad = [
    `${data}/x/../y`,
    `${data}/..`,
    `${data}/./x`,
    'relative/dir',
    './wh',
    '../wh',
    'file://relative/dir',
    'file://',
    '/',
    '',
    `${data}/a\u0001b`,
    `${data}\\x`,
  ];
  for (const root of bad) {
    expectError(await create({ name: uniq('trav'), storage_config: { type: 'local', root } }), 400, { message: /./ });
  }
  assert.ok(!fs.existsSync(path.join(data, 'y')), 'traversal target not created');
  // No root at all: the operator's default placement, <local root>/<tenant>/<name>.
  const noroot = uniq('noroot');
  assert.equal(expectJson(await create({ name: noroot, storage_config: { type: 'local' } }), 201).storage_config.root, path.join(data, noroot));
  expectError(await create({ name: uniq('kind'), storage_config: { type: 'ftp' } }), 400, { message: /type/ });
});

test('warehouse bodies are validated: unknown field, wrong types, missing name are 422', async () => {
  expectError(await create({ name: uniq('v'), bucket: 'x' }), 422);
  expectError(await create({ name: uniq('v'), use_sts: 'yes' }), 422);
  expectError(await create({ name: uniq('v'), storage_config: { type: 's3', port: 9000 } }), 422);
  expectError(await create({ name: uniq('v'), storage_config: 'local' }), 422);
  expectError(await create({ storage_config: {} }), 422);
});

test('a warehouse without storage_config is 400 naming the field, and nothing is made: its catalogs could hold no table', async () => {
  for (const body of [{}, { storage_config: null }, { use_sts: false, vending_strategy: 'None' }]) {
    const name = uniq('bare');
    expectError(await create({ name, ...body }), 400, { message: /storage_config/ });
    expectError(await srv.req('GET', `/api/v1/warehouses/${name}`), 404);
  }
  // The least a warehouse says: local, at the tenant's default root.
  const w = await createOk({ name: uniq('least'), storage_config: { type: 'local' } });
  assert.equal(w.storage_config.type, 'local');
  assert.ok(fs.statSync(w.storage_config.root).isDirectory());
});

test('a duplicate warehouse name is 409', async () => {
  const w = await createOk({ name: uniq('dup'), storage_config: S3 });
  expectError(await create({ name: w.name, storage_config: S3 }), 409, { message: /exists/ });
});

// pangolin-api §2.2 answers root 403; Pangolin lets root (the operator's
// hand) create and move warehouses, inside a tenant it names (issue 22).
test('root creates and updates warehouses only in a tenant it names (X-Pangolin-Tenant, else 400); delete stays a tenant admin\'s (403)', async () => {
  const name = uniq('root');
  expectError(await srv.req('POST', '/api/v1/warehouses', { body: { name }, headers: { authorization: basic() } }), 400, { message: /X-Pangolin-Tenant/ });
  expectError(await srv.req('GET', `/api/v1/warehouses/${name}`), 404);
  const asNil = { authorization: basic(), 'x-pangolin-tenant': NIL_UUID };
  const w = expectJson(await srv.req('POST', '/api/v1/warehouses', { body: { name, storage_config: { type: 'local' } }, headers: asNil }), 201);
  assert.equal(w.tenant_id, NIL_UUID);
  expectError(await srv.req('PUT', `/api/v1/warehouses/${name}`, { body: { use_sts: true }, headers: { authorization: basic() } }), 400, { message: /X-Pangolin-Tenant/ });
  const sts = { use_sts: true, vending_strategy: { AwsSts: { role_arn: 'arn:aws:iam::1:role/r', external_id: null } } };
  assert.equal(expectJson(await srv.req('PUT', `/api/v1/warehouses/${name}`, { body: sts, headers: asNil }), 200).use_sts, true);
  expectError(await srv.req('DELETE', `/api/v1/warehouses/${name}`, { headers: asNil }), 403);
  expectJson(await srv.req('GET', `/api/v1/warehouses/${name}`), 200);
});

test('STS settings that cannot vend are 400 at create and update, and nothing is stored', async () => {
  const s3 = { type: 's3', bucket: 'lake', endpoint: 'http://127.0.0.1:9000' };
  const role = 'arn:aws:iam::123456789012:role/lake';
  const bad = [
    [{ use_sts: true, storage_config: s3 }, /role_arn/],
    [{ use_sts: true, storage_config: { ...s3, role_arn: 'arn:x' } }, /role_arn/],
    [{ use_sts: true, storage_config: { ...s3, role_arn: 'arn:aws:s3:::lake' } }, /role_arn/],
    [{ storage_config: s3, vending_strategy: { AwsSts: { role_arn: null, external_id: null } } }, /role_arn/],
    [{ storage_config: s3, vending_strategy: { AwsSts: { role_arn: role, external_id: 'has space' } } }, /external_id/],
    [{ use_sts: true, storage_config: { ...s3, role_arn: role, sts_endpoint: 'http://127.0.0.1:9' } }, /sts_endpoint is a loopback/],
    [{ use_sts: true, storage_config: { ...s3, role_arn: role, sts_endpoint: 'ftp://sts.example' } }, /sts_endpoint must be/],
    [{ use_sts: true, storage_config: { ...s3, role_arn: role, sts_duration_secs: '0' } }, /sts_duration_secs/],
    [{ use_sts: true, storage_config: { ...s3, role_arn: role, sts_duration_secs: '43201' } }, /sts_duration_secs/],
    [{ use_sts: true, storage_config: { ...s3, role_arn: role, sts_duration_secs: '9x' } }, /sts_duration_secs/],
  ];
  for (const [body, message] of bad) {
    const name = uniq('badsts');
    expectError(await create({ name, ...body }), 400, { message });
    expectError(await srv.req('GET', `/api/v1/warehouses/${name}`), 404);
  }
  const w = await createOk({ name: uniq('sts'), storage_config: s3 });
  expectError(await srv.req('PUT', `/api/v1/warehouses/${w.name}`, { body: { use_sts: true } }), 400, { message: /role_arn/ });
  assert.equal(expectJson(await srv.req('GET', `/api/v1/warehouses/${w.name}`), 200).use_sts, false, 'the refused update changed nothing');
  const ok = await createOk({ name: uniq('sts'), use_sts: true, storage_config: { ...s3, role_arn: 'arn:aws-us-gov:iam::1:role/a/b', sts_duration_secs: '900', sts_region: 'us-gov-west-1' } });
  assert.equal(ok.use_sts, true);
});

test('get returns the warehouse; an unknown name is 404 on get, update and delete', async () => {
  const w = await createOk({ name: uniq('get'), storage_config: local() });
  assert.deepEqual(expectJson(await srv.req('GET', `/api/v1/warehouses/${w.name}`), 200), w);
  const missing = uniq('missing');
  expectError(await srv.req('GET', `/api/v1/warehouses/${missing}`), 404, { message: /not found/ });
  expectError(await srv.req('PUT', `/api/v1/warehouses/${missing}`, { body: { use_sts: true } }), 404);
  expectError(await srv.req('DELETE', `/api/v1/warehouses/${missing}`), 404);
});

test('update merges storage_config, changes use_sts and vending_strategy, and may rename', async () => {
  const cfg = { type: 's3', bucket: 'lake', region: 'r1' };
  const w = await createOk({ name: uniq('upd'), storage_config: cfg });
  const newName = uniq('renamed');
  const u = expectJson(await srv.req('PUT', `/api/v1/warehouses/${w.name}`, {
    body: { name: newName, use_sts: true, storage_config: { region: 'r2', endpoint: 'http://e' }, vending_strategy: { AwsSts: { role_arn: 'arn:aws-cn:iam::1:role/r', external_id: null } } },
  }), 200);
  assert.equal(u.id, w.id);
  assert.equal(u.name, newName);
  assert.equal(u.use_sts, true);
  assert.deepEqual(u.storage_config, { type: 's3', bucket: 'lake', region: 'r2', endpoint: 'http://e' });
  assert.deepEqual(u.vending_strategy, { AwsSts: { role_arn: 'arn:aws-cn:iam::1:role/r', external_id: null } });
  assert.deepEqual(expectJson(await srv.req('GET', `/api/v1/warehouses/${newName}`), 200), u);
  expectError(await srv.req('GET', `/api/v1/warehouses/${w.name}`), 404);
  // An update with no fields changes nothing.
  assert.deepEqual(expectJson(await srv.req('PUT', `/api/v1/warehouses/${newName}`, { body: {} }), 200), u);
});

test('renaming a warehouse onto another name is 409; bad update values are 400/422', async () => {
  const a = await createOk({ name: uniq('a'), storage_config: S3 });
  const b = await createOk({ name: uniq('b'), storage_config: S3 });
  expectError(await srv.req('PUT', `/api/v1/warehouses/${a.name}`, { body: { name: b.name } }), 409);
  expectError(await srv.req('PUT', `/api/v1/warehouses/${a.name}`, { body: { name: 'x/y' } }), 400);
  expectError(await srv.req('PUT', `/api/v1/warehouses/${a.name}`, { body: { vending_strategy: 'nope' } }), 400);
  expectError(await srv.req('PUT', `/api/v1/warehouses/${a.name}`, { body: { storage_config: { type: 'local', root: '/tmp/x/../y' } } }), 400);
  expectError(await srv.req('PUT', `/api/v1/warehouses/${a.name}`, { body: { tenant_id: NIL_UUID } }), 422);
});

test('update checks the merged storage_config: a new root alone is checked, the old root need not be repeated', async () => {
  const w = await createOk({ name: uniq('merge'), storage_config: local() });
  for (const root of [`${data}/x/../../etc`, 'relative/dir', '']) {
    expectError(await srv.req('PUT', `/api/v1/warehouses/${w.name}`, { body: { storage_config: { root } } }), 400);
  }
  assert.deepEqual(expectJson(await srv.req('GET', `/api/v1/warehouses/${w.name}`), 200).storage_config, w.storage_config, 'unchanged');
  // {type: "local"} alone keeps the stored root.
  const u = expectJson(await srv.req('PUT', `/api/v1/warehouses/${w.name}`, { body: { storage_config: { type: 'local' } } }), 200);
  assert.deepEqual(u.storage_config, w.storage_config);
  const moved = path.join(data, uniq('moved'));
  assert.equal(expectJson(await srv.req('PUT', `/api/v1/warehouses/${w.name}`, { body: { storage_config: { root: moved } } }), 200).storage_config.root, moved);
  assert.ok(fs.statSync(moved).isDirectory(), 'the new root exists');
  // Turning an object-store warehouse into a local one needs a good root.
  const s3 = await createOk({ name: uniq('s3'), storage_config: { type: 's3', bucket: 'lake' } });
  expectError(await srv.req('PUT', `/api/v1/warehouses/${s3.name}`, { body: { storage_config: { type: 'local' } } }), 400, { message: /root/ });
});

test('renaming a warehouse keeps the catalogs that use it attached', async () => {
  const w = await createOk({ name: uniq('ren'), storage_config: local() });
  const cat = uniq('cat');
  expectJson(await srv.req('POST', '/api/v1/catalogs', { body: { name: cat, warehouse_name: w.name } }), 201);
  const newName = uniq('ren2');
  expectJson(await srv.req('PUT', `/api/v1/warehouses/${w.name}`, { body: { name: newName } }), 200);
  assert.equal(expectJson(await srv.req('GET', `/api/v1/catalogs/${cat}`), 200).warehouse_name, newName);
});

test('delete is 204 and the warehouse is gone', async () => {
  const w = await createOk({ name: uniq('del'), storage_config: S3 });
  const r = await srv.req('DELETE', `/api/v1/warehouses/${w.name}`);
  assert.equal(r.status, 204);
  assert.equal(r.text, '');
  expectError(await srv.req('GET', `/api/v1/warehouses/${w.name}`), 404);
  // The name is free again.
  await createOk({ name: w.name, storage_config: S3 });
});

test('deleting a warehouse that a catalog uses is 409 until the catalog is gone', async () => {
  const w = await createOk({ name: uniq('used'), storage_config: local() });
  const cat = uniq('user');
  expectJson(await srv.req('POST', '/api/v1/catalogs', { body: { name: cat, warehouse_name: w.name } }), 201);
  expectError(await srv.req('DELETE', `/api/v1/warehouses/${w.name}`), 409, { message: /catalog/ });
  expectJson(await srv.req('GET', `/api/v1/warehouses/${w.name}`), 200);
  assert.equal((await srv.req('DELETE', `/api/v1/catalogs/${cat}`)).status, 204);
  assert.equal((await srv.req('DELETE', `/api/v1/warehouses/${w.name}`)).status, 204);
});

test('the warehouse list has X-Total-Count and pages: limit/offset, page/page_size, past the end, bad values', async () => {
  for (let i = 0; i < 5; i++) await createOk({ name: uniq('page'), storage_config: S3 });
  const { items, total } = expectList(await srv.req('GET', '/api/v1/warehouses?limit=1000'));
  assert.equal(total, items.length);
  const names = await checkPaging(srv, '/api/v1/warehouses', { keyset: true });
  assert.deepEqual(names, [...names].sort(), 'warehouses are listed by name');
});

test('list page sizes default to 100 and are clamped to 1000', async () => {
  const have = expectList(await srv.req('GET', '/api/v1/warehouses')).total;
  const need = Math.max(0, 1005 - have);
  const prefix = uniq('bulk');
  await pool([...Array(need).keys()], 8, async (i) => {
    await createOk({ name: `${prefix}-${String(i).padStart(4, '0')}`, storage_config: S3 });
  });
  const dflt = expectList(await srv.req('GET', '/api/v1/warehouses'));
  assert.equal(dflt.items.length, 100);
  assert.ok(dflt.total >= 1005);
  const big = expectList(await srv.req('GET', '/api/v1/warehouses?limit=5000'));
  assert.equal(big.items.length, 1000, 'limit 5000 is clamped to 1000');
  assert.equal(big.total, dflt.total);
  const huge = expectList(await srv.req('GET', '/api/v1/warehouses?page_size=99999999&page=1'));
  assert.equal(huge.items.length, 1000, 'page_size is clamped too');
  const page2 = expectList(await srv.req('GET', '/api/v1/warehouses?page_size=100000&page=2'));
  assert.equal(page2.items.length, dflt.total - 1000, 'page 2 of clamped pages starts at 1000');
  const zero = expectList(await srv.req('GET', '/api/v1/warehouses?limit=0'));
  assert.equal(zero.items.length, 100, 'limit=0 is the default, never "everything"');
});
