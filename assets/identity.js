// Identity: users, roles and the permission builder, service users and
// their API keys, session tokens, and "My account".  Every screen asks
// the API and shows its answer; a 403 is shown as an error, not hidden
// (the nav only hides what a caller cannot use anyway).
"use strict";

import {
  api, badge, button, copyable, dangerButton, enc, failed, form, go, h, isAdmin, isRoot, onScreen, retitle,
  nameRule, nav, pages, pagedTable, pairs, route, say, section, session, showError, table, time, view,
} from "./core.js";

const NIL_UUID = "00000000-0000-0000-0000-000000000000";
const USER_ROLES = [["tenant-user", "tenant-user"], ["tenant-admin", "tenant-admin"]];
// The actions src/auth/rbac.c knows, in its order.
export const ACTIONS = ["read", "write", "delete", "create", "update", "list", "all",
  "ingest-branching", "experimental-branching", "manage-discovery"];
const SCOPES = [["catalog", "Catalog"], ["namespace", "Namespace"], ["asset", "Asset"],
  ["tag", "Tag"], ["tenant", "Whole tenant"]];

// A server error that names no field (a 409 "User 'x' already exists")
// is placed beside the field it is about by naming that field.
async function about(field, status, p) {
  try { return await p; } catch (e) {
    if (e.status === status) e.message = `${e.message} (${field})`;
    throw e;
  }
}

// Root acts in one tenant at a time; roles, grants and service users
// live in a tenant, so say which one this screen is in.
function tenantNote(what) {
  if (!isRoot()) return null;
  return h("p", { class: "help tenant-note" }, session.tenant
    ? `Root is acting in tenant ${session.tenant}: ${what} of that tenant.`
    : `Root is acting in its own view (the default tenant): pick a tenant under "Acting in tenant" to manage ${what} of another tenant.`);
}

const yesNo = (b) => badge(b ? "active" : "inactive");

// A screen that loads in steps: live() is false once the page has moved
// on (another route, or this one drawn again), so a late answer never
// draws into the screen that replaced it.
export function screen(title) {
  const v = view(title);
  return {
    v,
    live: () => onScreen(v),
    retitle: (t) => retitle(v, t),
  };
}

// ---- the permission builder ------------------------------------------------

let catalogCache = null;
async function catalogs() {
  if (!catalogCache || catalogCache.tenant !== session.tenant) {
    let list = [];
    try { list = await api("GET", "/api/v1/catalogs?limit=1000"); } catch (e) { list = []; showError(e); }
    catalogCache = { tenant: session.tenant, list };
  }
  return catalogCache.list;
}

// "catalog demo", "namespace demo.sales", ... for a scope object.
export function scopeText(scope, cats) {
  const cat = (cats.find((c) => c.id === scope.catalog_id) || {}).name || scope.catalog_id;
  switch (scope.type) {
  case "tenant": return "whole tenant";
  case "catalog": return `catalog ${cat}`;
  case "namespace": return `namespace ${cat}.${scope.namespace}`;
  case "asset": return `asset ${scope.asset_id} in ${cat}.${scope.namespace}`;
  case "tag": return `tag ${scope.tag_name}`;
  default: return JSON.stringify(scope);
  }
}

// The scope the builder's values describe, in the shape rbac.c parses.
function scopeOf(v) {
  const s = { type: v.scope };
  if (["catalog", "namespace", "asset"].includes(v.scope)) s.catalog_id = v.catalog_id;
  if (["namespace", "asset"].includes(v.scope)) s.namespace = v.namespace;
  if (v.scope === "asset") s.asset_id = v.asset_id;
  if (v.scope === "tag") s.tag_name = v.tag_name;
  return s;
}

// Which fields each scope type needs.
const SCOPE_FIELDS = {
  tenant: [], catalog: ["catalog_id"], namespace: ["catalog_id", "namespace"],
  asset: ["catalog_id", "namespace", "asset_id"], tag: ["tag_name"],
};
const SCOPE_PARTS = ["catalog_id", "namespace", "asset_id", "tag_name"];

// A form composing one grant {scope, actions}; grant(permission) sends it
// (to a role or a principal).  Server errors ("scope needs a dotted
// namespace") land beside the field they name.
export async function permissionBuilder({ id, title, submit, grant, done }) {
  const cats = await catalogs();
  const fields = [
    { name: "scope", label: "Scope", type: "select", value: "catalog", options: SCOPES },
    { name: "catalog_id", label: "Catalog", type: "select",
      options: cats.length ? cats.map((c) => [c.id, c.name]) : [["", "(no catalogs)"]] },
    { name: "namespace", label: "Namespace", placeholder: "sales.daily", help: "Dotted: a grant on a namespace covers its children." },
    { name: "asset_id", label: "Asset id", help: "The asset's id (a table's table-uuid)." },
    { name: "tag_name", label: "Tag", help: "Assets whose business metadata carries this tag." },
    ...ACTIONS.map((a) => ({ name: `action-${a}`, label: a, type: "checkbox", value: a === "read" })),
  ];
  const el = form({
    id, title, fields, submit,
    onSubmit: async (v) => {
      const actions = ACTIONS.filter((a) => v[`action-${a}`]);
      if (actions.length === 0) throw new Error("choose at least one action");
      for (const f of SCOPE_FIELDS[v.scope]) if (!v[f]) throw new Error(`${f.replace("_id", "")} is required for a ${v.scope} scope`);
      return grant({ scope: scopeOf(v), actions });
    },
    done,
  });
  const pick = el.querySelector('[name="scope"]');
  const show = () => {
    for (const w of el.widgets)
      if (SCOPE_PARTS.includes(w.f.name)) w.node.hidden = !SCOPE_FIELDS[pick.value].includes(w.f.name);
  };
  pick.addEventListener("change", show);
  show();
  // The actions as one group a screen reader names.
  const boxes = el.widgets.filter((w) => w.f.name.startsWith("action-")).map((w) => w.node);
  const group = h("fieldset", { class: "actions" }, h("legend", {}, "Actions"));
  boxes[0].before(group);
  group.append(...boxes);
  el.classList.add("builder");
  return el;
}

// ---- a principal's roles and direct grants (users and service users) --

async function principalRoles(id, redraw) {
  const sec = section("Roles");
  try {
    const held = await api("GET", `/api/v1/users/${enc(id)}/roles`);
    sec.append(h("div", { id: "held-roles" }, rolesTable(held, id, redraw)));
  } catch (e) { sec.append(failed("cannot list the roles", e)); return sec; }
  let all = [];
  try { all = await api("GET", "/api/v1/roles?limit=1000"); } catch (e) { sec.append(failed("cannot list roles to assign", e)); }
  sec.append(form({
    id: "assign-role", title: "Assign a role", submit: "Assign",
    fields: [{ name: "role", label: "Role", type: "select", required: true,
      options: [["", "(choose a role)"], ...all.map((r) => [r.id, r.name])] }],
    onSubmit: (v) => api("POST", `/api/v1/users/${enc(id)}/roles`, { "role-id": v.role }),
    done: () => { say("role assigned"); redraw(); },
  }));
  return sec;
}

function rolesTable(held, id, redraw) {
  return table(["Role", "Description", ""], held.map((r) => [
    h("a", { href: `#/roles/${enc(r.id)}` }, r.name), r.description || "—",
    dangerButton("Revoke", `Revoke the role ${r.name}?`, async () => {
      await api("DELETE", `/api/v1/users/${enc(id)}/roles/${enc(r.id)}`);
      say("role revoked");
      redraw();
    }, { "aria-label": `Revoke the role ${r.name}` })]), "no roles");
}

async function principalGrants(id) {
  const cats = await catalogs();
  const sec = section("Direct permissions");
  const list = pagedTable({
    id: "direct-permissions", what: "cannot list the permissions",
    cols: ["Scope", "Actions", "Granted", ""],
    fetch: pages(`/api/v1/permissions?user=${enc(id)}`),
    row: (p) => [scopeText(p.scope, cats), (p.actions || []).join(", "), time(p["granted-at"]),
      dangerButton("Revoke", `Revoke ${(p.actions || []).join(", ")} on ${scopeText(p.scope, cats)}?`, async () => {
        await api("DELETE", `/api/v1/permissions/${enc(p.id)}`);
        say("permission revoked");
        list.reload();
      }, { "aria-label": `Revoke ${(p.actions || []).join(", ")} on ${scopeText(p.scope, cats)}` })],
    empty: "no direct permissions",
  });
  sec.append(list, await permissionBuilder({
    id: "grant-builder", title: "Grant a permission", submit: "Grant",
    grant: (p) => api("POST", "/api/v1/permissions", { "user-id": id, ...p }),
    done: () => { say("permission granted"); list.reload(); },
  }));
  return sec;
}

// ---- users -------------------------------------------------------------------

async function tenantOptions() {
  try {
    const ts = await api("GET", "/api/v1/tenants?limit=1000");
    return ts.map((t) => [t.id, t.name]);
  } catch { return [[session.tenant || NIL_UUID, session.tenant || "default"]]; }
}

async function userCreateForm(list) {
  const fields = [
    { name: "username", label: "Username", required: true, validate: nameRule, autocomplete: "off" },
    { name: "email", label: "Email", type: "email" },
    { name: "password", label: "Password", type: "password", required: true, autocomplete: "new-password",
      help: "At least 12 characters, not a common password." },
    { name: "role", label: "Role", type: "select", value: "tenant-user", options: USER_ROLES },
  ];
  if (isRoot()) fields.push({ name: "tenant_id", label: "Tenant", type: "select", value: session.tenant,
    options: await tenantOptions() });
  return form({
    id: "user-create", title: "Create a user", submit: "Create user", fields,
    onSubmit: (v) => about("username", 409, api("POST", "/api/v1/users", v)),
    done: (u) => { say(`user ${u.username} created`); list.reload(); },
  });
}

function setActive(u, active, after) {
  return api("PUT", `/api/v1/users/${enc(u.id)}`, { active }).then(() => {
    say(`${u.username} ${active ? "activated" : "deactivated"}`);
    after();
  });
}

function activeButton(u, after) {
  if (u.active === false)
    return button("Activate", async () => { try { await setActive(u, true, after); } catch (e) { showError(e); } },
      { class: "secondary", "aria-label": `Activate ${u.username}` });
  return dangerButton("Deactivate", `Deactivate ${u.username}? Its sessions end now.`,
    () => setActive(u, false, after), { "aria-label": `Deactivate ${u.username}` });
}

async function showUsers() {
  const { v, live } = screen("Users");
  v.append(tenantNote("the users"));
  const list = pagedTable({
    id: "user-list", what: "cannot list users",
    cols: ["Username", "Email", "Role", "Tenant", "State", "Actions"],
    fetch: pages("/api/v1/users"),
    row: (u) => [h("a", { href: `#/users/${enc(u.id)}` }, u.username), u.email || "—", u.role,
      u["tenant-id"] ? h("code", {}, u["tenant-id"]) : "—", yesNo(u.active !== false),
      h("div", { class: "row actions" }, activeButton(u, () => list.reload()),
        dangerButton("Delete", `Delete the user ${u.username}?`, async () => {
          await api("DELETE", `/api/v1/users/${enc(u.id)}`);
          say(`user ${u.username} deleted`);
          list.reload();
        }, { "aria-label": `Delete ${u.username}` }))],
    empty: "no users",
  });
  v.append(list);
  if (!isAdmin()) return;
  const create = await userCreateForm(list);
  if (live()) v.append(create);
}

async function showUser(id) {
  const { v, live, retitle } = screen("User");
  let u;
  try { u = await api("GET", `/api/v1/users/${enc(id)}`); }
  catch (e) { if (live()) v.append(failed("cannot read the user", e)); return; }
  if (!live()) return;
  retitle(`User ${u.username}`);
  const redraw = () => showUser(id);
  v.append(pairs([["Id", h("code", {}, u.id)], ["Email", u.email], ["Role", u.role],
    ["Tenant", u["tenant-id"]], ["State", yesNo(u.active !== false)], ["Created", time(u["created-at"])],
    ["Last sign-in", time(u["last-login"])], u["oauth-provider"] ? ["Identity provider", u["oauth-provider"]] : null]),
  h("div", { class: "row" }, activeButton(u, redraw)));
  v.append(form({
    id: "user-edit", title: "Edit", submit: "Save",
    fields: [
      { name: "email", label: "Email", type: "email", value: u.email || "" },
      { name: "password", label: "New password", type: "password", autocomplete: "new-password",
        help: "Leave empty to keep the password." },
      { name: "active", label: "Active (may sign in)", type: "checkbox", value: u.active !== false },
    ],
    onSubmit: (val) => api("PUT", `/api/v1/users/${enc(id)}`, val),
    done: () => { say("saved"); redraw(); },
  }), h("p", { class: "help" }, "A user's role is fixed when it is created: the API has no way to change it; give more rights with roles and permissions."));
  if (isRoot() && u["tenant-id"] && u["tenant-id"] !== session.tenant)
    v.append(h("p", { class: "help tenant-note" }, `This user is in tenant ${u["tenant-id"]}: pick it under "Acting in tenant" to manage its roles and grants.`));
  const roles = await principalRoles(id, redraw);
  const grants = await principalGrants(id);
  if (live()) v.append(roles, grants, tokensSection(id));
}

// ---- tokens --------------------------------------------------------------------

// The id (jti) of the session token this tab signed in with.
function currentJti() {
  try {
    const p = session.token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(p)).jti || null;
  } catch { return null; }
}

function tokensSection(userId) {
  const sec = section("Tokens");
  const mine = userId == null;
  const jti = currentJti();
  const list = pagedTable({
    id: mine ? "my-tokens" : "user-tokens", what: "cannot list the tokens",
    cols: ["Token id", "Created", "Expires", ""],
    fetch: pages(mine ? "/api/v1/users/me/tokens" : `/api/v1/users/${enc(userId)}/tokens`),
    row: (t) => [h("span", {}, h("code", {}, t.id), t.id === jti ? h("span", { class: "badge this" }, "this session") : null),
      time(t.created_at), time(t.expires_at),
      dangerButton("Revoke", `Revoke the token ${t.id}?`, () => revokeToken(t, jti, list),
        { "aria-label": `Revoke the token ${t.id}` })],
    empty: "no active tokens",
  });
  sec.append(list);
  return sec;
}

// Any token by id (admins: DELETE /tokens/{id}); the tab's own session
// by POST /auth/revoke, which every caller may, and then it signs out.
async function revokeToken(t, jti, list) {
  if (t.id === jti) {
    await api("POST", "/api/v1/auth/revoke", {});
    sessionStorage.removeItem("pgl-token");
    location.reload();
    return;
  }
  await api("DELETE", `/api/v1/tokens/${enc(t.id)}`);
  say("token revoked");
  list.reload();
}

function mintForm(onMinted) {
  const me = session.me;
  const out = h("div", { id: "minted" });
  const f = form({
    id: "token-mint", title: "New token", submit: "Create token",
    fields: [{ name: "expires_in_hours", label: "Valid for (hours)", type: "number", value: 24, min: 1,
      help: "At most 8760 (a year)." }],
    onSubmit: (v) => api("POST", "/api/v1/tokens", isRoot()
      ? { tenant_id: session.tenant || NIL_UUID, roles: ["root"], ...v }
      : { tenant_id: me["tenant-id"], username: me.username, ...v }),
    done: (r) => {
      out.replaceChildren(secretBox("The new token", "new-token", r.token, `Valid until ${time(r.expires_at)}.`));
      onMinted();
    },
  });
  return h("div", {}, f, out);
}

// A secret shown once: a Copy button and the warning that it is not
// kept; nothing stores it, so a reload shows it no more.
function secretBox(title, id, secret, extra) {
  return h("section", { class: "card once", "aria-label": title, role: "status" }, h("h3", {}, title),
    copyable(id, secret),
    h("p", { class: "warn" }, "Copy it now: it will not be shown again.", extra ? ` ${extra}` : ""));
}

// A new session token for this tab; the old one is revoked at once.
function rotateButton(after) {
  if (!session.token) return null;
  return button("Rotate this session's token", async (ev) => {
    ev.target.disabled = true;
    try {
      const r = await api("POST", "/api/v1/tokens/rotate");
      session.token = r.token;
      sessionStorage.setItem("pgl-token", r.token);
      showError(null);
      say("session token rotated");
      after();
    } catch (e) { showError(e); }
    ev.target.disabled = false;
  }, { id: "rotate-session", class: "secondary" });
}

async function showMe() {
  const { v, live } = screen("My account");
  let me;
  try { me = await api("GET", "/api/v1/users/me"); } catch (e) { if (live()) v.append(failed("cannot read your account", e)); return; }
  if (!live()) return;
  v.append(pairs([["Username", me.username], ["Role", me.role], ["Email", me.email], ["Tenant", me["tenant-id"]],
    ["Last sign-in", time(me["last-login"])]]));
  const toks = tokensSection(null);
  v.append(toks, rotateButton(() => toks.querySelector(".paged").reload()));
  if (isAdmin()) {
    v.append(mintForm(() => toks.querySelector(".paged").reload()));
    if (isRoot()) v.append(h("p", { class: "help" }, "Root's minted tokens are root tokens without a user row: they are not listed above."));
  }
}

// ---- roles ---------------------------------------------------------------------

async function showRoles() {
  const { v } = screen("Roles");
  v.append(tenantNote("the roles"));
  const list = pagedTable({
    id: "role-list", what: "cannot list roles",
    cols: ["Role", "Description", "Permissions", ""],
    fetch: pages("/api/v1/roles"),
    row: (r) => [h("a", { href: `#/roles/${enc(r.id)}` }, r.name), r.description || "—",
      String((r.permissions || []).length),
      dangerButton("Delete", `Delete the role ${r.name}?`, async () => {
        await api("DELETE", `/api/v1/roles/${enc(r.id)}`);
        say(`role ${r.name} deleted`);
        list.reload();
      }, { "aria-label": `Delete the role ${r.name}` })],
    empty: "no roles",
  });
  v.append(list, form({
    id: "role-create", title: "Create a role", submit: "Create role",
    fields: [{ name: "name", label: "Name", required: true, validate: nameRule },
      { name: "description", label: "Description" }],
    onSubmit: (val) => about("name", 409, api("POST", "/api/v1/roles", val)),
    done: (r) => { say(`role ${r.name} created`); go(`#/roles/${enc(r.id)}`); },
  }));
}

async function showRole(id) {
  const { v, live, retitle } = screen("Role");
  let role;
  try { role = await api("GET", `/api/v1/roles/${enc(id)}`); }
  catch (e) { if (live()) v.append(failed("cannot read the role", e)); return; }
  if (!live()) return;
  retitle(`Role ${role.name}`);
  const cats = await catalogs();
  const put = (changes) => api("PUT", `/api/v1/roles/${enc(id)}`, { ...role, ...changes });
  const redraw = () => showRole(id);
  const perms = role.permissions || [];
  v.append(pairs([["Id", h("code", {}, role.id)], ["Description", role.description], ["Tenant", role["tenant-id"]],
    ["Updated", time(role["updated-at"])]]));
  const builder = await permissionBuilder({
    id: "role-builder", title: "Add a permission to the role", submit: "Add to role",
    grant: (p) => put({ permissions: [...perms, p] }),
    done: () => { say("permission added"); redraw(); },
  });
  if (!live()) return;
  v.append(section("Permissions", table(["Scope", "Actions", ""], perms.map((p, i) => [
    scopeText(p.scope, cats), (p.actions || []).join(", "),
    dangerButton("Remove", `Remove ${(p.actions || []).join(", ")} on ${scopeText(p.scope, cats)} from ${role.name}?`, async () => {
      await put({ permissions: perms.filter((_, j) => j !== i) });
      say("permission removed");
      redraw();
    }, { "aria-label": `Remove ${(p.actions || []).join(", ")} on ${scopeText(p.scope, cats)}` })]), "no permissions"),
  builder));
  v.append(form({
    id: "role-edit", title: "Edit", submit: "Save",
    fields: [{ name: "name", label: "Name", required: true, value: role.name, validate: nameRule },
      { name: "description", label: "Description", value: role.description || "" }],
    onSubmit: (val) => about("name", 409, put({ description: null, ...val })),
    done: () => { say("saved"); redraw(); },
  }));
}

// ---- service users ------------------------------------------------------------------

function suKeyBox(r, verb) {
  return secretBox(`API key of ${r.name} (${verb})`, "su-key", r.api_key,
    `Send it as the X-API-Key header.${r.expires_at ? ` Expires ${time(r.expires_at)}.` : ""}`);
}

async function showServiceUsers() {
  const { v } = screen("Service users");
  v.append(tenantNote("the service users"));
  const keyBox = h("div", { id: "su-key-box" });
  const list = pagedTable({
    id: "su-list", what: "cannot list service users",
    cols: ["Name", "Description", "Role", "State", "Expires", "Actions"],
    fetch: pages("/api/v1/service-users"),
    row: (s) => [h("a", { href: `#/service-users/${enc(s.id)}` }, s.name), s.description || "—", s.role,
      yesNo(s.active), time(s["expires-at"]),
      h("div", { class: "row actions" },
        dangerButton("Rotate key", `Give ${s.name} a new key? The old key stops working now.`, async () => {
          const r = await api("POST", `/api/v1/service-users/${enc(s.id)}/rotate`);
          keyBox.replaceChildren(suKeyBox(r, "rotated"));
          say("new key shown once");
        }, { "aria-label": `Rotate the key of ${s.name}` }),
        dangerButton("Delete", `Delete the service user ${s.name}?`, async () => {
          await api("DELETE", `/api/v1/service-users/${enc(s.id)}`);
          say(`${s.name} deleted`);
          list.reload();
        }, { "aria-label": `Delete ${s.name}` }))],
    empty: "no service users",
  });
  v.append(keyBox, list, form({
    id: "su-create", title: "Create a service user", submit: "Create service user",
    fields: [{ name: "name", label: "Name", required: true, validate: nameRule },
      { name: "description", label: "Description" },
      { name: "role", label: "Role", type: "select", value: "tenant-user", options: USER_ROLES },
      { name: "expires_in_days", label: "Expires in (days)", type: "number", min: 1, help: "Empty: never." }],
    onSubmit: (val) => about("name", 409, api("POST", "/api/v1/service-users", val)),
    done: (r) => { keyBox.replaceChildren(suKeyBox(r, "new")); say("the key is shown once"); list.reload(); },
  }));
}

async function showServiceUser(id) {
  const { v, live, retitle } = screen("Service user");
  let s;
  try { s = await api("GET", `/api/v1/service-users/${enc(id)}`); }
  catch (e) { if (live()) v.append(failed("cannot read the service user", e)); return; }
  if (!live()) return;
  retitle(`Service user ${s.name}`);
  const redraw = () => showServiceUser(id);
  const keyBox = h("div", { id: "su-key-box" });
  v.append(pairs([["Id", h("code", {}, s.id)], ["Description", s.description], ["Role", s.role],
    ["State", yesNo(s.active)], ["Created", time(s["created-at"])], ["Expires", time(s["expires-at"])]]),
  keyBox,
  h("div", { class: "row" }, dangerButton("Rotate key", `Give ${s.name} a new key? The old key stops working now.`, async () => {
    keyBox.replaceChildren(suKeyBox(await api("POST", `/api/v1/service-users/${enc(id)}/rotate`), "rotated"));
  })),
  form({
    id: "su-edit", title: "Edit", submit: "Save",
    fields: [{ name: "name", label: "Name", required: true, value: s.name, validate: nameRule },
      { name: "description", label: "Description", value: s.description || "" },
      { name: "active", label: "Active (its key works)", type: "checkbox", value: s.active }],
    onSubmit: (val) => about("name", 409, api("PUT", `/api/v1/service-users/${enc(id)}`, val)),
    done: () => { say("saved"); redraw(); },
  }));
  const roles = await principalRoles(id, redraw);
  const grants = await principalGrants(id);
  if (live()) v.append(roles, grants);
}

// ---- navigation ------------------------------------------------------------------

nav("#/users", "Users", 70, isAdmin);
nav("#/roles", "Roles", 71, isAdmin);
nav("#/service-users", "Service users", 72, isAdmin);
nav("#/me", "Me", 90);
route("/users", () => showUsers());
route("/users/:id", (p) => showUser(p.id));
route("/roles", () => showRoles());
route("/roles/:id", (p) => showRole(p.id));
route("/service-users", () => showServiceUsers());
route("/service-users/:id", (p) => showServiceUser(p.id));
route("/me", () => showMe());
