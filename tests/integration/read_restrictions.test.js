// Read restrictions served (issue 46 part 2): loadTable (every form:
// plain, gzip, snapshots=refs), createTable's and registerTable's
// answers carry the caller's `read-restrictions` exactly as the spec's
// ReadRestrictions (apache/iceberg PR 13879), by field id; two callers of
// one table, at once, each get their own, and neither's ETag answers the
// other 304; a restricted answer is private to its caller.
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { expectError, expectJson, uniq } from './lib/expect.js';
import { grant, okFor, startAuthServer, tenantUser, tenantWithAdmin } from './lib/governance.js';
import { createTable } from './lib/iceberg_data.js';
import { checkRR } from './lib/read_restrictions.js';
import { keys, s3 as s3req, startSwift } from './lib/s3.js';

const SCHEMA = {
  type: 'struct', 'schema-id': 0, fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'email', required: false, type: 'string' },
    { id: 3, name: 'country', required: false, type: 'string' },
    { id: 4, name: 'birth', required: false, type: 'date' },
  ],
};

let srv, ok, A, cat, ns, analyst, steward, plain, rAnalyst, rSteward;
const tbl = 'people';
const load = (u, extra = '', headers = {}) =>
  srv.req('GET', `/v1/${cat}/namespaces/${ns}/tables/${tbl}${extra}`, { headers: { ...u.headers, ...headers } });

before(async () => {
  srv = await startAuthServer();
  ok = okFor(srv);
  A = await tenantWithAdmin(srv, 'rr');
  const wh = uniq('wh');
  await ok('POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 'local', root: path.join(srv.tenantDir(A.id), wh) } }, A.admin);
  cat = uniq('cat');
  const catalog = await ok('POST', '/api/v1/catalogs', { name: cat, warehouse_name: wh }, A.admin);
  ns = 'sales';
  await ok('POST', `/v1/${cat}/namespaces`, { namespace: [ns] }, A.admin);
  await ok('POST', `/v1/${cat}/namespaces/${ns}/tables`, { name: tbl, schema: SCHEMA }, A.admin);
  rAnalyst = uniq('analyst');
  rSteward = uniq('steward');
  const ra = (await ok('POST', '/api/v1/roles', { name: rAnalyst }, A.admin)).id;
  const rs = (await ok('POST', '/api/v1/roles', { name: rSteward }, A.admin)).id;
  analyst = await tenantUser(srv, A, 'analyst');
  steward = await tenantUser(srv, A, 'steward');
  plain = await tenantUser(srv, A, 'plain');
  await ok('POST', `/api/v1/users/${analyst.id}/roles`, { 'role-id': ra }, A.admin);
  await ok('POST', `/api/v1/users/${steward.id}/roles`, { 'role-id': rs }, A.admin);
  for (const u of [steward, plain]) await grant(srv, A, u, { type: 'catalog', catalog_id: catalog.id }, ['read']);
  await grant(srv, A, analyst, { type: 'catalog', catalog_id: catalog.id }, ['all']);
  // The analyst sees emails masked; the steward only Dutch rows; on
  // every table of the namespace the analyst sees birth dates by year.
  await ok('POST', '/api/v1/policies', { name: uniq('mask'), catalog: cat, namespace: [ns], table: tbl, column: 'email', action: 'mask-alphanum', applies_to: { roles: [rAnalyst] } }, A.admin);
  await ok('POST', '/api/v1/policies', { name: uniq('nl'), catalog: cat, namespace: [ns], table: tbl, row_filter: { type: 'eq', term: 'country', value: 'NL' }, applies_to: { roles: [rSteward] } }, A.admin);
  await ok('POST', '/api/v1/policies', { name: uniq('year'), catalog: cat, namespace: [ns], column: 'birth', action: 'truncate-to-year', applies_to: { roles: [rAnalyst] } }, A.admin);
});
after(async () => { await srv?.stop(); });

const projections = (rr) => Object.fromEntries((rr['required-column-projections'] ?? []).map((p) => [p['field-id'], p.action]));

test('loadTable carries each caller\'s read-restrictions by field id; an unrestricted caller gets none', async () => {
  const a = expectJson(await load(analyst), 200);
  checkRR(a['read-restrictions']);
  assert.deepEqual(projections(a['read-restrictions']), { 2: 'mask-alphanum', 4: 'truncate-to-year' });
  assert.equal(a['read-restrictions']['required-row-filter'], undefined);
  const s = expectJson(await load(steward), 200);
  checkRR(s['read-restrictions']);
  assert.deepEqual(s['read-restrictions']['required-row-filter'], { type: 'eq', left: { type: 'reference', id: 3 }, right: { type: 'literal', value: 'NL' } });
  assert.equal(s['read-restrictions']['required-column-projections'], undefined);
  for (const u of [plain, { headers: A.admin }]) {
    const p = expectJson(await load(u), 200);
    assert.equal(p['read-restrictions'], undefined);
  }
  // The metadata is the table's, whole, for everyone.
  assert.deepEqual(a.metadata, s.metadata);
});

/** GET p with gzip asked for: status, headers, the raw bytes. */
function gzipGet(p, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: srv.port, method: 'GET', path: p, headers: { ...headers, 'accept-encoding': 'gzip' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('every form of the answer carries them: gzip, snapshots=refs', async () => {
  const z = await gzipGet(`/v1/${cat}/namespaces/${ns}/tables/${tbl}`, analyst.headers);
  assert.equal(z.status, 200);
  assert.equal(z.headers['content-encoding'], 'gzip');
  const body = JSON.parse(gunzipSync(z.body).toString());
  assert.deepEqual(projections(body['read-restrictions']), { 2: 'mask-alphanum', 4: 'truncate-to-year' });
  const refs = expectJson(await load(steward, '?snapshots=refs'), 200);
  checkRR(refs['read-restrictions']);
  assert.ok(refs['read-restrictions']['required-row-filter']);
});

test('ETags: a restricted caller\'s tag is its own, never answered 304 for another caller; the answer is private', async () => {
  const a = await load(analyst);
  const p = await load(plain);
  const s = await load(steward);
  const tags = [a, p, s].map((x) => x.headers.etag);
  assert.equal(new Set(tags).size, 3, `three callers, three tags: ${tags}`);
  assert.equal(a.headers['cache-control'], 'private');
  assert.equal(s.headers['cache-control'], 'private');
  assert.equal(p.headers['cache-control'], undefined);
  // Each one's own tag: 304.
  assert.equal((await load(analyst, '', { 'if-none-match': a.headers.etag })).status, 304);
  assert.equal((await load(plain, '', { 'if-none-match': p.headers.etag })).status, 304);
  // Another's tag: the full answer with the caller's own restrictions.
  const cross = expectJson(await load(analyst, '', { 'if-none-match': p.headers.etag }), 200);
  assert.deepEqual(projections(cross['read-restrictions']), { 2: 'mask-alphanum', 4: 'truncate-to-year' });
  const back = expectJson(await load(plain, '', { 'if-none-match': a.headers.etag }), 200);
  assert.equal(back['read-restrictions'], undefined);
  const st = expectJson(await load(steward, '', { 'if-none-match': a.headers.etag }), 200);
  assert.ok(st['read-restrictions']['required-row-filter']);
});

test('callers at once: each answer is the caller\'s own (no cache crossing)', async () => {
  const who = [analyst, plain, steward];
  const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => load(who[i % 3])));
  replies.forEach((r, i) => {
    const j = expectJson(r, 200);
    if (i % 3 === 0) assert.deepEqual(projections(j['read-restrictions']), { 2: 'mask-alphanum', 4: 'truncate-to-year' });
    else if (i % 3 === 1) assert.equal(j['read-restrictions'], undefined);
    else assert.ok(j['read-restrictions']['required-row-filter'] && !j['read-restrictions']['required-column-projections']);
  });
});

test('createTable answers with the creator\'s restrictions (a namespace policy holds on a new table), stage-create too', async () => {
  const made = expectJson(await srv.req('POST', `/v1/${cat}/namespaces/${ns}/tables`, { body: { name: uniq('fresh'), schema: SCHEMA }, headers: analyst.headers }), 200);
  checkRR(made['read-restrictions']);
  assert.deepEqual(projections(made['read-restrictions']), { 4: 'truncate-to-year' });
  const staged = expectJson(await srv.req('POST', `/v1/${cat}/namespaces/${ns}/tables`, { body: { name: uniq('staged'), schema: SCHEMA, 'stage-create': true }, headers: analyst.headers }), 200);
  assert.deepEqual(projections(staged['read-restrictions']), { 4: 'truncate-to-year' });
  assert.equal(staged['metadata-location'], undefined);
  // The admin who has no policy: none.
  const mine = expectJson(await srv.req('POST', `/v1/${cat}/namespaces/${ns}/tables`, { body: { name: uniq('admins'), schema: SCHEMA }, headers: A.admin }), 200);
  assert.equal(mine['read-restrictions'], undefined);
});

test('a policy deleted: the next load of its callers is unrestricted by it (and its tag changes)', async () => {
  const p = await ok('POST', '/api/v1/policies', { name: uniq('tmp'), catalog: cat, namespace: [ns], table: tbl, column: 'country', action: 'show-first-4', applies_to: { users: [plain.id] } }, A.admin);
  const before = await load(plain);
  assert.deepEqual(projections(expectJson(before, 200)['read-restrictions']), { 3: 'show-first-4' });
  assert.equal((await srv.req('DELETE', `/api/v1/policies/${p.id}`, { headers: A.admin })).status, 204);
  const after1 = await load(plain, '', { 'if-none-match': before.headers.etag });
  assert.equal(after1.status, 200);
  assert.equal(expectJson(after1, 200)['read-restrictions'], undefined);
});

test('scan planning: the row filter joins the caller\'s own filter; no file whose rows the filter excludes is planned', async () => {
  const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }, { id: 2, name: 'country', required: false, type: 'string' }] };
  const name = uniq('facts');
  const t = await createTable(srv, { catalog: cat, namespace: [ns], table: name, schema, partitionSpec: { fields: [{ name: 'country', transform: 'identity', 'source-id': 2, 'field-id': 1000 }] }, metrics: true, headers: A.admin });
  for (const [c, from] of [['NL', 0], ['DE', 10], ['US', 20]]) await t.appendRows(Array.from({ length: 5 }, (_, i) => ({ id: from + i, country: c })));
  await ok('POST', '/api/v1/policies', { name: uniq('nl-facts'), catalog: cat, namespace: [ns], table: name, row_filter: { type: 'eq', term: 'country', value: 'NL' }, applies_to: { roles: [rSteward] } }, A.admin);
  const plan = async (u, body = {}) => {
    const r = await srv.req('POST', `${t.path()}/plan`, { body, headers: u.headers });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'completed');
    return r.json['file-scan-tasks'];
  };
  const countries = (tasks) => tasks.map((x) => x['data-file'].partition?.[0] ?? x['data-file'].partition?.country).sort();
  // Unrestricted: every file.
  assert.equal((await plan(plain)).length, 3);
  // The steward: only the Dutch file, with or without a filter of its own.
  const mine = await plan(steward);
  assert.equal(mine.length, 1, JSON.stringify(mine.map((x) => x['data-file']['file-path'])));
  assert.deepEqual(countries(mine), ['NL']);
  assert.deepEqual(countries(await plan(steward, { filter: { type: 'gt-eq', term: 'id', value: 0 } })), ['NL']);
  // Its own filter and the policy's AND-ed: nothing is left.
  assert.equal((await plan(steward, { filter: { type: 'eq', term: 'country', value: 'DE' } })).length, 0);
  // The plan's answer carries the same restrictions (private), and a
  // restricted caller asking for the files with it is refused.
  const pr = await srv.req('POST', `${t.path()}/plan`, { body: {}, headers: steward.headers });
  assert.deepEqual(pr.json['read-restrictions']['required-row-filter'], { type: 'eq', left: { type: 'reference', id: 2 }, right: { type: 'literal', value: 'NL' } });
  assert.equal(pr.headers['cache-control'], 'private');
  assert.equal((await srv.req('POST', `${t.path()}/plan`, { body: {}, headers: plain.headers })).json['read-restrictions'], undefined);
  const vended = await srv.req('POST', `${t.path()}/plan`, { body: {}, headers: { ...steward.headers, 'x-iceberg-access-delegation': 'vended-credentials' } });
  assert.equal(vended.status, 403, vended.text);
  assert.match(vended.json.error.message, /enforces them/);
  // The load of the same table says what the plan applied.
  const s = expectJson(await srv.req('GET', t.path(), { headers: steward.headers }), 200);
  assert.deepEqual(s['read-restrictions']['required-row-filter'], { type: 'eq', left: { type: 'reference', id: 2 }, right: { type: 'literal', value: 'NL' } });
});

test('trusted engines only: a restricted caller gets no credentials, signing or presigned URL (403 naming why); an enforcing service user with the same roles does', async () => {
  const P = `/v1/${cat}/namespaces/${ns}/tables/${tbl}`;
  const vend = { 'x-iceberg-access-delegation': 'vended-credentials' };
  const engine = await ok('POST', '/api/v1/service-users', { name: uniq('spark'), role: 'tenant-user', enforces_read_restrictions: true }, A.admin);
  const lax = await ok('POST', '/api/v1/service-users', { name: uniq('laptop'), role: 'tenant-user' }, A.admin);
  const ra = (await ok('GET', '/api/v1/roles', undefined, A.admin)).find((x) => x.name === rAnalyst).id;
  for (const su of [engine, lax]) {
    await ok('POST', `/api/v1/users/${su.id}/roles`, { 'role-id': ra }, A.admin);
    await grant(srv, A, su, { type: 'catalog', catalog_id: (await ok('GET', `/api/v1/catalogs/${cat}`, undefined, A.admin)).id }, ['all']);
  }
  assert.equal((await ok('GET', `/api/v1/service-users/${engine.id}`, undefined, A.admin))['enforces-read-restrictions'], true);
  assert.equal((await ok('GET', `/api/v1/service-users/${lax.id}`, undefined, A.admin))['enforces-read-restrictions'], false);
  const as = (su) => ({ headers: { 'x-api-key': su.api_key } });
  const refused = (r, what) => {
    assert.equal(r.status, 403, `${what}: ${r.status} ${r.text}`);
    assert.match(r.json.error.message, /read restrictions apply .*enforces them/, what);
  };
  // Every storage path of the table, for each restricted caller that is
  // no engine: a user with a role (and write rights), a service user.
  for (const [who, u] of [['analyst', analyst], ['service user without the mark', as(lax)]]) {
    refused(await srv.req('GET', `${P}/credentials`, { headers: u.headers }), `${who}: /credentials`);
    refused(await srv.req('GET', P, { headers: { ...u.headers, ...vend } }), `${who}: loadTable with vended credentials`);
    refused(await srv.req('GET', P, { headers: { ...u.headers, 'x-iceberg-access-delegation': 'remote-signing' } }), `${who}: loadTable with remote signing`);
    refused(await srv.req('GET', `${P}/presign?location=${encodeURIComponent('s3://b/k')}`, { headers: u.headers }), `${who}: presign`);
    refused(await srv.req('POST', `${P}/sign`, { body: { region: 'us-east-1', uri: 'https://b.s3.amazonaws.com/k', method: 'GET', headers: {} }, headers: u.headers }), `${who}: remote signing`);
    // Reading the table itself is not refused: it carries the restrictions.
    assert.ok(expectJson(await srv.req('GET', P, { headers: u.headers }), 200)['read-restrictions']);
  }
  // The engine: its restrictions in the answer, and the files' access.
  const e = expectJson(await srv.req('GET', P, { headers: { ...as(engine).headers, ...vend } }), 200);
  assert.deepEqual(projections(e['read-restrictions']), { 2: 'mask-alphanum', 4: 'truncate-to-year' });
  expectJson(await srv.req('GET', `${P}/credentials`, as(engine)), 200);
  // An unrestricted caller: as before.
  expectJson(await srv.req('GET', `${P}/credentials`, { headers: plain.headers }), 200);
  expectJson(await srv.req('GET', P, { headers: { ...plain.headers, ...vend } }), 200);
  // Each restricted load is audited with its policies, and whether an
  // engine made it.
  const audit = await ok('GET', '/api/v1/audit?action=load_table_restricted&limit=500', undefined, A.admin);
  const byEngine = audit.find((x) => x.user_id === engine.id);
  const byAnalyst = audit.find((x) => x.user_id === analyst.id);
  assert.ok(byEngine && byAnalyst, JSON.stringify(audit.slice(0, 3)));
  assert.equal(byEngine.metadata.enforcing_engine, true);
  assert.equal(byAnalyst.metadata.enforcing_engine, false);
  assert.equal(byAnalyst.resource_name, tbl);
  assert.equal(byAnalyst.metadata.policies.length, 2);
  // The plain user was restricted for one load only (the policy deleted
  // above): its many unrestricted loads are not recorded.
  assert.equal(audit.filter((x) => x.user_id === plain.id).length, 1);
  // The mark taken away: the engine is refused too.
  await ok('PUT', `/api/v1/service-users/${engine.id}`, { enforces_read_restrictions: false }, A.admin);
  refused(await srv.req('GET', `${P}/credentials`, as(engine)), 'unmarked engine');
});

test('warehouse keys: a writer whom a policy of a catalog on the warehouse binds is refused them (403 naming why); an enforcing engine and an unbound writer get them', async () => {
  const swift = await startSwift();
  const bucket = uniq('rrb');
  assert.equal(s3req(swift, 'PUT', `/${bucket}`).status, 200);
  // The operator lets the bucket's warehouse vend its keys (issue 67).
  const s = await startAuthServer({ allowEndpoints: [swift.endpoint], env: { PANGOLIN_STATIC_KEY_BUCKETS: bucket } });
  try {
    const o = okFor(s);
    const T = await tenantWithAdmin(s, 'rrw');
    const wh = uniq('s3wh');
    await o('POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 's3', bucket, prefix: 'lake', endpoint: swift.endpoint, region: 'us-east-1', access_key_id: 'test:tester', secret_access_key: 'testing' } }, T.admin);
    const c = uniq('s3cat');
    const catalog = await o('POST', '/api/v1/catalogs', { name: c, warehouse_name: wh }, T.admin);
    await o('POST', `/v1/${c}/namespaces`, { namespace: ['db'] }, T.admin);
    const t = await o('POST', `/v1/${c}/namespaces/db/tables`, { name: 'p', schema: SCHEMA }, T.admin);
    const role = uniq('masked');
    const rid = (await o('POST', '/api/v1/roles', { name: role }, T.admin)).id;
    const bound = await tenantUser(s, T, 'bound');
    const free = await tenantUser(s, T, 'free');
    const engine = await o('POST', '/api/v1/service-users', { name: uniq('engine'), role: 'tenant-user', enforces_read_restrictions: true }, T.admin);
    const eh = { headers: { 'x-api-key': engine.api_key } };
    for (const u of [bound, free, engine]) await grant(s, T, u, { type: 'catalog', catalog_id: catalog.id }, ['all']);
    for (const u of [bound, engine]) await o('POST', `/api/v1/users/${u.id}/roles`, { 'role-id': rid }, T.admin);
    await o('POST', '/api/v1/policies', { name: uniq('mask'), catalog: c, namespace: ['db'], table: 'p', column: 'email', action: 'mask-alphanum', applies_to: { roles: [role] } }, T.admin);
    const loc = encodeURIComponent(`${t.metadata.location}/data/x.parquet`);
    const creds = (u) => s.req('GET', `/api/v1/warehouses/${wh}/credentials?location=${loc}`, { headers: u.headers });
    const r = await creds(bound);
    expectError(r, 403, { message: /read restrictions of a data policy apply .*enforces them/ });
    assert.ok(!r.text.includes('testing'), 'no key in the refusal');
    assert.equal(expectJson(await creds(free), 200).secret_access_key, 'testing');
    assert.equal(expectJson(await creds(eh), 200).secret_access_key, 'testing');
  } finally {
    await s.stop();
    swift.destroy();
  }
});

test('every action and a row filter on every primitive type: loadTable answers the spec\'s ReadRestrictions', async () => {
  const types = ['boolean', 'int', 'long', 'float', 'double', 'decimal(9,2)', 'date', 'time', 'timestamp', 'timestamptz', 'string', 'uuid', 'fixed[4]', 'binary'];
  const fields = types.map((t, i) => ({ id: i + 1, name: `c${i}`, required: false, type: t }));
  const name = uniq('typed');
  await ok('POST', `/v1/${cat}/namespaces/${ns}/tables`, { name, schema: { type: 'struct', 'schema-id': 0, fields } }, A.admin);
  const P = `/v1/${cat}/namespaces/${ns}/tables/${name}`;
  // One user per action, on the first column the action applies to.
  for (const action of ['mask-alphanum', 'mask-to-fixed-value', 'replace-with-null', 'show-first-4', 'show-last-4', 'truncate-to-year', 'truncate-to-month', 'sha-256-global', 'sha-256-query-local']) {
    const u = await tenantUser(srv, A, 'act');
    await grant(srv, A, u, { type: 'namespace', catalog_id: (await ok('GET', `/api/v1/catalogs/${cat}`, undefined, A.admin)).id, namespace: ns }, ['read']);
    let field = null;
    for (const f of fields) {
      const r = await srv.req('POST', '/api/v1/policies', { body: { name: uniq(action), catalog: cat, namespace: [ns], table: name, column: f.name, action, applies_to: { users: [u.id] } }, headers: A.admin });
      if (r.status === 201) { field = f; break; }
      assert.equal(r.status, 422, r.text);
    }
    assert.ok(field, `${action}: applicable to some primitive type`);
    const j = expectJson(await srv.req('GET', P, { headers: u.headers }), 200);
    checkRR(j['read-restrictions']);
    assert.deepEqual(j['read-restrictions']['required-column-projections'], [{ 'field-id': field.id, action }]);
  }
  // A row filter on every primitive type, for one user: AND-ed, by id.
  const values = { boolean: true, int: 1, long: 2, float: 1.5, double: 2.5, 'decimal(9,2)': '1.25', date: '2024-01-01', time: '12:00:00', timestamp: '2024-01-01T00:00:00', timestamptz: '2024-01-01T00:00:00+00:00', string: 'x', uuid: '00000000-0000-4000-8000-000000000001', 'fixed[4]': 'DEADBEEF', binary: '0A0B' };
  const rf = await tenantUser(srv, A, 'rows');
  await grant(srv, A, rf, { type: 'namespace', catalog_id: (await ok('GET', `/api/v1/catalogs/${cat}`, undefined, A.admin)).id, namespace: ns }, ['read']);
  const bound = [];
  for (const f of fields) {
    const r = await srv.req('POST', '/api/v1/policies', { body: { name: uniq('rf'), catalog: cat, namespace: [ns], table: name, row_filter: { type: 'not-eq', term: f.name, value: values[f.type] }, applies_to: { users: [rf.id] } }, headers: A.admin });
    assert.equal(r.status, 201, `${f.type}: ${r.text}`);
    bound.push(f.id);
  }
  const j = expectJson(await srv.req('GET', P, { headers: rf.headers }), 200);
  checkRR(j['read-restrictions']);
  const ids = [...JSON.stringify(j['read-restrictions']['required-row-filter']).matchAll(/"type":"reference","id":(\d+)/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
  assert.deepEqual(ids, bound, 'every type\'s filter is in the AND, by field id');
});

test('createTable (stage-create, registerTable) asking for the files: a caller whom a namespace or table policy binds is refused (403 naming why) before anything is made; without delegation it is answered its restrictions; an enforcing engine and an unbound caller get the credentials', async () => {
  const swift = await startSwift();
  const bucket = uniq('rrc');
  assert.equal(s3req(swift, 'PUT', `/${bucket}`).status, 200);
  // The operator lets the bucket's warehouse vend its keys (issue 67).
  const s = await startAuthServer({ allowEndpoints: [swift.endpoint], env: { PANGOLIN_STATIC_KEY_BUCKETS: bucket } });
  try {
    const o = okFor(s);
    const T = await tenantWithAdmin(s, 'rrc');
    const wh = uniq('s3wh');
    await o('POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 's3', bucket, prefix: 'lake', endpoint: swift.endpoint, region: 'us-east-1', access_key_id: 'test:tester', secret_access_key: 'testing' } }, T.admin);
    const c = uniq('s3cat');
    const catalog = await o('POST', '/api/v1/catalogs', { name: c, warehouse_name: wh }, T.admin);
    // The policy is the parent namespace's: it binds every table below.
    await o('POST', `/v1/${c}/namespaces`, { namespace: ['db'] }, T.admin);
    await o('POST', `/v1/${c}/namespaces`, { namespace: ['db', 'sub'] }, T.admin);
    const role = uniq('masked');
    const rid = (await o('POST', '/api/v1/roles', { name: role }, T.admin)).id;
    const bound = await tenantUser(s, T, 'bound');
    const free = await tenantUser(s, T, 'free');
    const engine = await o('POST', '/api/v1/service-users', { name: uniq('engine'), role: 'tenant-user', enforces_read_restrictions: true }, T.admin);
    const eh = { headers: { 'x-api-key': engine.api_key } };
    for (const u of [bound, free, engine]) await grant(s, T, u, { type: 'catalog', catalog_id: catalog.id }, ['all']);
    for (const u of [bound, engine]) await o('POST', `/api/v1/users/${u.id}/roles`, { 'role-id': rid }, T.admin);
    await o('POST', '/api/v1/policies', { name: uniq('mask'), catalog: c, namespace: ['db'], column: 'email', action: 'mask-alphanum', applies_to: { roles: [role] } }, T.admin);
    const P = `/v1/${c}/namespaces/db%1Fsub/tables`;
    const create = (u, name, headers = {}, extra = {}) => s.req('POST', P, { body: { name, schema: SCHEMA, ...extra }, headers: { ...u.headers, ...headers } });
    const vend = { 'x-iceberg-access-delegation': 'vended-credentials' };
    const absent = async (name, what) => {
      assert.equal((await s.req('GET', `${P}/${name}`, { headers: T.admin })).status, 404, `${what}: no table is left behind`);
      assert.deepEqual(keys(swift, bucket, `lake/`).filter((k) => k.includes(`/${name}`)), [], `${what}: no file is written`);
    };
    const refused = (r, what) => {
      assert.equal(r.status, 403, `${what}: ${r.status} ${r.text}`);
      assert.match(r.json.error.message, /read restrictions apply .*enforces them/, what);
      assert.ok(!r.text.includes('testing'), `${what}: no key in the refusal`);
    };
    for (const [what, h, extra] of [['vended credentials', vend, {}], ['remote signing', { 'x-iceberg-access-delegation': 'remote-signing' }, {}],
      ['stage-create with vended credentials', vend, { 'stage-create': true }]]) {
      const name = uniq('denied');
      refused(await create(bound, name, h, extra), what);
      await absent(name, what);
    }
    // Without delegation: made, answered its restrictions, no keys.
    const plainMade = expectJson(await create(bound, uniq('plain')), 200);
    checkRR(plainMade['read-restrictions']);
    assert.deepEqual(projections(plainMade['read-restrictions']), { 2: 'mask-alphanum' });
    assert.equal(plainMade['storage-credentials'], undefined);
    // registerTable is a create too: refused before the name is taken.
    // Its file is a copy at a place of its own (plainMade's files are
    // plainMade's: every table owns its files, issue 67).
    const reg = uniq('reg');
    const dir = `${plainMade.metadata.location}-copy`;
    const copy = `${dir}/metadata/00000-copy.metadata.json`;
    assert.equal(s3req(swift, 'PUT', `/${bucket}/${copy.slice(`s3://${bucket}/`.length)}`, { body: JSON.stringify({ ...plainMade.metadata, location: dir }) }).status, 200);
    refused(await s.req('POST', `/v1/${c}/namespaces/db%1Fsub/register`, { body: { name: reg, 'metadata-location': copy }, headers: { ...bound.headers, ...vend } }), 'registerTable');
    assert.equal((await s.req('GET', `${P}/${reg}`, { headers: T.admin })).status, 404, 'registerTable: no table is left behind');
    // The enforcing engine: its restrictions and the keys.
    const byEngine = expectJson(await create(eh, uniq('engine'), vend), 200);
    assert.deepEqual(projections(byEngine['read-restrictions']), { 2: 'mask-alphanum' });
    assert.equal(byEngine['storage-credentials'][0].config['s3.secret-access-key'], 'testing');
    // A caller no policy binds: the keys, no restrictions.
    const byFree = expectJson(await create(free, uniq('free'), vend), 200);
    assert.equal(byFree['read-restrictions'], undefined);
    assert.equal(byFree['storage-credentials'][0].config['s3.secret-access-key'], 'testing');
    // A table policy outlives its table's drop: made again under the
    // name, by the caller it binds, with delegation: refused too.
    const again = uniq('again');
    expectJson(await create({ headers: T.admin }, again), 200);
    await o('POST', '/api/v1/policies', { name: uniq('rows'), catalog: c, namespace: ['db', 'sub'], table: again, row_filter: { type: 'eq', term: 'country', value: 'NL' }, applies_to: { users: [free.id] } }, T.admin);
    assert.equal((await s.req('DELETE', `${P}/${again}?purgeRequested=true`, { headers: T.admin })).status, 204);
    assert.equal((await s.req('GET', `${P}/${again}`, { headers: T.admin })).status, 404);
    refused(await create(free, again, vend), 'a table policy of the name');
    assert.equal((await s.req('GET', `${P}/${again}`, { headers: T.admin })).status, 404, 'no table is left behind');
    const rows = expectJson(await create(free, again), 200);
    assert.deepEqual(rows['read-restrictions']['required-row-filter'], { type: 'eq', left: { type: 'reference', id: 3 }, right: { type: 'literal', value: 'NL' } });
  } finally {
    await s.stop();
    swift.destroy();
  }
});

test('undrop brings a table\'s protection back: its column tags (a tag policy\'s mask) on the restored row, and its table policies under a new name', async () => {
  const t = uniq('undropped');
  const P = `/v1/${cat}/namespaces/${ns}/tables`;
  const loadT = (name) => srv.req('GET', `${P}/${name}`, { headers: analyst.headers });
  const restrictions = async (name) => expectJson(await loadT(name), 200)['read-restrictions'];
  const drop = async (name) => {
    const r = await srv.req('DELETE', `${P}/${name}`, { headers: A.admin });
    assert.equal(r.status, 204, r.text);
    assert.ok(r.headers['pangolin-dropped-id'], 'kept recoverable');
    return r.headers['pangolin-dropped-id'];
  };
  const restore = (id, body) => ok('POST', `/api/v1/catalogs/${cat}/dropped/${id}/restore`, body, A.admin);
  const tagsOf = async (assetId) => (await ok('GET', `/api/v1/assets/${assetId}/column-tags`, undefined, A.admin)).columns.map((c) => [c.field_id, c.tags]);
  const flagsOn = async (name) => (await ok('GET', `/api/v1/catalogs/${cat}/namespaces/${ns}/tables/${name}/effective-restrictions?user=${analyst.id}`, undefined, A.admin)).flags;

  const made = await ok('POST', P, { name: t, schema: SCHEMA }, A.admin);
  const tag = uniq('pii:email');
  await ok('POST', '/api/v1/policies', { name: uniq('tag-mask'), catalog: cat, tag, action: 'mask-alphanum', applies_to: { roles: [rAnalyst] } }, A.admin);
  await ok('PUT', `/api/v1/assets/${made.metadata['table-uuid']}/column-tags`, { columns: [{ column: 'email', tags: [tag] }] }, A.admin);
  const masked = { 2: 'mask-alphanum', 4: 'truncate-to-year' };
  assert.deepEqual(projections(await restrictions(t)), masked);

  // Dropped and restored under its name: a new row, its column tagged
  // again, so the tag policy still masks the analyst's emails.
  const back = await restore(await drop(t));
  assert.notEqual(back.asset_id, made.metadata['table-uuid'], 'the restored table is a new row');
  assert.deepEqual(await tagsOf(back.asset_id), [[2, [tag]]]);
  const rr = await restrictions(t);
  checkRR(rr);
  assert.deepEqual(projections(rr), masked);

  // A table policy of its name, defined on the restored row.
  const nl = await ok('POST', '/api/v1/policies', { name: uniq('undrop-nl'), catalog: cat, namespace: [ns], table: t, row_filter: { type: 'eq', term: 'country', value: 'NL' }, applies_to: { roles: [rAnalyst] } }, A.admin);
  const onlyNL = { type: 'eq', left: { type: 'reference', id: 3 }, right: { type: 'literal', value: 'NL' } };
  assert.deepEqual((await restrictions(t))['required-row-filter'], onlyNL);

  // Dropped again and restored under a new name: the policy follows it
  // (as a rename's would), the tags come back, and the resolver takes it
  // for the table the policy was defined on (no "made again" flag).
  const t2 = uniq('renamed');
  const moved = await restore(await drop(t), { name: t2 });
  assert.equal(moved.name, t2);
  assert.equal((await ok('GET', `/api/v1/policies/${nl.id}`, undefined, A.admin)).table, t2);
  const rr2 = await restrictions(t2);
  checkRR(rr2);
  assert.deepEqual(rr2['required-row-filter'], onlyNL);
  assert.deepEqual(projections(rr2), masked);
  assert.deepEqual(await tagsOf(moved.asset_id), [[2, [tag]]]);
  assert.deepEqual(await flagsOn(t2), []);
  expectError(await loadT(t), 404, { iceberg: true });

  // Dropped once more, and another table made under its name since:
  // the policy protects that one too (it stays), and the restored
  // table, under a third name, gets a copy of it.
  const id3 = await drop(t2);
  await ok('POST', P, { name: t2, schema: SCHEMA }, A.admin);
  const t3 = uniq('third');
  await restore(id3, { name: t3 });
  assert.deepEqual((await restrictions(t3))['required-row-filter'], onlyNL);
  assert.deepEqual((await restrictions(t2))['required-row-filter'], onlyNL);
  assert.equal((await ok('GET', `/api/v1/policies/${nl.id}`, undefined, A.admin)).table, t2);
  const all = await ok('GET', `/api/v1/policies?catalog=${cat}&limit=1000`, undefined, A.admin);
  const copies = all.filter((p) => p.table === t3);
  assert.deepEqual(copies.map((p) => p.name), [`${nl.name} (restored as ${ns}.${t3})`]);
});
