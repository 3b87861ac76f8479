/*
 * Discovery (store ABI 1.10): assets by text, tags and visibility, names
 * of catalogs, namespaces and branches, and the dashboard's counts.
 *
 * The text index.  MongoDB's own `text` index matches stemmed whole
 * words, so "sal" would not find "sales" here while the SQL stores find
 * it (a substring, as the reference searched).  Each asset document of a
 * `main` branch therefore carries its own trigram index: `stext`, its
 * name, a newline and its business metadata's description with ASCII
 * letters lowered, and `grams`, the distinct three-character pieces of
 * stext, under a multikey index (tenant_id, branch_name, grams).  A
 * query of three or more characters asks for all of its grams ($all,
 * answered from the index) and then for the substring itself ($regex on
 * stext, on the few documents left); a shorter one has no gram and reads
 * the tenant's main assets.  mongo_search_fields keeps both fields on
 * every write that changes a name or a description.
 *
 * Tags (ABI 1.19): a tag is on an asset when its business metadata
 * (bm.tags) or one of its columns (column_tags) carries it.  The columns
 * holding the query's tags are read first, through column_tags' "tag"
 * index (tenant, tag, asset), and each tag becomes {$or: [its bm.tags,
 * the ids of the assets whose columns hold it]}: no copy of the column
 * tags on the asset documents, so no schema change and no backfill.
 *
 * The MongoDB-protocol test server (CongoDB) creates the index but
 * answers every query by reading the whole collection, so it shows the
 * answers, not the speed (plugins/store-mongo/README.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mongo_store.h"

/* Appends {key: {op: [the array's strings]}}. */
static int
append_in(bson_t *b, const char *key, const char *op, const char *json,
    struct pgl_err *err)
{
	bson_t		*doc, cond, list;
	bson_iter_t	 arr;
	char		 buf[16];
	const char	*k;
	uint32_t	 i = 0;
	int		 rc;

	if ((rc = mongo_json_array(json, &doc, &arr, err)) != PGL_OK)
		return (rc);
	BSON_APPEND_DOCUMENT_BEGIN(b, key, &cond);
	BSON_APPEND_ARRAY_BEGIN(&cond, op, &list);
	while (doc != NULL && bson_iter_next(&arr)) {
		if (!BSON_ITER_HOLDS_UTF8(&arr))
			continue;
		(void)bson_uint32_to_string(i++, &k, buf, sizeof(buf));
		BSON_APPEND_UTF8(&list, k, bson_iter_utf8(&arr, NULL));
	}
	bson_append_array_end(&cond, &list);
	bson_append_document_end(b, &cond);
	if (doc != NULL)
		bson_destroy(doc);
	return (PGL_OK);
}

/* One visible namespace "<catalog>\x1e<ns>": it and its children. */
static int
append_ns(bson_t *or, uint32_t *i, const char *entry)
{
	const char	*sep = strchr(entry, PGL_VIS_NS_SEP), *k;
	char		 buf[16], *cat, *re, *pat;
	bson_t		 one, alt, a0, a1, rx;
	int		 rc = PGL_ENOMEM;

	if (sep == NULL)
		return (PGL_OK);
	if ((cat = strndup(entry, (size_t)(sep - entry))) == NULL)
		return (rc);
	re = mongo_regex_quote(sep + 1, 0);
	pat = re != NULL ? malloc(strlen(re) + 3) : NULL;
	if (pat != NULL) {
		(void)snprintf(pat, strlen(re) + 3, "^%s\x1f", re);
		(void)bson_uint32_to_string((*i)++, &k, buf, sizeof(buf));
		BSON_APPEND_DOCUMENT_BEGIN(or, k, &one);
		BSON_APPEND_UTF8(&one, "catalog_name", cat);
		BSON_APPEND_ARRAY_BEGIN(&one, "$or", &alt);
		BSON_APPEND_DOCUMENT_BEGIN(&alt, "0", &a0);
		BSON_APPEND_UTF8(&a0, "namespace", sep + 1);
		bson_append_document_end(&alt, &a0);
		BSON_APPEND_DOCUMENT_BEGIN(&alt, "1", &a1);
		BSON_APPEND_DOCUMENT_BEGIN(&a1, "namespace", &rx);
		BSON_APPEND_UTF8(&rx, "$regex", pat);
		bson_append_document_end(&a1, &rx);
		bson_append_document_end(&alt, &a1);
		bson_append_array_end(&one, &alt);
		bson_append_document_end(or, &one);
		rc = PGL_OK;
	}
	free(pat);
	free(re);
	free(cat);
	return (rc);
}

/* {$or: [discoverable, catalogs, namespaces, assets, tags]} into and. */
static int
append_visible(bson_t *and, const char *k, const struct pgl_asset_query *q,
    struct pgl_err *err)
{
	bson_t		 clause, or, part, *doc;
	bson_iter_t	 arr;
	uint32_t	 i = 0;
	char		 buf[16];
	const char	*n;
	int		 rc;

	BSON_APPEND_DOCUMENT_BEGIN(and, k, &clause);
	BSON_APPEND_ARRAY_BEGIN(&clause, "$or", &or);
	(void)bson_uint32_to_string(i++, &n, buf, sizeof(buf));
	BSON_APPEND_DOCUMENT_BEGIN(&or, n, &part);
	BSON_APPEND_BOOL(&part, "bm.discoverable", true);
	bson_append_document_end(&or, &part);
	(void)bson_uint32_to_string(i++, &n, buf, sizeof(buf));
	BSON_APPEND_DOCUMENT_BEGIN(&or, n, &part);
	rc = append_in(&part, "catalog_name", "$in", q->vis_catalogs, err);
	bson_append_document_end(&or, &part);
	(void)bson_uint32_to_string(i++, &n, buf, sizeof(buf));
	BSON_APPEND_DOCUMENT_BEGIN(&or, n, &part);
	if (rc == PGL_OK)
		rc = append_in(&part, "id", "$in", q->vis_assets, err);
	bson_append_document_end(&or, &part);
	(void)bson_uint32_to_string(i++, &n, buf, sizeof(buf));
	BSON_APPEND_DOCUMENT_BEGIN(&or, n, &part);
	if (rc == PGL_OK)
		rc = append_in(&part, "bm.tags", "$in", q->vis_tags, err);
	bson_append_document_end(&or, &part);
	if (rc == PGL_OK)
		rc = mongo_json_array(q->vis_namespaces, &doc, &arr, err);
	while (rc == PGL_OK && doc != NULL && bson_iter_next(&arr)) {
		if (BSON_ITER_HOLDS_UTF8(&arr) && (rc = append_ns(&or, &i,
		    bson_iter_utf8(&arr, NULL))) != PGL_OK)
			rc = mongo_err(err, rc, "out of memory");
	}
	if (rc == PGL_OK && doc != NULL)
		bson_destroy(doc);
	bson_append_array_end(&clause, &or);
	bson_append_document_end(and, &clause);
	return (rc);
}

/* The text's part of the filter: its grams (from the index), then the
 * substring itself. */
static int
append_text(bson_t *f, const char *text)
{
	char	*low, *re = NULL;
	bson_t	 cond;
	int	 rc = PGL_ENOMEM;

	if ((low = mongo_lowered(text)) == NULL ||
	    (re = mongo_regex_quote(low, 0)) == NULL)
		goto out;
	if (mongo_utf8_chars(low) >= 3) {
		BSON_APPEND_DOCUMENT_BEGIN(f, "grams", &cond);
		if (mongo_append_grams(&cond, "$all", low) == -1)
			goto out;
		bson_append_document_end(f, &cond);
	}
	BSON_APPEND_DOCUMENT_BEGIN(f, "stext", &cond);
	BSON_APPEND_UTF8(&cond, "$regex", re);
	bson_append_document_end(f, &cond);
	rc = PGL_OK;
out:
	free(re);
	free(low);
	return (rc);
}

static void
tagged_fill(struct doc *d, void *out)
{
	struct pgl_column_tag	*t = out;

	t->asset_id = doc_str(d, "asset_id");
	t->tag = doc_str(d, "tag");
}

/* The tenant's columns holding any of the tags, by tag then asset. */
static int
tagged_columns(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    const char *tags, struct pgl_column_tag **out, size_t *n,
    struct pgl_err *err)
{
	bson_t	 f = BSON_INITIALIZER, *sort;
	void	*p = NULL;
	int	 rc;

	*n = 0;
	sort = BCON_NEW("tag", BCON_INT32(1), "asset_id", BCON_INT32(1));
	mg_str(&f, "tenant_id", tenant);
	rc = append_in(&f, "tag", "$in", tags, err);
	if (rc == PGL_OK)
		rc = mg_list(s, a, err, COLL_COLUMN_TAGS, &f, sort, NULL,
		    tagged_fill, sizeof(**out), &p, n);
	*out = p;
	bson_destroy(sort);
	bson_destroy(&f);
	return (rc);
}

/*
 * and's next clause for one tag: {$or: [{bm.tags: tag}, {id: {$in: the
 * assets of c (sorted by tag, asset) with it on a column}}]}.
 */
static void
append_tag(bson_t *and, uint32_t *i, const char *tag,
    const struct pgl_column_tag *c, size_t nc)
{
	bson_t		 clause, or, alt, in, list;
	const char	*k;
	char		 buf[16];
	size_t		 j;
	uint32_t	 m = 0;

	(void)bson_uint32_to_string((*i)++, &k, buf, sizeof(buf));
	BSON_APPEND_DOCUMENT_BEGIN(and, k, &clause);
	BSON_APPEND_ARRAY_BEGIN(&clause, "$or", &or);
	BSON_APPEND_DOCUMENT_BEGIN(&or, "0", &alt);
	BSON_APPEND_UTF8(&alt, "bm.tags", tag);
	bson_append_document_end(&or, &alt);
	BSON_APPEND_DOCUMENT_BEGIN(&or, "1", &alt);
	BSON_APPEND_DOCUMENT_BEGIN(&alt, "id", &in);
	BSON_APPEND_ARRAY_BEGIN(&in, "$in", &list);
	for (j = 0; j < nc; j++) {
		/* Two columns of one asset with the tag: one id. */
		if (c[j].tag == NULL || c[j].asset_id == NULL ||
		    strcmp(c[j].tag, tag) != 0 || (m > 0 &&
		    c[j - 1].asset_id != NULL &&
		    strcmp(c[j - 1].asset_id, c[j].asset_id) == 0))
			continue;
		(void)bson_uint32_to_string(m++, &k, buf, sizeof(buf));
		BSON_APPEND_UTF8(&list, k, c[j].asset_id);
	}
	bson_append_array_end(&in, &list);
	bson_append_document_end(&alt, &in);
	bson_append_document_end(&or, &alt);
	bson_append_array_end(&clause, &or);
	bson_append_document_end(and, &clause);
}

/* One clause of and per tag of the JSON array tags. */
static int
append_tags(struct pgl_store *s, struct pgl_arena *a, bson_t *and,
    uint32_t *i, const char *tenant, const char *tags, struct pgl_err *err)
{
	struct pgl_column_tag	*c;
	bson_iter_t		 arr;
	bson_t			*doc;
	size_t			 nc;
	int			 rc;

	if ((rc = tagged_columns(s, a, tenant, tags, &c, &nc, err)) !=
	    PGL_OK || (rc = mongo_json_array(tags, &doc, &arr, err)) !=
	    PGL_OK || doc == NULL)
		return (rc);
	while (bson_iter_next(&arr)) {
		if (BSON_ITER_HOLDS_UTF8(&arr))
			append_tag(and, i, bson_iter_utf8(&arr, NULL), c, nc);
	}
	bson_destroy(doc);
	return (PGL_OK);
}

static int
search_filter(struct pgl_store *s, struct pgl_arena *a, bson_t *f,
    const char *tenant, const struct pgl_asset_query *q,
    struct pgl_err *err)
{
	bson_t		 and;
	const char	*k;
	char		 buf[16];
	uint32_t	 i = 0;
	int		 rc = PGL_OK;

	mg_str(f, "tenant_id", tenant);
	BSON_APPEND_UTF8(f, "branch_name", "main");
	mongo_not_gone(f);
	if (q->catalog != NULL)
		BSON_APPEND_UTF8(f, "catalog_name", q->catalog);
	if (q->text != NULL && *q->text != '\0' &&
	    append_text(f, q->text) != PGL_OK)
		return (mongo_err(err, PGL_ENOMEM, "out of memory"));
	if (q->tags == NULL && !q->restricted)
		return (PGL_OK);
	BSON_APPEND_ARRAY_BEGIN(f, "$and", &and);
	if (q->tags != NULL)
		rc = append_tags(s, a, &and, &i, tenant, q->tags, err);
	if (rc == PGL_OK && q->restricted) {
		(void)bson_uint32_to_string(i++, &k, buf, sizeof(buf));
		rc = append_visible(&and, k, q, err);
	}
	bson_append_array_end(f, &and);
	return (rc);
}

static void
hit_fill(struct doc *d, void *out)
{
	struct pgl_asset_hit	*h = out;
	struct doc		 bm;
	bson_t			 sub;

	mongo_asset_fill(d, &h->asset);
	h->tags = "[]";
	if (!mongo_bm_doc(d, &sub, &bm))
		return;
	h->has_metadata = 1;
	h->description = doc_str(&bm, "description");
	h->tags = doc_str(&bm, "tags_json");
	h->discoverable = doc_bool(&bm, "discoverable");
	d->oom |= bm.oom;
}

int
mongo_search_assets(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const struct pgl_asset_query *q,
    const struct pgl_page *page, struct pgl_asset_hit **items, size_t *n,
    uint64_t *total, struct pgl_err *err)
{
	bson_t	 filter = BSON_INITIALIZER, *sort;
	void	*p = NULL;
	int	 rc;

	*items = NULL;
	*n = 0;
	sort = BCON_NEW("name", BCON_INT32(1), "catalog_name", BCON_INT32(1),
	    "namespace", BCON_INT32(1));
	rc = search_filter(s, a, &filter, tenant, q, err);
	if (rc == PGL_OK)
		rc = mg_list(s, a, err, COLL_ASSETS, &filter, sort, page,
		    hit_fill, sizeof(**items), &p, n);
	*items = p;
	if (rc == PGL_OK && total != NULL)
		rc = mg_count(s, err, COLL_ASSETS, &filter, total);
	bson_destroy(sort);
	bson_destroy(&filter);
	return (rc);
}

static void
catalog_hit_fill(struct doc *d, void *out)
{
	struct pgl_name_hit	*h = out;

	h->catalog = doc_str(d, "name");
	h->name = h->catalog;
}

static void
name_hit_fill(struct doc *d, void *out)
{
	struct pgl_name_hit	*h = out;

	h->catalog = doc_str(d, "catalog_name");
	h->name = doc_str(d, "name");
}

int
mongo_search_names(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, enum pgl_name_kind kind, const char *text,
    uint32_t limit, struct pgl_name_hit **items, size_t *n,
    struct pgl_err *err)
{
	struct pgl_page	 page = { limit != 0 ? limit : 1000, 0, NULL };
	bson_t		 filter = BSON_INITIALIZER, rx, *sort;
	doc_fill_fn	 fill = name_hit_fill;
	char		*re;
	void		*p = NULL;
	int		 coll, rc;

	*items = NULL;
	*n = 0;
	switch (kind) {
	case PGL_NAMES_CATALOG:
		coll = COLL_CATALOGS;
		fill = catalog_hit_fill;
		break;
	case PGL_NAMES_NAMESPACE:
		coll = COLL_NAMESPACES;
		break;
	case PGL_NAMES_BRANCH:
		coll = COLL_BRANCHES;
		break;
	default:
		return (mongo_err(err, PGL_EINVAL, "unknown name kind %d",
		    (int)kind));
	}
	if ((re = mongo_regex_quote(text != NULL ? text : "",
	    kind == PGL_NAMES_NAMESPACE)) == NULL)
		return (mongo_err(err, PGL_ENOMEM, "out of memory"));
	mg_str(&filter, "tenant_id", tenant);
	BSON_APPEND_DOCUMENT_BEGIN(&filter, "name", &rx);
	BSON_APPEND_UTF8(&rx, "$regex", re);
	BSON_APPEND_UTF8(&rx, "$options", "i");
	bson_append_document_end(&filter, &rx);
	sort = coll == COLL_CATALOGS ? BCON_NEW("name", BCON_INT32(1)) :
	    BCON_NEW("name", BCON_INT32(1), "catalog_name", BCON_INT32(1));
	rc = mg_list(s, a, err, coll, &filter, sort, &page, fill,
	    sizeof(**items), &p, n);
	*items = p;
	bson_destroy(sort);
	bson_destroy(&filter);
	free(re);
	return (rc);
}

/* count of coll's documents of tenant (NULL: all) with one more field. */
static int
count_of(struct pgl_store *s, struct pgl_err *err, int coll,
    const char *tkey, const char *tenant, const char *k, const char *v,
    uint64_t *out)
{
	bson_t	filter = BSON_INITIALIZER;
	int	rc;

	if (tenant != NULL)
		BSON_APPEND_UTF8(&filter, tkey, tenant);
	if (k != NULL)
		BSON_APPEND_UTF8(&filter, k, v);
	rc = mg_count(s, err, coll, &filter, out);
	bson_destroy(&filter);
	return (rc);
}

int
mongo_count_tenant(struct pgl_store *s, const char *tenant,
    struct pgl_tenant_counts *c, struct pgl_err *err)
{
	bson_t	filter = BSON_INITIALIZER;
	int	rc;

	memset(c, 0, sizeof(*c));
	rc = count_of(s, err, COLL_TENANTS, "id", tenant, NULL, NULL,
	    &c->tenants);
	if (rc == PGL_OK)
		rc = count_of(s, err, COLL_WAREHOUSES, "tenant_id", tenant,
		    NULL, NULL, &c->warehouses);
	if (rc == PGL_OK)
		rc = count_of(s, err, COLL_CATALOGS, "tenant_id", tenant, NULL,
		    NULL, &c->catalogs);
	if (rc == PGL_OK)
		rc = count_of(s, err, COLL_NAMESPACES, "tenant_id", tenant,
		    NULL, NULL, &c->namespaces);
	if (rc == PGL_OK)
		rc = count_of(s, err, COLL_BRANCHES, "tenant_id", tenant, NULL,
		    NULL, &c->branches);
	if (rc == PGL_OK)
		rc = count_of(s, err, COLL_USERS, "tenant_id", tenant, NULL,
		    NULL, &c->users);
	/* Tombstones (copy-on-write deletes) are no assets. */
	if (tenant != NULL)
		BSON_APPEND_UTF8(&filter, "tenant_id", tenant);
	BSON_APPEND_UTF8(&filter, "branch_name", "main");
	mongo_not_gone(&filter);
	if (rc == PGL_OK)
		rc = mg_count(s, err, COLL_ASSETS, &filter, &c->assets);
	BSON_APPEND_UTF8(&filter, "kind", "ICEBERG_TABLE");
	if (rc == PGL_OK)
		rc = mg_count(s, err, COLL_ASSETS, &filter, &c->tables);
	bson_reinit(&filter);
	if (tenant != NULL)
		BSON_APPEND_UTF8(&filter, "tenant_id", tenant);
	BSON_APPEND_UTF8(&filter, "branch_name", "main");
	mongo_not_gone(&filter);
	BSON_APPEND_UTF8(&filter, "kind", "VIEW");
	if (rc == PGL_OK)
		rc = mg_count(s, err, COLL_ASSETS, &filter, &c->views);
	bson_destroy(&filter);
	return (rc);
}
