/*
 * Where a plan's file scan tasks go: the part in hand, as JSON text (the
 * elements of its file-scan-tasks and delete-files arrays, util/jw.h), of
 * at most [scan] tasks_per_part tasks and PART_MAX_BYTES of text with
 * the delete files they name (indexes local to the part, so each part is
 * a whole ScanTasks answer); once a part is full, it is kept: in memory
 * for a plan made off the worker's thread (keep: scan_job.c stores them
 * in done(), in one transaction), in the store for a task's.  A plan of
 * one part is kept nowhere: it is answered inline.  Part 0, written
 * last, is the plan's header.  A plan's parts add up to at most [scan]
 * max_plan_bytes (past it the plan fails, too_large), and a kept plan's
 * to at most keep_max (past it, full: a task makes it instead).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
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
	s->local = pgl_arena_alloc(s->arena, (ndeletes + 1) *
	    sizeof(*s->local));
	s->stamp = pgl_arena_alloc(s->arena, (ndeletes + 1) *
	    sizeof(*s->stamp));
	if (s->local == NULL || s->stamp == NULL)
		return (-1);
	memset(s->stamp, 0, (ndeletes + 1) * sizeof(*s->stamp));
	return (0);
}

void
scan_sink_free(struct scan_sink *s)
{
	struct scan_part	*k;

	while ((k = s->kept) != NULL) {
		s->kept = k->next;
		free(k->body);
		free(k);
	}
	s->kept_tail = &s->kept;
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
oom(struct pgl_err *err)
{
	err->code = PGL_ENOMEM;
	(void)snprintf(err->msg, sizeof(err->msg), "out of memory");
	return (-1);
}

/* A part's bytes against the plan's ceilings; -1 past one. */
static int
count_part(struct scan_sink *s, size_t len, struct pgl_err *err)
{
	s->bytes += len;
	if (s->max_bytes > 0 && s->bytes > s->max_bytes) {
		s->too_large = 1;
		err->code = PGL_EINVAL;
		(void)snprintf(err->msg, sizeof(err->msg), "the plan's result "
		    "is larger than %llu bytes ([scan] max_plan_bytes): narrow "
		    "the filter, or ask for fewer stats-fields",
		    (unsigned long long)s->max_bytes);
		return (-1);
	}
	if (s->keep && s->keep_max > 0 && s->bytes > s->keep_max) {
		s->full = 1;
		err->code = PGL_EINVAL;
		(void)snprintf(err->msg, sizeof(err->msg), "more than a plan "
		    "made in the request holds");
		return (-1);
	}
	return (0);
}

/* text, kept: malloc'd for done(), or in the store. */
static int
put_part(struct scan_sink *s, uint32_t seq, const char *text,
    struct pgl_err *err)
{
	struct pgl_plan_part	 part;
	struct scan_part	*k;
	size_t			 len = strlen(text);

	if (count_part(s, len, err) == -1)
		return (-1);
	if (s->keep) {
		if ((k = calloc(1, sizeof(*k))) == NULL ||
		    (k->body = strdup(text)) == NULL) {
			free(k);
			return (oom(err));
		}
		k->seq = seq;
		k->len = len;
		*s->kept_tail = k;
		s->kept_tail = &k->next;
		return (0);
	}
	/* A task's plan counts against its tenant's stored plans as it
	 * grows: its first part makes it a plan more. */
	if (scan_quota_room(s->arena, s->tenant, len, seq == 1 ? 1 : 0,
	    err) == -1)
		return (-1);
	memset(&part, 0, sizeof(part));
	part.plan_id = s->plan_id;
	part.seq = seq;
	part.table = s->table;
	part.body = text;
	part.expires_at_ms = s->expires_at_ms;
	/* A task's plan may run for minutes and writes part by part. */
	return (STORE(put_plan_part, s->tenant, &part, err) == PGL_OK ?
	    0 : -1);
}

int
scan_sink_flush(struct scan_sink *s, int final, struct pgl_err *err)
{
	struct pgl_jw	w;
	char		head[128];
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
	/* scope: whose plan it is (scan_restrict.c), short and known. */
	(void)snprintf(head, sizeof(head), "{\"parts\":%u,\"files\":%llu,"
	    "\"scope\":\"%.40s\"}", (unsigned)s->parts,
	    (unsigned long long)s->files, s->scope != NULL ? s->scope : "");
	return (put_part(s, 0, head, err));
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
