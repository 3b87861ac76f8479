/*
 * Federated catalogs (§2.11): a catalog that proxies another Iceberg
 * REST catalog.  create takes the name and the remote's properties
 * (uri, token, ...) as words, or --data as the properties or as the
 * whole {"config": ...}; list, get, delete, test, sync and stats are
 * the family table's (cli_resources.c).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static int
federated_create(struct cli *c)
{
	json_t	*data, *req;
	int	 rc;

	if (c->argc < 3 || (data = cli_body(c, 3)) == NULL)
		return (CLI_USAGE);
	if (!json_is_object(data)) {
		json_decref(data);
		return (CLI_USAGE);
	}
	if (json_object_get(data, "config") != NULL)
		req = data;
	else {
		req = json_pack("{s:{s:o}}", "config", "properties", data);
		if (req == NULL)
			return (CLI_FAILED);
	}
	json_object_set_new(req, "name", json_string(c->argv[2]));
	rc = cli_call(c, "POST", "/api/v1/federated-catalogs", req);
	json_decref(req);
	return (rc);
}

int
cli_cmd_federated(struct cli *c)
{
	if (c->argc > 1 && strcmp(c->argv[1], "create") == 0)
		return (federated_create(c));
	return (cli_cmd_resource(c, "federated"));
}
