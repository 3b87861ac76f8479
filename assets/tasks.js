// Tasks: the list with live progress bars, one task's page with its
// outcome; cancel.  Polls while on screen (core.poll).
"use strict";

import { PAGE_SIZE, api, apiPage, badge, enc, failed, h, nav, poll, route, showError, stopPoll, table, time, view } from "./core.js";

const ENDED = ["succeeded", "done", "failed", "cancelled"];

export function duration(t) {
  if (!t.started_at) return "—";
  const end = t.finished_at ? Date.parse(t.finished_at) : Date.now();
  let s = Math.max(0, Math.round((end - Date.parse(t.started_at)) / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60); s %= 60;
  return m < 60 ? `${m} min ${s} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function target(t) {
  const g = t.target || {};
  const parts = [g.catalog, ...(g.namespace || []), g.table].filter(Boolean);
  return parts.length ? parts.join(".") + (g.branch ? `@${g.branch}` : "") : "—";
}

// Bytes for people: 52817311 -> "50.4 MB".
function bytes(n) {
  if (typeof n !== "number") return "?";
  const units = ["bytes", "kB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return i === 0 ? `${n} bytes` : `${n.toFixed(1)} ${units[i]}`;
}

// What one maintenance operation did, from its part of the result.
function operationOutcome(op, r) {
  const del = r.dry_run ? "would delete" : "deleted";
  const files = `${del} ${r.deleted_files ?? 0} files (${bytes(r.deleted_bytes ?? 0)})`;
  if (op === "expire_snapshots") return `expired ${r.expired_snapshots ?? 0} snapshots, ${files}`;
  if (op === "remove_orphan_files") return `orphan files: ${files} of ${r.listed_files ?? 0} listed`;
  if (op === "purge") return `purge: ${files}`;
  return `${op.replace(/_/g, " ")}: done`;
}

// A succeeded task's outcome in a few words (its bar's label, its row in
// the list): what it came to, not its last phase's counter.
export function summary(t) {
  const r = t.result || {};
  if (t.kind === "maintenance" || t.kind === "purge") {
    const ops = Object.keys(r).filter((k) => r[k] && typeof r[k] === "object");
    return ops.length ? ops.map((k) => operationOutcome(k, r[k])).join("; ") : "succeeded";
  }
  if (t.kind === "merge") {
    const what = `${r.operation === "rebase" ? "rebase" : "merge"} ${r.source_branch || "?"} -> ${r.target_branch || "?"}`;
    return r.status === "conflicted" ? `${what}: ${r.conflicts ?? "some"} conflicts` : `${what}: ${r.status || "completed"}`;
  }
  if (t.kind === "branch" && r.branch) return `branch ${r.branch.name} created, ${r.copied ?? 0} asset rows copied`;
  if (t.kind === "federated_sync")
    return `synced ${r.namespaces_synced ?? 0} namespaces, ${r.tables_synced ?? 0} tables`;
  if (t.kind === "scan_plan")
    return `planned ${r.files ?? 0} files in ${r.parts ?? 0} plan tasks (${r.manifests_read ?? 0} of ${r.manifests_listed ?? 0} manifests read)`;
  return "succeeded";
}

const succeeded = (t) => t.status === "succeeded" || t.status === "done";

export function bar(t) {
  const p = t.progress || {};
  const total = p.total || 0, done = p.done || 0;
  // A task that succeeded ends full, whatever its last progress said (a
  // merge's last count is its plan's; a branch copies without one, a
  // maintenance task's last phase counts one commit); one that failed or
  // was cancelled keeps the value it stopped at.
  const ok = succeeded(t);
  const max = total || 1;
  const pr = h("progress", { max: String(max), value: String(ok ? max : Math.min(done, max)),
    "aria-label": `progress of task ${t.id}` });
  const label = ok ? summary(t) : [`${done}/${total}`, p.phase, p.message].filter(Boolean).join(" · ");
  return h("div", { class: `bar${ok ? " full" : ""}`, "data-task-bar": t.id }, pr, h("div", { class: "label" }, label));
}

// What a finished task came to, in a sentence, with a link to what it
// made: a merge's operation, a new branch.  Text nodes only (no HTML
// from data).
function outcome(t) {
  if (!ENDED.includes(t.status)) return null;
  const r = t.result || {};
  const cat = (t.target || {}).catalog;
  const line = (...kids) => h("p", { id: "task-outcome", class: `outcome ${t.status}` }, ...kids);
  if (t.status === "failed") return line(t.error ? "Failed (the error is below)." : "Failed.");
  if (t.status === "cancelled") return line("Cancelled.");
  if (t.kind === "merge") {
    const what = `${r.operation === "rebase" ? "Rebase" : "Merge"} of ${r.source_branch || "?"} into ${r.target_branch || "?"}`;
    const op = r.operation_id ? h("a", { href: `#/merges/${enc(r.operation_id)}` }, `operation ${String(r.operation_id).slice(0, 8)}`) : null;
    if (r.status === "conflicted")
      return line(`${what}: ${r.conflicts ?? "some"} conflicts to resolve`, op ? " in " : "", op || "", ".");
    return line(`${what}: ${r.status || "completed"}`, r.result_commit_id ? `, commit ${String(r.result_commit_id).slice(0, 8)}` : "",
      op ? " (" : "", op || "", op ? ")" : "", ".");
  }
  if (t.kind === "branch" && r.branch) {
    const b = r.branch.name;
    return line("Branch ", cat ? h("a", { href: `#/catalogs/${enc(cat)}/branches/${enc(b)}` }, b) : b,
      ` created; ${r.copied ?? 0} asset rows copied.`);
  }
  if (t.kind === "federated_sync" || t.kind === "maintenance" || t.kind === "purge" || t.kind === "scan_plan") {
    const s = summary(t);
    return line(`${s.charAt(0).toUpperCase()}${s.slice(1)}.`);
  }
  return line("Succeeded.");
}


// Put a freshly drawn task table in box.  When it lists the same tasks
// in the same order, only the cells that differ are replaced: a link or
// button under the pointer or the keyboard's focus is not swapped for a
// copy every second while the list polls.
export function redraw(box, next) {
  const old = box.querySelector(":scope > .scroll tbody");
  const neu = next.querySelector ? next.querySelector("tbody") : null;
  const ids = (tb) => [...tb.rows].map((r) => r.getAttribute("data-task")).join(" ");
  if (!old || !neu || ids(old) !== ids(neu)) { box.replaceChildren(next); return; }
  [...old.rows].forEach((r, i) => {
    const fresh = [...neu.rows[i].cells];
    [...r.cells].forEach((c, j) => { if (!c.isEqualNode(fresh[j])) r.replaceChild(fresh[j], c); });
  });
}

function cancelButton(t, after) {
  if (ENDED.includes(t.status)) return null;
  return h("button", { type: "button", class: "secondary", disabled: t.cancel_requested,
    "aria-label": `Cancel task ${t.id}`, onclick: async (ev) => {
      ev.target.disabled = true;
      try { await api("POST", `/api/v1/tasks/${enc(t.id)}/cancel`); showError(null); }
      catch (e) { showError(e); }
      after();
    } }, t.cancel_requested ? "Cancelling…" : "Cancel");
}

// The list's page lives in the address (#/tasks?offset=100), so the
// poller redraws the page on screen and a reload keeps it.
function tasksHash(status, offset) {
  const q = new URLSearchParams();
  if (status) q.set("status", status);
  if (offset) q.set("offset", String(offset));
  return q.toString() ? `#/tasks?${q}` : "#/tasks";
}

function drawPager(box, status, offset, count, total) {
  const info = count === 0 ? "" : `rows ${offset + 1}–${offset + count}${total != null ? ` of ${total}` : ""}`;
  const last = total != null ? offset + count >= total : count < PAGE_SIZE;
  const key = `${info}|${last}`;
  if (box.dataset.key === key) return;	// unchanged: keep focus where it is
  box.dataset.key = key;
  box.replaceChildren(...(offset === 0 && last ? [] : [
    h("button", { type: "button", class: "secondary", disabled: offset === 0,
      onclick: () => { location.hash = tasksHash(status, Math.max(0, offset - PAGE_SIZE)); } }, "Previous"),
    h("span", { class: "page-info" }, info),
    h("button", { type: "button", class: "secondary", disabled: last,
      onclick: () => { location.hash = tasksHash(status, offset + PAGE_SIZE); } }, "Next")]));
}

function showTasks(params) {
  const status = params.get("status") || "";
  const offset = Math.max(0, Math.floor(Number(params.get("offset")) || 0));
  const filter = h("select", { id: "task-status", onchange: (ev) => {
    location.hash = tasksHash(ev.target.value, 0);
  } }, ["", "queued", "running", "succeeded", "failed", "cancelled"].map((s) =>
    h("option", { value: s, selected: s === status }, s || "any")));
  const list = h("div", { id: "task-list" }, h("p", {}, "loading…"));
  const pager = h("div", { id: "task-pager", class: "pager row", role: "navigation", "aria-label": "task pages" });
  view("Tasks", h("div", { class: "row" }, h("div", {},
    h("label", { for: "task-status" }, "Status"), filter)), list, pager);
  const refresh = async () => {
    try {
      const { items: tasks, total } = await apiPage(`/api/v1/tasks${status ? `?status=${enc(status)}` : ""}`, offset);
      redraw(list, table(["Task", "Kind", "Target", "Progress", "Status", "Duration", ""],
        tasks.map((t) => ({ attrs: { "data-task": t.id }, cells: [
          h("a", { href: `#/tasks/${enc(t.id)}`, title: t.id }, t.id.slice(0, 8)),
          t.kind, target(t), bar(t), badge(t.status), duration(t), cancelButton(t, refresh)] })),
        "no tasks"));
      drawPager(pager, status, offset, tasks.length, total);
    } catch (e) {
      list.replaceChildren(failed("cannot list tasks", e));
    }
  };
  poll(refresh);
}

function showTask(id) {
  const box = h("div", { id: "task-detail" }, h("p", {}, "loading…"));
  view(`Task ${id.slice(0, 8)}`, box);
  const refresh = async () => {
    try {
      const t = await api("GET", `/api/v1/tasks/${enc(id)}`);
      // replaceChildren would write a null as the text "null".
      box.replaceChildren(...[
        bar(t),
        outcome(t),
        h("dl", {},
          h("dt", {}, "Id"), h("dd", {}, h("code", {}, t.id)),
          h("dt", {}, "Kind"), h("dd", {}, t.kind),
          h("dt", {}, "Target"), h("dd", {}, target(t)),
          h("dt", {}, "Status"), h("dd", {}, badge(t.status)),
          h("dt", {}, "Attempts"), h("dd", {}, `${t.attempts}/${t.max_attempts}`),
          h("dt", {}, "Created by"), h("dd", {}, t.created_by || "—"),
          h("dt", {}, "Created"), h("dd", {}, time(t.created_at)),
          h("dt", {}, "Started"), h("dd", {}, time(t.started_at)),
          h("dt", {}, "Finished"), h("dd", {}, time(t.finished_at)),
          h("dt", {}, "Duration"), h("dd", {}, duration(t))),
        cancelButton(t, refresh),
        t.error ? h("p", { class: "error" }, `Error: ${t.error}`) : null,
        h("h3", {}, "Parameters"), h("pre", {}, JSON.stringify(t.params, null, 2)),
        h("h3", {}, "Result"), h("pre", { id: "task-result" },
          t.result == null ? "(none yet)" : JSON.stringify(t.result, null, 2)),
        h("p", {}, h("a", { href: "#/tasks" }, "All tasks"))].filter((k) => k != null));
      if (ENDED.includes(t.status)) stopPoll();
    } catch (e) {
      box.replaceChildren(failed("cannot read the task", e));
    }
  };
  poll(refresh);
}


nav("#/tasks", "Tasks", 20);
route("/tasks", (p, q) => showTasks(q));
route("/tasks/:id", (p) => showTask(p.id));
