// Register storm (issue 42): `node tests/bench/tx_race.mjs BASE_URL COUNT
// CLIENTS` against a server seeded by `seed.js iceberg` (catalog "bench",
// namespace "b", table "t1"); tests/bench/tx_race.sh runs it.
//
// CLIENTS clients, each on a connection of its own, register COUNT tables
// in all into one namespace, copies of t1 under fresh names, as fast as
// the server answers.  Every register writes the namespace's branch head,
// so on PostgreSQL the transactions race for that row.  Prints one JSON
// line: the answers by status and Iceberg error type, registers per
// second, p50/p99/max latency in ms, and the server's counters of store
// transactions run again and given up.
import http from 'node:http';

const [base, countArg, clientsArg] = process.argv.slice(2);
const COUNT = Number(countArg ?? 21000);
const CLIENTS = Number(clientsArg ?? 4);
const T = '/v1/bench/namespaces/b';

function request(agent, method, path, body) {
  return new Promise((resolve, reject) => {
    const u = new URL(path, base);
    const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
    const req = http.request({
      agent, method, host: u.hostname, port: u.port, path: u.pathname + u.search,
      headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {},
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

const counter = (text, name) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);

async function main() {
  const admin = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const src = await request(admin, 'GET', `${T}/tables/t1`);
  if (src.status !== 200) throw new Error(`load t1: ${src.status} ${src.text.slice(0, 200)}`);
  const loc = JSON.parse(src.text)['metadata-location'];
  const before = (await request(admin, 'GET', '/metrics')).text;
  const answers = {};
  const lat = [];
  let next = 0;
  const run = `${process.pid}_${Date.now()}`;
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = next++; i < COUNT; i = next++) {
      const s = process.hrtime.bigint();
      const r = await request(agent, 'POST', `${T}/register`, { name: `r${run}_${i}`, 'metadata-location': loc });
      lat.push(Number(process.hrtime.bigint() - s) / 1e6);
      let key = String(r.status);
      if (r.status !== 200) {
        try { key += ` ${JSON.parse(r.text).error.type}`; } catch { /* not JSON */ }
        if (r.status === 503 && !/^\d+$/.test(r.headers['retry-after'] ?? '')) key += ' (no Retry-After)';
      }
      answers[key] = (answers[key] ?? 0) + 1;
    }
    agent.destroy();
  }));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const after = (await request(admin, 'GET', '/metrics')).text;
  admin.destroy();
  lat.sort((a, b) => a - b);
  const at = (q) => lat[Math.min(lat.length - 1, Math.floor(lat.length * q))];
  const delta = (name) => counter(after, name) - counter(before, name);
  console.log(JSON.stringify({
    registers: lat.length, clients: CLIENTS, answers,
    per_sec: Math.round(lat.length / secs),
    p50_ms: +at(0.5).toFixed(1), p99_ms: +at(0.99).toFixed(1), max_ms: +lat[lat.length - 1].toFixed(1),
    tx_retries: delta('pangolin_store_tx_retries_total'),
    tx_gave_up: delta('pangolin_store_tx_gave_up_total'),
  }));
}

main().catch((e) => { console.error(`tx_race: ${e.message}`); process.exit(1); });
