/*
 * A plan not made within its request's wait, made by a task runner (kind
 * "scan_plan"; the task id is the plan id).  It plans the table as it
 * was when the plan was asked for (the metadata file then current), its
 * progress is manifests read of those to read, and every part goes to
 * the store, within the plan's and the tenant's ceilings (scan_sink.c);
 * a cancel stops it between manifests and its parts go.  Its parts live
 * [scan] ttl_secs while it runs, and [scan] unfetched_ttl_secs from its
 * end until a client fetches the plan.
 */
#include <string.h>

#include "api/api.h"
#include "api/read/read.h"
#include "api/scan/scan.h"
#include "api/target.h"
#include "api/tasks/task.h"
#include "app/app.h"
#include "plugin/loader.h"
#include "util/json.h"

#define KIND_TABLE	"ICEBERG_TABLE"

static enum pgl_task_end
plan(struct pgl_task_run *run, struct scan_plan *p, json_t *result)
{
	struct pgl_err	err;
	int		rc;

	memset(&err, 0, sizeof(err));
	/* A run before this one (its runner killed) may have left parts. */
	(void)STORE(delete_plan_parts, p->tenant, run->task->id, &err);
	if (scan_list(p, &err) == -1)
		return (api_task_fail(run, "%s", err.msg));
	(void)pgl_task_progress(run, "planning", 0, p->nmf, "reading "
	    "manifests");
	if ((rc = scan_files(p, &err)) == SCAN_STOPPED) {
		(void)STORE(delete_plan_parts, p->tenant, run->task->id,
		    &err);
		return (PGL_TASK_CANCELLED);
	}
	if (rc != 0 || scan_sink_flush(&p->sink, 1, &err) == -1) {
		(void)STORE(delete_plan_parts, p->tenant, run->task->id,
		    &err);
		return (api_task_fail(run, "%s", err.msg));
	}
	/* Done: it lives as a plan nobody has fetched yet. */
	(void)STORE(touch_plan_parts, p->tenant, run->task->id, pgl_now_ms(),
	    scan_unfetched_expiry(), &err);
	json_object_update_new(result, scan_counts(p));
	/* What the filters pruned is not a restricted caller's to see
	 * (scan_restrict.c): its count of files alone. */
	if (p->q.scope != NULL && *p->q.scope != '\0') {
		json_object_del(result, "skipped_by_partition");
		json_object_del(result, "skipped_by_metrics");
		json_object_del(result, "manifests_read");
		json_object_del(result, "bytes_read");
		json_object_del(result, "entries");
	}
	json_object_set_new(result, "parts", json_integer(p->sink.parts));
	return (PGL_TASK_SUCCEEDED);
}

enum pgl_task_end
api_scan_plan_run(struct pgl_task_run *run, struct pgl_req *r,
    const json_t *params, json_t *result)
{
	struct ice_target	 t;
	struct pgl_asset	 a;
	struct scan_plan	 p;
	struct pgl_err		 err;
	const char		*loc = pgl_json_str(params, "metadata-location");
	json_t			*md = NULL;
	enum pgl_task_end	 end;

	if (!pgl_store_has_plan_parts(pgl_app.db))
		return (api_task_fail(run, "the store keeps no plan parts"));
	if (api_task_target(run, r, &t) == -1)
		return (PGL_TASK_FAILED);
	if (ice_find_asset(r, &t, KIND_TABLE, &a) == -1 || loc == NULL)
		return (api_task_fail(run, "%s", api_task_reply_error(r)));
	if (ice_metadata_load(r, &t.catalog, loc, &md, &err) != PGL_OK)
		return (api_task_fail(run, "%s", err.msg));
	memset(&p, 0, sizeof(p));
	p.r = r;
	p.arena = r->arena;
	p.tenant = r->tenant;
	p.cat = &t.catalog;
	p.run = run;
	p.md = md;
	p.read = scan_read;
	p.release = scan_release;
	p.sink.r = r;
	p.sink.arena = r->arena;
	p.sink.tenant = r->tenant;
	p.sink.plan_id = run->task->id;
	p.sink.table = a.id;
	p.sink.per_part = (size_t)pgl_app.cfg->scan.tasks_per_part;
	p.sink.expires_at_ms = pgl_now_ms() +
	    (int64_t)pgl_app.cfg->scan.ttl_secs * 1000;
	p.sink.can_store = p.sink.store = 1;
	p.sink.max_bytes = (uint64_t)pgl_app.cfg->scan.max_plan_bytes;
	p.sink.kept_tail = &p.sink.kept;
	if (scan_req_parse(r, json_object_get(params, "request"), md,
	    &p.q) == -1)
		end = api_task_fail(run, "%s", api_task_reply_error(r));
	else {
		p.sink.scope = p.q.scope;
		end = plan(run, &p, result);
	}
	scan_sink_free(&p.sink);
	json_decref(md);
	return (end);
}
