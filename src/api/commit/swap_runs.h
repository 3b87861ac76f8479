/*
 * A group's pointer swaps (commit/loop.c, group commit): one a table,
 * from the base its first change expected to the file its last wrote.
 * A chain's commits ride in one group (commit/async.c), each computed on
 * the file of the one before, and a swap of each moved one row again and
 * again in the transaction: on PostgreSQL each an UPDATE of a row the
 * last one had just updated, 76 us apiece, a sixth of a hot table's
 * store time.  The outcome is the same: within the transaction each
 * later swap's base is the earlier one's file, so the first swap holds
 * exactly when all of them do.
 */
#ifndef PGL_API_COMMIT_SWAP_RUNS_H
#define PGL_API_COMMIT_SWAP_RUNS_H

#include <stddef.h>

#include "api/commit/commit.h"

struct commit_swap_run {
	struct pgl_req			*r;
	const struct ice_change		*first;
	const char			*to;	/* the last change's file */
	size_t				 joined; /* changes after the first */
	int				 shared; /* a commit of 2+ tables in it */
	int				 lost;	/* its swap found moved, left out */
};

/* c onto runs (room for one more): after the run of its table whose
 * file is its base, else as a run of its own.  Its run's index.  shared:
 * c's commit swaps other tables too. */
size_t	commit_swap_add(struct commit_swap_run *runs, size_t *nruns,
	    struct pgl_req *r, const struct ice_change *c, int shared);
/*
 * Every run's swap, in order, in the caller's transaction: PGL_OK, or
 * the first that failed.  With leave_lost, a run whose swap found its
 * table moved (PGL_ECONFLICT: the compare matched no row, so nothing was
 * written and the transaction goes on) is marked lost and the rest are
 * swapped, unless a commit in it swaps other tables too (shared), whose
 * other swaps could not then be left out: that fails as before.
 */
int	commit_swap_runs(struct commit_swap_run *runs, size_t n,
	    int leave_lost, struct pgl_err *err);

#endif
