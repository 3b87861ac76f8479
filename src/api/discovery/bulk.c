/*
 * Bulk delete of assets by id (pangolin-api.md §2.10), and name
 * availability (§2.10, validate/names).
 *
 * The reference deletes whatever ids it is given without a check; here
 * each asset is authorized as a single delete would be (delete on the
 * asset, its tags deciding tag grants) and removed with a catalog commit
 * on its own branch, as a table's drop is (the files stay: this is not a
 * purge).  One that is missing, or that the caller may not see, is "not
 * found"; one it sees but may not delete is "forbidden"; either is
 * counted as failed and the rest go on.  All of it is one store
 * transaction (the gate's), with one audit event per asset deleted.
 */
#include <string.h>

#include "api/api.h"
#include "api/asset_ref.h"
#include "api/commit/commit.h"
#include "api/config_cache.h"
#include "api/discovery/discovery.h"
#include "api/gate.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/names.h"

#define NAMES_MAX	100

static const struct pgl_jfield bulk_fields[] = {
	{ "asset_ids", PGL_J_STRLIST, 1 },
	{ NULL, 0, 0 }
};

static const struct pgl_jfield names_fields[] = {
	{ "resource_type", PGL_J_STRING, 1 },
	{ "names", PGL_J_STRLIST, 1 },
	{ NULL, 0, 0 }
};

/* Why the caller may not delete it: "not found" unless it sees it. */
static const char *
refusal(struct pgl_req *r, struct pgl_target *t)
{
	if (api_allowed(r, PGL_ACT_DELETE, t))
		return (NULL);
	if (api_sees(r, t) || (api_target_metadata(r, t) == 0 &&
	    api_sees(r, t)))
		return ("forbidden");
	return ("not found");
}

static int
drop(struct pgl_req *r, const struct pgl_asset *a, struct pgl_err *err)
{
	int	rc;

	if ((rc = STORE(delete_asset, r->tenant, a->catalog, a->branch, a->ns,
	    a->name, err)) != PGL_OK)
		return (rc);
	if ((rc = ice_log_commit(r, a->catalog, a->branch,
	    pgl_arena_printf(r->arena, "Delete %s %s", a->kind,
	    ice_dotted(r, a->ns, a->name)), json_pack("[o]",
	    ice_op_delete(a->ns, a->name)), err)) == PGL_OK)
		api_audit(r, r->tenant, "delete_asset", "asset", a->id,
		    ice_dotted(r, a->ns, a->name), 1, NULL);
	return (rc);
}

/* 1 deleted, 0 refused (errors says why), -1 after replying. */
static int
delete_one(struct pgl_req *r, const char *id, json_t *errors)
{
	struct pgl_asset	 a;
	struct pgl_catalog	 c;
	struct pgl_target	 t;
	struct pgl_err		 err;
	const char		*why = "not found";
	int			 rc;

	if ((rc = api_asset_find(r, id, &a, &c, &err)) == PGL_OK) {
		api_asset_target(&a, &c, &t);
		if ((why = refusal(r, &t)) == NULL) {
			if ((rc = drop(r, &a, &err)) == PGL_OK)
				return (1);
			why = "not found";
		}
	}
	if (rc != PGL_OK && rc != PGL_ENOTFOUND) {
		if (rc == PGL_ECONFLICT)
			pgl_reply_error(r, 409, "Branch %s moved during the "
			    "delete: retry", a.branch);
		else
			pgl_reply_store_error(r, &err);
		return (-1);
	}
	json_array_append_new(errors, json_string(pgl_arena_printf(r->arena,
	    "%.128s: %s", id, why)));
	return (0);
}

void
api_bulk_delete_assets(struct pgl_req *r)
{
	const json_t	*ids;
	json_t		*errors, *v;
	size_t		 i, done = 0, failed = 0;
	int		 rc;

	if (pgl_req_body(r, bulk_fields) == -1)
		return;
	ids = json_object_get(r->body, "asset_ids");
	if (json_array_size(ids) > DISC_BULK_MAX) {
		pgl_reply_error(r, 400, "at most %d asset_ids at once",
		    DISC_BULK_MAX);
		return;
	}
	api_audit_about(r, NULL, pgl_arena_printf(r->arena, "%zu assets",
	    json_array_size(ids)));
	errors = json_array();
	json_array_foreach(ids, i, v) {
		if ((rc = delete_one(r, json_string_value(v), errors)) == -1) {
			json_decref(errors);
			return;
		}
		if (rc == 1)
			done++;
		else
			failed++;
	}
	pgl_reply_json(r, 200, json_pack("{s:I,s:I,s:o}", "succeeded",
	    (json_int_t)done, "failed", (json_int_t)failed, "errors",
	    errors));
}

/* {name, available, reason} of one name. */
static json_t *
name_result(struct pgl_req *r, int catalog, const char *name)
{
	struct pgl_catalog	c;
	struct pgl_warehouse	w;
	struct pgl_err		err;
	const char		*why;
	int			rc;

	if ((why = pgl_name_check(name)) != NULL)
		return (json_pack("{s:s,s:b,s:s}", "name", name, "available",
		    0, "reason", why));
	rc = catalog ? api_get_catalog(r, r->tenant, name, &c, &err) :
	    api_get_warehouse(r, r->tenant, name, &w, &err);
	if (rc == PGL_OK)
		return (json_pack("{s:s,s:b,s:s}", "name", name, "available",
		    0, "reason", catalog ? "a catalog of that name exists" :
		    "a warehouse of that name exists"));
	if (err.code != PGL_ENOTFOUND) {
		pgl_reply_store_error(r, &err);
		return (NULL);
	}
	return (json_pack("{s:s,s:b,s:n}", "name", name, "available", 1,
	    "reason"));
}

/* POST /api/v1/validate/names {resource_type, names} (admins). */
void
api_validate_names(struct pgl_req *r)
{
	const char	*type;
	const json_t	*names;
	json_t		*out, *v, *one;
	size_t		 i;
	int		 catalog;

	if (pgl_req_body(r, names_fields) == -1)
		return;
	type = pgl_json_str(r->body, "resource_type");
	if (strcmp(type, "catalog") != 0 && strcmp(type, "warehouse") != 0) {
		pgl_reply_error(r, 422, "resource_type must be catalog or "
		    "warehouse");
		return;
	}
	catalog = strcmp(type, "catalog") == 0;
	names = json_object_get(r->body, "names");
	if (json_array_size(names) > NAMES_MAX) {
		pgl_reply_error(r, 400, "at most %d names at once", NAMES_MAX);
		return;
	}
	out = json_array();
	json_array_foreach(names, i, v) {
		if ((one = name_result(r, catalog, json_string_value(v))) ==
		    NULL) {
			json_decref(out);
			return;
		}
		json_array_append_new(out, one);
	}
	pgl_reply_json(r, 200, json_pack("{s:o}", "results", out));
}
