/*
 * POST /v1/{prefix}/namespaces/{ns}/tables/{t}/maintenance (and the
 * doubled alias): queue a maintenance task and answer 202 at once; the
 * task runners do the work (maintenance/maint.h).  The body is
 * {"operations": [...], "older_than_ms"?, "retain_last"?, "dry_run"?},
 * or the reference's {"job_type", "retention_ms"?, "older_than_ms"?}.
 * Ages are "older than this many milliseconds before the task starts".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/target.h"
#include "api/maintenance/maint.h"
#include "api/read/read.h"
#include "api/tasks/task.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"

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
