// Change events (issue 43): one event per change, recorded in the
// change's own store transaction, read through POST /v1/{prefix}/events
// (the Iceberg events proposal) and GET /api/v1/events (a tenant admin's
// whole stream).  A caller sees only the events of what it may read;
// another tenant's catalog answers like a missing one; a token behind
// what retention removed answers 410 Gone.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { startServer, STORE } from './lib/server.js';
import { pool, uniq } from './lib/expect.js';
import { login, makeTenant as tenant, ok, root } from './lib/tenant_fixture.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', required: false, type: 'long' }] };
let srv, A, B;


/** One page of the catalog's feed: { status, json }. */
const feed = (s, t, body, headers = t.admin) => s.req('POST', `/v1/${t.cat}/events`, { body, headers });

/** Every event of the catalog's feed after token, page by page. */
async function all(s, t, body = {}, headers = t.admin) {
  const out = [];
  let token = body['continuation-token'];
  for (;;) {
    const r = await feed(s, t, { ...body, 'continuation-token': token, 'page-size': body['page-size'] ?? 1000 }, headers);
    assert.equal(r.status, 200, r.text);
    out.push(...r.json.events);
    if (r.json.events.length === 0 || r.json['continuation-token'] === token) return { events: out, token: r.json['continuation-token'] };
    token = r.json['continuation-token'];
  }
}

const byType = (events, type) => events.filter((e) => e.operation['operation-type'] === type);
const named = (e) => [...(e.operation.identifier?.namespace ?? []), e.operation.identifier?.name].join('.');

before(async () => {
  srv = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_EVENT_MAX_BYTES: '4096' } });
  A = await tenant(srv, 'ea');
  B = await tenant(srv, 'eb');
});
after(async () => { await srv?.stop(); });

test('a table commit is one update-table event in the feed, with its updates as sent, the new snapshot id and metadata location', async () => {
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces`, { namespace: ['c1'] }, A.admin);
  const md = (await ok(srv, 'POST', `/v1/${A.cat}/namespaces/c1/tables`, { name: 't', schema }, A.admin)).metadata;
  const updates = [
    { action: 'add-snapshot', snapshot: { 'snapshot-id': 4242, 'sequence-number': 1, 'timestamp-ms': Date.now(), summary: { operation: 'append' }, 'manifest-list': `${md.location}/metadata/snap-4242.avro`, 'schema-id': 0 } },
    { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 4242 },
  ];
  const committed = await ok(srv, 'POST', `/v1/${A.cat}/namespaces/c1/tables/t`, { updates }, A.admin);
  const { events } = await all(srv, A);
  const ns = byType(events, 'create-namespace').find((e) => e.operation.namespace[0] === 'c1');
  assert.ok(ns, 'create-namespace is in the feed');
  const created = byType(events, 'create-table').filter((e) => named(e) === 'c1.t');
  assert.equal(created.length, 1);
  assert.equal(created[0].operation['table-uuid'], md['table-uuid']);
  const upd = byType(events, 'update-table').filter((e) => named(e) === 'c1.t');
  assert.equal(upd.length, 1, 'one event for the one commit');
  const e = upd[0];
  assert.deepEqual(e.operation.updates, updates, 'the updates as sent');
  assert.equal(e.operation['table-uuid'], md['table-uuid']);
  assert.equal(e['x-pangolin']['snapshot-id'], 4242);
  assert.equal(e['x-pangolin']['metadata-location'], committed['metadata-location']);
  assert.equal(e['x-pangolin'].catalog, A.cat);
  assert.equal(e['x-pangolin'].branch, 'main');
  assert.equal(e['request-event-count'], 1);
  assert.ok(e['event-id'] && e['request-id'] && e['timestamp-ms'] > 0);
  assert.equal(e.actor?.type, 'user');
  // Events come in the order of their changes.
  assert.ok(events.indexOf(ns) < events.indexOf(created[0]) && events.indexOf(created[0]) < events.indexOf(e));
});

test('updates larger than PANGOLIN_EVENT_MAX_BYTES are left out of the event, which keeps the metadata location and says so', async () => {
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces`, { namespace: ['big'] }, A.admin);
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces/big/tables`, { name: 't', schema }, A.admin);
  const small = [{ action: 'set-properties', updates: { k: 'v' } }];
  const large = [{ action: 'set-properties', updates: { k: 'x'.repeat(5000) } }];
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces/big/tables/t`, { updates: small }, A.admin);
  const committed = await ok(srv, 'POST', `/v1/${A.cat}/namespaces/big/tables/t`, { updates: large }, A.admin);
  const upd = byType((await all(srv, A, { 'catalog-objects-by-name': [['big', 't']] })).events, 'update-table');
  assert.equal(upd.length, 2);
  assert.deepEqual(upd[0].operation.updates, small);
  assert.equal(upd[0]['x-pangolin']['updates-omitted'], undefined);
  assert.deepEqual(upd[1].operation.updates, []);
  assert.equal(upd[1]['x-pangolin']['updates-omitted'], true);
  assert.equal(upd[1]['x-pangolin']['metadata-location'], committed['metadata-location']);
});

test('views, renames, drops and namespace updates are events of their proposal types, with their identifiers', async () => {
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces`, { namespace: ['vw'] }, A.admin);
  const view = {
    name: 'v', schema,
    'view-version': { 'version-id': 1, 'timestamp-ms': Date.now(), 'schema-id': 0, summary: { engine: 'test' }, 'default-namespace': ['vw'], representations: [{ type: 'sql', sql: 'select 1 as n', dialect: 'spark' }] },
    properties: {},
  };
  const v = (await ok(srv, 'POST', `/v1/${A.cat}/namespaces/vw/views`, view, A.admin)).metadata;
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces/vw/views/v`, { updates: [{ action: 'set-properties', updates: { k: 'v' } }] }, A.admin);
  await ok(srv, 'POST', `/v1/${A.cat}/views/rename`, { source: { namespace: ['vw'], name: 'v' }, destination: { namespace: ['vw'], name: 'v2' } }, A.admin);
  await ok(srv, 'DELETE', `/v1/${A.cat}/namespaces/vw/views/v2`, undefined, A.admin);
  const t = (await ok(srv, 'POST', `/v1/${A.cat}/namespaces/vw/tables`, { name: 't', schema }, A.admin)).metadata;
  await ok(srv, 'POST', `/v1/${A.cat}/tables/rename`, { source: { namespace: ['vw'], name: 't' }, destination: { namespace: ['vw'], name: 't2' } }, A.admin);
  await ok(srv, 'DELETE', `/v1/${A.cat}/namespaces/vw/tables/t2`, undefined, A.admin);
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces/vw/properties`, { updates: { owner: 'me' }, removals: ['nope'] }, A.admin);
  await ok(srv, 'DELETE', `/v1/${A.cat}/namespaces/vw`, undefined, A.admin);
  const events = (await all(srv, A, { 'catalog-objects-by-name': [['vw']] })).events;
  const types = events.map((e) => e.operation['operation-type']);
  assert.deepEqual(types, ['create-namespace', 'create-view', 'update-view', 'rename-view', 'drop-view', 'create-table', 'rename-table',
    'drop-table', 'update-namespace-properties', 'drop-namespace']);
  const op = (type) => events.find((e) => e.operation['operation-type'] === type).operation;
  assert.equal(op('create-view')['view-uuid'], v['view-uuid']);
  assert.equal(op('update-view')['view-uuid'], v['view-uuid']);
  assert.deepEqual(op('rename-view').destination, { namespace: ['vw'], name: 'v2' });
  assert.equal(op('rename-table')['table-uuid'], t['table-uuid']);
  assert.deepEqual(op('drop-table').identifier, { namespace: ['vw'], name: 't2' });
  assert.equal(op('drop-table').purge, false);
  assert.deepEqual([op('update-namespace-properties').updated, op('update-namespace-properties').missing], [['owner'], ['nope']]);
});

test('racing commits to one table: one event per commit answered 200, none of an attempt that lost and ran again', async () => {
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces`, { namespace: ['race'] }, A.admin);
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces/race/tables`, { name: 't', schema }, A.admin);
  // A connection each: the commits spread over the workers and really race.
  const statuses = await pool(Array.from({ length: 8 }, (_, i) => i), 8, async (i) => {
    const agent = new http.Agent({ keepAlive: false });
    const r = await srv.req('POST', `/v1/${A.cat}/namespaces/race/tables/t`, { body: { updates: [{ action: 'set-properties', updates: { [`k${i}`]: 'v' } }] }, headers: A.admin, agent });
    return r.status === 200 ? r.json['metadata-location'] : r.status;
  });
  const landed = statuses.filter((s) => typeof s === 'string');
  assert.ok(landed.length >= 1, JSON.stringify(statuses));
  const upd = byType((await all(srv, A, { 'catalog-objects-by-name': [['race', 't']] })).events, 'update-table');
  assert.deepEqual(upd.map((e) => e['x-pangolin']['metadata-location']).sort(), landed.sort(), 'exactly the commits that landed');
  // The feed's order is the commit order: the table's metadata log's.
  // Not on a store without transactions (CongoDB here): there an
  // event's seq follows the order of appends, which two workers may make
  // in another order than their swaps (plugins/store-mongo/README.md).
  if (STORE === 'mongo') return;
  const table = await ok(srv, 'GET', `/v1/${A.cat}/namespaces/race/tables/t`, undefined, A.admin);
  const history = [...table.metadata['metadata-log'].map((m) => m['metadata-file']), table['metadata-location']];
  const order = upd.map((e) => history.indexOf(e['x-pangolin']['metadata-location']));
  assert.ok(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1])), `feed order ${order} follows the metadata log`);
});

test('a multi-table transaction that fails a requirement changes nothing and leaves no event; one that commits has one event per table', async () => {
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces`, { namespace: ['tx'] }, A.admin);
  const a = (await ok(srv, 'POST', `/v1/${A.cat}/namespaces/tx/tables`, { name: 'a', schema }, A.admin)).metadata;
  const b = (await ok(srv, 'POST', `/v1/${A.cat}/namespaces/tx/tables`, { name: 'b', schema }, A.admin)).metadata;
  const before = (await all(srv, A)).token;
  const change = (name, uuid, v) => ({
    identifier: { namespace: ['tx'], name },
    requirements: [{ type: 'assert-table-uuid', uuid }],
    updates: [{ action: 'set-properties', updates: { v } }],
  });
  const r = await srv.req('POST', `/v1/${A.cat}/transactions/commit`, {
    body: { 'table-changes': [change('a', a['table-uuid'], '1'), change('b', '00000000-0000-0000-0000-000000000000', '1')] }, headers: A.admin,
  });
  assert.equal(r.status, 409, r.text);
  assert.deepEqual((await all(srv, A, { 'continuation-token': before })).events, [], 'no event of the rolled-back transaction');

  await ok(srv, 'POST', `/v1/${A.cat}/transactions/commit`, { 'table-changes': [change('a', a['table-uuid'], '2'), change('b', b['table-uuid'], '2')] }, A.admin);
  const { events } = await all(srv, A, { 'continuation-token': before });
  assert.deepEqual(events.map(named).sort(), ['tx.a', 'tx.b']);
  assert.equal(events[0]['request-id'], events[1]['request-id'], 'one request');
  assert.deepEqual(events.map((e) => e['request-event-count']), [2, 2]);
});

test('another tenant never sees a tenant\'s events, and its catalog answers that tenant like a missing one', async () => {
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces`, { namespace: ['secret'] }, A.admin);
  const theirs = await srv.req('POST', `/v1/${A.cat}/events`, { body: {}, headers: B.admin });
  const missing = await srv.req('POST', `/v1/${uniq('nocat')}/events`, { body: {}, headers: B.admin });
  assert.equal(theirs.status, missing.status, theirs.text);
  assert.equal(theirs.json.error.type, missing.json.error.type);
  const bAll = await ok(srv, 'GET', '/api/v1/events?limit=1000', undefined, B.admin);
  assert.ok(bAll.events.every((e) => e['x-pangolin']?.catalog !== A.cat), 'no event of tenant A in B\'s stream');
  assert.ok(bAll.events.length > 0, 'B\'s own catalog\'s creation is there');
  const aAll = await ok(srv, 'GET', '/api/v1/events?limit=1000', undefined, A.admin);
  assert.ok(byType(aAll.events, 'create-namespace').some((e) => e.operation.namespace[0] === 'secret'));
  // A token of A's stream is refused on B's.
  const r = await srv.req('POST', `/v1/${B.cat}/events`, { body: { 'continuation-token': aAll['continuation-token'] }, headers: B.admin });
  assert.equal(r.status, 400, r.text);
  assert.match(r.json.error.message, /continuation-token/);
  // A tenant user may not read the tenant's whole stream.
  const reader = await login(srv, A.userName, A.id);
  assert.equal((await srv.req('GET', '/api/v1/events', { headers: reader })).status, 403);
});

test('a reader sees the events of the tables it may read and none of those it may not', async () => {
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces`, { namespace: ['pub'] }, A.admin);
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces`, { namespace: ['priv'] }, A.admin);
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces/pub/tables`, { name: 'open', schema }, A.admin);
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces/priv/tables`, { name: 'closed', schema }, A.admin);
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces/priv/tables/closed`, { updates: [{ action: 'set-properties', updates: { k: 'v' } }] }, A.admin);
  await ok(srv, 'POST', '/api/v1/permissions', { 'user-id': A.userId, scope: { type: 'namespace', catalog_id: A.catId, namespace: 'pub' }, actions: ['read'] }, A.admin);
  const reader = await login(srv, A.userName, A.id);
  const { events } = await all(srv, A, {}, reader);
  const names = events.filter((e) => e.operation.identifier).map(named);
  assert.ok(names.includes('pub.open'), 'the table it may read');
  assert.ok(!names.some((n) => n.startsWith('priv.')), `no event of priv: ${names}`);
  // The admin sees both.
  const everything = (await all(srv, A)).events.filter((e) => e.operation.identifier).map(named);
  assert.ok(everything.includes('priv.closed'));
});

test('an access request filed and approved is two events and a grant, after which the reader sees the table\'s events', async () => {
  const md = (await ok(srv, 'POST', `/v1/${A.cat}/namespaces/priv/tables`, { name: 'asked', schema }, A.admin)).metadata;
  await ok(srv, 'POST', `/api/v1/assets/${md['table-uuid']}/metadata`, { tags: [], properties: {}, discoverable: true }, A.admin);
  const reader = await login(srv, A.userName, A.id);
  const seen = (await all(srv, A, { 'catalog-objects-by-uuid': [md['table-uuid']] }, reader)).events;
  assert.deepEqual(seen, [], 'discoverable is not readable');
  const q = await ok(srv, 'POST', `/api/v1/assets/${md['table-uuid']}/access-requests`, { reason: 'report' }, reader);
  await ok(srv, 'PUT', `/api/v1/access-requests/${q.id}`, { status: 'approved' }, A.admin);
  const t = (await ok(srv, 'GET', '/api/v1/events?limit=1000', undefined, A.admin)).events;
  const filed = byType(t, 'x-pangolin.access-request-filed').find((e) => e.operation['access-request-id'] === q.id);
  assert.equal(filed?.operation['requester-id'], A.userId);
  const approved = byType(t, 'x-pangolin.access-request-approved').find((e) => e.operation['access-request-id'] === q.id);
  assert.ok(approved, 'the approval');
  const grant = byType(t, 'x-pangolin.grant').filter((e) => e['request-id'] === approved['request-id']);
  assert.equal(grant.length, 1, 'the grant it made, in the same request');
  const now = (await all(srv, A, { 'catalog-objects-by-uuid': [md['table-uuid']] }, reader)).events;
  assert.deepEqual(now.map((e) => e.operation['operation-type']), ['create-table']);
});

test('paging with the continuation-token gives every event once, in order, whatever the page size', async () => {
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces`, { namespace: ['pg'] }, A.admin);
  for (let i = 0; i < 5; i++) await ok(srv, 'POST', `/v1/${A.cat}/namespaces`, { namespace: ['pg', `n${i}`] }, A.admin);
  const whole = (await all(srv, A)).events.map((e) => e['event-id']);
  assert.equal(new Set(whole).size, whole.length, 'no event twice');
  const paged = [];
  let token;
  for (let pages = 0; pages < 1000; pages++) {
    const r = await feed(srv, A, { 'page-size': 2, ...(token ? { 'continuation-token': token } : {}) });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.events.length <= 2);
    paged.push(...r.json.events.map((e) => e['event-id']));
    if (r.json.events.length === 0) break;
    token = r.json['continuation-token'];
  }
  assert.deepEqual(paged.slice(0, whole.length), whole);
  // The filters are the store's: operation type and object names by whole levels.
  const f = await all(srv, A, { 'operation-types': ['create-namespace'], 'catalog-objects-by-name': [['pg']] });
  assert.equal(f.events.length, 6);
  assert.ok(f.events.every((e) => e.operation.namespace[0] === 'pg'));
  // The tenant stream pages the same way.
  const t1 = await ok(srv, 'GET', '/api/v1/events?limit=1', undefined, A.admin);
  assert.equal(t1.events.length, 1);
  const t2 = await ok(srv, 'GET', `/api/v1/events?limit=1&after=${encodeURIComponent(t1['continuation-token'])}`, undefined, A.admin);
  assert.notEqual(t2.events[0]['event-id'], t1.events[0]['event-id']);
  // /metrics counts what went into the outbox, and no change left without its event.
  const m = (await srv.req('GET', '/metrics', { headers: root })).text.split('\n');
  const metric = (name) => Number(m.find((l) => l.startsWith(`${name} `))?.split(' ')[1]);
  assert.ok(metric('pangolin_events_appended_total') >= whole.length, 'appended counted');
  assert.equal(metric('pangolin_events_unbuilt_total'), 0);
});

test('a background task\'s states are events: queued by its caller, then running and its end by the system actor task:<id>', async () => {
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces`, { namespace: ['tk'] }, A.admin);
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces/tk/tables`, { name: 't', schema }, A.admin);
  const id = (await ok(srv, 'POST', `/v1/${A.cat}/namespaces/tk/tables/t/maintenance`, { operations: ['expire_snapshots'] }, A.admin)).task_id;
  let task;
  for (let i = 0; i < 600; i++) {
    task = await ok(srv, 'GET', `/api/v1/tasks/${id}`, undefined, A.admin);
    if (['succeeded', 'failed', 'cancelled'].includes(task.status)) break;
    await sleep(50);
  }
  assert.equal(task.status, 'succeeded', JSON.stringify(task));
  const { events } = await all(srv, A, { 'operation-types': ['x-pangolin.task-state'] });
  const mine = events.filter((e) => e.operation['task-id'] === id);
  assert.deepEqual(mine.map((e) => e.operation.state), ['queued', 'running', 'succeeded']);
  assert.deepEqual(mine.map((e) => e.operation['previous-state'] ?? null), [null, 'queued', 'running']);
  assert.ok(mine.every((e) => e.operation['task-type'] === 'maintenance'));
  assert.equal(mine[0].actor?.type, 'user');
  for (const e of mine.slice(1)) assert.deepEqual([e.actor?.type, e.actor?.name], ['system', `task:${id}`]);
});

test('management changes are events too: catalogs, users, roles and grants on the tenant stream, branches and tags on the catalog\'s', async () => {
  const role = await ok(srv, 'POST', '/api/v1/roles', { name: uniq('role') }, A.admin);
  await ok(srv, 'POST', '/api/v1/branches', { name: 'dev', catalog: A.cat, from_branch: 'main', branch_type: 'ingest' }, A.admin);
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces/c1/tables/t@dev`, { updates: [{ action: 'set-properties', updates: { on: 'dev' } }] }, A.admin);
  const merged = await ok(srv, 'POST', '/api/v1/branches/merge', { source_branch: 'dev', target_branch: 'main', catalog: A.cat }, A.admin);
  const main = await ok(srv, 'GET', `/api/v1/branches/main?catalog=${A.cat}`, undefined, A.admin);
  await ok(srv, 'POST', '/api/v1/tags', { name: 'v1', catalog: A.cat, commit_id: main.head_commit_id }, A.admin);
  await ok(srv, 'DELETE', `/api/v1/tags/v1?catalog=${A.cat}`, undefined, A.admin);
  const { events } = await all(srv, A);
  assert.ok(byType(events, 'x-pangolin.create-branch').some((e) => e.operation.branch === 'dev'));
  const onDev = byType(events, 'update-table').filter((e) => e['x-pangolin'].branch === 'dev');
  assert.equal(onDev.length, 1, 'the commit on dev names its branch');
  const m = byType(events, 'x-pangolin.merge');
  assert.equal(m.length, 1, JSON.stringify(merged));
  assert.deepEqual([m[0].operation['source-branch'], m[0].operation['target-branch'], m[0].operation.status], ['dev', 'main', 'completed']);
  assert.ok(byType(events, 'x-pangolin.create-tag').some((e) => e.operation.tag === 'v1'));
  assert.ok(byType(events, 'x-pangolin.delete-tag').some((e) => e.operation.tag === 'v1'));
  const t = (await ok(srv, 'GET', '/api/v1/events?limit=1000', undefined, A.admin)).events;
  assert.deepEqual(byType(t, 'x-pangolin.create-tenant').map((e) => e.operation['tenant-id']), [A.id], 'root\'s creation of the tenant is its first event');
  assert.equal(t[0].operation['operation-type'], 'x-pangolin.create-tenant');
  assert.ok(byType(t, 'x-pangolin.create-catalog').some((e) => e.operation['catalog-name'] === A.cat));
  assert.ok(byType(t, 'x-pangolin.create-user').length >= 1);
  assert.ok(byType(t, 'x-pangolin.create-role').some((e) => e.operation['role-id'] === role.id));
  assert.ok(byType(t, 'x-pangolin.grant').some((e) => e.operation['principal-id'] === A.userId));
});

test('a bad QueryEventsRequest is 400 naming the field; a forged token is 400', async () => {
  for (const [body, field] of [
    [{ 'page-size': 0 }, 'page-size'],
    [{ 'operation-types': ['no-such-type'] }, 'operation-types'],
    [{ 'object-types': ['planet'] }, 'object-types'],
    [{ 'catalog-objects-by-uuid': ['not-a-uuid'] }, 'catalog-objects-by-uuid'],
    [{ 'continuation-token': 'AAAA' }, 'continuation-token'],
    [{ surprise: 1 }, 'surprise'],
  ]) {
    const r = await feed(srv, A, body);
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
    assert.match(r.json.error.message, new RegExp(field), r.text);
  }
  const r = await srv.req('GET', '/api/v1/events?limit=0', { headers: A.admin });
  assert.equal(r.status, 400);
  assert.match(r.json.error, /limit/);
});

test('a token behind events removed by retention answers 410 Gone', { skip: STORE === 'memory' && 'the memory store runs no task runner, so nothing is swept' }, async () => {
  const s = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_EVENTS_RETENTION_SECS: '2', TASK_WORKER_POLL_INTERVAL_MS: '100' } });
  try {
    const T = await tenant(s, 'er');
    await ok(s, 'POST', `/v1/${T.cat}/namespaces`, { namespace: ['r0'] }, T.admin);
    const first = await feed(s, T, { 'page-size': 1 });
    assert.equal(first.status, 200, first.text);
    const token = first.json['continuation-token'];
    await ok(s, 'POST', `/v1/${T.cat}/namespaces`, { namespace: ['r1'] }, T.admin);
    let r;
    for (let i = 0; i < 300; i++) {
      r = await feed(s, T, { 'continuation-token': token });
      if (r.status === 410) break;
      await sleep(100);
    }
    assert.equal(r.status, 410, r.text);
    assert.match(r.json.error.message, /retention/);
    // Starting again without a token works.
    assert.equal((await feed(s, T, {})).status, 200);
  } finally {
    await s.stop();
  }
});

test('a tenant over its event limit loses its oldest events, never a change, and a token behind them answers 410', { skip: STORE === 'memory' && 'the memory store runs no task runner, so nothing is swept' }, async () => {
  // The sweep runs at the runners' start and then every quarter of the
  // retention (at most a minute): a restart on the same store sweeps now.
  const env = { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_EVENTS_MAX_PER_TENANT: '3', TASK_WORKER_POLL_INTERVAL_MS: '100' };
  let s = await startServer({ root: true, noAuth: false, env });
  try {
    const T = await tenant(s, 'el');
    const early = (await ok(s, 'GET', '/api/v1/events?limit=1', undefined, T.admin))['continuation-token'];
    // A second catalog whose one event the limit will remove whole.
    const gone = uniq('gone');
    await ok(s, 'POST', '/api/v1/catalogs', { name: gone, warehouse_name: T.wh }, T.admin);
    await ok(s, 'POST', `/v1/${gone}/namespaces`, { namespace: ['m0'] }, T.admin);
    for (let i = 0; i < 6; i++) await ok(s, 'POST', `/v1/${T.cat}/namespaces`, { namespace: [`l${i}`] }, T.admin);
    const { dir } = s;
    await s.stop({ keep: true });
    s = await startServer({ root: true, noAuth: false, dir, env });
    let page;
    for (let i = 0; i < 300; i++) {
      page = await ok(s, 'GET', '/api/v1/events?limit=100', undefined, T.admin);
      if (page.events.length <= 3) break;
      await sleep(100);
    }
    assert.equal(page.events.length, 3, 'the limit is kept');
    assert.deepEqual(page.events.map((e) => e.operation.namespace?.[0]), ['l3', 'l4', 'l5'], 'the newest stay');
    const r = await s.req('GET', `/api/v1/events?after=${encodeURIComponent(early)}`, { headers: T.admin });
    assert.equal(r.status, 410, r.text);
    // A reader arriving after its catalog's events all went is given
    // nothing, and its token is not behind the horizon: its next read
    // (a new event) answers 200, not 410.
    const fresh = await feed(s, { ...T, cat: gone }, {});
    assert.equal(fresh.status, 200, fresh.text);
    assert.equal(fresh.json.events.length, 0);
    await ok(s, 'POST', `/v1/${gone}/namespaces`, { namespace: ['m1'] }, T.admin);
    const next = await feed(s, { ...T, cat: gone }, { 'continuation-token': fresh.json['continuation-token'] });
    assert.equal(next.status, 200, next.text);
    assert.deepEqual(next.json.events.map((e) => e.operation.namespace?.[0]), ['m1']);
  } finally {
    await s.stop();
  }
});
