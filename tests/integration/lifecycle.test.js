// Shutdown under load: SIGTERM while clients are writing must end the
// process cleanly (exit 0, within 5 s) and leave a consistent SQLite file
// holding everything the server acknowledged.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { NIL_UUID, request, startServer, STORE } from './lib/server.js';
import { expectList } from './lib/expect.js';

const skip = STORE !== 'sqlite' && 'SQLite store only (run with PGL_STORE=sqlite)';

let srv;
before(async () => { if (!skip) srv = await startServer({ store: 'sqlite' }); });
after(async () => { await srv?.stop(); });

const sql = (db, query) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', db, query], { encoding: 'utf8' }).trim();
const rows = (db, query) => { const out = sql(db, query); return out === '' ? [] : out.split('\n'); };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('SIGTERM under write load: exit 0 within 5 s, the database is intact and holds every acknowledged write', { skip }, async (t) => {
  const CLIENTS = 8;
  const LOAD_MS = 1500;
  const catalogs = new Set(); // acknowledged with 201
  const branches = new Set(); // "catalog/branch" acknowledged with 201
  const statuses = {};
  let errors = 0;
  const t0 = Date.now();

  const client = async (id) => {
    const agent = new http.Agent({ keepAlive: true });
    try {
      for (let n = 0; Date.now() - t0 < LOAD_MS; n++) {
        const name = `lc-${id}-${n}`;
        try {
          const c = await request(srv.port, 'POST', '/api/v1/catalogs', { body: { name }, agent, timeout: 5000 });
          statuses[c.status] = (statuses[c.status] ?? 0) + 1;
          if (c.status !== 201) continue;
          catalogs.add(name);
          const b = await request(srv.port, 'POST', '/api/v1/branches', { body: { name: 'dev', catalog: name }, agent, timeout: 5000 });
          statuses[b.status] = (statuses[b.status] ?? 0) + 1;
          if (b.status === 201) branches.add(`${name}/dev`);
        } catch {
          errors++; // the server is going away: refused or reset
          await sleep(10);
        }
      }
    } finally {
      agent.destroy();
    }
  };

  const { dir, dbPath: db } = srv;
  const load = Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
  await sleep(LOAD_MS / 2);
  const acknowledgedBefore = catalogs.size;
  const tStop = Date.now();
  const exit = await srv.stop({ timeout: 5000, keep: true }); // fails the test past 5 s
  const stopMs = Date.now() - tStop;
  await load;
  srv = null;

  assert.ok(acknowledgedBefore > 0, 'the load was running when SIGTERM arrived');
  assert.deepEqual(exit, { code: 0, signal: null }, `exit status after SIGTERM (took ${stopMs} ms)`);
  assert.deepEqual(Object.keys(statuses), ['201'], `every answered request succeeded: ${JSON.stringify(statuses)}`);

  assert.equal(sql(db, 'PRAGMA integrity_check'), 'ok');
  assert.equal(sql(db, 'PRAGMA foreign_key_check'), '', 'no dangling references');

  const stored = new Set(rows(db, `SELECT name FROM catalogs WHERE tenant_id = '${NIL_UUID}'`));
  for (const c of catalogs) assert.ok(stored.has(c), `acknowledged catalog ${c} is in the database`);
  const storedBranches = new Set(rows(db, `SELECT catalog_name || '/' || name FROM branches WHERE tenant_id = '${NIL_UUID}'`));
  for (const b of branches) assert.ok(storedBranches.has(b), `acknowledged branch ${b} is in the database`);

  // Every catalog in the file is whole: created with main, its commit and default in one transaction.
  assert.deepEqual(rows(db, `SELECT c.name FROM catalogs c WHERE c.name LIKE 'lc-%' AND NOT EXISTS
    (SELECT 1 FROM branches b JOIN commits m ON m.id = b.head_commit_id
      WHERE b.tenant_id = c.tenant_id AND b.catalog_name = c.name AND b.name = 'main')`), [], 'every catalog has main at a commit');
  assert.deepEqual(rows(db, `SELECT c.name FROM catalogs c WHERE c.name LIKE 'lc-%' AND NOT EXISTS
    (SELECT 1 FROM namespaces n WHERE n.tenant_id = c.tenant_id AND n.catalog_name = c.name AND n.name = 'default')`), [], 'every catalog has namespace default');

  // A restart on the same file serves exactly what is stored.
  srv = await startServer({ store: 'sqlite', dir });
  const listed = expectList(await srv.req('GET', '/api/v1/catalogs?limit=1000'));
  assert.equal(listed.total, stored.size);
  assert.deepEqual(listed.items.map((c) => c.name).sort(), [...stored].sort().slice(0, 1000));
  t.diagnostic(`${catalogs.size} catalogs and ${branches.size} branches acknowledged, ${stored.size} stored, ${errors} client errors after SIGTERM, exit after ${stopMs} ms`);
});
