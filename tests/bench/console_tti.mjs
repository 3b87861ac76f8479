// The table page's time to interactive with its history charts, at a
// number of snapshots (issue 71: within 1 s at 1,000).  A table of n
// snapshots is made through the REST API (add-snapshot updates with
// summaries, 1,000 to a commit; no data file), then the page is opened
// in Chromium (Debian's, by playwright-core) RUNS times (5), cold (a full
// load: the modules, the table's load answer, the charts) and warm (a
// route change inside the signed-in page), and each time measured from
// navigation to the moment the three charts hold their points and the
// page with them is painted; then a key press on a chart, to its hover
// text.
//
//	PGL_BIN=build/release/pangolin node tests/bench/console_tti.mjs 1000 10000
//
// Prints one line a size: snapshots, the load answer's bytes, cold and
// warm medians (and best) in ms.
import { createRequire } from 'node:module';
import path from 'node:path';
import { basic, startServer, tmpDir } from '../integration/lib/server.js';
import { CHROMIUM, signIn } from '../integration/lib/browser.js';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
if (!sizes.length) sizes.push(1000);
const auth = { authorization: basic() };
const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };
const TBL = '/v1/demo/namespaces/db/tables';
const OPS = ['append', 'append', 'append', 'overwrite', 'delete', 'replace'];

const dir = tmpDir('pgl-console-tti');
const srv = await startServer({ store: 'sqlite', dir, noAuth: false, root: true,
  env: { TASK_WORKER_ENABLED: 'false', PANGOLIN_AUTH_RATE_LIMIT: '0' },
  extra: ['[defaults]', 'warehouse = "wh"', `warehouse_root = ${JSON.stringify(path.join(dir, 'warehouse'))}`,
    'catalog = "demo"'].join('\n') });

async function ok(method, p, body) {
  const r = await srv.req(method, p, { body, headers: auth });
  if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${r.text.slice(0, 300)}`);
  return r;
}

async function makeTable(name, n) {
  await ok('POST', TBL, { name, schema });
  const md = (await ok('GET', `${TBL}/${name}`)).json.metadata;
  const t0 = Date.now() - n * 60e3;
  let total = 0, parent = null;
  for (let from = 0; from < n; from += 1000) {
    const updates = [];
    for (let i = from; i < Math.min(n, from + 1000); i++) {
      const op = OPS[i % OPS.length];
      const add = op === 'delete' ? 0 : 100 + (i % 37), del = op === 'append' ? 0 : 20;
      total += add - del;
      const id = 100000 + i;
      const s = { 'snapshot-id': id, 'timestamp-ms': t0 + i * 60e3, 'sequence-number': i + 1, 'schema-id': 0,
        'manifest-list': `${md.location}/metadata/snap-${id}.avro`, summary: { operation: op,
          'added-records': String(add), 'deleted-records': String(del), 'total-records': String(total),
          'added-data-files': String(add ? 1 : 0), 'deleted-data-files': String(del ? 1 : 0), 'total-data-files': String(i + 1),
          'added-files-size': String(add * 40), 'removed-files-size': String(del * 40), 'total-files-size': String(total * 40) } };
      if (parent !== null) s['parent-snapshot-id'] = parent;
      updates.push({ action: 'add-snapshot', snapshot: s });
      parent = id;
    }
    updates.push({ action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': parent });
    await ok('POST', `${TBL}/${name}`, { requirements: [], updates });
  }
  return (await ok('GET', `${TBL}/${name}`)).text.length;
}

// Inside the page: resolves with the ms until the three charts hold
// their n points and the snapshot list is drawn (polled every 5 ms) and
// a frame of it is painted: from the document's navigation, or, given a
// hash, from going there.
function ready({ n, hash }) {
  const done = () => { const c = document.querySelector('#hist-records');
    return !!(c && c.uplot && c.uplot.data[0].length === n && document.querySelector('#hist-bytes')?.uplot
      && document.querySelector('#snapshots tbody tr')); };
  const t0 = hash ? performance.now() : 0;
  if (hash) location.hash = hash;
  // Then two frames: the first painted (the canvases' raster included).
  const painted = (resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
  return new Promise((resolve) => { const tick = () => (done() ? painted(resolve) : setTimeout(tick, 5)); tick(); });
}

const RUNS = Number(process.env.RUNS || 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

await ok('POST', '/v1/demo/namespaces', { namespace: ['db'] });
// playwright-core is the integration suite's (tests/integration/node_modules).
const { chromium } = createRequire(new URL('../integration/package.json', import.meta.url))('playwright-core');
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
const base = `http://127.0.0.1:${srv.port}`;
await signIn(page, base);
try {
  for (const n of sizes) {
    const name = `h${n}`;
    const bytes = await makeTable(name, n);
    const hash = `#/catalogs/demo/tables/db/${name}`;
    const cold = [], warm = [];
    for (let k = 0; k < RUNS; k++) {
      // Cold: a new document (the session's token stays in the tab).
      await page.goto('about:blank');
      await page.goto(`${base}/ui/${hash}`);
      cold.push(await page.evaluate(ready, { n }));
      // Warm: from another screen, a route change.
      await page.evaluate(() => { location.hash = '#/home'; });
      await page.waitForSelector('#home-stats');
      warm.push(await page.evaluate(ready, { n, hash }));
    }
    // A hover at the last point answers (the chart is interactive).
    const h0 = Date.now();
    await page.$eval('#hist-records', (el) => el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Home', bubbles: true })));
    await page.waitForFunction(() => /Snapshot 100000 /.test(document.querySelector('[data-chart="hist-records"] .chart-hover').textContent));
    const fig = (xs) => `${Math.round(median(xs))} ms (best ${Math.round(Math.min(...xs))})`;
    console.log(`${n} snapshots: load answer ${(bytes / 1e6).toFixed(2)} MB; cold ${fig(cold)}, ` +
      `warm ${fig(warm)}, median of ${RUNS}; a key press to its hover ${Date.now() - h0} ms`);
  }
} finally {
  await browser.close();
  await srv.stop();
}
