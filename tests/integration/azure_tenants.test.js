// Azure warehouses (issue 44) on Azurite, between tenants: tenant B kept
// out of tenant A's prefix in every spelling of it (abfss, wasbs, abfs,
// "..", an upper-case host), a metadata file naming A's directory getting
// B no SAS for it, a catalog without a warehouse claiming no abfss:// place,
// and the settings that widen a credential (a container-wide SAS) the
// operator's alone (issue 67).  The rest of Azure: azure.test.js; what both
// share: lib/azure_suite.js.
//
// Azure does not depend on the store: the sqlite pass runs this file
// (store-independent.txt).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import { ACCOUNT, KEY, sasSignature } from './lib/azurite.js';
import { expectError, expectJson, uniq } from './lib/expect.js';
import { startServer } from './lib/server.js';
import {
  HOST, SEAL, VEND, WRONG_KEY, abfss, admin, answers, az, azCatalog, azureConfig, azureSuite,
  blobs, call, checkAdls, container, createTable, ok, root, sasContainer, schema, srv, user,
  vended, wasbs,
} from './lib/azure_suite.js';

azureSuite();

// --- tenants -----------------------------------------------------------------------------

/**
 * Tenants A and B, each with an admin, and A's warehouse (prefix
 * ta-<pid>), catalog and table "secret" in one container: made once, for
 * the placement tests.  { A, B, c, aPrefix, za, aBlobs }.
 */
let placed;
async function placement() {
  if (placed) return placed;
  const tenant = async (tag) => {
    const id = (await ok('POST', '/api/v1/tenants', { name: uniq(tag) }, root)).id;
    return { id, ...(await user(`${tag}-admin`, 'tenant-admin', id)) };
  };
  const A = await tenant('az-a');
  const B = await tenant('az-b');
  const c = await container('place');
  const aPrefix = `ta-${process.pid}`;
  const za = await azCatalog({ prefix: aPrefix }, { headers: A.headers, c });
  await createTable(za, 'secret', A.headers);
  const aBlobs = await az.list(c, `${aPrefix}/`);
  assert.equal(aBlobs.length, 1);
  placed = { A, B, c, aPrefix, za, aBlobs };
  return placed;
}
/** r is a 4xx with a JSON error message. */
function refusal(r, what) {
  assert.ok(r.status >= 400 && r.status < 500, `${what}: ${r.status} ${r.text}`);
  assert.ok(typeof (r.json?.error?.message ?? r.json?.error) === 'string', `${what}: an error message: ${r.text}`);
}

test('tenant B cannot take a prefix equal to, around or inside tenant A\'s, nor point a catalog or table into it (abfss and wasbs)', async () => {
  const { B, A, c, aPrefix, za, aBlobs } = await placement();
  const refused = async (body, what) => {
    const r = await call('POST', '/api/v1/warehouses', { body, headers: B.headers });
    assert.ok(r.status >= 400 && r.status < 500, `${what}: ${r.status} ${r.text}`);
    expectError(r, r.status, { message: /./ });
  };
  for (const prefix of [aPrefix, `${aPrefix}/`, `${aPrefix}/inner`, `${aPrefix}/${za.cat}/db`, undefined, '']) {
    const cfg = azureConfig(c, { prefix });
    if (prefix === undefined) delete cfg.prefix;
    await refused({ name: uniq('evil'), storage_config: cfg }, `prefix ${JSON.stringify(prefix)}`);
  }
  // Beside A's prefix (one that only starts like it included) B is at home.
  const zb = await azCatalog({ prefix: `tb-${process.pid}` }, { headers: B.headers, c });
  expectJson(await call('POST', '/api/v1/warehouses', { body: { name: uniq('near'), storage_config: azureConfig(c, { prefix: `${aPrefix}-sibling` }) }, headers: B.headers }), 201);
  // A whole-container warehouse of A keeps every other tenant out of that container.
  const whole = await container('whole');
  const cfgWhole = azureConfig(whole);
  delete cfgWhole.prefix;
  expectJson(await call('POST', '/api/v1/warehouses', { body: { name: uniq('whole'), storage_config: cfgWhole }, headers: A.headers }), 201);
  await refused({ name: uniq('evil'), storage_config: azureConfig(whole, { prefix: 'mine' }) }, 'inside A\'s whole container');

  // Catalogs and tables of B pointed into A's prefix, in both spellings.
  const into = [abfss(c, `${aPrefix}/evil`), wasbs(c, `${aPrefix}/evil`), abfss(c, `${aPrefix}/${za.cat}/db/secret`), wasbs(c, `${aPrefix}/${za.cat}`)];
  for (const loc of into) {
    const r = await call('POST', '/api/v1/catalogs', { body: { name: uniq('evil'), warehouse_name: zb.wh, storage_location: loc }, headers: B.headers });
    assert.ok(r.status >= 400 && r.status < 500, `catalog at ${loc}: ${r.status} ${r.text}`);
    const free = await call('POST', '/api/v1/catalogs', { body: { name: uniq('evil'), storage_location: loc }, headers: B.headers });
    assert.ok(free.status >= 400 && free.status < 500, `catalog without a warehouse at ${loc}: ${free.status} ${free.text}`);
    const t = await call('POST', zb.T, { body: { name: uniq('t'), schema, location: loc }, headers: B.headers });
    assert.equal(t.status, 400, `table at ${loc}: ${t.status} ${t.text}`);
  }
  const reg = await call('POST', `/v1/${zb.cat}/namespaces/db/register`, { body: { name: 'stolen', 'metadata-location': abfss(c, aBlobs[0]) }, headers: B.headers });
  assert.ok(reg.status >= 400 && reg.status < 500, `register of A's metadata: ${reg.status} ${reg.text}`);
  // The wasbs spelling of B's own place is B's place.
  const own = expectJson(await call('POST', '/api/v1/catalogs', { body: { name: uniq('own'), warehouse_name: zb.wh, storage_location: wasbs(c, `tb-${process.pid}/viawasbs`) }, headers: B.headers }), 201);
  assert.equal(own.storage_location, abfss(c, `tb-${process.pid}/viawasbs`), 'stored and answered as abfss://');
  assert.deepEqual(await az.list(c, `${aPrefix}/`), aBlobs, 'nothing written into A\'s prefix');
});

test('other spellings of A\'s place (abfs, wasb, ".." segments, an upper-case host, "//") and updates moved into it are refused', async () => {
  const { B, c, aPrefix, za, aBlobs } = await placement();
  const bPrefix = `tb2-${process.pid}`;
  const zb = await azCatalog({ prefix: bPrefix }, { headers: B.headers, c });
  const spellings = [
    `abfs://${c}@${HOST}/${aPrefix}/x`,
    `wasb://${c}@${ACCOUNT}.blob.core.windows.net/${aPrefix}/x`,
    abfss(c, `${bPrefix}/../${aPrefix}/x`),
    abfss(c, `${bPrefix}/${zb.cat}/../../${aPrefix}/x`),
    `abfss://${c}@${ACCOUNT.toUpperCase()}.DFS.CORE.WINDOWS.NET/${aPrefix}/x`,
    `abfss://${c}@${ACCOUNT}.dfs.core.windows.net//${aPrefix}/x`,
  ];
  for (const loc of spellings) {
    refusal(await call('POST', '/api/v1/catalogs', { body: { name: uniq('evil'), warehouse_name: zb.wh, storage_location: loc }, headers: B.headers }), `catalog at ${loc}`);
    refusal(await call('POST', zb.T, { body: { name: uniq('t'), schema, location: loc }, headers: B.headers }), `table at ${loc}`);
  }
  // Updates: B's warehouse moved onto A's prefix, B's catalog moved into it.
  const whB = expectJson(await call('GET', `/api/v1/warehouses/${zb.wh}`, { headers: B.headers }), 200);
  refusal(await call('PUT', `/api/v1/warehouses/${zb.wh}`, { body: { storage_config: { ...whB.storage_config, prefix: aPrefix } }, headers: B.headers }), 'warehouse prefix moved onto A\'s');
  refusal(await call('PUT', `/api/v1/warehouses/${zb.wh}`, { body: { storage_config: { ...whB.storage_config, prefix: '' } }, headers: B.headers }), 'warehouse widened to the whole container');
  assert.equal(expectJson(await call('GET', `/api/v1/warehouses/${zb.wh}`, { headers: B.headers }), 200).storage_config.prefix, bPrefix, 'unchanged');
  refusal(await call('PUT', `/api/v1/catalogs/${zb.cat}`, { body: { storage_location: abfss(c, `${aPrefix}/moved`) }, headers: B.headers }), 'catalog moved into A\'s prefix');
  refusal(await call('PUT', `/api/v1/catalogs/${zb.cat}`, { body: { storage_location: wasbs(c, `${aPrefix}/moved`) }, headers: B.headers }), 'catalog moved into A\'s prefix (wasbs)');
  assert.deepEqual(await az.list(c, `${aPrefix}/`), aBlobs, 'A\'s blobs untouched');
});

test('a metadata file B writes in its own prefix naming A\'s table directory as its location gets B no SAS for A\'s directory', async (t) => {
  const { A, B, c, za } = await placement();
  const zb = await azCatalog({ prefix: `tb3-${process.pid}` }, { headers: B.headers, c });
  // B may write its own prefix (its writers hold a SAS for it); the file
  // copies A's table's metadata, location and all.
  const aTable = expectJson(await call('GET', `${za.T}/secret`, { headers: A.headers }), 200);
  const crafted = { ...aTable.metadata, 'table-uuid': crypto.randomUUID() };
  assert.equal(crafted.location, za.loc('secret'));
  const file = `${zb.loc('crafted')}/metadata/00000-${crypto.randomUUID()}.metadata.json`;
  await az.putAt(file, JSON.stringify(crafted));
  const reg = await call('POST', `/v1/${zb.cat}/namespaces/db/register`, { body: { name: 'crafted', 'metadata-location': file }, headers: B.headers });
  if (reg.status !== 200) return refusal(reg, 'register of a metadata file whose location is another tenant\'s table');
  // Registered: then the table's vended credentials must not reach A's directory.
  t.diagnostic(`registered with location ${reg.json.metadata.location}`);
  const r = await call('GET', `${zb.T}/crafted`, { headers: { ...B.headers, ...VEND } });
  const creds = r.json?.['storage-credentials'] ?? [];
  for (const sc of creds) {
    const token = sc.config[`adls.sas-token.${HOST}`];
    const forA = token && sasSignature(token, { container: c, dir: za.path('secret') }) === new URLSearchParams(token).get('sig');
    assert.ok(!sc.prefix.startsWith(za.loc('secret')) && !forA,
      `tenant B was vended a SAS for tenant A's table directory: prefix ${sc.prefix}, token ${token?.replace(/sig=[^&]+/, 'sig=...')}`);
  }
});

test('a catalog without a warehouse cannot claim an abfss:// place: it could hold no table there, and would keep every other tenant\'s warehouse out of it', async () => {
  const { A, B } = await placement();
  const fresh = await container('squat');
  for (const loc of [abfss(fresh, 'ta/x'), wasbs(fresh, 'ta/x'), `abfss://${fresh}@${HOST}//ta/x`]) {
    refusal(await call('POST', '/api/v1/catalogs', { body: { name: uniq('squat'), storage_location: loc }, headers: B.headers }),
      `tenant B's catalog without a warehouse at ${loc}`);
  }
  // Whatever B tried, the container is still A's to use.
  expectJson(await call('POST', '/api/v1/warehouses', { body: { name: uniq('wa'), storage_config: azureConfig(fresh, { prefix: 'ta' }) }, headers: A.headers }), 201);
});

// --- settings that widen a credential are the operator's (issue 67) ----------------------

// The finding: a tenant admin set "vend_container_sas": "true" on its own
// warehouse in a container shared with another tenant's prefix, and the
// SAS it was vended read, listed and wrote the other tenant's blobs.
test('a tenant admin cannot ask for a container-wide SAS (422, on create and update); its SAS reaches none of another tenant\'s blobs', async () => {
  const { B, c, aPrefix, za, aBlobs } = await placement();
  const bPrefix = `tb4-${process.pid}`;
  const wide = azureConfig(c, { prefix: bPrefix, vend_container_sas: 'true' });
  expectError(await call('POST', '/api/v1/warehouses', { body: { name: uniq('wide'), storage_config: wide }, headers: B.headers }), 422,
    { message: /storage_config\.vend_container_sas is the operator's to set.*azure_container_sas/ });
  const zb = await azCatalog({ prefix: bPrefix }, { headers: B.headers, c });
  const shown = expectJson(await call('GET', `/api/v1/warehouses/${zb.wh}`, { headers: B.headers }), 200).storage_config;
  expectError(await call('PUT', `/api/v1/warehouses/${zb.wh}`, { body: { storage_config: { ...shown, vend_container_sas: 'true' } }, headers: B.headers }), 422,
    { message: /vend_container_sas/ });
  // "false" asks for nothing: accepted, and not kept.
  const put = expectJson(await call('PUT', `/api/v1/warehouses/${zb.wh}`, { body: { storage_config: { ...shown, vend_container_sas: 'false' } }, headers: B.headers }), 200);
  assert.equal(put.storage_config.vend_container_sas, undefined);
  // What B's writer is vended: a directory SAS for its own table only.
  const created = expectJson(await call('POST', zb.T, { body: { name: 'mine', schema }, headers: { ...B.headers, ...VEND } }), 200);
  const { token } = checkAdls(vended(created, zb.loc('mine')), { sr: 'd', sp: 'racwdl' });
  const aMeta = abfss(c, aBlobs[0]);
  assert.equal((await az.withSas('GET', aMeta, token)).status, 403, 'GET of A\'s metadata file');
  assert.equal((await az.withSas('PUT', abfss(c, `${aPrefix}/${za.cat}/planted.json`), token, 'x')).status, 403, 'PUT into A\'s prefix');
  const list = await fetch(`${az.origin}/${ACCOUNT}/${c}?restype=container&comp=list&${token}`, { headers: { 'x-ms-version': '2021-12-02' } });
  assert.equal(list.status, 403, 'LIST of the container');
  assert.deepEqual(await az.list(c, `${aPrefix}/`), aBlobs, 'A\'s blobs as they were');
});

test('a container the operator lists for a container SAS holds one warehouse: a second one, of any tenant, is refused where it is placed', async () => {
  const { A, B } = await placement();
  const c = await sasContainer();
  const za = await azCatalog({ prefix: 'a' }, { headers: A.headers, c });
  for (const [who, h] of [['another tenant', B.headers], ['the same tenant', A.headers]]) {
    expectError(await call('POST', '/api/v1/warehouses', { body: { name: uniq('second'), storage_config: azureConfig(c, { prefix: uniq('p') }) }, headers: h }), 400,
      { message: new RegExp(`container ${c} of account ${ACCOUNT} holds another warehouse.*azure_container_sas`) });
    // Nor may a warehouse elsewhere move in.
    const other = await azCatalog({ prefix: uniq('p') }, { headers: h });
    const shown = expectJson(await call('GET', `/api/v1/warehouses/${other.wh}`, { headers: h }), 200).storage_config;
    expectError(await call('PUT', `/api/v1/warehouses/${other.wh}`, { body: { storage_config: { ...shown, container: c, account_key: KEY } }, headers: h }), 400,
      { message: /holds another warehouse/ });
    assert.ok(who);
  }
  // The one warehouse there is vended its container SAS.
  const created = expectJson(await call('POST', za.T, { body: { name: 't', schema }, headers: { ...A.headers, ...VEND } }), 200);
  checkAdls(vended(created, za.loc('t')), { sr: 'c', sp: 'racwdl' });
});

test('a listed container that holds two warehouses anyway (listed after they were made) vends no container SAS; the operator\'s azure_create_containers makes a missing container', async () => {
  const c = await container('legacy');
  const z1 = await azCatalog({ prefix: 'one' }, { c });
  const z2 = await azCatalog({ prefix: 'two' }, { c });
  await createTable(z1, 't');
  // A replica of the same store whose operator lists c, and lets
  // warehouses' containers be created.
  const rep = await startServer({ root: true, noAuth: false, workers: 1, shareWith: srv.dir, allowEndpoints: [az.origin],
    env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_ENCRYPTION_KEY: SEAL, PANGOLIN_AZURE_CONTAINER_SAS: `${ACCOUNT}/${c}`,
      PANGOLIN_AZURE_CREATE_CONTAINERS: 'true' } });
  try {
    const r = await rep.req('GET', `${z1.T}/t`, { headers: { ...admin, ...VEND } });
    expectError(r, 403, { iceberg: true, message: /container-wide SAS is refused: container .* holds another warehouse's prefix/ });
    expectJson(await rep.req('GET', `${z2.T}`, { headers: admin }), 200);
    const fresh = uniq('made').toLowerCase();
    const made = await rep.req('POST', '/api/v1/warehouses', { body: { name: uniq('azwh'), storage_config: azureConfig(fresh) }, headers: admin });
    expectJson(made, 201);
    assert.equal((await az.call('GET', `/${fresh}?restype=container`)).status, 200, 'the container was made');
    assert.match(rep.log(), new RegExp(`container '${fresh}' of account '${ACCOUNT}' created`));
  } finally {
    await rep.stop();
  }
});

// Interop: the warehouse credentials route answered "must be an s3://
// location" for an Azure warehouse.
test('GET /api/v1/warehouses/{azure}/credentials answers a SAS for the location: the container\'s where the operator lists it, a directory SAS elsewhere; readers are refused', async () => {
  const z = await azCatalog({}, { containerSas: true });
  const t = await createTable(z, 'c');
  const loc = z.loc('c');
  const cr = expectJson(await call('GET', `/api/v1/warehouses/${z.wh}/credentials?location=${encodeURIComponent(loc)}`), 200);
  assert.equal(cr.type, 'Azure');
  assert.equal(cr.account_name, ACCOUNT);
  assert.equal(cr.container, z.container);
  assert.ok(Date.parse(cr.expiration) > Date.now(), cr.expiration);
  const q = new URLSearchParams(cr.sas_token);
  assert.equal(q.get('sr'), 'c');
  assert.equal(q.get('sp'), 'racwdl');
  assert.equal((await az.withSas('GET', t['metadata-location'], cr.sas_token)).status, 200);
  assert.equal((await az.withSas('PUT', `${loc}/data/by-route.parquet`, cr.sas_token, 'PAR1')).status, 201);
  // wasbs:// spells the same place.
  expectJson(await call('GET', `/api/v1/warehouses/${z.wh}/credentials?location=${encodeURIComponent(wasbs(z.container, z.path('c')))}`), 200);
  // Outside the warehouse: 403; a reader (no write on the catalog): 403.
  expectError(await call('GET', `/api/v1/warehouses/${z.wh}/credentials?location=${encodeURIComponent(abfss(z.container, 'elsewhere'))}`), 403,
    { message: /outside the warehouse/ });
  const reader = await user('az-cred-reader', 'tenant-user');
  expectError(await call('GET', `/api/v1/warehouses/${z.wh}/credentials?location=${encodeURIComponent(loc)}`, { headers: reader.headers }), 403);
  // A container the operator does not list: a directory SAS for the location.
  const d = await azCatalog();
  await createTable(d, 'd');
  const dr = expectJson(await call('GET', `/api/v1/warehouses/${d.wh}/credentials?location=${encodeURIComponent(d.loc('d'))}`), 200);
  const dq = new URLSearchParams(dr.sas_token);
  assert.equal(dq.get('sr'), 'd');
  assert.equal(sasSignature(dr.sas_token, { container: d.container, dir: d.path('d') }), dq.get('sig'), 'signed for the location\'s directory');
});

// --- clients ---------------------------------------------------------------------------------


test('no answer of the catalog in this file carried the account key', async () => {
  assert.ok(answers.length > 50, `${answers.length} answers`);
  const leaks = answers.filter((a) => a.includes(KEY) || a.includes(WRONG_KEY));
  assert.deepEqual(leaks.map((a) => a.slice(0, 200)), []);
});
