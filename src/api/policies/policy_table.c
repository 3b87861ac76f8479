/*
 * A table as the resolver and the checks take it (policy_int.h): its
 * catalog, its asset row, its metadata's current schema and its column
 * tags, read the way loadTable reads them.
 */
#include <string.h>

#include "api/api.h"
#include "api/commit/commit.h"
#include "api/config_cache.h"
#include "api/policies/policy_int.h"
#include "app/app.h"
#include "plugin/loader.h"

int
pol_ready(struct pgl_req *r)
{
	if (pgl_store_has_policies(pgl_app.db))
		return (1);
	pgl_reply_error(r, 501, "the store plugin %s keeps no data policies "
	    "(store ABI 1.17)", pgl_app.db->name);
	return (0);
}

int
pol_table_load(struct pgl_req *r, const char *catalog, const char *ns,
    const char *name, const char *branch, int missing_status,
    struct pol_tbl *out)
{
	struct pgl_column_tag	*tags = NULL;
	struct pgl_err		 err;
	size_t			 ntags = 0;
	int			 rc;

	memset(out, 0, sizeof(*out));
	if (api_get_catalog(r, r->tenant, catalog, &out->catalog, &err) !=
	    PGL_OK) {
		if (err.code == PGL_ENOTFOUND)
			pgl_reply_error(r, missing_status, "catalog %.200s "
			    "not found", catalog);
		else
			pgl_reply_store_error(r, &err);
		return (-1);
	}
	if ((rc = STORE(get_asset, r->arena, r->tenant, catalog,
	    branch != NULL ? branch : "main", ns, name, &out->asset,
	    &err)) != PGL_OK && rc != PGL_ENOTFOUND) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	if (rc != PGL_OK || out->asset.kind == NULL ||
	    strcmp(out->asset.kind, "ICEBERG_TABLE") != 0 ||
	    out->asset.metadata_location == NULL) {
		pgl_reply_error(r, missing_status, "table %.200s not found in "
		    "catalog %.200s", name, catalog);
		return (-1);
	}
	if (ice_read_metadata(r, &out->catalog, out->asset.metadata_location,
	    500, &out->md) == -1)
		return (-1);
	if (STORE(list_column_tags, r->arena, r->tenant, out->asset.id, NULL,
	    &tags, &ntags, &err) != PGL_OK) {
		pol_table_free(out);
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	out->t.catalog = catalog;
	out->t.ns = ns;
	out->t.name = name;
	out->t.schema = pgl_pol_current_schema(out->md);
	out->t.tags = tags;
	out->t.ntags = ntags;
	out->t.uuid = out->asset.id;
	return (0);
}

void
pol_table_free(struct pol_tbl *t)
{
	json_decref(t->md);
	t->md = NULL;
}
