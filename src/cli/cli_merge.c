/*
 * Branch merges (spec §2.5): start, list, status (get), resolve a
 * conflict, complete, abort.  A merge operation has no update route.
 * A 409 on start is a merge waiting for resolutions, not a failure of
 * the command: its body (operation_id, conflicts) is printed and exit 1
 * tells a script that more steps are needed.  A large merge answers 202
 * with a task: start follows it (progress on stderr, as --wait does for
 * maintenance) and prints its outcome the same way, exit 1 when it
 * stopped on conflicts or the task failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
ended(const char *s)
{
	return (s != NULL && (strcmp(s, "succeeded") == 0 ||
	    strcmp(s, "failed") == 0 || strcmp(s, "cancelled") == 0));
}

static void
print_compact(const json_t *j)
{
	char	*s;

	s = json_dumps(j != NULL ? j : json_null(), JSON_ENCODE_ANY |
	    JSON_COMPACT);
	printf("%s\n", s != NULL ? s : "null");
	free(s);
}

/* The task of a 202 (accepted) to its end; its result is the outcome. */
static int
merge_follow(struct cli *c, json_t *accepted)
{
	json_t		*task = NULL, *res;
	const char	*id, *st = NULL, *outcome;
	char		 path[512], *e;
	long		 status;
	int		 tty = isatty(STDERR_FILENO), rc;

	id = json_string_value(json_object_get(accepted, "task_id"));
	if (id == NULL || (e = curl_easy_escape(NULL, id, 0)) == NULL) {
		fprintf(stderr, "pangolin admin: no task_id in the answer\n");
		json_decref(accepted);
		return (CLI_FAILED);
	}
	(void)snprintf(path, sizeof(path), "/api/v1/tasks/%s", e);
	curl_free(e);
	json_decref(accepted);
	for (;;) {
		if (cli_http(c, "GET", path, NULL, &status, &task) == -1)
			return (CLI_UNREACHABLE);
		if (status != 200)
			return (cli_result(c, status, task, 0));
		st = json_string_value(json_object_get(task, "status"));
		cli_progress(task, tty);
		if (ended(st))
			break;
		json_decref(task);
		usleep(500 * 1000);
	}
	cli_progress_end(tty);
	if (strcmp(st, "succeeded") != 0) {
		/* The task itself, with its error, for the operator. */
		print_compact(task);
		json_decref(task);
		return (CLI_FAILED);
	}
	res = json_incref(json_object_get(task, "result"));
	json_decref(task);
	outcome = json_string_value(json_object_get(res, "status"));
	if (outcome != NULL && strcmp(outcome, "conflicted") == 0) {
		print_compact(res);
		json_decref(res);
		return (CLI_FAILED);
	}
	rc = cli_result(c, 200, res, 0);
	return (rc);
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
	if (status == 202)
		return (merge_follow(c, body));
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
	if (strcmp(sub, "preview") == 0)
		return (cli_cmd_merge_preview(c));
	if (strcmp(sub, "list") == 0 && c->argc == 2 && c->catalog != NULL)
		return (simple(c, "GET", "/api/v1/catalogs", c->catalog,
		    "/merge-operations", NULL));
	if (strcmp(sub, "abort") == 0 && c->argc == 3)
		return (simple(c, "POST", "/api/v1/merge-operations",
		    c->argv[2], "/abort", NULL));
	/* get is status's other name, as every family has get. */
	if ((strcmp(sub, "status") == 0 || strcmp(sub, "get") == 0) &&
	    c->argc == 3)
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
