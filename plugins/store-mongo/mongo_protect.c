/*
 * Copy-on-write branches (mongo_lineage.c has the design): keeping the
 * descendants' views when a branch changes (protect) or goes
 * (detach_children), by handing its rows down.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mongo_store.h"

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
		p[*n].fork_seq = mongo_iter_int(b, "fork_seq");
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
	struct usage_acc	 acc = { .n = 0 };
	struct usage_delta	 d[2];
	bson_error_t		 e;
	bson_t			 opts, doc, reply, marked;
	size_t			 i, queued = 0, nd;
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
		    PGL_OK) {
			rc = mongo_err(err, PGL_ENOMEM, "out of memory");
			bson_destroy(&doc);
			continue;
		}
		/* Marked and counted as any inserted row (mongo_usage.c). */
		(void)mongo_usage_mark(COLL_ASSETS, &doc, &marked, d, &nd);
		mongo_usage_acc(&acc, d, nd);
		if (!mongoc_bulk_operation_insert_with_opts(bulk, &marked,
		    NULL, &e))
			rc = mongo_error(err, &e, NULL);
		else
			queued++;
		bson_destroy(&marked);
		bson_destroy(&doc);
	}
	if (rc == PGL_OK && queued > 0) {
		if (!mongoc_bulk_operation_execute(bulk, &reply, &e))
			rc = mongo_error(err, &e, &reply);
		bson_destroy(&reply);
		if (rc == PGL_OK)
			rc = mongo_usage_add(s, acc.d, acc.n, err);
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
