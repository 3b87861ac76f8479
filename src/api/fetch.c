/*
 * Fetch and replay (fetch.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/fetch.h"
#include "api/req_app.h"
#include "metrics/metrics.h"
#include "storage/obj_job.h"
#include "storage/s3.h"
#include "util/arena.h"

/* Runs of one handler at most: each fetches at least one new object. */
#define REPLAYS_MAX	16

struct fetched {
	char		*location;
	int		 rc;
	struct pgl_err	 err;
	char		*data;
	size_t		 len;
	struct fetched	*next;
};

struct api_fetch {
	void		(*fn)(struct pgl_req *);
	int		 armed;		/* in fn, nothing written yet */
	int		 waiting;	/* GETs submitted this run */
	int		 runs;
	size_t		 mark;		/* headers before fn (replays) */
	struct fetched	*have;
};

static struct api_fetch *
state(struct pgl_req *r)
{
	if (r->app == NULL)
		return (NULL);
	if (r->app->fetch == NULL && (r->app->fetch = pgl_arena_alloc(
	    r->arena, sizeof(*r->app->fetch))) != NULL)
		memset(r->app->fetch, 0, sizeof(*r->app->fetch));
	return (r->app->fetch);
}

static void
forget(struct api_fetch *f)
{
	struct fetched	*e;

	while ((e = f->have) != NULL) {
		f->have = e->next;
		free(e->location);
		free(e->data);
		free(e);
	}
}

/*
 * fn has run: 1 if it waits on a fetch (its reply taken back, r
 * pending), else 0 and the fetched set is let go.
 */
static int
settle(struct pgl_req *r, struct api_fetch *f)
{
	f->armed = 0;
	if (f->waiting > 0) {
		pgl_reply_withdraw(r);
		pgl_header_reset(r, f->mark);
		if (!r->pending)
			pgl_req_pend(r);
		return (1);
	}
	forget(f);
	return (0);
}

static void
run(struct pgl_req *r, struct api_fetch *f)
{
	f->armed = f->runs++ < REPLAYS_MAX;
	f->fn(r);
}

void
api_fetch_serve(struct pgl_req *r, void (*fn)(struct pgl_req *))
{
	struct api_fetch	*f;

	if (r->http == NULL || (f = state(r)) == NULL) {
		fn(r);
		return;
	}
	f->fn = fn;
	f->mark = pgl_header_mark(r);
	run(r, f);
	(void)settle(r, f);
}

/* A GET is done, on the worker's thread: keep it; run fn again once
 * every GET of the run is in. */
static void
fetched(struct pgl_wjob *w, int stopped)
{
	struct pgl_objjob	*j = (struct pgl_objjob *)w;
	struct pgl_req		*r = w->arg;
	struct api_fetch	*f = r->app->fetch;
	struct fetched		*e;

	api_count_s3();
	if ((e = calloc(1, sizeof(*e))) != NULL) {
		e->location = j->location;
		j->location = NULL;
		e->rc = w->rc;
		e->err = w->err;
		e->data = j->out;
		e->len = j->outlen;
		j->out = NULL;
		e->next = f->have;
		f->have = e;
	}
	pgl_objjob_free(j);
	if (--f->waiting > 0)
		return;
	if (stopped || r->gone || e == NULL) {
		forget(f);
		pgl_reply_error(r, 503, "%s", stopped ? "the server is "
		    "stopping" : "out of memory");
		pgl_req_done(r);
		return;
	}
	/* Pending no more while fn runs: a commit it starts may wait on
	 * its own (pgl_req_pend) and end r itself. */
	r->pending = 0;
	run(r, f);
	if (settle(r, f) || r->pending)
		return;
	pgl_req_done(r);
}

static int
take(const struct fetched *e, char **data, size_t *len, struct pgl_err *err)
{
	if (e->rc != PGL_OK) {
		*err = e->err;
		return (e->rc);
	}
	/* A copy: a later run may need the same object again. */
	if ((*data = malloc(e->len + 1)) == NULL) {
		err->code = PGL_ENOMEM;
		(void)snprintf(err->msg, sizeof(err->msg), "out of memory");
		return (PGL_ENOMEM);
	}
	memcpy(*data, e->data != NULL ? e->data : "", e->len);
	(*data)[e->len] = '\0';
	*len = e->len;
	return (PGL_OK);
}

int
api_fetch_read(struct pgl_req *r, const struct pgl_storage *st,
    const char *location, size_t max, char **data, size_t *len,
    struct pgl_err *err)
{
	struct api_fetch	*f = r->app != NULL ? r->app->fetch : NULL;
	struct pgl_objjob	*j;
	struct fetched		*e;
	int			 rc;

	for (e = f != NULL ? f->have : NULL; e != NULL; e = e->next) {
		if (strcmp(e->location, location) == 0)
			return (take(e, data, len, err));
	}
	if (f == NULL || !f->armed || !st->is_s3 || r->pending ||
	    r->http == NULL)
		return (pgl_obj_read(st, location, max, data, len, err));
	/* An endpoint refusing now answers at once, without a thread. */
	if ((rc = pgl_s3_check(&st->s3, err)) != PGL_OK)
		return (rc);
	if ((j = pgl_objjob_new(st, PGL_OBJ_GET, location)) == NULL)
		return (pgl_obj_read(st, location, max, data, len, err));
	j->max = max;
	j->w.done = fetched;
	j->w.arg = r;
	if (pgl_objjob_submit(j) == -1) {
		pgl_objjob_free(j);
		return (pgl_obj_read(st, location, max, data, len, err));
	}
	f->waiting++;
	err->code = PGL_EUNAVAIL;
	(void)snprintf(err->msg, sizeof(err->msg), "waiting for the object "
	    "store");
	return (PGL_EUNAVAIL);
}

int
api_fetch_waiting(const struct pgl_req *r)
{
	return (r->app != NULL && r->app->fetch != NULL &&
	    r->app->fetch->waiting > 0);
}

void
api_fetch_disarm(struct pgl_req *r)
{
	if (r->app != NULL && r->app->fetch != NULL)
		r->app->fetch->armed = 0;
}

/*
 * What this process's S3 clients did since the last count: to /metrics.
 * The write pool's threads call S3 too, so the count is of everything
 * since the last time, on the worker's thread.
 */
void
api_count_s3(void)
{
	static struct pgl_s3_stats	last;
	struct pgl_s3_stats		now;

	pgl_s3_stats(&now);
	pgl_metrics_add(PGL_C_OBJECT_STORE_REQUESTS,
	    now.requests - last.requests);
	pgl_metrics_add(PGL_C_OBJECT_STORE_CONNECTIONS,
	    now.connections - last.connections);
	pgl_metrics_add(PGL_C_S3_BREAKER_OPEN, now.trips - last.trips);
	pgl_metrics_add(PGL_C_S3_REFUSED, now.refused - last.refused);
	last = now;
}
