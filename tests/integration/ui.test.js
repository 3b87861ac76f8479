// The admin page under /ui: compiled-in assets, public, never a file
// outside the asset table.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { basic, NIL_UUID, REPO, ROOT_PASSWORD, ROOT_USER, STORE, startServer, tmpDir } from './lib/server.js';
import { expectError } from './lib/expect.js';
import { createTable } from './lib/iceberg_data.js';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

const asset = (name) => fs.readFileSync(path.join(REPO, 'assets', name), 'utf8');

test('GET /ui serves index.html as text/html with nosniff and a same-origin CSP', async () => {
  for (const p of ['/ui', '/ui/', '/ui/index.html']) {
    const r = await srv.req('GET', p);
    assert.equal(r.status, 200, p);
    assert.match(r.headers['content-type'], /^text\/html/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.match(r.headers['content-security-policy'] ?? '', /default-src 'self'/);
    assert.equal(r.text, asset('index.html'));
    assert.ok(r.headers['x-request-id']);
  }
});

test('the page\'s scripts and styles are served with their content types', async () => {
  const js = await srv.req('GET', '/ui/app.js');
  assert.equal(js.status, 200);
  assert.match(js.headers['content-type'], /^text\/javascript/);
  assert.equal(js.text, asset('app.js'));
  const css = await srv.req('GET', '/ui/style.css');
  assert.equal(css.status, 200);
  assert.match(css.headers['content-type'], /^text\/css/);
  assert.equal(css.text, asset('style.css'));
});

test('an unknown asset, or a path that tries to leave the asset table, is 404 JSON', async () => {
  for (const p of ['/ui/nope.js', '/ui/..%2F..%2Fetc%2Fpasswd', '/ui/%2Fetc%2Fpasswd', '/ui/..%2Fkore.conf', '/ui/app.js%2F']) {
    expectError(await srv.req('GET', p), 404);
  }
  expectError(await srv.req('GET', '/ui/a/b'), 404);
});

test('HEAD /ui answers like GET without a body; POST is 405', async () => {
  const h = await srv.req('HEAD', '/ui/app.js');
  assert.equal(h.status, 200);
  assert.equal(h.text, '');
  expectError(await srv.req('POST', '/ui', { body: {} }), 405);
});

// ---- the page in a real browser (Debian chromium + playwright-core) ----
//
// A server with auth on (root signs in with a password), the [defaults]
// warehouse and catalog `demo`, a namespace, a table, a branch and a tag;
// no task runners, so tasks the test writes into the SQLite store stay as
// written.  Screenshots go to build/ui-artifacts/ (under .gitignore).

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(REPO, 'build', 'ui-artifacts');
const browserSkip = STORE !== 'sqlite' ? 'SQLite store only: the test writes tasks into the store file (run with PGL_STORE=sqlite)'
  : !fs.existsSync(CHROMIUM) ? `${CHROMIUM} missing (apt-get install chromium)` : false;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const auth = { authorization: basic() };

function sql(db, q) {
  const r = spawnSync('sqlite3', [db, q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

/** A task row as the runners write them (tasks table of the SQLite migrations). */
function insertTask(db, { id, status, done = 0, total = 0, phase = null, message = null, started = 0 }) {
  const q = (v) => (v == null ? 'NULL' : `'${String(v).replace(/'/g, "''")}'`);
  const now = Date.now();
  sql(db, `INSERT INTO tasks VALUES(${q(id)},${q(NIL_UUID)},'maintenance',${q(status)},'demo','main','db','orders',` +
    `'{"operations":["expire_snapshots"]}',${done},${total},${q(phase)},${q(message)},NULL,NULL,0,3,'root',NULL,0,0,0,` +
    `${now},${started},0,${now})`);
}

async function newPage(ctx, b) {
  const page = await ctx.newPage();
  page.on('request', (rq) => b.requests.push(rq.url()));
  page.on('console', (m) => b.console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => b.console.push(`pageerror: ${e.message}`));
  return page;
}

let web;	// { srv, browser, ctx, page, requests, console, base }
before(async () => {
  if (browserSkip) return;
  const { chromium } = await import('playwright-core');
  const dir = tmpDir('pgl-ui');
  const wsrv = await startServer({ store: 'sqlite', dir, noAuth: false, root: true,
    env: { TASK_WORKER_ENABLED: 'false' },
    extra: ['[defaults]', 'warehouse = "wh"', `warehouse_root = ${JSON.stringify(path.join(dir, 'warehouse'))}`,
      'catalog = "demo"'].join('\n') });
  const ok = async (m, p, body, status) => {
    const r = await wsrv.req(m, p, { body, headers: auth });
    assert.equal(r.status, status, `${m} ${p}: ${r.status} ${r.text}`);
    return r.json;
  };
  await ok('POST', '/v1/demo/namespaces', { namespace: ['db'] }, 200);
  await ok('POST', '/v1/demo/namespaces/db/tables', { name: 'orders', schema: { type: 'struct', 'schema-id': 0,
    fields: [{ id: 1, name: 'id', required: true, type: 'long' }] } }, 200);
  await ok('POST', '/api/v1/branches', { name: 'dev', catalog: 'demo' }, 201);
  const main = await ok('GET', '/api/v1/branches/main?catalog=demo', undefined, 200);
  await ok('POST', '/api/v1/tags', { name: 'v1', commit_id: main.head_commit_id, catalog: 'demo' }, 200);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  web = { srv: wsrv, browser, ctx, requests: [], console: [], base: `http://127.0.0.1:${wsrv.port}` };
  web.page = await newPage(ctx, web);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
});
after(async () => {
  await web?.browser.close();
  await web?.srv.stop();
});

test('in a browser: sign in with a password, then every section; strict CSP, no violation, nothing fetched from elsewhere', { skip: browserSkip }, async () => {
  const { page, base } = web;
  const res = await page.goto(`${base}/ui/`);
  const csp = res.headers()['content-security-policy'];
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /style-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);

  // A wrong password is shown, not swallowed.
  await page.fill('#l-user', ROOT_USER);
  await page.fill('#l-pass', 'wrong');
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#error:not([hidden])');
  assert.match(await page.textContent('#error'), /401/);

  await page.fill('#l-pass', ROOT_PASSWORD);
  await page.press('#l-pass', 'Enter');	// by keyboard
  await page.waitForSelector('#who:has-text("root")');
  await page.waitForSelector('#home-stats');	// home is the first page

  await page.click('nav a[href="#/tenants"]');
  await page.waitForSelector('#view td:has-text("default"), #view .error, #view .empty');
  // (A form's error line is there, hidden, until it has something to say.)
  assert.equal(await page.locator('#view .error:not([hidden])').count(), 0, await page.textContent('#view'));

  await page.click('nav a[href="#/warehouses"]');
  await page.waitForSelector('#view td:has-text("wh")');

  // Keyboard: focus a nav link and press Enter.
  await page.focus('nav a[href="#/catalogs"]');
  await page.keyboard.press('Enter');
  const row = page.locator('#view tr', { hasText: 'demo' });
  await row.waitFor();
  const cells = await row.locator('td').allTextContents();
  const sum = (await web.srv.req('GET', '/api/v1/catalogs/demo/summary', { headers: auth })).json;
  assert.deepEqual(cells.slice(0, 5), ['demo', 'wh', String(sum.namespace_count), String(sum.table_count), '2'],
    'name, warehouse, namespaces, tables, branches (main, dev)');

  await page.click('#view a:text-is("demo")');
  // Tables are listed on their namespace's page, a click away.
  await page.waitForSelector('#namespace-list a:text-is("db")');
  await page.click('#namespace-list a:text-is("db")');
  await page.waitForSelector('#view a:text-is("db.orders")');
  await page.goBack();
  await page.waitForSelector('#branch-list td a:text-is("dev")');
  assert.ok(await page.locator('#view td a:text-is("dev")').count() === 1, 'branch dev listed');
  assert.ok(await page.locator('#view td:text-is("v1")').count() === 1, 'tag v1 listed');
  await page.click('#view td a:text-is("main")');
  await page.waitForSelector('h2:has-text("Branch main of demo")');
  // The commits arrive after the heading: wait for the list (or its error).
  await page.waitForSelector('#view tbody tr, #view .error, #view .empty');
  assert.ok(await page.locator('#view tbody tr').count() >= 1, 'main has commits');

  // Merges: the routes are not on every build; the API's answer is shown
  // as an error, never as an empty list.
  await page.click('nav a[href="#/merges"]');
  await page.waitForSelector('section[data-merges="demo"] table, section[data-merges="demo"] .error, section[data-merges="demo"] .empty');
  const probe = await web.srv.req('GET', '/api/v1/catalogs/demo/merge-operations', { headers: auth });
  if (probe.status !== 200)
    assert.match(await page.textContent('section[data-merges="demo"] .error'), new RegExp(`${probe.status}`));

  // The table page's maintenance form.
  await page.goto(`${base}/ui/#/catalogs/demo/tables/db/orders`);
  await page.waitForSelector('#maint-form');
  assert.equal(await page.locator('#maint-form label:has-text("Retain last")').count(), 1);

  const outside = web.requests.filter((u) => !u.startsWith(`${base}/`));
  assert.deepEqual(outside, [], 'the page requests nothing outside the server');
  const csperr = web.console.filter((m) => /Content Security Policy|pageerror/i.test(m));
  assert.deepEqual(csperr, [], 'no CSP violation, no script error');
});

test('in a browser: sign in by pasting a token; sign out returns to the form', { skip: browserSkip }, async () => {
  const login = await web.srv.req('POST', '/api/v1/users/login', { body: { username: ROOT_USER, password: ROOT_PASSWORD } });
  assert.equal(login.status, 200, login.text);
  const page = await newPage(web.ctx, web);
  try {
    await page.goto(`${web.base}/ui/`);
    await page.fill('#l-token', 'not-a-token');
    await page.press('#l-token', 'Enter');
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await page.textContent('#error'), /401/);
    await page.fill('#l-token', login.json.token);
    await page.click('#token-form button[type=submit]');
    await page.waitForSelector('#who:has-text("root")');
    await page.waitForSelector('#home-stats');
    await page.click('#signout');
    await page.waitForSelector('#login-form');
    assert.equal(await page.isVisible('nav'), false);
  } finally {
    await page.close();
  }
});

test('in a browser: the CSP is enforced (an injected inline script does not run and is reported)', { skip: browserSkip }, async () => {
  const page = await newPage(web.ctx, web);
  await page.goto(`${web.base}/ui/#/tasks`);
  await page.waitForSelector('#view h2');
  const ran = await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__inline = 1';
    document.body.append(s);
    return window.__inline === 1;
  });
  assert.equal(ran, false);
  for (let i = 0; i < 50 && !web.console.some((m) => /Content Security Policy/.test(m)); i++) await sleep(20);
  assert.ok(web.console.some((m) => /Content Security Policy/.test(m)), 'the violation reaches the console');
  web.console.length = 0;
  await page.close();
});

test('in a browser: the task list refreshes itself, a bar moves to its final value, the detail shows the result, a queued task is cancelled', { skip: browserSkip }, async () => {
  const { page, base } = web;
  const db = web.srv.dbPath;
  insertTask(db, { id: 'aaaaaaaa-0000-4000-8000-000000000001', status: 'queued' });
  insertTask(db, { id: 'bbbbbbbb-0000-4000-8000-000000000002', status: 'running', total: 10, phase: 'expire', started: Date.now() - 3000 });
  await page.goto(`${base}/ui/#/tasks`);
  const run = page.locator('tr[data-task="bbbbbbbb-0000-4000-8000-000000000002"]');
  await run.waitFor();
  assert.equal(await run.locator('td').first().textContent(), 'bbbbbbbb');
  assert.match(await run.textContent(), /demo\.db\.orders@main/);
  assert.equal(await run.locator('progress').getAttribute('value'), '0');
  assert.equal(await run.locator('progress').getAttribute('max'), '10');
  assert.equal(await run.locator('button:has-text("Cancel")').count(), 1, 'a running task has a cancel button');

  // The runner's progress (written here) reaches the page without a reload.
  sql(db, "UPDATE tasks SET progress_done = 4, message = '4 of 10 snapshots' WHERE id LIKE 'bbbbbbbb%'");
  await run.locator('.bar .label:has-text("4/10 · expire · 4 of 10 snapshots")').waitFor({ timeout: 5000 });
  assert.equal(await run.locator('progress').getAttribute('value'), '4');
  await page.screenshot({ path: path.join(ARTIFACTS, 'tasks-1400.png'), fullPage: true });

  sql(db, `UPDATE tasks SET progress_done = 10, status = 'succeeded', phase = 'done', message = 'expired 10 snapshots', ` +
    `result = '{"expired_snapshots":10}', finished_at = ${Date.now()} WHERE id LIKE 'bbbbbbbb%'`);
  await run.locator('.badge.succeeded').waitFor({ timeout: 5000 });
  assert.equal(await run.locator('progress').getAttribute('value'), '10', 'a finished task keeps its final bar');
  assert.equal(await run.locator('button').count(), 0, 'no cancel button once ended');

  await run.locator('a').first().click();
  await page.waitForSelector('#task-result:has-text("expired_snapshots")');
  assert.equal(await page.locator('#task-detail progress').getAttribute('value'), '10');

  await page.click('a:text-is("All tasks")');
  const q = page.locator('tr[data-task="aaaaaaaa-0000-4000-8000-000000000001"]');
  await q.locator('.badge.queued').waitFor();
  await q.locator('button', { hasText: 'Cancel' }).click();
  await q.locator('.badge.cancelled').waitFor({ timeout: 5000 });
  assert.equal(sql(db, "SELECT status FROM tasks WHERE id LIKE 'aaaaaaaa%'"), 'cancelled');

  // Cancelling a task that has ended is the API's 409, shown on the page.
  insertTask(db, { id: 'cccccccc-0000-4000-8000-000000000003', status: 'running', total: 2, started: Date.now() });
  const c = page.locator('tr[data-task="cccccccc-0000-4000-8000-000000000003"]');
  await c.waitFor();
  // Slow the refresh (the tab looks hidden) while the row goes out of date.
  await page.evaluate(() => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  // The refresh already scheduled (at the visible pace) still runs once:
  // let it pass before the row goes out of date, or on a loaded machine
  // it lands between the update and the click and takes the button away.
  await sleep(1500);
  sql(db, `UPDATE tasks SET status = 'failed', error = 'disk full', finished_at = ${Date.now()} WHERE id LIKE 'cccccccc%'`);
  await c.locator('button', { hasText: 'Cancel' }).click();
  await page.waitForSelector('#error:not([hidden])');
  assert.match(await page.textContent('#error'), /409/);
  await page.evaluate(() => { delete document.hidden; document.dispatchEvent(new Event('visibilitychange')); });
  await c.locator('.badge.failed').waitFor({ timeout: 5000 });

  // 360 px: nothing wider than the screen.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(`${base}/ui/#/tasks`);
  await run.waitFor();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `page is ${width} px wide at a 360 px viewport`);
  await page.screenshot({ path: path.join(ARTIFACTS, 'tasks-360.png'), fullPage: true });
  await page.goto(`${base}/ui/#/catalogs/demo`);
  await page.waitForSelector('#view h3:text-is("Merge operations")');
  await page.waitForSelector('#namespace-list a:text-is("db")');
  assert.equal(await page.locator('#namespace-list a:text-is("db")').count(), 1, await page.textContent('#view'));
  await page.screenshot({ path: path.join(ARTIFACTS, 'catalog-360.png'), fullPage: true });
  await page.goto(`${base}/ui/#/catalogs/demo/namespaces/db`);
  await page.waitForSelector('#view a:text-is("db.orders")');
  const nsWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(nsWidth <= 360, `the namespace page is ${nsWidth} px wide at a 360 px viewport`);
  await page.screenshot({ path: path.join(ARTIFACTS, 'namespace-360.png'), fullPage: true });
  await page.setViewportSize({ width: 1400, height: 900 });

  assert.deepEqual(web.requests.filter((u) => !u.startsWith(`${web.base}/`)), []);
  assert.deepEqual(web.console.filter((m) => /Content Security Policy|pageerror/i.test(m)), []);
});

test('in a browser: polling slows down while the tab is hidden', { skip: browserSkip }, async () => {
  const { page } = web;	// signed in (the token is per tab)
  await page.goto(`${web.base}/ui/#/tasks`);
  await page.waitForSelector('#task-list table');
  const count = () => web.requests.filter((u) => u.includes('/api/v1/tasks?')).length;
  // Visible: a refresh a second after the last one's answer, so two come
  // well before the hidden pace's 15 s would allow two (counted as they
  // are sent; a slow answer on a loaded machine only spaces them out).
  let n = count();
  for (let waited = 0; count() - n < 2 && waited < 10000; waited += 100) await sleep(100);
  assert.ok(count() - n >= 2, `visible: ${count() - n} refreshes in 10 s`);
  await page.evaluate(() => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await sleep(2000);	// the refresh already scheduled (1 s) may still be sent
  n = count();
  await sleep(3000);
  assert.ok(count() - n <= 0, `hidden: ${count() - n} refreshes in 3 s`);
  await page.reload();
});

test('in a browser, no-auth mode signs in by itself', { skip: !fs.existsSync(CHROMIUM) && `${CHROMIUM} missing` }, async () => {
  // The file's browser when it started one (a context of its own: none
  // of its tabs' tokens), else one for this test.
  const { chromium } = await import('playwright-core');
  const own = web ? null : await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const ctx = await (web?.browser ?? own).newContext();
  try {
    const page = await ctx.newPage();
    await page.goto(`http://127.0.0.1:${srv.port}/ui/`);
    await page.waitForSelector('#who:has-text("no-auth mode")');
    assert.equal(await page.locator('#login-form').count(), 0);
    await page.waitForSelector('#home-stats');
  } finally {
    await ctx.close();
    await own?.close();
  }
});

// ---- tests that need routes other branches add; skipped, with the
// probe's answer as the reason, until those routes exist ----

/** The reason to skip when the route answered "no such route", else null. */
async function routeMissing(method, p, body) {
  const r = await web.srv.req(method, p, { body, headers: auth });
  return r.status === 404 && /no such route/.test(r.text) ? `${method} ${p} answers 404 "no such route": not on this build` : null;
}

test('in a browser: maintenance started from a real table\'s page shows its bar moving, then full', { skip: browserSkip }, async (t) => {
  const why = await routeMissing('POST', '/v1/demo/namespaces/db/tables/orders/maintenance', { operations: ['no_such_operation'] });
  if (why) { t.skip(why); return; }
  // Runners on, polling fast, every step slowed so the page sees the bar
  // between its ends: a server of its own.
  const dir = tmpDir('pgl-ui-maint');
  const msrv = await startServer({ store: 'sqlite', dir, noAuth: false, root: true,
    env: { TASK_WORKER_POLL_INTERVAL_MS: '50', PGL_TEST_TASK_STEP_MS: '250' },
    extra: ['[defaults]', 'warehouse = "wh"', `warehouse_root = ${JSON.stringify(path.join(dir, 'warehouse'))}`,
      'catalog = "demo"'].join('\n') });
  const page = await newPage(web.ctx, web);
  try {
    // A real table: Parquet data, Avro manifests from two writers, six
    // snapshots committed through the REST API, ten to five days old.
    const tbl = await createTable(msrv, { catalog: 'demo', namespace: ['db'], table: 'orders', headers: auth });
    const want = [];
    for (let i = 0; i < 6; i++) {
      const rows = [{ id: 2 * i, name: `r${2 * i}` }, { id: 2 * i + 1, name: `r${2 * i + 1}` }];
      want.push(...rows);
      await tbl.appendRows(rows, { writer: i % 2 ? 'icebird' : 'avsc', timestampMs: Date.now() - (10 - i) * 86400000 });
    }
    const filesBefore = await tbl.filesOnDisk();
    const base = `http://127.0.0.1:${msrv.port}`;
    await page.goto(`${base}/ui/`);
    await page.fill('#l-user', ROOT_USER);
    await page.fill('#l-pass', ROOT_PASSWORD);
    await page.press('#l-pass', 'Enter');
    await page.waitForSelector('#who:has-text("root")');
    await page.goto(`${base}/ui/#/catalogs/demo/tables/db/orders`);
    await page.check('#maint-form input[name=remove_orphan_files]');
    await page.fill('#maint-form input[name=older_than_ms]', '0');
    await page.fill('#maint-form input[name=retain_last]', '1');
    await page.click('#maint-form button[type=submit]');
    await page.waitForURL(/#\/tasks\/[0-9a-f-]+$/);
    const id = decodeURIComponent(page.url().split('#/tasks/')[1]);
    // Watch the bar the page draws until the task ends.
    const seen = new Set();
    const ended = '#task-detail .badge.succeeded, #task-detail .badge.failed, #task-detail .badge.cancelled';
    for (let i = 0; i < 600 && !(await page.locator(ended).count()); i++) {
      const bar = page.locator('#task-detail progress');
      if (await bar.count()) {
        const v = Number(await bar.getAttribute('value')), max = Number(await bar.getAttribute('max'));
        if (max > 0 && v < max) seen.add(`${v}/${max}`);
      }
      await sleep(50);
    }
    assert.equal(await page.textContent('#task-detail .badge'), 'succeeded', `${await page.textContent('#task-detail')}\n${msrv.log().slice(-3000)}`);
    assert.ok(seen.size >= 2, `the bar moved through at least two values short of full: saw ${[...seen].join(', ')}`);
    const bar = page.locator('#task-detail progress');
    assert.equal(await bar.getAttribute('value'), await bar.getAttribute('max'), 'the bar ends full');
    // Outside the JSON blocks, no absent value is written out as text.
    const texts = await page.locator('#task-detail').evaluate((el) =>
      [...el.childNodes].filter((n) => n.nodeName !== 'PRE').map((n) => n.textContent).join('\n'));
    assert.doesNotMatch(texts, /\bnull\b|\bundefined\b/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'task-done-1400.png'), fullPage: true });
    const task = (await msrv.req('GET', `/api/v1/tasks/${id}`, { headers: auth })).json;
    assert.equal(task.status, 'succeeded');
    assert.deepEqual(task.params.operations, ['expire_snapshots', 'remove_orphan_files']);
    assert.equal(task.result.expire_snapshots.expired_snapshots, 5, JSON.stringify(task.result));
    // The table still reads every row (icebird); five snapshots' files are gone.
    const byId = (rs) => [...rs].sort((a, b) => a.id - b.id);
    assert.deepEqual(byId(await tbl.readRows()), want);
    assert.ok((await tbl.filesOnDisk()).length < filesBefore.length, 'expired files were deleted');
    assert.ok(web.requests.every((u) => u.startsWith(`${base}/`) || u.startsWith(`${web.base}/`)));
  } finally {
    await page.close();
    await msrv.stop();
  }
});

test('in a browser: a merge conflict is resolved with its button, then the merge completes', { skip: browserSkip }, async (t) => {
  const why = await routeMissing('GET', '/api/v1/catalogs/demo/merge-operations');
  if (why) { t.skip(why); return; }
  const req = async (m, p, body, ...want) => {
    const r = await web.srv.req(m, p, { body, headers: auth });
    assert.ok(want.includes(r.status), `${m} ${p}: ${r.status} ${r.text}`);
    return r.json;
  };
  await req('POST', '/v1/demo/namespaces/db/tables', { name: 'm', schema: { type: 'struct', 'schema-id': 0,
    fields: [{ id: 1, name: 'id', required: true, type: 'long' }] } }, 200);
  // Ingest: merging an experimental branch into main needs force (issue 13).
  await req('POST', '/api/v1/branches', { name: 'feat', catalog: 'demo', assets: ['db.m'], branch_type: 'ingest' }, 201);
  const setProp = (tbl, v) => req('POST', `/v1/demo/namespaces/db/tables/${tbl}`,
    { requirements: [], updates: [{ action: 'set-properties', updates: { owner: v } }] }, 200);
  await setProp('m@feat', 'feat');
  await setProp('m', 'main');
  const merge = await req('POST', '/api/v1/branches/merge', { source_branch: 'feat', target_branch: 'main', catalog: 'demo' }, 409, 200);
  assert.equal(merge.status, 'conflicted', 'both branches changed db.m: the merge must conflict');
  const { page, base } = web;
  await page.goto(`${base}/ui/#/merges/${merge.operation_id}`);
  await page.locator('#view button', { hasText: 'Take source' }).first().click();
  for (let i = 0; i < merge.conflicts - 1; i++)
    await page.locator('#view button', { hasText: 'Take source' }).first().click();
  await page.locator('#view .badge.ready').waitFor({ timeout: 5000 });
  assert.equal(await page.locator('#view button', { hasText: 'Take source' }).count(), 0);
  await page.click('#view button:text-is("Complete")');
  await page.locator('#view .badge.completed').waitFor({ timeout: 5000 });
});

test('in a browser: a large branch and a large merge run as tasks the page follows to the end: label, full bar, outcome; the page\'s own merge follows its 202', { skip: browserSkip }, async () => {
  // Runners on, thresholds of 2 assets: three tables make both the new
  // branch's copy and the merge tasks (kinds branch and merge).
  const dir = tmpDir('pgl-ui-merge');
  const msrv = await startServer({ store: 'sqlite', dir, noAuth: false, root: true,
    env: { TASK_WORKER_POLL_INTERVAL_MS: '50', PGL_TEST_TASK_STEP_MS: '150',
      PANGOLIN_MERGE_INLINE_MAX_ASSETS: '2', PANGOLIN_BRANCH_INLINE_MAX_ASSETS: '2' },
    extra: ['[defaults]', 'warehouse = "wh"', `warehouse_root = ${JSON.stringify(path.join(dir, 'warehouse'))}`,
      'catalog = "demo"'].join('\n') });
  const page = await newPage(web.ctx, web);
  const base = `http://127.0.0.1:${msrv.port}`;
  const seen = web.requests.length, logged = web.console.length;	// this test's from here
  const req = async (m, p, body, status) => {
    const r = await msrv.req(m, p, { body, headers: auth });
    assert.equal(r.status, status, `${m} ${p}: ${r.status} ${r.text}`);
    return r.json;
  };
  const setProp = (tbl, v) => req('POST', `/v1/demo/namespaces/db/tables/${tbl}`,
    { requirements: [], updates: [{ action: 'set-properties', updates: { owner: v } }] }, 200);
  /** Open the task's page and watch it until it ends; its bar and outcome then. */
  const follow = async (id, want) => {
    if (!page.url().endsWith(`#/tasks/${id}`)) await page.goto(`${base}/ui/#/tasks/${id}`);
    const ended = '#task-detail .badge.succeeded, #task-detail .badge.failed, #task-detail .badge.cancelled';
    const labels = new Set();
    for (let i = 0; i < 1200 && !(await page.locator(ended).count()); i++) {
      const l = page.locator('#task-detail .bar .label');
      if (await l.count()) labels.add(await l.textContent());
      await sleep(50);
    }
    assert.equal(await page.textContent('#task-detail .badge'), 'succeeded', `${await page.textContent('#task-detail')}\n${msrv.log().slice(-3000)}`);
    // The last label says what the task came to (tasks.js summary()),
    // not its last phase's counter; the phase labels were seen before.
    const last = await page.textContent('#task-detail .bar .label');
    assert.match(last, want.last);
    labels.add(last);
    const bar = page.locator('#task-detail progress');
    assert.equal(await bar.getAttribute('value'), await bar.getAttribute('max'), 'the bar ends full');
    assert.match(await page.textContent('#task-detail dd:nth-of-type(2)'), new RegExp(`^${want.kind}$`));
    if (want.label)
      assert.ok([...labels].some((l) => want.label.test(l)), `a progress label like ${want.label}: saw ${[...labels].join(' | ')}`);
    assert.match(await page.textContent('#task-outcome'), want.outcome);
    const texts = await page.locator('#task-detail').evaluate((el) =>
      [...el.childNodes].filter((n) => n.nodeName !== 'PRE').map((n) => n.textContent).join('\n'));
    assert.doesNotMatch(texts, /\bnull\b|\bundefined\b/);
  };
  try {
    await req('POST', '/v1/demo/namespaces', { namespace: ['db'] }, 200);
    for (const t of ['t0', 't1', 't2'])
      await req('POST', '/v1/demo/namespaces/db/tables', { name: t, schema: { type: 'struct', 'schema-id': 0,
        fields: [{ id: 1, name: 'id', required: true, type: 'long' }] } }, 200);
    await page.goto(`${base}/ui/`);
    await page.fill('#l-user', ROOT_USER);
    await page.fill('#l-pass', ROOT_PASSWORD);
    await page.press('#l-pass', 'Enter');
    await page.waitForSelector('#who:has-text("root")');

    // A partial branch copying three tables: over the threshold, a task.
    // (A whole branch copies nothing since issue 29: always a 201.)
    const br = await req('POST', '/api/v1/branches', { name: 'feat', catalog: 'demo', branch_type: 'ingest',
      assets: ['db.t0', 'db.t1', 'db.t2'] }, 202);
    // A branch's one phase ("copying") is written just before its copy
    // and replaced by the outcome when it ends: a page polling each
    // second does not see it, and the finished bar no longer repeats it.
    await follow(br.task_id, { kind: 'branch', last: /^branch feat created, \d+ asset rows copied$/, outcome: /^Branch feat created; \d+ asset rows copied\.$/ });
    await page.click('#task-outcome a:text-is("feat")');
    await page.waitForSelector('h2:has-text("Branch feat of demo")');

    // A merge started through the API: 202, and the page shows its task.
    await setProp('t0@feat', 'feat');
    const mg = await req('POST', '/api/v1/branches/merge', { source_branch: 'feat', target_branch: 'main', catalog: 'demo' }, 202);
    assert.equal(mg.kind, 'merge');
    await page.goto(`${base}/ui/#/tasks`);
    const row = page.locator(`tr[data-task="${mg.task_id}"]`);
    await row.waitFor();
    assert.match(await row.textContent(), /merge/);
    await row.locator('a').first().click();
    await follow(mg.task_id, { kind: 'merge', label: /feat -> main/, last: /^merge feat -> main: completed$/, outcome: /^Merge of feat into main: completed, commit [0-9a-f]{8} \(operation [0-9a-f]{8}\)\.$/ });
    const merged = (await req('GET', `/api/v1/tasks/${mg.task_id}`, undefined, 200)).result;
    assert.equal(merged.status, 'completed');
    const t0 = await req('GET', '/v1/demo/namespaces/db/tables/t0', undefined, 200);
    assert.equal(t0.metadata.properties.owner, 'feat', 'the merge reached main');
    await page.click('#task-outcome a');
    await page.waitForURL(new RegExp(`#/merges/${merged.operation_id}$`));
    await page.locator('#view .badge.completed').waitFor({ timeout: 5000 });

    // The page's own merge form: its 202 takes the page to the task.
    await setProp('t1@feat', 'feat again');
    await page.goto(`${base}/ui/#/catalogs/demo`);
    await page.waitForSelector('#merge-form');
    await page.selectOption('#mg-source', 'feat');
    await page.selectOption('#mg-target', 'main');
    await page.click('#merge-form button[type=submit]');
    await page.waitForURL(/#\/tasks\/[0-9a-f-]+$/);
    const formTask = decodeURIComponent(page.url().split('#/tasks/')[1]);
    await follow(formTask, { kind: 'merge', label: /feat -> main/, last: /^merge feat -> main: completed$/, outcome: /^Merge of feat into main: completed/ });
    const t1 = await req('GET', '/v1/demo/namespaces/db/tables/t1', undefined, 200);
    assert.equal(t1.metadata.properties.owner, 'feat again');
    await page.screenshot({ path: path.join(ARTIFACTS, 'merge-task-1400.png'), fullPage: true });
    assert.deepEqual(web.requests.slice(seen).filter((u) => !u.startsWith(`${base}/`)), [], 'the page requests nothing elsewhere');
    assert.deepEqual(web.console.slice(logged).filter((m) => /Content Security Policy|pageerror/i.test(m)), []);
  } finally {
    await page.close();
    await msrv.stop();
  }
});
