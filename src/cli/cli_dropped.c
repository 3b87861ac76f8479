/*
 * Undrop (issue 46): pangolin admin dropped list --catalog C
 * [--limit N --offset N] | restore ID --catalog C [--namespace a.b]
 * [--name NEW].  A namespace a.b on the command line is ["a","b"], as
 * for pangolin admin namespaces.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* a.b -> ["a","b"]; NULL on no memory. */
static json_t *
levels(const char *ns)
{
	json_t	*arr = json_array();
	char	*copy, *tok, *save;

	if (arr == NULL || (copy = strdup(ns)) == NULL) {
		json_decref(arr);
		return (NULL);
	}
	for (tok = strtok_r(copy, ".", &save); tok != NULL;
	    tok = strtok_r(NULL, ".", &save))
		json_array_append_new(arr, json_string(tok));
	free(copy);
	return (arr);
}

static int
restore(struct cli *c, const char *path)
{
	const char	*ns = cli_opt(c, "namespace");
	const char	*name = cli_opt(c, "name");
	json_t		*body;
	int		 rc;

	if ((body = json_object()) == NULL)
		return (CLI_FAILED);
	if (ns != NULL)
		json_object_set_new(body, "namespace", levels(ns));
	if (name != NULL)
		json_object_set_new(body, "name", json_string(name));
	rc = cli_call(c, "POST", path, body);
	json_decref(body);
	return (rc);
}

int
cli_cmd_dropped(struct cli *c)
{
	const char	*sub = c->argc > 1 ? c->argv[1] : "";
	char		 pre[1024], path[2048];

	if (c->catalog == NULL || cli_path(pre, sizeof(pre),
	    "/api/v1/catalogs", c->catalog, "/dropped") == -1)
		return (CLI_USAGE);
	if (strcmp(sub, "list") == 0 && c->argc == 2) {
		(void)snprintf(path, sizeof(path), "%s", pre);
		if (cli_query(path, sizeof(path), "limit", cli_opt(c,
		    "limit")) == -1 || cli_query(path, sizeof(path), "offset",
		    cli_opt(c, "offset")) == -1)
			return (CLI_USAGE);
		return (cli_call(c, "GET", path, NULL));
	}
	if (strcmp(sub, "restore") == 0 && c->argc == 3) {
		if (cli_path(path, sizeof(path), pre, c->argv[2],
		    "/restore") == -1)
			return (CLI_USAGE);
		return (restore(c, path));
	}
	return (CLI_USAGE);
}
