/*
 * Undrop, the drop's side (commit/dropped.h): how long a catalog keeps
 * its drops recoverable, and the entry a drop writes in its own
 * transaction, so that the asset row cannot go without its entry (on a
 * store whose rollback undoes).  The entry is the row as it was: the
 * same metadata location, hence the same history, snapshots and files
 * once restored.
 *
 * The entry also keeps the asset's column tags (ABI 1.20), which go with
 * the asset's row (SQL's cascade), so that a restore tags the restored
 * row's columns again: a tag policy (a mask on "pii:email") that held
 * before the drop holds after the restore, instead of the table coming
 * back with its columns untagged and unmasked.  The same metadata file
 * comes back, hence the same field ids.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/commit/dropped.h"
#include "app/app.h"
#include "plugin/loader.h"
#include "tasks/undrop.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/uuid.h"

static int
no_memory(struct pgl_err *err)
{
	err->code = PGL_ENOMEM;
	(void)snprintf(err->msg, sizeof(err->msg), "out of memory");
	return (PGL_ENOMEM);
}

static int
bad_tags(struct pgl_err *err, const struct pgl_dropped *d)
{
	err->code = PGL_EINTERNAL;
	(void)snprintf(err->msg, sizeof(err->msg), "drop %s keeps column "
	    "tags that do not read as [{field_id, tag}]: not restored, so "
	    "that its columns do not come back untagged", d->id);
	return (PGL_EINTERNAL);
}

int64_t
ice_undrop_retention_ms(const struct pgl_catalog *c)
{
	if (!pgl_store_has_dropped(pgl_app.db))
		return (0);
	return (pgl_undrop_retention_ms(c != NULL ? c->properties : NULL,
	    pgl_app.cfg->undrop.retention_days));
}

int
ice_dropped_expired(const struct pgl_catalog *c, const struct pgl_dropped *d,
    int64_t now_ms)
{
	return (pgl_undrop_expired(ice_undrop_retention_ms(c),
	    d->dropped_at_ms, now_ms));
}

/* Whether a drop in a's catalog is kept; PGL_OK or the store's code. */
static int
kept(struct pgl_req *r, const struct pgl_asset *a, int *yes,
    struct pgl_err *err)
{
	struct pgl_catalog	cat;
	int			rc;

	*yes = 0;
	if (!pgl_store_has_dropped(pgl_app.db))
		return (PGL_OK);
	if ((rc = api_get_catalog(r, r->tenant, a->catalog, &cat, err)) !=
	    PGL_OK)
		return (rc);
	*yes = ice_undrop_retention_ms(&cat) > 0;
	return (PGL_OK);
}

int
ice_undrop_tags(struct pgl_req *r, const struct pgl_asset *a,
    const char **out, struct pgl_err *err)
{
	struct pgl_column_tag	*tags = NULL;
	json_t			*arr;
	size_t			 n = 0, i;
	int			 keep, rc;

	*out = NULL;
	if (!pgl_store_has_dropped_tags(pgl_app.db) || a->id == NULL)
		return (PGL_OK);
	if ((rc = kept(r, a, &keep, err)) != PGL_OK || !keep)
		return (rc);
	if ((rc = STORE(list_column_tags, r->arena, r->tenant, a->id, NULL,
	    &tags, &n, err)) != PGL_OK || n == 0)
		return (rc);
	if ((arr = json_array()) == NULL)
		return (no_memory(err));
	for (i = 0; i < n; i++)
		if (json_array_append_new(arr, json_pack("{s:I,s:s}",
		    "field_id", (json_int_t)tags[i].field_id, "tag",
		    tags[i].tag)) == -1) {
			json_decref(arr);
			return (no_memory(err));
		}
	*out = api_text(r->arena, arr);
	json_decref(arr);
	return (*out != NULL ? PGL_OK : no_memory(err));
}

int
ice_undrop_keep(struct pgl_req *r, const struct pgl_asset *a,
    const char *column_tags, const char **out, struct pgl_err *err)
{
	struct pgl_dropped	 d;
	char			 id[PGL_UUID_LEN + 1];
	int			 keep, rc;

	*out = NULL;
	if ((rc = kept(r, a, &keep, err)) != PGL_OK || !keep)
		return (rc);
	memset(&d, 0, sizeof(d));
	d.dropped_at_ms = pgl_now_ms();
	/* Time-ordered: drops of one millisecond list in drop order. */
	pgl_uuid_new_ordered(id, d.dropped_at_ms);
	d.id = id;
	d.tenant_id = r->tenant;
	d.catalog = a->catalog;
	d.branch = a->branch;
	d.ns = a->ns;
	d.name = a->name;
	d.kind = a->kind;
	d.asset_id = a->id;
	/* ABI 1.26: the asset it is a version of, which a restore keeps
	 * (commit/owners.h). */
	d.origin = pgl_store_has_owners(pgl_app.db) ? a->origin : NULL;
	d.location = a->location;
	d.metadata_location = a->metadata_location;
	d.properties = a->properties;
	d.created_at_ms = a->created_at_ms;
	d.dropped_by = r->who.username[0] != '\0' ? r->who.username : NULL;
	/* Only a 1.20 plugin reads the field (ice_undrop_tags gave NULL to
	 * an older one). */
	d.column_tags = column_tags;
	if ((rc = STORE(put_dropped, &d, err)) != PGL_OK)
		return (rc);
	*out = pgl_arena_strdup(r->arena, id);
	return (PGL_OK);
}

/* One {"field_id", "tag"} of the entry's array into t (tag in r's arena). */
static int
tag_of(struct pgl_req *r, const json_t *o, struct pgl_column_tag *t,
    const char *asset_id)
{
	const json_t	*f = json_object_get(o, "field_id");
	const char	*tag = json_string_value(json_object_get(o, "tag"));

	if (!json_is_integer(f) || json_integer_value(f) < 0 || tag == NULL ||
	    (t->tag = pgl_arena_strdup(r->arena, tag)) == NULL)
		return (-1);
	t->asset_id = asset_id;
	t->field_id = json_integer_value(f);
	return (0);
}

int
ice_undrop_retag(struct pgl_req *r, const struct pgl_dropped *d,
    const char *asset_id, struct pgl_err *err)
{
	struct pgl_column_tag	*tags;
	json_t			*arr;
	size_t			 n, i;

	if (!pgl_store_has_dropped_tags(pgl_app.db) || d->column_tags == NULL)
		return (PGL_OK);
	if ((arr = json_loads(d->column_tags, 0, NULL)) == NULL ||
	    !json_is_array(arr)) {
		json_decref(arr);
		return (bad_tags(err, d));
	}
	if ((n = json_array_size(arr)) == 0) {
		json_decref(arr);
		return (PGL_OK);
	}
	if ((tags = pgl_arena_alloc(r->arena, n * sizeof(*tags))) == NULL) {
		json_decref(arr);
		return (no_memory(err));
	}
	for (i = 0; i < n; i++)
		if (tag_of(r, json_array_get(arr, i), &tags[i], asset_id) ==
		    -1) {
			json_decref(arr);
			return (bad_tags(err, d));
		}
	json_decref(arr);
	/* Replaces whatever the row has: an attempt run again sets the
	 * same. */
	return (STORE(set_column_tags, r->tenant, asset_id, tags, n, err));
}
