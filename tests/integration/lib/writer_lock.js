// What a writer of a server's store takes first, held by another process
// (commit_async.test.js, commit_worker.test.js).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { CATALOG } from './iceberg.js';
import { STORE } from './server.js';

/**
 * Another process holding what a writer of srv's store takes first, until
 * released: SQLite's write lock (a sqlite3 shell inside BEGIN IMMEDIATE),
 * or PostgreSQL's lock on the catalog's tenant (a psql session holding the
 * key begin_tenant takes, plugins/sql-common/sql_dialect.h).  run(sql)
 * runs a statement in that session while it holds it, as another writer
 * (a replica) would: sql(t) is given t(name), the store's table name.
 */
export async function holdWriterLock(srv) {
  let cmd, args, take, give, echo, table;
  if (STORE === 'sqlite') {
    [cmd, args] = ['sqlite3', [path.join(srv.dir, 'pangolin.db')]];
    take = '.timeout 10000\nBEGIN IMMEDIATE;\n.print held\n';
    give = 'COMMIT;\n.print released\n';
    [echo, table] = [(w) => `.print ${w}\n`, (n) => n];
  } else {
    const schema = 't_' + path.basename(srv.dir).replace(/[^a-z0-9]/gi, '_').toLowerCase();
    const tenant = execFileSync('psql', [process.env.PGL_PG_URL, '-qAt', '-c',
      `SELECT tenant_id FROM "${schema}".catalogs WHERE name = '${CATALOG}'`], { encoding: 'utf8' }).trim();
    assert.match(tenant, /^[0-9a-f-]{36}$/);
    [cmd, args] = ['psql', [process.env.PGL_PG_URL, '-qAt']];
    take = `SELECT pg_advisory_lock(1885825025, hashtext('${tenant}'));\n\\echo held\n`;
    give = 'SELECT pg_advisory_unlock_all();\n\\echo released\n';
    [echo, table] = [(w) => `\\echo ${w}\n`, (n) => `"${schema}".${n}`];
  }
  const sh = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const seen = (word) => new Promise((resolve, reject) => {
    const check = () => { if (out.includes(word)) { sh.stdout.off('data', onData); resolve(); } };
    const onData = (d) => { out += d; check(); };
    sh.stdout.on('data', onData);
    sh.once('exit', (code) => reject(new Error(`${cmd} exited ${code} before "${word}": ${out}`)));
    check();
  });
  sh.stdin.write(take);
  await seen('held');
  let runs = 0;
  return {
    run: async (sql) => {
      const word = `ran${++runs}`;
      sh.stdin.write(`${sql(table)};\n${echo(word)}`);
      await seen(word);
    },
    release: async () => { sh.stdin.write(give); await seen('released'); sh.stdin.end(); },
    kill: () => sh.kill(),
  };
}
