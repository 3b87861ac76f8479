// The console's entry: sign in (password, token, or an identity
// provider), the navigation the screen modules declared, and routing of
// "#/path?query" to the screen that registered it.  Screens live in
// their own modules; each registers its routes and nav entries when
// imported below.  No inline script or style (CSP).
"use strict";

import { api, h, isRoot, match, navItems, session, showError, stopPoll } from "./core.js";
import "./tasks.js";
import "./manage.js";
import "./explorer.js";
import "./merges.js";
import "./system.js";
import "./discovery.js";
import "./home.js";
import "./identity.js";
import "./audit.js";
import "./webhooks.js";
import "./policies.js";
import "./dropped.js";
import "./functions.js";
import "./graph.js";
import "./health.js";

// ---- sign in ---------------------------------------------------------------

function forget() {
  session.token = null;
  session.me = null;
  sessionStorage.removeItem("pgl-token");
}

function showLogin() {
  stopPoll();
  document.getElementById("nav").hidden = true;
  document.getElementById("signout").hidden = true;
  document.getElementById("tenant-box").hidden = true;
  document.getElementById("who").textContent = "";
  const v = document.getElementById("view");
  v.replaceChildren(document.getElementById("login-tpl").content.cloneNode(true));
  document.getElementById("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target.elements;
    const body = { username: f.username.value, password: f.password.value };
    if (f.tenant.value) body["tenant-id"] = f.tenant.value;
    try {
      const r = await api("POST", "/api/v1/users/login", body);
      signedIn(r.token);
    } catch (e) { showError(e); }
  });
  document.getElementById("token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    signedIn(ev.target.elements.token.value.trim());
  });
  document.getElementById("l-user").focus();
  showProviders();
}

// "Sign in with …" for each identity provider with a sign-in: a plain
// link to the server's /oauth/authorize/<name>, which sends the browser
// on to the provider and, after it, back here with a one-time code.
async function showProviders() {
  let list = [];
  try { list = (await api("GET", "/api/v1/oauth/providers")).provider_details; } catch { return; }
  const box = document.getElementById("sso");
  if (!box) return;
  box.replaceChildren(...list.map((p) => h("p", null,
    h("a", { class: "button", href: p["authorize-url"], text: `Sign in with ${p.name}` }))));
}

// Back from the provider: #sso=<code> is traded once for a session;
// #sso_error=<why> says what went wrong.  The fragment is dropped first.
async function ssoReturn() {
  const m = /^#(sso|sso_error)=(.*)$/.exec(location.hash);
  if (!m) return false;
  history.replaceState(null, "", location.pathname);
  const value = decodeURIComponent(m[2]);
  if (m[1] === "sso_error") { showLogin(); showError(new Error(`sign-in failed: ${value}`)); return true; }
  try {
    const r = await api("POST", "/api/v1/oauth/exchange", { code: value });
    await signedIn(r.token);
  } catch (e) { showLogin(); showError(e); }
  return true;
}

async function signedIn(t) {
  session.token = t;
  try {
    session.me = await api("GET", "/api/v1/users/me");
    if (session.token) sessionStorage.setItem("pgl-token", session.token);
    showError(null);
    const me = session.me;
    document.getElementById("who").textContent =
      session.authEnabled ? `${me.username} (${me.role})` : `no-auth mode: ${me.role}`;
    document.getElementById("signout").hidden = !session.authEnabled;
    await showTenantBox();
    drawNav();
    routeNow();
  } catch (e) {
    forget();
    showError(e);
    showLogin();
  }
}

// Root acts in one tenant at a time for the tenant-scoped families
// (X-Pangolin-Tenant on every request); others are in their own.
async function showTenantBox() {
  const box = document.getElementById("tenant-box");
  const pick = document.getElementById("tenant-pick");
  box.hidden = !isRoot();
  if (!isRoot()) return;
  let tenants = [];
  try { tenants = await api("GET", "/api/v1/tenants?limit=1000"); } catch (e) { showError(e); }
  pick.replaceChildren(h("option", { value: "" }, "(none: root's own view)"),
    ...tenants.map((t) => h("option", { value: t.id, selected: t.id === session.tenant }, t.name)));
}

document.getElementById("tenant-pick").addEventListener("change", (ev) => {
  session.tenant = ev.target.value;
  if (session.tenant) sessionStorage.setItem("pgl-tenant", session.tenant);
  else sessionStorage.removeItem("pgl-tenant");
  routeNow();
});

// ---- navigation and routing ---------------------------------------------------

function drawNav() {
  const n = document.getElementById("nav");
  n.replaceChildren(...navItems.filter((i) => i.when()).map((i) => h("a", { href: i.href }, i.label)));
  n.hidden = false;
}

function routeNow() {
  stopPoll();
  showError(null);
  if (session.authEnabled && !session.token) { showLogin(); return; }
  const [path, query] = (location.hash.slice(1) || "/").split("?");
  const m = match(path === "/" ? "/home" : path) || match("/tasks");
  const top = path.split("/")[1] || "home";
  for (const a of document.querySelectorAll("#nav a"))
    if (a.getAttribute("href").split("/")[1] === top) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  m.handler(m.params, new URLSearchParams(query || ""));
}

document.getElementById("signout").addEventListener("click", async () => {
  try { await api("POST", "/api/v1/users/logout"); } catch (e) { showError(e); }
  forget();
  showLogin();
});

window.addEventListener("hashchange", () => {
  if (!session.authEnabled || session.token) { routeNow(); document.getElementById("view").focus(); }
});

(async function boot() {
  try {
    const cfg = await api("GET", "/api/v1/app-config");
    session.authEnabled = cfg.auth_enabled !== false;
  } catch (e) { showError(e); }
  if (await ssoReturn()) return;
  // No-auth mode signs in by itself.
  if (!session.authEnabled || session.token) signedIn(session.token);
  else showLogin();
})();
