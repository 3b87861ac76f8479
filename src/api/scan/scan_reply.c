/*
 * The answers of a plan (api/scan/scan.h): its errors in the Iceberg
 * envelope, a completed plan (inline, or its plan tasks when stored) with
 * the table's credentials, and a plan handed to a task ("submitted").
 * Shared by the routes (scan_routes.c) and the plans made off the
 * worker's thread (scan_job.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/read/policies.h"
#include "api/read/read.h"
#include "api/scan/scan.h"
#include "api/storage/storage.h"
#include "api/target.h"
#include "api/tasks/task.h"
#include "util/arena.h"

#define KIND_PLAN	"scan_plan"

void
scan_reply_err(struct pgl_req *r, const struct pgl_err *err)
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
int
scan_add_credentials(struct pgl_req *r, const struct ice_target *t,
    const struct pgl_asset *a, json_t *j)
{
	json_t	*vended, *md, *rr = NULL;
	int	 any, rc;

	/* The caller's read restrictions, as loadTable answers them: the
	 * plan applied their row filter (scan_routes.c). */
	if ((any = ice_policies_any(r)) == -1)
		return (-1);
	if (any == 1) {
		if (ice_read_metadata(r, &t->catalog, a->metadata_location, 500,
		    &md) == -1)
			return (-1);
		rc = ice_read_restrictions(r, t->catalog.name, t->ns, t->name,
		    a->id, md, &rr, NULL);
		json_decref(md);
		if (rc == -1)
			return (-1);
	}
	if (rr != NULL) {
		if (pgl_header(r, "x-iceberg-access-delegation") != NULL &&
		    !ice_caller_enforces(r)) {
			json_decref(rr);
			return (ice_storage_refused(r, t->name));
		}
		pgl_set_header(r, "cache-control", "private");
		json_object_set_new(j, "read-restrictions", rr);
	}
	vended = api_vended_config(r, &t->catalog, t->name);
	pgl_set_header(r, "vary", "X-Iceberg-Access-Delegation");
	if (vended == NULL)
		return (0);
	json_object_set_new(j, "storage-credentials", json_pack("[{s:s,s:o}]",
	    "prefix", a->location != NULL ? a->location : "", "config",
	    vended));
	return (0);
}

/*
 * A plan not made in the request's wait: a task, answered "submitted".
 * Its result will be stored, so it is counted against the stored plans
 * (a plan more) before it is queued, and against the tasks.
 */
void
scan_submit(struct pgl_req *r, const struct ice_target *t,
    const struct pgl_asset *a)
{
	const char	*id;
	json_t		*params;

	if (scan_quota_check(r, 0, 1) == -1)
		return;

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

void
scan_reply_completed(struct pgl_req *r, struct scan_plan *p,
    const struct ice_target *t, const struct pgl_asset *a)
{
	json_t	*j;

	/* What the plan cost, for operators and the bench; not to a
	 * restricted caller, to whom what was skipped by metrics would
	 * tell of rows and values its restrictions hide. */
	if (p->q.scope == NULL || *p->q.scope == '\0')
		pgl_set_header(r, "x-pangolin-scan", pgl_arena_printf(
		    r->arena, "manifests-listed=%llu;manifests-read=%llu;"
		    "bytes-read=%llu;files=%llu;skipped-by-partition=%llu;"
		    "skipped-by-metrics=%llu",
		    (unsigned long long)p->manifests_listed,
		    (unsigned long long)p->manifests_read,
		    (unsigned long long)p->bytes_read,
		    (unsigned long long)p->sink.files,
		    (unsigned long long)p->skipped_partition,
		    (unsigned long long)p->skipped_metrics));
	j = json_pack("{s:s,s:s}", "status", "completed", "plan-id",
	    p->sink.plan_id);
	if (scan_add_credentials(r, t, a, j) == -1) {
		json_decref(j);
		return;
	}
	if (p->sink.store) {
		json_object_set_new(j, "plan-tasks",
		    scan_plan_tasks(p->sink.plan_id, p->sink.parts));
		pgl_reply_json(r, 200, j);
		return;
	}
	reply_inline(r, &p->sink, j);
}
