// The scale bench's HTTP rows besides wrk's loads (issue 69,
// tests/bench/scale.sh), against a no-auth server whose catalog "bench"
// search_bench -t seeded with N tables (table i is t<i>, 7 digits, in
// namespace n00000 for the first N/5, round n00001..n<N/100 - 1> after).
//
//   node scale.mjs first URL
//       namespace n00000 and its table t0000000 (the loader's model)
//   node scale.mjs lists URL N [PAGES]
//       the first PAGES (default 300: 30,000 tables deep) pages (pageSize
//       100: keyset tokens, the first asked with an empty pageToken) of
//       namespace n00000's tables, one after
//       another, and the first page of 50 other namespaces; every page of
//       listNamespaces (pageSize 100) up to 100 pages:
//       "tables_p50 tables_p99 big_pages ns_p50 ns_p99" (ms)
//   node scale.mjs search URL N SAMPLES
//       SAMPLES searches of a random table's whole name
//       (/api/v1/assets/search), one at a time: "p50 p99 hits" (ms)
//   node scale.mjs writes URL OPS CLIENTS TAG
//       OPS createTable in namespace n00001 (CLIENTS at a time), then a
//       commit (set-properties) on each, a rename of each, a drop of
//       each: "create_per_s commit_per_s rename_per_s drop_per_s"
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function call(base, method, path, body) {
	return new Promise((resolve, reject) => {
		const u = new URL(path, base);
		const data = body === undefined ? null :
		    Buffer.from(JSON.stringify(body));
		const t0 = process.hrtime.bigint();
		const req = http.request({ agent, method, host: u.hostname,
		    port: u.port, path: u.pathname + u.search,
		    headers: data ? { 'content-type': 'application/json',
		    'content-length': data.length } : {} }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const ms = Number(process.hrtime.bigint() - t0) / 1e6;
				const text = Buffer.concat(chunks).toString('utf8');
				if (res.statusCode >= 300)
					reject(new Error(`${method} ${path}: ` +
					    `${res.statusCode} ${text.slice(0, 300)}`));
				else
					resolve({ ms, json: text ? JSON.parse(text) : null });
			});
		});
		req.on('error', reject);
		if (data)
			req.write(data);
		req.end();
	});
}

const pct = (v, p) => {
	const s = [...v].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.floor(s.length * p))];
};
const f2 = (x) => x.toFixed(2);
const ns = (n, i) => {
	const nns = Math.max(Math.floor(n / 100), 2), big = Math.floor(n / 5);
	return i < big ? 0 : 1 + (i - big) % (nns - 1);
};
const nsName = (k) => `n${String(k).padStart(5, '0')}`;
const tName = (i) => `t${String(i).padStart(7, '0')}`;
const schema = { type: 'struct', 'schema-id': 0, fields: [
    { id: 1, name: 'id', required: true, type: 'long' }] };

// A build cut short before left them: 409s are theirs.
const made = (e) => { if (!/: 409 /.test(e.message)) throw e; };

async function first(base) {
	await call(base, 'POST', '/v1/bench/namespaces',
	    { namespace: ['n00000'] }).catch(made);
	await call(base, 'POST', '/v1/bench/namespaces/n00000/tables',
	    { name: 't0000000', schema }).catch(made);
}

// Every page of a list: its latencies.
async function walk(base, path, max) {
	const ms = [];
	let token = null;
	do {
		const sep = path.includes('?') ? '&' : '?';
		const r = await call(base, 'GET', `${path}${sep}pageSize=100` +
		    `&pageToken=${encodeURIComponent(token ?? '')}`);
		ms.push(r.ms);
		token = r.json['next-page-token'] ?? null;
	} while (token && ms.length < max);
	return ms;
}

async function lists(base, n, pages) {
	const nns = Math.max(Math.floor(n / 100), 2);
	await call(base, 'GET',
	    '/v1/bench/namespaces/n00000/tables?pageSize=100&pageToken=');
	const big = await walk(base, '/v1/bench/namespaces/n00000/tables',
	    pages || 300);
	const tables = [...big];
	for (let k = 0; k < 50; k++) {
		const r = await call(base, 'GET', `/v1/bench/namespaces/` +
		    `${nsName(1 + Math.floor(Math.random() * (nns - 1)))}` +
		    `/tables?pageSize=100&pageToken=`);
		tables.push(r.ms);
	}
	const nsms = await walk(base, '/v1/bench/namespaces', 100);
	console.log([f2(pct(tables, 0.5)), f2(pct(tables, 0.99)), big.length,
	    f2(pct(nsms, 0.5)), f2(pct(nsms, 0.99))].join(' '));
}

async function search(base, n, samples) {
	const ms = [];
	let hits = 0;
	for (let k = 0; k <= samples; k++) {
		const i = Math.floor(Math.random() * n);
		const r = await call(base, 'GET',
		    `/api/v1/assets/search?query=${tName(i)}`);
		if (k === 0)
			continue;	/* a warm-up */
		ms.push(r.ms);
		hits += r.json.length;
	}
	console.log([f2(pct(ms, 0.5)), f2(pct(ms, 0.99)),
	    (hits / samples).toFixed(2)].join(' '));
}

// ops calls of fn(i), clients at a time: their pace per second.
async function pace(ops, clients, fn) {
	let next = 0;
	const t0 = process.hrtime.bigint();
	await Promise.all(Array.from({ length: clients }, async () => {
		while (next < ops)
			await fn(next++);
	}));
	return ops / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function writes(base, ops, clients, tag) {
	const p = '/v1/bench/namespaces/n00001/tables';
	const name = (i) => `w${tag}_${i}`;
	const out = [];
	out.push(await pace(ops, clients, (i) => call(base, 'POST', p,
	    { name: name(i), schema })));
	out.push(await pace(ops, clients, (i) => call(base, 'POST',
	    `${p}/${name(i)}`, { requirements: [], updates: [{ action:
	    'set-properties', updates: { bench: String(i) } }] })));
	out.push(await pace(ops, clients, (i) => call(base, 'POST',
	    '/v1/bench/tables/rename', {
		source: { namespace: ['n00001'], name: name(i) },
		destination: { namespace: ['n00001'], name: `${name(i)}r` } })));
	out.push(await pace(ops, clients, (i) => call(base, 'DELETE',
	    `${p}/${name(i)}r`)));
	console.log(out.map((x) => x.toFixed(0)).join(' '));
}

const [cmd, base, a, b, c] = process.argv.slice(2);
const run = { first: () => first(base), lists: () => lists(base, Number(a), Number(b)),
    search: () => search(base, Number(a), Number(b)),
    writes: () => writes(base, Number(a), Number(b), c) }[cmd];
if (!run) {
	console.error('usage: node scale.mjs first|lists|search|writes URL ...');
	process.exit(2);
}
run().then(() => agent.destroy(), (e) => {
	console.error(`scale.mjs: ${e.message}`);
	process.exit(1);
});
