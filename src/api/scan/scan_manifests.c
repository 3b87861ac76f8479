/*
 * The first steps of a plan's walk (api/scan/scan.h): the snapshot's
 * manifest list and its manifests pruned by partition summaries into
 * p->mf (scan_list, or its parts scan_list_path and scan_list_walk for a
 * walk off the worker's thread); and the read of a manifest list's or
 * manifest's bytes through the cache that a task's walk of their entries
 * (scan_walk.c) goes through too.
 *
 * Manifest lists and manifests are immutable, so their bytes go through
 * the worker's metadata cache, keyed by tenant and catalog as well as by
 * location (two tenants' warehouses may spell the same s3:// path on
 * different endpoints): a warm plan reads nothing from storage.  A list
 * is kept packed (scan_list_cache.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/cache/cache.h"
#include "api/request/fetch.h"
#include "api/scan/scan.h"
#include "api/storage/storage.h"
#include "app/app.h"
#include "iceberg/manifest.h"
#include "iceberg/place.h"
#include "util/arena.h"
#include "util/json.h"

void
scan_fail(struct pgl_err *err, int code, const char *what, const char *path)
{
	char	why[48];

	memcpy(why, err->msg, sizeof(why));
	why[sizeof(why) - 1] = '\0';
	err->code = code;
	(void)snprintf(err->msg, sizeof(err->msg), "%s %.160s: %s", what,
	    path, why);
}

int
scan_place(struct scan_plan *p, struct pgl_err *err)
{
	struct ice_place	*pl;

	if ((pl = pgl_arena_alloc(p->arena, sizeof(*pl))) == NULL) {
		err->code = PGL_ENOMEM;
		(void)snprintf(err->msg, sizeof(err->msg), "out of memory");
		return (-1);
	}
	/* No place (a location that is none): nothing lies in it. */
	(void)ice_place_init(pl, pgl_json_str(p->md, "location"));
	p->place = pl;
	return (0);
}

/* err: what lies outside which location (the message is one line). */
static void
say_outside(struct pgl_err *err, const char *what, const char *path,
    const char *location)
{
	err->code = PGL_EINVAL;
	(void)snprintf(err->msg, sizeof(err->msg), "%s %.90s lies outside "
	    "the table's location %.70s: a table reads only files in its "
	    "own place", what, path, location != NULL ? location : "(none)");
}

int
scan_owned(struct scan_plan *p, const char *what, const char *path,
    struct pgl_err *err)
{
	if (ice_place_holds(p->place, path))
		return (1);
	p->outside = 1;
	say_outside(err, what, path, p->place->location);
	return (0);
}

int
scan_list_owned(struct pgl_req *r, const json_t *md, const struct scan_req *q)
{
	struct ice_place	 pl;
	struct pgl_err		 err;
	const char		*list;

	if (q->snapshot_id == -1 || (list = pgl_json_str(scan_snapshot_of(md,
	    q->snapshot_id), "manifest-list")) == NULL)
		return (0);	/* nothing read; scan_list_path replies */
	(void)ice_place_init(&pl, pgl_json_str(md, "location"));
	if (ice_place_holds(&pl, list))
		return (0);
	say_outside(&err, "manifest list", list, pl.location);
	pgl_reply_ice_error(r, 403, "ForbiddenException", "%s", err.msg);
	return (-1);
}

const char *
scan_manifest_key(struct scan_plan *p, const char *path)
{
	return (pgl_arena_printf(p->arena, "scan\x1f%s\x1f%s\x1f%s",
	    p->tenant, p->cat->name, path));
}

const char *
scan_list_key(struct scan_plan *p, const char *list)
{
	return (pgl_arena_printf(p->arena, "scanlist\x1f%s\x1f%s\x1f%s",
	    p->tenant, p->cat->name, list));
}

/* A manifest list's or manifest's bytes, pinned until unref(*ref). */
int
scan_read(struct scan_plan *p, const char *path, int cache, const void **buf,
    size_t *len, void **ref, struct pgl_err *err)
{
	const struct pgl_storage	*st;
	const char			*key;
	char				*raw;
	int				 rc;

	key = scan_manifest_key(p, path);
	if (api_mcache_ref(key, buf, len, ref) == PGL_OK)
		return (PGL_OK);
	if ((rc = api_storage(p->r, p->cat, &st, err)) != PGL_OK)
		return (rc);
	rc = api_fetch_read(p->r, st, path, SCAN_MANIFEST_MAX, &raw, len,
	    err);
	api_count_s3();
	if (rc != PGL_OK)
		return (rc);
	p->bytes_read += *len;
	if (cache)
		api_mcache_put(key, raw, *len);
	if (api_mcache_own(raw, ref) != PGL_OK) {
		err->code = PGL_ENOMEM;
		(void)snprintf(err->msg, sizeof(err->msg), "out of memory");
		return (PGL_ENOMEM);
	}
	*buf = raw;
	return (PGL_OK);
}

void
scan_release(struct scan_plan *p, void *ref)
{
	(void)p;
	api_mcache_unref(ref);
}

int
scan_is_append(const struct scan_req *q, int64_t id)
{
	size_t	i;

	for (i = 0; i < q->nappends; i++) {
		if (q->appends[i] == id)
			return (1);
	}
	return (0);
}

/* The filter projected on spec, made once per spec. */
const struct ice_expr *
scan_projected(struct scan_plan *p, const struct ice_pspec *spec)
{
	size_t	i = (size_t)(spec - p->q.specs);

	if (p->proj[i] == NULL)
		p->proj[i] = ice_expr_project(p->arena, p->q.filter, spec);
	return (p->proj[i]);
}

struct list_walk {
	struct scan_plan	*p;
	struct pgl_err		*err;
	size_t			 cap;
	int			 failed;
};

static int
keep_manifest(struct scan_plan *p, const struct ice_manifest_ref *m,
    const struct ice_pspec *spec)
{
	if (p->q.start_id != -1 && (m->content != ICE_CONTENT_DATA ||
	    !scan_is_append(&p->q, m->added_snapshot_id)))
		return (0);
	if (m->added_files == 0 && m->existing_files == 0)
		return (0);
	return (!p->q.has_filter || ice_eval_summaries(scan_projected(p, spec),
	    spec, m->partitions, m->npartitions));
}

static int
on_ref(void *arg, const struct ice_manifest_ref *m)
{
	struct list_walk	*w = arg;
	struct scan_plan	*p = w->p;
	const struct ice_pspec	*spec;
	struct scan_manifest	*n;

	/* A list of a million manifests is stopped on the way too. */
	if ((++p->manifests_listed & 255) == 0 && p->stop != NULL &&
	    p->stop(p)) {
		w->failed = 1;
		return (1);
	}
	if ((spec = scan_spec(&p->q, m->spec_id)) == NULL) {
		w->err->code = PGL_EINVAL;
		(void)snprintf(w->err->msg, sizeof(w->err->msg), "a manifest "
		    "names partition spec %d, which the table lacks",
		    (int)m->spec_id);
		w->failed = 1;
		return (1);
	}
	/* A manifest of another table's would answer its files; one is
	 * refused whatever the filter prunes, so that a plan's answer
	 * never tells what lies there. */
	if (!scan_owned(p, "manifest", m->path, w->err)) {
		w->failed = 1;
		return (1);
	}
	if (!keep_manifest(p, m, spec))
		return (0);
	if (p->nmf == w->cap) {
		struct scan_manifest *v;

		w->cap = w->cap ? w->cap * 2 : 64;
		v = pgl_arena_alloc(p->arena, w->cap * sizeof(*v));
		if (p->nmf > 0)
			memcpy(v, p->mf, p->nmf * sizeof(*v));
		p->mf = v;
	}
	n = &p->mf[p->nmf++];
	memset(n, 0, sizeof(*n));
	n->path = pgl_arena_strdup(p->arena, m->path);
	n->length = m->length;
	n->spec_id = m->spec_id;
	n->content = m->content;
	n->sequence_number = m->sequence_number;
	n->added_snapshot_id = m->added_snapshot_id;
	if (m->content == ICE_CONTENT_DATA)
		p->ndata_mf++;
	return (0);
}

/* Records each ref in the pack as the walk keeps what it needs. */
struct packing {
	struct list_walk	*w;
	struct scan_pack	*k;
};

static int
on_ref_packed(void *arg, const struct ice_manifest_ref *m)
{
	struct packing	*pk = arg;

	scan_pack_ref(pk->k, m);
	return (on_ref(pk->w, m));
}

static void
list_reset(struct scan_plan *p)
{
	p->nmf = p->ndata_mf = 0;
	p->manifests_listed = 0;
}

int
scan_list_walk(struct scan_plan *p, const char *list, const void *buf,
    size_t len, int packed, struct scan_pack *pack, struct pgl_err *err)
{
	struct list_walk	 w = { p, err, 0, 0 };
	struct packing		 pk = { &w, pack };
	int			 rc;

	list_reset(p);
	if (packed) {
		/* Bytes that are not a packed list: the caller reads it. */
		if (scan_pack_walk(buf, len, on_ref, &w) == -1) {
			list_reset(p);
			return (1);
		}
		rc = 0;
	} else if (pack != NULL)
		rc = ice_manifest_list_read(buf, len, on_ref_packed, &pk, err);
	else
		rc = ice_manifest_list_read(buf, len, on_ref, &w, err);
	if (p->stopped != SCAN_GOING)
		return (SCAN_STOPPED);
	if (rc == -1 && !w.failed)
		scan_fail(err, PGL_EINVAL, "corrupt manifest list", list);
	return (rc == -1 || w.failed ? -1 : 0);
}

int
scan_list_path(struct scan_plan *p, const char **list, struct pgl_err *err)
{
	const json_t	*snap;

	*list = NULL;
	p->proj = pgl_arena_alloc(p->arena, (p->q.nspecs + 1) *
	    sizeof(*p->proj));
	memset(p->proj, 0, (p->q.nspecs + 1) * sizeof(*p->proj));
	if (p->q.snapshot_id == -1 ||
	    (snap = scan_snapshot_of(p->md, p->q.snapshot_id)) == NULL)
		return (0);
	if ((*list = pgl_json_str(snap, "manifest-list")) == NULL) {
		err->code = PGL_EINVAL;
		(void)snprintf(err->msg, sizeof(err->msg), "snapshot %lld has "
		    "no manifest list (a format v1 manifests array is not "
		    "planned)", (long long)p->q.snapshot_id);
		return (-1);
	}
	if (!scan_owned(p, "manifest list", *list, err)) {
		*list = NULL;
		return (-1);
	}
	*list = pgl_arena_strdup(p->arena, *list);
	return (0);
}

int
scan_list(struct scan_plan *p, struct pgl_err *err)
{
	struct scan_pack	 pk = { NULL, 0, 0, 0 };
	const char		*list, *key;
	const void		*buf;
	void			*ref;
	size_t			 len;
	int			 rc;

	if (scan_list_path(p, &list, err) == -1)
		return (-1);
	if (list == NULL)
		return (0);
	key = scan_list_key(p, list);
	if (api_mcache_ref(key, &buf, &len, &ref) == PGL_OK) {
		rc = scan_list_walk(p, list, buf, len, 1, NULL, err);
		api_mcache_unref(ref);
		if (rc != 1)
			return (rc);
	}
	if ((rc = p->read(p, list, 0, &buf, &len, &ref, err)) != PGL_OK) {
		if (rc != PGL_EUNAVAIL)
			scan_fail(err, rc, "cannot read manifest list", list);
		return (-1);
	}
	rc = scan_list_walk(p, list, buf, len, 0, &pk, err);
	p->release(p, ref);
	if (rc == 0 && !pk.oom && pk.len > 0)
		api_mcache_put(key, pk.p, pk.len);
	scan_pack_free(&pk);
	return (rc);
}
