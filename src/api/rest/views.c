/*
 * Iceberg views (iceberg-commit.md §7) as their writers change them:
 * create, replace (a view commit), drop, register.  Load and exists are
 * the read room's (read/view_load.c), listing and rename the table
 * handlers'.  Tables and views share one identifier space.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/commit/commit.h"
#include "api/commit/names.h"
#include "api/commit/owners.h"
#include "api/gate.h"
#include "api/placement/placement.h"
#include "api/read/read.h"
#include "api/target.h"
#include "api/rest/rest.h"
#include "app/app.h"
#include "iceberg/iceberg.h"
#include "storage/fileio.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/location.h"

#define KIND_VIEW	"VIEW"

static const struct pgl_jfield create_fields[] = {
	{ "name", PGL_J_STRING, 1 },
	{ "location", PGL_J_STRING, 0 },
	{ "schema", PGL_J_OBJECT, 1 },
	{ "view-version", PGL_J_OBJECT, 1 },
	{ "properties", PGL_J_STRMAP, 0 },
	{ NULL, 0, 0 }
};

static const struct pgl_jfield commit_fields[] = {
	{ "identifier", PGL_J_OBJECT, 0 },
	{ "requirements", PGL_J_ARRAY, 0 },
	{ "updates", PGL_J_ARRAY, 1 },
	{ NULL, 0, 0 }
};

static const struct pgl_jfield register_fields[] = {
	{ "name", PGL_J_STRING, 1 },
	{ "metadata-location", PGL_J_STRING, 1 },
	{ NULL, 0, 0 }
};

static void
reply_ice(struct pgl_req *r, const struct ice_err *e)
{
	pgl_reply_ice_error(r, e->status, e->type, "%s", e->msg);
}

static void
fill(struct pgl_asset *a, const struct ice_target *t, const json_t *md,
    const char *mdloc)
{
	memset(a, 0, sizeof(*a));
	a->id = json_string_value(json_object_get(md, "view-uuid"));
	a->catalog = t->catalog.name;
	a->branch = t->branch;
	a->ns = t->ns;
	a->name = t->name;
	a->kind = KIND_VIEW;
	a->location = json_string_value(json_object_get(md, "location"));
	a->metadata_location = mdloc;
	a->properties = "{}";
}

/* A view being created, kept while its first file is written. */
struct view_create {
	struct ice_target	 t;
	json_t			*md;
	const char		*mdloc;
};

/* The first metadata file is written (or not): record the view. */
static void
view_created(struct pgl_req *r, int rc, const struct pgl_err *err,
    void *arg)
{
	struct view_create	*vc = arg;
	struct pgl_asset	 a;
	json_t			*labels;

	if (rc != PGL_OK) {
		ice_reply_file_error(r, err);
		json_decref(vc->md);
		return;
	}
	fill(&a, &vc->t, vc->md, vc->mdloc);
	if (ice_create_asset(r, &vc->t, &a, "Create", 1) == -1) {
		json_decref(vc->md);
		return;
	}
	/* The result takes md (and the labels). */
	if (ice_labels(r, &a, NULL, NULL, &labels) == -1) {
		json_decref(vc->md);
		return;
	}
	pgl_reply_json(r, 200, ice_view_result(a.metadata_location, vc->md,
	    labels));
}

void
ice_view_create(struct pgl_req *r)
{
	struct view_create	*vc;
	struct pgl_asset	 probe;
	struct ice_err		 ierr;
	char			 uuid[PGL_UUID_LEN + 1], fid[PGL_UUID_LEN + 1];
	const char		*loc;
	char			*mdloc;
	json_t			*md;

	if ((vc = pgl_arena_alloc(r->arena, sizeof(*vc))) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	if (pgl_req_body(r, create_fields) == -1 ||
	    ice_body_target(r, &vc->t) == -1 ||
	    !ice_name_free(r, &vc->t) || (loc = ice_location(r, &vc->t,
	    pgl_json_str(r->body, "location"))) == NULL)
		return;
	/* A view owns its location as a table does (commit/owners.h). */
	memset(&probe, 0, sizeof(probe));
	probe.catalog = vc->t.catalog.name;
	probe.branch = vc->t.branch;
	probe.ns = vc->t.ns;
	probe.name = vc->t.name;
	probe.kind = KIND_VIEW;
	probe.location = loc;
	if (pgl_json_str(r->body, "location") != NULL ? ice_place_check(r,
	    &vc->t.catalog, &probe, 409) == -1 : (loc = ice_place_default(r,
	    &vc->t, &probe)) == NULL)
		return;
	pgl_uuid_new(uuid);
	if ((md = ice_view_new(r->body, loc, uuid, pgl_now_ms(), &ierr)) ==
	    NULL) {
		reply_ice(r, &ierr);
		return;
	}
	/* write.metadata.path lies in its place (commit/names.h). */
	if (ice_names_check(r, "view", md) == -1) {
		json_decref(md);
		return;
	}
	pgl_uuid_new(fid);
	if ((mdloc = ice_view_metadata_location(md, NULL, fid)) == NULL) {
		pgl_reply_error(r, 500, "cannot name metadata file");
		json_decref(md);
		return;
	}
	vc->md = md;
	vc->mdloc = pgl_arena_strdup(r->arena, mdloc);
	free(mdloc);
	if (vc->mdloc == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		json_decref(md);
		return;
	}
	if (ice_location_allowed(r, &vc->t.catalog, vc->mdloc,
	    "the metadata location") == -1) {
		json_decref(md);
		return;
	}
	ice_write_metadata_then(r, &vc->t.catalog, vc->mdloc, md,
	    view_created, vc);
}

void
ice_view_drop(struct pgl_req *r)
{
	struct ice_target	t;
	struct pgl_asset	a;

	if (ice_target(r, "view", &t) == 0 &&
	    ice_find_asset(r, &t, KIND_VIEW, &a) == 0 &&
	    ice_drop_asset(r, &a) == 0) {
		api_dropped_trim(r);	/* undrop: the tenant's limit */
		pgl_reply_empty(r, 204);
	}
}

static json_t *
view_apply(struct ice_change *c, int64_t now_ms, struct ice_err *ierr)
{
	if (ice_view_check(c->base, c->requirements, ierr) == -1)
		return (NULL);
	return (ice_view_apply(c->base, c->updates,
	    c->asset.metadata_location, now_ms, ierr));
}

static void
view_no_location(struct pgl_req *r)
{
	pgl_reply_error(r, 500, "cannot name metadata file");
}

/* Views keep no metadata-log: nothing to clean up after a commit. */
const struct ice_commit_kind ice_kind_view = {
	.asset = KIND_VIEW,
	.noun = "view",
	.verb = "Replace view",
	.apply = view_apply,
	.unchanged = ice_view_unchanged,
	.location = ice_view_metadata_location,
	.no_location = view_no_location,
	.cleanup = 0,
	.entries_kept = 0,
};

/* POST .../views/{view}: a view commit, through the one commit loop. */
void
ice_view_commit(struct pgl_req *r)
{
	struct ice_change	c;

	memset(&c, 0, sizeof(c));
	c.kind = &ice_kind_view;
	if (pgl_req_body(r, commit_fields) == -1 ||
	    ice_target(r, "view", &c.t) == -1)
		return;
	c.requirements = json_object_get(r->body, "requirements");
	c.updates = json_object_get(r->body, "updates");
	ice_commit_serve(r, &c, 1);
}

/*
 * A register's file: in the catalog's storage, by default in the
 * namespace's location, in no other table's or view's place; and the
 * view's own location (the file's) holding it, held to a create's
 * rules (commit/owners.h).  0 or -1 after a reply.
 */
static int
register_checked(struct pgl_req *r, const struct ice_target *t,
    const char *uri, const char *vl)
{
	struct pgl_asset	 probe;
	const char		*why;

	memset(&probe, 0, sizeof(probe));
	probe.catalog = t->catalog.name;
	probe.branch = t->branch;
	probe.ns = t->ns;
	probe.name = t->name;
	probe.kind = KIND_VIEW;
	probe.location = uri;
	if (vl == NULL) {
		if (ice_location_in_namespace(r, t, uri,
		    "metadata-location") == -1)
			return (-1);
		return (ice_place_check(r, &t->catalog, &probe, 409));
	}
	if ((why = pgl_location_check(vl)) != NULL) {
		pgl_reply_ice_error(r, 400, "BadRequestException", "the "
		    "metadata's location: %s", why);
		return (-1);
	}
	if (ice_location_allowed(r, &t->catalog, vl,
	    "the metadata's location") == -1 ||
	    ice_location_in_namespace(r, t, vl, "the metadata's location") ==
	    -1)
		return (-1);
	if (!pgl_location_within(uri, vl)) {
		pgl_reply_ice_error(r, 400, "BadRequestException",
		    "metadata-location %.160s must lie inside the view's own "
		    "location, the metadata's location %.160s", uri, vl);
		return (-1);
	}
	probe.location = vl;
	return (ice_place_check(r, &t->catalog, &probe, 409));
}

void
ice_view_register(struct pgl_req *r)
{
	struct ice_target	 t;
	struct pgl_asset	 a;
	struct ice_err		 ierr;
	const char		*loc, *uri, *why;
	char			 id[PGL_UUID_LEN + 1];
	json_t			*raw, *md, *labels;

	if (pgl_req_body(r, register_fields) == -1 ||
	    ice_body_target(r, &t) == -1 ||
	    !ice_name_free(r, &t))
		return;
	loc = pgl_json_str(r->body, "metadata-location");
	if ((why = pgl_location_check(loc)) != NULL) {
		pgl_reply_ice_error(r, 400, "BadRequestException",
		    "invalid metadata-location: %s", why);
		return;
	}
	if (!api_placement_readable(&t.catalog, loc)) {
		pgl_reply_ice_error(r, 404, "NotFoundException",
		    "metadata file not found: %.200s", loc);
		return;
	}
	if (ice_location_allowed(r, &t.catalog, loc, "metadata-location") ==
	    -1)
		return;
	/* Read as sent (a 404 names it so), stored and answered as a URI;
	 * "/a" names the same file. */
	if ((uri = ice_uri(r, loc)) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	if (register_checked(r, &t, uri, NULL) == -1)
		return;
	ice_uncache(loc);
	ice_uncache(uri);
	if (ice_read_metadata(r, &t.catalog, loc, 404, &raw) ==
	    -1)
		return;
	loc = uri;
	md = ice_view_parse(raw, &ierr);
	json_decref(raw);
	if (md == NULL) {
		reply_ice(r, &ierr);
		return;
	}
	fill(&a, &t, md, loc);
	if (register_checked(r, &t, loc, a.location) == -1 ||
	    ice_names_check(r, "view", md) == -1) {
		json_decref(md);
		return;
	}
	/* A fresh asset id: the file's view-uuid may name a live view. */
	pgl_uuid_new(id);
	a.id = id;
	if (ice_create_asset(r, &t, &a, "Register", 0) == -1 ||
	    ice_labels(r, &a, NULL, NULL, &labels) == -1) {
		json_decref(md);
		return;
	}
	pgl_reply_json(r, 200, ice_view_result(loc, md, labels));
}
