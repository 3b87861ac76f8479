// A table's page: maintenance (and, as it grows, the table explorer).
"use strict";

import { api, enc, failed, h, route, showError, view } from "./core.js";

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


route("/catalogs/:cat/tables/:ns/:table", (p) => showTable(p.cat, p.ns, p.table));
