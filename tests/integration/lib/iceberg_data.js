// Real Iceberg tables for the maintenance and merge suites, written the way
// a client writes them (INFRA.md "Real Iceberg tables"): Parquet data files
// (hyparquet-writer), manifests and manifest lists (Avro with Iceberg
// field ids and metadata keys, written by avsc or by icebird's avroWrite,
// neither of them ours) on the warehouse's local disk, then the snapshot
// committed through the REST API (add-snapshot + set-snapshot-ref, with
// assert-ref-snapshot-id).  Tables are read back with icebird, an Iceberg
// reader nobody here wrote, through a globalThis.fetch that serves file
// paths from disk.  The Avro schemas and files and the values' bytes:
// iceberg_avro.js.
//
//   const t = await createTable(srv, { namespace: ['db'], table: 'orders' });
//   await t.appendRows([{ id: 1, name: 'a' }], { writer: 'icebird' });
//   await t.deleteRows((r) => r.id === 1);          // position deletes (v2+)
//   assert.deepEqual(await t.readRows(), []);
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { parquetReadObjects } from 'hyparquet';
import { icebergRead } from 'icebird';
import { CATALOG, nsPath } from './iceberg.js';
import {
  bigBytes, compareValues, fromAvroValue, manifestEntrySchema, manifestListSchema, normValue,
  parseType, plain, readAvro, toAvroValue, transformResultType, uuidBytes, uuidString, valueBytes,
  writeAvro,
} from './iceberg_avro.js';

// What the suites import from here, as before the split.
export {
  parseType, decimalSize, transformResultType, manifestEntrySchema, manifestListSchema, writeAvro,
  readAvro, normValue, valueBytes, valueFromBytes, compareValues, toAvroValue, fromAvroValue,
} from './iceberg_avro.js';

// --- local files behind fetch ------------------------------------------------

/** file:///x or /x -> /x; anything else -> null. */
export function localPath(loc) {
  if (typeof loc !== 'string') return null;
  if (loc.startsWith('file://')) return decodeURIComponent(loc.slice('file://'.length));
  if (loc.startsWith('file:/')) return decodeURIComponent(loc.slice('file:'.length));
  if (loc.startsWith('/')) return loc;
  return null;
}

let fetchInstalled = false;

/**
 * Make globalThis.fetch serve file:// URLs and absolute paths from disk
 * (GET with Range, HEAD), as icebird and hyparquet read them; every other
 * URL goes to the real fetch.  Idempotent.
 */
export function installFileFetch() {
  if (fetchInstalled) return;
  fetchInstalled = true;
  const real = globalThis.fetch;
  globalThis.fetch = async (input, init = {}) => {
    const url = typeof input === 'string' ? input : input.url ?? String(input);
    const p = localPath(url);
    if (p === null) return real(input, init);
    if (!fs.existsSync(p)) return new Response('not found', { status: 404, statusText: 'Not Found' });
    const data = fs.readFileSync(p);
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = new Headers(init.headers ?? {});
    const range = headers.get('range');
    if (method === 'HEAD') {
      return new Response(null, { status: 200, headers: { 'content-length': String(data.length) } });
    }
    const m = range && /^bytes=(\d+)-(\d*)$/.exec(range);
    if (m) {
      const start = Number(m[1]);
      const end = m[2] === '' ? data.length - 1 : Math.min(Number(m[2]), data.length - 1);
      return new Response(data.subarray(start, end + 1), {
        status: 206,
        headers: { 'content-range': `bytes ${start}-${end}/${data.length}`, 'content-length': String(end - start + 1) },
      });
    }
    return new Response(data, { status: 200, headers: { 'content-length': String(data.length) } });
  };
}

/** Every file under dir (absolute paths, sorted); [] when dir is absent. */
export function filesOnDisk(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p); else out.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out.sort();
}

/** Set the mtime (and atime) of files to ageMs before now (orphan/expiry cut-offs). */
export function setAge(files, ageMs) {
  const t = new Date(Date.now() - ageMs);
  for (const f of [].concat(files)) fs.utimesSync(f, t, t);
}

// --- Parquet -------------------------------------------------------------------

const PARQUET_OF = { long: 'INT64', int: 'INT32', string: 'STRING', double: 'DOUBLE', float: 'FLOAT', boolean: 'BOOLEAN', date: 'INT32' };

/** The Parquet schema element of a field of the newer types (schema mode). */
function parquetElement(f) {
  const t = parseType(f.type);
  const repetition_type = f.required ? 'REQUIRED' : 'OPTIONAL';
  const e = { name: f.name, repetition_type };
  switch (t.id) {
    case 'int': return { ...e, type: 'INT32' };
    case 'long': return { ...e, type: 'INT64' };
    case 'float': return { ...e, type: 'FLOAT' };
    case 'double': return { ...e, type: 'DOUBLE' };
    case 'boolean': return { ...e, type: 'BOOLEAN' };
    case 'string': return { ...e, type: 'BYTE_ARRAY', converted_type: 'UTF8' };
    case 'date': return { ...e, type: 'INT32', converted_type: 'DATE' };
    case 'timestamp': case 'timestamptz':
      return { ...e, type: 'INT64', converted_type: 'TIMESTAMP_MICROS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: t.id === 'timestamptz', unit: 'MICROS' } };
    case 'decimal':
      return { ...e, type: t.precision <= 9 ? 'INT32' : 'INT64', converted_type: 'DECIMAL', precision: t.precision, scale: t.scale,
        logical_type: { type: 'DECIMAL', precision: t.precision, scale: t.scale } };
    case 'uuid': return { ...e, type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, logical_type: { type: 'UUID' } };
    default: throw new Error(`harness: no Parquet type for ${f.type}`);
  }
}

function parquetOf(schema, rows) {
  // The first types keep the files they always had; a schema with a
  // newer type (timestamp, decimal, uuid...) is written with logical types.
  if (schema.fields.some((f) => !PARQUET_OF[f.type])) {
    const columnData = schema.fields.map((f) => {
      const t = parseType(f.type).id;
      const data = rows.map((r) => {
        const v = normValue(f.type, r[f.name]);
        if (v === null) return null;
        if (t === 'long' || t === 'timestamp' || t === 'timestamptz' || t === 'decimal') return BigInt(v);
        return v;
      });
      return { name: f.name, data };
    });
    const pschema = [{ name: 'root', num_children: schema.fields.length }, ...schema.fields.map(parquetElement)];
    return Buffer.from(parquetWriteBuffer({ columnData, schema: pschema }));
  }
  const columnData = schema.fields.map((f) => {
    const type = PARQUET_OF[f.type];
    if (!type) throw new Error(`harness: no Parquet type for ${f.type}`);
    const data = rows.map((r) => {
      const v = r[f.name];
      if (v === null || v === undefined) return null;
      return type === 'INT64' ? BigInt(v) : v;
    });
    return { name: f.name, data, nullable: !f.required };
  });
  return Buffer.from(parquetWriteBuffer({ columnData }));
}

async function readParquet(file) {
  const data = fs.readFileSync(file);
  const ab = data.buffer.slice(data.byteOffset, data.byteOffset + data.length);
  return plain(await parquetReadObjects({ file: ab }));
}

/**
 * The rows of a Parquet data (or delete) file, each value in the
 * harness's form for its type in schema (columns not in schema as read).
 */
export async function readFileRows(file, schema) {
  const data = fs.readFileSync(localPath(file) ?? file);
  const ab = data.buffer.slice(data.byteOffset, data.byteOffset + data.length);
  const rows = await parquetReadObjects({
    file: ab,
    parsers: {
      timestampFromMicroseconds: (m) => Number(m), timestampFromMilliseconds: (m) => Number(m) * 1000,
      dateFromDays: (d) => d, uuidFromBytes: (b) => uuidString(b),
    },
  });
  const types = new Map((schema?.fields ?? []).map((f) => [f.name, f.type]));
  return rows.map((r) => {
    const o = {};
    for (const [k, v] of Object.entries(r)) {
      const type = types.get(k);
      const t = type && parseType(type);
      if (t?.id === 'decimal' && typeof v === 'number') o[k] = BigInt(Math.round(v * 10 ** t.scale));
      else if (t?.id === 'uuid' && v instanceof Uint8Array) o[k] = uuidString(v);
      else o[k] = type ? normValue(type, plain(v)) : plain(v);
    }
    return o;
  });
}

// --- metrics, bounds and partitions -------------------------------------------------

/**
 * The column metrics of rows (data_file 109, 110, 137, 125, 128) for the
 * top-level fields of schema (only those in `columns` when given): value
 * and null counts, NaN counts of float/double columns, and lower/upper
 * bounds over the non-null, non-NaN values in Appendix D form.
 */
export function metricsOf(schema, rows, columns = null) {
  const m = { column_sizes: null, value_counts: [], null_value_counts: [], nan_value_counts: [], lower_bounds: [], upper_bounds: [] };
  for (const f of schema.fields) {
    if (columns && !columns.includes(f.name)) continue;
    const t = parseType(f.type).id;
    const vals = rows.map((r) => normValue(f.type, r[f.name]));
    const nulls = vals.filter((v) => v === null).length;
    const floaty = t === 'float' || t === 'double';
    const nans = floaty ? vals.filter((v) => v !== null && Number.isNaN(v)).length : 0;
    m.value_counts.push({ key: f.id, value: vals.length });
    m.null_value_counts.push({ key: f.id, value: nulls });
    if (floaty) m.nan_value_counts.push({ key: f.id, value: nans });
    const present = vals.filter((v) => v !== null && !(floaty && Number.isNaN(v)))
      .sort((a, b) => compareValues(f.type, a, b));
    if (present.length) {
      m.lower_bounds.push({ key: f.id, value: valueBytes(f.type, present[0]) });
      m.upper_bounds.push({ key: f.id, value: valueBytes(f.type, present[present.length - 1]) });
    }
  }
  return m;
}

/** Iceberg's single-value binary form of a partition value (the old name). */
function boundBytes(type, v) {
  return valueBytes(type, v);
}

/** Partition field summaries (507) of partition tuples (as Avro holds them). */
function summaries(spec, schema, tuples) {
  return spec.fields.map((f) => {
    const src = schema.fields.find((s) => s.id === f['source-id']);
    const type = transformResultType(f.transform, src.type);
    const floaty = type === 'float' || type === 'double';
    const vals = tuples.map((t) => fromAvroValue(type, t[f.name]));
    const nan = vals.some((v) => floaty && v !== null && Number.isNaN(v));
    const present = vals.filter((v) => v !== null && !(floaty && Number.isNaN(v)))
      .sort((a, b) => compareValues(type, a, b));
    return {
      contains_null: present.length + (nan ? vals.filter((v) => v !== null && Number.isNaN(v)).length : 0) < vals.length,
      contains_nan: floaty ? nan : null,
      lower_bound: present.length ? boundBytes(type, present[0]) : null,
      upper_bound: present.length ? boundBytes(type, present[present.length - 1]) : null,
    };
  });
}

/** Iceberg's 32-bit Murmur3 (x86) of bytes, for bucket[N]. */
function murmur3(buf) {
  let h = 0;
  const c1 = 0xcc9e2d51; const c2 = 0x1b873593;
  const n = buf.length & ~3;
  for (let i = 0; i < n; i += 4) {
    let k = buf.readInt32LE(i);
    k = Math.imul(k, c1); k = (k << 15) | (k >>> 17); k = Math.imul(k, c2);
    h ^= k; h = (h << 13) | (h >>> 19); h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  switch (buf.length & 3) {
    case 3: k ^= buf[n + 2] << 16; // falls through
    case 2: k ^= buf[n + 1] << 8; // falls through
    case 1: k ^= buf[n]; k = Math.imul(k, c1); k = (k << 15) | (k >>> 17); k = Math.imul(k, c2); h ^= k;
  }
  h ^= buf.length;
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
  return h | 0;
}

/** The bytes bucket[N] hashes (Appendix B) of a value of type. */
function hashBytes(type, v) {
  const t = parseType(type).id;
  if (['int', 'long', 'date', 'time', 'timestamp', 'timestamptz'].includes(t)) {
    const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(v)); return b;
  }
  if (t === 'decimal') return bigBytes(v);
  if (t === 'uuid') return uuidBytes(v);
  if (t === 'string') return Buffer.from(String(v), 'utf8');
  throw new Error(`harness: bucket of ${type} not supported`);
}

const floorDiv = (a, b) => Math.floor(a / b);
const utcDate = (type, v) => new Date(parseType(type).id === 'date' ? v * 86400000 : floorDiv(v, 1000));

/**
 * A partition transform of a value (harness form): identity, bucket[N],
 * truncate[W] (int, long, decimal, string), year, month, day, hour (date
 * and timestamps; years/months/days/hours from 1970), void.
 */
export function applyTransform(transform, type, value) {
  const v = normValue(type, value);
  if (v === null || transform === 'void') return null;
  if (transform === 'identity') return v;
  let m = /^bucket\[(\d+)\]$/.exec(transform);
  if (m) return (murmur3(hashBytes(type, v)) & 0x7fffffff) % Number(m[1]);
  m = /^truncate\[(\d+)\]$/.exec(transform);
  if (m) {
    const w = Number(m[1]);
    const t = parseType(type).id;
    if (t === 'string') return Array.from(v).slice(0, w).join('');
    if (t === 'decimal') { const W = BigInt(w); return v - (((v % W) + W) % W); }
    return v - (((v % w) + w) % w);
  }
  const d = utcDate(type, v);
  const isDate = parseType(type).id === 'date';
  switch (transform) {
    case 'year': return d.getUTCFullYear() - 1970;
    case 'month': return (d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth();
    case 'day': return isDate ? v : floorDiv(v, 86400000000);
    case 'hour': if (!isDate) return floorDiv(v, 3600000000); // falls through
    default: throw new Error(`harness: transform ${transform} of ${type} not supported`);
  }
}

function transform(f, srcType, v) {
  return applyTransform(f.transform, srcType, v);
}

/** The partition tuple (harness form) of a row under a spec. */
export function partitionOf(spec, schema, row) {
  const t = {};
  for (const f of spec.fields) {
    const src = schema.fields.find((s) => s.id === f['source-id']);
    t[f.name] = transform(f, src.type, row[src.name]);
  }
  return t;
}

/** A partition tuple as the Avro record holds it. */
function avroTuple(spec, schema, t) {
  const o = {};
  for (const f of spec.fields) {
    const src = schema.fields.find((s) => s.id === f['source-id']);
    o[f.name] = toAvroValue(transformResultType(f.transform, src.type), t[f.name] ?? null);
  }
  return o;
}

const partKey = (t) => JSON.stringify(t, (k, v) => (typeof v === 'bigint' ? `${v}n` : v));
const partDir = (t) => Object.entries(t).map(([k, v]) => `${k}=${v === null ? 'null' : encodeURIComponent(Buffer.isBuffer(v) ? v.toString('hex') : String(v))}`).join('/');

// --- the table -----------------------------------------------------------------------

const newId = () => crypto.randomBytes(6).readUIntBE(0, 6) + 1;

/** The default schema: id long (required), name string. */
export const DEFAULT_SCHEMA = {
  type: 'struct', 'schema-id': 0,
  fields: [{ id: 1, name: 'id', required: true, type: 'long' }, { id: 2, name: 'name', required: false, type: 'string' }],
};

/**
 * A table handle (see createTable / openTable).  srv is a server of
 * lib/iceberg.js (srv.req); catalogBranch, when set, addresses the table
 * as `table@branch` (a Pangolin catalog branch, not an Iceberg ref).
 */
export class IcebergTable {
  constructor(srv, { catalog = CATALOG, namespace, table, catalogBranch = null, headers = {}, metrics = false }) {
    this.srv = srv;
    this.catalog = catalog;
    this.namespace = Array.isArray(namespace) ? namespace : [namespace];
    this.table = table;
    this.catalogBranch = catalogBranch;
    this.headers = headers;
    this.metrics = metrics;	// write column metrics into data_file (planning tests)
    installFileFetch();
  }

  /** The table's REST path, on a catalog branch if given (else this one's). */
  path(catalogBranch = this.catalogBranch) {
    const name = catalogBranch ? `${this.table}@${catalogBranch}` : this.table;
    return `/v1/${this.catalog}/namespaces/${nsPath(this.namespace)}/tables/${encodeURIComponent(name)}`;
  }

  /** The same table on another catalog branch. */
  onBranch(catalogBranch) {
    return new IcebergTable(this.srv, { ...this, catalogBranch });
  }

  async req(method, p, o = {}) {
    return this.srv.req(method, p, { ...o, headers: { ...this.headers, ...(o.headers ?? {}) } });
  }

  /** LoadTableResult {metadata-location, metadata, ...}; throws unless 200. */
  async load(opts = {}) {
    const r = await this.req('GET', this.path(opts.catalogBranch ?? this.catalogBranch));
    if (r.status !== 200) throw new Error(`load ${this.path()}: ${r.status} ${r.text}`);
    return r.json;
  }

  /** The table location's directory on local disk. */
  async dir() {
    const md = (await this.load()).metadata;
    const d = localPath(md.location);
    if (!d) throw new Error(`harness: table location ${md.location} is not on local disk`);
    return d;
  }

  /** Manifest records of a snapshot's manifest list (plain JS values). */
  async manifests(snapshot) {
    if (!snapshot) return [];
    const { records } = await readAvro(fs.readFileSync(localPath(snapshot['manifest-list'])));
    return records;
  }

  /** Live entries {entry, manifest} of a snapshot, delete files included. */
  async entries(snapshot) {
    const out = [];
    for (const m of await this.manifests(snapshot)) {
      const { records } = await readAvro(fs.readFileSync(localPath(m.manifest_path)));
      for (const e of records) if (e.status !== 2) out.push({ entry: e, manifest: m });
    }
    return out;
  }

  /**
   * Commit updates with requirements; returns the response.  Throws
   * unless 200 when opts.expect is not given.
   */
  async commit(requirements, updates, { expect = 200 } = {}) {
    const r = await this.req('POST', this.path(), { body: { requirements, updates } });
    if (expect !== null && r.status !== expect) {
      throw new Error(`commit ${this.path()}: ${r.status} ${r.text}`);
    }
    return r;
  }

  /**
   * Write one snapshot on ref: new data rows (Parquet per partition of the
   * default spec, or of opts.specId), position deletes ({ file, partition,
   * positions, specId }), equality deletes ({ columns, rows, partition,
   * specId }: a Parquet file of the equality columns, content 2), data
   * files removed (copy-on-write), then commit.  Manifests are written one
   * per content and spec.  metrics (default the table's) writes column
   * metrics of every new data and equality delete file.
   */
  async writeSnapshot({ ref = 'main', writer = 'avsc', rows = [], posDeletes = [], eqDeletes = [], removed = [], operation, timestampMs, refType = 'branch', metrics = this.metrics, specId }) {
    const loaded = await this.load();
    const md = loaded.metadata;
    const v = md['format-version'];
    const loc = localPath(md.location);
    const schema = md.schemas.find((s) => s['schema-id'] === md['current-schema-id']);
    const specOf = (sid) => {
      const sp = md['partition-specs'].find((s) => s['spec-id'] === sid);
      if (!sp) throw new Error(`harness: no partition spec ${sid}`);
      return sp;
    };
    const spec = specOf(specId ?? md['default-spec-id']);
    const parentId = md.refs?.[ref]?.['snapshot-id'] ?? null;
    const parent = parentId === null ? null : md.snapshots.find((s) => s['snapshot-id'] === parentId);
    const id = newId();
    const seq = v >= 2 ? md['last-sequence-number'] + 1 : 0;
    const uuid = () => crypto.randomUUID();
    const written = { data: [], deletes: [], manifests: [], manifestList: null };
    fs.mkdirSync(path.join(loc, 'metadata'), { recursive: true });

    // Data files, one per partition.
    const groups = new Map();
    for (const r of rows) {
      const t = partitionOf(spec, schema, r);
      const k = partKey(t);
      if (!groups.has(k)) groups.set(k, { t, rows: [] });
      groups.get(k).rows.push(r);
    }
    const added = [];
    for (const { t, rows: rs } of groups.values()) {
      const sub = spec.fields.length ? partDir(t) : '';
      const file = path.join(loc, 'data', sub, `${uuid()}.parquet`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const buf = parquetOf(schema, rs);
      fs.writeFileSync(file, buf);
      written.data.push(file);
      const df = this.dataFile(v, { file, content: 0, count: rs.length, size: buf.length, partition: avroTuple(spec, schema, t) });
      if (metrics && v >= 2) Object.assign(df, metricsOf(schema, rs), { split_offsets: [4] });
      added.push({ spec, df });
    }
    // Position deletes, one file per data file hit.
    const deletes = [];
    for (const { file: target, partition, positions, specId: sid } of posDeletes) {
      if (v < 2) throw new Error('harness: position deletes need format v2+');
      const file = path.join(loc, 'data', `${uuid()}-deletes.parquet`);
      const buf = Buffer.from(parquetWriteBuffer({
        columnData: [
          { name: 'file_path', type: 'STRING', data: positions.map(() => `file://${target}`), nullable: false },
          { name: 'pos', type: 'INT64', data: positions.map((p) => BigInt(p)), nullable: false },
        ],
      }));
      fs.writeFileSync(file, buf);
      written.deletes.push(file);
      deletes.push({ spec: sid === undefined ? spec : specOf(sid), df: this.dataFile(v, { file, content: 1, count: positions.length, size: buf.length, partition }) });
    }
    // Equality deletes: the rows' values of the equality columns.
    for (const { columns, rows: drows, partition, specId: sid } of eqDeletes) {
      if (v < 2) throw new Error('harness: equality deletes need format v2+');
      const dspec = sid === undefined ? spec : specOf(sid);
      const fields = columns.map((c) => {
        const f = schema.fields.find((x) => x.name === c);
        if (!f) throw new Error(`harness: no column ${c}`);
        return f;
      });
      const eschema = { ...schema, fields };
      const t = partition ?? (dspec.fields.length ? partitionOf(dspec, schema, drows[0]) : {});
      const file = path.join(loc, 'data', `${uuid()}-eq-deletes.parquet`);
      const buf = parquetOf(eschema, drows);
      fs.writeFileSync(file, buf);
      written.deletes.push(file);
      const df = this.dataFile(v, { file, content: 2, count: drows.length, size: buf.length, partition: avroTuple(dspec, schema, t) });
      df.equality_ids = fields.map((f) => f.id);
      if (metrics) Object.assign(df, metricsOf(eschema, drows));
      deletes.push({ spec: dspec, df });
    }

    const prev = await this.manifests(parent);
    const keep = [];
    const rewritten = [];
    const removedSet = new Set(removed.map((f) => `file://${f}`));
    for (const m of prev) {
      if (removedSet.size === 0) { keep.push(m); continue; }
      const { records } = await readAvro(fs.readFileSync(localPath(m.manifest_path)));
      const hit = records.some((e) => e.status !== 2 && removedSet.has(e.data_file.file_path));
      if (!hit) { keep.push(m); continue; }
      // Rewritten: removed files DELETED by this snapshot, others EXISTING.
      for (const e of records) {
        if (e.status === 2) continue;
        // v1 has no file_sequence_number, and icebird 0.3.1 refuses v1
        // entries that are not ADDED without one: v1 drops DELETED ones.
        if (v === 1 && removedSet.has(e.data_file.file_path)) continue;
        const s = e.sequence_number ?? m.sequence_number ?? 0;
        const fs_ = e.file_sequence_number ?? m.sequence_number ?? 0;
        const gone = removedSet.has(e.data_file.file_path);
        rewritten.push({ spec: specOf(m.partition_spec_id), e: { ...e, status: gone ? 2 : 0, snapshot_id: gone ? id : (e.snapshot_id ?? m.added_snapshot_id), sequence_number: v >= 2 ? s : undefined, file_sequence_number: v >= 2 ? fs_ : undefined } });
      }
    }

    // One manifest per content (data, deletes) and spec: a manifest has one spec.
    const entry = (status, df) => ({ status, snapshot_id: id, sequence_number: null, file_sequence_number: null, data_file: df });
    const isDel = (df) => df.content === 1 || df.content === 2;
    const byKey = new Map();
    const put = (content, sp, e) => {
      const k = `${content}:${sp['spec-id']}`;
      if (!byKey.has(k)) byKey.set(k, { content, spec: sp, entries: [] });
      byKey.get(k).entries.push(e);
    };
    for (const r of rewritten) put(isDel(r.e.data_file) ? 1 : 0, r.spec, r.e);
    for (const a of added) put(0, a.spec, entry(1, a.df));
    for (const d of deletes) put(1, d.spec, entry(1, d.df));
    const fresh = [];
    for (const g of [...byKey.values()].sort((x, y) => x.content - y.content)) {
      fresh.push(await this.writeManifest(writer, { v, loc, schema, spec: g.spec, content: g.content, entries: g.entries, id, seq }));
    }
    written.manifests = fresh.map((m) => localPath(m.manifest_path));

    // v3 row lineage: new data manifests get first_row_id from the
    // table's next-row-id, each advancing it by its added + existing rows.
    let nextRowId = md['next-row-id'] ?? 0;
    const firstRowId = nextRowId;
    if (v >= 3) {
      for (const m of fresh) {
        if (m.content !== 0) continue;
        m.first_row_id = nextRowId;
        nextRowId += m.added_rows_count + m.existing_rows_count;
      }
    }
    const list = [...fresh, ...keep];
    const listFile = path.join(loc, 'metadata', `snap-${id}-1-${uuid()}.avro`);
    const meta = { 'snapshot-id': id, 'parent-snapshot-id': parentId ?? 'null', 'format-version': v };
    if (v >= 2) meta['sequence-number'] = seq;
    const records = list.map((m) => this.listRecord(v, m));
    fs.writeFileSync(listFile, await writeAvro(writer, manifestListSchema(v), records, meta));
    written.manifestList = listFile;

    const addedRows = added.reduce((a, d) => a + d.df.record_count, 0);
    const summary = {
      operation: operation ?? (posDeletes.length || eqDeletes.length || removed.length ? (rows.length ? 'overwrite' : 'delete') : 'append'),
      'added-data-files': String(added.length), 'added-records': String(addedRows),
      'added-delete-files': String(deletes.length), 'removed-data-files': String(removed.length),
    };
    const snapshot = {
      'snapshot-id': id, 'timestamp-ms': timestampMs ?? Date.now(), 'manifest-list': `file://${listFile}`,
      summary, 'schema-id': schema['schema-id'],
    };
    if (parentId !== null) snapshot['parent-snapshot-id'] = parentId;
    if (v >= 2) snapshot['sequence-number'] = seq;
    if (v >= 3) { snapshot['first-row-id'] = firstRowId; snapshot['added-rows'] = nextRowId - firstRowId; }
    // Moving a ref keeps its type and retention, as clients do.
    const move = { action: 'set-snapshot-ref', 'ref-name': ref, type: md.refs?.[ref]?.type ?? refType, 'snapshot-id': id };
    for (const k of ['max-ref-age-ms', 'max-snapshot-age-ms', 'min-snapshots-to-keep']) {
      if (md.refs?.[ref]?.[k] !== undefined) move[k] = md.refs[ref][k];
    }
    const res = await this.commit(
      [{ type: 'assert-ref-snapshot-id', ref, 'snapshot-id': parentId }],
      [{ action: 'add-snapshot', snapshot }, move],
    );
    return { snapshotId: id, sequenceNumber: seq, parentId, files: written, metadataLocation: res.json['metadata-location'], metadata: res.json.metadata };
  }

  dataFile(v, { file, content, count, size, partition }) {
    const df = { file_path: `file://${file}`, file_format: 'PARQUET', partition, record_count: count, file_size_in_bytes: size };
    if (v === 1) df.block_size_in_bytes = 67108864;
    else Object.assign(df, { content, equality_ids: null, sort_order_id: null });
    if (v >= 3) Object.assign(df, { first_row_id: null, referenced_data_file: null, content_offset: null, content_size_in_bytes: null });
    return df;
  }

  /** A manifest of entries; returns its manifest list record. */
  async writeManifest(writer, { v, loc, schema, spec, content, entries, id, seq }) {
    const file = path.join(loc, 'metadata', `${crypto.randomUUID()}-m${content}.avro`);
    const es = entries.map((e) => {
      const o = { status: e.status, snapshot_id: e.snapshot_id, data_file: e.data_file };
      if (v >= 2) { o.sequence_number = e.sequence_number ?? null; o.file_sequence_number = e.file_sequence_number ?? null; }
      return o;
    });
    const meta = {
      schema: JSON.stringify(schema), 'schema-id': schema['schema-id'],
      'partition-spec': JSON.stringify(spec.fields), 'partition-spec-id': spec['spec-id'],
      'format-version': v,
    };
    if (v >= 2) meta.content = content ? 'deletes' : 'data';
    // Metrics fields only when an entry has metrics: older manifests keep their shape.
    const metrics = v >= 2 && es.some((e) => e.data_file.value_counts != null);
    if (metrics) {
      for (const e of es) {
        for (const k of ['column_sizes', 'value_counts', 'null_value_counts', 'nan_value_counts', 'lower_bounds', 'upper_bounds', 'split_offsets']) {
          e.data_file = { ...e.data_file, [k]: e.data_file[k] ?? null };
        }
      }
    }
    const buf = await writeAvro(writer, manifestEntrySchema(v, spec, schema, { metrics }), es, meta);
    fs.writeFileSync(file, buf);
    const count = (st) => es.filter((e) => e.status === st);
    const rows = (l) => l.reduce((a, e) => a + e.data_file.record_count, 0);
    const seqs = es.map((e) => (e.status === 1 ? seq : e.sequence_number ?? seq));
    return {
      manifest_path: `file://${file}`, manifest_length: buf.length, partition_spec_id: spec['spec-id'],
      content, sequence_number: seq, min_sequence_number: Math.min(...seqs), added_snapshot_id: id,
      added_files_count: count(1).length, existing_files_count: count(0).length, deleted_files_count: count(2).length,
      added_rows_count: rows(count(1)), existing_rows_count: rows(count(0)), deleted_rows_count: rows(count(2)),
      partitions: summaries(spec, schema, es.map((e) => e.data_file.partition)), key_metadata: null,
    };
  }

  listRecord(v, m) {
    const r = {
      manifest_path: m.manifest_path, manifest_length: m.manifest_length, partition_spec_id: m.partition_spec_id,
      added_snapshot_id: m.added_snapshot_id, added_files_count: m.added_files_count ?? 0,
      existing_files_count: m.existing_files_count ?? 0, deleted_files_count: m.deleted_files_count ?? 0,
      added_rows_count: m.added_rows_count ?? 0, existing_rows_count: m.existing_rows_count ?? 0,
      deleted_rows_count: m.deleted_rows_count ?? 0, partitions: m.partitions ?? null, key_metadata: null,
    };
    if (v >= 2) Object.assign(r, { content: m.content ?? 0, sequence_number: m.sequence_number ?? 0, min_sequence_number: m.min_sequence_number ?? 0 });
    if (v >= 3) r.first_row_id = m.first_row_id ?? null;
    return r;
  }

  /** Append rows on an Iceberg ref (default main). opts: writer, ref, timestampMs. */
  appendRows(rows, opts = {}) {
    return this.writeSnapshot({ ...opts, rows });
  }

  /** The live data files of a ref, each with its rows (read with hyparquet). */
  async dataFiles({ ref = 'main' } = {}) {
    const md = (await this.load()).metadata;
    const sid = md.refs?.[ref]?.['snapshot-id'];
    const snap = md.snapshots?.find((s) => s['snapshot-id'] === sid);
    const out = [];
    const schema = md.schemas?.find((s) => s['schema-id'] === md['current-schema-id']);
    for (const { entry, manifest } of await this.entries(snap)) {
      if (entry.data_file.content) continue;
      const file = localPath(entry.data_file.file_path);
      const rows = schema && schema.fields.some((f) => !PARQUET_OF[f.type]) ? await readFileRows(file, schema) : await readParquet(file);
      out.push({ file, partition: entry.data_file.partition, specId: manifest.partition_spec_id, rows });
    }
    return out;
  }

  /**
   * Delete the rows matching pred on a ref: position-delete files (v2+,
   * merge-on-read) or, with mode 'cow' (any version), data files
   * rewritten without them.  rows (optional) are appended in the same
   * snapshot (an overwrite).
   */
  async deleteRows(pred, { mode, rows = [], ...opts } = {}) {
    const md = (await this.load()).metadata;
    mode ??= md['format-version'] >= 2 ? 'mor' : 'cow';
    const files = await this.dataFiles(opts);
    const posDeletes = [];
    const removed = [];
    const kept = [];
    for (const f of files) {
      const positions = [];
      f.rows.forEach((r, i) => { if (pred(r)) positions.push(i); });
      if (!positions.length) continue;
      if (mode === 'mor') posDeletes.push({ file: f.file, partition: f.partition, specId: f.specId, positions });
      else { removed.push(f.file); kept.push(...f.rows.filter((r) => !pred(r))); }
    }
    // Rows already deleted by older position deletes are not re-checked here.
    return this.writeSnapshot({ ...opts, rows: [...kept, ...rows], posDeletes, removed, operation: rows.length ? 'overwrite' : 'delete' });
  }

  /** Overwrite: delete rows matching pred and add rows, in one snapshot. */
  overwrite(pred, rows, opts = {}) {
    return this.deleteRows(pred, { ...opts, rows });
  }

  /**
   * Equality deletes on a ref: one delete file (content 2) of the rows'
   * values of columns (equality_ids their field ids).  opts: partition
   * (tuple, default the spec's of the first row), specId (default the
   * default spec; an unpartitioned spec's delete applies to every
   * partition), ref, writer, metrics.
   */
  deleteEqual(columns, rows, { partition, specId, ...opts } = {}) {
    return this.writeSnapshot({ ...opts, eqDeletes: [{ columns, rows, partition, specId }], operation: 'delete' });
  }

  /**
   * Partition spec evolution: add-spec with fields [{ name, transform,
   * 'source-id' | source (column name), 'field-id' (default: the id of
   * the same source+transform in an older spec, else the next free) }],
   * then set-default-spec to it unless makeDefault is false.  Data
   * written after uses it; older manifests keep their spec.  Returns
   * the new spec id.
   */
  async addSpec(fields, { makeDefault = true } = {}) {
    const md = (await this.load()).metadata;
    const schema = md.schemas.find((s) => s['schema-id'] === md['current-schema-id']);
    let next = md['last-partition-id'] ?? 999;
    const old = md['partition-specs'].flatMap((sp) => sp.fields);
    const fs_ = fields.map((f) => {
      const src = f['source-id'] ?? schema.fields.find((x) => x.name === f.source)?.id;
      if (src === undefined) throw new Error(`harness: no source column for ${JSON.stringify(f)}`);
      const same = old.find((o) => o['source-id'] === src && o.transform === f.transform && o.name === f.name);
      return { name: f.name, transform: f.transform, 'source-id': src, 'field-id': f['field-id'] ?? same?.['field-id'] ?? ++next };
    });
    const specId = Math.max(...md['partition-specs'].map((sp) => sp['spec-id'])) + 1;
    const updates = [{ action: 'add-spec', spec: { 'spec-id': specId, fields: fs_ } }];
    if (makeDefault) updates.push({ action: 'set-default-spec', 'spec-id': -1 });
    const res = await this.commit([{ type: 'assert-default-spec-id', 'default-spec-id': md['default-spec-id'] }], updates);
    const after = res.json.metadata;
    return after['partition-specs'].find((sp) => JSON.stringify(sp.fields) === JSON.stringify(fs_))?.['spec-id'] ?? specId;
  }

  /**
   * set-snapshot-ref for a tag or branch (Iceberg refs), with retention:
   * { type: 'tag'|'branch', snapshotId (default main's), maxRefAgeMs,
   *   maxSnapshotAgeMs, minSnapshotsToKeep }.
   */
  async setRef(name, { type = 'tag', snapshotId, maxRefAgeMs, maxSnapshotAgeMs, minSnapshotsToKeep } = {}) {
    const md = (await this.load()).metadata;
    const sid = snapshotId ?? md.refs?.main?.['snapshot-id'];
    const u = { action: 'set-snapshot-ref', 'ref-name': name, type, 'snapshot-id': sid };
    if (maxRefAgeMs !== undefined) u['max-ref-age-ms'] = maxRefAgeMs;
    if (maxSnapshotAgeMs !== undefined) u['max-snapshot-age-ms'] = maxSnapshotAgeMs;
    if (minSnapshotsToKeep !== undefined) u['min-snapshots-to-keep'] = minSnapshotsToKeep;
    return (await this.commit([], [u])).json;
  }

  async removeRef(name) {
    return (await this.commit([], [{ action: 'remove-snapshot-ref', 'ref-name': name }])).json;
  }

  /** Table properties (set-properties). */
  async setProperties(updates) {
    return (await this.commit([], [{ action: 'set-properties', updates }])).json;
  }

  /**
   * A Puffin statistics file for a snapshot (default main's), registered
   * with set-statistics; returns its path.
   */
  async setStatistics({ snapshotId } = {}) {
    const md = (await this.load()).metadata;
    const sid = snapshotId ?? md.refs?.main?.['snapshot-id'];
    const file = path.join(localPath(md.location), 'metadata', `${sid}-${crypto.randomUUID()}.stats`);
    const payload = Buffer.from(JSON.stringify({ blobs: [], properties: { 'created-by': 'pangolin-tests' } }));
    const tail = Buffer.alloc(8); tail.writeUInt32LE(payload.length, 0);
    const footer = Buffer.concat([Buffer.from('PFA1'), payload, tail, Buffer.from('PFA1')]);
    const buf = Buffer.concat([Buffer.from('PFA1'), footer]);
    fs.writeFileSync(file, buf);
    await this.commit([], [{
      action: 'set-statistics', 'snapshot-id': sid,
      statistics: { 'snapshot-id': sid, 'statistics-path': `file://${file}`, 'file-size-in-bytes': buf.length, 'file-footer-size-in-bytes': footer.length, 'blob-metadata': [] },
    }]);
    return file;
  }

  /** A partition statistics file (Parquet) registered with set-partition-statistics. */
  async setPartitionStatistics({ snapshotId } = {}) {
    const md = (await this.load()).metadata;
    const sid = snapshotId ?? md.refs?.main?.['snapshot-id'];
    const file = path.join(localPath(md.location), 'metadata', `partition-stats-${sid}-${crypto.randomUUID()}.parquet`);
    const buf = Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'data_record_count', type: 'INT64', data: [0n] }] }));
    fs.writeFileSync(file, buf);
    await this.commit([], [{
      action: 'set-partition-statistics',
      'partition-statistics': { 'snapshot-id': sid, 'statistics-path': `file://${file}`, 'file-size-in-bytes': buf.length },
    }]);
    return file;
  }

  /**
   * The rows of a ref (default main) or snapshot, read by icebird from the
   * metadata the catalog serves; BigInt values come back as Numbers.
   */
  async readRows({ ref = 'main', snapshotId, catalogBranch } = {}) {
    const loaded = await this.load({ catalogBranch });
    const md = loaded.metadata;
    const sid = snapshotId ?? md.refs?.[ref]?.['snapshot-id'];
    if (sid === undefined || sid === null) return [];
    const snap = md.snapshots.find((s) => s['snapshot-id'] === sid);
    if (!snap) throw new Error(`harness: snapshot ${sid} not in metadata`);
    const live = await this.entries(snap);
    if (!live.some(({ entry }) => !entry.data_file.content)) return [];
    const rows = await icebergRead({ tableUrl: md.location, metadata: { ...md, 'current-snapshot-id': sid } });
    return plain(rows);
  }

  /**
   * A file under the table's location that no metadata references (an
   * orphan), optionally aged; returns its path.
   */
  async orphanFile(rel = `data/orphan-${crypto.randomUUID()}.parquet`, { ageMs = 0, content = 'orphan' } = {}) {
    const file = path.join(await this.dir(), rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    if (ageMs) setAge(file, ageMs);
    return file;
  }

  /** Every file under the table's location. */
  async filesOnDisk() {
    return filesOnDisk(await this.dir());
  }
}

/**
 * Create a table (namespace made if missing) and return its handle.
 * opts: catalog, namespace (levels or string), table, formatVersion (2),
 * schema (DEFAULT_SCHEMA), partitionSpec ({fields:[{name, transform,
 * 'source-id', 'field-id'}]}), properties, catalogBranch, headers,
 * metrics (false: write column metrics into every new data file).
 */
export async function createTable(srv, opts) {
  const t = new IcebergTable(srv, opts);
  const headers = opts.headers ?? {};
  const ns = await srv.req('POST', `/v1/${t.catalog}/namespaces`, { body: { namespace: t.namespace }, headers });
  if (ns.status !== 200 && ns.status !== 409) throw new Error(`create namespace: ${ns.status} ${ns.text}`);
  const body = {
    name: t.catalogBranch ? `${t.table}@${t.catalogBranch}` : t.table,
    schema: opts.schema ?? DEFAULT_SCHEMA,
    properties: { 'format-version': String(opts.formatVersion ?? 2), ...(opts.properties ?? {}) },
  };
  if (opts.partitionSpec) body['partition-spec'] = { 'spec-id': 0, ...opts.partitionSpec };
  const r = await srv.req('POST', `/v1/${t.catalog}/namespaces/${nsPath(t.namespace)}/tables`, { body, headers });
  if (r.status !== 200) throw new Error(`create table: ${r.status} ${r.text}`);
  return t;
}

/**
 * Register another table on an existing metadata file (POST .../register),
 * e.g. a second table sharing the first one's files; returns its handle.
 */
export async function registerTable(srv, { catalog = CATALOG, namespace, table, metadataLocation, catalogBranch = null, headers = {} }) {
  const t = new IcebergTable(srv, { catalog, namespace, table, catalogBranch, headers });
  const ns = await srv.req('POST', `/v1/${t.catalog}/namespaces`, { body: { namespace: t.namespace }, headers });
  if (ns.status !== 200 && ns.status !== 409) throw new Error(`create namespace: ${ns.status} ${ns.text}`);
  const r = await srv.req('POST', `/v1/${t.catalog}/namespaces/${nsPath(t.namespace)}/register`, {
    body: { name: catalogBranch ? `${table}@${catalogBranch}` : table, 'metadata-location': metadataLocation }, headers,
  });
  if (r.status !== 200) throw new Error(`register table: ${r.status} ${r.text}`);
  return t;
}

/** A handle on an existing table (no request made). */
export function openTable(srv, opts) {
  return new IcebergTable(srv, opts);
}
