// A data policy binds to its table (issue 67, Deliver 5): one created
// while its table is renamed either follows the table to its new name or
// is refused, never kept under the old name protecting nothing (issue 67
// saw 5 of 8 rounds on PostgreSQL and 1 of 6 on MongoDB answer 201 and
// leave the renamed table unrestricted, effective-restrictions {}).
//
// On PostgreSQL the two interleavings that lost the policy are made to
// happen every time: a trigger holds the policy's INSERT (or the rename's
// UPDATE of the table row) on an advisory lock the test holds, the other
// request runs to its end meanwhile, and the lock is let go.  On every
// store, rounds of the two at once on two workers must each end one of
// the two right ways.  The MongoDB test server has no transactions: there
// the rename writes the table row before it reads the policies and the
// create writes the policy before it swaps the row, so one of them always
// sees the other (policy_table.c); what it cannot show is the
// transactional path (a lost race run again), which PostgreSQL shows.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { uniq } from './lib/expect.js';
import { STORE } from './lib/server.js';
import { grant, okFor, startAuthServer, tenantUser, tenantWithAdmin } from './lib/governance.js';

const SCHEMA = {
  type: 'struct', 'schema-id': 0, fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'email', required: false, type: 'string' },
  ],
};
const MASKED = [{ 'field-id': 2, action: 'mask-alphanum' }];

let srv, ok, A, cat, ns, user, role;

before(async () => {
  srv = await startAuthServer({ workers: 2 });
  ok = okFor(srv);
  A = await tenantWithAdmin(srv, 'pid');
  const wh = uniq('wh');
  await ok('POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 'local', root: path.join(srv.tenantDir(A.id), wh) } }, A.admin);
  cat = uniq('cat');
  const c = await ok('POST', '/api/v1/catalogs', { name: cat, warehouse_name: wh }, A.admin);
  ns = 'crm';
  await ok('POST', `/v1/${cat}/namespaces`, { namespace: [ns] }, A.admin);
  user = await tenantUser(srv, A, 'masked');
  await grant(srv, A, user, { type: 'catalog', catalog_id: c.id }, ['read']);
  role = uniq('masked');
  const rid = (await ok('POST', '/api/v1/roles', { name: role }, A.admin)).id;
  await ok('POST', `/api/v1/users/${user.id}/roles`, { 'role-id': rid }, A.admin);
});
after(async () => { await srv?.stop(); });

const fresh = async () => {
  const name = uniq('t');
  await ok('POST', `/v1/${cat}/namespaces/${ns}/tables`, { name, schema: SCHEMA }, A.admin);
  return name;
};
const createPolicy = (table, name = uniq('mask')) => srv.req('POST', '/api/v1/policies', {
  body: { name, catalog: cat, namespace: [ns], table, column: 'email', action: 'mask-alphanum', applies_to: { roles: [role] } },
  headers: A.admin, agent: false,
});
const rename = (from, to) => srv.req('POST', `/v1/${cat}/tables/rename`, {
  body: { source: { namespace: [ns], name: from }, destination: { namespace: [ns], name: to } }, headers: A.admin, agent: false,
});

/**
 * The policy create (p) and the rename (mv) of table `from` to `to`
 * ended one of the two right ways: the policy protects the table where
 * it is now, or the create was refused and kept nothing.
 */
async function heldOrRefused(from, to, p, mv, policyName) {
  assert.ok([204, 409, 503].includes(mv.status), `rename: ${mv.status} ${mv.text}`);
  const where = mv.status === 204 ? to : from;
  const listed = (await ok('GET', `/api/v1/policies?catalog=${cat}&limit=1000`, undefined, A.admin)).filter((x) => x.name === policyName);
  if (p.status !== 201) {
    // 409: the row moved under it; 422: no table of the name when run
    // again; 503: a race lost more often than the server runs one again.
    assert.ok([409, 422, 503].includes(p.status), `policy: ${p.status} ${p.text}`);
    assert.deepEqual(listed, [], 'a refused policy keeps nothing');
    return 'refused';
  }
  assert.equal(listed.length, 1);
  assert.equal(listed[0].table, where, `the policy names the table where it is (${where}), not ${listed[0].table}`);
  const er = await ok('GET', `/api/v1/catalogs/${cat}/namespaces/${ns}/tables/${where}/effective-restrictions?user=${user.id}`, undefined, A.admin);
  assert.deepEqual(er['read-restrictions']['required-column-projections'], MASKED);
  const l = await srv.req('GET', `/v1/${cat}/namespaces/${ns}/tables/${where}`, { headers: user.headers });
  assert.equal(l.status, 200, l.text);
  assert.deepEqual(l.json['read-restrictions']['required-column-projections'], MASKED, 'the renamed table loads restricted');
  return 'held';
}

test('rounds of a policy create and a rename of its table at once, on two workers: each ends held by the table under its new name, or refused', async () => {
  const ends = { held: 0, refused: 0 };
  for (let i = 0; i < 12; i++) {
    const from = await fresh();
    const to = `${from}_moved`;
    const name = uniq('race');
    const [p, mv] = await Promise.all([createPolicy(from, name), rename(from, to)]);
    ends[await heldOrRefused(from, to, p, mv, name)]++;
  }
  assert.equal(ends.held + ends.refused, 12, JSON.stringify(ends));
});

describe('PostgreSQL: the interleavings that lost the policy, made to happen', { skip: STORE !== 'postgres' && 'needs PostgreSQL (triggers hold one request inside its transaction)' }, () => {
  let schema;
  const psql = (sql) => execFileSync('psql', [process.env.PGL_PG_URL, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', `SET client_min_messages = warning; ${sql}`], { encoding: 'utf8' }).trim();
  before(() => { schema = `t_${path.basename(srv.dir).replace(/[^a-z0-9]/gi, '_').toLowerCase()}`; });

  /** A psql session holding advisory lock key until release(). */
  async function holdLock(key) {
    const p = spawn('psql', [process.env.PGL_PG_URL, '-qAt'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stdin.write(`SELECT 'held' FROM pg_advisory_lock(${key});\n`);
    await until(() => out.includes('held'), 'the test holds its lock');
    return {
      release: () => new Promise((res) => { p.on('exit', res); p.stdin.end(`SELECT pg_advisory_unlock(${key});\n`); }),
    };
  }
  async function until(cond, what) {
    const deadline = Date.now() + 30000;
    while (!(await cond())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
      await new Promise((res) => setTimeout(res, 10));
    }
  }
  /** The backend waiting on advisory lock key, or null. */
  const waiter = (key) => psql(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = 0 AND objid = ${key} AND objsubid = 1`) || null;
  /** A trigger on table (op, when) that waits for the test's lock. */
  function trap(table, op, when, key) {
    const fn = `"${schema}".trap_${key}`;
    psql(`CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_advisory_xact_lock(${key}); RETURN NEW; END $$;
      CREATE TRIGGER trap_${key} BEFORE ${op} ON "${schema}".${table} FOR EACH ROW ${when} EXECUTE FUNCTION ${fn}();`);
    return () => psql(`DROP TRIGGER IF EXISTS trap_${key} ON "${schema}".${table}`);
  }
  const key = () => 67000000 + Math.floor(Math.random() * 1000000);

  test('the policy written after the rename began and committed before it read the policies: refused (the rename moved the row the policy holds)', async () => {
    const from = await fresh();
    const to = `${from}_moved`;
    const k = key();
    const lock = await holdLock(k);
    const untrap = trap('policies', 'INSERT', '', k);
    const name = uniq('held');
    let p;
    try {
      const pending = createPolicy(from, name);
      // The create has read the table and waits inside its INSERT.
      await until(() => waiter(k) !== null, 'the policy INSERT waits');
      const mv = await rename(from, to);
      assert.equal(mv.status, 204, mv.text);
      await lock.release();
      p = await pending;
      assert.equal(await heldOrRefused(from, to, p, mv, name), 'refused');
    } finally {
      untrap();
    }
  });

  test('the rename holding the table row while the policy is written: the policy is refused, never left on the old name', async () => {
    const from = await fresh();
    const to = `${from}_moved`;
    const k = key();
    const lock = await holdLock(k);
    const untrap = trap('assets', 'UPDATE', 'WHEN (OLD.name IS DISTINCT FROM NEW.name)', k);
    const name = uniq('held');
    try {
      const pendingMv = rename(from, to);
      await until(() => waiter(k) !== null, 'the rename waits holding the row');
      const renamer = waiter(k);
      let settled = false;
      const pending = createPolicy(from, name).then((r) => { settled = true; return r; });
      // The create runs until the rename's transaction stops it.
      await until(() => settled || psql(`SELECT count(*) FROM pg_stat_activity WHERE ${renamer} = ANY(pg_blocking_pids(pid)) AND pid <> ${renamer}`) !== '0', 'the create waits on the rename');
      await lock.release();
      const [p, mv] = await Promise.all([pending, pendingMv]);
      assert.equal(mv.status, 204, mv.text);
      assert.equal(await heldOrRefused(from, to, p, mv, name), 'refused');
    } finally {
      untrap();
    }
  });
});
