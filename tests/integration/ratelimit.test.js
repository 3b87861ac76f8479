// The login throttle (pangolin-api.md §3.6): per client address and per
// account, shared by every worker of the process; 429 with Retry-After.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { request, ROOT_PASSWORD, ROOT_USER, startServer } from './lib/server.js';
import { expectError, expectJson, uniq } from './lib/expect.js';

let srv;
before(async () => {
  srv = await startServer({ root: true, noAuth: false, workers: 2, env: {
    PANGOLIN_AUTH_RATE_LIMIT: '3', PANGOLIN_AUTH_RATE_WINDOW_SECS: '60', PANGOLIN_TRUST_FORWARDED_FOR: 'true',
  } });
});
after(async () => { await srv?.stop(); });

// A new connection per request, so the requests spread over both workers.
const agent = new http.Agent({ keepAlive: false });
const login = (body, ip) => request(srv.port, 'POST', '/api/v1/users/login',
  { agent, body, headers: { 'x-forwarded-for': `${ip}, 10.9.9.9` } });

function assert429(r) {
  expectError(r, 429, { message: /Too many login attempts/ });
  const after = Number(r.headers['retry-after']);
  assert.ok(after >= 1 && after <= 60, `Retry-After ${r.headers['retry-after']}`);
}

test('a client address gets limit attempts per window, whatever the accounts, then 429 with Retry-After', async () => {
  const ip = '192.0.2.1';
  for (let i = 0; i < 3; i++) expectError(await login({ username: uniq('u'), password: 'Wrong-password-1' }, ip), 401);
  assert429(await login({ username: uniq('u'), password: 'Wrong-password-1' }, ip));
  // Even the right password waits: the throttle answers before any check.
  assert429(await login({ username: ROOT_USER, password: ROOT_PASSWORD }, ip));
  // Another address is not affected.
  expectJson(await login({ username: ROOT_USER, password: ROOT_PASSWORD }, '192.0.2.2'), 200);
});

// Issue 22: per account and address, so that nobody locks a user out from
// the user's own address; across addresses ten times the limit.
test('an account gets limit failed attempts per address, and ten times that from all addresses', async () => {
  const name = uniq('victim');
  for (let i = 0; i < 3; i++) expectError(await login({ username: name, password: 'Wrong-password-1' }, '198.51.100.200'), 401);
  assert429(await login({ username: name, password: 'Wrong-password-1' }, '198.51.100.200'));
  // Other addresses still get their own attempts, up to 30 for the account.
  for (let i = 0; i < 27; i++) expectError(await login({ username: name, password: 'Wrong-password-1' }, `198.51.100.${i}`), 401);
  assert429(await login({ username: name, password: 'Wrong-password-1' }, '198.51.100.77'));
});

test('a successful login clears its account\'s count', async () => {
  for (let i = 0; i < 2; i++) expectError(await login({ username: ROOT_USER, password: 'Wrong-password-1' }, `203.0.113.${i}`), 401);
  expectJson(await login({ username: ROOT_USER, password: ROOT_PASSWORD }, '203.0.113.50'), 200);
  for (let i = 0; i < 2; i++) expectError(await login({ username: ROOT_USER, password: 'Wrong-password-1' }, `203.0.113.${100 + i}`), 401);
});

// Issue 67: a script or a CI job that logs in more often than the limit
// was refused though it never failed.
test('successful logins use up nothing: an address that only succeeds is never refused, its failures still are', async () => {
  const ip = '192.0.2.30';
  for (let i = 0; i < 5; i++) expectJson(await login({ username: ROOT_USER, password: ROOT_PASSWORD }, ip), 200);
  for (let i = 0; i < 3; i++) expectError(await login({ username: uniq('u'), password: 'Wrong-password-1' }, ip), 401);
  assert429(await login({ username: uniq('u'), password: 'Wrong-password-1' }, ip));
});

test('a success does not give an address back the failures before it; attempts sent at once never pass the limit together', async () => {
  const ip = '192.0.2.31';
  for (let i = 0; i < 2; i++) expectError(await login({ username: uniq('u'), password: 'Wrong-password-1' }, ip), 401);
  expectJson(await login({ username: ROOT_USER, password: ROOT_PASSWORD }, ip), 200);
  expectError(await login({ username: uniq('u'), password: 'Wrong-password-1' }, ip), 401);
  assert429(await login({ username: uniq('u'), password: 'Wrong-password-1' }, ip));
  // Eight at once from a fresh address: three are checked, five refused.
  const burst = await Promise.all(Array.from({ length: 8 }, () => login({ username: uniq('u'), password: 'Wrong-password-1' }, '192.0.2.32')));
  assert.deepEqual(burst.map((r) => r.status).sort(), [401, 401, 401, 429, 429, 429, 429, 429]);
});

test('without PANGOLIN_TRUST_FORWARDED_FOR the header is ignored: the peer address counts', async () => {
  const plain = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '2' } });
  try {
    const r = (ip) => request(plain.port, 'POST', '/api/v1/users/login',
      { agent, body: { username: uniq('u'), password: 'Wrong-password-1' }, headers: { 'x-forwarded-for': ip } });
    expectError(await r('192.0.2.10'), 401);
    expectError(await r('192.0.2.11'), 401);
    assert429(await r('192.0.2.12'));
  } finally {
    await plain.stop();
  }
});
