// The console's merges (issue 27), in a real browser against the real
// binary: the merge form's preview of what each branch changed, the
// operation page's conflicts in words with their resolve buttons,
// complete and abort, a strategy that resolves every conflict, and the
// server's refusals beside the field they concern.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { basic, startServer, tmpDir } from './lib/server.js';
import { assertClean, browserSkip, fieldError, open, openBrowser, shot, signIn } from './lib/browser.js';

const skip = browserSkip();
const auth = { authorization: basic() };
const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };
const EVIL = '<img src=x onerror=window.__pwned=1>';

let srv, b;
before(async () => {
  if (skip) return;
  const dir = tmpDir('pgl-ui-merge');
  srv = await startServer({ store: 'sqlite', dir, noAuth: false, root: true,
    extra: ['[defaults]', 'warehouse = "wh"', `warehouse_root = ${JSON.stringify(path.join(dir, 'warehouse'))}`,
      'catalog = "demo"'].join('\n') });
  b = await openBrowser(srv);
  await signIn(b.page, b.base);
});
after(async () => {
  await b?.browser.close();
  await srv?.stop();
});

async function req(method, p, body, ...want) {
  const r = await srv.req(method, p, { body, headers: auth });
  assert.ok(want.includes(r.status), `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
}
const setProps = (tbl, updates) => req('POST', `/v1/demo/namespaces/db/tables/${tbl}`,
  { requirements: [], updates: [{ action: 'set-properties', updates }] }, 200);
const propsOf = async (tbl) => (await req('GET', `/v1/demo/namespaces/db/tables/${tbl}`, undefined, 200)).metadata.properties;

/** The merge form of catalog demo with source, target (and strategy) chosen. */
async function fillForm(page, source, target, strategy) {
  // The same hash twice is no navigation: reload for fresh branch lists.
  if (page.url().endsWith('#/catalogs/demo')) await page.reload();
  else await open(page, b.base, '#/catalogs/demo');
  await page.waitForSelector('#merge-form');
  // The lists above the form (branches, tags, namespaces) fill in as
  // their answers come: until then the form moves down the page, and a
  // click aimed at Merge can land on whatever moved under it (under load
  // a click once sent no merge at all).  Click once the page is still.
  await page.waitForFunction(() => ![...document.querySelectorAll('#view .paged')].some((p) => /^loading/.test(p.textContent.trim())));
  await page.selectOption('#mg-source', source);
  await page.selectOption('#mg-target', target);
  if (strategy) await page.selectOption('#merge-form [name="strategy"]', strategy);
}

async function submitToOperation(page) {
  await page.click('#merge-form button[type=submit]');
  await page.waitForURL(/#\/merges\/[0-9a-f-]+$/);
  return decodeURIComponent(page.url().split('#/merges/')[1]);
}

const row = (page, sel) => page.locator(sel).first();

test('in a browser: preview each asset\'s changes, start the merge, resolve its conflict with Take source, complete it', { skip }, async () => {
  const { page } = b;
  await req('POST', '/v1/demo/namespaces', { namespace: ['db'] }, 200);
  for (const t of ['conf', 'gone', 'hx'])
    await req('POST', '/v1/demo/namespaces/db/tables', { name: t, schema, properties: { v: 'base' } }, 200);
  await req('POST', '/api/v1/branches', { name: 'feat', catalog: 'demo', branch_type: 'ingest' }, 201);
  // Both change conf's v (a conflict); the source also adds a key that is HTML.
  await setProps('conf@feat', { v: 'feat', [EVIL]: '<b>x</b>' });
  await setProps('conf', { v: 'main' });
  // Source only: a new table.  Target only: a drop and a property change.
  await req('POST', '/v1/demo/namespaces/db/tables?branch=feat', { name: 'fresh', schema }, 200);
  assert.equal((await srv.req('DELETE', '/v1/demo/namespaces/db/tables/gone', { headers: auth })).status, 204);
  await setProps('hx', { owner: 'main' });

  await fillForm(page, 'feat', 'main');
  await page.click('#mg-preview');
  await page.waitForSelector('#merge-preview table');
  const cells = async (name) => (await row(page, `#merge-preview tr[data-asset="${name}"]`).locator('td').allTextContents());
  const conf = await cells('db.conf');
  assert.deepEqual(conf.slice(1, 3), ['modified', 'modified']);
  assert.match(conf[3], /a conflict to resolve/);
  assert.match(conf[3], /source: properties added: <img src=x onerror=window.__pwned=1>; properties changed: v/);
  assert.match(conf[3], /target: properties changed: v/);
  assert.match(conf[4], /^Property conflict: both branches set the property v of db\.conf to different values\.$/);
  const fresh = await cells('db.fresh');
  assert.deepEqual(fresh.slice(1, 3), ['added', 'unchanged']);
  assert.match(fresh[3], /takes the source's version/);
  assert.equal(fresh[4], 'no');
  const gone = await cells('db.gone');
  assert.deepEqual(gone.slice(1, 3), ['unchanged', 'deleted']);
  assert.match(gone[3], /the target keeps its own/);
  const hx = await cells('db.hx');
  assert.deepEqual(hx.slice(1, 3), ['unchanged', 'modified']);
  assert.match(hx[3], /target: properties added: owner/);
  assert.match(await page.textContent('#merge-preview p'), /feat into main: merge base [0-9a-f]{8}; 4 assets changed; 1 conflict\./);
  // The HTML key is text: no element made of it, no script run.
  assert.equal(await page.locator('#view img').count(), 0);
  assert.doesNotMatch(await page.textContent('#view'), /\bnull\b|\bundefined\b/);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  await shot(page, 'console-merge-diff');
  assert.deepEqual(await req('GET', '/api/v1/catalogs/demo/merge-operations', undefined, 200), [], 'the preview recorded nothing');

  // Merge: one conflict, shown in words on the operation's page.
  const id = await submitToOperation(page);
  await page.locator('#view .badge.conflicted').waitFor();
  const conflict = row(page, '#merge-conflicts tbody tr');
  assert.match(await conflict.textContent(), /Property conflict: both branches set the property v of db\.conf to different values\./);
  assert.doesNotMatch(await page.textContent('#merge-conflicts'), /[{}]|MetadataConflict/, 'words, not JSON');
  assert.equal(await page.isDisabled('#merge-complete'), true, 'nothing to complete before the conflict is resolved');
  await page.waitForSelector('#merge-preview tr[data-asset="db.conf"]');	// the diff of its branches
  assert.doesNotMatch(await page.textContent('#view'), /\bnull\b|\bundefined\b/);
  await shot(page, 'console-merge-operation');

  await conflict.locator('button', { hasText: 'Take source' }).click();
  await page.locator('#view .badge.ready').waitFor();
  assert.match(await row(page, '#merge-conflicts tbody tr').textContent(), /took the source's version/);
  await page.click('#merge-complete');
  await page.locator('#view .badge.completed').waitFor();
  assert.equal((await req('GET', `/api/v1/merge-operations/${id}`, undefined, 200)).status, 'Completed');
  const props = await propsOf('conf');
  assert.equal(props.v, 'feat', 'the target has the source\'s value');
  assert.equal(props[EVIL], '<b>x</b>');
  assert.ok(await req('GET', '/v1/demo/namespaces/db/tables/fresh', undefined, 200));
  assertClean(b);
});

test('in a browser: a merge with the TakeTarget strategy resolves every conflict by itself; completing keeps the target\'s values', { skip }, async () => {
  const { page } = b;
  await setProps('conf@feat', { v: 'feat2' });
  await setProps('conf', { v: 'main2' });
  await setProps('hx@feat', { owner: 'feat2' });
  await setProps('hx', { owner: 'main2' });
  await fillForm(page, 'feat', 'main', 'TakeTarget');
  const id = await submitToOperation(page);
  await page.locator('#view .badge.ready').waitFor();
  const rows = page.locator('#merge-conflicts tbody tr');
  await page.waitForFunction(() => document.querySelectorAll('#merge-conflicts tbody tr').length === 2);
  for (const t of await rows.allTextContents()) assert.match(t, /kept the target's version/);
  assert.equal(await page.locator('#merge-conflicts button', { hasText: 'Take source' }).count(), 0);
  assert.match(await page.textContent('#view'), /ready to complete/);
  await page.click('#merge-complete');
  await page.locator('#view .badge.completed').waitFor();
  assert.equal((await req('GET', `/api/v1/merge-operations/${id}`, undefined, 200)).status, 'Completed');
  assert.equal((await propsOf('conf')).v, 'main2');
  assert.equal((await propsOf('hx')).owner, 'main2');
  assertClean(b);
});

test('in a browser: Manual needs a metadata file (the server\'s refusal beside the field), and Abort ends the merge', { skip }, async () => {
  const { page } = b;
  await setProps('conf@feat', { v: 'feat3' });
  await setProps('conf', { v: 'main3' });
  await fillForm(page, 'feat', 'main');
  const id = await submitToOperation(page);
  await page.locator('#view .badge.conflicted').waitFor();
  const conflict = row(page, '#merge-conflicts tbody tr');
  await conflict.locator('summary', { hasText: 'Manual' }).click();
  const manual = conflict.locator('form');
  await manual.locator('[name="resolved_value"]').fill('/elsewhere/metadata.json');
  await manual.locator('button[type=submit]').click();
  const formId = await manual.getAttribute('id');
  await page.waitForFunction((fid) => document.querySelector(`#${fid} .field-error`)?.textContent, formId);
  assert.match(await fieldError(page, formId, 'resolved_value'), /^422: `resolved_value` must lie inside the asset's location/);
  // 360 px: the page (conflicts, the diff) fits the screen.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.reload();
  await page.waitForSelector('#merge-preview table');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `page is ${width} px wide at a 360 px viewport`);
  await shot(page, 'console-merge-360');
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.click('#merge-abort');
  await page.locator('#view .badge.aborted').waitFor();
  assert.equal((await req('GET', `/api/v1/merge-operations/${id}`, undefined, 200)).status, 'Aborted');
  assert.equal((await propsOf('conf')).v, 'main3', 'an aborted merge changes nothing');

  // The merges list pages every catalog's operations.
  await open(page, b.base, '#/merges', 'Merge operations');
  const list = page.locator('section[data-merges="demo"] table');
  await list.waitFor();
  const text = await list.textContent();
  for (const s of ['Completed', 'Aborted']) assert.match(text, new RegExp(s));
  assert.equal(await page.locator(`section[data-merges="demo"] tr[data-op="${id}"] .badge.aborted`).count(), 1);
  assertClean(b);
});

test('in a browser: the server\'s refusals of a merge are shown beside the field they concern', { skip }, async () => {
  const { page } = b;
  await fillForm(page, 'main', 'main');
  await page.click('#merge-form button[type=submit]');
  await page.waitForSelector('#mg-target[aria-invalid="true"]');
  assert.match(await fieldError(page, 'merge-form', 'target_branch'), /^400: Cannot merge branch 'main' into itself/);
  assert.equal(await fieldError(page, 'merge-form', 'source_branch'), '');
  // The preview refuses the same pair, in words.
  await page.click('#mg-preview');
  await page.waitForSelector('#merge-out .error');
  assert.match(await page.textContent('#merge-out .error'), /400 Cannot merge branch 'main' into itself/);

  await req('POST', '/api/v1/branches', { name: 'exp', catalog: 'demo', branch_type: 'experimental' }, 201);
  await fillForm(page, 'exp', 'main');
  await page.click('#merge-form button[type=submit]');
  await page.waitForSelector('#merge-form [name="force"][aria-invalid="true"]');
  assert.match(await fieldError(page, 'merge-form', 'force'), /^400: Branch 'exp' is experimental: merging it into main needs "force": true/);
  // With force it merges (nothing changed on exp: completes at once).
  await page.check('#merge-form [name="force"]');
  await page.click('#merge-form button[type=submit]');
  await page.waitForURL(/#\/merges\/[0-9a-f-]+$/);
  await page.locator('#view .badge.completed').waitFor();
  assertClean(b);
});
