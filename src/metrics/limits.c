#include <stdint.h>
#include <stdio.h>

#include "metrics/limits.h"
#include "metrics/metrics.h"
#include "util/log.h"

/* A limit: the counter it adds to and how the log names it. */
struct limit {
	enum pgl_counter	 counter;
	const char		*key;	/* its setting, "[section] key" */
	const char		*env;
	const char		*unit;	/* of the value */
	const char		*what;	/* what the server did */
};

static const struct limit limits[PGL_LIMIT__COUNT] = {
	[PGL_LIMIT_CONNS_PER_ADDR] = { PGL_C_CONNS_REFUSED,
	    "[server] max_conns_per_addr", "PANGOLIN_MAX_CONNS_PER_ADDR", "",
	    "a connection from an address holding that many on this worker "
	    "was answered 503 and closed" },
	[PGL_LIMIT_CONNECTIONS] = { PGL_C_CONN_CEILING,
	    "[server] max_connections", "PANGOLIN_MAX_CONNECTIONS", "",
	    "this worker holds that many connections and accepts no more "
	    "until one closes" },
	[PGL_LIMIT_HEADER_TIMEOUT] = { PGL_C_HEADER_TIMEOUTS,
	    "[server] header_timeout_secs", "PANGOLIN_HEADER_TIMEOUT_SECS",
	    " s", "a connection sent no complete request head in time: "
	    "answered 408 (closed quietly if it sent nothing) and closed" },
	[PGL_LIMIT_BODY_TIMEOUT] = { PGL_C_BODY_TIMEOUTS,
	    "[server] request_timeout_secs", "PANGOLIN_REQUEST_TIMEOUT_SECS",
	    " s", "a request's body did not come in time: answered 408 and "
	    "closed" },
	[PGL_LIMIT_KEEPALIVE] = { PGL_C_KEEPALIVE_CLOSES,
	    "[server] keepalive_timeout_secs",
	    "PANGOLIN_KEEPALIVE_TIMEOUT_SECS", " s",
	    "an idle connection was closed" },
	[PGL_LIMIT_SEND_TIMEOUT] = { PGL_C_SEND_TIMEOUTS,
	    "[server] send_timeout_secs", "PANGOLIN_SEND_TIMEOUT_SECS", " s",
	    "a connection that read none of its answer in that time was "
	    "reset and its buffers freed" },
	[PGL_LIMIT_SEND_QUEUE] = { PGL_C_SEND_QUEUE_WAITS,
	    "[server] max_queued_bytes", "PANGOLIN_MAX_QUEUED_BYTES", " bytes",
	    "a connection's next request waits until its unsent answers "
	    "drain" },
	[PGL_LIMIT_HEAD_SIZE] = { PGL_C_HEAD_TOO_LARGE,
	    "[server] max_header_bytes", "PANGOLIN_MAX_HEADER_BYTES", " bytes",
	    "a request head too large (or of too many lines) was answered "
	    "431" },
	[PGL_LIMIT_BODY] = { PGL_C_BODY_TOO_LARGE,
	    "[server] max_body_bytes", "PANGOLIN_MAX_BODY_BYTES", " bytes",
	    "a request body was answered 413" },
	[PGL_LIMIT_MANAGEMENT_BODY] = { PGL_C_BODY_TOO_LARGE,
	    "[server] max_management_body_bytes",
	    "PANGOLIN_MAX_MANAGEMENT_BODY_BYTES", " bytes",
	    "a management request body was answered 413" },
	[PGL_LIMIT_METRICS_BODY] = { PGL_C_BODY_TOO_LARGE,
	    "[server] max_metrics_body_bytes",
	    "PANGOLIN_MAX_METRICS_BODY_BYTES", " bytes",
	    "an Iceberg metrics report was answered 413" },
	[PGL_LIMIT_RATE_PRINCIPAL] = { PGL_C_RATE_LIMITED,
	    "[server] rate_per_principal", "PANGOLIN_RATE_PER_PRINCIPAL",
	    " per window", "a principal's request was answered 429" },
	[PGL_LIMIT_RATE_TENANT] = { PGL_C_RATE_LIMITED,
	    "[server] rate_per_tenant", "PANGOLIN_RATE_PER_TENANT",
	    " per window", "a tenant's request was answered 429" },
	[PGL_LIMIT_TASKS_PER_TENANT] = { PGL_C_TASK_QUOTA,
	    "[tasks] max_per_tenant", "PANGOLIN_MAX_TASKS_PER_TENANT",
	    " tasks", "a tenant with that many tasks queued or running was "
	    "refused another: 429" },
	[PGL_LIMIT_WEBHOOKS_PER_TENANT] = { PGL_C_WEBHOOK_QUOTA,
	    "[events] webhooks_max_per_tenant",
	    "PANGOLIN_WEBHOOKS_MAX_PER_TENANT", " subscriptions",
	    "a tenant holding that many webhook subscriptions was refused "
	    "another: 429" },
	[PGL_LIMIT_SCAN_BUSY] = { PGL_C_SCAN_BUSY,
	    "[scan] max_waiting_per_tenant",
	    "PANGOLIN_SCAN_MAX_WAITING_PER_TENANT", " plans waiting",
	    "a tenant with max_running_per_tenant plans running and that "
	    "many waiting on this worker was refused another: 429" },
	[PGL_LIMIT_SCAN_PLANS] = { PGL_C_SCAN_QUOTA,
	    "[scan] max_bytes_per_tenant",
	    "PANGOLIN_SCAN_MAX_BYTES_PER_TENANT", " bytes",
	    "a tenant whose stored scan plans were at max_plans_per_tenant "
	    "or that many bytes was refused another: 429" },
	[PGL_LIMIT_QUOTA] = { PGL_C_QUOTA_REFUSED,
	    "[quota] (a tenant's quota: docs/limits.md, Quotas)",
	    "PANGOLIN_QUOTA_*", "",
	    "a write that would take a tenant past one of its quotas was "
	    "refused: 429 with the kind, the limit and what it holds" },
	[PGL_LIMIT_SCAN_TOTAL] = { PGL_C_SCAN_QUOTA,
	    "[scan] max_bytes_total", "PANGOLIN_SCAN_MAX_BYTES_TOTAL",
	    " bytes", "the stored scan plans of every tenant together were "
	    "at that many bytes: a plan was refused (429)" },
};

static int	logged[PGL_LIMIT__COUNT];

void
pgl_limit_hit(enum pgl_limit k, uint64_t value)
{
	const struct limit	*l;

	if ((unsigned int)k >= PGL_LIMIT__COUNT)
		return;
	l = &limits[k];
	pgl_metrics_inc(l->counter);
	if (__atomic_exchange_n(&logged[k], 1, __ATOMIC_RELAXED))
		return;
	pgl_log(PGL_LOG_WARN, "limit reached: %s %llu%s (%s): %s; counted "
	    "in /metrics as %s, logged once per worker", l->key,
	    (unsigned long long)value, l->unit, l->env, l->what,
	    pgl_metrics_name(l->counter));
}

int
pgl_limit_logged(enum pgl_limit k)
{
	return ((unsigned int)k < PGL_LIMIT__COUNT &&
	    __atomic_load_n(&logged[k], __ATOMIC_RELAXED));
}
