/*
 * The shared layer of the handlers (the .c files of src/api): what every room uses
 * (JSON helpers, secrets, audit, the caller's address, the store
 * transaction, the metadata cache).  Each room's own header says what the
 * room offers: rest/rest.h, commit/commit.h, branching/merge.h,
 * maintenance/maint.h, identity/identity.h, manage/manage.h,
 * cache/cache.h.
 */
#ifndef PGL_API_H
#define PGL_API_H

#include <jansson.h>
#include <stdint.h>

#include "http/request.h"
#include "pangolin/cache.h"

struct pgl_err;

/* cache_tiers.c: the metadata cache, L1 then the optional L2. */
struct pgl_config;
struct pgl_err;
int	api_cache_tiers_init(const struct pgl_config *, struct pgl_err *);
void	api_cache_tiers_open(const struct pgl_config *);	/* worker */
void	api_cache_tiers_close(void);
const char *api_cache_l2_name(void);	/* NULL: no L2 */
/*
 * A hit as a read-only view (*val, *len) kept valid until
 * api_mcache_unref(*ref): L1's entry pinned (no copy), else a copy.
 * api_mcache_own makes a ref of a malloc'd buffer (freed on failure).
 */
int	api_mcache_ref(const char *key, const void **val, size_t *len,
	    void **ref);
int	api_mcache_own(void *copy, void **ref);
void	api_mcache_unref(void *ref);
void	api_mcache_put(const char *key, const void *val, size_t len);
void	api_mcache_del(const char *key);
/* Servers sharing the L2 tell each other of changes (no-ops without). */
void	api_cache_l2_announce(const char *channel);
int	api_cache_l2_changes_seen(const char *channel);	/* 1: drop copies */

/*
 * A cache's counters as it publishes them (metrics/cache_stats.h).  Hits
 * and misses are counted by the caller, on every lookup (a copy the
 * caller finds stale is its miss); the rest (entries, bytes, evictions)
 * comes from the plugin's stats(), which may walk the cache (the LRU
 * sweeps expired entries), so it is read after a change and otherwise at
 * most once a second.
 */
struct api_cache_tier {
	int			id;		/* registered; -1: none */
	uint64_t		hits, misses;
	struct pgl_cache_stats	last;		/* the plugin's, as last read */
	uint64_t		read_at_us;
};

void	api_cache_tier_count(struct api_cache_tier *, int rc);
void	api_cache_tier_publish(struct api_cache_tier *,
	    const struct pgl_cache_ops *, struct pgl_cache *, int changed);

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

/* Run fn inside a store transaction: commit on PGL_OK, else roll back. */
int	pgl_store_tx(int (*fn)(void *, struct pgl_err *), void *arg,
	    struct pgl_err *);

/* warehouse_secrets.c: secret storage_config / vending_strategy values. */
int	api_secret_key(const char *key);
/* Replace secret values of obj with the mask, in place; returns obj. */
json_t	*api_secrets_mask(json_t *obj);
/*
 * Prepare obj's secret values for the store: the mask keeps the value of
 * stored (an object or NULL); others are sealed when an encryption key is
 * configured.  where names the field in errors.  -1 after a reply.
 */
int	api_secrets_seal(struct pgl_req *, const char *where, json_t *obj,
	    const json_t *stored);
/* Stored JSON text -> object with sealed values opened; NULL after a
 * 500 reply when a value cannot be opened. */
json_t	*api_secrets_open(struct pgl_req *, const char *where,
	    const char *text);

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
