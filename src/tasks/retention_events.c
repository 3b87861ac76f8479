/*
 * Change events' retention and per-tenant limit (issue 43): the outbox's
 * events older than [events] retention_secs are purged, oldest first, and
 * a tenant holding more than [events] max_per_tenant loses its oldest.
 * Trimming rather than refusing: the outbox must never block a change
 * (its event is in the change's own transaction).  Each store call is
 * one short write of at most PGL_RETENTION_BATCH rows; the store keeps
 * the horizon (the highest seq removed per stream), so a reader whose
 * token falls behind it is answered 410 Gone.
 */
#include <string.h>
#include <time.h>

#include "tasks/retention.h"
#include "util/arena.h"
#include "util/log.h"

static void
pause_briefly(void)
{
	struct timespec	ts = { 0, 10 * 1000 * 1000 };

	(void)nanosleep(&ts, NULL);
}

int64_t
pgl_events_interval_ms(int retention_secs)
{
	int64_t	ms = (int64_t)retention_secs * 1000 / 4;

	/* A quarter of the retention, between a second and a minute: an
	 * event is gone at most a quarter late, and a short retention
	 * (tests, demos) is honoured within seconds. */
	if (ms < 1000)
		ms = 1000;
	if (ms > PGL_EVENTS_SWEEP_MAX_MS)
		ms = PGL_EVENTS_SWEEP_MAX_MS;
	return (ms);
}

static int64_t
purge_old(const struct pgl_store_ops *db, struct pgl_store *s,
    int retention_secs, int64_t now_ms, volatile const int *stop)
{
	struct pgl_err	err;
	uint64_t	n;
	int64_t		total = 0;

	if (retention_secs <= 0)
		return (0);
	do {
		memset(&err, 0, sizeof(err));
		n = 0;
		if (db->purge_events(s, now_ms - (int64_t)retention_secs *
		    1000, PGL_RETENTION_BATCH, &n, &err) != PGL_OK) {
			pgl_log(PGL_LOG_WARN, "events retention: %s", err.msg);
			return (-1);
		}
		total += (int64_t)n;
		if (n == PGL_RETENTION_BATCH)
			pause_briefly();
	} while (n == PGL_RETENTION_BATCH && !*stop);
	return (total);
}

/* Every tenant over max loses its oldest, a batch per call. */
static int64_t
trim_over(const struct pgl_store_ops *db, struct pgl_store *s, int max,
    volatile const int *stop)
{
	struct pgl_arena	*a;
	struct pgl_event_usage	*u;
	struct pgl_err		 err;
	uint64_t		 over, n;
	int64_t			 total = 0;
	size_t			 nu, i;
	uint32_t		 batch;

	if (max <= 0)
		return (0);
	if ((a = pgl_arena_new()) == NULL)
		return (-1);
	memset(&err, 0, sizeof(err));
	/* The most events first: stop at the first tenant within max. */
	if (db->event_usage(s, a, NULL, 0, &u, &nu, &err) != PGL_OK) {
		pgl_log(PGL_LOG_WARN, "events limit: %s", err.msg);
		pgl_arena_free(a);
		return (-1);
	}
	for (i = 0; i < nu && !*stop && u[i].events > (uint64_t)max; i++) {
		over = u[i].events - (uint64_t)max;
		while (over > 0 && !*stop) {
			batch = over > PGL_RETENTION_BATCH ?
			    PGL_RETENTION_BATCH : (uint32_t)over;
			n = 0;
			if (db->trim_events(s, u[i].tenant, batch, &n,
			    &err) != PGL_OK) {
				pgl_log(PGL_LOG_WARN, "events limit: %s",
				    err.msg);
				pgl_arena_free(a);
				return (-1);
			}
			total += (int64_t)n;
			if (n < batch)
				break;
			over -= n;
			pause_briefly();
		}
	}
	pgl_arena_free(a);
	return (total);
}

int64_t
pgl_events_sweep(const struct pgl_store_ops *db, struct pgl_store *s,
    int retention_secs, int max_per_tenant, int64_t now_ms,
    volatile const int *stop)
{
	int64_t	purged, trimmed;

	if (!pgl_store_has_events(db))
		return (0);
	purged = purge_old(db, s, retention_secs, now_ms, stop);
	trimmed = trim_over(db, s, max_per_tenant, stop);
	if (purged > 0 || trimmed > 0)
		pgl_log(PGL_LOG_INFO, "events: %lld past retention and %lld "
		    "over tenants' limits removed", (long long)purged,
		    (long long)trimmed);
	return (purged < 0 || trimmed < 0 ? -1 : purged + trimmed);
}
