// One hot table's queued commits are chained (src/api/commit/async.c):
// while a commit's file is with the write pool, the next commit of the
// table is computed on that commit's result instead of waiting for it to
// land.  What must hold: every commit lands once, in one line of
// metadata files; a chained commit lands only after the one before it;
// and an answer that rests on a commit that never lands is never sent:
// the commit runs again from the table as it is.  On one worker a chained
// commit is computed on a commit thread; on a commit worker that hands
// its reads to another, on its event loop (commit/loop.c, chained_here):
// the last test runs the same checks there.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pool, uniq } from './lib/expect.js';
import { CATALOG, simpleSchema, startIcebergServer } from './lib/iceberg.js';
import { sendInOneTurn } from './lib/one_turn.js';
import { commitFault } from './lib/pg_commit_fault.js';
import { STORE } from './lib/server.js';

const P = `/v1/${CATALOG}`;
let srv;

// One worker: every commit of the table is in the one chain, none waits
// for another worker's claim.
before(async () => {
  srv = await startIcebergServer({ workers: 1 });
  assert.equal((await srv.req('POST', `${P}/namespaces`, { body: { namespace: ['a'] } })).status, 200);
});
// stop() fails on any sanitizer report in the server's log.
after(async () => { await srv?.stop(); });

const counter = async (name, on = srv) => {
  const v = Number(new RegExp(`^pangolin_${name}_total (\\d+)$`, 'm').exec((await on.req('GET', '/metrics')).text)?.[1]);
  assert.ok(Number.isFinite(v), `pangolin_${name}_total is exported`);
  return v;
};

async function table(properties = {}, schema = simpleSchema(), on = srv) {
  const name = uniq('t');
  const r = await on.req('POST', `${P}/namespaces/a/tables`, { body: { name, schema, properties } });
  assert.equal(r.status, 200, r.text);
  return { p: `${P}/namespaces/a/tables/${name}`, created: r.json['metadata-location'] };
}

const setProps = (updates) => ({ updates: [{ action: 'set-properties', updates }] });
/** A table's directory on local disk, from its first metadata file's URI. */
const tableDir = (created) => path.dirname(path.dirname(created.replace(/^file:\/\//, '')));

// n columns of 70-odd bytes each: 300 make a metadata file of about
// 30 KB, 4,000 one of about 400 KB (either side of the loop's limit for
// a chained commit, commit/loop.c).
const wideSchema = (n = 4000) => ({ type: 'struct', 'schema-id': 0, fields: Array.from({ length: n },
  (_, i) => ({ id: i + 1, name: `column_${i}_${'x'.repeat(60)}`, required: false, type: 'string' })) });

test('256 commits of one table over 32 connections are chained, all land, and the table\'s metadata files form one line', async () => {
  const { p, created } = await table({ 'write.metadata.previous-versions-max': '1000' });
  const [chained0, retried0] = [await counter('commit_chained'), await counter('commit_retries')];
  const joined0 = await counter('commit_swaps_joined');
  const locations = await pool(Array.from({ length: 256 }, (_, i) => i), 32, async (i) => {
    const r = await srv.req('POST', p, { body: setProps({ [`k${i}`]: String(i) }) });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.metadata.properties[`k${i}`], String(i), 'the answer holds the commit');
    return r.json['metadata-location'];
  });
  assert.equal(new Set(locations).size, 256, 'every commit wrote its own file');
  const md = (await srv.req('GET', p)).json;
  for (let i = 0; i < 256; i++) assert.equal(md.metadata.properties[`k${i}`], String(i));
  // One line: the log names the created file and every answered file but
  // the last, each once: no commit landed twice, none was skipped over.
  const logged = md.metadata['metadata-log'].map((e) => e['metadata-file']);
  assert.equal(logged.length, 256);
  assert.deepEqual(new Set(logged), new Set([created, ...locations.filter((l) => l !== md['metadata-location'])]));
  assert.ok(locations.includes(md['metadata-location']));
  assert.ok(await counter('commit_chained') - chained0 > 0, 'queued commits were computed on the one before them');
  assert.equal(await counter('commit_retries') - retried0, 0, 'a chained commit never lost its swap');
  // A chain's commits swapped in one group move the pointer once, from
  // the first's base to the last's file; the line above shows nothing
  // was skipped whatever was joined.  How many groups held two of the
  // chain is the timing's (none in one loaded run), so only the count's
  // bound is asserted: never the first commit's swap.
  const joined = await counter('commit_swaps_joined') - joined0;
  assert.ok(joined >= 0 && joined < 256, `${joined} swaps joined`);
});

// A table's slot is found by its whole name in a hash's buckets (one
// bucket in the test build, build.conf): 128 tables share it.  A commit
// is only ever chained on, and computed on, its own table's files.
test('128 tables committed at once, three commits each: every change lands on its own table, whatever tables share a bucket', async () => {
  const tables = [];
  for (let i = 0; i < 128; i++) tables.push((await table()).p);
  const jobs = [];
  for (let j = 0; j < 3; j++) for (let i = 0; i < 128; i++) jobs.push([i, j]);
  await pool(jobs, 64, async ([i, j]) => {
    const r = await srv.req('POST', tables[i], { body: setProps({ [`t${i}-k${j}`]: String(j) }) });
    assert.equal(r.status, 200, r.text);
  });
  for (let i = 0; i < 128; i++) {
    const props = (await srv.req('GET', tables[i])).json.metadata.properties;
    const mine = Object.keys(props).filter((k) => /^t\d+-k\d$/.test(k)).sort();
    assert.deepEqual(mine, [`t${i}-k0`, `t${i}-k1`, `t${i}-k2`], `table ${i} holds its own commits, and only those`);
  }
});

// Commits sent together are chained only if the commit worker has the
// others queued before the first's attempt is computed and its file
// written: sent over the network they came as they came, and on a loaded
// machine the first was computed and written alone (nothing chained: no
// commit on the loop, none run again).  sendInOneTurn (lib/one_turn.js)
// has the worker read them all in one turn of its loop, the first
// dispatched first: the second is queued behind it before its computed
// result is taken in, and chained on it then.

test('commits chained on one whose file cannot be written are not answered with its failure: they run again from the table as it is, and land', async () => {
  const { p, created } = await table();
  // A file where write.metadata.path's directory would be (in the
  // table's own place, where it must lie): writing the first commit's
  // file fails (ENOTDIR, root or not), and so would every file computed
  // on its result.
  const blocker = path.join(tableDir(created), uniq('not-a-dir'));
  fs.writeFileSync(blocker, 'a file, not a directory\n');
  const [reruns0, chained0] = [await counter('commit_chain_reruns'), await counter('commit_chained')];
  const answers = await sendInOneTurn(srv, [
    [p, setProps({ 'write.metadata.path': blocker })],
    ...Array.from({ length: 8 }, (_, i) => [p, setProps({ [`k${i}`]: String(i) })]),
  ]);
  assert.ok(answers[0].status >= 400, `the blocked commit fails: ${JSON.stringify(answers[0])}`);
  for (let i = 1; i <= 8; i++) assert.equal(answers[i].status, 200, JSON.stringify(answers[i].json));
  const md = (await srv.req('GET', p)).json.metadata;
  assert.equal(md.properties['write.metadata.path'], undefined, 'the failed commit never landed');
  for (let i = 0; i < 8; i++) assert.equal(md.properties[`k${i}`], String(i));
  const [chained, reruns] = [await counter('commit_chained') - chained0, await counter('commit_chain_reruns') - reruns0];
  console.log(`8 commits sent behind the blocked one: ${chained} chained, ${reruns} run again`);
  assert.ok(chained > 0, 'commits were chained on the blocked one');
  // Each commit chained on the blocked one failed the same way, and was
  // run again instead of being answered with that failure.
  assert.ok(reruns > 0, 'chained commits ran again');
  fs.rmSync(blocker);
});

// iceberg-commit.md: a commit whose COMMIT fails has an unknown outcome,
// and its file may be the table's pointer.  A chained commit's unknown
// outcome is answered as it is, never run again from the store's row
// (which could apply it twice), even when the commit before it failed.
test('chained commits whose COMMIT fails are each CommitStateUnknown and never run again', { skip: STORE !== 'postgres' && 'needs PostgreSQL (a deferred trigger fails the COMMIT)' }, async () => {
  const { p } = await table();
  const fault = commitFault(srv);
  fault.on();
  try {
    const [reruns0, chained0] = [await counter('commit_chain_reruns'), await counter('commit_chained')];
    const answers = await sendInOneTurn(srv, Array.from({ length: 9 }, (_, i) => [p, setProps({ [`u${i}`]: 'x' })]));
    for (const a of answers) {
      assert.equal(a.status, 500, JSON.stringify(a.json));
      assert.equal(a.json.error.type, 'CommitStateUnknownException');
    }
    assert.ok(await counter('commit_chained') - chained0 > 0, 'commits were chained');
    assert.equal(await counter('commit_chain_reruns') - reruns0, 0, 'no commit of unknown outcome ran again');
  } finally {
    fault.remove();
  }
  // The COMMITs did fail here: the table commits again.
  assert.equal((await srv.req('POST', p, { body: setProps({ after: 'yes' }) })).status, 200);
});

test('on a commit worker that hands its reads to another, chained commits are computed on its event loop: all land in one line, and those chained on a file that cannot be written run again', { skip: STORE === 'memory' && 'the memory store is one process\'s: one worker' }, async () => {
  const two = await startIcebergServer({ workers: 2 });
  try {
    assert.equal((await two.req('POST', `${P}/namespaces`, { body: { namespace: ['a'] } })).status, 200);
    // 300 columns (a file of about 30 KB): under the loop's limit for a
    // chained commit (64 KB).
    const { p, created } = await table({}, wideSchema(300), two);
    const [loop0, chained0, retried0] = [await counter('commit_loop_attempts', two), await counter('commit_chained', two), await counter('commit_retries', two)];
    const answers = await sendInOneTurn(two, Array.from({ length: 9 }, (_, i) => [p, setProps({ [`k${i}`]: String(i) })]));
    for (const a of answers) assert.equal(a.status, 200, JSON.stringify(a.json));
    const md = (await two.req('GET', p)).json;
    for (let i = 0; i < 9; i++) assert.equal(md.metadata.properties[`k${i}`], String(i));
    const locations = answers.map((a) => a.json['metadata-location']);
    const logged = md.metadata['metadata-log'].map((e) => e['metadata-file']);
    assert.deepEqual(new Set(logged), new Set([created, ...locations.filter((l) => l !== md['metadata-location'])]));
    const onLoop = await counter('commit_loop_attempts', two) - loop0;
    const chained = await counter('commit_chained', two) - chained0;
    console.log(`9 commits sent at once on two workers: ${chained} chained, ${onLoop} computed on the commit worker's loop`);
    assert.ok(onLoop > 0, 'chained commits were computed on the loop');
    assert.ok(onLoop <= chained, 'only chained ones');
    assert.equal(await counter('commit_retries', two) - retried0, 0, 'a chained commit never lost its swap');

    // A blocked first file: those chained on it ran again, and landed.
    const blocker = path.join(tableDir(created), uniq('not-a-dir'));
    fs.writeFileSync(blocker, 'a file, not a directory\n');
    const reruns0 = await counter('commit_chain_reruns', two);
    const more = await sendInOneTurn(two, [
      [p, setProps({ 'write.metadata.path': blocker })],
      ...Array.from({ length: 8 }, (_, i) => [p, setProps({ [`m${i}`]: String(i) })]),
    ]);
    assert.ok(more[0].status >= 400, `the blocked commit fails: ${JSON.stringify(more[0])}`);
    for (let i = 1; i <= 8; i++) assert.equal(more[i].status, 200, JSON.stringify(more[i].json));
    const after2 = (await two.req('GET', p)).json.metadata;
    assert.equal(after2.properties['write.metadata.path'], undefined, 'the failed commit never landed');
    for (let i = 0; i < 8; i++) assert.equal(after2.properties[`m${i}`], String(i));
    assert.ok(await counter('commit_chain_reruns', two) - reruns0 > 0, 'chained commits ran again');
    fs.rmSync(blocker);

    // A big table's chained commits (a file of about 400 KB) stay on the
    // commit thread: on the loop they would hold every other tenant's
    // commits there for milliseconds each.
    const big = await table({}, wideSchema(), two);
    const [bigLoop0, bigChained0] = [await counter('commit_loop_attempts', two), await counter('commit_chained', two)];
    const bigAnswers = await sendInOneTurn(two, Array.from({ length: 5 }, (_, i) => [big.p, setProps({ [`b${i}`]: String(i) })]));
    for (const a of bigAnswers) assert.equal(a.status, 200, JSON.stringify(a.json));
    assert.ok(await counter('commit_chained', two) - bigChained0 > 0, 'the big table\'s commits were chained');
    assert.equal(await counter('commit_loop_attempts', two) - bigLoop0, 0, 'none was computed on the loop');
  } finally {
    await two.stop();
  }
});
