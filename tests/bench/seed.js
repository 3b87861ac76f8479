// Bench helper (node 20, no dependencies).
//
//   node seed.js port
//       print a free TCP port on 127.0.0.1
//   node seed.js seed BASE_URL COUNT [CONCURRENCY]
//       POST /api/v1/catalogs {"name":"catNNNN"} COUNT times over keep-alive
//       connections, then check that GET /api/v1/catalogs returns 100 and
//       ?limit=COUNT returns COUNT.  Exits 1 with the first bad response.
'use strict';

const http = require('http');
const net = require('net');

function freePort() {
	const s = net.createServer();
	s.listen(0, '127.0.0.1', () => {
		process.stdout.write(s.address().port + '\n');
		s.close();
	});
}

function request(agent, base, method, path, body) {
	return new Promise((resolve, reject) => {
		const u = new URL(path, base);
		const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
		const req = http.request({
			agent, method, host: u.hostname, port: u.port,
			path: u.pathname + u.search,
			headers: data ? { 'content-type': 'application/json',
			    'content-length': data.length } : {},
		}, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode,
			    headers: res.headers,
			    body: Buffer.concat(chunks).toString('utf8') }));
		});
		req.on('error', reject);
		if (data)
			req.write(data);
		req.end();
	});
}

function fail(msg) {
	process.stderr.write('seed: ' + msg + '\n');
	process.exit(1);
}

async function seed(base, count, concurrency) {
	const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
	const width = Math.max(4, String(count).length);
	let next = 1;
	const t0 = process.hrtime.bigint();

	async function lane() {
		while (next <= count) {
			const i = next++;
			const name = 'cat' + String(i).padStart(width, '0');
			const r = await request(agent, base, 'POST', '/api/v1/catalogs',
			    { name });
			if (r.status !== 201)
				fail(`POST /api/v1/catalogs ${name}: HTTP ${r.status}: ${r.body}`);
		}
	}
	await Promise.all(Array.from({ length: concurrency }, lane));
	const ms = Number(process.hrtime.bigint() - t0) / 1e6;

	for (const [path, want] of [['/api/v1/catalogs', Math.min(count, 100)],
	    [`/api/v1/catalogs?limit=${count}`, count]]) {
		const r = await request(agent, base, 'GET', path);
		if (r.status !== 200)
			fail(`GET ${path}: HTTP ${r.status}: ${r.body}`);
		const n = JSON.parse(r.body).length;
		if (n !== want)
			fail(`GET ${path}: ${n} items, expected ${want}`);
	}
	agent.destroy();
	process.stdout.write(`seeded ${count} catalogs in ${(ms / 1000).toFixed(1)} s ` +
	    `(${concurrency} connections)\n`);
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'port') {
	freePort();
} else if (cmd === 'seed' && args.length >= 2) {
	seed(args[0], parseInt(args[1], 10), parseInt(args[2] || '4', 10))
	    .catch((e) => fail(e.message));
} else {
	fail('usage: node seed.js port | seed BASE_URL COUNT [CONCURRENCY]');
}
