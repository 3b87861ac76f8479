// The call graph of src/ and plugins/, read from the sources: a file
// X.c depends on Y.c when X.c names something Y.c defines (not static):
// calls one of its functions, or names one without calling it (a
// function pointer in a table, a callback handed over), or uses one of
// its global objects (an array, a struct), or uses a function-like macro
// of Y.h (the header beside Y.c) without defining its own of that name.
// A call a reader sees is an edge too, where the linker sees none: a
// static function (or object) that shares its name with another file's
// global reads, to grep, ctags and every call-graph tool that does not
// follow C's `static`, as a call into that file; so it counts as one, and
// is refused as such ("one name, one function": rename one of the two).
// A header's static inline functions are its .c's code (or the header's
// own node, with no .c beside it): calling one is an edge, and so is a
// call in its body.
// Reports every circle (a strongly connected component of more than one
// file) and every circle between folders (src/api/rest -> src/api/identity
// -> src/api/rest ...).  A circle means neither side can be read, tested
// or changed without the other: the fix is a declaration moved down or a
// callback table set from above.  Run by tests/layering.sh; exits 1 on
// any circle.  Definitions are found the way this code base writes them
// (STYLE.md): the function's name at the start of a line, its type on the
// line above; a global object at file scope, not static, not extern.
//
// The one deliberate exception: the route table, src/api/routes.c, names
// every handler by pointer (that is its job, ARCHITECTURE.md §3).  It is
// the top of src/api, above every room: see `room` below, which gives it
// a node of its own in the folder graphs and the rooms' order.
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith('.c') ? [path.join(d, e.name)] : []);
const files = ['src', 'plugins'].flatMap((d) => walk(path.join(ROOT, d)))
  .map((f) => path.relative(ROOT, f)).filter((f) => !f.startsWith('src/tools/')).sort();

// A plugin is its own program: its calls resolve within it (and the SQL
// code it shares), never to another plugin's functions of the same name.
const unit = (f) => {
  const m = /^plugins\/([^/]+)\//.exec(f);
  if (!m) return 'src';
  return m[1] === 'sql-common' || m[1] === 'store-sqlite' || m[1] === 'store-postgres' ? 'sql' : m[1];
};
// Comments and literals out, in one pass (a "s3://" is no comment), the
// lines kept where they were.
const strip = (s) => s.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g,
  (m) => m[0] === '"' ? '""' : m[0] === "'" ? "''" : m.replace(/[^\n]/g, ' '));

const text = Object.fromEntries(files.map((f) => [f, strip(fs.readFileSync(path.join(ROOT, f), 'utf8'))]));
const defs = new Map();	// unit:name -> [files]
const own = new Map(files.map((f) => [f, new Set()]));	// f -> its static names
const define = (f, name) => {
  const key = `${unit(f)}:${name}`;
  defs.set(key, [...(defs.get(key) ?? []), f]);
};
for (const f of files) {
  const lines = text[f].split('\n');
  lines.forEach((l, i) => {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\(/.exec(l);
    if (!m || /^(if|for|while|switch|return|sizeof)$/.test(m[1])) return;
    if (/\bstatic\b/.test(lines[i - 1] ?? '')) own.get(f).add(m[1]);
    else define(f, m[1]);
  });
  for (const [name, local] of globals(text[f])) local ? own.get(f).add(name) : define(f, name);
}

/*
 * The objects a file defines at file scope: [name, static?] for each
 * declarator of a declaration that is not a function's, not extern, not
 * a typedef (`const struct cli_area cli_areas[] = {...};`, `struct
 * pgl_app pgl_app;`, `static int (*hook)(void);`).  Read from the text
 * outside every brace, preprocessor lines out.
 */
function globals(src) {
  const out = [];
  const t = src.replace(/^[ \t]*#(?:[^\n\\]|\\[\s\S])*/gm, ' ');
  let depth = 0, chunk = '';
  const done = () => {
    const c = chunk.replace(/__attribute__\s*\(\(.*?\)\)/g, ' ').trim();
    chunk = '';
    if (c === '' || /^(typedef|extern)\b/.test(c)) return;
    const local = /\bstatic\b/.test(c);
    const decl = c.split('=')[0].trim();
    const fp = /\(\s*\*\s*([A-Za-z_]\w*)\s*\)\s*\(/.exec(decl);	// a function pointer
    if (fp) { out.push([fp[1], local]); return; }
    if (decl.includes('(') || decl.endsWith('}') || /^(struct|union|enum)\s+\w+$/.test(decl)) return;
    // int a, b[4], *c: each declarator's last name (types come first).
    for (const d of decl.replace(/\{\}/g, ' ').split(',')) {
      const m = /([A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)*$/.exec(d.trim());
      if (m && !/^(const|volatile|int|char|long|unsigned|void)$/.test(m[1])) out.push([m[1], local]);
    }
  };
  for (const ch of t) {
    if (ch === '{') { if (depth++ === 0) chunk += '{'; continue; }
    if (ch === '}') {
      if (--depth === 0) {
        chunk += '}';
        // A function's body ends its definition; an initializer or a
        // struct's members go on to the ';'.
        if (/\)\s*\{\}$/.test(chunk)) chunk = '';
      }
      continue;
    }
    if (depth > 0) continue;
    if (ch === ';') done(); else chunk += ch;
  }
  return out;
}

// Function-like macros of the headers: `#define STORE(fn, ...)` in
// src/app/app.h is app.c's, as a function app.c defined would be.  A
// header with no .c beside it (api.h) holds no code: no node.
const macros = new Map();	// unit:name -> file
const localMacros = new Map();	// f -> names it #defines itself
const allFiles = (d) => fs.readdirSync(path.join(ROOT, d), { recursive: true }).map((f) => path.join(d, f));
for (const h of ['src', 'plugins'].flatMap(allFiles).filter((f) => f.endsWith('.h') && !f.startsWith('src/tools/'))) {
  const c = h.replace(/\.h$/, '.c');
  if (!files.includes(c)) continue;
  for (const m of fs.readFileSync(path.join(ROOT, h), 'utf8').matchAll(/^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)\(/gm))
    macros.set(`${unit(c)}:${m[1]}`, c);
}
for (const f of files) {
  localMacros.set(f, new Set([...fs.readFileSync(path.join(ROOT, f), 'utf8')
    .matchAll(/^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)\(/gm)].map((m) => m[1])));
}

// A header's static inline functions: `static inline` on the line above
// the name, the body to its closing brace at the start of a line.  Each
// is code of the header's node (its .c, or the header itself), seen by
// the files that include the header (directly or through headers); the
// body's text is that node's to read for calls.
const hfiles = ['src', 'plugins'].flatMap(allFiles).filter((f) => /\.[ch]$/.test(f) && !f.startsWith('src/tools/'));
const hpresent = new Set(hfiles);
const incOf = new Map(hfiles.map((f) => [f, [...fs.readFileSync(path.join(ROOT, f), 'utf8')
  .matchAll(/^\s*#\s*include\s+"([^"]+)"/gm)].map((m) => [path.dirname(f), 'src', 'plugins/sql-common']
  .map((d) => path.normalize(path.join(d, m[1]))).find((c) => hpresent.has(c))).filter(Boolean)]));
const seen = (f) => {	// every header f includes, through headers
  const out = new Set(), todo = [...(incOf.get(f) ?? [])];
  while (todo.length) { const h = todo.pop(); if (!out.has(h)) { out.add(h); todo.push(...(incOf.get(h) ?? [])); } }
  return out;
};
const inlines = new Map();	// header -> Map name -> its node
const inlineText = new Map();	// node -> the bodies of its header's inline functions
for (const h of hfiles.filter((f) => f.endsWith('.h'))) {
  const c = h.replace(/\.h$/, '.c');
  const node = files.includes(c) ? c : h;
  const lines = strip(fs.readFileSync(path.join(ROOT, h), 'utf8')).split('\n');
  lines.forEach((l, i) => {
    const m = /^([A-Za-z_]\w*)\(/.exec(l);
    if (!m || !/\bstatic\s+inline\b/.test(lines[i - 1] ?? '')) return;
    if (!inlines.has(h)) inlines.set(h, new Map());
    inlines.get(h).set(m[1], node);
    const end = lines.findIndex((x, j) => j > i && /^\}/.test(x));
    inlineText.set(node, (inlineText.get(node) ?? '') + '\n' +
      lines.slice(i + 1, end < 0 ? undefined : end + 1).join('\n'));
  });
}
const nodes = [...new Set([...files, ...inlineText.keys()])];
const edges = new Map(nodes.map((f) => [f, new Set()]));
const named = new Map(nodes.map((f) => [f, new Set()]));	// f -> names used without a call
const shadows = new Map();	// "name f" -> the global's file, for a static of f
for (const f of nodes) {
  // Every name not after . or -> (a member) nor struct (a tag): a call,
  // or a function or object named without one.  A name the file defines
  // itself (static) is its own to the linker; to a reader it is also the
  // call into the one file that defines it globally, if one does.
  const src = (text[f] ?? '') + (inlineText.get(f) ?? '');
  const inl = new Map([...seen(f), ...(f.endsWith('.c') ? seen(f.replace(/\.c$/, '.h')) : [])]
    .flatMap((h) => [...(inlines.get(h) ?? [])]));
  for (const m of src.matchAll(/(?<![.>\w]|->|\b(?:struct|union|enum)\s+)([A-Za-z_][A-Za-z0-9_]*)(\s*\()?/g)) {
    const at = defs.get(`${unit(f)}:${m[1]}`);
    // A name two files define (a plugin's entry point) says nothing.
    if (at?.length === 1 && at[0] !== f) {
      edges.get(f).add(at[0]);
      if (!m[2]) named.get(f).add(`${m[1]}@${at[0]}`);
      if (own.get(f)?.has(m[1])) shadows.set(`${m[1]} ${f}`, at[0]);
    }
    if (own.get(f)?.has(m[1])) continue;
    if (m[2] && inl.get(m[1]) && inl.get(m[1]) !== f) edges.get(f).add(inl.get(m[1]));
    const mac = m[2] && macros.get(`${unit(f)}:${m[1]}`);
    if (mac && mac !== f && !localMacros.get(f)?.has(m[1])) edges.get(f).add(mac);
  }
}
// One name, one function: a static that shares a global's name.
for (const [k, at] of shadows) {
  const [name, f] = k.split(' ');
  console.log(`layering: ${f} keeps a static ${name}, the name of ${at}'s global: a reader (grep, ctags, ` +
    'a call graph) takes its calls for calls into that file; rename one (one name, one function)');
}

/** Tarjan's strongly connected components of a graph (Map node -> Set). */
function circles(g) {
  let index = 0;
  const idx = new Map(), low = new Map(), on = new Set(), stack = [], out = [];
  const visit = (v) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const c = [];
      let w;
      do { w = stack.pop(); on.delete(w); c.push(w); } while (w !== v);
      if (c.length > 1) out.push(c.sort());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return out;
}

const folder = (f) => path.dirname(f);
// The route table names every handler (by pointer, for the dispatcher):
// it sits above every room, though its file lives in src/api beside the
// gate it feeds; only main.c names pgl_routes.  In the folder graphs and
// the rooms' order it is a node of its own, the top of src/api.
const room = (f) => f === 'src/api/routes.c' ? 'src/api/routes.c' : folder(f);
const fg = new Map();
for (const [f, to] of edges) {
  for (const t of to) {
    if (room(f) === room(t)) continue;
    if (!fg.has(room(f))) fg.set(room(f), new Set());
    fg.get(room(f)).add(room(t));
  }
}
// The rooms of src/api and what each may call or include besides itself
// (one order for both graphs).  The shared layer (api/: the gate,
// authentication, authorization, replies, targets, the config cache,
// audit; SHARED_LAYER below) uses only the low rooms under it (LOW),
// which use nothing of src/api; every other room uses both.  The read
// path (read: an asset found, its metadata read through the cache, its
// policies, a load answered; ARCHITECTURE.md §14) sits over the storage
// room and under everything that reads a table, the commit room among
// them, and calls nothing of commits.  The commit loop and the metadata
// files it writes sit under the handlers that commit (rest, branching,
// discovery: generic assets are committed like tables); the task
// runner's dispatch (maintenance) is the top, running every kind.  (The
// route table names every handler, by pointer: that is its job; it is
// the top of src/api, see `room` above.)
// (The folders outside src/api, events/ among them, have their order in
// tests/layering.sh's allowed(); the circle checks below cover them too.)
const LOW = [
  'src/api/cache',	// the metadata cache's tiers, the tree cache, their counters
  'src/api/request',	// r->app, and its object reads by fetch and replay
  'src/api/placement',	// where local storage may live (targets refuse the rest)
  'src/api/events',	// the change events a request notes, appended last in its transaction
  'src/api/quota',	// a tenant's quotas against the store's usage ledger, checked by the gate
];
const SHARED = ['src/api', ...LOW];
// The shared layer itself: src/api/*.c, each file with its one job.  A
// new file at src/api/ top is named here with its job, or goes to the
// room of its subsystem; the layer stays at most SHARED_MAX files (issue
// 41: a top level that only grows is a drawer, not a layer).
const SHARED_LAYER = {
  'gate.c': 'between the HTTP layer and a handler: admit, the store transaction, the audit event',
  'routes.c': 'the route table: every route, its handler and its rule (above every room)',
  'authn.c': 'who is calling: API keys, root by Basic, sessions (providers through identity/)',
  'authz.c': 'whether the caller may call this route on this resource; grants, lists',
  'rate.c': 'the request rates of the caller\'s principal and tenant',
  'idempotency.c': 'Idempotency-Key on Iceberg mutations: the first reply again',
  'target.c': 'addressing of /v1: prefix to catalog, namespaces, @branch, page tokens',
  'asset_ref.c': 'assets as the management API names them, read once for authorization',
  'config_cache.c': 'each worker\'s copies of catalogs and warehouses',
  'audit.c': 'the audit log: events written, and its routes',
  'who.c': 'a caller and an account: client address, user JSON, revoking sessions',
  'common.c': 'JSON helpers, the store transaction, federated catalogs refused',
};
const SHARED_MAX = 12;
const ROOMS = {
  ...Object.fromEntries(LOW.map((r) => [r, []])),
  // The events a request notes live on r->app (the request room).
  'src/api/events': ['src/api/request'],
  'src/api': LOW,
  'src/api/storage': SHARED,
  'src/api/tasks': SHARED,
  'src/api/read': [...SHARED, 'src/api/storage'],
  'src/api/commit': [...SHARED, 'src/api/storage', 'src/api/read'],
  'src/api/rest': [...SHARED, 'src/api/storage', 'src/api/tasks', 'src/api/read', 'src/api/commit'],
  'src/api/branching': [...SHARED, 'src/api/storage', 'src/api/tasks', 'src/api/read', 'src/api/commit'],
  'src/api/identity': SHARED,
  // The feed asks the read room which events a data policy keeps
  // statistics out of (issue 67).
  'src/api/feed': [...SHARED, 'src/api/read'],
  'src/api/webhooks': [...SHARED, 'src/api/feed'],
  // Data policies (issue 46): above the read room, whose policy reads
  // (the tenant's cached "any policy", a catalog's, the resolver) they use.
  'src/api/policies': [...SHARED, 'src/api/read'],
  'src/api/federation': [...SHARED, 'src/api/storage', 'src/api/tasks'],
  // Warehouse keys ask the read room's restrictions (data policies); the
  // overlap report walks the commit room's owners.
  'src/api/manage': [...SHARED, 'src/api/storage', 'src/api/federation', 'src/api/read', 'src/api/commit'],
  'src/api/discovery': [...SHARED, 'src/api/read', 'src/api/commit'],
  // SQL functions (issue 70): assets whose metadata files are written and
  // swapped through the commit room, listed by the rest room's walk.
  'src/api/functions': [...SHARED, 'src/api/storage', 'src/api/tasks', 'src/api/read', 'src/api/commit', 'src/api/rest'],
  'src/api/scan': [...SHARED, 'src/api/storage', 'src/api/tasks', 'src/api/read'],
  'src/api/maintenance': [...SHARED, 'src/api/storage', 'src/api/tasks', 'src/api/read', 'src/api/commit',
    'src/api/rest', 'src/api/branching', 'src/api/federation', 'src/api/scan'],
};
let upward = 0;
// The picture of the rooms in docs/architecture.md (its Layering section,
// the block after the marker below): a row per room, top down, naming
// what it uses besides the shared layer and the low rooms (the shared
// layer's row: which low rooms it uses).  It says what ROOMS says, and
// each row names only rooms below it, or the check fails: the picture a
// newcomer reads is the one the code keeps.
{
  const MARK = '<!-- the rooms of src/api: tests/layering.mjs checks this picture -->';
  const doc = fs.readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');
  const at = doc.indexOf(MARK);
  const block = at < 0 ? null : /```\n([\s\S]*?)```/.exec(doc.slice(at));
  if (!block) {
    console.log(`layering: docs/architecture.md has no picture of the rooms (a block after "${MARK}")`);
    upward++;
  } else {
    const full = (n) => n === 'shared layer' ? 'src/api' : `src/api/${n}`;
    const rows = block[1].trim().split('\n').map((l) => {
      const [name, uses = '-'] = l.trim().split(/\s{2,}/);
      return [full(name), uses === '-' ? [] : uses.split(/\s+/).map(full)];
    });
    const order = rows.map(([r]) => r);
    const said = (r) => {	// what ROOMS lets r use, as the picture names it
      const all = ROOMS[r] ?? [];
      if (r === 'src/api' || LOW.includes(r)) return all;
      const missing = SHARED.filter((x) => !all.includes(x));
      if (missing.length) return [...all, ...missing.map((x) => `(not ${x})`)];
      return all.filter((x) => !SHARED.includes(x));
    };
    const same = (a, b) => a.length === b.length && a.every((x) => b.includes(x));
    rows.forEach(([r, uses], i) => {
      if (!(r in ROOMS)) {
        console.log(`layering: docs/architecture.md's picture names ${r}, which is not in ROOMS`);
        upward++;
        return;
      }
      if (!same(uses, said(r))) {
        console.log(`layering: docs/architecture.md's picture: ${r} uses ${uses.join(' ') || 'no room'}; ` +
          `ROOMS: ${said(r).join(' ') || 'no room'}`);
        upward++;
      }
      for (const u of uses.filter((u) => !order.slice(i + 1).includes(u))) {
        console.log(`layering: docs/architecture.md's picture: ${r} uses ${u}, which is not below it`);
        upward++;
      }
    });
    for (const r of Object.keys(ROOMS).filter((r) => !order.includes(r))) {
      console.log(`layering: docs/architecture.md's picture of the rooms has no row for ${r}`);
      upward++;
    }
  }
}
const top = fs.readdirSync(path.join(ROOT, 'src/api')).filter((f) => f.endsWith('.c')).sort();
for (const f of top.filter((f) => !(f in SHARED_LAYER))) {
  console.log(`layering: src/api/${f} is not in the shared layer's list (tests/layering.mjs SHARED_LAYER): ` +
    'name it there with its job, or move it to its subsystem\'s room');
  upward++;
}
for (const f of Object.keys(SHARED_LAYER).filter((f) => !top.includes(f))) {
  console.log(`layering: SHARED_LAYER names src/api/${f}, which is gone (tests/layering.mjs)`);
  upward++;
}
if (top.length > SHARED_MAX) {
  console.log(`layering: src/api/ holds ${top.length} .c files, at most ${SHARED_MAX}: the shared layer is not a drawer`);
  upward++;
}
for (const [f, to] of edges) {
  const a = room(f);
  if (!a.startsWith('src/api') || a === 'src/api/routes.c') continue;
  if (!(a in ROOMS)) { console.log(`layering: ${a} is not a room of src/api (tests/layering.mjs ROOMS)`); upward++; continue; }
  for (const t of to) {
    const b = folder(t);
    if (b === a || !b.startsWith('src/api') || ROOMS[a].includes(b)) continue;
    console.log(`layering: ${f} calls into ${b} (${path.basename(t)}): ${a} may call ${ROOMS[a].join(', ') || 'no room'}`);
    upward++;
  }
}
// The include graph, as issue 24 states it: X.c -> Y.c when X.c (or X.h)
// includes Y.h, a header belonging to the .c of its basename in its
// folder (a header without one, api.h, is a node of its own).  An
// include says "I need what that file offers" even where no call shows
// it yet (a type, a macro, a declaration parked in the wrong header), so
// the same rules hold for it: no circle between files or folders, and a
// room includes only its own headers and those of the rooms it may call.
const all = ['src', 'plugins'].flatMap((d) => fs.readdirSync(path.join(ROOT, d), { recursive: true })
  .map((f) => path.join(d, f))).filter((f) => /\.[ch]$/.test(f) && !f.startsWith('src/tools/')).sort();
const present = new Set(all);
const owner = (f) => {
  const c = f.replace(/\.h$/, '.c');
  return present.has(c) ? c : f;
};
// As the compiler finds it: beside the file, then -Isrc, then the SQL
// plugins' -Iplugins/sql-common; include/pangolin/ is the plugin ABI
// (headers only, no arrows out).
const where = (from, inc) => [path.dirname(from), 'src', 'plugins/sql-common']
  .map((d) => path.normalize(path.join(d, inc))).find((c) => present.has(c));
const includes = new Map();
for (const f of all) {
  const node = owner(f);
  if (!includes.has(node)) includes.set(node, new Set());
  for (const m of fs.readFileSync(path.join(ROOT, f), 'utf8').matchAll(/^\s*#\s*include\s+"([^"]+)"/gm)) {
    const to = where(f, m[1]);
    if (to && owner(to) !== node) includes.get(node).add(owner(to));
  }
}
const ig = new Map();
for (const [f, to] of includes) {
  for (const t of to) {
    const a = room(f), b = room(t);
    if (a === b) continue;
    if (!ig.has(a)) ig.set(a, new Set());
    ig.get(a).add(b);
    if (a.startsWith('src/api') && b.startsWith('src/api') && a !== 'src/api/routes.c' &&
        !(ROOMS[a] ?? []).includes(b)) {
      console.log(`layering: ${f} includes ${t}: ${a} may include ${ROOMS[a]?.join(', ') || 'no room'}`);
      upward++;
    }
  }
}
const includeCircles = circles(includes);
const includeFolderCircles = circles(ig);
for (const c of includeCircles) console.log(`layering: include circle of ${c.length} files: ${c.join(' ')}`);
for (const c of includeFolderCircles) console.log(`layering: include circle of folders: ${c.join(' ')}`);

const fileCircles = circles(edges);
const folderCircles = circles(fg);
for (const c of fileCircles) console.log(`layering: circle of ${c.length} files: ${c.join(' ')}`);
for (const c of folderCircles) {
  const why = c.flatMap((a) => c.filter((b) => b !== a && fg.get(a)?.has(b)).map((b) => {
    const via = [...edges].filter(([f]) => room(f) === a).flatMap(([f, to]) => [...to].filter((t) => room(t) === b).map((t) => `${path.basename(f)}->${path.basename(t)}`));
    return `${a} -> ${b} (${via.slice(0, 3).join(', ')}${via.length > 3 ? ', ...' : ''})`;
  }));
  console.log(`layering: circle of folders ${c.join(' ')}:\n  ${why.join('\n  ')}`);
}
// File sizes (issue 41): a file is one job a reader can hold at once.
// No .c file of src/ or plugins/ (Kore's own src/kore aside) runs over
// SIZE_MAX lines; at most LONG_MAX_FILES run over LONG_LINES, and each of
// those says why in its opening comment, in a sentence with the words
// "kept whole" ("Kept whole, over 600 lines: every operation goes
// through the one descriptor walk below ...").  A file that grows past
// LONG_LINES without such a reason is split by job, never into halves.
const SIZE_MAX = 1200, LONG_LINES = 600, LONG_MAX_FILES = 12;
const sized = ['src', 'plugins'].flatMap(allFiles)
  .filter((f) => f.endsWith('.c') && !f.startsWith('src/kore/')).sort()
  .map((f) => {
    const t = fs.readFileSync(path.join(ROOT, f), 'utf8');
    const lines = t.split('\n').length - (t.endsWith('\n') ? 1 : 0);
    const opening = /^\s*(\/\*[\s\S]*?\*\/)/.exec(t)?.[1] ?? '';
    return { f, lines, reason: /kept\s+whole/i.test(opening) };
  });
const long = sized.filter((x) => x.lines > LONG_LINES);
let oversize = 0;
for (const x of sized.filter((x) => x.lines > SIZE_MAX)) {
  console.log(`layering: ${x.f} has ${x.lines} lines, over ${SIZE_MAX}: split it by job`);
  oversize++;
}
for (const x of long.filter((x) => !x.reason)) {
  console.log(`layering: ${x.f} has ${x.lines} lines, over ${LONG_LINES}, and its opening comment does not say ` +
    'why it is kept whole: split it by job, or say why ("kept whole")');
  oversize++;
}
if (long.length > LONG_MAX_FILES) {
  console.log(`layering: ${long.length} files over ${LONG_LINES} lines, at most ${LONG_MAX_FILES}: ` +
    long.map((x) => `${x.f} (${x.lines})`).join(', '));
  oversize++;
}
// Test sources too (issue 68): no .c, .h, .js, .mjs or .sh file under
// tests/ (node_modules aside) runs over SIZE_MAX lines; a test file is
// split by what it tests (tests/unit/store/ is the store suite's families).
const testWalk = (d) => fs.readdirSync(path.join(ROOT, d), { withFileTypes: true }).flatMap((e) =>
  e.name === 'node_modules' || e.isSymbolicLink() ? [] : e.isDirectory() ? testWalk(path.join(d, e.name)) :
    /\.(c|h|js|mjs|sh)$/.test(e.name) ? [path.join(d, e.name)] : []);
const testSized = testWalk('tests').sort().map((f) => {
  const t = fs.readFileSync(path.join(ROOT, f), 'utf8');
  return { f, lines: t.split('\n').length - (t.endsWith('\n') ? 1 : 0) };
});
for (const x of testSized.filter((x) => x.lines > SIZE_MAX)) {
  console.log(`layering: ${x.f} has ${x.lines} lines, over ${SIZE_MAX}: split the test by what it tests`);
  oversize++;
}

const n = [...edges.values()].reduce((a, s) => a + s.size, 0);
const ni = [...includes.values()].reduce((a, s) => a + s.size, 0);
console.log(`layering: ${nodes.length} files, ${n} calls between files (${shadows.size} by a shadowed name), ${fileCircles.length} file circles, ${folderCircles.length} folder circles`);
console.log(`layering: ${includes.size} files, ${ni} includes between files, ${includeCircles.length} file circles, ${includeFolderCircles.length} folder circles`);
console.log(`layering: ${upward} calls, includes, files or picture rows against the rooms' order`);
console.log(`layering: ${sized.length} .c files, ${long.length} over ${LONG_LINES} lines (at most ${LONG_MAX_FILES}), ` +
  `the longest ${Math.max(...sized.map((x) => x.lines))} (at most ${SIZE_MAX}); ` +
  `${testSized.length} test sources, the longest ${Math.max(...testSized.map((x) => x.lines))} ` +
  `(at most ${SIZE_MAX}); ${oversize} against the sizes`);
process.exitCode = fileCircles.length + folderCircles.length + includeCircles.length +
  includeFolderCircles.length + upward + oversize + shadows.size > 0 ? 1 : 0;
