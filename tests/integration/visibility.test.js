// Every answer tells each reader only what it may see (issue 67, deliver
// 5): logs, feeds, lists, searches and counts carry only the objects the
// caller may read, names and locations included.  One tenant, one
// catalog: namespace `pub` the reader holds `read` on, namespace `priv`
// it holds nothing on; the tenant admin makes every change.  Each test
// is one finding's reproduction; the fixture is small on purpose, so the
// authorization matrix can reuse it (makeReader).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer } from './lib/server.js';
import { pool } from './lib/expect.js';
import { login, makeTenant, ok } from './lib/tenant_fixture.js';

const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', required: false, type: 'long' }] };
let srv, T, reader;

/**
 * The fixture: tenant t (makeTenant) with namespaces pub and priv, a
 * table in each (pub.open, priv.closed), and t's user holding `read` on
 * pub only.  Returns the user's headers and both tables' load answers.
 */
export async function makeReader(s, t) {
  for (const ns of ['pub', 'priv']) await ok(s, 'POST', `/v1/${t.cat}/namespaces`, { namespace: [ns] }, t.admin);
  const open = await ok(s, 'POST', `/v1/${t.cat}/namespaces/pub/tables`, { name: 'open', schema }, t.admin);
  const closed = await ok(s, 'POST', `/v1/${t.cat}/namespaces/priv/tables`, { name: 'closed', schema }, t.admin);
  await ok(s, 'POST', '/api/v1/permissions', { 'user-id': t.userId, scope: { type: 'namespace', catalog_id: t.catId, namespace: 'pub' }, actions: ['read'] }, t.admin);
  return { headers: await login(s, t.userName, t.id), open, closed };
}

before(async () => {
  srv = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0' } });
  T = await makeTenant(srv, 'vis');
  reader = await makeReader(srv, T);
});
after(async () => { await srv?.stop(); });

/** The text of an answer holds nothing of priv: no name, no location. */
function nothingOfPriv(text, what) {
  const m = /priv|closed|hidden/.exec(text);
  assert.ok(!m, `${what} names priv: …${text.slice(Math.max(0, m?.index - 300), m?.index + 100)}…`);
  assert.ok(!text.includes(reader.closed.metadata.location), `${what} holds priv.closed's location`);
}

/** Every commit of main as h sees it, page by page (limit n). */
async function log(h, n = 1000) {
  const out = [];
  for (let offset = 0; ; offset += n) {
    const r = await srv.req('GET', `/api/v1/branches/main/commits?catalog=${T.cat}&limit=${n}&offset=${offset}`, { headers: h });
    assert.equal(r.status, 200, r.text);
    out.push(...r.json);
    if (r.json.length < n) return { commits: out, total: r.headers['x-total-count'] };
    assert.equal(r.json.length, n, 'a full page until the last');
  }
}

const commitFeed = async (h, body = {}) => {
  const out = [];
  let token;
  for (;;) {
    const r = await srv.req('POST', `/v1/${T.cat}/events`, { body: { ...body, 'page-size': 1000, ...(token ? { 'continuation-token': token } : {}) }, headers: h });
    assert.equal(r.status, 200, r.text);
    out.push(...r.json.events);
    if (r.json.events.length === 0 || r.json['continuation-token'] === token) return out;
    token = r.json['continuation-token'];
  }
};

test('the commit log shows a namespace reader the commits of what it may read, and nothing of the rest', async () => {
  await ok(srv, 'POST', `/v1/${T.cat}/namespaces/priv/tables/closed`, { updates: [{ action: 'set-properties', updates: { k: 'v' } }] }, T.admin);
  const admin = (await log(T.admin)).commits;
  const adminText = JSON.stringify(admin);
  assert.ok(adminText.includes('priv') && adminText.includes(reader.closed['metadata-location']), 'the admin sees priv');
  const mine = await log(reader.headers);
  nothingOfPriv(JSON.stringify(mine.commits), 'the reader\'s log');
  assert.ok(mine.commits.some((c) => c.operations.some((o) => o.Put?.asset?.name === 'open')), 'pub.open\'s creation is there');
  assert.equal(Number(mine.total), mine.commits.length, 'the total is the reader\'s');
});

test('a commit touching a visible and a hidden table shows the reader the visible operation alone; paging stays full', async () => {
  await ok(srv, 'POST', `/v1/${T.cat}/namespaces/priv/tables`, { name: 'hidden', schema }, T.admin);
  // A rename out of priv into pub: the reader sees the table arrive,
  // never where it came from.
  await ok(srv, 'POST', `/v1/${T.cat}/tables/rename`, { source: { namespace: ['priv'], name: 'hidden' }, destination: { namespace: ['pub'], name: 'arrived' } }, T.admin);
  for (let i = 0; i < 5; i++) {
    await ok(srv, 'POST', `/v1/${T.cat}/namespaces/priv/tables/closed`, { updates: [{ action: 'set-properties', updates: { [`p${i}`]: 'v' } }] }, T.admin);
    await ok(srv, 'POST', `/v1/${T.cat}/namespaces/pub/tables/open`, { updates: [{ action: 'set-properties', updates: { [`o${i}`]: 'v' } }] }, T.admin);
  }
  const whole = await log(reader.headers);
  // (The arrived table's location is still under priv/: the reader may
  // read that table, and loading it shows the same.)
  const named = whole.commits.flatMap((c) => c.operations.map((o) => (o.Put?.asset ?? o.Delete)));
  assert.ok(named.every((o) => o.namespace[0] === 'pub'), JSON.stringify(named));
  assert.ok(whole.commits.every((c) => !/priv/.test(c.message)), JSON.stringify(whole.commits.map((c) => c.message)));
  assert.ok(!JSON.stringify(whole.commits).includes(reader.closed['metadata-location']));
  const moved = whole.commits.find((c) => c.operations.some((o) => o.Put?.asset?.name === 'arrived'));
  assert.ok(moved, 'the rename is in the log');
  assert.equal(moved.operations.length, 1, 'only the Put into pub');
  // Pages of two: every page full until the last, the same commits in
  // the same order as one page.
  const paged = await log(reader.headers, 2);
  assert.deepEqual(paged.commits.map((c) => c.id), whole.commits.map((c) => c.id));
  // While more follow, where the next page starts, not a total.
  const first = await srv.req('GET', `/api/v1/branches/main/commits?catalog=${T.cat}&limit=2`, { headers: reader.headers });
  assert.equal(first.headers['x-next-offset'], '2');
  assert.equal(first.headers['x-total-count'], undefined);
  // Every commit the reader is shown has something it may read, or
  // touches nothing (the catalog's creation).
  assert.ok(whole.commits.every((c) => c.operations.length > 0 || c.message === 'Create catalog'));
});

test('a partial branch lists only the assets the reader may read', async () => {
  await ok(srv, 'POST', '/api/v1/branches', { name: 'part', catalog: T.cat, from_branch: 'main', assets: ['pub.open', 'priv.closed'] }, T.admin);
  const mine = await ok(srv, 'GET', `/api/v1/branches/part?catalog=${T.cat}`, undefined, reader.headers);
  assert.deepEqual(mine.assets, ['pub.open']);
  const list = await ok(srv, 'GET', `/api/v1/branches?catalog=${T.cat}`, undefined, reader.headers);
  nothingOfPriv(JSON.stringify(list), 'the branch list');
  const admin = await ok(srv, 'GET', `/api/v1/branches/part?catalog=${T.cat}`, undefined, T.admin);
  assert.deepEqual(admin.assets, ['pub.open', 'priv.closed']);
});

test('the catalog summary counts what the reader may see', async () => {
  const admin = await ok(srv, 'GET', `/api/v1/catalogs/${T.cat}/summary`, undefined, T.admin);
  const mine = await ok(srv, 'GET', `/api/v1/catalogs/${T.cat}/summary`, undefined, reader.headers);
  const pub = await ok(srv, 'GET', `/v1/${T.cat}/namespaces/pub/tables`, undefined, reader.headers);
  assert.equal(mine.namespace_count, 1);
  assert.equal(mine.table_count, pub.identifiers.length);
  assert.ok(admin.table_count > mine.table_count && admin.namespace_count > mine.namespace_count, JSON.stringify(admin));
});

test('a rename shows its destination only to a reader of the destination, its source only to a reader of the source', async () => {
  await ok(srv, 'POST', `/v1/${T.cat}/namespaces/pub/tables`, { name: 'leaving', schema }, T.admin);
  await ok(srv, 'POST', `/v1/${T.cat}/tables/rename`, { source: { namespace: ['pub'], name: 'leaving' }, destination: { namespace: ['priv'], name: 'gone' } }, T.admin);
  const events = await commitFeed(reader.headers);
  nothingOfPriv(JSON.stringify(events), 'the reader\'s feed');
  const all = await commitFeed(T.admin);
  const renames = all.filter((e) => e.operation['operation-type'] === 'rename-table');
  assert.ok(renames.some((e) => e.operation.destination.name === 'gone'), 'the admin sees the rename');
});

test('a multi-table commit\'s request-event-count is the reader\'s', async () => {
  const change = (ns, name, uuid) => ({
    identifier: { namespace: [ns], name },
    requirements: [{ type: 'assert-table-uuid', uuid }],
    updates: [{ action: 'set-properties', updates: { both: '1' } }],
  });
  const r = await ok(srv, 'POST', `/v1/${T.cat}/transactions/commit`, {
    'table-changes': [change('pub', 'open', reader.open.metadata['table-uuid']), change('priv', 'closed', reader.closed.metadata['table-uuid'])],
  }, T.admin);
  void r;
  const both = (await commitFeed(T.admin, { 'operation-types': ['update-table'] })).filter((e) => e.operation.updates?.[0]?.updates?.both);
  assert.equal(both.length, 2);
  assert.deepEqual(both.map((e) => e['request-event-count']), [2, 2]);
  const mine = (await commitFeed(reader.headers, { 'operation-types': ['update-table'] })).filter((e) => e.operation.updates?.[0]?.updates?.both);
  assert.equal(mine.length, 1);
  assert.equal(mine[0]['request-event-count'], 1, 'the half it cannot see is not counted');
  assert.equal(mine[0]['request-id'], both[0]['request-id']);
  // No internal field reaches a reader.
  for (const e of [...both, ...mine]) assert.deepEqual(Object.keys(e).filter((k) => !['event-id', 'request-id', 'request-event-count', 'timestamp-ms', 'actor', 'operation', 'x-pangolin'].includes(k)), []);
});

test('events mask an Azure connection string by the secret-key rule, in table and namespace properties', async () => {
  const conn = 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2VjcmV0LWtleS12YWx1ZQ==;EndpointSuffix=core.windows.net';
  await ok(srv, 'POST', `/v1/${T.cat}/namespaces/pub/tables/open`, { updates: [{ action: 'set-properties', updates: { 'adls.connection-string.acct': conn, plain: 'x' } }] }, T.admin);
  await ok(srv, 'POST', `/v1/${T.cat}/namespaces`, { namespace: ['pub', 'azure'], properties: { 'adls.connection-string.acct': conn } }, T.admin);
  for (const h of [T.admin, reader.headers]) {
    const text = JSON.stringify(await commitFeed(h));
    assert.ok(!text.includes('AccountKey'), 'no account key in the feed');
    assert.ok(text.includes('"adls.connection-string.acct":"********"'), 'the key stays, its value masked');
  }
});

test('a discoverable table the reader may not read shows its name, never its location', async () => {
  const id = reader.closed.metadata['table-uuid'];
  await ok(srv, 'POST', `/api/v1/assets/${id}/metadata`, { tags: [], properties: {}, discoverable: true, description: 'found' }, T.admin);
  const got = await ok(srv, 'GET', `/api/v1/assets/${id}`, undefined, reader.headers);
  assert.equal(got.asset.name, 'closed');
  assert.equal(got.asset.location, null);
  assert.equal(got.asset.metadata_location, undefined);
  const hits = await ok(srv, 'GET', '/api/v1/assets/search?query=closed', undefined, reader.headers);
  const hit = hits.find((h) => h.id === id);
  assert.ok(hit && hit.has_access === false, JSON.stringify(hits));
  assert.equal(hit.location, null);
  const text = JSON.stringify([got, hits]);
  assert.ok(!text.includes(reader.closed.metadata.location), 'no location of priv.closed');
  // The admin still sees where it is.
  const admin = await ok(srv, 'GET', `/api/v1/assets/${id}`, undefined, T.admin);
  assert.match(admin.asset.metadata_location, /priv\/closed\/metadata\/.*\.metadata\.json$/);
});

test('a merge\'s event is shown to a reader of the catalog only (its conflicts count every table)', async () => {
  await ok(srv, 'POST', '/api/v1/branches', { name: 'side', catalog: T.cat, from_branch: 'main', branch_type: 'ingest' }, T.admin);
  await ok(srv, 'POST', `/v1/${T.cat}/namespaces/priv/tables/closed@side`, { updates: [{ action: 'set-properties', updates: { side: '1' } }] }, T.admin);
  await ok(srv, 'POST', '/api/v1/branches/merge', { source_branch: 'side', target_branch: 'main', catalog: T.cat }, T.admin);
  const merges = (e) => e.filter((x) => x.operation['operation-type'] === 'x-pangolin.merge');
  assert.equal(merges(await commitFeed(T.admin)).length, 1);
  assert.deepEqual(merges(await commitFeed(reader.headers)), []);
  // The merge commit's operations were priv's alone: not in the log.
  const mine = (await log(reader.headers)).commits;
  assert.ok(!mine.some((c) => c.merge_parent_id), JSON.stringify(mine.map((c) => c.message)));
});

test('the dropped-table list shows a drop to whom may restore it and read it', async () => {
  await ok(srv, 'POST', `/v1/${T.cat}/namespaces/priv/tables`, { name: 'dropme', schema }, T.admin);
  await ok(srv, 'DELETE', `/v1/${T.cat}/namespaces/priv/tables/dropme`, undefined, T.admin);
  await ok(srv, 'POST', `/v1/${T.cat}/namespaces/pub/tables`, { name: 'dropped', schema }, T.admin);
  await ok(srv, 'DELETE', `/v1/${T.cat}/namespaces/pub/tables/dropped`, undefined, T.admin);
  // create (no read) on priv, create beside read on pub.
  const grants = [];
  for (const ns of ['priv', 'pub']) {
    grants.push(await ok(srv, 'POST', '/api/v1/permissions', { 'user-id': T.userId, scope: { type: 'namespace', catalog_id: T.catId, namespace: ns }, actions: ['create'] }, T.admin));
  }
  try {
    const mine = await ok(srv, 'GET', `/api/v1/catalogs/${T.cat}/dropped`, undefined, reader.headers);
    assert.deepEqual(mine.map((d) => d.name), ['dropped']);
  } finally {
    for (const g of grants) await ok(srv, 'DELETE', `/api/v1/permissions/${g.id}`, undefined, T.admin);
  }
});

test('a task\'s states are shown to whom may read its table', async () => {
  const queue = async (ns, t) => (await ok(srv, 'POST', `/v1/${T.cat}/namespaces/${ns}/tables/${t}/maintenance`, { operations: ['expire_snapshots'] }, T.admin)).task_id;
  const mine = await queue('pub', 'open');
  const theirs = await queue('priv', 'closed');
  const states = async (h) => (await commitFeed(h, { 'operation-types': ['x-pangolin.task-state'] })).map((e) => e.operation['task-id']);
  const admin = await states(T.admin);
  assert.ok(admin.includes(mine) && admin.includes(theirs));
  const seen = await states(reader.headers);
  assert.ok(seen.includes(mine), 'its table\'s task');
  assert.ok(!seen.includes(theirs), 'not a task of a table it may not read');
});

test('a log longer than one read of the store (500 commits) is walked on, the reader\'s pages full', async () => {
  // 520 hidden commits on top of the reader's: its first entry lies past
  // the first slice, and the walk goes on between other requests.
  const before = (await log(reader.headers)).commits.map((c) => c.id);
  for (const n of ['s0', 's1', 's2', 's3']) await ok(srv, 'POST', `/v1/${T.cat}/namespaces/priv/tables`, { name: n, schema }, T.admin);
  await pool(Array.from({ length: 516 }, (_, i) => i), 4, (i) =>
    ok(srv, 'POST', `/v1/${T.cat}/namespaces/priv/tables/s${i % 4}`, { updates: [{ action: 'set-properties', updates: { i: String(i) } }] }, T.admin));
  const yields = async () => Number(/^pangolin_list_yields_total (\d+)$/m.exec((await srv.req('GET', '/metrics')).text)?.[1]);
  const turns = await yields();
  const first = await srv.req('GET', `/api/v1/branches/main/commits?catalog=${T.cat}&limit=3`, { headers: reader.headers });
  assert.equal(first.status, 200, first.text);
  assert.deepEqual(first.json.map((c) => c.id), before.slice(0, 3));
  assert.ok(await yields() > turns, 'the walk let other requests in between its reads');
  const all = await log(reader.headers, 7);
  assert.deepEqual(all.commits.map((c) => c.id), before);
  assert.equal(Number(all.total), before.length);
});
