/*
 * Session tokens: HS256 JWTs (RFC 7519) signed with PANGOLIN_JWT_SECRET,
 * claims as pangolin-api.md §3.1: sub, jti, username, tenant_id (absent
 * for root), role, iat, exp.
 */
#ifndef PGL_JWT_H
#define PGL_JWT_H

#include <stddef.h>
#include <stdint.h>

#include "util/uuid.h"

#define PGL_JWT_MAX	4096	/* longer Authorization values are refused */

struct pgl_jwt_claims {
	char		sub[PGL_UUID_LEN + 1];
	char		jti[PGL_UUID_LEN + 1];
	char		username[256];
	char		tenant_id[PGL_UUID_LEN + 1];	/* "" for root */
	char		role[16];	/* root | tenant-admin | tenant-user */
	int64_t		iat;		/* seconds since the epoch */
	int64_t		exp;
};

/* Sign claims; *out is malloc'd.  Returns 0 or -1. */
int		 pgl_jwt_sign(const char *secret, const struct pgl_jwt_claims *,
		    char **out);

/*
 * Verify token at time now (seconds): alg must be HS256 exactly (never
 * "none", never another algorithm), the signature must match, exp must
 * be in the future (no leeway: the catalog signs its own tokens, so
 * there is no clock skew between issuer and verifier), and every claim
 * must be well formed.  Returns 0, or -1 with *why "Invalid token",
 * "Token expired" or "Invalid session".
 */
int		 pgl_jwt_verify(const char *secret, const char *token,
		    int64_t now, struct pgl_jwt_claims *, const char **why);

/*
 * As pgl_jwt_verify, remembering the last few tokens this process
 * verified: a token's signature and claims cannot change, so a repeat
 * only has its expiry checked again.  Bearer tokens come back on every
 * request of a session; HMAC and JSON decoding are most of its cost.
 */
int		 pgl_jwt_verify_cached(const char *secret, const char *token,
		    int64_t now, struct pgl_jwt_claims *, const char **why);

/*
 * 1 when token is one pgl_jwt_verify_cached verified with secret and
 * still remembers (its expiry not checked): a session of ours, so the
 * caller need not take it apart to see whose it is.
 */
int		 pgl_jwt_known(const char *secret, const char *token);

/* NULL if secret may sign tokens, else why not (§10: at least 32
 * bytes, not a known weak value, not one repeated character). */
const char	*pgl_jwt_secret_check(const char *secret);

#endif
