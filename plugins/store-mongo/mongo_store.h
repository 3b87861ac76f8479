/*
 * Private to the MongoDB store plugin: the handle, the query helpers every
 * method goes through, and the methods each file adds to the ops table in
 * mongo_store.c.
 *
 * The data model mirrors the SQLite plugin's tables one collection each,
 * with the same field names (mongo_schema.c).  Every document has an
 * ObjectId _id; the natural keys live in ordinary fields under unique
 * indexes.  Free-form maps (properties, storage_config, operations, ...)
 * are stored as the JSON text the host hands over, not as sub-documents,
 * so they come back byte for byte as they went in.
 */
#ifndef MONGO_STORE_H
#define MONGO_STORE_H

#include <mongoc/mongoc.h>

#include "pangolin/store.h"

#define STORE_NAME	"mongo"

/* One collection per entity; names in mongo_schema.c. */
enum mongo_coll {
	COLL_TENANTS,
	COLL_WAREHOUSES,
	COLL_CATALOGS,
	COLL_NAMESPACES,
	COLL_BRANCHES,
	COLL_TAGS,
	COLL_COMMITS,
	COLL_ASSETS,
	COLL_IDEMPOTENCY,
	COLL_USERS,
	COLL_TOKENS,
	COLL_REVOKED,
	COLL_SERVICE_USERS,
	COLL_AUDIT,
	COLL_ROLES,
	COLL_USER_ROLES,
	COLL_PERMISSIONS,
	COLL_TASKS,
	COLL_MERGE_OPS,
	COLL_MERGE_CONFLICTS,
	COLL_META,
	COLL_TASK_TENANTS,
	COLL_ACCESS,
	COLL_SETTINGS,
	COLL_PLAN_PARTS,
	COLL_COUNTERS,
	COLL_EVENTS,
	COLL_EVENT_HORIZON,
	COLL_WEBHOOKS,
	/* Data policies and column tags (ABI 1.17): mongo_policies.c. */
	COLL_POLICIES,
	COLL_COLUMN_TAGS,
	COLL_DROPPED,
	/* The usage ledger (ABI 1.27): mongo_usage.c. */
	COLL_USAGE,
	NCOLLS
};

/* A change to a tenant's figures of one kind, kept until its flush. */
struct usage_delta {
	char		 tenant[40];
	char		 kind[16];
	int64_t		 count;
	int64_t		 bytes;
};

/* transactions = auto | on | off */
enum tx_mode {
	TX_AUTO,
	TX_ON,
	TX_OFF
};

struct pgl_store {
	const struct pgl_host	*host;
	mongoc_uri_t		*uri;
	mongoc_client_pool_t	*pool;
	mongoc_client_t		*client;	/* popped at open, kept */
	mongoc_database_t	*db;
	mongoc_collection_t	*coll[NCOLLS];
	mongoc_client_session_t	*session;	/* started on first begin */
	int			 tx_real;	/* has multi-doc transactions */
	int			 in_tx;		/* begin() called, not ended */
	int			 tx_active;	/* a session transaction runs */
	uint64_t		 round_trips;	/* commands since open (APM) */
	int32_t			 wire;		/* the server's maxWireVersion */
	/* The usage ledger (mongo_usage.c): this handle's slot, and the
	 * changes of the open transaction, written just before it commits. */
	int			 usage_slot;
	struct usage_delta	*usage;
	size_t			 nusage, cusage;
	int64_t			 grant_seq;	/* the last drawn (mongo_roles.c) */
};

/*
 * Cursors that read a whole result (a branch's assets, a history) ask
 * for it in one batch: the server still caps a batch at 16 MB, but does
 * not stop at its default of 101 documents, so such a read is one round
 * trip up to 16 MB rather than one per 101 documents.
 */
#define BATCH_ALL	100000

/* A result document read field by field; strings go to the arena. */
struct doc {
	struct pgl_store	*s;
	struct pgl_arena	*a;
	const bson_t		*b;
	int			 oom;
};

typedef void	(*doc_fill_fn)(struct doc *, void *);

const char	*doc_str(struct doc *, const char *);
int64_t		 doc_int(struct doc *, const char *);
int		 doc_bool(struct doc *, const char *);

/* Appends a UTF-8 string, or null for NULL. */
void	mg_str(bson_t *, const char *, const char *);
/* Appends the string, or the default when it is NULL (SQL coalesce). */
void	mg_str_or(bson_t *, const char *, const char *, const char *);

/*
 * Every helper runs inside the open transaction, if any, and maps driver
 * errors to store codes (mongo_error).  coll is an enum mongo_coll.
 */
/* One document into out; PGL_ENOTFOUND when none matches. */
int	mg_get(struct pgl_store *, struct pgl_arena *, struct pgl_err *, int,
	    const bson_t *, doc_fill_fn, void *);
/* Every match, sorted and paged (page NULL = all), into an arena array. */
int	mg_list(struct pgl_store *, struct pgl_arena *, struct pgl_err *, int,
	    const bson_t *, const bson_t *, const struct pgl_page *,
	    doc_fill_fn, size_t, void **, size_t *);
int	mg_count(struct pgl_store *, struct pgl_err *, int, const bson_t *,
	    uint64_t *);
int	mg_exists(struct pgl_store *, struct pgl_err *, int, const bson_t *,
	    int *);
int	mg_insert(struct pgl_store *, struct pgl_err *, int, const bson_t *);
int	mg_update(struct pgl_store *, struct pgl_err *, int, const bson_t *,
	    const bson_t *, int, uint64_t *);
int	mg_delete(struct pgl_store *, struct pgl_err *, int, const bson_t *,
	    int, uint64_t *);
int	mg_aggregate(struct pgl_store *, struct pgl_arena *, struct pgl_err *,
	    int, const bson_t *, doc_fill_fn, size_t, void **, size_t *);
/* The first document of an aggregation; PGL_ENOTFOUND when none. */
int	mg_aggregate_get(struct pgl_store *, struct pgl_arena *,
	    struct pgl_err *, int, const bson_t *, doc_fill_fn, void *);
/*
 * findAndModify: the first match in sort order, updated, read back as it
 * is after the update; PGL_ENOTFOUND when nothing matches.
 */
int	mg_find_and_modify(struct pgl_store *, struct pgl_arena *,
	    struct pgl_err *, int, const bson_t *, const bson_t *,
	    const bson_t *, doc_fill_fn, void *);
/* A cursor over a find, for methods that read rows themselves. */
int	mg_find(struct pgl_store *, struct pgl_err *, int, const bson_t *,
	    const bson_t *, mongoc_cursor_t **);
/* Session options for a bulk write, a command, ... */
int	mg_opts(struct pgl_store *, bson_t *, struct pgl_err *);

/*
 * mongo_read.c: what one collection's documents read into (one per
 * entity, beside its fill), and the two reads every entity's get and
 * list methods share.
 */
struct mg_shape {
	int		 coll;		/* enum mongo_coll */
	size_t		 size;		/* of the ABI struct fill writes */
	doc_fill_fn	 fill;
	const char	*what;		/* "role" */
	int		 naming;	/* PGL_ENOTFOUND's message: */
	/* What a keyset page's key (ABI 1.28) holds for the sort's first
	 * fields, one letter each: 's' a string (the key's s, then s2),
	 * 'n' a number (n): "s" by name, "ns" by time then id; NULL: the
	 * list has no key (mg_after). */
	const char	*key;
};
#define MG_NAME_KEY	0	/* "role <last value> not found" */
#define MG_NAME_NONE	1	/* "task not found" */
#define MG_NAME_TENANT	2	/* mg_not_found_of(first value, last) */
/*
 * The one document whose fields equal the (field, value) pairs that
 * follow out, up to a NULL field (a NULL value matches null, as
 * mg_str); PGL_ENOTFOUND says so as the shape names it.
 */
int	mg_get_by(struct pgl_store *, struct pgl_arena *, struct pgl_err *,
	    const struct mg_shape *, void *, ...)
	    __attribute__((sentinel));
/*
 * A page of filter's documents in sort order (page NULL: all) into
 * items, the caller's T ** (an arena array of the shape's struct), and
 * *n; with total, how many match in all.
 */
int	mg_page(struct pgl_store *, struct pgl_arena *, struct pgl_err *,
	    const struct mg_shape *, const bson_t *, const bson_t *,
	    const struct pgl_page *, void *, size_t *, uint64_t *);
/*
 * Keyset pages (store ABI 1.28): out (initialized by the caller) holds
 * filter and the documents strictly after k in sort's order, for a
 * shape's key (struct mg_shape): {$and: [filter, {f1: {$gte: v1}},
 * {$or: [{f1: {$gt: v1}}, {f2: {$gt: v2}}]}]}, $lte and $lt for a field
 * sorted descending, so that an index on the sort's fields bounds the
 * walk at the key.  mg_page adds it when the page has a key.
 */
void	mg_after(bson_t *out, const bson_t *filter, const bson_t *sort,
	    const char *key, const struct pgl_page_key *k);
/* The same for {tenant_id: tenant}, by one field ascending. */
int	mg_page_of(struct pgl_store *, struct pgl_arena *, struct pgl_err *,
	    const struct mg_shape *, const char *tenant, const char *by,
	    const struct pgl_page *, void *, size_t *, uint64_t *);
/*
 * Entities kept per tenant by id (drops, policies, webhooks): the key
 * {tenant_id, id}; PGL_EINVAL "a <what> needs a tenant and an id"
 * unless both are given; PGL_ENOTFOUND "<what> <id> of tenant <tenant>
 * not found".
 */
void	mg_key_of(bson_t *, const char *tenant, const char *id);
int	mg_key_valid(struct pgl_err *, const char *what, const char *tenant,
	    const char *id);
int	mg_not_found_of(struct pgl_err *, const char *what,
	    const char *tenant, const char *id);

/*
 * A multi-document write that must be all or nothing (cascades, rename
 * with follow-up, bulk copy) runs in its own transaction unless the caller
 * already opened one.  Without transactions both are no-ops.
 */
int	mg_tx_own_begin(struct pgl_store *, int *, struct pgl_err *);
int	mg_tx_own_end(struct pgl_store *, int, int, struct pgl_err *);
int	mg_tx_start(struct pgl_store *, struct pgl_err *);
int	mg_tx_commit(struct pgl_store *, struct pgl_err *);
int	mg_tx_abort(struct pgl_store *, struct pgl_err *);

int	mongo_err(struct pgl_err *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
int	mongo_error(struct pgl_err *, const bson_error_t *, const bson_t *);
int64_t	mongo_now_ms(void);
void	mongo_uuid_v4(char [37]);

/* mongo_schema.c */
extern const char *const	mongo_coll_names[NCOLLS];
int	mongo_schema(struct pgl_store *, struct pgl_err *);

/* mongo_tenants.c */
int	mongo_tenant_exists(struct pgl_store *, const char *, struct pgl_err *);
int	mongo_create_tenant(struct pgl_store *, const struct pgl_tenant *,
	    struct pgl_err *);
int	mongo_get_tenant(struct pgl_store *, struct pgl_arena *,
	    const char *, struct pgl_tenant *, struct pgl_err *);
int	mongo_list_tenants(struct pgl_store *, struct pgl_arena *,
	    const struct pgl_page *, struct pgl_tenant **, size_t *,
	    uint64_t *, struct pgl_err *);
int	mongo_update_tenant(struct pgl_store *, const struct pgl_tenant *,
	    struct pgl_err *);
int	mongo_delete_tenant(struct pgl_store *, const char *,
	    struct pgl_err *);

/* mongo_catalogs.c: warehouses, catalogs, namespaces */
int	mongo_create_warehouse(struct pgl_store *,
	    const struct pgl_warehouse *, struct pgl_err *);
int	mongo_get_warehouse(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_warehouse *,
	    struct pgl_err *);
int	mongo_list_warehouses(struct pgl_store *, struct pgl_arena *,
	    const char *, const struct pgl_page *, struct pgl_warehouse **,
	    size_t *, uint64_t *, struct pgl_err *);
int	mongo_update_warehouse(struct pgl_store *, const char *,
	    const struct pgl_warehouse *, struct pgl_err *);
int	mongo_delete_warehouse(struct pgl_store *, const char *,
	    const char *, struct pgl_err *);
int	mongo_create_catalog(struct pgl_store *, const struct pgl_catalog *,
	    struct pgl_err *);
int	mongo_get_catalog(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_catalog *,
	    struct pgl_err *);
int	mongo_list_catalogs(struct pgl_store *, struct pgl_arena *,
	    const char *, const struct pgl_page *, struct pgl_catalog **,
	    size_t *, uint64_t *, struct pgl_err *);
int	mongo_update_catalog(struct pgl_store *, const char *,
	    const struct pgl_catalog *, struct pgl_err *);
int	mongo_delete_catalog(struct pgl_store *, const char *, const char *,
	    struct pgl_err *);
int	mongo_count_catalog(struct pgl_store *, const char *, const char *,
	    struct pgl_catalog_counts *, struct pgl_err *);
int	mongo_create_namespace(struct pgl_store *, const char *,
	    const struct pgl_namespace *, struct pgl_err *);
int	mongo_get_namespace(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *, struct pgl_namespace *,
	    struct pgl_err *);
int	mongo_list_namespaces(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *, const struct pgl_page *,
	    struct pgl_namespace **, size_t *, uint64_t *, struct pgl_err *);
int	mongo_update_namespace(struct pgl_store *, const char *,
	    const struct pgl_namespace *, struct pgl_err *);
int	mongo_delete_namespace(struct pgl_store *, const char *,
	    const char *, const char *, struct pgl_err *);

/* mongo_asset_reads.c */
void	mongo_asset_fill(struct doc *, void *);
int	mongo_get_asset(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *, const char *,
	    const char *, struct pgl_asset *, struct pgl_err *);
int	mongo_get_asset_by_id(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_asset *, struct pgl_err *);
int	mongo_list_assets(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *, const char *,
	    const char *, const struct pgl_page *, struct pgl_asset **,
	    size_t *, uint64_t *, struct pgl_err *);
int	mongo_list_assets_after(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *, const char *,
	    const char *, const char *, const char *, uint32_t,
	    struct pgl_asset **, size_t *, struct pgl_err *);
int	mongo_list_all_assets_for_branch(struct pgl_store *,
	    struct pgl_arena *, const char *, const char *, const char *,
	    struct pgl_asset **, size_t *, struct pgl_err *);

/* mongo_assets.c */
int	mongo_create_asset(struct pgl_store *, const char *,
	    const struct pgl_asset *, struct pgl_err *);
int	mongo_update_asset(struct pgl_store *, const char *,
	    const struct pgl_asset *, struct pgl_err *);
int	mongo_delete_asset(struct pgl_store *, const char *, const char *,
	    const char *, const char *, const char *, struct pgl_err *);
int	mongo_rename_asset(struct pgl_store *, const char *, const char *,
	    const char *, const char *, const char *, const char *,
	    const char *, struct pgl_err *);
int	mongo_update_metadata_location(struct pgl_store *, const char *,
	    const char *, const char *, const char *, const char *,
	    const char *, const char *, struct pgl_err *);

/* mongo_lineage.c: copy-on-write branches (ABI 1.12): the clock and the
 * resolving read */

/* What a resolving read asks for (mongo_lineage.c says how it runs). */
struct lineage_q {
	const char		*tenant;
	const char		*catalog;
	const char		*branch;
	const bson_t		*match;	/* more of the key: namespace, ... */
	const char		*kind;	/* applied after resolution */
	int			 keep_gone;	/* tombstones too (writers) */
	const struct pgl_page	*page;
	int			 count;	/* one {n: <count>} document */
};

/* The branch document of a write: whether it exists, its parent. */
struct branch_info {
	int	exists;
	int	has_parent;
	char	parent[512];
	int64_t	fork_seq;
};

/* A key resolved for a writer: the row (own or inherited), if any. */
struct resolved {
	bson_t	*row;		/* NULL: no row on any level */
	int	 level;		/* 0: B's own row */
	int	 gone;		/* the row is a tombstone */
	int64_t	 seq;
	int	 branch_exists;
	int	 has_parent;	/* the branch is a fork */
};

int	mongo_clock_next(struct pgl_store *, int64_t *, struct pgl_err *);
bson_t	*mongo_lineage_pipeline(struct pgl_store *,
	    const struct lineage_q *);
int	mongo_lineage_count(struct pgl_store *, const struct lineage_q *,
	    uint64_t *, struct pgl_err *);
int	mongo_branch_info(struct pgl_store *, const char *, const char *,
	    const char *, struct branch_info *, struct pgl_err *);
int	mongo_doc_gone(const bson_t *);
int64_t	mongo_doc_seq(const bson_t *);
void	mongo_not_gone(bson_t *);

/* mongo_resolve.c: one key on one branch, and the writers' steps on it */
int	mongo_resolve_key(struct pgl_store *, const char *, const char *,
	    const char *, const char *, const char *, struct resolved *,
	    struct pgl_err *);
void	mongo_resolved_free(struct resolved *);
int	mongo_read_key(struct pgl_store *, const char *, const char *,
	    const char *, const char *, const char *, struct resolved *,
	    struct pgl_err *);
int	mongo_row_copy(bson_t *, const bson_t *, const char *, int64_t,
	    int);
/* mongo_locations.c: every table owns its files (ABI 1.26). */
void	mongo_location_key_set(struct pgl_store *, bson_t *, const char *);
void	mongo_origin_keep(bson_t *, const bson_t *);
int	mongo_find_location_owner(struct pgl_store *, struct pgl_arena *,
	    const char *, const struct pgl_location_probe *,
	    struct pgl_location_owner *, struct pgl_err *);
int	mongo_list_location_owners(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *, const char *, uint32_t,
	    struct pgl_location_owner **, size_t *, struct pgl_err *);
int	mongo_locations_backfill(struct pgl_store *, struct pgl_err *);
int	mongo_copy_up(struct pgl_store *, const char *,
	    const struct resolved *, struct pgl_err *);
int	mongo_insert_tombstone(struct pgl_store *, const char *,
	    const char *, const char *, const char *, const char *,
	    const char *, struct pgl_err *);
int	mongo_lineage_depth(struct pgl_store *, const char *, const char *,
	    const char *, int *, struct pgl_err *);
/* A number field of b, as an int64 (0 when absent). */
int64_t	mongo_iter_int(const bson_t *b, const char *key);

/* mongo_protect.c: the descendants' views kept when a branch changes */
int	mongo_protect(struct pgl_store *, const char *, const char *,
	    const char *, const struct resolved *, struct pgl_err *);
int	mongo_detach_children(struct pgl_store *, const char *,
	    const char *, const char *, struct pgl_err *);

/* mongo_copy.c */
int	mongo_copy_assets_bulk(struct pgl_store *, const char *,
	    const char *, const char *, const char *, const char *,
	    const char *, uint64_t *, struct pgl_err *);

/* mongo_branches.c: branches, tags, commits */
int	mongo_create_branch(struct pgl_store *, const char *,
	    const struct pgl_branch *, struct pgl_err *);
int	mongo_get_branch(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *, struct pgl_branch *,
	    struct pgl_err *);
int	mongo_list_branches(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const struct pgl_page *,
	    struct pgl_branch **, size_t *, uint64_t *, struct pgl_err *);
int	mongo_delete_branch(struct pgl_store *, const char *, const char *,
	    const char *, struct pgl_err *);
int	mongo_fork_branch(struct pgl_store *, const char *,
	    const struct pgl_branch *, const char *, struct pgl_err *);
int	mongo_update_branch_head(struct pgl_store *, const char *,
	    const char *, const char *, const char *, const char *,
	    struct pgl_err *);
int	mongo_create_tag(struct pgl_store *, const char *,
	    const struct pgl_tag *, struct pgl_err *);
int	mongo_get_tag(struct pgl_store *, struct pgl_arena *, const char *,
	    const char *, const char *, struct pgl_tag *, struct pgl_err *);
int	mongo_list_tags(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const struct pgl_page *,
	    struct pgl_tag **, size_t *, uint64_t *, struct pgl_err *);
int	mongo_delete_tag(struct pgl_store *, const char *, const char *,
	    const char *, struct pgl_err *);
int	mongo_create_commit(struct pgl_store *, const char *,
	    const struct pgl_commit *, struct pgl_err *);
int	mongo_get_commit(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_commit *, struct pgl_err *);
int	mongo_get_commit_ancestry(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, uint32_t, struct pgl_commit **,
	    size_t *, struct pgl_err *);
int	mongo_list_commit_ancestry(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const struct pgl_page *,
	    struct pgl_commit **, size_t *, uint64_t *, struct pgl_err *);

/* mongo_merges.c */
void	mongo_parents(bson_t *, const char *, const char *);
int	mongo_create_merge_op(struct pgl_store *, const struct pgl_merge_op *,
	    struct pgl_err *);
int	mongo_get_merge_op(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_merge_op *,
	    struct pgl_err *);
int	mongo_list_merge_ops(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const struct pgl_page *,
	    struct pgl_merge_op **, size_t *, uint64_t *, struct pgl_err *);
int	mongo_update_merge_op(struct pgl_store *, const struct pgl_merge_op *,
	    struct pgl_err *);
int	mongo_create_merge_conflict(struct pgl_store *, const char *,
	    const struct pgl_merge_conflict *, struct pgl_err *);
int	mongo_list_merge_conflicts(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const struct pgl_page *,
	    struct pgl_merge_conflict **, size_t *, uint64_t *,
	    struct pgl_err *);
int	mongo_update_merge_conflict(struct pgl_store *, const char *,
	    const struct pgl_merge_conflict *, struct pgl_err *);
int	mongo_get_merge_conflict(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_merge_conflict *,
	    struct pgl_err *);
int	mongo_get_merge_base(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *, const char **,
	    struct pgl_err *);

/* mongo_events.c, mongo_event_purge.c: change events (ABI 1.15) */
int	mongo_append_event(struct pgl_store *, const struct pgl_event *,
	    uint64_t *, struct pgl_err *);
int	mongo_list_events(struct pgl_store *, struct pgl_arena *,
	    const char *, const struct pgl_event_filter *, struct pgl_event **,
	    size_t *, struct pgl_err *);
int	mongo_event_newest(struct pgl_store *, const char *, uint64_t *,
	    struct pgl_err *);
int	mongo_event_horizon(struct pgl_store *, const char *, const char *,
	    uint64_t *, struct pgl_err *);
int	mongo_purge_events(struct pgl_store *, int64_t, uint32_t, uint64_t *,
	    struct pgl_err *);
int	mongo_trim_events(struct pgl_store *, const char *, uint32_t,
	    uint64_t *, struct pgl_err *);
int	mongo_event_usage(struct pgl_store *, struct pgl_arena *,
	    const char *, uint32_t, struct pgl_event_usage **, size_t *,
	    struct pgl_err *);

/* mongo_webhooks.c: push sinks (ABI 1.16) */
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

/* mongo_policies.c: data policies and column tags (ABI 1.17) */
int	mongo_put_policy(struct pgl_store *, const struct pgl_policy *, int,
	    struct pgl_err *);
int	mongo_get_policy(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_policy *,
	    struct pgl_err *);
int	mongo_list_policies(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const struct pgl_page *,
	    struct pgl_policy **, size_t *, uint64_t *, struct pgl_err *);
int	mongo_delete_policy(struct pgl_store *, const char *, const char *,
	    struct pgl_err *);
int	mongo_set_column_tags(struct pgl_store *, const char *, const char *,
	    const struct pgl_column_tag *, size_t, struct pgl_err *);
int	mongo_list_column_tags(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *,
	    struct pgl_column_tag **, size_t *, struct pgl_err *);
int	mongo_list_column_tags_of(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_column_tag **, size_t *,
	    struct pgl_err *);
/* mongo_dropped.c: recoverable drops (ABI 1.18) */
int	mongo_put_dropped(struct pgl_store *, const struct pgl_dropped *,
	    struct pgl_err *);
int	mongo_get_dropped(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_dropped *,
	    struct pgl_err *);
int	mongo_list_dropped(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const struct pgl_page *,
	    struct pgl_dropped **, size_t *, uint64_t *, struct pgl_err *);
int	mongo_delete_dropped(struct pgl_store *, const char *, const char *,
	    struct pgl_err *);

/* mongo_idempotency.c */
int	mongo_put_idempotent(struct pgl_store *, const char *,
	    const struct pgl_idempotent *, struct pgl_err *);
int	mongo_get_idempotent(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, int64_t, struct pgl_idempotent *,
	    struct pgl_err *);
/* mongo_tasks.c */
int	mongo_create_task(struct pgl_store *, const struct pgl_task *,
	    struct pgl_err *);
int	mongo_get_task(struct pgl_store *, struct pgl_arena *, const char *,
	    const char *, struct pgl_task *, struct pgl_err *);
int	mongo_list_tasks(struct pgl_store *, struct pgl_arena *, const char *,
	    const struct pgl_task_filter *, const struct pgl_page *,
	    struct pgl_task **, size_t *, uint64_t *, struct pgl_err *);
int	mongo_claim_task(struct pgl_store *, struct pgl_arena *, const char *,
	    int64_t, int64_t, struct pgl_task *, struct pgl_err *);
int	mongo_update_task(struct pgl_store *, const struct pgl_task *,
	    struct pgl_err *);
int	mongo_cancel_task(struct pgl_store *, const char *, const char *,
	    struct pgl_err *);

int	mongo_purge_idempotent(struct pgl_store *, int64_t, uint64_t *,
	    struct pgl_err *);

/* mongo_plan_parts.c: scan plan parts (ABI 1.11) */
int	mongo_put_plan_part(struct pgl_store *, const char *,
	    const struct pgl_plan_part *, struct pgl_err *);
int	mongo_get_plan_part(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, uint32_t, int64_t,
	    struct pgl_plan_part *, struct pgl_err *);
int	mongo_delete_plan_parts(struct pgl_store *, const char *,
	    const char *, struct pgl_err *);
int	mongo_purge_plan_parts(struct pgl_store *, int64_t, uint32_t,
	    uint64_t *, struct pgl_err *);
int	mongo_plan_usage(struct pgl_store *, struct pgl_arena *, const char *,
	    int64_t, uint32_t, struct pgl_plan_usage **, size_t *,
	    struct pgl_err *);
int	mongo_touch_plan_parts(struct pgl_store *, const char *, const char *,
	    int64_t, int64_t, struct pgl_err *);


/*
 * mongo_name_keys.c: the keys of user and service user names (store.h,
 * ABI 1.14).  mongo_name_key: *key is buf with name's key as stored (a
 * service user's after its tenant id and PGL_NS_SEP), or NULL when the
 * host folds no names.  mongo_key_taken: PGL_EEXISTS when another
 * document (not except_id) holds key or reads as it.
 * mongo_name_unchanged: whether the document filter finds has field equal
 * to name (an update keeps its key then).  mongo_name_key_set: key into
 * $set, or name_key into $unset when NULL; name_key_dup into $unset.
 */
#define MONGO_NAME_KEY_MAX	(PGL_NAME_KEY_MAX + 512)
int	mongo_name_key(struct pgl_store *, const char *, const char *, char *,
	    const char **, struct pgl_err *);
int	mongo_key_taken(struct pgl_store *, int, const char *, const char *,
	    struct pgl_err *);
int	mongo_name_unchanged(struct pgl_store *, int, const bson_t *,
	    const char *, const char *, int *, struct pgl_err *);
void	mongo_name_key_set(bson_t *, bson_t *, const char *);
int	mongo_name_keys_backfill(struct pgl_store *, struct pgl_err *);

/* mongo_users.c */
int	mongo_create_user(struct pgl_store *, const struct pgl_user *,
	    struct pgl_err *);
int	mongo_get_user(struct pgl_store *, struct pgl_arena *, const char *,
	    struct pgl_user *, struct pgl_err *);
int	mongo_get_user_by_username(struct pgl_store *, struct pgl_arena *,
	    const char *, struct pgl_user *, struct pgl_err *);
int	mongo_list_users(struct pgl_store *, struct pgl_arena *, const char *,
	    const struct pgl_page *, struct pgl_user **, size_t *, uint64_t *,
	    struct pgl_err *);
int	mongo_update_user(struct pgl_store *, const struct pgl_user *,
	    struct pgl_err *);
int	mongo_delete_user(struct pgl_store *, const char *, struct pgl_err *);
int	mongo_store_token(struct pgl_store *, const struct pgl_token *,
	    struct pgl_err *);
int	mongo_list_active_tokens(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, int64_t, const struct pgl_page *,
	    struct pgl_token **, size_t *, uint64_t *, struct pgl_err *);
int	mongo_get_token(struct pgl_store *, struct pgl_arena *, const char *,
	    struct pgl_token *, struct pgl_err *);
int	mongo_revoke_token(struct pgl_store *, const char *, int64_t,
	    const char *, struct pgl_err *);
int	mongo_revoke_user_tokens(struct pgl_store *, const char *, int64_t,
	    const char *, struct pgl_err *);
int	mongo_revoke_tokens_where(struct pgl_store *, const bson_t *,
	    const char *, struct pgl_err *);
int	mongo_is_token_revoked(struct pgl_store *, const char *, int *,
	    struct pgl_err *);
int	mongo_cleanup_expired_tokens(struct pgl_store *, int64_t, uint64_t *,
	    struct pgl_err *);


/* mongo_roles.c */
int	mongo_create_role(struct pgl_store *, const struct pgl_role *,
	    struct pgl_err *);
int	mongo_get_role(struct pgl_store *, struct pgl_arena *, const char *,
	    const char *, struct pgl_role *, struct pgl_err *);
int	mongo_list_roles(struct pgl_store *, struct pgl_arena *, const char *,
	    const struct pgl_page *, struct pgl_role **, size_t *, uint64_t *,
	    struct pgl_err *);
int	mongo_update_role(struct pgl_store *, const struct pgl_role *,
	    struct pgl_err *);
int	mongo_delete_role(struct pgl_store *, const char *, const char *,
	    struct pgl_err *);
int	mongo_assign_role(struct pgl_store *, const char *, const char *,
	    const char *, const char *, struct pgl_err *);
int	mongo_revoke_role(struct pgl_store *, const char *, const char *,
	    const char *, struct pgl_err *);
int	mongo_list_user_roles(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_role **, size_t *,
	    struct pgl_err *);
int	mongo_create_permission(struct pgl_store *,
	    const struct pgl_permission *, struct pgl_err *);
int	mongo_delete_permission(struct pgl_store *, const char *,
	    const char *, struct pgl_err *);
int	mongo_list_permissions(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const struct pgl_page *,
	    struct pgl_permission **, size_t *, uint64_t *, struct pgl_err *);
/* A deleted principal's assignments and grants (users, service users). */
int	mongo_drop_grants_of(struct pgl_store *, const char *,
	    struct pgl_err *);

/* mongo_service_users.c */
int	mongo_create_service_user(struct pgl_store *,
	    const struct pgl_service_user *, struct pgl_err *);
int	mongo_get_service_user(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_service_user *,
	    struct pgl_err *);
int	mongo_get_service_user_by_key_id(struct pgl_store *,
	    struct pgl_arena *, const char *, struct pgl_service_user *,
	    struct pgl_err *);
int	mongo_list_service_users(struct pgl_store *, struct pgl_arena *,
	    const char *, const struct pgl_page *, struct pgl_service_user **,
	    size_t *, uint64_t *, struct pgl_err *);
int	mongo_update_service_user(struct pgl_store *,
	    const struct pgl_service_user *, struct pgl_err *);
int	mongo_delete_service_user(struct pgl_store *, const char *,
	    const char *, struct pgl_err *);


/* mongo_audit.c */
int	mongo_log_audit_event(struct pgl_store *,
	    const struct pgl_audit_event *, struct pgl_err *);
int	mongo_list_audit_events(struct pgl_store *, struct pgl_arena *,
	    const char *, const struct pgl_audit_filter *,
	    const struct pgl_page *, struct pgl_audit_event **, size_t *,
	    uint64_t *, struct pgl_err *);
int	mongo_get_audit_event(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_audit_event *,
	    struct pgl_err *);
int	mongo_delete_audit_events_before(struct pgl_store *,
	    struct pgl_arena *, int64_t, uint32_t, uint64_t *,
	    struct pgl_err *);

/* mongo_text.c: the text index's fields and helpers */
int	mongo_search_fields(bson_t *, const char *, const char *);
char	*mongo_lowered(const char *);
int	mongo_append_grams(bson_t *, const char *, const char *);
size_t	mongo_utf8_chars(const char *);
char	*mongo_regex_quote(const char *, int);
int	mongo_json_array(const char *, bson_t **, bson_iter_t *,
	    struct pgl_err *);
int	mongo_bm_doc(struct doc *, bson_t *, struct doc *);

/* mongo_search.c: discovery, the dashboard's counts */
int	mongo_search_assets(struct pgl_store *, struct pgl_arena *,
	    const char *, const struct pgl_asset_query *,
	    const struct pgl_page *, struct pgl_asset_hit **, size_t *,
	    uint64_t *, struct pgl_err *);
int	mongo_search_names(struct pgl_store *, struct pgl_arena *,
	    const char *, enum pgl_name_kind, const char *, uint32_t,
	    struct pgl_name_hit **, size_t *, struct pgl_err *);
int	mongo_count_tenant(struct pgl_store *, const char *,
	    struct pgl_tenant_counts *, struct pgl_err *);

/* mongo_asset_deps.c: what goes with the assets a filter names (their
 * access requests and column tags), before they are deleted */
int	mongo_drop_asset_deps(struct pgl_store *, const char *,
	    const bson_t *, struct pgl_err *);
int	mongo_drop_orphan_column_tags(struct pgl_store *, struct pgl_err *);

/* mongo_governance.c: business metadata, access requests, settings */
int	mongo_put_business_metadata(struct pgl_store *, const char *,
	    const struct pgl_business_metadata *, struct pgl_err *);
int	mongo_get_business_metadata(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_business_metadata *,
	    struct pgl_err *);
int	mongo_delete_business_metadata(struct pgl_store *, const char *,
	    const char *, struct pgl_err *);
int	mongo_create_access_request(struct pgl_store *,
	    const struct pgl_access_request *, struct pgl_err *);
int	mongo_get_access_request(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_access_request *,
	    struct pgl_err *);
int	mongo_list_access_requests(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const struct pgl_page *,
	    struct pgl_access_request **, size_t *, uint64_t *,
	    struct pgl_err *);
int	mongo_review_access_request(struct pgl_store *,
	    const struct pgl_access_request *, struct pgl_err *);
int	mongo_drop_access_requests(struct pgl_store *, const char *,
	    const char *, const char *, const char *const *, size_t,
	    struct pgl_err *);
int	mongo_get_settings(struct pgl_store *, struct pgl_arena *,
	    const char *, const char **, struct pgl_err *);
int	mongo_put_settings(struct pgl_store *, const char *, const char *,
	    struct pgl_err *);

/*
 * mongo_usage.c, mongo_usage_mark.c: the usage ledger (ABI 1.27).  Every
 * document of a counted collection carries its kind (qk) and bytes (qb;
 * an asset's business metadata, qm and qmn), set by mg_insert and the
 * measured mg_update and read back by mg_delete, so the figures change
 * with every write (and within its transaction) without reading bodies.
 */
int	mongo_usage_counted(int coll);
/* 1 when an update of path may change what coll's documents count. */
int	mongo_usage_measures(int coll, const char *path);
/* doc with its marks, in out (initialised here); its deltas added to
 * *acc (n at most 2: the row, its metadata). */
int	mongo_usage_mark(int coll, const bson_t *doc, bson_t *out,
	    struct usage_delta *acc, size_t *n);
/* The deltas of a bulk write, merged by tenant and kind, for the
 * ledger once it ran (at most 8 pairs: a bulk write is one tenant's). */
struct usage_acc {
	struct usage_delta	d[8];
	size_t			n;
};
void	mongo_usage_acc(struct usage_acc *, const struct usage_delta *,
	    size_t);
/* A group of an aggregation by {t: tenant, k: kind} (a ledger read, a
 * sum of marks): rows n, bytes b, an asset's metadata's mn and mb. */
struct usage_group {
	const char	*tenant, *kind;
	int64_t		 n, b, mn, mb;
};
void	mongo_usage_group_fill(struct doc *, void *);
/* Add to the ledger: at once, or with the open transaction's commit. */
int	mongo_usage_add(struct pgl_store *, const struct usage_delta *,
	    size_t, struct pgl_err *);
int	mongo_usage_flush(struct pgl_store *, struct pgl_err *);
void	mongo_usage_forget(struct pgl_store *, const char *tenant);
/* The measured update and delete of a counted collection (mg_update,
 * mg_delete call them). */
int	mongo_usage_update(struct pgl_store *, struct pgl_err *, int,
	    const bson_t *, const bson_t *, int, uint64_t *);
int	mongo_usage_before_delete(struct pgl_store *, struct pgl_err *, int,
	    const bson_t *, int, struct usage_delta **, size_t *);
/* An update that changes no measured field (mg_update without the
 * measure: the caller knows). */
int	mg_update_raw(struct pgl_store *, struct pgl_err *, int,
	    const bson_t *, const bson_t *, int, uint64_t *);
int	mg_insert_raw(struct pgl_store *, struct pgl_err *, int,
	    const bson_t *);
int	mg_delete_raw(struct pgl_store *, struct pgl_err *, int,
	    const bson_t *, int, uint64_t *);
/* The ABI's methods, and the upgrade's backfill (schema 13). */
int	mongo_usage(struct pgl_store *, struct pgl_arena *, const char *,
	    const char *, uint32_t, struct pgl_usage **, size_t *,
	    struct pgl_err *);
int	mongo_usage_recount(struct pgl_store *, const char *,
	    struct pgl_err *);
int	mongo_trim_audit(struct pgl_store *, const char *, uint32_t,
	    uint64_t *, struct pgl_err *);
int	mongo_usage_backfill(struct pgl_store *, struct pgl_err *);

#endif
