/*
 * Background tasks: status (optionally waiting for the end), list,
 * cancel; and maintenance, which queues a task and may wait for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cli/cli.h"

static int
ended(const char *s)
{
	return (s != NULL && (strcmp(s, "succeeded") == 0 ||
	    strcmp(s, "failed") == 0 || strcmp(s, "cancelled") == 0));
}

static int
escape(const char *in, char *out, size_t len)
{
	char	*e;
	int	 n;

	if ((e = curl_easy_escape(NULL, in, 0)) == NULL)
		return (-1);
	n = snprintf(out, len, "%s", e);
	curl_free(e);
	return (n < 0 || (size_t)n >= len ? -1 : 0);
}

int
cli_task_wait(struct cli *c, const char *id)
{
	json_t		*task;
	const char	*st;
	char		 path[512], eid[256];
	long		 status;
	int		 tty = isatty(STDERR_FILENO), code;

	if (escape(id, eid, sizeof(eid)) == -1)
		return (CLI_USAGE);
	(void)snprintf(path, sizeof(path), "/api/v1/tasks/%s", eid);
	for (;;) {
		if (cli_http(c, "GET", path, NULL, &status, &task) == -1)
			return (CLI_UNREACHABLE);
		if (status != 200)
			return (cli_result(c, status, task, 0));
		st = json_string_value(json_object_get(task, "status"));
		if (c->wait)
			cli_progress(task, tty);
		if (!c->wait || ended(st))
			break;
		json_decref(task);
		usleep(500 * 1000);
	}
	if (c->wait)
		cli_progress_end(tty);
	code = st != NULL && (strcmp(st, "failed") == 0 ||
	    strcmp(st, "cancelled") == 0) ? CLI_FAILED : CLI_OK;
	if (cli_result(c, status, task, 0) != CLI_OK)
		return (CLI_FAILED);
	return (code);
}

int
cli_cmd_task(struct cli *c)
{
	json_t	*body;
	char	 path[512], eid[256];
	long	 status;

	if (c->argc == 2 && strcmp(c->argv[1], "list") == 0) {
		if (cli_http(c, "GET", "/api/v1/tasks", NULL, &status,
		    &body) == -1)
			return (CLI_UNREACHABLE);
		return (cli_result(c, status, body, 0));
	}
	if (c->argc != 3)
		return (CLI_USAGE);
	if (strcmp(c->argv[1], "status") == 0)
		return (cli_task_wait(c, c->argv[2]));
	if (strcmp(c->argv[1], "cancel") != 0)
		return (CLI_USAGE);
	if (escape(c->argv[2], eid, sizeof(eid)) == -1)
		return (CLI_USAGE);
	(void)snprintf(path, sizeof(path), "/api/v1/tasks/%s/cancel", eid);
	if (cli_http(c, "POST", path, NULL, &status, &body) == -1)
		return (CLI_UNREACHABLE);
	return (cli_result(c, status, body, 0));
}

/* catalog.ns.table: the namespace may have several levels (0x1F-joined). */
static int
maintenance_path(const char *target, char *out, size_t len)
{
	char	 buf[512], cat[256], ns[256], tbl[256];
	char	*first, *last, *p;

	if (snprintf(buf, sizeof(buf), "%s", target) >= (int)sizeof(buf))
		return (-1);
	if ((first = strchr(buf, '.')) == NULL ||
	    (last = strrchr(buf, '.')) == first)
		return (-1);
	*first = '\0';
	*last = '\0';
	for (p = first + 1; *p != '\0'; p++)
		if (*p == '.')
			*p = '\x1f';
	if (buf[0] == '\0' || first[1] == '\0' || last[1] == '\0' ||
	    escape(buf, cat, sizeof(cat)) == -1 ||
	    escape(first + 1, ns, sizeof(ns)) == -1 ||
	    escape(last + 1, tbl, sizeof(tbl)) == -1)
		return (-1);
	if (snprintf(out, len, "/v1/%s/namespaces/%s/tables/%s/maintenance",
	    cat, ns, tbl) >= (int)len)
		return (-1);
	return (0);
}

int
cli_cmd_maintenance(struct cli *c)
{
	json_t		*req, *body;
	const char	*op, *id;
	char		 path[1024], tid[256];
	long		 status;

	if (c->argc != 3)
		return (CLI_USAGE);
	if (strcmp(c->argv[1], "expire-snapshots") == 0)
		op = "expire_snapshots";
	else if (strcmp(c->argv[1], "remove-orphan-files") == 0)
		op = "remove_orphan_files";
	else
		return (CLI_USAGE);
	if (maintenance_path(c->argv[2], path, sizeof(path)) == -1)
		return (CLI_USAGE);
	req = json_pack("{s:[s]}", "operations", op);
	if (req == NULL)
		return (CLI_FAILED);
	if (c->older_than_ms >= 0)
		json_object_set_new(req, "older_than_ms",
		    json_integer(c->older_than_ms));
	if (c->retain_last >= 0)
		json_object_set_new(req, "retain_last",
		    json_integer(c->retain_last));
	if (c->dry_run)
		json_object_set_new(req, "dry_run", json_true());
	if (cli_http(c, "POST", path, req, &status, &body) == -1) {
		json_decref(req);
		return (CLI_UNREACHABLE);
	}
	json_decref(req);
	if (status != 202 || !c->wait)
		return (cli_result(c, status, body, 0));
	if ((id = json_string_value(json_object_get(body, "task_id"))) ==
	    NULL) {
		json_decref(body);
		fprintf(stderr, "pangolin admin: no task_id in the answer\n");
		return (CLI_FAILED);
	}
	(void)snprintf(tid, sizeof(tid), "%s", id);
	json_decref(body);
	return (cli_task_wait(c, tid));
}
