// Discovery: the header's search, the Browse screen (a catalog's
// namespaces, then each namespace's tables, views and generic assets),
// generic assets (list, register, their page), business metadata (the
// form the table, view and asset pages share) and access requests
// (ask on an asset one cannot read; admins review).
"use strict";

import { api, apiPage, badge, button, code, dangerButton, enc, failed, form, go, h, isAdmin, nameRule, nav, pagedTable, retitle,
  pages, pairs, request, route, say, section, session, showError, stopPoll, table, time, view } from "./core.js";
import { functionHref, functionsSection } from "./functions.js";

// ---- links between the explorer's pages --------------------------------------

// A namespace as the routes carry it: levels joined by \x1f.
export const nsKey = (ns) => (Array.isArray(ns) ? ns.join("\x1f") : String(ns ?? ""));
export const dotted = (ns) => nsKey(ns).split("\x1f").join(".");
const branchQuery = (branch) => (branch && branch !== "main" ? `?branch=${enc(branch)}` : "");

export function tableHref(cat, ns, name, branch) {
  return `#/catalogs/${enc(cat)}/tables/${enc(nsKey(ns))}/${enc(name)}${branchQuery(branch)}`;
}
export function viewHref(cat, ns, name, branch) {
  return `#/catalogs/${enc(cat)}/views/${enc(nsKey(ns))}/${enc(name)}${branchQuery(branch)}`;
}
export const assetHref = (id) => `#/assets/${enc(id)}`;

// The page of an asset of kind: the explorer for tables and views, the
// asset page for the rest.
function kindHref(kind, cat, ns, name, id, branch) {
  if (kind === "ICEBERG_TABLE" || kind === "table") return tableHref(cat, ns, name, branch);
  if (kind === "VIEW" || kind === "view") return viewHref(cat, ns, name, branch);
  if (kind === "FUNCTION" || kind === "function") return functionHref(cat, ns, name, branch);
  return assetHref(id);
}

// ---- business metadata (shared by the table, view and asset pages) ------------

const tagList = (s) => String(s || "").split(",").map((t) => t.trim()).filter((t) => t !== "");

function metadataFacts(m) {
  if (!m) return h("p", { class: "empty" }, "no business metadata yet");
  return pairs([["Description", m.description || "—"], ["Tags", (m.tags || []).join(", ") || "—"],
    ["Discoverable", m.discoverable ? "yes" : "no"],
    ["Properties", h("code", { class: "wrap" }, JSON.stringify(m.properties || {}))],
    ["Updated", `${time(m["updated-at"])}${m["updated-by"] ? ` by ${m["updated-by"]}` : ""}`]]);
}

function metadataForm(assetId, m, saved) {
  return form({ id: "bm-form", title: "Edit business metadata", submit: "Save metadata",
    fields: [
      { name: "description", label: "Description", type: "textarea", value: m?.description ?? "" },
      { name: "tags", label: "Tags", value: (m?.tags || []).join(", "), help: "comma-separated" },
      { name: "properties", label: "Properties", type: "json", value: m?.properties ?? {}, help: "a JSON object" },
      { name: "discoverable", label: "Discoverable (everyone in the tenant finds it)", type: "checkbox", value: !!m?.discoverable },
    ],
    // An empty description is left out: the upsert then clears it.
    onSubmit: (v) => api("POST", `/api/v1/assets/${enc(assetId)}/metadata`, { description: v.description,
      tags: tagList(v.tags), properties: v.properties ?? {}, discoverable: !!v.discoverable }),
    done: (r) => { say("metadata saved"); saved(r.metadata); } });
}

// The business metadata of assetId: what it says, and (editable) a
// form to change it; a 404 is "none yet", any other error is shown.
export function metadataSection(assetId, { editable = true } = {}) {
  const sec = section("Business metadata");
  sec.id = "business-metadata";
  const draw = (m) => {
    const del = m && editable ? dangerButton("Delete metadata", "Delete this asset's business metadata?", async () => {
      await api("DELETE", `/api/v1/assets/${enc(assetId)}/metadata`);
      draw(null);
      say("metadata deleted");
    }) : null;
    sec.replaceChildren(...[h("h3", {}, "Business metadata"), h("div", { id: "bm-facts" }, metadataFacts(m)), del,
      editable ? metadataForm(assetId, m, draw) : null].filter(Boolean));
  };
  (async () => {
    try { draw((await api("GET", `/api/v1/assets/${enc(assetId)}/metadata`)).metadata); }
    catch (e) { if (e.status === 404) draw(null); else sec.append(failed("cannot read the metadata", e)); }
  })();
  return sec;
}

// The asset id of a table or view (its row on the branch), or null.
export async function assetIdOf(cat, ns, name, branch) {
  try {
    const a = await api("GET", `/api/v1/catalogs/${enc(cat)}/namespaces/${enc(nsKey(ns))}/assets/${enc(name)}` +
      `?branch=${enc(branch || "main")}`);
    return a.id;
  } catch { return null; }
}

// ---- the header's search ---------------------------------------------------------

// Search as you type (issue 69): the results follow the box TYPE_MS
// after the last key, from TYPE_MIN characters on, a trigram, what the
// stores' text indexes answer (shorter text reads every asset's row or
// index entry: 2 characters of a 1,000,000-asset catalog took 4 s on
// PostgreSQL; Enter searches any text).  The address follows without a history entry a key and without
// a hashchange, whose routing would take the focus from the box; each
// search screen aborts the requests of the one before it, and a late
// answer could only land on its own screen, detached (view()).
// ArrowDown goes from the box to the first result.
const TYPE_MS = 200;
const TYPE_MIN = 3;
let typing = null;	// the timer of the last key
let searching = null;	// the AbortController of the search on screen

function searchTyped(input) {
  clearTimeout(typing);
  typing = setTimeout(() => {
    const q = input.value.trim();
    const hash = `#/search?q=${enc(q)}`;
    if (q.length < TYPE_MIN || location.hash === hash) return;
    if (location.hash.startsWith("#/search")) history.replaceState(null, "", hash);
    else history.pushState(null, "", hash);
    stopPoll();
    showError(null);
    for (const a of document.querySelectorAll("#nav a[aria-current]")) a.removeAttribute("aria-current");
    showSearch(new URLSearchParams({ q }));
  }, TYPE_MS);
}

function searchKey(ev) {
  if (ev.key !== "ArrowDown") return;
  const first = document.querySelector("#search-results tbody a");
  if (!first) return;
  ev.preventDefault();
  first.focus();
}

function searchBox() {
  const input = h("input", { id: "search-q", name: "q", type: "search", required: true, placeholder: "tables, views, assets",
    autocomplete: "off", "aria-controls": "view", oninput: () => searchTyped(input), onkeydown: searchKey });
  const box = h("form", { id: "search-form", role: "search", class: "search-box", "aria-label": "Search assets",
    onsubmit: (ev) => {
      ev.preventDefault();
      clearTimeout(typing);
      const q = input.value.trim();
      if (q) location.hash = `#/search?q=${enc(q)}`;
    } },
  h("label", { for: "search-q", class: "visually-hidden" }, "Search assets"), input,
  h("button", { type: "submit", class: "secondary" }, "Search"));
  // Shown with the navigation, i.e. once signed in.
  const navEl = document.getElementById("nav");
  const sync = () => { box.hidden = navEl.hidden; };
  new MutationObserver(sync).observe(navEl, { attributes: true, attributeFilter: ["hidden"] });
  sync();
  return box;
}

document.getElementById("header-tools")?.append(searchBox());

async function searchPage(offset, limit, q, signal) {
  const r = await api("GET", `/api/v1/search/assets?q=${enc(q)}&limit=${limit}&offset=${offset}`, undefined, signal);
  if (signal?.aborted) return { items: [], total: null };	// a screen since replaced
  if (offset === 0 && r.total != null) say(`${r.total} ${r.total === 1 ? "result" : "results"} for ${q}`);
  return { items: r.results || [], total: r.total ?? null };
}

// Catalogs, namespaces and branches whose names match (GET /api/v1/search).
function nameHits(q, signal) {
  const box = h("div", { id: "search-names" }, h("p", {}, "loading…"));
  api("GET", `/api/v1/search?q=${enc(q)}&limit=50`, undefined, signal).then((r) => {
    const rows = (r.results || []).filter((x) => x.kind !== "Asset").map((x) => [
      x.kind === "Catalog" ? h("a", { href: `#/catalogs/${enc(x.name)}` }, x.name) : x.name, x.kind, x.context || "—"]);
    box.replaceChildren(table(["Name", "Kind", "Catalog"], rows, "no catalogs, namespaces or branches"));
  }, (e) => box.replaceChildren(failed("cannot search names", e)));
  return box;
}

// A hit's column tags, by field id (a search answers no column names:
// the table's page has them).  A tag searched for may be on a column.
function columnTags(cols) {
  if (!cols || cols.length === 0) return "—";
  return h("span", { class: "column-tags" }, cols.map((c) =>
    h("span", { class: "badge", "data-field": c.field_id }, `field ${c.field_id}: ${c.tags.join(", ")}`)));
}

// Assets carrying every tag named, on themselves or on a column
// (GET /api/v1/assets/search?tags=).
function tagHits(tags) {
  return pagedTable({ id: "tag-results", what: "tag search", empty: "nothing carries these tags",
    cols: ["Name", "Kind", "Catalog", "Namespace", "Tags", "Column tags", "Access"],
    fetch: pages(`/api/v1/assets/search?query=&tags=${enc(tags)}`),
    row: (x) => ({ attrs: { "data-asset": x.id }, cells: [h("a", { href: assetHref(x.id) }, x.name), x.kind, x.catalog,
      x.namespace, (x.tags || []).join(", ") || "—", columnTags(x.column_tags),
      x.has_access ? badge("yes") : h("span", { class: "badge no-access" }, "no access")] }) });
}

function tagForm(tags) {
  return form({ id: "tag-search", title: "Search by tags", submit: "Find",
    fields: [{ name: "tags", label: "Tags (comma-separated; each on the asset or one of its columns)", value: tags, required: true }],
    onSubmit: async (x) => x.tags, done: (t) => go(`#/search?tags=${enc(t)}`) });
}

function showSearch(query) {
  const q = query.get("q") || "";
  const tags = query.get("tags") || "";
  const input = document.getElementById("search-q");
  if (input && input.value.trim() !== q) input.value = q;
  searching?.abort();
  searching = new AbortController();
  const signal = searching.signal;
  if (tags) { view(`Assets tagged ${tags}`, tagForm(tags), tagHits(tags)); return; }
  if (!q) { view("Search", h("p", {}, "Type in the search box above."), tagForm("")); return; }
  view(`Search: ${q}`, pagedTable({ id: "search-results", what: "search results",
    cols: ["Name", "Type", "Catalog", "Namespace", "Access", "Description", "Column tags"],
    fetch: (o, l) => searchPage(o, l, q, signal), empty: "nothing found",
    row: (x) => ({ attrs: { "data-asset": x.id }, cells: [
      h("a", { href: x.has_access ? kindHref(x.asset_type, x.catalog, x.namespace, x.name, x.id) : assetHref(x.id) }, x.name),
      x.asset_type, x.catalog, dotted(x.namespace),
      x.has_access ? badge("yes") : h("span", { class: "badge no-access" }, "no access"), x.description || "—",
      columnTags(x.column_tags)] }) }),
  section("Catalogs, namespaces and branches", nameHits(q, signal)), tagForm(""));
}

// ---- browse: namespaces, then a namespace's assets --------------------------------

function flatten(nodes, out = []) {
  for (const n of nodes || []) { out.push(n.full_path); flatten(n.children, out); }
  return out;
}

// Every catalog the caller sees, each to its Browse screen.
async function showCatalogsToBrowse() {
  const v = view("Browse");
  try {
    const cats = await api("GET", "/api/v1/catalogs");
    v.append(table(["Catalog", "Warehouse"], cats.map((c) => [
      h("a", { href: `#/catalogs/${enc(c.name)}/browse` }, c.name), c.warehouse_name || "—"]), "no catalogs"));
  } catch (e) { v.append(failed("cannot list catalogs", e)); }
}

async function showBrowse(cat, query) {
  const branch = query.get("branch") || "";
  const v = view(`Browse ${cat}${branch ? ` @ ${branch}` : ""}`);
  try {
    const tree = await api("GET", `/api/v1/catalogs/${enc(cat)}/namespaces/tree`);
    const all = flatten(tree.root);
    // One answer holds the tree; the page shows it 100 at a time.
    v.append(section("Namespaces", pagedTable({ id: "browse-namespaces", what: "namespaces", cols: ["Namespace"],
      empty: "no namespaces", fetch: async (o, l) => ({ items: all.slice(o, o + l), total: all.length }),
      row: (ns) => [h("a", { href: `#/catalogs/${enc(cat)}/browse/${enc(nsKey(ns))}${branchQuery(branch)}` }, dotted(ns))] })));
  } catch (e) { v.append(failed("cannot list namespaces", e)); }
  v.append(h("p", {}, h("a", { href: `#/catalogs/${enc(cat)}` }, `Back to ${cat}`)));
}

const KINDS = ["DELTA_TABLE", "HUDI_TABLE", "PARQUET_TABLE", "CSV_TABLE", "JSON_TABLE", "ML_MODEL", "APACHE_PAIMON",
  "VORTEX", "LANCE", "NIMBLE", "DIRECTORY", "VIDEO_FILE", "IMAGE_FILE", "DB_CONN_STRING", "OTHER"];

function assetForm(cat, ns, branch, created) {
  return form({ id: "asset-form", title: "Register a generic asset", submit: "Register",
    fields: [
      { name: "name", label: "Name", required: true, validate: nameRule },
      { name: "kind", label: "Kind", type: "select", options: KINDS, value: "DELTA_TABLE" },
      { name: "location", label: "Location", required: true,
        help: "inside the catalog's storage location (a DB_CONN_STRING: its connection string)" },
      { name: "properties", label: "Properties", type: "json", help: "a JSON object of strings" },
    ],
    onSubmit: (v) => api("POST", `/api/v1/catalogs/${enc(cat)}/namespaces/${enc(nsKey(ns))}/assets?branch=${enc(branch || "main")}`,
      { name: v.name, kind: v.kind, location: v.location, properties: v.properties ?? {} }),
    done: (a) => { say(`registered ${a.name}`); created(a); } });
}

function showNamespace(cat, ns, query) {
  const branch = query.get("branch") || "";
  const base = `/api/v1/catalogs/${enc(cat)}/namespaces/${enc(ns)}/assets?branch=${enc(branch || "main")}`;
  const list = pagedTable({ id: "asset-list", what: "assets", cols: ["Name", "Kind", "Location"],
    fetch: pages(base), empty: "no tables, views or assets",
    row: (a) => ({ attrs: { "data-asset": a.id }, cells: [
      h("a", { href: kindHref(a.kind, cat, ns, a.name, a.id, branch) }, a.name), a.kind, code(a.location)] }) });
  view(`Namespace ${cat}.${dotted(ns)}${branch ? ` @ ${branch}` : ""}`,
    section("Tables, views and assets", list),
    functionsSection(cat, ns, branch),
    assetForm(cat, ns, branch, () => list.reload()),
    h("p", {}, h("a", { href: `#/catalogs/${enc(cat)}/browse${branchQuery(branch)}` }, `Browse ${cat}`)));
}

// ---- an asset by id ----------------------------------------------------------------

// Whether the caller may read the asset: the read itself, answered.
async function canRead(x) {
  const a = x.asset, ns = enc(nsKey(x.namespace)), name = a.branch && a.branch !== "main" ? `${a.name}@${a.branch}` : a.name;
  const path = a.kind === "ICEBERG_TABLE" ? `/v1/${enc(x.catalog)}/namespaces/${ns}/tables/${enc(name)}`
    : a.kind === "VIEW" ? `/v1/${enc(x.catalog)}/namespaces/${ns}/views/${enc(name)}`
      : a.kind === "FUNCTION" ? `/v1/${enc(x.catalog)}/namespaces/${ns}/functions/${enc(name)}`
      : `/api/v1/catalogs/${enc(x.catalog)}/namespaces/${ns}/assets/${enc(a.name)}?branch=${enc(a.branch || "main")}`;
  try { await request("GET", path); return true; }
  catch (e) { if (e.status === 403) return false; throw e; }
}

// A request of the caller's own for assetId still waiting, or null
// (the caller's list is its own requests; the newest 1,000 are enough).
async function pendingRequest(assetId) {
  try {
    const { items } = await apiPage("/api/v1/access-requests", 0, 1000);
    return items.find((q) => q["asset-id"] === assetId && q.status === "pending") || null;
  } catch { return null; }
}

function requestedNote(q) {
  return h("p", { id: "access-out" }, `Requested ${time(q["requested-at"])}: `, badge(q.status), " ",
    h("a", { href: "#/access-requests" }, "Your access requests"));
}

function accessRequestForm(assetId) {
  const box = h("div", { "aria-live": "polite" }, h("p", { id: "no-access" }, "You cannot read this asset."));
  const f = form({ id: "access-form", title: "Request access", submit: "Request access",
    fields: [{ name: "reason", label: "Reason", type: "textarea", help: "why you need to read it" }],
    onSubmit: (v) => api("POST", `/api/v1/assets/${enc(assetId)}/access-requests`, v.reason ? { reason: v.reason } : {}),
    done: (q) => { say("access requested"); f.replaceWith(requestedNote(q)); } });
  (async () => {
    const q = await pendingRequest(assetId);
    box.append(q ? requestedNote(q) : f);
  })();
  return box;
}

async function showAsset(id) {
  const v = view("Asset");
  let x;
  try { x = await api("GET", `/api/v1/assets/${enc(id)}`); }
  catch (e) { v.append(failed("cannot read the asset", e)); return; }
  const a = x.asset;
  retitle(v, `Asset ${x.catalog}.${dotted(x.namespace)}.${a.name}`);
  let readable = null;
  try { readable = await canRead(x); } catch (e) { v.append(failed("cannot check access", e)); }
  const open = a.kind === "ICEBERG_TABLE" || a.kind === "VIEW" || a.kind === "FUNCTION"
    ? h("p", {}, h("a", { href: kindHref(a.kind, x.catalog, x.namespace, a.name, a.id, a.branch) },
      a.kind === "VIEW" ? "Open the view" : a.kind === "FUNCTION" ? "Open the function"
        : "Open in the table explorer")) : null;
  v.append(...[
    section("Asset", pairs([["Name", a.name], ["Kind", a.kind], ["Catalog", x.catalog], ["Namespace", dotted(x.namespace)],
      ["Branch", a.branch], ["Id", code(a.id)], ["Location", code(a.location)],
      a.metadata_location ? ["Metadata location", code(a.metadata_location)] : null,
      ["Access", readable == null ? "—" : readable ? badge("yes") : h("span", { class: "badge no-access" }, "no access")]])),
    readable ? open : null,
    readable === false ? section("Access", accessRequestForm(a.id)) : null,
    section("Properties", propsTable(a.properties)),
    metadataSection(a.id, { editable: readable !== false }),
    h("p", {}, h("a", { href: `#/catalogs/${enc(x.catalog)}/browse/${enc(nsKey(x.namespace))}${branchQuery(a.branch)}` },
      `Namespace ${dotted(x.namespace)}`))].filter(Boolean));
}

export function propsTable(props) {
  return table(["Key", "Value"], Object.entries(props || {}).sort(([a], [b]) => a.localeCompare(b))
    .map(([k, val]) => ({ attrs: { "data-prop": k }, cells: [code(k), h("span", { class: "wrap" },
      typeof val === "string" ? val : JSON.stringify(val))] })), "no properties");
}

// ---- access requests ------------------------------------------------------------

function reviewControls(q, reload) {
  const id = `rv-${q.id}`;
  const comment = h("input", { id, name: "comment", autocomplete: "off" });
  const err = h("div", { class: "review-error" });
  const act = (status) => async (ev) => {
    ev.target.disabled = true;
    try {
      await api("PUT", `/api/v1/access-requests/${enc(q.id)}`, { status, comment: comment.value || undefined });
      say(`request ${status}`);
      reload();
    } catch (e) { ev.target.disabled = false; err.replaceChildren(failed("cannot review", e)); }
  };
  return h("div", { class: "review" }, h("label", { for: id }, "Comment"), comment,
    h("div", { class: "row" }, button("Approve", act("approved")), button("Reject", act("rejected"), { class: "danger" })), err);
}

// Ids shown as names once known (asset: catalog.ns.name; user: its
// name), each looked up once per screen; the id stays if one cannot.
function namer() {
  const known = new Map();
  return (key, id, get) => {
    const el = h("code", { class: "wrap", title: id }, id);
    if (!known.has(key)) known.set(key, get().catch(() => null));
    known.get(key).then((n) => { if (n) { el.textContent = n; el.setAttribute("data-id", id); } });
    return el;
  };
}

const assetName = (id) => async () => {
  const x = await api("GET", `/api/v1/assets/${enc(id)}`);
  return `${x.catalog}.${dotted(x.namespace)}.${x.asset.name}`;
};
const userName = (id) => async () => (id === session.me?.id ? session.me.username
  : (await api("GET", `/api/v1/users/${enc(id)}`)).username);

function showAccessRequests() {
  const named = namer();
  const list = pagedTable({ id: "access-requests", what: "access requests",
    cols: ["Requested", "Asset", "User", "Reason", "Status", "Review"],
    fetch: pages("/api/v1/access-requests"), empty: "no access requests",
    row: (q) => ({ attrs: { "data-request": q.id }, cells: [time(q["requested-at"]),
      h("a", { href: assetHref(q["asset-id"]) }, named(`a:${q["asset-id"]}`, q["asset-id"], assetName(q["asset-id"]))),
      named(`u:${q["user-id"]}`, q["user-id"], userName(q["user-id"])), q.reason || "—", badge(q.status),
      q.status === "pending" ? (isAdmin() ? reviewControls(q, () => list.reload()) : "waiting for an admin")
        : `${q["review-comment"] || ""}${q["reviewed-by"] ? ` (by ${q["reviewed-by"]}, ${time(q["reviewed-at"])})` : ""}`] }) });
  view("Access requests", h("p", {}, isAdmin() ? "Every request of the tenant; approving grants read on the asset."
    : "Your requests."), list);
}

nav("#/browse", "Browse", 55);
nav("#/access-requests", "Access requests", 70);
route("/browse", () => showCatalogsToBrowse());
route("/search", (p, q) => showSearch(q));
route("/access-requests", () => showAccessRequests());
route("/assets/:id", (p) => showAsset(p.id));
route("/catalogs/:cat/browse", (p, q) => showBrowse(p.cat, q));
route("/catalogs/:cat/browse/:ns", (p, q) => showNamespace(p.cat, p.ns, q));
