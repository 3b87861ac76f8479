// The console's System screens in a real browser: the tenant's settings
// (saved, and a value the server refuses shown beside its field), the
// cache figures, expired-token cleanup, and bulk deletion of assets
// found by search.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { basic, startServer, tmpDir } from './lib/server.js';
import { assertClean, browserSkip, fieldError, open, openBrowser, shot, signIn } from './lib/browser.js';

const skip = browserSkip();
const auth = { authorization: basic() };
let srv, b;

async function ok(m, p, body, status) {
  const r = await srv.req(m, p, { body, headers: auth });
  assert.equal(r.status, status, `${m} ${p}: ${r.status} ${r.text}`);
  return r.json;
}

const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };

before(async () => {
  if (skip) return;
  const dir = tmpDir('pgl-ui-system');
  srv = await startServer({ store: 'sqlite', dir, noAuth: false, root: true,
    env: { TASK_WORKER_ENABLED: 'false' },
    extra: ['[defaults]', 'warehouse = "wh"', `warehouse_root = ${JSON.stringify(path.join(dir, 'warehouse'))}`,
      'catalog = "demo"'].join('\n') });
  await ok('POST', '/v1/demo/namespaces', { namespace: ['sys'] }, 200);
  for (const t of ['bulk_a', 'bulk_b', 'bulk_keep'])
    await ok('POST', '/v1/demo/namespaces/sys/tables', { name: t, schema }, 200);
  b = await openBrowser(srv);
  await signIn(b.page, b.base);
});
after(async () => { await b?.browser.close(); await srv?.stop(); });

test('settings: saved values come back; a port the server refuses is shown beside the port', { skip }, async () => {
  const { page, base } = b;
  await open(page, base, '#/settings', 'Settings');
  await page.fill('#settings-form [name=smtp_host]', 'mail.example.com');
  await page.fill('#settings-form [name=smtp_port]', '70000');
  await page.click('#settings-form button[type=submit]');
  await page.waitForFunction(() => /smtp_port must be between 1 and 65535/.test(
    document.querySelector('#settings-form [name=smtp_port]')?.parentElement.textContent || ''));
  assert.match(await fieldError(page, 'settings-form', 'smtp_port'), /422: smtp_port must be between/);
  assert.equal(await page.getAttribute('#settings-form [name=smtp_port]', 'aria-invalid'), 'true');
  assert.equal((await ok('GET', '/api/v1/config/settings', undefined, 200)).smtp_host, null, 'nothing saved');

  await page.fill('#settings-form [name=smtp_port]', '2525');
  await page.fill('#settings-form [name=default_retention_days]', '12');
  await page.check('#settings-form [name=allow_public_signup]');
  await page.click('#settings-form button[type=submit]');
  await page.waitForSelector('#status:has-text("settings saved")');
  const s = await ok('GET', '/api/v1/config/settings', undefined, 200);
  assert.equal(s.smtp_host, 'mail.example.com');
  assert.equal(s.smtp_port, 2525);
  assert.equal(s.default_retention_days, 12);
  assert.equal(s.allow_public_signup, true);
  await open(page, base, '#/settings', 'Settings');
  await page.waitForSelector('#settings-form');
  assert.equal(await page.inputValue('#settings-form [name=smtp_host]'), 'mail.example.com');
});

test('caches: one row per cache the server reports, and the object store line', { skip }, async () => {
  const { page, base } = b;
  const s = await ok('GET', '/api/v1/cache/stats', undefined, 200);
  await open(page, base, '#/caches', 'Caches');
  await page.waitForSelector('#view table');
  for (const c of s.caches)
    assert.equal(await page.locator('#view td[data-label="Cache"]', { hasText: c.name }).count() >= 1, true, c.name);
  assert.equal(await page.locator('#view section[aria-label="Object store"] tbody tr').count(), 1);
});

test('expired-token cleanup reports the server\'s count', { skip }, async () => {
  const { page, base } = b;
  await open(page, base, '#/settings', 'Settings');
  await page.click('#cleanup-tokens');
  await page.waitForSelector('#cleanup-out:has-text("Cleaned up")');
  assert.match(await page.textContent('#cleanup-out'), /Cleaned up \d+ expired tokens/);
});

test('bulk delete: search, tick two of three, delete; the third stays', { skip }, async () => {
  const { page, base } = b;
  await open(page, base, '#/bulk-delete', 'Bulk delete');
  await page.fill('#bulk-search [name=q]', 'bulk_');
  await page.press('#bulk-search [name=q]', 'Enter');
  await page.waitForSelector('#bulk-results table');
  assert.equal(await page.locator('#bulk-results tbody tr').count(), 3);
  await page.check('#bulk-results input[aria-label="Select sys.bulk_a"]');
  await page.check('#bulk-results input[aria-label="Select sys.bulk_b"]');
  await page.click('#bulk-delete');
  await page.waitForSelector('#bulk-summary');
  assert.equal(await page.textContent('#bulk-summary'), '2 deleted, 0 refused.');
  const ids = (await ok('GET', '/v1/demo/namespaces/sys/tables', undefined, 200)).identifiers.map((i) => i.name);
  assert.deepEqual(ids, ['bulk_keep']);
  await shot(page, 'console-bulk-delete');
  assertClean(b);
});
