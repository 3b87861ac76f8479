/*
 * The store's log synced off the event loop (log_sync.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/commit/log_sync.h"
#include "app/app.h"
#include "metrics/metrics.h"
#include "plugin/loader.h"
#include "storage/write_pool.h"
#include "util/log.h"

struct log_sync {
	struct pgl_wjob	  job;
	int		  fd;
	int		  error;	/* the sync's errno, or 0 */
	void		(*answer)(void *, int);
	size_t		  n;
	void		 *items[];
};

int
ice_log_sync_defer(int *fd)
{
	struct pgl_err	err;

	*fd = -1;
	/* Inside a transaction the store would refuse: synced as usual. */
	if (!pgl_store_can_defer_sync(pgl_app.db) || pgl_app.in_tx)
		return (0);
	if (STORE(defer_log_sync, 1, fd, &err) != PGL_OK) {
		*fd = -1;
		return (0);
	}
	return (1);
}

void
ice_log_sync_resume(void)
{
	struct pgl_err	err;

	if (STORE(defer_log_sync, 0, NULL, &err) != PGL_OK)
		pgl_log(PGL_LOG_ERR, "commit: the store's commits may not be "
		    "synced as they return: %s", err.msg);
}

static void
run(struct pgl_wjob *job)
{
	struct log_sync	*ls = job->arg;

	ls->error = fdatasync(ls->fd) == -1 ? errno : 0;
	job->rc = PGL_OK;
}

/* On the worker's thread; stopped: the pool went away before the job. */
static void
done(struct pgl_wjob *job, int stopped)
{
	struct log_sync	*ls = job->arg;
	size_t		 i;

	if (stopped)
		run(job);
	(void)close(ls->fd);
	pgl_metrics_inc(PGL_C_COMMIT_LOG_SYNCS);
	for (i = 0; i < ls->n; i++)
		ls->answer(ls->items[i], ls->error);
	free(ls);
}

void
ice_log_sync_after(int fd, void **items, size_t n,
    void (*answer)(void *, int))
{
	struct log_sync	*ls;
	size_t		 i;
	int		 error;

	/*
	 * The job syncs a descriptor of its own: the store's may be closed
	 * (and its number reused) before a pool thread gets to it.
	 */
	if ((ls = calloc(1, sizeof(*ls) + n * sizeof(items[0]))) == NULL ||
	    (ls->fd = dup(fd)) == -1) {
		free(ls);
		error = fdatasync(fd) == -1 ? errno : 0;
		for (i = 0; i < n; i++)
			answer(items[i], error);
		return;
	}
	ls->answer = answer;
	ls->n = n;
	memcpy(ls->items, items, n * sizeof(items[0]));
	ls->job.run = run;
	ls->job.done = done;
	ls->job.arg = ls;
	if (pgl_wpool_submit(&ls->job) == -1)
		done(&ls->job, 1);
}
