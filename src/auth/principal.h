/*
 * Who is calling.  This issue knows two principals: the no-auth
 * evaluation principal and root by HTTP Basic; JWT, API keys and users
 * slot in here (the auth issue) without touching handlers.
 */
#ifndef PGL_PRINCIPAL_H
#define PGL_PRINCIPAL_H

#include "config/config.h"
#include "http/request.h"

/*
 * Resolve the caller from the Authorization and X-Pangolin-Tenant header
 * values (either may be NULL).  Fills who and the effective tenant.
 * Returns 0, or 401 with *why set.
 */
int	pgl_auth_resolve(const struct pgl_config *, const char *authorization,
	    const char *x_tenant, struct pgl_principal *who,
	    char tenant[PGL_UUID_LEN + 1], const char **why);

/* 0 if who may call a route of that auth level, else 401 or 403. */
int	pgl_auth_allows(const struct pgl_principal *, enum pgl_auth);

const char	*pgl_role_name(enum pgl_user_role);

/* Strict base64 decode into out (NUL terminated); -1 if malformed. */
int	pgl_base64_decode(const char *in, char *out, size_t outlen);

#endif
