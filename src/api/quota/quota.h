/*
 * Per-tenant quotas (issue 67): what one tenant may make the metadata
 * store hold, by kind, in rows and in bytes, and all kinds together.
 *
 * The figures are the store's (its usage ledger, store ABI 1.27: kept in
 * the transaction of every write, on every worker and replica alike);
 * the limits are the settings ([quota], and the count settings of the
 * kinds that had one before: quota_limits.c), a tenant's properties
 * pangolin.quota.<key> over them (root's to set).
 *
 * A write that adds is checked before it is made (the gate, for every
 * mutation whose action adds a kind: quota_route.c), against the
 * figures as this worker last read them, read again whenever the write
 * would come within its allowance of a limit, or after this worker let
 * through one allowance (a 256th of the limit) since its last read.
 * So past a limit each handle on the store (a worker of a replica) lets
 * through at most one allowance before it reads the figures again and
 * refuses; and the writes under way when it is reached (checked before
 * they were made) are the rest of the overshoot.  A refusal always
 * reads the figures first: a delete on another worker frees room at
 * once.  Deletes and drops are never refused.
 *
 * Past a limit: 429 with the figures, {"error", "kind", "limit",
 * "used"} (on /v1 the Iceberg envelope, the figures in its message and
 * beside it), counted in /metrics (pangolin_quota_refused_total), logged
 * once per worker.  Logs are never refused: a tenant's events and audit
 * records past their ceilings lose their oldest (task runner 0), and
 * the room they may take is counted whole in the tenant's total.
 */
#ifndef PGL_API_QUOTA_H
#define PGL_API_QUOTA_H

#include <stdint.h>

#include "config/config.h"
#include "http/request.h"

struct api_quota_limits {
	int64_t		max_bytes;		/* 0: none */
	int64_t		count[PGL_QUOTA_KINDS];	/* 0: none */
	int64_t		bytes[PGL_QUOTA_KINDS];	/* 0: max_bytes alone */
};

/* What a write adds: rows of some kinds, bytes to each kind it grows
 * (at most kind_bytes to one of them) and to the total. */
struct api_quota_need {
	unsigned	 kinds;			/* 1 << kind: grows */
	int64_t		 count[PGL_QUOTA_KINDS];	/* rows it adds */
	int64_t		 kind_bytes;
	int64_t		 bytes;
};

#define API_QUOTA_KIND(k)	(1u << (k))

/* quota_limits.c: the kinds' names ("tables", the store's and the
 * settings'), and a name's kind (-1: none). */
const char	*api_quota_kind_name(enum pgl_quota_kind);
int		 api_quota_kind_of(const char *);
/* 1 for the kinds trimmed, never refused (events, audit). */
int		 api_quota_kind_trimmed(enum pgl_quota_kind);
/* A tenant's limits: the settings, its properties (JSON text, NULL:
 * none) over them. */
void		 api_quota_limits(const char *properties,
		    struct api_quota_limits *);
/* The same for tenant, its properties read from the store. */
void		 api_quota_limits_for(struct pgl_arena *, const char *tenant,
		    struct api_quota_limits *);
/* A tenant property map being stored: its pangolin.quota.* keys are
 * known and whole numbers, else 400 and -1. */
int		 api_quota_props_check(struct pgl_req *, const json_t *props);

/* quota_check.c: before a write of r's tenant that adds what need
 * says: 0 when it fits, else -1 after the 429.  0 also where the store
 * keeps no ledger (an older plugin). */
int		 api_quota_admit(struct pgl_req *,
		    const struct api_quota_need *);
/* The tenant's figures as the store has them now, by kind (arena):
 * 0, or -1 with err. */
int		 api_quota_usage_of(struct pgl_arena *, const char *tenant,
		    int64_t count[PGL_QUOTA_KINDS],
		    int64_t bytes[PGL_QUOTA_KINDS], struct pgl_err *);
/* The bytes counted against max_bytes: what the tenant holds, the logs
 * at their ceilings where they hold less. */
int64_t		 api_quota_total(const struct api_quota_limits *,
		    const int64_t bytes[PGL_QUOTA_KINDS]);

/* quota_route.c: the gate's, before the handler of a mutation whose
 * audit action is action (NULL: none): 0, or -1 after the 429. */
int		 api_quota_route(struct pgl_req *, const char *action);

/* quota_sweep.c: task runner 0's, on its handle s: the tenants' logs
 * past their quotas lose their oldest. */
void		 api_quota_sweep(struct pgl_store *s,
		    volatile const int *stop);

/* quota_usage.c: GET /api/v1/tenants/{id}/usage, and /metrics' lines
 * (malloc'd; NULL when there are none). */
void		 api_quota_usage(struct pgl_req *);
char		*api_quota_metrics(void);

#endif
