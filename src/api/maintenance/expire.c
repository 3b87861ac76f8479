/*
 * Expire snapshots (issue 12): the change goes through the one commit
 * loop, planned afresh from each base so a client commit that lands
 * first is kept; then the files only the expired snapshots reached go,
 * unless anything retained anywhere (maintenance/maint.h) still reaches them.
 *
 * The expired snapshots' files are read before the commit as well as
 * after it, so a missing or corrupt manifest fails the task before the
 * table changes, and nothing is deleted.
 *
 * Once committed, the task records the base it committed from and the
 * ids it expired (in its result, written at once): a re-run after a
 * crash finishes the sweep from there instead of planning again, so it
 * ends in the same state.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/target.h"
#include "api/rest/rest.h"
#include "api/maintenance/maint.h"
#include "api/read/read.h"
#include "api/tasks/task.h"
#include "app/app.h"
#include "iceberg/iceberg.h"
#include "util/arena.h"
#include "util/json.h"

struct expire {
	struct ice_expire_opts	 opts;
	json_t			*expired;	/* ids, from the last plan */
	json_t			*refs;		/* refs removed */
	int			 failed;
};

static json_t *
plan(void *arg, struct pgl_req *r, const json_t *base)
{
	struct expire	*x = arg;
	struct ice_err	 ierr;
	json_t		*updates, *u;
	size_t		 i;

	json_decref(x->expired);
	json_decref(x->refs);
	x->expired = NULL;
	x->refs = json_array();
	x->opts.now_ms = pgl_now_ms();
	if ((updates = ice_expire_updates(base, &x->opts, &x->expired,
	    &ierr)) == NULL) {
		pgl_reply_ice_error(r, ierr.status, ierr.type, "%s", ierr.msg);
		x->failed = 1;
		return (NULL);
	}
	json_array_foreach(updates, i, u)
		if (pgl_json_str(u, "ref-name") != NULL)
			json_array_append(x->refs, json_object_get(u,
			    "ref-name"));
	return (updates);
}

static int
cmp_id(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x < y ? -1 : x > y);
}

static int
has_id(const int64_t *v, size_t n, int64_t id)
{
	return (n > 0 && bsearch(&id, v, n, sizeof(*v), cmp_id) != NULL);
}

/*
 * The files of base's snapshots whose ids are in ids, and their
 * statistics files: one pass over the snapshots and one over each
 * statistics list, the ids sorted for a binary search (a nested loop
 * over 10,000 snapshots and 9,999 ids was 10^8 lookups).
 */
static int
reach_expired(struct api_reach *rc, const json_t *base, const json_t *ids,
    struct pgl_err *err)
{
	static const char *const	 keys[] = { "statistics",
					    "partition-statistics" };
	int64_t				*v;
	json_t				*s, *id;
	size_t				 i, n = 0, k;
	int				 rv = -1;

	if ((v = calloc(json_array_size(ids) + 1, sizeof(*v))) == NULL) {
		err->code = PGL_ENOMEM;
		(void)snprintf(err->msg, sizeof(err->msg), "out of memory");
		return (-1);
	}
	rc->snaps_total += json_array_size(ids);
	json_array_foreach(ids, i, id)
		v[n++] = json_integer_value(id);
	qsort(v, n, sizeof(*v), cmp_id);
	json_array_foreach(json_object_get(base, "snapshots"), i, s)
		if (has_id(v, n, json_integer_value(json_object_get(s,
		    "snapshot-id"))) && api_reach_snapshot(rc, s, err) == -1)
			goto out;
	for (k = 0; k < 2; k++)
		json_array_foreach(json_object_get(base, keys[k]), i, s)
			if (has_id(v, n, json_integer_value(json_object_get(s,
			    "snapshot-id"))) && api_reach_file(rc,
			    pgl_json_str(s, "statistics-path"),
			    json_integer_value(json_object_get(s,
			    "file-size-in-bytes")), err) == -1)
				goto out;
	rv = 0;
out:
	free(v);
	return (rv);
}

static int
opt_int(const json_t *params, const char *key, int64_t *out)
{
	json_t	*v = json_object_get(params, key);

	*out = -1;
	if (v == NULL || json_is_null(v))
		return (0);
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return (-1);
	*out = json_integer_value(v);
	return (0);
}

/*
 * Read the current version and plan on it: the expired snapshots' files
 * are read before any change.  *md and *updates are the caller's.
 */
static enum pgl_task_end
precheck(struct pgl_task_run *run, struct pgl_req *r,
    const struct ice_target *t, struct expire *x, struct api_reach *doomed,
    struct pgl_asset *a, json_t **md, json_t **updates)
{
	struct pgl_err	 err;

	*md = *updates = NULL;
	if (STORE(get_asset, r->arena, r->tenant, t->catalog.name, t->branch,
	    t->ns, t->name, a, &err) != PGL_OK)
		return (api_task_fail(run, "table not found: %s", err.msg));
	if (ice_metadata_load(r, &t->catalog, a->metadata_location, md,
	    &err) != PGL_OK)
		return (api_task_fail(run, "%s", err.msg));
	if ((*updates = plan(x, r, *md)) == NULL)
		return (api_task_fail(run, "%s", api_task_reply_error(r)));
	if (reach_expired(doomed, *md, x->expired, &err) == -1)
		return (api_task_fail(run, "%s; nothing was changed or "
		    "deleted", err.msg));
	return (PGL_TASK_SUCCEEDED);
}

/*
 * After the commit (or, for a dry run, its result in memory): what the
 * final plan expired, minus what the new version and every other
 * version keep.
 */
static enum pgl_task_end
sweep(struct pgl_task_run *run, const struct pgl_asset *a,
    struct api_reach *doomed, struct api_reach *keep, const json_t *base,
    const json_t *next, struct expire *x, int dry_run, json_t *out)
{
	struct api_deleted	 del = { 0, 0, NULL, 0 };
	struct pgl_err		 err;

	if (pgl_task_progress(run, "scan", 0, 0, "reading what is kept"))
		return (PGL_TASK_CANCELLED);
	if (reach_expired(doomed, base, x->expired, &err) == -1 ||
	    api_reach_table(keep, next, NULL, &err) == -1 ||
	    api_reach_others(keep, a->location, a, &err) == -1)
		return (api_task_fail(run, "%s; nothing was deleted", err.msg));
	if (pgl_task_progress(run, "delete", 0, 0, NULL))
		return (PGL_TASK_CANCELLED);
	keep->scope = a->location;	/* its own files alone (maint.h) */
	if (api_delete_unreached(keep, doomed->files, keep->files, dry_run,
	    &del, &err) == -1)
		return (api_task_fail(run, "%s", err.msg));
	json_object_set_new(out, "deleted_files", json_integer(
	    (json_int_t)del.files));
	json_object_set_new(out, "deleted_bytes", json_integer(
	    (json_int_t)del.bytes));
	if (del.listed != NULL)
		json_object_set_new(out, "files", del.listed);
	return (PGL_TASK_SUCCEEDED);
}

/* A lost commit: a passing failure (409, 5xx) is tried again later. */
static enum pgl_task_end
commit_failed(struct pgl_task_run *run, struct pgl_req *r,
    const struct expire *x)
{
	enum pgl_task_end	end = PGL_TASK_RETRY;

	if (x->failed || (r->status < 500 && r->status != 409))
		end = PGL_TASK_FAILED;
	(void)snprintf(run->error, sizeof(run->error), "commit: %s",
	    api_task_reply_error(r));
	return (end);
}

/* The commit's record: {"committed_from", "expired"}, or NULL. */
static const json_t *
committed(const json_t *previous)
{
	const json_t	*e = json_object_get(previous, "expire_snapshots");

	if (pgl_json_str(e, "committed_from") == NULL ||
	    !json_is_array(json_object_get(e, "expired")))
		return (NULL);
	return (e);
}

/* Persist the commit's record before any file is deleted. */
static void
record_commit(struct pgl_task_run *run, const json_t *next,
    const struct expire *x)
{
	const json_t	*log = json_object_get(next, "metadata-log");
	const char	*from = pgl_json_str(json_array_get(log,
			    json_array_size(log) - 1), "metadata-file");
	json_t		*rec;
	char		*text;

	if (from == NULL)
		return;
	rec = json_pack("{s:{s:s,s:O}}", "expire_snapshots", "committed_from",
	    from, "expired", x->expired);
	if (rec != NULL && (text = pgl_json_dump(rec)) != NULL) {
		run->task->result = pgl_arena_strdup(run->arena, text);
		free(text);
	}
	json_decref(rec);
}

/*
 * A re-run of a task that committed: base is the file it committed
 * from, next the table as it is now; files already deleted are skipped.
 */
static enum pgl_task_end
resume(struct pgl_task_run *run, struct pgl_req *r,
    const struct ice_target *t, const json_t *rec, struct expire *x,
    struct api_reach *doomed, struct pgl_asset *a, json_t **base,
    json_t **next)
{
	struct pgl_err	err;

	x->expired = json_deep_copy(json_object_get(rec, "expired"));
	x->refs = json_array();
	doomed->missing_ok = 1;
	if (STORE(get_asset, r->arena, r->tenant, t->catalog.name, t->branch,
	    t->ns, t->name, a, &err) != PGL_OK)
		return (api_task_fail(run, "table not found: %s", err.msg));
	if (ice_metadata_load(r, &t->catalog, pgl_json_str(rec,
	    "committed_from"), base, &err) != PGL_OK ||
	    ice_metadata_load(r, &t->catalog, a->metadata_location, next,
	    &err) != PGL_OK)
		return (api_task_fail(run, "resuming: %s", err.msg));
	return (PGL_TASK_SUCCEEDED);
}

/* A dry run's result: the plan applied in memory, never written. */
static json_t *
dry_next(const json_t *md, const json_t *updates, const char *location)
{
	struct ice_err	ierr;

	return (ice_table_apply(md, updates, location, pgl_now_ms(), &ierr));
}

enum pgl_task_end
api_expire_run(struct pgl_task_run *run, struct pgl_req *r,
    const json_t *params, json_t *result)
{
	struct ice_target	 t;
	struct pgl_asset	 a;
	struct expire		 x;
	struct api_reach	 doomed, keep;
	json_t			*base = NULL, *next = NULL, *md, *ups, *out;
	json_t			*prev;
	const json_t		*rec;
	int			 dry_run = json_is_true(json_object_get(params,
				    "dry_run"));
	enum pgl_task_end	 end;

	memset(&x, 0, sizeof(x));
	if (opt_int(params, "older_than_ms", &x.opts.older_than_ms) == -1 ||
	    opt_int(params, "retain_last", &x.opts.retain_last) == -1)
		return (api_task_fail(run, "older_than_ms and retain_last "
		    "must be non-negative integers"));
	if (api_task_target(run, r, &t) == -1)
		return (PGL_TASK_FAILED);
	if (api_reach_init(&doomed, r, &t.catalog, run) == -1)
		return (api_task_fail(run, "out of memory"));
	if (api_reach_init(&keep, r, &t.catalog, run) == -1) {
		api_reach_free(&doomed);
		return (api_task_fail(run, "out of memory"));
	}
	prev = json_loads(run->task->result != NULL ? run->task->result : "{}",
	    0, NULL);
	if ((rec = committed(prev)) != NULL) {
		end = resume(run, r, &t, rec, &x, &doomed, &a, &base, &next);
		json_decref(prev);
		md = ups = NULL;
		goto swept;
	}
	json_decref(prev);
	(void)pgl_task_progress(run, "plan", 0, 1, "expire snapshots");
	end = precheck(run, r, &t, &x, &doomed, &a, &md, &ups);
	if (end == PGL_TASK_SUCCEEDED && pgl_task_progress(run, "commit", 0,
	    1, NULL))
		end = PGL_TASK_CANCELLED;
	if (end == PGL_TASK_SUCCEEDED && dry_run) {
		base = json_incref(md);
		if ((next = dry_next(md, ups, a.metadata_location)) == NULL)
			end = api_task_fail(run, "the plan does not apply");
	} else if (end == PGL_TASK_SUCCEEDED && ice_table_commit_planned(r,
	    &t, plan, &x, &base, &next) == -1)
		end = commit_failed(run, r, &x);
	json_decref(md);
	json_decref(ups);
	if (end == PGL_TASK_SUCCEEDED && !dry_run)
		record_commit(run, next, &x);
swept:
	if (end != PGL_TASK_SUCCEEDED)
		goto done;
	out = json_pack("{s:I,s:O,s:b}", "expired_snapshots",
	    (json_int_t)json_array_size(x.expired), "removed_refs", x.refs,
	    "dry_run", dry_run);
	json_object_set_new(result, "expire_snapshots", out);
	if (next != NULL && json_array_size(x.expired) > 0)
		end = sweep(run, &a, &doomed, &keep, base, next, &x, dry_run,
		    out);
done:
	json_decref(base);
	json_decref(next);
	json_decref(x.expired);
	json_decref(x.refs);
	api_reach_free(&doomed);
	api_reach_free(&keep);
	return (end);
}
