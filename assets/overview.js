// The home page's pictures of the whole catalog: catalogs by size (their
// summaries), tasks over the last two weeks, and, on demand, one
// catalog's largest and fastest-growing tables and its namespaces by
// size.  The last reads every table's metadata (its current snapshot's
// summary, and the snapshot of a week ago), so it runs when asked, with
// a progress bar, at most MAX_TABLES tables, and is kept for the tab.
// Rankings are tables with a bar in each row: the numbers are the
// picture.
"use strict";

import { api, enc, everyRow, failed, h, section } from "./core.js";
import { icebergPages } from "./manage.js";
import { bytes, chart, short } from "./charts.js";

const MAX_CATALOGS = 50;
const MAX_TABLES = 2000;
const MAX_TASKS = 1000;	// one page: the home page asks for it on every visit
const TOP = 10;
const WEEK_MS = 7 * 86400e3;
const measured = new Map();	// catalog -> {at, tables, namespaces, truncated}

// A ranking: [name (text or node), value] rows, biggest first, each with a
// bar as long as its share of the first.
export function barTable(id, cols, rows, fmt, empty) {
  if (!rows.length) return h("p", { class: "empty" }, empty);
  const max = Math.max(...rows.map(([, v]) => v), 1);
  return h("div", { class: "scroll" }, h("table", { id, class: "bars" },
    h("thead", {}, h("tr", {}, cols.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows.map(([name, v, key]) => {
      const fill = h("span", { class: "bar-fill" });
      fill.style.width = `${Math.max(0.5, (100 * v) / max)}%`;	// the CSSOM: CSP allows no style attribute
      return h("tr", { "data-key": key ?? (typeof name === "string" ? name : null), "data-value": String(v) },
        h("td", { "data-label": cols[0] }, name), h("td", { class: "bar-cell", "aria-hidden": "true" }, fill),
        h("td", { "data-label": cols[2], class: "num" }, fmt(v)));
    }))));
}

// ---- catalogs by size -------------------------------------------------------------

async function catalogSizes(box) {
  try {
    const cats = (await everyRow("/api/v1/catalogs", MAX_CATALOGS)).filter((c) => c.catalog_type !== "Federated");
    const sums = await Promise.all(cats.map((c) => api("GET", `/api/v1/catalogs/${enc(c.name)}/summary`).catch(() => null)));
    const rows = cats.map((c, i) => [c.name, sums[i]]).filter(([, s]) => s);
    const link = (n) => h("a", { href: `#/catalogs/${enc(n)}` }, n);
    const ranked = (key) => rows.map(([n, s]) => [link(n), s[key] ?? 0, n]).sort((a, b) => b[1] - a[1]).slice(0, TOP);
    box.replaceChildren(h("div", { class: "charts-grid" },
      h("div", {}, h("h4", {}, "Catalogs by tables"),
        barTable("catalogs-by-tables", ["Catalog", "", "Tables"], ranked("table_count"), String, "no catalogs")),
      h("div", {}, h("h4", {}, "Catalogs by namespaces"),
        barTable("catalogs-by-namespaces", ["Catalog", "", "Namespaces"], ranked("namespace_count"), String, "no catalogs"))),
    h("p", { class: "help" }, `From each catalog's summary${cats.length >= MAX_CATALOGS ? `, the first ${MAX_CATALOGS} catalogs` : ""}.`));
  } catch (e) { box.replaceChildren(failed("cannot read the catalogs", e)); }
}

// ---- tasks over time ----------------------------------------------------------------

async function tasksOverTime(box) {
  try {
    const tasks = await everyRow("/api/v1/tasks", MAX_TASKS);
    const day = 86400;
    const today = Math.floor(Date.now() / 1000 / day) * day;
    const x = Array.from({ length: 14 }, (_, i) => today - (13 - i) * day);
    const kinds = ["succeeded", "failed", "other"];
    const ys = kinds.map(() => x.map(() => 0));
    for (const t of tasks) {
      const d = Math.floor(Date.parse(t.created_at) / 1000 / day) * day;
      const i = x.indexOf(d);
      if (i < 0) continue;
      ys[t.status === "succeeded" ? 0 : t.status === "failed" ? 1 : 2][i]++;
    }
    box.replaceChildren(chart({ id: "home-tasks-chart", title: "Tasks a day, the last two weeks", x, ys,
      good: "Good: maintenance and merges succeed day after day; a day of failures is worth a look at its tasks.",
      xFmt: (t) => new Date(t * 1000).toLocaleDateString(), height: 180, dFmt: String, yFmt: String,
      series: [{ label: "succeeded", kind: "bars", color: "#2e9d3a", fmt: String },
        { label: "failed", kind: "bars", color: "#d93025", fmt: String },
        { label: "queued, running, cancelled", kind: "bars", color: "#6d7b88", fmt: String }],
      onHover: (i) => `${new Date(x[i] * 1000).toLocaleDateString()}: ${kinds.map((k, n) => `${ys[n][i]} ${k}`).join(", ")}` }),
    h("p", { class: "help" }, `Counted over ${tasks.length >= MAX_TASKS ? `the newest ${MAX_TASKS}` : "every"} task, by the day it was made.`));
  } catch (e) { box.replaceChildren(failed("cannot list tasks", e)); }
}

// ---- one catalog's tables, measured on demand ------------------------------------------

const fig = (s, k) => (s?.summary?.[k] != null ? Number(s.summary[k]) : 0);

// A table's size now and a week ago, from its snapshots' summaries.
function sizeOf(md) {
  const snaps = md.snapshots || [];
  const cur = snaps.find((s) => s["snapshot-id"] === md["current-snapshot-id"]);
  const before = Date.now() - WEEK_MS;
  let then = null;
  for (const s of snaps) if (s["timestamp-ms"] <= before && (!then || s["timestamp-ms"] > then["timestamp-ms"])) then = s;
  const b = fig(cur, "total-files-size");
  return { bytes: b, files: fig(cur, "total-data-files"), records: fig(cur, "total-records"), growth: b - fig(then, "total-files-size") };
}

async function namespacesOf(cat) {
  const tree = await api("GET", `/api/v1/catalogs/${enc(cat)}/namespaces/tree`);
  const out = [];
  const walk = (nodes) => { for (const n of nodes || []) { out.push(n.full_path); walk(n.children); } };
  walk(tree.root);
  return out;
}

async function measure(cat, progress) {
  const nss = await namespacesOf(cat);
  const names = [];
  for (const ns of nss) {
    const path = `/v1/${enc(cat)}/namespaces/${enc(ns.join("\x1f"))}/tables`;
    const get = icebergPages(path, "identifiers");
    for (let off = 0; names.length < MAX_TABLES; off += 1000) {
      const { items, total } = await get(off, Math.min(1000, MAX_TABLES - names.length));
      names.push(...items.map((id) => ({ ns: id.namespace, name: id.name })));
      if (total != null || !items.length) break;
    }
    progress(0, names.length, `listing: ${names.length} tables`);
    if (names.length >= MAX_TABLES) break;
  }
  const tables = [];
  let done = 0;
  // Eight loads at a time: quick, and gentle with the server.
  const next = async () => {
    while (done < names.length) {
      const t = names[done++];
      try {
        const r = await api("GET", `/v1/${enc(cat)}/namespaces/${enc(t.ns.join("\x1f"))}/tables/${enc(t.name)}`);
        tables.push({ ...t, ...sizeOf(r.metadata || {}) });
      } catch { /* dropped meanwhile, or not readable: left out */ }
      progress(tables.length, names.length, `reading: ${tables.length} of ${names.length} tables`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, next));
  const byNs = new Map();
  for (const t of tables) {
    const k = t.ns.join(".");
    const n = byNs.get(k) || { ns: k, bytes: 0, files: 0, tables: 0 };
    n.bytes += t.bytes; n.files += t.files; n.tables++;
    byNs.set(k, n);
  }
  return { at: Date.now(), tables, namespaces: [...byNs.values()], truncated: names.length >= MAX_TABLES };
}

function rankings(cat, m) {
  const link = (t) => h("a", { href: `#/catalogs/${enc(cat)}/tables/${enc(t.ns.join("\x1f"))}/${enc(t.name)}` }, `${t.ns.join(".")}.${t.name}`);
  const top = (key) => [...m.tables].sort((a, b) => b[key] - a[key]).slice(0, TOP).filter((t) => t[key] > 0)
    .map((t) => [link(t), t[key], `${t.ns.join(".")}.${t.name}`]);
  return h("div", { class: "charts-grid", id: "catalog-rankings", "data-catalog": cat },
    h("div", {}, h("h4", {}, "Largest tables by bytes"), barTable("largest-by-bytes", ["Table", "", "Bytes"], top("bytes"), bytes, "no data yet")),
    h("div", {}, h("h4", {}, "Largest tables by data files"), barTable("largest-by-files", ["Table", "", "Data files"], top("files"), short, "no data yet")),
    h("div", {}, h("h4", {}, "Fastest growing (bytes added in 7 days)"), barTable("fastest-growing", ["Table", "", "Bytes added"], top("growth"), bytes, "nothing grew this week")),
    h("div", {}, h("h4", {}, "Namespaces by bytes"), barTable("namespaces-by-bytes", ["Namespace", "", "Bytes"],
      [...m.namespaces].sort((a, b) => b.bytes - a.bytes).slice(0, TOP).map((n) => [n.ns, n.bytes]), bytes, "no namespaces")));
}

async function tableSizes(box) {
  let cats = [];
  try { cats = (await everyRow("/api/v1/catalogs", MAX_CATALOGS)).filter((c) => c.catalog_type !== "Federated"); }
  catch (e) { box.replaceChildren(failed("cannot list catalogs", e)); return; }
  if (!cats.length) { box.replaceChildren(h("p", { class: "empty" }, "no catalogs")); return; }
  const out = h("div", { id: "rankings-out" });
  const bar = h("progress", { id: "measure-progress", max: "1", value: "0", hidden: true });
  const note = h("p", { class: "help", "aria-live": "polite" });
  const pick = h("select", { id: "measure-catalog" }, cats.map((c) => h("option", { value: c.name }, c.name)));
  const show = (cat) => {
    const m = measured.get(cat);
    out.replaceChildren(m ? rankings(cat, m) : h("p", { class: "help" }, "Not measured yet in this tab."));
    note.textContent = m ? `${m.tables.length} tables read at ${new Date(m.at).toLocaleTimeString()}${m.truncated ? ` (the first ${MAX_TABLES})` : ""}.` : "";
  };
  const go = h("button", { type: "button", id: "measure-go", onclick: async () => {
    const cat = pick.value;
    go.disabled = true; bar.hidden = false;
    try {
      measured.set(cat, await measure(cat, (d, n, text) => { bar.max = String(Math.max(n, 1)); bar.value = String(d); note.textContent = text; }));
      show(cat);
    } catch (e) { out.replaceChildren(failed("cannot measure the tables", e)); }
    finally { go.disabled = false; bar.hidden = true; }
  } }, "Measure its tables");
  pick.addEventListener("change", () => show(pick.value));
  box.replaceChildren(h("div", { class: "row" }, h("div", {}, h("label", { for: "measure-catalog" }, "Catalog"), pick), go),
    h("p", { class: "help" }, `Reads each table's metadata (at most ${MAX_TABLES}), eight at a time: the current snapshot's totals and the one of a week ago.`),
    bar, note, out);
  show(pick.value);
}

// The home page's sections.
export function overviewSections() {
  const sizes = h("div", { id: "home-catalogs" }, h("p", {}, "loading…"));
  const tasks = h("div", { id: "home-task-chart" }, h("p", {}, "loading…"));
  const tables = h("div", { id: "home-tables" }, h("p", {}, "loading…"));
  catalogSizes(sizes);
  tasksOverTime(tasks);
  tableSizes(tables);
  return [section("Catalogs", sizes), section("Tables by size", tables), section("Tasks over time", tasks)];
}
