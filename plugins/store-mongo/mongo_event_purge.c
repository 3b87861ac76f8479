/*
 * The outbox's bounds (store ABI 1.15; mongo_events.c holds the rest):
 * the retention purge, the trim of a tenant over its limit, and the
 * usage count that limit is checked against.
 *
 * A purge or trim reads the batch it removes (the _id, tenant, catalog
 * and seq of each, never a body), raises each stream's horizon to the
 * highest seq of the batch in it, and deletes the batch by _id, in one
 * transaction where the server has them, since MongoDB's delete takes
 * no sort or limit.  Without transactions a horizon is raised before
 * its events go, so a failure in between can only make it too high (a
 * reader told 410 Gone early), never too low.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mongo_store.h"

#define CHUNK	1000

/* One stream's highest seq in a batch. */
struct stream_max {
	char		*tenant;
	char		*catalog;
	int64_t		 seq;
};

struct batch {
	bson_t			 del;	/* {_id: {$in: [...]}} */
	bson_t			 in, ids;
	uint32_t		 n;
	struct stream_max	*max;
	size_t			 nmax;
};

static const char *
field_str(const bson_t *b, const char *key)
{
	bson_iter_t	it;

	if (bson_iter_init_find(&it, b, key) && BSON_ITER_HOLDS_UTF8(&it))
		return (bson_iter_utf8(&it, NULL));
	return (NULL);
}

static int
batch_add(struct batch *bt, const bson_t *b, struct pgl_err *err)
{
	const char	*tenant, *catalog;
	bson_iter_t	 it;
	char		 k[16];
	int64_t		 seq;
	size_t		 i;

	tenant = field_str(b, "tenant_id");
	catalog = field_str(b, "catalog");
	seq = mongo_iter_int(b, "seq");
	if (!bson_iter_init_find(&it, b, "_id") || tenant == NULL ||
	    catalog == NULL)
		return (mongo_err(err, PGL_EINTERNAL, STORE_NAME ": an event "
		    "without its key"));
	(void)snprintf(k, sizeof(k), "%u", bt->n++);
	BSON_APPEND_VALUE(&bt->ids, k, bson_iter_value(&it));
	for (i = 0; i < bt->nmax; i++) {
		if (strcmp(bt->max[i].tenant, tenant) == 0 &&
		    strcmp(bt->max[i].catalog, catalog) == 0) {
			if (seq > bt->max[i].seq)
				bt->max[i].seq = seq;
			return (PGL_OK);
		}
	}
	/* max has room for every document of the batch (batch_read). */
	bt->max[i].tenant = strdup(tenant);
	bt->max[i].catalog = strdup(catalog);
	bt->max[i].seq = seq;
	bt->nmax++;
	if (bt->max[i].tenant == NULL || bt->max[i].catalog == NULL)
		return (mongo_err(err, PGL_ENOMEM, "out of memory"));
	return (PGL_OK);
}

/* The first limit events of filter in sort order, keys only. */
static int
batch_read(struct pgl_store *s, const bson_t *filter, const bson_t *sort,
    uint32_t limit, struct batch *bt, struct pgl_err *err)
{
	mongoc_cursor_t	*cur = NULL;
	const bson_t	*b, *reply;
	bson_error_t	 e;
	bson_t		*opts;
	int		 rc;

	if ((bt->max = calloc(limit, sizeof(*bt->max))) == NULL)
		return (mongo_err(err, PGL_ENOMEM, "out of memory"));
	opts = BCON_NEW("sort", BCON_DOCUMENT(sort),
	    "projection", "{", "_id", BCON_INT32(1), "tenant_id",
	    BCON_INT32(1), "catalog", BCON_INT32(1), "seq", BCON_INT32(1), "}",
	    "limit", BCON_INT64((int64_t)limit),
	    "batchSize", BCON_INT64((int64_t)limit));
	rc = mg_find(s, err, COLL_EVENTS, filter, opts, &cur);
	while (rc == PGL_OK && bt->n < limit && mongoc_cursor_next(cur, &b))
		rc = batch_add(bt, b, err);
	if (rc == PGL_OK && mongoc_cursor_error_document(cur, &e, &reply))
		rc = mongo_error(err, &e, reply);
	if (cur != NULL)
		mongoc_cursor_destroy(cur);
	bson_destroy(opts);
	return (rc);
}

/*
 * Raises the horizon of one stream to seq: a conditional update, else
 * the first document (a racing first insert loses on the unique index,
 * or on servers without one is harmless: the reader takes the highest).
 */
static int
horizon_raise(struct pgl_store *s, const struct stream_max *m,
    struct pgl_err *err)
{
	bson_t		key = BSON_INITIALIZER, lower = BSON_INITIALIZER;
	bson_t		doc = BSON_INITIALIZER, *up;
	uint64_t	matched = 0;
	int		found, rc;

	mg_str(&key, "tenant_id", m->tenant);
	mg_str(&key, "catalog", m->catalog);
	bson_concat(&lower, &key);
	BCON_APPEND(&lower, "seq", "{", "$lt", BCON_INT64(m->seq), "}");
	up = BCON_NEW("$set", "{", "seq", BCON_INT64(m->seq), "}");
	rc = mg_update(s, err, COLL_EVENT_HORIZON, &lower, up, 0, &matched);
	if (rc == PGL_OK && matched == 0)
		rc = mg_exists(s, err, COLL_EVENT_HORIZON, &key, &found);
	if (rc == PGL_OK && matched == 0 && !found) {
		bson_concat(&doc, &key);
		BSON_APPEND_INT64(&doc, "seq", m->seq);
		rc = mg_insert(s, err, COLL_EVENT_HORIZON, &doc);
		if (rc == PGL_EEXISTS && !s->tx_active)
			rc = mg_update(s, err, COLL_EVENT_HORIZON, &lower, up,
			    0, NULL);
		else if (rc == PGL_EEXISTS)
			rc = mongo_err(err, PGL_ERETRY, STORE_NAME ": "
			    "concurrent purge, retry");
	}
	bson_destroy(up);
	bson_destroy(&doc);
	bson_destroy(&lower);
	bson_destroy(&key);
	return (rc);
}

/* One batch of at most CHUNK: read, raise the horizons, delete. */
static int
remove_batch(struct pgl_store *s, const bson_t *filter, const bson_t *sort,
    uint32_t limit, uint64_t *purged, struct pgl_err *err)
{
	struct batch	bt;
	size_t		i;
	int		own, rc;

	*purged = 0;
	if ((rc = mg_tx_own_begin(s, &own, err)) != PGL_OK)
		return (rc);
	memset(&bt, 0, sizeof(bt));
	bson_init(&bt.del);
	BSON_APPEND_DOCUMENT_BEGIN(&bt.del, "_id", &bt.in);
	BSON_APPEND_ARRAY_BEGIN(&bt.in, "$in", &bt.ids);
	rc = batch_read(s, filter, sort, limit, &bt, err);
	bson_append_array_end(&bt.in, &bt.ids);
	bson_append_document_end(&bt.del, &bt.in);
	for (i = 0; rc == PGL_OK && i < bt.nmax; i++)
		rc = horizon_raise(s, &bt.max[i], err);
	if (rc == PGL_OK && bt.n > 0)
		rc = mg_delete(s, err, COLL_EVENTS, &bt.del, 1, purged);
	rc = mg_tx_own_end(s, own, rc, err);
	for (i = 0; i < bt.nmax; i++) {
		free(bt.max[i].tenant);
		free(bt.max[i].catalog);
	}
	free(bt.max);
	bson_destroy(&bt.del);
	return (rc);
}

/*
 * Up to limit in batches of CHUNK (an _id list and the horizons of one
 * batch stay small whatever limit the host asks for), each its own
 * short transaction; stops at a batch that came back short.
 */
static int
remove_upto(struct pgl_store *s, const bson_t *filter, const bson_t *sort,
    uint32_t limit, uint64_t *purged, struct pgl_err *err)
{
	uint64_t	n;
	uint32_t	want;
	int		rc = PGL_OK;

	*purged = 0;
	while (limit > 0) {
		want = limit < CHUNK ? limit : CHUNK;
		if ((rc = remove_batch(s, filter, sort, want, &n, err)) !=
		    PGL_OK)
			break;
		*purged += n;
		limit -= want;
		if (n < want)
			break;
	}
	return (rc);
}

int
mongo_purge_events(struct pgl_store *s, int64_t before_ms, uint32_t limit,
    uint64_t *purged, struct pgl_err *err)
{
	bson_t		*filter, *sort;
	uint64_t	 n = 0;
	int		 rc;

	if (purged != NULL)
		*purged = 0;
	if (limit == 0)
		return (mongo_err(err, PGL_EINVAL, "limit must be positive"));
	filter = BCON_NEW("ts_ms", "{", "$lt", BCON_INT64(before_ms), "}");
	sort = BCON_NEW("ts_ms", BCON_INT32(1), "seq", BCON_INT32(1));
	rc = remove_upto(s, filter, sort, limit, &n, err);
	if (rc == PGL_OK && purged != NULL)
		*purged = n;
	bson_destroy(sort);
	bson_destroy(filter);
	return (rc);
}

int
mongo_trim_events(struct pgl_store *s, const char *tenant, uint32_t count,
    uint64_t *purged, struct pgl_err *err)
{
	bson_t		 filter = BSON_INITIALIZER, *sort;
	uint64_t	 n = 0;
	int		 rc;

	if (purged != NULL)
		*purged = 0;
	if (tenant == NULL)
		return (mongo_err(err, PGL_EINVAL, "trim_events needs a "
		    "tenant"));
	if (count == 0)
		return (PGL_OK);
	mg_str(&filter, "tenant_id", tenant);
	sort = BCON_NEW("seq", BCON_INT32(1));
	rc = remove_upto(s, &filter, sort, count, &n, err);
	if (rc == PGL_OK && purged != NULL)
		*purged = n;
	bson_destroy(sort);
	bson_destroy(&filter);
	return (rc);
}

static void
usage_fill(struct doc *d, void *out)
{
	struct pgl_event_usage	*u = out;

	u->tenant = doc_str(d, "_id");
	u->events = (uint64_t)doc_int(d, "events");
	u->bytes = (uint64_t)doc_int(d, "bytes");
	u->oldest_ms = doc_int(d, "oldest");
}

/* The documents' bytes fields (append_event's), never a body. */
int
mongo_event_usage(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, uint32_t limit, struct pgl_event_usage **out,
    size_t *n, struct pgl_err *err)
{
	bson_t	match = BSON_INITIALIZER, *pipeline;
	void	*p = NULL;
	int	rc;

	*out = NULL;
	*n = 0;
	if (tenant != NULL) {
		mg_str(&match, "tenant_id", tenant);
		limit = 1;
	}
	pipeline = BCON_NEW("pipeline", "[",
	    "{", "$match", BCON_DOCUMENT(&match), "}",
	    "{", "$group", "{", "_id", BCON_UTF8("$tenant_id"),
	    "events", "{", "$sum", BCON_INT32(1), "}",
	    "bytes", "{", "$sum", BCON_UTF8("$bytes"), "}",
	    "oldest", "{", "$min", BCON_UTF8("$ts_ms"), "}", "}", "}",
	    "{", "$sort", "{", "events", BCON_INT32(-1), "_id", BCON_INT32(1),
	    "}", "}",
	    "{", "$limit", BCON_INT64(limit > 0 ? (int64_t)limit : INT64_MAX),
	    "}", "]");
	rc = mg_aggregate(s, a, err, COLL_EVENTS, pipeline, usage_fill,
	    sizeof(**out), &p, n);
	if (rc == PGL_OK)
		*out = p;
	bson_destroy(pipeline);
	bson_destroy(&match);
	return (rc);
}
