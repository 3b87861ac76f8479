/* Standard Webhooks signatures (src/events/webhook_sign.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "events/webhook_sign.h"

/*
 * The published test vector of the Standard Webhooks reference libraries
 * (github.com/standard-webhooks/standard-webhooks, libraries/php/tests/
 * WebhookTest.php testSignFunctionWorks; the same in the other
 * languages' tests): a receiver's library accepts what matches it.
 */
#define VEC_SECRET	"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define VEC_ID		"msg_p5jXN8AQM9LWM0D4loKWxJek"
#define VEC_TS		1614265330
#define VEC_BODY	"{\"test\": 2432232314}"
#define VEC_SIG		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

static char *
sign(const char *const *secrets, size_t n, const char *body)
{
	char		*h;
	const char	*why;

	assert_int_equal(pgl_webhook_sign(secrets, n, VEC_ID, VEC_TS, body,
	    strlen(body), &h, &why), 0);
	return (h);
}

static int
verify(const char *secret, const char *header, const char *body,
    int64_t now, const char **why)
{
	return (pgl_webhook_verify(secret, VEC_ID, "1614265330", header,
	    body, strlen(body), now, PGL_WEBHOOK_TOLERANCE_SECS, why));
}

static void
test_signature_matches_the_published_vector(void **state)
{
	const char	*secrets[] = { VEC_SECRET };
	const char	*why;
	char		*h;

	(void)state;
	h = sign(secrets, 1, VEC_BODY);
	assert_string_equal(h, VEC_SIG);
	assert_int_equal(verify(VEC_SECRET, VEC_SIG, VEC_BODY, VEC_TS, &why),
	    0);
	free(h);
}

static void
test_new_secret_is_whsec_and_32_random_bytes_and_signs(void **state)
{
	char		 a[PGL_WEBHOOK_SECRET_LEN], b[PGL_WEBHOOK_SECRET_LEN];
	const char	*secrets[1], *why;
	char		*h;

	(void)state;
	assert_int_equal(pgl_webhook_secret_new(a), 0);
	assert_int_equal(pgl_webhook_secret_new(b), 0);
	assert_int_equal(strlen(a), PGL_WEBHOOK_SECRET_LEN - 1);
	assert_memory_equal(a, "whsec_", 6);
	assert_string_not_equal(a, b);
	assert_null(pgl_webhook_secret_check(a));
	secrets[0] = a;
	h = sign(secrets, 1, VEC_BODY);
	assert_int_equal(verify(a, h, VEC_BODY, VEC_TS, &why), 0);
	assert_int_equal(verify(b, h, VEC_BODY, VEC_TS, &why), -1);
	free(h);
}

static void
test_rotation_overlap_signs_with_both_and_either_secret_verifies(
    void **state)
{
	char		 fresh[PGL_WEBHOOK_SECRET_LEN];
	const char	*both[2], *why;
	char		*h, *space;

	(void)state;
	assert_int_equal(pgl_webhook_secret_new(fresh), 0);
	both[0] = fresh;
	both[1] = VEC_SECRET;
	h = sign(both, 2, VEC_BODY);
	/* The new secret's first, the old one's (the vector) after. */
	assert_non_null(space = strchr(h, ' '));
	assert_string_equal(space + 1, VEC_SIG);
	assert_int_equal(strncmp(h, "v1,", 3), 0);
	assert_int_equal(verify(fresh, h, VEC_BODY, VEC_TS, &why), 0);
	assert_int_equal(verify(VEC_SECRET, h, VEC_BODY, VEC_TS, &why), 0);
	free(h);
}

static void
test_other_schemes_in_the_header_are_skipped_not_refused(void **state)
{
	const char	*why;

	(void)state;
	assert_int_equal(verify(VEC_SECRET, "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNV "
	    "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= " VEC_SIG,
	    VEC_BODY, VEC_TS, &why), 0);
	/* The right bytes under another scheme's name are no v1. */
	assert_int_equal(verify(VEC_SECRET,
	    "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", VEC_BODY,
	    VEC_TS, &why), -1);
}

static void
test_a_changed_body_id_or_timestamp_does_not_verify(void **state)
{
	const char	*why;

	(void)state;
	assert_int_equal(verify(VEC_SECRET, VEC_SIG, "{\"test\":2432232314}",
	    VEC_TS, &why), -1);
	assert_string_equal(why, "no matching signature");
	assert_int_equal(pgl_webhook_verify(VEC_SECRET, "msg_other",
	    "1614265330", VEC_SIG, VEC_BODY, strlen(VEC_BODY), VEC_TS, 300,
	    &why), -1);
	assert_int_equal(pgl_webhook_verify(VEC_SECRET, VEC_ID, "1614265331",
	    VEC_SIG, VEC_BODY, strlen(VEC_BODY), VEC_TS, 300, &why), -1);
	assert_int_equal(verify(VEC_SECRET,
	    "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=", VEC_BODY, VEC_TS,
	    &why), -1);
}

static void
test_timestamp_outside_the_tolerance_is_refused_either_way(void **state)
{
	const char	*why;

	(void)state;
	assert_int_equal(verify(VEC_SECRET, VEC_SIG, VEC_BODY,
	    VEC_TS + PGL_WEBHOOK_TOLERANCE_SECS, &why), 0);
	assert_int_equal(verify(VEC_SECRET, VEC_SIG, VEC_BODY,
	    VEC_TS + PGL_WEBHOOK_TOLERANCE_SECS + 1, &why), -1);
	assert_string_equal(why, "webhook-timestamp too old");
	assert_int_equal(verify(VEC_SECRET, VEC_SIG, VEC_BODY,
	    VEC_TS - PGL_WEBHOOK_TOLERANCE_SECS - 1, &why), -1);
	assert_string_equal(why, "webhook-timestamp too new");
	assert_int_equal(pgl_webhook_verify(VEC_SECRET, VEC_ID, "1614265330.0",
	    VEC_SIG, VEC_BODY, strlen(VEC_BODY), VEC_TS, 300, &why), -1);
	assert_int_equal(pgl_webhook_verify(VEC_SECRET, VEC_ID, "-1",
	    VEC_SIG, VEC_BODY, strlen(VEC_BODY), VEC_TS, 300, &why), -1);
}

static void
test_malformed_secrets_and_ids_are_refused(void **state)
{
	const char	*secrets[1], *why;
	char		*h;

	(void)state;
	assert_non_null(pgl_webhook_secret_check("MfKQ9r8GKYqrTwjUPD8ILPZIo2L"
	    "aLaSw"));
	assert_non_null(pgl_webhook_secret_check("whsec_not base64!"));
	assert_non_null(pgl_webhook_secret_check("whsec_c2hvcnQ="));
	assert_non_null(pgl_webhook_secret_check(NULL));
	secrets[0] = VEC_SECRET;
	assert_int_equal(pgl_webhook_sign(secrets, 1, "msg.1", VEC_TS,
	    "{}", 2, &h, &why), -1);
	assert_null(h);
	assert_int_equal(pgl_webhook_sign(secrets, 1, "", VEC_TS, "{}", 2, &h,
	    &why), -1);
	assert_int_equal(pgl_webhook_sign(secrets, 1, VEC_ID, -1, "{}", 2, &h,
	    &why), -1);
	assert_int_equal(pgl_webhook_sign(secrets, 0, VEC_ID, VEC_TS, "{}", 2,
	    &h, &why), -1);
	secrets[0] = "whsec_c2hvcnQ=";
	assert_int_equal(pgl_webhook_sign(secrets, 1, VEC_ID, VEC_TS, "{}", 2,
	    &h, &why), -1);
	assert_null(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signature_matches_the_published_vector),
		cmocka_unit_test(test_new_secret_is_whsec_and_32_random_bytes_and_signs),
		cmocka_unit_test(test_rotation_overlap_signs_with_both_and_either_secret_verifies),
		cmocka_unit_test(test_other_schemes_in_the_header_are_skipped_not_refused),
		cmocka_unit_test(test_a_changed_body_id_or_timestamp_does_not_verify),
		cmocka_unit_test(test_timestamp_outside_the_tolerance_is_refused_either_way),
		cmocka_unit_test(test_malformed_secrets_and_ids_are_refused),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
