/*
 * A background task's state changes as change events (issue 43):
 * x-pangolin.task-state, with the task's id, kind, state and the state
 * before, on its catalog's stream when it has one (a maintenance, merge
 * or purge task), else the tenant's.  Queued by a request (the request's
 * actor), then running, succeeded, failed, cancelled or queued again by
 * a runner (the system actor "task:<id>"), each in the transaction that
 * writes the state.
 */
#ifndef PGL_API_TASK_EVENTS_H
#define PGL_API_TASK_EVENTS_H

#include "pangolin/store.h"

struct pgl_req;

/* A task just queued by r: noted in r's transaction when one is open,
 * else appended on its own. */
void	api_event_task_queued(struct pgl_req *r, const struct pgl_task *t);

/*
 * For a task runner (struct pgl_tasks_env.task_event): append the event
 * of t's new state (previous: the state before) in the transaction open
 * on s.  PGL_OK also when the store keeps no events; else the store's
 * error, or PGL_EINTERNAL when the body cannot be built (a host bug,
 * logged and counted).
 */
int	api_event_task_state(const struct pgl_store_ops *db,
	    struct pgl_store *s, const struct pgl_task *t,
	    const char *previous, struct pgl_err *err);

#endif
