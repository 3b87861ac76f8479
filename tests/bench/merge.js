// Merge bench helper (issue 13; node 20, no dependencies):
//
//   node merge.js BASE_URL WAREHOUSE_ROOT N CHANGED RUNS
//
// A local warehouse, catalog "mbench", namespace "b" and N tables t0..;
// then RUNS times: a branch from main, CHANGED set-properties commits on
// it and CHANGED on main (other tables), and the merge, timed; beside it,
// in the same run, the naive per-asset loop a client would run without
// the merge route: loadTable of every table on both branches, one after
// another.  Prints one line per run: "N CHANGED merge_ms naive_ms
// naive_requests", and exits 1 on any unexpected answer.
'use strict';

const http = require('http');

const [, , base, root, nArg, cArg, rArg] = process.argv;
const N = Number(nArg);
const C = Number(cArg);
const RUNS = Number(rArg || 1);
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const url = new URL(base);

function req(method, path, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
    const r = http.request({ host: url.hostname, port: url.port, method, path, agent,
      headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
    });
    r.on('error', reject);
    r.end(data);
  });
}

async function ok(method, path, body, want = [200, 201]) {
  const r = await req(method, path, body);
  if (!want.includes(r.status)) {
    console.error(`${method} ${path}: ${r.status} ${r.text.slice(0, 300)}`);
    process.exit(1);
  }
  return r;
}

async function pool(n, width, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) await fn(next++);
  }));
}

const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };
const props = (t, branch, v) => ok('POST', `/v1/mbench/namespaces/b/tables/${t}${branch === 'main' ? '' : `@${branch}`}`,
  { requirements: [], updates: [{ action: 'set-properties', updates: { v } }] });

(async () => {
  await ok('POST', '/api/v1/warehouses', { name: 'mwh', storage_config: { type: 'local', root } });
  await ok('POST', '/api/v1/catalogs', { name: 'mbench', warehouse_name: 'mwh' });
  await ok('POST', '/v1/mbench/namespaces', { namespace: ['b'] });
  await pool(N, 16, (i) => ok('POST', '/v1/mbench/namespaces/b/tables', { name: `t${i}`, schema }));
  for (let run = 0; run < RUNS; run++) {
    const br = `feat${run}`;
    await ok('POST', '/api/v1/branches', { name: br, catalog: 'mbench', branch_type: 'ingest' });
    const off = (run * 2 * C) % Math.max(1, N - 2 * C);
    await pool(C, 8, (i) => props(`t${off + i}`, br, `${br}`));
    await pool(C, 8, (i) => props(`t${off + C + i}`, 'main', `main${run}`));
    let t0 = process.hrtime.bigint();
    const m = await ok('POST', '/api/v1/branches/merge', { source_branch: br, target_branch: 'main', catalog: 'mbench' }, [200]);
    const mergeMs = Number(process.hrtime.bigint() - t0) / 1e6;
    if (JSON.parse(m.text).status !== 'Completed') process.exit(1);
    t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) {
      await ok('GET', `/v1/mbench/namespaces/b/tables/t${i}@${br}`, undefined, [200]);
      await ok('GET', `/v1/mbench/namespaces/b/tables/t${i}`, undefined, [200]);
    }
    const naiveMs = Number(process.hrtime.bigint() - t0) / 1e6;
    console.log(`${N} ${C} ${mergeMs.toFixed(1)} ${naiveMs.toFixed(1)} ${2 * N}`);
  }
  agent.destroy();
})().catch((e) => { console.error(e); process.exit(1); });
