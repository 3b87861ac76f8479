// A big Iceberg table for the maintenance bench (issue 12), written fast:
//
//   node maint_gen.js gen LOCATION SNAPSHOTS FILES_PER_SNAPSHOT ORPHANS ORPHAN_DIR
//
// writes under LOCATION one format-v2 table of SNAPSHOTS snapshots, each an
// overwrite that replaces the whole table with FILES_PER_SNAPSHOT new data
// files: its manifest list (one manifest) and its manifest (the new files,
// status ADDED), both Avro object containers written by avsc to the
// Iceberg spec (field ids, the spec's header keys).  Every older snapshot
// is still readable, so an expire keeping the last one frees every other
// snapshot's manifest list, manifest and data files.  Data files are empty
// placeholders (maintenance lists and deletes them, never reads them).
// The metadata JSON is written directly (no commits); its path is printed,
// for POST .../register.  ORPHANS more files, which no snapshot reaches,
// go under ORPHAN_DIR with the same relative layout (data/<k>/), so that
// `cp -al ORPHAN_DIR/. LOCATION/` mixes them into the table's directories.
//
//   node maint_gen.js req METHOD URL [JSON]     one request; prints "status body"
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');
const { createRequire } = require('module');

const req = createRequire(path.resolve(__dirname, '../integration/package.json'));
const avsc = req('avsc');

const opt = (name, type, id) => ({ name, type: ['null', type], default: null, 'field-id': id });
const fld = (name, type, id) => ({ name, type, 'field-id': id });

const SCHEMA = {
	type: 'struct', 'schema-id': 0,
	fields: [
		{ id: 1, name: 'id', required: true, type: 'long' },
		{ id: 2, name: 'name', required: false, type: 'string' },
	],
};
const SPEC = { 'spec-id': 0, fields: [] };

// manifest_entry of format v2, unpartitioned (an empty r102 record).
const ENTRY = {
	type: 'record', name: 'manifest_entry', fields: [
		fld('status', 'int', 0), opt('snapshot_id', 'long', 1),
		opt('sequence_number', 'long', 3), opt('file_sequence_number', 'long', 4),
		fld('data_file', {
			type: 'record', name: 'r2', fields: [
				fld('content', 'int', 134), fld('file_path', 'string', 100),
				fld('file_format', 'string', 101),
				fld('partition', { type: 'record', name: 'r102', fields: [] }, 102),
				fld('record_count', 'long', 103), fld('file_size_in_bytes', 'long', 104),
				opt('equality_ids', { type: 'array', items: 'int', 'element-id': 136 }, 135),
				opt('sort_order_id', 'int', 140),
			],
		}, 2),
	],
};

// manifest_file of format v2.
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

// One Avro object container (avsc's BlockEncoder), synchronously: the
// encoder's output is collected as it is pushed.
function avro(schema, records, meta) {
	const enc = new avsc.streams.BlockEncoder(schema, {
		codec: 'null',
		blockSize: 1 << 20,
		metadata: Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, Buffer.from(String(v))])),
	});
	const chunks = [];
	enc.on('data', (c) => chunks.push(c));
	return new Promise((resolve, reject) => {
		enc.on('end', () => resolve(Buffer.concat(chunks)));
		enc.on('error', reject);
		for (const r of records)
			enc.write(r);
		enc.end();
	});
}

// A new file of buf's bytes (none: empty).  open + write + close:
// fs.writeFileSync costs about four times as much per file here.
function put(file, buf) {
	const fd = fs.openSync(file, 'wx');
	if (buf && buf.length)
		fs.writeSync(fd, buf);
	fs.closeSync(fd);
}

async function gen(loc, snapshots, perSnap, orphans, orphanDir) {
	const md = path.join(loc, 'metadata');
	fs.mkdirSync(md, { recursive: true });
	const entryMeta = {
		schema: JSON.stringify(SCHEMA), 'schema-id': 0,
		'partition-spec': '[]', 'partition-spec-id': 0, 'format-version': 2, content: 'data',
	};
	const base = Date.now() - 30 * 24 * 3600 * 1000;
	const snaps = [];
	const log = [];
	const uuid = crypto.randomUUID();
	let dataFiles = 0;
	let dir = null;
	for (let i = 0; i < snapshots; i++) {
		const id = i + 1, seq = i + 1;
		const k = Math.floor(i / 100);
		const d = path.join(loc, 'data', String(k));
		if (d !== dir) {
			fs.mkdirSync(d, { recursive: true });
			dir = d;
		}
		const entries = [];
		for (let j = 0; j < perSnap; j++) {
			const f = path.join(d, `s${id}-${j}.parquet`);
			put(f);
			dataFiles++;
			entries.push({
				status: 1, snapshot_id: id, sequence_number: seq, file_sequence_number: seq,
				data_file: {
					content: 0, file_path: `file://${f}`, file_format: 'PARQUET', partition: {},
					record_count: 1, file_size_in_bytes: 0, equality_ids: null, sort_order_id: null,
				},
			});
		}
		const mpath = path.join(md, `${uuid}-s${id}-m0.avro`);
		const mbuf = await avro(ENTRY, entries, entryMeta);
		put(mpath, mbuf);
		const lpath = path.join(md, `snap-${id}-1-${uuid}.avro`);
		const lbuf = await avro(LIST, [{
			manifest_path: `file://${mpath}`, manifest_length: mbuf.length, partition_spec_id: 0,
			content: 0, sequence_number: seq, min_sequence_number: seq, added_snapshot_id: id,
			added_files_count: perSnap, existing_files_count: 0, deleted_files_count: 0,
			added_rows_count: perSnap, existing_rows_count: 0, deleted_rows_count: 0,
			partitions: [], key_metadata: null,
		}], {
			'snapshot-id': id, 'parent-snapshot-id': i ? String(i) : 'null',
			'sequence-number': seq, 'format-version': 2,
		});
		put(lpath, lbuf);
		const ts = base + i * 1000;
		const s = {
			'snapshot-id': id, 'sequence-number': seq, 'timestamp-ms': ts,
			'manifest-list': `file://${lpath}`,
			summary: {
				operation: 'overwrite', 'added-data-files': String(perSnap),
				'total-data-files': String(perSnap), 'added-records': String(perSnap),
				'total-records': String(perSnap),
			},
			'schema-id': 0,
		};
		if (i)
			s['parent-snapshot-id'] = i;
		snaps.push(s);
		log.push({ 'snapshot-id': id, 'timestamp-ms': ts });
	}
	const last = snapshots;
	const meta = {
		'format-version': 2, 'table-uuid': uuid, location: `file://${loc}`,
		'last-sequence-number': snapshots, 'last-updated-ms': base + snapshots * 1000,
		'last-column-id': 2, schemas: [SCHEMA], 'current-schema-id': 0,
		'partition-specs': [SPEC], 'default-spec-id': 0, 'last-partition-id': 999,
		properties: {}, 'current-snapshot-id': last,
		refs: { main: { 'snapshot-id': last, type: 'branch' } },
		snapshots: snaps, 'snapshot-log': log, 'metadata-log': [],
		'sort-orders': [{ 'order-id': 0, fields: [] }], 'default-sort-order-id': 0,
	};
	const mdFile = path.join(md, `00000-${crypto.randomUUID()}.metadata.json`);
	fs.writeFileSync(mdFile, JSON.stringify(meta));
	// Orphans: spread over the same data/<k>/ directories.
	const dirs = Math.max(1, Math.ceil(snapshots / 100));
	for (let i = 0; i < orphans; i++) {
		const d = path.join(orphanDir, 'data', String(i % dirs));
		if (i < dirs)
			fs.mkdirSync(d, { recursive: true });
		put(path.join(d, `orphan-${i}.parquet`));
	}
	process.stdout.write(`${mdFile} ${dataFiles} ${snapshots * 2 + 1}\n`);
}

function request(method, url, body) {
	return new Promise((resolve, reject) => {
		const u = new URL(url);
		const data = body === undefined ? null : Buffer.from(body);
		const r = http.request({
			method, host: u.hostname, port: u.port, path: u.pathname + u.search,
			headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {},
		}, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
		});
		r.on('error', reject);
		if (data)
			r.write(data);
		r.end();
	});
}

async function main(argv) {
	if (argv[0] === 'gen' && argv.length === 6)
		return gen(path.resolve(argv[1]), +argv[2], +argv[3], +argv[4], path.resolve(argv[5]));
	if (argv[0] === 'req' && argv.length >= 3) {
		const r = await request(argv[1], argv[2], argv[3]);
		process.stdout.write(`${r.status} ${r.text}\n`);
		return;
	}
	process.stderr.write('usage: maint_gen.js gen LOCATION SNAPSHOTS FILES_PER_SNAPSHOT ORPHANS ORPHAN_DIR\n');
	process.exit(2);
}

module.exports = { request };
if (require.main === module)
	main(process.argv.slice(2)).catch((e) => { console.error(e); process.exit(1); });
