/*
 * Object reads off the worker's thread, by fetch and replay.
 *
 * A client's read of an S3 object not yet fetched for its request
 * (api_fetch_read) goes to the write pool (storage/obj_job.h) and fails
 * with PGL_EUNAVAIL; the code that made it fails as on any error, its
 * reply is taken back, the request waits (pgl_req_pend) while the worker
 * serves others, and once every object asked for is in, that code runs
 * again from its start, now finding the bytes (or the error) in the
 * request's fetched set.  A run asks for at most FETCH_PER_RUN objects,
 * so that one request does not fill its endpoint's queue.
 *
 * Two kinds of code run again.  The handler (api_fetch_serve), read-only
 * up to its first write (api_fetch_disarm): authentication, the rate
 * limit, idempotency, audit and the request's metrics happen once around
 * it, and a management route's store transaction is rolled back and
 * begun again with it (gate.c).  And a section its caller opens and
 * resumes itself (api_fetch_open): the commit loop's reading of its bases,
 * which a commit queued behind another, or retried after a lost swap,
 * does long after its handler returned (commit/loop.c).
 *
 * A read anywhere else on a client's request (after a write, past
 * REPLAYS_MAX runs, or with no pool to take it) fails with PGL_EUNAVAIL,
 * answered 503 with Retry-After: it never waits on the event loop.  Only
 * a task runner's request, which has no event loop, reads inline.
 */
#ifndef PGL_API_FETCH_H
#define PGL_API_FETCH_H

#include <stddef.h>

#include "http/request.h"
#include "storage/objio.h"
#include "storage/write_pool.h"

/* Run fn for r; if it waits on a fetch, r is left pending. */
void	api_fetch_serve(struct pgl_req *, void (*fn)(struct pgl_req *));
/* pgl_obj_read() for a handler: fetched, submitted (above), or inline
 * for a task's request. */
int	api_fetch_read(struct pgl_req *, const struct pgl_storage *,
	    const char *location, size_t max, char **data, size_t *len,
	    struct pgl_err *);
/*
 * A call of the caller's own made off the worker's thread and kept under
 * key as an object read is (STS's AssumeRole, api/storage/sts_vend.c): w.run
 * makes it on a pool thread and leaves its answer in out, outlen (malloc'd)
 * or in w.rc, w.err; free() lets go of the job.  The call is the
 * function's from here on, whatever it returns: PGL_EUNAVAIL while it
 * runs (the handler runs again once it is in, as after a read), then its
 * answer as a read's (*data the caller's).  A task runner's request makes
 * it inline.  A call without w.run is not made by the pool: it waits for
 * its owner to give it an answer (w.rc, w.err, out) with
 * api_fetch_answer(), on the worker's thread: the waiters on another
 * request's call (one AssumeRole for a burst of loads).  A call that is
 * CPU work (a password's hash) sets cpu: it runs on the CPU lane's few
 * threads, below the event loops' priority, not on the I/O threads that
 * commits' files and object reads wait for (there only when the CPU lane
 * could not be started).
 */
struct api_fetch_call {
	struct pgl_wjob	 w;
	int		 cpu;		/* 1: w.run on the CPU lane, not I/O */
	char		*key;		/* malloc'd; unlike any location */
	char		*out;
	size_t		 outlen;
	void		(*free)(struct api_fetch_call *);
	struct pgl_req	*r;		/* set here */
};
int	api_fetch_call(struct pgl_req *, struct api_fetch_call *,
	    char **data, size_t *len, struct pgl_err *);
void	api_fetch_answer(struct api_fetch_call *);
/* 1 when r holds an answer under key: this run of the handler is a
 * replay after that call (a step it takes once skips it now). */
int	api_fetch_has(const struct pgl_req *, const char *key);
/* 1 while a read of r's waits on a fetch: its reply is not sent. */
int	api_fetch_waiting(const struct pgl_req *);
/* r's handler has written: no read of it may wait and replay now. */
void	api_fetch_disarm(struct pgl_req *);
/*
 * 1 while r's handler may run again from its start: it has not written
 * (api_fetch_disarm) and waits on no read.  The gate runs a management
 * route's handler again this way when its transaction lost a race.
 */
int	api_fetch_replayable(const struct pgl_req *);
/*
 * Open a read-only section of r's that its caller can run again: a read
 * in it may wait (above), and once every object asked for is in,
 * resume(arg) runs on the worker's thread (also if the client left or
 * the pool stopped: the reads then fail) and runs the section again.
 * If r's handler already waits on a read, the section is the handler's,
 * which runs again as a whole.
 */
void	api_fetch_open(struct pgl_req *, void (*resume)(void *), void *arg);
/*
 * Close it.  1: a read in it waits; the reply it made is taken back, and
 * the caller keeps r pending (pgl_req_pend) and returns until resume()
 * runs.  0: it is done, its reads all answered.
 */
int	api_fetch_close(struct pgl_req *);
/* r is answered: let go of what was fetched for it. */
void	api_fetch_end(struct pgl_req *);
/*
 * 1 for a request served on a worker's event loop: a client's, also once
 * the client left.  0 for a task runner's, whose object-store calls are
 * made inline (a runner has no event loop to hold).
 */
int	api_on_loop(const struct pgl_req *);
/* What the process's S3 clients did since the last count: to /metrics. */
void	api_count_s3(void);

#endif
