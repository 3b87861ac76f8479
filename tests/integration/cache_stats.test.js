// GET /api/v1/cache/stats and the pangolin_cache_* metrics: the metadata
// cache's counters summed over every Kore worker (each worker has its own
// cache and publishes into shared memory), for root and tenant admins.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { basic, startServer } from './lib/server.js';
import { expectError, expectJson, uniq } from './lib/expect.js';

const PW = 'Str0ng-Passw0rd-for-tests';
const root = { authorization: basic() };
let srv, admin, user, cat, tenant;

const ok = async (method, p, body, headers = root) => {
  const r = await srv.req(method, p, { body, headers });
  assert.ok([200, 201, 204].includes(r.status), `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
};
const login = async (username, tenant) => ({
  authorization: `Bearer ${(await ok('POST', '/api/v1/users/login', { username, password: PW, 'tenant-id': tenant })).token}`,
});

before(async () => {
  srv = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0' } });
  tenant = (await ok('POST', '/api/v1/tenants', { name: uniq('cs') })).id;
  const adminName = uniq('admin');
  await ok('POST', '/api/v1/users', { username: adminName, password: PW, tenant_id: tenant, role: 'tenant-admin' });
  admin = await login(adminName, tenant);
  const userName = uniq('user');
  await ok('POST', '/api/v1/users', { username: userName, password: PW, tenant_id: tenant, role: 'tenant-user' }, admin);
  user = await login(userName, tenant);
  const wh = uniq('wh');
  await ok('POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 'local', root: path.join(srv.tenantDir(tenant), uniq('wh')) } }, admin);
  cat = uniq('cat');
  await ok('POST', '/api/v1/catalogs', { name: cat, warehouse_name: wh }, admin);
  await ok('POST', `/v1/${cat}/namespaces`, { namespace: ['ns'] }, admin);
  const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', required: false, type: 'long' }] };
  await ok('POST', `/v1/${cat}/namespaces/ns/tables`, { name: 't', schema }, admin);
});
after(async () => { await srv?.stop(); });

const stats = async (headers = root) => expectJson(await srv.req('GET', '/api/v1/cache/stats', { headers }), 200);
const metadataCache = (s) => s.caches.find((c) => c.name === 'metadata' && c.tier === 'l1');

test('the stats name the metadata cache (tier l1) with every counter, and the object-store clients', async () => {
  const s = await stats();
  const m = metadataCache(s);
  assert.ok(m, JSON.stringify(s));
  assert.deepEqual(Object.keys(m).sort(), ['bytes', 'entries', 'evictions', 'expirations', 'hit_ratio', 'hits', 'max_bytes',
    'max_entries', 'misses', 'name', 'tier']);
  assert.deepEqual(Object.keys(s.object_store).sort(), ['connections', 'requests', 'reuse_ratio']);
  assert.equal(s.object_store.requests, 0, 'a local warehouse sends no S3 request');
});

test('loadTable moves the counters: every lookup of every worker is a hit or a miss, and the file is held', async () => {
  const before = metadataCache(await stats());
  const n = 8;
  for (let i = 0; i < n; i++) await ok('GET', `/v1/${cat}/namespaces/ns/tables/t`, undefined, admin);
  const now = metadataCache(await stats());
  assert.equal(now.hits + now.misses - before.hits - before.misses, n, 'lookups summed over all workers');
  assert.ok(now.hits - before.hits >= 1, 'a second load is a hit');
  assert.ok(now.hits - before.hits >= n - 2, 'at most one miss per worker');
  assert.ok(now.entries >= 1 && now.entries >= before.entries);
  assert.ok(now.bytes > before.bytes || before.entries >= 1, 'the metadata file is held');
  assert.ok(now.bytes > 100);
  assert.ok(Math.abs(now.hit_ratio - now.hits / (now.hits + now.misses)) < 1e-9);
});

const configCache = (s) => s.caches.find((c) => c.name === 'config' && c.tier === 'l1');

test('the config cache (catalogs, warehouses) is counted too: repeated loads hit, a management change makes the next lookup miss', async () => {
  for (let i = 0; i < 4; i++) await ok('GET', `/v1/${cat}/namespaces/ns/tables/t`, undefined, admin);
  const before = configCache(await stats());
  assert.ok(before, 'config cache registered');
  for (let i = 0; i < 8; i++) await ok('GET', `/v1/${cat}/namespaces/ns/tables/t`, undefined, admin);
  const warm = configCache(await stats());
  assert.ok(warm.hits - before.hits >= 8, `each load finds its catalog: ${JSON.stringify(warm)}`);
  assert.ok(warm.entries >= 1);
  // Any committed management change bumps the epoch: every worker's copy is stale.
  await ok('POST', '/api/v1/warehouses', { name: uniq('wh2'), storage_config: { type: 'local', root: path.join(srv.tenantDir(tenant), uniq('wh2')) } }, admin);
  await ok('GET', `/v1/${cat}/namespaces/ns/tables/t`, undefined, admin);
  const after = configCache(await stats());
  assert.ok(after.misses > warm.misses, 'the copy from before the change is a miss');
});

test('GET /metrics has the same figures as pangolin_cache_* with cache and tier labels', async () => {
  const m = metadataCache(await stats());
  const text = (await srv.req('GET', '/metrics')).text;
  const value = (name) => Number(text.match(new RegExp(`^${name}\\{cache="metadata",tier="l1"\\} (\\d+)$`, 'm'))?.[1]);
  assert.match(text, /^# TYPE pangolin_cache_hits_total counter$/m);
  assert.match(text, /^# TYPE pangolin_cache_bytes gauge$/m);
  assert.equal(value('pangolin_cache_hits_total'), m.hits);
  assert.equal(value('pangolin_cache_misses_total'), m.misses);
  assert.equal(value('pangolin_cache_entries'), m.entries);
  assert.equal(value('pangolin_cache_bytes'), m.bytes);
  assert.equal(value('pangolin_cache_evictions_total'), m.evictions);
});

test('root and tenant admins read the stats; a tenant user gets 403 and no credentials 401', async () => {
  assert.ok(metadataCache(await stats(admin)));
  expectError(await srv.req('GET', '/api/v1/cache/stats', { headers: user }), 403);
  expectError(await srv.req('GET', '/api/v1/cache/stats'), 401);
});

const treeCache = (s) => s.caches.find((c) => c.name === 'metadata_trees' && c.tier === 'l1');

test('commits keep the parsed metadata per worker: each commit looks its base up, and a worker that wrote the last version finds it', async () => {
  const before = treeCache(await stats());
  assert.ok(before, 'metadata_trees cache registered');
  const n = 6;
  for (let i = 0; i < n; i++) {
    await ok('POST', `/v1/${cat}/namespaces/ns/tables/t`, {
      requirements: [], updates: [{ action: 'set-properties', updates: { k: `v${i}` } }],
    }, admin);
  }
  const now = treeCache(await stats());
  assert.equal(now.hits + now.misses - before.hits - before.misses, n, `one lookup per commit: ${JSON.stringify(now)}`);
  // At most one miss per worker: after its first commit, a worker holds the version it wrote.
  assert.ok(now.hits - before.hits >= n - 2, `bases found: ${JSON.stringify(now)}`);
  assert.ok(now.entries >= 1 && now.max_entries >= now.entries);
  // The commits answered the new metadata: the table reads back what was set.
  const t = await ok('GET', `/v1/${cat}/namespaces/ns/tables/t`, undefined, admin);
  assert.equal(t.metadata.properties.k, `v${n - 1}`);
});
