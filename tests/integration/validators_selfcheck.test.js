// The response checkers check (lib/openapi.js, lib/management_openapi.js,
// lib/response_validators.js): every other file trusts them to fail a
// test on an answer the documents do not allow, so a checker that passed
// everything would pass every file.  Here known good and bad bodies go
// through both documents' checkers, through a validator compiled in this
// process and through the same validator loaded from the kept copy.  No
// server is involved.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { checkResponse, validate } from './lib/openapi.js';
import { checkManagement, doc as managementDoc } from './lib/management_openapi.js';
import { keptValidator, responseValidators } from './lib/response_validators.js';

const json = (status, body) => ({ status, headers: { 'content-type': 'application/json' }, text: JSON.stringify(body), json: body });
const icebergError = (code) => ({ error: { message: 'm', type: 'T', code } });

test('Iceberg answers: a body the spec allows passes, one it does not fails', () => {
  assert.equal(validate('listNamespaces', 200, { namespaces: [['a'], ['a', 'b']] }).valid, true);
  assert.equal(validate('listNamespaces', 200, { namespaces: [[1]] }).valid, false, 'a namespace level is a string');
  assert.equal(validate('listNamespaces', 200, { namespaces: 'a' }).valid, false);
  assert.equal(validate('loadTable', 200, { metadata: { 'format-version': 2 } }).valid, false, 'metadata without its required fields');
  assert.equal(validate('listNamespaces', 404, icebergError(404)).valid, true);
  assert.equal(validate('listNamespaces', 404, { error: { message: 'm' } }).valid, false, 'an error without type and code');
  // A status the operation does not declare: an error must still be the envelope.
  assert.equal(validate('listNamespaces', 418, icebergError(418)).valid, true);
  assert.equal(validate('listNamespaces', 418, { message: 'm' }).valid, false);
  assert.equal(validate('listNamespaces', 201, { namespaces: [] }).valid, false, 'an undeclared success');
  assert.throws(() => checkResponse('GET', '/v1/prefix/namespaces', json(200, { namespaces: [[1]] })), /does not match the Iceberg OpenAPI spec/);
  assert.doesNotThrow(() => checkResponse('GET', '/v1/prefix/namespaces', json(200, { namespaces: [['a']] })));
});

test('management answers: a body the document allows passes, one it does not fails', () => {
  assert.throws(() => checkManagement('GET', '/api/v1/tenants', json(200, [{ x: 1 }])), /does not match docs\/openapi\/management.yaml/);
  assert.throws(() => checkManagement('GET', '/api/v1/no-such-route', json(404, { err: 'x' })), /not an error of the route's shape/);
  assert.doesNotThrow(() => checkManagement('GET', '/api/v1/no-such-route', json(404, { error: 'x' })));
});

test('a validator loaded from its kept copy decides as the one compiled here', () => {
  const doc = JSON.parse(JSON.stringify(managementDoc));
  // A document of its own (a changed description), so this process
  // compiles it first and keeps it; a second checker then loads the copy.
  doc.info = { ...doc.info, description: `selfcheck ${process.pid} ${Date.now()}` };
  const op = Object.values(doc.paths).flatMap((item) => Object.values(item))
    .find((o) => o?.operationId && o.responses?.['200']?.content?.['application/json']);
  assert.ok(op, 'an operation with a JSON 200');
  const compiled = responseValidators(doc);
  const bad = compiled(op.operationId, 200, 'not what any 200 is');
  const loaded = responseValidators(doc);
  assert.deepEqual(loaded(op.operationId, 200, 'not what any 200 is').valid, bad.valid);
  assert.equal(bad.valid, false, `${op.operationId}: a bare string is no 200 body`);
  const cache = path.resolve(path.dirname(new URL(import.meta.url).pathname), 'node_modules/.cache/pgl-validators');
  assert.ok(fs.readdirSync(cache).some((f) => f.includes(op.operationId.replace(/[^A-Za-z0-9_-]/g, '_'))), 'the validator was kept');
  // One schema on its own: the same both ways.
  const schema = { type: 'object', required: ['error'], properties: { error: { type: 'string' } }, description: `selfcheck ${process.pid}` };
  const v = keptValidator(schema, { draft2020: true, allErrors: true });
  const w = keptValidator(schema, { draft2020: true, allErrors: true });
  for (const body of [{ error: 'x' }, { error: 1 }, {}, 'x']) assert.equal(w(body), v(body), JSON.stringify(body));
  assert.equal(v({ error: 'x' }), true);
  assert.equal(v({ error: 1 }), false);
});
