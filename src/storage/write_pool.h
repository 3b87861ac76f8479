/*
 * Metadata file writes off the worker's thread.  A commit's new file must
 * be on disk (the file and its directory fsync'd) before the pointer swap
 * names it, and a disk finishes several such writes at once far sooner
 * than the same writes one after another (tests/bench/fsync_bench.c with
 * one thread and with sixteen).  A Kore worker is one thread: writing
 * inline, it has one fsync in flight and every request it holds waits
 * behind it.  So the worker hands the bytes to a few threads of its own
 * and goes on serving; a finished write is reported on an eventfd that
 * the worker's event loop watches (main.c, pgl_http_watch), and its done()
 * runs there, on the worker's thread, never on a pool thread.
 *
 * A job is a local write (pgl_file_write(), which touches no state but
 * the file system) or, when it sets run, a function of its own: an
 * object-store call (obj_job.h; s3.c is safe on these threads).  Such a
 * function must touch nothing the worker's thread uses unlocked.
 */
#ifndef PGL_WRITE_POOL_H
#define PGL_WRITE_POOL_H

#include <stddef.h>

#include "pangolin/plugin.h"

struct pgl_wjob {
	/* In: pgl_file_write(root, location, data, len); all the job's. */
	char			*root;
	char			*location;
	const void		*data;
	size_t			 len;
	/* Or, if set, run(job) on a pool thread instead: it sets rc, err. */
	void			(*run)(struct pgl_wjob *);
	/* Out, when done() runs: */
	int			 rc;
	struct pgl_err		 err;
	/* On the worker's thread; stopped: the pool is going away. */
	void			(*done)(struct pgl_wjob *, int stopped);
	void			*arg;
	struct pgl_wjob		*next;
};

/*
 * After fork, in each worker: the eventfd to watch, or -1 (no pool:
 * every write inline).  threads: [storage] write_pool_threads (default
 * 16, at least 1).
 */
int	pgl_wpool_start(int threads);
/* 0 queued (done() will run), -1 no pool: write inline instead. */
int	pgl_wpool_submit(struct pgl_wjob *);
/* The eventfd is readable: run done() of every finished job. */
void	pgl_wpool_reap(void);
/*
 * fn runs after each reap's done() calls: what done() only gathered
 * (finished commits, api/commit/async.c) is then handled together.
 */
void	pgl_wpool_after_reap(void (*fn)(void));
/*
 * Finish the writes under way, drop those not started, and run done()
 * of all with stopped set; then join the threads.
 */
void	pgl_wpool_stop(void);

#endif
