// An independent, brute-force scan planner for the scan planning suites:
// given a table's metadata (as loaded over REST), a snapshot id and a REST
// filter expression (the spec's JSON forms), it reads the manifest list
// and every manifest itself and answers, for the snapshot's live data
// files:
//
//   truth        the files with at least one row (read from the Parquet
//                file itself) matching the filter: a planner must keep
//                every one of them (deletes are not applied: a row deleted
//                later still makes its file a candidate);
//   metricsKept  the files a planner using only partition values and
//                column metrics (Iceberg's inclusive projection and
//                inclusive metrics rules, evaluated predicate by
//                predicate) would keep: pruning as well as the spec allows
//                means planned is a subset of it;
//   deletes      for each data file, the delete files that apply to it by
//                the table spec's sequence number and partition rules.
//
// Written from the Iceberg spec, not from the C planner.  Values follow
// lib/iceberg_data.js (dates in days, timestamps in microseconds, decimals
// as unscaled BigInts, uuids as strings).
//
//   const o = await scanOracle({ metadata, snapshotId, filter });
//   for (const f of o.truth) assert.ok(planned.has(f));
//   for (const f of planned) assert.ok(o.metricsKept.has(f));
import fs from 'node:fs';
import {
  readAvro, readFileRows, localPath, parseType, normValue, compareValues,
  valueFromBytes, fromAvroValue, applyTransform, transformResultType,
} from './iceberg_data.js';

// --- expressions ------------------------------------------------------------

const NEGATE = {
  lt: 'gt-eq', 'lt-eq': 'gt', gt: 'lt-eq', 'gt-eq': 'lt', eq: 'not-eq', 'not-eq': 'eq',
  in: 'not-in', 'not-in': 'in', 'is-null': 'not-null', 'not-null': 'is-null',
  'is-nan': 'not-nan', 'not-nan': 'is-nan', 'starts-with': 'not-starts-with',
  'not-starts-with': 'starts-with',
};

/** A REST expression normalised: booleans as {type:true|false}, NOT pushed to the leaves. */
export function normalize(e, negate = false) {
  if (e === true || e === false) e = { type: String(e) };
  if (typeof e !== 'object' || e === null) throw new Error(`oracle: not an expression: ${JSON.stringify(e)}`);
  switch (e.type) {
    case 'true': case 'false': {
      const b = (e.type === 'true') !== negate;
      return { type: String(b) };
    }
    case 'not': return normalize(e.child, !negate);
    case 'and': case 'or': {
      const type = (e.type === 'and') !== negate ? 'and' : 'or';
      return { type, left: normalize(e.left, negate), right: normalize(e.right, negate) };
    }
    default: {
      if (!NEGATE[e.type]) throw new Error(`oracle: unknown expression type ${e.type}`);
      // The spec's preferred form: left/right (or child) with a reference
      // {"type":"reference","name"} and a literal {"type":"literal","value"}.
      if (e.term === undefined && (e.left !== undefined || e.child !== undefined)) {
        const ref = e.left ?? e.child;
        const lit = e.right;
        e = { type: e.type, term: typeof ref === 'string' ? ref : ref };
        if (ref && typeof ref === 'object' && ref.type === 'reference') e.term = ref.name;
        if (lit !== undefined) e.value = lit && typeof lit === 'object' && lit.type === 'literal' ? lit.value : lit;
      }
      if (e.term === undefined && e.child !== undefined) e = { ...e, term: e.child };
      const term = typeof e.term === 'string' ? e.term : e.term?.term;
      if (typeof term !== 'string' || (typeof e.term === 'object' && e.term.type !== 'reference')) {
        throw new Error(`oracle: only column references are supported (${JSON.stringify(e.term)})`);
      }
      const out = { type: negate ? NEGATE[e.type] : e.type, term };
      if ('value' in e) out.value = e.value;
      if ('values' in e) out.values = e.values;
      return out;
    }
  }
}

/** Days from 1970-01-01 of "YYYY-MM-DD". */
function days(s) {
  const m = /^(-?\d{4,})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) throw new Error(`oracle: not a date: ${s}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86400000;
}

/** Microseconds from the epoch of "YYYY-MM-DDTHH:MM:SS[.ffffff][Z|+00:00]". */
function micros(s) {
  const m = /^(-?\d{4,}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?$/.exec(s);
  if (!m) throw new Error(`oracle: not a timestamp: ${s}`);
  let us = days(m[1]) * 86400e6 + (Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0)) * 1e6;
  us += Number(((m[5] ?? '') + '000000').slice(0, 6));
  if (m[6] && m[6] !== 'Z') {
    const sign = m[6][0] === '-' ? -1 : 1;
    us -= sign * (Number(m[6].slice(1, 3)) * 60 + Number(m[6].slice(4, 6))) * 60e6;
  }
  return us;
}

/** A REST literal (Appendix C JSON, or a bare number) as a value of type. */
export function literal(type, lit) {
  if (lit !== null && typeof lit === 'object' && 'value' in lit) lit = lit.value;	// {type, value}
  const t = parseType(type);
  switch (t.id) {
    case 'date': return typeof lit === 'string' ? days(lit) : Number(lit);
    case 'timestamp': case 'timestamptz': return typeof lit === 'string' ? micros(lit) : Number(lit);
    case 'decimal': {
      if (typeof lit === 'bigint') return lit;
      const str = String(lit);
      const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(str);
      if (!m) throw new Error(`oracle: not a decimal: ${str}`);
      const frac = ((m[3] ?? '') + '0'.repeat(t.scale)).slice(0, t.scale);
      const v = BigInt((m[2] || '0') + frac);
      return m[1] ? -v : v;
    }
    default: return normValue(type, lit);
  }
}

const isNaNv = (v) => typeof v === 'number' && Number.isNaN(v);

/** A bound predicate on one row value (null semantics of Iceberg's evaluator). */
function testValue(p, type, v) {
  const cmp = (lit) => compareValues(type, v, lit);
  switch (p.type) {
    case 'is-null': return v === null;
    case 'not-null': return v !== null;
    case 'is-nan': return isNaNv(v);
    case 'not-nan': return !isNaNv(v);
    case 'starts-with': return v !== null && String(v).startsWith(p.lit);
    case 'not-starts-with': return v === null || !String(v).startsWith(p.lit);
    case 'in': return v !== null && !isNaNv(v) && p.lits.some((l) => cmp(l) === 0);
    case 'not-in': return v === null || isNaNv(v) || p.lits.every((l) => cmp(l) !== 0);
    case 'not-eq': return v === null || isNaNv(v) || cmp(p.lit) !== 0;
    default: break;
  }
  if (v === null || isNaNv(v)) return false;
  const c = cmp(p.lit);
  switch (p.type) {
    case 'lt': return c < 0;
    case 'lt-eq': return c <= 0;
    case 'gt': return c > 0;
    case 'gt-eq': return c >= 0;
    case 'eq': return c === 0;
    default: throw new Error(`oracle: unknown predicate ${p.type}`);
  }
}

/** Bind a normalised expression to schema: each predicate gets field and literals. */
export function bind(e, schema) {
  if (e.type === 'true' || e.type === 'false') return e;
  if (e.type === 'and' || e.type === 'or') return { type: e.type, left: bind(e.left, schema), right: bind(e.right, schema) };
  const field = schema.fields.find((f) => f.name === e.term);
  if (!field) throw new Error(`oracle: no column ${e.term}`);
  const out = { ...e, field };
  if ('value' in e) out.lit = literal(field.type, e.value);
  if ('values' in e) out.lits = e.values.map((x) => literal(field.type, x));
  return out;
}

/** Evaluate a bound expression, leaves by leaf(p) -> boolean. */
function evalWith(e, leaf) {
  switch (e.type) {
    case 'true': return true;
    case 'false': return false;
    case 'and': return evalWith(e.left, leaf) && evalWith(e.right, leaf);
    case 'or': return evalWith(e.left, leaf) || evalWith(e.right, leaf);
    default: return leaf(e);
  }
}

/** 1 when a row matches a bound expression. */
export function rowMatches(bound, row) {
  return evalWith(bound, (p) => testValue(p, p.field.type, normValue(p.field.type, row[p.field.name] ?? null)));
}

// --- partitions: inclusive projection -----------------------------------------

/**
 * Might a partition tuple hold a row matching predicate p?  Each partition
 * field on p's column projects p inclusively (a weaker predicate on the
 * transformed value); any projection false rules the file out.
 */
function partitionMightMatch(p, spec, tuple) {
  for (const pf of spec.fields) {
    if (pf['source-id'] !== p.field.id) continue;
    const rtype = transformResultType(pf.transform, p.field.type);
    const pv = fromAvroValue(rtype, tuple[pf.name] ?? null);
    const q = project(p, pf.transform, rtype);
    if (q && !testValue(q, rtype, pv)) return false;
  }
  return true;
}

/** The inclusive projection of p through a transform; null: no projection (true). */
function project(p, transform, rtype) {
  const t = (v) => applyTransform(transform, p.field.type, v);
  const type = p.field.type;
  const tid = parseType(type).id;
  if (transform === 'void') return null;
  if (p.type === 'is-null' || p.type === 'not-null') return { type: p.type };
  if (transform === 'identity') return p;
  if (p.type === 'is-nan' || p.type === 'not-nan') return null;
  const bucket = transform.startsWith('bucket');
  const strTrunc = transform.startsWith('truncate') && tid === 'string';
  const width = strTrunc ? Number(/\[(\d+)\]/.exec(transform)[1]) : 0;
  switch (p.type) {
    case 'eq': return { type: 'eq', lit: t(p.lit) };
    case 'in': return { type: 'in', lits: p.lits.map(t) };
    case 'starts-with':
      if (!strTrunc) return null;
      return Array.from(p.lit).length >= width ? { type: 'eq', lit: t(p.lit) } : { type: 'starts-with', lit: p.lit };
    case 'lt': case 'lt-eq': case 'gt': case 'gt-eq': {
      if (bucket) return null;
      const lower = p.type === 'lt' || p.type === 'lt-eq';
      let v = p.lit;
      // x < v means x <= v - 1 for the integer-like types (dates, timestamps, decimals' unscaled).
      if (!strTrunc && (p.type === 'lt' || p.type === 'gt')) {
        v = typeof v === 'bigint' ? v + (lower ? -1n : 1n) : v + (lower ? -1 : 1);
      }
      return { type: lower ? 'lt-eq' : 'gt-eq', lit: t(v) };
    }
    default: return null;	// not-eq, not-in, not-starts-with: only identity decides
  }
}

// --- column metrics -----------------------------------------------------------

const metricOf = (list, id) => {
  const kv = (list ?? []).find((x) => x.key === id);
  return kv === undefined ? null : kv.value;
};

/** Might a file with these metrics hold a row matching predicate p? */
function metricsMightMatch(p, df) {
  const id = p.field.id;
  const type = p.field.type;
  const vc = metricOf(df.value_counts, id);
  const nc = metricOf(df.null_value_counts, id);
  const nan = metricOf(df.nan_value_counts, id);
  const lo = metricOf(df.lower_bounds, id);
  const hi = metricOf(df.upper_bounds, id);
  const lower = lo === null ? null : valueFromBytes(type, lo);
  const upper = hi === null ? null : valueFromBytes(type, hi);
  const allNull = vc !== null && nc !== null && nc === vc;
  const allNaN = vc !== null && nan !== null && nan === vc;
  const cmp = (a, b) => compareValues(type, a, b);
  switch (p.type) {
    case 'is-null': return !(nc === 0);
    case 'not-null': return !allNull;
    case 'is-nan': return !(nan === 0) && !allNull;
    case 'not-nan': return !allNaN;
    case 'not-eq': case 'not-in': case 'not-starts-with': return true;
    default: break;
  }
  if (allNull || allNaN) return false;
  const okLo = lower !== null && !isNaNv(lower);
  const okHi = upper !== null && !isNaNv(upper);
  switch (p.type) {
    case 'lt': return !(okLo && cmp(lower, p.lit) >= 0);
    case 'lt-eq': return !(okLo && cmp(lower, p.lit) > 0);
    case 'gt': return !(okHi && cmp(upper, p.lit) <= 0);
    case 'gt-eq': return !(okHi && cmp(upper, p.lit) < 0);
    case 'eq': return !((okLo && cmp(lower, p.lit) > 0) || (okHi && cmp(upper, p.lit) < 0));
    case 'in': return p.lits.some((l) => !((okLo && cmp(lower, l) > 0) || (okHi && cmp(upper, l) < 0)));
    case 'starts-with': {
      const n = Buffer.byteLength(p.lit, 'utf8');
      const pre = Buffer.from(p.lit, 'utf8');
      if (okLo && Buffer.compare(Buffer.from(lower, 'utf8').subarray(0, n), pre) > 0) return false;
      if (okHi && Buffer.compare(Buffer.from(upper, 'utf8').subarray(0, n), pre) < 0) return false;
      return true;
    }
    default: return true;
  }
}

// --- the snapshot's files -----------------------------------------------------

const samePartition = (a, b) => JSON.stringify(a ?? {}, (k, v) => (v && v.type === 'Buffer' ? Buffer.from(v.data).toString('hex') : v)) ===
  JSON.stringify(b ?? {}, (k, v) => (v && v.type === 'Buffer' ? Buffer.from(v.data).toString('hex') : v));

/**
 * The live files of a snapshot: [{ path, content, specId, partition (as
 * Avro holds it), seq (data sequence number), entry, manifest }].
 */
export async function liveFiles(metadata, snapshotId) {
  const snap = metadata.snapshots?.find((s) => s['snapshot-id'] === snapshotId);
  if (!snap) throw new Error(`oracle: snapshot ${snapshotId} not in metadata`);
  const { records: manifests } = await readAvro(fs.readFileSync(localPath(snap['manifest-list'])));
  const out = [];
  for (const m of manifests) {
    const { records } = await readAvro(fs.readFileSync(localPath(m.manifest_path)));
    for (const e of records) {
      if (e.status === 2) continue;
      // An ADDED entry's null sequence number is inherited from its manifest.
      const seq = e.sequence_number ?? m.sequence_number ?? 0;
      out.push({
        path: e.data_file.file_path, content: e.data_file.content ?? 0, specId: m.partition_spec_id,
        partition: e.data_file.partition ?? {}, seq, entry: e, manifest: m,
      });
    }
  }
  return out;
}

/**
 * The oracle.  metadata: TableMetadata (from a LoadTableResult);
 * snapshotId; filter: a REST expression (default true).  Returns
 * { all, truth, metricsKept, deletes, files } with sets of data file
 * paths (as the manifests write them, file://...), deletes a Map of data
 * file path to the Set of delete file paths that apply, and files the
 * live data files with their rows.
 */
export async function scanOracle({ metadata, snapshotId, filter = { type: 'true' } }) {
  const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id']);
  const specs = new Map(metadata['partition-specs'].map((sp) => [sp['spec-id'], sp]));
  const bound = bind(normalize(filter), schema);
  const live = await liveFiles(metadata, snapshotId);
  const data = live.filter((f) => f.content === 0);
  const dels = live.filter((f) => f.content !== 0);
  const all = new Set(); const truth = new Set(); const metricsKept = new Set();
  const deletes = new Map();
  for (const f of data) {
    all.add(f.path);
    f.rows = await readFileRows(f.path, schema);
    if (f.rows.some((r) => rowMatches(bound, r))) truth.add(f.path);
    const spec = specs.get(f.specId);
    const keep = f.entry.data_file.record_count > 0 &&
      evalWith(bound, (p) => partitionMightMatch(p, spec, f.partition)) &&
      evalWith(bound, (p) => metricsMightMatch(p, f.entry.data_file));
    if (keep) metricsKept.add(f.path);
    deletes.set(f.path, new Set(dels.filter((d) => deleteApplies(d, f, specs)).map((d) => d.path)));
  }
  return { all, truth, metricsKept, deletes, files: data };
}

/**
 * The table spec's rule: a position delete applies to a data file of the
 * same spec and partition with data seq <= its own; an equality delete to
 * one with data seq < its own, of the same spec and partition or any when
 * the delete's spec is unpartitioned.
 */
export function deleteApplies(d, f, specs) {
  if (d.content === 1) {
    const ref = d.entry.data_file.referenced_data_file;
    if (ref && ref !== f.path) return false;
    return f.seq <= d.seq && d.specId === f.specId && samePartition(d.partition, f.partition);
  }
  if (d.content === 2) {
    if (!(f.seq < d.seq)) return false;
    if (specs.get(d.specId)?.fields.length === 0) return true;
    return d.specId === f.specId && samePartition(d.partition, f.partition);
  }
  return false;
}
