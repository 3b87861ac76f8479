// The console's table explorer, view page, browse, generic assets,
// business metadata, search and access requests (issue 27), in a real
// browser against one server: SQLite, auth on, root, the [defaults]
// warehouse and catalog `demo`.  The tables are real: Parquet data,
// Avro manifests, snapshots committed over the Iceberg REST API; the
// page's figures are compared with the API's own metadata.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { assertClean, browserSkip, fieldError, open, openBrowser, shot, signIn } from './lib/browser.js';
import { createTable } from './lib/iceberg_data.js';
import { basic, NIL_UUID, startServer, tmpDir } from './lib/server.js';

const skip = browserSkip();
const auth = { authorization: basic() };
const PW = 'Str0ng-Passw0rd-for-ui';
const XSS_SQL = "select '<script>alert(1)</script>' as x";
const HTML_NAME = '<b>x</b>';
const IMG_NAME = '<img src=x onerror=alert(1)>';	// a name may hold it (no '/')

let srv, b, events, storage;

async function ok(method, p, body, headers = auth, status = [200, 201, 204]) {
  const r = await srv.req(method, p, { body, headers });
  assert.ok([].concat(status).includes(r.status), `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
}

// id 1, 2 as written; 3: a list of structs holding a map (nested three deep).
const NESTED_SCHEMA = {
  type: 'struct', 'schema-id': 1, fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'name', required: false, type: 'string', doc: 'who clicked' },
    { id: 3, name: 'hits', required: false, doc: 'one per page', type: { type: 'list', 'element-id': 4, 'element-required': true,
      element: { type: 'struct', fields: [
        { id: 5, name: 'url', required: true, type: 'string' },
        { id: 6, name: 'attrs', required: false, type: { type: 'map', 'key-id': 7, key: 'string', 'value-id': 8,
          'value-required': false, value: 'long' } },
      ] } } },
  ],
};

/** A real table: four snapshots (three appends, a delete), bucket[4](id), a sort order, a tag, properties. */
async function makeEvents() {
  const t = await createTable(srv, { namespace: ['db'], table: 'events', headers: auth,
    partitionSpec: { fields: [{ name: 'id_bucket', transform: 'bucket[4]', 'source-id': 1, 'field-id': 1000 }] },
    properties: { owner: 'analytics', 'comment.html': HTML_NAME } });
  const first = await t.appendRows([{ id: 1, name: 'a' }, { id: 2, name: 'b' }, { id: 3, name: 'c' }]);
  await t.appendRows([{ id: 4, name: 'd' }]);
  await t.appendRows([{ id: 5, name: 'e' }, { id: 6, name: 'f' }]);
  await t.deleteRows((r) => r.id === 2);
  await t.setRef('v1', { type: 'tag', snapshotId: first.snapshotId, maxRefAgeMs: 86400000 });
  await t.commit([], [
    { action: 'add-schema', schema: NESTED_SCHEMA, 'last-column-id': 8 },
    { action: 'set-current-schema', 'schema-id': -1 },
    { action: 'add-sort-order', 'sort-order': { 'order-id': 1, fields: [
      { transform: 'identity', 'source-id': 2, direction: 'desc', 'null-order': 'nulls-last' }] } },
    { action: 'set-default-sort-order', 'sort-order-id': -1 },
    { action: 'set-properties', updates: { 'write.format.default': 'parquet' } },
  ]);
  return t;
}

/** A table of n snapshots (a chain of empty appends, one commit): the timeline's paging. */
async function makeMany(n) {
  const t = await createTable(srv, { namespace: ['db'], table: 'many', headers: auth });
  const md = (await t.load()).metadata;
  const updates = [];
  let parent = null;
  const base = Date.now() - n * 1000;
  for (let i = 0; i < n; i++) {
    const id = 1000 + i;
    const s = { 'snapshot-id': id, 'timestamp-ms': base + i * 1000, 'sequence-number': i + 1, 'schema-id': 0,
      'manifest-list': `${md.location}/metadata/snap-${id}.avro`, summary: { operation: 'append', 'added-records': String(i) } };
    if (parent !== null) s['parent-snapshot-id'] = parent;
    updates.push({ action: 'add-snapshot', snapshot: s });
    parent = id;
  }
  updates.push({ action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': parent });
  await t.commit([], updates);
  return t;
}

async function tenantUser(username) {
  const u = await ok('POST', '/api/v1/users', { username, password: PW, tenant_id: NIL_UUID, role: 'tenant-user' });
  return { id: u.id, username };
}

before(async () => {
  if (skip) return;
  const dir = tmpDir('pgl-ui-explorer');
  srv = await startServer({ store: 'sqlite', dir, noAuth: false, root: true,
    env: { TASK_WORKER_ENABLED: 'false', PANGOLIN_AUTH_RATE_LIMIT: '0' },
    extra: ['[defaults]', 'warehouse = "wh"', `warehouse_root = ${JSON.stringify(path.join(dir, 'warehouse'))}`,
      'catalog = "demo"'].join('\n') });
  events = await makeEvents();
  await makeMany(120);
  storage = (await ok('GET', '/api/v1/catalogs/demo')).storage_location;
  await ok('POST', '/v1/demo/namespaces/db/views', { name: 'risky', schema: { type: 'struct', 'schema-id': 0,
    fields: [{ id: 1, name: 'x', required: false, type: 'string', doc: HTML_NAME }] },
  'view-version': { 'version-id': 1, 'schema-id': 0, 'timestamp-ms': Date.now(), summary: { engine: 'spark' },
    'default-namespace': ['db'], representations: [{ type: 'sql', sql: XSS_SQL, dialect: 'spark' },
      { type: 'sql', sql: 'SELECT 1 AS "x"', dialect: 'trino' }] }, properties: { note: HTML_NAME } });
  b = await openBrowser(srv);
  await signIn(b.page, b.base);
});
after(async () => {
  await b?.browser.close();
  await srv?.stop();
});

/** Every field of a schema, nested ones included: [dotted path, field]. */
function walk(fields, path = [], out = []) {
  for (const f of fields) {
    const full = [...path, f.name];
    out.push([full.join('.'), f]);
    const t = f.type;
    if (t?.type === 'struct') walk(t.fields, full, out);
    if (t?.type === 'list') walk([{ id: t['element-id'], name: 'element', required: t['element-required'], type: t.element }], full, out);
    if (t?.type === 'map') walk([{ id: t['key-id'], name: 'key', required: true, type: t.key },
      { id: t['value-id'], name: 'value', required: t['value-required'], type: t.value }], full, out);
  }
  return out;
}

const cell = (row, label) => row.locator(`td[data-label="${label}"]`).textContent();

/** The screen says no "null" or "undefined" (a missing value is "—"). */
async function noBlanks(page) {
  assert.doesNotMatch(await page.textContent('#view'), /\bnull\b|\bundefined\b/);
}

test('the table explorer: the nested schema, partition spec, sort order, every snapshot with its figures, refs, properties, metadata log', { skip }, async () => {
  const { page, base } = b;
  const loaded = await events.load();
  const md = loaded.metadata;
  await open(page, base, '#/catalogs/demo/tables/db/events', 'Table demo.db.events');
  await page.waitForSelector('#snapshots tbody tr');

  // The current schema, every nested field with its id, type and flag.
  const current = md.schemas.find((s) => s['schema-id'] === md['current-schema-id']);
  const fields = walk(current.fields);
  assert.ok(fields.some(([p]) => p === 'hits.element.attrs.value'), 'the schema nests a map in a struct in a list');
  for (const [p, f] of fields) {
    const li = page.locator(`#schema-tree li[data-field="${p}"]`);
    assert.equal(await li.count(), 1, `field ${p} shown`);
    const line = await li.locator(':scope > .field-line').textContent();
    assert.match(line, new RegExp(`id ${f.id}\\b`));
    assert.match(line, new RegExp(typeof f.type === 'string' ? `\\b${f.type}\\b` : `\\b${f.type.type}\\b`));
    assert.match(line, f.required ? /required/ : /optional/);
    if (f.doc) assert.ok(line.includes(f.doc), `${p}'s doc`);
  }
  // A doc holding HTML is text.
  assert.equal(await page.locator('#schema-tree b').count(), 0);
  // The first schema is still there to pick.
  await page.selectOption('#schema-pick', '0');
  await page.waitForSelector('#schema-tree ul[data-schema-id="0"]');
  assert.equal(await page.locator('#schema-tree li.field').count(), 2);
  await page.selectOption('#schema-pick', String(md['current-schema-id']));
  await page.waitForSelector(`#schema-tree li[data-field="hits.element.url"]`);

  // The partition spec and the sort order, by source field name.
  const spec = page.locator(`.spec[data-spec-id="${md['default-spec-id']}"]`);
  assert.match(await spec.textContent(), /\(default\)/);
  const specRow = spec.locator('tbody tr').first();
  assert.equal(await cell(specRow, 'Field'), 'id_bucket');
  assert.equal(await cell(specRow, 'Source'), 'id');
  assert.equal(await cell(specRow, 'Transform'), 'bucket[4]');
  const order = page.locator(`.sort-order[data-order-id="${md['default-sort-order-id']}"]`);
  assert.match(await order.textContent(), /\(default\)/);
  const orderRow = order.locator('tbody tr').first();
  assert.equal(await cell(orderRow, 'Source'), 'name');
  assert.equal(await cell(orderRow, 'Transform'), 'identity');
  assert.equal(await cell(orderRow, 'Direction'), 'desc');
  assert.equal(await cell(orderRow, 'Nulls'), 'nulls-last');

  // Every snapshot, newest first, with the API's summary figures.
  assert.equal(md.snapshots.length, 4);
  const newest = [...md.snapshots].sort((x, y) => y['timestamp-ms'] - x['timestamp-ms']).map((s) => String(s['snapshot-id']));
  assert.deepEqual(await page.locator('#snapshots tbody tr').evaluateAll((rs) => rs.map((r) => r.dataset.snapshot)), newest);
  for (const s of md.snapshots) {
    const row = page.locator(`#snapshots tr[data-snapshot="${s['snapshot-id']}"]`);
    assert.equal(await cell(row, 'Snapshot'), String(s['snapshot-id']));
    assert.equal(await cell(row, 'Parent'), s['parent-snapshot-id'] != null ? String(s['parent-snapshot-id']) : '—');
    assert.equal(await cell(row, 'Operation'), s.summary.operation);
    assert.equal(await cell(row, 'Added files'), s.summary['added-data-files'] ?? '—');
    assert.equal(await cell(row, 'Deleted files'), s.summary['deleted-data-files'] ?? s.summary['removed-data-files'] ?? '—');
    assert.equal(await cell(row, 'Added records'), s.summary['added-records'] ?? '—');
    const rest = await cell(row, 'Summary');
    for (const k of ['added-delete-files', 'total-records', 'total-data-files'])
      if (s.summary[k] != null) assert.ok(rest.includes(`${k}: ${s.summary[k]}`), `${k} of ${s['snapshot-id']}: ${rest}`);
  }
  assert.ok(md.snapshots.some((s) => s.summary.operation === 'delete' && s.summary['added-delete-files'] === '1'));

  // Refs with their snapshot and retention.
  const main = page.locator('tr[data-ref="main"]');
  assert.equal(await cell(main, 'Snapshot'), String(md.refs.main['snapshot-id']));
  assert.equal(await cell(main, 'Type'), 'branch');
  const tag = page.locator('tr[data-ref="v1"]');
  assert.equal(await cell(tag, 'Snapshot'), String(md.refs.v1['snapshot-id']));
  assert.equal(await cell(tag, 'Type'), 'tag');
  assert.equal(await cell(tag, 'Max ref age (ms)'), '86400000');

  // Properties (HTML in a value is text), the metadata log and location.
  for (const [k, v] of Object.entries(md.properties))
    assert.equal(await page.locator(`tr[data-prop="${k}"] td[data-label="Value"]`).textContent(), v, k);
  assert.equal(await page.locator('tr[data-prop] b').count(), 0);
  const log = await page.locator('.metadata-log-entry td[data-label="Metadata file"]').allTextContents();
  assert.ok(md['metadata-log'].length >= 5);
  assert.deepEqual(log.sort(), md['metadata-log'].map((e) => e['metadata-file']).sort());
  assert.equal(await page.textContent('#metadata-location'), loaded['metadata-location']);
  assert.equal(await page.locator('#maint-form label:has-text("Retain last")').count(), 1);
  await noBlanks(page);
  await shot(page, 'console-table-explorer');
});

test('the explorer pages a long snapshot list 100 at a time', { skip }, async () => {
  const { page, base } = b;
  await open(page, base, '#/catalogs/demo/tables/db/many', 'Table demo.db.many');
  await page.waitForSelector('#snapshots tbody tr');
  assert.equal(await page.locator('#snapshots tbody tr').count(), 100);
  assert.equal(await page.textContent('#snapshots .page-info'), 'rows 1–100 of 120');
  assert.equal(await page.getAttribute('#snapshots tbody tr >> nth=0', 'data-snapshot'), '1119', 'newest first');
  await page.click('#snapshots button:text-is("Next")');
  await page.waitForSelector('#snapshots .page-info:text-is("rows 101–120 of 120")');
  assert.equal(await page.locator('#snapshots tbody tr').count(), 20);
  assert.equal(await page.getAttribute('#snapshots tbody tr >> nth=19', 'data-snapshot'), '1000');
});

test('?branch= explores the table on a catalog branch (table@branch)', { skip }, async () => {
  const { page, base } = b;
  await ok('POST', '/api/v1/branches', { name: 'dev', catalog: 'demo' }, auth, [201, 202]);
  await events.onBranch('dev').setProperties({ stage: 'dev only' });
  const dev = (await events.onBranch('dev').load()).metadata;
  await open(page, base, '#/catalogs/demo/tables/db/events?branch=dev', 'Table demo.db.events @ dev');
  await page.waitForSelector('#snapshots tbody tr');
  assert.equal(await page.textContent('tr[data-prop="stage"] td[data-label="Value"]'), 'dev only');
  assert.equal(await page.locator('.metadata-log-entry').count(), dev['metadata-log'].length);
  await open(page, base, '#/catalogs/demo/tables/db/events', 'Table demo.db.events');
  await page.waitForSelector('#snapshots tbody tr');
  assert.equal(await page.locator('tr[data-prop="stage"]').count(), 0, 'main has no such property');
});

test('a view: its schema, each version\'s SQL per dialect as text (a <script> in it does not run), properties', { skip }, async () => {
  const { page, base } = b;
  const vmd = (await ok('GET', '/v1/demo/namespaces/db/views/risky')).metadata;
  await open(page, base, '#/catalogs/demo/views/db/risky', 'View demo.db.risky');
  await page.waitForSelector('pre.sql');
  const sqls = await page.locator('pre.sql').allTextContents();
  assert.deepEqual(sqls, vmd.versions[0].representations.map((r) => r.sql));
  assert.deepEqual(await page.locator('code.dialect').allTextContents(), ['spark', 'trino']);
  assert.equal(await page.locator('#view script').count(), 0, 'no script element');
  assert.equal(await page.locator('#view b').count(), 0, 'HTML in a doc or property is text');
  assert.match(await page.textContent('li[data-field="x"]'), /<b>x<\/b>/);
  assert.equal(await page.textContent('tr[data-prop="note"] td[data-label="Value"]'), HTML_NAME);
  assert.match(await page.textContent('.view-version'), /Version 1 \(current\)/);
  await noBlanks(page);
  await shot(page, 'console-view');
  // Its business metadata, saved from the page.
  await page.fill('#bm-form [name="description"]', 'risky view');
  await page.click('#bm-form button[type=submit]');
  await page.waitForSelector('#bm-facts dd:text-is("risky view")');
  const row = (await ok('GET', '/api/v1/catalogs/demo/namespaces/db/assets')).find((a) => a.name === 'risky');
  assert.equal(row.kind, 'VIEW');
  assert.equal((await ok('GET', `/api/v1/assets/${row.id}/metadata`)).metadata.description, 'risky view');
});

test('a SQL function: the namespace lists it; its page shows each definition, every version\'s SQL per dialect as text, the log', { skip }, async () => {
  const { page, base } = b;
  const def = (type, sql) => ({ parameters: [{ name: 'x', type }], 'return-type': type, 'function-type': 'udf',
    versions: [{ representations: [{ type: 'sql', dialect: 'spark', sql }, { type: 'sql', dialect: 'trino', sql: 'x + 1' }] }] });
  await ok('POST', '/v1/demo/namespaces/db/functions', { name: 'add_one', doc: HTML_NAME, definitions: [def('int', XSS_SQL)] });
  const md = (await ok('POST', '/v1/demo/namespaces/db/functions?replace=true',
    { name: 'add_one', definitions: [def('int', 'x + 1'), def('double', 'x + 1.0D')] })).metadata;
  await open(page, base, '#/catalogs/demo/namespaces/db', 'Namespace db of demo');
  await page.waitForSelector('#function-list tr[data-function="add_one"] a');
  await page.click('#function-list tr[data-function="add_one"] a');
  await page.waitForSelector('#view h2:has-text("Function demo.db.add_one")');
  await page.waitForSelector('pre.sql');
  assert.deepEqual(await page.locator('.function-definition').evaluateAll((els) => els.map((e) => e.dataset.definitionId)), ['int', 'double']);
  // Newest first: int's v2 (current), then v1 holding the <script>, as text.
  const intSql = await page.locator('.function-definition[data-definition-id="int"] pre.sql').allTextContents();
  assert.deepEqual(intSql, ['x + 1', 'x + 1', XSS_SQL, 'x + 1']);
  assert.deepEqual(await page.locator('.function-definition[data-definition-id="int"] code.dialect').allTextContents(),
    ['spark', 'trino', 'spark', 'trino']);
  assert.match(await page.textContent('.function-definition[data-definition-id="int"] .function-version'), /Version 2 \(current\)/);
  assert.match(await page.textContent('.function-definition[data-definition-id="int"] h4'), /add_one\(x int\) → int/);
  assert.equal(await page.locator('#view script').count(), 0, 'no script element');
  assert.equal(await page.locator('#view b').count(), 0, 'HTML in a doc is text');
  assert.match(await page.textContent('#view'), new RegExp(md['function-uuid']));
  assert.match(await page.textContent('section[aria-label="Definition log"]'), /\(int\) v2, \(double\) v1/);
  await noBlanks(page);
  await shot(page, 'console-function');
  assertClean(b);
});

test('browse → a namespace → register a generic asset (a bad location beside its field, a duplicate beside the name), its page, business metadata saved', { skip }, async () => {
  const { page, base } = b;
  const img = await ok('POST', '/api/v1/catalogs/demo/namespaces/db/assets', { name: IMG_NAME, kind: 'OTHER', location: `${storage}/db/img` });
  // The catalog's own page links here too.
  await open(page, base, '#/catalogs/demo', 'Catalog demo');
  await page.click('#catalog-browse');
  await page.waitForSelector('#view h2:has-text("Browse demo")');
  await open(page, base, '#/tasks', 'Tasks');
  await page.click('nav a:text-is("Browse")');
  await page.click('#view a:text-is("demo")');
  await page.waitForSelector('#view h2:has-text("Browse demo")');
  await page.click('#view a:text-is("db")');
  await page.waitForSelector('#asset-list tbody tr');
  for (const n of ['events', 'many', 'risky'])
    assert.equal(await page.locator(`#asset-list a:text-is("${n}")`).count(), 1, n);
  assert.match(await page.getAttribute('#asset-list a:text-is("risky")', 'href'), /^#\/catalogs\/demo\/views\/db\/risky$/);
  assert.match(await page.getAttribute('#asset-list a:text-is("events")', 'href'), /^#\/catalogs\/demo\/tables\/db\/events$/);

  // A name holding HTML is text, in the list and on its page.
  assert.equal(await page.textContent(`#asset-list tr[data-asset="${img.id}"] a`), IMG_NAME);
  assert.equal(await page.locator('#view img').count(), 0);
  await page.click(`#asset-list tr[data-asset="${img.id}"] a`);
  await page.waitForSelector(`#view h2:text-is("Asset demo.db.${IMG_NAME}")`);
  assert.equal(await page.locator('#view img').count(), 0);
  await page.goBack();
  await page.waitForSelector('#asset-form');

  const fill = async (name, location) => {
    await page.fill('#asset-form [name="name"]', name);
    await page.selectOption('#asset-form [name="kind"]', 'DELTA_TABLE');
    await page.fill('#asset-form [name="location"]', location);
    await page.fill('#asset-form [name="properties"]', JSON.stringify({ format: 'delta', note: HTML_NAME }));
    await page.click('#asset-form button[type=submit]');
  };
  // Outside the catalog's storage: the server's 400 beside Location.
  await fill('clicks', '/etc/clicks');
  await page.waitForSelector('#asset-form [name="location"][aria-invalid="true"]');
  assert.match(await fieldError(page, 'asset-form', 'location'), /^400: location must lie inside the catalog's storage location/);
  await fill('clicks', `${storage}/db/clicks`);
  await page.waitForSelector('#asset-list a:text-is("clicks")');
  // The same name again: the server's 409 beside Name.
  await fill('clicks', `${storage}/db/clicks2`);
  await page.waitForSelector('#asset-form [name="name"][aria-invalid="true"]');
  assert.match(await fieldError(page, 'asset-form', 'name'), /^409: .*already exists/);

  const list = await ok('GET', '/api/v1/catalogs/demo/namespaces/db/assets');
  const clicks = list.find((a) => a.name === 'clicks');
  assert.equal(clicks.kind, 'DELTA_TABLE');
  await page.click('#asset-list a:text-is("clicks")');
  await page.waitForSelector('h2:has-text("Asset demo.db.clicks")');
  await page.waitForSelector('#bm-form');
  assert.equal(await page.textContent('tr[data-prop="format"] td[data-label="Value"]'), 'delta');
  assert.equal(await page.textContent('tr[data-prop="note"] td[data-label="Value"]'), HTML_NAME);
  assert.equal(await page.locator('#view b').count(), 0);
  await noBlanks(page);

  // Business metadata: a bad tag is the server's 422 beside Tags; then saved.
  await page.fill('#bm-form [name="description"]', 'Raw clicks, one row per click');
  await page.fill('#bm-form [name="tags"]', 'clickstream, #raw');
  await page.fill('#bm-form [name="properties"]', '{"owner": "web"}');
  await page.click('#bm-form button[type=submit]');
  await page.waitForSelector('#bm-form [name="tags"][aria-invalid="true"]');
  assert.match(await fieldError(page, 'bm-form', 'tags'), /^422: tags\[1\]: a tag must not start with '#'/);
  await page.fill('#bm-form [name="tags"]', 'clickstream, raw');
  await page.click('#bm-form button[type=submit]');
  await page.waitForSelector('#bm-facts dd:text-is("clickstream, raw")');
  await page.reload();
  await page.waitForSelector('#bm-facts dd:text-is("Raw clicks, one row per click")');
  assert.equal(await page.inputValue('#bm-form [name="tags"]'), 'clickstream, raw');
  await noBlanks(page);
  await shot(page, 'console-asset');
  const saved = (await ok('GET', `/api/v1/assets/${clicks.id}/metadata`)).metadata;
  assert.deepEqual([saved.description, saved.tags, saved.properties], ['Raw clicks, one row per click', ['clickstream', 'raw'], { owner: 'web' }]);
  // The tags find it (GET /api/v1/assets/search?tags=), and the name
  // search lists the catalog among catalogs, namespaces and branches.
  await open(page, base, '#/search', 'Search');
  await page.fill('#tag-search [name="tags"]', 'clickstream,raw');
  await page.press('#tag-search [name="tags"]', 'Enter');
  await page.waitForSelector('#view h2:has-text("Assets tagged clickstream,raw")');
  await page.waitForSelector('#tag-results tbody tr');
  assert.deepEqual(await page.locator('#tag-results td[data-label="Name"]').allTextContents(), [clicks.name]);
  await open(page, base, '#/search?q=demo', 'Search: demo');
  await page.waitForSelector('#search-names td:text-is("Catalog")');
  assert.equal(await page.locator('#search-names a:text-is("demo")').count(), 1);
  await open(page, base, `#/assets/${clicks.id}`);
  await page.waitForSelector('#bm-form');
  // An emptied description is cleared; then the metadata deleted.
  await page.fill('#bm-form [name="description"]', '');
  await page.click('#bm-form button[type=submit]');
  await page.waitForSelector('#bm-facts dt:text-is("Description") + dd:text-is("—")');
  assert.equal((await ok('GET', `/api/v1/assets/${clicks.id}/metadata`)).metadata.description, null);
  await page.click('#business-metadata button:text-is("Delete metadata")');
  await page.waitForSelector('#bm-facts .empty:text-is("no business metadata yet")');
  assert.equal((await srv.req('GET', `/api/v1/assets/${clicks.id}/metadata`, { headers: auth })).status, 404);
});

test('the header search finds the table; a user without access requests it; an admin approves it in the browser', { skip }, async () => {
  const { page, base } = b;
  // The table's business metadata, from its explorer page: discoverable.
  await open(page, base, '#/catalogs/demo/tables/db/events', 'Table demo.db.events');
  await page.waitForSelector('#bm-form');
  await page.fill('#bm-form [name="description"]', 'Click events');
  await page.check('#bm-form [name="discoverable"]');
  await page.click('#bm-form button[type=submit]');
  await page.waitForSelector('#bm-facts dd:text-is("Click events")');
  const tableId = (await events.load()).metadata['table-uuid'];
  assert.equal((await ok('GET', `/api/v1/assets/${tableId}/metadata`)).metadata.discoverable, true);

  // Root's search: the table, readable, linked to its explorer.
  await page.fill('#search-q', 'events');
  await page.press('#search-q', 'Enter');
  const hit = page.locator(`#search-results tr[data-asset="${tableId}"]`);
  await hit.waitFor();
  assert.equal(await cell(hit, 'Type'), 'table');
  assert.equal(await cell(hit, 'Catalog'), 'demo');
  assert.equal(await cell(hit, 'Namespace'), 'db');
  assert.equal(await cell(hit, 'Access'), 'yes');
  await noBlanks(page);
  await hit.locator('a').click();
  await page.waitForSelector('#view h2:has-text("Table demo.db.events")');

  // A tenant user: finds it, cannot read it, asks.
  const u = await tenantUser('reader');
  const ctx = await b.browser.newContext({ viewport: { width: 1200, height: 900 } });
  const up = await b.newPage(ctx);
  await signIn(up, base, { user: u.username, password: PW, tenant: NIL_UUID });
  await up.fill('#search-q', 'events');
  await up.press('#search-q', 'Enter');
  const uhit = up.locator(`#search-results tr[data-asset="${tableId}"]`);
  await uhit.waitFor();
  assert.equal(await cell(uhit, 'Access'), 'no access');
  const api = await srv.req('GET', '/api/v1/search/assets?q=events', { headers: { authorization: `Bearer ${await up.evaluate(() => sessionStorage.getItem('pgl-token'))}` } });
  assert.equal(api.json.results.find((x) => x.id === tableId).has_access, false);
  await uhit.locator('a').click();
  await up.waitForSelector('#access-form');
  assert.match(await up.textContent('#no-access'), /cannot read/);
  await up.fill('#access-form [name="reason"]', 'Q3 report');
  await up.click('#access-form button[type=submit]');
  await up.waitForSelector('#access-out .badge.pending');
  await noBlanks(up);
  await shot(up, 'console-access-request');
  assert.equal(await up.locator('#access-form').count(), 0, 'the form gives way to the request');
  // Back on the page later: the pending request, not a second form.
  await up.reload();
  await up.waitForSelector('#access-out .badge.pending');
  assert.equal(await up.locator('#access-form').count(), 0);
  await up.click('#access-out a:text-is("Your access requests")');
  const mine = up.locator('#access-requests tbody tr');
  await mine.first().waitFor();
  assert.equal(await mine.count(), 1);
  const reqId = await mine.first().getAttribute('data-request');
  assert.equal(await cell(mine.first(), 'Status'), 'pending');
  assert.equal(await mine.first().locator('button').count(), 0, 'a user cannot review');

  // The admin approves with a comment.
  await open(page, base, '#/access-requests', 'Access requests');
  const row = page.locator(`#access-requests tr[data-request="${reqId}"]`);
  await row.waitFor();
  assert.equal(await cell(row, 'Reason'), 'Q3 report');
  // Ids become names once looked up.
  await row.locator('td[data-label="Asset"] code[data-id]').waitFor();
  await row.locator('td[data-label="User"] code[data-id]').waitFor();
  assert.equal(await cell(row, 'Asset'), 'demo.db.events');
  assert.equal(await cell(row, 'User'), u.username);
  await noBlanks(page);
  await row.locator('input[name="comment"]').fill('ok for Q3');
  await row.locator('button:text-is("Approve")').click();
  await row.locator('.badge.approved').waitFor();
  assert.match(await cell(row, 'Review'), /ok for Q3/);
  await shot(page, 'console-access-requests');

  const q = await ok('GET', `/api/v1/access-requests/${reqId}`);
  assert.equal(q.status, 'approved');
  assert.equal(q['review-comment'], 'ok for Q3');
  assert.equal(q['asset-id'], tableId);
  await up.reload();
  await up.locator(`#access-requests tr[data-request="${reqId}"] .badge.approved`).waitFor();
  // Approved: the user now reads the table, in the explorer.
  await up.goto(`${base}/ui/#/assets/${tableId}`);
  await up.waitForSelector('#view a:text-is("Open in the table explorer")');
  assert.equal(await up.locator('#access-form').count(), 0);
  await up.click('#view a:text-is("Open in the table explorer")');
  await up.waitForSelector('#snapshots tbody tr');

  // A second request, rejected; a third, reviewed elsewhere meanwhile: the 409 on its row.
  const view = (await ok('GET', '/api/v1/catalogs/demo/namespaces/db/assets')).find((a) => a.name === 'risky');
  await ok('POST', `/api/v1/assets/${view.id}/metadata`, { tags: [], properties: {}, discoverable: true });
  await up.goto(`${base}/ui/#/assets/${view.id}`);
  await up.fill('#access-form [name="reason"]', 'curious');
  await up.click('#access-form button[type=submit]');
  await up.waitForSelector('#access-out .badge.pending');
  const second = (await ok('GET', '/api/v1/access-requests')).find((x) => x['asset-id'] === view.id && x.status === 'pending');
  await page.reload();	// already on the list: a fresh one
  const row2 = page.locator(`#access-requests tr[data-request="${second.id}"]`);
  await row2.locator('input[name="comment"]').fill('not this one');
  await row2.locator('button:text-is("Reject")').click();
  await row2.locator('.badge.rejected').waitFor();
  assert.equal((await ok('GET', `/api/v1/access-requests/${second.id}`)).status, 'rejected');
  const token = await up.evaluate(() => sessionStorage.getItem('pgl-token'));
  const third = await ok('POST', `/api/v1/assets/${view.id}/access-requests`, { reason: 'again' }, { authorization: `Bearer ${token}` });
  await page.reload();
  const row3 = page.locator(`#access-requests tr[data-request="${third.id}"]`);
  await row3.locator('button:text-is("Approve")').waitFor();
  await ok('PUT', `/api/v1/access-requests/${third.id}`, { status: 'rejected' });
  await row3.locator('button:text-is("Approve")').click();
  assert.match(await row3.locator('.review-error [role=alert]').textContent(), /409 .*already reviewed/);
  await ctx.close();
});

test('360 px: the explorer, the view, the search, browse, an asset and the requests scroll no page sideways', { skip }, async () => {
  const { page, base } = b;
  const tableId = (await events.load()).metadata['table-uuid'];
  await page.setViewportSize({ width: 360, height: 740 });
  try {
    for (const [hash, ready] of [[`#/assets/${tableId}`, '#bm-form'], ['#/catalogs/demo/browse', '#view td a'],['#/catalogs/demo/tables/db/events', '#snapshots tbody tr'], ['#/catalogs/demo/views/db/risky', 'pre.sql'],
      ['#/search?q=events', '#search-results tbody tr'], ['#/catalogs/demo/browse/db', '#asset-list tbody tr'], ['#/access-requests', '#access-requests tbody tr']]) {
      await page.goto(`${base}/ui/${hash}`);
      await page.waitForSelector(ready);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 360, `${hash}: scrollWidth ${width}`);
    }
    await page.goto(`${base}/ui/#/catalogs/demo/tables/db/events`);
    await page.waitForSelector('#snapshots tbody tr');
    await shot(page, 'console-table-explorer-360');
  } finally {
    await page.setViewportSize({ width: 1400, height: 900 });
  }
  assertClean(b);
});
