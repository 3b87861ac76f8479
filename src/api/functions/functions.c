/*
 * A SQL function's create, replace, load, exists and drop (functions.h).
 *
 * Create (POST .../functions, PR 17966's CreateFunctionRequest: name,
 * definitions, and the metadata's doc, secure, properties, location)
 * builds the metadata with what the server assigns (iceberg/function.c),
 * writes its first file and records the asset with its catalog commit
 * and its change event in one transaction, as a view's create does; a
 * name taken is 409 (FunctionAlreadyExistsException for a function).
 * The proposal has no update yet: ?replace=true is Pangolin's CREATE OR
 * REPLACE, which appends the request's definitions to the function's as
 * new versions (a new signature as a new definition) and one entry to
 * its definition-log, writes the next file and swaps the pointer (a CAS:
 * a replace that lost a race is 409 CommitFailedException, the client
 * sends it again).  A replace needs update on the function, beyond the
 * route's create on the namespace.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/commit/commit.h"
#include "api/commit/owners.h"
#include "api/events/event_note.h"
#include "api/functions/functions.h"
#include "api/gate.h"
#include "api/read/read.h"
#include "api/target.h"
#include "api/tasks/dropped_expiry.h"
#include "app/app.h"
#include "iceberg/iceberg.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/uuid.h"

static const struct pgl_jfield create_fields[] = {
	{ "name", PGL_J_STRING, 1 },
	{ "definitions", PGL_J_ARRAY, 1 },
	{ "location", PGL_J_STRING, 0 },
	{ "properties", PGL_J_STRMAP, 0 },
	{ "doc", PGL_J_STRING, 0 },
	{ "secure", PGL_J_BOOL, 0 },
	{ NULL, 0, 0 }
};

/* LoadFunctionResult; md is stolen. */
static json_t *
load_result(const char *location, json_t *md)
{
	return (json_pack("{s:s,s:o}", "metadata-location", location,
	    "metadata", md));
}

static void
reply_ice(struct pgl_req *r, const struct ice_err *e)
{
	pgl_reply_ice_error(r, e->status, e->type, "%s", e->msg);
}

/* A function being created or replaced, kept while its file is written. */
struct fn_write {
	struct ice_target	 t;
	struct pgl_asset	 a;	/* the row: a replace's base */
	json_t			*md;
	const char		*mdloc;
	int			 replace;
};

/* The next file's name after base (NULL: the first); -1 replied. */
static int
name_file(struct pgl_req *r, struct fn_write *fw, const char *base)
{
	char	 fid[PGL_UUID_LEN + 1], *loc;

	pgl_uuid_new(fid);
	if ((loc = ice_function_metadata_location(fw->md, base, fid)) ==
	    NULL) {
		pgl_reply_error(r, 500, "cannot name metadata file");
		return (-1);
	}
	fw->mdloc = pgl_arena_strdup(r->arena, loc);
	free(loc);
	if (fw->mdloc == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	return (ice_location_allowed(r, &fw->t.catalog, fw->mdloc,
	    "the metadata location"));
}

/* The replace's swap, its event and its catalog commit, in one tx. */
static int
replace_in_tx(void *arg, struct pgl_err *err)
{
	struct pgl_req		*r = ((void **)arg)[0];
	struct fn_write		*fw = ((void **)arg)[1];
	struct pgl_event_input	 in;
	struct pgl_asset	 next = fw->a;
	json_t			*payload;
	int			 rc;

	api_event_reset(r);
	if ((rc = STORE(update_metadata_location, r->tenant, fw->a.catalog,
	    fw->a.branch, fw->a.ns, fw->a.name, fw->a.metadata_location,
	    fw->mdloc, err)) != PGL_OK)
		return (rc);
	next.metadata_location = fw->mdloc;
	memset(&in, 0, sizeof(in));
	in.operation_type = "x-pangolin.replace-function";
	in.catalog = fw->a.catalog;
	in.branch = fw->a.branch;
	in.ns = fw->a.ns;
	in.name = fw->a.name;
	in.uuid = fw->a.id;
	in.metadata_location = fw->mdloc;
	in.payload = payload = json_pack("{s:s}", "function-uuid",
	    json_string_value(json_object_get(fw->md, "function-uuid")));
	api_event_note(r, &in);
	json_decref(payload);
	return (ice_log_commit(r, fw->a.catalog, fw->a.branch,
	    pgl_arena_printf(r->arena, "Replace function %s", ice_dotted(r,
	    fw->a.ns, fw->a.name)), json_pack("[o]", ice_op_put(&next)),
	    err));
}

static void
replaced(struct pgl_req *r, struct fn_write *fw)
{
	struct pgl_err	 err;
	void		*arg[2] = { r, fw };
	int		 rc;

	memset(&err, 0, sizeof(err));
	if ((rc = ice_tx_on_branch(r, replace_in_tx, arg, &err)) == PGL_OK) {
		pgl_reply_json(r, 200, load_result(fw->mdloc, fw->md));
		return;
	}
	json_decref(fw->md);
	if (rc == PGL_TX_UNKNOWN) {
		ice_reply_unknown(r, &err);
		return;
	}
	ice_delete_file(r, &fw->t.catalog, fw->mdloc);
	if (err.code == PGL_ECONFLICT || err.code == PGL_ENOTFOUND)
		pgl_reply_ice_error(r, 409, "CommitFailedException",
		    "Function %s changed (or was dropped) while it was "
		    "replaced: send the replace again", ice_dotted(r, fw->t.ns,
		    fw->t.name));
	else
		pgl_reply_store_error(r, &err);
}

/* The file is written (or not): record the function, or swap to it. */
static void
written(struct pgl_req *r, int rc, const struct pgl_err *err, void *arg)
{
	struct fn_write	*fw = arg;

	if (rc != PGL_OK) {
		ice_reply_file_error(r, err);
		json_decref(fw->md);
		return;
	}
	if (fw->replace) {
		replaced(r, fw);
		return;
	}
	fw->a.metadata_location = fw->mdloc;
	if (ice_create_asset(r, &fw->t, &fw->a, "Create", 1) == -1) {
		json_decref(fw->md);
		return;
	}
	pgl_reply_json(r, 200, load_result(fw->mdloc, fw->md));
}

/* A new function's place, metadata and first file. */
static void
create_new(struct pgl_req *r, struct fn_write *fw)
{
	struct ice_err	 ierr;
	char		 uuid[PGL_UUID_LEN + 1];
	const char	*asked = pgl_json_str(r->body, "location"), *loc;

	if (!ice_name_free(r, &fw->t) ||
	    (loc = ice_location(r, &fw->t, asked)) == NULL)
		return;
	pgl_uuid_new(uuid);
	memset(&fw->a, 0, sizeof(fw->a));
	fw->a.catalog = fw->t.catalog.name;
	fw->a.branch = fw->t.branch;
	fw->a.ns = fw->t.ns;
	fw->a.name = fw->t.name;
	fw->a.kind = FN_KIND;
	fw->a.properties = "{}";
	fw->a.location = loc;
	/* In no table's or view's place (commit/owners.h). */
	if (asked != NULL ? ice_place_check(r, &fw->t.catalog, &fw->a, 409) ==
	    -1 : (loc = ice_place_default(r, &fw->t, &fw->a)) == NULL)
		return;
	fw->a.location = loc;
	if ((fw->a.id = pgl_arena_strdup(r->arena, uuid)) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	if ((fw->md = ice_function_new(r->body, loc, uuid, pgl_now_ms(),
	    &ierr)) == NULL) {
		reply_ice(r, &ierr);
		return;
	}
	if (name_file(r, fw, NULL) == -1) {
		json_decref(fw->md);
		return;
	}
	ice_write_metadata_then(r, &fw->t.catalog, fw->mdloc, fw->md,
	    written, fw);
}

/* The function's next metadata, its versions appended. */
static void
replace_existing(struct pgl_req *r, struct fn_write *fw)
{
	struct ice_err	 ierr;
	json_t		*base;

	if (pgl_json_str(r->body, "location") != NULL) {
		pgl_reply_ice_error(r, 400, "BadRequestException", "a replace "
		    "keeps the function's location: leave out \"location\"");
		return;
	}
	if (api_require(r, PGL_ACT_UPDATE, &(struct pgl_target){
	    fw->t.catalog.id, fw->t.ns, fw->a.id, NULL, 0, 0 }) == -1 ||
	    ice_read_metadata(r, &fw->t.catalog, fw->a.metadata_location, 500,
	    &base) == -1)
		return;
	fw->md = ice_function_replace(base, r->body, pgl_now_ms(), &ierr);
	json_decref(base);
	if (fw->md == NULL) {
		reply_ice(r, &ierr);
		return;
	}
	fw->replace = 1;
	if (name_file(r, fw, fw->a.metadata_location) == -1) {
		json_decref(fw->md);
		return;
	}
	ice_write_metadata_then(r, &fw->t.catalog, fw->mdloc, fw->md,
	    written, fw);
}

static int
replace_asked(struct pgl_req *r)
{
	const char	*v = pgl_query(r, "replace");

	return (v != NULL && strcasecmp(v, "true") == 0);
}

void
ice_function_create(struct pgl_req *r)
{
	struct fn_write	*fw;
	struct pgl_err	 err;
	int		 rc;

	if ((fw = pgl_arena_alloc(r->arena, sizeof(*fw))) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	memset(fw, 0, sizeof(*fw));
	if (pgl_req_body(r, create_fields) == -1 ||
	    ice_body_target(r, &fw->t) == -1)
		return;
	if (!replace_asked(r)) {
		create_new(r, fw);
		return;
	}
	/* CREATE OR REPLACE: a function there is replaced, else created;
	 * a table's or view's name stays theirs (create_new's 409). */
	rc = STORE(get_asset, r->arena, r->tenant, fw->t.catalog.name,
	    fw->t.branch, fw->t.ns, fw->t.name, &fw->a, &err);
	if (rc == PGL_OK && strcmp(fw->a.kind, FN_KIND) == 0) {
		api_audit_about(r, fw->a.id, ice_dotted(r, fw->t.ns,
		    fw->t.name));
		replace_existing(r, fw);
		return;
	}
	if (rc != PGL_OK && err.code != PGL_ENOTFOUND) {
		pgl_reply_store_error(r, &err);
		return;
	}
	create_new(r, fw);
}

void
ice_function_load(struct pgl_req *r)
{
	struct ice_target	 t;
	struct pgl_asset	 a;
	json_t			*md;

	if (ice_target(r, "function", &t) == -1 ||
	    !ice_ns_exists(r, t.catalog.name, t.ns) ||
	    ice_find_asset(r, &t, FN_KIND, &a) == -1 ||
	    ice_read_metadata(r, &t.catalog, a.metadata_location, 500,
	    &md) == -1)
		return;
	pgl_reply_json(r, 200, load_result(ice_uri(r, a.metadata_location),
	    md));
}

void
ice_function_head(struct pgl_req *r)
{
	struct ice_target	t;
	struct pgl_asset	a;

	if (ice_target(r, "function", &t) == 0 &&
	    ice_ns_exists(r, t.catalog.name, t.ns) &&
	    ice_find_asset(r, &t, FN_KIND, &a) == 0)
		pgl_reply_empty(r, 204);
}

void
ice_function_drop(struct pgl_req *r)
{
	struct ice_target	t;
	struct pgl_asset	a;

	if (ice_target(r, "function", &t) == 0 &&
	    ice_ns_exists(r, t.catalog.name, t.ns) &&
	    ice_find_asset(r, &t, FN_KIND, &a) == 0 &&
	    ice_drop_asset(r, &a) == 0) {
		api_dropped_trim(r);	/* undrop: the tenant's limit */
		pgl_reply_empty(r, 204);
	}
}
