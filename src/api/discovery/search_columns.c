/*
 * The column tags of a page of search hits (issue 46, store ABI 1.19):
 * each hit says which of its columns carry which tags, so a hit found by
 * `#pii:email` shows where the tag is.  One store call for the page
 * (list_column_tags_of, by the assets' keys), whatever its size.
 *
 * Columns are named by field id only: a name is the table's current
 * schema's, which is in its metadata file, and reading one per hit would
 * make a page of 50 hits 50 reads of object storage.  The table's
 * column-tags route (and the console's table page) names them.
 *
 * The hits are what the store let the caller see (the search's
 * visibility), so no other asset's column tags are read or shown; a
 * caller a data policy binds in a hit's catalog is shown none of that
 * hit's (unbound).
 */
#include <string.h>

#include "api/api.h"
#include "api/discovery/discovery.h"
#include "api/read/policies.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"

/* The hits' ids as a JSON array's text, or NULL (out of memory). */
static const char *
ids_of(struct pgl_req *r, const struct pgl_asset_hit *hits, size_t n)
{
	json_t		*ids = json_array();
	const char	*text;
	size_t		 i;

	for (i = 0; i < n; i++)
		json_array_append_new(ids, json_string(hits[i].asset.id));
	text = api_text(r->arena, ids);
	json_decref(ids);
	return (text);
}

/*
 * by without the hits of a catalog some data policy binds the caller in:
 * which of a table's columns a policy masks for the caller needs the
 * table's schema, which a search does not read, and a tag must not tell
 * a reader what a policy hides (read/labels.c), so such a caller finds
 * those tables by their column tags but is shown none of them here; the
 * table's column-tags route shows the ones it may see.  by, or NULL
 * after a reply.
 */
static json_t *
unbound(struct pgl_req *r, const struct pgl_asset_hit *hits, size_t n,
    json_t *by)
{
	const char	*last = NULL;	/* the catalog bound answers */
	size_t		 i;
	int		 bound = 0;

	for (i = 0; i < n; i++) {
		if (json_object_get(by, hits[i].asset.id) == NULL)
			continue;
		/* A page's hits are mostly of one catalog or a few. */
		if ((last == NULL || strcmp(last, hits[i].asset.catalog) != 0) &&
		    (bound = ice_policies_bind_caller(r,
		    (last = hits[i].asset.catalog))) == -1) {
			json_decref(by);
			return (NULL);
		}
		if (bound)
			json_object_del(by, hits[i].asset.id);
	}
	return (by);
}

/*
 * An object of asset id -> [{"field_id", "tags"}] (columns by field id,
 * tags by name, as the store sorts them), or NULL after a reply.  An
 * older store (no list_column_tags_of) gives an empty object.
 */
json_t *
disc_hit_column_tags(struct pgl_req *r, const struct pgl_asset_hit *hits,
    size_t n)
{
	struct pgl_column_tag	*t;
	struct pgl_err		 err;
	const char		*ids;
	json_t			*by = json_object(), *cols, *col;
	size_t			 nt, i;

	if (by == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (NULL);
	}
	if (n == 0 || !pgl_store_has_column_search(pgl_app.db))
		return (by);
	if ((ids = ids_of(r, hits, n)) == NULL) {
		json_decref(by);
		pgl_reply_error(r, 503, "out of memory");
		return (NULL);
	}
	if (STORE(list_column_tags_of, r->arena, r->tenant, ids, &t, &nt,
	    &err) != PGL_OK) {
		json_decref(by);
		pgl_reply_store_error(r, &err);
		return (NULL);
	}
	/* Sorted by asset, field, tag: a column is a run of one field. */
	for (i = 0; i < nt; i++) {
		/* Out of memory, a column is left out: never a crash. */
		if ((cols = json_object_get(by, t[i].asset_id)) == NULL &&
		    (json_object_set_new(by, t[i].asset_id, json_array()) ==
		    -1 || (cols = json_object_get(by, t[i].asset_id)) == NULL))
			continue;
		col = json_array_get(cols, json_array_size(cols) - 1);
		if (col == NULL || json_integer_value(json_object_get(col,
		    "field_id")) != t[i].field_id) {
			col = json_pack("{s:I, s:[]}", "field_id",
			    (json_int_t)t[i].field_id, "tags");
			json_array_append_new(cols, col);
		}
		json_array_append_new(json_object_get(col, "tags"),
		    json_string(t[i].tag));
	}
	return (unbound(r, hits, n, by));
}

/* The hit's entry of disc_hit_column_tags' object: a new reference. */
json_t *
disc_column_tags_of(json_t *by, const struct pgl_asset_hit *h)
{
	json_t	*cols = json_object_get(by, h->asset.id);

	return (cols != NULL ? json_incref(cols) : json_array());
}
