// Branches of branches (issue 29): a branch made from another sees its
// source's tables as they were when it was made, and nothing any branch
// does later, whichever way the store makes it (a copy of the rows, or a
// copy-on-write fork that reads through its lineage).  These pass with
// the copying store as they must with the forking one: a fork is not
// allowed to behave differently.  Deleting a branch in the middle of a
// lineage, merging back into a parent and lineages deeper than the store
// walks (PGL_BRANCH_MAX_DEPTH, 16) keep every other branch's tables.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startIcebergServer, WAREHOUSE } from './lib/iceberg.js';
import { expectJson, uniq } from './lib/expect.js';

let srv;
before(async () => { srv = await startIcebergServer(); });
after(async () => { await srv?.stop(); });

const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };
const ok = async (method, p, body, status = 200) => expectJson(await srv.req(method, p, { body }), status);

/** A fresh catalog with namespace db and helpers bound to it. */
async function catalog() {
  const cat = uniq('lcat');
  await ok('POST', '/api/v1/catalogs', { name: cat, warehouse_name: WAREHOUSE }, 201);
  await ok('POST', `/v1/${cat}/namespaces`, { namespace: ['db'] });
  const at = (t, b) => (b && b !== 'main' ? `${t}@${b}` : t);
  const c = {
    name: cat,
    table: (t, b, v) => ok('POST', `/v1/${cat}/namespaces/db/tables${b && b !== 'main' ? `?branch=${b}` : ''}`,
      { name: t, schema, properties: { v } }),
    set: (t, b, v) => ok('POST', `/v1/${cat}/namespaces/db/tables/${at(t, b)}`,
      { requirements: [], updates: [{ action: 'set-properties', updates: { v } }] }),
    drop: async (t, b) => assert.equal((await srv.req('DELETE', `/v1/${cat}/namespaces/db/tables/${at(t, b)}`)).status, 204),
    // Ingest branches, so a merge into any of them needs no force.
    branch: (name, from) => ok('POST', '/api/v1/branches',
      { name, catalog: cat, branch_type: 'ingest', from_branch: from }, 201),
    remove: async (b) => assert.equal((await srv.req('DELETE', `/api/v1/branches/${b}?catalog=${cat}`)).status, 204),
    merge: (source, target) => ok('POST', '/api/v1/branches/merge',
      { source_branch: source, target_branch: target, catalog: cat }),
    /** Every table of db on branch b: "name=v" by name, v its property. */
    state: async (b) => {
      const ids = (await ok('GET', `/v1/${cat}/namespaces/${at('db', b)}/tables?pageSize=1000`)).identifiers;
      const out = [];
      for (const { name } of ids.sort((x, y) => (x.name < y.name ? -1 : 1))) {
        const t = await ok('GET', `/v1/${cat}/namespaces/db/tables/${at(name, b)}`);
        out.push(`${name}=${t.metadata.properties.v}`);
      }
      return out.join(' ');
    },
    location: async (t, b) => (await ok('GET', `/v1/${cat}/namespaces/db/tables/${at(t, b)}`))['metadata-location'],
  };
  return c;
}

/*
 * main -> a -> b -> c, with changes at every level before and after each
 * branch is made (the same story as the store suite's lineage).
 */
async function lineage() {
  const c = await catalog();
  for (const t of ['t1', 't2', 't3']) await c.table(t, 'main', 'm0');
  await c.branch('a', 'main');
  await c.set('t1', 'main', 'main1');
  await c.set('t2', 'a', 'a1');
  await c.table('ta', 'a', 'a-ta');
  await c.table('tm', 'a', 'a-tm');
  await c.drop('t3', 'a');

  await c.branch('b', 'a');
  await c.set('t2', 'a', 'a2');
  await c.drop('ta', 'a');
  await c.set('t1', 'b', 'b1');
  await c.drop('ta', 'b');
  await c.table('tb', 'b', 'b-tb');
  await c.table('t3', 'b', 'b-t3');

  await c.branch('c', 'b');
  await c.drop('tb', 'b');
  await c.table('ta', 'b', 'b-ta2');
  await c.set('t3', 'c', 'c-t3');
  return c;
}

const MAIN = 't1=main1 t2=m0 t3=m0';
const A = 't1=m0 t2=a2 tm=a-tm';
const B = 't1=b1 t2=a1 t3=b-t3 ta=b-ta2 tm=a-tm';
const C = 't1=b1 t2=a1 t3=c-t3 tb=b-tb tm=a-tm';

test('a lineage main -> a -> b -> c: each branch sees its source as it was, and only its own changes since', async () => {
  const c = await lineage();
  assert.equal(await c.state('main'), MAIN);
  assert.equal(await c.state('a'), A);
  assert.equal(await c.state('b'), B);
  assert.equal(await c.state('c'), C);
  // A table nobody changed is the same metadata file on every branch.
  const loc = await c.location('tm', 'a');
  assert.equal(await c.location('tm', 'b'), loc);
  assert.equal(await c.location('tm', 'c'), loc);

  // Later changes at each level reach no other branch.
  await c.set('t1', 'main', 'main2');
  await c.set('tm', 'a', 'a-tm2');
  await c.set('t2', 'b', 'b2');
  await c.drop('tm', 'c');
  assert.equal(await c.state('main'), 't1=main2 t2=m0 t3=m0');
  assert.equal(await c.state('a'), 't1=m0 t2=a2 tm=a-tm2');
  assert.equal(await c.state('b'), 't1=b1 t2=b2 t3=b-t3 ta=b-ta2 tm=a-tm');
  assert.equal(await c.state('c'), 't1=b1 t2=a1 t3=c-t3 tb=b-tb');
  // ... and a branch made now sees its source as it is now.
  await c.branch('d', 'c');
  assert.equal(await c.state('d'), 't1=b1 t2=a1 t3=c-t3 tb=b-tb');
});

test('a grandchild keeps what it saw when its parent changed a table after it was made and the grandparent changes it too', async () => {
  const c = await lineage();
  await c.set('tm', 'b', 'b-tm');	// b's change, after c was made
  await c.set('tm', 'a', 'a-tm2');	// a changes the table c sees
  await c.drop('tm', 'a');
  assert.equal(await c.state('c'), C);
  assert.equal(await c.state('b'), 't1=b1 t2=a1 t3=b-t3 ta=b-ta2 tm=b-tm');
});

test('merging a child back into its parent leaves a branch made from the parent before as it was', async () => {
  const c = await lineage();
  await c.branch('b2', 'b');	// made from b before the merge
  await c.set('tm', 'c', 'c-tm');
  const op = await c.merge('c', 'b');
  assert.equal(op.status, 'Completed');
  // c's changes land; b's own since c was made (tb dropped, ta made
  // again) stay.
  assert.equal(await c.state('b'), 't1=b1 t2=a1 t3=c-t3 ta=b-ta2 tm=c-tm');
  assert.equal(await c.state('b2'), B);
  assert.equal(await c.state('c'), 't1=b1 t2=a1 t3=c-t3 tb=b-tb tm=c-tm');
  assert.equal(await c.state('a'), A);
  assert.equal(await c.state('main'), MAIN);
});

test('deleting a branch in the middle of a lineage keeps its children and grandchildren as they were', async () => {
  const c = await lineage();
  await c.branch('a2', 'a');
  await c.drop('t1', 'a2');
  const a2 = await c.state('a2');
  assert.equal(a2, 't2=a2 tm=a-tm');
  await c.set('tm', 'b', 'b-tm');	// c still reads a's tm
  await c.remove('a');
  assert.equal(await c.state('b'), 't1=b1 t2=a1 t3=b-t3 ta=b-ta2 tm=b-tm');
  assert.equal(await c.state('c'), C);
  assert.equal(await c.state('a2'), a2);
  assert.equal(await c.state('main'), MAIN);
  // Nothing of the deleted branch is left to read.
  assert.equal((await srv.req('GET', `/v1/${c.name}/namespaces/db/tables/t2@a`)).status, 404);
  // What main does now reaches none of them; b's changes do not reach c.
  await c.set('t2', 'main', 'main2');
  await c.set('t3', 'main', 'main3');
  await c.set('t2', 'b', 'b2');
  assert.equal(await c.state('c'), C);
  assert.equal(await c.state('a2'), a2);
  // Deleting the next one up too.
  await c.remove('b');
  assert.equal(await c.state('c'), C);
  // The survivors still take commits, each on its own.
  await c.set('t1', 'c', 'c1');
  await c.table('tn', 'c', 'c-new');
  assert.equal(await c.state('c'), 't1=c1 t2=a1 t3=c-t3 tb=b-tb tm=a-tm tn=c-new');
  assert.equal(await c.state('a2'), a2);
});

test('a lineage deeper than the store reads through (17 branches) still sees every level and commits', async () => {
  const c = await catalog();
  await c.table('base', 'main', 'm0');
  let prev = 'main';
  for (let i = 1; i <= 17; i++) {
    const b = `b${i}`;
    await c.branch(b, prev);
    await c.table(`t${String(i).padStart(2, '0')}`, b, b);
    await c.set('base', b, b);
    prev = b;
  }
  const want = ['base=b17', ...Array.from({ length: 17 }, (_, i) => `t${String(i + 1).padStart(2, '0')}=b${i + 1}`)].join(' ');
  assert.equal(await c.state('b17'), want);
  await c.branch('b18', 'b17');
  assert.equal(await c.state('b18'), want);
  await c.set('t01', 'b18', 'deep');
  await c.set('t17', 'b17', 'later');
  assert.equal((await c.state('b18')).split(' ')[1], 't01=deep');
  assert.equal((await c.state('b18')).split(' ').at(-1), 't17=b17');
  assert.equal((await c.state('b17')).split(' ')[1], 't01=b1');
  assert.equal(await c.state('main'), 'base=m0');
});
