/*
 * Undrop's retention (issue 46 part 5): how long a catalog keeps a table
 * or view dropped without purge recoverable, from the catalog's property
 * and the configured default, and how often runner 0 sweeps the entries
 * whose time has passed (api/tasks/dropped_expiry.c makes them final).
 * Pure: the api layer hands the catalog's properties and the setting.
 */
#ifndef PGL_TASKS_UNDROP_H
#define PGL_TASKS_UNDROP_H

#include <stdint.h>

/* The catalog property that overrides [undrop] retention_days. */
#define PGL_UNDROP_PROPERTY	"pangolin.undrop-retention-days"

/* The range of [undrop] retention_days, which the property shares. */
#define PGL_UNDROP_MAX_DAYS	36500

/* How often runner 0 makes expired drops final. */
#define PGL_UNDROP_SWEEP_EVERY_MS	(60 * 1000)
/*
 * How often runner 0 runs the api's sweep (struct pgl_tasks_env's
 * sweep_dropped): the tenants' logs past their quotas trimmed (issue 67,
 * api/quota/quota_sweep.c) at this pace, the expiry of drops at its own
 * above.
 */
#define PGL_API_SWEEP_EVERY_MS		(10 * 1000)

/*
 * The retention in ms of a catalog whose properties (a JSON object's
 * text, NULL for none) are props: PGL_UNDROP_PROPERTY when it holds a
 * number of days >= 0 (as a string or a number), else days; 0 means
 * every drop is final.  Only whole days can be set now
 * (pgl_undrop_days_valid), but a catalog may keep a value set before
 * that was checked: a fraction still counts as it did, and a value that
 * is no such number is ignored (days apply), so that no drop kept so far
 * becomes final sooner than its catalog said.
 */
int64_t	pgl_undrop_retention_ms(const char *props, int days);

/*
 * Whether v may be set as PGL_UNDROP_PROPERTY: whole days, 0 to
 * PGL_UNDROP_MAX_DAYS, in decimal digits only (what [undrop]
 * retention_days accepts).  Catalog create and update refuse any other
 * value; pgl_undrop_retention_ms still reads one a catalog kept from
 * before, as it always did, so that its drops keep their time.
 */
int	pgl_undrop_days_valid(const char *v);

/* 1 when a drop at dropped_at_ms kept keep_ms (0: final) has expired. */
int	pgl_undrop_expired(int64_t keep_ms, int64_t dropped_at_ms,
	    int64_t now_ms);

#endif
