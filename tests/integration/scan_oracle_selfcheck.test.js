// The scan oracle (lib/scan_oracle.js) and the planning tables of
// lib/iceberg_data.js check themselves: typed columns with metrics,
// every partition transform, spec evolution, equality and position
// deletes with their sequence numbers, branches and tags.  No planner is
// involved: the oracle's row truth must lie inside what its metrics rules
// keep, and both are compared with answers worked out by hand.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startIcebergServer } from './lib/iceberg.js';
import { createTable, readAvro, localPath, valueFromBytes, applyTransform } from './lib/iceberg_data.js';
import { scanOracle, normalize, literal } from './lib/scan_oracle.js';
import { uniq } from './lib/expect.js';

let srv;
before(async () => { srv = await startIcebergServer(); });
after(async () => { await srv?.stop(); });

const SCHEMA = {
  type: 'struct', 'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'n', required: false, type: 'int' },
    { id: 3, name: 's', required: false, type: 'string' },
    { id: 4, name: 'd', required: false, type: 'date' },
    { id: 5, name: 'ts', required: false, type: 'timestamp' },
    { id: 6, name: 'x', required: false, type: 'double' },
    { id: 7, name: 'f', required: false, type: 'float' },
    { id: 8, name: 'b', required: false, type: 'boolean' },
    { id: 9, name: 'amt', required: false, type: 'decimal(9,2)' },
    { id: 10, name: 'u', required: false, type: 'uuid' },
  ],
};

const DAY = 86400e6;
const T0 = Date.UTC(2024, 0, 1) * 1000;	// 2024-01-01 in microseconds
const D0 = Date.UTC(2024, 0, 1) / 86400000;

/** Row i: values that spread over days, buckets and prefixes. */
const row = (i) => ({
  id: i, n: i % 3 === 0 ? null : i * 10, s: ['apple', 'apricot', 'banana', 'blueberry', 'cherry'][i % 5],
  d: D0 + (i % 4) * 40, ts: T0 + i * DAY / 2, x: i === 7 ? NaN : i / 2, f: i / 4, b: i % 2 === 0,
  amt: BigInt(i * 125), u: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
});
const rows = (from, to) => Array.from({ length: to - from }, (_, k) => row(from + k));

async function snapshotOracle(t, filter, ref = 'main') {
  const md = (await t.load()).metadata;
  return scanOracle({ metadata: md, snapshotId: md.refs[ref]['snapshot-id'], filter });
}

const subset = (a, b, what) => { for (const x of a) assert.ok(b.has(x), `${what}: ${x}`); };

test('oracle: expressions normalise (NOT pushed down) and literals parse per type', () => {
  assert.deepEqual(normalize({ type: 'not', child: { type: 'and', left: { type: 'lt', term: 'id', value: 3 }, right: { type: 'is-null', term: 's' } } }),
    { type: 'or', left: { type: 'gt-eq', term: 'id', value: 3 }, right: { type: 'not-null', term: 's' } });
  assert.deepEqual(normalize(true), { type: 'true' });
  assert.equal(literal('date', '2024-01-01'), D0);
  assert.equal(literal('timestamp', '2024-01-01T00:00:01.5'), T0 + 1500000);
  assert.equal(literal('decimal(9,2)', '12.3'), 1230n);
  assert.equal(literal('decimal(9,2)', '-0.05'), -5n);
  assert.equal(applyTransform('truncate[3]', 'string', 'apricot'), 'apr');
  assert.equal(applyTransform('truncate[10]', 'int', -1), -10);
  assert.equal(applyTransform('month', 'date', D0 + 40), 649);	// 2024-02
  assert.equal(applyTransform('hour', 'timestamp', T0 - 1), 473352 - 1);
  // The spec's Appendix B examples: bucket hashes of 34 and "iceberg".
  assert.equal(applyTransform('bucket[2147483647]', 'int', 34), 2017239379);
  assert.equal(applyTransform('bucket[2147483647]', 'string', 'iceberg'), 1210000089);
});

test('typed table with metrics: every type round-trips, bounds are Appendix D', async () => {
  const t = await createTable(srv, { namespace: ['so'], table: uniq('typed'), schema: SCHEMA, metrics: true });
  await t.appendRows(rows(0, 10));
  const md = (await t.load()).metadata;
  const o = await scanOracle({ metadata: md, snapshotId: md['current-snapshot-id'] });
  assert.equal(o.files.length, 1);
  const f = o.files[0];
  assert.deepEqual(f.rows.map((r) => r.id), rows(0, 10).map((r) => r.id));
  assert.equal(f.rows[3].amt, 375n);
  assert.equal(f.rows[2].u, '00000000-0000-4000-8000-000000000002');
  assert.equal(f.rows[1].ts, T0 + DAY / 2);
  assert.ok(Number.isNaN(f.rows[7].x));
  const df = f.entry.data_file;
  const m = (list, id) => list.find((x) => x.key === id)?.value;
  assert.equal(m(df.value_counts, 2), 10);
  assert.equal(m(df.null_value_counts, 2), 4);		// i = 0, 3, 6, 9
  assert.equal(m(df.nan_value_counts, 6), 1);
  assert.equal(m(df.nan_value_counts, 1), undefined);	// only float and double
  assert.equal(valueFromBytes('double', m(df.upper_bounds, 6)), 4.5);	// NaN is not a bound
  assert.equal(valueFromBytes('string', m(df.lower_bounds, 3)), 'apple');
  assert.equal(valueFromBytes('decimal(9,2)', m(df.upper_bounds, 9)), 1125n);
  assert.deepEqual(m(df.lower_bounds, 9), Buffer.from([0]));	// minimal two's complement
  assert.equal(valueFromBytes('timestamp', m(df.lower_bounds, 5)), T0);
  assert.deepEqual(df.split_offsets, [4]);
  // Every filter: the truth is inside what metrics keep.
  const hit = await snapshotOracle(t, { type: 'eq', term: 's', value: 'cherry' });
  assert.equal(hit.truth.size, 1);
  subset(hit.truth, hit.metricsKept, 'truth within kept');
  const miss = await snapshotOracle(t, { type: 'gt', term: 'amt', value: '100.00' });
  assert.equal(miss.truth.size, 0);
  assert.equal(miss.metricsKept.size, 0);	// upper bound 11.25
  const nan = await snapshotOracle(t, { type: 'is-nan', term: 'x' });
  assert.equal(nan.truth.size, 1);
  const notNull = await snapshotOracle(t, { type: 'not', child: { type: 'not-null', term: 'n' } });
  assert.equal(notNull.truth.size, 1);
});

test('every transform: partitions, summaries, and pruning as the spec allows', async () => {
  const specs = [
    [{ name: 'd_day', transform: 'day', 'source-id': 4, 'field-id': 1000 }],
    [{ name: 'ts_month', transform: 'month', 'source-id': 5, 'field-id': 1000 }, { name: 'id_b', transform: 'bucket[4]', 'source-id': 1, 'field-id': 1001 }],
    [{ name: 's_t', transform: 'truncate[2]', 'source-id': 3, 'field-id': 1000 }, { name: 'n_t', transform: 'truncate[50]', 'source-id': 2, 'field-id': 1001 }],
    [{ name: 'ts_hour', transform: 'hour', 'source-id': 5, 'field-id': 1000 }, { name: 'd_year', transform: 'year', 'source-id': 4, 'field-id': 1001 }],
    [{ name: 'amt', transform: 'identity', 'source-id': 9, 'field-id': 1000 }, { name: 'v', transform: 'void', 'source-id': 2, 'field-id': 1001 }],
    [{ name: 'amt_t', transform: 'truncate[500]', 'source-id': 9, 'field-id': 1000 }, { name: 'u_b', transform: 'bucket[3]', 'source-id': 10, 'field-id': 1001 }],
  ];
  const filters = [
    { type: 'eq', term: 'd', value: '2024-02-10' },
    { type: 'lt', term: 'ts', value: '2024-01-02T00:00:00' },
    { type: 'gt-eq', term: 'ts', value: '2024-01-05T12:00:00' },
    { type: 'starts-with', term: 's', value: 'bl' },
    { type: 'starts-with', term: 's', value: 'a' },
    { type: 'in', term: 'id', values: [3, 17] },
    { type: 'lt-eq', term: 'n', value: 40 },
    { type: 'eq', term: 'amt', value: '3.75' },
    { type: 'gt', term: 'amt', value: '10.00' },
    { type: 'eq', term: 'u', value: '00000000-0000-4000-8000-000000000005' },
    { type: 'is-null', term: 'n' },
    { type: 'not-eq', term: 's', value: 'apple' },
    { type: 'or', left: { type: 'eq', term: 'id', value: 1 }, right: { type: 'lt', term: 'd', value: '2024-01-02' } },
    { type: 'not', child: { type: 'gt-eq', term: 'id', value: 2 } },
  ];
  for (const fields of specs) {
    const t = await createTable(srv, { namespace: ['so'], table: uniq('tr'), schema: SCHEMA, partitionSpec: { fields }, metrics: true });
    const w = await t.appendRows(rows(0, 12));
    // The manifest list summarises each partition field.
    const { records: list } = await readAvro(fs.readFileSync(w.files.manifestList));
    assert.equal(list[0].partitions.length, fields.length);
    const { records: entries } = await readAvro(fs.readFileSync(localPath(list[0].manifest_path)));
    if (fields[1]?.transform === 'void') assert.ok(entries.every((e) => e.data_file.partition.v === null));
    let pruned = 0;
    for (const filter of filters) {
      const o = await snapshotOracle(t, filter);
      // The row truth, worked out on the rows written, not the files.
      subset(o.truth, o.metricsKept, `${JSON.stringify(fields)} ${JSON.stringify(filter)}: truth within kept`);
      pruned += o.all.size - o.metricsKept.size;
    }
    assert.ok(pruned > 0, `${JSON.stringify(fields)}: some file pruned`);
  }
});

test('spec evolution: older manifests keep their spec; both are planned', async () => {
  const t = await createTable(srv, { namespace: ['so'], table: uniq('evo'), schema: SCHEMA, metrics: true });
  await t.appendRows(rows(0, 6));
  const specId = await t.addSpec([{ name: 's_t', transform: 'truncate[1]', source: 's' }]);
  assert.equal(specId, 1);
  const w = await t.appendRows(rows(6, 12));
  const { records: list } = await readAvro(fs.readFileSync(w.files.manifestList));
  assert.deepEqual(list.map((m) => m.partition_spec_id).sort(), [0, 1]);
  const o = await snapshotOracle(t, { type: 'eq', term: 's', value: 'banana' });
  assert.equal(o.all.size, 4);		// one unpartitioned + a, b, c
  assert.equal(o.truth.size, 2);		// the old file and the "b" one
  subset(o.truth, o.metricsKept, 'truth within kept');
  assert.equal(o.metricsKept.size, 2);
  const specOf = new Map(o.files.map((f) => [f.path, f.specId]));
  assert.deepEqual([...o.truth].map((p) => specOf.get(p)).sort(), [0, 1]);
});

test('deletes: sequence numbers, partitions and unpartitioned equality deletes', async () => {
  const t = await createTable(srv, {
    namespace: ['so'], table: uniq('del'), schema: SCHEMA, metrics: true,
    partitionSpec: { fields: [{ name: 'b', transform: 'identity', 'source-id': 8, 'field-id': 1000 }] },
  });
  const a = await t.appendRows(rows(0, 4));			// seq 1: b=true, b=false
  const eq = await t.deleteEqual(['id'], [{ id: 2, b: true }]);	// seq 2, partition b=true
  const both = await t.writeSnapshot({ rows: rows(4, 6), eqDeletes: [{ columns: ['id'], rows: [{ id: 4, b: true }] }] });	// seq 3
  await t.deleteRows((r) => r.id === 1);			// seq 4: a position delete
  const unpart = await t.addSpec([], {});
  await t.deleteEqual(['s'], [{ s: 'apple' }], { specId: unpart });	// seq 5, unpartitioned
  const md = (await t.load()).metadata;
  const o = await scanOracle({ metadata: md, snapshotId: md['current-snapshot-id'] });
  const fileOf = (seq, bval) => o.files.find((f) => f.seq === seq && f.partition.b === bval).path;
  const names = (p) => [...o.deletes.get(p)].map((d) => d.replace(/.*\//, '').replace(/^[0-9a-f-]{36}-?/, '')).sort();
  assert.equal(a.sequenceNumber, 1);
  assert.equal(eq.sequenceNumber, 2);
  // seq-1 data, b=true: the seq-2 and seq-3 equality deletes of b=true and the unpartitioned one.
  assert.deepEqual(names(fileOf(1, true)), ['eq-deletes.parquet', 'eq-deletes.parquet', 'eq-deletes.parquet']);
  // seq-1 data, b=false: the position delete (id 1) and the unpartitioned equality delete.
  assert.deepEqual(names(fileOf(1, false)), ['deletes.parquet', 'eq-deletes.parquet']);
  // seq-3 data, b=true: not its own snapshot's equality delete (data seq < delete seq fails), only seq 5's.
  assert.deepEqual(names(fileOf(3, true)), ['eq-deletes.parquet']);
  assert.equal(both.sequenceNumber, 3);
  const del = o.files.find((f) => f.seq === 3 && f.partition.b === true);
  assert.ok([...o.deletes.get(del.path)].every((p) => !both.files.deletes.includes(localPath(p))));
  // The delete manifests record content 2 and equality ids.
  const { records: list } = await readAvro(fs.readFileSync(localPath(md.snapshots.find((s) => s['snapshot-id'] === eq.snapshotId)['manifest-list'])));
  const dm = list.find((m) => m.content === 1);
  const { records: es } = await readAvro(fs.readFileSync(localPath(dm.manifest_path)));
  assert.deepEqual(es.map((e) => [e.data_file.content, e.data_file.equality_ids]), [[2, [1]]]);
});

test('branches and tags: each ref plans its own snapshot', async () => {
  const t = await createTable(srv, { namespace: ['so'], table: uniq('refs'), schema: SCHEMA, metrics: true });
  await t.appendRows(rows(0, 3));
  await t.setRef('v1', { type: 'tag' });
  await t.setRef('dev', { type: 'branch' });
  await t.appendRows(rows(3, 6), { ref: 'dev' });
  await t.appendRows(rows(6, 9));
  const f = { type: 'gt-eq', term: 'id', value: 3 };
  const tag = await snapshotOracle(t, f, 'v1');
  const dev = await snapshotOracle(t, f, 'dev');
  const main = await snapshotOracle(t, f, 'main');
  assert.deepEqual([tag.all.size, dev.all.size, main.all.size], [1, 2, 2]);
  assert.deepEqual([tag.truth.size, dev.truth.size, main.truth.size], [0, 1, 1]);
  assert.notDeepEqual([...dev.truth], [...main.truth]);
  assert.equal(tag.metricsKept.size, 0);
});
