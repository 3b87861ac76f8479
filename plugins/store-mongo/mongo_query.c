/*
 * The one path every query takes: session options in, driver call,
 * documents read into the caller's arena, driver errors mapped to store
 * codes.  Keeping that here lets each method be a filter, an update and a
 * few lines.
 *
 * Kept whole, over 600 lines, on purpose: it is that one path.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mongo_store.h"

/* Where documents go: one struct (cap 1, fixed) or a growing array. */
struct reader {
	struct doc	doc;
	doc_fill_fn	fill;
	size_t		size;
	void		*items;
	size_t		n;
	size_t		cap;
	int		grow;
};

int
mongo_err(struct pgl_err *err, int code, const char *fmt, ...)
{
	va_list	ap;

	if (err != NULL) {
		err->code = code;
		va_start(ap, fmt);
		(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return (code);
}

/* Server codes that mean "not now": the server or its primary is away. */
static const int32_t	unavailable_codes[] = {
	6,	/* HostUnreachable */
	7,	/* HostNotFound */
	89,	/* NetworkTimeout */
	91,	/* ShutdownInProgress */
	189,	/* PrimarySteppedDown */
	9001,	/* SocketException */
	10107,	/* NotWritablePrimary */
	11600,	/* InterruptedAtShutdown */
	11602,	/* InterruptedDueToReplStateChange */
	13435,	/* NotPrimaryNoSecondaryOk */
	13436,	/* NotPrimaryOrSecondary */
};

/* A code the server sent (error API 2), not one of the driver's own. */
static int
server_code(const bson_error_t *e, int32_t code)
{
	return ((e->domain == MONGOC_ERROR_SERVER ||
	    e->domain == MONGOC_ERROR_WRITE_CONCERN) &&
	    (int32_t)e->code == code);
}

static int
unavailable(const bson_error_t *e)
{
	size_t	i;

	if (e->domain == MONGOC_ERROR_STREAM ||
	    e->domain == MONGOC_ERROR_SERVER_SELECTION)
		return (1);
	for (i = 0; i < sizeof(unavailable_codes) / sizeof(int32_t); i++) {
		if (server_code(e, unavailable_codes[i]))
			return (1);
	}
	return (0);
}

/*
 * Maps a failed driver call to a store status.  11000 is the unique
 * index speaking (the real guarantee behind every "already exists"; the
 * checks before each insert only give the answer early).  A write
 * conflict, or any error MongoDB labels transient inside a transaction,
 * is a lost race between transactions (PGL_ERETRY): the host runs the
 * transaction again.  Not when the label says a commit's outcome is
 * unknown: that one may have landed.
 */
int
mongo_error(struct pgl_err *err, const bson_error_t *e, const bson_t *reply)
{
	/* 11000 is also the driver's own MONGOC_ERROR_DUPLICATE_KEY. */
	if (e->code == 11000 || server_code(e, 11001) ||
	    server_code(e, 12582))
		return (mongo_err(err, PGL_EEXISTS, "already exists (%s)",
		    e->message));
	if (unavailable(e))
		return (mongo_err(err, PGL_EUNAVAIL,
		    STORE_NAME ": server unavailable: %s", e->message));
	if ((server_code(e, 112) || (reply != NULL &&
	    mongoc_error_has_label(reply, "TransientTransactionError"))) &&
	    (reply == NULL ||
	    !mongoc_error_has_label(reply, "UnknownTransactionCommitResult")))
		return (mongo_err(err, PGL_ERETRY,
		    STORE_NAME ": concurrent change, retry: %s", e->message));
	if (e->domain == MONGOC_ERROR_BSON)
		return (mongo_err(err, PGL_EINVAL,
		    STORE_NAME ": invalid value: %s", e->message));
	return (mongo_err(err, PGL_EINTERNAL, STORE_NAME ": %s (%u.%u)",
	    e->message, e->domain, e->code));
}

int64_t
mongo_now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* A UUID v4 in its 8-4-4-4-12 text form, like store-sqlite's. */
void
mongo_uuid_v4(char out[37])
{
	static const char	hex[] = "0123456789abcdef";
	unsigned char		b[16];
	char			*p = out;
	int			i;

	arc4random_buf(b, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[b[i] >> 4];
		*p++ = hex[b[i] & 0x0f];
	}
	*p = '\0';
}

void
mg_str(bson_t *b, const char *key, const char *value)
{
	if (value == NULL)
		BSON_APPEND_NULL(b, key);
	else
		BSON_APPEND_UTF8(b, key, value);
}

void
mg_str_or(bson_t *b, const char *key, const char *value, const char *dflt)
{
	BSON_APPEND_UTF8(b, key, value != NULL ? value : dflt);
}

/* Document fields. */

const char *
doc_str(struct doc *d, const char *key)
{
	bson_iter_t	it;
	const char	*v;
	char		*p;
	uint32_t	len;

	if (!bson_iter_init_find(&it, d->b, key) || !BSON_ITER_HOLDS_UTF8(&it))
		return (NULL);
	v = bson_iter_utf8(&it, &len);
	if ((p = d->s->host->arena_strndup(d->a, v, len)) == NULL)
		d->oom = 1;
	return (p);
}

/*
 * Integers may come back as any BSON number: a server (or a test server
 * written in JavaScript) is free to store 1700000000000 as a double.
 * Doubles are clamped, never converted out of range.
 */
int64_t
doc_int(struct doc *d, const char *key)
{
	bson_iter_t	it;
	double		v;

	if (!bson_iter_init_find(&it, d->b, key))
		return (0);
	switch (bson_iter_type(&it)) {
	case BSON_TYPE_INT32:
		return (bson_iter_int32(&it));
	case BSON_TYPE_INT64:
		return (bson_iter_int64(&it));
	case BSON_TYPE_BOOL:
		return (bson_iter_bool(&it));
	case BSON_TYPE_DOUBLE:
		v = bson_iter_double(&it);
		if (isnan(v))
			return (0);
		if (v >= 9223372036854775807.0)
			return (INT64_MAX);
		if (v <= -9223372036854775808.0)
			return (INT64_MIN);
		return ((int64_t)v);
	default:
		return (0);
	}
}

int
doc_bool(struct doc *d, const char *key)
{
	return (doc_int(d, key) != 0);
}

/* Session and cursors. */

int
mg_opts(struct pgl_store *s, bson_t *opts, struct pgl_err *err)
{
	bson_error_t	e;

	bson_init(opts);
	if (s->tx_active && !mongoc_client_session_append(s->session, opts,
	    &e)) {
		bson_destroy(opts);
		bson_init(opts);
		return (mongo_error(err, &e, NULL));
	}
	return (PGL_OK);
}

static int
reader_slot(struct reader *rd, void **elem)
{
	void	*p;
	size_t	cap;

	if (rd->n == rd->cap && rd->grow) {
		cap = rd->cap == 0 ? 16 : rd->cap * 2;
		p = rd->doc.s->host->arena_alloc(rd->doc.a, cap * rd->size);
		if (p == NULL)
			return (PGL_ENOMEM);
		if (rd->n > 0)
			memcpy(p, rd->items, rd->n * rd->size);
		rd->items = p;
		rd->cap = cap;
	}
	*elem = rd->n < rd->cap ? (char *)rd->items + rd->n * rd->size : NULL;
	return (PGL_OK);
}

static int
reader_doc(struct reader *rd, const bson_t *b, struct pgl_err *err)
{
	void	*elem;

	if (reader_slot(rd, &elem) != PGL_OK)
		return (mongo_err(err, PGL_ENOMEM, "arena exhausted"));
	if (elem == NULL)	/* a get on a unique key: one is enough */
		return (PGL_OK);
	if (rd->size > 0)
		memset(elem, 0, rd->size);
	rd->doc.b = b;
	rd->fill(&rd->doc, elem);
	if (rd->doc.oom)
		return (mongo_err(err, PGL_ENOMEM, "arena exhausted"));
	rd->n++;
	return (PGL_OK);
}

/* Drains and destroys the cursor. */
static int
read_cursor(mongoc_cursor_t *cur, struct reader *rd, struct pgl_err *err)
{
	const bson_t	*b, *reply;
	bson_error_t	e;
	int		rc = PGL_OK;

	while (rc == PGL_OK && mongoc_cursor_next(cur, &b))
		rc = reader_doc(rd, b, err);
	if (rc == PGL_OK && mongoc_cursor_error_document(cur, &e, &reply))
		rc = mongo_error(err, &e, reply);
	mongoc_cursor_destroy(cur);
	return (rc);
}

int
mg_find_and_modify(struct pgl_store *s, struct pgl_arena *a,
    struct pgl_err *err, int coll, const bson_t *filter, const bson_t *sort,
    const bson_t *update, doc_fill_fn fill, void *out)
{
	struct reader			 rd = { { s, a, NULL, 0 }, fill, 0, out,
					    0, 1, 0 };
	mongoc_find_and_modify_opts_t	*fam;
	bson_error_t			 e;
	bson_iter_t			 it;
	bson_t				 opts, reply, value;
	const uint8_t			*data;
	uint32_t			 len;
	int				 rc;

	if ((rc = mg_opts(s, &opts, err)) != PGL_OK)
		return (rc);
	fam = mongoc_find_and_modify_opts_new();
	(void)mongoc_find_and_modify_opts_set_sort(fam, sort);
	(void)mongoc_find_and_modify_opts_set_update(fam, update);
	(void)mongoc_find_and_modify_opts_set_flags(fam,
	    MONGOC_FIND_AND_MODIFY_RETURN_NEW);
	(void)mongoc_find_and_modify_opts_append(fam, &opts);
	if (!mongoc_collection_find_and_modify_with_opts(s->coll[coll], filter,
	    fam, &reply, &e))
		rc = mongo_error(err, &e, &reply);
	else if (!bson_iter_init_find(&it, &reply, "value") ||
	    !BSON_ITER_HOLDS_DOCUMENT(&it))
		rc = mongo_err(err, PGL_ENOTFOUND, "not found");
	else {
		bson_iter_document(&it, &len, &data);
		if (!bson_init_static(&value, data, len))
			rc = mongo_err(err, PGL_EINTERNAL, "bad reply");
		else
			rc = reader_doc(&rd, &value, err);
	}
	mongoc_find_and_modify_opts_destroy(fam);
	bson_destroy(&opts);
	bson_destroy(&reply);
	return (rc);
}

int
mg_find(struct pgl_store *s, struct pgl_err *err, int coll,
    const bson_t *filter, const bson_t *extra, mongoc_cursor_t **out)
{
	bson_t	opts;
	int	rc;

	*out = NULL;
	if ((rc = mg_opts(s, &opts, err)) != PGL_OK)
		return (rc);
	if (extra != NULL)
		bson_concat(&opts, extra);
	*out = mongoc_collection_find_with_opts(s->coll[coll], filter, &opts,
	    NULL);
	bson_destroy(&opts);
	return (PGL_OK);
}

int
mg_get(struct pgl_store *s, struct pgl_arena *a, struct pgl_err *err,
    int coll, const bson_t *filter, doc_fill_fn fill, void *out)
{
	/* The caller's struct is the one element (size 0: left as is until
	 * the fill function writes it). */
	struct reader	rd = { { s, a, NULL, 0 }, fill, 0, out, 0, 1, 0 };
	mongoc_cursor_t	*cur;
	bson_t		*limit = BCON_NEW("limit", BCON_INT64(1));
	int		rc;

	rc = mg_find(s, err, coll, filter, limit, &cur);
	bson_destroy(limit);
	if (rc == PGL_OK)
		rc = read_cursor(cur, &rd, err);
	if (rc == PGL_OK && rd.n == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "not found");
	return (rc);
}

/* skip and limit: a page of 0 means no limit; an offset past INT64_MAX
 * is as far past the end as INT64_MAX. */
static void
page_opts(bson_t *opts, const struct pgl_page *pg)
{
	int64_t	batch = BATCH_ALL;

	if (pg != NULL && pg->offset > 0)
		BSON_APPEND_INT64(opts, "skip", pg->offset > INT64_MAX ?
		    INT64_MAX : (int64_t)pg->offset);
	if (pg != NULL && pg->limit > 0) {
		BSON_APPEND_INT64(opts, "limit", (int64_t)pg->limit);
		if (pg->limit < batch)
			batch = pg->limit;
	}
	BSON_APPEND_INT64(opts, "batchSize", batch);
}

int
mg_list(struct pgl_store *s, struct pgl_arena *a, struct pgl_err *err,
    int coll, const bson_t *filter, const bson_t *sort,
    const struct pgl_page *pg, doc_fill_fn fill, size_t size, void **items,
    size_t *n)
{
	struct reader	rd = { { s, a, NULL, 0 }, fill, size, NULL, 0, 0, 1 };
	mongoc_cursor_t	*cur;
	bson_t		extra = BSON_INITIALIZER;
	int		rc;

	if (sort != NULL)
		BSON_APPEND_DOCUMENT(&extra, "sort", sort);
	page_opts(&extra, pg);
	rc = mg_find(s, err, coll, filter, &extra, &cur);
	bson_destroy(&extra);
	if (rc == PGL_OK)
		rc = read_cursor(cur, &rd, err);
	*items = rc == PGL_OK ? rd.items : NULL;
	*n = rc == PGL_OK ? rd.n : 0;
	return (rc);
}

int
mg_aggregate(struct pgl_store *s, struct pgl_arena *a, struct pgl_err *err,
    int coll, const bson_t *pipeline, doc_fill_fn fill, size_t size,
    void **items, size_t *n)
{
	struct reader	rd = { { s, a, NULL, 0 }, fill, size, NULL, 0, 0, 1 };
	mongoc_cursor_t	*cur;
	bson_t		opts;
	int		rc;

	*items = NULL;
	*n = 0;
	if ((rc = mg_opts(s, &opts, err)) != PGL_OK)
		return (rc);
	BSON_APPEND_INT64(&opts, "batchSize", BATCH_ALL);
	cur = mongoc_collection_aggregate(s->coll[coll], MONGOC_QUERY_NONE,
	    pipeline, &opts, NULL);
	bson_destroy(&opts);
	if ((rc = read_cursor(cur, &rd, err)) == PGL_OK) {
		*items = rd.items;
		*n = rd.n;
	}
	return (rc);
}

int
mg_aggregate_get(struct pgl_store *s, struct pgl_arena *a,
    struct pgl_err *err, int coll, const bson_t *pipeline, doc_fill_fn fill,
    void *out)
{
	struct reader	rd = { { s, a, NULL, 0 }, fill, 0, out, 0, 1, 0 };
	mongoc_cursor_t	*cur;
	bson_t		opts;
	int		rc;

	if ((rc = mg_opts(s, &opts, err)) != PGL_OK)
		return (rc);
	cur = mongoc_collection_aggregate(s->coll[coll], MONGOC_QUERY_NONE,
	    pipeline, &opts, NULL);
	bson_destroy(&opts);
	rc = read_cursor(cur, &rd, err);
	if (rc == PGL_OK && rd.n == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "not found");
	return (rc);
}

int
mg_count(struct pgl_store *s, struct pgl_err *err, int coll,
    const bson_t *filter, uint64_t *out)
{
	bson_error_t	e;
	bson_t		opts, reply;
	int64_t		n;
	int		rc;

	*out = 0;
	if ((rc = mg_opts(s, &opts, err)) != PGL_OK)
		return (rc);
	n = mongoc_collection_count_documents(s->coll[coll], filter, &opts,
	    NULL, &reply, &e);
	bson_destroy(&opts);
	if (n < 0)
		rc = mongo_error(err, &e, &reply);
	else
		*out = (uint64_t)n;
	bson_destroy(&reply);
	return (rc);
}

int
mg_exists(struct pgl_store *s, struct pgl_err *err, int coll,
    const bson_t *filter, int *found)
{
	mongoc_cursor_t	*cur;
	const bson_t	*b, *reply;
	bson_error_t	e;
	bson_t		*extra;
	int		rc;

	*found = 0;
	extra = BCON_NEW("limit", BCON_INT64(1), "projection", "{",
	    "_id", BCON_INT32(1), "}");
	rc = mg_find(s, err, coll, filter, extra, &cur);
	bson_destroy(extra);
	if (rc != PGL_OK)
		return (rc);
	if (mongoc_cursor_next(cur, &b))
		*found = 1;
	else if (mongoc_cursor_error_document(cur, &e, &reply))
		rc = mongo_error(err, &e, reply);
	mongoc_cursor_destroy(cur);
	return (rc);
}

/* One document as given (mongo_write.c's mg_insert marks a counted
 * collection's first). */
int
mg_insert_raw(struct pgl_store *s, struct pgl_err *err, int coll,
    const bson_t *doc)
{
	bson_error_t	e;
	bson_t		opts, reply;
	int		rc;

	if ((rc = mg_opts(s, &opts, err)) != PGL_OK)
		return (rc);
	if (!mongoc_collection_insert_one(s->coll[coll], doc, &opts, &reply,
	    &e))
		rc = mongo_error(err, &e, &reply);
	bson_destroy(&opts);
	bson_destroy(&reply);
	return (rc);
}

static uint64_t
reply_count(const bson_t *reply, const char *key)
{
	bson_iter_t	it;

	if (!bson_iter_init_find(&it, reply, key))
		return (0);
	return ((uint64_t)bson_iter_as_int64(&it));
}

int
mg_update_raw(struct pgl_store *s, struct pgl_err *err, int coll,
    const bson_t *filter, const bson_t *update, int many, uint64_t *matched)
{
	bson_error_t	e;
	bson_t		opts, reply;
	bool		ok;
	int		rc;

	if (matched != NULL)
		*matched = 0;
	if ((rc = mg_opts(s, &opts, err)) != PGL_OK)
		return (rc);
	if (many)
		ok = mongoc_collection_update_many(s->coll[coll], filter,
		    update, &opts, &reply, &e);
	else
		ok = mongoc_collection_update_one(s->coll[coll], filter,
		    update, &opts, &reply, &e);
	if (!ok)
		rc = mongo_error(err, &e, &reply);
	else if (matched != NULL)
		*matched = reply_count(&reply, "matchedCount");
	bson_destroy(&opts);
	bson_destroy(&reply);
	return (rc);
}

int
mg_delete_raw(struct pgl_store *s, struct pgl_err *err, int coll,
    const bson_t *filter, int many, uint64_t *deleted)
{
	bson_error_t	e;
	bson_t		opts, reply;
	bool		ok;
	int		rc;

	if (deleted != NULL)
		*deleted = 0;
	if ((rc = mg_opts(s, &opts, err)) != PGL_OK)
		return (rc);
	if (many)
		ok = mongoc_collection_delete_many(s->coll[coll], filter,
		    &opts, &reply, &e);
	else
		ok = mongoc_collection_delete_one(s->coll[coll], filter,
		    &opts, &reply, &e);
	if (!ok)
		rc = mongo_error(err, &e, &reply);
	else if (deleted != NULL)
		*deleted = reply_count(&reply, "deletedCount");
	bson_destroy(&opts);
	bson_destroy(&reply);
	return (rc);
}
