// Merges: start one (with a preview of what each branch changed, and an
// optional strategy that resolves every conflict), the operations of
// each catalog, one operation's diff and conflicts with a way to resolve
// each, complete or abort.
"use strict";

import {
  api, apiPage, badge, button, dangerButton, enc, failed, form, h, nav, pagedTable, pages, pairs,
  route, say, section, showError, table, time, view,
} from "./core.js";

// ---- words for what the server says in codes --------------------------------

const CHANGE_WORDS = { added: "added", modified: "modified", deleted: "deleted", unchanged: "unchanged" };
const ACTION_WORDS = {
  put: "the merge takes the source's version",
  delete: "the merge deletes it on the target",
  conflict: "a conflict to resolve",
  none: "the target keeps its own",
};
const STRATEGY_WORDS = { TakeSource: "took the source's version", TakeTarget: "kept the target's version", Manual: "a metadata file chosen by hand" };
const OPEN = new Set(["Pending", "Conflicted", "Resolving", "Ready"]);

const list = (xs) => xs.join(", ");

// A conflict_type ({"MetadataConflict": {...}}) as a sentence.
export function conflictWords(ct, branches = {}) {
  if (!ct || typeof ct !== "object") return String(ct ?? "unknown conflict");
  const [type, d = {}] = Object.entries(ct)[0] || [];
  const side = (s) => (branches[s] ? `the ${s} branch (${branches[s]})` : `the ${s} branch`);
  switch (type) {
    case "DeletionConflict":
      return `Deleted vs. changed: ${d.asset_name} was deleted on ${side(d.deleted_in)} and changed on ${side(d.modified_in)}.`;
    case "MetadataConflict":
      return d.conflicting_properties?.length
        ? `Property conflict: both branches set ${d.conflicting_properties.length === 1 ? "the property" : "the properties"} ${list(d.conflicting_properties)} of ${d.asset_name} to different values.`
        : `Metadata conflict: both branches changed ${d.asset_name} differently (for a table: its refs, statistics or other metadata).`;
    case "SchemaChange":
      return `Schema conflict: both branches changed the schema, partition spec or sort order (or, for a view, its definition) of ${d.table_name} differently.`;
    case "DataOverlap":
      return `Data overlap: both branches changed data of ${d.table_name} in partitions that meet${d.overlapping_partitions?.length ? `: ${list(d.overlapping_partitions)}` : ""}.`;
    default:
      return `${type}: ${Object.entries(d).map(([k, v]) => `${k} ${Array.isArray(v) ? list(v) : v}`).join("; ")}`;
  }
}

// ---- the preview: each asset either side changed -----------------------------

const fromTo = (label, ft) => (ft && (ft.from !== ft.to) ? `${label} ${ft.from ?? "none"} → ${ft.to ?? "none"}` : null);

function sideDetails(name, s) {
  if (!s || s.change === "unchanged" || s.change === "deleted") return null;
  const p = s.properties || {};
  const parts = [fromTo("snapshot", s.snapshot_id), fromTo("schema", s.schema_id), fromTo("version", s.version_id),
    p.added?.length ? `properties added: ${list(p.added)}` : null,
    p.changed?.length ? `properties changed: ${list(p.changed)}` : null,
    p.removed?.length ? `properties removed: ${list(p.removed)}` : null,
    s.error ? `unreadable: ${s.error}` : null].filter(Boolean);
  return parts.length ? h("li", {}, `${name}: ${parts.join("; ")}`) : null;
}

function previewTable(p) {
  const cols = ["Asset", "Source change", "Target change", "Details", "Conflict?"];
  return table(cols, p.assets.map((a) => ({
    attrs: { "data-asset": a.name },
    cells: [h("span", {}, a.name, h("span", { class: "help" }, ` ${a.kind.toLowerCase().replace(/_/g, " ")}`)),
      CHANGE_WORDS[a.source.change] || a.source.change, CHANGE_WORDS[a.target.change] || a.target.change,
      h("ul", { class: "details" }, h("li", {}, ACTION_WORDS[a.action] || a.action),
        sideDetails("source", a.source), sideDetails("target", a.target)),
      a.conflict ? h("span", { class: "conflict" }, conflictWords(a.conflict.conflict_type,
        { source: p.source_branch, target: p.target_branch })) : "no"],
  })), "neither branch changed anything since the merge base");
}

export async function mergePreview(cat, source, target) {
  const q = `catalog=${enc(cat)}&source=${enc(source)}&target=${enc(target)}`;
  const p = await api("GET", `/api/v1/branches/merge/preview?${q}`);
  const n = p.conflicts.length;
  return h("div", { id: "merge-preview", "data-source": source, "data-target": target },
    h("p", {}, `${source} into ${target}: merge base `, p.base_commit_id ? h("code", { title: p.base_commit_id }, p.base_commit_id.slice(0, 8)) : "none",
      `; ${p.assets.length} asset${p.assets.length === 1 ? "" : "s"} changed; `,
      n ? h("strong", {}, `${n} conflict${n === 1 ? "" : "s"}`) : "no conflicts", "."),
    previewTable(p));
}

// ---- starting a merge --------------------------------------------------------

// Every conflict of an operation (the list pages at 100).
async function allConflicts(id) {
  const out = [];
  for (let offset = 0; ; offset += 1000) {
    const { items, total } = await apiPage(`/api/v1/merge-operations/${enc(id)}/conflicts`, offset, 1000);
    out.push(...items);
    if (items.length === 0 || (total != null ? out.length >= total : items.length < 1000)) return out;
  }
}

// Resolve every open conflict of operation id with strategy.
async function resolveAll(id, strategy) {
  const open = (await allConflicts(id)).filter((c) => !c.resolution);
  for (const c of open) await api("POST", `/api/v1/conflicts/${enc(c.id)}/resolve`, { strategy });
  return open.length;
}

// Which field a merge refusal is about (its words do not name a field).
function mergeErrorField(e, values) {
  const m = e.message || "";
  if (/into itself/i.test(m)) return "target_branch";
  if (/experimental|"force"/i.test(m)) return "force";
  const missing = /Branch '(.*)' not found/.exec(m);
  if (missing) return missing[1] === values.source_branch ? "source_branch" : "target_branch";
  return null;
}

// The form of the catalog page: source, target, strategy, force; a
// Preview of what each side changed; Merge.  Small merges answer at
// once (the operation, or its conflicts); a large one answers 202 with
// a task, which the page then follows.
export async function mergeForm(cat) {
  const bs = await api("GET", `/api/v1/branches?catalog=${enc(cat)}&limit=1000`);
  const names = bs.map((b) => b.name);
  const out = h("div", { id: "merge-out", "aria-live": "polite" });
  const el = form({
    id: "merge-form", title: null, submit: "Merge",
    fields: [
      { name: "source_branch", id: "mg-source", label: "Source branch", type: "select", options: names, value: names.find((n) => n !== "main") || names[0] },
      { name: "target_branch", id: "mg-target", label: "Target branch", type: "select", options: names, value: "main" },
      { name: "strategy", label: "Conflicts", type: "select", value: "review", options: [
        ["review", "Review each conflict (default)"], ["TakeSource", "Resolve all: take the source's version"],
        ["TakeTarget", "Resolve all: keep the target's version"]],
        help: "A strategy resolves every conflict the merge reports; the operation is then ready to complete." },
      { name: "force", label: "Force (merge an experimental branch into main)", type: "checkbox" },
    ],
    onSubmit: (values) => startMerge(cat, values, out),
    fieldOf: mergeErrorField,
    done: (where) => { if (where) location.hash = where; },
  });
  const preview = button("Preview", async () => {
    const f = el.elements;
    out.replaceChildren(h("p", {}, "computing the preview…"));
    try { out.replaceChildren(await mergePreview(cat, f.source_branch.value, f.target_branch.value)); say("preview ready"); }
    catch (e) { out.replaceChildren(failed("cannot preview this merge", e)); }
  }, { class: "secondary", id: "mg-preview" });
  el.querySelector("button[type=submit]").before(preview);
  // The preview's table beside, not inside, the form's narrow card.
  return h("div", { class: "merge-start" }, el, out);
}

// POST the merge; with a strategy, resolve what it reports.  The hash to
// go to; a refusal is thrown for the form to place.
async function startMerge(cat, values, out) {
  const body = { catalog: cat, source_branch: values.source_branch, target_branch: values.target_branch };
  if (values.force) body.force = true;
  let r;
  try {
    r = await api("POST", "/api/v1/branches/merge", body);
  } catch (e) {
    // Conflicts: the operation that holds them, resolved here or there.
    if (e.status === 409 && e.body?.operation_id) {
      const id = e.body.operation_id;
      if (values.strategy && values.strategy !== "review") {
        out.replaceChildren(h("p", {}, `resolving ${e.body.conflicts} conflicts with ${values.strategy}…`));
        const n = await resolveAll(id, values.strategy);
        say(`${n} conflicts resolved with ${values.strategy}; ready to complete`);
      }
      return `#/merges/${enc(id)}`;
    }
    throw e;
  }
  return r.task_id ? `#/tasks/${enc(r.task_id)}` : `#/merges/${enc(r.id)}`;
}

// ---- lists -------------------------------------------------------------------

export function mergeList(cat) {
  return pagedTable({
    id: `merges-${cat}`, what: "cannot list merge operations",
    cols: ["Operation", "Source", "Target", "Status", "Conflicts", "Started"],
    fetch: pages(`/api/v1/catalogs/${enc(cat)}/merge-operations`),
    row: (o) => ({ attrs: { "data-op": o.id }, cells: [h("a", { href: `#/merges/${enc(o.id)}` }, o.id.slice(0, 8)),
      o.source_branch, o.target_branch, badge(o.status), o.conflicts_count, time(o.initiated_at)] }),
    empty: "no merge operations",
  });
}

async function showMerges() {
  const v = view("Merge operations");
  let cats;
  try { cats = await api("GET", "/api/v1/catalogs?limit=1000"); } catch (e) { v.append(failed("cannot list catalogs", e)); return; }
  if (cats.length === 0) v.append(h("p", { class: "empty" }, "no catalogs"));
  for (const c of cats)
    v.append(h("section", { "data-merges": c.name }, h("h3", {}, c.name), mergeList(c.name)));
}

// ---- one operation -------------------------------------------------------------

function resolution(c, op) {
  const r = c.resolution;
  if (!r) return badge("unresolved");
  const how = STRATEGY_WORDS[r.strategy] || r.strategy;
  return h("span", {}, badge("resolved"), ` ${how}`, r.strategy === "Manual" && r.resolved_value
    ? h("code", {}, ` ${r.resolved_value}`) : null);
}

// TakeSource, TakeTarget, and Manual with the metadata file to keep.
function resolveControls(c, again) {
  const post = (body) => api("POST", `/api/v1/conflicts/${enc(c.id)}/resolve`, body);
  const take = (label, strategy) => button(label, async (ev) => {
    ev.target.disabled = true;
    try { await post({ strategy }); showError(null); say(`conflict resolved: ${label.toLowerCase()}`); }
    catch (e) { showError(e); }
    again();
  });
  const manual = form({
    id: `manual-${c.id.slice(0, 8)}`, submit: "Resolve manually",
    fields: [{ name: "resolved_value", label: "Metadata file to keep", required: true,
      help: "A metadata.json inside the table's or view's location." }],
    onSubmit: (v) => post({ strategy: "Manual", resolved_value: v.resolved_value }),
    done: () => again(),
  });
  return h("div", {}, h("div", { class: "row" }, take("Take source", "TakeSource"), take("Take target", "TakeTarget")),
    h("details", {}, h("summary", {}, "Manual…"), manual));
}

function conflictsTable(op, again) {
  const open = OPEN.has(op.status) && op.status !== "Pending";
  const branches = { source: op.source_branch, target: op.target_branch };
  return pagedTable({
    id: "merge-conflicts", what: "cannot list the conflicts",
    cols: ["Asset", "Conflict", "Resolution", "Resolve"],
    fetch: pages(`/api/v1/merge-operations/${enc(op.id)}/conflicts`),
    row: (c) => ({ attrs: { "data-conflict": c.id }, cells: [c.asset_name || c.asset_id || "—",
      h("span", {}, conflictWords(c.conflict_type, branches)),
      resolution(c, op), open && !c.resolution ? resolveControls(c, again) : "—"] }),
    empty: "no conflicts",
  });
}

function canComplete(op) {
  return op.status === "Ready" || (op.status === "Pending" && (op.conflicts || []).length === 0);
}

// Complete (enabled once every conflict is resolved; the server's refusal
// shown beside it) and Abort (asks first).
function actions(op, again) {
  const id = enc(op.id);
  const err = h("p", { id: "merge-action-error", class: "error", role: "alert", hidden: true });
  const complete = button("Complete", async (ev) => {
    ev.target.disabled = true;
    err.hidden = true;
    try { await api("POST", `/api/v1/merge-operations/${id}/complete`); say("merge completed"); again(); }
    catch (e) { err.textContent = `cannot complete: ${e.status ? `${e.status} ` : ""}${e.message}`; err.hidden = false; ev.target.disabled = false; }
  }, { id: "merge-complete", disabled: !canComplete(op) });
  const abort = dangerButton("Abort", `Abort the merge of ${op.source_branch} into ${op.target_branch}?`, async () => {
    await api("POST", `/api/v1/merge-operations/${id}/abort`);
    say("merge aborted");
    again();
  }, { id: "merge-abort" });
  const hint = h("p", { class: "help" }, canComplete(op) ? "Every conflict is resolved: ready to complete."
    : "Resolve every conflict below before completing.");
  return h("div", {}, h("div", { class: "row" }, complete, abort), hint, err);
}

async function showMerge(id) {
  const v = view(`Merge ${id.slice(0, 8)}`);
  const again = () => showMerge(id);
  let op;
  try { op = await api("GET", `/api/v1/merge-operations/${enc(id)}`); }
  catch (e) { v.append(failed("cannot read the merge operation", e)); return; }
  v.append(pairs([["Catalog", h("a", { href: `#/catalogs/${enc(op.catalog_name)}` }, op.catalog_name)],
    ["Source", op.source_branch], ["Target", op.target_branch], ["Status", badge(op.status)],
    ["Merge base", op.base_commit_id ? h("code", { title: op.base_commit_id }, op.base_commit_id.slice(0, 8)) : "none"],
    ["Started", `${time(op.initiated_at)}${op.initiated_by ? ` by ${op.initiated_by}` : ""}`],
    op.completed_at ? ["Completed", time(op.completed_at)] : null,
    op.result_commit_id ? ["Merge commit", h("code", { title: op.result_commit_id }, op.result_commit_id.slice(0, 8))] : null]));
  if (OPEN.has(op.status)) v.append(actions(op, again));
  v.append(section("Conflicts", conflictsTable(op, again)));
  if (!OPEN.has(op.status)) return;
  const diff = section("What each branch changed since the merge base", h("p", {}, "computing…"));
  v.append(diff);
  try { diff.lastChild.replaceWith(await mergePreview(op.catalog_name, op.source_branch, op.target_branch)); }
  catch (e) { diff.lastChild.replaceWith(failed("cannot compute the diff", e)); }
}

nav("#/merges", "Merges", 60);
route("/merges", () => showMerges());
route("/merges/:id", (p) => showMerge(p.id));
