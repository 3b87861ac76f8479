// The header's search answers as you type (issue 69 item 5), in a real
// browser: the results follow the box a moment after the last key
// (debounced), the focus stays in the box and the address follows with
// one history entry, not one a key; a search the user has typed past is
// aborted, so its late answer never replaces the newer one; ArrowDown
// goes from the box to the first result.  Every step waits for what the
// page shows or for a request's fate, never for a time.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { basic, startServer, tmpDir } from './lib/server.js';
import { assertClean, browserSkip, open, openBrowser, signIn } from './lib/browser.js';

const skip = browserSkip();
const auth = { authorization: basic() };
let srv, b;

async function ok(m, p, body) {
  const r = await srv.req(m, p, { body, headers: auth });
  assert.ok(r.status < 300, `${m} ${p}: ${r.status} ${r.text}`);
  return r.json;
}

const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };

before(async () => {
  if (skip) return;
  const dir = tmpDir('pgl-ui-search');
  srv = await startServer({ store: 'sqlite', dir, noAuth: false, root: true,
    env: { TASK_WORKER_ENABLED: 'false', PANGOLIN_AUTH_RATE_LIMIT: '0' },
    extra: ['[defaults]', 'warehouse = "wh"', `warehouse_root = ${JSON.stringify(path.join(dir, 'warehouse'))}`,
      'catalog = "demo"'].join('\n') });
  await ok('POST', '/v1/demo/namespaces', { namespace: ['shop'] });
  for (const t of ['orders', 'order_lines', 'customers'])
    await ok('POST', '/v1/demo/namespaces/shop/tables', { name: t, schema });
  b = await openBrowser(srv);
  b.page.setDefaultTimeout(15000);
  await signIn(b.page, b.base);
});
after(async () => { await b?.browser.close(); await srv?.stop(); });

// The names in the results table, in order.
const hits = (page) => page.$$eval('#search-results tbody tr[data-asset] a', (as) => as.map((a) => a.textContent));
const showing = (page, names) => page.waitForFunction((want) => JSON.stringify([...document.querySelectorAll(
  '#search-results tbody tr[data-asset] a')].map((a) => a.textContent)) === want, JSON.stringify(names));

test('results follow the box as the user types; the focus stays; one history entry; ArrowDown reaches a result', { skip }, async () => {
  const { page, base } = b;
  await open(page, base, '#/catalogs', 'Catalogs');
  const depth = await page.evaluate(() => history.length);
  await page.type('#search-q', 'ord', { delay: 30 });
  await showing(page, ['order_lines', 'orders']);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'search-q', 'the focus stays in the box');
  await page.type('#search-q', 'ers', { delay: 30 });
  await showing(page, ['orders']);
  await page.waitForSelector('#view h2:text-is("Search: orders")');
  assert.equal(await page.evaluate(() => location.hash), '#/search?q=orders');
  assert.equal(await page.evaluate(() => history.length), depth + 1, 'one history entry for the whole word');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'search-q');
  await page.waitForSelector('#status:has-text("1 result for orders")');

  await page.press('#search-q', 'ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'orders');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash === '#/catalogs/demo/tables/shop/orders');
  assertClean(b);
});

test('a search typed past is aborted: its late answer never replaces the newer results', { skip }, async () => {
  const { page, base } = b;
  await open(page, base, '#/catalogs', 'Catalogs');
  const cust = /\/api\/v1\/search\/assets\?q=cust/;
  let held, seen;
  const heldSeen = new Promise((resolve) => { seen = resolve; });
  await page.route(cust, (r) => { held = r; seen(); });
  const asked = page.waitForRequest(cust);
  await page.fill('#search-q', 'cust');
  await asked;
  await heldSeen;	// the search for "cust" is on its way, its answer held
  const dropped = page.waitForEvent('requestfailed', (rq) => rq.url().includes('/api/v1/search/assets?q=cust'));
  await page.fill('#search-q', 'orders');
  await showing(page, ['orders']);
  await dropped;	// the page gave up the older search
  await held.continue().catch(() => {});	// and its answer, let go now, lands nowhere
  await page.unroute(cust);
  assert.deepEqual(await hits(page), ['orders']);
  assert.equal(await page.evaluate(() => location.hash), '#/search?q=orders');
  assertClean(b);
});
