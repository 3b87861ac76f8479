// An S3 endpoint for tests: OpenStack Swift with s3api, which checks every
// SigV4 signature (tests/servers/swift.sh), and curl's own signing to look
// at the bucket from outside the catalog (the flags swift_check.sh shows).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort, REPO, tmpDir } from './server.js';

const SWIFT = path.join(REPO, 'tests/servers/swift.sh');

/**
 * Swift for a test file: { endpoint, port, destroy() }.  The one
 * tests/run-integration.sh starts for the whole run when
 * PGL_SWIFT_URL_FILE names the file it writes the URL to once Swift
 * answers (four Pythons and three ring builds cost a start 10-15 s of
 * CPU; each file keeps to a bucket of its own), else one of the file's
 * own on a free port.  A test that needs the endpoint to go away puts a
 * cutProxy() in front of it rather than stopping a Swift others share.
 */
export async function startSwift() {
  const file = process.env.PGL_SWIFT_URL_FILE;
  if (file) {
    // The run starts it beside the first jobs: wait for its word (a
    // start takes about 16 s; the bound only ends a hung one).
    const end = Date.now() + 180000;
    while (!fs.existsSync(file)) {
      if (Date.now() > end) throw new Error(`the run's Swift gave no URL in 180 s (${file})`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const url = fs.readFileSync(file, 'utf8').trim();
    if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(url)) throw new Error(`the run's Swift did not start: ${url}`);
    const port = Number(url.split(':')[2]);
    return { port, endpoint: url, destroy() {} };
  }
  const dir = tmpDir('pgl-swift');
  const port = await freePort();
  const run = (cmd) => execFileSync('sh', [SWIFT, cmd, dir, String(port)], { encoding: 'utf8', timeout: 90000 }).trim();
  const s = { port, endpoint: run('start') };
  s.destroy = () => {
    try { run('stop'); } catch { /* already stopped */ }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return s;
}

/** One signed S3 request with curl: { status, text }. */
export function s3(swift, method, p, { body } = {}) {
  const args = ['-s', '-o', '-', '-w', '\n%{http_code}', '--aws-sigv4', 'aws:amz:us-east-1:s3',
    '-H', 'x-amz-content-sha256: UNSIGNED-PAYLOAD', ...(method === 'HEAD' ? ['-I'] : ['-X', method])];
  if (body !== undefined) args.push('--data-binary', body);
  args.push(`http://test%3Atester:testing@127.0.0.1:${swift.port}${p}`);
  const out = execFileSync('curl', args, { encoding: 'utf8' });
  const nl = out.lastIndexOf('\n');
  return { status: Number(out.slice(nl + 1)), text: out.slice(0, nl) };
}

/** The keys of bucket under prefix. */
export function keys(swift, bucket, prefix) {
  const r = s3(swift, 'GET', `/${bucket}?list-type=2&prefix=${encodeURIComponent(prefix)}`);
  assert.equal(r.status, 200, r.text);
  return [...r.text.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]);
}

/** "s3://bucket/key" -> [bucket, key]. */
export function splitS3(location) {
  const m = location.match(/^s3a?:\/\/([^/]+)\/?(.*)$/);
  assert.ok(m, location);
  return [m[1], m[2]];
}

/**
 * A TCP proxy to 127.0.0.1:port that can be cut: cut() stops listening and
 * drops every connection, as a stopped server does (connections refused,
 * kept-alive ones gone); restore() listens on the same port again.
 */
export async function cutProxy(port) {
  const socks = new Set();
  const server = net.createServer((c) => {
    const u = net.connect(port, '127.0.0.1');
    socks.add(c).add(u);
    c.pipe(u).pipe(c);
    const end = () => { c.destroy(); u.destroy(); socks.delete(c); socks.delete(u); };
    c.on('error', end).on('close', end);
    u.on('error', end).on('close', end);
  });
  const own = await freePort();
  const listen = () => new Promise((resolve) => server.listen(own, '127.0.0.1', resolve));
  await listen();
  return {
    endpoint: `http://127.0.0.1:${own}`,
    async cut() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const s of socks) s.destroy();
      await closed;
    },
    restore: listen,
    close() { for (const s of socks) s.destroy(); server.close(); },
  };
}
