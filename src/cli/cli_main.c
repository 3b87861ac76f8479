/*
 * pangolin admin <area> <verb> ...: dispatch, login and usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli/cli.h"

static int
usage(void)
{
	fprintf(stderr,
	    "usage: pangolin admin [--url URL] [--token T] [--output json] "
	    "COMMAND\n"
	    "  login USERNAME [PASSWORD] [--tenant ID]  (else $PANGOLIN_PASSWORD)\n"
	    "  tenants|warehouses|catalogs|branches|tags|users|roles|"
	    "service-users\n"
	    "      list | create [key=value|key:=json ...] [--data JSON] |"
	    " delete ID\n"
	    "      (branches, tags: --catalog NAME)\n"
	    "  merge start SOURCE TARGET --catalog NAME | status ID |"
	    " conflicts ID |\n"
	    "      resolve CONFLICT_ID STRATEGY | complete ID\n"
	    "  maintenance expire-snapshots|remove-orphan-files "
	    "CATALOG.NS.TABLE\n"
	    "      [--wait] [--older-than-ms N] [--retain-last N] [--dry-run]\n"
	    "  task list | status ID [--wait] | cancel ID\n"
	    "  backup FILE -c pangolin.toml\n"
	    "exit: 0 done, 1 failed or cancelled, 2 usage, 3 unreachable or "
	    "refused\n");
	return (CLI_USAGE);
}

int
cli_cmd_login(struct cli *c)
{
	json_t		*req, *body;
	const char	*pw, *tok;
	long		 status;
	int		 rc;

	if (c->argc < 2 || c->argc > 3)
		return (CLI_USAGE);
	pw = c->argc == 3 ? c->argv[2] : getenv("PANGOLIN_PASSWORD");
	if (pw == NULL)
		return (CLI_USAGE);
	if ((req = json_pack("{s:s,s:s}", "username", c->argv[1],
	    "password", pw)) == NULL)
		return (CLI_USAGE);
	if (c->tenant != NULL)
		json_object_set_new(req, "tenant-id", json_string(c->tenant));
	rc = cli_http(c, "POST", "/api/v1/users/login", req, &status, &body);
	json_decref(req);
	if (rc == -1)
		return (CLI_UNREACHABLE);
	if (status != 200 || (tok = json_string_value(json_object_get(body,
	    "token"))) == NULL)
		return (cli_result(c, status == 200 ? 500 : status, body, 0));
	(void)snprintf(c->token, sizeof(c->token), "%s", tok);
	json_decref(body);
	if (cli_config_save(c) == -1) {
		fprintf(stderr, "pangolin admin: cannot write the token file\n");
		return (CLI_FAILED);
	}
	printf(c->json ? "{\"logged_in\":true}\n" : "logged in\n");
	return (CLI_OK);
}

static int
dispatch(struct cli *c)
{
	const char	*area;

	if (c->argc < 1)
		return (CLI_USAGE);
	area = c->argv[0];
	if (strcmp(area, "login") == 0)
		return (cli_cmd_login(c));
	if (strcmp(area, "task") == 0)
		return (cli_cmd_task(c));
	if (strcmp(area, "maintenance") == 0)
		return (cli_cmd_maintenance(c));
	if (strcmp(area, "merge") == 0)
		return (cli_cmd_merge(c));
	if (strcmp(area, "backup") == 0)
		return (cli_cmd_backup(c));
	if (strcmp(area, "help") == 0)
		return (CLI_USAGE);
	return (cli_cmd_resource(c, area));
}

/* argv[0] is "admin". */
int
pgl_cli_main(int argc, char **argv)
{
	struct cli	c;
	int		rc;

	if (cli_parse(&c, argc - 1, argv + 1) == -1) {
		free(c.argv);
		return (usage());
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return (CLI_UNREACHABLE);
	rc = dispatch(&c);
	if (rc == CLI_USAGE)
		(void)usage();
	curl_global_cleanup();
	free(c.argv);
	return (rc);
}
