// Lists by key (issue 69): every page of listNamespaces, listTables,
// listViews and the management lists is read from the last row's key by
// an index, never by offset.  A row created before the page's key (or one
// deleted before it) between two pages neither repeats a row nor skips
// one, where an offset would; and a page token is its list's: another
// tenant's, catalog's, namespace's, branch's or list's token is refused
// 400, and no token shows a row of another list.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer } from './lib/server.js';
import { expectError, expectJson, uniq, walkKeyset } from './lib/expect.js';
import { makeTenant, ok } from './lib/tenant_fixture.js';

const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', required: false, type: 'long' }] };
const view = (name) => ({
  name, schema,
  'view-version': { 'version-id': 1, 'timestamp-ms': Date.now(), 'schema-id': 0, summary: { 'engine-name': 'x' },
    representations: [{ type: 'sql', sql: 'select 1', dialect: 'spark' }], 'default-namespace': ['db'] },
  properties: {},
});
const pad = (i) => String(i).padStart(2, '0');
let srv, a, b;

before(async () => {
  srv = await startServer({ root: true, noAuth: false, workers: 1, env: { PANGOLIN_AUTH_RATE_LIMIT: '0' } });
  a = await makeTenant(srv, 'ka');
  b = await makeTenant(srv, 'kb');
});
after(async () => { await srv?.stop(); });

const get = (p, headers) => srv.req('GET', p, { headers });
const table = (t, ns, name) => ok(srv, 'POST', `/v1/${t.cat}/namespaces/${ns}/tables`, { name, schema }, t.admin);
const drop = (t, ns, name) => ok(srv, 'DELETE', `/v1/${t.cat}/namespaces/${ns}/tables/${name}`, undefined, t.admin);
const mkns = (t, levels) => ok(srv, 'POST', `/v1/${t.cat}/namespaces`, { namespace: levels }, t.admin);

/** One Iceberg page: its rows (as text) and next token. */
async function icePage(t, p, key, size, tok) {
  const r = expectJson(await get(`${p}${p.includes('?') ? '&' : '?'}pageSize=${size}&pageToken=${encodeURIComponent(tok)}`, t.admin), 200);
  return { rows: r[key].map((x) => (Array.isArray(x) ? x.join('.') : x.name)), next: r['next-page-token'] };
}

test('listTables: a table created and one dropped before the page\'s key between pages repeat and skip nothing', async () => {
  await mkns(a, ['sales']);
  for (let i = 1; i <= 12; i += 1) await table(a, 'sales', `t${pad(i * 2)}`);
  const p = `/v1/${a.cat}/namespaces/sales/tables`;
  const one = await icePage(a, p, 'identifiers', 4, '');
  assert.deepEqual(one.rows, ['t02', 't04', 't06', 't08']);
  // Before the key: one new (an offset would give t08 again) and one gone
  // (an offset would then skip t10).
  await table(a, 'sales', 't01');
  await table(a, 'sales', 't03');
  await drop(a, 'sales', 't02');
  const two = await icePage(a, p, 'identifiers', 4, one.next);
  assert.deepEqual(two.rows, ['t10', 't12', 't14', 't16']);
  // After it: a new one is read, a dropped one is not.
  await table(a, 'sales', 't17');
  await drop(a, 'sales', 't20');
  const three = await icePage(a, p, 'identifiers', 4, two.next);
  assert.deepEqual(three.rows, ['t17', 't18', 't22', 't24']);
  assert.equal(three.next, null);
});

test('listViews pages its own kind by key, and a table\'s token is not a view list\'s', async () => {
  await mkns(a, ['mixed']);
  for (let i = 0; i < 6; i++) {
    await table(a, 'mixed', `t${pad(i)}`);
    await ok(srv, 'POST', `/v1/${a.cat}/namespaces/mixed/views`, view(`v${pad(i)}`), a.admin);
  }
  const p = `/v1/${a.cat}/namespaces/mixed/views`;
  let tok = '';
  const got = [];
  for (;;) {
    const pg = await icePage(a, p, 'identifiers', 4, tok);
    got.push(...pg.rows);
    if (pg.next == null) break;
    tok = pg.next;
  }
  assert.deepEqual(got, ['v00', 'v01', 'v02', 'v03', 'v04', 'v05']);
  const tables = await icePage(a, `/v1/${a.cat}/namespaces/mixed/tables`, 'identifiers', 2, '');
  expectError(await get(`${p}?pageToken=${tables.next}`, a.admin), 400, { iceberg: true });
});

test('listNamespaces at any depth pages by key past each namespace\'s children, under creates and drops', async () => {
  await mkns(a, ['lv']);
  for (let i = 0; i < 8; i++) {
    await mkns(a, ['lv', `n${pad(i * 2)}`]);
    // Children under each: a level's page reads past them.
    for (let j = 0; j < 3; j++) await mkns(a, ['lv', `n${pad(i * 2)}`, `c${j}`]);
  }
  const p = `/v1/${a.cat}/namespaces?parent=lv`;
  const one = await icePage(a, p, 'namespaces', 3, '');
  assert.deepEqual(one.rows, ['lv.n00', 'lv.n02', 'lv.n04']);
  await mkns(a, ['lv', 'n01']);
  await ok(srv, 'DELETE', `/v1/${a.cat}/namespaces/lv%1Fn00%1Fc0`, undefined, a.admin);
  const two = await icePage(a, p, 'namespaces', 3, one.next);
  assert.deepEqual(two.rows, ['lv.n06', 'lv.n08', 'lv.n10']);
  const rest = await icePage(a, p, 'namespaces', 10, two.next);
  assert.deepEqual(rest.rows, ['lv.n12', 'lv.n14']);
  assert.equal(rest.next, null);
  // The children's list of one of them is another list.
  expectError(await get(`/v1/${a.cat}/namespaces?parent=lv%1Fn02&pageToken=${one.next}`, a.admin), 400, { iceberg: true });
  expectError(await get(`/v1/${a.cat}/namespaces?pageToken=${one.next}`, a.admin), 400, { iceberg: true });
});

test('an Iceberg page token is refused on another tenant, catalog, namespace or branch, and an offset token is no token', async () => {
  await mkns(a, ['tok']);
  await mkns(a, ['tok2']);
  for (let i = 0; i < 4; i++) await table(a, 'tok', `t${i}`);
  const first = await icePage(a, `/v1/${a.cat}/namespaces/tok/tables`, 'identifiers', 2, '');
  assert.ok(first.next);
  // Tenant b's catalog of its own, with a namespace of the same name.
  await mkns(b, ['tok']);
  for (let i = 0; i < 4; i++) await table(b, 'tok', `t${i}`);
  const other = await ok(srv, 'POST', '/api/v1/catalogs', { name: uniq('cat2'), warehouse_name: a.wh }, a.admin);
  await ok(srv, 'POST', `/v1/${other.name}/namespaces`, { namespace: ['tok'] }, a.admin);
  await ok(srv, 'POST', '/api/v1/branches', { name: 'dev', catalog: a.cat, from_branch: 'main' }, a.admin);
  for (const [who, p] of [
    [b.admin, `/v1/${b.cat}/namespaces/tok/tables`],
    [a.admin, `/v1/${other.name}/namespaces/tok/tables`],
    [a.admin, `/v1/${a.cat}/namespaces/tok2/tables`],
    [a.admin, `/v1/${a.cat}/namespaces/tok@dev/tables`],
    [a.admin, `/v1/${a.cat}/namespaces/tok/tables?pageToken=o2`],
  ]) {
    const url = p.includes('pageToken') ? p : `${p}?pageToken=${first.next}`;
    expectError(await get(url, who), 400, { iceberg: true });
  }
  const two = await icePage(a, `/v1/${a.cat}/namespaces/tok/tables`, 'identifiers', 2, first.next);
  assert.deepEqual(two.rows, ['t2', 't3']);
});

test('management lists page by page_token: a branch created before the key between pages repeats nothing', async () => {
  const br = (name) => ok(srv, 'POST', '/api/v1/branches', { name, catalog: a.cat, from_branch: 'main' }, a.admin);
  for (let i = 1; i <= 6; i++) await br(`b${pad(i * 2)}`);
  const names = await walkKeyset(srv, `/api/v1/branches?catalog=${a.cat}`, {
    headers: a.admin, limit: 3,
    between: async (i) => { if (i === 0) { await br('b00'); await br('b05'); } },
  });
  // main sorts after b..: [b02 b04 b06] then, b00 and b05 made before the key, [b08 b10 b12], [dev? main]
  assert.deepEqual(names.filter((n) => n.startsWith('b')), ['b02', 'b04', 'b06', 'b08', 'b10', 'b12']);
  assert.equal(new Set(names).size, names.length, 'no branch twice');
});

test('a management page token is refused on another tenant\'s list, another catalog\'s or another list, and beside an offset', async () => {
  const r = await get(`/api/v1/branches?catalog=${a.cat}&limit=1`, a.admin);
  const tok = r.headers['x-next-page-token'];
  assert.ok(tok, 'an offset page hands out a token');
  assert.ok(r.headers['x-total-count'], 'an offset page keeps X-Total-Count');
  for (const [who, p] of [
    [b.admin, `/api/v1/branches?catalog=${b.cat}`],
    [a.admin, `/api/v1/tags?catalog=${a.cat}`],
    [a.admin, '/api/v1/users'],
    [b.admin, '/api/v1/users'],
    [a.admin, `/api/v1/branches?catalog=${a.cat}&offset=1`],
    [a.admin, `/api/v1/branches?catalog=${a.cat}&page=2`],
  ]) {
    expectError(await get(`${p}${p.includes('?') ? '&' : '?'}page_token=${tok}`, who), 400);
  }
  const users = await get('/api/v1/users?limit=1', a.admin);
  expectError(await get(`/api/v1/users?page_token=${users.headers['x-next-page-token']}`, b.admin), 400);
});

test('users, permissions, tokens and audit walk by page_token as their offset pages list them', async () => {
  for (let i = 0; i < 5; i++) {
    await ok(srv, 'POST', '/api/v1/users', { username: uniq(`pu${i}`), password: 'Str0ng-Passw0rd-for-tests', tenant_id: a.id, role: 'tenant-user' }, a.admin);
    await ok(srv, 'POST', '/api/v1/permissions', { 'user-id': a.userId, scope: { type: 'catalog', catalog_id: a.catId }, actions: ['read'] }, a.admin);
  }
  for (const [p, key] of [
    ['/api/v1/users', (u) => u.id],
    ['/api/v1/permissions', (x) => x.id],
    ['/api/v1/audit', (e) => e.id],
    [`/api/v1/users/${a.userId}/tokens`, (t) => t.id],
  ]) {
    const whole = expectJson(await get(`${p}?limit=1000`, a.admin), 200).map(key);
    assert.ok(whole.length >= 1, `${p}: rows`);
    for (const limit of [1, 2, 7]) {
      assert.deepEqual(await walkKeyset(srv, p, { headers: a.admin, key, limit }), whole, `${p} limit ${limit}`);
    }
  }
});

test('a tenant user\'s management asset list is filtered by key as it is read', async () => {
  const c = await makeTenant(srv, 'kc');
  for (const ns of ['pub', 'priv']) await mkns(c, [ns]);
  for (let i = 0; i < 5; i++) {
    await table(c, 'pub', `p${i}`);
    await table(c, 'priv', `q${i}`);
  }
  // Read on two tables of pub only: the walk skips the others by key.
  for (const t of ['p1', 'p3']) {
    const id = (await ok(srv, 'GET', `/api/v1/catalogs/${c.cat}/namespaces/pub/assets/${t}`, undefined, c.admin)).id;
    await ok(srv, 'POST', '/api/v1/permissions', { 'user-id': c.userId, scope: { type: 'asset', catalog_id: c.catId, namespace: 'pub', asset_id: id }, actions: ['read'] }, c.admin);
  }
  const names = await walkKeyset(srv, `/api/v1/catalogs/${c.cat}/namespaces/pub/assets`, { headers: c.user, limit: 1 });
  assert.deepEqual(names, ['p1', 'p3']);
  const none = await get(`/api/v1/catalogs/${c.cat}/namespaces/priv/assets?page_token=`, c.user);
  assert.ok(none.status === 403 || (none.status === 200 && none.json.length === 0), `${none.status} ${none.text}`);
});

test('a tenant user\'s filtered page reads at most [server] list_max_slices slices: it ends short, and its token goes on from the last row read', async () => {
  // 3 rows a slice, 2 slices a page: a page reads at most 6 rows of the
  // store, however few of them the caller may see.
  const s = await startServer({ root: true, noAuth: false, workers: 1,
    env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_LIST_SLICE_ROWS: '3', PANGOLIN_LIST_MAX_SLICES: '2' } });
  try {
    const d = await makeTenant(s, 'kd');
    await ok(s, 'POST', `/v1/${d.cat}/namespaces`, { namespace: ['wide'] }, d.admin);
    for (let i = 0; i < 20; i++) await ok(s, 'POST', `/v1/${d.cat}/namespaces/wide/tables`, { name: `w${pad(i)}`, schema }, d.admin);
    for (const t of ['w03', 'w17']) {
      const id = (await ok(s, 'GET', `/api/v1/catalogs/${d.cat}/namespaces/wide/assets/${t}`, undefined, d.admin)).id;
      await ok(s, 'POST', '/api/v1/permissions', { 'user-id': d.userId, scope: { type: 'asset', catalog_id: d.catId, namespace: 'wide', asset_id: id }, actions: ['read'] }, d.admin);
    }
    const p = `/api/v1/catalogs/${d.cat}/namespaces/wide/assets`;
    const pages = [];
    assert.deepEqual(await walkKeyset(s, p, { headers: d.user, limit: 5, sparse: true, pages }), ['w03', 'w17']);
    // 20 rows, 6 a page: w00-w05 (w03), w06-w11 (none), w12-w17 (w17),
    // w18-w19, the last.  Without the bound the first page held both.
    assert.deepEqual(pages, [1, 0, 1, 0]);
    // An admin's page is not filtered, and not cut short.
    assert.deepEqual((await walkKeyset(s, p, { headers: d.admin, limit: 10 })).length, 20);
  } finally {
    await s.stop();
  }
});
