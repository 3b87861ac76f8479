// Response validators for an OpenAPI document, compiled once per schema
// rather than once per test file.  Compiling a response schema (the
// document dereferenced, so each is whole) cost every test file's process
// about a second of CPU: ajv, openapi-backend and lodash loaded, the
// document dereferenced, each validator generated.  Here a validator, once
// compiled, is kept as ajv's standalone code in
// node_modules/.cache/pgl-validators (where the code's require() of ajv's
// runtime and ajv-formats resolves), named by a hash of the document, the
// versions that generated it and this file, so an edited document or an
// upgraded ajv compiles afresh.  Written aside, then renamed: parallel
// test files never load half a file.
//
//   responseValidators(doc) -> validate(operationId, status, body) -> { valid, errors }
//   keptValidator(schema, { draft2020, allErrors }) -> an ajv validate function
//
// The checks are openapi-backend's validateResponse in quick mode, which
// this replaces: the document dereferenced by dereference-json-schema,
// each response schema decycled (openapi-backend's own decycle) and
// compiled by ajv's default class with strict off and ajv-formats; the
// status matched exactly, then as NXX, then "default", among the responses
// that have a JSON schema; none matching is valid.  errors is null when
// valid.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const HERE = fileURLToPath(import.meta.url);
const CACHE = path.resolve(path.dirname(HERE), '../node_modules/.cache/pgl-validators');
const METHODS = ['get', 'put', 'post', 'delete', 'head', 'patch', 'options', 'trace'];

// What generated a kept validator, beside the document itself.
const GENERATOR = ['ajv', 'ajv-formats', 'openapi-backend', 'dereference-json-schema']
  .map((m) => `${m}@${require(`${m}/package.json`).version}`)
  .concat(fs.readFileSync(HERE, 'utf8'))
  .join('\n');

/** The status key openapi-backend picks among those with a validator. */
function statusKey(keys, status) {
  for (const k of [String(status), `${Math.floor(status / 100)}XX`, 'default']) {
    if (keys.has(k)) return k;
  }
  return null;
}

export function responseValidators(doc) {
  const hash = crypto.createHash('sha256').update(GENERATOR).update(JSON.stringify(doc)).digest('hex').slice(0, 24);
  // operationId -> { path, method, keys: statuses with a JSON schema }
  const ops = new Map();
  for (const [p, item] of Object.entries(doc.paths ?? {})) {
    for (const m of METHODS) {
      const op = item?.[m];
      if (!op?.operationId) continue;
      const keys = new Set();
      let empty204 = false;
      for (const [status, r] of Object.entries(op.responses ?? {})) {
        const resolved = r?.$ref ? pointer(doc, r.$ref) : r;
        if (resolved?.content?.['application/json']?.schema) keys.add(status);
        // openapi-backend's validator for a 204 without content: null only.
        else if (!resolved?.content && status === '204') { keys.add(status); empty204 = true; }
      }
      ops.set(op.operationId, { path: p, method: m, keys, empty204 });
    }
  }
  const fns = new Map();
  let compiler = null;

  function load(opId, key) {
    const id = `${opId}\0${key}`;
    if (fns.has(id)) return fns.get(id);
    const file = path.join(CACHE, `${hash}-${opId.replace(/[^A-Za-z0-9_-]/g, '_')}-${key}.cjs`);
    const fn = keptOr(file, () => {
      compiler ??= makeCompiler(doc);
      return compiler(ops.get(opId), key, file);
    });
    fns.set(id, fn);
    return fn;
  }

  return (operationId, status, body) => {
    const op = ops.get(operationId);
    if (!op) throw new Error(`Unknown operation ${operationId}`);
    const key = statusKey(op.keys, status);
    if (key === null) return { valid: true, errors: null };
    if (key === '204' && op.empty204) {
      return body === null ? { valid: true, errors: null } : { valid: false, errors: [{ message: 'must be null' }] };
    }
    const fn = load(operationId, key);
    const valid = fn(body);
    return { valid, errors: valid ? null : fn.errors };
  };
}

/**
 * One schema's validator, kept the same way: ajv's default class, or
 * Ajv2020 with draft2020; strict off; ajv-formats.
 */
export function keptValidator(schema, { draft2020 = false, allErrors = false } = {}) {
  const opts = { draft2020, allErrors };
  const hash = crypto.createHash('sha256').update(GENERATOR).update(JSON.stringify([opts, schema])).digest('hex').slice(0, 24);
  const file = path.join(CACHE, `schema-${hash}.cjs`);
  return keptOr(file, () => compileAndKeep(schema, opts, file));
}

/** The validator kept in file, or compile() when there is none (or it does not load). */
function keptOr(file, compile) {
  try {
    return require(file);
  } catch {
    return compile();
  }
}

function compileAndKeep(schema, { draft2020 = false, allErrors = false }, file) {
  const Ajv = draft2020 ? require('ajv/dist/2020').default : require('ajv').default;
  const addFormats = require('ajv-formats').default;
  const standaloneCode = require('ajv/dist/standalone').default;
  const ajv = new Ajv({ strict: false, allErrors, code: { source: true, optimize: 0 } });
  addFormats(ajv);
  const fn = ajv.compile(schema);
  const aside = `${file}.${process.pid}`;
  try {
    fs.mkdirSync(CACHE, { recursive: true });
    fs.writeFileSync(aside, standaloneCode(ajv, fn));
    fs.renameSync(aside, file);
  } catch {
    fs.rmSync(aside, { force: true });
  }
  return fn;
}

/** A JSON pointer (#/a/b) into doc. */
function pointer(doc, ref) {
  let n = doc;
  for (const part of ref.replace(/^#\//, '').split('/')) n = n?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return n;
}

// The slow path, loaded only when a validator is not kept yet.
function makeCompiler(doc) {
  const { dereferenceSync } = require('dereference-json-schema');
  const { OpenAPIValidator } = require('openapi-backend/validation.js');
  const deref = dereferenceSync(doc);
  return (op, key, file) => {
    const schema = deref.paths[op.path][op.method].responses[key].content['application/json'].schema;
    return compileAndKeep(OpenAPIValidator.decycle(schema), {}, file);
  };
}
