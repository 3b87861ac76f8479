// A real STS for tests: Ceph's RADOS Gateway with STS AssumeRole on
// loopback (tests/servers/ceph.sh), and curl's own SigV4 signing to use the
// keys it hands out from outside the catalog, as a client would.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO, tmpDir } from './server.js';

const CEPH = path.join(REPO, 'tests/servers/ceph.sh');
const run = promisify(execFile);

// Clusters still running: the daemons fork away from us, so if the test
// process ends without destroy() (an uncaught error), stop them here.
const live = new Set();
process.on('exit', () => {
  for (const dir of live) {
    try { execFileSync('sh', [CEPH, 'stop', dir], { timeout: 30000, stdio: 'ignore' }); } catch { /* best effort */ }
  }
});

/** The KEY=VALUE lines ceph.sh prints, as an object. */
function parseEnv(text) {
  const out = {};
  for (const line of text.split('\n')) {
    const m = line.match(/^([A-Z_][A-Z0-9_]*)=(.*)$/);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/**
 * Start a one-node Ceph with RGW and STS on a free loopback port, its S3
 * user, the role S3Access (trust: the user; s3:* on the bucket) and the
 * bucket.  opts.minDuration: RGW's smallest DurationSeconds (default 1, so
 * tests can mint credentials that expire in seconds); opts.port: RGW's
 * port (default a free one), for a test that must name the endpoint
 * before Ceph is up.  Returns
 * { endpoint, accessKey, secretKey, roleArn, bucket, port, region, dir,
 * env, destroy() }; the object is also credentials for s3() (the user's
 * long-term keys).
 */
export async function startCeph({ minDuration = 1, port } = {}) {
  const dir = tmpDir('pgl-ceph');
  let out;
  try {
    ({ stdout: out } = await run('sh', [CEPH, 'start', dir, ...(port ? [String(port)] : [])], {
      encoding: 'utf8', timeout: 180000, env: { ...process.env, STS_MIN_DURATION: String(minDuration) },
    }));
  } catch (e) {
    try { execFileSync('sh', [CEPH, 'stop', dir]); } catch { /* nothing started */ }
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`tests/servers/ceph.sh start failed (the Ceph packages come from tests/deps.sh test): ${e.stderr || e.message}`);
  }
  live.add(dir);
  const env = parseEnv(out);
  for (const k of ['RGW_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'ROLE_ARN', 'BUCKET', 'RGW_PORT'])
    assert.ok(env[k], `ceph.sh printed no ${k}:\n${out}`);
  return {
    endpoint: env.RGW_ENDPOINT,
    accessKey: env.AWS_ACCESS_KEY_ID,
    secretKey: env.AWS_SECRET_ACCESS_KEY,
    roleArn: env.ROLE_ARN,
    bucket: env.BUCKET,
    port: Number(env.RGW_PORT),
    region: env.AWS_REGION ?? 'us-east-1',
    dir,
    env,
    /** Stop the daemons (ours only) and remove the directory. */
    destroy() {
      try { execFileSync('sh', [CEPH, 'stop', dir], { timeout: 60000 }); } catch { /* already stopped */ }
      live.delete(dir);
      if (!process.env.PGL_KEEP) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * { accessKey, secretKey, token, endpoint } from either shape: our own
 * ({ accessKey, secretKey, token?, endpoint? }, e.g. startCeph's answer) or
 * an Iceberg storage-credentials config ({ 's3.access-key-id',
 * 's3.secret-access-key', 's3.session-token', 's3.endpoint', ... }).
 */
export function credsOf(c) {
  if (c['s3.access-key-id'] !== undefined)
    return { accessKey: c['s3.access-key-id'], secretKey: c['s3.secret-access-key'], token: c['s3.session-token'], endpoint: c['s3.endpoint'] };
  return { accessKey: c.accessKey, secretKey: c.secretKey, token: c.token, endpoint: c.endpoint };
}

/**
 * One S3 request signed with creds (see credsOf) by curl's SigV4
 * (aws:amz:us-east-1:s3): RGW needs x-amz-content-sha256, which curl does
 * not send itself, and a session token travels as x-amz-security-token.
 * p is the path-style path (/bucket/key?query: query parameters sorted
 * and pre-encoded, as curl signs them as written); opts.endpoint
 * overrides the creds' endpoint.  Returns { status, text }.
 */
export function s3(creds, method, p, { body, endpoint } = {}) {
  const c = credsOf(creds);
  const ep = endpoint ?? c.endpoint;
  assert.ok(ep, 's3(): no endpoint in the credentials or the options');
  const payload = body === undefined ? '' : body;
  const sha = crypto.createHash('sha256').update(payload).digest('hex');
  const args = ['-s', '-o', '-', '-w', '\n%{http_code}', '-m', '30', '--aws-sigv4', 'aws:amz:us-east-1:s3',
    '--user', `${c.accessKey}:${c.secretKey}`, '-H', `x-amz-content-sha256: ${sha}`];
  if (c.token) args.push('-H', `x-amz-security-token: ${c.token}`);
  args.push(...(method === 'HEAD' ? ['-I'] : ['-X', method]));
  if (body !== undefined) args.push('--data-binary', '@-');
  args.push(`${ep}${p}`);
  const out = execFileSync('curl', args, { encoding: 'utf8', input: body === undefined ? '' : body });
  const nl = out.lastIndexOf('\n');
  return { status: Number(out.slice(nl + 1)), text: out.slice(0, nl) };
}

/** ListObjectsV2 of bucket under prefix with creds: { status, keys, text }. */
export function list(creds, bucket, prefix) {
  const q = prefix === undefined ? 'list-type=2' : `list-type=2&prefix=${encodeURIComponent(prefix)}`;
  const r = s3(creds, 'GET', `/${bucket}?${q}`);
  return { ...r, keys: [...r.text.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]) };
}

/** The S3 error code of an answer's XML body (AccessDenied, ...), or ''. */
export const s3Code = (r) => r.text.match(/<Code>([^<]*)<\/Code>/)?.[1] ?? '';
