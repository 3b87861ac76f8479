/*
 * Each worker's copy of tenant users' grants, so a request does not read
 * and parse every grant of its caller (a user with 1,000 grants costs
 * two queries and ~0.2 ms of JSON per request without it).
 *
 * Coherence: an epoch in shared memory (mapped by the parent before
 * fork) is bumped by every committed change that can change a grant
 * (roles, assignments, permissions, principals, tenants); a copy taken at
 * an older epoch is not used, so within one server a change applies to
 * the next request of every worker.  Another replica's changes cannot
 * bump this epoch: a copy is also dropped after PGL_GRANT_CACHE_TTL_MS,
 * which bounds how long another replica's revoke takes to apply here.
 */
#ifndef PGL_GRANT_CACHE_H
#define PGL_GRANT_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "auth/rbac.h"

#define PGL_GRANT_CACHE_TTL_MS	5000

/* Map the epoch (parent, before fork).  Returns 0 or -1 (errno). */
int		 pgl_grant_cache_init(void);
/* Read the epoch before reading grants from the store. */
uint64_t	 pgl_grant_epoch(void);
/* After a change that can change grants has committed. */
void		 pgl_grant_epoch_bump(void);

/* This worker's copy of a principal's grants, or NULL. */
const struct pgl_grant	*pgl_grant_cache_get(const char *tenant,
			    const char *principal, uint64_t epoch,
			    int64_t now_ms, size_t *n);
/* Keep a copy of grants read at epoch. */
void		 pgl_grant_cache_put(const char *tenant, const char *principal,
		    uint64_t epoch, int64_t now_ms, const struct pgl_grant *,
		    size_t n);

#endif
