/*
 * What a task kind's code (maint_*.c, branching/merge_task.c) uses of the task it
 * runs in: failing it with a message, the error a reply made, and the
 * table it names.  Below maintenance/task_run.c, which calls the kinds.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/gate.h"
#include "api/target.h"
#include "api/tasks/task.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/str.h"

enum pgl_task_end
api_task_fail(struct pgl_task_run *run, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(run->error, sizeof(run->error), fmt, ap);
	va_end(ap);
	return (PGL_TASK_FAILED);
}

const char *
api_task_reply_error(struct pgl_req *r)
{
	json_t		*j;
	const char	*m = NULL, *body;
	size_t		 len;

	if ((body = pgl_reply_body(r, &len)) == NULL)
		return ("failed");
	if ((j = json_loadb(body, len, 0, NULL)) != NULL) {
		json_t *e = json_object_get(j, "error");

		m = json_is_object(e) ? pgl_json_str(e, "message") :
		    json_string_value(e);
		if (m != NULL)
			m = pgl_arena_strdup(r->arena, m);
		json_decref(j);
	}
	return (m != NULL ? m : pgl_arena_strndup(r->arena, body, len));
}

int
api_task_target(struct pgl_task_run *run, struct pgl_req *r,
    struct ice_target *t)
{
	const struct pgl_task	*task = run->task;
	struct pgl_err		 err;

	memset(t, 0, sizeof(*t));
	if (task->catalog == NULL || task->ns == NULL || task->table == NULL)
		return (-1);
	if (api_get_catalog(r, r->tenant, task->catalog, &t->catalog, &err) !=
	    PGL_OK) {
		(void)snprintf(run->error, sizeof(run->error), "catalog %s: %s",
		    task->catalog, err.msg);
		return (-1);
	}
	t->ns = task->ns;
	t->branch = task->branch != NULL ? task->branch : "main";
	t->name = task->table;
	return (0);
}
