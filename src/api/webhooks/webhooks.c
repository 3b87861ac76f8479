/*
 * Webhook subscriptions: create, list, get, update, delete (webhooks.h).
 * A new subscription receives the changes made from now on, not the
 * history (its cursor is the stream's newest seq; replay moves it back),
 * and its signing secret is in the create answer only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/quota/quota.h"
#include "api/webhooks/webhook_common.h"
#include "api/webhooks/webhooks.h"
#include "app/app.h"
#include "config/config.h"
#include "events/webhook_filter.h"
#include "events/webhook_post.h"
#include "events/webhook_secrets.h"
#include "metrics/limits.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/uuid.h"

#define NAME_MAX_CHARS	128

static const struct pgl_jfield create_fields[] = {
	{ "name", PGL_J_STRING, 1 },
	{ "url", PGL_J_STRING, 1 },
	{ "operation_types", PGL_J_ANY, 0 },
	{ "catalogs", PGL_J_ANY, 0 },
	{ "namespaces", PGL_J_ANY, 0 },
	{ NULL, 0, 0 }
};

static const struct pgl_jfield update_fields[] = {
	{ "name", PGL_J_STRING, 0 },
	{ "url", PGL_J_STRING, 0 },
	{ "operation_types", PGL_J_ANY, 0 },
	{ "catalogs", PGL_J_ANY, 0 },
	{ "namespaces", PGL_J_ANY, 0 },
	{ "active", PGL_J_BOOL, 0 },
	{ NULL, 0, 0 }
};

static const char *filter_keys[] = { "operation_types", "catalogs",
    "namespaces" };

/* The body against fields: 0, or -1 after a 400 naming the member. */
static int
body_ok(struct pgl_req *r, const struct pgl_jfield *fields)
{
	char	why[256];

	if (r->body == NULL) {
		pgl_reply_error(r, 400, "a JSON request body is required");
		return (-1);
	}
	if (pgl_json_check(r->body, fields, why, sizeof(why)) == -1) {
		pgl_reply_error(r, 400, "%s", why);
		return (-1);
	}
	return (0);
}

/* 1 to 128 characters (UTF-8, already validated), no control bytes. */
static int
name_ok(struct pgl_req *r, const char *name)
{
	size_t	chars = 0;

	for (; *name != '\0'; name++) {
		if ((unsigned char)*name < 0x20 || *name == 0x7f)
			break;
		if (((unsigned char)*name & 0xc0) != 0x80)
			chars++;
	}
	if (*name == '\0' && chars >= 1 && chars <= NAME_MAX_CHARS)
		return (1);
	pgl_reply_error(r, 400, "name: 1 to %d characters, no control "
	    "characters", NAME_MAX_CHARS);
	return (0);
}

static int
url_ok(struct pgl_req *r, const char *url)
{
	const struct pgl_strlist	*l;
	char				 why[256];

	l = &pgl_app.cfg->storage.allowed_endpoints;
	if (pgl_webhook_url_refused(url, l->v, l->n, why, sizeof(why)) ==
	    NULL)
		return (1);
	/* The reason names the field already (events/webhook_post.c). */
	pgl_reply_error(r, 400, "%s%s", strncmp(why, "url", 3) == 0 ? "" :
	    "url: ", why);
	return (0);
}

/* The normalised filter of doc as arena text, or NULL after a 400. */
static const char *
filter_text(struct pgl_req *r, const json_t *doc)
{
	json_t		*f;
	const char	*text;
	char		 why[256];

	if ((f = pgl_webhook_filter_parse(doc, why, sizeof(why))) == NULL) {
		pgl_reply_error(r, 400, "%s", why);
		return (NULL);
	}
	text = api_text(r->arena, f);
	json_decref(f);
	return (text);
}

/*
 * The tenant's subscriptions against PANGOLIN_WEBHOOKS_MAX_PER_TENANT:
 * 0 below it, else -1 after a 429 in the shape of the other per-tenant
 * limits (docs/limits.md).
 */
static int
quota(struct pgl_req *r)
{
	struct api_quota_limits	 l;
	int64_t			 limit;
	struct pgl_webhook	*ws;
	struct pgl_err		 err;
	const char		*msg;
	size_t			 n, i, held = 0;
	json_t			*j;

	/* The tenant's own limit over the setting (api/quota/). */
	api_quota_limits_for(r->arena, r->tenant, &l);
	if ((limit = l.count[PGL_Q_WEBHOOKS]) == 0)
		return (0);
	if (STORE(list_webhooks, r->arena, r->tenant, &ws, &n, &err) !=
	    PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	for (i = 0; i < n; i++)
		if (ws[i].kind != NULL && strcmp(ws[i].kind, "webhook") == 0)
			held++;
	if (held < (size_t)limit)
		return (0);
	msg = pgl_arena_printf(r->arena, "too many webhooks: this tenant has "
	    "%zu, the limit is %lld (PANGOLIN_WEBHOOKS_MAX_PER_TENANT, or the "
	    "tenant's pangolin.quota.webhooks)", held, (long long)limit);
	j = api_too_many(r, msg, WH_QUOTA_RETRY_SECS);
	json_object_set_new(j, "limit", json_integer(limit));
	json_object_set_new(j, "webhooks", json_integer((json_int_t)held));
	json_object_set_new(j, "kind", json_string("webhooks"));
	json_object_set_new(j, "used", json_integer((json_int_t)held));
	pgl_limit_hit(PGL_LIMIT_WEBHOOKS_PER_TENANT, (uint64_t)limit);
	pgl_reply_json(r, 429, j);
	return (-1);
}

/* A new secret, and its stored text (sealed when a key is set). */
static const char *
new_secrets(struct pgl_req *r, struct pgl_webhook_secrets *s)
{
	const char	*out;
	char		*text;

	memset(s, 0, sizeof(*s));
	if (pgl_webhook_secret_new(s->current) == -1 ||
	    pgl_webhook_secrets_text(s, wh_seal_key(), &text) == -1) {
		pgl_reply_error(r, 500, "cannot make a signing secret");
		return (NULL);
	}
	out = pgl_arena_strdup(r->arena, text);
	free(text);
	return (out);
}

void
api_webhook_create(struct pgl_req *r)
{
	struct pgl_webhook_secrets	 s;
	struct pgl_webhook		 w;
	struct pgl_err			 err;
	char				 id[PGL_UUID_LEN + 1];
	json_t				*j;

	if (!wh_ready(r) || body_ok(r, create_fields) == -1)
		return;
	memset(&w, 0, sizeof(w));
	w.name = pgl_json_str(r->body, "name");
	w.url = pgl_json_str(r->body, "url");
	if (!name_ok(r, w.name) || !url_ok(r, w.url) ||
	    (w.filter = filter_text(r, r->body)) == NULL || quota(r) == -1 ||
	    (w.secrets = new_secrets(r, &s)) == NULL)
		return;
	/* From now on: the changes made before it are history, which a
	 * replay asks for explicitly. */
	if (wh_newest_seq(r, &w.cursor, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	pgl_uuid_new(id);
	w.id = id;
	w.tenant_id = r->tenant;
	w.kind = "webhook";
	w.created_ms = w.updated_ms = pgl_now_ms();
	w.status = "active";
	w.recent = "[]";
	if (STORE(put_webhook, &w, 1, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	api_audit_about(r, w.id, w.name);
	j = wh_json(r, &w);
	json_object_set_new(j, "secret", json_string(s.current));
	explicit_bzero(&s, sizeof(s));
	pgl_reply_json(r, 201, j);
}

void
api_webhook_list(struct pgl_req *r)
{
	struct pgl_webhook	*ws;
	struct pgl_err		 err;
	json_t			*arr;
	size_t			 n, i;

	if (!wh_ready(r))
		return;
	if (STORE(list_webhooks, r->arena, r->tenant, &ws, &n, &err) !=
	    PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		if (ws[i].kind != NULL && strcmp(ws[i].kind, "webhook") == 0)
			json_array_append_new(arr, wh_json(r, &ws[i]));
	pgl_reply_list(r, arr, json_array_size(arr));
}

void
api_webhook_get(struct pgl_req *r)
{
	struct pgl_webhook	w;

	if (wh_ready(r) && wh_find(r, &w) == 0)
		pgl_reply_json(r, 200, wh_json(r, &w));
}

/* The stored filter with the lists the body names replaced (null or
 * [] clears one), normalised again; NULL after a 400. */
static const char *
merged_filter(struct pgl_req *r, const struct pgl_webhook *w)
{
	json_t		*f, *v;
	const char	*text;
	size_t		 i;

	if ((f = pgl_json_load_or(w->filter, NULL)) == NULL &&
	    (f = json_object()) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (NULL);
	}
	for (i = 0; i < sizeof(filter_keys) / sizeof(filter_keys[0]); i++)
		if ((v = json_object_get(r->body, filter_keys[i])) != NULL)
			json_object_set(f, filter_keys[i], v);
	text = filter_text(r, f);
	json_decref(f);
	return (text);
}

/*
 * "active": true resumes (status active, the failures forgotten, the
 * cursor kept: delivery goes on where it stopped); false pauses.  The
 * lease is cleared, so a dispatcher halfway through a batch cannot
 * write its older state over this one (store.h).
 */
static int
set_active(struct pgl_req *r, struct pgl_webhook *w, int active)
{
	struct pgl_err	err;

	w->status = active ? "active" : "paused";
	w->status_reason = active ? NULL : pgl_arena_printf(r->arena,
	    "paused by %s", r->who.username[0] != '\0' ?
	    r->who.username : "an admin");
	w->attempts = 0;
	w->failing_since_ms = 0;
	w->next_attempt_ms = 0;
	if (STORE(set_webhook_state, w, NULL, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Webhook not found");
		return (-1);
	}
	return (0);
}

void
api_webhook_update(struct pgl_req *r)
{
	struct pgl_webhook	 w;
	struct pgl_err		 err;
	const json_t		*active;
	size_t			 i;
	int			 config = 0, filters = 0;

	if (!wh_ready(r) || body_ok(r, update_fields) == -1 ||
	    wh_find(r, &w) == -1)
		return;
	if (json_object_get(r->body, "name") != NULL) {
		w.name = pgl_json_str(r->body, "name");
		if (!name_ok(r, w.name))
			return;
		config = 1;
	}
	if (json_object_get(r->body, "url") != NULL) {
		w.url = pgl_json_str(r->body, "url");
		if (!url_ok(r, w.url))
			return;
		config = 1;
	}
	for (i = 0; i < sizeof(filter_keys) / sizeof(filter_keys[0]); i++)
		if (json_object_get(r->body, filter_keys[i]) != NULL)
			filters = 1;
	if (filters && (w.filter = merged_filter(r, &w)) == NULL)
		return;
	config |= filters;
	api_audit_about(r, w.id, w.name);
	if (config) {
		w.updated_ms = pgl_now_ms();
		if (STORE(put_webhook, &w, 0, &err) != PGL_OK) {
			pgl_reply_missing(r, &err, "Webhook not found");
			return;
		}
	}
	active = json_object_get(r->body, "active");
	if (json_is_boolean(active) && set_active(r, &w,
	    json_is_true(active)) == -1)
		return;
	pgl_reply_json(r, 200, wh_json(r, &w));
}

void
api_webhook_delete(struct pgl_req *r)
{
	struct pgl_webhook	w;
	struct pgl_err		err;

	if (!wh_ready(r) || wh_find(r, &w) == -1)
		return;
	api_audit_about(r, w.id, w.name);
	if (STORE(delete_webhook, r->tenant, w.id, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Webhook not found");
		return;
	}
	pgl_reply_empty(r, 204);
}
