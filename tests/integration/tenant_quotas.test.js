// Per-tenant quotas of what a tenant makes the store hold (issue 67):
// every kind has a quota in rows and in bytes, and all kinds together
// one in bytes ([quota] max_bytes, 2 GiB out of the box), counted by
// the store's own usage ledger (store ABI 1.26) in the transaction of
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
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { STORE, basic, startServer } from './lib/server.js';
import { expectError, expectJson, uniq } from './lib/expect.js';

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
