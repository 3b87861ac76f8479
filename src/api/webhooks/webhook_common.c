/*
 * What the webhook routes share (webhook_common.h).
 */
#include <string.h>

#include "api/api.h"
#include "api/events/event_note.h"
#include "api/webhooks/webhook_common.h"
#include "app/app.h"
#include "config/config.h"
#include "plugin/loader.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/str.h"
#include "util/uuid.h"

int
wh_ready(struct pgl_req *r)
{
	if (pgl_app.db == NULL || !pgl_store_has_webhooks(pgl_app.db) ||
	    !api_events_on()) {
		pgl_reply_error(r, 501, "this store keeps no webhook "
		    "subscriptions (store ABI 1.16)");
		return (0);
	}
	/* Root's own tenant is none: subscriptions belong to a tenant. */
	if (r->tenant[0] == '\0' || (r->who.role == ROLE_ROOT &&
	    strcmp(r->tenant, PGL_NIL_UUID) == 0)) {
		pgl_reply_error(r, 400, "root must name a tenant "
		    "(X-Pangolin-Tenant) to manage webhooks");
		return (0);
	}
	return (1);
}

int
wh_find(struct pgl_req *r, struct pgl_webhook *w)
{
	struct pgl_err	 err;
	const char	*id = pgl_param(r, "id");

	memset(w, 0, sizeof(*w));
	if (id == NULL || STORE(get_webhook, r->arena, r->tenant, id, w,
	    &err) != PGL_OK) {
		if (id == NULL)
			err.code = PGL_ENOTFOUND;
		pgl_reply_missing(r, &err, "Webhook not found");
		return (-1);
	}
	/* The NATS cursor shares the table; it is no subscription. */
	if (w->kind == NULL || strcmp(w->kind, "webhook") != 0) {
		pgl_reply_error(r, 404, "Webhook not found");
		return (-1);
	}
	return (0);
}

static json_t *
time_or_null(struct pgl_req *r, int64_t ms)
{
	return (ms <= 0 ? json_null() :
	    json_string(api_rfc3339(r->arena, ms / 1000)));
}

/* filter[k], or an empty array: every list is shown. */
static json_t *
list_or_empty(const json_t *filter, const char *k)
{
	json_t	*v = json_object_get(filter, k);

	return (json_is_array(v) ? json_incref(v) : json_array());
}

json_t *
wh_json(struct pgl_req *r, const struct pgl_webhook *w)
{
	json_t	*filter, *j;

	filter = pgl_json_load_or(w->filter, NULL);
	j = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:s,s:o,s:I,s:o,s:o,s:I,"
	    "s:I,s:I,s:o,s:o}",
	    "id", w->id, "name", w->name, "url", w->url,
	    "operation_types", list_or_empty(filter, "operation_types"),
	    "catalogs", list_or_empty(filter, "catalogs"),
	    "namespaces", list_or_empty(filter, "namespaces"),
	    "status", w->status != NULL ? w->status : "active",
	    "status_reason", api_str_or_null(w->status_reason),
	    "cursor", (json_int_t)w->cursor,
	    "failing_since", time_or_null(r, w->failing_since_ms),
	    "next_attempt", time_or_null(r, w->next_attempt_ms),
	    "attempts", (json_int_t)w->attempts,
	    "delivered", (json_int_t)w->delivered,
	    "failures", (json_int_t)w->failures,
	    "created_at", time_or_null(r, w->created_ms),
	    "updated_at", time_or_null(r, w->updated_ms));
	json_decref(filter);
	return (j);
}

const unsigned char *
wh_seal_key(void)
{
	const struct pgl_config	*cfg = pgl_app.cfg;

	return (cfg->auth.has_encryption_key ? cfg->auth.encryption_key :
	    NULL);
}

/*
 * Where a new subscription starts and how far replay may go: the
 * stream's newest event, or its horizon when all were purged (store.h
 * event_newest).  An event appended meanwhile falls either side, as it
 * would of any "now".
 */
int
wh_newest_seq(struct pgl_req *r, uint64_t *seq, struct pgl_err *err)
{
	return (STORE(event_newest, r->tenant, seq, err));
}
