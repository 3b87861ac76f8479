// Home: the counts /api/v1/dashboard/stats serves, the catalog's
// pictures (overview.js) and the tasks under way (running, then
// queued) with their bars, each linking to its task.
// The task part refreshes itself while on screen (core.poll).
"use strict";

import { api, badge, enc, failed, h, nav, poll, route, section, table, view } from "./core.js";
import { overviewSections } from "./overview.js";
import { bar, duration, redraw, target } from "./tasks.js";

// The dashboard's fields (src/api/manage/dashboard.c), in reading order.
const STATS = [
  ["catalogs_count", "Catalogs", "#/catalogs"],
  ["namespaces_count", "Namespaces", null],
  ["tables_count", "Tables", null],
  ["views_count", "Views", null],
  ["branches_count", "Branches", null],
  ["warehouses_count", "Warehouses", "#/warehouses"],
  ["users_count", "Users", null],
  ["tenants_count", "Tenants", "#/tenants"],
];

function statCards(s) {
  return h("ul", { class: "stats", "aria-label": `counts (${s.scope || "?"} scope)` },
    STATS.filter(([k]) => typeof s[k] === "number").map(([k, label, href]) =>
      h("li", { class: "stat", "data-stat": k },
        h("span", { class: "stat-value" }, String(s[k])),
        h("span", { class: "stat-label" }, href ? h("a", { href }, label) : label))));
}

async function loadStats(box) {
  try {
    const s = await api("GET", "/api/v1/dashboard/stats");
    box.replaceChildren(statCards(s), h("p", { class: "help" }, `Counted over the ${s.scope} scope.`));
  } catch (e) { box.replaceChildren(failed("cannot read the counts", e)); }
}

// Running first, then queued: the two lists the task API filters by.
async function underWay() {
  const [running, queued] = await Promise.all(["running", "queued"].map((s) =>
    api("GET", `/api/v1/tasks?status=${s}&limit=100`)));
  return [...running, ...queued];
}

function taskRows(tasks) {
  return table(["Task", "Kind", "Target", "Progress", "Status", "Duration"],
    tasks.map((t) => ({ attrs: { "data-task": t.id }, cells: [
      h("a", { href: `#/tasks/${enc(t.id)}`, title: t.id }, t.id.slice(0, 8)),
      t.kind, target(t), bar(t), badge(t.status), duration(t)] })),
    "no task is running or queued");
}

function showHome() {
  const stats = h("div", { id: "home-stats" }, h("p", {}, "loading…"));
  const tasks = h("div", { id: "home-tasks" }, h("p", {}, "loading…"));
  view("Home", section("Counts", stats), ...overviewSections(), section("Tasks under way", tasks,
    h("p", {}, h("a", { href: "#/tasks" }, "All tasks"))));
  loadStats(stats);
  poll(async () => {
    try { redraw(tasks, taskRows(await underWay())); }
    catch (e) { tasks.replaceChildren(failed("cannot list tasks", e)); }
  });
}

nav("#/home", "Home", 10);
route("/home", () => showHome());
