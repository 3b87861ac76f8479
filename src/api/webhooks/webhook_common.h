/*
 * What the webhook routes share (webhooks.h): the checks every route
 * makes first, the subscription as a reply shows it, and where the
 * tenant's stream ends now.
 */
#ifndef PGL_API_WEBHOOK_COMMON_H
#define PGL_API_WEBHOOK_COMMON_H

#include <stdint.h>

#include <jansson.h>

#include "pangolin/store.h"

struct pgl_req;

/* Retry-After of a create over the per-tenant limit: the count drops
 * only when an admin deletes one, but the 429 shape of every per-tenant
 * limit (docs/limits.md) carries it. */
#define WH_QUOTA_RETRY_SECS	60

/*
 * 1 when the route may go on: the store keeps webhooks (else 501) and
 * the request names a tenant (root must: 400).  0 after replying.
 */
int		 wh_ready(struct pgl_req *);

/* The subscription {id} of the request's tenant into w: 0, or -1 after
 * a 404 (another tenant's reads as missing) or a store error. */
int		 wh_find(struct pgl_req *, struct pgl_webhook *w);

/* The subscription as replies show it: config and delivery state,
 * never the secrets. */
json_t		*wh_json(struct pgl_req *, const struct pgl_webhook *w);

/* The key secrets are sealed with, or NULL (none configured). */
const unsigned char *wh_seal_key(void);

/*
 * The seq of the tenant's newest event (or the stream's horizon when it
 * holds none) into *seq: the cursor of "from now on".  PGL_OK or the
 * store's code with err.
 */
int		 wh_newest_seq(struct pgl_req *, uint64_t *seq,
		    struct pgl_err *err);

#endif
