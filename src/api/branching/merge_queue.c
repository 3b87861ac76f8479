/*
 * A merge too large for the event loop (issue 23): planning 8,000
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
#include "api/target.h"
#include "api/branching/merge.h"
#include "api/tasks/task.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/str.h"

/*
 * The plan's work is bounded by the assets of both branches (every key
 * of either is compared), so their counts decide before any of it is
 * done; the plan itself would cost what the task is there to move.
 */
int
merge_is_large(struct pgl_req *r, const struct pgl_catalog *c,
    const struct pgl_branch *s, const struct pgl_branch *t)
{
	int		 limit = pgl_app.cfg->merge.inline_max_assets;
	uint64_t	 ns, nt;

	if (limit == 0)
		return (0);
	if (api_branch_assets(r, c->name, s->name, &ns) == -1 ||
	    api_branch_assets(r, c->name, t->name, &nt) == -1)
		return (-1);
	return (ns > (uint64_t)limit || nt > (uint64_t)limit);
}

void
merge_queue(struct pgl_req *r, const struct pgl_catalog *c,
    const struct pgl_branch *s, const struct pgl_branch *t, int rebase)
{
	struct ice_target	 target;
	const char		*id;
	json_t			*params;

	memset(&target, 0, sizeof(target));
	target.catalog = *c;
	target.branch = t->name;
	params = json_pack("{s:s,s:s,s:s,s:b,s:b,s:s?}", "operation",
	    rebase ? "rebase" : "merge", "source_branch", s->name,
	    "target_branch", t->name, "force", json_is_true(json_object_get(
	    r->body, "force")), "rebase", rebase, "initiated_by",
	    r->who.user_id[0] != '\0' ? r->who.user_id : NULL);
	if (params == NULL) {
		pgl_reply_error(r, 500, "out of memory");
		return;
	}
	id = api_task_queue(r, "merge", &target, params);
	json_decref(params);
	if (id == NULL)
		return;
	api_audit_about(r, id, pgl_arena_printf(r->arena, "%s->%s", s->name,
	    t->name));
	pgl_set_header(r, "location", pgl_arena_printf(r->arena,
	    "/api/v1/tasks/%s", id));
	pgl_reply_json(r, 202, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}",
	    "task_id", id, "status", "queued", "kind", "merge", "source_branch",
	    s->name, "target_branch", t->name, "message", pgl_arena_printf(
	    r->arena, "the %s is large: it runs as task %s (GET "
	    "/api/v1/tasks/%s)", rebase ? "rebase" : "merge", id, id)));
}
