/*
 * Access requests (pangolin-api.md §2.10): a caller asks for read on an
 * asset it can see (a discoverable one, found by search); admins list
 * and review them, everyone else sees only their own (another's answers
 * 404, as a missing one).  Approving grants the requester a direct `read`
 * on the asset's scope in the review's own store transaction (the
 * gate's), with its own audit event, so the grant and the approval land
 * together or not at all; the grant cache's epoch moves with the commit,
 * so the next request of the requester, on any worker, may read.
 */
#include <string.h>

#include "api/api.h"
#include "api/asset_ref.h"
#include "api/discovery/discovery.h"
#include "api/gate.h"
#include "api/target.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/str.h"
#include "util/uuid.h"

static const struct pgl_jfield create_fields[] = {
	{ "reason", PGL_J_STRING, 0 },
	{ NULL, 0, 0 }
};

static const struct pgl_jfield review_fields[] = {
	{ "status", PGL_J_STRING, 1 },
	{ "comment", PGL_J_STRING, 0 },
	{ NULL, 0, 0 }
};

static int
has_store(struct pgl_req *r)
{
	if (pgl_app.db->create_access_request != NULL)
		return (1);
	pgl_reply_error(r, 501, "not supported by this store plugin");
	return (0);
}

static json_t *
time_or_null(struct pgl_req *r, int64_t ms)
{
	return (ms != 0 ? json_string(api_rfc3339(r->arena, ms / 1000)) :
	    json_null());
}

/* AccessRequest (kebab-case, §2.10). */
static json_t *
request_json(struct pgl_req *r, const struct pgl_access_request *q)
{
	return (json_pack("{s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:o,s:o,s:o}", "id",
	    q->id, "tenant-id", q->tenant_id, "user-id", q->user_id,
	    "asset-id", q->asset_id, "reason", api_str_or_null(q->reason),
	    "requested-at", api_rfc3339(r->arena, q->requested_at_ms / 1000),
	    "status", q->status, "reviewed-by",
	    api_str_or_null(q->reviewed_by), "reviewed-at",
	    time_or_null(r, q->reviewed_at_ms), "review-comment",
	    api_str_or_null(q->review_comment)));
}

void
api_access_request_create(struct pgl_req *r)
{
	struct pgl_access_request	 q;
	struct pgl_asset		 a;
	struct pgl_catalog		 c;
	struct pgl_err			 err;
	char				 id[PGL_UUID_LEN + 1];
	const char			*reason;

	if (!has_store(r) || pgl_req_body(r, create_fields) == -1 ||
	    api_asset_by_id(r, pgl_param(r, "asset_id"), &a, &c) == -1)
		return;
	reason = pgl_json_str(r->body, "reason");
	if (reason != NULL && strlen(reason) > DISC_REASON_MAX) {
		pgl_reply_error(r, 422, "reason is longer than %d bytes",
		    DISC_REASON_MAX);
		return;
	}
	pgl_uuid_new(id);
	memset(&q, 0, sizeof(q));
	q.id = id;
	q.tenant_id = r->tenant;
	q.user_id = r->who.user_id;
	q.asset_id = a.id;
	q.reason = reason;
	q.status = "pending";
	q.requested_at_ms = pgl_now_ms();
	api_audit_about(r, id, a.name);
	if (STORE(create_access_request, &q, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Asset not found");
		return;
	}
	pgl_reply_json(r, 201, request_json(r, &q));
}

void
api_access_request_list(struct pgl_req *r)
{
	struct pgl_access_request	*items;
	struct api_page			 pg;
	struct pgl_err			 err;
	const char			*user;
	uint64_t			 total = 0;
	size_t				 n, i;
	json_t				*arr;

	if (!has_store(r))
		return;
	user = api_is_admin(r) ? NULL : r->who.user_id;
	if (api_list_page(r, pgl_page_scope("access-requests", r->tenant,
	    user != NULL ? user : PGL_PAGE_NONE, NULL), &pg) == -1)
		return;
	if (STORE(list_access_requests, r->arena, r->tenant, user, &pg.pg,
	    &items, &n, pg.keyed ? NULL : &total, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, request_json(r, &items[i]));
	api_reply_page(r, arr, items, sizeof(*items),
	    API_KEY_NS(struct pgl_access_request, requested_at_ms, id), &pg,
	    total);
}

/* The request {id}, if the caller may see it (admin or requester). */
static int
find_request(struct pgl_req *r, struct pgl_access_request *q)
{
	struct pgl_err	err;

	if (STORE(get_access_request, r->arena, r->tenant, pgl_param(r, "id"),
	    q, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Access request not found");
		return (-1);
	}
	if (!api_is_admin(r) && strcmp(q->user_id, r->who.user_id) != 0) {
		pgl_reply_error(r, 404, "Access request not found");
		return (-1);
	}
	return (0);
}

void
api_access_request_get(struct pgl_req *r)
{
	struct pgl_access_request	q;

	if (has_store(r) && find_request(r, &q) == 0)
		pgl_reply_json(r, 200, request_json(r, &q));
}

/* A direct read on the asset for the requester (as a Permission). */
static int
grant_read(struct pgl_req *r, const struct pgl_access_request *q,
    struct pgl_err *err)
{
	struct pgl_permission	 p;
	struct pgl_asset	 a;
	struct pgl_catalog	 c;
	char			 id[PGL_UUID_LEN + 1], *dotted, *s;
	json_t			*doc;
	int			 rc;

	if ((rc = api_asset_find(r, q->asset_id, &a, &c, err)) != PGL_OK)
		return (rc);
	if ((dotted = pgl_arena_strdup(r->arena, a.ns)) == NULL) {
		err->code = PGL_ENOMEM;
		(void)pgl_strlcpy(err->msg, "out of memory", sizeof(err->msg));
		return (PGL_ENOMEM);
	}
	for (s = dotted; *s != '\0'; s++) {
		if (*s == PGL_NS_SEP)
			*s = '.';
	}
	pgl_uuid_new(id);
	doc = json_pack("{s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s},s:[s],s:s,s:s}",
	    "id", id, "user-id", q->user_id, "tenant-id", r->tenant, "scope",
	    "type", "asset", "catalog_id", c.id, "namespace", dotted,
	    "asset_id", a.id, "actions", "read", "granted-by",
	    r->who.user_id, "granted-at", api_rfc3339(r->arena,
	    pgl_now_ms() / 1000));
	p = (struct pgl_permission){ id, r->tenant, q->user_id,
	    api_text(r->arena, doc), 0 };
	json_decref(doc);
	if ((rc = STORE(create_permission, &p, err)) == PGL_OK)
		api_audit(r, r->tenant, "grant_permission", "permission", id,
		    q->user_id, 1, NULL);
	return (rc);
}

/* PUT /api/v1/access-requests/{id}: approve or reject, once. */
void
api_access_request_review(struct pgl_req *r)
{
	struct pgl_access_request	 q;
	struct pgl_err			 err;
	const char			*status;

	if (!has_store(r) || pgl_req_body(r, review_fields) == -1)
		return;
	status = pgl_json_str(r->body, "status");
	if (strcmp(status, "pending") == 0) {
		pgl_reply_error(r, 400, "a review approves or rejects: status "
		    "pending is not one");
		return;
	}
	if (strcmp(status, "approved") != 0 && strcmp(status, "rejected") != 0) {
		pgl_reply_error(r, 422, "status must be approved or rejected");
		return;
	}
	if (find_request(r, &q) == -1)
		return;
	api_audit_about(r, q.id, q.user_id);
	q.status = status;
	q.reviewed_by = r->who.user_id;
	q.reviewed_at_ms = pgl_now_ms();
	q.review_comment = pgl_json_str(r->body, "comment");
	if (STORE(review_access_request, &q, &err) != PGL_OK ||
	    (strcmp(status, "approved") == 0 && grant_read(r, &q, &err) !=
	    PGL_OK)) {
		if (err.code == PGL_ECONFLICT)
			pgl_reply_error(r, 409, "Access request %s was already "
			    "reviewed", q.id);
		else
			pgl_reply_missing(r, &err, "Access request not found");
		return;
	}
	pgl_reply_json(r, 200, request_json(r, &q));
}
