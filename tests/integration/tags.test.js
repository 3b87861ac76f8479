// Tags (pangolin-api.md §2.5): names for real commits of a catalog.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer } from './lib/server.js';
import { checkPaging, expectError, expectJson, expectList, uniq } from './lib/expect.js';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

const get = (p) => srv.req('GET', p);
const tag = (body) => srv.req('POST', '/api/v1/tags', { body });

async function catalog() {
  const name = uniq('cat');
  expectJson(await srv.req('POST', '/api/v1/catalogs', { body: { name } }), 201);
  const main = expectJson(await get(`/api/v1/branches/main?catalog=${name}`), 200);
  return { name, head: main.head_commit_id };
}

test('creating a tag on main\'s head commit is 200 {name, commit_id}', async () => {
  const c = await catalog();
  const t = expectJson(await tag({ name: 'v1.0', catalog: c.name, commit_id: c.head }), 200);
  assert.deepEqual(t, { name: 'v1.0', commit_id: c.head });
  assert.deepEqual(expectList(await get(`/api/v1/tags?catalog=${c.name}`)).items, [t]);
});

test('a tag of an unknown commit is 404', async () => {
  const c = await catalog();
  expectError(await tag({ name: 'ghost', catalog: c.name, commit_id: '6f1c1b9e-5f0e-4d7b-9c1a-2b3c4d5e6f70' }), 404, { message: /not found/ });
  assert.deepEqual(expectList(await get(`/api/v1/tags?catalog=${c.name}`)).items, []);
});

test('a tag of another catalog\'s commit is 404', async () => {
  const a = await catalog();
  const b = await catalog();
  expectError(await tag({ name: 'cross', catalog: b.name, commit_id: a.head }), 404);
});

test('a commit_id that is not a UUID is 422', async () => {
  const c = await catalog();
  for (const id of ['HEAD', 'main', '1234', `${c.head}x`, '']) {
    expectError(await tag({ name: 'bad', catalog: c.name, commit_id: id }), 422, { message: /commit_id/ });
  }
});

test('tag bodies are validated: unknown field, wrong types, missing fields are 422', async () => {
  const c = await catalog();
  expectError(await tag({ name: 'x', catalog: c.name, commit_id: c.head, branch: 'main' }), 422);
  expectError(await tag({ name: 'x', catalog: c.name }), 422);
  expectError(await tag({ catalog: c.name, commit_id: c.head }), 422);
  expectError(await tag({ name: 'x', catalog: c.name, commit_id: 42 }), 422);
  expectError(await tag({ name: 'x', catalog: 1, commit_id: c.head }), 422);
});

test('without a catalog the tag goes to catalog "default"; an unknown catalog is 404', async () => {
  const c = await catalog();
  expectError(await tag({ name: 'nocat', commit_id: c.head }), 404, { message: /default/ });
  expectError(await tag({ name: 'x', catalog: uniq('missing'), commit_id: c.head }), 404);
});

test('a duplicate tag name is 409; the same name in another catalog is fine', async () => {
  const c = await catalog();
  expectJson(await tag({ name: 'v1', catalog: c.name, commit_id: c.head }), 200);
  expectError(await tag({ name: 'v1', catalog: c.name, commit_id: c.head }), 409, { message: /exists/ });
  const d = await catalog();
  expectJson(await tag({ name: 'v1', catalog: d.name, commit_id: d.head }), 200);
});

test('listing tags requires ?catalog= (400); an unknown catalog is 404', async () => {
  expectError(await get('/api/v1/tags'), 400, { message: /catalog/ });
  expectError(await get('/api/v1/tags?catalog='), 400);
  expectError(await get(`/api/v1/tags?catalog=${uniq('missing')}`), 404);
});

test('delete is 204 and the tag is gone; unknown tag or catalog is 404; ?catalog= is required', async () => {
  const c = await catalog();
  expectJson(await tag({ name: 'tmp', catalog: c.name, commit_id: c.head }), 200);
  const r = await srv.req('DELETE', `/api/v1/tags/tmp?catalog=${c.name}`);
  assert.equal(r.status, 204);
  assert.equal(r.text, '');
  assert.deepEqual(expectList(await get(`/api/v1/tags?catalog=${c.name}`)).items, []);
  expectError(await srv.req('DELETE', `/api/v1/tags/tmp?catalog=${c.name}`), 404);
  expectError(await srv.req('DELETE', `/api/v1/tags/tmp?catalog=${uniq('missing')}`), 404);
  expectError(await srv.req('DELETE', '/api/v1/tags/tmp'), 400);
  // The commit is still there and can be tagged again.
  expectJson(await tag({ name: 'tmp', catalog: c.name, commit_id: c.head }), 200);
});

test('the tag list has X-Total-Count and pages', async () => {
  const c = await catalog();
  for (const n of ['r1', 'r2', 'r3', 'r4', 'r5', 'r6']) expectJson(await tag({ name: n, catalog: c.name, commit_id: c.head }), 200);
  const { items, total } = expectList(await get(`/api/v1/tags?catalog=${c.name}`));
  assert.equal(total, 6);
  for (const t of items) assert.equal(t.commit_id, c.head);
  const names = await checkPaging(srv, `/api/v1/tags?catalog=${c.name}`, { keyset: true });
  assert.deepEqual(names, ['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
});
