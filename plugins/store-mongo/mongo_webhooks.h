/*
 * mongo_webhooks.c: push sinks, webhook subscriptions and the tenants'
 * NATS cursors (store ABI 1.16, schema 8).  Apart from mongo_store.h,
 * which is long enough.
 */
#ifndef MONGO_WEBHOOKS_H
#define MONGO_WEBHOOKS_H

#include "mongo_store.h"

int	mongo_put_webhook(struct pgl_store *, const struct pgl_webhook *,
	    int, struct pgl_err *);
int	mongo_get_webhook(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_webhook *,
	    struct pgl_err *);
int	mongo_list_webhooks(struct pgl_store *, struct pgl_arena *,
	    const char *, struct pgl_webhook **, size_t *, struct pgl_err *);
int	mongo_delete_webhook(struct pgl_store *, const char *, const char *,
	    struct pgl_err *);
int	mongo_set_webhook_state(struct pgl_store *,
	    const struct pgl_webhook *, const char *, struct pgl_err *);
int	mongo_claim_webhook(struct pgl_store *, const char *, const char *,
	    const char *, int64_t, int64_t, int *, struct pgl_err *);

#endif
