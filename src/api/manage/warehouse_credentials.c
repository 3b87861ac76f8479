/*
 * GET /api/v1/warehouses/{name}/credentials?location=<s3:// or abfss://>
 * (pangolin-api.md §1.4, §2.2): the store-level Credentials for a
 * location in the warehouse, scoped like the Iceberg side's vending
 * (storage.c), to an admin or to a caller who may write (update) the
 * catalog whose storage holds the location.  An S3 warehouse's long-term
 * keys leave the server only where the operator lists its bucket
 * ([storage] static_key_buckets) and it holds no other warehouse
 * (api/storage/widen.h); an Azure warehouse answers a read-write SAS for
 * the location's directory, or for its container where the operator
 * lists that (issue 67: it answered "must be an s3:// location").
 * Everyone else is told why, and where to go instead (remote signing,
 * presign).  The warehouse is the one named, in the caller's tenant (the
 * reference matched the bucket against the location across warehouses);
 * another tenant's answers as a missing one.  A non-admin learns nothing
 * of warehouses it may not write into: its grant is checked before the
 * warehouse is looked at.
 */
#include <string.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/gate.h"
#include "api/manage/manage.h"
#include "api/read/policies.h"
#include "api/storage/azure_vend.h"
#include "api/storage/storage.h"
#include "app/app.h"
#include "storage/azure.h"
#include "storage/objio.h"
#include "storage/s3.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/location.h"

/* 1 if the caller may update a catalog of warehouse wh whose storage
 * holds loc. */
static int
writes_into(struct pgl_req *r, const char *wh, const char *loc)
{
	struct pgl_catalog	*c;
	struct pgl_page		 all = { 0, 0, NULL };
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
	struct pgl_page		 all = { 0, 0, NULL };
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

/* An Azure warehouse's SAS for loc: its directory, or its container where
 * the operator lists that; read-write (the caller may write, above). */
static void
azure_credentials(struct pgl_req *r, const struct pgl_warehouse *w,
    const char *loc)
{
	const struct api_sas	*s;
	struct api_azure_conf	 ac;
	struct pgl_storage	*st;
	struct pgl_err		 err;

	memset(&err, 0, sizeof(err));
	if (api_warehouse_azure(r, w, &ac, &err) != PGL_OK) {
		if (err.code != PGL_EINVAL)
			pgl_reply_store_error(r, &err);
		else
			pgl_reply_error(r, 400, "warehouse '%s' is not an "
			    "Azure warehouse with a key or an Entra principal "
			    "to sign with", w->name);
		return;
	}
	if (!pgl_location_within(loc, ac.root)) {
		pgl_reply_error(r, 403, "location lies outside the warehouse's "
		    "storage %s", ac.root);
		return;
	}
	if ((st = pgl_arena_alloc(r->arena, sizeof(*st))) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	memset(st, 0, sizeof(*st));
	st->root = ac.root;
	st->remote = st->is_azure = 1;
	st->az = ac.az;
	st->vend_container_sas = ac.vend_container_sas;
	st->sas_lifetime_secs = ac.sas_lifetime_secs;
	st->s3.endpoint = ac.origin;
	st->s3.region = "azure";
	st->s3.access_key = ac.az.account;
	st->s3.name = ac.az.name;
	st->warehouse_id = w->id;
	if (api_azure_vend(r, st, loc, 1) == -1)
		return;
	if ((s = api_azure_held(r)) == NULL) {
		pgl_reply_error(r, 500, "credentials lost");
		return;
	}
	pgl_set_header(r, "cache-control", "no-store");
	pgl_reply_json(r, 200, json_pack("{s:s,s:s,s:s,s:s,s:s}", "type",
	    "Azure", "account_name", ac.az.account, "container",
	    ac.az.container, "sas_token", s->token, "expiration",
	    api_rfc3339(r->arena, s->expires_ms / 1000)));
}

void
api_warehouse_credentials(struct pgl_req *r)
{
	const char		*name = pgl_param(r, "name");
	const char		*loc = pgl_query(r, "location");
	const char		*root, *why, *path;
	char			 container[64], account[64];
	struct pgl_warehouse	 w;
	struct pgl_s3		 s3;
	struct pgl_err		 err;
	int			 vend, rc, azure;

	if (loc == NULL || *loc == '\0') {
		pgl_reply_error(r, 400, "credentials needs ?location=, an "
		    "s3:// or abfss:// location in the warehouse");
		return;
	}
	azure = pgl_azure_split(loc, container, sizeof(container), account,
	    sizeof(account), &path) == 0;
	if ((why = pgl_location_check(loc)) != NULL || (!azure &&
	    strncmp(loc, "s3://", 5) != 0 && strncmp(loc, "s3a://", 6) != 0)) {
		pgl_reply_error(r, 400, "location must be an s3:// or abfss:// "
		    "location in the warehouse%s%s", why != NULL ? ": " : "",
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
	if (azure) {
		azure_credentials(r, &w, loc);
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
		    "keys: the operator lists the buckets whose keys may go "
		    "out ([storage] static_key_buckets); use remote signing or "
		    "presign", w.name);
		return;
	}
	if ((rc = api_keys_shared(r, &s3, w.id)) != 0) {
		if (rc == -1)
			pgl_set_header(r, "retry-after", "1");
		pgl_reply_error(r, rc == -1 ? 503 : 403, rc == -1 ? "the "
		    "metadata store cannot be read to check the bucket; retry "
		    "later" : "warehouse '%s' does not hand out its keys: its "
		    "bucket holds another warehouse's prefix, which they would "
		    "reach", w.name);
		return;
	}
	pgl_set_header(r, "cache-control", "no-store");
	pgl_reply_json(r, 200, json_pack("{s:s,s:s,s:s,s:o,s:n}", "type",
	    "Aws", "access_key_id", s3.access_key, "secret_access_key",
	    s3.secret_key, "session_token",
	    api_str_or_null(s3.session_token), "expiration"));
}
