/*
 * The change events feed (issue 43): POST /v1/{prefix}/events, one
 * catalog's stream as the Iceberg events proposal has it, and GET
 * /api/v1/events, a tenant admin's whole stream.  The events are the
 * outbox's (api/events/, the store's list_events); a caller sees only
 * the events of objects it may read.
 */
#ifndef PGL_API_FEED_H
#define PGL_API_FEED_H

#include <stdint.h>

struct pgl_req;

void	api_events_query(struct pgl_req *);
void	api_events_tenant(struct pgl_req *);

/*
 * The seq a continuation token of GET /api/v1/events stands at, for a
 * reader that resumes the request's tenant stream elsewhere (a webhook's
 * replay): 0, or -1 after a 400 (not a token of that stream) or a 410
 * (events after it are past retention), as the feed answers them.
 */
int	api_feed_tenant_seq(struct pgl_req *, const char *token,
	    uint64_t *seq);

#endif
