/*
 * Webhook subscriptions (issue 43): pangolin admin webhooks
 * list | get ID | create --name N --hook-url U [--operation-type T ...]
 * [--catalog C ...] [--namespace NS ...] | update ID [the same flags]
 * [key=value|key:=json ...] | delete ID | rotate-secret ID
 * [--overlap-secs N] | test ID | deliveries ID | replay ID
 * (--after TOKEN | --after-seq N).  The filter flags repeat, one value
 * each; the secret is printed by create and rotate-secret only, as the
 * server shows it only then.  And the stream they are fed from:
 * pangolin admin events list [--after TOKEN] [--limit N].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define BASE	"/api/v1/webhooks"

/* Every value of the repeated flag name, as a JSON array; NULL none. */
static json_t *
repeated(const struct cli *c, const char *name)
{
	json_t	*arr = NULL;
	int	 i;

	for (i = 0; i < c->nopts; i++) {
		if (strcmp(c->opts[i].name, name) != 0)
			continue;
		if (arr == NULL && (arr = json_array()) == NULL)
			return (NULL);
		json_array_append_new(arr, json_string(c->opts[i].value));
	}
	return (arr);
}

/* The config flags into body (a new object when NULL); NULL on no
 * memory. */
static json_t *
config_body(const struct cli *c, json_t *body)
{
	static const struct { const char *flag, *key; } lists[] = {
		{ "operation-type", "operation_types" },
		{ "catalog", "catalogs" },
		{ "namespace", "namespaces" },
	};
	const char	*v;
	json_t		*arr;
	size_t		 i;

	if (body == NULL && (body = json_object()) == NULL)
		return (NULL);
	if ((v = cli_opt(c, "name")) != NULL)
		json_object_set_new(body, "name", json_string(v));
	/* --url is the server's (every command's), so the hook's is
	 * --hook-url. */
	if ((v = cli_opt(c, "hook-url")) != NULL)
		json_object_set_new(body, "url", json_string(v));
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if ((arr = repeated(c, lists[i].flag)) != NULL)
			json_object_set_new(body, lists[i].key, arr);
	return (body);
}

/* /api/v1/webhooks/ID[/tail] into path. */
static int
one(char *path, size_t len, const char *id, const char *tail)
{
	return (cli_path(path, len, BASE, id, tail));
}

/* "N" as a non-negative integer into *out: 0, or -1. */
static int
count(const char *s, long long *out)
{
	char	*end;

	if (s == NULL || *s == '\0')
		return (-1);
	*out = strtoll(s, &end, 10);
	return (*end != '\0' || *out < 0 ? -1 : 0);
}

static int
replay(struct cli *c, const char *path)
{
	const char	*tok = cli_opt(c, "after");
	const char	*seq = cli_opt(c, "after-seq");
	long long	 n;
	json_t		*body;
	int		 rc;

	if ((tok == NULL) == (seq == NULL))
		return (CLI_USAGE);
	if (tok != NULL)
		body = json_pack("{s:s}", "after", tok);
	else if (count(seq, &n) == -1)
		return (CLI_USAGE);
	else
		body = json_pack("{s:I}", "after_seq", (json_int_t)n);
	if (body == NULL)
		return (CLI_FAILED);
	rc = cli_call(c, "POST", path, body);
	json_decref(body);
	return (rc);
}

static int
rotate(struct cli *c, const char *path)
{
	const char	*v = cli_opt(c, "overlap-secs");
	long long	 n;
	json_t		*body;
	int		 rc;

	if ((body = json_object()) == NULL)
		return (CLI_FAILED);
	if (v != NULL) {
		if (count(v, &n) == -1) {
			json_decref(body);
			return (CLI_USAGE);
		}
		json_object_set_new(body, "overlap_secs", json_integer(n));
	}
	rc = cli_call(c, "POST", path, body);
	json_decref(body);
	return (rc);
}

/* create and update: the flags, then words or --data over them. */
static int
write_config(struct cli *c, const char *method, const char *path,
    int first)
{
	json_t	*body, *extra;
	int	 rc;

	if ((body = config_body(c, NULL)) == NULL)
		return (CLI_FAILED);
	if (c->data != NULL || c->argc > first) {
		if ((extra = cli_body(c, first)) == NULL ||
		    !json_is_object(extra)) {
			json_decref(extra);
			json_decref(body);
			return (CLI_USAGE);
		}
		(void)json_object_update(body, extra);
		json_decref(extra);
	}
	rc = cli_call(c, method, path, body);
	json_decref(body);
	return (rc);
}

int
cli_cmd_webhooks(struct cli *c)
{
	const char	*sub = c->argc > 1 ? c->argv[1] : "";
	const char	*id = c->argc > 2 ? c->argv[2] : NULL;
	char		 path[2048];

	if (strcmp(sub, "list") == 0 && c->argc == 2)
		return (cli_call(c, "GET", BASE, NULL));
	if (strcmp(sub, "create") == 0)
		return (write_config(c, "POST", BASE, 2));
	if (id == NULL)
		return (CLI_USAGE);
	if (strcmp(sub, "update") == 0) {
		if (one(path, sizeof(path), id, NULL) == -1)
			return (CLI_USAGE);
		return (write_config(c, "PUT", path, 3));
	}
	if (c->argc != 3)
		return (CLI_USAGE);
	if (strcmp(sub, "get") == 0 || strcmp(sub, "delete") == 0) {
		if (one(path, sizeof(path), id, NULL) == -1)
			return (CLI_USAGE);
		return (cli_call(c, *sub == 'g' ? "GET" : "DELETE", path,
		    NULL));
	}
	if (strcmp(sub, "deliveries") == 0) {
		if (one(path, sizeof(path), id, "/deliveries") == -1)
			return (CLI_USAGE);
		return (cli_call(c, "GET", path, NULL));
	}
	if (strcmp(sub, "test") == 0) {
		if (one(path, sizeof(path), id, "/test") == -1)
			return (CLI_USAGE);
		return (cli_call(c, "POST", path, NULL));
	}
	if (strcmp(sub, "rotate-secret") == 0) {
		if (one(path, sizeof(path), id, "/rotate-secret") == -1)
			return (CLI_USAGE);
		return (rotate(c, path));
	}
	if (strcmp(sub, "replay") == 0) {
		if (one(path, sizeof(path), id, "/replay") == -1)
			return (CLI_USAGE);
		return (replay(c, path));
	}
	return (CLI_USAGE);
}

/* The tenant's change events, a page after a feed token. */
int
cli_cmd_events(struct cli *c)
{
	const char	*sub = c->argc > 1 ? c->argv[1] : "";
	char		 path[4096];

	if (strcmp(sub, "list") != 0 || c->argc != 2)
		return (CLI_USAGE);
	(void)snprintf(path, sizeof(path), "/api/v1/events");
	if (cli_query(path, sizeof(path), "after", cli_opt(c, "after")) == -1 ||
	    cli_query(path, sizeof(path), "limit", cli_opt(c, "limit")) == -1)
		return (CLI_USAGE);
	return (cli_call(c, "GET", path, NULL));
}
