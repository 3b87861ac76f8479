/*
 * Purge in a task (issue 12): the table's pointer is already gone (the
 * drop answered 204 at once); this deletes every file its last version
 * reached (metadata file and log, manifest lists, manifests, data,
 * deletes, statistics) that no other version keeps: a branch made from
 * it shares them all until it commits, a table registered on the same
 * files shares them for good.
 */
#include <string.h>

#include "api/api.h"
#include "api/target.h"
#include "api/commit/commit.h"
#include "api/maintenance/maint.h"
#include "api/read/read.h"
#include "api/tasks/task.h"
#include "app/app.h"
#include "util/json.h"
#include "util/location.h"

enum pgl_task_end
api_purge_run(struct pgl_task_run *run, struct pgl_req *r,
    const json_t *params, json_t *result)
{
	struct ice_target	 t;
	struct api_reach	 doomed, keep;
	struct api_deleted	 del = { 0, 0, NULL, 0 };
	struct pgl_err		 err;
	const char		*mdloc = pgl_json_str(params, "metadata_location");
	const char		*loc = pgl_json_str(params, "location");
	json_t			*md;
	int			 shared = 1;
	enum pgl_task_end	 end = PGL_TASK_SUCCEEDED;

	if (mdloc == NULL || loc == NULL)
		return (api_task_fail(run, "a purge names the metadata "
		    "location and the table location"));
	if (api_task_target(run, r, &t) == -1)
		return (PGL_TASK_FAILED);
	if (ice_metadata_load(r, &t.catalog, mdloc, &md, &err) != PGL_OK) {
		if (err.code != PGL_ENOTFOUND)
			return (api_task_fail(run, "%s", err.msg));
		/* Gone already (a re-run after a crash): nothing to do. */
		json_object_set_new(result, "purge", json_pack("{s:i,s:i}",
		    "deleted_files", 0, "deleted_bytes", 0));
		return (PGL_TASK_SUCCEEDED);
	}
	if (api_reach_init(&doomed, r, &t.catalog, run) == -1) {
		json_decref(md);
		return (api_task_fail(run, "out of memory"));
	}
	if (api_reach_init(&keep, r, &t.catalog, run) == -1) {
		api_reach_free(&doomed);
		json_decref(md);
		return (api_task_fail(run, "out of memory"));
	}
	/* Its own files alone (maint.h): its location's. */
	keep.scope = *loc != '\0' ? loc : NULL;
	(void)pgl_task_progress(run, "scan", 0, 0, "reading the table");
	if (api_reach_table(&doomed, md, mdloc, &err) == -1 ||
	    api_reach_others(&keep, loc, NULL, &err) == -1)
		end = api_task_fail(run, "%s; nothing was deleted", err.msg);
	else if (pgl_task_progress(run, "delete", 0, 0, NULL))
		end = PGL_TASK_CANCELLED;
	else if ((shared = pgl_strset_has(keep.files, api_reach_canon(
	    r->arena, mdloc))) == 0 && pgl_strset_add(keep.files,
	    api_reach_canon(r->arena, mdloc), 0) == -1)
		end = api_task_fail(run, "out of memory");
	else if (api_delete_unreached(&keep, doomed.files, keep.files, 0,
	    &del, &err) == -1)
		end = api_task_fail(run, "%s", err.msg);
	/* The metadata file last: a re-run after a crash finds the rest. */
	if (end == PGL_TASK_SUCCEEDED && !shared && !run->stop &&
	    (keep.scope == NULL || pgl_location_within(mdloc, keep.scope))) {
		ice_delete_file(r, &t.catalog, mdloc);
		del.files++;
	}
	if (end == PGL_TASK_SUCCEEDED)
		json_object_set_new(result, "purge", json_pack("{s:I,s:I}",
		    "deleted_files", (json_int_t)del.files, "deleted_bytes",
		    (json_int_t)del.bytes));
	json_decref(md);
	api_reach_free(&doomed);
	api_reach_free(&keep);
	return (end);
}
