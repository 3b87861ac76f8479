/*
 * Background task runners (issue 12): a supervisor process forked from
 * Kore's parent starts N runner processes, restarts one that dies and
 * exits with the parent.  Runners never share a process with request
 * workers, so a long task never blocks a request.
 */
#ifndef PGL_TASKS_RUNNER_H
#define PGL_TASKS_RUNNER_H

#include <sys/types.h>

#include "pangolin/store.h"

struct pgl_tasks_env {
	const struct pgl_store_ops	*db;
	const struct pgl_host		*host;
	const struct pgl_kv		*opts;
	size_t				 nopts;
	int				 concurrency;
	int				 poll_interval_ms;
	int64_t				 lease_ms;
};

/* Fork the supervisor; its pid, or -1 (errno set). */
pid_t	pgl_tasks_start(const struct pgl_tasks_env *);

/* Stop the supervisor (SIGTERM; runners hand their tasks back). */
void	pgl_tasks_stop(pid_t);

#endif
