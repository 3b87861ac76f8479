/*
 * Remove orphan files (issue 12): list the table's location, subtract
 * everything any retained version reaches (maintenance/maint.h: this table on every
 * branch, and any table sharing its files), and delete what is left and
 * older than older_than_ms (default three days, so a client's write in
 * flight, not yet committed, is never taken for an orphan).  On disk,
 * links are never followed nor deleted; on S3 the listing is the table
 * location's prefix, with each object's LastModified.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/storage/storage.h"
#include "api/target.h"
#include "api/maintenance/maint.h"
#include "api/read/read.h"
#include "api/tasks/task.h"
#include "app/app.h"
#include "storage/objio.h"
#include "util/arena.h"

#define THREE_DAYS_MS	(3LL * 24 * 3600 * 1000)

struct listing {
	struct pgl_req		*r;
	int64_t			 cutoff_ms;
	struct pgl_strset	*found;		/* old enough to go */
	uint64_t		 seen, young;
	int			 failed;
};

static int
on_file(void *arg, const char *location, uint64_t size, int64_t mtime_ms)
{
	struct listing	*l = arg;

	l->seen++;
	if (mtime_ms >= l->cutoff_ms) {
		l->young++;
		return (0);
	}
	if (pgl_strset_add(l->found, api_reach_canon(l->r->arena, location),
	    (int64_t)size) == -1) {
		l->failed = 1;
		return (1);
	}
	return (0);
}

static enum pgl_task_end
keep_all(struct pgl_task_run *run, struct pgl_req *r,
    const struct ice_target *t, struct pgl_asset *a, struct api_reach *keep)
{
	struct pgl_err	 err;
	json_t		*md;
	int		 rc;

	if (STORE(get_asset, r->arena, r->tenant, t->catalog.name, t->branch,
	    t->ns, t->name, a, &err) != PGL_OK)
		return (api_task_fail(run, "table not found: %s", err.msg));
	if (ice_metadata_load(r, &t->catalog, a->metadata_location, &md,
	    &err) != PGL_OK)
		return (api_task_fail(run, "%s", err.msg));
	rc = api_reach_table(keep, md, a->metadata_location, &err);
	json_decref(md);
	if (rc == -1 || api_reach_others(keep, a->location, a, &err) == -1)
		return (api_task_fail(run, "%s; nothing was deleted", err.msg));
	return (PGL_TASK_SUCCEEDED);
}

enum pgl_task_end
api_orphans_run(struct pgl_task_run *run, struct pgl_req *r,
    const json_t *params, json_t *result)
{
	const struct pgl_storage	*st;
	struct ice_target		 t;
	struct pgl_asset		 a;
	struct api_reach		 keep;
	struct api_deleted		 del = { 0, 0, NULL, 0 };
	struct listing			 l;
	struct pgl_err			 err;
	json_t				*v = json_object_get(params,
					    "older_than_ms");
	int64_t				 older = THREE_DAYS_MS;
	int				 dry_run = json_is_true(
					    json_object_get(params, "dry_run"));
	enum pgl_task_end		 end;

	if (json_is_integer(v) && json_integer_value(v) >= 0)
		older = json_integer_value(v);
	if (api_task_target(run, r, &t) == -1)
		return (PGL_TASK_FAILED);
	if (api_storage(r, &t.catalog, &st, &err) != PGL_OK)
		return (api_task_fail(run, "storage: %s", err.msg));
	if (api_reach_init(&keep, r, &t.catalog, run) == -1)
		return (api_task_fail(run, "out of memory"));
	(void)pgl_task_progress(run, "scan", 0, 0, "reading what is kept");
	if ((end = keep_all(run, r, &t, &a, &keep)) != PGL_TASK_SUCCEEDED)
		goto done;
	if (pgl_task_progress(run, "list", 0, 0, "listing the table")) {
		end = PGL_TASK_CANCELLED;
		goto done;
	}
	memset(&l, 0, sizeof(l));
	l.r = r;
	l.cutoff_ms = pgl_now_ms() - older;
	if ((l.found = pgl_strset_new()) == NULL) {
		end = api_task_fail(run, "out of memory");
		goto done;
	}
	if (l.failed)
		(void)snprintf(err.msg, sizeof(err.msg), "out of memory");
	keep.scope = a.location;	/* its own files alone (maint.h) */
	if (pgl_obj_list(st, a.location, on_file, &l, &err) != PGL_OK ||
	    l.failed || api_delete_unreached(&keep, l.found, keep.files, dry_run,
	    &del, &err) == -1)
		end = api_task_fail(run, "%s; nothing more was deleted",
		    err.msg);
	else
		json_object_set_new(result, "remove_orphan_files", json_pack(
		    "{s:I,s:I,s:I,s:I,s:b,s:o}", "listed_files",
		    (json_int_t)l.seen, "too_young", (json_int_t)l.young,
		    "deleted_files", (json_int_t)del.files, "deleted_bytes",
		    (json_int_t)del.bytes, "dry_run", dry_run, "files",
		    del.listed != NULL ? del.listed : json_array()));
	pgl_strset_free(l.found);
done:
	api_reach_free(&keep);
	return (end);
}
