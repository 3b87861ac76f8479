/*
 * Column tags (issue 46): business metadata of a table's columns, by
 * field id, so a rename keeps them; a tag-scoped data policy acts on
 * every column holding its tag.
 *
 * GET /api/v1/assets/{asset_id}/column-tags
 *	{"asset_id", "columns": [{"field_id", "column", "tags"}]}, without
 *	the columns the caller's read restrictions project (a tag policy
 *	masking "pii" columns must not list them as "pii" to that reader)
 * PUT the same "columns" (each by field_id or by column name, resolved
 *	against the table's current schema), replacing every tag the
 *	asset's columns held.
 * GET /api/v1/column-tags?tag=<t>[&catalog=<c>]: the columns holding a
 *	tag (admins): the search of column tags.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/asset_ref.h"
#include "api/gate.h"
#include "api/policies/policies.h"
#include "api/policies/policy_int.h"
#include "api/read/policies.h"
#include "api/read/read.h"
#include "api/target.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"

#define MAX_COLUMN_TAGS	1024
#define TAG_MAX_CHARS	128

/* The asset's current schema: a new reference to its metadata, or NULL
 * after replying. */
static json_t *
metadata_of(struct pgl_req *r, struct pgl_asset *a, struct pgl_catalog *c)
{
	json_t	*md = NULL;

	if (api_asset_by_id(r, pgl_param(r, "asset_id"), a, c) == -1)
		return (NULL);
	if (a->kind == NULL || strcmp(a->kind, "ICEBERG_TABLE") != 0 ||
	    a->metadata_location == NULL) {
		pgl_reply_error(r, 422, "column tags are kept for Iceberg "
		    "tables");
		return (NULL);
	}
	if (ice_read_metadata(r, c, a->metadata_location, 500, &md) == -1)
		return (NULL);
	return (md);
}

/* A field's full name in schema, for the answer ("" when dropped). */
static const char *
name_of(struct pgl_req *r, const json_t *schema, int64_t id)
{
	const json_t	*f;
	size_t		 i;

	/* Top-level columns by name; nested ones by id only. */
	json_array_foreach(json_object_get(schema, "fields"), i, f) {
		if (json_integer_value(json_object_get(f, "id")) == id)
			return (pgl_arena_strdup(r->arena, json_string_value(
			    json_object_get(f, "name"))));
	}
	return (NULL);
}

static json_t *
columns_json(struct pgl_req *r, const json_t *schema,
    const struct pgl_column_tag *t, size_t n)
{
	json_t	*arr = json_array(), *col = NULL, *tags = NULL;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (i == 0 || t[i].field_id != t[i - 1].field_id) {
			tags = json_array();
			col = json_pack("{s:I, s:s?, s:o}", "field_id",
			    (json_int_t)t[i].field_id, "column", name_of(r,
			    schema, t[i].field_id), "tags", tags);
			json_array_append_new(arr, col);
		}
		json_array_append_new(tags, json_string(t[i].tag));
	}
	return (arr);
}

/*
 * Leave out of t[0..*n) the tags of the columns the caller's read
 * restrictions project on the table (a masked, hashed, nulled ...
 * column, or one nested in it), as a load's labels do: a tag must not
 * tell a reader what a policy hides from it.  0, or -1 after replying.
 */
static int
unmasked(struct pgl_req *r, const struct pgl_asset *a,
    const struct pgl_catalog *c, const json_t *md,
    struct pgl_column_tag *t, size_t *n)
{
	struct pgl_pol_mask	 m;
	json_t			*rr;
	size_t			 i, kept;

	if (ice_read_restrictions(r, c->name, a->ns, a->name, a->id, md, &rr,
	    NULL) == -1)
		return (-1);
	if (rr == NULL)
		return (0);
	if (pgl_pol_mask_of(rr, md, &m) == -1) {
		json_decref(rr);
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	for (i = kept = 0; i < *n; i++) {
		if (!pgl_pol_masked(&m, t[i].field_id))
			t[kept++] = t[i];
	}
	*n = kept;
	pgl_pol_mask_free(&m);
	json_decref(rr);
	return (0);
}

void
api_column_tags_get(struct pgl_req *r)
{
	struct pgl_asset	 a;
	struct pgl_catalog	 c;
	struct pgl_column_tag	*t;
	struct pgl_err		 err;
	size_t			 n;
	json_t			*md;

	if (!pol_ready(r) || (md = metadata_of(r, &a, &c)) == NULL)
		return;
	if (STORE(list_column_tags, r->arena, r->tenant, a.id, NULL, &t, &n,
	    &err) != PGL_OK) {
		json_decref(md);
		pgl_reply_store_error(r, &err);
		return;
	}
	if (unmasked(r, &a, &c, md, t, &n) == -1) {
		json_decref(md);
		return;
	}
	pgl_reply_json(r, 200, json_pack("{s:s, s:o}", "asset_id", a.id,
	    "columns", columns_json(r, pgl_pol_current_schema(md), t, n)));
	json_decref(md);
}

/* One entry of "columns": its field id, or -1 after replying. */
static int64_t
field_of(struct pgl_req *r, const json_t *schema, const json_t *e)
{
	struct pgl_pol_column	 col;
	const json_t		*fid = json_object_get(e, "field_id");
	const char		*name = pgl_json_str(e, "column");

	if (json_is_integer(fid) && pgl_pol_column_by_id(schema,
	    json_integer_value(fid), &col) == 0)
		return (col.id);
	if (!json_is_integer(fid) && name != NULL &&
	    pgl_pol_column_by_name(schema, name, &col) == 0)
		return (col.id);
	pgl_reply_error(r, 422, "columns: each names a column of the table's "
	    "current schema by field_id or by column (\"a.b\")");
	return (-1);
}

/* The body's columns into an arena array: 0, or -1 after replying. */
static int
tags_of(struct pgl_req *r, const json_t *schema, const char *asset_id,
    struct pgl_column_tag **out, size_t *n)
{
	const json_t	*cols, *e, *v;
	size_t		 i, j;
	int64_t		 id;

	*n = 0;
	cols = r->body != NULL ? json_object_get(r->body, "columns") : NULL;
	if (!json_is_array(cols)) {
		pgl_reply_error(r, 400, "columns: an array of {\"field_id\" "
		    "or \"column\", \"tags\": [...]} is required");
		return (-1);
	}
	if ((*out = pgl_arena_alloc(r->arena, MAX_COLUMN_TAGS *
	    sizeof(**out))) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	json_array_foreach(cols, i, e) {
		if (!json_is_object(e) || !json_is_array(json_object_get(e,
		    "tags"))) {
			pgl_reply_error(r, 400, "columns[%zu]: an object with "
			    "a tags array", i);
			return (-1);
		}
		if ((id = field_of(r, schema, e)) == -1)
			return (-1);
		json_array_foreach(json_object_get(e, "tags"), j, v) {
			if (!json_is_string(v) || json_string_length(v) == 0 ||
			    json_string_length(v) > TAG_MAX_CHARS ||
			    *n >= MAX_COLUMN_TAGS) {
				pgl_reply_error(r, 422, "tags: strings of 1 to "
				    "%d characters, at most %d in all",
				    TAG_MAX_CHARS, MAX_COLUMN_TAGS);
				return (-1);
			}
			(*out)[*n].asset_id = asset_id;
			(*out)[*n].field_id = id;
			(*out)[(*n)++].tag = json_string_value(v);
		}
	}
	return (0);
}

/* The data policies the tags would bring to the table (policy.h). */
static int
check(struct pgl_req *r, const struct pgl_asset *a, const json_t *schema,
    const struct pgl_column_tag *t, size_t n)
{
	struct pgl_pol_table	tbl = { a->catalog, a->ns, a->name, schema, t,
				    n, a->id };
	int			any;

	if ((any = ice_policies_any(r)) <= 0)
		return (any);
	return (pol_tags_check(r, &tbl));
}

void
api_column_tags_put(struct pgl_req *r)
{
	struct pgl_asset	 a;
	struct pgl_catalog	 c;
	struct pgl_column_tag	*t, *back;
	struct pgl_err		 err;
	const json_t		*schema;
	size_t			 n, nback;
	json_t			*md;

	if (!pol_ready(r) || (md = metadata_of(r, &a, &c)) == NULL)
		return;
	schema = pgl_pol_current_schema(md);
	if (tags_of(r, schema, a.id, &t, &n) == -1 ||
	    check(r, &a, schema, t, n) == -1) {
		json_decref(md);
		return;
	}
	if (STORE(set_column_tags, r->tenant, a.id, t, n, &err) != PGL_OK ||
	    STORE(list_column_tags, r->arena, r->tenant, a.id, NULL, &back,
	    &nback, &err) != PGL_OK) {
		json_decref(md);
		pgl_reply_missing(r, &err, "Asset not found");
		return;
	}
	api_audit_about(r, a.id, a.name);
	pgl_reply_json(r, 200, json_pack("{s:s, s:o}", "asset_id", a.id,
	    "columns", columns_json(r, schema, back, nback)));
	json_decref(md);
}

void
api_column_tags_search(struct pgl_req *r)
{
	struct pgl_column_tag	*t;
	struct pgl_asset	 a;
	struct pgl_err		 err;
	const char		*tag = pgl_query(r, "tag");
	const char		*catalog = pgl_query(r, "catalog");
	json_t			*arr;
	size_t			 n, i;

	if (!pol_ready(r))
		return;
	if (tag == NULL || *tag == '\0') {
		pgl_reply_error(r, 400, "tag: the column tag to look for is "
		    "required (?tag=)");
		return;
	}
	if (STORE(list_column_tags, r->arena, r->tenant, NULL, tag, &t, &n,
	    &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	arr = json_array();
	for (i = 0; i < n; i++) {
		if (STORE(get_asset_by_id, r->arena, r->tenant, t[i].asset_id,
		    &a, &err) != PGL_OK || (catalog != NULL &&
		    strcmp(a.catalog, catalog) != 0))
			continue;
		json_array_append_new(arr, json_pack("{s:s, s:s, s:o, s:s, "
		    "s:s, s:I, s:s}", "asset_id", a.id, "catalog", a.catalog,
		    "namespace", ice_ns_json(a.ns), "table", a.name, "branch",
		    a.branch, "field_id", (json_int_t)t[i].field_id, "tag",
		    t[i].tag));
	}
	pgl_reply_list(r, arr, json_array_size(arr));
}
