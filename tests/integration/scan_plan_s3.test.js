// Scan planning on object storage (issue 28): a table on an S3 warehouse
// (OpenStack Swift with s3api, which checks every SigV4 signature), whose
// manifests and manifest list are Avro files written by avsc and put in
// the bucket.  A plan made in the request reads them by fetch and replay
// (more manifests than one run may ask for), a larger one is made by a
// task runner; the answer carries the vended credentials or the signing
// config when X-Iceberg-Access-Delegation asks, as loadTable does.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { expectJson, uniq } from './lib/expect.js';
import { startIcebergServer } from './lib/iceberg.js';
import { manifestEntrySchema, manifestListSchema, writeAvro } from './lib/iceberg_data.js';
import { s3 as s3req, startSwift } from './lib/s3.js';
import { tmpDir } from './lib/server.js';

let srv, swift, endpoint, scratch;
const BUCKET = `pgl-plan-${process.pid}`;
// The bucket whose one warehouse the operator lets vend its keys
// ([storage] static_key_buckets, issue 67).
const KEYS_BUCKET = `pgl-plan-keys-${process.pid}`;
const MANIFESTS = 20;	// FETCH_PER_RUN is 16: the request waits twice
const PER = 3;

before(async () => {
  swift = await startSwift();
  endpoint = swift.endpoint;
  scratch = tmpDir('pgl-plan-s3');
  assert.equal(s3req(swift, 'PUT', `/${BUCKET}`).status, 200);
  assert.equal(s3req(swift, 'PUT', `/${KEYS_BUCKET}`).status, 200);
  srv = await startIcebergServer({
    allowEndpoints: [endpoint, `http://localhost:${swift.port}`],
    // A plan within SYNC_MAX_MANIFESTS is made in the request unless it
    // outlasts sync_wait_ms: 20 s (not the 2 s default, which a loaded CI
    // machine reading the manifests from Swift passed once, answering
    // "submitted"), under the client's 30 s.
    env: { PANGOLIN_SCAN_SYNC_MAX_MANIFESTS: String(MANIFESTS - 1), PANGOLIN_SCAN_SYNC_WAIT_MS: '20000',
      TASK_WORKER_POLL_INTERVAL_MS: '50', PANGOLIN_STATIC_KEY_BUCKETS: KEYS_BUCKET },
  });
});
after(async () => {
  await srv?.stop();
  swift?.destroy();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

const schema = {
  type: 'struct', 'schema-id': 0,
  fields: [{ id: 1, name: 'id', required: true, type: 'long' }, { id: 2, name: 'name', required: false, type: 'string' }],
};
const spec = { 'spec-id': 0, fields: [{ name: 'name', transform: 'identity', 'source-id': 2, 'field-id': 1000 }] };

/** Bytes into the bucket at key (through a file: curl sends them as is). */
async function put(key, buf, bucket = BUCKET) {
  const f = path.join(scratch, `${uniq('obj')}.avro`);
  fs.writeFileSync(f, buf);
  assert.equal(s3req(swift, 'PUT', `/${bucket}/${key}`, { body: `@${f}` }).status, 200);
}

/** A table of MANIFESTS manifests, partition n<k> in manifest k, PER files each. */
async function s3Table(vend) {
  const wh = uniq('s3wh');
  const bucket = vend ? KEYS_BUCKET : BUCKET;
  expectJson(await srv.req('POST', '/api/v1/warehouses', { body: { name: wh, storage_config: {
    type: 's3', bucket, prefix: 'lake', endpoint, region: 'us-east-1',
    access_key_id: 'test:tester', secret_access_key: 'testing' } } }), 201);
  const cat = uniq('s3cat');
  expectJson(await srv.req('POST', '/api/v1/catalogs', { body: { name: cat, warehouse_name: wh } }), 201);
  expectJson(await srv.req('POST', `/v1/${cat}/namespaces`, { body: { namespace: ['db'] } }), 200);
  const T = `/v1/${cat}/namespaces/db/tables/t`;
  const created = expectJson(await srv.req('POST', `/v1/${cat}/namespaces/db/tables`,
    { body: { name: 't', schema, 'partition-spec': spec } }), 200);
  const loc = created.metadata.location;
  const key = (p) => p.slice(`s3://${bucket}/`.length);
  const meta = { schema: JSON.stringify(schema), 'schema-id': 0, 'partition-spec': JSON.stringify(spec.fields),
    'partition-spec-id': 0, 'format-version': 2, content: 'data' };
  const files = [];
  const refs = [];
  for (let k = 0; k < MANIFESTS; k++) {
    const entries = [];
    for (let j = 0; j < PER; j++) {
      const f = `${loc}/data/name=n${k}/f${j}.parquet`;
      files.push(f);
      entries.push({ status: 1, snapshot_id: 1, sequence_number: 1, file_sequence_number: 1, data_file: {
        content: 0, file_path: f, file_format: 'PARQUET', partition: { name: `n${k}` }, record_count: 10,
        file_size_in_bytes: 100, equality_ids: null, sort_order_id: null } });
    }
    const m = `${loc}/metadata/m${k}.avro`;
    const buf = await writeAvro('avsc', manifestEntrySchema(2, spec, schema), entries, meta);
    await put(key(m), buf, bucket);
    const b = Buffer.from(`n${k}`);
    refs.push({ manifest_path: m, manifest_length: buf.length, partition_spec_id: 0, content: 0,
      sequence_number: 1, min_sequence_number: 1, added_snapshot_id: 1, added_files_count: PER,
      existing_files_count: 0, deleted_files_count: 0, added_rows_count: PER * 10, existing_rows_count: 0,
      deleted_rows_count: 0, partitions: [{ contains_null: false, contains_nan: null, lower_bound: b, upper_bound: b }],
      key_metadata: null });
  }
  const list = `${loc}/metadata/snap-1.avro`;
  await put(key(list), await writeAvro('avsc', manifestListSchema(2), refs,
    { 'snapshot-id': 1, 'parent-snapshot-id': 'null', 'sequence-number': 1, 'format-version': 2 }), bucket);
  expectJson(await srv.req('POST', T, { body: { requirements: [], updates: [
    { action: 'add-snapshot', snapshot: { 'snapshot-id': 1, 'sequence-number': 1, 'timestamp-ms': Date.now(),
      'manifest-list': list, summary: { operation: 'append' }, 'schema-id': 0 } },
    { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 1 }] } }), 200);
  return { T, cat, loc, files };
}

const paths = (tasks) => tasks.map((t) => t['data-file']['file-path']).sort();

test('a plan of more manifests than one fetch run is made in the request; credentials as loadTable gives them', async () => {
  const { T, loc, files } = await s3Table(true);
  const names = Array.from({ length: MANIFESTS - 2 }, (_, k) => `n${k}`);
  const body = { filter: { type: 'in', term: 'name', values: names } };
  const plain = await srv.req('POST', `${T}/plan`, { body });
  assert.equal(plain.status, 200, plain.text);
  assert.equal(plain.json.status, 'completed');
  assert.equal(plain.json['storage-credentials'], undefined);
  assert.deepEqual(paths(plain.json['file-scan-tasks']), files.filter((f) => names.some((n) => f.includes(`/name=${n}/`))).sort());
  assert.match(plain.headers['x-pangolin-scan'], new RegExp(`manifests-read=${MANIFESTS - 2};`));
  const vend = { 'x-iceberg-access-delegation': 'vended-credentials' };
  const vended = await srv.req('POST', `${T}/plan`, { body, headers: vend });
  assert.equal(vended.status, 200, vended.text);
  const creds = vended.json['storage-credentials'];
  assert.equal(creds.length, 1);
  assert.equal(creds[0].prefix, loc);
  assert.equal(creds[0].config['s3.access-key-id'], 'test:tester');
  assert.match(vended.headers.vary ?? '', /X-Iceberg-Access-Delegation/i);
});

test('remote signing: a plan hands out the signing config, not keys', async () => {
  const { T } = await s3Table(false);
  const r = await srv.req('POST', `${T}/plan`, {
    body: { filter: { type: 'eq', term: 'name', value: 'n3' } },
    headers: { 'x-iceberg-access-delegation': 'remote-signing' },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json['file-scan-tasks'].length, PER);
  const cfg = r.json['storage-credentials'][0].config;
  assert.equal(cfg['s3.remote-signing-enabled'], 'true');
  assert.equal(cfg['s3.access-key-id'], undefined);
});

test('a plan of every manifest is a task: the runner reads the bucket, the parts hold every file', async () => {
  const { T, files } = await s3Table(false);
  const sub = await srv.req('POST', `${T}/plan`, { body: {} });
  assert.equal(sub.status, 200, sub.text);
  assert.equal(sub.json.status, 'submitted');
  // Until the task has made it: a deadline of a minute, not a count of
  // polls, whose time a loaded machine stretches.
  let done;
  for (const end = Date.now() + 60000; Date.now() < end;) {
    done = (await srv.req('GET', `${T}/plan/${sub.json['plan-id']}`)).json;
    if (done.status !== 'submitted') break;
    await new Promise((res) => setTimeout(res, 25));
  }
  assert.equal(done.status, 'completed', JSON.stringify(done));
  const got = [];
  for (const pt of done['plan-tasks']) {
    const r = await srv.req('POST', `${T}/tasks`, { body: { 'plan-task': pt } });
    assert.equal(r.status, 200, r.text);
    got.push(...r.json['file-scan-tasks']);
  }
  assert.deepEqual(paths(got), [...files].sort());
  const task = expectJson(await srv.rawReq('GET', `/api/v1/tasks/${sub.json['plan-id']}`), 200);
  assert.equal(task.kind, 'scan_plan');
  assert.equal(task.result.manifests_read, MANIFESTS);
  assert.equal(task.progress.done, MANIFESTS);
  assert.equal(task.progress.total, MANIFESTS);
});
