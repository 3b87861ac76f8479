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

/* How often runner 0 makes expired drops final. */
#define PGL_UNDROP_SWEEP_EVERY_MS	(60 * 1000)

/*
 * The retention in ms of a catalog whose properties (a JSON object's
 * text, NULL for none) are props: PGL_UNDROP_PROPERTY when it holds a
 * number of days >= 0 (as a string or a number; fractions allowed, so a
 * test need not wait a day), else days; 0 means every drop is final.
 * A value that is not such a number is ignored (days apply): a typo
 * must not make drops final.
 */
int64_t	pgl_undrop_retention_ms(const char *props, int days);

/* 1 when a drop at dropped_at_ms kept keep_ms (0: final) has expired. */
int	pgl_undrop_expired(int64_t keep_ms, int64_t dropped_at_ms,
	    int64_t now_ms);

#endif
