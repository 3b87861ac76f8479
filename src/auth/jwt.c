#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jwt.h>

#include "auth/jwt.h"
#include "util/hash.h"

static int
role_valid(const char *r)
{
	return (r != NULL && (strcmp(r, "root") == 0 ||
	    strcmp(r, "tenant-admin") == 0 || strcmp(r, "tenant-user") == 0));
}

int
pgl_jwt_sign(const char *secret, const struct pgl_jwt_claims *c,
    char **out)
{
	jwt_t	*jwt;
	int	 ok;

	*out = NULL;
	if (jwt_new(&jwt) != 0)
		return (-1);
	ok = jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)secret,
	    (int)strlen(secret)) == 0 &&
	    jwt_add_grant(jwt, "sub", c->sub) == 0 &&
	    jwt_add_grant(jwt, "jti", c->jti) == 0 &&
	    jwt_add_grant(jwt, "username", c->username) == 0 &&
	    jwt_add_grant(jwt, "role", c->role) == 0 &&
	    (c->tenant_id[0] == '\0' ||
	    jwt_add_grant(jwt, "tenant_id", c->tenant_id) == 0) &&
	    jwt_add_grant_int(jwt, "iat", (long)c->iat) == 0 &&
	    jwt_add_grant_int(jwt, "exp", (long)c->exp) == 0 &&
	    (*out = jwt_encode_str(jwt)) != NULL;
	jwt_free(jwt);
	return (ok ? 0 : -1);
}

/* Copy a string grant that must be present and fit. */
static int
grant(jwt_t *jwt, const char *name, char *dst, size_t len)
{
	const char	*v = jwt_get_grant(jwt, name);

	if (v == NULL || strlen(v) >= len)
		return (-1);
	memcpy(dst, v, strlen(v) + 1);
	return (0);
}

static int
claims_read(jwt_t *jwt, struct pgl_jwt_claims *c)
{
	const char	*tenant;

	memset(c, 0, sizeof(*c));
	if (grant(jwt, "sub", c->sub, sizeof(c->sub)) == -1 ||
	    grant(jwt, "jti", c->jti, sizeof(c->jti)) == -1 ||
	    grant(jwt, "username", c->username, sizeof(c->username)) == -1 ||
	    grant(jwt, "role", c->role, sizeof(c->role)) == -1)
		return (-1);
	if (!pgl_uuid_valid(c->sub) || !pgl_uuid_valid(c->jti) ||
	    !role_valid(c->role))
		return (-1);
	tenant = jwt_get_grant(jwt, "tenant_id");
	if (tenant != NULL) {
		if (!pgl_uuid_valid(tenant))
			return (-1);
		memcpy(c->tenant_id, tenant, PGL_UUID_LEN + 1);
	}
	/* Root has no tenant; everyone else has one. */
	if ((strcmp(c->role, "root") == 0) != (c->tenant_id[0] == '\0'))
		return (-1);
	errno = 0;
	c->iat = jwt_get_grant_int(jwt, "iat");
	if (errno != 0)
		return (-1);
	c->exp = jwt_get_grant_int(jwt, "exp");
	return (errno != 0 ? -1 : 0);
}

int
pgl_jwt_verify(const char *secret, const char *token, int64_t now,
    struct pgl_jwt_claims *c, const char **why)
{
	jwt_t	*jwt = NULL;
	int	 rc = -1;

	*why = "Invalid token";
	if (token == NULL || strlen(token) > PGL_JWT_MAX)
		return (-1);
	/* With a key, libjwt checks the signature with the algorithm the
	 * token names; HS256 is then required of that name, so neither
	 * "none" nor another algorithm is ever accepted. */
	if (jwt_decode(&jwt, token, (const unsigned char *)secret,
	    (int)strlen(secret)) != 0 || jwt == NULL)
		return (-1);
	if (jwt_get_alg(jwt) != JWT_ALG_HS256)
		goto out;
	if (claims_read(jwt, c) == -1) {
		*why = "Invalid session";
		goto out;
	}
	if (c->exp <= now) {
		*why = "Token expired";
		goto out;
	}
	rc = 0;
out:
	jwt_free(jwt);
	return (rc);
}

const char *
pgl_jwt_secret_check(const char *secret)
{
	static const char *const weak[] = {
		"default_secret_for_dev", "change-me-please", "change-me",
		"changeme", "password", "password123", "secret",
		"test_secret", "your-secret-key", "supersecret"
	};
	size_t	i, len;

	if (secret == NULL || *secret == '\0')
		return ("PANGOLIN_JWT_SECRET is required when auth is enabled");
	for (i = 0; i < sizeof(weak) / sizeof(weak[0]); i++) {
		if (strcmp(secret, weak[i]) == 0)
			return ("refusing a known weak PANGOLIN_JWT_SECRET");
	}
	if ((len = strlen(secret)) < 32)
		return ("PANGOLIN_JWT_SECRET must be at least 32 bytes "
		    "(openssl rand -base64 48)");
	for (i = 1; i < len && secret[i] == secret[0]; i++)
		;
	if (i == len)
		return ("refusing a PANGOLIN_JWT_SECRET of one repeated "
		    "character");
	return (NULL);
}

#define SEEN_SLOTS	64
#define SEEN_TOKEN_MAX	1024	/* longer tokens are verified every time */
#define SEEN_SECRET_MAX	256

/* This process's verified tokens (a cache: losing it costs time only). */
static struct seen {
	char			token[SEEN_TOKEN_MAX];
	char			secret[SEEN_SECRET_MAX];	/* verified with */
	struct pgl_jwt_claims	claims;
} seen[SEEN_SLOTS];

/*
 * A token's slot, from its last bytes: they are the HMAC, as good a hash
 * as any.  Hashing the whole token byte by byte cost 2,300 instructions
 * a request (callgrind, a 350-byte session), a twentieth of a loadTable.
 */
static struct seen *
seen_slot(const char *token, size_t len)
{
	size_t	tail = len < 32 ? len : 32;

	return (&seen[pgl_fnv1a(PGL_FNV_BASIS, token + len - tail, tail) %
	    SEEN_SLOTS]);
}

int
pgl_jwt_known(const char *secret, const char *token)
{
	size_t		 len = strlen(token);
	struct seen	*s;

	if (len >= SEEN_TOKEN_MAX)
		return (0);
	s = seen_slot(token, len);
	return (s->token[0] != '\0' && strcmp(s->token, token) == 0 &&
	    strcmp(s->secret, secret) == 0);
}

int
pgl_jwt_verify_cached(const char *secret, const char *token, int64_t now,
    struct pgl_jwt_claims *c, const char **why)
{
	size_t		 len = strlen(token);
	struct seen	*s = seen_slot(token, len);

	if (len >= SEEN_TOKEN_MAX || strlen(secret) >= SEEN_SECRET_MAX)
		return (pgl_jwt_verify(secret, token, now, c, why));
	if (s->token[0] != '\0' && strcmp(s->token, token) == 0 &&
	    strcmp(s->secret, secret) == 0) {
		if (s->claims.exp <= now) {
			*why = "Token expired";
			return (-1);
		}
		*c = s->claims;
		return (0);
	}
	if (pgl_jwt_verify(secret, token, now, c, why) == -1)
		return (-1);
	memcpy(s->token, token, len + 1);
	(void)snprintf(s->secret, sizeof(s->secret), "%s", secret);
	s->claims = *c;
	return (0);
}
