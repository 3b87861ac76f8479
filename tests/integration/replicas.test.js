// Caches that stay coherent (issue 11): each worker keeps copies of
// catalogs, warehouses and grants; a change through any worker, or through
// another server on the same PostgreSQL, is seen on the next request.
//
// Within one server this runs on every store.  Two replicas need a store
// that tells servers of each other's changes: PostgreSQL (NOTIFY in the
// changing transaction, LISTEN on every connection).  The others leave the
// TTL as the bound between servers (README), so those cases skip there.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { defaultsFor, simpleSchema, startIcebergServer } from './lib/iceberg.js';
import { basic, NIL_UUID, startServer, STORE } from './lib/server.js';
import { expectJson, pool, uniq } from './lib/expect.js';

const PW = 'Str0ng-Passw0rd-for-tests';
const ROOT = { authorization: basic(), 'x-pangolin-tenant': NIL_UUID };
let ADMIN;	// the default tenant's admin (root may not create catalogs)
const replicas = STORE === 'postgres' ? false : 'needs PostgreSQL (LISTEN/NOTIFY between servers)';
// Credentials need no announcement: the store is asked on every request.
const shared = STORE === 'memory' ? 'the memory store is one process' : false;
let a, b;

before(async () => {
  const opts = { root: true, noAuth: false, workers: STORE === 'memory' ? 1 : 4,
    env: { PANGOLIN_AUTH_RATE_LIMIT: '0' } };
  a = await startIcebergServer(opts);
  if (!shared) b = await startServer({ ...opts, shareWith: a.dir, extra: defaultsFor(a.dir) });
  const username = uniq('admin');
  await ok(a, 'POST', '/api/v1/users', { username, password: PW, tenant_id: NIL_UUID, role: 'tenant-admin' }, 201, ROOT);
  const login = await ok(a, 'POST', '/api/v1/users/login', { username, password: PW, 'tenant-id': NIL_UUID }, 200, {});
  ADMIN = { authorization: `Bearer ${login.token}` };
});
after(async () => {
  await b?.stop();
  await a?.stop();
});

const call = (srv, method, p, body, headers = ADMIN) => srv.req(method, p, { body, headers });
const ok = async (srv, method, p, body, want, headers) => expectJson(await call(srv, method, p, body, headers), want);

async function catalog(srv) {
  const name = uniq('cc');
  await ok(srv, 'POST', '/api/v1/catalogs', { name, warehouse_name: 'wh' }, 201);
  return name;
}

// Many fresh connections: with 4 workers, every worker answers some.
const everyWorker = (srv, method, p, headers = ADMIN) =>
  Promise.all(Array.from({ length: 16 }, () => (srv.rawReq ?? srv.req)(method, p, { headers, agent: false })));

// An admin's catalog list is kept rendered per worker: every worker's page
// must name the catalog (listed) or not, and count it in X-Total-Count.
async function listsShow(srv, name, listed) {
  for (const r of await everyWorker(srv, 'GET', '/api/v1/catalogs?limit=1000')) {
    assert.equal(r.status, 200);
    assert.equal(r.json.some((c) => c.name === name), listed, `a worker's list ${listed ? 'lacks' : 'still has'} ${name}`);
    assert.equal(Number(r.headers['x-total-count']), r.json.length);
  }
}

test('one server: a changed or deleted catalog is seen by every worker on the next request', async () => {
  await listsShow(a, 'none-yet', false);	// every worker keeps a page
  const name = await catalog(a);
  await listsShow(a, name, true);
  for (const r of await everyWorker(a, 'GET', `/v1/config?warehouse=${name}`)) assert.equal(r.status, 200);
  await ok(a, 'PUT', `/api/v1/catalogs/${name}`, { properties: { owner: 'etl' } }, 200);
  for (const r of await everyWorker(a, 'GET', `/api/v1/catalogs/${name}`)) assert.equal(r.json.properties.owner, 'etl');
  for (const r of await everyWorker(a, 'GET', '/api/v1/catalogs?limit=1000'))
    assert.equal(r.json.find((c) => c.name === name).properties.owner, 'etl');
  assert.equal((await call(a, 'DELETE', `/api/v1/catalogs/${name}`)).status, 204);
  await listsShow(a, name, false);
  for (const r of await everyWorker(a, 'GET', `/v1/config?warehouse=${name}`)) assert.equal(r.status, 404);
});

test('two replicas: a catalog changed or deleted through one is seen through the other at once', { skip: replicas }, async () => {
  await listsShow(b, 'none-yet', false);	// B's workers keep a page
  const name = await catalog(a);
  await listsShow(b, name, true);
  // B reads it (and keeps copies in its workers) ...
  for (const r of await everyWorker(b, 'GET', `/api/v1/catalogs/${name}`)) assert.equal(r.status, 200);
  // ... A changes it: B's next requests see the change, not its copy.
  await ok(a, 'PUT', `/api/v1/catalogs/${name}`, { properties: { owner: 'etl' } }, 200);
  for (const r of await everyWorker(b, 'GET', `/api/v1/catalogs/${name}`)) assert.equal(r.json.properties.owner, 'etl');
  assert.equal((await call(a, 'DELETE', `/api/v1/catalogs/${name}`)).status, 204);
  await listsShow(b, name, false);
  for (const r of await everyWorker(b, 'GET', `/v1/config?warehouse=${name}`)) assert.equal(r.status, 404);
  for (const r of await everyWorker(b, 'GET', `/v1/${name}/namespaces`)) assert.equal(r.status, 404);
});

test('two replicas: a grant revoked through one is refused by the other on the next request', { skip: replicas }, async () => {
  const username = uniq('ru');
  const u = await ok(a, 'POST', '/api/v1/users', { username, password: PW, tenant_id: NIL_UUID, role: 'tenant-user' }, 201);
  const token = (await ok(b, 'POST', '/api/v1/users/login', { username, password: PW, 'tenant-id': NIL_UUID }, 200)).token;
  const user = { authorization: `Bearer ${token}` };
  const cat = await ok(a, 'GET', '/api/v1/catalogs/demo', undefined, 200);
  const p = await ok(a, 'POST', '/api/v1/permissions', { 'user-id': u.id, scope: { type: 'catalog', catalog_id: cat.id }, actions: ['read'] }, 201);
  for (const r of await everyWorker(b, 'GET', '/v1/demo/namespaces', user)) assert.equal(r.status, 200);
  assert.equal((await call(a, 'DELETE', `/api/v1/permissions/${p.id}`)).status, 204);
  for (const r of await everyWorker(b, 'GET', '/v1/demo/namespaces', user)) assert.equal(r.status, 403);
});

// Each worker keeps the credentials it checked lately (a session's claims,
// an API key's verified hash); whether they still hold is the store's to
// say, on every request (store-sqlite answers from memory only while no
// commit has landed since, store-postgres reads).  So a credential every
// worker of both servers holds is refused by all of them at once.
test('two servers: a session, an API key and a user revoked through either are refused by every worker of both on the next request', { skip: shared }, async () => {
  const username = uniq('cu');
  const u = await ok(a, 'POST', '/api/v1/users', { username, password: PW, tenant_id: NIL_UUID, role: 'tenant-admin' }, 201, ROOT);
  const session = async () => ({ authorization: `Bearer ${(await ok(a, 'POST', '/api/v1/users/login', { username, password: PW, 'tenant-id': NIL_UUID }, 200, {})).token}` });
  const loggedOut = await session();
  const kept = await session();
  const su = await ok(a, 'POST', '/api/v1/service-users', { name: uniq('etl'), role: 'tenant-admin' }, 201);
  const key = { 'x-api-key': su.api_key };
  const everywhere = async (headers, want, what) => {
    for (const srv of [a, b])
      for (const r of await everyWorker(srv, 'GET', '/v1/demo/namespaces', headers))
        assert.equal(r.status, want, `${what} through ${srv === a ? 'A' : 'B'}: ${r.status} ${r.text}`);
  };
  // Every worker of both servers checks, and keeps, each credential ...
  for (const h of [loggedOut, kept, key]) await everywhere(h, 200, 'before');
  // ... a logout through B ends that session, not the other ...
  await ok(b, 'POST', '/api/v1/auth/revoke', { reason: 'logout' }, 200, loggedOut);
  await everywhere(loggedOut, 401, 'the logged-out session');
  await everywhere(kept, 200, 'the other session');
  // ... a key rotated through B is refused at once, its successor works ...
  const fresh = await ok(b, 'POST', `/api/v1/service-users/${su.id}/rotate`, undefined, 200);
  await everywhere(key, 401, 'the rotated key');
  await everywhere({ 'x-api-key': fresh.api_key }, 200, 'the new key');
  // ... and deactivating the user through A ends its last session.
  await ok(a, 'PUT', `/api/v1/users/${u.id}`, { active: false }, 200, ROOT);
  await everywhere(kept, 401, 'the deactivated user\'s session');
  // Deactivating the service user through A ends its new key too.
  await ok(a, 'PUT', `/api/v1/service-users/${su.id}`, { active: false }, 200);
  await everywhere({ 'x-api-key': fresh.api_key }, 401, 'the deactivated service user\'s key');
});

test('two replicas: a commit through one is loaded through the other; 16 writers over both lose nothing', { skip: replicas }, async () => {
  const ns = uniq('rn');
  const T = `/v1/demo/namespaces/${ns}/tables`;
  await ok(a, 'POST', '/v1/demo/namespaces', { namespace: [ns] }, 200);
  await ok(b, 'POST', T, { name: 't', schema: simpleSchema() }, 200);
  const c = await ok(a, 'POST', `${T}/t`, { requirements: [], updates: [{ action: 'set-properties', updates: { first: '1' } }] }, 200);
  assert.equal((await ok(b, 'GET', `${T}/t`, undefined, 200))['metadata-location'], c['metadata-location']);
  // 16 writers, half on each server, 8 commits each, each its own key; a
  // 409 (the server's own retries exhausted) is retried as a client would.
  const writers = Array.from({ length: 16 }, (_, i) => i);
  await pool(writers, 16, async (w) => {
    const srv = w % 2 === 0 ? a : b;
    for (let k = 0; k < 8; k++) {
      let r;
      for (let tries = 0; tries < 50; tries++) {
        r = await call(srv, 'POST', `${T}/t`, { requirements: [], updates: [{ action: 'set-properties', updates: { [`w${w}k${k}`]: 'x' } }] });
        if (r.status !== 409) break;
      }
      assert.equal(r.status, 200, r.text);
    }
  });
  for (const srv of [a, b]) {
    const props = (await ok(srv, 'GET', `${T}/t`, undefined, 200)).metadata.properties;
    for (const w of writers) for (let k = 0; k < 8; k++) assert.equal(props[`w${w}k${k}`], 'x', `w${w}k${k} through ${srv === a ? 'A' : 'B'}`);
  }
});
