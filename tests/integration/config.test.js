// The command line, pangolin.toml, environment overrides and plugin
// loading: every refusal is exit 2 with one line that says what and where.
// Store-independent: run once.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { BUILD, cleanEnv, freePort, REPO, request, runBinary, SAN_ENV, spawnOnFreePort, spawnServer, tmpDir } from './lib/server.js';

let dir;
before(() => { dir = tmpDir('pgl-cfg'); });
after(() => { fs.rmSync(dir, { recursive: true, force: true }); });

const BROKEN = path.join(BUILD, 'tests', 'plugins');

/** Write a config file; returns its path. */
function toml(name, text) {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

const base = (extra = '') => `[server]\nbind = "127.0.0.1"\nport = 18099\n${extra}`;

/** Exit 2 and exactly one line on stderr, matching every pattern. */
function refused(r, ...patterns) {
  assert.equal(r.code, 2, `exit ${r.code} (signal ${r.signal})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  for (const p of patterns) assert.match(lines[0], p);
  assert.doesNotMatch(r.stderr, /AddressSanitizer|runtime error:|LeakSanitizer/);
  return lines[0];
}

const check = (file, env) => runBinary(['--check-config', '-c', file], { env });

// --- command line -----------------------------------------------------------

test('--version prints the version from VERSION and exits 0', () => {
  const want = fs.readFileSync(path.join(REPO, 'VERSION'), 'utf8').trim();
  for (const flag of ['--version', '-v']) {
    const r = runBinary([flag]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim().split('\n').length, 1);
    assert.match(r.stdout, new RegExp(`^pangolin ${want.replace(/\./g, '\\.')} \\(kore `));
  }
});

test('--help prints usage on stdout and exits 0', () => {
  for (const flag of ['--help', '-h']) {
    const r = runBinary([flag]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^usage: pangolin /);
    assert.match(r.stdout, /--check-config/);
  }
});

test('an unknown option or a stray argument is exit 2 with usage on stderr', () => {
  for (const args of [['--bogus'], ['-x'], ['extra-arg'], ['-c']]) {
    const r = runBinary(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /usage: pangolin/);
    assert.equal(r.stdout, '');
  }
});

// --- the config file ---------------------------------------------------------

test('a valid config: --check-config exits 0 with one line naming the file and both plugins', () => {
  const f = toml('ok.toml', `${base()}\n[store]\nplugin = "store-memory"\n\n[auth]\nno_auth = true\n`);
  const r = check(f);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stdout);
  assert.match(lines[0], /^config ok: /);
  assert.ok(lines[0].includes(f), 'names the file');
  assert.match(lines[0], /store memory \(.*store-memory\.so\)/);
  assert.match(lines[0], /cache \S+ \(.*cache\.so\)/);
});

test('a valid sqlite config: --check-config opens (and creates) the database', () => {
  const db = path.join(dir, 'check.db');
  const f = toml('sqlite.toml', `${base()}\n[store]\nplugin = "store-sqlite"\n\n[store.options]\npath = "${db}"\n`);
  const r = check(f);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /store sqlite \(.*store-sqlite\.so\)/);
  assert.ok(fs.existsSync(db));
});

test('a config file that does not exist is exit 2 naming it', () => {
  refused(check(path.join(dir, 'missing.toml')), /missing\.toml/, /cannot open/);
});

test('a TOML syntax error is exit 2 naming file and line', () => {
  const f = toml('syntax.toml', '[server]\nbind = "127.0.0.1"\nport = \n');
  refused(check(f), new RegExp(`${f}:3: `));
  const g = toml('syntax2.toml', '[server\nport = 1\n');
  refused(check(g), new RegExp(`${g}:1`));
  const h = toml('syntax3.toml', '[server]\nbind = "unterminated\n');
  refused(check(h), new RegExp(`${h}:2`));
});

test('an unknown key is exit 2 naming file, line and key', () => {
  const f = toml('unknown-key.toml', `${base('prot = 8080\n')}`);
  refused(check(f), new RegExp(`${f}:4: server\\.prot: unknown key`));
});

test('a value of the wrong type is exit 2 naming file, line and key', () => {
  const f = toml('type.toml', '[server]\nport = "8080"\n');
  refused(check(f), new RegExp(`${f}:2: server\\.port: expected an integer`));
  const g = toml('type2.toml', '[auth]\nno_auth = "yes"\n');
  refused(check(g), new RegExp(`${g}:2: auth\\.no_auth: expected a boolean`));
  const h = toml('type3.toml', '[store]\nplugin = 5\n');
  refused(check(h), new RegExp(`${h}:2: store\\.plugin: expected a string`));
});

test('an out-of-range port is exit 2 naming file, line and key', () => {
  for (const port of ['0', '70000', '-1']) {
    const f = toml(`range${port}.toml`, `[server]\nport = ${port}\n`);
    refused(check(f), new RegExp(`${f}:2: server\\.port: must be between 1 and 65535`));
  }
});

test('an unknown section is exit 2 naming file, line and section', () => {
  const f = toml('section.toml', `${base()}\n[serverz]\nport = 1\n`);
  refused(check(f), new RegExp(`${f}:5: serverz: unknown section`));
});

test('root_user without root_password is exit 2', () => {
  const f = toml('rootonly.toml', `${base()}\n[auth]\nroot_user = "root"\n`);
  refused(check(f), /root_password/);
});

// --- plugins --------------------------------------------------------------------

const withPlugin = (name, plugin, opts = '') =>
  toml(name, `${base()}\n[store]\nplugin = ${JSON.stringify(plugin)}\n${opts}`);

test('a missing plugin is exit 2 naming it and where it was looked for', () => {
  refused(check(withPlugin('nope.toml', 'store-nope')), /store-nope/, /not found/, /store-nope\.so/);
  refused(check(withPlugin('nope2.toml', path.join(dir, 'no-such.so'))), /no-such\.so/);
});

test('a plugin path that is not a shared object is exit 2 with dlopen\'s reason', () => {
  const bad = path.join(dir, 'bad.so');
  fs.writeFileSync(bad, 'this is not an ELF file\n'.repeat(100));
  refused(check(withPlugin('notso.toml', bad)), new RegExp(bad.replace(/\./g, '\\.')), /dlopen failed/);
});

test('a plugin built for another ABI major version is exit 2 naming expected and found versions', () => {
  refused(check(withPlugin('abi.toml', path.join(BROKEN, 'abi_mismatch.so'))), /abi_mismatch\.so/, /ABI major version 99/, /needs 1/);
});

test('a shared object without the entry symbol is exit 2 naming the symbol', () => {
  refused(check(withPlugin('nosym.toml', path.join(BROKEN, 'no_symbol.so'))), /no_symbol\.so/, /missing symbol pangolin_store_plugin/);
});

test('a plugin with a required method missing is exit 2 naming the method', () => {
  refused(check(withPlugin('methods.toml', path.join(BROKEN, 'missing_methods.so'))), /missing_methods\.so/, /required method copy_assets_bulk/);
});

test('a plugin needing an undefined symbol fails dlopen (RTLD_NOW): exit 2 naming the symbol', () => {
  refused(check(withPlugin('undef.toml', path.join(BROKEN, 'undefined_symbol.so'))), /undefined_symbol\.so/, /dlopen failed/, /pgl_symbol_that_does_not_exist/);
});

test('a plugin whose open fails is exit 2 with the plugin\'s message', () => {
  refused(check(withPlugin('openfail.toml', path.join(BROKEN, 'open_fails.so'))), /open_fails\.so/, /open failed/, /db\.invalid:5432/);
});

test('the sqlite store creates a missing directory for its file (mkdir -p)', () => {
  const db = path.join(dir, 'fresh', 'deeper', 'x.db');
  const r = check(withPlugin('sqlite-mkdir.toml', 'store-sqlite', `\n[store.options]\npath = "${db}"\n`));
  assert.equal(r.code, 0, r.stderr);
  assert.ok(fs.existsSync(db), 'the database was created in the new directory');
  assert.equal(fs.statSync(path.dirname(db)).mode & 0o777, 0o750);
});

test('the sqlite store refuses a directory it cannot create: exit 2 naming it', () => {
  const file = toml('not-a-dir', 'a file where a directory should be\n');
  const f = withPlugin('sqlite-nodir.toml', 'store-sqlite', `\n[store.options]\npath = "${file}/sub/x.db"\n`);
  refused(check(f), /store-sqlite\.so/, /open failed/, /cannot create directory/, /not-a-dir/);
});

test('a fresh clone: `pangolin -c pangolin.example.toml` creates ./data, its SQLite file and ./data/warehouse', () => {
  const cwd = path.join(dir, 'clone');
  fs.mkdirSync(cwd);
  const r = spawnSync(path.join(BUILD, 'pangolin'), ['--check-config', '-c', path.join(REPO, 'pangolin.example.toml')],
    { cwd, env: { ...cleanEnv(), ...SAN_ENV, PANGOLIN_NO_AUTH: 'true' }, encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(fs.statSync(path.join(cwd, 'data', 'warehouse')).isDirectory(), r.stderr);
  assert.ok(fs.existsSync(path.join(cwd, 'data', 'pangolin.db')), r.stderr);
  assert.match(r.stderr, /created warehouse 'local' at .*\/clone\/data\/warehouse/);
});

test('store options are checked: unknown option, bad value, path given to the memory store are exit 2', () => {
  refused(check(withPlugin('opt1.toml', 'store-sqlite', `\n[store.options]\npath = "${dir}/o.db"\nfrobnicate = 1\n`)), /frobnicate/);
  refused(check(withPlugin('opt2.toml', 'store-sqlite', `\n[store.options]\npath = "${dir}/o.db"\njournal_mode = "sideways"\n`)), /journal_mode/);
  refused(check(withPlugin('opt3.toml', 'store-memory', `\n[store.options]\npath = "${dir}/m.db"\n`)), /path/);
  refused(check(withPlugin('opt4.toml', 'store-sqlite', '')), /path/);
});

// --- environment overrides --------------------------------------------------------

test('DATABASE_URL=sqlite:///path selects the sqlite plugin with that path', () => {
  const db = path.join(dir, 'url.db');
  const f = withPlugin('env-url.toml', 'store-memory');
  const r = check(f, { DATABASE_URL: `sqlite://${db}` });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /store sqlite /);
  assert.ok(fs.existsSync(db), 'the database was created at the URL\'s path');
  const bare = path.join(dir, 'bare.db');
  const r2 = check(f, { DATABASE_URL: bare });
  assert.equal(r2.code, 0, r2.stderr);
  assert.match(r2.stdout, /store sqlite /);
  assert.ok(fs.existsSync(bare), 'a *.db path selects sqlite too');
});

test('PANGOLIN_STORAGE_TYPE=memory selects the memory plugin', () => {
  const f = withPlugin('env-type.toml', 'store-sqlite', `\n[store.options]\npath = "${dir}/t.db"\n`);
  const r = check(f, { PANGOLIN_STORAGE_TYPE: 'memory' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /store memory /);
});

test('PANGOLIN_STORAGE_TYPE contradicting DATABASE_URL is exit 2', () => {
  const f = withPlugin('env-contra.toml', 'store-memory');
  refused(check(f, { PANGOLIN_STORAGE_TYPE: 'memory', DATABASE_URL: `sqlite://${dir}/c.db` }), /PANGOLIN_STORAGE_TYPE/, /contradicts/);
});

test('an unknown DATABASE_URL scheme or storage type is exit 2 naming the variable', () => {
  const f = withPlugin('env-scheme.toml', 'store-memory');
  refused(check(f, { DATABASE_URL: 'mysql://db/pangolin' }), /DATABASE_URL/, /scheme/);
  refused(check(f, { PANGOLIN_STORAGE_TYPE: 'oracle' }), /PANGOLIN_STORAGE_TYPE/, /oracle/);
});

test('PORT out of range or not a number is exit 2 naming PORT', () => {
  const f = withPlugin('env-port.toml', 'store-memory');
  for (const port of ['0', '65536', 'http', '80x']) refused(check(f, { PORT: port }), /PORT/);
});

test('one tenant\'s federated calls may not hold every pool thread: max_inflight_per_tenant at or past write_pool_threads is exit 2 naming both; max_remotes_per_tenant is bounded', () => {
  const f = withPlugin('fed-tenant.toml', 'store-memory');
  const line = refused(check(f, { PANGOLIN_FEDERATION_MAX_INFLIGHT_PER_TENANT: '16' }), /federation\.max_inflight_per_tenant/, /write_pool_threads/);
  assert.match(line, /at most 15/);
  refused(check(f, { PANGOLIN_WRITE_POOL_THREADS: '4', PANGOLIN_FEDERATION_MAX_INFLIGHT_PER_TENANT: '6' }), /all 4 threads/);
  const g = toml('fed-tenant2.toml', `${fs.readFileSync(f, 'utf8')}\n[storage]\nwrite_pool_threads = 8\n\n[federation]\nmax_inflight_per_tenant = 8\n`);
  refused(check(g), /federation\.max_inflight_per_tenant/);
  for (const n of ['0', '1025', 'many']) refused(check(f, { PANGOLIN_FEDERATION_MAX_REMOTES_PER_TENANT: n }), /PANGOLIN_FEDERATION_MAX_REMOTES_PER_TENANT/);
  refused(check(f, { PANGOLIN_FEDERATION_MAX_INFLIGHT_PER_TENANT: '-1' }), /PANGOLIN_FEDERATION_MAX_INFLIGHT_PER_TENANT/);
  for (const env of [{ PANGOLIN_FEDERATION_MAX_INFLIGHT_PER_TENANT: '15' }, { PANGOLIN_FEDERATION_MAX_INFLIGHT_PER_TENANT: '0' },
    { PANGOLIN_WRITE_POOL_THREADS: '1', PANGOLIN_FEDERATION_MAX_INFLIGHT_PER_TENANT: '1' }, { PANGOLIN_FEDERATION_MAX_REMOTES_PER_TENANT: '1024' }]) {
    const r = check(f, env);
    assert.equal(r.code, 0, `${JSON.stringify(env)}: ${r.stderr}`);
  }
});

test('PANGOLIN_NO_AUTH=true with a non-loopback bind is exit 2', () => {
  const f = toml('noauth.toml', '[server]\nport = 18099\n\n[store]\nplugin = "store-memory"\n');
  refused(check(f, { PANGOLIN_NO_AUTH: 'true' }), /no-auth|no_auth/i, /0\.0\.0\.0/);
  refused(check(f, { PANGOLIN_NO_AUTH: '1', PANGOLIN_BIND_ADDRESS: '192.0.2.1' }), /192\.0\.2\.1/);
  const ok = check(f, { PANGOLIN_NO_AUTH: 'true', PANGOLIN_BIND_ADDRESS: '127.0.0.1' });
  assert.equal(ok.code, 0, ok.stderr);
  // ... and the file's no_auth under a file's wildcard bind, too.
  const g = toml('noauth2.toml', '[server]\nbind = "0.0.0.0"\nport = 18099\n\n[auth]\nno_auth = true\n');
  refused(check(g), /no-auth|no_auth/i);
});

test('PANGOLIN_CONFIG names the config file when -c is not given', () => {
  const f = toml('via-env.toml', `${base()}\n[store]\nplugin = "store-memory"\n`);
  const r = runBinary(['--check-config'], { env: { PANGOLIN_CONFIG: f } });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes(f));
});

test('PORT and PANGOLIN_BIND_ADDRESS override the file: the server listens there', async () => {
  const port = await freePort();
  const f = toml('listen.toml', `[server]\nbind = "127.0.0.1"\nport = 1\nworkers = 1\npid_file = "${dir}/listen.pid"\n\n[store]\nplugin = "store-memory"\n\n[auth]\nno_auth = true\n`);
  const h = spawnServer(['-c', f], { PORT: String(port), PANGOLIN_BIND_ADDRESS: '127.0.0.2' });
  try {
    await h.ready(port, '127.0.0.2');
    const r = await request(port, 'GET', '/health/live', { host: '127.0.0.2', agent: false });
    assert.equal(r.status, 200);
    await assert.rejects(request(port, 'GET', '/health/live', { host: '127.0.0.1', agent: false, timeout: 2000 }),
      'not listening on the file\'s bind address');
  } finally {
    const e = await h.stop();
    assert.equal(e.code, 0);
  }
});

test('a port already in use is exit 2 naming the address', async () => {
  const { h: first, port } = await spawnOnFreePort((p) => ['-c', toml('busy1.toml', `[server]\nbind = "127.0.0.1"\nport = ${p}\nworkers = 1\npid_file = "${dir}/busy1.pid"\n`)]);
  try {
    const r = runBinary(['-c', toml('busy2.toml', `[server]\nbind = "127.0.0.1"\nport = ${port}\nworkers = 1\npid_file = "${dir}/busy2.pid"\n`)]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /cannot listen on 127\.0\.0\.1:\d+/);
  } finally {
    await first.stop();
  }
});

// --- server-backed stores at start-up ------------------------------------------

const pgPlugin = path.join(BUILD, 'plugins', 'store-postgres.so');

test('an unreachable PostgreSQL at start-up is one line naming the store and exit 2', {
  skip: !fs.existsSync(pgPlugin) && 'store-postgres is not built',
}, async () => {
  const port = await freePort();	// nothing listens there
  const f = toml('pg-down.toml', base(`[store]\nplugin = "store-postgres"\n` +
    `[store.options]\nurl = "postgresql://postgres@127.0.0.1:${port}/pangolin"\nconnect_timeout = 2\n`));
  const line = refused(check(f), /store/, /store-postgres\.so/, /open failed/);
  assert.match(line, new RegExp(`${port}|connect|refused`, 'i'));
  // The same through DATABASE_URL, as a container would configure it.
  refused(runBinary(['--check-config'], { env: {
    DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/pangolin?connect_timeout=2`,
  } }), /store-postgres/);
});
