// The audit log (admins): a filter form whose values live in the URL's
// query (#/audit?action=create_user), the matching entries a page at a
// time with their count, and one entry in full.
"use strict";

import {
  api, badge, enc, failed, form, go, h, isAdmin, nav, pagedTable, pages, pairs, route, time,
} from "./core.js";
import { screen } from "./identity.js";

const FILTERS = ["user_id", "action", "resource_type", "resource_id", "result", "start_time", "end_time"];

// "2026-11-25T09:30" as this browser's local time -> "2026-11-25T08:30:00Z",
// the only time form the server takes.
function utc(local) {
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? local : d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

// The API query for the filters in the page's query.
function apiQuery(query) {
  const q = new URLSearchParams();
  for (const k of FILTERS) {
    const v = query.get(k);
    if (v) q.set(k, k.endsWith("_time") ? utc(v) : v);
  }
  return q.toString();
}

function filterForm(query) {
  return form({
    id: "audit-filter", title: "Filter", submit: "Apply",
    fields: [
      { name: "user_id", label: "User id", value: query.get("user_id") || "", placeholder: "a user's uuid" },
      { name: "action", label: "Action", value: query.get("action") || "", placeholder: "create_user, login_failed, …" },
      { name: "resource_type", label: "Resource type", value: query.get("resource_type") || "", placeholder: "user, token, catalog, …" },
      { name: "resource_id", label: "Resource id", value: query.get("resource_id") || "" },
      { name: "result", label: "Result", type: "select", value: query.get("result") || "",
        options: [["", "any"], ["success", "success"], ["failure", "failure"]] },
      { name: "start_time", label: "From", type: "datetime-local", value: query.get("start_time") || "" },
      { name: "end_time", label: "Until", type: "datetime-local", value: query.get("end_time") || "" },
    ],
    // The filters go into the address: a reload or a shared link shows
    // the same entries.
    onSubmit: async (v) => {
      const q = new URLSearchParams(Object.entries(v).filter(([, x]) => x !== undefined && x !== ""));
      go(`#/audit${q.toString() ? `?${q}` : ""}`);
    },
  });
}

async function showAudit(query) {
  const { v } = screen("Audit log");
  const q = apiQuery(query);
  const count = h("p", { id: "audit-count", "aria-live": "polite" }, "counting…");
  const list = pagedTable({
    id: "audit-list", what: "cannot list the audit log",
    cols: ["When", "User", "Action", "Resource", "Result"],
    fetch: pages(`/api/v1/audit${q ? `?${q}` : ""}`),
    row: (e) => [h("a", { href: `#/audit/${enc(e.id)}` }, time(e.timestamp)), e.username || e.user_id || "—",
      e.action, [e.resource_type, e.resource_name || e.resource_id].filter(Boolean).join(" "),
      badge(e.result)],
    empty: "no entries",
  });
  v.append(filterForm(query), count, list);
  try {
    const r = await api("GET", `/api/v1/audit/count${q ? `?${q}` : ""}`);
    count.textContent = `${r.count} ${r.count === 1 ? "entry" : "entries"}`;
  } catch (e) { count.replaceWith(failed("cannot count the entries", e)); }
}

async function showEntry(id) {
  const { v, live } = screen("Audit entry");
  try {
    const e = await api("GET", `/api/v1/audit/${enc(id)}`);
    if (!live()) return;
    v.append(pairs([["Id", h("code", {}, e.id)], ["When", time(e.timestamp)], ["Action", e.action],
      ["Result", badge(e.result)], ["User", e.username], ["User id", e.user_id], ["Tenant", e.tenant_id],
      ["Resource type", e.resource_type], ["Resource id", e.resource_id], ["Resource name", e.resource_name],
      ["Address", e.ip_address], ["Client", e.user_agent], ["Error", e.error_message],
      ["Metadata", h("pre", {}, JSON.stringify(e.metadata || {}, null, 2))]]));
  } catch (e) { if (!live()) return; v.append(failed("cannot read the entry", e)); }
  v.append(h("p", {}, h("a", { href: "#/audit" }, "Back to the audit log")));
}

nav("#/audit", "Audit", 80, isAdmin);
route("/audit", (p, query) => showAudit(query));
route("/audit/:id", (p) => showEntry(p.id));
