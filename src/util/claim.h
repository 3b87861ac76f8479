/*
 * Claims: which worker process works on a key now.  A fixed table of
 * slots in memory the workers share (made by the parent before they
 * fork); a key hashes to a slot, and a slot is held by at most one
 * worker at a time.  A worker that finds a slot held leaves its mark
 * (wanted), so the holder can hand it over; a holder that has not
 * renewed its claim for stale_ms may be taken over.
 *
 * A claim is an agreement between workers, not a lock the data relies
 * on: whatever it guards must stay correct when two workers run at once
 * (a takeover of a live holder, a worker restarted while holding).
 */
#ifndef PGL_UTIL_CLAIM_H
#define PGL_UTIL_CLAIM_H

#include <stddef.h>
#include <stdint.h>

struct pgl_claims;

/* nslots slots in shared memory, with a random seed for the keys' hash
 * (so no caller can choose names that share a slot with another's);
 * NULL when out of memory. */
struct pgl_claims	*pgl_claims_new(size_t nslots, int64_t stale_ms);

/* The slot of the key's parts (each may be NULL). */
size_t	pgl_claims_slot(const struct pgl_claims *,
	    const char *const *parts, size_t nparts);

/*
 * Worker me (> 0) takes slot i at time now_ms (a monotonic clock shared
 * by the processes): 1 when it holds it (already, or it was free), 2
 * when it took it over from a stale holder, 0 when another holds it
 * (marked wanted by me).
 */
int	pgl_claim_take(struct pgl_claims *, size_t i, uint32_t me,
	    int64_t now_ms);

/* Worker me lets slot i go (if it holds it): to the worker that wants
 * it, as if that one took it at now_ms, or else free. */
void	pgl_claim_drop(struct pgl_claims *, size_t i, uint32_t me,
	    int64_t now_ms);

/* 1 when a worker other than me waits for slot i. */
int	pgl_claim_wanted(const struct pgl_claims *, size_t i, uint32_t me);

/* A worker me starting (again): the slots its earlier run held or
 * wanted are let go. */
void	pgl_claims_forget(struct pgl_claims *, uint32_t me);

#endif
