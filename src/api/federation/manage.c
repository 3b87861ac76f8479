/*
 * /api/v1/federated-catalogs (pangolin-api.md §2.11 "Federated"): the
 * federated catalogs of the caller's tenant, as {id, name, properties}
 * with the properties' secrets masked.  A catalog of another tenant
 * answers as a missing one; a Local catalog's name is a 400 here.
 * Federated catalogs made through POST /api/v1/catalogs are the same
 * catalogs (manage/catalogs.c checks and seals their config here).
 *
 * test asks the remote for its /v1/config now (no kept copy), off the
 * worker's thread; sync queues a task that counts the remote's
 * namespaces and tables (sync.c), and stats reads what the last ones
 * found.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/gate.h"
#include "api/federation/fed.h"
#include "api/federation/federation.h"
#include "api/tasks/task.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/paging.h"

static const struct pgl_jfield create_fields[] = {
	{ "name", PGL_J_STRING, 1 },
	{ "config", PGL_J_OBJECT, 1 },
	{ NULL, 0, 0 }
};

/* {id, name, properties}: the contract's shape, secrets masked. */
static json_t *
fed_json(struct pgl_req *r, const struct pgl_catalog *c)
{
	json_t	*cfg = api_obj(api_fed_config_masked(r, c->federated_config));
	json_t	*props = json_object_get(cfg, "properties");

	props = json_is_object(props) ? json_incref(props) : json_object();
	json_decref(cfg);
	return (json_pack("{s:s,s:s,s:o}", "id", c->id, "name", c->name,
	    "properties", props));
}

/* The {name} catalog, federated; -1 after a 404 or 400. */
static int
find(struct pgl_req *r, struct pgl_catalog *c)
{
	const char	*name = pgl_param(r, "name");
	struct pgl_err	 err;

	if (api_get_catalog(r, r->tenant, name, c, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Catalog '%.200s' not found", name);
		return (-1);
	}
	if (!api_is_federated(c)) {
		pgl_reply_error(r, 400, "Catalog '%.200s' is not a federated "
		    "catalog", name);
		return (-1);
	}
	return (0);
}

static int
visible(struct pgl_req *r, const void *item, void *ctx)
{
	const struct pgl_catalog	*c = item;

	(void)ctx;
	return (api_is_federated(c) && api_sees(r, &(struct pgl_target){
	    c->id, "", "", NULL, 0, 0 }));
}

void
api_fed_list(struct pgl_req *r)
{
	struct pgl_catalog	*items;
	struct pgl_page		 pg, all = { 0, 0, NULL };
	struct pgl_err		 err;
	uint64_t		 total;
	size_t			 n, i;
	json_t			*arr;

	if (pgl_req_page(r, &pg) == -1)
		return;
	/* Federated ones are few among all: the whole list, filtered. */
	if (STORE(list_catalogs, r->arena, r->tenant, &all, &items, &n, NULL,
	    &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	n = api_filter_page(r, items, n, sizeof(*items), visible, NULL, &pg,
	    &total);
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, fed_json(r, &items[i]));
	pgl_reply_list(r, arr, total);
}

void
api_fed_create(struct pgl_req *r)
{
	struct pgl_catalog	 c;
	struct pgl_err		 err;
	char			 id[PGL_UUID_LEN + 1];

	if (pgl_req_body(r, create_fields) == -1 ||
	    pgl_req_name(r, "name", pgl_json_str(r->body, "name")) == -1)
		return;
	memset(&c, 0, sizeof(c));
	pgl_uuid_new(id);
	c.id = id;
	c.tenant_id = r->tenant;
	c.name = pgl_json_str(r->body, "name");
	c.catalog_type = "Federated";
	c.properties = "{}";
	if ((c.federated_config = api_fed_config_prepare(r,
	    json_object_get(r->body, "config"), NULL)) == NULL)
		return;
	/* No branch, commit or namespace: nothing of it lives here. */
	if (STORE(create_catalog, &c, &err) != PGL_OK) {
		if (err.code == PGL_EEXISTS)
			pgl_reply_json(r, 409, json_pack("{s:s,s:s}", "error",
			    "Catalog name conflict", "message", pgl_arena_printf(
			    r->arena, "Catalog '%s' already exists", c.name)));
		else
			pgl_reply_store_error(r, &err);
		return;
	}
	pgl_reply_json(r, 201, fed_json(r, &c));
}

void
api_fed_get(struct pgl_req *r)
{
	struct pgl_catalog	c;

	if (find(r, &c) == 0)
		pgl_reply_json(r, 200, fed_json(r, &c));
}

void
api_fed_delete(struct pgl_req *r)
{
	struct pgl_catalog	c;
	struct pgl_err		err;

	if (find(r, &c) == -1)
		return;
	if (STORE(delete_catalog, r->tenant, c.name, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Catalog '%.200s' not found",
		    c.name);
		return;
	}
	pgl_reply_json(r, 200, json_pack("{s:s,s:s}", "status", "deleted",
	    "catalog", c.name));
}

/* --- test: the remote's /v1/config, now --------------------------------- */

struct probe {
	struct fed_job	 j;		/* first: the job */
	struct pgl_req	*r;
	char		*json;
};

/*
 * Its config, fetched anew; then a namespace list, since a remote may
 * answer /v1/config to anyone (Pangolin does): only a call that needs
 * the credentials shows whether they are taken.
 */
static void
probe_run(struct fed_job *j)
{
	struct probe	*p = (struct probe *)j;
	const char	*hdrs[] = { "Accept: application/json", NULL };
	struct fed_req	 q = { "GET", "namespaces", NULL, hdrs, NULL, 0 };
	long		 status;

	if (fed_remote_config(j->conf, 1, &p->json, &j->a) == -1 ||
	    fed_remote_call(j->conf, &q, &j->a) == -1)
		return;
	if ((status = j->a.status) == 401 || status == 403) {
		fed_answer_free(&j->a);
		j->a.status = 0;
		j->a.fail = FED_FAIL_AUTH;
		(void)snprintf(j->a.why, sizeof(j->a.why), "it refused the "
		    "configured credentials (HTTP %ld)", status);
	}
}

static void
probe_reply(struct pgl_req *r, const struct fed_conf *f,
    const struct fed_answer *a, const char *json)
{
	char	*prefix;
	int	 status;

	if (a->status == 0 && a->fail != FED_OK) {
		/* It answered, not as a catalog: 502; it did not: 503. */
		status = a->fail == FED_FAIL_AUTH || a->fail ==
		    FED_FAIL_ANSWER || a->fail == FED_FAIL_TOO_BIG ? 502 : 503;
		pgl_reply_json(r, status, json_pack("{s:s,s:s,s:s,s:s}",
		    "status", "failed", "catalog", f->catalog, "base_url",
		    f->uri, "error", a->why));
		return;
	}
	prefix = fed_config_prefix(json != NULL ? json : "{}");
	pgl_reply_json(r, 200, json_pack("{s:s,s:s,s:s,s:o,s:i}", "status",
	    "connected", "catalog", f->catalog, "base_url", f->uri, "prefix",
	    api_str_or_null(prefix), "remote_status", (int)a->status));
	free(prefix);
}

static void
probed(struct fed_job *j, int stopped)
{
	struct probe	*p = (struct probe *)j;
	struct pgl_req	*r = p->r;

	if (stopped && j->a.status == 0 && j->a.fail == FED_OK) {
		j->a.fail = FED_FAIL_STOPPED;
		(void)snprintf(j->a.why, sizeof(j->a.why), "the server is "
		    "stopping");
	}
	if (!r->gone)
		probe_reply(r, j->conf, &j->a, p->json);
	fed_conf_free(j->conf);
	fed_answer_free(&j->a);
	free(p->json);
	free(p);
	pgl_req_done(r);
}

void
api_fed_test(struct pgl_req *r)
{
	struct pgl_catalog	 c;
	struct probe		*p;
	int			 retry;

	if (find(r, &c) == -1)
		return;
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	p->r = r;
	if ((p->j.conf = fed_conf_load(r, &c)) == NULL) {
		free(p);
		return;
	}
	p->j.run = probe_run;
	p->j.done = probed;
	if (fed_submit(&p->j, &retry) == -1) {
		pgl_set_header(r, "retry-after", pgl_arena_printf(r->arena,
		    "%d", retry));
		pgl_reply_json(r, 503, json_pack("{s:s,s:s,s:s,s:s}", "status",
		    "failed", "catalog", c.name, "base_url", p->j.conf->uri,
		    "error", p->j.a.why));
		fed_conf_free(p->j.conf);
		free(p);
		return;
	}
	pgl_req_pend(r);
}

/* --- sync and its stats -------------------------------------------------- */

void
api_fed_sync(struct pgl_req *r)
{
	struct pgl_catalog	 c;
	struct ice_target	 t;
	const char		*id;
	json_t			*params;

	if (find(r, &c) == -1)
		return;
	memset(&t, 0, sizeof(t));
	t.catalog = c;
	t.branch = "";
	t.ns = "";
	t.name = "";
	/* The id, not only the name: a catalog made again under the name
	 * is another one, whose stats start empty. */
	params = json_pack("{s:s}", "catalog_id", c.id);
	id = api_task_queue(r, "federated_sync", &t, params);
	json_decref(params);
	if (id == NULL)
		return;
	api_audit_about(r, c.id, c.name);
	pgl_reply_json(r, 200, json_pack("{s:s,s:s,s:s}", "status",
	    "Sync triggered", "catalog", c.name, "task_id", id));
}

/* t was a sync of c (same id: not of a catalog deleted under the name). */
static int
of_catalog(const struct pgl_task *t, const struct pgl_catalog *c)
{
	json_t	*p = pgl_json_load_or(t->params, NULL);
	int	 same = p != NULL && pgl_json_str(p, "catalog_id") != NULL &&
		    strcmp(pgl_json_str(p, "catalog_id"), c->id) == 0;

	json_decref(p);
	return (same);
}

/* SyncStats from the newest sync and the newest successful one. */
static json_t *
stats_json(struct pgl_req *r, const struct pgl_task *newest,
    const struct pgl_task *ok)
{
	json_t		*res = ok != NULL ? pgl_json_load_or(ok->result, NULL) :
			    NULL;
	const char	*status = "Never Synced";
	json_t		*j;

	if (newest != NULL && (strcmp(newest->status, "queued") == 0 ||
	    strcmp(newest->status, "running") == 0))
		status = "Running";
	else if (newest != NULL && strcmp(newest->status, "failed") == 0)
		status = "Failed";
	else if (ok != NULL)
		status = "Success";
	j = json_pack("{s:o,s:s,s:I,s:I,s:I,s:o,s:o}", "last_synced_at",
	    ok != NULL ? json_string(api_rfc3339(r->arena,
	    ok->finished_at_ms / 1000)) : json_null(), "sync_status", status,
	    "tables_synced", json_integer_value(json_object_get(res,
	    "tables_synced")), "namespaces_synced", json_integer_value(
	    json_object_get(res, "namespaces_synced")), "views_synced",
	    json_integer_value(json_object_get(res, "views_synced")),
	    "error_message", api_str_or_null(strcmp(status, "Failed") == 0 ?
	    newest->error : NULL), "task_id", api_str_or_null(newest != NULL ?
	    newest->id : NULL));
	json_decref(res);
	return (j);
}

void
api_fed_stats(struct pgl_req *r)
{
	struct pgl_task_filter	 f;
	struct pgl_page		 pg = { 50, 0, NULL };
	struct pgl_catalog	 c;
	struct pgl_task		*items, *newest = NULL, *ok = NULL;
	struct pgl_err		 err;
	size_t			 n, i;

	if (find(r, &c) == -1)
		return;
	memset(&f, 0, sizeof(f));
	f.kind = "federated_sync";
	f.catalog = c.name;
	if (STORE(list_tasks, r->arena, r->tenant, &f, &pg, &items, &n, NULL,
	    &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	/* Newest first: the first is the state, the first success the
	 * figures. */
	for (i = 0; i < n && ok == NULL; i++) {
		if (!of_catalog(&items[i], &c) ||
		    strcmp(items[i].status, "cancelled") == 0)
			continue;
		if (newest == NULL)
			newest = &items[i];
		if (strcmp(items[i].status, "succeeded") == 0)
			ok = &items[i];
	}
	pgl_reply_json(r, 200, stats_json(r, newest, ok));
}
