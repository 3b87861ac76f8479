/*
 * Completing a merge (api/branching/merge.h): every asset change of the plan, the
 * merge commit (parent: the target's head, merge parent: the source's,
 * one Put or Delete per change) and the target head's move, inside the
 * caller's store transaction (the gate's, for a management mutation), so
 * all of it lands or none.  The target is checked as the plan saw it:
 * its head by compare-and-swap, each table or view pointer by
 * compare-and-swap, an added asset by its key being free; any other
 * writer in between answers 409 and the caller merges again.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/commit/commit.h"
#include "api/commit/owners.h"
#include "api/branching/merge.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/uuid.h"

struct apply {
	struct pgl_req			*r;
	const struct pgl_catalog	*c;
	const char			*branch;
	json_t				*ops;	/* the commit's operations */
};

/* A version as an asset row of the target branch. */
static void
as_asset(struct apply *ap, const json_t *e, const json_t *v, const char *id,
    struct pgl_asset *a)
{
	memset(a, 0, sizeof(*a));
	a->id = id;
	a->catalog = ap->c->name;
	a->branch = ap->branch;
	a->ns = pgl_json_str(e, "ns");
	a->name = pgl_json_str(e, "name");
	a->kind = pgl_json_str(v, "kind");
	a->location = pgl_json_str(v, "location");
	a->metadata_location = pgl_json_str(v, "metadata_location");
	a->properties = api_text(ap->r->arena, json_object_get(v,
	    "properties"));
	a->origin = pgl_json_str(v, "origin");
}

static int
moved(struct pgl_req *r, const char *what, const char *name)
{
	pgl_reply_error(r, 409, "The target branch changed since the merge "
	    "was computed (%s %.200s): merge again", what, name);
	return (-1);
}

/* Put version v of e's asset on the target, where e.target was. */
static int
put(struct apply *ap, const json_t *e, const json_t *v)
{
	struct pgl_asset	 a;
	struct pgl_err		 err;
	const json_t		*t = json_object_get(e, "target");
	const char		*was = pgl_json_str(t, "metadata_location");
	char			 id[PGL_UUID_LEN + 1];
	int			 rc, moves;

	memset(&err, 0, sizeof(err));
	if (json_is_null(t) || t == NULL) {
		pgl_uuid_new(id);
		as_asset(ap, e, v, id, &a);
		/* A table new on the target: its place must be free there
		 * (commit/owners.h), the same asset's on other branches
		 * aside. */
		if ((rc = ice_place_claim(ap->r, ap->c, &a, &err)) == PGL_OK)
			rc = STORE(create_asset, ap->r->tenant, &a, &err);
	} else {
		as_asset(ap, e, v, pgl_json_str(t, "id"), &a);
		if (a.origin == NULL)
			a.origin = pgl_json_str(t, "origin");
		moves = !ice_same_place(pgl_json_str(t, "location"),
		    a.location);
		rc = moves ? ice_place_claim(ap->r, ap->c, &a, &err) : PGL_OK;
		if (rc == PGL_OK && was != NULL && a.metadata_location != NULL)
			rc = STORE(update_metadata_location, ap->r->tenant,
			    a.catalog, a.branch, a.ns, a.name, was,
			    a.metadata_location, &err);
		/* The swap moves the pointer alone: a location the source
		 * moved is written with the rest of the row. */
		if (rc == PGL_OK && (was == NULL ||
		    a.metadata_location == NULL || moves))
			rc = STORE(update_asset, ap->r->tenant, &a, &err);
	}
	if (rc == PGL_EINUSE && ap->r->status != 0)
		return (-1);	/* the place is another's: replied */
	if (rc == PGL_ECONFLICT || rc == PGL_EEXISTS || rc == PGL_ENOTFOUND)
		return (moved(ap->r, "asset", ice_dotted(ap->r, a.ns, a.name)));
	if (rc != PGL_OK) {
		pgl_reply_store_error(ap->r, &err);
		return (-1);
	}
	json_array_append_new(ap->ops, ice_op_put(&a));
	return (0);
}

static int
del(struct apply *ap, const json_t *e)
{
	struct pgl_err	 err;
	const char	*ns = pgl_json_str(e, "ns");
	const char	*name = pgl_json_str(e, "name");
	int		 rc;

	memset(&err, 0, sizeof(err));
	rc = STORE(delete_asset, ap->r->tenant, ap->c->name, ap->branch, ns,
	    name, &err);
	if (rc == PGL_ENOTFOUND)
		return (moved(ap->r, "asset", ice_dotted(ap->r, ns, name)));
	if (rc != PGL_OK) {
		pgl_reply_store_error(ap->r, &err);
		return (-1);
	}
	json_array_append_new(ap->ops, ice_op_delete(ns, name));
	return (0);
}

/* A conflict's entry, as its resolution says. */
static int
resolved(struct apply *ap, const json_t *e, const json_t *resolutions)
{
	const json_t	*c = json_object_get(resolutions,
			    pgl_json_str(e, "conflict"));
	const json_t	*res = json_object_get(c, "resolution");
	const json_t	*s = json_object_get(e, "source");
	const json_t	*t = json_object_get(e, "target");
	const char	*strategy = pgl_json_str(res, "strategy");
	json_t		*v;
	int		 rc;

	if (strategy == NULL) {
		pgl_reply_error(ap->r, 400, "Cannot complete merge: a "
		    "conflict is unresolved");
		return (-1);
	}
	if (strcmp(strategy, "TakeTarget") == 0)
		return (0);
	if (strcmp(strategy, "TakeSource") == 0) {
		if (!json_is_null(s) && s != NULL)
			return (put(ap, e, s));
		return (json_is_null(t) || t == NULL ? 0 : del(ap, e));
	}
	/* Manual: the metadata location resolve validated. */
	v = json_deep_copy(!json_is_null(t) && t != NULL ? t : s);
	json_object_set(v, "metadata_location",
	    json_object_get(res, "resolved_value"));
	rc = put(ap, e, v);
	json_decref(v);
	return (rc);
}

int
merge_apply(struct pgl_req *r, const struct pgl_catalog *c, json_t *op,
    const json_t *resolutions, const char **commit_id)
{
	struct apply		 ap = { r, c, pgl_json_str(op, "target_branch"),
				    json_array() };
	struct pgl_commit	 cm;
	struct pgl_branch	 tb;
	struct pgl_err		 err;
	const json_t		*e;
	const char		*action, *head;
	char			 id[PGL_UUID_LEN + 1];
	size_t			 i;
	int			 rc = 0;

	/* Fail fast on a moved target (and, on a store without
	 * transactions, before anything is written). */
	memset(&err, 0, sizeof(err));
	if (STORE(get_branch, r->arena, r->tenant, c->name, ap.branch, &tb,
	    &err) != PGL_OK) {
		json_decref(ap.ops);
		pgl_reply_missing(r, &err, "Branch '%.200s' not found",
		    ap.branch);
		return (-1);
	}
	head = pgl_json_str(op, "target_head");
	if ((head == NULL) != (tb.head_commit_id == NULL) || (head != NULL &&
	    strcmp(head, tb.head_commit_id) != 0)) {
		json_decref(ap.ops);
		return (moved(r, "branch", ap.branch));
	}
	json_array_foreach(json_object_get(op, "plan"), i, e) {
		if ((action = pgl_json_str(e, "action")) == NULL)
			action = "conflict";
		if (strcmp(action, "put") == 0)
			rc = put(&ap, e, json_object_get(e, "merged"));
		else if (strcmp(action, "delete") == 0)
			rc = del(&ap, e);
		else
			rc = resolved(&ap, e, resolutions);
		if (rc == -1) {
			json_decref(ap.ops);
			return (-1);
		}
	}
	pgl_uuid_new(id);
	memset(&cm, 0, sizeof(cm));
	memset(&err, 0, sizeof(err));
	cm.id = id;
	cm.catalog = c->name;
	cm.parent_id = pgl_json_str(op, "target_head");
	cm.merge_parent_id = pgl_json_str(op, "source_head");
	cm.timestamp_ms = pgl_now_ms();
	cm.author = r->who.username[0] != '\0' ? r->who.username : "anonymous";
	cm.message = pgl_arena_printf(r->arena, "Merge %s into %s",
	    pgl_json_str(op, "source_branch"), ap.branch);
	cm.operations = api_text(r->arena, ap.ops);
	json_decref(ap.ops);
	if ((rc = STORE(create_commit, r->tenant, &cm, &err)) == PGL_OK)
		rc = STORE(update_branch_head, r->tenant, c->name, ap.branch,
		    cm.parent_id, id, &err);
	if (rc == PGL_ECONFLICT || rc == PGL_ENOTFOUND)
		return (moved(r, "branch", ap.branch));
	if (rc != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	*commit_id = pgl_arena_strdup(r->arena, id);
	return (0);
}
