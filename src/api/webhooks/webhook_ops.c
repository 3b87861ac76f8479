/*
 * What an admin does to a subscription besides editing it (webhooks.h):
 * rotate its secret, send it a test event, read its last deliveries, and
 * replay the stream from an earlier point.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/events/event_note.h"
#include "api/feed/feed.h"
#include "api/webhooks/webhook_common.h"
#include "api/webhooks/webhooks.h"
#include "app/app.h"
#include "events/webhook_secrets.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/uuid.h"

#define OVERLAP_MAX_SECS	(7LL * 86400)

static const struct pgl_jfield rotate_fields[] = {
	{ "overlap_secs", PGL_J_INT, 0 },
	{ NULL, 0, 0 }
};

static const struct pgl_jfield replay_fields[] = {
	{ "after", PGL_J_STRING, 0 },
	{ "after_seq", PGL_J_INT, 0 },
	{ NULL, 0, 0 }
};

/* An optional body against fields: 0, or -1 after a 400. */
static int
optional_body(struct pgl_req *r, const struct pgl_jfield *fields)
{
	char	why[256];

	if (r->body != NULL && pgl_json_check(r->body, fields, why,
	    sizeof(why)) == -1) {
		pgl_reply_error(r, 400, "%s", why);
		return (-1);
	}
	return (0);
}

void
api_webhook_rotate(struct pgl_req *r)
{
	struct pgl_webhook_secrets	 s;
	struct pgl_webhook		 w;
	struct pgl_err			 err;
	const char			*why;
	char				*text;
	json_int_t			 overlap;
	int64_t				 now = pgl_now_ms();
	json_t				*v;

	if (!wh_ready(r) || optional_body(r, rotate_fields) == -1)
		return;
	overlap = PGL_WEBHOOK_OVERLAP_MS / 1000;
	if ((v = json_object_get(r->body, "overlap_secs")) != NULL &&
	    json_is_integer(v)) {
		overlap = json_integer_value(v);
		if (overlap < 0 || overlap > OVERLAP_MAX_SECS) {
			pgl_reply_error(r, 400, "overlap_secs: 0 to %lld "
			    "(7 days)", (long long)OVERLAP_MAX_SECS);
			return;
		}
	}
	if (wh_find(r, &w) == -1)
		return;
	if (pgl_webhook_secrets_parse(w.secrets, wh_seal_key(), &s,
	    &why) == -1) {
		pgl_reply_error(r, 500, "the stored secrets cannot be read: %s",
		    why);
		return;
	}
	if (pgl_webhook_secrets_rotate(&s, now, overlap * 1000) == -1 ||
	    pgl_webhook_secrets_text(&s, wh_seal_key(), &text) == -1) {
		explicit_bzero(&s, sizeof(s));
		pgl_reply_error(r, 500, "cannot make a signing secret");
		return;
	}
	w.secrets = pgl_arena_strdup(r->arena, text);
	free(text);
	w.updated_ms = now;
	api_audit_about(r, w.id, w.name);
	if (STORE(put_webhook, &w, 0, &err) != PGL_OK) {
		explicit_bzero(&s, sizeof(s));
		pgl_reply_missing(r, &err, "Webhook not found");
		return;
	}
	pgl_reply_json(r, 200, json_pack("{s:s,s:s,s:s}", "id", w.id,
	    "secret", s.current, "previous_valid_until",
	    api_rfc3339(r->arena, s.previous_until_ms / 1000)));
	explicit_bzero(&s, sizeof(s));
}

/*
 * A test event in the outbox, tenant-level, appended by the gate in
 * this route's transaction: the dispatcher hands it to this
 * subscription only, past its filter, so a receiver can check its
 * signature check end to end.
 */
void
api_webhook_test(struct pgl_req *r)
{
	struct pgl_event_input	 in;
	struct pgl_webhook	 w;
	char			 id[PGL_UUID_LEN + 1];
	json_t			*payload;
	size_t			 before;

	if (!wh_ready(r) || wh_find(r, &w) == -1)
		return;
	api_audit_about(r, w.id, w.name);
	if ((payload = json_pack("{s:s}", "webhook-id", w.id)) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	memset(&in, 0, sizeof(in));
	pgl_uuid_new_ordered(id, pgl_now_ms());
	in.event_id = id;
	in.timestamp_ms = pgl_now_ms();
	in.catalog = "";
	in.operation_type = "x-pangolin.webhook-test";
	in.payload = payload;
	before = api_event_count(r);
	api_event_note(r, &in);
	json_decref(payload);
	/* A body that cannot be built is only logged by the note: here it
	 * is the whole request. */
	if (api_event_count(r) == before) {
		pgl_reply_error(r, 500, "the test event could not be built");
		return;
	}
	pgl_reply_json(r, 202, json_pack("{s:s,s:s}", "event_id", id,
	    "webhook_id", w.id));
}

void
api_webhook_deliveries(struct pgl_req *r)
{
	struct pgl_webhook	 w;
	json_t			*recent;

	if (!wh_ready(r) || wh_find(r, &w) == -1)
		return;
	/* The dispatcher keeps them newest first (store.h: recent). */
	recent = pgl_json_load_or(w.recent, NULL);
	if (!json_is_array(recent)) {
		json_decref(recent);
		recent = json_array();
	}
	pgl_reply_json(r, 200, json_pack("{s:s,s:s,s:o,s:I,s:o}", "id", w.id,
	    "status", w.status != NULL ? w.status : "active",
	    "status_reason", api_str_or_null(w.status_reason),
	    "cursor", (json_int_t)w.cursor, "deliveries", recent));
}

/* after_seq within the retained stream and not past its end: 0, or -1
 * after a 400 or 410. */
static int
seq_ok(struct pgl_req *r, uint64_t seq)
{
	struct pgl_err	err;
	uint64_t	horizon, newest;

	if (STORE(event_horizon, r->tenant, NULL, &horizon, &err) !=
	    PGL_OK || wh_newest_seq(r, &newest, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	if (seq < horizon) {
		pgl_reply_error(r, 410, "after_seq: the events after %llu are "
		    "past retention; the lowest is %llu",
		    (unsigned long long)seq, (unsigned long long)horizon);
		return (-1);
	}
	if (seq > newest) {
		pgl_reply_error(r, 400, "after_seq: past the stream's newest "
		    "event (%llu)", (unsigned long long)newest);
		return (-1);
	}
	return (0);
}

/*
 * Deliver again from a point of the tenant's stream: a feed token
 * ("after") or a seq ("after_seq").  The state is reset as a resume's,
 * with the cursor moved; the lease is cleared, so a dispatcher halfway
 * through a batch cannot move it back (store.h).
 */
void
api_webhook_replay(struct pgl_req *r)
{
	struct pgl_webhook	 w;
	struct pgl_err		 err;
	const json_t		*tok, *seqv;
	uint64_t		 seq;

	if (!wh_ready(r))
		return;
	if (r->body == NULL) {
		pgl_reply_error(r, 400, "a JSON request body is required");
		return;
	}
	if (optional_body(r, replay_fields) == -1)
		return;
	tok = json_object_get(r->body, "after");
	seqv = json_object_get(r->body, "after_seq");
	if ((tok == NULL) == (seqv == NULL)) {
		pgl_reply_error(r, 400, "give one of after (a continuation "
		    "token of GET /api/v1/events) or after_seq");
		return;
	}
	if (seqv != NULL && json_integer_value(seqv) < 0) {
		pgl_reply_error(r, 400, "after_seq: a seq, 0 or more");
		return;
	}
	if (wh_find(r, &w) == -1)
		return;
	if (tok != NULL) {
		if (api_feed_tenant_seq(r, json_string_value(tok), &seq) == -1)
			return;
	} else {
		seq = (uint64_t)json_integer_value(seqv);
		if (seq_ok(r, seq) == -1)
			return;
	}
	api_audit_about(r, w.id, w.name);
	w.cursor = seq;
	w.status = "active";
	w.status_reason = NULL;
	w.attempts = 0;
	w.failing_since_ms = 0;
	w.next_attempt_ms = 0;
	if (STORE(set_webhook_state, &w, NULL, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Webhook not found");
		return;
	}
	pgl_reply_json(r, 200, wh_json(r, &w));
}
