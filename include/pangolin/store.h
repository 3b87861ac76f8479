/*
 * The metadata store plugin ABI.
 *
 * A store plugin is a shared object exporting one symbol,
 * pangolin_store_plugin(), that returns a const struct pgl_store_ops.  The
 * table mirrors the upstream CatalogStore trait (pangolin-api.md §6) plus
 * tasks and idempotency keys.  A plugin leaves a method NULL when it does
 * not implement it; the host answers 501 for routes that need it.
 *
 * Conventions, so every method reads the same:
 *  - Every method returns an enum pgl_status and fills *err on failure.
 *  - Every entity is tenant-scoped: the first argument after the handle
 *    is the tenant id, and no call may see another tenant's rows.
 *  - Free-form maps (properties, storage_config, operations) cross as JSON
 *    text; the host validates and serializes them.
 *  - Results are copied into the caller's arena (struct pgl_host), so the
 *    caller never frees plugin memory.  A NULL string field means SQL NULL.
 *  - Namespaces cross as one string: the levels joined by PGL_NS_SEP.  The
 *    host rejects control bytes in names, so the separator is unambiguous.
 *  - Lists take a struct pgl_page and return items, their count and the
 *    total number of matching rows (before paging) when total is non-NULL.
 *  - One handle is used by one process at a time (one per Kore worker),
 *    so handles need no locking; concurrency is between processes.
 *  - A transaction that loses a race with another over the same rows
 *    answers PGL_ERETRY (ABI 1.14, plugin.h), whichever method's
 *    statement it was and also from commit (then nothing was
 *    committed); PGL_ECONFLICT stays the answer of a compare-and-swap
 *    whose expected value no longer holds.  The host runs the work
 *    again.
 */
#ifndef PANGOLIN_STORE_H
#define PANGOLIN_STORE_H

#include "pangolin/plugin.h"

#define PGL_STORE_ABI_MAJOR	1
#define PGL_STORE_ABI_MINOR	27

#define PGL_NS_SEP		'\x1f'
#define PGL_NS_SEP_STR		"\x1f"

struct pgl_store;		/* opaque, plugin-owned handle */

struct pgl_page {
	uint32_t	limit;		/* 0 = no limit */
	uint64_t	offset;
};

struct pgl_tenant {
	const char	*id;
	const char	*name;
	const char	*properties;		/* JSON object */
};

struct pgl_warehouse {
	const char	*id;
	const char	*tenant_id;
	const char	*name;
	const char	*storage_config;	/* JSON object */
	const char	*vending_strategy;	/* JSON, NULL if unset */
	int		use_sts;
};

struct pgl_catalog {
	const char	*id;
	const char	*tenant_id;
	const char	*name;
	const char	*catalog_type;		/* "Local" | "Federated" */
	const char	*warehouse_name;	/* NULL if none */
	const char	*storage_location;	/* NULL if none */
	const char	*federated_config;	/* JSON, NULL if none */
	const char	*properties;		/* JSON object */
};

struct pgl_namespace {
	const char	*catalog;
	const char	*name;			/* levels joined by PGL_NS_SEP */
	const char	*properties;		/* JSON object */
};

struct pgl_asset {
	const char	*id;
	const char	*catalog;
	const char	*branch;
	const char	*ns;			/* levels joined by PGL_NS_SEP */
	const char	*name;
	const char	*kind;			/* "ICEBERG_TABLE", "VIEW", ... */
	const char	*location;
	const char	*metadata_location;	/* NULL for non-Iceberg */
	const char	*properties;		/* JSON object */
	int64_t		created_at_ms;
	int64_t		updated_at_ms;
	/*
	 * ABI 1.26: the asset this row is a version of (issue 67): the id
	 * of the row it was created as.  A branch's copy of a row, a
	 * copy-up, a rename and a move keep it; create_asset takes it
	 * from here, or the new row's own id when NULL (a new asset).
	 * Reads give it back (never NULL for a row of 1.26); the host
	 * passes a merged or restored asset's on.  Rows of before have
	 * one per (catalog, namespace, name): the id of one of them.
	 */
	const char	*origin;
};

struct pgl_branch {
	const char	*catalog;
	const char	*name;
	const char	*head_commit_id;	/* NULL: no commits yet */
	const char	*branch_type;		/* "ingest" | "experimental" */
	const char	*assets;		/* JSON array of "ns.table" */
	int64_t		created_at_ms;
	/* ABI 1.12: the branch this one was forked from (fork_branch), whose
	 * assets it sees as of the fork; NULL for a root (main, a partial
	 * branch, a branch made by copying).  Filled by get and list.  As
	 * with pgl_commit's merge_parent_id (1.6), a list of branches from a
	 * plugin built before 1.12 has the shorter elements: such a plugin
	 * must be rebuilt (the plugins ship with the binary). */
	const char	*parent;
};

/*
 * Copy-on-write branches (ABI 1.12).  A forked branch stores only its
 * own changes; every other asset it reads from its parent as of the fork,
 * and so on up a lineage of at most PGL_BRANCH_MAX_DEPTH branches.  A
 * fork from a branch already that deep gets a full copy instead (a root).
 */
#define PGL_BRANCH_MAX_DEPTH	16

struct pgl_tag {
	const char	*catalog;
	const char	*name;
	const char	*commit_id;
	int64_t		created_at_ms;
};

struct pgl_commit {
	const char	*id;
	const char	*catalog;
	const char	*parent_id;		/* NULL for a root commit */
	int64_t		timestamp_ms;
	const char	*author;
	const char	*message;
	const char	*operations;		/* JSON array of Put/Delete */
	/* ABI 1.6: a merge commit's second parent (the merged source's
	 * head); NULL for every other commit.  Appended, so older callers'
	 * zero-initialised structs stay valid. */
	const char	*merge_parent_id;
};

struct pgl_catalog_counts {
	uint64_t	namespaces;
	uint64_t	tables;			/* ICEBERG_TABLE on main */
	uint64_t	views;			/* VIEW on main */
	uint64_t	assets;			/* every asset on every branch */
	uint64_t	branches;
	uint64_t	tags;
};

/*
 * Identity, RBAC and operations entities (filled in by later issues).
 * Only the fields that are queried by are columns; the rest of each
 * record crosses as one JSON document in `doc`.
 */
struct pgl_user {
	const char	*id;
	const char	*tenant_id;		/* NULL for root */
	const char	*username;
	const char	*email;
	const char	*role;			/* "root" | "tenant-admin" | ... */
	const char	*password_hash;		/* NULL for OAuth users */
	int		active;
	const char	*doc;			/* JSON: oauth, timestamps, ... */
};

struct pgl_role {
	const char	*id;
	const char	*tenant_id;
	const char	*name;
	const char	*doc;			/* JSON Role (kebab-case) */
};

struct pgl_permission {
	const char	*id;
	const char	*tenant_id;
	const char	*user_id;
	const char	*doc;			/* JSON Permission */
};

struct pgl_service_user {
	const char	*id;
	const char	*tenant_id;
	const char	*name;
	const char	*key_id;		/* looked up on every API call */
	const char	*api_key_hash;
	int		active;
	int64_t		expires_at_ms;		/* 0 = never */
	const char	*doc;
};

struct pgl_token {
	const char	*id;			/* jti */
	const char	*tenant_id;
	const char	*user_id;
	int64_t		expires_at_ms;
	const char	*doc;
};

struct pgl_audit_event {
	const char	*id;
	const char	*tenant_id;
	int64_t		timestamp_ms;
	const char	*user_id;
	const char	*action;
	const char	*resource_type;
	const char	*resource_id;
	const char	*result;
	const char	*doc;			/* the whole AuditLogEntry */
};

struct pgl_audit_filter {
	const char	*user_id, *action, *resource_type, *resource_id;
	const char	*result;
	int64_t		start_ms, end_ms;	/* 0 = unbounded */
};

/*
 * A merge operation and its conflicts (pangolin-api.md §2.5, §4; ABI 1.6
 * implements them).  Only what is queried by is a column; the rest
 * crosses as the JSON document the API returns, stored as given.
 * Operations list newest first (initiated_at_ms), conflicts in the order
 * they were created.
 */
struct pgl_merge_op {
	const char	*id;
	const char	*tenant_id;
	const char	*catalog;
	const char	*status;
	const char	*doc;			/* the whole MergeOperation */
	int64_t		initiated_at_ms;
};

struct pgl_merge_conflict {
	const char	*id;
	const char	*merge_op_id;
	const char	*doc;			/* the whole MergeConflict */
};

/*
 * A background task (maintenance, purge).  The target names what it works
 * on; NULL where it does not apply.  Times are epoch ms, 0 for "not yet".
 * A runner holds it by lease_owner until lease_expires_ms and renews the
 * lease with every update; a task whose lease expired is claimed again.
 */
struct pgl_task {
	const char	*id;
	const char	*tenant_id;
	const char	*kind;			/* "maintenance", "purge" */
	const char	*status;	/* queued|running|succeeded|failed|cancelled */
	const char	*catalog;
	const char	*branch;
	const char	*ns;			/* levels joined by PGL_NS_SEP */
	const char	*table;
	const char	*params;		/* JSON object */
	uint64_t	progress_done;
	uint64_t	progress_total;
	const char	*phase;
	const char	*message;
	const char	*result;		/* JSON, NULL until finished */
	const char	*error;			/* the last error */
	int		attempts;		/* claims so far */
	int		max_attempts;
	const char	*created_by;
	const char	*lease_owner;
	int64_t		lease_expires_ms;
	int64_t		heartbeat_ms;
	int		cancel_requested;
	int64_t		created_at_ms;
	int64_t		started_at_ms;
	int64_t		finished_at_ms;
	int64_t		updated_at_ms;
};

/* NULL fields match any task. */
struct pgl_task_filter {
	const char	*status;
	const char	*kind;
	const char	*catalog;
	const char	*table;
	const char	*created_by;
};

/*
 * ABI 1.11: one stored part of a scan plan's result (issue 28): the
 * ScanTasks JSON of one plan task, kept until expires_at_ms so that a
 * client pages through a large plan without the plan being made again.
 * table names the table planned (catalog, branch, namespace, table, as
 * the host spells it): a part is only ever served for that table.
 */
struct pgl_plan_part {
	const char	*plan_id;
	uint32_t	 seq;		/* 0, 1, ... */
	const char	*table;
	const char	*body;		/* JSON */
	int64_t		 expires_at_ms;
};

/*
 * ABI 1.14: what a tenant's stored plans hold (issue 42), so that the
 * host can bound them like every other stored thing: plans (distinct plan
 * ids), parts, and the bytes of their bodies, counting parts not expired.
 */
struct pgl_plan_usage {
	const char	*tenant;
	uint64_t	 plans;
	uint64_t	 parts;
	uint64_t	 bytes;
};

/*
 * ABI 1.15: one change event of the outbox (issue 43), recorded by
 * append_event in the change's own transaction.  The host gives every
 * field but seq: id (a UUIDv7, unique for ever), the tenant, the catalog
 * (the catalog's name as the routes spell it; "" for a tenant-level
 * change: tenants, warehouses, users, roles, grants, service users),
 * the time, and the event's columns the feed filters on, beside body,
 * the whole Event JSON (the feed's object), which the store keeps as
 * given and never reads.  object_name is the object's path, its levels
 * (namespace levels, then the table's or view's name) joined by
 * PGL_NS_SEP, as namespaces cross the ABI, so that a filter by a leading
 * part of it matches whole levels.
 *
 * seq is the store's: one number per event, strictly increasing in
 * commit order within a tenant (so within each of its catalogs too),
 * with gaps allowed (a rolled back event's number is not reused).  A
 * list after a seq therefore never misses an event committed later.
 */
struct pgl_event {
	const char	*id;
	const char	*tenant_id;
	const char	*catalog;		/* "" for tenant-level */
	uint64_t	 seq;			/* the store's; 0 on append */
	int64_t		 ts_ms;
	const char	*actor;			/* NULL if none */
	const char	*operation_type;
	const char	*object_type;
	const char	*object_name;		/* NULL if none */
	const char	*object_uuid;		/* NULL if none */
	const char	*branch;		/* NULL if none */
	const char	*request_id;		/* NULL if none */
	const char	*body;			/* JSON, as given */
};

/*
 * What list_events returns: the events of one tenant with seq >
 * after_seq, in seq order, at most limit (> 0).  catalog NULL: the
 * tenant's whole stream (every catalog and the tenant-level events);
 * "" only the tenant-level ones.  since_ms: only events with ts_ms >=
 * since_ms (0: any).  The rest are JSON arrays of strings, NULL for
 * any (the feed's QueryEventsRequest): operation_types, object_types,
 * object_uuids match the field; object_names an object_name equal to an
 * entry or beginning with it and PGL_NS_SEP (a namespace names what is
 * in it).  The host hands well-formed arrays (it builds them): a
 * malformed one fails, with no particular code.
 */
struct pgl_event_filter {
	const char	*catalog;
	uint64_t	 after_seq;
	int64_t		 since_ms;
	const char	*operation_types;
	uint32_t	 limit;
	const char	*object_types;
	const char	*object_uuids;
	const char	*object_names;
};

/* ABI 1.15: what a tenant's outbox holds, for its limit. */
struct pgl_event_usage {
	const char	*tenant;
	uint64_t	 events;
	uint64_t	 bytes;			/* of the bodies */
	int64_t		 oldest_ms;		/* ts_ms of the oldest */
};

/*
 * ABI 1.16: a push sink of a tenant's change events (issue 43): a webhook
 * subscription (kind "webhook", made by a tenant admin), or the tenant's
 * cursor in an operator's NATS stream (kind "nats", id "nats", made by
 * the dispatcher).  Keyed by (tenant_id, id).  Three groups of fields,
 * each written by one method, so that a route editing a subscription and
 * the dispatcher delivering it never overwrite each other:
 *
 *   config	put_webhook: kind, name, url, filter and secrets.  filter,
 *		secrets and recent are the host's text (JSON, sealed
 *		secrets), kept as given and never read by the store.
 *   state	set_webhook_state: how far delivery got.  cursor is the
 *		seq (struct pgl_event) of the tenant's stream delivered up
 *		to; attempts the failures in a row, failing_since_ms when
 *		the first of them was (0: not failing), next_attempt_ms
 *		when to try again; delivered and failures count for ever;
 *		recent the last deliveries (JSON array).
 *   lease	claim_webhook: which dispatcher delivers it, until when.
 *		One at a time, so a subscription's events go out in order
 *		even with replicas on one store.
 */
struct pgl_webhook {
	const char	*id;
	const char	*tenant_id;
	const char	*kind;			/* "webhook", "nats" */
	const char	*name;
	const char	*url;
	const char	*filter;		/* JSON object text */
	const char	*secrets;		/* the host's text */
	int64_t		 created_ms;
	int64_t		 updated_ms;
	/* state */
	uint64_t	 cursor;
	const char	*status;		/* "active", "paused" */
	const char	*status_reason;		/* NULL if none */
	int64_t		 failing_since_ms;
	int64_t		 next_attempt_ms;
	uint32_t	 attempts;
	uint64_t	 delivered;
	uint64_t	 failures;
	const char	*recent;		/* JSON array text; NULL: [] */
	/* lease (read only: claim_webhook writes it) */
	const char	*lease_owner;		/* NULL if none */
	int64_t		 lease_until_ms;
};

/*
 * ABI 1.18: a dropped table or view kept recoverable (undrop, issue 46
 * part 5).  The drop deletes the asset row as before and, in the same
 * transaction, records its fields here under an id of its own; a restore
 * creates the row again from them (same location, same metadata file, so
 * it loads exactly as before the drop) and deletes the entry, in one
 * transaction too.  The entry goes with its catalog (and so its tenant);
 * the host expires it after the catalog's retention, or when the tenant
 * holds more than its limit, and then deletes its files by a task.
 */
struct pgl_dropped {
	const char	*id;
	const char	*tenant_id;
	const char	*catalog;
	const char	*branch;
	const char	*ns;			/* levels joined by PGL_NS_SEP */
	const char	*name;
	const char	*kind;			/* "ICEBERG_TABLE", "VIEW" */
	const char	*asset_id;		/* the dropped row's id */
	const char	*location;
	const char	*metadata_location;
	const char	*properties;		/* JSON object */
	int64_t		 created_at_ms;		/* the asset's */
	int64_t		 dropped_at_ms;
	const char	*dropped_by;		/* NULL if unknown */
	/* ABI 1.20: the asset's column tags at the drop (the rows of
	 * struct pgl_column_tag, which go with the asset row), as a JSON
	 * array [{"field_id": 3, "tag": "pii:email"}, ...]; NULL (or "[]")
	 * when it had none.  Kept and given back as it came, so that a
	 * restore tags the restored row's columns again (the same metadata
	 * file: the same field ids) and a tag policy protects them as
	 * before.  As with pgl_branch's parent (1.12), a list of entries
	 * from a plugin built before 1.20 has the shorter elements: such a
	 * plugin must be rebuilt (the plugins ship with the binary). */
	const char	*column_tags;
	/* ABI 1.26: the dropped row's origin (pgl_asset), which a restore
	 * passes on; NULL from put_dropped: asset_id. */
	const char	*origin;
};

/*
 * ABI 1.26: every table owns its files (issue 67).  A live table or
 * view (an asset row of kind ICEBERG_TABLE or VIEW, on any branch of
 * any catalog of the tenant) or a dropped one still recoverable, as
 * find_location_owner and list_location_owners answer it.  Stores keep
 * beside each such row and entry the key of its location
 * (host->location_key; NULL for none), computed whenever the location
 * is written and, for rows of before, by the migration that adds it.
 */
struct pgl_location_owner {
	const char	*tenant_id;
	const char	*catalog;
	const char	*branch;
	const char	*ns;			/* levels joined by PGL_NS_SEP */
	const char	*name;
	const char	*kind;
	const char	*location;
	const char	*key;			/* its location's key */
	const char	*origin;		/* as pgl_asset's */
	const char	*dropped_id;		/* a dropped entry's; NULL: live */
	const char	*id;			/* the row's or the entry's */
};

/*
 * What find_location_owner looks for: an owner whose location's key is
 * location's key, or a prefix of it, or has it as a prefix, other than
 * the asset origin (NULL: none) and other than the live rows named
 * ns.name in catalog (NULL: none; a table of one name is one object on
 * every branch to the catalog's grants and policies; a dropped one of
 * that name is another table, the one before).  With claim set,
 * inside a transaction, the tenant's locations are claimed first: of
 * two transactions that claim them concurrently, the one that would
 * read past the other's change fails (PGL_ERETRY) where the store does
 * not run a tenant's writers one at a time, so two creates cannot both
 * find a place free and both take it.
 */
struct pgl_location_probe {
	const char	*location;
	const char	*origin;
	const char	*catalog;
	const char	*ns;
	const char	*name;
	int		 claim;
};

struct pgl_idempotent {
	const char	*key;
	const char	*route;
	int		status;
	const char	*body;
	int64_t		expires_at_ms;
};

/*
 * ABI 1.10: the governance entities (pangolin-api.md §2.10, §2.11).
 *
 * Business metadata belongs to one asset row, by its id (a branch's copy
 * of an asset is another row, with its own id and no metadata), and goes
 * with it: deleting the asset, its branch, namespace, catalog or tenant
 * deletes it.  tags is a JSON array of strings, properties any JSON
 * value; both come back as stored.
 */
struct pgl_business_metadata {
	const char	*id;
	const char	*asset_id;
	const char	*description;		/* NULL if none */
	const char	*tags;			/* JSON array of strings */
	const char	*properties;		/* JSON */
	int		 discoverable;
	const char	*created_by;
	int64_t		 created_at_ms;
	const char	*updated_by;
	int64_t		 updated_at_ms;
};

/*
 * A user's request for read on an asset; goes with the asset like its
 * business metadata.  status: pending | approved | rejected.
 */
struct pgl_access_request {
	const char	*id;
	const char	*tenant_id;
	const char	*user_id;
	const char	*asset_id;
	const char	*reason;		/* NULL if none */
	const char	*status;
	int64_t		 requested_at_ms;
	const char	*reviewed_by;		/* NULL until reviewed */
	int64_t		 reviewed_at_ms;	/* 0 until reviewed */
	const char	*review_comment;	/* NULL if none */
};

/*
 * A search over the assets of a tenant's `main` branches (discovery shows
 * what each catalog has published).  text matches a case-insensitive
 * substring of the asset's name or its business metadata's description
 * (ASCII letters fold in every store; other letters as each store folds
 * them); tags (a JSON array) must all be on the asset: from ABI 1.19 a
 * tag is on it when its business metadata or one of its columns
 * (set_column_tags) carries it, so one tag may be on a column and
 * another on the asset.  A restricted search (a caller who is not an
 * admin) keeps only the assets that are discoverable or lie in what the
 * vis_* JSON arrays name: catalogs by name, namespaces as
 * "<catalog>\x1e<ns>" (the namespace and its children), assets by id,
 * and tags (business metadata's only: a column tag is no grant).  Hits
 * list by name, then catalog and namespace.
 */
struct pgl_asset_query {
	const char	*text;			/* NULL or "": any */
	const char	*tags;			/* NULL: no tag filter */
	const char	*catalog;		/* NULL: every catalog */
	int		 restricted;
	const char	*vis_catalogs;
	const char	*vis_namespaces;
	const char	*vis_assets;
	const char	*vis_tags;
};

struct pgl_asset_hit {
	struct pgl_asset	 asset;
	int			 has_metadata;
	const char		*description;	/* NULL if none */
	const char		*tags;		/* JSON array, "[]" if none */
	int			 discoverable;
};

/* Between catalog and namespace in vis_namespaces. */
#define PGL_VIS_NS_SEP		'\x1e'
#define PGL_VIS_NS_SEP_STR	"\x1e"

/* What search_names looks through. */
enum pgl_name_kind {
	PGL_NAMES_CATALOG,
	PGL_NAMES_NAMESPACE,
	PGL_NAMES_BRANCH
};

/* A catalog (name is the catalog's), a namespace or a branch of one. */
struct pgl_name_hit {
	const char	*catalog;
	const char	*name;		/* namespace levels joined by PGL_NS_SEP */
};

/* Counts for the dashboard; a NULL tenant counts every tenant. */
struct pgl_tenant_counts {
	uint64_t	tenants;
	uint64_t	warehouses;
	uint64_t	catalogs;
	uint64_t	namespaces;
	uint64_t	tables;			/* ICEBERG_TABLE on main */
	uint64_t	views;			/* VIEW on main */
	uint64_t	assets;			/* every kind on main */
	uint64_t	branches;
	uint64_t	users;
};

/*
 * ABI 1.17: data policies (issue 46) and the column tags they follow.
 *
 * A policy belongs to a tenant and names a catalog (by name; it goes
 * with the catalog and the tenant) and a scope in it: a namespace (ns,
 * levels joined by PGL_NS_SEP, with everything below it), one table of
 * it (table_name), or a column tag (tag, ns and table_name NULL).  What
 * it does (a row filter or a column action) and to whom is the host's
 * JSON document, doc.  Names are unique per tenant.
 */
struct pgl_policy {
	const char	*id;
	const char	*tenant_id;
	const char	*name;
	const char	*catalog;
	const char	*ns;			/* NULL for a tag's */
	const char	*table_name;		/* NULL: the namespace's */
	const char	*tag;			/* NULL unless tag-scoped */
	const char	*doc;			/* JSON object (the host's) */
	int64_t		 created_ms;
	int64_t		 updated_ms;
};

/* One tag on one column (its Iceberg field id) of an asset row; goes
 * with the asset, as its business metadata does. */
struct pgl_column_tag {
	const char	*asset_id;
	int64_t		 field_id;
	const char	*tag;
};

/*
 * ABI 1.27: what a tenant makes the store hold (issue 67), one row per
 * kind: how many rows of that kind the store keeps for it and their
 * bytes (the octet lengths of their stored text, plus
 * PGL_USAGE_ROW_BYTES a row for its key, header and index entries).
 * The kinds and the rows each counts:
 *
 *   namespaces   namespaces
 *   tables       assets of kind ICEBERG_TABLE, one per branch holding
 *                its own row (a copy-on-write branch's change, a
 *                tombstone)
 *   views        assets of kind VIEW, likewise
 *   assets       every other asset (generic assets), likewise
 *   metadata     business metadata of an asset
 *   commits      catalog commits
 *   dropped      recoverable drops kept
 *   policies     data policies
 *   webhooks     webhook subscriptions (not NATS cursors)
 *   events       change events (the outbox)
 *   audit        audit events of the tenant
 *   plans        stored scan plan parts (expired ones too, until purged)
 *   other        the rest: catalogs, warehouses, branches, tags, roles,
 *                their assignments, grants, service users, the tenant's
 *                users, access requests, merge operations and conflicts,
 *                column tags, settings
 *
 * A tenant that holds none of a kind has no row of it.
 *
 * A row's bytes: the octet lengths of its stored strings times
 * PGL_USAGE_TEXT_NUM / PGL_USAGE_TEXT_DEN (rounded down), plus
 * PGL_USAGE_ROW_BYTES, the same on every store, measured so that they
 * bound what the store that keeps the most per row (PostgreSQL) grows
 * by: large text's TOAST chunks and pages, a row's header and index
 * entries (docs/limits.md, Quotas).
 */
#define PGL_USAGE_TEXT_NUM	9
#define PGL_USAGE_TEXT_DEN	8
#define PGL_USAGE_ROW_BYTES	384

struct pgl_usage {
	const char	*tenant;
	const char	*kind;
	int64_t		 count;
	int64_t		 bytes;
};

#define S	struct pgl_store *
#define A	struct pgl_arena *
#define E	struct pgl_err *
#define P	const struct pgl_page *

struct pgl_store_ops {
	uint16_t	abi_major;
	uint16_t	abi_minor;	/* fields are only ever appended */
	const char	*name;

	/* Lifecycle.  open() runs once per process (Kore worker). */
	int	(*open)(const struct pgl_host *, const struct pgl_kv *opts,
		    size_t nopts, struct pgl_store **, E);
	void	(*close)(S);
	int	(*ping)(S, E);
	/* Transactions group multi-row writes; they do not nest. */
	int	(*begin)(S, E);
	int	(*commit)(S, E);
	int	(*rollback)(S, E);

	/* Tenants. */
	int	(*create_tenant)(S, const struct pgl_tenant *, E);
	int	(*get_tenant)(S, A, const char *id, struct pgl_tenant *, E);
	int	(*list_tenants)(S, A, P, struct pgl_tenant **, size_t *,
		    uint64_t *total, E);
	int	(*update_tenant)(S, const struct pgl_tenant *, E);
	int	(*delete_tenant)(S, const char *id, E);

	/* Warehouses. */
	int	(*create_warehouse)(S, const struct pgl_warehouse *, E);
	int	(*get_warehouse)(S, A, const char *tenant, const char *name,
		    struct pgl_warehouse *, E);
	int	(*list_warehouses)(S, A, const char *tenant, P,
		    struct pgl_warehouse **, size_t *, uint64_t *, E);
	/* Replaces the row named old_name (the name itself may change). */
	int	(*update_warehouse)(S, const char *old_name,
		    const struct pgl_warehouse *, E);
	int	(*delete_warehouse)(S, const char *tenant, const char *name,
		    E);

	/* Catalogs.  Delete cascades to everything inside the catalog. */
	int	(*create_catalog)(S, const struct pgl_catalog *, E);
	int	(*get_catalog)(S, A, const char *tenant, const char *name,
		    struct pgl_catalog *, E);
	int	(*list_catalogs)(S, A, const char *tenant, P,
		    struct pgl_catalog **, size_t *, uint64_t *, E);
	int	(*update_catalog)(S, const char *tenant,
		    const struct pgl_catalog *, E);
	int	(*delete_catalog)(S, const char *tenant, const char *name, E);
	int	(*count_catalog)(S, const char *tenant, const char *catalog,
		    struct pgl_catalog_counts *, E);

	/* Namespaces.  parent NULL lists all; otherwise direct children. */
	int	(*create_namespace)(S, const char *tenant,
		    const struct pgl_namespace *, E);
	int	(*get_namespace)(S, A, const char *tenant, const char *catalog,
		    const char *ns, struct pgl_namespace *, E);
	int	(*list_namespaces)(S, A, const char *tenant,
		    const char *catalog, const char *parent, P,
		    struct pgl_namespace **, size_t *, uint64_t *, E);
	int	(*update_namespace)(S, const char *tenant,
		    const struct pgl_namespace *, E);
	int	(*delete_namespace)(S, const char *tenant, const char *catalog,
		    const char *ns, E);

	/* Assets, keyed by (tenant, catalog, branch, ns, name). */
	int	(*create_asset)(S, const char *tenant, const struct pgl_asset *,
		    E);
	int	(*get_asset)(S, A, const char *tenant, const char *catalog,
		    const char *branch, const char *ns, const char *name,
		    struct pgl_asset *, E);
	int	(*get_asset_by_id)(S, A, const char *tenant, const char *id,
		    struct pgl_asset *, E);
	/* kind NULL = any kind. */
	int	(*list_assets)(S, A, const char *tenant, const char *catalog,
		    const char *branch, const char *ns, const char *kind, P,
		    struct pgl_asset **, size_t *, uint64_t *, E);
	int	(*update_asset)(S, const char *tenant, const struct pgl_asset *,
		    E);
	int	(*delete_asset)(S, const char *tenant, const char *catalog,
		    const char *branch, const char *ns, const char *name, E);
	int	(*rename_asset)(S, const char *tenant, const char *catalog,
		    const char *branch, const char *src_ns, const char *src,
		    const char *dst_ns, const char *dst, E);
	/* Every asset of a branch in one round trip (conflict detection). */
	int	(*list_all_assets_for_branch)(S, A, const char *tenant,
		    const char *catalog, const char *branch,
		    struct pgl_asset **, size_t *, E);
	/*
	 * Copy the assets of branch src into dst in one statement, giving
	 * the copies new ids.  ns_filter (NULL = all) keeps one namespace and
	 * its children; names_json (NULL = all) is a JSON array of
	 * "ns.table" names to keep.
	 */
	int	(*copy_assets_bulk)(S, const char *tenant, const char *catalog,
		    const char *src, const char *dst, const char *ns_filter,
		    const char *names_json, uint64_t *copied, E);
	/* Compare-and-swap of a table's pointer: PGL_ECONFLICT on mismatch. */
	int	(*update_metadata_location)(S, const char *tenant,
		    const char *catalog, const char *branch, const char *ns,
		    const char *name, const char *expected,
		    const char *new_location, E);

	/* Branches and tags. */
	int	(*create_branch)(S, const char *tenant,
		    const struct pgl_branch *, E);
	int	(*get_branch)(S, A, const char *tenant, const char *catalog,
		    const char *name, struct pgl_branch *, E);
	int	(*list_branches)(S, A, const char *tenant, const char *catalog,
		    P, struct pgl_branch **, size_t *, uint64_t *, E);
	/* Deletes the branch row and every asset it owns; a branch forked
	 * from it keeps what it saw (ABI 1.12). */
	int	(*delete_branch)(S, const char *tenant, const char *catalog,
		    const char *name, E);
	/* Compare-and-swap of a branch head (expected NULL = no head). */
	int	(*update_branch_head)(S, const char *tenant,
		    const char *catalog, const char *name,
		    const char *expected, const char *new_head, E);
	int	(*create_tag)(S, const char *tenant, const struct pgl_tag *, E);
	int	(*get_tag)(S, A, const char *tenant, const char *catalog,
		    const char *name, struct pgl_tag *, E);
	int	(*list_tags)(S, A, const char *tenant, const char *catalog, P,
		    struct pgl_tag **, size_t *, uint64_t *, E);
	int	(*delete_tag)(S, const char *tenant, const char *catalog,
		    const char *name, E);

	/* Commits. */
	int	(*create_commit)(S, const char *tenant,
		    const struct pgl_commit *, E);
	int	(*get_commit)(S, A, const char *tenant, const char *id,
		    struct pgl_commit *, E);
	/* head first, following parent_id, at most limit commits. */
	int	(*get_commit_ancestry)(S, A, const char *tenant,
		    const char *head, uint32_t limit, struct pgl_commit **,
		    size_t *, E);

	/* Idempotency keys (Iceberg REST Idempotency-Key). */
	int	(*put_idempotent)(S, const char *tenant,
		    const struct pgl_idempotent *, E);
	int	(*get_idempotent)(S, A, const char *tenant, const char *key,
		    int64_t now_ms, struct pgl_idempotent *, E);
	int	(*purge_idempotent)(S, int64_t now_ms, uint64_t *purged, E);

	/*
	 * Users, roles, permissions.
	 *
	 * ABI 1.14: a username is unique store-wide by its key as well
	 * (host->name_key, plugin.h), so `Bob` and `bob`, or `bob` and
	 * `bob<U+200B>`, are one name: create_user and update_user answer
	 * PGL_EEXISTS for a name whose key another user's has, and so do
	 * create_service_user and update_service_user within a tenant.
	 * Rows written before get their key when the plugin first opens
	 * the store; of rows whose keys collide, the one whose name sorts
	 * first (bytes, then id) keeps the key and the others keep working
	 * without one (the plugin logs each).
	 */
	int	(*create_user)(S, const struct pgl_user *, E);
	int	(*get_user)(S, A, const char *id, struct pgl_user *, E);
	int	(*get_user_by_username)(S, A, const char *username,
		    struct pgl_user *, E);
	int	(*list_users)(S, A, const char *tenant, P, struct pgl_user **,
		    size_t *, uint64_t *, E);
	int	(*update_user)(S, const struct pgl_user *, E);
	int	(*delete_user)(S, const char *id, E);
	int	(*create_role)(S, const struct pgl_role *, E);
	int	(*get_role)(S, A, const char *tenant, const char *id,
		    struct pgl_role *, E);
	int	(*list_roles)(S, A, const char *tenant, P, struct pgl_role **,
		    size_t *, uint64_t *, E);
	int	(*update_role)(S, const struct pgl_role *, E);
	int	(*delete_role)(S, const char *tenant, const char *id, E);
	int	(*assign_role)(S, const char *tenant, const char *user_id,
		    const char *role_id, const char *doc, E);
	int	(*revoke_role)(S, const char *tenant, const char *user_id,
		    const char *role_id, E);
	int	(*list_user_roles)(S, A, const char *tenant,
		    const char *user_id, struct pgl_role **, size_t *, E);
	int	(*create_permission)(S, const struct pgl_permission *, E);
	int	(*delete_permission)(S, const char *tenant, const char *id, E);
	int	(*list_permissions)(S, A, const char *tenant,
		    const char *user_id, P, struct pgl_permission **, size_t *,
		    uint64_t *, E);

	/* Service users and tokens. */
	int	(*create_service_user)(S, const struct pgl_service_user *, E);
	int	(*get_service_user)(S, A, const char *tenant, const char *id,
		    struct pgl_service_user *, E);
	int	(*get_service_user_by_key_id)(S, A, const char *key_id,
		    struct pgl_service_user *, E);
	int	(*list_service_users)(S, A, const char *tenant, P,
		    struct pgl_service_user **, size_t *, uint64_t *, E);
	int	(*update_service_user)(S, const struct pgl_service_user *, E);
	int	(*delete_service_user)(S, const char *tenant, const char *id,
		    E);
	int	(*store_token)(S, const struct pgl_token *, E);
	int	(*list_active_tokens)(S, A, const char *tenant,
		    const char *user_id, int64_t now_ms, P, struct pgl_token **,
		    size_t *, uint64_t *, E);
	int	(*revoke_token)(S, const char *jti, int64_t expires_at_ms,
		    const char *reason, E);
	/* PGL_OK and *revoked set; a store error must fail closed. */
	int	(*is_token_revoked)(S, const char *jti, int *revoked, E);
	int	(*cleanup_expired_tokens)(S, int64_t now_ms, uint64_t *removed,
		    E);

	/* Audit log. */
	int	(*log_audit_event)(S, const struct pgl_audit_event *, E);
	int	(*list_audit_events)(S, A, const char *tenant,
		    const struct pgl_audit_filter *, P,
		    struct pgl_audit_event **, size_t *, uint64_t *, E);
	int	(*get_audit_event)(S, A, const char *tenant, const char *id,
		    struct pgl_audit_event *, E);

	/* Merges. */
	int	(*create_merge_op)(S, const struct pgl_merge_op *, E);
	int	(*get_merge_op)(S, A, const char *tenant, const char *id,
		    struct pgl_merge_op *, E);
	int	(*list_merge_ops)(S, A, const char *tenant, const char *catalog,
		    P, struct pgl_merge_op **, size_t *, uint64_t *, E);
	int	(*update_merge_op)(S, const struct pgl_merge_op *, E);
	int	(*create_merge_conflict)(S, const char *tenant,
		    const struct pgl_merge_conflict *, E);
	int	(*list_merge_conflicts)(S, A, const char *tenant,
		    const char *merge_op_id, P, struct pgl_merge_conflict **,
		    size_t *, uint64_t *, E);
	int	(*update_merge_conflict)(S, const char *tenant,
		    const struct pgl_merge_conflict *, E);

	/*
	 * Settings (per-tenant JSON document; implemented since ABI 1.10):
	 * get answers PGL_ENOTFOUND when none was put; put replaces it.
	 * They go with the tenant.
	 */
	int	(*get_settings)(S, A, const char *tenant, const char **doc, E);
	int	(*put_settings)(S, const char *tenant, const char *doc, E);

	/*
	 * Background tasks (ABI 1.5; declared since 1.0, first implemented
	 * then).  list_tasks: newest first.  claim_task atomically takes a
	 * running task whose lease expired, else a queued one with tenants
	 * in turn (issue 23): the oldest queued task of the tenant whose last
	 * claim is the oldest (tenants never claimed first, longest waiting
	 * first), so one tenant's backlog delays another's task by at most
	 * one claim per runner (the signature is unchanged).  For
	 * lease_owner: running, leased until now_ms + lease_ms, attempts + 1,
	 * started_at set once; PGL_ENOTFOUND when there is none.
	 * update_task writes progress, phase, message, status, result, error
	 * and the lease of a task still held by t->lease_owner (PGL_ECONFLICT
	 * once another runner holds it, or it ended); status "queued" hands
	 * it back (the lease is released).  cancel_task: a queued task is
	 * cancelled at once, a running one gets cancel_requested for its
	 * runner to see; PGL_ECONFLICT when it has already ended.
	 */
	int	(*create_task)(S, const struct pgl_task *, E);
	int	(*get_task)(S, A, const char *tenant, const char *id,
		    struct pgl_task *, E);
	int	(*list_tasks)(S, A, const char *tenant,
		    const struct pgl_task_filter *, P, struct pgl_task **,
		    size_t *, uint64_t *, E);
	int	(*claim_task)(S, A, const char *lease_owner, int64_t now_ms,
		    int64_t lease_ms, struct pgl_task *, E);
	int	(*update_task)(S, const struct pgl_task *, E);
	int	(*cancel_task)(S, const char *tenant, const char *id, E);

	/*
	 * ABI 1.1: statements / commands sent to the backend since open
	 * (one libpq round trip, one mongoc command, one SQLite statement
	 * execution).  Lets benchmarks prove the single-query methods stay
	 * constant in round trips.  May be NULL.
	 */
	uint64_t	(*round_trips)(S);

	/*
	 * ABI 1.2: one page of head's ancestry (head first) and the length
	 * of the whole chain in total.  PGL_ENOTFOUND when head does not
	 * exist; an offset past the end is an empty page.  Required: the
	 * commit history route pages with it.
	 */
	int	(*list_commit_ancestry)(S, A, const char *tenant,
		    const char *head, P, struct pgl_commit **, size_t *,
		    uint64_t *, E);

	/*
	 * ABI 1.3: one recorded session token by id (its jti), whoever's it
	 * is: the caller checks the tenant.  PGL_ENOTFOUND when there is
	 * none (never stored, expired and cleaned up, or revoked by a store
	 * that drops the active row).
	 */
	int	(*get_token)(S, A, const char *id, struct pgl_token *, E);

	/*
	 * ABI 1.4: configuration changes between servers on one store.
	 * announce_change, called inside a transaction, tells every other
	 * handle on the same database, once (and only if) the transaction
	 * commits, that configuration changed.  changes_seen sets *seen when
	 * another handle announced a change since the last call; it never
	 * blocks, and a handle that may have missed one (it reconnected)
	 * reports it as seen.  Both may be NULL: the host then relies on its
	 * caches' TTL for other servers' changes.
	 */
	int	(*announce_change)(S, E);
	int	(*changes_seen)(S, int *seen, E);

	/*
	 * ABI 1.6: the merge base of two commits, in one query: of the
	 * commits reachable from both a and b (a commit reaches itself, and
	 * both parent_id and merge_parent_id are followed), the newest
	 * (timestamp, then the smallest sum of distances from a and b).
	 * *base NULL when they share no ancestor; PGL_ENOTFOUND when a or b
	 * is not a commit of the tenant.
	 */
	int	(*get_merge_base)(S, A, const char *tenant, const char *a,
		    const char *b, const char **base, E);
	/* ABI 1.6: one conflict by id (resolve names only the conflict). */
	int	(*get_merge_conflict)(S, A, const char *tenant, const char *id,
		    struct pgl_merge_conflict *, E);

	/*
	 * ABI 1.7: revoke every recorded token of user_id (a user or a
	 * service user) not expired at now_ms, in one write: is_token_revoked
	 * answers 1 for each from then on.  The token rows stay until they
	 * expire (get_token still finds them, for a revoke by id), but no
	 * longer list as active.  delete_user does the same for its user.
	 */
	int	(*revoke_user_tokens)(S, const char *user_id, int64_t now_ms,
		    const char *reason, E);

	/*
	 * ABI 1.8: audit retention.  Delete at most limit (> 0) audit events
	 * of any tenant older than before_ms (timestamp < before_ms), oldest
	 * first, in one short write (a is scratch space); *deleted says how many went (fewer than
	 * limit: none older is left).  The caller loops, so no single call
	 * holds a lock for long.  May be NULL (an older plugin): the host
	 * then keeps every event.
	 */
	int	(*delete_audit_events_before)(S, A, int64_t before_ms,
		    uint32_t limit, uint64_t *deleted, E);

	/*
	 * ABI 1.9: the next limit (> 0) assets of list_assets' order
	 * strictly after the key (after_ns, after_name), reading only
	 * id, catalog, branch, ns, name and kind (the rest NULL or 0).  A
	 * long list reads each row once this way, where OFFSET re-reads
	 * every row before the page.  ns NULL: the whole branch, and
	 * after_ns is the key's namespace; with ns, after_ns is ignored.
	 * May be NULL (an older plugin): the host pages by offset.
	 */
	int	(*list_assets_after)(S, A, const char *tenant,
		    const char *catalog, const char *branch, const char *ns,
		    const char *kind, const char *after_ns,
		    const char *after_name, uint32_t limit,
		    struct pgl_asset **, size_t *, E);

	/*
	 * ABI 1.10: business metadata, discovery, access requests and the
	 * dashboard (pangolin-api.md §2.10, §2.11).  Each is one round trip
	 * or a fixed few, whatever the number of assets.
	 *
	 * put_business_metadata upserts by asset_id: PGL_ENOTFOUND when the
	 * asset is not the tenant's; an update keeps id, created_by and
	 * created_at of the first put.  get: PGL_ENOTFOUND when the asset
	 * has none (one read by key: the authorization of a tenant user reads
	 * an asset's tags this way).  delete: PGL_ENOTFOUND when there was
	 * none.
	 */
	int	(*put_business_metadata)(S, const char *tenant,
		    const struct pgl_business_metadata *, E);
	int	(*get_business_metadata)(S, A, const char *tenant,
		    const char *asset_id, struct pgl_business_metadata *, E);
	int	(*delete_business_metadata)(S, const char *tenant,
		    const char *asset_id, E);
	/*
	 * The page of hits of q (struct pgl_asset_query) and their total,
	 * through a text index (SQLite FTS5 trigram, PostgreSQL pg_trgm,
	 * MongoDB a trigram multikey index): a search does not read every
	 * asset.
	 */
	int	(*search_assets)(S, A, const char *tenant,
		    const struct pgl_asset_query *q, P, struct pgl_asset_hit **,
		    size_t *, uint64_t *total, E);
	/*
	 * The first limit catalogs, namespaces or branches of the tenant
	 * whose name holds text as a case-insensitive substring (a
	 * namespace's levels joined by '.' for the match), by name.
	 */
	int	(*search_names)(S, A, const char *tenant, enum pgl_name_kind,
		    const char *text, uint32_t limit, struct pgl_name_hit **,
		    size_t *, E);
	/*
	 * Access requests.  create: PGL_ENOTFOUND when the asset is not the
	 * tenant's.  list: newest first; user_id NULL lists the tenant's.
	 * review_access_request writes status, reviewed_by, reviewed_at and
	 * review_comment of a request still pending: PGL_ECONFLICT once it
	 * was reviewed, PGL_ENOTFOUND when there is none.
	 */
	int	(*create_access_request)(S, const struct pgl_access_request *,
		    E);
	int	(*get_access_request)(S, A, const char *tenant, const char *id,
		    struct pgl_access_request *, E);
	int	(*list_access_requests)(S, A, const char *tenant,
		    const char *user_id, P, struct pgl_access_request **,
		    size_t *, uint64_t *, E);
	int	(*review_access_request)(S, const struct pgl_access_request *,
		    E);
	/* The dashboard's counts, in one round trip on SQL stores. */
	int	(*count_tenant)(S, const char *tenant,
		    struct pgl_tenant_counts *, E);

	/*
	 * ABI 1.11: scan plan parts (struct pgl_plan_part), by tenant.
	 * put: PGL_ECONFLICT when (plan_id, seq) exists.  get: the part
	 * unless it expired at now_ms (PGL_ENOTFOUND, as for none).
	 * delete_plan_parts removes every part of the plan (none: 0).
	 * purge_plan_parts removes at most limit expired parts of any tenant
	 * (expires_at_ms < now_ms) in one short write; *purged says how many.
	 * May be NULL (an older plugin): the host then plans only what fits
	 * in one answer.
	 */
	int	(*put_plan_part)(S, const char *tenant,
		    const struct pgl_plan_part *, E);
	int	(*get_plan_part)(S, A, const char *tenant, const char *plan_id,
		    uint32_t seq, int64_t now_ms, struct pgl_plan_part *, E);
	int	(*delete_plan_parts)(S, const char *tenant, const char *plan_id,
		    E);
	int	(*purge_plan_parts)(S, int64_t now_ms, uint32_t limit,
		    uint64_t *purged, E);

	/*
	 * ABI 1.12: make branch b (b->head_commit_id set by the caller) a
	 * copy-on-write child of branch from, in time and space independent
	 * of the number of assets: b sees every asset of from as it is now,
	 * and from's later changes stay invisible to it, as b's are to from.
	 * Every asset method answers for a forked branch as if it held
	 * copies (asset.branch is the branch asked about); an asset b has not
	 * changed keeps its source's id until b changes it.  delete_branch
	 * of a parent keeps its children's view.  PGL_ENOTFOUND: no branch
	 * from; PGL_EEXISTS: b exists.  b->parent is ignored (it is from).
	 * May be NULL (an older plugin): the host then copies the rows.
	 */
	int	(*fork_branch)(S, const char *tenant, const struct pgl_branch *b,
		    const char *from, E);

	/*
	 * ABI 1.13: 1 when rollback undoes every write since begin (the
	 * host then swaps several commits in one transaction, and one that
	 * fails costs the others nothing but a second try); 0 when writes
	 * apply at once (a MongoDB server without sessions).  May be NULL
	 * (an older plugin): taken as 0.
	 */
	int	(*atomic)(S);

	/*
	 * ABI 1.14: the stored plans' usage (struct pgl_plan_usage) of
	 * parts unexpired at now_ms: of tenant (one row, none when it holds
	 * none), or, tenant NULL, of every tenant holding any, the most bytes
	 * first, at most limit rows (0: all).  Each put_plan_part records its
	 * body's length, so neither reads a body.  touch_plan_parts sets the
	 * expiry of every part of the plan still unexpired at now_ms (none:
	 * 0).  May be NULL (an older plugin): the host then keeps no plan
	 * parts, since it could not bound them.
	 */
	int	(*plan_usage)(S, A, const char *tenant, int64_t now_ms,
		    uint32_t limit, struct pgl_plan_usage **, size_t *, E);
	int	(*touch_plan_parts)(S, const char *tenant, const char *plan_id,
		    int64_t now_ms, int64_t expires_at_ms, E);

	/*
	 * ABI 1.15: change events, the outbox (struct pgl_event).
	 *
	 * append_event records e in the caller's open transaction (begin
	 * ... commit), so the event commits or rolls back with its change;
	 * called outside one, it is a transaction of its own.  It assigns
	 * seq (set in *seq) and holds the tenant's event order until the
	 * transaction ends: call it last, just before commit, so that other
	 * writers of the tenant wait the shortest time.  A store whose
	 * rollback does not undo (atomic() 0) keeps the event of a change
	 * rolled back, and its seq follows the order of appends, not of
	 * commits.  PGL_EEXISTS: the id is taken.
	 *
	 * list_events: the page the filter names (struct pgl_event_filter),
	 * every field of each event.
	 *
	 * event_horizon sets *seq to the highest seq removed (purge or
	 * trim) from the stream a list with the same tenant and catalog
	 * reads (catalog NULL: the tenant's), 0 when none was: a reader
	 * whose after_seq is below it has missed events (410 Gone).  It
	 * outlives the events it names.
	 *
	 * purge_events deletes at most limit (> 0) events of any tenant
	 * with ts_ms < before_ms, oldest first, in one short write;
	 * trim_events the n oldest of one tenant (its limit).  *purged says
	 * how many went; the caller loops.  Events outlive their tenant
	 * (its deletion is an event too) until purged.
	 *
	 * event_usage: the outbox of tenant (one row, none when it has no
	 * event) or, tenant NULL, of every tenant holding any, the most
	 * events first, at most limit rows (0: all).  Each append records
	 * the body's length, so no body is read.
	 *
	 * May be NULL (an older plugin): the host then records no events
	 * and answers the feed's routes 501.
	 */
	int	(*append_event)(S, const struct pgl_event *e, uint64_t *seq, E);
	int	(*list_events)(S, A, const char *tenant,
		    const struct pgl_event_filter *, struct pgl_event **,
		    size_t *, E);
	int	(*event_horizon)(S, const char *tenant, const char *catalog,
		    uint64_t *seq, E);
	int	(*purge_events)(S, int64_t before_ms, uint32_t limit,
		    uint64_t *purged, E);
	int	(*trim_events)(S, const char *tenant, uint32_t n,
		    uint64_t *purged, E);
	int	(*event_usage)(S, A, const char *tenant, uint32_t limit,
		    struct pgl_event_usage **, size_t *, E);

	/*
	 * ABI 1.16: push sinks (struct pgl_webhook).
	 *
	 * put_webhook with create 1 inserts w whole (config and state; no
	 * lease), PGL_EEXISTS when (tenant_id, id) is taken; with create 0
	 * it writes the config fields and updated_ms of the existing one,
	 * PGL_ENOTFOUND when there is none, and leaves state and lease.
	 *
	 * get_webhook: one, every field (PGL_ENOTFOUND).  list_webhooks:
	 * those of tenant, or of every tenant when tenant is NULL, oldest
	 * created first (then by id), every field.
	 *
	 * delete_webhook: PGL_ENOTFOUND when there is none.
	 *
	 * set_webhook_state writes the state fields of w's (tenant_id, id).
	 * With owner, only while the lease is owner's (else PGL_ECONFLICT:
	 * the dispatcher lost it, or a route reset the state meanwhile);
	 * owner NULL (a route: resume, replay) writes whatever the lease
	 * and clears it, so a dispatcher halfway through a batch cannot
	 * write its older cursor over the new one.  PGL_ENOTFOUND.
	 *
	 * claim_webhook gives the lease to owner until until_ms when it is
	 * free (no owner), owner's already, or expired (lease_until_ms <
	 * now_ms): *got 1, else 0.  PGL_ENOTFOUND.
	 *
	 * May be NULL (an older plugin): the host then answers the
	 * webhook routes 501 and delivers nothing.
	 */
	int	(*put_webhook)(S, const struct pgl_webhook *w, int create, E);
	int	(*get_webhook)(S, A, const char *tenant, const char *id,
		    struct pgl_webhook *, E);
	int	(*list_webhooks)(S, A, const char *tenant,
		    struct pgl_webhook **, size_t *, E);
	int	(*delete_webhook)(S, const char *tenant, const char *id, E);
	int	(*set_webhook_state)(S, const struct pgl_webhook *w,
		    const char *owner, E);
	int	(*claim_webhook)(S, const char *tenant, const char *id,
		    const char *owner, int64_t now_ms, int64_t until_ms,
		    int *got, E);

	/*
	 * ABI 1.16: the highest seq of tenant's stream a reader can have
	 * been handed or have missed: its newest event kept, or its
	 * horizon (event_horizon with catalog NULL) when that is higher,
	 * as after every event was purged; 0 when it has neither.  A new
	 * subscription starts there (it receives the changes from now on),
	 * and a reader already there has missed nothing, whatever was
	 * purged behind it.  May be NULL, like the other 1.16 methods.
	 */
	int	(*event_newest)(S, const char *tenant, uint64_t *seq, E);

	/*
	 * ABI 1.17: data policies (struct pgl_policy) and column tags
	 * (struct pgl_column_tag); issue 46.
	 *
	 * put_policy with create 1 inserts p (PGL_EEXISTS: its id or its
	 * name is the tenant's already; PGL_ENOTFOUND: no such catalog);
	 * with create 0 it writes name, scope, doc and updated_ms of the
	 * existing one (PGL_ENOTFOUND; PGL_EEXISTS for a name taken).
	 * get_policy: PGL_ENOTFOUND.  list_policies: the tenant's (of one
	 * catalog unless catalog is NULL), by name, paged, with the total.
	 * delete_policy: PGL_ENOTFOUND when there is none.
	 *
	 * set_column_tags replaces every column tag of the asset with the n
	 * given (0: none left); PGL_ENOTFOUND when the asset is not the
	 * tenant's.  list_column_tags: those of one asset (asset_id), or,
	 * asset_id NULL, every column of the tenant holding tag; by asset,
	 * field id, then tag.
	 *
	 * May be NULL (an older plugin): the host then answers the policy
	 * routes 501, and a table has no policies.
	 */
	int	(*put_policy)(S, const struct pgl_policy *, int create, E);
	int	(*get_policy)(S, A, const char *tenant, const char *id,
		    struct pgl_policy *, E);
	int	(*list_policies)(S, A, const char *tenant, const char *catalog,
		    P, struct pgl_policy **, size_t *, uint64_t *total, E);
	int	(*delete_policy)(S, const char *tenant, const char *id, E);
	int	(*set_column_tags)(S, const char *tenant, const char *asset_id,
		    const struct pgl_column_tag *, size_t n, E);
	int	(*list_column_tags)(S, A, const char *tenant,
		    const char *asset_id, const char *tag,
		    struct pgl_column_tag **, size_t *, E);

	/*
	 * ABI 1.18: recoverable drops (struct pgl_dropped).
	 *
	 * put_dropped inserts d whole, in the caller's transaction when one
	 * is open (the drop's): PGL_EEXISTS when (tenant_id, id) is taken,
	 * PGL_ENOTFOUND when the catalog is not the tenant's.
	 *
	 * get_dropped: one, every field (PGL_ENOTFOUND, also for another
	 * tenant's id).  list_dropped: the page of those of tenant (NULL:
	 * every tenant's, for the expiry sweep) in catalog (NULL: every
	 * catalog), newest drop first (then by id), and their total.
	 *
	 * delete_dropped: PGL_ENOTFOUND when there is none, so that of two
	 * restores (or a restore and an expiry) racing only one goes on.
	 *
	 * Deleting the catalog (or the tenant) deletes its entries.  May be
	 * NULL (an older plugin): the host then makes every drop final.
	 *
	 * ABI 1.20: put_dropped keeps column_tags and get_dropped and
	 * list_dropped give it back (an older plugin: the host keeps none,
	 * and a restored table's columns come back untagged).
	 */
	int	(*put_dropped)(S, const struct pgl_dropped *d, E);
	int	(*get_dropped)(S, A, const char *tenant, const char *id,
		    struct pgl_dropped *, E);
	int	(*list_dropped)(S, A, const char *tenant, const char *catalog,
		    P, struct pgl_dropped **, size_t *, uint64_t *total, E);
	int	(*delete_dropped)(S, const char *tenant, const char *id, E);

	/*
	 * ABI 1.19: column tags in discovery (issue 46).  search_assets
	 * matches a tag on an asset's columns as on the asset (struct
	 * pgl_asset_query), and list_column_tags_of answers the column tags
	 * of the assets whose ids the JSON array ids names (a page of hits),
	 * by asset, field id, then tag, in one round trip through the
	 * asset's key; ids of no asset (or another tenant's) add nothing.
	 * May be NULL (an older plugin, whose search matches the asset's
	 * own tags alone): hits then show no column tags.
	 */
	int	(*list_column_tags_of)(S, A, const char *tenant,
		    const char *ids, struct pgl_column_tag **, size_t *, E);

	/*
	 * ABI 1.21: the log's sync off the caller's thread.  Outside a
	 * transaction, on = 1: the commits that follow may return before
	 * they are durable; *fd is a descriptor whose fdatasync() makes
	 * every commit before it durable (the host syncs it on another
	 * thread before it answers them), or -1 when there is nothing to
	 * sync (commits were never synced here: the operator's setting).
	 * on = 0 (fd NULL) ends it: commits are durable when they return
	 * again.  The descriptor stays the store's.  May be NULL (an older
	 * plugin, or a store whose commits wait on a server): commits are
	 * durable when they return.
	 */
	int	(*defer_log_sync)(S, int on, int *fd, E);

	/*
	 * ABI 1.22: begin, one at a time with the tenant's other writers.
	 * As begin, but the transaction starts only once no other handle
	 * on the database (another worker, another replica) is inside one
	 * begun so for the same tenant, nor holds the tenant's event lock
	 * (sql_events.c), and it keeps that place until its commit or
	 * rollback ends.  A store whose transactions read one snapshot
	 * taken at their start (PostgreSQL) otherwise fails the later of
	 * two writers of a tenant's branch head (PGL_ERETRY) and the host
	 * runs it again; begun so, the later one waits for the earlier one
	 * and sees its commit.  May be NULL (a store that serializes its
	 * writers anyway, or has no transactions): begin.
	 */
	int	(*begin_tenant)(S, const char *tenant, E);

	/*
	 * ABI 1.23: begin without waiting for another handle's writer.  As
	 * begin_tenant (begin where tenant is NULL or begin_tenant is
	 * NULL), but where another handle on the database holds what a
	 * writer must take first (SQLite's write lock), the answer is
	 * PGL_EUNAVAIL at once and nothing is begun, where begin would
	 * wait on the caller's thread.  The host then serves its other
	 * work and tries again.  May be NULL (a store whose begin waits on
	 * a server, or never waits): the host begins as usual.
	 */
	int	(*try_begin)(S, const char *tenant, E);

	/*
	 * ABI 1.24: inside a transaction, until it ends, writes whose only
	 * answer is whether they took (update_metadata_location's swap of
	 * a table's own row, create_commit, update_branch_head,
	 * append_event, log_audit_event) may go to the database without
	 * waiting for that answer, so that a commit group's writes cost one
	 * round trip, not one each.  Such a write answers PGL_OK at once (a
	 * compare-and-swap as if it matched; append_event's *seq is 0).
	 * The first that did not take (an error, or a compare-and-swap that
	 * matched nothing: PGL_ECONFLICT, also where the method would have
	 * looked further) fails the transaction: every later call in it
	 * answers that failure, and commit answers it and commits nothing.
	 * The host then runs the work again without deferring.  May be
	 * NULL: every write waits for its answer.
	 */
	int	(*defer_writes)(S, E);

	/*
	 * ABI 1.25: commit without waiting on the caller's thread for the
	 * server's answer.  As commit, but where that answer would be
	 * waited for, what is to be answered goes out and the answer is
	 * PGL_OK with *fd a descriptor that turns readable as answers come:
	 * the transaction is over, its outcome not known yet.  *fd -1: the
	 * answer is commit's, given now.  commit_poll then takes in what
	 * has come, without waiting (wait 0) or until all has (1): PGL_OK
	 * with *fd not -1, not yet (watch it again); *fd -1, the outcome as
	 * commit would answer it.  Any other method called meanwhile first
	 * waits for the outcome, which commit_poll still answers; but
	 * changes_seen (called before every request) reads what has come
	 * and does not wait.  Both NULL, or either: the host commits.
	 */
	int	(*commit_send)(S, int *fd, E);
	int	(*commit_poll)(S, int wait, int *fd, E);

	/*
	 * ABI 1.26: every table owns its files (issue 67; struct
	 * pgl_location_owner, pgl_location_probe).
	 *
	 * find_location_owner: one owner of tenant's whose location
	 * overlaps q's (equal, inside it, or holding it), any one, or
	 * PGL_ENOTFOUND when there is none.  An index
	 * on the key answers it: the keys that are prefixes of q's (one per
	 * '/' of it) and the range of keys q's is a prefix of.
	 *
	 * list_location_owners: every owner of tenant (NULL: of every
	 * tenant), by tenant, key, then id, after the owner (after_tenant,
	 * after_key, after_id; NULLs: from the first), at most limit; so
	 * that overlapping ones come one after another (a key is right
	 * after its prefixes).  For the report of overlaps of before.
	 *
	 * Both NULL (an older plugin): the host checks nothing (and says
	 * so at start-up).
	 */
	int	(*find_location_owner)(S, A, const char *tenant,
		    const struct pgl_location_probe *q,
		    struct pgl_location_owner *, E);
	int	(*list_location_owners)(S, A, const char *tenant,
		    const char *after_tenant, const char *after_key,
		    const char *after_id, uint32_t limit,
		    struct pgl_location_owner **, size_t *, E);

	/*
	 * ABI 1.27: the usage ledger (struct pgl_usage; issue 67, quotas).
	 * The store keeps each tenant's figures itself, changed by the
	 * transaction of every write that adds, changes or removes a row
	 * it counts, cascades included (SQL triggers; the MongoDB
	 * plugin's writers), so they are the store's own across workers
	 * and replicas, and a rollback takes its change back.  Reading
	 * them is one short read whatever the tenant holds.
	 *
	 * usage: the rows of tenant (one per kind it holds; kind NULL:
	 * every kind, else that one), by kind; or, tenant NULL, those of
	 * the limit tenants holding the most bytes of the kind (kind NULL:
	 * of every kind together; limit 0: every tenant), by tenant then
	 * kind.
	 *
	 * usage_recount makes tenant's figures again (NULL: every
	 * tenant's) from the rows they count, in one transaction: for a
	 * store whose writes cannot share one with the ledger (atomic()
	 * 0), after a crash between the two, and for an operator's
	 * repair.  Afterwards usage answers what the rows hold.
	 *
	 * trim_audit deletes the n oldest audit events of tenant (its
	 * limit, as trim_events for events); *purged how many went.
	 *
	 * May be NULL (an older plugin): the host then keeps no quota
	 * but the count limits it always had.
	 */
	int	(*usage)(S, A, const char *tenant, const char *kind,
		    uint32_t limit, struct pgl_usage **, size_t *, E);
	int	(*usage_recount)(S, const char *tenant, E);
	int	(*trim_audit)(S, const char *tenant, uint32_t n,
		    uint64_t *purged, E);
};

#undef S
#undef A
#undef E
#undef P

/* The one symbol every store plugin exports. */
typedef const struct pgl_store_ops *(*pgl_store_plugin_fn)(void);
#define PGL_STORE_SYMBOL	"pangolin_store_plugin"

const struct pgl_store_ops	*pangolin_store_plugin(void);

#endif
