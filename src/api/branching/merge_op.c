/*
 * A merge operation as the store keeps it (pangolin-api.md §2.5, §4): the
 * plan of a merge prepared, its record with its conflicts, finishing it
 * (the apply and the merge commit).  The routes (merge_routes.c) and the
 * merge task (merge_task.c) both go through here.
 */
#include <string.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/gate.h"
#include "api/events/event_note.h"
#include "api/branching/merge.h"
#include "api/storage/storage.h"
#include "storage/objio.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/location.h"
#include "util/uuid.h"

const char *
merge_now_text(struct pgl_req *r)
{
	return (api_rfc3339(r->arena, pgl_now_ms() / 1000));
}

/* The operation as the API shows it: the plan stays inside. */
json_t *
merge_op_public(const json_t *doc)
{
	json_t	*j = json_deep_copy(doc);

	json_object_del(j, "plan");
	return (j);
}

int
merge_catalog_for(struct pgl_req *r, const char *name, unsigned action,
    struct pgl_catalog *c)
{
	struct pgl_err	err;

	memset(&err, 0, sizeof(err));
	if (api_get_catalog(r, r->tenant, name, c, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Catalog '%.200s' not found", name);
		return (-1);
	}
	if (api_local_catalog(r, c) == -1)
		return (-1);
	return (api_require(r, action,
	    &(struct pgl_target){ c->id, "", "", NULL, 0, 0 }));
}

/* The operation of id, its document, and its catalog (action on it). */
int
merge_load_op(struct pgl_req *r, const char *id, unsigned action,
    struct pgl_merge_op *op, json_t **doc, struct pgl_catalog *c)
{
	struct pgl_err	err;

	memset(&err, 0, sizeof(err));
	*doc = NULL;
	if (id == NULL || STORE(get_merge_op, r->arena, r->tenant, id, op,
	    &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Merge operation not found");
		return (-1);
	}
	if (merge_catalog_for(r, op->catalog, action, c) == -1)
		return (-1);
	if ((*doc = pgl_json_load_or(op->doc, NULL)) == NULL) {
		pgl_reply_error(r, 500, "merge operation %s is unreadable", id);
		return (-1);
	}
	return (0);
}

int
merge_save_op(struct pgl_req *r, struct pgl_merge_op *op, json_t *doc,
    const char *status)
{
	struct pgl_err	err;

	memset(&err, 0, sizeof(err));
	json_object_set_new(doc, "status", json_string(status));
	op->status = status;
	op->doc = api_text(r->arena, doc);
	if (STORE(update_merge_op, op, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	return (0);
}

int
merge_find_branch(struct pgl_req *r, const char *cat, const char *name,
    struct pgl_branch *b)
{
	struct pgl_err	err;

	memset(&err, 0, sizeof(err));
	if (STORE(get_branch, r->arena, r->tenant, cat, name, b, &err) !=
	    PGL_OK) {
		pgl_reply_missing(r, &err, "Branch '%.200s' not found", name);
		return (-1);
	}
	return (0);
}

/* Refusals before any work: same branch, experimental into main. */
int
merge_allowed(struct pgl_req *r, const struct pgl_catalog *c,
    const struct pgl_branch *s, const struct pgl_branch *t)
{
	const json_t	*force = json_object_get(r->body, "force");

	if (strcmp(s->name, t->name) == 0) {
		pgl_reply_error(r, 400, "Cannot merge branch '%.200s' into "
		    "itself", s->name);
		return (-1);
	}
	if (strcmp(t->name, "main") != 0 ||
	    strcmp(s->branch_type, "experimental") != 0)
		return (0);
	if (!json_is_true(force)) {
		pgl_reply_error(r, 400, "Branch '%.200s' is experimental: "
		    "merging it into main needs \"force\": true", s->name);
		return (-1);
	}
	return (api_require(r, PGL_ACT_EXPERIMENTAL_BRANCHING,
	    &(struct pgl_target){ c->id, "", "", NULL, 0, 0 }));
}

static int
store_conflicts(struct pgl_req *r, const char *op_id, json_t *conflicts)
{
	struct pgl_merge_conflict	 mc;
	struct pgl_err			 err;
	json_t				*c;
	size_t				 i;

	memset(&err, 0, sizeof(err));
	json_array_foreach(conflicts, i, c) {
		json_object_set_new(c, "merge_operation_id",
		    json_string(op_id));
		json_object_set_new(c, "resolution", json_null());
		json_object_set_new(c, "created_at", json_string(merge_now_text(r)));
		mc.id = pgl_json_str(c, "id");
		mc.merge_op_id = op_id;
		mc.doc = api_text(r->arena, c);
		if (STORE(create_merge_conflict, r->tenant, &mc, &err) !=
		    PGL_OK) {
			pgl_reply_store_error(r, &err);
			return (-1);
		}
	}
	return (0);
}

/* The new operation's document, Pending. */
static json_t *
op_doc(struct pgl_req *r, const char *id, const char *cat,
    const struct pgl_branch *s, const struct pgl_branch *t,
    const char *base, json_t *plan, const json_t *conflicts)
{
	json_t		*ids = json_array(), *c;
	size_t		 i;

	json_array_foreach(conflicts, i, c)
		json_array_append(ids, json_object_get(c, "id"));
	return (json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:o,s:o,s:s,s:n,s:n,"
	    "s:o,s:o,s:o}", "id", id, "tenant_id", r->tenant,
	    "catalog_name", cat, "source_branch", s->name, "target_branch",
	    t->name, "base_commit_id", api_str_or_null(base), "status",
	    "Pending", "conflicts", ids, "initiated_by",
	    api_str_or_null(r->who.user_id[0] != '\0' ? r->who.user_id :
	    NULL), "initiated_at", merge_now_text(r), "completed_at",
	    "result_commit_id", "source_head",
	    api_str_or_null(s->head_commit_id), "target_head",
	    api_str_or_null(t->head_commit_id), "plan", plan));
}

/* Apply the plan (when there is anything to record) and complete. */
/* The merge's event, in its transaction (appended by the gate). */
static void
note_merge(struct pgl_req *r, const struct pgl_catalog *c,
    const struct pgl_merge_op *op, const json_t *doc)
{
	struct pgl_event_input	 in;
	json_t			*p;

	p = json_pack("{s:s,s:s?,s:s?,s:s,s:I}", "merge-id", op->id,
	    "source-branch", pgl_json_str(doc, "source_branch"),
	    "target-branch", pgl_json_str(doc, "target_branch"),
	    "status", "completed", "conflicts", (json_int_t)json_array_size(
	    json_object_get(doc, "conflicts")));
	if (p == NULL)
		return;
	memset(&in, 0, sizeof(in));
	in.operation_type = "x-pangolin.merge";
	in.catalog = c->name;
	in.branch = pgl_json_str(doc, "target_branch");
	in.payload = p;
	api_event_note(r, &in);
	json_decref(p);
}

int
merge_finish(struct pgl_req *r, const struct pgl_catalog *c,
    struct pgl_merge_op *op, json_t *doc, const json_t *resolutions)
{
	const char	*commit = pgl_json_str(doc, "target_head");
	const char	*src = pgl_json_str(doc, "source_head");
	const char	*base = pgl_json_str(doc, "base_commit_id");
	int		 nothing;

	/* The source already in the target's history: nothing to do. */
	nothing = json_array_size(json_object_get(doc, "plan")) == 0 &&
	    (src == NULL || (base != NULL && strcmp(src, base) == 0));
	if (!nothing && merge_apply(r, c, doc, resolutions, &commit) == -1)
		return (-1);
	json_object_set_new(doc, "completed_at", json_string(merge_now_text(r)));
	json_object_set_new(doc, "result_commit_id", api_str_or_null(commit));
	if (merge_save_op(r, op, doc, "Completed") == -1)
		return (-1);
	note_merge(r, c, op, doc);
	return (0);
}

/* A client's request on a catalog whose files are on an object store. */
static int
on_s3(struct pgl_req *r, const struct pgl_catalog *c)
{
	const struct pgl_storage	*st;
	struct pgl_err			 err;

	return (r->http != NULL && api_storage(r, c, &st, &err) == PGL_OK &&
	    st->remote);
}

int
merge_prepare(struct pgl_req *r, const struct pgl_catalog *c,
    const struct pgl_branch *s, const struct pgl_branch *t,
    struct merge_tick *tick, struct merge_prepared *p)
{
	struct merge_inputs	 in;
	struct pgl_err		 err;

	memset(&err, 0, sizeof(err));
	memset(p, 0, sizeof(*p));
	if (s->head_commit_id != NULL && t->head_commit_id != NULL &&
	    STORE(get_merge_base, r->arena, r->tenant, s->head_commit_id,
	    t->head_commit_id, &p->base, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	in = (struct merge_inputs){ c, s, t, p->base, tick, on_s3(r, c), 0,
	    NULL };
	return (merge_plan(r, &in, &p->plan, &p->conflicts));
}

int
merge_record(struct pgl_req *r, const struct pgl_catalog *c,
    const struct pgl_branch *s, const struct pgl_branch *t,
    struct merge_prepared *p, json_t **done)
{
	struct pgl_merge_op	 op;
	struct pgl_err		 err;
	char			 id[PGL_UUID_LEN + 1];
	json_t			*doc, *conflicts = p->conflicts;
	int64_t			 now;
	size_t			 n;
	int			 rc = -1;

	*done = NULL;
	memset(&err, 0, sizeof(err));
	now = pgl_now_ms();
	pgl_uuid_new_ordered(id, now);	/* listed newest first, as made */
	doc = op_doc(r, id, c->name, s, t, p->base, p->plan, conflicts);
	p->plan = p->conflicts = NULL;
	op = (struct pgl_merge_op){ id, r->tenant, c->name, "Pending",
	    api_text(r->arena, doc), now };
	api_audit_about(r, id, pgl_arena_printf(r->arena, "%s->%s", s->name,
	    t->name));
	if (STORE(create_merge_op, &op, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		goto out;
	}
	if (store_conflicts(r, id, conflicts) == -1)
		goto out;
	if ((n = json_array_size(conflicts)) > 0) {
		if (merge_save_op(r, &op, doc, "Conflicted") == -1)
			goto out;
		/* The operation is the record the caller resolves. */
		r->app->keep_on_error = 1;
		pgl_reply_json(r, 409, json_pack("{s:s,s:s,s:I,s:s}",
		    "status", "conflicted", "operation_id", id, "conflicts",
		    (json_int_t)n, "message", pgl_arena_printf(r->arena,
		    "Merge has %zu conflicts that need resolution", n)));
		goto out;
	}
	if (merge_finish(r, c, &op, doc, NULL) == 0) {
		*done = doc;
		doc = NULL;
		rc = 0;
	}
out:
	json_decref(doc);
	json_decref(conflicts);
	return (rc);
}

