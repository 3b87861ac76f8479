/*
 * Identity providers' tokens: key sets (src/auth/jwk.c), verification
 * (src/auth/oidc_token.c) and claims to a caller (src/auth/idp_claims.c).
 * Keys are made here with OpenSSL, written out as JWKs, and tokens are
 * signed here: every algorithm, every refusal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "auth/idp_claims.h"
#include "auth/jwk.h"
#include "auth/oidc_token.h"

#define NOW	1800000000LL
#define ISS	"https://idp.example.com/realms/data"
#define AUD	"pangolin"

static EVP_PKEY	*rsa, *rsa_small, *ec, *ed;

static void
b64url(const unsigned char *in, size_t len, char *out)
{
	static const char	 a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t			 i, o = 0;
	unsigned int		 v;

	for (i = 0; i + 2 < len; i += 3) {
		v = (in[i] << 16) | (in[i + 1] << 8) | in[i + 2];
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = a[(v >> 6) & 63];
		out[o++] = a[v & 63];
	}
	if (len - i == 1) {
		v = in[i] << 16;
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
	} else if (len - i == 2) {
		v = (in[i] << 16) | (in[i + 1] << 8);
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = a[(v >> 6) & 63];
	}
	out[o] = '\0';
}

static char *
b64url_str(const char *s)
{
	char	*out = malloc(strlen(s) * 2 + 4);

	b64url((const unsigned char *)s, strlen(s), out);
	return (out);
}

static EVP_PKEY *
keygen(const char *type, const char *param)
{
	EVP_PKEY_CTX	*c = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY	*k = NULL;

	assert_non_null(c);
	assert_int_equal(EVP_PKEY_keygen_init(c), 1);
	if (strcmp(type, "RSA") == 0)
		assert_int_equal(EVP_PKEY_CTX_set_rsa_keygen_bits(c,
		    atoi(param)), 1);
	else if (strcmp(type, "EC") == 0)
		assert_int_equal(EVP_PKEY_CTX_set_group_name(c, param), 1);
	assert_int_equal(EVP_PKEY_generate(c, &k), 1);
	EVP_PKEY_CTX_free(c);
	return (k);
}

static void
bn_b64(EVP_PKEY *k, const char *name, char *out)
{
	BIGNUM		*bn = NULL;
	unsigned char	 buf[1024];
	int		 n;

	assert_int_equal(EVP_PKEY_get_bn_param(k, name, &bn), 1);
	n = BN_bn2bin(bn, buf);
	b64url(buf, (size_t)n, out);
	BN_free(bn);
}

/* The public JWK of k, with kid and (if not NULL) alg. */
static char *
jwk_of(EVP_PKEY *k, const char *kid, const char *alg)
{
	char		 a[1500], b[1500], *out;
	unsigned char	 pt[65];
	size_t		 len;

	out = malloc(4096);
	if (EVP_PKEY_is_a(k, "RSA")) {
		bn_b64(k, OSSL_PKEY_PARAM_RSA_N, a);
		bn_b64(k, OSSL_PKEY_PARAM_RSA_E, b);
		snprintf(out, 4096, "{\"kty\":\"RSA\",\"kid\":\"%s\",\"n\":\"%s\","
		    "\"e\":\"%s\"%s%s%s}", kid, a, b, alg ? ",\"alg\":\"" : "",
		    alg ? alg : "", alg ? "\"" : "");
	} else if (EVP_PKEY_is_a(k, "EC")) {
		assert_int_equal(EVP_PKEY_get_octet_string_param(k,
		    OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &len), 1);
		b64url(pt + 1, 32, a);
		b64url(pt + 33, 32, b);
		snprintf(out, 4096, "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":"
		    "\"%s\",\"x\":\"%s\",\"y\":\"%s\",\"use\":\"sig\"}", kid, a,
		    b);
	} else {
		len = 32;
		assert_int_equal(EVP_PKEY_get_raw_public_key(k, pt, &len), 1);
		b64url(pt, len, a);
		snprintf(out, 4096, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
		    "\"kid\":\"%s\",\"x\":\"%s\"}", kid, a);
	}
	return (out);
}

static void
keyset(struct pgl_jwks *ks, const char *doc)
{
	char	why[128];

	assert_int_equal(pgl_jwks_parse(doc, strlen(doc), ks, why,
	    sizeof(why)), 0);
}

/* The standard set: rsa (kid r), ec (kid e), ed (kid d). */
static void
std_keys(struct pgl_jwks *ks)
{
	char	*r = jwk_of(rsa, "r", NULL), *e = jwk_of(ec, "e", NULL);
	char	*d = jwk_of(ed, "d", NULL), doc[8192];

	snprintf(doc, sizeof(doc), "{\"keys\":[%s,%s,%s]}", r, e, d);
	keyset(ks, doc);
	assert_int_equal(ks->n, 3);
	free(r);
	free(e);
	free(d);
}

/* header.payload signed by k with alg ("HS256": keyed by hmac_key). */
static char *
sign(EVP_PKEY *k, const char *alg, const char *header, const char *payload,
    const char *hmac_key)
{
	char		*h = b64url_str(header), *p = b64url_str(payload);
	char		*input, *out, s64[1024];
	unsigned char	 sig[512], raw[64];
	size_t		 siglen = sizeof(sig);
	unsigned int	 hlen;
	EVP_MD_CTX	*md = EVP_MD_CTX_new();
	EVP_PKEY_CTX	*pctx;
	ECDSA_SIG	*es;
	const unsigned char *q;

	assert_true(asprintf(&input, "%s.%s", h, p) > 0);
	if (strcmp(alg, "HS256") == 0) {
		HMAC(EVP_sha256(), hmac_key, (int)strlen(hmac_key),
		    (unsigned char *)input, strlen(input), sig, &hlen);
		siglen = hlen;
	} else {
		assert_int_equal(EVP_DigestSignInit(md, &pctx,
		    strcmp(alg, "EdDSA") == 0 ? NULL : EVP_sha256(), NULL, k),
		    1);
		if (strcmp(alg, "PS256") == 0) {
			EVP_PKEY_CTX_set_rsa_padding(pctx,
			    RSA_PKCS1_PSS_PADDING);
			EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
			    RSA_PSS_SALTLEN_DIGEST);
		}
		assert_int_equal(EVP_DigestSign(md, sig, &siglen,
		    (unsigned char *)input, strlen(input)), 1);
	}
	if (strcmp(alg, "ES256") == 0) {
		q = sig;
		es = d2i_ECDSA_SIG(NULL, &q, (long)siglen);
		memset(raw, 0, sizeof(raw));
		BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, 32);
		BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + 32, 32);
		ECDSA_SIG_free(es);
		memcpy(sig, raw, 64);
		siglen = 64;
	}
	b64url(sig, siglen, s64);
	assert_true(asprintf(&out, "%s.%s", input, s64) > 0);
	EVP_MD_CTX_free(md);
	free(input);
	free(h);
	free(p);
	return (out);
}

static const char *
payload(char *buf, size_t len, const char *extra)
{
	snprintf(buf, len, "{\"iss\":\"%s\",\"aud\":\"%s\",\"sub\":\"u1\","
	    "\"iat\":%lld,\"exp\":%lld%s}", ISS, AUD, NOW - 10, NOW + 600,
	    extra != NULL ? extra : "");
	return (buf);
}

static enum pgl_oidc_result
verify(const struct pgl_jwks *ks, const char *tok, const char *nonce)
{
	struct pgl_oidc_expect	 e = { ISS, AUD, NOW, 60, nonce };
	json_t			*claims = NULL;
	const char		*why = NULL;
	enum pgl_oidc_result	 rc;

	rc = pgl_oidc_verify(tok, ks, &e, &claims, &why);
	if (rc == PGL_OIDC_OK) {
		assert_non_null(claims);
		assert_string_equal(json_string_value(json_object_get(claims,
		    "sub")), "u1");
	} else {
		assert_null(claims);
		assert_non_null(why);
	}
	json_decref(claims);
	return (rc);
}

static int
setup(void **state)
{
	(void)state;
	rsa = keygen("RSA", "2048");
	rsa_small = keygen("RSA", "1024");
	ec = keygen("EC", "P-256");
	ed = keygen("ED25519", NULL);
	return (0);
}

static int
teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(rsa_small);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(ed);
	return (0);
}

static void
test_every_algorithm_verifies_with_its_key(void **state)
{
	struct pgl_jwks	 ks;
	char		 p[512], *t;

	(void)state;
	std_keys(&ks);
	payload(p, sizeof(p), NULL);
	t = sign(rsa, "RS256", "{\"alg\":\"RS256\",\"kid\":\"r\"}", p, NULL);
	assert_int_equal(verify(&ks, t, NULL), PGL_OIDC_OK);
	free(t);
	t = sign(rsa, "PS256", "{\"alg\":\"PS256\",\"kid\":\"r\"}", p, NULL);
	assert_int_equal(verify(&ks, t, NULL), PGL_OIDC_OK);
	free(t);
	t = sign(ec, "ES256", "{\"alg\":\"ES256\",\"kid\":\"e\"}", p, NULL);
	assert_int_equal(verify(&ks, t, NULL), PGL_OIDC_OK);
	free(t);
	t = sign(ed, "EdDSA", "{\"alg\":\"EdDSA\",\"kid\":\"d\"}", p, NULL);
	assert_int_equal(verify(&ks, t, NULL), PGL_OIDC_OK);
	free(t);
	pgl_jwks_free(&ks);
}

static void
test_the_key_decides_the_algorithm(void **state)
{
	struct pgl_jwks	 ks;
	char		 p[512], doc[4096], *t, *k, *pem, *h, *b;
	BIO		*bio = BIO_new(BIO_s_mem());
	long		 n;

	(void)state;
	std_keys(&ks);
	payload(p, sizeof(p), NULL);
	/* none, with and without a signature part */
	h = b64url_str("{\"alg\":\"none\",\"kid\":\"r\"}");
	b = b64url_str(p);
	t = malloc(2048);
	snprintf(t, 2048, "%s.%s.", h, b);
	assert_int_equal(verify(&ks, t, NULL), PGL_OIDC_BAD_ALG);
	snprintf(t, 2048, "%s.%s", h, b);
	assert_int_equal(verify(&ks, t, NULL), PGL_OIDC_MALFORMED);
	free(t);
	free(h);
	free(b);
	/* HS256 keyed with the RSA key's public PEM */
	PEM_write_bio_PUBKEY(bio, rsa);
	n = BIO_get_mem_data(bio, &pem);
	pem = strndup(pem, (size_t)n);
	t = sign(NULL, "HS256", "{\"alg\":\"HS256\",\"kid\":\"r\"}", p, pem);
	assert_int_equal(verify(&ks, t, NULL), PGL_OIDC_BAD_ALG);
	free(t);
	free(pem);
	BIO_free(bio);
	/* RS256 claimed against the EC key */
	t = sign(rsa, "RS256", "{\"alg\":\"RS256\",\"kid\":\"e\"}", p, NULL);
	assert_int_equal(verify(&ks, t, NULL), PGL_OIDC_BAD_ALG);
	free(t);
	/* crit: an extension nobody here understands */
	t = sign(rsa, "RS256", "{\"alg\":\"RS256\",\"kid\":\"r\",\"crit\":"
	    "[\"b64\"]}", p, NULL);
	assert_int_equal(verify(&ks, t, NULL), PGL_OIDC_BAD_ALG);
	free(t);
	pgl_jwks_free(&ks);
	/* An RSA key that names PS256 refuses RS256. */
	k = jwk_of(rsa, "r", "PS256");
	snprintf(doc, sizeof(doc), "{\"keys\":[%s]}", k);
	keyset(&ks, doc);
	t = sign(rsa, "RS256", "{\"alg\":\"RS256\",\"kid\":\"r\"}", p, NULL);
	assert_int_equal(verify(&ks, t, NULL), PGL_OIDC_BAD_ALG);
	free(t);
	t = sign(rsa, "PS256", "{\"alg\":\"PS256\",\"kid\":\"r\"}", p, NULL);
	assert_int_equal(verify(&ks, t, NULL), PGL_OIDC_OK);
	free(t);
	free(k);
	pgl_jwks_free(&ks);
}

static void
test_kids_tampering_and_malformed_tokens(void **state)
{
	struct pgl_jwks	 ks;
	char		 p[512], q[512], *t, *u, *dot;

	(void)state;
	std_keys(&ks);
	payload(p, sizeof(p), NULL);
	t = sign(rsa, "RS256", "{\"alg\":\"RS256\",\"kid\":\"zz\"}", p, NULL);
	assert_int_equal(verify(&ks, t, NULL), PGL_OIDC_UNKNOWN_KID);
	free(t);
	/* No kid: unknown among three keys */
	t = sign(rsa, "RS256", "{\"alg\":\"RS256\"}", p, NULL);
	assert_int_equal(verify(&ks, t, NULL), PGL_OIDC_UNKNOWN_KID);
	free(t);
	/* Tampered payload: the same signature over other claims */
	t = sign(rsa, "RS256", "{\"alg\":\"RS256\",\"kid\":\"r\"}", p, NULL);
	payload(q, sizeof(q), ",\"groups\":[\"admins\"]");
	u = sign(rsa, "RS256", "{\"alg\":\"RS256\",\"kid\":\"r\"}", q, NULL);
	dot = strrchr(u, '.');
	strcpy(dot + 1, strrchr(t, '.') + 1);
	assert_int_equal(verify(&ks, u, NULL), PGL_OIDC_BAD_SIGNATURE);
	free(u);
	/* malformed: parts, base64url, JSON */
	assert_int_equal(verify(&ks, "a.b", NULL), PGL_OIDC_MALFORMED);
	assert_int_equal(verify(&ks, "a.b.c.d", NULL), PGL_OIDC_MALFORMED);
	assert_int_equal(verify(&ks, "!!.??.x", NULL), PGL_OIDC_MALFORMED);
	assert_int_equal(verify(&ks, "WzFd.WzFd.", NULL), PGL_OIDC_MALFORMED);
	t[strlen(t) - 2] = '=';
	assert_int_equal(verify(&ks, t, NULL), PGL_OIDC_MALFORMED);
	free(t);
	/* ES256 signature in DER form (not 64 bytes) */
	t = sign(ec, "ES256", "{\"alg\":\"ES256\",\"kid\":\"e\"}", p, NULL);
	u = malloc(strlen(t) + 8);
	sprintf(u, "%sAAAA", t);
	assert_int_equal(verify(&ks, u, NULL), PGL_OIDC_BAD_SIGNATURE);
	free(u);
	free(t);
	pgl_jwks_free(&ks);
}

static void
test_claims_issuer_audience_times_and_nonce(void **state)
{
	static const struct {
		const char		*claims;
		enum pgl_oidc_result	 want;
	} cases[] = {
		{ "{\"iss\":\"https://other\",\"aud\":\"pangolin\",\"sub\":\"u1\","
		    "\"exp\":1800000600}", PGL_OIDC_BAD_ISSUER },
		{ "{\"iss\":\"" ISS "\",\"aud\":\"nope\",\"sub\":\"u1\","
		    "\"exp\":1800000600}", PGL_OIDC_BAD_AUDIENCE },
		{ "{\"iss\":\"" ISS "\",\"aud\":[\"x\",\"pangolin\"],\"sub\":"
		    "\"u1\",\"exp\":1800000600}", PGL_OIDC_OK },
		{ "{\"iss\":\"" ISS "\",\"sub\":\"u1\",\"exp\":1800000600}",
		    PGL_OIDC_BAD_AUDIENCE },
		{ "{\"iss\":\"" ISS "\",\"aud\":\"pangolin\",\"sub\":\"u1\"}",
		    PGL_OIDC_MALFORMED },
		{ "{\"iss\":\"" ISS "\",\"aud\":\"pangolin\",\"sub\":\"u1\","
		    "\"exp\":1799999900}", PGL_OIDC_EXPIRED },
		{ "{\"iss\":\"" ISS "\",\"aud\":\"pangolin\",\"sub\":\"u1\","
		    "\"exp\":1799999950}", PGL_OIDC_OK },	/* in leeway */
		{ "{\"iss\":\"" ISS "\",\"aud\":\"pangolin\",\"sub\":\"u1\","
		    "\"exp\":1800000600,\"nbf\":1800000100}",
		    PGL_OIDC_NOT_YET_VALID },
		{ "{\"iss\":\"" ISS "\",\"aud\":\"pangolin\",\"sub\":\"u1\","
		    "\"exp\":1800000600,\"iat\":1800000100}",
		    PGL_OIDC_FUTURE_IAT },
		{ "{\"iss\":\"" ISS "\",\"aud\":\"pangolin\",\"sub\":\"u1\","
		    "\"exp\":\"soon\"}", PGL_OIDC_MALFORMED },
	};
	struct pgl_jwks	 ks;
	char		*t;
	size_t		 i;

	(void)state;
	std_keys(&ks);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t = sign(ec, "ES256", "{\"alg\":\"ES256\",\"kid\":\"e\"}",
		    cases[i].claims, NULL);
		if (verify(&ks, t, NULL) != cases[i].want)
			fail_msg("case %zu: %s", i, cases[i].claims);
		free(t);
	}
	t = sign(ec, "ES256", "{\"alg\":\"ES256\",\"kid\":\"e\"}", "{\"iss\":"
	    "\"" ISS "\",\"aud\":\"pangolin\",\"sub\":\"u1\",\"exp\":1800000600,"
	    "\"nonce\":\"n-1\"}", NULL);
	assert_int_equal(verify(&ks, t, "n-1"), PGL_OIDC_OK);
	assert_int_equal(verify(&ks, t, "n-2"), PGL_OIDC_BAD_NONCE);
	free(t);
	pgl_jwks_free(&ks);
}

static void
test_key_sets_skip_what_they_cannot_use(void **state)
{
	struct pgl_jwks	 ks;
	char		 why[128], doc[16384], *small, *r, *e;
	size_t		 i, o;

	(void)state;
	small = jwk_of(rsa_small, "small", NULL);
	r = jwk_of(rsa, "r", NULL);
	e = jwk_of(ec, "e", NULL);
	/* An off-curve point: y of another point. */
	snprintf(doc, sizeof(doc), "{\"keys\":[%s,{\"kty\":\"RSA\",\"use\":"
	    "\"enc\",\"n\":\"AQAB\",\"e\":\"AQAB\"},%s,{\"kty\":\"oct\",\"k\":"
	    "\"c2VjcmV0\"},{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":"
	    "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"y\":"
	    "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE\"},{\"kty\":\"EC\","
	    "\"alg\":\"RS256\",\"kid\":\"x\"},7,%s]}", small, r, e);
	keyset(&ks, doc);
	assert_int_equal(ks.n, 2);
	assert_string_equal(ks.keys[0].kid, "r");
	assert_int_equal(ks.keys[0].algs, PGL_JWK_RS256 | PGL_JWK_PS256);
	assert_string_equal(ks.keys[1].kid, "e");
	assert_non_null(pgl_jwks_find(&ks, "e"));
	assert_null(pgl_jwks_find(&ks, NULL));
	pgl_jwks_free(&ks);
	assert_int_equal(pgl_jwks_parse("nope", 4, &ks, why, sizeof(why)), -1);
	assert_int_equal(pgl_jwks_parse("{\"keys\":{}}", 11, &ks, why,
	    sizeof(why)), -1);
	o = (size_t)snprintf(doc, sizeof(doc), "{\"keys\":[");
	for (i = 0; i < 65; i++)
		o += (size_t)snprintf(doc + o, sizeof(doc) - o, "%s{}",
		    i ? "," : "");
	snprintf(doc + o, sizeof(doc) - o, "]}");
	assert_int_equal(pgl_jwks_parse(doc, strlen(doc), &ks, why,
	    sizeof(why)), -1);
	assert_non_null(strstr(why, "64"));
	free(small);
	free(r);
	free(e);
}

static void
test_the_cache_rechecks_time_and_key(void **state)
{
	struct pgl_oidc_expect	 e = { ISS, AUD, NOW, 60, NULL };
	struct pgl_jwks		 ks, fewer;
	json_t			*c1 = NULL, *c2 = NULL;
	const char		*why;
	char			 p[512], doc[4096], *t, *k;

	(void)state;
	std_keys(&ks);
	payload(p, sizeof(p), NULL);
	t = sign(ec, "ES256", "{\"alg\":\"ES256\",\"kid\":\"e\"}", p, NULL);
	assert_int_equal(pgl_oidc_verify_cached(t, &ks, &e, &c1, &why),
	    PGL_OIDC_OK);
	assert_int_equal(pgl_oidc_verify_cached(t, &ks, &e, &c2, &why),
	    PGL_OIDC_OK);
	assert_ptr_equal(c1, c2);	/* from the cache */
	json_decref(c1);
	json_decref(c2);
	e.now = NOW + 3600;
	assert_int_equal(pgl_oidc_verify_cached(t, &ks, &e, &c1, &why),
	    PGL_OIDC_EXPIRED);
	e.now = NOW;
	e.audience = "other";
	assert_int_equal(pgl_oidc_verify_cached(t, &ks, &e, &c1, &why),
	    PGL_OIDC_BAD_AUDIENCE);
	e.audience = AUD;
	k = jwk_of(rsa, "r", NULL);
	snprintf(doc, sizeof(doc), "{\"keys\":[%s]}", k);
	keyset(&fewer, doc);
	assert_int_equal(pgl_oidc_verify_cached(t, &fewer, &e, &c1, &why),
	    PGL_OIDC_UNKNOWN_KID);
	free(k);
	free(t);
	pgl_jwks_free(&fewer);
	pgl_jwks_free(&ks);
}

static void
test_peek_reads_issuer_and_kid_unverified(void **state)
{
	char	iss[128], kid[64], p[512], *t;

	(void)state;
	payload(p, sizeof(p), NULL);
	t = sign(ed, "EdDSA", "{\"alg\":\"EdDSA\",\"kid\":\"d\"}", p, NULL);
	assert_int_equal(pgl_oidc_peek(t, iss, sizeof(iss), kid, sizeof(kid)),
	    0);
	assert_string_equal(iss, ISS);
	assert_string_equal(kid, "d");
	assert_int_equal(pgl_oidc_peek("x.y", iss, sizeof(iss), kid,
	    sizeof(kid)), -1);
	free(t);
}

/* --- claims to a caller ---------------------------------------------- */

static struct pgl_oidc_provider
provider(void)
{
	static struct pgl_oidc_role	roles[] = {
		{ "admins", "tenant-admin" }, { "ops", "root" },
		{ "analysts", "readers" }, { "analysts", "writers" },
		{ "everyone", "tenant-user" },
	};
	struct pgl_oidc_provider	p;

	memset(&p, 0, sizeof(p));
	p.name = "corp";
	p.tenant_claim = "tenant";
	p.groups_claim = "groups";
	memcpy(p.roles, roles, sizeof(roles));
	p.nroles = sizeof(roles) / sizeof(roles[0]);
	return (p);
}

static int
who_of(struct pgl_oidc_provider *p, const char *claims,
    struct pgl_idp_who *who, char *why)
{
	json_t	*j = json_loads(claims, 0, NULL);
	int	 rc;

	rc = pgl_idp_who(p, j, who, why, 160);
	json_decref(j);	/* who's strings are checked before this below */
	return (rc);
}

static void
test_claims_name_tenant_user_and_roles(void **state)
{
	struct pgl_oidc_provider	 p = provider();
	struct pgl_idp_who		 who;
	json_t				*j;
	char				 why[160];

	(void)state;
	j = json_loads("{\"sub\":\"s1\",\"preferred_username\":\"alice\","
	    "\"email\":\"a@x\",\"tenant\":\"acme\",\"groups\":[\"analysts\","
	    "\"everyone\",\"analysts\"]}", 0, NULL);
	assert_int_equal(pgl_idp_who(&p, j, &who, why, sizeof(why)), 0);
	assert_string_equal(who.username, "alice");
	assert_string_equal(who.tenant, "acme");
	assert_int_equal(who.role, ROLE_TENANT_USER);
	assert_int_equal(who.nroles, 2);
	assert_string_equal(who.roles[0], "readers");
	assert_string_equal(who.roles[1], "writers");
	json_decref(j);
	/* email, then sub, when there is no preferred_username */
	j = json_loads("{\"sub\":\"s1\",\"email\":\"a@x\",\"tenant\":\"t\","
	    "\"groups\":\"admins\"}", 0, NULL);
	assert_int_equal(pgl_idp_who(&p, j, &who, why, sizeof(why)), 0);
	assert_string_equal(who.username, "a@x");
	assert_int_equal(who.role, ROLE_TENANT_ADMIN);
	json_decref(j);
	/* root needs no tenant; nested claims by path */
	p.groups_claim = "realm_access.roles";
	j = json_loads("{\"sub\":\"s1\",\"realm_access\":{\"roles\":[\"ops\","
	    "\"admins\"]}}", 0, NULL);
	assert_int_equal(pgl_idp_who(&p, j, &who, why, sizeof(why)), 0);
	assert_int_equal(who.role, ROLE_ROOT);
	assert_null(who.tenant);
	assert_string_equal(who.username, "s1");
	json_decref(j);
}

static void
test_claims_that_cannot_name_a_caller_are_refused(void **state)
{
	struct pgl_oidc_provider	 p = provider();
	struct pgl_idp_who		 who;
	char				 why[160];

	(void)state;
	assert_int_equal(who_of(&p, "{\"sub\":\"s\",\"groups\":[\"x\"]}",
	    &who, why), -1);
	assert_non_null(strstr(why, "'tenant' claim"));
	p.tenant_claim = "org";
	assert_int_equal(who_of(&p, "{\"sub\":\"s\",\"tenant\":\"t\"}", &who,
	    why), -1);
	assert_non_null(strstr(why, "'org' claim"));
	p.tenant = "fixed";
	assert_int_equal(who_of(&p, "{\"sub\":\"s\"}", &who, why), 0);
	assert_int_equal(who_of(&p, "{\"tenant\":\"t\"}", &who, why), -1);
	assert_non_null(strstr(why, "'sub'"));
	assert_int_equal(who_of(&p, "{\"sub\":\"s\",\"preferred_username\":"
	    "\"a/b\"}", &who, why), -1);
	assert_int_equal(who_of(&p, "{\"sub\":\"s\",\"groups\":{\"a\":1}}",
	    &who, why), -1);
	assert_non_null(strstr(why, "'groups'"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_algorithm_verifies_with_its_key),
		cmocka_unit_test(test_the_key_decides_the_algorithm),
		cmocka_unit_test(test_kids_tampering_and_malformed_tokens),
		cmocka_unit_test(test_claims_issuer_audience_times_and_nonce),
		cmocka_unit_test(test_key_sets_skip_what_they_cannot_use),
		cmocka_unit_test(test_the_cache_rechecks_time_and_key),
		cmocka_unit_test(test_peek_reads_issuer_and_kid_unverified),
		cmocka_unit_test(test_claims_name_tenant_user_and_roles),
		cmocka_unit_test(
		    test_claims_that_cannot_name_a_caller_are_refused),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
