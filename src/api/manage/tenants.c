/*
 * Tenants (pangolin-api.md §2.1).  Root manages them; a tenant's own
 * principals may read their own tenant; anyone else sees "not found".
 * A tenant's quotas are its properties pangolin.quota.* (api/quota/),
 * so only root sets them.
 */
#include <string.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/manage/manage.h"
#include "api/quota/quota.h"
#include "api/target.h"
#include "app/app.h"
#include "plugin/loader.h"
#include "util/json.h"

static const struct pgl_jfield create_fields[] = {
	{ "name", PGL_J_STRING, 1 },
	{ "properties", PGL_J_STRMAP, 0 },
	{ NULL, 0, 0 }
};

static const struct pgl_jfield update_fields[] = {
	{ "name", PGL_J_STRING, 0 },
	{ "properties", PGL_J_STRMAP, 0 },
	{ NULL, 0, 0 }
};

static json_t *
tenant_json(const struct pgl_tenant *t)
{
	return (json_pack("{s:s,s:s,s:o}", "id", t->id, "name", t->name,
	    "properties", api_obj(t->properties)));
}

void
api_tenant_list(struct pgl_req *r)
{
	struct pgl_tenant	*items;
	struct api_page		 pg;
	struct pgl_err		 err;
	json_t			*arr;
	uint64_t		 total = 0;
	size_t			 n, i;

	if (r->who.role != ROLE_ROOT && !pgl_app.cfg->auth.no_auth) {
		pgl_reply_error(r, 403, "Only Root can list tenants");
		return;
	}
	if (api_list_page(r, pgl_page_scope("tenants", NULL), &pg) == -1)
		return;
	if (STORE(list_tenants, r->arena, &pg.pg, &items, &n, pg.keyed ? NULL :
	    &total, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, tenant_json(&items[i]));
	api_reply_page(r, arr, items, sizeof(*items),
	    API_KEY_S(struct pgl_tenant, name), &pg, total);
}

void
api_tenant_create(struct pgl_req *r)
{
	struct pgl_tenant	 t;
	struct pgl_err		 err;
	char			 id[PGL_UUID_LEN + 1];
	json_t			*props;

	if (pgl_app.cfg->auth.no_auth && r->who.role != ROLE_ROOT) {
		pgl_reply_json(r, 403, json_pack("{s:s,s:s}", "error",
		    "Tenant creation is disabled in NO_AUTH mode", "hint",
		    "configure a root user and call as root"));
		return;
	}
	if (r->who.role != ROLE_ROOT) {
		pgl_reply_error(r, 403, "Forbidden");
		return;
	}
	if (pgl_req_body(r, create_fields) == -1 ||
	    pgl_req_name(r, "name", pgl_json_str(r->body, "name")) == -1)
		return;
	props = json_object_get(r->body, "properties");
	/* Its quotas (pangolin.quota.*, root's only): known and whole. */
	if (api_quota_props_check(r, props) == -1)
		return;
	pgl_uuid_new(id);
	t.id = id;
	t.name = pgl_json_str(r->body, "name");
	t.properties = props != NULL && !json_is_null(props) ?
	    api_text(r->arena, props) : "{}";
	api_audit_about(r, id, t.name);
	if (STORE(create_tenant, &t, &err) != PGL_OK) {
		if (err.code == PGL_EEXISTS)
			(void)snprintf(err.msg, sizeof(err.msg),
			    "Tenant '%s' already exists", t.name);
		pgl_reply_store_error(r, &err);
		return;
	}
	pgl_reply_json(r, 201, tenant_json(&t));
}

/* Look up {id}, answering 400/404 itself; NULL if it replied. */
static int
find(struct pgl_req *r, struct pgl_tenant *t)
{
	const char	*id = pgl_param(r, "id");
	struct pgl_err	 err;

	if (!pgl_uuid_valid(id)) {
		pgl_reply_error(r, 400, "tenant id must be a UUID");
		return (-1);
	}
	/* Another tenant's id answers exactly like a missing one. */
	if (r->who.role != ROLE_ROOT && strcmp(id, r->who.tenant_id) != 0) {
		pgl_reply_error(r, 404, "Tenant not found");
		return (-1);
	}
	if (STORE(get_tenant, r->arena, id, t, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Tenant not found");
		return (-1);
	}
	return (0);
}

void
api_tenant_get(struct pgl_req *r)
{
	struct pgl_tenant	t;

	if (find(r, &t) == 0)
		pgl_reply_json(r, 200, tenant_json(&t));
}

void
api_tenant_update(struct pgl_req *r)
{
	struct pgl_tenant	 t;
	struct pgl_err		 err;
	json_t			*props, *upd;
	const char		*name;

	if (pgl_req_body(r, update_fields) == -1 || find(r, &t) == -1)
		return;
	if ((name = pgl_json_str(r->body, "name")) != NULL) {
		if (pgl_req_name(r, "name", name) == -1)
			return;
		t.name = name;
	}
	upd = json_object_get(r->body, "properties");
	if (api_quota_props_check(r, upd) == -1)
		return;
	if (upd != NULL && !json_is_null(upd)) {
		/* Merged into the existing map, as upstream does. */
		props = api_obj(t.properties);
		json_object_update(props, upd);
		if (api_map_fits(r, props, "properties") == -1) {
			json_decref(props);
			return;
		}
		t.properties = api_text(r->arena, props);
		json_decref(props);
	}
	if (STORE(update_tenant, &t, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	pgl_reply_json(r, 200, tenant_json(&t));
}

/*
 * A deleted tenant's webhook subscriptions go with it, in its
 * transaction: nobody is left to manage them.  Its NATS cursor stays,
 * since its events outlive it until retention removes them (the
 * tenant's deletion is one of them), and a cursor made again would
 * publish them all again.
 */
static int
drop_webhooks(struct pgl_req *r, const char *tenant, struct pgl_err *err)
{
	struct pgl_webhook	*w;
	size_t			 i, n;
	int			 rc;

	if (!pgl_store_has_webhooks(pgl_app.db))
		return (PGL_OK);
	if ((rc = STORE(list_webhooks, r->arena, tenant, &w, &n, err)) !=
	    PGL_OK)
		return (rc);
	for (i = 0; i < n; i++) {
		if (strcmp(w[i].kind, "webhook") != 0)
			continue;
		if ((rc = STORE(delete_webhook, tenant, w[i].id, err)) !=
		    PGL_OK && rc != PGL_ENOTFOUND)
			return (rc);
	}
	return (PGL_OK);
}

void
api_tenant_delete(struct pgl_req *r)
{
	struct pgl_tenant	t;
	struct pgl_err		err;

	if (find(r, &t) == -1)
		return;
	if (strcmp(t.id, PGL_NIL_UUID) == 0) {
		pgl_reply_error(r, 400, "the default tenant cannot be deleted");
		return;
	}
	if (STORE(delete_tenant, t.id, &err) != PGL_OK ||
	    drop_webhooks(r, t.id, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	pgl_reply_empty(r, 204);
}
