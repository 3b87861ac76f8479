// loadTable with vended STS credentials (issue 30), over HTTP against the
// built binary: `node tests/bench/sts_load.js` with a Ceph RGW's KEY=VALUE
// lines in the environment (tests/bench/sts.sh starts one and runs this).
// A catalog of STS_LOAD_TABLES tables on an STS warehouse; one worker, so
// one credential cache.  For each table, in order: a load without
// delegation (its metadata into the cache), then its first load with
// X-Iceberg-Access-Delegation: vended-credentials, cold: one AssumeRole.
// Then STS_LOAD_ROUNDS rounds of every table without delegation and with
// it, warm (the cached credentials), alternating which goes first.  One
// request at a time on one keep-alive connection.  Prints one line per
// mode: median and 90th percentile µs, and the AssumeRole calls made
// (the server's /metrics).  sts.sh puts the raw AssumeRole round trip
// beside them (tests/bench/sts_bench.c).
//
//   PGL_BIN          the binary (default build/release/pangolin)
//   STS_LOAD_TABLES  tables (200)
//   STS_LOAD_ROUNDS  warm rounds (20)
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
process.env.PGL_BIN ??= path.join(REPO, 'build/release/pangolin');
process.env.PGL_STORE ??= 'sqlite';
const { startIcebergServer } = await import(path.join(REPO, 'tests/integration/lib/iceberg.js'));

const TABLES = Number(process.env.STS_LOAD_TABLES ?? 200);
const ROUNDS = Number(process.env.STS_LOAD_ROUNDS ?? 20);
const E = process.env;
for (const k of ['RGW_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'ROLE_ARN', 'BUCKET']) {
  if (!E[k]) throw new Error(`${k} is not set: run tests/bench/sts.sh`);
}
const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };
const CAT = 'stsbench';

const srv = await startIcebergServer({ allowEndpoints: [E.RGW_ENDPOINT], workers: 1 });
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const must = async (m, p, body, want) => {
  const r = await srv.rawReq(m, p, { body });
  if (r.status !== want) throw new Error(`${m} ${p}: ${r.status} ${r.text}`);
  return r;
};

/** One GET on the keep-alive connection, its microseconds. */
function load(p, headers) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.request({ host: '127.0.0.1', port: srv.port, path: p, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const us = Number(process.hrtime.bigint() - t0) / 1e3;
        if (res.statusCode !== 200) return reject(new Error(`GET ${p}: ${res.statusCode} ${Buffer.concat(chunks)}`));
        if (headers && !Buffer.concat(chunks).includes('s3.session-token')) return reject(new Error(`GET ${p}: no credentials`));
        resolve(us);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const pct = (v, q) => { const s = [...v].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(s.length * q))]; };
const calls = async () => Number((await srv.rawReq('GET', '/metrics')).text.match(/^pangolin_sts_assume_role_total (\d+)/m)?.[1] ?? NaN);
const VENDED = { 'x-iceberg-access-delegation': 'vended-credentials' };

try {
  await must('POST', '/api/v1/warehouses', { name: 'stswh', use_sts: true, storage_config: { type: 's3', bucket: E.BUCKET,
    endpoint: E.RGW_ENDPOINT, region: 'us-east-1', access_key_id: E.AWS_ACCESS_KEY_ID,
    secret_access_key: E.AWS_SECRET_ACCESS_KEY, role_arn: E.ROLE_ARN, sts_duration_secs: '3600' } }, 201);
  await must('POST', '/api/v1/catalogs', { name: CAT, warehouse_name: 'stswh' }, 201);
  await must('POST', `/v1/${CAT}/namespaces`, { namespace: ['db'] }, 200);
  for (let i = 0; i < TABLES; i++) await must('POST', `/v1/${CAT}/namespaces/db/tables`, { name: `t${i}`, schema }, 200);
  const url = (i) => `/v1/${CAT}/namespaces/db/tables/t${i}`;
  const t = { none: [], cold: [], warm: [] };
  const before = await calls();
  for (let i = 0; i < TABLES; i++) {
    await load(url(i));
    t.cold.push(await load(url(i), VENDED));
  }
  const cold = await calls() - before;
  for (let r = 0; r < ROUNDS; r++) {
    for (const mode of r % 2 ? ['warm', 'none'] : ['none', 'warm']) {
      for (let i = 0; i < TABLES; i++) t[mode].push(await load(url(i), mode === 'warm' ? VENDED : undefined));
    }
  }
  const warm = await calls() - before - cold;
  const row = (mode, n, made) => console.log(`sts|${mode}|${n}|${pct(t[mode], 0.5).toFixed(1)}|${pct(t[mode], 0.9).toFixed(1)}|${made}`);
  row('none', t.none.length, 0);
  row('warm', t.warm.length, warm);
  row('cold', t.cold.length, cold);
} finally {
  agent.destroy();
  await srv.stop();
}
