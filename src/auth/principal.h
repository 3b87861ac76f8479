/*
 * Who is calling: the no-auth evaluation principal, root by HTTP Basic,
 * or a session (HS256 JWT).  API keys are resolved by the api layer (they
 * need the store) into the same struct.
 */
#ifndef PGL_PRINCIPAL_H
#define PGL_PRINCIPAL_H

#include <stdint.h>

#include "config/config.h"
#include "util/uuid.h"

enum pgl_user_role {
	ROLE_NONE = 0,
	ROLE_TENANT_USER,
	ROLE_TENANT_ADMIN,
	ROLE_ROOT
};

struct pgl_principal {
	enum pgl_user_role	role;
	char		user_id[PGL_UUID_LEN + 1];
	char		username[128];
	char		tenant_id[PGL_UUID_LEN + 1];	/* "" for root */
	char		jti[PGL_UUID_LEN + 1];	/* bearer session, else "" */
	int64_t		expires_at;	/* the session's exp (seconds) */
};

/*
 * Resolve the caller from the Authorization and X-Pangolin-Tenant header
 * values (either may be NULL).  Fills who and the effective tenant.
 * Returns 0, or 401 with *why set.
 */
int	pgl_auth_resolve(const struct pgl_config *, const char *authorization,
	    const char *x_tenant, struct pgl_principal *who,
	    char tenant[PGL_UUID_LEN + 1], const char **why);

const char		*pgl_role_name(enum pgl_user_role);
/* "root", "tenant-admin"; anything else is a tenant user. */
enum pgl_user_role	 pgl_role_parse(const char *);

/*
 * The auth settings of a loaded config: a strong JWT secret whenever auth
 * is on (a random one in no-auth mode), root credentials set together and
 * not weak, a metrics token (if any) as long as a JWT secret.  0, or -1
 * with err filled.
 */
int	pgl_auth_config_check(struct pgl_config *, struct pgl_config_error *);

/* Strict base64 decode into out (NUL terminated); -1 if malformed. */
int	pgl_base64_decode(const char *in, char *out, size_t outlen);

#endif
