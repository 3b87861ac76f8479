// loadTable on a branch three forks deep beside loadTable on main (issue
// 29), over HTTP against the built binary: `node tests/bench/branch_load.js`
// from the repository root (tests/bench/branch.sh runs it).  The server
// gets a catalog of BRANCH_LOAD_TABLES tables on main and the lineage
// main -> a -> b -> c (forks; a few tables changed on a and b, so c reads
// through every level); then loadTable of every table, on main and on c in
// alternating rounds, one request at a time on one keep-alive connection.
// Prints the median per-request microseconds of each and the ratio.
//
//   PGL_BIN            the binary (default build/release/pangolin)
//   PGL_STORE          sqlite (default) | postgres (PGL_PG_URL) | memory
//   BRANCH_LOAD_TABLES tables on main                       (200)
//   BRANCH_LOAD_ROUNDS rounds, each loading every table once (30)
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
process.env.PGL_BIN ??= path.join(REPO, 'build/release/pangolin');
process.env.PGL_STORE ??= 'sqlite';
const { startIcebergServer, CATALOG } = await import(path.join(REPO, 'tests/integration/lib/iceberg.js'));

const TABLES = Number(process.env.BRANCH_LOAD_TABLES ?? 200);
const ROUNDS = Number(process.env.BRANCH_LOAD_ROUNDS ?? 30);
const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };

const srv = await startIcebergServer({});
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const must = async (m, p, body, want) => {
  const r = await srv.rawReq(m, p, { body });
  if (r.status !== want) throw new Error(`${m} ${p}: ${r.status} ${r.text}`);
  return r;
};

/** One GET on the keep-alive connection, its microseconds. */
function load(p) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.request({ host: '127.0.0.1', port: srv.port, path: p, agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - t0) / 1e3)
        : reject(new Error(`GET ${p}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

const median = (v) => { const s = [...v].sort((x, y) => x - y); return s[s.length >> 1]; };

try {
  await must('POST', `/v1/${CATALOG}/namespaces`, { namespace: ['db'] }, 200);
  for (let i = 0; i < TABLES; i++) await must('POST', `/v1/${CATALOG}/namespaces/db/tables`, { name: `t${i}`, schema }, 200);
  let from = 'main';
  for (const name of ['a', 'b', 'c']) {
    await must('POST', '/api/v1/branches', { name, catalog: CATALOG, from_branch: from }, 201);
    if (name !== 'c') {
      for (let i = 0; i < TABLES; i += 20) {
        await must('POST', `/v1/${CATALOG}/namespaces/db/tables/t${i}@${name}`, { requirements: [],
          updates: [{ action: 'set-properties', updates: { on: name } }] }, 200);
      }
    }
    from = name;
  }
  const times = { main: [], c: [] };
  for (let r = 0; r < ROUNDS + 1; r++) {
    for (const b of r % 2 ? ['c', 'main'] : ['main', 'c']) {
      for (let i = 0; i < TABLES; i++) {
        const us = await load(`/v1/${CATALOG}/namespaces/db/tables/t${i}${b === 'main' ? '' : '@c'}`);
        if (r > 0) times[b].push(us);		// round 0 warms up
      }
    }
  }
  const m = median(times.main), c = median(times.c);
  console.log(`loadTable|${process.env.PGL_STORE}|${TABLES}|${m.toFixed(1)}|${c.toFixed(1)}|${(c / m).toFixed(3)}`);
} finally {
  agent.destroy();
  await srv.stop();
}
