// A big partitioned Iceberg table, written fast (issues 28 and 42): one
// format-v2 table under LOCATION with one snapshot whose manifest list
// names MANIFESTS manifests of FILES_PER_MANIFEST data files each.  The
// table is partitioned by identity on `part` (int); manifest k holds
// partition k only, so a filter on `part` prunes whole manifests by the
// list's partition summaries, as a well-clustered table would.  Each data
// file carries column metrics (value, null and NaN counts, lower and
// upper bounds of `id` and `part`) in Iceberg's single-value binary form:
// file j of manifest k holds ids [base, base + 99] where base is
// (k * FILES + j) * 100.  Data files are never written: a plan never opens
// one.  Manifests and the list are Avro object containers written by avsc
// to the Iceberg spec; the metadata JSON is written directly, and its path
// returned (with the data file count) for POST .../register.  Used by the
// planning tests (scan_plan_limits.test.js) and the bench
// (tests/bench/scan_gen.js).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const avsc = require('avsc');

const opt = (name, type, id) => ({ name, type: ['null', type], default: null, 'field-id': id });
const fld = (name, type, id) => ({ name, type, 'field-id': id });

const SCHEMA = {
  type: 'struct', 'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'part', required: true, type: 'int' },
    { id: 3, name: 'name', required: false, type: 'string' },
  ],
};
const SPEC = { 'spec-id': 0, fields: [{ name: 'part', transform: 'identity', 'source-id': 2, 'field-id': 1000 }] };

const countMap = (id, kid, vid) => opt(id === 109 ? 'value_counts' : id === 110 ?
  'null_value_counts' : 'nan_value_counts', {
  type: 'array', 'element-id': kid + 1000, items: {
    type: 'record', name: `k${kid}_v${vid}`,
    fields: [fld('key', 'int', kid), fld('value', 'long', vid)],
  },
}, id);
const boundMap = (name, id, kid, vid) => opt(name, {
  type: 'array', 'element-id': kid + 1000, items: {
    type: 'record', name: `k${kid}_v${vid}`,
    fields: [fld('key', 'int', kid), fld('value', 'bytes', vid)],
  },
}, id);

const ENTRY = {
  type: 'record', name: 'manifest_entry', fields: [
    fld('status', 'int', 0), opt('snapshot_id', 'long', 1),
    opt('sequence_number', 'long', 3), opt('file_sequence_number', 'long', 4),
    fld('data_file', {
      type: 'record', name: 'r2', fields: [
        fld('content', 'int', 134), fld('file_path', 'string', 100),
        fld('file_format', 'string', 101),
        fld('partition', { type: 'record', name: 'r102', fields: [opt('part', 'int', 1000)] }, 102),
        fld('record_count', 'long', 103), fld('file_size_in_bytes', 'long', 104),
        countMap(109, 119, 120), countMap(110, 121, 122), countMap(137, 138, 139),
        boundMap('lower_bounds', 125, 126, 127), boundMap('upper_bounds', 128, 129, 130),
        opt('equality_ids', { type: 'array', items: 'int', 'element-id': 136 }, 135),
        opt('sort_order_id', 'int', 140),
      ],
    }, 2),
  ],
};

const LIST = {
  type: 'record', name: 'manifest_file', fields: [
    fld('manifest_path', 'string', 500), fld('manifest_length', 'long', 501),
    fld('partition_spec_id', 'int', 502), fld('content', 'int', 517),
    fld('sequence_number', 'long', 515), fld('min_sequence_number', 'long', 516),
    fld('added_snapshot_id', 'long', 503), fld('added_files_count', 'int', 504),
    fld('existing_files_count', 'int', 505), fld('deleted_files_count', 'int', 506),
    fld('added_rows_count', 'long', 512), fld('existing_rows_count', 'long', 513),
    fld('deleted_rows_count', 'long', 514),
    opt('partitions', {
      type: 'array', 'element-id': 508, items: {
        type: 'record', name: 'r508', fields: [
          fld('contains_null', 'boolean', 509), opt('contains_nan', 'boolean', 518),
          opt('lower_bound', 'bytes', 510), opt('upper_bound', 'bytes', 511)],
      },
    }, 507),
    opt('key_metadata', 'bytes', 519),
  ],
};

const ENTRY_TYPE = avsc.Type.forSchema(ENTRY);
const LIST_TYPE = avsc.Type.forSchema(LIST);

function int4(v) {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v);
  return b;
}
function long8(v) {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(v));
  return b;
}

// An Avro object container of one block, built by hand around avsc's
// record encoding: a few times faster than the stream encoder for a
// million records.
function container(type, schema, records, meta) {
  const sync = crypto.randomBytes(16);
  const metaType = avsc.Type.forSchema({ type: 'map', values: 'bytes' });
  const m = { 'avro.schema': Buffer.from(JSON.stringify(schema)), 'avro.codec': Buffer.from('null') };
  for (const [k, v] of Object.entries(meta))
    m[k] = Buffer.from(String(v));
  const body = Buffer.concat(records.map((r) => type.toBuffer(r)));
  const longType = avsc.Type.forSchema('long');
  return Buffer.concat([Buffer.from('Obj\x01', 'binary'), metaType.toBuffer(m), sync,
    longType.toBuffer(records.length), longType.toBuffer(body.length), body, sync]);
}

export function writeBigTable(loc, manifests, perManifest) {
  const md = path.join(loc, 'metadata');
  fs.mkdirSync(md, { recursive: true });
  const uuid = crypto.randomUUID();
  const entryMeta = {
    schema: JSON.stringify(SCHEMA), 'schema-id': 0,
    'partition-spec': JSON.stringify(SPEC.fields), 'partition-spec-id': 0,
    'format-version': 2, content: 'data',
  };
  const refs = [];
  for (let k = 0; k < manifests; k++) {
    const entries = [];
    for (let j = 0; j < perManifest; j++) {
      const base = (k * perManifest + j) * 100;
      entries.push({
        status: 1, snapshot_id: 1, sequence_number: 1, file_sequence_number: 1,
        data_file: {
          content: 0, file_path: `file://${loc}/data/part=${k}/f${j}.parquet`,
          file_format: 'PARQUET', partition: { part: k },
          record_count: 100, file_size_in_bytes: 4096,
          value_counts: [{ key: 1, value: 100 }, { key: 2, value: 100 }],
          null_value_counts: [{ key: 1, value: 0 }, { key: 2, value: 0 }],
          nan_value_counts: null,
          lower_bounds: [{ key: 1, value: long8(base) }, { key: 2, value: int4(k) }],
          upper_bounds: [{ key: 1, value: long8(base + 99) }, { key: 2, value: int4(k) }],
          equality_ids: null, sort_order_id: null,
        },
      });
    }
    const mpath = path.join(md, `${uuid}-m${k}.avro`);
    const buf = container(ENTRY_TYPE, ENTRY, entries, entryMeta);
    fs.writeFileSync(mpath, buf);
    refs.push({
      manifest_path: `file://${mpath}`, manifest_length: buf.length, partition_spec_id: 0,
      content: 0, sequence_number: 1, min_sequence_number: 1, added_snapshot_id: 1,
      added_files_count: perManifest, existing_files_count: 0, deleted_files_count: 0,
      added_rows_count: perManifest * 100, existing_rows_count: 0, deleted_rows_count: 0,
      partitions: [{ contains_null: false, contains_nan: null, lower_bound: int4(k), upper_bound: int4(k) }],
      key_metadata: null,
    });
  }
  const lpath = path.join(md, `snap-1-1-${uuid}.avro`);
  fs.writeFileSync(lpath, container(LIST_TYPE, LIST, refs, {
    'snapshot-id': 1, 'parent-snapshot-id': 'null', 'sequence-number': 1, 'format-version': 2,
  }));
  const now = Date.now();
  const files = manifests * perManifest;
  const meta = {
    'format-version': 2, 'table-uuid': uuid, location: `file://${loc}`,
    'last-sequence-number': 1, 'last-updated-ms': now, 'last-column-id': 3,
    schemas: [SCHEMA], 'current-schema-id': 0, 'partition-specs': [SPEC],
    'default-spec-id': 0, 'last-partition-id': 1000, properties: {},
    'current-snapshot-id': 1, refs: { main: { 'snapshot-id': 1, type: 'branch' } },
    snapshots: [{
      'snapshot-id': 1, 'sequence-number': 1, 'timestamp-ms': now,
      'manifest-list': `file://${lpath}`, 'schema-id': 0,
      summary: { operation: 'append', 'added-data-files': String(files), 'total-data-files': String(files) },
    }],
    'snapshot-log': [{ 'snapshot-id': 1, 'timestamp-ms': now }], 'metadata-log': [],
    'sort-orders': [{ 'order-id': 0, fields: [] }], 'default-sort-order-id': 0,
  };
  const mdFile = path.join(md, `00000-${crypto.randomUUID()}.metadata.json`);
  fs.writeFileSync(mdFile, JSON.stringify(meta));
  return { metadata: mdFile, files };
}
