/*
 * Task routes (issue 12): follow and cancel background tasks, in the
 * caller's tenant.  Admins see every task; a tenant user sees the tasks
 * of tables it may read and cancels those of tables it may delete (the
 * permission that started them).  A task the caller may not see is 404,
 * exactly like one that does not exist.
 */
#include <string.h>

#include "api/api.h"
#include "api/maintenance/maint.h"
#include "api/config_cache.h"
#include "api/gate.h"
#include "auth/rbac.h"
#include "api/target.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"

/* Levels joined by PGL_NS_SEP as a JSON array (null when absent). */
static json_t *
ns_json(const char *ns)
{
	json_t		*arr;
	const char	*p, *e;

	if (ns == NULL)
		return (json_null());
	arr = json_array();
	for (p = ns;; p = e + 1) {
		if ((e = strchr(p, PGL_NS_SEP)) == NULL) {
			json_array_append_new(arr, json_string(p));
			break;
		}
		json_array_append_new(arr, json_stringn(p, (size_t)(e - p)));
	}
	return (arr);
}

static json_t *
str_or_null(const char *s)
{
	return (s != NULL ? json_string(s) : json_null());
}

static json_t *
time_or_null(struct pgl_arena *a, int64_t ms)
{
	return (ms == 0 ? json_null() : json_string(api_rfc3339(a, ms / 1000)));
}

/* JSON text stored by the runner, or null. */
static json_t *
doc_or_null(const char *s)
{
	json_t	*j;

	if (s == NULL || (j = json_loads(s, JSON_DECODE_ANY, NULL)) == NULL)
		return (json_null());
	return (j);
}

/*
 * A scan plan's request (its filter's values, its caller's read
 * restrictions) and result (how much its filters pruned) are its
 * maker's: another reader of the table sees that it runs, not what it
 * asks (issue 67).
 */
static int
private_to_maker(struct pgl_req *r, const struct pgl_task *t)
{
	return (t->kind != NULL && strcmp(t->kind, "scan_plan") == 0 &&
	    !api_is_admin(r) && (t->created_by == NULL ||
	    strcmp(t->created_by, r->who.username[0] != '\0' ?
	    r->who.username : r->who.user_id) != 0));
}

static json_t *
task_json(struct pgl_req *r, const struct pgl_task *t)
{
	int	mine = !private_to_maker(r, t);

	return (json_pack("{s:s,s:s,s:s,s:{s:o,s:o,s:o,s:o},s:o,"
	    "s:{s:I,s:I,s:o,s:o},s:o,s:o,s:i,s:i,s:b,s:o,s:o,s:o,s:o,s:o,"
	    "s:o}",
	    "id", t->id, "kind", t->kind, "status", t->status,
	    "target", "catalog", str_or_null(t->catalog),
	    "branch", str_or_null(t->branch), "namespace", ns_json(t->ns),
	    "table", str_or_null(t->table),
	    "params", mine ? doc_or_null(t->params) : json_null(),
	    "progress", "done", (json_int_t)t->progress_done,
	    "total", (json_int_t)t->progress_total,
	    "phase", str_or_null(t->phase), "message", str_or_null(t->message),
	    "result", mine ? doc_or_null(t->result) : json_null(),
	    "error", str_or_null(t->error),
	    "attempts", t->attempts, "max_attempts", t->max_attempts,
	    "cancel_requested", t->cancel_requested,
	    "created_by", str_or_null(t->created_by),
	    "created_at", time_or_null(r->arena, t->created_at_ms),
	    "started_at", time_or_null(r->arena, t->started_at_ms),
	    "finished_at", time_or_null(r->arena, t->finished_at_ms),
	    "lease_owner", str_or_null(t->lease_owner),
	    "lease_expires_at", time_or_null(r->arena, t->lease_expires_ms)));
}

/*
 * Whether the caller may do action on the task's table.  A table that
 * is gone (a purge) is judged by its namespace's grants, a task of a
 * whole catalog (a merge) by the catalog's.
 */
static int
task_allowed(struct pgl_req *r, const struct pgl_task *t, unsigned action)
{
	struct pgl_target	 target;
	struct pgl_catalog	 c;
	struct pgl_asset	 a;
	struct pgl_err		 err;

	if (api_is_admin(r))
		return (1);
	if (t->catalog == NULL || api_get_catalog(r, r->tenant, t->catalog,
	    &c, &err) != PGL_OK)
		return (0);
	memset(&target, 0, sizeof(target));
	target.catalog_id = c.id;
	/* A task of no table (a merge) is judged by the catalog's grants. */
	target.ns = t->ns != NULL ? t->ns : "";
	target.asset_id = "";
	if (t->table != NULL && STORE(get_asset, r->arena, r->tenant,
	    t->catalog, t->branch != NULL ? t->branch : "main", t->ns,
	    t->table, &a, &err) == PGL_OK)
		target.asset_id = a.id;
	return (api_allowed(r, action, &target));
}

static int
visible(struct pgl_req *r, const void *item, void *ctx)
{
	(void)ctx;
	return (task_allowed(r, item, PGL_ACT_READ));
}

void
api_task_get(struct pgl_req *r)
{
	struct pgl_task	t;
	struct pgl_err	err;

	if (STORE(get_task, r->arena, r->tenant, pgl_param(r, "id"), &t,
	    &err) != PGL_OK || !task_allowed(r, &t, PGL_ACT_READ)) {
		err.code = PGL_ENOTFOUND;
		pgl_reply_missing(r, &err, "Task not found");
		return;
	}
	pgl_reply_json(r, 200, task_json(r, &t));
}

/* A query value, or a spelling none is (a token's scope). */
#define NONE(v)	((v) != NULL ? (v) : PGL_PAGE_NONE)

/* One slice of a tenant user's keyed page (api_filter_keyed). */
static int
task_slice(struct pgl_req *r, void *arg, const struct pgl_page *pg,
    void **rows, size_t *n, struct pgl_err *err)
{
	struct pgl_task	*items;
	int		 rc;

	rc = STORE(list_tasks, r->arena, r->tenant, arg, pg, &items, n, NULL,
	    err);
	*rows = items;
	return (rc);
}

void
api_task_list(struct pgl_req *r)
{
	struct pgl_task_filter	 f;
	struct pgl_task		*items;
	struct api_page		 pg;
	struct pgl_err		 err;
	json_t			*arr;
	uint64_t		 total = 0;
	size_t			 n, i;
	void			*kept;
	struct pgl_page		 all = { 0, 0, NULL }, *ask = &pg.pg;
	int			 admin = api_is_admin(r);

	f.status = pgl_query(r, "status");
	f.kind = pgl_query(r, "kind");
	f.catalog = pgl_query(r, "catalog");
	f.table = pgl_query(r, "table");
	f.created_by = pgl_query(r, "created_by");
	if (api_list_page(r, pgl_page_scope("tasks", r->tenant, NONE(f.status),
	    NONE(f.kind), NONE(f.catalog), NONE(f.table), NONE(f.created_by),
	    NULL), &pg) == -1)
		return;
	if (!admin && pg.keyed) {
		if (api_filter_keyed(r, &pg, sizeof(*items), task_slice, &f,
		    visible, NULL, API_KEY_NS(struct pgl_task, created_at_ms,
		    id), &kept, &n) == -1)
			return;
		items = kept;
	} else {
		if (!admin)
			ask = &all;	/* filtered and paged below */
		if (STORE(list_tasks, r->arena, r->tenant, &f, ask, &items, &n,
		    pg.keyed ? NULL : &total, &err) != PGL_OK) {
			pgl_reply_store_error(r, &err);
			return;
		}
		if (!admin)
			n = api_filter_page(r, items, n, sizeof(*items),
			    visible, NULL, &pg.pg, &total);
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, task_json(r, &items[i]));
	api_reply_page(r, arr, items, sizeof(*items),
	    API_KEY_NS(struct pgl_task, created_at_ms, id), &pg, total);
}

/* Queued: cancelled at once; running: the runner stops between steps. */
void
api_task_cancel(struct pgl_req *r)
{
	struct pgl_task	t;
	struct pgl_err	err;

	if (STORE(get_task, r->arena, r->tenant, pgl_param(r, "id"), &t,
	    &err) != PGL_OK || !task_allowed(r, &t, PGL_ACT_READ)) {
		err.code = PGL_ENOTFOUND;
		pgl_reply_missing(r, &err, "Task not found");
		return;
	}
	if (!task_allowed(r, &t, PGL_ACT_DELETE)) {
		pgl_reply_error(r, 403, "Forbidden: cancelling a task needs "
		    "delete on its table");
		return;
	}
	if (STORE(cancel_task, r->tenant, pgl_param(r, "id"), &err) !=
	    PGL_OK || STORE(get_task, r->arena, r->tenant, pgl_param(r, "id"),
	    &t, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Task not found");
		return;
	}
	api_audit(r, r->tenant, "cancel_task", "task", t.id, t.kind, 1, NULL);
	pgl_reply_json(r, 202, task_json(r, &t));
}
