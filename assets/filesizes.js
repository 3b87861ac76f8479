// A table's data files by size, for its current snapshot: a histogram
// and the count of small files.  The sizes are in the manifests, which
// the page does not read itself: it asks the server's scan planning
// (POST .../plan, the Iceberg REST route clients use) for every file of
// the snapshot, following a plan that is made by a task (submitted, then
// completed) and one stored in parts (plan tasks, fetched one by one,
// the progress bar counting them).  Done on demand, and kept for the tab
// by metadata location: a later snapshot is a new question.
"use strict";

import { api, enc, failed, h } from "./core.js";
import { bytes, chart } from "./charts.js";

const MiB = 2 ** 20;
// Bins by powers of two, from under 1 MiB to 1 GiB and over.
const EDGES = [0, MiB, 4 * MiB, 16 * MiB, 64 * MiB, 128 * MiB, 256 * MiB, 512 * MiB, 1024 * MiB];
const DEFAULT_TARGET = 512 * MiB;	// Iceberg's write.target-file-size-bytes
const known = new Map();	// metadata location -> {sizes, at}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const binLabel = (i) => (i === EDGES.length - 1 ? `≥ ${bytes(EDGES[i])}` : `< ${bytes(EDGES[i + 1])}`);

// Every data file's size in the snapshot, by the server's scan plan.
async function planSizes(base, snapshotId, progress) {
  let p = await api("POST", `${base}/plan`, { "snapshot-id": snapshotId });
  for (let wait = 50; p.status === "submitted"; wait = Math.min(wait * 2, 1000)) {
    progress(0, 1, "the server is reading the manifests…");
    await sleep(wait);
    p = await api("GET", `${base}/plan/${enc(p["plan-id"])}`);
  }
  if (p.status !== "completed") throw new Error(`the plan ended ${p.status}${p.error ? `: ${p.error.message}` : ""}`);
  const sizes = (p["file-scan-tasks"] || []).map((t) => t["data-file"]?.["file-size-in-bytes"] ?? 0);
  const parts = p["plan-tasks"] || [];
  for (let i = 0; i < parts.length; i++) {
    progress(i, parts.length, `part ${i + 1} of ${parts.length}`);
    const r = await api("POST", `${base}/tasks`, { "plan-task": parts[i] });
    for (const t of r["file-scan-tasks"] || []) sizes.push(t["data-file"]?.["file-size-in-bytes"] ?? 0);
  }
  // A plan held by the server is let go once read.
  if (p["plan-id"]) api("DELETE", `${base}/plan/${enc(p["plan-id"])}`).catch(() => {});
  return sizes;
}

function histogram(sizes, target) {
  const counts = EDGES.map(() => 0);
  for (const s of sizes) {
    let i = EDGES.length - 1;
    while (i > 0 && s < EDGES[i]) i--;
    counts[i]++;
  }
  const small = sizes.filter((s) => s < target / 4).length;
  const total = sizes.reduce((a, b) => a + b, 0);
  return h("div", { id: "file-sizes-out", "data-files": String(sizes.length), "data-small": String(small) },
    h("p", {}, `${sizes.length} data files, ${bytes(total)}; `,
      h("strong", { id: "small-files" }, `${small} small`),
      ` (under a quarter of the target size, ${bytes(target)})${sizes.length ? `: ${Math.round((100 * small) / sizes.length)} %` : ""}.`),
    chart({ id: "file-size-chart", title: "Data files by size", xTime: false, height: 200,
      good: "Good: most files near the target size; many small files slow every scan (compaction rewrites them).",
      x: EDGES.map((_, i) => i), ys: [counts], xLabel: "Size", xFmt: binLabel, xAxisFmt: binLabel, yFmt: String,
      series: [{ label: "Files", kind: "bars", color: "#2f7ed8", fmt: String }],
      onHover: (i) => `${binLabel(i)}: ${counts[i]} files` }));
}

// The section's body: a button, then the answer.
export function fileSizes(md, base, location) {
  const target = Number(md.properties?.["write.target-file-size-bytes"]) || DEFAULT_TARGET;
  const out = h("div", { "aria-live": "polite" });
  const bar = h("progress", { id: "file-sizes-progress", max: "1", value: "0", hidden: true });
  const note = h("span", { class: "help" });
  const cur = md["current-snapshot-id"];
  const go = h("button", { type: "button", class: "secondary", id: "file-sizes-go", disabled: cur == null, onclick: async () => {
    go.disabled = true; bar.hidden = false;
    try {
      if (!known.has(location)) known.set(location, await planSizes(base, cur, (d, n, text) => {
        bar.max = String(n); bar.value = String(d); note.textContent = text; }));
      out.replaceChildren(histogram(known.get(location), target));
      note.textContent = "";
    } catch (e) { out.replaceChildren(failed("cannot read the file sizes", e)); }
    finally { go.disabled = false; bar.hidden = true; }
  } }, "Show the data files by size (reads the manifests)");
  if (known.has(location)) out.append(histogram(known.get(location), target));
  return h("div", { class: "file-sizes" }, h("div", { class: "row" }, go, bar, note),
    cur == null ? h("p", { class: "empty" }, "no snapshot: no data files") : null, out);
}
