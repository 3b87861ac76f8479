/*
 * Request metrics shared by every Kore worker.  The parent maps one
 * anonymous shared segment before it forks; workers add to it with atomic
 * operations, and any worker renders the whole thing for /metrics.
 */
#ifndef PGL_METRICS_H
#define PGL_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* Process-wide counters beyond the per-route ones; append only. */
enum pgl_counter {
	PGL_C_STORE_ERRORS,
	PGL_C_STORE_UNAVAILABLE,
	PGL_C_OBJECT_STORE_REQUESTS,	/* S3 requests sent */
	PGL_C_OBJECT_STORE_CONNECTIONS,	/* S3 connections opened */
	PGL_C_TASK_FILES_DELETED,	/* by maintenance and purge */
	PGL_C_TASK_BYTES_DELETED,
	PGL_C_COMMIT_RETRIES,		/* commit attempts that lost the swap */
	PGL_C_COMMIT_GAVE_UP,		/* commits that lost every attempt */
	PGL_C_COMMIT_POOL_WRITES,	/* commit files the write pool wrote */
	PGL_C_COMMIT_THREAD_ATTEMPTS,	/* computed on a commit thread */
	PGL_C_COMMIT_CLAIM_WAITS,	/* waits for another worker's table */
	PGL_C_COMMIT_CLAIM_TAKEOVERS,	/* its claim taken over, as stale */
	PGL_C_COMMIT_LOG_SYNCS,		/* store log syncs off the loop */
	PGL_C_COMMIT_CHAINED,		/* computed on an unlanded commit */
	PGL_C_COMMIT_CHAIN_RERUNS,	/* their predecessor never landed */
	PGL_C_COMMIT_LOOP_ATTEMPTS,	/* chained, computed on the loop */
	PGL_C_COMMIT_FLIGHTS,		/* groups' COMMITs answered later */
	PGL_C_COMMIT_FLIGHT_WAITS,	/* of those, waited for by a call */
	PGL_C_COMMIT_ROW_HINTS,		/* commits that read no row first */
	PGL_C_COMMIT_ENTRIES_COPIED,	/* list entries a render copied */
	PGL_C_COMMIT_SWAPS_JOINED,	/* chained swaps made in one */
	PGL_C_COMMIT_SWAPS_LOST_KEPT,	/* lost in a group that landed */
	PGL_C_CONNS_REFUSED,		/* past PANGOLIN_MAX_CONNS_PER_ADDR */
	PGL_C_RATE_LIMITED,		/* 429: past a request rate */
	PGL_C_S3_BREAKER_OPEN,		/* object-store breakers opened */
	PGL_C_S3_REFUSED,		/* S3 calls failed fast (open, busy) */
	PGL_C_AUDIT_ANON_DROPPED,	/* past ..._ANON_FAILURES_PER_MIN */
	PGL_C_SEND_TIMEOUTS,		/* output stalled past send_timeout */
	PGL_C_LIST_YIELDS,		/* list walks that let others in */
	PGL_C_HEADER_TIMEOUTS,		/* no complete head in header_timeout */
	PGL_C_BODY_TIMEOUTS,		/* no whole body in request_timeout */
	PGL_C_KEEPALIVE_CLOSES,		/* idle past keepalive_timeout */
	PGL_C_CONN_CEILING,		/* a worker held max_connections */
	PGL_C_SEND_QUEUE_WAITS,		/* next request waited on output */
	PGL_C_BODY_TOO_LARGE,		/* 413: past a body ceiling */
	PGL_C_HEAD_TOO_LARGE,		/* 431: past max_header_bytes */
	PGL_C_TASK_QUOTA,		/* 429: past max_per_tenant tasks */
	PGL_C_WEBHOOK_QUOTA,		/* 429: past webhooks_max_per_tenant */
	PGL_C_FED_CALLS,		/* calls to federated catalogs' remotes */
	PGL_C_FED_FAILED,		/* ... that got no answer (502, 504) */
	PGL_C_FED_REFUSED,		/* ... refused at once (breaker, queue) */
	PGL_C_STS_CALLS,		/* AssumeRole calls made */
	PGL_C_STS_FAILED,		/* ... that minted nothing */
	PGL_C_COMMIT_GROUPS,		/* store transactions of 2+ commits */
	PGL_C_COMMIT_GROUPED,		/* commits swapped in one of them */
	PGL_C_FED_WAITED,		/* remote calls that waited for a slot */
	PGL_C_SCAN_BUSY,		/* 429: a tenant's planning slots */
	PGL_C_SCAN_QUOTA,		/* 429: a tenant's stored plans */
	PGL_C_SCAN_RUNNING,		/* gauge: plans on planning threads */
	PGL_C_SCAN_WAITING,		/* gauge: ... waiting for a slot */
	PGL_C_SCAN_POOL_PLANS,		/* answered completed off the loop */
	PGL_C_SCAN_HANDED,		/* became tasks after the wait */
	PGL_C_STORE_TX_RETRIES,		/* transactions run again: PGL_ERETRY */
	PGL_C_STORE_TX_GAVE_UP,		/* ... that lost every attempt */
	PGL_C_EVENTS_APPENDED,		/* change events into the outbox */
	PGL_C_EVENTS_UNBUILT,		/* changes left without one (a bug) */
	PGL_C_COMMIT_SWAPS_DEFERRED,	/* group swaps that gave way */
	PGL_C_COMMIT_GROUPS_UNDEFERRED,	/* groups run again, each write awaited */
	PGL_C_CONNS_MOVED_TO_COMMITS,	/* connections handed to a commit worker */
	PGL_C_CONNS_MOVED_TO_READS,	/* connections handed off a commit worker */
	PGL_C_CONN_MOVES_FAILED,	/* hand-overs not made (served in place) */
	PGL_C_QUOTA_REFUSED,		/* 429: past a tenant's quota */
	PGL_C__COUNT
};

/*
 * Map the segment; call once in the parent, before workers fork.  labels
 * are the `route` label values (route templates), kept by reference.
 */
int	pgl_metrics_init(const char *const *labels, size_t n);

/* label: 1 + an index into labels, or 0 for "unmatched". */
void	pgl_metrics_observe(size_t label, const char *method, int status,
	    uint64_t micros);
void	pgl_metrics_inc(enum pgl_counter);
void	pgl_metrics_add(enum pgl_counter, uint64_t);
void	pgl_metrics_set_ready(int);
/* The sum over every worker of a process-wide counter. */
uint64_t pgl_metrics_get(enum pgl_counter);
/* The metric a limit's counter is rendered as ("?" for the others). */
const char *pgl_metrics_name(enum pgl_counter);

/*
 * Whose lines /metrics renders.  PUBLIC: the process-wide ones alone;
 * TENANTS: also those naming a tenant or what it owns (a tenant id, a
 * sink id), for a caller who may see every tenant (the api decides who:
 * api/manage/metrics_scope.c, docs/security.md).
 */
enum pgl_metrics_scope {
	PGL_METRICS_PUBLIC,
	PGL_METRICS_TENANTS
};

/* Prometheus text exposition (version 0.0.4); malloc'd. */
char	*pgl_metrics_render(enum pgl_metrics_scope);
/*
 * Lines the api renders itself (malloc'd text, or NULL), appended by
 * pgl_metrics_render with its scope: main.c hands down the scan room's
 * (per-tenant stored plans and usage), so that nothing here calls up.
 */
void	pgl_metrics_set_extra(char *(*fn)(enum pgl_metrics_scope));

/*
 * A task's run ended (the runners share the segment: forked after it
 * is mapped): kind "maintenance" or "purge"; outcome "succeeded",
 * "failed", "cancelled" or "retried" (handed back for another attempt).
 */
void	pgl_metrics_task(const char *kind, const char *outcome,
	    uint64_t duration_us);

/* The plain counters' names and help texts (plain_counters.c), rendered
 * in this order. */
struct pgl_counter_doc {
	enum pgl_counter	 counter;
	const char		*name;
	const char		*help;
};

extern const struct pgl_counter_doc	pgl_plain_counters[];
extern const size_t			pgl_nplain_counters;

#endif
