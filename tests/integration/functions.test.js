// SQL functions as catalog objects (issue 70): the Iceberg REST spec's
// listFunctions and loadFunction, and the create, drop and exists that
// apache/iceberg PR 17966 proposes, with the server assigning the
// function-uuid, format-version, definition-ids, version ids, timestamps
// and the definition-log; ?replace=true appends versions.  Every /v1
// answer is checked against the Iceberg OpenAPI document we ship
// (lib/openapi.js), which carries the proposal's three operations.  Then
// what every catalog object meets: 400s naming what breaks the UDF spec,
// per-namespace authorization, tenants apart, events, audit, branches and
// merges, undrop, paging by key over 120 functions in slices of 16.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer } from './lib/server.js';
import { checkResponse } from './lib/openapi.js';
import { expectJson, pool, uniq, UUID_RE } from './lib/expect.js';
import { login, makeTenant, ok as mok, PW } from './lib/tenant_fixture.js';

let srv, A, B;
// The list's slice ([server] list_slice_rows) on this file's server, and
// the functions the paging test makes: several slices of them.
const SLICE = 16;
const N_PAGED = 120;

/** A /v1 request whose answer is checked against the Iceberg spec. */
async function ice(method, p, { body, headers } = {}) {
  const r = await srv.req(method, p, { body, headers });
  checkResponse(method, p, r);
  return r;
}

/** The Iceberg error envelope: status, type and (optional) message. */
function iceError(r, status, type, message) {
  const body = expectJson(r, status);
  assert.equal(body.error.code, status, r.text);
  assert.equal(body.error.type, type, r.text);
  if (message) assert.match(body.error.message, message);
  return body.error;
}

const fnPath = (t, ns, name = '') => `/v1/${t.cat}/namespaces/${ns}/functions${name ? `/${encodeURIComponent(name)}` : ''}`;

/** A scalar definition of params (types), one SQL body per dialect. */
function def(types, sql = { trino: 'x + 1' }, extra = {}) {
  return {
    parameters: types.map((type, i) => ({ name: `p${i}`, type })),
    'return-type': 'int',
    'function-type': 'udf',
    versions: [{ representations: Object.entries(sql).map(([dialect, s]) => ({ type: 'sql', dialect, sql: s })), deterministic: true }],
    ...extra,
  };
}

const create = (t, ns, body, headers = t.admin, q = '') => ice('POST', `${fnPath(t, ns)}${q}`, { body, headers });
const load = (t, ns, name, headers = t.admin) => ice('GET', fnPath(t, ns, name), { headers });

async function createOk(t, ns, body, headers = t.admin, q = '') {
  return expectJson(await create(t, ns, body, headers, q), 200);
}

async function user(t, grants) {
  const name = uniq('fnuser');
  const u = await mok(srv, 'POST', '/api/v1/users', { username: name, password: PW, tenant_id: t.id, role: 'tenant-user' }, t.admin);
  for (const [ns, actions] of grants) {
    await mok(srv, 'POST', '/api/v1/permissions', { 'user-id': u.id, scope: { type: 'namespace', catalog_id: t.catId, namespace: ns }, actions }, t.admin);
  }
  return login(srv, name, t.id);
}

before(async () => {
  srv = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_LIST_SLICE_ROWS: String(SLICE) } });
  A = await makeTenant(srv, 'fa');
  B = await makeTenant(srv, 'fb');
  for (const ns of [['db'], ['db', 'inner'], ['other'], ['pages']]) {
    await mok(srv, 'POST', `/v1/${A.cat}/namespaces`, { namespace: ns }, A.admin);
  }
});
after(async () => { await srv?.stop(); });

test('create assigns the uuid, format-version, definition-ids, version ids, timestamps and the log; load, exists and list agree', async () => {
  const before = Date.now();
  const body = {
    name: 'add_one',
    doc: 'Add one',
    properties: { owner: 'eng' },
    definitions: [{
      ...def(['int'], { trino: 'x + 1', spark: 'x + 1' }),
      // The server's to assign: replaced whatever the client sends.
      'definition-id': 'bogus', 'current-version-id': 99,
    }],
    'function-uuid': undefined,
  };
  body.definitions[0].versions[0]['version-id'] = 42;
  body.definitions[0].versions[0]['timestamp-ms'] = 1;
  const r = await createOk(A, 'db', body);
  const md = r.metadata;
  assert.match(md['function-uuid'], UUID_RE);
  assert.equal(md['format-version'], 1);
  assert.equal(md.doc, 'Add one');
  assert.deepEqual(md.properties, { owner: 'eng' });
  assert.equal(md.secure, false);
  const [d] = md.definitions;
  assert.equal(d['definition-id'], 'int');
  assert.equal(d['current-version-id'], 1);
  assert.equal(d.versions.length, 1);
  assert.equal(d.versions[0]['version-id'], 1);
  assert.ok(d.versions[0]['timestamp-ms'] >= before, 'the server\'s time, not the client\'s');
  assert.deepEqual(d.versions[0].representations.map((x) => x.dialect), ['trino', 'spark']);
  assert.equal(d.versions[0]['on-null-input'], 'call');
  assert.deepEqual(md['definition-log'], [{ 'timestamp-ms': d.versions[0]['timestamp-ms'], 'definition-versions': [{ 'definition-id': 'int', 'version-id': 1 }] }]);
  assert.match(r['metadata-location'], /\/metadata\/00000-[0-9a-f-]+\.metadata\.json$/);
  assert.ok(md.location && r['metadata-location'].startsWith(md.location));

  const l = expectJson(await load(A, 'db', 'add_one'), 200);
  assert.deepEqual(l, r, 'load answers what create did');
  assert.equal((await ice('HEAD', fnPath(A, 'db', 'add_one'), { headers: A.admin })).status, 204);
  assert.equal((await ice('HEAD', fnPath(A, 'db', 'nope'), { headers: A.admin })).status, 404);
  const list = expectJson(await ice('GET', fnPath(A, 'db'), { headers: A.admin }), 200);
  assert.deepEqual(list.identifiers, [['db', 'add_one']], 'CatalogObjectIdentifiers: levels then the name');
  // A nested namespace's identifiers carry every level; tables are not functions.
  await createOk(A, 'db%1Finner', { name: 'f', definitions: [def([])] });
  await mok(srv, 'POST', `/v1/${A.cat}/namespaces/db%1Finner/tables`, { name: 'tbl', schema: { type: 'struct', 'schema-id': 0, fields: [] } }, A.admin);
  assert.deepEqual(expectJson(await ice('GET', fnPath(A, 'db%1Finner'), { headers: A.admin }), 200).identifiers, [['db', 'inner', 'f']]);
  const zero = expectJson(await load(A, 'db%1Finner', 'f'), 200).metadata.definitions[0];
  assert.equal(zero['definition-id'], '', 'no parameters: an empty signature');
});

test('overloads: one definition per signature, nested types in canonical definition-ids, a udtf returning a struct', async () => {
  const st = { type: 'struct', fields: [{ name: 'id', type: 'int' }, { name: 'name', type: 'string' }] };
  const r = await createOk(A, 'db', {
    name: 'over',
    definitions: [
      def(['int', { type: 'list', element: 'int' }, st]),
      def([{ type: 'map', key: 'string', value: 'decimal(9,2)' }], { spark: 'size(p0)' }, { 'specific-name': 'over_map' }),
      { ...def(['string']), 'function-type': 'udtf', 'return-type': st },
    ],
  });
  const ids = r.metadata.definitions.map((d) => d['definition-id']);
  assert.deepEqual(ids, ['int,list<int>,struct<id:int,name:string>', 'map<string,decimal(9,2)>', 'string']);
  assert.equal(r.metadata.definitions[1]['specific-name'], 'over_map');
  assert.equal(r.metadata.definitions[2]['function-type'], 'udtf');
  assert.deepEqual(r.metadata['definition-log'][0]['definition-versions'].map((v) => v['definition-id']), ids);
});

test('replace appends a version to a definition and adds a new overload; the log grows monotonic, the uuid stays', async () => {
  const first = await createOk(A, 'db', { name: 'rep', definitions: [def(['int'], { trino: 'p0 + 2' }), def(['float'], { trino: 'p0 + 1.0' })] });
  const next = await createOk(A, 'db', {
    name: 'rep', doc: 'now documented',
    definitions: [def(['int'], { trino: 'p0 + 1', spark: 'p0 + 1' }), def(['double'], { spark: 'p0 + 1.0D' })],
  }, A.admin, '?replace=true');
  const md = next.metadata;
  assert.equal(md['function-uuid'], first.metadata['function-uuid']);
  assert.notEqual(next['metadata-location'], first['metadata-location']);
  assert.match(next['metadata-location'], /\/00001-/);
  assert.equal(md.doc, 'now documented');
  const byId = Object.fromEntries(md.definitions.map((d) => [d['definition-id'], d]));
  assert.deepEqual(Object.keys(byId), ['int', 'float', 'double']);
  assert.deepEqual(byId.int.versions.map((v) => v['version-id']), [1, 2]);
  assert.equal(byId.int['current-version-id'], 2);
  assert.equal(byId.int.versions[1].representations.length, 2);
  assert.equal(byId.float['current-version-id'], 1);
  assert.equal(byId.double['current-version-id'], 1);
  const log = md['definition-log'];
  assert.equal(log.length, 2);
  assert.ok(log[1]['timestamp-ms'] >= log[0]['timestamp-ms'], 'monotonic');
  assert.deepEqual(log[1]['definition-versions'], [
    { 'definition-id': 'int', 'version-id': 2 }, { 'definition-id': 'float', 'version-id': 1 }, { 'definition-id': 'double', 'version-id': 1 }]);
  assert.deepEqual(expectJson(await load(A, 'db', 'rep'), 200), next);
  // replace=true of a name nobody holds creates it.
  const fresh = await createOk(A, 'db', { name: 'rep_new', definitions: [def(['int'])] }, A.admin, '?replace=true');
  assert.equal(fresh.metadata['definition-log'].length, 1);
});

test('replaces racing each other: each lands whole or is 409 CommitFailedException, and no landed version is lost', async () => {
  await createOk(A, 'db', { name: 'raced', definitions: [def(['int'])] });
  const rs = await Promise.all(Array.from({ length: 8 }, (_, i) =>
    create(A, 'db', { name: 'raced', definitions: [def(['int'], { spark: `p0 + ${i}` })] }, A.admin, '?replace=true')));
  const landed = rs.filter((r) => r.status === 200);
  for (const r of rs) if (r.status !== 200) iceError(r, 409, 'CommitFailedException', /raced/);
  assert.ok(landed.length >= 1);
  const md = expectJson(await load(A, 'db', 'raced'), 200).metadata;
  assert.equal(md.definitions[0].versions.length, 1 + landed.length, 'every landed replace is a version');
  assert.equal(md['definition-log'].length, 1 + landed.length);
  assert.deepEqual(md.definitions[0].versions.map((v) => v['version-id']), Array.from({ length: 1 + landed.length }, (_, i) => i + 1));
});

test('errors: 409 for a name taken, 404 for a function or namespace missing, each in the Iceberg envelope', async () => {
  await createOk(A, 'db', { name: 'dup', definitions: [def(['int'])] });
  iceError(await create(A, 'db', { name: 'dup', definitions: [def(['long'])] }), 409, 'FunctionAlreadyExistsException', /dup/);
  await mok(srv, 'POST', `/v1/${A.cat}/namespaces/db/tables`, { name: 'a_table', schema: { type: 'struct', 'schema-id': 0, fields: [] } }, A.admin);
  iceError(await create(A, 'db', { name: 'a_table', definitions: [def(['int'])] }), 409, 'AlreadyExistsException', /Table/);
  iceError(await create(A, 'db', { name: 'a_table', definitions: [def(['int'])] }, A.admin, '?replace=true'), 409, 'AlreadyExistsException');
  iceError(await load(A, 'db', 'a_table'), 404, 'NoSuchFunctionException', /a_table/);
  // A function's location is its own: never in a table's place.
  const tloc = (await mok(srv, 'GET', `/v1/${A.cat}/namespaces/db/tables/a_table`, undefined, A.admin)).metadata.location;
  iceError(await create(A, 'db', { name: 'in_table', location: `${tloc}/fn`, definitions: [def(['int'])] }), 409, 'AlreadyExistsException', /overlaps/);
  // Nor a table in a function's: its files are the function's own.
  const fmade = await createOk(A, 'db', { name: 'owns_place', definitions: [def(['int'])] });
  const floc = fmade.metadata.location;
  iceError(await srv.req('POST', `/v1/${A.cat}/namespaces/db/tables`, { body: { name: 'over_fn', location: `${floc}/t`, schema: { type: 'struct', 'schema-id': 0, fields: [] } }, headers: A.admin }), 409, 'AlreadyExistsException', /overlaps/);
  iceError(await load(A, 'db', 'missing'), 404, 'NoSuchFunctionException', /missing/);
  iceError(await ice('DELETE', fnPath(A, 'db', 'missing'), { headers: A.admin }), 404, 'NoSuchFunctionException');
  iceError(await ice('GET', fnPath(A, 'nons'), { headers: A.admin }), 404, 'NoSuchNamespaceException');
  iceError(await load(A, 'nons', 'dup'), 404, 'NoSuchNamespaceException');
  iceError(await create(A, 'nons', { name: 'x', definitions: [def(['int'])] }), 404, 'NoSuchNamespaceException');
  iceError(await ice('DELETE', fnPath(A, 'nons', 'dup'), { headers: A.admin }), 404, 'NoSuchNamespaceException');
});

test('400s name what breaks the UDF spec: types, parameters, representations per dialect, overloads, versions', async () => {
  const bad = async (definitions, re, q = '', name = uniq('bad')) => {
    const e = iceError(await create(A, 'db', { name, definitions }, A.admin, q), 400, 'BadRequestException');
    assert.match(e.message, re);
  };
  await bad([def(['integer'])], /definitions\[0\], parameter 0: unknown type "integer"/);
  await bad([def(['decimal(9, 2)'])], /unknown type "decimal\(9, 2\)"/);
  await bad([def([{ type: 'list' }])], /parameter 0: a list type needs "element"/);
  await bad([def(['int']), def(['int'])], /definitions\[1\]: the signature \(int\) is definitions\[0\]'s too/);
  await bad([def(['long']), def([]), def([])], /definitions\[2\]: the signature \(\) is definitions\[1\]'s too/);
  await bad([def(['int'], { trino: 'a' }), { ...def(['long']), versions: [{ representations: [{ type: 'sql', dialect: 'spark', sql: 'a' }, { type: 'sql', dialect: 'spark', sql: 'b' }] }] }],
    /definitions\[1\], versions\[0\], representation 1: dialect "spark" is given twice/);
  await bad([{ ...def(['int']), versions: [{ representations: [{ type: 'python', dialect: 'x', sql: 'y' }] }] }], /representation 0: "type" must be "sql"/);
  await bad([{ ...def(['int']), versions: [{ representations: [] }] }], /versions\[0\]: "representations" must be a non-empty array/);
  await bad([{ ...def(['int']), versions: [] }], /definitions\[0\]: "versions" must be a non-empty array/);
  await bad([{ ...def(['int']), versions: [{ representations: [{ type: 'sql', dialect: 'a', sql: 'b' }], 'on-null-input': 'skip' }] }], /"on-null-input" must be "return-null" or "call"/);
  await bad([{ ...def(['int']), parameters: [{ name: 'x', type: 'int' }, { name: 'x', type: 'long' }] }], /parameter 1: the name "x" is taken by parameter 0/);
  await bad([{ ...def(['int']), 'function-type': 'udaf' }], /"function-type" must be "udf" or "udtf"/);
  await bad([{ ...def(['int']), 'function-type': 'udtf' }], /a udtf's "return-type" must be a struct/);
  await bad([{ ...def(['int']), 'return-type': undefined }], /needs a "return-type"/);
  await bad([def(['int'], undefined, { 'specific-name': 's' }), def(['long'], undefined, { 'specific-name': 's' })], /specific-name "s" names definitions \(long\) and \(int\)|specific-name "s" names definitions \(int\) and \(long\)/);
  await bad([], /"definitions" must be a non-empty array/);
  const many = Array.from({ length: 1001 }, (_, i) => ({ representations: [{ type: 'sql', dialect: 'spark', sql: `x + ${i}` }] }));
  await bad([{ ...def(['int']), versions: many }], /definitions\[0\]: a definition keeps at most 1000 versions/);
  // A replace keeps each definition's return type.
  await createOk(A, 'db', { name: 'keep_rt', definitions: [def(['int'])] });
  await bad([{ ...def(['int']), 'return-type': 'long' }], /definitions\[0\]: definition \(int\) exists with another return-type/, '?replace=true', 'keep_rt');
  // Nothing was made of a refused request.
  iceError(await load(A, 'db', 'keep_rt2'), 404, 'NoSuchFunctionException');
  assert.equal(expectJson(await load(A, 'db', 'keep_rt'), 200).metadata['definition-log'].length, 1);
  // The request body's own shape: the name and the definitions are required.
  assert.equal((await srv.req('POST', fnPath(A, 'db'), { body: { definitions: [def(['int'])] }, headers: A.admin })).status >= 400, true);
});

test('a namespace holding a function is not empty: its drop is refused until the function is dropped', async () => {
  await mok(srv, 'POST', `/v1/${A.cat}/namespaces`, { namespace: ['holder'] }, A.admin);
  await createOk(A, 'holder', { name: 'kept', definitions: [def(['int'])] });
  iceError(await ice('DELETE', `/v1/${A.cat}/namespaces/holder`, { headers: A.admin }), 409, 'NamespaceNotEmptyException');
  assert.equal((await ice('DELETE', fnPath(A, 'holder', 'kept'), { headers: A.admin })).status, 204);
  assert.equal((await ice('DELETE', `/v1/${A.cat}/namespaces/holder`, { headers: A.admin })).status, 204);
});

test('drop is 204, then the function is gone from load, exists and list; undrop lists it as a function and restores it', async () => {
  const made = await createOk(A, 'other', { name: 'gone', definitions: [def(['int'])] });
  const r = await ice('DELETE', fnPath(A, 'other', 'gone'), { headers: A.admin });
  assert.equal(r.status, 204);
  assert.equal((await ice('HEAD', fnPath(A, 'other', 'gone'), { headers: A.admin })).status, 404);
  iceError(await load(A, 'other', 'gone'), 404, 'NoSuchFunctionException');
  assert.deepEqual(expectJson(await ice('GET', fnPath(A, 'other'), { headers: A.admin }), 200).identifiers, []);
  const drops = await mok(srv, 'GET', `/api/v1/catalogs/${A.cat}/dropped`, undefined, A.admin);
  const d = drops.find((x) => x.name === 'gone');
  assert.equal(d?.kind, 'function');
  assert.equal(d.id, r.headers['pangolin-dropped-id']);
  const back = await mok(srv, 'POST', `/api/v1/catalogs/${A.cat}/dropped/${d.id}/restore`, {}, A.admin);
  assert.equal(back.kind, 'function');
  assert.deepEqual(expectJson(await load(A, 'other', 'gone'), 200), made, 'the same function, the same file');
  // A drop after the restore still names the function by its uuid.
  assert.equal((await ice('DELETE', fnPath(A, 'other', 'gone'), { headers: A.admin })).status, 204);
  const ev = expectJson(await srv.req('POST', `/v1/${A.cat}/events`, { body: { 'page-size': 1000, 'operation-types': ['x-pangolin.drop-function', 'x-pangolin.create-function'] }, headers: A.admin }), 200)
    .events.filter((e) => e.operation.identifier?.name === 'gone');
  assert.ok(ev.length >= 3, JSON.stringify(ev.map((e) => e.operation['operation-type'])));
  for (const e of ev) assert.equal(e.operation['function-uuid'], made.metadata['function-uuid'], e.operation['operation-type']);
});

test('authorization per namespace: a reader loads and lists but cannot create, replace or drop; create needs create, replace update', async () => {
  await createOk(A, 'db', { name: 'guarded', definitions: [def(['int'])] });
  const reader = await user(A, [['db', ['read']]]);
  const creator = await user(A, [['db', ['read', 'create']]]);
  const nobody = await user(A, []);
  assert.equal((await load(A, 'db', 'guarded', reader)).status, 200);
  assert.equal((await ice('HEAD', fnPath(A, 'db', 'guarded'), { headers: reader })).status, 204);
  assert.ok(expectJson(await ice('GET', fnPath(A, 'db'), { headers: reader }), 200).identifiers.some((i) => i[1] === 'guarded'));
  iceError(await create(A, 'db', { name: uniq('r'), definitions: [def(['int'])] }, reader), 403, 'ForbiddenException');
  iceError(await ice('DELETE', fnPath(A, 'db', 'guarded'), { headers: reader }), 403, 'ForbiddenException');
  // create makes new functions; replacing one is an update of it.
  await createOk(A, 'db', { name: uniq('c'), definitions: [def(['int'])] }, creator);
  iceError(await create(A, 'db', { name: 'guarded', definitions: [def(['int'])] }, creator, '?replace=true'), 403, 'ForbiddenException');
  iceError(await ice('DELETE', fnPath(A, 'db', 'guarded'), { headers: creator }), 403, 'ForbiddenException');
  // No grant: nothing of the namespace.
  for (const [m, p] of [['GET', fnPath(A, 'db')], ['GET', fnPath(A, 'db', 'guarded')], ['DELETE', fnPath(A, 'db', 'guarded')]]) {
    assert.equal((await ice(m, p, { headers: nobody })).status, 403, `${m} ${p}`);
  }
  // A grant on another namespace reads nothing here.
  const elsewhere = await user(A, [['other', ['all']]]);
  assert.equal((await load(A, 'db', 'guarded', elsewhere)).status, 403);
  // Another tenant's admin: the catalog is not there (its name is A's).
  iceError(await ice('GET', `/v1/${A.cat}/namespaces/db/functions/guarded`, { headers: B.admin }), 404, 'NoSuchNamespaceException');
  iceError(await ice('GET', `/v1/${A.cat}/namespaces/db/functions`, { headers: B.admin }), 404, 'NoSuchNamespaceException');
  assert.equal((await ice('GET', fnPath(A, 'db', 'guarded'))).status, 401);
});

test('create, replace and drop are change events a reader of the namespace sees, and audit records', async () => {
  const name = uniq('ev');
  const made = await createOk(A, 'db', { name, definitions: [def(['int'])] });
  await createOk(A, 'db', { name, definitions: [def(['int'], { spark: '1' })] }, A.admin, '?replace=true');
  assert.equal((await ice('DELETE', fnPath(A, 'db', name), { headers: A.admin })).status, 204);
  const feed = async (headers) => {
    const out = [];
    let token;
    for (;;) {
      const r = expectJson(await srv.req('POST', `/v1/${A.cat}/events`, { body: { 'page-size': 1000, 'continuation-token': token }, headers }), 200);
      out.push(...r.events);
      if (r.events.length === 0 || r['continuation-token'] === token) return out;
      token = r['continuation-token'];
    }
  };
  const mine = (events) => events.filter((e) => e.operation.identifier?.name === name);
  const types = mine(await feed(A.admin)).map((e) => e.operation['operation-type']);
  assert.deepEqual(types, ['x-pangolin.create-function', 'x-pangolin.replace-function', 'x-pangolin.drop-function']);
  const ev = mine(await feed(A.admin))[0];
  assert.deepEqual(ev.operation.identifier, { namespace: ['db'], name });
  assert.equal(ev.operation['function-uuid'], made.metadata['function-uuid']);
  assert.equal(ev['x-pangolin']['metadata-location'], made['metadata-location']);
  // The feed's object-types filter knows functions.
  const only = expectJson(await srv.req('POST', `/v1/${A.cat}/events`, { body: { 'page-size': 1000, 'object-types': ['function'] }, headers: A.admin }), 200).events;
  assert.ok(only.length >= 3 && only.every((e) => /-function$/.test(e.operation['operation-type'])), JSON.stringify(only.map((e) => e.operation['operation-type'])));
  const reader = await user(A, [['db', ['read']]]);
  const blind = await user(A, [['other', ['read']]]);
  assert.equal(mine(await feed(reader)).length, 3, 'a reader of the namespace sees them');
  assert.equal(mine(await feed(blind)).length, 0, 'one of another namespace does not');
  const audit = await mok(srv, 'GET', '/api/v1/audit?limit=1000', undefined, A.admin);
  const actions = audit.filter((a) => JSON.stringify(a).includes(name)).map((a) => a.action);
  assert.ok(actions.includes('create_function') && actions.includes('drop_function'), JSON.stringify(actions));
});

test('a function created on a branch lives there only, until a merge carries it to main', async () => {
  await mok(srv, 'POST', '/api/v1/branches', { name: 'fnb', catalog: A.cat, branch_type: 'ingest' }, A.admin);
  await createOk(A, 'db', { name: 'on_branch', definitions: [def(['int'])] }, A.admin, '?branch=fnb');
  // A replace on the branch: the body's name carries @branch.
  const r = await createOk(A, 'db', { name: 'on_branch@fnb', definitions: [def(['int'], { spark: 'p0' })] }, A.admin, '?replace=true');
  assert.equal(r.metadata.definitions[0]['current-version-id'], 2);
  assert.equal((await load(A, 'db', 'on_branch@fnb')).status, 200);
  iceError(await load(A, 'db', 'on_branch'), 404, 'NoSuchFunctionException');
  assert.ok(expectJson(await ice('GET', fnPath(A, 'db%40fnb'), { headers: A.admin }), 200).identifiers.some((i) => i[1] === 'on_branch'));
  assert.ok(!expectJson(await ice('GET', fnPath(A, 'db'), { headers: A.admin }), 200).identifiers.some((i) => i[1] === 'on_branch'));
  const op = await mok(srv, 'POST', '/api/v1/branches/merge', { source_branch: 'fnb', target_branch: 'main', catalog: A.cat }, A.admin);
  assert.equal(op.status, 'Completed', JSON.stringify(op));
  assert.deepEqual(expectJson(await load(A, 'db', 'on_branch'), 200).metadata, r.metadata, 'the merge carried it');
  // A function of main replaced on a branch made after it: main keeps its own.
  await createOk(A, 'db', { name: 'before_fork', definitions: [def(['int'])] });
  await mok(srv, 'POST', '/api/v1/branches', { name: 'fnb2', catalog: A.cat, branch_type: 'ingest' }, A.admin);
  const there = await createOk(A, 'db', { name: 'before_fork@fnb2', definitions: [def(['int'], { spark: 'p0' })] }, A.admin, '?replace=true');
  assert.equal(there.metadata.definitions[0]['current-version-id'], 2);
  assert.equal(expectJson(await load(A, 'db', 'before_fork@fnb2'), 200).metadata.definitions[0]['current-version-id'], 2);
  assert.equal(expectJson(await load(A, 'db', 'before_fork'), 200).metadata.definitions[0]['current-version-id'], 1, 'main untouched');
});

test('governance search finds a function on main, typed function, for who may read its namespace', async () => {
  const name = uniq('searchable_fn').replace(/-/g, '_');
  await createOk(A, 'db', { name, definitions: [def(['int'])] });
  const hit = (r) => expectJson(r, 200).results.filter((x) => x.name === name);
  const [found] = hit(await srv.req('GET', `/api/v1/search/assets?q=${name}`, { headers: A.admin }));
  assert.equal(found?.asset_type, 'function');
  assert.equal(found.kind, 'FUNCTION');
  assert.deepEqual(found.namespace, ['db']);
  assert.equal(hit(await srv.req('GET', `/api/v1/search/assets?q=${name}`, { headers: B.admin })).length, 0, 'another tenant finds nothing');
});

test('functions count against the tenant\'s assets quota: past it, create is 429 in the Iceberg envelope; a drop frees a place', async () => {
  const s = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_QUOTA_ASSETS: '2' } });
  try {
    const T = await makeTenant(s, 'fq');
    await mok(s, 'POST', `/v1/${T.cat}/namespaces`, { namespace: ['q'] }, T.admin);
    const mk = (name) => s.req('POST', `/v1/${T.cat}/namespaces/q/functions`, { body: { name, definitions: [def(['int'])] }, headers: T.admin });
    for (const n of ['q1', 'q2']) expectJson(await mk(n), 200);
    const r = await mk('q3');
    iceError(r, 429, 'TooManyRequestsException', /PANGOLIN_QUOTA_ASSETS/);
    assert.deepEqual([r.json.kind, r.json.limit, r.json.used], ['assets', 2, 2]);
    assert.equal((await s.req('DELETE', `/v1/${T.cat}/namespaces/q/functions/q1?purgeRequested=true`, { headers: T.admin })).status, 204);
    expectJson(await mk('q3'), 200);
  } finally {
    await s.stop();
  }
});

test('/v1/config lists the function routes, so clients discover them', async () => {
  const c = expectJson(await ice('GET', `/v1/config?warehouse=${A.cat}`, { headers: A.admin }), 200);
  for (const e of ['GET /v1/{prefix}/namespaces/{namespace}/functions', 'POST /v1/{prefix}/namespaces/{namespace}/functions',
    'GET /v1/{prefix}/namespaces/{namespace}/functions/{function}', 'HEAD /v1/{prefix}/namespaces/{namespace}/functions/{function}',
    'DELETE /v1/{prefix}/namespaces/{namespace}/functions/{function}']) {
    assert.ok(c.endpoints.includes(e), e);
  }
});

// The list is read in slices of [server] list_slice_rows (SLICE here), so
// 120 functions cross several slices, and pages end inside and at a slice's
// end: the shapes 1,000 functions under the default 1,000 rows a slice
// would not show.
test('120 functions in slices of 16 page by key: every one once, in name order, whatever the page size; a reader\'s pages too', async () => {
  const names = Array.from({ length: N_PAGED }, (_, i) => `f${String(i).padStart(4, '0')}`);
  await pool(names, 16, async (name) => {
    const r = await srv.req('POST', fnPath(A, 'pages'), { body: { name, definitions: [def(['int'])] }, headers: A.admin });
    assert.equal(r.status, 200, r.text);
  });
  const reader = await user(A, [['pages', ['read']]]);
  for (const [size, headers] of [[7, A.admin], [SLICE, A.admin], [33, A.admin], [N_PAGED, A.admin], [25, reader]]) {
    const seen = [];
    let token = '';
    let pages = 0;
    for (;;) {
      const r = expectJson(await ice('GET', `${fnPath(A, 'pages')}?pageToken=${encodeURIComponent(token)}&pageSize=${size}`, { headers }), 200);
      pages++;
      assert.ok(r.identifiers.length <= size);
      seen.push(...r.identifiers.map((i) => i[1]));
      if (!r['next-page-token']) break;
      token = r['next-page-token'];
    }
    assert.deepEqual(seen, names, `pageSize ${size}`);
    assert.ok(pages >= Math.ceil(N_PAGED / size) && pages <= Math.ceil(N_PAGED / size) + 1, `${pages} pages of ${size}`);
  }
  // No token: the whole list at once.
  assert.deepEqual(expectJson(await ice('GET', fnPath(A, 'pages'), { headers: A.admin }), 200).identifiers.map((i) => i[1]), names);
  // Another namespace's token is refused.
  const first = expectJson(await ice('GET', `${fnPath(A, 'pages')}?pageToken=&pageSize=10`, { headers: A.admin }), 200);
  assert.equal((await ice('GET', `${fnPath(A, 'db')}?pageToken=${encodeURIComponent(first['next-page-token'])}`, { headers: A.admin })).status, 400);
});
