// HAProxy (Debian `haproxy`) in front of replicas, as an operator would
// put it (docs/operator-guide.md, "Scale-out"): HTTP mode, round robin per
// request, GET /health/ready as the health check, a connection refused by
// a replica that went away sent to another one.  Each answer names the
// replica that gave it in x-served-by, so a test can see the balancing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, request } from './server.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The configuration for a frontend on port and one server per backend port. */
export function haproxyConfig(port, backends) {
  return [
    'global',
    '  maxconn 2000',
    'defaults',
    '  mode http',
    '  timeout connect 1s',
    '  timeout client 30s',
    '  timeout server 30s',
    // A health check's read: without it HAProxy gives a check the whole
    // `inter` (100 ms, below), and a healthy replica slower than that
    // twice in a row on a loaded machine was taken down, so every replica
    // was, and the balancer answered 503 (scaleout, once in CI).  A
    // replica killed or stopped still fails its check at once: its
    // connection is refused.
    '  timeout check 2s',
    // A request whose connection was refused goes to another replica; a
    // request already sent is never sent twice (a commit is not idempotent).
    '  retries 3',
    '  option redispatch 1',
    // HAProxy's own answers (no replica up, a replica gone mid-request)
    // in the Iceberg error shape, like every answer of a replica.
    ...[502, 503, 504].map((code) => `  http-error status ${code} content-type application/json `
      + `string '{"error":{"message":"no catalog replica answered (load balancer)","type":"ServiceUnavailableException","code":${code}}}'`),
    'frontend catalog',
    `  bind 127.0.0.1:${port}`,
    '  default_backend replicas',
    'backend replicas',
    '  balance roundrobin',
    '  option httpchk',
    // HTTP/1.1 with a Host: Pangolin answers a request without one 400
    // (RFC 9112 §3.2), HAProxy's default check is HTTP/1.0 without one.
    '  http-check send meth GET uri /health/ready ver HTTP/1.1 hdr Host localhost',
    '  http-response set-header x-served-by %s',
    ...backends.map((p, i) => `  server r${i} 127.0.0.1:${p} check inter 100ms fall 2 rise 2`),
    '',
  ].join('\n');
}

/**
 * Start haproxy in the foreground on a free port in front of the backend
 * ports; resolves once it answers /health/ready through a replica.
 * Returns { port, req(), log(), stop() }.
 */
export async function startHaproxy(dir, backends) {
  const port = await freePort();
  const conf = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(conf, haproxyConfig(port, backends));
  const proc = spawn('haproxy', ['-f', conf, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout.on('data', (d) => { log += d; });
  proc.stderr.on('data', (d) => { log += d; });
  let exit = null;
  const exited = new Promise((r) => proc.on('exit', (code, signal) => { exit = { code, signal }; r(); }));
  const deadline = Date.now() + 15000;
  for (;;) {
    assert.equal(exit, null, `haproxy exited: ${JSON.stringify(exit)}\n${log}`);
    try {
      const r = await request(port, 'GET', '/health/ready', { agent: false, timeout: 1000 });
      if (r.status === 200) break;
    } catch { /* not listening yet */ }
    assert.ok(Date.now() < deadline, `haproxy not ready on ${port}:\n${log}`);
    await sleep(50);
  }
  return {
    port,
    log: () => log,
    req: (method, p, o = {}) => request(port, method, p, o),
    async stop() {
      if (exit === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}
