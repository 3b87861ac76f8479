/* Secrets at rest (src/util/seal.c): AES-256-GCM values bound to a field. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/seal.h"

/* 32 bytes 0x00..0x1f in base64. */
#define KEY_B64	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

static void
key(unsigned char k[PGL_SEAL_KEY_LEN])
{
	assert_null(pgl_seal_key_parse(KEY_B64, k));
}

static void
test_sealed_value_opens_with_its_key_and_field(void **state)
{
	unsigned char	 k[PGL_SEAL_KEY_LEN];
	char		*s, *p;
	const char	*why;

	(void)state;
	key(k);
	assert_int_equal(pgl_seal(k, "s3.secret-access-key", "wJalrXUtnFEMI",
	    &s), 0);
	assert_true(pgl_seal_is_sealed(s));
	assert_null(strstr(s, "wJalrXUtnFEMI"));
	why = "not cleared";
	assert_int_equal(pgl_unseal(k, "s3.secret-access-key", s, &p, &why),
	    0);
	/* No reason left on success (issue 67: a caller read a stale
	 * "malformed sealed value" as a failure). */
	assert_null(why);
	assert_string_equal(p, "wJalrXUtnFEMI");
	free(p);
	free(s);
}

static void
test_empty_value_round_trips(void **state)
{
	unsigned char	 k[PGL_SEAL_KEY_LEN];
	char		*s, *p;
	const char	*why;

	(void)state;
	key(k);
	assert_int_equal(pgl_seal(k, "f", "", &s), 0);
	assert_int_equal(pgl_unseal(k, "f", s, &p, &why), 0);
	assert_string_equal(p, "");
	free(p);
	free(s);
}

static void
test_same_value_seals_differently_each_time(void **state)
{
	unsigned char	 k[PGL_SEAL_KEY_LEN];
	char		*a, *b;

	(void)state;
	key(k);
	assert_int_equal(pgl_seal(k, "f", "same", &a), 0);
	assert_int_equal(pgl_seal(k, "f", "same", &b), 0);
	assert_string_not_equal(a, b);
	free(a);
	free(b);
}

static void
test_value_moved_to_another_field_does_not_open(void **state)
{
	unsigned char	 k[PGL_SEAL_KEY_LEN];
	char		*s, *p;
	const char	*why;

	(void)state;
	key(k);
	assert_int_equal(pgl_seal(k, "s3.secret-access-key", "x", &s), 0);
	assert_int_equal(pgl_unseal(k, "s3.access-key-id", s, &p, &why), -1);
	assert_null(p);
	assert_non_null(strstr(why, "authenticate"));
	free(s);
}

static void
test_wrong_key_and_tampering_do_not_open(void **state)
{
	unsigned char	 k[PGL_SEAL_KEY_LEN], other[PGL_SEAL_KEY_LEN];
	char		*s, *p;
	const char	*why;
	size_t		 i;

	(void)state;
	key(k);
	memcpy(other, k, sizeof(other));
	other[31] ^= 1;
	assert_int_equal(pgl_seal(k, "f", "secret value", &s), 0);
	assert_int_equal(pgl_unseal(other, "f", s, &p, &why), -1);
	/* Flip one bit of every base64 character past the prefix (the
	 * last one's may be padding bits, refused as non-canonical). */
	for (i = strlen(PGL_SEAL_PREFIX); s[i] != '\0' && s[i] != '='; i++) {
		char	c = s[i];

		s[i] = c == 'A' ? 'B' : c == 'B' ? 'A' : c == 'a' ? 'b' : 'a';
		assert_int_equal(pgl_unseal(k, "f", s, &p, &why), -1);
		assert_null(p);
		s[i] = c;
	}
	assert_int_equal(pgl_unseal(k, "f", s, &p, &why), 0);
	free(p);
	free(s);
}

static void
test_malformed_sealed_text_is_refused(void **state)
{
	static const char *const bad[] = {
		"plain", "enc:v1:", "enc:v1:AAAA", "enc:v1:!!!!",
		"enc:v1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8 ",
		"enc:v2:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"enc:v1:A=AA", "enc:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
		/* non-canonical: padding bits set */
		"enc:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB==",
	};
	unsigned char	 k[PGL_SEAL_KEY_LEN];
	char		*p;
	const char	*why;
	size_t		 i;

	(void)state;
	key(k);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(pgl_unseal(k, "f", bad[i], &p, &why), -1);
		assert_null(p);
		assert_non_null(why);
	}
}

static void
test_key_must_be_base64_of_32_bytes_and_not_one_repeated_byte(void **state)
{
	static const char *const bad[] = {
		"", "short", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8fHw==",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
		" AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"/////////////////////////////////////////w=",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=",	/* bits */
	};
	unsigned char	k[PGL_SEAL_KEY_LEN];
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_non_null(pgl_seal_key_parse(bad[i], k));
	assert_null(pgl_seal_key_parse(KEY_B64, k));
	assert_int_equal(k[0], 0);
	assert_int_equal(k[31], 31);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sealed_value_opens_with_its_key_and_field),
		cmocka_unit_test(test_empty_value_round_trips),
		cmocka_unit_test(test_same_value_seals_differently_each_time),
		cmocka_unit_test(test_value_moved_to_another_field_does_not_open),
		cmocka_unit_test(test_wrong_key_and_tampering_do_not_open),
		cmocka_unit_test(test_malformed_sealed_text_is_refused),
		cmocka_unit_test(
		    test_key_must_be_base64_of_32_bytes_and_not_one_repeated_byte),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
