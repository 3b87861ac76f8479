// The table explorer (its history as charts, history.js; schema tree,
// partition specs, sort orders, the snapshot timeline, refs, properties,
// the metadata log, business metadata and maintenance) and a view's
// page (schema, versions with their SQL, properties).  Both read the Iceberg REST load answer; a
// table or view on a catalog branch is addressed as name@branch.
"use strict";

import { api, badge, code, enc, failed, h, onScreen, pagedTable, pairs, route, section, showError, table, time,
  view } from "./core.js";
import { assetIdOf, dotted, metadataSection, propsTable } from "./discovery.js";
import { historySection } from "./history.js";
import { policySection } from "./policies.js";

const SNAPSHOT_PAGE = 100;

// ---- schemas as trees ---------------------------------------------------------

// A type's children as field-like nodes: a struct's fields, a list's
// element, a map's key and value.
function childrenOf(type) {
  if (!type || typeof type !== "object") return [];
  if (type.type === "struct") return type.fields || [];
  if (type.type === "list")
    return [{ id: type["element-id"], name: "element", required: type["element-required"], type: type.element }];
  if (type.type === "map") return [{ id: type["key-id"], name: "key", required: true, type: type.key },
    { id: type["value-id"], name: "value", required: type["value-required"], type: type.value }];
  return [];
}

const typeName = (t) => (typeof t === "string" ? t : t?.type || "?");

function fieldItem(f, path) {
  const full = [...path, f.name];
  const kids = childrenOf(f.type);
  return h("li", { class: "field", "data-field-id": f.id, "data-field": full.join(".") },
    h("span", { class: "field-line" },
      h("code", { class: "field-name" }, f.name), " ",
      h("span", { class: "field-type" }, typeName(f.type)), " ",
      h("span", { class: "field-id" }, `id ${f.id}`), " ",
      h("span", { class: f.required ? "req-flag required" : "req-flag optional" }, f.required ? "required" : "optional"),
      f.doc ? h("span", { class: "field-doc" }, ` — ${f.doc}`) : null),
    kids.length ? h("ul", { class: "schema-tree" }, kids.map((k) => fieldItem(k, full))) : null);
}

export function schemaTree(schema) {
  const fields = schema?.fields || [];
  if (!fields.length) return h("p", { class: "empty" }, "no fields");
  return h("ul", { class: "schema-tree", "data-schema-id": schema["schema-id"] }, fields.map((f) => fieldItem(f, [])));
}

// Field id -> dotted name, over every schema (a spec may name a field
// the current schema dropped).
function fieldNames(schemas) {
  const names = new Map();
  const walk = (fields, path) => {
    for (const f of fields || []) {
      const full = [...path, f.name];
      if (!names.has(f.id)) names.set(f.id, full.join("."));
      walk(childrenOf(f.type), full);
    }
  };
  for (const s of [...(schemas || [])].reverse()) walk(s.fields, []);
  return names;
}

// The current schema's tree, and a choice of the others.
function schemaSection(md) {
  const schemas = md.schemas || [];
  const current = md["current-schema-id"];
  const holder = h("div", { id: "schema-tree" });
  const show = (id) => holder.replaceChildren(schemaTree(schemas.find((s) => s["schema-id"] === id)));
  show(current);
  const pick = schemas.length > 1 ? h("div", { class: "field" },
    h("label", { for: "schema-pick" }, "Show schema"),
    h("select", { id: "schema-pick", onchange: (ev) => show(Number(ev.target.value)) },
      schemas.map((s) => h("option", { value: s["schema-id"], selected: s["schema-id"] === current },
        `schema ${s["schema-id"]}${s["schema-id"] === current ? " (current)" : ""}`)))) : null;
  return section("Schema", pick, holder);
}

// ---- specs, orders, snapshots, refs ---------------------------------------------

function specsSection(md, names) {
  const def = md["default-spec-id"];
  const specs = md["partition-specs"] || [];
  return section("Partition specs", specs.map((s) => h("div", { class: "spec", "data-spec-id": s["spec-id"] },
    h("h4", {}, `Spec ${s["spec-id"]}`, s["spec-id"] === def ? " (default)" : ""),
    table(["Field", "Source", "Transform", "Field id"], (s.fields || []).map((f) => [
      code(f.name), names.get(f["source-id"]) ?? `field ${f["source-id"]}`, code(f.transform), String(f["field-id"] ?? "—")]),
    "unpartitioned"))));
}

function ordersSection(md, names) {
  const def = md["default-sort-order-id"];
  return section("Sort orders", (md["sort-orders"] || []).map((o) => h("div", { class: "sort-order", "data-order-id": o["order-id"] },
    h("h4", {}, `Order ${o["order-id"]}`, o["order-id"] === def ? " (default)" : ""),
    table(["Source", "Transform", "Direction", "Nulls"], (o.fields || []).map((f) => [
      names.get(f["source-id"]) ?? `field ${f["source-id"]}`, code(f.transform), f.direction, f["null-order"]]),
    "unsorted"))));
}

const FIGURES = [["Added files", "added-data-files"], ["Deleted files", "deleted-data-files", "removed-data-files"],
  ["Added records", "added-records"], ["Deleted records", "deleted-records"]];
const figureKeys = new Set(FIGURES.flatMap(([, ...keys]) => keys).concat(["operation"]));

function summaryRest(summary) {
  const rest = Object.entries(summary || {}).filter(([k]) => !figureKeys.has(k));
  if (!rest.length) return "—";
  return h("ul", { class: "summary" }, rest.map(([k, v]) => h("li", {}, h("span", { class: "k" }, k), ": ", String(v))));
}

// Newest first, 100 to a page (a table may keep thousands).
function snapshotsSection(md) {
  const snaps = [...(md.snapshots || [])].sort((a, b) => b["timestamp-ms"] - a["timestamp-ms"]);
  const current = md["current-snapshot-id"];
  const list = pagedTable({ id: "snapshots", what: "snapshots", pageSize: SNAPSHOT_PAGE,
    cols: ["Time", "Snapshot", "Parent", "Operation", ...FIGURES.map(([l]) => l), "Summary"],
    fetch: async (o, l) => ({ items: snaps.slice(o, o + l), total: snaps.length }), empty: "no snapshots",
    row: (s) => ({ attrs: { "data-snapshot": String(s["snapshot-id"]), class: s["snapshot-id"] === current ? "current" : null },
      cells: [h("span", {}, time(s["timestamp-ms"]), s["snapshot-id"] === current ? [" ", badge("current")] : null), h("code", { class: "id" }, String(s["snapshot-id"])),
        s["parent-snapshot-id"] != null ? h("code", { class: "id" }, String(s["parent-snapshot-id"])) : "—",
        s.summary?.operation || "—",
        ...FIGURES.map(([, ...keys]) => s.summary?.[keys.find((k) => s.summary?.[k] != null)] ?? "—"),
        summaryRest(s.summary)] }) });
  return section("Snapshots", h("p", {}, `${snaps.length} snapshot${snaps.length === 1 ? "" : "s"}, newest first.`), list);
}

function refsSection(md) {
  const refs = Object.entries(md.refs || {}).sort(([a], [b]) => a.localeCompare(b));
  return section("Refs", table(["Name", "Type", "Snapshot", "Max ref age (ms)", "Max snapshot age (ms)", "Min snapshots to keep"],
    refs.map(([name, r]) => ({ attrs: { "data-ref": name }, cells: [name, badge(r.type), h("code", { class: "id" }, String(r["snapshot-id"])),
      String(r["max-ref-age-ms"] ?? "—"), String(r["max-snapshot-age-ms"] ?? "—"), String(r["min-snapshots-to-keep"] ?? "—")] })),
    "no refs"));
}

function metadataLogSection(md, location) {
  const log = [...(md["metadata-log"] || [])].sort((a, b) => b["timestamp-ms"] - a["timestamp-ms"]);
  return section("Metadata log",
    pairs([["Current metadata", h("code", { id: "metadata-location", class: "wrap" }, location || "—")]]),
    table(["Time", "Metadata file"], log.map((e) => ({ attrs: { class: "metadata-log-entry" },
      cells: [time(e["timestamp-ms"]), h("code", { class: "wrap" }, e["metadata-file"])] })), "no earlier metadata"));
}

// ---- maintenance (the form ui.test.js drives) -------------------------------------

function maintenanceForm(cat, ns, name) {
  const out = h("div", { id: "maint-out", "aria-live": "polite" });
  const f = h("form", { id: "maint-form", class: "card", onsubmit: async (ev) => {
    ev.preventDefault();
    const el = ev.target.elements;
    const ops = ["expire_snapshots", "remove_orphan_files"].filter((o) => el[o].checked);
    const body = { operations: ops, dry_run: el.dry_run.checked };
    if (el.older_than_ms.value) body.older_than_ms = Number(el.older_than_ms.value);
    if (el.retain_last.value) body.retain_last = Number(el.retain_last.value);
    try {
      const r = await api("POST", `/v1/${enc(cat)}/namespaces/${enc(ns)}/tables/${enc(name)}/maintenance`, body);
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
  return h("section", { "aria-label": "Maintenance" }, f, out);
}

// ---- the pages ----------------------------------------------------------------------

const qualified = (name, branch) => (branch ? `${name}@${branch}` : name);

function footer(cat, ns, branch) {
  return h("p", { class: "explorer-links" }, h("a", { href: `#/tasks?catalog=${enc(cat)}` }, "Tasks"), " · ",
    h("a", { href: `#/catalogs/${enc(cat)}/namespaces/${enc(ns)}${branch ? `?branch=${enc(branch)}` : ""}` },
      `Namespace ${dotted(ns)}`), " · ",
    h("a", { href: `#/catalogs/${enc(cat)}` }, `Back to ${cat}`));
}

// The business metadata of a table or view, once its asset id is known.
function metadataSlot(cat, ns, name, branch, fallbackId) {
  const slot = h("div", { class: "metadata-slot" });
  (async () => {
    const id = (await assetIdOf(cat, ns, name, branch)) || fallbackId;
    if (!id) { slot.replaceChildren(h("p", { class: "empty" }, "no asset id: no business metadata")); return; }
    slot.replaceChildren(metadataSection(id),
      h("p", {}, h("a", { href: `#/assets/${enc(id)}`, id: "asset-page-link" }, "Asset page (discovery, access)")));
  })();
  return slot;
}

async function showTable(cat, ns, tbl, query) {
  const branch = query.get("branch") || "";
  const name = `${cat}.${dotted(ns)}.${tbl}${branch ? ` @ ${branch}` : ""}`;
  const v = view(`Table ${name}`, h("p", {}, "loading…"));
  const maint = maintenanceForm(cat, ns, qualified(tbl, branch));
  let t;
  try { t = await api("GET", `/v1/${enc(cat)}/namespaces/${enc(ns)}/tables/${enc(qualified(tbl, branch))}`); }
  catch (e) { if (onScreen(v)) view(`Table ${name}`, failed("cannot load the table", e), maint, footer(cat, ns, branch)); return; }
  const md = t.metadata || {};
  const names = fieldNames(md.schemas);
  v.replaceChildren(v.firstChild, h("div", { class: "explorer" },
    section("Table", pairs([["Location", h("code", { class: "wrap" }, md.location)],
      ["Metadata location", h("code", { class: "wrap" }, t["metadata-location"] || "—")],
      ["Table UUID", h("code", { class: "wrap" }, md["table-uuid"])], ["Format version", String(md["format-version"])],
      ["Catalog branch", branch || "main"], ["Current snapshot", h("code", { class: "wrap" }, String(md["current-snapshot-id"] ?? "—"))],
      ["Last updated", time(md["last-updated-ms"])]])),
    historySection(md, `/v1/${enc(cat)}/namespaces/${enc(ns)}/tables/${enc(qualified(tbl, branch))}`, t["metadata-location"]),
    schemaSection(md), specsSection(md, names), ordersSection(md, names), snapshotsSection(md), refsSection(md),
    section("Properties", propsTable(md.properties)), metadataLogSection(md, t["metadata-location"]),
    metadataSlot(cat, ns, tbl, branch, md["table-uuid"]),
    branch ? null : policySection(cat, ns, tbl, md["table-uuid"]), maint), footer(cat, ns, branch));
}

// One view version: when, its schema, and each representation's SQL as text.
function versionCard(ver, current) {
  return h("article", { class: "view-version card", "data-version-id": ver["version-id"] },
    h("h4", {}, `Version ${ver["version-id"]}`, ver["version-id"] === current ? " (current)" : ""),
    pairs([["Time", time(ver["timestamp-ms"])], ["Schema", String(ver["schema-id"])],
      ["Default namespace", (ver["default-namespace"] || []).join(".") || "—"],
      ver["default-catalog"] ? ["Default catalog", ver["default-catalog"]] : null,
      ["Summary", Object.entries(ver.summary || {}).map(([k, x]) => `${k}: ${x}`).join(", ") || "—"]]),
    (ver.representations || []).map((r) => h("div", { class: "representation" },
      h("p", {}, "Dialect ", h("code", { class: "dialect" }, r.dialect || "—"), r.type && r.type !== "sql" ? ` (${r.type})` : ""),
      h("pre", { class: "sql" }, r.sql ?? ""))));
}

async function showView(cat, ns, vw, query) {
  const branch = query.get("branch") || "";
  const name = `${cat}.${dotted(ns)}.${vw}${branch ? ` @ ${branch}` : ""}`;
  const v = view(`View ${name}`, h("p", {}, "loading…"));
  let t;
  try { t = await api("GET", `/v1/${enc(cat)}/namespaces/${enc(ns)}/views/${enc(qualified(vw, branch))}`); }
  catch (e) { if (onScreen(v)) view(`View ${name}`, failed("cannot load the view", e), footer(cat, ns, branch)); return; }
  const md = t.metadata || {};
  const current = md["current-version-id"];
  const cur = (md.versions || []).find((x) => x["version-id"] === current);
  const schema = (md.schemas || []).find((s) => s["schema-id"] === cur?.["schema-id"]) || (md.schemas || [])[0];
  const versions = [...(md.versions || [])].sort((a, b) => b["version-id"] - a["version-id"]);
  v.replaceChildren(v.firstChild, h("div", { class: "explorer" },
    section("View", pairs([["Location", h("code", { class: "wrap" }, md.location || "—")],
      ["Metadata location", h("code", { class: "wrap" }, t["metadata-location"] || "—")],
      ["View UUID", h("code", { class: "wrap" }, md["view-uuid"] || "—")], ["Format version", String(md["format-version"] ?? "—")],
      ["Current version", String(current ?? "—")]])),
    section("Schema", schemaTree(schema)),
    section("Versions", versions.map((x) => versionCard(x, current))),
    section("Properties", propsTable(md.properties)),
    metadataSlot(cat, ns, vw, branch, md["view-uuid"])), footer(cat, ns, branch));
}

route("/catalogs/:cat/tables/:ns/:table", (p, q) => showTable(p.cat, p.ns, p.table, q));
route("/catalogs/:cat/views/:ns/:view", (p, q) => showView(p.cat, p.ns, p.view, q));
