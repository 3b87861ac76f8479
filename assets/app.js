// Admin page: sign in, then tenants, warehouses, catalogs, branches,
// tags, merges and tasks, all read from the management API with the
// caller's own credentials.  No inline script or style (CSP).
"use strict";

const POLL_VISIBLE_MS = 1000;
const POLL_HIDDEN_MS = 15000;
const ENDED = ["succeeded", "done", "failed", "cancelled"];

let token = sessionStorage.getItem("pgl-token");
let authEnabled = true;
let pollTimer = null;
let pollFn = null;

// ---- API --------------------------------------------------------------

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  // credentials "omit": the Bearer header is all we send, and a 401
  // carrying "WWW-Authenticate: Basic" then opens no browser login dialog.
  const res = await fetch(path, { method, headers, credentials: "omit",
    body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : null; } catch { json = undefined; }
  if (!res.ok) {
    const msg = (json && (json.error?.message || json.error || json.message)) || text || res.statusText;
    const e = new Error(`${method} ${path}: ${res.status} ${typeof msg === "string" ? msg : JSON.stringify(msg)}`);
    e.status = res.status;
    e.body = json;
    throw e;
  }
  return json;
}

const enc = encodeURIComponent;

// ---- DOM helpers ------------------------------------------------------

function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of kids.flat()) {
    if (c == null) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function showError(e) {
  const el = document.getElementById("error");
  if (!e) { el.hidden = true; el.textContent = ""; return; }
  el.textContent = e.message || String(e);
  el.hidden = false;
}

// A table that becomes cards on narrow screens; rows are arrays of cells.
function table(cols, rows, empty = "none") {
  if (rows.length === 0) return h("p", { class: "empty" }, empty);
  return h("div", { class: "scroll" }, h("table", { class: "cards" },
    h("thead", {}, h("tr", {}, cols.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows.map((r) => h("tr", r.attrs || {},
      (r.cells || r).map((c, i) => h("td", { "data-label": cols[i] }, c)))))));
}

// An error from the API in place of a list: never a fake empty list.
function failed(what, e) {
  return h("p", { class: "error", role: "alert" }, `${what}: ${e.message}`);
}

function view(title, ...kids) {
  const v = document.getElementById("view");
  v.replaceChildren(h("h2", {}, title), ...kids);
  return v;
}

function time(s) { return s ? new Date(s).toLocaleString() : "—"; }

function duration(t) {
  if (!t.started_at) return "—";
  const end = t.finished_at ? Date.parse(t.finished_at) : Date.now();
  let s = Math.max(0, Math.round((end - Date.parse(t.started_at)) / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60); s %= 60;
  return m < 60 ? `${m} min ${s} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

// ---- polling ------------------------------------------------------------

// One poller at a time, for the view on screen; slower while hidden.
function poll(fn) {
  stopPoll();
  pollFn = fn;
  const tick = async () => {
    if (pollFn !== fn) return;
    await fn();
    if (pollFn !== fn) return;
    pollTimer = setTimeout(tick, document.hidden ? POLL_HIDDEN_MS : POLL_VISIBLE_MS);
  };
  tick();
}

function stopPoll() {
  clearTimeout(pollTimer);
  pollTimer = null;
  pollFn = null;
}

document.addEventListener("visibilitychange", () => {
  // Back on screen: refresh now rather than after the slow interval.
  if (!document.hidden && pollFn) poll(pollFn);
});

// ---- tasks ----------------------------------------------------------------

function target(t) {
  const g = t.target || {};
  const parts = [g.catalog, ...(g.namespace || []), g.table].filter(Boolean);
  return parts.length ? parts.join(".") + (g.branch ? `@${g.branch}` : "") : "—";
}

function bar(t) {
  const p = t.progress || {};
  const total = p.total || 0, done = p.done || 0;
  // A task that succeeded ends full, whatever its last progress said (a
  // merge's last count is its plan's; a branch copies without one); one
  // that failed or was cancelled keeps the value it stopped at.
  const ok = t.status === "succeeded" || t.status === "done";
  const max = total || 1;
  const pr = h("progress", { max: String(max), value: String(ok ? max : Math.min(done, max)),
    "aria-label": `progress of task ${t.id}` });
  const label = [`${done}/${total}`, p.phase, p.message].filter(Boolean).join(" · ");
  return h("div", { class: "bar", "data-task-bar": t.id }, pr, h("div", { class: "label" }, label));
}

// What a finished task came to, in a sentence, with a link to what it
// made: a merge's operation, a new branch.  Text nodes only (no HTML
// from data).
function outcome(t) {
  if (!ENDED.includes(t.status)) return null;
  const r = t.result || {};
  const cat = (t.target || {}).catalog;
  const line = (...kids) => h("p", { id: "task-outcome", class: `outcome ${t.status}` }, ...kids);
  if (t.status === "failed") return line(t.error ? "Failed (the error is below)." : "Failed.");
  if (t.status === "cancelled") return line("Cancelled.");
  if (t.kind === "merge") {
    const what = `${r.operation === "rebase" ? "Rebase" : "Merge"} of ${r.source_branch || "?"} into ${r.target_branch || "?"}`;
    const op = r.operation_id ? h("a", { href: `#/merges/${enc(r.operation_id)}` }, `operation ${String(r.operation_id).slice(0, 8)}`) : null;
    if (r.status === "conflicted")
      return line(`${what}: ${r.conflicts ?? "some"} conflicts to resolve`, op ? " in " : "", op || "", ".");
    return line(`${what}: ${r.status || "completed"}`, r.result_commit_id ? `, commit ${String(r.result_commit_id).slice(0, 8)}` : "",
      op ? " (" : "", op || "", op ? ")" : "", ".");
  }
  if (t.kind === "branch" && r.branch) {
    const b = r.branch.name;
    return line("Branch ", cat ? h("a", { href: `#/catalogs/${enc(cat)}/branches/${enc(b)}` }, b) : b,
      ` created; ${r.copied ?? 0} asset rows copied.`);
  }
  return line("Succeeded.");
}

function badge(s) { return h("span", { class: `badge ${String(s).toLowerCase()}` }, s); }

function cancelButton(t, after) {
  if (ENDED.includes(t.status)) return null;
  return h("button", { type: "button", class: "secondary", disabled: t.cancel_requested,
    "aria-label": `Cancel task ${t.id}`, onclick: async (ev) => {
      ev.target.disabled = true;
      try { await api("POST", `/api/v1/tasks/${enc(t.id)}/cancel`); showError(null); }
      catch (e) { showError(e); }
      after();
    } }, t.cancel_requested ? "Cancelling…" : "Cancel");
}

function showTasks(params) {
  const status = params.get("status") || "";
  const filter = h("select", { id: "task-status", onchange: (ev) => {
    location.hash = ev.target.value ? `#/tasks?status=${enc(ev.target.value)}` : "#/tasks";
  } }, ["", "queued", "running", "succeeded", "failed", "cancelled"].map((s) =>
    h("option", { value: s, selected: s === status }, s || "any")));
  const list = h("div", { id: "task-list" }, h("p", {}, "loading…"));
  view("Tasks", h("div", { class: "row" }, h("div", {},
    h("label", { for: "task-status" }, "Status"), filter)), list);
  const refresh = async () => {
    try {
      const q = status ? `&status=${enc(status)}` : "";
      const tasks = await api("GET", `/api/v1/tasks?limit=100${q}`);
      list.replaceChildren(table(["Task", "Kind", "Target", "Progress", "Status", "Duration", ""],
        tasks.map((t) => ({ attrs: { "data-task": t.id }, cells: [
          h("a", { href: `#/tasks/${enc(t.id)}`, title: t.id }, t.id.slice(0, 8)),
          t.kind, target(t), bar(t), badge(t.status), duration(t), cancelButton(t, refresh)] })),
        "no tasks"));
    } catch (e) {
      list.replaceChildren(failed("cannot list tasks", e));
    }
  };
  poll(refresh);
}

function showTask(id) {
  const box = h("div", { id: "task-detail" }, h("p", {}, "loading…"));
  view(`Task ${id.slice(0, 8)}`, box);
  const refresh = async () => {
    try {
      const t = await api("GET", `/api/v1/tasks/${enc(id)}`);
      // replaceChildren would write a null as the text "null".
      box.replaceChildren(...[
        bar(t),
        outcome(t),
        h("dl", {},
          h("dt", {}, "Id"), h("dd", {}, h("code", {}, t.id)),
          h("dt", {}, "Kind"), h("dd", {}, t.kind),
          h("dt", {}, "Target"), h("dd", {}, target(t)),
          h("dt", {}, "Status"), h("dd", {}, badge(t.status)),
          h("dt", {}, "Attempts"), h("dd", {}, `${t.attempts}/${t.max_attempts}`),
          h("dt", {}, "Created by"), h("dd", {}, t.created_by || "—"),
          h("dt", {}, "Created"), h("dd", {}, time(t.created_at)),
          h("dt", {}, "Started"), h("dd", {}, time(t.started_at)),
          h("dt", {}, "Finished"), h("dd", {}, time(t.finished_at)),
          h("dt", {}, "Duration"), h("dd", {}, duration(t))),
        cancelButton(t, refresh),
        t.error ? h("p", { class: "error" }, `Error: ${t.error}`) : null,
        h("h3", {}, "Parameters"), h("pre", {}, JSON.stringify(t.params, null, 2)),
        h("h3", {}, "Result"), h("pre", { id: "task-result" },
          t.result == null ? "(none yet)" : JSON.stringify(t.result, null, 2)),
        h("p", {}, h("a", { href: "#/tasks" }, "All tasks"))].filter((k) => k != null));
      if (ENDED.includes(t.status)) stopPoll();
    } catch (e) {
      box.replaceChildren(failed("cannot read the task", e));
    }
  };
  poll(refresh);
}

// ---- tenants, warehouses, catalogs -------------------------------------------

async function showTenants() {
  const v = view("Tenants");
  try {
    const ts = await api("GET", "/api/v1/tenants");
    v.append(table(["Name", "Id", "Properties"], ts.map((t) => [t.name, h("code", {}, t.id),
      JSON.stringify(t.properties || {})]), "no tenants"));
  } catch (e) { v.append(failed("cannot list tenants", e)); }
}

async function showWarehouses() {
  const v = view("Warehouses");
  try {
    const ws = await api("GET", "/api/v1/warehouses");
    v.append(table(["Name", "Storage", "Use STS"], ws.map((w) => [w.name,
      (w.storage_config && (w.storage_config.type || w.storage_config.bucket)) || JSON.stringify(w.storage_config || {}),
      String(!!w.use_sts)]), "no warehouses"));
  } catch (e) { v.append(failed("cannot list warehouses", e)); }
}

async function showCatalogs() {
  const v = view("Catalogs");
  try {
    const cats = await api("GET", "/api/v1/catalogs");
    const rows = [];
    for (const c of cats) {
      let s = {};
      try { s = await api("GET", `/api/v1/catalogs/${enc(c.name)}/summary`); }
      catch (e) { s = { namespace_count: e.message }; }
      rows.push([h("a", { href: `#/catalogs/${enc(c.name)}` }, c.name), c.warehouse_name || "—",
        s.namespace_count, s.table_count, s.branch_count, c.storage_location || "—"]);
    }
    v.append(table(["Name", "Warehouse", "Namespaces", "Tables", "Branches", "Location"], rows, "no catalogs"));
  } catch (e) { v.append(failed("cannot list catalogs", e)); }
}

function flatten(nodes, out = []) {
  for (const n of nodes || []) { out.push(n.full_path); flatten(n.children, out); }
  return out;
}

async function showCatalog(cat) {
  const v = view(`Catalog ${cat}`);
  const part = async (title, fn) => {
    const sec = h("section", {}, h("h3", {}, title));
    v.append(sec);
    try { sec.append(await fn()); } catch (e) { sec.append(failed(`cannot list ${title.toLowerCase()}`, e)); }
  };
  await part("Branches", async () => {
    const bs = await api("GET", `/api/v1/branches?catalog=${enc(cat)}`);
    return table(["Branch", "Type", "Head commit", "Assets"], bs.map((b) => [
      h("a", { href: `#/catalogs/${enc(cat)}/branches/${enc(b.name)}` }, b.name), b.branch_type,
      b.head_commit_id ? h("code", {}, b.head_commit_id.slice(0, 8)) : "—", (b.assets || []).join(", ") || "all"]));
  });
  await part("Tags", async () => {
    const ts = await api("GET", `/api/v1/tags?catalog=${enc(cat)}`);
    return table(["Tag", "Commit"], ts.map((t) => [t.name, h("code", {}, t.commit_id)]), "no tags");
  });
  await part("Tables", async () => {
    const tree = await api("GET", `/api/v1/catalogs/${enc(cat)}/namespaces/tree`);
    const rows = [];
    for (const ns of flatten(tree.root)) {
      const r = await api("GET", `/v1/${enc(cat)}/namespaces/${enc(ns.join("\x1f"))}/tables`);
      for (const id of r.identifiers || []) {
        rows.push([h("a", { href: `#/catalogs/${enc(cat)}/tables/${enc(ns.join("\x1f"))}/${enc(id.name)}` },
          [...ns, id.name].join("."))]);
      }
    }
    return table(["Table"], rows, "no tables");
  });
  await part("Merge operations", () => mergeList(cat));
  await part("Start a merge", () => mergeForm(cat));
}

// Merge one branch into another.  Small merges answer at once (the
// operation, or its conflicts); a large one answers 202 with a task,
// which the page then follows, as it does maintenance.
async function mergeForm(cat) {
  const bs = await api("GET", `/api/v1/branches?catalog=${enc(cat)}`);
  const names = bs.map((b) => b.name);
  const pick = (id, name, dflt) => h("select", { id, name }, names.map((n) =>
    h("option", { value: n, selected: n === dflt }, n)));
  const out = h("div", { id: "merge-out", "aria-live": "polite" });
  const source = names.find((n) => n !== "main") || names[0];
  return h("form", { id: "merge-form", class: "card", onsubmit: async (ev) => {
    ev.preventDefault();
    const f = ev.target.elements;
    const body = { catalog: cat, source_branch: f.source.value, target_branch: f.target.value };
    if (f.force.checked) body.force = true;
    try {
      const r = await api("POST", "/api/v1/branches/merge", body);
      showError(null);
      location.hash = r.task_id ? `#/tasks/${enc(r.task_id)}` : `#/merges/${enc(r.id)}`;
    } catch (e) {
      // Conflicts: the operation that holds them, to resolve there.
      if (e.status === 409 && e.body && e.body.operation_id) location.hash = `#/merges/${enc(e.body.operation_id)}`;
      else out.replaceChildren(failed("cannot merge", e));
    }
  } },
  h("label", { for: "mg-source" }, "Source branch"), pick("mg-source", "source", source),
  h("label", { for: "mg-target" }, "Target branch"), pick("mg-target", "target", "main"),
  h("label", { class: "inline" }, h("input", { type: "checkbox", name: "force" }), "Force (an experimental branch into main)"),
  h("div", {}, h("button", { type: "submit" }, "Merge")), out);
}

async function showBranch(cat, br) {
  const v = view(`Branch ${br} of ${cat}`);
  try {
    const cs = await api("GET", `/api/v1/branches/${enc(br)}/commits?catalog=${enc(cat)}&limit=100`);
    v.append(table(["Commit", "Parent", "When", "Author", "Message"], cs.map((c) => [
      h("code", { title: c.id }, c.id.slice(0, 8)), c.parent_id ? h("code", {}, c.parent_id.slice(0, 8)) : "—",
      time(c.timestamp), c.author || "—", c.message || ""]), "no commits"));
  } catch (e) { v.append(failed("cannot list commits", e)); }
  v.append(h("p", {}, h("a", { href: `#/catalogs/${enc(cat)}` }, `Back to ${cat}`)));
}

// ---- table page: maintenance ---------------------------------------------------

function showTable(cat, ns, tbl) {
  const name = [...ns.split("\x1f"), tbl].join(".");
  const out = h("div", { id: "maint-out", "aria-live": "polite" });
  const form = h("form", { id: "maint-form", class: "card", onsubmit: async (ev) => {
    ev.preventDefault();
    const f = ev.target.elements;
    const ops = ["expire_snapshots", "remove_orphan_files"].filter((o) => f[o].checked);
    const body = { operations: ops, dry_run: f.dry_run.checked };
    if (f.older_than_ms.value) body.older_than_ms = Number(f.older_than_ms.value);
    if (f.retain_last.value) body.retain_last = Number(f.retain_last.value);
    try {
      const r = await api("POST", `/v1/${enc(cat)}/namespaces/${enc(ns)}/tables/${enc(tbl)}/maintenance`, body);
      showError(null);
      location.hash = `#/tasks/${enc(r.task_id)}`;
    } catch (e) {
      out.replaceChildren(failed("cannot start maintenance", e));
    }
  } },
  h("h3", {}, "Start maintenance"),
  h("label", { class: "inline" }, h("input", { type: "checkbox", name: "expire_snapshots", checked: true }), "Expire snapshots"),
  h("label", { class: "inline" }, h("input", { type: "checkbox", name: "remove_orphan_files" }), "Remove orphan files"),
  h("label", { for: "m-older" }, "Older than (an age in ms, optional; 0: everything up to now)"),
  h("input", { id: "m-older", name: "older_than_ms", type: "number", min: "0" }),
  h("label", { for: "m-retain" }, "Retain last (optional)"),
  h("input", { id: "m-retain", name: "retain_last", type: "number", min: "1" }),
  h("label", { class: "inline" }, h("input", { type: "checkbox", name: "dry_run" }), "Dry run"),
  h("div", {}, h("button", { type: "submit" }, "Start maintenance")));
  view(`Table ${cat}.${name}`, form, out,
    h("p", {}, h("a", { href: `#/tasks?catalog=${enc(cat)}` }, "Tasks"), " · ",
      h("a", { href: `#/catalogs/${enc(cat)}` }, `Back to ${cat}`)));
}

// ---- merges ------------------------------------------------------------------

async function mergeList(cat) {
  const ops = await api("GET", `/api/v1/catalogs/${enc(cat)}/merge-operations`);
  return table(["Operation", "Source", "Target", "Status", "Conflicts", "Started"], ops.map((o) => [
    h("a", { href: `#/merges/${enc(o.id)}` }, o.id.slice(0, 8)), o.source_branch, o.target_branch,
    badge(o.status), o.conflicts_count, time(o.initiated_at)]), "no merge operations");
}

async function showMerges() {
  const v = view("Merge operations");
  let cats;
  try { cats = await api("GET", "/api/v1/catalogs"); } catch (e) { v.append(failed("cannot list catalogs", e)); return; }
  if (cats.length === 0) v.append(h("p", { class: "empty" }, "no catalogs"));
  for (const c of cats) {
    const sec = h("section", { "data-merges": c.name }, h("h3", {}, c.name));
    v.append(sec);
    try { sec.append(await mergeList(c.name)); } catch (e) { sec.append(failed("cannot list merge operations", e)); }
  }
}

async function showMerge(id) {
  const v = view(`Merge ${id.slice(0, 8)}`);
  const again = () => showMerge(id);
  const act = (label, method, path, body) => h("button", { type: "button", onclick: async () => {
    try { await api(method, path, body); showError(null); } catch (e) { showError(e); }
    again();
  } }, label);
  try {
    const op = await api("GET", `/api/v1/merge-operations/${enc(id)}`);
    v.append(h("dl", {},
      h("dt", {}, "Source"), h("dd", {}, op.source_branch),
      h("dt", {}, "Target"), h("dd", {}, op.target_branch),
      h("dt", {}, "Status"), h("dd", {}, badge(op.status))),
    h("div", { class: "row" }, act("Complete", "POST", `/api/v1/merge-operations/${enc(id)}/complete`),
      act("Abort", "POST", `/api/v1/merge-operations/${enc(id)}/abort`)));
    const cs = await api("GET", `/api/v1/merge-operations/${enc(id)}/conflicts`);
    v.append(h("h3", {}, "Conflicts"), table(["Conflict", "Asset", "Type", "Resolution", "Resolve"],
      cs.map((c) => [h("code", {}, c.id.slice(0, 8)), c.asset_name || c.asset_id || "—",
        typeof c.conflict_type === "string" ? c.conflict_type : JSON.stringify(c.conflict_type),
        c.resolution ? JSON.stringify(c.resolution.strategy || c.resolution) : "unresolved",
        c.resolution ? "—" : h("div", { class: "row" }, ["TakeSource", "TakeTarget"].map((s) =>
          act(s === "TakeSource" ? "Take source" : "Take target", "POST",
            `/api/v1/conflicts/${enc(c.id)}/resolve`, { strategy: s })))]), "no conflicts"));
  } catch (e) { v.append(failed("cannot read the merge operation", e)); }
}

// ---- sign in, routing --------------------------------------------------------

function showLogin() {
  stopPoll();
  document.getElementById("nav").hidden = true;
  document.getElementById("signout").hidden = true;
  document.getElementById("who").textContent = "";
  const v = document.getElementById("view");
  v.replaceChildren(document.getElementById("login-tpl").content.cloneNode(true));
  document.getElementById("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target.elements;
    const body = { username: f.username.value, password: f.password.value };
    if (f.tenant.value) body["tenant-id"] = f.tenant.value;
    try {
      const r = await api("POST", "/api/v1/users/login", body);
      signedIn(r.token);
    } catch (e) { showError(e); }
  });
  document.getElementById("token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    signedIn(ev.target.elements.token.value.trim());
  });
  document.getElementById("l-user").focus();
  showProviders();
}

// "Sign in with …" for each identity provider with a sign-in: a plain
// link to the server's /oauth/authorize/<name>, which sends the browser
// on to the provider and, after it, back here with a one-time code.
async function showProviders() {
  let list = [];
  try { list = (await api("GET", "/api/v1/oauth/providers")).provider_details; } catch { return; }
  const box = document.getElementById("sso");
  if (!box) return;
  box.replaceChildren(...list.map((p) => h("p", null,
    h("a", { class: "button", href: p["authorize-url"], text: `Sign in with ${p.name}` }))));
}

// Back from the provider: #sso=<code> is traded once for a session;
// #sso_error=<why> says what went wrong.  The fragment is dropped first.
async function ssoReturn() {
  const m = /^#(sso|sso_error)=(.*)$/.exec(location.hash);
  if (!m) return false;
  history.replaceState(null, "", location.pathname);
  const value = decodeURIComponent(m[2]);
  if (m[1] === "sso_error") { showLogin(); showError(new Error(`sign-in failed: ${value}`)); return true; }
  try {
    const r = await api("POST", "/api/v1/oauth/exchange", { code: value });
    await signedIn(r.token);
  } catch (e) { showLogin(); showError(e); }
  return true;
}

async function signedIn(t) {
  token = t;
  try {
    const me = await api("GET", "/api/v1/users/me");
    if (token) sessionStorage.setItem("pgl-token", token);
    showError(null);
    document.getElementById("who").textContent =
      authEnabled ? `${me.username} (${me.role})` : `no-auth mode: ${me.role}`;
    document.getElementById("nav").hidden = false;
    document.getElementById("signout").hidden = !authEnabled;
    route();
  } catch (e) {
    token = null;
    sessionStorage.removeItem("pgl-token");
    showError(e);
    showLogin();
  }
}

function route() {
  stopPoll();
  showError(null);
  if (authEnabled && !token) { showLogin(); return; }
  const [path, query] = (location.hash.slice(1) || "/tasks").split("?");
  const params = new URLSearchParams(query || "");
  const p = path.split("/").filter(Boolean).map(decodeURIComponent);
  for (const a of document.querySelectorAll("nav a"))
    if (a.getAttribute("href").slice(2) === p[0]) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  if (p[0] === "tasks" && p[1]) showTask(p[1]);
  else if (p[0] === "tenants") showTenants();
  else if (p[0] === "warehouses") showWarehouses();
  else if (p[0] === "catalogs" && p[2] === "branches") showBranch(p[1], p[3]);
  else if (p[0] === "catalogs" && p[2] === "tables") showTable(p[1], p[3], p[4]);
  else if (p[0] === "catalogs" && p[1]) showCatalog(p[1]);
  else if (p[0] === "catalogs") showCatalogs();
  else if (p[0] === "merges" && p[1]) showMerge(p[1]);
  else if (p[0] === "merges") showMerges();
  else showTasks(params);
}

document.getElementById("signout").addEventListener("click", async () => {
  try { await api("POST", "/api/v1/users/logout"); } catch (e) { showError(e); }
  token = null;
  sessionStorage.removeItem("pgl-token");
  showLogin();
});

window.addEventListener("hashchange", () => {
  if (!authEnabled || token) { route(); document.getElementById("view").focus(); }
});

(async function boot() {
  try {
    const cfg = await api("GET", "/api/v1/app-config");
    authEnabled = cfg.auth_enabled !== false;
  } catch (e) { showError(e); }
  if (await ssoReturn()) return;
  // No-auth mode signs in by itself.
  if (!authEnabled || token) signedIn(token);
  else showLogin();
})();
