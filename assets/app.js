// Admin page: store health and catalogs, read from the management API.
"use strict";

async function getJSON(path) {
  const res = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text == null ? "" : String(text);
  return td;
}

async function showStatus() {
  const el = document.getElementById("status");
  try {
    const h = await getJSON("/health/ready");
    el.textContent = `store ${h.store_plugin}: ${h.status}`;
    el.className = "pill ok";
  } catch (e) {
    el.textContent = `unready: ${e.message}`;
    el.className = "pill bad";
  }
}

async function showCatalogs() {
  const body = document.querySelector("#catalogs tbody");
  try {
    const cats = await getJSON("/api/v1/catalogs");
    body.replaceChildren();
    for (const c of cats) {
      const s = await getJSON(`/api/v1/catalogs/${encodeURIComponent(c.name)}/summary`);
      const tr = document.createElement("tr");
      tr.append(cell(c.name), cell(c.warehouse_name), cell(s.namespace_count),
        cell(s.table_count), cell(s.branch_count), cell(c.storage_location));
      body.append(tr);
    }
    if (cats.length === 0) body.innerHTML = "<tr><td colspan=6>no catalogs</td></tr>";
  } catch (e) {
    body.innerHTML = "";
    const tr = document.createElement("tr");
    const td = cell(`cannot list catalogs: ${e.message}`);
    td.colSpan = 6;
    tr.append(td);
    body.append(tr);
  }
}

showStatus();
showCatalogs();
