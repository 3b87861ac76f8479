/*
 * The usage ledger made again from the documents' marks (store ABI
 * 1.27): the ABI's usage_recount (a store without transactions, a
 * repair), and the upgrade to schema 13, which marks every counted
 * document of before (one at a time, by _id, as schema 2's backfill
 * does) and then counts them.  And trim_audit, a tenant's oldest audit
 * records deleted through the counted delete.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mongo_store.h"

static const int	counted_colls[] = {
	COLL_NAMESPACES, COLL_ASSETS, COLL_COMMITS, COLL_DROPPED,
	COLL_POLICIES, COLL_WEBHOOKS, COLL_EVENTS, COLL_AUDIT,
	COLL_PLAN_PARTS, COLL_CATALOGS, COLL_WAREHOUSES, COLL_BRANCHES,
	COLL_TAGS, COLL_ROLES, COLL_USER_ROLES, COLL_PERMISSIONS,
	COLL_SERVICE_USERS, COLL_USERS, COLL_ACCESS, COLL_MERGE_OPS,
	COLL_MERGE_CONFLICTS, COLL_COLUMN_TAGS, COLL_SETTINGS,
};
#define NCOUNTED	(sizeof(counted_colls) / sizeof(counted_colls[0]))

static int
put(struct pgl_store *s, const char *tenant, const char *kind, int64_t n,
    int64_t b, struct pgl_err *err)
{
	bson_t	*doc;
	int	 rc;

	if (n == 0 && b == 0)
		return (PGL_OK);
	doc = BCON_NEW("tenant_id", BCON_UTF8(tenant), "kind",
	    BCON_UTF8(kind), "slot", BCON_INT32(0), "n", BCON_INT64(n),
	    "bytes", BCON_INT64(b));
	rc = mg_insert_raw(s, err, COLL_USAGE, doc);
	bson_destroy(doc);
	return (rc);
}

/* One collection's marks of tenant (NULL: every tenant) into the
 * ledger, for the tenants that exist. */
static int
recount_coll(struct pgl_store *s, struct pgl_arena *a, int coll,
    const char *tenant, struct pgl_err *err)
{
	struct usage_group *g;
	bson_t		 match = BSON_INITIALIZER, exists, *pipeline;
	void		*items = NULL;
	size_t		 n = 0, i;
	int		 rc;

	if (tenant != NULL)
		BSON_APPEND_UTF8(&match, "tenant_id", tenant);
	BSON_APPEND_DOCUMENT_BEGIN(&match, "qk", &exists);
	BSON_APPEND_BOOL(&exists, "$exists", true);
	bson_append_document_end(&match, &exists);
	pipeline = BCON_NEW("pipeline", "[",
	    "{", "$match", BCON_DOCUMENT(&match), "}",
	    "{", "$group", "{", "_id", "{", "t", BCON_UTF8("$tenant_id"),
	    "k", BCON_UTF8("$qk"), "}",
	    "n", "{", "$sum", BCON_INT32(1), "}",
	    "b", "{", "$sum", BCON_UTF8("$qb"), "}",
	    "mn", "{", "$sum", BCON_UTF8("$qmn"), "}",
	    "mb", "{", "$sum", BCON_UTF8("$qm"), "}", "}", "}",
	    "]");
	rc = mg_aggregate(s, a, err, coll, pipeline, mongo_usage_group_fill,
	    sizeof(*g), &items, &n);
	bson_destroy(pipeline);
	bson_destroy(&match);
	g = items;
	for (i = 0; rc == PGL_OK && i < n; i++) {
		if (g[i].tenant == NULL || g[i].kind == NULL)
			continue;
		if ((rc = mongo_tenant_exists(s, g[i].tenant, err)) ==
		    PGL_ENOTFOUND) {
			rc = PGL_OK;
			continue;
		}
		if (rc == PGL_OK)
			rc = put(s, g[i].tenant, g[i].kind, g[i].n, g[i].b,
			    err);
		if (rc == PGL_OK && g[i].mn > 0)
			rc = put(s, g[i].tenant, "metadata", g[i].mn, g[i].mb,
			    err);
	}
	return (rc);
}

static int
recount_tx(struct pgl_store *s, const char *tenant, struct pgl_err *err)
{
	struct pgl_arena	*a;
	bson_t			 filter = BSON_INITIALIZER;
	size_t			 i;
	int			 rc;

	if ((a = s->host->arena_new()) == NULL)
		return (mongo_err(err, PGL_ENOMEM, "out of memory"));
	mongo_usage_forget(s, tenant);
	if (tenant != NULL)
		BSON_APPEND_UTF8(&filter, "tenant_id", tenant);
	rc = mg_delete_raw(s, err, COLL_USAGE, &filter, 1, NULL);
	for (i = 0; rc == PGL_OK && i < NCOUNTED; i++)
		rc = recount_coll(s, a, counted_colls[i], tenant, err);
	bson_destroy(&filter);
	s->host->arena_free(a);
	return (rc);
}

int
mongo_usage_recount(struct pgl_store *s, const char *tenant,
    struct pgl_err *err)
{
	int	own, rc;

	if ((rc = mg_tx_own_begin(s, &own, err)) != PGL_OK)
		return (rc);
	return (mg_tx_own_end(s, own, recount_tx(s, tenant, err), err));
}

/* {$set: the marks of marked}. */
static void
marks_only(const bson_t *marked, bson_t *up)
{
	bson_iter_t	it;
	bson_t		set;

	BSON_APPEND_DOCUMENT_BEGIN(up, "$set", &set);
	if (bson_iter_init(&it, marked)) {
		while (bson_iter_next(&it)) {
			const char *k = bson_iter_key(&it);

			if (strcmp(k, "qk") == 0 || strcmp(k, "qb") == 0 ||
			    strcmp(k, "qm") == 0 || strcmp(k, "qmn") == 0)
				bson_append_iter(&set, k, -1, &it);
		}
	}
	bson_append_document_end(up, &set);
}

/* Schema 13: each counted document of before marked, then counted. */
int
mongo_usage_backfill(struct pgl_store *s, struct pgl_err *err)
{
	mongoc_cursor_t	*cur;
	const bson_t	*doc;
	bson_t		*filter, *opts, key, marked, up;
	struct usage_delta acc[2];
	bson_iter_t	 it;
	size_t		 i, nacc;
	int		 rc = PGL_OK, more;

	filter = BCON_NEW("qb", "{", "$exists", BCON_BOOL(false), "}");
	opts = BCON_NEW("limit", BCON_INT64(1));
	for (i = 0; rc == PGL_OK && i < NCOUNTED; i++) {
		do {
			more = 0;
			if ((rc = mg_find(s, err, counted_colls[i], filter,
			    opts, &cur)) != PGL_OK)
				break;
			if (mongoc_cursor_next(cur, &doc) &&
			    bson_iter_init_find(&it, doc, "_id")) {
				more = 1;
				(void)mongo_usage_mark(counted_colls[i], doc,
				    &marked, acc, &nacc);
				bson_init(&key);
				bson_append_iter(&key, "_id", -1, &it);
				bson_init(&up);
				marks_only(&marked, &up);
				rc = mg_update_raw(s, err, counted_colls[i],
				    &key, &up, 0, NULL);
				bson_destroy(&up);
				bson_destroy(&key);
				bson_destroy(&marked);
			}
			mongoc_cursor_destroy(cur);
		} while (rc == PGL_OK && more);
	}
	bson_destroy(opts);
	bson_destroy(filter);
	if (rc == PGL_OK)
		rc = mongo_usage_recount(s, NULL, err);
	return (rc);
}

int
mongo_trim_audit(struct pgl_store *s, const char *tenant, uint32_t count,
    uint64_t *purged, struct pgl_err *err)
{
	mongoc_cursor_t	*cur;
	const bson_t	*doc;
	bson_t		*filter, *opts, del = BSON_INITIALIZER, in, ids;
	bson_iter_t	 it;
	char		 buf[16];
	const char	*k;
	uint32_t	 n = 0;
	int		 rc;

	if (purged != NULL)
		*purged = 0;
	if (tenant == NULL)
		return (mongo_err(err, PGL_EINVAL, "trim_audit needs a tenant"));
	if (count == 0)
		return (PGL_OK);
	filter = BCON_NEW("tenant_id", BCON_UTF8(tenant));
	opts = BCON_NEW("sort", "{", "timestamp", BCON_INT32(1), "}",
	    "projection", "{", "_id", BCON_INT32(1), "}",
	    "limit", BCON_INT64(count));
	rc = mg_find(s, err, COLL_AUDIT, filter, opts, &cur);
	BSON_APPEND_DOCUMENT_BEGIN(&del, "_id", &in);
	BSON_APPEND_ARRAY_BEGIN(&in, "$in", &ids);
	while (rc == PGL_OK && mongoc_cursor_next(cur, &doc)) {
		if (!bson_iter_init_find(&it, doc, "_id"))
			continue;
		(void)bson_uint32_to_string(n++, &k, buf, sizeof(buf));
		bson_append_iter(&ids, k, -1, &it);
	}
	bson_append_array_end(&in, &ids);
	bson_append_document_end(&del, &in);
	if (cur != NULL)
		mongoc_cursor_destroy(cur);
	if (rc == PGL_OK && n > 0)
		rc = mg_delete(s, err, COLL_AUDIT, &del, 1, purged);
	bson_destroy(&del);
	bson_destroy(opts);
	bson_destroy(filter);
	return (rc);
}
