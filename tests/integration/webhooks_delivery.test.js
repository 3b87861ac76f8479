// Delivery of change events to push sinks (issue 43): the event
// dispatcher (src/events/dispatch.c), a child of the task supervisor,
// POSTs each event of a subscription's tenant, in seq order, as a signed
// CloudEvent (Standard Webhooks headers) to its URL, retries a failure
// with backoff without ever skipping it, pauses a subscription failing
// past PANGOLIN_WEBHOOK_PAUSE_AFTER_SECS (with an audit record), and
// publishes every tenant's events to NATS JetStream when
// PANGOLIN_EVENTS_NATS_URL is set.
//
// Needs the subscription routes (POST /api/v1/webhooks, branch i43-wapi)
// and the stores' push sinks (store ABI 1.16, branch i43-wstore), both
// merged into i43-wdel.  The memory store runs no tasks, so nothing is
// delivered there: skipped.
//
// The server runs as the operator guide recommends, with
// PANGOLIN_ENCRYPTION_KEY: the subscriptions' secrets are sealed at rest,
// and until issue 67 no webhook was ever delivered that way (every
// attempt failed with "its secrets cannot be read: malformed sealed
// value"), which no test saw because none set the key.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import dns from 'node:dns/promises';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, REPO, startServer, STORE, tmpDir } from './lib/server.js';
import { uniq } from './lib/expect.js';
import { makeTenant as tenant, ok, root } from './lib/tenant_fixture.js';
import { startReceiver, verifyDelivery } from './lib/webhook_receiver.js';
import { readStream } from './lib/nats_read.js';

const NO_TASKS = STORE === 'memory' && 'the memory store runs no tasks: nothing is delivered';
const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', required: false, type: 'long' }] };


/** Poll fn until it returns a truthy value; fail after ms with what it saw. */
async function until(what, fn, ms = 30000) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > end) assert.fail(`${what}: not within ${ms} ms (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const subscribe = (s, t, body) => ok(s, 'POST', '/api/v1/webhooks', { name: uniq('hook'), ...body }, t.admin);
const webhook = (s, t, id) => ok(s, 'GET', `/api/v1/webhooks/${id}`, undefined, t.admin);
const deliveries = (s, t, id) => ok(s, 'GET', `/api/v1/webhooks/${id}/deliveries`, undefined, t.admin);

/** Create ns.table and commit n set-properties on it ({v: 0..n-1}). */
async function commits(s, t, ns, table, n) {
  await ok(s, 'POST', `/v1/${t.cat}/namespaces/${ns}/tables`, { name: table, schema }, t.admin);
  for (let i = 0; i < n; i++)
    await ok(s, 'POST', `/v1/${t.cat}/namespaces/${ns}/tables/${table}`, { updates: [{ action: 'set-properties', updates: { v: String(i) } }] }, t.admin);
}

const updatesOf = (ds, table) => ds.filter((d) => d.json?.type === 'io.pangolin.update-table' &&
  d.json.data.operation.identifier.name === table && d.status < 300);
const values = (ds) => ds.map((d) => Number(d.json.data.operation.updates[0].updates.v));

// --- webhooks -------------------------------------------------------------

let srv, A, B, rA, rB, rDown, rFlaky;

before(async () => {
  if (NO_TASKS) return;
  rA = await startReceiver();
  rB = await startReceiver();
  rDown = await startReceiver();
  rFlaky = await startReceiver();
  srv = await startServer({ root: true, noAuth: false,
    allowEndpoints: [rA, rB, rDown, rFlaky].map((r) => `http://127.0.0.1:${r.port}`),
    env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_WEBHOOK_TIMEOUT_MS: '2000',
      PANGOLIN_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64') } });
  A = await tenant(srv, 'da');
  B = await tenant(srv, 'db');
});
after(async () => {
  await srv?.stop();
  for (const r of [rA, rB, rDown, rFlaky]) await r?.close();
});

test('commits on 3 tables arrive in order per table, signed, as CloudEvents; tenants never see each other\'s', { skip: NO_TASKS }, async () => {
  const a = await subscribe(srv, A, { url: rA.url, operation_types: ['update-table'] });
  const b = await subscribe(srv, B, { url: rB.url });
  rA.setSecrets([a.secret]);
  rB.setSecrets([b.secret]);
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces`, { namespace: ['o'] }, A.admin);
  await ok(srv, 'POST', `/v1/${B.cat}/namespaces`, { namespace: ['o'] }, B.admin);
  await Promise.all([commits(srv, A, 'o', 't1', 5), commits(srv, A, 'o', 't2', 5), commits(srv, A, 'o', 't3', 5),
    commits(srv, B, 'o', 'tb', 3)]);
  await rA.waitFor((ds) => ['t1', 't2', 't3'].every((t) => updatesOf(ds, t).length >= 5));
  for (const t of ['t1', 't2', 't3'])
    assert.deepEqual(values(updatesOf(rA.deliveries, t)), [0, 1, 2, 3, 4], `${t} in commit order`);
  for (const d of rA.deliveries) {
    assert.ok(d.verified, `signature: ${d.why}`);
    assert.equal(d.method, 'POST');
    assert.match(d.headers['content-type'], /^application\/cloudevents\+json/);
    assert.equal(d.json.specversion, '1.0');
    assert.equal(d.json.type, `io.pangolin.${d.json.data.operation['operation-type']}`);
    assert.equal(d.json.id, d.json.data['event-id']);
    assert.equal(d.id, d.json.id, 'webhook-id is the event id');
    assert.equal(d.json.source, `/pangolin/tenants/${A.id}/catalogs/${A.cat}`);
    assert.equal(d.json.data.operation['operation-type'], 'update-table', 'the filter holds');
  }
  // Tenant B's subscription: B's events (a namespace, a table, commits), none of A's.
  await rB.waitFor((ds) => updatesOf(ds, 'tb').length >= 3);
  assert.ok(rB.deliveries.every((d) => d.verified && d.json.source.startsWith(`/pangolin/tenants/${B.id}`)));
  assert.ok(!rA.deliveries.some((d) => d.json.source.includes(B.id)));
  // The subscription's state: caught up, counted, recent attempts newest first.
  const st = await until('A delivered', async () => { const w = await webhook(srv, A, a.id); return w.delivered >= 15 && w; });
  assert.equal(st.attempts, 0);
  const rec = (await deliveries(srv, A, a.id)).deliveries;
  assert.ok(rec.length > 0 && rec.length <= 50);
  assert.ok(rec[0].at_ms >= rec[rec.length - 1].at_ms, 'newest first');
  // The test event goes to its own subscription only, past the filter.
  const sent = await ok(srv, 'POST', `/api/v1/webhooks/${a.id}/test`, undefined, A.admin);
  await rA.waitFor((ds) => ds.some((d) => d.id === sent.event_id));
  assert.equal(rA.deliveries.find((d) => d.id === sent.event_id).json.type, 'io.pangolin.x-pangolin.webhook-test');
  // Metrics: per sink, labelled by tenant and sink, for root (the
  // public scrape has the totals only: metrics_access.test.js).
  const m = await srv.req('GET', '/metrics', { headers: root, validate: false });
  assert.match(m.text, new RegExp(`pangolin_event_sink_delivered_total\\{tenant="${A.id}",sink="${a.id}",kind="webhook"\\} \\d+`));
  assert.match(m.text, /pangolin_event_sink_lag_seconds\{/);
  assert.match(m.text, /pangolin_event_sinks_delivered_total \d+/);
});

test('a multi-table commit reaches a subscriber whole: each event counts both, and nothing the outbox keeps for the feed\'s readers', { skip: NO_TASKS }, async () => {
  // Issue 67: each event of the request keeps what it reached
  // (x-pangolin-reach), for the feed to count a reader's; it never leaves.
  await ok(srv, 'POST', `/v1/${B.cat}/namespaces`, { namespace: ['mt'] }, B.admin);
  const ids = {};
  for (const n of ['a', 'b']) ids[n] = (await ok(srv, 'POST', `/v1/${B.cat}/namespaces/mt/tables`, { name: n, schema }, B.admin)).metadata['table-uuid'];
  const change = (name) => ({ identifier: { namespace: ['mt'], name }, requirements: [{ type: 'assert-table-uuid', uuid: ids[name] }],
    updates: [{ action: 'set-properties', updates: { v: '1' } }] });
  await ok(srv, 'POST', `/v1/${B.cat}/transactions/commit`, { 'table-changes': [change('a'), change('b')] }, B.admin);
  const both = (ds) => ds.filter((d) => d.json?.type === 'io.pangolin.update-table' && d.json.data.operation.identifier.namespace[0] === 'mt');
  await rB.waitFor((ds) => both(ds).length >= 2);
  for (const d of both(rB.deliveries)) {
    assert.ok(d.verified, `signature: ${d.why}`);
    assert.equal(d.json.data['request-event-count'], 2);
    assert.ok(!JSON.stringify(d.json).includes('x-pangolin-reach'), JSON.stringify(d.json));
  }
});

test('with the key set, a rotated secret keeps signing through its overlap: both signatures verify, each alone', { skip: NO_TASKS }, async () => {
  const w = await subscribe(srv, A, { url: rB.url, operation_types: ['create-namespace'] });
  const rot = await ok(srv, 'POST', `/api/v1/webhooks/${w.id}/rotate-secret`, { overlap_secs: 600 }, A.admin);
  assert.notEqual(rot.secret, w.secret);
  const ns = uniq('rot');
  rB.setSecrets([rot.secret, w.secret]);
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces`, { namespace: [ns] }, A.admin);
  const mine = (x) => x.json?.type === 'io.pangolin.create-namespace' && x.json.data.operation.namespace?.[0] === ns;
  await rB.waitFor((ds) => ds.some(mine));
  const d = rB.deliveries.find(mine);
  assert.ok(d.verified, d.why);
  const check = (secrets) => verifyDelivery({ secrets, id: d.headers['webhook-id'],
    timestamp: d.headers['webhook-timestamp'], signature: d.headers['webhook-signature'], body: d.body });
  assert.ok(check([rot.secret]).ok, 'the new secret verifies');
  assert.ok(check([w.secret]).ok, 'the previous secret verifies during the overlap');
  assert.equal(d.headers['webhook-signature'].split(' ').length, 2);
  assert.equal((await webhook(srv, A, w.id)).status, 'active');
});

test('a receiver stopped then back gets the backlog in order; one answering 500 gets the event again', { skip: NO_TASKS }, async () => {
  const w = await subscribe(srv, A, { url: rDown.url, operation_types: ['update-table'], namespaces: ['down'] });
  rDown.setSecrets([w.secret]);
  const port = rDown.port;
  await rDown.close();
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces`, { namespace: ['down'] }, A.admin);
  await commits(srv, A, 'down', 'td', 6);
  await until('a failed attempt', async () => (await webhook(srv, A, w.id)).failures >= 1);
  rDown = await startReceiver({ secrets: [w.secret], port });
  await rDown.waitFor((ds) => updatesOf(ds, 'td').length >= 6);
  assert.deepEqual(values(updatesOf(rDown.deliveries, 'td')), [0, 1, 2, 3, 4, 5]);
  assert.ok(rDown.deliveries.every((d) => d.verified));
  const rec = (await deliveries(srv, A, w.id)).deliveries;
  assert.ok(rec.some((d) => d.error !== '' && d.status === 0), 'the refused connection is recorded');

  // 500, then well again: the same event (same webhook-id) comes again, nothing is skipped.
  const f = await subscribe(srv, A, { url: rFlaky.url, operation_types: ['update-table'], namespaces: ['flaky'] });
  rFlaky.setSecrets([f.secret]);
  rFlaky.answer(500, 500);
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces`, { namespace: ['flaky'] }, A.admin);
  await commits(srv, A, 'flaky', 'tf', 3);
  await rFlaky.waitFor((ds) => updatesOf(ds, 'tf').length >= 3);
  const first = rFlaky.deliveries.filter((d) => d.json?.type === 'io.pangolin.update-table');
  assert.equal(first[0].status, 500);
  assert.equal(first[1].status, 500);
  assert.equal(first[2].id, first[0].id, 'retried with the same webhook-id');
  assert.deepEqual(values(updatesOf(rFlaky.deliveries, 'tf')), [0, 1, 2]);
  const st = await webhook(srv, A, f.id);
  assert.equal(st.status, 'active');
  assert.ok(st.failures >= 2);
});

// The class the server gives an IPv4 address that is not public, or null.
function privateClass(ip) {
  const [a, b2] = ip.split('.').map(Number);
  if (a === 127) return 'loopback';
  if (a === 10 || (a === 172 && b2 >= 16 && b2 < 32) || (a === 192 && b2 === 168)) return 'private';
  if (a === 169 && b2 === 254) return 'link-local';
  return null;
}

test('a name allowed at subscribe that resolves to a forbidden address is refused at connect', { skip: NO_TASKS }, async (t) => {
  // This machine's own host name: /etc/hosts gives it 127.0.0.1 here (a
  // container's, its private address).  An https URL with a name passes
  // the subscribe check (the name is not local by definition and
  // PANGOLIN_ALLOWED_ENDPOINTS lists only http://127.0.0.1:<port>
  // origins); the address is checked at connect.
  const host = os.hostname();
  const addr = await dns.lookup(host, { family: 4 }).catch(() => null);
  const cls = addr && privateClass(addr.address);
  if (!cls) {
    t.skip(`the host name ${host} resolves to ${addr?.address ?? 'nothing'}, not a forbidden address: nothing to refuse`);
    return;
  }
  const w = await subscribe(srv, A, { url: `https://${host}:${rA.port}/hook`, operation_types: ['create-namespace'] });
  const seen = rA.deliveries.length;
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces`, { namespace: ['lo'] }, A.admin);
  const rec = await until('a refused attempt', async () => {
    const d = (await deliveries(srv, A, w.id)).deliveries;
    return d.length > 0 && d;
  });
  assert.match(rec[0].error, new RegExp(cls));
  assert.equal(rec[0].status, 0);
  assert.equal((await webhook(srv, A, w.id)).cursor, w.cursor, 'not delivered');
  assert.ok(rA.deliveries.slice(seen).every((d) => d.json?.data.operation['operation-type'] !== 'create-namespace' ||
    d.json.data.operation.namespace?.[0] !== 'lo'), 'nothing reached the receiver');
});

// --- pause ----------------------------------------------------------------

test('a subscription failing past PANGOLIN_WEBHOOK_PAUSE_AFTER_SECS is paused, with a reason and an audit record', { skip: NO_TASKS }, async () => {
  const r = await startReceiver();
  const s = await startServer({ root: true, noAuth: false, allowEndpoints: [`http://127.0.0.1:${r.port}`],
    env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_WEBHOOK_PAUSE_AFTER_SECS: '2' } });
  try {
    const T = await tenant(s, 'dp');
    const w = await subscribe(s, T, { url: r.url });
    r.answer(...Array(50).fill(500));
    await ok(s, 'POST', `/v1/${T.cat}/namespaces`, { namespace: ['p'] }, T.admin);
    const st = await until('paused', async () => { const x = await webhook(s, T, w.id); return x.status === 'paused' && x; });
    assert.match(st.status_reason, /answered 500/);
    assert.ok(st.failures >= 2);
    assert.ok(r.deliveries.every((d) => d.status === 500 && d.id === r.deliveries[0].id), 'one event, tried again');
    const audit = await ok(s, 'GET', '/api/v1/audit?action=webhook.paused', undefined, T.admin);
    const e = audit.find((x) => x.resource_id === w.id);
    assert.ok(e, JSON.stringify(audit));
    assert.match(e.error_message, /answered 500/);
    // Paused: nothing more is sent.
    const n = r.deliveries.length;
    await ok(s, 'POST', `/v1/${T.cat}/namespaces`, { namespace: ['p2'] }, T.admin);
    const m = await until('metrics', async () => {
      const x = await s.req('GET', '/metrics', { headers: root, validate: false });
      return /pangolin_event_sinks_pauses_total [1-9]/.test(x.text) && x.text;
    });
    assert.match(m, new RegExp(`pangolin_event_sink_pauses_total\\{tenant="${T.id}",sink="${w.id}",kind="webhook"\\} 1`));
    assert.equal(r.deliveries.length, n);
  } finally {
    await s.stop();
    await r.close();
  }
});

// --- NATS -------------------------------------------------------------------

const NATS = (() => {
  try { execFileSync('sh', ['-c', 'command -v nats-server || test -x /usr/sbin/nats-server']); return false; } catch { return 'nats-server is not installed'; }
})();

test('NATS: every event once on pangolin.events.<tenant>.<catalog>, a server killed mid-storm and restarted duplicates nothing', { skip: NO_TASKS || NATS }, async () => {
  const dir = tmpDir('pgl-nats');
  const port = await freePort();
  const nats = (...a) => execFileSync('sh', [path.join(REPO, 'tests/servers/nats.sh'), ...a], { encoding: 'utf8' }).trim();
  const url = nats('start', dir, String(port));
  const s = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_EVENTS_NATS_URL: url,
    PANGOLIN_WEBHOOK_TIMEOUT_MS: '2000' } });
  try {
    const T = await tenant(s, 'dn');
    await ok(s, 'POST', `/v1/${T.cat}/namespaces`, { namespace: ['n'] }, T.admin);
    await ok(s, 'POST', `/v1/${T.cat}/namespaces/n/tables`, { name: 't', schema }, T.admin);
    const commit = (i) => ok(s, 'POST', `/v1/${T.cat}/namespaces/n/tables/t`, { updates: [{ action: 'set-properties', updates: { v: String(i) } }] }, T.admin);
    for (let i = 0; i < 20; i++) await commit(i);
    // Killed while the dispatcher publishes: some acknowledged, some not.
    execFileSync('kill', ['-9', fs.readFileSync(path.join(dir, 'nats.pid'), 'utf8').trim()]);
    nats('stop', dir);
    for (let i = 20; i < 40; i++) await commit(i);
    nats('start', dir, String(port));
    for (let i = 40; i < 50; i++) await commit(i);
    const outbox = (await ok(s, 'GET', '/api/v1/events?limit=1000', undefined, T.admin)).events.map((e) => e['event-id']);
    const msgs = await until('every event in the stream', async () => {
      // The stream is made by the first publish, which may come only once
      // the restarted server is retried (the dispatcher's backoff).
      const read = await readStream(url, 'PANGOLIN_EVENTS').catch((e) => {
        if (/stream not found/.test(e.message)) return null;
        throw e;
      });
      if (read === null) return false;
      const all = read.filter((m) => m.subject.startsWith(`pangolin.events.${T.id}`));
      const ids = new Set(all.map((m) => m.data.id));
      return outbox.every((id) => ids.has(id)) && all;
    }, 60000);
    const ids = msgs.map((m) => m.data.id);
    assert.equal(new Set(ids).size, ids.length, 'no event twice in the stream');
    for (const m of msgs) {
      assert.equal(m.msgId, m.data.id, 'Nats-Msg-Id is the event id');
      assert.equal(m.subject, m.data.data['x-pangolin']?.catalog ? `pangolin.events.${T.id}.${T.cat}` : `pangolin.events.${T.id}`);
    }
    const updates = msgs.filter((m) => m.data.type === 'io.pangolin.update-table').map((m) => Number(m.data.data.operation.updates[0].updates.v));
    assert.deepEqual(updates, [...Array(50).keys()], 'in commit order');
  } finally {
    await s.stop();
    try { nats('stop', dir); } catch { /* already gone */ }
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
