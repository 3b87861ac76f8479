/*
 * Object reads off the worker's thread, by fetch and replay.
 *
 * A handler is run by api_fetch_serve().  When it needs an S3 object
 * not yet fetched for this request (api_fetch_read), the GET goes to the
 * write pool (storage/obj_job.h) and the read fails with PGL_EUNAVAIL;
 * whatever reply the handler then makes is taken back, the request
 * waits (pgl_req_pend) while the worker serves others, and once the
 * object is in, the handler runs again from the start, now finding the
 * bytes (or the error) in the request's fetched set.
 *
 * Only the handler is run again: authentication, the rate limit,
 * idempotency, audit and the request's metrics happen once around it
 * (gate.c).  A handler is read-only up to its first object read; once it
 * has written (a metadata file, a commit under way: api_fetch_disarm,
 * or pgl_req_pend) later reads are made inline, protected by the S3
 * timeouts, breaker and in-flight cap (storage/s3.h).
 */
#ifndef PGL_API_FETCH_H
#define PGL_API_FETCH_H

#include <stddef.h>

#include "http/request.h"
#include "storage/objio.h"

/* Run fn for r; if it waits on a fetch, r is left pending. */
void	api_fetch_serve(struct pgl_req *, void (*fn)(struct pgl_req *));
/* pgl_obj_read() for a handler: fetched, inline, or submitted (above). */
int	api_fetch_read(struct pgl_req *, const struct pgl_storage *,
	    const char *location, size_t max, char **data, size_t *len,
	    struct pgl_err *);
/* 1 while r's handler waits on a fetch: its reply is not sent. */
int	api_fetch_waiting(const struct pgl_req *);
/* r's handler has written: no read of it may wait and replay now. */
void	api_fetch_disarm(struct pgl_req *);
/* What the process's S3 clients did since the last count: to /metrics. */
void	api_count_s3(void);

#endif
