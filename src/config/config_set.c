/*
 * Setting the values of a configuration: its strings, its plugins'
 * options and its lists, as the file (config_file.c) and the environment
 * (config_env.c) give them, and the error that says why one cannot be.
 * Below every part of config.c; out of memory at start-up ends the
 * process.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/config_parts.h"

void
pgl_config_seterr(struct pgl_config_error *err, int line, const char *key,
    const char *fmt, ...)
{
	va_list		ap;

	err->line = line;
	(void)snprintf(err->key, sizeof(err->key), "%s", key ? key : "");
	va_start(ap, fmt);
	(void)vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
}

char *
pgl_config_strdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL) {
		fprintf(stderr, "pangolin: out of memory\n");
		exit(2);
	}
	return (p);
}

void
pgl_config_setstr(char **dst, const char *v)
{
	free(*dst);
	*dst = pgl_config_strdup(v);
}

int
pgl_config_opt_set(struct pgl_plugin_conf *p, const char *key,
    const char *value)
{
	size_t	i;

	for (i = 0; i < p->nopts; i++) {
		if (strcmp(p->opts[i].key, key) == 0) {
			free((char *)p->opts[i].value);
			p->opts[i].value = pgl_config_strdup(value);
			return (0);
		}
	}
	if (p->nopts == PGL_MAX_OPTS)
		return (-1);
	p->opts[p->nopts].key = pgl_config_strdup(key);
	p->opts[p->nopts].value = pgl_config_strdup(value);
	p->nopts++;
	return (0);
}

void
pgl_config_opts_clear(struct pgl_plugin_conf *p)
{
	size_t	i;

	for (i = 0; i < p->nopts; i++) {
		free((char *)p->opts[i].key);
		free((char *)p->opts[i].value);
	}
	p->nopts = 0;
}

void
pgl_config_list_clear(struct pgl_strlist *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

/* Appends one element; -1 when the list is full. */
int
pgl_config_list_add(struct pgl_strlist *l, const char *s, size_t len)
{
	if (l->n == PGL_MAX_LIST)
		return (-1);
	if ((l->v[l->n] = strndup(s, len)) == NULL) {
		fprintf(stderr, "pangolin: out of memory\n");
		exit(2);
	}
	l->n++;
	return (0);
}

const char *
pgl_config_opt(const struct pgl_plugin_conf *p, const char *key)
{
	size_t	i;

	for (i = 0; i < p->nopts; i++) {
		if (strcmp(p->opts[i].key, key) == 0)
			return (p->opts[i].value);
	}
	return (NULL);
}
