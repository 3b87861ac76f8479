// Slow readers (issue 23, part 4): a client that asks for a big list and
// never reads the answer must not grow the server.  A list page stops
// adding items past PANGOLIN_MAX_PAGE_BYTES (never fewer than one item);
// output that makes no progress for PANGOLIN_SEND_TIMEOUT_SECS closes the
// connection (Kore patch item 22), counted in /metrics.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { processTree, SAN_ENV, startServer } from './lib/server.js';
import { expectJson } from './lib/expect.js';

const CATALOGS = 80;		// 80 x ~60 KiB: a ~4.8 MiB page without the cap
const VALUE = 'v'.repeat(60 * 1024);	// under the 64 KiB properties cap
const READERS = 40;
const MiB = 1024 * 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ASan keeps freed blocks in a 256 MiB quarantine by default: that is the
// sanitizer's memory, not the server's; keep it small so RSS measures what
// the server holds.
const ASAN = { ASAN_OPTIONS: `${SAN_ENV.ASAN_OPTIONS}:quarantine_size_mb=8` };

async function bigCatalogs(s, n) {
  for (let i = 0; i < n; i++) {
    const name = `big${String(i).padStart(3, '0')}`;
    expectJson(await s.req('POST', '/api/v1/catalogs', { body: { name, properties: { blob: VALUE } } }), 201);
  }
}

let srv;
before(async () => {
  srv = await startServer({ env: ASAN });
  await bigCatalogs(srv, CATALOGS);
});
after(async () => { await srv?.stop(); });

/** Access-log lines of answered catalog lists so far. */
const listed = (s) => (s.log().match(/route=\/api\/v1\/catalogs status=200/g) ?? []).length;

/** Resident bytes of the server: the parent and all its processes. */
function serverRss(s = srv) {
  let kib = 0;
  for (const p of processTree(s.proc.pid)) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) kib += Number(m[1]);
    } catch { /* exited meanwhile */ }
  }
  return kib * 1024;
}

/** Established connections on the server's port, server side (/proc/net/tcp). */
function serverSockets(srvh) {
  const port = srvh.port.toString(16).toUpperCase().padStart(4, '0');
  let n = 0;
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try { text = fs.readFileSync(f, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const col = line.trim().split(/\s+/);
      if (col.length > 3 && col[1].endsWith(`:${port}`) && col[3] === '01') n++;
    }
  }
  return n;
}

/** A raw connection that asks for the whole list and reads nothing. */
function stuckReader(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('error', reject);
    s.once('connect', () => {
      s.removeListener('error', reject);
      s.on('error', () => {});
      s.pause();
      s.write('GET /api/v1/catalogs?limit=1000 HTTP/1.1\r\nhost: x\r\n\r\n');
      resolve(s);
    });
  });
}

async function metric(s, name) {
  const text = (await s.req('GET', '/metrics')).text;
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

test('a list page stops past max_page_bytes, keeps the total, and offset reads on', async () => {
  const r = await srv.req('GET', '/api/v1/catalogs?limit=1000');
  const items = expectJson(r, 200);
  const bytes = Buffer.byteLength(r.text);
  console.log(`# page: ${items.length} of ${CATALOGS} catalogs, ${bytes} bytes`);
  assert.ok(items.length >= 1 && items.length < CATALOGS, `${items.length} items`);
  assert.ok(bytes <= MiB + 128 * 1024, `${bytes} bytes`);
  assert.equal(Number(r.headers['x-total-count']), CATALOGS);
  const seen = new Set(items.map((c) => c.name));
  for (let off = items.length; off < CATALOGS;) {
    const next = expectJson(await srv.req('GET', `/api/v1/catalogs?limit=1000&offset=${off}`), 200);
    assert.ok(next.length >= 1);
    for (const c of next) seen.add(c.name);
    off += next.length;
  }
  assert.equal(seen.size, CATALOGS);
});

test('a page never comes back empty because of the byte cap: one item larger than the cap still comes', async () => {
  const s = await startServer({ env: { PANGOLIN_MAX_PAGE_BYTES: '1024' } });
  try {
    for (const name of ['one', 'two']) expectJson(await s.req('POST', '/api/v1/catalogs', { body: { name, properties: { blob: 'x'.repeat(4096) } } }), 201);
    const r = await s.req('GET', '/api/v1/catalogs');
    assert.equal(expectJson(r, 200).length, 1);
    assert.equal(Number(r.headers['x-total-count']), 2);
    assert.equal(expectJson(await s.req('GET', '/api/v1/catalogs?offset=1'), 200).length, 1);
  } finally {
    await s.stop();
  }
});

test('40 clients that never read a big list grow the server by less than 64 MB; others are served meanwhile', async () => {
  // Warm up: the page is rendered once, as for a reader.
  expectJson(await srv.req('GET', '/api/v1/catalogs?limit=1000'), 200);
  await sleep(500);
  const rss0 = serverRss();
  const answered0 = listed(srv);
  const readers = [];
  for (let i = 0; i < READERS; i++) readers.push(await stuckReader(srv.port));
  // Every reader has its answer (sent or queued): the peak, sampled.
  let peak = serverRss();
  const t0 = Date.now();
  while (listed(srv) - answered0 < READERS && Date.now() - t0 < 120000) {
    await sleep(100);
    peak = Math.max(peak, serverRss());
  }
  await sleep(500);
  peak = Math.max(peak, serverRss());
  // >=: the warm-up's access line may be logged after answered0 was read.
  assert.ok(listed(srv) - answered0 >= READERS, 'every reader was answered');
  const growth = peak - rss0;
  console.log(`# RSS before ${(rss0 / MiB).toFixed(1)} MiB, peak with ${READERS} stuck readers ${(peak / MiB).toFixed(1)} MiB, growth ${(growth / MiB).toFixed(1)} MiB (all answered after ${Date.now() - t0} ms)`);
  assert.ok(growth < 64 * MiB, `grew ${(growth / MiB).toFixed(1)} MiB`);
  const t1 = Date.now();
  expectJson(await srv.req('GET', '/health/live'), 200);
  console.log(`# /health/live beside them: ${Date.now() - t1} ms`);
  for (const r of readers) r.destroy();
});

test('a reader that does not drain its answer is reset after send_timeout_secs, counted in /metrics', async () => {
  const s = await startServer({ env: { ...ASAN, PANGOLIN_SEND_TIMEOUT_SECS: '3' } });
  try {
    await bigCatalogs(s, 20);	// a ~1.2 MiB page: most of it the kernel holds
    const sockets0 = serverSockets(s);
    const timeouts0 = await metric(s, 'pangolin_send_timeouts_total');
    const t0 = Date.now();
    const readers = [];
    for (let i = 0; i < 10; i++) readers.push(await stuckReader(s.port));
    let held = serverSockets(s);
    while (held > sockets0 && Date.now() - t0 < 60000) {
      await sleep(250);
      held = serverSockets(s);
    }
    console.log(`# stuck readers closed after ${Date.now() - t0} ms (send_timeout_secs 3); server sockets ${held}, before ${sockets0}`);
    assert.ok(held <= sockets0, `server still holds ${held} sockets, ${sockets0} before`);
    assert.ok(await metric(s, 'pangolin_send_timeouts_total') - timeouts0 >= readers.length);
    const logged = s.log().split('\n').filter((l) => l.includes('limit reached: [server] send_timeout_secs 3 s')).length;
    assert.ok(logged >= 1 && logged <= 2, `${logged} log lines for ${readers.length} resets (once per worker)`);
    expectJson(await s.req('GET', '/health/live'), 200);
    // A reader that resumes gets part of the answer, then the reset.
    const got = await new Promise((resolve) => {
      let n = 0;
      readers[0].on('data', (c) => { n += c.length; });
      readers[0].on('close', () => resolve(n));
      readers[0].resume();
    });
    console.log(`# a reset reader had received ${got} bytes`);
    assert.ok(got < 1024 * 1024);
    for (const r of readers) r.destroy();
  } finally {
    await s.stop();
  }
});

test('a client that pipelines and does not read gets no next answer while max_queued_bytes of its answers wait, counted', async () => {
  const answered0 = listed(srv);
  const waits0 = await metric(srv, 'pangolin_send_queue_waits_total');
  const s = await new Promise((resolve, reject) => {
    const c = net.connect({ host: '127.0.0.1', port: srv.port });
    c.once('error', reject);
    c.once('connect', () => {
      c.removeListener('error', reject);
      c.on('error', () => {});
      c.pause();
      c.write('GET /api/v1/catalogs?limit=1000 HTTP/1.1\r\nhost: x\r\n\r\n'.repeat(10));
      resolve(c);
    });
  });
  await sleep(4000);
  const answered = listed(srv) - answered0;
  console.log(`# pipelined 10 big lists without reading: ${answered} answered`);
  // The kernel's send buffer (up to 4 MiB) takes a few answers of ~1.1 MiB;
  // the next one fills the queue past 256 KiB and no more are read.
  assert.ok(answered >= 1 && answered <= 6, `${answered} answered`);
  assert.ok(await metric(srv, 'pangolin_send_queue_waits_total') >= waits0 + 1, 'the wait is counted');
  assert.match(srv.log(), /limit reached: \[server\] max_queued_bytes 262144 bytes/);
  // Once the client reads, the rest come.
  let body = 0;
  s.on('data', (c) => { body += c.length; });
  s.resume();
  const t0 = Date.now();
  while (listed(srv) - answered0 < 10 && Date.now() - t0 < 60000) await sleep(200);
  assert.equal(listed(srv) - answered0, 10);
  s.destroy();
});
