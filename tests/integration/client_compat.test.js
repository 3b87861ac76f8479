// Issue 22, part 5: every Iceberg client, unmodified.  Local locations
// are file:// URIs (written, answered, accepted either way, old bare-path
// tables still load and commit); a name may hold anything a client can
// percent-encode but '/', control bytes and the separators; GET / leads
// to the admin page; a sequence number that would block every later
// commit is refused.  Driven by iceberg-js (npm, unmodified) and raw HTTP.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { IcebergRestCatalog } from 'iceberg-js';
import { expectError, expectJson, uniq } from './lib/expect.js';
import { CATALOG, nsPath, simpleSchema, startIcebergServer } from './lib/iceberg.js';
import { fileUri, fsPath, ownCopy } from './lib/location.js';
import { validatingFetch } from './lib/openapi.js';

let srv;
let catalog;
let checked;
const P = `/v1/${CATALOG}`;

before(async () => {
  srv = await startIcebergServer();
  checked = validatingFetch();
  catalog = new IcebergRestCatalog({ baseUrl: `http://127.0.0.1:${srv.port}`, warehouse: CATALOG, auth: { type: 'none' }, fetch: checked });
});
after(async () => {
  await srv?.stop();
  assert.deepEqual(checked.failures.map((e) => e.message), [], 'every /v1 answer matches the Iceberg OpenAPI spec');
});

const ok = async (method, p, body, status = 200, headers = {}) => expectJson(await srv.req(method, p, { body, headers }), status);
const tables = (levels) => `${P}/namespaces/${nsPath(levels)}/tables`;
const views = (levels) => `${P}/namespaces/${nsPath(levels)}/views`;
const commit = (levels, name, updates, requirements = []) =>
  srv.req('POST', `${tables(levels)}/${encodeURIComponent(name)}`, { body: { requirements, updates } });
async function mkns(levels = [uniq('ns')]) {
  await ok('POST', `${P}/namespaces`, { namespace: levels });
  return levels;
}

/** A name as one segment of a local location: RFC 3986 pchar kept, every other byte (and '%') as %XX. */
const segment = (name) => Array.from(Buffer.from(name, 'utf8'), (b) => {
  const c = String.fromCharCode(b);
  return b < 0x80 && /[A-Za-z0-9\-._~!$&'()*+,;=:@]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
}).join('');

const viewBody = (name) => ({
  name,
  schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'x', required: false, type: 'long' }] },
  'view-version': {
    'version-id': 1, 'schema-id': 0, 'timestamp-ms': Date.now(), summary: {}, 'default-namespace': [],
    representations: [{ type: 'sql', sql: 'select 1 as x', dialect: 'spark' }],
  },
  properties: {},
});

test('a local table is file:// everywhere: create, load and commit answers, the metadata, its metadata-log (iceberg-js)', async () => {
  const ns = { namespace: [uniq('uri')] };
  await catalog.createNamespace(ns);
  const created = await catalog.createTableResult(ns, { name: 'events', schema: simpleSchema() });
  const where = fileUri(path.join(srv.catalogRoot, ns.namespace[0], 'events'));
  assert.equal(created.metadata.location, where);
  assert.match(created['metadata-location'], new RegExp(`^${where}/metadata/00000-[0-9a-f-]{36}\\.metadata\\.json$`));
  assert.deepEqual(JSON.parse(fs.readFileSync(fsPath(created['metadata-location']), 'utf8')), created.metadata,
    'the file behind the URI is its raw path, and holds what was answered');

  const id = { namespace: ns.namespace, name: 'events' };
  const loaded = await catalog.loadTableResult(id);
  assert.equal(loaded['metadata-location'], created['metadata-location']);
  assert.equal(loaded.metadata.location, where);

  const c1 = expectJson(await commit(ns.namespace, 'events', [{ action: 'set-properties', updates: { a: '1' } }]), 200);
  assert.match(c1['metadata-location'], new RegExp(`^${where}/metadata/00001-`));
  assert.equal(c1.metadata.location, where);
  assert.deepEqual(c1.metadata['metadata-log'].map((e) => e['metadata-file']), [created['metadata-location']]);
  assert.equal((await catalog.loadTableResult(id))['metadata-location'], c1['metadata-location']);
});

test('a location is accepted as a bare path or a file:/// URI and answered as the URI; file://host/ is refused', async () => {
  const ns = await mkns();
  const bare = path.join(srv.catalogRoot, ns[0], 'elsewhere', uniq('bare'));
  const t1 = await ok('POST', tables(ns), { name: 'bare', schema: simpleSchema(), location: `${bare}/` });
  assert.equal(t1.metadata.location, fileUri(bare));
  assert.ok(t1['metadata-location'].startsWith(`${fileUri(bare)}/metadata/`));
  assert.ok(fs.existsSync(fsPath(t1['metadata-location'])));

  const uri = fileUri(path.join(srv.catalogRoot, ns[0], 'elsewhere', uniq('uri')));
  const t2 = await ok('POST', tables(ns), { name: 'uri', schema: simpleSchema(), location: uri });
  assert.equal(t2.metadata.location, uri);

  // set-location spelled as a bare path: the same place, stored as the URI.
  const moved = path.join(srv.catalogRoot, ns[0], 'elsewhere', uniq('moved'));
  const c = expectJson(await commit(ns, 'uri', [{ action: 'set-location', location: moved }]), 200);
  assert.equal(c.metadata.location, fileUri(moved));
  assert.ok(c['metadata-location'].startsWith(`${fileUri(moved)}/metadata/00001-`));
  const same = expectJson(await commit(ns, 'uri', [{ action: 'set-location', location: fileUri(moved) }]), 200);
  assert.equal(same['metadata-location'], c['metadata-location'], 'the same place in the other spelling is no change');

  // Hadoop's file:/path (what Iceberg Java writes) is the same place too.
  const hadoop = path.join(srv.catalogRoot, ns[0], 'elsewhere', uniq('hadoop'));
  const t3 = await ok('POST', tables(ns), { name: 'hadoop', schema: simpleSchema(), location: `file:${hadoop}` });
  assert.equal(t3.metadata.location, fileUri(hadoop));

  // "Inside the storage" compares paths: the URI of a place outside is outside.
  const out = await srv.req('POST', tables(ns), { body: { name: 'out', schema: simpleSchema(), location: 'file:///etc/pgl-out' } });
  expectError(out, 400, { iceberg: true, message: /inside the catalog's storage location/ });
  const host = await srv.req('POST', tables(ns), { body: { name: 'host', schema: simpleSchema(), location: `file://host${srv.catalogRoot}/x` } });
  expectError(host, 400, { iceberg: true, message: /file:\/\/ locations must be absolute and name no host/ });
  assert.equal((await srv.req('HEAD', `${tables(ns)}/host`)).status, 404);
});

test('a view is file:// too, created and registered with either spelling', async () => {
  const ns = await mkns();
  const v = await ok('POST', views(ns), viewBody('v1'));
  const where = fileUri(path.join(srv.catalogRoot, ns[0], 'v1'));
  assert.equal(v.metadata.location, where);
  assert.ok(v['metadata-location'].startsWith(`${where}/metadata/00000-`));
  assert.equal((await ok('GET', `${views(ns)}/v1`))['metadata-location'], v['metadata-location']);
  // v1's file is v1's (every table owns its files, issue 67): a copy at
  // a location of its own registers, by its bare path.
  const copy = ownCopy(v['metadata-location'], path.join(srv.catalogRoot, ns[0], 'back'));
  const reg = await ok('POST', `${P}/namespaces/${nsPath(ns)}/register-view`, { name: 'back', 'metadata-location': fsPath(copy) });
  assert.equal(reg['metadata-location'], copy, 'a bare path registers as the URI of the same file');
});

test('a table written with bare paths (before URIs) still registers, loads and commits; its next file is a URI', async () => {
  const ns = await mkns();
  const src = await ok('POST', tables(ns), { name: 'src', schema: simpleSchema() });
  // The metadata file an older server wrote: location a bare path.
  const dir = path.join(srv.catalogRoot, ns[0], 'old');
  const md = { ...src.metadata, location: dir, 'table-uuid': '6d9d0a5e-5b34-4b5f-9c8e-1d2f3a4b5c6d' };
  const file = path.join(dir, 'metadata', `00000-${'a'.repeat(8)}-aaaa-aaaa-aaaa-${'a'.repeat(12)}.metadata.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(md));

  const reg = await ok('POST', `${P}/namespaces/${nsPath(ns)}/register`, { name: 'old', 'metadata-location': file });
  assert.equal(reg['metadata-location'], fileUri(file), 'the pointer is answered as a URI');
  const loaded = await ok('GET', `${tables(ns)}/old`);
  assert.equal(loaded['metadata-location'], fileUri(file));
  assert.equal(loaded.metadata.location, dir, 'the file is answered as it lies until a commit rewrites it');

  const c1 = expectJson(await commit(ns, 'old', [{ action: 'set-properties', updates: { k: 'v' } }],
    [{ type: 'assert-table-uuid', uuid: md['table-uuid'] }]), 200);
  assert.equal(c1.metadata.location, fileUri(dir), 'the next file spells the location as a URI');
  assert.match(c1['metadata-location'], new RegExp(`^${fileUri(dir)}/metadata/00001-`));
  assert.deepEqual(c1.metadata['metadata-log'].map((e) => e['metadata-file']), [fileUri(file)]);
  assert.ok(fs.existsSync(fsPath(c1['metadata-location'])));
  const c2 = expectJson(await commit(ns, 'old', [{ action: 'set-properties', updates: { k: 'w' } }]), 200);
  assert.match(c2['metadata-location'], /\/metadata\/00002-/);
  assert.equal((await ok('GET', `${tables(ns)}/old`))['metadata-location'], c2['metadata-location']);
  // The old file itself registers again under the file:/// spelling (the
  // table's own: another table may not take its files, issue 67).
  const again = await ok('POST', `${P}/namespaces/${nsPath(ns)}/register`, { name: 'old', 'metadata-location': fileUri(file), overwrite: true });
  assert.equal(again['metadata-location'], fileUri(file));
});

test('names: anything a client can percent-encode round-trips through the REST path and makes a valid file:// URI', async () => {
  const names = ['a b', '100%', '%2F', 'a#b', 'q?x=1', 'p+q', `it's "quoted"`, 'caf\u00e9 \u65e5\u672c', '...', 'semi;colon'];
  for (const name of names) {
    const ns = [`ns ${name}`];
    await catalog.createNamespace({ namespace: ns });
    assert.ok(await catalog.namespaceExists({ namespace: ns }), `namespace ${name}`);
    const t = await catalog.createTableResult({ namespace: ns }, { name, schema: simpleSchema() });
    const where = `${fileUri(srv.catalogRoot)}/${segment(ns[0])}/${segment(name)}`;
    assert.equal(t.metadata.location, where, `location of ${name}`);
    assert.doesNotThrow(() => new URL(where), 'a valid URI');
    assert.equal(new URL(where).pathname, fsPath(where), 'no character a URI parser would change');
    assert.ok(fs.existsSync(fsPath(t['metadata-location'])), `the file of ${name} is at the URI's raw path`);
    const listed = await catalog.listTables({ namespace: ns });
    assert.deepEqual(listed.identifiers.map((i) => i.name), [name]);
    const loaded = await catalog.loadTableResult({ namespace: ns, name });
    assert.equal(loaded['metadata-location'], t['metadata-location']);
    expectJson(await commit(ns, name, [{ action: 'set-properties', updates: { n: name } }]), 200);
  }
  const all = (await ok('GET', `${P}/namespaces`)).namespaces.map((n) => n[0]);
  for (const name of names) assert.ok(all.includes(`ns ${name}`), `listed: ns ${name}`);
  // '%' in two spellings: two tables, two directories.
  const ns = await mkns([uniq('pct')]);
  const a = await ok('POST', tables(ns), { name: 'a%20b', schema: simpleSchema() });
  const b = await ok('POST', tables(ns), { name: 'a b', schema: simpleSchema() });
  assert.notEqual(a.metadata.location, b.metadata.location);
});

test('names: a catalog (the management API shares the rule) with % and a space is a REST prefix', async () => {
  const name = `c%1 ${uniq('x')}`;
  expectJson(await srv.rawReq('POST', '/api/v1/catalogs', { body: { name, warehouse_name: 'wh' } }), 201);
  const prefix = `/v1/${encodeURIComponent(name)}`;
  expectJson(await srv.req('POST', `${prefix}/namespaces`, { body: { namespace: ['n%'] } }), 200);
  const t = expectJson(await srv.req('POST', `${prefix}/namespaces/${nsPath(['n%'])}/tables`, { body: { name: 't', schema: simpleSchema() } }), 200);
  assert.ok(t.metadata.location.startsWith('file:///') && t.metadata.location.endsWith('/n%25/t'), t.metadata.location);
  assert.ok(fs.existsSync(fsPath(t['metadata-location'])));
  assert.deepEqual(expectJson(await srv.req('GET', `${prefix}/namespaces`), 200).namespaces.filter((n) => n[0] !== 'default'), [['n%']]);
  expectError(await srv.rawReq('POST', '/api/v1/catalogs', { body: { name: '..', warehouse_name: 'wh' } }), 400, { message: /path segments/ });
});

test("names: '.', '..', '/' and control bytes are refused with the reason", async () => {
  const ns = await mkns();
  for (const [name, why] of [['.', /path segments/], ['..', /path segments/], ['a/b', /'\/'/], ['a\tb', /control/], ['a\u001fb', /control/]]) {
    const r = await srv.req('POST', tables(ns), { body: { name, schema: simpleSchema() } });
    expectError(r, 400, { iceberg: true, message: why });
  }
  for (const level of ['..', '.']) {
    const r = await srv.req('POST', `${P}/namespaces`, { body: { namespace: [level] } });
    expectError(r, 400, { iceberg: true, message: /path segments/ });
  }
  const r = await srv.req('GET', `${P}/namespaces/${encodeURIComponent('..')}/tables`);
  expectError(r, 400, { iceberg: true, message: /path segments/ });
});

test('GET / and HEAD / redirect to the admin page', async () => {
  for (const method of ['GET', 'HEAD']) {
    const r = await srv.rawReq(method, '/');
    assert.equal(r.status, 302, `${method} /`);
    assert.equal(r.headers.location, '/ui/');
  }
  const ui = await srv.rawReq('GET', '/ui/');
  assert.equal(ui.status, 200);
  assert.match(ui.headers['content-type'], /text\/html/);
});

test('a sequence number past 2^62 (it would block every later append) and a snapshot-id <= 0 are refused with 400', async () => {
  const ns = await mkns();
  const t = await ok('POST', tables(ns), { name: 'seq', schema: simpleSchema() });
  const snap = (id, seq, parent) => `{"action":"add-snapshot","snapshot":{"snapshot-id":${id},${parent ? `"parent-snapshot-id":${parent},` : ''}` +
    `"sequence-number":${seq},"timestamp-ms":${Date.now()},"summary":{"operation":"append"},` +
    `"manifest-list":"${t.metadata.location}/metadata/snap-${id}.avro","schema-id":0}}`;
  const send = (updates) => srv.req('POST', `${tables(ns)}/seq`, {
    body: `{"requirements":[],"updates":[${updates}]}`, headers: { 'content-type': 'application/json' },
  });
  const max = await send(snap(7, '9223372036854775807'));
  expectError(max, 400, { iceberg: true, message: /leaves no room for later commits/ });
  expectError(await send(snap(7, String(2n ** 62n + 1n))), 400, { iceberg: true, message: /no room/ });
  expectError(await send(snap(0, 1)), 400, { iceberg: true, message: /snapshot-id must be positive/ });
  expectError(await send(snap(-5, 1)), 400, { iceberg: true, message: /snapshot-id must be positive/ });
  assert.equal((await ok('GET', `${tables(ns)}/seq`))['metadata-location'], t['metadata-location'], 'nothing was committed');

  // A jump up to 2^62 is taken; past it the table still appends, one number at a time.
  const ref = (id) => `{"action":"set-snapshot-ref","ref-name":"main","type":"branch","snapshot-id":${id}}`;
  expectJson(await send(`${snap(7, String(2n ** 62n))},${ref(7)}`), 200);
  expectError(await send(`${snap(8, String(2n ** 62n + 2n), 7)},${ref(8)}`), 400, { iceberg: true, message: /no room/ });
  const next = await send(`${snap(8, String(2n ** 62n + 1n), 7)},${ref(8)}`);
  assert.equal(next.status, 200, next.text);
  assert.match(next.text, new RegExp(`"last-sequence-number":\\s*${2n ** 62n + 1n}[,}]`), 'exact past 2^53');
  expectJson(await send(`${snap(9, String(2n ** 62n + 2n), 8)},${ref(9)}`), 200);

  // register refuses a file whose last-sequence-number leaves no room.
  const dir = path.join(srv.catalogRoot, ns[0], 'huge');
  const file = path.join(dir, 'metadata', '00000-huge.metadata.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const text = JSON.stringify({ ...t.metadata, location: dir, 'last-sequence-number': 1 })
    .replace('"last-sequence-number":1', '"last-sequence-number":9223372036854775807');
  fs.writeFileSync(file, text);
  const r = await srv.req('POST', `${P}/namespaces/${nsPath(ns)}/register`, { body: { name: 'huge', 'metadata-location': file } });
  expectError(r, 400, { iceberg: true, message: /last-sequence-number .* leaves no room/ });
});
