/*
 * The tasks room: tasks, as the handlers and the task kinds of every room
 * see them (task_queue.c, task_help.c): queueing one within the tenant's
 * quota, and what every kind's runner does with its table and its
 * failure.  Above the shared layer (the rate limits, targets, the config
 * cache), below every room that queues or runs a kind.  The kinds
 * themselves are the maintenance room's (maintenance/maint.h) and the
 * merge's (branching/merge.h).
 */
#ifndef PGL_API_TASK_H
#define PGL_API_TASK_H

#include <jansson.h>

#include "api/target.h"
#include "http/request.h"
#include "tasks/runner.h"

/* task_queue.c: 0 while the tenant may queue a task; -1 after 429. */
int		 api_task_quota(struct pgl_req *);

/* task_queue.c: 1 when no runner sees the store (the memory store, in
 * one worker): a task queued is run in the request that queued it. */
int		 api_task_runs_inline(void);

/* task_queue.c: queue a task of kind on t's table; NULL after replying. */
const char	*api_task_queue(struct pgl_req *, const char *kind,
		    const struct ice_target *, const json_t *params);

/*
 * task_queue.c: write a queued task (no quota, no reply), inside the
 * caller's transaction too; then, once that has committed,
 * api_task_kick() runs it where no runner can (the memory store).
 */
int		 api_task_record(struct pgl_req *, const char *kind,
		    const struct ice_target *, const json_t *params,
		    const char **id, struct pgl_err *);
void		 api_task_kick(void);

/* task_help.c: the message of the error a task's request was answered with. */
const char	*api_task_reply_error(struct pgl_req *);

/* task_help.c: the task's table; -1 with run->error set. */
int	api_task_target(struct pgl_task_run *, struct pgl_req *,
	    struct ice_target *);

/* task_help.c: fail the task with a message (always PGL_TASK_FAILED). */
enum pgl_task_end	api_task_fail(struct pgl_task_run *, const char *fmt,
			    ...) __attribute__((format(printf, 2, 3)));

#endif
