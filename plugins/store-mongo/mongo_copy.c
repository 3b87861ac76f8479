/*
 * copy_assets_bulk: a branch's assets into another branch in five round
 * trips, whatever the number of assets: a clock value for the copies'
 * seq, what the source sees in one aggregation (its own rows and what it
 * inherits, mongo_lineage.c), a look at the destination branch and at
 * the keys it already sees, and the copies in one ordered bulk insert.
 *
 * The copies get new ObjectIds and new UUID ids (made here: MongoDB has
 * no expression for a random UUID) and keep everything else, timestamps
 * included: a copy is the same table state seen from another branch.
 * ns_filter keeps that namespace and its children, as an index range
 * ([ns + SEP, ns + SEP + 1), like the children listing) rather than a
 * regular expression that would need its own escaping.  names_json keeps
 * the "ns.table" names listed (levels dotted, as the branch API writes
 * them); the dotted form cannot be matched by a query without
 * $replaceAll (MongoDB 4.4), so that filter runs here, on the documents
 * the find returns anyway.
 *
 * All or nothing, as store-sqlite's single INSERT ... SELECT: an asset
 * already on dst fails the call with PGL_EEXISTS before anything is
 * written; the unique index catches one that appears in a race, and
 * then the transaction (or, without one, a delete of the copies made so
 * far) takes the partial copy back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mongo_store.h"

struct copy_item {
	char	*ns;
	char	*name;
	char	id[37];
};

struct copy {
	struct pgl_store	*s;
	const char		*tenant, *catalog, *src, *dst, *ns_filter;
	bson_t			*names_doc;	/* {"n": [...]} */
	const char		**names;	/* sorted, into names_doc */
	size_t			nnames;
	struct copy_item	*items;
	size_t			n, cap;
	mongoc_bulk_operation_t	*bulk;
	char			*dotted;	/* scratch "a.b.table" */
	size_t			dotted_len;
	int64_t			seq;		/* one clock value for all */
	bson_t			**tombs;	/* dst's own, at copied keys */
	size_t			ntombs;
	struct usage_acc	usage;		/* the copies' rows, counted */
};

static int
cmp_str(const void *a, const void *b)
{
	return (strcmp(*(const char *const *)a, *(const char *const *)b));
}

static int
cmp_item(const void *a, const void *b)
{
	const struct copy_item	*x = a, *y = b;
	int			c;

	if ((c = strcmp(x->ns, y->ns)) != 0)
		return (c);
	return (strcmp(x->name, y->name));
}

/*
 * names_json must be a JSON array; its strings are the names kept (any
 * other element matches nothing, as in SQL).  libbson parses documents,
 * so the array is parsed as the one member of a wrapper, and anything
 * that makes the wrapper more than that is refused.
 */
static int
parse_names(struct copy *c, const char *json, struct pgl_err *err)
{
	bson_error_t	e;
	bson_iter_t	it, arr;
	char		*wrapped;
	size_t		len = strlen(json) + 8, n = 0;

	if ((wrapped = malloc(len)) == NULL)
		return (mongo_err(err, PGL_ENOMEM, "out of memory"));
	(void)snprintf(wrapped, len, "{\"n\":%s}", json);
	c->names_doc = bson_new_from_json((const uint8_t *)wrapped, -1, &e);
	free(wrapped);
	if (c->names_doc == NULL || bson_count_keys(c->names_doc) != 1 ||
	    !bson_iter_init_find(&it, c->names_doc, "n") ||
	    !BSON_ITER_HOLDS_ARRAY(&it) || !bson_iter_recurse(&it, &arr))
		return (mongo_err(err, PGL_EINVAL,
		    "names_json is not a JSON array"));
	while (bson_iter_next(&arr))
		n++;
	if ((c->names = calloc(n + 1, sizeof(*c->names))) == NULL)
		return (mongo_err(err, PGL_ENOMEM, "out of memory"));
	(void)bson_iter_recurse(&it, &arr);
	while (bson_iter_next(&arr)) {
		if (BSON_ITER_HOLDS_UTF8(&arr))
			c->names[c->nnames++] = bson_iter_utf8(&arr, NULL);
	}
	qsort(c->names, c->nnames, sizeof(*c->names), cmp_str);
	return (PGL_OK);
}

/* "ns.name" with the namespace levels dotted, into c->dotted. */
static int
dotted_name(struct copy *c, const char *ns, const char *name)
{
	size_t	need = strlen(ns) + strlen(name) + 2;
	char	*p;

	if (need > c->dotted_len) {
		if ((p = realloc(c->dotted, need)) == NULL)
			return (-1);
		c->dotted = p;
		c->dotted_len = need;
	}
	(void)snprintf(c->dotted, need, "%s.%s", ns, name);
	for (p = c->dotted; *p != '\0'; p++) {
		if (*p == PGL_NS_SEP)
			*p = '.';
	}
	return (0);
}

static int
wanted(struct copy *c, const char *ns, const char *name, int *keep)
{
	const char	*key;

	*keep = 1;
	if (c->names == NULL)
		return (PGL_OK);
	if (dotted_name(c, ns, name) == -1)
		return (PGL_ENOMEM);
	key = c->dotted;
	*keep = bsearch(&key, c->names, c->nnames, sizeof(*c->names),
	    cmp_str) != NULL;
	return (PGL_OK);
}

/* The namespace range, if any. */
static void
ns_range(struct copy *c, bson_t *b)
{
	char	*lo, *hi;

	if (c->ns_filter == NULL)
		return;
	lo = bson_strdup_printf("%s%c", c->ns_filter, PGL_NS_SEP);
	hi = bson_strdup_printf("%s%c", c->ns_filter, PGL_NS_SEP + 1);
	BCON_APPEND(b, "$or", "[",
	    "{", "namespace", BCON_UTF8(c->ns_filter), "}",
	    "{", "namespace", "{", "$gte", BCON_UTF8(lo),
	    "$lt", BCON_UTF8(hi), "}", "}", "]");
	bson_free(lo);
	bson_free(hi);
}

/* {tenant_id, catalog_name, branch_name: branch} + the namespace range. */
static void
source_filter(struct copy *c, bson_t *b, const char *branch)
{
	bson_init(b);
	BSON_APPEND_UTF8(b, "tenant_id", c->tenant);
	BSON_APPEND_UTF8(b, "catalog_name", c->catalog);
	BSON_APPEND_UTF8(b, "branch_name", branch);
	ns_range(c, b);
}

/* What branch sees in the namespace range (mongo_lineage.c). */
static int
resolved_view(struct copy *c, const char *branch, int keep_gone,
    mongoc_cursor_t **cur, struct pgl_err *err)
{
	struct lineage_q	 q;
	bson_t			 match = BSON_INITIALIZER, opts, *pipeline;
	int			 rc;

	*cur = NULL;
	memset(&q, 0, sizeof(q));
	ns_range(c, &match);
	q.tenant = c->tenant;
	q.catalog = c->catalog;
	q.branch = branch;
	q.match = &match;
	q.keep_gone = keep_gone;
	if ((rc = mg_opts(c->s, &opts, err)) == PGL_OK) {
		BSON_APPEND_INT64(&opts, "batchSize", BATCH_ALL);
		pipeline = mongo_lineage_pipeline(c->s, &q);
		*cur = mongoc_collection_aggregate(c->s->coll[COLL_BRANCHES],
		    MONGOC_QUERY_NONE, pipeline, &opts, NULL);
		bson_destroy(pipeline);
		bson_destroy(&opts);
	}
	bson_destroy(&match);
	return (rc);
}

static int
add_item(struct copy *c, const char *ns, const char *name)
{
	struct copy_item	*p;
	size_t			cap;

	if (c->n == c->cap) {
		cap = c->cap == 0 ? 64 : c->cap * 2;
		if ((p = reallocarray(c->items, cap, sizeof(*p))) == NULL)
			return (PGL_ENOMEM);
		c->items = p;
		c->cap = cap;
	}
	p = &c->items[c->n];
	if ((p->ns = strdup(ns)) == NULL || (p->name = strdup(name)) == NULL) {
		free(p->ns);
		return (PGL_ENOMEM);
	}
	mongo_uuid_v4(p->id);
	c->n++;
	return (PGL_OK);
}

/* The source document as a copy on dst, queued on the bulk write. */
static int
queue_copy(struct copy *c, const bson_t *src, struct pgl_err *err)
{
	bson_error_t	e;
	bson_iter_t	it;
	bson_t		doc = BSON_INITIALIZER, marked;
	struct usage_delta d[2];
	size_t		nd;
	const char	*ns = NULL, *name = NULL;
	int		keep, rc;

	if (bson_iter_init_find(&it, src, "namespace") &&
	    BSON_ITER_HOLDS_UTF8(&it))
		ns = bson_iter_utf8(&it, NULL);
	if (bson_iter_init_find(&it, src, "name") && BSON_ITER_HOLDS_UTF8(&it))
		name = bson_iter_utf8(&it, NULL);
	if (ns == NULL || name == NULL)
		return (mongo_err(err, PGL_EINTERNAL,
		    "asset without namespace or name in branch %s", c->src));
	if ((rc = wanted(c, ns, name, &keep)) != PGL_OK || !keep)
		return (rc == PGL_OK ? PGL_OK :
		    mongo_err(err, rc, "out of memory"));
	if (add_item(c, ns, name) != PGL_OK)
		return (mongo_err(err, PGL_ENOMEM, "out of memory"));
	/* A copy is a new asset: no business metadata, and search
	 * fields only on main (mongo_governance.c). */
	bson_copy_to_excluding_noinit(src, &doc, "_id", "id", "branch_name",
	    "bm", "grams", "stext", "seq", "gone", "lvl", "_lv", NULL);
	mongo_origin_keep(&doc, src);
	BSON_APPEND_UTF8(&doc, "branch_name", c->dst);
	BSON_APPEND_UTF8(&doc, "id", c->items[c->n - 1].id);
	BSON_APPEND_INT64(&doc, "seq", c->seq);
	(void)mongo_usage_mark(COLL_ASSETS, &doc, &marked, d, &nd);
	mongo_usage_acc(&c->usage, d, nd);
	if (!mongoc_bulk_operation_insert_with_opts(c->bulk, &marked, NULL,
	    &e))
		rc = mongo_error(err, &e, NULL);
	bson_destroy(&marked);
	bson_destroy(&doc);
	return (rc);
}

static int
read_source(struct copy *c, struct pgl_err *err)
{
	mongoc_cursor_t	*cur;
	const bson_t	*b, *reply;
	bson_error_t	e;
	int		rc;

	if ((rc = resolved_view(c, c->src, 0, &cur, err)) != PGL_OK)
		return (rc);
	while (rc == PGL_OK && mongoc_cursor_next(cur, &b))
		rc = queue_copy(c, b, err);
	if (rc == PGL_OK && mongoc_cursor_error_document(cur, &e, &reply))
		rc = mongo_error(err, &e, reply);
	mongoc_cursor_destroy(cur);
	return (rc);
}

/*
 * Any of the copies' keys already on dst?  One aggregation of what dst
 * sees in the same namespaces (tombstones too), each key looked up
 * among the sorted copies: a live one is PGL_EEXISTS; dst's own
 * tombstone there is kept aside, to go before the copies are written.
 */
static int
check_dst(struct copy *c, struct pgl_err *err)
{
	struct copy_item	key;
	mongoc_cursor_t		*cur;
	const bson_t		*b, *reply;
	bson_error_t		e;
	bson_iter_t		it;
	bson_t			**p;
	int			rc;

	qsort(c->items, c->n, sizeof(*c->items), cmp_item);
	if ((rc = resolved_view(c, c->dst, 1, &cur, err)) != PGL_OK)
		return (rc);
	while (rc == PGL_OK && mongoc_cursor_next(cur, &b)) {
		key.ns = key.name = NULL;
		if (bson_iter_init_find(&it, b, "namespace") &&
		    BSON_ITER_HOLDS_UTF8(&it))
			key.ns = (char *)bson_iter_utf8(&it, NULL);
		if (bson_iter_init_find(&it, b, "name") &&
		    BSON_ITER_HOLDS_UTF8(&it))
			key.name = (char *)bson_iter_utf8(&it, NULL);
		if (key.ns == NULL || key.name == NULL ||
		    bsearch(&key, c->items, c->n, sizeof(*c->items),
		    cmp_item) == NULL)
			continue;
		if (!mongo_doc_gone(b))
			rc = mongo_err(err, PGL_EEXISTS, "already exists "
			    "(asset %s on branch %s)", key.name, c->dst);
		else if (bson_iter_init_find(&it, b, "lvl") &&
		    bson_iter_as_int64(&it) == 0) {
			p = reallocarray(c->tombs, c->ntombs + 1, sizeof(*p));
			if (p == NULL || (p[c->ntombs] = bson_copy(b)) == NULL)
				rc = mongo_err(err, PGL_ENOMEM, "out of memory");
			if (p != NULL)
				c->tombs = p;
			if (rc == PGL_OK)
				c->ntombs++;
		}
	}
	if (rc == PGL_OK && mongoc_cursor_error_document(cur, &e, &reply))
		rc = mongo_error(err, &e, reply);
	mongoc_cursor_destroy(cur);
	return (rc);
}

/* dst's own tombstones at copied keys: its children first keep them
 * (mongo_protect), then they go, so the copies can take the keys. */
static int
clear_tombstones(struct copy *c, struct pgl_err *err)
{
	struct resolved	 r;
	bson_t		 key;
	const char	*ns, *name;
	bson_iter_t	 it;
	size_t		 i;
	int		 rc = PGL_OK;

	for (i = 0; rc == PGL_OK && i < c->ntombs; i++) {
		memset(&r, 0, sizeof(r));
		r.row = c->tombs[i];
		r.gone = 1;
		r.seq = mongo_doc_seq(r.row);
		ns = name = NULL;
		if (bson_iter_init_find(&it, r.row, "namespace") &&
		    BSON_ITER_HOLDS_UTF8(&it))
			ns = bson_iter_utf8(&it, NULL);
		if (bson_iter_init_find(&it, r.row, "name") &&
		    BSON_ITER_HOLDS_UTF8(&it))
			name = bson_iter_utf8(&it, NULL);
		if (ns == NULL || name == NULL)
			continue;
		rc = mongo_protect(c->s, c->tenant, c->catalog, c->dst, &r,
		    err);
		bson_init(&key);
		BSON_APPEND_UTF8(&key, "tenant_id", c->tenant);
		BSON_APPEND_UTF8(&key, "catalog_name", c->catalog);
		BSON_APPEND_UTF8(&key, "branch_name", c->dst);
		BSON_APPEND_UTF8(&key, "namespace", ns);
		BSON_APPEND_UTF8(&key, "name", name);
		if (rc == PGL_OK)
			rc = mg_delete(c->s, err, COLL_ASSETS, &key, 0, NULL);
		bson_destroy(&key);
	}
	return (rc);
}

static int
branch_exists(struct copy *c, struct pgl_err *err)
{
	bson_t	filter = BSON_INITIALIZER;
	int	found, rc;

	BSON_APPEND_UTF8(&filter, "tenant_id", c->tenant);
	BSON_APPEND_UTF8(&filter, "catalog_name", c->catalog);
	BSON_APPEND_UTF8(&filter, "name", c->dst);
	rc = mg_exists(c->s, err, COLL_BRANCHES, &filter, &found);
	bson_destroy(&filter);
	if (rc == PGL_OK && !found)
		rc = mongo_err(err, PGL_ENOTFOUND, "branch %s not found",
		    c->dst);
	return (rc);
}

/* Without a transaction, a failed bulk write may have inserted a prefix
 * of the copies: they are deleted by their new ids. */
static void
undo_copies(struct copy *c)
{
	struct pgl_err	ignored;
	bson_t		filter, in, ids;
	char		buf[16];
	const char	*k;
	size_t		i;

	source_filter(c, &filter, c->dst);
	BSON_APPEND_DOCUMENT_BEGIN(&filter, "id", &in);
	BSON_APPEND_ARRAY_BEGIN(&in, "$in", &ids);
	for (i = 0; i < c->n; i++) {
		(void)bson_uint32_to_string((uint32_t)i, &k, buf, sizeof(buf));
		BSON_APPEND_UTF8(&ids, k, c->items[i].id);
	}
	bson_append_array_end(&in, &ids);
	bson_append_document_end(&filter, &in);
	/* Never counted (the ledger hears of copies once they all went
	 * in): deleted unmeasured. */
	if (mg_delete_raw(c->s, &ignored, COLL_ASSETS, &filter, 1, NULL) !=
	    PGL_OK)
		c->s->host->log(PGL_LOG_ERR, STORE_NAME ": copy of branch %s "
		    "to %s failed half way and its copies could not be "
		    "removed: %s", c->src, c->dst, ignored.msg);
	bson_destroy(&filter);
}

static int
execute(struct copy *c, struct pgl_err *err)
{
	bson_error_t	e;
	bson_t		reply;
	int		rc = PGL_OK;

	if (mongoc_bulk_operation_execute(c->bulk, &reply, &e) == 0) {
		rc = mongo_error(err, &e, &reply);
		if (rc == PGL_EEXISTS)
			(void)mongo_err(err, rc, "already exists (an asset "
			    "copied to branch %s appeared concurrently)",
			    c->dst);
		if (!c->s->tx_active)
			undo_copies(c);
	}
	bson_destroy(&reply);
	if (rc == PGL_OK)
		rc = mongo_usage_add(c->s, c->usage.d, c->usage.n, err);
	return (rc);
}

static int
copy_tx(struct copy *c, struct pgl_err *err)
{
	bson_t	opts;
	int	rc;

	if ((rc = mg_opts(c->s, &opts, err)) != PGL_OK)
		return (rc);
	BSON_APPEND_BOOL(&opts, "ordered", true);
	c->bulk = mongoc_collection_create_bulk_operation_with_opts(
	    c->s->coll[COLL_ASSETS], &opts);
	bson_destroy(&opts);
	if ((rc = mongo_clock_next(c->s, &c->seq, err)) != PGL_OK)
		return (rc);
	if ((rc = read_source(c, err)) != PGL_OK || c->n == 0)
		return (rc);
	if ((rc = branch_exists(c, err)) != PGL_OK)
		return (rc);
	if ((rc = check_dst(c, err)) != PGL_OK)
		return (rc);
	if ((rc = clear_tombstones(c, err)) != PGL_OK)
		return (rc);
	return (execute(c, err));
}

int
mongo_copy_assets_bulk(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *src, const char *dst,
    const char *ns_filter, const char *names_json, uint64_t *copied,
    struct pgl_err *err)
{
	struct copy	c;
	size_t		i;
	int		own, rc = PGL_OK;

	memset(&c, 0, sizeof(c));
	c.s = s;
	c.tenant = tenant;
	c.catalog = catalog;
	c.src = src;
	c.dst = dst;
	c.ns_filter = ns_filter;
	if (copied != NULL)
		*copied = 0;
	if (tenant == NULL || catalog == NULL || src == NULL || dst == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid value (tenant, "
		    "catalog and both branches are required)"));
	if (names_json != NULL)
		rc = parse_names(&c, names_json, err);
	if (rc == PGL_OK && (rc = mg_tx_own_begin(s, &own, err)) == PGL_OK) {
		rc = copy_tx(&c, err);
		rc = mg_tx_own_end(s, own, rc, err);
	}
	if (rc == PGL_OK && copied != NULL)
		*copied = c.n;
	if (c.bulk != NULL)
		mongoc_bulk_operation_destroy(c.bulk);
	for (i = 0; i < c.n; i++) {
		free(c.items[i].ns);
		free(c.items[i].name);
	}
	free(c.items);
	free(c.names);
	free(c.dotted);
	for (i = 0; i < c.ntombs; i++)
		bson_destroy(c.tombs[i]);
	free(c.tombs);
	if (c.names_doc != NULL)
		bson_destroy(c.names_doc);
	return (rc);
}
