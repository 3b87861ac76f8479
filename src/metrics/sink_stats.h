/*
 * Push sinks' delivery statistics (issue 43) for /metrics: the event
 * dispatcher (a process forked by the task supervisor after the parent
 * mapped this segment) writes them, any worker renders them.  One slot
 * per (tenant, sink id), at most PGL_SINK_STATS_SLOTS of them over the
 * server's life: a fixed table, so that a tenant making and deleting
 * subscriptions cannot grow /metrics without bound.  Sinks past the cap
 * have no labelled series but still count in the totals.
 */
#ifndef PGL_SINK_STATS_H
#define PGL_SINK_STATS_H

#include <stdint.h>
#include <stdio.h>

#define PGL_SINK_STATS_SLOTS	256
#define PGL_SINK_STATS_KEY	64	/* a tenant id, a sink id */

/* Where one sink stands after a delivery run. */
struct pgl_sink_sample {
	int64_t		lag_ms;		/* the oldest undelivered's age */
	uint64_t	backlog;	/* events after the cursor (as read) */
};

/* Map the segment; once, in the parent, before anything forks. */
int	pgl_sink_stats_init(void);

/* The gauges of sink id (kind "webhook" or "nats") of tenant. */
void	pgl_sink_stats_set(const char *tenant, const char *id,
	    const char *kind, const struct pgl_sink_sample *);

/* Count events delivered, failed attempts, pauses. */
void	pgl_sink_stats_count(const char *tenant, const char *id,
	    const char *kind, uint64_t delivered, uint64_t failures,
	    uint64_t pauses);

/*
 * The totals of every sink (pangolin_event_sinks_*), and if per_sink the
 * pangolin_event_sink_* families, one series per (tenant, sink id): for
 * the callers of /metrics who may see every tenant only.
 */
void	pgl_sink_stats_render(FILE *fp, int per_sink);

#endif
