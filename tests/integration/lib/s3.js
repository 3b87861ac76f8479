// An S3 endpoint for tests: OpenStack Swift with s3api, which checks every
// SigV4 signature (tests/servers/swift.sh), and curl's own signing to look
// at the bucket from outside the catalog (the flags swift_check.sh shows).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, REPO, tmpDir } from './server.js';

const SWIFT = path.join(REPO, 'tests/servers/swift.sh');

/** Start Swift on a free port; returns { endpoint, port, stop(), restart() }. */
export async function startSwift() {
  const dir = tmpDir('pgl-swift');
  const port = await freePort();
  const run = (cmd) => execFileSync('sh', [SWIFT, cmd, dir, String(port)], { encoding: 'utf8', timeout: 90000 }).trim();
  const s = { port, endpoint: run('start') };
  s.stop = () => run('stop');
  s.start = () => { s.endpoint = run('start'); return s.endpoint; };
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
