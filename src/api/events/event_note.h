/*
 * The change events a request makes (issue 43, the outbox), noted where
 * the change is made and appended to the store last in the change's own
 * transaction (api_event_flush, called by the gate after the handler's
 * or the in-transaction function's success, before commit).
 *
 * Why last: on PostgreSQL append_event takes the tenant's event lock and
 * holds it to commit (plugins/sql-common/sql_events.c); taken before the swaps, two
 * writers of the tenant could each hold what the other waits for.  Why
 * noted first: what the event says (the asset, the updates as sent, the
 * new metadata file) is known only where the change is made, and a
 * change run again after a lost race notes again, on a fresh list
 * (api_event_reset at the start of each attempt), so an attempt rolled
 * back leaves no event behind.
 *
 * The body (the feed's Event, src/events/event_build.c) is built when
 * noted, while the borrowed JSON (updates, requirements) is alive; it is
 * kept as text in the request's arena.
 */
#ifndef PGL_API_EVENT_NOTE_H
#define PGL_API_EVENT_NOTE_H

#include "events/event_build.h"
#include "pangolin/store.h"

struct pgl_req;

/* 1 when the store keeps events (ABI 1.15 and all six methods). */
int	api_events_on(void);

/*
 * Note the event in describes (its actor, tenant, request id, time and
 * event id are the request's and are filled here when in leaves them
 * NULL).  A body that cannot be built is the host's bug: logged, never
 * the change's failure.
 */
void	api_event_note(struct pgl_req *, const struct pgl_event_input *in);

/* The same for an object of tenant (NULL or "": the request's), when
 * root acts inside a tenant it names. */
void	api_event_note_in(struct pgl_req *, const char *tenant,
	    const struct pgl_event_input *in);

/* As api_event_note_in, for event_actions.c: an event of an audit
 * record, which a handler's own events replace. */
void	api_event_note_audit(struct pgl_req *, const char *tenant,
	    const struct pgl_event_input *in);

/* 1 when the handler noted an event of its own (a table's, a
 * namespace's): the route's audit action then makes none. */
int	api_event_handler_noted(const struct pgl_req *);

/* The events noted since the last reset, how many. */
size_t	api_event_count(const struct pgl_req *);

/* Forget what was noted: a new attempt of the change starts. */
void	api_event_reset(struct pgl_req *);

/*
 * Append every event noted, in order, inside the open transaction, and
 * forget them.  PGL_OK, or the store's error: the change must then roll
 * back (a change whose event cannot be kept is not made).
 */
int	api_event_flush(struct pgl_req *, struct pgl_err *);

/*
 * The event of a management mutation, from its audit action, the
 * resource's id and name (event_actions.c), unless the handler noted
 * its own or the action makes none.  One request may make several (an
 * access request approved is also a grant).
 */
void	api_event_note_action(struct pgl_req *, const char *tenant,
	    const char *action, const char *id, const char *name);

#endif
