// Recorded anonymous failures per address (issue 23, part 3): a caller
// without credentials writes an audit event for each failed login (HTTP
// Basic as root here: no password hash to wait for, so the flood takes
// well under the minute the limit counts in); at
// most PANGOLIN_AUDIT_ANON_FAILURES_PER_MIN ([audit]
// anonymous_failures_per_min) of them per address and minute are
// recorded, counted across workers.  Past it the login is refused as
// before (401), only not recorded, and counted in /metrics.  The login
// throttle is off here (PANGOLIN_AUTH_RATE_LIMIT=0), as an operator may
// run it, so only the new limit bounds the log.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { expectError, expectJson } from './lib/expect.js';
import { basic, startServer } from './lib/server.js';

const LIMIT = 20;
const FLOOD = 200;
const root = { authorization: basic() };
let srv;

before(async () => {
  srv = await startServer({
    root: true, noAuth: false,
    env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_TRUST_FORWARDED_FOR: 'true', PANGOLIN_AUDIT_ANON_FAILURES_PER_MIN: String(LIMIT) },
  });
});
after(async () => { await srv?.stop(); });

const failLogin = (addr) => srv.req('GET', '/api/v1/tenants', {
  headers: { authorization: basic('root', 'Wrong-password-1'), 'x-forwarded-for': addr } });
const recorded = async (addr) => {
  const r = expectJson(await srv.req('GET', `/api/v1/audit?action=login_failed&limit=1000`, { headers: root }), 200);
  const items = Array.isArray(r) ? r : r.items;
  return items.filter((e) => e.ip_address === addr).length;
};
const dropped = async () => {
  const m = (await srv.req('GET', '/metrics', { headers: root })).text;
  const line = m.split('\n').find((l) => l.startsWith('pangolin_audit_anonymous_failures_dropped_total '));
  assert.ok(line, 'the counter is in /metrics');
  return Number(line.split(' ')[1]);
};

test(`${FLOOD} failed logins from one address are all refused and at most ${LIMIT} recorded; another address is still recorded`, async () => {
  const before0 = await dropped();
  const t0 = Date.now();
  for (let i = 0; i < FLOOD; i += 20) {
    const rs = await Promise.all(Array.from({ length: 20 }, () => failLogin('198.51.100.7')));
    for (const r of rs) expectError(r, 401);
  }
  const floodMs = Date.now() - t0;
  const n = await recorded('198.51.100.7');
  const d = (await dropped()) - before0;
  console.log(`# ${FLOOD} failed logins from one address: ${n} recorded, ${d} dropped (limit ${LIMIT}), in ${floodMs} ms`);
  assert.ok(floodMs < 60000, 'the flood fits in one window (else the bound is per window)');
  assert.ok(n <= LIMIT, `${n} recorded`);
  assert.ok(n >= 1, 'the first failures are recorded');
  assert.equal(n + d, FLOOD, 'every failure is either recorded or counted as dropped');

  expectError(await failLogin('198.51.100.8'), 401);
  assert.equal(await recorded('198.51.100.8'), 1, 'another address has its own allowance');
});
