// The real-table harness (lib/iceberg_data.js) proves itself: tables
// written with Parquet, manifests and manifest lists from two Avro writers
// that are not ours, committed through the REST API, read back by icebird.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { avroMetadata, avroRead } from 'icebird';
import { BUILD, REPO } from './lib/server.js';
import { startIcebergServer } from './lib/iceberg.js';
import { createTable, registerTable, readAvro, localPath, setAge } from './lib/iceberg_data.js';
import { uniq } from './lib/expect.js';
import { ownCopy } from './lib/location.js';

let srv;
before(async () => { srv = await startIcebergServer(); });
after(async () => { await srv?.stop(); });

const byId = (rows) => [...rows].sort((a, b) => a.id - b.id);
const rowsOf = (ids, tag = 'r') => ids.map((id) => ({ id, name: `${tag}${id}` }));

for (const v of [1, 2, 3]) {
  test(`v${v}: two appends with each writer read back exactly`, async () => {
    const t = await createTable(srv, { namespace: ['hd'], table: uniq('t'), formatVersion: v });
    assert.deepEqual(await t.readRows(), []);
    const a = await t.appendRows(rowsOf([1, 2, 3]), { writer: 'avsc' });
    const b = await t.appendRows(rowsOf([4, 5]), { writer: 'icebird' });
    const c = await t.appendRows(rowsOf([6]), { writer: 'icebird' });
    const d = await t.appendRows(rowsOf([7, 8]), { writer: 'avsc' });
    assert.deepEqual(byId(await t.readRows()), rowsOf([1, 2, 3, 4, 5, 6, 7, 8]));
    // Older snapshots still read as they were.
    assert.deepEqual(byId(await t.readRows({ snapshotId: b.snapshotId })), rowsOf([1, 2, 3, 4, 5]));
    const md = (await t.load()).metadata;
    assert.equal(md['format-version'], v);
    assert.equal(md['current-snapshot-id'], d.snapshotId);
    assert.equal(md.snapshots.find((s) => s['snapshot-id'] === c.snapshotId)['parent-snapshot-id'], b.snapshotId);
    if (v >= 2) assert.equal(d.sequenceNumber, a.sequenceNumber + 3);
    // The manifest list carries the spec's metadata keys and field ids.
    for (const s of [a, b]) {
      const buf = fs.readFileSync(s.files.manifestList);
      const { meta, records } = await readAvro(buf);
      assert.equal(meta['snapshot-id'], String(s.snapshotId));
      assert.equal(meta['format-version'], String(v));
      if (v >= 2) assert.equal(meta['sequence-number'], String(s.sequenceNumber));
      assert.match(meta['avro.schema'], /"field-id":500/);
      assert.equal(records[0].added_snapshot_id, s.snapshotId);
      const m = await readAvro(fs.readFileSync(localPath(records[0].manifest_path)));
      assert.match(m.meta['avro.schema'], /"field-id":100/);
      assert.equal(m.meta['format-version'], String(v));
    }
    const files = await t.filesOnDisk();
    assert.equal(files.filter((f) => f.endsWith('.parquet')).length, 4);
  });
}

test('v2: overwrite with position deletes, then a copy-on-write delete', async () => {
  const t = await createTable(srv, { namespace: ['hd'], table: uniq('ow') });
  await t.appendRows(rowsOf([1, 2, 3, 4]), { writer: 'icebird' });
  const o = await t.overwrite((r) => r.id === 2 || r.id === 4, rowsOf([9], 'new'), { writer: 'avsc' });
  assert.equal(o.files.deletes.length, 1);
  const snap = (await t.load()).metadata.snapshots.find((s) => s['snapshot-id'] === o.snapshotId);
  assert.equal(snap.summary.operation, 'overwrite');
  assert.deepEqual(byId(await t.readRows()), [...rowsOf([1, 3]), ...rowsOf([9], 'new')]);
  const list = await readAvro(fs.readFileSync(o.files.manifestList));
  assert.deepEqual(list.records.map((m) => m.content).sort(), [0, 0, 1]);
  const del = await t.deleteRows((r) => r.id === 9, { mode: 'cow', writer: 'icebird' });
  assert.equal(del.files.deletes.length, 0);
  assert.deepEqual(byId(await t.readRows()), rowsOf([1, 3]));
});

test('v1: copy-on-write delete', async () => {
  const t = await createTable(srv, { namespace: ['hd'], table: uniq('v1d'), formatVersion: 1 });
  await t.appendRows(rowsOf([1, 2, 3]), { writer: 'avsc' });
  await t.deleteRows((r) => r.id === 1);
  assert.deepEqual(byId(await t.readRows()), rowsOf([2, 3]));
});

test('partitioned (identity + bucket): files per partition, summaries', async () => {
  const t = await createTable(srv, {
    namespace: ['hd'], table: uniq('part'),
    schema: { type: 'struct', 'schema-id': 0, fields: [
      { id: 1, name: 'id', required: true, type: 'long' },
      { id: 2, name: 'name', required: false, type: 'string' },
      { id: 3, name: 'region', required: false, type: 'string' }] },
    partitionSpec: { fields: [
      { name: 'region', transform: 'identity', 'source-id': 3, 'field-id': 1000 },
      { name: 'id_bucket', transform: 'bucket[4]', 'source-id': 1, 'field-id': 1001 }] },
  });
  const rows = [1, 2, 3, 4, 5, 6].map((id) => ({ id, name: `n${id}`, region: id % 2 ? 'eu' : 'us' }));
  const a = await t.appendRows(rows, { writer: 'avsc' });
  assert.ok(a.files.data.length >= 2);
  assert.ok(a.files.data.every((f) => /\/region=(eu|us)\/id_bucket=\d\//.test(f)));
  const list = await readAvro(fs.readFileSync(a.files.manifestList));
  const sum = list.records[0].partitions;
  assert.equal(sum[0].lower_bound.toString(), 'eu');
  assert.equal(sum[0].upper_bound.toString(), 'us');
  // Iceberg's bucket of long 1 into 4 (murmur3 of 8 LE bytes -> 1392991556).
  const files = await t.dataFiles();
  const one = files.find((f) => f.rows.some((r) => r.id === 1));
  assert.equal(one.partition.id_bucket, 1392991556 % 4);
  await t.appendRows([{ id: 7, name: 'n7', region: 'eu' }], { writer: 'icebird' });
  assert.deepEqual(byId(await t.readRows()), [...rows, { id: 7, name: 'n7', region: 'eu' }]);
});

test('tags, branches with retention, statistics, assert-ref-snapshot-id', async () => {
  const t = await createTable(srv, { namespace: ['hd'], table: uniq('refs') });
  const a = await t.appendRows(rowsOf([1]));
  await t.setRef('v1', { type: 'tag', maxRefAgeMs: 86400000 });
  await t.setRef('audit', { type: 'branch', maxSnapshotAgeMs: 3600000, minSnapshotsToKeep: 2, maxRefAgeMs: 7 * 86400000 });
  const onBranch = await t.appendRows(rowsOf([2]), { ref: 'audit', writer: 'icebird' });
  await t.appendRows(rowsOf([3]));
  const md = (await t.load()).metadata;
  assert.equal(md.refs.v1.type, 'tag');
  assert.equal(md.refs.v1['snapshot-id'], a.snapshotId);
  assert.equal(md.refs.v1['max-ref-age-ms'], 86400000);
  assert.equal(md.refs.audit['snapshot-id'], onBranch.snapshotId);
  assert.equal(md.refs.audit['min-snapshots-to-keep'], 2);
  assert.deepEqual(await t.readRows({ ref: 'v1' }), rowsOf([1]));
  assert.deepEqual(byId(await t.readRows({ ref: 'audit' })), rowsOf([1, 2]));
  assert.deepEqual(byId(await t.readRows()), rowsOf([1, 3]));
  const stats = await t.setStatistics();
  const pstats = await t.setPartitionStatistics();
  const md2 = (await t.load()).metadata;
  assert.equal(md2.statistics[0]['statistics-path'], `file://${stats}`);
  assert.equal(md2['partition-statistics'][0]['statistics-path'], `file://${pstats}`);
  assert.ok(fs.existsSync(stats) && fs.existsSync(pstats));
  // A stale parent is refused by the catalog (assert-ref-snapshot-id).
  const r = await t.commit([{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': a.snapshotId }],
    [{ action: 'set-properties', updates: { x: '1' } }], { expect: null });
  assert.equal(r.status, 409);
});

test('a table on a catalog branch is written and read on that branch only', async () => {
  const t = await createTable(srv, { namespace: ['hd'], table: uniq('cb') });
  await t.appendRows(rowsOf([1]));
  const br = uniq('dev');
  const r = await srv.req('POST', '/api/v1/branches', { body: { name: br, catalog: 'demo', from_branch: 'main' } });
  assert.ok([200, 201].includes(r.status), r.text);
  const dev = t.onBranch(br);
  await dev.appendRows(rowsOf([2]), { writer: 'icebird' });
  assert.deepEqual(byId(await dev.readRows()), rowsOf([1, 2]));
  assert.deepEqual(await t.readRows(), rowsOf([1]));
});

test('old snapshot timestamps (for expiry) and a second table registered on the same files', async () => {
  const t = await createTable(srv, { namespace: ['hd'], table: uniq('old') });
  const day = 86400000;
  const now = Date.now();
  const a = await t.appendRows(rowsOf([1]), { timestampMs: now - 10 * day });
  const b = await t.appendRows(rowsOf([2]), { timestampMs: now - 9 * day, writer: 'icebird' });
  await t.appendRows(rowsOf([3]));
  const md = (await t.load()).metadata;
  assert.equal(md.snapshots.find((s) => s['snapshot-id'] === a.snapshotId)['timestamp-ms'], now - 10 * day);
  assert.equal(md.snapshots.find((s) => s['snapshot-id'] === b.snapshotId)['timestamp-ms'], now - 9 * day);
  const loaded = await t.load();
  // Registered on a copy of the metadata at a place of its own (every
  // table owns its files, issue 67): it reads the same data files.
  const twinName = uniq('twin');
  const copy = ownCopy(loaded['metadata-location'], path.join(await t.dir(), '..', twinName));
  const twin = await registerTable(srv, { namespace: ['hd'], table: twinName, metadataLocation: copy });
  assert.deepEqual(byId(await twin.readRows()), rowsOf([1, 2, 3]));
  assert.notEqual(await twin.dir(), await t.dir());
  // Orphans and ages for the orphan-removal cut-offs.
  const orphan = await t.orphanFile('data/stray.parquet', { ageMs: 4 * day });
  assert.ok((await t.filesOnDisk()).includes(orphan));
  assert.ok(Date.now() - fs.statSync(orphan).mtimeMs >= 4 * day - 1000);
  setAge(a.files.data, 20 * day);
  assert.ok(Date.now() - fs.statSync(a.files.data[0]).mtimeMs >= 20 * day - 1000);
});

test('v3 row lineage: manifests get first_row_id, next-row-id advances', async () => {
  const t = await createTable(srv, { namespace: ['hd'], table: uniq('v3'), formatVersion: 3 });
  const a = await t.appendRows(rowsOf([1, 2, 3]), { writer: 'icebird' });
  const b = await t.appendRows(rowsOf([4, 5]), { writer: 'avsc' });
  const md = (await t.load()).metadata;
  assert.equal(md['next-row-id'], 5);
  const sb = md.snapshots.find((s) => s['snapshot-id'] === b.snapshotId);
  assert.equal(sb['first-row-id'], 3);
  assert.equal(sb['added-rows'], 2);
  const list = await readAvro(fs.readFileSync(b.files.manifestList));
  assert.deepEqual(list.records.map((m) => m.first_row_id).sort(), [0, 3]);
  assert.equal(a.sequenceNumber + 1, b.sequenceNumber);
});

test('the C manifest list writer is read by avsc and by icebird', async () => {
  const dump = path.join(os.tmpdir(), `pgl-list-${process.pid}.avro`);
  const r = spawnSync(path.join(BUILD, 'tests', 'test_manifest'), [], {
    cwd: REPO, env: { ...process.env, TEST_FILTER: 'test_write_round_trip', MANIFEST_DUMP: dump }, encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const buf = fs.readFileSync(dump);
  fs.rmSync(dump);
  const { meta, records } = await readAvro(buf);
  assert.equal(meta['snapshot-id'], '77');
  assert.equal(meta['parent-snapshot-id'], '76');
  assert.equal(meta['sequence-number'], '12');
  assert.equal(meta['format-version'], '3');
  assert.equal(meta['first-row-id'], '500');
  const schema = JSON.parse(meta['avro.schema']);
  const ids = Object.fromEntries(schema.fields.map((f) => [f.name, f['field-id']]));
  assert.deepEqual(ids, {
    manifest_path: 500, manifest_length: 501, partition_spec_id: 502, content: 517, sequence_number: 515,
    min_sequence_number: 516, added_snapshot_id: 503, added_files_count: 504, existing_files_count: 505,
    deleted_files_count: 506, added_rows_count: 512, existing_rows_count: 513, deleted_rows_count: 514,
    partitions: 507, key_metadata: 519, first_row_id: 520,
  });
  assert.equal(records.length, 2);
  assert.equal(records[0].manifest_path, 's3://b/t/metadata/m0.avro');
  assert.equal(records[0].sequence_number, 12);
  assert.equal(records[0].partitions[1].lower_bound.length, 4);
  assert.equal(records[1].content, 1);
  assert.equal(records[1].first_row_id, null);
  // icebird's own Avro reader, as it reads a snapshot's manifest list.
  const reader = { view: new DataView(buf.buffer, buf.byteOffset, buf.length), offset: 0 };
  const head = await avroMetadata(reader);
  const got = avroRead({ reader, metadata: head.metadata, syncMarker: head.syncMarker });
  assert.deepEqual(got.map((m) => m.manifest_path), ['s3://b/t/metadata/m0.avro', 's3://b/t/metadata/m1.avro']);
  assert.equal(got[1].existing_rows_count, 9n);
});
