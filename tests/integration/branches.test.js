// Branches and commit history (pangolin-api.md §2.5, §4).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { basic, NIL_UUID, startServer, STORE } from './lib/server.js';
import { checkPaging, expectError, expectJson, expectList, uniq } from './lib/expect.js';

let srv;
before(async () => { srv = await startServer({ root: true }); });
after(async () => { await srv?.stop(); });

const get = (p) => srv.req('GET', p);
const branch = (body) => srv.req('POST', '/api/v1/branches', { body });
const branchOk = async (body) => expectJson(await branch(body), 201);

/** A fresh catalog; returns { name, head } (main's head commit). */
async function catalog() {
  const name = uniq('cat');
  expectJson(await srv.req('POST', '/api/v1/catalogs', { body: { name } }), 201);
  const main = expectJson(await get(`/api/v1/branches/main?catalog=${name}`), 200);
  return { name, head: main.head_commit_id };
}

test('a branch created from main is 201 {name, head_commit_id = main\'s head, branch_type, assets}', async () => {
  const c = await catalog();
  const b = await branchOk({ name: 'dev', catalog: c.name });
  assert.deepEqual(b, { name: 'dev', head_commit_id: c.head, branch_type: 'experimental', assets: [] });
  assert.deepEqual(expectJson(await get(`/api/v1/branches/dev?catalog=${c.name}`), 200), b);
});

test('branch_type is "ingest" when asked, anything else is "experimental"', async () => {
  const c = await catalog();
  assert.equal((await branchOk({ name: 'ing', catalog: c.name, branch_type: 'ingest' })).branch_type, 'ingest');
  assert.equal((await branchOk({ name: 'exp', catalog: c.name, branch_type: 'experimental' })).branch_type, 'experimental');
  assert.equal((await branchOk({ name: 'other', catalog: c.name, branch_type: 'Ingest!' })).branch_type, 'experimental');
});

test('from_branch picks the source; its head becomes the new head', async () => {
  const c = await catalog();
  await branchOk({ name: 'dev', catalog: c.name });
  const f = await branchOk({ name: 'feature', catalog: c.name, from_branch: 'dev' });
  assert.equal(f.head_commit_id, c.head);
  const commits = expectJson(await get(`/api/v1/branches/feature/commits?catalog=${c.name}`), 200);
  assert.deepEqual(commits.map((x) => x.id), [c.head], 'a new branch shares its source\'s history');
});

test('an unknown from_branch is 404 and no branch is created', async () => {
  const c = await catalog();
  expectError(await branch({ name: 'orphan', catalog: c.name, from_branch: 'nope' }), 404, { message: /nope/ });
  expectError(await get(`/api/v1/branches/orphan?catalog=${c.name}`), 404);
  assert.equal(expectList(await get(`/api/v1/branches?catalog=${c.name}`)).total, 1);
});

test('a duplicate branch name is 409, main included', async () => {
  const c = await catalog();
  await branchOk({ name: 'dev', catalog: c.name });
  expectError(await branch({ name: 'dev', catalog: c.name }), 409, { message: /exists/ });
  expectError(await branch({ name: 'main', catalog: c.name }), 409);
  // The same name in another catalog is fine.
  const d = await catalog();
  await branchOk({ name: 'dev', catalog: d.name });
});

test('concurrent creates of one branch name: exactly one 201, the others 409', async () => {
  const c = await catalog();
  const rs = await Promise.all(Array.from({ length: 8 }, () => branch({ name: 'race', catalog: c.name })));
  const statuses = rs.map((r) => r.status).sort();
  if (STORE === 'mongo') {
    // Named exception: a real mongod's unique index on the branch key
    // settles this race (test_store_mongo checks the index is made);
    // CongoDB does not enforce unique indexes, so when two workers both
    // look before either inserts, both land.  What it can show: each
    // answer is a 201 or a 409, and at least one create won.
    assert.ok(statuses.every((s) => s === 201 || s === 409) && statuses[0] === 201, String(statuses));
    return;
  }
  assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409, 409, 409]);
  assert.equal(expectList(await get(`/api/v1/branches?catalog=${c.name}`)).total, 2);
});

test('creating a branch in an unknown catalog is 404', async () => {
  expectError(await branch({ name: 'dev', catalog: uniq('missing') }), 404, { message: /not found/ });
});

test('branch bodies are validated: unknown field, wrong types, missing fields are 422', async () => {
  const c = await catalog();
  expectError(await branch({ name: 'x', catalog: c.name, source: 'main' }), 422);
  expectError(await branch({ name: 'x' }), 422);
  expectError(await branch({ catalog: c.name }), 422);
  expectError(await branch({ name: 'x', catalog: c.name, assets: [1] }), 422);
  expectError(await branch({ name: 'x', catalog: c.name, from_branch: 5 }), 422);
});

test('root may create a branch (it is an admin)', async () => {
  const c = await catalog();
  const r = await srv.req('POST', '/api/v1/branches', { body: { name: 'by-root', catalog: c.name }, headers: { authorization: basic() } });
  expectJson(r, 201);
});

test('listing branches requires ?catalog= (400); an unknown catalog is 404', async () => {
  expectError(await get('/api/v1/branches'), 400, { message: /catalog/ });
  expectError(await get('/api/v1/branches?catalog='), 400);
  expectError(await get(`/api/v1/branches?catalog=${uniq('missing')}`), 404);
});

test('the branch list has every branch and X-Total-Count, and pages', async () => {
  const c = await catalog();
  for (const n of ['a1', 'b2', 'c3', 'd4', 'e5']) await branchOk({ name: n, catalog: c.name });
  const { items, total } = expectList(await get(`/api/v1/branches?catalog=${c.name}`));
  assert.equal(total, 6);
  assert.deepEqual(items.map((b) => b.name).sort(), ['a1', 'b2', 'c3', 'd4', 'e5', 'main']);
  for (const b of items) assert.equal(b.head_commit_id, c.head);
  const names = await checkPaging(srv, `/api/v1/branches?catalog=${c.name}`, { keyset: true });
  assert.deepEqual(names, [...names].sort(), 'branches are listed by name');
});

test('get needs ?catalog=; an unknown branch or catalog is 404', async () => {
  const c = await catalog();
  expectError(await get('/api/v1/branches/main'), 400);
  expectError(await get(`/api/v1/branches/nope?catalog=${c.name}`), 404, { message: /not found/i });
  expectError(await get(`/api/v1/branches/main?catalog=${uniq('missing')}`), 404);
});

test('delete is 204 and the branch is gone; main cannot be deleted (400)', async () => {
  const c = await catalog();
  await branchOk({ name: 'tmp', catalog: c.name });
  const r = await srv.req('DELETE', `/api/v1/branches/tmp?catalog=${c.name}`);
  assert.equal(r.status, 204);
  assert.equal(r.text, '');
  expectError(await get(`/api/v1/branches/tmp?catalog=${c.name}`), 404);
  expectError(await srv.req('DELETE', `/api/v1/branches/tmp?catalog=${c.name}`), 404);
  expectError(await srv.req('DELETE', `/api/v1/branches/main?catalog=${c.name}`), 400, { message: /main/ });
  expectJson(await get(`/api/v1/branches/main?catalog=${c.name}`), 200);
  expectError(await srv.req('DELETE', '/api/v1/branches/tmp'), 400);
  expectError(await srv.req('DELETE', `/api/v1/branches/tmp?catalog=${uniq('missing')}`), 404);
  // The name can be used again.
  await branchOk({ name: 'tmp', catalog: c.name });
});

test('commits: ?catalog= is required, unknown branch or catalog is 404', async () => {
  const c = await catalog();
  expectError(await get('/api/v1/branches/main/commits'), 400);
  expectError(await get(`/api/v1/branches/nope/commits?catalog=${c.name}`), 404);
  expectError(await get(`/api/v1/branches/main/commits?catalog=${uniq('missing')}`), 404);
});

test('commits: limit must be a non-negative integer (0 is the default page); large limits are clamped and served', async () => {
  const c = await catalog();
  assert.equal(expectJson(await get(`/api/v1/branches/main/commits?catalog=${c.name}&limit=0`), 200).length, 1);
  for (const l of ['-1', 'abc', '1.5', '']) {
    expectError(await get(`/api/v1/branches/main/commits?catalog=${c.name}&limit=${l}`), 400, { message: /limit/ });
  }
  assert.equal(expectJson(await get(`/api/v1/branches/main/commits?catalog=${c.name}&limit=1`), 200).length, 1);
  assert.equal(expectJson(await get(`/api/v1/branches/main/commits?catalog=${c.name}&limit=100000`), 200).length, 1);
});

test('commits are listed newest first, following parents, and limit cuts the walk', { skip: STORE !== 'sqlite' && 'needs a history seeded in the SQLite file' }, async () => {
  const c = await catalog();
  await branchOk({ name: 'dev', catalog: c.name });
  // No HTTP route appends commits yet (tables do, later): write a history
  // of three commits on dev straight into the database.
  const ids = [randomUUID(), randomUUID(), randomUUID()];
  const t0 = Date.now();
  const sql = ['.timeout 5000', 'BEGIN;'];
  let parent = c.head;
  ids.forEach((id, i) => {
    sql.push(`INSERT INTO commits (id, tenant_id, catalog_name, parent_id, timestamp, author, message, operations) VALUES ('${id}', '${NIL_UUID}', '${c.name}', '${parent}', ${t0 + i + 1}, 'test', 'commit ${i + 1}', '[]');`);
    parent = id;
  });
  sql.push(`UPDATE branches SET head_commit_id = '${parent}' WHERE tenant_id = '${NIL_UUID}' AND catalog_name = '${c.name}' AND name = 'dev';`, 'COMMIT;');
  execFileSync('sqlite3', [srv.dbPath], { input: sql.join('\n') });

  const all = expectJson(await get(`/api/v1/branches/dev/commits?catalog=${c.name}`), 200);
  assert.deepEqual(all.map((x) => x.id), [ids[2], ids[1], ids[0], c.head], 'newest first');
  assert.deepEqual(all.map((x) => x.message), ['commit 3', 'commit 2', 'commit 1', 'Create catalog']);
  assert.deepEqual(all.map((x) => x.parent_id), [ids[1], ids[0], c.head, null]);
  const two = expectJson(await get(`/api/v1/branches/dev/commits?catalog=${c.name}&limit=2`), 200);
  assert.deepEqual(two.map((x) => x.id), [ids[2], ids[1]]);
  // main did not move.
  assert.deepEqual(expectJson(await get(`/api/v1/branches/main/commits?catalog=${c.name}`), 200).map((x) => x.id), [c.head]);
  // A branch made from dev starts at dev's head.
  assert.equal((await branchOk({ name: 'from-dev', catalog: c.name, from_branch: 'dev' })).head_commit_id, ids[2]);
});
