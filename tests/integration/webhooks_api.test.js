// Webhook subscriptions' management routes (issue 43): /api/v1/webhooks.
// A tenant admin's; root names the tenant; another tenant's subscription
// answers like a missing one.  The signing secret is in the create and
// rotate-secret answers only; validation errors name the field; the
// per-tenant limit answers 429; replay takes a feed token (410 past
// retention) or a seq; a test event lands in the tenant's stream; secrets
// are sealed at rest with PANGOLIN_ENCRYPTION_KEY.  Every answer is
// checked against docs/openapi/management.yaml by lib/server.js.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { startServer, STORE } from './lib/server.js';
import { uniq } from './lib/expect.js';
import { makeTenant as tenant, ok, root } from './lib/tenant_fixture.js';

const ALLOWED = 'http://127.0.0.1:9';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let srv, A, B;


const hook = (over = {}) => ({ name: uniq('hook'), url: 'https://hooks.example.com/pangolin', ...over });
const secretIn = (o) => JSON.stringify(o).includes('whsec_');

before(async () => {
  srv = await startServer({ root: true, noAuth: false, allowEndpoints: [ALLOWED],
    env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64') } });
  A = await tenant(srv, 'wa');
  B = await tenant(srv, 'wb');
});
after(async () => { await srv?.stop(); });

test('create, list, get, update, delete; the secret only at create and rotate', async () => {
  const body = hook({ operation_types: ['create-table', 'x-pangolin.merge'], catalogs: [A.cat], namespaces: ['sales.eu', ['a.b', 'c']] });
  const made = await ok(srv, 'POST', '/api/v1/webhooks', body, A.admin);
  assert.match(made.id, /^[0-9a-f-]{36}$/);
  assert.match(made.secret, /^whsec_[A-Za-z0-9+/=]{40,}$/);
  assert.equal(made.status, 'active');
  assert.deepEqual(made.operation_types, body.operation_types);
  assert.deepEqual(made.namespaces, [['sales', 'eu'], ['a.b', 'c']]);

  const got = await ok(srv, 'GET', `/api/v1/webhooks/${made.id}`, undefined, A.admin);
  assert.equal(got.name, body.name);
  assert.equal(got.cursor, made.cursor);
  assert.ok(!secretIn(got) && !('secret' in got), 'no secret in GET');
  const list = await ok(srv, 'GET', '/api/v1/webhooks', undefined, A.admin);
  assert.ok(list.some((w) => w.id === made.id));
  assert.ok(!secretIn(list), 'no secret in the list');

  const upd = await ok(srv, 'PUT', `/api/v1/webhooks/${made.id}`, { name: 'renamed', catalogs: null }, A.admin);
  assert.equal(upd.name, 'renamed');
  assert.deepEqual(upd.catalogs, []);
  assert.deepEqual(upd.operation_types, body.operation_types, 'lists not named are kept');
  assert.ok(!secretIn(upd));

  const paused = await ok(srv, 'PUT', `/api/v1/webhooks/${made.id}`, { active: false }, A.admin);
  assert.equal(paused.status, 'paused');
  assert.match(paused.status_reason, /paused by/);
  const resumed = await ok(srv, 'PUT', `/api/v1/webhooks/${made.id}`, { active: true }, A.admin);
  assert.equal(resumed.status, 'active');
  assert.equal(resumed.status_reason, null);
  assert.equal(resumed.attempts, 0);
  assert.equal(resumed.cursor, made.cursor, 'resume keeps the cursor');

  const rot = await ok(srv, 'POST', `/api/v1/webhooks/${made.id}/rotate-secret`, { overlap_secs: 60 }, A.admin);
  assert.match(rot.secret, /^whsec_/);
  assert.notEqual(rot.secret, made.secret);
  const until = Date.parse(rot.previous_valid_until);
  assert.ok(until > Date.now() + 30000 && until < Date.now() + 120000, rot.previous_valid_until);
  const rot2 = await ok(srv, 'POST', `/api/v1/webhooks/${made.id}/rotate-secret`, undefined, A.admin);
  assert.ok(Date.parse(rot2.previous_valid_until) > Date.now() + 23 * 3600 * 1000, 'default overlap: a day');
  assert.equal((await srv.req('POST', `/api/v1/webhooks/${made.id}/rotate-secret`, { body: { overlap_secs: 8 * 86400 }, headers: A.admin })).status, 400);

  const del = await srv.req('DELETE', `/api/v1/webhooks/${made.id}`, { headers: A.admin });
  assert.equal(del.status, 204);
  assert.equal((await srv.req('GET', `/api/v1/webhooks/${made.id}`, { headers: A.admin })).status, 404);
  assert.equal((await srv.req('DELETE', `/api/v1/webhooks/${made.id}`, { headers: A.admin })).status, 404);
});

test('validation errors answer 400 and name the field', async () => {
  const cases = [
    [{ url: 'https://x.example.com' }, /name/],
    [hook({ name: '' }), /name/],
    [hook({ name: 'x'.repeat(129) }), /name/],
    [hook({ url: 'ftp://x.example.com/' }), /url/],
    [hook({ url: 'not a url' }), /url/],
    [hook({ url: 'http://hooks.example.com/' }), /url.*http/],
    [hook({ url: 'https://127.0.0.1/' }), /url.*loopback/],
    [hook({ url: 'https://localhost:8443/' }), /url/],
    [hook({ url: 'https://10.1.2.3/' }), /url.*private/],
    [hook({ url: 'https://169.254.169.254/latest/' }), /url/],
    [hook({ url: 'https://user:pw@hooks.example.com/' }), /url.*credentials/],
    [hook({ operation_types: ['nope'] }), /operation_types\[0\]/],
    [hook({ operation_types: 'create-table' }), /operation_types/],
    [hook({ namespaces: [42] }), /namespaces\[0\]/],
    [hook({ namespaces: [''] }), /namespaces\[0\]/],
    [hook({ catalogs: [''] }), /catalogs\[0\]/],
    [hook({ colour: 'red' }), /colour/],
  ];
  for (const [body, re] of cases) {
    const r = await srv.req('POST', '/api/v1/webhooks', { body, headers: A.admin });
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
    assert.match(r.json.error.message ?? r.json.error, re, JSON.stringify(body));
  }
  // An allow-listed origin may be plain http and on loopback.
  const w = await ok(srv, 'POST', '/api/v1/webhooks', hook({ url: `${ALLOWED}/hook` }), A.admin);
  const r = await srv.req('PUT', `/api/v1/webhooks/${w.id}`, { body: { url: 'http://192.168.1.1/' }, headers: A.admin });
  assert.equal(r.status, 400, r.text);
  await ok(srv, 'DELETE', `/api/v1/webhooks/${w.id}`, undefined, A.admin);
});

test('tenant isolation, a tenant user gets 403, and root must name the tenant', async () => {
  const a = await ok(srv, 'POST', '/api/v1/webhooks', hook(), A.admin);
  const b = await ok(srv, 'POST', '/api/v1/webhooks', hook(), B.admin);
  const missing = '00000000-0000-0000-0000-000000000000';
  for (const [m, p, body] of [['GET', ''], ['PUT', '', { name: 'x' }], ['DELETE', ''], ['POST', '/replay', { after_seq: 0 }],
    ['POST', '/test'], ['GET', '/deliveries'], ['POST', '/rotate-secret', {}]]) {
    const theirs = await srv.req(m, `/api/v1/webhooks/${a.id}${p}`, { body, headers: B.admin });
    const none = await srv.req(m, `/api/v1/webhooks/${missing}${p}`, { body, headers: B.admin });
    assert.equal(theirs.status, 404, `${m} ${p}: ${theirs.text}`);
    assert.equal(none.status, 404);
    assert.equal(theirs.json.error.message ?? theirs.json.error, none.json.error.message ?? none.json.error);
  }
  const la = (await ok(srv, 'GET', '/api/v1/webhooks', undefined, A.admin)).map((w) => w.id);
  const lb = (await ok(srv, 'GET', '/api/v1/webhooks', undefined, B.admin)).map((w) => w.id);
  assert.ok(la.includes(a.id) && !la.includes(b.id));
  assert.ok(lb.includes(b.id) && !lb.includes(a.id));
  assert.equal((await ok(srv, 'GET', `/api/v1/webhooks/${a.id}`, undefined, A.admin)).id, a.id, 'A\'s is still there');

  assert.equal((await srv.req('GET', '/api/v1/webhooks', { headers: A.user })).status, 403);
  assert.equal((await srv.req('POST', '/api/v1/webhooks', { body: hook(), headers: A.user })).status, 403);
  assert.equal((await srv.req('GET', `/api/v1/webhooks/${a.id}`, { headers: A.user })).status, 403);

  const bare = await srv.req('GET', '/api/v1/webhooks', { headers: root });
  assert.equal(bare.status, 400, bare.text);
  assert.match(bare.json.error.message ?? bare.json.error, /tenant/i);
  const asRoot = await ok(srv, 'GET', '/api/v1/webhooks', undefined, { ...root, 'x-pangolin-tenant': A.id });
  assert.ok(asRoot.some((w) => w.id === a.id) && !asRoot.some((w) => w.id === b.id));
  const made = await ok(srv, 'POST', '/api/v1/webhooks', hook(), { ...root, 'x-pangolin-tenant': B.id });
  assert.ok((await ok(srv, 'GET', '/api/v1/webhooks', undefined, B.admin)).some((w) => w.id === made.id));
  for (const w of [[a, A], [b, B], [made, B]]) await ok(srv, 'DELETE', `/api/v1/webhooks/${w[0].id}`, undefined, w[1].admin);
});

test('a test event is recorded in the tenant\'s stream, and a new subscription starts at its newest event', async () => {
  // Some history first: the new subscription must start after it.
  await ok(srv, 'POST', `/v1/${A.cat}/namespaces`, { namespace: [uniq('hist')] }, A.admin);
  const before_ = await ok(srv, 'GET', '/api/v1/events?limit=1000', undefined, A.admin);
  const w = await ok(srv, 'POST', '/api/v1/webhooks', hook(), A.admin);
  assert.ok(w.cursor > 0, 'the cursor is past the history');
  const sent = await srv.req('POST', `/api/v1/webhooks/${w.id}/test`, { headers: A.admin });
  assert.equal(sent.status, 202, sent.text);
  const page = await ok(srv, 'GET', `/api/v1/events?limit=1000&after=${encodeURIComponent(before_['continuation-token'])}`, undefined, A.admin);
  const t = page.events.find((e) => e['event-id'] === sent.json.event_id);
  assert.ok(t, 'the test event is in the stream after the history');
  assert.equal(t.operation['operation-type'], 'x-pangolin.webhook-test');
  assert.equal(t.operation['webhook-id'], w.id);
  assert.ok(page.events.indexOf(t) === page.events.length - 1 || page.events.length >= 1);
  // B's stream has no such event.
  const bs = await ok(srv, 'GET', '/api/v1/events?limit=1000', undefined, B.admin);
  assert.ok(!bs.events.some((e) => e['event-id'] === sent.json.event_id));
  const d = await ok(srv, 'GET', `/api/v1/webhooks/${w.id}/deliveries`, undefined, A.admin);
  assert.ok(Array.isArray(d.deliveries));
  assert.equal(d.status, 'active');
  await ok(srv, 'DELETE', `/api/v1/webhooks/${w.id}`, undefined, A.admin);
});

test('replay from a feed token or a seq moves the cursor and resumes', async () => {
  const w = await ok(srv, 'POST', '/api/v1/webhooks', hook(), A.admin);
  const first = await ok(srv, 'GET', '/api/v1/events?limit=1', undefined, A.admin);
  const r1 = await ok(srv, 'POST', `/api/v1/webhooks/${w.id}/replay`, { after: first['continuation-token'] }, A.admin);
  assert.ok(r1.cursor < w.cursor, `${r1.cursor} < ${w.cursor}`);
  assert.equal(r1.status, 'active');
  const r2 = await ok(srv, 'POST', `/api/v1/webhooks/${w.id}/replay`, { after_seq: w.cursor }, A.admin);
  assert.equal(r2.cursor, w.cursor);
  for (const body of [{}, { after: 'x', after_seq: 1 }, { after: 'garbage' }, { after_seq: -1 }, { after_seq: w.cursor + 1000000 }, { nope: 1 }]) {
    const r = await srv.req('POST', `/api/v1/webhooks/${w.id}/replay`, { body, headers: A.admin });
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
  }
  // B's token is not A's stream's.
  const bt = await ok(srv, 'GET', '/api/v1/events?limit=1', undefined, B.admin);
  assert.equal((await srv.req('POST', `/api/v1/webhooks/${w.id}/replay`, { body: { after: bt['continuation-token'] }, headers: A.admin })).status, 400);
  await ok(srv, 'DELETE', `/api/v1/webhooks/${w.id}`, undefined, A.admin);
});

test('secrets are sealed at rest with PANGOLIN_ENCRYPTION_KEY', { skip: STORE !== 'sqlite' && 'reads the SQLite file' }, async () => {
  const w = await ok(srv, 'POST', '/api/v1/webhooks', hook(), A.admin);
  const rot = await ok(srv, 'POST', `/api/v1/webhooks/${w.id}/rotate-secret`, {}, A.admin);
  const bytes = ['', '-wal'].map((x) => srv.dbPath + x).filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f));
  const all = Buffer.concat(bytes);
  assert.ok(all.length > 0);
  for (const s of [w.secret, rot.secret, w.secret.slice(6), rot.secret.slice(6)]) assert.equal(all.indexOf(s), -1, 'a secret in plain in the store');
  assert.equal(all.indexOf('whsec_'), -1);
  await ok(srv, 'DELETE', `/api/v1/webhooks/${w.id}`, undefined, A.admin);
});

test('the per-tenant limit answers 429 naming the setting', async () => {
  const s = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_WEBHOOKS_MAX_PER_TENANT: '2' } });
  try {
    const T = await tenant(s, 'wl');
    const U = await tenant(s, 'wm');
    const a = await ok(s, 'POST', '/api/v1/webhooks', hook(), T.admin);
    await ok(s, 'POST', '/api/v1/webhooks', hook(), T.admin);
    const r = await s.req('POST', '/api/v1/webhooks', { body: hook(), headers: T.admin });
    assert.equal(r.status, 429, r.text);
    assert.match(r.json.error.message ?? r.json.error, /PANGOLIN_WEBHOOKS_MAX_PER_TENANT/);
    assert.equal(r.json.limit, 2);
    assert.ok(r.headers['retry-after']);
    const m = (await s.req('GET', '/metrics')).text.match(/^pangolin_webhook_quota_refused_total (\d+)/m);
    assert.ok(m && Number(m[1]) >= 1, 'the refusal is counted in /metrics');
    // Another tenant has its own count; a delete frees a place.
    await ok(s, 'POST', '/api/v1/webhooks', hook(), U.admin);
    await ok(s, 'DELETE', `/api/v1/webhooks/${a.id}`, undefined, T.admin);
    await ok(s, 'POST', '/api/v1/webhooks', hook(), T.admin);
  } finally {
    await s.stop();
  }
});

test('replay from a token past retention answers 410', { skip: STORE === 'memory' && 'the memory store runs no task runner, so nothing is swept' }, async () => {
  const s = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_EVENTS_RETENTION_SECS: '2', TASK_WORKER_POLL_INTERVAL_MS: '100' } });
  try {
    const T = await tenant(s, 'wr');
    const w = await ok(s, 'POST', '/api/v1/webhooks', hook(), T.admin);
    const first = await ok(s, 'GET', '/api/v1/events?limit=1', undefined, T.admin);
    await ok(s, 'POST', `/v1/${T.cat}/namespaces`, { namespace: ['r1'] }, T.admin);
    let r;
    // Polls a condition (the sweep removing the events), not a delay.
    for (let i = 0; i < 300; i++) {
      r = await s.req('POST', `/api/v1/webhooks/${w.id}/replay`, { body: { after: first['continuation-token'] }, headers: T.admin });
      if (r.status === 410) break;
      await sleep(100);
    }
    assert.equal(r.status, 410, r.text);
    assert.match(r.json.error.message ?? r.json.error, /retention/);
    const low = await s.req('POST', `/api/v1/webhooks/${w.id}/replay`, { body: { after_seq: 0 }, headers: T.admin });
    assert.equal(low.status, 410, low.text);
  } finally {
    await s.stop();
  }
});
