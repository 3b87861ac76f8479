/*
 * The audit log (pangolin-api.md §2.12): who did what to which resource,
 * from which address and client, with what result.  Written by the
 * identity routes (logins, sessions, users, service users); read by
 * admins of their tenant, by root across tenants.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/events/event_note.h"
#include "api/api.h"
#include "api/gate.h"
#include "api/target.h"
#include "app/app.h"
#include "auth/principal.h"
#include "auth/ratelimit.h"
#include "metrics/metrics.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/log.h"
#include "util/paging.h"

/* A claimed name is kept to this many bytes (whole UTF-8 characters). */
#define CLAIM_MAX	64

static void
record(struct pgl_req *r, const char *tenant, const char *action,
    const char *resource_type, const char *resource_id,
    const char *resource_name, int ok, const char *error, json_t *meta)
{
	struct pgl_audit_event	 e;
	struct pgl_err		 err;
	char			 id[PGL_UUID_LEN + 1];
	const char		*ua = pgl_header(r, "user-agent");
	int64_t			 now;
	json_t			*doc;

	now = pgl_now_ms();
	/* Time-ordered: events of one millisecond list in the order they
	 * happened (the lists order by time, then id). */
	pgl_uuid_new_ordered(id, now);
	doc = json_pack("{s:s,s:o,s:o,s:s,s:o,s:o}", "username",
	    r->who.username, "resource_name", api_str_or_null(resource_name),
	    "ip_address", api_str_or_null(api_client_addr(r)), "action",
	    action, "user_agent", api_str_or_null(ua), "error_message",
	    api_str_or_null(error));
	if (doc == NULL)	/* a value jansson refused: keep the event */
		doc = json_pack("{s:s}", "action", action);
	if (meta != NULL)
		json_object_set_new(doc, "metadata", meta);
	e = (struct pgl_audit_event){ id, tenant, now,
	    r->who.user_id[0] != '\0' ? r->who.user_id : NULL, action,
	    resource_type, resource_id, ok ? "success" : "failure",
	    api_text(r->arena, doc) };
	json_decref(doc);
	/* The route's own event, written by its handler: not again. */
	if (ok && r->app != NULL && r->app->rule != NULL &&
	    r->app->rule->audit != NULL && strcmp(action,
	    r->app->rule->audit) == 0)
		r->app->audited = 1;
	/* The change has happened: a log that cannot be written is said. */
	if (STORE(log_audit_event, &e, &err) != PGL_OK)
		pgl_log(PGL_LOG_ERR, "audit: cannot record %s on %s %s: %s",
		    action, resource_type, resource_id ? resource_id : "-",
		    err.msg);
}

void
api_audit(struct pgl_req *r, const char *tenant, const char *action,
    const char *resource_type, const char *resource_id,
    const char *resource_name, int ok, const char *error)
{
	record(r, tenant, action, resource_type, resource_id, resource_name,
	    ok, error, NULL);
	/* A management change's event (catalogs, users, roles, grants...),
	 * unless its handler noted its own; appended by the gate, last in
	 * the change's transaction. */
	if (ok)
		api_event_note_action(r, tenant, action, resource_id,
		    resource_name);
}

void
api_audit_read(struct pgl_req *r, const char *action,
    const char *resource_type, const char *resource_id,
    const char *resource_name, json_t *meta)
{
	record(r, r->tenant, action, resource_type, resource_id,
	    resource_name, 1, NULL, meta);
}

/*
 * Whether one more anonymous failure from r's address may be recorded:
 * at most [audit] anonymous_failures_per_min per address and minute,
 * counted across workers in the login throttle's shared table, so a
 * caller without credentials cannot grow the audit log without bound
 * (the login throttle may be off, and it does not bound every path).
 * Past it the request is refused as before, only not recorded.
 */
static int
anonymous_recordable(struct pgl_req *r)
{
	static int	 said;
	const char	*addr = api_client_addr(r);
	char		 key[96];
	int		 limit = pgl_app.cfg->audit.anonymous_failures_per_min;

	(void)snprintf(key, sizeof(key), "auditfail:%s",
	    addr != NULL ? addr : "-");
	if (pgl_ratelimit_hit(key, limit, 60, (int64_t)time(NULL)) == 0)
		return (1);
	pgl_metrics_inc(PGL_C_AUDIT_ANON_DROPPED);
	if (!said) {
		said = 1;
		pgl_log(PGL_LOG_WARN, "audit: %s had %d failed anonymous "
		    "authentications recorded this minute "
		    "(anonymous_failures_per_min); more are refused but not "
		    "recorded (logged once per worker)", addr != NULL ? addr :
		    "an address", limit);
	}
	return (0);
}

void
api_audit_claim(struct pgl_req *r, const char *tenant, const char *action,
    const char *name, const char *error)
{
	size_t	len = strlen(name), n = len;

	if (!anonymous_recordable(r))
		return;

	if (n > CLAIM_MAX) {
		n = CLAIM_MAX;
		while (n > 0 && ((unsigned char)name[n] & 0xc0) == 0x80)
			n--;
	}
	record(r, tenant, action, "token", NULL, pgl_arena_strndup(r->arena,
	    name, n), 0, error, json_pack("{s:b,s:b}", "username_verified", 0,
	    "truncated", n < len));
}

/* AuditLogEntry (snake_case). */
static json_t *
entry_json(struct pgl_req *r, const struct pgl_audit_event *e)
{
	json_t	*doc = api_obj(e->doc), *j;

	j = json_pack("{s:s,s:o,s:o,s:O,s:s,s:s,s:o,s:O,s:s,s:O,s:O,s:s,s:O,"
	    "s:o}", "id", e->id, "tenant_id", api_str_or_null(e->tenant_id),
	    "user_id", api_str_or_null(e->user_id), "username",
	    json_object_get(doc, "username") ? json_object_get(doc,
	    "username") : json_null(), "action", e->action, "resource_type",
	    e->resource_type, "resource_id", api_str_or_null(e->resource_id),
	    "resource_name", json_object_get(doc, "resource_name") ?
	    json_object_get(doc, "resource_name") : json_null(), "timestamp",
	    api_rfc3339(r->arena, e->timestamp_ms / 1000), "ip_address",
	    json_object_get(doc, "ip_address") ? json_object_get(doc,
	    "ip_address") : json_null(), "user_agent", json_object_get(doc,
	    "user_agent") ? json_object_get(doc, "user_agent") : json_null(),
	    "result", e->result, "error_message", json_object_get(doc,
	    "error_message") ? json_object_get(doc, "error_message") :
	    json_null(), "metadata", json_is_object(json_object_get(doc,
	    "metadata")) ? json_incref(json_object_get(doc, "metadata")) :
	    json_object());
	json_decref(doc);
	return (j);
}

/* Root reads every tenant unless it names one (X-Pangolin-Tenant). */
static const char *
audit_tenant(struct pgl_req *r)
{
	if (r->who.role == ROLE_ROOT && pgl_header(r, "x-pangolin-tenant") ==
	    NULL)
		return (NULL);
	return (r->tenant);
}

/* "2026-11-22T15:00:00Z" (fractions and offsets refused) -> ms. */
static int
parse_time(const char *s, int64_t *ms)
{
	struct tm	tm;
	const char	*end;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL ||
	    strcmp(end, "Z") != 0)
		return (-1);
	*ms = (int64_t)timegm(&tm) * 1000;
	return (0);
}

/* The §2.12 query filters; replies 400 and returns -1 when one is bad. */
static int
audit_query(struct pgl_req *r, struct pgl_audit_filter *f)
{
	const char	*t;

	memset(f, 0, sizeof(*f));
	f->user_id = pgl_query(r, "user_id");
	f->action = pgl_query(r, "action");
	f->resource_type = pgl_query(r, "resource_type");
	f->resource_id = pgl_query(r, "resource_id");
	f->result = pgl_query(r, "result");
	if ((t = pgl_query(r, "start_time")) != NULL &&
	    parse_time(t, &f->start_ms) == -1) {
		pgl_reply_error(r, 400, "start_time must be RFC 3339 UTC "
		    "(2026-01-31T12:00:00Z)");
		return (-1);
	}
	if ((t = pgl_query(r, "end_time")) != NULL &&
	    parse_time(t, &f->end_ms) == -1) {
		pgl_reply_error(r, 400, "end_time must be RFC 3339 UTC "
		    "(2026-01-31T12:00:00Z)");
		return (-1);
	}
	return (0);
}

/* The list a token pages: the tenant read (NULL: every one) and the
 * filters, as the query gave them. */
static uint64_t
audit_scope(struct pgl_req *r)
{
	const char	*q[] = { "user_id", "action", "resource_type",
			    "resource_id", "result", "start_time",
			    "end_time" };
	const char	*v[7], *t = audit_tenant(r);
	size_t		 i;

	for (i = 0; i < 7; i++) {
		if ((v[i] = pgl_query(r, q[i])) == NULL)
			v[i] = PGL_PAGE_NONE;
	}
	return (pgl_page_scope("audit", t != NULL ? t : PGL_PAGE_NONE, v[0],
	    v[1], v[2], v[3], v[4], v[5], v[6], NULL));
}

void
api_audit_list(struct pgl_req *r)
{
	struct pgl_audit_event	*items;
	struct pgl_audit_filter	 f;
	struct api_page		 pg;
	struct pgl_err		 err;
	json_t			*arr;
	uint64_t		 total = 0;
	size_t			 n, i;

	if (audit_query(r, &f) == -1)
		return;
	if (api_list_page(r, audit_scope(r), &pg) == -1)
		return;
	if (STORE(list_audit_events, r->arena, audit_tenant(r), &f, &pg.pg,
	    &items, &n, pg.keyed ? NULL : &total, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, entry_json(r, &items[i]));
	api_reply_page(r, arr, items, sizeof(*items),
	    API_KEY_NS(struct pgl_audit_event, timestamp_ms, id), &pg, total);
}

void
api_audit_count(struct pgl_req *r)
{
	struct pgl_audit_event	*items;
	struct pgl_audit_filter	 f;
	struct pgl_page		 pg = { 1, 0, NULL };
	struct pgl_err		 err;
	uint64_t		 total = 0;
	size_t			 n;

	if (audit_query(r, &f) == -1)
		return;
	if (STORE(list_audit_events, r->arena, audit_tenant(r), &f, &pg,
	    &items, &n, &total, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	pgl_reply_json(r, 200, json_pack("{s:I}", "count", (json_int_t)total));
}

void
api_audit_get(struct pgl_req *r)
{
	struct pgl_audit_event	e;
	struct pgl_err		err;
	const char		*id = pgl_param(r, "id");

	if (STORE(get_audit_event, r->arena, audit_tenant(r), id, &e, &err) !=
	    PGL_OK) {
		if (err.code != PGL_ENOTFOUND) {
			pgl_reply_store_error(r, &err);
			return;
		}
		pgl_reply_json(r, 404, json_pack("{s:s,s:s}", "error",
		    "Audit event not found", "event_id", id));
		return;
	}
	pgl_reply_json(r, 200, entry_json(r, &e));
}
