// Metadata cache under a Zipf mix (issue 11): `node zipf.js URL TABLES
// LOADS CLIENTS [S]` seeds TABLES tables (one namespace, one snapshot-less
// table each) unless they exist, then LOADS loadTable requests whose table
// is drawn from a Zipf distribution (exponent S, default 1.0: rank k is
// requested with weight 1/k^S), CLIENTS at a time, and prints one line:
// "hit_ratio hits misses req_per_s p50_ms p99_ms", the hit ratio being
// the metadata L1's, from GET /api/v1/cache/stats before and after.
'use strict';

const http = require('http');

function request(agent, base, method, path, body) {
	return new Promise((resolve, reject) => {
		const u = new URL(path, base);
		const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
		const req = http.request({ agent, method, host: u.hostname, port: u.port, path: u.pathname,
		    headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {} }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
		});
		req.on('error', reject);
		if (data)
			req.write(data);
		req.end();
	});
}

// Inverse-CDF sampling over ranks 1..n with weights 1/k^s.
function zipf(n, s) {
	const cdf = new Float64Array(n);
	let sum = 0;
	for (let k = 1; k <= n; k++) {
		sum += 1 / Math.pow(k, s);
		cdf[k - 1] = sum;
	}
	// A fixed seed: every run draws the same sequence.
	let x = 42;
	const rand = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
	return () => {
		const r = rand() * sum;
		let lo = 0, hi = n - 1;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (cdf[mid] < r)
				lo = mid + 1;
			else
				hi = mid;
		}
		return lo;
	};
}

async function stats(agent, base) {
	const r = await request(agent, base, 'GET', '/api/v1/cache/stats');
	const m = JSON.parse(r.text).caches.find((c) => c.name === 'metadata' && c.tier === 'l1');
	return m;
}

async function main(base, tables, loads, clients, s) {
	const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
	const schema = { type: 'struct', fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };
	await request(agent, base, 'POST', '/v1/bench/namespaces', { namespace: ['z'] });
	for (let i = 0; i < tables; i += 16) {
		const batch = [];
		for (let j = i; j < Math.min(tables, i + 16); j++)
			batch.push(request(agent, base, 'POST', '/v1/bench/namespaces/z/tables', { name: `t${j}`, schema }));
		await Promise.all(batch);
	}
	const before = await stats(agent, base);
	const next = zipf(tables, s);
	const picks = Array.from({ length: loads }, next);
	const lat = [];
	let i = 0;
	const t0 = process.hrtime.bigint();
	await Promise.all(Array.from({ length: clients }, async () => {
		while (i < loads) {
			const k = picks[i++];
			const a = process.hrtime.bigint();
			const r = await request(agent, base, 'GET', `/v1/bench/namespaces/z/tables/t${k}`);
			if (r.status !== 200)
				throw new Error(`load t${k}: ${r.status}`);
			lat.push(Number(process.hrtime.bigint() - a) / 1e6);
		}
	}));
	const secs = Number(process.hrtime.bigint() - t0) / 1e9;
	const after = await stats(agent, base);
	const hits = after.hits - before.hits, misses = after.misses - before.misses;
	lat.sort((x, y) => x - y);
	console.log([(hits / (hits + misses)).toFixed(3), hits, misses, Math.round(loads / secs),
	    lat[Math.floor(lat.length / 2)].toFixed(2), lat[Math.floor(lat.length * 0.99)].toFixed(2)].join(' '));
	agent.destroy();
}

const [base, tables, loads, clients, s] = process.argv.slice(2);
main(base, Number(tables), Number(loads), Number(clients), Number(s ?? 1.0)).catch((e) => {
	console.error(`zipf: ${e.message}`);
	process.exit(1);
});
