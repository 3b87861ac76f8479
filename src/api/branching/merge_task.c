/*
 * A merge run as a task (branching/merge_queue.c queues it past [merge]
 * inline_max_assets, or for an object store).  Planning 8,000
 * conflicting tables reads three metadata files each, seconds of work
 * during which every other request on the worker waits.  Past
 * [merge] inline_max_assets assets on either branch, the route checks
 * what the synchronous merge checks (authorization, the branches, the
 * experimental rule), then queues a task of kind "merge" and answers 202;
 * a task runner plans (outside any store transaction: a plan only reads,
 * and SQLite's write lock must not be held for it) and records the
 * operation, its conflicts and the apply in one transaction, as the
 * synchronous merge does.  The outcome is the task's result.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/gate.h"
#include "api/branching/merge.h"
#include "api/tasks/task.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/str.h"

/* The task's progress: its phase and "source -> target" for the page. */
struct tick_arg {
	struct pgl_task_run	*run;
	const char		*what;
};

static int
tick(void *arg, uint64_t done, uint64_t total)
{
	struct tick_arg	*ta = arg;

	return (pgl_task_progress(ta->run, "planning", done, total, ta->what));
}

/* j[key], or null. */
static json_t *
field_or_null(const json_t *j, const char *key)
{
	json_t	*v = json_object_get(j, key);

	return (v != NULL ? json_incref(v) : json_null());
}

/* The outcome of a merge that stopped on conflicts (its 409 body). */
static void
conflicted(struct pgl_req *r, json_t *result)
{
	const char	*body;
	size_t		 len;
	json_t		*j = NULL;

	if ((body = pgl_reply_body(r, &len)) != NULL)
		j = json_loadb(body, len, 0, NULL);
	json_object_set_new(result, "status", json_string("conflicted"));
	json_object_set_new(result, "operation_id", field_or_null(j,
	    "operation_id"));
	json_object_set_new(result, "conflicts", field_or_null(j,
	    "conflicts"));
	json_object_set_new(result, "result_commit_id", json_null());
	json_object_set_new(result, "message", field_or_null(j, "message"));
	json_decref(j);
}

/*
 * Record the plan in one store transaction, as the gate wraps the
 * synchronous route; a merge stopped on conflicts keeps its operation.
 * Inside an open transaction (the memory store runs its tasks in the
 * worker, within the submitting route's) it is part of that one.
 * 0 recorded (completed or conflicted), -1 with the task's error set.
 */
static int
record(struct pgl_task_run *run, struct pgl_req *r,
    const struct pgl_catalog *c, const struct pgl_branch *s,
    const struct pgl_branch *t, struct merge_prepared *p, json_t **done)
{
	struct pgl_err	 err, rb;
	int		 own = !pgl_app.in_tx, rc, keep;

	memset(&err, 0, sizeof(err));
	if (own) {
		if (pgl_store_begin_in(r->tenant, &err) != PGL_OK) {
			json_decref(p->plan);
			json_decref(p->conflicts);
			(void)api_task_fail(run, "store: %s", err.msg);
			return (-1);
		}
		pgl_app.in_tx = 1;
	}
	rc = merge_record(r, c, s, t, p, done);
	keep = rc == 0 || (r->status == 409 && r->app->keep_on_error);
	if (own) {
		pgl_app.in_tx = 0;
		if (!keep)
			(void)STORE(rollback, &rb);
		else if (STORE(commit, &err) != PGL_OK) {
			(void)STORE(rollback, &rb);
			json_decref(*done);
			*done = NULL;
			(void)api_task_fail(run, "store: %s", err.msg);
			return (-1);
		}
	}
	if (!keep) {
		(void)api_task_fail(run, "%s", api_task_reply_error(r));
		return (-1);
	}
	return (0);
}

enum pgl_task_end
api_merge_run(struct pgl_task_run *run, struct pgl_req *r,
    const json_t *params, json_t *result)
{
	struct tick_arg		 ta = { run, NULL };
	struct merge_tick	 tk = { tick, &ta };
	struct merge_prepared	 p;
	struct pgl_catalog	 c;
	struct pgl_branch	 s, t;
	struct pgl_err		 err;
	const char		*by = pgl_json_str(params, "initiated_by");
	int			 rebase = json_is_true(json_object_get(params,
				    "rebase"));
	json_t			*done = NULL;

	memset(&err, 0, sizeof(err));
	/* The operation names who asked for it, as the route would. */
	if (by != NULL)
		(void)pgl_strlcpy(r->who.user_id, by, sizeof(r->who.user_id));
	if (run->task->catalog == NULL || api_get_catalog(r, r->tenant,
	    run->task->catalog, &c, &err) != PGL_OK)
		return (api_task_fail(run, "catalog %s: %s",
		    run->task->catalog != NULL ? run->task->catalog : "?",
		    err.msg));
	/* The branches as they are now, not as they were when queued. */
	if (merge_find_branch(r, c.name, pgl_json_str(params,
	    "source_branch"), &s) == -1 || merge_find_branch(r, c.name,
	    pgl_json_str(params, "target_branch"), &t) == -1)
		return (api_task_fail(run, "%s", api_task_reply_error(r)));
	ta.what = pgl_arena_printf(r->arena, "%s -> %s", s.name, t.name);
	if (pgl_task_progress(run, "planning", 0, 0, ta.what) ||
	    merge_prepare(r, &c, &s, &t, &tk, &p) == -1)
		return (run->stop ? PGL_TASK_CANCELLED : api_task_fail(run,
		    "%s", api_task_reply_error(r)));
	if (pgl_task_progress(run, "recording", json_array_size(p.plan),
	    json_array_size(p.plan), ta.what)) {
		json_decref(p.plan);
		json_decref(p.conflicts);
		return (PGL_TASK_CANCELLED);
	}
	if (record(run, r, &c, &s, &t, &p, &done) == -1)
		return (PGL_TASK_FAILED);
	json_object_set_new(result, "operation", json_string(rebase ?
	    "rebase" : "merge"));
	json_object_set_new(result, "source_branch", json_string(s.name));
	json_object_set_new(result, "target_branch", json_string(t.name));
	if (done == NULL) {
		conflicted(r, result);
		return (PGL_TASK_SUCCEEDED);
	}
	json_object_set_new(result, "status", json_string("completed"));
	json_object_set(result, "operation_id", json_object_get(done, "id"));
	json_object_set_new(result, "conflicts", json_integer(0));
	json_object_set(result, "result_commit_id", json_object_get(done,
	    "result_commit_id"));
	json_decref(done);
	return (PGL_TASK_SUCCEEDED);
}
