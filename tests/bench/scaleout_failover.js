// A PostgreSQL failover under a commit storm (issue 31), for scaleout.sh.
//   node scaleout_failover.js LB_URL STOP_CMD PROMOTE_CMD
// 8 clients commit set-properties through the balancer, each to its own
// table (bench tables c0..c7); after 1 s STOP_CMD stops the primary and
// PROMOTE_CMD promotes the standby; the storm goes on 3 s more.  Then
// every acknowledged commit is looked for in its table.  Prints one line:
// "stop_promote_ms recovery_ms acked lost non200"
// recovery: from the primary's stop to the first acknowledged commit that
// began after it.
'use strict';

const http = require('http');
const { execSync } = require('child_process');

const WRITERS = 8;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function request(agent, base, method, path, body) {
	return new Promise((resolve) => {
		const u = new URL(path, base);
		const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
		const req = http.request({ agent, method, host: u.hostname, port: u.port, path: u.pathname,
		    headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {} }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				let json;
				try { json = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { /* not JSON */ }
				resolve({ status: res.statusCode, json });
			});
		});
		req.on('error', () => resolve({ status: 0 }));
		req.setTimeout(15000, () => req.destroy());
		if (data)
			req.write(data);
		req.end();
	});
}

async function main(base, stopCmd, promoteCmd) {
	const acked = Array.from({ length: WRITERS }, () => []);
	const answers = [];
	let stop = false;
	const writer = async (w) => {
		const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
		for (let n = 0; !stop; n++) {
			const start = Date.now();
			const r = await request(agent, base, 'POST', `/v1/bench/namespaces/b/tables/c${w}`,
			    { requirements: [], updates: [{ action: 'set-properties', updates: { [`f${n}`]: 'x' } }] });
			answers.push({ start, end: Date.now(), status: r.status });
			if (r.status === 200)
				acked[w].push(`f${n}`);
			else
				await sleep(20);
		}
		agent.destroy();
	};
	const load = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
	await sleep(1000);
	const stopped = Date.now();
	execSync(stopCmd, { stdio: 'ignore' });
	execSync(promoteCmd, { stdio: 'ignore' });
	const promoted = Date.now();
	await sleep(3000);
	stop = true;
	await load;

	let lost = 0, n = 0;
	const agent = new http.Agent({ keepAlive: true });
	for (let w = 0; w < WRITERS; w++) {
		const r = await request(agent, base, 'GET', `/v1/bench/namespaces/b/tables/c${w}`);
		const props = r.json?.metadata?.properties ?? {};
		for (const k of acked[w]) {
			n++;
			if (props[k] !== 'x')
				lost++;
		}
	}
	agent.destroy();
	const first = answers.filter((a) => a.status === 200 && a.start >= stopped).sort((x, y) => x.end - y.end)[0];
	const recovery = first ? first.end - stopped : -1;
	const non200 = answers.filter((a) => a.status !== 200).length;
	process.stdout.write(`${promoted - stopped} ${recovery} ${n} ${lost} ${non200}\n`);
}

const [base, stopCmd, promoteCmd] = process.argv.slice(2);
main(base, stopCmd, promoteCmd).catch((e) => {
	process.stderr.write(`failover: ${e.message}\n`);
	process.exit(1);
});
