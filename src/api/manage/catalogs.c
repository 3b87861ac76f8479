/*
 * Catalogs (pangolin-api.md §2.3).  A catalog is born with branch `main`,
 * whose head is an initial empty commit (so tags and merge bases always
 * have something to point at), and namespace `default`.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/manage/manage.h"
#include "api/federation/federation.h"
#include "api/config_cache.h"
#include "api/gate.h"
#include "api/placement/placement.h"
#include "app/app.h"
#include "auth/grant_cache.h"
#include "storage/azure_root.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/jw.h"
#include "util/location.h"
#include "util/paging.h"

static const struct pgl_jfield create_fields[] = {
	{ "name", PGL_J_STRING, 1 },
	{ "catalog_type", PGL_J_STRING, 0 },
	{ "warehouse_name", PGL_J_STRING, 0 },
	{ "storage_location", PGL_J_STRING, 0 },
	{ "federated_config", PGL_J_OBJECT, 0 },
	{ "properties", PGL_J_STRMAP, 0 },
	{ NULL, 0, 0 }
};

static const struct pgl_jfield update_fields[] = {
	{ "warehouse_name", PGL_J_STRING, 0 },
	{ "storage_location", PGL_J_STRING, 0 },
	{ "federated_config", PGL_J_OBJECT, 0 },
	/* Strings, or null to remove one (catalog_props.c). */
	{ "properties", PGL_J_OBJECT, 0 },
	{ NULL, 0, 0 }
};

/*
 * A catalog as JSON, written straight into w (lists are a hot path).  A
 * federated catalog's config has its secrets masked (federation.h).
 */
static void
catalog_write(struct pgl_req *r, struct pgl_jw *w, const struct pgl_catalog *c)
{
	jw_open(w, '{');
	jw_str(w, "id", c->id);
	jw_str(w, "name", c->name);
	jw_str(w, "catalog_type", c->catalog_type);
	jw_str(w, "warehouse_name", c->warehouse_name);
	jw_str(w, "storage_location", c->storage_location);
	jw_json(w, "federated_config", c->federated_config != NULL ?
	    api_fed_config_masked(r, c->federated_config) : NULL, "null");
	jw_json(w, "properties", c->properties, "{}");
	jw_close(w, '}');
}

static void
reply_catalog(struct pgl_req *r, int status, const struct pgl_catalog *c)
{
	struct pgl_jw	w;

	jw_init(&w);
	catalog_write(r, &w, c);
	pgl_reply_jw(r, status, &w);
}

struct create_tx {
	struct pgl_arena		*arena;
	const char			*tenant;
	const struct pgl_catalog	*cat;
};

static int
create_in_tx(void *arg, struct pgl_err *err)
{
	struct create_tx	*tx = arg;
	struct pgl_commit	 commit;
	struct pgl_branch	 main_branch;
	struct pgl_namespace	 ns;
	char			 cid[PGL_UUID_LEN + 1];
	int			 rc;

	if ((rc = STORE(create_catalog, tx->cat, err)) != PGL_OK)
		return (rc);
	pgl_uuid_new(cid);
	memset(&commit, 0, sizeof(commit));
	commit.id = cid;
	commit.catalog = tx->cat->name;
	commit.timestamp_ms = pgl_now_ms();
	commit.author = "pangolin";
	commit.message = "Create catalog";
	commit.operations = "[]";
	if ((rc = STORE(create_commit, tx->tenant, &commit, err)) != PGL_OK)
		return (rc);
	memset(&main_branch, 0, sizeof(main_branch));
	main_branch.catalog = tx->cat->name;
	main_branch.name = "main";
	main_branch.head_commit_id = cid;
	main_branch.branch_type = "ingest";
	main_branch.assets = "[]";
	if ((rc = STORE(create_branch, tx->tenant, &main_branch, err)) !=
	    PGL_OK)
		return (rc);
	ns.catalog = tx->cat->name;
	ns.name = "default";
	ns.properties = "{}";
	return (STORE(create_namespace, tx->tenant, &ns, err));
}

int
pgl_catalog_create(struct pgl_arena *a, const char *tenant,
    const struct pgl_catalog *cat, struct pgl_err *err)
{
	struct create_tx	tx = { a, tenant, cat };

	return (pgl_store_tx(create_in_tx, &tx, err));
}

/* An S3 warehouse's root: s3://<bucket>[/<prefix>], or NULL. */
static const char *
s3_root(struct pgl_req *r, const json_t *cfg)
{
	const char	*bucket = pgl_json_str(cfg, "s3.bucket");
	const char	*prefix = pgl_json_str(cfg, "s3.prefix");

	if (bucket == NULL)
		bucket = pgl_json_str(cfg, "bucket");
	if (prefix == NULL)
		prefix = pgl_json_str(cfg, "prefix");
	if (bucket == NULL || *bucket == '\0')
		return (NULL);
	if (prefix == NULL || *prefix == '\0')
		return (pgl_arena_printf(r->arena, "s3://%s", bucket));
	return (pgl_arena_printf(r->arena, "s3://%s/%s", bucket, prefix));
}

/* loc lies below root, not root itself; both the same kind (local or
 * not).  The text gate already refused "." and ".." segments. */
static int
inside(const char *loc, const char *root)
{
	char		 lb[PGL_LOCATION_MAX + 16], rb[PGL_LOCATION_MAX + 16];
	const char	*lp = pgl_location_path(pgl_location_canon(loc, lb,
			    sizeof(lb)));
	const char	*rp = pgl_location_path(pgl_location_canon(root, rb,
			    sizeof(rb)));
	const char	*body = strstr(lp, "://");
	size_t		 n = strlen(rp);

	while (n > 1 && rp[n - 1] == '/')
		n--;
	if (pgl_location_is_local(loc) != pgl_location_is_local(root) ||
	    !pgl_location_within(lp, rp) ||
	    strstr(body != NULL ? body + 3 : lp, "//") != NULL)
		return (0);
	return (lp[n] == '/' && lp[n + 1] != '\0');
}

/*
 * Resolve warehouse_name and storage_location: the warehouse must exist
 * and be placed by the rule (placement.h), and a warehouse's catalogs
 * live strictly inside its root (a local directory, or
 * s3://<bucket>[/<prefix>]; default <root>/<catalog>).  A local location
 * without a warehouse follows the placement rule itself.  Replies and
 * returns -1 on a bad value.
 */
static int
resolve_location(struct pgl_req *r, struct pgl_catalog *c)
{
	struct pgl_warehouse	 w;
	struct pgl_err		 err;
	const char		*why, *root, *type;
	char			 canon[PGL_LOCATION_MAX + 16];
	json_t			*cfg;

	if (c->storage_location != NULL &&
	    (why = pgl_location_check(c->storage_location)) != NULL) {
		pgl_reply_error(r, 400, "invalid storage_location: %s", why);
		return (-1);
	}
	/* An Azure location is kept as the server spells it (abfss://). */
	if (c->storage_location != NULL)
		c->storage_location = pgl_arena_strdup(r->arena,
		    pgl_location_canon(c->storage_location, canon,
		    sizeof(canon)));
	if (c->warehouse_name == NULL) {
		/* Azure's places are judged across tenants: a catalog that
		 * could never hold a table (no warehouse, no credentials)
		 * must not claim one and keep other tenants out of it. */
		if (c->storage_location != NULL &&
		    pgl_location_canon(c->storage_location, canon,
		    sizeof(canon)) != c->storage_location) {
			pgl_reply_error(r, 400, "invalid storage_location: a "
			    "catalog on Azure storage needs a warehouse_name "
			    "(its account, container and credentials)");
			return (-1);
		}
		if (c->storage_location != NULL && (why =
		    api_placement_catalog(r, c->storage_location)) != NULL) {
			pgl_reply_error(r, 400, "invalid storage_location: %s",
			    why);
			return (-1);
		}
		return (0);
	}
	if (api_get_warehouse(r, r->tenant, c->warehouse_name, &w,
	    &err) != PGL_OK) {
		if (err.code == PGL_ENOTFOUND)
			pgl_reply_error(r, 400, "Warehouse not found");
		else
			pgl_reply_store_error(r, &err);
		return (-1);
	}
	if ((why = api_placement_stored_warehouse(r, &w)) != NULL) {
		pgl_reply_error(r, 400, "%s", why);
		return (-1);
	}
	cfg = api_obj(w.storage_config);
	root = pgl_json_str(cfg, "root");
	if (root == NULL)
		root = pgl_json_str(cfg, "path");
	if (root == NULL && (type = pgl_json_str(cfg, "type")) != NULL &&
	    strcmp(type, "azure") == 0)
		root = pgl_azure_root(r->arena, cfg);
	else if (root == NULL)
		root = s3_root(r, cfg);
	else
		root = pgl_arena_strdup(r->arena, root);
	json_decref(cfg);
	if (root != NULL && c->storage_location == NULL) {
		c->storage_location = pgl_arena_printf(r->arena, "%s/%s",
		    root, c->name);
		/* The root is the warehouse's word, not ours: check it too. */
		if ((why = pgl_location_check(c->storage_location)) != NULL) {
			pgl_reply_error(r, 400, "warehouse '%.200s' has no "
			    "usable root: %s", c->warehouse_name, why);
			return (-1);
		}
	} else if (root != NULL && !inside(c->storage_location, root)) {
		pgl_reply_error(r, 400, "storage_location must lie strictly "
		    "inside the warehouse root");
		return (-1);
	}
	return (0);
}

static const char *
opt_text(struct pgl_req *r, const char *field)
{
	const json_t	*v = json_object_get(r->body, field);

	return (v != NULL && !json_is_null(v) ? api_text(r->arena, v) : NULL);
}

/* A Federated catalog stores nothing here: no location of its own. */
static int
no_storage(struct pgl_req *r, const struct pgl_catalog *c)
{
	if (c->warehouse_name == NULL && c->storage_location == NULL)
		return (0);
	pgl_reply_error(r, 400, "a Federated catalog keeps its tables in its "
	    "remote catalog: it takes no warehouse_name or storage_location");
	return (-1);
}

/*
 * A Federated catalog: its config checked and sealed (federation.h), and
 * no branch, commit or namespace of its own (its remote has those).
 */
static void
create_federated(struct pgl_req *r, struct pgl_catalog *c)
{
	const json_t	*cfg = json_object_get(r->body, "federated_config");
	struct pgl_err	 err;

	if (cfg == NULL || json_is_null(cfg)) {
		pgl_reply_error(r, 400, "a Federated catalog needs "
		    "federated_config");
		return;
	}
	if (no_storage(r, c) == -1 || (c->federated_config =
	    api_fed_config_prepare(r, cfg, NULL)) == NULL)
		return;
	if (STORE(create_catalog, c, &err) != PGL_OK) {
		if (err.code == PGL_EEXISTS)
			(void)snprintf(err.msg, sizeof(err.msg),
			    "Catalog '%s' already exists", c->name);
		pgl_reply_store_error(r, &err);
		return;
	}
	reply_catalog(r, 201, c);
}

void
api_catalog_create(struct pgl_req *r)
{
	struct pgl_catalog	 c;
	struct pgl_err		 err;
	char			 id[PGL_UUID_LEN + 1];
	const char		*type;

	if (pgl_req_body(r, create_fields) == -1 ||
	    pgl_req_name(r, "name", pgl_json_str(r->body, "name")) == -1)
		return;
	memset(&c, 0, sizeof(c));
	pgl_uuid_new(id);
	c.id = id;
	c.tenant_id = r->tenant;
	c.name = pgl_json_str(r->body, "name");
	type = pgl_json_str(r->body, "catalog_type");
	c.catalog_type = type != NULL ? type : "Local";
	if (strcmp(c.catalog_type, "Local") != 0 &&
	    strcmp(c.catalog_type, "Federated") != 0) {
		pgl_reply_error(r, 422, "catalog_type must be Local or "
		    "Federated");
		return;
	}
	c.warehouse_name = pgl_json_str(r->body, "warehouse_name");
	if (c.warehouse_name != NULL && *c.warehouse_name == '\0')
		c.warehouse_name = NULL;
	c.storage_location = pgl_json_str(r->body, "storage_location");
	if (api_catalog_props_check(r, json_object_get(r->body,
	    "properties")) == -1)
		return;
	c.properties = opt_text(r, "properties");
	if (c.properties == NULL)
		c.properties = "{}";
	if (api_is_federated(&c)) {
		create_federated(r, &c);
		return;
	}
	if (opt_text(r, "federated_config") != NULL) {
		pgl_reply_error(r, 400, "federated_config is for Federated "
		    "catalogs (catalog_type \"Federated\")");
		return;
	}
	if (resolve_location(r, &c) == -1)
		return;
	if (pgl_catalog_create(r->arena, r->tenant, &c, &err) != PGL_OK) {
		if (err.code == PGL_EEXISTS)
			(void)snprintf(err.msg, sizeof(err.msg),
			    "Catalog '%s' already exists", c.name);
		pgl_reply_store_error(r, &err);
		return;
	}
	reply_catalog(r, 201, &c);
}

/* A tenant user lists the catalogs it may see into. */
static int
catalog_visible(struct pgl_req *r, const void *item, void *ctx)
{
	const struct pgl_catalog	*c = item;
	struct pgl_target		 t = { c->id, "", "", NULL, 0, 0 };

	(void)ctx;
	return (api_sees(r, &t));
}

/*
 * An admin's page of catalogs is the same bytes until a management
 * change bumps the config epoch, so it is kept rendered (config_cache.h):
 * the query and the row copies were most of this route's time.  A tenant
 * user's page depends on its grants and is rendered each time.
 */
void
api_catalog_list(struct pgl_req *r)
{
	struct pgl_catalog	*items;
	struct pgl_page		 pg, all = { 0, 0, NULL };
	struct pgl_err		 err;
	struct pgl_jw		 w;
	uint64_t		 total, epoch = pgl_grant_epoch();
	size_t			 n, i, len;
	const char		*body;
	char			 what[64];
	int			 admin = api_is_admin(r);

	if (pgl_req_page(r, &pg) == -1)
		return;
	(void)snprintf(what, sizeof(what), "catalogs %u %llu", pg.limit,
	    (unsigned long long)pg.offset);
	if (admin && api_list_cached(r, r->tenant, what, &body, &len,
	    &total) == 0) {
		pgl_reply_raw_list(r, body, len, total);
		return;
	}
	if (STORE(list_catalogs, r->arena, r->tenant, admin ? &pg : &all,
	    &items, &n, &total, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	if (!admin)
		n = api_filter_page(r, items, n, sizeof(*items),
		    catalog_visible, NULL, &pg, &total);
	jw_init(&w);
	jw_open(&w, '[');
	/* Bounded by bytes too (pgl_page_full): the total counts the rest. */
	for (i = 0; i < n && !pgl_page_full(w.len, i); i++) {
		jw_next(&w);
		catalog_write(r, &w, &items[i]);
	}
	jw_close(&w, ']');
	if (admin && !w.oom)
		api_list_keep(r->tenant, what, epoch, w.buf, w.len, total);
	pgl_reply_jw_list(r, &w, total);
}

static int
find(struct pgl_req *r, struct pgl_catalog *c)
{
	const char	*name = pgl_param(r, "name");
	struct pgl_err	 err;

	if (api_get_catalog(r, r->tenant, name, c, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Catalog '%.200s' not found", name);
		return (-1);
	}
	return (0);
}

void
api_catalog_get(struct pgl_req *r)
{
	struct pgl_catalog	c;

	if (find(r, &c) == 0)
		reply_catalog(r, 200, &c);
}

/*
 * federated_config of an update: a Federated catalog's is replaced (a
 * masked secret sent back keeps the stored one), a Local one takes none.
 * -1 after a reply.
 */
static int
update_federated(struct pgl_req *r, struct pgl_catalog *c)
{
	const json_t	*cfg = json_object_get(r->body, "federated_config");

	if (!api_is_federated(c)) {
		if (cfg == NULL || json_is_null(cfg))
			return (0);
		pgl_reply_error(r, 400, "federated_config is for Federated "
		    "catalogs; catalog '%.200s' is Local", c->name);
		return (-1);
	}
	if (no_storage(r, c) == -1)
		return (-1);
	if (cfg == NULL || json_is_null(cfg))
		return (0);
	c->federated_config = api_fed_config_prepare(r, cfg,
	    c->federated_config);
	return (c->federated_config != NULL ? 0 : -1);
}

void
api_catalog_update(struct pgl_req *r)
{
	struct pgl_catalog	 c;
	struct pgl_err		 err;
	json_t			*upd, *v;

	if (pgl_req_body(r, update_fields) == -1 || find(r, &c) == -1)
		return;
	if ((v = json_object_get(r->body, "warehouse_name")) != NULL &&
	    !json_is_null(v)) {
		/* "" would leave the storage location without the warehouse
		 * that bounds it. */
		if (*json_string_value(v) == '\0') {
			pgl_reply_error(r, 422, "warehouse_name must not be "
			    "empty: name a warehouse, or leave the field out");
			return;
		}
		c.warehouse_name = json_string_value(v);
	}
	if ((v = json_object_get(r->body, "storage_location")) != NULL &&
	    !json_is_null(v))
		c.storage_location = json_string_value(v);
	if (update_federated(r, &c) == -1)
		return;
	upd = json_object_get(r->body, "properties");
	if (upd != NULL && !json_is_null(upd) &&
	    api_catalog_props_merge(r, &c, upd) == -1)
		return;
	if (!api_is_federated(&c) && resolve_location(r, &c) == -1)
		return;
	if (STORE(update_catalog, r->tenant, &c, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Warehouse not found");
		return;
	}
	reply_catalog(r, 200, &c);
}

void
api_catalog_delete(struct pgl_req *r)
{
	const char	*name = pgl_param(r, "name");
	struct pgl_err	 err;

	/* The store cascades: namespaces, assets, branches, tags, commits. */
	if (STORE(delete_catalog, r->tenant, name, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Catalog '%.200s' not found", name);
		return;
	}
	pgl_reply_empty(r, 204);
}

void
api_catalog_summary(struct pgl_req *r)
{
	struct pgl_catalog_counts	n;
	struct pgl_catalog		c;
	struct pgl_err			err;

	if (find(r, &c) == -1)
		return;
	/* A reader of part of the catalog counts its part (dashboard.c). */
	if (api_catalog_counts_seen(r, &c, &n, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	pgl_reply_json(r, 200, json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:o}",
	    "name", c.name, "table_count", (json_int_t)n.tables,
	    "view_count", (json_int_t)n.views,
	    "namespace_count", (json_int_t)n.namespaces,
	    "branch_count", (json_int_t)n.branches,
	    "tag_count", (json_int_t)n.tags,
	    "storage_location", api_str_or_null(c.storage_location)));
}
