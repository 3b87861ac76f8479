// docs/admin-coverage.md kept true: every management route has a row;
// each console screen it names is registered and the console's scripts
// call the route; each command it names, run against a server that
// records what it is asked, sends that method to that path.  No store
// involved: run once, on the memory pass.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { test } from 'node:test';
import { BIN, REPO, SAN_ENV, STORE, cleanEnv, tmpDir } from './lib/server.js';

const skip = STORE !== 'memory' && 'store-independent: runs on the memory pass';
const read = (f) => fs.readFileSync(path.join(REPO, f), 'utf8');

const routes = [...read('src/api/routes.c').matchAll(/ROUTE\((GET|POST|PUT|DELETE|PATCH), "(\/api\/v1[^"]*)"/g)]
  .map((m) => `${m[1]} ${m[2]}`);

// | `METHOD /path` | console | command line |
const rows = new Map();
for (const line of read('docs/admin-coverage.md').split('\n')) {
  const m = /^\| `([A-Z]+ \/[^`]+)` \| (.*) \| (.*) \|$/.exec(line);
  if (m) rows.set(m[1], { screen: m[2], command: m[3] });
}
const quoted = (cell, prefix) => {
  const m = /^`([^`]+)`$/.exec(cell);
  return m && m[1].startsWith(prefix) ? m[1] : null;
};

// A route pattern as a regular expression over a concrete path: {x} is
// one segment.
const pathRe = (p) => new RegExp(`^${p.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);

test('every management route has a row, and every row is a route', { skip }, () => {
  assert.ok(routes.length > 100, `routes.c parsed (${routes.length})`);
  assert.deepEqual(routes.filter((r) => !rows.has(r)), [], 'routes without a row');
  assert.deepEqual([...rows.keys()].filter((r) => !routes.includes(r)), [], 'rows without a route');
  for (const [r, { screen, command }] of rows) {
    assert.ok(quoted(screen, '#/') || screen.length > 3, `${r}: a screen or the reason there is none`);
    assert.ok(quoted(command, 'pangolin admin') || /^— \(.+\)$/.test(command), `${r}: a command or — (why not)`);
  }
});

test('each screen named is one the console registers, and its scripts call the route', { skip }, () => {
  // Each script with its path constants put in (const base = `/api/v1/…`;
  // then `${base}/stats`).
  const js = fs.readdirSync(path.join(REPO, 'assets')).filter((f) => f.endsWith('.js')).map((f) => {
    let text = read(`assets/${f}`);
    for (const [, name, value] of text.matchAll(/const (\w+) = `(\/api\/v1[^`]*)`;/g))
      text = text.split(`\${${name}}`).join(value);
    return text;
  }).join('\n');
  const screens = new Set([...js.matchAll(/\broute\("([^"]+)"/g)].map((m) => m[1]));
  // Paths in the scripts, ${…} as one placeholder segment; a query (or
  // an expression that adds one) dropped.
  const called = [...js.matchAll(/["`](\/api\/v1\/[^"`?]*)/g)]
    .map((m) => m[1].replace(/\$\{[^}]*\}/g, '{}').replace(/\$\{.*$/, ''));
  const missing = [];
  for (const [r, { screen }] of rows) {
    const hash = quoted(screen, '#/');
    if (hash) assert.ok(screens.has(hash.slice(1)), `${r}: the console registers ${hash}`);
    if (/^— /.test(screen)) continue;
    const re = pathRe(r.split(' ')[1]);
    if (!called.some((c) => re.test(c))) missing.push(r);
  }
  assert.deepEqual(missing, [], 'routes the console names but its scripts never call');
});

// A server that answers 200 {} to anything and remembers what it was asked.
async function recorder() {
  const asked = [];
  const srv = http.createServer((req, res) => {
    asked.push(`${req.method} ${req.url.split('?')[0]}`);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: 't', id: '00000000-0000-0000-0000-0000000000aa', results: [], caches: [] }));
    });
  });
  await new Promise((ok) => srv.listen(0, '127.0.0.1', ok));
  return { asked, url: `http://127.0.0.1:${srv.address().port}`, close: () => srv.close() };
}

function runCli(args, env) {
  return new Promise((ok) => {
    const p = spawn(BIN, ['admin', ...args, '--output', 'json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => { err += d; });
    p.stdout.resume();
    const t = setTimeout(() => p.kill('SIGKILL'), 20000);
    p.on('close', (code) => { clearTimeout(t); ok({ code, err }); });
  });
}

test('each command named sends its route\'s method to its path', { skip }, async () => {
  const rec = await recorder();
  const env = { ...cleanEnv(), ...SAN_ENV, PANGOLIN_URL: rec.url, PANGOLIN_TOKEN: 't', XDG_CONFIG_HOME: tmpDir('pgl-coverage') };
  const wrong = [];
  try {
    for (const [r, { command }] of rows) {
      const cmd = quoted(command, 'pangolin admin');
      if (!cmd) continue;
      rec.asked.length = 0;
      const { code, err } = await runCli(cmd.split(' ').slice(2), env);
      assert.doesNotMatch(err, /AddressSanitizer|runtime error:|LeakSanitizer/, `${cmd}: ${err}`);
      const [method, p] = r.split(' ');
      const re = pathRe(p);
      if (!rec.asked.some((a) => a.startsWith(`${method} `) && re.test(a.slice(method.length + 1))))
        wrong.push(`${cmd} (exit ${code}) asked ${JSON.stringify(rec.asked)}, not ${r}`);
    }
  } finally { rec.close(); }
  assert.deepEqual(wrong, [], 'commands that do not call their route');
});
