/*
 * POST /v1/{prefix}/namespaces/{ns}/tables/{t}/maintenance (and the
 * doubled alias): queue a maintenance task and answer 202 at once; the
 * task runners do the work (maint.h).  The body is
 * {"operations": [...], "older_than_ms"?, "retain_last"?, "dry_run"?},
 * or the reference's {"job_type", "retention_ms"?, "older_than_ms"?}.
 * Ages are "older than this many milliseconds before the task starts".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/iceberg.h"
#include "api/maint.h"
#include "app.h"
#include "util/arena.h"
#include "util/json.h"

#define TASK_ATTEMPTS	3

/*
 * Retry-After of a refused task: the runners drain a full quota at the
 * pace of its tasks, which the server cannot know; a few seconds keeps a
 * well-behaved client from polling faster than tasks finish.
 */
#define QUOTA_RETRY_SECS	5

static const struct pgl_jfield maintenance_fields[] = {
	{ "operations", PGL_J_STRLIST, 0 },
	{ "older_than_ms", PGL_J_INT, 0 },
	{ "retain_last", PGL_J_INT, 0 },
	{ "dry_run", PGL_J_BOOL, 0 },
	{ "job_type", PGL_J_STRING, 0 },
	{ "retention_ms", PGL_J_INT, 0 },
	{ NULL, 0, 0 }
};

static int
known_operation(const char *op)
{
	return (op != NULL && (strcmp(op, "expire_snapshots") == 0 ||
	    strcmp(op, "remove_orphan_files") == 0));
}

static int
non_negative(struct pgl_req *r, const char *key)
{
	json_t	*v = json_object_get(r->body, key);

	if (v != NULL && json_integer_value(v) < 0) {
		pgl_reply_ice_error(r, 400, "BadRequestException",
		    "%s must not be negative", key);
		return (-1);
	}
	return (0);
}

/* The task's parameters from either form of the body; NULL after 400. */
static json_t *
task_params(struct pgl_req *r)
{
	const char	*job = pgl_json_str(r->body, "job_type");
	json_t		*ops = json_object_get(r->body, "operations"), *p, *v;
	size_t		 i;

	if (non_negative(r, "older_than_ms") == -1 ||
	    non_negative(r, "retain_last") == -1 ||
	    non_negative(r, "retention_ms") == -1)
		return (NULL);
	if ((job == NULL) == (ops == NULL) ||
	    (ops != NULL && json_array_size(ops) == 0)) {
		pgl_reply_ice_error(r, 400, "BadRequestException", "give "
		    "either operations (a non-empty list) or job_type");
		return (NULL);
	}
	if (job != NULL && !known_operation(job)) {
		pgl_reply_ice_error(r, 400, "BadRequestException",
		    "unknown job_type: %s", job);
		return (NULL);
	}
	json_array_foreach(ops, i, v)
		if (!known_operation(json_string_value(v))) {
			pgl_reply_ice_error(r, 400, "BadRequestException",
			    "unknown operation: %s", json_string_value(v));
			return (NULL);
		}
	p = json_pack("{s:O*,s:O*,s:b}", "older_than_ms", json_object_get(
	    r->body, "older_than_ms"), "retain_last", json_object_get(r->body,
	    "retain_last"), "dry_run", json_is_true(json_object_get(r->body,
	    "dry_run")));
	if (job != NULL) {
		json_object_set_new(p, "operations", json_pack("[s]", job));
		/* The reference's retention_ms is the age of an expire. */
		if ((v = json_object_get(r->body, "retention_ms")) != NULL &&
		    strcmp(job, "expire_snapshots") == 0)
			json_object_set(p, "older_than_ms", v);
	} else
		json_object_set(p, "operations", ops);
	return (p);
}

/*
 * The memory store lives in one worker process, where no runner can see
 * it: there the worker runs the task itself, before it answers.
 */
static void
run_inline(void)
{
	static struct pgl_tasks_env	env;

	if (strcmp(pgl_app.db->name, "memory") != 0)
		return;
	env.db = pgl_app.db;
	env.lease_ms = 60000;
	env.run = api_task_run;
	pgl_tasks_drain(&env, pgl_app.dbh);
}

/* The tenant's tasks with status; -1 after replying. */
static int
count_status(struct pgl_req *r, const char *status, uint64_t *total)
{
	struct pgl_task_filter	 f;
	struct pgl_page		 pg = { 1, 0 };
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
	pgl_reply_json(r, 429, j);
	return (-1);
}

/* Queue a task on the table t names; its id, or NULL after replying. */
const char *
api_task_queue(struct pgl_req *r, const char *kind,
    const struct ice_target *t, const json_t *params)
{
	struct pgl_task	 task;
	struct pgl_err	 err;
	char		 id[PGL_UUID_LEN + 1], *text;

	if (api_task_quota(r) == -1)
		return (NULL);
	memset(&task, 0, sizeof(task));
	pgl_uuid_new(id);
	if ((text = pgl_json_dump(params)) == NULL) {
		pgl_reply_error(r, 500, "out of memory");
		return (NULL);
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
	task.created_at_ms = pgl_now_ms();
	free(text);
	if (STORE(create_task, &task, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (NULL);
	}
	run_inline();
	return (task.id);
}

void
ice_table_maintenance(struct pgl_req *r)
{
	struct ice_target	 t;
	struct pgl_asset	 a;
	const char		*id;
	json_t			*params;

	if (pgl_req_body(r, maintenance_fields) == -1 ||
	    ice_target(r, "table", &t) == -1 ||
	    ice_find_asset(r, &t, "ICEBERG_TABLE", &a) == -1 ||
	    (params = task_params(r)) == NULL)
		return;
	id = api_task_queue(r, "maintenance", &t, params);
	json_decref(params);
	if (id == NULL)
		return;
	pgl_set_header(r, "location", pgl_arena_printf(r->arena,
	    "/api/v1/tasks/%s", id));
	pgl_reply_json(r, 202, json_pack("{s:s,s:s}", "task_id", id, "status",
	    "queued"));
}
