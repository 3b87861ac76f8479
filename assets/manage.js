// Tenants, warehouses, catalogs (local and federated): lists that page,
// create, edit and delete; one catalog's branches, tags, namespaces and
// merges; a namespace's properties, child namespaces and tables; a
// branch's commits.  Forms are core.js form(): a server error lands
// beside the field it names.
"use strict";

import {
  api, apiPage, button, code, dangerButton, enc, errorField, everyRow, failed, form, go, h, isAdmin, isRoot, link, nameRule, nav,
  pages, pagedTable, pairs, request, route, say, section, session, table, time, view,
} from "./core.js";
import { mergeForm, mergeList } from "./merges.js";
import { functionsSection } from "./functions.js";

// ---- helpers --------------------------------------------------------------

const NS_SEP = "\x1f";	// the Iceberg REST namespace separator in a path
const nsPath = (parts) => enc(parts.join(NS_SEP));
const json = (v) => JSON.stringify(v ?? {});

// Catalogs and a warehouse's removal are a tenant admin's (routes.c:
// TENANT_ADMIN_DOES); root is told so rather than shown a form it would
// be refused.
const tenantAdmin = () => session.me?.role === "tenant-admin";
function tenantAdminOnly(what) {
  return h("p", { class: "notice", "data-why": "tenant-admin-only" }, `${what} is done by an admin of the tenant, not by root.`);
}

// Append the kids that exist (append() would write null as "null").
function add(el, ...kids) { el.append(...kids.flat().filter((k) => k != null && k !== false)); return el; }

// The fields of values that differ from the stored ones (an edit's PUT
// sends only those).  An empty text field means "unchanged".
function changed(values, stored) {
  const out = {};
  for (const [k, v] of Object.entries(values)) if (json(v) !== json(stored[k])) out[k] = v;
  return out;
}

// Show a form's fields only when when(values of the form) says so.
function showWhen(f, rules) {
  const update = () => {
    for (const w of f.widgets) {
      const rule = rules[w.f.name];
      if (rule) w.node.hidden = !rule(f.elements);
    }
  };
  f.addEventListener("change", update);
  update();
  return f;
}

// An Iceberg REST list (pageToken/pageSize) as a pagedTable fetcher: the
// token for each page's offset is the one the page before answered.
export function icebergPages(path, key) {
  const tokens = new Map([[0, null]]);
  return async (offset, limit) => {
    const tok = tokens.get(offset);
    const sep = path.includes("?") ? "&" : "?";
    // An empty token asks for the first page (no token: the whole list).
    const r = await api("GET", `${path}${sep}pageSize=${limit}&pageToken=${enc(tok || "")}`);
    const items = r[key] || [];
    const next = r["next-page-token"];
    if (next) { tokens.set(offset + limit, next); return { items, total: null }; }
    return { items, total: offset + items.length };
  };
}

// Every row of a management list (for a form's choices).
const all = (path) => everyRow(path);

function propsText(p) {
  const e = Object.entries(p || {});
  return e.length ? e.map(([k, v]) => `${k}=${v}`).join(", ") : "—";
}

function afterCreate(f, list, what) {
  return () => { f.reset(); list.reload(); say(`${what} created`); };
}

// ---- tenants ------------------------------------------------------------------

function tenantFields(t = {}) {
  return [
    { name: "name", label: "Name", required: !t.id, value: t.name, validate: nameRule },
    { name: "properties", label: "Properties", type: "json", value: t.properties || {},
      help: "A JSON object of string values, e.g. {\"owner\": \"data team\"}" },
  ];
}

function showTenants() {
  const v = view("Tenants");
  const list = pagedTable({ id: "tenant-list", what: "cannot list tenants", cols: ["Name", "Id", "Properties"],
    fetch: pages("/api/v1/tenants"), empty: "no tenants",
    row: (t) => [link(`#/tenants/${enc(t.id)}`, t.name), code(t.id), propsText(t.properties)] });
  add(v, list);
  if (!isRoot()) return;
  const f = form({ id: "tenant-form", title: "New tenant", fields: tenantFields(), submit: "Create tenant",
    onSubmit: (x) => api("POST", "/api/v1/tenants", x), done: () => afterCreate(f, list, "tenant")() });
  add(v, f);
}

async function showTenant(id) {
  const v = view("Tenant");
  let t;
  try { t = await api("GET", `/api/v1/tenants/${enc(id)}`); }
  catch (e) { add(v, failed("cannot read the tenant", e)); return; }
  v.firstChild.textContent = `Tenant ${t.name}`;
  add(v, pairs([["Name", t.name], ["Id", code(t.id)], ["Properties", propsText(t.properties)]]));
  if (!isRoot()) return;
  add(v, form({ id: "tenant-edit", title: "Edit tenant", fields: tenantFields(t), submit: "Save",
    onSubmit: (x) => api("PUT", `/api/v1/tenants/${enc(id)}`, changed(x, t)),
    done: () => { say("tenant saved"); showTenant(id); } }),
  dangerButton("Delete tenant", `Delete tenant ${t.name}?`, async () => {
    await api("DELETE", `/api/v1/tenants/${enc(id)}`);
    go("#/tenants");
  }, { id: "tenant-delete" }));
}

// ---- warehouses -----------------------------------------------------------------

// storage_config takes either key convention (pangolin-api.md §2.2): read
// both, write the s3.* one.
const S3_KEYS = { bucket: "s3.bucket", prefix: "s3.prefix", region: "s3.region", endpoint: "s3.endpoint",
  access_key: "s3.access-key-id", secret_key: "s3.secret-access-key" };
const PLAIN_KEYS = { bucket: "bucket", prefix: "prefix", region: "region", endpoint: "endpoint",
  access_key: "access_key_id", secret_key: "secret_access_key" };

function storedS3(cfg, field) { return cfg[S3_KEYS[field]] ?? cfg[PLAIN_KEYS[field]]; }

function storageType(cfg) { return cfg.type === "filesystem" ? "local" : (cfg.type || "s3"); }

function storageSummary(cfg = {}) {
  const type = storageType(cfg);
  if (type === "local") return `local ${cfg.root || cfg.path || ""}`;
  if (type === "s3") return `s3://${storedS3(cfg, "bucket") || "?"}${storedS3(cfg, "endpoint") ? ` at ${storedS3(cfg, "endpoint")}` : ""}`;
  if (type === "azure") return `abfss://${cfg.container || "?"}@${cfg.account_name || "?"}${cfg.endpoint ? ` at ${cfg.endpoint}` : ""}`;
  return type;
}

function vendingKind(vs) { return typeof vs === "string" ? vs : Object.keys(vs || {})[0] || "None"; }

// An Azure warehouse signs with its account key (Shared Key) or as an
// Entra service principal (warehouse_azure.c: one way, not both).
const azureAuth = (cfg) => (cfg.tenant_id || cfg.client_id || cfg.client_secret) && !cfg.account_key ? "entra" : "key";

// The storage_config keys an Azure form writes as typed (all strings).
const AZURE_TEXT = ["account_name", "container", "prefix", "endpoint", "sas_lifetime_secs"];

function warehouseFields(w) {
  const cfg = w ? w.storage_config || {} : {};
  const sts = (w && w.vending_strategy && w.vending_strategy.AwsSts) || {};
  const keep = w ? "Write-only; leave empty to keep the stored one." : "Write-only: never shown again.";
  return [
    { name: "name", label: "Name", required: !w, value: w?.name, nameKind: w ? null : "warehouse", validate: nameRule },
    { name: "type", label: "Storage type", type: "select", value: w ? storageType(cfg) : "local",
      options: [["local", "Local disk"], ["s3", "S3"], ["azure", "Azure"]] },
    { name: "root", label: "Root directory", value: cfg.root || cfg.path,
      help: w ? null : "An absolute path; empty: the server's default place for this tenant." },
    { name: "account_name", label: "Account name", value: cfg.account_name, placeholder: "contosolake",
      help: "The storage account: 3 to 24 lower-case letters and digits." },
    { name: "container", label: "Container", value: cfg.container },
    { name: "bucket", label: "Bucket", value: storedS3(cfg, "bucket") },
    // prefix and endpoint serve S3 and Azure; their words follow the type (TYPE_TEXTS).
    { name: "prefix", label: "Key prefix", value: storedS3(cfg, "prefix"), help: TYPE_TEXTS.prefix.s3.help },
    { name: "region", label: "Region", value: storedS3(cfg, "region"), placeholder: "us-east-1" },
    { name: "endpoint", label: "Endpoint", value: storedS3(cfg, "endpoint"), placeholder: TYPE_TEXTS.endpoint.s3.placeholder,
      help: TYPE_TEXTS.endpoint.s3.help },
    { name: "path_style", label: "Path-style addressing", type: "checkbox",
      value: (cfg["s3.path-style-access"] ?? cfg.path_style_access ?? "true") === "true" },
    { name: "access_key", label: "Access key id", value: storedS3(cfg, "access_key") },
    { name: "secret_key", label: "Secret access key", type: "password", help: keep, autocomplete: "new-password" },
    { name: "auth", label: "Authentication", type: "select", value: azureAuth(cfg),
      options: [["key", "Account key (Shared Key)"], ["entra", "Entra service principal"]] },
    { name: "account_key", label: "Account key", type: "password", help: keep, autocomplete: "new-password" },
    { name: "tenant_id", label: "Tenant id", value: cfg.tenant_id, help: "The Microsoft Entra tenant (directory) id." },
    { name: "client_id", label: "Client id", value: cfg.client_id, help: "The service principal's application (client) id." },
    { name: "client_secret", label: "Client secret", type: "password", help: keep, autocomplete: "new-password" },
    { name: "sas_lifetime_secs", label: "SAS lifetime (seconds)", type: "number", min: 60, value: cfg.sas_lifetime_secs,
      placeholder: "3600", help: "60 to 86400; empty: 3600." },
    { name: "use_sts", label: "Use STS", type: "checkbox", value: !!w?.use_sts },
    { name: "vending_strategy", label: "Vending strategy", type: "select", value: vendingKind(w?.vending_strategy),
      options: [["None", "None"], ["AwsSts", "AWS STS (assume a role)"], ["AwsStatic", "AWS static keys"]] },
    { name: "role_arn", label: "Role ARN", value: sts.role_arn },
    { name: "external_id", label: "External id", value: sts.external_id },
  ];
}

// The words of a field both S3 and Azure use, by storage type.
const TYPE_TEXTS = {
  prefix: {
    s3: { label: "Key prefix", help: "Keys under this prefix; empty: the whole bucket." },
    azure: { label: "Prefix", help: "Blobs under this prefix; empty: the whole container." },
  },
  endpoint: {
    s3: { placeholder: "https://s3.example.com:9000", help: "http(s)://host[:port], no path; empty means AWS." },
    azure: { placeholder: "https://<account>.blob.core.windows.net",
      help: "empty: https://<account>.blob.core.windows.net; the emulator: http://host:port/<account>" },
  },
};

function typeTexts(f) {
  const update = () => {
    const type = f.elements.type.value;
    for (const w of f.widgets) {
      const t = TYPE_TEXTS[w.f.name]?.[type];
      if (!t) continue;
      if (t.label) w.node.querySelector("label").firstChild.textContent = t.label;
      if (t.help) w.node.querySelector(".help").textContent = t.help;
      if (t.placeholder) w.control.placeholder = t.placeholder;
    }
  };
  f.addEventListener("change", update);
  update();
  return f;
}

const isS3 = (e) => e.type.value === "s3";
const isAzure = (e) => e.type.value === "azure";
const azureAuthIs = (a) => (e) => isAzure(e) && e.auth.value === a;
const WAREHOUSE_RULES = {
  root: (e) => !isS3(e) && !isAzure(e), bucket: isS3, prefix: (e) => isS3(e) || isAzure(e), region: isS3,
  endpoint: (e) => isS3(e) || isAzure(e), path_style: isS3, access_key: isS3, secret_key: isS3,
  account_name: isAzure, container: isAzure, auth: isAzure, account_key: azureAuthIs("key"),
  tenant_id: azureAuthIs("entra"), client_id: azureAuthIs("entra"), client_secret: azureAuthIs("entra"),
  sas_lifetime_secs: isAzure,
  // STS and the vending strategy are AWS's: an Azure warehouse vends a SAS
  // from its storage_config.
  use_sts: (e) => !isAzure(e), vending_strategy: (e) => !isAzure(e),
  role_arn: (e) => !isAzure(e) && e.vending_strategy.value === "AwsSts",
  external_id: (e) => !isAzure(e) && e.vending_strategy.value === "AwsSts",
};

// The warehouse form: the fields its type shows, the words its type uses,
// and a refusal beside a field that is shown (a message naming several,
// "needs account_key, or tenant_id, client_id and client_secret", goes to
// the one on screen; one naming only hidden fields goes under the form).
function warehouseForm(spec) {
  const f = form({ ...spec, fields: warehouseFields(spec.stored), fieldOf: (e) =>
    errorField(f.widgets.filter((w) => !w.node.hidden).map((w) => w.f), e.message) ||
    (e.status === 409 ? "name" : "(the form)") });
  return typeTexts(showWhen(f, WAREHOUSE_RULES));
}

// The body a warehouse form's values make; stored (an edit) limits it
// to what changed, secrets only when typed.
function warehouseBody(x, stored) {
  const cfg = {};
  const azure = x.type === "azure";
  if (x.type === "local") {
    cfg.type = "local";
    if (x.root) cfg.root = x.root;
  } else if (azure) {
    cfg.type = "azure";
    for (const k of AZURE_TEXT) if (x[k] !== undefined) cfg[k] = String(x[k]);
    for (const k of x.auth === "entra" ? ["tenant_id", "client_id", "client_secret"] : ["account_key"])
      if (x[k] !== undefined) cfg[k] = x[k];
  } else {
    cfg.type = "s3";
    for (const k of ["bucket", "prefix", "region", "endpoint", "access_key", "secret_key"])
      if (x[k] !== undefined) cfg[S3_KEYS[k]] = x[k];
    cfg["s3.path-style-access"] = String(!!x.path_style);
  }
  let vending = x.vending_strategy;
  if (azure) vending = "None";
  else if (vending === "AwsSts") vending = { AwsSts: { role_arn: x.role_arn || "", external_id: x.external_id ?? null } };
  else if (vending === "AwsStatic")
    vending = { AwsStatic: { access_key_id: x.access_key || "", secret_access_key: x.secret_key || "" } };
  const body = { name: x.name, use_sts: !azure && !!x.use_sts, storage_config: cfg, vending_strategy: vending };
  if (!stored) return body;
  const old = stored.storage_config || {};
  const diff = {};
  for (const [k, v] of Object.entries(cfg)) if (old[k] !== v) diff[k] = v;
  // An Azure edit leaves STS and vending (hidden, AWS's) as stored.
  const out = changed(azure ? { name: x.name } : { name: x.name, use_sts: body.use_sts }, stored);
  if (x.name === undefined) delete out.name;
  if (Object.keys(diff).length) out.storage_config = diff;
  if (!azure && json(vending) !== json(stored.vending_strategy)) out.vending_strategy = vending;
  return out;
}

// Root places storage for a tenant it names in the header.
function needsTenant() {
  return isRoot() && !session.tenant
    ? h("p", { class: "notice", id: "pick-tenant" }, "Root creates and edits warehouses in a tenant: pick one under \"Acting in tenant\" first.")
    : null;
}

function showWarehouses() {
  const v = view("Warehouses");
  const list = pagedTable({ id: "warehouse-list", what: "cannot list warehouses",
    cols: ["Name", "Storage", "Use STS", "Vending"], fetch: pages("/api/v1/warehouses"), empty: "no warehouses",
    row: (w) => [link(`#/warehouses/${enc(w.name)}`, w.name), storageSummary(w.storage_config),
      String(!!w.use_sts), vendingKind(w.vending_strategy)] });
  const f = warehouseForm({ id: "warehouse-form", title: "New warehouse", stored: null,
    submit: "Create warehouse", onSubmit: (x) => api("POST", "/api/v1/warehouses", warehouseBody(x)),
    done: () => { afterCreate(f, list, "warehouse")(); f.dispatchEvent(new Event("change")); } });
  add(v, list, needsTenant(), f);
}

// The keys the warehouse hands a client for one location (an admin's
// check of what vending gives); shown, never stored by the page.
function credentialsForm(w) {
  const out = h("div", { id: "credentials-out", "aria-live": "polite" });
  return h("div", {}, form({ id: "credentials-form", title: "Credentials for a location", submit: "Vend",
    fields: [{ name: "location", label: "Location", required: true,
      help: storageType(w.storage_config || {}) === "azure"
        ? "an abfss:// location inside the warehouse: a SAS for its directory (for the container where the operator lists it)"
        : "an s3:// location inside the warehouse: its keys, where the operator lets its bucket's keys go out" }],
    onSubmit: (x) => api("GET", `/api/v1/warehouses/${enc(w.name)}/credentials?location=${enc(x.location)}`),
    done: (r) => out.replaceChildren(pairs(Object.entries(r || {}).map(([k, val]) =>
      [k, h("code", { class: "wrap" }, typeof val === "string" ? val : JSON.stringify(val))]))) }), out);
}

async function showWarehouse(name) {
  const v = view(`Warehouse ${name}`);
  let w;
  try { w = await api("GET", `/api/v1/warehouses/${enc(name)}`); }
  catch (e) { add(v, failed("cannot read the warehouse", e)); return; }
  const cfg = w.storage_config || {};
  add(v, pairs([["Name", w.name], ["Id", code(w.id)], ["Storage", storageSummary(cfg)],
    ["Storage config", h("code", {}, json(cfg))], ["Use STS", String(!!w.use_sts)],
    ["Vending", vendingKind(w.vending_strategy)]]),
  needsTenant(),
  warehouseForm({ id: "warehouse-edit", title: "Edit warehouse", stored: w, submit: "Save",
    onSubmit: (x) => api("PUT", `/api/v1/warehouses/${enc(name)}`, warehouseBody(x, w)),
    done: (r) => { say("warehouse saved"); if (r.name !== name) go(`#/warehouses/${enc(r.name)}`); else showWarehouse(name); } }),
  credentialsForm(w),
  tenantAdmin() ? dangerButton("Delete warehouse", `Delete warehouse ${w.name}?`, async () => {
    await api("DELETE", `/api/v1/warehouses/${enc(name)}`);
    go("#/warehouses");
  }, { id: "warehouse-delete" }) : tenantAdminOnly("Deleting a warehouse"));
}

// ---- catalogs -------------------------------------------------------------------

async function warehouseOptions() {
  try { return (await all("/api/v1/warehouses")).map((w) => w.name); } catch { return []; }
}

function catalogFields(names, c) {
  return [
    c ? null : { name: "name", label: "Name", required: true, nameKind: "catalog", validate: nameRule },
    { name: "warehouse_name", label: "Warehouse", type: "select", value: c?.warehouse_name,
      options: [["", c ? "(unchanged)" : "(none)"], ...names] },
    { name: "storage_location", label: "Storage location", value: c?.storage_location,
      help: "Inside the warehouse's storage; empty: the warehouse's place for this catalog." },
    { name: "properties", label: "Properties", type: "json", value: c?.properties || {} },
  ].filter(Boolean);
}

// The catalogs of one page, each with its summary (a federated one has
// none here: its tables live on its remote).
async function catalogPage(offset, limit) {
  const page = await apiPage("/api/v1/catalogs", offset, limit);
  await Promise.all(page.items.map(async (c) => {
    if (c.catalog_type === "Federated") { c.summary = {}; return; }
    try { c.summary = await api("GET", `/api/v1/catalogs/${enc(c.name)}/summary`); }
    catch (e) { c.summary = { namespace_count: e.message }; }
  }));
  return page;
}

// Federated: the remote's properties (pangolin-api.md §2.11; conf.c).
const AUTH_FIELDS = { token: ["token"], basic: ["username", "password"], api_key: ["api_key", "api_key_header"],
  credential: ["credential", "oauth2-server-uri", "scope"] };

function federatedFields() {
  return [
    { name: "name", label: "Name", required: true, nameKind: "catalog", validate: nameRule },
    { name: "uri", label: "Remote URI", required: true, placeholder: "https://catalog.example.com",
      help: "The remote's base URL; {uri}/v1/config is its config." },
    { name: "warehouse", label: "Remote warehouse", help: "Sent as ?warehouse= to the remote's /v1/config." },
    { name: "auth", label: "Sign in with", type: "select", value: "none",
      options: [["none", "nothing"], ["token", "a bearer token"], ["basic", "user name and password"],
        ["api_key", "an API key"], ["credential", "OAuth2 client credentials"]] },
    { name: "token", label: "Token", type: "password" },
    { name: "username", label: "User name" },
    { name: "password", label: "Password", type: "password", autocomplete: "new-password" },
    { name: "api_key", label: "API key", type: "password" },
    { name: "api_key_header", label: "API key header", placeholder: "X-API-Key" },
    { name: "credential", label: "Credential", type: "password", help: "client_id:secret" },
    { name: "oauth2-server-uri", label: "Token endpoint", help: "Default: {uri}/v1/oauth/tokens" },
    { name: "scope", label: "Scope", placeholder: "catalog" },
  ];
}

function federatedBody(x) {
  const props = { uri: x.uri };
  if (x.warehouse) props.warehouse = x.warehouse;
  for (const k of AUTH_FIELDS[x.auth] || []) if (x[k] !== undefined) props[k] = x[k];
  return { name: x.name, config: { properties: props } };
}

const FED_RULES = Object.fromEntries(Object.entries(AUTH_FIELDS).flatMap(([auth, names]) =>
  names.map((n) => [n, (e) => e.auth.value === auth])));

async function showCatalogs() {
  const v = view("Catalogs");
  const list = pagedTable({ id: "catalog-list", what: "cannot list catalogs",
    cols: ["Name", "Warehouse", "Namespaces", "Tables", "Branches", "Location", "Type"], fetch: catalogPage,
    empty: "no catalogs",
    row: (c) => [link(`#/catalogs/${enc(c.name)}`, c.name), c.warehouse_name || "—", c.summary.namespace_count ?? "—",
      c.summary.table_count ?? "—", c.summary.branch_count ?? "—", c.storage_location || "—", c.catalog_type || "Local"] });
  add(v, list);
  if (!tenantAdmin()) { add(v, tenantAdminOnly("Creating a catalog")); return; }
  const names = await warehouseOptions();
  const local = form({ id: "catalog-form", title: "New catalog", fields: catalogFields(names), submit: "Create catalog",
    onSubmit: (x) => api("POST", "/api/v1/catalogs", { ...x, catalog_type: "Local" }),
    done: () => afterCreate(local, list, "catalog")() });
  const fed = showWhen(form({ id: "federated-form", title: "New federated catalog", fields: federatedFields(),
    submit: "Create federated catalog",
    onSubmit: (x) => api("POST", "/api/v1/federated-catalogs", federatedBody(x)),
    done: () => { afterCreate(fed, list, "federated catalog")(); fed.dispatchEvent(new Event("change")); } }), FED_RULES);
  add(v, local, fed);
}

// A federated catalog: its remote, Test, Sync, the last sync's stats.
async function showFederated(v, c) {
  const base = `/api/v1/federated-catalogs/${enc(c.name)}`;
  const props = (c.federated_config && c.federated_config.properties) || {};
  const out = h("div", { id: "fed-result", role: "status", "aria-live": "polite" });
  const stats = h("div", { id: "fed-stats" });
  const loadStats = async () => {
    try {
      const s = await api("GET", `${base}/stats`);
      stats.replaceChildren(pairs([["Sync status", s.sync_status], ["Last synced", time(s.last_synced_at)],
        ["Namespaces synced", String(s.namespaces_synced ?? 0)], ["Tables synced", String(s.tables_synced ?? 0)]]));
    } catch (e) { stats.replaceChildren(failed("cannot read the stats", e)); }
  };
  const act = (label, id, fn) => button(label, async (ev) => {
    ev.target.disabled = true;
    try { out.replaceChildren(await fn()); out.className = "ok"; }
    catch (e) { out.replaceChildren(`${label} failed: ${e.status ? `${e.status} ` : ""}${e.message}`); out.className = "error"; }
    finally { ev.target.disabled = false; loadStats(); }
  }, { id });
  add(v, pairs([["Type", "Federated"], ["Remote", props.uri], ["Properties", h("code", {}, json(props))]]),
    h("div", { class: "row" },
      act("Test", "fed-test", async () => {
        const r = await api("POST", `${base}/test`);
        return `Connected to ${r.base_url}${r.prefix ? ` (prefix ${r.prefix})` : ""}.`;
      }),
      act("Sync", "fed-sync", async () => {
        const r = await api("POST", `${base}/sync`);
        return h("span", {}, "Sync queued: ", link(`#/tasks/${enc(r.task_id)}`, `task ${r.task_id.slice(0, 8)}`));
      }),
      tenantAdmin() ? dangerButton("Delete catalog", `Delete federated catalog ${c.name}?`, async () => {
        await api("DELETE", base);
        go("#/catalogs");
      }, { id: "catalog-delete" }) : null),
    out, section("Sync stats", stats));
  loadStats();
}

// A place's holder as "ns.name (kind, branch)", and where it lies.
const placeOf = (o) => `${o.namespace.join(".")}.${o.name} (${o.kind.toLowerCase()}, ${o.branch}${o.dropped_id ? ", dropped" : ""})`;

async function overlapList(cat) {
  const r = await api("GET", `/api/v1/catalogs/${enc(cat)}/location-overlaps`);
  return h("div", { id: "location-overlaps" },
    h("p", {}, "Tables and views lying in another's location, made before every table owned its files. ",
      "They keep working; rename, restore and merge of them are refused until one is moved or dropped."),
    table(["Table", "Lies inside", "Location"], r.overlaps.map((x) => [placeOf(x.asset), placeOf(x.inside), code(x.asset.location)]),
      "none: every table owns its files"),
    r.truncated ? h("p", {}, `${r.total} in all; the first ${r.overlaps.length} shown`) : "");
}

async function showCatalog(cat) {
  const v = view(`Catalog ${cat}`);
  let c;
  try { c = await api("GET", `/api/v1/catalogs/${enc(cat)}`); }
  catch (e) { add(v, failed("cannot read the catalog", e)); return; }
  if (c.catalog_type === "Federated") { await showFederated(v, c); return; }
  add(v, pairs([["Type", c.catalog_type || "Local"], ["Warehouse", c.warehouse_name],
    ["Storage location", c.storage_location], ["Properties", propsText(c.properties)]]),
    h("p", {}, h("a", { id: "catalog-browse", href: `#/catalogs/${enc(cat)}/browse` },
      "Browse its tables, views and assets"), " · ",
    h("a", { id: "catalog-graph", href: `#/catalogs/${enc(cat)}/graph` }, "Branches and tags as a graph")));
  add(v, branchSection(cat), tagSection(cat), namespaceSection(cat, []));
  // Undrop (dropped.js).
  add(v, h("p", {}, h("a", { id: "catalog-dropped", href: `#/catalogs/${enc(cat)}/dropped` },
    "Dropped tables and views (restore)")));
  const part = async (title, fn) => {
    const sec = section(title);
    v.append(sec);
    try { sec.append(await fn()); } catch (e) { sec.append(failed(`cannot list ${title.toLowerCase()}`, e)); }
  };
  // Tables and views lying in another's place, made before every table
  // owned its files: reported to admins, never broken (issue 67).
  if (isAdmin()) await part("Location overlaps", () => overlapList(cat));
  await part("Merge operations", () => mergeList(cat));
  await part("Start a merge", () => mergeForm(cat));
  if (!tenantAdmin()) { add(v, tenantAdminOnly("Editing or deleting a catalog")); return; }
  const names = await warehouseOptions();
  add(v, section("Edit or delete the catalog",
    form({ id: "catalog-edit", title: "Edit catalog", fields: catalogFields(names, c), submit: "Save",
      onSubmit: (x) => api("PUT", `/api/v1/catalogs/${enc(cat)}`, changed(x, c)),
      done: () => { say("catalog saved"); showCatalog(cat); } }),
    dangerButton("Delete catalog", `Delete catalog ${cat}?`, async () => {
      await api("DELETE", `/api/v1/catalogs/${enc(cat)}`);
      go("#/catalogs");
    }, { id: "catalog-delete" })));
}

// ---- branches and tags ------------------------------------------------------------

function branchSection(cat) {
  const q = `catalog=${enc(cat)}`;
  const list = pagedTable({ id: "branch-list", what: "cannot list branches",
    cols: ["Branch", "Type", "Head commit", "Assets", ""], fetch: pages(`/api/v1/branches?${q}`),
    row: (b) => [link(`#/catalogs/${enc(cat)}/branches/${enc(b.name)}`, b.name), b.branch_type,
      b.head_commit_id ? code(b.head_commit_id.slice(0, 8), b.head_commit_id) : "—",
      (b.assets || []).join(", ") || "all",
      b.name === "main" ? "" : dangerButton("Delete", `Delete branch ${b.name}?`, async () => {
        await api("DELETE", `/api/v1/branches/${enc(b.name)}?${q}`);
        list.reload();
        say(`branch ${b.name} deleted`);
      }, { "aria-label": `Delete branch ${b.name}` })] });
  const box = section("Branches", list);
  all(`/api/v1/branches?${q}`).then((bs) => {
    const f = form({ id: "branch-form", title: "New branch", submit: "Create branch", fields: [
      { name: "name", label: "Name", required: true, validate: nameRule },
      { name: "branch_type", label: "Type", type: "select", value: "experimental",
        options: [["experimental", "experimental"], ["ingest", "ingest"]] },
      { name: "from_branch", label: "From branch", type: "select", value: "main", options: bs.map((b) => b.name) },
      { name: "assets", label: "Assets", type: "textarea", rows: 3,
        help: "Tables to branch, one per line as namespace.table; empty: all of them." },
    ], onSubmit: async (x) => {
      const assets = (x.assets || "").split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
      const body = { ...x, catalog: cat, assets: assets.length ? assets : undefined };
      return request("POST", "/api/v1/branches", body);
    }, done: (r) => {
      // A large branch is made by a task: follow it.
      if (r.status === 202) { go(`#/tasks/${enc(r.json.task_id)}`); return; }
      afterCreate(f, list, "branch")();
    } });
    box.append(f);
  }, (e) => box.append(failed("cannot list branches for the form", e)));
  return box;
}

function tagSection(cat) {
  const q = `catalog=${enc(cat)}`;
  const list = pagedTable({ id: "tag-list", what: "cannot list tags", cols: ["Tag", "Commit", ""], empty: "no tags",
    fetch: pages(`/api/v1/tags?${q}`),
    row: (t) => [t.name, code(t.commit_id), dangerButton("Delete", `Delete tag ${t.name}?`, async () => {
      await api("DELETE", `/api/v1/tags/${enc(t.name)}?${q}`);
      list.reload();
      say(`tag ${t.name} deleted`);
    }, { "aria-label": `Delete tag ${t.name}` })] });
  const box = section("Tags", list);
  all(`/api/v1/branches?${q}`).then((bs) => {
    const heads = bs.filter((b) => b.head_commit_id).map((b) => [b.head_commit_id, `head of ${b.name} (${b.head_commit_id.slice(0, 8)})`]);
    const f = form({ id: "tag-form", title: "New tag", submit: "Create tag", fields: [
      { name: "name", label: "Name", required: true, validate: nameRule },
      { name: "commit_id", label: "Commit", type: "select", options: heads },
      { name: "other_commit", label: "Or another commit id", help: "Overrides the choice above." },
    ], onSubmit: (x) => api("POST", "/api/v1/tags",
      { name: x.name, catalog: cat, commit_id: x.other_commit || x.commit_id }),
    done: () => afterCreate(f, list, "tag")() });
    box.append(f);
  }, (e) => box.append(failed("cannot list branches for the form", e)));
  return box;
}

// Rebase: take another branch's changes into this one, as a merge
// commit on it (conflicts leave an operation to resolve; a large one is
// a task).
function rebaseForm(cat, br) {
  return form({ id: "rebase-form", title: "Rebase", submit: "Rebase", fields: [
    { name: "from_branch", label: "Take the changes of branch", value: "main", required: true }],
  fieldOf: (e) => (e.status === 404 ? "from_branch" : null),
  onSubmit: async (x) => {
    try { return await api("POST", `/api/v1/branches/${enc(br)}/rebase`, { name: br, catalog: cat, from_branch: x.from_branch }); }
    catch (e) {
      if (e.status === 409 && e.body?.operation_id) return { operation_id: e.body.operation_id, conflicted: true };
      throw e;
    }
  },
  done: (r) => {
    if (r?.task_id) go(`#/tasks/${enc(r.task_id)}`);
    else if (r?.conflicted) go(`#/merges/${enc(r.operation_id)}`);
    else { say("rebased"); showBranch(cat, br); }
  } });
}

function showBranch(cat, br) {
  const v = view(`Branch ${br} of ${cat}`);
  const q = `catalog=${enc(cat)}`;
  add(v, section("Commits", pagedTable({ id: "commit-list", what: "cannot list commits",
    cols: ["Commit", "Parent", "When", "Author", "Message"], empty: "no commits",
    fetch: pages(`/api/v1/branches/${enc(br)}/commits?${q}`),
    row: (c) => [code(c.id.slice(0, 8), c.id), c.parent_id ? code(c.parent_id.slice(0, 8), c.parent_id) : "—",
      time(c.timestamp), c.author || "—", c.message || ""] })),
  br === "main" ? null : rebaseForm(cat, br),
  br === "main" ? null : dangerButton("Delete branch", `Delete branch ${br}?`, async () => {
    await api("DELETE", `/api/v1/branches/${enc(br)}?${q}`);
    go(`#/catalogs/${enc(cat)}`);
  }, { id: "branch-delete" }),
  h("p", {}, link(`#/catalogs/${enc(cat)}`, `Back to ${cat}`)));
}

// ---- namespaces (the Iceberg REST API) ------------------------------------------

// The namespaces under parent (top level: []), paged, with a create form.
function namespaceSection(cat, parent) {
  const base = `/v1/${enc(cat)}/namespaces`;
  const path = parent.length ? `${base}?parent=${nsPath(parent)}` : base;
  const list = pagedTable({ id: "namespace-list", what: "cannot list namespaces", cols: ["Namespace", ""],
    fetch: icebergPages(path, "namespaces"), empty: "no namespaces",
    row: (ns) => [link(`#/catalogs/${enc(cat)}/namespaces/${nsPath(ns)}`, ns.join(".")),
      dangerButton("Delete", `Delete namespace ${ns.join(".")}?`, async () => {
        await api("DELETE", `${base}/${nsPath(ns)}`);
        list.reload();
        say(`namespace ${ns.join(".")} deleted`);
      }, { "aria-label": `Delete namespace ${ns.join(".")}` })] });
  const f = form({ id: "namespace-form", title: parent.length ? "New child namespace" : "New namespace",
    submit: "Create namespace", fields: [
      { name: "namespace", label: "Namespace", required: true, validate: nameRule,
        help: parent.length ? `Created under ${parent.join(".")}.` : null },
      { name: "properties", label: "Properties", type: "json", value: {} },
    ], onSubmit: (x) => api("POST", base, { namespace: [...parent, x.namespace], properties: x.properties || {} }),
    done: () => afterCreate(f, list, "namespace")() });
  return section(parent.length ? "Child namespaces" : "Namespaces", list, f);
}

// Properties as an edit: set what is new or changed, remove what is gone.
function propertyUpdate(now, stored) {
  const updates = {};
  for (const [k, v] of Object.entries(now || {})) if (stored[k] !== v) updates[k] = v;
  const removals = Object.keys(stored).filter((k) => !(k in (now || {})));
  return { updates, removals };
}

async function showNamespace(cat, nsJoined) {
  const parts = nsJoined.split(NS_SEP);
  const name = parts.join(".");
  const v = view(`Namespace ${name} of ${cat}`);
  const url = `/v1/${enc(cat)}/namespaces/${nsPath(parts)}`;
  let ns;
  try { ns = await api("GET", url); }
  catch (e) { add(v, failed("cannot read the namespace", e)); return; }
  const stored = ns.properties || {};
  add(v, pairs([["Namespace", name], ["Properties", propsText(stored)]]),
    h("p", {}, h("a", { id: "namespace-browse", href: `#/catalogs/${enc(cat)}/browse/${enc(nsJoined)}` },
      "Its views and generic assets")),
    form({ id: "namespace-edit", title: "Edit properties", submit: "Save", fields: [
      { name: "properties", label: "Properties", type: "json", value: stored,
        help: "The whole map: keys you remove are removed." }],
    onSubmit: (x) => api("POST", `${url}/properties`, propertyUpdate(x.properties, stored)),
    done: () => { say("properties saved"); showNamespace(cat, nsJoined); } }),
    section("Tables", pagedTable({ id: "table-list", what: "cannot list tables", cols: ["Table"], empty: "no tables",
      fetch: icebergPages(`${url}/tables`, "identifiers"),
      row: (id) => [link(`#/catalogs/${enc(cat)}/tables/${nsPath(parts)}/${enc(id.name)}`, [...parts, id.name].join("."))] })),
    functionsSection(cat, parts),
    namespaceSection(cat, parts),
    dangerButton("Delete namespace", `Delete namespace ${name}?`, async () => {
      await api("DELETE", url);
      go(`#/catalogs/${enc(cat)}`);
    }, { id: "namespace-delete" }),
    h("p", {}, link(`#/catalogs/${enc(cat)}`, `Back to ${cat}`)));
}

nav("#/tenants", "Tenants", 30, isRoot);
nav("#/warehouses", "Warehouses", 40, isAdmin);
nav("#/catalogs", "Catalogs", 50);
route("/tenants", () => showTenants());
route("/tenants/:id", (p) => showTenant(p.id));
route("/warehouses", () => showWarehouses());
route("/warehouses/:name", (p) => showWarehouse(p.name));
route("/catalogs", () => showCatalogs());
route("/catalogs/:cat", (p) => showCatalog(p.cat));
route("/catalogs/:cat/branches/:br", (p) => showBranch(p.cat, p.br));
route("/catalogs/:cat/namespaces/:ns", (p) => showNamespace(p.cat, p.ns));
