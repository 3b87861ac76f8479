/*
 * The parts of config.c's loading, in its order, and the setters they
 * share (config_set.c).  Private to src/config: everything else reads the
 * loaded struct pgl_config (config.h).
 */
#ifndef PGL_CONFIG_PARTS_H
#define PGL_CONFIG_PARTS_H

#include <stddef.h>

#include "config/config_error.h"

struct pgl_config;
struct pgl_plugin_conf;
struct pgl_strlist;

/* config_file.c: the file's keys over the defaults.  0, or -1 with err. */
int	pgl_config_file_load(struct pgl_config *, const char *path,
	    struct pgl_config_error *);
/* config_env.c: the environment over both.  0, or -1 with err. */
int	pgl_config_env_apply(struct pgl_config *, struct pgl_config_error *);
/* config_check.c: the whole, once all is in.  0, or -1 with err. */
int	pgl_config_validate(struct pgl_config *, struct pgl_config_error *);

/* config_quota.c: [quota]'s defaults, then its environment (0 or -1). */
void	pgl_config_quota_defaults(struct pgl_config *);
int	pgl_config_quota_env(struct pgl_config *, struct pgl_config_error *);

/* config_set.c */
void	 pgl_config_seterr(struct pgl_config_error *, int line,
	    const char *key, const char *fmt, ...);
/* strdup, or the end of the process (start-up has no way on). */
char	*pgl_config_strdup(const char *);
void	 pgl_config_setstr(char **dst, const char *);
/* A plugin option set or replaced; -1 when the table is full. */
int	 pgl_config_opt_set(struct pgl_plugin_conf *, const char *key,
	    const char *value);
void	 pgl_config_opts_clear(struct pgl_plugin_conf *);
void	 pgl_config_list_clear(struct pgl_strlist *);
/* Appends one element; -1 when the list is full. */
int	 pgl_config_list_add(struct pgl_strlist *, const char *, size_t);

#endif
