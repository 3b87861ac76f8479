/*
 * Data policies (issue 46): pangolin admin policies
 * list [--catalog C] [--limit N --offset N] | show ID | delete ID |
 * create [key=value|key:=json ...] [--data JSON] |
 * explain CATALOG.NS.TABLE --user ID [--groups a,b].
 * A policy's body is the API's (docs/user-guide.md, "Data policies"):
 *   create name=mask catalog=lake namespace:='["sales"]' table=people \
 *       column=email action=mask-alphanum \
 *       applies_to:='{"roles":["analyst"]}'
 * explain's name is dotted: the catalog up to the first dot, the table
 * after the last, the namespace's levels between.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

#define BASE	"/api/v1/policies"

static int
list(struct cli *c)
{
	char	path[2048] = BASE;

	if (cli_query(path, sizeof(path), "catalog", cli_opt(c, "catalog")) ==
	    -1 || cli_query(path, sizeof(path), "limit", cli_opt(c,
	    "limit")) == -1 || cli_query(path, sizeof(path), "offset",
	    cli_opt(c, "offset")) == -1)
		return (CLI_USAGE);
	return (cli_call(c, "GET", path, NULL));
}

static int
create(struct cli *c)
{
	json_t	*body;
	int	 rc;

	if ((body = cli_body(c, 2)) == NULL || !json_is_object(body)) {
		json_decref(body);
		return (CLI_USAGE);
	}
	rc = cli_call(c, "POST", BASE, body);
	json_decref(body);
	return (rc);
}

/* CATALOG.NS.TABLE into its explanation's path. */
static int
explain(struct cli *c, const char *name)
{
	const char	*user = cli_opt(c, "user");
	const char	*first, *last;
	char		 cat[512], ns[1024], path[4096], tbl[512];
	int		 n;

	if (user == NULL || (first = strchr(name, '.')) == NULL ||
	    (last = strrchr(name, '.')) == first ||
	    (size_t)(first - name) >= sizeof(cat) ||
	    (size_t)(last - first - 1) >= sizeof(ns) ||
	    strlen(last + 1) >= sizeof(tbl) || last[1] == '\0')
		return (CLI_USAGE);
	(void)snprintf(cat, sizeof(cat), "%.*s", (int)(first - name), name);
	(void)snprintf(ns, sizeof(ns), "%.*s", (int)(last - first - 1),
	    first + 1);
	(void)snprintf(tbl, sizeof(tbl), "%s", last + 1);
	if (cli_path(path, sizeof(path), "/api/v1/catalogs", cat,
	    "/namespaces") == -1)
		return (CLI_USAGE);
	n = (int)strlen(path);
	if (cli_path(path + n, sizeof(path) - (size_t)n, "", ns,
	    "/tables") == -1)
		return (CLI_USAGE);
	n = (int)strlen(path);
	if (cli_path(path + n, sizeof(path) - (size_t)n, "", tbl,
	    "/effective-restrictions") == -1 ||
	    cli_query(path, sizeof(path), "user", user) == -1 ||
	    cli_query(path, sizeof(path), "groups", cli_opt(c, "groups")) ==
	    -1)
		return (CLI_USAGE);
	return (cli_call(c, "GET", path, NULL));
}

int
cli_cmd_policies(struct cli *c)
{
	const char	*sub = c->argc > 1 ? c->argv[1] : "";
	char		 path[2048];

	if (strcmp(sub, "list") == 0 && c->argc == 2)
		return (list(c));
	if (strcmp(sub, "create") == 0)
		return (create(c));
	if (c->argc != 3)
		return (CLI_USAGE);
	if (strcmp(sub, "explain") == 0)
		return (explain(c, c->argv[2]));
	if (strcmp(sub, "show") != 0 && strcmp(sub, "get") != 0 &&
	    strcmp(sub, "delete") != 0)
		return (CLI_USAGE);
	if (cli_path(path, sizeof(path), BASE, c->argv[2], NULL) == -1)
		return (CLI_USAGE);
	return (cli_call(c, *sub == 'd' ? "DELETE" : "GET", path, NULL));
}
