/*
 * Renaming a table or a view (POST /v1/{prefix}/tables/rename and
 * /views/rename; iceberg-commit.md §6, §7.4): the asset row moved and a
 * catalog commit recorded on its branch in one transaction, with its
 * change event; a table's data policies follow it (issue 46).
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/commit/commit.h"
#include "api/commit/owners.h"
#include "api/commit/policy_follow.h"
#include "api/events/event_note.h"
#include "api/read/read.h"
#include "api/rest/rest.h"
#include "api/target.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"

#define KIND_TABLE	"ICEBERG_TABLE"
#define KIND_VIEW	"VIEW"

static const struct pgl_jfield rename_fields[] = {
	{ "source", PGL_J_OBJECT, 1 },
	{ "destination", PGL_J_OBJECT, 1 },
	{ NULL, 0, 0 }
};

static void
note_rename(struct pgl_req *r, const struct pgl_asset *src,
    const struct ice_target *dst)
{
	struct pgl_event_input	in;

	memset(&in, 0, sizeof(in));
	in.operation_type = strcmp(src->kind, "VIEW") == 0 ? "rename-view" :
	    "rename-table";
	in.catalog = src->catalog;
	in.branch = src->branch;
	in.ns = src->ns;
	in.name = src->name;
	in.dest_ns = dst->ns;
	in.dest_name = dst->name;
	in.uuid = src->id;
	api_event_note(r, &in);
}

struct rename_tx {
	struct pgl_req		*r;
	const struct pgl_asset	*src;
	const struct ice_target	*dst;
};

static int
rename_in_tx(void *arg, struct pgl_err *err)
{
	struct rename_tx	*tx = arg;
	struct pgl_asset	 moved = *tx->src;
	int			 rc;

	if ((rc = STORE(rename_asset, tx->r->tenant, tx->src->catalog,
	    tx->src->branch, tx->src->ns, tx->src->name, tx->dst->ns,
	    tx->dst->name, err)) != PGL_OK)
		return (rc);
	moved.ns = tx->dst->ns;
	moved.name = tx->dst->name;
	/* Its place stays its own under the new name (commit/owners.h):
	 * the same asset on other branches is itself, another of the new
	 * name there the same object to the catalog's grants. */
	if ((rc = ice_place_claim(tx->r, &tx->dst->catalog, &moved, err)) !=
	    PGL_OK)
		return (rc);
	/* Data policies (issue 46): a table's follow it to its new name. */
	if (strcmp(tx->src->kind, KIND_TABLE) == 0 &&
	    (rc = ice_policies_follow_rename(tx->r, tx->src->catalog,
	    tx->src->branch, tx->src->id, tx->src->ns, tx->src->name,
	    tx->dst->ns, tx->dst->name, err)) != PGL_OK)
		return (rc);
	note_rename(tx->r, tx->src, tx->dst);
	return (ice_log_commit(tx->r, tx->src->catalog, tx->src->branch,
	    pgl_arena_printf(tx->r->arena, "Rename %s to %s",
	    ice_dotted(tx->r, tx->src->ns, tx->src->name),
	    ice_dotted(tx->r, tx->dst->ns, tx->dst->name)),
	    json_pack("[oo]", ice_op_delete(tx->src->ns, tx->src->name),
	    ice_op_put(&moved)), err));
}

/* A TableIdentifier {namespace, name}; the name may carry @branch. */
static int
identifier(struct pgl_req *r, const json_t *id, struct ice_target *t)
{
	const char	*name;
	char		*copy, *at;

	name = pgl_json_str(id, "name");
	if (name == NULL || ice_ns_from_json(r, json_object_get(id,
	    "namespace"), &t->ns) == -1) {
		if (r->status == 0)
			pgl_reply_ice_error(r, 400, "BadRequestException",
			    "identifier needs namespace and name");
		return (-1);
	}
	copy = pgl_arena_strdup(r->arena, name);
	if ((at = strrchr(copy, '@')) != NULL) {
		*at++ = '\0';
		if (pgl_req_name(r, "branch", at) == -1)
			return (-1);
		t->branch = at;
	} else {
		t->branch = ICE_DEFAULT_BRANCH;
	}
	if (pgl_req_name(r, "name", copy) == -1)
		return (-1);
	t->name = copy;
	return (0);
}

/* POST /v1/{prefix}/tables/rename and /views/rename (§6, §7.4). */
void
ice_table_rename(struct pgl_req *r)
{
	struct ice_target	 src, dst;
	struct rename_tx	 tx;
	struct pgl_asset	 a;
	struct pgl_err		 err;
	const char		*kind;

	kind = strstr(r->match.route->path, "/views/") != NULL ? KIND_VIEW :
	    KIND_TABLE;
	if (pgl_req_body(r, rename_fields) == -1 || ice_catalog(r,
	    &src.catalog) == -1)
		return;
	dst.catalog = src.catalog;
	if (identifier(r, json_object_get(r->body, "source"), &src) == -1 ||
	    identifier(r, json_object_get(r->body, "destination"), &dst) == -1)
		return;
	if (strcmp(src.branch, dst.branch) != 0) {
		pgl_reply_ice_error(r, 400, "BadRequestException",
		    "rename cannot move a %s between branches",
		    strcmp(kind, KIND_VIEW) == 0 ? "view" : "table");
		return;
	}
	if (ice_find_asset(r, &src, kind, &a) == -1)
		return;
	if (strcmp(src.ns, dst.ns) == 0 && strcmp(src.name, dst.name) == 0) {
		pgl_reply_empty(r, 204);
		return;
	}
	if (!ice_ns_exists(r, dst.catalog.name, dst.ns) ||
	    !ice_name_free(r, &dst))
		return;
	tx = (struct rename_tx){ r, &a, &dst };
	if (ice_tx_on_branch(r, rename_in_tx, &tx, &err) != PGL_OK) {
		if (err.code == PGL_EEXISTS)
			(void)ice_name_free(r, &dst);
		if (r->status == 0)
			pgl_reply_store_error(r, &err);
		return;
	}
	pgl_reply_empty(r, 204);
}
