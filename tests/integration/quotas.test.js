// Per-tenant quotas (issue 23, part 3).  Tasks: queued plus running tasks
// per tenant are capped (PANGOLIN_MAX_TASKS_PER_TENANT); past it a new
// task is 429 with Retry-After, the limit and the tenant's count, and
// other tenants are not affected.  Properties: any stored map of strings
// (PANGOLIN_MAX_PROPERTIES_BYTES of keys plus values,
// PANGOLIN_MAX_PROPERTIES_ENTRIES entries), as stored after an update
// merges into it: past either 422 (400 on /v1) naming the limit, exactly
// at it accepted.  Bodies: management and metrics routes have their own
// ceilings below the server-wide one (PANGOLIN_MAX_MANAGEMENT_BODY_BYTES,
// PANGOLIN_MAX_METRICS_BODY_BYTES): 413 naming it; Iceberg commits keep
// the server-wide ceiling.
// Task tests: the runners are off so queued tasks stay queued and the
// count is exact.  Not on the memory store: there the worker runs each
// task before it answers (api/maintenance/route.c run_inline), so no task is
// ever left queued.
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { STORE, basic, startServer } from './lib/server.js';
import { expectError, expectJson, uniq } from './lib/expect.js';
import { CATALOG, nsPath, simpleSchema, startIcebergServer } from './lib/iceberg.js';

const skip = STORE === 'memory' && 'the memory store runs every task inline: none stays queued';
const LIMIT = 3;
const PW = 'Str0ng-Passw0rd-for-tests';
const root = { authorization: basic() };
let srv, A, B;

const ok = async (method, p, body, headers = root) => {
  const r = await srv.req(method, p, { body, headers });
  assert.ok([200, 201, 202, 204].includes(r.status), `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
};

async function tenant() {
  const id = (await ok('POST', '/api/v1/tenants', { name: uniq('qt') })).id;
  const name = uniq('admin');
  await ok('POST', '/api/v1/users', { username: name, password: PW, tenant_id: id, role: 'tenant-admin' });
  const admin = { authorization: `Bearer ${(await ok('POST', '/api/v1/users/login', { username: name, password: PW, 'tenant-id': id })).token}` };
  const wh = uniq('wh');
  await ok('POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 'local', root: path.join(srv.tenantDir(id), 'wh') } }, admin);
  const cat = uniq('cat');
  await ok('POST', '/api/v1/catalogs', { name: cat, warehouse_name: wh }, admin);
  await ok('POST', `/v1/${cat}/namespaces`, { namespace: ['ns'] }, admin);
  const table = async (t) => {
    const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', required: false, type: 'long' }] };
    await ok('POST', `/v1/${cat}/namespaces/ns/tables`, { name: t, schema }, admin);
    return `/v1/${cat}/namespaces/ns/tables/${t}`;
  };
  return { id, admin, cat, table, t: await table('t') };
}

before(async () => {
  if (skip) return;
  srv = await startServer({
    root: true, noAuth: false,
    env: { PANGOLIN_AUTH_RATE_LIMIT: '0', TASK_WORKER_ENABLED: 'false', PANGOLIN_MAX_TASKS_PER_TENANT: String(LIMIT) },
  });
  A = await tenant();
  B = await tenant();
});
after(async () => { await srv?.stop(); });

// Properties: a server of its own, with small ceilings.
const MAX_BYTES = 1024;
const MAX_ENTRIES = 10;
const MAX_BODY = 2048;
let ice;
before(async () => {
  ice = await startIcebergServer({
    env: {
      PANGOLIN_MAX_PROPERTIES_BYTES: String(MAX_BYTES), PANGOLIN_MAX_PROPERTIES_ENTRIES: String(MAX_ENTRIES),
      PANGOLIN_MAX_MANAGEMENT_BODY_BYTES: String(MAX_BODY), PANGOLIN_MAX_METRICS_BODY_BYTES: String(MAX_BODY),
    },
  });
});
after(async () => { await ice?.stop(); });

/** n entries k0..k(n-1) with values of one character. */
const entries = (n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
/** One entry of exactly `bytes` bytes of key plus value. */
const sized = (bytes) => ({ big: 'x'.repeat(bytes - 3) });
const BYTES_RE = new RegExp(`limit of ${MAX_BYTES} \\(PANGOLIN_MAX_PROPERTIES_BYTES\\)`);
const ENTRIES_RE = new RegExp(`limit of ${MAX_ENTRIES} \\(PANGOLIN_MAX_PROPERTIES_ENTRIES\\)`);

const maintain = (who) => srv.req('POST', `${who.t}/maintenance`, { body: { operations: ['expire_snapshots'] }, headers: who.admin });

/** A counter of /metrics (summed over the workers). */
async function metric(s, name) {
  const text = (await s.req('GET', '/metrics')).text;
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  assert.ok(m, `${name} is not in /metrics`);
  return Number(m[1]);
}

/** Log lines naming a limit reached: at least one, at most one per worker. */
function loggedOnce(s, key, workers = 2) {
  const n = s.log().split('\n').filter((l) => l.includes(`limit reached: ${key}`)).length;
  assert.ok(n >= 1 && n <= workers, `${n} log lines for ${key}`);
}

test('a tenant past its task quota gets 429 with Retry-After, the limit and its count; another tenant is still served; after its tasks end it may queue again', { skip }, async () => {
  const refused0 = await metric(srv, 'pangolin_task_quota_refused_total');
  const ids = [];
  for (let i = 0; i < LIMIT; i++) ids.push(expectJson(await maintain(A), 202).task_id);

  const r = await maintain(A);
  expectError(r, 429, { iceberg: true });
  assert.equal(r.json.limit, LIMIT);
  assert.equal(r.json.queued_or_running, LIMIT);
  assert.match(r.json.error.message, /limit is 3/);
  assert.ok(Number(r.headers['retry-after']) >= 1, `Retry-After: ${r.headers['retry-after']}`);
  const listed = expectJson(await srv.req('GET', '/api/v1/tasks', { headers: A.admin }), 200);
  assert.equal(listed.length, LIMIT, 'the refused task was not queued');

  // Another tenant's first task is accepted while A is full.
  const b = expectJson(await maintain(B), 202).task_id;

  // A purge past the quota is refused before the drop: the table stays.
  const doomed = await A.table(uniq('d'));
  expectError(await srv.req('DELETE', `${doomed}?purgeRequested=true`, { headers: A.admin }), 429, { iceberg: true });
  expectJson(await srv.req('GET', doomed, { headers: A.admin }), 200);
  // Both refusals counted, whichever worker answered; named in the log
  // at most once per worker.
  assert.equal(await metric(srv, 'pangolin_task_quota_refused_total'), refused0 + 2);
  loggedOnce(srv, `[tasks] max_per_tenant ${LIMIT} tasks (PANGOLIN_MAX_TASKS_PER_TENANT)`);

  // Once A's tasks have ended (cancelled here: the runners are off), A
  // may queue again.
  for (const id of ids) await ok('POST', `/api/v1/tasks/${id}/cancel`, undefined, A.admin);
  expectJson(await maintain(A), 202);
  const drop = await srv.req('DELETE', `${doomed}?purgeRequested=true`, { headers: A.admin });
  assert.equal(drop.status, 204, drop.text);
  assert.ok(drop.headers['pangolin-task-id'], 'the purge was queued');
  await ok('POST', `/api/v1/tasks/${b}/cancel`, undefined, B.admin);
});

test('catalog properties: exactly at either limit is accepted; one byte or one entry past it is 422 naming the limit, on create and on a merging update', async () => {
  const mk = (properties) => ice.req('POST', '/api/v1/catalogs', { body: { name: uniq('cat'), warehouse_name: 'wh', properties } });
  expectJson(await mk(sized(MAX_BYTES)), 201);
  expectJson(await mk(entries(MAX_ENTRIES)), 201);
  expectError(await mk(sized(MAX_BYTES + 1)), 422, { message: BYTES_RE });
  expectError(await mk(entries(MAX_ENTRIES + 1)), 422, { message: ENTRIES_RE });

  // An update merges into the stored map: the merged map is what counts.
  const name = uniq('cat');
  expectJson(await ice.req('POST', '/api/v1/catalogs', { body: { name, warehouse_name: 'wh', properties: entries(MAX_ENTRIES) } }), 201);
  expectError(await ice.req('PUT', `/api/v1/catalogs/${name}`, { body: { properties: { extra: 'v' } } }), 422, { message: ENTRIES_RE });
  expectJson(await ice.req('PUT', `/api/v1/catalogs/${name}`, { body: { properties: { k0: 'w' } } }), 200);
  assert.deepEqual(expectJson(await ice.req('GET', `/api/v1/catalogs/${name}`), 200).properties, { ...entries(MAX_ENTRIES), k0: 'w' });
});

test('warehouse storage_config past the entry limit is 422 naming it', async () => {
  const cfg = { type: 'local', root: `${ice.tenantDir()}/${uniq('w')}`, ...entries(MAX_ENTRIES - 1) };
  expectError(await ice.req('POST', '/api/v1/warehouses', { body: { name: uniq('wh'), storage_config: cfg } }), 422, { message: ENTRIES_RE });
});

test('namespace properties past a limit are 400 naming it, on create and when an update would grow the stored map past it', async () => {
  const P = `/v1/${CATALOG}`;
  expectError(await ice.req('POST', `${P}/namespaces`, { body: { namespace: [uniq('ns')], properties: entries(MAX_ENTRIES + 1) } }), 400, { iceberg: true, message: ENTRIES_RE });
  const ns = uniq('ns');
  expectJson(await ice.req('POST', `${P}/namespaces`, { body: { namespace: [ns], properties: sized(MAX_BYTES) } }), 200);
  const upd = (body) => ice.req('POST', `${P}/namespaces/${nsPath([ns])}/properties`, { body });
  expectError(await upd({ updates: { a: 'b' } }), 400, { iceberg: true, message: BYTES_RE });
  // Removing the big one makes room.
  expectJson(await upd({ removals: ['big'], updates: { a: 'b' } }), 200);
});

test('table set-properties that would grow the stored map past a limit is 400 naming it; the table is unchanged', async () => {
  const P = `/v1/${CATALOG}`;
  const ns = uniq('ns');
  expectJson(await ice.req('POST', `${P}/namespaces`, { body: { namespace: [ns] } }), 200);
  const t = expectJson(await ice.req('POST', `${P}/namespaces/${nsPath([ns])}/tables`, { body: { name: 't', schema: simpleSchema() } }), 200);
  const have = t.metadata.properties ?? {};
  const used = Object.entries(have).reduce((n, [k, v]) => n + k.length + v.length, 0);
  const tp = `${P}/namespaces/${nsPath([ns])}/tables/t`;
  const commit = (updates) => ice.req('POST', tp, { body: { requirements: [], updates: [{ action: 'set-properties', updates }] } });
  expectError(await commit(sized(MAX_BYTES - used + 1)), 400, { iceberg: true, message: BYTES_RE });
  assert.deepEqual(expectJson(await ice.req('GET', tp), 200).metadata.properties ?? {}, have);
  const ok = expectJson(await commit(sized(MAX_BYTES - used)), 200);
  assert.equal(ok.metadata.properties.big.length, MAX_BYTES - used - 3);
});

/** obj as JSON text padded with trailing spaces to exactly n bytes. */
const padded = (obj, n) => { const t = JSON.stringify(obj); return t + ' '.repeat(n - t.length); };
const JSON_CT = { 'content-type': 'application/json' };

test('a management body past its family ceiling is 413 naming it, exactly at it is served; an Iceberg commit of that size is not refused', async () => {
  const too0 = await metric(ice, 'pangolin_body_too_large_total');
  const cat = { name: uniq('cat'), warehouse_name: 'wh' };
  expectError(await ice.req('POST', '/api/v1/catalogs', { body: padded(cat, MAX_BODY + 1), raw: true, headers: JSON_CT }), 413,
    { message: /2048 bytes \(PANGOLIN_MAX_MANAGEMENT_BODY_BYTES\)/ });
  expectJson(await ice.req('POST', '/api/v1/catalogs', { body: padded(cat, MAX_BODY), raw: true, headers: JSON_CT }), 201);

  const P = `/v1/${CATALOG}`;
  const ns = uniq('ns');
  expectJson(await ice.req('POST', `${P}/namespaces`, { body: { namespace: [ns] } }), 200);
  expectJson(await ice.req('POST', `${P}/namespaces/${nsPath([ns])}/tables`, { body: { name: 't', schema: simpleSchema() } }), 200);
  const tp = `${P}/namespaces/${nsPath([ns])}/tables/t`;
  const removals = Array.from({ length: 300 }, (_, i) => `gone-${i}`);
  const body = { requirements: [], updates: [{ action: 'remove-properties', removals }] };
  assert.ok(JSON.stringify(body).length > MAX_BODY);
  expectJson(await ice.req('POST', tp, { body }), 200);

  // Metrics reports: their own ceiling, in the Iceberg envelope.
  const report = padded({ 'report-type': 'commit-report' }, MAX_BODY + 1);
  const r = await ice.rawReq('POST', `${tp}/metrics`, { body: report, raw: true, headers: JSON_CT });
  const e = expectError(r, 413, { iceberg: true, message: /2048 bytes \(PANGOLIN_MAX_METRICS_BODY_BYTES\)/ });
  assert.equal(e.error.type, 'RequestTooLargeException');

  // Past the server-wide ceiling Kore refuses by Content-Length, before
  // any body byte: counted too.
  const kore = await new Promise((resolve, reject) => {
    const c = net.connect({ host: '127.0.0.1', port: ice.port });
    let d = '';
    c.setEncoding('latin1');
    c.on('data', (x) => { d += x; if (/\r\n\r\n[\s\S]*\}/.test(d)) { c.destroy(); resolve(d); } });
    c.on('error', reject);
    c.on('close', () => resolve(d));
    c.write(`POST ${tp} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${64 * 1024 * 1024}\r\n\r\n`);
  });
  assert.match(kore, /^HTTP\/1\.1 413/);
  assert.equal(await metric(ice, 'pangolin_body_too_large_total'), too0 + 3, 'management, metrics report, Kore');
  loggedOnce(ice, '[server] max_management_body_bytes 2048 bytes (PANGOLIN_MAX_MANAGEMENT_BODY_BYTES)');
  loggedOnce(ice, '[server] max_metrics_body_bytes 2048 bytes');
  loggedOnce(ice, '[server] max_body_bytes 16777216 bytes');
});
