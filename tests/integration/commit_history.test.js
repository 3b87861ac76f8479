// GET /api/v1/branches/{name}/commits pages like every management list
// (pangolin-api.md decision 6): limit/offset or page/page_size, default
// 100, at most 1000 a page, X-Total-Count the length of the whole history,
// so history older than the first 1000 commits can be read.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { checkPaging, expectError, expectJson, expectList, uniq } from './lib/expect.js';
import { CATALOG, simpleSchema, startIcebergServer } from './lib/iceberg.js';

let srv;
before(async () => { srv = await startIcebergServer(); });
after(async () => { await srv?.stop(); });

const history = (qs = '', branch = 'main') =>
  srv.req('GET', `/api/v1/branches/${branch}/commits?catalog=${CATALOG}${qs ? `&${qs}` : ''}`);

/**
 * n commits on main: set-properties commits by `writers` writers at once,
 * each on a table of its own, one commit after another.  (They race only
 * for the branch head, which the server settles; a shared queue of jobs
 * had two writers on one table whenever one ran ahead, and under load a
 * commit could lose its table 16 times in a row: a 409 the test asked for.)
 */
async function addCommits(n, writers = 4) {
  const ns = uniq('ns');
  expectJson(await srv.req('POST', `/v1/${CATALOG}/namespaces`, { body: { namespace: [ns] } }), 200);
  const tables = Array.from({ length: writers }, (_, i) => `t${i}`);
  for (const t of tables)
    expectJson(await srv.req('POST', `/v1/${CATALOG}/namespaces/${ns}/tables`, { body: { name: t, schema: simpleSchema() } }), 200);
  await Promise.all(tables.map(async (t, w) => {
    for (let i = w; i < n - writers; i += writers) {
      const r = await srv.req('POST', `/v1/${CATALOG}/namespaces/${ns}/tables/${t}`,
        { body: { updates: [{ action: 'set-properties', updates: { n: String(i) } }] } });
      assert.equal(r.status, 200, r.text.slice(0, 200));
    }
  }));
}

test('commit history pages: limit/offset, page/page_size, X-Total-Count, bad values 400', async () => {
  await addCommits(8, 2);
  const names = await checkPaging(srv, `/api/v1/branches/main/commits?catalog=${CATALOG}`, { key: (c) => c.id, keyset: true });
  // Newest first: each commit's parent is the next one in the list.
  const all = expectList(await history('limit=1000')).items;
  assert.deepEqual(all.map((c) => c.id), names);
  for (let i = 0; i + 1 < all.length; i++) assert.equal(all[i].parent_id, all[i + 1].id);
  assert.equal(all.at(-1).parent_id, null);
});

test('history past the first 1000 commits is reachable by offset; a page holds at most 1000', async () => {
  const before = expectList(await history('limit=1')).total;
  await addCommits(1010 - before);
  const first = expectList(await history('limit=5000'));
  assert.equal(first.total, 1010);
  assert.equal(first.items.length, 1000, 'a page is clamped to 1000');
  const rest = expectList(await history('offset=1000&limit=1000'));
  assert.equal(rest.total, 1010);
  assert.equal(rest.items.length, 10);
  assert.equal(rest.items[0].id, first.items[999].parent_id, 'page 2 continues where page 1 stopped');
  assert.equal(rest.items.at(-1).parent_id, null, 'the last page ends at the root commit');
  const p = expectList(await history('page=2&page_size=1000'));
  assert.deepEqual(p.items.map((c) => c.id), rest.items.map((c) => c.id));
  assert.equal(expectList(await history()).items.length, 100, 'default page is 100');
});

test('an unknown branch or catalog is 404; a missing catalog argument is 400', async () => {
  expectError(await srv.req('GET', `/api/v1/branches/${uniq('nope')}/commits?catalog=${CATALOG}`), 404);
  expectError(await srv.req('GET', `/api/v1/branches/main/commits?catalog=${uniq('nope')}`), 404);
  expectError(await srv.req('GET', '/api/v1/branches/main/commits'), 400);
});
