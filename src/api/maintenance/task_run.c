/*
 * A claimed task in a runner process (maintenance/maint.h): a request without a
 * connection for the task's tenant, the runner's store handle as the
 * process's, then the kind's code.  The result and error are what the
 * task routes show.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/gate.h"
#include "api/maintenance/maint.h"
#include "api/branching/merge.h"
#include "api/federation/federation.h"
#include "api/scan/scan.h"
#include "api/tasks/task.h"
#include "app/app.h"
#include "metrics/metrics.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/str.h"

/* A task is not a route: no authorization step, no audit event of its own. */
static const struct pgl_rule	task_rule = { WHO_ANY, 0, SC_NONE, NULL, NULL };

static void
task_request(struct pgl_task_run *run, struct pgl_req *r,
    struct pgl_req_app *app)
{
	const struct pgl_task	*t = run->task;

	memset(r, 0, sizeof(*r));
	r->arena = run->arena;
	r->app = app;
	app->rule = &task_rule;
	(void)pgl_strlcpy(r->tenant, t->tenant_id, sizeof(r->tenant));
	(void)pgl_strlcpy(r->who.tenant_id, t->tenant_id,
	    sizeof(r->who.tenant_id));
	/* Commits the task makes are logged as the task's. */
	(void)snprintf(r->who.username, sizeof(r->who.username), "task:%s",
	    t->id);
	(void)snprintf(r->request_id, sizeof(r->request_id), "task-%s", t->id);
	r->iceberg = 1;
}

static enum pgl_task_end
run_kind(struct pgl_task_run *run, struct pgl_req *r, const json_t *params,
    json_t *result)
{
	const char	*kind = run->task->kind;
	json_t		*ops, *op;
	size_t		 i;
	enum pgl_task_end end = PGL_TASK_SUCCEEDED;

	if (strcmp(kind, "purge") == 0)
		return (api_purge_run(run, r, params, result));
	if (strcmp(kind, "merge") == 0)
		return (api_merge_run(run, r, params, result));
	if (strcmp(kind, "branch") == 0)
		return (api_branch_run(run, r, params, result));
	if (strcmp(kind, "federated_sync") == 0)
		return (api_fed_sync_run(run, r, params, result));
	if (strcmp(kind, "scan_plan") == 0)
		return (api_scan_plan_run(run, r, params, result));
	if (strcmp(kind, "maintenance") != 0)
		return (api_task_fail(run, "unknown task kind \"%s\"", kind));
	ops = json_object_get(params, "operations");
	if (json_array_size(ops) == 0)
		return (api_task_fail(run, "a maintenance task names no "
		    "operations"));
	json_array_foreach(ops, i, op) {
		const char *name = json_string_value(op);

		if (name != NULL && strcmp(name, "expire_snapshots") == 0)
			end = api_expire_run(run, r, params, result);
		else if (name != NULL && strcmp(name, "remove_orphan_files") ==
		    0)
			end = api_orphans_run(run, r, params, result);
		else
			end = api_task_fail(run, "unknown operation");
		if (end != PGL_TASK_SUCCEEDED)
			break;
	}
	return (end);
}

enum pgl_task_end
api_task_run(struct pgl_task_run *run)
{
	struct pgl_req		 r;
	struct pgl_req_app	 app;
	struct pgl_store	*saved = pgl_app.dbh;
	json_t			*params, *result;
	char			*text;
	uint64_t		 start;
	enum pgl_task_end	 end;
	static const char *const outcome[] = { "succeeded", "failed",
	    "retried", "cancelled" };

	memset(&app, 0, sizeof(app));
	task_request(run, &r, &app);
	params = json_loads(run->task->params != NULL ? run->task->params :
	    "{}", 0, NULL);
	if (params == NULL || (result = json_object()) == NULL) {
		json_decref(params);
		return (api_task_fail(run, "the task's parameters are not "
		    "JSON"));
	}
	pgl_app.dbh = run->store;
	start = pgl_now_us();
	end = run_kind(run, &r, params, result);
	pgl_app.dbh = saved;
	/* Stopped midway through a step: what it did is in the result. */
	if (end == PGL_TASK_SUCCEEDED && run->stop)
		end = PGL_TASK_CANCELLED;
	pgl_metrics_task(run->task->kind, outcome[end], pgl_now_us() - start);
	if ((end == PGL_TASK_SUCCEEDED || end == PGL_TASK_CANCELLED) &&
	    (text = pgl_json_dump(result)) != NULL) {
		run->task->result = pgl_arena_strdup(run->arena, text);
		free(text);
	}
	json_decref(result);
	json_decref(params);
	/* No one sends a task's reply: let go of what it holds. */
	pgl_reply_withdraw(&r);
	return (end);
}

