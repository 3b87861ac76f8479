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

/* Probes of the stream at most, each way (a seq fits 64 bits). */
#define PROBES_MAX	64
/* The first stride past a seq known to exist. */
#define STRIDE_FIRST	1024

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
 * Is there an event of the tenant after seq?  *found and its seq.  One
 * indexed read of one row, in a scratch arena so that a hundred probes
 * (and their bodies) do not stay in the request's.
 */
static int
probe(struct pgl_req *r, uint64_t after, int *found, uint64_t *next,
    struct pgl_err *err)
{
	struct pgl_event_filter	 f;
	struct pgl_arena	*a;
	struct pgl_event	*evs;
	size_t			 n = 0;
	int			 rc;

	if ((a = pgl_arena_new()) == NULL) {
		err->code = PGL_ENOMEM;
		(void)pgl_strlcpy(err->msg, "out of memory", sizeof(err->msg));
		return (err->code);
	}
	memset(&f, 0, sizeof(f));
	f.after_seq = after;
	f.limit = 1;
	rc = STORE(list_events, a, r->tenant, &f, &evs, &n, err);
	*found = rc == PGL_OK && n > 0;
	if (*found)
		*next = evs[0].seq;
	pgl_arena_free(a);
	return (rc);
}

/*
 * The store has no "newest seq" call, and paging the whole stream to
 * find its end is unbounded.  seq only grows, so the end is found by
 * probing: from the horizon (nothing below it is left), gallop forward
 * in doubling strides until a probe finds nothing after it, then halve
 * the gap.  At most 2 * PROBES_MAX one-row reads, whatever the stream's
 * length; an event appended meanwhile falls either side, as it would of
 * any "now".
 */
int
wh_newest_seq(struct pgl_req *r, uint64_t *seq, struct pgl_err *err)
{
	uint64_t	lo, hi, mid, next, stride = STRIDE_FIRST;
	int		found, rc, i;

	if ((rc = STORE(event_horizon, r->tenant, NULL, &lo, err)) != PGL_OK)
		return (rc);
	/* lo: an event's seq or the horizon; no event above hi. */
	hi = UINT64_MAX;
	for (i = 0; i < PROBES_MAX; i++) {
		if ((rc = probe(r, lo, &found, &next, err)) != PGL_OK)
			return (rc);
		if (!found) {
			*seq = lo;
			return (PGL_OK);
		}
		lo = next;
		if (UINT64_MAX - lo <= stride)
			break;
		if ((rc = probe(r, lo + stride, &found, &next, err)) != PGL_OK)
			return (rc);
		if (!found) {
			hi = lo + stride;
			break;
		}
		lo = next;
		stride *= 2;
	}
	for (i = 0; lo < hi && i < PROBES_MAX; i++) {
		mid = lo + (hi - lo) / 2;
		if ((rc = probe(r, mid, &found, &next, err)) != PGL_OK)
			return (rc);
		if (found)
			lo = next;
		else
			hi = mid;
	}
	*seq = lo;
	return (PGL_OK);
}
