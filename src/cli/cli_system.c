/*
 * The system pages of the admin API (pangolin-api.md §2.11): dashboard
 * counts, the tenant's settings, cache statistics and the name check of
 * the create forms.  Each prints the server's JSON under --output json
 * and a line per item otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define SETTINGS	"/api/v1/config/settings"

/* A string member for a text line; "?" when the server sent none. */
static const char *
text(const json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return (s != NULL ? s : "?");
}

static long long
count(const json_t *o, const char *key)
{
	return ((long long)json_integer_value(json_object_get(o, key)));
}

/*
 * One GET whose 200 answer the caller prints; any other status (or no
 * answer) is the exit code.  Returns -1 with *body set on a 200.
 */
static int
fetch_ok(const struct cli *c, const char *path, json_t **body)
{
	long	status;

	if (cli_http(c, "GET", path, NULL, &status, body) == -1)
		return (CLI_UNREACHABLE);
	if (status != 200 || *body == NULL)
		return (cli_result(c, status == 200 ? 500 : status, *body, 0));
	return (-1);
}

/* dashboard: "key: value" for each count, the scope last. */
int
cli_cmd_dashboard(struct cli *c)
{
	json_t		*body, *v;
	const char	*k;
	char		*s;
	int		 rc;

	if (c->argc != 1)
		return (CLI_USAGE);
	if ((rc = fetch_ok(c, "/api/v1/dashboard/stats", &body)) != -1)
		return (rc);
	if (c->json)
		return (cli_result(c, 200, body, 0));
	json_object_foreach(body, k, v) {
		if ((s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT)) == NULL)
			continue;
		printf("%s: %s\n", k, json_is_string(v) ?
		    json_string_value(v) : s);
		free(s);
	}
	json_decref(body);
	return (CLI_OK);
}

/*
 * settings set: the PUT replaces the whole object (a field left out
 * becomes null), so the words overlay what a GET answered and the
 * result is sent.  Secrets come back masked and the server keeps the
 * stored one when its mask is sent back.
 */
static int
settings_set(struct cli *c)
{
	json_t	*cur, *over;
	int	 rc;

	if (c->data == NULL && c->argc < 3)
		return (CLI_USAGE);
	if ((over = cli_body(c, 2)) == NULL)
		return (CLI_USAGE);
	if (!json_is_object(over)) {
		fprintf(stderr, "pangolin admin: settings are an object\n");
		json_decref(over);
		return (CLI_USAGE);
	}
	if ((rc = fetch_ok(c, SETTINGS, &cur)) != -1) {
		json_decref(over);
		return (rc);
	}
	if (!json_is_object(cur) || json_object_update(cur, over) == -1)
		rc = cli_result(c, 500, NULL, 0);
	else
		rc = cli_call(c, "PUT", SETTINGS, cur);
	json_decref(over);
	json_decref(cur);
	return (rc);
}

int
cli_cmd_settings(struct cli *c)
{
	const char	*sub = c->argc > 1 ? c->argv[1] : "";

	if (strcmp(sub, "get") == 0 && c->argc == 2)
		return (cli_call(c, "GET", SETTINGS, NULL));
	if (strcmp(sub, "set") == 0)
		return (settings_set(c));
	return (CLI_USAGE);
}

/* cache stats: one row a cache, then the object store's reuse. */
int
cli_cmd_cache(struct cli *c)
{
	json_t		*body, *x, *os;
	size_t		 i;
	int		 rc;

	if (c->argc != 2 || strcmp(c->argv[1], "stats") != 0)
		return (CLI_USAGE);
	if ((rc = fetch_ok(c, "/api/v1/cache/stats", &body)) != -1)
		return (rc);
	if (c->json)
		return (cli_result(c, 200, body, 0));
	printf("%-24s %-8s %10s %10s %9s %10s\n", "NAME", "TIER", "HITS",
	    "MISSES", "HIT RATIO", "ENTRIES");
	json_array_foreach(json_object_get(body, "caches"), i, x)
		printf("%-24s %-8s %10lld %10lld %9.3f %10lld\n",
		    text(x, "name"), text(x, "tier"), count(x, "hits"),
		    count(x, "misses"), json_number_value(json_object_get(x,
		    "hit_ratio")), count(x, "entries"));
	if ((os = json_object_get(body, "object_store")) != NULL)
		printf("object store: %lld requests on %lld connections\n",
		    count(os, "requests"), count(os, "connections"));
	json_decref(body);
	return (CLI_OK);
}

/*
 * validate catalog|warehouse NAME...: exit 1 when a name is taken (or
 * refused), so a script can test before it creates.
 */
int
cli_cmd_validate(struct cli *c)
{
	json_t		*req, *names, *body, *x;
	const char	*why;
	long		 status;
	size_t		 i;
	int		 n, taken = 0;

	if (c->argc < 3 || (strcmp(c->argv[1], "catalog") != 0 &&
	    strcmp(c->argv[1], "warehouse") != 0))
		return (CLI_USAGE);
	if ((names = json_array()) == NULL)
		return (CLI_FAILED);
	for (n = 2; n < c->argc; n++)
		json_array_append_new(names, json_string(c->argv[n]));
	if ((req = json_pack("{s:s,s:o}", "resource_type", c->argv[1],
	    "names", names)) == NULL)
		return (CLI_FAILED);
	n = cli_http(c, "POST", "/api/v1/validate/names", req, &status,
	    &body);
	json_decref(req);
	if (n == -1)
		return (CLI_UNREACHABLE);
	if (status != 200 || !json_is_array(json_object_get(body, "results")))
		return (cli_result(c, status == 200 ? 500 : status, body, 0));
	json_array_foreach(json_object_get(body, "results"), i, x) {
		why = json_string_value(json_object_get(x, "reason"));
		taken |= !json_is_true(json_object_get(x, "available"));
		if (!c->json)
			printf("%s: %s\n", text(x, "name"), json_is_true(json_object_get(x,
			    "available")) ? "available" : why != NULL ? why :
			    "unavailable");
	}
	if (c->json)
		cli_print_json(body);
	json_decref(body);
	return (taken ? CLI_FAILED : CLI_OK);
}
