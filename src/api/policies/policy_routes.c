/*
 * Data policies through the management API (issue 46): a tenant admin
 * creates, lists, reads, replaces and deletes them; another tenant's are
 * not found.  Each is validated as it is defined (policy_body.c,
 * policy_conflict.c), and a tenant holds at most [policies]
 * max_per_tenant (docs/limits.md).
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/policies/policies.h"
#include "api/policies/policy_int.h"
#include "api/quota/quota.h"
#include "api/target.h"
#include "app/app.h"
#include "config/config.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/uuid.h"

#define QUOTA_RETRY_SECS	60

json_t *
pol_json(struct pgl_req *r, const struct pgl_policy *p)
{
	json_t	*doc, *j;

	(void)r;
	doc = api_obj(p->doc);
	j = json_pack("{s:s, s:s, s:s, s:o, s:s?, s:s?, s:s?}", "id", p->id,
	    "name", p->name, "catalog", p->catalog, "namespace", p->ns != NULL ?
	    ice_ns_json(p->ns) : json_null(), "table", p->table_name, "tag",
	    p->tag, "kind", json_string_value(json_object_get(doc, "kind")));
	if (j == NULL) {
		json_decref(doc);
		return (json_object());
	}
	if (pgl_pol_is_row_filter(doc))
		json_object_set(j, "row_filter", json_object_get(doc,
		    "row_filter"));
	else {
		json_object_set(j, "action", json_object_get(doc, "action"));
		if (json_object_get(doc, "column") != NULL)
			json_object_set(j, "column", json_object_get(doc,
			    "column"));
		if (json_object_get(doc, "field_id") != NULL)
			json_object_set(j, "field_id", json_object_get(doc,
			    "field_id"));
	}
	json_object_set(j, "applies_to", json_object_get(doc, "applies_to"));
	json_object_set_new(j, "created_at_ms", json_integer(p->created_ms));
	json_object_set_new(j, "updated_at_ms", json_integer(p->updated_ms));
	json_decref(doc);
	return (j);
}

/* Below the tenant's limit: 0, else -1 after a 429 (docs/limits.md). */
static int
quota(struct pgl_req *r)
{
	struct pgl_policy	*ps;
	struct pgl_page		 one = { 1, 0, NULL };
	struct pgl_err		 err;
	struct api_quota_limits	 l;
	uint64_t		 held = 0;
	size_t			 n;
	int64_t			 limit;
	json_t			*j;

	/* The tenant's own limit over the setting (api/quota/). */
	api_quota_limits_for(r->arena, r->tenant, &l);
	if ((limit = l.count[PGL_Q_POLICIES]) == 0)
		return (0);
	if (STORE(list_policies, r->arena, r->tenant, NULL, &one, &ps, &n,
	    &held, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	if (held < (uint64_t)limit)
		return (0);
	j = api_too_many(r, pgl_arena_printf(r->arena, "too many policies: "
	    "this tenant has %llu, the limit is %lld "
	    "(PANGOLIN_POLICIES_MAX_PER_TENANT, or the tenant's "
	    "pangolin.quota.policies)", (unsigned long long)held,
	    (long long)limit), QUOTA_RETRY_SECS);
	json_object_set_new(j, "limit", json_integer(limit));
	json_object_set_new(j, "kind", json_string("policies"));
	json_object_set_new(j, "used", json_integer((json_int_t)held));
	json_object_set_new(j, "policies", json_integer((json_int_t)held));
	pgl_reply_json(r, 429, j);
	return (-1);
}

static int
find(struct pgl_req *r, struct pgl_policy *p)
{
	struct pgl_err	err;

	if (STORE(get_policy, r->arena, r->tenant, pgl_param(r, "id"), p,
	    &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Policy not found");
		return (-1);
	}
	return (0);
}

void
api_policy_create(struct pgl_req *r)
{
	struct pgl_policy	 p;
	struct pgl_err		 err;
	char			 id[PGL_UUID_LEN + 1];
	json_t			*doc;

	if (!pol_ready(r))
		return;
	memset(&p, 0, sizeof(p));
	pgl_uuid_new(id);
	p.id = id;
	p.tenant_id = r->tenant;
	if (pol_from_body(r, &p, &doc) == -1)
		return;
	if (quota(r) == -1 || pol_conflicts(r, &p, doc) == -1) {
		json_decref(doc);
		return;
	}
	p.created_ms = p.updated_ms = pgl_now_ms();
	if (STORE(put_policy, &p, 1, &err) != PGL_OK) {
		json_decref(doc);
		pgl_reply_store_error(r, &err);
		return;
	}
	/* Taken back by hand too: a store without transactions keeps it. */
	if (pol_table_hold(r, &p, doc) == -1) {
		json_decref(doc);
		if (!r->lost_race)
			(void)STORE(delete_policy, r->tenant, p.id, &err);
		return;
	}
	json_decref(doc);
	api_audit_about(r, p.id, p.name);
	pgl_reply_json(r, 201, pol_json(r, &p));
}

void
api_policy_list(struct pgl_req *r)
{
	struct pgl_policy	*ps;
	struct api_page		 pg;
	struct pgl_err		 err;
	const char		*cat = pgl_query(r, "catalog");
	uint64_t		 total = 0;
	size_t			 n, i;
	json_t			*arr;

	if (!pol_ready(r))
		return;
	if (api_list_page(r, pgl_page_scope("policies", r->tenant,
	    cat != NULL ? cat : PGL_PAGE_NONE, NULL), &pg) == -1)
		return;
	if (STORE(list_policies, r->arena, r->tenant, cat, &pg.pg, &ps, &n,
	    pg.keyed ? NULL : &total, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, pol_json(r, &ps[i]));
	api_reply_page(r, arr, ps, sizeof(*ps),
	    API_KEY_S(struct pgl_policy, name), &pg, total);
}

void
api_policy_get(struct pgl_req *r)
{
	struct pgl_policy	p;

	if (pol_ready(r) && find(r, &p) == 0)
		pgl_reply_json(r, 200, pol_json(r, &p));
}

/* The whole policy again, as at creation, under the same id. */
void
api_policy_update(struct pgl_req *r)
{
	struct pgl_policy	 old, p;
	struct pgl_err		 err;
	json_t			*doc;

	if (!pol_ready(r) || find(r, &old) == -1)
		return;
	memset(&p, 0, sizeof(p));
	p.id = old.id;
	p.tenant_id = r->tenant;
	if (pol_from_body(r, &p, &doc) == -1)
		return;
	if (pol_conflicts(r, &p, doc) == -1) {
		json_decref(doc);
		return;
	}
	p.created_ms = old.created_ms;
	p.updated_ms = pgl_now_ms();
	if (STORE(put_policy, &p, 0, &err) != PGL_OK) {
		json_decref(doc);
		pgl_reply_missing(r, &err, "Policy not found");
		return;
	}
	if (pol_table_hold(r, &p, doc) == -1) {
		json_decref(doc);
		if (!r->lost_race)
			(void)STORE(put_policy, &old, 0, &err);
		return;
	}
	json_decref(doc);
	api_audit_about(r, p.id, p.name);
	pgl_reply_json(r, 200, pol_json(r, &p));
}

void
api_policy_delete(struct pgl_req *r)
{
	struct pgl_policy	p;
	struct pgl_err		err;

	if (!pol_ready(r) || find(r, &p) == -1)
		return;
	api_audit_about(r, p.id, p.name);
	if (STORE(delete_policy, r->tenant, p.id, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Policy not found");
		return;
	}
	pgl_reply_empty(r, 204);
}
