// Storage is placed by the operator, never by a tenant (issue 22, part 1):
// local warehouses live only below [storage] local_roots, a tenant's in
// <root>/<tenant id>/; catalogs strictly inside their warehouse; nothing
// a tenant names reaches another tenant's files or the host's; rows stored
// outside the rule are logged and refused at start-up, never deleted.
//
// The rule on paths (normalised, below the tenant's own directory, no
// link on the way) is decided on the path and the disk: those tests run on
// the sqlite pass only (ONCE, lib/server.js).  What is decided from stored
// rows runs on every store: another tenant's storage found by listing
// every tenant's warehouses and catalogs, root's placement and its audit
// event, the tenant root names, and the rows a restart finds.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { basic, ONCE, startServer, STORE, tmpDir } from './lib/server.js';
import { expectError, expectJson, uniq } from './lib/expect.js';
import { waitTask } from './lib/tasks.js';
import { fsPath } from './lib/location.js';

const PW = 'Tenant-Admin-Pass-42';
const root = { authorization: basic() };
const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', required: false, type: 'long' }] };
const DAY = 24 * 3600 * 1000;

let srv;
let outside; // a directory beside the local root: nothing may land there
const A = {};
const B = {};

const req = (method, p, body, headers) => srv.req(method, p, { body, headers });
const ok = async (method, p, body, headers = root) => {
  const r = await req(method, p, body, headers);
  assert.ok([200, 201, 202, 204].includes(r.status), `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
};

async function tenantWithAdmin(t, tag) {
  t.id = (await ok('POST', '/api/v1/tenants', { name: uniq(`place-${tag}`) })).id;
  const username = uniq(`admin-${tag}`);
  await ok('POST', '/api/v1/users', { username, password: PW, tenant_id: t.id, role: 'tenant-admin' });
  t.admin = { authorization: `Bearer ${(await ok('POST', '/api/v1/users/login', { username, password: PW, 'tenant-id': t.id })).token}` };
}

/** A tenant's warehouse (default placement), catalog, namespace and table. */
async function lake(t, tag) {
  t.wh = uniq(`wh-${tag}`);
  t.whRoot = (await ok('POST', '/api/v1/warehouses', { name: t.wh, storage_config: { type: 'local' } }, t.admin)).storage_config.root;
  t.cat = uniq(`cat-${tag}`);
  t.catRoot = (await ok('POST', '/api/v1/catalogs', { name: t.cat, warehouse_name: t.wh }, t.admin)).storage_location;
  await ok('POST', `/v1/${t.cat}/namespaces`, { namespace: ['ns'] }, t.admin);
  const created = await ok('POST', `/v1/${t.cat}/namespaces/ns/tables`, { name: 'tbl', schema }, t.admin);
  t.tableLoc = fsPath(created.metadata.location); // a file:// URI (issue 22): its path
  t.metadataFile = created['metadata-location'];
}

/** Every file and directory below dir (relative), with sizes. */
function snapshot(dir) {
  const out = {};
  const walk = (d, rel) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) { out[r + '/'] = 0; walk(path.join(d, e.name), r); } else out[r] = fs.lstatSync(path.join(d, e.name)).size;
    }
  };
  if (fs.existsSync(dir)) walk(dir, '');
  return out;
}

before(async () => {
  srv = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0', TASK_WORKER_POLL_INTERVAL_MS: '50' } });
  outside = tmpDir('pgl-place-outside');
  await tenantWithAdmin(A, 'a');
  await tenantWithAdmin(B, 'b');
  await lake(B, 'b');
  await lake(A, 'a');
});
after(async () => {
  await srv?.stop();
  fs.rmSync(outside, { recursive: true, force: true });
});

test('a warehouse created without a root lives in <local root>/<tenant id>/<name>, and the directory is made', { skip: ONCE }, () => {
  assert.equal(A.whRoot, path.join(srv.localRoot, A.id, A.wh));
  assert.equal(B.whRoot, path.join(srv.localRoot, B.id, B.wh));
  assert.ok(fs.statSync(A.whRoot).isDirectory());
  assert.equal(A.catRoot, `${A.whRoot}/${A.cat}`);
});

test('a tenant admin cannot put a warehouse at /etc, //, another tenant\'s directory or anywhere outside its own subtree; nothing is created', { skip: ONCE }, async () => {
  const stray = path.join(os.tmpdir(), uniq('pgl-place-stray'));
  const bad = [
    '/etc', '//', '/', '/tmp', stray, `file://${stray}`, outside, path.join(outside, 'w'),
    B.whRoot, B.catRoot, B.tableLoc, path.join(B.whRoot, 'inside'), path.join(srv.localRoot, B.id, 'mine'),
    path.dirname(B.whRoot), srv.localRoot, path.join(srv.localRoot, A.id), `${path.join(srv.localRoot, A.id)}/`,
    path.join(srv.localRoot, 'shared', 'w'),
    `${srv.localRoot}/${A.id}/../${B.id}/x`, `${srv.localRoot}//${A.id}/x`, `${srv.localRoot}/${A.id}//x`, `${srv.localRoot}/${A.id}/./x`,
  ];
  const before = snapshot(path.dirname(B.whRoot));
  for (const r of bad) {
    expectError(await req('POST', '/api/v1/warehouses', { name: uniq('evil'), storage_config: { type: 'local', root: r } }, A.admin), 400, { message: /./ });
    expectError(await req('POST', '/api/v1/warehouses', { name: uniq('evil'), storage_config: { type: 'filesystem', path: r } }, A.admin), 400, { message: /./ });
  }
  assert.ok(!fs.existsSync(stray), 'no directory made outside the local roots');
  assert.deepEqual(snapshot(outside), {}, 'nothing made beside the roots');
  assert.ok(!fs.existsSync(path.join(srv.localRoot, 'shared')));
  assert.deepEqual(snapshot(path.dirname(B.whRoot)), before, 'tenant B\'s directory untouched');
  // Inside its own subtree a root of its choice is fine (and made).
  const mine = path.join(srv.localRoot, A.id, uniq('deep'), 'w');
  expectJson(await req('POST', '/api/v1/warehouses', { name: uniq('mine'), storage_config: { type: 'local', root: mine } }, A.admin), 201);
  assert.ok(fs.statSync(mine).isDirectory());
});

test('a link on the way below the local root is refused, and nothing is made through it', { skip: ONCE }, async () => {
  const lnk = path.join(srv.localRoot, A.id, uniq('lnk'));
  fs.symlinkSync(outside, lnk);
  expectError(await req('POST', '/api/v1/warehouses', { name: uniq('viaLink'), storage_config: { type: 'local', root: path.join(lnk, 'w') } }, A.admin), 400, { message: /link/ });
  assert.deepEqual(snapshot(outside), {}, 'nothing created through the link');
  fs.unlinkSync(lnk);
});

test('PUT /api/v1/warehouses/{name} with root "//", /etc or another tenant\'s directory is refused the same way', { skip: ONCE }, async () => {
  for (const r of ['//', '/etc', B.whRoot, path.join(srv.localRoot, B.id, 'x'), outside]) {
    expectError(await req('PUT', `/api/v1/warehouses/${A.wh}`, { storage_config: { type: 'local', root: r } }, A.admin), 400, { message: /./ });
  }
  const w = await ok('GET', `/api/v1/warehouses/${A.wh}`, undefined, A.admin);
  assert.equal(w.storage_config.root, A.whRoot, 'the stored root is unchanged');
});

test('a catalog\'s storage_location lies strictly inside its warehouse root; without a warehouse it follows the tenant rule', { skip: ONCE }, async () => {
  for (const loc of ['/etc/x', '//x', A.whRoot, `${A.whRoot}/`, B.catRoot, path.join(B.whRoot, 'c'), `file://${B.whRoot}/c`, path.join(outside, 'c'), `${A.whRoot}//c`]) {
    expectError(await req('POST', '/api/v1/catalogs', { name: uniq('c'), warehouse_name: A.wh, storage_location: loc }, A.admin), 400, { message: /./ });
  }
  for (const loc of ['/etc/x', B.catRoot, path.join(srv.localRoot, B.id, 'c'), path.join(outside, 'c'), path.join(srv.localRoot, A.id)]) {
    expectError(await req('POST', '/api/v1/catalogs', { name: uniq('free'), storage_location: loc }, A.admin), 400, { message: /./ });
  }
  const free = path.join(srv.localRoot, A.id, uniq('free'), 'c');
  assert.equal((await ok('POST', '/api/v1/catalogs', { name: uniq('free'), storage_location: free }, A.admin)).storage_location, free);
  assert.equal((await ok('POST', '/api/v1/catalogs', { name: uniq('in'), warehouse_name: A.wh, storage_location: `${A.whRoot}/sub/c` }, A.admin)).storage_location, `${A.whRoot}/sub/c`);
});

test('catalog updates: warehouse_name "" is 422, a storage_location or warehouse change must keep the rule', { skip: ONCE }, async () => {
  const name = uniq('upd');
  await ok('POST', '/api/v1/catalogs', { name, warehouse_name: A.wh }, A.admin);
  expectError(await req('PUT', `/api/v1/catalogs/${name}`, { warehouse_name: '' }, A.admin), 422, { message: /warehouse_name must not be empty/ });
  for (const loc of ['/etc', '//', B.catRoot, A.whRoot]) {
    expectError(await req('PUT', `/api/v1/catalogs/${name}`, { storage_location: loc }, A.admin), 400);
  }
  // Another warehouse of A: the catalog's location (in the first) is not inside it.
  const wh2 = uniq('wh2');
  await ok('POST', '/api/v1/warehouses', { name: wh2, storage_config: { type: 'local' } }, A.admin);
  expectError(await req('PUT', `/api/v1/catalogs/${name}`, { warehouse_name: wh2 }, A.admin), 400, { message: /inside/ });
  const c = await ok('GET', `/api/v1/catalogs/${name}`, undefined, A.admin);
  assert.equal(c.warehouse_name, A.wh);
  assert.equal(c.storage_location, `${A.whRoot}/${name}`);
});

test('a table or view location given by a client lies inside the catalog\'s storage', { skip: ONCE }, async () => {
  for (const location of [B.tableLoc, path.join(B.whRoot, 'x'), '/etc/x', path.join(outside, 't')]) {
    const r = await req('POST', `/v1/${A.cat}/namespaces/ns/tables`, { name: uniq('t'), schema, location }, A.admin);
    assert.equal(r.status, 400, `${location}: ${r.text}`);
  }
  assert.deepEqual(snapshot(outside), {});
});

test('register of another tenant\'s metadata file, /etc/shadow or /etc/passwd answers exactly like a missing file', { skip: ONCE }, async () => {
  const register = (loc) => req('POST', `/v1/${A.cat}/namespaces/ns/register`, { name: uniq('reg'), 'metadata-location': loc }, A.admin);
  const missingLoc = `${A.catRoot}/ns/nothing/metadata/00000-x.metadata.json`;
  const missing = await register(missingLoc);
  assert.equal(missing.status, 404, missing.text);
  const shape = (r, loc) => ({ status: r.status, body: r.text.split(loc).join('<loc>') });
  for (const loc of [B.metadataFile, '/etc/shadow', '/etc/passwd', '/nonexistent/x.metadata.json', fsPath(B.metadataFile)]) {
    const r = await register(loc);
    assert.deepEqual(shape(r, loc), shape(missing, missingLoc), `${loc} answers like a missing file`);
    assert.doesNotMatch(r.text, /not valid JSON|root:|permission/i);
  }
  const registerView = (loc) => req('POST', `/v1/${A.cat}/namespaces/ns/register-view`, { name: uniq('v'), 'metadata-location': loc }, A.admin);
  const vMissing = await registerView(missingLoc);
  assert.equal(vMissing.status, 404, vMissing.text);
  for (const loc of [B.metadataFile, '/etc/shadow']) assert.deepEqual(shape(await registerView(loc), loc), shape(vMissing, missingLoc));
});

test('orphan removal (dry run and real run) lists and deletes only inside the caller\'s table; tenant B\'s table still loads', { skip: ONCE }, async () => {
  const bBefore = snapshot(B.whRoot);
  const tbl = `/v1/${A.cat}/namespaces/ns/tables/tbl`;
  const old = path.join(A.tableLoc, 'data', 'old.parquet');
  fs.mkdirSync(path.dirname(old), { recursive: true });
  fs.writeFileSync(old, 'x');
  const when = new Date(Date.now() - 5 * DAY);
  fs.utimesSync(old, when, when);
  // B's files old enough to be orphans for anyone who could see them.
  for (const f of Object.keys(bBefore).filter((k) => !k.endsWith('/'))) fs.utimesSync(path.join(B.whRoot, f), when, when);
  const bOld = snapshot(B.whRoot);
  // The chain: a catalog of A over B's catalog directory, then an
  // orphan removal in it.  The first step is refused.
  expectError(await req('POST', '/api/v1/catalogs', { name: uniq('over-b'), storage_location: B.catRoot }, A.admin), 400);
  expectError(await req('POST', '/api/v1/catalogs', { name: uniq('over-b'), warehouse_name: A.wh, storage_location: B.catRoot }, A.admin), 400);
  for (const dry of [true, false]) {
    const q = expectJson(await req('POST', `${tbl}/maintenance`, { operations: ['remove_orphan_files'], dry_run: dry }, A.admin), 202);
    const t = await waitTask((m, p, o) => srv.req(m, p, o), q.task_id, { headers: A.admin });
    assert.equal(t.status, 'succeeded', JSON.stringify(t));
    const files = t.result.remove_orphan_files.files ?? [];
    for (const f of files) assert.ok(f.startsWith(`${A.tableLoc}/`) || f.startsWith(`file://${A.tableLoc}/`), `${f} lies in A's table`);
    assert.deepEqual(snapshot(B.whRoot), bOld, `dry_run=${dry}: B's files untouched`);
  }
  assert.ok(!fs.existsSync(old), 'A\'s own orphan went');
  expectJson(await req('GET', `/v1/${B.cat}/namespaces/ns/tables/tbl`, undefined, B.admin), 200);
});

// Root is the operator's hand in the API (issue 22: "only root may place
// a warehouse elsewhere inside a configured root"; pangolin-api §2.2 says
// 403, deliberately changed): it acts in the tenant it names.
test('root places a warehouse for tenant A anywhere inside a configured root but another tenant\'s subtree; the change is audited in A', async () => {
  const asA = { ...root, 'x-pangolin-tenant': A.id };
  const shared = path.join(srv.localRoot, uniq('shared-area'), 'x');
  const name = uniq('rootA');
  const before = (await ok('GET', '/api/v1/audit?action=create_warehouse&limit=1000', undefined, A.admin)).length;
  const w = expectJson(await req('POST', '/api/v1/warehouses', { name, storage_config: { type: 'local', root: shared } }, asA), 201);
  assert.equal(w.tenant_id, A.id);
  assert.equal(w.storage_config.root, shared);
  assert.ok(fs.statSync(shared).isDirectory(), 'made');
  const events = await ok('GET', '/api/v1/audit?action=create_warehouse&limit=1000', undefined, A.admin);
  assert.equal(events.length, before + 1, 'one event, in tenant A');
  assert.equal(events[0].username, 'root');
  assert.equal(events[0].resource_name, name);
  assert.equal(events[0].result, 'success');
  // It is A's: A's admin sees it and puts a catalog (and a table) in it.
  expectJson(await req('GET', `/api/v1/warehouses/${name}`, undefined, A.admin), 200);
  const cat = uniq('cat-shared');
  assert.equal((await ok('POST', '/api/v1/catalogs', { name: cat, warehouse_name: name }, A.admin)).storage_location, `${shared}/${cat}`);
  await ok('POST', `/v1/${cat}/namespaces`, { namespace: ['ns'] }, A.admin);
  await ok('POST', `/v1/${cat}/namespaces/ns/tables`, { name: 'tbl', schema }, A.admin);
  expectJson(await req('GET', `/v1/${cat}/namespaces/ns/tables/tbl`, undefined, A.admin), 200);
  // A's admin manages it, but cannot re-place it: its storage_config is
  // held to the tenant rule.
  expectJson(await req('PUT', `/api/v1/warehouses/${name}`, { use_sts: false }, A.admin), 200);
  expectError(await req('PUT', `/api/v1/warehouses/${name}`, { storage_config: { type: 'local' } }, A.admin), 400);
  assert.equal((await ok('GET', `/api/v1/warehouses/${name}`, undefined, A.admin)).storage_config.root, shared);
  // A's own subtree is fine for root too.
  expectJson(await req('POST', '/api/v1/warehouses', { name: uniq('rootOwn'), storage_config: { type: 'local', root: path.join(srv.localRoot, A.id, uniq('own')) } }, asA), 201);
  // Root moves a warehouse of A (PUT) elsewhere in the root.
  const moved = path.join(srv.localRoot, uniq('shared-area'), 'y');
  const other = uniq('rootMove');
  await ok('POST', '/api/v1/warehouses', { name: other, storage_config: { type: 'local' } }, A.admin);
  assert.equal(expectJson(await req('PUT', `/api/v1/warehouses/${other}`, { storage_config: { type: 'local', root: moved } }, asA), 200).storage_config.root, moved);
  assert.ok(fs.statSync(moved).isDirectory());
});

test('root cannot place A\'s warehouse in tenant B\'s subtree, inside or around B\'s storage, outside every root, or on a root itself; nothing is created', async () => {
  const asA = { ...root, 'x-pangolin-tenant': A.id };
  const stray = path.join(os.tmpdir(), uniq('pgl-place-root-stray'));
  const fresh = path.join(srv.localRoot, B.id, uniq('fresh'));
  const bad = [
    fresh, path.join(srv.localRoot, B.id), B.whRoot, path.join(B.whRoot, 'in'), B.catRoot, path.dirname(B.whRoot),
    srv.localRoot, `${srv.localRoot}/`, '/etc', '//', '/', stray, outside, path.join(outside, 'w'),
    path.join(srv.localRoot, crypto.randomUUID(), 'w'),
    `${srv.localRoot}/${A.id}/../${B.id}/x`, `${srv.localRoot}//shared-area/x`, `${srv.localRoot}/./x`,
  ];
  const beforeB = snapshot(path.join(srv.localRoot, B.id));
  for (const r of bad) {
    expectError(await req('POST', '/api/v1/warehouses', { name: uniq('evil'), storage_config: { type: 'local', root: r } }, asA), 400, { message: /./ });
    expectError(await req('PUT', `/api/v1/warehouses/${A.wh}`, { storage_config: { type: 'local', root: r } }, asA), 400, { message: /./ });
  }
  assert.ok(!fs.existsSync(stray) && !fs.existsSync(fresh), 'nothing made');
  assert.deepEqual(snapshot(outside), {}, 'nothing made beside the roots');
  assert.deepEqual(snapshot(path.join(srv.localRoot, B.id)), beforeB, 'tenant B\'s directory untouched');
  assert.equal((await ok('GET', `/api/v1/warehouses/${A.wh}`, undefined, A.admin)).storage_config.root, A.whRoot, 'the stored root is unchanged');
  // A directory holding storage of B is B's even outside B's subtree.
  const bShared = path.join(srv.localRoot, uniq('shared-area'), 'b');
  await ok('POST', '/api/v1/warehouses', { name: uniq('rootB'), storage_config: { type: 'local', root: bShared } }, { ...root, 'x-pangolin-tenant': B.id });
  for (const r of [bShared, path.join(bShared, 'a'), path.dirname(bShared)]) {
    expectError(await req('POST', '/api/v1/warehouses', { name: uniq('evil'), storage_config: { type: 'local', root: r } }, asA), 400, { message: /another tenant/ });
  }
  // A tenant admin's rule is unchanged: A's admin cannot go there.
  expectError(await req('POST', '/api/v1/warehouses', { name: uniq('evil'), storage_config: { type: 'local', root: path.join(srv.localRoot, uniq('shared-area'), 'z') } }, A.admin), 400);
});

test('root must name an existing tenant (X-Pangolin-Tenant) to create or update a warehouse', async () => {
  const shared = path.join(srv.localRoot, uniq('shared-area'), 'x');
  const body = { name: uniq('rootNil'), storage_config: { type: 'local', root: shared } };
  expectError(await req('POST', '/api/v1/warehouses', body, root), 400, { message: /X-Pangolin-Tenant/ });
  expectError(await req('PUT', `/api/v1/warehouses/${A.wh}`, body, root), 400, { message: /X-Pangolin-Tenant/ });
  expectError(await req('POST', '/api/v1/warehouses', body, { ...root, 'x-pangolin-tenant': 'not-a-uuid' }), 400, { message: /X-Pangolin-Tenant/ });
  expectError(await req('POST', '/api/v1/warehouses', body, { ...root, 'x-pangolin-tenant': crypto.randomUUID() }), 404);
  assert.ok(!fs.existsSync(shared));
  // Tenant users and B's admin still cannot touch A's warehouses.
  expectError(await req('PUT', `/api/v1/warehouses/${A.wh}`, { storage_config: { type: 'local', root: shared } }, B.admin), 404);
});

test('start-up: a stored warehouse and catalog outside the configured roots are logged by name and refused, no data deleted', { skip: STORE === 'memory' && 'the memory store does not outlive its process' }, async () => {
  const dir = tmpDir(`pgl-place-restart-${STORE}`);
  const first = path.join(dir, 'lake1');
  const opts = { dir, root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0' } };
  let s = await startServer({ ...opts, localRoots: [first] });
  const t = {};
  const saved = srv;
  srv = s;
  try {
    await tenantWithAdmin(t, 'moved');
    await lake(t, 'moved');
  } finally {
    srv = saved;
    await s.stop({ keep: true });
  }
  const files = snapshot(t.whRoot);
  s = await startServer({ ...opts, localRoots: [path.join(dir, 'lake2')] });
  try {
    assert.match(s.log(), new RegExp(`warehouse '${t.wh}'.*outside`), 'the warehouse is logged by name');
    assert.match(s.log(), new RegExp(`catalog '${t.cat}'`), 'the catalog is logged by name');
    const h = t.admin; // its session lives in the store, which both servers share
    for (const p of [`/v1/${t.cat}/namespaces`, `/v1/${t.cat}/namespaces/ns/tables/tbl`]) {
      const r = await s.req('GET', p, { headers: h });
      expectError(r, 409, { iceberg: true });
      assert.match(r.json.error.message, new RegExp(`catalog '${t.cat}' lies outside the configured local roots.*an operator must move it`));
    }
    expectError(await s.req('POST', '/api/v1/catalogs', { body: { name: uniq('c'), warehouse_name: t.wh }, headers: h }), 400, { message: new RegExp(`warehouse '${t.wh}' lies outside`) });
    // Still visible to manage (and to move); nothing was deleted.
    expectJson(await s.req('GET', `/api/v1/catalogs/${t.cat}`, { headers: h }), 200);
    assert.deepEqual(snapshot(t.whRoot), files, 'no data deleted');
    // One bad tenant does not take the server down.
    expectJson(await s.req('GET', '/health/ready'), 200);
  } finally {
    await s.stop({ keep: true });
  }
  // Placed by the operator elsewhere inside a configured root (here the
  // old root's parent): served again.  Outside every root it was not.
  s = await startServer({ ...opts, localRoots: [dir] });
  try {
    assert.doesNotMatch(s.log(), new RegExp(`warehouse '${t.wh}'`));
    expectJson(await s.req('GET', `/v1/${t.cat}/namespaces/ns/tables/tbl`, { headers: t.admin }), 200);
    assert.deepEqual(snapshot(t.whRoot), files, 'no data deleted');
  } finally {
    await s.stop({ keep: true });
  }
  // Refused again under lake2 alone; root moves the warehouse inside it
  // through the API, the tenant admin moves the catalog into it: both are
  // served again at once, without a restart.
  s = await startServer({ ...opts, localRoots: [path.join(dir, 'lake2')] });
  try {
    const h = t.admin;
    const asT = { ...root, 'x-pangolin-tenant': t.id };
    expectError(await s.req('GET', `/v1/${t.cat}/namespaces`, { headers: h }), 409, { iceberg: true });
    const outsideAgain = path.join(dir, 'lake1', 'elsewhere');
    expectError(await s.req('PUT', `/api/v1/warehouses/${t.wh}`, { body: { storage_config: { type: 'local', root: outsideAgain } }, headers: asT }), 400);
    assert.ok(!fs.existsSync(outsideAgain), 'nothing made outside the roots');
    const whRoot = path.join(dir, 'lake2', 'moved-by-root', t.wh);
    expectJson(await s.req('PUT', `/api/v1/warehouses/${t.wh}`, { body: { storage_config: { type: 'local', root: whRoot } }, headers: asT }), 200);
    expectJson(await s.req('POST', '/api/v1/catalogs', { body: { name: uniq('c'), warehouse_name: t.wh }, headers: h }), 201);
    // The catalog still lies at its old place: still refused.
    expectError(await s.req('GET', `/v1/${t.cat}/namespaces`, { headers: h }), 409, { iceberg: true });
    expectJson(await s.req('PUT', `/api/v1/catalogs/${t.cat}`, { body: { storage_location: `${whRoot}/${t.cat}` }, headers: h }), 200);
    // Every worker serves it again (several requests, whichever worker).
    for (let i = 0; i < 4; i++) expectJson(await s.req('GET', `/v1/${t.cat}/namespaces`, { headers: h }), 200);
    expectJson(await s.req('POST', `/v1/${t.cat}/namespaces/ns/tables`, { body: { name: 'fresh', schema }, headers: h }), 200);
    expectJson(await s.req('GET', `/v1/${t.cat}/namespaces/ns/tables/fresh`, { headers: h }), 200);
    assert.deepEqual(snapshot(t.whRoot), files, 'no data deleted at the old place');
  } finally {
    await s.stop();
  }
});

test('without local_roots the root is <data dir>/warehouses, logged at start-up; the bootstrap warehouse ([defaults] warehouse_root) keeps being served', { skip: ONCE }, async () => {
  const dir = tmpDir(`pgl-place-default-${STORE}`);
  // An empty [storage] section: no local_roots, the default applies.  The
  // data dir is the SQLite file's directory, else warehouse_root's parent:
  // <dir> either way here.
  const extra = ['[storage]', '', '[defaults]', 'warehouse = "boot"', `warehouse_root = ${JSON.stringify(path.join(dir, 'warehouse'))}`, 'catalog = "demo"'].join('\n');
  const s = await startServer({ dir, extra });
  try {
    const def = path.join(dir, 'warehouses');
    assert.match(s.log(), new RegExp(`local storage root: ${def.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const name = uniq('w');
    const w = expectJson(await s.req('POST', '/api/v1/warehouses', { body: { name, storage_config: { type: 'local' } } }), 201);
    assert.equal(w.storage_config.root, path.join(def, '00000000-0000-0000-0000-000000000000', name));
    expectJson(await s.req('GET', '/v1/demo/namespaces'), 200);
    expectJson(await s.req('POST', '/v1/demo/namespaces', { body: { namespace: [uniq('ns')] } }), 200);
    // Beside the roots and the bootstrap root: refused.
    expectError(await s.req('POST', '/api/v1/warehouses', { body: { name: uniq('w'), storage_config: { type: 'local', root: path.join(dir, 'elsewhere') } } }), 400);
    assert.ok(!fs.existsSync(path.join(dir, 'elsewhere')));
  } finally {
    await s.stop();
  }
});
