/*
 * A table as the resolver and the checks take it (policy_int.h): its
 * catalog, its asset row, its metadata's current schema and its column
 * tags, read the way loadTable reads them; and a table policy's hold on
 * its table as it is written (pol_table_hold).
 */
#include <string.h>

#include <jansson.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/policies/policy_int.h"
#include "api/read/read.h"
#include "api/target.h"
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

/* Reads of a table's pointer a hold tries, each lost to a commit. */
#define HOLD_ATTEMPTS	8

static int
moved(struct pgl_req *r, const struct pgl_policy *p)
{
	pgl_reply_error(r, 409, "table %.200s was renamed or dropped while "
	    "the policy was being written: nothing was kept; define it on "
	    "the table where it is now", ice_dotted(r, p->ns, p->table_name));
	return (-1);
}

/*
 * Issue 67: a policy created while its table was renamed was kept under
 * the old name (the rename had moved the policies it saw, and this one
 * was not written yet), so the renamed table loaded unrestricted.  Now
 * the policy, once written, holds its table: a swap of the table's
 * pointer for itself, on the row of the name it was defined on.  The
 * swap is a write of the row a rename moves, so of the two the later
 * one sees the other:
 *
 *  - in a store with transactions (PostgreSQL's are REPEATABLE READ,
 *    MongoDB's snapshot), the two write one row: the later committer
 *    fails (PGL_ERETRY) and runs again, a rename then taking the policy
 *    along (policy_follow.c), a policy then finding no table (422);
 *    SQLite and the memory store run writers one at a time;
 *  - in one without (the MongoDB test server), the rename writes the row
 *    before it reads the policies, and this writes the policy before the
 *    row: either the rename reads the policy (and moves it), or this
 *    swap finds the row gone from the name (PGL_ENOTFOUND).
 *
 * A swap lost to a commit (PGL_ECONFLICT: the pointer moved) reads the
 * table again.  0, or -1 after replying (409 when the table moved).
 */
int
pol_table_hold(struct pgl_req *r, const struct pgl_policy *p,
    const json_t *doc)
{
	struct pgl_asset	 a;
	struct pgl_err		 err;
	const char		*uuid;
	int			 i, rc;

	if (p->table_name == NULL)
		return (0);
	uuid = json_string_value(json_object_get(doc, "table_uuid"));
	for (i = 0; i < HOLD_ATTEMPTS; i++) {
		rc = STORE(get_asset, r->arena, r->tenant, p->catalog, "main",
		    p->ns, p->table_name, &a, &err);
		if (rc == PGL_ENOTFOUND || (rc == PGL_OK && (uuid == NULL ||
		    a.id == NULL || strcmp(a.id, uuid) != 0)))
			return (moved(r, p));
		if (rc == PGL_OK)
			rc = STORE(update_metadata_location, r->tenant,
			    p->catalog, "main", p->ns, p->table_name,
			    a.metadata_location, a.metadata_location, &err);
		if (rc == PGL_OK)
			return (0);
		if (rc == PGL_ENOTFOUND)
			return (moved(r, p));
		if (rc != PGL_ECONFLICT)
			break;
	}
	pgl_reply_store_error(r, &err);
	return (-1);
}
