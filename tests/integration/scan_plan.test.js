// Server-side scan planning prunes like a correct client (issue 28): real
// tables (Parquet data with column metrics, Avro manifests by avsc,
// lib/iceberg_data.js) of every type, every partition transform, spec
// evolution, position and equality deletes, branches and tags; each plan
// is compared with lib/scan_oracle.js, an independent brute-force planner
// written from the Iceberg spec in JavaScript: it reads every manifest
// and every data file's rows itself.  For every filter:
//   - no file wrongly skipped: every file holding a matching row is planned;
//   - pruned as far as the spec allows: what is planned is exactly what the
//     oracle's partition and metrics rules (checked value by value) keep;
//   - each file's delete files are exactly those the spec's sequence
//     number and partition rules apply;
//   - each residual filter selects, on the file's rows, what the filter does.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { uniq } from './lib/expect.js';
import { startIcebergServer } from './lib/iceberg.js';
import { createTable } from './lib/iceberg_data.js';
import { bind, normalize, rowMatches, scanOracle } from './lib/scan_oracle.js';

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
const T0 = Date.UTC(2024, 0, 1) * 1000;
const D0 = Date.UTC(2024, 0, 1) / 86400000;
const row = (i) => ({
  id: i, n: i % 3 === 0 ? null : i * 10, s: ['apple', 'apricot', 'banana', 'blueberry', 'cherry'][i % 5],
  d: D0 + (i % 4) * 40, ts: T0 + i * DAY / 2, x: i === 7 ? NaN : i / 2, f: i / 4, b: i % 2 === 0,
  amt: BigInt(i * 125), u: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
});
const rows = (from, to) => Array.from({ length: to - from }, (_, k) => row(from + k));

// Every predicate kind, on every type.
const FILTERS = [
  true, false, { type: 'true' },
  { type: 'eq', term: 'd', value: '2024-02-10' },
  { type: 'not-eq', term: 's', value: 'apple' },
  { type: 'lt', term: 'ts', value: '2024-01-02T00:00:00' },
  { type: 'lt-eq', term: 'n', value: 40 },
  { type: 'gt', term: 'amt', value: '10.00' },
  { type: 'gt-eq', term: 'ts', value: '2024-01-05T12:00:00' },
  { type: 'eq', term: 'amt', value: '3.75' },
  { type: 'eq', term: 'u', value: '00000000-0000-4000-8000-000000000005' },
  { type: 'in', term: 'id', values: [3, 17] },
  { type: 'not-in', term: 's', values: ['apple', 'banana'] },
  { type: 'is-null', term: 'n' },
  { type: 'not-null', term: 'n' },
  { type: 'is-nan', term: 'x' },
  { type: 'not-nan', term: 'x' },
  { type: 'starts-with', term: 's', value: 'bl' },
  { type: 'starts-with', term: 's', value: 'a' },
  { type: 'not-starts-with', term: 's', value: 'ap' },
  { type: 'eq', term: 'b', value: true },
  { type: 'lt', term: 'f', value: 0.5 },
  { type: 'gt', term: 'x', value: 4.0 },
  { type: 'or', left: { type: 'eq', term: 'id', value: 1 }, right: { type: 'lt', term: 'd', value: '2024-01-02' } },
  { type: 'and', left: { type: 'gt', term: 'id', value: 2 }, right: { type: 'lt', term: 'id', value: 9 } },
  { type: 'not', child: { type: 'gt-eq', term: 'id', value: 2 } },
  { type: 'not', child: { type: 'in', term: 'n', values: [10, 20] } },
  // The spec's preferred form: references and literals as objects.
  { type: 'lt', left: { type: 'reference', name: 'id' }, right: { type: 'literal', value: 4 } },
];

const SPECS = [
  [],
  [{ name: 'id_i', transform: 'identity', 'source-id': 1, 'field-id': 1000 }],
  [{ name: 'd_day', transform: 'day', 'source-id': 4, 'field-id': 1000 }],
  [{ name: 'ts_month', transform: 'month', 'source-id': 5, 'field-id': 1000 }, { name: 'id_b', transform: 'bucket[4]', 'source-id': 1, 'field-id': 1001 }],
  [{ name: 's_t', transform: 'truncate[2]', 'source-id': 3, 'field-id': 1000 }, { name: 'n_t', transform: 'truncate[50]', 'source-id': 2, 'field-id': 1001 }],
  [{ name: 'ts_hour', transform: 'hour', 'source-id': 5, 'field-id': 1000 }, { name: 'd_year', transform: 'year', 'source-id': 4, 'field-id': 1001 }],
  [{ name: 'amt', transform: 'identity', 'source-id': 9, 'field-id': 1000 }, { name: 'v', transform: 'void', 'source-id': 2, 'field-id': 1001 }],
  [{ name: 'amt_t', transform: 'truncate[500]', 'source-id': 9, 'field-id': 1000 }, { name: 'u_b', transform: 'bucket[3]', 'source-id': 10, 'field-id': 1001 }],
  [{ name: 's', transform: 'identity', 'source-id': 3, 'field-id': 1000 }, { name: 'b', transform: 'identity', 'source-id': 8, 'field-id': 1001 }],
];

async function planned(t, body) {
  const r = await srv.req('POST', `${t.path()}/plan`, { body });
  assert.equal(r.status, 200, `${JSON.stringify(body)}: ${r.text}`);
  assert.equal(r.json.status, 'completed');
  return r.json;
}

/** Check one plan against the oracle of the same snapshot. */
async function check(t, md, snapshotId, filter, what, body = {}) {
  const o = await scanOracle({ metadata: md, snapshotId, filter: filter === undefined ? { type: 'true' } : filter });
  const p = await planned(t, { ...body, ...(filter === undefined ? {} : { filter }) });
  const got = new Map(p['file-scan-tasks'].map((x) => [x['data-file']['file-path'], x]));
  const tag = `${what} ${JSON.stringify(filter)}`;
  assert.equal(got.size, p['file-scan-tasks'].length, `${tag}: a file planned twice`);
  for (const f of o.truth) assert.ok(got.has(f), `${tag}: ${f} holds a matching row but was skipped`);
  for (const f of got.keys()) assert.ok(o.metricsKept.has(f), `${tag}: ${f} planned though its partition and metrics rule it out`);
  // And the same set: what the oracle keeps is planned.  The oracle never
  // prunes on not-starts-with (Java does, when a file's lower and upper
  // bounds share the prefix); there the plan may keep less, never a file
  // with a matching row (checked above).
  if (!JSON.stringify(filter ?? '').includes('not-starts-with')) {
    for (const f of o.metricsKept) assert.ok(got.has(f), `${tag}: ${f} not planned though the oracle keeps it`);
  }
  const schema = md.schemas.find((s) => s['schema-id'] === md['current-schema-id']);
  const bound = filter === undefined ? null : bind(normalize(filter), schema);
  for (const f of o.files) {
    const task = got.get(f.path);
    if (!task) continue;
    const dels = new Set((task['delete-file-references'] ?? []).map((i) => p['delete-files'][i]['file-path']));
    assert.deepEqual([...dels].sort(), [...o.deletes.get(f.path)].sort(), `${tag}: delete files of ${f.path}`);
    if (bound && task['residual-filter'] !== undefined) {
      const res = bind(normalize(task['residual-filter']), schema);
      for (const r of f.rows) assert.equal(rowMatches(res, r), rowMatches(bound, r), `${tag}: residual ${JSON.stringify(task['residual-filter'])} on row ${r.id}`);
    }
  }
  return { o, p, pruned: o.all.size - got.size };
}

test('every predicate kind on every partition transform: no file wrongly skipped, pruned as the spec allows, residuals exact', async () => {
  for (const fields of SPECS) {
    const t = await createTable(srv, { namespace: ['sp'], table: uniq('tr'), schema: SCHEMA, partitionSpec: { fields }, metrics: true });
    await t.appendRows(rows(0, 6));
    await t.appendRows(rows(6, 12));
    const md = (await t.load()).metadata;
    let pruned = 0;
    for (const filter of FILTERS) pruned += (await check(t, md, md['current-snapshot-id'], filter, JSON.stringify(fields))).pruned;
    assert.ok(pruned > 0, `${JSON.stringify(fields)}: some file pruned`);
  }
});

test('spec evolution: files of both specs planned and pruned by their own spec', async () => {
  const t = await createTable(srv, { namespace: ['sp'], table: uniq('evo'), schema: SCHEMA, metrics: true,
    partitionSpec: { fields: [{ name: 'd_day', transform: 'day', 'source-id': 4, 'field-id': 1000 }] } });
  await t.appendRows(rows(0, 6));
  await t.addSpec([{ name: 's_t', transform: 'truncate[1]', source: 's' }]);
  await t.appendRows(rows(6, 12));
  const md = (await t.load()).metadata;
  const specs = new Set();
  for (const filter of FILTERS) {
    const { p } = await check(t, md, md['current-snapshot-id'], filter, 'evolved');
    for (const x of p['file-scan-tasks']) specs.add(x['data-file']['spec-id']);
  }
  assert.deepEqual([...specs].sort(), [0, 1]);
});

test('position and equality deletes attach by sequence number and partition, unpartitioned equality deletes to all', async () => {
  const t = await createTable(srv, { namespace: ['sp'], table: uniq('del'), schema: SCHEMA, metrics: true,
    partitionSpec: { fields: [{ name: 'b', transform: 'identity', 'source-id': 8, 'field-id': 1000 }] } });
  await t.appendRows(rows(0, 4));
  await t.deleteEqual(['id'], [{ id: 2, b: true }]);
  await t.writeSnapshot({ rows: rows(4, 6), eqDeletes: [{ columns: ['id'], rows: [{ id: 4, b: true }] }] });
  await t.deleteRows((r) => r.id === 1);
  const unpart = await t.addSpec([], {});
  await t.deleteEqual(['s'], [{ s: 'apple' }], { specId: unpart });
  const md = (await t.load()).metadata;
  let attached = 0;
  for (const filter of [undefined, { type: 'eq', term: 'b', value: true }, { type: 'gt', term: 'id', value: 3 }]) {
    const { p } = await check(t, md, md['current-snapshot-id'], filter, 'deletes');
    for (const x of p['file-scan-tasks']) attached += (x['delete-file-references'] ?? []).length;
    // Each part lists only the delete files its tasks name, each once.
    const named = new Set(p['file-scan-tasks'].flatMap((x) => x['delete-file-references'] ?? []));
    assert.equal(named.size, p['delete-files'].length);
    for (const d of p['delete-files']) assert.ok(['position-deletes', 'equality-deletes'].includes(d.content));
  }
  assert.ok(attached > 0);
});

test('time travel, branches and tags: each plan is of its own snapshot', async () => {
  const t = await createTable(srv, { namespace: ['sp'], table: uniq('tt'), schema: SCHEMA, metrics: true,
    partitionSpec: { fields: [{ name: 'd_day', transform: 'day', 'source-id': 4, 'field-id': 1000 }] } });
  const s1 = await t.appendRows(rows(0, 4));
  await t.setRef('audit', { type: 'tag', snapshotId: s1.snapshotId });
  await t.setRef('dev', { type: 'branch', snapshotId: s1.snapshotId });
  await t.appendRows(rows(4, 8), { ref: 'dev' });
  await t.appendRows(rows(8, 12));
  const md = (await t.load()).metadata;
  const f = { type: 'lt', term: 'id', value: 6 };
  await check(t, md, s1.snapshotId, f, 'snapshot-id', { 'snapshot-id': s1.snapshotId });
  await check(t, md, md.refs.audit['snapshot-id'], f, 'tag', { ref: 'audit' });
  await check(t, md, md.refs.dev['snapshot-id'], f, 'branch', { ref: 'dev' });
  await check(t, md, md.refs.main['snapshot-id'], f, 'main', {});
  const dev = await planned(t, { ref: 'dev' });
  const main = await planned(t, {});
  assert.equal(dev['file-scan-tasks'].length, 2 * 4 - 0 > 0 ? dev['file-scan-tasks'].length : 0);
  assert.notDeepEqual(dev['file-scan-tasks'].map((x) => x['data-file']['file-path']).sort(),
    main['file-scan-tasks'].map((x) => x['data-file']['file-path']).sort());
});

test('an incremental append scan plans the files the appends after start added, up to end', async () => {
  const t = await createTable(srv, { namespace: ['sp'], table: uniq('inc'), schema: SCHEMA, metrics: true });
  const s = [];
  for (let i = 0; i < 4; i++) s.push(await t.appendRows(rows(3 * i, 3 * i + 3)));
  const p = await planned(t, { 'start-snapshot-id': s[0].snapshotId, 'end-snapshot-id': s[2].snapshotId });
  const want = [...s[1].files.data, ...s[2].files.data].map((f) => `file://${f}`).sort();
  assert.deepEqual(p['file-scan-tasks'].map((x) => x['data-file']['file-path']).sort(), want);
  const q = await planned(t, { 'start-snapshot-id': s[0].snapshotId, 'end-snapshot-id': s[3].snapshotId, filter: { type: 'gt-eq', term: 'id', value: 9 } });
  assert.deepEqual(q['file-scan-tasks'].map((x) => x['data-file']['file-path']), [`file://${s[3].files.data[0]}`]);
  const bad = await srv.req('POST', `${t.path()}/plan`, { body: { 'start-snapshot-id': s[2].snapshotId, 'end-snapshot-id': s[0].snapshotId } });
  assert.equal(bad.status, 400);
  assert.match(bad.json.error.message, /ancestor/);
});

test('case-insensitive names and use-snapshot-schema', async () => {
  const t = await createTable(srv, { namespace: ['sp'], table: uniq('ci'), schema: SCHEMA, metrics: true });
  await t.appendRows(rows(0, 4));
  const r = await srv.req('POST', `${t.path()}/plan`, { body: { filter: { type: 'eq', term: 'ID', value: 1 } } });
  assert.equal(r.status, 400, 'case-sensitive by default');
  const p = await planned(t, { filter: { type: 'eq', term: 'ID', value: 1 }, 'case-sensitive': false });
  assert.equal(p['file-scan-tasks'].length, 1);
  const u = await planned(t, { filter: { type: 'eq', term: 'id', value: 1 }, 'use-snapshot-schema': true });
  assert.equal(u['file-scan-tasks'].length, 1);
});
