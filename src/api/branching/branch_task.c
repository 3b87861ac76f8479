/*
 * A branch too large for the event loop (issue 23).  Branching copies the
 * source's asset rows in one store statement (branches.c), and its time
 * grows with them: 8,000 tables take some 60 ms on SQLite, during which
 * every other request on the worker waits.  Past [branch]
 * inline_max_assets rows to copy, the route checks what the copy would
 * find (the source, a free name), queues a task of kind "branch" and
 * answers 202; a task runner makes the branch with the same code as the
 * synchronous route.  The outcome is the task's result: the branch and
 * the rows copied.
 */
#include <string.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/gate.h"
#include "api/target.h"
#include "api/task.h"
#include "api/branching/merge.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/str.h"

int
api_branch_assets(struct pgl_req *r, const char *catalog, const char *branch,
    uint64_t *total)
{
	struct pgl_page	 pg = { 1, 0 };
	struct pgl_asset *items;
	struct pgl_err	 err;
	size_t		 n;

	memset(&err, 0, sizeof(err));
	*total = 0;
	if (STORE(list_assets, r->arena, r->tenant, catalog, branch, NULL,
	    NULL, &pg, &items, &n, total, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	return (0);
}

/* 0 when branch name may be made from from; -1 after replying. */
static int
branch_checks(struct pgl_req *r, const struct pgl_catalog *c,
    const char *name, const char *from)
{
	struct pgl_branch	 b;
	struct pgl_err		 err;
	int			 rc;

	rc = STORE(get_branch, r->arena, r->tenant, c->name, from, &b, &err);
	if (rc != PGL_OK) {
		pgl_reply_missing(r, &err, "Source branch '%.200s' not found",
		    from);
		return (-1);
	}
	rc = STORE(get_branch, r->arena, r->tenant, c->name, name, &b, &err);
	if (rc == PGL_OK) {
		pgl_reply_error(r, 409, "Branch '%.200s' already exists", name);
		return (-1);
	}
	if (rc != PGL_ENOTFOUND) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	return (0);
}

int
branch_is_large(struct pgl_req *r, const struct pgl_catalog *c,
    const struct pgl_branch *b, const char *from, const json_t *assets)
{
	int		 limit = pgl_app.cfg->branch.inline_max_assets;
	uint64_t	 rows;

	if (limit == 0)
		return (0);
	if (json_array_size(assets) > 0)
		rows = json_array_size(assets);
	else if (api_branch_assets(r, c->name, from, &rows) == -1)
		return (-1);
	if (rows <= (uint64_t)limit)
		return (0);
	return (branch_checks(r, c, b->name, from) == -1 ? -1 : 1);
}

void
branch_queue(struct pgl_req *r, const struct pgl_catalog *c,
    const struct pgl_branch *b, const char *from)
{
	struct ice_target	 target;
	const char		*id;
	json_t			*params;

	memset(&target, 0, sizeof(target));
	target.catalog = *c;
	target.branch = b->name;
	params = json_pack("{s:s,s:s,s:s,s:s,s:s?}", "name", b->name,
	    "from_branch", from, "branch_type", b->branch_type, "assets",
	    b->assets, "initiated_by", r->who.user_id[0] != '\0' ?
	    r->who.user_id : NULL);
	if (params == NULL) {
		pgl_reply_error(r, 500, "out of memory");
		return;
	}
	id = api_task_queue(r, "branch", &target, params);
	json_decref(params);
	if (id == NULL)
		return;
	api_audit_about(r, id, b->name);
	pgl_set_header(r, "location", pgl_arena_printf(r->arena,
	    "/api/v1/tasks/%s", id));
	pgl_reply_json(r, 202, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}",
	    "task_id", id, "status", "queued", "kind", "branch", "name",
	    b->name, "from_branch", from, "message", pgl_arena_printf(
	    r->arena, "the branch is large: it is made by task %s (GET "
	    "/api/v1/tasks/%s)", id, id)));
}

enum pgl_task_end
api_branch_run(struct pgl_task_run *run, struct pgl_req *r,
    const json_t *params, json_t *result)
{
	struct pgl_branch	 b;
	struct pgl_catalog	 c;
	struct pgl_err		 err;
	const char		*from = pgl_json_str(params, "from_branch");
	const char		*assets = pgl_json_str(params, "assets");
	uint64_t		 copied = 0;

	memset(&err, 0, sizeof(err));
	memset(&b, 0, sizeof(b));
	b.name = pgl_json_str(params, "name");
	b.branch_type = pgl_json_str(params, "branch_type");
	b.assets = assets != NULL ? assets : "[]";
	if (b.name == NULL || from == NULL || b.branch_type == NULL)
		return (api_task_fail(run, "the task's parameters lack the "
		    "branch's name, source or type"));
	if (run->task->catalog == NULL || api_get_catalog(r, r->tenant,
	    run->task->catalog, &c, &err) != PGL_OK)
		return (api_task_fail(run, "catalog %s: %s",
		    run->task->catalog != NULL ? run->task->catalog : "?",
		    err.msg));
	b.catalog = c.name;
	/* The runner keeps the message past params: the request's copy. */
	if (pgl_task_progress(run, "copying", 0, 0, pgl_arena_strdup(r->arena,
	    b.name)))
		return (PGL_TASK_CANCELLED);
	if (api_branch_make(r, &b, from, strcmp(b.assets, "[]") != 0 ?
	    b.assets : NULL, &copied, &err) != PGL_OK)
		return (api_task_fail(run, "%s", err.msg));
	json_object_set_new(result, "branch", api_branch_json(&b));
	json_object_set_new(result, "copied", json_integer((json_int_t)copied));
	return (PGL_TASK_SUCCEEDED);
}
