// The console's data policies in a real browser, as a tenant admin: the
// Policies screen creates a column action (a refused one shown with its
// reason), lists and deletes it; the table page tags a column and shows
// what the policies make of the table for a user.  Every step waits for
// what the page shows, never for a time.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { basic, startServer } from './lib/server.js';
import { assertClean, browserSkip, open, openBrowser, signIn } from './lib/browser.js';

const skip = browserSkip();
const auth = { authorization: basic() };
const PW = 'Str0ng-Passw0rd-for-tests';
const SCHEMA = { type: 'struct', 'schema-id': 0, fields: [
  { id: 1, name: 'id', required: true, type: 'long' }, { id: 2, name: 'email', required: false, type: 'string' }] };
let srv, b, tenant, admin, userId;

async function ok(m, p, body, headers = auth) {
  const r = await srv.req(m, p, { body, headers });
  assert.ok(r.status < 300, `${m} ${p}: ${r.status} ${r.text}`);
  return r.json;
}

before(async () => {
  if (skip) return;
  srv = await startServer({ store: 'sqlite', noAuth: false, root: true, env: { TASK_WORKER_ENABLED: 'false', PANGOLIN_AUTH_RATE_LIMIT: '0' } });
  tenant = (await ok('POST', '/api/v1/tenants', { name: `uipol${Date.now().toString(36)}` })).id;
  await ok('POST', '/api/v1/users', { username: 'poladmin', password: PW, tenant_id: tenant, role: 'tenant-admin' });
  admin = { authorization: `Bearer ${(await ok('POST', '/api/v1/users/login', { username: 'poladmin', password: PW, 'tenant-id': tenant })).token}` };
  userId = (await ok('POST', '/api/v1/users', { username: 'poluser', password: PW, tenant_id: tenant, role: 'tenant-user' }, admin)).id;
  await ok('POST', '/api/v1/warehouses', { name: 'wh', storage_config: { type: 'local', root: path.join(srv.tenantDir(tenant), 'wh') } }, admin);
  await ok('POST', '/api/v1/catalogs', { name: 'lake', warehouse_name: 'wh' }, admin);
  await ok('POST', '/v1/lake/namespaces', { namespace: ['crm'] }, admin);
  await ok('POST', '/v1/lake/namespaces/crm/tables', { name: 'people', schema: SCHEMA }, admin);
  b = await openBrowser(srv);
  await signIn(b.page, b.base, { user: 'poladmin', password: PW, tenant });
});
after(async () => { await b?.browser.close(); await srv?.stop(); });

test('create (a refusal shown), list and delete a policy; tag a column and explain a table for a user', { skip }, async () => {
  const { page, base } = b;
  await open(page, base, '#/policies', 'Data policies');
  await page.waitForSelector('#policy-list :text("no policies")');
  const fill = async (action, column) => {
    await page.fill('#policy-create [name=name]', 'hash-email');
    await page.fill('#policy-create [name=catalog]', 'lake');
    await page.fill('#policy-create [name=namespace]', 'crm');
    await page.fill('#policy-create [name=table]', 'people');
    await page.fill('#policy-create [name=column]', column);
    await page.selectOption('#policy-create [name=action]', action);
    await page.fill('#policy-create [name=users]', userId);
    await page.click('#policy-create button[type=submit]');
  };
  // mask-alphanum on a long: refused, the reason shown.
  await fill('mask-alphanum', 'id');
  await page.waitForFunction(() => /does not apply/.test(document.querySelector('#policy-create')?.textContent || ''));
  await fill('sha-256-global', 'email');
  await page.waitForSelector('#policy-list tr:has-text("hash-email")');
  assert.match(await page.locator('#policy-list tr', { hasText: 'hash-email' }).textContent(), /sha-256-global on email \(field 2\)/);

  // The table page: tag the column, then explain for the user.
  await open(page, base, '#/catalogs/lake/tables/crm/people', 'Table lake.crm.people');
  await page.waitForSelector('#column-tags :text("no column tags")');
  await page.fill('#column-tags-set [name=column]', 'email');
  await page.fill('#column-tags-set [name=tags]', 'pii:email');
  await page.click('#column-tags-set button[type=submit]');
  await page.waitForSelector('#column-tags td:has-text("pii:email")');
  await page.fill('#restrictions-form [name=user]', userId);
  await page.click('#restrictions-form button[type=submit]');
  await page.waitForSelector('#restrictions-json');
  const rr = JSON.parse(await page.textContent('#restrictions-json'));
  assert.deepEqual(rr, { 'required-column-projections': [{ 'field-id': 2, action: 'sha-256-global' }] });
  assert.match(await page.textContent('#restrictions-out'), /hash-email/);

  await open(page, base, '#/policies', 'Data policies');
  await page.click('#policy-list button[data-policy="hash-email"]');
  await page.waitForSelector('#policy-list :text("no policies")');
  assert.equal((await ok('GET', '/api/v1/policies', undefined, admin)).length, 0);
  assertClean(b);
});

// Issue 46: discovery search knows column tags.  Searching a tag only a
// column carries finds the table, and the hit shows which column (by
// field id) holds which tags, in the header's search and the tag search.
test('search finds a table by its column tag and shows the column tags of the hit', { skip }, async () => {
  const { page, base } = b;
  const people = (await ok('GET', '/api/v1/catalogs/lake/namespaces/crm/assets', undefined, admin)).find((a) => a.name === 'people');
  await ok('PUT', `/api/v1/assets/${people.id}/column-tags`, { columns: [{ column: 'email', tags: ['pii:email', 'gdpr'] }] }, admin);
  const row = `tr[data-asset="${people.id}"]`;

  await open(page, base, `#/search?q=${encodeURIComponent('#pii:email')}`, 'Search: #pii:email');
  await page.waitForSelector(`#search-results ${row} td[data-label="Column tags"] .badge`);
  assert.deepEqual(await page.locator('#search-results td[data-label="Name"]').allTextContents(), ['people']);
  assert.equal(await page.textContent(`#search-results ${row} td[data-label="Column tags"]`), 'field 2: gdpr, pii:email');

  await open(page, base, `#/search?tags=${encodeURIComponent('gdpr')}`, 'Assets tagged gdpr');
  await page.waitForSelector(`#tag-results ${row} td[data-label="Column tags"] .badge`);
  assert.equal(await page.textContent(`#tag-results ${row} td[data-label="Column tags"]`), 'field 2: gdpr, pii:email');

  // Untagged, the table is no longer found by the tag.
  await ok('PUT', `/api/v1/assets/${people.id}/column-tags`, { columns: [] }, admin);
  await open(page, base, `#/search?q=${encodeURIComponent('#pii:email')}`, 'Search: #pii:email');
  await page.waitForSelector('#search-results :text("nothing found")');
  assertClean(b);
});
