// LOG_FORMAT=json: every line the server writes to stderr, its own and
// Kore's, the access log included, is one JSON object; text stays the
// default; any other value is refused at start-up.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runBinary, startServer } from './lib/server.js';

/** The non-empty lines of a log, each parsed, with the line for messages. */
function parseLines(log) {
  return log.split('\n').filter((l) => l !== '').map((l) => {
    try {
      return JSON.parse(l);
    } catch {
      assert.fail(`not a JSON object: ${l}`);
    }
  });
}

test('LOG_FORMAT=json: each stderr line is one object with ts, level, process, msg; access lines add method, path, route, status, duration_ms, request_id', async () => {
  const s = await startServer({ env: { LOG_FORMAT: 'json' } });
  assert.equal((await s.req('GET', '/health/ready')).status, 200);
  // A path that needs escaping: quote and backslash, percent-encoded or not.
  assert.equal((await s.req('GET', '/api/v1/no"such\\path%22x')).status, 404);
  await s.stop();
  const lines = parseLines(s.log());
  assert.ok(lines.length > 5, s.log());
  for (const o of lines) {
    assert.match(o.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, JSON.stringify(o));
    assert.ok(['info', 'warn', 'error', 'debug'].includes(o.level), JSON.stringify(o));
    assert.equal(typeof o.process, 'string');
    assert.equal(typeof o.msg, 'string');
  }
  const access = lines.filter((o) => o.msg === 'access');
  const ready = access.find((o) => o.path === '/health/ready');
  assert.ok(ready, s.log());
  assert.equal(ready.method, 'GET');
  assert.equal(ready.route, '/health/ready');
  assert.equal(ready.status, 200);
  assert.equal(typeof ready.duration_ms, 'number');
  assert.match(ready.request_id, /\S/);
  const odd = access.find((o) => o.status === 404);
  assert.ok(odd, s.log());
  assert.equal(odd.path, '/api/v1/no"such\\path%22x');
  // The start-up line and Kore's own lines are objects too.
  assert.ok(lines.some((o) => o.process === 'parent' && /^pangolin .* workers/.test(o.msg)), s.log());
  assert.ok(lines.some((o) => o.msg === 'goodbye'), 'Kore\'s last line is JSON too');
});

test('the default stays text: "<time> <level> [<process>] message" and "access method=…"', async () => {
  const s = await startServer();
  assert.equal((await s.req('GET', '/health/ready')).status, 200);
  await s.stop();
  const log = s.log();
  assert.match(log, /^\d{4}-\d\d-\d\dT[\d:.]+Z info +\[parent\] pangolin /m);
  assert.match(log, /Z info +\[worker \d+\] access method=GET route=\/health\/ready status=200 duration_ms=/);
  assert.ok(!/^\{/m.test(log), 'no JSON lines in text mode');
});

test('LOG_FORMAT=xml is refused: exit 2 naming the variable', () => {
  const r = runBinary(['--check-config'], { env: { LOG_FORMAT: 'xml' } });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /LOG_FORMAT/);
});

test('LOG_FORMAT=json: a refused configuration is reported as one JSON line too', () => {
  const r = runBinary(['-c', '/nonexistent/pangolin.toml'], { env: { LOG_FORMAT: 'json' } });
  assert.equal(r.code, 2, r.stderr);
  const lines = parseLines(r.stderr);
  assert.equal(lines.length, 1, r.stderr);
  assert.equal(lines[0].level, 'error');
  assert.match(lines[0].msg, /nonexistent/);
});
