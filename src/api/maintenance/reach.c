/*
 * Which files a table version reaches (maintenance/maint.h): metadata file and log,
 * manifest lists, manifests, live data and delete files, statistics.
 * Manifests are read once however many snapshots share them.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/maintenance/maint.h"
#include "api/request/fetch.h"
#include "api/storage/storage.h"
#include "app/app.h"
#include "iceberg/manifest.h"
#include "storage/objio.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/location.h"
#include "util/log.h"

#define MANIFEST_MAX	(512UL * 1024 * 1024)
/* Files outside a place logged one by one, per walk set; then counted. */
#define SKIPPED_LOGGED	10

int
api_reach_init(struct api_reach *rc, struct pgl_req *r,
    const struct pgl_catalog *cat, struct pgl_task_run *run)
{
	memset(rc, 0, sizeof(*rc));
	rc->r = r;
	rc->cat = cat;
	rc->run = run;
	if ((rc->files = pgl_strset_new()) == NULL ||
	    (rc->manifests = pgl_strset_new()) == NULL ||
	    (rc->lists = pgl_strset_new()) == NULL) {
		api_reach_free(rc);
		return (-1);
	}
	return (0);
}

void
api_reach_free(struct api_reach *rc)
{
	pgl_strset_free(rc->files);
	pgl_strset_free(rc->manifests);
	pgl_strset_free(rc->lists);
	rc->files = rc->manifests = rc->lists = NULL;
}

/*
 * One spelling per file, so a listing and a manifest compare equal:
 * file:///a and /a are the same local file, s3a:// and s3:// the same
 * object, abfss://, abfs://, wasbs:// and wasb:// the same blob.
 */
const char *
api_reach_canon(struct pgl_arena *a, const char *path)
{
	char		 buf[PGL_LOCATION_MAX + 16];
	const char	*c;

	if (pgl_location_is_local(path))
		return (pgl_location_path(path));
	if (strncmp(path, "s3a://", 6) == 0)
		return (pgl_arena_printf(a, "s3://%s", path + 6));
	if ((c = pgl_location_canon(path, buf, sizeof(buf))) != path)
		return (pgl_arena_strdup(a, c));
	return (path);
}

int
api_reach_file(struct api_reach *rc, const char *path, int64_t bytes,
    struct pgl_err *err)
{
	if (path == NULL || path[0] == '\0')
		return (0);
	if (pgl_strset_add(rc->files, api_reach_canon(rc->r->arena, path),
	    bytes) == -1) {
		err->code = PGL_ENOMEM;
		(void)snprintf(err->msg, sizeof(err->msg), "out of memory");
		return (-1);
	}
	return (0);
}

void
api_reach_own(struct api_reach *rc, const json_t *md)
{
	/* No place (a location that is none): nothing lies in it. */
	(void)ice_place_init(&rc->own, pgl_json_str(md, "location"));
}

/*
 * path, a manifest list or manifest to read, lies outside the place of
 * the table walked: 0, skipped (dooming, logged), or -1 with err.
 */
static int
outside(struct api_reach *rc, const char *what, const char *path,
    struct pgl_err *err)
{
	const char	*loc = rc->own.location != NULL ? rc->own.location :
			    "(none)";

	if (rc->dooming) {
		if (rc->skipped++ < SKIPPED_LOGGED)
			pgl_log(PGL_LOG_WARN, "tenant %s: %s %.200s lies "
			    "outside the table's location %.200s: not read, "
			    "and nothing it names is deleted (a table reads "
			    "only files in its own place)%s", rc->r->tenant,
			    what, path, loc, rc->skipped == SKIPPED_LOGGED ?
			    "; further ones are not logged" : "");
		return (0);
	}
	err->code = PGL_EINVAL;
	(void)snprintf(err->msg, sizeof(err->msg), "%s %.90s lies outside the "
	    "table's location %.70s: a table reads only files in its own "
	    "place", what, path, loc);
	return (-1);
}

/* "<what> <path>: <the error's message>", cut to fit. */
static void
blame(struct pgl_err *err, const char *what, const char *path)
{
	char	why[sizeof(err->msg)];
	int	n;

	memcpy(why, err->msg, sizeof(why));
	why[sizeof(why) - 1] = '\0';
	n = snprintf(err->msg, sizeof(err->msg), "%s %s: %s", what, path, why);
	if (n < 0)
		err->msg[0] = '\0';
}

/*
 * A file's bytes; a read error names the file.  1 (nothing read) for a
 * file that is gone when rc->missing_ok.
 */
static int
read_file(struct api_reach *rc, const char *path, char **buf, size_t *len,
    struct pgl_err *err)
{
	const struct pgl_storage	*st;
	int				 code;

	if ((code = api_storage(rc->r, rc->cat, &st, err)) == PGL_OK)
		code = pgl_obj_read(st, path, MANIFEST_MAX, buf, len, err);
	api_count_s3();
	if (code == PGL_ENOTFOUND && rc->missing_ok)
		return (1);
	if (code != PGL_OK) {
		blame(err, "cannot read", path);
		err->code = code;
		return (-1);
	}
	return (0);
}

struct manifest_walk {
	struct api_reach	*rc;
	struct pgl_err		*err;
	int			 failed;
};

static int
on_entry(void *arg, const struct ice_manifest_entry *e)
{
	struct manifest_walk	*w = arg;

	/* A deleted entry's file belongs to an older snapshot, not this. */
	if (e->status == 2)
		return (0);
	if (api_reach_file(w->rc, e->file_path, e->file_size, w->err) == -1) {
		w->failed = 1;
		return (1);
	}
	return (0);
}

/*
 * A scan's progress counts snapshots, whose number each walk knows from
 * the metadata before reading any manifest; the total grows when a walk
 * of another version starts.  Manifests read so far show liveness.
 */
static void
progress(struct api_reach *rc)
{
	if (rc->run != NULL)
		(void)pgl_task_progress(rc->run, rc->run->task->phase,
		    rc->snaps_done, rc->snaps_total, "reading manifests");
}

static int
reach_manifest(struct api_reach *rc, const char *path, int64_t length,
    struct pgl_err *err)
{
	struct manifest_walk	 w = { rc, err, 0 };
	char			*buf;
	size_t			 len;
	int			 n;

	if (!ice_place_holds(&rc->own, path))
		return (outside(rc, "manifest", path, err));
	if ((n = pgl_strset_add(rc->manifests, path, length)) <= 0)
		return (n);	/* read already (0), or out of memory */
	if (api_reach_file(rc, path, length, err) == -1 ||
	    (n = read_file(rc, path, &buf, &len, err)) == -1)
		return (-1);
	if (n == 1)
		return (0);
	n = ice_manifest_read_files(buf, len, on_entry, &w, err);
	free(buf);
	if (n == -1) {
		blame(err, "corrupt manifest", path);
		return (-1);
	}
	rc->manifests_read++;
	progress(rc);
	return (w.failed ? -1 : 0);
}

struct list_walk {
	struct api_reach	*rc;
	struct pgl_err		*err;
	int			 failed;
};

static int
on_manifest(void *arg, const struct ice_manifest_ref *m)
{
	struct list_walk	*w = arg;

	if (reach_manifest(w->rc, m->path, m->length, w->err) == -1) {
		w->failed = 1;
		return (1);
	}
	return (0);
}

static int
reach_snapshot(struct api_reach *rc, const json_t *snap,
    struct pgl_err *err)
{
	struct list_walk	 w = { rc, err, 0 };
	const char		*list = pgl_json_str(snap, "manifest-list");
	json_t			*m;
	char			*buf;
	size_t			 len, i;
	int			 n;

	/* v1 may list its manifests in the snapshot itself. */
	json_array_foreach(json_object_get(snap, "manifests"), i, m)
		if (json_is_string(m) && reach_manifest(rc,
		    json_string_value(m), 0, err) == -1)
			return (-1);
	if (list == NULL)
		return (0);
	if (!ice_place_holds(&rc->own, list))
		return (outside(rc, "manifest list", list, err));
	/* Read once per set, like a manifest: files never change. */
	if ((n = pgl_strset_add(rc->lists, list, 0)) <= 0) {
		if (n == 0)
			return (0);
		err->code = PGL_ENOMEM;
		(void)snprintf(err->msg, sizeof(err->msg), "out of memory");
		return (-1);
	}
	/* No metadata records a list's size: it is what was read. */
	if ((n = read_file(rc, list, &buf, &len, err)) == -1)
		return (-1);
	if (api_reach_file(rc, list, n == 1 ? 0 : (int64_t)len, err) == -1) {
		if (n == 0)
			free(buf);
		return (-1);
	}
	if (n == 1)
		return (0);
	n = ice_manifest_list_read(buf, len, on_manifest, &w, err);
	free(buf);
	if (n == -1 && !w.failed)
		blame(err, "corrupt manifest list", list);
	return (n == -1 || w.failed ? -1 : 0);
}

int
api_reach_snapshot(struct api_reach *rc, const json_t *snap,
    struct pgl_err *err)
{
	if (reach_snapshot(rc, snap, err) == -1)
		return (-1);
	rc->snaps_done++;
	progress(rc);
	return (0);
}

int
api_reach_stats(struct api_reach *rc, const json_t *md, int64_t id,
    struct pgl_err *err)
{
	static const char *const	 keys[] = { "statistics",
					    "partition-statistics" };
	json_t				*s;
	size_t				 k, i;

	for (k = 0; k < 2; k++) {
		json_array_foreach(json_object_get(md, keys[k]), i, s) {
			if (id != -1 && json_integer_value(json_object_get(s,
			    "snapshot-id")) != id)
				continue;
			if (api_reach_file(rc,
			    pgl_json_str(s, "statistics-path"),
			    json_integer_value(json_object_get(s,
			    "file-size-in-bytes")), err) == -1)
				return (-1);
		}
	}
	return (0);
}

int
api_reach_table(struct api_reach *rc, const json_t *md,
    const char *md_location, struct pgl_err *err)
{
	json_t	*e;
	size_t	 i;

	api_reach_own(rc, md);
	if (md_location != NULL &&
	    api_reach_file(rc, md_location, 0, err) == -1)
		return (-1);
	json_array_foreach(json_object_get(md, "metadata-log"), i, e)
		if (api_reach_file(rc, pgl_json_str(e, "metadata-file"), 0,
		    err) == -1)
			return (-1);
	rc->snaps_total += json_array_size(json_object_get(md, "snapshots"));
	json_array_foreach(json_object_get(md, "snapshots"), i, e)
		if (api_reach_snapshot(rc, e, err) == -1)
			return (-1);
	return (api_reach_stats(rc, md, -1, err));
}
