// Every management response the tests receive is checked against the
// OpenAPI document of the management API (docs/openapi/management.yaml,
// the source the server's /api/v1/openapi.json is built from), as
// lib/openapi.js checks /v1 answers against the Iceberg spec: each
// response schema compiled by ajv with ajv-formats as openapi-backend's
// quick mode does, once and kept (lib/response_validators.js).
//
//   documented(method, path)          -> the operation, or null
//   checkManagement(method, path, res) -> throws AssertionError if invalid
//   routeKey(method, template)        -> "GET /api/v1/users/{}" (parameter names dropped)
//
// Which paths are checked: every path the document describes (a /v1 path
// only if it does: the Iceberg spec's paths are lib/openapi.js's), and
// every other path under /api/, /health, /metrics and /oauth/, whose
// answer must then be an error.  The pages' files (PAGE_ROUTES) are not
// API and are left alone.
//
// A declared status is validated against its schema (a declared status
// without content must come with an empty body); an undeclared 4xx/5xx
// must still be the management error {"error": "..."}; an undeclared 2xx
// or 3xx fails.  A JSON body must be served as application/json.  On a
// /v1 route an error is the Iceberg envelope (but OAuth's own errors).
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseYamlFile } from './yaml_cache.js';
import { keptValidator, responseValidators } from './response_validators.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const MANAGEMENT_SPEC = path.join(REPO, 'docs/openapi/management.yaml');

export const doc = parseYamlFile(MANAGEMENT_SPEC);

/** Routes that serve a page's files, not the API: neither documented nor checked. */
export const PAGE_ROUTES = new Set(['GET /', 'GET /ui', 'GET /ui/{}', 'GET /api/docs/{}']);

export const routeKey = (method, template) => `${method.toUpperCase()} ${template.replace(/\{[^}]*\}/g, '{}')}`;

const METHODS = ['get', 'put', 'post', 'delete', 'head', 'patch'];
const operations = [];
for (const [p, item] of Object.entries(doc.paths)) {
  const segs = p.split('/').slice(1);
  const re = new RegExp('^/' + segs.map((s) => (/^\{.*\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))).join('/') + '$');
  const literals = segs.filter((s) => !/^\{.*\}$/.test(s)).length;
  for (const m of METHODS) {
    if (item[m]) operations.push({ method: m.toUpperCase(), path: p, re, literals, operationId: item[m].operationId, responses: item[m].responses });
  }
}
const byId = new Map(operations.map((o) => [o.operationId, o]));

// The response schemas, compiled once and kept (lib/response_validators.js).
const validateResponse = responseValidators(doc);

const managementError = keptValidator(doc.components.schemas.Error, { draft2020: true, allErrors: true });
const icebergError = keptValidator(doc.components.schemas.IcebergError, { draft2020: true, allErrors: true });
/** The error shape of a path: the Iceberg envelope on /v1 routes. */
const validateError = (p, body) => (p.startsWith('/v1/') && !/\/oauth\/tokens(\?|$)/.test(p) ? icebergError : managementError)(body);

/** The documented operation for a request path (query ignored), or null. */
export function documented(method, p) {
  const q = p.split('?')[0];
  let best = null;
  for (const o of operations) {
    if (o.method === method.toUpperCase() && o.re.test(q) && (!best || o.literals > best.literals)) best = o;
  }
  return best;
}

/** Whether a path is the management API's to check (see the head of this file). */
export function isManagementPath(method, p) {
  const q = p.split('?')[0];
  // A CORS preflight is the HTTP layer's, on any path.
  if (method.toUpperCase() === 'OPTIONS') return false;
  if (documented(method === 'HEAD' ? 'GET' : method, q)) return true;
  if (/^\/ui(\/|$)|^\/api\/docs\/|^\/$/.test(q)) return false;
  return /^\/(api\/|health(\/|$)|metrics$|oauth\/)/.test(q);
}

function resolve(node) {
  while (node?.$ref) {
    let n = doc;
    for (const part of node.$ref.replace(/^#\//, '').split('/')) n = n[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    node = n;
  }
  return node;
}

function declared(op, status) {
  const r = op.responses ?? {};
  const d = r[String(status)] ?? r[`${Math.floor(status / 100)}XX`] ?? r.default;
  return d ? resolve(d) : null;
}

/**
 * Check one HTTP response of a management path against the document.
 * res: { status, headers, text, json }.  Returns the operationId or null.
 */
export function checkManagement(method, p, res) {
  const what = `${method} ${p} -> ${res.status}`;
  const empty = res.text === '' || res.text === undefined;
  const ctype = String(res.headers?.['content-type'] ?? '');
  const op = documented(method === 'HEAD' ? 'GET' : method, p);
  if (op === null) {
    assert.ok(res.status >= 400, `${what}: a success on a path the management OpenAPI document does not describe`);
    if (method !== 'HEAD') {
      assert.ok(!empty && validateError(p, res.json), `${what}: not an error of the route's shape: ${String(res.text).slice(0, 300)}`);
    }
    return null;
  }
  const decl = declared(op, res.status);
  if (!decl) {
    assert.ok(res.status >= 400, `${what}: ${op.operationId} does not declare status ${res.status} (docs/openapi/management.yaml)`);
    if (method !== 'HEAD') {
      assert.ok(!empty && validateError(p, res.json), `${what}: an undeclared ${res.status} is not an error of the route's shape: ${String(res.text).slice(0, 300)}`);
    }
    return op.operationId;
  }
  if (method === 'HEAD') return op.operationId;
  const content = decl.content ?? null;
  if (!content) {
    assert.ok(empty, `${what}: ${op.operationId} declares no content for ${res.status}, got a body: ${String(res.text).slice(0, 200)}`);
    return op.operationId;
  }
  if (!content['application/json']) {
    // Text, HTML: the type is what the document says.
    const want = Object.keys(content);
    assert.ok(want.some((t) => ctype.startsWith(t)), `${what}: content-type ${ctype}, the document says ${want.join(', ')}`);
    return op.operationId;
  }
  assert.ok(!empty, `${what}: ${op.operationId} declares content for ${res.status}, got an empty body`);
  assert.match(ctype, /^application\/json/, `${what}: content-type`);
  assert.notEqual(res.json, undefined, `${what}: body is not JSON: ${String(res.text).slice(0, 200)}`);
  const r = validateResponse(op.operationId, res.status, res.json);
  if (!r.valid) {
    assert.fail(`${what} (${op.operationId}) does not match docs/openapi/management.yaml:\n` +
      `${JSON.stringify(r.errors, null, 1).slice(0, 3000)}\nbody: ${String(res.text).slice(0, 1500)}`);
  }
  return op.operationId;
}

export const operationById = (id) => byId.get(id);
export const allOperations = () => operations.slice();
