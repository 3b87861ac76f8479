/*
 * The identity providers of the configuration: [[auth.oidc]] blocks and
 * the PANGOLIN_OIDC_* variables of a single provider, into the array
 * p[PGL_OIDC_MAX] of which *n are used.  Called by the parts of config.c
 * only (config_file.c, config_env.c, config_check.c, and its free).
 */
#ifndef PGL_CONFIG_OIDC_H
#define PGL_CONFIG_OIDC_H

#include "config/config_error.h"
#include "config/oidc_provider.h"
#include "config/toml.h"

/* The array of [[auth.oidc]] tables.  0, or -1 with err. */
int	pgl_config_oidc_load(struct pgl_oidc_provider *, size_t *n,
	    const struct toml_value *, struct pgl_config_error *);
/* PANGOLIN_OIDC_*.  0, or -1 with err. */
int	pgl_config_oidc_env(struct pgl_oidc_provider *, size_t *n,
	    struct pgl_config_error *);
/* Every provider complete and sound.  0, or -1 with err. */
int	pgl_config_oidc_validate(struct pgl_oidc_provider *, size_t n,
	    struct pgl_config_error *);
void	pgl_config_oidc_free(struct pgl_oidc_provider *, size_t *n);

#endif
