// POST .../tables/{table}/metrics (REST spec ReportMetricsRequest): a
// ScanReport or a CommitReport, checked like every other /v1 body (400 for
// unknown fields, wrong types, missing fields), 413 past 1 MiB, 204 when
// valid, 404 for a missing table.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { expectError, uniq } from './lib/expect.js';
import { CATALOG, simpleSchema, startIcebergServer } from './lib/iceberg.js';

let srv, tbl;
before(async () => {
  srv = await startIcebergServer();
  const ns = uniq('ns');
  assert.equal((await srv.req('POST', `/v1/${CATALOG}/namespaces`, { body: { namespace: [ns] } })).status, 200);
  assert.equal((await srv.req('POST', `/v1/${CATALOG}/namespaces/${ns}/tables`, { body: { name: 't', schema: simpleSchema() } })).status, 200);
  tbl = `/v1/${CATALOG}/namespaces/${ns}/tables/t`;
});
after(async () => { await srv?.stop(); });

const scan = () => ({
  'report-type': 'scan-report', 'table-name': 'demo.ns.t', 'snapshot-id': 3497810964824022504,
  filter: { type: 'eq', term: 'id', value: 1 }, 'schema-id': 0,
  'projected-field-ids': [1, 2], 'projected-field-names': ['id', 'data'],
  metrics: {
    'total-planning-duration': { count: 1, 'time-unit': 'nanoseconds', 'total-duration': 2644235116 },
    'result-data-files': { unit: 'count', value: 1 },
  },
  metadata: { 'engine-name': 'spark' },
});
const commit = () => ({
  'report-type': 'commit-report', 'table-name': 'demo.ns.t', 'snapshot-id': 1, 'sequence-number': 1,
  operation: 'append', metrics: { 'added-data-files': { unit: 'count', value: 3 } },
});

const post = (body, path = `${tbl}/metrics`) => srv.req('POST', path, { body });
const bad = async (body, message) => {
  const b = expectError(await post(body), 400, { iceberg: true, message });
  assert.equal(b.error.type, 'BadRequestException');
};

test('a valid scan report and a valid commit report answer 204 with no body', async () => {
  for (const body of [scan(), commit(), { ...scan(), filter: true }]) {
    const r = await post(body);
    assert.equal(r.status, 204, r.text);
    assert.equal(r.text, '');
  }
});

test('a report for a table that does not exist is 404 NoSuchTableException', async () => {
  const b = expectError(await post(commit(), tbl.replace(/\/t$/, '/nope') + '/metrics'), 404, { iceberg: true });
  assert.equal(b.error.type, 'NoSuchTableException');
});

test('unknown fields, wrong types and missing fields are 400 naming the field', async () => {
  await bad({ ...commit(), surprise: 1 }, /surprise/);
  await bad({ ...commit(), 'snapshot-id': 'one' }, /snapshot-id/);
  await bad({ ...commit(), 'snapshot-id': 1.5 }, /snapshot-id/);
  await bad({ ...scan(), 'projected-field-ids': ['a'] }, /projected-field-ids/);
  await bad({ ...scan(), metadata: { a: 1 } }, /metadata/);
  const { operation, ...noOp } = commit();
  assert.ok(operation);
  await bad(noOp, /operation/);
  await bad({ ...commit(), 'report-type': 'bogus-report' }, /report-type/);
  const { 'report-type': rt, ...noType } = commit();
  assert.ok(rt);
  await bad(noType, /report-type/);
  await bad([commit()], /object/);
  await bad(42, /object/);
});

test('each metric result must be a counter {unit, value} or a timer {time-unit, count, total-duration}', async () => {
  await bad({ ...commit(), metrics: { m: { unit: 'count' } } }, /metrics\.m.*value/);
  await bad({ ...commit(), metrics: { m: { unit: 'count', value: 'x' } } }, /metrics\.m.*value/);
  await bad({ ...commit(), metrics: { m: { count: 1, 'time-unit': 'ns' } } }, /metrics\.m.*total-duration/);
  await bad({ ...commit(), metrics: { m: { unit: 'count', value: 1, extra: 2 } } }, /metrics\.m.*extra/);
  await bad({ ...commit(), metrics: { m: 5 } }, /metrics\.m/);
});

test('malformed JSON is 400; a report over 1 MiB is 413 in the Iceberg envelope', async () => {
  let r = await srv.rawReq('POST', `${tbl}/metrics`, { body: '{"report-type":', headers: { 'content-type': 'application/json' } });
  assert.equal(r.status, 400);
  assert.equal(JSON.parse(r.text).error.code, 400);
  const big = { ...commit(), metadata: { pad: 'x'.repeat(2 * 1024 * 1024) } };
  r = await srv.rawReq('POST', `${tbl}/metrics`, { body: JSON.stringify(big), headers: { 'content-type': 'application/json' } });
  assert.equal(r.status, 413, r.text.slice(0, 200));
  const b = JSON.parse(r.text);
  assert.equal(b.error.code, 413);
  assert.equal(b.error.type, 'RequestTooLargeException');
});
