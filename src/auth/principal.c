#include <string.h>
#include <strings.h>

#include <time.h>

#include "auth/jwt.h"
#include "auth/password.h"
#include "auth/principal.h"
#include "util/str.h"

const char *
pgl_role_name(enum pgl_user_role r)
{
	switch (r) {
	case ROLE_ROOT:		return ("root");
	case ROLE_TENANT_ADMIN:	return ("tenant-admin");
	case ROLE_TENANT_USER:	return ("tenant-user");
	default:		return ("none");
	}
}

int
pgl_base64_decode(const char *in, char *out, size_t outlen)
{
	size_t		len = strlen(in), i, o = 0;
	unsigned int	acc = 0;
	int		bits = 0, v, pad = 0;

	if (len % 4 != 0)
		return (-1);
	for (i = 0; i < len; i++) {
		if (in[i] == '=') {
			if (i + 2 < len)
				return (-1);
			pad++;
			continue;
		}
		if (pad || (v = pgl_base64_value(in[i])) < 0)
			return (-1);
		acc = (acc << 6) | (unsigned int)v;
		if ((bits += 6) >= 8) {
			bits -= 8;
			if (o + 1 >= outlen)
				return (-1);
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	return (memchr(out, '\0', o) != NULL ? -1 : 0);
}

static void
set_principal(struct pgl_principal *who, enum pgl_user_role role,
    const char *user_id, const char *username, const char *tenant)
{
	memset(who, 0, sizeof(*who));
	who->role = role;
	(void)pgl_strlcpy(who->user_id, user_id, sizeof(who->user_id));
	(void)pgl_strlcpy(who->username, username, sizeof(who->username));
	(void)pgl_strlcpy(who->tenant_id, tenant, sizeof(who->tenant_id));
}

/* Root by HTTP Basic with the configured credentials (constant time). */
static int
basic_root(const struct pgl_config *cfg, const char *cred, const char **why)
{
	char	 buf[512], *colon;
	int	 ok;

	if (cfg->auth.root_user == NULL ||
	    pgl_base64_decode(cred, buf, sizeof(buf)) == -1 ||
	    (colon = strchr(buf, ':')) == NULL) {
		*why = "Invalid credentials";
		return (401);
	}
	*colon = '\0';
	ok = pgl_secret_equal(buf, cfg->auth.root_user);
	ok &= pgl_secret_equal(colon + 1, cfg->auth.root_password);
	explicit_bzero(buf, sizeof(buf));
	if (!ok) {
		*why = "Invalid credentials";
		return (401);
	}
	return (0);
}

enum pgl_user_role
pgl_role_parse(const char *name)
{
	if (strcmp(name, "root") == 0)
		return (ROLE_ROOT);
	if (strcmp(name, "tenant-admin") == 0)
		return (ROLE_TENANT_ADMIN);
	return (ROLE_TENANT_USER);
}

/* A session token (HS256 JWT); revocation is the caller's check. */
static int
bearer(const struct pgl_config *cfg, const char *token, const char *x_tenant,
    struct pgl_principal *who, char tenant[PGL_UUID_LEN + 1],
    const char **why)
{
	struct pgl_jwt_claims	c;

	if (pgl_jwt_verify_cached(cfg->auth.jwt_secret, token,
	    (int64_t)time(NULL), &c, why) == -1)
		return (401);
	set_principal(who, pgl_role_parse(c.role), c.sub, c.username, c.tenant_id);
	(void)pgl_strlcpy(who->jti, c.jti, sizeof(who->jti));
	who->expires_at = c.exp;
	if (who->role != ROLE_ROOT)
		(void)pgl_strlcpy(tenant, c.tenant_id, PGL_UUID_LEN + 1);
	else if (x_tenant != NULL && pgl_uuid_valid(x_tenant))
		(void)pgl_strlcpy(tenant, x_tenant, PGL_UUID_LEN + 1);
	return (0);
}

int
pgl_auth_resolve(const struct pgl_config *cfg, const char *authz,
    const char *x_tenant, struct pgl_principal *who,
    char tenant[PGL_UUID_LEN + 1], const char **why)
{
	int	rc;

	(void)pgl_strlcpy(tenant, PGL_NIL_UUID, PGL_UUID_LEN + 1);
	/* pangolin-api §3.1: no-auth without credentials = nil-tenant admin. */
	if (cfg->auth.no_auth && authz == NULL) {
		set_principal(who, ROLE_TENANT_ADMIN, PGL_NIL_UUID,
		    "tenant_admin", PGL_NIL_UUID);
		return (0);
	}
	if (authz == NULL) {
		*why = "Missing or invalid authorization header";
		return (401);
	}
	if (strncasecmp(authz, "Basic ", 6) == 0) {
		if ((rc = basic_root(cfg, authz + 6, why)) != 0)
			return (rc);
		set_principal(who, ROLE_ROOT, PGL_NIL_UUID, cfg->auth.root_user,
		    "");
		/* Only root may act inside another tenant (§3.2). */
		if (x_tenant != NULL && pgl_uuid_valid(x_tenant))
			(void)pgl_strlcpy(tenant, x_tenant, PGL_UUID_LEN + 1);
		return (0);
	}
	if (strncasecmp(authz, "Bearer ", 7) == 0)
		return (bearer(cfg, authz + 7, x_tenant, who, tenant, why));
	*why = "Missing or invalid authorization header";
	return (401);
}
