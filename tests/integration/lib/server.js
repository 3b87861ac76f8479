// Test harness: start the real pangolin binary on a free port with a
// fresh temp dir, talk HTTP to it, stop it and check its log for
// sanitizer reports.
//
//   PGL_BIN    binary to run (default build/test/pangolin in the repo)
//   PGL_STORE  "memory" (default), "sqlite", "postgres" or "mongo"
//   PGL_PG_URL / PGL_MONGO_URL  the server tests/run-integration.sh started
//              for the postgres / mongo pass; each pangolin under test
//              gets a fresh schema / database of its own there"
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkManagement, isManagementPath } from './management_openapi.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = path.resolve(REPO, process.env.PGL_BIN ?? 'build/test/pangolin');
export const BUILD = path.dirname(BIN);
export const STORE = process.env.PGL_STORE ?? 'memory';
/**
 * The skip option of a store-independent test in a file that runs on every
 * pass: `test('...', { skip: ONCE }, ...)`.  What it checks cannot differ
 * between store plugins (the rule at the top of store-independent.txt), so
 * it runs on the sqlite pass only, as the files listed there do.
 */
export const ONCE = STORE !== 'sqlite' && 'store-independent: runs on the sqlite pass only (tests/integration/store-independent.txt)';
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';
export const ROOT_USER = 'root';
export const ROOT_PASSWORD = 'Corr3ct-Horse-Battery';
/** The HS256 key every test server signs sessions with (32+ bytes, not a weak value). */
export const JWT_SECRET = 'test-jwt-secret-9f8e7d6c5b4a39281706f5e4d3c2b1a0';

/**
 * The encryption pass (tests/run-integration.sh, PGL_IT_ENCRYPTION_KEY):
 * every server and config check of the pass runs with this
 * PANGOLIN_ENCRYPTION_KEY, as the operator guide recommends for
 * production, so secrets are sealed at rest; a test's own env overrides
 * it ('' unsets it).  Empty on the other passes.
 */
export const PASS_ENV = process.env.PGL_IT_ENCRYPTION_KEY
  ? { PANGOLIN_ENCRYPTION_KEY: process.env.PGL_IT_ENCRYPTION_KEY } : {};

/**
 * Passwords hashed at argon2's least cost (PGL_TEST_ARGON2_CHEAP, which
 * only the test flavor reads, src/auth/hash.c) on every pass but the
 * production configuration's (PASS_ENV: the postgres pass), which keeps
 * the shipped cost: elsewhere the hashes were 65 s of a run's CPU in
 * tests that count users and logins.  A test of the cost itself sets
 * PGL_TEST_ARGON2_CHEAP: '' in its env.
 */
export const HASH_ENV = process.env.PGL_IT_ENCRYPTION_KEY ? {} : { PGL_TEST_ARGON2_CHEAP: '1' };

export const SAN_ENV = {
  ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=0',
  UBSAN_OPTIONS: 'print_stacktrace=1',
};
const SANITIZER = /AddressSanitizer|runtime error:|LeakSanitizer/;

/** A port nobody listens on right now (listen on 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function tmpDir(tag = 'pgl') {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${tag}-`));
}

/** Root's HTTP Basic header value. */
export function basic(user = ROOT_USER, password = ROOT_PASSWORD) {
  return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
}

/** A TOML string literal. */
const q = (s) => JSON.stringify(String(s));

/**
 * The TOML for one server.  opts: store, port, dir, noAuth (default true),
 * root (true: configure ROOT_USER/ROOT_PASSWORD), workers (default 2 for
 * sqlite; the memory store always runs 1), extra (TOML text appended, e.g.
 * a [defaults] section), localRoots (the [storage] local_roots; default
 * <dir>/lake, left out when extra has a [storage] section of its own).
 */
export function makeToml({ store = STORE, port, dir, noAuth = true, root = false, workers, extra = '', shareWith, localRoots }) {
  // shareWith: another server's dir, whose database (SQLite file, PostgreSQL
  // schema, MongoDB database) this one uses too: a replica.
  const dbDir = shareWith ?? dir;
  const lines = ['[server]', 'bind = "127.0.0.1"', `port = ${port}`];
  lines.push(`workers = ${workers ?? (store === 'memory' ? 1 : 2)}`);
  lines.push(`pid_file = ${q(path.join(dir, 'pangolin.pid'))}`);
  lines.push('', '[store]', `plugin = ${q(`store-${store}`)}`);
  if (store === 'sqlite') lines.push('', '[store.options]', `path = ${q(path.join(dbDir, 'pangolin.db'))}`);
  if (store === 'postgres')
    lines.push('', '[store.options]', `url = ${q(process.env.PGL_PG_URL)}`,
      `schema = ${q('t_' + path.basename(dbDir).replace(/[^a-z0-9]/gi, '_').toLowerCase())}`);
  if (store === 'mongo')
    lines.push('', '[store.options]', `url = ${q(process.env.PGL_MONGO_URL)}`,
      `database = ${q('pgl_' + path.basename(dbDir).replace(/[^a-z0-9]/gi, '_').toLowerCase())}`);
  lines.push('', '[auth]', `no_auth = ${noAuth}`, `jwt_secret = ${q(JWT_SECRET)}`);
  if (root) lines.push(`root_user = ${q(ROOT_USER)}`, `root_password = ${q(ROOT_PASSWORD)}`);
  // Local warehouses live only below the operator's roots, a tenant's in
  // <root>/<tenant id>/ (srv.tenantDir).
  if (!/^\[storage\]/m.test(extra))
    lines.push('', '[storage]', `local_roots = [${(localRoots ?? [localRootOf(dbDir)]).map(q).join(', ')}]`);
  if (extra) lines.push('', extra);
  return lines.join('\n') + '\n';
}

/** The harness's local root for a server's dir (see makeToml). */
export const localRootOf = (dir) => path.join(dir, 'lake');

/** Run the binary to completion (config checks, --version). */
export function runBinary(args, { env = {}, timeout = 20000 } = {}) {
  const r = spawnSync(BIN, args, {
    env: { ...cleanEnv(), ...SAN_ENV, ...HASH_ENV, PANGOLIN_JWT_SECRET: JWT_SECRET, ...PASS_ENV, ...env },
    encoding: 'utf8',
    timeout,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** The environment minus pangolin's own variables, so a developer's shell cannot leak in. */
export function cleanEnv() {
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (/^(PANGOLIN_|DATABASE_URL$|PORT$|METADATA_CACHE_|TASK_WORKER_|OBJECT_STORE_|LOG_FORMAT$)/.test(k)) delete env[k];
  }
  return env;
}

export function assertNoSanitizerReport(log, what = 'server log') {
  const bad = log.split('\n').filter((l) => SANITIZER.test(l));
  assert.deepEqual(bad, [], `${what} has sanitizer reports:\n${log.slice(-8000)}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Servers still running.  If the test process dies without stopping one
// (an uncaught error), it must not outlive us: kill it and its workers.
const live = new Set();
// Stopped from outside (run-integration.sh's bound on a job): exit, so
// that the handler below runs; Node's default for TERM skips it.
process.once('SIGTERM', () => process.exit(143));
process.on('exit', () => {
  for (const pid of live) {
    for (const w of childPids(pid)) { try { process.kill(w, 'SIGKILL'); } catch { /* gone */ } }
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
});

/** pid and every descendant (workers, task runners). */
export function processTree(root) {
  const kids = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid).push(Number(d));
    } catch { /* exited meanwhile */ }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(kids.get(out[i]) ?? []));
  return out;
}

/** Pids whose parent is pid (Kore's workers of our server), from /proc. */
function childPids(pid) {
  const out = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      // pid (comm) state ppid ...; comm may hold spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch { /* exited meanwhile */ }
  }
  return out;
}

// Where each server's log is kept as a file: PGL_IT_LOGS, a directory
// tests/run-integration.sh names per job (kept when the job fails, and
// named in the run's digest of failures), else none.
const LOGS = process.env.PGL_IT_LOGS;
let logSeq = 0;

/**
 * A file that takes a server's output as it comes, or null.  Written
 * through a stream (libuv's threads), never with a synchronous write on
 * this process's event loop: a write that waits on a busy disk would
 * hold every request the test is timing, and, with the pipe from the
 * server left full meanwhile, the server's own logging too.
 */
function logFile(pid) {
  if (!LOGS) return null;
  fs.mkdirSync(LOGS, { recursive: true });
  const name = path.join(LOGS, `server-${++logSeq}-${pid}.log`);
  return { name, out: fs.createWriteStream(name, { flags: 'a' }) };
}

/**
 * What each process of a server that will not stop is doing: its state,
 * the kernel function it sleeps in, and its threads' stacks (gdb, bounded
 * in time), for the failure message and the server's log file.
 */
export function processReport(root) {
  const out = [];
  for (const pid of processTree(root)) {
    const read = (f) => { try { return fs.readFileSync(`/proc/${pid}/${f}`, 'utf8').trim(); } catch { return '?'; } };
    const state = /^State:\s*(.*)$/m.exec(read('status'))?.[1] ?? '?';
    out.push(`pid ${pid} (${read('comm')}): ${state}, wchan ${read('wchan')}`);
    const gdb = spawnSync('gdb', ['-batch', '-nx', '-p', String(pid), '-ex', 'thread apply all bt 12'],
      { encoding: 'utf8', timeout: 10000 });
    out.push(...(gdb.stdout ?? '').split('\n').filter((l) => /^(Thread |#)/.test(l)).slice(0, 60));
  }
  return out.join('\n');
}

/**
 * Spawn the binary with args and extra env; stdout and stderr go to one
 * log buffer (and to a file under PGL_IT_LOGS).  stop() sends SIGTERM,
 * waits (reports what each process is doing, SIGKILLs and fails after
 * `timeout`), then fails on any sanitizer report in the log.
 */
export function spawnServer(args, env = {}) {
  const proc = spawn(BIN, args, { env: { ...cleanEnv(), ...SAN_ENV, ...HASH_ENV, PANGOLIN_JWT_SECRET: JWT_SECRET, ...PASS_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc.pid);
  proc.on('exit', () => live.delete(proc.pid));
  let log = '';
  const file = logFile(proc.pid);
  const keep = (d) => { log += d; if (file) file.out.write(d); };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  if (file) proc.on('close', () => file.out.end());
  let exit = null;
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => { exit = { code, signal }; resolve(exit); }));
  const h = {
    proc,
    exited,
    log: () => log,
    /** The file the log is kept in (PGL_IT_LOGS), or null. */
    logPath: file?.name ?? null,
    exit: () => exit,
    /** SIGKILL the parent and its workers (by pid), and stop reading their output. */
    kill() {
      const workers = childPids(proc.pid);
      proc.kill('SIGKILL');
      for (const pid of workers) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
      proc.stdout.destroy();
      proc.stderr.destroy();
    },
    // The default bound is the harness's, not a test of shutdown speed (the
    // lifecycle tests pass their own): generous, for a loaded CI machine.
    async stop({ signal = 'SIGTERM', timeout = 15000 } = {}) {
      if (exit === null) proc.kill(signal);
      let timer;
      const e = await Promise.race([exited, new Promise((r) => { timer = setTimeout(r, timeout, null); })]);
      clearTimeout(timer);
      if (e === null) {
        const report = processReport(proc.pid);
        if (file) file.out.write(`\n-- the harness: no exit within ${timeout} ms of ${signal}\n${report}\n`);
        h.kill();
        await exited;
        assert.fail(`pangolin did not exit within ${timeout} ms of ${signal}${file ? ` (log: ${file.name})` : ''}\n` +
          `${report}\n-- its log's end:\n${log.slice(-4000)}`);
      }
      assertNoSanitizerReport(log, file ? `server log ${file.name}` : 'server log');
      return e;
    },
    /** Resolve when every worker has started (the parent says "ready:
     * serving with N workers", src/service.c) and GET /health/ready is
     * 200 (30 s); fail if the process exits.  /health/ready alone is
     * answered by the first worker up: a test that needs another (a
     * commit handed to the commit worker) would find it still starting. */
    async ready(port, host = '127.0.0.1') {
      const deadline = Date.now() + 30000;
      for (;;) {
        if (exit !== null) assert.fail(`pangolin exited during start-up (${JSON.stringify(exit)}):\n${log}`);
        try {
          if (/ready: serving with \d+ workers/.test(log)) {
            const r = await request(port, 'GET', '/health/ready', { agent: false, timeout: 1000, host });
            if (r.status === 200) return;
          }
        } catch { /* not listening yet */ }
        if (Date.now() > deadline) {
          h.kill();
          assert.fail(`pangolin not ready on ${host}:${port} within 30 s:\n${log}`);
        }
        await sleep(50);
      }
    },
  };
  return h;
}

/**
 * A server on a port freePort() found.  Such a port can be taken by
 * another test file's server before ours binds it (files run side by
 * side): then, and only then, it is started again on another port.
 * argsFor(port) writes the config for port and returns spawnServer's
 * args.  Resolves to { h, port } once the server is ready.
 */
export async function spawnOnFreePort(argsFor, env = {}) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const h = spawnServer(argsFor(port), env);
    try {
      await h.ready(port);
      return { h, port };
    } catch (e) {
      if (attempt === 3 || !/cannot listen on [^\n]*Address already in use/.test(h.log())) throw e;
    }
  }
}

/**
 * Start a server in a fresh temp dir (or opts.dir, to restart on the same
 * data).  opts as makeToml, plus env (extra environment),
 * allowEndpoints (origins for [storage] allowed_endpoints) and freshDb
 * (a new SQLite database the server makes itself, not a copy of the
 * run's template).  Returns
 * { port, dir, store, config, dbPath, proc, log(), req(), stop() }.
 * stop({ keep }) removes the dir unless keep (or PGL_KEEP=1) is set; a
 * failed stop leaves it for a look at the database.
 */
export async function startServer(opts = {}) {
  const store = opts.store ?? STORE;
  const dir = opts.dir ?? tmpDir(`pgl-${store}`);
  // opts.port: a test that must name the server's URL before it starts
  // (an identity provider's redirect URI) picks it with freePort().
  const config = path.join(dir, 'pangolin.toml');
  // A new SQLite database is a copy of the one a first start made and
  // migrated (PGL_SQLITE_TEMPLATE, lib/sqlite_template.js): the
  // migrations of every server's new file were 0.19 s of its start's
  // 0.49 s of CPU.  freshDb: a test of what a first start does.
  const template = process.env.PGL_SQLITE_TEMPLATE;
  if (store === 'sqlite' && template && !opts.shareWith && !opts.freshDb) {
    const db = path.join(dir, 'pangolin.db');
    fs.mkdirSync(dir, { recursive: true });
    if (!fs.existsSync(db)) fs.copyFileSync(template, db);
  }
  // allowEndpoints: origins the operator allow-lists for object storage
  // (PANGOLIN_ALLOWED_ENDPOINTS), e.g. a test's S3 server on loopback.
  const allow = opts.allowEndpoints?.length ? { PANGOLIN_ALLOWED_ENDPOINTS: opts.allowEndpoints.join(',') } : {};
  // A port the test named (opts.port) is the only one it may have.
  const argsFor = (p) => {
    fs.writeFileSync(config, makeToml({ ...opts, store, port: p, dir }));
    return ['-c', config];
  };
  let port = opts.port, h;
  if (port !== undefined) {
    h = spawnServer(argsFor(port), { ...allow, ...opts.env });
    await h.ready(port);
  } else {
    ({ h, port } = await spawnOnFreePort(argsFor, { ...allow, ...opts.env }));
  }

  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  return {
    port,
    dir,
    store,
    config,
    proc: h.proc,
    dbPath: store === 'sqlite' ? path.join(dir, 'pangolin.db') : null,
    /** The configured local root, and a tenant's directory below it. */
    localRoot: opts.localRoots?.[0] ?? localRootOf(opts.shareWith ?? dir),
    tenantDir(tenant = NIL_UUID) { return path.join(this.localRoot, tenant); },
    log: h.log,
    /** SIGKILL the parent and its workers by pid (a crash); await `exited`. */
    kill: () => { agent.destroy(); h.kill(); },
    exited: h.exited,
    req: (method, p, o = {}) => request(port, method, p, { agent, ...o }),
    async stop({ keep = false, ...o } = {}) {
      agent.destroy();
      const e = await h.stop(o);
      if (!keep && !process.env.PGL_KEEP) fs.rmSync(dir, { recursive: true, force: true });
      return e;
    },
  };
}

/**
 * One HTTP request.  body: an object/array is sent as JSON with
 * content-type application/json unless raw is set; a string or Buffer is
 * sent as is.  Returns { status, headers, text, json } (json is undefined
 * when the body is not JSON).  Resolves as soon as the response is
 * complete, even if the server then resets the connection.
 *
 * Every answer on a management path is checked against the management
 * API's OpenAPI document (lib/management_openapi.js) and fails the test
 * when it does not match; validate: false skips that, for scratch work.
 */
export async function request(port, method, p, { validate = true, ...o } = {}) {
  const res = await send(port, method, p, o);
  if (validate && isManagementPath(method, p)) checkManagement(method, p, res);
  return res;
}

// A kept-alive connection the server closed while it was idle (past its
// keepalive timeout, say while a test sat in spawnSync and did not see the
// close) fails the next request on it before any answer: Node's documented
// keep-alive race.  Such a request never reached a handler, so it is sent
// again on a new connection, as an HTTP client does; any other failure,
// and a reset on a fresh connection, stays the test's.
async function send(port, method, p, opts = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await sendOnce(port, method, p, opts);
    } catch (e) {
      if (!e.staleSocket || attempt === 3) throw e;
    }
  }
}

function sendOnce(port, method, p, { body, headers = {}, raw = false, agent, timeout = 30000, host = '127.0.0.1' } = {}) {
  let payload;
  const h = { ...headers };
  if (body !== undefined) {
    if (!raw && !Buffer.isBuffer(body) && typeof body !== 'string') {
      payload = Buffer.from(JSON.stringify(body));
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    } else {
      payload = Buffer.isBuffer(body) ? body : Buffer.from(String(body));
    }
    h['content-length'] = payload.length;
  }
  return new Promise((resolve, reject) => {
    let done = false;
    const req = http.request({ host, port, method, path: p, headers: h, agent, timeout }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        done = true;
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
      res.on('error', (e) => { if (!done) reject(e); });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${p}: timed out`)));
    // The server may answer (413) and close before reading the whole body;
    // the write then fails, but the response is what the test looks at.
    let answered = false;
    req.on('response', () => { answered = true; });
    req.on('error', (e) => {
      if (req.reusedSocket && !answered && e.code === 'ECONNRESET') e.staleSocket = true;
      if (!done) setTimeout(() => { if (!done) reject(e); }, 200);
    });
    if (payload) req.end(payload); else req.end();
  });
}
