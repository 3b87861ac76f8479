// loadTable and commits on an Azure warehouse (issue 44) beside the same on
// an S3 warehouse, in one run, over HTTP against the built binary: `node
// tests/bench/azure_load.mjs` (tests/bench/azure.sh runs it and prints the
// table).  Azure is Azurite (npm azurite, the integration suite's
// node_modules) on loopback, S3 is OpenStack Swift with s3api
// (tests/servers/swift.sh), both through the server's own clients; one
// pangolin (SQLite, AZURE_BENCH_WORKERS workers) holds a catalog on each.
//
// Per round, the two warehouses in alternating order (drift hits both):
//   loadTable     AZURE_BENCH_CONNS clients, each GET loadTable in a loop
//                 over AZURE_BENCH_TABLES tables for AZURE_BENCH_SECS s
//                 (warm: the metadata is cached per worker after a first read)
//   commits       AZURE_BENCH_CONNS clients, each committing set-properties
//                 to a table of its own in a loop (every commit writes one
//                 metadata object to the store and swaps the pointer)
//   commit, 1 conn  one client committing to one table, one at a time
// Then cold loadTable: a second server on the same database (it has read
// no metadata yet) loads each table once, one at a time: per load, one
// read of the metadata object.  Medians over AZURE_BENCH_ROUNDS rounds.
// Prints "row|warehouse|metric|value" lines.
//
//   PGL_BIN  the binary (default build/release/pangolin)
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
process.env.PGL_BIN ??= path.join(REPO, 'build/release/pangolin');
process.env.PGL_STORE ??= 'sqlite';
const lib = (f) => import(path.join(REPO, 'tests/integration/lib', f));
const { startIcebergServer } = await lib('iceberg.js');
const { startServer } = await lib('server.js');
const { startAzurite, ACCOUNT, KEY } = await lib('azurite.js');
const { startSwift, s3 } = await lib('s3.js');

const E = process.env;
const SECS = Number(E.AZURE_BENCH_SECS ?? 3);
const ROUNDS = Number(E.AZURE_BENCH_ROUNDS ?? 5);
const CONNS = Number(E.AZURE_BENCH_CONNS ?? 8);
const TABLES = Number(E.AZURE_BENCH_TABLES ?? 50);
const WORKERS = Number(E.AZURE_BENCH_WORKERS ?? 2);
const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };
const BUCKET = 'pgl-azure-bench';
const CONTAINER = 'pgl-azure-bench';

const pct = (v, q) => { const s = [...v].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(s.length * q))]; };
const median = (v) => pct(v, 0.5);

/** One request on agent: { status, us }; body JSON-encoded. */
function send(port, agent, method, p, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
    const t0 = process.hrtime.bigint();
    const req = http.request({ host: '127.0.0.1', port, method, path: p, agent,
      headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, us: Number(process.hrtime.bigint() - t0) / 1e3, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(payload ?? undefined);
  });
}

/** CONNS clients running step(client, i) in a loop for SECS s: completed ops per second (non-200s fail the bench). */
async function rate(port, step, conns = CONNS) {
  const end = Date.now() + SECS * 1000;
  let done = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: conns }, async (_, c) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; Date.now() < end; i++) {
        const r = await step(agent, c, i);
        if (r.status !== 200) throw new Error(`${r.status} ${r.text.slice(0, 300)}`);
        done++;
      }
    } finally { agent.destroy(); }
  }));
  return done / (Number(process.hrtime.bigint() - t0) / 1e9);
}

let az, swift, srv, cold;
try {
  az = await startAzurite();
  swift = await startSwift();
  if (s3(swift, 'PUT', `/${BUCKET}`).status !== 200) throw new Error('cannot create the S3 bucket');
  await az.createContainer(CONTAINER);
  srv = await startIcebergServer({ allowEndpoints: [az.origin, swift.endpoint], workers: WORKERS });
  const must = async (m, p, body, want) => {
    const r = await srv.rawReq(m, p, { body });
    if (r.status !== want) throw new Error(`${m} ${p}: ${r.status} ${r.text}`);
    return r;
  };
  const whs = {
    azure: { type: 'azure', account_name: ACCOUNT, container: CONTAINER, prefix: 'bench', endpoint: az.endpoint, account_key: KEY },
    s3: { type: 's3', bucket: BUCKET, prefix: 'bench', endpoint: swift.endpoint, region: 'us-east-1',
      access_key_id: 'test:tester', secret_access_key: 'testing' },
  };
  for (const [name, storage_config] of Object.entries(whs)) {
    await must('POST', '/api/v1/warehouses', { name: `${name}wh`, storage_config }, 201);
    await must('POST', '/api/v1/catalogs', { name: `${name}bench`, warehouse_name: `${name}wh` }, 201);
    await must('POST', `/v1/${name}bench/namespaces`, { namespace: ['db'] }, 200);
    for (let i = 0; i < TABLES; i++) await must('POST', `/v1/${name}bench/namespaces/db/tables`, { name: `t${i}`, schema }, 200);
    for (let c = 0; c < CONNS; c++) await must('POST', `/v1/${name}bench/namespaces/db/tables`, { name: `c${c}`, schema }, 200);
  }
  const T = (wh, t) => `/v1/${wh}bench/namespaces/db/tables/${t}`;
  const commit = (wh, t, agent, i) => send(srv.port, agent, 'POST', T(wh, t),
    { requirements: [], updates: [{ action: 'set-properties', updates: { k: `${i}-${Math.random()}` } }] });
  const out = { azure: { load: [], commits: [], commit1: [] }, s3: { load: [], commits: [], commit1: [] } };
  for (let r = 0; r < ROUNDS; r++) {
    for (const wh of r % 2 ? ['s3', 'azure'] : ['azure', 's3']) {
      out[wh].load.push(await rate(srv.port, (agent, c, i) => send(srv.port, agent, 'GET', T(wh, `t${(c * 7 + i) % TABLES}`))));
      out[wh].commits.push(await rate(srv.port, (agent, c, i) => commit(wh, `c${c}`, agent, i)));
      out[wh].commit1.push(await rate(srv.port, (agent, c, i) => commit(wh, 'c0', agent, i), 1));
    }
  }
  // Cold loads: a server that has read nothing yet, one load per table.
  cold = await startServer({ shareWith: srv.dir, allowEndpoints: [az.origin, swift.endpoint], workers: 1 });
  const coldUs = { azure: [], s3: [] };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < TABLES; i++) {
    for (const wh of i % 2 ? ['s3', 'azure'] : ['azure', 's3']) {
      const x = await send(cold.port, agent, 'GET', T(wh, `t${i}`));
      if (x.status !== 200) throw new Error(`cold load: ${x.status} ${x.text.slice(0, 300)}`);
      coldUs[wh].push(x.us);
    }
  }
  agent.destroy();
  for (const wh of ['azure', 's3']) {
    const o = out[wh];
    console.log(`row|${wh}|loadTable/s|${median(o.load).toFixed(0)}|${Math.min(...o.load).toFixed(0)}-${Math.max(...o.load).toFixed(0)}`);
    console.log(`row|${wh}|commits/s (${CONNS} tables, ${CONNS} conns)|${median(o.commits).toFixed(0)}|${Math.min(...o.commits).toFixed(0)}-${Math.max(...o.commits).toFixed(0)}`);
    console.log(`row|${wh}|commits/s (1 table, 1 conn)|${median(o.commit1).toFixed(0)}|${Math.min(...o.commit1).toFixed(0)}-${Math.max(...o.commit1).toFixed(0)}`);
    console.log(`row|${wh}|cold loadTable p50 ms|${(pct(coldUs[wh], 0.5) / 1000).toFixed(2)}|p90 ${(pct(coldUs[wh], 0.9) / 1000).toFixed(2)}`);
  }
} finally {
  await cold?.stop().catch(() => {});
  await srv?.stop().catch(() => {});
  await az?.destroy().catch(() => {});
  swift?.destroy();
}
