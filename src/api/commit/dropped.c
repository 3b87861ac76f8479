/*
 * Undrop, the drop's side (commit/dropped.h): how long a catalog keeps
 * its drops recoverable, and the entry a drop writes in its own
 * transaction, so that the asset row cannot go without its entry (on a
 * store whose rollback undoes).  The entry is the row as it was: the
 * same metadata location, hence the same history, snapshots and files
 * once restored.
 */
#include <string.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/commit/dropped.h"
#include "app/app.h"
#include "plugin/loader.h"
#include "tasks/undrop.h"
#include "util/arena.h"
#include "util/uuid.h"

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

int
ice_undrop_keep(struct pgl_req *r, const struct pgl_asset *a,
    const char **out, struct pgl_err *err)
{
	struct pgl_catalog	 cat;
	struct pgl_dropped	 d;
	char			 id[PGL_UUID_LEN + 1];
	int			 rc;

	*out = NULL;
	if (!pgl_store_has_dropped(pgl_app.db))
		return (PGL_OK);
	if ((rc = api_get_catalog(r, r->tenant, a->catalog, &cat, err)) !=
	    PGL_OK)
		return (rc);
	if (ice_undrop_retention_ms(&cat) == 0)
		return (PGL_OK);
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
	d.location = a->location;
	d.metadata_location = a->metadata_location;
	d.properties = a->properties;
	d.created_at_ms = a->created_at_ms;
	d.dropped_by = r->who.username[0] != '\0' ? r->who.username : NULL;
	if ((rc = STORE(put_dropped, &d, err)) != PGL_OK)
		return (rc);
	*out = pgl_arena_strdup(r->arena, id);
	return (PGL_OK);
}
