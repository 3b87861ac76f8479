// An Azure Blob endpoint for tests: Azurite (npm azurite, pinned in
// package.json) on loopback with its fixed account devstoreaccount1, which
// checks every Shared Key and SAS signature.  The tests look at the
// container from outside the catalog with requests signed here (Shared
// Key, node's crypto: nothing of the catalog's), and use the SAS tokens the
// catalog vends as a client would (fetch with the token).
//
//   const az = await startAzurite();           // { origin, endpoint, port, ... }
//   await az.createContainer('c');
//   az.list('c', 'lake/t/')                    // blob names under a prefix
//   await az.stop(); await az.start();         // the same data, the same port
//   await az.destroy();                        // in after()
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, tmpDir } from './server.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.resolve(HERE, '../node_modules/.bin/azurite-blob');

/** Azurite's one account and its well-known key (Azure's documentation). */
export const ACCOUNT = 'devstoreaccount1';
export const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const VERSION = '2021-08-06';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Emulators still running: if the test process dies without destroy()
// (an uncaught error), they must not outlive it.
const live = new Set();
process.on('exit', () => {
  for (const p of live) { try { p.kill('SIGKILL'); } catch { /* gone */ } }
});

/**
 * abfss://<container>@<account>.dfs.<suffix>/<path> (or abfs://, wasbs://,
 * wasb:// with .blob.): { container, account, path } ("" when no path);
 * null when loc is not such a location.
 */
export function splitAzure(loc) {
  const m = /^(?:abfss?|wasbs?):\/\/([^@/]+)@([^./]+)\.(?:dfs|blob)\.[^/]+(?:\/(.*))?$/.exec(loc);
  return m ? { container: m[1], account: m[2], path: m[3] ?? '' } : null;
}

/** The Shared Key Authorization of a request (Azure Storage's rules; the emulator's canonical resource). */
function sharedKey({ method, url, headers, key = KEY }) {
  const u = new URL(url);
  const h = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const get = (k) => h[k] ?? '';
  const len = get('content-length') === '0' ? '' : get('content-length');
  const xms = Object.keys(h).filter((k) => k.startsWith('x-ms-')).sort().map((k) => `${k}:${h[k].trim()}\n`).join('');
  // Path-style (the emulator): the account is the first path segment, and
  // the canonical resource names it once more in front.
  let res = `/${ACCOUNT}${u.pathname}`;	// as sent: percent-encoded
  const q = {};
  for (const [k, v] of u.searchParams) (q[k.toLowerCase()] ??= []).push(v);
  for (const k of Object.keys(q).sort()) res += `\n${k}:${q[k].sort().join(',')}`;
  const s = [method, get('content-encoding'), get('content-language'), len, get('content-md5'), get('content-type'),
    '', get('if-modified-since'), get('if-match'), get('if-none-match'), get('if-unmodified-since'), get('range')].join('\n') +
    '\n' + xms + res;
  const sig = crypto.createHmac('sha256', Buffer.from(key, 'base64')).update(s, 'utf8').digest('base64');
  return `SharedKey ${ACCOUNT}:${sig}`;
}

/**
 * The signature of a service SAS (a token's query: sp, st, se, sv, sr,
 * spr, ... as the catalog vends it) with key: Azure Storage's
 * string-to-sign for sv 2018-11-09 and later (2020-12-06 adds ses); the
 * canonical resource is /blob/<account>/<container> (sr=c) or the
 * directory (sr=d).  container: the token's container; dir: the directory
 * path for sr=d.
 */
export function sasSignature(token, { container, dir = '', key = KEY }) {
  const q = new URLSearchParams(token);
  const g = (k) => q.get(k) ?? '';
  const sv = g('sv');
  assert.ok(sv >= '2018-11-09', `a SAS of version ${sv}: not signed here`);
  const resource = `/blob/${ACCOUNT}/${container}${g('sr') === 'd' && dir ? `/${dir}` : ''}`;
  const fields = [g('sp'), g('st'), g('se'), resource, g('si'), g('sip'), g('spr'), sv, g('sr'), g('snapshot')];
  if (sv >= '2020-12-06') fields.push(g('ses'));
  fields.push(g('rscc'), g('rscd'), g('rsce'), g('rscl'), g('rsct'));
  return crypto.createHmac('sha256', Buffer.from(key, 'base64')).update(fields.join('\n'), 'utf8').digest('base64');
}

/** token with fields replaced (e.g. { se: <a past time> }) and signed again with the account key. */
export function resignSas(token, changes, where) {
  const q = new URLSearchParams(token);
  for (const [k, v] of Object.entries(changes)) q.set(k, v);
  q.set('sig', sasSignature(q.toString(), where));
  return q.toString();
}

/** The path of a blob name in a URL: each segment percent-encoded, '/' kept. */
const blobPath = (name) => name.split('/').map(encodeURIComponent).join('/');

/**
 * Start Azurite's Blob service on a free loopback port (opts.port to name
 * it) with its data in a temporary directory.  Returns
 * { port, origin ("http://127.0.0.1:P", for PANGOLIN_ALLOWED_ENDPOINTS),
 * endpoint ("http://127.0.0.1:P/devstoreaccount1", the warehouse's),
 * account, key, dir, log(), stop(), start(), destroy(), and the Blob
 * helpers below }.  stop() ends the process (SIGTERM: it saves its state)
 * and start() runs it again on the same port and data.
 */
export async function startAzurite({ port } = {}) {
  const dir = tmpDir('pgl-azurite');
  port ??= await freePort();
  const origin = `http://127.0.0.1:${port}`;
  let proc = null;
  let log = '';

  async function start() {
    assert.equal(proc, null, 'Azurite already running');
    const p = spawn(process.execPath, [BIN, '--blobHost', '127.0.0.1', '--blobPort', String(port),
      '--location', path.join(dir, 'data'), '--skipApiVersionCheck', '--loose', '--disableTelemetry'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: azuriteEnv() });
    proc = p;
    live.add(p);
    let exit = null;
    p.exited = new Promise((resolve) => p.on('exit', (code, signal) => { exit = { code, signal }; live.delete(p); resolve(exit); }));
    p.stdout.on('data', (d) => { log += d; });
    p.stderr.on('data', (d) => { log += d; });
    // Ready when the service answers a request (any status: an unsigned
    // list is 403).  The deadline only ends a start that hangs, it is no
    // measure: Node starting Azurite took over 30 s at load 12, with the
    // two Azure files' Azurites starting side by side.
    const deadline = Date.now() + 120000;
    for (;;) {
      if (exit) assert.fail(`azurite-blob exited during start-up (${JSON.stringify(exit)}; tests/deps.sh test installs it):\n${log}`);
      try {
        const r = await fetch(`${origin}/${ACCOUNT}?comp=list`, { signal: AbortSignal.timeout(1000) });
        await r.arrayBuffer();
        return;
      } catch { /* not listening yet */ }
      if (Date.now() > deadline) {
        p.kill('SIGKILL');
        assert.fail(`azurite-blob not answering on ${origin} within 120 s:\n${log}`);
      }
      await sleep(50);
    }
  }

  async function stop() {
    const p = proc;
    if (!p) return;
    proc = null;
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
    let timer;
    const e = await Promise.race([p.exited, new Promise((r) => { timer = setTimeout(r, 15000, null); })]);
    clearTimeout(timer);
    if (e === null) {
      p.kill('SIGKILL');
      await p.exited;
      assert.fail(`azurite-blob did not exit within 15 s of SIGTERM:\n${log.slice(-4000)}`);
    }
  }

  /** One request signed with the account key (Shared Key); { status, headers, text, body }. */
  async function call(method, p, { headers = {}, body, key } = {}) {
    const url = `${origin}/${ACCOUNT}${p}`;
    const h = { 'x-ms-date': new Date().toUTCString(), 'x-ms-version': VERSION, ...headers };
    // fetch sends a string body as text/plain: the type is named (and signed) here.
    if (body !== undefined) {
      body = Buffer.from(body);
      h['content-length'] = String(body.length);
      h['content-type'] ??= 'application/octet-stream';
    }
    else if (method === 'PUT' || method === 'POST') h['content-length'] = '0';
    h.authorization = sharedKey({ method, url, headers: h, key });
    const r = await fetch(url, { method, headers: h, body });
    const buf = Buffer.from(await r.arrayBuffer());
    return { status: r.status, headers: r.headers, body: buf, text: buf.toString('utf8') };
  }

  const az = {
    port, origin, endpoint: `${origin}/${ACCOUNT}`, account: ACCOUNT, key: KEY, dir,
    log: () => log,
    start, stop,
    async destroy() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    call,

    /** Create a container (an existing one is fine). */
    async createContainer(container) {
      const r = await call('PUT', `/${container}?restype=container`);
      assert.ok([201, 409].includes(r.status), `create container ${container}: ${r.status} ${r.text}`);
    },

    /** Every blob name in container under prefix, in name order, through every page. */
    async list(container, prefix = '') {
      const out = [];
      let marker = '';
      do {
        const q = new URLSearchParams({ restype: 'container', comp: 'list', prefix, maxresults: '1000', ...(marker ? { marker } : {}) });
        const r = await call('GET', `/${container}?${q}`);
        assert.equal(r.status, 200, `list ${container}/${prefix}: ${r.status} ${r.text}`);
        for (const m of r.text.matchAll(/<Blob>\s*<Name>([^<]*)<\/Name>/g)) out.push(unxml(m[1]));
        marker = unxml(/<NextMarker>([^<]*)<\/NextMarker>/.exec(r.text)?.[1] ?? '');
      } while (marker);
      return out;
    },

    /** A blob's bytes ({ status, text, body }). */
    get: (container, name) => call('GET', `/${container}/${blobPath(name)}`),
    /** Put a block blob (overwrites); fails unless 201. */
    async put(container, name, body) {
      const r = await call('PUT', `/${container}/${blobPath(name)}`, { body, headers: { 'x-ms-blob-type': 'BlockBlob' } });
      assert.equal(r.status, 201, `put ${container}/${name}: ${r.status} ${r.text}`);
    },
    /** Whether a blob exists (HEAD). */
    async exists(container, name) {
      const r = await call('HEAD', `/${container}/${blobPath(name)}`);
      assert.ok([200, 404].includes(r.status), `HEAD ${container}/${name}: ${r.status}`);
      return r.status === 200;
    },

    /** The Blob URL of an abfss:// (or wasbs://) location of this account. */
    url(loc) {
      const a = splitAzure(loc);
      assert.ok(a, `not an Azure location: ${loc}`);
      assert.equal(a.account, ACCOUNT, loc);
      return `${origin}/${ACCOUNT}/${a.container}${a.path ? `/${blobPath(a.path)}` : ''}`;
    },
    /** The blobs below a directory-like location (names relative to the container). */
    listAt(loc) {
      const a = splitAzure(loc);
      assert.ok(a, `not an Azure location: ${loc}`);
      return az.list(a.container, a.path ? `${a.path.replace(/\/$/, '')}/` : '');
    },
    /** Whether the blob at a location exists. */
    existsAt(loc) {
      const a = splitAzure(loc);
      assert.ok(a, `not an Azure location: ${loc}`);
      return az.exists(a.container, a.path);
    },
    /** The bytes at a location. */
    async getAt(loc) {
      const a = splitAzure(loc);
      const r = await az.get(a.container, a.path);
      assert.equal(r.status, 200, `GET ${loc}: ${r.status} ${r.text}`);
      return r.body;
    },
    /** Put bytes at a location. */
    putAt(loc, body) {
      const a = splitAzure(loc);
      assert.ok(a, `not an Azure location: ${loc}`);
      return az.put(a.container, a.path, body);
    },

    /**
     * A request with a SAS token (the query string the catalog vends, no
     * '?') to the blob at loc, as a client would send it: { status, text,
     * code (x-ms-error-code) }.
     */
    async withSas(method, loc, sas, body) {
      const headers = { 'x-ms-version': VERSION };
      if (method === 'PUT') headers['x-ms-blob-type'] = 'BlockBlob';
      const r = await fetch(`${az.url(loc)}?${sas}`, { method, headers, body });
      const text = await r.text();
      return { status: r.status, text, code: r.headers.get('x-ms-error-code') };
    },
  };
  await start();
  return az;
}

/**
 * An HTTP proxy in front of Azurite that can lose an answer or stall:
 * drop(pred) arms it, and the next request for which pred(method, path)
 * holds is forwarded to Azurite, which carries it out, and then the
 * connection to the caller is cut before the answer is relayed (a write
 * whose outcome the caller cannot know); the returned promise resolves
 * with { method, path, status } (Azurite's answer, never seen by the
 * caller).  hang() takes every request from then on and answers nothing
 * (an endpoint that accepts and never answers) until pass(), which drops
 * the held connections; held() counts the requests it took so.
 * { origin, endpoint, drop(pred), hang(), pass(), held(), close() }.
 */
export async function startProxy(az) {
  const http = await import('node:http');
  let armed = null;
  let hanging = false;
  const held = new Set();
  let heldTotal = 0;
  const server = http.createServer((req, res) => {
    if (hanging) {
      heldTotal++;
      held.add(req.socket);
      req.socket.on('close', () => held.delete(req.socket));
      return;
    }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const lose = armed && armed.pred(req.method, decodeURIComponent(req.url.split('?')[0])) ? armed : null;
      if (lose) armed = null;
      const up = http.request({ host: '127.0.0.1', port: az.port, method: req.method, path: req.url,
        headers: { ...req.headers, host: `127.0.0.1:${az.port}` } }, (ur) => {
        const got = [];
        ur.on('data', (c) => got.push(c));
        ur.on('end', () => {
          if (lose) {
            req.socket.destroy();
            lose.resolve({ method: req.method, path: req.url, status: ur.statusCode });
            return;
          }
          res.writeHead(ur.statusCode, ur.headers);
          res.end(Buffer.concat(got));
        });
      });
      up.on('error', () => req.socket.destroy());
      up.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin, endpoint: `${origin}/${ACCOUNT}`,
    drop(pred) {
      return new Promise((resolve) => { armed = { pred, resolve }; });
    },
    hang() { hanging = true; },
    pass() {
      hanging = false;
      for (const sock of held) sock.destroy();
    },
    /** Requests taken and never answered since the proxy started. */
    held: () => heldTotal,
    close() {
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The environment minus AZURITE_ACCOUNTS: the emulator's one default account. */
function azuriteEnv() {
  const env = { ...process.env };
  delete env.AZURITE_ACCOUNTS;
  return env;
}

const unxml = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
