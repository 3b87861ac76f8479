/*
 * Provider tokens (oidc_token.h): a compact JWS taken apart by hand and
 * checked with OpenSSL's EVP, so the algorithm is the key's to choose.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ecdsa.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/evp.h>

#include "auth/oidc_token.h"

#define PART_MAX	PGL_OIDC_TOKEN_MAX
#define CACHE_SLOTS	256

/* The token in its three parts, the first two decoded. */
struct jws {
	const char	*signed_end;	/* header.payload ends here */
	json_t		*header;
	json_t		*payload;
	unsigned char	 sig[512];
	size_t		 siglen;
};

static json_t *
part_json(const char *p, size_t len)
{
	unsigned char	*buf;
	size_t		 n;
	json_error_t	 jerr;
	json_t		*j = NULL;

	if ((buf = malloc(len)) == NULL)
		return (NULL);
	if (pgl_b64url_decode(p, len, buf, len, &n) == 0)
		j = json_loadb((const char *)buf, n, JSON_REJECT_DUPLICATES,
		    &jerr);
	free(buf);
	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return (j);
}

static void
jws_free(struct jws *t)
{
	json_decref(t->header);
	json_decref(t->payload);
}

/* 0 with t filled, or -1 (not three parts, not JSON objects). */
static int
jws_split(const char *token, struct jws *t)
{
	const char	*d1, *d2;
	size_t		 len = strlen(token);

	memset(t, 0, sizeof(*t));
	if (len > PGL_OIDC_TOKEN_MAX || (d1 = strchr(token, '.')) == NULL ||
	    (d2 = strchr(d1 + 1, '.')) == NULL || strchr(d2 + 1, '.') != NULL)
		return (-1);
	t->signed_end = d2;
	if ((t->header = part_json(token, (size_t)(d1 - token))) == NULL ||
	    (t->payload = part_json(d1 + 1, (size_t)(d2 - d1 - 1))) == NULL ||
	    pgl_b64url_decode(d2 + 1, strlen(d2 + 1), t->sig, sizeof(t->sig),
	    &t->siglen) == -1) {
		jws_free(t);
		return (-1);
	}
	return (0);
}

static void
copy_str(char *dst, size_t len, const char *s)
{
	(void)snprintf(dst, len, "%s", s != NULL ? s : "");
}

int
pgl_oidc_peek(const char *token, char *iss, size_t isslen, char *kid,
    size_t kidlen)
{
	struct jws	t;

	if (jws_split(token, &t) == -1)
		return (-1);
	copy_str(iss, isslen, json_string_value(json_object_get(t.payload,
	    "iss")));
	copy_str(kid, kidlen, json_string_value(json_object_get(t.header,
	    "kid")));
	jws_free(&t);
	return (0);
}

/* JOSE's ES256 signature is r || s, 32 bytes each; OpenSSL wants DER. */
static int
ecdsa_der(const unsigned char *raw, size_t len, unsigned char **der,
    int *derlen)
{
	ECDSA_SIG	*es;
	BIGNUM		*r, *s;

	*der = NULL;
	if (len != 64 || (es = ECDSA_SIG_new()) == NULL)
		return (-1);
	r = BN_bin2bn(raw, 32, NULL);
	s = BN_bin2bn(raw + 32, 32, NULL);
	if (r == NULL || s == NULL || ECDSA_SIG_set0(es, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return (-1);
	}
	*derlen = i2d_ECDSA_SIG(es, der);
	ECDSA_SIG_free(es);
	return (*derlen > 0 ? 0 : -1);
}

/* 1 if sig is key's signature by alg over data. */
static int
signature_ok(EVP_PKEY *key, unsigned alg, const unsigned char *data,
    size_t len, const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX	*md = EVP_MD_CTX_new();
	EVP_PKEY_CTX	*pctx = NULL;
	unsigned char	*der = NULL;
	int		 derlen = 0, ok = 0;

	if (md == NULL)
		return (0);
	if (alg == PGL_JWK_ES256 && ecdsa_der(sig, siglen, &der, &derlen) == 0) {
		sig = der;
		siglen = (size_t)derlen;
	} else if (alg == PGL_JWK_ES256)
		goto out;
	if (EVP_DigestVerifyInit(md, &pctx, alg == PGL_JWK_EDDSA ? NULL :
	    EVP_sha256(), NULL, key) != 1)
		goto out;
	if (alg == PGL_JWK_PS256 &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) !=
	    1))
		goto out;
	ok = EVP_DigestVerify(md, sig, siglen, data, len) == 1;
out:
	OPENSSL_free(der);
	EVP_MD_CTX_free(md);
	return (ok);
}

/* A NumericDate claim: 1 with *v, 0 if absent, -1 if not a number. */
static int
numeric(const json_t *payload, const char *name, int64_t *v)
{
	const json_t	*j = json_object_get(payload, name);

	if (j == NULL)
		return (0);
	if (!json_is_number(j))
		return (-1);
	*v = (int64_t)json_number_value(j);
	return (1);
}

static int
audience_ok(const json_t *aud, const char *want)
{
	const json_t	*v;
	size_t		 i;

	if (json_is_string(aud))
		return (strcmp(json_string_value(aud), want) == 0);
	json_array_foreach(aud, i, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), want) == 0)
			return (1);
	}
	return (0);
}

/* The times: exp required, nbf and iat when present. */
enum pgl_oidc_result
pgl_oidc_times_ok(const json_t *payload, const struct pgl_oidc_expect *e,
    const char **why)
{
	int64_t	exp = 0, nbf = 0, iat = 0;
	int	has;

	if (numeric(payload, "exp", &exp) != 1) {
		*why = "The token has no expiry";
		return (PGL_OIDC_MALFORMED);
	}
	if (e->now > exp + e->leeway) {
		*why = "Token expired";
		return (PGL_OIDC_EXPIRED);
	}
	if ((has = numeric(payload, "nbf", &nbf)) == -1 ||
	    (has == 1 && e->now + e->leeway < nbf)) {
		*why = "The token is not valid yet";
		return (PGL_OIDC_NOT_YET_VALID);
	}
	if ((has = numeric(payload, "iat", &iat)) == -1 ||
	    (has == 1 && iat > e->now + e->leeway)) {
		*why = "The token was issued in the future";
		return (PGL_OIDC_FUTURE_IAT);
	}
	return (PGL_OIDC_OK);
}

static enum pgl_oidc_result
claims_ok(const json_t *payload, const struct pgl_oidc_expect *e,
    const char **why)
{
	const char	*iss = json_string_value(json_object_get(payload,
			    "iss"));
	const char	*nonce;

	if (iss == NULL || strcmp(iss, e->issuer) != 0) {
		*why = "The token is of another issuer";
		return (PGL_OIDC_BAD_ISSUER);
	}
	if (!audience_ok(json_object_get(payload, "aud"), e->audience)) {
		*why = "The token is for another audience";
		return (PGL_OIDC_BAD_AUDIENCE);
	}
	if (e->nonce != NULL) {
		nonce = json_string_value(json_object_get(payload, "nonce"));
		if (nonce == NULL || strcmp(nonce, e->nonce) != 0) {
			*why = "The token's nonce is not this login's";
			return (PGL_OIDC_BAD_NONCE);
		}
	}
	return (pgl_oidc_times_ok(payload, e, why));
}

/* The header's algorithm against the key's; the key of its kid. */
static enum pgl_oidc_result
key_for(const struct jws *t, const struct pgl_jwks *keys,
    const struct pgl_jwk **k, unsigned *alg, const char **why)
{
	const char	*kid = json_string_value(json_object_get(t->header,
			    "kid"));

	*alg = pgl_jwk_alg(json_string_value(json_object_get(t->header,
	    "alg")));
	if (*alg == 0 || json_object_get(t->header, "crit") != NULL) {
		*why = "The token's algorithm is not accepted";
		return (PGL_OIDC_BAD_ALG);
	}
	if ((*k = pgl_jwks_find(keys, kid)) == NULL) {
		*why = "The token's key is not the provider's";
		return (PGL_OIDC_UNKNOWN_KID);
	}
	if (((*k)->algs & *alg) == 0) {
		*why = "The token's algorithm is not its key's";
		return (PGL_OIDC_BAD_ALG);
	}
	return (PGL_OIDC_OK);
}

enum pgl_oidc_result
pgl_oidc_verify(const char *token, const struct pgl_jwks *keys,
    const struct pgl_oidc_expect *e, json_t **claims, const char **why)
{
	const struct pgl_jwk	*k;
	struct jws		 t;
	enum pgl_oidc_result	 rc;
	unsigned		 alg;

	*claims = NULL;
	if (jws_split(token, &t) == -1) {
		*why = "Malformed token";
		return (PGL_OIDC_MALFORMED);
	}
	if ((rc = key_for(&t, keys, &k, &alg, why)) != PGL_OIDC_OK)
		goto out;
	if (!signature_ok(k->pkey, alg, (const unsigned char *)token,
	    (size_t)(t.signed_end - token), t.sig, t.siglen)) {
		*why = "Invalid token signature";
		rc = PGL_OIDC_BAD_SIGNATURE;
		goto out;
	}
	if ((rc = claims_ok(t.payload, e, why)) == PGL_OIDC_OK) {
		*claims = t.payload;
		t.payload = NULL;
	}
out:
	jws_free(&t);
	return (rc);
}

/* The cache of verified tokens (one per worker process). */
struct slot {
	unsigned char	 key[SHA256_DIGEST_LENGTH];
	char		 kid[128];
	json_t		*claims;
};
static struct slot	cache[CACHE_SLOTS];
static size_t		cache_next;

/* 0, or -1 (then the token is not cached: never a zero key). */
static int
cache_key(const char *token, const struct pgl_oidc_expect *e,
    unsigned char out[SHA256_DIGEST_LENGTH])
{
	EVP_MD_CTX	*c = EVP_MD_CTX_new();
	int		 ok;

	ok = c != NULL && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(c, token, strlen(token) + 1) == 1 &&
	    EVP_DigestUpdate(c, e->issuer, strlen(e->issuer) + 1) == 1 &&
	    EVP_DigestUpdate(c, e->audience, strlen(e->audience) + 1) == 1 &&
	    EVP_DigestFinal_ex(c, out, NULL) == 1;
	EVP_MD_CTX_free(c);
	return (ok ? 0 : -1);
}

static struct slot *
cache_find(const unsigned char key[SHA256_DIGEST_LENGTH])
{
	size_t	i;

	for (i = 0; i < CACHE_SLOTS; i++) {
		if (cache[i].claims != NULL &&
		    memcmp(cache[i].key, key, SHA256_DIGEST_LENGTH) == 0)
			return (&cache[i]);
	}
	return (NULL);
}

static void
cache_put(const unsigned char key[SHA256_DIGEST_LENGTH], const char *kid,
    json_t *claims)
{
	struct slot	*s = &cache[cache_next];

	cache_next = (cache_next + 1) % CACHE_SLOTS;
	json_decref(s->claims);
	memcpy(s->key, key, SHA256_DIGEST_LENGTH);
	copy_str(s->kid, sizeof(s->kid), kid);
	s->claims = json_incref(claims);
}

enum pgl_oidc_result
pgl_oidc_verify_cached(const char *token, const struct pgl_jwks *keys,
    const struct pgl_oidc_expect *e, json_t **claims, const char **why)
{
	unsigned char		 key[SHA256_DIGEST_LENGTH];
	char			 iss[8], kid[128];
	struct slot		*s;
	enum pgl_oidc_result	 rc;

	*claims = NULL;
	if (e->nonce != NULL || strlen(token) > PGL_OIDC_TOKEN_MAX ||
	    cache_key(token, e, key) == -1)
		return (pgl_oidc_verify(token, keys, e, claims, why));
	if ((s = cache_find(key)) != NULL) {
		if (pgl_jwks_find(keys, s->kid) == NULL) {
			*why = "The token's key is not the provider's";
			return (PGL_OIDC_UNKNOWN_KID);
		}
		if ((rc = pgl_oidc_times_ok(s->claims, e, why)) != PGL_OIDC_OK)
			return (rc);
		*claims = json_incref(s->claims);
		return (PGL_OIDC_OK);
	}
	rc = pgl_oidc_verify(token, keys, e, claims, why);
	if (rc == PGL_OIDC_OK && pgl_oidc_peek(token, iss, sizeof(iss), kid,
	    sizeof(kid)) == 0)
		cache_put(key, kid, *claims);
	return (rc);
}
