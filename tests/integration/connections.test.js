// Connections (issue 23, part 1): idle sockets, which need no credentials,
// must not take the server away.  RLIMIT_NOFILE is raised at start and
// Kore's per-worker connection limit sized from it; a request head has its
// own timeout (PANGOLIN_HEADER_TIMEOUT_SECS), the wait between requests on
// a kept-alive connection another (PANGOLIN_KEEPALIVE_TIMEOUT_SECS).
// Every limit reached is counted in /metrics, summed over the workers,
// and named in the log once per worker, not once per event.
// Store-independent and cheap: it runs on every store.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { processTree, request, startServer, STORE } from './lib/server.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** This process's soft RLIMIT_NOFILE (node cannot raise its own). */
function ourFdLimit() {
  const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  const n = Number(line?.split(/\s+/)[3]);
  return Number.isFinite(n) ? n : 1024;
}

/** Sockets the server's processes hold. */
function serverSockets(pid) {
  let n = 0;
  for (const p of processTree(pid)) {
    let fds = [];
    try { fds = fs.readdirSync(`/proc/${p}/fd`); } catch { continue; }
    for (const fd of fds) {
      try { if (fs.readlinkSync(`/proc/${p}/fd/${fd}`).startsWith('socket:')) n++; } catch { /* closed */ }
    }
  }
  return n;
}

/** Open one TCP connection and send nothing. */
function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.removeListener('error', reject); s.on('error', () => {}); resolve(s); });
    s.once('error', reject);
  });
}

/**
 * A raw connection: send text, collect what comes back, and note when the
 * server closes.  closed resolves with { ms (since open), data }.
 */
function raw(port) {
  const s = net.connect({ host: '127.0.0.1', port });
  const t0 = Date.now();
  let data = '';
  s.setEncoding('latin1');
  s.on('data', (d) => { data += d; });
  s.on('error', () => {});
  const closed = new Promise((resolve) => s.on('close', () => resolve({ ms: Date.now() - t0, data })));
  const opened = new Promise((resolve) => s.once('connect', resolve));
  return { s, opened, closed, data: () => data, t0 };
}

/** A counter of /metrics, on a connection of its own (closed after). */
async function metric(port, name) {
  const r = await request(port, 'GET', '/metrics', { agent: false });
  assert.equal(r.status, 200);
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(r.text);
  assert.ok(m, `${name} is not in /metrics`);
  return Number(m[1]);
}

/** Log lines naming a limit reached: at least one, at most one per worker. */
function loggedOnce(h, key, workers = 2) {
  const n = h.log().split('\n').filter((l) => l.includes(`limit reached: ${key}`)).length;
  assert.ok(n >= 1 && n <= workers, `${n} log lines for ${key} (workers: ${workers})\n${h.log().slice(-3000)}`);
}

/** Wait until pred() or ms passed; returns pred()'s last value. */
async function waitFor(pred, ms) {
  const end = Date.now() + ms;
  let v = pred();
  while (!v && Date.now() < end) { await sleep(100); v = pred(); }
  return v;
}

test('thousands of idle connections are held and /health/live still answers fast', async (t) => {
  // 10,000 as the issue asks when this process may open them (the runner
  // raises ulimit -n); never fewer than 2,000, twice the old limit.
  const n = Math.min(10000, ourFdLimit() - 1000);
  assert.ok(n >= 2000, `this process may open only ${ourFdLimit()} files; run with ulimit -n 65536`);
  // A header timeout longer than the test, so the flood stays open.
  const srv = await startServer({ env: { PANGOLIN_HEADER_TIMEOUT_SECS: '120' } });
  const socks = [];
  try {
    assert.match(srv.log(), /connections: at most \d+ per worker and 0 per address \(0: no cap\), RLIMIT_NOFILE \d+; timeouts: header 120s, body 30s, keep-alive 60s/);
    const base = serverSockets(srv.proc.pid);
    for (let i = 0; i < n; i += 500) {
      const batch = [];
      for (let j = i; j < Math.min(n, i + 500); j++) batch.push(connect(srv.port));
      socks.push(...await Promise.all(batch));
    }
    // Accepted by the workers, not only queued by the kernel (the slack:
    // sockets of the start-up checks counted in base and closed since).
    const held = await waitFor(() => serverSockets(srv.proc.pid) - base >= n - 10, 20000);
    assert.ok(held, `the server holds ${serverSockets(srv.proc.pid) - base} of ${n} idle connections`);

    // A new connection per request: it must be accepted beside the flood.
    const ms = [];
    for (let i = 0; i < 20; i++) {
      const t0 = process.hrtime.bigint();
      const r = await request(srv.port, 'GET', '/health/live', { timeout: 10000 });
      ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
      assert.equal(r.status, 200);
    }
    ms.sort((a, b) => a - b);
    const median = (ms[9] + ms[10]) / 2;
    t.diagnostic(`${n} idle connections held; /health/live on a new connection: median ${median.toFixed(1)} ms, ` +
      `second slowest ${ms[18].toFixed(1)} ms, max ${ms[19].toFixed(1)} ms`);
    // The figure: under 50 ms during the flood (before the fix
    // none answered).  The median, so one probe that waits on a busy
    // core of this shared VM (or on ASan) does not decide; the slowest
    // still has a bound.
    assert.ok(median < 50, `/health/live took a median ${median.toFixed(1)} ms during the flood (${ms.map((x) => x.toFixed(1)).join(', ')})`);
    assert.ok(ms[19] < 2000, `/health/live took ${ms[19].toFixed(1)} ms during the flood`);

    // The oldest and the newest idle connections are still served.
    for (const s of [socks[0], socks[n - 1]]) {
      const got = new Promise((resolve) => { let d = ''; s.setEncoding('latin1'); s.on('data', (c) => { d += c; if (d.includes('alive')) resolve(d); }); });
      s.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.match(await got, /^HTTP\/1\.1 200/);
    }
  } finally {
    for (const s of socks) s.destroy();
    await srv.stop();
  }
});

let srv;
before(async () => {
  srv = await startServer({ env: { PANGOLIN_HEADER_TIMEOUT_SECS: '2', PANGOLIN_KEEPALIVE_TIMEOUT_SECS: '4',
    PANGOLIN_REQUEST_TIMEOUT_SECS: '2', PANGOLIN_MAX_HEADER_BYTES: '2048' } });
});
after(async () => { await srv?.stop(); });

test('the effective limits are logged once at start', () => {
  const lines = srv.log().split('\n').filter((l) => /connections: at most/.test(l));
  assert.equal(lines.length, 1, srv.log());
  assert.match(lines[0], /timeouts: header 2s, body 2s, keep-alive 4s; request head 2048 bytes, write pool 16 threads per worker/);
});

test('half a request head is answered 408 and closed after the header timeout, counted in /metrics and logged once', async () => {
  const before = await metric(srv.port, 'pangolin_header_timeouts_total');
  const c = raw(srv.port);
  await c.opened;
  c.s.write('GET /health/live HTTP/1.1\r\nHost: x\r\n');
  const { ms, data } = await c.closed;
  assert.ok(ms >= 1500 && ms < 5000, `closed after ${ms} ms (header timeout 2 s)`);
  assert.match(data, /^HTTP\/1\.1 408/);
  assert.ok(await metric(srv.port, 'pangolin_header_timeouts_total') >= before + 1);
});

test('a new connection that sends nothing is closed after the header timeout, quietly, and counted', async () => {
  const before = await metric(srv.port, 'pangolin_header_timeouts_total');
  const quiet = [raw(srv.port), raw(srv.port), raw(srv.port)];
  for (const c of quiet) await c.opened;
  for (const c of quiet) {
    const { ms, data } = await c.closed;
    assert.ok(ms >= 1500 && ms < 5000, `closed after ${ms} ms (header timeout 2 s)`);
    assert.equal(data, '');
  }
  // Every close counted, whichever worker held it; the log names the
  // limit once per worker however many there were.
  assert.ok(await metric(srv.port, 'pangolin_header_timeouts_total') >= before + quiet.length);
  loggedOnce(srv, '[server] header_timeout_secs 2 s (PANGOLIN_HEADER_TIMEOUT_SECS)');
});

test('a body that does not come within the request timeout is answered 408, counted apart from heads', async () => {
  const heads = await metric(srv.port, 'pangolin_header_timeouts_total');
  const before = await metric(srv.port, 'pangolin_body_timeouts_total');
  const c = raw(srv.port);
  await c.opened;
  c.s.write('POST /api/v1/catalogs HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"na');
  const { ms, data } = await c.closed;
  assert.ok(ms >= 1500 && ms < 5000, `closed after ${ms} ms (request timeout 2 s)`);
  assert.match(data, /^HTTP\/1\.1 408/);
  assert.equal(await metric(srv.port, 'pangolin_body_timeouts_total'), before + 1);
  assert.equal(await metric(srv.port, 'pangolin_header_timeouts_total'), heads, 'not a header timeout');
  loggedOnce(srv, '[server] request_timeout_secs 2 s');
});

test('a request head past PANGOLIN_MAX_HEADER_BYTES is 431, counted; one within it is served', async () => {
  const before = await metric(srv.port, 'pangolin_request_head_too_large_total');
  const within = await request(srv.port, 'GET', '/health/live', { agent: false, headers: { 'x-pad': 'p'.repeat(1500) } });
  assert.equal(within.status, 200);
  const c = raw(srv.port);
  await c.opened;
  c.s.write(`GET /health/live HTTP/1.1\r\nHost: x\r\nx-pad: ${'p'.repeat(3000)}\r\n\r\n`);
  const { data } = await c.closed;
  assert.match(data, /^HTTP\/1\.1 431/);
  assert.equal(await metric(srv.port, 'pangolin_request_head_too_large_total'), before + 1);
  loggedOnce(srv, '[server] max_header_bytes 2048 bytes (PANGOLIN_MAX_HEADER_BYTES)');
});

test('an idle keep-alive connection lives past the header timeout and closes at its own, counted', async () => {
  const closes = await metric(srv.port, 'pangolin_keepalive_closes_total');
  const heads = await metric(srv.port, 'pangolin_header_timeouts_total');
  const c = raw(srv.port);
  await c.opened;
  c.s.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.ok(await waitFor(() => c.data().includes('alive'), 5000), c.data());
  assert.match(c.data(), /^HTTP\/1\.1 200/);
  assert.match(c.data(), /keep-alive: timeout=4/i);
  // Idle 3 s, past the 2 s header timeout: still open and still served.
  await sleep(3000);
  const before = c.data().length;
  c.s.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.ok(await waitFor(() => c.data().slice(before).includes('alive'), 5000), `no second answer: ${c.data()}`);
  const t1 = Date.now();
  const { data } = await c.closed;
  const idle = Date.now() - t1;
  assert.ok(idle >= 3000 && idle < 7000, `closed ${idle} ms after the last answer (keep-alive 4 s)`);
  // A status line, not any "408": the answer's x-request-id is random hex.
  assert.doesNotMatch(data.slice(before), /^HTTP\/1\.1 408/m);
  assert.ok(await metric(srv.port, 'pangolin_keepalive_closes_total') >= closes + 1);
  assert.equal(await metric(srv.port, 'pangolin_header_timeouts_total'), heads, 'an idle close is not a header timeout');
  loggedOnce(srv, '[server] keepalive_timeout_secs 4 s (PANGOLIN_KEEPALIVE_TIMEOUT_SECS)');
});

test('a request head that starts after a long keep-alive wait gets the full header timeout', async () => {
  const c = raw(srv.port);
  await c.opened;
  c.s.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.ok(await waitFor(() => c.data().includes('alive'), 5000));
  await sleep(2500);
  // Half a head after 2.5 s idle: the header clock starts now, not at the answer.
  const before = c.data().length;
  const t1 = Date.now();
  c.s.write('GET /health/live HTTP/1.1\r\n');
  const { data } = await c.closed;
  const ms = Date.now() - t1;
  assert.ok(ms >= 1000 && ms < 5000, `closed ${ms} ms after the first byte (header timeout 2 s)`);
  assert.match(data.slice(before), /^HTTP\/1\.1 408/);
});

test('past PANGOLIN_MAX_CONNS_PER_ADDR a connection is answered 503 and closed, and counted in /metrics', async () => {
  // One worker: the cap is counted per worker.
  const capped = await startServer({ workers: 1, env: { PANGOLIN_MAX_CONNS_PER_ADDR: '4', PANGOLIN_HEADER_TIMEOUT_SECS: '60' } });
  const idle = [];
  try {
    assert.match(capped.log(), /at most \d+ per worker and 4 per address/);
    // Five connections: the worker counts them in the order it accepts
    // them, which on a busy machine need not be the order they were
    // opened, so whichever comes fifth is the one refused.
    const conns = [];
    for (let i = 0; i < 5; i++) { conns.push(raw(capped.port)); await conns[i].opened; }
    const first = await Promise.race(conns.map((x) => x.closed.then((r) => ({ x, r }))));
    assert.match(first.r.data, /^HTTP\/1\.1 503/, first.r.data);
    assert.ok(first.r.ms < 5000, `closed after ${first.r.ms} ms`);
    for (const x of conns) if (x !== first.x) idle.push(x.s);

    // One slot freed: the next connection is served.
    // (The worker sees the close on its next turn: a connection that
    // comes first is refused, and the next one tried is served.)
    idle.pop().destroy();
    let served = '';
    for (let i = 0; i < 20 && !served.includes('alive'); i++) {
      await waitFor(() => false, 300);
      const d = raw(capped.port);
      await d.opened;
      d.s.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
      await waitFor(() => d.data().includes('alive') || /^HTTP\/1\.1 503/.test(d.data()), 5000);
      served = d.data();
      d.s.destroy();
    }
    assert.match(served, /^HTTP\/1\.1 200/);
    for (const s of idle.splice(0)) s.destroy();
    await waitFor(() => false, 300);

    const m = await request(capped.port, 'GET', '/metrics');
    assert.equal(m.status, 200);
    assert.match(m.text, /^pangolin_connections_refused_total [1-9]\d*$/m);
    loggedOnce(capped, '[server] max_conns_per_addr 4 (PANGOLIN_MAX_CONNS_PER_ADDR)', 1);
  } finally {
    for (const s of idle) s.destroy();
    await capped.stop();
  }
});

test('a worker holding PANGOLIN_MAX_CONNECTIONS accepts no more until one closes; counted in /metrics', async () => {
  // One worker with room for 8: the start-up checks' connections are
  // closed by the time the test opens its own.
  const CAP = 8;
  const full = await startServer({ workers: 1, env: { PANGOLIN_MAX_CONNECTIONS: String(CAP), PANGOLIN_HEADER_TIMEOUT_SECS: '60' } });
  const idle = [];
  try {
    assert.match(full.log(), new RegExp(`at most ${CAP} per worker`));
    assert.equal(await metric(full.port, 'pangolin_connection_ceiling_total'), 0);
    for (let i = 0; i < CAP; i++) idle.push(await connect(full.port));
    // The kernel completes the handshake; the worker does not accept it
    // (so does not answer) while it holds CAP.
    const waiting = raw(full.port);
    await waiting.opened;
    waiting.s.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(await waitFor(() => waiting.data().includes('alive'), 1500), false, 'answered past the ceiling');
    // One closes: the waiting request is served.
    idle.shift().destroy();
    assert.ok(await waitFor(() => waiting.data().includes('alive'), 10000), 'not served after a connection closed');
    assert.match(waiting.data(), /^HTTP\/1\.1 200/);
    waiting.s.destroy();
    for (const s of idle.splice(0)) s.destroy();
    await waitFor(() => false, 300);
    assert.ok(await metric(full.port, 'pangolin_connection_ceiling_total') >= 1);
    loggedOnce(full, `[server] max_connections ${CAP} (PANGOLIN_MAX_CONNECTIONS)`, 1);
  } finally {
    for (const s of idle) s.destroy();
    await full.stop();
  }
});

// Kore patch item 23: a worker holding more than its share of the
// connections leaves new ones to the others.  Before, 64 keep-alive
// clients that connect at once landed about 16/48 on two workers (the
// kernel woke the first waiting worker, which took 16 per wake-up), and
// the fuller worker's queue made loadTable's p99 (make bench, tail.sh).
test('64 connections opened at once are spread evenly over the workers',
  { skip: STORE === 'memory' && 'the memory store runs one worker' }, async (t) => {
  const spread = await startServer({ workers: 2, env: { PANGOLIN_HEADER_TIMEOUT_SECS: '60' } });
  const socks = [];
  try {
    const workers = processTree(spread.proc.pid).filter((p) => {
      try { return /\[wrk \d+\]/.test(fs.readFileSync(`/proc/${p}/cmdline`, 'latin1')); } catch { return false; }
    });
    assert.equal(workers.length, 2, 'two workers');
    // Ready means one worker answered; the other may still be starting.
    assert.ok(await waitFor(() => /\[worker 2\] cache memory/.test(spread.log()) && /\[worker 1\] cache memory/.test(spread.log()), 10000),
      'both workers started');
    await sleep(500);
    const held = () => workers.map((p) => serverSockets(p));
    const base = held();
    socks.push(...await Promise.all(Array.from({ length: 64 }, () => connect(spread.port))));
    const all = await waitFor(() => held().reduce((a, n, i) => a + n - base[i], 0) >= 64, 10000);
    const per = held().map((n, i) => n - base[i]);
    assert.ok(all, `the workers accepted ${per.join(' + ')} of 64`);
    t.diagnostic(`connections per worker: ${per.join('/')}`);
    // 32 each within the slack (1 + 1/16), with room for a worker that
    // this loaded machine descheduled for a moment; 16/48 fails.
    for (const n of per) assert.ok(n >= 24, `connections per worker ${per.join('/')}`);
  } finally {
    for (const s of socks) s.destroy();
    await spread.stop();
  }
});
