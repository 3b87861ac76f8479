// The authorization matrix (ARCHITECTURE.md §13; issue 67, deliverable 7;
// docs/security.md "The authorization matrix").  Every route the binary
// declares (`pangolin --list-rules`: a route without a rule does not
// build) is called as every role the product hands out, against the
// role's own object, another table of the same catalog and another
// tenant's object, and each answer is compared with the route's rule:
// the status (allowed: the tenant admin's answer; refused: 401, 403, or
// 404 where the object is another tenant's or hidden by id), and for
// every body, lists, logs, feeds and searches first, that it names no
// object the caller may not read.
//
// One server, the fixtures made once (lib/authz_fixture.js), the cells
// sent 16 at a time.  An allowed mutation is sent to a missing object in
// the same scope (a table "gone_…" of the same namespace, a child
// namespace, an unknown id) or with an empty body, so it shows that the
// gate let it through and changes nothing; a refused one is sent to the
// real object, and everything it could have changed is compared before
// and after the run.  The routes of the caller's own session (logout,
// token rotation, revoking one's own token) are left to tokens.test.js
// and credentials_lifecycle.test.js for a signed-in caller.
// PGL_MATRIX_DUMP=1 prints every cell: expected, got, role, target, request.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from './lib/server.js';
import { pool, uniq } from './lib/expect.js';
import { buildWorld, digest, MISSING, N, routeRules, SEARCH } from './lib/authz_fixture.js';

// ---- the expectations: roles x rule kinds ----------------------------------

/*
 * Every role the product hands out.  The tenant users' grants are on
 * namespace ownns of tenant A's catalog: `own` is their object, `nbr`
 * (nbrns, another namespace of the same catalog) one they may not touch,
 * `foreign` tenant B's.  bound: a data policy binds the role (a mask on
 * owntbl); engine: a service user marked enforces_read_restrictions.
 */
const ROLES = {
  anonymous:    { who: 'nobody' },
  other_admin:  { who: 'admin', tenant: 'B' },
  no_grant:     { who: 'user', may: [] },
  reader:       { who: 'user', may: ['read'] },
  writer:       { who: 'user', may: ['read', 'create', 'update', 'delete'] },
  policy_bound: { who: 'user', may: ['read'], bound: true },
  engine:       { who: 'user', may: ['read'], bound: true, engine: true },
  tenant_admin: { who: 'admin', tenant: 'A' },
  root:         { who: 'root' },
};

/*
 * What a rule gives each kind of caller (docs/security.md has this table):
 *
 *   rule            nobody  tenant user                 tenant admin   root
 *   PUBLIC          public  public                      public         public
 *   ANYONE          401     any (the handler narrows)   any            any
 *   ADMIN           401     403                         allow          allow
 *   TENANT_ADMIN    401     403                         allow          403
 *   ROOT            401     403                         403            allow
 *   SEES(scope)     401     allow where it holds a      allow          allow
 *                           grant in scope, else 403
 *   MAY(act, scope) 401     allow where it holds act    allow          allow
 *                           on the scope, else 403
 *
 * allow: the gate lets the call through, and the answer is the tenant
 * admin's to the same request; public: no credentials are checked (never
 * 401 or 403, though the answer may be the caller's: its tenant's
 * catalog); any: the handler decides (never 401).
 * An object of another tenant answers as a missing one (404) to everyone
 * the rule lets through; an asset named by id that the caller may not
 * see is missing too (a 403 would say it exists).  A tenant user's
 * grants are on a namespace: SEES on a catalog-wide scope (PREFIX,
 * CATALOG, CATALOG_QUERY) is allowed (it sees something there), MAY on
 * one is refused (the grant does not reach the catalog).
 */
const CATALOG_WIDE = new Set(['PREFIX', 'CATALOG', 'CATALOG_QUERY', 'TENANT']);

function expected(route, role, target) {
  const r = ROLES[role];
  const kind = route.who;
  // Root's reach is every tenant's; a tenant admin's its own tenant.
  const theirs = r.who === 'root' || (r.tenant === 'B' ? target === 'foreign' : target !== 'foreign');
  const missing = route.objects && !theirs ? 'missing' : 'allow';
  if (kind === 'PUBLIC') return 'public';
  if (r.who === 'nobody') return 401;
  switch (kind) {
    case 'ANYONE': return 'any';
    case 'ADMIN': return r.who === 'user' ? 403 : missing;
    case 'TENANT_ADMIN': return r.who === 'admin' ? missing : 403;
    case 'ROOT': return r.who === 'root' ? missing : 403;
    case 'SEES':
    case 'MAY': {
      if (r.who !== 'user') return missing;
      if (route.objects && target === 'foreign') return 'missing';
      // Grants are in tenant A's catalog, none in its federated one.
      const may = !route.path.startsWith('/api/v1/federated-catalogs') &&
        (kind === 'SEES' ? r.may.length > 0 : r.may.includes(route.action));
      if (CATALOG_WIDE.has(route.scope)) return kind === 'SEES' && may ? 'allow' : 403;
      if (target === 'own' && may) return 'allow';
      // Hidden by id: what the caller does not see is missing.
      const sees = target === 'own' && r.may.length > 0;
      return route.scope === 'ASSET_ID' && !sees ? 'missing' : 403;
    }
    default: throw new Error(`${route.method} ${route.path}: a rule the matrix does not know: ${route.rule}`);
  }
}

/*
 * Beyond the rule: a caller whom a data policy binds on a table is
 * refused every way to its files (docs/security.md "Read restrictions
 * bind all the way to the files"), though the rule lets it read the
 * table; the trusted engine is not.
 */
const FILES = new Set(['GET TBL/credentials', 'POST TBL/sign', 'GET TBL/presign']);
function refine(route, role, target, want) {
  if (FILES.has(route.key) && role === 'policy_bound' && target === 'own') return 403;
  return want;
}

/*
 * Beyond the rule, in a public answer: GET /metrics is PUBLIC (health
 * checks and ordinary scrapes need no secret), but its lines that name a
 * tenant or what it owns (tenant="…", a sink's id) are rendered for
 * root alone among the roles (and for the operator's [metrics] token:
 * metrics_access.test.js).  Each route here: the roles that see them.
 */
const TENANT_LINES = { 'GET /metrics': new Set(['root']) };
function tenantLines(c) {
  const sees = TENANT_LINES[c.route.key];
  if (!sees) return null;
  const { A, B } = world;
  const named = c.res.text.split('\n').filter((l) => l.includes('tenant=') || l.includes(A.id) || l.includes(B.id));
  if (!sees.has(c.role)) return named.length ? `names a tenant: ${named[0]}` : null;
  // Both tenants hold tables: root reads the lines of each.
  return [A, B].every((t) => named.some((l) => l.includes(`tenant="${t.id}"`))) ? null : 'no line naming tenant A or B';
}

/*
 * Names each role may not find in any answer (but those its own request
 * carried): another namespace's objects for the tenant users, another
 * tenant's for everyone but root.
 */
const A_NAMES = ['acat', 'awhse', 'afed', 'ownns', 'owntbl', 'ownview', 'ownfn', 'nbrns', 'nbrtbl', 'nbrview', 'nbrfn'].map((k) => N[k]);
const NBR_NAMES = ['nbrns', 'nbrtbl', 'nbrview', 'nbrfn'].map((k) => N[k]);
const B_NAMES = ['bcat', 'bwhse', 'bfed', 'bspace', 'btable', 'bview', 'bfn'].map((k) => N[k]);
const UNREADABLE = {
  anonymous: [...A_NAMES, ...B_NAMES],
  other_admin: A_NAMES,
  no_grant: [...A_NAMES.filter((n) => n !== N.acat), ...B_NAMES],
  reader: [...NBR_NAMES, ...B_NAMES],
  writer: [...NBR_NAMES, ...B_NAMES],
  policy_bound: [...NBR_NAMES, ...B_NAMES],
  engine: [...NBR_NAMES, ...B_NAMES],
  tenant_admin: B_NAMES,
  root: [],
};

/*
 * Cells known to fail today, each a finding of issue 67 that another
 * branch fixes: checked by the todo tests at the end, left out of the
 * route's own test until it lands (then this entry goes).
 */
const KNOWN = [];
const known = (route, role) => KNOWN.find((k) => k.route === `${route.method} ${route.path}` && k.roles.includes(role));

// The routes of the caller's own session: not sent as a signed-in caller.
const OWN_SESSION = new Set(['POST /api/v1/users/logout', 'POST /api/v1/tokens/rotate', 'POST /api/v1/auth/revoke']);
// POSTs that read: sent as they are, not as mutations.
const READS = new Set(['POST TBL/metrics', 'POST TBL/plan', 'POST TBL/tasks', 'POST TBL/sign', 'POST /v1/{prefix}/events',
  'POST /api/v1/validate/names']);

// ---- the cells -------------------------------------------------------------

const TBL = '/v1/{prefix}/namespaces/{namespace}/tables/{table}';
// An Azure endpoint nothing listens on, allowed for the vend_container_sas row.
const AZURE_ENDPOINT = 'http://127.0.0.1:9';
const TARGETS = ['own', 'nbr', 'foreign'];
// The route table as the binary declares it, read once.
const DECLARED = routeRules();
let srv, world, routes, cells, before0, after0;

/** Short key of a route: its method and path, TBL for a table's. */
const keyOf = (r) => `${r.method} ${r.path.replace(TBL, 'TBL').replace('/v1/{prefix}/v1/namespaces/{namespace}/tables/{table}', 'TBL')}`;

/** The objects a target names: { cat, ns, tbl, view, ... }. */
function objectsOf(target) {
  const { A, B } = world;
  const t = target === 'foreign' ? B : A;
  const o = target === 'foreign' ? B.objects.own : A.objects[target];
  return { t, o };
}

/**
 * The request of a cell.  mode 'live': the target's real objects (a read,
 * or a mutation the rule refuses); 'gone': a mutation the rule allows,
 * sent to a missing object of the same scope.
 */
function requestOf(route, target, mode) {
  const { t, o } = objectsOf(target);
  const gone = mode === 'gone';
  const p = route.path;
  const family = p.split('/')[3];
  const ids = {
    tenants: t.id, roles: t.roleId, permissions: t.permId, policies: t.policyId, 'service-users': t.engineId,
  };
  const fill = {
    prefix: t.cat,
    namespace: gone && ['NS', 'MNS'].includes(route.scope) ? `${o.ns}\u001fgone` : o.ns,
    table: gone ? N.gone : o.tbl,
    view: gone ? N.gone : o.view,
    function: gone ? N.gone : o.fn,
    asset: gone ? N.gone : o.tbl,
    asset_id: gone ? MISSING : o.tableId,
    id: gone ? MISSING : ids[family] ?? MISSING,
    user_id: gone ? MISSING : t.readerId,
    role_id: gone ? MISSING : t.roleId,
    token_id: MISSING,
    'plan-id': 'plan-gone',
    file: family === 'docs' ? 'docs.js' : 'index.html',
    provider: 'nosuch',
    name: p.startsWith('/api/v1/warehouses') ? (gone ? N.gone : t.wh)
      : p.startsWith('/api/v1/federated-catalogs') ? (gone ? N.gone : t.fed)
      : p.startsWith('/api/v1/branches') || p.startsWith('/api/v1/tags') ? (gone ? N.gone : 'main')
      : gone && route.scope !== 'CATALOG' ? N.gone : t.cat,
  };
  let url = p.replace(/\{([^}]+)\}/g, (_, k) => encodeURIComponent(fill[k] ?? 'x'));
  const q = [];
  if (/^\/api\/v1\/(branches|tags)/.test(p)) q.push(`catalog=${t.cat}`);
  if (p === '/api/v1/branches/merge/preview') q.push('source=dev', 'target=main');
  if (/search/.test(p)) q.push(`q=${SEARCH}`, `query=${SEARCH}`);
  if (/presign$|\/credentials$/.test(p)) q.push(`location=${encodeURIComponent(`${o.location}/data/f.parquet`)}`);
  if (p === '/v1/config') q.push(`warehouse=${t.cat}`);
  if (q.length) url += `?${q.join('&')}`;
  let body = route.method === 'POST' || route.method === 'PUT' ? {} : undefined;
  // A signing request whole, so that what refuses it is not its shape.
  if (route.key === 'POST TBL/sign') body = { region: 'us-east-1', uri: `https://s3.example.com/b/${o.tbl}/data/f.parquet`, method: 'GET', headers: {} };
  return { method: route.method, url, body };
}

/** The names a request itself carries (echoed back, not leaked). */
const carried = (req) => Object.values(N).filter((n) => decodeURIComponent(req.url).includes(n));

function makeCells() {
  const out = [];
  for (const route of routes) {
    const seen = new Set();
    for (const target of TARGETS) {
      for (const role of Object.keys(ROLES)) {
        if (role !== 'anonymous' && OWN_SESSION.has(keyOf(route))) continue;
        const want = refine(route, role, target, expected(route, role, target));
        // Only a mutation the rule refuses meets a real object.
        const live = !route.mutation || want === 401 || want === 403;
        const req = requestOf(route, target, live ? 'live' : 'gone');
        // A target that names nothing new (a route without objects) is
        // called once per role.
        const id = `${role} ${req.method} ${req.url}`;
        if (seen.has(id)) continue;
        seen.add(id);
        out.push({ route, role, target, want, req });
      }
    }
  }
  return out;
}

// ---- the run ---------------------------------------------------------------

before(async () => {
  srv = await startServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0' }, allowEndpoints: [AZURE_ENDPOINT] });
  world = await buildWorld(srv);
  routes = DECLARED.map((r) => {
    const route = { ...r, key: '' };
    route.key = keyOf(route);
    route.objects = /\{(?!file|provider)[^}]+\}/.test(r.path) || /^\/api\/v1\/(branches|tags)/.test(r.path) ||
      /\/credentials$/.test(r.path) || r.path === '/v1/config';
    route.mutation = !['GET', 'HEAD'].includes(r.method) && !READS.has(route.key);
    return route;
  });
  cells = makeCells();
  before0 = await digest(srv, world);
  // Reads first: a log then holds only what the fixtures made, not the
  // names a caller sent in its own refused mutations (its audit log
  // records those, rightly).
  const send = async (c) => {
    c.res = await srv.req(c.req.method, c.req.url, { body: c.req.body, headers: world.as[c.role], validate: false });
  };
  await pool(cells.filter((c) => !c.route.mutation), 16, send);
  await pool(cells.filter((c) => c.route.mutation), 16, send);
  after0 = await digest(srv, world);
  if (process.env.PGL_MATRIX_DUMP) {
    for (const c of cells) console.log(`${String(c.want).padEnd(8)} ${String(c.res.status).padEnd(4)} ${c.role.padEnd(13)} ${c.target.padEnd(8)} ${c.req.method} ${c.req.url} ${c.route.rule} :: ${c.res.text.slice(0, 100)}`);
  }
});

after(async () => { await srv?.stop(); });

/** The tenant admin's answer to the same request, where it was allowed. */
function adminAnswer(c) {
  return cells.find((o) => o.role === 'tenant_admin' && o.req.method === c.req.method && o.req.url === c.req.url && o.want === 'allow')?.res;
}

/** What is wrong with a cell's answer, or null. */
function fault(c) {
  const s = c.res.status;
  if (s >= 500) return `${s} (a server error)`;
  switch (c.want) {
    case 'allow': {
      if (s === 401 || s === 403) return `${s}, allowed by ${c.route.rule}`;
      const admin = adminAnswer(c);
      if (admin && admin.status !== s) return `${s}, the tenant admin's ${admin.status}`;
      return null;
    }
    case 'public': return s === 401 || s === 403 ? `${s} on a public route` : null;
    case 'any': return s === 401 ? '401 to a signed-in caller' : null;
    // As a missing object: 404, or the body's own refusal before any
    // lookup (400, 422), never 403.
    case 'missing': return [400, 404, 422].includes(s) ? null : `${s}, not as missing (404)`;
    default: return s === c.want ? null : `${s}, not ${c.want}`;
  }
}

/** Unreadable names in a cell's answer. */
function leaks(c) {
  const mine = new Set(carried(c.req));
  return UNREADABLE[c.role].filter((n) => !mine.has(n) && c.res.text.includes(n));
}

const show = (c, why) => `${c.role.padEnd(13)} ${c.target.padEnd(8)} ${c.req.method} ${c.req.url}: ${why} :: ${c.res.text.slice(0, 160)}`;

test('the matrix has every route, every role and every target', () => {
  assert.ok(routes.length >= 200, `${routes.length} routes`);
  for (const role of Object.keys(ROLES)) assert.ok(cells.some((c) => c.role === role), role);
  for (const target of TARGETS) assert.ok(cells.some((c) => c.target === target), target);
  for (const route of routes) assert.ok(cells.some((c) => c.route === route), `${route.method} ${route.path}`);
});

describe('every route answers each role as its rule says', () => {
  // One test per route, named by its row, so a failure says which.
  for (const route of DECLARED) {
    test(`${route.method} ${route.path}  ${route.rule}`, () => {
      const mine = cells.filter((c) => c.route.method === route.method && c.route.path === route.path);
      const bad = [];
      for (const c of mine) {
        const why = fault(c) ?? tenantLines(c);
        if (why) bad.push(show(c, why));
        if (known(c.route, c.role)) continue;
        const names = leaks(c);
        if (names.length) bad.push(show(c, `names ${names.join(', ')}`));
      }
      assert.deepEqual(bad, []);
    });
  }
});

test('a refused mutation changed nothing: every object, grant and policy is as it was', () => {
  assert.deepEqual(after0, before0);
});

// ---- the cross-feature findings of issue 67, as rows ------------------------
//
// Each is a way one capability opened around another's protection; each
// is a row here, todo until the branch that fixes it lands (then its
// `todo` goes).  They run last: a row that fails today leaves what it made.

describe('cross-feature rows (issue 67)', () => {
  for (const k of KNOWN) {
    test(`${k.route} as ${k.roles.join(', ')}: ${k.what}`, { todo: k.todo }, () => {
      const bad = cells.filter((c) => `${c.route.method} ${c.route.path}` === k.route && k.roles.includes(c.role))
        .map((c) => [c, leaks(c)]).filter(([, n]) => n.length).map(([c, n]) => show(c, `names ${n.join(', ')}`));
      assert.deepEqual(bad, []);
    });
  }

  const SCHEMA = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };
  /** A refusal (400 or 409), and the name not made. */
  async function refusedAndNotMade(res, what, name) {
    assert.ok([400, 409].includes(res.status), `${what}: ${res.status} ${res.text}`);
    const { A } = world;
    const tables = await srv.req('GET', `/v1/${A.cat}/namespaces/${N.ownns}/tables`, { headers: A.admin });
    assert.ok(!tables.text.includes(name), `${what}: ${name} was made`);
  }

  test('a writer\'s createTable in its own namespace over another table\'s location, or the catalog\'s, is refused (one table, one place)',
    async () => {
      const { A } = world;
      const nbr = A.objects.nbr.location;
      const root = nbr.slice(0, nbr.indexOf(`/${N.nbrns}/`));
      for (const [what, location] of [['its directory', nbr], ['inside it', `${nbr}/data`], ['the catalog\'s root', root]]) {
        const name = uniq('mxsquat').replace(/-/g, '_');
        const res = await srv.req('POST', `/v1/${A.cat}/namespaces/${N.ownns}/tables`,
          { body: { name, schema: SCHEMA, location }, headers: world.as.writer, validate: false });
        await refusedAndNotMade(res, what, name);
      }
    });

  test('a writer\'s registerTable in its own namespace of another table\'s metadata file is refused (a register\'s metadata lies under its own location)',
    async () => {
      const { A } = world;
      const name = uniq('mxcopy').replace(/-/g, '_');
      const res = await srv.req('POST', `/v1/${A.cat}/namespaces/${N.ownns}/register`,
        { body: { name, 'metadata-location': A.objects.nbr.metadataLocation }, headers: world.as.writer, validate: false });
      await refusedAndNotMade(res, 'register of nbrtbl\'s metadata', name);
    });

  test('a tenant admin cannot set vend_container_sas, a key that widens every vended SAS to the container (the operator\'s)',
    async () => {
      const name = uniq('mxaz');
      const res = await srv.req('POST', '/api/v1/warehouses', { headers: world.A.admin, validate: false, body: { name, storage_config: {
        type: 'azure', account_name: 'devstoreaccount1', container: 'mxcontainer', prefix: 'lake', endpoint: `${AZURE_ENDPOINT}/devstoreaccount1`,
        account_key: Buffer.from('k'.repeat(64)).toString('base64'), vend_container_sas: 'true' } } });
      assert.equal(res.status, 422, res.text);
      assert.match(res.text, /vend_container_sas/);
      assert.equal((await srv.req('GET', `/api/v1/warehouses/${name}`, { headers: world.A.admin, validate: false })).status, 404);
    });
});
