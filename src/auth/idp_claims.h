/*
 * Who a verified token of an identity provider names, by the provider's
 * claim mapping ([[auth.oidc]]): pure, so every rule is unit-tested.
 *
 *  - tenant: the provider's fixed `tenant`, else the claim `tenant_claim`
 *    (default "tenant"), a tenant name or id; none is an error unless the
 *    groups make the caller root;
 *  - user name: `username_claim`, else preferred_username, else email,
 *    else sub;
 *  - groups (`groups_claim`, default "groups": an array of strings, or
 *    one string) mapped by the `roles` table: "root", "tenant-admin",
 *    "tenant-user", or the name of a tenant role to hold.  The highest of
 *    root > tenant-admin > tenant-user wins; root only ever through an
 *    explicit mapping.
 * A claim name with dots that is not itself a key is a path into nested
 * objects ("realm_access.roles", as Keycloak puts realm roles).
 */
#ifndef PGL_AUTH_IDP_CLAIMS_H
#define PGL_AUTH_IDP_CLAIMS_H

#include <stddef.h>

#include <jansson.h>

#include "auth/principal.h"
#include "config/config.h"

#define PGL_IDP_MAX_ROLES	64

struct pgl_idp_who {
	const char		*subject;	/* "sub" */
	const char		*username;
	const char		*email;		/* NULL if none */
	const char		*tenant;	/* a name or id; NULL for root */
	enum pgl_user_role	 role;
	/* Tenant roles the groups map to (no duplicates). */
	const char		*roles[PGL_IDP_MAX_ROLES];
	size_t			 nroles;
};

/*
 * Fill who from claims (strings point into claims or cfg: both must
 * outlive who).  0, or -1 with why naming the claim that is missing or
 * not usable.
 */
int	pgl_idp_who(const struct pgl_oidc_provider *, const json_t *claims,
	    struct pgl_idp_who *, char *why, size_t whylen);

/* The claim `name` of claims, by key or dotted path; NULL if absent. */
const json_t	*pgl_idp_claim(const json_t *claims, const char *name);

#endif
