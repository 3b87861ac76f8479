// Every /v1 response the Iceberg tests receive is checked against the
// Iceberg REST OpenAPI spec (docs/openapi/iceberg-rest-catalog-open-api.yaml,
// the spec we implement, shipped and served with ours): each response schema compiled by ajv with
// ajv-formats as openapi-backend's quick mode does, once and kept
// (lib/response_validators.js); the YAML parsed once and kept (lib/yaml_cache.js).
//
//   validate(operationId, status, body)  -> { valid, errors }
//   operationFor(method, path)           -> operationId or null
//   checkResponse(method, path, res)     -> throws AssertionError if invalid
//
// openapi-backend validates only the statuses an operation declares and
// passes anything else silently; here an undeclared status is an error,
// except an undeclared 4xx/5xx, whose body must still be the spec's
// IcebergErrorResponse.  A declared status without content must come with
// an empty body.
import assert from 'node:assert/strict';
import path from 'node:path';
import { REPO } from './server.js';
import { documented } from './management_openapi.js';
import { parseYamlFile } from './yaml_cache.js';
import { keptValidator, responseValidators } from './response_validators.js';

export const SPEC_PATH = path.resolve(REPO, 'docs/openapi/iceberg-rest-catalog-open-api.yaml');

const doc = parseYamlFile(SPEC_PATH);

// Erratum: some error responses of the view operations (and the shared
// UnsupportedOperationResponse) give the bare ErrorModel as their schema,
// while their own examples, every other operation and the clients (Java's
// ErrorResponseParser, iceberg-js) use the {"error": ErrorModel} envelope.
// Hold those to the envelope too, so every error is checked the same way.
const ERROR_MODEL = '#/components/schemas/ErrorModel';
const ENVELOPE = '#/components/schemas/IcebergErrorResponse';
function envelopeErrors(responses) {
  for (const [status, r] of Object.entries(responses ?? {})) {
    const schema = r?.content?.['application/json']?.schema;
    if (schema?.$ref === ERROR_MODEL && !/^[23]/.test(status)) schema.$ref = ENVELOPE;
  }
}
envelopeErrors(doc.components.responses);
for (const item of Object.values(doc.paths)) {
  for (const op of Object.values(item)) envelopeErrors(op?.responses);
}

// Erratum: TableMetadata.current-snapshot-id is `integer` here, but a v3
// table with no snapshot is written with JSON null (Java >= 1.10,
// iceberg-commit.md §1.1 and §9-1).  The schema allows null; checkResponse
// then fails null in v1/v2 metadata, which must write -1.
doc.components.schemas.TableMetadata.properties['current-snapshot-id'] = { type: ['integer', 'null'], format: 'int64' };

// Erratum: PrimitiveTypeValue is a oneOf of value types that share JSON
// types (string, decimal, uuid, date, time, timestamps, fixed and binary
// are all strings; int and long are both integers), so no string or
// number can match exactly one branch.  A value must match at least one.
{
  const ptv = doc.components.schemas.PrimitiveTypeValue;
  ptv.anyOf = ptv.oneOf;
  delete ptv.oneOf;
  // Erratum: a partition tuple holds nulls (a null source value, a void
  // transform); Java's ContentFileParser writes them as JSON null, which
  // ContentFile.partition's items leave out.
  doc.components.schemas.ContentFile.properties.partition.items = {
    anyOf: [{ $ref: '#/components/schemas/PrimitiveTypeValue' }, { type: 'null' }],
  };
}

// Erratum: the planning results tell their kinds apart by `status`, a
// $ref to PlanStatus with a const (or enum) beside it; the dereferenced
// schema loses the sibling, so every result matched several branches.
// Each status is written out inline as the spec means it.
{
  const s = doc.components.schemas;
  const status = (v) => (Array.isArray(v) ? { type: 'string', enum: v } : { type: 'string', const: v });
  s.CompletedPlanningResult.allOf[1].properties.status = status('completed');
  s.FailedPlanningResult.allOf[1].properties.status = status('failed');
  s.AsyncPlanningResult.properties.status = status('submitted');
  s.EmptyPlanningResult.properties.status = status(['submitted', 'cancelled']);
  // planTableScan's discriminator maps "submitted" to AsyncPlanningResult
  // alone, but EmptyPlanningResult (shared with fetchPlanningResult, where
  // "submitted" is empty) also allows it: here it is "cancelled" only.
  s.PlanTableScanEmptyResult = { ...s.EmptyPlanningResult, properties: { status: status('cancelled') } };
  s.PlanTableScanResult.oneOf = s.PlanTableScanResult.oneOf.map((x) => (x.$ref === '#/components/schemas/EmptyPlanningResult' ?
    { $ref: '#/components/schemas/PlanTableScanEmptyResult' } : x));
  // The same for the predicates' `type` (a $ref to ExpressionType): a
  // residual filter would otherwise match "true", "false" and itself.
  s.TrueExpression.properties.type = status('true');
  s.FalseExpression.properties.type = status('false');
  s.AndOrPredicate.properties.type = status(['and', 'or']);
  s.NotPredicate.properties.type = status('not');
  s.UnaryPredicate.properties.type = status(['is-null', 'not-null', 'is-nan', 'not-nan']);
  s.ComparisonPredicate.properties.type = status(['lt', 'lt-eq', 'gt', 'gt-eq', 'eq', 'not-eq', 'starts-with', 'not-starts-with']);
  s.SetPredicate.properties.type = status(['in', 'not-in']);
}

// The response schemas, compiled once and kept (lib/response_validators.js).
const validateResponse = responseValidators(doc);

// The error envelope on its own, for statuses an operation does not list.
const errorSchema = {
  ...doc.components.schemas.IcebergErrorResponse,
  properties: { error: doc.components.schemas.ErrorModel },
};
delete errorSchema.example;
const validateError = keptValidator(errorSchema, { draft2020: true, allErrors: true });

/** validate()'s body for a HEAD answer: only the status is checked. */
export const HEAD_BODY = Symbol('HEAD');

const METHODS = ['get', 'put', 'post', 'delete', 'head', 'patch'];

/** Spec operations: { method, re, literals, operationId, responses }. */
const operations = [];
for (const [p, item] of Object.entries(doc.paths)) {
  const segs = p.split('/').slice(1);
  const re = new RegExp('^/' + segs.map((s) => (/^\{.*\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))).join('/') + '$');
  const literals = segs.filter((s) => !/^\{.*\}$/.test(s)).length;
  for (const m of METHODS) {
    if (item[m]?.operationId) {
      operations.push({ method: m.toUpperCase(), re, literals, template: p, operationId: item[m].operationId, responses: item[m].responses });
    }
  }
}
const byId = new Map(operations.map((o) => [o.operationId, o]));

/**
 * The spec path a request path stands for: PyIceberg's doubled prefix
 * (/v1/{prefix}/v1/...) and the prefixed config (/v1/{prefix}/config) are
 * the same operations as their spec paths.
 */
function canonical(p) {
  let q = p.split('?')[0];
  const m = /^\/v1\/[^/]+\/v1\/(.*)$/.exec(q);
  if (m) q = m[1] === 'config' ? '/v1/config' : `/v1/prefix/${m[1]}`;
  if (/^\/v1\/[^/]+\/config$/.test(q)) q = '/v1/config';
  return q;
}

export function operationFor(method, p) {
  const q = canonical(p);
  let best = null;
  for (const o of operations) {
    if (o.method === method.toUpperCase() && o.re.test(q) && (!best || o.literals > best.literals)) best = o;
  }
  return best?.operationId ?? null;
}

/** The response object the spec declares for status (exact, NXX, default). */
function declared(op, status) {
  const r = op.responses ?? {};
  return r[String(status)] ?? r[`${Math.floor(status / 100)}XX`] ?? r.default;
}

/**
 * Validate a response body (parsed JSON, or null when empty) against the
 * operation's declared response for status.
 */
export function validate(operationId, status, body) {
  const op = byId.get(operationId);
  if (!op) return { valid: false, errors: [{ message: `unknown operationId ${operationId}` }] };
  const decl = declared(op, status);
  if (!decl) {
    if (status >= 400) {
      const ok = validateError(body);
      return { valid: ok, errors: ok ? null : [{ message: `undeclared ${status} is not an IcebergErrorResponse` }, ...validateError.errors] };
    }
    return { valid: false, errors: [{ message: `${operationId} does not declare status ${status}` }] };
  }
  if (body === HEAD_BODY) return { valid: true, errors: null };
  const resolved = decl.$ref ? resolveRef(decl.$ref) : decl;
  if (!resolved.content) {
    // No body declared (204, 304, HEAD answers): it must be empty.
    const ok = body === null || body === undefined;
    return { valid: ok, errors: ok ? null : [{ message: `${operationId} ${status} declares no content, got a body` }] };
  }
  if (body === null || body === undefined) {
    return { valid: false, errors: [{ message: `${operationId} ${status} declares content, got an empty body` }] };
  }
  return validateResponse(operationId, status, body);
}

function resolveRef(ref) {
  let node = doc;
  for (const part of ref.replace(/^#\//, '').split('/')) node = node[part];
  return node;
}

/**
 * Check one HTTP response of a /v1 path: the operation exists in the spec
 * (or, for a path the spec lacks, the answer is an error envelope), the
 * body validates, and a JSON body is served as application/json.
 * res: { status, headers, text, json }.
 */
export function checkResponse(method, p, res) {
  const what = `${method} ${p} -> ${res.status}`;
  const empty = res.text === '' || res.text === undefined;
  const body = empty ? null : res.json;
  if (!empty && res.json === undefined) assert.fail(`${what}: body is not JSON: ${res.text.slice(0, 200)}`);
  if (!empty && method !== 'HEAD') {
    assert.match(String(res.headers['content-type'] ?? ''), /^application\/json/, `${what}: content-type`);
  }
  const opId = operationFor(method, p);
  // Pangolin's own routes beside the spec's (presign, maintenance, the
  // prefixed OAuth token endpoints) are the management document's, and
  // lib/server.js's request() has checked them against it.
  if (opId === null && documented(method, p)) return null;
  if (opId === null) {
    assert.ok(res.status >= 400, `${what}: a success on a path the Iceberg spec does not define`);
    if (method !== 'HEAD') {
      assert.ok(validateError(body), `${what}: not an IcebergErrorResponse: ${res.text.slice(0, 300)}`);
    }
    return null;
  }
  // HEAD answers carry no body by definition; only the status is checked.
  const r = validate(opId, res.status, method === 'HEAD' ? HEAD_BODY : body);
  if (!r.valid) {
    assert.fail(`${what} (${opId}) does not match the Iceberg OpenAPI spec:\n` +
      `${JSON.stringify(r.errors, null, 1).slice(0, 3000)}\nbody: ${res.text.slice(0, 1500)}`);
  }
  const md = body?.metadata;
  if (md && md['format-version'] < 3 && 'current-snapshot-id' in md && md['current-snapshot-id'] === null) {
    assert.fail(`${what}: v${md['format-version']} metadata writes current-snapshot-id -1, not null`);
  }
  return opId;
}

/**
 * A fetch for iceberg-js (its `fetch` option): every /v1 response goes
 * through checkResponse before the client sees it.  `seen` collects the
 * operationIds checked, so a test can show which routes it drove.
 */
export function validatingFetch(seen = new Set()) {
  const failures = [];
  const f = async (url, init = {}) => {
    const res = await fetch(url, init);
    const u = new URL(url);
    if (!u.pathname.startsWith('/v1/')) return res;
    const text = res.status === 204 || res.status === 304 ? '' : await res.clone().text();
    let json;
    try { json = text === '' ? undefined : JSON.parse(text); } catch { json = undefined; }
    const headers = Object.fromEntries(res.headers.entries());
    const method = (init.method ?? 'GET').toUpperCase();
    let op;
    try {
      op = checkResponse(method, u.pathname + u.search, { status: res.status, headers, text, json });
    } catch (e) {
      // iceberg-js wraps what fetch throws; keep the original for the test.
      failures.push(e);
      throw e;
    }
    if (op) seen.add(op);
    return res;
  };
  f.seen = seen;
  /** Spec violations seen so far (a test asserts this stays empty). */
  f.failures = failures;
  return f;
}
