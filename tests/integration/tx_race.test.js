// A store transaction that loses a race with another over the same rows
// (PostgreSQL's serialization failure, SQLSTATE 40001) is the server's to
// run again, and if it keeps losing, a 503 with Retry-After: never an
// answer that tells the client something false ("already exists" for a
// table that does not, a conflict on a drop).  The races are made to
// happen, as many times as a test wants, by a trigger that raises 40001
// on the rows the transaction writes; the last test makes them happen for
// real, clients against each other.  PostgreSQL only.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { STORE, assertNoSanitizerReport } from './lib/server.js';
import { CATALOG, metadataFiles, simpleSchema, startIcebergServer } from './lib/iceberg.js';
import { expectJson, uniq } from './lib/expect.js';
import { ownCopy } from './lib/location.js';

const skip = STORE !== 'postgres' && 'needs PostgreSQL (a trigger raises its serialization failure, SQLSTATE 40001)';
const P = `/v1/${CATALOG}`;
const ALWAYS = 1000000000;
let srv, schema;

const psql = (sql) => execFileSync('psql', [process.env.PGL_PG_URL, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', `SET client_min_messages = warning; ${sql}`], { encoding: 'utf8' });

/**
 * The next `times` writes (op) of rows of `table` fail with SQLSTATE 40001,
 * as the loser of a race between transactions does; the count survives
 * the rollbacks (a sequence).  Returns a function that ends it.
 */
function loseRaces(table, op, times) {
  const name = `lose_${table}_${op}`.toLowerCase();
  psql(`CREATE SEQUENCE IF NOT EXISTS "${schema}".${name}_n;
    ALTER SEQUENCE "${schema}".${name}_n RESTART;
    CREATE OR REPLACE FUNCTION "${schema}".${name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF nextval('"${schema}".${name}_n') <= ${times} THEN
        RAISE EXCEPTION 'could not serialize access due to concurrent update (injected)' USING ERRCODE = '40001';
      END IF;
      RETURN COALESCE(NEW, OLD);
    END $$;
    DROP TRIGGER IF EXISTS ${name} ON "${schema}".${table};
    CREATE TRIGGER ${name} BEFORE ${op} ON "${schema}".${table} FOR EACH ROW EXECUTE FUNCTION "${schema}".${name}();`);
  return () => psql(`DROP TRIGGER IF EXISTS ${name} ON "${schema}".${table}`);
}

/** How many writes the trigger of loseRaces(table, op) has failed or let through. */
const attempts = (table, op) => Number(psql(`SELECT last_value FROM "${schema}".lose_${table}_${op}_n`.toLowerCase()).trim());

async function metric(name) {
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec((await srv.req('GET', '/metrics')).text);
  return m ? Number(m[1]) : NaN;
}

before(async () => {
  if (skip) return;
  srv = await startIcebergServer({ workers: 4 });
  schema = `t_${path.basename(srv.dir).replace(/[^a-z0-9]/gi, '_').toLowerCase()}`;
});
after(async () => {
  if (srv) assertNoSanitizerReport(srv.log());
  await srv?.stop();
});

async function namespace() {
  const ns = uniq('race');
  expectJson(await srv.req('POST', `${P}/namespaces`, { body: { namespace: [ns] } }), 200);
  return ns;
}

/** A table of its own to register copies of: its metadata-location. */
async function source(ns) {
  return expectJson(await srv.req('POST', `${P}/namespaces/${ns}/tables`, { body: { name: 'src', schema: simpleSchema() } }), 200)['metadata-location'];
}

/** A copy of loc for table name of ns, at a place of its own (every
 * table owns its files, issue 67). */
const copyFor = (loc, ns, name) => ownCopy(loc, path.join(srv.catalogRoot, ns, name));

function assertRetryLater(r, what) {
  assert.equal(r.status, 503, `${what}: ${r.text}`);
  assert.equal(r.json.error.type, 'ServiceUnavailableException', `${what}: ${r.text}`);
  assert.match(r.headers['retry-after'] ?? '', /^\d+$/, `${what}: Retry-After`);
}

test('a register whose transaction loses a race with another is made again by the server: 200, one table', { skip }, async () => {
  const ns = await namespace();
  const loc = await source(ns);
  const retries = await metric('pangolin_store_tx_retries_total');
  const stop = loseRaces('commits', 'INSERT', 3);
  try {
    const copy = copyFor(loc, ns, 'copy');
    const r = expectJson(await srv.req('POST', `${P}/namespaces/${ns}/register`, { body: { name: 'copy', 'metadata-location': copy } }), 200);
    assert.equal(r['metadata-location'], copy);
    assert.equal(attempts('commits', 'INSERT'), 4, 'three lost runs, the fourth landed');
  } finally { stop(); }
  assert.ok(await metric('pangolin_store_tx_retries_total') >= retries + 3, 'each lost run counted as retried');
  const names = expectJson(await srv.req('GET', `${P}/namespaces/${ns}/tables`), 200).identifiers.map((i) => i.name).sort();
  assert.deepEqual(names, ['copy', 'src']);
});

test('a register that loses every race answers 503 with Retry-After, never AlreadyExists, and the name stays free', { skip }, async () => {
  const ns = await namespace();
  const loc = copyFor(await source(ns), ns, 'copy');
  const gaveUp = await metric('pangolin_store_tx_gave_up_total');
  const stop = loseRaces('commits', 'INSERT', ALWAYS);
  let r;
  try {
    r = await srv.req('POST', `${P}/namespaces/${ns}/register`, { body: { name: 'copy', 'metadata-location': loc } });
  } finally { stop(); }
  assertRetryLater(r, 'register');
  assert.equal(await metric('pangolin_store_tx_gave_up_total'), gaveUp + 1);
  expectJson(await srv.req('GET', `${P}/namespaces/${ns}/tables/copy`), 404);
  expectJson(await srv.req('POST', `${P}/namespaces/${ns}/register`, { body: { name: 'copy', 'metadata-location': loc } }), 200);
});

test('a create that loses every race answers 503, not AlreadyExists, and leaves no metadata file behind', { skip }, async () => {
  const ns = await namespace();
  const location = `file://${path.join(srv.catalogRoot, ns, 'made')}`;
  const stop = loseRaces('commits', 'INSERT', ALWAYS);
  let r;
  try {
    r = await srv.req('POST', `${P}/namespaces/${ns}/tables`, { body: { name: 'made', schema: simpleSchema(), location } });
  } finally { stop(); }
  assertRetryLater(r, 'create');
  assert.deepEqual(metadataFiles(location), [], 'the file written for it is gone');
  expectJson(await srv.req('POST', `${P}/namespaces/${ns}/tables`, { body: { name: 'made', schema: simpleSchema(), location } }), 200);
});

test('a drop that loses every race answers 503, not a conflict, and the table stays', { skip }, async () => {
  const ns = await namespace();
  await source(ns);
  const stop = loseRaces('commits', 'INSERT', ALWAYS);
  let r;
  try {
    r = await srv.req('DELETE', `${P}/namespaces/${ns}/tables/src`);
  } finally { stop(); }
  assertRetryLater(r, 'drop');
  expectJson(await srv.req('GET', `${P}/namespaces/${ns}/tables/src`), 200);
  assert.equal((await srv.req('DELETE', `${P}/namespaces/${ns}/tables/src`)).status, 204);
});

test('a commit that loses races lands once they stop; one that loses them all is 409 CommitFailed and changes nothing', { skip }, async () => {
  const ns = await namespace();
  const base = await source(ns);
  const T = `${P}/namespaces/${ns}/tables/src`;
  const commit = (v) => srv.req('POST', T, { body: { requirements: [], updates: [{ action: 'set-properties', updates: { v } }] } });
  let stop = loseRaces('commits', 'INSERT', 3);
  let landed;
  try {
    landed = expectJson(await commit('a'), 200);
  } finally { stop(); }
  assert.equal(landed.metadata.properties.v, 'a');
  // Nothing landed, and the client's own retry is what it needs: the
  // truth for a commit (a 5xx would read as "state unknown").
  stop = loseRaces('commits', 'INSERT', ALWAYS);
  let r;
  try {
    r = await commit('b');
  } finally { stop(); }
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error.type, 'CommitFailedException');
  const now = expectJson(await srv.req('GET', T), 200);
  assert.equal(now['metadata-location'], landed['metadata-location']);
  assert.notEqual(now['metadata-location'], base);
  assert.equal(metadataFiles(now.metadata.location).length, 2, 'no file of the lost attempts is left');
});

test('a management change whose transaction loses races is made again: the tag exists once; losing them all is 503', { skip }, async () => {
  const main = expectJson(await srv.req('GET', `/api/v1/branches/main?catalog=${CATALOG}`), 200);
  const tag = (name) => srv.req('POST', '/api/v1/tags', { body: { name, catalog: CATALOG, commit_id: main.head_commit_id } });
  let stop = loseRaces('tags', 'INSERT', 2);
  try {
    expectJson(await tag('v1'), 200);
  } finally { stop(); }
  stop = loseRaces('tags', 'INSERT', ALWAYS);
  let r;
  try {
    r = await tag('v2');
  } finally { stop(); }
  assert.equal(r.status, 503, r.text);
  assert.match(r.headers['retry-after'] ?? '', /^\d+$/);
  const names = expectJson(await srv.req('GET', `/api/v1/tags?catalog=${CATALOG}`), 200).map((t) => t.name).sort();
  assert.deepEqual(names, ['v1']);
});

test('8 clients registering into one namespace at once: no answer says AlreadyExists, every 503 says when to retry, the namespace holds exactly the tables answered 200', { skip }, async () => {
  const ns = await namespace();
  const loc = await source(ns);
  const answers = [];
  await Promise.all(Array.from({ length: 8 }, async (_, c) => {
    for (let i = 0; i < 40; i++) {
      const name = `r${c}_${i}`;
      answers.push([name, await srv.req('POST', `${P}/namespaces/${ns}/register`, { body: { name, 'metadata-location': copyFor(loc, ns, name) } })]);
    }
  }));
  const odd = answers.filter(([, r]) => r.status !== 200 && !(r.status === 503 && /^\d+$/.test(r.headers['retry-after'] ?? '')))
    .map(([name, r]) => `${name}: ${r.status} ${r.text.slice(0, 200)}`);
  assert.deepEqual(odd, [], 'every answer is 200, or 503 with Retry-After');
  const ok = answers.filter(([, r]) => r.status === 200).map(([name]) => name);
  const listed = expectJson(await srv.req('GET', `${P}/namespaces/${ns}/tables?pageSize=1000`), 200).identifiers.map((i) => i.name);
  assert.deepEqual(listed.filter((n) => n !== 'src').sort(), ok.sort());
});

// A tenant's writers take turns before their snapshot (store ABI 1.22,
// begin_tenant): each commit of a table also moves the branch's head, so
// two transactions of different tables that overlapped failed the later
// one (40001) and the server ran it again: half the commits of a storm
// on two workers did (docs/benchmarks.md).  Begun in turn, the later one
// sees the earlier one's head, and no transaction runs twice.
test('commits of 32 tables of one branch on four workers at once: all land, none runs its transaction twice', { skip }, async () => {
  const ns = await namespace();
  const tables = [];
  for (let i = 0; i < 32; i++) {
    expectJson(await srv.req('POST', `${P}/namespaces/${ns}/tables`, { body: { name: `t${i}`, schema: simpleSchema() } }), 200);
    tables.push(`${P}/namespaces/${ns}/tables/t${i}`);
  }
  const counter = async (name) => Number(new RegExp(`^pangolin_${name}_total (\\d+)$`, 'm').exec((await srv.req('GET', '/metrics')).text)?.[1]);
  const [commits0, tx0] = [await counter('commit_retries'), await counter('store_tx_retries')];
  assert.ok(Number.isFinite(commits0) && Number.isFinite(tx0), 'both counters are exported');
  await Promise.all(tables.map(async (t) => {
    for (let k = 0; k < 8; k++) {
      const r = await srv.req('POST', t, { body: { updates: [{ action: 'set-properties', updates: { [`k${k}`]: String(k) } }] } });
      assert.equal(r.status, 200, r.text);
    }
  }));
  for (const t of tables) {
    const props = expectJson(await srv.req('GET', t), 200).metadata.properties;
    for (let k = 0; k < 8; k++) assert.equal(props[`k${k}`], String(k), `${t} holds commit ${k}`);
  }
  assert.equal(await counter('commit_retries') - commits0, 0, 'no commit ran its swap transaction again');
  assert.equal(await counter('store_tx_retries') - tx0, 0, 'no store transaction lost a race');
});
