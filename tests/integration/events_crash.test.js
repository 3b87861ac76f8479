// Change events survive a crash (issue 43): a storm of commits on several
// tables with a webhook subscribed, the whole server (parent, workers,
// runners, the dispatcher) killed with SIGKILL in the middle, then
// started again on the same store.  Every commit answered 200 has its
// event delivered at least once, signed, in order per table; no event is
// delivered for a change the table does not show; a redelivery keeps its
// webhook-id (the event id).  With NATS configured as well, the stream
// holds every event of the tenant exactly once (a publish made again after
// the crash is a JetStream duplicate of its event id).
//
// Skipped on memory (no dispatcher: its state lives in one worker and
// dies with it) and on mongo (CongoDB has no transactions, so a change
// and its event are not written as one: plugins/store-mongo/README.md).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { freePort, processTree, REPO, startServer, STORE, tmpDir } from './lib/server.js';
import { startReceiver } from './lib/webhook_receiver.js';
import { readStream } from './lib/nats_read.js';

const SKIP = STORE === 'memory' ? 'the memory store has no event dispatcher (no task runners)' :
  STORE === 'mongo' ? 'CongoDB has no transactions: a change and its event are not one write' : false;
const TABLES = 4;
const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', required: false, type: 'long' }] };
let srv, rcv, natsDir;
const nats = (...a) => execFileSync('sh', [path.join(REPO, 'tests/servers/nats.sh'), ...a], { encoding: 'utf8' }).trim();

after(async () => {
  await srv?.stop();
  await rcv?.close();
  if (natsDir) {
    try { nats('stop', natsDir); } catch { /* gone */ }
    fs.rmSync(natsDir, { recursive: true, force: true });
  }
});

async function ok(s, method, p, body) {
  const r = await s.req(method, p, { body });
  assert.ok([200, 201, 204].includes(r.status), `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
}

/** SIGKILL every process of the server at once: nothing shuts down cleanly. */
function crash(s) {
  const pids = processTree(s.proc.pid);
  for (const pid of pids.reverse()) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  s.kill();
}

test('a commit storm cut by kill -9: every acknowledged commit is delivered, in order per table, and nothing the tables do not show', { skip: SKIP, timeout: 240000 }, async () => {
  rcv = await startReceiver();
  const allow = [`http://127.0.0.1:${rcv.port}`];
  natsDir = tmpDir('pgl-nats');
  const natsUrl = nats('start', natsDir, String(await freePort()));
  const env = { PANGOLIN_EVENTS_NATS_URL: natsUrl };
  srv = await startServer({ allowEndpoints: allow, env });
  const dir = srv.dir;
  await ok(srv, 'POST', '/api/v1/warehouses', { name: 'wh', storage_config: { type: 'local', root: path.join(srv.tenantDir(), 'wh') } });
  await ok(srv, 'POST', '/api/v1/catalogs', { name: 'lake', warehouse_name: 'wh' });
  await ok(srv, 'POST', '/v1/lake/namespaces', { namespace: ['s'] });
  // A table's history is read back from its metadata log, which keeps
  // write.metadata.previous-versions-max entries (100 by default): on a
  // loaded machine the storm made over 100 commits a table before the
  // crash, its first commits left the log, and the check below found an
  // acknowledged commit missing (seen at load 18; with the setting at 2
  // it fails so every time).  The log here keeps every one.
  const properties = { 'write.metadata.previous-versions-max': '1000000' };
  for (let t = 0; t < TABLES; t++) await ok(srv, 'POST', '/v1/lake/namespaces/s/tables', { name: `t${t}`, schema, properties });
  const sub = await ok(srv, 'POST', '/api/v1/webhooks', { name: 'storm', url: rcv.url, operation_types: ['update-table'], catalogs: ['lake'] });
  assert.match(sub.secret, /^whsec_/);
  rcv.setSecrets([sub.secret]);

  // The storm: 8 writers, each committing to the tables in turn, each
  // commit's answer recorded; the crash comes once 40 are acknowledged
  // and some have been delivered, so both the outbox and the cursor are
  // mid-flight.
  const acked = new Map();	// metadata location -> table
  let n = 0;
  let crashed = false;
  const writer = async (w) => {
    while (!crashed) {
      const t = `t${(w + n++) % TABLES}`;
      let r;
      try {
        r = await srv.req('POST', `/v1/lake/namespaces/s/tables/${t}`, { body: { updates: [{ action: 'set-properties', updates: { w: `${w}-${n}` } }] }, timeout: 20000 });
      } catch { return; }	// cut by the crash: its outcome is unknown
      if (r.status === 200) acked.set(r.json['metadata-location'], t);
    }
  };
  const writers = Array.from({ length: 8 }, (_, w) => writer(w));
  await rcv.waitFor(() => acked.size >= 40 && rcv.deliveries.length >= 5, 120000);
  crashed = true;
  crash(srv);
  await Promise.all(writers);
  await srv.exited;

  srv = await startServer({ dir, allowEndpoints: allow, env });
  // The tables as the store has them: each one's metadata files, oldest
  // first (the metadata log, then the current one).
  const history = new Map();
  for (let t = 0; t < TABLES; t++) {
    const lt = await ok(srv, 'GET', `/v1/lake/namespaces/s/tables/t${t}`);
    history.set(`t${t}`, [...(lt.metadata['metadata-log'] ?? []).map((e) => e['metadata-file']), lt['metadata-location']]);
  }
  const shown = new Map();
  for (const [t, files] of history) files.forEach((f, i) => shown.set(f, { t, i }));
  const commits = [...shown.keys()].filter((f) => shown.get(f).i > 0);	// every file after the create's
  for (const loc of acked.keys()) assert.ok(shown.has(loc), `an acknowledged commit is not in its table: ${loc}`);

  // Wait until every change the tables show has been delivered.
  const locOf = (d) => d.json?.data?.['x-pangolin']?.['metadata-location'];
  await rcv.waitFor((ds) => commits.every((f) => ds.some((d) => d.status === 204 && locOf(d) === f)), 120000);

  const firstById = new Map();
  for (const d of rcv.deliveries) {
    assert.ok(d.verified, `a delivery failed its signature check: ${d.why}`);
    assert.equal(d.json.id, d.id, 'webhook-id is the event id');
    assert.equal(d.json.type, 'io.pangolin.update-table');
    const loc = locOf(d);
    assert.ok(shown.has(loc), `an event for a change no table shows: ${loc}`);
    const seen = firstById.get(d.id);
    if (seen) assert.equal(locOf(seen), loc, 'a redelivery carries the same event');
    else firstById.set(d.id, d);
  }
  // One event per change: no two ids for one metadata file.
  const ids = new Map();
  for (const d of firstById.values()) {
    assert.ok(!ids.has(locOf(d)) || ids.get(locOf(d)) === d.id, `two events for ${locOf(d)}`);
    ids.set(locOf(d), d.id);
  }
  // In order per table: each table's first deliveries follow its log.
  for (const [t] of history) {
    const order = [...firstById.values()].map(locOf).filter((f) => shown.get(f).t === t).map((f) => shown.get(f).i);
    assert.deepEqual(order, [...order].sort((a, b) => a - b), `table ${t}'s events arrived out of order: ${order}`);
  }
  assert.ok(acked.size >= 40);

  // NATS: every event of the tenant's stream, each once, in seq order.
  const stream = [];
  for (let after = ''; ;) {
    const page = await ok(srv, 'GET', `/api/v1/events?limit=1000${after}`);
    stream.push(...page.events.map((e) => e['event-id']));
    if (page.events.length === 0) break;
    after = `&after=${encodeURIComponent(page['continuation-token'])}`;
  }
  let msgs;
  const deadline = Date.now() + 120000;
  for (;;) {
    // Made by the first publish: not there until the dispatcher got to it.
    msgs = await readStream(natsUrl, 'PANGOLIN_EVENTS').catch((e) => {
      if (/stream not found/.test(e.message)) return [];
      throw e;
    });
    const got = new Set(msgs.map((m) => m.data.id));
    if (stream.every((id) => got.has(id))) break;
    assert.ok(Date.now() < deadline, `NATS holds ${got.size} of ${stream.length} events after 120 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const published = msgs.map((m) => m.data.id);
  assert.equal(new Set(published).size, published.length, 'no event twice in the JetStream stream');
  assert.deepEqual(published.filter((id) => stream.includes(id)), stream, 'published in the stream\'s order');
});
