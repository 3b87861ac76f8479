/*
 * An identity provider's public keys (RFC 7517 JSON Web Keys), as OpenSSL
 * keys.  What a key may verify comes from the key itself, never from a
 * token: an RSA key RS256 or PS256 (or the one its "alg" names), a P-256
 * key ES256, an Ed25519 key EdDSA.  So a token cannot pick "none", an
 * HMAC keyed with the public key, or an algorithm of another key type.
 */
#ifndef PGL_AUTH_JWK_H
#define PGL_AUTH_JWK_H

#include <stddef.h>

#include <openssl/evp.h>

#define PGL_JWK_RS256	0x1
#define PGL_JWK_PS256	0x2
#define PGL_JWK_ES256	0x4
#define PGL_JWK_EDDSA	0x8

#define PGL_JWKS_MAX_KEYS	64
#define PGL_JWK_RSA_MIN_BITS	2048

struct pgl_jwk {
	char		 kid[128];	/* "" if the key has none */
	unsigned	 algs;		/* PGL_JWK_*: what it may verify */
	EVP_PKEY	*pkey;
};

struct pgl_jwks {
	struct pgl_jwk	*keys;
	size_t		 n;
};

/*
 * Parse a JWKS document ({"keys": [...]}).  Keys not for signatures
 * ("use" other than "sig"), of another kty or curve, RSA under 2048 bits,
 * off-curve points or malformed are skipped; a document that is not JSON,
 * has no "keys" array or holds more than PGL_JWKS_MAX_KEYS is -1 with
 * why.  0 with out filled (n may be 0).
 */
int	pgl_jwks_parse(const char *json, size_t len, struct pgl_jwks *out,
	    char *why, size_t whylen);
void	pgl_jwks_free(struct pgl_jwks *);
/* The key for kid; kid NULL or "": the only key if there is one. */
const struct pgl_jwk *pgl_jwks_find(const struct pgl_jwks *,
	    const char *kid);
/* An "alg" header value as PGL_JWK_*, 0 for any other. */
unsigned	pgl_jwk_alg(const char *);

/*
 * Strict base64url without padding (RFC 7515 §2) of inlen bytes into out
 * (at most outmax).  0 with *outlen, or -1.
 */
int	pgl_b64url_decode(const char *in, size_t inlen, unsigned char *out,
	    size_t outmax, size_t *outlen);

/* in as base64url without padding into out (4 * ceil(len / 3) + 1). */
void	pgl_b64url_encode(const unsigned char *in, size_t len, char *out);

#endif
