// The browsable API (issue 26, deliverable 8): the OpenAPI document at
// /openapi.json (and /api/v1/openapi.json) and the page at /api/docs.
//
// The document cannot drift from the server: it is docs/openapi/
// management.yaml merged with the Iceberg REST spec we implement
// (docs/openapi/iceberg-rest-catalog-open-api.yaml; src/tools/
// openapi_json.mjs), every route the server lists (`pangolin
// --list-routes`, its own route table) is described by it (PyIceberg's
// doubled-prefix aliases by their Iceberg originals), and every route it
// describes is served, but for the short list of routes being built in
// other branches.  Every management answer of every integration test is
// checked against management.yaml (lib/server.js,
// lib/management_openapi.js), every /v1 answer against the Iceberg spec
// (lib/openapi.js).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { REPO, runBinary, startServer, STORE } from './lib/server.js';
import { allOperations, doc, documented, MANAGEMENT_SPEC, PAGE_ROUTES, routeKey } from './lib/management_openapi.js';
import { operationFor, SPEC_PATH } from './lib/openapi.js';
import { expectError } from './lib/expect.js';
import { buildDocument } from '../../src/tools/openapi_json.mjs';

/** The document the server serves, built from its two sources as make builds it. */
const served = buildDocument(MANAGEMENT_SPEC, SPEC_PATH);
const METHODS = ['get', 'put', 'post', 'delete', 'head', 'patch'];
const servedOperations = Object.entries(served.paths).flatMap(([p, item]) =>
  METHODS.filter((m) => item[m]).map((m) => ({ method: m.toUpperCase(), path: p, op: item[m] })));

// Routes the document lists before the server serves them (none today):
// a route documented ahead of its handler goes here, marked *being built*
// in its summary, and leaves when it is served (the test below says so).
const BEING_BUILT = new Set([]);

/** The server's routes, as it lists them. */
function servedRoutes() {
  const r = runBinary(['--list-routes']);
  assert.equal(r.code, 0, r.stderr);
  const routes = r.stdout.trim().split('\n').map((l) => {
    const [method, template] = l.split(' ');
    return { method, template };
  });
  assert.ok(routes.length >= 100, `listed ${routes.length} routes`);
  return routes;
}

const concrete = (template) => template.replace(/\{[^}]*\}/g, 'x');
const inIcebergSpec = (r) => r.template.startsWith('/v1/') && operationFor(r.method, concrete(r.template)) !== null;
const documentedKeys = new Set(allOperations().map((o) => routeKey(o.method, o.path)));

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

test('every route the server serves is described: by the Iceberg REST spec or by the management document', () => {
  const missing = [];
  for (const r of servedRoutes()) {
    const key = routeKey(r.method, r.template);
    if (PAGE_ROUTES.has(key) || inIcebergSpec(r)) continue;
    if (!documentedKeys.has(key)) missing.push(`${r.method} ${r.template}`);
  }
  assert.deepEqual(missing, [], `routes missing from ${path.relative(REPO, MANAGEMENT_SPEC)}`);
});

// Issue 67: the served document had only the management document, so a
// client generated from it lacked register, plan, sign and every other
// Iceberg route's bodies.
test('the served document describes every route served, the Iceberg ones with their bodies, and only routes served', () => {
  const keys = new Set(servedOperations.map((o) => routeKey(o.method, o.path)));
  const ids = new Set(servedOperations.map((o) => o.op.operationId));
  const servedKeys = new Set();
  const missing = [];
  for (const r of servedRoutes()) {
    const key = routeKey(r.method, r.template);
    servedKeys.add(key);
    if (PAGE_ROUTES.has(key) || keys.has(key)) continue;
    // An alias of an Iceberg route (PyIceberg's doubled prefix, the
    // prefixed config) is described by the operation it stands for.
    const id = r.template.startsWith('/v1/') ? operationFor(r.method, concrete(r.template)) : null;
    if (id === null || !ids.has(id)) missing.push(key);
  }
  assert.deepEqual(missing, [], 'served routes the served document lacks');
  const unserved = [...keys].filter((k) => !servedKeys.has(k) && !BEING_BUILT.has(k));
  assert.deepEqual(unserved, [], 'described routes the server does not serve (src/tools/openapi_json.mjs NOT_SERVED)');
  const body = (m, p) => served.paths[p][m].requestBody?.content?.['application/json']?.schema?.$ref;
  const T = '/v1/{prefix}/namespaces/{namespace}';
  assert.equal(body('post', `${T}/register`), '#/components/schemas/RegisterTableRequest');
  assert.equal(body('post', `${T}/tables/{table}/plan`), '#/components/schemas/PlanTableScanRequest');
  assert.ok(body('post', `${T}/tables/{table}/sign`), 'the remote signing request has its body');
  assert.ok(served.paths[`${T}/tables/{table}/unregister`].post, 'unregister');
  assert.ok(served.paths[`${T}/tables/{table}/credentials`].get.responses['200'], 'credentials');
  assert.ok(served.paths[`${T}/tables/{table}/presign`].get, 'presign (ours)');
  assert.ok(served.paths[`${T}/tables/{table}/maintenance`].post.requestBody, 'maintenance (ours)');
  // Every $ref resolves, in both documents' parts.
  const dangling = [];
  const walk = (n) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (n === null || typeof n !== 'object') return;
    for (const [k, v] of Object.entries(n)) {
      if (k === '$ref' && typeof v === 'string') {
        let t = served;
        for (const part of v.replace(/^#\//, '').split('/')) t = t?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
        if (t === undefined) dangling.push(v);
      } else walk(v);
    }
  };
  walk(served);
  assert.deepEqual([...new Set(dangling)], []);
});

test('every route the management document describes is served, but the few being built elsewhere', () => {
  const served = new Set(servedRoutes().map((r) => routeKey(r.method, r.template)));
  const unserved = [];
  const nowServed = [];
  for (const o of allOperations()) {
    const key = routeKey(o.method, o.path);
    if (BEING_BUILT.has(key)) {
      if (served.has(key)) nowServed.push(key);
    } else if (!served.has(key)) {
      unserved.push(key);
    }
  }
  assert.deepEqual(unserved, [], 'documented routes the server does not serve');
  assert.deepEqual(nowServed, [], 'served now: take these off BEING_BUILT in this test');
  for (const key of BEING_BUILT) assert.ok(documentedKeys.has(key), `${key} is on BEING_BUILT but not documented`);
});

test('the document describes no route twice and no route the Iceberg spec owns', () => {
  const keys = allOperations().map((o) => routeKey(o.method, o.path));
  assert.equal(new Set(keys).size, keys.length);
  for (const o of allOperations()) {
    if (o.path.startsWith('/v1/')) {
      assert.equal(operationFor(o.method, concrete(o.path)), null, `${o.method} ${o.path} is the Iceberg spec's`);
    }
  }
});

test('every operation has a tag the document lists, a summary, and its routes being built say so', () => {
  const tags = new Set(served.tags.map((t) => t.name));
  for (const o of servedOperations) assert.ok(o.op.tags?.length && o.op.tags.every((t) => tags.has(t)), `${o.op.operationId} tags ${o.op.tags}`);
  for (const o of allOperations()) {
    const op = doc.paths[o.path][o.method.toLowerCase()];
    assert.ok(op.summary, `${o.operationId} has no summary`);
    assert.ok(op.tags?.length && op.tags.every((t) => tags.has(t)), `${o.operationId} tags ${op.tags}`);
    const key = routeKey(o.method, o.path);
    assert.equal(/being built/i.test(op.summary), BEING_BUILT.has(key), `${key}: "being built" in its summary iff on BEING_BUILT`);
  }
});

test('GET /openapi.json is the YAML sources merged as JSON, public, and /api/v1/openapi.json and the reference\'s path serve the same', async () => {
  const r = await srv.req('GET', '/openapi.json', { headers: { authorization: 'Bearer not-a-token' } });
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^application\/json/);
  assert.deepEqual(r.json, served, 'the binary embeds docs/openapi/ as it is now (make rebuilds it)');
  assert.equal(r.json.openapi, '3.1.0');
  assert.equal(r.json.info.version, fs.readFileSync(path.join(REPO, 'VERSION'), 'utf8').trim(), 'info.version is the release');
  for (const p of ['/api/v1/openapi.json', '/api-docs/openapi.json']) {
    const alias = await srv.req('GET', p);
    assert.equal(alias.status, 200, p);
    assert.equal(alias.text, r.text, p);
  }
  const moved = await srv.req('GET', '/swagger-ui');
  assert.equal(moved.status, 302);
  assert.equal(moved.headers.location, '/api/docs');
  const movedFile = await srv.req('GET', '/swagger-ui/index.html');
  assert.equal(movedFile.status, 302);
  assert.equal(movedFile.headers.location, '/api/docs');
});

test('the document\'s own operations check as any other: an undeclared success or a body off its schema fails', async () => {
  const { checkManagement } = await import('./lib/management_openapi.js');
  const json = (status, body) => ({ status, headers: { 'content-type': 'application/json' }, text: JSON.stringify(body), json: body });
  assert.throws(() => checkManagement('GET', '/api/v1/tenants/00000000-0000-0000-0000-000000000000', json(200, { id: 'x', name: 'n' })), /does not match/);
  assert.throws(() => checkManagement('GET', '/api/v1/tenants', json(202, [])), /does not declare status 202/);
  assert.throws(() => checkManagement('GET', '/api/v1/no-such-route', json(200, {})), /does not describe/);
  assert.throws(() => checkManagement('GET', '/api/v1/tenants', json(500, { message: 'x' })), /not an error of the route's shape/);
  assert.throws(() => checkManagement('DELETE', '/api/v1/tenants/x', { status: 204, headers: {}, text: '{}', json: {} }), /declares no content/);
  assert.equal(checkManagement('GET', '/api/v1/tenants', json(403, { error: 'Forbidden', hint: 'extra keys are allowed' })), 'listTenants');
  assert.equal(documented('GET', '/v1/demo/namespaces/db/tables/t/presign?location=s3://b/k').operationId, 'presignTableObject');
});

test('GET /api/docs is the page: its files compiled in, under a strict CSP that allows only data: images beyond the admin page\'s', async () => {
  const page = await srv.req('GET', '/api/docs');
  assert.equal(page.status, 200);
  assert.match(page.headers['content-type'], /^text\/html/);
  assert.equal(page.text, fs.readFileSync(path.join(REPO, 'assets/api-docs/index.html'), 'utf8'));
  const csp = page.headers['content-security-policy'];
  assert.equal(csp, "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  assert.doesNotMatch(page.text, /<script>|<style|\sstyle=|\son[a-z]+=/i, 'nothing inline');
  const swagger = path.join(REPO, 'assets/api-docs/node_modules/swagger-ui-dist');
  for (const [file, type, src] of [
    ['docs.js', /^text\/javascript/, 'assets/api-docs/docs.js'],
    ['docs.css', /^text\/css/, 'assets/api-docs/docs.css'],
    ['swagger-ui-bundle.js', /^text\/javascript/, path.join(swagger, 'swagger-ui-bundle.js')],
    ['swagger-ui.css', /^text\/css/, path.join(swagger, 'swagger-ui.css')],
  ]) {
    const r = await srv.req('GET', `/api/docs/${file}`);
    assert.equal(r.status, 200, file);
    assert.match(r.headers['content-type'], type, file);
    assert.equal(r.headers['content-security-policy'], csp, file);
    assert.equal(r.text, fs.readFileSync(path.resolve(REPO, src), 'utf8'), `${file} is the file it was built from`);
  }
  // The viewer's large files go gzip'd to a client that takes gzip.
  for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css']) {
    const r = await fetch(`http://127.0.0.1:${srv.port}/api/docs/${file}`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(r.headers.get('content-encoding'), 'gzip', file);
    assert.equal(r.headers.get('vary'), 'Accept-Encoding');
    assert.ok(Number(r.headers.get('content-length')) < fs.statSync(path.join(swagger, file)).size / 2, `${file} compressed`);
    assert.equal(await r.text(), fs.readFileSync(path.join(swagger, file), 'utf8'));
    const plain = await srv.req('GET', `/api/docs/${file}`);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.headers.vary, 'Accept-Encoding');
  }
  for (const p of ['/api/docs/nope.js', '/api/docs/..%2F..%2Fetc%2Fpasswd', '/api/docs/index.html%2F', '/api/docs/a/b',
    '/api/docs/swagger-ui-bundle.js.gz']) {
    expectError(await srv.req('GET', p), 404);
  }
  // swagger-ui-dist is pinned by the page's lock file, never committed.
  const lock = JSON.parse(fs.readFileSync(path.join(REPO, 'assets/api-docs/package-lock.json'), 'utf8'));
  assert.match(lock.packages['node_modules/swagger-ui-dist'].version, /^\d+\.\d+\.\d+$/);
  assert.equal(JSON.parse(fs.readFileSync(path.join(swagger, 'package.json'), 'utf8')).version,
    lock.packages['node_modules/swagger-ui-dist'].version);
});

// ---- the page in a real browser (Debian chromium + playwright-core) ----

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(REPO, 'build', 'ui-artifacts');
const browserSkip = !fs.existsSync(CHROMIUM) ? `${CHROMIUM} missing (apt-get install chromium)`
  : STORE !== 'sqlite' ? 'one store is enough for the page (run with PGL_STORE=sqlite)' : false;

// One Chromium for the file (a launch is seconds of a loaded machine's
// CPU), a fresh page for each test.
let browser;
async function newPage() {
  if (!browser) {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }
  return browser.newPage({ viewport: { width: 1400, height: 900 } });
}
after(async () => { await browser?.close(); });

/*
 * What the page lists, read by scrolling it from top to bottom: Swagger UI
 * renders a list of 150 items (tags and operations) or more as a
 * virtual list, only what is in view and a few around it, so the blocks
 * are in the document only once scrolled to.  Each step waits two frames
 * (the list renders what came into view on the scroll's frame).  Returns
 * { ops: ids of the operation blocks, tags: the tag headers, open: the
 * blocks seen expanded }, once every one of `want` operations was seen or
 * the page's end was reached.
 */
async function scrollList(page, want) {
  const ops = new Set();
  const tags = new Set();
  let open = 0;
  await page.evaluate(() => window.scrollTo(0, 0));
  for (let i = 0; i < 1000 && ops.size < want; i++) {
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const seen = await page.evaluate(() => ({
      ops: [...document.querySelectorAll('.opblock')].map((e) => e.id),
      tags: [...document.querySelectorAll('h3.opblock-tag')].map((e) => e.getAttribute('data-tag')),
      open: document.querySelectorAll('.opblock.is-open').length,
      end: window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 1,
    }));
    seen.ops.forEach((o) => ops.add(o));
    seen.tags.forEach((t) => tags.add(t));
    open += seen.open;
    if (seen.end) break;
    await page.evaluate(() => window.scrollBy(0, Math.floor(window.innerHeight * 0.6)));
  }
  return { ops, tags, open };
}

test('in Chromium the page opens with every operation listed under its tag, before any click', { skip: browserSkip }, async () => {
  const page = await newPage();
  try {
    await page.goto(`http://127.0.0.1:${srv.port}/api/docs`);
    await page.waitForSelector('h3.opblock-tag', { timeout: 20000 });
    const used = new Set(servedOperations.flatMap((o) => o.op.tags ?? []));
    // Collapsed sections list no blocks: every operation seen means every
    // section is open.
    const want = servedOperations.length;
    const { ops, tags, open } = await scrollList(page, want);
    assert.deepEqual([...tags].sort(), [...used].sort(), 'one header per tag the operations use');
    assert.equal(ops.size, want, `${ops.size} of ${want} operations shown without a click`);
    // Listed, not expanded: each operation shows its summary line only.
    assert.equal(open, 0);
  } finally {
    await page.close();
  }
});

test('in Chromium the page lists every operation and expands one, with no CSP violation and no request elsewhere', { skip: browserSkip }, async () => {
  const page = await newPage();
  try {
    const consoleLines = [];
    const requests = [];
    page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
    page.on('request', (rq) => requests.push(rq.url()));
    const base = `http://127.0.0.1:${srv.port}`;
    await page.goto(`${base}/api/docs`);
    await page.waitForSelector('h3.opblock-tag', { timeout: 20000 });
    assert.match(await page.locator('.info .title').innerText(), /Pangolin API/);
    // Every tag's section is open from the start: one block per operation.
    const { ops } = await scrollList(page, servedOperations.length);
    assert.equal(ops.size, servedOperations.length);
    // One operation opened: its body, parameters and responses render.
    // The last section's last (the Iceberg spec's registerView): in view
    // once the page was scrolled to its end.
    const last = servedOperations.filter((o) => o.op.tags[0] === served.tags.at(-1).name).at(-1).op;
    const block = page.locator(`#operations-${served.tags.at(-1).name.replace(/ /g, '_')}-${last.operationId}`);
    await block.scrollIntoViewIfNeeded({ timeout: 10000 });
    await block.locator('.opblock-summary').click();
    await block.locator('.responses-wrapper').waitFor({ timeout: 10000 });
    assert.match(await block.innerText(), /metadata-location/, `${last.operationId}: its request body`);
    // The schemas section renders too (3.1 schemas as JSON Schema 2020-12).
    await page.locator('.models-control').click();
    await page.locator('section.models.is-open [data-json-schema-level]').first().waitFor({ timeout: 10000 });
    const schemas = await page.locator('section.models').innerText();
    // A long list, rendered as it comes into view: its first ones.
    for (const name of Object.keys(served.components.schemas).slice(0, 4)) assert.match(schemas, new RegExp(name));
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(ARTIFACTS, 'api-docs.png'), fullPage: false });
    const violations = consoleLines.filter((l) => /Content Security Policy|Refused to|violates/i.test(l));
    assert.deepEqual(violations, [], consoleLines.join('\n'));
    assert.deepEqual(consoleLines.filter((l) => /^(error|pageerror)/.test(l)), []);
    assert.deepEqual(requests.filter((u) => !u.startsWith(base) && !u.startsWith('data:')), [], 'nothing leaves the server');
  } finally {
    await page.close();
  }
});
