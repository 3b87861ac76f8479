/*
 * Versions of assets, and the base version of each from the commit log
 * (api/branching/merge.h).  A Put records the asset as it became (ice_op_put: its
 * properties carry the metadata location), a Delete its name; the newest
 * operation naming an asset along the base's history is its base version.
 */
#include <string.h>

#include "api/api.h"
#include "api/branching/merge.h"
#include "app/app.h"
#include "plugin/loader.h"
#include "util/arena.h"
#include "util/json.h"

json_t *
merge_ver_asset(const struct pgl_asset *a)
{
	json_t	*v;

	v = json_pack("{s:s,s:s,s:s,s:o,s:o}", "id", a->id, "kind", a->kind,
	    "location", a->location != NULL ? a->location : "",
	    "metadata_location", api_str_or_null(a->metadata_location),
	    "properties", api_obj(a->properties));
	/* The asset it is a version of (ABI 1.26): a table new on the
	 * source stays that asset on the target (commit/owners.h). */
	if (v != NULL && a->origin != NULL && pgl_store_has_owners(pgl_app.db))
		json_object_set_new(v, "origin", json_string(a->origin));
	return (v);
}

/* A Put's asset as a version: metadata_location out of the properties. */
static json_t *
ver_of_put(const json_t *asset)
{
	json_t		*props, *mloc;
	const char	*loc = pgl_json_str(asset, "location");

	props = json_deep_copy(json_object_get(asset, "properties"));
	if (!json_is_object(props)) {
		json_decref(props);
		props = json_object();
	}
	mloc = json_incref(json_object_get(props, "metadata_location"));
	json_object_del(props, "metadata_location");
	if (!json_is_string(mloc)) {
		json_decref(mloc);
		mloc = json_null();
	}
	return (json_pack("{s:s,s:s,s:s,s:o,s:o}", "id",
	    pgl_json_str(asset, "id") != NULL ? pgl_json_str(asset, "id") : "",
	    "kind", pgl_json_str(asset, "kind") != NULL ?
	    pgl_json_str(asset, "kind") : "", "location", loc != NULL ? loc : "",
	    "metadata_location", mloc, "properties", props));
}

int
merge_ver_equal(const json_t *a, const json_t *b)
{
	const char	*ma, *mb;

	if (json_is_null(a) || json_is_null(b) || a == NULL || b == NULL)
		return ((a == NULL || json_is_null(a)) &&
		    (b == NULL || json_is_null(b)));
	ma = pgl_json_str(a, "metadata_location");
	mb = pgl_json_str(b, "metadata_location");
	/* Iceberg tables and views: the pointer is the version. */
	if (ma != NULL || mb != NULL)
		return (ma != NULL && mb != NULL && strcmp(ma, mb) == 0);
	/* Generic assets: what they say about themselves. */
	return (json_equal(json_object_get(a, "location"),
	    json_object_get(b, "location")) &&
	    json_equal(json_object_get(a, "properties"),
	    json_object_get(b, "properties")));
}

char *
merge_key(struct pgl_req *r, const char *ns, const char *name)
{
	return (pgl_arena_printf(r->arena, "%s" PGL_NS_SEP_STR "%s", ns,
	    name));
}

/* The namespace of an operation (a JSON array of levels), joined. */
static char *
op_ns(struct pgl_req *r, const json_t *levels)
{
	char	*s = pgl_arena_strdup(r->arena, "");
	size_t	 i;

	for (i = 0; s != NULL && i < json_array_size(levels); i++) {
		if (!json_is_string(json_array_get(levels, i)))
			return (NULL);
		s = pgl_arena_printf(r->arena, "%s%s%s", s, i > 0 ?
		    PGL_NS_SEP_STR : "",
		    json_string_value(json_array_get(levels, i)));
	}
	return (s);
}

/* Record op's effect unless a newer operation already named the asset. */
static void
note_op(struct pgl_req *r, json_t *out, const json_t *op)
{
	const json_t	*put = json_object_get(op, "Put");
	const json_t	*del = json_object_get(op, "Delete");
	const json_t	*what = put != NULL ? json_object_get(put, "asset") : del;
	const char	*name, *ns;
	char		*key;

	if (!json_is_object(what) || (name = pgl_json_str(what, "name")) ==
	    NULL || (ns = op_ns(r, json_object_get(what, "namespace"))) == NULL)
		return;
	if ((key = merge_key(r, ns, name)) == NULL ||
	    json_object_get(out, key) != NULL)
		return;
	json_object_set_new(out, key, put != NULL ? ver_of_put(what) :
	    json_null());
}

int
merge_base_versions(struct pgl_req *r, const char *base, json_t **out,
    struct pgl_err *err)
{
	struct pgl_commit	*items;
	json_t			*ops;
	size_t			 n, i, j;
	int			 rc;

	*out = json_object();
	if (base == NULL)
		return (PGL_OK);
	/* The whole first-parent history, newest first: one query. */
	if ((rc = STORE(get_commit_ancestry, r->arena, r->tenant, base, 0,
	    &items, &n, err)) != PGL_OK)
		return (rc);
	for (i = 0; i < n; i++) {
		ops = pgl_json_load_or(items[i].operations, json_array());
		/* Within a commit the last operation is the newest. */
		for (j = json_array_size(ops); j > 0; j--)
			note_op(r, *out, json_array_get(ops, j - 1));
		json_decref(ops);
	}
	return (PGL_OK);
}
