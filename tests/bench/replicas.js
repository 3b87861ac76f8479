// Cross-replica visibility (issue 11): two pangolin servers on one
// PostgreSQL.  A change made through A, then read through B until B
// shows it; the time from A's answer to B's first answer that shows it.
//   node replicas.js URL_A URL_B COUNT
// prints two lines "label p50 p90 maxpolls" (ms).
'use strict';

const http = require('http');

function request(agent, base, method, path, body) {
	return new Promise((resolve, reject) => {
		const u = new URL(path, base);
		const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
		const req = http.request({ agent, method, host: u.hostname, port: u.port,
		    path: u.pathname + u.search, headers: data ? { 'content-type':
		    'application/json', 'content-length': data.length } : {} }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				if (res.statusCode >= 300)
					reject(new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 200)}`));
				else
					resolve(text ? JSON.parse(text) : null);
			});
		});
		req.on('error', reject);
		if (data)
			req.write(data);
		req.end();
	});
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

// change() through A answers a token; seen(token) is true once B shows it.
async function measure(count, change, seen) {
	const ms = [];
	let maxPolls = 0;
	for (let i = 0; i < count; i++) {
		const token = await change(i);
		const t0 = now();
		let polls = 0;
		do
			polls++;
		while (!(await seen(token)) && polls < 10000);
		ms.push(now() - t0);
		maxPolls = Math.max(maxPolls, polls);
	}
	ms.sort((x, y) => x - y);
	return `${ms[Math.floor(count / 2)].toFixed(2)} ${ms[Math.floor(count * 0.9)].toFixed(2)} ${maxPolls}`;
}

async function main(a, b, count) {
	const ka = new http.Agent({ keepAlive: true, maxSockets: 1 });
	const kb = new http.Agent({ keepAlive: true, maxSockets: 1 });
	const T = '/v1/bench/namespaces/r/tables/t';
	await request(ka, a, 'POST', '/v1/bench/namespaces', { namespace: ['r'] });
	await request(ka, a, 'POST', '/v1/bench/namespaces/r/tables', { name: 't',
	    schema: { type: 'struct', fields: [{ id: 1, name: 'id', required: true, type: 'long' }] } });
	const commit = await measure(count, async (i) => (await request(ka, a, 'POST', T,
	    { requirements: [], updates: [{ action: 'set-properties', updates: { i: String(i) } }] }))['metadata-location'],
	    async (loc) => (await request(kb, b, 'GET', T))['metadata-location'] === loc);
	const config = await measure(count, async (i) => (await request(ka, a, 'PUT', '/api/v1/catalogs/bench',
	    { properties: { i: String(i) } }), String(i)),
	    async (i) => (await request(kb, b, 'GET', '/api/v1/catalogs/bench')).properties.i === i);
	process.stdout.write(`commit ${commit}\nconfig ${config}\n`);
	ka.destroy();
	kb.destroy();
}

const [a, b, count] = process.argv.slice(2);
main(a, b, parseInt(count || '200', 10)).catch((e) => {
	process.stderr.write(`replicas: ${e.message}\n`);
	process.exit(1);
});
