// The database restarts under load (PostgreSQL pass only): requests that
// meet the outage fail with 503 JSON and /health/ready reports unready;
// once the database is back the same worker processes recover without a
// restart, and every write that was acknowledged is still there.  The
// test runs its own PostgreSQL server: other files share the pass's.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { after, before, test } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, REPO, request, startServer, STORE, tmpDir } from './lib/server.js';

const skip = STORE !== 'postgres' && 'PostgreSQL pass only';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const script = path.join(REPO, 'tests/servers/postgres.sh');
let pgdir, pgport;
const pg = (cmd) => execFileSync('sh', [script, cmd, pgdir, String(pgport)],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();

let srv;
before(async () => {
  if (skip)
    return;
  const dir = tmpDir('pgl-pgown');
  fs.chmodSync(dir, 0o755);	// the server runs as user postgres
  pgdir = path.join(dir, 'pg');
  pgport = await freePort();
  process.env.PGL_PG_URL = pg('start');
  srv = await startServer({ store: 'postgres' });
});
after(async () => {
  await srv?.stop();
  if (pgdir) {
    pg('stop');
    fs.rmSync(path.dirname(pgdir), { recursive: true, force: true });
  }
});

test('a database restart under load: 503 JSON while down, recovery after, no acknowledged write lost', { skip }, async () => {
  const acked = new Set();
  const statuses = {};
  let stop = false;

  const client = async (id) => {
    const agent = new http.Agent({ keepAlive: true });
    for (let n = 0; !stop; n++) {
      const name = `rs-${id}-${n}`;
      let r;
      try {
        r = await request(srv.port, 'POST', '/api/v1/catalogs', { body: { name }, agent, timeout: 10000 });
      } catch {
        continue;
      }
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.status === 201) acked.add(name);
      else {
        assert.equal(r.status, 503, `unexpected ${r.status}: ${r.text}`);
        assert.equal(typeof r.json?.error, 'string', `503 without a JSON error: ${r.text}`);
        assert.equal(r.headers['retry-after'], '1', `503 without Retry-After: ${r.text}`);
      }
      if (r.status !== 201) await sleep(20);
    }
    agent.destroy();
  };

  const load = Promise.all([0, 1, 2, 3].map(client));
  await sleep(500);
  pg('stop');
  await sleep(800);
  const down = await srv.req('GET', '/health/ready');
  assert.equal(down.status, 503);
  assert.equal(down.json.status, 'unready');
  pg('start');
  // Recovery: the workers reconnect on their next calls.
  const deadline = Date.now() + 10000;
  let up;
  do {
    await sleep(200);
    up = await srv.req('GET', '/health/ready');
  } while (up.status !== 200 && Date.now() < deadline);
  assert.equal(up.status, 200, `still unready: ${up.text}`);
  await sleep(500);
  stop = true;
  await load;

  assert.ok(statuses[503] > 0, `no request met the outage: ${JSON.stringify(statuses)}`);
  assert.ok(acked.size > 0);
  // Every page of the list (more than 1,000 catalogs may have been made).
  const names = new Set();
  for (let offset = 0; ; offset += 1000) {
    const page = await srv.req('GET', `/api/v1/catalogs?limit=1000&offset=${offset}`);
    assert.equal(page.status, 200);
    page.json.forEach((c) => names.add(c.name));
    if (page.json.length < 1000)
      break;
  }
  for (const name of acked)
    assert.ok(names.has(name), `acknowledged catalog ${name} is missing`);
});
