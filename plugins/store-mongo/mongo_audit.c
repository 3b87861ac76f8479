/*
 * The audit log, as plugins/sql-common/sql_audit.c: append-only, newest
 * first, every filter optional, a NULL tenant meaning every tenant.
 */
#include <stdio.h>

#include "mongo_store.h"

static void
audit_fill(struct doc *d, void *out)
{
	struct pgl_audit_event	*e = out;

	e->id = doc_str(d, "id");
	e->tenant_id = doc_str(d, "tenant_id");
	e->timestamp_ms = doc_int(d, "timestamp");
	e->user_id = doc_str(d, "user_id");
	e->action = doc_str(d, "action");
	e->resource_type = doc_str(d, "resource_type");
	e->resource_id = doc_str(d, "resource_id");
	e->result = doc_str(d, "result");
	e->doc = doc_str(d, "doc");
}

static const struct mg_shape	audit_shape = {
	COLL_AUDIT, sizeof(struct pgl_audit_event), audit_fill, "audit event",
	MG_NAME_KEY, "ns"
};

int
mongo_log_audit_event(struct pgl_store *s, const struct pgl_audit_event *e,
    struct pgl_err *err)
{
	bson_t	doc = BSON_INITIALIZER;
	int	found = 0, rc;

	if (e->id == NULL || e->action == NULL || e->resource_type == NULL ||
	    e->result == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid value (audit id, "
		    "action, resource type and result are required)"));
	/* The unique index decides under a race; the check gives the same
	 * answer on servers that do not enforce one (mongo_schema.c). */
	BSON_APPEND_UTF8(&doc, "id", e->id);
	rc = mg_exists(s, err, COLL_AUDIT, &doc, &found);
	if (rc == PGL_OK && found)
		rc = mongo_err(err, PGL_EEXISTS, "audit event %s already "
		    "exists", e->id);
	if (rc != PGL_OK) {
		bson_destroy(&doc);
		return (rc);
	}
	mg_str(&doc, "tenant_id", e->tenant_id);
	BSON_APPEND_INT64(&doc, "timestamp", e->timestamp_ms);
	mg_str(&doc, "user_id", e->user_id);
	BSON_APPEND_UTF8(&doc, "action", e->action);
	BSON_APPEND_UTF8(&doc, "resource_type", e->resource_type);
	mg_str(&doc, "resource_id", e->resource_id);
	BSON_APPEND_UTF8(&doc, "result", e->result);
	mg_str_or(&doc, "doc", e->doc, "{}");
	rc = mg_insert(s, err, COLL_AUDIT, &doc);
	bson_destroy(&doc);
	return (rc);
}

static void
filter_str(bson_t *b, const char *key, const char *v)
{
	if (v != NULL)
		BSON_APPEND_UTF8(b, key, v);
}

static void
audit_filter(bson_t *b, const char *tenant, const struct pgl_audit_filter *f)
{
	bson_t	range;

	filter_str(b, "tenant_id", tenant);
	filter_str(b, "user_id", f->user_id);
	filter_str(b, "action", f->action);
	filter_str(b, "resource_type", f->resource_type);
	filter_str(b, "resource_id", f->resource_id);
	filter_str(b, "result", f->result);
	if (f->start_ms != 0 || f->end_ms != 0) {
		BSON_APPEND_DOCUMENT_BEGIN(b, "timestamp", &range);
		if (f->start_ms != 0)
			BSON_APPEND_INT64(&range, "$gte", f->start_ms);
		if (f->end_ms != 0)
			BSON_APPEND_INT64(&range, "$lte", f->end_ms);
		bson_append_document_end(b, &range);
	}
}

int
mongo_list_audit_events(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const struct pgl_audit_filter *f,
    const struct pgl_page *page, struct pgl_audit_event **items, size_t *n,
    uint64_t *total, struct pgl_err *err)
{
	bson_t	filter = BSON_INITIALIZER, *sort;
	int	rc;

	audit_filter(&filter, tenant, f);
	sort = BCON_NEW("timestamp", BCON_INT32(-1), "id", BCON_INT32(-1));
	rc = mg_page(s, a, err, &audit_shape, &filter, sort, page, items, n,
	    total);
	bson_destroy(sort);
	bson_destroy(&filter);
	return (rc);
}

int
mongo_get_audit_event(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *id, struct pgl_audit_event *out,
    struct pgl_err *err)
{
	if (tenant == NULL)	/* root's view: any tenant's */
		return (mg_get_by(s, a, err, &audit_shape, out, "id", id,
		    NULL));
	return (mg_get_by(s, a, err, &audit_shape, out, "tenant_id", tenant,
	    "id", id, NULL));
}

static void
id_fill(struct doc *d, void *out)
{
	*(const char **)out = doc_str(d, "id");
}

/*
 * Audit retention (store.h, ABI 1.8): the ids of the oldest batch by the
 * time index, then one deleteMany of those ids (MongoDB's delete takes
 * no sort or limit).
 */
int
mongo_delete_audit_events_before(struct pgl_store *s, struct pgl_arena *a,
    int64_t before_ms, uint32_t limit, uint64_t *deleted,
    struct pgl_err *err)
{
	struct pgl_page	 page = { limit, 0, NULL };
	bson_t		*filter, *sort, del = BSON_INITIALIZER, in, ids;
	const char	**items;
	void		*p = NULL;
	size_t		 i, n = 0;
	char		 key[24];
	int		 rc;

	*deleted = 0;
	if (limit == 0)
		return (mongo_err(err, PGL_EINVAL, "limit must be positive"));
	filter = BCON_NEW("timestamp", "{", "$lt", BCON_INT64(before_ms),
	    "}");
	sort = BCON_NEW("timestamp", BCON_INT32(1));
	rc = mg_list(s, a, err, COLL_AUDIT, filter, sort, &page, id_fill,
	    sizeof(*items), &p, &n);
	items = p;
	if (rc == PGL_OK && n > 0) {
		BSON_APPEND_DOCUMENT_BEGIN(&del, "id", &in);
		BSON_APPEND_ARRAY_BEGIN(&in, "$in", &ids);
		for (i = 0; i < n; i++) {
			(void)snprintf(key, sizeof(key), "%zu", i);
			BSON_APPEND_UTF8(&ids, key, items[i] != NULL ?
			    items[i] : "");
		}
		bson_append_array_end(&in, &ids);
		bson_append_document_end(&del, &in);
		rc = mg_delete(s, err, COLL_AUDIT, &del, 1, deleted);
	}
	bson_destroy(&del);
	bson_destroy(filter);
	bson_destroy(sort);
	return (rc);
}
