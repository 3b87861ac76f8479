/*
 * What the usage ledger counts of each document (store ABI 1.27, issue
 * 67), as the SQL stores count their rows (plugins/sql-common/
 * sql_usage.h): the same fields, so a tenant's figures are the same on
 * every store.  A row's bytes are its measured strings' length, scaled,
 * and PGL_USAGE_ROW_BYTES (store.h); an asset's business metadata (its
 * "bm" document here, a row of its own there) is a row of kind metadata.
 *
 * Each counted document carries its marks: qk (its kind), qb (its
 * bytes), and for an asset with business metadata qm and qmn (its
 * bytes, and 1).  mg_insert marks what it inserts; mg_delete adds up
 * the marks of what it is about to delete, in one aggregation; an
 * update of a measured field (mg_update) reads the marks of what it
 * matches, updates, then measures each again and marks the change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mongo_store.h"

#define M(...)	(const char *const []){ __VA_ARGS__, NULL }

static const struct counted {
	int			 coll;
	const char		*kind;		/* NULL: the asset's */
	const char *const	*fields;
} counted[] = {
	{ COLL_NAMESPACES, "namespaces",
	    M("catalog_name", "name", "properties") },
	{ COLL_ASSETS, NULL, M("catalog_name", "branch_name", "namespace",
	    "name", "id", "kind", "location", "metadata_location",
	    "properties", "location_key", "origin") },
	{ COLL_COMMITS, "commits", M("id", "catalog_name", "parent_id",
	    "author", "message", "operations", "merge_parent_id") },
	{ COLL_DROPPED, "dropped", M("id", "catalog_name", "branch_name",
	    "namespace", "name", "kind", "asset_id", "location",
	    "metadata_location", "properties", "dropped_by",
	    "column_tags", "location_key", "origin") },
	{ COLL_POLICIES, "policies", M("id", "name", "catalog_name", "ns",
	    "table_name", "tag", "doc") },
	{ COLL_WEBHOOKS, "webhooks", M("id", "name", "url", "filter",
	    "secrets") },
	{ COLL_EVENTS, "events", M("catalog", "id", "actor",
	    "operation_type", "object_type", "object_name", "object_uuid",
	    "branch", "request_id", "body") },
	{ COLL_AUDIT, "audit", M("id", "user_id", "action", "resource_type",
	    "resource_id", "result", "doc") },
	{ COLL_PLAN_PARTS, "plans", M("plan_id", "table_name", "body") },
	/* The rest a tenant makes (sql_usage.h's U_OTHER_TABLES). */
	{ COLL_CATALOGS, "other", M("name", "id", "catalog_type",
	    "warehouse_name", "storage_location", "federated_config",
	    "properties") },
	{ COLL_WAREHOUSES, "other", M("name", "id", "storage_config",
	    "vending_strategy") },
	{ COLL_BRANCHES, "other", M("catalog_name", "name", "head_commit_id",
	    "branch_type", "assets") },
	{ COLL_TAGS, "other", M("catalog_name", "name", "commit_id") },
	{ COLL_ROLES, "other", M("id", "name", "doc") },
	{ COLL_USER_ROLES, "other", M("principal_id", "role_id", "doc") },
	{ COLL_PERMISSIONS, "other", M("id", "user_id", "doc") },
	{ COLL_SERVICE_USERS, "other", M("id", "name", "key_id",
	    "api_key_hash", "doc") },
	{ COLL_USERS, "other", M("id", "username", "email", "role",
	    "password_hash", "doc") },
	{ COLL_ACCESS, "other", M("id", "user_id", "asset_id", "reason",
	    "status", "reviewed_by", "review_comment") },
	{ COLL_MERGE_OPS, "other", M("id", "catalog_name", "status", "doc") },
	{ COLL_MERGE_CONFLICTS, "other", M("id", "merge_op_id", "doc") },
	{ COLL_COLUMN_TAGS, "other", M("asset_id", "tag") },
	{ COLL_SETTINGS, "other", M("doc") },
};
/* Business metadata: its fields, and its asset's id. */
static const char *const bm_fields[] = { "id", "description", "tags_json",
	"properties", "created_by", "updated_by", NULL };

static const struct counted *
counted_of(int coll)
{
	size_t	i;

	for (i = 0; i < sizeof(counted) / sizeof(counted[0]); i++) {
		if (counted[i].coll == coll)
			return (&counted[i]);
	}
	return (NULL);
}

int
mongo_usage_counted(int coll)
{
	return (counted_of(coll) != NULL);
}

/* 1 when path (an update's field, "a.b" for a part of a) is one the
 * ledger measures in coll's documents, or decides whether they count. */
int
mongo_usage_measures(int coll, const char *path)
{
	const struct counted	*c = counted_of(coll);
	static const char *const always[] = { "tenant_id", "kind", "bm",
	    NULL };
	size_t			 i, len = strcspn(path, ".");

	if (c == NULL)
		return (0);
	for (i = 0; always[i] != NULL; i++)
		if (strlen(always[i]) == len && strncmp(always[i], path,
		    len) == 0)
			return (1);
	for (i = 0; c->fields[i] != NULL; i++)
		if (strlen(c->fields[i]) == len && strncmp(c->fields[i], path,
		    len) == 0)
			return (1);
	return (0);
}

static const char *
str_of(const bson_t *b, const char *key)
{
	bson_iter_t	it;

	if (bson_iter_init_find(&it, b, key) && BSON_ITER_HOLDS_UTF8(&it))
		return (bson_iter_utf8(&it, NULL));
	return (NULL);
}

static int64_t
strings(const bson_t *b, const char *const *fields)
{
	bson_iter_t	it;
	uint32_t	len;
	int64_t		n = 0;
	size_t		i;

	for (i = 0; fields[i] != NULL; i++) {
		if (bson_iter_init_find(&it, b, fields[i]) &&
		    BSON_ITER_HOLDS_UTF8(&it)) {
			(void)bson_iter_utf8(&it, &len);
			n += len;
		}
	}
	return (n);
}

/* A row's bytes from its strings' total (store.h, sql_usage.h). */
static int64_t
size_of(int64_t text)
{
	return (text * PGL_USAGE_TEXT_NUM / PGL_USAGE_TEXT_DEN +
	    PGL_USAGE_ROW_BYTES);
}

/*
 * The document's kind (NULL: not counted: a NATS cursor, root's audit),
 * its bytes, and its metadata's (-1: none).
 */
static const char *
measure(const struct counted *c, const bson_t *b, int64_t *bytes,
    int64_t *mbytes)
{
	const char	*kind = c->kind, *v, *id;
	bson_iter_t	 it;
	bson_t		 bm;
	const uint8_t	*data;
	uint32_t	 len;

	*bytes = 0;
	*mbytes = -1;
	if (str_of(b, "tenant_id") == NULL)
		return (NULL);
	if (c->coll == COLL_WEBHOOKS && ((v = str_of(b, "kind")) == NULL ||
	    strcmp(v, "webhook") != 0))
		return (NULL);
	if (c->coll == COLL_ASSETS) {
		v = str_of(b, "kind");
		kind = v != NULL && strcmp(v, "ICEBERG_TABLE") == 0 ? "tables" :
		    v != NULL && strcmp(v, "VIEW") == 0 ? "views" : "assets";
		if (bson_iter_init_find(&it, b, "bm") &&
		    BSON_ITER_HOLDS_DOCUMENT(&it)) {
			bson_iter_document(&it, &len, &data);
			if (bson_init_static(&bm, data, len)) {
				id = str_of(b, "id");
				*mbytes = size_of(strings(&bm, bm_fields) +
				    (id != NULL ? (int64_t)strlen(id) : 0));
			}
		}
	}
	*bytes = size_of(strings(b, c->fields));
	return (kind);
}

static void
delta(struct usage_delta *d, const char *tenant, const char *kind,
    int64_t count, int64_t bytes)
{
	memset(d, 0, sizeof(*d));
	(void)snprintf(d->tenant, sizeof(d->tenant), "%s", tenant);
	(void)snprintf(d->kind, sizeof(d->kind), "%s", kind);
	d->count = count;
	d->bytes = bytes;
}

int
mongo_usage_mark(int coll, const bson_t *doc, bson_t *out,
    struct usage_delta *acc, size_t *n)
{
	const struct counted	*c = counted_of(coll);
	const char		*kind;
	int64_t			 bytes, mbytes;

	*n = 0;
	bson_init(out);
	bson_copy_to_excluding_noinit(doc, out, "qk", "qb", "qm", "qmn",
	    NULL);
	if (c == NULL)
		return (PGL_OK);
	/* Measured but not counted (a NATS cursor, root's audit): qb 0
	 * says so, and that it was measured. */
	if ((kind = measure(c, doc, &bytes, &mbytes)) == NULL) {
		BSON_APPEND_INT64(out, "qb", 0);
		return (PGL_OK);
	}
	BSON_APPEND_UTF8(out, "qk", kind);
	BSON_APPEND_INT64(out, "qb", bytes);
	delta(&acc[(*n)++], str_of(doc, "tenant_id"), kind, 1, bytes);
	if (mbytes >= 0) {
		BSON_APPEND_INT64(out, "qm", mbytes);
		BSON_APPEND_INT64(out, "qmn", 1);
		delta(&acc[(*n)++], str_of(doc, "tenant_id"), "metadata", 1,
		    mbytes);
	}
	return (PGL_OK);
}

/* The marks of what a delete of filter removes, added up by tenant and
 * kind, as negative deltas (an arena of the caller's: *out malloc'd). */
int
mongo_usage_before_delete(struct pgl_store *s, struct pgl_err *err,
    int coll, const bson_t *filter, int many, struct usage_delta **out,
    size_t *nout)
{
	struct pgl_arena *a;
	struct usage_group *m;
	bson_t		*pipeline;
	void		*items = NULL;
	size_t		 n = 0, i, k = 0;
	int		 rc;

	*out = NULL;
	*nout = 0;
	if ((a = s->host->arena_new()) == NULL)
		return (mongo_err(err, PGL_ENOMEM, "out of memory"));
	/* delete_one takes the first match: so does the sum. */
	pipeline = BCON_NEW("pipeline", "[",
	    "{", "$match", BCON_DOCUMENT(filter), "}",
	    "{", "$limit", BCON_INT64(many ? (int64_t)1 << 62 : 1), "}",
	    "{", "$match", "{", "qk", "{", "$exists", BCON_BOOL(true), "}",
	    "}", "}",
	    "{", "$group", "{", "_id", "{", "t", BCON_UTF8("$tenant_id"),
	    "k", BCON_UTF8("$qk"), "}",
	    "n", "{", "$sum", BCON_INT32(1), "}",
	    "b", "{", "$sum", BCON_UTF8("$qb"), "}",
	    "mn", "{", "$sum", BCON_UTF8("$qmn"), "}",
	    "mb", "{", "$sum", BCON_UTF8("$qm"), "}", "}", "}",
	    "]");
	rc = mg_aggregate(s, a, err, coll, pipeline, mongo_usage_group_fill,
	    sizeof(*m), &items, &n);
	bson_destroy(pipeline);
	m = items;
	if (rc == PGL_OK && n > 0 &&
	    (*out = calloc(2 * n, sizeof(**out))) == NULL)
		rc = mongo_err(err, PGL_ENOMEM, "out of memory");
	for (i = 0; rc == PGL_OK && i < n; i++) {
		if (m[i].tenant == NULL || m[i].kind == NULL)
			continue;
		delta(&(*out)[k++], m[i].tenant, m[i].kind, -m[i].n, -m[i].b);
		if (m[i].mn > 0)
			delta(&(*out)[k++], m[i].tenant, "metadata", -m[i].mn,
			    -m[i].mb);
	}
	s->host->arena_free(a);
	*nout = k;
	return (rc);
}
