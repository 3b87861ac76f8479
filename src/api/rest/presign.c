/*
 * GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/presign
 * ?location=s3://bucket/key: a presigned S3 GET URL (SigV4 query-string
 * authentication) of one object of the table, for a caller who may read
 * it (the route's rule), valid for [storage] presign_expiry_secs.  The
 * object is held to remote signing's rules (sign.c): the warehouse's
 * bucket, a key inside the table's location as S3 reads it (no ".",
 * ".." or empty segment, no control bytes).  Only GET: a URL is a
 * credential in a string, so it reads one object for a short while and
 * writes nothing.  A table on local disk has no URL to give (400).
 */
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/storage/storage.h"
#include "api/target.h"
#include "api/read/policies.h"
#include "api/read/read.h"
#include "api/rest/rest.h"
#include "app/app.h"
#include "storage/objio.h"
#include "storage/s3.h"

/* S3's own limit on a key, three bytes a byte encoded, and the query. */
#define URL_MAX		(4 * 1024 + 3 * 1024 + 8192)

void
ice_table_presign(struct pgl_req *r)
{
	struct ice_target		 it;
	struct pgl_asset		 a;
	struct pgl_err			 err;
	const struct pgl_storage	*st;
	const char			*loc = pgl_query(r, "location");
	const char			*key, *want;
	char				 bucket[256], url[URL_MAX];

	if (ice_target(r, "table", &it) == -1 ||
	    ice_find_asset(r, &it, "ICEBERG_TABLE", &a) == -1 ||
	    ice_storage_allowed(r, &it.catalog, it.ns, it.name, &a) == -1)
		return;
	if (loc == NULL || *loc == '\0') {
		pgl_reply_ice_error(r, 400, "BadRequestException", "presign "
		    "needs ?location=, the s3:// URI of one object of the "
		    "table");
		return;
	}
	if (api_storage(r, &it.catalog, &st, &err) != PGL_OK) {
		ice_reply_file_error(r, &err);
		return;
	}
	if (!st->is_s3) {
		pgl_reply_ice_error(r, 400, "BadRequestException", "%s",
		    st->is_azure ? "table files are on Azure: presigned URLs "
		    "are S3's (vended credentials give a SAS)" : "table files "
		    "are on local disk: there is no URL to presign");
		return;
	}
	if (pgl_s3_split(loc, bucket, sizeof(bucket), &key) == -1) {
		pgl_reply_ice_error(r, 400, "BadRequestException", "location "
		    "must be an s3:// URI of an object of the table");
		return;
	}
	want = ice_table_key_prefix(r, a.location, st->s3.bucket);
	if (want == NULL || strcmp(bucket, st->s3.bucket) != 0 ||
	    !ice_key_inside(key, want, 0) || key[strlen(key) - 1] == '/') {
		pgl_reply_ice_error(r, 403, "ForbiddenException", "only "
		    "objects inside the table's location %s are presigned",
		    a.location);
		return;
	}
	if (pgl_s3_presign_get(&st->s3, key,
	    pgl_app.cfg->storage.presign_expiry_secs, time(NULL), url,
	    sizeof(url)) == -1) {
		pgl_reply_ice_error(r, 400, "BadRequestException", "location "
		    "is too long to presign");
		return;
	}
	pgl_set_header(r, "cache-control", "no-store");
	pgl_reply_json(r, 200, json_pack("{s:s}", "url", url));
}
