/*
 * The merge routes of pangolin-api.md §2.5 (api/branching/merge.h).  Lifecycle as
 * §4: an operation starts Pending; with conflicts it is Conflicted until
 * every conflict has a resolution (then Ready); complete makes it
 * Completed, abort Aborted.  A merge without conflicts completes at once.
 * Every route needs the target catalog: write to change anything, read to
 * look (the catalog comes from the body, the path, or the operation).
 * Management mutations run in the gate's one store transaction; a merge
 * stopped by conflicts keeps its operation (gate.h, keep_on_error).
 */
#include <string.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/gate.h"
#include "api/branching/merge.h"
#include "api/read/read.h"
#include "storage/objio.h"
#include "api/target.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/location.h"
#include "util/uuid.h"

static const struct pgl_jfield merge_fields[] = {
	{ "source_branch", PGL_J_STRING, 1 },
	{ "target_branch", PGL_J_STRING, 1 },
	{ "catalog", PGL_J_STRING, 1 },
	{ "force", PGL_J_BOOL, 0 },
	{ NULL, 0, 0 }
};

static const struct pgl_jfield resolve_fields[] = {
	{ "strategy", PGL_J_STRING, 1 },
	{ "resolved_value", PGL_J_ANY, 0 },
	{ NULL, 0, 0 }
};

/*
 * Merge s into t of catalog c: the base, the plan, the operation and its
 * conflicts; without conflicts the merge completes at once.  Replies 409
 * on conflicts; 0 with the completed operation's document in *done
 * (the caller replies), 1 when it must run as a task, -1 after replying.
 */
static int
merge_run(struct pgl_req *r, const struct pgl_catalog *c,
    const struct pgl_branch *s, const struct pgl_branch *t, json_t **done)
{
	struct merge_prepared	p;
	int			rc;

	*done = NULL;
	if ((rc = merge_prepare(r, c, s, t, NULL, &p)) != 0)
		return (rc);
	return (merge_record(r, c, s, t, &p, done));
}

void
api_merge_start(struct pgl_req *r)
{
	struct pgl_catalog	 c;
	struct pgl_branch	 s, t;
	json_t			*done;
	int			 large, rc = 0;

	if (pgl_req_body(r, merge_fields) == -1 ||
	    merge_catalog_for(r, pgl_json_str(r->body, "catalog"), PGL_ACT_WRITE,
	    &c) == -1 || merge_find_branch(r, c.name, pgl_json_str(r->body,
	    "source_branch"), &s) == -1 || merge_find_branch(r, c.name,
	    pgl_json_str(r->body, "target_branch"), &t) == -1 ||
	    merge_allowed(r, &c, &s, &t) == -1 ||
	    (large = merge_is_large(r, &c, &s, &t)) == -1)
		return;
	/*
	 * Authorized above; a large merge runs as a task (branching/merge_task.c),
	 * and so does one that must merge a table's files on S3.
	 */
	if (large || (rc = merge_run(r, &c, &s, &t, &done)) == 1) {
		merge_queue(r, &c, &s, &t, 0);
		return;
	}
	if (rc == -1)
		return;
	pgl_reply_json(r, 200, merge_op_public(done));
	json_decref(done);
}

/*
 * Rebase (§2.5): the body is the create-branch body; the branch named in
 * the path takes in from_branch's (default main) changes since they
 * diverged, by the same three-way rules, as a merge commit on the
 * branch: its own changes stay on top.  Conflicts answer as a merge's.
 */
static const struct pgl_jfield rebase_fields[] = {
	{ "name", PGL_J_STRING, 1 },
	{ "catalog", PGL_J_STRING, 1 },
	{ "branch_type", PGL_J_STRING, 0 },
	{ "from_branch", PGL_J_STRING, 0 },
	{ "assets", PGL_J_STRLIST, 0 },
	{ NULL, 0, 0 }
};

void
api_branch_rebase(struct pgl_req *r)
{
	struct pgl_catalog	 c;
	struct pgl_branch	 s, t;
	const char		*from;
	json_t			*done;
	int			 large, rc = 0;

	if (pgl_req_body(r, rebase_fields) == -1 ||
	    merge_catalog_for(r, pgl_json_str(r->body, "catalog"), PGL_ACT_WRITE,
	    &c) == -1)
		return;
	from = pgl_json_str(r->body, "from_branch");
	if (merge_find_branch(r, c.name, pgl_param(r, "name"), &t) == -1 ||
	    merge_find_branch(r, c.name, from != NULL ? from : "main",
	    &s) == -1)
		return;
	if (strcmp(s.name, t.name) == 0) {
		pgl_reply_error(r, 400, "Cannot rebase branch '%.200s' onto "
		    "itself", t.name);
		return;
	}
	if ((large = merge_is_large(r, &c, &s, &t)) == -1)
		return;
	if (large || (rc = merge_run(r, &c, &s, &t, &done)) == 1) {
		merge_queue(r, &c, &s, &t, 1);
		return;
	}
	if (rc == -1)
		return;
	pgl_reply_json(r, 200, json_pack("{s:s,s:O,s:O}", "status", "rebased",
	    "operation_id", json_object_get(done, "id"), "commit_id",
	    json_object_get(done, "result_commit_id")));
	json_decref(done);
}

void
api_merge_list(struct pgl_req *r)
{
	struct pgl_merge_op	*items;
	struct pgl_catalog	 c;
	struct api_page		 pg;
	struct pgl_err		 err;
	json_t			*arr, *d;
	uint64_t		 total = 0;
	size_t			 n, i;

	memset(&err, 0, sizeof(err));
	if (merge_catalog_for(r, pgl_param(r, "name"), PGL_ACT_READ, &c) ==
	    -1)
		return;
	if (api_list_page(r, pgl_page_scope("merge-operations", r->tenant, c.id,
	    NULL), &pg) == -1)
		return;
	if (STORE(list_merge_ops, r->arena, r->tenant, c.name, &pg.pg, &items,
	    &n, pg.keyed ? NULL : &total, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	arr = json_array();
	for (i = 0; i < n; i++) {
		d = pgl_json_load_or(items[i].doc, json_object());
		json_array_append_new(arr, json_pack("{s:s,s:s,s:O?,s:O?,s:I,"
		    "s:O?,s:O?}", "id", items[i].id, "status", items[i].status,
		    "source_branch", json_object_get(d, "source_branch"),
		    "target_branch", json_object_get(d, "target_branch"),
		    "conflicts_count", (json_int_t)json_array_size(
		    json_object_get(d, "conflicts")), "initiated_at",
		    json_object_get(d, "initiated_at"), "completed_at",
		    json_object_get(d, "completed_at")));
		json_decref(d);
	}
	api_reply_page(r, arr, items, sizeof(*items),
	    API_KEY_NS(struct pgl_merge_op, initiated_at_ms, id), &pg, total);
}

void
api_merge_get(struct pgl_req *r)
{
	struct pgl_merge_op	 op;
	struct pgl_catalog	 c;
	json_t			*doc;

	if (merge_load_op(r, pgl_param(r, "id"), PGL_ACT_READ, &op, &doc, &c) == 0)
		pgl_reply_json(r, 200, merge_op_public(doc));
	json_decref(doc);
}

/* Every conflict of op (one page when pg is set). */
static int
conflicts_of(struct pgl_req *r, const char *op, const struct pgl_page *pg,
    struct pgl_merge_conflict **items, size_t *n, uint64_t *total)
{
	struct pgl_page	all = { 0, 0, NULL };
	struct pgl_err	err;

	memset(&err, 0, sizeof(err));
	if (STORE(list_merge_conflicts, r->arena, r->tenant, op,
	    pg != NULL ? pg : &all, items, n, total, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	return (0);
}

void
api_merge_conflicts(struct pgl_req *r)
{
	struct pgl_merge_conflict	*items;
	struct pgl_merge_op		 op;
	struct pgl_catalog		 c;
	struct pgl_page			 pg;
	json_t				*doc = NULL, *arr;
	uint64_t			 total;
	size_t				 n, i;

	if (pgl_req_page(r, &pg) == -1 || merge_load_op(r, pgl_param(r, "id"),
	    PGL_ACT_READ, &op, &doc, &c) == -1)
		return;
	json_decref(doc);
	if (conflicts_of(r, op.id, &pg, &items, &n, &total) == -1)
		return;
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, pgl_json_load_or(items[i].doc,
		    json_object()));
	pgl_reply_list(r, arr, total);
}

/* The plan entry of a conflict. */
static const json_t *
plan_entry(const json_t *doc, const char *conflict)
{
	const json_t	*e;
	const char	*id;
	size_t		 i;

	json_array_foreach(json_object_get(doc, "plan"), i, e) {
		if ((id = pgl_json_str(e, "conflict")) != NULL &&
		    strcmp(id, conflict) == 0)
			return (e);
	}
	return (NULL);
}

/*
 * Manual: a metadata file inside the table's (or view's) location that
 * can be read.  0, or -1 after replying 422.
 */
static int
manual_value(struct pgl_req *r, const struct pgl_catalog *c,
    const json_t *e, const json_t *value)
{
	const json_t	*t = json_object_get(e, "target");
	const json_t	*v = json_is_object(t) ? t : json_object_get(e,
			    "source");
	const char	*loc = pgl_json_str(v, "location");
	const char	*val = json_string_value(value);
	struct pgl_err	 err;
	json_t		*md = NULL;

	if (val == NULL || loc == NULL || *loc == '\0' ||
	    pgl_json_str(v, "metadata_location") == NULL) {
		pgl_reply_error(r, 422, "Manual resolution needs `resolved_value`: "
		    "the metadata location of a table or view");
		return (-1);
	}
	if (!pgl_location_within(pgl_location_path(val),
	    pgl_location_path(loc))) {
		pgl_reply_error(r, 422, "`resolved_value` must lie inside the "
		    "asset's location (%.300s)", loc);
		return (-1);
	}
	memset(&err, 0, sizeof(err));
	/* Read by the pool while r waits (fetch.h); an object store that
	 * cannot be reached is 503 with Retry-After, not the value's fault. */
	if (ice_metadata_load(r, c, val, &md, &err) != PGL_OK) {
		if (err.code == PGL_EUNAVAIL)
			ice_reply_file_error(r, &err);
		else
			pgl_reply_error(r, 422, "`resolved_value` is not a "
			    "readable metadata file: %.200s", err.msg);
		return (-1);
	}
	json_decref(md);
	return (0);
}

static int
strategy_ok(struct pgl_req *r, const char *s)
{
	static const char *const known[] = { "TakeSource", "TakeTarget",
	    "Manual", "ThreeWayMerge", "AutoMerge" };
	size_t	i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strcmp(s, known[i]) == 0)
			break;
	}
	if (i == sizeof(known) / sizeof(known[0])) {
		pgl_reply_error(r, 422, "unknown strategy '%.100s' (TakeSource, "
		    "TakeTarget, Manual, ThreeWayMerge, AutoMerge)", s);
		return (-1);
	}
	/* The three-way rules already ran: what is left they cannot merge. */
	if (i >= 3) {
		pgl_reply_error(r, 400, "%s cannot resolve this conflict: the "
		    "three-way merge already left it; choose TakeSource, "
		    "TakeTarget or Manual", s);
		return (-1);
	}
	return (0);
}

/* Ready once every conflict of op has a resolution. */
static int
all_resolved(struct pgl_req *r, const char *op, int *yes)
{
	struct pgl_merge_conflict	*items;
	json_t				*d;
	size_t				 n, i;

	*yes = 1;
	if (conflicts_of(r, op, NULL, &items, &n, NULL) == -1)
		return (-1);
	for (i = 0; i < n && *yes; i++) {
		d = pgl_json_load_or(items[i].doc, json_object());
		*yes = json_is_object(json_object_get(d, "resolution"));
		json_decref(d);
	}
	return (0);
}

void
api_merge_resolve(struct pgl_req *r)
{
	struct pgl_merge_conflict	 mc;
	struct pgl_merge_op		 op;
	struct pgl_catalog		 c;
	struct pgl_err			 err;
	const char			*strategy, *status;
	json_t				*doc = NULL, *cdoc = NULL, *value;
	int				 ready;

	memset(&err, 0, sizeof(err));
	if (pgl_req_body(r, resolve_fields) == -1)
		return;
	if (STORE(get_merge_conflict, r->arena, r->tenant, pgl_param(r, "id"),
	    &mc, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Conflict not found");
		return;
	}
	if (merge_load_op(r, mc.merge_op_id, PGL_ACT_WRITE, &op, &doc, &c) == -1)
		goto out;
	status = pgl_json_str(doc, "status");
	if (status == NULL || (strcmp(status, "Conflicted") != 0 &&
	    strcmp(status, "Ready") != 0)) {
		pgl_reply_error(r, 400, "Cannot resolve a conflict of a merge "
		    "that is %s", status != NULL ? status : "unknown");
		goto out;
	}
	strategy = pgl_json_str(r->body, "strategy");
	value = json_object_get(r->body, "resolved_value");
	if (strategy_ok(r, strategy) == -1 || (strcmp(strategy, "Manual") ==
	    0 && manual_value(r, &c, plan_entry(doc, mc.id), value) == -1))
		goto out;
	cdoc = pgl_json_load_or(mc.doc, json_object());
	json_object_set_new(cdoc, "resolution", json_pack("{s:s,s:s,s:O?,"
	    "s:o,s:s}", "conflict_id", mc.id, "strategy", strategy,
	    "resolved_value", value, "resolved_by",
	    api_str_or_null(r->who.user_id[0] != '\0' ? r->who.user_id : NULL),
	    "resolved_at", merge_now_text(r)));
	mc.doc = api_text(r->arena, cdoc);
	if (STORE(update_merge_conflict, r->tenant, &mc, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		goto out;
	}
	if (all_resolved(r, op.id, &ready) == -1 ||
	    merge_save_op(r, &op, doc, ready ? "Ready" : "Conflicted") == -1)
		goto out;
	api_audit_about(r, mc.id, NULL);
	pgl_reply_json(r, 200, json_pack("{s:s,s:s}", "status", "resolved",
	    "conflict_id", mc.id));
out:
	json_decref(doc);
	json_decref(cdoc);
}

void
api_merge_complete(struct pgl_req *r)
{
	struct pgl_merge_conflict	*items;
	struct pgl_merge_op		 op;
	struct pgl_catalog		 c;
	const char			*status;
	json_t				*doc, *res = NULL;
	size_t				 n, i;

	if (merge_load_op(r, pgl_param(r, "id"), PGL_ACT_WRITE, &op, &doc, &c) == -1)
		goto out;
	status = pgl_json_str(doc, "status");
	/* can_complete (§4): Ready, or Pending without conflicts. */
	if (status == NULL || !(strcmp(status, "Ready") == 0 ||
	    (strcmp(status, "Pending") == 0 &&
	    json_array_size(json_object_get(doc, "conflicts")) == 0))) {
		pgl_reply_error(r, 400, "Cannot complete merge: it is %s",
		    status != NULL ? status : "unknown");
		goto out;
	}
	if (conflicts_of(r, op.id, NULL, &items, &n, NULL) == -1)
		goto out;
	res = json_object();
	for (i = 0; i < n; i++)
		json_object_set_new(res, items[i].id,
		    pgl_json_load_or(items[i].doc, json_object()));
	if (merge_finish(r, &c, &op, doc, res) == -1)
		goto out;
	pgl_reply_json(r, 200, json_pack("{s:s,s:s,s:O}", "status",
	    "completed", "operation_id", op.id, "commit_id",
	    json_object_get(doc, "result_commit_id")));
out:
	json_decref(res);
	json_decref(doc);
}

void
api_merge_abort(struct pgl_req *r)
{
	struct pgl_merge_op	 op;
	struct pgl_catalog	 c;
	const char		*status;
	json_t			*doc;

	if (merge_load_op(r, pgl_param(r, "id"), PGL_ACT_WRITE, &op, &doc, &c) == -1)
		goto out;
	status = pgl_json_str(doc, "status");
	if (status != NULL && strcmp(status, "Completed") == 0) {
		pgl_reply_error(r, 400, "Cannot abort a completed merge");
		goto out;
	}
	if (merge_save_op(r, &op, doc, "Aborted") == -1)
		goto out;
	pgl_reply_json(r, 200, json_pack("{s:s,s:s}", "status", "aborted",
	    "operation_id", op.id));
out:
	json_decref(doc);
}
