/*
 * An identity provider of the configuration ([[auth.oidc]]), apart from
 * config.h so that the reader of its blocks (config_oidc.c) needs nothing
 * else of the configuration.
 */
#ifndef PGL_CONFIG_OIDC_PROVIDER_H
#define PGL_CONFIG_OIDC_PROVIDER_H

#include <stddef.h>

/* An OpenID provider whose tokens the catalog accepts ([[auth.oidc]]). */
#define PGL_OIDC_MAX		8
#define PGL_OIDC_MAX_ROLES	64
struct pgl_oidc_role {			/* a group and what it grants */
	char	*group;
	char	*role;	/* root, tenant-admin, tenant-user or a role's name */
};
struct pgl_oidc_provider {
	char			*name;		/* [a-z0-9_-]{1,32}, unique */
	char			*issuer;	/* "iss", exactly */
	char			*audience;	/* in "aud" */
	char			*jwks_uri;	/* NULL: from discovery */
	char			*client_id;	/* the page's SSO; NULL: none */
	char			*client_secret;
	char			*scopes;
	char			*tenant_claim;
	char			*tenant;	/* fixed tenant; NULL: claim */
	char			*username_claim; /* NULL: the defaults */
	char			*groups_claim;
	struct pgl_oidc_role	 roles[PGL_OIDC_MAX_ROLES];
	size_t			 nroles;
	int			 leeway_secs;
	int			 refetch_secs;
	int			 jwks_max_age_secs;
	int			 max_waiting;	/* requests held for a key fetch */
};

#endif
