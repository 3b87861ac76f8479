/*
 * The metadata store plugin ABI, its types: the entities that cross it,
 * as plain C structs, and the constants they use.  Types only (HAProxy's
 * foo-t.h): the method table, its version gates and the plugin's one
 * symbol are in pangolin/store.h, which includes this.
 *
 * What every type means:
 *  - Every entity is tenant-scoped: its tenant_id (or the tenant the
 *    method is given) says whose it is.
 *  - Strings are NUL-terminated UTF-8.  A NULL string field means SQL
 *    NULL (absent), which a comment says where it is allowed.
 *  - Free-form maps (properties, storage_config, operations, doc) cross
 *    as JSON text: the host validates and writes them, the store keeps
 *    them as given and gives them back byte for byte.
 *  - Namespaces cross as one string: the levels joined by PGL_NS_SEP.
 *    The host rejects control bytes in names, so it is unambiguous.
 *  - Times are epoch milliseconds (*_ms); 0 means "not set" or "never"
 *    where a comment says so.
 *  - A struct whose fields grew with a minor of the ABI says which
 *    (ABI 1.x): such fields are only ever appended, and store.h checks
 *    that they stay where plugins built before expect them.
 */
#ifndef PANGOLIN_STORE_T_H
#define PANGOLIN_STORE_T_H

#include <stddef.h>
#include <stdint.h>

#define PGL_NS_SEP		'\x1f'
#define PGL_NS_SEP_STR		"\x1f"

struct pgl_store;		/* opaque, plugin-owned handle */

/*
 * ABI 1.28: the key a keyset page starts after (struct pgl_page's
 * after): the columns of the list's order, which each list names at its
 * declaration (store.h, "Keyset pages").  A list by name reads s; by
 * namespace then name s and s2; by a time or a sequence number then id
 * n and s.
 */
struct pgl_page_key {
	const char	*s;	/* a name, a namespace, an id */
	const char	*s2;	/* an asset's name (s its namespace) */
	int64_t		 n;	/* a time (ms), a sequence number */
};

struct pgl_page {
	uint32_t	limit;		/* 0 = no limit */
	uint64_t	offset;
	/* ABI 1.28: rows strictly after this key in the list's order (the
	 * offset then counts from there); NULL: from the first.  The host
	 * sets it only for a plugin of 1.28 or later (pgl_store_pages_by_key),
	 * as one built before reads no further than offset. */
	const struct pgl_page_key	*after;
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
 * Identity, RBAC and operations entities.  Only the fields that are
 * queried by are columns; the rest of each record crosses as one JSON
 * document in `doc`, stored as given.
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
	/* ABI 1.28: the grant's place in creation order, the key of
	 * list_permissions' keyset pages with its id (0 from a plugin built
	 * before, and on create, where the store draws it).  As with
	 * pgl_branch's parent (1.12), a list from a plugin built before
	 * has the shorter elements: such a plugin must be rebuilt. */
	int64_t		 seq;
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

#endif
