// The console's shared parts: the API client, DOM building, lists that
// page, forms whose server errors land beside their field, the route and
// navigation tables the screen modules fill in.  Every screen module
// imports from here and nothing else; app.js boots and routes.
//
// Rules every screen keeps: no innerHTML, data only ever as text nodes or
// attribute values (h() below); a label on every control; an error the
// server gives is shown, never a silent empty list.
"use strict";

export const PAGE_SIZE = 100;

// One session per tab: the token, whether the server checks credentials,
// who signed in, and (root only) the tenant it is acting in.
export const session = {
  token: sessionStorage.getItem("pgl-token"),
  authEnabled: true,
  me: null,
  tenant: sessionStorage.getItem("pgl-tenant") || "",
};

export const enc = encodeURIComponent;

// Roles as /api/v1/users/me names them.
export function isRoot() { return session.me?.role === "root"; }
export function isAdmin() { return isRoot() || session.me?.role === "tenant-admin"; }

// ---- API ----------------------------------------------------------------

function errorText(json, text, res) {
  const m = json && (json.error?.message || json.error || json.message);
  if (m) return typeof m === "string" ? m : JSON.stringify(m);
  return text || res.statusText;
}

// The whole answer: status, parsed JSON, headers.  Throws on !ok with
// e.status, e.body and e.message (the server's own words); signal, an
// AbortSignal, lets a caller drop a request it no longer wants.
export async function request(method, path, body, extraHeaders, signal) {
  const headers = { Accept: "application/json", ...(extraHeaders || {}) };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  if (session.tenant && isRoot()) headers["X-Pangolin-Tenant"] = session.tenant;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  // credentials "omit": the Bearer header is all we send, and a 401
  // carrying "WWW-Authenticate: Basic" then opens no browser login dialog.
  const res = await fetch(path, { method, headers, credentials: "omit", signal,
    body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : null; } catch { json = undefined; }
  if (!res.ok) {
    const e = new Error(errorText(json, text, res));
    e.status = res.status;
    e.body = json;
    e.where = `${method} ${path}`;
    throw e;
  }
  return { status: res.status, json, headers: res.headers };
}

export async function api(method, path, body, signal) {
  return (await request(method, path, body, undefined, signal)).json;
}

// One page of a management list: limit and an offset, or the
// page_token of the page before, in; the rows, the X-Total-Count header
// (null when the route does not count, or on a token's page) and the
// X-Next-Page-Token (null on the last page, or where the list has none)
// out.
export async function apiPage(path, offset, limit = PAGE_SIZE, token = null) {
  const sep = path.includes("?") ? "&" : "?";
  const at = token ? `page_token=${enc(token)}` : `offset=${offset}`;
  const r = await request("GET", `${path}${sep}limit=${limit}&${at}`);
  const total = r.headers.get("x-total-count");
  const items = Array.isArray(r.json) ? r.json : (r.json?.results || r.json?.items || []);
  return { items, total: total == null ? null : Number(total), next: r.headers.get("x-next-page-token") };
}

// Every row of a management list (up to cap), a page of 1000 after
// another by their tokens (by offset where the list gives none).
export async function everyRow(path, cap = Infinity) {
  const out = [];
  let token = null;
  while (out.length < cap) {
    const want = Math.min(1000, cap - out.length);
    const { items, total, next } = await apiPage(path, out.length, want, token);
    out.push(...items);
    if (items.length < want || (total != null && out.length >= total)) break;
    token = next;
  }
  return out;
}

// ---- DOM ----------------------------------------------------------------

// h("a", {href, onclick, text}, ...children): attributes as attributes,
// "on*" as listeners, children as nodes or text.  Never HTML.
export function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of kids.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function showError(e) {
  const el = document.getElementById("error");
  if (!e) { el.hidden = true; el.textContent = ""; return; }
  el.textContent = e.where ? `${e.where}: ${e.status} ${e.message}` : (e.message || String(e));
  el.hidden = false;
}

export function say(text) {
  const el = document.getElementById("status");
  el.textContent = "";
  // A fresh text node so a screen reader announces the same words twice.
  setTimeout(() => { el.textContent = text; }, 30);
}

// An error from the API in place of a list: never a fake empty list.
export function failed(what, e) {
  return h("p", { class: "error", role: "alert" }, `${what}: ${e.status ? `${e.status} ` : ""}${e.message}`);
}

// A screen: a fresh container under #view, returned for the screen to
// fill.  A screen that awaits and then appends writes into its own
// container, which is detached once another screen has replaced it, so
// a late answer never lands on the screen that followed.
export function view(title, ...kids) {
  const screen = h("div", { class: "screen" }, h("h2", {}, title), ...kids);
  document.getElementById("view").replaceChildren(screen);
  document.title = `${title} · Pangolin`;
  return screen;
}

// A new heading for a screen that learnt its name after loading.
export function retitle(screen, title) {
  screen.querySelector("h2").textContent = title;
  if (screen.isConnected) document.title = `${title} · Pangolin`;
}

// Whether a screen's container is still the one on display.
export function onScreen(screen) { return screen.isConnected; }

export function time(s) {
  if (s == null || s === "") return "—";
  const d = typeof s === "number" ? new Date(s) : new Date(s);
  return Number.isNaN(d.getTime()) ? String(s) : d.toLocaleString();
}

export function badge(s) { return h("span", { class: `badge ${String(s).toLowerCase()}` }, s); }
export function code(s, full) { return s == null ? "—" : h("code", { title: full || s }, s); }
export function link(href, text) { return h("a", { href }, text); }

// A table that becomes cards on narrow screens; rows are arrays of cells
// or {attrs, cells}.
export function table(cols, rows, empty = "none") {
  if (rows.length === 0) return h("p", { class: "empty" }, empty);
  return h("div", { class: "scroll" }, h("table", { class: "cards" },
    h("thead", {}, h("tr", {}, cols.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows.map((r) => h("tr", r.attrs || {},
      (r.cells || r).map((c, i) => h("td", { "data-label": cols[i] }, c)))))));
}

// Name/value pairs as a <dl>.
export function pairs(list) {
  return h("dl", {}, list.filter((p) => p).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v ?? "—")]));
}

export function section(title, ...kids) {
  return h("section", { "aria-label": title }, h("h3", {}, title), ...kids);
}

// A list that pages: fetch(offset, limit) -> {items, total}; row(item) ->
// cells.  Previous/Next and "rows a–b of n"; the page is in the list's
// own state, not the URL, so a reload starts at the first page.
export function pagedTable(opts) {
  const { id, cols, fetch: get, row, empty = "none", pageSize = PAGE_SIZE } = opts;
  const box = h("div", { id, class: "paged" }, h("p", {}, "loading…"));
  let offset = 0;
  const load = async () => {
    let page;
    try { page = await get(offset, pageSize); }
    catch (e) { box.replaceChildren(failed(opts.what || "cannot list", e)); return; }
    const { items, total } = page;
    const last = total != null ? offset + items.length >= total : items.length < pageSize;
    const info = items.length === 0 ? "" : `rows ${offset + 1}–${offset + items.length}${total != null ? ` of ${total}` : ""}`;
    const nav = h("div", { class: "pager row", role: "navigation", "aria-label": `${opts.what || "list"} pages` },
      h("button", { type: "button", class: "secondary", disabled: offset === 0,
        onclick: () => { offset = Math.max(0, offset - pageSize); load(); } }, "Previous"),
      h("span", { class: "page-info", "aria-live": "polite" }, info),
      h("button", { type: "button", class: "secondary", disabled: last,
        onclick: () => { offset += pageSize; load(); } }, "Next"));
    box.replaceChildren(table(cols, items.map(row), empty), ...(offset === 0 && last ? [] : [nav]));
  };
  box.reload = load;
  load();
  return box;
}

// A management list path as a pagedTable fetcher.  The first page by
// offset 0 (it counts the list); each later one by the page_token the
// page before it answered (a keyset page, issue 69: as fast at row
// 200,000 as at row 100), by offset only where the list gives none.
export function pages(path) {
  const tokens = new Map();	// offset -> the token of the page there
  let total = null;
  return async (offset, limit) => {
    const p = await apiPage(path, offset, limit, offset ? tokens.get(offset) : null);
    if (p.next) tokens.set(offset + p.items.length, p.next);
    if (p.total != null) total = p.total;
    return { items: p.items, total: p.total ?? total };
  };
}

export function button(label, onclick, attrs = {}) {
  return h("button", { type: "button", ...attrs, onclick }, label);
}

// A button that asks first (the browser's own dialog, which keyboards
// and screen readers know), then runs action; errors go to the banner.
export function dangerButton(label, question, action, attrs = {}) {
  return h("button", { type: "button", class: "danger", ...attrs, onclick: async (ev) => {
    if (!window.confirm(question)) return;
    ev.target.disabled = true;
    try { await action(); showError(null); } catch (e) { showError(e); ev.target.disabled = false; }
  } }, label);
}

// Text with a button that copies it (a secret shown once).
export function copyable(id, text) {
  const out = h("code", { id, class: "secret" }, text);
  return h("div", { class: "row copy" }, out, button("Copy", async (ev) => {
    try { await navigator.clipboard.writeText(text); say("copied"); ev.target.textContent = "Copied"; }
    catch { const r = document.createRange(); r.selectNodeContents(out);
      getSelection().removeAllRanges(); getSelection().addRange(r); say("selected; press Ctrl+C to copy"); }
  }, { "aria-label": "Copy to the clipboard" }));
}

// ---- forms --------------------------------------------------------------

let formSeq = 0;

// A field: {name, label, id (default: made from the form's), type ("text", "password", "number", "select",
// "checkbox", "textarea", "json"), value, options ([v] or [[v, label]]),
// required, help, placeholder, validate(value) -> message|null,
// nameKind (checks the name with POST /api/v1/validate/names as you type)}.
function fieldControl(f, id) {
  const describedBy = [`${id}-err`, f.help ? `${id}-help` : null].filter(Boolean).join(" ");
  const common = { id, name: f.name, required: f.required || null, "aria-describedby": describedBy,
    placeholder: f.placeholder || null, autocomplete: f.autocomplete || "off" };
  if (f.type === "select") {
    return h("select", common, (f.options || []).map((o) => {
      const [v, l] = Array.isArray(o) ? o : [o, o];
      return h("option", { value: v, selected: String(f.value ?? "") === String(v) }, l);
    }));
  }
  if (f.type === "checkbox") return h("input", { ...common, type: "checkbox", checked: !!f.value });
  if (f.type === "textarea" || f.type === "json") {
    const t = h("textarea", { ...common, rows: f.rows || 4, spellcheck: "false" });
    t.value = f.type === "json" && f.value !== undefined && typeof f.value !== "string"
      ? JSON.stringify(f.value, null, 2) : (f.value ?? "");
    return t;
  }
  const input = h("input", { ...common, type: f.type || "text", min: f.min ?? null });
  if (f.value != null) input.value = f.value;
  return input;
}

function fieldValue(f, el) {
  if (f.type === "checkbox") return el.checked;
  const s = el.value;
  if (f.type === "number") return s === "" ? undefined : Number(s);
  if (f.type === "json") {
    if (s.trim() === "") return undefined;
    try { return JSON.parse(s); } catch { throw Object.assign(new Error("not valid JSON"), { field: f.name }); }
  }
  return s === "" ? undefined : s;
}

function setFieldError(w, msg) {
  w.err.textContent = msg || "";
  if (msg) w.control.setAttribute("aria-invalid", "true");
  else w.control.removeAttribute("aria-invalid");
}

// Which field a server error is about: the longest field name (or label)
// the message mentions, else none (the error goes under the form).
export function errorField(fields, message) {
  const m = String(message || "").toLowerCase();
  let best = null;
  for (const f of fields) {
    for (const key of [f.name, f.name.replace(/_/g, " "), f.name.replace(/_/g, "-"), f.label]) {
      if (!key) continue;
      const k = key.toLowerCase();
      const re = new RegExp(`(^|[^a-z0-9_])${k.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^a-z0-9_])`);
      if (re.test(m) && (!best || k.length > best.len)) best = { f, len: k.length };
    }
  }
  return best ? best.f.name : null;
}

async function checkName(kind, value) {
  const r = await api("POST", "/api/v1/validate/names", { resource_type: kind, names: [value] });
  const x = (r.results || [])[0];
  return x && x.available === false ? (x.reason || "not available") : null;
}

// form({id, title, fields, submit, onSubmit(values) -> Promise, done(result),
// fieldOf(error, values) -> the field a refusal concerns when its words
// do not name one}).
// The values are the fields that have a value (empty text is left out).
export function form(spec) {
  const seq = ++formSeq;
  const widgets = spec.fields.map((f) => {
    const id = f.id || `${spec.id}-${f.name}-${seq}`;
    const control = fieldControl(f, id);
    const err = h("p", { id: `${id}-err`, class: "field-error", role: "alert", "aria-live": "assertive" });
    const help = f.help ? h("p", { id: `${id}-help`, class: "help" }, f.help) : null;
    const label = f.type === "checkbox"
      ? h("label", { class: "inline", for: id }, control, f.label)
      : h("label", { for: id }, f.label, f.required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null);
    // seq: a name check answered after a later keystroke or a submit is
    // stale and dropped (the server's own answer to a submit wins).
    const w = { f, control, err, timer: null, seq: 0 };
    if (f.validate || f.nameKind) {
      control.addEventListener("input", () => {
        clearTimeout(w.timer);
        const v = control.value;
        const mine = ++w.seq;
        const local = f.validate ? f.validate(v) : null;
        setFieldError(w, local);
        if (local || !f.nameKind || v === "") return;
        w.timer = setTimeout(async () => {
          let m;
          try { m = await checkName(f.nameKind, v); } catch (e) { m = e.message; }
          if (w.seq === mine) setFieldError(w, m);
        }, 250);
      });
    }
    w.node = h("div", { class: `field field-${f.type || "text"}` },
      label, f.type === "checkbox" ? null : control, help, err);
    return w;
  });
  const formErr = h("p", { class: "form-error error", role: "alert", "aria-live": "assertive", hidden: true });
  const submit = h("button", { type: "submit" }, spec.submit || "Save");
  const el = h("form", { id: spec.id, class: "card form", novalidate: true, "aria-label": spec.title || null },
    spec.title ? h("h3", {}, spec.title) : null, widgets.map((w) => w.node),
    h("div", { class: "row" }, submit, spec.cancel ? button("Cancel", spec.cancel, { class: "secondary" }) : null),
    formErr);
  el.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    formErr.hidden = true;
    const values = {};
    let firstBad = null;
    for (const w of widgets) {
      clearTimeout(w.timer);
      w.seq++;
      setFieldError(w, null);
      try {
        const v = fieldValue(w.f, w.control);
        if (w.f.required && (v === undefined || v === "")) throw Object.assign(new Error("required"), { field: w.f.name });
        const local = w.f.validate && v !== undefined ? w.f.validate(String(v)) : null;
        if (local) throw Object.assign(new Error(local), { field: w.f.name });
        if (v !== undefined) values[w.f.name] = v;
      } catch (e) { setFieldError(w, e.message); firstBad = firstBad || w.control; }
    }
    if (firstBad) { firstBad.focus(); return; }
    submit.disabled = true;
    try {
      const r = await spec.onSubmit(values);
      showError(null);
      if (spec.done) spec.done(r);
    } catch (e) {
      // The field: one the thrower named, one the form's own rule finds,
      // or the one the message mentions.
      // A conflict ("Warehouse 'x' already exists") is about the name.
      const name = e.field || spec.fieldOf?.(e, values) || errorField(spec.fields, e.message) ||
        (e.status === 409 && spec.fields.some((f) => f.name === "name") ? "name" : null);
      const w = widgets.find((x) => x.f.name === name);
      const msg = `${e.status ? `${e.status}: ` : ""}${e.message}`;
      if (w) { setFieldError(w, msg); w.control.focus(); }
      else { formErr.textContent = msg; formErr.hidden = false; }
    } finally { submit.disabled = false; }
  });
  el.widgets = widgets;
  return el;
}

// Name checks every screen shares (the server's rules are the truth;
// these only answer sooner).
export function nameRule(v) {
  if (v === "") return null;
  if (v.length > 255) return "at most 255 characters";
  if (/[\x00-\x1f/\\]/.test(v)) return "no slashes or control characters";
  return null;
}

// ---- routes and navigation ----------------------------------------------

const routes = [];	// {parts, handler}, first match wins, in module order
export const navItems = [];	// {href, label, order, when()}

// route("/catalogs/:cat/tables/:ns/:table", (params, query) => ...)
export function route(pattern, handler) {
  routes.push({ parts: pattern.split("/").filter(Boolean), handler });
}

export function nav(href, label, order, when = () => true) {
  navItems.push({ href, label, order, when });
  navItems.sort((a, b) => a.order - b.order);
}

export function match(path) {
  const p = path.split("/").filter(Boolean).map(decodeURIComponent);
  for (const r of routes) {
    if (r.parts.length !== p.length) continue;
    const params = {};
    let ok = true;
    r.parts.forEach((part, i) => {
      if (part.startsWith(":")) params[part.slice(1)] = p[i];
      else if (part !== p[i]) ok = false;
    });
    if (ok) return { handler: r.handler, params };
  }
  return null;
}

export function go(hash) { location.hash = hash; }

// ---- polling --------------------------------------------------------------

const POLL_VISIBLE_MS = 1000;
const POLL_HIDDEN_MS = 15000;
let pollTimer = null;
let pollFn = null;

// One poller at a time, for the view on screen; slower while hidden.
export function poll(fn) {
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

export function stopPoll() {
  clearTimeout(pollTimer);
  pollTimer = null;
  pollFn = null;
}

document.addEventListener("visibilitychange", () => {
  // Back on screen: refresh now rather than after the slow interval.
  if (!document.hidden && pollFn) poll(pollFn);
});
