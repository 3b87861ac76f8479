/*
 * Background tasks, as plugins/sql-common/sql_tasks.c: a queue with
 * leases.  A claim is one findAndModify of one claimable document, which
 * MongoDB applies atomically to that document, so two runners never take
 * the same task.
 *
 * Tenants take turns, as in SQL: an expired lease first, else the
 * oldest queued task of the tenant whose last claim is the oldest
 * (tenants never claimed first, by their first task's time).  The
 * turn (task_tenants: tenant_id, claim_seq) is written after the claim,
 * not with it (no multi-document transaction on every deployment): two
 * racing runners may give a tenant two slots in a row, never take one
 * task twice.  A tenant missing from task_tenants (tasks queued before
 * the collection existed) is still served by the last step, the oldest
 * queued task of any tenant.
 */
#include "mongo_store.h"

static int	enter_turns(struct pgl_store *, const char *, int64_t,
		    struct pgl_err *);

static void
task_fill(struct doc *d, void *out)
{
	struct pgl_task	*t = out;

	t->id = doc_str(d, "id");
	t->tenant_id = doc_str(d, "tenant_id");
	t->kind = doc_str(d, "kind");
	t->status = doc_str(d, "status");
	t->catalog = doc_str(d, "catalog");
	t->branch = doc_str(d, "branch");
	t->ns = doc_str(d, "ns");
	t->table = doc_str(d, "tbl");
	t->params = doc_str(d, "params");
	t->progress_done = (uint64_t)doc_int(d, "progress_done");
	t->progress_total = (uint64_t)doc_int(d, "progress_total");
	t->phase = doc_str(d, "phase");
	t->message = doc_str(d, "message");
	t->result = doc_str(d, "result");
	t->error = doc_str(d, "error");
	t->attempts = (int)doc_int(d, "attempts");
	t->max_attempts = (int)doc_int(d, "max_attempts");
	t->created_by = doc_str(d, "created_by");
	t->lease_owner = doc_str(d, "lease_owner");
	t->lease_expires_ms = doc_int(d, "lease_expires_at");
	t->heartbeat_ms = doc_int(d, "heartbeat_at");
	t->cancel_requested = doc_int(d, "cancel_requested") != 0;
	t->created_at_ms = doc_int(d, "created_at");
	t->started_at_ms = doc_int(d, "started_at");
	t->finished_at_ms = doc_int(d, "finished_at");
	t->updated_at_ms = doc_int(d, "updated_at");
}

static const struct mg_shape	task_shape = {
	COLL_TASKS, sizeof(struct pgl_task), task_fill, "task", MG_NAME_NONE,
	"ns"
};

int
mongo_create_task(struct pgl_store *s, const struct pgl_task *t,
    struct pgl_err *err)
{
	bson_t	doc = BSON_INITIALIZER;
	int64_t	now = t->created_at_ms != 0 ? t->created_at_ms :
		    mongo_now_ms();
	int	rc;

	if (t->id == NULL || t->tenant_id == NULL || t->kind == NULL ||
	    t->params == NULL || t->max_attempts < 1)
		return (mongo_err(err, PGL_EINVAL, "invalid task (id, tenant, "
		    "kind, params and max_attempts are required)"));
	BSON_APPEND_UTF8(&doc, "id", t->id);
	BSON_APPEND_UTF8(&doc, "tenant_id", t->tenant_id);
	BSON_APPEND_UTF8(&doc, "kind", t->kind);
	BSON_APPEND_UTF8(&doc, "status", "queued");
	mg_str(&doc, "catalog", t->catalog);
	mg_str(&doc, "branch", t->branch);
	mg_str(&doc, "ns", t->ns);
	mg_str(&doc, "tbl", t->table);
	BSON_APPEND_UTF8(&doc, "params", t->params);
	BCON_APPEND(&doc, "progress_done", BCON_INT64(0), "progress_total",
	    BCON_INT64(0), "attempts", BCON_INT64(0), "max_attempts",
	    BCON_INT64(t->max_attempts));
	mg_str(&doc, "created_by", t->created_by);
	BCON_APPEND(&doc, "lease_expires_at", BCON_INT64(0), "heartbeat_at",
	    BCON_INT64(0), "cancel_requested", BCON_INT64(0), "created_at",
	    BCON_INT64(now), "started_at", BCON_INT64(0), "finished_at",
	    BCON_INT64(0), "updated_at", BCON_INT64(now));
	rc = mg_insert(s, err, COLL_TASKS, &doc);
	bson_destroy(&doc);
	if (rc == PGL_OK)
		rc = enter_turns(s, t->tenant_id, now, err);
	return (rc);
}

int
mongo_get_task(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    const char *id, struct pgl_task *out, struct pgl_err *err)
{
	return (mg_get_by(s, a, err, &task_shape, out, "tenant_id", tenant,
	    "id", id, NULL));
}

static void
filter_opt(bson_t *b, const char *field, const char *value)
{
	if (value != NULL)
		BSON_APPEND_UTF8(b, field, value);
}

int
mongo_list_tasks(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    const struct pgl_task_filter *f, const struct pgl_page *page,
    struct pgl_task **items, size_t *n, uint64_t *total, struct pgl_err *err)
{
	bson_t	filter = BSON_INITIALIZER;
	bson_t	*sort = BCON_NEW("created_at", BCON_INT32(-1), "id",
		    BCON_INT32(-1));
	int	 rc;

	mg_str(&filter, "tenant_id", tenant);
	filter_opt(&filter, "status", f->status);
	filter_opt(&filter, "kind", f->kind);
	filter_opt(&filter, "catalog", f->catalog);
	filter_opt(&filter, "tbl", f->table);
	filter_opt(&filter, "created_by", f->created_by);
	rc = mg_page(s, a, err, &task_shape, &filter, sort, page, items, n,
	    total);
	bson_destroy(sort);
	bson_destroy(&filter);
	return (rc);
}

/* started_at is set by the first claim only. */
static int
mark_started(struct pgl_store *s, struct pgl_task *t, int64_t now,
    struct pgl_err *err)
{
	bson_t	*filter, *up;
	int	 rc;

	filter = BCON_NEW("id", BCON_UTF8(t->id), "lease_owner",
	    BCON_UTF8(t->lease_owner), "started_at", BCON_INT64(0));
	up = BCON_NEW("$set", "{", "started_at", BCON_INT64(now), "}");
	rc = mg_update(s, err, COLL_TASKS, filter, up, 0, NULL);
	if (rc == PGL_OK)
		t->started_at_ms = now;
	bson_destroy(filter);
	bson_destroy(up);
	return (rc);
}

/* A tenant enters the turns at its first task, at the front (seq 0;
 * among those never claimed, the longest waiting first). */
static int
enter_turns(struct pgl_store *s, const char *tenant, int64_t at,
    struct pgl_err *err)
{
	bson_t	*filter, *doc;
	int	 found, rc;

	filter = BCON_NEW("tenant_id", BCON_UTF8(tenant));
	rc = mg_exists(s, err, COLL_TASK_TENANTS, filter, &found);
	if (rc == PGL_OK && !found) {
		doc = BCON_NEW("tenant_id", BCON_UTF8(tenant), "claim_seq",
		    BCON_INT64(0), "entered_at", BCON_INT64(at));
		rc = mg_insert(s, err, COLL_TASK_TENANTS, doc);
		/* A racing create entered it first. */
		if (rc == PGL_EEXISTS)
			rc = PGL_OK;
		bson_destroy(doc);
	}
	bson_destroy(filter);
	return (rc);
}

static void
seq_fill(struct doc *d, void *out)
{
	*(int64_t *)out = doc_int(d, "claim_seq");
}

static void
tenant_fill(struct doc *d, void *out)
{
	*(const char **)out = doc_str(d, "tenant_id");
}

/* The claimed tenant goes to the back: one more than the last turn. */
static int
take_turn(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    struct pgl_err *err)
{
	struct pgl_page	 one = { 1, 0, NULL };
	bson_t		 all = BSON_INITIALIZER, *sort, *filter, *up;
	void		*p = NULL;
	size_t		 n = 0;
	int64_t		 last = 0;
	int		 rc;

	if ((rc = enter_turns(s, tenant, 0, err)) != PGL_OK)
		return (rc);
	sort = BCON_NEW("claim_seq", BCON_INT32(-1), "tenant_id",
	    BCON_INT32(-1));
	rc = mg_list(s, a, err, COLL_TASK_TENANTS, &all, sort, &one, seq_fill,
	    sizeof(last), &p, &n);
	if (rc == PGL_OK && n == 1)
		last = *(int64_t *)p;
	if (rc == PGL_OK) {
		filter = BCON_NEW("tenant_id", BCON_UTF8(tenant));
		up = BCON_NEW("$set", "{", "claim_seq", BCON_INT64(last + 1),
		    "}");
		rc = mg_update(s, err, COLL_TASK_TENANTS, filter, up, 0, NULL);
		bson_destroy(filter);
		bson_destroy(up);
	}
	bson_destroy(sort);
	bson_destroy(&all);
	return (rc);
}

/* One findAndModify: the oldest task matching filter becomes ours. */
static int
claim_one(struct pgl_store *s, struct pgl_arena *a, bson_t *filter,
    const char *lease_owner, int64_t now_ms, int64_t lease_ms,
    struct pgl_task *out, struct pgl_err *err)
{
	bson_t	*sort, *up;
	int	 rc;

	sort = BCON_NEW("created_at", BCON_INT32(1), "id", BCON_INT32(1));
	up = BCON_NEW("$set", "{", "status", BCON_UTF8("running"),
	    "lease_owner", BCON_UTF8(lease_owner), "lease_expires_at",
	    BCON_INT64(now_ms + lease_ms), "heartbeat_at", BCON_INT64(now_ms),
	    "updated_at", BCON_INT64(now_ms), "}",
	    "$inc", "{", "attempts", BCON_INT64(1), "}");
	rc = mg_find_and_modify(s, a, err, COLL_TASKS, filter, sort, up,
	    task_fill, out);
	bson_destroy(filter);
	bson_destroy(sort);
	bson_destroy(up);
	return (rc);
}

/* The oldest queued task of the first tenant in turn order that has one. */
static int
claim_in_turn(struct pgl_store *s, struct pgl_arena *a,
    const char *lease_owner, int64_t now_ms, int64_t lease_ms,
    struct pgl_task *out, struct pgl_err *err)
{
	bson_t		 all = BSON_INITIALIZER, *sort, *filter;
	const char	**tenants;
	void		*p = NULL;
	size_t		 i, n = 0;
	int		 rc;

	sort = BCON_NEW("claim_seq", BCON_INT32(1), "entered_at",
	    BCON_INT32(1), "tenant_id", BCON_INT32(1));
	rc = mg_list(s, a, err, COLL_TASK_TENANTS, &all, sort, NULL,
	    tenant_fill, sizeof(*tenants), &p, &n);
	bson_destroy(sort);
	bson_destroy(&all);
	if (rc != PGL_OK)
		return (rc);
	tenants = p;
	for (i = 0, rc = PGL_ENOTFOUND; i < n && rc == PGL_ENOTFOUND; i++) {
		if (tenants[i] == NULL)
			continue;
		filter = BCON_NEW("tenant_id", BCON_UTF8(tenants[i]),
		    "status", BCON_UTF8("queued"));
		rc = claim_one(s, a, filter, lease_owner, now_ms, lease_ms,
		    out, err);
	}
	return (rc);
}

int
mongo_claim_task(struct pgl_store *s, struct pgl_arena *a,
    const char *lease_owner, int64_t now_ms, int64_t lease_ms,
    struct pgl_task *out, struct pgl_err *err)
{
	int	rc;

	rc = claim_one(s, a, BCON_NEW("status", BCON_UTF8("running"),
	    "lease_expires_at", "{", "$lte", BCON_INT64(now_ms), "}"),
	    lease_owner, now_ms, lease_ms, out, err);
	if (rc == PGL_ENOTFOUND)
		rc = claim_in_turn(s, a, lease_owner, now_ms, lease_ms, out,
		    err);
	if (rc == PGL_ENOTFOUND)
		rc = claim_one(s, a, BCON_NEW("status", BCON_UTF8("queued")),
		    lease_owner, now_ms, lease_ms, out, err);
	if (rc == PGL_ENOTFOUND)
		return (mongo_err(err, rc, "no task to claim"));
	if (rc == PGL_OK && out->started_at_ms == 0)
		rc = mark_started(s, out, now_ms, err);
	if (rc == PGL_OK)
		rc = take_turn(s, a, out->tenant_id, err);
	return (rc);
}

static int
ended(const char *status)
{
	return (strcmp(status, "succeeded") == 0 ||
	    strcmp(status, "failed") == 0 || strcmp(status, "cancelled") == 0);
}

int
mongo_update_task(struct pgl_store *s, const struct pgl_task *t,
    struct pgl_err *err)
{
	bson_t		filter = BSON_INITIALIZER, up = BSON_INITIALIZER, set;
	int64_t		now = mongo_now_ms();
	int		handback = strcmp(t->status, "queued") == 0, rc;
	uint64_t	matched;

	mg_str(&filter, "id", t->id);
	mg_str(&filter, "lease_owner", t->lease_owner);
	BSON_APPEND_UTF8(&filter, "status", "running");
	BSON_APPEND_DOCUMENT_BEGIN(&up, "$set", &set);
	BSON_APPEND_UTF8(&set, "status", t->status);
	BCON_APPEND(&set, "progress_done", BCON_INT64((int64_t)
	    t->progress_done), "progress_total", BCON_INT64((int64_t)
	    t->progress_total));
	mg_str(&set, "phase", t->phase);
	mg_str(&set, "message", t->message);
	mg_str(&set, "result", t->result);
	mg_str(&set, "error", t->error);
	mg_str(&set, "lease_owner", handback ? NULL : t->lease_owner);
	BCON_APPEND(&set, "lease_expires_at", BCON_INT64(handback ? 0 :
	    t->lease_expires_ms), "heartbeat_at", BCON_INT64(now),
	    "updated_at", BCON_INT64(now));
	if (ended(t->status))
		BSON_APPEND_INT64(&set, "finished_at", now);
	bson_append_document_end(&up, &set);
	rc = mg_update(s, err, COLL_TASKS, &filter, &up, 0, &matched);
	if (rc == PGL_OK && matched == 0)
		rc = mongo_err(err, PGL_ECONFLICT, "task %s is no longer held "
		    "by %s", t->id, t->lease_owner != NULL ? t->lease_owner :
		    "(none)");
	bson_destroy(&filter);
	bson_destroy(&up);
	return (rc);
}

/* One step of a cancel: the task in status gets set; matched or not. */
static int
cancel_step(struct pgl_store *s, const char *tenant, const char *id,
    const char *status, const bson_t *set, uint64_t *matched,
    struct pgl_err *err)
{
	bson_t	*filter, up = BSON_INITIALIZER;
	int	 rc;

	filter = BCON_NEW("tenant_id", BCON_UTF8(tenant), "id", BCON_UTF8(id),
	    "status", BCON_UTF8(status));
	BSON_APPEND_DOCUMENT(&up, "$set", set);
	rc = mg_update(s, err, COLL_TASKS, filter, &up, 0, matched);
	bson_destroy(filter);
	bson_destroy(&up);
	return (rc);
}

int
mongo_cancel_task(struct pgl_store *s, const char *tenant, const char *id,
    struct pgl_err *err)
{
	bson_t		*now_cancelled, *requested, *key;
	int64_t		 now = mongo_now_ms();
	uint64_t	 matched = 0;
	int		 found = 0, rc;

	if (tenant == NULL || id == NULL)
		return (mongo_err(err, PGL_ENOTFOUND, "task not found"));
	now_cancelled = BCON_NEW("status", BCON_UTF8("cancelled"),
	    "cancel_requested", BCON_INT64(1), "finished_at", BCON_INT64(now),
	    "updated_at", BCON_INT64(now));
	requested = BCON_NEW("cancel_requested", BCON_INT64(1), "updated_at",
	    BCON_INT64(now));
	key = BCON_NEW("tenant_id", BCON_UTF8(tenant), "id", BCON_UTF8(id));
	/* Queued first: one claimed in between is caught as running. */
	rc = cancel_step(s, tenant, id, "queued", now_cancelled, &matched, err);
	if (rc == PGL_OK && matched == 0)
		rc = cancel_step(s, tenant, id, "running", requested, &matched,
		    err);
	if (rc == PGL_OK && matched == 0) {
		rc = mg_exists(s, err, COLL_TASKS, key, &found);
		if (rc == PGL_OK)
			rc = found ? mongo_err(err, PGL_ECONFLICT, "task %s has "
			    "already ended", id) : mongo_err(err, PGL_ENOTFOUND,
			    "task not found");
	}
	bson_destroy(now_cancelled);
	bson_destroy(requested);
	bson_destroy(key);
	return (rc);
}
