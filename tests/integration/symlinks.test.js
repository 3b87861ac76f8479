// Symbolic links below a catalog's storage location are never followed
// (storage/fileio.h): every operation that touches a file — create,
// commit, register, purge — answers a 400 naming the link, the same bytes
// whatever the link points to, and nothing outside the storage location is
// read, written or deleted.  Unsupported location schemes are a 400 naming
// the scheme.
//
// Each test runs twice: against the default resolver (openat2 on Linux
// 5.6+) and with PGL_FILEIO_NO_OPENAT2=1, the O_NOFOLLOW walk that older
// kernels get.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { expectError, expectJson, uniq } from './lib/expect.js';
import { CATALOG, nsPath, simpleSchema, startIcebergServer } from './lib/iceberg.js';
import { tmpDir } from './lib/server.js';
import { waitTask } from './lib/tasks.js';
// Locations are file:// URIs (issue 22): a refusal names the link as the
// location the server writes (create, commit) or as the client sent it (register).
import { fileUri, fsPath } from './lib/location.js';

const P = `/v1/${CATALOG}`;
const REFUSED = /^refused: .* symbolic link; links inside the catalog's storage are never followed$/;

/** Every file below dir (recursively, links as links) -> sha256 of its bytes or link target. */
function snapshot(dir) {
  const out = {};
  const walk = (d, rel) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const r = path.join(rel, e.name);
      if (e.isSymbolicLink()) out[r] = `link:${fs.readlinkSync(p)}`;
      else if (e.isDirectory()) { out[`${r}/`] = 'dir'; walk(p, r); }
      else out[r] = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    }
  };
  walk(dir, '');
  return out;
}

for (const mode of ['openat2', 'walk']) {
  describe(`symbolic links (${mode})`, () => {
    let srv;
    let outside;	// per test: a directory beside the warehouse, never to be touched
    const outsides = [];
    before(async () => {
      srv = await startIcebergServer(mode === 'walk' ? { env: { PGL_FILEIO_NO_OPENAT2: '1' } } : {});
    });
    beforeEach(() => { outside = tmpDir('pgl-outside'); outsides.push(outside); });
    after(async () => {
      for (const d of outsides) fs.rmSync(d, { recursive: true, force: true });
      await srv?.stop();
    });

    const req = (m, p, o) => srv.req(m, p, o);
    /** Drop with purge, then wait for the purge task to have run. */
    const purged = async (p) => {
      const r = await req('DELETE', p);
      assert.equal(r.status, 204, `DELETE ${p}: ${r.status} ${r.text}`);
      const t = await waitTask((m, q, o) => srv.rawReq(m, q, o), r.headers['pangolin-task-id']);
      assert.ok(['succeeded', 'failed'].includes(t.status), JSON.stringify(t));
      return t;
    };
    const ok = async (m, p, body, status = 200) => {
      const r = await req(m, p, { body });
      if (status === 204) {
        assert.equal(r.status, 204, `${m} ${p}: ${r.status} ${r.text.slice(0, 300)}`);
        return r;
      }
      return expectJson(r, status);
    };
    /** A new namespace, and its directory below the catalog's storage. */
    const mkns = async () => {
      const ns = uniq('ns');
      await ok('POST', `${P}/namespaces`, { namespace: [ns] });
      fs.mkdirSync(path.join(srv.catalogRoot, ns), { recursive: true });
      return ns;
    };
    const tables = (ns) => `${P}/namespaces/${nsPath([ns])}/tables`;
    const create = (ns, name, extra = {}) => req('POST', tables(ns), { body: { name, schema: simpleSchema(), ...extra } });
    const register = (ns, name, loc, what = 'register') =>
      req('POST', `${P}/namespaces/${nsPath([ns])}/${what}`, { body: { name, 'metadata-location': loc } });
    /** The refusal: 400 BadRequestException naming the link; returns the raw body. */
    const refused = (r, link, what = '') => {
      const b = expectError(r, 400, { iceberg: true });
      assert.equal(b.error.type, 'BadRequestException', `${what}: ${r.text}`);
      assert.match(b.error.message, REFUSED, what);
      assert.ok(b.error.message.startsWith(`refused: ${link} `), `${what}: names ${link}: ${b.error.message}`);
      return r.text;
    };
    const relink = (target, at) => { fs.rmSync(at, { force: true }); fs.symlinkSync(target, at); };
    const assertOutsideEmpty = () => assert.deepEqual(snapshot(outside), {}, 'nothing lands outside the storage location');
    const exists = async (ns, name) => (await req('HEAD', `${tables(ns)}/${name}`)).status === 204;

    test('create with an explicit location through a directory link is refused, the same for every target', async () => {
      const ns = await mkns();
      const lnk = path.join(srv.catalogRoot, ns, 'lnk');
      const body = { location: path.join(lnk, 't1') };
      const bodies = [];
      for (const target of [outside, '/etc', path.join(outside, 'nonexistent'), '/nonexistent']) {
        relink(target, lnk);
        bodies.push(refused(await create(ns, 't1', body), fileUri(lnk), `link to ${target}`));
      }
      assert.equal(new Set(bodies).size, 1, `byte-identical refusals:\n${bodies.join('\n')}`);
      // file:// spelling, and a view through the same link.
      relink(outside, lnk);
      refused(await create(ns, 't1', { location: `file://${lnk}/t1` }), `file://${lnk}`);
      const view = {
        name: 'v1', location: path.join(lnk, 'v1'),
        schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', required: false, type: 'long' }] },
        'view-version': {
          'version-id': 1, 'timestamp-ms': Date.now(), 'schema-id': 0, summary: {}, 'default-namespace': [ns],
          representations: [{ type: 'sql', sql: 'select 1', dialect: 'spark' }],
        },
        properties: {},
      };
      refused(await req('POST', `${P}/namespaces/${nsPath([ns])}/views`, { body: view }), fileUri(lnk), 'view');
      assert.equal(await exists(ns, 't1'), false);
      assertOutsideEmpty();
      assert.ok(!fs.existsSync(path.join(outside, 'nonexistent')), 'mkdir -p created nothing through the dangling link');
    });

    test('create with the default location refuses a link planted at the table\'s, namespace\'s or catalog\'s future directory', async () => {
      const ns = await mkns();
      const planted = path.join(srv.catalogRoot, ns, 't2');
      fs.symlinkSync(outside, planted);
      refused(await create(ns, 't2'), fileUri(planted), 'table directory');
      assert.equal(await exists(ns, 't2'), false);
      // The namespace's directory itself.
      const ns2 = uniq('ns');
      await ok('POST', `${P}/namespaces`, { namespace: [ns2] });
      fs.symlinkSync(outside, path.join(srv.catalogRoot, ns2));
      refused(await create(ns2, 't'), fileUri(path.join(srv.catalogRoot, ns2)), 'namespace directory');
      // A stage-create writes nothing, and its create transaction is refused.
      const staged = expectJson(await create(ns, 't2', { 'stage-create': true }), 200);
      const md = staged.metadata;
      const tx = await req('POST', `${tables(ns)}/t2`, {
        body: {
          requirements: [{ type: 'assert-create' }],
          updates: [
            { action: 'assign-uuid', uuid: md['table-uuid'] },
            { action: 'upgrade-format-version', 'format-version': 2 },
            { action: 'add-schema', schema: md.schemas[0] },
            { action: 'set-current-schema', 'schema-id': -1 },
            { action: 'add-spec', spec: md['partition-specs'][0] },
            { action: 'set-default-spec', 'spec-id': -1 },
            { action: 'add-sort-order', 'sort-order': md['sort-orders'][0] },
            { action: 'set-default-sort-order', 'sort-order-id': -1 },
            { action: 'set-location', location: md.location },
          ],
        },
      });
      refused(tx, fileUri(planted), 'create transaction');
      // A new catalog's own directory (made lazily, on its first write).
      const cat = uniq('cat');
      const catRoot = expectJson(await req('POST', '/api/v1/catalogs', { body: { name: cat, warehouse_name: 'wh' } }), 201).storage_location;
      assert.equal(catRoot, path.join(srv.root, cat));
      fs.symlinkSync(outside, catRoot);
      expectJson(await req('POST', `/v1/${cat}/namespaces`, { body: { namespace: ['n'] } }), 200);
      refused(await req('POST', `/v1/${cat}/namespaces/n/tables`, { body: { name: 't', schema: simpleSchema() } }), fileUri(catRoot), 'catalog directory');
      assertOutsideEmpty();
    });

    test('commits after set-location (or write.metadata.path) through a link are refused; the table stays as it was', async () => {
      const ns = await mkns();
      const t = expectJson(await create(ns, 't3'), 200);
      const lnk = path.join(srv.catalogRoot, ns, 'lnk3');
      fs.symlinkSync(outside, lnk);
      const commit = (updates) => req('POST', `${tables(ns)}/t3`, { body: { updates } });
      refused(await commit([{ action: 'set-location', location: path.join(lnk, 't3') }]), fileUri(lnk), 'set-location');
      refused(await commit([{ action: 'set-properties', updates: { 'write.metadata.path': path.join(lnk, 'meta') } }]), fileUri(lnk), 'write.metadata.path');
      // Multi-table transactions go the same way.
      const txr = await req('POST', `${P}/transactions/commit`, {
        body: { 'table-changes': [{ identifier: { namespace: [ns], name: 't3' }, requirements: [], updates: [{ action: 'set-location', location: path.join(lnk, 't3') }] }] },
      });
      refused(txr, fileUri(lnk), 'transactions/commit');
      const now = expectJson(await req('GET', `${tables(ns)}/t3`), 200);
      assert.equal(now['metadata-location'], t['metadata-location']);
      assertOutsideEmpty();
      // A plain commit still works.
      expectJson(await commit([{ action: 'set-properties', updates: { ok: 'yes' } }]), 200);
    });

    test('register through a directory link, a file link or a link to /etc/passwd: one 400, nothing read', async () => {
      const ns = await mkns();
      const real = expectJson(await create(ns, 'src'), 200);
      const bytes = fs.readFileSync(fsPath(real['metadata-location']));
      fs.writeFileSync(path.join(outside, 'm.metadata.json'), bytes);
      const before = snapshot(outside);
      const uuid = real.metadata['table-uuid'];

      // <ns>/rl -> outside: a valid metadata file behind it, or nothing.
      const rl = path.join(srv.catalogRoot, ns, 'rl');
      const viaDir = path.join(rl, 'm.metadata.json');
      const dirBodies = [];
      for (const target of [outside, '/nonexistent', '/etc']) {
        relink(target, rl);
        const r = await register(ns, 'r1', viaDir);
        dirBodies.push(refused(r, rl, `dir link to ${target}`));
        assert.ok(!r.text.includes(uuid), 'nothing of the outside file comes back');
      }
      relink('/etc', rl);
      dirBodies.push(refused(await register(ns, 'r1', path.join(rl, 'passwd')), rl, '/etc/passwd through a dir link')
      );
      assert.equal(new Set(dirBodies).size, 1, `byte-identical:\n${dirBodies.join('\n')}`);

      // <ns>/f.metadata.json -> a file outside, /etc/passwd, nothing.
      const fl = path.join(srv.catalogRoot, ns, 'f.metadata.json');
      const fileBodies = [];
      for (const target of [path.join(outside, 'm.metadata.json'), '/etc/passwd', '/nonexistent/passwd']) {
        relink(target, fl);
        for (const what of ['register', 'register-view']) {
          const r = await register(ns, 'r2', fl, what);
          fileBodies.push(refused(r, fl, `${what}: file link to ${target}`));
          assert.ok(!/not valid JSON|root:/.test(r.text), 'the answer says nothing about the target');
        }
      }
      assert.equal(new Set(fileBodies).size, 1, `byte-identical:\n${fileBodies.join('\n')}`);
      assert.equal(await exists(ns, 'r1'), false);
      assert.equal(await exists(ns, 'r2'), false);
      assert.deepEqual(snapshot(outside), before, 'outside untouched');
    });

    test('purge of a table whose metadata files were replaced by links deletes nothing outside', async () => {
      const ns = await mkns();
      // p1: its metadata directory moved outside and linked back.
      const p1 = expectJson(await create(ns, 'p1'), 200);
      for (let i = 0; i < 3; i++)
        expectJson(await req('POST', `${tables(ns)}/p1`, { body: { updates: [{ action: 'set-properties', updates: { i: String(i) } }] } }), 200);
      const meta1 = path.join(fsPath(p1.metadata.location), 'metadata');
      fs.mkdirSync(path.join(outside, 'p1'));
      fs.renameSync(meta1, path.join(outside, 'p1', 'metadata'));
      fs.symlinkSync(path.join(outside, 'p1', 'metadata'), meta1);
      // p2: every metadata file moved outside, a link to it left in place.
      const p2 = expectJson(await create(ns, 'p2'), 200);
      for (let i = 0; i < 3; i++)
        expectJson(await req('POST', `${tables(ns)}/p2`, { body: { updates: [{ action: 'set-properties', updates: { i: String(i) } }] } }), 200);
      const meta2 = path.join(fsPath(p2.metadata.location), 'metadata');
      fs.mkdirSync(path.join(outside, 'p2'));
      for (const f of fs.readdirSync(meta2)) {
        fs.renameSync(path.join(meta2, f), path.join(outside, 'p2', f));
        fs.symlinkSync(path.join(outside, 'p2', f), path.join(meta2, f));
      }
      const before = snapshot(outside);
      assert.equal(Object.keys(before).filter((f) => f.endsWith('.metadata.json')).length, 8);

      await purged(`${tables(ns)}/p1?purgeRequested=true`);
      await purged(`${tables(ns)}/p2?purgeRequested=true`);
      assert.equal(await exists(ns, 'p1'), false);
      assert.equal(await exists(ns, 'p2'), false);
      assert.deepEqual(snapshot(outside), before, 'purge deleted nothing outside');
    });

    test('purge and the cleanup after a commit never delete a file outside, even one a registered metadata-log names', async () => {
      const ns = await mkns();
      const src = expectJson(await create(ns, 'src'), 200);
      for (const v of ['a', 'b']) fs.writeFileSync(path.join(outside, `${v}.metadata.json`), '{"victim":true}');
      // A metadata file inside the storage whose log names files outside.
      // (its table's location its own directory: every table owns its
      // files, issue 67).
      const crafted = (name) => {
        const md = structuredClone(src.metadata);
        md.location = `file://${path.join(srv.catalogRoot, ns, `crafted-${name}`)}`;
        md['metadata-log'] = [{ 'timestamp-ms': md['last-updated-ms'] - 1, 'metadata-file': path.join(outside, `${name}.metadata.json`) }];
        const f = path.join(srv.catalogRoot, ns, `crafted-${name}`, 'metadata', `00001-${crypto.randomUUID()}.metadata.json`);
        fs.mkdirSync(path.dirname(f), { recursive: true });
        fs.writeFileSync(f, JSON.stringify(md));
        return f;
      };
      const before = snapshot(outside);
      expectJson(await register(ns, 'ra', crafted('a')), 200);
      await purged(`${tables(ns)}/ra?purgeRequested=true`);
      expectJson(await register(ns, 'rb', crafted('b')), 200);
      expectJson(await req('POST', `${tables(ns)}/rb`, {
        body: { updates: [{ action: 'set-properties', updates: { 'write.metadata.delete-after-commit.enabled': 'true', 'write.metadata.previous-versions-max': '1' } }] },
      }), 200);
      assert.deepEqual(snapshot(outside), before, 'nothing outside was deleted');
    });

    test('a directory swapped with a link while tables are created: nothing ever lands outside', async () => {
      const ns = await mkns();
      const race = path.join(srv.catalogRoot, ns, 'race');
      const real = `${race}.real`;
      fs.mkdirSync(real);
      // The swapper: a separate process flipping <race> between a real
      // directory and a link to outside, holding each state 0-1 ms.
      const swapper = spawn(process.execPath, ['-e', `
        const fs = require('fs');
        const [race, real, outside, ms] = process.argv.slice(1);
        const end = Date.now() + Number(ms);
        const hold = () => { const t = process.hrtime.bigint() + BigInt(Math.floor(Math.random() * 1e6)); while (process.hrtime.bigint() < t); };
        let flips = 0, n = 0;
        // The server may make <race> itself while it is absent (mkdir -p):
        // move that directory aside (it stays inside) and try again.
        const aside = () => { try { fs.renameSync(race, real + '.aside' + n++); } catch {} };
        const retry = (step) => { for (let i = 0; ; i++) { try { return step(); } catch (e) { if (i > 1000) throw e; aside(); } } };
        while (Date.now() < end) {
          retry(() => fs.renameSync(real, race));
          hold();
          fs.renameSync(race, real);
          retry(() => fs.symlinkSync(outside, race));
          hold();
          fs.unlinkSync(race);
          flips++;
        }
        process.stdout.write(String(flips));
      `, race, real, outside, '3000'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let flips = '';
      swapper.stdout.on('data', (d) => { flips += d; });
      const swapped = new Promise((resolve) => swapper.on('exit', resolve));
      let running = true;
      void swapped.then(() => { running = false; });

      const statuses = {};
      const odd = [];
      let n = 0, refusals = 0;
      await Promise.all(Array.from({ length: 4 }, async () => {
        while (running) {
          const name = `r${n++}`;
          const r = await create(ns, name, { location: path.join(race, name) });
          statuses[r.status] = (statuses[r.status] ?? 0) + 1;
          if (r.status === 400 && REFUSED.test(r.json?.error?.message ?? '')) refusals++;
          // 404: the directory vanished between two steps of one request.
          if (![200, 400, 404].includes(r.status)) odd.push(`${name}: ${r.status} ${r.text}`);
        }
      }));
      assert.equal(await swapped, 0, 'the swapper ran to the end');
      assertOutsideEmpty();
      assert.deepEqual(odd, [], 'every create answered 200, a 400 or a 404');
      assert.ok(Number(flips) > 10, `the swapper flipped (${flips})`);
      assert.ok(refusals > 0, `some creates met the link (${JSON.stringify(statuses)})`);
    });

    test('unsupported location schemes are a 400 naming the scheme', async () => {
      const ns = await mkns();
      for (const [loc, scheme] of [['s3://bucket/wh/t', 's3'], ['s3a://bucket/t', 's3a'], ['gs://bucket/t', 'gs'],
        ['abfss://c@acct.dfs.core.windows.net/t', 'abfss']]) {
        const b = expectError(await create(ns, uniq('t'), { location: loc }), 400, { iceberg: true });
        assert.equal(b.error.type, 'BadRequestException');
        assert.match(b.error.message, new RegExp(`scheme '${scheme}' is not supported`), loc);
        const rb = expectError(await register(ns, uniq('r'), `${loc}/metadata/00000-x.metadata.json`), 400, { iceberg: true });
        assert.match(rb.error.message, new RegExp(`scheme '${scheme}'`), loc);
      }
      // A catalog on object storage without a warehouse to say how to
      // reach it: a clear 400, nothing written (s3.test.js has S3 itself).
      const cat = uniq('s3cat');
      expectJson(await req('POST', '/api/v1/catalogs', { body: { name: cat, storage_location: 's3://bucket/path/cat' } }), 201);
      expectJson(await req('POST', `/v1/${cat}/namespaces`, { body: { namespace: ['n'] } }), 200);
      const r = await req('POST', `/v1/${cat}/namespaces/n/tables`, { body: { name: 't', schema: simpleSchema() } });
      const b = expectError(r, 400, { iceberg: true });
      assert.match(b.error.message, /keeps its files on S3 but has no warehouse/);
    });
  });
}
