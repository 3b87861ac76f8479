/*
 * The management families that share one shape: list, create (a JSON
 * body from --data or key=value words), delete by id or name.  Branches
 * and tags live in a catalog, passed as ?catalog=.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli/cli.h"

static const struct family {
	const char	*name;
	const char	*path;
	int		 in_catalog;
} families[] = {
	{ "tenants", "/api/v1/tenants", 0 },
	{ "warehouses", "/api/v1/warehouses", 0 },
	{ "catalogs", "/api/v1/catalogs", 0 },
	{ "branches", "/api/v1/branches", 1 },
	{ "tags", "/api/v1/tags", 1 },
	{ "users", "/api/v1/users", 0 },
	{ "roles", "/api/v1/roles", 0 },
	{ "service-users", "/api/v1/service-users", 0 },
	{ NULL, NULL, 0 }
};

/* key=value sets a string; key:=json sets any JSON value. */
static json_t *
create_body(const struct cli *c)
{
	json_t	*obj, *v;
	char	*eq, key[128];
	int	 i, raw;

	if (c->data != NULL)
		return (json_loads(c->data, JSON_DECODE_ANY, NULL));
	if ((obj = json_object()) == NULL)
		return (NULL);
	for (i = 2; i < c->argc; i++) {
		if ((eq = strchr(c->argv[i], '=')) == NULL ||
		    eq == c->argv[i] || eq - c->argv[i] >= (int)sizeof(key))
			goto bad;
		raw = eq[-1] == ':';
		(void)snprintf(key, sizeof(key), "%.*s",
		    (int)(eq - c->argv[i]) - raw, c->argv[i]);
		v = raw ? json_loads(eq + 1, JSON_DECODE_ANY, NULL) :
		    json_string(eq + 1);
		if (v == NULL || json_object_set_new(obj, key, v) == -1)
			goto bad;
	}
	return (obj);
bad:
	json_decref(obj);
	return (NULL);
}

static int
catalog_query(const struct cli *c, const struct family *f, char *buf,
    size_t len)
{
	char	*e;

	buf[0] = '\0';
	if (!f->in_catalog)
		return (0);
	if (c->catalog == NULL)
		return (-1);
	if ((e = curl_easy_escape(NULL, c->catalog, 0)) == NULL)
		return (-1);
	(void)snprintf(buf, len, "?catalog=%s", e);
	curl_free(e);
	return (0);
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

int
cli_cmd_resource(struct cli *c, const char *name)
{
	const struct family	*f;
	const char		*sub = c->argc > 1 ? c->argv[1] : "";
	json_t			*req = NULL, *body;
	char			 path[1024], q[300], *e;
	long			 status;
	int			 rc;

	for (f = families; f->name != NULL; f++)
		if (strcmp(f->name, name) == 0)
			break;
	if (f->name == NULL || catalog_query(c, f, q, sizeof(q)) == -1)
		return (CLI_USAGE);
	if (strcmp(sub, "list") == 0 && c->argc == 2) {
		(void)snprintf(path, sizeof(path), "%s%s", f->path, q);
		rc = cli_http(c, "GET", path, NULL, &status, &body);
	} else if (strcmp(sub, "create") == 0) {
		if ((req = create_body(c)) == NULL)
			return (CLI_USAGE);
		/* Tags take their catalog in the body, not the query. */
		if (f->in_catalog && json_is_object(req) &&
		    json_object_get(req, "catalog") == NULL)
			json_object_set_new(req, "catalog",
			    json_string(c->catalog));
		rc = cli_http(c, "POST", f->path, req, &status, &body);
		json_decref(req);
	} else if (strcmp(sub, "delete") == 0 && c->argc == 3) {
		if ((e = curl_easy_escape(NULL, c->argv[2], 0)) == NULL)
			return (CLI_USAGE);
		(void)snprintf(path, sizeof(path), "%s/%s%s", f->path, e, q);
		curl_free(e);
		rc = cli_http(c, "DELETE", path, NULL, &status, &body);
	} else
		return (CLI_USAGE);
	if (rc == -1)
		return (CLI_UNREACHABLE);
	if (status == 202)
		return (follow(c, body));
	return (cli_result(c, status, body, 0));
}
