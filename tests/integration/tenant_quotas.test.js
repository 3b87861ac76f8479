// Per-tenant quotas of what a tenant makes the store hold (issue 67):
// every kind has a quota in rows and in bytes, and all kinds together
// one in bytes ([quota] max_bytes, 2 GiB out of the box), counted by
// the store's own usage ledger (store ABI 1.27) in the transaction of
// each write, so the figures hold across workers and replicas.  Past a
// quota a write is 429 with the figures ({"error", "kind", "unit",
// "limit", "used"}; on /v1 the Iceberg envelope, the figures in its
// message and beside it); deletes and drops are never refused and give
// their rows' room back; another tenant is not affected; root raises a
// tenant's quota with its property pangolin.quota.<key>.  The
// reproduction of the finding: one tenant user's generic assets with
// ~60 KiB of properties each grew the store without bound.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { STORE, basic, startServer } from './lib/server.js';
import { expectError, expectJson, uniq } from './lib/expect.js';
import { writeBigTable } from './lib/big_table.js';

const PW = 'Str0ng-Passw0rd-for-tests';
const root = { authorization: basic() };
const SCHEMA = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', required: false, type: 'long' }] };
const KIB = 1024;

async function ok(s, method, p, body, headers = root) {
  const r = await s.req(method, p, { body, headers });
  assert.ok([200, 201, 202, 204].includes(r.status), `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
}

/** A tenant with its admin, a local warehouse, a catalog and namespace ns. */
async function tenant(s, tag) {
  const id = (await ok(s, 'POST', '/api/v1/tenants', { name: uniq(tag) })).id;
  const name = uniq('admin');
  await ok(s, 'POST', '/api/v1/users', { username: name, password: PW, tenant_id: id, role: 'tenant-admin' });
  const token = (await ok(s, 'POST', '/api/v1/users/login', { username: name, password: PW, 'tenant-id': id })).token;
  const admin = { authorization: `Bearer ${token}` };
  const wh = uniq('wh');
  const whRoot = path.join(s.tenantDir(id), 'wh');
  await ok(s, 'POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 'local', root: whRoot } }, admin);
  const cat = uniq('cat');
  await ok(s, 'POST', '/api/v1/catalogs', { name: cat, warehouse_name: wh }, admin);
  await ok(s, 'POST', `/v1/${cat}/namespaces`, { namespace: ['ns'] }, admin);
  const catRoot = (await ok(s, 'GET', `/api/v1/catalogs/${cat}`, undefined, admin)).storage_location ?? `file://${whRoot}/${cat}`;
  return { id, admin, cat, catRoot };
}

/** Properties of about kib KiB that do not compress. */
function bigProps(kib) {
  const p = {};
  for (let i = 0; i < kib; i++) p[`k${i}`] = crypto.randomBytes(750).toString('base64').slice(0, 1000);
  return p;
}

const assetBody = (t, name, props) => ({ name, kind: 'OTHER', location: `${t.catRoot}/${name}`, properties: props });
const register = (s, t, name, props) => s.req('POST', `/api/v1/catalogs/${t.cat}/namespaces/ns/assets`, { body: assetBody(t, name, props), headers: t.admin });
const usage = (s, t, headers = t.admin) => ok(s, 'GET', `/api/v1/tenants/${t.id}/usage`, undefined, headers);

/** A 429 of a quota: its body names the kind and the figures. */
function expectQuota(r, kind, unit, { iceberg = false } = {}) {
  expectError(r, 429, { iceberg });
  assert.equal(r.json.kind, kind, r.text);
  assert.equal(r.json.unit, unit, r.text);
  assert.ok(Number.isInteger(r.json.limit) && Number.isInteger(r.json.used), r.text);
  const msg = iceberg ? r.json.error.message : r.json.error;
  assert.match(msg, new RegExp(`holds ${r.json.used} .*its limit is ${r.json.limit}`));
  assert.match(msg, /pangolin\.quota\./);
  assert.ok(Number(r.headers['retry-after']) >= 1, 'Retry-After');
}

describe('one tenant filling the store with big generic assets', () => {
  // Room for about twenty 60 KiB assets (each kept twice: its row and
  // its catalog commit), beside the logs' and plans' room, kept small.
  const env = {
    PANGOLIN_AUTH_RATE_LIMIT: '0',
    PANGOLIN_QUOTA_MAX_BYTES: String(3 * 1024 * KIB),
    PANGOLIN_QUOTA_EVENTS_BYTES: String(128 * KIB),
    PANGOLIN_QUOTA_AUDIT_BYTES: String(128 * KIB),
    PANGOLIN_SCAN_MAX_BYTES_PER_TENANT: String(64 * KIB),
  };
  let s, A, B;
  before(async () => {
    s = await startServer({ root: true, noAuth: false, env });
    A = await tenant(s, 'fill');
    B = await tenant(s, 'other');
  });
  after(async () => { await s?.stop(); });

  test('is refused 429 at its quota with the figures; another tenant is served; a delete frees room', async () => {
    const props = bigProps(60);
    let refused = null, made = [];
    for (let i = 0; i < 60 && refused === null; i++) {
      const r = await register(s, A, `big${i}`, props);
      if (r.status === 429) refused = r;
      else { expectJson(r, 201); made.push(r.json.id); }
    }
    assert.ok(refused, `60 assets of 60 KiB fit in a 3 MiB quota (made ${made.length})`);
    assert.ok(made.length >= 10, `only ${made.length} assets fit`);
    expectQuota(refused, 'total', 'bytes');
    assert.equal(refused.json.limit, 3 * 1024 * KIB);
    // The store holds no more than the quota: what the ledger counts
    // against it (the logs and plans at their ceilings) is within it.
    const u = await usage(s, A);
    assert.ok(u.total.counted <= u.total.limit, JSON.stringify(u.total));
    assert.equal(u.kinds.assets.count, made.length);
    assert.ok(u.kinds.assets.bytes >= made.length * 60000, JSON.stringify(u.kinds.assets));
    // Each asset's properties are kept a second time in its commit.
    assert.ok(u.kinds.commits.bytes >= made.length * 60000, JSON.stringify(u.kinds.commits));

    // Another tenant is not affected.
    expectJson(await register(s, B, 'mine', props), 201);

    // A delete gives the asset row's bytes back; a smaller asset fits.
    const del = expectJson(await s.req('POST', '/api/v1/bulk/assets/delete', { body: { asset_ids: [made[0]] }, headers: A.admin }), 200);
    assert.equal(del.succeeded, 1, JSON.stringify(del));
    const after1 = await usage(s, A);
    assert.equal(after1.kinds.assets.count, made.length - 1);
    assert.ok(u.kinds.assets.bytes - after1.kinds.assets.bytes >= 60000,
      `${u.kinds.assets.bytes} -> ${after1.kinds.assets.bytes}`);
    expectJson(await register(s, A, 'small', bigProps(20)), 201);
  });
});

const viewBody = (name) => ({
  name, schema: SCHEMA,
  'view-version': {
    'version-id': 1, 'timestamp-ms': Date.now(), 'schema-id': 0, summary: { engine: 'test' },
    'default-namespace': ['ns'], representations: [{ type: 'sql', sql: 'select 1 as n', dialect: 'spark' }],
  },
  properties: {},
});
const createTable = (s, t, name, headers = t.admin) => s.req('POST', `/v1/${t.cat}/namespaces/ns/tables`, { body: { name, schema: SCHEMA }, headers });

describe('each kind has a quota in rows', () => {
  const env = {
    PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_QUOTA_NAMESPACES: '4', PANGOLIN_QUOTA_TABLES: '2',
    PANGOLIN_QUOTA_VIEWS: '1', PANGOLIN_QUOTA_ASSETS: '2', PANGOLIN_QUOTA_OTHER: '12',
  };
  let s, A, B;
  before(async () => {
    s = await startServer({ root: true, noAuth: false, env });
    A = await tenant(s, 'rows');
    B = await tenant(s, 'rows-b');
  });
  after(async () => { await s?.stop(); });

  test('namespaces: past the quota 429 in the Iceberg envelope with the figures; another tenant is served; a drop frees a place', async () => {
    // tenant() made some (its catalog's default, and ns).
    const held = (await usage(s, A)).kinds.namespaces.count;
    for (let i = held + 1; i <= 4; i++) expectJson(await s.req('POST', `/v1/${A.cat}/namespaces`, { body: { namespace: [`n${i}`] }, headers: A.admin }), 200);
    const r = await s.req('POST', `/v1/${A.cat}/namespaces`, { body: { namespace: ['n9'] }, headers: A.admin });
    expectQuota(r, 'namespaces', 'rows', { iceberg: true });
    assert.equal(r.json.error.type, 'TooManyRequestsException');
    assert.deepEqual([r.json.limit, r.json.used], [4, 4]);
    assert.match(r.json.error.message, /PANGOLIN_QUOTA_NAMESPACES/);
    expectJson(await s.req('POST', `/v1/${B.cat}/namespaces`, { body: { namespace: ['n1'] }, headers: B.admin }), 200);
    assert.equal((await s.req('DELETE', `/v1/${A.cat}/namespaces/n4`, { headers: A.admin })).status, 204);
    expectJson(await s.req('POST', `/v1/${A.cat}/namespaces`, { body: { namespace: ['n9'] }, headers: A.admin }), 200);
  });

  test('tables and views: each its own quota; a drop frees a place', async () => {
    for (const n of ['t1', 't2']) expectJson(await createTable(s, A, n), 200);
    expectQuota(await createTable(s, A, 't3'), 'tables', 'rows', { iceberg: true });
    expectJson(await s.req('POST', `/v1/${A.cat}/namespaces/ns/views`, { body: viewBody('v1'), headers: A.admin }), 200);
    const v = await s.req('POST', `/v1/${A.cat}/namespaces/ns/views`, { body: viewBody('v2'), headers: A.admin });
    expectQuota(v, 'views', 'rows', { iceberg: true });
    assert.deepEqual([v.json.limit, v.json.used], [1, 1]);
    assert.equal((await s.req('DELETE', `/v1/${A.cat}/namespaces/ns/tables/t1`, { headers: A.admin })).status, 204);
    expectJson(await createTable(s, A, 't3'), 200);
    expectJson(await createTable(s, B, 't1'), 200);
  });

  test('generic assets: past the quota 429 with {"error", "kind", "unit", "limit", "used"}', async () => {
    for (const n of ['a1', 'a2']) expectJson(await register(s, A, n, {}), 201);
    const r = await register(s, A, 'a3', {});
    expectQuota(r, 'assets', 'rows');
    assert.deepEqual([r.json.limit, r.json.used], [2, 2]);
    assert.match(r.json.error, /PANGOLIN_QUOTA_ASSETS/);
    const u = await usage(s, A);
    assert.equal(u.kinds.assets.count, 2);
    assert.equal(u.kinds.assets.limit, 2);
  });

  test('the rest a tenant makes (roles, users, warehouses, catalogs, branches, tags, grants, ...) is kind other, with its own quota', async () => {
    const held = (await usage(s, A)).kinds.other.count;
    assert.ok(held >= 4 && held < 12, `tenant() made ${held}`);
    for (let i = held; i < 12; i++) expectJson(await s.req('POST', '/api/v1/roles', { body: { name: uniq('role') }, headers: A.admin }), 201);
    const r = await s.req('POST', '/api/v1/roles', { body: { name: uniq('role') }, headers: A.admin });
    expectQuota(r, 'other', 'rows');
    assert.deepEqual([r.json.limit, r.json.used], [12, 12]);
    expectJson(await s.req('POST', '/api/v1/roles', { body: { name: uniq('role') }, headers: B.admin }), 201);
  });
});

describe('commits kept', () => {
  const env = { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_QUOTA_COMMITS: '5' };
  let s, A;
  before(async () => {
    s = await startServer({ root: true, noAuth: false, env });
    A = await tenant(s, 'log');
  });
  after(async () => { await s?.stop(); });

  test('a full commit log refuses new changes 429, never drops history; deletes still go; root raises the quota', async () => {
    let r, made = 0;
    for (let i = 0; i < 10; i++) {
      r = await createTable(s, A, `t${i}`);
      if (r.status !== 200) break;
      made++;
    }
    assert.ok(made >= 1, `no table fit: ${r.text}`);
    expectQuota(r, 'commits', 'rows', { iceberg: true });
    assert.deepEqual([r.json.limit, r.json.used], [5, 5]);
    // A change to a table is refused too; nothing of the log is lost.
    const t0 = `/v1/${A.cat}/namespaces/ns/tables/t0`;
    const upd = await s.req('POST', t0, { body: { requirements: [], updates: [{ action: 'set-properties', updates: { k: 'v' } }] }, headers: A.admin });
    expectQuota(upd, 'commits', 'rows', { iceberg: true });
    assert.equal((await usage(s, A)).kinds.commits.count, 5);
    // A drop still goes (it gives room back; its commit is kept).
    assert.equal((await s.req('DELETE', t0, { headers: A.admin })).status, 204);
    // Root raises this tenant's quota: changes go on.
    await ok(s, 'PUT', `/api/v1/tenants/${A.id}`, { properties: { 'pangolin.quota.commits': '100' } });
    expectJson(await createTable(s, A, 'after'), 200);
    assert.equal((await usage(s, A)).kinds.commits.limit, 100);
  });
});

describe('a tenant\'s own quota', () => {
  let s, A, B;
  before(async () => {
    s = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_QUOTA_TABLES: '1' } });
    A = await tenant(s, 'own');
    B = await tenant(s, 'own-b');
  });
  after(async () => { await s?.stop(); });

  test('root sets pangolin.quota.<key> on the tenant; its admin cannot; unknown keys and values that are no whole number are 400', async () => {
    expectJson(await createTable(s, A, 't1'), 200);
    expectQuota(await createTable(s, A, 't2'), 'tables', 'rows', { iceberg: true });
    expectError(await s.req('PUT', `/api/v1/tenants/${A.id}`, { body: { properties: { 'pangolin.quota.tables': '10' } }, headers: A.admin }), 403);
    expectError(await s.req('PUT', `/api/v1/tenants/${A.id}`, { body: { properties: { 'pangolin.quota.tablez': '10' } }, headers: root }), 400, { message: /unknown quota pangolin\.quota\.tablez/ });
    expectError(await s.req('PUT', `/api/v1/tenants/${A.id}`, { body: { properties: { 'pangolin.quota.tables': 'lots' } }, headers: root }), 400, { message: /whole number/ });
    // The events' count is the setting's for every tenant (their bytes are the tenant's own).
    expectError(await s.req('PUT', `/api/v1/tenants/${A.id}`, { body: { properties: { 'pangolin.quota.events': '10' } }, headers: root }), 400, { message: /max_per_tenant/ });
    expectError(await s.req('POST', '/api/v1/tenants', { body: { name: uniq('bad'), properties: { 'pangolin.quota.max_bytes': '-1' } }, headers: root }), 400);
    await ok(s, 'PUT', `/api/v1/tenants/${A.id}`, { properties: { 'pangolin.quota.tables': '3', 'pangolin.quota.webhooks': '1' } });
    expectJson(await createTable(s, A, 't2'), 200);
    expectJson(await createTable(s, A, 't3'), 200);
    expectQuota(await createTable(s, A, 't4'), 'tables', 'rows', { iceberg: true });
    // Another tenant keeps the setting.
    expectJson(await createTable(s, B, 't1'), 200);
    expectQuota(await createTable(s, B, 't2'), 'tables', 'rows', { iceberg: true });
    // The count limits that had a setting before take the tenant's own.
    const hook = () => ({ url: 'https://example.com/hook', name: uniq('h') });
    await ok(s, 'POST', '/api/v1/webhooks', hook(), A.admin);
    const w = await s.req('POST', '/api/v1/webhooks', { body: hook(), headers: A.admin });
    expectError(w, 429);
    assert.equal(w.json.limit, 1);
    assert.match(w.json.error, /pangolin\.quota\.webhooks/);
  });

  test('GET /api/v1/tenants/{id}/usage: root and the tenant\'s admin; another tenant\'s admin sees 404, a tenant user 403', async () => {
    const u = await usage(s, A, root);
    assert.equal(u.tenant, A.id);
    assert.equal(u.kinds.tables.limit, 3);
    assert.equal(u.total.limit, 2048 * 1024 * KIB);
    assert.ok(u.total.counted >= u.total.bytes);
    expectError(await s.req('GET', `/api/v1/tenants/${A.id}/usage`, { headers: B.admin }), 404);
    const name = uniq('user');
    await ok(s, 'POST', '/api/v1/users', { username: name, password: PW, tenant_id: A.id, role: 'tenant-user' }, A.admin);
    const token = (await ok(s, 'POST', '/api/v1/users/login', { username: name, password: PW, 'tenant-id': A.id })).token;
    expectError(await s.req('GET', `/api/v1/tenants/${A.id}/usage`, { headers: { authorization: `Bearer ${token}` } }), 403);
  });

  test('/metrics: what each tenant holds by kind, its quota, and the refusals (root\'s scrape)', async () => {
    const text = (await s.req('GET', '/metrics', { headers: root })).text;
    assert.match(text, new RegExp(`^pangolin_tenant_store_rows\\{tenant="${A.id}",kind="tables"\\} 3$`, 'm'));
    assert.match(text, new RegExp(`^pangolin_tenant_store_bytes\\{tenant="${A.id}",kind="tables"\\} \\d+$`, 'm'));
    assert.match(text, new RegExp(`^pangolin_tenant_quota_bytes\\{tenant="${A.id}"\\} ${2048 * 1024 * KIB}$`, 'm'));
    const m = /^pangolin_quota_refused_total (\d+)$/m.exec(text);
    assert.ok(m && Number(m[1]) >= 3, 'the refusals are counted');
  });
});

describe('business metadata and drops kept', () => {
  let s, A;
  before(async () => {
    s = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_QUOTA_METADATA_BYTES: '6000' } });
    A = await tenant(s, 'meta');
  });
  after(async () => { await s?.stop(); });

  test('business metadata has a quota in bytes: past it 429', async () => {
    let refused = null;
    for (let i = 0; i < 8 && !refused; i++) {
      const id = expectJson(await register(s, A, `m${i}`, {}), 201).id;
      const r = await s.req('POST', `/api/v1/assets/${id}/metadata`, { body: { description: 'd'.repeat(1500), tags: [], properties: {}, discoverable: false }, headers: A.admin });
      if (r.status === 429) refused = r;
      else expectJson(r, 200);
    }
    assert.ok(refused, 'business metadata was never refused');
    expectQuota(refused, 'metadata', 'bytes');
    assert.equal(refused.json.limit, 6000);
    assert.ok(refused.json.used <= 6000, refused.text);
  });

  test('drops kept past the tenant\'s quota become final, oldest first; a drop is never refused', async () => {
    await ok(s, 'PUT', `/api/v1/tenants/${A.id}`, { properties: { 'pangolin.quota.dropped': '1' } });
    for (const n of ['d1', 'd2', 'd3']) {
      expectJson(await createTable(s, A, n), 200);
      assert.equal((await s.req('DELETE', `/v1/${A.cat}/namespaces/ns/tables/${n}`, { headers: A.admin })).status, 204);
    }
    const u = await usage(s, A);
    assert.equal(u.kinds.dropped.count, 1, JSON.stringify(u.kinds.dropped));
    const kept = expectJson(await s.req('GET', `/api/v1/catalogs/${A.cat}/dropped`, { headers: A.admin }), 200);
    assert.deepEqual(kept.map((d) => d.name), ['d3']);
  });
});

/** Wait for fn() to be truthy (a generous deadline only ends a hung test). */
async function until(what, fn, ms = 90000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('logs past a tenant\'s quota', () => {
  const skip = STORE === 'memory' && 'the memory store runs no task runner: nothing is swept';
  let s, A;
  before(async () => {
    if (skip) return;
    s = await startServer({
      root: true, noAuth: false,
      env: { PANGOLIN_AUTH_RATE_LIMIT: '0', TASK_WORKER_POLL_INTERVAL_MS: '100', PANGOLIN_QUOTA_AUDIT: '20', PANGOLIN_QUOTA_EVENTS_BYTES: '8000' },
    });
    A = await tenant(s, 'logs');
  });
  after(async () => { await s?.stop(); });

  test('lose their oldest (task runner 0), never refusing a change: audit records past their count, events past their bytes', { skip }, async () => {
    for (let i = 0; i < 30; i++) expectJson(await s.req('POST', `/v1/${A.cat}/namespaces`, { body: { namespace: [`n${i}`], properties: { note: 'x'.repeat(200) } }, headers: A.admin }), 200);
    const held = await usage(s, A);
    assert.ok(held.kinds.audit.count > 20 || held.kinds.events.bytes > 8000, JSON.stringify(held.kinds));
    await until('the logs within their quota', async () => {
      const u = await usage(s, A);
      return u.kinds.audit.count <= 20 && u.kinds.audit.count > 0 && u.kinds.events.bytes <= 8000 && u.kinds.events.count > 0;
    });
    // The newest are kept.
    const audit = expectJson(await s.req('GET', '/api/v1/audit?limit=1', { headers: A.admin }), 200);
    assert.ok(JSON.stringify(audit).length > 2);
  });
});

describe('stored scan plans', () => {
  let s, A, B, ta, tb;
  const plan = (t, h) => s.req('POST', `${t.path}/plan`, { body: {}, headers: h, timeout: 180000 });
  async function withTable(t, name, manifests, files) {
    const dir = path.join(s.tenantDir(t.id), 'wh', t.cat, 'ns', name);
    const big = writeBigTable(dir, manifests, files);
    await ok(s, 'POST', `/v1/${t.cat}/namespaces/ns/register`, { name, 'metadata-location': `file://${big.metadata}` }, t.admin);
    return { path: `/v1/${t.cat}/namespaces/ns/tables/${name}` };
  }
  before(async () => {
    s = await startServer({
      root: true, noAuth: false,
      env: {
        PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_SCAN_TASKS_PER_PART: '1',
        PANGOLIN_SCAN_MAX_BYTES_PER_TENANT: '200000', PANGOLIN_SCAN_MAX_BYTES_TOTAL: '40000',
      },
    });
    A = await tenant(s, 'plans');
    B = await tenant(s, 'plans-b');
    ta = await withTable(A, 't', 2, 20);
    tb = await withTable(B, 't', 2, 20);
  });
  after(async () => { await s?.stop(); });

  test('every tenant\'s together have a ceiling beside each tenant\'s: past it 429 naming it, for every tenant; a cancel frees room', async () => {
    let refused, ids = [];
    for (let i = 0; i < 30 && !refused; i++) {
      const r = await plan(ta, A.admin);
      if (r.status === 429) refused = r;
      else { assert.equal(r.json.status, 'completed', r.text); ids.push(r.json['plan-id']); }
    }
    assert.ok(refused, 'A\'s plans were never refused');
    assert.ok(ids.length >= 1, 'no plan fit');
    assert.match(refused.json.error.message, /PANGOLIN_SCAN_MAX_BYTES_TOTAL/);
    assert.equal(refused.json.limit_all_tenants_bytes, 40000);
    assert.ok(refused.json.all_tenants_bytes <= 40000, refused.text);
    // Under its own quota (200,000 bytes), B is refused too: the disk is
    // every tenant's.
    const b = await plan(tb, B.admin);
    assert.equal(b.status, 429, b.text);
    assert.match(b.json.error.message, /PANGOLIN_SCAN_MAX_BYTES_TOTAL/);
    for (const id of ids) assert.equal((await s.req('DELETE', `${ta.path}/plan/${id}`, { headers: A.admin })).status, 204);
    const again = await plan(tb, B.admin);
    assert.equal(again.status, 200, again.text);
  });
});

describe('SQLite gives the space of expired plans back', () => {
  const skip = STORE !== 'sqlite' && 'SQLite\'s file: the other stores return space by themselves (PostgreSQL autovacuum, MongoDB)';
  let s, A, t;
  before(async () => {
    if (skip) return;
    s = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_SCAN_UNFETCHED_TTL_SECS: '1' } });
    A = await tenant(s, 'space');
    const dir = path.join(s.tenantDir(A.id), 'wh', A.cat, 'ns', 'big');
    const big = writeBigTable(dir, 2, 2000);
    await ok(s, 'POST', `/v1/${A.cat}/namespaces/ns/register`, { name: 'big', 'metadata-location': `file://${big.metadata}` }, A.admin);
    t = `/v1/${A.cat}/namespaces/ns/tables/big`;
  });
  after(async () => { await s?.stop(); });

  // The header of a database file (sqlite.org/fileformat.html): 4 bytes
  // at 52, the largest root page, are non-zero in auto_vacuum mode; at 64,
  // non-zero in INCREMENTAL.
  test('a new database is INCREMENTAL from its first table: no process rewrites it (VACUUM) at its first open', { skip }, async () => {
    const s2 = await startServer({ freshDb: true });
    await s2.stop({ keep: true });
    assert.doesNotMatch(s2.log(), /rewriting it once \(VACUUM\)/);
    const head = Buffer.alloc(100);
    const fd = fs.openSync(s2.dbPath, 'r');
    fs.readSync(fd, head, 0, 100, 0);
    fs.closeSync(fd);
    fs.rmSync(s2.dir, { recursive: true, force: true });
    assert.notEqual(head.readUInt32BE(52), 0, 'auto_vacuum is on');
    assert.notEqual(head.readUInt32BE(64), 0, 'auto_vacuum is INCREMENTAL');
  });

  test('plans nobody fetched grow the file; once expired and purged the file shrinks back', { skip }, async () => {
    const size = () => fs.statSync(s.dbPath).size;
    const before0 = size();
    for (let i = 0; i < 8; i++) {
      const r = await s.req('POST', `${t}/plan`, { body: {}, headers: A.admin, timeout: 180000 });
      assert.equal(r.status, 200, r.text);
    }
    const stored = (await usage(s, A)).kinds.plans.bytes;
    assert.ok(stored > 8 * 1024 * 1024, `the plans hold ${stored} bytes`);
    // The file took them (the WAL's checkpoints moved most of them in).
    await until('the plans in the file', () => size() > before0 + 4 * 1024 * 1024);
    // Purged first, then the file's size: the task runner's sweep (every
    // 30 s) deletes what has expired by then, and a slow machine writes
    // plans for longer than their 1 s life, so one sweep may leave some
    // for the next; the file shrank after the first while 5 plans were
    // still held.
    await until('the expired plans purged', async () => (await usage(s, A)).kinds.plans.count === 0);
    await until('the file back near its size', () => size() < before0 + 2 * 1024 * 1024);
  });
});
