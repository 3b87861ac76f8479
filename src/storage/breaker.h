/*
 * A circuit breaker and an in-flight cap for one object-store endpoint
 * (scheme, host and port).  Pure logic: the caller passes the time in
 * and keeps the state under its own lock (s3.c).
 *
 * Closed: calls go through, at most max_inflight at once; past that a
 * call is refused at once, so one hung endpoint cannot hold every
 * thread of the pool (pool jobs wait for a slot before they reach this:
 * obj_job.c).  After `failures` consecutive
 * failures (no answer in time, no connection, a 5xx) the breaker opens:
 * every call is refused until `cooldown` seconds have passed.  Then one
 * probe is let through (half-open); its success closes the breaker, its
 * failure opens it for another cooldown.
 */
#ifndef PGL_BREAKER_H
#define PGL_BREAKER_H

#include <stdint.h>

struct pgl_breaker_cfg {
	int	failures;	/* consecutive, to open; 0: never opens */
	int	cooldown;	/* seconds open before a probe */
	int	max_inflight;	/* calls at once; 0: no cap */
};

struct pgl_breaker {
	int	 fails;		/* consecutive */
	int	 open;
	int64_t	 open_until;	/* seconds */
	int	 probing;	/* the half-open probe is under way */
	int	 inflight;
};

enum pgl_breaker_admit {
	PGL_BREAKER_GO,		/* call, then pgl_breaker_done() */
	PGL_BREAKER_PROBE,	/* the one half-open call: likewise */
	PGL_BREAKER_OPEN,	/* refused: *retry_after seconds */
	PGL_BREAKER_BUSY	/* refused: max_inflight under way */
};

/* Whether a call may start at now; *retry_after set when refused. */
enum pgl_breaker_admit	pgl_breaker_admit(struct pgl_breaker *,
			    const struct pgl_breaker_cfg *, int64_t now,
			    int *retry_after);
/*
 * A call admitted (GO or PROBE, as admit answered) ended: failed or not.
 * 1 if this call opened the breaker (a trip, for /metrics), else 0.
 */
int	pgl_breaker_done(struct pgl_breaker *, const struct pgl_breaker_cfg *,
	    enum pgl_breaker_admit how, int failed, int64_t now);

#endif
