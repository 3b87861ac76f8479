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

struct pgl_task_run;

/* What a task's kind ended in. */
enum pgl_task_end {
	PGL_TASK_SUCCEEDED,	/* run->task->result set */
	PGL_TASK_FAILED,	/* for good: run->error */
	PGL_TASK_RETRY,		/* a passing failure: queued again */
	PGL_TASK_CANCELLED	/* stopped between steps when asked */
};

/* Run one claimed task of any kind (the api layer's). */
typedef enum pgl_task_end (*pgl_task_fn)(struct pgl_task_run *);

struct pgl_tasks_env {
	const struct pgl_store_ops	*db;
	const struct pgl_host		*host;
	const struct pgl_kv		*opts;
	size_t				 nopts;
	int				 concurrency;
	int				 poll_interval_ms;
	int64_t				 lease_ms;
	int				 audit_retention_days;
	int				 events_retention_secs;
	int				 events_max_per_tenant;
	/* How often runner 0 purges expired scan plan parts ([scan]
	 * purge_every_secs). */
	int64_t				 plan_purge_every_ms;
	pgl_task_fn			 run;
	/* The event of a task's new state, appended in the transaction
	 * that writes it (api/events/task_events.h); NULL: none. */
	int				(*task_event)(
					    const struct pgl_store_ops *,
					    struct pgl_store *,
					    const struct pgl_task *,
					    const char *previous,
					    struct pgl_err *);
	/*
	 * NULL, or one more child the supervisor keeps running (restarted
	 * when it dies, like a runner): the event dispatcher, which main.c
	 * hands down so that tasks/ need not know events/.  It returns
	 * soon after *stop is set (SIGTERM).
	 */
	void	(*deliver)(const struct pgl_tasks_env *, volatile int *stop);
	const void			*deliver_arg;
	/*
	 * NULL, or what runner 0 runs on its store handle every
	 * PGL_API_SWEEP_EVERY_MS (tasks/undrop.h): undrop's expiry,
	 * which makes the drops past their retention final (their purge
	 * queued), and the tenants' logs kept within their quotas, handed
	 * down by main.c so that tasks/ need not know api/.
	 */
	void	(*sweep_dropped)(struct pgl_store *, volatile const int *stop);
	/*
	 * NULL, or what runner 0 runs once, on its store handle, before its
	 * first sweep: the report of locations that overlapped before every
	 * table owned its files, which walks every table (issue 69: start-up
	 * does not wait for it).
	 */
	void	(*report_once)(struct pgl_store *);
};

/* One claimed task as its kind's code sees it. */
struct pgl_task_run {
	const struct pgl_tasks_env	*env;
	struct pgl_store		*store;
	struct pgl_task			*task;
	struct pgl_arena		*arena;		/* freed after the task */
	char				 error[512];	/* when it failed */
	int64_t				 written_ms;	/* last progress write */
	int				 stop;		/* cancel or lease lost */
};

/*
 * Record progress; it reaches the store at most every 250 ms (always
 * when phase changes), and each write renews the lease and reads whether
 * the task was asked to cancel.  Returns 1 when the task must stop
 * (cancel asked, SIGTERM, or its lease lost), 0 to go on: kinds call it
 * between steps, so cancellation is cooperative.
 */
int	pgl_task_progress(struct pgl_task_run *, const char *phase,
	    uint64_t done, uint64_t total, const char *message);

/*
 * Run every queued task now, in this process, on store s: the memory
 * store's way, whose state no other process can see.  Blocks the caller.
 */
void	pgl_tasks_drain(const struct pgl_tasks_env *, struct pgl_store *s);

/* Fork the supervisor; its pid, or -1 (errno set). */
pid_t	pgl_tasks_start(const struct pgl_tasks_env *);

/* Stop the supervisor (SIGTERM; runners hand their tasks back) and wait
 * up to wait_ms for it to exit. */
void	pgl_tasks_stop(pid_t, unsigned wait_ms);

#endif
