// The console's Webhooks screens in a real browser, as a tenant admin:
// create a subscription and see its signing secret once (never on the
// list or its own page), see it listed with its status, send a test
// event (recorded in the tenant's stream), pause and resume, replay from
// a sequence, a refused URL shown beside its field, and delete.  Every
// step waits for what the page shows, never for a time.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { basic, startServer } from './lib/server.js';
import { assertClean, browserSkip, fieldError, open, openBrowser, signIn } from './lib/browser.js';

const skip = browserSkip();
const auth = { authorization: basic() };
const PW = 'Str0ng-Passw0rd-for-tests';
let srv, b, tenant, admin;

async function ok(m, p, body, headers = auth) {
  const r = await srv.req(m, p, { body, headers });
  assert.ok(r.status < 300, `${m} ${p}: ${r.status} ${r.text}`);
  return r.json;
}

before(async () => {
  if (skip) return;
  srv = await startServer({ store: 'sqlite', noAuth: false, root: true, env: { TASK_WORKER_ENABLED: 'false', PANGOLIN_AUTH_RATE_LIMIT: '0' } });
  tenant = (await ok('POST', '/api/v1/tenants', { name: `uiwh${Date.now().toString(36)}` })).id;
  await ok('POST', '/api/v1/users', { username: 'hookadmin', password: PW, tenant_id: tenant, role: 'tenant-admin' });
  admin = { authorization: `Bearer ${(await ok('POST', '/api/v1/users/login', { username: 'hookadmin', password: PW, 'tenant-id': tenant })).token}` };
  b = await openBrowser(srv);
  await signIn(b.page, b.base, { user: 'hookadmin', password: PW, tenant });
});
after(async () => { await b?.browser.close(); await srv?.stop(); });

test('create shows the secret once; the list shows it; test event, pause, resume, replay, delete', { skip }, async () => {
  const { page, base } = b;
  await open(page, base, '#/webhooks', 'Webhooks');
  await page.waitForSelector('#webhook-list table, #webhook-list :text("no webhooks")');

  // A URL the server refuses: its reason beside the URL field.
  await page.fill('#webhook-create [name=name]', 'refused');
  await page.fill('#webhook-create [name=url]', 'https://127.0.0.1/hook');
  await page.click('#webhook-create button[type=submit]');
  await page.waitForFunction(() => /loopback/.test(
    document.querySelector('#webhook-create [name=url]')?.parentElement.textContent || ''));
  assert.match(await fieldError(page, 'webhook-create', 'url'), /400: url: .*loopback/);

  await page.fill('#webhook-create [name=name]', 'orders-hook');
  await page.fill('#webhook-create [name=url]', 'https://hooks.example.com/pangolin');
  await page.fill('#webhook-create [name=operation_types]', 'create-table, update-table');
  await page.click('#webhook-create button[type=submit]');
  await page.waitForSelector('#webhook-secret');
  const secret = (await page.textContent('#webhook-secret')).trim();
  assert.match(secret, /^whsec_/);
  // The list fills with the new subscription, active.
  await page.waitForSelector('#webhook-list a:has-text("orders-hook")');
  const row = page.locator('#webhook-list tr', { hasText: 'orders-hook' });
  assert.match(await row.textContent(), /active/);
  const [w] = (await ok('GET', '/api/v1/webhooks', undefined, admin)).filter((x) => x.name === 'orders-hook');
  assert.deepEqual(w.operation_types, ['create-table', 'update-table']);

  // Its own page: no secret, until rotated.
  await page.click('#webhook-list a:has-text("orders-hook")');
  await page.waitForSelector('#webhook-test');
  assert.equal(await page.locator('#webhook-secret').count(), 0, 'the secret is not shown again');
  assert.ok(!(await page.textContent('#view')).includes(secret));

  await page.click('#webhook-test');
  await page.waitForSelector('#webhook-note:has-text("test event")');
  const eventId = (await page.textContent('#webhook-note')).match(/test event (\S+) sent/)[1];
  const events = await ok('GET', '/api/v1/events?limit=1000', undefined, admin);
  const t = events.events.find((e) => e['event-id'] === eventId);
  assert.equal(t?.operation['operation-type'], 'x-pangolin.webhook-test');

  await page.click('#webhook-pause');
  await page.waitForSelector('#webhook-resume');
  assert.match(await page.textContent('#webhook-state'), /paused by hookadmin/);
  await page.click('#webhook-resume');
  await page.waitForSelector('#webhook-pause');

  await page.fill('#webhook-replay [name=after_seq]', '0');
  await page.click('#webhook-replay button[type=submit]');
  await page.waitForSelector('#webhook-note:has-text("replaying after 0")');
  assert.equal((await ok('GET', `/api/v1/webhooks/${w.id}`, undefined, admin)).cursor, 0);

  await page.click('#webhook-rotate');
  await page.waitForSelector('#webhook-secret');
  const rotated = (await page.textContent('#webhook-secret')).trim();
  assert.match(rotated, /^whsec_/);
  assert.notEqual(rotated, secret);

  await page.click('#webhook-delete');
  await page.waitForSelector('#view h2:has-text("Webhooks")');
  await page.waitForSelector('#webhook-list :text("no webhooks")');
  assert.equal((await ok('GET', '/api/v1/webhooks', undefined, admin)).length, 0);
  assertClean(b);
});
