/*
 * Copy-on-write branches (issue 29, store ABI 1.12): the clock and the
 * resolving read every asset method goes through; one key resolved for
 * the writers and their copy-up and tombstones are mongo_resolve.c's,
 * the descendants' views they protect mongo_protect.c's.  The design is
 * the one every store implements (docs in the brief of issue 29); here
 * is how MongoDB runs it.
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
