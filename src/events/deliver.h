/*
 * One delivery job of the event dispatcher (events/dispatch.h): a push
 * sink's events after its cursor, in seq order, until it is caught up, a
 * delivery fails (order: a failed event is never skipped), the job has
 * run for a while (others wait for the thread), or the dispatcher stops.
 */
#ifndef PGL_EVENTS_DELIVER_H
#define PGL_EVENTS_DELIVER_H

#include <stdint.h>

#include "pangolin/store.h"

struct pgl_config;
struct pgl_webhook_client;
struct pgl_nats_sink;

/* What the dispatcher needs: the store plugin and how to open it. */
struct pgl_dispatch_env {
	const struct pgl_store_ops	*db;
	const struct pgl_host		*host;
	const struct pgl_kv		*opts;
	size_t				 nopts;
	const struct pgl_config		*cfg;
};

/* One pool thread's own: nothing in it is shared with another thread. */
struct pgl_deliverer {
	const struct pgl_dispatch_env	*env;
	volatile int			*stop;
	struct pgl_store		*s;		/* opened lazily */
	struct pgl_webhook_client	*http;		/* kept alive */
	struct pgl_nats_sink		*nats;		/* lazily */
	char				 owner[256];	/* lease_owner.h */
	uint64_t			 rnd;		/* jitter */
};

/* The first try of a failed delivery waits this, doubling to the cap. */
#define PGL_DELIVER_BACKOFF_MIN_MS	1000
#define PGL_DELIVER_BACKOFF_MAX_MS	(5 * 60 * 1000)
#define PGL_DELIVER_RECENT		50	/* attempts in recent */
#define PGL_DELIVER_PAGE		100	/* events read at a time */

/*
 * Deliver sink id of tenant (kind "webhook" or "nats").  1 when it left
 * the sink caught up (every event after the cursor read and delivered or
 * passed over), else 0; *cursor: the sink's cursor then.
 */
int	pgl_deliver_run(struct pgl_deliverer *, const char *tenant,
	    const char *id, uint64_t *cursor);

/* The wait before attempt n + 1 after n failures in a row, with ±25%
 * jitter drawn from *rnd. */
int64_t	pgl_deliver_backoff_ms(uint32_t n, uint64_t *rnd);

/* Free what the thread holds. */
void	pgl_deliverer_close(struct pgl_deliverer *);

#endif
