/*
 * Copy-on-write branches (mongo_lineage.c has the design): one key
 * resolved on one branch, for get_asset and the writers of a forked
 * branch, and the writers' steps on it: the copy-up of an inherited row,
 * the tombstone of a deletion; and a branch's depth.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mongo_store.h"

/*
 * One key on one branch, for get_asset and the writers of a forked
 * branch: one aggregation on `branches` ($match the branch, $graphLookup
 * its ancestors, then $unionWith the key's rows on every branch of the
 * catalog: on MongoDB an index range of the "namespace" index, at most
 * one row per branch), resolved here.  The rows of one key are few, so
 * resolving them in C costs nothing and keeps the pipeline to stages
 * every server (CongoDB included) runs.
 */
struct lineage {
	char	name[PGL_BRANCH_MAX_DEPTH + 1][512];
	int64_t	fork_seq[PGL_BRANCH_MAX_DEPTH + 1];
	int	n;
};

static void
lineage_add(struct lineage *l, const char *name, int level, int64_t fs)
{
	if (level < 0 || level > PGL_BRANCH_MAX_DEPTH || name == NULL ||
	    strlen(name) >= sizeof(l->name[0]))
		return;
	(void)snprintf(l->name[level], sizeof(l->name[level]), "%s", name);
	l->fork_seq[level] = fs;
	if (level + 1 > l->n)
		l->n = level + 1;
}

int64_t
mongo_iter_int(const bson_t *b, const char *key)
{
	bson_iter_t	it;

	if (bson_iter_init_find(&it, b, key) && BSON_ITER_HOLDS_NUMBER(&it))
		return (bson_iter_as_int64(&it));
	return (0);
}

/* The branch document with its "up": the levels, in order. */
static void
read_lineage(const bson_t *b, struct lineage *l, struct resolved *r)
{
	bson_iter_t	 it, arr;
	bson_t		 up;
	const uint8_t	*data;
	uint32_t	 len;

	r->branch_exists = 1;
	r->has_parent = bson_iter_init_find(&it, b, "parent") &&
	    BSON_ITER_HOLDS_UTF8(&it);
	if (bson_iter_init_find(&it, b, "name") && BSON_ITER_HOLDS_UTF8(&it))
		lineage_add(l, bson_iter_utf8(&it, NULL), 0,
		    mongo_iter_int(b, "fork_seq"));
	if (!bson_iter_init_find(&it, b, "up") || !BSON_ITER_HOLDS_ARRAY(&it) ||
	    !bson_iter_recurse(&it, &arr))
		return;
	while (bson_iter_next(&arr)) {
		if (!BSON_ITER_HOLDS_DOCUMENT(&arr))
			continue;
		bson_iter_document(&arr, &len, &data);
		if (!bson_init_static(&up, data, len) ||
		    !bson_iter_init_find(&it, &up, "name") ||
		    !BSON_ITER_HOLDS_UTF8(&it))
			continue;
		lineage_add(l, bson_iter_utf8(&it, NULL),
		    (int)mongo_iter_int(&up, "d") + 1,
		    mongo_iter_int(&up, "fork_seq"));
	}
}

/* The row's level if it is visible there, else -1. */
static int
row_level(const struct lineage *l, const bson_t *row)
{
	bson_iter_t	 it;
	const char	*branch;
	int		 i;

	if (!bson_iter_init_find(&it, row, "branch_name") ||
	    !BSON_ITER_HOLDS_UTF8(&it))
		return (-1);
	branch = bson_iter_utf8(&it, NULL);
	for (i = 0; i < l->n; i++) {
		if (strcmp(l->name[i], branch) != 0)
			continue;
		if (i == 0 || mongo_doc_seq(row) < l->fork_seq[i - 1])
			return (i);
		return (-1);
	}
	return (-1);
}

static bson_t *
key_pipeline(const char *tenant, const char *catalog, const char *branch,
    const char *ns, const char *name)
{
	return (BCON_NEW("pipeline", "[",
	    "{", "$match", "{", "tenant_id", BCON_UTF8(tenant),
	    "catalog_name", BCON_UTF8(catalog), "name", BCON_UTF8(branch),
	    "}", "}",
	    "{", "$graphLookup", "{",
	    "from", BCON_UTF8(mongo_coll_names[COLL_BRANCHES]),
	    "startWith", BCON_UTF8("$parent"),
	    "connectFromField", BCON_UTF8("parent"),
	    "connectToField", BCON_UTF8("name"),
	    "as", BCON_UTF8("up"),
	    "depthField", BCON_UTF8("d"),
	    "maxDepth", BCON_INT32(PGL_BRANCH_MAX_DEPTH - 1),
	    "restrictSearchWithMatch", "{",
	    "tenant_id", BCON_UTF8(tenant),
	    "catalog_name", BCON_UTF8(catalog), "}", "}", "}",
	    "{", "$unionWith", "{",
	    "coll", BCON_UTF8(mongo_coll_names[COLL_ASSETS]),
	    "pipeline", "[", "{", "$match", "{",
	    "tenant_id", BCON_UTF8(tenant),
	    "catalog_name", BCON_UTF8(catalog),
	    "namespace", BCON_UTF8(ns), "name", BCON_UTF8(name),
	    "}", "}", "]", "}", "}",
	    "]"));
}

/* Reads the key's aggregation into r (the branch document comes first:
 * $unionWith appends). */
static int
read_key(mongoc_cursor_t *cur, struct resolved *r, struct pgl_err *err)
{
	struct lineage	*l;
	const bson_t	*b, *reply;
	bson_error_t	 e;
	int		 lv, rc = PGL_OK;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return (mongo_err(err, PGL_ENOMEM, "out of memory"));
	while (rc == PGL_OK && mongoc_cursor_next(cur, &b)) {
		if (!r->branch_exists && !bson_has_field(b, "branch_name")) {
			read_lineage(b, l, r);
			continue;
		}
		if ((lv = row_level(l, b)) == -1 ||
		    (r->row != NULL && lv >= r->level))
			continue;
		mongo_resolved_free(r);
		if ((r->row = bson_copy(b)) == NULL)
			rc = mongo_err(err, PGL_ENOMEM, "out of memory");
		r->level = lv;
	}
	if (rc == PGL_OK && mongoc_cursor_error_document(cur, &e, &reply))
		rc = mongo_error(err, &e, reply);
	free(l);
	if (rc == PGL_OK && r->row != NULL) {
		r->gone = mongo_doc_gone(r->row);
		r->seq = mongo_doc_seq(r->row);
	}
	return (rc);
}

/* Key (ns, name) on branch in one round trip, tombstones included. */
int
mongo_read_key(struct pgl_store *s, const char *tenant, const char *catalog,
    const char *branch, const char *ns, const char *name,
    struct resolved *r, struct pgl_err *err)
{
	mongoc_cursor_t	*cur;
	bson_t		 opts, *pipeline;
	int		 rc;

	memset(r, 0, sizeof(*r));
	if (tenant == NULL || catalog == NULL || branch == NULL ||
	    ns == NULL || name == NULL)
		return (PGL_OK);
	if ((rc = mg_opts(s, &opts, err)) != PGL_OK)
		return (rc);
	pipeline = key_pipeline(tenant, catalog, branch, ns, name);
	cur = mongoc_collection_aggregate(s->coll[COLL_BRANCHES],
	    MONGOC_QUERY_NONE, pipeline, &opts, NULL);
	rc = read_key(cur, r, err);
	mongoc_cursor_destroy(cur);
	bson_destroy(pipeline);
	bson_destroy(&opts);
	if (rc != PGL_OK)
		mongo_resolved_free(r);
	return (rc);
}

/* A root's own row of the key (a plain find by the key index). */
static int
read_own_key(struct pgl_store *s, const char *tenant, const char *catalog,
    const char *branch, const char *ns, const char *name,
    struct resolved *r, struct pgl_err *err)
{
	mongoc_cursor_t	*cur;
	const bson_t	*b, *reply;
	bson_error_t	 e;
	bson_t		*filter, *opts;
	int		 rc;

	filter = BCON_NEW("tenant_id", BCON_UTF8(tenant),
	    "catalog_name", BCON_UTF8(catalog), "branch_name", BCON_UTF8(branch),
	    "namespace", BCON_UTF8(ns), "name", BCON_UTF8(name));
	opts = BCON_NEW("limit", BCON_INT64(1));
	rc = mg_find(s, err, COLL_ASSETS, filter, opts, &cur);
	bson_destroy(opts);
	bson_destroy(filter);
	if (rc != PGL_OK)
		return (rc);
	if (mongoc_cursor_next(cur, &b)) {
		if ((r->row = bson_copy(b)) == NULL)
			rc = mongo_err(err, PGL_ENOMEM, "out of memory");
		else {
			r->gone = mongo_doc_gone(r->row);
			r->seq = mongo_doc_seq(r->row);
		}
	} else if (mongoc_cursor_error_document(cur, &e, &reply))
		rc = mongo_error(err, &e, reply);
	mongoc_cursor_destroy(cur);
	return (rc);
}

/*
 * For a writer: the branch document first (whether it exists, has a
 * parent), then a root's own row by a find, or a forked branch's key
 * by mongo_read_key.  Two round trips, but the find keeps writes to a
 * root (main, every branch made before schema 4) as cheap as they were.
 */
int
mongo_resolve_key(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *branch, const char *ns,
    const char *name, struct resolved *r, struct pgl_err *err)
{
	struct branch_info	bi;
	int			rc;

	memset(r, 0, sizeof(*r));
	if (tenant == NULL || catalog == NULL || branch == NULL ||
	    ns == NULL || name == NULL)
		return (PGL_OK);
	rc = mongo_branch_info(s, tenant, catalog, branch, &bi, err);
	if (rc != PGL_OK || !bi.exists)
		return (rc);
	if (bi.has_parent)
		return (mongo_read_key(s, tenant, catalog, branch, ns, name, r,
		    err));
	r->branch_exists = 1;
	return (read_own_key(s, tenant, catalog, branch, ns, name, r, err));
}

void
mongo_resolved_free(struct resolved *r)
{
	if (r->row != NULL)
		bson_destroy(r->row);
	r->row = NULL;
}

/*
 * A row as a new document on branch: same content (the same origin: a
 * version of the same asset, ABI 1.26), a new id, the seq and gone
 * given.  The business metadata stays with the id it was put
 * on (a copy is a new asset, as in copy_assets_bulk); a live copy on a
 * main branch gets the search fields (mongo_search.c).
 */
int
mongo_row_copy(bson_t *out, const bson_t *row, const char *branch,
    int64_t seq, int gone)
{
	bson_iter_t	 it;
	const char	*name = NULL;
	char		 id[37];

	bson_init(out);
	bson_copy_to_excluding_noinit(row, out, "_id", "id", "branch_name",
	    "bm", "grams", "stext", "seq", "gone", "lvl", "_lv", "qk", "qb",
	    "qm", "qmn", NULL);
	mongo_origin_keep(out, row);
	mongo_uuid_v4(id);
	BSON_APPEND_UTF8(out, "branch_name", branch);
	BSON_APPEND_UTF8(out, "id", id);
	BSON_APPEND_INT64(out, "seq", seq);
	if (gone)
		BSON_APPEND_BOOL(out, "gone", true);
	if (bson_iter_init_find(&it, row, "name") && BSON_ITER_HOLDS_UTF8(&it))
		name = bson_iter_utf8(&it, NULL);
	if (!gone && name != NULL && strcmp(branch, "main") == 0 &&
	    mongo_search_fields(out, name, NULL) != PGL_OK)
		return (PGL_ENOMEM);
	return (PGL_OK);
}

/*
 * An inherited row becomes branch's own: a copy with a new id and a new
 * seq, which the caller then changes in place.  A concurrent copy-up of
 * the same key loses on the unique key index: a lost race, PGL_ECONFLICT.
 */
int
mongo_copy_up(struct pgl_store *s, const char *branch,
    const struct resolved *r, struct pgl_err *err)
{
	bson_t	doc;
	int64_t	seq;
	int	rc;

	if ((rc = mongo_clock_next(s, &seq, err)) != PGL_OK)
		return (rc);
	if (mongo_row_copy(&doc, r->row, branch, seq, 0) != PGL_OK)
		rc = mongo_err(err, PGL_ENOMEM, "out of memory");
	else
		rc = mg_insert(s, err, COLL_ASSETS, &doc);
	bson_destroy(&doc);
	if (rc == PGL_EEXISTS)
		rc = mongo_err(err, PGL_ECONFLICT, "asset changed "
		    "concurrently on branch %s", branch);
	return (rc);
}

/* "Deleted on this branch": hides the key's rows of the levels above. */
int
mongo_insert_tombstone(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *branch, const char *ns,
    const char *name, const char *kind, struct pgl_err *err)
{
	bson_t	doc = BSON_INITIALIZER;
	char	id[37];
	int64_t	seq, now = mongo_now_ms();
	int	rc;

	if ((rc = mongo_clock_next(s, &seq, err)) != PGL_OK)
		return (rc);
	mongo_uuid_v4(id);
	mg_str(&doc, "tenant_id", tenant);
	BSON_APPEND_UTF8(&doc, "catalog_name", catalog);
	BSON_APPEND_UTF8(&doc, "branch_name", branch);
	BSON_APPEND_UTF8(&doc, "namespace", ns);
	BSON_APPEND_UTF8(&doc, "name", name);
	BSON_APPEND_UTF8(&doc, "id", id);
	mg_str_or(&doc, "kind", kind, "ICEBERG_TABLE");
	BSON_APPEND_NULL(&doc, "location");
	BSON_APPEND_NULL(&doc, "metadata_location");
	BSON_APPEND_UTF8(&doc, "properties", "{}");
	BSON_APPEND_INT64(&doc, "created_at", now);
	BSON_APPEND_INT64(&doc, "updated_at", now);
	BSON_APPEND_INT64(&doc, "seq", seq);
	BSON_APPEND_BOOL(&doc, "gone", true);
	rc = mg_insert(s, err, COLL_ASSETS, &doc);
	bson_destroy(&doc);
	return (rc);
}

static void
depth_fill(struct doc *d, void *out)
{
	*(int *)out = (int)doc_int(d, "n") + 1;
}

/* How many levels branch's lineage has (1: a root); ENOTFOUND if none. */
int
mongo_lineage_depth(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *branch, int *levels,
    struct pgl_err *err)
{
	bson_t	*pipeline;
	int	 rc;

	*levels = 0;
	pipeline = BCON_NEW("pipeline", "[",
	    "{", "$match", "{", "tenant_id", BCON_UTF8(tenant),
	    "catalog_name", BCON_UTF8(catalog), "name", BCON_UTF8(branch),
	    "}", "}",
	    "{", "$graphLookup", "{",
	    "from", BCON_UTF8(mongo_coll_names[COLL_BRANCHES]),
	    "startWith", BCON_UTF8("$parent"),
	    "connectFromField", BCON_UTF8("parent"),
	    "connectToField", BCON_UTF8("name"),
	    "as", BCON_UTF8("up"),
	    "maxDepth", BCON_INT32(PGL_BRANCH_MAX_DEPTH),
	    "restrictSearchWithMatch", "{",
	    "tenant_id", BCON_UTF8(tenant),
	    "catalog_name", BCON_UTF8(catalog), "}", "}", "}",
	    "{", "$project", "{", "n", "{", "$size", BCON_UTF8("$up"), "}",
	    "}", "}",
	    "]");
	rc = mg_aggregate_get(s, NULL, err, COLL_BRANCHES, pipeline,
	    depth_fill, levels);
	bson_destroy(pipeline);
	if (rc == PGL_ENOTFOUND)
		(void)mongo_err(err, rc, "branch %s not found", branch);
	return (rc);
}
