// Data policies (tenant admins; issue 46): the list with a delete per
// row and a create form (a row filter or a column action, on a table, a
// namespace or a column tag, for roles, users and groups); and, on a
// table's page, its column tags (set per column) and what the policies
// make of it for one user (effective-restrictions).
"use strict";

import {
  api, dangerButton, enc, failed, form, h, isAdmin, nav, pairs, route, say, section, table,
} from "./core.js";
import { screen } from "./identity.js";

const base = `/api/v1/policies`;
const ACTIONS = ["mask-alphanum", "mask-to-fixed-value", "replace-with-null", "show-first-4", "show-last-4",
  "truncate-to-year", "truncate-to-month", "sha-256-global", "sha-256-query-local"];

// "a, b" -> ["a", "b"]; empty -> [].
const list = (s) => (s ? s.split(",").map((x) => x.trim()).filter(Boolean) : []);

function scopeOf(p) {
  if (p.tag) return `tag ${p.tag}`;
  const ns = (p.namespace || []).join(".");
  return p.table ? `table ${ns}.${p.table}` : `namespace ${ns}`;
}

function whatOf(p) {
  if (p.kind === "row-filter") return h("code", { class: "wrap" }, JSON.stringify(p.row_filter));
  return `${p.action}${p.column ? ` on ${p.column}` : ""}${p.field_id != null ? ` (field ${p.field_id})` : ""}`;
}

function whoOf(p) {
  const a = p.applies_to || {};
  const parts = [["roles", a.roles], ["users", a.users], ["groups", a.groups], ["except", a.except_roles]]
    .filter(([, v]) => v && v.length).map(([k, v]) => `${k}: ${v.join(", ")}`);
  return parts.join("; ") || "—";
}

async function showPolicies() {
  const { v, live } = screen("Data policies");
  const listBox = h("div", { id: "policy-list" }, h("p", {}, "loading…"));
  const load = async () => {
    try {
      const items = await api("GET", `${base}?limit=1000`);
      if (!live()) return;
      listBox.replaceChildren(table(["Name", "Catalog", "Scope", "What", "Applies to", ""], items.map((p) => [
        p.name, p.catalog, scopeOf(p), whatOf(p), whoOf(p),
        dangerButton("Delete", `Delete the policy ${p.name}?`, async () => {
          await api("DELETE", `${base}/${enc(p.id)}`);
          say("policy deleted");
          load();
        }, { "data-policy": p.name })]), "no policies"));
    } catch (e) { if (live()) listBox.replaceChildren(failed("cannot list policies", e)); }
  };
  const create = form({
    id: "policy-create", title: "New policy", submit: "Create",
    fields: [
      { name: "name", label: "Name", required: true },
      { name: "catalog", label: "Catalog", required: true },
      { name: "namespace", label: "Namespace", placeholder: "sales.eu (with a table, or everything below it)" },
      { name: "table", label: "Table", placeholder: "empty: the whole namespace" },
      { name: "tag", label: "Column tag", placeholder: "pii:email (instead of a namespace)" },
      { name: "column", label: "Column", placeholder: "email, or a.b for a nested field" },
      { name: "action", label: "Action", type: "select", options: [["", "(a row filter instead)"], ...ACTIONS] },
      { name: "row_filter", label: "Row filter", type: "json", placeholder: '{"type":"eq","term":"country","value":"US"}' },
      { name: "roles", label: "Roles", placeholder: "analyst, auditor" },
      { name: "users", label: "Users (ids)" },
      { name: "groups", label: "Groups" },
      { name: "except_roles", label: "Except roles" },
    ],
    onSubmit: (x) => api("POST", base, {
      name: x.name, catalog: x.catalog, namespace: x.namespace ? x.namespace.split(".") : undefined,
      table: x.table, tag: x.tag, column: x.column, action: x.action || undefined, row_filter: x.row_filter,
      applies_to: { roles: list(x.roles), users: list(x.users), groups: list(x.groups), except_roles: list(x.except_roles) },
    }),
    done: (p) => { say(`policy ${p.name} created`); load(); },
  });
  v.append(listBox, create);
  load();
}

// The column tags of a table (asset id): listed, and set per column.
function columnTagsSection(assetId) {
  const box = h("div", { id: "column-tags" }, h("p", {}, "loading…"));
  let cols = [];
  const draw = () => box.replaceChildren(table(["Field id", "Column", "Tags"], cols.map((c) => [
    String(c.field_id), c.column || "—", c.tags.join(", ")]), "no column tags"));
  const load = async () => {
    try { cols = (await api("GET", `/api/v1/assets/${enc(assetId)}/column-tags`)).columns; draw(); }
    catch (e) { box.replaceChildren(failed("cannot read the column tags", e)); }
  };
  const set = form({
    id: "column-tags-set", title: "Tag a column", submit: "Save tags",
    fields: [
      { name: "column", label: "Column", required: true, placeholder: "email, or a.b" },
      { name: "tags", label: "Tags", placeholder: "pii:email, gdpr (empty: none)" },
    ],
    onSubmit: async (x) => {
      const rest = cols.filter((c) => c.column !== x.column).map((c) => ({ field_id: c.field_id, tags: c.tags }));
      return api("PUT", `/api/v1/assets/${enc(assetId)}/column-tags`, {
        columns: [...rest, { column: x.column, tags: list(x.tags) }] });
    },
    done: (r) => { cols = r.columns; draw(); say("column tags saved"); },
  });
  load();
  return section("Column tags", box, set);
}

// What the tenant's policies make of the table for one user.
function restrictionsSection(cat, ns, tbl) {
  const out = h("div", { id: "restrictions-out", "aria-live": "polite" });
  const ask = form({
    id: "restrictions-form", title: "Effective restrictions", submit: "Explain",
    fields: [
      { name: "user", label: "User id", required: true },
      { name: "groups", label: "Groups (from the user's token)", placeholder: "eu-staff, auditors" },
    ],
    onSubmit: (x) => api("GET", `/api/v1/catalogs/${enc(cat)}/namespaces/${enc(ns)}/tables/${enc(tbl)}/effective-restrictions?user=${enc(x.user)}${x.groups ? `&groups=${enc(x.groups)}` : ""}`),
    done: (r) => out.replaceChildren(pairs([
      ["Policies applied", (r.policies || []).map((p) => p.name).join(", ") || "none"],
      ["Flags", (r.flags || []).map((f) => `${f.name}: ${f.reason}`).join("; ") || "none"]]),
    h("pre", { id: "restrictions-json", class: "wrap" }, JSON.stringify(r["read-restrictions"], null, 2))),
  });
  return section("Data policies", ask, out);
}

// The table page's part (explorer.js): admins only.
export function policySection(cat, ns, tbl, assetId) {
  if (!isAdmin()) return null;
  return h("div", { class: "policy-slot" }, assetId ? columnTagsSection(assetId) : null,
    restrictionsSection(cat, ns, tbl));
}

nav("#/policies", "Policies", 83, isAdmin);
route("/policies", () => showPolicies());
