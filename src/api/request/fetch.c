/*
 * Fetch and replay (fetch.h).  Below the shared layer: the gate runs
 * every handler through it, and it uses nothing of src/api but the
 * request's own state (req_app.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/request/fetch.h"
#include "api/request/req_app.h"
#include "metrics/metrics.h"
#include "storage/obj_job.h"
#include "storage/s3.h"
#include "util/arena.h"
#include "util/log.h"

/* Runs of one handler, or of one section, at most: each fetches at
 * least one new object. */
#define REPLAYS_MAX	16
/* GETs one run asks for; a run past them asks for the rest when it runs
 * again.  Well under s3_max_queued_per_endpoint's default (64), so that
 * one request alone never fills its endpoint's queue. */
#define FETCH_PER_RUN	16

struct fetched {
	char		*location;
	int		 rc;
	struct pgl_err	 err;
	char		*data;
	size_t		 len;
	struct fetched	*next;
};

/*
 * Once every GET is in, the handler (fn) runs again, or, while a
 * section waits, its resume(arg).
 */
struct api_fetch {
	void		(*fn)(struct pgl_req *);
	void		(*resume)(void *);
	void		*arg;
	int		 armed;		/* reads may wait now */
	int		 wrote;		/* api_fetch_disarm called */
	int		 waiting;	/* GETs under way */
	int		 asked;		/* GETs this run asked for */
	int		 runs;		/* of the handler */
	int		 section;	/* a section is open */
	int		 sruns;		/* of the section, until it ends */
	size_t		 mark;		/* headers before fn (replays) */
	size_t		 smark;		/* headers before the section */
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

/* A run begins: reads may wait unless the runs are spent. */
static void
arm(struct api_fetch *f, int *runs)
{
	f->armed = (*runs)++ < REPLAYS_MAX;
	f->asked = 0;
}

/*
 * fn has run: 1 if it waits on a fetch (its reply taken back, r
 * pending), else 0 and the fetched set is let go.  A section that waits
 * is its opener's to resume, with the set kept.
 */
static int
settle(struct pgl_req *r, struct api_fetch *f)
{
	f->armed = 0;
	if (f->resume != NULL)
		return (0);
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
	arm(f, &f->runs);
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

/* Every GET of the run is in: the handler runs again, and r ends
 * unless it waits once more. */
static void
replay(struct pgl_req *r, struct api_fetch *f, int stopped, int kept)
{
	if (stopped || r->gone || !kept) {
		forget(f);
		pgl_reply_error(r, 503, "%s", stopped ? "the server is "
		    "stopping" : r->gone ? "the client left" : "out of memory");
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

/* One more answer is in (e NULL: it could not be kept): once every one
 * of the run is, its code runs again. */
static void
arrived(struct pgl_req *r, struct api_fetch *f, struct fetched *e,
    int stopped)
{
	void	(*resume)(void *);

	if (--f->waiting > 0)
		return;
	/* A section's opener goes on, whatever happened: its reads answer
	 * (a lost entry is asked for again, within REPLAYS_MAX). */
	if ((resume = f->resume) != NULL) {
		f->resume = NULL;
		resume(f->arg);
		return;
	}
	replay(r, f, stopped, e != NULL);
}

/* An answer under key, kept (data taken); NULL if it cannot be. */
static struct fetched *
keep(struct api_fetch *f, char **key, const struct pgl_wjob *w, char **data,
    size_t len)
{
	struct fetched	*e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return (NULL);
	e->location = *key;
	*key = NULL;
	e->rc = w->rc;
	e->err = w->err;
	e->data = *data;
	*data = NULL;
	e->len = len;
	e->next = f->have;
	f->have = e;
	return (e);
}

/* A GET is done, on the worker's thread: keep it; once every GET of the
 * run is in, run its code again. */
static void
fetched(struct pgl_wjob *w, int stopped)
{
	struct pgl_objjob	*j = (struct pgl_objjob *)w;
	struct pgl_req		*r = w->arg;
	struct api_fetch	*f = r->app->fetch;
	struct fetched		*e;

	api_count_s3();
	e = keep(f, &j->location, w, &j->out, j->outlen);
	pgl_objjob_free(j);
	arrived(r, f, e, stopped);
}

/* A call of the caller's is done: kept as a GET's answer is. */
static void
called(struct pgl_wjob *w, int stopped)
{
	struct api_fetch_call	*c = (struct api_fetch_call *)w;
	struct pgl_req		*r = c->r;
	struct api_fetch	*f = r->app->fetch;
	struct fetched		*e;

	api_count_s3();
	e = keep(f, &c->key, w, &c->out, c->outlen);
	c->free(c);
	arrived(r, f, e, stopped);
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

static int
waits(struct pgl_err *err)
{
	err->code = PGL_EUNAVAIL;
	(void)snprintf(err->msg, sizeof(err->msg), "waiting for the object "
	    "store");
	return (PGL_EUNAVAIL);
}

/*
 * A read that may not wait here: refused, never made on the event loop.
 * Past REPLAYS_MAX the request simply read too much; anywhere else it
 * is a step that cannot run again (after a write), logged to be made
 * one that can.
 */
static int
refuse(const struct api_fetch *f, const struct pgl_storage *st,
    const char *location, struct pgl_err *err)
{
	if (f != NULL && (f->section ? f->sruns : f->runs) > REPLAYS_MAX)
		return (pgl_objjob_refuse(st, "too many object reads for one "
		    "request", err));
	pgl_log(PGL_LOG_WARN, "fetch: a read of %.200s where the request "
	    "cannot wait for it: refused", location);
	return (pgl_objjob_refuse(st, "it cannot be read at this step",
	    err));
}

/* Submit the GET of location: PGL_EUNAVAIL (waiting), or why not. */
static int
ask(struct pgl_req *r, struct api_fetch *f, const struct pgl_storage *st,
    const char *location, size_t max, struct pgl_err *err)
{
	struct pgl_objjob	*j;

	if ((j = pgl_objjob_new(st, PGL_OBJ_GET, location)) == NULL) {
		err->code = PGL_ENOMEM;
		(void)snprintf(err->msg, sizeof(err->msg), "out of memory");
		return (PGL_ENOMEM);
	}
	j->max = max;
	j->w.done = fetched;
	j->w.arg = r;
	if (pgl_objjob_submit(j) == -1) {
		*err = j->w.err;
		pgl_objjob_free(j);
		return (err->code);
	}
	f->waiting++;
	f->asked++;
	return (waits(err));
}

int
api_fetch_read(struct pgl_req *r, const struct pgl_storage *st,
    const char *location, size_t max, char **data, size_t *len,
    struct pgl_err *err)
{
	struct api_fetch	*f = r->app != NULL ? r->app->fetch : NULL;
	struct fetched		*e;
	int			 rc;

	for (e = f != NULL ? f->have : NULL; e != NULL; e = e->next) {
		if (strcmp(e->location, location) == 0)
			return (take(e, data, len, err));
	}
	/* Local disk waits on no network; a task runner has no loop. */
	if (!st->remote || !api_on_loop(r))
		return (pgl_obj_read(st, location, max, data, len, err));
	if (f == NULL || !f->armed)
		return (refuse(f, st, location, err));
	/* Asked for when the run comes again: the others hold it back. */
	if (f->asked >= FETCH_PER_RUN)
		return (waits(err));
	/* An endpoint refusing now answers at once, without a thread. */
	if ((rc = pgl_s3_check(&st->s3, err)) != PGL_OK)
		return (rc);
	return (ask(r, f, st, location, max, err));
}

int
api_fetch_call(struct pgl_req *r, struct api_fetch_call *c, char **data,
    size_t *len, struct pgl_err *err)
{
	struct api_fetch	*f = r->app != NULL ? r->app->fetch : NULL;
	struct fetched		*e;
	int			 rc;

	for (e = f != NULL ? f->have : NULL; e != NULL; e = e->next) {
		if (strcmp(e->location, c->key) == 0) {
			c->free(c);
			return (take(e, data, len, err));
		}
	}
	if (!api_on_loop(r) && c->w.run != NULL) {
		/* A task runner's: no loop to hold, made here. */
		c->w.run(&c->w);
		*err = c->w.err;
		if ((rc = c->w.rc) == PGL_OK) {
			*data = c->out;
			*len = c->outlen;
			c->out = NULL;
		}
		c->free(c);
		return (err->code = rc);
	}
	if (f == NULL || !f->armed || f->asked >= FETCH_PER_RUN) {
		c->free(c);
		if (f != NULL && f->armed)
			return (waits(err));
		err->code = PGL_EUNAVAIL;
		(void)snprintf(err->msg, sizeof(err->msg), "the call cannot "
		    "be made at this step; retry after 1 s");
		pgl_log(PGL_LOG_WARN, "fetch: a call where the request cannot "
		    "wait for it: refused");
		return (PGL_EUNAVAIL);
	}
	c->r = r;
	c->w.done = called;
	/* Another call's answer, given by its owner (api_fetch_answer). */
	if (c->w.run == NULL) {
		f->waiting++;
		f->asked++;
		return (waits(err));
	}
	/* CPU work goes to the I/O threads only when there is no CPU lane. */
	if ((!c->cpu || pgl_wpool_submit_cpu(&c->w) == -1) &&
	    pgl_wpool_submit(&c->w) == -1) {
		c->free(c);
		err->code = PGL_EUNAVAIL;
		(void)snprintf(err->msg, sizeof(err->msg), "no pool to make "
		    "the call; retry after 1 s");
		return (PGL_EUNAVAIL);
	}
	f->waiting++;
	f->asked++;
	return (waits(err));
}

void
api_fetch_answer(struct api_fetch_call *c)
{
	called(&c->w, 0);
}

int
api_fetch_has(const struct pgl_req *r, const char *key)
{
	const struct fetched	*e;

	if (r->app == NULL || r->app->fetch == NULL)
		return (0);
	for (e = r->app->fetch->have; e != NULL; e = e->next)
		if (strcmp(e->location, key) == 0)
			return (1);
	return (0);
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
	if (r->app != NULL && r->app->fetch != NULL) {
		r->app->fetch->armed = 0;
		r->app->fetch->wrote = 1;
	}
}

int
api_fetch_replayable(const struct pgl_req *r)
{
	return (r->app != NULL && r->app->fetch != NULL &&
	    !r->app->fetch->wrote && r->app->fetch->waiting == 0);
}

void
api_fetch_open(struct pgl_req *r, void (*resume)(void *), void *arg)
{
	struct api_fetch	*f;

	/* No state: its reads are refused.  A handler that waits already
	 * runs again, and this section with it. */
	if (!api_on_loop(r) || (f = state(r)) == NULL ||
	    (f->waiting > 0 && f->resume == NULL))
		return;
	f->section = 1;
	f->resume = resume;
	f->arg = arg;
	f->smark = pgl_header_mark(r);
	arm(f, &f->sruns);
}

int
api_fetch_close(struct pgl_req *r)
{
	struct api_fetch	*f = r->app != NULL ? r->app->fetch : NULL;

	if (f == NULL || !f->section)
		return (0);
	f->section = 0;
	/* What follows the section writes: nothing reads and waits. */
	f->armed = 0;
	if (f->waiting == 0) {
		f->resume = NULL;
		f->sruns = 0;
		return (0);
	}
	pgl_reply_withdraw(r);
	pgl_header_reset(r, f->smark);
	return (1);
}

void
api_fetch_end(struct pgl_req *r)
{
	if (r->app != NULL && r->app->fetch != NULL)
		forget(r->app->fetch);
}

int
api_on_loop(const struct pgl_req *r)
{
	return (r->http != NULL || r->gone);
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
