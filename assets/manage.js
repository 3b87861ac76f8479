// Tenants, warehouses, catalogs: the lists; one catalog's branches,
// tags, tables and merges; a branch's commits.
"use strict";

import { api, badge, enc, failed, h, nav, route, table, time, view } from "./core.js";
import { mergeForm, mergeList } from "./merges.js";


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

nav("#/tenants", "Tenants", 30);
nav("#/warehouses", "Warehouses", 40);
nav("#/catalogs", "Catalogs", 50);
route("/tenants", () => showTenants());
route("/warehouses", () => showWarehouses());
route("/catalogs", () => showCatalogs());
route("/catalogs/:cat", (p) => showCatalog(p.cat));
route("/catalogs/:cat/branches/:br", (p) => showBranch(p.cat, p.br));
