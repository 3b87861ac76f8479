/*
 * JSON Web Keys to OpenSSL public keys (jwk.h), with OpenSSL 3's
 * EVP_PKEY_fromdata: libjwt 1.10 reads neither key sets nor EdDSA.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "auth/jwk.h"

#define COMPONENT_MAX	1024	/* bytes: an RSA modulus of 8192 bits */

static int
b64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return (c - 'A');
	if (c >= 'a' && c <= 'z')
		return (c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (c - '0' + 52);
	if (c == '-')
		return (62);
	if (c == '_')
		return (63);
	return (-1);
}

int
pgl_b64url_decode(const char *in, size_t inlen, unsigned char *out,
    size_t outmax, size_t *outlen)
{
	unsigned int	acc = 0;
	size_t		i, o = 0;
	int		bits = 0, v;

	/* A lone last character carries less than a byte. */
	if (inlen % 4 == 1)
		return (-1);
	for (i = 0; i < inlen; i++) {
		if ((v = b64url_value((unsigned char)in[i])) < 0)
			return (-1);
		acc = (acc << 6) | (unsigned int)v;
		if ((bits += 6) >= 8) {
			bits -= 8;
			if (o == outmax)
				return (-1);
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	/* The unused low bits must be zero: one encoding per value. */
	if ((acc & ((1u << bits) - 1)) != 0)
		return (-1);
	*outlen = o;
	return (0);
}

void
pgl_b64url_encode(const unsigned char *in, size_t len, char *out)
{
	static const char	a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned int		v;
	size_t			i, o = 0;

	for (i = 0; i < len; i += 3) {
		v = (unsigned int)in[i] << 16;
		if (i + 1 < len)
			v |= (unsigned int)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		if (i + 1 < len)
			out[o++] = a[(v >> 6) & 63];
		if (i + 2 < len)
			out[o++] = a[v & 63];
	}
	out[o] = '\0';
}

/* A base64url member of the key, decoded; -1 if absent or bad. */
static int
component(const json_t *k, const char *name, unsigned char *buf,
    size_t *len)
{
	const char	*s = json_string_value(json_object_get(k, name));

	if (s == NULL || pgl_b64url_decode(s, strlen(s), buf, COMPONENT_MAX,
	    len) == -1 || *len == 0)
		return (-1);
	return (0);
}

static EVP_PKEY *
from_params(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM	*params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX	*ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY	*pkey = NULL;

	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	OSSL_PARAM_free(params);
	EVP_PKEY_CTX_free(ctx);
	return (pkey);
}

static EVP_PKEY *
rsa_key(const json_t *k)
{
	unsigned char	 n[COMPONENT_MAX], e[COMPONENT_MAX];
	size_t		 nlen, elen;
	BIGNUM		*bn = NULL, *be = NULL;
	OSSL_PARAM_BLD	*bld = NULL;
	EVP_PKEY	*pkey = NULL;

	if (component(k, "n", n, &nlen) == -1 ||
	    component(k, "e", e, &elen) == -1)
		return (NULL);
	if ((bn = BN_bin2bn(n, (int)nlen, NULL)) != NULL &&
	    (be = BN_bin2bn(e, (int)elen, NULL)) != NULL &&
	    (bld = OSSL_PARAM_BLD_new()) != NULL &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) == 1 &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) == 1)
		pkey = from_params("RSA", bld);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	if (pkey != NULL && EVP_PKEY_get_bits(pkey) < PGL_JWK_RSA_MIN_BITS) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	return (pkey);
}

/* The point must lie on the curve: a key off it invites invalid-curve
 * attacks on whoever trusts it. */
static int
point_valid(EVP_PKEY *pkey)
{
	EVP_PKEY_CTX	*ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	int		 ok;

	ok = ctx != NULL && EVP_PKEY_public_check(ctx) == 1;
	EVP_PKEY_CTX_free(ctx);
	return (ok);
}

static EVP_PKEY *
ec_key(const json_t *k)
{
	unsigned char	 x[COMPONENT_MAX], y[COMPONENT_MAX], pt[65];
	size_t		 xlen, ylen;
	const char	*crv = json_string_value(json_object_get(k, "crv"));
	OSSL_PARAM_BLD	*bld;
	EVP_PKEY	*pkey = NULL;

	if (crv == NULL || strcmp(crv, "P-256") != 0 ||
	    component(k, "x", x, &xlen) == -1 || xlen != 32 ||
	    component(k, "y", y, &ylen) == -1 || ylen != 32)
		return (NULL);
	pt[0] = 0x04;	/* uncompressed */
	memcpy(pt + 1, x, 32);
	memcpy(pt + 33, y, 32);
	if ((bld = OSSL_PARAM_BLD_new()) != NULL &&
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    "prime256v1", 0) == 1 &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt,
	    sizeof(pt)) == 1)
		pkey = from_params("EC", bld);
	OSSL_PARAM_BLD_free(bld);
	if (pkey != NULL && !point_valid(pkey)) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	return (pkey);
}

static EVP_PKEY *
okp_key(const json_t *k)
{
	unsigned char	 x[COMPONENT_MAX];
	size_t		 xlen;
	const char	*crv = json_string_value(json_object_get(k, "crv"));

	if (crv == NULL || strcmp(crv, "Ed25519") != 0 ||
	    component(k, "x", x, &xlen) == -1 || xlen != 32)
		return (NULL);
	return (EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, xlen));
}

unsigned
pgl_jwk_alg(const char *alg)
{
	if (alg == NULL)
		return (0);
	if (strcmp(alg, "RS256") == 0)
		return (PGL_JWK_RS256);
	if (strcmp(alg, "PS256") == 0)
		return (PGL_JWK_PS256);
	if (strcmp(alg, "ES256") == 0)
		return (PGL_JWK_ES256);
	if (strcmp(alg, "EdDSA") == 0)
		return (PGL_JWK_EDDSA);
	return (0);
}

/* One key of the set, or -1 to skip it. */
static int
key_of(const json_t *k, struct pgl_jwk *out)
{
	const char	*kty = json_string_value(json_object_get(k, "kty"));
	const char	*use = json_string_value(json_object_get(k, "use"));
	const char	*kid = json_string_value(json_object_get(k, "kid"));
	const json_t	*alg = json_object_get(k, "alg");
	unsigned	 algs, named = pgl_jwk_alg(json_string_value(alg));

	if (kty == NULL || (use != NULL && strcmp(use, "sig") != 0) ||
	    (kid != NULL && strlen(kid) >= sizeof(out->kid)) ||
	    (alg != NULL && named == 0))
		return (-1);
	memset(out, 0, sizeof(*out));
	if (strcmp(kty, "RSA") == 0) {
		algs = PGL_JWK_RS256 | PGL_JWK_PS256;
		out->pkey = rsa_key(k);
	} else if (strcmp(kty, "EC") == 0) {
		algs = PGL_JWK_ES256;
		out->pkey = ec_key(k);
	} else if (strcmp(kty, "OKP") == 0) {
		algs = PGL_JWK_EDDSA;
		out->pkey = okp_key(k);
	} else
		return (-1);
	/* An "alg" narrows the key to it, and must be of its type. */
	if (named != 0)
		algs &= named;
	if (out->pkey == NULL || algs == 0) {
		EVP_PKEY_free(out->pkey);
		return (-1);
	}
	out->algs = algs;
	if (kid != NULL)
		memcpy(out->kid, kid, strlen(kid) + 1);
	return (0);
}

int
pgl_jwks_parse(const char *json, size_t len, struct pgl_jwks *out,
    char *why, size_t whylen)
{
	json_error_t	 jerr;
	json_t		*doc, *keys, *k;
	size_t		 i;

	memset(out, 0, sizeof(*out));
	doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	keys = json_object_get(doc, "keys");
	if (!json_is_array(keys) || json_array_size(keys) > PGL_JWKS_MAX_KEYS) {
		(void)snprintf(why, whylen, "%s", doc == NULL ? "not JSON" :
		    !json_is_array(keys) ? "no \"keys\" array" :
		    "more than 64 keys");
		json_decref(doc);
		return (-1);
	}
	if (json_array_size(keys) > 0 && (out->keys = calloc(
	    json_array_size(keys), sizeof(*out->keys))) == NULL) {
		(void)snprintf(why, whylen, "out of memory");
		json_decref(doc);
		return (-1);
	}
	json_array_foreach(keys, i, k) {
		if (json_is_object(k) && key_of(k, &out->keys[out->n]) == 0)
			out->n++;
	}
	json_decref(doc);
	return (0);
}

void
pgl_jwks_free(struct pgl_jwks *ks)
{
	size_t	i;

	for (i = 0; i < ks->n; i++)
		EVP_PKEY_free(ks->keys[i].pkey);
	free(ks->keys);
	memset(ks, 0, sizeof(*ks));
}

const struct pgl_jwk *
pgl_jwks_find(const struct pgl_jwks *ks, const char *kid)
{
	size_t	i;

	if (kid == NULL || kid[0] == '\0')
		return (ks->n == 1 ? &ks->keys[0] : NULL);
	for (i = 0; i < ks->n; i++) {
		if (strcmp(ks->keys[i].kid, kid) == 0)
			return (&ks->keys[i]);
	}
	return (NULL);
}
