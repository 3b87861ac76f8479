// Warehouse secrets at rest (pangolin-api.md §2.2, §10): with
// PANGOLIN_ENCRYPTION_KEY, secret storage_config and vending_strategy
// values are stored as enc:v1: + AES-256-GCM; responses mask them; the
// mask sent back keeps the stored secret.  The raw rows are read from the
// SQLite file and from PostgreSQL; the memory and Mongo passes check what
// the API shows.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { basic, NIL_UUID, runBinary, startServer, STORE, tmpDir } from './lib/server.js';
import { expectError, expectJson, uniq } from './lib/expect.js';

const KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const SECRET = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCY';
const ACCESS = 'AKIAIOSFODNN7EXAMPLE';

let srv;
before(async () => { srv = await startServer({ env: { PANGOLIN_ENCRYPTION_KEY: KEY } }); });
after(async () => { await srv?.stop(); });

/** The stored row as text ({storage_config, vending_strategy}), or null where this pass cannot read it. */
function rawRow(s, name) {
  if (s.store === 'sqlite') {
    const out = execFileSync('sqlite3', ['-json', s.dbPath,
      `SELECT storage_config, vending_strategy FROM warehouses WHERE name = '${name}'`], { encoding: 'utf8' });
    return JSON.parse(out)[0];
  }
  if (s.store === 'postgres') {
    const schema = 't_' + path.basename(s.dir).replace(/[^a-z0-9]/gi, '_').toLowerCase();
    const out = execFileSync('psql', [process.env.PGL_PG_URL, '-At', '-c',
      `SELECT json_build_object('storage_config', storage_config, 'vending_strategy', vending_strategy) FROM ${schema}.warehouses WHERE name = '${name}'`],
    { encoding: 'utf8' });
    return JSON.parse(out.trim());
  }
  return null;
}
const parse = (v) => (typeof v === 'string' ? JSON.parse(v) : v);

function s3(extra = {}) {
  return {
    type: 's3', bucket: 'lake', region: 'us-east-1',
    's3.access-key-id': ACCESS, 's3.secret-access-key': SECRET, ...extra,
  };
}
const vending = { AwsStatic: { access_key_id: ACCESS, secret_access_key: SECRET } };

test('secrets are sealed at rest, never stored or answered in plaintext; other values stay readable', async () => {
  const name = uniq('wh');
  const w = expectJson(await srv.req('POST', '/api/v1/warehouses', { body: { name, storage_config: s3(), vending_strategy: vending } }), 201);
  assert.equal(w.storage_config['s3.secret-access-key'], '********');
  assert.equal(w.storage_config['s3.access-key-id'], '********');
  assert.equal(w.storage_config.region, 'us-east-1');
  assert.equal(w.vending_strategy.AwsStatic.secret_access_key, '********');
  const got = expectJson(await srv.req('GET', `/api/v1/warehouses/${name}`), 200);
  assert.ok(!JSON.stringify(got).includes(SECRET));
  const row = rawRow(srv, name);
  if (!row) return;
  const text = JSON.stringify(row);
  assert.ok(!text.includes(SECRET), 'the secret is not in the stored row');
  assert.ok(!text.includes(ACCESS), 'the access key id is not in the stored row');
  const cfg = parse(row.storage_config);
  assert.match(cfg['s3.secret-access-key'], /^enc:v1:[A-Za-z0-9+/]+=*$/);
  assert.match(cfg['s3.access-key-id'], /^enc:v1:/);
  assert.equal(cfg.region, 'us-east-1');
  assert.match(parse(row.vending_strategy).AwsStatic.secret_access_key, /^enc:v1:/);
});

test('the mask sent back in a PUT keeps the stored secret; a new value replaces it', async () => {
  const name = uniq('wh');
  expectJson(await srv.req('POST', '/api/v1/warehouses', { body: { name, storage_config: s3(), vending_strategy: vending } }), 201);
  const before = rawRow(srv, name);
  const shown = expectJson(await srv.req('GET', `/api/v1/warehouses/${name}`), 200);
  // A client round-trips what it was shown, changing one plain value.
  const put = expectJson(await srv.req('PUT', `/api/v1/warehouses/${name}`,
    { body: { storage_config: { ...shown.storage_config, region: 'eu-west-1' }, vending_strategy: shown.vending_strategy } }), 200);
  assert.equal(put.storage_config.region, 'eu-west-1');
  assert.equal(put.storage_config['s3.secret-access-key'], '********');
  if (before) {
    const after = rawRow(srv, name);
    assert.equal(parse(after.storage_config)['s3.secret-access-key'], parse(before.storage_config)['s3.secret-access-key'],
      'the sealed value is kept byte for byte');
    assert.equal(parse(after.vending_strategy).AwsStatic.secret_access_key, parse(before.vending_strategy).AwsStatic.secret_access_key);
  }
  expectJson(await srv.req('PUT', `/api/v1/warehouses/${name}`, { body: { storage_config: { 's3.secret-access-key': 'a-new-secret-value' } } }), 200);
  if (before) {
    const after = rawRow(srv, name);
    const v = parse(after.storage_config)['s3.secret-access-key'];
    assert.match(v, /^enc:v1:/);
    assert.notEqual(v, parse(before.storage_config)['s3.secret-access-key']);
    assert.ok(!JSON.stringify(after).includes('a-new-secret-value'));
  }
});

// Issue 67's encryption pass: checks ran on the stored text, so a new
// secret sealed before its check passed it whatever it held.
test('a secret sent in an update, or in a vending strategy, is checked as it will be used, not as sealed', async () => {
  const name = uniq('wh');
  expectJson(await srv.req('POST', '/api/v1/warehouses', { body: { name, storage_config: s3() } }), 201);
  expectError(await srv.req('PUT', `/api/v1/warehouses/${name}`, { body: { storage_config: { 's3.secret-access-key': 'has a space' } } }), 400,
    { message: /printable text without spaces/ });
  expectError(await srv.req('POST', '/api/v1/warehouses', { body: { name: uniq('wh'), storage_config: s3(),
    vending_strategy: { AwsSts: { role_arn: 'arn:aws:iam::123456789012:role/lake', external_id: 'has space' } } } }), 400, { message: /external_id/ });
  expectError(await srv.req('PUT', `/api/v1/warehouses/${name}`, { body: {
    vending_strategy: { AwsSts: { role_arn: 'arn:aws:iam::123456789012:role/lake', external_id: 'has space' } } } }), 400, { message: /external_id/ });
  assert.equal(expectJson(await srv.req('GET', `/api/v1/warehouses/${name}`), 200).vending_strategy, 'None', 'nothing stored');
});

test('the mask for a secret that is not stored, or a value posing as sealed, is 400', async () => {
  const name = uniq('wh');
  expectError(await srv.req('POST', '/api/v1/warehouses', { body: { name, storage_config: s3({ 's3.secret-access-key': '********' }) } }), 400,
    { message: /s3\.secret-access-key/ });
  expectJson(await srv.req('POST', '/api/v1/warehouses', { body: { name, storage_config: { type: 's3', bucket: 'lake' } } }), 201);
  expectError(await srv.req('PUT', `/api/v1/warehouses/${name}`, { body: { storage_config: { secret_access_key: '********' } } }), 400,
    { message: /none is stored/ });
  expectError(await srv.req('PUT', `/api/v1/warehouses/${name}`, { body: { storage_config: { secret_access_key: 'enc:v1:AAAA' } } }), 400,
    { message: /reserved/ });
});

test('without PANGOLIN_ENCRYPTION_KEY the server says at start-up that secrets are stored in plaintext', { skip: STORE !== 'sqlite' && 'one pass is enough' }, async () => {
  // '' unsets the key a pass may give every server (run-integration.sh).
  const plain = await startServer({ env: { PANGOLIN_ENCRYPTION_KEY: '' } });
  try {
    assert.match(plain.log(), /PANGOLIN_ENCRYPTION_KEY is not set: warehouse secrets are stored in plaintext/);
    const name = uniq('wh');
    expectJson(await plain.req('POST', '/api/v1/warehouses', { body: { name, storage_config: s3() } }), 201);
    assert.equal(parse(rawRow(plain, name).storage_config)['s3.secret-access-key'], SECRET);
  } finally {
    await plain.stop();
  }
  assert.doesNotMatch(srv.log(), /PANGOLIN_ENCRYPTION_KEY is not set/);
});

test('a key that is not base64 of 32 bytes, or one repeated byte, stops start-up with one line (exit 2)', { skip: STORE !== 'sqlite' && 'one pass is enough' }, () => {
  const dir = tmpDir('pgl-key');
  try {
    for (const bad of ['short', 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==', 'A'.repeat(43) + '=', `${KEY}x`]) {
      const r = runBinary(['--check-config'], { env: { PANGOLIN_ENCRYPTION_KEY: bad, DATABASE_URL: `sqlite://${path.join(dir, 'k.db')}` } });
      assert.equal(r.code, 2, `${bad}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /PANGOLIN_ENCRYPTION_KEY/);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    const ok = runBinary(['--check-config'], { env: { PANGOLIN_ENCRYPTION_KEY: KEY, DATABASE_URL: `sqlite://${path.join(dir, 'k.db')}` } });
    assert.equal(ok.code, 0, ok.stderr);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// Issue 67: webhooks' sealed secrets once never opened, silently.  Each
// class of sealed value the store keeps is now opened once at start-up
// (src/api/storage/sealed_probe.c), and --check-config does the same.
test('at start-up one sealed value of each class is opened: a wrong or missing key refuses to start, naming each class; start_with_unreadable_secrets starts with a warning', { skip: STORE === 'memory' && 'the memory store keeps nothing across a restart' }, async () => {
  const s = await startServer({ env: { PANGOLIN_ENCRYPTION_KEY: KEY } });
  try {
    expectJson(await s.req('POST', '/api/v1/warehouses', { body: { name: uniq('wh'), storage_config: s3(), vending_strategy: vending } }), 201);
    expectJson(await s.req('PUT', '/api/v1/config/settings', { body: { smtp_host: 'smtp.example.com', smtp_password: 'smtp-secret-1' } }), 200);
    expectJson(await s.req('POST', '/api/v1/webhooks', { body: { name: uniq('hook'), url: 'https://hooks.example.com/in' } }), 201);
    await s.stop({ keep: true });
    const run = (args, env) => runBinary(['-c', s.config, ...args], { env });
    const other = crypto.randomBytes(32).toString('base64');
    const wrong = run(['--check-config'], { PANGOLIN_ENCRYPTION_KEY: other });
    assert.equal(wrong.code, 2, wrong.stdout + wrong.stderr);
    for (const c of [/warehouse secrets \(storage_config\): warehouse '[^']+' of tenant [0-9a-f-]{36} cannot be opened: does not authenticate/,
      /warehouse vending_strategy secrets: warehouse '[^']+'/, /tenant settings secrets: the settings of tenant/,
      /webhook signing secrets: webhook '[^']+' of tenant/])
      assert.match(wrong.stderr, c);
    assert.match(wrong.stderr, /start_with_unreadable_secrets/, 'the way out is named');
    assert.equal(run([], { PANGOLIN_ENCRYPTION_KEY: other }).code, 2, 'the server itself refuses to start');
    const none = run(['--check-config'], { PANGOLIN_ENCRYPTION_KEY: '' });
    assert.equal(none.code, 2, none.stderr);
    assert.match(none.stderr, /webhook signing secrets: .* it is sealed and PANGOLIN_ENCRYPTION_KEY is not set/);
    const warned = run(['--check-config'], { PANGOLIN_ENCRYPTION_KEY: other, PANGOLIN_START_WITH_UNREADABLE_SECRETS: 'true' });
    assert.equal(warned.code, 0, warned.stderr);
    assert.match(warned.stderr, /webhook signing secrets: .*; starting anyway/);
    const right = run(['--check-config'], { PANGOLIN_ENCRYPTION_KEY: KEY });
    assert.equal(right.code, 0, right.stderr);
    assert.match(right.stderr, /sealed values open with PANGOLIN_ENCRYPTION_KEY \(a sample of each\): warehouse secrets \(storage_config\), warehouse vending_strategy secrets, tenant settings secrets, webhook signing secrets/);
  } finally {
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
});

// Issue 67: a tenant admin could point a warehouse whose secrets root
// gave (the operator's keys, an Entra principal's secret) at another
// bucket, prefix or authority, and the server used them there.
test('a tenant admin moving a warehouse (bucket, prefix, endpoint, authority) sends its secrets again; root, the operator, may move it as it is', async () => {
  const s = await startServer({ root: true, env: { PANGOLIN_ENCRYPTION_KEY: KEY } });
  try {
    const asRoot = { authorization: basic(), 'x-pangolin-tenant': NIL_UUID };
    const name = uniq('wh');
    expectJson(await s.req('POST', '/api/v1/warehouses', { body: { name, storage_config: s3({ prefix: 'tenant-a' }) }, headers: asRoot }), 201);
    const put = (cfg, headers) => s.req('PUT', `/api/v1/warehouses/${name}`, { body: { storage_config: cfg }, headers });
    for (const moved of [{ bucket: 'other-lake' }, { prefix: 'tenant-b' }, { endpoint: 'https://s3.other.example' },
      { sts_endpoint: 'https://sts.other.example' }, { role_arn: 'arn:aws:iam::123456789012:role/other' }]) {
      const k = Object.keys(moved)[0];
      expectError(await put(moved), 422, { message: new RegExp(`storage_config\\.${k.replace('.', '\\.')} changes where the warehouse's stored secrets go.*send them again`) });
      expectError(await put({ ...moved, 's3.secret-access-key': '********', 's3.access-key-id': '********' }), 422, { message: /send them again/ });
    }
    assert.equal(expectJson(await s.req('GET', `/api/v1/warehouses/${name}`), 200).storage_config.prefix, 'tenant-a', 'nothing moved');
    // The same value, or a setting that is not a place: no secret needed.
    expectJson(await put({ prefix: 'tenant-a', region: 'eu-west-1' }), 200);
    // The secrets sent again: the tenant's own to move.
    expectJson(await put({ prefix: 'tenant-a2', 's3.secret-access-key': 'a-new-secret', 's3.access-key-id': 'AKIANEW' }), 200);
    // Root moves it with the secrets it holds.
    expectJson(await put({ prefix: 'tenant-a3' }, asRoot), 200);
    assert.equal(expectJson(await s.req('GET', `/api/v1/warehouses/${name}`), 200).storage_config.prefix, 'tenant-a3');
  } finally {
    await s.stop();
  }
});
