// The search bench over HTTP (tests/bench/search.sh): each query of
// search_bench's seed (stdin: "label<TAB>text<TAB>tags", one a line) as
// GET /api/v1/assets/search on a no-auth server, one untimed warm-up,
// then RUNS timed requests one after another on one keep-alive
// connection; prints "label|hits|median ms|p90 ms" per query, and the
// same for /api/v1/search/assets of the first word.
//
//	node search_http.js <url> <runs> < queries
import http from 'node:http';
import fs from 'node:fs';

const [url, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 9);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function get(path) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    http.get(`${url}${path}`, { agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (res.statusCode !== 200) reject(new Error(`${path}: ${res.statusCode} ${Buffer.concat(chunks)}`));
        else resolve({ ms, total: res.headers['x-total-count'] ?? JSON.parse(Buffer.concat(chunks)).total });
      });
    }).on('error', reject);
  });
}

async function time(label, path) {
  const first = await get(path);
  const ms = [];
  for (let i = 0; i < runs; i++) ms.push((await get(path)).ms);
  ms.sort((a, b) => a - b);
  console.log(`${label}|${first.total}|${ms[Math.floor(runs / 2)].toFixed(2)}|${ms[Math.min(runs - 1, Math.floor(runs * 0.9))].toFixed(2)}`);
}

const lines = fs.readFileSync(0, 'utf8').split('\n').filter(Boolean);
for (const line of lines) {
  const [label, text, tags] = line.split('\t');
  const words = [text, ...(tags ? JSON.parse(tags).map((t) => `#${t}`) : [])].filter(Boolean).join(' ');
  await time(label, `/api/v1/assets/search?query=${encodeURIComponent(words)}`);
}
const common = lines.find((l) => l.startsWith('common word'))?.split('\t')[1];
if (common) await time('common word (/search/assets)', `/api/v1/search/assets?q=${encodeURIComponent(common)}`);
agent.destroy();
