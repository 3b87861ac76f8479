// A catalog's branches and tags as a commit graph, the way git tools
// draw history: one lane a branch (main first, then each branch in the
// order it forked), time from left to right, a commit a dot, its parent
// a line, a merge a dashed line from the merged branch's commit (with
// its merge operation: how many conflicts were resolved), tags as labels.  Picking two commits (click, or Enter on a focused dot)
// previews merging the first one's branch into the second's (merges.js).
// The commits are also a table, one button away.
"use strict";

import { api, enc, everyRow, failed, h, route, section, table, time, view } from "./core.js";
import { COLORS } from "./charts.js";
import { mergePreview } from "./merges.js";

const PER_BRANCH = 200;	// the newest commits drawn per branch
const MERGES = 100;	// the newest merge operations looked up
const DX = 34, DY = 40, LEFT = 120, TOP = 30, R = 7;
const SVG = "http://www.w3.org/2000/svg";

// Commit ids are UUIDv7: their first digits are the time, alike for
// commits of one second; the last ones tell them apart.
const short = (id) => id.slice(-8);

function s(tag, attrs, ...kids) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v != null) el.setAttribute(k, v);
  for (const c of kids.flat()) if (c != null) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

const every = (path, cap) => everyRow(path, cap);

// Branches, their newest commits, tags -> {lanes, nodes (by time), byId}.
export async function loadGraph(cat) {
  const q = `catalog=${enc(cat)}`;
  const [branches, tags] = await Promise.all([every(`/api/v1/branches?${q}`), every(`/api/v1/tags?${q}`)]);
  const logs = await Promise.all(branches.map((b) => every(`/api/v1/branches/${enc(b.name)}/commits?${q}`, PER_BRANCH)));
  const byId = new Map();
  branches.forEach((b, i) => {
    for (const c of logs[i]) {
      const n = byId.get(c.id) || { ...c, on: [] };
      n.on.push(b.name);
      byId.set(c.id, n);
    }
  });
  // Lanes: main, then by the time each branch's own first commit (or
  // head) came; a commit sits in the first lane of the branches holding it.
  const own = (b, i) => logs[i].filter((c) => byId.get(c.id).on.length === 1).map((c) => c.timestamp);
  const order = branches.map((b, i) => ({ name: b.name, head: b.head_commit_id,
    since: b.name === "main" ? -Infinity : Math.min(...own(b, i), byId.get(b.head_commit_id)?.timestamp ?? Infinity) }))
    .sort((a, b) => a.since - b.since || a.name.localeCompare(b.name));
  const lane = new Map(order.map((b, i) => [b.name, i]));
  const nodes = [...byId.values()].sort((a, b) => a.timestamp - b.timestamp || a.id.localeCompare(b.id));
  nodes.forEach((n, i) => {
    n.col = i;
    n.branch = n.on.reduce((best, x) => (lane.get(x) < lane.get(best) ? x : best), n.on[0]);
    n.lane = lane.get(n.branch);
    n.tags = [];
  });
  for (const t of tags) byId.get(t.commit_id)?.tags.push(t.name);
  // Each completed merge on the commit it made, with its conflicts.
  const ops = (await everyRow(`/api/v1/catalogs/${enc(cat)}/merge-operations`, MERGES))
    .filter((o) => o.status === "Completed");
  const full = await Promise.all(ops.map((o) => api("GET", `/api/v1/merge-operations/${enc(o.id)}`).catch(() => null)));
  full.forEach((o, i) => { const n = o && byId.get(o.result_commit_id); if (n) n.merge = { ...ops[i], id: o.id }; });
  return { lanes: order, nodes, byId };
}

// The SVG of a graph; noun names a dot ("commit", "snapshot"), pick what
// choosing one does.
export function draw(g, onPick, noun = "commit", pick = "select to compare") {
  const w = LEFT + (g.nodes.length + 1) * DX + 80, hgt = TOP + g.lanes.length * DY + 10;
  const x = (n) => LEFT + n.col * DX, y = (n) => TOP + n.lane * DY;
  const color = (l) => COLORS[l % COLORS.length];
  const edges = [], dots = [], labels = [];
  for (const n of g.nodes) {
    const p = g.byId.get(n.parent_id);
    // Parent to child: along the lane, or a curve where a branch forks.
    if (p) edges.push(s("path", { class: "edge fork", stroke: color(n.lane),
      d: p.lane === n.lane ? `M${x(p)},${y(p)} L${x(n)},${y(n)}`
        : `M${x(p)},${y(p)} C${x(p) + DX / 2},${y(p)} ${x(n) - DX / 2},${y(n)} ${x(n)},${y(n)}`, "data-from": p.id, "data-to": n.id }));
    const m = g.byId.get(n.merge_parent_id);
    if (m) edges.push(s("path", { class: "edge merge", stroke: color(m.lane), "stroke-dasharray": "5 3",
      d: `M${x(m)},${y(m)} C${x(m) + DX / 2},${y(m)} ${x(n) - DX / 2},${y(n)} ${x(n)},${y(n)}`, "data-from": m.id, "data-to": n.id }));
    const what = `${noun} ${noun === "commit" ? short(n.id) : n.id} on ${n.branch}, ${time(n.timestamp)}${n.message ? `: ${n.message}` : ""}${m ? ` (${mergeWords(n)})` : ""}${n.tags.length ? `, tagged ${n.tags.join(", ")}` : ""}`;
    const dot = s("circle", { class: `commit${m ? " merge-commit" : ""}`, cx: x(n), cy: y(n), r: m ? R + 2 : R, fill: color(n.lane),
      tabindex: "0", role: "button", "aria-label": `${what}; ${pick}`, "data-commit": n.id, "data-branch": n.branch },
    s("title", {}, what));
    dot.addEventListener("click", () => onPick(n, dot));
    dot.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); onPick(n, dot); } });
    dots.push(dot);
    n.tags.forEach((t, k) => {
      const tw = 8 + t.length * 7;
      labels.push(s("g", { class: "tag", "data-tag": t, transform: `translate(${x(n) - tw / 2},${y(n) - R - 20 - k * 18})` },
        s("rect", { width: tw, height: 16, rx: 3 }), s("text", { x: 4, y: 12 }, t)));
    });
  }
  g.lanes.forEach((b, i) => labels.push(s("text", { class: "lane-label", x: 8, y: TOP + i * DY + 4, fill: color(i), "data-lane": b.name }, b.name)));
  return s("svg", { class: "graph", width: w, height: hgt, viewBox: `0 0 ${w} ${hgt}`, role: "group",
    "aria-label": `branch graph: ${g.lanes.length} branches, ${g.nodes.length} ${noun}s` }, edges, dots, labels);
}

// A merge commit in words: which branches, how many conflicts it resolved.
function mergeWords(n) {
  if (!n.merge) return "a merge";
  const c = n.merge.conflicts_count;
  return `the merge of ${n.merge.source_branch} into ${n.merge.target_branch}, ${c ? `${c} conflict${c === 1 ? "" : "s"} resolved` : "no conflicts"}`;
}

// A table's refs as the same graph: its branches as lanes (main first),
// each one's newest PER_BRANCH snapshots, its tags as labels.
export function refGraph(md, onPick) {
  const byId = new Map((md.snapshots || []).map((x) => [x["snapshot-id"], x]));
  const refs = Object.entries(md.refs || {});
  const lanes = refs.filter(([, r]) => r.type === "branch").map(([n, r]) => ({ name: n, head: r["snapshot-id"] }))
    .sort((a, b) => (b.name === "main") - (a.name === "main") || a.name.localeCompare(b.name));
  const nodes = new Map();
  lanes.forEach((b, lane) => {
    let k = 0;
    for (let x = byId.get(b.head); x && k < PER_BRANCH; x = byId.get(x["parent-snapshot-id"]), k++) {
      const id = String(x["snapshot-id"]);
      const n = nodes.get(id) || { id, parent_id: x["parent-snapshot-id"] != null ? String(x["parent-snapshot-id"]) : null,
        timestamp: x["timestamp-ms"], message: x.summary?.operation || "", on: [], tags: [], lane, branch: b.name };
      n.on.push(b.name);
      nodes.set(id, n);
    }
  });
  const list = [...nodes.values()].sort((a, b) => a.timestamp - b.timestamp || a.id.localeCompare(b.id));
  list.forEach((n, i) => { n.col = i; });
  for (const [name, r] of refs) if (r.type === "tag") nodes.get(String(r["snapshot-id"]))?.tags.push(name);
  const g = { lanes, nodes: list, byId: nodes };
  return h("div", { class: "graph-wrap", id: "ref-graph" }, draw(g, onPick, "snapshot", "select to open it"));
}

function commitTable(g) {
  return table(["Commit", "Time", "Branch", "Parent", "Merged from", "Merge", "Tags", "Message"], [...g.nodes].reverse().map((n) => ({
    attrs: { "data-commit": n.id },
    cells: [h("code", { title: n.id }, short(n.id)), time(n.timestamp), n.on.join(", "),
      n.parent_id ? short(n.parent_id) : "—", n.merge_parent_id ? short(n.merge_parent_id) : "—",
      n.merge ? h("a", { href: `#/merges/${enc(n.merge.id)}` }, mergeWords(n)) : "—",
      n.tags.join(", ") || "—", n.message || ""] })), "no commits");
}

export async function showGraph(cat) {
  const v = view(`Branch graph of ${cat}`, h("p", {}, "loading…"));
  let g;
  try { g = await loadGraph(cat); } catch (e) { v.replaceChildren(v.firstChild, failed("cannot read the branches", e)); return; }
  const picked = [];
  const out = h("div", { id: "graph-preview", "aria-live": "polite" },
    h("p", { class: "help" }, "Select a commit on one branch, then one on another: the merge of the first branch into the second is previewed here."));
  const onPick = async (n, dot) => {
    picked.push([n, dot]);
    if (picked.length > 2) picked.shift()[1].classList.remove("picked");
    dot.classList.add("picked");
    if (picked.length < 2) { out.replaceChildren(h("p", {}, `Picked ${n.branch} (${short(n.id)}); now a commit on another branch.`)); return; }
    const [src, tgt] = picked.map(([p]) => p.branch);
    if (src === tgt) { out.replaceChildren(h("p", {}, `Both picks are on ${src}: pick a commit on another branch.`)); return; }
    out.replaceChildren(h("p", {}, "loading the preview…"));
    try { out.replaceChildren(h("h4", {}, `Merge ${src} into ${tgt}`), await mergePreview(cat, src, tgt),
      h("p", {}, h("a", { href: `#/catalogs/${enc(cat)}` }, "Start this merge from the catalog page"))); }
    catch (e) { out.replaceChildren(failed("cannot preview the merge", e)); }
  };
  const tbl = h("div", { id: "graph-table", hidden: true });
  const toggle = h("button", { type: "button", class: "secondary", "aria-expanded": "false", "aria-controls": "graph-table",
    onclick: () => { tbl.hidden = !tbl.hidden; toggle.setAttribute("aria-expanded", String(!tbl.hidden));
      toggle.textContent = tbl.hidden ? "Show the commits as a table" : "Hide the table";
      if (!tbl.firstChild) tbl.append(commitTable(g)); } }, "Show the commits as a table");
  v.replaceChildren(v.firstChild,
    h("p", { class: "help" }, `Each branch a lane, time left to right (the newest ${PER_BRANCH} commits of each branch); a dashed line brings a merged branch's commit into its target; tags are labels above their commit.`),
    h("div", { class: "graph-wrap", id: "branch-graph" }, draw(g, onPick)), toggle, tbl,
    section("Compare two points", out),
    h("p", {}, h("a", { href: `#/catalogs/${enc(cat)}` }, `Back to ${cat}`)));
  // The newest commits in view.
  const wrap = v.querySelector(".graph-wrap");
  wrap.scrollLeft = wrap.scrollWidth;
}

route("/catalogs/:cat/graph", (p) => showGraph(p.cat));
