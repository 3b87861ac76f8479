/*
 * Remove orphan files (issue 12): list the table's location, subtract
 * everything any retained version reaches (maint.h: this table on every
 * branch, and any table sharing its files), and delete what is left and
 * older than older_than_ms (default three days, so a client's write in
 * flight, not yet committed, is never taken for an orphan).  Links are
 * never followed nor deleted.  Local disk only: an S3 listing here has
 * no modification times yet, so an S3 table fails the task, saying so.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/iceberg.h"
#include "api/maint.h"
#include "app.h"
#include "storage/fileio.h"
#include "storage/objio.h"
#include "util/arena.h"

#define THREE_DAYS_MS	(3LL * 24 * 3600 * 1000)
#define MAX_DEPTH	32

struct listing {
	struct pgl_req		*r;
	const char		*root;		/* the catalog's storage */
	const char		*dir;		/* being listed */
	int64_t			 cutoff_ms;
	struct pgl_strset	*found;		/* old enough to go */
	const char		**subdirs;		/* of dir, in the arena */
	size_t			 nsub, capsub;
	uint64_t		 seen, young;
	int			 failed;
};

static int
on_entry(void *arg, const char *name, const struct pgl_file_info *fi)
{
	struct listing	*l = arg;
	const char	*path = pgl_arena_printf(l->r->arena, "%s/%s", l->dir,
			    name);

	if (path == NULL) {
		l->failed = 1;
		return (1);
	}
	if (fi->type == PGL_FILE_DIR) {
		if (l->nsub == l->capsub) {
			const char	**more;

			l->capsub = l->capsub ? l->capsub * 2 : 16;
			if ((more = pgl_arena_alloc(l->r->arena, l->capsub *
			    sizeof(*more))) == NULL) {
				l->failed = 1;
				return (1);
			}
			if (l->nsub > 0)
				memcpy(more, l->subdirs, l->nsub *
				    sizeof(*more));
			l->subdirs = more;
		}
		l->subdirs[l->nsub++] = path;
		return (0);
	}
	if (fi->type != PGL_FILE_REG)
		return (0);
	l->seen++;
	if (fi->mtime_ms >= l->cutoff_ms) {
		l->young++;
		return (0);
	}
	if (pgl_strset_add(l->found, path, (int64_t)fi->size) == -1) {
		l->failed = 1;
		return (1);
	}
	return (0);
}

/* Depth first; a directory's subdirectories after its files. */
static int
list_dir(struct listing *l, const char *dir, int depth, struct pgl_err *err)
{
	const char	**subs;
	size_t		 n, i;

	if (depth > MAX_DEPTH) {
		(void)snprintf(err->msg, sizeof(err->msg), "directories nest "
		    "deeper than %d under the table", MAX_DEPTH);
		return (-1);
	}
	l->dir = dir;
	l->nsub = l->capsub = 0;
	l->subdirs = NULL;
	if (pgl_file_list(l->root, dir, on_entry, l, err) != PGL_OK) {
		if (err->code == PGL_ENOTFOUND && depth == 0)
			return (0);
		return (-1);
	}
	if (l->failed) {
		(void)snprintf(err->msg, sizeof(err->msg), "out of memory "
		    "listing %s", dir);
		return (-1);
	}
	n = l->nsub;
	subs = l->subdirs;
	for (i = 0; i < n; i++)
		if (list_dir(l, subs[i], depth + 1, err) == -1)
			return (-1);
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
	struct api_deleted		 del = { 0, 0, NULL };
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
	if (st->is_s3)
		return (api_task_fail(run, "remove_orphan_files is not "
		    "supported on S3 yet"));
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
	l.root = st->root;
	l.cutoff_ms = pgl_now_ms() - older;
	if ((l.found = pgl_strset_new()) == NULL) {
		end = api_task_fail(run, "out of memory");
		goto done;
	}
	if (list_dir(&l, api_reach_canon(r->arena, a.location), 0, &err) ==
	    -1 || api_delete_unreached(&keep, l.found, keep.files, dry_run,
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
