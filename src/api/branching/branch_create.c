/*
 * Making a branch (pangolin-api.md §2.5): the new branch starts at the
 * source's head commit.  A whole branch is a copy-on-write fork (issue
 * 29, store ABI 1.12): one branch row naming its source, whatever the
 * number of tables; it reads what it has not changed from its source as
 * of the fork.  A partial branch (assets: [...]), or any branch on a store
 * older than 1.12, gets a copy of the rows named, in one statement inside
 * the same transaction as the branch row.
 *
 * That copy's time grows with the rows (8,000 tables: some 60 ms on
 * SQLite, every other request on the worker waiting), so past [branch]
 * inline_max_assets rows the route checks what the copy would find (the
 * source, a free name), queues a task of kind "branch" and answers 202
 * (issue 23); a task runner makes the branch with the same code.  The
 * outcome is the task's result: the branch and the rows copied.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/gate.h"
#include "api/target.h"
#include "api/branching/merge.h"
#include "api/tasks/task.h"
#include "app/app.h"
#include "plugin/loader.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/str.h"

static const struct pgl_jfield branch_fields[] = {
	{ "name", PGL_J_STRING, 1 },
	{ "catalog", PGL_J_STRING, 1 },
	{ "branch_type", PGL_J_STRING, 0 },
	{ "from_branch", PGL_J_STRING, 0 },
	{ "assets", PGL_J_STRLIST, 0 },
	{ NULL, 0, 0 }
};

struct branch_tx {
	struct pgl_req		*r;
	struct pgl_branch	*b;
	const char		*from;
	const char		*names_json;
	int			 fork;		/* copy-on-write, not a copy */
	uint64_t		 copied;
};

/*
 * 1 when a whole branch made from "from" is a copy-on-write fork: the
 * store forks and from's lineage is shallower than PGL_BRANCH_MAX_DEPTH
 * (at most that many parent lookups).  Deeper, the store would copy every
 * row inside the fork, so the host makes it the copy it can size, which
 * past [branch] inline_max_assets is a task, never on the event loop.
 */
static int
branch_can_fork(struct pgl_req *r, const char *catalog, const char *from)
{
	struct pgl_branch	b;
	struct pgl_err		err;
	const char		*name = from;
	int			depth;

	if (!pgl_store_has_fork(pgl_app.db))
		return (0);
	for (depth = 0; depth < PGL_BRANCH_MAX_DEPTH; depth++) {
		if (STORE(get_branch, r->arena, r->tenant, catalog, name, &b,
		    &err) != PGL_OK)
			return (1);	/* the fork reports it */
		if (b.parent == NULL)
			return (1);
		name = b.parent;
	}
	return (0);
}

/*
 * A partial branch names assets of its source: PGL_ENOTFOUND listing the
 * names the source does not have (issue 13, item 6).  One round trip.
 */
static int
names_exist(struct branch_tx *tx, struct pgl_err *err)
{
	struct pgl_asset	*items;
	json_t			*names, *e;
	char			*missing = NULL, *dotted;
	size_t			 n, i, j;
	int			 rc;

	if (tx->names_json == NULL)
		return (PGL_OK);
	if ((rc = STORE(list_all_assets_for_branch, tx->r->arena,
	    tx->r->tenant, tx->b->catalog, tx->from, &items, &n, err)) !=
	    PGL_OK)
		return (rc);
	names = pgl_json_load_or(tx->names_json, json_array());
	json_array_foreach(names, i, e) {
		for (j = 0; j < n; j++) {
			dotted = ice_dotted(tx->r, items[j].ns, items[j].name);
			if (dotted != NULL && strcmp(dotted,
			    json_string_value(e)) == 0)
				break;
		}
		if (j == n)
			missing = pgl_arena_printf(tx->r->arena, "%s%s%s",
			    missing != NULL ? missing : "", missing != NULL ?
			    ", " : "", json_string_value(e));
	}
	json_decref(names);
	if (missing == NULL)
		return (PGL_OK);
	err->code = PGL_ENOTFOUND;
	(void)snprintf(err->msg, sizeof(err->msg), "Assets not found on "
	    "branch '%.60s': %.150s", tx->from, missing);
	return (PGL_ENOTFOUND);
}

static int
branch_in_tx(void *arg, struct pgl_err *err)
{
	struct branch_tx	*tx = arg;
	struct pgl_branch	 src;
	int			 rc;

	if ((rc = STORE(get_branch, tx->r->arena, tx->r->tenant,
	    tx->b->catalog, tx->from, &src, err)) != PGL_OK) {
		if (rc == PGL_ENOTFOUND)
			(void)snprintf(err->msg, sizeof(err->msg),
			    "Source branch '%.200s' not found", tx->from);
		return (rc);
	}
	if ((rc = names_exist(tx, err)) != PGL_OK)
		return (rc);
	tx->b->head_commit_id = src.head_commit_id;
	if (tx->fork) {
		rc = STORE(fork_branch, tx->r->tenant, tx->b, tx->from, err);
		if (rc == PGL_EEXISTS)
			(void)snprintf(err->msg, sizeof(err->msg),
			    "Branch '%.200s' already exists", tx->b->name);
		return (rc);
	}
	if ((rc = STORE(create_branch, tx->r->tenant, tx->b, err)) != PGL_OK) {
		if (rc == PGL_EEXISTS)
			(void)snprintf(err->msg, sizeof(err->msg),
			    "Branch '%.200s' already exists", tx->b->name);
		return (rc);
	}
	return (STORE(copy_assets_bulk, tx->r->tenant, tx->b->catalog,
	    tx->from, tx->b->name, NULL, tx->names_json, &tx->copied, err));
}

static int
branch_make(struct pgl_req *r, struct pgl_branch *b, const char *from,
    const char *names_json, uint64_t *copied, struct pgl_err *err)
{
	struct branch_tx	tx = { r, b, from, names_json, 0, 0 };
	int			rc, attempt;

	tx.fork = names_json == NULL && branch_can_fork(r, b->catalog, from);
	/*
	 * A fork updates its source's row, so a commit to the source landing
	 * during the fork's transaction fails it on PostgreSQL (a
	 * serialization error: PGL_ERETRY, PGL_ECONFLICT from a plugin
	 * before store ABI 1.14); made again, it forks after it.  Inside
	 * the gate's transaction the gate runs the whole request again.
	 */
	for (attempt = 1; ; attempt++) {
		rc = pgl_store_tx(branch_in_tx, &tx, err);
		if ((rc != PGL_ECONFLICT && rc != PGL_ERETRY) ||
		    pgl_app.in_tx || attempt == API_TX_ATTEMPTS)
			break;
		if (rc == PGL_ERETRY)
			api_tx_pause(attempt);
	}
	*copied = tx.copied;
	return (rc);
}

int
api_branch_assets(struct pgl_req *r, const char *catalog, const char *branch,
    uint64_t *total)
{
	struct pgl_page	 pg = { 1, 0, NULL };
	struct pgl_asset *items;
	struct pgl_err	 err;
	size_t		 n;

	memset(&err, 0, sizeof(err));
	*total = 0;
	if (STORE(list_assets, r->arena, r->tenant, catalog, branch, NULL,
	    NULL, &pg, &items, &n, total, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	return (0);
}

/* 0 when branch name may be made from from; -1 after replying. */
static int
branch_checks(struct pgl_req *r, const struct pgl_catalog *c,
    const char *name, const char *from)
{
	struct pgl_branch	 b;
	struct pgl_err		 err;
	int			 rc;

	rc = STORE(get_branch, r->arena, r->tenant, c->name, from, &b, &err);
	if (rc != PGL_OK) {
		pgl_reply_missing(r, &err, "Source branch '%.200s' not found",
		    from);
		return (-1);
	}
	rc = STORE(get_branch, r->arena, r->tenant, c->name, name, &b, &err);
	if (rc == PGL_OK) {
		pgl_reply_error(r, 409, "Branch '%.200s' already exists", name);
		return (-1);
	}
	if (rc != PGL_ENOTFOUND) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	return (0);
}

static int
branch_is_large(struct pgl_req *r, const struct pgl_catalog *c,
    const struct pgl_branch *b, const char *from, const json_t *assets)
{
	int		 limit = pgl_app.cfg->branch.inline_max_assets;
	uint64_t	 rows;

	if (limit == 0 || (json_array_size(assets) == 0 &&
	    branch_can_fork(r, c->name, from)))
		return (0);
	if (json_array_size(assets) > 0)
		rows = json_array_size(assets);
	else if (api_branch_assets(r, c->name, from, &rows) == -1)
		return (-1);
	if (rows <= (uint64_t)limit)
		return (0);
	return (branch_checks(r, c, b->name, from) == -1 ? -1 : 1);
}

static void
branch_queue(struct pgl_req *r, const struct pgl_catalog *c,
    const struct pgl_branch *b, const char *from)
{
	struct ice_target	 target;
	const char		*id;
	json_t			*params;

	memset(&target, 0, sizeof(target));
	target.catalog = *c;
	target.branch = b->name;
	params = json_pack("{s:s,s:s,s:s,s:s,s:s?}", "name", b->name,
	    "from_branch", from, "branch_type", b->branch_type, "assets",
	    b->assets, "initiated_by", r->who.user_id[0] != '\0' ?
	    r->who.user_id : NULL);
	if (params == NULL) {
		pgl_reply_error(r, 500, "out of memory");
		return;
	}
	id = api_task_queue(r, "branch", &target, params);
	json_decref(params);
	if (id == NULL)
		return;
	api_audit_about(r, id, b->name);
	pgl_set_header(r, "location", pgl_arena_printf(r->arena,
	    "/api/v1/tasks/%s", id));
	pgl_reply_json(r, 202, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}",
	    "task_id", id, "status", "queued", "kind", "branch", "name",
	    b->name, "from_branch", from, "message", pgl_arena_printf(
	    r->arena, "the branch is large: it is made by task %s (GET "
	    "/api/v1/tasks/%s)", id, id)));
}

enum pgl_task_end
api_branch_run(struct pgl_task_run *run, struct pgl_req *r,
    const json_t *params, json_t *result)
{
	struct pgl_branch	 b;
	struct pgl_catalog	 c;
	struct pgl_err		 err;
	const char		*from = pgl_json_str(params, "from_branch");
	const char		*assets = pgl_json_str(params, "assets");
	uint64_t		 copied = 0;

	memset(&err, 0, sizeof(err));
	memset(&b, 0, sizeof(b));
	b.name = pgl_json_str(params, "name");
	b.branch_type = pgl_json_str(params, "branch_type");
	b.assets = assets != NULL ? assets : "[]";
	if (b.name == NULL || from == NULL || b.branch_type == NULL)
		return (api_task_fail(run, "the task's parameters lack the "
		    "branch's name, source or type"));
	if (run->task->catalog == NULL || api_get_catalog(r, r->tenant,
	    run->task->catalog, &c, &err) != PGL_OK)
		return (api_task_fail(run, "catalog %s: %s",
		    run->task->catalog != NULL ? run->task->catalog : "?",
		    err.msg));
	b.catalog = c.name;
	/* The runner keeps the message past params: the request's copy. */
	if (pgl_task_progress(run, "copying", 0, 0, pgl_arena_strdup(r->arena,
	    b.name)))
		return (PGL_TASK_CANCELLED);
	if (branch_make(r, &b, from, strcmp(b.assets, "[]") != 0 ?
	    b.assets : NULL, &copied, &err) != PGL_OK)
		return (api_task_fail(run, "%s", err.msg));
	json_object_set_new(result, "branch", api_branch_json(&b));
	json_object_set_new(result, "copied", json_integer((json_int_t)copied));
	return (PGL_TASK_SUCCEEDED);
}

void
api_branch_create(struct pgl_req *r)
{
	struct pgl_branch	 b;
	struct pgl_catalog	 c;
	struct pgl_err		 err;
	const char		*type, *from, *names;
	json_t			*assets;
	uint64_t		 copied;
	int			 large;

	if (pgl_req_body(r, branch_fields) == -1 ||
	    pgl_req_name(r, "name", pgl_json_str(r->body, "name")) == -1)
		return;
	memset(&b, 0, sizeof(b));
	b.name = pgl_json_str(r->body, "name");
	b.catalog = pgl_json_str(r->body, "catalog");
	if (api_get_catalog(r, r->tenant, b.catalog, &c, &err) !=
	    PGL_OK) {
		pgl_reply_missing(r, &err, "Catalog '%.200s' not found",
		    b.catalog);
		return;
	}
	if (api_local_catalog(r, &c) == -1)
		return;
	type = pgl_json_str(r->body, "branch_type");
	b.branch_type = type != NULL && strcmp(type, "ingest") == 0 ?
	    "ingest" : "experimental";
	/* The route's rule cannot see the body: the branch type decides. */
	if (api_require(r, strcmp(b.branch_type, "ingest") == 0 ?
	    PGL_ACT_INGEST_BRANCHING : PGL_ACT_EXPERIMENTAL_BRANCHING,
	    &(struct pgl_target){ c.id, "", "", NULL, 0, 0 }) == -1)
		return;
	from = pgl_json_str(r->body, "from_branch");
	assets = json_object_get(r->body, "assets");
	b.assets = assets != NULL && json_array_size(assets) > 0 ?
	    api_text(r->arena, assets) : "[]";
	from = from != NULL ? from : "main";
	names = strcmp(b.assets, "[]") != 0 ? b.assets : NULL;
	if ((large = branch_is_large(r, &c, &b, from, assets)) != 0) {
		if (large == 1)
			branch_queue(r, &c, &b, from);
		return;
	}
	if (branch_make(r, &b, from, names, &copied, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	pgl_reply_json(r, 201, api_branch_json(&b));
}
