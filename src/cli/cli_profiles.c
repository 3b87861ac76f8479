/*
 * Named profiles in $XDG_CONFIG_HOME/pangolin/cli.json (else
 * ~/.config/pangolin), mode 0600 since it holds bearer tokens:
 *
 *	{"profiles": {"default": {"url": ..., "token": ..., "tenant": ...}}}
 *
 * The file of older releases was one flat {"url", "token"}: it reads as
 * the profile "default" and is rewritten in this form on the next save,
 * the default profile's url and token mirrored flat at the top so that
 * an older pangolin admin (or a script) reading the file still works.
 * A command changes only the fields it owns (login: url and token; use:
 * the tenant), so a token given by flag never leaks into the file by way
 * of `use`.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

#define PROFILE_LOGIN	1	/* url and token */
#define PROFILE_TENANT	2	/* tenant (and url when it has none) */
#define PROFILE_TOKEN	3	/* token alone: rotate, logout (none) */

int
cli_config_path(char *buf, size_t len)
{
	const char	*xdg = getenv("XDG_CONFIG_HOME");
	const char	*home = getenv("HOME");
	int		 n;

	if (xdg != NULL && *xdg != '\0')
		n = snprintf(buf, len, "%s/pangolin", xdg);
	else if (home != NULL && *home != '\0')
		n = snprintf(buf, len, "%s/.config/pangolin", home);
	else
		return (-1);
	if (n < 0 || (size_t)n >= len)
		return (-1);
	return (0);
}

static int
file_path(char *buf, size_t len)
{
	char	dir[448];

	if (cli_config_path(dir, sizeof(dir)) == -1)
		return (-1);
	if (snprintf(buf, len, "%s/cli.json", dir) >= (int)len)
		return (-1);
	return (0);
}

/*
 * The whole file as {"profiles": {...}}, the flat format migrated; an
 * empty one when there is no file.  NULL when the file is there but not
 * JSON (a save would otherwise drop every profile in it), or out of
 * memory.
 */
static json_t *
profiles_read(void)
{
	json_error_t	 jerr;
	json_t		*root = NULL, *all, *flat;
	char		 path[512];

	if (file_path(path, sizeof(path)) == 0 &&
	    (root = json_load_file(path, 0, &jerr)) == NULL &&
	    access(path, F_OK) == 0) {
		fprintf(stderr, "pangolin admin: %s: %s (line %d)\n", path,
		    jerr.text, jerr.line);
		return (NULL);
	}
	if (json_is_object(json_object_get(root, "profiles")))
		return (root);
	all = json_pack("{s:{}}", "profiles");
	if (all != NULL && json_is_object(root) &&
	    (json_object_get(root, "token") != NULL ||
	    json_object_get(root, "url") != NULL)) {
		flat = json_deep_copy(root);
		if (flat == NULL || json_object_set_new(json_object_get(all,
		    "profiles"), "default", flat) == -1) {
			json_decref(all);
			all = NULL;
		}
	}
	json_decref(root);
	return (all);
}

/* Written to a temporary file then renamed: never half a file. */
static int
profiles_write(json_t *all)
{
	json_t	*def;
	char	 dir[448], path[512], tmp[520];
	char	*text;
	size_t	 len;
	int	 fd, rc = -1;

	json_object_del(all, "url");
	json_object_del(all, "token");
	def = json_object_get(json_object_get(all, "profiles"), "default");
	if (json_object_get(def, "url") != NULL)
		json_object_set(all, "url", json_object_get(def, "url"));
	if (json_object_get(def, "token") != NULL)
		json_object_set(all, "token", json_object_get(def, "token"));
	if (cli_config_path(dir, sizeof(dir)) == -1 ||
	    file_path(path, sizeof(path)) == -1)
		return (-1);
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return (-1);
	(void)snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((text = json_dumps(all, JSON_INDENT(2) | JSON_SORT_KEYS)) == NULL)
		return (-1);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) != -1) {
		len = strlen(text);
		if (fchmod(fd, 0600) == 0 && write(fd, text, len) ==
		    (ssize_t)len)
			rc = 0;
		if (close(fd) == -1)
			rc = -1;
		if (rc == 0 && rename(tmp, path) == -1)
			rc = -1;
		if (rc == -1)
			(void)unlink(tmp);
	}
	free(text);
	return (rc);
}

static void
copy_field(char *dst, size_t len, const json_t *p, const char *key)
{
	const char	*s = json_string_value(json_object_get(p, key));

	if (s != NULL)
		(void)snprintf(dst, len, "%s", s);
}

/* Fills what flags and environment left empty from the chosen profile. */
void
cli_profile_load(struct cli *c, int have_url, int have_token)
{
	json_t	*all, *p;

	if ((all = profiles_read()) == NULL)
		return;
	p = json_object_get(json_object_get(all, "profiles"), c->profile);
	if (!have_url)
		copy_field(c->url, sizeof(c->url), p, "url");
	if (!have_token)
		copy_field(c->token, sizeof(c->token), p, "token");
	copy_field(c->tenant_ctx, sizeof(c->tenant_ctx), p, "tenant");
	/* A hand-edited tenant could end the header it goes into. */
	if (c->tenant_ctx[strspn(c->tenant_ctx, "0123456789abcdefABCDEF-")] !=
	    '\0') {
		fprintf(stderr, "pangolin admin: profile %s: tenant is not an "
		    "id, ignored\n", c->profile);
		c->tenant_ctx[0] = '\0';
	}
	json_decref(all);
}

static int
set_str(json_t *p, const char *key, const char *v)
{
	if (v == NULL || *v == '\0')
		return (json_object_del(p, key), 0);
	return (json_object_set_new(p, key, json_string(v)));
}

static int
profile_update(const struct cli *c, int what)
{
	json_t	*all, *profs, *p;
	int	 rc = -1;

	if ((all = profiles_read()) == NULL)
		return (-1);
	profs = json_object_get(all, "profiles");
	if ((p = json_object_get(profs, c->profile)) == NULL) {
		if ((p = json_object()) == NULL ||
		    json_object_set_new(profs, c->profile, p) == -1)
			goto out;
	}
	if (what == PROFILE_LOGIN && (set_str(p, "url", c->url) == -1 ||
	    set_str(p, "token", c->token) == -1))
		goto out;
	if (what == PROFILE_TENANT && ((json_object_get(p, "url") == NULL &&
	    set_str(p, "url", c->url) == -1) ||
	    set_str(p, "tenant", c->tenant_ctx) == -1))
		goto out;
	if (what == PROFILE_TOKEN && set_str(p, "token", c->token) == -1)
		goto out;
	rc = profiles_write(all);
out:
	json_decref(all);
	return (rc);
}

int
cli_profile_save(const struct cli *c)
{
	return (profile_update(c, PROFILE_LOGIN));
}

/* The profile's token replaced, or removed when c->token is empty. */
int
cli_profile_set_token(const struct cli *c)
{
	return (profile_update(c, PROFILE_TOKEN));
}

/* Names, urls and tenants; never the tokens. */
static int
profiles_list(const struct cli *c)
{
	json_t		*all, *out, *p;
	const char	*name;

	if ((all = profiles_read()) == NULL || (out = json_array()) == NULL) {
		json_decref(all);
		return (CLI_FAILED);
	}
	json_object_foreach(json_object_get(all, "profiles"), name, p) {
		json_array_append_new(out, json_pack("{s:s,s:O?,s:O?,s:b,s:b}",
		    "name", name, "url", json_object_get(p, "url"), "tenant",
		    json_object_get(p, "tenant"), "has_token",
		    json_object_get(p, "token") != NULL, "current",
		    strcmp(name, c->profile) == 0));
	}
	json_decref(all);
	return (cli_result(c, 200, out, 0));
}

static int
profiles_delete(const struct cli *c, const char *name)
{
	json_t	*all;
	int	 rc;

	if ((all = profiles_read()) == NULL)
		return (CLI_FAILED);
	if (json_object_del(json_object_get(all, "profiles"), name) == -1) {
		json_decref(all);
		fprintf(stderr, "pangolin admin: no profile %s\n", name);
		return (CLI_FAILED);
	}
	rc = profiles_write(all);
	json_decref(all);
	if (rc == -1)
		return (CLI_FAILED);
	return (cli_result(c, 200, json_pack("{s:s}", "deleted", name), 0));
}

int
cli_cmd_profiles(struct cli *c)
{
	const char	*sub = c->argc > 1 ? c->argv[1] : "list";

	if (strcmp(sub, "list") == 0 && c->argc <= 2)
		return (profiles_list(c));
	if (strcmp(sub, "delete") == 0 && c->argc == 3)
		return (profiles_delete(c, c->argv[2]));
	return (CLI_USAGE);
}

/*
 * The tenant as the server names it: an id (GET /tenants/{id}) or else
 * a name looked up in the list.  Both are root's routes.  The id is
 * copied into c->tenant_ctx; the answer goes through cli_result on error.
 */
static int
resolve_tenant(struct cli *c, const char *want)
{
	json_t		*body, *t;
	const char	*id = NULL;
	char		 path[512];
	long		 status;
	size_t		 i;

	if (cli_path(path, sizeof(path), "/api/v1/tenants", want, NULL) == -1)
		return (CLI_USAGE);
	if (cli_http(c, "GET", path, NULL, &status, &body) == -1)
		return (CLI_UNREACHABLE);
	if (status == 200)
		id = json_string_value(json_object_get(body, "id"));
	else {
		json_decref(body);
		if (cli_http(c, "GET", "/api/v1/tenants", NULL, &status,
		    &body) == -1)
			return (CLI_UNREACHABLE);
		if (status != 200)
			return (cli_result(c, status, body, 0));
		json_array_foreach(body, i, t) {
			if (json_is_string(json_object_get(t, "name")) &&
			    strcmp(json_string_value(json_object_get(t,
			    "name")), want) == 0)
				id = json_string_value(json_object_get(t,
				    "id"));
		}
	}
	if (id == NULL) {
		json_decref(body);
		fprintf(stderr, "pangolin admin: no tenant %s\n", want);
		return (cli_result(c, 404, NULL, 1));
	}
	(void)snprintf(c->tenant_ctx, sizeof(c->tenant_ctx), "%s", id);
	json_decref(body);
	return (CLI_OK);
}

/* use TENANT | use --clear | use none: root's tenant for later commands. */
int
cli_cmd_use(struct cli *c)
{
	int	rc;

	if (c->clear ? c->argc != 1 : c->argc != 2)
		return (CLI_USAGE);
	c->tenant = NULL;	/* the lookup itself is root's, unnamed */
	c->tenant_ctx[0] = '\0';
	if (!c->clear && strcmp(c->argv[1], "none") != 0 &&
	    (rc = resolve_tenant(c, c->argv[1])) != CLI_OK)
		return (rc);
	if (profile_update(c, PROFILE_TENANT) == -1) {
		fprintf(stderr, "pangolin admin: cannot write the profile\n");
		return (CLI_FAILED);
	}
	return (cli_result(c, 200, json_pack("{s:s,s:s?}", "profile",
	    c->profile, "tenant", c->tenant_ctx[0] != '\0' ? c->tenant_ctx :
	    NULL), 0));
}
