// Federated catalogs that really proxy (issue 26 item 6; pangolin-api.md
// §2.11 "Federated" and "Proxying"): a second Pangolin, auth on, is the
// remote Iceberg catalog; every Iceberg call on a federated catalog is
// authorized here, then sent there with the catalog's own credentials
// (bearer token, Basic, API key, OAuth2 client credentials with refresh)
// and its answer relayed.  Small node servers stand in for remotes that
// misbehave: one that records what reaches it and answers as told, a
// listener that accepts and never answers, a port where nothing listens,
// and an OAuth token endpoint that hands out 4-second tokens.
//
// The remote calls themselves (signing in, the OAuth2 token each process
// keeps, what is sent, what comes back, timeouts, breakers, the allow-list,
// an unmodified client through the proxy) run on the sqlite pass only
// (ONCE, lib/server.js).  On every store: the federated catalog's stored
// config (sealed, masked, merged, unique), grants deciding what is
// forwarded, the audit events and local counts of proxied changes, and
// the sync task and its stats.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import dns from 'node:dns/promises';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { IcebergRestCatalog } from 'iceberg-js';
import { basic, freePort, NIL_UUID, ONCE, REPO, ROOT_PASSWORD, runBinary, startServer, STORE } from './lib/server.js';
import { simpleSchema, startIcebergServer } from './lib/iceberg.js';
import { checkResponse, validatingFetch } from './lib/openapi.js';
import { expectError, expectJson, expectList, uniq } from './lib/expect.js';

const PW = 'Str0ng-Passw0rd-for-tests';
const MASK = '********';
const TIMEOUT_MS = 3000;
const SEAL_KEY = crypto.randomBytes(32).toString('base64');	// PANGOLIN_ENCRYPTION_KEY
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const run = promisify(execFile);
const root = { authorization: basic() };
let remote, local, fake, hang, broker, dead;
const R = {};	// the remote: origin, credentials
const A = {};	// tenant A of the federating server
const B = {};

// --- stand-ins for remotes ----------------------------------------------------

const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
  server.origin = `http://127.0.0.1:${server.address().port}`;
  resolve(server);
}));

/** A remote that records every request and answers as fake.mode says. */
async function fakeRemote() {
  const s = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      s.seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      const json = (status, o, type = 'application/json') => {
        res.writeHead(status, { 'content-type': type });
        res.end(typeof o === 'string' ? o : JSON.stringify(o));
      };
      if (req.url.startsWith('/v1/config')) return json(200, { defaults: { uri: 'http://elsewhere' }, overrides: { prefix: 'p', 'x.kept': 'yes' }, endpoints: ['GET /v1/{prefix}/namespaces', 'POST /v1/{prefix}/plan/nothing'] });
      if (s.mode === '500') return json(500, { error: { message: 'remote exploded', type: 'InternalServerError', code: 500 } });
      if (s.mode === 'html') return json(500, '<html>secret-marker</html>', 'text/html');
      if (s.mode === 'big') return json(200, { namespaces: [], pad: 'x'.repeat(300 * 1024) });
      if (s.mode === 'page') return json(200, '<html>a page</html>', 'text/html');
      if (s.mode === 'redirect') { res.writeHead(302, { location: 'http://169.254.169.254/' }); return res.end(); }
      if (req.url.startsWith('/v1/p/namespaces?') || req.url === '/v1/p/namespaces') return json(200, { namespaces: [['ok'], ['other']] });
      return json(200, { namespace: ['ok'], properties: {} });
    });
  });
  s.seen = [];
  s.mode = 'ok';
  return listen(s);
}

/** Accepts connections and never answers; counts them. */
async function hangListener() {
  const s = net.createServer((sock) => {
    s.accepted.push(performance.now());
    s.total++;
    s.socks.add(sock);
    sock.on('error', () => {});
    sock.on('close', () => s.socks.delete(sock));
  });
  Object.assign(s, { accepted: [], total: 0, socks: new Set() });
  return listen(s);
}

/** An OAuth2 token endpoint in front of the remote's: its tokens say they live 4 s. */
async function tokenBroker(target) {
  const s = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      s.count++;
      const up = http.request(`${target}/v1/oauth/tokens`, { method: 'POST', headers: { 'content-type': req.headers['content-type'] } }, (ur) => {
        let text = '';
        ur.on('data', (c) => { text += c; });
        ur.on('end', () => {
          const j = JSON.parse(text);
          if (ur.statusCode === 200) { s.last = j.access_token; j.expires_in = 4; }
          res.writeHead(ur.statusCode, { 'content-type': 'application/json' });
          res.end(JSON.stringify(j));
        });
      });
      up.end(body);
    });
  });
  s.count = 0;
  return listen(s);
}

// --- setup ----------------------------------------------------------------------

const call = (srv, method, p, o = {}) => srv.req(method, p, o);
async function ok(srv, method, p, body, headers, status = [200, 201, 204]) {
  const r = await srv.req(method, p, { body, headers });
  assert.ok([].concat(status).includes(r.status), `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
}

async function tenant(t, tag) {
  t.id = (await ok(local, 'POST', '/api/v1/tenants', { name: uniq(tag) }, root)).id;
  const user = async (role) => {
    const username = uniq(`${tag}-${role}`);
    const u = await ok(local, 'POST', '/api/v1/users', { username, password: PW, tenant_id: t.id, role }, role === 'tenant-admin' ? root : t.admin);
    const token = (await ok(local, 'POST', '/api/v1/users/login', { username, password: PW, 'tenant-id': t.id })).token;
    return { id: u.id, headers: { authorization: `Bearer ${token}` } };
  };
  t.admin = (await user('tenant-admin')).headers;
  t.user = await user('tenant-user');
}

/** Properties of a federated catalog on the real remote's catalog `demo`. */
const onRemote = (extra, warehouse = 'demo') => ({ uri: R.origin, warehouse, ...extra });

async function federate(headers, name, properties, status = 201) {
  const r = await call(local, 'POST', '/api/v1/federated-catalogs', { body: { name, config: { properties } }, headers });
  return status === 201 ? expectJson(r, 201) : r;
}

/** A /v1 request through the federating server, its answer checked against the Iceberg spec. */
async function ice(method, p, { body, headers = A.admin } = {}) {
  const r = await local.req(method, p, { body, headers });
  checkResponse(method, p, r);
  return r;
}

before(async () => {
  remote = await startIcebergServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0' } });
  R.origin = `http://127.0.0.1:${remote.port}`;
  await ok(remote, 'POST', '/api/v1/users', { username: 'fed-peer', password: PW, tenant_id: NIL_UUID, role: 'tenant-admin' }, root);
  R.token = (await ok(remote, 'POST', '/api/v1/users/login', { username: 'fed-peer', password: PW, 'tenant-id': NIL_UUID })).token;
  R.admin = { authorization: `Bearer ${R.token}` };
  const su = await ok(remote, 'POST', '/api/v1/service-users', { name: 'federation', role: 'tenant-admin' }, R.admin);
  R.key = su.api_key;
  R.credential = `${su.id}:${su.api_key}`;
  [fake, hang, broker] = await Promise.all([fakeRemote(), hangListener(), tokenBroker(R.origin)]);
  // A remote that refuses every connection: port 1, which no test binds
  // (servers here take ephemeral ports from freePort()).  A free port
  // found at start was once taken by a side-by-side test file's server,
  // whose 404 this catalog then read as its remote's answer.
  dead = 'http://127.0.0.1:1';
  local = await startServer({
    root: true, noAuth: false, workers: 1,
    allowEndpoints: [R.origin, fake.origin, hang.origin, broker.origin, dead],
    env: {
      PANGOLIN_ENCRYPTION_KEY: SEAL_KEY,
      PANGOLIN_AUTH_RATE_LIMIT: '0',
      PANGOLIN_FEDERATION_TIMEOUT_MS: String(TIMEOUT_MS),
      PANGOLIN_FEDERATION_CONNECT_TIMEOUT_MS: '1000',
      PANGOLIN_FEDERATION_MAX_RESPONSE_BYTES: '262144',
      PANGOLIN_FEDERATION_BREAKER_FAILURES: '3',
    },
  });
  await tenant(A, 'fa');
  await tenant(B, 'fb');
});

after(async () => {
  for (const s of hang?.socks ?? []) s.destroy();
  await local?.stop();
  await remote?.stop();
  for (const s of [fake, hang, broker]) s?.close();
});

// --- signing in ---------------------------------------------------------------------

test('each way to sign in reaches the remote: bearer token, Basic, API key, OAuth2 client credentials', { skip: ONCE }, async () => {
  const kinds = {
    token: { token: R.token },
    basic: { username: 'root', password: ROOT_PASSWORD },
    apikey: { api_key: R.key },
    oauth: { credential: R.credential },
  };
  for (const [kind, props] of Object.entries(kinds)) {
    const name = uniq(`via-${kind}`);
    const c = await federate(A.admin, name, onRemote(props));
    assert.deepEqual(Object.keys(c).sort(), ['id', 'name', 'properties']);
    for (const k of ['token', 'password', 'api_key', 'credential']) if (props[k]) assert.equal(c.properties[k], MASK, `${kind}: ${k} masked`);
    const probe = expectJson(await call(local, 'POST', `/api/v1/federated-catalogs/${name}/test`, { headers: A.admin }), 200);
    assert.deepEqual(probe, { status: 'connected', catalog: name, base_url: R.origin, prefix: 'demo', remote_status: 200 });
    const nss = expectJson(await ice('GET', `/v1/${name}/namespaces`), 200);
    assert.ok(nss.namespaces.some((n) => n[0] === 'default'), `${kind}: the remote's namespaces`);
  }
  // A credential the remote refuses: the probe says so, and a call is our 502, not the remote's 401.
  const bad = uniq('via-bad');
  await federate(A.admin, bad, onRemote({ token: 'not-a-token' }));
  const p = expectJson(await call(local, 'POST', `/api/v1/federated-catalogs/${bad}/test`, { headers: A.admin }), 502);
  assert.equal(p.status, 'failed');
  assert.match(p.error, /HTTP 401/);
  expectError(await ice('GET', `/v1/${bad}/namespaces`), 502, { iceberg: true, message: /refused|401/ });
});

test('OAuth2 client credentials: the token is kept, taken anew before it expires, and once more when the remote refuses it', { skip: ONCE }, async () => {
  const name = uniq('oauth');
  await federate(A.admin, name, onRemote({ credential: R.credential, 'oauth2-server-uri': `${broker.origin}/token`, scope: 'catalog' }));
  const list = async () => expectJson(await ice('GET', `/v1/${name}/namespaces`), 200);
  const start = broker.count;
  for (let i = 0; i < 3; i++) await list();
  assert.equal(broker.count - start, 1, 'one token for three calls');
  await sleep(4100);
  await list();
  assert.equal(broker.count - start, 2, 'a token past its life is not used: a new one first');
  // The remote revokes the token we hold: its 401 makes us take a new one and call again.
  const jti = JSON.parse(Buffer.from(broker.last.split('.')[1], 'base64url')).jti;
  await ok(remote, 'DELETE', `/api/v1/tokens/${jti}`, undefined, root);
  await list();
  assert.equal(broker.count - start, 3, 'a refused token is replaced once');
});

// --- forwarding -------------------------------------------------------------------

test('namespaces and tables made through a federated catalog are the remote\'s: create, load, commit, list, rename, drop', async () => {
  const cat = uniq('fed');
  await federate(A.admin, cat, onRemote({ token: R.token }));
  const ns = uniq('ns');
  const theirs = (p) => remote.req('GET', `/v1/demo${p}`, { headers: R.admin });
  expectJson(await ice('POST', `/v1/${cat}/namespaces`, { body: { namespace: [ns], properties: { owner: 'fed' } } }), 200);
  assert.deepEqual(expectJson(await theirs(`/namespaces/${ns}`), 200).properties, { owner: 'fed' });

  const made = expectJson(await ice('POST', `/v1/${cat}/namespaces/${ns}/tables`, { body: { name: 't', schema: simpleSchema() } }), 200);
  const there = await theirs(`/namespaces/${ns}/tables/t`);
  assert.equal(expectJson(there, 200)['metadata-location'], made['metadata-location']);

  const loaded = await ice('GET', `/v1/${cat}/namespaces/${ns}/tables/t`);
  assert.equal(expectJson(loaded, 200)['metadata-location'], made['metadata-location']);
  assert.equal(loaded.headers.etag, there.headers.etag, 'the remote\'s ETag');
  assert.equal((await ice('GET', `/v1/${cat}/namespaces/${ns}/tables/t`, { headers: { ...A.admin, 'if-none-match': loaded.headers.etag } })).status, 304);
  assert.equal((await ice('HEAD', `/v1/${cat}/namespaces/${ns}/tables/t`)).status, (await remote.req('HEAD', `/v1/demo/namespaces/${ns}/tables/t`, { headers: R.admin })).status);
  expectError(await ice('GET', `/v1/${cat}/namespaces/${ns}/tables/nope`), 404, { iceberg: true, message: /nope/ });

  const uuid = loaded.json.metadata['table-uuid'];
  const commit = { requirements: [{ type: 'assert-table-uuid', uuid }], updates: [{ action: 'set-properties', updates: { team: 'fed' } }] };
  expectJson(await ice('POST', `/v1/${cat}/namespaces/${ns}/tables/t`, { body: commit }), 200);
  assert.equal(expectJson(await theirs(`/namespaces/${ns}/tables/t`), 200).metadata.properties.team, 'fed');
  const stale = { requirements: [{ type: 'assert-table-uuid', uuid: crypto.randomUUID() }], updates: [] };
  expectError(await ice('POST', `/v1/${cat}/namespaces/${ns}/tables/t`, { body: stale }), 409, { iceberg: true });

  assert.deepEqual(expectJson(await ice('GET', `/v1/${cat}/namespaces/${ns}/tables`), 200).identifiers, [{ namespace: [ns], name: 't' }]);
  assert.equal((await ice('POST', `/v1/${cat}/tables/rename`, { body: { source: { namespace: [ns], name: 't' }, destination: { namespace: [ns], name: 't2' } } })).status, 204);
  assert.equal((await theirs(`/namespaces/${ns}/tables/t2`)).status, 200);
  assert.equal((await ice('DELETE', `/v1/${cat}/namespaces/${ns}/tables/t2`)).status, 204);
  assert.equal((await theirs(`/namespaces/${ns}/tables/t2`)).status, 404);
  assert.equal((await ice('DELETE', `/v1/${cat}/namespaces/${ns}`)).status, 204);
  assert.equal((await theirs(`/namespaces/${ns}`)).status, 404);

  // Each change is in our audit log, as the caller's, with the remote's outcome.
  const events = expectJson(await call(local, 'GET', '/api/v1/audit?action=create_table', { headers: A.admin }), 200);
  assert.ok(events.some((e) => e.resource_name === 't' && e.result === 'success'), JSON.stringify(events));
  // Nothing of it was kept here.
  const sum = expectJson(await call(local, 'GET', `/api/v1/catalogs/${cat}/summary`, { headers: A.admin }), 200);
  assert.equal(sum.namespace_count + sum.table_count + sum.branch_count, 0);
  // The config clients start with: the remote's, under our prefix.
  for (const p of [`/v1/config?warehouse=${cat}`, `/v1/${cat}/config`]) {
    const cfg = expectJson(await ice('GET', p), 200);
    assert.equal(cfg.overrides.prefix, cat, p);
  }
});

test('SQL functions through a federated catalog are the remote\'s: create, replace, list, load, exists, drop (issue 70)', async () => {
  const cat = uniq('fedfn');
  await federate(A.admin, cat, onRemote({ token: R.token }));
  const ns = uniq('ns');
  const theirs = (p) => remote.req('GET', `/v1/demo${p}`, { headers: R.admin });
  expectJson(await ice('POST', `/v1/${cat}/namespaces`, { body: { namespace: [ns] } }), 200);
  const body = { name: 'f', definitions: [{ parameters: [{ name: 'x', type: 'int' }], 'return-type': 'int', 'function-type': 'udf',
    versions: [{ representations: [{ type: 'sql', dialect: 'spark', sql: 'x + 1' }] }] }] };
  const made = expectJson(await ice('POST', `/v1/${cat}/namespaces/${ns}/functions`, { body }), 200);
  assert.equal(expectJson(await theirs(`/namespaces/${ns}/functions/f`), 200)['metadata-location'], made['metadata-location']);
  const next = expectJson(await ice('POST', `/v1/${cat}/namespaces/${ns}/functions?replace=true`, { body }), 200);
  assert.equal(next.metadata.definitions[0]['current-version-id'], 2, 'the query string reaches the remote');
  assert.deepEqual(expectJson(await ice('GET', `/v1/${cat}/namespaces/${ns}/functions`), 200).identifiers, [[ns, 'f']]);
  assert.deepEqual(expectJson(await ice('GET', `/v1/${cat}/namespaces/${ns}/functions/f`), 200), next);
  assert.equal((await ice('HEAD', `/v1/${cat}/namespaces/${ns}/functions/f`)).status, 204);
  assert.equal((await ice('DELETE', `/v1/${cat}/namespaces/${ns}/functions/f`)).status, 204);
  assert.equal((await theirs(`/namespaces/${ns}/functions/f`)).status, 404);
  expectError(await ice('GET', `/v1/${cat}/namespaces/${ns}/functions/f`), 404, { iceberg: true, message: /f/ });
});

test('what reaches the remote: the catalog\'s credentials and the Iceberg headers, never the caller\'s', { skip: ONCE }, async () => {
  const cat = uniq('spy');
  await federate(A.admin, cat, { uri: fake.origin, token: 'remote-secret' });
  fake.seen.length = 0;
  const r = await local.req('GET', `/v1/${cat}/namespaces?parent=a%1Fb&pageSize=2`, {
    headers: { ...A.admin, 'x-iceberg-access-delegation': 'vended-credentials', 'x-pangolin-tenant': B.id, cookie: 'c=1' },
  });
  expectJson(r, 200);
  const call1 = fake.seen.find((s) => s.url.startsWith('/v1/p/'));
  assert.equal(call1.url, '/v1/p/namespaces?parent=a%1Fb&pageSize=2', 'under the remote\'s prefix, the query as sent');
  assert.equal(call1.headers.authorization, 'Bearer remote-secret');
  assert.equal(call1.headers['x-iceberg-access-delegation'], 'vended-credentials');
  assert.ok(call1.headers['x-request-id']);
  for (const h of ['x-pangolin-tenant', 'cookie']) assert.equal(call1.headers[h], undefined, h);
  assert.ok(fake.seen.every((s) => s.headers.authorization === 'Bearer remote-secret'), 'the caller\'s token never');
  // PyIceberg's doubled prefix is the same call.
  fake.seen.length = 0;
  expectJson(await local.req('GET', `/v1/${cat}/v1/namespaces`, { headers: A.admin }), 200);
  assert.equal(fake.seen.at(-1).url, '/v1/p/namespaces');
  // The config: the remote's settings, never its uri or prefix; only endpoints we forward.
  const cfg = expectJson(await local.req('GET', `/v1/${cat}/config`, { headers: A.admin }), 200);
  assert.deepEqual(cfg, { defaults: {}, overrides: { prefix: cat, 'x.kept': 'yes' }, endpoints: ['GET /v1/{prefix}/namespaces'] });
  // A dot segment is not sent on.
  fake.seen.length = 0;
  expectError(await local.req('GET', `/v1/${cat}/namespaces/..`, { headers: A.admin }), 400, { iceberg: true });
  assert.equal(fake.seen.length, 0);
});

test('a remote that answers 500: its Iceberg error envelope comes back as it is; any other error body becomes one', { skip: ONCE }, async () => {
  const cat = uniq('err');
  await federate(A.admin, cat, { uri: fake.origin });
  try {
    fake.mode = '500';
    const r = await local.req('GET', `/v1/${cat}/namespaces`, { headers: A.admin });
    assert.deepEqual(expectError(r, 500, { iceberg: true }), { error: { message: 'remote exploded', type: 'InternalServerError', code: 500 } });
    fake.mode = 'html';
    const h = expectError(await local.req('GET', `/v1/${cat}/namespaces`, { headers: A.admin }), 500, { iceberg: true });
    assert.ok(!h.error.message.includes('secret-marker'), h.error.message);
    fake.mode = 'big';
    expectError(await local.req('GET', `/v1/${cat}/namespaces`, { headers: A.admin }), 502, { iceberg: true, message: /max_response_bytes/ });
    fake.mode = 'page';
    const pg = expectError(await local.req('GET', `/v1/${cat}/namespaces`, { headers: A.admin }), 502, { iceberg: true, message: /not JSON/ });
    assert.ok(!pg.error.message.includes('a page'));
    fake.mode = 'redirect';
    expectError(await local.req('GET', `/v1/${cat}/namespaces`, { headers: A.admin }), 502, { iceberg: true, message: /302/ });
  } finally {
    fake.mode = 'ok';
  }
});

test('a remote that accepts and never answers: 504 within the timeout, while another tenant\'s calls keep their latency', { skip: ONCE }, async (t) => {
  const stuck = uniq('stuck');
  await federate(B.admin, stuck, { uri: hang.origin });
  const mine = uniq('mine');
  await federate(A.admin, mine, onRemote({ token: R.token }));
  const ns = uniq('lat');
  await ice('POST', `/v1/${mine}/namespaces`, { body: { namespace: [ns] } });
  await ice('POST', `/v1/${mine}/namespaces/${ns}/tables`, { body: { name: 't', schema: simpleSchema() } });
  const load = async () => {
    const t0 = performance.now();
    expectJson(await local.req('GET', `/v1/${mine}/namespaces/${ns}/tables/t`, { headers: A.admin }), 200);
    return performance.now() - t0;
  };
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const quiet = [];
  for (let i = 0; i < 15; i++) quiet.push(await load());

  const t0 = performance.now();
  const stalls = Array.from({ length: 8 }, () => local.req('GET', `/v1/${stuck}/namespaces`, { headers: B.admin })
    .then((r) => ({ r, ms: performance.now() - t0 })));
  await sleep(100);
  const busy = [];
  for (let i = 0; i < 15; i++) busy.push(await load());
  const ended = await Promise.all(stalls);
  t.diagnostic(`loadTable through the federated catalog: median ${median(quiet).toFixed(1)} ms quiet, ${median(busy).toFixed(1)} ms beside 8 calls to a remote that never answers; those ended after ${ended.map((e) => Math.round(e.ms)).join(', ')} ms`);
  assert.ok(Math.max(...busy) < TIMEOUT_MS / 2, `tenant A waited ${Math.max(...busy)} ms`);
  for (const { r, ms } of ended) {
    assert.ok([503, 504].includes(r.status), `${r.status} ${r.text}`);
    expectError(r, r.status, { iceberg: true });
    assert.ok(ms < 3 * TIMEOUT_MS, `answered after ${ms} ms`);
  }
  assert.ok(ended.some((e) => e.r.status === 504 && e.ms >= TIMEOUT_MS - 100), 'the first ones wait the timeout');
  const early = hang.accepted.filter((at) => at > t0 && at < t0 + TIMEOUT_MS - 200).length;
  assert.ok(early > 0 && early <= 4, `at most 4 calls to one remote at once (${early} in the first timeout)`);
  // Three failures in a row opened its breaker: refused at once, with Retry-After.
  const t1 = performance.now();
  const refused = await local.req('GET', `/v1/${stuck}/namespaces`, { headers: B.admin });
  expectError(refused, 503, { iceberg: true, message: /retry after/ });
  assert.ok(refused.headers['retry-after']);
  assert.ok(performance.now() - t1 < 1000);
  const m = (await local.req('GET', '/metrics')).text;
  const n = (name) => Number(m.match(new RegExp(`^${name} (\\d+)$`, 'm'))?.[1]);
  assert.ok(n('pangolin_federation_failures_total') >= 8, 'the stalled calls are counted');
  assert.ok(n('pangolin_federation_refused_total') >= 1);
  assert.ok(n('pangolin_federation_calls_total') >= n('pangolin_federation_failures_total'));
});

test('until its remote answers, a federated catalog fails clearly and never acts as a local one', { skip: ONCE }, async () => {
  const cat = uniq('gone');
  await federate(A.admin, cat, { uri: dead });
  const list = expectError(await ice('GET', `/v1/${cat}/namespaces`), 502, { iceberg: true });
  assert.match(list.error.message, new RegExp(`federated catalog '${cat}'.*${dead.replace(/[./]/g, '\\$&')}`));
  expectError(await ice('POST', `/v1/${cat}/namespaces`, { body: { namespace: ['x'] } }), 502, { iceberg: true });
  const probe = expectJson(await call(local, 'POST', `/api/v1/federated-catalogs/${cat}/test`, { headers: A.admin }), 503);
  assert.equal(probe.status, 'failed');
  // Three failures: its breaker is open.
  const shut = await ice('GET', `/v1/${cat}/namespaces`);
  expectError(shut, 503, { iceberg: true });
  assert.ok(shut.headers['retry-after']);
  // Nothing local: no namespaces, branches, tags, merges, maintenance or tree.
  const sum = expectJson(await call(local, 'GET', `/api/v1/catalogs/${cat}/summary`, { headers: A.admin }), 200);
  assert.equal(sum.namespace_count, 0);
  const refusals = [
    ['GET', `/api/v1/branches?catalog=${cat}`],
    ['GET', `/api/v1/tags?catalog=${cat}`],
    ['POST', '/api/v1/branches', { name: 'dev', catalog: cat }],
    ['POST', '/api/v1/branches/merge', { catalog: cat, source_branch: 'dev', target_branch: 'main' }],
    ['GET', `/api/v1/catalogs/${cat}/namespaces/tree`],
    ['POST', `/v1/${cat}/namespaces/x/tables/t/maintenance`, { operations: ['expire_snapshots'] }],
    ['GET', `/api/v1/catalogs/${cat}/namespaces/x/assets`],
    ['POST', `/api/v1/catalogs/${cat}/namespaces/x/assets`, { name: 'a', kind: 'CSV_TABLE', location: 'file:///tmp/x.csv' }],
    ['GET', `/api/v1/catalogs/${cat}/namespaces/x/assets/a`],
  ];
  for (const [method, p, body] of refusals) {
    expectError(await call(local, method, p, { body, headers: A.admin }), 400, { iceberg: p.startsWith('/v1/'), message: /federated/ });
  }
});

test('a remote not on the allow-list is refused when the catalog is made, and at connect time', { skip: ONCE }, async (t) => {
  const port = await freePort();
  const refused = [
    { uri: `http://127.0.0.1:${port}` },
    { uri: 'http://169.254.169.254' },
    { uri: 'http://localhost:8181' },
    { uri: R.origin, credential: 'a:b', 'oauth2-server-uri': `http://127.0.0.1:${port}/token` },
    { uri: 'ftp://remote' },
    { uri: `http://user:pw@${R.origin.slice(7)}` },
  ];
  for (const props of refused) {
    expectError(await federate(A.admin, uniq('no'), props, 400), 400, { message: /uri/ });
    expectError(await call(local, 'POST', '/api/v1/catalogs', { body: { name: uniq('no'), catalog_type: 'Federated', federated_config: { properties: props } }, headers: A.admin }), 400);
  }
  expectError(await federate(A.admin, uniq('two'), onRemote({ token: 'x', api_key: 'y' }), 400), 400, { message: /one way to sign in/ });
  // A name that resolves to this host: made (a name is not judged by its spelling), never connected to.
  const host = os.hostname().toLowerCase();
  const addrs = await dns.lookup(host, { all: true }).catch(() => []);
  if (host === 'localhost' || addrs.length === 0 || !addrs.every((a) => /^(127\.|::1$)/.test(a.address))) {
    t.skip(`${host} does not resolve to loopback only here`);
    return;
  }
  const before = hang.total;
  const cat = uniq('rebind');
  await federate(A.admin, cat, { uri: `http://${host}:${hang.address().port}` });
  expectError(await ice('GET', `/v1/${cat}/namespaces`), 502, { iceberg: true, message: /loopback.*allowed_endpoints/ });
  assert.equal(hang.total, before, 'never connected');
});

// --- authorization ----------------------------------------------------------------

test('authorization is decided before anything is forwarded; another tenant\'s catalog is missing', async () => {
  const cat = uniq('guarded');
  const { id } = await federate(A.admin, cat, { uri: fake.origin });
  fake.seen.length = 0;
  const u = A.user.headers;
  expectError(await local.req('GET', `/v1/${cat}/namespaces`, { headers: u }), 403, { iceberg: true });
  expectError(await local.req('POST', `/v1/${cat}/namespaces/ok/tables`, { body: { name: 't', schema: simpleSchema() }, headers: u }), 403, { iceberg: true });
  expectError(await local.req('GET', `/api/v1/federated-catalogs/${cat}`, { headers: u }), 403);
  expectError(await local.req('POST', `/api/v1/federated-catalogs/${cat}/test`, { headers: u }), 403);
  assert.equal(fake.seen.length, 0, 'nothing reached the remote');
  for (const [m, p] of [['DELETE', ''], ['POST', '/sync'], ['GET', '/stats']]) {
    expectError(await local.req(m, `/api/v1/federated-catalogs/${cat}${p}`, { headers: u }), 403);
  }
  expectError(await federate(u, uniq('x'), { uri: fake.origin }, 403), 403);
  assert.deepEqual(expectList(await local.req('GET', '/api/v1/federated-catalogs', { headers: u })).items, []);

  // read on namespace `ok`: that one is forwarded, `other` is not, and lists hold only `ok`.
  await ok(local, 'POST', '/api/v1/permissions', { 'user-id': A.user.id, scope: { type: 'namespace', catalog_id: id, namespace: 'ok' }, actions: ['read'] }, A.admin);
  expectJson(await local.req('GET', `/v1/${cat}/namespaces/ok`, { headers: u }), 200);
  const seen = fake.seen.length;
  expectError(await local.req('GET', `/v1/${cat}/namespaces/other`, { headers: u }), 403, { iceberg: true });
  expectError(await local.req('DELETE', `/v1/${cat}/namespaces/ok`, { headers: u }), 403, { iceberg: true });
  assert.equal(fake.seen.length, seen, 'refused calls are not forwarded');
  assert.deepEqual(expectJson(await local.req('GET', `/v1/${cat}/namespaces`, { headers: u }), 200).namespaces, [['ok']]);
  assert.deepEqual(expectList(await local.req('GET', '/api/v1/federated-catalogs', { headers: u })).items.map((c) => c.name), [cat]);

  // Tenant B: A's catalog answers exactly as a missing one.
  const missing = uniq('missing');
  for (const [pre, post] of [['/api/v1/federated-catalogs/', ''], ['/v1/', '/namespaces'], ['/api/v1/federated-catalogs/', '/stats']]) {
    const a = await local.req('GET', pre + cat + post, { headers: B.admin });
    const b = await local.req('GET', pre + missing + post, { headers: B.admin });
    assert.equal(a.status, 404, `${pre}${post}: ${a.text}`);
    assert.equal(a.text.split(cat).join('<n>'), b.text.split(missing).join('<n>'));
  }
  assert.equal((await local.req('DELETE', `/api/v1/federated-catalogs/${cat}`, { headers: B.admin })).status, 404);
});

// --- secrets, management ------------------------------------------------------------

test('the user guide\'s `curl -X POST $P/…/test -H "$AUTH"` works as written: a POST with no body and no Content-Length', { skip: ONCE }, async () => {
  const guide = fs.readFileSync(path.join(REPO, 'docs/user-guide.md'), 'utf8');
  const line = guide.split('\n').find((l) => l.startsWith('curl -X POST $P/api/v1/federated-catalogs/lake/test '));
  assert.ok(line, 'the guide shows the command');
  const name = uniq('lake');
  await federate(A.admin, name, onRemote({ token: R.token }));
  // The guide's line, its catalog renamed; curl prints the status after the body.
  const { stdout } = await run('sh', ['-c', `${line.replace('/lake/', `/${name}/`)} -sS -w '\\n%{http_code}'`], {
    env: { ...process.env, P: `http://127.0.0.1:${local.port}`, AUTH: `Authorization: ${A.admin.authorization}` },
  });
  const [body, status] = [stdout.slice(0, stdout.lastIndexOf('\n')), stdout.slice(stdout.lastIndexOf('\n') + 1)];
  assert.equal(status, '200', body);
  assert.equal(JSON.parse(body).status, 'connected');
});

test('secrets in federated_config are masked in every answer and sealed at rest', async () => {
  const name = uniq('secret');
  const secret = R.token;
  await federate(A.admin, name, onRemote({ token: secret }));
  const answers = [
    await local.req('GET', `/api/v1/federated-catalogs/${name}`, { headers: A.admin }),
    await local.req('GET', '/api/v1/federated-catalogs', { headers: A.admin }),
    await local.req('GET', `/api/v1/catalogs/${name}`, { headers: A.admin }),
    await local.req('GET', '/api/v1/catalogs', { headers: A.admin }),
  ];
  for (const r of answers) {
    assert.equal(r.status, 200);
    assert.ok(!r.text.includes(secret), r.text);
  }
  assert.equal(answers[2].json.federated_config.properties.token, MASK);
  // The mask sent back keeps the secret (the catalog still signs in); a mask with nothing stored is refused.
  const back = { federated_config: answers[2].json.federated_config };
  expectJson(await local.req('PUT', `/api/v1/catalogs/${name}`, { body: back, headers: A.admin }), 200);
  expectJson(await local.req('POST', `/api/v1/federated-catalogs/${name}/test`, { headers: A.admin }), 200);
  expectError(await local.req('PUT', `/api/v1/catalogs/${name}`, { body: { federated_config: { properties: { uri: R.origin, password: MASK, username: 'u' } } }, headers: A.admin }), 400);
  if (STORE === 'sqlite') {
    const db = fs.readFileSync(local.dbPath);
    const wal = fs.existsSync(`${local.dbPath}-wal`) ? fs.readFileSync(`${local.dbPath}-wal`) : Buffer.alloc(0);
    assert.ok(!db.includes(secret) && !wal.includes(secret), 'sealed at rest');
  }
  // The start-up proof (issue 67) opens one of them: with another key the
  // config check refuses, naming the class; with the key it says so.
  if (STORE === 'memory') return;
  const check = (key) => runBinary(['-c', local.config, '--check-config'], { env: { PANGOLIN_ENCRYPTION_KEY: key } });
  const wrong = check(crypto.randomBytes(32).toString('base64'));
  assert.equal(wrong.code, 2, wrong.stderr);
  assert.match(wrong.stderr, /federated catalog secrets \(federated_config\): catalog '[^']+' of tenant [0-9a-f-]{36} cannot be opened: does not authenticate/);
  const right = check(SEAL_KEY);
  assert.equal(right.code, 0, right.stderr);
  assert.match(right.stderr, /sealed values open with PANGOLIN_ENCRYPTION_KEY \(a sample of each\): .*federated catalog secrets/);
});

test('a Federated catalog made through POST /api/v1/catalogs is the same: proxied, listed, no local branch', async () => {
  const name = uniq('viacat');
  const c = expectJson(await local.req('POST', '/api/v1/catalogs', { body: { name, catalog_type: 'Federated', federated_config: { properties: onRemote({ api_key: R.key }) } }, headers: A.admin }), 201);
  assert.equal(c.federated_config.properties.api_key, MASK);
  assert.equal(c.storage_location, null);
  assert.ok(expectJson(await ice('GET', `/v1/${name}/namespaces`), 200).namespaces.some((n) => n[0] === 'default'));
  assert.equal(expectJson(await local.req('GET', `/api/v1/federated-catalogs/${name}`, { headers: A.admin }), 200).name, name);
  expectError(await local.req('GET', `/api/v1/branches?catalog=${name}`, { headers: A.admin }), 400);
  expectError(await local.req('POST', '/api/v1/catalogs', { body: { name: uniq('x'), catalog_type: 'Federated', warehouse_name: 'wh', federated_config: { properties: onRemote({}) } }, headers: A.admin }), 400);
  // A Local catalog takes no federated_config, and is no federated catalog.
  const loc = uniq('local');
  expectJson(await local.req('POST', '/api/v1/catalogs', { body: { name: loc }, headers: A.admin }), 201);
  expectError(await local.req('PUT', `/api/v1/catalogs/${loc}`, { body: { federated_config: { properties: onRemote({}) } }, headers: A.admin }), 400);
  expectError(await local.req('GET', `/api/v1/federated-catalogs/${loc}`, { headers: A.admin }), 400);
  // Delete: 200 with the contract's body; then it is gone.
  assert.deepEqual(expectJson(await local.req('DELETE', `/api/v1/federated-catalogs/${name}`, { headers: A.admin }), 200), { status: 'deleted', catalog: name });
  expectError(await ice('GET', `/v1/${name}/namespaces`), 404, { iceberg: true });
  const dup = expectJson(await federate(A.admin, loc, onRemote({}), 409), 409);
  assert.equal(dup.error, 'Catalog name conflict');
});

async function waitStats(name, want) {
  const end = Date.now() + 30000;
  for (;;) {
    const s = expectJson(await local.req('GET', `/api/v1/federated-catalogs/${name}/stats`, { headers: A.admin }), 200);
    if (s.sync_status === want) return s;
    if (Date.now() > end) assert.fail(`stats still ${JSON.stringify(s)}`);
    await sleep(100);
  }
}

test('sync counts the remote\'s namespaces and tables for real; stats say when and what', async () => {
  const theirs = uniq('synced');
  await ok(remote, 'POST', '/api/v1/catalogs', { name: theirs, warehouse_name: 'wh' }, R.admin);
  const put = (p, body) => ok(remote, 'POST', `/v1/${theirs}${p}`, body, R.admin);
  await put('/namespaces', { namespace: ['a'] });
  await put('/namespaces', { namespace: ['a', 'kid'] });
  await put('/namespaces', { namespace: ['b'] });
  await put('/namespaces/a/tables', { name: 't1', schema: simpleSchema() });
  await put('/namespaces/a%1Fkid/tables', { name: 't2', schema: simpleSchema() });
  await put('/namespaces/a%1Fkid/tables', { name: 't3', schema: simpleSchema() });

  const name = uniq('sync');
  await federate(A.admin, name, onRemote({ credential: R.credential }, theirs));
  const never = expectJson(await local.req('GET', `/api/v1/federated-catalogs/${name}/stats`, { headers: A.admin }), 200);
  assert.deepEqual(never, { last_synced_at: null, sync_status: 'Never Synced', tables_synced: 0, namespaces_synced: 0, views_synced: 0, error_message: null, task_id: null });
  const s = expectJson(await local.req('POST', `/api/v1/federated-catalogs/${name}/sync`, { headers: A.admin }), 200);
  assert.equal(s.status, 'Sync triggered');
  const done = await waitStats(name, 'Success');
  assert.equal(done.namespaces_synced, 4, 'default, a, a.kid, b');
  assert.equal(done.tables_synced, 3);
  assert.equal(done.task_id, s.task_id);
  assert.ok(Date.parse(done.last_synced_at) > Date.now() - 120000);

  const gone = uniq('syncgone');
  await federate(A.admin, gone, { uri: dead });
  expectJson(await local.req('POST', `/api/v1/federated-catalogs/${gone}/sync`, { headers: A.admin }), 200);
  const failed = await waitStats(gone, 'Failed');
  assert.match(failed.error_message, /127\.0\.0\.1/);
  assert.equal(failed.last_synced_at, null);
});

// --- an Iceberg client nobody here wrote ---------------------------------------------

test('iceberg-js, unmodified, through a federated catalog end to end', { skip: ONCE }, async (t) => {
  const name = uniq('fedjs');
  await federate(A.admin, name, onRemote({ credential: R.credential }));
  const checked = validatingFetch();
  const js = new IcebergRestCatalog({
    baseUrl: `http://127.0.0.1:${local.port}`,
    warehouse: name,
    auth: { type: 'bearer', token: A.admin.authorization.slice(7) },
    fetch: checked,
  });
  const cfg = await js.loadConfig();
  assert.equal(cfg.overrides.prefix, name);
  const ns = { namespace: [uniq('js')] };
  await js.createNamespace(ns, { properties: { via: 'iceberg-js' } });
  const made = await js.createTableResult(ns, { name: 'events', schema: simpleSchema() });
  const id = { namespace: ns.namespace, name: 'events' };
  const loaded = await js.loadTableResult(id);
  assert.equal(loaded['metadata-location'], made['metadata-location']);
  assert.equal(await js.loadTable(id, { ifNoneMatch: loaded.etag }), null, '304 -> null');
  await js.updateTable(id, { requirements: [{ type: 'assert-table-uuid', uuid: loaded.metadata['table-uuid'] }], updates: [{ action: 'set-properties', updates: { k: 'v' } }] });
  assert.deepEqual((await js.listTables(ns)).identifiers.map((i) => i.name), ['events']);
  await js.renameTable({ source: id, destination: { ...id, name: 'renamed' } });
  assert.equal(await js.tableExists({ ...id, name: 'renamed' }), true);
  const there = expectJson(await remote.req('GET', `/v1/demo/namespaces/${ns.namespace[0]}/tables/renamed`, { headers: R.admin }), 200);
  assert.equal(there.metadata.properties.k, 'v', 'the commit landed on the remote');
  await js.dropTable({ ...id, name: 'renamed' });
  await js.dropNamespace(ns);
  assert.equal(await js.namespaceExists(ns), false);
  assert.deepEqual(checked.failures.map((e) => e.message), [], 'every answer matches the Iceberg OpenAPI spec');

  // What proxying costs: loadTable direct on the remote, and through us.
  await js.createNamespace(ns);
  await js.createTable(ns, { name: 'timed', schema: simpleSchema() });
  // Interleaved, so that both see the same load on the machine.
  const p = `/namespaces/${ns.namespace[0]}/tables/timed`;
  const direct = [], proxied = [];
  const once = async (srv, path, headers, into) => {
    const t0 = performance.now();
    assert.equal((await srv.req('GET', path, { headers })).status, 200);
    into.push(performance.now() - t0);
  };
  for (let i = 0; i < 60; i++) {
    await once(remote, `/v1/demo${p}`, R.admin, direct);
    await once(local, `/v1/${name}${p}`, A.admin, proxied);
  }
  const med = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  t.diagnostic(`loadTable median: ${med(direct).toFixed(2)} ms on the remote, ${med(proxied).toFixed(2)} ms through the federated catalog`);
});
