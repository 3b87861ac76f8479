// Charts: uPlot (npm "uplot", compiled in from assets/api-docs'
// packages and loaded by index.html before the modules) behind one
// helper, so every chart of the console reads the same way: a title and
// what good looks like, the chart, a legend that follows the cursor, its
// numbers as a table one button away, arrow keys to walk the points.
//
// uPlot draws on a canvas: fast at 10,000 points and more, and small
// (50 KB).  A canvas says nothing to a screen reader, so the table is the
// chart's text: the same numbers, paged.
"use strict";

import { h, pagedTable } from "./core.js";

// The palette: mid tones readable on the light and the dark background.
export const COLORS = ["#2f7ed8", "#e8710a", "#2e9d3a", "#d93025", "#8e44ad", "#00897b", "#b8860b", "#6d7b88"];

// Colours of the page (style.css sets them for light and dark).
function themeVar(name, fallback) {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

// 1234567 -> "1.23 M"; bytes -> "1.2 GiB".
export function short(v) {
  if (v == null || Number.isNaN(v)) return "—";
  const a = Math.abs(v);
  for (const [n, s] of [[1e12, " T"], [1e9, " G"], [1e6, " M"], [1e3, " k"]])
    if (a >= n) return `${(v / n).toFixed(a >= n * 100 ? 0 : a >= n * 10 ? 1 : 2)}${s}`;
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

export function bytes(v) {
  if (v == null || Number.isNaN(v)) return "—";
  const a = Math.abs(v);
  for (const [n, s] of [[2 ** 40, " TiB"], [2 ** 30, " GiB"], [2 ** 20, " MiB"], [2 ** 10, " KiB"]])
    if (a >= n) return `${(v / n).toFixed(1)}${s}`;
  return `${v} B`;
}

const fmtTime = (s) => (s == null ? "—" : new Date(s * 1000).toLocaleString());

// uPlot bars for the per-snapshot figures (added, removed), while they
// are few: a software canvas (no GPU) fills a thousand bars a series in
// a second; past DENSE points the same figures are a filled line.
const DENSE = 300;
function bars(wide) {
  return window.uPlot.paths.bars({ size: wide ? [0.7, 80] : [0.5, 14], align: 0 });
}

// A series description: {label, key (for the table), scale ("y" or
// "d"), kind ("line", "bars", "points"), color, fmt}.
function uSeries(s, i, n, wide) {
  const color = s.color || COLORS[i % COLORS.length];
  const base = { label: s.label, scale: s.scale || "y", stroke: color, width: s.kind === "bars" ? 0 : 2,
    value: (u, v) => (v == null ? "—" : (s.fmt || short)(v)), spanGaps: s.kind === "line" };
  if (s.kind === "bars" && n > DENSE) return { ...base, width: 1, fill: `${color}66`, points: { show: false } };
  if (s.kind === "bars") return { ...base, fill: `${color}99`, paths: bars(wide), points: { show: false } };
  if (s.kind === "points") return { ...base, paths: () => null, points: { show: true, size: 9, width: 2, fill: color, stroke: color } };
  return { ...base, points: { show: false } };
}

// chart({id, title, good, series, x (seconds), ys ([[...]] one array a
// series), xTime (false: x are numbers, xAxisFmt names them), xFmt,
// yFmt, dFmt, height, sync, live, marks, onHover(idx) -> text,
// onPick(idx), table, rowAttrs(idx)})
// -> a <section>.  The chart's element (id) carries .uplot (the uPlot:
// .uplot.data is what is drawn) and data-points.
export function chart(o) {
  const box = h("div", { id: o.id, class: "chart", tabindex: "0", role: "application", "aria-roledescription": "chart",
    "aria-label": `${o.title}: chart of ${o.x.length} points; arrow keys move between them, Enter opens one; the numbers are in the table below` });
  const hover = h("p", { class: "chart-hover", "aria-live": "off" }, o.x.length ? "Hover or use the arrow keys over the chart to see a point." : "");
  const tableBox = h("div", { class: "chart-table", id: `${o.id}-table`, hidden: true });
  const toggle = h("button", { type: "button", class: "secondary chart-toggle", "aria-expanded": "false",
    "aria-controls": `${o.id}-table`, onclick: () => {
      const show = tableBox.hidden;
      tableBox.hidden = !show;
      toggle.setAttribute("aria-expanded", String(show));
      toggle.textContent = show ? "Hide the numbers" : "Show the numbers as a table";
      if (show && !tableBox.firstChild) tableBox.append(numbers(o));
    } }, "Show the numbers as a table");
  // The markers' key (a colour through the CSSOM: CSP allows no style attribute).
  const dot = (c) => { const d = h("span", { class: "chart-dot", "aria-hidden": "true" }); d.style.background = c; return d; };
  const key = o.marks ? h("p", { class: "chart-key" }, "Dots: ", Object.entries(o.marks.colors).map(([k, c]) =>
    h("span", { class: "chart-key-item", "data-mark": k }, dot(c), k))) : null;
  const sec = h("section", { class: "chart-card", "aria-label": o.title, "data-chart": o.id },
    h("h4", {}, o.title), o.good ? h("p", { class: "help chart-good" }, o.good) : null,
    box, key, hover, toggle, tableBox);
  if (!o.x.length && !o.live) { box.replaceChildren(h("p", { class: "empty" }, o.empty || "nothing to draw")); return sec; }
  if (!window.uPlot) { box.replaceChildren(h("p", { class: "error" }, "the chart library did not load")); return sec; }
  const axis = themeVar("--chart-axis", "#39434c");
  const grid = themeVar("--chart-grid", "#dde2e6");
  const axisOf = (scale, side, fmt) => ({ scale, side, stroke: axis, grid: { stroke: grid, width: 1, show: side !== 1 },
    ticks: { stroke: grid }, size: 72, values: (u, vals) => vals.map((v) => (fmt || short)(v)) });
  // A little room either side, so the first and last bars are whole.
  const pad = (u, min, max) => { const d = max > min ? (max - min) * 0.03 : 60; return [min - d, max + d]; };
  const scales = { x: { time: o.xTime !== false, range: pad } };
  // x: time, or categories 0..n-1 named by xAxisFmt.
  const xAxis = o.xAxisFmt ? { incrs: [1, 2, 5, 10], values: (u, vals) => vals.map((v) => (Number.isInteger(v) ? o.xAxisFmt(v) : "")) } : {};
  const axes = [{ stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, ...xAxis }, axisOf("y", 3, o.yFmt)];
  if (o.series.some((s) => s.scale === "d")) { scales.d = { auto: true }; axes.push(axisOf("d", 1, o.dFmt)); }
  const opts = {
    width: 600, height: o.height || 220, scales, axes,
    series: [{ label: o.xLabel || "Time", value: (u, v) => (v == null ? "—" : (o.xFmt || fmtTime)(v)) }, ...o.series.map((x, i) => uSeries(x, i, o.x.length, o.xTime === false))],
    cursor: { sync: o.sync ? { key: o.sync } : undefined, drag: { x: true, y: false }, points: { size: 8 } },
    legend: { live: true },
    hooks: { setCursor: [(u) => { if (u.cursor.idx != null && o.onHover) hover.textContent = o.onHover(u.cursor.idx); }],
      draw: o.marks ? [(u) => drawMarks(u, o.marks)] : [] },
  };
  const u = new window.uPlot(opts, [o.x, ...o.ys], box);
  box.uplot = u;
  box.marks = o.marks;
  box.dataset.points = String(o.x.length);
  // Width follows the page; the first measure once the section is placed.
  const ro = new ResizeObserver(() => {
    if (!box.isConnected) { ro.disconnect(); return; }	// its screen was replaced
    const w = box.clientWidth;
    if (w > 0 && Math.abs(w - u.width) > 2) u.setSize({ width: w, height: u.height });
  });
  ro.observe(box);
  // A click that was not a drag (drag zooms) picks the point.
  let down = null;
  u.over.addEventListener("mousedown", (ev) => { down = [ev.clientX, ev.clientY]; });
  u.over.addEventListener("click", (ev) => {
    const still = down && Math.abs(ev.clientX - down[0]) < 4 && Math.abs(ev.clientY - down[1]) < 4;
    if (still && u.cursor.idx != null && o.onPick) o.onPick(u.cursor.idx);
  });
  // The keyboard: arrows walk the points, Home/End, Enter picks.
  let at = o.x.length - 1;
  box.addEventListener("keydown", (ev) => {
    const moves = { ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity, PageUp: -10, PageDown: 10 };
    if (ev.key === "Enter" && o.onPick) { o.onPick(at); ev.preventDefault(); return; }
    if (!(ev.key in moves)) return;
    ev.preventDefault();
    const n = u.data[0].length;
    at = Math.max(0, Math.min(n - 1, (u.cursor.idx ?? at) + moves[ev.key]));
    const y = o.ys.map((s) => s[at]).find((v) => v != null) ?? 0;
    u.setCursor({ left: u.valToPos(u.data[0][at], "x"), top: u.valToPos(y, "y") });
    if (o.onHover) hover.textContent = o.onHover(at);
  });
  // New data for the same series (the health page's live charts).
  sec.update = (x, ys) => {
    o.x = x; o.ys = ys;
    u.setData([x, ...ys]);
    box.dataset.points = String(x.length);
    if (!tableBox.hidden) tableBox.replaceChildren(numbers(o));
    else tableBox.replaceChildren();
  };
  return sec;
}

// Markers of a kind a point ({kinds: [kind a point], ys: [y a point],
// colors: {kind: colour}}), drawn after the series, one canvas path a
// kind: a dot on the point while the points in view are far enough
// apart, else a tick a point along the bottom (a software canvas fills
// a thousand dots in a second, rectangles in a few ms).
function drawMarks(u, m) {
  const ctx = u.ctx, px = window.uPlot.pxRatio, x = u.data[0];
  const { left, top, width, height } = u.bbox;
  const [lo, hi] = [u.scales.x.min, u.scales.x.max];
  let seen = 0;
  for (let i = 0; i < x.length; i++) if (x[i] >= lo && x[i] <= hi) seen++;
  const dots = seen <= width / px / 10;
  const r = 4.5 * px, tick = Math.max(px, Math.min(6 * px, (width / Math.max(seen, 1)) * 0.8));
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  // Dense: one tick a device pixel at most, the rarest kind there
  // showing (a delete among appends is the one to see).
  const kinds = Object.keys(m.colors);
  const count = {};
  for (const k of m.kinds) count[k] = (count[k] || 0) + 1;
  const col = new Map();	// pixel -> index of the point shown there
  if (!dots) {
    for (let i = 0; i < x.length; i++) {
      if (x[i] < lo || x[i] > hi) continue;
      const p = Math.round(u.valToPos(x[i], "x", true));
      const j = col.get(p);
      if (j === undefined || count[m.kinds[i]] < count[m.kinds[j]]) col.set(p, i);
    }
  }
  for (const kind of kinds) {
    const color = m.colors[kind];
    ctx.beginPath();
    if (!dots) {
      for (const [p, i] of col) if (m.kinds[i] === kind) ctx.rect(p - tick / 2, top + height - 6 * px, tick, 6 * px);
    }
    for (let i = 0; dots && i < x.length; i++) {
      if (m.kinds[i] !== kind || x[i] < lo || x[i] > hi) continue;
      const cx = u.valToPos(x[i], "x", true);
      if (m.ys[i] == null) continue;
      const cy = u.valToPos(m.ys[i], "y", true);
      ctx.moveTo(cx + r, cy);
      ctx.arc(cx, cy, r, 0, 2 * Math.PI);
    }
    ctx.fillStyle = color;
    ctx.fill();
  }
  ctx.restore();
}

// The chart's numbers, newest first, 100 to a page: the series' values,
// or o.table ([[label, (i) -> cell]]) when the chart says otherwise.
function numbers(o) {
  const n = o.x.length;
  const list = o.table || [[o.xLabel || "Time", (i) => (o.xFmt || fmtTime)(o.x[i])],
    ...o.series.map((s, k) => [s.label, (i) => (o.ys[k][i] == null ? "—" : (s.fmt || String)(o.ys[k][i]))])];
  const cols = list.map(([l]) => l);
  return pagedTable({ id: `${o.id}-numbers`, what: `${o.title} numbers`, cols, empty: "no points",
    fetch: async (off, lim) => {
      const idx = [];
      for (let i = n - 1 - off; i >= 0 && idx.length < lim; i--) idx.push(i);
      return { items: idx, total: n };
    },
    row: (i) => ({ attrs: o.rowAttrs ? o.rowAttrs(i) : {},
      cells: list.map(([, cell]) => cell(i)) }) });
}
