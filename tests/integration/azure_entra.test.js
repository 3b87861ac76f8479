// Azure warehouses signed in with a Microsoft Entra service principal
// (issue 44), end to end through the real binary: Azurite with `--oauth
// basic` (it takes a bearer token only over HTTPS), served with a
// self-signed certificate for 127.0.0.1 that the catalog trusts through
// [storage] ca_file (PANGOLIN_STORAGE_CA_FILE), and a token server of the
// test's own on loopback in place of login.microsoftonline.com (the
// warehouse's authority_host).
//
// Through the catalog: an Entra warehouse (tenant_id, client_id,
// client_secret; the secret masked), a catalog, a table, a commit and a load
// (the metadata files really on Azurite: listed and read by the test with
// its own Shared Key over HTTPS); the user-delegation SAS vended to a reader
// (reads, cannot write) and to a writer (writes), used directly against
// Azurite; one token request for every call of the principal (the token is
// kept); a wrong client_secret a 5xx naming Entra's invalid_client, never
// the secret, nothing written.  And the setting itself: without it the same
// endpoint is refused (its certificate is not the system's), and a missing
// or certificate-less file stops the start naming the file.
//
// What this does not prove: Azurite's `basic` OAuth checks a token's
// issuer, audience and times but not its signature, and no RBAC; real Entra
// signs with keys the test does not have.  The token server checks the
// client-credentials form (grant, scope, id, secret) as Entra would.
//
// Neither Entra nor TLS depends on the store: the sqlite pass runs this
// file (store-independent.txt).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ACCOUNT, KEY } from './lib/azurite.js';
import { expectError, expectJson, uniq } from './lib/expect.js';
import { startIcebergServer } from './lib/iceberg.js';
import { basic, freePort, makeToml, NIL_UUID, runBinary, tmpDir } from './lib/server.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const AZURITE = path.resolve(HERE, 'node_modules/.bin/azurite-blob');
const VERSION = '2021-08-06';
const PW = 'Str0ng-Passw0rd-for-tests';
const VEND = { 'x-iceberg-access-delegation': 'vended-credentials' };
const HOST = `${ACCOUNT}.dfs.core.windows.net`;
const TENANT = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const CLIENT = 'c1c1c1c1-0000-4000-8000-000000000001';
const SECRET = `good-${crypto.randomBytes(12).toString('hex')}`;
const BAD_CLIENT = 'c1c1c1c1-0000-4000-8000-000000000002';
const BAD_SECRET = `wrong-${crypto.randomBytes(12).toString('hex')}`;
const OID = '11111111-2222-4333-8444-555555555555';
const SCOPE = 'https://storage.azure.com/.default';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const root = { authorization: basic() };
const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };

let dir, cert, azu, tok, srv, admin;
/** Every answer of the catalog, for the check that no secret leaves. */
const answers = [];
const timings = {};

// --- a self-signed certificate, Azurite over HTTPS with OAuth, a token server ---

/** cert.pem / key.pem for 127.0.0.1 (subjectAltName IP), made by openssl. */
function makeCert(d) {
  assert.equal(spawnSync('openssl', ['version']).status, 0, 'the openssl command is needed (Debian: openssl)');
  const c = path.join(d, 'cert.pem');
  const k = path.join(d, 'key.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', k, '-out', c], { encoding: 'utf8' });
  assert.equal(r.status, 0, `openssl req: ${r.stderr}`);
  return { cert: c, key: k, pem: fs.readFileSync(c) };
}

/** One HTTPS request trusting only the test's certificate: { status, headers, text, body }. */
function httpsReq(method, url, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const rq = https.request(url, { method, headers, ca: cert.pem, agent: false, timeout: 10000 }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        const b = Buffer.concat(chunks);
        resolve({ status: res.statusCode, headers: res.headers, body: b, text: b.toString('utf8') });
      });
      res.on('error', reject);
    });
    rq.on('timeout', () => rq.destroy(new Error(`${method} ${url}: timed out`)));
    rq.on('error', reject);
    if (body !== undefined) rq.write(body);
    rq.end();
  });
}

/** The Shared Key Authorization of a request to the emulator (path-style: the account leads the path). */
function sharedKey(method, url, headers) {
  const u = new URL(url);
  const h = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const get = (k) => h[k] ?? '';
  const len = get('content-length') === '0' ? '' : get('content-length');
  const xms = Object.keys(h).filter((k) => k.startsWith('x-ms-')).sort().map((k) => `${k}:${h[k].trim()}\n`).join('');
  let res = `/${ACCOUNT}${u.pathname}`;
  const q = {};
  for (const [k, v] of u.searchParams) (q[k.toLowerCase()] ??= []).push(v);
  for (const k of Object.keys(q).sort()) res += `\n${k}:${q[k].sort().join(',')}`;
  const s = [method, get('content-encoding'), get('content-language'), len, get('content-md5'), get('content-type'),
    '', get('if-modified-since'), get('if-match'), get('if-none-match'), get('if-unmodified-since'), get('range')].join('\n') +
    '\n' + xms + res;
  return `SharedKey ${ACCOUNT}:${crypto.createHmac('sha256', Buffer.from(KEY, 'base64')).update(s, 'utf8').digest('base64')}`;
}

/**
 * Azurite's Blob service over HTTPS with `--oauth basic` on a free loopback
 * port (lib/azurite.js starts it on http, where OAuth is refused).
 * Returns { port, origin, endpoint, call(method, path, opts) (Shared Key,
 * the test's own signing), withSas(method, url, sas, body), list(container,
 * prefix), destroy() }.
 */
async function startAzuriteTls() {
  const data = tmpDir('pgl-azurite-tls');
  const port = await freePort();
  const origin = `https://127.0.0.1:${port}`;
  let log = '';
  const env = { ...process.env };
  delete env.AZURITE_ACCOUNTS;
  const p = spawn(process.execPath, [AZURITE, '--blobHost', '127.0.0.1', '--blobPort', String(port),
    '--location', data, '--skipApiVersionCheck', '--loose', '--disableTelemetry',
    '--oauth', 'basic', '--cert', cert.cert, '--key', cert.key], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let exit = null;
  const exited = new Promise((resolve) => p.on('exit', (code, signal) => { exit = { code, signal }; resolve(exit); }));
  p.stdout.on('data', (d) => { log += d; });
  p.stderr.on('data', (d) => { log += d; });
  const killOnExit = () => { try { p.kill('SIGKILL'); } catch { /* gone */ } };
  process.on('exit', killOnExit);
  const deadline = Date.now() + 30000;
  for (;;) {
    if (exit) assert.fail(`azurite-blob exited during start-up (${JSON.stringify(exit)}; tests/deps.sh test installs it):\n${log}`);
    try {
      await httpsReq('GET', `${origin}/${ACCOUNT}?comp=list`);
      break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      p.kill('SIGKILL');
      assert.fail(`azurite-blob not answering on ${origin} within 30 s:\n${log}`);
    }
    await sleep(50);
  }
  async function call(method, pth, { headers = {}, body } = {}) {
    const url = `${origin}/${ACCOUNT}${pth}`;
    const h = { 'x-ms-date': new Date().toUTCString(), 'x-ms-version': VERSION, ...headers };
    if (body !== undefined) {
      body = Buffer.from(body);
      h['content-length'] = String(body.length);
      h['content-type'] ??= 'application/octet-stream';
    } else if (method === 'PUT' || method === 'POST') h['content-length'] = '0';
    h.authorization = sharedKey(method, url, h);
    return httpsReq(method, url, { headers: h, body });
  }
  const az = {
    port, origin, endpoint: `${origin}/${ACCOUNT}`, log: () => log, call,
    async createContainer(c) {
      const r = await call('PUT', `/${c}?restype=container`);
      assert.ok([201, 409].includes(r.status), `create container ${c}: ${r.status} ${r.text}`);
    },
    async list(c, prefix) {
      const q = new URLSearchParams({ restype: 'container', comp: 'list', prefix, maxresults: '5000' });
      const r = await call('GET', `/${c}?${q}`);
      assert.equal(r.status, 200, `list ${c}/${prefix}: ${r.status} ${r.text}`);
      return [...r.text.matchAll(/<Blob>\s*<Name>([^<]*)<\/Name>/g)].map((m) => m[1]);
    },
    /** The blob at an abfss:// location of this account, with the account key. */
    async getAt(loc) {
      const r = await call('GET', `/${blobOf(loc)}`);
      assert.equal(r.status, 200, `GET ${loc}: ${r.status} ${r.text}`);
      return r.text;
    },
    /** A request with a vended SAS (the query, no '?') to the blob at an abfss:// location: { status, text, code }. */
    async withSas(method, loc, sas, body) {
      const headers = { 'x-ms-version': VERSION };
      if (method === 'PUT') Object.assign(headers, { 'x-ms-blob-type': 'BlockBlob', 'content-length': String(Buffer.byteLength(body)) });
      const r = await httpsReq(method, `${origin}/${ACCOUNT}/${blobOf(loc)}?${sas}`, { headers, body });
      return { status: r.status, text: r.text, code: r.headers['x-ms-error-code'] };
    },
    async destroy() {
      if (!exit) {
        p.kill('SIGTERM');
        let timer;
        await Promise.race([exited, new Promise((r) => { timer = setTimeout(r, 15000); })]);
        clearTimeout(timer);
        if (!exit) { p.kill('SIGKILL'); await exited; }
      }
      process.off('exit', killOnExit);
      fs.rmSync(data, { recursive: true, force: true });
    },
  };
  return az;
}

/** abfss://<c>@<account>.dfs.core.windows.net/<path> -> "<c>/<path>" (each segment encoded). */
function blobOf(loc) {
  const m = /^abfss:\/\/([^@/]+)@([^./]+)\.dfs\.core\.windows\.net\/(.*)$/.exec(loc);
  assert.ok(m && m[2] === ACCOUNT, `not an abfss location of ${ACCOUNT}: ${loc}`);
  return `${m[1]}/${m[3].split('/').map(encodeURIComponent).join('/')}`;
}

const b64url = (b) => Buffer.from(b).toString('base64url');

/**
 * Entra's token endpoint as far as a client-credentials grant goes:
 * POST /<tenant>/oauth2/v2.0/token with grant_type, client_id,
 * client_secret and scope (form-encoded).  The right id and secret get a
 * JWT of the claims Azure Storage reads (iss https://sts.windows.net/<tid>/,
 * aud https://storage.azure.com, oid, tid, nbf, iat, exp); anything else a
 * 401 invalid_client as Entra answers it.  Every request is kept.
 */
async function startTokenServer() {
  const seen = [];
  const key = crypto.randomBytes(32);
  const s = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const m = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(req.url);
      const entry = { method: req.method, url: req.url, type: req.headers['content-type'], clientId: form.get('client_id'),
        grant: form.get('grant_type'), scope: form.get('scope'), ok: false };
      seen.push(entry);
      const send = (status, body) => {
        const b = JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(b) });
        res.end(b);
      };
      if (req.method !== 'POST' || !m || form.get('grant_type') !== 'client_credentials' || form.get('scope') !== SCOPE)
        return send(400, { error: 'invalid_request', error_codes: [900144] });
      if (m[1] !== TENANT) return send(400, { error: 'invalid_tenant', error_codes: [90002] });
      if (form.get('client_id') !== CLIENT || form.get('client_secret') !== SECRET)
        return send(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.', error_codes: [7000215] });
      entry.ok = true;
      return send(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: mint() });
    });
  });
  /** A token as issued here; changes override claims. */
  function mint(changes = {}) {
    const now = Math.floor(Date.now() / 1000);
    const claims = { aud: 'https://storage.azure.com', iss: `https://sts.windows.net/${TENANT}/`, iat: now, nbf: now - 60,
      exp: now + 3600, oid: OID, tid: TENANT, appid: CLIENT, sub: OID, ...changes };
    const head = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
    return `${head}.${b64url(crypto.createHmac('sha256', key).update(head).digest())}`;
  }
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${s.address().port}`;
  return { origin, seen, mint, stop: () => new Promise((r) => { s.closeAllConnections?.(); s.close(r); }) };
}

// --- the catalog ------------------------------------------------------------------

async function call(method, p, { body, headers = admin, on = srv } = {}) {
  const r = await on.req(method, p, { body, headers });
  answers.push(`${method} ${p} -> ${r.status} ${JSON.stringify(r.headers)} ${r.text}`);
  return r;
}
async function ok(method, p, body, headers = admin, on = srv) {
  const r = await call(method, p, { body, headers, on });
  assert.ok([200, 201, 202, 204].includes(r.status), `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
}
async function user(tag, role, on = srv) {
  const username = uniq(tag);
  const u = await ok('POST', '/api/v1/users', { username, password: PW, tenant_id: NIL_UUID, role }, root, on);
  const { token } = await ok('POST', '/api/v1/users/login', { username, password: PW, 'tenant-id': NIL_UUID }, {}, on);
  return { id: u.id, headers: { authorization: `Bearer ${token}` } };
}

/** The storage_config of an Entra warehouse on the HTTPS Azurite. */
const entraConfig = (c, extra = {}) => ({ type: 'azure', account_name: ACCOUNT, container: c, prefix: 'lake',
  endpoint: azu.endpoint, tenant_id: TENANT, client_id: CLIENT, client_secret: SECRET, authority_host: tok.origin, ...extra });
/* The end-to-end test's container, which the operator lists for a
 * container-wide SAS ([storage] azure_container_sas: Azurite has no
 * directories to scope one to). */
const SAS_C = uniq('entra').toLowerCase();

/** A warehouse, a catalog on it and namespace db: { wh, cat, catId, T, path(t), loc(t) }. */
async function entraCatalog(c, extra = {}, { headers = admin, on = srv } = {}) {
  const wh = uniq('entrawh');
  const w = expectJson(await call('POST', '/api/v1/warehouses', { body: { name: wh, storage_config: entraConfig(c, extra) }, headers, on }), 201);
  assert.match(w.storage_config.client_secret, /^\*+$/, `masked: ${JSON.stringify(w.storage_config)}`);
  assert.equal(w.storage_config.client_id, extra.client_id ?? CLIENT);
  const cat = uniq('entracat');
  const cr = expectJson(await call('POST', '/api/v1/catalogs', { body: { name: cat, warehouse_name: wh }, headers, on }), 201);
  assert.equal(cr.storage_location, `abfss://${c}@${HOST}/lake/${cat}`);
  await ok('POST', `/v1/${cat}/namespaces`, { namespace: ['db'] }, headers, on);
  const p = (t) => `lake/${cat}/db/${t}`;
  return { wh, cat, catId: cr.id, T: `/v1/${cat}/namespaces/db/tables`, path: p, loc: (t) => `abfss://${c}@${HOST}/${p(t)}` };
}

/** The vended config of a loadTable answer (one storage credential for the table's location), its user-delegation SAS checked. */
function vendedSas(body, location, sp) {
  const sc = body['storage-credentials'];
  assert.ok(Array.isArray(sc) && sc.length === 1, `one storage credential: ${JSON.stringify(body).slice(0, 600)}`);
  assert.equal(sc[0].prefix, location);
  assert.deepEqual(body.config, sc[0].config);
  const c = sc[0].config;
  const token = c[`adls.sas-token.${HOST}`];
  assert.ok(token, JSON.stringify(c));
  assert.equal(c['adls.sas-token'], token);
  assert.equal(c['adls.account-name'], ACCOUNT);
  assert.equal(c[`adls.connection-string.${HOST}`], azu.endpoint);
  assert.equal(c['adls.blob-storage-scheme'], 'https');
  assert.equal(c['adls.blob-storage-authority'], `127.0.0.1:${azu.port}`);
  const q = new URLSearchParams(token);
  assert.equal(q.get('sr'), 'c', `a container SAS (the operator lists the container): ${token}`);
  assert.equal(q.get('sp'), sp, `permissions: ${token}`);
  assert.equal(q.get('spr'), 'https', 'https only: the endpoint is https');
  // A user-delegation SAS: the delegation key's fields, the principal's object and tenant ids.
  assert.equal(q.get('skoid'), OID, `skoid: ${token}`);
  assert.equal(q.get('sktid'), TENANT, `sktid: ${token}`);
  for (const k of ['skt', 'ske', 'sks', 'skv', 'sv', 'se', 'sig']) assert.ok(q.get(k), `${k} in ${token}`);
  assert.equal(q.get('sks'), 'b');
  const left = Date.parse(q.get('se')) - Date.now();
  assert.ok(left > 0 && left <= 3600 * 1000 + 5000, `expires in ${left} ms`);
  for (const s of [SECRET, KEY]) assert.ok(!JSON.stringify(c).includes(s), 'no secret vended');
  return token;
}

const good = () => tok.seen.filter((e) => e.ok && e.clientId === CLIENT).length;

before(async () => {
  let t0 = Date.now();
  dir = tmpDir('pgl-entra');
  cert = makeCert(dir);
  tok = await startTokenServer();
  azu = await startAzuriteTls();
  timings.azurite_ms = Date.now() - t0;
  t0 = Date.now();
  // One worker: the token and the SAS are kept per worker process.
  srv = await startIcebergServer({ root: true, noAuth: false, workers: 1, allowEndpoints: [azu.origin, tok.origin],
    env: { PANGOLIN_STORAGE_CA_FILE: cert.cert, PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_AZURE_CONTAINER_SAS: `${ACCOUNT}/${SAS_C}` } });
  timings.catalog_start_ms = Date.now() - t0;
  admin = (await user('entra-admin', 'tenant-admin')).headers;
});
after(async () => {
  let t0 = Date.now();
  await srv?.stop();
  timings.catalog_stop_ms = Date.now() - t0;
  t0 = Date.now();
  await azu?.destroy();
  timings.azurite_stop_ms = Date.now() - t0;
  await tok?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  console.log(`# timings: ${JSON.stringify(timings)}`);
});

// --- the setting ------------------------------------------------------------------

test('[storage] ca_file: a missing file or one without a certificate stops the start, naming the file', async () => {
  const t0 = Date.now();
  const d = tmpDir('pgl-entra-cfg');
  try {
    const config = path.join(d, 'pangolin.toml');
    fs.writeFileSync(config, makeToml({ store: 'memory', port: await freePort(), dir: d }));
    const txt = path.join(d, 'not-a-ca.txt');
    fs.writeFileSync(txt, 'no certificate here\n');
    const missing = path.join(d, 'nowhere', 'ca.pem');
    for (const [file, why] of [[missing, /cannot read .*No such file/], [txt, /holds no PEM certificate/]]) {
      const r = runBinary(['-c', config], { env: { PANGOLIN_STORAGE_CA_FILE: file }, timeout: 15000 });
      assert.notEqual(r.code, 0, `exit status ${r.code} (${r.signal}): ${r.stderr}`);
      assert.equal(r.signal, null, 'exited, not killed by the timeout');
      assert.ok(r.stderr.includes(file), `the message names ${file}: ${r.stderr}`);
      assert.match(r.stderr, /storage\.ca_file/);
      assert.match(r.stderr, why);
    }
    // The same from the file, and --check-config says it too.
    fs.writeFileSync(config, makeToml({ store: 'memory', port: await freePort(), dir: d,
      extra: `[storage]\nca_file = ${JSON.stringify(missing)}` }));
    const r = runBinary(['--check-config', '-c', config]);
    assert.notEqual(r.code, 0, r.stdout);
    assert.ok(r.stderr.includes(missing), r.stderr);
    // A readable bundle: the configuration is fine.
    const okr = runBinary(['--check-config', '-c', config], { env: { PANGOLIN_STORAGE_CA_FILE: cert.cert } });
    assert.equal(okr.code, 0, okr.stderr);
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
  timings.start_refusals_ms = Date.now() - t0;
});

// --- Entra, end to end ------------------------------------------------------------------

test('an Entra warehouse over HTTPS with the operator\'s CA: create, commit, load; user-delegation SAS for a reader and a writer; one token for every call', async (t) => {
  const t0 = Date.now();
  const c = SAS_C;
  await azu.createContainer(c);
  // Azurite checks a bearer token's claims: this server's token lists the
  // container; one for another audience or already expired does not.
  const bearer = (token) => httpsReq('GET', `${azu.endpoint}/${c}?restype=container&comp=list`,
    { headers: { authorization: `Bearer ${token}`, 'x-ms-version': VERSION } });
  assert.equal((await bearer(tok.mint())).status, 200, 'the token server\'s token is Azurite\'s');
  for (const bad of [{ aud: 'https://vault.azure.net' }, { exp: Math.floor(Date.now() / 1000) - 600 }, { iss: 'https://evil.example/' }]) {
    const r = await bearer(tok.mint(bad));
    assert.ok([401, 403].includes(r.status), `${JSON.stringify(bad)}: ${r.status} ${r.text}`);
  }
  const before0 = good();
  const z = await entraCatalog(c);
  const created = expectJson(await call('POST', z.T, { body: { name: 't', schema } }), 200);
  const loc = z.loc('t');
  assert.equal(created.metadata.location, loc);
  const m0 = created['metadata-location'];
  assert.ok(m0.startsWith(`${loc}/metadata/00000-`), m0);
  // A commit: a second metadata file.
  const committed = expectJson(await call('POST', `${z.T}/t`, { body: { requirements: [{ type: 'assert-table-uuid', uuid: created.metadata['table-uuid'] }],
    updates: [{ action: 'set-properties', updates: { owner: 'entra' } }] } }), 200);
  const m1 = committed['metadata-location'];
  assert.ok(m1.startsWith(`${loc}/metadata/00001-`), m1);
  // Load: the answer is the file on Azurite, read with the account key over HTTPS.
  const loaded = expectJson(await call('GET', `${z.T}/t`), 200);
  assert.equal(loaded['metadata-location'], m1);
  assert.equal(loaded.metadata.properties.owner, 'entra');
  const onAzurite = JSON.parse(await azu.getAt(m1));
  assert.equal(onAzurite['table-uuid'], created.metadata['table-uuid']);
  assert.equal(onAzurite.properties.owner, 'entra');
  const files = await azu.list(c, `${z.path('t')}/`);
  assert.deepEqual(files.map((f) => f.replace(/-[0-9a-f-]{36}\.metadata\.json$/, '')),
    [`${z.path('t')}/metadata/00000`, `${z.path('t')}/metadata/00001`], `one metadata file a commit, nothing else: ${files}`);

  // Vended: a user-delegation SAS, read-only for a reader, read-write for a writer.
  const tableId = loaded.metadata['table-uuid'];
  const reader = await user('entra-reader', 'tenant-user');
  const writer = await user('entra-writer', 'tenant-user');
  const grant = (u, actions) => ok('POST', '/api/v1/permissions',
    { 'user-id': u.id, scope: { type: 'asset', catalog_id: z.catId, namespace: 'db', asset_id: tableId }, actions });
  await grant(reader, ['read']);
  await grant(writer, ['write']);
  const rtok = vendedSas(expectJson(await call('GET', `${z.T}/t`, { headers: { ...reader.headers, ...VEND } }), 200), loc, 'rl');
  const got = await azu.withSas('GET', m1, rtok);
  assert.equal(got.status, 200, `reader GET: ${got.status} ${got.text}`);
  assert.equal(JSON.parse(got.text)['table-uuid'], tableId);
  const rput = await azu.withSas('PUT', `${loc}/data/by-reader.parquet`, rtok, 'r');
  assert.equal(rput.status, 403, `reader PUT: ${rput.status} ${rput.text}`);
  assert.equal(rput.code, 'AuthorizationPermissionMismatch');
  assert.equal((await azu.withSas('DELETE', m1, rtok)).status, 403, 'reader DELETE');
  const wtok = vendedSas(expectJson(await call('GET', `${z.T}/t`, { headers: { ...writer.headers, ...VEND } }), 200), loc, 'racwdl');
  assert.notEqual(wtok, rtok);
  const wput = await azu.withSas('PUT', `${loc}/data/by-writer.parquet`, wtok, 'PAR1-w');
  assert.equal(wput.status, 201, `writer PUT: ${wput.status} ${wput.text}`);
  assert.equal((await azu.withSas('GET', `${loc}/data/by-writer.parquet`, rtok)).text, 'PAR1-w', 'the reader reads the writer\'s file');
  // A SAS whose signature is not the delegation key's is refused: Azurite checks it.
  const forged = new URLSearchParams(rtok);
  forged.set('sp', 'racwdl');
  assert.equal((await azu.withSas('PUT', `${loc}/data/forged.parquet`, forged.toString(), 'x')).status, 403, 'sp widened');

  // Many calls of the principal, more loads: one token request in all.
  for (let i = 0; i < 5; i++) expectJson(await call('GET', `${z.T}/t`), 200);
  vendedSas(expectJson(await call('GET', `${z.T}/t`, { headers: { ...reader.headers, ...VEND } }), 200), loc, 'rl');
  // (In a container of its own: a listed one holds one warehouse.)
  const c2 = uniq('entra2').toLowerCase();
  await azu.createContainer(c2);
  const z2 = await entraCatalog(c2);
  expectJson(await call('POST', z2.T, { body: { name: 'u', schema } }), 200);
  const asked = tok.seen.filter((e) => e.clientId === CLIENT);
  assert.equal(good() - before0, 1, `one token request for every call: ${JSON.stringify(asked)}`);
  const e = asked.at(-1);
  assert.equal(e.grant, 'client_credentials');
  assert.equal(e.scope, SCOPE);
  assert.equal(e.url, `/${TENANT}/oauth2/v2.0/token`);
  assert.match(e.type, /^application\/x-www-form-urlencoded/);
  timings.entra_flow_ms = Date.now() - t0;
  t.diagnostic(`reader SAS: ${rtok.replace(/sig=[^&]+/, 'sig=...')}`);
  t.diagnostic(`token requests: ${tok.seen.length}; flow ${timings.entra_flow_ms} ms`);
});

test('a wrong client_secret: creating a table is a 5xx naming Entra\'s invalid_client and the warehouse, never the secret; nothing written', async (t) => {
  const c = uniq('entrabad').toLowerCase();
  await azu.createContainer(c);
  const z = await entraCatalog(c, { client_id: BAD_CLIENT, client_secret: BAD_SECRET });
  const r = await call('POST', z.T, { body: { name: 't', schema } });
  assert.ok(r.status >= 500 && r.status < 600, `a 5xx: ${r.status} ${r.text}`);
  const b = expectError(r, r.status, { iceberg: true });
  t.diagnostic(`${r.status} ${b.error.type}: ${b.error.message}`);
  assert.match(b.error.message, /invalid_client/);
  assert.ok(b.error.message.includes(z.wh), 'names the warehouse');
  assert.ok(!r.text.includes(BAD_SECRET), 'the secret is not in the answer');
  assert.ok(tok.seen.some((e) => e.clientId === BAD_CLIENT && !e.ok), 'Entra was asked');
  expectError(await call('GET', `${z.T}/t`), 404, { iceberg: true });
  assert.deepEqual(await azu.list(c, ''), [], 'nothing written');
  // A load with vended credentials of a table on it cannot be had either:
  // no secret leaks into a log line of the answer.
  const leaks = answers.filter((a) => a.includes(SECRET) || a.includes(BAD_SECRET));
  assert.deepEqual(leaks, [], 'no client secret in any answer');
});

test('without [storage] ca_file the same HTTPS endpoint is refused: its certificate is not the system\'s (a 5xx naming the TLS failure)', async (t) => {
  const t0 = Date.now();
  const plain = await startIcebergServer({ root: true, noAuth: false, workers: 1, allowEndpoints: [azu.origin, tok.origin],
    env: { PANGOLIN_AUTH_RATE_LIMIT: '0' } });
  try {
    const a = (await user('entra-admin2', 'tenant-admin', plain)).headers;
    const c = uniq('entranoca').toLowerCase();
    await azu.createContainer(c);
    const z = await entraCatalog(c, {}, { headers: a, on: plain });
    const r = await call('POST', z.T, { body: { name: 't', schema }, headers: a, on: plain });
    assert.ok(r.status >= 500 && r.status < 600, `a 5xx: ${r.status} ${r.text}`);
    const b = expectError(r, r.status, { iceberg: true });
    t.diagnostic(`${r.status}: ${b.error.message}`);
    assert.match(b.error.message, /certificate|SSL/i);
    assert.deepEqual(await azu.list(c, ''), [], 'nothing written');
  } finally {
    await plain.stop();
  }
  timings.no_ca_ms = Date.now() - t0;
});
