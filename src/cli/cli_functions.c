/*
 * SQL functions of a namespace (issue 70), through the Iceberg REST
 * routes: list, get (the whole metadata), versions (one line per
 * definition's version and dialect, for people to read), create and
 * replace (the request body as --data JSON: name, definitions, ...;
 * replace is ?replace=true), drop.  a.b on the command line is the
 * namespace ["a","b"]; --branch B works on a branch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* /v1/<catalog>/namespaces/<ns>[@branch]/functions[/<name>] */
static int
fn_path(const struct cli *c, const char *ns, const char *name, char *path,
    size_t len)
{
	const char	*branch = cli_opt(c, "branch");
	char		 pre[512], joined[512], base[1024], *p;

	if (cli_path(pre, sizeof(pre), "/v1", c->catalog, "/namespaces") ==
	    -1 || snprintf(joined, sizeof(joined), "%s%s%s", ns,
	    branch != NULL ? "@" : "", branch != NULL ? branch : "") >=
	    (int)sizeof(joined))
		return (-1);
	for (p = joined; *p != '\0'; p++)
		if (*p == '.')
			*p = '\x1f';
	if (cli_path(path, len, pre, joined, "/functions") == -1)
		return (-1);
	if (name == NULL)
		return (0);
	if (snprintf(base, sizeof(base), "%s", path) >= (int)sizeof(base))
		return (-1);
	return (cli_path(path, len, base, name, NULL));
}

/* One line per version of each definition and each of its dialects. */
static void
print_versions(const json_t *md)
{
	const json_t	*d, *v, *rep;
	size_t		 i, j, k;
	json_int_t	 cur, id;

	json_array_foreach(json_object_get(md, "definitions"), i, d) {
		cur = json_integer_value(json_object_get(d,
		    "current-version-id"));
		printf("(%s) -> %s\n", json_string_value(json_object_get(d,
		    "definition-id")), json_is_string(json_object_get(d,
		    "return-type")) ? json_string_value(json_object_get(d,
		    "return-type")) : "struct/list/map");
		json_array_foreach(json_object_get(d, "versions"), j, v) {
			id = json_integer_value(json_object_get(v,
			    "version-id"));
			json_array_foreach(json_object_get(v,
			    "representations"), k, rep)
				printf("  v%" JSON_INTEGER_FORMAT "%s  %-8s "
				    "%s\n", id, id == cur ? "*" : " ",
				    json_string_value(json_object_get(rep,
				    "dialect")), json_string_value(
				    json_object_get(rep, "sql")));
		}
	}
}

static int
versions(struct cli *c, const char *path)
{
	json_t	*body = NULL;
	long	 status;
	int	 rc;

	if (c->json)
		return (cli_call(c, "GET", path, NULL));
	if (cli_http(c, "GET", path, NULL, &status, &body) == -1)
		return (CLI_UNREACHABLE);
	if (status != 200) {
		rc = cli_result(c, status, body, 0);
		json_decref(body);
		return (rc);
	}
	print_versions(json_object_get(body, "metadata"));
	json_decref(body);
	return (CLI_OK);
}

static int
create(struct cli *c, const char *path, int replace)
{
	json_t	*req;
	char	 full[1100];
	int	 rc;

	if (c->data == NULL || (req = cli_body(c, 3)) == NULL)
		return (CLI_USAGE);
	if (snprintf(full, sizeof(full), "%s%s", path, replace ?
	    "?replace=true" : "") >= (int)sizeof(full)) {
		json_decref(req);
		return (CLI_USAGE);
	}
	rc = cli_call(c, "POST", full, req);
	json_decref(req);
	return (rc);
}

int
cli_cmd_functions(struct cli *c)
{
	const char	*sub = c->argc > 1 ? c->argv[1] : "";
	char		 path[1024];

	if (c->catalog == NULL) {
		fprintf(stderr, "pangolin admin: functions need --catalog "
		    "NAME\n");
		return (CLI_USAGE);
	}
	if (c->argc < 3)
		return (CLI_USAGE);
	if ((strcmp(sub, "list") == 0 || strcmp(sub, "create") == 0 ||
	    strcmp(sub, "replace") == 0) && c->argc == 3) {
		if (fn_path(c, c->argv[2], NULL, path, sizeof(path)) == -1)
			return (CLI_USAGE);
		if (strcmp(sub, "list") == 0)
			return (cli_call(c, "GET", path, NULL));
		return (create(c, path, strcmp(sub, "replace") == 0));
	}
	if (c->argc != 4 || fn_path(c, c->argv[2], c->argv[3], path,
	    sizeof(path)) == -1)
		return (CLI_USAGE);
	if (strcmp(sub, "get") == 0)
		return (cli_call(c, "GET", path, NULL));
	if (strcmp(sub, "versions") == 0)
		return (versions(c, path));
	if (strcmp(sub, "drop") == 0)
		return (cli_call(c, "DELETE", path, NULL));
	return (CLI_USAGE);
}
