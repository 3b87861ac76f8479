// HTTP/1.1 message framing at the edge (Kore and src/kore/0001-pangolin.patch):
// where a request ends and the next begins, on raw sockets.  RFC 9112 §6
// (message body length), §9.3.2 (pipelining), §9.6 (tear-down); RFC 9110
// §5.5 (field values), §8.6 (Content-Length), §9.1 (methods).  Every case
// here was wrong before the patch: lost pipelined requests, a body read
// past its Content-Length, smuggling-prone headers accepted, a half-closed
// client reset.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { startServer } from './lib/server.js';
import { uniq } from './lib/expect.js';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Parse as many complete HTTP/1.1 responses as `buf` holds.  Returns
 * { responses, rest }.  Every response Pangolin sends has a Content-Length
 * except 204/304 (no body).
 */
function parseResponses(buf) {
  const responses = [];
  let off = 0;
  for (;;) {
    const end = buf.indexOf('\r\n\r\n', off, 'latin1');
    if (end === -1) break;
    const head = buf.subarray(off, end).toString('latin1');
    const [statusLine, ...lines] = head.split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3}) /.exec(statusLine + ' ');
    assert.ok(m, `a status line, got ${JSON.stringify(statusLine)}`);
    const headers = {};
    for (const l of lines) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    const status = Number(m[1]);
    const len = status === 204 || status === 304 ? 0 : Number(headers['content-length'] ?? 0);
    if (buf.length < end + 4 + len) break;
    const text = buf.subarray(end + 4, end + 4 + len).toString('utf8');
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    responses.push({ status, headers, text, json });
    off = end + 4 + len;
  }
  return { responses, rest: buf.subarray(off) };
}

/**
 * Open a socket, send `parts` (strings/Buffers, or { delay } pauses), and
 * collect responses until `expect` of them are in (then `linger` ms more
 * to catch extras), the server closes, or `wait` ms pass.  halfClose:
 * shut down our write side after the last part (nc -N).
 */
function exchange(parts, { expect = 1, wait = 5000, linger = 150, halfClose = false } = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const sock = net.connect(srv.port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let error = null;
    let closed = false;
    let done = false;
    let firstAt = null;
    let timer;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const { responses, rest } = parseResponses(buf);
      resolve({ responses, rest: rest.toString('latin1'), closed, error, ms: Date.now() - t0, firstMs: firstAt });
    };
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const n = parseResponses(buf).responses.length;
      if (n >= 1 && firstAt === null) firstAt = Date.now() - t0;
      if (n >= expect) { clearTimeout(timer); timer = setTimeout(finish, linger); }
    });
    sock.on('error', (e) => { error = e.code; });
    sock.on('close', () => { closed = true; finish(); });
    timer = setTimeout(finish, wait);
    sock.on('connect', async () => {
      for (const p of parts) {
        if (done) return;
        if (p && typeof p === 'object' && !Buffer.isBuffer(p)) await sleep(p.delay);
        else sock.write(p);
      }
      if (halfClose) sock.end();
    });
  });
}

const get = (path, extra = '') => `GET ${path} HTTP/1.1\r\nHost: localhost\r\n${extra}\r\n`;
const post = (path, body, extra = '') =>
  `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
/** A POST whose Content-Length header line(s) are given verbatim. */
const postCL = (clLines, body = '{}') =>
  `POST /api/v1/catalogs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n${clLines}\r\n${body}`;

/** A JSON error as Pangolin sends them, Kore's own included. */
function assertJsonError(r, status, what) {
  assert.equal(r?.status, status, `${what}: expected ${status}, got ${r?.status} ${r?.text ?? '(no response)'}`);
  assert.match(r.headers['content-type'] ?? '', /^application\/json/, `${what}: JSON content-type`);
  assert.ok(r.json && r.json.error, `${what}: JSON error body, got ${r.text}`);
  assert.ok(r.headers['x-request-id'], `${what}: x-request-id`);
}

async function stillServing() {
  const r = await srv.req('GET', '/health/live');
  assert.equal(r.status, 200, 'server still serving');
}

// --- pipelining (RFC 9112 §9.3.2) ---------------------------------------------

test('three pipelined GETs in one write get three responses, in order', async () => {
  const ids = ['pipe-1', 'pipe-2', 'pipe-3'];
  const res = await exchange([ids.map((id) => get('/health/live', `X-Request-Id: ${id}\r\n`)).join('')], { expect: 3 });
  assert.equal(res.responses.length, 3, `responses: ${res.responses.length} (socket ${res.error ?? (res.closed ? 'closed' : 'open')})`);
  assert.deepEqual(res.responses.map((r) => r.status), [200, 200, 200]);
  assert.deepEqual(res.responses.map((r) => r.headers['x-request-id']), ids, 'answered in request order');
  assert.ok(res.ms < 2000, `answered promptly (${res.ms} ms)`);
});

test('a POST and a GET in one write: both answered in order and the POST took effect', async () => {
  const name = uniq('pipepost');
  const body = JSON.stringify({ name });
  const res = await exchange([post('/api/v1/catalogs', body, 'X-Request-Id: p-post\r\n') +
    get(`/api/v1/catalogs/${name}`, 'X-Request-Id: p-get\r\n')], { expect: 2 });
  assert.equal(res.responses.length, 2, `responses: ${JSON.stringify(res.responses.map((r) => r.status))}`);
  const [created, fetched] = res.responses;
  assert.equal(created.status, 201, created.text);
  assert.equal(created.headers['x-request-id'], 'p-post');
  assert.equal(fetched.status, 200, fetched.text);
  assert.equal(fetched.headers['x-request-id'], 'p-get');
  assert.equal(fetched.json.name, name);
  assert.equal((await srv.req('GET', `/api/v1/catalogs/${name}`)).status, 200, 'the catalog exists');
});

test('bytes after a complete body are the next request: one stray byte waits, then is a 400', async () => {
  const name = uniq('extra');
  const body = JSON.stringify({ name });
  // The whole body plus one byte; the POST is answered at once, not after a timeout.
  const sock = net.connect(srv.port, '127.0.0.1');
  await new Promise((r) => sock.on('connect', r));
  let buf = Buffer.alloc(0);
  sock.on('data', (d) => { buf = Buffer.concat([buf, d]); });
  sock.on('error', () => {});
  const t0 = Date.now();
  sock.write(post('/api/v1/catalogs', body) + 'X');
  while (parseResponses(buf).responses.length < 1 && Date.now() - t0 < 5000) await sleep(10);
  const first = parseResponses(buf).responses;
  assert.equal(first.length, 1, 'the POST is answered');
  assert.equal(first[0].status, 201, first[0].text);
  assert.ok(Date.now() - t0 < 2000, `answered within 2 s (${Date.now() - t0} ms), not after the request timeout`);
  // The stray byte begins a request line: completing it gives a JSON 400.
  sock.write(' /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
  const t1 = Date.now();
  while (parseResponses(buf).responses.length < 2 && Date.now() - t1 < 5000) await sleep(10);
  sock.destroy();
  const all = parseResponses(buf).responses;
  assert.equal(all.length, 2, 'the stray byte was parsed as the start of the next request');
  assertJsonError(all[1], 501, '"X /health/live" (X is an unknown method)');
  assert.equal((await srv.req('GET', `/api/v1/catalogs/${name}`)).status, 200, 'the POST took effect');
});

test('a body followed by a whole request: both answered, the extra bytes were not body', async () => {
  const name = uniq('extra2');
  const res = await exchange([post('/api/v1/catalogs', JSON.stringify({ name })) + get('/health/live', 'X-Request-Id: after-body\r\n')], { expect: 2 });
  assert.deepEqual(res.responses.map((r) => r.status), [201, 200]);
  assert.equal(res.responses[1].headers['x-request-id'], 'after-body');
});

test('a GET with a Content-Length has a body (RFC 9112 §6.3): it is skipped, not parsed as a request', async () => {
  const res = await exchange([`GET /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\nGARBAGE\r\n` + get('/health/live', 'X-Request-Id: after-get-body\r\n')], { expect: 2 });
  assert.deepEqual(res.responses.map((r) => r.status), [200, 200]);
  assert.equal(res.responses[1].headers['x-request-id'], 'after-get-body');
});

// --- Content-Length (RFC 9110 §8.6, RFC 9112 §6.3) -------------------------------

test('duplicate Content-Length: identical values are one value, differing values are 400', async () => {
  const name = uniq('dupcl');
  const body = JSON.stringify({ name });
  const same = await exchange([postCL(`Content-Length: ${body.length}\r\nContent-Length: ${body.length}\r\n`, body)]);
  assert.equal(same.responses[0]?.status, 201, `identical duplicates: ${same.responses[0]?.text}`);
  const differing = await exchange([postCL(`Content-Length: 2\r\nContent-Length: ${body.length}\r\n`, body)]);
  assertJsonError(differing.responses[0], 400, 'Content-Length 2 and ' + body.length);
  assert.equal(differing.responses.length, 1, 'nothing after the 400');
  assert.ok(differing.closed, 'the connection is closed after a framing error');
});

test('Content-Length must be 1*DIGIT: signs, hex, spaces inside, lists and overflow are 400', async () => {
  const bad = ['+2', '-1', '0x10', '2 2', '2, 2', '99999999999999999999999', '18446744073709551617', '1e3', ''];
  for (const v of bad) {
    const res = await exchange([postCL(`Content-Length: ${v}\r\n`, '{}')]);
    const r = res.responses[0];
    // An empty value is refused like any empty header field.
    assertJsonError(r, 400, `Content-Length: ${JSON.stringify(v)}`);
  }
  // Whitespace around the value is not part of it (RFC 9112 §5).
  const name = uniq('clws');
  const body = JSON.stringify({ name });
  const ok = await exchange([postCL(`Content-Length:   ${body.length}  \r\n`, body)]);
  assert.equal(ok.responses[0]?.status, 201, ok.responses[0]?.text);
  await stillServing();
});

test('Transfer-Encoding with Content-Length is 400 and the body is not read as a request (RFC 9112 §6.1)', async () => {
  // The classic CL.TE smuggle: a front end obeying Content-Length forwards all
  // of it; whoever obeys chunked sees "GET /smuggled" as a second request.
  const smuggle = 'POST /api/v1/catalogs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    'Content-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /health/live HTTP/1.1\r\nHost: x\r\n\r\n';
  const res = await exchange([smuggle], { expect: 1, linger: 300 });
  assertJsonError(res.responses[0], 400, 'TE + CL');
  assert.equal(res.responses.length, 1, `one answer, nothing smuggled: ${res.responses.map((r) => r.status)}`);
  // Order does not matter, nor does case.
  const res2 = await exchange(['POST /api/v1/catalogs HTTP/1.1\r\nHost: x\r\ntransfer-encoding: chunked\r\ncontent-length: 2\r\n\r\n{}']);
  assertJsonError(res2.responses[0], 400, 'te + cl');
});

test('Transfer-Encoding without Content-Length: chunked is 411 (send Content-Length), other codings 501', async () => {
  const chunked = await exchange(['POST /api/v1/catalogs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n']);
  assertJsonError(chunked.responses[0], 411, 'chunked');
  assert.match(chunked.responses[0].json.error, /chunked/i, 'the error says chunked bodies need a Content-Length');
  const gzip = await exchange(['POST /api/v1/catalogs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n']);
  assertJsonError(gzip.responses[0], 501, 'gzip');
  const iceberg = await exchange(['POST /v1/c/namespaces HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n']);
  assertJsonError(iceberg.responses[0], 411, 'chunked on /v1');
  assert.equal(iceberg.responses[0].json.error.code, 411, 'Iceberg envelope under /v1');
});

test('a POST with neither Content-Length nor Transfer-Encoding has no body (RFC 9112 §6.3 item 7): its route answers, then the request after it', async () => {
  // What `curl -X POST <url>` sends; Kore answered 411 Length Required.
  const res = await exchange(['POST /api/v1/catalogs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\r\n' +
    'GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n'], { expect: 2 });
  assert.equal(res.responses.length, 2, `two answers: ${res.responses.map((r) => r.status)}`);
  assert.notEqual(res.responses[0].status, 411);
  assertJsonError(res.responses[0], 400, 'an empty body where the route wants JSON');
  assert.equal(res.responses[1].status, 200, 'the next request is a request, not a body');
});

// --- field values (RFC 9110 §5.5, RFC 9112 §2.2) ---------------------------------

test('NUL, a lone CR or a lone LF in the head is 400 (a header hidden behind one was invisible)', async () => {
  const cases = {
    'NUL in a value': 'GET /health/live HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n',
    'NUL hiding a Content-Length': 'POST /api/v1/catalogs HTTP/1.1\r\nHost: x\r\nX-A: a\0\r\nContent-Length: 2\r\n\r\n{}',
    'CR in a value': 'GET /health/live HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n',
    'LF in a value': 'GET /health/live HTTP/1.1\r\nHost: x\r\nX-A: a\nX-B: b\r\n\r\n',
    'LF-only lines': 'GET /health/live HTTP/1.1\nHost: x\n\n',
    'CR in the request line': 'GET /health\r/live HTTP/1.1\r\nHost: x\r\n\r\n',
  };
  for (const [what, bytes] of Object.entries(cases)) {
    const res = await exchange([Buffer.from(bytes, 'latin1')]);
    assertJsonError(res.responses[0], 400, what);
  }
  await stillServing();
});

// Issue 67: PyIceberg turns its access-delegation header off by sending it
// empty; Kore answered 400 "invalid header field" to every such request.
test('an empty field value is a value (RFC 9110 §5.5): served on every kind of route, and means what its absence means', async () => {
  const empty = 'X-Iceberg-Access-Delegation: \r\nX-Empty:\r\nAuthorization: \r\nX-Request-Id: \r\nIdempotency-Key: \r\n';
  const res = await exchange([get('/health/live', empty) + get('/api/v1/catalogs', empty) + get('/v1/config', empty) +
    post('/api/v1/catalogs', JSON.stringify({ name: uniq('emptyhdr') }), empty)], { expect: 4 });
  assert.deepEqual(res.responses.map((r) => r.status), [200, 200, 200, 201],
    res.responses.map((r) => `${r.status} ${r.text.slice(0, 120)}`).join('\n'));
  assert.ok(res.responses.every((r) => /^[0-9a-f-]{36}$/.test(r.headers['x-request-id'])), 'an empty X-Request-Id gets a fresh one');
  // Only what must never be empty still is 400: Host (RFC 9112 §3.2) and
  // Content-Length (1*DIGIT).
  assertJsonError((await exchange(['GET /health/live HTTP/1.1\r\nHost: \r\n\r\n'])).responses[0], 400, 'an empty Host');
  assertJsonError((await exchange([postCL('Content-Length:\r\n', '')])).responses[0], 400, 'an empty Content-Length');
  await stillServing();
});

test('a 400 Kore answers itself on an OAuth token path is in RFC 6749 §5.2\'s shape', async () => {
  for (const path of ['/v1/oauth/tokens', '/v1/cat/oauth/tokens', '/api/v1/iceberg/cat/v1/oauth/tokens']) {
    const res = await exchange([`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: +2\r\n\r\nab`]);
    const r = res.responses[0];
    assertJsonError(r, 400, path);
    assert.equal(r.json.error, 'invalid_request', `${path}: ${r.text}`);
    assert.match(r.json.error_description, /Content-Length/, path);
  }
});

test('more than one Host, or a header merely starting with "host", is not taken as the Host (RFC 9112 §3.2)', async () => {
  const two = await exchange(['GET /health/live HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n']);
  assertJsonError(two.responses[0], 400, 'two Host headers');
  const hostile = await exchange(['GET /health/live HTTP/1.1\r\nHostile: a\r\n\r\n']);
  assertJsonError(hostile.responses[0], 400, 'only a "Hostile" header');
});

test('a request with 60 header lines (proxies, tracing) is served; past the limit of 64 it is 431, never silently cut', async () => {
  const lines = (n) => Array.from({ length: n }, (_, i) => `X-Trace-${i}: v${i}\r\n`).join('');
  const ok = await exchange([`GET /health/live HTTP/1.1\r\nHost: x\r\n${lines(59)}\r\n`]);
  assert.equal(ok.responses[0]?.status, 200, JSON.stringify(ok.responses[0]));
  // The Content-Length after 70 lines must not be dropped with the excess.
  const many = await exchange([`POST /api/v1/catalogs HTTP/1.1\r\nHost: x\r\n${lines(70)}Content-Length: 2\r\n\r\n{}`]);
  assertJsonError(many.responses[0], 431, '72 header lines');
  await stillServing();
});

// --- methods (RFC 9110 §9.1) ---------------------------------------------------------

test('methods are case-sensitive: "get" on a routed path is 501 with Allow, JSON', async () => {
  const res = await exchange([get('/health/live').replace(/^GET/, 'get')]);
  const r = res.responses[0];
  assertJsonError(r, 501, 'get /health/live');
  assert.match(r.headers.allow ?? '', /\bGET\b/, `Allow names GET: ${r.headers.allow}`);
});

test('an unknown method on a routed path is 501 + Allow; on an unknown path 400; never a 5xx crash', async () => {
  const brew = (await exchange([get('/health/live').replace(/^GET/, 'BREW')])).responses[0];
  assertJsonError(brew, 501, 'BREW /health/live');
  assert.match(brew.headers.allow ?? '', /\bGET\b/);
  assert.doesNotMatch(brew.headers.allow, /\bPOST\b/, 'only the methods the path serves');
  const cat = (await exchange([get('/api/v1/catalogs?limit=5').replace(/^GET/, 'BREW')])).responses[0];
  assertJsonError(cat, 501, 'BREW /api/v1/catalogs?limit=5');
  assert.match(cat.headers.allow ?? '', /\bGET\b.*\bPOST\b/, `Allow of /api/v1/catalogs: ${cat.headers.allow}`);
  const ice = (await exchange([get('/v1/config').replace(/^GET/, 'BREW')])).responses[0];
  assertJsonError(ice, 501, 'BREW /v1/config');
  assert.equal(ice.json.error.type, 'UnsupportedOperationException', 'Iceberg envelope under /v1');
  const nope = (await exchange([get('/nope').replace(/^GET/, 'BREW')])).responses[0];
  assertJsonError(nope, 400, 'BREW /nope');
  const notToken = (await exchange([get('/health/live').replace(/^GET/, 'GE(T')])).responses[0];
  assertJsonError(notToken, 400, 'a method that is not a token');
  await stillServing();
});

// --- tear-down (RFC 9112 §9.6) ---------------------------------------------------------

test('a client that sends Connection: close and shuts down its write side gets the whole response, 30 of 30', async () => {
  let ok = 0;
  const failures = [];
  for (let i = 0; i < 30; i++) {
    const res = await exchange([get('/health/live', 'Connection: close\r\n')], { halfClose: true, linger: 0 });
    if (res.responses.length === 1 && res.responses[0].status === 200 && res.responses[0].json?.status) ok++;
    else failures.push(res.error ?? `got ${res.responses.length} responses`);
  }
  assert.equal(ok, 30, `full response ${ok}/30 times; failures: ${failures.slice(0, 5).join(', ')}`);
});

test('a half-closed client gets every pipelined answer, and a POST sent before the FIN is carried out', async () => {
  const name = uniq('halfclose');
  const res = await exchange([post('/api/v1/catalogs', JSON.stringify({ name })) + get('/health/live')], { expect: 2, halfClose: true, linger: 0 });
  assert.deepEqual(res.responses.map((r) => r.status), [201, 200]);
  assert.equal((await srv.req('GET', `/api/v1/catalogs/${name}`)).status, 200);
});

// --- randomized: split points and pipelined mixes -------------------------------------

/** mulberry32: a small seeded PRNG, so a failure replays. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One random valid request and the status it must get. */
function randomRequest(rand, id) {
  const rid = `X-Request-Id: ${id}\r\n`;
  const pick = Math.floor(rand() * 7);
  switch (pick) {
    case 0: return { bytes: get('/health/live', rid), status: 200 };
    case 1: {
      const name = `${id}-c`;
      return { bytes: post('/api/v1/catalogs', JSON.stringify({ name }), rid), status: 201, created: name };
    }
    case 2: return { bytes: post('/api/v1/catalogs', '{"name": 42}', rid), status: 422 };
    case 3: {
      // Identical duplicate Content-Length with whitespace around it.
      const body = JSON.stringify({ name: 'bad/name' });
      return { bytes: `POST /api/v1/catalogs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length} \r\n${rid}Content-Length:${body.length}\r\n\r\n${body}`, status: 400 };
    }
    case 4: return { bytes: `GET /health/live HTTP/1.1\r\nHost: x\r\n${rid}Content-Length: 5\r\n\r\nHELLO`, status: 200 };
    case 5: return { bytes: get('/api/v1/catalogs/does-not-exist-x', rid), status: 404 };
    default: return { bytes: `DELETE /api/v1/catalogs/does-not-exist-y HTTP/1.1\r\nHost: x\r\n${rid}Content-Length: 0\r\n\r\n`, status: 404 };
  }
}

/** A request the edge must refuse (400), ending the connection. */
function randomBadRequest(rand, id) {
  const rid = `X-Request-Id: ${id}\r\n`;
  const bad = [
    `POST /api/v1/catalogs HTTP/1.1\r\nHost: x\r\n${rid}Content-Length: +2\r\n\r\n{}`,
    `POST /api/v1/catalogs HTTP/1.1\r\nHost: x\r\n${rid}Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
    `POST /api/v1/catalogs HTTP/1.1\r\nHost: x\r\n${rid}Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n{}`,
    `GET /health/live HTTP/1.1\r\nHost: x\r\n${rid}X-A: a\0b\r\n\r\n`,
    `GET /health/live HTTP/1.1\r\nHost: x\r\n${rid}X-A: a\rb\r\n\r\n`,
  ];
  return { bytes: bad[Math.floor(rand() * bad.length)], status: 400 };
}

test('randomized (seeded): pipelined mixes delivered in random chunks get exactly one answer per request, in order', async (t) => {
  const seed = Number(process.env.PGL_FRAMING_SEED ?? 0x5eed);
  const rand = rng(seed);
  const deadline = Date.now() + 6000;
  let streams = 0;
  let requests = 0;
  const created = [];
  const runStream = async (s) => {
    const n = 1 + Math.floor(rand() * 8);
    const reqs = Array.from({ length: n }, (_, i) => randomRequest(rand, `r${seed}-${s}-${i}`));
    // Sometimes the stream ends in a request the edge refuses: everything
    // before it is still answered, then one 400 and the connection closes.
    const refused = rand() < 0.25;
    if (refused) reqs.push(randomBadRequest(rand, `r${seed}-${s}-${n}`));
    const stream = Buffer.from(reqs.map((r) => r.bytes).join(''), 'latin1');
    const parts = [];
    for (let off = 0; off < stream.length;) {
      const size = 1 + Math.floor(rand() * (rand() < 0.3 ? 8 : 300));
      parts.push(stream.subarray(off, off + size));
      off += size;
      if (rand() < 0.3) parts.push({ delay: Math.floor(rand() * 4) });
    }
    const res = await exchange(parts, { expect: reqs.length, wait: 8000, linger: 50 });
    // Kore's own 400 has a fresh x-request-id: compare statuses there.
    const got = res.responses.map((r, i) => `${i < n ? r.headers['x-request-id'] : '-'} ${r.status}`);
    const want = reqs.map((r, i) => `${i < n ? `r${seed}-${s}-${i}` : '-'} ${r.status}`);
    assert.deepEqual(got, want, `stream ${s} (seed ${seed}): every request answered once, in order; socket ${res.error ?? (res.closed ? 'closed' : 'open')}`);
    if (refused) {
      assert.match(res.responses[n].headers['content-type'] ?? '', /^application\/json/);
      assert.ok(res.closed, `stream ${s}: closed after the refusal`);
    }
    requests += reqs.length;
    for (const r of reqs) if (r.created) created.push(r.created);
  };
  for (let s = 0; Date.now() < deadline && s < 200; s += 4) {
    await Promise.all([0, 1, 2, 3].map((k) => runStream(s + k)));
    streams += 4;
  }
  for (const name of created.slice(0, 20)) assert.equal((await srv.req('GET', `/api/v1/catalogs/${name}`)).status, 200, `${name} was created`);
  t.diagnostic(`seed ${seed}: ${streams} streams, ${requests} requests, ${created.length} catalogs created`);
  await stillServing();
});
