/*
 * Namespaces of a catalog, through the Iceberg REST routes (there is no
 * management route but the tree): a.b on the command line is the
 * namespace ["a","b"], sent as one segment joined by 0x1F (§3.4).
 * update sets properties (key=value) and removes keys given as -key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* /v1/<catalog>/namespaces[/<ns>] */
static int
ns_path(const struct cli *c, const char *ns, char *path, size_t len)
{
	char	pre[512], joined[512], *p;

	if (cli_path(pre, sizeof(pre), "/v1", c->catalog, "/namespaces") ==
	    -1)
		return (-1);
	if (ns == NULL)
		return (snprintf(path, len, "%s", pre) >= (int)len ? -1 : 0);
	if (snprintf(joined, sizeof(joined), "%s", ns) >= (int)sizeof(joined))
		return (-1);
	for (p = joined; *p != '\0'; p++)
		if (*p == '.')
			*p = '\x1f';
	return (cli_path(path, len, pre, joined, NULL));
}

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
ns_create(struct cli *c, const char *path)
{
	json_t	*props, *req;
	int	 rc;

	if ((props = cli_words(c, 3, NULL)) == NULL)
		return (CLI_USAGE);
	req = json_pack("{s:o,s:o}", "namespace", levels(c->argv[2]),
	    "properties", props);
	if (req == NULL)
		return (CLI_FAILED);
	rc = cli_call(c, "POST", path, req);
	json_decref(req);
	return (rc);
}

/* key=value sets, -key removes (the Iceberg properties update). */
static int
ns_update(struct cli *c, const char *path)
{
	json_t	*req, *rm;
	char	 full[1024];
	int	 i, rc, n = 0;

	if ((rm = json_array()) == NULL)
		return (CLI_FAILED);
	for (i = 3; i < c->argc; i++)
		if (c->argv[i][0] == '-' && c->argv[i][1] != '\0')
			json_array_append_new(rm, json_string(c->argv[i] + 1));
		else
			c->argv[3 + n++] = c->argv[i];
	c->argc = 3 + n;
	req = json_pack("{s:o,s:o}", "removals", rm, "updates",
	    cli_words(c, 3, NULL));
	if (req == NULL || !json_is_object(json_object_get(req, "updates")) ||
	    snprintf(full, sizeof(full), "%s/properties", path) >=
	    (int)sizeof(full)) {
		json_decref(req);
		return (CLI_USAGE);
	}
	rc = cli_call(c, "POST", full, req);
	json_decref(req);
	return (rc);
}

int
cli_cmd_namespaces(struct cli *c)
{
	const char	*sub = c->argc > 1 ? c->argv[1] : "";
	char		 path[1024];

	if (c->catalog == NULL) {
		fprintf(stderr, "pangolin admin: namespaces need --catalog "
		    "NAME\n");
		return (CLI_USAGE);
	}
	if (strcmp(sub, "list") == 0 && c->argc == 2) {
		if (ns_path(c, NULL, path, sizeof(path)) == -1)
			return (CLI_USAGE);
		return (cli_call(c, "GET", path, NULL));
	}
	if (c->argc < 3 || ns_path(c, c->argv[2], path, sizeof(path)) == -1)
		return (CLI_USAGE);
	if (strcmp(sub, "get") == 0 && c->argc == 3)
		return (cli_call(c, "GET", path, NULL));
	if (strcmp(sub, "delete") == 0 && c->argc == 3)
		return (cli_call(c, "DELETE", path, NULL));
	if (strcmp(sub, "update") == 0 && c->argc > 3)
		return (ns_update(c, path));
	if (strcmp(sub, "create") == 0) {
		if (ns_path(c, NULL, path, sizeof(path)) == -1)
			return (CLI_USAGE);
		return (ns_create(c, path));
	}
	return (CLI_USAGE);
}
