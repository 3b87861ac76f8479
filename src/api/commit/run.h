/*
 * The one commit loop's state (commit/loop.c), shared by its two ways
 * of running: inline (ice_commit_run) and with the file written by the
 * write pool (commit/async.c, ice_commit_serve).
 */
#ifndef PGL_API_COMMIT_RUN_H
#define PGL_API_COMMIT_RUN_H

#include <stddef.h>

#include "api/commit/commit.h"
#include "storage/write_pool.h"

struct swap_tx {
	struct pgl_req		*r;
	struct ice_change	*changes;
	size_t			 n;
	/* How the last attempt went: */
	size_t			 moved;		/* pointers swapped */
	int			 head_lost;	/* then the branch head's swap */
	int			 lost;		/* its swap left out of a group */
};

/*
 * Kept across a wait for the write pool.  written: the files of this
 * attempt are on disk, not yet swapped in.
 */
struct commit_loop {
	struct pgl_req		*r;
	struct ice_change	*cs;
	size_t			 n;
	struct swap_tx		 tx;
	struct pgl_err		 err;
	int			 attempt;
	int			 head_retries;
	int			 written;
	/*
	 * Never a locked attempt: its file would be written inside the
	 * store transaction, on the event loop (an object store's PUT).
	 */
	int			 never_lock;
	/*
	 * Hand the prepared files to be written elsewhere: 0 (the loop
	 * answers LOOP_WAIT; commit_loop_written() goes on once they
	 * are), 1 to write them here (local disk and no pool: no
	 * network), -1 failed (err; the loop replies with it).  NULL:
	 * always here (a task's).
	 */
	int			(*submit)(struct commit_loop *);
	/*
	 * Run the loop again (commit_loop_run) once the bases an attempt
	 * asked the object store for are in: the loop answered LOOP_WAIT
	 * with r to be kept pending (fetch.h, api_fetch_open).  NULL:
	 * bases are read here (a task's).
	 */
	void			(*resume)(void *owner);
	void			*owner;		/* submit's, resume's */
	/*
	 * The attempt's CPU on a commit thread (commit/compute.c): the
	 * job, then computed (its outcome is in the changes, to settle)
	 * or stopped (the pool is going away).
	 */
	struct pgl_wjob		 cjob;
	int			 computed;
	int			 stopped;
	/* Replied CommitStateUnknown: its files may have landed. */
	int			 unknown;
};

/*
 * LOOP_BUSY: only from commit_loop_written(_all) with pgl_app.begin_try
 * set, when another writer held the store: nothing happened, the files
 * are written, and the caller swaps them again later.
 */
enum loop_end { LOOP_DONE, LOOP_REPLIED, LOOP_AGAIN, LOOP_WAIT, LOOP_BUSY };

void		commit_loop_init(struct commit_loop *, struct pgl_req *,
		    struct ice_change *, size_t n);
/* Attempts until done (0 replied nothing yet), replied, or waiting. */
enum loop_end	commit_loop_run(struct commit_loop *);
/* The submitted files are on disk: swap them in and go on. */
enum loop_end	commit_loop_written(struct commit_loop *);
/*
 * commit_loop_written for n loops at once, their swaps in one store
 * transaction (group commit); ends[i]: loop i's.  n at most
 * COMMIT_GROUP_MAX.  fd not NULL: the transaction's COMMIT may be
 * answered later (store ABI 1.25): 1, with *fd to watch for reading,
 * and commit_loop_written_landed with the same loops until it answers
 * 1, which sets ends[] (0: watch *fd again).  Otherwise 0, ends[] set.
 */
#define COMMIT_GROUP_MAX	32
int		commit_loop_written_all(struct commit_loop **, size_t n,
		    enum loop_end *ends, int *fd);
int		commit_loop_written_landed(struct commit_loop **, size_t n,
		    enum loop_end *ends, int *fd);
/* A client's commit (one table's or view's, or a transaction's) begins
 * (+1) or is answered (-1): what ice_commits_open() counts (async.c). */
void		commit_open_add(int delta);

#endif
