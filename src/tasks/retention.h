/*
 * Audit retention (issue 23): the task runners delete audit events older
 * than [audit] retention_days, in bounded batches.  And the same for the
 * stored parts of scan plans (issue 28) once they expired.
 */
#ifndef PGL_TASKS_RETENTION_H
#define PGL_TASKS_RETENTION_H

#include <stdint.h>

#include "pangolin/store.h"

/* How often runner 0 sweeps, and how much one store call may delete. */
#define PGL_RETENTION_EVERY_MS	(10 * 60 * 1000)
#define PGL_RETENTION_BATCH	1000
/*
 * Expired plan parts are swept more often (issue 42): plans nobody
 * fetched expire after [scan] unfetched_ttl_secs (a minute), and until
 * the sweep their bytes stay on disk, outside the tenant's quota.  The
 * default of [scan] purge_every_secs (runner.h's plan_purge_every_ms).
 */
#define PGL_PLAN_PURGE_EVERY_MS	(30 * 1000)

/*
 * Delete events older than days before now_ms, PGL_RETENTION_BATCH at a
 * time, until none is left or *stop is set; the number deleted, or -1
 * (logged) on a store error.  days 0, or a store without the method
 * (ABI < 1.8), deletes nothing.
 */
int64_t	pgl_retention_sweep(const struct pgl_store_ops *, struct pgl_store *,
	    int days, int64_t now_ms, volatile const int *stop);

/*
 * Delete scan plan parts expired at now_ms, PGL_RETENTION_BATCH at a
 * time, until none is left or *stop is set; the number deleted, or -1
 * (logged) on a store error.  A store without the method (ABI < 1.11,
 * or purge_plan_parts NULL) deletes nothing.
 */
int64_t	pgl_plan_parts_sweep(const struct pgl_store_ops *, struct pgl_store *,
	    int64_t now_ms, volatile const int *stop);

/*
 * Change events (issue 43, retention_events.c): delete those older than
 * retention_secs (0: none by age), then trim every tenant holding more
 * than max_per_tenant (0: no limit) to it, oldest first,
 * PGL_RETENTION_BATCH per store call, until done or *stop is set.  The
 * number removed, or -1 (logged) on a store error; a store without
 * events (ABI < 1.15) removes nothing.
 */
#define PGL_EVENTS_SWEEP_MAX_MS	(60 * 1000)
int64_t	pgl_events_sweep(const struct pgl_store_ops *, struct pgl_store *,
	    int retention_secs, int max_per_tenant, int64_t now_ms,
	    volatile const int *stop);
/* How often runner 0 sweeps events for that retention. */
int64_t	pgl_events_interval_ms(int retention_secs);

#endif
