// System: the tenant's settings, the server's caches, expired-token
// cleanup and bulk deletion of assets found by search.  Admins only;
// the API refuses anyone else, and its refusal is shown.
"use strict";

import { api, dangerButton, failed, form, h, isAdmin, nav, route, say, section, table, view } from "./core.js";

const MASK = "********";

function settingsForm(s) {
  return form({ id: "settings-form", title: "Tenant settings", submit: "Save settings",
    fields: [
      { name: "allow_public_signup", label: "Allow public sign-up", type: "checkbox", value: s.allow_public_signup },
      { name: "default_warehouse_bucket", label: "Default warehouse bucket", value: s.default_warehouse_bucket },
      { name: "default_retention_days", label: "Default retention (days)", type: "number", min: "0",
        value: s.default_retention_days },
      { name: "smtp_host", label: "SMTP host", value: s.smtp_host },
      { name: "smtp_port", label: "SMTP port", type: "number", min: "1", value: s.smtp_port },
      { name: "smtp_user", label: "SMTP user", value: s.smtp_user },
      // The server answers the mask; sending it back keeps the password.
      { name: "smtp_password", label: "SMTP password", type: "password", value: s.smtp_password,
        help: s.smtp_password === MASK ? "stored; leave as is to keep it" : null },
    ],
    onSubmit: (v) => api("PUT", "/api/v1/config/settings", v),
    done: () => { say("settings saved"); showSettings(); } });
}

async function showSettings() {
  const v = view("Settings");
  try { v.append(settingsForm(await api("GET", "/api/v1/config/settings"))); }
  catch (e) { v.append(failed("cannot read the settings", e)); }
  const out = h("p", { id: "cleanup-out", "aria-live": "polite" });
  v.append(section("Tokens", h("p", {}, "Expired tokens stay in the store until removed."),
    dangerButton("Remove expired tokens", "Remove every expired token now?", async () => {
      const r = await api("POST", "/api/v1/auth/cleanup-tokens");
      out.textContent = r.message;
    }, { id: "cleanup-tokens" }), out));
}

const ratio = (x) => (typeof x === "number" ? `${(x * 100).toFixed(1)} %` : "—");

async function showCaches() {
  const v = view("Caches");
  try {
    const s = await api("GET", "/api/v1/cache/stats");
    v.append(table(["Cache", "Tier", "Hits", "Misses", "Hit ratio", "Entries", "Bytes", "Evictions"],
      s.caches.map((c) => [c.name, c.tier, c.hits, c.misses, ratio(c.hit_ratio), `${c.entries} / ${c.max_entries}`,
        `${c.bytes} / ${c.max_bytes}`, c.evictions]), "no caches"),
    section("Object store", table(["Requests", "Connections", "Requests per connection"],
      [[s.object_store.requests, s.object_store.connections, s.object_store.reuse_ratio.toFixed(2)]])));
  } catch (e) { v.append(failed("cannot read the cache figures", e)); }
}

// Bulk delete: search, tick, delete; the answer says what each refused.
function showBulkDelete() {
  const results = h("div", { id: "bulk-results" });
  const out = h("div", { id: "bulk-out", "aria-live": "polite" });
  const search = form({ id: "bulk-search", title: "Find assets", submit: "Search",
    fields: [{ name: "q", label: "Name contains", required: true }, { name: "catalog", label: "Catalog (optional)" }],
    onSubmit: (f) => api("GET", `/api/v1/search/assets?q=${encodeURIComponent(f.q)}&limit=200` +
      (f.catalog ? `&catalog=${encodeURIComponent(f.catalog)}` : "")),
    done: (r) => {
      const rows = r.results.map((a) => [
        h("input", { type: "checkbox", value: a.id, "aria-label": `Select ${[...a.namespace, a.name].join(".")}` }),
        `${a.catalog}.${[...a.namespace, a.name].join(".")}`, a.asset_type]);
      results.replaceChildren(table(["Select", "Asset", "Type"], rows, "nothing found"));
      if (rows.length) results.append(dangerButton("Delete selected", "Delete every selected asset?", async () => {
        const ids = [...results.querySelectorAll("input[type=checkbox]:checked")].map((c) => c.value);
        const d = await api("POST", "/api/v1/bulk/assets/delete", { asset_ids: ids });
        out.replaceChildren(h("p", { id: "bulk-summary" }, `${d.succeeded} deleted, ${d.failed} refused.`));
        if (d.errors.length) out.append(h("ul", {}, d.errors.map((e) => h("li", {}, e))));
        say(`${d.succeeded} deleted`);
      }, { id: "bulk-delete" }));
    } });
  view("Bulk delete", search, results, out);
}

nav("#/settings", "Settings", 90, isAdmin);
nav("#/caches", "Caches", 92, isAdmin);
route("/settings", () => showSettings());
route("/caches", () => showCaches());
route("/bulk-delete", () => showBulkDelete());
nav("#/bulk-delete", "Bulk delete", 94, isAdmin);
