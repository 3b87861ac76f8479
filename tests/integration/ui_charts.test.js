// The console's pictures (issue 71), in Chromium against one server:
// a table's history as charts (uPlot, compiled in), the catalog's
// branches and tags as a graph, the live health page.  The table is
// made of known snapshots (one commit of add-snapshot updates: the
// summaries are the charts' only source, no data file is read), so each
// chart's data (uPlot's own arrays, not pixels) is checked point by
// point against the REST answer.  Screenshots in build/ui-artifacts.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ARTIFACTS, assertClean, browserSkip, open, openBrowser, shot, signIn } from './lib/browser.js';
import { createTable } from './lib/iceberg_data.js';
import { basic, startServer, tmpDir } from './lib/server.js';

const skip = browserSkip();
const auth = { authorization: basic() };
const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };
const TBL = '/v1/demo/namespaces/db/tables';

let srv, b;

async function ok(method, p, body, status = [200, 201, 204]) {
  const r = await srv.req(method, p, { body, headers: auth });
  assert.ok([].concat(status).includes(r.status), `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
}

// Main: 12 snapshots, the first six ten days ago, the rest in the last
// hour; branch `audit` forks after the fifth with 3 of its own.
const OPS = ['append', 'append', 'append', 'overwrite', 'append', 'delete', 'append', 'append', 'replace', 'append', 'append', 'append'];
async function makeHistory() {
  await ok('POST', TBL, { name: 'hist', schema });
  const md = (await ok('GET', `${TBL}/hist`)).metadata;
  const now = Date.now();
  const updates = [];
  const tot = { r: 0, f: 0, b: 0 };
  const snap = (id, parent, seq, ts, op, add, del) => {
    tot.r += add.r - del.r; tot.f += add.f - del.f; tot.b += add.b - del.b;
    const summary = { operation: op, 'added-records': String(add.r), 'deleted-records': String(del.r),
      'added-data-files': String(add.f), 'deleted-data-files': String(del.f), 'added-files-size': String(add.b),
      'removed-files-size': String(del.b), 'total-records': String(tot.r), 'total-data-files': String(tot.f),
      'total-files-size': String(tot.b) };
    const s = { 'snapshot-id': id, 'timestamp-ms': ts, 'sequence-number': seq, 'schema-id': 0,
      'manifest-list': `${md.location}/metadata/snap-${id}.avro`, summary };
    if (parent != null) s['parent-snapshot-id'] = parent;
    updates.push({ action: 'add-snapshot', snapshot: s });
  };
  let fork;
  OPS.forEach((op, i) => {
    const ts = i < 6 ? now - 10 * 86400e3 + i * 3600e3 : now - (40 - i) * 60e3;
    const add = op === 'delete' ? { r: 0, f: 0, b: 0 } : { r: 100 * (i + 1), f: op === 'replace' ? 1 : 2, b: 1000 * (i + 1) };
    const del = op === 'delete' ? { r: 50, f: 1, b: 500 } : op === 'replace' || op === 'overwrite' ? { r: 10, f: 2, b: 800 } : { r: 0, f: 0, b: 0 };
    snap(5000 + i, i ? 5000 + i - 1 : null, i + 1, ts, op, add, del);
    if (i === 4) fork = { ...tot };
  });
  Object.assign(tot, fork);
  for (let k = 0; k < 3; k++) snap(6000 + k, k ? 6000 + k - 1 : 5004, 13 + k, now - (20 - k) * 60e3, 'append', { r: 7, f: 1, b: 70 }, { r: 0, f: 0, b: 0 });
  updates.push({ action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 5011 });
  updates.push({ action: 'set-snapshot-ref', 'ref-name': 'audit', type: 'branch', 'snapshot-id': 6002 });
  await ok('POST', `${TBL}/hist`, { requirements: [], updates });
  return (await ok('GET', `${TBL}/hist`)).metadata;
}

before(async () => {
  if (skip) return;
  const dir = tmpDir('pgl-ui-charts');
  srv = await startServer({ store: 'sqlite', dir, noAuth: false, root: true,
    env: { TASK_WORKER_ENABLED: 'false', PANGOLIN_AUTH_RATE_LIMIT: '0' },
    extra: ['[defaults]', 'warehouse = "wh"', `warehouse_root = ${JSON.stringify(path.join(dir, 'warehouse'))}`,
      'catalog = "demo"'].join('\n') });
  await ok('POST', '/v1/demo/namespaces', { namespace: ['db'] });
  b = await openBrowser(srv);
  await signIn(b.page, b.base);
});
after(async () => {
  await b?.browser.close();
  await srv?.stop();
});

/** The page from the top of one element to the bottom of another, as a
 * picture (the user guide's: docs/console-*.png). */
async function part(page, from, to, name) {
  const clip = await page.evaluate(([a, z]) => {
    const top = document.querySelector(a).getBoundingClientRect(), end = document.querySelector(z).getBoundingClientRect();
    return { x: top.left + scrollX, y: top.top + scrollY, width: Math.max(top.width, end.width), height: end.bottom - top.top };
  }, [from, to]);
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true, clip });
}

/** The screen says no "null", "undefined" or "NaN" (a missing value is "—"). */
const noBlanks = async (page) => assert.doesNotMatch(await page.textContent('#view'), /\bnull\b|\bundefined\b|\bNaN\b/);

/** A chart's uPlot data: [x, ...series] as plain arrays. */
const dataOf = (page, id) => page.$eval(`#${id}`, (el) => el.uplot.data.map((s) => Array.from(s)));

/** The mouse over point i of a chart (its own scale, no pixel reading). */
async function hoverPoint(page, id, i) {
  const at = await page.$eval(`#${id}`, (el, k) => {
    const u = el.uplot;
    const r = u.over.getBoundingClientRect();
    const y = u.data[1][k] ?? 0;
    return { x: r.left + u.valToPos(u.data[0][k], 'x'), y: r.top + u.valToPos(y, 'y') };
  }, i);
  await page.mouse.move(at.x, at.y);
}

test('a table\'s history: a point a snapshot on each chart, per branch and time range; hover, click, keys and the numbers as a table', { skip }, async () => {
  const { page } = b;
  const md = await makeHistory();
  const byId = new Map(md.snapshots.map((s) => [s['snapshot-id'], s]));
  await open(page, b.base, '#/catalogs/demo/tables/db/hist', 'Table demo.db.hist');
  await page.waitForSelector('#hist-records canvas');

  // Branch main by default: its 12 snapshots, in time order, figures as summarised.
  const main = Array.from({ length: 12 }, (_, i) => byId.get(5000 + i));
  for (const [id, total, added, removed] of [
    ['hist-records', 'total-records', 'added-records', 'deleted-records'],
    ['hist-files', 'total-data-files', 'added-data-files', 'deleted-data-files'],
    ['hist-bytes', 'total-files-size', 'added-files-size', 'removed-files-size']]) {
    const [x, tot, add, rem, ...more] = await dataOf(page, id);
    assert.equal(more.length, 0);
    assert.equal(x.length, 12, `${id}: a point a snapshot of main`);
    assert.deepEqual(tot, main.map((s) => Number(s.summary[total])), `${id} totals`);
    assert.deepEqual(add, main.map((s) => Number(s.summary[added])));
    assert.deepEqual(rem, main.map((s) => Number(s.summary[removed])));
    assert.deepEqual(x.map((t) => Math.round(t * 1000)), main.map((s) => s['timestamp-ms']));
    // Operations marked: a dot a snapshot, of its operation's kind, on its total.
    const marks = await page.$eval(`#${id}`, (el) => el.marks);
    assert.deepEqual(marks.kinds, main.map((s) => s.summary.operation));
    assert.deepEqual(marks.ys, tot);
    assert.deepEqual(Object.keys(marks.colors), ['append', 'overwrite', 'delete', 'replace']);
  }
  // The figures above the charts are the REST answer's.
  const cur = byId.get(md['current-snapshot-id']);
  const figure = (k) => page.getAttribute(`#history-figures [data-figure="${k}"]`, 'data-value');
  assert.equal(await figure('snapshots'), String(md.snapshots.length));
  assert.equal(await figure('records'), cur.summary['total-records']);
  assert.equal(await figure('files'), cur.summary['total-data-files']);
  assert.equal(await figure('bytes'), cur.summary['total-files-size']);
  assert.equal(await figure('op-append'), String(md.snapshots.filter((s) => s.summary.operation === 'append').length));

  // Hover a point: the snapshot it is.  Click: it opens below.
  await hoverPoint(page, 'hist-records', 3);
  await page.waitForFunction(() => /Snapshot 5003 .* overwrite/.test(document.querySelector('[data-chart="hist-records"] .chart-hover').textContent));
  await page.mouse.down();
  await page.mouse.up();
  await page.waitForSelector('#snapshot-detail[data-snapshot="5003"]');
  assert.ok((await page.textContent('#snapshot-detail')).includes(`total-records${byId.get(5003).summary['total-records']}`));
  // The keyboard: focus the chart, step left from the newest, Enter opens.
  await page.focus('#hist-bytes');
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#snapshot-detail[data-snapshot="5010"]');
  // The numbers as a table, by keyboard: every point, newest first.
  await page.focus('[data-chart="hist-files"] .chart-toggle');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#hist-files-numbers tbody tr');
  const rows = await page.locator('#hist-files-numbers tbody tr').evaluateAll((rs) => rs.map((r) => r.dataset.snapshot));
  assert.deepEqual(rows, main.map((s) => String(s['snapshot-id'])).reverse());
  assert.equal(await page.getAttribute('[data-chart="hist-files"] .chart-toggle', 'aria-expanded'), 'true');
  await noBlanks(page);
  await shot(page, 'console-table-page');

  // The refs as a graph: main's 12 and audit's own 3, audit forking off
  // 5004; a dot picked opens its snapshot.
  const lanes = await page.locator('#ref-graph [data-lane]').evaluateAll((ls) => ls.map((l) => l.dataset.lane));
  assert.deepEqual(lanes, ['main', 'audit']);
  assert.equal(await page.locator('#ref-graph circle.commit').count(), 15);
  assert.equal(await page.getAttribute('#ref-graph circle[data-commit="6000"]', 'data-branch'), 'audit');
  assert.equal(await page.locator('#ref-graph path.fork[data-from="5004"][data-to="6000"]').count(), 1);
  await page.focus('#ref-graph circle[data-commit="6001"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#snapshot-detail[data-snapshot="6001"]');
  // Branch audit: the 5 snapshots it shares with main, and its own 3.
  await page.selectOption('#history-branch', 'audit');
  await page.waitForFunction(() => document.querySelector('#hist-records').uplot.data[0].length === 8);
  assert.deepEqual((await dataOf(page, 'hist-records'))[1], [0, 1, 2, 3, 4].map((i) => byId.get(5000 + i))
    .concat([0, 1, 2].map((k) => byId.get(6000 + k))).map((s) => Number(s.summary['total-records'])));
  // Every snapshot; then the last hour only (main's last 6, audit's 3).
  await page.selectOption('#history-branch', '');
  await page.waitForFunction(() => document.querySelector('#hist-records').uplot.data[0].length === 15);
  // A total line a branch: main's 12 points and audit's 8 (5 shared).
  const [, mainLine, auditLine] = await dataOf(page, 'hist-records');
  assert.deepEqual([mainLine, auditLine].map((l) => l.filter((v) => v != null).length), [12, 8]);
  await page.selectOption('#history-range', '1h');
  await page.waitForFunction(() => document.querySelector('#hist-records').uplot.data[0].length === 9);
  await page.locator('#history').scrollIntoViewIfNeeded();
  await hoverPoint(page, 'hist-records', 5);
  await part(page, '#history', '[data-chart="hist-records"]', 'console-table-history');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.reload();
  await page.waitForSelector('#hist-records canvas');
  await page.selectOption('#history-range', '1h');
  await part(page, '#history', '[data-chart="hist-records"]', 'console-table-history-dark');
  await shot(page, 'console-table-page-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  assertClean(b);
});

test('a table\'s data files by size, from the server\'s scan plan of its manifests, on demand', { skip }, async () => {
  const { page } = b;
  const t = await createTable(srv, { namespace: ['db'], table: 'sized', headers: auth });
  await t.appendRows([{ id: 1, name: 'a' }, { id: 2, name: 'b' }]);
  await t.appendRows([{ id: 3, name: 'c' }]);
  await t.appendRows([{ id: 4, name: 'd' }]);
  const files = await t.dataFiles();
  await open(page, b.base, '#/catalogs/demo/tables/db/sized', 'Table demo.db.sized');
  await page.click('#file-sizes-go');
  await page.waitForSelector('#file-sizes-out');
  assert.equal(await page.getAttribute('#file-sizes-out', 'data-files'), String(files.length));
  // A few hundred bytes each: every file is small, in the first bin.
  assert.equal(await page.getAttribute('#file-sizes-out', 'data-small'), String(files.length));
  const [x, counts] = await dataOf(page, 'file-size-chart');
  assert.equal(x.length, 9);
  assert.deepEqual(counts, [files.length, 0, 0, 0, 0, 0, 0, 0, 0]);
  await noBlanks(page);
  await part(page, '.file-sizes', '[data-chart="file-size-chart"]', 'console-file-sizes');
  assertClean(b);
});

test('the branch graph: a fork, a merge and a tag; two points picked open the merge preview', { skip }, async () => {
  const { page } = b;
  await ok('POST', '/api/v1/branches', { name: 'feat', catalog: 'demo', branch_type: 'ingest' }, 201);
  await ok('POST', `${TBL}?branch=feat`, { name: 'fresh', schema });
  await ok('POST', `${TBL}/hist`, { requirements: [], updates: [{ action: 'set-properties', updates: { owner: 'main' } }] });
  const r = await srv.req('POST', '/api/v1/branches/merge', { body: { source_branch: 'feat', target_branch: 'main', catalog: 'demo' }, headers: auth });
  assert.ok([200, 201].includes(r.status), r.text);
  const heads = Object.fromEntries(await Promise.all(['main', 'feat'].map(async (n) =>
    [n, (await ok('GET', `/api/v1/branches/${n}?catalog=demo`)).head_commit_id])));
  await ok('POST', '/api/v1/tags', { name: 'v1', catalog: 'demo', commit_id: heads.main });
  const mainLog = await ok('GET', '/api/v1/branches/main/commits?catalog=demo');
  const featLog = await ok('GET', '/api/v1/branches/feat/commits?catalog=demo');
  const merge = mainLog.find((c) => c.merge_parent_id);
  assert.ok(merge, 'the merge made a commit with two parents');

  await open(page, b.base, '#/catalogs/demo', 'Catalog demo');
  await page.click('#catalog-graph');
  await page.waitForSelector('#branch-graph svg');
  const lanes = await page.locator('#branch-graph [data-lane]').evaluateAll((ls) => ls.map((l) => l.dataset.lane));
  assert.deepEqual(lanes, ['main', 'feat']);
  const ids = new Set([...mainLog, ...featLog].map((c) => c.id));
  assert.equal(await page.locator('#branch-graph circle.commit').count(), ids.size, 'a dot a commit');
  // The fork: a line from a commit of main to feat's own first commit.
  const own = featLog.filter((c) => !mainLog.some((m) => m.id === c.id));
  const first = own[own.length - 1];
  const branchOf = (id) => page.getAttribute(`#branch-graph circle[data-commit="${id}"]`, 'data-branch');
  assert.equal(await branchOf(first.id), 'feat');
  assert.equal(await branchOf(first.parent_id), 'main');
  assert.equal(await page.locator(`#branch-graph path.fork[data-from="${first.parent_id}"][data-to="${first.id}"]`).count(), 1);
  // The merge: a dashed line from feat's head into main's merge commit.
  assert.equal(merge.merge_parent_id, heads.feat);
  assert.equal(await page.locator(`#branch-graph path.merge[data-from="${heads.feat}"][data-to="${merge.id}"]`).count(), 1);
  assert.equal(await page.locator('#branch-graph circle.merge-commit').count(), 1);
  assert.equal(await page.getAttribute('#branch-graph g.tag', 'data-tag'), 'v1');
  // The table: every commit; the merge's with its operation.
  await page.click('button[aria-controls="graph-table"]');
  assert.equal(await page.locator('#graph-table tbody tr').count(), ids.size);
  const mergeRow = page.locator(`#graph-table tr[data-commit="${merge.id}"] td[data-label="Merge"] a`);
  assert.equal(await mergeRow.textContent(), 'the merge of feat into main, no conflicts');
  const [op] = await ok('GET', '/api/v1/catalogs/demo/merge-operations');
  assert.equal(op.status, 'Completed');
  assert.equal(await mergeRow.getAttribute('href'), `#/merges/${op.id}`);
  assert.match(await page.getAttribute(`#branch-graph circle[data-commit="${merge.id}"]`, 'aria-label'), /the merge of feat into main, no conflicts/);
  await noBlanks(page);
  await shot(page, 'console-branch-graph');
  await part(page, '#branch-graph', '#branch-graph', 'console-branch-graph-part');
  // Pick feat's own commit (keyboard), then main's head (mouse): the preview.
  await page.focus(`#branch-graph circle[data-commit="${first.id}"]`);
  await page.keyboard.press('Enter');
  await page.click(`#branch-graph circle[data-commit="${heads.main}"]`);
  await page.waitForSelector('#graph-preview #merge-preview[data-source="feat"][data-target="main"]');
  assertClean(b);
});

test('home: catalogs by size and, on demand, the largest and fastest-growing tables and namespaces by bytes, as the REST answers say', { skip }, async () => {
  const { page } = b;
  const summary = await ok('GET', '/api/v1/catalogs/demo/summary');
  const hist = (await ok('GET', `${TBL}/hist`)).metadata;
  const cur = hist.snapshots.find((s) => s['snapshot-id'] === hist['current-snapshot-id']);
  await open(page, b.base, '#/home', 'Home');
  await page.waitForSelector('#catalogs-by-tables tr[data-key="demo"]');
  assert.equal(await page.getAttribute('#catalogs-by-tables tr[data-key="demo"]', 'data-value'), String(summary.table_count));
  await page.waitForSelector('#home-tasks-chart canvas');
  assert.equal((await dataOf(page, 'home-tasks-chart'))[0].length, 14, 'a point a day');
  await page.selectOption('#measure-catalog', 'demo');
  await page.click('#measure-go');
  await page.waitForSelector('#catalog-rankings[data-catalog="demo"]');
  // hist is the only table with data: first by bytes and files, and all
  // of its bytes came this week (every snapshot is younger than 7 days but
  // the first six, ten days old).
  const first = (id) => page.locator(`#${id} tbody tr`).first();
  assert.equal(await first('largest-by-bytes').getAttribute('data-key'), 'db.hist');
  assert.equal(await first('largest-by-bytes').getAttribute('data-value'), cur.summary['total-files-size']);
  assert.equal(await first('largest-by-files').getAttribute('data-value'), cur.summary['total-data-files']);
  const weekAgo = hist.snapshots.filter((s) => s['timestamp-ms'] <= Date.now() - 7 * 86400e3)
    .sort((x, y) => y['timestamp-ms'] - x['timestamp-ms'])[0];
  assert.equal(await first('fastest-growing').getAttribute('data-value'),
    String(Number(cur.summary['total-files-size']) - Number(weekAgo.summary['total-files-size'])));
  assert.equal(await first('namespaces-by-bytes').getAttribute('data-key'), 'db');
  await noBlanks(page);
  await shot(page, 'console-home-pictures');
  await part(page, '#home-catalogs', '#catalog-rankings', 'console-home-pictures-part');
  assertClean(b);
});

test('issue 69: a list pages by the server\'s page tokens (keyset), not by offset, past its first page', { skip }, async () => {
  const { page } = b;
  const head = (await ok('GET', '/api/v1/branches/main?catalog=demo')).head_commit_id;
  const have = (await ok('GET', '/api/v1/tags?catalog=demo')).length;
  for (let i = have; i < 103; i += 20)
    await Promise.all(Array.from({ length: Math.min(20, 103 - i) }, (_, k) =>
      ok('POST', '/api/v1/tags', { name: `t${String(i + k).padStart(3, '0')}`, catalog: 'demo', commit_id: head })));
  await open(page, b.base, '#/catalogs/demo', 'Catalog demo');
  await page.waitForSelector('#tag-list .page-info:text-is("rows 1–100 of 103")');
  const before = b.requests.length;
  await page.click('#tag-list button:text-is("Next")');
  await page.waitForSelector('#tag-list .page-info:text-is("rows 101–103 of 103")');
  const asked = b.requests.slice(before).filter((u) => u.includes('/api/v1/tags?'));
  assert.equal(asked.length, 1);
  assert.match(asked[0], /[?&]page_token=[^&]+/);
  assert.doesNotMatch(asked[0], /offset=/);
  await page.click('#tag-list button:text-is("Previous")');
  await page.waitForSelector('#tag-list .page-info:text-is("rows 1–100 of 103")');
  assertClean(b);
});

test('the health page reads /metrics every 2 s and draws the requests, commits and latencies while load runs', { skip }, async () => {
  const { page } = b;
  await open(page, b.base, '#/health', 'Health');
  await page.waitForSelector('#h-requests canvas');
  // Load: loads and commits, until the page has drawn three intervals of it.
  let stop = false, commits = 0;
  const load = (async () => {
    for (let i = 0; !stop; i++) {
      await ok('GET', `${TBL}/hist`);
      if (i % 5 === 0) { await ok('POST', `${TBL}/hist`, { requirements: [], updates: [{ action: 'set-properties', updates: { n: String(i) } }] }); commits++; }
    }
  })();
  const drawn = () => page.$eval('#h-requests', (el) => el.uplot.data[0].length);
  const start = await drawn();
  await page.waitForFunction((n) => document.querySelector('#h-requests').uplot.data[0].length >= n + 3, start, { timeout: 20000 });
  stop = true;
  await load;
  assert.ok(commits > 0);
  const [, ice] = await dataOf(page, 'h-requests');
  assert.ok(ice.slice(-2).some((v) => v > 0), `Iceberg REST requests/s drawn: ${ice}`);
  const [, done] = await dataOf(page, 'h-commits');
  assert.ok(done.some((v) => v > 0), `commits/s drawn: ${done}`);
  const [, , p99] = [null, ...(await dataOf(page, 'h-p99')).slice(1)];
  assert.ok(p99.some((v) => v > 0 && v < 10), `p99 of Iceberg REST in seconds: ${p99}`);
  for (const id of ['h-requests', 'h-p50', 'h-p99', 'h-commits', 'h-errors', 'h-caches', 'h-tasks', 'h-delivery', 'h-limits', 'h-quotas'])
    assert.ok(await page.textContent(`[data-chart="${id}"] .chart-good`), `${id} says what good looks like`);
  await noBlanks(page);
  await shot(page, 'console-health');
  await part(page, '#health-panels', '[data-chart="h-requests"]', 'console-health-part');
  assertClean(b);
});
