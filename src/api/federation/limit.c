/*
 * Calls to remotes as write-pool jobs, through the gate of their
 * (tenant, remote origin) in each worker (gates.c): at most
 * max_inflight_per_remote hold a pool thread at once, and at most
 * max_inflight_per_tenant of one tenant's across all its gates; the next
 * max_queued_per_remote of a gate wait here holding none, and past those
 * a call is refused at once.  So a remote that accepts and never answers
 * holds a few of the worker's pool threads for at most the timeout,
 * never all of them: commits, object-store calls, other remotes and
 * other tenants keep theirs.  Each gate also has a circuit breaker
 * (storage/breaker.h): after breaker_failures consecutive failures (no
 * connection, no answer in time, 502/503/504) its calls are refused for
 * breaker_cooldown_secs, then one probe decides.  Being per tenant, a
 * breaker opened by one tenant's calls never refuses another's.
 *
 * Only the worker's thread touches the gates: submit and done() both
 * run there (the pool reaps finished jobs on the worker's thread).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/federation/fed.h"
#include "app/app.h"
#include "metrics/metrics.h"

/* Retry-After of a call refused because its remote is busy. */
#define BUSY_RETRY	1

static struct pgl_breaker_cfg
breaker_cfg(void)
{
	struct pgl_breaker_cfg	c;

	c.failures = pgl_app.cfg->federation.breaker_failures;
	c.cooldown = pgl_app.cfg->federation.breaker_cooldown_secs;
	c.max_inflight = 0;	/* the gate caps, and queues */
	return (c);
}

/* One tenant's calls under way in this worker, across its remotes. */
static int
tenant_cap(void)
{
	int	cap = pgl_app.cfg->federation.max_inflight_per_tenant;
	int	half = pgl_app.cfg->storage.write_pool_threads / 2;

	if (cap > 0)
		return (cap);
	return (half > 0 ? half : 1);
}

static int64_t
now_secs(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec);
}

int
fed_failed(const struct fed_answer *a)
{
	if (a->status == 0)
		return (a->fail == FED_FAIL_TIMEOUT ||
		    a->fail == FED_FAIL_CONNECT);
	return (a->status == 502 || a->status == 503 || a->status == 504);
}

/* 1 if a call of g may take a pool thread now. */
static int
room(const struct fed_tenant *t, const struct fed_gate *g)
{
	return (g->inflight < pgl_app.cfg->federation.max_inflight_per_remote &&
	    t->inflight < tenant_cap());
}

static void
run(struct pgl_wjob *w)
{
	struct fed_job	*j = (struct fed_job *)w;

	j->run(j);
}

static void	gate_done(struct pgl_wjob *, int);

static int
start(struct fed_job *j)
{
	j->w.run = run;
	j->w.done = gate_done;
	if (pgl_wpool_submit(&j->w) == -1)
		return (-1);
	j->g->inflight++;
	j->t->inflight++;
	return (0);
}

/* A queued job that cannot start: ended as the pool would end it. */
static void
fail(struct fed_job *j)
{
	struct pgl_breaker_cfg	cfg = breaker_cfg();

	(void)pgl_breaker_done(&j->g->b, &cfg, j->how, 0, now_secs());
	j->a.status = 0;
	j->a.fail = FED_FAIL_STOPPED;
	(void)snprintf(j->a.why, sizeof(j->a.why), "the server is stopping");
	j->done(j, 1);
}

/* g's first waiting call, out of its queue. */
static struct fed_job *
dequeue(struct fed_gate *g)
{
	struct fed_job	*j = g->head;

	if ((g->head = j->queued) == NULL)
		g->tail = &g->head;
	g->queued--;
	return (j);
}

/*
 * A slot of t is free: start its waiting calls while there is room, the
 * gates taken in turn from t->next so that one remote's queue does not
 * keep another's waiting; all fail if stopping.
 */
static void
pump(struct fed_tenant *t, int stopped)
{
	struct fed_gate	*g;
	struct fed_job	*next;
	int		 i, k, started = 1;

	while (started) {
		started = 0;
		for (k = 0; k < t->ngates; k++) {
			i = (t->next + k) % t->ngates;
			g = &t->gates[i];
			if (g->head == NULL || (!stopped && !room(t, g)))
				continue;
			next = dequeue(g);
			if (stopped || start(next) == -1)
				fail(next);
			t->next = (i + 1) % t->ngates;
			started = 1;
			break;
		}
	}
}

static void
gate_done(struct pgl_wjob *w, int stopped)
{
	struct fed_job		*j = (struct fed_job *)w;
	struct pgl_breaker_cfg	 cfg = breaker_cfg();
	struct fed_tenant	*t = j->t;
	struct fed_gate		*g = j->g;

	g->inflight--;
	t->inflight--;
	(void)pgl_breaker_done(&g->b, &cfg, j->how, !stopped &&
	    fed_failed(&j->a), now_secs());
	pump(t, stopped);
	j->done(j, stopped);
	fed_gate_tidy(t, g);
}

/* A refusal, its reason already in j->a.why: when to come back. */
static int
refuse(struct fed_job *j, int *retry_after, int retry)
{
	if (j->t != NULL)
		fed_gate_tidy(j->t, j->g);
	j->t = NULL;
	j->g = NULL;
	j->a.status = 0;
	j->a.fail = FED_FAIL_STOPPED;
	*retry_after = retry;
	return (-1);
}

int
fed_submit(struct fed_job *j, int *retry_after)
{
	const struct pgl_config	*cfg = pgl_app.cfg;
	struct pgl_breaker_cfg	 bc = breaker_cfg();
	struct fed_gate		*g;
	int			 retry = BUSY_RETRY;

	j->how = PGL_BREAKER_GO;
	j->queued = NULL;
	j->g = NULL;
	(void)snprintf(j->a.why, sizeof(j->a.why), "out of memory; retry "
	    "after %d s", BUSY_RETRY);
	if ((j->t = fed_tenant_get(j->conf->tenant)) == NULL)
		return (refuse(j, retry_after, BUSY_RETRY));
	if ((j->g = g = fed_gate_get(j->t, j->conf->origin, now_secs(),
	    &retry)) == NULL) {
		(void)snprintf(j->a.why, sizeof(j->a.why), "this tenant's "
		    "calls already use %d remote origins in this worker "
		    "([federation] max_remotes_per_tenant); retry after %d s",
		    cfg->federation.max_remotes_per_tenant, retry);
		return (refuse(j, retry_after, retry));
	}
	if (!room(j->t, g) && g->queued >= cfg->federation.max_queued_per_remote) {
		(void)snprintf(j->a.why, sizeof(j->a.why), "%d calls to it are "
		    "under way or waiting; retry after %d s", g->inflight +
		    g->queued, BUSY_RETRY);
		return (refuse(j, retry_after, BUSY_RETRY));
	}
	j->how = pgl_breaker_admit(&g->b, &bc, now_secs(), &retry);
	if (j->how == PGL_BREAKER_OPEN || j->how == PGL_BREAKER_BUSY) {
		retry = retry > 0 ? retry : 1;
		(void)snprintf(j->a.why, sizeof(j->a.why), "it failed %d times "
		    "in a row; retry after %d s",
		    cfg->federation.breaker_failures, retry);
		return (refuse(j, retry_after, retry));
	}
	if (room(j->t, g)) {
		if (start(j) == 0)
			return (0);
		(void)pgl_breaker_done(&g->b, &bc, j->how, 0, now_secs());
		(void)snprintf(j->a.why, sizeof(j->a.why), "no pool to call "
		    "it; retry after %d s", BUSY_RETRY);
		return (refuse(j, retry_after, BUSY_RETRY));
	}
	*g->tail = j;
	g->tail = &j->queued;
	g->queued++;
	pgl_metrics_inc(PGL_C_FED_WAITED);
	return (0);
}
