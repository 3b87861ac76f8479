/*
 * An identity provider's JWT (an access token or an ID token), checked
 * against its key set (jwk.h): the signature with the algorithm the key
 * allows, then the claims iss, aud, exp, nbf, iat and, for ID tokens,
 * nonce.  Pure: the time is the caller's.
 */
#ifndef PGL_AUTH_OIDC_TOKEN_H
#define PGL_AUTH_OIDC_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "auth/jwk.h"

#define PGL_OIDC_TOKEN_MAX	16384	/* longer tokens are refused unread */

enum pgl_oidc_result {
	PGL_OIDC_OK = 0,
	PGL_OIDC_MALFORMED,
	PGL_OIDC_UNKNOWN_KID,
	PGL_OIDC_BAD_ALG,
	PGL_OIDC_BAD_SIGNATURE,
	PGL_OIDC_BAD_ISSUER,
	PGL_OIDC_BAD_AUDIENCE,
	PGL_OIDC_EXPIRED,
	PGL_OIDC_NOT_YET_VALID,
	PGL_OIDC_FUTURE_IAT,
	PGL_OIDC_BAD_NONCE
};

struct pgl_oidc_expect {
	const char	*issuer;	/* "iss", exactly */
	const char	*audience;	/* in "aud" (a string or an array) */
	int64_t		 now;		/* seconds since the epoch */
	int		 leeway;	/* seconds, for exp, nbf and iat */
	const char	*nonce;		/* ID tokens: "nonce" equals it */
};

/*
 * Without checking anything: the payload's iss and the header's kid ("" if
 * none), to pick the provider and the key.  0, or -1 if the token is not
 * three base64url parts of which the first two are JSON objects.
 */
int	pgl_oidc_peek(const char *token, char *iss, size_t isslen, char *kid,
	    size_t kidlen);

/*
 * Verify token.  The header's alg must be one the key of its kid allows
 * ("crit" is refused: no extension is understood); then the signature,
 * then iss, aud, exp (required), nbf and iat (optional) within leeway,
 * and nonce when asked.  On OK *claims is the payload (the caller's);
 * *why is a short fixed text that never echoes the token.
 */
enum pgl_oidc_result	pgl_oidc_verify(const char *token,
			    const struct pgl_jwks *,
			    const struct pgl_oidc_expect *, json_t **claims,
			    const char **why);

/*
 * As pgl_oidc_verify, remembering the tokens this process verified
 * lately (by SHA-256 of token, issuer and audience): a repeat has only its
 * times checked again, and its key still in keys (a key gone from the
 * provider ends its tokens), and gets a new reference to the claims.
 * An RSA or ECDSA check costs more than the request it guards.  One
 * thread only (a worker); a nonce check is never cached.
 */
enum pgl_oidc_result	pgl_oidc_verify_cached(const char *token,
			    const struct pgl_jwks *,
			    const struct pgl_oidc_expect *, json_t **claims,
			    const char **why);

/* The times of verified claims again (exp required, nbf and iat when
 * present, within e's leeway at e's now): a token verified earlier. */
enum pgl_oidc_result	pgl_oidc_times_ok(const json_t *claims,
			    const struct pgl_oidc_expect *, const char **why);

#endif
