/*
 * The event dispatcher (issue 43): one process, a child of the task
 * supervisor (restarted when it dies), that delivers every tenant's
 * change events from the outbox to its push sinks: webhook subscriptions
 * (kind "webhook") and, when PANGOLIN_EVENTS_NATS_URL is set, the
 * operator's NATS stream (one kind "nats" row per tenant, id "nats").
 *
 * A scheduler thread looks at every sink each second, and within ~50 ms
 * of an event appended on this server (the shared counter
 * PGL_C_EVENTS_APPENDED), and queues each active sink that is due to a
 * pool of delivery threads, each with its own store handle.  A sink is
 * delivered by one thread at a time (and, across replicas sharing the
 * store, by one dispatcher: claim_webhook's lease), and at most
 * webhook_inflight_per_tenant sinks of one tenant are queued or running
 * at once, so a tenant whose endpoints hang holds that many threads and
 * no more.
 */
#ifndef PGL_EVENTS_DISPATCH_H
#define PGL_EVENTS_DISPATCH_H

#include <stddef.h>

#include "events/deliver.h"
#include "pangolin/store.h"

/* 1 if db has what delivery needs (ABI 1.16 push sinks and 1.15 events). */
int	pgl_dispatch_supported(const struct pgl_store_ops *db);

/* Run until *stop is set (SIGTERM); returns then. */
void	pgl_dispatch_run(const struct pgl_dispatch_env *,
	    volatile int *stop);

#endif
