// Health: the server's own /metrics (Prometheus text; root sees the
// tenant lines too, docs/security.md "/metrics"), read every few
// seconds and drawn as live charts, the last hour kept in this tab.
// Rates are differences of counters between two reads; latency
// quantiles come from the histogram's buckets over the same interval.
// Each panel says what good looks like.
"use strict";

import { apiPage, h, isAdmin, nav, route, section, session, view } from "./core.js";
import { chart } from "./charts.js";

const EVERY_MS = 2000;
const KEEP_MS = 3600e3;

// ---- Prometheus text -> samples ------------------------------------------------

// [{name, labels, value}]; comments and unparsable lines skipped.
export function parseMetrics(text) {
  const out = [];
  const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/;
  const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const l of text.split("\n")) {
    if (!l || l[0] === "#") continue;
    const m = line.exec(l);
    if (!m) continue;
    const labels = {};
    for (const x of (m[3] || "").matchAll(label)) labels[x[1]] = x[2].replace(/\\(.)/g, "$1");
    out.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return out;
}

// Route templates by family.
export function family(route) {
  if (route.startsWith("/v1/")) return "Iceberg REST";
  if (route.startsWith("/api/v1/")) return "management";
  if (route === "/metrics" || route.startsWith("/health")) return "health & metrics";
  return "console & docs";
}
const FAMILIES = ["Iceberg REST", "management", "console & docs", "health & metrics"];

// A commit: POST of a table (or view) update, or a multi-table commit.
const isCommit = (l) => l.method === "POST" && /\/(tables|views)\/\{[a-z_]+\}$|\/transactions\/commit$/.test(l.route);

// One read of /metrics folded into the figures the panels need.
function fold(samples, queued) {
  const f = { req: {}, err4: 0, err5: 0, commits: 0, conflicts: 0, buckets: {}, count: {},
    hits: {}, misses: {}, store: 0, plansRunning: 0, plansWaiting: 0, tasksEnded: 0, tasksFailed: 0,
    delivered: 0, deliveryFailures: 0, lag: 0, backlog: 0, quotaRefused: 0, usedBytes: 0, quotaBytes: 0, queued,
    rateLimited: 0, connRefused: 0, timeouts: 0 };
  const add = (o, k, v) => { o[k] = (o[k] || 0) + v; };
  for (const { name, labels: l, value: v } of samples) {
    switch (name) {
      case "pangolin_http_requests_total": {
        add(f.req, family(l.route || ""), v);
        if (l.status?.[0] === "4") f.err4 += v;
        if (l.status?.[0] === "5") f.err5 += v;
        if (isCommit(l)) { if (l.status?.[0] === "2") f.commits += v; if (l.status === "409") f.conflicts += v; }
        break;
      }
      case "pangolin_http_request_duration_seconds_bucket":
        add(f.buckets[family(l.route || "")] ||= {}, l.le, v); break;
      case "pangolin_cache_hits_total": add(f.hits, l.cache, v); break;
      case "pangolin_cache_misses_total": add(f.misses, l.cache, v); break;
      case "pangolin_store_errors_total": case "pangolin_store_unavailable_total": f.store += v; break;
      case "pangolin_scan_plans_running": f.plansRunning += v; break;
      case "pangolin_scan_plans_waiting": f.plansWaiting += v; break;
      case "pangolin_tasks_total": f.tasksEnded += v; if (l.outcome === "failed") f.tasksFailed += v; break;
      case "pangolin_event_sinks_delivered_total": f.delivered += v; break;
      case "pangolin_event_sinks_failures_total": f.deliveryFailures += v; break;
      case "pangolin_event_sink_lag_seconds": f.lag = Math.max(f.lag, v); break;
      case "pangolin_event_sink_backlog": f.backlog += v; break;
      case "pangolin_quota_refused_total": case "pangolin_scan_quota_refused_total":
      case "pangolin_task_quota_refused_total": case "pangolin_webhook_quota_refused_total": f.quotaRefused += v; break;
      case "pangolin_rate_limited_total": f.rateLimited += v; break;
      case "pangolin_connections_refused_total": case "pangolin_connection_ceiling_total": f.connRefused += v; break;
      case "pangolin_send_timeouts_total": case "pangolin_header_timeouts_total": case "pangolin_body_timeouts_total":
        f.timeouts += v; break;
      case "pangolin_tenant_store_bytes": f.usedBytes += v; break;
      case "pangolin_tenant_quota_bytes": f.quotaBytes += v; break;
      default: break;
    }
  }
  return f;
}

// The q quantile (seconds) of the requests between two reads, from the
// difference of their cumulative buckets; null when none came.
function quantile(now, before, q) {
  const les = Object.keys(now || {}).sort((a, b) => Number(a) - Number(b));
  const d = les.map((le) => [Number(le), (now[le] || 0) - (before?.[le] || 0)]);
  const n = d.length ? d[d.length - 1][1] : 0;
  if (n <= 0) return null;
  let lo = 0, below = 0;
  for (const [le, c] of d) {
    if (c >= q * n) {
      if (!Number.isFinite(le)) return lo;
      return lo + (le - lo) * ((q * n - below) / Math.max(c - below, 1));
    }
    if (Number.isFinite(le)) { lo = le; below = c; }
  }
  return lo;
}

// ---- the history: one point a read, the last hour -------------------------------

const points = [];	// {t (seconds), f (fold's figures)}, oldest first
let timer = null;
let onSample = null;	// the page on screen redraws

async function sample() {
  try {
    const headers = session.token ? { Authorization: `Bearer ${session.token}` } : {};
    const res = await fetch("/metrics", { credentials: "omit", headers });
    if (!res.ok) throw new Error(`GET /metrics: ${res.status}`);
    const text = await res.text();
    let queued = null;
    try { queued = (await apiPage("/api/v1/tasks?status=queued", 0, 1)).total; } catch { /* may not list tasks */ }
    const t = Date.now() / 1000;
    points.push({ t, f: fold(parseMetrics(text), queued) });
    while (points.length > 2 && points[0].t < t - KEEP_MS / 1000) points.shift();
    onSample?.(null);
  } catch (e) { onSample?.(e); }
}

// Once opened, the page keeps reading while the tab lives (slower while
// the tab is hidden), so coming back shows the whole last hour.
function start() {
  if (timer) return;
  const tick = async () => {
    // Signed out: stop, and forget what was read with the credentials.
    if (session.authEnabled && !session.token) { timer = null; points.length = 0; return; }
    await sample();
    timer = setTimeout(tick, document.hidden ? 5 * EVERY_MS : EVERY_MS);
  };
  timer = setTimeout(tick, 0);
}

// ---- the panels -------------------------------------------------------------------

const rate = (a, b, k) => { const d = k(b.f) - k(a.f); return d < 0 ? null : d / (b.t - a.t); };
const pct = (v) => (v == null ? "—" : `${(v * 100).toFixed(1)} %`);
const ms = (v) => (v == null ? "—" : `${(v * 1000).toFixed(v < 0.01 ? 2 : 1)} ms`);
const perS = (v) => (v == null ? "—" : `${v < 10 ? v.toFixed(2) : v.toFixed(0)}/s`);
const num = (v) => (v == null ? "—" : String(Math.round(v * 100) / 100));
const byte = (v) => (v == null ? "—" : v >= 2 ** 30 ? `${(v / 2 ** 30).toFixed(1)} GiB` : v >= 2 ** 20 ? `${(v / 2 ** 20).toFixed(1)} MiB` : `${Math.round(v / 1024)} KiB`);

// Each panel: [id, title, what good looks like, series ([label, fmt]), (a, b) -> values of one interval].
function panels(caches) {
  return [
    ["h-requests", "Requests per second, by route family", "Good: steady, shaped like your clients' load; a sudden fall to zero while clients run means they cannot reach the server.",
      FAMILIES.map((x) => [x, perS]), (a, b) => FAMILIES.map((x) => rate(a, b, (f) => f.req[x] || 0))],
    ["h-p50", "Latency p50, by route family", "Good: a few ms for Iceberg REST loads and management reads; a rise with the same load means a slow store or object storage.",
      FAMILIES.map((x) => [x, ms]), (a, b) => FAMILIES.map((x) => quantile(b.f.buckets[x], a.f.buckets[x], 0.5))],
    ["h-p99", "Latency p99, by route family", "Good: under 50 ms for loads and commits; p99 far above p50 means queueing (see the connection and commit figures in /metrics).",
      FAMILIES.map((x) => [x, ms]), (a, b) => FAMILIES.map((x) => quantile(b.f.buckets[x], a.f.buckets[x], 0.99))],
    ["h-commits", "Commits per second", "Good: commits as your writers send them, conflicts (409) a small share; many conflicts mean writers race on the same tables.",
      [["commits", perS], ["conflicts", perS]], (a, b) => [rate(a, b, (f) => f.commits), rate(a, b, (f) => f.conflicts)]],
    ["h-errors", "Errors per second", "Good: no 5xx and no store errors at all; some 4xx are normal (clients asking for what is not there, expired tokens).",
      [["5xx", perS], ["4xx", perS], ["store errors", perS]],
      (a, b) => [rate(a, b, (f) => f.err5), rate(a, b, (f) => f.err4), rate(a, b, (f) => f.store)]],
    ["h-caches", "Cache hit ratio", "Good: the metadata cache above 90 % under a steady read load; a low ratio with many tables means the cache is too small (docs/limits.md).",
      caches.map((c) => [c, pct]), (a, b) => caches.map((c) => {
        const hit = (b.f.hits[c] || 0) - (a.f.hits[c] || 0), miss = (b.f.misses[c] || 0) - (a.f.misses[c] || 0);
        return hit + miss > 0 ? hit / (hit + miss) : null;
      })],
    ["h-tasks", "Tasks and planning slots", "Good: the task queue drains (queued falls back to 0) and scan plans rarely wait for a slot.",
      [["tasks queued", num], ["scan plans running", num], ["scan plans waiting", num], ["task runs failed/s", perS]],
      (a, b) => [b.f.queued, b.f.plansRunning, b.f.plansWaiting, rate(a, b, (f) => f.tasksFailed)]],
    ["h-delivery", "Event delivery (webhooks, NATS)", "Good: deliveries follow the changes, no failures, lag of seconds at most; a growing backlog means a sink is down or slow.",
      [["delivered/s", perS], ["failures/s", perS], ["lag (s)", num], ["backlog", num]],
      (a, b) => [rate(a, b, (f) => f.delivered), rate(a, b, (f) => f.deliveryFailures), b.f.lag, b.f.backlog]],
    ["h-limits", "Refused at the door", "Good: none; rate limiting or refused connections mean a client sends more than the limits allow (docs/limits.md), timeouts a client that stalls.",
      [["rate limited/s", perS], ["connections refused/s", perS], ["timeouts/s", perS]],
      (a, b) => [rate(a, b, (f) => f.rateLimited), rate(a, b, (f) => f.connRefused), rate(a, b, (f) => f.timeouts)]],
    ["h-quotas", "Quotas", "Good: no refusals; stored bytes well below the tenants' quotas (root sees the tenants' figures).",
      [["refused/s", perS], ["stored bytes", byte], ["quota bytes", byte]],
      (a, b) => [rate(a, b, (f) => f.quotaRefused), b.f.usedBytes || null, b.f.quotaBytes || null]],
  ];
}

function series(list) {
  return list.map(([label, fmt]) => ({ label, kind: "line", fmt, scale: "y" }));
}

function showHealth() {
  const status = h("p", { id: "health-status", class: "help", "aria-live": "polite" }, "reading /metrics…");
  const grid = h("div", { class: "charts-grid", id: "health-panels" });
  const v = view("Health", h("p", {}, `The server's own figures (/metrics), read every ${EVERY_MS / 1000} s; the last hour is kept in this tab while it is open.`),
    status, grid);
  let caches = [];
  let built = [];
  const redraw = (err) => {
    if (!v.isConnected) { onSample = null; return; }
    if (err) { status.textContent = `cannot read /metrics: ${err.message}`; return; }
    const last = points[points.length - 1];
    status.textContent = `${points.length} reads since ${new Date(points[0].t * 1000).toLocaleTimeString()}; last at ${new Date(last.t * 1000).toLocaleTimeString()}.`;
    const names = Object.keys(last.f.hits).sort();
    if (names.join() !== caches.join() || !built.length) {
      caches = names;
      built = panels(caches).map(([id, title, good, list, calc]) => ({ calc, list, sec: chart({ id, title, good, live: true,
        x: [], ys: list.map(() => []), series: series(list), yFmt: list[0][1], height: 180, sync: "health", xFmt: (t) => new Date(t * 1000).toLocaleTimeString(),
        onHover: (i) => nowText(built.find((p) => p.sec.dataset.chart === id), i) }) }));
      grid.replaceChildren(...built.map((p) => p.sec));
    }
    for (const p of built) {
      const x = [], ys = p.list.map(() => []);
      for (let i = 1; i < points.length; i++) {
        x.push(points[i].t);
        p.calc(points[i - 1], points[i]).forEach((val, k) => ys[k].push(val));
      }
      p.x = x; p.ys = ys;
      p.sec.update(x, ys);
      p.sec.querySelector(".chart-hover").textContent = nowText(p, x.length - 1);
    }
  };
  const nowText = (p, i) => {
    if (!p || i < 0 || !p.x) return "waiting for a second read…";
    return `${new Date(p.x[i] * 1000).toLocaleTimeString()}: ${p.list.map(([label, fmt], k) => `${label} ${fmt(p.ys[k][i])}`).join(" · ")}`;
  };
  onSample = redraw;
  if (points.length) redraw(null);
  start();
}

nav("#/health", "Health", 95, isAdmin);
route("/health", () => showHealth());
