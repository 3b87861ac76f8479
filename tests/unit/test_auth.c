/* Passwords (argon2id) and session tokens (HS256 JWT): src/auth/. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <argon2.h>
#include <jwt.h>
#include <openssl/evp.h>

#include "auth/apikey.h"
#include "auth/hash.h"
#include "auth/jwt.h"
#include "auth/password.h"

#define SECRET	"kT9v2Qm7Zx4LpR8sW1nB6cY3hJ5dF0gA-secret-for-tests"
#define NOW	1800000000LL

static struct pgl_jwt_claims
claims(const char *role, const char *tenant)
{
	struct pgl_jwt_claims	c;

	memset(&c, 0, sizeof(c));
	strcpy(c.sub, "7f1c2a4e-8b3d-4c5e-9f60-1a2b3c4d5e6f");
	strcpy(c.jti, "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d");
	strcpy(c.username, "alice");
	strcpy(c.role, role);
	if (tenant != NULL)
		strcpy(c.tenant_id, tenant);
	c.iat = NOW;
	c.exp = NOW + 3600;
	return (c);
}

#define TENANT	"11111111-2222-4333-8444-555555555555"

static void
test_signed_token_verifies_and_carries_its_claims(void **state)
{
	struct pgl_jwt_claims	c = claims("tenant-admin", TENANT), got;
	const char		*why;
	char			*tok;

	(void)state;
	assert_int_equal(pgl_jwt_sign(SECRET, &c, &tok), 0);
	assert_int_equal(pgl_jwt_verify(SECRET, tok, NOW + 10, &got, &why), 0);
	assert_string_equal(got.sub, c.sub);
	assert_string_equal(got.jti, c.jti);
	assert_string_equal(got.username, "alice");
	assert_string_equal(got.role, "tenant-admin");
	assert_string_equal(got.tenant_id, TENANT);
	assert_int_equal(got.exp, NOW + 3600);
	free(tok);
}

static void
test_root_token_has_no_tenant(void **state)
{
	struct pgl_jwt_claims	c = claims("root", NULL), got;
	const char		*why;
	char			*tok;

	(void)state;
	assert_int_equal(pgl_jwt_sign(SECRET, &c, &tok), 0);
	assert_int_equal(pgl_jwt_verify(SECRET, tok, NOW, &got, &why), 0);
	assert_string_equal(got.tenant_id, "");
	free(tok);
}

static void
test_expired_token_is_refused(void **state)
{
	struct pgl_jwt_claims	c = claims("tenant-user", TENANT), got;
	const char		*why;
	char			*tok;

	(void)state;
	assert_int_equal(pgl_jwt_sign(SECRET, &c, &tok), 0);
	assert_int_equal(pgl_jwt_verify(SECRET, tok, NOW + 3600, &got, &why),
	    -1);
	assert_string_equal(why, "Token expired");
	free(tok);
}

static void
test_token_signed_with_another_secret_is_refused(void **state)
{
	struct pgl_jwt_claims	c = claims("tenant-user", TENANT), got;
	const char		*why;
	char			*tok;

	(void)state;
	assert_int_equal(pgl_jwt_sign(SECRET "x", &c, &tok), 0);
	assert_int_equal(pgl_jwt_verify(SECRET, tok, NOW, &got, &why), -1);
	assert_string_equal(why, "Invalid token");
	free(tok);
}

/* base64url without padding, as JWT segments are spelled. */
static void
b64url(const char *in, char *out)
{
	size_t	i, j = 0;

	(void)EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)in,
	    (int)strlen(in));
	for (i = 0; out[i] != '\0'; i++) {
		if (out[i] == '=')
			break;
		out[j++] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	}
	out[j] = '\0';
}

#define PAYLOAD	"{\"sub\":\"7f1c2a4e-8b3d-4c5e-9f60-1a2b3c4d5e6f\"," \
	"\"jti\":\"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d\",\"username\":" \
	"\"mallory\",\"role\":\"root\",\"iat\":1800000000,\"exp\":1900000000}"

static void
test_alg_none_token_is_refused(void **state)
{
	struct pgl_jwt_claims	 got;
	const char		*why;
	char			 h[128], p[512], tok[700];

	(void)state;
	b64url("{\"alg\":\"none\",\"typ\":\"JWT\"}", h);
	b64url(PAYLOAD, p);
	(void)snprintf(tok, sizeof(tok), "%s.%s.", h, p);
	assert_int_equal(pgl_jwt_verify(SECRET, tok, NOW, &got, &why), -1);
	/* The same with a signature part that is not empty. */
	(void)snprintf(tok, sizeof(tok), "%s.%s.AAAA", h, p);
	assert_int_equal(pgl_jwt_verify(SECRET, tok, NOW, &got, &why), -1);
}

static void
test_token_of_another_hmac_algorithm_is_refused(void **state)
{
	struct pgl_jwt_claims	 got;
	const char		*why;
	jwt_t			*jwt;
	char			*tok;

	(void)state;
	assert_int_equal(jwt_new(&jwt), 0);
	assert_int_equal(jwt_set_alg(jwt, JWT_ALG_HS512,
	    (const unsigned char *)SECRET, (int)strlen(SECRET)), 0);
	assert_int_equal(jwt_add_grants_json(jwt, PAYLOAD), 0);
	assert_non_null(tok = jwt_encode_str(jwt));
	jwt_free(jwt);
	assert_int_equal(pgl_jwt_verify(SECRET, tok, NOW, &got, &why), -1);
	free(tok);
}

static void
test_tampered_payload_is_refused(void **state)
{
	struct pgl_jwt_claims	 c = claims("tenant-user", TENANT), got;
	const char		*why;
	char			*tok, *dot, p[512], forged[1024];

	(void)state;
	assert_int_equal(pgl_jwt_sign(SECRET, &c, &tok), 0);
	/* Keep header and signature, swap in a root payload. */
	dot = strchr(tok, '.');
	b64url(PAYLOAD, p);
	(void)snprintf(forged, sizeof(forged), "%.*s.%s%s", (int)(dot - tok),
	    tok, p, strrchr(tok, '.'));
	assert_int_equal(pgl_jwt_verify(SECRET, forged, NOW, &got, &why), -1);
	free(tok);
}

static void
test_malformed_claims_are_an_invalid_session(void **state)
{
	struct pgl_jwt_claims	 bad[4], got;
	const char		*why;
	char			*tok;
	size_t			 i;

	(void)state;
	bad[0] = claims("superuser", TENANT);		/* unknown role */
	bad[1] = claims("tenant-user", NULL);		/* no tenant */
	bad[2] = claims("root", TENANT);		/* root with one */
	bad[3] = claims("tenant-user", TENANT);
	strcpy(bad[3].jti, "not-a-uuid");
	for (i = 0; i < 4; i++) {
		assert_int_equal(pgl_jwt_sign(SECRET, &bad[i], &tok), 0);
		assert_int_equal(pgl_jwt_verify(SECRET, tok, NOW, &got, &why),
		    -1);
		assert_string_equal(why, "Invalid session");
		free(tok);
	}
}

static void
test_garbage_tokens_are_refused(void **state)
{
	static const char *const bad[] = {
		"", ".", "..", "a.b.c", "eyJhbGciOiJIUzI1NiJ9..",
		"eyJhbGciOiJIUzI1NiJ9.e30.", "not a token at all",
	};
	struct pgl_jwt_claims	 got;
	const char		*why;
	char			*big;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(pgl_jwt_verify(SECRET, bad[i], NOW, &got,
		    &why), -1);
	big = malloc(PGL_JWT_MAX + 2);
	memset(big, 'a', PGL_JWT_MAX + 1);
	big[PGL_JWT_MAX + 1] = '\0';
	assert_int_equal(pgl_jwt_verify(SECRET, big, NOW, &got, &why), -1);
	free(big);
}

static void
test_weak_jwt_secrets_are_refused(void **state)
{
	static const char *const weak[] = {
		NULL, "", "secret", "changeme", "default_secret_for_dev",
		"supersecret", "short-but-random-9f8e7d",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(weak) / sizeof(weak[0]); i++)
		assert_non_null(pgl_jwt_secret_check(weak[i]));
	assert_null(pgl_jwt_secret_check(SECRET));
}

static void
test_password_hash_is_argon2id_and_verifies_only_its_password(void **state)
{
	char		h[PGL_HASH_LEN], h2[PGL_HASH_LEN];
	struct timespec	a, b;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(pgl_password_hash("Corr3ct-Horse-Battery", h), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	print_message("  argon2id hash: %.1f ms\n", (b.tv_sec - a.tv_sec) *
	    1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
	assert_int_equal(strncmp(h, "$argon2id$v=19$m=7168,t=5,p=1$", 30),
	    0);
	assert_true(pgl_password_verify("Corr3ct-Horse-Battery", h));
	assert_false(pgl_password_verify("Corr3ct-Horse-Batterz", h));
	assert_false(pgl_password_verify("", h));
	/* A fresh salt every time. */
	assert_int_equal(pgl_password_hash("Corr3ct-Horse-Battery", h2), 0);
	assert_string_not_equal(h, h2);
}

static void
test_stored_hashes_of_other_kinds_or_huge_cost_never_verify(void **state)
{
	char	h[PGL_HASH_LEN], buf[PGL_HASH_LEN * 2];

	(void)state;
	assert_int_equal(pgl_password_hash("Corr3ct-Horse-Battery", h), 0);
	assert_false(pgl_password_verify("Corr3ct-Horse-Battery", NULL));
	assert_false(pgl_password_verify("Corr3ct-Horse-Battery", ""));
	assert_false(pgl_password_verify("Corr3ct-Horse-Battery",
	    "Corr3ct-Horse-Battery"));
	/* argon2i and a 4 GiB memory cost are refused before hashing. */
	(void)snprintf(buf, sizeof(buf), "$argon2i%s", h + 9);
	assert_false(pgl_password_verify("Corr3ct-Horse-Battery", buf));
	(void)snprintf(buf, sizeof(buf), "$argon2id$v=19$m=4194304,t=2,p=1%s",
	    strchr(h + 30, '$'));
	assert_false(pgl_password_verify("Corr3ct-Horse-Battery", buf));
}

/* A hash made at the parameters of before (19 MiB, 2 passes) by the
 * library itself still verifies: users keep their passwords. */
static void
test_hashes_at_the_former_parameters_still_verify(void **state)
{
	static const unsigned char	salt[16] = "0123456789abcdef";
	char				h[PGL_HASH_LEN];

	(void)state;
	assert_int_equal(argon2id_hash_encoded(2, 19456, 1,
	    "Corr3ct-Horse-Battery", 21, salt, sizeof(salt), 32, h,
	    sizeof(h)), ARGON2_OK);
	assert_int_equal(strncmp(h, "$argon2id$v=19$m=19456,t=2,p=1$", 31),
	    0);
	assert_true(pgl_password_verify("Corr3ct-Horse-Battery", h));
	assert_false(pgl_password_verify("Corr3ct-Horse-Batterz", h));
}

static void
test_short_repeated_and_common_passwords_are_weak(void **state)
{
	static const char *const weak[] = {
		"short", "aaaaaaaaaaaaaaaa", "password1234", "Password2024!",
		"qwerty123456", "123456789012", "!!Welcome2026", "P@ssw0rd12345",
		"999999999999999", "Letmein123456",
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(weak) / sizeof(weak[0]); i++) {
		if (!pgl_password_is_weak(weak[i]))
			fail_msg("%s should be weak", weak[i]);
	}
	assert_false(pgl_password_is_weak("Corr3ct-Horse-Battery"));
	assert_false(pgl_password_is_weak("Str0ng-Passw0rd-for-tests"));
}

static void
test_apikey_has_a_key_id_and_256_bits_of_secret_stored_only_as_a_hash(
    void **state)
{
	char	key[PGL_APIKEY_LEN + 1], id[PGL_APIKEY_ID_LEN + 1];
	char	hash[PGL_APIKEY_HASH_LEN + 1], pid[PGL_APIKEY_ID_LEN + 1];
	char	secret[PGL_APIKEY_SECRET_LEN + 1], key2[PGL_APIKEY_LEN + 1];
	char	id2[PGL_APIKEY_ID_LEN + 1], hash2[PGL_APIKEY_HASH_LEN + 1];

	(void)state;
	assert_int_equal(pgl_apikey_mint(key, id, hash), 0);
	assert_int_equal(strlen(key), 4 + 16 + 1 + 64);
	assert_int_equal(strncmp(key, "pgl_", 4), 0);
	assert_int_equal(pgl_apikey_parse(key, pid, secret), 0);
	assert_string_equal(pid, id);
	assert_int_equal(strlen(secret), 64);	/* 64 hex digits: 256 bits */
	assert_int_equal(strncmp(hash, "sha256:", 7), 0);
	assert_null(strstr(hash, secret));
	assert_true(pgl_apikey_verify(secret, hash));
	secret[0] = secret[0] == 'a' ? 'b' : 'a';
	assert_false(pgl_apikey_verify(secret, hash));
	assert_int_equal(pgl_apikey_mint(key2, id2, hash2), 0);
	assert_string_not_equal(key, key2);
	assert_string_not_equal(id, id2);
}

static void
test_apikey_of_another_shape_is_refused(void **state)
{
	char	key[PGL_APIKEY_LEN + 1], id[PGL_APIKEY_ID_LEN + 1];
	char	hash[PGL_APIKEY_HASH_LEN + 1], secret[PGL_APIKEY_SECRET_LEN + 1];
	char	bad[PGL_APIKEY_LEN + 8];

	(void)state;
	assert_int_equal(pgl_apikey_mint(key, id, hash), 0);
	assert_int_equal(pgl_apikey_parse(NULL, id, secret), -1);
	assert_int_equal(pgl_apikey_parse("", id, secret), -1);
	assert_int_equal(pgl_apikey_parse("pgl_abc_def", id, secret), -1);
	(void)snprintf(bad, sizeof(bad), "%sa", key);		/* too long */
	assert_int_equal(pgl_apikey_parse(bad, id, secret), -1);
	(void)snprintf(bad, sizeof(bad), "%s", key);
	bad[0] = 'P';						/* prefix */
	assert_int_equal(pgl_apikey_parse(bad, id, secret), -1);
	(void)snprintf(bad, sizeof(bad), "%s", key);
	bad[30] = 'G';						/* not hex */
	assert_int_equal(pgl_apikey_parse(bad, id, secret), -1);
	(void)snprintf(bad, sizeof(bad), "%s", key);
	bad[20] = '-';						/* separator */
	assert_int_equal(pgl_apikey_parse(bad, id, secret), -1);
	assert_false(pgl_apikey_verify("x", "sha256:short"));
	assert_false(pgl_apikey_verify("x", NULL));
}

/* The per-process cache answers as a fresh verification would. */
static void
test_cached_verification_answers_like_a_fresh_one(void **state)
{
	struct pgl_jwt_claims	c = claims("tenant-user", TENANT), out;
	const char		*why = NULL;
	char			*tok;

	(void)state;
	assert_int_equal(pgl_jwt_sign(SECRET, &c, &tok), 0);
	assert_int_equal(pgl_jwt_verify_cached(SECRET, tok, NOW, &out, &why),
	    0);
	memset(&out, 0, sizeof(out));
	assert_int_equal(pgl_jwt_verify_cached(SECRET, tok, NOW, &out, &why),
	    0);
	assert_string_equal(out.sub, c.sub);
	assert_string_equal(out.tenant_id, TENANT);
	/* Expiry is checked on every use, cached or not. */
	assert_int_equal(pgl_jwt_verify_cached(SECRET, tok, NOW + 3600, &out,
	    &why), -1);
	assert_string_equal(why, "Token expired");
	/* Another secret never gets the cached answer. */
	assert_int_equal(pgl_jwt_verify_cached("another-secret-for-tests-"
	    "0123456789abcdef", tok, NOW, &out, &why), -1);
	/* A changed signature is verified, and refused. */
	tok[strlen(tok) - 2] = tok[strlen(tok) - 2] == 'A' ? 'B' : 'A';
	assert_int_equal(pgl_jwt_verify_cached(SECRET, tok, NOW, &out, &why),
	    -1);
	free(tok);
}

/* pgl_jwt_known: only a token verified with that very secret. */
static void
test_a_token_is_known_only_once_verified_with_its_secret(void **state)
{
	struct pgl_jwt_claims	c = claims("tenant-admin", TENANT), out;
	const char		*why = NULL;
	char			*tok, *other;

	(void)state;
	c.jti[0] = 'b';		/* not the other tests' token */
	assert_int_equal(pgl_jwt_sign(SECRET, &c, &tok), 0);
	assert_false(pgl_jwt_known(SECRET, tok));
	assert_int_equal(pgl_jwt_verify_cached(SECRET, tok, NOW, &out, &why),
	    0);
	assert_true(pgl_jwt_known(SECRET, tok));
	assert_false(pgl_jwt_known("another-secret-for-tests-"
	    "0123456789abcdef", tok));
	/* A refused token is never known. */
	other = strdup(tok);
	other[strlen(other) - 2] = other[strlen(other) - 2] == 'A' ? 'B' : 'A';
	assert_int_equal(pgl_jwt_verify_cached(SECRET, other, NOW, &out,
	    &why), -1);
	assert_false(pgl_jwt_known(SECRET, other));
	free(other);
	free(tok);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed_token_verifies_and_carries_its_claims),
		cmocka_unit_test(test_root_token_has_no_tenant),
		cmocka_unit_test(test_expired_token_is_refused),
		cmocka_unit_test(test_cached_verification_answers_like_a_fresh_one),
		cmocka_unit_test(
		    test_a_token_is_known_only_once_verified_with_its_secret),
		cmocka_unit_test(test_token_signed_with_another_secret_is_refused),
		cmocka_unit_test(test_alg_none_token_is_refused),
		cmocka_unit_test(test_token_of_another_hmac_algorithm_is_refused),
		cmocka_unit_test(test_tampered_payload_is_refused),
		cmocka_unit_test(test_malformed_claims_are_an_invalid_session),
		cmocka_unit_test(test_garbage_tokens_are_refused),
		cmocka_unit_test(test_weak_jwt_secrets_are_refused),
		cmocka_unit_test(
		    test_apikey_has_a_key_id_and_256_bits_of_secret_stored_only_as_a_hash),
		cmocka_unit_test(test_apikey_of_another_shape_is_refused),
		cmocka_unit_test(
		    test_short_repeated_and_common_passwords_are_weak),
		cmocka_unit_test(
		    test_password_hash_is_argon2id_and_verifies_only_its_password),
		cmocka_unit_test(
		    test_hashes_at_the_former_parameters_still_verify),
		cmocka_unit_test(
		    test_stored_hashes_of_other_kinds_or_huge_cost_never_verify),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
