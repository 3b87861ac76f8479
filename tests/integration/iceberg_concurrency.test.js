// Concurrent commits to one table, and a crash in the middle of a commit
// storm (iceberg-commit.md §5.3: compare-and-swap of the metadata pointer).
// SQLite store with 2 workers, so the racing commits really run in
// different processes; the memory store runs one worker, so this file
// runs in the sqlite pass only.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { expectJson, pool, uniq } from './lib/expect.js';
import { CATALOG, metadataFiles, simpleSchema, startIcebergServer } from './lib/iceberg.js';
import { assertNoSanitizerReport, STORE } from './lib/server.js';
import { fsPath } from './lib/location.js';

const SKIP = STORE !== 'sqlite' && 'concurrency runs against the sqlite store (2 workers) only';
const P = `/v1/${CATALOG}`;

let srv;
before(async () => { if (!SKIP) srv = await startIcebergServer({ store: 'sqlite', workers: 2 }); });
after(async () => { await srv?.stop(); });

const usedIds = new Set();
let conflicts = 0;
/** A random snapshot id in [1, 2^53): exact in JSON and in JS. */
function snapshotId() {
  for (;;) {
    const id = Math.floor(Math.random() * (2 ** 53 - 1)) + 1;
    if (!usedIds.has(id)) { usedIds.add(id); return id; }
  }
}

/**
 * One append on top of the current metadata, as a Java client sends it:
 * assert-ref-snapshot-id(main, current or null) + add-snapshot (sequence
 * number last+1, parent = current) + set-snapshot-ref main.  Retries on
 * 409 with a fresh load.  Returns the snapshot id once acknowledged, or
 * throws (after `attempts`, or on a transport error: outcome unknown).
 */
async function append(s, tablePath, { attempts = 500, stop = () => false } = {}) {
  for (let i = 0; i < attempts && !stop(); i++) {
    const base = expectJson(await s.req('GET', tablePath), 200).metadata;
    const current = base['current-snapshot-id'];
    const parent = current === -1 || current === null || current === undefined ? null : current;
    const id = snapshotId();
    const snapshot = {
      'snapshot-id': id,
      ...(parent !== null ? { 'parent-snapshot-id': parent } : {}),
      'sequence-number': base['last-sequence-number'] + 1,
      'timestamp-ms': Date.now(),
      summary: { operation: 'append', 'added-data-files': '1' },
      'manifest-list': `${base.location}/metadata/snap-${id}.avro`,
      'schema-id': base['current-schema-id'],
    };
    const r = await s.req('POST', tablePath, {
      body: {
        requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': parent }],
        updates: [
          { action: 'add-snapshot', snapshot },
          { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
        ],
      },
    });
    if (r.status === 200) {
      assert.equal(r.json.metadata['current-snapshot-id'], id, 'the acknowledged commit is current in its answer');
      return id;
    }
    assert.equal(r.status, 409, `only 409 is retried: ${r.status} ${r.text.slice(0, 300)}`);
    assert.equal(r.json.error.type, 'CommitFailedException');
    conflicts++;
  }
  throw new Error('gave up');
}

/**
 * The snapshots of md form one chain from current back to the first, in
 * strictly decreasing sequence numbers; returns the chain (newest first).
 */
function linearChain(md) {
  const byId = new Map(md.snapshots.map((s) => [s['snapshot-id'], s]));
  assert.equal(byId.size, md.snapshots.length, 'no duplicate snapshot ids');
  const chain = [];
  let cur = md['current-snapshot-id'];
  while (cur !== undefined && cur !== null && cur !== -1) {
    const s = byId.get(cur);
    assert.ok(s, `snapshot ${cur} of the chain exists`);
    if (chain.length) assert.ok(s['sequence-number'] < chain.at(-1)['sequence-number'], 'sequence numbers decrease down the chain');
    chain.push(s);
    cur = s['parent-snapshot-id'];
  }
  assert.equal(chain.length, md.snapshots.length, 'every snapshot is on the one chain from main (no forks)');
  assert.equal(md['last-sequence-number'], chain.length ? chain[0]['sequence-number'] : 0);
  assert.deepEqual(md['snapshot-log'].map((e) => e['snapshot-id']), chain.map((s) => s['snapshot-id']).reverse(),
    'snapshot-log follows the chain');
  return chain;
}

async function mktable(s, name) {
  const ns = uniq('cc');
  expectJson(await s.req('POST', `${P}/namespaces`, { body: { namespace: [ns] } }), 200);
  const t = expectJson(await s.req('POST', `${P}/namespaces/${ns}/tables`, { body: { name, schema: simpleSchema() } }), 200);
  return { ns, path: `${P}/namespaces/${ns}/tables/${name}`, created: t };
}

test('16 clients appending to one table: every acknowledged snapshot lands, on one linear chain', { skip: SKIP }, async () => {
  const { ns, path: tp, created } = await mktable(srv, 'hot');
  const clients = 16;
  const perClient = 6;
  conflicts = 0;
  const acked = (await pool(Array.from({ length: clients }, (_, i) => i), clients, async () => {
    const mine = [];
    for (let k = 0; k < perClient; k++) mine.push(await append(srv, tp));
    return mine;
  })).flat();
  assert.equal(acked.length, clients * perClient);
  assert.ok(conflicts > 0, 'the clients really raced (some commits were refused with 409 and retried)');
  assert.equal(new Set(acked).size, acked.length);

  const final = expectJson(await srv.req('GET', tp), 200);
  const chain = linearChain(final.metadata);
  const present = new Set(chain.map((s) => s['snapshot-id']));
  for (const id of acked) assert.ok(present.has(id), `acknowledged snapshot ${id} is in the final metadata`);
  assert.equal(chain.length, acked.length, 'nothing but the acknowledged appends');
  assert.deepEqual(chain.map((s) => s['sequence-number']).reverse(), acked.map((_, i) => i + 1));

  // Lost races left no orphan files: one file per acknowledged commit plus the create.
  assert.equal(metadataFiles(created.metadata.location).length, acked.length + 1);
  assert.equal(final.metadata['metadata-log'].length, acked.length);
  // And one catalog commit each, in the branch history.
  const log = expectJson(await srv.req('GET', `/api/v1/branches/main/commits?catalog=${CATALOG}&limit=1000`), 200);
  const mine = log.filter((c) => c.message === `Commit table ${ns}.hot`);
  assert.equal(mine.length, acked.length);
  const locs = mine.map((c) => c.operations[0].Put.asset.properties.metadata_location);
  assert.equal(locs[0], final['metadata-location'], 'the newest commit records the current pointer');
  assert.equal(new Set(locs).size, locs.length);
});

test('concurrent creates of one table name: one 200, the rest 409, and no stray metadata files', { skip: SKIP }, async () => {
  const ns = uniq('cr');
  expectJson(await srv.req('POST', `${P}/namespaces`, { body: { namespace: [ns] } }), 200);
  const rs = await Promise.all(Array.from({ length: 12 }, () =>
    srv.req('POST', `${P}/namespaces/${ns}/tables`, { body: { name: 'race', schema: simpleSchema() } })));
  assert.deepEqual(rs.map((r) => r.status).sort(), [200, ...Array(11).fill(409)]);
  const won = rs.find((r) => r.status === 200).json;
  assert.deepEqual(metadataFiles(won.metadata.location), [path.basename(won['metadata-location'])]);
  assert.equal(expectJson(await srv.req('GET', `${P}/namespaces/${ns}/tables/race`), 200)['metadata-location'], won['metadata-location']);
});

test('multi-table transactions racing single-table commits stay all-or-nothing', { skip: SKIP }, async () => {
  const a = await mktable(srv, 'txa');
  const b = await mktable(srv, 'txb');
  const ident = (t) => ({ namespace: [t.ns], name: t.path.split('/').at(-1) });
  let txOk = 0;
  const txs = Array.from({ length: 24 }, (_, i) => async () => {
    for (;;) {
      const r = await srv.req('POST', `${P}/transactions/commit`, {
        body: { 'table-changes': [a, b].map((t) => ({ identifier: ident(t), requirements: [], updates: [{ action: 'set-properties', updates: { tx: String(i) } }] })) },
      });
      if (r.status === 204) { txOk++; return; }
      assert.equal(r.status, 409, `${r.status} ${r.text.slice(0, 200)}`);
    }
  });
  const singles = Array.from({ length: 24 }, (_, i) => async () => {
    const t = i % 2 ? a : b;
    for (;;) {
      const r = await srv.req('POST', t.path, { body: { updates: [{ action: 'set-properties', updates: { [`single${i}`]: 'x' } }] } });
      if (r.status === 200) return;
      assert.equal(r.status, 409, `${r.status} ${r.text.slice(0, 200)}`);
    }
  });
  await pool([...txs, ...singles].sort(() => Math.random() - 0.5), 16, (fn) => fn());
  assert.equal(txOk, 24);
  const ma = expectJson(await srv.req('GET', a.path), 200).metadata;
  const mb = expectJson(await srv.req('GET', b.path), 200).metadata;
  assert.equal(ma.properties.tx, mb.properties.tx, 'the last transaction landed on both tables');
  // Every acknowledged commit is in the history: 12 singles + 24 transactions per table.
  for (const [m, parity] of [[ma, 1], [mb, 0]]) {
    assert.equal(m['metadata-log'].length, 12 + 24);
    for (let i = parity; i < 24; i += 2) assert.equal(m.properties[`single${i}`], 'x');
  }
});

test('kill -9 during commit storms (3 rounds): after each restart every acknowledged commit is there and the pointer is sound', { skip: SKIP }, async () => {
  let s = await startIcebergServer({ store: 'sqlite', workers: 2 });
  const dir = s.dir;
  let running = s;
  try {
    const { path: tp, created } = await mktable(s, 'crash');
    const acked = [];
    for (let round = 0; round < 3; round++) {
      let killed = false;
      const storm = Array.from({ length: 8 }, async () => {
        while (!killed) {
          try {
            acked.push(await append(s, tp, { stop: () => killed }));
          } catch {
            return; // connection reset by the kill: that commit's outcome is unknown
          }
        }
      });
      // Let commits land, then kill parent and workers mid-storm.
      const want = acked.length + 15;
      const deadline = Date.now() + 10000;
      while (acked.length < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.ok(acked.length >= want - 5, `round ${round}: the storm got going (${acked.length} acknowledged)`);
      killed = true;
      assertNoSanitizerReport(s.log(), 'log before the kill');
      s.kill();
      await s.exited;
      running = null;
      await Promise.all(storm);

      s = await startIcebergServer({ store: 'sqlite', workers: 2, dir });
      running = s;
      const r = expectJson(await s.req('GET', tp), 200);
      const loc = r['metadata-location'];
      assert.ok(fs.existsSync(fsPath(loc)), 'the pointer names an existing file');
      assert.deepEqual(JSON.parse(fs.readFileSync(fsPath(loc), 'utf8')), r.metadata, 'the file parses and is what the server serves');
      const chain = linearChain(r.metadata);
      const present = new Set(chain.map((x) => x['snapshot-id']));
      for (const id of acked) assert.ok(present.has(id), `round ${round}: acknowledged snapshot ${id} survived the crash`);
      for (const e of r.metadata['metadata-log']) assert.ok(fs.existsSync(fsPath(e['metadata-file'])), e['metadata-file']);
      assert.ok(metadataFiles(created.metadata.location).length >= chain.length + 1);
      assert.equal(execFileSync('sqlite3', [path.join(dir, 'pangolin.db'), 'PRAGMA integrity_check;'], { encoding: 'utf8' }).trim(), 'ok');
      // Whatever landed unacknowledged is adopted as acknowledged for the next round.
      for (const x of chain) if (!acked.includes(x['snapshot-id'])) acked.push(x['snapshot-id']);
      assert.equal(chain.length, acked.length);
    }

    // The table keeps working: the next commit numbers on from the pointer.
    const before = expectJson(await s.req('GET', tp), 200)['metadata-location'];
    const next = await append(s, tp);
    const after = expectJson(await s.req('GET', tp), 200);
    assert.equal(after.metadata['current-snapshot-id'], next);
    const n = (p) => Number(path.basename(p).split('-')[0]);
    assert.equal(n(after['metadata-location']), n(before) + 1);
    linearChain(after.metadata);
  } finally {
    if (running) await running.stop();
    else fs.rmSync(dir, { recursive: true, force: true });
  }
});
