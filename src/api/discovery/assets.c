/*
 * Generic assets (pangolin-api.md §2.4): Delta, Hudi and Paimon tables,
 * Parquet and CSV files, ML models, directories and the like, registered
 * in a namespace on a branch (?branch=, default main).  The server keeps
 * their row and never touches their files.  A register is a catalog
 * commit with a Put, as a table's create is, so history, tags and
 * merges see generic assets like any other: a merge takes an asset
 * changed on one side and reports a conflict when both sides changed it
 * (branching/merge_plan.c compares their location and properties).
 *
 * Locations obey the tables' rule: absolute, no "." or ".." segment,
 * inside the catalog's storage location (and of its kind, local or
 * object store), the catalog itself placed by the operator's roots.  A
 * DB_CONN_STRING's location is a connection string, not a place in the
 * storage: it is only checked to be text.
 */
#include <string.h>

#include "api/api.h"
#include "api/asset_ref.h"
#include "api/commit/commit.h"
#include "api/discovery/discovery.h"
#include "api/gate.h"
#include "api/read/read.h"
#include "api/target.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/location.h"
#include "util/names.h"
#include "util/uuid.h"

#define LOCATION_MAX	4096

static const struct pgl_jfield register_fields[] = {
	{ "name", PGL_J_STRING, 1 },
	{ "kind", PGL_J_STRING, 1 },
	{ "location", PGL_J_STRING, 1 },
	{ "properties", PGL_J_STRMAP, 0 },
	{ NULL, 0, 0 }
};

/* AssetType (pangolin-api.md §0) but the Iceberg kinds, which are made
 * through the Iceberg REST API and carry metadata files. */
static const char *const kinds[] = {
	"DELTA_TABLE", "HUDI_TABLE", "PARQUET_TABLE", "CSV_TABLE",
	"JSON_TABLE", "ML_MODEL", "APACHE_PAIMON", "VORTEX", "LANCE",
	"NIMBLE", "DIRECTORY", "VIDEO_FILE", "IMAGE_FILE", "DB_CONN_STRING",
	"OTHER"
};

/* The route's catalog, namespace and asset; a federated catalog keeps
 * no assets here (its tables are the remote's), so 400 names it. */
static int
local_target(struct pgl_req *r, const char *name_param, struct ice_target *t)
{
	if (api_mgmt_target(r, name_param, t) == -1)
		return (-1);
	return (api_local_catalog(r, &t->catalog));
}

static int
kind_ok(struct pgl_req *r, const char *kind)
{
	size_t	i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(kinds[i], kind) == 0)
			return (0);
	}
	if (strcmp(kind, "ICEBERG_TABLE") == 0 || strcmp(kind, "VIEW") == 0)
		pgl_reply_error(r, 422, "kind %s is created through the Iceberg "
		    "REST API (/v1/{prefix}/namespaces/{namespace}/%s)", kind,
		    kind[0] == 'V' ? "views" : "tables");
	else
		pgl_reply_error(r, 422, "kind must be one of DELTA_TABLE, "
		    "HUDI_TABLE, PARQUET_TABLE, CSV_TABLE, JSON_TABLE, "
		    "ML_MODEL, APACHE_PAIMON, VORTEX, LANCE, NIMBLE, DIRECTORY, "
		    "VIDEO_FILE, IMAGE_FILE, DB_CONN_STRING, OTHER");
	return (-1);
}

/* Text without control bytes, at most LOCATION_MAX bytes. */
static int
plain_text(const char *s)
{
	size_t	i, len = strlen(s);

	if (len == 0 || len > LOCATION_MAX || !pgl_utf8_valid(s, len))
		return (0);
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return (0);
	}
	return (1);
}

/* The location as it is stored: checked, local ones as file:// URIs. */
static const char *
location(struct pgl_req *r, const struct ice_target *t, const char *kind,
    const char *loc)
{
	const char	*base = t->catalog.storage_location, *why;

	if (strcmp(kind, "DB_CONN_STRING") == 0) {
		if (plain_text(loc))
			return (loc);
		pgl_reply_error(r, 400, "invalid location: 1-%d bytes of text "
		    "without control characters", LOCATION_MAX);
		return (NULL);
	}
	if (strlen(loc) > LOCATION_MAX || (why = pgl_location_check(loc)) !=
	    NULL) {
		pgl_reply_error(r, 400, "invalid location: %s",
		    strlen(loc) > LOCATION_MAX ? "too long" : why);
		return (NULL);
	}
	if (base == NULL || pgl_location_is_local(loc) !=
	    pgl_location_is_local(base) || !pgl_location_within(loc, base) ||
	    pgl_location_same(loc, base)) {
		pgl_reply_error(r, 400, "location must lie inside the catalog's "
		    "storage location (%s)", base != NULL ? base : "none");
		return (NULL);
	}
	return (ice_uri(r, loc));
}

json_t *
disc_asset_json(struct pgl_req *r, const struct pgl_asset *a)
{
	json_t	*j;

	j = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:s}", "id", a->id, "name",
	    a->name, "kind", a->kind, "location",
	    api_str_or_null(ice_uri(r, a->location)), "properties",
	    api_obj(a->properties), "namespace", ice_ns_json(a->ns),
	    "branch", a->branch);
	if (a->metadata_location != NULL)
		json_object_set_new(j, "metadata_location",
		    json_string(a->metadata_location));
	return (j);
}

int
disc_reads(struct pgl_req *r, const struct pgl_asset *a,
    const struct pgl_catalog *c)
{
	struct pgl_target	t;

	api_asset_target(a, c, &t);
	return (api_allowed(r, PGL_ACT_READ, &t));
}

json_t *
disc_asset_seen_json(struct pgl_req *r, const struct pgl_asset *a,
    const struct pgl_catalog *c)
{
	json_t	*j = disc_asset_json(r, a);

	if (j == NULL || disc_reads(r, a, c))
		return (j);
	json_object_set_new(j, "location", json_null());
	json_object_set_new(j, "properties", json_object());
	json_object_del(j, "metadata_location");
	return (j);
}

struct register_tx {
	struct pgl_req		*r;
	struct pgl_asset	*a;
};

static int
register_in_tx(void *arg, struct pgl_err *err)
{
	struct register_tx	*tx = arg;
	struct pgl_req		*r = tx->r;
	int			 rc;

	if ((rc = STORE(create_asset, r->tenant, tx->a, err)) != PGL_OK)
		return (rc);
	return (ice_log_commit(r, tx->a->catalog, tx->a->branch,
	    pgl_arena_printf(r->arena, "Register %s %s", tx->a->kind,
	    ice_dotted(r, tx->a->ns, tx->a->name)),
	    json_pack("[o]", ice_op_put(tx->a)), err));
}

/* The body into a (target resolved, name, kind and location checked). */
static int
register_asset(struct pgl_req *r, struct ice_target *t, struct pgl_asset *a,
    char *id)
{
	const json_t	*props = json_object_get(r->body, "properties");

	memset(a, 0, sizeof(*a));
	if (local_target(r, NULL, t) == -1 ||
	    pgl_req_body(r, register_fields) == -1 ||
	    pgl_req_name(r, "name", (a->name = pgl_json_str(r->body,
	    "name"))) == -1 || kind_ok(r, (a->kind = pgl_json_str(r->body,
	    "kind"))) == -1 || (a->location = location(r, t, a->kind,
	    pgl_json_str(r->body, "location"))) == NULL ||
	    (props != NULL && !json_is_null(props) &&
	    api_map_fits(r, props, "properties") == -1))
		return (-1);
	if (!ice_ns_exists(r, t->catalog.name, t->ns) ||
	    !ice_branch_exists(r, t))
		return (-1);
	pgl_uuid_new(id);
	a->id = id;
	a->catalog = t->catalog.name;
	a->branch = t->branch;
	a->ns = t->ns;
	a->properties = props != NULL && !json_is_null(props) ?
	    api_text(r->arena, props) : "{}";
	a->created_at_ms = a->updated_at_ms = pgl_now_ms();
	return (0);
}

void
api_asset_register(struct pgl_req *r)
{
	struct ice_target	t;
	struct pgl_asset	a;
	struct pgl_err		err;
	struct register_tx	tx = { r, &a };
	char			id[PGL_UUID_LEN + 1];

	if (register_asset(r, &t, &a, id) == -1)
		return;
	api_audit_about(r, id, ice_dotted(r, a.ns, a.name));
	if (ice_tx_on_branch(r, register_in_tx, &tx, &err) != PGL_OK) {
		if (err.code == PGL_EEXISTS)
			pgl_reply_error(r, 409, "An asset named %s already "
			    "exists on branch %s", ice_dotted(r, a.ns, a.name),
			    a.branch);
		else if (err.code == PGL_ECONFLICT)
			pgl_reply_error(r, 409, "Branch %s moved while the "
			    "asset was registered: retry", a.branch);
		else
			pgl_reply_store_error(r, &err);
		return;
	}
	pgl_reply_json(r, 201, disc_asset_json(r, &a));
}

/* A tenant user's list: what it sees, discoverable assets included. */
static int
asset_visible(struct pgl_req *r, const void *item, void *ctx)
{
	const struct pgl_asset	*a = item;
	const struct pgl_catalog *c = ctx;
	struct pgl_target	 t;

	api_asset_target(a, c, &t);
	if (api_sees(r, &t))
		return (1);
	if (api_target_metadata(r, &t) == -1)
		return (0);
	return (api_sees(r, &t));
}

/* An asset seen but not readable (discoverable) shows no location. */
static json_t *
list_item(struct pgl_req *r, const struct pgl_asset *a,
    const struct pgl_catalog *c)
{
	json_t	*j = json_pack("{s:s,s:s,s:o,s:s,s:o,s:s,s:{s:o,s:s}}", "id",
	    a->id, "name", a->name, "namespace", ice_ns_json(a->ns), "kind",
	    a->kind, "location", disc_reads(r, a, c) ?
	    api_str_or_null(ice_uri(r, a->location)) : json_null(),
	    "branch", a->branch, "identifier", "namespace", ice_ns_json(a->ns),
	    "name", a->name);

	return (j);
}

/* One slice of a tenant user's keyed page (api_filter_keyed). */
static int
asset_slice(struct pgl_req *r, void *arg, const struct pgl_page *pg,
    void **rows, size_t *n, struct pgl_err *err)
{
	const struct ice_target	*t = arg;
	struct pgl_asset	*items;
	int			 rc;

	rc = STORE(list_assets, r->arena, r->tenant, t->catalog.name,
	    t->branch, t->ns, NULL, pg, &items, n, NULL, err);
	*rows = items;
	return (rc);
}

void
api_asset_list(struct pgl_req *r)
{
	struct ice_target	 t;
	struct pgl_asset	*items;
	struct api_page		 pg;
	struct pgl_page		 all = { 0, 0, NULL };
	struct pgl_err		 err;
	uint64_t		 total = 0;
	size_t			 n, i;
	json_t			*arr;
	void			*kept;
	int			 admin = api_is_admin(r);

	if (local_target(r, NULL, &t) == -1 || !ice_ns_exists(r,
	    t.catalog.name, t.ns) || !ice_branch_exists(r, &t))
		return;
	if (api_list_page(r, pgl_page_scope("assets", r->tenant, t.catalog.id,
	    t.branch, t.ns, NULL), &pg) == -1)
		return;
	if (!admin && pg.keyed) {
		if (api_filter_keyed(r, &pg, sizeof(*items), asset_slice, &t,
		    asset_visible, &t.catalog, API_KEY_SS(struct pgl_asset, ns,
		    name), &kept, &n) == -1)
			return;
		items = kept;
	} else if (STORE(list_assets, r->arena, r->tenant, t.catalog.name,
	    t.branch, t.ns, NULL, admin ? &pg.pg : &all, &items, &n, pg.keyed ?
	    NULL : &total, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	} else if (!admin)
		n = api_filter_page(r, items, n, sizeof(*items), asset_visible,
		    &t.catalog, &pg.pg, &total);
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, list_item(r, &items[i],
		    &t.catalog));
	api_reply_page(r, arr, items, sizeof(*items),
	    API_KEY_SS(struct pgl_asset, ns, name), &pg, total);
}

void
api_asset_get(struct pgl_req *r)
{
	struct ice_target	t;
	struct pgl_asset	a;
	struct pgl_err		err;

	if (local_target(r, "asset", &t) == -1)
		return;
	if (r->app->have_asset && ice_same_asset(&r->app->asset, &t))
		a = r->app->asset;
	else if (STORE(get_asset, r->arena, r->tenant, t.catalog.name,
	    t.branch, t.ns, t.name, &a, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Asset %.200s not found on branch "
		    "%.200s", ice_dotted(r, t.ns, t.name), t.branch);
		return;
	}
	pgl_reply_json(r, 200, disc_asset_json(r, &a));
}
