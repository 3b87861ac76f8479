/*
 * Limits reached: every ceiling of docs/limits.md a caller can reach is
 * counted in /metrics and named in the log the first time a process
 * reaches it, never per event: the caller that reaches a limit is often
 * a flood (idle sockets, large bodies, 429s), and a line per event would
 * hand it the log.  Each worker logs its own first (its flags are its
 * own after fork); the counts live in the shared segment (metrics.c), so
 * /metrics sums every worker's, whichever worker answers.
 */
#ifndef PGL_LIMITS_H
#define PGL_LIMITS_H

#include <stdint.h>

enum pgl_limit {
	PGL_LIMIT_CONNS_PER_ADDR,	/* 503 at accept */
	PGL_LIMIT_CONNECTIONS,		/* a worker stopped accepting */
	PGL_LIMIT_HEADER_TIMEOUT,	/* 408, or a quiet close */
	PGL_LIMIT_BODY_TIMEOUT,		/* 408 */
	PGL_LIMIT_KEEPALIVE,		/* an idle connection closed */
	PGL_LIMIT_SEND_TIMEOUT,		/* reset: the answer did not move */
	PGL_LIMIT_SEND_QUEUE,		/* the next request waits on output */
	PGL_LIMIT_HEAD_SIZE,		/* 431 */
	PGL_LIMIT_BODY,			/* 413, any route */
	PGL_LIMIT_MANAGEMENT_BODY,	/* 413, /api/... */
	PGL_LIMIT_METRICS_BODY,		/* 413, Iceberg metrics reports */
	PGL_LIMIT_RATE_PRINCIPAL,	/* 429 */
	PGL_LIMIT_RATE_TENANT,		/* 429 */
	PGL_LIMIT_TASKS_PER_TENANT,	/* 429 */
	PGL_LIMIT_WEBHOOKS_PER_TENANT,	/* 429 */
	PGL_LIMIT_SCAN_BUSY,		/* 429 */
	PGL_LIMIT_SCAN_PLANS,		/* 429 */
	PGL_LIMIT_QUOTA,		/* 429: a tenant's quota (issue 67) */
	PGL_LIMIT_SCAN_TOTAL,		/* 429: every tenant's stored plans */
	PGL_LIMIT__COUNT
};

/* One hit of a limit whose value is value: counted; the first logged. */
void	pgl_limit_hit(enum pgl_limit, uint64_t value);
/* 1 once this process has logged the limit. */
int	pgl_limit_logged(enum pgl_limit);

#endif
