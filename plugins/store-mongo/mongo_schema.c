/*
 * Collections and indexes, created at open.  createIndexes is idempotent
 * (an index that exists with the same spec is a no-op), so every worker
 * runs it at start-up and concurrent first opens need no lock.  The meta
 * collection records the schema version, so an older plugin refuses a
 * database a newer one has changed.
 *
 * One collection per SQLite table, with the same field names.  Every
 * natural key has a unique index: that index, not the existence check
 * each create runs first, is what guarantees uniqueness when two writers
 * race (the checks exist to answer PGL_EEXISTS before writing, and for
 * test servers that do not enforce unique indexes).  MongoDB has no
 * foreign keys: references (a catalog's warehouse, an asset's branch and
 * namespace, a commit's parent, ...) are checked by the methods, and
 * cascades are explicit deletes, in one transaction where the deployment
 * has them.
 *
 * Namespaces carry a derived `parent` field (the name up to its last
 * PGL_NS_SEP, "" at the top) so listing the children of a namespace is
 * an index range, not a regular expression.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mongo_store.h"

/*
 * 2: the text index's fields on main's assets (backfilled at upgrade).
 * 3: plan_parts (its indexes are created with the others; no data).
 * 4: copy-on-write branches (ABI 1.12): the counters collection (the
 *    asset clock), branches by parent; branches gain parent and fork_seq,
 *    assets seq and gone.  Nothing is rewritten: an absent field reads as
 *    a root branch, seq 0 and a live row, which is what every document
 *    written before was.
 * 5: plan parts carry their body's length, bytes (ABI 1.14); a part
 *    written before counts 0 bytes until it expires (within ttl_secs).
 * 6: the keys of principal names (ABI 1.14; mongo_name_keys.c): users
 *    and service users gain name_key under sparse unique indexes (or
 *    name_key_dup, for one whose key another holds), backfilled at
 *    upgrade.
 * 7: change events, the outbox (ABI 1.15; mongo_events.c): events,
 *    event_horizon and the tenants' counters "events/<tenant>" in
 *    counters (indexes only; no data).
 * 8: push sinks (ABI 1.16; mongo_webhooks.c): webhooks (indexes only;
 *    no data).
 * 9: data policies and column tags (ABI 1.17; mongo_policies.c):
 *    policies, column_tags (indexes only; no data).
 * 10: recoverable drops (ABI 1.18; mongo_dropped.c): dropped_assets
 *    (indexes only; no data).
 * 11: a drop keeps the asset's column tags (ABI 1.20; dropped_assets
 *    gain column_tags, absent in one of before: none), and an asset's
 *    column tags go with it (mongo_asset_deps.c): those of assets
 *    deleted before are deleted at upgrade.
 * 12: every table owns its files (ABI 1.26; mongo_locations.c): assets
 *    and dropped_assets gain location_key and origin, found by
 *    (tenant_id, location_key); both backfilled at upgrade.
 * 13: the usage ledger (ABI 1.27; mongo_usage.c): tenant_usage, and the
 *    marks of every counted document (qk, qb; qm, qmn), set at upgrade
 *    one document at a time, then counted.
 * 14: keyset pages (ABI 1.28, issue 69): the lists newest first by time
 *    then id, a principal's tokens and its grants by (seq, id), each
 *    under an index that ends in its key; a grant's seq is drawn in
 *    microseconds (mongo_roles.c), so a plugin of before, which draws
 *    milliseconds, must not write beside it (indexes only; no data).
 */
#define SCHEMA_VERSION	14

const char *const	mongo_coll_names[NCOLLS] = {
	[COLL_TENANTS] = "tenants",
	[COLL_WAREHOUSES] = "warehouses",
	[COLL_CATALOGS] = "catalogs",
	[COLL_NAMESPACES] = "namespaces",
	[COLL_BRANCHES] = "branches",
	[COLL_TAGS] = "tags",
	[COLL_COMMITS] = "commits",
	[COLL_ASSETS] = "assets",
	[COLL_IDEMPOTENCY] = "idempotency",
	[COLL_USERS] = "users",
	[COLL_TOKENS] = "active_tokens",
	[COLL_REVOKED] = "revoked_tokens",
	[COLL_SERVICE_USERS] = "service_users",
	[COLL_ROLES] = "roles",
	[COLL_USER_ROLES] = "user_roles",
	[COLL_PERMISSIONS] = "permissions",
	[COLL_AUDIT] = "audit_events",
	[COLL_TASKS] = "tasks",
	[COLL_MERGE_OPS] = "merge_operations",
	[COLL_MERGE_CONFLICTS] = "merge_conflicts",
	[COLL_META] = "pangolin_meta",
	[COLL_TASK_TENANTS] = "task_tenants",
	[COLL_ACCESS] = "access_requests",
	[COLL_SETTINGS] = "settings",
	[COLL_PLAN_PARTS] = "plan_parts",
	[COLL_COUNTERS] = "counters",
	[COLL_EVENTS] = "events",
	[COLL_EVENT_HORIZON] = "event_horizon",
	[COLL_WEBHOOKS] = "webhooks",
	[COLL_POLICIES] = "policies",
	[COLL_COLUMN_TAGS] = "column_tags",
	[COLL_DROPPED] = "dropped_assets",
	[COLL_USAGE] = "tenant_usage",
};

struct index_def {
	int		coll;
	const char	*name;
	int		unique;
	const char	*keys[6];	/* ascending, NULL-terminated */
};

#define KEY_CATALOG	"tenant_id", "catalog_name"

static const struct index_def	indexes[] = {
	{ COLL_TENANTS, "id", 1, { "id" } },
	{ COLL_TENANTS, "name", 1, { "name" } },

	{ COLL_WAREHOUSES, "key", 1, { "tenant_id", "name" } },
	{ COLL_WAREHOUSES, "id", 1, { "id" } },

	{ COLL_CATALOGS, "key", 1, { "tenant_id", "name" } },
	{ COLL_CATALOGS, "id", 1, { "id" } },
	/* "is this warehouse in use", and the rename follow-up. */
	{ COLL_CATALOGS, "warehouse", 0, { "tenant_id", "warehouse_name" } },

	{ COLL_NAMESPACES, "key", 1, { KEY_CATALOG, "name" } },
	{ COLL_NAMESPACES, "parent", 0, { KEY_CATALOG, "parent", "name" } },

	{ COLL_BRANCHES, "key", 1, { KEY_CATALOG, "name" } },
	{ COLL_BRANCHES, "head", 0, { "head_commit_id" } },

	{ COLL_TAGS, "key", 1, { KEY_CATALOG, "name" } },
	{ COLL_TAGS, "commit", 0, { "commit_id" } },

	/* Commit ids are unique store-wide, as store-sqlite's primary key;
	 * $graphLookup follows parent_id -> id on the first index. */
	{ COLL_COMMITS, "id", 1, { "id" } },
	{ COLL_COMMITS, "catalog", 0, { KEY_CATALOG, "id" } },
	{ COLL_COMMITS, "parent", 0, { "parent_id", "tenant_id",
	    "catalog_name" } },

	/* The key's order also serves branch listings sorted by
	 * (namespace, name) and the bulk copy's read. */
	{ COLL_ASSETS, "key", 1, { KEY_CATALOG, "branch_name", "namespace",
	    "name" } },
	{ COLL_ASSETS, "id", 1, { "id" } },
	{ COLL_ASSETS, "namespace", 0, { KEY_CATALOG, "namespace",
	    "branch_name", "name" } },

	{ COLL_IDEMPOTENCY, "key", 1, { "tenant_id", "key" } },
	{ COLL_IDEMPOTENCY, "expiry", 0, { "expires_at" } },

	/* Usernames are unique store-wide (sql_users.c says why). */
	{ COLL_USERS, "id", 1, { "id" } },
	{ COLL_USERS, "username", 1, { "username" } },
	{ COLL_USERS, "tenant", 0, { "tenant_id", "username" } },
	{ COLL_TOKENS, "id", 1, { "id" } },
	{ COLL_TOKENS, "user", 0, { "user_id", "expires_at" } },
	{ COLL_TOKENS, "expiry", 0, { "expires_at" } },
	{ COLL_TOKENS, "tenant", 0, { "tenant_id" } },
	{ COLL_REVOKED, "jti", 1, { "jti" } },
	{ COLL_REVOKED, "expiry", 0, { "expires_at" } },
	{ COLL_SERVICE_USERS, "id", 1, { "id" } },
	{ COLL_SERVICE_USERS, "key", 1, { "tenant_id", "name" } },
	{ COLL_SERVICE_USERS, "key_id", 1, { "key_id" } },
	{ COLL_AUDIT, "id", 1, { "id" } },
	{ COLL_AUDIT, "tenant_time", 0, { "tenant_id", "timestamp" } },
	{ COLL_AUDIT, "time", 0, { "timestamp" } },
	{ COLL_ROLES, "id", 1, { "id" } },
	{ COLL_ROLES, "key", 1, { "tenant_id", "name" } },
	{ COLL_USER_ROLES, "key", 1, { "tenant_id", "principal_id",
	    "role_id" } },
	{ COLL_USER_ROLES, "role", 0, { "role_id" } },
	{ COLL_USER_ROLES, "principal", 0, { "principal_id" } },
	/* Grants list in (seq, _id) order (mongo_roles.c says why); a
	 * deleted principal's go by user_id alone. */
	{ COLL_PERMISSIONS, "id", 1, { "id" } },
	{ COLL_PERMISSIONS, "user_seq", 0, { "tenant_id", "user_id", "seq",
	    "_id" } },
	{ COLL_PERMISSIONS, "tenant_seq", 0, { "tenant_id", "seq", "_id" } },
	{ COLL_PERMISSIONS, "principal", 0, { "user_id" } },

	/* Tasks: a tenant's newest first; claim takes the oldest of a
	 * status. */
	{ COLL_TASKS, "id", 1, { "tenant_id", "id" } },
	{ COLL_TASKS, "tenant_time", 0, { "tenant_id", "created_at" } },
	{ COLL_TASKS, "claim", 0, { "status", "created_at" } },
	/* Fair claims (mongo_tasks.c): a tenant's oldest queued task, and
	 * tenants in turn order. */
	{ COLL_TASKS, "tenant_claim", 0, { "tenant_id", "status",
	    "created_at" } },
	{ COLL_TASK_TENANTS, "id", 1, { "tenant_id" } },
	{ COLL_TASK_TENANTS, "turn", 0, { "claim_seq", "entered_at",
	    "tenant_id" } },

	/* Merges: a catalog's operations newest first, an operation's
	 * conflicts in creation order; commits are walked by both parents
	 * (mongo_merges.c). */
	{ COLL_MERGE_OPS, "id", 1, { "tenant_id", "id" } },
	{ COLL_MERGE_OPS, "catalog_time", 0, { KEY_CATALOG, "initiated_at" } },
	{ COLL_MERGE_CONFLICTS, "id", 1, { "tenant_id", "id" } },
	{ COLL_MERGE_CONFLICTS, "op_seq", 0, { "tenant_id", "merge_op_id",
	    "seq" } },
	{ COLL_COMMITS, "parents", 0, { "parents" } },

	/* Governance (schema 2; mongo_governance.c, mongo_search.c): the
	 * text index of main's assets (a multikey index of trigrams), tags
	 * of business metadata, access requests by tenant, requester, asset
	 * and branch, one settings document per tenant. */
	{ COLL_ASSETS, "search", 0, { "tenant_id", "branch_name", "grams" } },
	{ COLL_ASSETS, "tags", 0, { "tenant_id", "bm.tags" } },
	{ COLL_ACCESS, "id", 1, { "tenant_id", "id" } },
	{ COLL_ACCESS, "tenant_time", 0, { "tenant_id", "requested_at" } },
	{ COLL_ACCESS, "user_time", 0, { "tenant_id", "user_id",
	    "requested_at" } },
	{ COLL_ACCESS, "asset", 0, { "asset_id" } },
	{ COLL_ACCESS, "branch", 0, { KEY_CATALOG, "branch_name" } },
	{ COLL_SETTINGS, "tenant", 1, { "tenant_id" } },

	/* Scan plan parts (schema 3; mongo_plan_parts.c): by key, and by
	 * expiry for the purge. */
	{ COLL_PLAN_PARTS, "key", 1, { "tenant_id", "plan_id", "seq" } },
	{ COLL_PLAN_PARTS, "expiry", 0, { "expires_at" } },

	/* Copy-on-write branches (schema 4; mongo_lineage.c): a branch's
	 * children, and one counter document per key (the upsert of the
	 * first bump relies on the unique index under a race). */
	{ COLL_BRANCHES, "parent", 0, { KEY_CATALOG, "parent" } },
	{ COLL_COUNTERS, "key", 1, { "key" } },

	/* A tenant's stored plans counted (schema 5; mongo_plan_parts.c):
	 * by tenant and expiry, parts older than it count as 0 bytes. */
	{ COLL_PLAN_PARTS, "usage", 0, { "tenant_id", "expires_at" } },
	/* The keys of principal names (schema 6; mongo_name_keys.c): held
	 * ones unique, in the documents that have one (is_sparse below);
	 * those of before that read as another's, looked up.  A service
	 * user's key leads with its tenant id. */
	{ COLL_USERS, "name_key", 1, { "name_key" } },
	{ COLL_USERS, "name_key_dup", 0, { "name_key_dup" } },
	{ COLL_SERVICE_USERS, "name_key", 1, { "name_key" } },
	{ COLL_SERVICE_USERS, "name_key_dup", 0, { "name_key_dup" } },

	/* Change events (schema 7; mongo_events.c): a catalog's stream and
	 * the tenant's, both by seq; ids unique for ever; the purge by
	 * time; a stream's horizon by its key. */
	{ COLL_EVENTS, "key", 1, { "tenant_id", "catalog", "seq" } },
	{ COLL_EVENTS, "id", 1, { "id" } },
	{ COLL_EVENTS, "tenant_seq", 0, { "tenant_id", "seq" } },
	{ COLL_EVENTS, "time", 0, { "ts_ms", "seq" } },
	{ COLL_EVENT_HORIZON, "key", 1, { "tenant_id", "catalog" } },

	/* Push sinks (schema 8; mongo_webhooks.c): one per key, which
	 * decides two racing creates; a tenant's list and every tenant's
	 * (the dispatcher's sweep) in created order. */
	{ COLL_WEBHOOKS, "key", 1, { "tenant_id", "id" } },
	{ COLL_WEBHOOKS, "tenant_created", 0,
	    { "tenant_id", "created_ms", "id" } },
	{ COLL_WEBHOOKS, "created", 0, { "created_ms", "id", "tenant_id" } },

	/* Data policies (schema 9; mongo_policies.c): by key, names unique
	 * per tenant, a catalog's by name (its list, its delete); column
	 * tags by asset and by tag (a tag-scoped policy follows them). */
	{ COLL_POLICIES, "key", 1, { "tenant_id", "id" } },
	{ COLL_POLICIES, "name", 1, { "tenant_id", "name" } },
	{ COLL_POLICIES, "catalog", 0, { KEY_CATALOG, "name" } },
	{ COLL_COLUMN_TAGS, "key", 1, { "tenant_id", "asset_id", "field_id",
	    "tag" } },
	{ COLL_COLUMN_TAGS, "tag", 0, { "tenant_id", "tag", "asset_id",
	    "field_id" } },
	/* Recoverable drops (schema 10; mongo_dropped.c): one per key; a
	 * catalog's list, a tenant's and every tenant's (the expiry
	 * sweep), newest first. */
	{ COLL_DROPPED, "key", 1, { "tenant_id", "id" } },
	{ COLL_DROPPED, "catalog", 0,
	    { "tenant_id", "catalog_name", "dropped_at", "id" } },
	{ COLL_DROPPED, "tenant", 0, { "tenant_id", "dropped_at", "id" } },
	{ COLL_DROPPED, "all", 0, { "dropped_at", "id", "tenant_id" } },
	/* Every table owns its files (schema 12; mongo_locations.c): the
	 * owners of a place, by its key's prefixes and range. */
	{ COLL_ASSETS, "location", 0, { "tenant_id", "location_key" } },
	{ COLL_DROPPED, "location", 0, { "tenant_id", "location_key" } },

	/* The usage ledger (schema 13; mongo_usage.c): one document per
	 * (tenant, kind, slot), a tenant's a range. */
	{ COLL_USAGE, "key", 1, { "tenant_id", "kind", "slot" } },

	/* Keyset pages (schema 14; mongo_read.c, mg_after): a page is a
	 * range of an index that ends in the list's key, from the key on.
	 * The lists by name have theirs in their natural keys. */
	{ COLL_AUDIT, "tenant_time_id", 0, { "tenant_id", "timestamp", "id" } },
	{ COLL_AUDIT, "time_id", 0, { "timestamp", "id" } },
	{ COLL_TOKENS, "user_time_id", 0, { "user_id", "expires_at", "id" } },
	{ COLL_PERMISSIONS, "user_seq_id", 0, { "tenant_id", "user_id", "seq",
	    "id" } },
	{ COLL_PERMISSIONS, "tenant_seq_id", 0, { "tenant_id", "seq", "id" } },
	{ COLL_TASKS, "tenant_time_id", 0, { "tenant_id", "created_at", "id" } },
	{ COLL_MERGE_OPS, "catalog_time_id", 0, { KEY_CATALOG, "initiated_at",
	    "id" } },
	{ COLL_ACCESS, "tenant_time_id", 0, { "tenant_id", "requested_at",
	    "id" } },
	{ COLL_ACCESS, "user_time_id", 0, { "tenant_id", "user_id",
	    "requested_at", "id" } },

	{ COLL_META, "key", 1, { "key" } },
};

#define NINDEXES	(sizeof(indexes) / sizeof(indexes[0]))

/*
 * A name_key index holds only the documents that have a key: one of
 * before whose key another holds has none.  Sparse, one field: a sparse
 * compound index would still hold (tenant_id, null), and CongoDB builds
 * no partial index (partialFilterExpression is ignored there).
 */
static int
is_sparse(const struct index_def *d)
{
	return (strcmp(d->name, "name_key") == 0);
}

static void
append_index(bson_t *list, int i, const struct index_def *d)
{
	bson_t		idx, key;
	char		buf[16];
	const char	*k;
	size_t		j;

	(void)bson_uint32_to_string((uint32_t)i, &k, buf, sizeof(buf));
	BSON_APPEND_DOCUMENT_BEGIN(list, k, &idx);
	BSON_APPEND_DOCUMENT_BEGIN(&idx, "key", &key);
	for (j = 0; d->keys[j] != NULL; j++)
		BSON_APPEND_INT32(&key, d->keys[j], 1);
	bson_append_document_end(&idx, &key);
	BSON_APPEND_UTF8(&idx, "name", d->name);
	if (d->unique)
		BSON_APPEND_BOOL(&idx, "unique", true);
	if (is_sparse(d))
		BSON_APPEND_BOOL(&idx, "sparse", true);
	bson_append_document_end(list, &idx);
}

static int
create_indexes(struct pgl_store *s, int coll, struct pgl_err *err)
{
	bson_error_t	e;
	bson_t		cmd = BSON_INITIALIZER, list, reply;
	size_t		i;
	int		n = 0, rc = PGL_OK;

	BSON_APPEND_UTF8(&cmd, "createIndexes", mongo_coll_names[coll]);
	BSON_APPEND_ARRAY_BEGIN(&cmd, "indexes", &list);
	for (i = 0; i < NINDEXES; i++) {
		if (indexes[i].coll == coll)
			append_index(&list, n++, &indexes[i]);
	}
	bson_append_array_end(&cmd, &list);
	if (!mongoc_collection_write_command_with_opts(s->coll[coll], &cmd,
	    NULL, &reply, &e)) {
		rc = mongo_error(err, &e, &reply);
		(void)mongo_err(err, rc, STORE_NAME ": cannot create indexes "
		    "on %s: %s", mongo_coll_names[coll], e.message);
	}
	bson_destroy(&reply);
	bson_destroy(&cmd);
	return (rc);
}

static void
version_fill(struct doc *d, void *out)
{
	*(int64_t *)out = doc_int(d, "version");
}

struct search_src {
	bson_oid_t	 oid;
	int		 has_oid;
	char		 name[512];
	char		*description;
};

static void
search_src_fill(struct doc *d, void *out)
{
	struct search_src	*src = out;
	bson_iter_t		 it, desc;

	if (bson_iter_init_find(&it, d->b, "_id") &&
	    BSON_ITER_HOLDS_OID(&it)) {
		bson_oid_copy(bson_iter_oid(&it), &src->oid);
		src->has_oid = 1;
	}
	if (bson_iter_init_find(&it, d->b, "name") &&
	    BSON_ITER_HOLDS_UTF8(&it))
		(void)snprintf(src->name, sizeof(src->name), "%s",
		    bson_iter_utf8(&it, NULL));
	if (bson_iter_init(&it, d->b) &&
	    bson_iter_find_descendant(&it, "bm.description", &desc) &&
	    BSON_ITER_HOLDS_UTF8(&desc))
		src->description = strdup(bson_iter_utf8(&desc, NULL));
}

/*
 * Schema 2 adds the text index's fields to the assets of main branches
 * (mongo_search.c); documents written before have none.  One document
 * at a time, by _id, so workers that open together only write the same
 * values twice.
 */
static int
backfill_search(struct pgl_store *s, struct pgl_err *err)
{
	struct search_src	 src;
	bson_t			*filter, key, up, set;
	int			 rc;

	filter = BCON_NEW("branch_name", BCON_UTF8("main"), "grams", "{",
	    "$exists", BCON_BOOL(false), "}");
	for (;;) {
		memset(&src, 0, sizeof(src));
		rc = mg_get(s, NULL, err, COLL_ASSETS, filter, search_src_fill,
		    &src);
		if (rc == PGL_OK && !src.has_oid)
			rc = mongo_err(err, PGL_EINTERNAL, "an asset without "
			    "an ObjectId _id");
		if (rc != PGL_OK)
			break;
		bson_init(&key);
		bson_init(&up);
		BSON_APPEND_OID(&key, "_id", &src.oid);
		BSON_APPEND_DOCUMENT_BEGIN(&up, "$set", &set);
		rc = mongo_search_fields(&set, src.name, src.description);
		bson_append_document_end(&up, &set);
		if (rc == PGL_OK)
			rc = mg_update(s, err, COLL_ASSETS, &key, &up, 0, NULL);
		bson_destroy(&up);
		bson_destroy(&key);
		free(src.description);
		if (rc != PGL_OK)
			break;
	}
	bson_destroy(filter);
	return (rc == PGL_ENOTFOUND ? PGL_OK : rc);
}

/* Records SCHEMA_VERSION; refuses a database written by a newer plugin. */
static int
check_version(struct pgl_store *s, struct pgl_err *err)
{
	bson_t	*filter, *doc, *up;
	int64_t	version = 0;
	int	rc;

	filter = BCON_NEW("key", BCON_UTF8("schema"));
	rc = mg_get(s, NULL, err, COLL_META, filter, version_fill, &version);
	if (rc == PGL_OK && version > SCHEMA_VERSION)
		rc = mongo_err(err, PGL_EINVAL, STORE_NAME ": database schema "
		    "version %lld is newer than this plugin's (%d)",
		    (long long)version, SCHEMA_VERSION);
	else if (rc == PGL_OK && version < SCHEMA_VERSION) {
		if ((version < 2 && (rc = backfill_search(s, err)) !=
		    PGL_OK) || (version < 6 &&
		    (rc = mongo_name_keys_backfill(s, err)) != PGL_OK) ||
		    (version < 11 &&
		    (rc = mongo_drop_orphan_column_tags(s, err)) != PGL_OK) ||
		    (version < 12 &&
		    (rc = mongo_locations_backfill(s, err)) != PGL_OK) ||
		    (version < 13 &&
		    (rc = mongo_usage_backfill(s, err)) != PGL_OK)) {
			bson_destroy(filter);
			return (rc);
		}
		up = BCON_NEW("$set", "{", "version",
		    BCON_INT64(SCHEMA_VERSION), "}");
		rc = mg_update(s, err, COLL_META, filter, up, 0, NULL);
		bson_destroy(up);
	} else if (rc == PGL_ENOTFOUND) {
		doc = BCON_NEW("key", BCON_UTF8("schema"),
		    "version", BCON_INT64(SCHEMA_VERSION));
		rc = mg_insert(s, err, COLL_META, doc);
		/* Another worker's first open got there first. */
		if (rc == PGL_EEXISTS)
			rc = PGL_OK;
		bson_destroy(doc);
	}
	bson_destroy(filter);
	return (rc);
}

int
mongo_schema(struct pgl_store *s, struct pgl_err *err)
{
	int	coll, rc = PGL_OK;

	for (coll = 0; coll < NCOLLS && rc == PGL_OK; coll++)
		rc = create_indexes(s, coll, err);
	if (rc == PGL_OK)
		rc = check_version(s, err);
	return (rc);
}
