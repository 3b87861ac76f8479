/*
 * Who may do what: grants (permissions), a user's roles, tokens, and a
 * service user's key rotation.  Each is a route or two of §2.7-2.9 that
 * the family table cannot express (two ids, a body built from words).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/*
 * permissions grant USER ACTIONS SCOPE [key=value ...]: ACTIONS is a
 * comma list, SCOPE the scope's type and the words its other fields
 * (catalog_id=..., namespace=...).  --data sends a body as it is.
 */
static json_t *
grant_body(const struct cli *c)
{
	json_t	*req, *acts, *scope;
	char	 buf[512], *tok, *save;

	if (c->data != NULL)
		return (cli_body(c, 2));
	if (c->argc < 5 || snprintf(buf, sizeof(buf), "%s", c->argv[3]) >=
	    (int)sizeof(buf))
		return (NULL);
	if ((acts = json_array()) == NULL)
		return (NULL);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		json_array_append_new(acts, json_string(tok));
	if ((scope = cli_words(c, 5, NULL)) == NULL) {
		json_decref(acts);
		return (NULL);
	}
	json_object_set_new(scope, "type", json_string(c->argv[4]));
	req = json_pack("{s:s,s:o,s:o}", "user-id", c->argv[2], "scope",
	    scope, "actions", acts);
	return (req);
}

int
cli_cmd_permissions(struct cli *c)
{
	const char	*sub = c->argc > 1 ? c->argv[1] : "";
	json_t		*req;
	char		 path[1024] = "/api/v1/permissions";
	int		 rc;

	if (strcmp(sub, "list") == 0 && c->argc == 2) {
		if (cli_query(path, sizeof(path), "user", cli_opt(c,
		    "user")) == -1 || cli_query(path, sizeof(path), "limit",
		    cli_opt(c, "limit")) == -1 || cli_query(path,
		    sizeof(path), "offset", cli_opt(c, "offset")) == -1)
			return (CLI_USAGE);
		return (cli_call(c, "GET", path, NULL));
	}
	if (strcmp(sub, "grant") == 0) {
		if ((req = grant_body(c)) == NULL)
			return (CLI_USAGE);
		rc = cli_call(c, "POST", path, req);
		json_decref(req);
		return (rc);
	}
	if (strcmp(sub, "revoke") == 0 && c->argc == 3) {
		if (cli_path(path, sizeof(path), "/api/v1/permissions",
		    c->argv[2], NULL) == -1)
			return (CLI_USAGE);
		return (cli_call(c, "DELETE", path, NULL));
	}
	return (CLI_USAGE);
}

/* users assign-role USER ROLE | users revoke-role USER ROLE */
int
cli_cmd_user_roles(struct cli *c)
{
	json_t	*req;
	char	 path[1024], rest[512];
	int	 rc;

	if (c->argc != 4)
		return (CLI_USAGE);
	if (strcmp(c->argv[1], "assign-role") == 0) {
		if (cli_path(path, sizeof(path), "/api/v1/users", c->argv[2],
		    "/roles") == -1 || (req = json_pack("{s:s}", "role-id",
		    c->argv[3])) == NULL)
			return (CLI_USAGE);
		rc = cli_call(c, "POST", path, req);
		json_decref(req);
		return (rc);
	}
	if (cli_path(rest, sizeof(rest), "/roles", c->argv[3], NULL) == -1 ||
	    cli_path(path, sizeof(path), "/api/v1/users", c->argv[2],
	    rest) == -1)
		return (CLI_USAGE);
	return (cli_call(c, "DELETE", path, NULL));
}

/* tokens list [--user ID] | tokens revoke ID; the session verbs
 * (create, rotate, cleanup) are cli_session.c's. */
int
cli_cmd_tokens(struct cli *c)
{
	const char	*sub = c->argc > 1 ? c->argv[1] : "";
	const char	*user = cli_opt(c, "user");
	char		 path[1024];

	if (strcmp(sub, "list") == 0 && c->argc == 2) {
		if (user == NULL)
			(void)snprintf(path, sizeof(path),
			    "/api/v1/users/me/tokens");
		else if (cli_path(path, sizeof(path), "/api/v1/users", user,
		    "/tokens") == -1)
			return (CLI_USAGE);
		if (cli_query(path, sizeof(path), "limit", cli_opt(c,
		    "limit")) == -1 || cli_query(path, sizeof(path),
		    "offset", cli_opt(c, "offset")) == -1)
			return (CLI_USAGE);
		return (cli_call(c, "GET", path, NULL));
	}
	if (strcmp(sub, "revoke") == 0 && c->argc == 3) {
		if (cli_path(path, sizeof(path), "/api/v1/tokens", c->argv[2],
		    NULL) == -1)
			return (CLI_USAGE);
		return (cli_call(c, "DELETE", path, NULL));
	}
	return (cli_cmd_token_session(c));
}

/*
 * service-users rotate ID: the new key is in this answer only (the
 * server keeps a hash), so say so where a script will not parse it.
 */
int
cli_cmd_rotate(struct cli *c)
{
	json_t		*body;
	const char	*key;
	char		 path[1024];
	long		 status;

	if (c->argc != 3 || cli_path(path, sizeof(path),
	    "/api/v1/service-users", c->argv[2], "/rotate") == -1)
		return (CLI_USAGE);
	if (cli_http(c, "POST", path, NULL, &status, &body) == -1)
		return (CLI_UNREACHABLE);
	if (status != 200 || c->json || (key = json_string_value(
	    json_object_get(body, "api_key"))) == NULL)
		return (cli_result(c, status, body, 0));
	printf("%s\n", key);
	fprintf(stderr, "pangolin admin: the new API key of %s (client id) is "
	    "shown once; the old one no longer works\n", c->argv[2]);
	json_decref(body);
	return (CLI_OK);
}
