/*
 * A metadata file written off the worker's thread for a handler that
 * creates a table or view, and files deleted there.
 *
 * The commit loop has its own way (commit/async.c).  A create writes
 * one file and then records the new pointer: the file goes to the write
 * pool (on S3 a PUT with its timeouts, on local disk the file and its
 * directory fsync'd), the request waits (pgl_req_pend) while the worker
 * serves others, and written() goes on on the worker's thread.  An
 * object store that does not answer holds a pool thread, never the
 * event loop; with no pool to take the PUT the create answers 503.
 *
 * Deletes are cleanup after a loss or a commit, best effort: on S3 a
 * client's go to the pool and nobody waits for them.  One the pool
 * cannot take (the server stopping) is left, and logged: the table's
 * remove_orphan_files finds it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/commit/commit.h"
#include "api/request/fetch.h"
#include "api/storage/storage.h"
#include "storage/obj_job.h"
#include "storage/objio.h"
#include "storage/write_pool.h"
#include "util/log.h"

struct write_then {
	struct pgl_objjob	*job;
	struct pgl_req		*r;
	char			*text;	/* the bytes rendered */
	char			*gz;	/* and their gzip, if named so */
	ice_written_fn		 then;
	void			*arg;
};

static void
write_then_free(struct write_then *w)
{
	pgl_objjob_free(w->job);
	free(w->text);
	free(w->gz);
	free(w);
}

/*
 * On the worker's thread: the write is done.  A write the stopping pool
 * dropped comes with an error; one it finished is on disk, and the
 * pointer may be recorded as on any other day.
 */
static void
written(struct pgl_wjob *job, int stopped)
{
	struct write_then	*w = job->arg;
	struct pgl_req		*r = w->r;
	struct pgl_err		 err = job->err;

	(void)stopped;
	api_count_s3();
	w->then(r, job->rc, &err, w->arg);
	write_then_free(w);
	pgl_req_done(r);
}

/* 0: the write is queued and r waits; else why not (err). */
static int
submit(struct write_then *w, const struct pgl_storage *st,
    const char *location, size_t len, size_t gzlen, struct pgl_err *err)
{
	if ((w->job = pgl_objjob_new(st, PGL_OBJ_PUT, location)) == NULL) {
		err->code = PGL_ENOMEM;
		(void)snprintf(err->msg, sizeof(err->msg), "out of memory");
		return (err->code);
	}
	w->job->data = w->gz != NULL ? (const void *)w->gz : w->text;
	w->job->len = w->gz != NULL ? gzlen : len;
	w->job->w.done = written;
	w->job->w.arg = w;
	if (pgl_objjob_submit(w->job) == -1) {
		*err = w->job->w.err;
		return (err->code);
	}
	pgl_req_pend(w->r);
	return (0);
}

void
ice_write_metadata_then(struct pgl_req *r, const struct pgl_catalog *c,
    const char *location, const json_t *md, ice_written_fn then, void *arg)
{
	const struct pgl_storage	*st;
	struct write_then		*w;
	struct pgl_err			 err;
	size_t				 len, gzlen;
	int				 rc;

	/* A write is a side effect no replay may repeat (fetch.h). */
	api_fetch_disarm(r);
	/* A task runner has no event loop: inline. */
	if (!api_on_loop(r)) {
		rc = ice_write_metadata(r, c, location, md, &err);
		then(r, rc, &err, arg);
		return;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		err.code = PGL_ENOMEM;
		(void)snprintf(err.msg, sizeof(err.msg), "out of memory");
		then(r, err.code, &err, arg);
		return;
	}
	w->r = r;
	w->then = then;
	w->arg = arg;
	if ((rc = api_storage(r, c, &st, &err)) != PGL_OK ||
	    (rc = ice_render_metadata(location, md, NULL, NULL, &w->text,
	    &len, &w->gz, &gzlen, &err)) != PGL_OK) {
		write_then_free(w);
		then(r, rc, &err, arg);
		return;
	}
	if ((rc = submit(w, st, location, len, gzlen, &err)) == 0)
		return;
	/* No pool took it: a local file is written here (the disk, no
	 * network); an object never is, on the event loop. */
	if (!st->remote && rc != PGL_ENOMEM)
		rc = pgl_obj_write(st, location, w->gz != NULL ?
		    (const void *)w->gz : w->text, w->gz != NULL ? gzlen : len,
		    &err);
	write_then_free(w);
	then(r, rc, &err, arg);
}

static void
deleted(struct pgl_wjob *job, int stopped)
{
	(void)stopped;
	api_count_s3();
	pgl_objjob_free((struct pgl_objjob *)job);
}

static void
left(const char *location, const char *why)
{
	pgl_log(PGL_LOG_WARN, "a metadata file was left in place: %.200s "
	    "(%s)", location, why);
}

void
ice_delete_file(struct pgl_req *r, const struct pgl_catalog *c,
    const char *location)
{
	const struct pgl_storage	*st;
	struct pgl_objjob		*job;
	struct pgl_err			 err;

	api_fetch_disarm(r);
	if (api_storage(r, c, &st, &err) != PGL_OK)
		return;
	/* A local file goes at once (unlink waits on no network), and a
	 * task runner has no event loop to hold. */
	if (!st->remote || !api_on_loop(r)) {
		(void)pgl_obj_delete(st, location, &err);
		api_count_s3();
		return;
	}
	if ((job = pgl_objjob_new(st, PGL_OBJ_DELETE, location)) == NULL) {
		left(location, "out of memory");
		return;
	}
	job->w.done = deleted;
	job->w.arg = NULL;
	if (pgl_objjob_submit(job) == -1) {
		left(location, job->w.err.msg);
		pgl_objjob_free(job);
	}
}

void
ice_delete_files(struct pgl_req *r, const struct pgl_catalog *c,
    const char *const *locations, size_t n)
{
	const struct pgl_storage	*st;
	struct pgl_err			 err;
	size_t				 i;

	api_fetch_disarm(r);
	if (api_storage(r, c, &st, &err) != PGL_OK)
		return;
	/* A client's: one queued delete each, never a batch on the loop. */
	if (st->remote && api_on_loop(r)) {
		for (i = 0; i < n; i++)
			ice_delete_file(r, c, locations[i]);
		return;
	}
	(void)pgl_obj_delete_many(st, locations, n, &err);
	api_count_s3();
}
