/*
 * Data policies and column tags (store ABI 1.17, issue 46), as the SQL
 * stores keep them (sql_policies.c), with the same field names.
 *
 * policies: one document per (tenant_id, id), its name unique per
 * tenant (unique indexes decide two racing creates on a real server; the
 * look before the write answers PGL_EEXISTS first, and on CongoDB, which
 * enforces none).  The catalog is checked on every write, as the SQL
 * foreign key does; the catalog's and the tenant's deletes take the
 * policies with them (catalog_children, tenant_children).
 *
 * column_tags: one document per (asset_id, field_id, tag).  MongoDB has
 * no cascade from the asset, so a read keeps only the tags of assets
 * that still exist (one read of those assets), as if the tags had gone
 * with them; a set clears what an asset held before.
 */
#include <string.h>

#include "mongo_store.h"

#define WHAT	"policy"

#define MAX_TAG_ASSETS	4096

static void
policy_fill(struct doc *d, void *out)
{
	struct pgl_policy	*p = out;

	p->id = doc_str(d, "id");
	p->tenant_id = doc_str(d, "tenant_id");
	p->name = doc_str(d, "name");
	p->catalog = doc_str(d, "catalog_name");
	p->ns = doc_str(d, "ns");
	p->table_name = doc_str(d, "table_name");
	p->tag = doc_str(d, "tag");
	p->doc = doc_str(d, "doc");
	p->created_ms = doc_int(d, "created_ms");
	p->updated_ms = doc_int(d, "updated_ms");
}

static const struct mg_shape	policy_shape = {
	COLL_POLICIES, sizeof(struct pgl_policy), policy_fill, WHAT,
	MG_NAME_TENANT, "s"
};

static void
ctag_fill(struct doc *d, void *out)
{
	struct pgl_column_tag	*t = out;

	t->asset_id = doc_str(d, "asset_id");
	t->field_id = doc_int(d, "field_id");
	t->tag = doc_str(d, "tag");
}



/* The catalog is the tenant's, and no other policy holds the name. */
static int
policy_check(struct pgl_store *s, const struct pgl_policy *p,
    struct pgl_err *err)
{
	bson_t	q = BSON_INITIALIZER, ne;
	int	found = 0, rc;

	mg_str(&q, "tenant_id", p->tenant_id);
	mg_str(&q, "name", p->catalog);
	rc = mg_exists(s, err, COLL_CATALOGS, &q, &found);
	bson_destroy(&q);
	if (rc != PGL_OK)
		return (rc);
	if (!found)
		return (mongo_err(err, PGL_ENOTFOUND, "catalog %s not found",
		    p->catalog));
	bson_init(&q);
	mg_str(&q, "tenant_id", p->tenant_id);
	mg_str(&q, "name", p->name);
	BSON_APPEND_DOCUMENT_BEGIN(&q, "id", &ne);
	mg_str(&ne, "$ne", p->id);
	bson_append_document_end(&q, &ne);
	rc = mg_exists(s, err, COLL_POLICIES, &q, &found);
	bson_destroy(&q);
	if (rc == PGL_OK && found)
		rc = mongo_err(err, PGL_EEXISTS, "a policy named %s exists "
		    "already", p->name);
	return (rc);
}

static void
scope_fields(bson_t *b, const struct pgl_policy *p)
{
	mg_str(b, "name", p->name);
	mg_str(b, "catalog_name", p->catalog);
	mg_str(b, "ns", p->ns);
	mg_str(b, "table_name", p->table_name);
	mg_str(b, "tag", p->tag);
	mg_str_or(b, "doc", p->doc, "{}");
	BSON_APPEND_INT64(b, "updated_ms", p->updated_ms);
}

static int
policy_insert(struct pgl_store *s, const struct pgl_policy *p,
    struct pgl_err *err)
{
	bson_t	doc = BSON_INITIALIZER;
	int	found = 0, rc;

	mg_key_of(&doc, p->tenant_id, p->id);
	rc = mg_exists(s, err, COLL_POLICIES, &doc, &found);
	if (rc == PGL_OK && found)
		rc = mongo_err(err, PGL_EEXISTS, "a policy with id %s exists "
		    "already", p->id);
	if (rc == PGL_OK)
		rc = policy_check(s, p, err);
	if (rc == PGL_OK) {
		scope_fields(&doc, p);
		BSON_APPEND_INT64(&doc, "created_ms", p->created_ms);
		rc = mg_insert(s, err, COLL_POLICIES, &doc);
		if (rc == PGL_EEXISTS)
			(void)mongo_err(err, rc, "a policy named %s or with "
			    "id %s exists already", p->name, p->id);
	}
	bson_destroy(&doc);
	return (rc);
}

int
mongo_put_policy(struct pgl_store *s, const struct pgl_policy *p, int create,
    struct pgl_err *err)
{
	bson_t		filter = BSON_INITIALIZER, up = BSON_INITIALIZER, set;
	uint64_t	matched = 0;
	int		found = 0, rc;

	if (p == NULL || p->tenant_id == NULL || p->id == NULL ||
	    p->name == NULL || p->catalog == NULL)
		return (mongo_err(err, PGL_EINVAL, "a policy needs a tenant, "
		    "an id, a name and a catalog"));
	if (create)
		return (policy_insert(s, p, err));
	/* Missing first, as the SQL stores answer: then the name's owner. */
	mg_key_of(&filter, p->tenant_id, p->id);
	if ((rc = mg_exists(s, err, COLL_POLICIES, &filter, &found)) ==
	    PGL_OK && !found)
		rc = mg_not_found_of(err, WHAT, p->tenant_id, p->id);
	if (rc == PGL_OK)
		rc = policy_check(s, p, err);
	if (rc != PGL_OK) {
		bson_destroy(&filter);
		bson_destroy(&up);
		return (rc);
	}
	BSON_APPEND_DOCUMENT_BEGIN(&up, "$set", &set);
	scope_fields(&set, p);
	bson_append_document_end(&up, &set);
	rc = mg_update(s, err, COLL_POLICIES, &filter, &up, 0, &matched);
	if (rc == PGL_OK && matched == 0)
		rc = mg_not_found_of(err, WHAT, p->tenant_id, p->id);
	bson_destroy(&up);
	bson_destroy(&filter);
	return (rc);
}

int
mongo_get_policy(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    const char *id, struct pgl_policy *out, struct pgl_err *err)
{
	return (mg_get_by(s, a, err, &policy_shape, out, "tenant_id", tenant,
	    "id", id, NULL));
}

int
mongo_list_policies(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const struct pgl_page *pg,
    struct pgl_policy **out, size_t *n, uint64_t *total, struct pgl_err *err)
{
	bson_t	filter = BSON_INITIALIZER, *sort;
	int	rc;

	sort = BCON_NEW("name", BCON_INT32(1));
	mg_str(&filter, "tenant_id", tenant);
	if (catalog != NULL)
		mg_str(&filter, "catalog_name", catalog);
	rc = mg_page(s, a, err, &policy_shape, &filter, sort, pg, out, n,
	    total);
	bson_destroy(sort);
	bson_destroy(&filter);
	return (rc);
}

int
mongo_delete_policy(struct pgl_store *s, const char *tenant, const char *id,
    struct pgl_err *err)
{
	bson_t		filter = BSON_INITIALIZER;
	uint64_t	deleted = 0;
	int		rc;

	mg_key_of(&filter, tenant, id);
	rc = mg_delete(s, err, COLL_POLICIES, &filter, 0, &deleted);
	if (rc == PGL_OK && deleted == 0)
		rc = mg_not_found_of(err, WHAT, tenant, id);
	bson_destroy(&filter);
	return (rc);
}

static int
asset_exists(struct pgl_store *s, const char *tenant, const char *id,
    int *found, struct pgl_err *err)
{
	bson_t	q = BSON_INITIALIZER;
	int	rc;

	mg_str(&q, "id", id);
	mg_str(&q, "tenant_id", tenant);
	mongo_not_gone(&q);
	rc = mg_exists(s, err, COLL_ASSETS, &q, found);
	bson_destroy(&q);
	return (rc);
}

static int
set_tags_tx(struct pgl_store *s, const char *tenant, const char *asset_id,
    const struct pgl_column_tag *tags, size_t n, struct pgl_err *err)
{
	bson_t	q = BSON_INITIALIZER, doc;
	size_t	i, j;
	int	rc;

	mg_str(&q, "tenant_id", tenant);
	mg_str(&q, "asset_id", asset_id);
	rc = mg_delete(s, err, COLL_COLUMN_TAGS, &q, 1, NULL);
	bson_destroy(&q);
	for (i = 0; rc == PGL_OK && i < n; i++) {
		/* A pair given twice is one tag, as the SQL key makes it. */
		for (j = 0; j < i; j++)
			if (tags[j].field_id == tags[i].field_id &&
			    strcmp(tags[j].tag, tags[i].tag) == 0)
				break;
		if (j < i)
			continue;
		bson_init(&doc);
		mg_str(&doc, "tenant_id", tenant);
		mg_str(&doc, "asset_id", asset_id);
		BSON_APPEND_INT64(&doc, "field_id", tags[i].field_id);
		mg_str(&doc, "tag", tags[i].tag);
		rc = mg_insert(s, err, COLL_COLUMN_TAGS, &doc);
		bson_destroy(&doc);
	}
	return (rc);
}

int
mongo_set_column_tags(struct pgl_store *s, const char *tenant,
    const char *asset_id, const struct pgl_column_tag *tags, size_t n,
    struct pgl_err *err)
{
	size_t	i;
	int	found = 0, owned = 0, rc;

	if (tenant == NULL || asset_id == NULL)
		return (mongo_err(err, PGL_EINVAL, "column tags need a tenant "
		    "and an asset id"));
	for (i = 0; i < n; i++)
		if (tags[i].tag == NULL || tags[i].field_id < 0)
			return (mongo_err(err, PGL_EINVAL, "a column tag needs "
			    "a tag and a field id"));
	if ((rc = asset_exists(s, tenant, asset_id, &found, err)) != PGL_OK)
		return (rc);
	if (!found)
		return (mongo_err(err, PGL_ENOTFOUND, "asset %s not found",
		    asset_id));
	if ((rc = mg_tx_own_begin(s, &owned, err)) != PGL_OK)
		return (rc);
	rc = set_tags_tx(s, tenant, asset_id, tags, n, err);
	return (mg_tx_own_end(s, owned, rc, err));
}

static void
id_fill(struct doc *d, void *out)
{
	*(const char **)out = doc_str(d, "id");
}

/* Keep the tags of assets that exist (in place); *n shrinks. */
static int
keep_live(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    struct pgl_column_tag *t, size_t *n, struct pgl_err *err)
{
	bson_t		 q = BSON_INITIALIZER, in, list;
	const char	**ids = NULL;
	void		*p = NULL;
	char		 k[16];
	const char	*key;
	size_t		 i, j, nids = 0, kept = 0;
	int		 rc;

	mg_str(&q, "tenant_id", tenant);
	BSON_APPEND_DOCUMENT_BEGIN(&q, "id", &in);
	BSON_APPEND_ARRAY_BEGIN(&in, "$in", &list);
	for (i = 0, j = 0; i < *n && j < MAX_TAG_ASSETS; i++) {
		if (i > 0 && strcmp(t[i].asset_id, t[i - 1].asset_id) == 0)
			continue;
		(void)bson_uint32_to_string((uint32_t)j++, &key, k, sizeof(k));
		mg_str(&list, key, t[i].asset_id);
	}
	bson_append_array_end(&in, &list);
	bson_append_document_end(&q, &in);
	mongo_not_gone(&q);
	rc = mg_list(s, a, err, COLL_ASSETS, &q, NULL, NULL, id_fill,
	    sizeof(*ids), &p, &nids);
	bson_destroy(&q);
	if (rc != PGL_OK)
		return (rc);
	ids = p;
	for (i = 0; i < *n; i++) {
		for (j = 0; j < nids; j++)
			if (ids[j] != NULL && strcmp(ids[j],
			    t[i].asset_id) == 0)
				break;
		if (j < nids)
			t[kept++] = t[i];
	}
	*n = kept;
	return (PGL_OK);
}

int
mongo_list_column_tags(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *asset_id, const char *tag,
    struct pgl_column_tag **out, size_t *n, struct pgl_err *err)
{
	bson_t	filter = BSON_INITIALIZER, sort = BSON_INITIALIZER;
	void	*p = NULL;
	int	 rc;

	*out = NULL;
	*n = 0;
	if (asset_id == NULL && tag == NULL)
		return (mongo_err(err, PGL_EINVAL, "column tags of an asset "
		    "or of a tag"));
	mg_str(&filter, "tenant_id", tenant);
	if (asset_id != NULL) {
		mg_str(&filter, "asset_id", asset_id);
		BSON_APPEND_INT32(&sort, "field_id", 1);
		BSON_APPEND_INT32(&sort, "tag", 1);
	} else {
		mg_str(&filter, "tag", tag);
		BSON_APPEND_INT32(&sort, "asset_id", 1);
		BSON_APPEND_INT32(&sort, "field_id", 1);
	}
	rc = mg_list(s, a, err, COLL_COLUMN_TAGS, &filter, &sort, NULL,
	    ctag_fill, sizeof(**out), &p, n);
	bson_destroy(&sort);
	bson_destroy(&filter);
	if (rc == PGL_OK && *n > 0)
		rc = keep_live(s, a, tenant, p, n, err);
	if (rc == PGL_OK)
		*out = p;
	return (rc);
}

/* ABI 1.19: those of a page of search hits (ids, a JSON array), through
 * the "key" index (tenant, asset, field, tag). */
int
mongo_list_column_tags_of(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *ids, struct pgl_column_tag **out,
    size_t *n, struct pgl_err *err)
{
	bson_t		 filter = BSON_INITIALIZER, *sort, in, list, *doc;
	bson_iter_t	 arr;
	const char	*key;
	char		 k[16];
	uint32_t	 i = 0;
	void		*p = NULL;
	int		 rc;

	*out = NULL;
	*n = 0;
	if (tenant == NULL || ids == NULL)
		return (mongo_err(err, PGL_EINVAL, "column tags of a tenant's "
		    "assets"));
	if ((rc = mongo_json_array(ids, &doc, &arr, err)) != PGL_OK)
		return (rc);
	mg_str(&filter, "tenant_id", tenant);
	BSON_APPEND_DOCUMENT_BEGIN(&filter, "asset_id", &in);
	BSON_APPEND_ARRAY_BEGIN(&in, "$in", &list);
	while (bson_iter_next(&arr)) {
		if (!BSON_ITER_HOLDS_UTF8(&arr))
			continue;
		(void)bson_uint32_to_string(i++, &key, k, sizeof(k));
		BSON_APPEND_UTF8(&list, key, bson_iter_utf8(&arr, NULL));
	}
	bson_append_array_end(&in, &list);
	bson_append_document_end(&filter, &in);
	bson_destroy(doc);
	sort = BCON_NEW("asset_id", BCON_INT32(1), "field_id", BCON_INT32(1),
	    "tag", BCON_INT32(1));
	rc = mg_list(s, a, err, COLL_COLUMN_TAGS, &filter, sort, NULL,
	    ctag_fill, sizeof(**out), &p, n);
	bson_destroy(sort);
	bson_destroy(&filter);
	/* No cascade here: an asset gone keeps no tags (as in SQL). */
	if (rc == PGL_OK && *n > 0)
		rc = keep_live(s, a, tenant, p, n, err);
	if (rc == PGL_OK)
		*out = p;
	return (rc);
}
