// Scan planning isolation bench (issue 42): `node
// tests/bench/scan_isolation.mjs OUT.md` from the repository root after
// `make all`; tests/bench/scan_isolation.sh calls it.
//
// One release server (SQLite, 2 workers, authentication on) and two
// tenants: A, whose user may only read, plans scans of an 80,000-file
// table (40 manifests of 2,000 files, tests/integration/lib/big_table.js;
// the filter part < 14 leaves 14 manifests, 28,000 files) from
// SCAN_ISO_CLIENTS clients at once, each asking again as soon as it is
// answered, never fetching its plans; B, whose latency is measured.  B's
// probes run twice in this run, on the quiet server and during A's
// attack: GET /health/live on a new connection each time, and B's
// loadTable kept alive; p50 and p99 of SCAN_ISO_PROBES sequential probes.
// The table prints both, their ratio and the bound the issue sets (B's
// attacked p50 within 2x quiet + 5 ms), and what A got meanwhile (plans
// answered completed, submitted, 429).  Two attacks, each probed for at
// least SCAN_ISO_MIN_SECS: plans that walk 28,000 entries to plan one
// file (the CPU a reader can spend for nothing stored), and plans of
// 28,000 files (stored, within the tenant's quota: 429 past it).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, basic, request } from '../integration/lib/server.js';
import { writeBigTable } from '../integration/lib/big_table.js';

const OUT = process.argv[2] ?? 'build/bench/scan-isolation-results.md';
const PROBES = Number(process.env.SCAN_ISO_PROBES ?? 500);
const CLIENTS = Number(process.env.SCAN_ISO_CLIENTS ?? 4);
const PROBE_SECS = Number(process.env.SCAN_ISO_PROBE_SECS ?? 60);
// An attack lasts at least this long, however fast the probes are.
const MIN_SECS = Number(process.env.SCAN_ISO_MIN_SECS ?? 10);
const PW = 'Bench-Passw0rd-Long';
const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let srv;
const ok = async (method, p, body, headers = { authorization: basic() }) => {
  const r = await srv.req(method, p, { body, headers });
  if (![200, 201, 204].includes(r.status)) throw new Error(`${method} ${p}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
};

/** A tenant: its admin's and a reader's headers, catalog `c`, namespace ns. */
async function tenant(name) {
  const id = (await ok('POST', '/api/v1/tenants', { name })).id;
  const login = async (user, role) => {
    const u = await ok('POST', '/api/v1/users', { username: user, password: PW, tenant_id: id, role });
    const tok = (await ok('POST', '/api/v1/users/login', { username: user, password: PW, 'tenant-id': id })).token;
    return { id: u.id, h: { authorization: `Bearer ${tok}` } };
  };
  const admin = await login(`${name}-admin`, 'tenant-admin');
  const root = path.join(srv.tenantDir(id), 'wh');
  await ok('POST', '/api/v1/warehouses', { name: 'wh', storage_config: { type: 'local', root } }, admin.h);
  const cat = await ok('POST', '/api/v1/catalogs', { name: 'c', warehouse_name: 'wh' }, admin.h);
  await ok('POST', '/v1/c/namespaces', { namespace: ['ns'] }, admin.h);
  const reader = await login(`${name}-reader`, 'tenant-user');
  await ok('POST', '/api/v1/permissions', { 'user-id': reader.id, scope: { type: 'catalog', catalog_id: cat.id }, actions: ['read'] }, admin.h);
  return { id, root, admin: admin.h, reader: reader.h };
}

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** B's probes: health on a new connection, loadTable kept alive. */
async function probe(B, minSecs = 0) {
  const health = [];
  const load = [];
  const until = Date.now() + Math.max(PROBE_SECS, minSecs) * 1000;
  const atLeast = Date.now() + minSecs * 1000;
  let failed = 0;
  const timed = async (arr, fn) => {
    const t = process.hrtime.bigint();
    const r = await fn().catch(() => ({ status: 0 }));
    arr.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 200) failed++;
  };
  for (let i = 0; (i < PROBES || Date.now() < atLeast) && Date.now() < until; i++) {
    await timed(health, () => request(srv.port, 'GET', '/health/live', { agent: false }));
    await timed(load, () => srv.req('GET', '/v1/c/namespaces/ns/tables/t0', { headers: B.admin }));
  }
  return { n: load.length, failed, h50: pct(health, 50), h99: pct(health, 99), l50: pct(load, 50), l99: pct(load, 99) };
}

// A's clients: a process of their own, as remote clients would be (the
// plans' answers, a few MB each, parsed in the probing process would
// delay the probes by the client's own work).  argv: port, path, header
// JSON, body JSON, clients; prints "plans <status counts>" when stdin
// closes.
const PLANNER = `
const http = require('node:http');
const [port, path, hdrs, body, width] = process.argv.slice(1);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(width) });
const counts = {};
let stop = false;
const one = () => new Promise((resolve) => {
  const req = http.request({ port, host: '127.0.0.1', path, method: 'POST', agent,
    headers: { ...JSON.parse(hdrs), 'content-type': 'application/json' } }, (res) => {
    let text = '';
    res.on('data', (d) => { if (text.length < 64) text += d; });
    res.on('end', () => {
      const m = /"status":"(\\w+)"/.exec(text);
      const k = res.statusCode === 200 && m ? m[1] : String(res.statusCode);
      counts[k] = (counts[k] ?? 0) + 1;
      resolve();
    });
  });
  req.on('error', resolve);
  req.end(body);
});
const loops = Array.from({ length: Number(width) }, async () => { while (!stop) await one(); });
process.stdout.write('started\\n');
process.stdin.on('data', async () => { stop = true; await Promise.all(loops); process.stdout.write('plans ' + JSON.stringify(counts) + '\\n'); process.exit(0); });
`;

async function attack(A, B, filter) {
  const body = JSON.stringify({ filter });
  const child = spawn(process.execPath, ['-e', PLANNER, String(srv.port), '/v1/c/namespaces/ns/tables/big/plan',
    JSON.stringify(A.reader), body, String(CLIENTS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  while (!/started/.test(out)) await sleep(50);
  await sleep(500);
  const r = await probe(B, MIN_SECS);
  child.stdin.write('x');
  await new Promise((resolve) => child.on('exit', resolve));
  const counts = JSON.parse(/plans (.*)/.exec(out)?.[1] ?? '{}');
  return { ...r, counts };
}

(async () => {
  srv = await startServer({
    store: 'sqlite', noAuth: false, root: true, workers: 2,
    env: { PANGOLIN_AUTH_RATE_LIMIT: '0', ...(process.env.SCAN_ISO_SERVER_ENV ? JSON.parse(process.env.SCAN_ISO_SERVER_ENV) : {}) },
  });
  const A = await tenant('scan-a');
  const B = await tenant('scan-b');
  const t0 = Date.now();
  const big = writeBigTable(path.join(A.root, 'c', 'ns', 'big'), 40, 2000);
  const genMs = Date.now() - t0;
  await ok('POST', '/v1/c/namespaces/ns/register', { name: 'big', 'metadata-location': `file://${big.metadata}` }, A.admin);
  await ok('POST', '/v1/c/namespaces/ns/tables', { name: 't0', schema }, B.admin);
  // One plan alone, warm, for the table's note.
  await srv.req('POST', '/v1/c/namespaces/ns/tables/big/plan', { body: { filter: { type: 'lt', term: 'part', value: 14 } }, headers: A.reader, timeout: 120000 });
  const s = process.hrtime.bigint();
  const one = await srv.req('POST', '/v1/c/namespaces/ns/tables/big/plan', { body: { filter: { type: 'lt', term: 'part', value: 14 } }, headers: A.reader, timeout: 120000 });
  const oneMs = Number(process.hrtime.bigint() - s) / 1e6;
  await probe(B);	// warm-up
  const f = (v) => v.toFixed(2);
  const ratio = (a, b) => (b > 0 ? (a / b).toFixed(2) : '-');
  const bound = (q, a) => (a <= 2 * q + 5 ? 'yes' : 'NO');
  const PART = { type: 'lt', term: 'part', value: 14 };
  const attacks = [
    ['walks: 28,000 entries, 1 file planned (part < 14 and id < 50)', { type: 'and', left: PART, right: { type: 'lt', term: 'id', value: 50 } }],
    ['large plans: 28,000 files planned and stored (part < 14)', PART],
  ];
  const rows = [];
  const notes = [];
  for (const [name, filter] of attacks) {
    const quiet = await probe(B);
    const x = await attack(A, B, filter);
    rows.push(`| ${name} | health (new connection) | ${f(quiet.h50)} / ${f(quiet.h99)} | ${f(x.h50)} / ${f(x.h99)} | ${ratio(x.h50, quiet.h50)} / ${ratio(x.h99, quiet.h99)} | ${bound(quiet.h50, x.h50)} |`);
    rows.push(`| | B loadTable (kept alive) | ${f(quiet.l50)} / ${f(quiet.l99)} | ${f(x.l50)} / ${f(x.l99)} | ${ratio(x.l50, quiet.l50)} / ${ratio(x.l99, quiet.l99)} | ${bound(quiet.l50, x.l50)} |`);
    notes.push(`- ${name}: ${quiet.n} quiet probes, ${x.n} attacked${x.failed ? ` (${x.failed} failed or timed out)` : ''}; A's plans answered meanwhile: ${Object.entries(x.counts).map(([k, v]) => `${v}× ${k}`).join(', ') || 'none'}`);
  }
  const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const cpus = fs.readFileSync('/proc/cpuinfo', 'utf8').split('\n').filter((l) => l.startsWith('processor')).length;
  const out = [
    `B's probes while tenant A's reader plans scans from ${CLIENTS} clients at once (each asking again as soon as answered), beside the same probes on the quiet server in the same run;`,
    `${PROBES} sequential probes each; ms; health on a new connection each time, B's loadTable kept alive; release build, SQLite, 2 workers, ${cpus} CPUs; load average ${load} at the end`,
    '',
    `- A's table: 40 manifests x 2,000 files = ${big.files} files (written in ${genMs} ms); the plan's filter part < 14 leaves 14 manifests, 28,000 files; one such plan alone, warm: ${oneMs.toFixed(0)} ms (${one.json?.status}, ${one.json?.['plan-tasks']?.length ?? 0} plan tasks)`,
    ...notes,
    '',
    '| A\'s attack | probe | quiet p50 / p99 | attacked p50 / p99 | ratio p50 / p99 | attacked p50 within 2x quiet + 5 ms |',
    '|---|---|---:|---:|---:|---|',
    ...rows,
  ].join('\n');
  console.log(out);
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, out + '\n');
  await srv.stop();
})().catch(async (e) => {
  console.error('scan isolation bench:', e);
  process.exitCode = 1;
  try { await srv?.stop({ keep: true }); } catch { /* ignore */ }
  process.exit(1);
});
