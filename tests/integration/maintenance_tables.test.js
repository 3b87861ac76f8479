// Maintenance on real Iceberg tables (issue 12): Parquet data files,
// manifests and manifest lists from two Avro writers that are not ours
// (avsc, icebird), snapshots committed through the REST API
// (lib/iceberg_data.js).  After each run icebird, a reader nobody here
// wrote, reads the table back, and the files left on disk are compared with
// the set the test derives itself from what each snapshot wrote.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { expectJson, uniq } from './lib/expect.js';
import { CATALOG, nsPath, startIcebergServer } from './lib/iceberg.js';
import { createTable, filesOnDisk, localPath } from './lib/iceberg_data.js';
import { ownCopy } from './lib/location.js';
import { STORE } from './lib/server.js';
import { waitTask } from './lib/tasks.js';

let srv;
before(async () => {
  srv = await startIcebergServer({ env: { TASK_WORKER_POLL_INTERVAL_MS: '50' } });
});
after(async () => { await srv?.stop(); });

const DAY = 24 * 3600 * 1000;
const rows = (ids) => ids.map((id) => ({ id, name: `r${id}` }));
const byId = (rs) => [...rs].sort((a, b) => a.id - b.id);
const ago = (days) => Date.now() - days * DAY;

async function maintain(t, body, { expect = 'succeeded' } = {}) {
  const r = await srv.rawReq('POST', `${t.path()}/maintenance`, { body });
  const task = await waitTask(srv.rawReq, expectJson(r, 202).task_id, { timeout: 60000 });
  if (expect) assert.equal(task.status, expect, JSON.stringify(task));
  return task;
}

const setOf = (a) => new Set(a);
function assertFiles(actual, expected, what) {
  const a = [...setOf(actual)].sort();
  const e = [...setOf(expected)].sort();
  assert.deepEqual(a, e, what);
}

/** n appends, a day apart in the past, alternating the two Avro writers. */
async function appends(t, n, { from = 1, daysAgo = 10, ref } = {}) {
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push(await t.appendRows(rows([from + 2 * i, from + 2 * i + 1]), {
      writer: i % 2 ? 'icebird' : 'avsc', timestampMs: ago(daysAgo - i), ...(ref ? { ref } : {}),
    }));
  }
  return out;
}

test('expire with a tag: the tagged snapshot and its rows stay, only the expired snapshots\' manifest lists go', async () => {
  const t = await createTable(srv, { namespace: [uniq('ns')], table: 'events' });
  const s = await appends(t, 5);
  await t.setRef('audit', { type: 'tag', snapshotId: s[1].snapshotId });
  const before = await t.filesOnDisk();
  // Appends carry every manifest forward: the head still reaches every
  // data file and manifest; only three manifest lists are unreachable.
  const gone = [s[0], s[2], s[3]].map((x) => x.files.manifestList);
  const goneBytes = gone.reduce((n, f) => n + fs.statSync(localPath(f)).size, 0);
  const task = await maintain(t, { operations: ['expire_snapshots'], older_than_ms: 0, retain_last: 1 });
  assert.equal(task.result.expire_snapshots.expired_snapshots, 3);
  const written = localPath((await t.load())['metadata-location']);	// the expire's commit
  assertFiles(await t.filesOnDisk(), [...before.filter((f) => !gone.includes(f)), written], 'files left');
  assert.equal(task.result.expire_snapshots.deleted_files, 3);
  assert.equal(task.result.expire_snapshots.deleted_bytes, goneBytes, 'the lists\' bytes, as read');
  const md = (await t.load()).metadata;
  assert.deepEqual(md.snapshots.map((x) => x['snapshot-id']).sort(), [s[1].snapshotId, s[4].snapshotId].sort());
  assert.deepEqual(byId(await t.readRows()), rows([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
  assert.deepEqual(byId(await t.readRows({ ref: 'audit' })), rows([1, 2, 3, 4]));
});

test('a tag past its max-ref-age-ms is removed with its snapshot; copy-on-write deletes free the rewritten data file', async () => {
  const t = await createTable(srv, { namespace: [uniq('ns')], table: 'orders' });
  const s = await appends(t, 2);
  await t.setRef('old', { type: 'tag', snapshotId: s[0].snapshotId, maxRefAgeMs: DAY });
  // Delete row 1 copy-on-write: s[0]'s data file is rewritten without it.
  const cow = await t.deleteRows((r) => r.id === 1, { mode: 'cow', timestampMs: ago(5) });
  const last = await t.appendRows(rows([20]), { writer: 'icebird' });
  const before = await t.filesOnDisk();
  const task = await maintain(t, { operations: ['expire_snapshots'], older_than_ms: 0 });
  assert.deepEqual(task.result.expire_snapshots.removed_refs, ['old']);
  assert.equal(task.result.expire_snapshots.expired_snapshots, 3);
  // What the head still lists (read by avsc, not by us) stays; of what the
  // expired snapshots wrote, everything else goes.
  const live = new Set((await t.manifests((await t.load()).metadata.snapshots.find((x) => x['snapshot-id'] === last.snapshotId))).map((m) => localPath(m.manifest_path)));
  const goneManifests = [...s, cow].flatMap((x) => x.files.manifests).filter((m) => !live.has(m));
  const gone = [...[...s, cow].map((x) => x.files.manifestList), ...goneManifests, s[0].files.data[0]];
  const written = localPath((await t.load())['metadata-location']);	// the expire's commit
  assertFiles(await t.filesOnDisk(), [...before.filter((f) => !gone.includes(f)), written], 'files left');
  assert.ok(!fs.existsSync(s[0].files.data[0]), 'the rewritten data file is gone');
  assert.deepEqual(byId(await t.readRows()), rows([2, 3, 4, 20]));
});

test('expire and purge keep what a catalog branch sharing the table still reaches', async () => {
  const ns = uniq('ns');
  const t = await createTable(srv, { namespace: [ns], table: 'shared' });
  const s = await appends(t, 3);
  const branch = uniq('dev');
  expectJson(await srv.rawReq('POST', '/api/v1/branches', { body: { name: branch, catalog: CATALOG, from_branch: 'main' } }), 201);
  const onDev = t.onBranch(branch);
  // main moves on: rows 1 and 2 deleted copy-on-write, then an append.
  await t.deleteRows((r) => r.id <= 2, { mode: 'cow', timestampMs: ago(2) });
  await t.appendRows(rows([50]));
  const devFiles = s.flatMap((x) => [x.files.manifestList, ...x.files.manifests, ...x.files.data]);
  const task = await maintain(t, { operations: ['expire_snapshots'], older_than_ms: 0 });
  assert.equal(task.result.expire_snapshots.expired_snapshots, 4);
  for (const f of devFiles) assert.ok(fs.existsSync(f), `the branch still needs ${f}`);
  assert.deepEqual(byId(await onDev.readRows()), rows([1, 2, 3, 4, 5, 6]));
  assert.deepEqual(byId(await t.readRows()), rows([3, 4, 5, 6, 50]));
  // Purge main's table: the branch's version still reaches the first files.
  const r = await srv.req('DELETE', `${t.path()}?purgeRequested=true`);
  assert.equal(r.status, 204);
  assert.equal((await waitTask(srv.rawReq, r.headers['pangolin-task-id'])).status, 'succeeded');
  for (const f of devFiles) assert.ok(fs.existsSync(f), `purge kept the branch's ${f}`);
  assert.deepEqual(byId(await onDev.readRows()), rows([1, 2, 3, 4, 5, 6]));
});

test('no second table is registered on a table\'s files, and one on a copy of its metadata (a place of its own) purges none of them', async () => {
  const t = await createTable(srv, { namespace: [uniq('ns')], table: 'orig' });
  await appends(t, 2);
  await t.setStatistics();
  const loaded = await t.load();
  const ns2 = uniq('ns');
  expectJson(await srv.req('POST', `/v1/${CATALOG}/namespaces`, { body: { namespace: [ns2] } }), 200);
  const reg = (file) => srv.req('POST', `/v1/${CATALOG}/namespaces/${nsPath([ns2])}/register`, { body: { name: 'copy', 'metadata-location': file } });
  // Every table owns its files (issue 67): the file is orig's.
  const same = await reg(loaded['metadata-location']);
  assert.ok([400, 409].includes(same.status), `${same.status} ${same.text}`);
  // A copy at a place of its own registers, naming orig's manifests and
  // data files: its purge deletes only what lies in its own location.
  const dir = await t.dir();
  const copyDir = path.join(dir, '..', '..', ns2, 'copy');
  expectJson(await reg(ownCopy(loaded['metadata-location'], copyDir)), 200);
  const before = filesOnDisk(dir);
  const r = await srv.req('DELETE', `/v1/${CATALOG}/namespaces/${nsPath([ns2])}/tables/copy?purgeRequested=true`);
  const task = await waitTask(srv.rawReq, r.headers['pangolin-task-id']);
  assert.equal(task.status, 'succeeded', JSON.stringify(task));
  assertFiles(filesOnDisk(dir), before, 'the copy\'s purge deleted none of orig\'s files');
  assert.deepEqual(filesOnDisk(copyDir), [], 'its own metadata file went');
  assert.deepEqual(byId(await t.readRows()), rows([1, 2, 3, 4]));
});

test('a corrupt manifest fails the task with its name; nothing is deleted and the table is unchanged', async () => {
  const t = await createTable(srv, { namespace: [uniq('ns')], table: 'broken' });
  const s = await appends(t, 3);
  fs.writeFileSync(s[0].files.manifests[0], 'Obj\x01 this is not avro');
  const before = await t.filesOnDisk();
  const loc = (await t.load())['metadata-location'];
  const task = await maintain(t, { operations: ['expire_snapshots'], older_than_ms: 0 }, { expect: 'failed' });
  assert.match(task.error, new RegExp(path.basename(s[0].files.manifests[0])));
  assert.match(task.error, /nothing was changed or deleted/);
  assert.equal(task.attempts, 1, 'a corrupt file is not retried');
  assertFiles(await t.filesOnDisk(), before, 'nothing deleted');
  assert.equal((await t.load())['metadata-location'], loc, 'the table is unchanged');
});

test('remove_orphan_files on a real table: an uncommitted data file goes, everything reachable stays; icebird reads the same rows', async () => {
  const t = await createTable(srv, { namespace: [uniq('ns')], table: 'orph' });
  await appends(t, 3);
  await t.setPartitionStatistics();
  const dir = await t.dir();
  const orphan = path.join(dir, 'data', 'crashed-writer.parquet');
  fs.writeFileSync(orphan, 'PAR1');
  const old = new Date(ago(30));
  for (const f of filesOnDisk(dir)) fs.utimesSync(f, old, old);
  const before = filesOnDisk(dir);
  const task = await maintain(t, { operations: ['remove_orphan_files'] });
  assert.equal(task.result.remove_orphan_files.deleted_files, 1);
  assertFiles(filesOnDisk(dir), before.filter((f) => f !== orphan), 'only the orphan went');
  assert.deepEqual(byId(await t.readRows()), rows([1, 2, 3, 4, 5, 6]));
});

test('a client commit racing the expire is kept', { skip: STORE === 'memory' && 'the memory store runs a task inside the request' }, async () => {
  const racer = await startIcebergServer({ env: { TASK_WORKER_POLL_INTERVAL_MS: '20', PGL_TEST_TASK_STEP_MS: '400' } });
  try {
    const t = await createTable(racer, { namespace: [uniq('ns')], table: 'race' });
    await appends(t, 3);
    const r = await racer.rawReq('POST', `${t.path()}/maintenance`, { body: { operations: ['expire_snapshots'], older_than_ms: 0 } });
    const id = expectJson(r, 202).task_id;
    for (let i = 0; i < 100; i++) {
      if (expectJson(await racer.rawReq('GET', `/api/v1/tasks/${id}`), 200).status === 'running') break;
      await new Promise((res) => setTimeout(res, 20));
    }
    const mine = await t.appendRows(rows([99]));
    const task = await waitTask(racer.rawReq, id);
    assert.equal(task.status, 'succeeded', JSON.stringify(task));
    const md = (await t.load()).metadata;
    assert.equal(md.refs.main['snapshot-id'], mine.snapshotId, 'the client\'s commit is the head');
    assert.deepEqual(byId(await t.readRows()), rows([1, 2, 3, 4, 5, 6, 99]));
  } finally {
    await racer.stop();
  }
});

test('kill -9 after the expire committed: the reclaimed task resumes the sweep from its record and ends as an uninterrupted run would', { skip: STORE === 'memory' && 'the memory store runs a task inside the request' }, async () => {
  const slow = await startIcebergServer({ env: { TASK_WORKER_POLL_INTERVAL_MS: '20', TASK_WORKER_LEASE_MS: '1500', PGL_TEST_TASK_STEP_MS: '300' } });
  try {
    const t = await createTable(slow, { namespace: [uniq('ns')], table: 'crash' });
    const s = await appends(t, 4);
    await t.deleteRows((r) => r.id === 1, { mode: 'cow', timestampMs: ago(1) });
    const before = await t.filesOnDisk();
    const r = await slow.rawReq('POST', `${t.path()}/maintenance`, { body: { operations: ['expire_snapshots'], older_than_ms: 0 } });
    const id = expectJson(r, 202).task_id;
    let seen;
    for (let i = 0; i < 400 && !seen; i++) {
      const x = expectJson(await slow.rawReq('GET', `/api/v1/tasks/${id}`), 200);
      if (x.result?.expire_snapshots?.committed_from) seen = x;
      else await new Promise((res) => setTimeout(res, 10));
    }
    assert.ok(seen, 'the task recorded its commit');
    process.kill(Number(seen.lease_owner.split(':').pop()), 'SIGKILL');
    const task = await waitTask(slow.rawReq, id, { timeout: 30000 });
    assert.equal(task.status, 'succeeded', JSON.stringify(task));
    assert.ok(task.attempts >= 2);
    assert.equal(task.result.expire_snapshots.expired_snapshots, 4);
    // The same files as an uninterrupted run: every expired snapshot's list,
    // and s[0]'s data file, rewritten by the delete.
    assert.ok(!fs.existsSync(s[0].files.data[0]));
    for (const x of s) assert.ok(!fs.existsSync(x.files.manifestList), `gone: ${x.files.manifestList}`);
    const left = await t.filesOnDisk();
    assert.ok(left.every((f) => before.includes(f) || f.endsWith('.metadata.json')));
    assert.deepEqual(byId(await t.readRows()), rows([2, 3, 4, 5, 6, 7, 8]));
  } finally {
    await slow.stop();
  }
});
