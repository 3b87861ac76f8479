/*
 * The management families that share one shape: list, create (a JSON
 * body from --data or key=value words), get, update and delete by id or
 * name, plus a few verbs of one family that are a bare call on
 * <path>/<id>/<suffix>.  What a family has is what routes.c serves:
 * tags have no get, branches and tags no update, and every update is a
 * PUT.  Branches and tags live in a catalog, passed as ?catalog=.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define F_LIST		0x01
#define F_CREATE	0x02
#define F_GET		0x04
#define F_UPDATE	0x08	/* PUT <path>/<id> */
#define F_DELETE	0x10
#define F_ALL		(F_LIST | F_CREATE | F_GET | F_UPDATE | F_DELETE)

struct extra {
	const char	*verb;
	const char	*method;
	const char	*suffix;
	int		 body;	/* {name, catalog} and the words after ID */
	const char	*query;	/* a flag sent as ?<flag>= (cli_opt) */
};

/* The keys vended for one location of the warehouse: ?location=. */
static const struct extra warehouse_extras[] = {
	{ "credentials", "GET", "/credentials", 0, "location" },
	{ NULL, NULL, NULL, 0, NULL }
};

static const struct extra catalog_extras[] = {
	{ "summary", "GET", "/summary", 0, NULL },
	{ "tree", "GET", "/namespaces/tree", 0, NULL },
	/* Tables lying in another's place, from before issue 67's rule. */
	{ "location-overlaps", "GET", "/location-overlaps", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};

static const struct extra branch_extras[] = {
	{ "commits", "GET", "/commits", 0, NULL },
	/* rebase names its branch and catalog in the body too (from_branch=). */
	{ "rebase", "POST", "/rebase", 1, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};

static const struct extra user_extras[] = {
	{ "roles", "GET", "/roles", 0, NULL },
	{ "tokens", "GET", "/tokens", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};

/* What the tenant holds against its quotas (issue 67). */
static const struct extra tenant_extras[] = {
	{ "usage", "GET", "/usage", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};

static const struct extra federated_extras[] = {
	{ "test", "POST", "/test", 0, NULL },
	{ "sync", "POST", "/sync", 0, NULL },
	{ "stats", "GET", "/stats", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};

static const struct family {
	const char		*name;
	const char		*path;
	int			 in_catalog;
	int			 verbs;
	const struct extra	*extras;
} families[] = {
	{ "tenants", "/api/v1/tenants", 0, F_ALL, tenant_extras },
	{ "warehouses", "/api/v1/warehouses", 0, F_ALL, warehouse_extras },
	{ "catalogs", "/api/v1/catalogs", 0, F_ALL, catalog_extras },
	{ "branches", "/api/v1/branches", 1, F_LIST | F_CREATE | F_GET |
	    F_DELETE, branch_extras },
	{ "tags", "/api/v1/tags", 1, F_LIST | F_CREATE | F_DELETE, NULL },
	{ "users", "/api/v1/users", 0, F_ALL, user_extras },
	{ "roles", "/api/v1/roles", 0, F_ALL, NULL },
	{ "service-users", "/api/v1/service-users", 0, F_ALL, NULL },
	{ "federated", "/api/v1/federated-catalogs", 0, F_LIST | F_CREATE |
	    F_GET | F_DELETE, federated_extras },
	{ "access-requests", "/api/v1/access-requests", 0, F_LIST | F_GET,
	    NULL },
	{ NULL, NULL, 0, 0, NULL }
};

static int
catalog_query(const struct cli *c, const struct family *f, char *buf,
    size_t len)
{
	buf[0] = '\0';
	if (!f->in_catalog)
		return (0);
	if (c->catalog == NULL) {
		fprintf(stderr, "pangolin admin: %s need --catalog NAME\n",
		    f->name);
		return (-1);
	}
	return (cli_query(buf, len, "catalog", c->catalog));
}

/*
 * A create made by a task (a large branch answers 202): follow the task
 * to its end, progress on stderr, and print it; exit 1 if it failed.
 */
static int
follow(struct cli *c, json_t *accepted)
{
	const char	*id = json_string_value(json_object_get(accepted,
			    "task_id"));
	char		 copy[128];

	if (id == NULL || strlen(id) >= sizeof(copy))
		return (cli_result(c, 202, accepted, 0));
	(void)snprintf(copy, sizeof(copy), "%s", id);
	json_decref(accepted);
	c->wait = 1;
	return (cli_task_wait(c, copy));
}

static int
request(struct cli *c, const char *method, const char *path, json_t *req)
{
	json_t	*body;
	long	 status;
	int	 rc;

	rc = cli_http(c, method, path, req, &status, &body);
	json_decref(req);
	if (rc == -1)
		return (CLI_UNREACHABLE);
	if (status == 202)
		return (follow(c, body));
	return (cli_result(c, status, body, 0));
}

static int
list(struct cli *c, const struct family *f, const char *q)
{
	char	path[1024];

	(void)snprintf(path, sizeof(path), "%s%s", f->path, q);
	if (cli_query(path, sizeof(path), "limit", cli_opt(c, "limit")) ==
	    -1 || cli_query(path, sizeof(path), "offset", cli_opt(c,
	    "offset")) == -1)
		return (CLI_USAGE);
	return (request(c, "GET", path, NULL));
}

static int
create(struct cli *c, const struct family *f)
{
	json_t	*req;

	if ((req = cli_body(c, 2)) == NULL)
		return (CLI_USAGE);
	/* Tags take their catalog in the body, not the query. */
	if (f->in_catalog && json_is_object(req) &&
	    json_object_get(req, "catalog") == NULL)
		json_object_set_new(req, "catalog", json_string(c->catalog));
	return (request(c, "POST", f->path, req));
}

/* <verb> ID on <path>/<id><suffix><query>. */
static int
on_id(struct cli *c, const struct family *f, const char *method,
    const char *suffix, const char *q, json_t *req)
{
	char	path[1024];

	if (cli_path(path, sizeof(path), f->path, c->argv[2], suffix) == -1 ||
	    strlen(path) + strlen(q) >= sizeof(path)) {
		json_decref(req);
		return (CLI_USAGE);
	}
	(void)strcat(path, q);
	return (request(c, method, path, req));
}

static int
update(struct cli *c, const struct family *f, const char *q)
{
	json_t	*req;

	if ((req = cli_body(c, 3)) == NULL)
		return (CLI_USAGE);
	if (json_object_size(req) == 0 && !json_is_array(req)) {
		json_decref(req);
		fprintf(stderr, "pangolin admin: update with nothing to "
		    "change\n");
		return (CLI_USAGE);
	}
	return (on_id(c, f, "PUT", "", q, req));
}

static int
extra(struct cli *c, const struct family *f, const char *verb,
    const char *q)
{
	const struct extra	*x;
	json_t			*req;
	char			 more[600];

	for (x = f->extras; x != NULL && x->verb != NULL; x++) {
		if (strcmp(x->verb, verb) != 0 || (!x->body && c->argc != 3) ||
		    c->argc < 3)
			continue;
		if (x->query != NULL) {
			(void)snprintf(more, sizeof(more), "%s", q);
			if (cli_query(more, sizeof(more), x->query, cli_opt(c,
			    x->query)) == -1)
				return (CLI_USAGE);
			q = more;
		}
		if (!x->body)
			return (on_id(c, f, x->method, x->suffix, q, NULL));
		if ((req = cli_words(c, 3, json_pack("{s:s,s:s?}", "name",
		    c->argv[2], "catalog", c->catalog))) == NULL)
			return (CLI_USAGE);
		return (on_id(c, f, x->method, x->suffix, q, req));
	}
	if (strcmp(verb, "get") == 0 || strcmp(verb, "update") == 0 ||
	    strcmp(verb, "delete") == 0 || strcmp(verb, "create") == 0)
		fprintf(stderr, "pangolin admin: the API has no %s for %s\n",
		    verb, f->name);
	return (CLI_USAGE);
}

int
cli_cmd_resource(struct cli *c, const char *name)
{
	const struct family	*f;
	const char		*sub = c->argc > 1 ? c->argv[1] : "";
	char			 q[300];

	for (f = families; f->name != NULL; f++)
		if (strcmp(f->name, name) == 0)
			break;
	if (f->name == NULL || catalog_query(c, f, q, sizeof(q)) == -1)
		return (CLI_USAGE);
	if (strcmp(sub, "list") == 0 && c->argc == 2 && (f->verbs & F_LIST))
		return (list(c, f, q));
	if (strcmp(sub, "create") == 0 && (f->verbs & F_CREATE))
		return (create(c, f));
	if (strcmp(sub, "get") == 0 && c->argc == 3 && (f->verbs & F_GET))
		return (on_id(c, f, "GET", "", q, NULL));
	if (strcmp(sub, "update") == 0 && c->argc >= 3 &&
	    (f->verbs & F_UPDATE))
		return (update(c, f, q));
	if (strcmp(sub, "delete") == 0 && c->argc == 3 &&
	    (f->verbs & F_DELETE))
		return (on_id(c, f, "DELETE", "", q, NULL));
	return (extra(c, f, sub, q));
}
