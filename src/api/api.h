/*
 * The shared layer of the handlers (the .c files of src/api): what every
 * room uses (JSON helpers, audit, the caller's address, the store
 * transaction).  Each room's own header says what the room offers: below
 * this layer cache/cache.h (the metadata cache's tiers too),
 * request/fetch.h, placement/placement.h; above it storage/storage.h,
 * tasks/task.h, rest/rest.h, commit/commit.h, branching/merge.h,
 * maintenance/maint.h, identity/identity.h, manage/manage.h,
 * discovery/discovery.h.
 */
#ifndef PGL_API_H
#define PGL_API_H

#include <jansson.h>
#include <stdint.h>

#include "http/request.h"
#include "pangolin/cache.h"

struct pgl_err;

/* UserInfo (kebab-case); the doc holds created-at, last-login, provider. */
json_t	*api_user_info(const struct pgl_user *);
/* RFC 3339 UTC text of a time in seconds, in the arena. */
const char *api_rfc3339(struct pgl_arena *, int64_t secs);

/* audit.c */
/*
 * Record an event (pangolin-api.md §2.12) for the caller of r: action
 * and resource in snake_case, the client's address and user agent from
 * the request.  A write that fails is logged, not answered: the change
 * it describes has already happened.
 */
void	api_audit(struct pgl_req *, const char *tenant, const char *action,
	    const char *resource_type, const char *resource_id,
	    const char *resource_name, int ok, const char *error);
/*
 * A read worth a record (one that data policies shaped): as api_audit,
 * in the request's tenant, with metadata meta (stolen), and no change
 * event.
 */
void	api_audit_read(struct pgl_req *, const char *action,
	    const char *resource_type, const char *resource_id,
	    const char *resource_name, json_t *meta);
/*
 * A failed attempt by an anonymous caller who named an account: the
 * name is the caller's claim, kept to 64 bytes and marked unverified
 * (metadata.username_verified false).  tenant is where that account
 * lives, never one the caller named.
 */
void	api_audit_claim(struct pgl_req *, const char *tenant,
	    const char *action, const char *name, const char *error);
void	api_audit_list(struct pgl_req *);
void	api_audit_count(struct pgl_req *);
void	api_audit_get(struct pgl_req *);

/* who.c: the caller and accounts, below the identity room. */
/*
 * Revoke every session of owner (a user or service user that was just
 * deactivated, deleted or given a new key).  0, or -1 after a reply.
 */
int	api_owner_revoke(struct pgl_req *, const char *owner, const char *why);
/* The client address the throttle and the audit log use (arena). */
const char	*api_client_addr(struct pgl_req *);
/*
 * pgl_store_tx's answer when fn succeeded but the commit itself failed:
 * whether the change landed is unknown (a connection lost during COMMIT).
 * Not a store code; err holds the store's.  A caller must then leave
 * every file the change refers to in place.
 */
#define PGL_TX_UNKNOWN	100
/*
 * pgl_store_tx's answer, with pgl_app.begin_try set, when another writer
 * held the store (try_begin answered PGL_EUNAVAIL): nothing was begun
 * and fn did not run; the caller tries again later.  begin_try is
 * cleared by the begin it was for, whatever its answer.
 */
#define PGL_TX_BUSY	101

/*
 * Run fn inside a store transaction: commit on PGL_OK, else roll back.
 * A commit that fails with PGL_ERETRY committed nothing: that is the
 * answer then, not PGL_TX_UNKNOWN.
 */
int	pgl_store_tx(int (*fn)(void *, struct pgl_err *), void *arg,
	    struct pgl_err *);
/*
 * The same for a tenant's writes: begun after the tenant's other
 * transactions on the store (begin_tenant, ABI 1.22), where the store
 * offers it; tenant NULL or "": pgl_store_tx.
 */
int	pgl_store_tx_in(const char *tenant,
	    int (*fn)(void *, struct pgl_err *), void *arg, struct pgl_err *);
/*
 * pgl_store_tx_send's answer when fn succeeded and the COMMIT is in
 * flight (store ABI 1.25, app/store_flight.h): the caller watches *fd
 * for reading and asks pgl_store_tx_landed, which answers this again
 * until the outcome is in.  Not a store code.
 */
#define PGL_TX_PENDING	102
/*
 * pgl_store_tx_in whose COMMIT may be answered later: PGL_TX_PENDING
 * with *fd, where the store can; else pgl_store_tx_in's answer.
 */
int	pgl_store_tx_send(const char *tenant,
	    int (*fn)(void *, struct pgl_err *), void *arg, int *fd,
	    struct pgl_err *);
/* The COMMIT's outcome, as pgl_store_tx_in answers it, or PGL_TX_PENDING
 * with *fd to watch again. */
int	pgl_store_tx_landed(int *fd, struct pgl_err *);
/* Begin a transaction for tenant's writes (as pgl_store_tx_in does). */
int	pgl_store_begin_in(const char *tenant, struct pgl_err *);

/*
 * A store transaction that lost a race with a concurrent one over the
 * same rows (PGL_ERETRY) is run again, up to API_TX_ATTEMPTS runs in all
 * (api_tx_retry in gate.h, ice_tx_on_branch, a management route's
 * transaction in the gate; the commit loop keeps its own bounds), after
 * api_tx_pause(runs so far): none after the first loss, then a short
 * random one.  After the last, the request is answered 503 with
 * Retry-After (a commit: 409 CommitFailed, nothing having landed).
 */
#define API_TX_ATTEMPTS	16
void	api_tx_pause(int attempt);

/*
 * common.c: a Federated catalog (catalog_type "Federated") keeps nothing
 * here: its tables live in a remote Iceberg catalog (api/federation/),
 * so Pangolin's own branches, tags, merges, maintenance and namespace
 * tree do not apply to it.  api_local_catalog replies 400 naming the
 * catalog and returns -1 for one, else 0.
 */
int	api_is_federated(const struct pgl_catalog *);
int	api_local_catalog(struct pgl_req *, const struct pgl_catalog *);

/* JSON text from the store -> a json_t object ({} if unparsable). */
json_t	*api_obj(const char *text);
/* json_t -> arena string (compact). */
char	*api_text(struct pgl_arena *, const json_t *);
/* A JSON string or null. */
json_t	*api_str_or_null(const char *);
/* 0 when a merged map fits the properties ceiling (util/json.h); else
 * -1 after 422, or 400 on an Iceberg route, naming the limit. */
int	api_map_fits(struct pgl_req *, const json_t *map, const char *what);

#endif
