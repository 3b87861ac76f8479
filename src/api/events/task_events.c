/*
 * Task state changes as events (task_events.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/events/event_note.h"
#include "api/events/task_events.h"
#include "app/app.h"
#include "events/event_build.h"
#include "events/event_types.h"
#include "http/request.h"
#include "metrics/metrics.h"
#include "plugin/loader.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"
#include "util/uuid.h"

#define TYPE	PGL_EVENT_X_PREFIX "task-state"

/* in and its payload (held by *payload) for t's state. */
static int
describe(const struct pgl_task *t, const char *previous,
    struct pgl_event_input *in, json_t **payload)
{
	memset(in, 0, sizeof(*in));
	*payload = json_pack("{s:s,s:s,s:s}", "task-id", t->id, "task-type",
	    t->kind != NULL ? t->kind : "", "state", t->status);
	if (*payload == NULL)
		return (-1);
	if (previous != NULL && json_object_set_new(*payload,
	    "previous-state", json_string(previous)) == -1) {
		json_decref(*payload);
		return (-1);
	}
	in->operation_type = TYPE;
	in->catalog = t->catalog;
	in->branch = t->branch;
	/* The table it acts on names the row (PGL_EVF_OF_TABLE): the feed
	 * shows its states to whom may see the task (its table's readers). */
	in->ns = t->table != NULL ? (t->ns != NULL ? t->ns : "") : NULL;
	in->name = t->table;
	in->payload = *payload;
	in->timestamp_ms = pgl_now_ms();
	return (0);
}

void
api_event_task_queued(struct pgl_req *r, const struct pgl_task *t)
{
	struct pgl_event_input	 in;
	struct pgl_err		 err;
	json_t			*payload;

	if (!api_events_on() || describe(t, NULL, &in, &payload) == -1)
		return;
	if (pgl_app.in_tx) {
		api_event_note(r, &in);
		json_decref(payload);
		return;
	}
	/* No transaction open: the queueing was its own write, and so is
	 * its event (append_event outside one is one of its own). */
	api_event_note(r, &in);
	memset(&err, 0, sizeof(err));
	if (api_event_flush(r, &err) != PGL_OK)
		pgl_log(PGL_LOG_WARN, "events: task %s queued without its "
		    "event: %s", t->id, err.msg);
	api_event_reset(r);
	json_decref(payload);
}

int
api_event_task_state(const struct pgl_store_ops *db, struct pgl_store *s,
    const struct pgl_task *t, const char *previous, struct pgl_err *err)
{
	struct pgl_event_input	 in;
	struct pgl_event	 ev;
	char			 id[PGL_UUID_LEN + 1], actor[64], why[256];
	char			*text, *name;
	json_t			*payload, *body;
	uint64_t		 seq;
	int			 none, rc;

	if (!pgl_store_has_events(db))
		return (PGL_OK);
	if (describe(t, previous, &in, &payload) == -1)
		return (PGL_ENOMEM);
	pgl_uuid_new_ordered(id, in.timestamp_ms);
	(void)snprintf(actor, sizeof(actor), "task:%s", t->id);
	in.event_id = id;
	in.actor_type = "system";
	in.actor_name = actor;
	body = pgl_event_build(&in, why, sizeof(why));
	json_decref(payload);
	if (body == NULL) {
		pgl_log(PGL_LOG_ERR, "events: task %s's %s not recorded: %s",
		    t->id, t->status, why);
		pgl_metrics_inc(PGL_C_EVENTS_UNBUILT);
		err->code = PGL_EINTERNAL;
		(void)pgl_strlcpy(err->msg, why, sizeof(err->msg));
		return (PGL_EINTERNAL);
	}
	text = pgl_json_dump(body);
	json_decref(body);
	name = pgl_event_object_name(&in, &none);
	if (text == NULL || (name == NULL && !none)) {
		free(text);
		free(name);
		return (PGL_ENOMEM);
	}
	memset(&ev, 0, sizeof(ev));
	ev.id = id;
	ev.tenant_id = t->tenant_id;
	ev.catalog = t->catalog != NULL ? t->catalog : "";
	ev.ts_ms = in.timestamp_ms;
	ev.operation_type = TYPE;
	ev.object_type = "task";
	ev.object_name = name;
	ev.branch = t->branch;
	ev.request_id = id;
	ev.body = text;
	if ((rc = db->append_event(s, &ev, &seq, err)) == PGL_OK)
		pgl_metrics_inc(PGL_C_EVENTS_APPENDED);
	free(text);
	free(name);
	return (rc);
}
