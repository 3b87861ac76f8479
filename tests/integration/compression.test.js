// gzip replies (src/http/gzip.c, kore_reply.c) and loadTable's metadata
// kept compressed in the cache (rest/tables.c reply_gz_load): every
// gzip body must inflate to exactly the plain reply's bytes.  Also the
// buffered access log (util/log.c): no line is lost, SIGTERM included.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';
import { after, before, test } from 'node:test';
import { CATALOG, nsPath, simpleSchema, startIcebergServer } from './lib/iceberg.js';
import { uniq } from './lib/expect.js';

let srv;
before(async () => { srv = await startIcebergServer(); });
after(async () => { await srv?.stop(); });

const GZ = { 'accept-encoding': 'gzip' };
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
after(() => agent.destroy());

/** One request; the body as raw bytes (node does not inflate). */
function raw(method, p, headers = {}, body) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    let payload;
    if (body !== undefined) {
      payload = Buffer.from(JSON.stringify(body));
      h['content-type'] = 'application/json';
      h['content-length'] = payload.length;
    }
    const req = http.request({ host: '127.0.0.1', port: srv.port, method, path: p, headers: h, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** GET p plain and with gzip; the gzip body must inflate to the plain one. */
async function sameBytes(p, what) {
  const gz = await raw('GET', p, GZ);
  const plain = await raw('GET', p);
  assert.equal(gz.status, plain.status, what);
  assert.equal(gz.headers['content-encoding'], 'gzip', `${what}: compressed`);
  assert.match(gz.headers.vary ?? '', /accept-encoding/i, `${what}: Vary on the gzip reply`);
  assert.match(plain.headers.vary ?? '', /accept-encoding/i, `${what}: Vary on the plain reply`);
  assert.equal(plain.headers['content-encoding'], undefined, `${what}: plain without gzip`);
  assert.equal(Number(gz.headers['content-length']), gz.body.length);
  assert.ok(gz.body.length < plain.body.length, `${what}: smaller`);
  const inflated = zlib.gunzipSync(gz.body);
  assert.ok(inflated.equals(plain.body), `${what}: gzip inflates to the plain reply byte for byte`);
  return { gz, plain, json: JSON.parse(plain.body) };
}

async function ok(method, p, body) {
  const r = await srv.req(method, p, { body });
  assert.ok(r.status < 300, `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
}

/** A table whose metadata holds n snapshots (some KB). */
async function bigTable(n) {
  const ns = nsPath([uniq('gz')]);
  await ok('POST', `/v1/${CATALOG}/namespaces`, { namespace: [decodeURIComponent(ns)] });
  const name = uniq('t');
  let md = (await ok('POST', `/v1/${CATALOG}/namespaces/${ns}/tables`, { name, schema: simpleSchema() })).metadata;
  for (let i = 1; i <= n; i++) {
    const id = 5000 + i;
    md = (await ok('POST', `/v1/${CATALOG}/namespaces/${ns}/tables/${name}`, {
      updates: [
        { action: 'add-snapshot', snapshot: { 'snapshot-id': id, ...(i > 1 ? { 'parent-snapshot-id': id - 1 } : {}), 'sequence-number': i, 'timestamp-ms': Date.now(), summary: { operation: 'append' }, 'manifest-list': `${md.location}/metadata/snap-${id}.avro`, 'schema-id': 0 } },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
      ],
    })).metadata;
  }
  return { ns, name, path: `/v1/${CATALOG}/namespaces/${ns}/tables/${name}` };
}

test('loadTable: gzip on a cache miss and on hits inflates to the plain reply, byte for byte', async () => {
  const t = await bigTable(20);
  // No one asked for this file gzip'd yet: its segment is a cache miss,
  // made from the plain bytes; the loads after it are hits.
  const first = await raw('GET', t.path, GZ);
  assert.equal(first.headers['content-encoding'], 'gzip');
  const { json, plain } = await sameBytes(t.path, 'loadTable');
  assert.ok(zlib.gunzipSync(first.body).equals(plain.body), 'first gzip load equals the plain reply');
  assert.equal(json.metadata.snapshots.length, 20);
  for (let i = 0; i < 4; i++) {
    const again = await raw('GET', t.path, GZ);
    assert.ok(zlib.gunzipSync(again.body).equals(plain.body), `gzip hit ${i}`);
    assert.equal(again.headers.etag, plain.headers.etag);
  }
});

test('loadTable: a table loaded plain first is then served gzip from the same cached file', async () => {
  const t = await bigTable(8);
  const plain = await raw('GET', t.path);
  const gz = await raw('GET', t.path, GZ);
  assert.ok(zlib.gunzipSync(gz.body).equals(plain.body));
});

test('loadTable with snapshots=refs (serialised per request) is gzip too', async () => {
  const t = await bigTable(6);
  await sameBytes(`${t.path}?snapshots=refs`, 'loadTable refs');
});

test('list replies are gzip and inflate to the plain list', async () => {
  const parent = uniq('many');
  await ok('POST', `/v1/${CATALOG}/namespaces`, { namespace: [parent] });
  for (let i = 0; i < 40; i++) await ok('POST', `/v1/${CATALOG}/namespaces`, { namespace: [parent, `child-namespace-${i}`] });
  const { json } = await sameBytes(`/v1/${CATALOG}/namespaces?parent=${encodeURIComponent(parent)}`, 'namespace list');
  assert.equal(json.namespaces.length, 40);
  const ns = encodeURIComponent(parent);
  for (let i = 0; i < 30; i++) await ok('POST', `/v1/${CATALOG}/namespaces/${ns}/tables`, { name: `table-with-a-long-name-${i}`, schema: simpleSchema() });
  const tables = await sameBytes(`/v1/${CATALOG}/namespaces/${ns}/tables`, 'table list');
  assert.equal(tables.json.identifiers.length, 30);
  for (let i = 0; i < 12; i++) await ok('POST', '/api/v1/catalogs', { name: uniq('catalog-gz'), warehouse_name: 'wh' });
  await sameBytes('/api/v1/catalogs', 'catalog list');
});

test('q=0 refuses gzip (explicitly or through *), and the reply still says Vary', async () => {
  const t = await bigTable(4);
  for (const ae of ['gzip;q=0', 'gzip; q=0.0, deflate', 'identity', '*;q=0', 'gzip;q=0, *']) {
    const r = await raw('GET', t.path, { 'accept-encoding': ae });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-encoding'], undefined, ae);
    assert.match(r.headers.vary ?? '', /accept-encoding/i, ae);
    JSON.parse(r.body);
  }
  const star = await raw('GET', t.path, { 'accept-encoding': 'br, *;q=0.5' });
  assert.equal(star.headers['content-encoding'], 'gzip');
});

test('small bodies and errors stay plain, without Vary', async () => {
  const live = await raw('GET', '/health/live', GZ);
  assert.equal(live.headers['content-encoding'], undefined);
  assert.equal(live.headers.vary, undefined);
  assert.deepEqual(JSON.parse(live.body), { status: 'alive' });
  const missing = await raw('GET', `/v1/${CATALOG}/namespaces/${uniq('none')}/tables/x`, GZ);
  assert.equal(missing.status, 404);
  assert.equal(missing.headers['content-encoding'], undefined);
  assert.equal(JSON.parse(missing.body).error.code, 404);
});

test('HEAD and 204 are never gzip', async () => {
  const t = await bigTable(4);
  const head = await raw('HEAD', t.path, GZ);
  assert.ok(head.status === 200 || head.status === 204, `HEAD ${head.status}`);
  assert.equal(head.headers['content-encoding'], undefined);
  assert.equal(head.body.length, 0);
  const etag = (await raw('GET', t.path, GZ)).headers.etag;
  const notModified = await raw('GET', t.path, { ...GZ, 'if-none-match': etag });
  assert.equal(notModified.status, 304);
  assert.equal(notModified.headers['content-encoding'], undefined);
});

test('large replies (streamed to Kore without a copy) survive a client that leaves mid-reply', async () => {
  const t = await bigTable(60);
  const plain = await raw('GET', t.path);
  assert.ok(plain.body.length > 8192, `${plain.body.length} bytes: more than one Kore send buffer`);
  // 64 pipelined loads, then the client goes away after the first bytes:
  // replies still queued are dropped with their connection (stop() fails
  // on any sanitizer report: a double free or use after free of a body).
  await new Promise((resolve) => {
    const sock = net.connect(srv.port, '127.0.0.1', () => {
      sock.write(`GET ${t.path} HTTP/1.1\r\nhost: x\r\n\r\n`.repeat(64));
    });
    sock.once('data', () => { sock.destroy(); resolve(); });
    sock.on('error', resolve);
  });
  const again = await raw('GET', t.path);
  assert.ok(again.body.equals(plain.body), 'the next load is whole');
});

// --- the buffered access log ------------------------------------------

const accessLines = (log, tag) => log.split('\n').filter((l) => l.includes(' access ') && l.includes(`request_id=${tag}-`)).length;

test('access log: every request has its line within about a second', async () => {
  const tag = uniq('alog').replace(/[^A-Za-z0-9-]/g, '');
  const n = 150;
  for (let i = 0; i < n; i++) {
    const r = await raw('GET', '/health/live', { 'x-request-id': `${tag}-${i}` });
    assert.equal(r.status, 200);
  }
  const deadline = Date.now() + 3000;
  while (accessLines(srv.log(), tag) < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(accessLines(srv.log(), tag), n);
  assert.match(srv.log(), new RegExp(`\\] access method=GET route=/health/live status=200 duration_ms=\\d+\\.\\d{3} request_id=${tag}-0\\n`));
});

test('access log: SIGTERM right after a burst loses no line', async () => {
  const s = await startIcebergServer();
  const tag = uniq('term').replace(/[^A-Za-z0-9-]/g, '');
  const n = 300;
  const a = new http.Agent({ keepAlive: true, maxSockets: 8 });
  await Promise.all([...Array(n).keys()].map((i) => new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: s.port, path: '/health/live', agent: a, headers: { 'x-request-id': `${tag}-${i}` } }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  })));
  a.destroy();
  await s.stop({ keep: false });
  assert.equal(accessLines(s.log(), tag), n, 'every access line reached stderr by the time the server exited');
});
