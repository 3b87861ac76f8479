// Azure warehouses (issue 44) on Azurite, the Blob emulator (npm azurite,
// lib/azurite.js), which checks every Shared Key and SAS signature.  On an
// Azure warehouse, through the catalog: create, commit, load, register, drop
// with purge, expire-snapshots and orphan removal (the files really gone,
// listed through the Blob API with the test's own Shared Key signing), a
// merge and a scan plan; one metadata file per commit and nothing else left
// behind; concurrent commits decided by the catalog with no metadata file
// lost; a wrong account key and a missing container as a clear 5xx naming
// the storage error, nothing half-written; Azurite stopped before a commit
// and started again; the vended SAS used directly against Azurite (a
// reader's reads and cannot write, a writer's writes, a tampered or expired
// one is refused); the config keys PyIceberg and Iceberg Java read;
// iceberg-js against an Azure catalog.  Tenant B kept out of tenant A's
// prefix and the operator's credential settings: azure_tenants.test.js;
// what both share (Azurite, the catalog, the helpers): lib/azure_suite.js.
// Also: purge in Blob Batch requests (Azurite's own access log counts
// them), names that need escaping, a multi-table transaction, a missing
// manifest failing maintenance with nothing deleted, a metadata PUT whose
// answer is lost and an endpoint that accepts and never answers (a proxy,
// lib/azurite.js startProxy: the storage timeout, the worker free
// meanwhile), the key sealed at rest, /metrics and the credential cache.
//
// What the emulator cannot show (no hierarchical namespace): a directory
// SAS (sr=d) is vended by default and Azurite refuses it (403), so the
// reader/writer checks run on a warehouse in a container the operator
// lists for a container-wide SAS ([storage] azure_container_sas: a
// tenant's storage_config cannot ask for one since issue 67).
// A SAS really expiring needs sas_lifetime_secs (60 at least) of waiting:
// instead the vended token's expiry is checked against the lifetime, and
// the same token signed again with its se in the past is refused.
//
// Azure does not depend on the store: the sqlite pass runs this file
// (store-independent.txt).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { test } from 'node:test';
import { IcebergRestCatalog } from 'iceberg-js';
import { ACCOUNT, KEY, resignSas, sasSignature, splitAzure } from './lib/azurite.js';
import { expectError, expectJson, pool, uniq } from './lib/expect.js';
import { manifestEntrySchema, manifestListSchema, writeAvro } from './lib/iceberg_data.js';
import { validatingFetch } from './lib/openapi.js';
import { waitTask } from './lib/tasks.js';
import {
  HOST, TIMEOUT_MS, VEND, WRONG_KEY, abfss, admin, answers, append, az, azCatalog, azureConfig,
  azureSuite, blobs, call, checkAdls, container, createTable, lossy, maintain, metadataJsons, ok,
  prepareAppend, purge, reEscape, root, schema, sleep, spec, srv, stall, user, vended, wasbs,
} from './lib/azure_suite.js';

azureSuite();

// --- settings -------------------------------------------------------------------

test('an Azure warehouse: the account key is masked in every answer; bad settings are 400 naming the setting', async () => {
  const c = await container();
  const wh = uniq('azwh');
  const made = expectJson(await call('POST', '/api/v1/warehouses', { body: { name: wh, storage_config: azureConfig(c, { sas_lifetime_secs: '600' }) } }), 201);
  for (const w of [made, expectJson(await call('GET', `/api/v1/warehouses/${wh}`), 200)]) {
    assert.match(w.storage_config.account_key, /^\*+$/, `masked: ${JSON.stringify(w.storage_config)}`);
    assert.equal(w.storage_config.account_name, ACCOUNT);
    assert.equal(w.storage_config.container, c);
    assert.equal(w.storage_config.endpoint, az.endpoint);
    assert.ok(!JSON.stringify(w).includes(KEY));
  }
  const list = expectJson(await call('GET', '/api/v1/warehouses'), 200);
  assert.ok(!JSON.stringify(list).includes(KEY));
  // The edges of sas_lifetime_secs are accepted.
  for (const s of ['60', '86400']) {
    expectJson(await call('POST', '/api/v1/warehouses', { body: { name: uniq('azwh'), storage_config: azureConfig(c, { sas_lifetime_secs: s, prefix: uniq('edge') }) } }), 201);
  }
  const bad = [
    [{ type: 'azure', account_name: ACCOUNT, endpoint: az.endpoint, account_key: KEY }, /container/],
    [azureConfig('No_Such'), /container/],
    [azureConfig(c, { account_name: undefined }), /account_name/],
    [azureConfig(c, { endpoint: `http://127.0.0.1:1/${ACCOUNT}` }), /endpoint/],	// not allow-listed
    [azureConfig(c, { endpoint: `${az.origin}/otheraccount` }), /endpoint/],
    [azureConfig(c, { endpoint: `${az.origin}/${ACCOUNT}/extra` }), /endpoint/],
    [azureConfig(c, { endpoint: 'ftp://127.0.0.1:21/devstoreaccount1' }), /endpoint/],
    [azureConfig(c, { endpoint: 'not a url' }), /endpoint/],
    [azureConfig(c, { sas_lifetime_secs: '59' }), /sas_lifetime_secs/],
    [azureConfig(c, { sas_lifetime_secs: '86401' }), /sas_lifetime_secs/],
    [azureConfig(c, { sas_lifetime_secs: 'abc' }), /sas_lifetime_secs/],
    [azureConfig(c, { sas_lifetime_secs: '1.5' }), /sas_lifetime_secs/],
    [azureConfig(c, { sas_lifetime_secs: '' }), /sas_lifetime_secs/],
    [azureConfig(c, { prefix: 'a/../b' }), /prefix/],
    [azureConfig(c, { account_key: undefined }), /account_key|client_secret|tenant_id|authenticat/],
    [azureConfig(c, { account_key: 'not-base64!' }), /account_key/],
    [azureConfig(c, { account_key: KEY, tenant_id: 't', client_id: 'c', client_secret: 's' }), /one way/],
    [azureConfig(c, { account_key: undefined, tenant_id: 't', client_id: 'c' }), /client_secret/],
    [azureConfig(c, { account_name: 'Not_An_Account' }), /account_name/],
  ];
  for (const [cfg, why] of bad) {
    const r = await call('POST', '/api/v1/warehouses', { body: { name: uniq('bad'), storage_config: cfg } });
    assert.equal(r.status, 400, `${JSON.stringify(cfg)}: ${r.status} ${r.text}`);
    expectError(r, 400, { message: why });
  }
});

test('the account key is sealed at rest; the mask sent back keeps it, a wrong key put in its place breaks I/O and the right one mends it', async () => {
  const z = await azCatalog();
  // The stored row as the SQLite file holds it (the sqlite pass runs this
  // file; another store shows only what the API answers).
  const row = () => (srv.store === 'sqlite' ? JSON.parse(JSON.parse(execFileSync('sqlite3', ['-json', srv.dbPath,
    `SELECT storage_config FROM warehouses WHERE name = '${z.wh}'`], { encoding: 'utf8' }))[0].storage_config) : { account_key: 'enc:v1:?' });
  const sealed = row().account_key;
  assert.match(sealed, /^enc:v1:/, 'sealed in the stored row');
  assert.ok(!JSON.stringify(row()).includes(KEY));
  const shown = expectJson(await call('GET', `/api/v1/warehouses/${z.wh}`), 200).storage_config;
  // The mask round-trips: the stored key stays, and I/O works.
  expectJson(await call('PUT', `/api/v1/warehouses/${z.wh}`, { body: { storage_config: { ...shown, sas_lifetime_secs: '900' } } }), 200);
  assert.equal(row().account_key, sealed, 'the sealed value is kept byte for byte');
  await createTable(z, 'k1');
  // A wrong key: the next write is refused by Azure and named; the right one mends it.
  expectJson(await call('PUT', `/api/v1/warehouses/${z.wh}`, { body: { storage_config: { ...shown, account_key: WRONG_KEY } } }), 200);
  const bad = await call('POST', `${z.T}/k1`, { body: { requirements: [], updates: [{ action: 'set-properties', updates: { a: '1' } }] } });
  assert.ok(bad.status >= 500, `${bad.status} ${bad.text}`);
  assert.match(bad.json.error.message, /AuthenticationFailed|AuthorizationFailure|403/);
  expectJson(await call('PUT', `/api/v1/warehouses/${z.wh}`, { body: { storage_config: { ...shown, account_key: KEY } } }), 200);
  expectJson(await call('POST', `${z.T}/k1`, { body: { requirements: [], updates: [{ action: 'set-properties', updates: { a: '2' } }] } }), 200);
});

// --- the catalog's own I/O -----------------------------------------------------------

test('create, commit, load, register and drop with purge keep the table in the container; one metadata file per commit, nothing else left', async () => {
  const z = await azCatalog();
  const created = await createTable(z, 't1');
  assert.deepEqual(await blobs(z, 't1'), [splitAzure(created['metadata-location']).path], 'the metadata file is in the container');
  const md = JSON.parse(await az.getAt(created['metadata-location']));
  assert.equal(md['table-uuid'], created.metadata['table-uuid']);
  assert.equal(md.location, z.loc('t1'));
  // N commits: N more metadata files, and no other blob (no temporary one).
  const N = 5;
  let last;
  for (let i = 0; i < N; i++) {
    last = expectJson(await call('POST', `${z.T}/t1`, { body: { requirements: [], updates: [{ action: 'set-properties', updates: { i: String(i) } }] } }), 200);
  }
  const names = await blobs(z, 't1');
  assert.equal(names.length, N + 1, `exactly ${N + 1} blobs: ${names.join(' ')}`);
  assert.deepEqual((await metadataJsons(z, 't1')).sort(), names.sort(), 'every blob is a metadata json');
  assert.ok(names.includes(splitAzure(last['metadata-location']).path));
  const loaded = expectJson(await call('GET', `${z.T}/t1`), 200);
  assert.equal(loaded['metadata-location'], last['metadata-location']);
  assert.equal(loaded.metadata.properties.i, String(N - 1));
  assert.equal(JSON.parse(await az.getAt(loaded['metadata-location'])).properties.i, String(N - 1), 'the blob holds the commit');
  // An appended snapshot: the client's files, the catalog's metadata.
  const state = { snaps: [], refs: [] };
  const a = await append(z, 't1', state, 0);
  assert.equal(a.committed.metadata['current-snapshot-id'], a.id);
  assert.ok(await az.existsAt(a.committed['metadata-location']));

  // Register: a metadata file already in the container (another tool's
  // copy of t1's first one: it reaches none of t1's files, so each purge
  // below is free to delete everything of its own table).
  const copy = { ...md, location: z.loc('reg'), 'table-uuid': crypto.randomUUID() };
  const regFile = `${z.loc('reg')}/metadata/00007-${crypto.randomUUID()}.metadata.json`;
  await az.putAt(regFile, JSON.stringify(copy));
  const reg = expectJson(await call('POST', `/v1/${z.cat}/namespaces/db/register`, { body: { name: 'reg', 'metadata-location': regFile } }), 200);
  assert.equal(reg['metadata-location'], regFile);
  assert.equal(reg.metadata['table-uuid'], copy['table-uuid']);
  const regCommit = expectJson(await call('POST', `${z.T}/reg`, { body: { requirements: [], updates: [{ action: 'set-properties', updates: { reg: 'yes' } }] } }), 200);
  assert.match(regCommit['metadata-location'], new RegExp(`^${reEscape(z.loc('reg'))}/metadata/[^/]+\\.metadata\\.json$`));
  assert.equal((await metadataJsons(z, 'reg')).length, 2);
  // A register of a file that is not there: 404, nothing made.
  expectError(await call('POST', `/v1/${z.cat}/namespaces/db/register`, { body: { name: 'ghost', 'metadata-location': `${z.loc('ghost')}/metadata/00000-x.metadata.json` } }), 404, { iceberg: true });

  // Drop with purge: every blob of each table gone from the container.
  await purge(z, 't1');
  assert.deepEqual(await blobs(z, 't1'), [], 't1\'s metadata, manifests, list and data are gone');
  await purge(z, 'reg');
  assert.deepEqual(await blobs(z, 'reg'), []);
  expectError(await call('GET', `${z.T}/t1`), 404, { iceberg: true });
});

test('names that need escaping in a blob URL (spaces, +, %, #, ?, unicode) land at the right blob, load, commit and purge', async () => {
  const z = await azCatalog();
  const ns = 'n s+%é';
  await ok('POST', `/v1/${z.cat}/namespaces`, { namespace: [ns] });
  const name = 'a b+c%d#e?f é';
  const T = `/v1/${z.cat}/namespaces/${encodeURIComponent(ns)}/tables`;
  const created = expectJson(await call('POST', T, { body: { name, schema } }), 200);
  const dir = splitAzure(created.metadata.location).path;
  const listed = await az.list(z.container, `${z.prefix}${z.cat}/`);
  assert.equal(listed.length, 1, listed.join(' '));
  assert.equal(listed[0], splitAzure(created['metadata-location']).path, 'the blob\'s name is the location\'s path, as written');
  assert.ok(listed[0].startsWith(`${dir}/metadata/`));
  assert.ok(await az.existsAt(created['metadata-location']));
  const p = `${T}/${encodeURIComponent(name)}`;
  // The directory SAS is signed over the directory's name as it is (for Azure
  // itself: Azurite has no directory SAS), its depth counted in segments.
  const v = checkAdls(vended(expectJson(await call('GET', p, { headers: { ...admin, ...VEND } }), 200), created.metadata.location), { sr: 'd', sp: 'racwdl' });
  assert.equal(v.q.get('sdd'), String(dir.split('/').length));
  assert.equal(sasSignature(v.token, { container: z.container, dir }), v.q.get('sig'), `signed for ${dir}`);
  expectJson(await call('POST', p, { body: { requirements: [], updates: [{ action: 'set-properties', updates: { x: '1' } }] } }), 200);
  assert.equal(expectJson(await call('GET', p), 200).metadata.properties.x, '1');
  assert.equal((await az.list(z.container, `${dir}/`)).length, 2);
  const r = await call('DELETE', `${p}?purgeRequested=true`);
  assert.equal(r.status, 204, r.text);
  const task = await waitTask((m, q, o) => srv.rawReq(m, q, { ...o, headers: admin }), r.headers['pangolin-task-id'], { timeout: 30000 });
  assert.equal(task.status, 'succeeded', JSON.stringify(task));
  assert.deepEqual(await az.list(z.container, `${dir}/`), []);
});

test('rename, views, drop without purge, stage-create with vended credentials; S3 signing and presigning are refused for an Azure table', async () => {
  const z = await azCatalog({}, { containerSas: true });
  const created = await createTable(z, 'r1');
  await ok('POST', `/v1/${z.cat}/tables/rename`, { source: { namespace: ['db'], name: 'r1' }, destination: { namespace: ['db'], name: 'r2' } });
  const renamed = expectJson(await call('GET', `${z.T}/r2`), 200);
  assert.equal(renamed['metadata-location'], created['metadata-location'], 'the files stay where they are');
  expectJson(await call('POST', `${z.T}/r2`, { body: { requirements: [], updates: [{ action: 'set-properties', updates: { a: '1' } }] } }), 200);
  assert.equal((await metadataJsons(z, 'r1')).length, 2, 'the renamed table keeps writing under its location');
  // A view's metadata in the container too.
  const view = expectJson(await call('POST', `/v1/${z.cat}/namespaces/db/views`, { body: {
    name: 'v1', schema, 'view-version': { 'version-id': 1, 'timestamp-ms': Date.now(), 'schema-id': 0, summary: {},
      representations: [{ type: 'sql', sql: 'select 1', dialect: 'spark' }], 'default-namespace': ['db'] }, properties: {} } }), 200);
  assert.ok(view['metadata-location'].startsWith(`${z.loc('v1')}/metadata/`), view['metadata-location']);
  assert.ok(await az.existsAt(view['metadata-location']));
  // Drop without purge: the files stay.
  const before = await blobs(z, 'r1');
  assert.equal((await call('DELETE', `${z.T}/r2`)).status, 204);
  assert.deepEqual(await blobs(z, 'r1'), before);
  // A staged table: nothing written yet, a SAS for its location all the same.
  const staged = expectJson(await call('POST', z.T, { body: { name: 'st', schema, 'stage-create': true }, headers: { ...admin, ...VEND } }), 200);
  const sc = checkAdls(vended(staged, z.loc('st')), { sp: 'racwdl' });
  assert.deepEqual(await blobs(z, 'st'), [], 'stage-create writes nothing');
  assert.equal((await az.withSas('PUT', `${z.loc('st')}/data/0.parquet`, sc.token, 'PAR1')).status, 201);
  // S3's remote signing and presigning have nothing to do with Azure files.
  const t = await createTable(z, 's1');
  const sign = await call('POST', `${z.T}/s1/sign`, { body: { region: 'us-east-1', uri: `${az.url(t['metadata-location'])}`, method: 'GET', headers: {} } });
  expectError(sign, 400, { iceberg: true, message: /Azure/ });
  const presign = await call('GET', `${z.T}/s1/presign?location=${encodeURIComponent(t['metadata-location'])}`);
  expectError(presign, 400, { iceberg: true, message: /Azure/ });
  const signing = expectJson(await call('GET', `${z.T}/s1`, { headers: { ...admin, 'x-iceberg-access-delegation': 'remote-signing' } }), 200);
  assert.equal(signing.config['s3.remote-signing-enabled'], undefined, JSON.stringify(signing.config));
});

test('a table location or a register spelled wasbs:// or abfs:// works where it points, and is stored and answered as abfss:// (operator guide)', async (t) => {
  const z = await azCatalog();
  const spellings = [['w1', wasbs], ['w2', (cont, p) => `abfs://${cont}@${HOST}/${p}`]];
  const made = {};
  for (const [name, spell] of spellings) {
    const where = `${z.prefix}${z.cat}/db/custom/${name}`;
    made[name] = expectJson(await call('POST', z.T, { body: { name, schema, location: spell(z.container, where) } }), 200);
    const files = await az.list(z.container, `${where}/`);
    assert.equal(files.length, 1, `${name}: its metadata file under ${where}: ${files}`);
    expectJson(await call('POST', `${z.T}/${name}`, { body: { requirements: [], updates: [{ action: 'set-properties', updates: { a: '1' } }] } }), 200);
    assert.equal((await az.list(z.container, `${where}/`)).length, 2, `${name}: a commit writes under ${where}`);
  }
  const w1 = made.w1['metadata-location'];
  const asWasbs = (loc) => loc.replace(/^abfss:\/\/([^@]+)@([^.]+)\.dfs\./, 'wasbs://$1@$2.blob.');
  // Its own file (every table owns its files, issue 67), back onto it.
  const reg = expectJson(await call('POST', `/v1/${z.cat}/namespaces/db/register`, { body: { name: 'w1', 'metadata-location': asWasbs(w1), overwrite: true } }), 200);
  t.diagnostic(`answered: w1 location ${made.w1.metadata.location}, w2 location ${made.w2.metadata.location}, register ${reg['metadata-location']}`);
  for (const [name] of spellings) {
    assert.equal(made[name].metadata.location, abfss(z.container, `${z.prefix}${z.cat}/db/custom/${name}`), `${name}: stored and answered as abfss://`);
  }
  assert.ok(reg['metadata-location'].startsWith('abfss://'), `register answered ${reg['metadata-location']}`);
});

test('no table is registered on another\'s file in the wasbs:// spelling either: it is the same place (issue 67)', async () => {
  const z = await azCatalog();
  await createTable(z, 'orig');
  const state = { snaps: [], refs: [] };
  await append(z, 'orig', state, 0);
  const head = expectJson(await call('GET', `${z.T}/orig`), 200)['metadata-location'];
  const asWasbs = (loc) => loc.replace(/^abfss:\/\/([^@]+)@([^.]+)\.dfs\./, 'wasbs://$1@$2.blob.');
  expectError(await call('POST', `/v1/${z.cat}/namespaces/db/register`, { body: { name: 'copy', 'metadata-location': asWasbs(head) } }), 409, { iceberg: true, message: /db\.orig/ });
  expectError(await call('GET', `${z.T}/copy`), 404, { iceberg: true });
  expectError(await call('POST', z.T, { body: { name: 'twin', schema, location: asWasbs(head).replace(/\/metadata\/.*$/, '') } }), 409, { iceberg: true });
  await purge(z, 'orig');
  const left = await blobs(z, 'orig');
  for (const f of [head, state.snaps[0].list, state.snaps[0].manifest, state.snaps[0].data]) {
    assert.ok(!left.includes(splitAzure(f).path), `the purge took ${f}; left: ${left.join(' ')}`);
  }
});

test('a multi-table transaction on Azure: one that fails a requirement writes and changes nothing; one that commits writes one metadata file per table', async () => {
  const z = await azCatalog();
  const a = (await createTable(z, 'ta')).metadata;
  const b = (await createTable(z, 'tb')).metadata;
  const change = (name, uuid, v) => ({ identifier: { namespace: ['db'], name }, requirements: [{ type: 'assert-table-uuid', uuid }],
    updates: [{ action: 'set-properties', updates: { v } }] });
  const failed = await call('POST', `/v1/${z.cat}/transactions/commit`, { body: { 'table-changes': [
    change('ta', a['table-uuid'], '1'), change('tb', crypto.randomUUID(), '1')] } });
  expectError(failed, 409, { iceberg: true });
  assert.equal((await metadataJsons(z, 'ta')).length, 1, 'no metadata file left by the failed transaction');
  assert.equal((await metadataJsons(z, 'tb')).length, 1);
  assert.equal(expectJson(await call('GET', `${z.T}/ta`), 200).metadata.properties.v, undefined);
  assert.equal((await call('POST', `/v1/${z.cat}/transactions/commit`, { body: { 'table-changes': [
    change('ta', a['table-uuid'], '2'), change('tb', b['table-uuid'], '2')] } })).status, 204);
  for (const name of ['ta', 'tb']) {
    const t = expectJson(await call('GET', `${z.T}/${name}`), 200);
    assert.equal(t.metadata.properties.v, '2');
    assert.deepEqual((await metadataJsons(z, name)).length, 2, `${name}: one more metadata file`);
    assert.ok(await az.existsAt(t['metadata-location']));
  }
});

test('/metrics counts Azure requests with the object store\'s, on kept-alive connections', async () => {
  const z = await azCatalog();
  await createTable(z, 'm');
  const value = async (name) => Number((await call('GET', '/metrics', { headers: {} })).text.match(new RegExp(`^${name} (\\d+)$`, 'm'))?.[1]);
  const r0 = await value('pangolin_object_store_requests_total');
  const c0 = await value('pangolin_object_store_connections_total');
  assert.ok(Number.isFinite(r0) && Number.isFinite(c0), 'both counters on /metrics');
  const N = 5;
  for (let i = 0; i < N; i++) expectJson(await call('POST', `${z.T}/m`, { body: { requirements: [], updates: [{ action: 'set-properties', updates: { i: String(i) } }] } }), 200);
  const requests = await value('pangolin_object_store_requests_total') - r0;
  const connections = await value('pangolin_object_store_connections_total') - c0;
  assert.ok(requests >= N, `${requests} requests for ${N} commits`);
  assert.ok(connections < requests, `${connections} new connections for ${requests} requests`);
});

test('purge of a table of 300 data files deletes them in Blob Batch requests of up to 256, not one DELETE each; all gone', async (t) => {
  const z = await azCatalog();
  await createTable(z, 'many');
  const loc = z.loc('many');
  const N = 300;
  const data = Array.from({ length: N }, (_, i) => `${loc}/data/name=n0/f${String(i).padStart(4, '0')}.parquet`);
  await pool(data, 8, (f) => az.putAt(f, 'PAR1'));
  const entries = data.map((f) => ({ status: 1, snapshot_id: 1, sequence_number: 1, file_sequence_number: 1, data_file: {
    content: 0, file_path: f, file_format: 'PARQUET', partition: { name: 'n0' }, record_count: 1,
    file_size_in_bytes: 4, equality_ids: null, sort_order_id: null } }));
  const manifest = `${loc}/metadata/m-many.avro`;
  const mbuf = await writeAvro('avsc', manifestEntrySchema(2, spec, schema), entries, {
    schema: JSON.stringify(schema), 'schema-id': 0, 'partition-spec': JSON.stringify(spec.fields),
    'partition-spec-id': 0, 'format-version': 2, content: 'data' });
  await az.putAt(manifest, mbuf);
  const list = `${loc}/metadata/snap-1.avro`;
  await az.putAt(list, await writeAvro('avsc', manifestListSchema(2), [{ manifest_path: manifest, manifest_length: mbuf.length,
    partition_spec_id: 0, content: 0, sequence_number: 1, min_sequence_number: 1, added_snapshot_id: 1, added_files_count: N,
    existing_files_count: 0, deleted_files_count: 0, added_rows_count: N, existing_rows_count: 0, deleted_rows_count: 0,
    partitions: null, key_metadata: null }], { 'snapshot-id': 1, 'parent-snapshot-id': 'null', 'sequence-number': 1, 'format-version': 2 }));
  expectJson(await call('POST', `${z.T}/many`, { body: { requirements: [], updates: [
    { action: 'add-snapshot', snapshot: { 'snapshot-id': 1, 'sequence-number': 1, 'timestamp-ms': Date.now(), 'manifest-list': list,
      summary: { operation: 'append' }, 'schema-id': 0 } },
    { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 1 }] } }), 200);
  assert.equal((await blobs(z, 'many')).length, N + 4, 'data, manifest, list and two metadata files');
  // What Azurite saw during the purge: its own access log.
  const from = az.log().length;
  await purge(z, 'many');
  assert.deepEqual(await blobs(z, 'many'), [], 'every blob of the table is gone');
  const seen = az.log().slice(from).split('\n');
  const batches = seen.filter((l) => /"POST [^"]*comp=batch/.test(l));
  const deletes = seen.filter((l) => /"DELETE /.test(l));
  t.diagnostic(`purge of ${N + 4} blobs: ${batches.length} batch requests, ${deletes.length} single DELETEs`);
  assert.ok(batches.length >= 2 && batches.length <= 3, `${batches.length} batch requests for ${N + 4} blobs:\n${batches.join('\n')}`);
  assert.ok(deletes.length <= 2, `one DELETE per blob is not batching: ${deletes.length} DELETEs`);
});

test('expire-snapshots deletes the expired snapshots\' manifest lists from the container; orphan removal deletes only the orphan', async () => {
  const z = await azCatalog();
  await createTable(z, 'ex');
  const state = { snaps: [], refs: [] };
  for (let k = 0; k < 3; k++) await append(z, 'ex', state, k);
  const before = await blobs(z, 'ex');
  const res = (await maintain(z, 'ex', { operations: ['expire_snapshots'], older_than_ms: 0, retain_last: 1 })).expire_snapshots;
  assert.equal(res.expired_snapshots, 2, JSON.stringify(res));
  assert.equal(res.deleted_files, 2, JSON.stringify(res));
  const head = expectJson(await call('GET', `${z.T}/ex`), 200);
  assert.deepEqual(head.metadata.snapshots.map((s) => s['snapshot-id']), [state.snaps[2].id]);
  // Appends carry every manifest forward: only the two older lists go; the
  // expire's commit adds its metadata file.
  const gone = state.snaps.slice(0, 2).map((s) => splitAzure(s.list).path);
  const after1 = await blobs(z, 'ex');
  assert.deepEqual(after1.sort(), [...before.filter((b) => !gone.includes(b)), splitAzure(head['metadata-location']).path].sort());
  for (const s of state.snaps) {
    assert.ok(await az.existsAt(s.manifest), `manifest ${s.manifest} stays (the head lists it)`);
    assert.ok(await az.existsAt(s.data), `data file ${s.data} stays`);
  }

  // An orphan: a blob under the table no metadata reaches.
  const orphan = `${z.loc('ex')}/data/orphan-${process.pid}.parquet`;
  await az.putAt(orphan, 'PAR1 orphan');
  // Blob times have one-second resolution: the dry run is asked again
  // until the orphan is old enough to be named (a deadline, not a count).
  let dry;
  for (const end = Date.now() + 10000; ;) {
    dry = (await maintain(z, 'ex', { operations: ['remove_orphan_files'], older_than_ms: 0, dry_run: true })).remove_orphan_files;
    if (dry.files?.length || Date.now() > end) break;
    await sleep(100);
  }
  assert.deepEqual(dry.files, [orphan], JSON.stringify(dry));
  assert.ok(await az.existsAt(orphan), 'a dry run deletes nothing');
  const kept = await blobs(z, 'ex');
  const real = (await maintain(z, 'ex', { operations: ['remove_orphan_files'], older_than_ms: 0 })).remove_orphan_files;
  assert.equal(real.deleted_files, 1, JSON.stringify(real));
  assert.deepEqual(await blobs(z, 'ex'), kept.filter((b) => b !== splitAzure(orphan).path), 'only the orphan is gone');
  expectJson(await call('GET', `${z.T}/ex`), 200);
});

test('a manifest missing from the container fails expire-snapshots and orphan removal, naming it; nothing is deleted', async () => {
  const z = await azCatalog();
  await createTable(z, 'gap');
  const state = { snaps: [], refs: [] };
  for (let k = 0; k < 3; k++) await append(z, 'gap', state, k);
  // m0 is listed by every snapshot, the head's included.
  const m0 = splitAzure(state.snaps[0].manifest);
  assert.equal((await az.call('DELETE', `/${m0.container}/${m0.path}`)).status, 202);
  const before = await blobs(z, 'gap');
  const head = expectJson(await call('GET', `${z.T}/gap`), 200)['metadata-location'];
  for (const body of [{ operations: ['expire_snapshots'], older_than_ms: 0, retain_last: 1 }, { operations: ['remove_orphan_files'], older_than_ms: 0 }]) {
    const r = await call('POST', `${z.T}/gap/maintenance`, { body });
    const task = await waitTask((m, q, o) => srv.rawReq(m, q, { ...o, headers: admin }), expectJson(r, 202).task_id, { timeout: 30000 });
    assert.equal(task.status, 'failed', JSON.stringify(task));
    assert.match(task.error, /m0\.avro/, 'the missing manifest is named');
    assert.match(task.error, /nothing was (changed or )?deleted/);
    assert.deepEqual(await blobs(z, 'gap'), before, `${body.operations[0]}: nothing deleted`);
  }
  assert.equal(expectJson(await call('GET', `${z.T}/gap`), 200)['metadata-location'], head, 'the table is unchanged');
});

test('a merge between catalog branches writes the merged metadata into the container', async () => {
  const z = await azCatalog();
  for (const name of ['t', 'u']) await createTable(z, name);
  const T = (name, b) => `${z.T}/${b ? `${name}@${b}` : name}`;
  const set = (name, b, k) => call('POST', T(name, b), { body: { requirements: [], updates: [{ action: 'set-properties', updates: { [k]: b ?? 'main' } }] } });
  expectJson(await call('POST', '/api/v1/branches', { body: { name: 'feat', catalog: z.cat, branch_type: 'ingest' } }), 201);
  const merge = () => call('POST', '/api/v1/branches/merge', { body: { source_branch: 'feat', target_branch: 'main', catalog: z.cat } });
  // Only the branch changed u: a pointer move.
  expectJson(await set('u', 'feat', 'only'), 200);
  assert.equal(expectJson(await merge(), 200).status, 'Completed');
  assert.equal(expectJson(await call('GET', T('u')), 200).metadata.properties.only, 'feat');
  // Both changed t: its metadata is merged into a new file, by a task.
  expectJson(await set('t', 'feat', 'f'), 200);
  expectJson(await set('t', undefined, 'm'), 200);
  const r = await merge();
  let status;
  if (r.status === 202) {
    const t = await waitTask((m, q, o) => srv.rawReq(m, q, { ...o, headers: admin }), expectJson(r, 202).task_id, { timeout: 30000 });
    status = t.status;
    assert.equal(t.status, 'succeeded', JSON.stringify(t));
  } else {
    status = expectJson(r, 200).status;
    assert.equal(status, 'Completed', r.text);
  }
  const merged = expectJson(await call('GET', T('t')), 200);
  assert.equal(merged.metadata.properties.f, 'feat');
  assert.equal(merged.metadata.properties.m, 'main');
  assert.ok(merged['metadata-location'].startsWith(`${z.loc('t')}/metadata/`), merged['metadata-location']);
  assert.ok(await az.existsAt(merged['metadata-location']), 'the merged metadata file is in the container');
  assert.deepEqual(JSON.parse(await az.getAt(merged['metadata-location'])).properties, merged.metadata.properties);
});

test('a scan plan over an Azure table reads its manifests from the container; vended credentials ride along', async () => {
  const z = await azCatalog({}, { containerSas: true });
  await createTable(z, 'sp');
  const state = { snaps: [], refs: [] };
  for (let k = 0; k < 4; k++) await append(z, 'sp', state, k);
  /** Every file-scan-task of a plan, whether made in the request or by a task. */
  const plan = async (body, headers = admin) => {
    const r = await call('POST', `${z.T}/sp/plan`, { body, headers });
    assert.equal(r.status, 200, r.text);
    let p = r.json;
    for (const end = Date.now() + 30000; p.status === 'submitted' && Date.now() < end;) {
      await sleep(25);
      p = expectJson(await call('GET', `${z.T}/sp/plan/${r.json['plan-id']}`), 200);
    }
    assert.equal(p.status, 'completed', JSON.stringify(p));
    const tasks = [...(p['file-scan-tasks'] ?? [])];
    for (const pt of p['plan-tasks'] ?? []) tasks.push(...expectJson(await call('POST', `${z.T}/sp/tasks`, { body: { 'plan-task': pt } }), 200)['file-scan-tasks']);
    return { r, tasks: tasks.map((t) => t['data-file']['file-path']).sort() };
  };
  const one = await plan({ filter: { type: 'eq', term: 'name', value: 'n2' } });
  assert.equal(one.r.json.status, 'completed', 'one manifest: planned in the request');
  assert.deepEqual(one.tasks, [state.snaps[2].data]);
  const all = await plan({});
  assert.equal(all.r.json.status, 'submitted', 'four manifests: planned by a task runner');
  assert.deepEqual(all.tasks, state.snaps.map((s) => s.data).sort());
  const withCreds = await plan({ filter: { type: 'eq', term: 'name', value: 'n1' } }, { ...admin, ...VEND });
  assert.equal(withCreds.r.json.status, 'completed');
  assert.deepEqual(withCreds.tasks, [state.snaps[1].data]);
  checkAdls(vended(withCreds.r.json, z.loc('sp')), { sp: 'racwdl' });
});

test('three commits racing on one table: exactly one wins, the others are 409 CommitFailedException; the winner\'s metadata file is there and the table loads it', async (t) => {
  const z = await azCatalog();
  await createTable(z, 'race');
  const state = { snaps: [], refs: [] };
  const ROUNDS = 4;
  const RACERS = 3;
  for (let round = 0; round < ROUNDS; round++) {
    // Both prepared on the same parent; the first done() moves state on.
    const racers = [];
    for (let i = 1; i <= RACERS; i++) racers.push(await prepareAppend(z, 'race', state, 10 * round + i));
    const rs = await Promise.all(racers.map((x) => x.commit()));
    const what = rs.map((r) => `${r.status} ${r.text.slice(0, 200)}`).join(' | ');
    assert.deepEqual(rs.map((r) => r.status).sort(), [200, ...Array(RACERS - 1).fill(409)], `round ${round}: ${what}`);
    const w = rs.findIndex((r) => r.status === 200);
    const [win, winner] = [rs[w], racers[w]];
    for (const lose of rs.filter((r) => r !== win)) assert.equal(lose.json.error.type, 'CommitFailedException', lose.text);
    winner.done();
    assert.ok(await az.existsAt(win.json['metadata-location']), `round ${round}: the winner's metadata file exists`);
    const loaded = expectJson(await call('GET', `${z.T}/race`), 200);
    assert.equal(loaded['metadata-location'], win.json['metadata-location'], `round ${round}`);
    assert.equal(loaded.metadata['current-snapshot-id'], winner.id);
  }
  // Every metadata file the table's log names is still in the container.
  const md = expectJson(await call('GET', `${z.T}/race`), 200).metadata;
  for (const e of md['metadata-log']) assert.ok(await az.existsAt(e['metadata-file']), `logged ${e['metadata-file']} exists`);
  assert.equal(md['metadata-log'].length, ROUNDS, 'one log entry per winning commit');
  t.diagnostic(`metadata files after ${ROUNDS} raced rounds: ${(await metadataJsons(z, 'race')).length} (1 + ${ROUNDS} winners; a loser's file, if written, is kept or removed by the catalog)`);
  // No blob but metadata json and the test's own files (no temporary blobs).
  const stray = (await blobs(z, 'race')).filter((b) => !b.endsWith('.metadata.json') && !b.endsWith('.avro') && !b.endsWith('.parquet'));
  assert.deepEqual(stray, []);
});

test('a wrong account key is a 5xx naming the warehouse and the storage error; nothing is written', async (t) => {
  const c = await container();
  const z = await azCatalog({ account_key: WRONG_KEY }, { c });
  const r = await call('POST', z.T, { body: { name: 't', schema } });
  assert.ok(r.status >= 500 && r.status < 600, `a 5xx: ${r.status} ${r.text}`);
  const b = expectError(r, r.status, { iceberg: true });
  assert.match(b.error.message, new RegExp(reEscape(z.wh)), 'the message names the warehouse');
  assert.match(b.error.message, /AuthenticationFailed|AuthorizationFailure|403/);
  t.diagnostic(`${r.status} ${b.error.type}: ${b.error.message}`);
  assert.ok(!b.error.message.includes(WRONG_KEY) && !b.error.message.includes(KEY), 'no key in the message');
  expectError(await call('GET', `${z.T}/t`), 404, { iceberg: true });
  assert.deepEqual(await az.list(c, `${z.prefix}${z.cat}/`), [], 'no blob under the catalog');
});

// Issue 67 (interop, a first-time operator): a warehouse whose container
// did not exist was accepted, and its first createTable answered 503
// ContainerNotFound.
test('a warehouse whose container does not exist is a 400 naming it, at create and at an update moving it there; nothing is made', async () => {
  const c = await container();
  const missing = `${c}-missing`;
  const wh = uniq('azwh');
  const r = await call('POST', '/api/v1/warehouses', { body: { name: wh, storage_config: azureConfig(missing) } });
  expectError(r, 400, { message: new RegExp(`container '${missing}' does not exist in Azure storage account '${ACCOUNT}'.*azure_create_containers`) });
  expectError(await call('GET', `/api/v1/warehouses/${wh}`), 404);
  assert.equal((await az.call('GET', `/${missing}?restype=container`)).status, 404, 'the container was not made');
  const z = await azCatalog({}, { c });
  const shown = expectJson(await call('GET', `/api/v1/warehouses/${z.wh}`), 200).storage_config;
  // (A move sends the key again: a stored secret stays where it was given.)
  expectError(await call('PUT', `/api/v1/warehouses/${z.wh}`, { body: { storage_config: { ...shown, container: missing, account_key: KEY } } }), 400,
    { message: /does not exist/ });
  assert.equal(expectJson(await call('GET', `/api/v1/warehouses/${z.wh}`), 200).storage_config.container, c, 'unchanged');
  await createTable(z, 'here');
});

test('a warehouse with a wrong key beside a right one on the same endpoint: its refusals neither leak into nor trip the breaker for the other', async () => {
  const c = await container();
  const bad = await azCatalog({ account_key: WRONG_KEY, prefix: 'bad' }, { c });
  const good = await azCatalog({ prefix: 'good' }, { c });
  await createTable(good, 'g');
  for (let i = 0; i < 8; i++) {
    const r = await call('POST', bad.T, { body: { name: `t${i}`, schema } });
    assert.ok(r.status >= 500, `${r.status} ${r.text}`);
    assert.match(r.json.error.message, /AuthenticationFailed|AuthorizationFailure|403/, 'Azure\'s refusal, not an open breaker');
    expectJson(await call('POST', `${good.T}/g`, { body: { requirements: [], updates: [{ action: 'set-properties', updates: { i: String(i) } }] } }), 200);
  }
  assert.deepEqual(await az.list(c, 'bad/'), []);
  assert.equal((await az.list(c, 'good/')).length, 9);
});

// --- vended SAS, used directly against Azurite ---------------------------------------------

test('vended SAS (a container the operator lists): a reader\'s reads and cannot write, a writer\'s writes; tampered or expired tokens are refused', async (t) => {
  const z = await azCatalog({}, { containerSas: true });
  const created = expectJson(await call('POST', z.T, { body: { name: 'v', schema }, headers: { ...admin, ...VEND } }), 200);
  const adminSas = checkAdls(vended(created, z.loc('v')), { sp: 'racwdl' });
  const meta = created['metadata-location'];
  // Without the header nothing is vended.
  const plain = expectJson(await call('GET', `${z.T}/v`), 200);
  assert.deepEqual(plain.config, {});
  assert.equal(plain['storage-credentials'], undefined);

  const tableId = plain.metadata['table-uuid'];
  const reader = await user('az-reader', 'tenant-user');
  const writer = await user('az-writer', 'tenant-user');
  const grant = (u, actions) => ok('POST', '/api/v1/permissions',
    { 'user-id': u.id, scope: { type: 'asset', catalog_id: z.catId, namespace: 'db', asset_id: tableId }, actions });
  await grant(reader, ['read']);
  await grant(writer, ['write']);

  const r1 = checkAdls(vended(expectJson(await call('GET', `${z.T}/v`, { headers: { ...reader.headers, ...VEND } }), 200), z.loc('v')), { sp: 'rl' });
  const got = await az.withSas('GET', meta, r1.token);
  assert.equal(got.status, 200, `reader GET of the metadata file: ${got.status} ${got.text}`);
  assert.equal(JSON.parse(got.text)['table-uuid'], tableId);
  const put = await az.withSas('PUT', `${z.loc('v')}/data/by-reader.parquet`, r1.token, 'r');
  assert.equal(put.status, 403, `reader PUT: ${put.status} ${put.text}`);
  assert.equal(put.code, 'AuthorizationPermissionMismatch');
  assert.equal((await az.withSas('DELETE', meta, r1.token)).status, 403, 'reader DELETE');
  assert.ok(await az.existsAt(meta));
  // The same reader again: the cached token (half its life is far off).
  const r2 = checkAdls(vended(expectJson(await call('GET', `${z.T}/v`, { headers: { ...reader.headers, ...VEND } }), 200), z.loc('v')), { sp: 'rl' });
  assert.equal(r2.token, r1.token, 'cached per table and access');
  // /credentials for the reader: read-only too.
  const rc = expectJson(await call('GET', `${z.T}/v/credentials`, { headers: reader.headers }), 200);
  const rcc = checkAdls(vended(rc, z.loc('v')), { sp: 'rl' });
  assert.equal((await az.withSas('PUT', `${z.loc('v')}/data/r2.parquet`, rcc.token, 'r')).status, 403);

  const w = checkAdls(vended(expectJson(await call('GET', `${z.T}/v`, { headers: { ...writer.headers, ...VEND } }), 200), z.loc('v')), { sp: 'racwdl' });
  assert.notEqual(w.token, r1.token, 'a writer does not get the reader\'s token');
  const wput = await az.withSas('PUT', `${z.loc('v')}/data/by-writer.parquet`, w.token, 'PAR1-w');
  assert.equal(wput.status, 201, `writer PUT: ${wput.status} ${wput.text}`);
  assert.equal((await az.withSas('GET', `${z.loc('v')}/data/by-writer.parquet`, r1.token)).text, 'PAR1-w', 'the reader reads the writer\'s file');
  assert.equal((await az.withSas('GET', meta, w.token)).status, 200);
  assert.equal((await az.withSas('PUT', `${z.loc('v')}/data/by-admin.parquet`, adminSas.token, 'a')).status, 201);

  // The signature is the account key's over the token's fields (checked here
  // with node's crypto), so no field can be changed: a reader's token with
  // sp widened, or any token with se moved, no longer verifies.
  assert.equal(sasSignature(r1.token, { container: z.container }), r1.q.get('sig'), 'a service SAS signed with the account key');
  const widened = new URLSearchParams(r1.token);
  widened.set('sp', 'racwdl');
  assert.equal((await az.withSas('PUT', `${z.loc('v')}/data/widened.parquet`, widened.toString(), 'x')).status, 403, 'sp widened');
  const past = '2020-01-01T00:00:00Z';
  const tampered = new URLSearchParams(w.token);
  tampered.set('se', past);
  assert.equal((await az.withSas('GET', meta, tampered.toString())).status, 403, 'se moved, signature not');
  // Expiry: the same token as the catalog would sign it at a time already past
  // is refused (a real expiry needs sas_lifetime_secs, 60 at least, of waiting).
  const expired = resignSas(w.token, { ...(w.q.get('st') ? { st: '2019-12-31T00:00:00Z' } : {}), se: past }, { container: z.container });
  const e = await az.withSas('GET', meta, expired);
  t.diagnostic(`reader token: ${r1.token.replace(/sig=[^&]+/, 'sig=...')}; expired: ${e.status} ${e.code}`);
  assert.equal(e.status, 403, `expired: ${e.status} ${e.text}`);
  assert.notEqual(e.code, 'AuthorizationPermissionMismatch');
  // ... and the unexpired one, signed again the same way, still works: the check above was expiry alone.
  assert.equal((await az.withSas('GET', meta, resignSas(w.token, {}, { container: z.container }))).status, 200);
  // The lifetime is the warehouse's.
  const short = await azCatalog({ sas_lifetime_secs: '60' }, { containerSas: true });
  const s = expectJson(await call('POST', short.T, { body: { name: 's', schema }, headers: { ...admin, ...VEND } }), 200);
  checkAdls(vended(s, short.loc('s')), { lifetime: 60, sp: 'racwdl' });
});

test('SAS tokens are counted in /api/v1/cache/stats as sts_credentials (operator guide): a first load a miss, a second a hit', async () => {
  const z = await azCatalog({}, { containerSas: true });
  await createTable(z, 'cs');
  const cache = async () => expectJson(await call('GET', '/api/v1/cache/stats', { headers: root }), 200).caches
    .find((x) => x.name === 'sts_credentials' && x.tier === 'l1');
  const c0 = await cache();
  assert.ok(c0, 'cache stats list sts_credentials (l1)');
  const load = async () => checkAdls(vended(expectJson(await call('GET', `${z.T}/cs`, { headers: { ...admin, ...VEND } }), 200), z.loc('cs'))).token;
  const first = await load();
  assert.equal(await load(), first, 'the cached token');
  const c1 = await cache();
  assert.deepEqual([c1.misses - c0.misses, c1.hits - c0.hits], [1, 1], `one miss, one hit: ${JSON.stringify({ c0, c1 })}`);
  assert.ok(c1.entries >= 1, `entries ${c1.entries}`);
});

test('after the account key is changed (a rotation), the next vended SAS is signed with the new key, not served from the cache', async () => {
  const z = await azCatalog({}, { containerSas: true });
  await createTable(z, 'rot');
  const load = async () => checkAdls(vended(expectJson(await call('GET', `${z.T}/rot`, { headers: { ...admin, ...VEND } }), 200), z.loc('rot')));
  const before = await load();
  assert.equal(sasSignature(before.token, { container: z.container }), before.q.get('sig'));
  const shown = expectJson(await call('GET', `/api/v1/warehouses/${z.wh}`), 200).storage_config;
  expectJson(await call('PUT', `/api/v1/warehouses/${z.wh}`, { body: { storage_config: { ...shown, account_key: WRONG_KEY } } }), 200);
  const after = await load();
  assert.equal(sasSignature(after.token, { container: z.container, key: WRONG_KEY }), after.q.get('sig'),
    `the SAS vended after the key change is still signed with the old key (cached): ${after.token === before.token ? 'the same token' : 'another token'}`);
});

test('in a container the operator does not list, a directory SAS (sr=d, sdd = the table directory\'s depth) is vended, which Azurite (no hierarchical namespace) refuses', async () => {
  const z = await azCatalog();
  const created = expectJson(await call('POST', z.T, { body: { name: 'd', schema }, headers: { ...admin, ...VEND } }), 200);
  const c = vended(created, z.loc('d'));
  const { token, q } = checkAdls(c, { sr: 'd', sp: 'racwdl' });
  assert.equal(q.get('sdd'), String(z.path('d').split('/').length), `sdd: ${token}`);
  assert.equal(sasSignature(token, { container: z.container, dir: z.path('d') }), q.get('sig'), 'signed for the table\'s directory');
  const r = await az.withSas('GET', created['metadata-location'], token);
  assert.equal(r.status, 403, `Azurite has no directory SAS: ${r.status} ${r.text}`);
  const cr = expectJson(await call('GET', `${z.T}/d/credentials`), 200);
  assert.equal(new URLSearchParams(vended(cr, z.loc('d'))[`adls.sas-token.${HOST}`]).get('sr'), 'd');
});

test('iceberg-js against an Azure catalog: create, load with vended credentials, commit, list, drop with purge', async () => {
  const z = await azCatalog({}, { containerSas: true });
  const checked = validatingFetch();
  const token = admin.authorization.slice('Bearer '.length);
  const catalog = new IcebergRestCatalog({ baseUrl: `http://127.0.0.1:${srv.port}`, warehouse: z.cat,
    auth: { type: 'bearer', token }, fetch: checked, accessDelegation: ['vended-credentials'] });
  const ns = { namespace: ['js'] };
  await catalog.createNamespace(ns);
  const created = await catalog.createTableResult(ns, { name: 'events', schema: { type: 'struct', fields: [{ id: 1, name: 'id', type: 'long', required: true }] } });
  const loc = abfss(z.container, `${z.prefix}${z.cat}/js/events`);
  assert.equal(created.metadata.location, loc);
  assert.ok(await az.existsAt(created['metadata-location']));
  checkAdls(vended(created, loc), { sp: 'racwdl' });
  const id = { namespace: ['js'], name: 'events' };
  const loaded = await catalog.loadTableResult(id);
  checkAdls(vended(loaded, loc), { sp: 'racwdl' });
  await catalog.updateTable(id, { requirements: [], updates: [{ action: 'set-properties', updates: { from: 'iceberg-js' } }] });
  assert.equal((await catalog.loadTable(id)).properties.from, 'iceberg-js');
  assert.deepEqual((await catalog.listTables(ns)).identifiers.map((i) => i.name), ['events']);
  assert.equal((await az.list(z.container, `${z.prefix}${z.cat}/js/events/metadata/`)).length, 2);
  await catalog.dropTable(id, { purge: true });
  // The purge is a task: its end is seen in the container, by a deadline.
  let left;
  for (const end = Date.now() + 30000; ;) {
    left = await az.list(z.container, `${z.prefix}${z.cat}/js/events/`);
    if (left.length === 0 || Date.now() > end) break;
    await sleep(50);
  }
  assert.deepEqual(left, [], 'the purge emptied the table\'s directory');
  assert.deepEqual(checked.failures.map((e) => e.message), [], 'every /v1 answer matches the Iceberg OpenAPI spec');
});

// --- Azurite stopped ------------------------------------------------------------------------

test('Azurite stopped before a commit: a 5xx (503 or CommitStateUnknown), the catalog answers on; started again, the table loads at a consistent version and commits', async (t) => {
  const z = await azCatalog();
  const created = await createTable(z, 'k');
  await az.stop();
  let r;
  try {
    r = await call('POST', `${z.T}/k`, { body: { requirements: [], updates: [{ action: 'set-properties', updates: { a: 'b' } }] }, timeout: 60000 });
    assert.ok([500, 502, 503, 504].includes(r.status), `${r.status} ${r.text}`);
    const b = expectError(r, r.status, { iceberg: true });
    if (r.status === 500) assert.equal(b.error.type, 'CommitStateUnknownException', r.text);
    t.diagnostic(`Azurite stopped: ${r.status} ${b.error.type}: ${b.error.message} (Retry-After ${r.headers['retry-after']})`);
    assert.match(b.error.message, new RegExp(reEscape(z.wh)), 'the message names the warehouse');
    expectJson(await call('GET', '/health/live', { headers: {} }), 200);
  } finally {
    await az.start();
  }
  // Once the endpoint's breaker lets calls through again (a deadline):
  // the table loads, at the old version (503: nothing swapped) or at a new
  // one whose file is in the container.
  let loaded;
  for (const end = Date.now() + 20000; ;) {
    loaded = await call('GET', `${z.T}/k`);
    if (loaded.status === 200 || Date.now() > end) break;
    await sleep(100);
  }
  expectJson(loaded, 200);
  if (r.status === 503) assert.equal(loaded.json['metadata-location'], created['metadata-location'], '503: the pointer was not swapped');
  assert.ok(await az.existsAt(loaded.json['metadata-location']), 'the table\'s metadata file is in the container');
  let again;
  for (const end = Date.now() + 20000; ;) {
    again = await call('POST', `${z.T}/k`, { body: { requirements: [], updates: [{ action: 'set-properties', updates: { a: 'c' } }] } });
    if (again.status === 200 || Date.now() > end) break;
    await sleep(100);
  }
  assert.equal(expectJson(again, 200).metadata.properties.a, 'c');
  assert.ok(await az.existsAt(again.json['metadata-location']));
});

test('a metadata write Azure carried out but whose answer was lost: never 200 unswapped nor 4xx swapped; the table stays consistent and commits again', async (t) => {
  const z = await azCatalog({ endpoint: lossy.endpoint });
  const created = await createTable(z, 'lost');
  const lost = lossy.drop((m, p) => m === 'PUT' && p.endsWith('.metadata.json'));
  const r = await call('POST', `${z.T}/lost`, { body: { requirements: [], updates: [{ action: 'set-properties', updates: { a: 'b' } }] }, timeout: 60000 });
  let timer;
  const seen = await Promise.race([lost, new Promise((res) => { timer = setTimeout(res, 5000, null); })]);
  clearTimeout(timer);
  assert.ok(seen, 'the commit sent its metadata file through the proxy');
  assert.equal(seen.status, 201, 'Azure wrote the file; only its answer was lost');
  const loaded = expectJson(await call('GET', `${z.T}/lost`), 200);
  const swapped = loaded['metadata-location'] !== created['metadata-location'];
  t.diagnostic(`answer lost: the commit answered ${r.status} ${r.text.slice(0, 200)}; swapped: ${swapped}; metadata files: ${(await metadataJsons(z, 'lost')).length}`);
  if (r.status === 200) {
    assert.ok(swapped, '200, yet the table did not move');
    assert.equal(loaded.metadata.properties.a, 'b');
  } else {
    assert.ok(r.status >= 500 || !swapped, `${r.status} says the commit did not happen, yet the table moved`);
    assert.ok(r.status === 409 || r.status >= 500, `${r.status} ${r.text}`);
  }
  assert.ok(await az.existsAt(loaded['metadata-location']), 'the table\'s metadata file exists');
  let again;
  for (const end = Date.now() + 20000; ;) {
    again = await call('POST', `${z.T}/lost`, { body: { requirements: [], updates: [{ action: 'set-properties', updates: { a: 'c' } }] } });
    if (again.status === 200 || Date.now() > end) break;
    await sleep(100);
  }
  assert.equal(expectJson(again, 200).metadata.properties.a, 'c');
  assert.ok(await az.existsAt(again.json['metadata-location']));
});

test('an Azure endpoint that accepts and never answers: the commit is a 503 within the storage timeout, while another warehouse\'s commits on the same worker go on', async (t) => {
  const zs = await azCatalog({ endpoint: stall.endpoint });
  const zd = await azCatalog();
  await createTable(zs, 's');
  await createTable(zd, 'd');
  const body = (v) => ({ requirements: [], updates: [{ action: 'set-properties', updates: { v: String(v) } }] });
  stall.hang();
  try {
    const t0 = Date.now();
    let answered = null;
    const slow = call('POST', `${zs.T}/s`, { body: body(1), timeout: 60000 }).then((r) => { answered = Date.now(); return r; });
    // Meanwhile, one worker: the other warehouse's commits are answered.
    const lat = [];
    for (let i = 0; answered === null; i++) {
      const t1 = Date.now();
      expectJson(await call('POST', `${zd.T}/d`, { body: body(i) }), 200);
      lat.push(Date.now() - t1);
    }
    const r = await slow;
    const took = answered - t0;
    t.diagnostic(`stalled commit answered ${r.status} after ${took} ms; ${lat.length} commits elsewhere meanwhile, slowest ${Math.max(...lat)} ms`);
    const b = expectError(r, 503, { iceberg: true });
    assert.match(b.error.message, new RegExp(reEscape(zs.wh)), 'names the stalled warehouse');
    assert.ok(!b.error.message.includes(zd.wh));
    assert.match(r.headers['retry-after'] ?? '', /^\d+$/, 'Retry-After');
    assert.ok(took >= TIMEOUT_MS - 500 && took < 3 * TIMEOUT_MS, `answered after ${took} ms (timeout ${TIMEOUT_MS} ms)`);
    assert.ok(lat.length >= 3, `only ${lat.length} commits elsewhere while one stalled: the stall held the worker`);
    assert.ok(Math.max(...lat) < TIMEOUT_MS, `a commit elsewhere waited ${Math.max(...lat)} ms behind the stall`);
    assert.ok(stall.held() >= 1, 'the catalog\'s request reached the stalled endpoint');
  } finally {
    stall.pass();
  }
  assert.equal(expectJson(await call('GET', `${zs.T}/s`), 200).metadata.properties.v, undefined, 'nothing swapped');
});

test('no answer of the catalog in this file carried the account key', async () => {
  assert.ok(answers.length > 50, `${answers.length} answers`);
  const leaks = answers.filter((a) => a.includes(KEY) || a.includes(WRONG_KEY));
  assert.deepEqual(leaks.map((a) => a.slice(0, 200)), []);
});
