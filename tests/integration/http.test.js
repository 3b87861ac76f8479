// The HTTP middleware every route shares (src/http/kore_dispatch.c and
// Kore underneath): request ids, CORS, 404/405, body checks, limits, and
// hostile input that must be refused with a JSON 4xx, never a 5xx or a
// crash.
//
// What the HTTP layer decides before any store call runs on the sqlite
// pass only (ONCE, lib/server.js).  Two tests stay on every store: hostile
// path bytes that pass the UTF-8 check ('..', 'a/b', '\x01') are looked up
// as names by the store, and the route sweep sends every route's request,
// missing ids and all, to each store: neither may turn into a 5xx there.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { basic, ONCE, REPO, startServer } from './lib/server.js';
import { expectError, expectJson, uniq, UUID_RE } from './lib/expect.js';

let srv;
before(async () => { srv = await startServer({ root: true }); });
after(async () => { await srv?.stop(); });

const JSON_CT = { 'content-type': 'application/json' };

/*
 * Send raw bytes on a fresh socket; resolve with everything the server
 * sent back by the time it closes (or `wait` ms pass).  The socket is not
 * half-closed here; framing.test.js covers a client that half-closes
 * (the Kore patch answers it in full).
 */
function rawExchange(bytes, { wait = 1000 } = {}) {
  return new Promise((resolve) => {
    const sock = net.connect(srv.port, '127.0.0.1');
    const chunks = [];
    let error = null;
    const finish = () => resolve({ text: Buffer.concat(chunks).toString('latin1'), error });
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', (e) => { error = e.code; });
    sock.on('close', finish);
    sock.setTimeout(wait, () => sock.destroy());
    sock.write(bytes);
  });
}

/** The server still answers after whatever the test did to it. */
async function stillServing() {
  const r = await srv.req('GET', '/health/live');
  assert.equal(r.status, 200, 'server still serving');
}

/*
 * POST `size` bytes with a JSON content type.  By default the way curl
 * sends large bodies: headers first with Expect: 100-continue, the body
 * only after 100 Continue, so an answer Kore gives from the headers alone
 * (413) is read before any body is sent.  expectContinue: false writes
 * everything at once.
 */
function postHuge(url, size, { expectContinue = true } = {}) {
  const body = Buffer.alloc(size, 0x61);
  return new Promise((resolve, reject) => {
    const headers = { ...JSON_CT, 'content-length': body.length };
    if (expectContinue) headers.expect = '100-continue';
    const req = http.request({ host: '127.0.0.1', port: srv.port, method: 'POST', path: url, headers, agent: false });
    let done = false;
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        done = true;
        const text = Buffer.concat(chunks).toString();
        let json;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('continue', () => req.end(body));
    req.on('error', (e) => { setTimeout(() => { if (!done) reject(e); }, 200); });
    if (expectContinue) req.flushHeaders(); else req.end(body);
  });
}

// --- x-request-id -------------------------------------------------------

test('x-request-id: a valid id (1-128 of [A-Za-z0-9._-]) is echoed', { skip: ONCE }, async () => {
  for (const id of ['a', 'req-1', 'A.b_C-9', 'x'.repeat(128), '0123456789']) {
    const r = await srv.req('GET', '/health/live', { headers: { 'x-request-id': id } });
    assert.equal(r.headers['x-request-id'], id);
  }
});

test('x-request-id: an invalid id (too long, bad characters) is replaced by a new UUID', { skip: ONCE }, async () => {
  for (const id of ['x'.repeat(129), 'a b', 'a/b', 'a;b', 'a:b', '<script>', '{}', 'a,b']) {
    const r = await srv.req('GET', '/health/live', { headers: { 'x-request-id': id } });
    assert.match(r.headers['x-request-id'], UUID_RE, `replacement for ${JSON.stringify(id)}`);
  }
});

test('x-request-id: generated ids differ from request to request', { skip: ONCE }, async () => {
  const ids = new Set();
  for (let i = 0; i < 10; i++) ids.add((await srv.req('GET', '/health/live')).headers['x-request-id']);
  assert.equal(ids.size, 10);
});

test('x-request-id: every response carries it, errors and empty replies included', { skip: ONCE }, async () => {
  const cases = [
    ['GET', '/no/such/route', {}],
    ['GET', '/v1/no-such', {}],
    ['PATCH', '/api/v1/catalogs', {}],
    ['POST', '/api/v1/catalogs', { body: '{', raw: true, headers: JSON_CT }],
    ['POST', '/api/v1/catalogs', { body: { nope: 1 } }],
    ['POST', '/api/v1/catalogs', { body: 'x', raw: true }],
    ['GET', '/api/v1/tenants', { headers: { authorization: basic('root', 'wrong-password!') } }],
    ['OPTIONS', '/api/v1/catalogs', {}],
    ['GET', '/api/v1/catalogs?limit=x', {}],
    ['GET', '/api/v1/catalogs/%00', {}],
  ];
  for (const [m, p, o] of cases) {
    const r = await srv.req(m, p, { ...o, headers: { ...(o.headers ?? {}), 'x-request-id': 'trace-42' } });
    assert.equal(r.headers['x-request-id'], 'trace-42', `${m} ${p} -> ${r.status}`);
  }
});

// --- CORS -----------------------------------------------------------------

test('CORS: responses allow any origin, errors included', { skip: ONCE }, async () => {
  for (const p of ['/health/live', '/api/v1/catalogs', '/no/such/route']) {
    const r = await srv.req('GET', p, { headers: { origin: 'https://ui.example' } });
    assert.equal(r.headers['access-control-allow-origin'], '*', p);
  }
});

test('CORS: OPTIONS preflight is 204 with allow-methods and allow-headers on any path', { skip: ONCE }, async () => {
  for (const p of ['/api/v1/catalogs', '/api/v1/catalogs/c1', '/v1/c1/namespaces', '/no/such/route', '/']) {
    const r = await srv.req('OPTIONS', p, {
      headers: { origin: 'https://ui.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(r.status, 204, p);
    assert.equal(r.text, '');
    assert.equal(r.headers['access-control-allow-origin'], '*');
    const methods = r.headers['access-control-allow-methods'].split(/,\s*/);
    for (const m of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) assert.ok(methods.includes(m), `${m} allowed`);
    const hdrs = r.headers['access-control-allow-headers'].toLowerCase().split(/,\s*/);
    for (const h of ['content-type', 'authorization', 'accept', 'x-pangolin-tenant', 'x-api-key']) assert.ok(hdrs.includes(h), `${h} allowed`);
  }
});

// --- 404 / 405 --------------------------------------------------------------

test('an unknown management route is 404 {"error": "..."}', { skip: ONCE }, async () => {
  for (const p of ['/nope', '/api/v1/nope', '/api/v1/catalogs/c/nope/x', '/api/v2/catalogs']) {
    expectError(await srv.req('GET', p), 404);
  }
});

test('an unknown /v1 route is 404 with the Iceberg envelope {"error":{"message","type","code"}}', { skip: ONCE }, async () => {
  for (const p of ['/v1/nope', '/v1/c1/namespaces/x/y/z/w']) {
    expectError(await srv.req('GET', p), 404, { iceberg: true });
  }
});

test('a known path with a method it does not serve is 405 JSON naming the allowed methods', { skip: ONCE }, async () => {
  const cases = [
    ['PATCH', '/api/v1/catalogs', ['GET', 'POST']],
    ['DELETE', '/api/v1/warehouses', ['GET', 'POST']],
    ['POST', '/api/v1/catalogs/c1', ['GET', 'PUT', 'DELETE']],
    ['PUT', '/api/v1/branches', ['GET', 'POST']],
    ['POST', '/health/live', ['GET']],
    ['DELETE', '/metrics', ['GET']],
  ];
  for (const [m, p, allowed] of cases) {
    const r = await srv.req(m, p);
    expectError(r, 405);
    const allow = (r.headers.allow ?? '').split(/,\s*/);
    for (const a of allowed) assert.ok(allow.includes(a), `${m} ${p}: Allow lists ${a} (got ${r.headers.allow})`);
  }
});

// --- request bodies -----------------------------------------------------------

test('malformed JSON is 400', { skip: ONCE }, async () => {
  for (const body of ['{', '{"name":', '{"name":"a"} trailing', 'nul', '{"name":"a",}', "{'name':'a'}", '{"name":"a","name":"b"}']) {
    expectError(await srv.req('POST', '/api/v1/catalogs', { body, raw: true, headers: JSON_CT }), 400, { message: /./ });
  }
});

test('well-formed JSON with an unknown field, a wrong type or a missing field is 422', { skip: ONCE }, async () => {
  const cases = [
    { name: uniq('c'), bogus: 1 },
    { name: 42 },
    { name: uniq('c'), properties: { a: 1 } },
    { name: uniq('c'), properties: 'x' },
    {},
    { name: null },
    [],
    'just a string',
    42,
  ];
  for (const body of cases) {
    const text = JSON.stringify(body);
    expectError(await srv.req('POST', '/api/v1/catalogs', { body: text, raw: true, headers: JSON_CT }), 422);
  }
});

test('a JSON route without a JSON content-type is 415', { skip: ONCE }, async () => {
  const body = JSON.stringify({ name: uniq('c') });
  for (const ct of [undefined, 'text/plain', 'application/x-www-form-urlencoded', 'application/jsonx', 'multipart/form-data; boundary=x']) {
    const headers = ct === undefined ? {} : { 'content-type': ct };
    expectError(await srv.req('POST', '/api/v1/catalogs', { body, raw: true, headers }), 415);
  }
});

test('application/json with parameters is accepted', { skip: ONCE }, async () => {
  const r = await srv.req('POST', '/api/v1/catalogs', {
    body: JSON.stringify({ name: uniq('ct') }), raw: true, headers: { 'content-type': 'application/json; charset=utf-8' },
  });
  expectJson(r, 201);
});

test('a JSON route without a body is 400 JSON', { skip: ONCE }, async () => {
  expectError(await srv.req('POST', '/api/v1/catalogs', { headers: JSON_CT }), 400);
});

test('invalid UTF-8 inside a JSON string is 400', { skip: ONCE }, async () => {
  const bad = [
    Buffer.from([0xff, 0xfe]),
    Buffer.from([0xc0, 0xaf]), // overlong '/'
    Buffer.from([0xed, 0xa0, 0x80]), // UTF-16 surrogate
    Buffer.from([0xe2, 0x82]), // truncated sequence
    Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
  ];
  for (const b of bad) {
    const body = Buffer.concat([Buffer.from('{"name":"a'), b, Buffer.from('b"}')]);
    expectError(await srv.req('POST', '/api/v1/catalogs', { body, headers: JSON_CT }), 400);
  }
  // A lone surrogate escape is not a character either.
  expectError(await srv.req('POST', '/api/v1/catalogs', { body: '{"name":"a\\udc00"}', raw: true, headers: JSON_CT }), 400);
  await stillServing();
});

test('a body over the 16 MiB default is 413 JSON (Kore refuses it from the headers)', { skip: ONCE }, async () => {
  // x-request-id on Kore's own errors: see the test after next.
  const r = await postHuge('/api/v1/catalogs', 20 * 1024 * 1024);
  expectError(r, 413, { requestId: false });
  const ice = await postHuge('/v1/c1/namespaces', 20 * 1024 * 1024);
  expectError(ice, 413, { iceberg: true, requestId: false });
  await stillServing();
});

test('a body of exactly 16 MiB + 1 byte is 413 JSON from the dispatcher', { skip: ONCE }, async () => {
  const r = await postHuge('/api/v1/catalogs', 16 * 1024 * 1024 + 1, { expectContinue: false });
  expectError(r, 413, { message: /16777216/ });
  await stillServing();
});

test('errors Kore answers itself (413, 414, a header it refuses) carry x-request-id and CORS like every other response', { skip: ONCE }, async () => {
  const r413 = await postHuge('/api/v1/catalogs', 20 * 1024 * 1024);
  assert.equal(r413.status, 413);
  const r414 = await srv.req('GET', `/api/v1/catalogs/${'n'.repeat(3000)}`);
  expectError(r414, 414, { requestId: false });
  // Kore answers 400 itself for a non-ASCII header value (an empty one
  // is a value: framing.test.js).
  const nonAscii = await srv.req('GET', '/health/live', { headers: { 'x-request-id': 'caf\u00e9' } });
  expectError(nonAscii, 400, { requestId: false });
  for (const r of [r413, r414, nonAscii]) {
    assert.ok(r.headers['x-request-id'], `x-request-id on Kore's ${r.status}`);
    assert.equal(r.headers['access-control-allow-origin'], '*', `CORS on Kore's ${r.status}`);
  }
});

test('a 20 MB body sent eagerly (no Expect: 100-continue) still gets a readable 413', { skip: ONCE }, async () => {
  // Kore answers 413 from the headers and closes the socket without reading
  // the body; the answer must reach a client that is still writing.
  let seen = 0;
  const tries = 5;
  for (let i = 0; i < tries; i++) {
    try {
      const r = await postHuge('/api/v1/catalogs', 20 * 1024 * 1024, { expectContinue: false });
      if (r.status === 413) seen++;
    } catch { /* reset before the response was read */ }
  }
  assert.equal(seen, tries, `413 observed ${seen}/${tries} times; the rest ended in ECONNRESET/EPIPE`);
  await stillServing();
});

// --- names and paths --------------------------------------------------------------

const BAD_NAMES = {
  slash: 'a/b',
  backslash: 'a\\b',
  dotdot: '..',
  dot: '.',
  nul: 'a\u0000b',
  control: 'a\u0001b',
  newline: 'a\nb',
  del: 'a\u007fb',
  at: 'a@b',
  empty: '',
  '10 KB': 'n'.repeat(10 * 1024),
};

test('bad names are 400 on every create route (never 500, never a crash)', { skip: ONCE }, async () => {
  const catalog = uniq('names');
  expectJson(await srv.req('POST', '/api/v1/catalogs', { body: { name: catalog } }), 201);
  const main = expectJson(await srv.req('GET', `/api/v1/branches/main?catalog=${catalog}`), 200);
  const creates = {
    tenant: (name) => srv.req('POST', '/api/v1/tenants', { body: { name }, headers: { authorization: basic() } }),
    warehouse: (name) => srv.req('POST', '/api/v1/warehouses', { body: { name } }),
    catalog: (name) => srv.req('POST', '/api/v1/catalogs', { body: { name } }),
    branch: (name) => srv.req('POST', '/api/v1/branches', { body: { name, catalog } }),
    tag: (name) => srv.req('POST', '/api/v1/tags', { body: { name, catalog, commit_id: main.head_commit_id } }),
  };
  for (const [what, create] of Object.entries(creates)) {
    for (const [label, name] of Object.entries(BAD_NAMES)) {
      const r = await create(name);
      // A NUL cannot be in a JSON string we accept at all (400 either way).
      expectError(r, 400, { message: label === 'nul' ? /./ : /name/ });
    }
    // ...and the NUL byte escaped in raw JSON text too.
    const raw = await srv.req('POST', what === 'tenant' ? '/api/v1/tenants' : `/api/v1/${what === 'branch' ? 'branches' : `${what}s`}`, {
      body: `{"name":"x\\u0000y","catalog":"${catalog}"}`, raw: true,
      headers: { ...JSON_CT, ...(what === 'tenant' ? { authorization: basic() } : {}) },
    });
    expectError(raw, 400);
  }
  await stillServing();
});

test('hostile bytes in the path are a JSON 4xx: encoded NUL, bad escapes, invalid UTF-8, traversal', async () => {
  const cases = {
    '/api/v1/catalogs/%00': [400],
    '/api/v1/catalogs/a%00b': [400],
    '/api/v1/catalogs/%zz': [400],
    '/api/v1/catalogs/%': [400],
    '/api/v1/catalogs/%ff%fe': [400, 404],
    '/api/v1/catalogs/..': [400, 404],
    '/api/v1/catalogs/%2e%2e': [400, 404],
    '/api/v1/catalogs/a%2Fb': [400, 404],
    '/api/v1/warehouses/%01': [400, 404],
    '/api/v1/catalogs/x?limit=%zz': [400],
    '/api/v1/catalogs?offset=%00': [400],
  };
  for (const [p, statuses] of Object.entries(cases)) {
    const r = await srv.req('GET', p);
    assert.ok(statuses.includes(r.status), `${p}: ${r.status} ${r.text}`);
    expectError(r, r.status);
  }
  await stillServing();
});

test('a path of 2,000 bytes or more is 414 JSON', { skip: ONCE }, async () => {
  expectError(await srv.req('GET', `/api/v1/catalogs/${'n'.repeat(2100)}`), 414, { requestId: false });
  await stillServing();
});

test('a request head over 8 KiB (a 10 KB name in the path) is answered with a JSON 4xx, not a dropped connection', { skip: ONCE }, async () => {
  const name = 'n'.repeat(10 * 1024);
  const res = await rawExchange(`GET /api/v1/catalogs/${name} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
  assert.match(res.text, /^HTTP\/1\.1 4\d\d /, `got ${JSON.stringify(res.text.slice(0, 80))} (socket: ${res.error ?? 'closed'})`);
  const long = await rawExchange(`GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'v'.repeat(9000)}\r\n\r\n`);
  assert.match(long.text, /^HTTP\/1\.1 4\d\d /, `got ${JSON.stringify(long.text.slice(0, 80))} (socket: ${long.error ?? 'closed'})`);
  await stillServing();
});

test('garbage on the socket gets a JSON 400 or a close, and the server keeps serving', { skip: ONCE }, async () => {
  const junk = [
    'GARBAGE\r\n\r\n',
    'GET\r\n\r\n',
    'GET / HTTP/9.9\r\nHost: x\r\n\r\n',
    'GET /health/live HTTP/1.1\r\n\r\n', // no Host
    Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a]),
    'POST /api/v1/catalogs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -5\r\n\r\n{}',
    'POST /api/v1/catalogs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999999999999\r\n\r\n{}',
  ];
  for (const j of junk) {
    const res = await rawExchange(j);
    if (res.text !== '') {
      assert.match(res.text, /^HTTP\/1\.[01] (4\d\d|505) /, `answer to ${JSON.stringify(String(j))}: 4xx (505 for HTTP/9.9), never another 5xx`);
      const body = res.text.slice(res.text.indexOf('\r\n\r\n') + 4);
      if (body !== '') JSON.parse(body);
    }
    await stillServing();
  }
});

test('query strings: malformed escapes are 400 and repeated or empty parameters do not crash', { skip: ONCE }, async () => {
  expectError(await srv.req('GET', '/api/v1/catalogs?limit=%zz'), 400);
  expectError(await srv.req('GET', '/api/v1/catalogs?%00=1'), 400);
  expectJson(await srv.req('GET', '/api/v1/catalogs?&&&=&limit=5'), 200);
  const many = Array.from({ length: 200 }, (_, i) => `p${i}=${i}`).join('&');
  const r = await srv.req('GET', `/api/v1/catalogs?${many}`);
  assert.ok([200, 400].includes(r.status), `${r.status}`);
  expectJson(r, r.status);
  await stillServing();
});

// --- the route table ---------------------------------------------------------------

test('every route in src/api/routes.c is reachable under its template (metrics label), never 405 or 5xx', async () => {
  const src = fs.readFileSync(path.join(REPO, 'src/api/routes.c'), 'utf8');
  const routes = [...src.matchAll(/ROUTE\(\s*(GET|POST|PUT|DELETE|PATCH|HEAD),\s*"([^"]+)"/g)].map((m) => ({ method: m[1], path: m[2] }));
  assert.ok(routes.length >= 30, `parsed ${routes.length} routes`);
  const fill = { id: '6f1c1b9e-5f0e-4d7b-9c1a-2b3c4d5e6f70', name: 'smoke-missing', file: 'index.html' };
  for (const { method, path: tpl } of routes) {
    const url = tpl.replace(/\{(\w+)\}/g, (_, k) => fill[k] ?? 'x') + (tpl.startsWith('/api/v1/branches') || tpl.startsWith('/api/v1/tags') ? '?catalog=smoke-missing' : '');
    const body = method === 'POST' || method === 'PUT' ? {} : undefined;
    const r = await srv.req(method, url, { body, headers: { authorization: basic() } });
    assert.ok(r.status !== 405 && r.status < 500, `${method} ${url}: ${r.status} ${r.text.slice(0, 200)}`);
  }
  const metrics = (await srv.req('GET', '/metrics')).text;
  for (const { method, path: tpl } of routes) {
    assert.ok(metrics.includes(`pangolin_http_requests_total{method="${method}",route="${tpl}",`), `${method} ${tpl} counted under its template`);
  }
});
