/*
 * The usage ledger's writes that read first (store ABI 1.27): an update
 * of a measured field (its documents measured again afterwards), the
 * ABI's recount and trim_audit, and the upgrade that marks the documents
 * of before (schema 13).  mongo_usage.c keeps the ledger;
 * mongo_usage_mark.c says what is measured.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mongo_store.h"

/* 1 when update may change what the ledger counts of a document. */
static int
touches(int coll, const bson_t *update)
{
	bson_iter_t	it, sub;

	if (!bson_iter_init(&it, update))
		return (1);
	while (bson_iter_next(&it)) {
		if (bson_iter_key(&it)[0] != '$')
			return (1);	/* a replacement */
		if (!BSON_ITER_HOLDS_DOCUMENT(&it) ||
		    !bson_iter_recurse(&it, &sub))
			return (1);
		while (bson_iter_next(&sub)) {
			if (mongo_usage_measures(coll, bson_iter_key(&sub)))
				return (1);
		}
	}
	return (0);
}

/* One matched document's _id and its marks before the update. */
struct before {
	bson_oid_t	 oid;
	bson_t		*marks;
};

static int
marks_of(struct pgl_store *s, struct pgl_err *err, int coll,
    const bson_t *filter, int many, struct before **out, size_t *n)
{
	mongoc_cursor_t	*cur;
	const bson_t	*b;
	bson_error_t	 e;
	bson_iter_t	 it;
	bson_t		*opts;
	struct before	*p;
	int		 rc;

	*out = NULL;
	*n = 0;
	opts = BCON_NEW("projection", "{", "_id", BCON_INT32(1),
	    "tenant_id", BCON_INT32(1), "qk", BCON_INT32(1), "qb",
	    BCON_INT32(1), "qm", BCON_INT32(1), "qmn", BCON_INT32(1), "}");
	if (!many)
		BSON_APPEND_INT64(opts, "limit", 1);
	rc = mg_find(s, err, coll, filter, opts, &cur);
	bson_destroy(opts);
	while (rc == PGL_OK && mongoc_cursor_next(cur, &b)) {
		if (!bson_iter_init_find(&it, b, "_id") ||
		    !BSON_ITER_HOLDS_OID(&it))
			continue;
		if ((p = realloc(*out, (*n + 1) * sizeof(*p))) == NULL) {
			rc = mongo_err(err, PGL_ENOMEM, "out of memory");
			break;
		}
		*out = p;
		bson_oid_copy(bson_iter_oid(&it), &p[*n].oid);
		p[*n].marks = bson_copy(b);
		(*n)++;
	}
	if (rc == PGL_OK && cur != NULL &&
	    mongoc_cursor_error_document(cur, &e, &b))
		rc = mongo_error(err, &e, b);
	if (cur != NULL)
		mongoc_cursor_destroy(cur);
	return (rc);
}

static int64_t
int_of(const bson_t *b, const char *key)
{
	bson_iter_t	it;

	if (!bson_iter_init_find(&it, b, key) || !BSON_ITER_HOLDS_NUMBER(&it))
		return (0);
	return (bson_iter_as_int64(&it));
}

static const char *
utf8_of(const bson_t *b, const char *key)
{
	bson_iter_t	it;

	if (bson_iter_init_find(&it, b, key) && BSON_ITER_HOLDS_UTF8(&it))
		return (bson_iter_utf8(&it, NULL));
	return (NULL);
}

/* The deltas that take marks old to new (the kind's, its metadata's). */
static size_t
changes(const bson_t *old, const bson_t *now, struct usage_delta *d)
{
	const char	*t0 = utf8_of(old, "tenant_id"), *k0 = utf8_of(old, "qk");
	const char	*t1 = utf8_of(now, "tenant_id"), *k1 = utf8_of(now, "qk");
	size_t		 n = 0;

	if (k0 != NULL && t0 != NULL) {
		(void)snprintf(d[n].tenant, sizeof(d[n].tenant), "%s", t0);
		(void)snprintf(d[n].kind, sizeof(d[n].kind), "%s", k0);
		d[n].count = -1;
		d[n++].bytes = -int_of(old, "qb");
		if (int_of(old, "qmn") > 0) {
			(void)snprintf(d[n].tenant, sizeof(d[n].tenant), "%s",
			    t0);
			(void)snprintf(d[n].kind, sizeof(d[n].kind),
			    "metadata");
			d[n].count = -1;
			d[n++].bytes = -int_of(old, "qm");
		}
	}
	if (k1 != NULL && t1 != NULL) {
		(void)snprintf(d[n].tenant, sizeof(d[n].tenant), "%s", t1);
		(void)snprintf(d[n].kind, sizeof(d[n].kind), "%s", k1);
		d[n].count = 1;
		d[n++].bytes = int_of(now, "qb");
		if (int_of(now, "qmn") > 0) {
			(void)snprintf(d[n].tenant, sizeof(d[n].tenant), "%s",
			    t1);
			(void)snprintf(d[n].kind, sizeof(d[n].kind),
			    "metadata");
			d[n].count = 1;
			d[n++].bytes = int_of(now, "qm");
		}
	}
	return (n);
}

/* Mark one document again after its update, and tell the ledger. */
static int
remeasure(struct pgl_store *s, struct pgl_err *err, int coll,
    const struct before *b)
{
	mongoc_cursor_t		*cur;
	const bson_t		*doc;
	struct usage_delta	 d[4], acc[2];
	bson_t			 key = BSON_INITIALIZER, marked, up, set, unset;
	size_t			 n, nacc;
	int			 rc, found = 0;

	BSON_APPEND_OID(&key, "_id", &b->oid);
	if ((rc = mg_find(s, err, coll, &key, NULL, &cur)) != PGL_OK) {
		bson_destroy(&key);
		return (rc);
	}
	if (mongoc_cursor_next(cur, &doc)) {
		found = 1;
		(void)mongo_usage_mark(coll, doc, &marked, acc, &nacc);
	}
	mongoc_cursor_destroy(cur);
	if (!found) {
		bson_destroy(&key);
		return (PGL_OK);
	}
	if (int_of(b->marks, "qb") == int_of(&marked, "qb") &&
	    int_of(b->marks, "qm") == int_of(&marked, "qm") &&
	    int_of(b->marks, "qmn") == int_of(&marked, "qmn") &&
	    (utf8_of(b->marks, "qk") == NULL) == (utf8_of(&marked, "qk") ==
	    NULL) && (utf8_of(&marked, "qk") == NULL ||
	    strcmp(utf8_of(b->marks, "qk"), utf8_of(&marked, "qk")) == 0)) {
		bson_destroy(&marked);
		bson_destroy(&key);
		return (PGL_OK);
	}
	bson_init(&up);
	BSON_APPEND_DOCUMENT_BEGIN(&up, "$set", &set);
	BSON_APPEND_INT64(&set, "qb", int_of(&marked, "qb"));
	if (utf8_of(&marked, "qk") != NULL)
		BSON_APPEND_UTF8(&set, "qk", utf8_of(&marked, "qk"));
	if (int_of(&marked, "qmn") > 0) {
		BSON_APPEND_INT64(&set, "qm", int_of(&marked, "qm"));
		BSON_APPEND_INT64(&set, "qmn", 1);
	}
	bson_append_document_end(&up, &set);
	if (int_of(&marked, "qmn") == 0) {
		BSON_APPEND_DOCUMENT_BEGIN(&up, "$unset", &unset);
		BSON_APPEND_UTF8(&unset, "qm", "");
		BSON_APPEND_UTF8(&unset, "qmn", "");
		bson_append_document_end(&up, &unset);
	}
	rc = mg_update_raw(s, err, coll, &key, &up, 0, NULL);
	n = changes(b->marks, &marked, d);
	if (rc == PGL_OK && n > 0)
		rc = mongo_usage_add(s, d, n, err);
	bson_destroy(&up);
	bson_destroy(&marked);
	bson_destroy(&key);
	return (rc);
}

int
mongo_usage_update(struct pgl_store *s, struct pgl_err *err, int coll,
    const bson_t *filter, const bson_t *update, int many, uint64_t *matched)
{
	struct before	*b = NULL;
	uint64_t	 m = 0;
	size_t		 n = 0, i;
	int		 rc;

	if (!touches(coll, update))
		return (mg_update_raw(s, err, coll, filter, update, many,
		    matched));
	rc = marks_of(s, err, coll, filter, many, &b, &n);
	if (rc == PGL_OK)
		rc = mg_update_raw(s, err, coll, filter, update, many, &m);
	if (matched != NULL)
		*matched = m;
	/* What matched before and was not changed measures the same. */
	for (i = 0; rc == PGL_OK && m > 0 && i < n; i++)
		rc = remeasure(s, err, coll, &b[i]);
	for (i = 0; i < n; i++)
		bson_destroy(b[i].marks);
	free(b);
	return (rc);
}
