// The maintenance bench's client (issue 12); tests/bench/maintenance.sh
// runs it.  Every figure is taken from outside, through the API, as a
// client sees it.
//
//   node maint.js task URL TABLE_PATH BODY
//       POST TABLE_PATH/maintenance with BODY; from its 202, GET the task
//       every 20 ms until it ends.  Prints "seconds status expired
//       deleted listed" (counts from the result, "-" when absent).
//   node maint.js setup URL CATALOG TABLES
//       namespace "claims" with TABLES empty tables t0..t(TABLES-1).
//   node maint.js claims URL CATALOG N POLL_MS
//       N tasks one after the other (dry-run expire of an empty table),
//       each POSTed after a random pause in [0, POLL_MS) so the runners'
//       naps are met at every phase; the time from sending the POST to
//       the first GET (every 2 ms) that shows the task claimed (running
//       or already ended).  Prints "p50_ms p90_ms max_ms".
//   node maint.js enqueue URL CATALOG N TABLES
//       N such tasks POSTed over the TABLES tables, 16 in flight (to a
//       server whose runners are off: they stay queued).
//   node maint.js drain URL N READY_FILE
//       writes READY_FILE, then polls GET /api/v1/tasks?status= until a
//       task is claimed (the runners were started meanwhile), then until
//       none is queued or running.  Prints "tasks_per_s seconds failed"
//       (failed: 1 if any task of the server failed, else 0).
'use strict';

const http = require('http');

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ENDED = new Set(['succeeded', 'failed', 'cancelled']);

function request(base, method, path, body) {
	return new Promise((resolve, reject) => {
		const u = new URL(path, base);
		const data = body === undefined ? null : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
		const r = http.request({
			agent, method, host: u.hostname, port: u.port, path: u.pathname + u.search,
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

async function post(base, path, body) {
	const r = await request(base, 'POST', path, body);
	if (r.status !== 202)
		throw new Error(`POST ${path}: ${r.status} ${r.text}`);
	return JSON.parse(r.text).task_id;
}

async function getTask(base, id) {
	const r = await request(base, 'GET', `/api/v1/tasks/${id}`);
	if (r.status !== 200)
		throw new Error(`GET task ${id}: ${r.status} ${r.text}`);
	return JSON.parse(r.text);
}

function pct(xs, p) {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}
function median(xs) {
	const s = [...xs].sort((a, b) => a - b);
	const n = s.length;
	return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

async function task(base, tablePath, body) {
	const id = await post(base, `${tablePath}/maintenance`, body);
	const t0 = process.hrtime.bigint();
	let t;
	for (;;) {
		t = await getTask(base, id);
		if (ENDED.has(t.status))
			break;
		await sleep(20);
	}
	const secs = Number(process.hrtime.bigint() - t0) / 1e9;
	const r = t.result ?? {};
	const ex = r.expire_snapshots ?? {};
	const or = r.remove_orphan_files ?? {};
	const val = (...v) => { const x = v.find((y) => y !== undefined); return x === undefined ? '-' : x; };
	if (t.status !== 'succeeded')
		process.stderr.write(`task ${id}: ${JSON.stringify(t)}\n`);
	console.log(`${secs.toFixed(3)} ${t.status} ${val(ex.expired_snapshots)} ${val(ex.deleted_files, or.deleted_files)} ${val(or.listed_files)}`);
}

const CLAIM_BODY = { operations: ['expire_snapshots'], older_than_ms: 0, dry_run: true };
const tablePath = (cat, i) => `/v1/${cat}/namespaces/claims/tables/t${i}`;

async function setup(base, cat, n) {
	let r = await request(base, 'POST', `/v1/${cat}/namespaces`, { namespace: ['claims'] });
	if (r.status !== 200 && r.status !== 409)
		throw new Error(`create namespace: ${r.status} ${r.text}`);
	for (let i = 0; i < n; i++) {
		r = await request(base, 'POST', `/v1/${cat}/namespaces/claims/tables`, {
			name: `t${i}`,
			schema: { type: 'struct', fields: [{ id: 1, name: 'id', required: true, type: 'long' }] },
		});
		if (r.status !== 200 && r.status !== 409)
			throw new Error(`create table: ${r.status} ${r.text}`);
	}
}

async function claims(base, cat, n, pollMs) {
	const lat = [];
	for (let i = 0; i < n; i++) {
		await sleep(Math.random() * pollMs);
		const t0 = process.hrtime.bigint();
		const id = await post(base, `${tablePath(cat, 0)}/maintenance`, CLAIM_BODY);
		let t;
		for (;;) {
			t = await getTask(base, id);
			if (t.status !== 'queued')
				break;
			await sleep(2);
		}
		lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
		while (!ENDED.has(t.status)) {
			await sleep(5);
			t = await getTask(base, id);
		}
		if (t.status !== 'succeeded')
			throw new Error(`claim task: ${JSON.stringify(t)}`);
	}
	console.log(`${median(lat).toFixed(1)} ${pct(lat, 0.9).toFixed(1)} ${Math.max(...lat).toFixed(1)}`);
}

async function enqueue(base, cat, n, tables) {
	let next = 0;
	await Promise.all(Array.from({ length: 16 }, async () => {
		while (next < n) {
			const i = next++;
			await post(base, `${tablePath(cat, i % tables)}/maintenance`, CLAIM_BODY);
		}
	}));
}

// How many tasks of the server have a status (0 or 1: a page of one).
async function any(base, status) {
	const r = await request(base, 'GET', `/api/v1/tasks?status=${status}&limit=1`);
	if (r.status !== 200)
		throw new Error(`GET tasks: ${r.status} ${r.text}`);
	const body = JSON.parse(r.text);
	return (Array.isArray(body) ? body : body.tasks ?? body.items ?? []).length;
}

async function drain(base, n, readyFile) {
	const fs = require('fs');
	fs.writeFileSync(readyFile, 'polling\n');
	// t0: the first GET that shows a task claimed (or no longer queued).
	for (;;) {
		if (await any(base, 'running') || await any(base, 'succeeded') || await any(base, 'failed'))
			break;
		await sleep(2);
	}
	const t0 = process.hrtime.bigint();
	for (;;) {
		if (await any(base, 'queued') === 0 && await any(base, 'running') === 0)
			break;
		await sleep(5);
	}
	const secs = Number(process.hrtime.bigint() - t0) / 1e9;
	console.log(`${(n / secs).toFixed(1)} ${secs.toFixed(3)} ${await any(base, 'failed')}`);
}

async function main(a) {
	switch (a[0]) {
	case 'task': return task(a[1], a[2], a[3]);
	case 'setup': return setup(a[1], a[2], +a[3]);
	case 'claims': return claims(a[1], a[2], +a[3], +a[4]);
	case 'enqueue': return enqueue(a[1], a[2], +a[3], +a[4]);
	case 'drain': return drain(a[1], +a[2], a[3]);
	default:
		process.stderr.write('usage: maint.js task|setup|claims|enqueue|drain ...\n');
		process.exit(2);
	}
}

main(process.argv.slice(2)).then(() => agent.destroy()).catch((e) => {
	console.error(`maint.js: ${e.stack ?? e}`);
	process.exit(1);
});
