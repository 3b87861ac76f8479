// Every table owns its files (issue 67, deliverable 1): no table's or
// view's location equals, holds or lies inside another's, live on any
// branch or dropped and recoverable; by default it lies inside its
// namespace's location; a register's file lies under the table's own
// location; signing, presign and maintenance reach one table's files.
//
// The two findings it closes, as a hostile tenant user would try them,
// on an S3 warehouse (Swift, which checks every signature):
//  - a user with `create` in one namespace made a table at the catalog's
//    root, another namespace or another table's directory, and /sign on
//    it signed GET, PUT and DELETE of the other table's objects;
//  - a user bound by a data policy registered a copy of the protected
//    table (or created one at its directory) and read its files through
//    the copy, unrestricted.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { expectError, expectJson, uniq } from './lib/expect.js';
import { grant, okFor, root, startAuthServer, tenantUser, tenantWithAdmin } from './lib/governance.js';
import { keys, s3 as s3req, startSwift } from './lib/s3.js';
import { STORE } from './lib/server.js';

const BUCKET = `pgl-own-${process.pid}`;
const SCHEMA = { type: 'struct', 'schema-id': 0, fields: [
  { id: 1, name: 'id', required: true, type: 'long' },
  { id: 2, name: 'country', required: false, type: 'string' },
] };

let swift, srv, relaxed;

/**
 * A tenant on s, with an S3 catalog (prefix tag) holding namespaces
 * `secret` (tables t and p, an object in t's data) and `mine`; mallory
 * may create, read and write in `mine` only; bob reads the whole catalog
 * but p's rows only where country = 'NL' (a data policy), and creates in
 * `mine`.
 */
async function world(s, tag) {
  const ok = okFor(s);
  const A = await tenantWithAdmin(s, tag);
  const wh = uniq('wh');
  await ok('POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 's3', bucket: BUCKET, prefix: tag,
    endpoint: swift.endpoint, region: 'us-east-1', access_key_id: 'test:tester', secret_access_key: 'testing' } }, A.admin);
  const cat = uniq('cat');
  const c = await ok('POST', '/api/v1/catalogs', { name: cat, warehouse_name: wh }, A.admin);
  for (const ns of ['secret', 'mine']) await ok('POST', `/v1/${cat}/namespaces`, { namespace: [ns] }, A.admin);
  const T = (ns) => `/v1/${cat}/namespaces/${ns}/tables`;
  const t = await ok('POST', T('secret'), { name: 't', schema: SCHEMA }, A.admin);
  const p = await ok('POST', T('secret'), { name: 'p', schema: SCHEMA }, A.admin);
  const secretKey = `${t.metadata.location.slice(`s3://${BUCKET}/`.length)}/data/secret.parquet`;
  assert.equal(s3req(swift, 'PUT', `/${BUCKET}/${secretKey}`, { body: 'PAR1 the secret rows' }).status, 200);
  const mallory = await tenantUser(s, A, 'mallory');
  await grant(s, A, mallory, { type: 'namespace', catalog_id: c.id, namespace: 'mine' }, ['all']);
  const bob = await tenantUser(s, A, 'bob');
  await grant(s, A, bob, { type: 'catalog', catalog_id: c.id }, ['read']);
  await grant(s, A, bob, { type: 'namespace', catalog_id: c.id, namespace: 'mine' }, ['create', 'read', 'write']);
  await ok('POST', '/api/v1/policies', { name: uniq('nl'), catalog: cat, namespace: ['secret'], table: 'p',
    row_filter: { type: 'eq', term: 'country', value: 'NL' }, applies_to: { users: [bob.id] } }, A.admin);
  return { A, cat, catId: c.id, root: c.storage_location, T, t, p, secretKey, mallory, bob, ok };
}

let W, R;

before(async () => {
  swift = await startSwift();
  assert.equal(s3req(swift, 'PUT', `/${BUCKET}`).status, 200);
  srv = await startAuthServer({ allowEndpoints: [swift.endpoint] });
  relaxed = await startAuthServer({ allowEndpoints: [swift.endpoint], env: { PANGOLIN_LOCATIONS_IN_NAMESPACE: 'false' } });
  W = await world(srv, 'strict');
  R = await world(relaxed, 'relaxed');
});
after(async () => {
  await srv?.stop();
  await relaxed?.stop();
  swift?.destroy();
});

const create = (s, w, u, ns, body) => s.req('POST', w.T(ns), { body: { schema: SCHEMA, ...body }, headers: u.headers ?? u });
const sign = (s, w, u, ns, table, method, key) => s.req('POST', `/v1/${w.cat}/namespaces/${ns}/tables/${table}/sign`, {
  body: { region: 'us-east-1', uri: `${swift.endpoint}/${BUCKET}/${key}`, method, headers: { 'x-amz-content-sha256': ['UNSIGNED-PAYLOAD'] } },
  headers: u.headers ?? u,
});
const keyOf = (loc) => loc.slice(`s3://${BUCKET}/`.length);
const tableExists = async (s, w, ns, name) => (await s.req('HEAD', `${w.T(ns)}/${name}`, { headers: w.A.admin })).status === 204;

test('createTable in one\'s own namespace at the catalog\'s root, another namespace or another table\'s directory is refused, and nothing is written there', async () => {
  const w = W;
  const before = keys(swift, BUCKET, keyOf(w.t.metadata.location));
  for (const [i, location] of [w.root, `${w.root}/secret`, w.t.metadata.location, `${w.t.metadata.location}/data`].entries()) {
    const name = `grab${i}`;
    const e = expectError(await create(srv, w, w.mallory, 'mine', { name, location }), 400, { iceberg: true });
    assert.match(e.error.message, /must lie inside its namespace's location/, location);
    assert.ok(!(await tableExists(srv, w, 'mine', name)), `${location}: no table`);
  }
  assert.deepEqual(keys(swift, BUCKET, keyOf(w.t.metadata.location)), before, 'nothing written in the other table\'s directory');
});

test('with locations relaxed to the catalog, another table\'s place is still refused (409), named only to a caller who may read it', async () => {
  const w = R;
  const before = keys(swift, BUCKET, keyOf(w.t.metadata.location));
  for (const [i, location] of [w.root, `${w.root}/secret`, w.t.metadata.location, `${w.t.metadata.location}/data`].entries()) {
    const name = `grab${i}`;
    const e = expectError(await create(relaxed, w, w.mallory, 'mine', { name, location }), 409, { iceberg: true });
    assert.match(e.error.message, /overlaps the location of another table or view/, location);
    assert.ok(!e.error.message.includes('secret.'), `${location}: the other table is not named to mallory: ${e.error.message}`);
    assert.ok(!(await tableExists(relaxed, w, 'mine', name)), `${location}: no table`);
  }
  assert.deepEqual(keys(swift, BUCKET, keyOf(w.t.metadata.location)), before, 'nothing written in the other table\'s directory');
  // An admin is told which table it is.
  const named = expectError(await create(relaxed, w, w.A.admin, 'mine', { name: uniq('adm'), location: w.t.metadata.location }), 409, { iceberg: true });
  assert.match(named.error.message, /table secret\.t \(catalog [^,]+, branch main\)/);
  // The setting relaxes the namespace rule only: a free place elsewhere in
  // the catalog's storage is taken.
  const free = expectJson(await create(relaxed, w, w.mallory, 'mine', { name: uniq('free'), location: `${w.root}/elsewhere/${uniq('x')}` }), 200);
  assert.match(free.metadata.location, /\/elsewhere\//);
  // Stage-create writes nothing, and is checked the same.
  expectError(await create(relaxed, w, w.mallory, 'mine', { name: uniq('st'), location: `${w.t.metadata.location}/x`, 'stage-create': true }), 409, { iceberg: true });
});

test('a user\'s own table signs its own objects only: never another table\'s, nor a sibling\'s whose name begins the same (t1, t10)', async () => {
  const w = W;
  // No table of mallory's at the other table's directory, so nothing of
  // it is signed through one (12 of 12 were, GET, PUT and DELETE).
  for (const [s, v] of [[srv, W], [relaxed, R]]) {
    const grab = await create(s, v, v.mallory, 'mine', { name: 'grab', location: v.t.metadata.location });
    assert.ok([400, 409].includes(grab.status), `create at secret.t's directory: ${grab.status} ${grab.text}`);
    for (const m of ['GET', 'PUT', 'DELETE']) {
      const r = await sign(s, v, v.mallory, 'mine', 'grab', m, v.secretKey);
      assert.notEqual(r.status, 200, `${m} of secret.t's object signed: ${r.text}`);
    }
  }
  const t1 = expectJson(await create(srv, w, w.mallory, 'mine', { name: 't1' }), 200);
  const t10 = await w.ok('POST', w.T('mine'), { name: 't10', schema: SCHEMA }, w.A.admin);
  assert.equal(t10.metadata.location, `${w.root}/mine/t10`);
  const own = `${keyOf(t1.metadata.location)}/data/a.parquet`;
  const sibling = `${keyOf(t10.metadata.location)}/data/a.parquet`;
  for (const m of ['GET', 'PUT', 'DELETE']) {
    expectJson(await sign(srv, w, w.mallory, 'mine', 't1', m, own), 200);
    for (const key of [w.secretKey, sibling]) {
      const r = await sign(srv, w, w.mallory, 'mine', 't1', m, key);
      expectError(r, 403, { iceberg: true, message: /outside the table/ });
    }
  }
  // Presign keeps to the table the same way.
  const presign = (key) => srv.req('GET', `/v1/${w.cat}/namespaces/mine/tables/t1/presign?location=${encodeURIComponent(`s3://${BUCKET}/${key}`)}`, { headers: w.mallory.headers });
  expectJson(await presign(own), 200);
  for (const key of [w.secretKey, sibling]) expectError(await presign(key), 403, { iceberg: true });
  // mallory reads nothing of secret.t directly either.
  assert.equal((await srv.req('GET', `${w.T('secret')}/t`, { headers: w.mallory.headers })).status, 403);
});

test('a user bound by a data policy cannot register a copy of the protected table, nor create a table at its directory', async () => {
  for (const [s, w] of [[srv, W], [relaxed, R]]) {
    // The protected table, as bob loads it: restricted.
    const p = expectJson(await s.req('GET', `${w.T('secret')}/p`, { headers: w.bob.headers }), 200);
    assert.ok(p['read-restrictions'], 'bob reads p restricted');
    const reg = await s.req('POST', `/v1/${w.cat}/namespaces/mine/register`, { body: { name: 'copy', 'metadata-location': p['metadata-location'] }, headers: w.bob.headers });
    assert.ok([400, 409].includes(reg.status), `register of p's file: ${reg.status} ${reg.text}`);
    assert.ok(!(await tableExists(s, w, 'mine', 'copy')), 'no copy');
    const at = await create(s, w, w.bob, 'mine', { name: 'twin', location: p.metadata.location });
    assert.ok([400, 409].includes(at.status), `create at p's directory: ${at.status} ${at.text}`);
    assert.ok(!(await tableExists(s, w, 'mine', 'twin')), 'no twin');
  }
  // Relaxed or not, the register is refused because the file is p's.
  const e = expectError(await relaxed.req('POST', `/v1/${R.cat}/namespaces/mine/register`, {
    body: { name: 'copy2', 'metadata-location': R.p['metadata-location'] }, headers: R.bob.headers }), 409, { iceberg: true });
  assert.match(e.error.message, /overlaps/);
});

test('a register\'s metadata file lies under the table\'s own location (the file\'s `location`)', async () => {
  const w = R;
  const src = expectJson(await create(relaxed, w, w.A.admin, 'mine', { name: uniq('src') }), 200);
  // A file at mine/a/metadata naming mine/b as its table's location.
  const a = `${w.root}/mine/${uniq('a')}`;
  const file = `${a}/metadata/00000-x.metadata.json`;
  const md = { ...src.metadata, location: `${w.root}/mine/${uniq('b')}` };
  assert.equal(s3req(swift, 'PUT', `/${BUCKET}/${keyOf(file)}`, { body: JSON.stringify(md) }).status, 200);
  const e = expectError(await relaxed.req('POST', `/v1/${w.cat}/namespaces/mine/register`, { body: { name: uniq('r'), 'metadata-location': file }, headers: w.A.admin }), 400, { iceberg: true });
  assert.match(e.error.message, /must lie inside the table's own location/);
  // The same file naming its own directory registers.
  assert.equal(s3req(swift, 'PUT', `/${BUCKET}/${keyOf(file)}`, { body: JSON.stringify({ ...md, location: a }) }).status, 200);
  expectJson(await relaxed.req('POST', `/v1/${w.cat}/namespaces/mine/register`, { body: { name: uniq('r'), 'metadata-location': file }, headers: w.A.admin }), 200);
});

test('set-location onto another table\'s directory is 400 and changes nothing; onto a free place the table moves, and signs there only', async () => {
  const w = W;
  const name = uniq('m');
  const m = expectJson(await create(srv, w, w.mallory, 'mine', { name }), 200);
  const commit = (location) => srv.req('POST', `${w.T('mine')}/${name}`, { body: { requirements: [], updates: [{ action: 'set-location', location }] }, headers: w.mallory.headers });
  for (const location of [`${w.root}/mine/t10`, w.t.metadata.location, `${w.t.metadata.location}/x`]) {
    expectError(await commit(location), 400, { iceberg: true });
  }
  assert.equal((await srv.req('GET', `${w.T('mine')}/${name}`, { headers: w.mallory.headers })).json['metadata-location'], m['metadata-location']);
  const moved = `${w.root}/mine/${uniq('moved')}`;
  const c = expectJson(await commit(moved), 200);
  assert.equal(c.metadata.location, moved);
  expectJson(await sign(srv, w, w.mallory, 'mine', name, 'PUT', `${keyOf(moved)}/data/x.parquet`), 200);
  expectError(await sign(srv, w, w.mallory, 'mine', name, 'PUT', `${keyOf(m.metadata.location)}/data/x.parquet`), 403, { iceberg: true });
  // The old place is free again.
  expectJson(await create(srv, w, w.mallory, 'mine', { name: uniq('n'), location: m.metadata.location }), 200);
});

test('two creates racing for one place: exactly one takes it', { skip: STORE === 'mongo' && 'the MongoDB-protocol test server has no transactions: the claim holds nothing there (docs/security.md)' }, async () => {
  const w = W;
  const location = `${w.root}/mine/${uniq('race')}`;
  const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => create(srv, w, w.A.admin, 'mine', { name: uniq(`r${i}`), location })));
  assert.deepEqual(rs.map((r) => r.status).sort(), [200, 409, 409, 409, 409, 409, 409, 409], rs.map((r) => r.text).join('\n'));
});

test('an overlap of before is logged at start-up, listed to admins only, and refused on rename, restore and merge', { skip: STORE !== 'sqlite' && 'writes an overlap of before straight into the SQLite file' }, async () => {
  const s = await startAuthServer({ allowEndpoints: [swift.endpoint] });
  let again;
  try {
    const w = await world(s, uniq('old'));
    await w.ok('POST', w.T('mine'), { name: 'inner', schema: SCHEMA }, w.A.admin);
    await w.ok('POST', '/api/v1/branches', { name: 'dev', catalog: w.cat, from_branch: 'main', branch_type: 'ingest' }, w.A.admin);
    await w.ok('POST', w.T('mine'), { name: 'feat@dev', schema: SCHEMA }, w.A.admin);
    await s.stop({ keep: true });
    // Before every table owned its files: mine.inner and dev's mine.feat
    // were placed inside secret.t's directory.
    const loc = w.t.metadata.location;
    const q = (v) => `'${v.replace(/'/g, "''")}'`;
    const sql = [
      `UPDATE assets SET location = ${q(`${loc}/inner`)}, location_key = ${q(`${loc}/inner/`)} WHERE name = 'inner';`,
      `UPDATE assets SET location = ${q(`${loc}/feat`)}, location_key = ${q(`${loc}/feat/`)} WHERE name = 'feat';`,
    ];
    execFileSync('sqlite3', [s.dbPath], { input: sql.join('\n') });
    again = await startAuthServer({ allowEndpoints: [swift.endpoint], dir: s.dir });
    // Logged by task runner 0 once it runs (issue 69: start-up does not
    // wait for a walk of every table).
    const logged = /ICEBERG_TABLE mine\.inner \(catalog [^)]*\) at \S+ lies in the location \S+ of ICEBERG_TABLE secret\.t/;
    for (const end = Date.now() + 20000; !logged.test(again.log()) && Date.now() < end;)
      await new Promise((r) => setTimeout(r, 50));
    assert.match(again.log(), logged);
    // Listed to the tenant's admin (both), never to a tenant user.
    const list = expectJson(await again.req('GET', `/api/v1/catalogs/${w.cat}/location-overlaps`, { headers: w.A.admin }), 200);
    assert.deepEqual(list.overlaps.map((o) => [o.asset.name, o.asset.branch, o.inside.name]).sort(), [['feat', 'dev', 't'], ['inner', 'main', 't']]);
    assert.equal(list.total, 2);
    assert.equal(list.truncated, false);
    expectJson(await again.req('GET', `/api/v1/catalogs/${w.cat}/location-overlaps`, { headers: { ...root, 'x-pangolin-tenant': w.A.id } }), 200);
    expectError(await again.req('GET', `/api/v1/catalogs/${w.cat}/location-overlaps`, { headers: w.mallory.headers }), 403);
    // It keeps working, but is placed nowhere new while it overlaps.
    expectJson(await again.req('GET', `${w.T('mine')}/inner`, { headers: w.A.admin }), 200);
    const rn = await again.req('POST', `/v1/${w.cat}/tables/rename`, { body: { source: { namespace: ['mine'], name: 'inner' }, destination: { namespace: ['mine'], name: 'inner2' } }, headers: w.A.admin });
    expectError(rn, 409, { iceberg: true, message: /secret\.t/ });
    const drop = await again.req('DELETE', `${w.T('mine')}/inner`, { headers: w.A.admin });
    assert.equal(drop.status, 204, drop.text);
    const id = drop.headers['pangolin-dropped-id'];
    assert.ok(id, 'kept recoverable');
    expectError(await again.req('POST', `/api/v1/catalogs/${w.cat}/dropped/${id}/restore`, { headers: w.A.admin }), 409, { message: /secret\.t/ });
    const merge = await again.req('POST', '/api/v1/branches/merge', { body: { source_branch: 'dev', target_branch: 'main', catalog: w.cat }, headers: w.A.admin });
    expectError(merge, 409, { message: /secret\.t/ });
    assert.ok(!(await tableExists(again, w, 'mine', 'feat')), 'the merge placed nothing');
  } finally {
    await again?.stop();
  }
});
