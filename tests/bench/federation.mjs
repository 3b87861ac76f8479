// Federation isolation bench (issue 42): `node tests/bench/federation.mjs
// OUT.md` from the repository root after `make all`; tests/bench/
// federation.sh calls it.
//
// One server (SQLite, 1 worker so both tenants share its pool and gates,
// authentication on) and one remote catalog, a small node server that
// tells its callers apart by the catalog's bearer token.  Tenants A and B
// each have a federated catalog on that same remote origin.  B's latency
// (list namespaces through its catalog, sequential probes) is measured
// three times in this run:
//
//   quiet      A does nothing
//   A slow     A's remote calls take FED_SLOW_MS each; A keeps
//              FED_A_CLIENTS calls going (more than its slots)
//   A failing  A's remote calls answer 503 at once, so A's breaker opens;
//              A keeps calling
//
// and the table prints B's p50, p90 and p99, how many probes were made
// (fewer than FED_PROBES: FED_PROBE_SECS ran out, B was kept waiting) and
// how many did not answer 200.  Before issue 42 the breaker and the slots were
// per remote origin: "A failing" made B's probes 503 for the cooldown,
// and "A slow" put B's calls behind A's in the same four slots.
//
//   FED_PROBES FED_PROBE_SECS FED_SLOW_MS FED_A_CLIENTS;
//   PGL_BIN (default build/release/pangolin)
import fs from 'node:fs';
import http from 'node:http';
import { startServer, basic } from '../integration/lib/server.js';

const OUT = process.argv[2] ?? 'build/bench/federation-results.md';
const PROBES = Number(process.env.FED_PROBES ?? 300);
const SLOW_MS = Number(process.env.FED_SLOW_MS ?? 2000);
const A_CLIENTS = Number(process.env.FED_A_CLIENTS ?? 24);
const PROBE_SECS = Number(process.env.FED_PROBE_SECS ?? 30);
const PW = 'Bench-Passw0rd-Long';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The remote: mode per token (ok, slow, fail); answers a list of one namespace. */
function remote() {
  const mode = new Map();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      const send = (status, o) => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(o));
      };
      if (req.url.startsWith('/v1/config')) return send(200, { defaults: {}, overrides: { prefix: 'p' } });
      const m = mode.get(token) ?? 'ok';
      if (m === 'fail') return send(503, { error: { message: 'overloaded', type: 'ServiceUnavailableException', code: 503 } });
      if (m === 'slow') return setTimeout(() => send(200, { namespaces: [['n']] }), SLOW_MS);
      return send(200, { namespaces: [['n']] });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    mode, origin: `http://127.0.0.1:${server.address().port}`,
    close: () => { server.closeAllConnections(); server.close(); },
  })));
}

let srv;
const ok = async (method, p, body, headers = { authorization: basic() }) => {
  const r = await srv.req(method, p, { body, headers });
  if (![200, 201, 204].includes(r.status)) throw new Error(`${method} ${p}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
};

/** A tenant, its admin's headers, and its federated catalog "fed" on origin. */
async function tenant(name, origin, token) {
  const id = (await ok('POST', '/api/v1/tenants', { name })).id;
  await ok('POST', '/api/v1/users', { username: `${name}-admin`, password: PW, tenant_id: id, role: 'tenant-admin' });
  const tok = (await ok('POST', '/api/v1/users/login', { username: `${name}-admin`, password: PW, 'tenant-id': id })).token;
  const h = { authorization: `Bearer ${tok}` };
  await ok('POST', '/api/v1/federated-catalogs', { name: 'fed', config: { properties: { uri: origin, token } } }, h);
  return { h };
}

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
}

/** B's probes, one after another: PROBES, or as many as PROBE_SECS allows. */
async function probe(B) {
  const ms = [];
  const until = Date.now() + PROBE_SECS * 1000;
  let failed = 0;
  for (let i = 0; i < PROBES && Date.now() < until; i++) {
    const t = process.hrtime.bigint();
    const r = await srv.req('GET', '/v1/fed/namespaces', { headers: B.h, timeout: 60000 }).catch(() => ({ status: 0 }));
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 200) failed++;
  }
  return { n: ms.length, failed, p50: pct(ms, 50), p90: pct(ms, 90), p99: pct(ms, 99) };
}

/** A keeps A_CLIENTS calls going until stop(); what they were answered. */
function keepCalling(A) {
  let stop = false;
  const codes = {};
  const loops = Array.from({ length: A_CLIENTS }, async () => {
    while (!stop) {
      const r = await srv.req('GET', '/v1/fed/namespaces', { headers: A.h, agent: false, timeout: 120000 }).catch(() => ({ status: 'err' }));
      codes[r.status] = (codes[r.status] ?? 0) + 1;
      // A 503 comes at once: a client that retries, not a flood.
      if (r.status !== 200) await sleep(100);
    }
  });
  return async () => { stop = true; await Promise.all(loops); return codes; };
}

const rem = await remote();
srv = await startServer({
  root: true, noAuth: false, workers: 1, store: 'sqlite',
  allowEndpoints: [rem.origin],
  env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_FEDERATION_TIMEOUT_MS: String(SLOW_MS * 4) },
});
const rows = [];
try {
  const A = await tenant('fed-a', rem.origin, 'token-a');
  const B = await tenant('fed-b', rem.origin, 'token-b');
  await probe(B);	// warm: B's config kept, its connection open
  rows.push(['quiet', await probe(B), '']);

  rem.mode.set('token-a', 'slow');
  let end = keepCalling(A);
  await sleep(SLOW_MS / 2);
  const slow = await probe(B);
  let codes = await end();
  rows.push([`A slow (${A_CLIENTS} calls at a time, ${SLOW_MS} ms each)`, slow, JSON.stringify(codes)]);

  rem.mode.set('token-a', 'fail');
  end = keepCalling(A);
  await sleep(200);
  const failing = await probe(B);
  codes = await end();
  rows.push([`A failing (503 at once; ${A_CLIENTS} clients retrying)`, failing, JSON.stringify(codes)]);
} finally {
  await srv.stop();
  rem.close();
}

const f = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const lines = [
  '# Federation: one tenant\'s remote calls beside another\'s (issue 42)',
  '',
  `${process.env.PGL_BIN ?? 'build/release/pangolin'}, SQLite, 1 worker, write pool 16, federation defaults; tenants A and B each with a federated catalog on the same remote origin.`,
  `B: up to ${PROBES} sequential list-namespaces calls through its catalog, for at most ${PROBE_SECS} s.`,
  '',
  '| A does | B probes | B not 200 | B p50 ms | B p90 ms | B p99 ms | A\'s answers |',
  '|---|---:|---:|---:|---:|---:|---|',
  ...rows.map(([what, r, codes]) => `| ${what} | ${r.n} | ${r.failed} | ${f(r.p50)} | ${f(r.p90)} | ${f(r.p99)} | ${codes} |`),
];
fs.writeFileSync(OUT, `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
