// What a tenant's writes cost the store beside what its quota counts
// (issue 67; docs/limits.md, "Quotas"): QUOTA_N writes of one kind made
// through the API on a fresh server, the store's growth (SQLite: the file
// after a checkpoint; PostgreSQL: pg_total_relation_size of the server's
// schema's tables, TOAST and indexes with them) beside the growth of the
// tenant's usage ledger (GET /api/v1/tenants/{id}/usage), per write and
// per kind.  Run by hand from the repository root after `make`:
//
//	PGL_STORE=sqlite node tests/bench/quota_bytes.mjs
//	PGL_STORE=postgres PGL_PG_URL=postgresql://... node tests/bench/quota_bytes.mjs
//	QUOTA_WHAT=namespaces QUOTA_N=500 PGL_STORE=sqlite node tests/bench/quota_bytes.mjs
//
// QUOTA_WHAT: assets (generic assets of 60 KiB of random properties, the
// finding's writes; the default) or namespaces (the smallest rows).  The
// figure counted should not be below the growth on any store: the
// ledger's factors (store.h, PGL_USAGE_*) were chosen so.
import { execSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { STORE, startServer } from '../integration/lib/server.js';
import { makeTenant, ok } from '../integration/lib/tenant_fixture.js';

const N = Number(process.env.QUOTA_N ?? 100);
const WHAT = process.env.QUOTA_WHAT ?? 'assets';
if (STORE !== 'sqlite' && STORE !== 'postgres') {
  console.error('quota_bytes: PGL_STORE=sqlite or postgres (a store whose growth can be read)');
  process.exit(2);
}
const srv = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0' } });
const t = await makeTenant(srv, 'bytes');
await ok(srv, 'POST', `/v1/${t.cat}/namespaces`, { namespace: ['ns'] }, t.admin);

const schema = 't_' + path.basename(srv.dir).replace(/[^a-z0-9]/gi, '_').toLowerCase();
function size() {
  if (STORE === 'sqlite') {
    execSync(`sqlite3 ${srv.dbPath} "PRAGMA wal_checkpoint(TRUNCATE)"`);
    return fs.statSync(srv.dbPath).size;
  }
  return Number(execSync(`psql -At "${process.env.PGL_PG_URL}" -c "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) ` +
    `FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '${schema}' AND c.relkind = 'r'"`).toString());
}
async function counted() {
  const kinds = (await ok(srv, 'GET', `/api/v1/tenants/${t.id}/usage`)).kinds;
  return { total: Object.values(kinds).reduce((a, k) => a + k.bytes, 0), kinds };
}

const s0 = size();
const c0 = await counted();
for (let i = 0; i < N; i++) {
  if (WHAT === 'assets') {
    const properties = {};
    for (let k = 0; k < 60; k++) properties[`k${k}`] = crypto.randomBytes(768).toString('base64').slice(0, 1014);
    await ok(srv, 'POST', `/api/v1/catalogs/${t.cat}/namespaces/ns/assets`,
      { name: `a${i}`, kind: 'OTHER', location: `${srv.tenantDir(t.id)}/wh/${t.cat}/a${i}`, properties }, t.admin);
  } else {
    await ok(srv, 'POST', `/v1/${t.cat}/namespaces`, { namespace: [`n${i}`] }, t.admin);
  }
}
const s1 = size();
const c1 = await counted();
const per = (x) => Math.round(x / N);
const kinds = Object.fromEntries(Object.entries(c1.kinds)
  .filter(([k, v]) => v.bytes !== (c0.kinds[k]?.bytes ?? 0))
  .map(([k, v]) => [k, per(v.bytes - (c0.kinds[k]?.bytes ?? 0))]));
console.log(JSON.stringify({ store: STORE, what: WHAT, writes: N, grew_per_write: per(s1 - s0),
  counted_per_write: per(c1.total - c0.total), grew_over_counted: Number(((s1 - s0) / (c1.total - c0.total)).toFixed(3)), counted_by_kind: kinds }));
await srv.stop();
