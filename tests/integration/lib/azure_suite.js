// What the Azure suites share (azure.test.js, azure_tenants.test.js): one
// Azurite, the Blob emulator (lib/azurite.js), two proxies in front of it
// and a catalog with its origins allow-listed, per file (azureSuite());
// Azure warehouses and catalogs on it, tables appended as a client writes
// them, maintenance and purge run to the end, and the vended SAS checked
// against the contract.  Every answer of the catalog is kept (answers) for
// each file's check that the account key never leaves.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before } from 'node:test';
import { ACCOUNT, KEY, startAzurite, startProxy } from './azurite.js';
import { expectJson, uniq } from './expect.js';
import { startIcebergServer } from './iceberg.js';
import { manifestEntrySchema, manifestListSchema, writeAvro } from './iceberg_data.js';
import { basic, NIL_UUID } from './server.js';
import { waitTask } from './tasks.js';

export const PW = 'Str0ng-Passw0rd-for-tests';
export const VEND = { 'x-iceberg-access-delegation': 'vended-credentials' };
export const HOST = `${ACCOUNT}.dfs.core.windows.net`;
export const WRONG_KEY = crypto.randomBytes(64).toString('base64');
export const SEAL = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';	// PANGOLIN_ENCRYPTION_KEY
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const root = { authorization: basic() };

export const schema = {
  type: 'struct', 'schema-id': 0,
  fields: [{ id: 1, name: 'id', required: true, type: 'long' }, { id: 2, name: 'name', required: false, type: 'string' }],
};
export const spec = { 'spec-id': 0, fields: [{ name: 'name', transform: 'identity', 'source-id': 2, 'field-id': 1000 }] };

// Containers the operator lets vend a container-wide SAS ([storage]
// azure_container_sas, PANGOLIN_AZURE_CONTAINER_SAS): named before the
// server starts, each made when a test takes it (sasContainer), and each
// holding one warehouse, as the rule wants.
export const SAS_CONTAINERS = Array.from({ length: 16 }, (_, i) => `sas${i}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
export const OPERATOR_SAS = SAS_CONTAINERS.map((c) => `${ACCOUNT}/${c}`).join(',');
let sasTaken = 0;
export async function sasContainer() {
  const c = SAS_CONTAINERS[sasTaken++];
  assert.ok(c, 'SAS_CONTAINERS holds a container for every test that takes one');
  await az.createContainer(c);
  return c;
}

export let az, lossy, stall, srv, admin;
export const TIMEOUT_MS = 3000;	// PANGOLIN_S3_TIMEOUT_MS: the storage call timeout, Azure's too
/** Every answer of the catalog in the file, for its check that the account key never leaves. */
export const answers = [];

/**
 * The file's Azurite (and two proxies in front of it) and its catalog,
 * started before its tests and stopped after: call it once, at the top of
 * a test file.
 */
export function azureSuite() {
  before(async () => {
    // Azurite first: the catalog starts with its origin allow-listed.  One
    // worker: the SAS cache is per worker, so two loads meet the same cache.
    az = await startAzurite();
    lossy = await startProxy(az);
    stall = await startProxy(az);
    srv = await startIcebergServer({ root: true, noAuth: false, workers: 1, allowEndpoints: [az.origin, lossy.origin, stall.origin],
      // A plan of more than 3 manifests is made by a task runner (its own
      // reads of the container), a smaller one in the request.
      env: { PANGOLIN_AUTH_RATE_LIMIT: '0', TASK_WORKER_POLL_INTERVAL_MS: '50', PANGOLIN_SCAN_SYNC_WAIT_MS: '20000',
        PANGOLIN_SCAN_SYNC_MAX_MANIFESTS: '3', PANGOLIN_ENCRYPTION_KEY: SEAL, PANGOLIN_S3_TIMEOUT_MS: String(TIMEOUT_MS),
        PANGOLIN_AZURE_CONTAINER_SAS: OPERATOR_SAS } });
    admin = (await user('az-admin', 'tenant-admin')).headers;
  });
  after(async () => {
    await srv?.stop();
    stall?.pass();
    await lossy?.close();
    await stall?.close();
    await az?.destroy();
  });
}

// --- helpers ------------------------------------------------------------------

/** A request as `headers` (the default tenant's admin unless given); the answer is kept. */
export async function call(method, p, { body, headers = admin, timeout } = {}) {
  const r = await srv.req(method, p, { body, headers, timeout });
  answers.push(`${method} ${p} -> ${r.status} ${JSON.stringify(r.headers)} ${r.text}`);
  return r;
}
export async function ok(method, p, body, headers = admin) {
  const r = await call(method, p, { body, headers });
  assert.ok([200, 201, 202, 204].includes(r.status), `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
}
/** A user of tenant with a role: { id, headers, token }. */
export async function user(tag, role, tenant = NIL_UUID) {
  const username = uniq(tag);
  const u = await ok('POST', '/api/v1/users', { username, password: PW, tenant_id: tenant, role }, root);
  const { token } = await ok('POST', '/api/v1/users/login', { username, password: PW, 'tenant-id': tenant }, {});
  return { id: u.id, token, headers: { authorization: `Bearer ${token}` } };
}

export const abfss = (container, p = '') => `abfss://${container}@${HOST}${p ? `/${p}` : ''}`;
export const wasbs = (container, p = '') => `wasbs://${container}@${ACCOUNT}.blob.core.windows.net${p ? `/${p}` : ''}`;
/** A container of its own (names: 3-63 lowercase letters, digits, hyphens). */
export async function container(tag = 'az') {
  const c = uniq(tag).toLowerCase();
  await az.createContainer(c);
  return c;
}
/** The storage_config of an Azure warehouse on Azurite; extra keys added or overriding. */
export const azureConfig = (c, extra = {}) => ({ type: 'azure', account_name: ACCOUNT, container: c, prefix: 'lake',
  endpoint: az.endpoint, account_key: KEY, ...extra });

/**
 * An Azure warehouse (its own container unless given; containerSas: one
 * the operator lists for a container-wide SAS), a catalog on it and
 * namespace db.  Returns { wh, cat, catId, container, prefix, T (the tables
 * path), path(t) (a table's directory in the container), loc(t) (its
 * location) }.
 */
export async function azCatalog(extra = {}, { headers = admin, c, containerSas = false } = {}) {
  c ??= containerSas ? await sasContainer() : await container();
  const wh = uniq('azwh');
  const cfg = azureConfig(c, extra);
  const w = expectJson(await call('POST', '/api/v1/warehouses', { body: { name: wh, storage_config: cfg }, headers }), 201);
  assert.equal(w.storage_config.type, 'azure');
  const cat = uniq('azcat');
  const cr = expectJson(await call('POST', '/api/v1/catalogs', { body: { name: cat, warehouse_name: wh }, headers }), 201);
  const prefix = cfg.prefix ? `${cfg.prefix}/` : '';
  c = cfg.container;
  assert.equal(cr.storage_location, abfss(c, `${prefix}${cat}`));
  await ok('POST', `/v1/${cat}/namespaces`, { namespace: ['db'] }, headers);
  const path = (t) => `${prefix}${cat}/db/${t}`;
  return { wh, cat, catId: cr.id, container: c, prefix, T: `/v1/${cat}/namespaces/db/tables`, path, loc: (t) => abfss(c, path(t)) };
}

/** createTable (partitioned by name); the answer. */
export async function createTable(z, name, headers = admin) {
  const r = expectJson(await call('POST', z.T, { body: { name, schema, 'partition-spec': spec }, headers }), 200);
  assert.equal(r.metadata.location, z.loc(name));
  assert.match(r['metadata-location'], new RegExp(`^${reEscape(z.loc(name))}/metadata/00000-[^/]+\\.metadata\\.json$`));
  return r;
}
export const reEscape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
export const blobs = (z, name) => az.list(z.container, `${z.path(name)}/`);
export const metadataJsons = async (z, name) => (await az.list(z.container, `${z.path(name)}/metadata/`)).filter((b) => b.endsWith('.metadata.json'));

/**
 * One appended snapshot of table `name` as a client writes it: a data file
 * (name=n<k>), a manifest of it, a manifest list of every manifest so far,
 * all put into Azurite with the account key, then add-snapshot and
 * set-snapshot-ref main asserting the parent.  state: { snaps: [], refs: [] }
 * (kept by the caller).  Returns { id, list, manifest, data, commit } where
 * commit() sends the commit (the caller may send it concurrently).
 */
export async function prepareAppend(z, name, state, k, { parent = state.snaps.at(-1)?.id ?? null } = {}) {
  const loc = z.loc(name);
  const id = 1000 + k;
  const seq = (state.seq ?? 0) + 1;
  const data = `${loc}/data/name=n${k}/f${k}.parquet`;
  await az.putAt(data, 'PAR1 not really parquet PAR1');
  const entry = { status: 1, snapshot_id: id, sequence_number: seq, file_sequence_number: seq, data_file: {
    content: 0, file_path: data, file_format: 'PARQUET', partition: { name: `n${k}` }, record_count: 10,
    file_size_in_bytes: 29, equality_ids: null, sort_order_id: null } };
  const manifest = `${loc}/metadata/m${k}.avro`;
  const mbuf = await writeAvro('avsc', manifestEntrySchema(2, spec, schema), [entry], {
    schema: JSON.stringify(schema), 'schema-id': 0, 'partition-spec': JSON.stringify(spec.fields),
    'partition-spec-id': 0, 'format-version': 2, content: 'data' });
  await az.putAt(manifest, mbuf);
  const b = Buffer.from(`n${k}`);
  const ref = { manifest_path: manifest, manifest_length: mbuf.length, partition_spec_id: 0, content: 0,
    sequence_number: seq, min_sequence_number: seq, added_snapshot_id: id, added_files_count: 1,
    existing_files_count: 0, deleted_files_count: 0, added_rows_count: 10, existing_rows_count: 0,
    deleted_rows_count: 0, partitions: [{ contains_null: false, contains_nan: null, lower_bound: b, upper_bound: b }],
    key_metadata: null };
  const list = `${loc}/metadata/snap-${id}.avro`;
  const refs = [...state.refs, ref];
  await az.putAt(list, await writeAvro('avsc', manifestListSchema(2), refs,
    { 'snapshot-id': id, 'parent-snapshot-id': parent === null ? 'null' : parent, 'sequence-number': seq, 'format-version': 2 }));
  const body = { requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': parent }], updates: [
    { action: 'add-snapshot', snapshot: { 'snapshot-id': id, ...(parent === null ? {} : { 'parent-snapshot-id': parent }),
      'sequence-number': seq, 'timestamp-ms': Date.now(), 'manifest-list': list, summary: { operation: 'append' }, 'schema-id': 0 } },
    { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id }] };
  const done = () => { state.snaps.push({ id, list, manifest, data }); state.refs = refs; state.seq = seq; };
  return { id, list, manifest, data, body, commit: () => call('POST', `${z.T}/${name}`, { body }), done };
}
/** prepareAppend then commit (200 expected). */
export async function append(z, name, state, k) {
  const a = await prepareAppend(z, name, state, k);
  const r = expectJson(await a.commit(), 200);
  a.done();
  return { ...a, committed: r };
}

/** Run table maintenance as a task; its result. */
export async function maintain(z, name, body) {
  const r = await call('POST', `${z.T}/${name}/maintenance`, { body });
  const t = await waitTask((m, q, o) => srv.rawReq(m, q, { ...o, headers: admin }), expectJson(r, 202).task_id, { timeout: 30000 });
  assert.equal(t.status, 'succeeded', JSON.stringify(t));
  return t.result;
}
/** Drop with purge: 204 at once; the purge task has run when this returns. */
export async function purge(z, name, headers = admin) {
  const r = await call('DELETE', `${z.T}/${name}?purgeRequested=true`, { headers });
  assert.equal(r.status, 204, `DELETE ${name}: ${r.status} ${r.text}`);
  const t = await waitTask((m, q, o) => srv.rawReq(m, q, { ...o, headers }), r.headers['pangolin-task-id'], { timeout: 30000 });
  assert.equal(t.status, 'succeeded', JSON.stringify(t));
}

/** The vended config of an answer: one storage credential, for the table's location, same as config. */
export function vended(body, location) {
  const sc = body['storage-credentials'];
  assert.ok(Array.isArray(sc) && sc.length === 1, `one storage credential: ${JSON.stringify(body).slice(0, 600)}`);
  assert.equal(sc[0].prefix, location, 'the credential\'s prefix is the table location');
  if (body.metadata) assert.deepEqual(body.config, sc[0].config, 'config carries the same keys');
  return sc[0].config;
}
/** The keys of the contract, checked; { token, q (its fields), expiresAt }. */
export function checkAdls(c, { lifetime = 3600, sr = 'c', sp } = {}) {
  const want = [`adls.sas-token.${HOST}`, `adls.sas-token-expires-at-ms.${HOST}`, 'adls.account-name', 'adls.sas-token',
    `adls.connection-string.${HOST}`, 'adls.account-host', 'adls.blob-storage-scheme', 'adls.dfs-storage-scheme',
    'adls.blob-storage-authority', 'adls.dfs-storage-authority'].sort();
  assert.deepEqual(Object.keys(c).sort(), want, JSON.stringify(c));
  const token = c[`adls.sas-token.${HOST}`];
  assert.equal(c['adls.sas-token'], token, 'PyIceberg\'s adls.sas-token is Iceberg Java\'s');
  assert.equal(c['adls.account-name'], ACCOUNT);
  assert.equal(c[`adls.connection-string.${HOST}`], az.endpoint);
  const authority = new URL(az.origin).host;
  assert.equal(c['adls.account-host'], `${authority}/${ACCOUNT}`);
  assert.equal(c['adls.blob-storage-scheme'], 'http');
  assert.equal(c['adls.dfs-storage-scheme'], 'http');
  assert.equal(c['adls.blob-storage-authority'], authority);
  assert.equal(c['adls.dfs-storage-authority'], authority);
  assert.ok(!token.startsWith('?'), 'the token is the query string without "?"');
  const q = new URLSearchParams(token);
  assert.equal(q.get('sr'), sr, `signed resource: ${token}`);
  if (sp) assert.equal(q.get('sp'), sp, `permissions: ${token}`);
  assert.deepEqual((q.get('spr') ?? '').split(',').sort(), ['http', 'https'], 'http allowed: the endpoint is http');
  assert.ok(q.get('sig') && q.get('sv') && q.get('se'), token);
  assert.match(c[`adls.sas-token-expires-at-ms.${HOST}`], /^\d+$/, 'ms since the epoch as decimal text');
  const expiresAt = Number(c[`adls.sas-token-expires-at-ms.${HOST}`]);
  assert.ok(Math.abs(expiresAt - Date.parse(q.get('se'))) < 1000, `expires-at-ms ${expiresAt} is the token's se ${q.get('se')}`);
  const left = expiresAt - Date.now();
  assert.ok(left > 0 && left <= lifetime * 1000 + 5000, `expires in ${left} ms (lifetime ${lifetime} s)`);
  assert.ok(!JSON.stringify(c).includes(KEY), 'the account key is not vended');
  return { token, q, expiresAt };
}
