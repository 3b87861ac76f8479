// The events endpoint at the proposal's current head (issue 70; apache/
// iceberg PR 12584, shared/spec/iceberg-events-proposal.yaml): the live
// answers of POST /v1/{prefix}/events, not only the unit samples
// (events_schema.test.js), are the proposal's getEvents responses: every
// page a QueryEventsResponse, each of the twelve standard operation types
// served under its own name (and selected by it in operation-types), and
// a continuation token behind what retention purged answered 410 Gone as
// the proposal declares it.  And /v1/config's endpoints list names the
// route, so a client discovers it.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, STORE, REPO } from './lib/server.js';
import { keptValidator } from './lib/response_validators.js';
import { parseYamlFile } from './lib/yaml_cache.js';
import { makeTenant as tenant, ok } from './lib/tenant_fixture.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', required: false, type: 'long' }] };

const doc = parseYamlFile(path.resolve(REPO, '../shared/spec/iceberg-events-proposal.yaml'));
const STANDARD = Object.keys(doc.components.schemas.BaseOperation.discriminator.mapping);
const getEvents = doc.paths['/v1/{prefix}/events'].post.responses;
// The errata lib/openapi.js and events_schema.test.js apply: an error's
// bare ErrorModel is held to the {"error": ErrorModel} envelope every
// other error and the clients use; an implementation's x- operation type
// (which the anyOf of twelve consts cannot match) to BaseOperation.
const components = structuredClone(doc.components);
components.schemas.Event.properties.operation = {
  anyOf: [...components.schemas.Event.properties.operation.anyOf,
    { allOf: [{ $ref: '#/components/schemas/BaseOperation' }, { properties: { 'operation-type': { type: 'string', pattern: '^x-' } } }] }],
};
const page = keptValidator({ ...getEvents['200'].content['application/json'].schema, components }, { allErrors: true });
assert.equal(getEvents['410'].content['application/json'].schema.$ref, '#/components/schemas/ErrorModel');
const gone = keptValidator({ $ref: '#/components/schemas/IcebergErrorResponse', components }, { allErrors: true });

let srv, A;
before(async () => {
  srv = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0' } });
  A = await tenant(srv, 'eh');
});
after(async () => { await srv?.stop(); });

/** One page of t's catalog feed, held to the proposal's 200 answer. */
async function feed(s, t, body) {
  const r = await s.req('POST', `/v1/${t.cat}/events`, { body, headers: t.admin });
  if (r.status === 200) assert.ok(page(r.json), `not a QueryEventsResponse: ${JSON.stringify(page.errors?.slice(0, 3))}\n${r.text.slice(0, 800)}`);
  return r;
}

test('each of the proposal\'s twelve operation types is served under its own name, selected by it, in answers the proposal\'s schema accepts', async () => {
  const c = A.cat;
  const v1 = (method, p, body) => ok(srv, method, `/v1/${c}${p}`, body, A.admin);
  await v1('POST', '/namespaces', { namespace: ['hd'] });
  await v1('POST', '/namespaces/hd/properties', { updates: { owner: 'me' }, removals: [] });
  await v1('POST', '/namespaces/hd/tables', { name: 't', schema });
  const t = (await v1('POST', '/namespaces/hd/tables/t', { requirements: [], updates: [{ action: 'set-properties', updates: { k: 'v' } }] }))['metadata-location'];
  await v1('POST', '/tables/rename', { source: { namespace: ['hd'], name: 't' }, destination: { namespace: ['hd'], name: 't2' } });
  // A table the catalog forgot (unregister), registered again.
  await v1('POST', '/namespaces/hd/tables/t2/unregister', {});
  await v1('POST', '/namespaces/hd/register', { name: 't3', 'metadata-location': t });
  await v1('DELETE', '/namespaces/hd/tables/t3');
  await v1('POST', '/namespaces/hd/views', {
    name: 'v', schema, properties: {},
    'view-version': { 'version-id': 1, 'timestamp-ms': Date.now(), 'schema-id': 0, summary: {}, 'default-namespace': ['hd'], representations: [{ type: 'sql', sql: 'select 1 as n', dialect: 'spark' }] },
  });
  await v1('POST', '/namespaces/hd/views/v', { requirements: [], updates: [{ action: 'set-properties', updates: { k: 'v' } }] });
  await v1('POST', '/views/rename', { source: { namespace: ['hd'], name: 'v' }, destination: { namespace: ['hd'], name: 'v2' } });
  await v1('DELETE', '/namespaces/hd/views/v2');
  await v1('DELETE', '/namespaces/hd');
  const all = await feed(srv, A, { 'catalog-objects-by-name': [['hd']], 'page-size': 1000 });
  assert.equal(all.status, 200, all.text);
  const types = new Set(all.json.events.map((e) => e.operation['operation-type']));
  assert.deepEqual([...types].filter((x) => !x.startsWith('x-')).sort(), [...STANDARD].sort());
  assert.deepEqual([...types].filter((x) => x.startsWith('x-')), ['x-pangolin.unregister-table']);
  for (const type of STANDARD) {
    const r = await feed(srv, A, { 'operation-types': [type], 'catalog-objects-by-name': [['hd']] });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.events.length > 0, `${type}: no event`);
    for (const e of r.json.events) assert.equal(e.operation['operation-type'], type);
  }
});

test('a continuation token behind events retention purged answers 410 Gone, as the proposal declares it', { skip: STORE === 'memory' && 'the memory store runs no task runner, so nothing is swept' }, async () => {
  const s = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_EVENTS_RETENTION_SECS: '2', TASK_WORKER_POLL_INTERVAL_MS: '100' } });
  try {
    const T = await tenant(s, 'eg');
    await ok(s, 'POST', `/v1/${T.cat}/namespaces`, { namespace: ['g0'] }, T.admin);
    const first = await feed(s, T, { 'page-size': 1 });
    assert.equal(first.status, 200, first.text);
    const token = first.json['continuation-token'];
    await ok(s, 'POST', `/v1/${T.cat}/namespaces`, { namespace: ['g1'] }, T.admin);
    // The sweep runs every quarter of the retention: wait for it, by
    // asking (a 200 until the events behind the token are gone).
    let r;
    for (let i = 0; i < 300 && (r = await feed(s, T, { 'continuation-token': token })).status === 200; i++) await sleep(100);
    assert.equal(r.status, 410, r.text);
    assert.ok(gone(r.json), `not the 410 the proposal declares: ${JSON.stringify(gone.errors)} ${r.text}`);
    assert.equal(r.json.error.code, 410);
    assert.equal(r.json.error.type, 'GoneException');
    assert.equal((await feed(s, T, {})).status, 200);
  } finally {
    await s.stop();
  }
});

test('/v1/config lists the events route among every /v1/{prefix} route served, each once, as the spec spells them', async () => {
  const c = await ok(srv, 'GET', `/v1/config?warehouse=${A.cat}`, undefined, A.admin);
  const eps = c.endpoints;
  assert.ok(eps.includes('POST /v1/{prefix}/events'), JSON.stringify(eps));
  assert.equal(new Set(eps).size, eps.length, 'each once');
  for (const e of eps) assert.match(e, /^(GET|HEAD|POST|PUT|DELETE|PATCH) \/v1\/\{prefix\}\//);
  // Every operation of the proposal's document that we serve is listed
  // under the document's own spelling of its path.
  for (const [p, item] of Object.entries(doc.paths)) {
    if (!p.startsWith('/v1/{prefix}/')) continue;
    for (const m of ['get', 'head', 'post', 'delete']) {
      if (!item[m]) continue;
      const want = `${m.toUpperCase()} ${p}`;
      const concrete = p.replace('{prefix}', A.cat).replace('{namespace}', 'nope').replace(/\{[^}]+\}/g, 'x');
      const r = await srv.req(m.toUpperCase(), concrete, { headers: A.admin, body: m === 'post' ? {} : undefined, validate: false });
      const served = !(r.status === 404 && /no such route/.test(r.text)) && r.status !== 405;
      if (served) assert.ok(eps.includes(want), `${want} is served (${r.status}) but not listed`);
    }
  }
});
