/*
 * Audit retention, and the purge of expired scan plan parts: one store
 * call per batch, each a short write of at most PGL_RETENTION_BATCH rows
 * by the time (or expiry) index, so a sweep over a large backlog never
 * holds the store's write lock for long and the request workers' writes
 * interleave with it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tasks/retention.h"
#include "util/arena.h"
#include "util/log.h"

#define DAY_MS	(24LL * 3600 * 1000)

/* Between batches: let other writers at the lock. */
static void
pause_briefly(void)
{
	struct timespec	ts = { 0, 10 * 1000 * 1000 };

	(void)nanosleep(&ts, NULL);
}

int64_t
pgl_retention_sweep(const struct pgl_store_ops *db, struct pgl_store *s,
    int days, int64_t now_ms, volatile const int *stop)
{
	struct pgl_arena	*a;
	struct pgl_err		 err;
	uint64_t		 n;
	int64_t			 total = 0;

	if (days <= 0 || !pgl_store_can_purge_audit(db))
		return (0);
	do {
		if ((a = pgl_arena_new()) == NULL)
			return (-1);
		memset(&err, 0, sizeof(err));
		n = 0;
		if (db->delete_audit_events_before(s, a, now_ms -
		    (int64_t)days * DAY_MS, PGL_RETENTION_BATCH, &n, &err) !=
		    PGL_OK) {
			pgl_arena_free(a);
			pgl_log(PGL_LOG_WARN, "audit retention: %s", err.msg);
			return (-1);
		}
		pgl_arena_free(a);
		total += (int64_t)n;
		if (n == PGL_RETENTION_BATCH)
			pause_briefly();
	} while (n == PGL_RETENTION_BATCH && !*stop);
	if (total > 0)
		pgl_log(PGL_LOG_INFO, "audit retention: deleted %lld events "
		    "older than %d days", (long long)total, days);
	return (total);
}

int64_t
pgl_plan_parts_sweep(const struct pgl_store_ops *db, struct pgl_store *s,
    int64_t now_ms, volatile const int *stop)
{
	struct pgl_err	err;
	uint64_t	n;
	int64_t		total = 0;

	if (!PGL_STORE_HAS(db, 11, purge_plan_parts))
		return (0);
	do {
		memset(&err, 0, sizeof(err));
		n = 0;
		if (db->purge_plan_parts(s, now_ms, PGL_RETENTION_BATCH, &n,
		    &err) != PGL_OK) {
			pgl_log(PGL_LOG_WARN, "scan plan purge: %s", err.msg);
			return (-1);
		}
		total += (int64_t)n;
		if (n == PGL_RETENTION_BATCH)
			pause_briefly();
	} while (n == PGL_RETENTION_BATCH && !*stop);
	if (total > 0)
		pgl_log(PGL_LOG_INFO, "scan plan purge: deleted %lld expired "
		    "parts", (long long)total);
	return (total);
}
