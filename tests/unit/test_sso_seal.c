/*
 * The page's sign-in values (src/auth/sso_seal.c): the one-time code is
 * good for 120 seconds and no longer, the flow cookie for 600, and one
 * never opens as the other or under another secret.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "auth/sso_seal.h"

#define SECRET	"a-session-secret-of-the-catalog-0123456789"
#define T0	1800000000LL

/* A code as the callback makes it at T0. */
static char *
code_at(int64_t now)
{
	char	*c = pgl_sso_seal(PGL_SSO_CODE, SECRET, json_pack("{s:s,s:I}",
	    "t", "session-token", "x", (json_int_t)(T0 + 3600)), now);

	assert_non_null(c);
	return (c);
}

static void
test_sso_code_opens_until_120_seconds_after_the_callback(void **state)
{
	char	*c = code_at(T0);
	json_t	*j;

	(void)state;
	assert_int_equal(pgl_sso_lifetime(PGL_SSO_CODE), 120);
	j = pgl_sso_open(PGL_SSO_CODE, SECRET, c, T0);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "t")),
	    "session-token");
	json_decref(j);
	j = pgl_sso_open(PGL_SSO_CODE, SECRET, c, T0 + 120);
	assert_non_null(j);
	json_decref(j);
	free(c);
}

static void
test_sso_code_is_refused_once_expired(void **state)
{
	char	*c = code_at(T0);

	(void)state;
	assert_null(pgl_sso_open(PGL_SSO_CODE, SECRET, c, T0 + 121));
	assert_null(pgl_sso_open(PGL_SSO_CODE, SECRET, c, T0 + 86400));
	free(c);
}

static void
test_sso_flow_cookie_lasts_600_seconds(void **state)
{
	char	*f = pgl_sso_seal(PGL_SSO_FLOW, SECRET, json_pack("{s:s}", "s",
	    "state"), T0);
	json_t	*j;

	(void)state;
	assert_non_null(f);
	assert_non_null(j = pgl_sso_open(PGL_SSO_FLOW, SECRET, f, T0 + 600));
	json_decref(j);
	assert_null(pgl_sso_open(PGL_SSO_FLOW, SECRET, f, T0 + 601));
	free(f);
}

static void
test_sso_code_does_not_open_as_a_flow_nor_under_another_secret(void **state)
{
	char	*c = code_at(T0);

	(void)state;
	assert_null(pgl_sso_open(PGL_SSO_FLOW, SECRET, c, T0));
	assert_null(pgl_sso_open(PGL_SSO_CODE, SECRET "x", c, T0));
	assert_null(pgl_sso_open(PGL_SSO_CODE, NULL, c, T0));
	c[strlen(c) - 2] ^= 1;
	assert_null(pgl_sso_open(PGL_SSO_CODE, SECRET, c, T0));
	free(c);
	assert_null(pgl_sso_seal(PGL_SSO_CODE, NULL, json_object(), T0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_sso_code_opens_until_120_seconds_after_the_callback),
		cmocka_unit_test(test_sso_code_is_refused_once_expired),
		cmocka_unit_test(test_sso_flow_cookie_lasts_600_seconds),
		cmocka_unit_test(
		    test_sso_code_does_not_open_as_a_flow_nor_under_another_secret),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
