// Audit retention (issue 23, part 3): the task runners delete audit
// events older than PANGOLIN_AUDIT_RETENTION_DAYS ([audit]
// retention_days, default 90; 0 keeps them for ever), in bounded
// batches, at start and periodically.  No route writes an old event, so
// the test writes them straight into the store (sqlite3 CLI, psql) while
// the server is stopped, then starts it again on the same data.
// SQLite and PostgreSQL; the store suite (tests/unit/test_store.c) covers
// the deletion on every store.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { STORE, startServer } from './lib/server.js';

const skip = !['sqlite', 'postgres'].includes(STORE) && 'rows are written with the sqlite3 CLI or psql';
const DAY = 24 * 3600 * 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function sql(dir, q) {
  if (STORE === 'sqlite') {
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', path.join(dir, 'pangolin.db'), q], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  }
  const schema = 't_' + path.basename(dir).replace(/[^a-z0-9]/gi, '_').toLowerCase();
  return execFileSync('psql', [process.env.PGL_PG_URL, '-v', 'ON_ERROR_STOP=1', '-At', '-c',
    `SET search_path TO "${schema}"; ${q}`], { encoding: 'utf8' }).trim().split('\n').pop();
}

const OLD = 1200;
const env = (days) => ({ PANGOLIN_AUDIT_RETENTION_DAYS: String(days), TASK_WORKER_POLL_INTERVAL_MS: '50' });
const count = (dir, where) => Number(sql(dir, `SELECT count(*) FROM audit_events WHERE ${where}`));

test('audit events older than the retention are deleted by the runners, in batches; newer ones and retention 0 keep them', { skip }, async () => {
  let srv = await startServer({ env: env(0) });
  const { dir } = srv;
  try {
    await srv.stop({ keep: true });
    const now = Date.now();
    // 1,200 events two days old (more than one batch of 1,000), one 12 h old.
    sql(dir, 'INSERT INTO audit_events (id, tenant_id, timestamp, user_id, action, resource_type, resource_id, result, doc)' +
      ` SELECT 'old-' || g, NULL, ${now - 2 * DAY} + g, NULL, 'login_failed', 'session', NULL, 'failure', '{}' FROM ` +
      (STORE === 'sqlite'
        ? `(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ${OLD}) SELECT g FROM s)`
        : `generate_series(1, ${OLD}) AS g`));
    sql(dir, 'INSERT INTO audit_events (id, tenant_id, timestamp, user_id, action, resource_type, resource_id, result, doc)' +
      ` VALUES ('recent', NULL, ${now - DAY / 2}, NULL, 'login_failed', 'session', NULL, 'failure', '{}')`);
    assert.equal(count(dir, "id LIKE 'old-%'"), OLD);

    // Retention 0: kept for ever.
    srv = await startServer({ dir, env: env(0) });
    await sleep(1500);
    assert.equal(count(dir, "id LIKE 'old-%'"), OLD, 'retention 0 deleted events');
    await srv.stop({ keep: true });

    // Retention 1 day: the two-day-old ones go, the 12 h one stays.
    const t0 = Date.now();
    srv = await startServer({ dir, env: env(1) });
    let left = OLD;
    while (left > 0 && Date.now() - t0 < 30000) {
      await sleep(100);
      left = count(dir, "id LIKE 'old-%'");
    }
    console.log(`# ${OLD} expired events deleted ${Date.now() - t0} ms after the start (server start included); left: ${left}`);
    assert.equal(left, 0, `${left} expired events left`);
    assert.equal(count(dir, "id = 'recent'"), 1, 'an event younger than the retention was deleted');
    // The runner logs its sweep once its last batch is committed: the
    // rows are gone a moment before the line is written.
    const logged = /audit retention: deleted 1200 events older than 1 days/;
    while (!logged.test(srv.log()) && Date.now() - t0 < 30000) await sleep(50);
    assert.match(srv.log(), logged);
  } finally {
    await srv.stop();
  }
});
