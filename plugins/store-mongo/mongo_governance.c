/*
 * Business metadata, access requests and settings (store ABI 1.10).
 *
 * An asset's business metadata lives in its own document, as the
 * subdocument `bm` ({id, description, tags (array), tags_json (the text
 * the host gave), properties, discoverable, created_*, updated_*}), so
 * every delete of the asset (alone, or with its branch, namespace,
 * catalog or tenant) takes it along, a tag grant is a read of the asset
 * by id, and a tag filter is an index on bm.tags.  A branch's copy of an
 * asset is another asset with no metadata (mongo_copy.c leaves bm out),
 * as in SQL.  On a `main` branch the document's search fields follow its
 * description (mongo_search.c).
 *
 * Access requests are their own collection; each carries its asset's
 * catalog and branch, so the deletes that cascade in SQL find them by
 * key here (mongo_drop_access_requests), or by the ids of the assets
 * going (mongo_drop_asset_deps, mongo_asset_deps.c).
 */
#include <stdlib.h>
#include <string.h>

#include "mongo_store.h"

/* What a write needs of an asset document (no arena: fixed buffers;
 * names are at most 255 bytes). */
struct asset_head {
	char		 name[512];
	char		 branch[512];
	char		 bm_id[128];
	char		 created_by[256];
	int		 has_created_by;
	int64_t		 created_at;
	int		 has_bm;
};

/* A string field of b into buf; 0 if absent, too long or not a string. */
static int
copy_field(const bson_t *b, const char *key, char *buf, size_t size)
{
	bson_iter_t	 it;
	const char	*v;
	uint32_t	 len;

	buf[0] = '\0';
	if (!bson_iter_init_find(&it, b, key) || !BSON_ITER_HOLDS_UTF8(&it))
		return (0);
	v = bson_iter_utf8(&it, &len);
	if (len >= size)
		return (0);
	memcpy(buf, v, (size_t)len + 1);
	return (1);
}

static void
head_fill(struct doc *d, void *out)
{
	struct asset_head	*h = out;
	struct doc		 bm;
	bson_t			 sub;

	(void)copy_field(d->b, "name", h->name, sizeof(h->name));
	(void)copy_field(d->b, "branch_name", h->branch, sizeof(h->branch));
	if (!mongo_bm_doc(d, &sub, &bm))
		return;
	h->has_bm = 1;
	(void)copy_field(&sub, "id", h->bm_id, sizeof(h->bm_id));
	h->has_created_by = copy_field(&sub, "created_by", h->created_by,
	    sizeof(h->created_by));
	h->created_at = doc_int(&bm, "created_at");
}

/* The asset of tenant by id: its name, branch and metadata's creation. */
static int
asset_head(struct pgl_store *s, const char *tenant, const char *id,
    struct asset_head *h, struct pgl_err *err)
{
	bson_t	filter = BSON_INITIALIZER;
	int	rc;

	memset(h, 0, sizeof(*h));
	mg_str(&filter, "tenant_id", tenant);
	mg_str(&filter, "id", id);
	mongo_not_gone(&filter);
	rc = mg_get(s, NULL, err, COLL_ASSETS, &filter, head_fill, h);
	bson_destroy(&filter);
	if (rc == PGL_ENOTFOUND)
		(void)mongo_err(err, rc, "asset %s not found", id);
	return (rc);
}

/* tags_json as a BSON array under key (strings only). */
static int
append_tags(bson_t *b, const char *tags_json, struct pgl_err *err)
{
	bson_t		*doc, arr;
	bson_iter_t	 it;
	char		 buf[16];
	const char	*k;
	uint32_t	 i = 0;
	int		 rc;

	if ((rc = mongo_json_array(tags_json, &doc, &it, err)) != PGL_OK)
		return (rc);
	BSON_APPEND_ARRAY_BEGIN(b, "tags", &arr);
	while (doc != NULL && bson_iter_next(&it)) {
		if (!BSON_ITER_HOLDS_UTF8(&it))
			continue;
		(void)bson_uint32_to_string(i++, &k, buf, sizeof(buf));
		BSON_APPEND_UTF8(&arr, k, bson_iter_utf8(&it, NULL));
	}
	bson_append_array_end(b, &arr);
	if (doc != NULL)
		bson_destroy(doc);
	return (PGL_OK);
}

static int
bm_set(bson_t *set, const struct pgl_business_metadata *m,
    const struct asset_head *h, struct pgl_err *err)
{
	const char	*by = m->updated_by != NULL ? m->updated_by :
			    m->created_by;
	int64_t		 at = m->updated_at_ms ? m->updated_at_ms :
			    mongo_now_ms();
	bson_t		 bm;
	int		 rc;

	BSON_APPEND_DOCUMENT_BEGIN(set, "bm", &bm);
	BSON_APPEND_UTF8(&bm, "id", h->has_bm && h->bm_id[0] != '\0' ?
	    h->bm_id : m->id);
	mg_str(&bm, "description", m->description);
	mg_str_or(&bm, "tags_json", m->tags, "[]");
	rc = append_tags(&bm, m->tags != NULL ? m->tags : "[]", err);
	mg_str_or(&bm, "properties", m->properties, "{}");
	BSON_APPEND_BOOL(&bm, "discoverable", m->discoverable != 0);
	mg_str(&bm, "created_by", !h->has_bm ? by : h->has_created_by ?
	    h->created_by : NULL);
	BSON_APPEND_INT64(&bm, "created_at", h->has_bm ? h->created_at : at);
	mg_str(&bm, "updated_by", by);
	BSON_APPEND_INT64(&bm, "updated_at", at);
	bson_append_document_end(set, &bm);
	if (rc == PGL_OK && strcmp(h->branch, "main") == 0 &&
	    mongo_search_fields(set, h->name, m->description) != PGL_OK)
		rc = mongo_err(err, PGL_ENOMEM, "out of memory");
	return (rc);
}

int
mongo_put_business_metadata(struct pgl_store *s, const char *tenant,
    const struct pgl_business_metadata *m, struct pgl_err *err)
{
	struct asset_head	 h;
	bson_t			 filter = BSON_INITIALIZER, up, set;
	uint64_t		 matched = 0;
	int			 rc;

	if (m->asset_id == NULL || m->id == NULL)
		return (mongo_err(err, PGL_EINVAL, "business metadata needs "
		    "an id and an asset id"));
	rc = asset_head(s, tenant, m->asset_id, &h, err);
	bson_init(&up);
	if (rc == PGL_OK) {
		BSON_APPEND_DOCUMENT_BEGIN(&up, "$set", &set);
		rc = bm_set(&set, m, &h, err);
		bson_append_document_end(&up, &set);
	}
	mg_str(&filter, "tenant_id", tenant);
	mg_str(&filter, "id", m->asset_id);
	mongo_not_gone(&filter);
	if (rc == PGL_OK)
		rc = mg_update(s, err, COLL_ASSETS, &filter, &up, 0, &matched);
	if (rc == PGL_OK && matched == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "asset %s not found",
		    m->asset_id);
	bson_destroy(&up);
	bson_destroy(&filter);
	return (rc);
}

static void
bm_fill(struct doc *d, void *out)
{
	struct pgl_business_metadata	*m = out;
	struct doc			 bm;
	bson_t				 sub;

	m->asset_id = doc_str(d, "id");
	if (!mongo_bm_doc(d, &sub, &bm))
		return;
	m->id = doc_str(&bm, "id");
	m->description = doc_str(&bm, "description");
	m->tags = doc_str(&bm, "tags_json");
	m->properties = doc_str(&bm, "properties");
	m->discoverable = doc_bool(&bm, "discoverable");
	m->created_by = doc_str(&bm, "created_by");
	m->created_at_ms = doc_int(&bm, "created_at");
	m->updated_by = doc_str(&bm, "updated_by");
	m->updated_at_ms = doc_int(&bm, "updated_at");
	d->oom |= bm.oom;
}

int
mongo_get_business_metadata(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *asset_id,
    struct pgl_business_metadata *out, struct pgl_err *err)
{
	bson_t	filter = BSON_INITIALIZER, has;
	int	rc;

	memset(out, 0, sizeof(*out));
	mg_str(&filter, "tenant_id", tenant);
	mg_str(&filter, "id", asset_id);
	mongo_not_gone(&filter);
	BSON_APPEND_DOCUMENT_BEGIN(&filter, "bm", &has);
	BSON_APPEND_BOOL(&has, "$exists", true);
	bson_append_document_end(&filter, &has);
	rc = mg_get(s, a, err, COLL_ASSETS, &filter, bm_fill, out);
	bson_destroy(&filter);
	if (rc == PGL_OK && out->id == NULL)
		rc = PGL_ENOTFOUND;
	if (rc == PGL_ENOTFOUND)
		(void)mongo_err(err, rc, "no business metadata for asset %s",
		    asset_id);
	return (rc);
}

int
mongo_delete_business_metadata(struct pgl_store *s, const char *tenant,
    const char *asset_id, struct pgl_err *err)
{
	struct asset_head	 h;
	bson_t			 filter = BSON_INITIALIZER, up, set, unset;
	uint64_t		 matched = 0;
	int			 rc;

	rc = asset_head(s, tenant, asset_id, &h, err);
	if (rc == PGL_OK && !h.has_bm)
		rc = mongo_err(err, PGL_ENOTFOUND,
		    "no business metadata for asset %s", asset_id);
	bson_init(&up);
	BSON_APPEND_DOCUMENT_BEGIN(&up, "$unset", &unset);
	BSON_APPEND_UTF8(&unset, "bm", "");
	bson_append_document_end(&up, &unset);
	if (rc == PGL_OK && strcmp(h.branch, "main") == 0) {
		BSON_APPEND_DOCUMENT_BEGIN(&up, "$set", &set);
		if (mongo_search_fields(&set, h.name, NULL) != PGL_OK)
			rc = mongo_err(err, PGL_ENOMEM, "out of memory");
		bson_append_document_end(&up, &set);
	}
	mg_str(&filter, "tenant_id", tenant);
	mg_str(&filter, "id", asset_id);
	mongo_not_gone(&filter);
	if (rc == PGL_OK)
		rc = mg_update(s, err, COLL_ASSETS, &filter, &up, 0, &matched);
	if (rc == PGL_OK && matched == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "asset %s not found",
		    asset_id);
	bson_destroy(&up);
	bson_destroy(&filter);
	return (rc);
}

/* Access requests. */

static void
ar_fill(struct doc *d, void *out)
{
	struct pgl_access_request	*q = out;

	q->id = doc_str(d, "id");
	q->tenant_id = doc_str(d, "tenant_id");
	q->user_id = doc_str(d, "user_id");
	q->asset_id = doc_str(d, "asset_id");
	q->reason = doc_str(d, "reason");
	q->status = doc_str(d, "status");
	q->requested_at_ms = doc_int(d, "requested_at");
	q->reviewed_by = doc_str(d, "reviewed_by");
	q->reviewed_at_ms = doc_int(d, "reviewed_at");
	q->review_comment = doc_str(d, "review_comment");
}

static const struct mg_shape	ar_shape = {
	COLL_ACCESS, sizeof(struct pgl_access_request), ar_fill,
	"access request", MG_NAME_KEY, "ns"
};

struct asset_place {
	char	catalog[512];
	char	branch[512];
};

static void
place_fill(struct doc *d, void *out)
{
	struct asset_place	*p = out;

	(void)copy_field(d->b, "catalog_name", p->catalog, sizeof(p->catalog));
	(void)copy_field(d->b, "branch_name", p->branch, sizeof(p->branch));
}

/*
 * The time of the tenant's newest access request (0 without one): a new
 * request's time is after it, so two asked within the same millisecond
 * still list newest first (as in the SQL stores).
 */
static int
newest_request(struct pgl_store *s, const char *tenant, int64_t *at,
    struct pgl_err *err)
{
	bson_t			 filter = BSON_INITIALIZER, *opts;
	const bson_t		*doc;
	bson_error_t		 e;
	bson_iter_t		 it;
	mongoc_cursor_t		*cur;
	int			 rc;

	*at = 0;
	mg_str(&filter, "tenant_id", tenant);
	opts = BCON_NEW("sort", "{", "requested_at", BCON_INT32(-1), "}",
	    "limit", BCON_INT64(1), "projection", "{", "requested_at",
	    BCON_INT32(1), "}");
	rc = mg_find(s, err, COLL_ACCESS, &filter, opts, &cur);
	bson_destroy(opts);
	bson_destroy(&filter);
	if (rc != PGL_OK)
		return (rc);
	if (mongoc_cursor_next(cur, &doc) &&
	    bson_iter_init_find(&it, doc, "requested_at") &&
	    BSON_ITER_HOLDS_NUMBER(&it))	/* a server may store an int32 */
		*at = bson_iter_as_int64(&it);
	if (mongoc_cursor_error(cur, &e))
		rc = mongo_err(err, PGL_EUNAVAIL, "access requests: %s",
		    e.message);
	mongoc_cursor_destroy(cur);
	return (rc);
}

int
mongo_create_access_request(struct pgl_store *s,
    const struct pgl_access_request *q, struct pgl_err *err)
{
	struct asset_place	p;
	bson_t			filter = BSON_INITIALIZER, doc = BSON_INITIALIZER;
	int64_t			at, newest = 0;
	int			rc;

	if (q->id == NULL || q->user_id == NULL || q->asset_id == NULL)
		return (mongo_err(err, PGL_EINVAL, "an access request needs "
		    "an id, a user and an asset"));
	memset(&p, 0, sizeof(p));
	mg_str(&filter, "tenant_id", q->tenant_id);
	mg_str(&filter, "id", q->asset_id);
	mongo_not_gone(&filter);
	rc = mg_get(s, NULL, err, COLL_ASSETS, &filter, place_fill, &p);
	if (rc == PGL_ENOTFOUND)
		rc = mongo_err(err, rc, "asset %s not found", q->asset_id);
	if (rc == PGL_OK)
		rc = newest_request(s, q->tenant_id, &newest, err);
	if (rc == PGL_OK) {
		at = q->requested_at_ms ? q->requested_at_ms : mongo_now_ms();
		BSON_APPEND_UTF8(&doc, "id", q->id);
		mg_str(&doc, "tenant_id", q->tenant_id);
		BSON_APPEND_UTF8(&doc, "catalog_name", p.catalog);
		BSON_APPEND_UTF8(&doc, "branch_name", p.branch);
		BSON_APPEND_UTF8(&doc, "asset_id", q->asset_id);
		BSON_APPEND_UTF8(&doc, "user_id", q->user_id);
		mg_str(&doc, "reason", q->reason);
		mg_str_or(&doc, "status", q->status, "pending");
		BSON_APPEND_INT64(&doc, "requested_at", at > newest ? at :
		    newest + 1);
		BSON_APPEND_NULL(&doc, "reviewed_by");
		BSON_APPEND_INT64(&doc, "reviewed_at", 0);
		BSON_APPEND_NULL(&doc, "review_comment");
		rc = mg_insert(s, err, COLL_ACCESS, &doc);
	}
	bson_destroy(&doc);
	bson_destroy(&filter);
	return (rc);
}

int
mongo_get_access_request(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *id, struct pgl_access_request *out,
    struct pgl_err *err)
{
	return (mg_get_by(s, a, err, &ar_shape, out, "tenant_id", tenant, "id",
	    id, NULL));
}

int
mongo_list_access_requests(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *user_id, const struct pgl_page *page,
    struct pgl_access_request **items, size_t *n, uint64_t *total,
    struct pgl_err *err)
{
	bson_t	filter = BSON_INITIALIZER, *sort;
	int	 rc;

	mg_str(&filter, "tenant_id", tenant);
	if (user_id != NULL)
		BSON_APPEND_UTF8(&filter, "user_id", user_id);
	sort = BCON_NEW("requested_at", BCON_INT32(-1), "id", BCON_INT32(-1));
	rc = mg_page(s, a, err, &ar_shape, &filter, sort, page, items, n,
	    total);
	bson_destroy(sort);
	bson_destroy(&filter);
	return (rc);
}

int
mongo_review_access_request(struct pgl_store *s,
    const struct pgl_access_request *q, struct pgl_err *err)
{
	bson_t		 filter = BSON_INITIALIZER, up = BSON_INITIALIZER, set;
	uint64_t	 matched = 0;
	int		 found = 0, rc;

	mg_str(&filter, "tenant_id", q->tenant_id);
	mg_str(&filter, "id", q->id);
	BSON_APPEND_DOCUMENT_BEGIN(&up, "$set", &set);
	mg_str(&set, "status", q->status);
	mg_str(&set, "reviewed_by", q->reviewed_by);
	BSON_APPEND_INT64(&set, "reviewed_at", q->reviewed_at_ms ?
	    q->reviewed_at_ms : mongo_now_ms());
	mg_str(&set, "review_comment", q->review_comment);
	bson_append_document_end(&up, &set);
	rc = mg_exists(s, err, COLL_ACCESS, &filter, &found);
	if (rc == PGL_OK && !found)
		rc = mongo_err(err, PGL_ENOTFOUND,
		    "access request %s not found", q->id);
	BSON_APPEND_UTF8(&filter, "status", "pending");
	if (rc == PGL_OK)
		rc = mg_update(s, err, COLL_ACCESS, &filter, &up, 0, &matched);
	if (rc == PGL_OK && matched == 0)
		rc = mongo_err(err, PGL_ECONFLICT, "access request %s was "
		    "already reviewed", q->id);
	bson_destroy(&up);
	bson_destroy(&filter);
	return (rc);
}

/*
 * The access requests of deleted assets: by their ids (an asset, a
 * namespace's) or by their branch (NULL: the whole catalog).  In SQL a
 * foreign key cascades; here each delete path calls this.
 */
int
mongo_drop_access_requests(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *branch, const char *const *ids,
    size_t nids, struct pgl_err *err)
{
	bson_t		 filter = BSON_INITIALIZER, in, list;
	char		 buf[16];
	const char	*k;
	size_t		 i;
	int		 rc;

	mg_str(&filter, "tenant_id", tenant);
	if (ids != NULL) {
		if (nids == 0) {
			bson_destroy(&filter);
			return (PGL_OK);
		}
		BSON_APPEND_DOCUMENT_BEGIN(&filter, "asset_id", &in);
		BSON_APPEND_ARRAY_BEGIN(&in, "$in", &list);
		for (i = 0; i < nids; i++) {
			(void)bson_uint32_to_string((uint32_t)i, &k, buf,
			    sizeof(buf));
			BSON_APPEND_UTF8(&list, k, ids[i]);
		}
		bson_append_array_end(&in, &list);
		bson_append_document_end(&filter, &in);
	} else {
		mg_str(&filter, "catalog_name", catalog);
		if (branch != NULL)
			BSON_APPEND_UTF8(&filter, "branch_name", branch);
	}
	rc = mg_delete(s, err, COLL_ACCESS, &filter, 1, NULL);
	bson_destroy(&filter);
	return (rc);
}

/* Settings: one document per tenant. */

static void
settings_fill(struct doc *d, void *out)
{
	*(const char **)out = doc_str(d, "doc");
}

int
mongo_get_settings(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char **doc, struct pgl_err *err)
{
	bson_t	filter = BSON_INITIALIZER;
	int	rc;

	*doc = NULL;
	mg_str(&filter, "tenant_id", tenant);
	rc = mg_get(s, a, err, COLL_SETTINGS, &filter, settings_fill, doc);
	bson_destroy(&filter);
	if (rc == PGL_ENOTFOUND)
		(void)mongo_err(err, rc, "no settings for tenant %s", tenant);
	return (rc);
}

int
mongo_put_settings(struct pgl_store *s, const char *tenant, const char *doc,
    struct pgl_err *err)
{
	bson_t		filter = BSON_INITIALIZER, up = BSON_INITIALIZER, set;
	bson_t		ins = BSON_INITIALIZER;
	uint64_t	matched = 0;
	int		rc;

	if ((rc = mongo_tenant_exists(s, tenant, err)) != PGL_OK)
		return (rc);
	mg_str(&filter, "tenant_id", tenant);
	BSON_APPEND_DOCUMENT_BEGIN(&up, "$set", &set);
	mg_str_or(&set, "doc", doc, "{}");
	bson_append_document_end(&up, &set);
	rc = mg_update(s, err, COLL_SETTINGS, &filter, &up, 0, &matched);
	if (rc == PGL_OK && matched == 0) {
		mg_str(&ins, "tenant_id", tenant);
		mg_str_or(&ins, "doc", doc, "{}");
		rc = mg_insert(s, err, COLL_SETTINGS, &ins);
		/* Another writer inserted it first: write ours over it. */
		if (rc == PGL_EEXISTS)
			rc = mg_update(s, err, COLL_SETTINGS, &filter, &up, 0,
			    NULL);
	}
	bson_destroy(&ins);
	bson_destroy(&up);
	bson_destroy(&filter);
	return (rc);
}
