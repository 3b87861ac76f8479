/*
 * The asset rows behind Iceberg tables and views as their writers change
 * them: check a name is free (tables and views share one identifier
 * space), resolve the target a create body names, and create or drop a
 * row with its catalog commit in one store transaction, its place
 * claimed there (commit/owners.h, where locations are decided).  Finding
 * one is the read room's (read/assets.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/gate.h"
#include "api/events/event_note.h"
#include "api/target.h"
#include "api/commit/commit.h"
#include "api/commit/dropped.h"
#include "api/commit/owners.h"
#include "api/read/read.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/location.h"
#include "util/names.h"

#define KIND_VIEW	"VIEW"
#define KIND_FUNCTION	"FUNCTION"

/* Tables, views and functions share one identifier space (409 either
 * way). */
int
ice_name_free(struct pgl_req *r, const struct ice_target *t)
{
	struct pgl_asset	a;
	struct pgl_err		err;

	if (STORE(get_asset, r->arena, r->tenant, t->catalog.name, t->branch,
	    t->ns, t->name, &a, &err) == PGL_OK) {
		pgl_reply_ice_error(r, 409, strcmp(a.kind, KIND_FUNCTION) ==
		    0 ? "FunctionAlreadyExistsException" :
		    "AlreadyExistsException", "%s with same name already "
		    "exists: %s", strcmp(a.kind, KIND_VIEW) == 0 ? "View" :
		    strcmp(a.kind, KIND_FUNCTION) == 0 ? "Function" : "Table",
		    ice_dotted(r, t->ns, t->name));
		return (0);
	}
	if (err.code != PGL_ENOTFOUND) {
		pgl_reply_store_error(r, &err);
		return (0);
	}
	return (1);
}

/* An asset's change event: the asset's identity and its new file. */
static void
note_asset(struct pgl_req *r, const struct pgl_asset *a, const char *branch,
    const char *type, int purge)
{
	struct pgl_event_input	in;
	json_t			*payload = NULL;

	memset(&in, 0, sizeof(in));
	in.operation_type = type;
	in.catalog = a->catalog;
	in.branch = branch;
	in.ns = a->ns;
	in.name = a->name;
	in.uuid = a->id;
	in.metadata_location = a->metadata_location;
	in.purge = purge;
	/* A function's (x-pangolin.*-function) carries its uuid as payload. */
	if (strcmp(a->kind, KIND_FUNCTION) == 0) {
		/* Its first row's id, which a branch's copy keeps. */
		in.payload = payload = json_pack("{s:s}", "function-uuid",
		    a->origin != NULL ? a->origin : a->id);
		in.purge = 0;
	}
	api_event_note(r, &in);
	json_decref(payload);
}

/* "Create" or "Register", a table or a view. */
static const char *
create_type(const struct pgl_asset *a, const char *verb)
{
	int	view = strcmp(a->kind, KIND_VIEW) == 0;

	if (strcmp(a->kind, KIND_FUNCTION) == 0)
		return ("x-pangolin.create-function");
	if (strcmp(verb, "Register") == 0)
		return (view ? "x-pangolin.register-view" : "register-table");
	return (view ? "create-view" : "create-table");
}

struct create_tx {
	struct pgl_req			*r;
	struct pgl_asset		*a;
	const char			*branch;
	const char			*verb;
	int				 created;	/* create_asset succeeded
							 * once */
	const struct pgl_catalog	*c;
};

/*
 * A store without transactions keeps the row of an attempt that then lost
 * the branch head; the attempt after it finds the row: ours if it names
 * our metadata file (a fresh UUID), and only the commit is left to record.
 */
static int
create_row(struct create_tx *tx, struct pgl_err *err)
{
	struct pgl_asset	had;
	struct pgl_err		gerr;
	int			rc;

	rc = STORE(create_asset, tx->r->tenant, tx->a, err);
	if (rc != PGL_EEXISTS || !tx->created ||
	    tx->a->metadata_location == NULL)
		return (rc);
	if (STORE(get_asset, tx->r->arena, tx->r->tenant, tx->a->catalog,
	    tx->branch, tx->a->ns, tx->a->name, &had, &gerr) != PGL_OK ||
	    had.metadata_location == NULL ||
	    strcmp(had.metadata_location, tx->a->metadata_location) != 0)
		return (rc);
	return (PGL_OK);
}

static int
create_in_tx(void *arg, struct pgl_err *err)
{
	struct create_tx	*tx = arg;
	char			*msg;
	int			 rc;

	/* Every table owns its files (commit/owners.h): its place is its
	 * own, claimed in this transaction. */
	if ((rc = ice_place_claim(tx->r, tx->c, tx->a, err)) != PGL_OK ||
	    (rc = create_row(tx, err)) != PGL_OK)
		return (rc);
	tx->created = 1;
	note_asset(tx->r, tx->a, tx->branch, create_type(tx->a, tx->verb), 0);
	msg = pgl_arena_printf(tx->r->arena, "%s %s %s", tx->verb,
	    ice_asset_noun(tx->a->kind), ice_dotted(tx->r, tx->a->ns,
	    tx->a->name));
	return (ice_log_commit(tx->r, tx->a->catalog, tx->branch, msg,
	    json_pack("[o]", ice_op_put(tx->a)), err));
}

/*
 * Register the asset row and its commit; on a lost race for the name the
 * file just written is deleted and the client gets 409 (a race for the
 * branch head alone is run again, ice_tx_on_branch).
 */
int
ice_create_asset(struct pgl_req *r, const struct ice_target *t,
    struct pgl_asset *a, const char *verb, int delete_on_conflict)
{
	struct create_tx	tx = { r, a, t->branch, verb, 0, &t->catalog };
	struct pgl_err		err;
	int			rc;

	if ((rc = ice_tx_on_branch(r, create_in_tx, &tx, &err)) == PGL_OK)
		return (0);
	if (rc == PGL_TX_UNKNOWN) {
		ice_reply_unknown(r, &err);
		return (-1);
	}
	/* Once a row was made, a store without transactions may have kept
	 * it: its file must stay (orphan removal finds it if not).  One
	 * whose rollback undoes every write kept nothing. */
	if (delete_on_conflict && a->metadata_location != NULL &&
	    (!tx.created || api_store_atomic()))
		ice_delete_file(r, &t->catalog, a->metadata_location);
	if (r->status != 0)
		return (-1);	/* the place is another's: replied */
	if (err.code == PGL_EEXISTS && strcmp(a->kind, KIND_FUNCTION) == 0)
		pgl_reply_ice_error(r, 409, "FunctionAlreadyExistsException",
		    "Function was created concurrently: %s", ice_dotted(r,
		    t->ns, t->name));
	else if (err.code == PGL_EEXISTS)
		pgl_reply_ice_error(r, 409, "AlreadyExistsException",
		    "Table was created concurrently: %s", ice_dotted(r, t->ns,
		    t->name));
	else if (err.code == PGL_ENOTFOUND)
		pgl_reply_ice_error(r, 404, "NoSuchNamespaceException",
		    "Namespace or branch does not exist: %s", t->ns);
	else
		pgl_reply_store_error(r, &err);
	return (-1);
}

/*
 * The target named by the body's `name` (which may carry @branch; then
 * ?branch=, create only, §3.4) in an existing namespace and branch.
 */
int
ice_body_target(struct pgl_req *r, struct ice_target *t)
{
	const char	*name = pgl_json_str(r->body, "name"), *q;
	char		*copy, *at;

	if (ice_target(r, NULL, t) == -1)
		return (-1);
	if ((copy = pgl_arena_strdup(r->arena, name)) == NULL)
		return (-1);
	if ((at = strrchr(copy, '@')) != NULL) {
		*at++ = '\0';
		if (pgl_req_name(r, "branch", at) == -1)
			return (-1);
		t->branch = at;
	} else if (strstr(pgl_param(r, "namespace"), "@") == NULL &&
	    (q = pgl_query(r, "branch")) != NULL) {
		if (pgl_req_name(r, "branch", q) == -1)
			return (-1);
		t->branch = q;
	}
	if (pgl_req_name(r, "name", copy) == -1)
		return (-1);
	t->name = copy;
	return (ice_ns_exists(r, t->catalog.name, t->ns) &&
	    ice_branch_exists(r, t) ? 0 : -1);
}

/* The unregister route shares the drop's handler; its rule's audit name
 * tells them apart. */
static int
unregister_asked(struct pgl_req *r)
{
	const char	*audit = r->app != NULL && r->app->rule != NULL ?
	    r->app->rule->audit : NULL;

	return (audit != NULL && strcmp(audit, "unregister_table") == 0);
}

/* A table's drop by DELETE, or its unregister (which keeps its files). */
static const char *
drop_type(struct pgl_req *r, const struct pgl_asset *a)
{
	if (strcmp(a->kind, KIND_VIEW) == 0)
		return ("drop-view");
	if (strcmp(a->kind, KIND_FUNCTION) == 0)
		return ("x-pangolin.drop-function");
	if (unregister_asked(r))
		return ("x-pangolin.unregister-table");
	return ("drop-table");
}

static int
purge_asked(struct pgl_req *r)
{
	const char	*v = pgl_query(r, "purgeRequested");

	return (v != NULL && strcasecmp(v, "true") == 0);
}

struct drop_tx {
	struct pgl_req		*r;
	const struct pgl_asset	*a;
	const char		*dropped_id;	/* kept recoverable as */
};

static int
drop_in_tx(void *arg, struct pgl_err *err)
{
	struct drop_tx	*tx = arg;
	const char	*what, *type, *tags = NULL;
	int		 rc, keep;

	/* Undrop (commit/dropped.c): a drop that neither purges nor
	 * unregisters stays recoverable, its entry written here, with the
	 * column tags read before the row (and they with it) goes. */
	type = drop_type(tx->r, tx->a);
	keep = !purge_asked(tx->r) && (strcmp(tx->a->kind, KIND_VIEW) == 0 ||
	    strcmp(tx->a->kind, KIND_FUNCTION) == 0 ||
	    !unregister_asked(tx->r));
	if (keep && (rc = ice_undrop_tags(tx->r, tx->a, &tags, err)) !=
	    PGL_OK)
		return (rc);
	if ((rc = STORE(delete_asset, tx->r->tenant, tx->a->catalog,
	    tx->a->branch, tx->a->ns, tx->a->name, err)) != PGL_OK)
		return (rc);
	if (keep && (rc = ice_undrop_keep(tx->r, tx->a, tags,
	    &tx->dropped_id, err)) != PGL_OK)
		return (rc);
	what = ice_asset_noun(tx->a->kind);
	note_asset(tx->r, tx->a, tx->a->branch, type, purge_asked(tx->r));
	return (ice_log_commit(tx->r, tx->a->catalog, tx->a->branch,
	    pgl_arena_printf(tx->r->arena, "Drop %s %s", what,
	    ice_dotted(tx->r, tx->a->ns, tx->a->name)),
	    json_pack("[o]", ice_op_delete(tx->a->ns, tx->a->name)), err));
}

/* Remove the pointer (and record the commit); replies on failure. */
int
ice_drop_asset(struct pgl_req *r, const struct pgl_asset *a)
{
	struct drop_tx	tx = { r, a, NULL };
	struct pgl_err	err;

	if (ice_tx_on_branch(r, drop_in_tx, &tx, &err) == PGL_OK) {
		if (tx.dropped_id != NULL)
			pgl_set_header(r, "pangolin-dropped-id", tx.dropped_id);
		return (0);
	}
	if (err.code == PGL_ENOTFOUND && strcmp(a->kind, KIND_FUNCTION) == 0)
		pgl_reply_ice_error(r, 404, "NoSuchFunctionException",
		    "Function does not exist: %s", ice_dotted(r, a->ns,
		    a->name));
	else if (err.code == PGL_ENOTFOUND)
		pgl_reply_ice_error(r, 404, "NoSuchTableException",
		    "Table does not exist: %s", ice_dotted(r, a->ns, a->name));
	else
		pgl_reply_store_error(r, &err);
	return (-1);
}

