// Merges: start one, the operations of each catalog, one operation's
// conflicts with a button per resolution, complete or abort.
"use strict";

import { api, badge, enc, failed, h, nav, route, showError, table, time, view } from "./core.js";

// Merge one branch into another.  Small merges answer at once (the
// operation, or its conflicts); a large one answers 202 with a task,
// which the page then follows, as it does maintenance.
export async function mergeForm(cat) {
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

export async function mergeList(cat) {
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


nav("#/merges", "Merges", 60);
route("/merges", () => showMerges());
route("/merges/:id", (p) => showMerge(p.id));
