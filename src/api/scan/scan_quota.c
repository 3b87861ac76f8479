/*
 * What a tenant's stored plans may hold (issue 42).  A plan larger than
 * one answer is stored in parts, and a user with read access can ask for
 * as many plans as it likes: 31 plans of an 80,000-file table once grew
 * the store by 690 MB in 20 s.  So stored plans are bounded like every
 * other stored thing: their count and bytes per tenant ([scan]
 * max_plans_per_tenant, max_bytes_per_tenant; 429 with the figures past
 * them), checked before a plan is stored (its bytes known) and before a
 * task that would store one is queued; and in time: a plan nobody has
 * fetched lives [scan] unfetched_ttl_secs, a fetched one [scan]
 * ttl_secs from its fetch.  The count and the write are not one
 * transaction: plans stored at once by several workers may each pass,
 * so a tenant can exceed its quota by at most the plans in flight at
 * once (max_running_per_tenant per worker), never without bound.
 *
 * Issue 67: a tenant's own quota (its property pangolin.quota.plans,
 * plans_bytes: api/quota/) over the settings, and a ceiling of every
 * tenant's plans together ([scan] max_bytes_total), counted as each
 * tenant's are: many tenants each under its quota cannot fill the disk
 * either.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/quota/quota.h"
#include "api/scan/scan.h"
#include "app/app.h"
#include "metrics/limits.h"
#include "metrics/metrics.h"
#include "plugin/loader.h"
#include "util/arena.h"
#include "util/jw.h"
#include "util/log.h"

/* Retry-After of a full quota: stored plans expire within a minute. */
#define QUOTA_RETRY_SECS	30
/* /metrics names at most this many tenants, those holding the most. */
#define METRICS_TENANTS		100
/* ... read from the store at most once per this many ms per worker. */
#define METRICS_EVERY_MS	10000

int64_t
scan_unfetched_expiry(void)
{
	return (pgl_now_ms() + (int64_t)pgl_app.cfg->scan.unfetched_ttl_secs *
	    1000);
}

/* The tenant's usage (zeros when it holds none); -1 with err. */
static int
usage_of(struct pgl_arena *a, const char *tenant, struct pgl_plan_usage *u,
    struct pgl_err *err)
{
	struct pgl_plan_usage	*rows;
	size_t			 n;

	memset(u, 0, sizeof(*u));
	if (STORE(plan_usage, a, tenant, pgl_now_ms(), 1, &rows, &n, err) !=
	    PGL_OK)
		return (-1);
	if (n > 0)
		*u = rows[0];
	return (0);
}

/* Every tenant's stored plans together, counted as each tenant's are:
 * the bodies of the parts not expired (plan_usage). */
static int
all_plans(struct pgl_arena *a, uint64_t *bytes, struct pgl_err *err)
{
	struct pgl_plan_usage	*p;
	size_t			 n, i;

	*bytes = 0;
	if (STORE(plan_usage, a, NULL, pgl_now_ms(), 0, &p, &n, err) !=
	    PGL_OK)
		return (-1);
	for (i = 0; i < n; i++)
		*bytes += p[i].bytes;
	return (0);
}

/*
 * What stops a plan of bytes (plans: 1 for a new plan) of tenant: NULL
 * when it fits; else a message (a's), *u and the limits filled.  The
 * tenant's own limits (api/quota/) over [scan]'s; beside them the
 * ceiling of every tenant's plans together, [scan] max_bytes_total, so
 * that many tenants at their quotas cannot fill the disk either.
 */
static const char *
over(struct pgl_arena *a, const char *tenant, uint64_t bytes, int plans,
    struct pgl_plan_usage *u, uint64_t *max_plans, uint64_t *max_bytes,
    uint64_t *all, struct pgl_err *err, int *failed)
{
	struct api_quota_limits	 l;
	uint64_t		 total = (uint64_t)pgl_app.cfg->scan.max_bytes_total;

	*failed = 0;
	*all = 0;
	api_quota_limits_for(a, tenant, &l);
	*max_plans = (uint64_t)l.count[PGL_Q_PLANS];
	*max_bytes = (uint64_t)l.bytes[PGL_Q_PLANS];
	if (*max_plans == 0 && *max_bytes == 0 && total == 0)
		return (NULL);
	if (usage_of(a, tenant, u, err) == -1 ||
	    (total != 0 && all_plans(a, all, err) == -1)) {
		*failed = 1;
		return (NULL);
	}
	if (total != 0 && *all + bytes > total)
		return (pgl_arena_printf(a, "the stored scan plans of every "
		    "tenant hold %llu bytes, the server's limit is %llu "
		    "(PANGOLIN_SCAN_MAX_BYTES_TOTAL), and this plan needs %llu "
		    "bytes more; retry once stored plans expire",
		    (unsigned long long)*all, (unsigned long long)total,
		    (unsigned long long)bytes));
	if ((*max_plans == 0 || u->plans + (uint64_t)plans <= *max_plans) &&
	    (*max_bytes == 0 || u->bytes + bytes <= *max_bytes))
		return (NULL);
	return (pgl_arena_printf(a, "too many stored scan plans: this "
	    "tenant holds %llu plans of %llu bytes, the limits are %llu plans "
	    "(PANGOLIN_SCAN_MAX_PLANS_PER_TENANT, or the tenant's "
	    "pangolin.quota.plans) and %llu bytes "
	    "(PANGOLIN_SCAN_MAX_BYTES_PER_TENANT, or pangolin.quota."
	    "plans_bytes; 0: none), and this plan needs %llu bytes more; "
	    "cancel plans no longer read (DELETE .../plan/{plan-id}) or wait "
	    "for them to expire", (unsigned long long)u->plans,
	    (unsigned long long)u->bytes, (unsigned long long)*max_plans,
	    (unsigned long long)*max_bytes, (unsigned long long)bytes));
}

int
scan_quota_check(struct pgl_req *r, uint64_t bytes, int plans)
{
	struct pgl_plan_usage	 u;
	struct pgl_err		 err;
	uint64_t		 max_plans, max_bytes, all;
	const char		*msg;
	json_t			*j;
	int			 failed;

	memset(&err, 0, sizeof(err));
	msg = over(r->arena, r->tenant, bytes, plans, &u, &max_plans,
	    &max_bytes, &all, &err, &failed);
	if (failed) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	if (msg == NULL)
		return (0);
	j = api_too_many(r, msg, QUOTA_RETRY_SECS);
	json_object_set_new(j, "stored_plans", json_integer((json_int_t)
	    u.plans));
	json_object_set_new(j, "stored_bytes", json_integer((json_int_t)
	    u.bytes));
	json_object_set_new(j, "plan_bytes", json_integer((json_int_t)bytes));
	json_object_set_new(j, "limit_plans", json_integer((json_int_t)
	    max_plans));
	json_object_set_new(j, "limit_bytes", json_integer((json_int_t)
	    max_bytes));
	if (all != 0) {
		json_object_set_new(j, "all_tenants_bytes",
		    json_integer((json_int_t)all));
		json_object_set_new(j, "limit_all_tenants_bytes", json_integer(
		    (json_int_t)pgl_app.cfg->scan.max_bytes_total));
	}
	if (pgl_app.cfg->scan.max_bytes_total != 0 &&
	    all + bytes > (uint64_t)pgl_app.cfg->scan.max_bytes_total)
		pgl_limit_hit(PGL_LIMIT_SCAN_TOTAL,
		    (uint64_t)pgl_app.cfg->scan.max_bytes_total);
	else
		pgl_limit_hit(PGL_LIMIT_SCAN_PLANS, max_bytes);
	pgl_reply_json(r, 429, j);
	return (-1);
}

int
scan_quota_room(struct pgl_arena *a, const char *tenant, uint64_t bytes,
    int plans, struct pgl_err *err)
{
	struct pgl_plan_usage	 u;
	uint64_t		 max_plans, max_bytes, all;
	const char		*msg;
	int			 failed;

	msg = over(a, tenant, bytes, plans, &u, &max_plans, &max_bytes, &all,
	    err, &failed);
	if (failed)
		return (-1);
	if (msg == NULL)
		return (0);
	err->code = PGL_EINVAL;
	(void)snprintf(err->msg, sizeof(err->msg), "%s", msg);
	return (-1);
}

void
scan_quota_touch(struct pgl_req *r, const char *plan_id,
    int64_t expires_at_ms)
{
	struct pgl_err	err;
	int64_t		now = pgl_now_ms();

	/*
	 * A plan still on its short, unfetched life (or near the end of its
	 * long one) lives ttl_secs from now: one write at a client's first
	 * fetch, not one per fetch.
	 */
	if (expires_at_ms - now >=
	    (int64_t)pgl_app.cfg->scan.unfetched_ttl_secs * 1000 &&
	    pgl_app.cfg->scan.unfetched_ttl_secs < pgl_app.cfg->scan.ttl_secs)
		return;
	memset(&err, 0, sizeof(err));
	if (STORE(touch_plan_parts, r->tenant, plan_id, now, now +
	    (int64_t)pgl_app.cfg->scan.ttl_secs * 1000, &err) != PGL_OK)
		pgl_log(PGL_LOG_WARN, "scan plan %s: its life not renewed: %s",
		    plan_id, err.msg);
}

/* The per-tenant lines, as last read from the store. */
static struct {
	char	*text;
	int64_t	 read_at_ms;
} held;

static void
tenant_lines(struct pgl_jw *w)
{
	struct pgl_arena	*a;
	struct pgl_plan_usage	*u;
	struct pgl_err		 err;
	size_t			 n, i;
	char			 line[256];

	if (pgl_app.dbh == NULL || !pgl_store_has_plan_parts(pgl_app.db) ||
	    (a = pgl_arena_new()) == NULL)
		return;
	memset(&err, 0, sizeof(err));
	if (STORE(plan_usage, a, NULL, pgl_now_ms(), METRICS_TENANTS, &u, &n,
	    &err) != PGL_OK)
		n = 0;
	jw_raw(w, "# HELP pangolin_scan_plans_stored Scan plans stored (not "
	    "expired) per tenant, the tenants holding the most bytes.\n"
	    "# TYPE pangolin_scan_plans_stored gauge\n");
	for (i = 0; i < n; i++) {
		(void)snprintf(line, sizeof(line), "pangolin_scan_plans_stored"
		    "{tenant=\"%s\"} %llu\n", u[i].tenant,
		    (unsigned long long)u[i].plans);
		jw_raw(w, line);
	}
	jw_raw(w, "# HELP pangolin_scan_plan_bytes_stored Bytes of the "
	    "stored scan plans' parts per tenant.\n"
	    "# TYPE pangolin_scan_plan_bytes_stored gauge\n");
	for (i = 0; i < n; i++) {
		(void)snprintf(line, sizeof(line),
		    "pangolin_scan_plan_bytes_stored{tenant=\"%s\"} %llu\n",
		    u[i].tenant, (unsigned long long)u[i].bytes);
		jw_raw(w, line);
	}
	pgl_arena_free(a);
}

/*
 * The lines naming tenants: this room's stored plans, and what every
 * tenant holds against its quotas (api/quota/: /metrics takes one room's
 * lines, these).
 */
static void
tenants_held(struct pgl_jw *out)
{
	struct pgl_jw	w;
	char		*quota;
	int64_t		now = pgl_now_ms();

	/* Scrapes come often, to any worker: the store is asked at most
	 * every few s. */
	if (held.text == NULL || now - held.read_at_ms >= METRICS_EVERY_MS) {
		jw_init(&w);
		tenant_lines(&w);
		free(held.text);
		held.text = w.oom || w.buf == NULL ? NULL : strdup(w.buf);
		held.read_at_ms = now;
		jw_free(&w);
	}
	jw_raw(out, held.text != NULL ? held.text : "");
	if ((quota = api_quota_metrics()) != NULL) {
		jw_raw(out, quota);
		free(quota);
	}
}

char *
api_scan_metrics(enum pgl_metrics_scope scope)
{
	struct pgl_jw	w;
	uint64_t	running, waiting;
	char		line[512];

	/* Every worker's, from the shared segment. */
	running = pgl_metrics_get(PGL_C_SCAN_RUNNING);
	waiting = pgl_metrics_get(PGL_C_SCAN_WAITING);
	jw_init(&w);
	/* Only for a caller who may see every tenant: an anonymous scrape
	 * neither reads them nor makes the store be asked. */
	if (scope == PGL_METRICS_TENANTS)
		tenants_held(&w);
	(void)snprintf(line, sizeof(line), "# HELP pangolin_scan_plans_running "
	    "Scan plans being made on the workers' planning threads.\n"
	    "# TYPE pangolin_scan_plans_running gauge\n"
	    "pangolin_scan_plans_running %llu\n"
	    "# HELP pangolin_scan_plans_waiting Scan plans waiting for one of "
	    "their tenant's planning slots.\n"
	    "# TYPE pangolin_scan_plans_waiting gauge\n"
	    "pangolin_scan_plans_waiting %llu\n",
	    (unsigned long long)running, (unsigned long long)waiting);
	jw_raw(&w, line);
	if (w.oom) {
		jw_free(&w);
		return (NULL);
	}
	return (w.buf);
}
