/*
 * What other table versions keep (maintenance/maint.h), and the deletes that honour
 * it.  Copy-on-branch means a branch's version of a table shares its
 * metadata, manifests and data files with main's until either side
 * commits; a table registered on the same files shares them for good;
 * a table dropped but still recoverable (undrop) keeps them too.  And
 * a table's maintenance deletes only files inside its own location
 * (api_reach's scope): whatever its metadata names elsewhere is another
 * table's, or no table's it may answer for.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/commit/commit.h"
#include "api/maintenance/maint.h"
#include "api/read/read.h"
#include "app/app.h"
#include "metrics/metrics.h"
#include "plugin/loader.h"
#include "storage/objio.h"
#include "util/arena.h"
#include "util/location.h"
#include "util/log.h"

#define DELETE_BATCH	1000
#define LISTED_MAX	1000

/*
 * a and b name the same directory, or one lies inside the other; local
 * ones by path ("/a" and "file:///a" are one place).
 */
static int
overlaps(const char *a, const char *b)
{
	size_t	la, lb, n;

	if (pgl_location_is_local(a) && pgl_location_is_local(b)) {
		a = pgl_location_path(a);
		b = pgl_location_path(b);
	}
	la = strlen(a);
	lb = strlen(b);

	while (la > 0 && a[la - 1] == '/')
		la--;
	while (lb > 0 && b[lb - 1] == '/')
		lb--;
	n = la < lb ? la : lb;
	if (n == 0 || strncmp(a, b, n) != 0)
		return (0);
	return (la == lb || (la < lb ? b[n] : a[n]) == '/');
}

struct others {
	struct api_reach	*rc;
	const char		*location;
	const struct pgl_asset	*skip;
	struct pgl_strset	*seen;		/* metadata files reached */
	struct pgl_err		*err;
};

static int	reach_version(struct others *, const struct pgl_catalog *,
		    const struct pgl_asset *);

static int
reach_asset(struct others *o, const struct pgl_catalog *cat,
    const char *branch, const struct pgl_asset *a)
{
	if (o->skip != NULL && strcmp(cat->name, o->skip->catalog) == 0 &&
	    strcmp(branch, o->skip->branch) == 0 &&
	    strcmp(a->ns, o->skip->ns) == 0 &&
	    strcmp(a->name, o->skip->name) == 0)
		return (0);
	return (reach_version(o, cat, a));
}

/* Every file a's version keeps, when it may share the location's. */
static int
reach_version(struct others *o, const struct pgl_catalog *cat,
    const struct pgl_asset *a)
{
	const struct pgl_catalog	*mine = o->rc->cat;
	json_t				*md;
	int				 n, rc;

	if (strcmp(a->kind, "ICEBERG_TABLE") != 0 || a->location == NULL ||
	    a->metadata_location == NULL || !overlaps(a->location,
	    o->location))
		return (0);
	if ((n = pgl_strset_add(o->seen, a->metadata_location, 0)) <= 0)
		return (n);
	o->rc->cat = cat;
	if (ice_metadata_load(o->rc->r, cat, a->metadata_location, &md,
	    o->err) != PGL_OK) {
		o->rc->cat = mine;
		return (-1);
	}
	rc = api_reach_table(o->rc, md, a->metadata_location, o->err);
	json_decref(md);
	o->rc->cat = mine;
	return (rc);
}

static int
reach_branch(struct others *o, const struct pgl_catalog *cat,
    const char *branch)
{
	struct pgl_req		*r = o->rc->r;
	struct pgl_asset	*as;
	size_t			 n, i;

	if (STORE(list_all_assets_for_branch, r->arena, r->tenant, cat->name,
	    branch, &as, &n, o->err) != PGL_OK)
		return (-1);
	for (i = 0; i < n; i++)
		if (reach_asset(o, cat, branch, &as[i]) == -1)
			return (-1);
	return (0);
}

static int
reach_catalog(struct others *o, const struct pgl_catalog *cat)
{
	struct pgl_req		*r = o->rc->r;
	struct pgl_page		 all = { 0, 0, NULL };
	struct pgl_branch	*bs;
	size_t			 n, i;
	uint64_t		 total;

	if (STORE(list_branches, r->arena, r->tenant, cat->name, &all, &bs,
	    &n, &total, o->err) != PGL_OK)
		return (-1);
	for (i = 0; i < n; i++)
		if (reach_branch(o, cat, bs[i].name) == -1)
			return (-1);
	return (0);
}

/*
 * Undrop (commit/dropped.h): a table dropped but still recoverable keeps
 * its files like a live one, on whichever branch it was dropped, even
 * when a table of its name lives there now (never the skipped one).
 */
static int
reach_dropped(struct others *o, const struct pgl_catalog *cats, size_t ncats)
{
	struct pgl_req		*r = o->rc->r;
	struct pgl_page		 all = { 0, 0, NULL };
	struct pgl_dropped	*ds;
	struct pgl_asset	 a;
	size_t			 n, i, k;

	if (!pgl_store_has_dropped(pgl_app.db))
		return (0);
	if (STORE(list_dropped, r->arena, r->tenant, NULL, &all, &ds, &n,
	    NULL, o->err) != PGL_OK)
		return (-1);
	for (i = 0; i < n; i++) {
		for (k = 0; k < ncats; k++)
			if (strcmp(cats[k].name, ds[i].catalog) == 0)
				break;
		if (k == ncats)
			continue;	/* its catalog went with it */
		memset(&a, 0, sizeof(a));
		a.id = ds[i].asset_id;
		a.catalog = ds[i].catalog;
		a.branch = ds[i].branch;
		a.ns = ds[i].ns;
		a.name = ds[i].name;
		a.kind = ds[i].kind;
		a.location = ds[i].location;
		a.metadata_location = ds[i].metadata_location;
		if (reach_version(o, &cats[k], &a) == -1)
			return (-1);
	}
	return (0);
}

int
api_reach_others(struct api_reach *rc, const char *location,
    const struct pgl_asset *skip, struct pgl_err *err)
{
	struct pgl_req		*r = rc->r;
	struct pgl_page		 all = { 0, 0, NULL };
	struct pgl_catalog	*cats;
	struct others		 o = { rc, location, skip, NULL, err };
	size_t			 n, i;
	uint64_t		 total;
	int			 ret = -1;

	if ((o.seen = pgl_strset_new()) == NULL) {
		err->code = PGL_ENOMEM;
		(void)snprintf(err->msg, sizeof(err->msg), "out of memory");
		goto done;
	}
	if (STORE(list_catalogs, r->arena, r->tenant, &all, &cats, &n, &total,
	    err) != PGL_OK)
		goto done;
	for (i = 0; i < n; i++)
		if (reach_catalog(&o, &cats[i]) == -1)
			goto done;
	if (reach_dropped(&o, cats, n) == -1)
		goto done;
	ret = 0;
done:
	pgl_strset_free(o.seen);
	return (ret);
}

struct doomed_walk {
	const struct pgl_strset	*keep;
	const char		**paths;
	size_t			 n;
	struct api_deleted	*out;
	const char		*scope;		/* a location's key, or NULL */
};

/* path inside the place whose key is scope (a key: one '/' at its end). */
static int
in_scope(const char *path, const char *scope)
{
	char	key[PGL_LOCATION_KEY_MAX];

	return (scope == NULL || (pgl_location_key(path, key,
	    sizeof(key)) != -1 && strncmp(key, scope, strlen(scope)) == 0));
}

static int
collect(void *arg, const char *path, int64_t bytes)
{
	struct doomed_walk	*w = arg;

	if (pgl_strset_has(w->keep, path))
		return (0);
	if (!in_scope(path, w->scope)) {
		w->out->outside++;
		return (0);
	}
	w->paths[w->n++] = path;
	w->out->files++;
	w->out->bytes += bytes > 0 ? (uint64_t)bytes : 0;
	if (w->out->listed != NULL &&
	    json_array_size(w->out->listed) < LISTED_MAX)
		json_array_append_new(w->out->listed, json_string(path));
	return (0);
}

int
api_delete_unreached(struct api_reach *rc, struct pgl_strset *doomed,
    const struct pgl_strset *keep, int dry_run, struct api_deleted *out,
    struct pgl_err *err)
{
	struct doomed_walk		 w = { keep, NULL, 0, out, NULL };
	char				 scope[PGL_LOCATION_KEY_MAX];
	size_t				 i, k;

	out->listed = dry_run ? json_array() : NULL;
	if (rc->scope != NULL && pgl_location_key(rc->scope, scope,
	    sizeof(scope)) != -1)
		w.scope = scope;
	if ((w.paths = calloc(pgl_strset_count(doomed) + 1,
	    sizeof(*w.paths))) == NULL) {
		err->code = PGL_ENOMEM;
		(void)snprintf(err->msg, sizeof(err->msg), "out of memory");
		return (-1);
	}
	(void)pgl_strset_each(doomed, collect, &w);
	if (out->outside > 0)
		pgl_log(PGL_LOG_WARN, "tenant %s: %llu files outside the "
		    "table's location %.200s were left: a table's maintenance "
		    "deletes only its own files", rc->r->tenant,
		    (unsigned long long)out->outside, rc->scope);
	if (dry_run || w.n == 0) {
		free(w.paths);
		return (0);
	}
	for (i = 0; i < w.n; i += k) {
		k = w.n - i < DELETE_BATCH ? w.n - i : DELETE_BATCH;
		if (rc->run != NULL && pgl_task_progress(rc->run, "delete", i,
		    w.n, "deleting files"))
			break;
		/* Outside the catalog's storage: refused, never deleted. */
		ice_delete_files(rc->r, rc->cat, w.paths + i, k);
	}
	out->files = i;		/* fewer when cancelled midway */
	pgl_metrics_add(PGL_C_TASK_FILES_DELETED, i);
	pgl_metrics_add(PGL_C_TASK_BYTES_DELETED, out->bytes);
	if (rc->run != NULL)
		(void)pgl_task_progress(rc->run, "delete", i, w.n,
		    "deleting files");
	free(w.paths);
	return (0);
}
