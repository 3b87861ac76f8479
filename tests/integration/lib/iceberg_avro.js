// The Avro and value layer of iceberg_data.js: manifest and manifest-list
// schemas with Iceberg field ids, Avro files written by avsc or icebird's
// avroWrite (with Iceberg's metadata keys) and read back, and values in
// their Appendix D bytes, their order and their Avro form.  The tables
// themselves (Parquet, metrics, partitions, commits): iceberg_data.js,
// which re-exports what its importers take from here.
import { createRequire } from 'node:module';
import { ByteWriter } from 'hyparquet-writer';
import { avroWrite } from 'icebird';

const require = createRequire(import.meta.url);
const avsc = require('avsc');

// --- Avro: schemas with Iceberg field ids -------------------------------------

const opt = (name, type, id) => ({ name, type: ['null', type], default: null, 'field-id': id });
const req = (name, type, id) => ({ name, type, 'field-id': id });

/** An Iceberg primitive type ("long", "decimal(9,2)"...) as { id, precision, scale }. */
export function parseType(t) {
  const m = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(t);
  if (m) return { id: 'decimal', precision: Number(m[1]), scale: Number(m[2]) };
  return { id: t };
}

/** Bytes of the fixed that holds a decimal of precision p (the spec's minBytes). */
export function decimalSize(p) {
  let n = 1;
  while (2n ** BigInt(8 * n - 1) < 10n ** BigInt(p)) n++;
  return n;
}

/** The Avro type of an Iceberg type (named types get a name from id). */
function avroTypeOf(type, id) {
  const t = parseType(type);
  switch (t.id) {
    case 'int': case 'date': return 'int';
    case 'long': case 'timestamp': case 'timestamptz': case 'time': return 'long';
    case 'float': case 'double': case 'string': case 'boolean': return t.id;
    case 'decimal': return { type: 'fixed', name: `decimal_${id}`, size: decimalSize(t.precision) };
    case 'uuid': return { type: 'fixed', name: `uuid_${id}`, size: 16 };
    default: throw new Error(`harness: no Avro type for ${type}`);
  }
}

/** The Iceberg type a partition transform yields from a source type. */
export function transformResultType(transform, srcType) {
  if (transform === 'identity' || transform === 'void' || transform.startsWith('truncate')) return srcType;
  return 'int';			// bucket, year, month, day (a date, stored as int), hour
}

/** The partition record (field 102) of a spec over a schema. */
function partitionType(spec, schema) {
  return {
    type: 'record', name: 'r102',
    fields: spec.fields.map((f) => {
      const src = schema.fields.find((s) => s.id === f['source-id']);
      return opt(f.name, avroTypeOf(transformResultType(f.transform, src.type), f['field-id']), f['field-id']);
    }),
  };
}

/** An int-keyed map as Iceberg writes it in Avro: an array of key/value records. */
// (Java also marks it logicalType "map"; icebird's writer cannot match that in a union.)
const kvArray = (k, v, type) => ({
  type: 'array',
  items: { type: 'record', name: `k${k}_v${v}`, fields: [req('key', 'int', k), req('value', type, v)] },
});

/** The data_file fields of column metrics (written when a table's metrics are on). */
const METRIC_FIELDS = () => [
  opt('column_sizes', kvArray(117, 118, 'long'), 108), opt('value_counts', kvArray(119, 120, 'long'), 109),
  opt('null_value_counts', kvArray(121, 122, 'long'), 110), opt('nan_value_counts', kvArray(138, 139, 'long'), 137),
  opt('lower_bounds', kvArray(126, 127, 'bytes'), 125), opt('upper_bounds', kvArray(129, 130, 'bytes'), 128),
  opt('split_offsets', { type: 'array', items: 'long', 'element-id': 133 }, 132),
];

/**
 * manifest_entry (with its data_file) of a format version; opts.metrics
 * adds the column metric maps and split_offsets.
 */
export function manifestEntrySchema(version, spec, schema, { metrics = false } = {}) {
  const df = [
    req('file_path', 'string', 100), req('file_format', 'string', 101),
    req('partition', partitionType(spec, schema), 102),
    req('record_count', 'long', 103), req('file_size_in_bytes', 'long', 104),
  ];
  if (version === 1) {
    df.push(req('block_size_in_bytes', 'long', 105));
  } else {
    df.unshift(req('content', 'int', 134));
    df.push(opt('equality_ids', { type: 'array', items: 'int', 'element-id': 136 }, 135),
      opt('sort_order_id', 'int', 140));
  }
  if (metrics) df.push(...METRIC_FIELDS());
  if (version >= 3) {
    df.push(opt('first_row_id', 'long', 142), opt('referenced_data_file', 'string', 143),
      opt('content_offset', 'long', 144), opt('content_size_in_bytes', 'long', 145));
  }
  const f = [req('status', 'int', 0)];
  if (version === 1) f.push(req('snapshot_id', 'long', 1));
  else f.push(opt('snapshot_id', 'long', 1), opt('sequence_number', 'long', 3), opt('file_sequence_number', 'long', 4));
  f.push(req('data_file', { type: 'record', name: 'r2', fields: df }, 2));
  return { type: 'record', name: 'manifest_entry', fields: f };
}

const SUMMARY = {
  type: 'array', 'element-id': 508,
  items: {
    type: 'record', name: 'r508', fields: [
      req('contains_null', 'boolean', 509), opt('contains_nan', 'boolean', 518),
      opt('lower_bound', 'bytes', 510), opt('upper_bound', 'bytes', 511)],
  },
};

/** manifest_file of a format version. */
export function manifestListSchema(version) {
  const f = [req('manifest_path', 'string', 500), req('manifest_length', 'long', 501),
    req('partition_spec_id', 'int', 502)];
  if (version >= 2) {
    f.push(req('content', 'int', 517), req('sequence_number', 'long', 515),
      req('min_sequence_number', 'long', 516), req('added_snapshot_id', 'long', 503),
      req('added_files_count', 'int', 504), req('existing_files_count', 'int', 505),
      req('deleted_files_count', 'int', 506), req('added_rows_count', 'long', 512),
      req('existing_rows_count', 'long', 513), req('deleted_rows_count', 'long', 514));
  } else {
    f.push(req('added_snapshot_id', 'long', 503), opt('added_files_count', 'int', 504),
      opt('existing_files_count', 'int', 505), opt('deleted_files_count', 'int', 506),
      opt('added_rows_count', 'long', 512), opt('existing_rows_count', 'long', 513),
      opt('deleted_rows_count', 'long', 514));
  }
  f.push(opt('partitions', SUMMARY, 507), opt('key_metadata', 'bytes', 519));
  if (version >= 3) f.push(opt('first_row_id', 'long', 520));
  return { type: 'record', name: 'manifest_file', fields: f };
}

/** A value shaped for icebird's avroWrite: longs as BigInt, by the schema. */
function forIcebird(type, v) {
  if (v === null || v === undefined) return null;
  if (Array.isArray(type)) {
    const t = type.find((x) => x !== 'null');
    return forIcebird(t, v);
  }
  if (type === 'long') return BigInt(v);
  if (type === 'bytes') return new Uint8Array(v);
  if (typeof type === 'object' && type.type === 'record') {
    const o = {};
    for (const f of type.fields) o[f.name] = forIcebird(f.type, v[f.name]);
    return o;
  }
  if (typeof type === 'object' && type.type === 'array') return v.map((x) => forIcebird(type.items, x));
  return v;
}

/** A decoded value back to plain JS: BigInt -> Number, Uint8Array -> Buffer. */
export function plain(v) {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Uint8Array) return Buffer.from(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    const o = {};
    for (const [k, x] of Object.entries(v)) o[k] = plain(x);
    return o;
  }
  return v;
}

function zigzag(n) {
  const out = [];
  let z = (BigInt(n) << 1n) ^ (BigInt(n) >> 63n);
  while (z > 0x7fn) { out.push(Number(z & 0x7fn) | 0x80); z >>= 7n; }
  out.push(Number(z));
  return Buffer.from(out);
}

function readLong(buf, at) {
  let v = 0n; let shift = 0n; let b;
  do { b = buf[at.off++]; v |= BigInt(b & 0x7f) << shift; shift += 7n; } while (b & 0x80);
  return Number((v >> 1n) ^ -(v & 1n));
}

/**
 * icebird's avroWrite writes only avro.schema and avro.codec; Iceberg
 * readers need the spec's keys too, so they are added to its header (the
 * data blocks stay icebird's own bytes).
 */
function addMetadata(buf, meta) {
  const at = { off: 4 };
  const pairs = [];
  for (;;) {
    let n = readLong(buf, at);
    if (n === 0) break;
    if (n < 0) { n = -n; readLong(buf, at); }
    for (let i = 0; i < n; i++) {
      const kl = readLong(buf, at); const k = buf.subarray(at.off, at.off + kl); at.off += kl;
      const vl = readLong(buf, at); const v = buf.subarray(at.off, at.off + vl); at.off += vl;
      pairs.push([k, v]);
    }
  }
  for (const [k, v] of Object.entries(meta)) pairs.push([Buffer.from(k), Buffer.from(String(v))]);
  const parts = [buf.subarray(0, 4), zigzag(pairs.length)];
  for (const [k, v] of pairs) parts.push(zigzag(k.length), k, zigzag(v.length), v);
  parts.push(zigzag(0), buf.subarray(at.off));
  return Buffer.concat(parts);
}

/** An Avro object container of records, by writer 'avsc' or 'icebird'. */
export async function writeAvro(writer, schema, records, meta) {
  if (writer === 'icebird') {
    if (JSON.stringify(schema).includes('"fixed"')) throw new Error('harness: icebird cannot write Avro fixed (decimal/uuid partitions): use writer avsc');
    const w = new ByteWriter();
    avroWrite({ writer: w, schema, records: records.map((r) => forIcebird(schema, r)) });
    return addMetadata(Buffer.from(w.getBuffer()), meta);
  }
  if (writer !== 'avsc') throw new Error(`unknown Avro writer ${writer}`);
  const enc = new avsc.streams.BlockEncoder(schema, {
    codec: 'null',
    metadata: Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, Buffer.from(String(v))])),
  });
  const chunks = [];
  enc.on('data', (c) => chunks.push(c));
  const done = new Promise((resolve, reject) => { enc.on('end', resolve); enc.on('error', reject); });
  for (const r of records) enc.write(r);
  enc.end();
  await done;
  return Buffer.concat(chunks);
}

/** { meta, records } of an Avro container (avsc's reader, writer's schema). */
export function readAvro(buf) {
  return new Promise((resolve, reject) => {
    const records = [];
    let meta = {};
    const dec = new avsc.streams.BlockDecoder();
    dec.on('metadata', (type, codec, header) => {
      meta = Object.fromEntries(Object.entries(header.meta).map(([k, v]) => [k, v.toString()]));
    });
    dec.on('data', (r) => records.push(plain(r)));
    dec.on('end', () => resolve({ meta, records }));
    dec.on('error', reject);
    dec.end(buf);
  });
}

// --- values: Appendix D bytes, order, the Avro form -------------------------------
//
// A value in this harness, by Iceberg type: int, long, date (days from
// 1970-01-01), timestamp/timestamptz (microseconds from the epoch), float,
// double: a Number (a long or timestamp may be a BigInt on input);
// decimal(P,S): the unscaled value as a BigInt (12.34 in decimal(9,2) is
// 1234n; a Number is taken as unscaled too); string; boolean; uuid: the
// 8-4-4-4-12 hex string.

const isNum = (v) => typeof v === 'number' || typeof v === 'bigint';

/** A row value normalised to the harness's form for its type. */
export function normValue(type, v) {
  if (v === null || v === undefined) return null;
  const t = parseType(type);
  switch (t.id) {
    case 'int': case 'long': case 'date': case 'timestamp': case 'timestamptz': case 'time':
      return Number(v);
    case 'decimal': return BigInt(v);
    case 'uuid': return String(v).toLowerCase();
    default: return v;
  }
}

/** A BigInt as its minimal two's-complement big-endian bytes (Java's toByteArray). */
export function bigBytes(n) {
  const out = [];
  let x = BigInt(n);
  for (;;) {
    out.unshift(Number(BigInt.asUintN(8, x)));
    x >>= 8n;
    if ((x === 0n && !(out[0] & 0x80)) || (x === -1n && (out[0] & 0x80))) break;
  }
  return Buffer.from(out);
}

function bigFrom(buf) {
  let x = 0n;
  for (const b of buf) x = (x << 8n) | BigInt(b);
  return buf.length && buf[0] & 0x80 ? x - (1n << BigInt(8 * buf.length)) : x;
}

export const uuidBytes = (u) => Buffer.from(String(u).replace(/-/g, ''), 'hex');
export const uuidString = (b) => {
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

/** Iceberg's single-value binary form (Appendix D) of a value of type. */
export function valueBytes(type, v) {
  const t = parseType(type);
  switch (t.id) {
    case 'string': return Buffer.from(String(v), 'utf8');
    case 'long': case 'timestamp': case 'timestamptz': case 'time': {
      const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(v)); return b;
    }
    case 'boolean': return Buffer.from([v ? 1 : 0]);
    case 'double': { const b = Buffer.alloc(8); b.writeDoubleLE(v); return b; }
    case 'float': { const b = Buffer.alloc(4); b.writeFloatLE(v); return b; }
    case 'decimal': return bigBytes(v);
    case 'uuid': return uuidBytes(v);
    default: { const b = Buffer.alloc(4); b.writeInt32LE(Number(v)); return b; }
  }
}

/** Appendix D bytes back to a value of type. */
export function valueFromBytes(type, buf) {
  const b = Buffer.from(buf);
  const t = parseType(type);
  switch (t.id) {
    case 'string': return b.toString('utf8');
    case 'long': case 'timestamp': case 'timestamptz': case 'time': return Number(b.readBigInt64LE(0));
    case 'boolean': return b[0] !== 0;
    case 'double': return b.readDoubleLE(0);
    case 'float': return b.readFloatLE(0);
    case 'decimal': return bigFrom(b);
    case 'uuid': return uuidString(b);
    default: return b.readInt32LE(0);
  }
}

/** Order of two non-null values of one type (strings by their UTF-8 bytes). */
export function compareValues(type, a, b) {
  const t = parseType(type);
  if (t.id === 'string') return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  if (t.id === 'boolean') return (a ? 1 : 0) - (b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A partition value as the Avro record holds it (decimal, uuid: fixed bytes). */
export function toAvroValue(type, v) {
  if (v === null || v === undefined || Buffer.isBuffer(v) || v instanceof Uint8Array) return v ?? null;
  const t = parseType(type);
  if (t.id === 'uuid') return uuidBytes(v);
  if (t.id === 'decimal') {
    const n = decimalSize(t.precision);
    const raw = bigBytes(v);
    const pad = Buffer.alloc(n - raw.length, raw[0] & 0x80 ? 0xff : 0);
    return Buffer.concat([pad, raw]);
  }
  return v;
}

/** A partition value read from Avro back to the harness's form. */
export function fromAvroValue(type, v) {
  if (v === null || v === undefined) return null;
  const t = parseType(type);
  if (t.id === 'uuid') return uuidString(v);
  if (t.id === 'decimal') return bigFrom(Buffer.from(v));
  return normValue(type, v);
}
