/*
 * Where a plan's file scan tasks go: the part in hand, as JSON text (the
 * elements of its file-scan-tasks and delete-files arrays, util/jw.h), of
 * at most [scan] tasks_per_part tasks and PART_MAX_BYTES of text with
 * the delete files they name (indexes local to the part, so each part is
 * a whole ScanTasks answer); once a part is full, the store.  A plan made
 * in a request stores nothing until its first part fills; a task's plan
 * stores every part.  Part 0, written last, is the plan's header.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/request/fetch.h"
#include "api/scan/scan.h"
#include "app/app.h"
#include "util/arena.h"

/*
 * A stored part's body stays under the size every store keeps in one
 * row or document (MongoDB's is 16 MB; the plugins rely on 4 MB).
 */
#define PART_MAX_BYTES	(3UL * 1024 * 1024)

int
scan_sink_start(struct scan_sink *s, size_t ndeletes)
{
	jw_init(&s->tasks);
	jw_init(&s->deletes);
	s->local = pgl_arena_alloc(s->r->arena, (ndeletes + 1) *
	    sizeof(*s->local));
	s->stamp = pgl_arena_alloc(s->r->arena, (ndeletes + 1) *
	    sizeof(*s->stamp));
	if (s->local == NULL || s->stamp == NULL)
		return (-1);
	memset(s->stamp, 0, (ndeletes + 1) * sizeof(*s->stamp));
	return (0);
}

void
scan_sink_free(struct scan_sink *s)
{
	struct pgl_err	err;

	/* A plan that failed after its first part: none of it stays. */
	if (s->in_tx)
		(void)STORE(rollback, &err);
	s->in_tx = 0;
	jw_free(&s->tasks);
	jw_free(&s->deletes);
}

/* The part-local index of delete i, added to the part when new. */
static int
local_delete(struct scan_sink *s, const struct scan_deletes *d, size_t i)
{
	if (s->stamp[i] == s->parts + 1)
		return (s->local[i]);
	s->stamp[i] = s->parts + 1;
	s->local[i] = (int)s->ndeletes++;
	jw_json(&s->deletes, NULL, d->v[i].json, "{}");
	return (s->local[i]);
}

/* {"file-scan-tasks":[...],"delete-files":[...]} of the part in hand. */
void
scan_sink_body(const struct scan_sink *s, struct pgl_jw *w)
{
	jw_key(w, "file-scan-tasks");
	jw_open(w, '[');
	jw_raw(w, s->tasks.buf != NULL ? s->tasks.buf : "");
	jw_close(w, ']');
	jw_key(w, "delete-files");
	jw_open(w, '[');
	jw_raw(w, s->deletes.buf != NULL ? s->deletes.buf : "");
	jw_close(w, ']');
}

static int
put_part(struct scan_sink *s, uint32_t seq, const char *text,
    struct pgl_err *err)
{
	struct pgl_plan_part	 part;

	memset(&part, 0, sizeof(part));
	part.plan_id = s->plan_id;
	part.seq = seq;
	part.table = s->table;
	part.body = text;
	part.expires_at_ms = s->expires_at_ms;
	/* A write: the request may no longer wait for a read and replay. */
	api_fetch_disarm(s->r);
	/*
	 * A plan made in a request is bounded ([scan] sync_max_manifests):
	 * its parts are one transaction, one durable write instead of one
	 * per part.  A task's may run for minutes and writes part by part.
	 */
	if (s->one_tx && !s->in_tx) {
		if (STORE(begin, err) != PGL_OK)
			return (-1);
		s->in_tx = 1;
	}
	return (STORE(put_plan_part, s->r->tenant, &part, err) == PGL_OK ?
	    0 : -1);
}

static int
oom(struct pgl_err *err)
{
	err->code = PGL_ENOMEM;
	(void)snprintf(err->msg, sizeof(err->msg), "out of memory");
	return (-1);
}

int
scan_sink_flush(struct scan_sink *s, int final, struct pgl_err *err)
{
	struct pgl_jw	w;
	char		head[64];
	int		rc = 0;

	if (!s->store)
		return (0);
	if (s->ntasks > 0) {
		jw_init(&w);
		jw_open(&w, '{');
		scan_sink_body(s, &w);
		jw_close(&w, '}');
		rc = w.oom ? oom(err) : put_part(s, s->parts + 1, w.buf, err);
		jw_free(&w);
		if (rc == -1)
			return (-1);
		s->parts++;
		s->ntasks = s->ndeletes = 0;
		jw_reset(&s->tasks);
		jw_reset(&s->deletes);
	}
	if (!final)
		return (0);
	(void)snprintf(head, sizeof(head), "{\"parts\":%u,\"files\":%llu}",
	    (unsigned)s->parts, (unsigned long long)s->files);
	if (put_part(s, 0, head, err) == -1)
		return (-1);
	if (s->in_tx) {
		s->in_tx = 0;
		if (STORE(commit, err) != PGL_OK) {
			(void)STORE(rollback, err);
			return (-1);
		}
	}
	return (0);
}

int
scan_sink_task(struct scan_sink *s, const struct scan_deletes *d,
    const char *data_file, const size_t *dels, size_t ndels,
    const char *residual, struct pgl_err *err)
{
	struct pgl_jw	*w = &s->tasks;
	char		 n[16];
	size_t		 i;
	int		 k;

	jw_next(w);
	jw_open(w, '{');
	jw_json(w, "data-file", data_file, "{}");
	if (ndels > 0) {
		jw_key(w, "delete-file-references");
		jw_open(w, '[');
		for (i = 0; i < ndels; i++) {
			if ((k = local_delete(s, d, dels[i])) < 0)
				break;
			(void)snprintf(n, sizeof(n), "%d", k);
			jw_json(w, NULL, n, "0");
		}
		jw_close(w, ']');
	}
	if (residual != NULL)
		jw_json(w, "residual-filter", residual, "true");
	jw_close(w, '}');
	if (w->oom || s->deletes.oom)
		return (oom(err));
	s->ntasks++;
	s->files++;
	if (s->ntasks < s->per_part && (!s->can_store ||
	    s->tasks.len + s->deletes.len < PART_MAX_BYTES))
		return (0);
	/* A full part: from now on this plan is kept in the store. */
	if (!s->store && s->can_store)
		s->store = 1;
	return (scan_sink_flush(s, 0, err));
}

json_t *
scan_plan_tasks(const char *plan_id, uint32_t n)
{
	json_t		*a = json_array();
	uint32_t	 i;

	for (i = 1; i <= n; i++)
		json_array_append_new(a, json_sprintf("%s:%u", plan_id,
		    (unsigned)i));
	return (a);
}
