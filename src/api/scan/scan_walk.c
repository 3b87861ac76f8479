/*
 * The walk of one plan (api/scan/scan.h): the snapshot's manifest list,
 * its manifests pruned by partition summaries, then the delete manifests
 * (an index of delete files) and the data manifests, entry by entry.
 * One manifest's bytes are held at a time, and its entries are streamed;
 * what an entry leaves behind (its tuple, its residual) lives in a
 * scratch arena freed after the manifest.
 *
 * Manifest lists and manifests are immutable, so their bytes go through
 * the worker's metadata cache, keyed by tenant and catalog as well as by
 * location (two tenants' warehouses may spell the same s3:// path on
 * different endpoints): a warm plan reads nothing from storage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/cache/cache.h"
#include "api/gate.h"
#include "api/request/fetch.h"
#include "api/scan/scan.h"
#include "api/storage/storage.h"
#include "app/app.h"
#include "iceberg/manifest.h"
#include "storage/objio.h"
#include "util/arena.h"
#include "util/json.h"

#define SCAN_MANIFEST_MAX	(256UL * 1024 * 1024)

static void
fail(struct pgl_err *err, int code, const char *what, const char *path)
{
	char	why[48];

	memcpy(why, err->msg, sizeof(why));
	why[sizeof(why) - 1] = '\0';
	err->code = code;
	(void)snprintf(err->msg, sizeof(err->msg), "%s %.160s: %s", what,
	    path, why);
}

/* A manifest list's or manifest's bytes, pinned until unref(*ref). */
static int
scan_read(struct scan_plan *p, const char *path, int cache, const void **buf,
    size_t *len, void **ref, struct pgl_err *err)
{
	const struct pgl_storage	*st;
	const char			*key;
	char				*raw;
	int				 rc;

	key = pgl_arena_printf(p->r->arena, "scan\x1f%s\x1f%s\x1f%s",
	    p->r->tenant, p->cat->name, path);
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

static int
is_append(const struct scan_req *q, int64_t id)
{
	size_t	i;

	for (i = 0; i < q->nappends; i++) {
		if (q->appends[i] == id)
			return (1);
	}
	return (0);
}

/* The filter projected on spec, made once per spec. */
static const struct ice_expr *
projected(struct scan_plan *p, const struct ice_pspec *spec)
{
	size_t	i = (size_t)(spec - p->q.specs);

	if (p->proj[i] == NULL)
		p->proj[i] = ice_expr_project(p->r->arena, p->q.filter, spec);
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
	    !is_append(&p->q, m->added_snapshot_id)))
		return (0);
	if (m->added_files == 0 && m->existing_files == 0)
		return (0);
	return (!p->q.has_filter || ice_eval_summaries(projected(p, spec),
	    spec, m->partitions, m->npartitions));
}

static int
on_ref(void *arg, const struct ice_manifest_ref *m)
{
	struct list_walk	*w = arg;
	struct scan_plan	*p = w->p;
	const struct ice_pspec	*spec;
	struct scan_manifest	*n;

	p->manifests_listed++;
	if ((spec = scan_spec(&p->q, m->spec_id)) == NULL) {
		w->err->code = PGL_EINVAL;
		(void)snprintf(w->err->msg, sizeof(w->err->msg), "a manifest "
		    "names partition spec %d, which the table lacks",
		    (int)m->spec_id);
		w->failed = 1;
		return (1);
	}
	if (!keep_manifest(p, m, spec))
		return (0);
	if (p->nmf == w->cap) {
		struct scan_manifest *v;

		w->cap = w->cap ? w->cap * 2 : 64;
		v = pgl_arena_alloc(p->r->arena, w->cap * sizeof(*v));
		if (p->nmf > 0)
			memcpy(v, p->mf, p->nmf * sizeof(*v));
		p->mf = v;
	}
	n = &p->mf[p->nmf++];
	n->path = pgl_arena_strdup(p->r->arena, m->path);
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
	struct scan_pack	 k;
};

static int
on_ref_packed(void *arg, const struct ice_manifest_ref *m)
{
	struct packing	*pk = arg;

	scan_pack_ref(&pk->k, m);
	return (on_ref(pk->w, m));
}

/* The list from the worker's cache, packed; 1 when it was not there. */
static int
list_cached(struct scan_plan *p, struct list_walk *w, const char *key)
{
	const void	*buf;
	void		*ref;
	size_t		 len;
	int		 rc;

	if (api_mcache_ref(key, &buf, &len, &ref) != PGL_OK)
		return (1);
	rc = scan_pack_walk(buf, len, on_ref, w);
	api_mcache_unref(ref);
	if (rc == 0)
		return (w->failed ? -1 : 0);
	p->nmf = p->ndata_mf = 0;	/* not a packed list: read it */
	p->manifests_listed = 0;
	w->cap = 0;
	return (1);
}

static int
list_read(struct scan_plan *p, struct list_walk *w, const char *list,
    const char *key, struct pgl_err *err)
{
	struct packing	 pk = { w, { NULL, 0, 0, 0 } };
	const void	*buf;
	void		*ref;
	size_t		 len;
	int		 rc;

	if ((rc = scan_read(p, list, 0, &buf, &len, &ref, err)) != PGL_OK) {
		if (rc != PGL_EUNAVAIL)
			fail(err, rc, "cannot read manifest list", list);
		return (-1);
	}
	rc = ice_manifest_list_read(buf, len, on_ref_packed, &pk, err);
	api_mcache_unref(ref);
	if (rc == -1)
		fail(err, PGL_EINVAL, "corrupt manifest list", list);
	else if (!w->failed && !pk.k.oom && pk.k.len > 0)
		api_mcache_put(key, pk.k.p, pk.k.len);
	scan_pack_free(&pk.k);
	return (rc == -1 || w->failed ? -1 : 0);
}

int
scan_list(struct scan_plan *p, struct pgl_err *err)
{
	struct list_walk	 w = { p, err, 0, 0 };
	const json_t		*snap;
	const char		*list, *key;
	int			 rc;

	p->proj = pgl_arena_alloc(p->r->arena, (p->q.nspecs + 1) *
	    sizeof(*p->proj));
	memset(p->proj, 0, (p->q.nspecs + 1) * sizeof(*p->proj));
	if (p->q.snapshot_id == -1 ||
	    (snap = scan_snapshot_of(p->md, p->q.snapshot_id)) == NULL)
		return (0);
	if ((list = pgl_json_str(snap, "manifest-list")) == NULL) {
		err->code = PGL_EINVAL;
		(void)snprintf(err->msg, sizeof(err->msg), "snapshot %lld has "
		    "no manifest list (a format v1 manifests array is not "
		    "planned)", (long long)p->q.snapshot_id);
		return (-1);
	}
	key = pgl_arena_printf(p->r->arena, "scanlist\x1f%s\x1f%s\x1f%s",
	    p->r->tenant, p->cat->name, list);
	if ((rc = list_cached(p, &w, key)) != 1)
		return (rc);
	return (list_read(p, &w, list, key, err));
}

int
scan_fetch_all(struct scan_plan *p, struct pgl_err *err)
{
	const struct pgl_storage	*st;
	const void			*buf;
	void				*ref;
	size_t				 i, len;
	int				 rc, waiting = 0;

	if (api_storage(p->r, p->cat, &st, err) != PGL_OK)
		return (-1);
	if (!st->is_s3 || !api_on_loop(p->r))
		return (0);
	for (i = 0; i < p->nmf; i++) {
		rc = scan_read(p, p->mf[i].path, 1, &buf, &len, &ref, err);
		if (rc == PGL_EUNAVAIL) {
			waiting = 1;
			continue;
		}
		if (rc != PGL_OK) {
			fail(err, rc, "cannot read manifest", p->mf[i].path);
			return (-1);
		}
		api_mcache_unref(ref);
	}
	if (waiting) {
		err->code = PGL_EUNAVAIL;
		(void)snprintf(err->msg, sizeof(err->msg), "waiting for the "
		    "object store");
	}
	return (waiting);
}

/* One manifest's walk. */
struct entry_walk {
	struct scan_plan		*p;
	const struct scan_manifest	*m;
	const struct ice_pspec		*spec;
	struct pgl_arena		*scratch;
	struct pgl_err			*err;
	int				 failed;
	struct pgl_jw			 file;	/* the entry's ContentFile */
	/*
	 * What a tuple gives every file of its partition: its key, the
	 * partition's JSON and the filter's residual.  Files of one
	 * partition usually sit together in a manifest, so the last
	 * tuple's are kept.
	 */
	const char			*key;
	char				*partition;
	char				*residual;
	size_t				*dels;	/* room for every delete */
};

/* The tuple's partition JSON and residual, made when the tuple changes. */
static int
tuple_texts(struct entry_walk *w, const struct ice_value *t, const char *key)
{
	struct scan_plan	*p = w->p;
	struct pgl_jw		 j;
	json_t			*res;
	char			*s;

	if (w->key != NULL && strcmp(w->key, key) == 0)
		return (0);
	jw_init(&j);
	scan_partition_jw(&j, w->spec, t);
	w->partition = j.buf != NULL ? pgl_arena_strdup(w->scratch, j.buf) :
	    NULL;
	jw_free(&j);
	w->residual = NULL;
	if (p->q.has_filter) {
		res = ice_expr_to_json(ice_expr_residual(w->scratch,
		    p->q.filter, w->spec, t));
		s = res != NULL ? json_dumps(res, JSON_COMPACT |
		    JSON_ENCODE_ANY) : NULL;
		json_decref(res);
		if (s == NULL)
			return (-1);
		w->residual = pgl_arena_strdup(w->scratch, s);
		free(s);
	}
	w->key = key;
	return (w->partition == NULL ? -1 : 0);
}

/* The tuple in spec order, as values of each field's result type. */
static const struct ice_value *
tuple_of(struct entry_walk *w, const struct ice_manifest_full *f)
{
	const struct ice_pspec	*s = w->spec;
	struct ice_value	*t;
	size_t			 i, j;

	t = pgl_arena_alloc(w->scratch, (s->nfields + 1) * sizeof(*t));
	for (i = 0; i < s->nfields; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].is_null = 1;
		t[i].tid = s->fields[i].result_type.id;
		for (j = 0; j < f->npartition; j++) {
			if (f->partition_ids[j] == s->fields[i].field_id ||
			    (f->partition_ids[j] < 0 && j == i))
				break;
		}
		if (j == f->npartition || f->partition[j].is_null)
			continue;
		if (ice_value_retype(&f->partition[j],
		    &s->fields[i].result_type, &t[i]) == -1)
			return (NULL);
	}
	return (t);
}

static int
entry_fail(struct entry_walk *w, const char *what)
{
	w->err->code = PGL_EINVAL;
	(void)snprintf(w->err->msg, sizeof(w->err->msg), "manifest %.200s: "
	    "%s", w->m->path, what);
	w->failed = 1;
	return (1);
}

static int64_t
entry_seq(const struct entry_walk *w, const struct ice_manifest_full *f)
{
	if (f->e.sequence_number >= 0)
		return (f->e.sequence_number);
	return (w->m->sequence_number > 0 ? w->m->sequence_number : 0);
}

static int
on_delete(void *arg, const struct ice_manifest_full *f)
{
	struct entry_walk	*w = arg;
	struct scan_plan	*p = w->p;
	const struct ice_value	*t;
	struct scan_delete	 d;

	if (f->e.status == 2)
		return (0);
	if ((t = tuple_of(w, f)) == NULL)
		return (entry_fail(w, "a partition value does not fit its "
		    "type"));
	if (p->q.has_filter && !ice_eval_partition(projected(p, w->spec),
	    w->spec, t))
		return (0);
	memset(&d, 0, sizeof(d));
	d.content = f->e.content;
	d.spec_id = w->spec->spec_id;
	d.seq = entry_seq(w, f);
	d.key = scan_partition_key(p->r->arena, d.spec_id, t,
	    w->spec->nfields);
	if (f->e.referenced_data_file != NULL)
		d.referenced = pgl_arena_strdup(p->r->arena,
		    f->e.referenced_data_file);
	if (tuple_texts(w, t, d.key) == -1)
		return (entry_fail(w, "out of memory"));
	jw_reset(&w->file);
	scan_file_jw(&w->file, p, w->spec, f, w->partition);
	if (w->file.oom)
		return (entry_fail(w, "out of memory"));
	d.json = pgl_arena_strdup(p->r->arena, w->file.buf);
	if (scan_deletes_add(&p->del, p->r->arena, &d,
	    (size_t)pgl_app.cfg->scan.max_delete_files, w->err) == -1) {
		w->failed = 1;
		return (1);
	}
	return (0);
}

struct dels {
	size_t	*v;
	size_t	 n;
};

static void
add_del(void *arg, size_t i)
{
	struct dels	*d = arg;

	d->v[d->n++] = i;
}

static int
wanted(struct entry_walk *w, const struct ice_manifest_full *f)
{
	const struct scan_req	*q = &w->p->q;
	int64_t			 sid;

	if (f->e.status == 2)
		return (0);
	if (q->start_id == -1)
		return (1);
	sid = f->e.snapshot_id >= 0 ? f->e.snapshot_id :
	    w->m->added_snapshot_id;
	return (f->e.status == 1 && is_append(q, sid));
}

/* May the file hold a matching row?  Counted when not. */
static int
may_match(struct entry_walk *w, const struct ice_manifest_full *f,
    const struct ice_value *t)
{
	struct scan_plan	*p = w->p;
	struct ice_file_metrics	 m;

	if (!p->q.has_filter)
		return (1);
	if (!ice_eval_partition(projected(p, w->spec), w->spec, t)) {
		p->skipped_partition++;
		return (0);
	}
	m.record_count = f->e.record_count;
	m.cols = f->cols;
	m.ncols = f->ncols;
	if (!ice_eval_metrics(p->q.filter, &m)) {
		p->skipped_metrics++;
		return (0);
	}
	return (1);
}

static int
on_data(void *arg, const struct ice_manifest_full *f)
{
	struct entry_walk	*w = arg;
	struct scan_plan	*p = w->p;
	const struct ice_value	*t;
	const char		*key;
	struct dels		 d = { NULL, 0 };

	if (!wanted(w, f))
		return (0);
	p->entries++;
	if ((t = tuple_of(w, f)) == NULL)
		return (entry_fail(w, "a partition value does not fit its "
		    "type"));
	if (!may_match(w, f, t))
		return (0);
	key = scan_partition_key(w->scratch, w->spec->spec_id, t,
	    w->spec->nfields);
	if (tuple_texts(w, t, key) == -1)
		return (entry_fail(w, "out of memory"));
	if (p->del.n > 0) {
		if (w->dels == NULL && (w->dels = pgl_arena_alloc(w->scratch,
		    p->del.n * sizeof(*w->dels))) == NULL)
			return (entry_fail(w, "out of memory"));
		d.v = w->dels;
		scan_deletes_for(&p->del, key, w->spec->spec_id,
		    entry_seq(w, f), f->e.file_path, add_del, &d);
	}
	jw_reset(&w->file);
	scan_file_jw(&w->file, p, w->spec, f, w->partition);
	if (w->file.oom)
		return (entry_fail(w, "out of memory"));
	if (scan_sink_task(&p->sink, &p->del, w->file.buf, d.v, d.n,
	    w->residual, w->err) == -1) {
		w->failed = 1;
		return (1);
	}
	return (0);
}

/* 1 when the task must stop (cancelled, lease lost). */
static int
progress(struct scan_plan *p)
{
	if (p->run == NULL)
		return (0);
	return (pgl_task_progress(p->run, "planning", p->manifests_read,
	    p->nmf, pgl_arena_printf(p->r->arena, "%llu of %llu manifests "
	    "read, %llu files planned", (unsigned long long)p->manifests_read,
	    (unsigned long long)p->nmf, (unsigned long long)p->sink.files)));
}

static int
walk_manifest(struct scan_plan *p, const struct scan_manifest *m,
    ice_manifest_full_fn fn, struct pgl_err *err)
{
	struct entry_walk	 w;
	const void		*buf;
	void			*ref;
	size_t			 len;
	int			 rc;

	memset(&w, 0, sizeof(w));
	w.p = p;
	w.m = m;
	w.err = err;
	if ((w.spec = scan_spec(&p->q, m->spec_id)) == NULL)
		return (-1);
	if ((rc = scan_read(p, m->path, 1, &buf, &len, &ref, err)) != PGL_OK) {
		if (rc != PGL_EUNAVAIL)
			fail(err, rc, "cannot read manifest", m->path);
		return (-1);
	}
	if ((w.scratch = pgl_arena_new()) == NULL) {
		api_mcache_unref(ref);
		err->code = PGL_ENOMEM;
		return (-1);
	}
	jw_init(&w.file);
	rc = ice_manifest_read_full(buf, len, fn, &w, err);
	api_mcache_unref(ref);
	jw_free(&w.file);
	pgl_arena_free(w.scratch);
	if (rc == -1 && !w.failed)
		fail(err, PGL_EINVAL, "corrupt manifest", m->path);
	p->manifests_read++;
	return (rc == -1 || w.failed ? -1 : 0);
}

static int
walk(struct scan_plan *p, int content, ice_manifest_full_fn fn,
    struct pgl_err *err)
{
	size_t	i;

	for (i = 0; i < p->nmf; i++) {
		if ((content == ICE_CONTENT_DATA) !=
		    (p->mf[i].content == ICE_CONTENT_DATA))
			continue;
		if (walk_manifest(p, &p->mf[i], fn, err) == -1)
			return (-1);
		if (progress(p)) {
			err->code = PGL_ECONFLICT;
			(void)snprintf(err->msg, sizeof(err->msg), "cancelled");
			return (-2);
		}
	}
	return (0);
}

int
scan_files(struct scan_plan *p, struct pgl_err *err)
{
	int	rc;

	if ((rc = walk(p, ICE_CONTENT_DELETES, on_delete, err)) != 0)
		return (rc);
	if (scan_deletes_index(&p->del, p->r->arena, err) == -1 ||
	    scan_sink_start(&p->sink, p->del.n) == -1)
		return (-1);
	return (walk(p, ICE_CONTENT_DATA, on_data, err));
}

json_t *
scan_counts(const struct scan_plan *p)
{
	return (json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
	    "manifests_listed", (json_int_t)p->manifests_listed,
	    "manifests_read", (json_int_t)p->manifests_read,
	    "bytes_read", (json_int_t)p->bytes_read,
	    "entries", (json_int_t)p->entries,
	    "skipped_by_partition", (json_int_t)p->skipped_partition,
	    "skipped_by_metrics", (json_int_t)p->skipped_metrics,
	    "files", (json_int_t)p->sink.files,
	    "delete_files", (json_int_t)p->del.n));
}
