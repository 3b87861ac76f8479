/*
 * Where a plan's file scan tasks go: the part in hand, of at most
 * [scan] tasks_per_part tasks and the delete files they name (indexes
 * local to the part, so each part is a whole ScanTasks answer), and once
 * a part is full, the store.  A plan made in a request stores nothing
 * until its first part fills; a task's plan stores every part.  Part 0,
 * written last, is the plan's header.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/fetch.h"
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
	s->tasks = json_array();
	s->deletes = json_array();
	s->local = pgl_arena_alloc(s->r->arena, (ndeletes + 1) *
	    sizeof(*s->local));
	s->stamp = pgl_arena_alloc(s->r->arena, (ndeletes + 1) *
	    sizeof(*s->stamp));
	if (s->tasks == NULL || s->deletes == NULL || s->local == NULL ||
	    s->stamp == NULL)
		return (-1);
	memset(s->stamp, 0, (ndeletes + 1) * sizeof(*s->stamp));
	return (0);
}

void
scan_sink_free(struct scan_sink *s)
{
	json_decref(s->tasks);
	json_decref(s->deletes);
	s->tasks = s->deletes = NULL;
}

/* The part-local index of delete i, added to the part when new. */
static int
local_delete(struct scan_sink *s, const struct scan_deletes *d, size_t i)
{
	json_t	*j;

	if (s->stamp[i] == s->parts + 1)
		return (s->local[i]);
	if ((j = json_loads(d->v[i].json, 0, NULL)) == NULL)
		return (-1);
	s->stamp[i] = s->parts + 1;
	s->local[i] = (int)json_array_size(s->deletes);
	s->bytes += strlen(d->v[i].json) + 1;
	json_array_append_new(s->deletes, j);
	return (s->local[i]);
}

static int
put_part(struct scan_sink *s, uint32_t seq, json_t *body, struct pgl_err *err)
{
	struct pgl_plan_part	 part;
	char			*text;
	int			 rc;

	if ((text = json_dumps(body, JSON_COMPACT)) == NULL) {
		err->code = PGL_ENOMEM;
		(void)snprintf(err->msg, sizeof(err->msg), "out of memory");
		return (-1);
	}
	memset(&part, 0, sizeof(part));
	part.plan_id = s->plan_id;
	part.seq = seq;
	part.table = s->table;
	part.body = text;
	part.expires_at_ms = s->expires_at_ms;
	/* A write: the request may no longer wait for a read and replay. */
	api_fetch_disarm(s->r);
	rc = STORE(put_plan_part, s->r->tenant, &part, err);
	free(text);
	return (rc == PGL_OK ? 0 : -1);
}

int
scan_sink_flush(struct scan_sink *s, int final, struct pgl_err *err)
{
	json_t	*body;
	int	 rc;

	if (!s->store)
		return (0);
	if (json_array_size(s->tasks) > 0) {
		body = json_pack("{s:O,s:O}", "delete-files", s->deletes,
		    "file-scan-tasks", s->tasks);
		rc = put_part(s, s->parts + 1, body, err);
		json_decref(body);
		if (rc == -1)
			return (-1);
		s->parts++;
		s->bytes = 0;
		json_array_clear(s->tasks);
		json_array_clear(s->deletes);
	}
	if (!final)
		return (0);
	body = json_pack("{s:i,s:I}", "parts", (int)s->parts, "files",
	    (json_int_t)s->files);
	rc = put_part(s, 0, body, err);
	json_decref(body);
	return (rc);
}

int
scan_sink_task(struct scan_sink *s, const struct scan_deletes *d,
    json_t *data_file, const size_t *dels, size_t ndels, json_t *residual,
    struct pgl_err *err)
{
	json_t	*task, *refs;
	size_t	 i;
	int	 k;

	task = json_pack("{s:o}", "data-file", data_file);
	if (ndels > 0) {
		refs = json_array();
		for (i = 0; i < ndels; i++) {
			if ((k = local_delete(s, d, dels[i])) < 0)
				break;
			json_array_append_new(refs, json_integer(k));
		}
		json_object_set_new(task, "delete-file-references", refs);
	}
	if (residual != NULL)
		json_object_set_new(task, "residual-filter", residual);
	/* What the task adds to a stored part: the size of its JSON. */
	if (s->can_store)
		s->bytes += json_dumpb(task, NULL, 0, JSON_COMPACT) + 1;
	json_array_append_new(s->tasks, task);
	s->files++;
	if (json_array_size(s->tasks) < s->per_part &&
	    (!s->can_store || s->bytes < PART_MAX_BYTES))
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
