/*
 * Branch merges (spec §2.5): start, status, resolve a conflict, complete.
 * A 409 on start is a merge waiting for resolutions, not a failure of
 * the command: its body (operation_id, conflicts) is printed and exit 1
 * tells a script that more steps are needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli/cli.h"

static int
simple(struct cli *c, const char *method, const char *pre, const char *id,
    const char *post, json_t *req)
{
	json_t	*body;
	char	 path[512], *e;
	long	 status;
	int	 rc;

	if ((e = curl_easy_escape(NULL, id, 0)) == NULL)
		return (CLI_USAGE);
	(void)snprintf(path, sizeof(path), "%s/%s%s", pre, e, post);
	curl_free(e);
	rc = cli_http(c, method, path, req, &status, &body);
	json_decref(req);
	if (rc == -1)
		return (CLI_UNREACHABLE);
	return (cli_result(c, status, body, 0));
}

static int
merge_start(struct cli *c)
{
	json_t	*req, *body;
	long	 status;
	char	*s;
	int	 rc;

	if (c->argc != 4 || c->catalog == NULL)
		return (CLI_USAGE);
	req = json_pack("{s:s,s:s,s:s}", "catalog", c->catalog,
	    "source_branch", c->argv[2], "target_branch", c->argv[3]);
	if (req == NULL)
		return (CLI_USAGE);
	rc = cli_http(c, "POST", "/api/v1/branches/merge", req, &status,
	    &body);
	json_decref(req);
	if (rc == -1)
		return (CLI_UNREACHABLE);
	if (status != 409)
		return (cli_result(c, status, body, 0));
	s = json_dumps(body != NULL ? body : json_null(),
	    JSON_ENCODE_ANY | JSON_COMPACT);
	printf("%s\n", s != NULL ? s : "null");
	free(s);
	json_decref(body);
	return (CLI_FAILED);
}

int
cli_cmd_merge(struct cli *c)
{
	json_t	*req;
	const char	*sub = c->argc > 1 ? c->argv[1] : "";

	if (strcmp(sub, "start") == 0)
		return (merge_start(c));
	if (strcmp(sub, "status") == 0 && c->argc == 3)
		return (simple(c, "GET", "/api/v1/merge-operations",
		    c->argv[2], "", NULL));
	if (strcmp(sub, "conflicts") == 0 && c->argc == 3)
		return (simple(c, "GET",
		    "/api/v1/merge-operations", c->argv[2], "/conflicts", NULL));
	if (strcmp(sub, "complete") == 0 && c->argc == 3)
		return (simple(c, "POST",
		    "/api/v1/merge-operations", c->argv[2], "/complete", NULL));
	if (strcmp(sub, "resolve") == 0 && c->argc == 4) {
		if ((req = json_pack("{s:s}", "strategy", c->argv[3])) == NULL)
			return (CLI_USAGE);
		return (simple(c, "POST", "/api/v1/conflicts",
		    c->argv[2], "/resolve", req));
	}
	return (CLI_USAGE);
}
