/*
 * A plan made for a request, off the worker's thread (issue 42).
 *
 * Planning once ran in the request when it read few manifests: four
 * users of one tenant planning 28,000-file scans took another tenant's
 * p50 from under a millisecond to 385-730 ms, since a Kore worker is one
 * thread.  Now no plan runs on the event loop.  The handler reads what
 * the plan needs (the table, its metadata, the request bound to it, the
 * catalog's storage, the cached list) and hands the plan to the worker's
 * planning threads (the write pool's CPU lane, at a lower priority),
 * within its tenant's slots (scan_gate.c); the request waits, pended, and
 * the worker serves others.  The job runs in two steps, each ended by a
 * done() on the worker's thread, which alone touches the cache, the store
 * and the request:
 *
 *   list   the manifest list walked into the manifests worth reading
 *          (its packed form pinned from the cache, or read and packed);
 *          done() caches the pack and pins the manifests the cache holds
 *   walk   every manifest walked (the pinned ones, the rest read from
 *          storage by the thread), file scan tasks cut into parts kept in
 *          memory; done() caches what was read, and answers: one part
 *          inline, more stored in one transaction within the tenant's
 *          quota (scan_quota.c)
 *
 * A plan still going after [scan] sync_wait_ms (counted from the request),
 * reading more than [scan] sync_max_manifests manifests or
 * JOB_MAX_MANIFEST_BYTES of them, or holding more than
 * JOB_MAX_RESULT_BYTES of parts is handed to a task instead and answered
 * "submitted": the job stops where it is (the walk asks between
 * manifests and every few hundred entries).  Clients that do not poll
 * (PyIceberg) so get "completed" for every plan made within the wait.  On
 * a store no runner sees (the memory store) the request waits for its
 * plan however long it takes.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/cache/cache.h"
#include "api/gate.h"
#include "api/request/fetch.h"
#include "api/scan/scan.h"
#include "api/storage/storage.h"
#include "api/tasks/task.h"
#include "app/app.h"
#include "metrics/limits.h"
#include "metrics/metrics.h"
#include "plugin/loader.h"
#include "storage/obj_job.h"
#include "storage/write_pool.h"
#include "util/arena.h"
#include "util/str.h"
#include "util/uuid.h"

/*
 * Manifest bytes (by the list's lengths) a plan made for a request may
 * read: they are held until done() caches them.  A larger plan is a
 * task's from the start.
 */
#define JOB_MAX_MANIFEST_BYTES	(32ULL * 1024 * 1024)
/*
 * Parts a plan made for a request may hold: done() stores them on the
 * worker's thread in one transaction, so this bounds the store write one
 * plan costs the event loop.  A larger plan is a task's, written part by
 * part in a runner.
 */
#define JOB_MAX_RESULT_BYTES	(16ULL * 1024 * 1024)
/* Retry-After of a plan refused for its tenant's slots. */
#define BUSY_RETRY_SECS		1

enum { PHASE_LIST, PHASE_WALK };

/* A manifest the thread read, for done() to cache. */
struct fresh {
	struct fresh	*next;
	char		*path;
	char		*buf;
	size_t		 len;
};

struct scan_job {
	struct pgl_wjob		 w;		/* first: the pool's */
	struct scan_gate_item	 gate;
	struct pgl_req		*r;
	struct ice_target	 t;
	struct pgl_asset	 a;
	json_t			*md;
	struct scan_plan	 p;
	struct pgl_storage	 st;		/* the job's copy */
	int			 phase;
	uint64_t		 deadline_us;	/* 0: none */
	int			 handable;	/* a task could make it */
	const char		*list;		/* NULL: an empty table */
	const char		*list_key;
	const void		*packed;	/* pinned from the cache */
	size_t			 packed_len;
	void			*packed_ref;
	struct scan_pack	 pack;		/* made here, cached in done() */
	struct fresh		*fresh;
	size_t			 fresh_bytes;
	int			 rc;
	struct pgl_err		 err;
	char			 plan_id[PGL_UUID_LEN + 1];
	char			 tenant[PGL_UUID_LEN + 1];
};

static void	run(struct pgl_wjob *);
static void	done(struct pgl_wjob *, int);

/* ---- on a planning thread ------------------------------------------ */

/* scan_plan.stop: past the wait, or the server stopping. */
static int
job_stop(struct scan_plan *p)
{
	struct scan_job	*j = p->job;

	if (pgl_wpool_stopping())
		p->stopped = SCAN_STOP_SERVER;
	else if (j->deadline_us != 0 && pgl_now_us() >= j->deadline_us)
		p->stopped = SCAN_STOP_WAIT;
	return (p->stopped != SCAN_GOING);
}

/*
 * scan_plan.read: from the job's storage, never the request's.  What is
 * read stays for done() to cache while the bytes kept are few (the
 * list's lengths may lie); ref NULL then, else ref is the bytes to free.
 */
static int
job_read(struct scan_plan *p, const char *path, int cache, const void **buf,
    size_t *len, void **ref, struct pgl_err *err)
{
	struct scan_job	*j = p->job;
	struct fresh	*f;
	char		*raw;
	int		 rc;

	if ((rc = pgl_obj_read(&j->st, path, SCAN_MANIFEST_MAX, &raw, len,
	    err)) != PGL_OK)
		return (rc);
	p->bytes_read += *len;
	*buf = raw;
	*ref = raw;
	if (!cache || j->fresh_bytes + *len > JOB_MAX_MANIFEST_BYTES ||
	    (f = calloc(1, sizeof(*f))) == NULL)
		return (PGL_OK);
	if ((f->path = strdup(path)) == NULL) {
		free(f);
		return (PGL_OK);
	}
	f->buf = raw;
	f->len = *len;
	f->next = j->fresh;
	j->fresh = f;
	j->fresh_bytes += *len;
	*ref = NULL;
	return (PGL_OK);
}

static void
job_release(struct scan_plan *p, void *ref)
{
	(void)p;
	free(ref);
}

static int
run_list(struct scan_job *j)
{
	struct scan_plan	*p = &j->p;
	const void		*buf;
	void			*ref;
	size_t			 len;
	int			 rc;

	if (job_stop(p))
		return (SCAN_STOPPED);
	if (j->list == NULL)
		return (0);
	if (j->packed != NULL && (rc = scan_list_walk(p, j->list, j->packed,
	    j->packed_len, 1, NULL, &j->err)) != 1)
		return (rc);
	if ((rc = job_read(p, j->list, 0, &buf, &len, &ref, &j->err)) !=
	    PGL_OK) {
		scan_fail(&j->err, rc, "cannot read manifest list", j->list);
		return (-1);
	}
	rc = scan_list_walk(p, j->list, buf, len, 0, &j->pack, &j->err);
	job_release(p, ref);
	return (rc);
}

static int
run_walk(struct scan_job *j)
{
	struct scan_plan	*p = &j->p;
	int			 rc;

	if ((rc = scan_files(p, &j->err)) == 0)
		rc = scan_sink_flush(&p->sink, 1, &j->err);
	if (rc == -1 && p->sink.full)
		p->stopped = SCAN_STOP_SIZE;
	return (p->stopped != SCAN_GOING ? SCAN_STOPPED : rc);
}

static void
run(struct pgl_wjob *w)
{
	struct scan_job	*j = (struct scan_job *)w;

	j->rc = j->phase == PHASE_LIST ? run_list(j) : run_walk(j);
}

/* ---- on the worker's thread ----------------------------------------- */

static void
unpin(struct scan_job *j)
{
	struct fresh	*f;
	size_t		 i;

	if (j->packed_ref != NULL)
		api_mcache_unref(j->packed_ref);
	j->packed_ref = NULL;
	j->packed = NULL;
	for (i = 0; i < j->p.nmf; i++) {
		if (j->p.mf[i].ref != NULL)
			api_mcache_unref(j->p.mf[i].ref);
		j->p.mf[i].ref = NULL;
		j->p.mf[i].buf = NULL;
	}
	while ((f = j->fresh) != NULL) {
		j->fresh = f->next;
		free(f->path);
		free(f->buf);
		free(f);
	}
	j->fresh_bytes = 0;
	scan_pack_free(&j->pack);
}

static void
job_free(struct scan_job *j)
{
	unpin(j);
	scan_sink_free(&j->p.sink);
	if (j->p.arena != NULL)
		pgl_arena_free(j->p.arena);
	pgl_storage_release(&j->st);
	json_decref(j->md);
	free(j);
}

/* r is answered (or gone): the job ends, the tenant's next starts. */
static void
finish(struct scan_job *j)
{
	struct pgl_req	*r = j->r;
	char		 tenant[sizeof(j->tenant)];

	(void)pgl_strlcpy(tenant, j->tenant, sizeof(tenant));
	job_free(j);
	pgl_req_done(r);
	scan_gate_leave(tenant);
}

static void
refuse_stopping(struct pgl_req *r)
{
	pgl_set_header(r, "retry-after", "1");
	pgl_reply_ice_error(r, 503, "ServiceUnavailableException", "the "
	    "server is stopping, or has no planning threads; retry");
}

static int
submit(struct scan_job *j, int phase)
{
	j->phase = phase;
	j->w.run = run;
	j->w.done = done;
	return (pgl_wpool_submit_cpu(&j->w));
}

/* Not done within the wait, or too large for a request: a task's. */
static void
hand_off(struct scan_job *j)
{
	if (j->p.stopped == SCAN_STOP_SERVER) {
		refuse_stopping(j->r);
		return;
	}
	pgl_metrics_inc(PGL_C_SCAN_HANDED);
	scan_submit(j->r, &j->t, &j->a);
}

static void
listed(struct scan_job *j)
{
	struct scan_plan	*p = &j->p;
	struct scan_manifest	*m;
	int64_t			 bytes = 0;
	size_t			 i;
	int			 max = pgl_app.cfg->scan.sync_max_manifests;

	if (j->rc == 0 && !j->pack.oom && j->pack.len > 0)
		api_mcache_put(j->list_key, j->pack.p, j->pack.len);
	unpin(j);
	if (j->r->gone) {
		finish(j);
		return;
	}
	if (j->rc == SCAN_STOPPED || j->rc != 0) {
		if (j->rc == SCAN_STOPPED)
			hand_off(j);
		else
			scan_reply_err(j->r, &j->err);
		finish(j);
		return;
	}
	for (i = 0; i < p->nmf; i++)
		bytes += p->mf[i].length > 0 ? p->mf[i].length : 0;
	if (j->handable && ((max > 0 && p->nmf > (size_t)max) ||
	    bytes > (int64_t)JOB_MAX_MANIFEST_BYTES)) {
		hand_off(j);
		finish(j);
		return;
	}
	/* What the cache holds is walked where it lies. */
	for (i = 0; i < p->nmf; i++) {
		m = &p->mf[i];
		if (api_mcache_ref(scan_manifest_key(p, m->path), &m->buf,
		    &m->len, &m->ref) != PGL_OK) {
			m->buf = NULL;
			m->ref = NULL;
		}
	}
	if (submit(j, PHASE_WALK) == -1) {
		refuse_stopping(j->r);
		finish(j);
	}
}

/* The kept parts, one transaction; 0, or -1 after replying. */
static int
store_parts(struct scan_job *j)
{
	struct scan_sink	*s = &j->p.sink;
	struct pgl_plan_part	 part;
	struct scan_part	*k;
	struct pgl_err		 err;
	int			 rc = PGL_OK;

	if (scan_quota_check(j->r, s->bytes, 1) == -1)
		return (-1);
	memset(&err, 0, sizeof(err));
	if (STORE(begin, &err) != PGL_OK) {
		pgl_reply_store_error(j->r, &err);
		return (-1);
	}
	for (k = s->kept; k != NULL && rc == PGL_OK; k = k->next) {
		memset(&part, 0, sizeof(part));
		part.plan_id = s->plan_id;
		part.seq = k->seq;
		part.table = s->table;
		part.body = k->body;
		part.expires_at_ms = scan_unfetched_expiry();
		rc = STORE(put_plan_part, j->tenant, &part, &err);
	}
	if (rc == PGL_OK)
		rc = STORE(commit, &err);
	if (rc != PGL_OK) {
		(void)STORE(rollback, &err);
		pgl_reply_store_error(j->r, &err);
		return (-1);
	}
	return (0);
}

static void
walked(struct scan_job *j)
{
	struct scan_plan	*p = &j->p;
	struct fresh		*f;

	for (f = j->fresh; f != NULL; f = f->next)
		api_mcache_put(scan_manifest_key(p, f->path), f->buf, f->len);
	unpin(j);
	if (j->r->gone) {
		finish(j);
		return;
	}
	if (j->rc == SCAN_STOPPED)
		hand_off(j);
	else if (j->rc != 0 && p->sink.too_large)
		pgl_reply_ice_error(j->r, 400, "BadRequestException", "%s",
		    j->err.msg);
	else if (j->rc != 0)
		scan_reply_err(j->r, &j->err);
	else if (!p->sink.store || store_parts(j) == 0) {
		pgl_metrics_inc(PGL_C_SCAN_POOL_PLANS);
		scan_reply_completed(j->r, p, &j->t, &j->a);
	}
	finish(j);
}

static void
done(struct pgl_wjob *w, int stopped)
{
	struct scan_job	*j = (struct scan_job *)w;

	api_count_s3();
	if (stopped) {
		unpin(j);
		refuse_stopping(j->r);
		finish(j);
	} else if (j->phase == PHASE_LIST)
		listed(j);
	else
		walked(j);
}

/* scan_gate_item.start: a slot freed for a waiting plan. */
static void
gate_start(struct scan_gate_item *it)
{
	struct scan_job	*j = (struct scan_job *)(void *)((char *)it -
			    offsetof(struct scan_job, gate));

	if (j->r->gone) {
		finish(j);
		return;
	}
	/* Its wait is over already: no thread spent on it. */
	if (j->deadline_us != 0 && pgl_now_us() >= j->deadline_us) {
		j->p.stopped = SCAN_STOP_WAIT;
		unpin(j);
		hand_off(j);
		finish(j);
		return;
	}
	if (submit(j, PHASE_LIST) == -1) {
		unpin(j);
		refuse_stopping(j->r);
		finish(j);
	}
}

static void
refuse_busy(struct pgl_req *r, int running, int waiting)
{
	const struct pgl_config	*cfg = pgl_app.cfg;
	const char		*msg;
	json_t			*j;

	msg = pgl_arena_printf(r->arena, "too many scan plans of this tenant "
	    "at once: %d being made and %d waiting on this server process, the "
	    "limits are %d and %d (PANGOLIN_SCAN_MAX_RUNNING_PER_TENANT, "
	    "PANGOLIN_SCAN_MAX_WAITING_PER_TENANT); retry in %d s", running,
	    waiting, cfg->scan.max_running_per_tenant,
	    cfg->scan.max_waiting_per_tenant, BUSY_RETRY_SECS);
	j = api_too_many(r, msg, BUSY_RETRY_SECS);
	json_object_set_new(j, "running", json_integer(running));
	json_object_set_new(j, "waiting", json_integer(waiting));
	json_object_set_new(j, "limit_running", json_integer(
	    cfg->scan.max_running_per_tenant));
	json_object_set_new(j, "limit_waiting", json_integer(
	    cfg->scan.max_waiting_per_tenant));
	pgl_limit_hit(PGL_LIMIT_SCAN_BUSY,
	    (uint64_t)cfg->scan.max_waiting_per_tenant);
	pgl_reply_json(r, 429, j);
}

static void
init_plan(struct scan_job *j, const struct scan_req *q)
{
	struct scan_plan	*p = &j->p;
	struct scan_sink	*s = &p->sink;

	p->tenant = j->tenant;
	p->cat = &j->t.catalog;
	p->md = j->md;
	p->q = *q;
	p->read = job_read;
	p->release = job_release;
	p->stop = job_stop;
	p->job = j;
	s->arena = p->arena;
	s->tenant = j->tenant;
	s->plan_id = j->plan_id;
	s->table = j->a.id;
	s->scope = q->scope;
	s->per_part = (size_t)pgl_app.cfg->scan.tasks_per_part;
	s->can_store = pgl_store_has_plan_parts(pgl_app.db);
	s->keep = 1;
	s->max_bytes = (uint64_t)pgl_app.cfg->scan.max_plan_bytes;
	/* A plan no task could make (no runner sees the store, or the
	 * store keeps no parts) is waited for however long it takes. */
	j->handable = s->can_store && !api_task_runs_inline();
	s->keep_max = j->handable ? JOB_MAX_RESULT_BYTES : 0;
	s->kept_tail = &s->kept;
}

/* The job for r, its storage copied and its list looked up; NULL after
 * replying. */
static struct scan_job *
job_new(struct pgl_req *r, const struct ice_target *t,
    const struct pgl_asset *a, json_t *md, const struct scan_req *q)
{
	const struct pgl_storage	*st;
	struct scan_job			*j;

	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->p.arena = pgl_arena_new()) == NULL) {
		free(j);
		json_decref(md);
		pgl_reply_ice_error(r, 503, "ServiceUnavailableException",
		    "out of memory");
		return (NULL);
	}
	j->r = r;
	j->t = *t;
	j->a = *a;
	j->md = md;
	(void)pgl_strlcpy(j->tenant, r->tenant, sizeof(j->tenant));
	(void)pgl_strlcpy(j->gate.tenant, r->tenant, sizeof(j->gate.tenant));
	j->gate.start = gate_start;
	pgl_uuid_new(j->plan_id);
	init_plan(j, q);
	if (api_storage(r, &j->t.catalog, &st, &j->err) != PGL_OK ||
	    pgl_storage_copy(&j->st, st) == -1 ||
	    scan_list_path(&j->p, &j->list, &j->err) == -1) {
		if (j->err.msg[0] == '\0')
			(void)snprintf(j->err.msg, sizeof(j->err.msg),
			    "out of memory");
		scan_reply_err(r, &j->err);
		job_free(j);
		return (NULL);
	}
	if (j->list != NULL) {
		j->list_key = scan_list_key(&j->p, j->list);
		if (api_mcache_ref(j->list_key, &j->packed, &j->packed_len,
		    &j->packed_ref) != PGL_OK) {
			j->packed = NULL;
			j->packed_ref = NULL;
		}
	}
	return (j);
}

void
scan_job_start(struct pgl_req *r, const struct ice_target *t,
    const struct pgl_asset *a, json_t *md, const struct scan_req *q)
{
	const struct pgl_config	*cfg = pgl_app.cfg;
	struct scan_job		*j;
	int			 running, waiting, rc;

	/* 0: every plan is a task (the store keeping its parts). */
	if (pgl_store_has_plan_parts(pgl_app.db) && (cfg->scan.sync_wait_ms ==
	    0 || cfg->scan.sync_max_manifests == 0)) {
		json_decref(md);
		scan_submit(r, t, a);
		return;
	}
	if ((j = job_new(r, t, a, md, q)) == NULL)
		return;
	if (j->handable)
		j->deadline_us = r->start_us +
		    (uint64_t)cfg->scan.sync_wait_ms * 1000;
	if ((rc = scan_gate_enter(&j->gate, &running, &waiting)) == -1) {
		refuse_busy(r, running, waiting);
		job_free(j);
		return;
	}
	if (rc == 0 && submit(j, PHASE_LIST) == -1) {
		refuse_stopping(r);
		job_free(j);
		scan_gate_leave(r->tenant);
		return;
	}
	pgl_req_pend(r);
}
