/*
 * The event dispatcher's scheduler and pool: see dispatch.h.  The
 * scheduler owns the list of sinks queued or running (in memory, this
 * process's), so a sink is never handed to two threads, and a tenant
 * never holds more than its share of them.
 */
#include <sys/types.h>

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "events/deliver.h"
#include "events/dispatch_memo.h"
#include "events/dispatch.h"
#include "events/lease_owner.h"
#include "events/nats_sink.h"
#include "events/webhook_post.h"
#include "metrics/metrics.h"
#include "util/arena.h"
#include "util/log.h"

#define MAX_THREADS	64
#define MAX_JOBS	1024		/* queued or running at once */
#define TICK_MS		1000		/* every sink looked at */
#define WATCH_MS	50		/* the appended counter looked at */
#define KEY		160		/* a tenant id, a sink id */

struct job {
	char	tenant[KEY];
	char	id[KEY];
	int	running;
};

struct pool {
	const struct pgl_dispatch_env	*env;
	volatile int			*stop;
	pthread_mutex_t			 mu;
	pthread_cond_t			 cv;
	struct job			 jobs[MAX_JOBS];
	size_t				 njobs;
};

/* The tenants whose NATS row is known to exist. */
struct seen {
	char	**v;
	size_t	  n;
	int64_t	  tenants_next;	/* the next look at the tenant list */
	int64_t	  usage_next;	/* the next full look (event_usage) */
};

static int64_t
now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static void
nap(int ms)
{
	struct timespec	ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	(void)nanosleep(&ts, NULL);
}

int
pgl_dispatch_supported(const struct pgl_store_ops *db)
{
	return (db->list_events != NULL && db->event_usage != NULL &&
	    db->put_webhook != NULL && db->get_webhook != NULL &&
	    db->list_webhooks != NULL && db->set_webhook_state != NULL &&
	    db->claim_webhook != NULL);
}

/* The index of (tenant, id) in the list, or -1.  Locked. */
static ssize_t
find(struct pool *p, const char *tenant, const char *id)
{
	size_t	i;

	for (i = 0; i < p->njobs; i++)
		if (strcmp(p->jobs[i].tenant, tenant) == 0 &&
		    strcmp(p->jobs[i].id, id) == 0)
			return ((ssize_t)i);
	return (-1);
}

/* Queued or running sinks of tenant.  Locked. */
static int
of_tenant(struct pool *p, const char *tenant)
{
	size_t	i;
	int	n = 0;

	for (i = 0; i < p->njobs; i++)
		n += strcmp(p->jobs[i].tenant, tenant) == 0;
	return (n);
}

static void *
worker(void *arg)
{
	struct pool		*p = arg;
	struct pgl_deliverer	 d;
	char			 tenant[KEY], id[KEY];
	uint64_t		 appended, cursor;
	size_t			 i;
	ssize_t			 at;
	int			 caught_up;

	memset(&d, 0, sizeof(d));
	d.env = p->env;
	d.stop = p->stop;
	d.http = pgl_webhook_client_new();
	d.rnd = (uint64_t)now_ms() ^ ((uint64_t)(uintptr_t)&d << 16) ^ 1;
	if (pgl_lease_owner_make(d.owner, sizeof(d.owner)) == -1)
		(void)snprintf(d.owner, sizeof(d.owner), "%d:%lx",
		    (int)getpid(), (unsigned long)pthread_self());
	(void)pthread_mutex_lock(&p->mu);
	while (!*p->stop) {
		for (i = 0; i < p->njobs && p->jobs[i].running; i++)
			;
		if (i == p->njobs) {
			(void)pthread_cond_wait(&p->cv, &p->mu);
			continue;
		}
		p->jobs[i].running = 1;
		memcpy(tenant, p->jobs[i].tenant, KEY);
		memcpy(id, p->jobs[i].id, KEY);
		(void)pthread_mutex_unlock(&p->mu);
		/* Read before the job lists events: one appended while it
		 * runs then moves the counter past what is noted. */
		appended = pgl_metrics_get(PGL_C_EVENTS_APPENDED);
		caught_up = 0;
		cursor = 0;
		if (d.http != NULL ||
		    (d.http = pgl_webhook_client_new()) != NULL)
			caught_up = pgl_deliver_run(&d, tenant, id, &cursor);
		(void)pthread_mutex_lock(&p->mu);
		pgl_memo_note(tenant, id, now_ms(), cursor, appended,
		    caught_up);
		if ((at = find(p, tenant, id)) != -1)
			p->jobs[at] = p->jobs[--p->njobs];
	}
	(void)pthread_mutex_unlock(&p->mu);
	pgl_deliverer_close(&d);
	return (NULL);
}

/*
 * Queue w if it is due, not queued, not caught up a moment ago with no
 * event appended since, and its tenant has room (else *deferred).
 * Locked.
 */
static int
offer(struct pool *p, const struct pgl_webhook *w, int64_t now,
    uint64_t appended, int *deferred)
{
	const struct pgl_config	*cfg = p->env->cfg;
	const struct pgl_memo	*m;
	struct job		*j;

	if (w->status == NULL || strcmp(w->status, "active") != 0 ||
	    w->next_attempt_ms > now || strlen(w->tenant_id) >= KEY ||
	    strlen(w->id) >= KEY)
		return (0);
	if (strcmp(w->kind, "nats") == 0 ? cfg->events.nats_url == NULL :
	    strcmp(w->kind, "webhook") != 0)
		return (0);
	/* Another replica's appends move no counter here: a second later
	 * it is looked at anyway. */
	if ((m = pgl_memo_find(w->tenant_id, w->id)) != NULL &&
	    m->caught_up && m->cursor == w->cursor && m->appended ==
	    appended && now - m->last_ms < TICK_MS / 2)
		return (0);
	if (p->njobs == MAX_JOBS || find(p, w->tenant_id, w->id) != -1)
		return (0);
	if (of_tenant(p, w->tenant_id) >= cfg->events.
	    webhook_inflight_per_tenant) {
		*deferred = 1;
		return (0);
	}
	j = &p->jobs[p->njobs++];
	memset(j, 0, sizeof(*j));
	(void)snprintf(j->tenant, sizeof(j->tenant), "%s", w->tenant_id);
	(void)snprintf(j->id, sizeof(j->id), "%s", w->id);
	return (1);
}

static int
seen_has(const struct seen *s, const char *tenant)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], tenant) == 0)
			return (1);
	return (0);
}

/*
 * How often the tenants holding events are counted whole (event_usage:
 * an aggregate over the outbox, so never at the pace of commits; a
 * tenant's first events are found sooner through the tenant list).  A
 * tenant deleted between two looks whose events were never published
 * gets its row at the next one.
 */
#define USAGE_MS	(5 * 60 * 1000)
#define TENANT_PAGE	500

/* tenant's NATS row, made once (a replica making it first is fine). */
static void
ensure_one(const struct pool *p, struct pgl_store *s, struct seen *seen,
    const char *tenant)
{
	struct pgl_webhook	 w;
	struct pgl_err		 err;
	char			**v;
	int			 rc;

	if (seen_has(seen, tenant))
		return;
	memset(&w, 0, sizeof(w));
	memset(&err, 0, sizeof(err));
	w.id = "nats";
	w.tenant_id = tenant;
	w.kind = "nats";
	w.name = "nats";
	w.url = "";
	w.filter = "{}";
	w.secrets = "";
	w.created_ms = w.updated_ms = now_ms();
	w.status = "active";
	w.recent = "[]";
	rc = p->env->db->put_webhook(s, &w, 1, &err);
	if (rc != PGL_OK && rc != PGL_EEXISTS) {
		pgl_log(PGL_LOG_WARN, "nats sink of tenant %s not made: %s",
		    tenant, err.msg);
		return;
	}
	if ((v = reallocarray(seen->v, seen->n + 1, sizeof(*v))) == NULL)
		return;
	seen->v = v;
	if ((v[seen->n] = strdup(tenant)) != NULL)
		seen->n++;
}

/*
 * Each tenant gets its NATS row (cursor 0: the stream then receives
 * what the outbox still holds): every tenant of the tenant list, a read
 * bounded by the tenants, and, every USAGE_MS, every tenant holding
 * events (deleted ones too, whose events outlive them).
 */
static void
ensure_nats(const struct pool *p, struct pgl_store *s, struct seen *seen)
{
	const struct pgl_store_ops	*db = p->env->db;
	struct pgl_event_usage		*u;
	struct pgl_tenant		*t;
	struct pgl_page			 pg = { TENANT_PAGE, 0, NULL };
	struct pgl_arena		*a;
	struct pgl_err			 err;
	uint64_t			 total;
	size_t				 n, i;

	/* Not at the pace of commits: once a tick at most. */
	if (now_ms() < seen->tenants_next)
		return;
	seen->tenants_next = now_ms() + TICK_MS;
	if ((a = pgl_arena_new()) == NULL)
		return;
	memset(&err, 0, sizeof(err));
	/* Page by page: a store's "no limit" is not every store's. */
	while (db->list_tenants(s, a, &pg, &t, &n, &total, &err) == PGL_OK) {
		for (i = 0; i < n; i++)
			ensure_one(p, s, seen, t[i].id);
		if (n < TENANT_PAGE)
			break;
		pg.offset += n;
	}
	if (now_ms() >= seen->usage_next) {
		seen->usage_next = now_ms() + USAGE_MS;
		if (db->event_usage(s, a, NULL, 0, &u, &n, &err) == PGL_OK)
			for (i = 0; i < n; i++)
				ensure_one(p, s, seen, u[i].tenant);
	}
	pgl_arena_free(a);
}

struct turn {
	const struct pgl_webhook	*w;
	int64_t				 last_ms;
};

static int
by_last(const void *a, const void *b)
{
	const struct turn	*x = a, *y = b;

	return ((x->last_ms > y->last_ms) - (x->last_ms < y->last_ms));
}

/*
 * Look at every sink once and queue those due.  1 when a sink due was
 * left for a tenant's cap: look again soon, as its jobs end.
 */
static int
schedule(struct pool *p, struct pgl_store *s, struct seen *seen,
    uint64_t appended)
{
	const struct pgl_store_ops	*db = p->env->db;
	const struct pgl_memo		*m;
	struct pgl_webhook		*w;
	struct turn			*order;
	struct pgl_arena		*a;
	struct pgl_err			 err;
	size_t				 n, i;
	int64_t				 now = now_ms();
	int				 queued = 0, deferred = 0;

	if (p->env->cfg->events.nats_url != NULL)
		ensure_nats(p, s, seen);
	if ((a = pgl_arena_new()) == NULL)
		return (0);
	memset(&err, 0, sizeof(err));
	if (db->list_webhooks(s, a, NULL, &w, &n, &err) != PGL_OK) {
		pgl_log(PGL_LOG_WARN, "dispatcher: sinks not listed: %s",
		    err.msg);
		n = 0;
	}
	(void)pthread_mutex_lock(&p->mu);
	/* Those that ran longest ago first: a tenant's in-flight cap then
	 * takes turns among its sinks. */
	if ((order = calloc(n > 0 ? n : 1, sizeof(*order))) == NULL)
		n = 0;
	for (i = 0; i < n; i++) {
		m = pgl_memo_find(w[i].tenant_id, w[i].id);
		order[i].w = &w[i];
		order[i].last_ms = m != NULL ? m->last_ms : 0;
	}
	qsort(order, n, sizeof(*order), by_last);
	for (i = 0; i < n; i++)
		queued += offer(p, order[i].w, now, appended, &deferred);
	free(order);
	if (queued > 0)
		(void)pthread_cond_broadcast(&p->cv);
	(void)pthread_mutex_unlock(&p->mu);
	pgl_arena_free(a);
	return (deferred);
}

void
pgl_dispatch_run(const struct pgl_dispatch_env *env, volatile int *stop)
{
	static struct pool	 p;
	pthread_t		 tid[MAX_THREADS];
	struct pgl_store	*s = NULL;
	struct pgl_err		 err;
	struct seen		 seen = { NULL, 0, 0, 0 };
	uint64_t		 appended, last = 0;
	int64_t			 next = 0;
	int			 i, n = env->cfg->events.delivery_threads;

	if (n > MAX_THREADS)
		n = MAX_THREADS;
	if (n < 1)
		n = 1;
	memset(&p, 0, sizeof(p));
	p.env = env;
	p.stop = stop;
	(void)pthread_mutex_init(&p.mu, NULL);
	(void)pthread_cond_init(&p.cv, NULL);
	for (i = 0; i < n; i++)
		if (pthread_create(&tid[i], NULL, worker, &p) != 0)
			break;
	n = i;
	pgl_log(PGL_LOG_INFO, "event dispatcher: %d delivery threads%s", n,
	    env->cfg->events.nats_url != NULL ? ", NATS sink on" : "");
	while (!*stop && n > 0) {
		appended = pgl_metrics_get(PGL_C_EVENTS_APPENDED);
		if (now_ms() < next && appended == last) {
			nap(WATCH_MS);
			continue;
		}
		last = appended;
		next = now_ms() + TICK_MS;
		memset(&err, 0, sizeof(err));
		if (s == NULL && env->db->open(env->host, env->opts,
		    env->nopts, &s, &err) != PGL_OK) {
			s = NULL;
			pgl_log(PGL_LOG_WARN, "dispatcher: store open failed: "
			    "%s", err.msg);
			continue;
		}
		if (schedule(&p, s, &seen, appended))
			next = now_ms() + WATCH_MS;
	}
	(void)pthread_mutex_lock(&p.mu);
	(void)pthread_cond_broadcast(&p.cv);
	(void)pthread_mutex_unlock(&p.mu);
	for (i = 0; i < n; i++)
		(void)pthread_join(tid[i], NULL);
	if (s != NULL)
		env->db->close(s);
	for (i = 0; i < (int)seen.n; i++)
		free(seen.v[i]);
	free(seen.v);
	if (env->cfg->events.nats_url != NULL)
		pgl_nats_library_close();
}
