/*
 * The three-way comparison of two branches, per asset (api/branching/merge.h;
 * pangolin-api.md, top section item 3).  With s, t and b the source's,
 * the target's and the base's version (null: absent):
 *  - s == b: nothing to do (the target keeps its own);
 *  - t == b: take the source's (added or changed: put; deleted: delete);
 *  - both changed the same way: nothing to do;
 *  - one deleted, the other changed: DeletionConflict;
 *  - both changed differently: an Iceberg table merges as branching/merge_table.c
 *    says; a view or a generic asset is a conflict.
 * A partial branch (its `assets` list), source or target, merges only
 * what it holds.
 * Three round trips whatever the catalog's size: the two branches'
 * assets and the base's history.
 */
#include <string.h>

#include "api/api.h"
#include "api/branching/merge.h"
#include "api/target.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/uuid.h"

/* Every asset of a branch as versions keyed by merge_key. */
static int
branch_versions(struct pgl_req *r, const char *catalog, const char *branch,
    json_t *out, struct pgl_err *err)
{
	struct pgl_asset	*items;
	size_t			 n, i;
	int			 rc;

	if ((rc = STORE(list_all_assets_for_branch, r->arena, r->tenant,
	    catalog, branch, &items, &n, err)) != PGL_OK)
		return (rc);
	for (i = 0; i < n; i++)
		json_object_set_new(out, merge_key(r, items[i].ns,
		    items[i].name), merge_ver_asset(&items[i]));
	return (PGL_OK);
}

/*
 * 1 if the source holds key: every key for a full branch; for a partial
 * one (its `assets` list), what it has now or its list names (an asset
 * it never copied is not one it deleted).
 */
static int
held(struct pgl_req *r, const json_t *assets, const json_t *src,
    const char *key)
{
	const json_t	*e;
	char		*dotted, *p;
	size_t		 i;

	if (json_array_size(assets) == 0 || json_object_get(src, key) != NULL)
		return (1);
	if ((dotted = pgl_arena_strdup(r->arena, key)) == NULL)
		return (0);
	for (p = dotted; *p != '\0'; p++) {
		if (*p == PGL_NS_SEP)
			*p = '.';
	}
	json_array_foreach(assets, i, e) {
		if (json_is_string(e) && strcmp(json_string_value(e), dotted)
		    == 0)
			return (1);
	}
	return (0);
}

static const char *
kind(const json_t *v)
{
	const char	*k = pgl_json_str(v, "kind");

	return (k != NULL ? k : "");
}

static json_t *
entry(const char *key, const char *action, const json_t *s, const json_t *t,
    json_t *merged)
{
	const char	*sep = strrchr(key, PGL_NS_SEP);

	return (json_pack("{s:s,s:s%,s:s,s:s,s:O?,s:O?,s:o?}", "key", key,
	    "ns", key, (size_t)(sep - key), "name", sep + 1, "action", action,
	    "source", s, "target", t, "merged", merged));
}

/* A preview's asset that either side changed, as compared. */
static void
note_touched(json_t *touched, const char *key, const json_t *b,
    const json_t *s, const json_t *t)
{
	json_t	*e = entry(key, "", s, t, NULL);

	json_object_del(e, "action");
	json_object_del(e, "merged");
	json_object_set(e, "base", (json_t *)b);
	json_array_append_new(touched, e);
}

static void
add_conflict(json_t *plan, json_t *conflicts, const char *key,
    const char *display, const json_t *s, const json_t *t, json_t *type,
    const char *description)
{
	char		 id[PGL_UUID_LEN + 1];
	const char	*asset_id = pgl_json_str(t, "id");
	json_t		*e;

	if (asset_id == NULL)
		asset_id = pgl_json_str(s, "id");
	pgl_uuid_new(id);
	e = entry(key, "conflict", s, t, NULL);
	json_object_set_new(e, "conflict", json_string(id));
	json_array_append_new(plan, e);
	json_array_append_new(conflicts, json_pack("{s:s,s:o,s:s,s:o,s:s}",
	    "id", id, "conflict_type", type, "description", description,
	    "asset_id", api_str_or_null(asset_id), "asset_name", display));
}

/* Both sides changed the asset, differently. */
static int
both_changed(struct pgl_req *r, const struct merge_inputs *in,
    const char *key, const char *display, const json_t *b, const json_t *s,
    const json_t *t, json_t *plan, json_t *conflicts)
{
	struct merge_outcome	out;
	char			desc[512];

	if (json_is_null(s) || json_is_null(t)) {
		(void)snprintf(desc, sizeof(desc), "%s was deleted on %s and "
		    "changed on %s", display, json_is_null(s) ?
		    in->source->name : in->target->name, json_is_null(s) ?
		    in->target->name : in->source->name);
		add_conflict(plan, conflicts, key, display, s, t,
		    json_pack("{s:{s:s,s:s,s:s}}", "DeletionConflict",
		    "asset_name", display, "deleted_in", json_is_null(s) ?
		    "source" : "target", "modified_in", json_is_null(s) ?
		    "target" : "source"), desc);
		return (0);
	}
	if (strcmp(kind(s), "ICEBERG_TABLE") == 0 &&
	    strcmp(kind(t), "ICEBERG_TABLE") == 0) {
		if (in->files_later)
			return (1);
		if (merge_table(r, in->catalog, display, b, s, t, in->dry,
		    &out) == -1)
			return (-1);
		if (out.merged != NULL)
			json_array_append_new(plan, entry(key, "put", s, t,
			    out.merged));
		else
			add_conflict(plan, conflicts, key, display, s, t,
			    out.conflict_type, out.description);
		return (0);
	}
	if (strcmp(kind(s), "VIEW") == 0 || strcmp(kind(t), "VIEW") == 0) {
		(void)snprintf(desc, sizeof(desc), "both branches changed the "
		    "view %s to different versions", display);
		add_conflict(plan, conflicts, key, display, s, t,
		    json_pack("{s:{s:s,s:n,s:n,s:n}}", "SchemaChange",
		    "table_name", display, "base_schema", "source_schema",
		    "target_schema"), desc);
		return (0);
	}
	(void)snprintf(desc, sizeof(desc), "both branches changed %s "
	    "differently", display);
	add_conflict(plan, conflicts, key, display, s, t,
	    json_pack("{s:{s:s,s:[]}}", "MetadataConflict", "asset_name",
	    display, "conflicting_properties"), desc);
	return (0);
}

int
merge_plan(struct pgl_req *r, const struct merge_inputs *in, json_t **plan,
    json_t **conflicts)
{
	struct pgl_err	 err;
	json_t		*src = json_object(), *tgt = json_object(), *base = NULL;
	json_t		*keys = json_object(), *v, *assets, *tassets;
	const json_t	*s, *t, *b;
	const char	*key;
	char		*display;
	uint64_t	 done = 0;
	int		 rc = 0;

	memset(&err, 0, sizeof(err));
	*plan = json_array();
	*conflicts = json_array();
	assets = pgl_json_load_or(in->source->assets, json_array());
	tassets = pgl_json_load_or(in->target->assets, json_array());
	if (branch_versions(r, in->catalog->name, in->source->name, src,
	    &err) != PGL_OK || branch_versions(r, in->catalog->name,
	    in->target->name, tgt, &err) != PGL_OK ||
	    merge_base_versions(r, in->base_commit, &base, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		rc = -1;
		goto out;
	}
	json_object_update(keys, src);
	json_object_update(keys, tgt);
	json_object_update(keys, base);
	json_object_foreach(keys, key, v) {
		/* A task's progress and lease; it may be told to stop. */
		if (in->tick != NULL && done++ % 64 == 0 && in->tick->fn(
		    in->tick->arg, done - 1, json_object_size(keys)) != 0) {
			pgl_reply_error(r, 503, "the merge was stopped");
			rc = -1;
			break;
		}
		/* A partial branch on either side: only what it holds. */
		if (!held(r, assets, src, key) || !held(r, tassets, tgt, key))
			continue;
		s = json_object_get(src, key);
		t = json_object_get(tgt, key);
		b = json_object_get(base, key);
		s = s != NULL ? s : json_null();
		t = t != NULL ? t : json_null();
		b = b != NULL ? b : json_null();
		if (in->touched != NULL && (!merge_ver_equal(s, b) ||
		    !merge_ver_equal(t, b)))
			note_touched(in->touched, key, b, s, t);
		if (merge_ver_equal(s, b))
			continue;
		if (merge_ver_equal(t, b)) {
			if (!json_is_null(s))
				json_array_append_new(*plan, entry(key, "put",
				    s, t, json_deep_copy(s)));
			else if (!json_is_null(t))
				json_array_append_new(*plan, entry(key,
				    "delete", s, t, NULL));
			continue;
		}
		if (merge_ver_equal(s, t))
			continue;
		display = ice_dotted(r, key, NULL);
		if ((rc = both_changed(r, in, key, display, b, s, t, *plan,
		    *conflicts)) != 0)
			break;
	}
out:
	json_decref(assets);
	json_decref(tassets);
	json_decref(src);
	json_decref(tgt);
	json_decref(base);
	json_decref(keys);
	if (rc != 0) {
		json_decref(*plan);
		json_decref(*conflicts);
		*plan = *conflicts = NULL;
	}
	return (rc);
}
