/*
 * The four planning routes of the Iceberg REST spec (api/scan/scan.h),
 * each authorized as a read of the table (the route table's MAY(READ,
 * TABLE)).  A plan id or plan task of another tenant, of another table,
 * or past its life answers as a missing one: 404 NoSuchPlanIdException
 * or NoSuchPlanTaskException.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/commit/commit.h"
#include "api/gate.h"
#include "api/storage/storage.h"
#include "api/storage/sts_vend.h"
#include "api/scan/scan.h"
#include "api/tasks/task.h"
#include "app/app.h"
#include "plugin/loader.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/uuid.h"

#define KIND_TABLE	"ICEBERG_TABLE"
#define KIND_PLAN	"scan_plan"
/*
 * Manifest bytes a plan made in the request may read: however few the
 * manifests, a plan that would decode more than this on a worker's event
 * loop is a task's work.
 */
#define SYNC_MAX_BYTES	(32LL * 1024 * 1024)

static const struct pgl_jfield plan_fields[] = {
	{ "snapshot-id", PGL_J_INT, 0 },
	{ "select", PGL_J_ANY, 0 },
	{ "filter", PGL_J_ANY, 0 },
	{ "min-rows-requested", PGL_J_INT, 0 },
	{ "case-sensitive", PGL_J_BOOL, 0 },
	{ "use-snapshot-schema", PGL_J_BOOL, 0 },
	{ "start-snapshot-id", PGL_J_INT, 0 },
	{ "end-snapshot-id", PGL_J_INT, 0 },
	{ "stats-fields", PGL_J_ANY, 0 },
	{ "ref", PGL_J_STRING, 0 },		/* Pangolin: a branch or tag */
	{ NULL, 0, 0 }
};

static const struct pgl_jfield tasks_fields[] = {
	{ "plan-task", PGL_J_STRING, 1 },
	{ NULL, 0, 0 }
};

/* An engine error as the Iceberg envelope. */
static void
reply_err(struct pgl_req *r, const struct pgl_err *err)
{
	if (err->code == PGL_EUNAVAIL)
		pgl_reply_ice_error(r, 503, "ServiceUnavailableException",
		    "%s", err->msg);
	else if (err->code == PGL_ENOTFOUND)
		pgl_reply_ice_error(r, 404, "NotFoundException", "%s",
		    err->msg);
	else
		pgl_reply_ice_error(r, 500, "ServiceFailureException", "%s",
		    err->msg);
}

/* Vended credentials or the signing config, as loadTable gives them. */
static void
add_credentials(struct pgl_req *r, const struct ice_target *t,
    const struct pgl_asset *a, json_t *j)
{
	json_t	*vended = api_vended_config(r, &t->catalog, t->name);

	pgl_set_header(r, "vary", "X-Iceberg-Access-Delegation");
	if (vended == NULL)
		return;
	json_object_set_new(j, "storage-credentials", json_pack("[{s:s,s:o}]",
	    "prefix", a->location != NULL ? a->location : "", "config",
	    vended));
}

/* The table, and its STS credentials when they are asked for. */
static int
find_table(struct pgl_req *r, struct ice_target *t, struct pgl_asset *a)
{
	return (ice_target(r, "table", t) == -1 ||
	    ice_find_asset(r, t, KIND_TABLE, a) == -1 ||
	    api_sts_prepare(r, &t->catalog, a->location, 0) == -1 ? -1 : 0);
}

static void
init_plan(struct scan_plan *p, struct pgl_req *r, const struct ice_target *t,
    const struct pgl_asset *a, const json_t *md, const char *plan_id)
{
	memset(p, 0, sizeof(*p));
	p->r = r;
	p->cat = &t->catalog;
	p->md = md;
	p->sink.r = r;
	p->sink.plan_id = plan_id;
	p->sink.table = a->id;
	p->sink.per_part = (size_t)pgl_app.cfg->scan.tasks_per_part;
	p->sink.expires_at_ms = pgl_now_ms() +
	    (int64_t)pgl_app.cfg->scan.ttl_secs * 1000;
	p->sink.can_store = pgl_store_has_plan_parts(pgl_app.db);
	p->sink.one_tx = 1;
}

/* A plan too large for a request: a task, answered "submitted". */
static void
submit(struct pgl_req *r, const struct ice_target *t,
    const struct pgl_asset *a)
{
	const char	*id;
	json_t		*params;

	params = json_pack("{s:O,s:s}", "request", r->body,
	    "metadata-location", a->metadata_location);
	id = api_task_queue(r, KIND_PLAN, t, params);
	json_decref(params);
	if (id != NULL)
		pgl_reply_json(r, 200, json_pack("{s:s,s:s}", "status",
		    "submitted", "plan-id", id));
}

/* j's members and the part in hand's tasks, as text: no tree per task. */
static void
reply_inline(struct pgl_req *r, const struct scan_sink *sink, json_t *j)
{
	struct pgl_jw	 w;
	char		*head = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	if (head == NULL) {
		pgl_reply_ice_error(r, 500, "ServiceFailureException",
		    "out of memory");
		return;
	}
	head[strlen(head) - 1] = '\0';		/* the closing brace */
	jw_init(&w);
	jw_raw(&w, head);
	free(head);
	w.first = 0;
	scan_sink_body(sink, &w);
	jw_close(&w, '}');
	if (w.oom)
		pgl_reply_ice_error(r, 500, "ServiceFailureException",
		    "out of memory");
	else
		pgl_reply_raw(r, 200, "application/json", w.buf, w.len);
	jw_free(&w);
}

static void
reply_completed(struct pgl_req *r, struct scan_plan *p,
    const struct ice_target *t, const struct pgl_asset *a)
{
	json_t	*j;

	/* What the plan cost, for operators and the bench. */
	pgl_set_header(r, "x-pangolin-scan", pgl_arena_printf(r->arena,
	    "manifests-listed=%llu;manifests-read=%llu;bytes-read=%llu;"
	    "files=%llu;skipped-by-partition=%llu;skipped-by-metrics=%llu",
	    (unsigned long long)p->manifests_listed,
	    (unsigned long long)p->manifests_read,
	    (unsigned long long)p->bytes_read,
	    (unsigned long long)p->sink.files,
	    (unsigned long long)p->skipped_partition,
	    (unsigned long long)p->skipped_metrics));
	j = json_pack("{s:s,s:s}", "status", "completed", "plan-id",
	    p->sink.plan_id);
	add_credentials(r, t, a, j);
	if (p->sink.store) {
		json_object_set_new(j, "plan-tasks",
		    scan_plan_tasks(p->sink.plan_id, p->sink.parts));
		pgl_reply_json(r, 200, j);
		return;
	}
	reply_inline(r, &p->sink, j);
}

/* The plan made in the request; replies. */
static void
plan_inline(struct pgl_req *r, struct scan_plan *p,
    const struct ice_target *t, const struct pgl_asset *a)
{
	struct pgl_err	err;
	int		rc;

	memset(&err, 0, sizeof(err));
	if ((rc = scan_fetch_all(p, &err)) != 0) {
		reply_err(r, &err);
		return;
	}
	if (scan_files(p, &err) != 0 || scan_sink_flush(&p->sink, 1,
	    &err) == -1) {
		reply_err(r, &err);
		return;
	}
	reply_completed(r, p, t, a);
}

/* What the listed manifests weigh, by the manifest list's lengths. */
static int64_t
manifest_bytes(const struct scan_plan *p)
{
	int64_t	n = 0;
	size_t	i;

	for (i = 0; i < p->nmf; i++)
		n += p->mf[i].length > 0 ? p->mf[i].length : 0;
	return (n);
}

void
ice_plan_scan(struct pgl_req *r)
{
	struct ice_target	 t;
	struct pgl_asset	 a;
	struct scan_plan	 p;
	struct pgl_err		 err;
	json_t			*md;
	char			 id[PGL_UUID_LEN + 1];
	int			 max;

	if (pgl_req_body(r, plan_fields) == -1 || find_table(r, &t, &a) == -1 ||
	    ice_read_metadata(r, &t.catalog, a.metadata_location, 500,
	    &md) == -1)
		return;
	pgl_uuid_new(id);
	init_plan(&p, r, &t, &a, md, pgl_arena_strdup(r->arena, id));
	memset(&err, 0, sizeof(err));
	if (scan_req_parse(r, r->body, md, &p.q) == -1)
		goto out;
	if (scan_list(&p, &err) == -1) {
		reply_err(r, &err);
		goto out;
	}
	max = pgl_app.cfg->scan.sync_max_manifests;
	if (p.sink.can_store && (max == 0 || p.nmf > (size_t)max ||
	    manifest_bytes(&p) > SYNC_MAX_BYTES))
		submit(r, &t, &a);
	else
		plan_inline(r, &p, &t, &a);
out:
	scan_sink_free(&p.sink);
	json_decref(md);
}

static void
no_plan(struct pgl_req *r, const char *id)
{
	pgl_reply_ice_error(r, 404, "NoSuchPlanIdException", "no plan %.100s "
	    "for this table", id);
}

/* A task of this table's, or PGL_ENOTFOUND. */
static int
plan_task_row(struct pgl_req *r, const struct ice_target *t, const char *id,
    struct pgl_task *task)
{
	struct pgl_err	err;

	if (STORE(get_task, r->arena, r->tenant, id, task, &err) != PGL_OK ||
	    task->kind == NULL || strcmp(task->kind, KIND_PLAN) != 0 ||
	    task->catalog == NULL || strcmp(task->catalog, t->catalog.name) ||
	    task->table == NULL || strcmp(task->table, t->name) ||
	    task->ns == NULL || strcmp(task->ns, t->ns) ||
	    strcmp(task->branch != NULL ? task->branch : "main", t->branch))
		return (PGL_ENOTFOUND);
	return (PGL_OK);
}

/* Part seq of the plan, of this table; PGL_ENOTFOUND otherwise. */
static int
plan_part(struct pgl_req *r, const struct pgl_asset *a, const char *id,
    uint32_t seq, struct pgl_plan_part *part)
{
	struct pgl_err	err;

	if (!pgl_store_has_plan_parts(pgl_app.db) ||
	    STORE(get_plan_part, r->arena, r->tenant, id, seq, pgl_now_ms(),
	    part, &err) != PGL_OK || part->table == NULL ||
	    strcmp(part->table, a->id) != 0)
		return (PGL_ENOTFOUND);
	return (PGL_OK);
}

static void
reply_stored(struct pgl_req *r, const struct ice_target *t,
    const struct pgl_asset *a, const char *id)
{
	struct pgl_plan_part	 head;
	json_t			*h, *j;

	if (plan_part(r, a, id, 0, &head) != PGL_OK ||
	    (h = json_loads(head.body, 0, NULL)) == NULL) {
		no_plan(r, id);
		return;
	}
	j = json_pack("{s:s,s:o}", "status", "completed", "plan-tasks",
	    scan_plan_tasks(id, (uint32_t)json_integer_value(json_object_get(h,
	    "parts"))));
	json_decref(h);
	add_credentials(r, t, a, j);
	pgl_reply_json(r, 200, j);
}

static void
reply_task(struct pgl_req *r, const struct ice_target *t,
    const struct pgl_asset *a, const struct pgl_task *task)
{
	const char	*s = task->status != NULL ? task->status : "";

	if (strcmp(s, "succeeded") == 0)
		reply_stored(r, t, a, task->id);
	else if (strcmp(s, "cancelled") == 0)
		pgl_reply_json(r, 200, json_pack("{s:s}", "status",
		    "cancelled"));
	else if (strcmp(s, "failed") == 0)
		pgl_reply_json(r, 200, json_pack("{s:s,s:{s:s,s:s,s:i}}",
		    "status", "failed", "error", "message", task->error !=
		    NULL ? task->error : "planning failed", "type",
		    "ServiceFailureException", "code", 500));
	else
		pgl_reply_json(r, 200, json_pack("{s:s}", "status",
		    "submitted"));
}

void
ice_plan_fetch(struct pgl_req *r)
{
	struct ice_target	 t;
	struct pgl_asset	 a;
	struct pgl_task		 task;
	const char		*id = pgl_param(r, "plan-id");

	if (find_table(r, &t, &a) == -1)
		return;
	if (plan_task_row(r, &t, id, &task) == PGL_OK)
		reply_task(r, &t, &a, &task);
	else
		reply_stored(r, &t, &a, id);
}

void
ice_plan_cancel(struct pgl_req *r)
{
	struct ice_target	 t;
	struct pgl_asset	 a;
	struct pgl_task		 task;
	struct pgl_plan_part	 head;
	struct pgl_err		 err;
	const char		*id = pgl_param(r, "plan-id");

	if (find_table(r, &t, &a) == -1)
		return;
	if (plan_task_row(r, &t, id, &task) == PGL_OK)
		(void)STORE(cancel_task, r->tenant, id, &err);
	else if (plan_part(r, &a, id, 0, &head) != PGL_OK) {
		no_plan(r, id);
		return;
	}
	if (pgl_store_has_plan_parts(pgl_app.db) &&
	    STORE(delete_plan_parts, r->tenant, id, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	pgl_reply_empty(r, 204);
}

/* "<plan id>:<n>", n >= 1; -1 when it is not one. */
static int
parse_plan_task(struct pgl_req *r, const char *s, const char **id,
    uint32_t *seq)
{
	const char	*colon = s != NULL ? strrchr(s, ':') : NULL;
	char		*end;
	unsigned long	 n;

	if (colon == NULL || colon == s || colon[1] == '\0')
		return (-1);
	n = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || n == 0 || n > UINT32_MAX)
		return (-1);
	*id = pgl_arena_strndup(r->arena, s, (size_t)(colon - s));
	*seq = (uint32_t)n;
	return (0);
}

void
ice_scan_tasks(struct pgl_req *r)
{
	struct ice_target	 t;
	struct pgl_asset	 a;
	struct pgl_plan_part	 part;
	const char		*pt, *id;
	uint32_t		 seq;

	if (pgl_req_body(r, tasks_fields) == -1 || find_table(r, &t, &a) == -1)
		return;
	pt = pgl_json_str(r->body, "plan-task");
	if (parse_plan_task(r, pt, &id, &seq) == -1 ||
	    plan_part(r, &a, id, seq, &part) != PGL_OK) {
		pgl_reply_ice_error(r, 404, "NoSuchPlanTaskException", "no plan "
		    "task %.200s for this table", pt);
		return;
	}
	pgl_reply_raw(r, 200, "application/json", part.body, strlen(part.body));
}
