/*
 * The logs kept within a tenant's quota (issue 67): a tenant holding more
 * change events' bytes than its events_bytes, or more audit records (or
 * their bytes) than its audit and audit_bytes, loses its oldest.  Logs
 * are trimmed, never refused: an event is written in its change's own
 * transaction and an audit record with every refusal, so refusing them
 * would refuse the change (or nothing at all).  The room they may take
 * is counted whole in the tenant's total (api_quota_total), so a tenant
 * whose logs grow cannot take another's room, and the quota's 2 GiB
 * holds with the logs at their ceilings.
 *
 * Run by task runner 0 with the undrop sweep (every 10 s, on its own
 * store handle); the figures are the store's ledger, one short read per
 * kind for every tenant, and each delete a short write of at most
 * TRIM_BATCH rows.  The events' count ([events] max_per_tenant, the
 * setting) stays tasks/retention_events.c's.
 */
#include <string.h>
#include <time.h>

#include "api/quota/quota.h"
#include "app/app.h"
#include "plugin/loader.h"
#include "util/arena.h"
#include "util/log.h"

#define TRIM_BATCH	1000

/* How many of a tenant's oldest go: past the count, and past the bytes
 * at the rows' mean size (the next sweep takes what that misses). */
static int64_t
excess(int64_t count, int64_t bytes, int64_t max_count, int64_t max_bytes)
{
	int64_t	n = 0, b;

	if (max_count > 0 && count > max_count)
		n = count - max_count;
	if (max_bytes > 0 && bytes > max_bytes && count > 0) {
		b = (bytes - max_bytes + bytes / count - 1) / (bytes / count > 0
		    ? bytes / count : 1);
		if (b > n)
			n = b;
	}
	return (n > count ? count : n);
}

static int
trim(struct pgl_store *s, enum pgl_quota_kind k, const char *tenant,
    uint32_t n, uint64_t *gone, struct pgl_err *err)
{
	if (k == PGL_Q_EVENTS)
		return (pgl_app.db->trim_events(s, tenant, n, gone, err));
	return (pgl_app.db->trim_audit(s, tenant, n, gone, err));
}

static void
pause_briefly(void)
{
	struct timespec	ts = { 0, 10 * 1000 * 1000 };

	(void)nanosleep(&ts, NULL);
}

/* Every tenant over its quota of kind k loses its oldest. */
static void
sweep_kind(struct pgl_store *s, struct pgl_arena *a, enum pgl_quota_kind k,
    volatile const int *stop)
{
	struct api_quota_limits	 l;
	struct pgl_usage	*u;
	struct pgl_err		 err;
	uint64_t		 gone, total = 0;
	int64_t			 n;
	size_t			 nu, i;
	uint32_t		 batch;

	memset(&err, 0, sizeof(err));
	if (pgl_app.db->usage(s, a, NULL, api_quota_kind_name(k), 0, &u, &nu,
	    &err) != PGL_OK) {
		pgl_log(PGL_LOG_WARN, "quota: the %s of every tenant: %s",
		    api_quota_kind_name(k), err.msg);
		return;
	}
	for (i = 0; i < nu && !*stop; i++) {
		api_quota_limits_for(a, u[i].tenant, &l);
		n = excess(u[i].count, u[i].bytes, k == PGL_Q_EVENTS ? 0 :
		    l.count[k], l.bytes[k]);
		while (n > 0 && !*stop) {
			batch = n > TRIM_BATCH ? TRIM_BATCH : (uint32_t)n;
			gone = 0;
			if (trim(s, k, u[i].tenant, batch, &gone, &err) !=
			    PGL_OK) {
				pgl_log(PGL_LOG_WARN, "quota: the %s of tenant "
				    "%s: %s", api_quota_kind_name(k),
				    u[i].tenant, err.msg);
				return;
			}
			total += gone;
			if (gone < batch)
				break;
			n -= (int64_t)gone;
			pause_briefly();
		}
	}
	if (total > 0)
		pgl_log(PGL_LOG_INFO, "quota: %llu %s records over tenants' "
		    "quotas removed", (unsigned long long)total,
		    api_quota_kind_name(k));
}

void
api_quota_sweep(struct pgl_store *s, volatile const int *stop)
{
	struct pgl_arena	*a;

	if (!pgl_store_has_usage(pgl_app.db) || (a = pgl_arena_new()) ==
	    NULL)
		return;
	if (pgl_store_has_events(pgl_app.db))
		sweep_kind(s, a, PGL_Q_EVENTS, stop);
	sweep_kind(s, a, PGL_Q_AUDIT, stop);
	pgl_arena_free(a);
}
