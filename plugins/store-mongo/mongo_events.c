/*
 * Change events, the outbox (store ABI 1.15, issue 43): one document per
 * change in `events`, written by append_event in the caller's session
 * transaction, so a change and its event commit or abort together.
 *
 * seq comes from the tenant's counter document ("events/<tenant>" in
 * `counters`), $inc'd by findAndModify in the same transaction.  Two
 * transactions of one tenant that both bump it conflict: MongoDB fails
 * the second at once with a WriteConflict (PGL_ERETRY, and the host runs
 * it again), so a number is only ever taken by a transaction that then
 * commits before the next one can take the next: seq follows commit
 * order within the tenant, as in the SQL stores (sql_events.c).
 *
 * Without transactions (a standalone server, CongoDB; atomic() 0) the
 * counter is still one atomic $inc, so numbers stay distinct and
 * increasing in the order they were drawn, but nothing more holds:
 *  - a change that fails after its event was appended keeps the event
 *    (rollback undoes nothing);
 *  - an event is visible as soon as it is inserted, before its change's
 *    later writes, and a writer that drew a smaller seq may insert after
 *    a reader has read past a larger one, so a reader paging "after
 *    seq" can miss it;
 *  - a change whose answer was lost after its writes can lack its event
 *    (the append is its own write, made last).
 *
 * event_horizon: each purge or trim raises, per (tenant, catalog), the
 * highest seq it deleted, in the same transaction as the delete.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mongo_store.h"

#define COUNTER_PREFIX	"events/"

static void
event_fill(struct doc *d, void *out)
{
	struct pgl_event	*e = out;

	e->id = doc_str(d, "id");
	e->tenant_id = doc_str(d, "tenant_id");
	e->catalog = doc_str(d, "catalog");
	e->seq = (uint64_t)doc_int(d, "seq");
	e->ts_ms = doc_int(d, "ts_ms");
	e->actor = doc_str(d, "actor");
	e->operation_type = doc_str(d, "operation_type");
	e->object_type = doc_str(d, "object_type");
	e->object_name = doc_str(d, "object_name");
	e->object_uuid = doc_str(d, "object_uuid");
	e->branch = doc_str(d, "branch");
	e->request_id = doc_str(d, "request_id");
	e->body = doc_str(d, "body");
}

/* The tenant's next number, in the open transaction if any. */
static int
next_seq(struct pgl_store *s, const char *tenant, uint64_t *out,
    struct pgl_err *err)
{
	mongoc_find_and_modify_opts_t	*fam;
	bson_error_t			 e;
	bson_iter_t			 it;
	bson_t				 filter = BSON_INITIALIZER, opts, reply;
	bson_t				*up;
	char				*key;
	int				 rc = PGL_EINTERNAL, tries;

	*out = 0;
	if ((key = malloc(strlen(COUNTER_PREFIX) + strlen(tenant) + 1)) ==
	    NULL)
		return (mongo_err(err, PGL_ENOMEM, "out of memory"));
	(void)strcpy(key, COUNTER_PREFIX);
	(void)strcat(key, tenant);
	BSON_APPEND_UTF8(&filter, "key", key);
	up = BCON_NEW("$inc", "{", "value", BCON_INT64(1), "}");
	/* Two first bumps may both upsert: outside a transaction the
	 * unique index fails one (E11000), which then finds the other's;
	 * inside one the server has aborted it, so it is a lost race. */
	for (tries = 0; tries < 2; tries++) {
		if ((rc = mg_opts(s, &opts, err)) != PGL_OK)
			break;
		fam = mongoc_find_and_modify_opts_new();
		(void)mongoc_find_and_modify_opts_set_update(fam, up);
		(void)mongoc_find_and_modify_opts_set_flags(fam,
		    MONGOC_FIND_AND_MODIFY_UPSERT |
		    MONGOC_FIND_AND_MODIFY_RETURN_NEW);
		(void)mongoc_find_and_modify_opts_append(fam, &opts);
		if (!mongoc_collection_find_and_modify_with_opts(
		    s->coll[COLL_COUNTERS], &filter, fam, &reply, &e))
			rc = mongo_error(err, &e, &reply);
		else if (bson_iter_init(&it, &reply) &&
		    bson_iter_find_descendant(&it, "value.value", &it)) {
			*out = (uint64_t)bson_iter_as_int64(&it);
			rc = PGL_OK;
		} else
			rc = mongo_err(err, PGL_EINTERNAL,
			    STORE_NAME ": the event counter has no value");
		bson_destroy(&reply);
		mongoc_find_and_modify_opts_destroy(fam);
		bson_destroy(&opts);
		if (rc != PGL_EEXISTS)
			break;
		if (s->tx_active) {
			rc = mongo_err(err, PGL_ERETRY, STORE_NAME ": the "
			    "event counter was made by another, retry");
			break;
		}
	}
	bson_destroy(up);
	bson_destroy(&filter);
	free(key);
	return (rc);
}

static int
insert_event(struct pgl_store *s, const struct pgl_event *ev, uint64_t seq,
    struct pgl_err *err)
{
	bson_t	doc = BSON_INITIALIZER;
	int	rc;

	mg_str(&doc, "tenant_id", ev->tenant_id);
	mg_str(&doc, "catalog", ev->catalog);
	BSON_APPEND_INT64(&doc, "seq", (int64_t)seq);
	mg_str(&doc, "id", ev->id);
	BSON_APPEND_INT64(&doc, "ts_ms", ev->ts_ms);
	mg_str(&doc, "actor", ev->actor);
	mg_str(&doc, "operation_type", ev->operation_type);
	mg_str(&doc, "object_type", ev->object_type);
	mg_str(&doc, "object_name", ev->object_name);
	mg_str(&doc, "object_uuid", ev->object_uuid);
	mg_str(&doc, "branch", ev->branch);
	mg_str(&doc, "request_id", ev->request_id);
	mg_str(&doc, "body", ev->body);
	BSON_APPEND_INT64(&doc, "bytes", (int64_t)strlen(ev->body));
	rc = mg_insert(s, err, COLL_EVENTS, &doc);
	bson_destroy(&doc);
	return (rc);
}

static int
append(struct pgl_store *s, const struct pgl_event *ev, uint64_t *seq,
    struct pgl_err *err)
{
	bson_t	key = BSON_INITIALIZER;
	int	found, rc;

	/* Answers PGL_EEXISTS before writing, and on servers that do not
	 * enforce the unique index on id. */
	mg_str(&key, "id", ev->id);
	rc = mg_exists(s, err, COLL_EVENTS, &key, &found);
	bson_destroy(&key);
	if (rc == PGL_OK && found)
		rc = PGL_EEXISTS;
	if (rc == PGL_OK)
		rc = next_seq(s, ev->tenant_id, seq, err);
	if (rc == PGL_OK)
		rc = insert_event(s, ev, *seq, err);
	if (rc == PGL_EEXISTS)
		rc = mongo_err(err, PGL_EEXISTS, "event %s already recorded",
		    ev->id);
	return (rc);
}

int
mongo_append_event(struct pgl_store *s, const struct pgl_event *ev,
    uint64_t *seq, struct pgl_err *err)
{
	uint64_t	v = 0;
	int		own, rc;

	if (seq != NULL)
		*seq = 0;
	if (ev == NULL || ev->id == NULL || *ev->id == '\0' ||
	    ev->tenant_id == NULL || *ev->tenant_id == '\0' ||
	    ev->catalog == NULL || ev->operation_type == NULL ||
	    *ev->operation_type == '\0' || ev->object_type == NULL ||
	    ev->body == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid event (id, tenant, "
		    "catalog, operation type, object type and body are "
		    "required)"));
	if ((rc = mg_tx_own_begin(s, &own, err)) != PGL_OK)
		return (rc);
	rc = mg_tx_own_end(s, own, append(s, ev, &v, err), err);
	if (rc == PGL_OK && seq != NULL)
		*seq = v;
	return (rc);
}

/* A JSON array of strings (NULL: none) as {name: {$in: [...]}}. */
static int
append_in(bson_t *filter, const char *name, const char *json,
    struct pgl_err *err)
{
	bson_iter_t	 arr, copy;
	bson_t		*doc, in, list;
	char		 k[16];
	uint32_t	 i = 0;
	int		 rc;

	if ((rc = mongo_json_array(json, &doc, &arr, err)) != PGL_OK ||
	    doc == NULL)
		return (rc);
	copy = arr;
	while (bson_iter_next(&copy))
		if (!BSON_ITER_HOLDS_UTF8(&copy))
			rc = mongo_err(err, PGL_EINVAL, "%s: not strings", name);
	if (rc == PGL_OK) {
		BSON_APPEND_DOCUMENT_BEGIN(filter, name, &in);
		BSON_APPEND_ARRAY_BEGIN(&in, "$in", &list);
		while (bson_iter_next(&arr)) {
			(void)snprintf(k, sizeof(k), "%u", i++);
			BSON_APPEND_UTF8(&list, k, bson_iter_utf8(&arr, NULL));
		}
		bson_append_array_end(&in, &list);
		bson_append_document_end(filter, &in);
	}
	bson_destroy(doc);
	return (rc);
}

/*
 * Object paths: {$or: [{object_name: p}, {object_name: /^p\x1f/}, ...]}
 * (levels joined by PGL_NS_SEP: equal, or a leading part of whole
 * levels).  Under $and, the filter's only $or.
 */
static int
append_names(bson_t *filter, const char *json, struct pgl_err *err)
{
	bson_iter_t	 arr;
	bson_t		*doc, and, one, or, alt, re;
	char		 k[16], *quoted, *pattern;
	uint32_t	 i = 0;
	int		 rc;

	if ((rc = mongo_json_array(json, &doc, &arr, err)) != PGL_OK ||
	    doc == NULL)
		return (rc);
	BSON_APPEND_ARRAY_BEGIN(filter, "$and", &and);
	BSON_APPEND_DOCUMENT_BEGIN(&and, "0", &one);
	BSON_APPEND_ARRAY_BEGIN(&one, "$or", &or);
	/* An empty list matches nothing, as IN () does. */
	BSON_APPEND_DOCUMENT_BEGIN(&or, "0", &alt);
	BSON_APPEND_BOOL(&alt, "_never", true);
	bson_append_document_end(&or, &alt);
	while (rc == PGL_OK && bson_iter_next(&arr)) {
		if (!BSON_ITER_HOLDS_UTF8(&arr)) {
			rc = mongo_err(err, PGL_EINVAL, "object names: not "
			    "strings");
			break;
		}
		quoted = mongo_regex_quote(bson_iter_utf8(&arr, NULL), 0);
		if (quoted == NULL || asprintf(&pattern, "^%s\x1f", quoted)
		    == -1) {
			free(quoted);
			rc = mongo_err(err, PGL_ENOMEM, "out of memory");
			break;
		}
		(void)snprintf(k, sizeof(k), "%u", ++i);
		BSON_APPEND_DOCUMENT_BEGIN(&or, k, &alt);
		BSON_APPEND_UTF8(&alt, "object_name",
		    bson_iter_utf8(&arr, NULL));
		bson_append_document_end(&or, &alt);
		(void)snprintf(k, sizeof(k), "%u", ++i);
		BSON_APPEND_DOCUMENT_BEGIN(&or, k, &alt);
		BSON_APPEND_DOCUMENT_BEGIN(&alt, "object_name", &re);
		BSON_APPEND_UTF8(&re, "$regex", pattern);
		bson_append_document_end(&alt, &re);
		bson_append_document_end(&or, &alt);
		free(pattern);
		free(quoted);
	}
	bson_append_array_end(&one, &or);
	bson_append_document_end(&and, &one);
	bson_append_array_end(filter, &and);
	bson_destroy(doc);
	return (rc);
}

int
mongo_list_events(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const struct pgl_event_filter *f,
    struct pgl_event **out, size_t *n, struct pgl_err *err)
{
	struct pgl_page	 page;
	bson_t		 filter = BSON_INITIALIZER, *sort;
	void		*p = NULL;
	int		 rc;

	*out = NULL;
	*n = 0;
	if (tenant == NULL || f == NULL || f->limit == 0)
		return (mongo_err(err, PGL_EINVAL, "list_events needs a tenant "
		    "and a positive limit"));
	mg_str(&filter, "tenant_id", tenant);
	if (f->catalog != NULL)
		mg_str(&filter, "catalog", f->catalog);
	BCON_APPEND(&filter, "seq", "{", "$gt", BCON_INT64(
	    (int64_t)f->after_seq), "}");
	if (f->since_ms != 0)
		BCON_APPEND(&filter, "ts_ms", "{", "$gte",
		    BCON_INT64(f->since_ms), "}");
	rc = append_in(&filter, "operation_type", f->operation_types, err);
	if (rc == PGL_OK)
		rc = append_in(&filter, "object_type", f->object_types, err);
	if (rc == PGL_OK)
		rc = append_in(&filter, "object_uuid", f->object_uuids, err);
	if (rc == PGL_OK)
		rc = append_names(&filter, f->object_names, err);
	sort = BCON_NEW("seq", BCON_INT32(1));
	page.limit = f->limit;
	page.offset = 0;
	page.after = NULL;
	if (rc == PGL_OK)
		rc = mg_list(s, a, err, COLL_EVENTS, &filter, sort, &page,
		    event_fill, sizeof(**out), &p, n);
	if (rc == PGL_OK)
		*out = p;
	bson_destroy(sort);
	bson_destroy(&filter);
	return (rc);
}

/* The seq field of the first document of a cursor (0 when none). */
static int
first_seq(mongoc_cursor_t *cur, uint64_t *seq, struct pgl_err *err)
{
	const bson_t	*b, *reply;
	bson_error_t	 e;
	int		 rc = PGL_OK;

	*seq = 0;
	if (mongoc_cursor_next(cur, &b))
		*seq = (uint64_t)mongo_iter_int(b, "seq");
	else if (mongoc_cursor_error_document(cur, &e, &reply))
		rc = mongo_error(err, &e, reply);
	mongoc_cursor_destroy(cur);
	return (rc);
}

/* The highest seq of one collection's rows of tenant, into *seq. */
static int
top_seq(struct pgl_store *s, int coll, const char *tenant, uint64_t *seq,
    struct pgl_err *err)
{
	mongoc_cursor_t	*cur = NULL;
	bson_t		 filter = BSON_INITIALIZER, *opts;
	int		 rc;

	*seq = 0;
	mg_str(&filter, "tenant_id", tenant);
	opts = BCON_NEW("sort", "{", "seq", BCON_INT32(-1), "}",
	    "limit", BCON_INT64(1));
	rc = mg_find(s, err, coll, &filter, opts, &cur);
	if (rc == PGL_OK)
		rc = first_seq(cur, seq, err);
	bson_destroy(opts);
	bson_destroy(&filter);
	return (rc);
}

int
mongo_event_newest(struct pgl_store *s, const char *tenant, uint64_t *seq,
    struct pgl_err *err)
{
	uint64_t	kept, gone;
	int		rc;

	*seq = 0;
	if ((rc = top_seq(s, COLL_EVENTS, tenant, &kept, err)) != PGL_OK ||
	    (rc = top_seq(s, COLL_EVENT_HORIZON, tenant, &gone, err)) !=
	    PGL_OK)
		return (rc);
	*seq = kept > gone ? kept : gone;
	return (PGL_OK);
}

int
mongo_event_horizon(struct pgl_store *s, const char *tenant,
    const char *catalog, uint64_t *seq, struct pgl_err *err)
{
	mongoc_cursor_t	*cur = NULL;
	bson_t		 filter = BSON_INITIALIZER, *opts;
	int		 rc;

	*seq = 0;
	mg_str(&filter, "tenant_id", tenant);
	if (catalog != NULL)
		mg_str(&filter, "catalog", catalog);
	opts = BCON_NEW("sort", "{", "seq", BCON_INT32(-1), "}",
	    "limit", BCON_INT64(1));
	rc = mg_find(s, err, COLL_EVENT_HORIZON, &filter, opts, &cur);
	if (rc == PGL_OK)
		rc = first_seq(cur, seq, err);
	bson_destroy(opts);
	bson_destroy(&filter);
	return (rc);
}
