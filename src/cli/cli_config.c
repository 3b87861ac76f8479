/*
 * Arguments and where the URL and token come from: flags first, then
 * PANGOLIN_URL/PANGOLIN_TOKEN, then $XDG_CONFIG_HOME/pangolin/cli.json
 * (written by login, mode 0600 since it holds a bearer token).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

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

static void
config_load(struct cli *c, int have_url, int have_token)
{
	json_t		*root;
	const char	*s;
	char		 dir[448], path[512];

	if (cli_config_path(dir, sizeof(dir)) == -1)
		return;
	(void)snprintf(path, sizeof(path), "%s/cli.json", dir);
	if ((root = json_load_file(path, 0, NULL)) == NULL)
		return;
	if (!have_url && (s = json_string_value(json_object_get(root,
	    "url"))) != NULL)
		(void)snprintf(c->url, sizeof(c->url), "%s", s);
	if (!have_token && (s = json_string_value(json_object_get(root,
	    "token"))) != NULL)
		(void)snprintf(c->token, sizeof(c->token), "%s", s);
	json_decref(root);
}

int
cli_config_save(const struct cli *c)
{
	json_t	*root;
	char	 dir[448], path[512];
	char	*text;
	int	 fd, rc = -1;
	size_t	 len;

	if (cli_config_path(dir, sizeof(dir)) == -1)
		return (-1);
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return (-1);
	(void)snprintf(path, sizeof(path), "%s/cli.json", dir);
	if ((root = json_pack("{s:s,s:s}", "url", c->url, "token",
	    c->token)) == NULL)
		return (-1);
	text = json_dumps(root, JSON_INDENT(2));
	json_decref(root);
	if (text == NULL)
		return (-1);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) != -1) {
		len = strlen(text);
		if (fchmod(fd, 0600) == 0 && write(fd, text, len) ==
		    (ssize_t)len)
			rc = 0;
		if (close(fd) == -1)
			rc = -1;
	}
	free(text);
	return (rc);
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
		else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
			if (v == NULL)
				return (-1);
			c->config = argv[++i];
		} else if (strncmp(a, "--", 2) == 0 && a[2] != '\0') {
			if (v == NULL)
				return (-1);
			i++;
			if (strcmp(a, "--url") == 0)
				flag_url = v;
			else if (strcmp(a, "--token") == 0)
				flag_token = v;
			else if (strcmp(a, "--catalog") == 0)
				c->catalog = v;
			else if (strcmp(a, "--tenant") == 0)
				c->tenant = v;
			else if (strcmp(a, "--data") == 0)
				c->data = v;
			else if (strcmp(a, "--output") == 0) {
				if (strcmp(v, "json") == 0)
					c->json = 1;
				else if (strcmp(v, "text") != 0)
					return (-1);
			} else if (strcmp(a, "--older-than-ms") == 0) {
				if (number(v, &c->older_than_ms) == -1)
					return (-1);
			} else if (strcmp(a, "--retain-last") == 0) {
				if (number(v, &c->retain_last) == -1)
					return (-1);
			} else
				return (-1);
		} else
			c->argv[n++] = argv[i];
	}
	c->argc = n;
	if (flag_url != NULL)
		url = flag_url;
	if (flag_token != NULL)
		token = flag_token;
	if (url != NULL && *url != '\0')
		(void)snprintf(c->url, sizeof(c->url), "%s", url);
	if (token != NULL && *token != '\0')
		(void)snprintf(c->token, sizeof(c->token), "%s", token);
	config_load(c, c->url[0] != '\0', c->token[0] != '\0');
	if (c->url[0] == '\0')
		(void)snprintf(c->url, sizeof(c->url), "http://127.0.0.1:8080");
	return (0);
}
