/*
 * The caller's own session (pangolin-api.md §2.7): who it is, logout,
 * and the session-token verbs that are not a list or a revoke by id:
 * mint a token for a tenant, rotate the presented one, clean up the
 * expired ones.  A token is in its answer only (the store keeps its id),
 * so text output prints it alone on stdout, where a script reads it.
 * rotate and logout change the profile's token only when the one used
 * came from the profile: a token given by flag or environment belongs to
 * whoever gave it, and the profile's own is another session.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int
cli_cmd_whoami(struct cli *c)
{
	if (c->argc != 1)
		return (CLI_USAGE);
	return (cli_call(c, "GET", "/api/v1/users/me", NULL));
}

/* The server revokes the session (204); the profile forgets it. */
int
cli_cmd_logout(struct cli *c)
{
	long	status;
	json_t	*body;
	int	forget = c->token_from_profile;

	if (c->argc != 1)
		return (CLI_USAGE);
	if (cli_http(c, "POST", "/api/v1/users/logout", NULL, &status,
	    &body) == -1)
		return (CLI_UNREACHABLE);
	if (status < 200 || status > 299)
		return (cli_result(c, status, body, 0));
	json_decref(body);
	c->token[0] = '\0';
	if (forget && cli_profile_set_token(c) == -1) {
		fprintf(stderr, "pangolin admin: cannot write the token file\n");
		return (CLI_FAILED);
	}
	if (!c->json) {
		printf("logged out%s%s%s\n", forget ? " (profile " : "",
		    forget ? c->profile : "", forget ? ")" : "");
		return (CLI_OK);
	}
	return (cli_result(c, 200, json_pack("{s:b,s:s,s:b}", "logged_out",
	    1, "profile", c->profile, "token_forgotten", forget), 0));
}

/*
 * The tenant a minted token is for when the words do not say: --tenant,
 * else the profile's (use TENANT), else the caller's own.  0, or an exit
 * code.
 */
static int
mint_tenant(const struct cli *c, json_t *req)
{
	json_t		*me;
	const char	*t = c->tenant != NULL ? c->tenant : c->tenant_ctx;
	long		 status;

	if (json_object_get(req, "tenant_id") != NULL)
		return (0);
	if (t[0] != '\0')
		return (json_object_set_new(req, "tenant_id",
		    json_string(t)) == -1 ? CLI_FAILED : 0);
	if (cli_http(c, "GET", "/api/v1/users/me", NULL, &status, &me) == -1)
		return (CLI_UNREACHABLE);
	if (status != 200)
		return (cli_result(c, status, me, 0));
	if (json_is_string(json_object_get(me, "tenant-id")))
		json_object_set(req, "tenant_id", json_object_get(me,
		    "tenant-id"));
	json_decref(me);
	return (0);
}

/* Prints the token of a 200 answer once, and frees the answer. */
static int
print_token(const struct cli *c, long status, json_t *body, const char *why)
{
	const char	*tok;

	if (status != 200 || c->json || (tok = json_string_value(
	    json_object_get(body, "token"))) == NULL)
		return (cli_result(c, status, body, 0));
	printf("%s\n", tok);
	fprintf(stderr, "pangolin admin: %s (expires %s)\n", why,
	    json_string_value(json_object_get(body, "expires_at")) != NULL ?
	    json_string_value(json_object_get(body, "expires_at")) : "?");
	json_decref(body);
	return (CLI_OK);
}

/* tokens create [--data JSON | tenant_id=.. username=.. roles:=[..]
 * expires_in_hours:=N] */
static int
token_create(struct cli *c)
{
	json_t	*req, *body;
	long	 status;
	int	 rc;

	if ((req = cli_body(c, 2)) == NULL || !json_is_object(req)) {
		json_decref(req);
		return (CLI_USAGE);
	}
	if ((rc = mint_tenant(c, req)) != 0) {
		json_decref(req);
		return (rc);
	}
	rc = cli_http(c, "POST", "/api/v1/tokens", req, &status, &body);
	json_decref(req);
	if (rc == -1)
		return (CLI_UNREACHABLE);
	return (print_token(c, status, body, "the token is shown once"));
}

/* The presented token is revoked by the rotation: keep the new one. */
static int
token_rotate(struct cli *c)
{
	json_t		*body;
	const char	*tok;
	long		 status;

	if (c->argc != 2)
		return (CLI_USAGE);
	if (cli_http(c, "POST", "/api/v1/tokens/rotate", NULL, &status,
	    &body) == -1)
		return (CLI_UNREACHABLE);
	if (status == 200 && c->token_from_profile && (tok =
	    json_string_value(json_object_get(body, "token"))) != NULL) {
		if (snprintf(c->token, sizeof(c->token), "%s", tok) >=
		    (int)sizeof(c->token) || cli_profile_set_token(c) == -1)
			fprintf(stderr, "pangolin admin: cannot save the new "
			    "token to profile %s: keep it from here\n",
			    c->profile);
		else
			fprintf(stderr, "pangolin admin: saved to profile "
			    "%s\n", c->profile);
	}
	return (print_token(c, status, body, "the old token no longer "
	    "works"));
}

/* tokens create | rotate | cleanup (cli_identity.c has list, revoke). */
int
cli_cmd_token_session(struct cli *c)
{
	const char	*sub = c->argc > 1 ? c->argv[1] : "";

	if (strcmp(sub, "create") == 0)
		return (token_create(c));
	if (strcmp(sub, "rotate") == 0)
		return (token_rotate(c));
	if (strcmp(sub, "cleanup") == 0 && c->argc == 2)
		return (cli_call(c, "POST", "/api/v1/auth/cleanup-tokens",
		    NULL));
	return (CLI_USAGE);
}
