/*
 * The entity SQL both SQL stores share: store-sqlite (and store-memory,
 * the same build on ":memory:") and store-postgres compile these files in,
 * each with its own dialect (sql_dialect.h) and its own query helper, and
 * each links only its own client library.
 *
 * What a plugin provides is the query helper below, the same API in both
 * (sqlite_query.c, pg_query.c); what it gets is the sql_* methods for its
 * ops table.  A method is a SQL text and a few lines, and the text is a
 * static array: both helpers cache the prepared statement by its address.
 */
#ifndef SQL_STORE_H
#define SQL_STORE_H

#include "pangolin/store.h"

#include "sql_dialect.h"

/* Each plugin's own: the handle, and a result row read left to right. */
struct pgl_store;
struct row;

typedef void	(*row_fill_fn)(struct row *, void *);

/* The row's next column; strings are copied into the arena. */
const char	*row_text(struct row *);
int64_t		row_int(struct row *);

/*
 * Arguments are described by fmt, one letter each: 's' const char * (NULL
 * binds SQL NULL), 'i' int64_t, 'd' int, 'p' const struct pgl_page *
 * (binds two parameters: LIMIT, with 0 meaning none, then OFFSET).
 * Texts number their parameters ?N (the PostgreSQL helper sends $N).
 *
 * store_exec returns PGL_ENOTFOUND only for a foreign key violation, so a
 * caller can tell "references a missing row" from "changed nothing".
 */
int	store_exec(struct pgl_store *, struct pgl_err *, const char *,
	    uint64_t *, const char *, ...);
/*
 * Keyset pages (store ABI 1.28): the key a page starts after, as a text
 * binds it, whether or not the page has one, so that one text serves
 * both: a list by name reads "name > ?k", and without a key ?k is "",
 * before every name (no name is empty); a time or a sequence number is
 * none when there is no key (INT64_MAX before every row of a list
 * newest first, INT64_MIN of one oldest first).
 */
static inline const char *
sql_after_s(const struct pgl_page *pg)
{
	return (pg != NULL && pg->after != NULL && pg->after->s != NULL ?
	    pg->after->s : "");
}

static inline const char *
sql_after_s2(const struct pgl_page *pg)
{
	return (pg != NULL && pg->after != NULL && pg->after->s2 != NULL ?
	    pg->after->s2 : "");
}

static inline int64_t
sql_after_n(const struct pgl_page *pg, int64_t none)
{
	return (pg != NULL && pg->after != NULL ? pg->after->n : none);
}

/* One row into out; PGL_ENOTFOUND when there is none. */
int	store_get(struct pgl_store *, struct pgl_arena *, struct pgl_err *,
	    const char *, row_fill_fn, void *, const char *, ...);
/* Every row into an arena array of elements of the given size. */
int	store_list(struct pgl_store *, struct pgl_arena *, struct pgl_err *,
	    const char *, row_fill_fn, size_t, void **, size_t *,
	    const char *, ...);
/* A single integer result, e.g. count(*). */
int	store_count(struct pgl_store *, struct pgl_err *, const char *,
	    uint64_t *, const char *, ...);
/*
 * A write whose only answer is whether it changed expect rows (-1: any
 * number).  In a transaction that defers writes (store ABI 1.24,
 * defer_writes) it may go out without waiting for that answer: PGL_OK at
 * once, *changes (if not NULL) set to expect, and a write that did not
 * take fails the rest of the transaction.  Otherwise store_exec.
 * store_defers is 1 while it may (a write that would read back a value,
 * an event's sequence number, cannot then have it).
 */
int	store_write(struct pgl_store *, struct pgl_err *, const char *,
	    uint64_t *changes, int64_t expect, const char *, ...);
int	store_defers(const struct pgl_store *);
/*
 * Whether a branch has branches forked from it, as a transaction that
 * defers writes last found (sql_asset_writes.c): a pointer swap goes
 * ahead only on the short path, which a forked-from branch cannot take,
 * so the question is asked once a transaction, not once a swap.  The
 * plugin's handle keeps it and forgets it when the transaction ends;
 * NULL where no write is deferred.
 */
struct sql_fork_memo {
	int	valid;
	int	forked;
	char	key[256];	/* tenant, catalog, branch; 0x1f between */
};

struct sql_fork_memo	*store_fork_memo(struct pgl_store *);

/*
 * A write of several statements that must be one transaction: begins one
 * unless the caller has one open (*owned says which), and at the end
 * commits it when rc is PGL_OK, rolls it back otherwise; returns rc, or
 * the commit's error.  Each plugin's, beside its begin and commit.
 */
int	store_tx_own(struct pgl_store *, int *owned, struct pgl_err *);
/* 1 inside a transaction (the host's, or a method's own). */
int	store_in_tx(const struct pgl_store *);
int	store_tx_done(struct pgl_store *, int owned, int rc, struct pgl_err *);
/*
 * The tenant's event lock (SQL_EVENT_LOCK) and the open transaction:
 * store_event_locked is 1 when the transaction already holds it (an
 * earlier event of the transaction took it, or the session has held it
 * since before BEGIN: begin_tenant), so an event's append need not ask
 * for it again, a round trip per event of a group commit; after taking
 * it, store_event_lock_taken says so.  Each plugin's (a store with no
 * event lock: always 0, and a no-op).
 */
int	store_event_locked(const struct pgl_store *, const char *tenant);
void	store_event_lock_taken(struct pgl_store *, const char *tenant);

/*
 * Give the space of deleted rows back to the file system where the
 * store does not by itself (SQLite's free pages: sqlite_vacuum.c;
 * PostgreSQL's autovacuum needs nothing), after a purge, outside a
 * transaction; best effort.  Each plugin's.
 */
void	store_reclaim(struct pgl_store *);

int	store_err(struct pgl_err *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
int64_t	store_now_ms(void);
/* The host API the plugin was opened with. */
const struct pgl_host *store_host(struct pgl_store *);

/*
 * sql_name_keys.c: the keys of user and service user names (store.h,
 * ABI 1.14).  sql_name_key sets *key to buf (PGL_NAME_KEY_MAX bytes)
 * holding name's key, or to NULL when the host folds no names;
 * sql_name_key_free is PGL_EEXISTS when row id (tenant: a service user
 * of it; NULL: a user) would take name, and a row of before that does
 * not hold its key reads as it; sql_name_keys_backfill gives the rows of
 * before their keys (a migration's step, in its transaction).
 */
int	sql_name_key(struct pgl_store *, const char *name, char *buf,
	    const char **key, struct pgl_err *);
int	sql_name_key_free(struct pgl_store *, const char *tenant,
	    const char *id, const char *name, const char *key,
	    struct pgl_err *);
int	sql_name_keys_backfill(struct pgl_store *, struct pgl_err *);

/*
 * sql_locations.c: every table owns its files (store.h, ABI 1.26).
 * sql_location_key sets *key to buf (PGL_LOCATION_KEY_LEN bytes) holding
 * location's key, or to NULL when there is none to keep (no location, a
 * host that keys none); sql_location_keys_backfill keys the rows of
 * before (a migration's step).
 */
int	sql_location_key(struct pgl_store *, const char *location, char *buf,
	    const char **key, struct pgl_err *);
int	sql_location_keys_backfill(struct pgl_store *, struct pgl_err *);
/*
 * The migration's origins of the rows of before: the rows of one
 * (catalog, namespace, name), every branch's, are one asset (the least
 * id of them); a dropped entry is the asset of its name that lives on,
 * else its own row's.
 */
#define ORIGINS_OF_BEFORE \
	"UPDATE assets SET origin = (SELECT min(b.id) FROM assets b" \
	"  WHERE b.tenant_id = assets.tenant_id" \
	"  AND b.catalog_name = assets.catalog_name" \
	"  AND b.namespace = assets.namespace AND b.name = assets.name" \
	"  AND b.gone = 0) WHERE gone = 0;" \
	"UPDATE dropped_assets SET origin = coalesce((SELECT min(b.origin)" \
	"  FROM assets b WHERE b.tenant_id = dropped_assets.tenant_id" \
	"  AND b.catalog_name = dropped_assets.catalog_name" \
	"  AND b.namespace = dropped_assets.namespace" \
	"  AND b.name = dropped_assets.name AND b.gone = 0), asset_id);"
int	sql_find_location_owner(struct pgl_store *, struct pgl_arena *,
	    const char *, const struct pgl_location_probe *,
	    struct pgl_location_owner *, struct pgl_err *);
int	sql_list_location_owners(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *, const char *, uint32_t,
	    struct pgl_location_owner **, size_t *, struct pgl_err *);

/* sql_users.c: users and session tokens */
int	sql_create_user(struct pgl_store *, const struct pgl_user *,
	    struct pgl_err *);
int	sql_get_user(struct pgl_store *, struct pgl_arena *, const char *,
	    struct pgl_user *, struct pgl_err *);
int	sql_get_user_by_username(struct pgl_store *, struct pgl_arena *,
	    const char *, struct pgl_user *, struct pgl_err *);
int	sql_list_users(struct pgl_store *, struct pgl_arena *, const char *,
	    const struct pgl_page *, struct pgl_user **, size_t *, uint64_t *,
	    struct pgl_err *);
int	sql_update_user(struct pgl_store *, const struct pgl_user *,
	    struct pgl_err *);
int	sql_delete_user(struct pgl_store *, const char *, struct pgl_err *);
int	sql_store_token(struct pgl_store *, const struct pgl_token *,
	    struct pgl_err *);
int	sql_list_active_tokens(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, int64_t, const struct pgl_page *,
	    struct pgl_token **, size_t *, uint64_t *, struct pgl_err *);
int	sql_get_token(struct pgl_store *, struct pgl_arena *, const char *,
	    struct pgl_token *, struct pgl_err *);
int	sql_revoke_token(struct pgl_store *, const char *, int64_t,
	    const char *, struct pgl_err *);
int	sql_is_token_revoked(struct pgl_store *, const char *, int *,
	    struct pgl_err *);
int	sql_cleanup_expired_tokens(struct pgl_store *, int64_t, uint64_t *,
	    struct pgl_err *);
int	sql_revoke_user_tokens(struct pgl_store *, const char *, int64_t,
	    const char *, struct pgl_err *);

/* sql_service_users.c */
int	sql_create_service_user(struct pgl_store *,
	    const struct pgl_service_user *, struct pgl_err *);
int	sql_get_service_user(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_service_user *,
	    struct pgl_err *);
int	sql_get_service_user_by_key_id(struct pgl_store *, struct pgl_arena *,
	    const char *, struct pgl_service_user *, struct pgl_err *);
int	sql_list_service_users(struct pgl_store *, struct pgl_arena *,
	    const char *, const struct pgl_page *, struct pgl_service_user **,
	    size_t *, uint64_t *, struct pgl_err *);
int	sql_update_service_user(struct pgl_store *,
	    const struct pgl_service_user *, struct pgl_err *);
int	sql_delete_service_user(struct pgl_store *, const char *,
	    const char *, struct pgl_err *);

/* sql_audit.c */
int	sql_log_audit_event(struct pgl_store *,
	    const struct pgl_audit_event *, struct pgl_err *);
int	sql_list_audit_events(struct pgl_store *, struct pgl_arena *,
	    const char *, const struct pgl_audit_filter *,
	    const struct pgl_page *, struct pgl_audit_event **, size_t *,
	    uint64_t *, struct pgl_err *);
int	sql_get_audit_event(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_audit_event *,
	    struct pgl_err *);
int	sql_delete_audit_events_before(struct pgl_store *, struct pgl_arena *,
	    int64_t, uint32_t, uint64_t *, struct pgl_err *);

/* sql_tenants.c */
int	sql_create_tenant(struct pgl_store *, const struct pgl_tenant *,
	    struct pgl_err *);
int	sql_get_tenant(struct pgl_store *, struct pgl_arena *,
	    const char *, struct pgl_tenant *, struct pgl_err *);
int	sql_list_tenants(struct pgl_store *, struct pgl_arena *,
	    const struct pgl_page *, struct pgl_tenant **, size_t *,
	    uint64_t *, struct pgl_err *);
int	sql_update_tenant(struct pgl_store *, const struct pgl_tenant *,
	    struct pgl_err *);
int	sql_delete_tenant(struct pgl_store *, const char *,
	    struct pgl_err *);

/* sql_catalogs.c: warehouses, catalogs, namespaces */
int	sql_create_warehouse(struct pgl_store *,
	    const struct pgl_warehouse *, struct pgl_err *);
int	sql_get_warehouse(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_warehouse *,
	    struct pgl_err *);
int	sql_list_warehouses(struct pgl_store *, struct pgl_arena *,
	    const char *, const struct pgl_page *, struct pgl_warehouse **,
	    size_t *, uint64_t *, struct pgl_err *);
int	sql_update_warehouse(struct pgl_store *, const char *,
	    const struct pgl_warehouse *, struct pgl_err *);
int	sql_delete_warehouse(struct pgl_store *, const char *,
	    const char *, struct pgl_err *);
int	sql_create_catalog(struct pgl_store *, const struct pgl_catalog *,
	    struct pgl_err *);
int	sql_get_catalog(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_catalog *,
	    struct pgl_err *);
int	sql_list_catalogs(struct pgl_store *, struct pgl_arena *,
	    const char *, const struct pgl_page *, struct pgl_catalog **,
	    size_t *, uint64_t *, struct pgl_err *);
int	sql_update_catalog(struct pgl_store *, const char *,
	    const struct pgl_catalog *, struct pgl_err *);
int	sql_delete_catalog(struct pgl_store *, const char *, const char *,
	    struct pgl_err *);
int	sql_count_catalog(struct pgl_store *, const char *, const char *,
	    struct pgl_catalog_counts *, struct pgl_err *);
int	sql_create_namespace(struct pgl_store *, const char *,
	    const struct pgl_namespace *, struct pgl_err *);
int	sql_get_namespace(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *, struct pgl_namespace *,
	    struct pgl_err *);
int	sql_list_namespaces(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *, const struct pgl_page *,
	    struct pgl_namespace **, size_t *, uint64_t *, struct pgl_err *);
int	sql_update_namespace(struct pgl_store *, const char *,
	    const struct pgl_namespace *, struct pgl_err *);
int	sql_delete_namespace(struct pgl_store *, const char *,
	    const char *, const char *, struct pgl_err *);

/* sql_assets.c */
int	sql_create_asset(struct pgl_store *, const char *,
	    const struct pgl_asset *, struct pgl_err *);
int	sql_get_asset(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *, const char *,
	    const char *, struct pgl_asset *, struct pgl_err *);
int	sql_get_asset_by_id(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_asset *, struct pgl_err *);
int	sql_list_assets(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *, const char *,
	    const char *, const struct pgl_page *, struct pgl_asset **,
	    size_t *, uint64_t *, struct pgl_err *);
int	sql_list_assets_after(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *, const char *,
	    const char *, const char *, const char *, uint32_t,
	    struct pgl_asset **, size_t *, struct pgl_err *);
int	sql_update_asset(struct pgl_store *, const char *,
	    const struct pgl_asset *, struct pgl_err *);
int	sql_delete_asset(struct pgl_store *, const char *, const char *,
	    const char *, const char *, const char *, struct pgl_err *);
int	sql_rename_asset(struct pgl_store *, const char *, const char *,
	    const char *, const char *, const char *, const char *,
	    const char *, struct pgl_err *);
int	sql_list_all_assets_for_branch(struct pgl_store *,
	    struct pgl_arena *, const char *, const char *, const char *,
	    struct pgl_asset **, size_t *, struct pgl_err *);
int	sql_copy_assets_bulk(struct pgl_store *, const char *,
	    const char *, const char *, const char *, const char *,
	    const char *, uint64_t *, struct pgl_err *);
int	sql_update_metadata_location(struct pgl_store *, const char *,
	    const char *, const char *, const char *, const char *,
	    const char *, const char *, struct pgl_err *);
/* sql_asset_writes.c: the asset clock's next value (copy-on-write) */
int	sql_next_seq(struct pgl_store *, uint64_t *, struct pgl_err *);

/* sql_branches.c: branches, tags, commits */
int	sql_create_branch(struct pgl_store *, const char *,
	    const struct pgl_branch *, struct pgl_err *);
int	sql_get_branch(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *, struct pgl_branch *,
	    struct pgl_err *);
int	sql_list_branches(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const struct pgl_page *,
	    struct pgl_branch **, size_t *, uint64_t *, struct pgl_err *);
int	sql_delete_branch(struct pgl_store *, const char *, const char *,
	    const char *, struct pgl_err *);
int	sql_update_branch_head(struct pgl_store *, const char *,
	    const char *, const char *, const char *, const char *,
	    struct pgl_err *);
/* 1: SQLite and PostgreSQL roll back every write since begin. */
int	sql_atomic(struct pgl_store *);
int	sql_fork_branch(struct pgl_store *, const char *,
	    const struct pgl_branch *, const char *, struct pgl_err *);
int	sql_create_tag(struct pgl_store *, const char *,
	    const struct pgl_tag *, struct pgl_err *);
int	sql_get_tag(struct pgl_store *, struct pgl_arena *, const char *,
	    const char *, const char *, struct pgl_tag *, struct pgl_err *);
int	sql_list_tags(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const struct pgl_page *,
	    struct pgl_tag **, size_t *, uint64_t *, struct pgl_err *);
int	sql_delete_tag(struct pgl_store *, const char *, const char *,
	    const char *, struct pgl_err *);
int	sql_create_commit(struct pgl_store *, const char *,
	    const struct pgl_commit *, struct pgl_err *);
int	sql_get_commit(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_commit *, struct pgl_err *);
int	sql_get_commit_ancestry(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, uint32_t, struct pgl_commit **,
	    size_t *, struct pgl_err *);
int	sql_list_commit_ancestry(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const struct pgl_page *,
	    struct pgl_commit **, size_t *, uint64_t *, struct pgl_err *);

/* sql_merges.c: merge operations, conflicts, merge bases */
int	sql_create_merge_op(struct pgl_store *, const struct pgl_merge_op *,
	    struct pgl_err *);
int	sql_get_merge_op(struct pgl_store *, struct pgl_arena *, const char *,
	    const char *, struct pgl_merge_op *, struct pgl_err *);
int	sql_list_merge_ops(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const struct pgl_page *,
	    struct pgl_merge_op **, size_t *, uint64_t *, struct pgl_err *);
int	sql_update_merge_op(struct pgl_store *, const struct pgl_merge_op *,
	    struct pgl_err *);
int	sql_create_merge_conflict(struct pgl_store *, const char *,
	    const struct pgl_merge_conflict *, struct pgl_err *);
int	sql_list_merge_conflicts(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const struct pgl_page *,
	    struct pgl_merge_conflict **, size_t *, uint64_t *,
	    struct pgl_err *);
int	sql_update_merge_conflict(struct pgl_store *, const char *,
	    const struct pgl_merge_conflict *, struct pgl_err *);
int	sql_get_merge_conflict(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_merge_conflict *,
	    struct pgl_err *);
int	sql_get_merge_base(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *, const char **,
	    struct pgl_err *);

/* sql_idempotency.c */
int	sql_put_idempotent(struct pgl_store *, const char *,
	    const struct pgl_idempotent *, struct pgl_err *);
int	sql_get_idempotent(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, int64_t, struct pgl_idempotent *,
	    struct pgl_err *);
int	sql_purge_idempotent(struct pgl_store *, int64_t, uint64_t *,
	    struct pgl_err *);

/* sql_plan_parts.c: scan plan parts (ABI 1.11) */
int	sql_put_plan_part(struct pgl_store *, const char *,
	    const struct pgl_plan_part *, struct pgl_err *);
int	sql_get_plan_part(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, uint32_t, int64_t,
	    struct pgl_plan_part *, struct pgl_err *);
int	sql_delete_plan_parts(struct pgl_store *, const char *, const char *,
	    struct pgl_err *);
int	sql_purge_plan_parts(struct pgl_store *, int64_t, uint32_t,
	    uint64_t *, struct pgl_err *);
/* ABI 1.14: what a tenant's plans hold, and a plan's life renewed */
int	sql_plan_usage(struct pgl_store *, struct pgl_arena *, const char *,
	    int64_t, uint32_t, struct pgl_plan_usage **, size_t *,
	    struct pgl_err *);
int	sql_touch_plan_parts(struct pgl_store *, const char *, const char *,
	    int64_t, int64_t, struct pgl_err *);

/* sql_events.c: change events, the outbox (ABI 1.15) */
int	sql_append_event(struct pgl_store *, const struct pgl_event *,
	    uint64_t *, struct pgl_err *);
int	sql_list_events(struct pgl_store *, struct pgl_arena *, const char *,
	    const struct pgl_event_filter *, struct pgl_event **, size_t *,
	    struct pgl_err *);
int	sql_event_newest(struct pgl_store *, const char *, uint64_t *,
	    struct pgl_err *);
int	sql_event_horizon(struct pgl_store *, const char *, const char *,
	    uint64_t *, struct pgl_err *);
int	sql_purge_events(struct pgl_store *, int64_t, uint32_t, uint64_t *,
	    struct pgl_err *);
int	sql_trim_events(struct pgl_store *, const char *, uint32_t,
	    uint64_t *, struct pgl_err *);
int	sql_event_usage(struct pgl_store *, struct pgl_arena *, const char *,
	    uint32_t, struct pgl_event_usage **, size_t *, struct pgl_err *);

/* sql_webhooks.c: push sinks, config, state and lease (ABI 1.16) */
int	sql_put_webhook(struct pgl_store *, const struct pgl_webhook *, int,
	    struct pgl_err *);
int	sql_get_webhook(struct pgl_store *, struct pgl_arena *, const char *,
	    const char *, struct pgl_webhook *, struct pgl_err *);
int	sql_list_webhooks(struct pgl_store *, struct pgl_arena *,
	    const char *, struct pgl_webhook **, size_t *, struct pgl_err *);
int	sql_delete_webhook(struct pgl_store *, const char *, const char *,
	    struct pgl_err *);
int	sql_set_webhook_state(struct pgl_store *, const struct pgl_webhook *,
	    const char *, struct pgl_err *);
int	sql_claim_webhook(struct pgl_store *, const char *, const char *,
	    const char *, int64_t, int64_t, int *, struct pgl_err *);

/* sql_dropped.c: recoverable drops (ABI 1.18) */
int	sql_put_dropped(struct pgl_store *, const struct pgl_dropped *,
	    struct pgl_err *);
int	sql_get_dropped(struct pgl_store *, struct pgl_arena *, const char *,
	    const char *, struct pgl_dropped *, struct pgl_err *);
int	sql_list_dropped(struct pgl_store *, struct pgl_arena *, const char *,
	    const char *, const struct pgl_page *, struct pgl_dropped **,
	    size_t *, uint64_t *, struct pgl_err *);
int	sql_delete_dropped(struct pgl_store *, const char *, const char *,
	    struct pgl_err *);

/*
 * The methods above, for a plugin's ops table, in the order of struct
 * pgl_store_ops.  Users, roles, permissions, service users, tokens,
 * audit, merges, settings and tasks come with their own issues (and
 * tables): their SQL goes here once, for both stores.
 */
/* sql_roles.c: roles, role assignments, direct grants */
int	sql_create_role(struct pgl_store *, const struct pgl_role *,
	    struct pgl_err *);
int	sql_get_role(struct pgl_store *, struct pgl_arena *, const char *,
	    const char *, struct pgl_role *, struct pgl_err *);
int	sql_list_roles(struct pgl_store *, struct pgl_arena *, const char *,
	    const struct pgl_page *, struct pgl_role **, size_t *, uint64_t *,
	    struct pgl_err *);
int	sql_update_role(struct pgl_store *, const struct pgl_role *,
	    struct pgl_err *);
int	sql_delete_role(struct pgl_store *, const char *, const char *,
	    struct pgl_err *);
int	sql_assign_role(struct pgl_store *, const char *, const char *,
	    const char *, const char *, struct pgl_err *);
int	sql_revoke_role(struct pgl_store *, const char *, const char *,
	    const char *, struct pgl_err *);
int	sql_list_user_roles(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_role **, size_t *,
	    struct pgl_err *);
int	sql_create_permission(struct pgl_store *,
	    const struct pgl_permission *, struct pgl_err *);
int	sql_delete_permission(struct pgl_store *, const char *, const char *,
	    struct pgl_err *);
int	sql_list_permissions(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const struct pgl_page *,
	    struct pgl_permission **, size_t *, uint64_t *, struct pgl_err *);

/* sql_tasks.c: background tasks */
int	sql_create_task(struct pgl_store *, const struct pgl_task *,
	    struct pgl_err *);
int	sql_get_task(struct pgl_store *, struct pgl_arena *, const char *,
	    const char *, struct pgl_task *, struct pgl_err *);
int	sql_list_tasks(struct pgl_store *, struct pgl_arena *, const char *,
	    const struct pgl_task_filter *, const struct pgl_page *,
	    struct pgl_task **, size_t *, uint64_t *, struct pgl_err *);
int	sql_claim_task(struct pgl_store *, struct pgl_arena *, const char *,
	    int64_t, int64_t, struct pgl_task *, struct pgl_err *);
int	sql_update_task(struct pgl_store *, const struct pgl_task *,
	    struct pgl_err *);
int	sql_cancel_task(struct pgl_store *, const char *, const char *,
	    struct pgl_err *);

/* sql_governance.c: business metadata, access requests, settings */
int	sql_put_business_metadata(struct pgl_store *, const char *,
	    const struct pgl_business_metadata *, struct pgl_err *);
int	sql_get_business_metadata(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_business_metadata *,
	    struct pgl_err *);
int	sql_labels_any(struct pgl_store *, const char *, int *,
	    struct pgl_err *);
int	sql_delete_business_metadata(struct pgl_store *, const char *,
	    const char *, struct pgl_err *);
int	sql_create_access_request(struct pgl_store *,
	    const struct pgl_access_request *, struct pgl_err *);
int	sql_get_access_request(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_access_request *,
	    struct pgl_err *);
int	sql_list_access_requests(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const struct pgl_page *,
	    struct pgl_access_request **, size_t *, uint64_t *,
	    struct pgl_err *);
int	sql_review_access_request(struct pgl_store *,
	    const struct pgl_access_request *, struct pgl_err *);
int	sql_get_settings(struct pgl_store *, struct pgl_arena *, const char *,
	    const char **, struct pgl_err *);
int	sql_put_settings(struct pgl_store *, const char *, const char *,
	    struct pgl_err *);

/* sql_search.c: discovery and the dashboard's counts */
int	sql_search_assets(struct pgl_store *, struct pgl_arena *,
	    const char *, const struct pgl_asset_query *,
	    const struct pgl_page *, struct pgl_asset_hit **, size_t *,
	    uint64_t *, struct pgl_err *);
int	sql_search_names(struct pgl_store *, struct pgl_arena *,
	    const char *, enum pgl_name_kind, const char *, uint32_t,
	    struct pgl_name_hit **, size_t *, struct pgl_err *);
int	sql_count_tenant(struct pgl_store *, const char *,
	    struct pgl_tenant_counts *, struct pgl_err *);

/* A plugin may put its own get_asset in front of sql_get_asset, and its
 * own reads of credentials in front of theirs. */
#ifndef SQL_GET_ASSET
#define SQL_GET_ASSET	sql_get_asset
#endif
#ifndef SQL_IS_TOKEN_REVOKED
#define SQL_IS_TOKEN_REVOKED	sql_is_token_revoked
#endif
#ifndef SQL_GET_USER
#define SQL_GET_USER	sql_get_user
#endif
#ifndef SQL_GET_SERVICE_USER_BY_KEY_ID
#define SQL_GET_SERVICE_USER_BY_KEY_ID	sql_get_service_user_by_key_id
#endif

#define SQL_STORE_METHODS \
	.create_tenant = sql_create_tenant, \
	.get_tenant = sql_get_tenant, \
	.list_tenants = sql_list_tenants, \
	.update_tenant = sql_update_tenant, \
	.delete_tenant = sql_delete_tenant, \
	\
	.create_warehouse = sql_create_warehouse, \
	.get_warehouse = sql_get_warehouse, \
	.list_warehouses = sql_list_warehouses, \
	.update_warehouse = sql_update_warehouse, \
	.delete_warehouse = sql_delete_warehouse, \
	\
	.create_catalog = sql_create_catalog, \
	.get_catalog = sql_get_catalog, \
	.list_catalogs = sql_list_catalogs, \
	.update_catalog = sql_update_catalog, \
	.delete_catalog = sql_delete_catalog, \
	.count_catalog = sql_count_catalog, \
	\
	.create_namespace = sql_create_namespace, \
	.get_namespace = sql_get_namespace, \
	.list_namespaces = sql_list_namespaces, \
	.update_namespace = sql_update_namespace, \
	.delete_namespace = sql_delete_namespace, \
	\
	.create_asset = sql_create_asset, \
	.get_asset = SQL_GET_ASSET, \
	.get_asset_by_id = sql_get_asset_by_id, \
	.list_assets = sql_list_assets, \
	.update_asset = sql_update_asset, \
	.delete_asset = sql_delete_asset, \
	.rename_asset = sql_rename_asset, \
	.list_all_assets_for_branch = sql_list_all_assets_for_branch, \
	.copy_assets_bulk = sql_copy_assets_bulk, \
	.update_metadata_location = sql_update_metadata_location, \
	\
	.create_branch = sql_create_branch, \
	.get_branch = sql_get_branch, \
	.list_branches = sql_list_branches, \
	.delete_branch = sql_delete_branch, \
	.update_branch_head = sql_update_branch_head, \
	.create_tag = sql_create_tag, \
	.get_tag = sql_get_tag, \
	.list_tags = sql_list_tags, \
	.delete_tag = sql_delete_tag, \
	\
	.create_commit = sql_create_commit, \
	.get_commit = sql_get_commit, \
	.get_commit_ancestry = sql_get_commit_ancestry, \
	.list_commit_ancestry = sql_list_commit_ancestry, \
	\
	.create_merge_op = sql_create_merge_op, \
	.get_merge_op = sql_get_merge_op, \
	.list_merge_ops = sql_list_merge_ops, \
	.update_merge_op = sql_update_merge_op, \
	.create_merge_conflict = sql_create_merge_conflict, \
	.list_merge_conflicts = sql_list_merge_conflicts, \
	.update_merge_conflict = sql_update_merge_conflict, \
	.get_merge_base = sql_get_merge_base, \
	.get_merge_conflict = sql_get_merge_conflict, \
	.revoke_user_tokens = sql_revoke_user_tokens, \
	.delete_audit_events_before = sql_delete_audit_events_before, \
	.list_assets_after = sql_list_assets_after, \
	\
	.get_settings = sql_get_settings, \
	.put_settings = sql_put_settings, \
	.put_business_metadata = sql_put_business_metadata, \
	.get_business_metadata = sql_get_business_metadata, \
	.delete_business_metadata = sql_delete_business_metadata, \
	.search_assets = sql_search_assets, \
	.search_names = sql_search_names, \
	.create_access_request = sql_create_access_request, \
	.get_access_request = sql_get_access_request, \
	.list_access_requests = sql_list_access_requests, \
	.review_access_request = sql_review_access_request, \
	.count_tenant = sql_count_tenant, \
	.put_plan_part = sql_put_plan_part, \
	.get_plan_part = sql_get_plan_part, \
	.delete_plan_parts = sql_delete_plan_parts, \
	.purge_plan_parts = sql_purge_plan_parts, \
	.plan_usage = sql_plan_usage, \
	.touch_plan_parts = sql_touch_plan_parts, \
	.fork_branch = sql_fork_branch, \
	.atomic = sql_atomic, \
	.append_event = sql_append_event, \
	.list_events = sql_list_events, \
	.event_horizon = sql_event_horizon, \
	.event_newest = sql_event_newest, \
	.purge_events = sql_purge_events, \
	.trim_events = sql_trim_events, \
	.event_usage = sql_event_usage, \
	.put_webhook = sql_put_webhook, \
	.get_webhook = sql_get_webhook, \
	.list_webhooks = sql_list_webhooks, \
	.delete_webhook = sql_delete_webhook, \
	.set_webhook_state = sql_set_webhook_state, \
	.claim_webhook = sql_claim_webhook, \
	.put_dropped = sql_put_dropped, \
	.get_dropped = sql_get_dropped, \
	.list_dropped = sql_list_dropped, \
	.delete_dropped = sql_delete_dropped, \
	.find_location_owner = sql_find_location_owner, \
	.list_location_owners = sql_list_location_owners, \
	\
	.put_idempotent = sql_put_idempotent, \
	.get_idempotent = sql_get_idempotent, \
	.purge_idempotent = sql_purge_idempotent, \
	\
	.create_task = sql_create_task, \
	.get_task = sql_get_task, \
	.list_tasks = sql_list_tasks, \
	.claim_task = sql_claim_task, \
	.update_task = sql_update_task, \
	.cancel_task = sql_cancel_task, \
	\
	.create_user = sql_create_user, \
	.get_user = SQL_GET_USER, \
	.get_user_by_username = sql_get_user_by_username, \
	.list_users = sql_list_users, \
	.update_user = sql_update_user, \
	.delete_user = sql_delete_user, \
	.store_token = sql_store_token, \
	.list_active_tokens = sql_list_active_tokens, \
	.get_token = sql_get_token, \
	.revoke_token = sql_revoke_token, \
	.is_token_revoked = SQL_IS_TOKEN_REVOKED, \
	.cleanup_expired_tokens = sql_cleanup_expired_tokens, \
	\
	.create_service_user = sql_create_service_user, \
	.get_service_user = sql_get_service_user, \
	.get_service_user_by_key_id = SQL_GET_SERVICE_USER_BY_KEY_ID, \
	.list_service_users = sql_list_service_users, \
	.update_service_user = sql_update_service_user, \
	.delete_service_user = sql_delete_service_user, \
	\
	.create_role = sql_create_role, \
	.get_role = sql_get_role, \
	.list_roles = sql_list_roles, \
	.update_role = sql_update_role, \
	.delete_role = sql_delete_role, \
	.assign_role = sql_assign_role, \
	.revoke_role = sql_revoke_role, \
	.list_user_roles = sql_list_user_roles, \
	.create_permission = sql_create_permission, \
	.delete_permission = sql_delete_permission, \
	.list_permissions = sql_list_permissions, \
	\
	.log_audit_event = sql_log_audit_event, \
	.list_audit_events = sql_list_audit_events, \
	.get_audit_event = sql_get_audit_event

/* sql_policies.c: data policies and column tags (ABI 1.18, issue 46) */
int	sql_put_policy(struct pgl_store *, const struct pgl_policy *, int,
	    struct pgl_err *);
int	sql_get_policy(struct pgl_store *, struct pgl_arena *, const char *,
	    const char *, struct pgl_policy *, struct pgl_err *);
int	sql_list_policies(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const struct pgl_page *,
	    struct pgl_policy **, size_t *, uint64_t *, struct pgl_err *);
int	sql_delete_policy(struct pgl_store *, const char *, const char *,
	    struct pgl_err *);
int	sql_set_column_tags(struct pgl_store *, const char *, const char *,
	    const struct pgl_column_tag *, size_t, struct pgl_err *);
int	sql_list_column_tags(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *,
	    struct pgl_column_tag **, size_t *, struct pgl_err *);
int	sql_list_column_tags_of(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_column_tag **, size_t *,
	    struct pgl_err *);

/* sql_usage.c: the usage ledger (ABI 1.27, issue 67) */
int	sql_usage(struct pgl_store *, struct pgl_arena *, const char *,
	    const char *, uint32_t, struct pgl_usage **, size_t *,
	    struct pgl_err *);
int	sql_usage_recount(struct pgl_store *, const char *, struct pgl_err *);
int	sql_usage_recount_all(struct pgl_store *, struct pgl_err *);
int	sql_trim_audit(struct pgl_store *, const char *, uint32_t,
	    uint64_t *, struct pgl_err *);

/* The ops entries of sql_usage.c, beside SQL_STORE_METHODS. */
#define SQL_USAGE_METHODS \
	.usage = sql_usage, \
	.usage_recount = sql_usage_recount, \
	.trim_audit = sql_trim_audit, \
	.labels_any = sql_labels_any

/* The ops entries of sql_policies.c, beside SQL_STORE_METHODS (ABI 1.19:
 * the column tags of search hits). */
#define SQL_POLICY_METHODS \
	.put_policy = sql_put_policy, \
	.get_policy = sql_get_policy, \
	.list_policies = sql_list_policies, \
	.delete_policy = sql_delete_policy, \
	.set_column_tags = sql_set_column_tags, \
	.list_column_tags = sql_list_column_tags, \
	.list_column_tags_of = sql_list_column_tags_of

#endif
