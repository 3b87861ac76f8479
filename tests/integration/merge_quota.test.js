// A merge re-checks the properties ceiling (issue 23, part 3): each side
// of a table may fit PANGOLIN_MAX_PROPERTIES_ENTRIES/_BYTES while both
// sides' keys together do not.  The merge does not write such a table:
// it reports a MetadataConflict whose description names the limit, and
// the caller resolves it (take one side) like any conflict.  Every store.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startIcebergServer, WAREHOUSE } from './lib/iceberg.js';
import { expectJson, uniq } from './lib/expect.js';

const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };
const MAX_ENTRIES = 4;
const MAX_BYTES = 1024;

let srv;
before(async () => {
  srv = await startIcebergServer({
    env: { PANGOLIN_MAX_PROPERTIES_ENTRIES: String(MAX_ENTRIES), PANGOLIN_MAX_PROPERTIES_BYTES: String(MAX_BYTES) },
  });
});
after(async () => { await srv?.stop(); });

const ok = async (method, p, body, status = 200) => expectJson(await srv.req(method, p, { body }), status);

async function setup(name) {
  const cat = uniq('qcat');
  await ok('POST', '/api/v1/catalogs', { name: cat, warehouse_name: WAREHOUSE }, 201);
  await ok('POST', `/v1/${cat}/namespaces`, { namespace: ['db'] });
  await ok('POST', `/v1/${cat}/namespaces/db/tables`, { name, schema, properties: { a: '1' } });
  await ok('POST', '/api/v1/branches', { name: 'feat', catalog: cat, branch_type: 'ingest' }, 201);
  const props = (b, updates) => ok('POST', `/v1/${cat}/namespaces/db/tables/${name}${b === 'main' ? '' : `@${b}`}`,
    { requirements: [], updates: [{ action: 'set-properties', updates }] });
  const merge = () => srv.req('POST', '/api/v1/branches/merge', { body: { source_branch: 'feat', target_branch: 'main', catalog: cat } });
  const load = async (b = 'main') => (await ok('GET', `/v1/${cat}/namespaces/db/tables/${name}${b === 'main' ? '' : `@${b}`}`)).metadata.properties;
  return { cat, props, merge, load };
}

async function conflictOf(r) {
  const body = expectJson(r, 409);
  assert.equal(body.status, 'conflicted', JSON.stringify(body));
  assert.equal(body.conflicts, 1);
  const list = await ok('GET', `/api/v1/merge-operations/${body.operation_id}/conflicts`);
  const [c] = list.items ?? list;
  return { op: body.operation_id, c };
}

test('both sides fit the entries ceiling, their union does not: a conflict naming the limit', async () => {
  const t = await setup('t');
  await t.props('feat', { b: '1', c: '1' });
  await t.props('main', { d: '1', e: '1' });
  const { op, c } = await conflictOf(await t.merge());
  assert.ok(c.conflict_type.MetadataConflict, JSON.stringify(c));
  assert.match(c.description, /PANGOLIN_MAX_PROPERTIES_ENTRIES/);
  assert.deepEqual(Object.keys(await t.load()).filter((k) => k.length === 1).sort(), ['a', 'd', 'e'], 'nothing written');
  // Resolved like any conflict: the source's version is taken as it is.
  expectJson(await srv.req('POST', `/api/v1/conflicts/${c.id}/resolve`, { body: { strategy: 'TakeSource' } }), 200);
  expectJson(await srv.req('POST', `/api/v1/merge-operations/${op}/complete`), 200);
  assert.deepEqual(Object.keys(await t.load()).filter((k) => k.length === 1).sort(), ['a', 'b', 'c']);
});

test('both sides fit the bytes ceiling, their union does not: a conflict naming the limit', async () => {
  const t = await setup('u');
  await t.props('feat', { big1: 'x'.repeat(600) });
  await t.props('main', { big2: 'y'.repeat(600) });
  const { c } = await conflictOf(await t.merge());
  assert.match(c.description, /PANGOLIN_MAX_PROPERTIES_BYTES/);
  assert.equal((await t.load()).big1, undefined);
});

test('a merged map within the ceilings merges as before', async () => {
  const t = await setup('v');
  await t.props('feat', { b: '1' });
  await t.props('main', { c: '1' });
  const op = expectJson(await t.merge(), 200);
  assert.equal(op.status, 'Completed');
  const p = await t.load();
  assert.equal(p.b, '1');
  assert.equal(p.c, '1');
});
