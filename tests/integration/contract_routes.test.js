// The reference's router, route by route (issue 26, "Done when"): every
// method and path in the route inventory of the HTTP contract
// (../shared/spec/pangolin-api.md §1) is served by this server, or named
// in docs/architecture.md's "Decisions where the contract left room"
// (a `| \`METHOD /path\` | what replaces it |` row) with what replaces it.  The server's own
// list (`pangolin --list-routes`, its route table) is compared with the
// contract's tables; parameter names do not matter ({id} and {name} are
// one segment; a trailing `/*` too).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO, runBinary } from './lib/server.js';

const CONTRACT = path.join(REPO, '../shared/spec/pangolin-api.md');
const DIFFERENCES = path.join(REPO, 'docs/architecture.md');
// A parameter is one segment whatever its name; the contract's `/*` (the
// reference's static files) is one too.
const key = (method, p) => `${method} ${p.replace(/\{[^}]*\}/g, '{}').replace(/\/\*$/, '/{}')}`;

/** METHOD path pairs of the contract's §1 tables ("GET, POST" and "/a, /b" cells spread). */
function contractRoutes() {
  const text = fs.readFileSync(CONTRACT, 'utf8');
  const inventory = text.slice(text.indexOf('## 1. Route inventory'), text.indexOf('## 2. '));
  const out = [];
  for (const line of inventory.split('\n')) {
    const m = /^\|\s*([A-Z][A-Z, ]*?)\s*\|\s*(\/[^|]*?)\s*\|/.exec(line);
    if (!m) continue;
    for (const method of m[1].split(',').map((s) => s.trim())) {
      for (const p of m[2].split(',').map((s) => s.trim())) out.push(key(method, p));
    }
  }
  return out;
}

function servedRoutes() {
  const r = runBinary(['--list-routes']);
  assert.equal(r.code, 0, r.stderr);
  return new Set(r.stdout.trim().split('\n').map((l) => { const [m, p] = l.split(' '); return key(m, p); }));
}

/** Routes the differences document names: `METHOD /path` in its replaced-routes table. */
function replacedRoutes() {
  const all = fs.readFileSync(DIFFERENCES, 'utf8');
  const from = all.indexOf('## Decisions where the contract left room');
  assert.ok(from >= 0, 'docs/architecture.md has its decisions section');
  const text = all.slice(from, all.indexOf('\n## ', from + 1));
  return new Set([...text.matchAll(/^\|\s*`([A-Z]+) (\/[^`]*)`\s*\|/gm)].map((m) => key(m[1], m[2])));
}

test('the contract lists the reference router (a parse that finds it)', () => {
  assert.ok(contractRoutes().length >= 130, `${contractRoutes().length} routes read from the contract`);
});

test('every route of the reference is served, or the decisions section says what replaces it', () => {
  const served = servedRoutes();
  const replaced = replacedRoutes();
  const missing = contractRoutes().filter((r) => !served.has(r) && !replaced.has(r));
  assert.deepEqual(missing, [], 'not served and not named in the decisions section');
});

test('the decisions section names no route that is served after all', () => {
  const served = servedRoutes();
  const stale = [...replacedRoutes()].filter((r) => served.has(r));
  assert.deepEqual(stale, [], 'served: take these off the replaced-routes table');
});
