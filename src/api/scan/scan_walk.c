/*
 * The walk of one plan (api/scan/scan.h), after its manifests are listed
 * (scan_manifests.c): the delete manifests (an index of delete files),
 * then the data manifests, entry by entry.  One manifest's bytes are held
 * at a time (pinned before the walk, or read through p->read), and its
 * entries are streamed; what an entry leaves behind (its tuple, its
 * residual) lives in a scratch arena freed after the manifest.  The walk
 * touches neither the request nor the store: it runs off the worker's
 * thread (scan_job.c) as well as in a task runner.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/scan/scan.h"
#include "app/app.h"
#include "iceberg/manifest.h"
#include "util/arena.h"

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
	uint64_t			 seen;
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

/* Every ENTRIES_CHECK entries: 1 (the walk stops) once p->stop says. */
#define ENTRIES_CHECK	256

static int
stop_now(struct entry_walk *w)
{
	struct scan_plan	*p = w->p;

	if ((++w->seen % ENTRIES_CHECK) != 0 || p->stop == NULL ||
	    !p->stop(p))
		return (0);
	w->failed = 1;
	return (1);
}

static int
on_delete(void *arg, const struct ice_manifest_full *f)
{
	struct entry_walk	*w = arg;
	struct scan_plan	*p = w->p;
	const struct ice_value	*t;
	struct scan_delete	 d;

	if (stop_now(w))
		return (1);
	if (f->e.status == 2)
		return (0);
	if ((t = tuple_of(w, f)) == NULL)
		return (entry_fail(w, "a partition value does not fit its "
		    "type"));
	if (p->q.has_filter && !ice_eval_partition(scan_projected(p, w->spec),
	    w->spec, t))
		return (0);
	memset(&d, 0, sizeof(d));
	d.content = f->e.content;
	d.spec_id = w->spec->spec_id;
	d.seq = entry_seq(w, f);
	d.key = scan_partition_key(p->arena, d.spec_id, t,
	    w->spec->nfields);
	if (f->e.referenced_data_file != NULL)
		d.referenced = pgl_arena_strdup(p->arena,
		    f->e.referenced_data_file);
	if (tuple_texts(w, t, d.key) == -1)
		return (entry_fail(w, "out of memory"));
	jw_reset(&w->file);
	scan_file_jw(&w->file, p, w->spec, f, w->partition);
	if (w->file.oom)
		return (entry_fail(w, "out of memory"));
	d.json = pgl_arena_strdup(p->arena, w->file.buf);
	if (scan_deletes_add(&p->del, p->arena, &d,
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
	return (f->e.status == 1 && scan_is_append(q, sid));
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
	if (!ice_eval_partition(scan_projected(p, w->spec), w->spec, t)) {
		p->skipped_partition++;
		return (0);
	}
	m.record_count = f->e.record_count;
	m.cols = f->cols;
	m.ncols = f->ncols;
	if (!ice_eval_metrics(p->q.metrics_filter, &m)) {
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

	if (stop_now(w))
		return (1);
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
		if (p->sink.full)
			p->stopped = SCAN_STOP_SIZE;
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
	    p->nmf, pgl_arena_printf(p->arena, "%llu of %llu manifests "
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
	ref = NULL;
	if (m->buf != NULL) {
		buf = m->buf;
		len = m->len;
	} else if ((rc = p->read(p, m->path, 1, &buf, &len, &ref, err)) !=
	    PGL_OK) {
		if (rc != PGL_EUNAVAIL)
			scan_fail(err, rc, "cannot read manifest", m->path);
		return (-1);
	}
	if ((w.scratch = pgl_arena_new()) == NULL) {
		if (ref != NULL)
			p->release(p, ref);
		err->code = PGL_ENOMEM;
		return (-1);
	}
	jw_init(&w.file);
	rc = ice_manifest_read_full(buf, len, fn, &w, err);
	if (ref != NULL)
		p->release(p, ref);
	jw_free(&w.file);
	pgl_arena_free(w.scratch);
	if (p->stopped != SCAN_GOING)
		return (SCAN_STOPPED);
	if (rc == -1 && !w.failed)
		scan_fail(err, PGL_EINVAL, "corrupt manifest", m->path);
	p->manifests_read++;
	return (rc == -1 || w.failed ? -1 : 0);
}

static int
walk(struct scan_plan *p, int content, ice_manifest_full_fn fn,
    struct pgl_err *err)
{
	size_t	i;

	int	rc;

	for (i = 0; i < p->nmf; i++) {
		if ((content == ICE_CONTENT_DATA) !=
		    (p->mf[i].content == ICE_CONTENT_DATA))
			continue;
		if ((p->stop != NULL && p->stop(p)) ||
		    (rc = walk_manifest(p, &p->mf[i], fn, err)) ==
		    SCAN_STOPPED)
			return (SCAN_STOPPED);
		if (rc == -1)
			return (-1);
		if (progress(p)) {
			p->stopped = SCAN_STOP_CANCEL;
			err->code = PGL_ECONFLICT;
			(void)snprintf(err->msg, sizeof(err->msg), "cancelled");
			return (SCAN_STOPPED);
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
	if (scan_deletes_index(&p->del, p->arena, err) == -1 ||
	    scan_sink_start(&p->sink, p->del.n) == -1)
		return (-1);
	rc = walk(p, ICE_CONTENT_DATA, on_data, err);
	/* A sink past what it may keep stopped the walk too. */
	return (rc == -1 && p->stopped != SCAN_GOING ? SCAN_STOPPED : rc);
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
