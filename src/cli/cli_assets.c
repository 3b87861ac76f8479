/*
 * Generic assets of a namespace (pangolin-api.md §2.4): list and
 * register on a branch (--branch, else main), get one by id, delete
 * several at once.  The namespace is dotted on the command line and one
 * path segment on the wire, its levels joined by 0x1F and escaped, as
 * the Iceberg routes take it (api/target.c parses both the same way).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

/* /api/v1/catalogs/<catalog>/namespaces/<ns>/assets[?branch=B] */
static int
assets_path(const struct cli *c, const char *ns, char *path, size_t len)
{
	char	pre[512], joined[512], *p;

	if (c->catalog == NULL) {
		fprintf(stderr, "pangolin admin: assets need --catalog NAME\n");
		return (-1);
	}
	if (cli_path(pre, sizeof(pre), "/api/v1/catalogs", c->catalog,
	    "/namespaces") == -1 || snprintf(joined, sizeof(joined), "%s",
	    ns) >= (int)sizeof(joined))
		return (-1);
	for (p = joined; *p != '\0'; p++)
		if (*p == '.')
			*p = '\x1f';
	if (cli_path(path, len, pre, joined, "/assets") == -1)
		return (-1);
	return (cli_query(path, len, "branch", cli_opt(c, "branch")));
}

/* assets create NS name=... kind=... location=... [properties:=JSON] */
static int
create(struct cli *c, const char *path)
{
	json_t	*req;
	int	 rc;

	if ((req = cli_body(c, 3)) == NULL)
		return (CLI_USAGE);
	rc = cli_call(c, "POST", path, req);
	json_decref(req);
	return (rc);
}

/*
 * bulk-delete ID...: the route answers 200 with a count of each, so a
 * partial failure is read from the body: exit 1 when any id failed.
 */
static int
bulk_delete(struct cli *c)
{
	json_t	*ids, *req, *body, *e;
	long	 status;
	size_t	 k;
	int	 i, rc;

	if ((ids = json_array()) == NULL)
		return (CLI_FAILED);
	for (i = 2; i < c->argc; i++)
		json_array_append_new(ids, json_string(c->argv[i]));
	if ((req = json_pack("{s:o}", "asset_ids", ids)) == NULL)
		return (CLI_FAILED);
	rc = cli_http(c, "POST", "/api/v1/bulk/assets/delete", req, &status,
	    &body);
	json_decref(req);
	if (rc == -1)
		return (CLI_UNREACHABLE);
	if (status != 200)
		return (cli_result(c, status, body, 0));
	if (json_integer_value(json_object_get(body, "failed")) == 0)
		return (cli_result(c, status, body, 0));
	/* Printed as any answer is, then the failures named on stderr. */
	json_incref(body);
	(void)cli_result(c, status, body, 0);
	json_array_foreach(json_object_get(body, "errors"), k, e)
		fprintf(stderr, "pangolin admin: %s\n",
		    json_is_string(e) ? json_string_value(e) : "failed");
	json_decref(body);
	return (CLI_FAILED);
}

int
cli_cmd_assets(struct cli *c)
{
	const char	*sub = c->argc > 1 ? c->argv[1] : "";
	char		 path[1024];

	if (strcmp(sub, "get") == 0 && c->argc == 3) {
		if (cli_path(path, sizeof(path), "/api/v1/assets", c->argv[2],
		    NULL) == -1)
			return (CLI_USAGE);
		return (cli_call(c, "GET", path, NULL));
	}
	if (strcmp(sub, "bulk-delete") == 0 && c->argc > 2)
		return (bulk_delete(c));
	if (c->argc < 3 || assets_path(c, c->argv[2], path, sizeof(path)) ==
	    -1)
		return (CLI_USAGE);
	if (strcmp(sub, "list") == 0 && c->argc == 3)
		return (cli_call(c, "GET", path, NULL));
	if (strcmp(sub, "create") == 0)
		return (create(c, path));
	return (CLI_USAGE);
}
