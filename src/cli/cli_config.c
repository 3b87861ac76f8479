/*
 * Arguments and where the URL and token come from: flags first, then
 * PANGOLIN_URL/PANGOLIN_TOKEN, then the profile (--profile, else
 * $PANGOLIN_PROFILE, else "default") of cli_profiles.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/*
 * Flags that take a value and are only read by the verbs that want them
 * (cli_opt): audit filters, paging, review words, code generation.  A
 * flag in neither list is a usage error, so a typo never passes quietly.
 */
static const char *const passed[] = {
	"user", "user-id", "action", "resource-type", "resource-id",
	"start-time", "end-time", "result", "limit", "offset", "reason",
	"comment", "client", "auth", "client-id", "client-secret", "tags",
	"branch", "location", "name", "hook-url", "operation-type", "catalog",
	"namespace", "overlap-secs", "after", "after-seq", "groups", NULL
};

/* The flags completion offers: every one the parser takes. */
const char *cli_flags = "--url --token --profile --output --catalog "
    "--tenant --data --wait --dry-run --clear --config "
    "--older-than-ms --retain-last --user --user-id --action "
    "--resource-type --resource-id --start-time --end-time --result "
    "--limit --offset --reason --comment --client --auth --client-id "
    "--client-secret --tags --branch --location --name --hook-url "
    "--operation-type --namespace --overlap-secs --after --after-seq "
    "--groups";
const char *cli_bool_flags = "--wait --dry-run --clear";

const char *
cli_opt(const struct cli *c, const char *name)
{
	int	i;

	for (i = 0; i < c->nopts; i++)
		if (strcmp(c->opts[i].name, name) == 0)
			return (c->opts[i].value);
	return (NULL);
}

static int
number(const char *s, long long *out)
{
	char	*end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || *out < 0)
		return (-1);
	return (0);
}

static int
pass_through(struct cli *c, const char *name, const char *v)
{
	int	i;

	for (i = 0; passed[i] != NULL; i++)
		if (strcmp(passed[i], name) == 0)
			break;
	if (passed[i] == NULL || c->nopts == CLI_MAX_OPTS)
		return (-1);
	c->opts[c->nopts].name = passed[i];
	c->opts[c->nopts++].value = v;
	return (0);
}

/* --name value; -1 on a flag nobody reads or a bad value. */
static int
value_flag(struct cli *c, const char *a, const char *v, const char **url,
    const char **token)
{
	if (strcmp(a, "--url") == 0)
		*url = v;
	else if (strcmp(a, "--token") == 0)
		*token = v;
	else if (strcmp(a, "--profile") == 0)
		c->profile = v;
	else if (strcmp(a, "--catalog") == 0) {
		/* Also kept by name: webhooks repeat it, one catalog each. */
		c->catalog = v;
		return (pass_through(c, "catalog", v));
	}
	else if (strcmp(a, "--tenant") == 0) {
		/* It becomes a header: an id's characters, never a CR or LF. */
		if (*v == '\0' || v[strspn(v, "0123456789abcdefABCDEF-")] !=
		    '\0')
			return (-1);
		c->tenant = v;
	}
	else if (strcmp(a, "--data") == 0)
		c->data = v;
	else if (strcmp(a, "--output") == 0) {
		if (strcmp(v, "json") == 0)
			c->json = 1;
		else if (strcmp(v, "text") != 0)
			return (-1);
	} else if (strcmp(a, "--older-than-ms") == 0)
		return (number(v, &c->older_than_ms));
	else if (strcmp(a, "--retain-last") == 0)
		return (number(v, &c->retain_last));
	else
		return (pass_through(c, a + 2, v));
	return (0);
}

static void
settle(struct cli *c, const char *url, const char *token)
{
	const char	*env_profile = getenv("PANGOLIN_PROFILE");

	if (c->profile == NULL)
		c->profile = env_profile != NULL && *env_profile != '\0' ?
		    env_profile : "default";
	if (url != NULL && *url != '\0')
		(void)snprintf(c->url, sizeof(c->url), "%s", url);
	if (token != NULL && *token != '\0')
		(void)snprintf(c->token, sizeof(c->token), "%s", token);
	cli_profile_load(c, c->url[0] != '\0', c->token[0] != '\0');
	/* The profile's token only: one from a flag is never written back. */
	c->token_from_profile = (token == NULL || *token == '\0') &&
	    c->token[0] != '\0';
	if (c->url[0] == '\0')
		(void)snprintf(c->url, sizeof(c->url), "http://127.0.0.1:8080");
}

/* Flags may appear anywhere; the rest stay positional, in order. */
int
cli_parse(struct cli *c, int argc, char **argv)
{
	const char	*url = getenv("PANGOLIN_URL");
	const char	*token = getenv("PANGOLIN_TOKEN");
	const char	*flag_url = NULL, *flag_token = NULL;
	int		 i, n = 0;

	memset(c, 0, sizeof(*c));
	c->older_than_ms = c->retain_last = -1;
	if ((c->argv = calloc(argc + 1, sizeof(char *))) == NULL)
		return (-1);
	for (i = 0; i < argc; i++) {
		const char	*a = argv[i];
		const char	*v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--wait") == 0)
			c->wait = 1;
		else if (strcmp(a, "--dry-run") == 0)
			c->dry_run = 1;
		else if (strcmp(a, "--clear") == 0)
			c->clear = 1;
		else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
			if (v == NULL)
				return (-1);
			c->config = argv[++i];
		} else if (strncmp(a, "--", 2) == 0 && a[2] != '\0') {
			if (v == NULL || value_flag(c, a, v, &flag_url,
			    &flag_token) == -1)
				return (-1);
			i++;
		} else
			c->argv[n++] = argv[i];
	}
	c->argc = n;
	settle(c, flag_url != NULL ? flag_url : url,
	    flag_token != NULL ? flag_token : token);
	return (0);
}
