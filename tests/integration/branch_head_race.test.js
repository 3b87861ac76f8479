// Writers of *different* tables of one branch share only its head (every
// create, rename, drop and commit appends a catalog commit there).  On a
// store with snapshot isolation (PostgreSQL) the later of two such
// transactions fails with a serialization error; that is not the client's
// conflict, and the catalog makes the change again.  Runs on every store,
// two workers, so the writers really are in different processes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { expectJson, uniq } from './lib/expect.js';
import { CATALOG, simpleSchema, startIcebergServer } from './lib/iceberg.js';
import { assertNoSanitizerReport } from './lib/server.js';

const P = `/v1/${CATALOG}`;
const CLIENTS = 8;
const ROUNDS = 6;

let srv;
before(async () => { srv = await startIcebergServer({ workers: 2 }); });
after(async () => {
  if (srv) assertNoSanitizerReport(srv.log());
  await srv?.stop();
});

/** Every answer that is not `want`, as "<what>: <status> <text>". */
function odd(rs, want) {
  return rs.filter(([, r]) => r.status !== want).map(([what, r]) => `${what}: ${r.status} ${r.text.slice(0, 200)}`);
}

test(`${CLIENTS} clients creating, renaming and dropping different tables of one namespace: every one succeeds`, async () => {
  const ns = uniq('hr');
  expectJson(await srv.req('POST', `${P}/namespaces`, { body: { namespace: [ns] } }), 200);
  const tables = `${P}/namespaces/${ns}/tables`;
  const answers = { create: [], rename: [], drop: [] };
  await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
    for (let i = 0; i < ROUNDS; i++) {
      const name = `t${c}_${i}`;
      answers.create.push([name, await srv.req('POST', tables, { body: { name, schema: simpleSchema() } })]);
      answers.rename.push([name, await srv.req('POST', `${P}/tables/rename`, {
        body: { source: { namespace: [ns], name }, destination: { namespace: [ns], name: `${name}_r` } },
      })]);
      if (i % 2 === 0) answers.drop.push([name, await srv.req('DELETE', `${tables}/${name}_r`)]);
    }
  }));
  assert.deepEqual(odd(answers.create, 200), [], 'every create answered 200');
  assert.deepEqual(odd(answers.rename, 204), [], 'every rename answered 204');
  assert.deepEqual(odd(answers.drop, 204), [], 'every drop answered 204');

  const listed = expectJson(await srv.req('GET', `${tables}?pageSize=1000`), 200).identifiers.map((i) => i.name).sort();
  const kept = [];
  for (let c = 0; c < CLIENTS; c++) for (let i = 1; i < ROUNDS; i += 2) kept.push(`t${c}_${i}_r`);
  assert.deepEqual(listed, kept.sort(), 'the namespace holds exactly the renamed, undropped tables');

  // Each change is one catalog commit on main, on one chain.
  const commits = expectJson(await srv.req('GET', `/api/v1/branches/main/commits?catalog=${CATALOG}&limit=1000`), 200);
  const mine = commits.filter((c) => String(c.message ?? '').includes(ns));
  assert.equal(mine.length, answers.create.length + answers.rename.length + answers.drop.length,
    'one commit per acknowledged change');
});
