/*
 * Calls to remotes as write-pool jobs, through one gate per remote
 * origin in each worker (fed.h): at most max_inflight_per_remote hold a
 * pool thread at once, the next max_queued_per_remote wait here holding
 * none, and past those a call is refused at once.  So a remote that
 * accepts and never answers holds a few of the worker's pool threads
 * for at most the timeout, never all of them: commits, object-store
 * calls and other remotes keep theirs.  Each gate also has a circuit
 * breaker (storage/breaker.h): after breaker_failures consecutive
 * failures (no connection, no answer in time, 502/503/504) its calls
 * are refused for breaker_cooldown_secs, then one probe decides.
 *
 * Only the worker's thread touches the gates: submit and done() both
 * run there (the pool reaps finished jobs on the worker's thread).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/federation/fed.h"
#include "app/app.h"

#define GATES		64
/* Retry-After of a call refused because its remote is busy. */
#define BUSY_RETRY	1

struct gate {
	char		 origin[300];
	int		 inflight;
	int		 queued;
	struct fed_job	*head, **tail;
	struct pgl_breaker b;
};

static struct gate	gates[GATES];

static struct pgl_breaker_cfg
breaker_cfg(void)
{
	struct pgl_breaker_cfg	c;

	c.failures = pgl_app.cfg->federation.breaker_failures;
	c.cooldown = pgl_app.cfg->federation.breaker_cooldown_secs;
	c.max_inflight = 0;	/* the gate caps, and queues */
	return (c);
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

/*
 * origin's gate, or -1 (the table is full of busy ones: ungated).  A
 * gate with nothing under way is taken for a new origin, a clean one
 * first, then one whose failures are past (its breaker closed, or its
 * cooldown over): only a breaker open now is never forgotten.
 */
static int
gate_of(const char *origin)
{
	struct gate	*g;
	int64_t		 now = now_secs();
	int		 i, idle = -1, used = -1;

	for (i = 0; i < GATES; i++) {
		g = &gates[i];
		if (g->origin[0] != '\0' && strcmp(g->origin, origin) == 0)
			return (i);
		if (g->inflight != 0 || g->queued != 0 || g->b.probing)
			continue;
		if (idle == -1 && !g->b.open && g->b.fails == 0)
			idle = i;
		else if (used == -1 && (!g->b.open || g->b.open_until <= now))
			used = i;
	}
	if (idle == -1)
		idle = used;
	if (idle == -1)
		return (-1);
	g = &gates[idle];
	memset(g, 0, sizeof(*g));
	(void)snprintf(g->origin, sizeof(g->origin), "%s", origin);
	g->tail = &g->head;
	return (idle);
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
	if (j->gate != -1)
		gates[j->gate].inflight++;
	return (0);
}

/* A queued job that cannot start: ended as the pool would end it. */
static void
fail(struct fed_job *j)
{
	j->a.status = 0;
	j->a.fail = FED_FAIL_STOPPED;
	(void)snprintf(j->a.why, sizeof(j->a.why), "the server is stopping");
	j->done(j, 1);
}

/* A slot is free: start the next in line (all fail if stopping). */
static void
gate_next(struct gate *g, int stopped)
{
	struct fed_job	*next;

	while ((next = g->head) != NULL && (stopped ||
	    g->inflight < pgl_app.cfg->federation.max_inflight_per_remote)) {
		if ((g->head = next->queued) == NULL)
			g->tail = &g->head;
		g->queued--;
		if (!stopped && start(next) == 0)
			continue;
		fail(next);
	}
}

static void
gate_done(struct pgl_wjob *w, int stopped)
{
	struct fed_job		*j = (struct fed_job *)w;
	struct pgl_breaker_cfg	 cfg = breaker_cfg();
	struct gate		*g;

	if (j->gate != -1) {
		g = &gates[j->gate];
		g->inflight--;
		(void)pgl_breaker_done(&g->b, &cfg, j->how, !stopped &&
		    fed_failed(&j->a), now_secs());
		gate_next(g, stopped);
	}
	j->done(j, stopped);
}

/* A refusal, its reason already in j->a.why: when to come back. */
static int
refuse(struct fed_job *j, int *retry_after, int retry)
{
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
	struct gate		*g;
	int			 retry = 1;

	j->how = PGL_BREAKER_GO;
	j->queued = NULL;
	(void)snprintf(j->a.why, sizeof(j->a.why), "no pool to call it; "
	    "retry after %d s", BUSY_RETRY);
	if ((j->gate = gate_of(j->conf->origin)) == -1)
		return (start(j) == 0 ? 0 : refuse(j, retry_after, BUSY_RETRY));
	g = &gates[j->gate];
	if (g->inflight >= cfg->federation.max_inflight_per_remote &&
	    g->queued >= cfg->federation.max_queued_per_remote) {
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
	if (g->inflight < cfg->federation.max_inflight_per_remote) {
		if (start(j) == 0)
			return (0);
		(void)pgl_breaker_done(&g->b, &bc, j->how, 0, now_secs());
		return (refuse(j, retry_after, BUSY_RETRY));
	}
	*g->tail = j;
	g->tail = &j->queued;
	g->queued++;
	return (0);
}
