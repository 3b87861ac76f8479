// Restrictions hold on every path to the data (issue 67, Deliver 2): a
// caller bound by a data policy never receives a statistic of a field
// its restrictions mask (bounds, counts, sizes) through a scan plan, the
// table metadata or the events feed; a filter naming a masked field
// never prunes on it (an oracle: `email < "a"` 0 files, `email < "b"` 1
// bisected values); a plan made under other restrictions (another user's
// plan id, or one made before a policy changed) is not served; a table
// partitioned by a masked field is planned only for an enforcing engine.
// docs/security.md, "Read restrictions bind all the way to the files",
// lists the paths this file walks.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { uniq } from './lib/expect.js';
import { grant, okFor, startAuthServer, tenantUser, tenantWithAdmin } from './lib/governance.js';
import { createTable } from './lib/iceberg_data.js';

const SCHEMA = {
  type: 'struct', 'schema-id': 0, fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'email', required: false, type: 'string' },
    { id: 3, name: 'country', required: false, type: 'string' },
  ],
};
// Three files: Dutch rows, Dutch and German rows, German rows.
const FILES = [
  [{ id: 1, email: 'anna@a.nl', country: 'NL' }, { id: 2, email: 'bert@b.nl', country: 'NL' }],
  [{ id: 3, email: 'cees@c.nl', country: 'NL' }, { id: 104, email: 'dirk@d.de', country: 'DE' }],
  [{ id: 105, email: 'zora@z.de', country: 'DE' }],
];
const STATS = ['column-sizes', 'value-counts', 'null-value-counts', 'nan-value-counts', 'lower-bounds', 'upper-bounds'];
const lt = (term, value) => ({ type: 'lt', term, value });
const gt = (term, value) => ({ type: 'gt', term, value });

let srv, ok, A, cat, catId, ns, analyst, steward, plain, engine, rAnalyst, rSteward, t;

/** Every file scan task of a plan (inline, stored, or a task's), with the answer. */
async function planAll(u, table, body = {}) {
  const r = await srv.req('POST', `${table.path()}/plan`, { body, headers: u.headers });
  assert.equal(r.status, 200, r.text);
  let j = r.json;
  for (let i = 0; j.status === 'submitted' && i < 400; i++) {
    await new Promise((res) => setTimeout(res, 25));
    j = (await srv.req('GET', `${table.path()}/plan/${j['plan-id']}`, { headers: u.headers })).json;
  }
  assert.equal(j.status, 'completed', JSON.stringify(j));
  const tasks = [...(j['file-scan-tasks'] ?? [])];
  for (const pt of j['plan-tasks'] ?? []) {
    const p = await srv.req('POST', `${table.path()}/tasks`, { body: { 'plan-task': pt }, headers: u.headers });
    assert.equal(p.status, 200, p.text);
    tasks.push(...p.json['file-scan-tasks']);
  }
  return { tasks, answer: j, headers: r.headers };
}
const statKeys = (tasks) => [...new Set(tasks.flatMap((x) => STATS.flatMap((k) => x['data-file'][k]?.keys ?? [])))].sort();

before(async () => {
  srv = await startAuthServer({ env: { PANGOLIN_SCAN_TASKS_PER_PART: '1' } });
  ok = okFor(srv);
  A = await tenantWithAdmin(srv, 'rrp');
  const wh = uniq('wh');
  await ok('POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 'local', root: path.join(srv.tenantDir(A.id), wh) } }, A.admin);
  cat = uniq('cat');
  catId = (await ok('POST', '/api/v1/catalogs', { name: cat, warehouse_name: wh }, A.admin)).id;
  ns = 'crm';
  t = await createTable(srv, { catalog: cat, namespace: [ns], table: 'people', schema: SCHEMA, metrics: true, headers: A.admin });
  for (const rows of FILES) await t.appendRows(rows);
  rAnalyst = uniq('analyst');
  rSteward = uniq('steward');
  const ra = (await ok('POST', '/api/v1/roles', { name: rAnalyst }, A.admin)).id;
  const rs = (await ok('POST', '/api/v1/roles', { name: rSteward }, A.admin)).id;
  analyst = await tenantUser(srv, A, 'analyst');
  steward = await tenantUser(srv, A, 'steward');
  plain = await tenantUser(srv, A, 'plain');
  const su = await ok('POST', '/api/v1/service-users', { name: uniq('engine'), role: 'tenant-user', enforces_read_restrictions: true }, A.admin);
  engine = { id: su.id, headers: { 'x-api-key': su.api_key } };
  for (const u of [analyst, steward, plain, engine]) await grant(srv, A, u, { type: 'catalog', catalog_id: catId }, ['read']);
  for (const u of [analyst, engine]) await ok('POST', `/api/v1/users/${u.id}/roles`, { 'role-id': ra }, A.admin);
  await ok('POST', `/api/v1/users/${steward.id}/roles`, { 'role-id': rs }, A.admin);
  // The analyst (and the engine, holding its role) sees emails masked on
  // every table of the namespace; the steward only Dutch rows.
  await ok('POST', '/api/v1/policies', { name: uniq('mask'), catalog: cat, namespace: [ns], column: 'email', action: 'mask-alphanum', applies_to: { roles: [rAnalyst] } }, A.admin);
  await ok('POST', '/api/v1/policies', { name: uniq('nl'), catalog: cat, namespace: [ns], row_filter: { type: 'eq', term: 'country', value: 'NL' }, applies_to: { roles: [rSteward] } }, A.admin);
});
after(async () => { await srv?.stop(); });

describe('scan plans', () => {
  test('stats-fields: an unbound caller gets the masked column\'s statistics, a masked one none of them, a row-filtered one none at all', async () => {
    const body = { 'stats-fields': ['id', 'email', 'country'] };
    const free = await planAll(plain, t, body);
    assert.equal(free.tasks.length, 3);
    assert.deepEqual(statKeys(free.tasks), [1, 2, 3], 'the table has statistics of every column');
    assert.ok(free.tasks.some((x) => x['data-file']['lower-bounds'].values.includes('anna@a.nl')), 'the bounds are the values');
    for (const u of [analyst, engine]) {
      const m = await planAll(u, t, body);
      assert.equal(m.tasks.length, 3);
      assert.deepEqual(statKeys(m.tasks), [1, 3], 'no statistic of email (field 2)');
      assert.ok(!JSON.stringify(m.tasks).includes('@'), 'no email value anywhere in the plan');
    }
    const s = await planAll(steward, t, body);
    assert.deepEqual(statKeys(s.tasks), [], 'a file\'s statistics count the rows the filter hides');
    assert.equal(s.answer['read-restrictions']['required-row-filter'].type, 'eq');
  });

  test('a filter on a masked column never prunes: `email < "a"` and `email < "b"` plan the same files (no oracle)', async () => {
    const n = async (u, f) => (await planAll(u, t, { filter: f })).tasks.length;
    // The oracle as issue 67 found it, for an unbound caller.
    assert.equal(await n(plain, lt('email', 'a')), 0);
    assert.equal(await n(plain, lt('email', 'b')), 1);
    for (const f of [lt('email', 'a'), lt('email', 'b'), { type: 'not', child: lt('email', 'b') }, { type: 'eq', term: 'email', value: 'anna@a.nl' },
      { type: 'or', left: lt('email', 'a'), right: gt('id', 1000) }, { type: 'and', left: lt('email', 'a'), right: lt('id', 3) }]) {
      const a = await planAll(analyst, t, { filter: f });
      const expect = JSON.stringify(f).includes('"lt","term":"id"') ? 1 : 3;
      assert.equal(a.tasks.length, expect, JSON.stringify(f));
      // The residual leaves the masked predicate to the engine, over the
      // masked values: the server neither evaluates nor repeats it.
      for (const x of a.tasks) assert.ok(!JSON.stringify(x['residual-filter'] ?? null).includes('email'), JSON.stringify(x['residual-filter']));
    }
    const h = (await planAll(analyst, t, { filter: lt('email', 'a') })).headers;
    assert.equal(h['x-pangolin-scan'], undefined, 'no pruning counts for a restricted caller');
    assert.match((await planAll(plain, t, { filter: lt('email', 'a') })).headers['x-pangolin-scan'], /skipped-by-metrics=3/);
  });

  test('a row-filtered caller\'s own predicates do not prune by column metrics (the bounds count the hidden rows)', async () => {
    const n = async (u, f) => (await planAll(u, t, { filter: f })).tasks.length;
    // Unbound: the mixed file's upper bound (104, a German row) shows.
    assert.equal(await n(plain, gt('id', 103)), 2);
    assert.equal(await n(plain, gt('id', 104)), 1);
    // The steward: the row filter prunes the German file; its own
    // predicate prunes nothing, so the German row's id cannot be bisected.
    assert.equal(await n(steward, gt('id', 103)), 2);
    assert.equal(await n(steward, gt('id', 104)), 2);
    assert.equal((await planAll(steward, t, {})).tasks.length, 2);
    const de = await planAll(steward, t, { filter: { type: 'eq', term: 'country', value: 'DE' } });
    assert.equal(de.tasks.length, 2);
    for (const x of de.tasks) assert.match(JSON.stringify(x['residual-filter']), /"DE".*"NL"|"NL".*"DE"/, 'its own filter and the row filter, AND-ed, left to the reader');
  });

  test('a client cannot send the restrictions member itself', async () => {
    const r = await srv.req('POST', `${t.path()}/plan`, { body: { 'pangolin-read-restrictions': {} }, headers: analyst.headers });
    assert.equal(r.status, 400, r.text);
  });

  test('a plan id or plan task made under other restrictions answers as a missing one', async () => {
    const theirs = await srv.req('POST', `${t.path()}/plan`, { body: { 'stats-fields': ['email'] }, headers: plain.headers });
    assert.equal(theirs.status, 200, theirs.text);
    const id = theirs.json['plan-id'];
    assert.equal(theirs.json['plan-tasks'].length, 3, 'stored, one file a part');
    for (const u of [analyst, steward]) {
      const f = await srv.req('GET', `${t.path()}/plan/${id}`, { headers: u.headers });
      assert.equal(f.status, 404, f.text);
      assert.equal(f.json.error.type, 'NoSuchPlanIdException');
      const pt = await srv.req('POST', `${t.path()}/tasks`, { body: { 'plan-task': `${id}:1` }, headers: u.headers });
      assert.equal(pt.status, 404, pt.text);
      assert.equal(pt.json.error.type, 'NoSuchPlanTaskException');
      assert.equal((await srv.req('DELETE', `${t.path()}/plan/${id}`, { headers: u.headers })).status, 404);
    }
    // Its maker still reads it, with the statistics it asked for.
    const mine = await srv.req('POST', `${t.path()}/tasks`, { body: { 'plan-task': `${id}:1` }, headers: plain.headers });
    assert.equal(mine.status, 200, mine.text);
    assert.equal((await srv.req('GET', `${t.path()}/plan/${id}`, { headers: plain.headers })).status, 200);
    // A plan the analyst made, then a policy more for it: not served.
    const own = await srv.req('POST', `${t.path()}/plan`, { body: {}, headers: analyst.headers });
    assert.equal((await srv.req('GET', `${t.path()}/plan/${own.json['plan-id']}`, { headers: analyst.headers })).status, 200);
    const p = await ok('POST', '/api/v1/policies', { name: uniq('more'), catalog: cat, namespace: [ns], table: 'people', column: 'country', action: 'show-first-4', applies_to: { users: [analyst.id] } }, A.admin);
    assert.equal((await srv.req('GET', `${t.path()}/plan/${own.json['plan-id']}`, { headers: analyst.headers })).status, 404);
    await ok('DELETE', `/api/v1/policies/${p.id}`, undefined, A.admin);
  });

  test('a table partitioned by a masked column: refused to a caller that enforces nothing (403 naming the column); an enforcing engine gets the plan, without the column\'s statistics', async () => {
    const byEmail = await createTable(srv, {
      catalog: cat, namespace: [ns], table: uniq('by_email'), schema: SCHEMA, metrics: true, headers: A.admin,
      partitionSpec: { fields: [{ name: 'email_part', transform: 'identity', 'source-id': 2, 'field-id': 1000 }] },
    });
    await byEmail.appendRows(FILES[0]);
    const r = await srv.req('POST', `${byEmail.path()}/plan`, { body: {}, headers: analyst.headers });
    assert.equal(r.status, 403, r.text);
    assert.match(r.json.error.message, /field 2 \(email\).*email_part/);
    assert.ok(!r.text.includes('anna'), 'no value in the refusal');
    const e = await planAll(engine, byEmail, { 'stats-fields': ['id', 'email'] });
    assert.equal(e.tasks.length, 2);
    assert.deepEqual(statKeys(e.tasks), [1]);
    assert.equal((await planAll(plain, byEmail, {})).tasks.length, 2);
  });
});

describe('table metadata, commit answers and the events feed', () => {
  let stats;
  const blobs = (md) => (md.statistics ?? []).flatMap((s) => s['blob-metadata']);
  const load = async (u, q = '') => {
    const r = await srv.req('GET', `${t.path()}${q}`, { headers: u.headers });
    assert.equal(r.status, 200, r.text);
    return r.json.metadata;
  };
  const events = async (u) => {
    const r = await srv.req('POST', `/v1/${cat}/events`, { body: { 'page-size': 1000 }, headers: u.headers });
    assert.equal(r.status, 200, r.text);
    return r.json.events;
  };
  const statsUpdates = (evs) => evs.flatMap((e) => (e.operation.updates ?? []).filter((u) => u.action === 'set-statistics'));
  const summaries = (md) => md.snapshots.map((s) => s.summary);

  before(async () => {
    // Statistics of the email column (an NDV sketch's blob says how many
    // distinct emails) and of id; a snapshot summary per partition.
    const md = await t.load().then((j) => j.metadata);
    const sid = md['current-snapshot-id'];
    const file = await t.setStatistics({ snapshotId: sid });
    const blob = (f, ndv) => ({ type: 'apache-datasketches-theta-v1', 'snapshot-id': sid, 'sequence-number': md['last-sequence-number'], fields: [f], properties: { ndv: String(ndv) } });
    stats = { 'snapshot-id': sid, 'statistics-path': `file://${file}`, 'file-size-in-bytes': 20, 'file-footer-size-in-bytes': 12, 'blob-metadata': [blob(2, 5), blob(1, 5)] };
    await t.commit([], [{ action: 'set-statistics', 'snapshot-id': sid, statistics: stats }]);
    const last = md.snapshots.find((s) => s['snapshot-id'] === sid);
    const next = { ...last, 'snapshot-id': sid + 1, 'parent-snapshot-id': sid, 'sequence-number': md['last-sequence-number'] + 1, 'timestamp-ms': Date.now(), summary: { ...last.summary, operation: 'append', 'partitions.email=anna@a.nl': 'added-records=1' } };
    await t.commit([], [{ action: 'add-snapshot', snapshot: next }, { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': sid + 1 }]);
  });

  test('loadTable: a masked caller gets no statistics blob of the masked field, a row-filtered one none, neither a per-partition summary; an unbound one all of it', async () => {
    const free = await load(plain);
    assert.deepEqual(blobs(free).map((b) => b.fields), [[2], [1]]);
    assert.ok(summaries(free).some((s) => s['partitions.email=anna@a.nl']));
    for (const u of [analyst, engine]) {
      for (const q of ['', '?snapshots=refs']) {
        const m = await load(u, q);
        assert.deepEqual(blobs(m).map((b) => b.fields), [[1]], `${q}: no blob of email`);
        assert.ok(!JSON.stringify(m).includes('anna'), `${q}: no email value in the metadata`);
        assert.equal(m['current-snapshot-id'], free['current-snapshot-id']);
      }
    }
    const s = await load(steward);
    assert.deepEqual(blobs(s), [], 'a row filter: no blob at all');
    assert.ok(!summaries(s).some((x) => Object.keys(x).some((k) => k.startsWith('partitions.'))));
    // The tag still answers 304 to its own caller.
    const first = await srv.req('GET', t.path(), { headers: analyst.headers });
    assert.equal((await srv.req('GET', t.path(), { headers: { ...analyst.headers, 'if-none-match': first.headers.etag } })).status, 304);
  });

  test('a commit\'s answer to a writer bound by the mask carries no statistic of the masked field', async () => {
    const writer = await tenantUser(srv, A, 'writer');
    await grant(srv, A, writer, { type: 'catalog', catalog_id: catId }, ['read', 'update']);
    const ra = (await ok('GET', '/api/v1/roles', undefined, A.admin)).find((x) => x.name === rAnalyst).id;
    await ok('POST', `/api/v1/users/${writer.id}/roles`, { 'role-id': ra }, A.admin);
    const r = await srv.req('POST', t.path(), { body: { requirements: [], updates: [{ action: 'set-properties', updates: { touched: 'yes' } }] }, headers: writer.headers });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.metadata.properties.touched, 'yes');
    assert.deepEqual(blobs(r.json.metadata).map((b) => b.fields), [[1]]);
    assert.ok(!JSON.stringify(r.json.metadata).includes('anna'));
    const a = await srv.req('POST', t.path(), { body: { requirements: [], updates: [{ action: 'set-properties', updates: { touched: 'again' } }] }, headers: A.admin });
    assert.deepEqual(blobs(a.json.metadata).map((b) => b.fields), [[2], [1]], 'an unbound writer: all of it');
  });

  test('the events feed: a reader a policy of the catalog binds gets the updates without statistics or per-partition summaries', async () => {
    const free = await events(plain);
    // The helper's empty statistics file, then the two blobs.
    assert.deepEqual(statsUpdates(free).map((u) => u.statistics['blob-metadata'].length), [0, 2]);
    assert.ok(JSON.stringify(free).includes('partitions.email=anna@a.nl'));
    for (const u of [analyst, steward]) {
      const evs = await events(u);
      assert.equal(evs.length, free.length, 'the same events');
      assert.deepEqual(statsUpdates(evs).map((x) => x.statistics['blob-metadata']), [[], []]);
      assert.ok(!JSON.stringify(evs).includes('anna'), 'no email value in any event');
    }
  });
});

describe('other ways to the same files: catalog branches, Iceberg tags, undrop', () => {
  test('a catalog branch\'s copy of the table: the namespace\'s policy holds there (plans and loads)', async () => {
    const dev = uniq('dev');
    await ok('POST', '/api/v1/branches', { name: dev, catalog: cat, from_branch: 'main' }, A.admin);
    const b = t.onBranch(dev);
    const m = await planAll(analyst, b, { 'stats-fields': ['id', 'email'], filter: lt('email', 'a') });
    assert.equal(m.tasks.length, 3);
    assert.deepEqual(statKeys(m.tasks), [1]);
    const l = await srv.req('GET', b.path(), { headers: analyst.headers });
    assert.equal(l.status, 200, l.text);
    assert.deepEqual(l.json['read-restrictions']['required-column-projections'], [{ 'field-id': 2, action: 'mask-alphanum' }]);
    assert.ok(!(l.json.metadata.statistics ?? []).some((s) => s['blob-metadata'].some((x) => x.fields.includes(2))));
  });

  test('an Iceberg tag of the table: planned at the tag, the same restrictions', async () => {
    const md = (await t.load()).metadata;
    await t.setRef('v1', { type: 'tag', snapshotId: md['current-snapshot-id'] });
    const m = await planAll(analyst, t, { ref: 'v1', 'stats-fields': ['email', 'country'], filter: lt('email', 'a') });
    assert.equal(m.tasks.length, 3);
    assert.deepEqual(statKeys(m.tasks), [3]);
    assert.deepEqual(statKeys((await planAll(steward, t, { ref: 'v1', 'stats-fields': ['email', 'country'] })).tasks), []);
  });

  test('a table dropped and restored under another name: its table policy follows it, and its plans keep the masked field\'s statistics out', async () => {
    const u = await createTable(srv, { catalog: cat, namespace: [ns], table: uniq('kept'), schema: SCHEMA, metrics: true, headers: A.admin });
    await u.appendRows(FILES[0]);
    const p = await ok('POST', '/api/v1/policies', { name: uniq('country'), catalog: cat, namespace: [ns], table: u.table, column: 'country', action: 'show-first-4', applies_to: { users: [plain.id] } }, A.admin);
    const d = await srv.req('DELETE', u.path(), { headers: A.admin });
    assert.equal(d.status, 204, d.text);
    const back = uniq('back');
    await ok('POST', `/api/v1/catalogs/${cat}/dropped/${d.headers['pangolin-dropped-id']}/restore`, { name: back }, A.admin);
    assert.equal((await ok('GET', `/api/v1/policies/${p.id}`, undefined, A.admin)).table, back);
    const r = await planAll(plain, { path: () => `/v1/${cat}/namespaces/${ns}/tables/${back}` }, { 'stats-fields': ['id', 'email', 'country'] });
    assert.equal(r.tasks.length, 1);
    assert.deepEqual(statKeys(r.tasks), [1, 2], 'no statistic of country for the user the restored policy binds');
  });
});

describe('plans made as tasks', () => {
  let s, sok, T, c, tt, masked, free;
  before(async () => {
    s = await startAuthServer({ env: { PANGOLIN_SCAN_SYNC_MAX_MANIFESTS: '0', TASK_WORKER_POLL_INTERVAL_MS: '50' } });
    sok = okFor(s);
    T = await tenantWithAdmin(s, 'rrt');
    const wh = uniq('wh');
    await sok('POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 'local', root: path.join(s.tenantDir(T.id), wh) } }, T.admin);
    c = uniq('cat');
    const cid = (await sok('POST', '/api/v1/catalogs', { name: c, warehouse_name: wh }, T.admin)).id;
    tt = await createTable(s, { catalog: c, namespace: ['db'], table: 'people', schema: SCHEMA, metrics: true, headers: T.admin });
    for (const rows of FILES) await tt.appendRows(rows);
    masked = await tenantUser(s, T, 'masked');
    free = await tenantUser(s, T, 'free');
    for (const u of [masked, free]) await grant(s, T, u, { type: 'catalog', catalog_id: cid }, ['read']);
    await sok('POST', '/api/v1/policies', { name: uniq('mask'), catalog: c, namespace: ['db'], column: 'email', action: 'mask-alphanum', applies_to: { users: [masked.id] } }, T.admin);
  });
  after(async () => { await s?.stop(); });

  const submit = async (u, body) => {
    const r = await s.req('POST', `${tt.path()}/plan`, { body, headers: u.headers });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'submitted');
    return r.json['plan-id'];
  };
  const done = async (u, id) => {
    for (let i = 0; i < 400; i++) {
      const r = await s.req('GET', `${tt.path()}/plan/${id}`, { headers: u.headers });
      assert.equal(r.status, 200, r.text);
      if (r.json.status !== 'submitted') return r.json;
      await new Promise((res) => setTimeout(res, 25));
    }
    throw new Error('the plan did not complete');
  };

  test('a task plans under the restrictions of the request that queued it; another reader sees the task, not its request or result; the plan is not theirs to fetch', async () => {
    const id = await submit(masked, { 'stats-fields': ['id', 'email'], filter: lt('email', 'a') });
    const j = await done(masked, id);
    const tasks = [];
    for (const pt of j['plan-tasks']) tasks.push(...(await s.req('POST', `${tt.path()}/tasks`, { body: { 'plan-task': pt }, headers: masked.headers })).json['file-scan-tasks']);
    assert.equal(tasks.length, 3, 'no pruning on the masked field');
    assert.deepEqual(statKeys(tasks), [1]);
    const mine = await s.req('GET', `/api/v1/tasks/${id}`, { headers: masked.headers });
    assert.equal(mine.status, 200, mine.text);
    assert.equal(mine.json.result.files, 3);
    assert.equal(mine.json.result.skipped_by_metrics, undefined, 'what a restricted plan pruned is not said');
    // The unbound user's plan with a value in its filter.
    const theirs = await submit(free, { filter: { type: 'eq', term: 'email', value: 'anna@a.nl' } });
    await done(free, theirs);
    const seen = await s.req('GET', `/api/v1/tasks/${theirs}`, { headers: masked.headers });
    assert.equal(seen.status, 200, seen.text);
    assert.equal(seen.json.kind, 'scan_plan');
    assert.equal(seen.json.params, null);
    assert.equal(seen.json.result, null);
    const listed = await s.req('GET', `/api/v1/tasks?kind=scan_plan&limit=100`, { headers: masked.headers });
    assert.ok(!listed.text.includes('anna'), 'no value of another\'s filter in the list');
    assert.equal((await s.req('GET', `${tt.path()}/plan/${theirs}`, { headers: masked.headers })).status, 404);
    assert.equal((await s.req('DELETE', `${tt.path()}/plan/${theirs}`, { headers: masked.headers })).status, 404);
    const full = await s.req('GET', `/api/v1/tasks/${theirs}`, { headers: free.headers });
    assert.equal(full.json.result.files, 1, 'its maker sees all of it');
  });
});
