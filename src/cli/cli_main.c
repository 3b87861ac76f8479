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
	    "usage: pangolin admin [--url URL] [--token T] [--profile NAME] "
	    "[--tenant ID]\n"
	    "                      [--output json] COMMAND\n"
	    "  login USERNAME [PASSWORD] [--tenant ID]  (else "
	    "$PANGOLIN_PASSWORD)\n"
	    "  profiles list | delete NAME\n"
	    "  use TENANT | use none | use --clear     (root: act in TENANT)\n"
	    "  tenants|warehouses|catalogs|users|roles|service-users\n"
	    "      list | get ID | create [key=value|key:=json ...] "
	    "[--data JSON] |\n"
	    "      update ID [key=value|key:=json ...] [--data JSON] | "
	    "delete ID\n"
	    "  branches list | create | get|delete|commits NAME |\n"
	    "      rebase NAME [from_branch=B]   (--catalog C)\n"
	    "  tags list|create|delete NAME --catalog C\n"
	    "  catalogs summary NAME | tree NAME | location-overlaps NAME\n"
	    "  namespaces list|get NS|create NS [k=v..]|update NS [k=v|-k ..]|"
	    "delete NS --catalog C\n"
	    "  users roles ID | tokens ID | assign-role ID ROLE | "
	    "revoke-role ID ROLE\n"
	    "  service-users rotate ID\n"
	    "  permissions list [--user ID] | revoke ID |\n"
	    "      grant USER ACTION[,ACTION] SCOPE_TYPE [key=value ...] | "
	    "grant --data JSON\n"
	    "  tokens list [--user ID] | revoke ID | rotate | cleanup |\n"
	    "      create [tenant_id=T username=U expires_in_hours:=N ...] "
	    "[--data JSON]\n"
	    "  whoami | logout\n"
	    "  dashboard | cache stats\n"
	    "  settings get | set [key=value|key:=json ...] [--data JSON]\n"
	    "  validate catalog|warehouse NAME [NAME ...]\n"
	    "  functions list NS | get|versions|drop NS NAME |\n"
	    "      create|replace NS --data JSON (--catalog C [--branch B])\n"
	    "  assets list NS | create NS name=N kind=K location=L "
	    "[properties:=JSON]\n"
	    "      (--catalog C [--branch B]) | get ID | bulk-delete ID "
	    "[ID ...]\n"
	    "  warehouses credentials NAME --location s3://...\n"
	    "  audit list|count [--user-id --action --resource-type "
	    "--resource-id\n"
	    "      --start-time --end-time --result] [--limit N --offset N] |"
	    " get ID\n"
	    "  search QUERY [--catalog C [--offset N] | --tags a,b] "
	    "[--limit N]\n"
	    "  metadata get ASSET | set ASSET [key=value ...] [--data JSON] |"
	    " delete ASSET\n"
	    "  access-requests list | get ID | request ASSET [--reason R] |\n"
	    "      review ID approve|deny [--comment C]\n"
	    "  federated list | get|delete|test|sync|stats NAME |\n"
	    "      create NAME [uri=URL token=T ...] [--data JSON]\n"
	    "  merge start|preview SOURCE TARGET --catalog C | list --catalog "
	    "C |\n"
	    "      status|get ID | conflicts ID | resolve CONFLICT_ID STRATEGY |"
	    " complete ID |\n"
	    "      abort ID\n"
	    "  maintenance expire-snapshots|remove-orphan-files "
	    "CATALOG.NS.TABLE\n"
	    "      [--wait] [--older-than-ms N] [--retain-last N] [--dry-run]\n"
	    "  task list | status ID [--wait] | cancel ID\n"
	    "  events list [--after TOKEN] [--limit N]\n"
	    "  dropped list [--limit N --offset N] | restore ID "
	    "[--namespace a.b] [--name N]\n"
	    "      (--catalog C)\n"
	    "  webhooks list | get|delete|test|deliveries ID |\n"
	    "      create --name N --hook-url U [--operation-type T ...] "
	    "[--catalog C ...]\n"
	    "      [--namespace NS ...] | update ID [the same] "
	    "[active:=true|false] |\n"
	    "      rotate-secret ID [--overlap-secs N] |\n"
	    "      replay ID --after TOKEN | --after-seq N\n"
	    "  policies list [--catalog C] | show|delete ID |\n"
	    "      create [key=value|key:=json ...] [--data JSON] |\n"
	    "      explain CATALOG.NS.TABLE --user ID [--groups a,b]\n"
	    "  generate-code CATALOG --client pyiceberg|spark|trino|"
	    "iceberg-js\n"
	    "      [--auth token|oauth|none] [--client-id ID "
	    "--client-secret SECRET]\n"
	    "  completion bash\n"
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
	if (cli_profile_save(c) == -1) {
		fprintf(stderr, "pangolin admin: cannot write the token file\n");
		return (CLI_FAILED);
	}
	if (!c->json) {
		printf("logged in (profile %s)\n", c->profile);
		return (CLI_OK);
	}
	return (cli_result(c, 200, json_pack("{s:b,s:s}", "logged_in", 1,
	    "profile", c->profile), 0));
}

static int
family(struct cli *c)
{
	return (cli_cmd_resource(c, c->argv[0]));
}

static int
users(struct cli *c)
{
	const char	*sub = c->argc > 1 ? c->argv[1] : "";

	if (strcmp(sub, "assign-role") == 0 || strcmp(sub, "revoke-role") == 0)
		return (cli_cmd_user_roles(c));
	return (family(c));
}

static int
service_users(struct cli *c)
{
	if (c->argc > 1 && strcmp(c->argv[1], "rotate") == 0)
		return (cli_cmd_rotate(c));
	return (family(c));
}

static int
help(struct cli *c)
{
	(void)c;
	return (CLI_USAGE);
}

#define CRUD	"list get create update delete"

static const struct cli_area areas[] = {
	{ "login", "", cli_cmd_login },
	{ "profiles", "list delete", cli_cmd_profiles },
	{ "use", "none", cli_cmd_use },
	{ "tenants", CRUD " usage", family },
	{ "warehouses", CRUD " credentials", family },
	{ "catalogs", CRUD " summary tree location-overlaps", family },
	{ "branches", "list get create delete commits rebase", family },
	{ "tags", "list create delete", family },
	{ "namespaces", CRUD, cli_cmd_namespaces },
	{ "users", CRUD " roles tokens assign-role revoke-role", users },
	{ "roles", CRUD, family },
	{ "service-users", CRUD " rotate", service_users },
	{ "permissions", "list grant revoke", cli_cmd_permissions },
	{ "tokens", "list revoke create rotate cleanup", cli_cmd_tokens },
	{ "whoami", "", cli_cmd_whoami },
	{ "logout", "", cli_cmd_logout },
	{ "dashboard", "", cli_cmd_dashboard },
	{ "settings", "get set", cli_cmd_settings },
	{ "cache", "stats", cli_cmd_cache },
	{ "validate", "catalog warehouse", cli_cmd_validate },
	{ "assets", "list create get bulk-delete", cli_cmd_assets },
	{ "functions", "list get versions create replace drop",
	    cli_cmd_functions },
	{ "audit", "list count get", cli_cmd_audit },
	{ "search", "", cli_cmd_search },
	{ "metadata", "get set delete", cli_cmd_metadata },
	{ "access-requests", "list get request review", cli_cmd_access },
	{ "federated", "list get create delete test sync stats",
	    cli_cmd_federated },
	{ "merge", "start preview list status get conflicts resolve complete "
	    "abort",
	    cli_cmd_merge },
	{ "maintenance", "expire-snapshots remove-orphan-files",
	    cli_cmd_maintenance },
	{ "task", "list status cancel", cli_cmd_task },
	{ "webhooks", CRUD " rotate-secret test deliveries replay",
	    cli_cmd_webhooks },
	{ "events", "list", cli_cmd_events },
	{ "policies", "list show create delete explain", cli_cmd_policies },
	{ "dropped", "list restore", cli_cmd_dropped },
	{ "generate-code", "", cli_cmd_codegen },
	{ "completion", "bash", cli_cmd_completion },
	{ "backup", "", cli_cmd_backup },
	{ "help", "", help },
	{ NULL, NULL, NULL }
};

static int
dispatch(struct cli *c)
{
	const struct cli_area	*a;

	if (c->argc < 1)
		return (CLI_USAGE);
	c->areas = areas;
	for (a = areas; a->name != NULL; a++)
		if (strcmp(a->name, c->argv[0]) == 0)
			return (a->run(c));
	return (CLI_USAGE);
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
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		free(c.argv);
		return (CLI_UNREACHABLE);
	}
	rc = dispatch(&c);
	if (rc == CLI_USAGE)
		(void)usage();
	curl_global_cleanup();
	free(c.argv);
	return (rc);
}
