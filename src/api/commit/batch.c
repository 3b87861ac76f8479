/*
 * A client's multi-table commit (/transactions/commit, commit/commit.h,
 * ice_commit_serve_many): every new metadata file goes to the write pool
 * at once (on S3 as object PUTs, storage/obj_job.h) and the request waits
 * (pgl_req_pend) while the worker serves others.  When the last file is
 * in, the one loop swaps every pointer in one store transaction
 * (commit_loop_written); a file that failed leaves the others deleted
 * and the error replied, as the inline write_all() does.
 *
 * Unlike a single table's commit (async.c) a batch takes no per-table
 * slot: it spans tables, and the loop's compare-and-swap keeps it right
 * against any other writer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/commit/commit.h"
#include "api/commit/run.h"
#include "api/gate.h"
#include "api/read/read.h"
#include "api/request/fetch.h"
#include "api/storage/storage.h"
#include "metrics/metrics.h"
#include "storage/obj_job.h"
#include "storage/objio.h"
#include "storage/write_pool.h"

struct batch_file {
	struct commit_batch	*b;
	size_t			 i;		/* in b->cs */
	struct pgl_wjob		 job;		/* local disk */
	struct pgl_objjob	*obj;		/* or S3 */
	int			 ok;		/* on disk */
};

struct commit_batch {
	struct commit_loop	 l;		/* l.owner: this */
	struct ice_change	*cs;		/* n, the batch's */
	size_t			 n;
	struct batch_file	*files;		/* n */
	size_t			 pending;	/* jobs not yet done */
	int			 failed;	/* a write failed: err */
	int			 stopped;	/* the pool is going away */
	struct pgl_err		 err;
	int			 pended;
};

static void
file_drop(struct batch_file *f)
{
	pgl_objjob_free(f->obj);
	free(f->job.root);
	free(f->job.location);
	f->obj = NULL;
	f->job.root = f->job.location = NULL;
	f->ok = 0;
}

static void
batch_free(struct commit_batch *b, enum loop_end end)
{
	struct pgl_req	*r = b->l.r;
	int		 pended = b->pended;
	size_t		 i;

	if (end == LOOP_DONE)
		pgl_reply_empty(r, 204);
	for (i = 0; i < b->n; i++) {
		file_drop(&b->files[i]);
		ice_change_clear(&b->cs[i]);
	}
	free(b->files);
	free(b->cs);
	free(b);
	commit_open_add(-1);
	if (pended)
		pgl_req_done(r);
}

/* Every job of this attempt is done: swap them in, or undo and reply. */
static void
all_written(struct commit_batch *b)
{
	struct commit_loop	*l = &b->l;
	enum loop_end		 end;
	size_t			 i;

	if (b->failed || b->stopped) {
		for (i = 0; i < b->n; i++) {
			if (b->files[i].ok)
				ice_delete_file(l->r, &b->cs[i].t.catalog,
				    b->cs[i].next_location);
		}
		if (b->stopped)
			pgl_reply_error(l->r, 503, "the server is stopping");
		else
			ice_reply_file_error(l->r, &b->err);
		batch_free(b, LOOP_REPLIED);
		return;
	}
	if ((end = commit_loop_written(l)) != LOOP_WAIT)
		batch_free(b, end);
}

static void
file_written(struct pgl_wjob *job, int stopped)
{
	struct batch_file	*f = job->arg;
	struct commit_batch	*b = f->b;

	pgl_metrics_inc(PGL_C_COMMIT_POOL_WRITES);
	api_count_s3();
	if (job->rc == PGL_OK)
		f->ok = 1;
	else if (!b->failed) {
		b->failed = 1;
		b->err = job->err;
	}
	b->stopped |= stopped;
	if (f->obj != NULL) {
		/* job is the object job's own: free it last. */
		pgl_objjob_free(f->obj);
		f->obj = NULL;
	}
	if (--b->pending == 0)
		all_written(b);
}

/*
 * Queue change i's file (rendered by ice_change_compute): 0 queued, -1
 * not (b->err), 1 a local file no pool took (b->err says so; the loop
 * may write it here).
 */
static int
file_submit(struct commit_batch *b, size_t i, const struct pgl_storage *st)
{
	struct batch_file	*f = &b->files[i];
	struct ice_change	*c = &b->cs[i];
	const void		*data;
	size_t			 len;

	file_drop(f);
	f->b = b;
	f->i = i;
	data = c->gz != NULL ? (const void *)c->gz : c->bytes;
	len = c->gz != NULL ? c->gzlen : c->len;
	if (st->remote) {
		if ((f->obj = pgl_objjob_new(st, PGL_OBJ_PUT,
		    c->next_location)) == NULL)
			goto oom;
		f->obj->data = data;
		f->obj->len = len;
		f->obj->w.done = file_written;
		f->obj->w.arg = f;
		if (pgl_objjob_submit(f->obj) == 0)
			return (0);
		b->err = f->obj->w.err;
		return (-1);
	}
	if ((f->job.root = strdup(st->root)) == NULL ||
	    (f->job.location = strdup(c->next_location)) == NULL)
		goto oom;
	f->job.data = data;
	f->job.len = len;
	f->job.done = file_written;
	f->job.arg = f;
	if (pgl_wpool_submit(&f->job) == 0)
		return (0);
	b->err.code = PGL_EUNAVAIL;
	(void)snprintf(b->err.msg, sizeof(b->err.msg), "the server is "
	    "stopping");
	return (1);
oom:
	b->err.code = PGL_ENOMEM;
	(void)snprintf(b->err.msg, sizeof(b->err.msg), "out of memory");
	return (-1);
}

static void
pended(struct commit_batch *b)
{
	if (!b->pended) {
		b->pended = 1;
		pgl_req_pend(b->l.r);
	}
}

/*
 * The loop's submit: every changed file to the pool.  Nothing queued
 * yet: -1 with why (l->err), or 1 when no pool took a local file (the
 * loop writes them here: the disk, no network).  A failure after some
 * are queued is that file's failure, told when the others are done.
 */
static int
submit(struct commit_loop *l)
{
	struct commit_batch		*b = l->owner;
	const struct pgl_storage	*st;
	size_t				 i, queued = 0;
	int				 rc;

	b->failed = b->stopped = 0;
	if (api_storage(l->r, &b->cs[0].t.catalog, &st, &l->err) != PGL_OK)
		return (-1);
	b->pending = 1;		/* held until every file is queued */
	for (i = 0; i < b->n; i++) {
		if (b->cs[i].next == NULL)
			continue;
		b->pending++;
		if ((rc = file_submit(b, i, st)) == 0) {
			queued++;
			continue;
		}
		b->pending--;
		file_drop(&b->files[i]);
		if (queued == 0) {
			b->pending = 0;
			l->err = b->err;
			return (rc);
		}
		b->failed = 1;
		break;
	}
	pended(b);
	if (--b->pending == 0)
		all_written(b);
	return (0);
}

/* The bases an attempt asked for are in: the loop goes on. */
static void
resumed(void *arg)
{
	struct commit_batch	*b = arg;
	enum loop_end		 end;

	if ((end = commit_loop_run(&b->l)) != LOOP_WAIT)
		batch_free(b, end);
}

/* The turn's requests are served: the batch's attempt starts. */
static void
start(struct pgl_req *r, void *arg)
{
	struct commit_batch	*b = arg;
	enum loop_end		 end;

	(void)r;
	if ((end = commit_loop_run(&b->l)) != LOOP_WAIT)
		batch_free(b, end);
}

void
ice_commit_serve_many(struct pgl_req *r, struct ice_change *cs, size_t n)
{
	struct commit_batch		*b;
	const struct pgl_storage	*st;
	struct pgl_err			 err;
	enum loop_end			 end;
	size_t				 i;

	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->files = calloc(n, sizeof(*b->files))) == NULL) {
		free(b);
		for (i = 0; i < n; i++)
			ice_change_clear(&cs[i]);
		free(cs);
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	commit_open_add(1);
	b->cs = cs;
	b->n = n;
	commit_loop_init(&b->l, r, cs, n);
	b->l.owner = b;
	if (api_on_loop(r)) {
		b->l.submit = submit;
		b->l.resume = resumed;
		b->l.never_lock = api_storage(r, &cs[0].t.catalog, &st,
		    &err) == PGL_OK && st->remote;
	}
	/* Reads first, as a single table's commit (async.c). */
	if (b->l.resume != NULL && pgl_req_later(r, start, b) == 0) {
		b->pended = 1;
		return;
	}
	if ((end = commit_loop_run(&b->l)) == LOOP_WAIT)
		pended(b);
	else
		batch_free(b, end);
}
