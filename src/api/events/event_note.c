/*
 * The change events of one request: noted where the change is made,
 * appended last in its transaction (event_note.h says why).
 */
#include <stdlib.h>
#include <string.h>

#include "api/events/event_note.h"
#include "api/request/req_app.h"
#include "app/app.h"
#include "config/config.h"
#include "events/event_types.h"
#include "http/request.h"
#include "metrics/metrics.h"
#include "plugin/loader.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"
#include "util/uuid.h"

/* One noted event: the store's row, its body as text. */
struct api_event_notes {
	struct api_event_notes	*next;
	struct pgl_event	 ev;
	const char		*dest;		/* a rename's, joined */
	int			 from_audit;	/* event_actions.c's */
};

int
api_events_on(void)
{
	return (pgl_app.db != NULL && pgl_store_has_events(pgl_app.db));
}

static const char *
dup_or_null(struct pgl_req *r, const char *s)
{
	return (s != NULL ? pgl_arena_strdup(r->arena, s) : NULL);
}

/* The object's levels joined by PGL_NS_SEP, as the store filters them
 * (event_build.c's rule, so the row and the Event agree). */
static const char *
object_name(struct pgl_req *r, const struct pgl_event_input *in)
{
	const char	*out;
	char		*name;
	int		 none;

	if ((name = pgl_event_object_name(in, &none)) == NULL)
		return (NULL);
	out = pgl_arena_strdup(r->arena, name);
	free(name);
	return (out);
}

void
api_event_note(struct pgl_req *r, const struct pgl_event_input *given)
{
	api_event_note_in(r, NULL, given);
}

static void	note(struct pgl_req *, const char *,
		    const struct pgl_event_input *, int);

/* A rename's destination, its levels joined by PGL_NS_SEP; else NULL. */
static const char *
dest_name(struct pgl_req *r, const struct pgl_event_input *in)
{
	if (in->dest_name == NULL)
		return (NULL);
	if (in->dest_ns == NULL || in->dest_ns[0] == '\0')
		return (pgl_arena_strdup(r->arena, in->dest_name));
	return (pgl_arena_printf(r->arena, "%s%c%s", in->dest_ns, PGL_NS_SEP,
	    in->dest_name));
}

void
api_event_note_in(struct pgl_req *r, const char *tenant,
    const struct pgl_event_input *given)
{
	note(r, tenant, given, 0);
}

void
api_event_note_audit(struct pgl_req *r, const char *tenant,
    const struct pgl_event_input *given)
{
	note(r, tenant, given, 1);
}

int
api_event_handler_noted(const struct pgl_req *r)
{
	const struct api_event_notes	*n;

	if (r->app == NULL)
		return (0);
	for (n = r->app->events; n != NULL; n = n->next) {
		if (!n->from_audit)
			return (1);
	}
	return (0);
}

static void
note(struct pgl_req *r, const char *tenant,
    const struct pgl_event_input *given, int from_audit)
{
	struct pgl_event_input		 in = *given;
	const struct pgl_event_type	*type;
	struct api_event_notes		*n, **tail;
	char				 id[PGL_UUID_LEN + 1], why[256];
	char				*text;
	json_t				*body;

	if (tenant == NULL || *tenant == '\0')
		tenant = r->tenant;
	/* Root's own changes (tenants) belong to no tenant's stream. */
	if (r->app == NULL || *tenant == '\0' || !api_events_on())
		return;
	if ((type = pgl_event_type_find(in.operation_type)) == NULL) {
		pgl_log(PGL_LOG_ERR, "events: no type %s", in.operation_type);
		pgl_metrics_inc(PGL_C_EVENTS_UNBUILT);
		return;
	}
	/* A MongoDB document holds 16 MB, and a feed page a thousand
	 * events: large updates stay in the metadata file they made. */
	if (in.max_updates_bytes == 0 && pgl_app.cfg != NULL)
		in.max_updates_bytes = (size_t)pgl_app.cfg->events.max_event_bytes;
	if (in.timestamp_ms == 0)
		in.timestamp_ms = pgl_now_ms();
	/* As event_note.h says: the caller's id when it gave one (a route
	 * that answers with it), else a new one. */
	if (in.event_id == NULL || strlen(in.event_id) > PGL_UUID_LEN)
		pgl_uuid_new_ordered(id, in.timestamp_ms);
	else
		(void)pgl_strlcpy(id, in.event_id, sizeof(id));
	in.event_id = id;
	if (in.request_id == NULL && r->request_id[0] != '\0')
		in.request_id = r->request_id;
	if (in.actor_id == NULL && r->who.user_id[0] != '\0') {
		in.actor_id = r->who.user_id;
		in.actor_type = "user";
		in.actor_name = r->who.username[0] != '\0' ?
		    r->who.username : NULL;
	} else if (in.actor_type == NULL && r->who.username[0] != '\0') {
		/* A background task's request (task_run.c): "task:<id>". */
		in.actor_type = "system";
		in.actor_name = r->who.username;
	}
	if ((body = pgl_event_build(&in, why, sizeof(why))) == NULL) {
		pgl_log(PGL_LOG_ERR, "events: %s not recorded: %s",
		    in.operation_type, why);
		pgl_metrics_inc(PGL_C_EVENTS_UNBUILT);
		return;
	}
	text = pgl_json_dump(body);
	json_decref(body);
	if (text == NULL ||
	    (n = pgl_arena_alloc(r->arena, sizeof(*n))) == NULL) {
		free(text);
		pgl_log(PGL_LOG_ERR, "events: out of memory");
		pgl_metrics_inc(PGL_C_EVENTS_UNBUILT);
		return;
	}
	memset(n, 0, sizeof(*n));
	n->from_audit = from_audit;
	n->ev.body = pgl_arena_strdup(r->arena, text);
	free(text);
	n->ev.id = pgl_arena_strdup(r->arena, id);
	n->ev.tenant_id = pgl_arena_strdup(r->arena, tenant);
	n->ev.catalog = in.catalog != NULL ?
	    pgl_arena_strdup(r->arena, in.catalog) : "";
	n->ev.ts_ms = in.timestamp_ms;
	n->ev.actor = dup_or_null(r, in.actor_id);
	n->ev.operation_type = type->name;
	n->ev.object_type = type->object_type;
	n->ev.object_name = object_name(r, &in);
	n->ev.object_uuid = dup_or_null(r, in.uuid);
	n->dest = dest_name(r, &in);
	n->ev.branch = dup_or_null(r, in.branch);
	n->ev.request_id = dup_or_null(r, in.request_id);
	for (tail = &r->app->events; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = n;
}

size_t
api_event_count(const struct pgl_req *r)
{
	const struct api_event_notes	*n;
	size_t				 c = 0;

	if (r->app == NULL)
		return (0);
	for (n = r->app->events; n != NULL; n = n->next)
		c++;
	return (c);
}

void
api_event_reset(struct pgl_req *r)
{
	if (r->app != NULL)
		r->app->events = NULL;	/* the arena holds them */
}

/*
 * What the request's events reach (event_build.h, PGL_EVENT_REACH): one
 * entry per event, for the feed to count each reader's; NULL when there
 * are too many to list (or out of memory).
 */
static json_t *
reach(const struct pgl_req *r, size_t count)
{
	const struct api_event_notes	*n;
	json_t				*all;

	if (count > PGL_EVENT_REACH_MAX || (all = json_array()) == NULL)
		return (NULL);
	for (n = r->app->events; n != NULL; n = n->next) {
		if (json_array_append_new(all, json_pack("[s,s*,s*,s*,s*]",
		    n->ev.catalog, n->ev.object_type, n->ev.object_name,
		    n->ev.object_uuid, n->dest)) == -1) {
			json_decref(all);
			return (NULL);
		}
	}
	return (all);
}

/* The body with request-event-count set (how many this request made)
 * and what they reach. */
static const char *
counted(struct pgl_req *r, const char *body, size_t count,
    const json_t *all)
{
	json_t	*j;
	char	*text;
	const char *out = NULL;

	if (count <= 1 || (j = pgl_json_load_or(body, NULL)) == NULL)
		return (body);
	if (json_object_set_new(j, "request-event-count",
	    json_integer((json_int_t)count)) == 0 && (all == NULL ||
	    json_object_set(j, PGL_EVENT_REACH, (json_t *)all) == 0) &&
	    (text = pgl_json_dump(j)) != NULL) {
		out = pgl_arena_strdup(r->arena, text);
		free(text);
	}
	json_decref(j);
	return (out != NULL ? out : body);
}

int
api_event_flush(struct pgl_req *r, struct pgl_err *err)
{
	struct api_event_notes	*n;
	size_t			 count;
	uint64_t		 seq;
	json_t			*all = NULL;
	int			 rc = PGL_OK;

	if (r->app == NULL || r->app->events == NULL)
		return (PGL_OK);
	count = api_event_count(r);
	if (count > 1)
		all = reach(r, count);
	for (n = r->app->events; n != NULL; n = n->next) {
		n->ev.body = counted(r, n->ev.body, count, all);
		if ((rc = STORE(append_event, &n->ev, &seq, err)) != PGL_OK)
			break;
		pgl_metrics_inc(PGL_C_EVENTS_APPENDED);
	}
	json_decref(all);
	r->app->events = NULL;
	return (rc);
}
