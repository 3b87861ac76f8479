// The console's manage screens in a real browser (issue 27): home, the
// create/edit/delete forms of tenants, warehouses, catalogs (local and
// federated), namespaces, branches and tags, lists that page past 100
// rows, a finished task's full bar and outcome, 360 px, keyboard only,
// names with HTML shown as text.  One server (SQLite, auth on, root);
// task runners off, so a task the test writes into the store stays so.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { assertClean, browserSkip, fieldError, open, openBrowser, shot, signIn } from './lib/browser.js';
import { basic, freePort, NIL_UUID, startServer, tmpDir } from './lib/server.js';

const skip = browserSkip();
const HTML_NAME = '<img src=x onerror=alert(1)>';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const AZURITE = 'http://127.0.0.1:10000';
const MASK = '********';	// API_SECRET_MASK (warehouse_secrets.h)
const AZURE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
let srv, b, page, admin, base, dead;	// page: root's tab; admin: a tenant admin's
const ADMIN = 'ta';
const ADMIN_PASSWORD = 'Tenant-Adm1n-Passw0rd';

// Root's call, in the default tenant (warehouses need it named).
async function call(method, p, body, ...want) {
  const r = await srv.req(method, p, { body, headers: { authorization: basic(), 'x-pangolin-tenant': NIL_UUID } });
  assert.ok(want.includes(r.status), `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
}

// The tenant admin's call (catalogs and a warehouse's removal are theirs).
let adminToken;
async function asAdmin(method, p, body, ...want) {
  const r = await srv.req(method, p, { body, headers: { authorization: `Bearer ${adminToken}` } });
  assert.ok(want.includes(r.status), `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
}

function sql(q) {
  const r = spawnSync('sqlite3', [srv.dbPath, q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

/** The error form() shows beside a field, once it says something like re. */
async function errorBeside(formId, name, re, p = page) {
  let text = '';
  for (let i = 0; i < 100; i++) {
    text = await fieldError(p, formId, name);
    if (re.test(text)) return text;
    await sleep(50);
  }
  assert.fail(`beside ${formId} ${name}: wanted ${re}, saw ${JSON.stringify(text)}; form says ${await p.textContent(`#${formId}`)}`);
}

const row = (listId, text, p = page) => p.locator(`#${listId} tr`, { hasText: text });
const submit = (formId, p = page) => p.click(`#${formId} button[type=submit]`);

before(async () => {
  if (skip) return;
  const dir = tmpDir('pgl-ui-manage');
  dead = `http://127.0.0.1:${await freePort()}`;	// allowed, nobody listens
  // AZURITE: the emulator's origin an Azure warehouse names (nothing is
  // contacted when a warehouse is made, so nothing need listen there).
  srv = await startServer({ store: 'sqlite', dir, noAuth: false, root: true, allowEndpoints: [dead, AZURITE],
    // A partial branch copying more than 2 tables is made by a task (202).
    env: { TASK_WORKER_ENABLED: 'false', PANGOLIN_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
      PANGOLIN_BRANCH_INLINE_MAX_ASSETS: '2' },
    extra: ['[defaults]', 'warehouse = "wh"', `warehouse_root = ${JSON.stringify(path.join(dir, 'warehouse'))}`,
      'catalog = "demo"'].join('\n') });
  await call('POST', '/v1/demo/namespaces', { namespace: ['db'] }, 200);
  for (const name of ['orders', 'items', 'users'])
    await call('POST', '/v1/demo/namespaces/db/tables', { name, schema: { type: 'struct', 'schema-id': 0,
      fields: [{ id: 1, name: 'id', required: true, type: 'long' }] } }, 200);
  b = await openBrowser(srv);
  page = b.page;
  base = b.base;
  await signIn(page, base);
  // Catalogs, and a warehouse's removal, are a tenant admin's (routes.c).
  await call('POST', '/api/v1/users', { username: ADMIN, password: ADMIN_PASSWORD, tenant_id: NIL_UUID, role: 'tenant-admin' }, 201);
  adminToken = (await call('POST', '/api/v1/users/login', { username: ADMIN, password: ADMIN_PASSWORD, 'tenant-id': NIL_UUID }, 200)).token;
  admin = await b.newPage();
  await signIn(admin, base, { user: ADMIN, password: ADMIN_PASSWORD, tenant: NIL_UUID });
});

after(async () => {
  await b?.browser.close();
  await srv?.stop();
});

test('home: the counts the dashboard API serves, the tasks under way with bars linking to each', { skip }, async () => {
  const now = Date.now();
  const q = (v) => (v == null ? 'NULL' : `'${String(v).replace(/'/g, "''")}'`);
  for (const [id, status, done, total, phase] of [['11111111-0000-4000-8000-000000000001', 'running', 3, 8, 'expire'],
    ['22222222-0000-4000-8000-000000000002', 'queued', 0, 0, null]])
    sql(`INSERT INTO tasks VALUES(${q(id)},${q(NIL_UUID)},'maintenance',${q(status)},'demo','main','db','orders',` +
      `'{"operations":["expire_snapshots"]}',${done},${total},${q(phase)},NULL,NULL,NULL,0,3,'root',NULL,0,0,0,` +
      `${now},${status === 'running' ? now - 2000 : 0},0,${now})`);
  await open(page, base, '#/', 'Home');
  await page.waitForSelector('#home-stats .stat');
  const stats = await call('GET', '/api/v1/dashboard/stats', undefined, 200);
  const keys = Object.keys(stats).filter((k) => k.endsWith('_count'));
  assert.ok(keys.length >= 7, JSON.stringify(stats));
  for (const k of keys)
    assert.equal(await page.textContent(`[data-stat="${k}"] .stat-value`), String(stats[k]), k);
  assert.equal(await page.getAttribute('nav a[href="#/home"]', 'aria-current'), 'page');

  const run = page.locator('#home-tasks tr[data-task="11111111-0000-4000-8000-000000000001"]');
  await run.waitFor();
  assert.equal(await run.locator('progress').getAttribute('value'), '3');
  assert.equal(await run.locator('progress').getAttribute('max'), '8');
  assert.match(await run.textContent(), /3\/8 · expire/);
  await page.locator('#home-tasks tr[data-task="22222222-0000-4000-8000-000000000002"] .badge.queued').waitFor();
  // The bar moves without a reload.
  sql("UPDATE tasks SET progress_done = 6 WHERE id LIKE '11111111%'");
  await run.locator('.label:has-text("6/8")').waitFor({ timeout: 5000 });
  await shot(page, 'console-home');
  await run.locator('a').first().click();
  await page.waitForSelector('#task-detail');
  assert.match(page.url(), /#\/tasks\/11111111-0000-4000-8000-000000000001$/);
  sql("UPDATE tasks SET status = 'cancelled' WHERE id LIKE '11111111%' OR id LIKE '22222222%'");
});

test('tenants: create, a duplicate name beside the name, edit then reload, delete', { skip }, async () => {
  await open(page, base, '#/tenants', 'Tenants');
  await page.fill('#tenant-form [name=name]', 'acme');
  await page.fill('#tenant-form [name=properties]', '{"owner": "data team"}');
  await submit('tenant-form');
  await row('tenant-list', 'acme').waitFor();
  assert.match(await row('tenant-list', 'acme').textContent(), /owner=data team/);
  assert.doesNotMatch(await page.textContent('#tenant-list'), /\bnull\b|\bundefined\b/, 'a one-page list writes no absent value');

  await page.fill('#tenant-form [name=name]', 'acme');
  await submit('tenant-form');
  await errorBeside('tenant-form', 'name', /409.*already exists/);
  assert.equal(await page.getAttribute('#tenant-form [name=name]', 'aria-invalid'), 'true');

  await row('tenant-list', 'acme').locator('a').click();
  await page.waitForSelector('#tenant-edit');
  await page.fill('#tenant-edit [name=properties]', '{"owner": "platform"}');
  await submit('tenant-edit');
  await page.waitForSelector('#view dd:has-text("owner=platform")');
  await page.reload();
  await page.waitForSelector('#view dd:has-text("owner=platform")');
  const t = (await call('GET', '/api/v1/tenants?limit=1000', undefined, 200)).find((x) => x.name === 'acme');
  assert.deepEqual(t.properties, { owner: 'platform' });

  await page.click('#tenant-delete');
  await page.waitForSelector('#tenant-list table');
  assert.equal(await row('tenant-list', 'acme').count(), 0);
  assert.ok(!(await call('GET', '/api/v1/tenants?limit=1000', undefined, 200)).some((x) => x.name === 'acme'));
});

test('warehouses: local and S3 with secrets and vending; a refused endpoint and a duplicate name beside their fields; edit, delete', { skip }, async () => {
  await open(page, base, '#/warehouses', 'Warehouses');
  // Root places storage in a tenant it names: the page says so.
  await page.waitForSelector('#pick-tenant');
  // The header's tenant switch (app.js) is where root picks one.
  await page.selectOption('#tenant-pick', NIL_UUID);
  await page.waitForSelector('#warehouse-form');
  assert.equal(await page.locator('#pick-tenant').count(), 0);
  await row('warehouse-list', 'wh').waitFor();

  // Local: the S3 fields are hidden.
  assert.equal(await page.isVisible('#warehouse-form [name=bucket]'), false);
  await page.fill('#warehouse-form [name=name]', 'lake-local');
  await submit('warehouse-form');
  await row('warehouse-list', 'lake-local').waitFor();
  assert.match(await row('warehouse-list', 'lake-local').textContent(), /local \//);

  // S3, with an endpoint on loopback the operator did not list: 400 beside it.
  await page.fill('#warehouse-form [name=name]', 'lake-s3');
  await page.selectOption('#warehouse-form [name=type]', 's3');
  await page.fill('#warehouse-form [name=bucket]', 'analytics');
  await page.fill('#warehouse-form [name=region]', 'eu-west-1');
  await page.fill('#warehouse-form [name=endpoint]', 'http://127.0.0.1:9');
  await page.fill('#warehouse-form [name=access_key]', 'AKIAEXAMPLE');
  await page.fill('#warehouse-form [name=secret_key]', 'very-secret-value');
  await page.selectOption('#warehouse-form [name=vending_strategy]', 'AwsSts');
  await page.fill('#warehouse-form [name=role_arn]', 'arn:aws:iam::123456789012:role/lake');
  await submit('warehouse-form');
  await errorBeside('warehouse-form', 'endpoint', /400.*loopback.*allowed_endpoints/);
  await shot(page, 'console-warehouse-form');
  await page.fill('#warehouse-form [name=bucket]', 'Bad_Bucket');
  await page.fill('#warehouse-form [name=endpoint]', 'https://s3.example.com');
  await submit('warehouse-form');
  await errorBeside('warehouse-form', 'bucket', /400.*bucket is not a name S3 accepts/);
  await page.fill('#warehouse-form [name=bucket]', 'analytics');
  await submit('warehouse-form');
  await row('warehouse-list', 'lake-s3').waitFor();
  const w = await call('GET', '/api/v1/warehouses/lake-s3', undefined, 200);
  assert.equal(w.storage_config['s3.bucket'], 'analytics');
  assert.equal(w.storage_config['s3.endpoint'], 'https://s3.example.com');
  assert.equal(w.storage_config['s3.region'], 'eu-west-1');
  // Whether the keys go out is the operator's (issue 67): no such field.
  assert.equal(w.storage_config.vend_static_keys, undefined);
  assert.notEqual(w.storage_config['s3.secret-access-key'], 'very-secret-value', 'the secret is masked');
  assert.deepEqual(Object.keys(w.vending_strategy), ['AwsSts']);
  assert.equal(w.vending_strategy.AwsSts.role_arn, 'arn:aws:iam::123456789012:role/lake');

  // A duplicate name: 409 beside the name.
  await page.fill('#warehouse-form [name=name]', 'lake-local');
  await page.selectOption('#warehouse-form [name=type]', 'local');
  await submit('warehouse-form');
  await errorBeside('warehouse-form', 'name', /409.*already exists/);

  // Edit: the region; the secret, write-only, stays; reload shows it.
  await row('warehouse-list', 'lake-s3').locator('a').click();
  await page.waitForSelector('#warehouse-edit');
  assert.equal(await page.inputValue('#warehouse-edit [name=secret_key]'), '', 'a secret is never filled in');
  assert.doesNotMatch(await page.textContent('#view'), /very-secret-value/);
  await page.fill('#warehouse-edit [name=region]', 'us-west-2');
  await submit('warehouse-edit');
  await page.reload();
  await page.waitForSelector('#warehouse-edit');
  assert.equal(await page.inputValue('#warehouse-edit [name=region]'), 'us-west-2');
  const w2 = await call('GET', '/api/v1/warehouses/lake-s3', undefined, 200);
  assert.equal(w2.storage_config['s3.region'], 'us-west-2');
  assert.equal(w2.storage_config['s3.secret-access-key'], w.storage_config['s3.secret-access-key'], 'the secret kept');
  // An edit the server refuses lands beside its field too.
  await page.fill('#warehouse-edit [name=endpoint]', 'ftp://nope');
  await submit('warehouse-edit');
  await errorBeside('warehouse-edit', 'endpoint', /400.*http:\/\/ or https:\/\//);

  // Deleting is a tenant admin's: root is told so, the admin deletes.
  assert.equal(await page.locator('#warehouse-delete').count(), 0);
  await page.waitForSelector('[data-why="tenant-admin-only"]');
  await open(admin, base, '#/warehouses/lake-s3', 'Warehouse lake-s3');
  await admin.click('#warehouse-delete');
  await admin.waitForSelector('#warehouse-list table');
  assert.equal(await row('warehouse-list', 'lake-s3', admin).count(), 0);
  await call('GET', '/api/v1/warehouses/lake-s3', undefined, 404);
});

test('warehouses: Azure with an account key or an Entra service principal; its abfss summary; the key masked, and kept by an edit that leaves it empty; a bad SAS lifetime beside its field', { skip }, async () => {
  await open(page, base, '#/warehouses', 'Warehouses');
  if (await page.locator('#pick-tenant').count()) await page.selectOption('#tenant-pick', NIL_UUID);
  await page.waitForSelector('#warehouse-form');
  const F = '#warehouse-form';
  const shown = async (names, want) => {
    for (const n of names) assert.equal(await page.isVisible(`${F} [name=${n}]`), want, `${n} ${want ? 'shown' : 'hidden'}`);
  };
  // Each type shows its own fields: Azure's none of S3's, STS or the vending strategy.
  await page.selectOption(`${F} [name=type]`, 'local');
  await shown(['account_name', 'container', 'account_key', 'sas_lifetime_secs'], false);
  await page.selectOption(`${F} [name=type]`, 'azure');
  await shown(['account_name', 'container', 'prefix', 'endpoint', 'auth', 'account_key', 'sas_lifetime_secs'], true);
  await shown(['root', 'bucket', 'region', 'access_key', 'secret_key', 'path_style', 'use_sts',
    'vending_strategy', 'role_arn', 'tenant_id', 'client_id', 'client_secret'], false);
  assert.match(await page.textContent(`${F} .field:has([name=endpoint]) .help`),
    /^empty: https:\/\/<account>\.blob\.core\.windows\.net; the emulator: http:\/\/host:port\/<account>$/);
  await page.selectOption(`${F} [name=auth]`, 'entra');
  await shown(['tenant_id', 'client_id', 'client_secret'], true);
  await shown(['account_key'], false);
  await page.selectOption(`${F} [name=auth]`, 'key');

  // A lifetime out of 60..86400: the server's 400 beside the field.
  const endpoint = `${AZURITE}/devstoreaccount1`;
  await page.fill(`${F} [name=name]`, 'lake-az');
  await page.fill(`${F} [name=account_name]`, 'devstoreaccount1');
  await page.fill(`${F} [name=container]`, 'lake');
  await page.fill(`${F} [name=prefix]`, 'analytics');
  await page.fill(`${F} [name=endpoint]`, endpoint);
  // No key: the server names account_key and the Entra fields; the
  // refusal lands beside the one on screen.
  await submit('warehouse-form');
  await errorBeside('warehouse-form', 'account_key', /^400: an azure warehouse needs account_key/);
  await page.fill(`${F} [name=account_key]`, AZURE_KEY);
  await page.fill(`${F} [name=sas_lifetime_secs]`, '5');
  await submit('warehouse-form');
  await errorBeside('warehouse-form', 'sas_lifetime_secs', /^400: .*sas_lifetime_secs .*60 to 86400/);
  await page.fill(`${F} [name=sas_lifetime_secs]`, '900');
  await submit('warehouse-form');
  await row('warehouse-list', 'lake-az').waitFor();
  assert.match(await row('warehouse-list', 'lake-az').textContent(), /abfss:\/\/lake@devstoreaccount1 at http:\/\/127\.0\.0\.1:10000\/devstoreaccount1/);
  // The form is back at local after a create: no Azure field left shown.
  await shown(['account_name', 'account_key'], false);

  const w = await call('GET', '/api/v1/warehouses/lake-az', undefined, 200);
  assert.deepEqual(w.storage_config, { type: 'azure', account_name: 'devstoreaccount1', container: 'lake', prefix: 'analytics',
    endpoint, account_key: MASK, sas_lifetime_secs: '900' });
  assert.equal(w.use_sts, false);
  assert.equal(w.vending_strategy, 'None');
  const sealed = () => JSON.parse(sql("SELECT storage_config FROM warehouses WHERE name = 'lake-az'")).account_key;
  const key = sealed();
  assert.ok(key && key !== AZURE_KEY, 'the key is stored sealed');

  // Edit: the key is never filled in; a new lifetime with the key left
  // empty sends only the lifetime, and the stored key stays.
  await row('warehouse-list', 'lake-az').locator('a').click();
  await page.waitForSelector('#warehouse-edit');
  const E = '#warehouse-edit';
  assert.match(await page.textContent('#view dd'), /lake-az/);
  assert.match(await page.textContent('#view'), /abfss:\/\/lake@devstoreaccount1 at /);
  assert.doesNotMatch(await page.textContent('#view'), new RegExp(AZURE_KEY.slice(0, 20)));
  assert.equal(await page.inputValue(`${E} [name=type]`), 'azure');
  assert.equal(await page.inputValue(`${E} [name=account_key]`), '', 'a key is never filled in');
  assert.equal(await page.inputValue(`${E} [name=account_name]`), 'devstoreaccount1');
  assert.equal(await page.inputValue(`${E} [name=prefix]`), 'analytics');
  assert.equal(await page.inputValue(`${E} [name=endpoint]`), endpoint);
  assert.equal(await page.inputValue(`${E} [name=sas_lifetime_secs]`), '900');
  assert.equal(await page.isVisible(`${E} [name=use_sts]`), false);
  await page.fill(`${E} [name=sas_lifetime_secs]`, '7200');
  const put = page.waitForRequest((rq) => rq.method() === 'PUT' && rq.url().endsWith('/api/v1/warehouses/lake-az'));
  await submit('warehouse-edit');
  assert.deepEqual((await put).postDataJSON(), { storage_config: { sas_lifetime_secs: '7200' } });
  await page.waitForSelector('#status:has-text("warehouse saved")');
  await page.reload();
  await page.waitForSelector('#warehouse-edit');
  assert.equal(await page.inputValue(`${E} [name=sas_lifetime_secs]`), '7200');
  const w2 = await call('GET', '/api/v1/warehouses/lake-az', undefined, 200);
  assert.equal(w2.storage_config.sas_lifetime_secs, '7200');
  assert.equal(w2.storage_config.account_key, MASK, 'the server still has a key');
  assert.equal(sealed(), key, 'the stored key kept as it was');
  // An edit the server refuses: its 400 beside the field, nothing stored.
  await page.fill(`${E} [name=sas_lifetime_secs]`, '5');
  await submit('warehouse-edit');
  await errorBeside('warehouse-edit', 'sas_lifetime_secs', /^400: .*sas_lifetime_secs .*60 to 86400/);
  assert.equal((await call('GET', '/api/v1/warehouses/lake-az', undefined, 200)).storage_config.sas_lifetime_secs, '7200');

  // An Entra service principal instead of a key: its secret masked, the ids shown.
  await open(page, base, '#/warehouses', 'Warehouses');
  await page.selectOption(`${F} [name=type]`, 'azure');
  await page.fill(`${F} [name=name]`, 'lake-az-entra');
  await page.fill(`${F} [name=account_name]`, 'contosolake');
  await page.fill(`${F} [name=container]`, 'iceberg');
  await page.selectOption(`${F} [name=auth]`, 'entra');
  await page.fill(`${F} [name=tenant_id]`, '72f988bf-86f1-41af-91ab-2d7cd011db47');
  await page.fill(`${F} [name=client_id]`, '00000000-0000-0000-0000-0000000000aa');
  await page.fill(`${F} [name=client_secret]`, 'entra-client-secret');
  await submit('warehouse-form');
  await row('warehouse-list', 'lake-az-entra').waitFor();
  assert.match(await row('warehouse-list', 'lake-az-entra').textContent(), /abfss:\/\/iceberg@contosolake(?! at)/);
  const we = await call('GET', '/api/v1/warehouses/lake-az-entra', undefined, 200);
  assert.deepEqual(we.storage_config, { type: 'azure', account_name: 'contosolake', container: 'iceberg',
    tenant_id: '72f988bf-86f1-41af-91ab-2d7cd011db47', client_id: '00000000-0000-0000-0000-0000000000aa',
    client_secret: MASK });
  await open(page, base, '#/warehouses/lake-az-entra', 'Warehouse lake-az-entra');
  assert.equal(await page.inputValue('#warehouse-edit [name=auth]'), 'entra');
  assert.equal(await page.inputValue('#warehouse-edit [name=client_secret]'), '');
  assert.equal(await page.isVisible('#warehouse-edit [name=account_key]'), false);
  assert.match(await page.textContent('#credentials-form .help'), /an abfss:\/\/ location inside the warehouse: a SAS/);

  await asAdmin('DELETE', '/api/v1/warehouses/lake-az', undefined, 204);
  await asAdmin('DELETE', '/api/v1/warehouses/lake-az-entra', undefined, 204);
});

test('catalogs: create on a warehouse, a duplicate name and a vanished warehouse beside their fields, edit then reload, delete', { skip }, async () => {
  await call('POST', '/api/v1/warehouses', { name: 'gone', storage_config: { type: 'local' } }, 201);
  await open(admin, base, '#/catalogs', 'Catalogs');
  await admin.waitForSelector('#catalog-form');
  await admin.fill('#catalog-form [name=name]', 'sales');
  await admin.selectOption('#catalog-form [name=warehouse_name]', 'wh');
  await admin.fill('#catalog-form [name=properties]', '{"team": "sales"}');
  await submit('catalog-form', admin);
  await row('catalog-list', 'sales', admin).waitFor();
  const cells = await row('catalog-list', 'sales', admin).locator('td').allTextContents();
  assert.deepEqual([cells[0], cells[1], cells[4], cells[6]], ['sales', 'wh', '1', 'Local']);

  // As you type: a taken name is named before any submit, and a free one
  // clears it (POST /api/v1/validate/names).
  await admin.fill('#catalog-form [name=name]', 'sales');
  await errorBeside('catalog-form', 'name', /^a catalog of that name exists$/, admin);
  await admin.fill('#catalog-form [name=name]', 'sales-2');
  await errorBeside('catalog-form', 'name', /^$/, admin);
  await admin.fill('#catalog-form [name=name]', 'sales');
  await submit('catalog-form', admin);
  await errorBeside('catalog-form', 'name', /409.*already exists/, admin);

  // The warehouse chosen is deleted before the form is sent.
  await admin.fill('#catalog-form [name=name]', 'orphan');
  await admin.selectOption('#catalog-form [name=warehouse_name]', 'gone');
  await asAdmin('DELETE', '/api/v1/warehouses/gone', undefined, 204);
  await submit('catalog-form', admin);
  await errorBeside('catalog-form', 'warehouse_name', /400.*Warehouse not found/, admin);

  await row('catalog-list', 'sales', admin).locator('a').click();
  await admin.waitForSelector('#catalog-edit');
  await admin.fill('#catalog-edit [name=properties]', '{"team": "finance"}');
  await submit('catalog-edit', admin);
  await admin.waitForSelector('#view dd:has-text("team=finance")');
  await admin.reload();
  await admin.waitForSelector('#view dd:has-text("team=finance")');
  assert.deepEqual((await call('GET', '/api/v1/catalogs/sales', undefined, 200)).properties, { team: 'finance' });
  await admin.click('#catalog-delete');
  await admin.waitForSelector('#catalog-list table');
  assert.equal(await row('catalog-list', 'sales', admin).count(), 0);
  await call('GET', '/api/v1/catalogs/sales', undefined, 404);
});

test('federated catalogs: a refused remote beside its field, create against an unreachable one, Test shows the server\'s error, Sync, stats, delete', { skip }, async () => {
  await open(admin, base, '#/catalogs', 'Catalogs');
  await admin.waitForSelector('#federated-form');
  await admin.fill('#federated-form [name=name]', 'remote');
  await admin.fill('#federated-form [name=uri]', 'http://127.0.0.1:1/catalog');	// loopback, not listed
  await submit('federated-form', admin);
  await errorBeside('federated-form', 'uri', /400.*loopback.*allowed_endpoints/, admin);
  await admin.fill('#federated-form [name=uri]', dead);
  await admin.selectOption('#federated-form [name=auth]', 'token');
  await admin.fill('#federated-form [name=token]', 'remote-token');
  await submit('federated-form', admin);
  await row('catalog-list', 'remote', admin).waitFor();
  assert.match(await row('catalog-list', 'remote', admin).textContent(), /Federated/);
  const fed = await call('GET', '/api/v1/federated-catalogs/remote', undefined, 200);
  assert.equal(fed.properties.uri, dead);
  assert.notEqual(fed.properties.token, 'remote-token', 'masked');

  await admin.fill('#federated-form [name=name]', 'remote');
  // The console's own check says so first, as the name is typed; waited
  // for, because its line appearing beside the name moves the button
  // below it: a click aimed before it appeared landed off the button
  // once (the create never reached the server).
  await errorBeside('federated-form', 'name', /^a catalog of that name exists$/, admin);
  await admin.fill('#federated-form [name=uri]', dead);
  await submit('federated-form', admin);
  await errorBeside('federated-form', 'name', /409/, admin);

  await row('catalog-list', 'remote', admin).locator('a').click();
  await admin.waitForSelector('#fed-test');
  const probe = await srv.req('POST', '/api/v1/federated-catalogs/remote/test', { headers: { authorization: basic() } });
  assert.ok(probe.status >= 500, probe.text);
  await admin.click('#fed-test');
  await admin.waitForSelector('#fed-result.error');
  const said = await admin.textContent('#fed-result');
  // The server's own words (the milliseconds it took differ each time).
  const words = probe.json.error.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\d+ ms/, '\\d+ ms');
  assert.match(said, new RegExp(`^Test failed: ${probe.status} ${words}$`), probe.text);
  await admin.click('#fed-sync');
  await admin.waitForSelector('#fed-result a[href^="#/tasks/"]');
  await admin.waitForSelector('#fed-stats dd:has-text("Running")');
  await admin.click('#catalog-delete');
  await admin.waitForSelector('#catalog-list table');
  assert.equal(await row('catalog-list', 'remote', admin).count(), 0);
  await call('GET', '/api/v1/federated-catalogs/remote', undefined, 404);
});

test('namespaces: create with properties, a duplicate beside its field, edit properties then reload, tables listed, delete', { skip }, async () => {
  await open(admin, base, '#/catalogs/demo', 'Catalog demo');
  await admin.waitForSelector('#namespace-form');
  await row('namespace-list', 'db', admin).waitFor();
  await admin.fill('#namespace-form [name=namespace]', 'sales');
  await admin.fill('#namespace-form [name=properties]', '{"owner": "ana"}');
  await submit('namespace-form', admin);
  await row('namespace-list', 'sales', admin).waitFor();
  assert.deepEqual((await call('GET', '/v1/demo/namespaces/sales', undefined, 200)).properties, { owner: 'ana' });
  await admin.fill('#namespace-form [name=namespace]', 'sales');
  await submit('namespace-form', admin);
  await errorBeside('namespace-form', 'namespace', /409.*already exists/i, admin);

  await row('namespace-list', 'sales', admin).locator('a').click();
  await admin.waitForSelector('#namespace-edit');
  await admin.fill('#namespace-edit [name=properties]', '{"owner": "bo", "tier": "gold"}');
  await submit('namespace-edit', admin);
  await admin.waitForSelector('#view dd:has-text("tier=gold")');
  await admin.reload();
  await admin.waitForSelector('#view dd:has-text("owner=bo, tier=gold")');
  // A removed key is removed.
  await admin.fill('#namespace-edit [name=properties]', '{"tier": "gold"}');
  await submit('namespace-edit', admin);
  await admin.waitForSelector('#view dd:text-is("tier=gold")');
  assert.deepEqual((await call('GET', '/v1/demo/namespaces/sales', undefined, 200)).properties, { tier: 'gold' });

  await open(admin, base, '#/catalogs/demo/namespaces/db', 'Namespace db of demo');
  await admin.waitForSelector('#table-list a:text-is("db.orders")');
  await admin.click('#table-list a:text-is("db.orders")');
  await admin.waitForSelector('#maint-form');

  await open(admin, base, '#/catalogs/demo', 'Catalog demo');
  await row('namespace-list', 'sales', admin).locator('button:has-text("Delete")').click();
  await admin.waitForFunction(() => ![...document.querySelectorAll('#namespace-list td')].some((td) => td.textContent === 'sales'));
  await call('GET', '/v1/demo/namespaces/sales', undefined, 404);
});

test('lists page past 100 rows: 105 child namespaces (Iceberg page tokens) and 105 warehouses', { skip }, async () => {
  await call('POST', '/v1/demo/namespaces', { namespace: ['many'] }, 200);
  const names = Array.from({ length: 105 }, (_, i) => `n${String(i).padStart(3, '0')}`);
  for (const n of names) await call('POST', '/v1/demo/namespaces', { namespace: ['many', n] }, 200);
  await open(page, base, '#/catalogs/demo/namespaces/many', 'Namespace many of demo');
  const list = page.locator('#namespace-list');
  await list.locator('tbody tr').first().waitFor();
  assert.equal(await list.locator('tbody tr').count(), 100);
  assert.match(await list.locator('.page-info').textContent(), /^rows 1–100$/);
  await list.locator('button:text-is("Next")').click();
  await list.locator('.page-info:has-text("rows 101–105 of 105")').waitFor();
  assert.deepEqual(await list.locator('tbody tr td:first-child').allTextContents(),
    names.slice(100).map((n) => `many.${n}`));
  assert.equal(await list.locator('button:text-is("Next")').isDisabled(), true);
  await list.locator('button:text-is("Previous")').click();
  await list.locator('.page-info:has-text("rows 1–100")').waitFor();

  for (let i = 0; i < 105; i++)
    await call('POST', '/api/v1/warehouses', { name: `pw${String(i).padStart(3, '0')}`, storage_config: { type: 'local' } }, 201);
  const total = Number((await srv.req('GET', '/api/v1/warehouses?limit=1', { headers: { authorization: basic() } })).headers['x-total-count']);
  assert.ok(total > 105);
  await open(page, base, '#/warehouses', 'Warehouses');
  const wl = page.locator('#warehouse-list');
  await wl.locator('.page-info').waitFor();
  assert.equal(await wl.locator('.page-info').textContent(), `rows 1–100 of ${total}`);
  await wl.locator('button:text-is("Next")').click();
  await wl.locator(`.page-info:has-text("rows 101–${total} of ${total}")`).waitFor();
  assert.equal(await wl.locator('tbody tr').count(), total - 100);

  // Tasks: the polled list pages too, its page kept in the address.
  const now = Date.now();
  for (let i = 0; i < 105; i++) {
    const id = `77777777-0000-4000-8000-${String(i).padStart(12, '0')}`;
    sql(`INSERT INTO tasks VALUES('${id}','${NIL_UUID}','maintenance','succeeded','demo','main','db','orders',` +
      `'{"operations":["expire_snapshots"]}',1,1,NULL,NULL,NULL,NULL,1,3,'root',NULL,0,0,0,${now},${now},${now},${now})`);
  }
  const tasks = Number((await srv.req('GET', '/api/v1/tasks?limit=1', { headers: { authorization: basic() } })).headers['x-total-count']);
  assert.ok(tasks >= 105);
  await open(page, base, '#/tasks', 'Tasks');
  const tp = page.locator('#task-pager');
  await tp.locator('.page-info').waitFor();
  assert.equal(await tp.locator('.page-info').textContent(), `rows 1–100 of ${tasks}`);
  assert.equal(await page.locator('#task-list tbody tr').count(), 100);
  await tp.locator('button:text-is("Next")').click();
  await tp.locator(`.page-info:has-text("rows 101–${tasks} of ${tasks}")`).waitFor();
  assert.match(page.url(), /#\/tasks\?offset=100$/);
  await page.waitForFunction((n) => document.querySelectorAll('#task-list tbody tr').length === n, tasks - 100);
  await page.reload();
  await tp.locator(`.page-info:has-text("rows 101–${tasks} of ${tasks}")`).waitFor();
});

test('branches: create with partial assets, a duplicate beside the name, a tag on its head, a large branch follows its 202 to the task, commits, delete', { skip }, async () => {
  await open(admin, base, '#/catalogs/demo', 'Catalog demo');
  await admin.waitForSelector('#branch-form');
  await admin.fill('#branch-form [name=name]', 'part');
  await admin.selectOption('#branch-form [name=branch_type]', 'ingest');
  await admin.selectOption('#branch-form [name=from_branch]', 'main');
  await admin.fill('#branch-form [name=assets]', 'db.orders');
  await submit('branch-form', admin);
  await row('branch-list', 'part', admin).waitFor();
  const br = await call('GET', '/api/v1/branches/part?catalog=demo', undefined, 200);
  assert.equal(br.branch_type, 'ingest');
  assert.deepEqual(br.assets, ['db.orders']);
  assert.match(await row('branch-list', 'part', admin).textContent(), /ingest.*db\.orders/);

  await admin.fill('#branch-form [name=name]', 'part');
  await submit('branch-form', admin);
  await errorBeside('branch-form', 'name', /409.*already exists/, admin);

  // The tag form offers the branch heads; the page reloads to list the new one.
  await admin.reload();
  await admin.waitForSelector('#tag-form');
  const option = admin.locator('#tag-form [name=commit_id] option', { hasText: 'head of part' });
  assert.equal(await option.getAttribute('value'), br.head_commit_id);
  await admin.fill('#tag-form [name=name]', 'v-part');
  await admin.selectOption('#tag-form [name=commit_id]', br.head_commit_id);
  await submit('tag-form', admin);
  await row('tag-list', 'v-part', admin).waitFor();
  assert.match(await row('tag-list', 'v-part', admin).textContent(), new RegExp(br.head_commit_id));
  await admin.fill('#tag-form [name=name]', 'v-part2');
  await admin.fill('#tag-form [name=other_commit]', 'not-a-commit');
  await submit('tag-form', admin);
  await errorBeside('tag-form', 'commit_id', /422.*commit_id.*UUID/, admin);
  await admin.fill('#tag-form [name=other_commit]', '');
  await admin.fill('#tag-form [name=name]', 'v-part');
  await submit('tag-form', admin);
  await errorBeside('tag-form', 'name', /409/, admin);

  // A partial branch of every table (3 rows to copy, over the server's
  // inline limit of 2): its 202 takes the page to the task that makes it.
  // (A whole branch copies nothing since issue 29: always a 201.)
  await admin.fill('#branch-form [name=name]', 'whole');
  await admin.fill('#branch-form [name=assets]', 'db.orders, db.items, db.users');
  await submit('branch-form', admin);
  await admin.waitForURL(/#\/tasks\/[0-9a-f-]+$/);
  const task = decodeURIComponent(admin.url().split('#/tasks/')[1]);
  await admin.waitForSelector('#task-detail .badge.queued');
  const queued = await asAdmin('GET', `/api/v1/tasks/${task}`, undefined, 200);
  assert.equal(queued.kind, 'branch');
  assert.equal(queued.params.name, 'whole');
  await asAdmin('POST', `/api/v1/tasks/${task}/cancel`, undefined, 200, 202);
  await open(admin, base, '#/catalogs/demo', 'Catalog demo');

  await row('branch-list', 'part', admin).locator('a').click();
  await admin.waitForSelector('#commit-list tbody tr');
  await admin.click('a:text-is("Back to demo")');
  await row('tag-list', 'v-part', admin).locator('button:has-text("Delete")').click();
  await admin.waitForFunction(() => !document.querySelector('#tag-list')?.textContent.includes('v-part'));
  await row('branch-list', 'part', admin).locator('button:has-text("Delete")').click();
  await admin.waitForFunction(() => ![...document.querySelectorAll('#branch-list td a')].some((a) => a.textContent === 'part'));
  await call('GET', '/api/v1/branches/part?catalog=demo', undefined, 404);
});

test('a branch page rebases from main (main\'s change arrives as a merge commit); a missing source beside its field', { skip }, async () => {
  await call('POST', '/api/v1/branches', { name: 'rb', catalog: 'demo', from_branch: 'main', assets: ['db.orders'] }, 201);
  await call('POST', '/v1/demo/namespaces/db/tables/orders', { requirements: [],
    updates: [{ action: 'set-properties', updates: { owner: 'rebased-in' } }] }, 200);
  await open(admin, base, '#/catalogs/demo/branches/rb', 'Branch rb of demo');
  await admin.fill('#rebase-form [name=from_branch]', 'nope');
  await submit('rebase-form', admin);
  await errorBeside('rebase-form', 'from_branch', /404|not found/i, admin);
  await admin.fill('#rebase-form [name=from_branch]', 'main');
  await submit('rebase-form', admin);
  await admin.waitForSelector('#status:has-text("rebased")');
  const commits = await call('GET', '/api/v1/branches/rb/commits?catalog=demo&limit=1', undefined, 200);
  assert.ok(commits[0].merge_parent_id, 'a merge commit heads the branch');
  const t = await srv.req('GET', '/v1/demo/namespaces/db/tables/orders@rb', { headers: { authorization: basic() } });
  assert.equal(t.status, 200, t.text);
  assert.equal(t.json.metadata.properties.owner, 'rebased-in');
});

test('a warehouse page asks for a location\'s credentials and shows the server\'s answer (a local warehouse has no keys)', { skip }, async () => {
  await open(admin, base, '#/warehouses/wh', 'Warehouse wh');
  await admin.fill('#credentials-form [name=location]', 's3://bucket/db');
  await submit('credentials-form', admin);
  await admin.waitForFunction(() => /400/.test(document.querySelector('#credentials-form')?.textContent || ''));
  assert.match(await admin.textContent('#credentials-form'), /400: (location must be an s3:\/\/ location in the warehouse|warehouse 'wh' has no S3 keys)/);
});

test('a succeeded maintenance task shows a full bar and what it came to, in the list and on its page', { skip }, async () => {
  const id = '33333333-0000-4000-8000-000000000003';
  const result = { expire_snapshots: { expired_snapshots: 120, removed_refs: [], dry_run: false,
    deleted_files: 1310, deleted_bytes: 52817311 },
  remove_orphan_files: { listed_files: 40, too_young: 2, deleted_files: 3, deleted_bytes: 2048, dry_run: false, files: [] } };
  // Made now, so it is the newest task and on the list's first page: the
  // 105 tasks of the paging test above were made at their own "now" (made
  // 5 s before this one's, it sorted behind them when the tests between
  // took less than 5 s).  Its last progress: the commit phase's counter,
  // 0 of 1.
  const now = Date.now();
  sql(`INSERT INTO tasks VALUES('${id}','${NIL_UUID}','maintenance','succeeded','demo','main','db','orders',` +
    `'{"operations":["expire_snapshots","remove_orphan_files"]}',0,1,'commit',NULL,'${JSON.stringify(result)}',NULL,1,3,'root',NULL,0,0,0,` +
    `${now},${now},${now},${now})`);
  const want = 'expired 120 snapshots, deleted 1310 files (50.4 MB); orphan files: deleted 3 files (2.0 kB) of 40 listed';
  await open(page, base, '#/tasks', 'Tasks');
  const r = page.locator(`tr[data-task="${id}"]`);
  await r.waitFor();
  assert.equal(await r.locator('progress').getAttribute('value'), '1');
  assert.equal(await r.locator('progress').getAttribute('max'), '1');
  assert.equal(await r.locator('.bar .label').textContent(), want);
  await r.locator('a').first().click();
  await page.waitForSelector('#task-outcome');
  assert.equal(await page.getAttribute('#task-detail progress', 'value'), await page.getAttribute('#task-detail progress', 'max'));
  assert.equal(await page.textContent('#task-detail .bar .label'), want);
  assert.equal(await page.textContent('#task-outcome'), `${want[0].toUpperCase()}${want.slice(1)}.`);
});

test('names with HTML render as text: tenant, warehouse, catalog, namespace property', { skip }, async () => {
  await open(page, base, '#/tenants', 'Tenants');
  await page.fill('#tenant-form [name=name]', HTML_NAME);
  await submit('tenant-form');
  await page.locator('#tenant-list a', { hasText: HTML_NAME }).waitFor();
  await open(page, base, '#/warehouses', 'Warehouses');
  await page.fill('#warehouse-form [name=name]', HTML_NAME);
  await submit('warehouse-form');
  await page.waitForFunction(() => document.querySelector('#warehouse-form [name=name]').value === '');	// reset: created
  await call('GET', `/api/v1/warehouses/${encodeURIComponent(HTML_NAME)}`, undefined, 200);
  await open(admin, base, '#/catalogs', 'Catalogs');
  await admin.fill('#catalog-form [name=name]', HTML_NAME);
  await admin.fill('#catalog-form [name=properties]', JSON.stringify({ note: '<b>bold</b><img src=x onerror=alert(2)>' }));
  await submit('catalog-form', admin);
  const link = admin.locator('#catalog-list a', { hasText: HTML_NAME });
  await link.waitFor();
  await link.click();
  await admin.waitForSelector(`#view h2:text-is(${JSON.stringify(`Catalog ${HTML_NAME}`)})`);
  await admin.waitForSelector('#view dd:has-text("<b>bold</b>")');
  for (const p of [page, admin]) assert.equal(await p.locator('img, b').count(), 0, 'no element made from a name');
  await open(admin, base, `#/warehouses/${encodeURIComponent(HTML_NAME)}`, `Warehouse ${HTML_NAME}`);
  assert.equal(await admin.locator('#view img').count(), 0);
  await admin.click('#warehouse-delete');
  await admin.waitForSelector('#warehouse-list table');
  await call('GET', `/api/v1/warehouses/${encodeURIComponent(HTML_NAME)}`, undefined, 404);
});

test('360 px: no sideways scrolling on home, a list with its form, and a catalog', { skip }, async () => {
  await page.setViewportSize({ width: 360, height: 740 });
  try {
    for (const [hash, heading, ready] of [['#/', 'Home', '#home-stats .stat'], ['#/warehouses', 'Warehouses', '#warehouse-list table'],
      ['#/catalogs/demo', 'Catalog demo', '#branch-form'], ['#/tasks', 'Tasks', '#task-list table']]) {
      await open(page, base, hash, heading);
      await page.waitForSelector(ready);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 360, `${hash} is ${width} px wide at 360`);
      if (hash === '#/') await shot(page, 'console-home-360');
    }
  } finally {
    await page.setViewportSize({ width: 1400, height: 900 });
  }
});

test('keyboard only: Tab to each field of the create form, focus visible, type, Enter submits', { skip }, async () => {
  await open(page, base, '#/tenants', 'Tenants');
  await page.waitForSelector('#tenant-form');
  await page.evaluate(() => document.getElementById('view').focus());
  const active = () => page.evaluate(() => {
    const el = document.activeElement;
    const s = getComputedStyle(el);
    return { name: el.getAttribute('name'), form: el.form?.id, visible: el.matches(':focus-visible'),
      outline: `${s.outlineStyle} ${s.outlineWidth}` };
  });
  const tabTo = async (name) => {
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      const a = await active();
      if (a.form === 'tenant-form' && a.name === name) return a;
    }
    assert.fail(`Tab never reached ${name}`);
  };
  for (const [name, text] of [['name', 'by-keyboard'], ['properties', '{"via": "keys"}']]) {
    const a = await tabTo(name);
    assert.ok(a.visible, `${name} matches :focus-visible`);
    assert.equal(a.outline, 'solid 3px', `${name} shows its focus`);
    await page.keyboard.press('Control+A');	// the properties start as {}
    await page.keyboard.type(text);
  }
  await page.keyboard.press('Shift+Tab');
  assert.equal((await active()).name, 'name');
  await page.keyboard.press('Enter');
  await row('tenant-list', 'by-keyboard').waitFor();
  const t = (await call('GET', '/api/v1/tenants?limit=1000', undefined, 200)).find((x) => x.name === 'by-keyboard');
  assert.deepEqual(t.properties, { via: 'keys' });
  // The submit button is reached by Tab too, and shows its focus.
  await page.locator('#tenant-form [name=properties]').focus();
  await page.keyboard.press('Tab');
  const btn = await page.evaluate(() => [document.activeElement.type, getComputedStyle(document.activeElement).outlineStyle]);
  assert.deepEqual(btn, ['submit', 'solid']);
});

test('no CSP violation, no script error, nothing fetched from elsewhere', { skip }, async () => {
  assertClean(b);
});
