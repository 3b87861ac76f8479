/*
 * Handlers (one file per resource) and the few operations they share.
 */
#ifndef PGL_API_H
#define PGL_API_H

#include <jansson.h>
#include <stdint.h>

#include "http/request.h"
#include "pangolin/cache.h"

struct pgl_err;

/* manage/health.c */
void	api_health_ready(struct pgl_req *);
void	api_health_live(struct pgl_req *);
void	api_metrics(struct pgl_req *);
void	api_app_config(struct pgl_req *);

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
void	api_cache_stats(struct pgl_req *);

/* manage/ui.c */
void	api_ui_root(struct pgl_req *);
void	api_ui_index(struct pgl_req *);
void	api_ui_file(struct pgl_req *);

/* manage/tenants.c */
void	api_tenant_list(struct pgl_req *);
void	api_tenant_create(struct pgl_req *);
void	api_tenant_get(struct pgl_req *);
void	api_tenant_update(struct pgl_req *);
void	api_tenant_delete(struct pgl_req *);

/* manage/warehouses.c */
void	api_warehouse_list(struct pgl_req *);
void	api_warehouse_create(struct pgl_req *);
void	api_warehouse_get(struct pgl_req *);
void	api_warehouse_update(struct pgl_req *);
void	api_warehouse_delete(struct pgl_req *);

/* manage/catalogs.c */
void	api_catalog_list(struct pgl_req *);
void	api_catalog_create(struct pgl_req *);
void	api_catalog_get(struct pgl_req *);
void	api_catalog_update(struct pgl_req *);
void	api_catalog_delete(struct pgl_req *);
void	api_catalog_summary(struct pgl_req *);
void	api_namespace_tree(struct pgl_req *);

/* branching/branches.c */
void	api_branch_list(struct pgl_req *);
void	api_branch_create(struct pgl_req *);
void	api_branch_get(struct pgl_req *);
void	api_branch_delete(struct pgl_req *);
void	api_branch_commits(struct pgl_req *);
void	api_tag_list(struct pgl_req *);
void	api_tag_create(struct pgl_req *);
void	api_tag_delete(struct pgl_req *);

/* identity/users.c */
void	api_user_create(struct pgl_req *);
void	api_user_list(struct pgl_req *);
void	api_user_get(struct pgl_req *);
void	api_user_update(struct pgl_req *);
void	api_user_delete(struct pgl_req *);
/* UserInfo (kebab-case); the doc holds created-at, last-login, provider. */
json_t	*api_user_info(const struct pgl_user *);
/* RFC 3339 UTC text of a time in seconds, in the arena. */
const char *api_rfc3339(struct pgl_arena *, int64_t secs);

/* identity/roles.c, identity/permissions.c */
/* A body's tenant field, if present, must be the request's: else 404. */
int	api_body_tenant(struct pgl_req *, const char *field);
/* Every element of arr is a valid {scope, actions} grant; else 422. */
int	api_grants_check(struct pgl_req *, const json_t *arr);
/* id is a user or service user of the request's tenant; else 404. */
int	api_principal_in_tenant(struct pgl_req *, const char *id);
void	api_role_list(struct pgl_req *);
void	api_role_create(struct pgl_req *);
void	api_role_get(struct pgl_req *);
void	api_role_update(struct pgl_req *);
void	api_role_delete(struct pgl_req *);
void	api_user_roles(struct pgl_req *);
void	api_user_role_assign(struct pgl_req *);
void	api_user_role_revoke(struct pgl_req *);
void	api_permission_list(struct pgl_req *);
void	api_permission_grant(struct pgl_req *);
void	api_permission_revoke(struct pgl_req *);

/* identity/service_users.c */
void	api_service_user_create(struct pgl_req *);
void	api_service_user_list(struct pgl_req *);
/* maintenance/tasks.c */
void	api_task_get(struct pgl_req *);
void	api_task_list(struct pgl_req *);
void	api_task_cancel(struct pgl_req *);
void	api_service_user_get(struct pgl_req *);
void	api_service_user_update(struct pgl_req *);
void	api_service_user_delete(struct pgl_req *);
void	api_service_user_rotate(struct pgl_req *);

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

/* identity/tokens.c */
void	api_token_mint(struct pgl_req *);
void	api_token_rotate(struct pgl_req *);
void	api_token_delete(struct pgl_req *);
void	api_token_revoke_own(struct pgl_req *);
void	api_token_revoke_id(struct pgl_req *);
void	api_token_cleanup(struct pgl_req *);
void	api_tokens_mine(struct pgl_req *);
void	api_tokens_of_user(struct pgl_req *);

/* identity/oauth.c */
void	api_oauth_token(struct pgl_req *);

/* identity/sessions.c */
/*
 * A session to sign: its claims, and whose it is.  The owner (a user or
 * a service user; NULL means sub) is the one whose deactivation, deletion
 * or key rotation revokes it; key_id, for a token exchanged for an API
 * key, is that key.
 */
struct api_session {
	const char	*sub, *username, *tenant, *role;
	const char	*owner, *key_id;
	int		 ttl_secs;
};

/*
 * Sign a session token and record its jti, then check that its owner
 * still holds it (api_owner_live); *token is malloc'd.  Returns 0, or -1
 * after a reply (401 when the owner is gone).
 */
int	api_session_new(struct pgl_req *, const struct api_session *,
	    char **token, int64_t *exp);
/*
 * Whether owner still holds its sessions: a user active, a service user
 * of tenant active, unexpired and still on key_id (when not NULL).  1, 0,
 * or -1 with err filled (store error).
 */
int	api_owner_live(struct pgl_req *, const char *owner, const char *tenant,
	    const char *key_id, struct pgl_err *);
/*
 * Revoke every session of owner (a user or service user that was just
 * deactivated, deleted or given a new key).  0, or -1 after a reply.
 */
int	api_owner_revoke(struct pgl_req *, const char *owner, const char *why);
/* The client address the throttle and the audit log use (arena). */
const char	*api_client_addr(struct pgl_req *);
/* 1 after a 429 when the client address or account is over the auth
 * throttle (account may be NULL). */
int	api_throttled(struct pgl_req *, const char *account);
void	api_login(struct pgl_req *);
void	api_me(struct pgl_req *);
void	api_logout(struct pgl_req *);

/*
 * Create a catalog with its `main` branch (rooted at an initial commit)
 * and its `default` namespace, in one transaction.
 */
int	pgl_catalog_create(struct pgl_arena *, const char *tenant,
	    const struct pgl_catalog *, struct pgl_err *);

/* Default tenant and the optional bootstrap warehouse/catalog (parent). */
int	pgl_bootstrap(struct pgl_err *);

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
