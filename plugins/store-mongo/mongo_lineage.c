/*
 * Copy-on-write branches (issue 29, store ABI 1.12): the clock, the
 * resolving read every asset method goes through, and the steps writers
 * share (protect, copy-up, tombstones).  The design is the one every
 * store implements (docs in the brief of issue 29); here is how MongoDB
 * runs it.
 *
 * A branch document may name its parent and carry fork_seq, the clock
 * value taken when it was forked; an asset document carries seq (the
 * clock value when it was born on its branch) and gone (a tombstone:
 * deleted on this branch).  Absent fields read as a root, 0 and a live
 * row, which is what every document written before schema 4 is.
 *
 * The read is one aggregation on `branches`: $match the branch,
 * $graphLookup its ancestors (at most PGL_BRANCH_MAX_DEPTH), a $project
 * that numbers the levels and gives each ancestor its limit (the
 * fork_seq of the level below it), a $lookup of the assets of every
 * branch of the lineage, and stages that keep, per key, the row of the
 * lowest level that is visible there (level 0: any row; level i > 0:
 * seq < limit_i).  Tombstones then drop out (unless a writer asks for
 * them), and the page is sorted and cut on the server.  CongoDB (the
 * test server) runs every stage of it; its $lookup ignores the
 * sub-pipeline that narrows the lookup to the key on MongoDB 5.0+, so
 * the same filter is applied again after the $unwind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mongo_store.h"

/* $lookup with both localField and a pipeline: MongoDB 5.0 (wire 13). */
#define WIRE_LOOKUP_PIPELINE	13

#define CLOCK_KEY		"asset_clock"

/*
 * The clock: one counter document, $inc'd by findAndModify (upsert,
 * return new).  It runs outside any transaction, as a PostgreSQL
 * sequence does: inside one, every two concurrent writers anywhere in
 * the store would write the same document and one would fail with a
 * write conflict.  A rolled-back writer leaves a gap, which is harmless
 * (only the order of values matters).
 */
int
mongo_clock_next(struct pgl_store *s, int64_t *out, struct pgl_err *err)
{
	mongoc_find_and_modify_opts_t	*fam;
	bson_error_t			 e;
	bson_iter_t			 it;
	bson_t				*filter, *up, reply;
	int				 rc = PGL_EINTERNAL, tries;

	*out = 0;
	filter = BCON_NEW("key", BCON_UTF8(CLOCK_KEY));
	up = BCON_NEW("$inc", "{", "value", BCON_INT64(1), "}");
	fam = mongoc_find_and_modify_opts_new();
	(void)mongoc_find_and_modify_opts_set_update(fam, up);
	(void)mongoc_find_and_modify_opts_set_flags(fam,
	    MONGOC_FIND_AND_MODIFY_UPSERT | MONGOC_FIND_AND_MODIFY_RETURN_NEW);
	/* Two first bumps may both upsert: the unique index fails one
	 * (E11000), which then finds the document the other made. */
	for (tries = 0; tries < 2; tries++) {
		if (!mongoc_collection_find_and_modify_with_opts(
		    s->coll[COLL_COUNTERS], filter, fam, &reply, &e))
			rc = mongo_error(err, &e, &reply);
		else if (bson_iter_init(&it, &reply) &&
		    bson_iter_find_descendant(&it, "value.value", &it)) {
			*out = bson_iter_as_int64(&it);
			rc = PGL_OK;
		} else
			rc = mongo_err(err, PGL_EINTERNAL,
			    STORE_NAME ": the asset clock has no value");
		bson_destroy(&reply);
		if (rc != PGL_EEXISTS)
			break;
	}
	mongoc_find_and_modify_opts_destroy(fam);
	bson_destroy(up);
	bson_destroy(filter);
	return (rc);
}

/* A pipeline under construction: {"pipeline": [stage, ...]}. */
struct stages {
	bson_t		*cmd;
	bson_t		 arr;
	uint32_t	 n;
};

static void
stages_begin(struct stages *st)
{
	st->cmd = bson_new();
	st->n = 0;
	BSON_APPEND_ARRAY_BEGIN(st->cmd, "pipeline", &st->arr);
}

/* Appends the stage and destroys it. */
static void
stage_add(struct stages *st, bson_t *stage)
{
	char		 buf[16];
	const char	*k;

	(void)bson_uint32_to_string(st->n++, &k, buf, sizeof(buf));
	BSON_APPEND_DOCUMENT(&st->arr, k, stage);
	bson_destroy(stage);
}

static bson_t *
stages_end(struct stages *st)
{
	bson_append_array_end(st->cmd, &st->arr);
	return (st->cmd);
}

/*
 * The limit of ancestor u (level u.d + 1) is the fork_seq of the level
 * below it: the branch itself for the parent, else the ancestor one step
 * nearer.
 */
#define CHILD_FORK_SEQ							\
	"{", "$cond", "[",						\
	    "{", "$eq", "[", BCON_UTF8("$$u.d"), BCON_INT32(0), "]", "}",\
	    "{", "$ifNull", "[", BCON_UTF8("$fork_seq"), BCON_INT32(0),	\
	    "]", "}",							\
	    "{", "$ifNull", "[", "{", "$arrayElemAt", "[",		\
		"{", "$map", "{", "input", "{", "$filter", "{",		\
		    "input", BCON_UTF8("$up"), "as", BCON_UTF8("w"),	\
		    "cond", "{", "$eq", "[", BCON_UTF8("$$w.d"),	\
		    "{", "$subtract", "[", BCON_UTF8("$$u.d"),		\
		    BCON_INT32(1), "]", "}", "]", "}", "}", "}",	\
		"as", BCON_UTF8("x"), "in", BCON_UTF8("$$x.fork_seq"),	\
		"}", "}", BCON_INT32(0), "]", "}", BCON_INT32(0), "]", "}",\
	"]", "}"

/* The branch, its ancestors, and per level {n: name, d: level, lim}. */
static void
lineage_stages(struct stages *st, const struct lineage_q *q)
{
	stage_add(st, BCON_NEW("$match", "{",
	    "tenant_id", BCON_UTF8(q->tenant),
	    "catalog_name", BCON_UTF8(q->catalog),
	    "name", BCON_UTF8(q->branch), "}"));
	stage_add(st, BCON_NEW("$graphLookup", "{",
	    "from", BCON_UTF8(mongo_coll_names[COLL_BRANCHES]),
	    "startWith", BCON_UTF8("$parent"),
	    "connectFromField", BCON_UTF8("parent"),
	    "connectToField", BCON_UTF8("name"),
	    "as", BCON_UTF8("up"),
	    "depthField", BCON_UTF8("d"),
	    "maxDepth", BCON_INT32(PGL_BRANCH_MAX_DEPTH - 1),
	    "restrictSearchWithMatch", "{",
	    "tenant_id", BCON_UTF8(q->tenant),
	    "catalog_name", BCON_UTF8(q->catalog), "}",
	    "}"));
	stage_add(st, BCON_NEW("$project", "{", "_id", BCON_INT32(0),
	    "names", "{", "$concatArrays", "[",
	    "[", BCON_UTF8("$name"), "]", BCON_UTF8("$up.name"), "]", "}",
	    "lin", "{", "$concatArrays", "[",
	    "[", "{", "n", BCON_UTF8("$name"),
	    "d", "{", "$literal", BCON_INT32(0), "}",
	    "lim", BCON_NULL, "}", "]",
	    "{", "$map", "{", "input", BCON_UTF8("$up"), "as", BCON_UTF8("u"),
	    "in", "{", "n", BCON_UTF8("$$u.name"),
	    "d", "{", "$add", "[", BCON_UTF8("$$u.d"), BCON_INT32(1), "]", "}",
	    "lim", CHILD_FORK_SEQ,
	    "}", "}", "}",
	    "]", "}", "}"));
}

/* {tenant_id, catalog_name} and the caller's part of the key. */
static void
row_match(bson_t *b, const struct lineage_q *q)
{
	bson_init(b);
	BSON_APPEND_UTF8(b, "tenant_id", q->tenant);
	BSON_APPEND_UTF8(b, "catalog_name", q->catalog);
	if (q->match != NULL)
		bson_concat(b, q->match);
}

/* The assets of every level, one document each, with its level. */
static void
row_stages(struct pgl_store *s, struct stages *st, const struct lineage_q *q)
{
	bson_t	*lookup, *m, l, sub, one, match;

	row_match(&match, q);
	lookup = bson_new();
	BSON_APPEND_DOCUMENT_BEGIN(lookup, "$lookup", &l);
	BSON_APPEND_UTF8(&l, "from", mongo_coll_names[COLL_ASSETS]);
	BSON_APPEND_UTF8(&l, "localField", "names");
	BSON_APPEND_UTF8(&l, "foreignField", "branch_name");
	BSON_APPEND_UTF8(&l, "as", "r");
	/* MongoDB 5.0+: the key index finds only the rows asked for. */
	if (s->wire >= WIRE_LOOKUP_PIPELINE) {
		BSON_APPEND_ARRAY_BEGIN(&l, "pipeline", &sub);
		BSON_APPEND_DOCUMENT_BEGIN(&sub, "0", &one);
		BSON_APPEND_DOCUMENT(&one, "$match", &match);
		bson_append_document_end(&sub, &one);
		bson_append_array_end(&l, &sub);
	}
	bson_append_document_end(lookup, &l);
	stage_add(st, lookup);
	stage_add(st, BCON_NEW("$unwind", BCON_UTF8("$r")));
	stage_add(st, BCON_NEW("$replaceRoot", "{", "newRoot", "{",
	    "$mergeObjects", "[", BCON_UTF8("$r"), "{", "_lv", "{",
	    "$arrayElemAt", "[", BCON_UTF8("$lin"), "{", "$indexOfArray", "[",
	    BCON_UTF8("$names"), BCON_UTF8("$r.branch_name"), "]", "}", "]",
	    "}", "}", "]", "}", "}"));
	m = bson_new();
	BSON_APPEND_DOCUMENT(m, "$match", &match);
	stage_add(st, m);
	bson_destroy(&match);
	/* Visible on its level: own rows always, an ancestor's when born
	 * before the fork below it. */
	stage_add(st, BCON_NEW("$match", "{", "$expr", "{", "$or", "[",
	    "{", "$eq", "[", BCON_UTF8("$_lv.d"), BCON_INT32(0), "]", "}",
	    "{", "$lt", "[", "{", "$ifNull", "[", BCON_UTF8("$seq"),
	    BCON_INT32(0), "]", "}", BCON_UTF8("$_lv.lim"), "]", "}",
	    "]", "}", "}"));
}

/* Per key, the row of the lowest level. */
static void
resolve_stages(struct stages *st)
{
	stage_add(st, BCON_NEW("$sort", "{", "namespace", BCON_INT32(1),
	    "name", BCON_INT32(1), "_lv.d", BCON_INT32(1), "}"));
	stage_add(st, BCON_NEW("$group", "{",
	    "_id", "{", "ns", BCON_UTF8("$namespace"),
	    "n", BCON_UTF8("$name"), "}",
	    "r", "{", "$first", BCON_UTF8("$$ROOT"), "}", "}"));
	stage_add(st, BCON_NEW("$replaceRoot", "{", "newRoot",
	    BCON_UTF8("$r"), "}"));
}

void
mongo_not_gone(bson_t *b)
{
	bson_t	ne;

	BSON_APPEND_DOCUMENT_BEGIN(b, "gone", &ne);
	BSON_APPEND_BOOL(&ne, "$ne", true);
	bson_append_document_end(b, &ne);
}

/* Tombstones out, the kind filter, then the page. */
static void
page_stages(struct stages *st, const struct lineage_q *q)
{
	bson_t	*m = bson_new(), after;

	BSON_APPEND_DOCUMENT_BEGIN(m, "$match", &after);
	if (!q->keep_gone)
		mongo_not_gone(&after);
	if (q->kind != NULL)
		BSON_APPEND_UTF8(&after, "kind", q->kind);
	bson_append_document_end(m, &after);
	stage_add(st, m);
	if (q->count) {
		stage_add(st, BCON_NEW("$count", BCON_UTF8("n")));
		return;
	}
	stage_add(st, BCON_NEW("$sort", "{", "namespace", BCON_INT32(1),
	    "name", BCON_INT32(1), "}"));
	if (q->page != NULL && q->page->offset > 0)
		stage_add(st, BCON_NEW("$skip", BCON_INT64(q->page->offset >
		    INT64_MAX ? INT64_MAX : (int64_t)q->page->offset)));
	if (q->page != NULL && q->page->limit > 0)
		stage_add(st, BCON_NEW("$limit",
		    BCON_INT64((int64_t)q->page->limit)));
	/* The branch asked about, whichever level the row lives on. */
	stage_add(st, BCON_NEW("$addFields", "{",
	    "branch_name", "{", "$literal", BCON_UTF8(q->branch), "}",
	    "lvl", BCON_UTF8("$_lv.d"), "}"));
	stage_add(st, BCON_NEW("$project", "{", "_lv", BCON_INT32(0), "}"));
}

/* The aggregation (on COLL_BRANCHES) that answers q. */
bson_t *
mongo_lineage_pipeline(struct pgl_store *s, const struct lineage_q *q)
{
	struct stages	st;

	stages_begin(&st);
	lineage_stages(&st, q);
	row_stages(s, &st, q);
	resolve_stages(&st);
	page_stages(&st, q);
	return (stages_end(&st));
}

static void
count_fill(struct doc *d, void *out)
{
	*(uint64_t *)out = (uint64_t)doc_int(d, "n");
}

int
mongo_lineage_count(struct pgl_store *s, const struct lineage_q *q,
    uint64_t *out, struct pgl_err *err)
{
	struct lineage_q	 c = *q;
	bson_t			*pipeline;
	int			 rc;

	*out = 0;
	c.count = 1;
	c.page = NULL;
	pipeline = mongo_lineage_pipeline(s, &c);
	rc = mg_aggregate_get(s, NULL, err, COLL_BRANCHES, pipeline,
	    count_fill, out);
	bson_destroy(pipeline);
	/* Nothing to count: $count emits no document. */
	return (rc == PGL_ENOTFOUND ? PGL_OK : rc);
}

int
mongo_doc_gone(const bson_t *b)
{
	bson_iter_t	it;

	if (!bson_iter_init_find(&it, b, "gone"))
		return (0);
	return (bson_iter_as_bool(&it));
}

int64_t
mongo_doc_seq(const bson_t *b)
{
	bson_iter_t	it;

	if (!bson_iter_init_find(&it, b, "seq") ||
	    !BSON_ITER_HOLDS_NUMBER(&it))
		return (0);
	return (bson_iter_as_int64(&it));
}

static void
info_fill(struct doc *d, void *out)
{
	struct branch_info	*bi = out;
	bson_iter_t		 it;
	const char		*v;
	uint32_t		 len;

	bi->exists = 1;
	bi->fork_seq = doc_int(d, "fork_seq");
	if (bson_iter_init_find(&it, d->b, "parent") &&
	    BSON_ITER_HOLDS_UTF8(&it)) {
		v = bson_iter_utf8(&it, &len);
		if (len < sizeof(bi->parent)) {
			memcpy(bi->parent, v, (size_t)len + 1);
			bi->has_parent = 1;
		}
	}
}

int
mongo_branch_info(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *name, struct branch_info *bi,
    struct pgl_err *err)
{
	bson_t	filter = BSON_INITIALIZER;
	int	rc;

	memset(bi, 0, sizeof(*bi));
	mg_str(&filter, "tenant_id", tenant);
	mg_str(&filter, "catalog_name", catalog);
	mg_str(&filter, "name", name);
	rc = mg_get(s, NULL, err, COLL_BRANCHES, &filter, info_fill, bi);
	bson_destroy(&filter);
	if (rc == PGL_ENOTFOUND)
		rc = PGL_OK;
	return (rc);
}

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

static int64_t
iter_int(const bson_t *b, const char *key)
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
		    iter_int(b, "fork_seq"));
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
		    (int)iter_int(&up, "d") + 1, iter_int(&up, "fork_seq"));
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
 * A row as a new document on branch: same content, a new id, the seq
 * and gone given.  The business metadata stays with the id it was put
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
	    "bm", "grams", "stext", "seq", "gone", "lvl", "_lv", NULL);
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

/*
 * Keeping descendants' views: protect (before a branch changes its own
 * row of a key) and delete_branch (before a branch and its rows go) both
 * hand rows r of a branch P to a child C that sees them.  C holding no
 * row of r's key gets a copy (same content, same seq and gone, a new
 * id).  C holding its own row x does not need one, but its children
 * forked before x was born (x.seq >= fork_seq) still read r through C:
 * they are handed r the same way, and so on down.
 */

struct key {
	char	*ns;
	char	*name;
	int64_t	 seq;
};

struct keys {
	struct key	*k;
	size_t		 n;
};

/* Rows handed down (not owned), each with the seq of the holder's own
 * row of its key when it goes one level deeper. */
struct hand {
	const bson_t	**rows;
	int64_t		 *held;
	size_t		  n;
};

static int
cmp_key(const void *a, const void *b)
{
	const struct key	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->ns, y->ns)) != 0)
		return (c);
	return (strcmp(x->name, y->name));
}

static void
keys_free(struct keys *ks)
{
	size_t	i;

	for (i = 0; i < ks->n; i++) {
		free(ks->k[i].ns);
		free(ks->k[i].name);
	}
	free(ks->k);
	ks->k = NULL;
	ks->n = 0;
}

static const char *
field_str(const bson_t *b, const char *field)
{
	bson_iter_t	it;

	if (bson_iter_init_find(&it, b, field) && BSON_ITER_HOLDS_UTF8(&it))
		return (bson_iter_utf8(&it, NULL));
	return (NULL);
}

static int
keys_add(struct keys *ks, const bson_t *b)
{
	struct key	*p;
	const char	*ns = field_str(b, "namespace");
	const char	*name = field_str(b, "name");

	if (ns == NULL || name == NULL)
		return (0);
	if ((p = reallocarray(ks->k, ks->n + 1, sizeof(*p))) == NULL)
		return (-1);
	ks->k = p;
	p = &ks->k[ks->n];
	p->seq = mongo_doc_seq(b);
	if ((p->ns = strdup(ns)) == NULL || (p->name = strdup(name)) == NULL) {
		free(p->ns);
		return (-1);
	}
	ks->n++;
	return (0);
}

/* Reads a cursor into an array of copies (rows) or of keys (ks). */
static int
read_docs(mongoc_cursor_t *cur, bson_t ***rows, size_t *nrows,
    struct keys *ks, struct pgl_err *err)
{
	const bson_t	 *b, *reply;
	bson_error_t	  e;
	bson_t		**p;
	int		  rc = PGL_OK;

	while (rc == PGL_OK && mongoc_cursor_next(cur, &b)) {
		if (ks != NULL) {
			if (keys_add(ks, b) == -1)
				rc = mongo_err(err, PGL_ENOMEM, "out of memory");
			continue;
		}
		if ((p = reallocarray(*rows, *nrows + 1, sizeof(*p))) == NULL ||
		    (p[*nrows] = bson_copy(b)) == NULL)
			rc = mongo_err(err, PGL_ENOMEM, "out of memory");
		if (p != NULL)
			*rows = p;
		if (rc == PGL_OK)
			(*nrows)++;
	}
	if (rc == PGL_OK && mongoc_cursor_error_document(cur, &e, &reply))
		rc = mongo_error(err, &e, reply);
	mongoc_cursor_destroy(cur);
	if (rc == PGL_OK && ks != NULL && ks->n > 0)
		qsort(ks->k, ks->n, sizeof(*ks->k), cmp_key);
	return (rc);
}

/* branch's own rows (whole, into rows) or keys (into ks); one == a row:
 * only that row's key. */
static int
read_own(struct pgl_store *s, const char *tenant, const char *catalog,
    const char *branch, const bson_t *one, bson_t ***rows, size_t *nrows,
    struct keys *ks, struct pgl_err *err)
{
	mongoc_cursor_t	*cur;
	bson_t		*filter, *opts;
	const char	*ns, *name;
	int		 rc;

	filter = BCON_NEW("tenant_id", BCON_UTF8(tenant),
	    "catalog_name", BCON_UTF8(catalog), "branch_name", BCON_UTF8(branch));
	if (one != NULL && (ns = field_str(one, "namespace")) != NULL &&
	    (name = field_str(one, "name")) != NULL)
		BCON_APPEND(filter, "namespace", BCON_UTF8(ns),
		    "name", BCON_UTF8(name));
	opts = ks == NULL ? BCON_NEW("batchSize", BCON_INT64(BATCH_ALL)) :
	    BCON_NEW("batchSize", BCON_INT64(BATCH_ALL), "projection", "{",
	    "namespace", BCON_INT32(1), "name", BCON_INT32(1),
	    "seq", BCON_INT32(1), "}");
	rc = mg_find(s, err, COLL_ASSETS, filter, opts, &cur);
	bson_destroy(opts);
	bson_destroy(filter);
	if (rc == PGL_OK)
		rc = read_docs(cur, rows, nrows, ks, err);
	return (rc);
}

static const struct key *
find_key(const struct keys *ks, const bson_t *row)
{
	struct key	k;

	k.ns = (char *)field_str(row, "namespace");
	k.name = (char *)field_str(row, "name");
	if (k.ns == NULL || k.name == NULL || ks->n == 0)
		return (NULL);
	return (bsearch(&k, ks->k, ks->n, sizeof(*ks->k), cmp_key));
}

struct child {
	char	name[512];
	int64_t	fork_seq;
};

static int
read_children(struct pgl_store *s, const char *tenant, const char *catalog,
    const char *branch, struct child **out, size_t *n, struct pgl_err *err)
{
	mongoc_cursor_t	*cur;
	const bson_t	*b, *reply;
	bson_error_t	 e;
	bson_t		*filter, *proj;
	struct child	*p;
	const char	*name;
	int		 rc;

	*out = NULL;
	*n = 0;
	filter = BCON_NEW("tenant_id", BCON_UTF8(tenant),
	    "catalog_name", BCON_UTF8(catalog), "parent", BCON_UTF8(branch));
	proj = BCON_NEW("projection", "{", "name", BCON_INT32(1),
	    "fork_seq", BCON_INT32(1), "}");
	rc = mg_find(s, err, COLL_BRANCHES, filter, proj, &cur);
	bson_destroy(proj);
	bson_destroy(filter);
	if (rc != PGL_OK)
		return (rc);
	while (rc == PGL_OK && mongoc_cursor_next(cur, &b)) {
		if ((name = field_str(b, "name")) == NULL ||
		    strlen(name) >= sizeof(p->name))
			continue;
		if ((p = reallocarray(*out, *n + 1, sizeof(*p))) == NULL) {
			rc = mongo_err(err, PGL_ENOMEM, "out of memory");
			break;
		}
		*out = p;
		(void)snprintf(p[*n].name, sizeof(p[*n].name), "%s", name);
		p[*n].fork_seq = iter_int(b, "fork_seq");
		(*n)++;
	}
	if (rc == PGL_OK && mongoc_cursor_error_document(cur, &e, &reply))
		rc = mongo_error(err, &e, reply);
	mongoc_cursor_destroy(cur);
	return (rc);
}

static void
hand_free(struct hand *h)
{
	free(h->rows);
	free(h->held);
	memset(h, 0, sizeof(*h));
}

static int
hand_add(struct hand *h, const bson_t *row, int64_t held)
{
	const bson_t	**r;
	int64_t		 *s;

	if ((r = reallocarray(h->rows, h->n + 1, sizeof(*r))) == NULL)
		return (-1);
	h->rows = r;
	if ((s = reallocarray(h->held, h->n + 1, sizeof(*s))) == NULL)
		return (-1);
	h->held = s;
	h->rows[h->n] = row;
	h->held[h->n] = held;
	h->n++;
	return (0);
}

static int	hand_down(struct pgl_store *, const char *, const char *,
		    const char *, const struct hand *, int, struct pgl_err *);

/* The rows held deeper: to each child forked before its own row. */
static int
hand_deeper(struct pgl_store *s, const char *tenant, const char *catalog,
    const char *branch, const struct hand *deeper, int depth,
    struct pgl_err *err)
{
	struct child	*kids = NULL;
	struct hand	 sub;
	size_t		 i, j, n = 0;
	int		 rc;

	rc = read_children(s, tenant, catalog, branch, &kids, &n, err);
	for (i = 0; rc == PGL_OK && i < n; i++) {
		memset(&sub, 0, sizeof(sub));
		for (j = 0; rc == PGL_OK && j < deeper->n; j++) {
			if (deeper->held[j] >= kids[i].fork_seq &&
			    hand_add(&sub, deeper->rows[j], 0) == -1)
				rc = mongo_err(err, PGL_ENOMEM, "out of memory");
		}
		if (rc == PGL_OK && sub.n > 0)
			rc = hand_down(s, tenant, catalog, kids[i].name, &sub,
			    depth + 1, err);
		hand_free(&sub);
	}
	free(kids);
	return (rc);
}

/* Rows h, which branch sees, kept in its view and its descendants'. */
static int
hand_down(struct pgl_store *s, const char *tenant, const char *catalog,
    const char *branch, const struct hand *h, int depth, struct pgl_err *err)
{
	mongoc_bulk_operation_t	*bulk;
	const struct key	*held;
	struct keys		 ks = { NULL, 0 };
	struct hand		 deeper;
	bson_error_t		 e;
	bson_t			 opts, doc, reply;
	size_t			 i, queued = 0;
	int			 rc;

	if (depth > PGL_BRANCH_MAX_DEPTH + 1)
		return (PGL_OK);
	memset(&deeper, 0, sizeof(deeper));
	rc = read_own(s, tenant, catalog, branch, h->n == 1 ? h->rows[0] :
	    NULL, NULL, NULL, &ks, err);
	if (rc != PGL_OK || (rc = mg_opts(s, &opts, err)) != PGL_OK) {
		keys_free(&ks);
		return (rc);
	}
	BSON_APPEND_BOOL(&opts, "ordered", true);
	bulk = mongoc_collection_create_bulk_operation_with_opts(
	    s->coll[COLL_ASSETS], &opts);
	bson_destroy(&opts);
	for (i = 0; rc == PGL_OK && i < h->n; i++) {
		if ((held = find_key(&ks, h->rows[i])) != NULL) {
			if (hand_add(&deeper, h->rows[i], held->seq) == -1)
				rc = mongo_err(err, PGL_ENOMEM, "out of memory");
			continue;
		}
		if (mongo_row_copy(&doc, h->rows[i], branch,
		    mongo_doc_seq(h->rows[i]), mongo_doc_gone(h->rows[i])) !=
		    PGL_OK)
			rc = mongo_err(err, PGL_ENOMEM, "out of memory");
		else if (!mongoc_bulk_operation_insert_with_opts(bulk, &doc,
		    NULL, &e))
			rc = mongo_error(err, &e, NULL);
		else
			queued++;
		bson_destroy(&doc);
	}
	if (rc == PGL_OK && queued > 0) {
		if (!mongoc_bulk_operation_execute(bulk, &reply, &e))
			rc = mongo_error(err, &e, &reply);
		bson_destroy(&reply);
	}
	mongoc_bulk_operation_destroy(bulk);
	keys_free(&ks);
	if (rc == PGL_OK && deeper.n > 0)
		rc = hand_deeper(s, tenant, catalog, branch, &deeper, depth,
		    err);
	hand_free(&deeper);
	return (rc);
}

/*
 * Before branch changes its own row r of a key in place (or removes
 * it), every child forked after r was born keeps seeing r: hand_down.
 * Nothing to do for a key branch does not own.
 */
int
mongo_protect(struct pgl_store *s, const char *tenant, const char *catalog,
    const char *branch, const struct resolved *r, struct pgl_err *err)
{
	struct child	*kids = NULL;
	struct hand	 h;
	size_t		 i, n = 0;
	int		 rc;

	if (r->row == NULL || r->level != 0)
		return (PGL_OK);
	memset(&h, 0, sizeof(h));
	if (hand_add(&h, r->row, 0) == -1)
		return (mongo_err(err, PGL_ENOMEM, "out of memory"));
	rc = read_children(s, tenant, catalog, branch, &kids, &n, err);
	for (i = 0; rc == PGL_OK && i < n; i++) {
		if (r->seq < kids[i].fork_seq)
			rc = hand_down(s, tenant, catalog, kids[i].name, &h, 1,
			    err);
	}
	free(kids);
	hand_free(&h);
	return (rc);
}

/* child now hangs from the deleted branch's parent, as of its fork. */
static int
reparent(struct pgl_store *s, const char *tenant, const char *catalog,
    const char *child, const struct branch_info *gone,
    struct pgl_err *err)
{
	bson_t	*filter, *up;
	int	 rc;

	filter = BCON_NEW("tenant_id", BCON_UTF8(tenant),
	    "catalog_name", BCON_UTF8(catalog), "name", BCON_UTF8(child));
	if (gone->has_parent)
		up = BCON_NEW("$set", "{", "parent", BCON_UTF8(gone->parent),
		    "fork_seq", BCON_INT64(gone->fork_seq), "}");
	else
		up = BCON_NEW("$unset", "{", "parent", BCON_UTF8(""),
		    "fork_seq", BCON_UTF8(""), "}");
	rc = mg_update(s, err, COLL_BRANCHES, filter, up, 0, NULL);
	bson_destroy(up);
	bson_destroy(filter);
	return (rc);
}

/*
 * Before branch is deleted, each child keeps its view: the own rows of
 * branch it saw (born before its fork; tombstones too, unless branch is
 * a root: there they hide nothing) are handed down to it, then it hangs
 * from branch's parent as of branch's own fork.  Copies first, then the
 * new parent: an interrupted delete without transactions leaves copies
 * equal to what the child saw, and can be repeated.
 */
int
mongo_detach_children(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *branch, struct pgl_err *err)
{
	struct branch_info	  bi;
	struct child		 *kids = NULL;
	struct hand		  h;
	bson_t			**rows = NULL;
	size_t			  i, j, n = 0, nrows = 0;
	int			  rc;

	rc = read_children(s, tenant, catalog, branch, &kids, &n, err);
	if (rc != PGL_OK || n == 0) {
		free(kids);
		return (rc);
	}
	rc = mongo_branch_info(s, tenant, catalog, branch, &bi, err);
	if (rc == PGL_OK)
		rc = read_own(s, tenant, catalog, branch, NULL, &rows, &nrows,
		    NULL, err);
	for (i = 0; rc == PGL_OK && i < n; i++) {
		memset(&h, 0, sizeof(h));
		for (j = 0; rc == PGL_OK && j < nrows; j++) {
			if (mongo_doc_seq(rows[j]) >= kids[i].fork_seq ||
			    (mongo_doc_gone(rows[j]) && !bi.has_parent))
				continue;
			if (hand_add(&h, rows[j], 0) == -1)
				rc = mongo_err(err, PGL_ENOMEM, "out of memory");
		}
		if (rc == PGL_OK && h.n > 0)
			rc = hand_down(s, tenant, catalog, kids[i].name, &h, 1,
			    err);
		if (rc == PGL_OK)
			rc = reparent(s, tenant, catalog, kids[i].name, &bi,
			    err);
		hand_free(&h);
	}
	for (j = 0; j < nrows; j++)
		bson_destroy(rows[j]);
	free(rows);
	free(kids);
	return (rc);
}
