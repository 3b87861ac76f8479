// Bench helper (node 20, no dependencies).
//
//   node seed.js port
//       print a free TCP port on 127.0.0.1
//   node seed.js seed BASE_URL COUNT [CONCURRENCY]
//       POST /api/v1/catalogs {"name":"catNNNN"} COUNT times over keep-alive
//       connections, then check that GET /api/v1/catalogs returns 100 and
//       ?limit=COUNT returns COUNT.  Exits 1 with the first bad response.
//   node seed.js auth BASE_URL ROOT_USER ROOT_PASSWORD OUT_DIR
//       on a server with auth on, in the default tenant (which holds
//       catalog "bench"): a tenant admin, a service user (API key) and a
//       tenant user holding 1,000 grants (the one that lets it read
//       "bench" last); writes their credentials to OUT_DIR and prints the
//       median of 7 sequential logins (argon2id), under the rate limit.
//   node seed.js s3 BASE_URL S3_ENDPOINT BUCKET
//       an S3 warehouse on that endpoint (Swift, test:tester/testing),
//       catalog "s3bench", namespace "b", table "t" with 20 commits,
//       table "c0" for the commit row and tables k0..k199 for cold loads.
//   node seed.js loads BASE_URL PATH COUNT
//       GET PATH0 .. PATH<COUNT-1> once each, one after another on one
//       connection, twice; prints "p50 p90" in ms of each pass: on a
//       server that has not loaded them yet, the first pass is cold.
//   node seed.js iceberg BASE_URL WAREHOUSE_ROOT
//       a local warehouse, catalog "bench", namespace "b", table "t100"
//       with 100 snapshots (100 commits), "t1" with one ("tl" the same with
//       labels: business metadata and column tags), and tables c0..c63 for the
//       commit rows.
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

function request(agent, base, method, path, body, headers = {}) {
	return new Promise((resolve, reject) => {
		const u = new URL(path, base);
		const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
		const req = http.request({
			agent, method, host: u.hostname, port: u.port,
			path: u.pathname + u.search,
			headers: { ...headers, ...(data ? {
			    'content-type': 'application/json',
			    'content-length': data.length } : {}) },
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

async function ok(agent, base, method, path, body, want, headers) {
	const r = await request(agent, base, method, path, body, headers);
	if (r.status !== want)
		fail(`${method} ${path}: HTTP ${r.status}: ${r.body.slice(0, 300)}`);
	return r.body ? JSON.parse(r.body) : null;
}

const SCHEMA = { type: 'struct', fields: [
	{ id: 1, name: 'id', required: true, type: 'long' },
	{ id: 2, name: 'v', required: false, type: 'string' }] };

async function iceberg(base, root) {
	const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
	const t0 = process.hrtime.bigint();
	const T = '/v1/bench/namespaces/b/tables';

	await ok(agent, base, 'POST', '/api/v1/warehouses', { name: 'benchwh',
	    storage_config: { type: 'local', root } }, 201);
	await ok(agent, base, 'POST', '/api/v1/catalogs', { name: 'bench',
	    warehouse_name: 'benchwh' }, 201);
	await ok(agent, base, 'POST', '/v1/bench/namespaces',
	    { namespace: ['b'] }, 200);
	let md = (await ok(agent, base, 'POST', T, { name: 't100',
	    schema: SCHEMA }, 200)).metadata;
	for (let i = 1; i <= 100; i++) {
		const id = 1000 + i;
		md = (await ok(agent, base, 'POST', `${T}/t100`, {
			requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main',
			    'snapshot-id': i === 1 ? null : id - 1 }],
			updates: [
				{ action: 'add-snapshot', snapshot: {
					'snapshot-id': id,
					'parent-snapshot-id': i === 1 ? undefined : id - 1,
					'sequence-number': i, 'timestamp-ms': Date.now(),
					'manifest-list': `${root}/bench/b/t100/metadata/snap-${id}.avro`,
					summary: { operation: 'append' }, 'schema-id': 0 } },
				{ action: 'set-snapshot-ref', 'ref-name': 'main',
				    type: 'branch', 'snapshot-id': id }] }, 200)).metadata;
	}
	if (md.snapshots.length !== 100)
		fail(`t100 has ${md.snapshots.length} snapshots, expected 100`);
	for (let i = 0; i < 64; i++)
		await ok(agent, base, 'POST', T, { name: `c${i}`, schema: SCHEMA }, 200);
	// A fresh table: one snapshot (the "fresh table" loadTable row).
	const t1 = (await ok(agent, base, 'POST', T, { name: 't1',
	    schema: SCHEMA }, 200)).metadata;
	await ok(agent, base, 'POST', `${T}/t1`, { updates: [
		{ action: 'add-snapshot', snapshot: { 'snapshot-id': 1,
			'sequence-number': 1, 'timestamp-ms': Date.now(),
			'manifest-list': `${t1.location}/metadata/snap-1.avro`,
			summary: { operation: 'append' }, 'schema-id': 0 } },
		{ action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch',
		    'snapshot-id': 1 }] }, 200);
	// The same, labelled (issue 70): business metadata and column tags,
	// so its load carries labels (the "labelled" loadTable row).
	const tl = (await ok(agent, base, 'POST', T, { name: 'tl',
	    schema: SCHEMA }, 200)).metadata;
	await ok(agent, base, 'POST', `${T}/tl`, { updates: [
		{ action: 'add-snapshot', snapshot: { 'snapshot-id': 1,
			'sequence-number': 1, 'timestamp-ms': Date.now(),
			'manifest-list': `${tl.location}/metadata/snap-1.avro`,
			summary: { operation: 'append' }, 'schema-id': 0 } },
		{ action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch',
		    'snapshot-id': 1 }] }, 200);
	await ok(agent, base, 'POST', `/api/v1/assets/${tl['table-uuid']}/metadata`,
	    { tags: ['gold', 'domain=finance'], properties: { owner: 'bench',
	    'cost-center': 'cc-1' }, discoverable: false }, 200);
	await ok(agent, base, 'PUT', `/api/v1/assets/${tl['table-uuid']}/column-tags`,
	    { columns: [{ field_id: 2, tags: ['pii', 'classification=internal'] }] },
	    200);
	agent.destroy();
	const ms = Number(process.hrtime.bigint() - t0) / 1e6;
	process.stdout.write(`seeded catalog bench: t100 (100 snapshots), t1 ` +
	    `and tl (1 snapshot; tl labelled) and 64 tables in ` +
	    `${(ms / 1000).toFixed(1)} s\n`);
}

async function s3(base, endpoint, bucket) {
	const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
	const T = '/v1/s3bench/namespaces/b/tables';

	await ok(agent, base, 'POST', '/api/v1/warehouses', { name: 's3wh',
	    storage_config: { type: 's3', bucket, endpoint,
	    access_key_id: 'test:tester', secret_access_key: 'testing' } }, 201);
	await ok(agent, base, 'POST', '/api/v1/catalogs', { name: 's3bench',
	    warehouse_name: 's3wh' }, 201);
	await ok(agent, base, 'POST', '/v1/s3bench/namespaces',
	    { namespace: ['b'] }, 200);
	await ok(agent, base, 'POST', T, { name: 't', schema: SCHEMA }, 200);
	for (let i = 0; i < 20; i++)
		await ok(agent, base, 'POST', `${T}/t`, { updates: [{ action:
		    'set-properties', updates: { k: String(i) } }] }, 200);
	await ok(agent, base, 'POST', T, { name: 'c0', schema: SCHEMA }, 200);
	for (let i = 0; i < 200; i++)
		await ok(agent, base, 'POST', T, { name: `k${i}`, schema: SCHEMA },
		    200);
	agent.destroy();
	process.stdout.write('seeded catalog s3bench on S3: t (20 commits), c0, ' +
	    'k0..k199\n');
}

async function loads(base, path, count) {
	const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
	const pass = async () => {
		const ms = [];
		for (let i = 0; i < count; i++) {
			const t0 = process.hrtime.bigint();
			await ok(agent, base, 'GET', path + i, undefined, 200);
			ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
		}
		ms.sort((a, b) => a - b);
		return `${ms[Math.floor(count / 2)].toFixed(2)} ` +
		    `${ms[Math.floor(count * 0.9)].toFixed(2)}`;
	};
	const cold = await pass();
	const warm = await pass();
	agent.destroy();
	process.stdout.write(`${cold} ${warm}\n`);
}

const NIL = '00000000-0000-0000-0000-000000000000';
const PW = 'Bench-Passw0rd-not-a-secret';

async function auth(base, user, password, out) {
	const fs = require('fs');
	const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
	const root = { authorization: 'Basic ' +
	    Buffer.from(`${user}:${password}`).toString('base64'),
	    'x-pangolin-tenant': NIL };
	const login = async (username) => (await ok(agent, base, 'POST',
	    '/api/v1/users/login', { username, password: PW,
	    'tenant-id': NIL }, 200)).token;

	await ok(agent, base, 'POST', '/api/v1/users', { username: 'benchadmin',
	    password: PW, tenant_id: NIL, role: 'tenant-admin' }, 201, root);
	const admin = { authorization: `Bearer ${await login('benchadmin')}` };
	fs.writeFileSync(`${out}/admin.hdr`, `Authorization: ${admin.authorization}`);
	const su = await ok(agent, base, 'POST', '/api/v1/service-users',
	    { name: 'benchkey', role: 'tenant-admin' }, 201, admin);
	fs.writeFileSync(`${out}/key.hdr`, `X-API-Key: ${su.api_key}`);
	const u = await ok(agent, base, 'POST', '/api/v1/users', { username:
	    'benchuser', password: PW, tenant_id: NIL, role: 'tenant-user' },
	    201, admin);
	const cat = await ok(agent, base, 'GET', '/api/v1/catalogs/bench',
	    undefined, 200, admin);
	for (let i = 0; i < 999; i++)
		await ok(agent, base, 'POST', '/api/v1/permissions', {
		    'user-id': u.id, scope: { type: 'namespace', catalog_id:
		    cat.id, namespace: `other${i}.sub` }, actions: ['write'] },
		    201, admin);
	await ok(agent, base, 'POST', '/api/v1/permissions', { 'user-id': u.id,
	    scope: { type: 'catalog', catalog_id: cat.id }, actions: ['read'] },
	    201, admin);
	fs.writeFileSync(`${out}/user.hdr`,
	    `Authorization: Bearer ${await login('benchuser')}`);
	const ms = [];
	for (let i = 0; i < 7; i++) {
		const t0 = process.hrtime.bigint();
		await login('benchadmin');
		ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
	}
	ms.sort((a, b) => a - b);
	agent.destroy();
	fs.writeFileSync(`${out}/login_p50`, ms[3].toFixed(1));
	process.stdout.write(`seeded auth: tenant admin, API key, tenant user ` +
	    `with 1000 grants; login p50 ${ms[3].toFixed(1)} ms (7 logins)\n`);
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'port') {
	freePort();
} else if (cmd === 's3' && args.length === 3) {
	s3(...args).catch((e) => fail(e.message));
} else if (cmd === 'loads' && args.length === 3) {
	loads(args[0], args[1], parseInt(args[2], 10)).catch((e) => fail(e.message));
} else if (cmd === 'auth' && args.length === 4) {
	auth(...args).catch((e) => fail(e.message));
} else if (cmd === 'iceberg' && args.length === 2) {
	iceberg(args[0], args[1]).catch((e) => fail(e.message));
} else if (cmd === 'seed' && args.length >= 2) {
	seed(args[0], parseInt(args[1], 10), parseInt(args[2] || '4', 10))
	    .catch((e) => fail(e.message));
} else {
	fail('usage: node seed.js port | seed BASE_URL COUNT [CONCURRENCY]');
}
