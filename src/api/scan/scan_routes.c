/*
 * The four planning routes of the Iceberg REST spec (api/scan/scan.h),
 * each authorized as a read of the table (the route table's MAY(READ,
 * TABLE)).  A plan id or plan task of another tenant, of another table,
 * or past its life answers as a missing one: 404 NoSuchPlanIdException
 * or NoSuchPlanTaskException.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/read/read.h"
#include "api/storage/storage.h"
#include "api/storage/sts_vend.h"
#include "api/scan/scan.h"
#include "api/target.h"
#include "api/tasks/task.h"
#include "app/app.h"
#include "plugin/loader.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/uuid.h"

#define KIND_TABLE	"ICEBERG_TABLE"
#define KIND_PLAN	"scan_plan"

static const struct pgl_jfield plan_fields[] = {
	{ "snapshot-id", PGL_J_INT, 0 },
	{ "select", PGL_J_ANY, 0 },
	{ "filter", PGL_J_ANY, 0 },
	{ "min-rows-requested", PGL_J_INT, 0 },
	{ "case-sensitive", PGL_J_BOOL, 0 },
	{ "use-snapshot-schema", PGL_J_BOOL, 0 },
	{ "start-snapshot-id", PGL_J_INT, 0 },
	{ "end-snapshot-id", PGL_J_INT, 0 },
	{ "stats-fields", PGL_J_ANY, 0 },
	{ "ref", PGL_J_STRING, 0 },		/* Pangolin: a branch or tag */
	{ NULL, 0, 0 }
};

static const struct pgl_jfield tasks_fields[] = {
	{ "plan-task", PGL_J_STRING, 1 },
	{ NULL, 0, 0 }
};

/* The table, and its STS credentials when they are asked for. */
static int
find_table(struct pgl_req *r, struct ice_target *t, struct pgl_asset *a)
{
	return (ice_target(r, "table", t) == -1 ||
	    ice_find_asset(r, t, KIND_TABLE, a) == -1 ||
	    api_sts_prepare(r, &t->catalog, a->location, 0) == -1 ? -1 : 0);
}

/*
 * Everything the plan needs is read here, on the worker's thread (the
 * table, its metadata, the request bound to it); the plan itself is made
 * off it (scan_job.c), while r waits.
 */
void
ice_plan_scan(struct pgl_req *r)
{
	struct ice_target	 t;
	struct pgl_asset	 a;
	struct scan_req		 q;
	json_t			*md;

	if (pgl_req_body(r, plan_fields) == -1 || find_table(r, &t, &a) == -1 ||
	    ice_read_metadata(r, &t.catalog, a.metadata_location, 500,
	    &md) == -1)
		return;
	memset(&q, 0, sizeof(q));
	if (scan_restrict_body(r, &t, &a, md) == -1 ||
	    scan_req_parse(r, r->body, md, &q) == -1) {
		json_decref(md);
		return;
	}
	scan_job_start(r, &t, &a, md, &q);
}

static void
no_plan(struct pgl_req *r, const char *id)
{
	pgl_reply_ice_error(r, 404, "NoSuchPlanIdException", "no plan %.100s "
	    "for this table", id);
}

/*
 * A task of this table's queued under the caller's read restrictions
 * (its stored request carries them; scan_restrict.c), or PGL_ENOTFOUND;
 * -1 after replying.
 */
static int
plan_task_row(struct pgl_req *r, const struct ice_target *t,
    const struct pgl_asset *a, const char *id, struct pgl_task *task)
{
	struct pgl_err	 err;
	const char	*mine, *theirs;
	json_t		*params;

	if (STORE(get_task, r->arena, r->tenant, id, task, &err) != PGL_OK ||
	    task->kind == NULL || strcmp(task->kind, KIND_PLAN) != 0 ||
	    task->catalog == NULL || strcmp(task->catalog, t->catalog.name) ||
	    task->table == NULL || strcmp(task->table, t->name) ||
	    task->ns == NULL || strcmp(task->ns, t->ns) ||
	    strcmp(task->branch != NULL ? task->branch : "main", t->branch))
		return (PGL_ENOTFOUND);
	if (scan_scope(r, t, a, &mine) == -1)
		return (-1);
	params = task->params != NULL ? json_loads(task->params, 0, NULL) :
	    NULL;
	theirs = scan_scope_of(r->arena, json_object_get(params, "request"));
	json_decref(params);
	return (theirs != NULL && strcmp(mine, theirs) == 0 ? PGL_OK :
	    PGL_ENOTFOUND);
}

/* Part seq of the plan, of this table; PGL_ENOTFOUND otherwise. */
static int
plan_part(struct pgl_req *r, const struct pgl_asset *a, const char *id,
    uint32_t seq, struct pgl_plan_part *part)
{
	struct pgl_err	err;

	if (!pgl_store_has_plan_parts(pgl_app.db) ||
	    STORE(get_plan_part, r->arena, r->tenant, id, seq, pgl_now_ms(),
	    part, &err) != PGL_OK || part->table == NULL ||
	    strcmp(part->table, a->id) != 0)
		return (PGL_ENOTFOUND);
	return (PGL_OK);
}

/*
 * The header of a stored plan of this table, made under the caller's
 * read restrictions (scan_restrict.c): a plan made by another caller,
 * or before a policy changed, is not this caller's (PGL_ENOTFOUND), or
 * an unrestricted user's plan id would hand a restricted one the files
 * and statistics its restrictions keep from it.  -1 after replying.
 */
static int
plan_head(struct pgl_req *r, const struct ice_target *t,
    const struct pgl_asset *a, const char *id, json_t **h,
    int64_t *expires_at_ms)
{
	struct pgl_plan_part	 head;
	const char		*mine, *theirs;

	*h = NULL;
	if (plan_part(r, a, id, 0, &head) != PGL_OK ||
	    (*h = json_loads(head.body, 0, NULL)) == NULL)
		return (PGL_ENOTFOUND);
	if (scan_scope(r, t, a, &mine) == -1) {
		json_decref(*h);
		*h = NULL;
		return (-1);
	}
	theirs = pgl_json_str(*h, "scope");
	*expires_at_ms = head.expires_at_ms;
	if (strcmp(mine, theirs != NULL ? theirs : "") == 0)
		return (PGL_OK);
	json_decref(*h);
	*h = NULL;
	return (PGL_ENOTFOUND);
}

static void
reply_stored(struct pgl_req *r, const struct ice_target *t,
    const struct pgl_asset *a, const char *id)
{
	json_t			*h, *j;
	int64_t			 expires;
	int			 rc;

	if ((rc = plan_head(r, t, a, id, &h, &expires)) != PGL_OK) {
		if (rc != -1)
			no_plan(r, id);
		return;
	}
	scan_quota_touch(r, id, expires);
	j = json_pack("{s:s,s:o}", "status", "completed", "plan-tasks",
	    scan_plan_tasks(id, (uint32_t)json_integer_value(json_object_get(h,
	    "parts"))));
	json_decref(h);
	if (scan_add_credentials(r, t, a, j) == -1) {
		json_decref(j);
		return;
	}
	pgl_reply_json(r, 200, j);
}

static void
reply_task(struct pgl_req *r, const struct ice_target *t,
    const struct pgl_asset *a, const struct pgl_task *task)
{
	const char	*s = task->status != NULL ? task->status : "";

	if (strcmp(s, "succeeded") == 0)
		reply_stored(r, t, a, task->id);
	else if (strcmp(s, "cancelled") == 0)
		pgl_reply_json(r, 200, json_pack("{s:s}", "status",
		    "cancelled"));
	else if (strcmp(s, "failed") == 0)
		pgl_reply_json(r, 200, json_pack("{s:s,s:{s:s,s:s,s:i}}",
		    "status", "failed", "error", "message", task->error !=
		    NULL ? task->error : "planning failed", "type",
		    "ServiceFailureException", "code", 500));
	else
		pgl_reply_json(r, 200, json_pack("{s:s}", "status",
		    "submitted"));
}

void
ice_plan_fetch(struct pgl_req *r)
{
	struct ice_target	 t;
	struct pgl_asset	 a;
	struct pgl_task		 task;
	const char		*id = pgl_param(r, "plan-id");
	int			 rc;

	if (find_table(r, &t, &a) == -1 ||
	    (rc = plan_task_row(r, &t, &a, id, &task)) == -1)
		return;
	if (rc == PGL_OK)
		reply_task(r, &t, &a, &task);
	else
		reply_stored(r, &t, &a, id);
}

void
ice_plan_cancel(struct pgl_req *r)
{
	struct ice_target	 t;
	struct pgl_asset	 a;
	struct pgl_task		 task;
	struct pgl_err		 err;
	const char		*id = pgl_param(r, "plan-id");
	json_t			*h = NULL;
	int64_t			 expires;
	int			 rc;

	if (find_table(r, &t, &a) == -1 ||
	    (rc = plan_task_row(r, &t, &a, id, &task)) == -1)
		return;
	if (rc == PGL_OK)
		(void)STORE(cancel_task, r->tenant, id, &err);
	else if ((rc = plan_head(r, &t, &a, id, &h, &expires)) != PGL_OK) {
		if (rc != -1)
			no_plan(r, id);
		return;
	}
	json_decref(h);
	if (pgl_store_has_plan_parts(pgl_app.db) &&
	    STORE(delete_plan_parts, r->tenant, id, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	pgl_reply_empty(r, 204);
}

/* "<plan id>:<n>", n >= 1; -1 when it is not one. */
static int
parse_plan_task(struct pgl_req *r, const char *s, const char **id,
    uint32_t *seq)
{
	const char	*colon = s != NULL ? strrchr(s, ':') : NULL;
	char		*end;
	unsigned long	 n;

	if (colon == NULL || colon == s || colon[1] == '\0')
		return (-1);
	n = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || n == 0 || n > UINT32_MAX)
		return (-1);
	*id = pgl_arena_strndup(r->arena, s, (size_t)(colon - s));
	*seq = (uint32_t)n;
	return (0);
}

void
ice_scan_tasks(struct pgl_req *r)
{
	struct ice_target	 t;
	struct pgl_asset	 a;
	struct pgl_plan_part	 part;
	const char		*pt, *id;
	uint32_t		 seq;
	json_t			*h = NULL;
	int64_t			 expires;
	int			 rc = PGL_OK;

	if (pgl_req_body(r, tasks_fields) == -1 || find_table(r, &t, &a) == -1)
		return;
	pt = pgl_json_str(r->body, "plan-task");
	if (parse_plan_task(r, pt, &id, &seq) == -1 ||
	    (rc = plan_head(r, &t, &a, id, &h, &expires)) != PGL_OK ||
	    plan_part(r, &a, id, seq, &part) != PGL_OK) {
		json_decref(h);
		if (rc != -1)
			pgl_reply_ice_error(r, 404, "NoSuchPlanTaskException",
			    "no plan task %.200s for this table", pt);
		return;
	}
	json_decref(h);
	scan_quota_touch(r, id, part.expires_at_ms);
	pgl_reply_raw(r, 200, "application/json", part.body, strlen(part.body));
}
