// Shared by the Iceberg suites: a server with a local-disk warehouse and
// catalog created at start-up ([defaults]), a request helper whose /v1
// answers are all checked against the Iceberg OpenAPI spec, and small
// builders for request bodies.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, STORE, tmpDir } from './server.js';
import { checkResponse } from './openapi.js';
import { fsPath } from './location.js';

export const CATALOG = 'demo';
export const WAREHOUSE = 'wh';

/** The [defaults] TOML: warehouse `wh` at <dir>/warehouse, catalog `demo` in it. */
export function defaultsFor(dir) {
  return ['[defaults]', `warehouse = "${WAREHOUSE}"`,
    `warehouse_root = ${JSON.stringify(path.join(dir, 'warehouse'))}`, `catalog = "${CATALOG}"`].join('\n');
}

function wrap(srv) {
  const raw = srv.req;
  srv.rawReq = raw;
  srv.root = path.join(srv.dir, 'warehouse');
  srv.catalogRoot = path.join(srv.root, CATALOG);
  srv.req = async (method, p, o = {}) => {
    const res = await raw(method, p, o);
    if (p.startsWith('/v1/')) checkResponse(method, p, res);
    return res;
  };
  return srv;
}

/**
 * startServer (opts as there; opts.dir to restart on the same data) with
 * the warehouse and catalog of defaultsFor.  srv.req checks every /v1
 * answer against the Iceberg OpenAPI spec and fails the test on a
 * mismatch (lib/openapi.js checkResponse); srv.rawReq is the request
 * unchecked against it, for scratch work only (management answers are
 * checked on both, lib/server.js).  srv.catalogRoot is the catalog's
 * storage location.
 */
export async function startIcebergServer(opts = {}) {
  const dir = opts.dir ?? tmpDir(`pgl-ice-${opts.store ?? STORE}`);
  const srv = await startServer({ ...opts, dir, extra: defaultsFor(dir) });
  return wrap(srv);
}

/** Namespace levels -> path segment (levels joined by %1F). */
export const nsPath = (levels) => levels.map(encodeURIComponent).join('%1F');

/** A schema with a nested struct, a list and a map (ids deliberately odd). */
export function sampleSchema() {
  return {
    type: 'struct',
    'schema-id': 7,
    'identifier-field-ids': [11],
    fields: [
      { id: 11, name: 'id', required: true, type: 'long' },
      { id: 12, name: 'ts', required: false, type: 'timestamptz' },
      {
        id: 13, name: 'point', required: false,
        type: { type: 'struct', fields: [{ id: 14, name: 'x', required: true, type: 'double' }, { id: 15, name: 'y', required: true, type: 'double' }] },
      },
      { id: 16, name: 'tags', required: false, type: { type: 'list', 'element-id': 17, element: 'string', 'element-required': false } },
      { id: 18, name: 'attrs', required: false, type: { type: 'map', 'key-id': 19, key: 'string', 'value-id': 20, value: 'int', 'value-required': false } },
    ],
  };
}

export function simpleSchema() {
  return { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }, { id: 2, name: 'data', required: false, type: 'string' }] };
}

/** Names of files in dir (sorted), [] if it does not exist. */
export function files(dir) {
  try { return fs.readdirSync(fsPath(dir)).sort(); } catch { return []; }
}

export const metadataFiles = (tableLocation) => files(path.join(fsPath(tableLocation), 'metadata')).filter((f) => f.endsWith('.metadata.json'));

/**
 * v3 row lineage: every snapshot's ids [first-row-id, first-row-id +
 * added-rows) lie apart from every other's, and below next-row-id, where
 * the next commit's start.
 */
export function assertRowIdsApart(md) {
  const ranges = md.snapshots.filter((s) => s['first-row-id'] != null && s['added-rows'] > 0)
    .map((s) => [s['first-row-id'], s['first-row-id'] + s['added-rows'], s['snapshot-id']])
    .sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < ranges.length; i++) {
    assert.ok(ranges[i][0] >= ranges[i - 1][1], `snapshots ${ranges[i - 1][2]} and ${ranges[i][2]} share row ids: ${JSON.stringify(ranges)}`);
  }
  for (const r of ranges) assert.ok(r[1] <= md['next-row-id'], `snapshot ${r[2]} holds ids past next-row-id ${md['next-row-id']}: ${JSON.stringify(ranges)}`);
}
