/*
 * Iceberg tables: list, create (and stage-create), drop, register,
 * unregister, credentials (iceberg-commit.md §2, §6).  Load and exists,
 * and the LoadTableResult that create and register answer with, live in
 * the read room (read/table_load.c); renames in rest/table_rename.c;
 * metrics in rest/metrics.c; commits in rest/commit.c (and
 * commit/loop.c), the asset rows' helpers in commit/assets.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/commit/commit.h"
#include "api/commit/names.h"
#include "api/commit/owners.h"
#include "api/gate.h"
#include "api/events/event_note.h"
#include "api/placement/placement.h"
#include "api/read/policies.h"
#include "api/read/read.h"
#include "api/rest/list_assets.h"
#include "api/rest/rest.h"
#include "api/storage/storage.h"
#include "api/storage/sts_vend.h"
#include "api/target.h"
#include "api/tasks/task.h"
#include "app/app.h"
#include "iceberg/iceberg.h"
#include "storage/fileio.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/jw.h"
#include "util/location.h"

#define KIND_TABLE	"ICEBERG_TABLE"
#define KIND_VIEW	"VIEW"

static const struct pgl_jfield create_fields[] = {
	{ "name", PGL_J_STRING, 1 },
	{ "location", PGL_J_STRING, 0 },
	{ "schema", PGL_J_OBJECT, 1 },
	{ "partition-spec", PGL_J_OBJECT, 0 },
	{ "write-order", PGL_J_OBJECT, 0 },
	{ "stage-create", PGL_J_BOOL, 0 },
	{ "properties", PGL_J_STRMAP, 0 },
	{ NULL, 0, 0 }
};

static const struct pgl_jfield register_fields[] = {
	{ "name", PGL_J_STRING, 1 },
	{ "metadata-location", PGL_J_STRING, 1 },
	{ "overwrite", PGL_J_BOOL, 0 },
	{ NULL, 0, 0 }
};

static void
asset_write(struct pgl_jw *w, const void *row)
{
	const struct pgl_asset	*a = row;

	jw_open(w, '{');
	ice_ns_jw(w, "namespace", a->ns);
	jw_str(w, "name", a->name);
	jw_close(w, '}');
}

static const struct list_walk_ops asset_list = {
	sizeof(struct pgl_asset), "identifiers", list_assets_fetch,
	asset_write, list_assets_key, list_assets_cmp
};

void
ice_table_list(struct pgl_req *r)
{
	int	view = strstr(r->match.route->path, "/views") != NULL;

	list_assets_run(r, &asset_list, view ? KIND_VIEW : KIND_TABLE,
	    view ? "views" : "tables");
}

static void
fill_asset(struct pgl_asset *a, const struct ice_target *t, const char *id,
    const char *kind, const char *location, const char *md_location)
{
	memset(a, 0, sizeof(*a));
	a->id = id;
	a->catalog = t->catalog.name;
	a->branch = t->branch;
	a->ns = t->ns;
	a->name = t->name;
	a->kind = kind;
	a->location = location;
	a->metadata_location = md_location;
	a->properties = "{}";
}

static int
create_target(struct pgl_req *r, struct ice_target *t)
{
	return (ice_body_target(r, t) == 0 && ice_name_free(r, t) ? 0 : -1);
}

/* A table being created, kept while its first file is written. */
struct table_create {
	struct ice_target	 t;
	json_t			*md;
	const char		*uuid;
	const char		*mdloc;
};

/* The first metadata file is written (or not): record the table. */
static void
table_created(struct pgl_req *r, int rc, const struct pgl_err *err,
    void *arg)
{
	struct table_create	*tc = arg;
	struct pgl_asset	 a;

	if (rc != PGL_OK) {
		ice_reply_file_error(r, err);
		json_decref(tc->md);
		return;
	}
	fill_asset(&a, &tc->t, tc->uuid, KIND_TABLE, json_string_value(
	    json_object_get(tc->md, "location")), tc->mdloc);
	if (ice_create_asset(r, &tc->t, &a, "Create", 1) == -1) {
		json_decref(tc->md);
		return;
	}
	ice_reply_created(r, &tc->t, &a, a.location, tc->md);
}

void
ice_table_create(struct pgl_req *r)
{
	struct table_create	*tc;
	struct pgl_asset	 probe;
	struct ice_err		 ierr;
	const char		*loc;
	char			 uuid[PGL_UUID_LEN + 1], fid[PGL_UUID_LEN + 1];
	char			*mdloc;
	json_t			*md;

	if ((tc = pgl_arena_alloc(r->arena, sizeof(*tc))) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	if (pgl_req_body(r, create_fields) == -1 ||
	    create_target(r, &tc->t) == -1 || (loc = ice_location(r, &tc->t,
	    pgl_json_str(r->body, "location"))) == NULL)
		return;
	/* Every table owns its files (commit/owners.h): another's place is
	 * refused before a file is written there (and a stage-create, which
	 * writes nothing, is checked here only). */
	fill_asset(&probe, &tc->t, NULL, KIND_TABLE, loc, NULL);
	if (pgl_json_str(r->body, "location") != NULL ? ice_place_check(r,
	    &tc->t.catalog, &probe, 409) == -1 : (loc = ice_place_default(r,
	    &tc->t, &probe)) == NULL)
		return;
	pgl_uuid_new(uuid);
	if ((md = ice_table_new(r->body, loc, uuid, pgl_now_ms(), &ierr)) ==
	    NULL) {
		pgl_reply_ice_error(r, ierr.status, ierr.type, "%s", ierr.msg);
		return;
	}
	/* Its properties' directories lie in its place (names.h). */
	if (ice_names_check(r, "table", md) == -1) {
		json_decref(md);
		return;
	}
	/* A restricted caller asking for the files is refused before the
	 * table exists (the policies of its namespace, or of its name); no
	 * credentials are minted for it either. */
	if (ice_storage_allowed_new(r, tc->t.catalog.name, tc->t.ns,
	    tc->t.name, md) == -1 || api_sts_prepare(r, &tc->t.catalog, loc,
	    0) == -1) {
		json_decref(md);
		return;
	}
	if (json_is_true(json_object_get(r->body, "stage-create"))) {
		/* §2.5: nothing is written and no pointer is created. */
		ice_reply_staged(r, &tc->t, loc, md);
		return;
	}
	pgl_uuid_new(fid);
	if ((mdloc = ice_table_metadata_location(md, NULL, fid)) == NULL) {
		pgl_reply_error(r, 500, "cannot name metadata file");
		json_decref(md);
		return;
	}
	tc->md = md;
	tc->uuid = pgl_arena_strdup(r->arena, uuid);
	tc->mdloc = pgl_arena_strdup(r->arena, mdloc);
	free(mdloc);
	if (tc->uuid == NULL || tc->mdloc == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		json_decref(md);
		return;
	}
	if (ice_location_allowed(r, &tc->t.catalog, tc->mdloc,
	    "the metadata location") == -1) {
		json_decref(md);
		return;
	}
	ice_write_metadata_then(r, &tc->t.catalog, tc->mdloc, md,
	    table_created, tc);
}

/*
 * Purge runs as a task (api/maintenance/purge.c): the drop answers at once,
 * the task deletes what the table's last version reached and no other
 * version keeps (a branch's copy of it shares every file).  Its id is in
 * Pangolin-Task-Id.  The pointer is already gone, so a failure to queue
 * leaves files behind, never a half-dropped table.
 */
static void
purge(struct pgl_req *r, const struct ice_target *t,
    const struct pgl_asset *a)
{
	const char	*id;
	json_t		*params;

	params = json_pack("{s:s,s:s}", "metadata_location",
	    a->metadata_location, "location", a->location != NULL ?
	    a->location : "");
	id = params != NULL ? api_task_queue(r, "purge", t, params) : NULL;
	json_decref(params);
	if (id != NULL)
		pgl_set_header(r, "pangolin-task-id", id);
	else
		pgl_reply_withdraw(r);	/* the drop itself succeeded */
}

void
ice_table_drop(struct pgl_req *r)
{
	const char		*v = pgl_query(r, "purgeRequested");
	struct ice_target	 t;
	struct pgl_asset	 a;
	int			 purging = v != NULL && strcasecmp(v, "true") == 0;

	/* Refuse a purge past the task quota before the drop, not after
	 * it: a dropped table whose purge cannot be queued leaks files. */
	if (ice_target(r, "table", &t) == -1 ||
	    ice_find_asset(r, &t, KIND_TABLE, &a) == -1 ||
	    (purging && api_task_quota(r) == -1) ||
	    ice_drop_asset(r, &a) == -1)
		return;
	if (purging)
		purge(r, &t, &a);
	else
		api_dropped_trim(r);	/* undrop: the tenant's limit */
	pgl_reply_empty(r, 204);
}

void
ice_table_unregister(struct pgl_req *r)
{
	struct ice_target	 t;
	struct pgl_asset	 a;
	json_t			*md;

	if (ice_target(r, "table", &t) == -1 ||
	    ice_find_asset(r, &t, KIND_TABLE, &a) == -1 ||
	    ice_read_metadata(r, &t.catalog,
	    a.metadata_location, 500, &md) == -1)
		return;
	if (ice_drop_asset(r, &a) == -1) {
		json_decref(md);
		return;
	}
	pgl_reply_json(r, 200, json_pack("{s:s,s:o}", "metadata-location",
	    ice_uri(r, a.metadata_location), "metadata", md));
}

struct overwrite_tx {
	struct pgl_req			*r;
	const struct pgl_asset		*old;
	const char			*location;	/* the metadata file */
	const char			*table_location;
	const struct pgl_catalog	*c;
};

static int
overwrite_in_tx(void *arg, struct pgl_err *err)
{
	struct overwrite_tx	*tx = arg;
	struct pgl_asset	 a = *tx->old;
	int			 rc;

	if ((rc = STORE(update_metadata_location, tx->r->tenant, a.catalog,
	    a.branch, a.ns, a.name, a.metadata_location, tx->location, err)) !=
	    PGL_OK)
		return (rc);
	a.metadata_location = tx->location;
	/* A file of another location moves the table there: its own place
	 * again, claimed here (commit/owners.h), and its row's location. */
	if (!ice_same_place(a.location, tx->table_location)) {
		a.location = tx->table_location;
		if ((rc = ice_place_claim(tx->r, tx->c, &a, err)) != PGL_OK ||
		    (rc = STORE(update_asset, tx->r->tenant, &a, err)) !=
		    PGL_OK)
			return (rc);
	}
	return (ice_log_commit(tx->r, a.catalog, a.branch,
	    pgl_arena_printf(tx->r->arena, "Register table %s (overwrite)",
	    ice_dotted(tx->r, a.ns, a.name)), json_pack("[o]",
	    ice_op_put(&a)), err));
}

/*
 * What a register reads first: the file named, which must lie in the
 * catalog's storage, by default in the namespace's location, and in no
 * other table's place (it would read that table's metadata as a new
 * one's: its schema, snapshots, files).  old: the table overwritten, or
 * NULL.  Its URI, or NULL after a reply.
 */
static const char *
register_source(struct pgl_req *r, const struct ice_target *t,
    const struct pgl_asset *old, const char *loc)
{
	struct pgl_asset	 probe;
	const char		*why, *uri;

	if ((why = pgl_location_check(loc)) != NULL) {
		pgl_reply_ice_error(r, 400, "BadRequestException",
		    "invalid metadata-location: %s", why);
		return (NULL);
	}
	if (!api_placement_readable(&t->catalog, loc)) {
		pgl_reply_ice_error(r, 404, "NotFoundException",
		    "metadata file not found: %.200s", loc);
		return (NULL);
	}
	if (ice_location_allowed(r, &t->catalog, loc, "metadata-location") ==
	    -1)
		return (NULL);
	if ((uri = ice_uri(r, loc)) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (NULL);
	}
	if (ice_location_in_namespace(r, t, uri, "metadata-location") == -1)
		return (NULL);
	fill_asset(&probe, t, NULL, KIND_TABLE, uri, NULL);
	probe.origin = old != NULL ? old->origin : NULL;
	return (ice_place_check(r, &t->catalog, &probe, 409) == -1 ? NULL :
	    uri);
}

/*
 * The file's own location: the table's place, which it must lie in (a
 * register brings metadata under the new table's location, never
 * another's), held to the rules of a create's location.  0 or -1 after
 * a reply.
 */
static int
register_place(struct pgl_req *r, const struct ice_target *t,
    const struct pgl_asset *old, const char *uri, const char *tl)
{
	struct pgl_asset	 probe;
	const char		*why;

	if (tl == NULL || (why = pgl_location_check(tl)) != NULL) {
		pgl_reply_ice_error(r, 400, "BadRequestException", "the "
		    "metadata's location: %s", tl == NULL ? "missing" : why);
		return (-1);
	}
	/* Credentials are scoped to the file's own location: in here too. */
	if (ice_location_allowed(r, &t->catalog, tl,
	    "the metadata's location") == -1 ||
	    ice_location_in_namespace(r, t, tl, "the metadata's location") ==
	    -1)
		return (-1);
	if (!pgl_location_within(uri, tl)) {
		pgl_reply_ice_error(r, 400, "BadRequestException",
		    "metadata-location %.160s must lie inside the table's own "
		    "location, the metadata's location %.160s", uri, tl);
		return (-1);
	}
	fill_asset(&probe, t, NULL, KIND_TABLE, tl, NULL);
	probe.origin = old != NULL ? old->origin : NULL;
	return (ice_place_check(r, &t->catalog, &probe, 409));
}

/* POST .../register: point a table at an existing metadata file (§6). */
void
ice_table_register(struct pgl_req *r)
{
	struct overwrite_tx	 otx;
	struct ice_target	 t;
	struct pgl_asset	 a, old;
	struct pgl_err		 err;
	struct ice_err		 ierr;
	const char		*loc, *tl;
	char			 id[PGL_UUID_LEN + 1];
	json_t			*raw, *md;
	int			 have_old;

	if (pgl_req_body(r, register_fields) == -1 ||
	    ice_body_target(r, &t) == -1)
		return;
	have_old = STORE(get_asset, r->arena, r->tenant, t.catalog.name,
	    t.branch, t.ns, t.name, &old, &err) == PGL_OK;
	/* Read as sent (a 404 names it so), stored and answered as a URI;
	 * "/a" names the same file. */
	loc = pgl_json_str(r->body, "metadata-location");
	if ((loc = register_source(r, &t, have_old ? &old : NULL, loc)) ==
	    NULL)
		return;
	ice_uncache(pgl_json_str(r->body, "metadata-location"));
	ice_uncache(loc);
	if (ice_read_metadata(r, &t.catalog, pgl_json_str(r->body,
	    "metadata-location"), 404, &raw) == -1)
		return;
	md = ice_table_parse(raw, &ierr);
	json_decref(raw);
	if (md != NULL && (ice_table_check_room(md, &ierr) == -1 ||
	    ice_table_check_lineage(md, &ierr) == -1)) {
		json_decref(md);
		md = NULL;
	}
	if (md == NULL) {
		pgl_reply_ice_error(r, ierr.status, ierr.type, "%s", ierr.msg);
		return;
	}
	tl = json_string_value(json_object_get(md, "location"));
	/* Its place its own, and every file it names in it (names.h): the
	 * file is read once, whole, here. */
	if (register_place(r, &t, have_old ? &old : NULL, loc, tl) == -1 ||
	    ice_names_check(r, "table", md) == -1) {
		json_decref(md);
		return;
	}
	/* Its credentials before the write: the handler may run again.
	 * A restricted caller asking for them is refused first. */
	if (ice_storage_allowed_new(r, t.catalog.name, t.ns, t.name, md) ==
	    -1 || api_sts_prepare(r, &t.catalog, tl, 0) == -1) {
		json_decref(md);
		return;
	}
	if (STORE(get_asset, r->arena, r->tenant, t.catalog.name, t.branch,
	    t.ns, t.name, &old, &err) == PGL_OK) {
		if (!json_is_true(json_object_get(r->body, "overwrite")) ||
		    strcmp(old.kind, KIND_TABLE) != 0) {
			json_decref(md);
			(void)ice_name_free(r, &t);
			return;
		}
		otx = (struct overwrite_tx){ r, &old, loc, tl, &t.catalog };
		if (ice_tx_on_branch(r, overwrite_in_tx, &otx, &err) != PGL_OK) {
			json_decref(md);
			if (r->status == 0)
				pgl_reply_store_error(r, &err);
			return;
		}
		a = old;
		a.metadata_location = loc;
		a.location = tl;
	} else {
		/* A fresh asset id: the file's table-uuid may already name
		 * another asset (the table it came from, a branch's copy). */
		pgl_uuid_new(id);
		fill_asset(&a, &t, id, KIND_TABLE, tl, loc);
		if (ice_create_asset(r, &t, &a, "Register", 0) == -1) {
			json_decref(md);
			return;
		}
	}
	ice_reply_created(r, &t, &a, tl, md);
}

/*
 * Credentials, asked for again as they near expiry: STS's keys for the
 * table from a warehouse that vends from STS (fresh ones once the cached
 * ones are past their refresh time), else the warehouse's static keys
 * for the table location's prefix; local-disk warehouses need none.
 */
void
ice_table_credentials(struct pgl_req *r)
{
	struct ice_target	 t;
	struct pgl_asset	 a;
	json_t			*cfg, *creds = json_array();

	if (ice_target(r, "table", &t) == -1 ||
	    ice_find_asset(r, &t, KIND_TABLE, &a) == -1 ||
	    ice_storage_allowed(r, &t.catalog, t.ns, t.name, &a) == -1 ||
	    api_sts_prepare(r, &t.catalog, a.location, 1) == -1) {
		json_decref(creds);
		return;
	}
	/* Local-disk tables need none: their secrets stay sealed. */
	if ((cfg = api_client_config(r, &t.catalog)) != NULL)
		json_array_append_new(creds, json_pack("{s:s,s:o}", "prefix",
		    a.location, "config", cfg));
	if (r->status == 0)
		pgl_reply_json(r, 200, json_pack("{s:o}",
		    "storage-credentials", creds));
	else
		json_decref(creds);
}
