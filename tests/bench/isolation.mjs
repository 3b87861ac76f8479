// Isolation bench (issue 23): `node tests/bench/isolation.mjs OUT.md` from
// the repository root after `make all`; tests/bench/isolation.sh calls it.
//
// One release server (SQLite, 2 workers, authentication on) and two
// tenants: A, the attacker, and B, whose latency is measured.  For each
// attack the same probes run twice in this run, once on the quiet server
// and once during the attack, and the table prints both and their ratio:
//
//   idle flood    IDLE_CONNS connections that never send a byte
//   slow readers  40 connections that ask for A's largest list and never
//                 read it (server RSS, all processes, before and during)
//   S3 stall      A's warehouse behind a proxy that accepts and never
//                 answers; A keeps loading its tables, 8 clients each
//                 retrying 100 ms after an answer (B is on Swift directly)
//   large merge   A merges a branch that adds MERGE_TABLES tables
//
// Probes (B's, sequential): GET /health/live on a new connection each
// time, and B's loadTable on a kept-alive connection; p50 and p99 of
// PROBES requests (more while a merge task runs), or as many as ISO_PROBE_SECS allows (the count is
// printed: fewer than PROBES means the server was stalled).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startServer, basic, request } from '../integration/lib/server.js';
import { startSwift, s3 } from '../integration/lib/s3.js';

const OUT = process.argv[2] ?? 'build/bench/isolation-results.md';
const PROBES = Number(process.env.ISO_PROBES ?? 500);
const IDLE = Number(process.env.ISO_IDLE_CONNS ?? 10000);
const READERS = Number(process.env.ISO_SLOW_READERS ?? 40);
const PROBE_SECS = Number(process.env.ISO_PROBE_SECS ?? 30);
const MERGE_TABLES = Number(process.env.ISO_MERGE_TABLES ?? 8000);
const PW = 'Bench-Passw0rd-Long';
const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let srv;
const ok = async (method, p, body, headers = {}, want = [200, 201, 202, 204]) => {
  const r = await srv.req(method, p, { body, headers: { authorization: basic(), ...headers } });
  if (!want.includes(r.status)) throw new Error(`${method} ${p}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
};

async function pool(n, width, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) await fn(next++);
  }));
}

/** A tenant with its admin's token, a warehouse (local or S3) and a catalog "c" with table ns.t0. */
async function tenant(name, storage) {
  const id = (await ok('POST', '/api/v1/tenants', { name })).id;
  await ok('POST', '/api/v1/users', { username: `${name}-admin`, password: PW, tenant_id: id, role: 'tenant-admin' });
  const tok = (await ok('POST', '/api/v1/users/login', { username: `${name}-admin`, password: PW, 'tenant-id': id })).token;
  const h = { authorization: `Bearer ${tok}` };
  const as = (method, p, body, want) => ok(method, p, body, h, want);
  const cfg = storage ?? { type: 'local', root: path.join(srv.tenantDir(id), 'wh') };
  await as('POST', '/api/v1/warehouses', { name: 'wh', storage_config: cfg });
  await as('POST', '/api/v1/catalogs', { name: 'c', warehouse_name: 'wh' });
  await as('POST', '/v1/c/namespaces', { namespace: ['ns'] });
  await as('POST', '/v1/c/namespaces/ns/tables', { name: 't0', schema });
  return { id, h, as };
}

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** B's probes: health on a new connection, loadTable kept alive. */
async function probe(B, busy = () => false) {
  const health = [];
  const load = [];
  const until = Date.now() + PROBE_SECS * 1000;
  let failed = 0;
  const timed = async (arr, fn) => {
    const t = process.hrtime.bigint();
    const r = await fn().catch(() => ({ status: 0 }));
    arr.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 200) failed++;
  };
  for (let i = 0; (i < PROBES || busy()) && Date.now() < until; i++) {
    const left = Math.max(1000, until - Date.now());
    await timed(health, () => request(srv.port, 'GET', '/health/live', { agent: false, timeout: left }));
    await timed(load, () => srv.req('GET', '/v1/c/namespaces/ns/tables/t0', { headers: B.h, timeout: left }));
  }
  return { n: load.length, failed, h50: pct(health, 50), h99: pct(health, 99), l50: pct(load, 50), l99: pct(load, 99) };
}

/** Resident memory of the server and its workers, in MB. */
function rssMb() {
  const pids = [srv.proc.pid];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
      if (pids.includes(ppid)) pids.push(Number(d));
    } catch { /* gone */ }
  }
  let kb = 0;
  for (const p of pids) {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch { /* gone */ }
  }
  return kb / 1024;
}

// The flood is held by a child process, so that its 10,000 sockets load
// the server and not the probing process's own event loop and heap.
const HOLDER = `
const net = require('net');
const [port, n] = process.argv.slice(1).map(Number);
const socks = [];
let pending = n, open = 0;
for (let i = 0; i < n; i++) {
  const s = net.connect(port, '127.0.0.1');
  s.on('connect', () => { open++; if (--pending === 0) process.stdout.write('held ' + open + '\\n'); });
  s.on('error', () => { if (--pending === 0) process.stdout.write('held ' + open + '\\n'); });
  socks.push(s);
}
process.stdin.on('data', () => {
  const still = socks.filter((s) => !s.destroyed && s.readyState === 'open').length;
  process.stdout.write('still ' + still + '\\n');
  process.exit(0);
});
`;

async function attackIdle(B) {
  const child = spawn(process.execPath, ['-e', HOLDER, String(srv.port), String(IDLE)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  while (!/held \d+/.test(out)) await sleep(100);
  await sleep(500);
  const held = Number(/held (\d+)/.exec(out)[1]);
  const r = await probe(B);
  child.stdin.write('x');
  await new Promise((resolve) => child.on('exit', resolve));
  const still = Number(/still (\d+)/.exec(out)?.[1] ?? 0);
  return { ...r, note: `${held} idle connections opened (by another process), ${still} still open after the probes` };
}

async function attackSlowReaders(A, B) {
  // A's catalogs with large properties: its list is the largest reply.
  const big = 'x'.repeat(1000);
  const props = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`p${i}`, big]));
  await pool(200, 8, (i) => A.as('POST', '/api/v1/catalogs', { name: `big${i}`, warehouse_name: 'wh', properties: props }));
  const before = rssMb();
  const socks = [];
  const head = `GET /api/v1/catalogs?limit=1000 HTTP/1.1\r\nhost: x\r\n${Object.entries(A.h).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
  for (let i = 0; i < READERS; i++) {
    const s = net.connect({ port: srv.port, host: '127.0.0.1' }, () => { s.write(head); s.pause(); });
    s.on('error', () => {});
    socks.push(s);
  }
  await sleep(2000);
  const during = rssMb();
  const r = await probe(B);
  const after = rssMb();
  for (const s of socks) s.destroy();
  return { ...r, note: `server RSS ${before.toFixed(0)} MB before, ${Math.max(during, after).toFixed(0)} MB with ${READERS} non-reading connections (growth ${(Math.max(during, after) - before).toFixed(0)} MB)` };
}

/** A TCP proxy to target that, once stalled, accepts and never answers. */
function stallProxy(target) {
  const state = { stalled: false, conns: new Set() };
  const server = net.createServer((c) => {
    state.conns.add(c);
    c.on('close', () => state.conns.delete(c));
    c.on('error', () => {});
    if (state.stalled) return;
    const u = net.connect(target.port, target.host);
    u.on('error', () => c.destroy());
    c.pipe(u).pipe(c);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    state.port = server.address().port;
    state.stall = () => { state.stalled = true; for (const c of state.conns) c.destroy(); };
    state.close = () => { for (const c of state.conns) c.destroy(); server.close(); };
    resolve(state);
  }));
}

async function attackStall(A, proxy) {
  // A's S3 tables, loaded once each only after the stall (never cached).
  let stop = false;
  let sent = 0;
  const codes = {};
  const loops = Array.from({ length: 8 }, async (_, k) => {
    for (let i = 0; !stop; i++) {
      const r = await srv.req('GET', `/v1/c/namespaces/ns/tables/s${k}_${i % 50}`, { headers: A.h, timeout: 120000 }).catch(() => ({ status: 'err' }));
      sent++;
      codes[r.status] = (codes[r.status] ?? 0) + 1;
      // A client that retries, not a flood: a flood is the request
      // rate's to stop (PANGOLIN_RATE_PER_PRINCIPAL), not the breaker's.
      await sleep(100);
    }
  });
  proxy.stall();
  await sleep(200);
  const r = await probe(A.victim);
  stop = true;
  await Promise.race([Promise.all(loops), sleep(5000)]);
  return { ...r, note: `A's loadTable on its stalled endpoint: ${sent} answered during the probes (${Object.entries(codes).map(([k, v]) => `${v}× ${k}`).join(', ')})` };
}

async function attackMerge(A, B) {
  await A.as('POST', '/api/v1/branches', { name: 'big', catalog: 'c', branch_type: 'ingest' });
  await pool(MERGE_TABLES, 16, (i) => A.as('POST', '/v1/c/namespaces/ns/tables?branch=big', { name: `m${i}`, schema }));
  const t0 = process.hrtime.bigint();
  const m = await srv.req('POST', '/api/v1/branches/merge', { body: { source_branch: 'big', target_branch: 'main', catalog: 'c' }, headers: A.h, timeout: 600000 });
  const answerMs = Number(process.hrtime.bigint() - t0) / 1e6;
  // A task (202): B probes until it has ended, so the probes cover the
  // whole merge, not only its start.
  let running = m.status === 202;
  let outcome = m.status === 202 ? 'queued' : `${m.status}`;
  const watch = (async () => {
    while (running) {
      await sleep(200);
      const t = await srv.req('GET', `/api/v1/tasks/${m.json.task_id}`, { headers: A.h });
      if (['succeeded', 'failed', 'cancelled'].includes(t.json?.status)) {
        running = false;
        outcome = `${t.json.status} ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s after the request`;
      }
    }
  })();
  const r = await probe(B, () => running);
  running = false;
  await watch;
  return { ...r, note: `A's merge of a branch adding ${MERGE_TABLES} tables answered ${m.status} in ${answerMs.toFixed(0)} ms; its task ${outcome}` };
}

// The list attackers' client: its own process, as remote clients would be
// (parsing 280 KiB answers in the probe's process delayed the probes by
// the client's own work, not the server's).  argv: port, path, header
// JSON, clients; prints "lists N" when stdin closes.
const LISTER = `
const http = require('node:http');
const [port, path, hdrs, width] = process.argv.slice(1);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(width) });
let stop = false, lists = 0, bytes = 0;
const one = () => new Promise((resolve) => {
  http.get({ port, host: '127.0.0.1', path, agent, headers: JSON.parse(hdrs) }, (res) => {
    let n = 0;
    res.on('data', (d) => { n += d.length; });
    res.on('end', () => { lists++; bytes = n; resolve(); });
  }).on('error', resolve);
});
const loops = Array.from({ length: Number(width) }, async () => { while (!stop) await one(); });
process.stdout.write('started\\n');
process.stdin.on('data', async () => { stop = true; await Promise.all(loops); process.stdout.write('lists ' + lists + ' bytes ' + bytes + '\\n'); process.exit(0); });
`;

async function attackBigList(A, B) {
  // A lists its namespace of MERGE_TABLES tables (after the merge attack)
  // in one unpaged answer, from 4 clients at once, for as long as B is
  // probed: read and written in slices, with B's requests let in between.
  const child = spawn(process.execPath, ['-e', LISTER, String(srv.port), '/v1/c/namespaces/ns/tables', JSON.stringify(A.h), '4'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  while (!/started/.test(out)) await sleep(50);
  await sleep(200);
  const r = await probe(B);
  child.stdin.write('x');
  await new Promise((resolve) => child.on('exit', resolve));
  const lists = Number(/lists (\d+)/.exec(out)?.[1] ?? 0);
  const bytes = Number(/bytes (\d+)/.exec(out)?.[1] ?? 0);
  return { ...r, note: `A's unpaged list of its ${MERGE_TABLES} tables (${(bytes / 1024).toFixed(0)} KiB) from 4 clients in another process: ${lists} answered during the probes` };
}

async function attackStalledCreates(A, proxy) {
  // A creates tables whose first metadata file goes to its stalled
  // endpoint: each waits off the event loop (then the breaker answers).
  let stop = false;
  let sent = 0;
  const codes = {};
  const loops = Array.from({ length: 8 }, async (_, k) => {
    for (let i = 0; !stop; i++) {
      const r = await srv.req('POST', '/v1/c/namespaces/ns/tables', { body: { name: `x${k}_${i}_${Date.now()}`, schema }, headers: A.h, timeout: 120000 }).catch(() => ({ status: 'err' }));
      sent++;
      codes[r.status] = (codes[r.status] ?? 0) + 1;
      await sleep(100);
    }
  });
  proxy.stall();
  await sleep(200);
  const r = await probe(A.victim);
  stop = true;
  await Promise.race([Promise.all(loops), sleep(5000)]);
  return { ...r, note: `A's createTable on its stalled endpoint: ${sent} answered during the probes (${Object.entries(codes).map(([k, v]) => `${v}× ${k}`).join(', ')})` };
}

const row = (name, base, x) => {
  const f = (v) => v.toFixed(1);
  const ratio = (a, b) => (b > 0 ? (a / b).toFixed(2) : '-');
  return `| ${name} | ${f(base.h50)} / ${f(base.h99)} | ${f(x.h50)} / ${f(x.h99)} | ${ratio(x.h50, base.h50)} / ${ratio(x.h99, base.h99)} | ${f(base.l50)} / ${f(base.l99)} | ${f(x.l50)} / ${f(x.l99)} | ${ratio(x.l50, base.l50)} / ${ratio(x.l99, base.l99)} | ${x.n}${x.failed ? ` (${x.failed} failed or timed out)` : ''} | ${x.note} |`;
};

(async () => {
  const swift = await startSwift();
  const proxy = await stallProxy({ host: '127.0.0.1', port: swift.port });
  const proxied = `http://127.0.0.1:${proxy.port}`;
  srv = await startServer({
    store: 'sqlite', noAuth: false, root: true, workers: 2,
    allowEndpoints: [swift.endpoint, proxied],
    env: {
      PANGOLIN_MAX_CONNECTIONS: String(IDLE + 2000),
      ...(process.env.ISO_SERVER_ENV ? JSON.parse(process.env.ISO_SERVER_ENV) : {}),
    },
  });
  const s3cfg = (endpoint, bucket) => ({
    type: 's3', bucket, region: 'us-east-1', endpoint, path_style: 'true',
    access_key_id: 'test:tester', secret_access_key: 'testing',
  });
  for (const b of ['iso-a', 'iso-b']) s3(swift, 'PUT', `/${b}`);
  const A = await tenant('iso-a', s3cfg(proxied, 'iso-a'));
  const B = await tenant('iso-b', s3cfg(swift.endpoint, 'iso-b'));
  const L = await tenant('iso-l');	// A's second face: local storage for the list and merge attacks
  await pool(400, 8, (i) => A.as('POST', '/v1/c/namespaces/ns/tables', { name: `s${i % 8}_${Math.floor(i / 8)}`, schema }));
  A.victim = B;
  await probe(B);	// warm-up

  const rows = [];
  const quiet = async () => probe(B);
  // ISO_ONLY=merge,lists runs only the attacks whose names hold one of
  // the words (the list attack needs the merge's tables).
  const only = process.env.ISO_ONLY?.split(',');
  const run = async (name, fn) => {
    if (only && !only.some((w) => name.includes(w))) return;
    const base = await quiet();
    const x = await fn();
    rows.push(row(name, base, x));
    process.stderr.write(`isolation bench: ${name} done\n`);
  };
  await run('idle flood', () => attackIdle(B));
  await run('slow readers', () => attackSlowReaders(L, B));
  await run('S3 stall (other tenant)', () => attackStall(A, proxy));
  await run('large merge (other tenant)', () => attackMerge(L, B));
  await run('big unpaged lists (other tenant)', () => attackBigList(L, B));
  await run('S3 creates on a stalled endpoint (other tenant)', () => attackStalledCreates(A, proxy));

  const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const out = [
    `B's probes while tenant A attacks, beside the same probes on the quiet server in the same run; ${PROBES} sequential probes each;`,
    `ms, p50 / p99; health on a new connection each time, B's loadTable (S3 on Swift) kept alive; release build, SQLite, 2 workers; load average ${load} at the end`,
    '',
    '| attack | health quiet | health attacked | ratio p50 / p99 | B loadTable quiet | B loadTable attacked | ratio p50 / p99 | probes during | the attack |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows,
  ].join('\n');
  console.log(out);
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, out + '\n');
  proxy.close();
  await srv.stop();
  swift.destroy();
})().catch(async (e) => {
  console.error('isolation bench:', e);
  process.exitCode = 1;
  try { await srv?.stop({ keep: true }); } catch { /* ignore */ }
  process.exit(1);
});
