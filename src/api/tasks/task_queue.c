/*
 * Queueing a task (maintenance, purge, a large merge) for the task
 * runners, within the tenant's quota (maint.h).  Below the routes that
 * queue them; the runners' side is maintenance/task_run.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/events/task_events.h"
#include "api/gate.h"
#include "api/target.h"
#include "api/tasks/task.h"
#include "app/app.h"
#include "metrics/limits.h"
#include "plugin/loader.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/uuid.h"

#define TASK_ATTEMPTS	3

/*
 * Retry-After of a refused task: the runners drain a full quota at the
 * pace of its tasks, which the server cannot know; a few seconds keeps a
 * well-behaved client from polling faster than tasks finish.
 */
#define QUOTA_RETRY_SECS	5

/*
 * The memory store lives in one worker process, where no runner can see
 * it: there the worker runs the task itself, before it answers.
 */
int
api_task_runs_inline(void)
{
	return (strcmp(pgl_app.db->name, "memory") == 0);
}

static void
run_inline(void)
{
	static struct pgl_tasks_env	env;

	if (!api_task_runs_inline() || pgl_app.task_run == NULL)
		return;
	env.db = pgl_app.db;
	env.lease_ms = 60000;
	env.run = pgl_app.task_run;
	env.task_event = api_event_task_state;
	pgl_tasks_drain(&env, pgl_app.dbh);
}

/* The tenant's tasks with status; -1 after replying. */
static int
count_status(struct pgl_req *r, const char *status, uint64_t *total)
{
	struct pgl_task_filter	 f;
	struct pgl_page		 pg = { 1, 0, NULL };
	struct pgl_task		*items;
	struct pgl_err		 err;
	size_t			 n;

	memset(&f, 0, sizeof(f));
	f.status = status;
	if (STORE(list_tasks, r->arena, r->tenant, &f, &pg, &items, &n, total,
	    &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	return (0);
}

/*
 * One tenant's flood of tasks must not fill the store nor hold the
 * runners from everyone else's: queued plus running tasks are capped per
 * tenant ([tasks] max_per_tenant).  The count and the insert are not one
 * transaction, so requests racing on other workers may each pass with
 * the last free slot: the ceiling can be exceeded by at most the number
 * of requests in flight at once, never without bound.
 */
int
api_task_quota(struct pgl_req *r)
{
	int		 limit = pgl_app.cfg->tasks.max_per_tenant;
	uint64_t	 queued = 0, running = 0, held;
	const char	*msg;
	json_t		*j;

	if (limit == 0)
		return (0);
	if (count_status(r, "queued", &queued) == -1 ||
	    count_status(r, "running", &running) == -1)
		return (-1);
	if ((held = queued + running) < (uint64_t)limit)
		return (0);
	msg = pgl_arena_printf(r->arena, "too many tasks: this tenant has %llu "
	    "queued or running, the limit is %d (PANGOLIN_MAX_TASKS_PER_TENANT)",
	    (unsigned long long)held, limit);
	/* The error as every other on the route, the figures beside it. */
	j = api_too_many(r, msg, QUOTA_RETRY_SECS);
	json_object_set_new(j, "limit", json_integer(limit));
	json_object_set_new(j, "queued_or_running", json_integer(
	    (json_int_t)held));
	pgl_limit_hit(PGL_LIMIT_TASKS_PER_TENANT, (uint64_t)limit);
	pgl_reply_json(r, 429, j);
	return (-1);
}

/*
 * Write a queued task of kind on t's table; PGL_OK and *out its id.  No
 * quota and no reply: inside a transaction of the caller's as well.
 */
int
api_task_record(struct pgl_req *r, const char *kind,
    const struct ice_target *t, const json_t *params, const char **out,
    struct pgl_err *err)
{
	struct pgl_task	 task;
	char		 id[PGL_UUID_LEN + 1], *text;
	int		 rc;

	memset(&task, 0, sizeof(task));
	task.created_at_ms = pgl_now_ms();
	/* Time-ordered: the list (newest first, by time, then id) keeps the
	 * order of tasks queued in one millisecond. */
	pgl_uuid_new_ordered(id, task.created_at_ms);
	if ((text = pgl_json_dump(params)) == NULL) {
		err->code = PGL_ENOMEM;
		(void)snprintf(err->msg, sizeof(err->msg), "out of memory");
		return (err->code);
	}
	task.id = pgl_arena_strdup(r->arena, id);
	task.tenant_id = r->tenant;
	task.kind = kind;
	task.status = "queued";
	task.catalog = t->catalog.name;
	task.branch = t->branch;
	task.ns = t->ns;
	task.table = t->name;
	task.params = pgl_arena_strdup(r->arena, text);
	task.max_attempts = TASK_ATTEMPTS;
	task.created_by = r->who.username[0] != '\0' ? r->who.username :
	    "anonymous";
	free(text);
	if ((rc = STORE(create_task, &task, err)) != PGL_OK)
		return (rc);
	api_event_task_queued(r, &task);
	*out = task.id;
	return (PGL_OK);
}

void
api_task_kick(void)
{
	run_inline();
}

/* Queue a task on the table t names; its id, or NULL after replying. */
const char *
api_task_queue(struct pgl_req *r, const char *kind,
    const struct ice_target *t, const json_t *params)
{
	struct pgl_err	 err;
	const char	*id;

	if (api_task_quota(r) == -1)
		return (NULL);
	if (api_task_record(r, kind, t, params, &id, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (NULL);
	}
	run_inline();
	return (id);
}

