// The console's undrop screen in a real browser (issue 46): a dropped
// table is listed on its catalog's "Dropped" screen, reached from the
// catalog's page, and its Restore button brings it back as it was; the
// list then says there is nothing to restore.  Every step waits for what
// the page shows, never for a time.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { basic } from './lib/server.js';
import { CATALOG, startIcebergServer } from './lib/iceberg.js';
import { assertClean, browserSkip, open, openBrowser, signIn } from './lib/browser.js';

const skip = browserSkip();
const auth = { authorization: basic() };
let srv, b;

async function ok(m, p, body) {
  const r = await srv.req(m, p, { body, headers: auth });
  assert.ok(r.status < 300, `${m} ${p}: ${r.status} ${r.text}`);
  return r;
}

before(async () => {
  if (skip) return;
  srv = await startIcebergServer({ store: 'sqlite', noAuth: false, root: true, env: { TASK_WORKER_ENABLED: 'false', PANGOLIN_AUTH_RATE_LIMIT: '0' } });
  b = await openBrowser(srv);
  await signIn(b.page, b.base);
});
after(async () => { await b?.browser.close(); await srv?.stop(); });

test('the dropped list renders from the catalog page and Restore brings the table back', { skip }, async () => {
  const { page, base } = b;
  await ok('POST', `/v1/${CATALOG}/namespaces`, { namespace: ['shop'] });
  const schema = { type: 'struct', fields: [{ id: 1, name: 'n', required: false, type: 'long' }] };
  const made = (await ok('POST', `/v1/${CATALOG}/namespaces/shop/tables`, { name: 'orders', schema })).json;
  await ok('DELETE', `/v1/${CATALOG}/namespaces/shop/tables/orders`);

  await open(page, base, `#/catalogs/${CATALOG}`, `Catalog ${CATALOG}`);
  await page.click('#catalog-dropped');
  await page.waitForSelector(`#view h2:has-text("Dropped in ${CATALOG}")`);
  const row = page.locator('#dropped-list tr', { hasText: 'shop.orders' });
  await row.waitFor();
  assert.match(await row.textContent(), /table.*main.*root/);
  await page.click('#dropped-list button[aria-label="Restore shop.orders"]');
  await page.waitForSelector('#dropped-list :text("nothing dropped to restore")');
  const back = (await ok('GET', `/v1/${CATALOG}/namespaces/shop/tables/orders`)).json;
  assert.equal(back['metadata-location'], made['metadata-location']);
  assertClean(b);
});
