/*
 * The audit log (§2.12): list and count take the same filters, each a
 * flag named after its query parameter with '-' for '_'; get one event.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char *const filters[] = {
	"user-id", "action", "resource-type", "resource-id", "start-time",
	"end-time", "result", NULL
};

static int
filtered(const struct cli *c, char *path, size_t len, int paged)
{
	char	key[32], *p;
	int	i;

	for (i = 0; filters[i] != NULL; i++) {
		(void)snprintf(key, sizeof(key), "%s", filters[i]);
		for (p = key; *p != '\0'; p++)
			if (*p == '-')
				*p = '_';
		if (cli_query(path, len, key, cli_opt(c, filters[i])) == -1)
			return (-1);
	}
	if (!paged)
		return (0);
	if (cli_query(path, len, "limit", cli_opt(c, "limit")) == -1 ||
	    cli_query(path, len, "offset", cli_opt(c, "offset")) == -1)
		return (-1);
	return (0);
}

int
cli_cmd_audit(struct cli *c)
{
	const char	*sub = c->argc > 1 ? c->argv[1] : "";
	char		 path[2048];

	if (strcmp(sub, "list") == 0 && c->argc == 2) {
		(void)snprintf(path, sizeof(path), "/api/v1/audit");
		if (filtered(c, path, sizeof(path), 1) == -1)
			return (CLI_USAGE);
	} else if (strcmp(sub, "count") == 0 && c->argc == 2) {
		(void)snprintf(path, sizeof(path), "/api/v1/audit/count");
		if (filtered(c, path, sizeof(path), 0) == -1)
			return (CLI_USAGE);
	} else if (strcmp(sub, "get") == 0 && c->argc == 3) {
		if (cli_path(path, sizeof(path), "/api/v1/audit", c->argv[2],
		    NULL) == -1)
			return (CLI_USAGE);
	} else
		return (CLI_USAGE);
	return (cli_call(c, "GET", path, NULL));
}
