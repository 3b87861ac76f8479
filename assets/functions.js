// SQL functions (issue 70): a namespace's functions, and one function's
// page: each definition (its signature and return type), its versions
// newest first with the SQL of each dialect as text, the current one
// marked, and the definition log.  Read through the Iceberg REST routes
// (listFunctions, loadFunction), so the page shows what a client loads.
"use strict";

import { api, code, enc, failed, h, onScreen, pairs, route, section, table, time, view } from "./core.js";

const nsKey = (ns) => (Array.isArray(ns) ? ns.join("\x1f") : String(ns ?? ""));
const dotted = (ns) => nsKey(ns).split("\x1f").join(".");
const qualified = (name, branch) => (branch ? `${name}@${branch}` : name);
const branchQuery = (branch) => (branch && branch !== "main" ? `?branch=${enc(branch)}` : "");

export function functionHref(cat, ns, name, branch) {
  return `#/catalogs/${enc(cat)}/functions/${enc(nsKey(ns))}/${enc(name)}${branchQuery(branch)}`;
}

// A FunctionDataType as the spec's canonical text: int, list<int>, struct<a:int>.
function typeText(t) {
  if (typeof t === "string") return t;
  if (t?.type === "list") return `list<${typeText(t.element)}>`;
  if (t?.type === "map") return `map<${typeText(t.key)},${typeText(t.value)}>`;
  if (t?.type === "struct") return `struct<${(t.fields || []).map((f) => `${f.name}:${typeText(f.type)}`).join(",")}>`;
  return "—";
}

// A namespace's functions (the list's identifiers: levels, then the name).
export function functionsSection(cat, ns, branch) {
  const box = h("div", { id: "function-list" }, h("p", {}, "loading…"));
  (async () => {
    try {
      const r = await api("GET", `/v1/${enc(cat)}/namespaces/${enc(qualified(nsKey(ns), branch))}/functions`);
      const ids = r.identifiers || [];
      box.replaceChildren(table(["Function"], ids.map((id) => {
        const name = id[id.length - 1];
        return { attrs: { "data-function": name }, cells: [h("a", { href: functionHref(cat, ns, name, branch) }, name)] };
      }), "no functions"));
    } catch (e) {
      box.replaceChildren(failed("cannot list the functions", e));
    }
  })();
  return section("Functions", box);
}

// One version: when, its flags, and each dialect's SQL as text.
function versionCard(ver, current) {
  return h("article", { class: "function-version card", "data-version-id": ver["version-id"] },
    h("h5", {}, `Version ${ver["version-id"]}`, ver["version-id"] === current ? " (current)" : ""),
    pairs([["Time", time(ver["timestamp-ms"])], ["Deterministic", ver.deterministic ? "yes" : "no"],
      ["On NULL input", ver["on-null-input"] === "return-null" ? "returns NULL" : "called"]]),
    (ver.representations || []).map((r) => h("div", { class: "representation" },
      h("p", {}, "Dialect ", h("code", { class: "dialect" }, r.dialect || "—")),
      h("pre", { class: "sql" }, r.sql ?? ""))));
}

function definitionCard(fnName, d) {
  const params = (d.parameters || []).map((p) => `${p.name} ${typeText(p.type)}`).join(", ");
  const current = d["current-version-id"];
  const versions = [...(d.versions || [])].sort((a, b) => b["version-id"] - a["version-id"]);
  return h("article", { class: "function-definition card", "data-definition-id": d["definition-id"] },
    h("h4", {}, `${fnName}(${params}) → ${typeText(d["return-type"])}`),
    pairs([["Definition id", code(d["definition-id"] || "()")], ["Type", d["function-type"] || "—"],
      ["Specific name", d["specific-name"] || "—"], ["Current version", String(current ?? "—")],
      ["Doc", d.doc || "—"]]),
    versions.map((v) => versionCard(v, current)));
}

function logTable(md) {
  const log = [...(md["definition-log"] || [])].reverse();
  return table(["Time", "Definition versions"], log.map((e) => ({ cells: [time(e["timestamp-ms"]),
    (e["definition-versions"] || []).map((x) => `(${x["definition-id"]}) v${x["version-id"]}`).join(", ")] })), "no entries");
}

async function showFunction(cat, ns, fn, query) {
  const branch = query.get("branch") || "";
  const name = `${cat}.${dotted(ns)}.${fn}${branch ? ` @ ${branch}` : ""}`;
  const back = h("p", {}, h("a", { href: `#/catalogs/${enc(cat)}/namespaces/${enc(ns)}${branchQuery(branch)}` },
    `Namespace ${dotted(ns)}`));
  const v = view(`Function ${name}`, h("p", {}, "loading…"));
  let t;
  try { t = await api("GET", `/v1/${enc(cat)}/namespaces/${enc(ns)}/functions/${enc(qualified(fn, branch))}`); }
  catch (e) { if (onScreen(v)) view(`Function ${name}`, failed("cannot load the function", e), back); return; }
  const md = t.metadata || {};
  v.replaceChildren(v.firstChild, h("div", { class: "explorer" },
    section("Function", pairs([["Function UUID", h("code", { class: "wrap" }, md["function-uuid"] || "—")],
      ["Format version", String(md["format-version"] ?? "—")], ["Secure", md.secure ? "yes" : "no"],
      ["Doc", md.doc || "—"], ["Location", h("code", { class: "wrap" }, md.location || "—")],
      ["Metadata location", h("code", { class: "wrap" }, t["metadata-location"] || "—")]])),
    section("Definitions", (md.definitions || []).map((d) => definitionCard(fn, d))),
    section("Definition log", logTable(md)),
    section("Properties", table(["Key", "Value"], Object.entries(md.properties || {}).map(([k, x]) =>
      ({ attrs: { "data-prop": k }, cells: [k, x] })), "no properties"))), back);
}

route("/catalogs/:cat/functions/:ns/:fn", (p, q) => showFunction(p.cat, p.ns, p.fn, q));
