/*
 * Undrop's expiry (issue 46 part 5), the tasks room's part: a drop kept
 * recoverable (commit/dropped.h) becomes final when its catalog's
 * retention has passed, or when its tenant holds more than [undrop]
 * max_per_tenant (the oldest first).  Final means: its entry deleted
 * and, for a table, a purge task queued in the same transaction, which
 * deletes what the table reached and nothing another table, branch or
 * recoverable drop still reaches (maintenance/purge.c, share.c).  A
 * view has no files of its own to delete, as a final drop of it never
 * had.
 *
 * Who runs it: runner 0 every PGL_UNDROP_SWEEP_EVERY_MS (every tenant),
 * the list of a catalog's drops before it answers (that catalog), and a
 * drop that kept one (the limit).  The memory store has no runner: there
 * the routes are the only ones, and the purge runs in the request.
 */
#ifndef PGL_API_DROPPED_EXPIRY_H
#define PGL_API_DROPPED_EXPIRY_H

#include <stdint.h>

#include "http/request.h"
#include "pangolin/store.h"

/* A catalog's retention (tasks/undrop.h), 0 with a store without 1.18. */
int64_t	api_dropped_retention_ms(const struct pgl_catalog *);

/*
 * Make d (an entry of r's tenant) final, for why ("retention",
 * "limit"): its entry deleted and its purge queued in one transaction,
 * the expiry audited (expire_dropped).  PGL_OK also when another got
 * there first (the entry was gone).
 */
int	api_dropped_final(struct pgl_req *, const struct pgl_dropped *d,
	    const char *why, struct pgl_err *);

/* The drops of r's tenant in catalog past its retention made final
 * (best effort: a failure is logged, the next sweep tries again). */
void	api_dropped_expire(struct pgl_req *, const struct pgl_catalog *);

/* Past the tenant's limit, its oldest drops made final (best effort). */
void	api_dropped_trim(struct pgl_req *);

/* Runner 0's sweep (struct pgl_tasks_env.sweep_dropped), on store s. */
void	api_dropped_sweep(struct pgl_store *s, volatile const int *stop);

#endif
