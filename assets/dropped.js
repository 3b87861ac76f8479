// Undrop (issue 46): a catalog's recoverable drops, newest first, each
// with a Restore button (back where it was) and a form to restore one
// under another namespace or name.  The server lists only the drops of
// namespaces where the caller may create tables.
"use strict";

import { api, button, code, enc, form, h, link, pages, pagedTable, route, say, section, showError, time, view } from "./core.js";

const levels = (s) => s.split(".").map((x) => x.trim()).filter(Boolean);

function showDropped(cat) {
  const base = `/api/v1/catalogs/${enc(cat)}/dropped`;
  const v = view(`Dropped in ${cat}`);
  const restore = async (d, body) => {
    const r = await api("POST", `${base}/${enc(d.id)}/restore`, body);
    say(`${r.kind} ${r.namespace.join(".")}.${r.name} restored on ${r.branch}`);
    list.reload();
    return r;
  };
  const list = pagedTable({ id: "dropped-list", what: "cannot list dropped tables", empty: "nothing dropped to restore",
    cols: ["Name", "Kind", "Branch", "Dropped", "By", "Recoverable until", "Id", ""], fetch: pages(base),
    row: (d) => [`${d.namespace.join(".")}.${d.name}`, d.kind, d.branch, time(d.dropped_at), d.dropped_by || "—",
      d.expires_at ? time(d.expires_at) : "—", code(d.id.slice(0, 8), d.id),
      button("Restore", async (ev) => {
        ev.target.disabled = true;
        try { await restore(d); showError(null); } catch (e) { showError(e); ev.target.disabled = false; }
      }, { "aria-label": `Restore ${d.namespace.join(".")}.${d.name}` })] });
  const other = form({
    id: "dropped-restore", title: "Restore under another name", submit: "Restore",
    fields: [
      { name: "id", label: "Drop id", required: true },
      { name: "namespace", label: "Namespace", placeholder: "sales.archive (empty: where it was)" },
      { name: "name", label: "Name", placeholder: "empty: its old name" },
    ],
    onSubmit: (x) => restore({ id: x.id }, { namespace: x.namespace ? levels(x.namespace) : undefined, name: x.name }),
    done: () => {},
  });
  v.append(h("p", {}, "Tables and views dropped without purge stay recoverable for the catalog's retention ",
    "(pangolin.undrop-retention-days). A restore brings back the same table, history and files."),
  list, section("Restore elsewhere", other), h("p", {}, link(`#/catalogs/${enc(cat)}`, `Back to ${cat}`)));
}

route("/catalogs/:cat/dropped", (p) => showDropped(p.cat));
