// Data policies (issue 46 parts 1 and 4): row filters and column actions
// attached to a table, a namespace or a column tag, for roles, users and
// groups; their validation at definition; the column tags they follow;
// a schema change that would break one refused; and what the resolver
// makes of a table for a user (effective-restrictions), every answer
// checked against the spec's ReadRestrictions (apache/iceberg PR 13879).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { expectError, expectJson, uniq } from './lib/expect.js';
import { grant, okFor, startAuthServer, tenantUser, tenantWithAdmin } from './lib/governance.js';
import { checkRR } from './lib/read_restrictions.js';

const SCHEMA = {
  type: 'struct', 'schema-id': 0, fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'email', required: false, type: 'string' },
    { id: 3, name: 'country', required: false, type: 'string' },
    { id: 4, name: 'birth', required: false, type: 'date' },
    { id: 5, name: 'attrs', required: false, type: { type: 'map', 'key-id': 7, key: 'string', 'value-id': 8, value: 'string', 'value-required': false } },
    { id: 6, name: 'addr', required: false, type: { type: 'struct', fields: [{ id: 9, name: 'city', required: false, type: 'string' }] } },
  ],
};

let srv, ok, A, B, cat, ns, tableId, analyst, steward, rAnalyst, rSteward;
const tbl = 'people';
const pol = (body, h = A.admin) => srv.req('POST', '/api/v1/policies', { body: { catalog: cat, ...body }, headers: h });
const explain = (user, t = tbl, extra = '') => srv.req('GET', `/api/v1/catalogs/${cat}/namespaces/${ns}/tables/${t}/effective-restrictions?user=${user}${extra}`, { headers: A.admin });
const rr = async (user, t = tbl, extra = '') => {
  const j = expectJson(await explain(user, t, extra), 200);
  checkRR(j['read-restrictions']);
  return j;
};
const drop = async (id) => assert.equal((await srv.req('DELETE', `/api/v1/policies/${id}`, { headers: A.admin })).status, 204);

before(async () => {
  srv = await startAuthServer();
  ok = okFor(srv);
  A = await tenantWithAdmin(srv, 'pa');
  B = await tenantWithAdmin(srv, 'pb');
  const wh = uniq('wh');
  await ok('POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 'local', root: path.join(srv.tenantDir(A.id), wh) } }, A.admin);
  cat = uniq('cat');
  await ok('POST', '/api/v1/catalogs', { name: cat, warehouse_name: wh }, A.admin);
  ns = 'sales';
  await ok('POST', `/v1/${cat}/namespaces`, { namespace: [ns] }, A.admin);
  tableId = (await ok('POST', `/v1/${cat}/namespaces/${ns}/tables`, { name: tbl, schema: SCHEMA }, A.admin)).metadata['table-uuid'];
  await ok('POST', `/v1/${cat}/namespaces/${ns}/tables`, { name: 'other', schema: SCHEMA }, A.admin);
  rAnalyst = uniq('analyst');
  rSteward = uniq('steward');
  const ra = (await ok('POST', '/api/v1/roles', { name: rAnalyst }, A.admin)).id;
  const rs = (await ok('POST', '/api/v1/roles', { name: rSteward }, A.admin)).id;
  analyst = await tenantUser(srv, A, 'analyst');
  steward = await tenantUser(srv, A, 'steward');
  await ok('POST', `/api/v1/users/${analyst.id}/roles`, { 'role-id': ra }, A.admin);
  await ok('POST', `/api/v1/users/${steward.id}/roles`, { 'role-id': rs }, A.admin);
});
after(async () => { await srv?.stop(); });

test('CRUD: create 201 with an id, get, list (paged, by catalog), replace, delete; another tenant sees nothing', async () => {
  const body = { name: uniq('mask-email'), namespace: [ns], table: tbl, column: 'email', action: 'mask-alphanum', applies_to: { roles: [rAnalyst] } };
  const p = expectJson(await pol(body), 201);
  assert.match(p.id, /^[0-9a-f-]{36}$/);
  assert.equal(p.field_id, 2);
  assert.equal(p.kind, 'column-action');
  assert.deepEqual(p.namespace, [ns]);
  assert.deepEqual(expectJson(await srv.req('GET', `/api/v1/policies/${p.id}`, { headers: A.admin }), 200), p);
  const list = await srv.req('GET', `/api/v1/policies?catalog=${cat}&limit=10`, { headers: A.admin });
  assert.ok(expectJson(list, 200).some((x) => x.id === p.id));
  assert.ok(Number(list.headers['x-total-count']) >= 1);
  assert.deepEqual(expectJson(await srv.req('GET', '/api/v1/policies?catalog=none', { headers: A.admin }), 200), []);
  const upd = expectJson(await srv.req('PUT', `/api/v1/policies/${p.id}`, { body: { ...body, catalog: cat, action: 'show-last-4' }, headers: A.admin }), 200);
  assert.equal(upd.action, 'show-last-4');
  assert.equal(upd.created_at_ms, p.created_at_ms);
  // Another tenant: not found, and its list is empty.
  expectError(await srv.req('GET', `/api/v1/policies/${p.id}`, { headers: B.admin }), 404);
  expectError(await srv.req('DELETE', `/api/v1/policies/${p.id}`, { headers: B.admin }), 404);
  expectError(await srv.req('PUT', `/api/v1/policies/${p.id}`, { body: { ...body, catalog: cat }, headers: B.admin }), 404);
  assert.deepEqual(expectJson(await srv.req('GET', '/api/v1/policies', { headers: B.admin }), 200), []);
  await drop(p.id);
  expectError(await srv.req('GET', `/api/v1/policies/${p.id}`, { headers: A.admin }), 404);
});

test('only tenant admins: a tenant user is 403 on every policy route', async () => {
  const h = analyst.headers;
  expectError(await srv.req('GET', '/api/v1/policies', { headers: h }), 403);
  expectError(await pol({ name: 'x', namespace: [ns], row_filter: true, applies_to: { roles: [rAnalyst] } }, h), 403);
  expectError(await srv.req('GET', '/api/v1/policies/nope', { headers: h }), 403);
  expectError(await srv.req('DELETE', '/api/v1/policies/nope', { headers: h }), 403);
  expectError(await srv.req('GET', `/api/v1/catalogs/${cat}/namespaces/${ns}/tables/${tbl}/effective-restrictions?user=${analyst.id}`, { headers: h }), 403);
});

test('refusals name what is wrong: shape 400, meaning 422', async () => {
  const base = { name: uniq('bad'), namespace: [ns], table: tbl, applies_to: { roles: [rAnalyst] } };
  const cases = [
    [{ ...base, column: 'email' }, 422, /row_filter or a column action/],
    [{ ...base, column: 'email', action: 'mask-alphanum', row_filter: true }, 422, /exactly one/],
    [{ ...base, column: 'email', action: 'blur' }, 422, /not one of/],
    [{ ...base, column: 'nope', action: 'mask-alphanum' }, 422, /no column nope/],
    [{ ...base, column: 'id', action: 'mask-alphanum' }, 422, /mask-alphanum does not apply to field 1 of type long/],
    [{ ...base, column: 'id', action: 'replace-with-null' }, 422, /only to optional/],
    [{ ...base, column: 'attrs.key', action: 'mask-alphanum' }, 422, /map's key/],
    [{ ...base, row_filter: { type: 'eq', term: 'nope', value: 1 } }, 422, /row_filter/],
    [{ ...base, table: 'missing', row_filter: true }, 422, /table missing not found/],
    [{ ...base, applies_to: {}, row_filter: true }, 422, /at least one/],
    [{ ...base, table: undefined, namespace: undefined, row_filter: true }, 422, /needs a scope/],
    [{ ...base, tag: 'pii', row_filter: true, table: undefined, namespace: undefined }, 422, /tag's policy is a column action/],
    [{ ...base, tag: 'pii', table: undefined, namespace: undefined, column: 'email', action: 'mask-alphanum' }, 422, /no column/],
    [{ ...base, catalog: 'nope', row_filter: true }, 404, /catalog nope not found/],
    [{ ...base, row_filter: true, extra: 1 }, 400, /extra/],
    [{ ...base, row_filter: true, applies_to: { roles: 'x' } }, 400, /roles/],
    [{ ...base, row_filter: 'x' }, 400, /row_filter must be/],
  ];
  for (const [body, status, message] of cases) {
    const r = await srv.req('POST', '/api/v1/policies', { body: { catalog: cat, ...body }, headers: A.admin });
    assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.status} ${r.text}`);
    expectError(r, status, { message });
  }
});

test('every action against applicable and non-applicable types', async () => {
  const table = { mask: ['email'], times: ['birth'], hash: ['email', 'id'] };
  const cases = [
    ['mask-alphanum', 'email', true], ['mask-alphanum', 'birth', false],
    ['show-first-4', 'email', true], ['show-last-4', 'country', true], ['show-last-4', 'id', false],
    ['truncate-to-year', 'birth', true], ['truncate-to-month', 'birth', true], ['truncate-to-month', 'email', false],
    ['sha-256-global', 'id', true], ['sha-256-query-local', 'email', true], ['sha-256-global', 'birth', false],
    ['mask-to-fixed-value', 'addr', true], ['mask-to-fixed-value', 'attrs.value', true],
    ['replace-with-null', 'addr.city', true], ['replace-with-null', 'id', false],
  ];
  void table;
  for (const [action, column, good] of cases) {
    const r = await pol({ name: uniq(action), namespace: [ns], table: tbl, column, action, applies_to: { users: [steward.id] } });
    assert.equal(r.status, good ? 201 : 422, `${action} on ${column}: ${r.status} ${r.text}`);
    if (good) await drop(r.json.id);
  }
});

test('two policies that would give one caller two actions on one field (or a nested one) are refused 409, naming the other', async () => {
  const first = expectJson(await pol({ name: uniq('addr-fixed'), namespace: [ns], table: tbl, column: 'addr', action: 'mask-to-fixed-value', applies_to: { roles: [rAnalyst] } }), 201);
  const again = await pol({ name: uniq('addr-city'), namespace: [ns], table: tbl, column: 'addr.city', action: 'mask-alphanum', applies_to: { groups: ['g1'] } });
  expectError(again, 409, { message: new RegExp(first.name) });
  // A namespace's policy on the same column for an overlapping role.
  expectError(await pol({ name: uniq('ns-addr'), namespace: [ns], column: 'addr', action: 'replace-with-null', applies_to: { roles: [rAnalyst] } }), 409);
  // Principals that can never meet: whoever holds the analyst role is excepted.
  const apart = expectJson(await pol({ name: uniq('apart'), namespace: [ns], table: tbl, column: 'addr.city', action: 'mask-alphanum', applies_to: { users: [steward.id], except_roles: [rAnalyst] } }), 201);
  await drop(apart.id);
  await drop(first.id);
});

test('effective-restrictions: two users with different roles on one table; row filters AND-ed by field id', async () => {
  const made = [];
  const mk = async (body) => made.push(expectJson(await pol({ name: uniq('p'), namespace: [ns], ...body }), 201).id);
  await mk({ table: tbl, column: 'email', action: 'mask-alphanum', applies_to: { roles: [rAnalyst] } });
  await mk({ table: tbl, column: 'birth', action: 'truncate-to-year', applies_to: { roles: [rAnalyst, rSteward], except_roles: [rSteward] } });
  await mk({ table: tbl, row_filter: { type: 'eq', term: 'country', value: 'US' }, applies_to: { roles: [rAnalyst] } });
  await mk({ row_filter: { type: 'not-null', term: 'email' }, applies_to: { roles: [rAnalyst] } });
  await mk({ table: tbl, column: 'email', action: 'show-last-4', applies_to: { users: [steward.id] } }).catch(() => {});
  const a = await rr(analyst.id);
  assert.deepEqual(a['read-restrictions']['required-column-projections'], [
    { 'field-id': 2, action: 'mask-alphanum' }, { 'field-id': 4, action: 'truncate-to-year' },
  ]);
  const f = a['read-restrictions']['required-row-filter'];
  assert.equal(f.type, 'and');
  assert.deepEqual([f.left, f.right].map((x) => x.type).sort(), ['eq', 'not-null']);
  const eq = [f.left, f.right].find((x) => x.type === 'eq');
  assert.deepEqual(eq.left, { type: 'reference', id: 3 });
  assert.equal(a.policies.length, 4);
  const s = await rr(steward.id);
  assert.equal(s['read-restrictions']['required-row-filter'], undefined);
  assert.ok(!(s['read-restrictions']['required-column-projections'] ?? []).some((p) => p['field-id'] === 4), 'except_roles wins');
  // A user with no role and no group: nothing.
  const nobody = await tenantUser(srv, A, 'nobody');
  assert.deepEqual((await rr(nobody.id))['read-restrictions'], {});
  // Groups come from the token: given to the explanation.
  const g = expectJson(await pol({ name: uniq('grp'), namespace: [ns], table: tbl, column: 'country', action: 'show-first-4', applies_to: { groups: ['eu-staff'] } }), 201);
  made.push(g.id);
  assert.deepEqual((await rr(nobody.id, tbl, '&groups=eu-staff'))['read-restrictions']['required-column-projections'], [{ 'field-id': 3, action: 'show-first-4' }]);
  expectError(await explain('no-such-user'), 404);
  expectError(await srv.req('GET', `/api/v1/catalogs/${cat}/namespaces/${ns}/tables/${tbl}/effective-restrictions`, { headers: A.admin }), 400);
  for (const id of made) await drop(id);
});

test('a namespace policy is inherited by every table below it; a table without its column is flagged', async () => {
  const p = expectJson(await pol({ name: uniq('ns-email'), namespace: [ns], column: 'email', action: 'sha-256-global', applies_to: { roles: [rAnalyst] } }), 201);
  for (const t of [tbl, 'other']) {
    assert.deepEqual((await rr(analyst.id, t))['read-restrictions']['required-column-projections'], [{ 'field-id': 2, action: 'sha-256-global' }]);
  }
  const q = expectJson(await pol({ name: uniq('ns-ghost'), namespace: [ns], column: 'ghost', action: 'mask-alphanum', applies_to: { roles: [rAnalyst] } }), 201);
  const j = await rr(analyst.id);
  assert.ok(j.flags.some((f) => f.id === q.id && /no column ghost/.test(f.reason)));
  await drop(q.id);
  await drop(p.id);
});

test('a tag policy follows a newly tagged column', async () => {
  const tag = uniq('pii:email');
  const p = expectJson(await pol({ name: uniq('tagged'), tag, action: 'mask-alphanum', applies_to: { roles: [rAnalyst] } }), 201);
  assert.equal((await rr(analyst.id))['read-restrictions']['required-column-projections'], undefined);
  const put = expectJson(await srv.req('PUT', `/api/v1/assets/${tableId}/column-tags`, { body: { columns: [{ column: 'email', tags: [tag] }, { field_id: 9, tags: [tag, 'other'] }] }, headers: A.admin }), 200);
  assert.deepEqual(put.columns.map((c) => c.field_id), [2, 9]);
  assert.deepEqual(expectJson(await srv.req('GET', `/api/v1/assets/${tableId}/column-tags`, { headers: A.admin }), 200), put);
  assert.deepEqual((await rr(analyst.id))['read-restrictions']['required-column-projections'], [
    { 'field-id': 2, action: 'mask-alphanum' }, { 'field-id': 9, action: 'mask-alphanum' },
  ]);
  const found = expectJson(await srv.req('GET', `/api/v1/column-tags?tag=${encodeURIComponent(tag)}&catalog=${cat}`, { headers: A.admin }), 200);
  assert.deepEqual(found.map((c) => c.field_id), [2, 9]);
  expectError(await srv.req('PUT', `/api/v1/assets/${tableId}/column-tags`, { body: { columns: [{ field_id: 99, tags: ['x'] }] }, headers: A.admin }), 422);
  expectJson(await srv.req('PUT', `/api/v1/assets/${tableId}/column-tags`, { body: { columns: [] }, headers: A.admin }), 200);
  await drop(p.id);
});

const commit = (updates, t = tbl) => srv.req('POST', `/v1/${cat}/namespaces/${ns}/tables/${t}`, { body: { requirements: [], updates }, headers: A.admin });
const current = async (t = tbl) => {
  const md = expectJson(await srv.req('GET', `/v1/${cat}/namespaces/${ns}/tables/${t}`, { headers: A.admin }), 200).metadata;
  return md.schemas.find((s) => s['schema-id'] === md['current-schema-id']);
};
const withSchema = (s, fields) => ({ ...s, 'schema-id': undefined, fields });

test('a schema change that would break a policy is refused, naming it; a rename keeps a row filter valid', async () => {
  const p = expectJson(await pol({ name: uniq('country-us'), namespace: [ns], table: tbl, row_filter: { type: 'eq', term: 'country', value: 'US' }, applies_to: { roles: [rAnalyst] } }), 201);
  let s = await current();
  // Drop the filtered column: refused with the policy's name.
  const dropped = withSchema(s, s.fields.filter((f) => f.name !== 'country'));
  const r = await commit([{ action: 'add-schema', schema: dropped }, { action: 'set-current-schema', 'schema-id': -1 }]);
  expectError(r, 400, { iceberg: true, message: new RegExp(p.name) });
  // Rename it: accepted, and the filter still references field 3.
  const renamed = withSchema(s, s.fields.map((f) => (f.name === 'country' ? { ...f, name: 'nation' } : f)));
  expectJson(await commit([{ action: 'add-schema', schema: renamed }, { action: 'set-current-schema', 'schema-id': -1 }]), 200);
  const f = (await rr(analyst.id))['read-restrictions']['required-row-filter'];
  assert.deepEqual(f.left, { type: 'reference', id: 3 });
  // A column action on a retyped column: email string -> dropped, refused.
  const m = expectJson(await pol({ name: uniq('email-mask'), namespace: [ns], table: tbl, column: 'email', action: 'mask-alphanum', applies_to: { roles: [rAnalyst] } }), 201);
  s = await current();
  expectError(await commit([{ action: 'add-schema', schema: withSchema(s, s.fields.filter((x) => x.id !== 2)) }, { action: 'set-current-schema', 'schema-id': -1 }]), 400, { iceberg: true, message: new RegExp(m.name) });
  // A change that touches no policy's column goes through.
  expectJson(await commit([{ action: 'add-schema', schema: withSchema(s, [...s.fields, { id: 20, name: 'extra', required: false, type: 'int' }]) }, { action: 'set-current-schema', 'schema-id': -1 }]), 200);
  await drop(m.id);
  await drop(p.id);
  // Without policies the drop goes through.
  s = await current();
  expectJson(await commit([{ action: 'add-schema', schema: withSchema(s, s.fields.filter((x) => x.id !== 2)) }, { action: 'set-current-schema', 'schema-id': -1 }]), 200);
});

test('policies per tenant are bounded (PANGOLIN_POLICIES_MAX_PER_TENANT)', async () => {
  const small = await startAuthServer({ env: { PANGOLIN_POLICIES_MAX_PER_TENANT: '1' } });
  try {
    const sok = okFor(small);
    const T = await tenantWithAdmin(small, 'lim');
    const wh = uniq('wh');
    await sok('POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 'local', root: path.join(small.tenantDir(T.id), wh) } }, T.admin);
    const c = uniq('cat');
    await sok('POST', '/api/v1/catalogs', { name: c, warehouse_name: wh }, T.admin);
    await sok('POST', `/v1/${c}/namespaces`, { namespace: ['n'] }, T.admin);
    const body = (name) => ({ name, catalog: c, namespace: ['n'], row_filter: true, applies_to: { roles: ['r'] } });
    expectJson(await small.req('POST', '/api/v1/policies', { body: body('one'), headers: T.admin }), 201);
    const r = await small.req('POST', '/api/v1/policies', { body: body('two'), headers: T.admin });
    expectError(r, 429, { message: /PANGOLIN_POLICIES_MAX_PER_TENANT/ });
    assert.equal(r.json.limit, 1);
  } finally {
    await small.stop();
  }
});

test('a table renamed on main takes its table policies with it', async () => {
  await ok('POST', `/v1/${cat}/namespaces/${ns}/tables`, { name: 'mover', schema: SCHEMA }, A.admin);
  const p = expectJson(await pol({ name: uniq('mover-mask'), namespace: [ns], table: 'mover', column: 'email', action: 'show-last-4', applies_to: { roles: [rAnalyst] } }), 201);
  assert.equal((await srv.req('POST', `/v1/${cat}/tables/rename`, { body: { source: { namespace: [ns], name: 'mover' }, destination: { namespace: [ns], name: 'moved' } }, headers: A.admin })).status, 204);
  assert.equal(expectJson(await srv.req('GET', `/api/v1/policies/${p.id}`, { headers: A.admin }), 200).table, 'moved');
  assert.deepEqual((await rr(analyst.id, 'moved'))['read-restrictions']['required-column-projections'], [{ 'field-id': 2, action: 'show-last-4' }]);
  await drop(p.id);
});

test('a table renamed on another branch keeps its table policies there as copies (fail closed); main\'s table of the old name keeps them', async () => {
  const b = uniq('dev');
  await ok('POST', `/v1/${cat}/namespaces/${ns}/tables`, { name: 'brmover', schema: SCHEMA }, A.admin);
  const p = expectJson(await pol({ name: uniq('br-mask'), namespace: [ns], table: 'brmover', column: 'email', action: 'show-last-4', applies_to: { roles: [rAnalyst] } }), 201);
  expectJson(await srv.req('POST', '/api/v1/branches', { body: { name: b, catalog: cat, from_branch: 'main' }, headers: A.admin }), 201);
  const r = await srv.req('POST', `/v1/${cat}/tables/rename`, { body: { source: { namespace: [ns], name: `brmover@${b}` }, destination: { namespace: [ns], name: `brmoved@${b}` } }, headers: A.admin });
  assert.equal(r.status, 204, r.text);
  // The policy stays on its name (main's table is still there) ...
  assert.equal(expectJson(await srv.req('GET', `/api/v1/policies/${p.id}`, { headers: A.admin }), 200).table, 'brmover');
  assert.deepEqual((await rr(analyst.id, 'brmover'))['read-restrictions']['required-column-projections'], [{ 'field-id': 2, action: 'show-last-4' }]);
  // ... and the table under its new name on the branch has a copy.
  const all = expectJson(await srv.req('GET', `/api/v1/policies?catalog=${cat}&limit=1000`, { headers: A.admin }), 200);
  const copies = all.filter((x) => x.table === 'brmoved');
  assert.deepEqual(copies.map((x) => [x.name, x.column, x.action]), [[`${p.name} (renamed on ${b} as ${ns}.brmoved)`, 'email', 'show-last-4']]);
  // Renamed back and forth: the copies do not multiply (each name holds
  // the policy once), or a user who may rename could grow them at will.
  const mv = async (from, to) => assert.equal((await srv.req('POST', `/v1/${cat}/tables/rename`, { body: { source: { namespace: [ns], name: `${from}@${b}` }, destination: { namespace: [ns], name: `${to}@${b}` } }, headers: A.admin })).status, 204);
  for (let k = 0; k < 3; k++) { await mv('brmoved', 'brmover'); await mv('brmover', 'brmoved'); }
  const after = expectJson(await srv.req('GET', `/api/v1/policies?catalog=${cat}&limit=1000`, { headers: A.admin }), 200);
  assert.deepEqual(after.filter((x) => x.table === 'brmoved').map((x) => x.id), copies.map((x) => x.id));
  assert.deepEqual(after.filter((x) => x.table === 'brmover').map((x) => x.id), [p.id]);
  // The analyst loading it there is answered the copy's restriction.
  const c = expectJson(await srv.req('GET', `/api/v1/catalogs/${cat}`, { headers: A.admin }), 200);
  await grant(srv, A, analyst, { type: 'catalog', catalog_id: c.id }, ['read']);
  const l = expectJson(await srv.req('GET', `/v1/${cat}/namespaces/${ns}/tables/brmoved@${b}`, { headers: analyst.headers }), 200);
  assert.deepEqual(l['read-restrictions']['required-column-projections'], [{ 'field-id': 2, action: 'show-last-4' }]);
  for (const x of [p, ...copies]) await drop(x.id);
});

test('a tag policy must apply to the columns its tag is on; tagging is checked against the tag policies and the others', async () => {
  const tag = uniq('pii:birth');
  const tags = (columns) => srv.req('PUT', `/api/v1/assets/${tableId}/column-tags`, { body: { columns }, headers: A.admin });
  expectJson(await tags([{ column: 'birth', tags: [tag] }]), 200);
  // mask-alphanum on a date column tagged so: refused, naming the table.
  expectError(await pol({ name: uniq('t-bad'), tag, action: 'mask-alphanum', applies_to: { roles: [rAnalyst] } }), 422, { message: new RegExp(`${tbl}.*mask-alphanum does not apply`) });
  const good = expectJson(await pol({ name: uniq('t-year'), tag, action: 'truncate-to-year', applies_to: { roles: [rAnalyst] } }), 201);
  // Tagging a string column (addr.city) with it now: refused (the action does not apply).
  expectError(await tags([{ column: 'birth', tags: [tag] }, { column: 'addr.city', tags: [tag] }]), 422, { message: new RegExp(good.name) });
  // A namespace policy on birth for the same role meets the tag's on this table.
  expectError(await pol({ name: uniq('ns-birth'), namespace: [ns], column: 'birth', action: 'truncate-to-month', applies_to: { roles: [rAnalyst] } }), 409, { message: new RegExp(good.name) });
  // A table policy on addr.city, then a tag put on it too: two actions, refused.
  const onEmail = expectJson(await pol({ name: uniq('city-null'), namespace: [ns], table: tbl, column: 'addr.city', action: 'replace-with-null', applies_to: { groups: ['g'] } }), 201);
  const tag2 = uniq('pii:any');
  const any = expectJson(await pol({ name: uniq('t-fixed'), tag: tag2, action: 'mask-to-fixed-value', applies_to: { roles: [rAnalyst] } }), 201);
  expectError(await tags([{ column: 'birth', tags: [tag] }, { column: 'addr.city', tags: [tag2] }]), 409, { message: new RegExp(`${any.name}|${onEmail.name}`) });
  expectJson(await tags([]), 200);
  for (const p of [good, onEmail, any]) await drop(p.id);
});
