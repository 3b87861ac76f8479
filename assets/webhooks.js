// Webhook subscriptions (admins of a tenant; issue 43): the list with
// each one's status (a paused one with its reason) and last delivery, a
// create form whose answer shows the signing secret once, and one
// subscription's page: its state, last deliveries, "Send test event",
// "Replay from sequence N", resume or pause, rotate the secret, delete.
"use strict";

import {
  api, badge, button, copyable, dangerButton, enc, failed, form, go, h, isAdmin, nav, pairs, route, say,
  section, showError, table, time,
} from "./core.js";
import { screen } from "./identity.js";

const base = `/api/v1/webhooks`;

// The secret of a create or rotate answer: shown here once, kept nowhere.
function secretBox(title, secret, extra) {
  return h("section", { class: "card once", "aria-label": title, role: "status" }, h("h3", {}, title),
    copyable("webhook-secret", secret),
    h("p", { class: "warn" }, "Copy it now: it will not be shown again.", extra ? ` ${extra}` : ""));
}

function statusCell(w) {
  return w.status === "paused"
    ? h("span", {}, badge("paused"), " ", h("span", { class: "reason" }, w.status_reason || ""))
    : badge(w.status);
}

// "a, b" -> ["a", "b"]; empty -> undefined (the server's "any").
const list = (s) => (s ? s.split(",").map((x) => x.trim()).filter(Boolean) : undefined);

function lastDelivery(w) {
  if (w.failing_since) return `failing since ${time(w.failing_since)}`;
  return `${w.delivered} delivered, ${w.failures} failed`;
}

async function showWebhooks() {
  const { v, live } = screen("Webhooks");
  const secret = h("div", { id: "webhook-secret-box" });
  const listBox = h("div", { id: "webhook-list" }, h("p", {}, "loading…"));
  const load = async () => {
    try {
      const items = await api("GET", base);
      if (!live()) return;
      listBox.replaceChildren(table(["Name", "URL", "Status", "Deliveries", "Cursor"], items.map((w) => [
        h("a", { href: `#/webhooks/${enc(w.id)}` }, w.name), h("code", {}, w.url), statusCell(w),
        lastDelivery(w), String(w.cursor)]), "no webhooks"));
    } catch (e) { if (live()) listBox.replaceChildren(failed("cannot list webhooks", e)); }
  };
  const create = form({
    id: "webhook-create", title: "New webhook", submit: "Create",
    fields: [
      { name: "name", label: "Name", required: true },
      { name: "url", label: "URL", required: true, placeholder: "https://example.com/hooks/pangolin" },
      { name: "operation_types", label: "Operation types", placeholder: "create-table, update-table (empty: all)" },
      { name: "catalogs", label: "Catalogs", placeholder: "sales, ops (empty: all)" },
      { name: "namespaces", label: "Namespaces", placeholder: "sales.eu (empty: all)" },
    ],
    onSubmit: (x) => api("POST", base, { name: x.name, url: x.url, operation_types: list(x.operation_types),
      catalogs: list(x.catalogs), namespaces: list(x.namespaces) }),
    done: (w) => {
      secret.replaceChildren(secretBox(`Signing secret of ${w.name}`, w.secret,
        "Receivers verify the webhook-signature header with it (Standard Webhooks)."));
      say("webhook created");
      load();
    },
  });
  v.append(secret, listBox, create);
  load();
}

function deliveriesTable(d) {
  return table(["When", "Event", "Status", "Error"], (d.deliveries || []).map((x) => [
    x.time || x.at || (x.ts_ms ? new Date(x.ts_ms).toISOString() : "—"),
    x.event_id || x["event-id"] || "—", String(x.status ?? x.http_status ?? "—"), x.error || ""]),
  "no deliveries yet");
}

async function showWebhook(id) {
  const { v, live, retitle } = screen("Webhook");
  const secret = h("div", { id: "webhook-secret-box" });
  const state = h("div", { id: "webhook-state" }, h("p", {}, "loading…"));
  const recent = h("div", { id: "webhook-deliveries" });
  const note = h("p", { id: "webhook-note", role: "status", "aria-live": "polite" });
  let w;
  const load = async () => {
    try {
      w = await api("GET", `${base}/${enc(id)}`);
      const d = await api("GET", `${base}/${enc(id)}/deliveries`);
      if (!live()) return;
      retitle(`Webhook ${w.name}`);
      state.replaceChildren(pairs([["Id", h("code", {}, w.id)], ["URL", h("code", {}, w.url)],
        ["Status", statusCell(w)], ["Cursor (sequence delivered up to)", String(w.cursor)],
        ["Operation types", w.operation_types.join(", ") || "all"], ["Catalogs", w.catalogs.join(", ") || "all"],
        ["Namespaces", w.namespaces.map((n) => n.join(".")).join(", ") || "all"],
        ["Failures in a row", String(w.attempts)], ["Failing since", w.failing_since ? time(w.failing_since) : "—"],
        ["Next attempt", w.next_attempt ? time(w.next_attempt) : "—"],
        ["Delivered", String(w.delivered)], ["Failed", String(w.failures)]]));
      recent.replaceChildren(section("Last deliveries", deliveriesTable(d)));
      actions.replaceChildren(...actionButtons());
    } catch (e) { if (live()) state.replaceChildren(failed("cannot read the webhook", e)); }
  };
  const act = (label, fn, attrs = {}) => button(label, async (ev) => {
    ev.target.disabled = true;
    try { await fn(); showError(null); await load(); } catch (e) { showError(e); }
    finally { ev.target.disabled = false; }
  }, attrs);
  const actionButtons = () => [
    act("Send test event", async () => {
      const r = await api("POST", `${base}/${enc(id)}/test`);
      note.textContent = `test event ${r.event_id} sent`;
    }, { id: "webhook-test" }),
    w.status === "paused"
      ? act("Resume", () => api("PUT", `${base}/${enc(id)}`, { active: true }), { id: "webhook-resume" })
      : act("Pause", () => api("PUT", `${base}/${enc(id)}`, { active: false }), { id: "webhook-pause" }),
    act("Rotate secret", async () => {
      const r = await api("POST", `${base}/${enc(id)}/rotate-secret`, {});
      secret.replaceChildren(secretBox(`New signing secret of ${w.name}`, r.secret,
        `The old one still signs until ${time(r.previous_valid_until)}.`));
    }, { id: "webhook-rotate" }),
    dangerButton("Delete", `Delete the webhook ${w.name}?`, async () => {
      await api("DELETE", `${base}/${enc(id)}`);
      go("#/webhooks");
    }, { id: "webhook-delete" }),
  ];
  const actions = h("div", { class: "row", id: "webhook-actions" });
  const replay = form({
    id: "webhook-replay", title: "Replay from sequence N", submit: "Replay",
    fields: [{ name: "after_seq", label: "Deliver the events after sequence", type: "number", min: 0, required: true }],
    onSubmit: (x) => api("POST", `${base}/${enc(id)}/replay`, { after_seq: x.after_seq }),
    done: (r) => { note.textContent = `replaying after ${r.cursor}`; load(); },
  });
  v.append(secret, note, state, actions, recent, replay, h("p", {}, h("a", { href: "#/webhooks" }, "Back to webhooks")));
  load();
}

nav("#/webhooks", "Webhooks", 82, isAdmin);
route("/webhooks", () => showWebhooks());
route("/webhooks/:id", (p) => showWebhook(p.id));
