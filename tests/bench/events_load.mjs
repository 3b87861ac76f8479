// The events bench's client (issue 43), node 20, no dependencies.
//
//   node events_load.mjs receiver PORT
//       a webhook receiver on 127.0.0.1:PORT answering 204 to every POST;
//       runs until killed
//   node events_load.mjs subscribe BASE RECEIVER_URL
//       a subscription of the default tenant (no-auth server) to
//       RECEIVER_URL; prints its id
//   node events_load.mjs lag BASE PORT RATE SECS
//       an in-process receiver on PORT and a subscription to it, then commits at
//       a steady RATE a second (open loop, round-robin over c0..c63) for
//       SECS; waits until every committed change has arrived (at most
//       120 s more) and prints "commits rate_achieved p50_ms p99_ms
//       max_ms delivered": lag is the arrival time less the event's
//       timestamp-ms (the server's clock at the change: same host)
//   node events_load.mjs drain BASE PORT OUTAGE_SECS RATE
//       the receiver answers 503 for OUTAGE_SECS while commits go on at
//       RATE a second; then it answers 204.  Prints "backlog
//       first_ms drain_s drain_per_s": the events waiting when it came
//       back, how long until the first of them arrived, how long until
//       the last did, and the rate in between
//
// Every subscription made is deleted before it exits.
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function call(base, method, path, body) {
  return new Promise((resolve, reject) => {
    const u = new URL(path, base);
    const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
    const req = http.request({
      agent, method, host: u.hostname, port: u.port, path: u.pathname + u.search,
      headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {},
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json = null;
        try { json = text ? JSON.parse(text) : null; } catch { json = null; }
        resolve({ status: res.statusCode, json, text });
      });
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

// A receiver; state.fail makes it answer 503.  arrivals: [{ id, at, ts }].
function receiver(state, port) {
  const arrivals = [];
  const seen = new Set();
  const srv = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (state.fail) {
        res.writeHead(503).end();
        return;
      }
      const at = Date.now();
      try {
        const ce = JSON.parse(Buffer.concat(chunks).toString());
        if (!seen.has(ce.id)) {
          seen.add(ce.id);
          arrivals.push({ id: ce.id, at, ts: ce.data?.['timestamp-ms'] ?? at, type: ce.type });
        }
      } catch { /* a body not JSON is not ours to time */ }
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) => srv.listen(port, '127.0.0.1', () =>
    resolve({ srv, arrivals, url: `http://127.0.0.1:${srv.address().port}/hook` })));
}

async function subscribe(base, url) {
  const r = await call(base, 'POST', '/api/v1/webhooks', {
    name: `bench-${process.pid}-${Date.now()}`, url, operation_types: ['update-table'],
  });
  if (r.status !== 201) throw new Error(`subscribe: ${r.status} ${r.text}`);
  return r.json.id;
}

function pct(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

// Commits at rate/s for secs (open loop: one every 1000/rate ms, not
// waiting for answers).  Resolves to the number answered 200.
async function commitAt(base, rate, secs, counter) {
  const total = Math.round(rate * secs);
  const start = Date.now();
  let sent = 0, ok = 0;
  const inflight = [];
  await new Promise((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor((Date.now() - start) * rate / 1000));
      while (sent < due) {
        const n = sent++;
        inflight.push(call(base, 'POST', `/v1/bench/namespaces/b/tables/c${n % 64}`, {
          updates: [{ action: 'set-properties', updates: { k: `${process.pid}-${n}` } }],
        }).then((r) => { if (r.status === 200) { ok++; counter.ok++; } }, () => {}));
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 2);
    };
    tick();
  });
  await Promise.all(inflight);
  return { ok, secs: (Date.now() - start) / 1000 };
}

async function until(cond, ms) {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return cond();
}

async function lag(base, port, rate, secs) {
  const st = { fail: false };
  const rc = await receiver(st, port);
  const id = await subscribe(base, rc.url);
  try {
    const counter = { ok: 0 };
    const c = await commitAt(base, rate, secs, counter);
    await until(() => rc.arrivals.length >= c.ok, 120000);
    const lags = rc.arrivals.map((a) => a.at - a.ts).sort((a, b) => a - b);
    console.log(`${c.ok} ${(c.ok / c.secs).toFixed(0)} ${pct(lags, 0.5)} ${pct(lags, 0.99)} ` +
      `${lags.length ? lags[lags.length - 1] : 0} ${rc.arrivals.length}`);
  } finally {
    await call(base, 'DELETE', `/api/v1/webhooks/${id}`);
    rc.srv.close();
  }
}

async function drain(base, port, outage, rate) {
  const st = { fail: true };
  const rc = await receiver(st, port);
  const id = await subscribe(base, rc.url);
  try {
    const counter = { ok: 0 };
    const c = await commitAt(base, rate, outage, counter);
    const back = Date.now();
    st.fail = false;
    const backlog = c.ok;
    await until(() => rc.arrivals.length >= backlog, 600000);
    const first = rc.arrivals.length ? rc.arrivals[0].at - back : -1;
    const last = rc.arrivals.length ? rc.arrivals[rc.arrivals.length - 1].at : back;
    const span = rc.arrivals.length > 1 ? (last - rc.arrivals[0].at) / 1000 : 0;
    console.log(`${backlog} ${first} ${((last - back) / 1000).toFixed(2)} ` +
      `${span > 0 ? (rc.arrivals.length / span).toFixed(0) : 0}`);
  } finally {
    await call(base, 'DELETE', `/api/v1/webhooks/${id}`);
    rc.srv.close();
  }
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'receiver') {
  await receiver({ fail: false }, Number(args[0]));
} else if (mode === 'subscribe') {
  console.log(await subscribe(args[0], args[1]));
  agent.destroy();
} else if (mode === 'lag') {
  await lag(args[0], Number(args[1]), Number(args[2]), Number(args[3]));
  agent.destroy();
} else if (mode === 'drain') {
  await drain(args[0], Number(args[1]), Number(args[2]), Number(args[3]));
  agent.destroy();
} else {
  console.error('usage: events_load.mjs receiver|subscribe|lag|drain ...');
  process.exit(2);
}
