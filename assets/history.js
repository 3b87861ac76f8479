// A table's history as charts (the table page, explorer.js): per
// snapshot over time, records, data files and bytes added and removed
// and the totals, each operation marked, for one branch (ref) of the
// table at a time or every snapshot.  Everything comes from the
// snapshots' summaries in the load answer the page already has: no
// manifest is read.  Hover (or the arrow keys) says which snapshot a
// point is; a click (or Enter) opens it below the charts.
"use strict";

import { badge, h, pairs, section, time } from "./core.js";
import { bytes, chart, COLORS, short } from "./charts.js";
import { fileSizes } from "./filesizes.js";
import { refGraph } from "./graph.js";

const OPS = ["append", "overwrite", "delete", "replace"];
const OP_COLORS = { append: "#2e9d3a", overwrite: "#8e44ad", delete: "#d93025", replace: "#b8860b" };
const ADDED = "#6fa8dc", REMOVED = "#e8710a";
const TOTALS = [COLORS[0], "#00897b", "#6d7b88", "#c2185b", "#5d4037"];
const RANGES = [["all", "All time", Infinity], ["1h", "Last hour", 3600e3], ["24h", "Last 24 hours", 86400e3],
  ["7d", "Last 7 days", 7 * 86400e3], ["30d", "Last 30 days", 30 * 86400e3], ["365d", "Last year", 365 * 86400e3]];

// The three charts: [id, title, good, total key, added key, removed keys, fmt].
const CHARTS = [
  ["hist-records", "Records", "Each snapshot's added and deleted records (bars, right axis) and the table's total (line, left axis).",
    "total-records", "added-records", ["deleted-records"], short],
  ["hist-files", "Data files", "Data files added and removed by each snapshot and the total. Many small appends grow the file count faster than the records: time to compact.",
    "total-data-files", "added-data-files", ["deleted-data-files", "removed-data-files"], short],
  ["hist-bytes", "Bytes", "Bytes of data files added and removed by each snapshot, and the table's total size.",
    "total-files-size", "added-files-size", ["removed-files-size"], bytes],
];

const num = (v) => (v == null || v === "" ? null : Number(v));
const fig = (s, keys) => { for (const k of [].concat(keys)) if (s.summary?.[k] != null) return num(s.summary[k]); return null; };

// A ref's snapshots, oldest first: its head and the head's ancestors.
function lineage(byId, head) {
  const out = [];
  const seen = new Set();
  for (let s = byId.get(head); s && !seen.has(s["snapshot-id"]); s = byId.get(s["parent-snapshot-id"])) {
    seen.add(s["snapshot-id"]);
    out.push(s);
  }
  return out.reverse();
}

function order(a, b) {
  return a["timestamp-ms"] - b["timestamp-ms"] || (a["sequence-number"] ?? 0) - (b["sequence-number"] ?? 0);
}

// Seconds since the epoch, strictly increasing (uPlot's x; snapshots of
// one commit may share a millisecond).
function xs(snaps) {
  const x = new Array(snaps.length);
  let prev = -Infinity;
  for (let i = 0; i < snaps.length; i++) {
    let v = snaps[i]["timestamp-ms"] / 1000;
    if (v <= prev) v = prev + 0.001;
    x[i] = prev = v;
  }
  return x;
}

const opOf = (s) => s.summary?.operation || "unknown";

// The words hover shows for a snapshot.
function describe(s, total, added, removed, fmt) {
  const parts = [`Snapshot ${s["snapshot-id"]}`, time(s["timestamp-ms"]), opOf(s)];
  if (added != null) parts.push(`+${fmt(added)}`);
  if (removed != null) parts.push(`−${fmt(removed)}`);
  if (total != null) parts.push(`total ${fmt(total)}`);
  return parts.join(" · ");
}

function snapshotDetail(s, refs) {
  const on = Object.entries(refs).filter(([, r]) => r["snapshot-id"] === s["snapshot-id"]).map(([n]) => n);
  return h("div", { id: "snapshot-detail", class: "card snapshot-detail", "data-snapshot": String(s["snapshot-id"]), tabindex: "-1" },
    h("h4", {}, `Snapshot ${s["snapshot-id"]}`, on.length ? [" ", on.map((n) => badge(n))] : null),
    pairs([["Time", time(s["timestamp-ms"])], ["Operation", opOf(s)],
      ["Parent", s["parent-snapshot-id"] != null ? h("code", { class: "id" }, String(s["parent-snapshot-id"])) : "—"],
      ["Sequence number", String(s["sequence-number"] ?? "—")], ["Schema", String(s["schema-id"] ?? "—")],
      ["Manifest list", h("code", { class: "wrap" }, s["manifest-list"] || "—")],
      ...Object.entries(s.summary || {}).filter(([k]) => k !== "operation").map(([k, v]) => [k, String(v)])]));
}

// The figures above the charts: the current snapshot's totals.
function summaryFigures(md, snaps) {
  const cur = snaps.find((s) => s["snapshot-id"] === md["current-snapshot-id"]);
  const ops = {};
  for (const s of snaps) ops[opOf(s)] = (ops[opOf(s)] || 0) + 1;
  // data-value: the figure itself (the text is rounded).
  const item = (key, label, v, fmt = String) => h("li", { class: "stat", "data-figure": key, "data-value": v ?? "" },
    h("span", { class: "stat-value", title: v == null ? null : String(v) }, v == null ? "—" : fmt(v)),
    h("span", { class: "stat-label" }, label));
  const now = (k) => (cur ? fig(cur, k) : null);
  return h("ul", { class: "stats", id: "history-figures", "aria-label": "the table's figures" },
    item("snapshots", "Snapshots", snaps.length),
    item("records", "Records now", now("total-records"), short),
    item("files", "Data files now", now("total-data-files"), short),
    item("bytes", "Bytes now", now("total-files-size"), bytes),
    Object.entries(ops).sort().map(([op, n]) => item(`op-${op}`, `${op} snapshots`, n)));
}

// The section: a branch and range choice over the three charts, then
// the data files by size on demand (base: the table's REST path, for its
// scan plan; location: its metadata file, the key of what was read).
export function historySection(md, base, location) {
  const all = [...(md.snapshots || [])].sort(order);
  const byId = new Map(all.map((s) => [s["snapshot-id"], s]));
  const refs = md.refs || {};
  const branches = Object.entries(refs).filter(([, r]) => r.type === "branch").map(([n]) => n)
    .sort((a, b) => (b === "main") - (a === "main") || a.localeCompare(b));
  let which = branches.includes("main") ? "main" : "";
  let range = "all";
  const charts = h("div", { class: "charts", id: "history-charts" });
  const detail = h("div", { id: "snapshot-detail-slot", "aria-live": "polite" });
  const draw = () => {
    let snaps = which ? lineage(byId, refs[which]["snapshot-id"]) : all;
    const span = RANGES.find(([k]) => k === range)[2];
    if (span !== Infinity) { const from = Date.now() - span; snaps = snaps.filter((s) => s["timestamp-ms"] >= from); }
    const x = xs(snaps);
    // One total line: the chosen branch's, or each branch's over every
    // snapshot (lineages cross where branches share snapshots).
    const lanes = which || branches.length < 2 ? [["", new Set(snaps.map((s) => s["snapshot-id"]))]]
      : branches.map((n) => [n, new Set(lineage(byId, refs[n]["snapshot-id"]).map((s) => s["snapshot-id"]))]);
    if (lanes.length > 1) {
      const rest = new Set(snaps.filter((s) => !lanes.some(([, ids]) => ids.has(s["snapshot-id"]))).map((s) => s["snapshot-id"]));
      if (rest.size) lanes.push(["no branch", rest]);
    }
    const rank = (op) => (OPS.includes(op) ? OPS.indexOf(op) : OPS.length);
    const ops = [...new Set(snaps.map(opOf))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    const open = (i) => { detail.replaceChildren(snapshotDetail(snaps[i], refs)); detail.firstChild.focus(); };
    charts.dataset.snapshots = String(snaps.length);
    charts.replaceChildren(...CHARTS.map(([id, title, good, totalKey, addKey, remKeys, fmt]) => {
      const total = snaps.map((s) => fig(s, totalKey));
      const added = snaps.map((s) => fig(s, addKey));
      const removed = snaps.map((s) => fig(s, remKeys));
      // Every snapshot: a total line a branch (its own lineage).
      const lines = lanes.map(([name, ids]) => [name, snaps.map((s, i) => (ids.has(s["snapshot-id"]) ? total[i] : null))]);
      return chart({ id, title, good, x, sync: "history", yFmt: fmt, dFmt: fmt,
        empty: "no snapshot in this range",
        series: [...lines.map(([name], k) => ({ label: name ? `Total (${name})` : "Total", kind: "line", color: TOTALS[k % TOTALS.length], fmt })),
          { label: "Added", kind: "bars", scale: "d", color: ADDED, fmt },
          { label: "Removed", kind: "bars", scale: "d", color: REMOVED, fmt }],
        ys: [...lines.map(([, ys]) => ys), added, removed],
        // Each snapshot's operation, a dot on its total.
        marks: { kinds: snaps.map(opOf), ys: total.map((v) => v ?? 0),
          colors: Object.fromEntries(ops.map((op, k) => [op, OP_COLORS[op] || COLORS[4 + (k % 4)]])) },
        onHover: (i) => describe(snaps[i], total[i], added[i], removed[i], fmt),
        onPick: open,
        rowAttrs: (i) => ({ "data-snapshot": String(snaps[i]["snapshot-id"]) }),
        table: [["Time", (i) => time(snaps[i]["timestamp-ms"])], ["Snapshot", (i) => String(snaps[i]["snapshot-id"])],
          ["Operation", (i) => opOf(snaps[i])], ["Added", (i) => (added[i] == null ? "—" : String(added[i]))],
          ["Removed", (i) => (removed[i] == null ? "—" : String(removed[i]))], ["Total", (i) => (total[i] == null ? "—" : String(total[i]))]] });
    }));
  };
  const pickBranch = h("select", { id: "history-branch", onchange: (ev) => { which = ev.target.value; draw(); } },
    h("option", { value: "", selected: which === "" }, "every snapshot"),
    branches.map((n) => h("option", { value: n, selected: n === which }, `branch ${n}`)));
  const pickRange = h("select", { id: "history-range", onchange: (ev) => { range = ev.target.value; draw(); } },
    RANGES.map(([k, label]) => h("option", { value: k, selected: k === range }, label)));
  const controls = h("div", { class: "row history-controls" },
    h("div", {}, h("label", { for: "history-branch" }, "Snapshots of"), pickBranch),
    h("div", {}, h("label", { for: "history-range" }, "Time range"), pickRange),
    h("p", { class: "help" }, "Drag across a chart to zoom into a time span; double-click to zoom out."));
  // The refs as a graph: a dot picked opens its snapshot.
  const picture = refGraph(md, (n) => {
    const s = byId.get(Number(n.id));
    if (s) { detail.replaceChildren(snapshotDetail(s, refs)); detail.firstChild.focus(); }
  });
  const sec = section("History", summaryFigures(md, all), controls, charts,
    h("h4", {}, "Branches and tags of this table"), picture, detail,
    h("h4", {}, "Data files by size, now"), fileSizes(md, base, location));
  sec.id = "history";
  draw();
  return sec;
}
