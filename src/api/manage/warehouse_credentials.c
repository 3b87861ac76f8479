/*
 * GET /api/v1/warehouses/{name}/credentials?location=s3://bucket/key
 * (pangolin-api.md §1.4, §2.2): the store-level Credentials for a
 * location in the warehouse, scoped like the Iceberg side's vending
 * (storage.c): the warehouse's long-term keys leave the server only when
 * its storage_config says "vend_static_keys": "true", and only to an
 * admin or to a caller who may write (update) the catalog whose storage
 * holds the location.  Everyone else is told why, and where to go
 * instead (remote signing, presign).  The warehouse is the one named,
 * in the caller's tenant (the reference matched the bucket against the
 * location across warehouses); another tenant's answers as a missing one.
 * A non-admin learns nothing of warehouses it may not write into: its
 * grant is checked before the warehouse is looked at.
 */
#include <string.h>

#include "api/api.h"
#include "api/commit/policy_read.h"
#include "api/config_cache.h"
#include "api/gate.h"
#include "api/manage/manage.h"
#include "api/storage/storage.h"
#include "app/app.h"
#include "storage/objio.h"
#include "storage/s3.h"
#include "util/json.h"
#include "util/location.h"

/* 1 if the caller may update a catalog of warehouse wh whose storage
 * holds loc. */
static int
writes_into(struct pgl_req *r, const char *wh, const char *loc)
{
	struct pgl_catalog	*c;
	struct pgl_page		 all = { 0, 0 };
	struct pgl_err		 err;
	struct pgl_target	 t = { NULL, "", "", NULL, 0, 0 };
	uint64_t		 total;
	size_t			 n, i;

	if (STORE(list_catalogs, r->arena, r->tenant, &all, &c, &n, &total,
	    &err) != PGL_OK)
		return (0);
	for (i = 0; i < n; i++) {
		if (c[i].warehouse_name == NULL || c[i].storage_location ==
		    NULL || strcmp(c[i].warehouse_name, wh) != 0 ||
		    !pgl_location_within(loc, c[i].storage_location))
			continue;
		t.catalog_id = c[i].id;
		if (api_allowed(r, PGL_ACT_UPDATE, &t))
			return (1);
	}
	return (0);
}

/*
 * 1 when a data policy of a catalog on warehouse wh applies to the
 * caller: the warehouse's keys would read that catalog's raw files past
 * the restrictions (issue 46), so they go only to an enforcing engine.
 * 0 none, -1 after replying.
 */
static int
restricted_on(struct pgl_req *r, const char *wh)
{
	struct pgl_catalog	*c;
	struct pgl_page		 all = { 0, 0 };
	struct pgl_err		 err;
	uint64_t		 total;
	size_t			 n, i;
	int			 rc;

	if (STORE(list_catalogs, r->arena, r->tenant, &all, &c, &n, &total,
	    &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	for (i = 0; i < n; i++) {
		if (c[i].warehouse_name == NULL ||
		    strcmp(c[i].warehouse_name, wh) != 0)
			continue;
		if ((rc = ice_policies_bind_caller(r, c[i].name)) != 0)
			return (rc);
	}
	return (0);
}

void
api_warehouse_credentials(struct pgl_req *r)
{
	const char		*name = pgl_param(r, "name");
	const char		*loc = pgl_query(r, "location");
	const char		*root, *why;
	struct pgl_warehouse	 w;
	struct pgl_s3		 s3;
	struct pgl_err		 err;
	int			 vend, rc;

	if (loc == NULL || *loc == '\0') {
		pgl_reply_error(r, 400, "credentials needs ?location=, an "
		    "s3:// location in the warehouse");
		return;
	}
	if ((why = pgl_location_check(loc)) != NULL ||
	    (strncmp(loc, "s3://", 5) != 0 && strncmp(loc, "s3a://", 6) != 0)) {
		pgl_reply_error(r, 400, "location must be an s3:// location "
		    "in the warehouse%s%s", why != NULL ? ": " : "",
		    why != NULL ? why : "");
		return;
	}
	if (!api_is_admin(r) && !writes_into(r, name, loc)) {
		pgl_reply_error(r, 403, "a warehouse's keys go only to admins "
		    "and to callers who may write the catalog holding the "
		    "location; read through remote signing or presign");
		return;
	}
	if (!api_is_admin(r) && (rc = restricted_on(r, name)) != 0) {
		if (rc == 1 && !ice_caller_enforces(r))
			pgl_reply_error(r, 403, "read restrictions of a data "
			    "policy apply to %s in a catalog of warehouse "
			    "'%.200s': its keys go only to an engine that "
			    "enforces them (a service user with "
			    "enforces_read_restrictions)", r->who.username,
			    name);
		if (r->status != 0)
			return;
	}
	if (api_get_warehouse(r, r->tenant, name, &w, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Warehouse '%.200s' not found",
		    name);
		return;
	}
	if (api_warehouse_s3(r, &w, &s3, &vend, NULL, &root, &err) != PGL_OK) {
		if (err.code != PGL_EINVAL) {
			pgl_reply_store_error(r, &err);
			return;
		}
		pgl_reply_error(r, 400, "warehouse '%s' has no S3 keys to "
		    "give (its files are on local disk, or its storage_config "
		    "names no bucket and keys)", w.name);
		return;
	}
	if (!pgl_location_within(loc, root)) {
		pgl_reply_error(r, 403, "location lies outside the warehouse's "
		    "storage %s", root);
		return;
	}
	if (!vend) {
		pgl_reply_error(r, 403, "warehouse '%s' does not hand out its "
		    "keys (storage_config vend_static_keys is not \"true\"); "
		    "use remote signing or presign", w.name);
		return;
	}
	pgl_set_header(r, "cache-control", "no-store");
	pgl_reply_json(r, 200, json_pack("{s:s,s:s,s:s,s:o,s:n}", "type",
	    "Aws", "access_key_id", s3.access_key, "secret_access_key",
	    s3.secret_key, "session_token",
	    api_str_or_null(s3.session_token), "expiration"));
}
