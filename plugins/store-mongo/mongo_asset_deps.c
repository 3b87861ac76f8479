/*
 * What goes with an asset row where SQL's foreign keys (ON DELETE
 * CASCADE) take it: its access requests (ABI 1.10) and its column tags
 * (ABI 1.17), both naming the asset by its id.  Every delete of assets
 * (one, a namespace's, a branch's, a catalog's) calls
 * mongo_drop_asset_deps first, with the filter it deletes by and in its
 * transaction: the ids in one find, then one delete per collection.  A
 * tenant's delete takes both collections by tenant_id.
 *
 * Column tags that a plugin of before schema 11 left behind (it deleted
 * assets without them) are deleted at the upgrade
 * (mongo_drop_orphan_column_tags): reads skip them, but they were kept
 * for ever, and a tag's list checks only so many assets for life
 * (mongo_policies.c), so dead ones could crowd live ones out.
 */
#include <stdlib.h>
#include <string.h>

#include "mongo_store.h"

struct ids {
	char	**v;
	size_t	  n;
	size_t	  cap;
};

static void
ids_free(struct ids *ids)
{
	size_t	i;

	for (i = 0; i < ids->n; i++)
		free(ids->v[i]);
	free(ids->v);
	memset(ids, 0, sizeof(*ids));
}

static int
ids_add(struct ids *ids, const char *id, struct pgl_err *err)
{
	char	**p;

	if (ids->n == ids->cap) {
		ids->cap = ids->cap == 0 ? 64 : ids->cap * 2;
		if ((p = realloc(ids->v, ids->cap * sizeof(*p))) == NULL)
			return (mongo_err(err, PGL_ENOMEM, "out of memory"));
		ids->v = p;
	}
	if ((ids->v[ids->n] = strdup(id)) == NULL)
		return (mongo_err(err, PGL_ENOMEM, "out of memory"));
	ids->n++;
	return (PGL_OK);
}

/* Field key of every document of coll that filter matches, into ids. */
static int
read_ids(struct pgl_store *s, int coll, const bson_t *filter,
    const char *key, struct ids *ids, struct pgl_err *err)
{
	mongoc_cursor_t	*cur = NULL;
	const bson_t	*b, *reply;
	bson_error_t	 e;
	bson_iter_t	 it;
	bson_t		*opts;
	int		 rc;

	opts = BCON_NEW("projection", "{", key, BCON_INT32(1), "}",
	    "batchSize", BCON_INT64(BATCH_ALL));
	rc = mg_find(s, err, coll, filter, opts, &cur);
	bson_destroy(opts);
	while (rc == PGL_OK && mongoc_cursor_next(cur, &b))
		if (bson_iter_init_find(&it, b, key) &&
		    BSON_ITER_HOLDS_UTF8(&it))
			rc = ids_add(ids, bson_iter_utf8(&it, NULL), err);
	if (rc == PGL_OK && mongoc_cursor_error_document(cur, &e, &reply))
		rc = mongo_error(err, &e, reply);
	if (cur != NULL)
		mongoc_cursor_destroy(cur);
	return (rc);
}

/* {tenant_id (unless NULL), asset_id: {$in: ids}} of coll: one delete. */
static int
drop_of(struct pgl_store *s, int coll, const char *tenant,
    const struct ids *ids, struct pgl_err *err)
{
	bson_t		 q = BSON_INITIALIZER, in, list;
	const char	*k;
	char		 buf[16];
	size_t		 i;
	int		 rc;

	if (tenant != NULL)
		mg_str(&q, "tenant_id", tenant);
	BSON_APPEND_DOCUMENT_BEGIN(&q, "asset_id", &in);
	BSON_APPEND_ARRAY_BEGIN(&in, "$in", &list);
	for (i = 0; i < ids->n; i++) {
		(void)bson_uint32_to_string((uint32_t)i, &k, buf, sizeof(buf));
		BSON_APPEND_UTF8(&list, k, ids->v[i]);
	}
	bson_append_array_end(&in, &list);
	bson_append_document_end(&q, &in);
	rc = mg_delete(s, err, coll, &q, 1, NULL);
	bson_destroy(&q);
	return (rc);
}

int
mongo_drop_asset_deps(struct pgl_store *s, const char *tenant,
    const bson_t *filter, struct pgl_err *err)
{
	struct ids	ids;
	int		rc;

	memset(&ids, 0, sizeof(ids));
	rc = read_ids(s, COLL_ASSETS, filter, "id", &ids, err);
	if (rc == PGL_OK && ids.n > 0)
		rc = drop_of(s, COLL_ACCESS, tenant, &ids, err);
	if (rc == PGL_OK && ids.n > 0)
		rc = drop_of(s, COLL_COLUMN_TAGS, tenant, &ids, err);
	ids_free(&ids);
	return (rc);
}

static int
cmp_str(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/* Schema 11: the column tags of assets that no longer exist. */
int
mongo_drop_orphan_column_tags(struct pgl_store *s, struct pgl_err *err)
{
	struct ids	 tagged, dead;
	bson_t		 all = BSON_INITIALIZER, q;
	size_t		 i;
	int		 found, rc;

	memset(&tagged, 0, sizeof(tagged));
	memset(&dead, 0, sizeof(dead));
	rc = read_ids(s, COLL_COLUMN_TAGS, &all, "asset_id", &tagged, err);
	bson_destroy(&all);
	if (rc == PGL_OK && tagged.n > 1)
		qsort(tagged.v, tagged.n, sizeof(*tagged.v), cmp_str);
	for (i = 0; rc == PGL_OK && i < tagged.n; i++) {
		if (i > 0 && strcmp(tagged.v[i], tagged.v[i - 1]) == 0)
			continue;
		bson_init(&q);
		mg_str(&q, "id", tagged.v[i]);
		rc = mg_exists(s, err, COLL_ASSETS, &q, &found);
		bson_destroy(&q);
		if (rc == PGL_OK && !found)
			rc = ids_add(&dead, tagged.v[i], err);
	}
	/* Asset ids are UUIDs: one tenant's cannot be another's. */
	if (rc == PGL_OK && dead.n > 0)
		rc = drop_of(s, COLL_COLUMN_TAGS, NULL, &dead, err);
	ids_free(&tagged);
	ids_free(&dead);
	return (rc);
}
