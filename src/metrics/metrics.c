#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "metrics/cache_stats.h"
#include "metrics/metrics.h"
#include "metrics/sink_stats.h"

/* Seconds: 0.005 .. 10, as upstream (pangolin-api.md §8). */
static const uint64_t bucket_us[] = {
	5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000,
	5000000, 10000000
};
#define NBUCKETS	(sizeof(bucket_us) / sizeof(bucket_us[0]))

/* Status codes we count individually; everything else is "other". */
static const int statuses[] = {
	200, 201, 202, 204, 206, 301, 302, 304, 400, 401, 403, 404, 405, 406,
	408, 409, 410, 411, 412, 413, 414, 415, 422, 429, 500, 501, 502, 503,
	504
};
#define NSTATUS		(sizeof(statuses) / sizeof(statuses[0]) + 1)

/* Methods we count individually; anything else is counted as the first. */
static const char *const methods[] = {
	"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS"
};
#define NMETHODS	(sizeof(methods) / sizeof(methods[0]))

struct cell {
	uint64_t	count;
	uint64_t	sum_us;
	uint64_t	le[NBUCKETS];	/* non-cumulative; summed at render */
};

static const char *const task_kinds[] = { "maintenance", "purge" };
static const char *const task_outcomes[] = { "succeeded", "failed",
    "cancelled", "retried" };
#define NKINDS		2
#define NOUTCOMES	4

struct task_cell {
	uint64_t	runs;
	uint64_t	sum_us;
};

struct shared {
	uint64_t	ready;
	uint64_t	counters[PGL_C__COUNT];
	struct task_cell tasks[NKINDS][NOUTCOMES];
	struct cell	cells[];	/* [route + 1][method][status] */
};

/*
 * The counters of limits reached (metrics/limits.c), in the order of
 * docs/limits.md.
 */
static const struct {
	enum pgl_counter	 counter;
	const char		*name;
	const char		*help;
} limit_counters[] = {
	{ PGL_C_CONNS_REFUSED, "pangolin_connections_refused_total",
	    "Connections answered 503 and closed: their address held "
	    "max_conns_per_addr on the worker." },
	{ PGL_C_CONN_CEILING, "pangolin_connection_ceiling_total",
	    "Times a worker held max_connections connections and stopped "
	    "accepting until one closed (new ones wait in the kernel's "
	    "queue)." },
	{ PGL_C_HEADER_TIMEOUTS, "pangolin_header_timeouts_total",
	    "Connections closed without a complete request head within "
	    "header_timeout_secs (answered 408, or closed quietly when they "
	    "sent nothing)." },
	{ PGL_C_BODY_TIMEOUTS, "pangolin_body_timeouts_total",
	    "Requests answered 408: their body did not come in within "
	    "request_timeout_secs." },
	{ PGL_C_KEEPALIVE_CLOSES, "pangolin_keepalive_closes_total",
	    "Idle connections closed after keepalive_timeout_secs without "
	    "a request." },
	{ PGL_C_SEND_TIMEOUTS, "pangolin_send_timeouts_total",
	    "Connections closed: their answer made no progress for "
	    "send_timeout_secs." },
	{ PGL_C_SEND_QUEUE_WAITS, "pangolin_send_queue_waits_total",
	    "Times a connection's next request waited because more than "
	    "max_queued_bytes of its answers were unsent." },
	{ PGL_C_HEAD_TOO_LARGE, "pangolin_request_head_too_large_total",
	    "Requests answered 431: a head past max_header_bytes, or of "
	    "more header lines than are kept." },
	{ PGL_C_BODY_TOO_LARGE, "pangolin_body_too_large_total",
	    "Requests answered 413: a body past the ceiling of its route "
	    "family (max_body_bytes, max_management_body_bytes, "
	    "max_metrics_body_bytes)." },
	{ PGL_C_RATE_LIMITED, "pangolin_rate_limited_total",
	    "Requests answered 429: their principal or tenant was past its "
	    "request rate." },
	{ PGL_C_TASK_QUOTA, "pangolin_task_quota_refused_total",
	    "Task requests answered 429: their tenant had max_per_tenant "
	    "tasks queued or running." },
	{ PGL_C_WEBHOOK_QUOTA, "pangolin_webhook_quota_refused_total",
	    "Webhook subscriptions refused 429: their tenant held "
	    "webhooks_max_per_tenant." },
	{ PGL_C_SCAN_BUSY, "pangolin_scan_busy_refused_total",
	    "Scan plans answered 429: their tenant had max_running_per_tenant "
	    "plans running and max_waiting_per_tenant waiting on the worker." },
	{ PGL_C_SCAN_QUOTA, "pangolin_scan_quota_refused_total",
	    "Scan plans answered 429: their tenant's stored plans were at "
	    "max_plans_per_tenant or max_bytes_per_tenant, or every "
	    "tenant's at max_bytes_total." },
	{ PGL_C_QUOTA_REFUSED, "pangolin_quota_refused_total",
	    "Writes answered 429: they would have taken their tenant past "
	    "one of its quotas (docs/limits.md, Quotas)." },
};
#define NLIMITS		(sizeof(limit_counters) / sizeof(limit_counters[0]))


static struct shared		*shm;
static char			*(*extra)(enum pgl_metrics_scope);
static const char *const	*routes;	/* the route labels */
static size_t			 nroutes;

int
pgl_metrics_init(const char *const *labels, size_t n)
{
	size_t	len;

	len = sizeof(struct shared) +
	    (n + 1) * NMETHODS * NSTATUS * sizeof(struct cell);
	shm = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	if (shm == MAP_FAILED) {
		shm = NULL;
		return (-1);
	}
	routes = labels;
	nroutes = n;
	/* The push sinks' table: the event dispatcher is forked later. */
	return (pgl_sink_stats_init());
}

static size_t
method_index(const char *m)
{
	size_t	i;

	for (i = 0; i < NMETHODS; i++) {
		if (strcmp(m, methods[i]) == 0)
			return (i);
	}
	return (0);
}

static size_t
status_index(int status)
{
	size_t	i;

	for (i = 0; i < NSTATUS - 1; i++) {
		if (statuses[i] == status)
			return (i);
	}
	return (NSTATUS - 1);
}

static int
index_of(const char *const *names, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (name != NULL && strcmp(names[i], name) == 0)
			return ((int)i);
	return (-1);
}

void
pgl_metrics_task(const char *kind, const char *outcome, uint64_t us)
{
	int	k = index_of(task_kinds, NKINDS, kind);
	int	o = index_of(task_outcomes, NOUTCOMES, outcome);

	if (shm == NULL || k < 0 || o < 0)
		return;
	__atomic_fetch_add(&shm->tasks[k][o].runs, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&shm->tasks[k][o].sum_us, us, __ATOMIC_RELAXED);
}

static void
render_tasks(FILE *fp)
{
	size_t	k, o;

	fprintf(fp, "# HELP pangolin_tasks_total Task runs ended, by kind and "
	    "outcome.\n# TYPE pangolin_tasks_total counter\n");
	for (k = 0; k < NKINDS; k++)
		for (o = 0; o < NOUTCOMES; o++)
			fprintf(fp, "pangolin_tasks_total{kind=\"%s\","
			    "outcome=\"%s\"} %llu\n", task_kinds[k],
			    task_outcomes[o], shm ? (unsigned long long)
			    shm->tasks[k][o].runs : 0ULL);
	fprintf(fp, "# HELP pangolin_task_duration_seconds Time task runs "
	    "took.\n# TYPE pangolin_task_duration_seconds summary\n");
	for (k = 0; k < NKINDS; k++) {
		uint64_t	n = 0, us = 0;

		for (o = 0; shm != NULL && o < NOUTCOMES; o++) {
			n += shm->tasks[k][o].runs;
			us += shm->tasks[k][o].sum_us;
		}
		fprintf(fp, "pangolin_task_duration_seconds_sum{kind=\"%s\"} "
		    "%.6f\npangolin_task_duration_seconds_count{kind=\"%s\"} "
		    "%llu\n", task_kinds[k], (double)us / 1e6, task_kinds[k],
		    (unsigned long long)n);
	}
	fprintf(fp, "# HELP pangolin_task_files_deleted_total Files deleted by "
	    "maintenance and purge tasks.\n"
	    "# TYPE pangolin_task_files_deleted_total counter\n"
	    "pangolin_task_files_deleted_total %llu\n"
	    "# TYPE pangolin_task_bytes_deleted_total counter\n"
	    "pangolin_task_bytes_deleted_total %llu\n",
	    shm ? (unsigned long long)shm->counters[PGL_C_TASK_FILES_DELETED] :
	    0ULL, shm ? (unsigned long long)shm->counters[
	    PGL_C_TASK_BYTES_DELETED] : 0ULL);
}

const char *
pgl_metrics_name(enum pgl_counter k)
{
	size_t	i;

	for (i = 0; i < NLIMITS; i++)
		if (limit_counters[i].counter == k)
			return (limit_counters[i].name);
	return ("?");
}

static void
render_counter(FILE *fp, enum pgl_counter k, const char *name,
    const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help,
	    name, name, (unsigned long long)pgl_metrics_get(k));
}

static void
render_limits(FILE *fp)
{
	size_t	i;

	for (i = 0; i < NLIMITS; i++)
		render_counter(fp, limit_counters[i].counter,
		    limit_counters[i].name, limit_counters[i].help);
}

static void
render_plain(FILE *fp)
{
	size_t	i;

	for (i = 0; i < pgl_nplain_counters; i++)
		render_counter(fp, pgl_plain_counters[i].counter,
		    pgl_plain_counters[i].name, pgl_plain_counters[i].help);
}

static struct cell *
cell_at(size_t r, size_t m, size_t s)
{
	return (&shm->cells[(r * NMETHODS + m) * NSTATUS + s]);
}

void
pgl_metrics_observe(size_t label, const char *method, int status,
    uint64_t us)
{
	struct cell	*c;
	size_t		 b;

	if (shm == NULL || label > nroutes)
		return;
	c = cell_at(label, method_index(method), status_index(status));
	__atomic_fetch_add(&c->count, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->sum_us, us, __ATOMIC_RELAXED);
	for (b = 0; b < NBUCKETS && us > bucket_us[b]; b++)
		;
	if (b < NBUCKETS)
		__atomic_fetch_add(&c->le[b], 1, __ATOMIC_RELAXED);
}

void
pgl_metrics_inc(enum pgl_counter k)
{
	if (shm != NULL)
		__atomic_fetch_add(&shm->counters[k], 1, __ATOMIC_RELAXED);
}

void
pgl_metrics_add(enum pgl_counter k, uint64_t n)
{
	if (shm != NULL && n > 0)
		__atomic_fetch_add(&shm->counters[k], n, __ATOMIC_RELAXED);
}

void
pgl_metrics_set_ready(int ready)
{
	if (shm != NULL)
		__atomic_store_n(&shm->ready, (uint64_t)ready, __ATOMIC_RELAXED);
}

uint64_t
pgl_metrics_get(enum pgl_counter k)
{
	return (shm != NULL ? __atomic_load_n(&shm->counters[k],
	    __ATOMIC_RELAXED) : 0);
}

static void
labels(char *buf, size_t len, size_t r, size_t m, size_t s)
{
	char	st[8];

	if (s == NSTATUS - 1)
		(void)snprintf(st, sizeof(st), "other");
	else
		(void)snprintf(st, sizeof(st), "%d", statuses[s]);
	(void)snprintf(buf, len, "method=\"%s\",route=\"%s\",status=\"%s\"",
	    methods[m], r == 0 ? "unmatched" : routes[r - 1],
	    st);
}

static void
render_cell(FILE *fp, const struct cell *c, const char *lab, int histogram)
{
	uint64_t	cum = 0, count;
	size_t		b;

	count = __atomic_load_n(&c->count, __ATOMIC_RELAXED);
	if (!histogram) {
		fprintf(fp, "pangolin_http_requests_total{%s} %llu\n", lab,
		    (unsigned long long)count);
		return;
	}
	for (b = 0; b < NBUCKETS; b++) {
		cum += __atomic_load_n(&c->le[b], __ATOMIC_RELAXED);
		fprintf(fp, "pangolin_http_request_duration_seconds_bucket{%s,"
		    "le=\"%g\"} %llu\n", lab, bucket_us[b] / 1e6,
		    (unsigned long long)cum);
	}
	fprintf(fp, "pangolin_http_request_duration_seconds_bucket{%s,"
	    "le=\"+Inf\"} %llu\n", lab, (unsigned long long)count);
	fprintf(fp, "pangolin_http_request_duration_seconds_sum{%s} %.6f\n",
	    lab, __atomic_load_n(&c->sum_us, __ATOMIC_RELAXED) / 1e6);
	fprintf(fp, "pangolin_http_request_duration_seconds_count{%s} %llu\n",
	    lab, (unsigned long long)count);
}

static void
render_family(FILE *fp, int histogram)
{
	const struct cell	*c;
	char			 lab[512];
	size_t			 r, m, s;

	for (r = 0; r <= nroutes; r++) {
		for (m = 0; m < NMETHODS; m++) {
			for (s = 0; s < NSTATUS; s++) {
				c = cell_at(r, m, s);
				if (__atomic_load_n(&c->count,
				    __ATOMIC_RELAXED) == 0)
					continue;
				labels(lab, sizeof(lab), r, m, s);
				render_cell(fp, c, lab, histogram);
			}
		}
	}
}

void
pgl_metrics_set_extra(char *(*fn)(enum pgl_metrics_scope))
{
	extra = fn;
}

char *
pgl_metrics_render(enum pgl_metrics_scope scope)
{
	char	*out = NULL, *text;
	size_t	 len = 0;
	FILE	*fp;

	if ((fp = open_memstream(&out, &len)) == NULL)
		return (NULL);
	fprintf(fp, "# HELP pangolin_http_requests_total HTTP requests by "
	    "route template, method and status.\n"
	    "# TYPE pangolin_http_requests_total counter\n");
	if (shm != NULL)
		render_family(fp, 0);
	fprintf(fp, "# HELP pangolin_http_request_duration_seconds Request "
	    "duration from dispatch to reply.\n"
	    "# TYPE pangolin_http_request_duration_seconds histogram\n");
	if (shm != NULL)
		render_family(fp, 1);
	fprintf(fp, "# HELP pangolin_ready 1 when the store answers pings.\n"
	    "# TYPE pangolin_ready gauge\npangolin_ready %llu\n",
	    shm != NULL ? (unsigned long long)__atomic_load_n(&shm->ready,
	    __ATOMIC_RELAXED) : 0ULL);
	fprintf(fp, "# TYPE pangolin_store_errors_total counter\n"
	    "pangolin_store_errors_total %llu\n"
	    "# TYPE pangolin_store_unavailable_total counter\n"
	    "pangolin_store_unavailable_total %llu\n",
	    shm ? (unsigned long long)shm->counters[PGL_C_STORE_ERRORS] : 0ULL,
	    shm ? (unsigned long long)shm->counters[PGL_C_STORE_UNAVAILABLE] :
	    0ULL);
	/* Object-store clients (every worker's): requests per connection
	 * opened is the reuse the client cache buys. */
	fprintf(fp, "# HELP pangolin_object_store_requests_total S3 requests "
	    "sent.\n# TYPE pangolin_object_store_requests_total counter\n"
	    "pangolin_object_store_requests_total %llu\n"
	    "# HELP pangolin_object_store_connections_total S3 connections "
	    "opened.\n# TYPE pangolin_object_store_connections_total counter\n"
	    "pangolin_object_store_connections_total %llu\n",
	    shm ? (unsigned long long)shm->counters[
	    PGL_C_OBJECT_STORE_REQUESTS] : 0ULL,
	    shm ? (unsigned long long)shm->counters[
	    PGL_C_OBJECT_STORE_CONNECTIONS] : 0ULL);
	/* The commit loop's lost races: retried, and given up (409). */
	fprintf(fp, "# HELP pangolin_commit_retries_total Commit attempts "
	    "that lost the pointer swap to another writer and were retried."
	    "\n# TYPE pangolin_commit_retries_total counter\n"
	    "pangolin_commit_retries_total %llu\n"
	    "# HELP pangolin_commit_gave_up_total Commits that lost the swap "
	    "on every attempt (answered 409).\n"
	    "# TYPE pangolin_commit_gave_up_total counter\n"
	    "pangolin_commit_gave_up_total %llu\n"
	    "# HELP pangolin_commit_pool_writes_total Commit metadata files "
	    "written by a worker's write pool while the worker served on.\n"
	    "# TYPE pangolin_commit_pool_writes_total counter\n"
	    "pangolin_commit_pool_writes_total %llu\n"
	    "# HELP pangolin_commit_thread_attempts_total Commit attempts "
	    "parsed, applied and rendered on a commit thread while the "
	    "worker served on.\n"
	    "# TYPE pangolin_commit_thread_attempts_total counter\n"
	    "pangolin_commit_thread_attempts_total %llu\n"
	    "# HELP pangolin_commit_claim_waits_total Times a worker's "
	    "commits of a table waited for another worker to hand it over."
	    "\n# TYPE pangolin_commit_claim_waits_total counter\n"
	    "pangolin_commit_claim_waits_total %llu\n"
	    "# HELP pangolin_commit_claim_takeovers_total Times a worker "
	    "took a table's claim from another that had held it past 2 s."
	    "\n# TYPE pangolin_commit_claim_takeovers_total counter\n"
	    "pangolin_commit_claim_takeovers_total %llu\n"
	    "# HELP pangolin_commit_log_syncs_total Syncs of the store's log "
	    "run by the write pool before the commits of a group were "
	    "answered.\n# TYPE pangolin_commit_log_syncs_total counter\n"
	    "pangolin_commit_log_syncs_total %llu\n"
	    "# HELP pangolin_commit_chained_total Commits computed on the "
	    "file of the table's commit before them while that one was "
	    "still being written.\n"
	    "# TYPE pangolin_commit_chained_total counter\n"
	    "pangolin_commit_chained_total %llu\n"
	    "# HELP pangolin_commit_chain_reruns_total Chained commits run "
	    "again from the table's row because the commit they were "
	    "computed on never landed.\n"
	    "# TYPE pangolin_commit_chain_reruns_total counter\n"
	    "pangolin_commit_chain_reruns_total %llu\n"
	    "# HELP pangolin_commit_loop_attempts_total Chained commit "
	    "attempts parsed, applied and rendered on a commit worker's "
	    "event loop (its reads are handed to another worker).\n"
	    "# TYPE pangolin_commit_loop_attempts_total counter\n"
	    "pangolin_commit_loop_attempts_total %llu\n",
	    shm ? (unsigned long long)shm->counters[PGL_C_COMMIT_RETRIES] :
	    0ULL, shm ? (unsigned long long)shm->counters[
	    PGL_C_COMMIT_GAVE_UP] : 0ULL, shm ? (unsigned long long)
	    shm->counters[PGL_C_COMMIT_POOL_WRITES] : 0ULL,
	    shm ? (unsigned long long)shm->counters[
	    PGL_C_COMMIT_THREAD_ATTEMPTS] : 0ULL, shm ? (unsigned long long)
	    shm->counters[PGL_C_COMMIT_CLAIM_WAITS] : 0ULL, shm ?
	    (unsigned long long)shm->counters[PGL_C_COMMIT_CLAIM_TAKEOVERS] :
	    0ULL, shm ? (unsigned long long)shm->counters[
	    PGL_C_COMMIT_LOG_SYNCS] : 0ULL, shm ? (unsigned long long)
	    shm->counters[PGL_C_COMMIT_CHAINED] : 0ULL, shm ?
	    (unsigned long long)shm->counters[PGL_C_COMMIT_CHAIN_RERUNS] :
	    0ULL, shm ? (unsigned long long)shm->counters[
	    PGL_C_COMMIT_LOOP_ATTEMPTS] : 0ULL);
	fprintf(fp, "# HELP pangolin_s3_breaker_open_total Times an object-"
	    "store endpoint's circuit breaker opened after consecutive "
	    "failures.\n# TYPE pangolin_s3_breaker_open_total counter\n"
	    "pangolin_s3_breaker_open_total %llu\n"
	    "# HELP pangolin_s3_refused_total Object-store calls failed at "
	    "once (breaker open, or s3_max_inflight_per_endpoint under way)."
	    "\n# TYPE pangolin_s3_refused_total counter\n"
	    "pangolin_s3_refused_total %llu\n",
	    shm ? (unsigned long long)shm->counters[PGL_C_S3_BREAKER_OPEN] :
	    0ULL, shm ? (unsigned long long)shm->counters[PGL_C_S3_REFUSED] :
	    0ULL);
	fprintf(fp, "# HELP pangolin_audit_anonymous_failures_dropped_total "
	    "Failed anonymous authentications refused but not recorded: "
	    "their address had anonymous_failures_per_min recorded in the "
	    "minute.\n"
	    "# TYPE pangolin_audit_anonymous_failures_dropped_total counter\n"
	    "pangolin_audit_anonymous_failures_dropped_total %llu\n",
	    shm ? (unsigned long long)shm->counters[
	    PGL_C_AUDIT_ANON_DROPPED] : 0ULL);
	fprintf(fp, "# HELP pangolin_list_yields_total Turns of the event "
	    "loop an Iceberg list gave up between slices of "
	    "list_slice_rows rows.\n"
	    "# TYPE pangolin_list_yields_total counter\n"
	    "pangolin_list_yields_total %llu\n",
	    shm ? (unsigned long long)shm->counters[PGL_C_LIST_YIELDS] :
	    0ULL);
	render_limits(fp);
	render_plain(fp);
	render_tasks(fp);
	pgl_cache_stats_render(fp);
	pgl_sink_stats_render(fp, scope == PGL_METRICS_TENANTS);
	if (extra != NULL && (text = extra(scope)) != NULL) {
		fputs(text, fp);
		free(text);
	}
	if (fclose(fp) != 0) {
		free(out);
		return (NULL);
	}
	return (out);
}
