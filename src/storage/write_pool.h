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
 *
 * A commit's CPU work has a lane of its own (pgl_wpool_submit_commit),
 * so that neither a file's fsync nor a scan plan holds it up.
 *
 * CPU work (a scan plan's walk of its manifests, api/scan/) goes to a
 * second lane of threads of its own (pgl_wpool_submit_cpu): a few, at a
 * lower priority (nice), so that a tenant's long computation neither
 * holds the threads that commits and object reads wait for nor takes the
 * CPU from the event loops; its done() is reaped like the others'.
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
/*
 * After pgl_wpool_start: threads for CPU jobs, run at nice (0-19) above
 * the worker's; 0, or -1 (none started: pgl_wpool_submit_cpu refuses).
 */
int	pgl_wpool_start_cpu(int threads, int nice);
/*
 * After pgl_wpool_start: threads for commits' CPU work (parse, apply,
 * render a metadata file: api/commit/compute.c), at nice above the
 * worker's; few, so that commits take a bounded share of the CPUs and
 * the event loop keeps serving reads while they run.  0, or -1 (none:
 * commits compute on the event loop).
 */
int	pgl_wpool_start_commit(int threads, int nice);
/* 0 queued (done() will run), -1 no pool: write inline instead. */
int	pgl_wpool_submit(struct pgl_wjob *);
/* A job with run set, for the CPU lane; 0 queued, -1 no lane. */
int	pgl_wpool_submit_cpu(struct pgl_wjob *);
/* A job with run set, for the commit lane; 0 queued, -1 no lane. */
int	pgl_wpool_submit_commit(struct pgl_wjob *);
/*
 * The eventfd is readable (or a reap left work): run done() of every
 * finished job, then the after-reap function; 1 when that left work for
 * another call.
 */
int	pgl_wpool_reap(void);
/*
 * fn runs after each reap's done() calls: what done() only gathered
 * (finished commits, api/commit/async.c) is then handled together, a
 * bounded part per call; fn returns 1 when it left some for the next.
 */
void	pgl_wpool_after_reap(int (*fn)(void));
/* 1 once the pool is stopping: a long CPU job ends early. */
int	pgl_wpool_stopping(void);
/*
 * Finish the writes under way, drop those not started, and run done()
 * of all with stopped set; then join the threads.
 */
void	pgl_wpool_stop(void);

#endif
