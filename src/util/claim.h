/*
 * Claims: which worker process works on a key now.  A fixed table of
 * slots in memory the workers share (made by the parent before they
 * fork); a key (a seeded hash of its parts) goes to a slot, and a slot
 * is held for one key by at most one worker at a time.  A worker that
 * finds its key held leaves its mark (wanted), so the holder can hand
 * it over; a holder that has not renewed its claim for stale_ms may be
 * taken over.  A slot held for another key is no reason to wait (one
 * tenant's table must not hold up another's): the caller goes on
 * without a claim.
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

/* The key of its parts (each may be NULL). */
uint64_t	pgl_claims_key(const struct pgl_claims *,
		    const char *const *parts, size_t nparts);

/* What pgl_claim_take found. */
#define PGL_CLAIM_WAIT		0	/* another worker holds the key */
#define PGL_CLAIM_HELD		1	/* me: already, or it was free */
#define PGL_CLAIM_TAKEN_OVER	2	/* from a stale holder */
#define PGL_CLAIM_NONE		3	/* the slot is another key's: go on */

/*
 * Worker me (> 0) takes the key at time now_ms (a monotonic clock
 * shared by the processes); on PGL_CLAIM_WAIT its mark is left.
 */
int	pgl_claim_take(struct pgl_claims *, uint64_t key, uint32_t me,
	    int64_t now_ms);

/* Worker me lets the key go (if it holds it): to the worker that wants
 * it, as if that one took it at now_ms, or else free. */
void	pgl_claim_drop(struct pgl_claims *, uint64_t key, uint32_t me,
	    int64_t now_ms);

/* 1 when a worker other than me waits for the key. */
int	pgl_claim_wanted(const struct pgl_claims *, uint64_t key,
	    uint32_t me);

/* A worker me starting (again): the slots its earlier run held or
 * wanted are let go. */
void	pgl_claims_forget(struct pgl_claims *, uint32_t me);

#endif
