/*
 * The task kind "federated_sync" (POST /api/v1/federated-catalogs/{name}
 * /sync): count the remote's namespaces, tables and views by walking it,
 * in a task runner where blocking calls hold no worker, and keep the
 * figures as the task's result, which GET .../stats reads (manage.c).
 * Nothing is copied into the local store: a federated catalog keeps no
 * namespaces or tables of its own.
 *
 * The walk lists the top namespaces, then for each namespace its child
 * namespaces (?parent=), tables and views, page by page.  A namespace is
 * counted once however often a remote lists it (one that ignores
 * ?parent= lists them all again and adds nothing), and at most
 * SYNC_MAX_NAMESPACES are walked.  A remote without views (404, 400) has
 * none counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/federation/fed.h"
#include "api/federation/federation.h"
#include "api/tasks/task.h"
#include "util/json.h"
#include "util/names.h"

#define SYNC_MAX_NAMESPACES	100000
/* Pages of one list at most: a remote whose tokens never end stops. */
#define SYNC_MAX_PAGES		10000

struct walk {
	struct pgl_task_run	*run;
	const struct fed_conf	*f;
	json_t			*seen;		/* joined name -> levels */
	json_t			*todo;		/* levels arrays */
	uint64_t		 tables, views;
	char			 why[320];
};

/* levels joined by the separator, malloc'd; NULL if not strings. */
static char *
join(const json_t *levels)
{
	json_t	*v;
	size_t	 i, len = 1;
	char	*out;

	if (!json_is_array(levels) || json_array_size(levels) == 0)
		return (NULL);
	json_array_foreach(levels, i, v) {
		if (!json_is_string(v))
			return (NULL);
		len += strlen(json_string_value(v)) + 1;
	}
	if ((out = malloc(len)) == NULL)
		return (NULL);
	out[0] = '\0';
	json_array_foreach(levels, i, v) {
		if (i > 0)
			strcat(out, PGL_NS_SEP_STR);
		strcat(out, json_string_value(v));
	}
	return (out);
}

/* A namespace the remote listed: counted and walked if new. */
static int
add_ns(struct walk *w, const json_t *levels)
{
	char	*name = join(levels);

	if (name == NULL)
		return (0);	/* not a namespace: skipped */
	if (json_object_get(w->seen, name) == NULL) {
		if (json_object_size(w->seen) >= SYNC_MAX_NAMESPACES) {
			free(name);
			(void)snprintf(w->why, sizeof(w->why), "the remote has "
			    "more than %d namespaces", SYNC_MAX_NAMESPACES);
			return (-1);
		}
		json_object_set(w->seen, name, (json_t *)levels);
		json_array_append(w->todo, (json_t *)levels);
	}
	free(name);
	return (0);
}

/* One page of a list; its items to fn; *next the next page's token. */
static int
page(struct walk *w, const char *suffix, const char *query,
    const char *key, char **next, long *status)
{
	const char		*hdrs[] = { "Accept: application/json", NULL };
	struct fed_req		 q = { "GET", suffix, query, hdrs, NULL, 0 };
	struct fed_answer	 a;
	json_t			*j, *v;
	const char		*tok;
	size_t			 i;
	int			 rc = 0;

	*next = NULL;
	if (fed_remote_call(w->f, &q, &a) == -1) {
		(void)snprintf(w->why, sizeof(w->why), "%s", a.why);
		return (-1);
	}
	*status = a.status;
	if (a.status != 200 || (j = json_loads(a.body != NULL ? a.body : "",
	    0, NULL)) == NULL) {
		(void)snprintf(w->why, sizeof(w->why), "GET %s answered HTTP "
		    "%ld", suffix, a.status);
		fed_answer_free(&a);
		return (-1);
	}
	fed_answer_free(&a);
	json_array_foreach(json_object_get(j, key), i, v) {
		if (strcmp(key, "namespaces") == 0)
			rc = add_ns(w, v);
		else if (strcmp(suffix + strlen(suffix) - 6, "/views") == 0)
			w->views++;
		else
			w->tables++;
		if (rc == -1)
			break;
	}
	if (rc == 0 && (tok = json_string_value(json_object_get(j,
	    "next-page-token"))) != NULL && *tok != '\0')
		*next = fed_escape(tok, 0);
	json_decref(j);
	return (rc);
}

/* Every page of suffix?query (base may be NULL). */
static int
list(struct walk *w, const char *suffix, const char *base, const char *key,
    long *status)
{
	char	*next = NULL, *query = NULL;
	int	 pages, rc = 0;

	for (pages = 0; pages < SYNC_MAX_PAGES && rc == 0; pages++) {
		free(query);
		query = NULL;
		if (next != NULL && asprintf(&query, "%s%spageToken=%s",
		    base != NULL ? base : "", base != NULL ? "&" : "", next) ==
		    -1) {
			rc = -1;
			break;
		}
		free(next);
		rc = page(w, suffix, query != NULL ? query : base, key, &next,
		    status);
		if (next == NULL)
			break;
	}
	free(next);
	free(query);
	return (rc);
}

/* A namespace's children, tables and views. */
static int
walk_one(struct walk *w, const json_t *levels)
{
	char	*name = join(levels), *esc = NULL, *path = NULL, *parent = NULL;
	long	 status = 0;
	int	 rc = -1;

	if (name == NULL || (esc = fed_escape(name, 0)) == NULL ||
	    asprintf(&parent, "parent=%s", esc) == -1)
		goto out;
	if (list(w, "namespaces", parent, "namespaces", &status) == -1)
		goto out;
	free(path);
	if (asprintf(&path, "namespaces/%s/tables", esc) == -1 ||
	    list(w, path, NULL, "identifiers", &status) == -1)
		goto out;
	free(path);
	if (asprintf(&path, "namespaces/%s/views", esc) == -1)
		goto out;
	/* Views are optional in the REST spec: none is no failure. */
	if (list(w, path, NULL, "identifiers", &status) == -1 &&
	    status != 404 && status != 400 && status != 405 && status != 501)
		goto out;
	rc = 0;
out:
	if (rc == -1 && w->why[0] == '\0')
		(void)snprintf(w->why, sizeof(w->why), "out of memory");
	free(name);
	free(esc);
	free(path);
	free(parent);
	return (rc);
}

static enum pgl_task_end
walk_all(struct walk *w, json_t *result)
{
	size_t	 done;
	long	 status;

	if (list(w, "namespaces", NULL, "namespaces", &status) == -1)
		return (api_task_fail(w->run, "remote catalog %s: %s",
		    w->f->origin, w->why));
	for (done = 0; done < json_array_size(w->todo); done++) {
		if (walk_one(w, json_array_get(w->todo, done)) == -1)
			return (api_task_fail(w->run, "remote catalog %s: %s",
			    w->f->origin, w->why));
		if (pgl_task_progress(w->run, "namespaces", done + 1,
		    json_array_size(w->todo), NULL))
			break;
	}
	json_object_set_new(result, "namespaces_synced", json_integer(
	    (json_int_t)json_object_size(w->seen)));
	json_object_set_new(result, "tables_synced", json_integer(
	    (json_int_t)w->tables));
	json_object_set_new(result, "views_synced", json_integer(
	    (json_int_t)w->views));
	json_object_set_new(result, "remote", json_string(w->f->origin));
	return (PGL_TASK_SUCCEEDED);
}

enum pgl_task_end
api_fed_sync_run(struct pgl_task_run *run, struct pgl_req *r,
    const json_t *params, json_t *result)
{
	const char		*want = pgl_json_str(params, "catalog_id");
	struct pgl_catalog	 c;
	struct pgl_err		 err;
	struct walk		 w;
	enum pgl_task_end	 end;

	if (run->task->catalog == NULL || api_get_catalog(r, r->tenant,
	    run->task->catalog, &c, &err) != PGL_OK || want == NULL ||
	    strcmp(c.id, want) != 0 || !api_is_federated(&c))
		return (api_task_fail(run, "federated catalog %s is gone",
		    run->task->catalog != NULL ? run->task->catalog : "?"));
	memset(&w, 0, sizeof(w));
	w.run = run;
	if ((w.f = fed_conf_load(r, &c)) == NULL)
		return (api_task_fail(run, "%s", api_task_reply_error(r)));
	w.seen = json_object();
	w.todo = json_array();
	end = walk_all(&w, result);
	json_decref(w.seen);
	json_decref(w.todo);
	fed_conf_free((struct fed_conf *)w.f);
	return (end);
}
