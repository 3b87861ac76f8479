/*
 * The change events feed (issue 43): POST /v1/{prefix}/events, one
 * catalog's stream as the Iceberg events proposal has it, and GET
 * /api/v1/events, a tenant admin's whole stream.  The events are the
 * outbox's (api/events/, the store's list_events); a caller sees only
 * the events of objects it may read.
 */
#ifndef PGL_API_FEED_H
#define PGL_API_FEED_H

struct pgl_req;

void	api_events_query(struct pgl_req *);
void	api_events_tenant(struct pgl_req *);

#endif
