// Server-side scan planning, the routes (issue 28): planTableScan,
// fetchPlanningResult, cancelPlanning and fetchScanTasks on real tables
// (Parquet data, Avro manifests written by avsc: lib/iceberg_data.js).
// Every /v1 answer is checked against the Iceberg OpenAPI spec by srv.req.
// Here: the shapes, plans made in the request and by a task (progress,
// paging through plan tasks, cancel), and every refusal; what a plan
// keeps is scan_plan.test.js's.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { uniq } from './lib/expect.js';
import { startIcebergServer } from './lib/iceberg.js';
import { createTable } from './lib/iceberg_data.js';
import { basic, ONCE, startServer, STORE } from './lib/server.js';

const rows = (ids) => ids.map((id) => ({ id, name: `n${id % 3}` }));
const byName = { fields: [{ name: 'name', transform: 'identity', 'source-id': 2, 'field-id': 1000 }] };
const paths = (tasks) => tasks.map((t) => t['data-file']['file-path']).sort();
const files = async (t) => (await t.dataFiles()).map((d) => `file://${d.file}`).sort();

async function table(srv, n = 3) {
  const t = await createTable(srv, { namespace: [uniq('ns')], table: 'events', partitionSpec: byName });
  const snaps = [];
  for (let i = 0; i < n; i++) snaps.push(await t.appendRows(rows([3 * i + 1, 3 * i + 2, 3 * i + 3])));
  return { t, snaps };
}

async function plan(srv, t, body, expect = 200) {
  const r = await srv.req('POST', `${t.path()}/plan`, { body });
  assert.equal(r.status, expect, r.text);
  return r.json;
}

// Plans made in the request and answered whole are the planner's alone
// (scan_plan.test.js, listed as store-independent): the store only holds
// the table's pointer.  They run on the sqlite pass only (ONCE,
// lib/server.js), and the other passes start no server for them.  Stored
// plans, plan tasks and plan ids (the describes below) run on every store.
describe('planning in the request', () => {
  let srv;
  before(async () => { if (!ONCE) srv = await startIcebergServer(); });
  after(async () => { await srv?.stop(); });

  test('the four routes are advertised in /v1/config', { skip: ONCE }, async () => {
    const r = await srv.req('GET', '/v1/config?warehouse=demo');
    for (const e of ['POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/plan',
      'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/plan/{plan-id}',
      'DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}/plan/{plan-id}',
      'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/tasks']) assert.ok(r.json.endpoints.includes(e), e);
  });

  test('an empty table plans to nothing; a table plans to its files, inline, with its costs in a header', { skip: ONCE }, async () => {
    const e = await createTable(srv, { namespace: [uniq('ns')], table: 'empty' });
    const p0 = await plan(srv, e, {});
    assert.equal(p0.status, 'completed');
    assert.deepEqual(p0['file-scan-tasks'], []);
    const { t } = await table(srv);
    const r = await srv.req('POST', `${t.path()}/plan`, { body: {} });
    assert.equal(r.json.status, 'completed');
    assert.ok(r.json['plan-id']);
    assert.equal(r.json['file-scan-tasks'].length, 9, 'three appends of three partitions');
    assert.deepEqual(paths(r.json['file-scan-tasks']), await files(t));
    assert.match(r.headers['x-pangolin-scan'], /manifests-read=3;.*files=9/);
    const f = r.json['file-scan-tasks'][0]['data-file'];
    assert.equal(f.content, 'data');
    assert.equal(f['file-format'], 'parquet');
    assert.equal(f['spec-id'], 0);
    assert.equal(f['record-count'], 1);
    assert.match(f.partition[0], /^n[012]$/);
  });

  test('a filter on the partition column keeps its partition only, with the residual the partition leaves', { skip: ONCE }, async () => {
    const { t } = await table(srv);
    const p = await plan(srv, t, { filter: { type: 'eq', term: 'name', value: 'n1' } });
    assert.equal(p['file-scan-tasks'].length, 3);
    for (const task of p['file-scan-tasks']) {
      assert.deepEqual(task['data-file'].partition, ['n1']);
      assert.equal(task['residual-filter'], true, 'the identity partition decides name = n1');
    }
    const q = await plan(srv, t, { filter: { type: 'and', left: { type: 'eq', term: 'name', value: 'n1' }, right: { type: 'gt', term: 'id', value: 4 } } });
    assert.deepEqual(q['file-scan-tasks'][0]['residual-filter'], { type: 'gt', term: 'id', value: 4 });
  });

  test('snapshot-id, ref (a tag), and an incremental append range', { skip: ONCE }, async () => {
    const { t, snaps } = await table(srv);
    const one = await plan(srv, t, { 'snapshot-id': snaps[0].snapshotId });
    assert.equal(one['file-scan-tasks'].length, 3);
    await t.setRef('first', { type: 'tag', snapshotId: snaps[0].snapshotId });
    assert.equal((await plan(srv, t, { ref: 'first' }))['file-scan-tasks'].length, 3);
    const inc = await plan(srv, t, { 'start-snapshot-id': snaps[0].snapshotId, 'end-snapshot-id': snaps[2].snapshotId });
    const later = [...snaps[1].files.data, ...snaps[2].files.data].map((f) => `file://${f}`).sort();
    assert.deepEqual(paths(inc['file-scan-tasks']), later);
  });

  test('stats-fields returns the named columns\' statistics; select is checked against the schema', { skip: ONCE }, async () => {
    const { t } = await table(srv, 1);
    const p = await plan(srv, t, { 'stats-fields': ['id'], select: ['id', 'name'] });
    for (const task of p['file-scan-tasks']) {
      const f = task['data-file'];
      for (const k of ['value-counts', 'lower-bounds', 'upper-bounds']) {
        if (f[k]) assert.deepEqual(f[k].keys, [1], k);
      }
    }
    const none = await plan(srv, t, {});
    assert.equal(none['file-scan-tasks'][0]['data-file']['lower-bounds'], undefined, 'no stats unless asked');
  });

  test('bad input: 400 with the Iceberg error envelope, never a crash', { skip: ONCE }, async () => {
    const { t, snaps } = await table(srv, 1);
    const { t: other, snaps: otherSnaps } = await table(srv, 1);
    const bad = [
      [{ unknown: 1 }, /unknown/i],
      [{ filter: { type: 'eq', term: 'nope', value: 1 } }, /nope/],
      [{ filter: { type: 'eq', term: 'id', value: 'not a number' } }, /./],
      [{ filter: { type: 'bogus' } }, /./],
      [{ filter: { type: 'lt', term: 'id' } }, /./],
      [{ filter: 'id > 1' }, /./],
      [{ 'snapshot-id': otherSnaps[0].snapshotId }, /not a snapshot of this table/],
      [{ 'snapshot-id': 'x' }, /./],
      [{ 'snapshot-id': snaps[0].snapshotId, 'start-snapshot-id': snaps[0].snapshotId, 'end-snapshot-id': snaps[0].snapshotId }, /not both/],
      [{ 'start-snapshot-id': snaps[0].snapshotId }, /both/],
      [{ select: ['ghost'] }, /ghost/],
      [{ 'stats-fields': 'id' }, /list/],
      [{ ref: 'nosuch' }, /nosuch/],
    ];
    for (const [body, msg] of bad) {
      const r = await srv.req('POST', `${t.path()}/plan`, { body });
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.match(r.json.error.message, msg, JSON.stringify(body));
      assert.equal(r.json.error.code, 400);
    }
    const broken = await srv.req('POST', `${t.path()}/plan`, { body: '{"filter":', headers: { 'content-type': 'application/json' } });
    assert.equal(broken.status, 400);
    assert.equal((await srv.req('POST', `${other.path().replace('events', 'ghost')}/plan`, { body: {} })).status, 404);
  });
});

describe('plans as tasks, stored in parts', () => {
  let srv;
  before(async () => {
    srv = await startIcebergServer({
      env: { TASK_WORKER_POLL_INTERVAL_MS: '50', PANGOLIN_SCAN_SYNC_MAX_MANIFESTS: '0', PANGOLIN_SCAN_TASKS_PER_PART: '2' },
    });
  });
  after(async () => { await srv?.stop(); });

  async function completed(t, id) {
    for (let i = 0; i < 400; i++) {
      const r = await srv.req('GET', `${t.path()}/plan/${id}`);
      assert.equal(r.status, 200, r.text);
      if (r.json.status !== 'submitted') return r.json;
      await new Promise((res) => setTimeout(res, 25));
    }
    throw new Error('the plan did not complete');
  }

  test('submitted, then completed with plan tasks whose parts hold every file once; a task of kind scan_plan', async () => {
    const { t } = await table(srv, 3);
    const sub = await plan(srv, t, {});
    assert.equal(sub.status, 'submitted');
    const done = await completed(t, sub['plan-id']);
    assert.equal(done.status, 'completed');
    assert.equal(done['plan-tasks'].length, 5, '9 files, 2 per part');
    const got = [];
    for (const pt of done['plan-tasks']) {
      const r = await srv.req('POST', `${t.path()}/tasks`, { body: { 'plan-task': pt } });
      assert.equal(r.status, 200, r.text);
      assert.ok(r.json['file-scan-tasks'].length <= 2);
      got.push(...r.json['file-scan-tasks']);
    }
    assert.deepEqual(paths(got), await files(t));
    const task = await srv.rawReq('GET', `/api/v1/tasks/${sub['plan-id']}`);
    assert.equal(task.status, 200, task.text);
    assert.equal(task.json.kind, 'scan_plan');
    assert.equal(task.json.status, 'succeeded');
    assert.equal(task.json.result.files, 9);
    assert.equal(task.json.result.parts, 5);
  });

  test('cancel releases the plan: its plan tasks and id answer 404 after', async () => {
    const { t } = await table(srv, 2);
    const sub = await plan(srv, t, {});
    const done = await completed(t, sub['plan-id']);
    assert.equal((await srv.req('DELETE', `${t.path()}/plan/${sub['plan-id']}`)).status, 204);
    const r = await srv.req('POST', `${t.path()}/tasks`, { body: { 'plan-task': done['plan-tasks'][0] } });
    assert.equal(r.status, 404);
    assert.equal((await srv.req('GET', `${t.path()}/plan/${sub['plan-id']}`)).status, 404);
  });

  test('a plan id is only ever served for its own table', async () => {
    const { t } = await table(srv, 1);
    const { t: other } = await table(srv, 1);
    const sub = await plan(srv, t, {});
    const done = await completed(t, sub['plan-id']);
    assert.equal((await srv.req('GET', `${other.path()}/plan/${sub['plan-id']}`)).status, 404);
    const r = await srv.req('POST', `${other.path()}/tasks`, { body: { 'plan-task': done['plan-tasks'][0] } });
    assert.equal(r.status, 404);
  });

  // Plan ids and plan tasks are looked up among the stored plans: on every
  // store, so here beside them rather than with the plans made in the request.
  test('unknown plan ids and plan tasks answer 404', async () => {
    const { t } = await table(srv, 1);
    const a = await srv.req('GET', `${t.path()}/plan/nosuch`);
    assert.equal(a.status, 404);
    assert.equal(a.json.error.type, 'NoSuchPlanIdException');
    assert.equal((await srv.req('DELETE', `${t.path()}/plan/nosuch`)).status, 404);
    for (const pt of ['nosuch:1', 'garbage', ':1', 'x:0', 'x:-1']) {
      const r = await srv.req('POST', `${t.path()}/tasks`, { body: { 'plan-task': pt } });
      assert.equal(r.status, 404, pt);
      assert.equal(r.json.error.type, 'NoSuchPlanTaskException');
    }
    assert.equal((await srv.req('POST', `${t.path()}/tasks`, { body: {} })).status, 400);
  });
});

describe('tenants', () => {
  let srv;
  before(async () => {
    srv = await startServer({ noAuth: false, root: true, env: { PANGOLIN_SCAN_SYNC_MAX_MANIFESTS: '0', TASK_WORKER_POLL_INTERVAL_MS: '50' } });
  });
  after(async () => { await srv?.stop(); });

  test('a plan id and plan task of another tenant answer like missing ones', async () => {
    const root = { authorization: basic() };
    const PW = 'Plan-Tenant-Pass-42';
    const mk = async (name) => {
      const tr = await srv.req('POST', '/api/v1/tenants', { body: { name }, headers: root });
      assert.equal(tr.status, 201, tr.text);
      const tid = tr.json.id;
      const user = uniq('admin');
      const ur = await srv.req('POST', '/api/v1/users', { body: { username: user, password: PW, tenant_id: tid, role: 'tenant-admin' }, headers: root });
      assert.equal(ur.status, 201, ur.text);
      const lr = await srv.req('POST', '/api/v1/users/login', { body: { username: user, password: PW, 'tenant-id': tid } });
      assert.equal(lr.status, 200, lr.text);
      const h = { authorization: `Bearer ${lr.json.token}` };
      const wr = await srv.req('POST', '/api/v1/warehouses', { body: { name: 'wh', storage_config: { type: 'local', root: path.join(srv.tenantDir(tid), 'wh') } }, headers: h });
      assert.equal(wr.status, 201, wr.text);
      const cr = await srv.req('POST', '/api/v1/catalogs', { body: { name: 'demo', warehouse_name: 'wh' }, headers: h });
      assert.equal(cr.status, 201, cr.text);
      return h;
    };
    const a = await mk(uniq('ta'));
    const b = await mk(uniq('tb'));
    const tA = await createTable(srv, { namespace: ['ns'], table: 'events', partitionSpec: byName, headers: a });
    await tA.appendRows(rows([1, 2, 3]));
    const tB = await createTable(srv, { namespace: ['ns'], table: 'events', partitionSpec: byName, headers: b });
    await tB.appendRows(rows([1, 2, 3]));
    const sub = await srv.req('POST', `${tA.path()}/plan`, { body: {}, headers: a });
    assert.equal(sub.status, 200, sub.text);
    const id = sub.json['plan-id'];
    let done;
    for (let i = 0; i < 400; i++) {
      done = (await srv.req('GET', `${tA.path()}/plan/${id}`, { headers: a })).json;
      if (done.status !== 'submitted') break;
      await new Promise((res) => setTimeout(res, 25));
    }
    assert.equal(done.status, 'completed');
    // The same catalog, namespace and table names in tenant B.
    assert.equal((await srv.req('GET', `${tB.path()}/plan/${id}`, { headers: b })).status, 404);
    assert.equal((await srv.req('DELETE', `${tB.path()}/plan/${id}`, { headers: b })).status, 404);
    const r = await srv.req('POST', `${tB.path()}/tasks`, { body: { 'plan-task': done['plan-tasks'][0] }, headers: b });
    assert.equal(r.status, 404);
    assert.equal((await srv.req('POST', `${tA.path()}/tasks`, { body: { 'plan-task': done['plan-tasks'][0] }, headers: a })).status, 200);
  });
});

describe('lifetimes: a queued plan cancelled, a stored plan expiring', () => {
  let srv;
  before(async () => {
    srv = await startIcebergServer({
      env: { TASK_WORKER_ENABLED: 'false', PANGOLIN_SCAN_TTL_SECS: '1', PANGOLIN_SCAN_TASKS_PER_PART: '1', PANGOLIN_SCAN_SYNC_MAX_MANIFESTS: '16' },
    });
  });
  after(async () => { await srv?.stop(); });

  test('a plan made in the request but larger than one part is stored: its plan tasks page it, then it expires', async () => {
    const { t } = await table(srv, 1);
    const p = await plan(srv, t, {});
    assert.equal(p.status, 'completed');
    assert.equal(p['plan-tasks'].length, 3, 'one file per part');
    assert.equal(p['file-scan-tasks'], undefined);
    const got = [];
    for (const pt of p['plan-tasks']) got.push(...(await srv.req('POST', `${t.path()}/tasks`, { body: { 'plan-task': pt } })).json['file-scan-tasks']);
    assert.deepEqual(paths(got), await files(t));
    const again = await srv.req('GET', `${t.path()}/plan/${p['plan-id']}`);
    assert.equal(again.status, 200);
    assert.deepEqual(again.json['plan-tasks'], p['plan-tasks']);
    await new Promise((res) => setTimeout(res, 1600));
    assert.equal((await srv.req('POST', `${t.path()}/tasks`, { body: { 'plan-task': p['plan-tasks'][0] } })).status, 404);
    assert.equal((await srv.req('GET', `${t.path()}/plan/${p['plan-id']}`)).status, 404);
  });

  test('a plan still queued is cancelled at once', { skip: STORE === 'memory' && 'the memory store runs tasks in the request, without runners' }, async () => {
    const { t } = await table(srv, 20);	// more manifests than [scan] sync_max_manifests (16 here)
    const sub = await plan(srv, t, {});
    assert.equal(sub.status, 'submitted');
    assert.equal((await srv.req('GET', `${t.path()}/plan/${sub['plan-id']}`)).json.status, 'submitted');
    const listed = await srv.rawReq('GET', '/api/v1/tasks?kind=scan_plan');
    assert.ok(listed.json.some((x) => x.id === sub['plan-id'] && x.kind === 'scan_plan'), listed.text);
    assert.equal((await srv.req('DELETE', `${t.path()}/plan/${sub['plan-id']}`)).status, 204);
    const r = await srv.req('GET', `${t.path()}/plan/${sub['plan-id']}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.status, 'cancelled');
  });
});
