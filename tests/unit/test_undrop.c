/*
 * Undrop's retention and its settings (issue 46 part 5): the catalog's
 * property pangolin.undrop-retention-days over [undrop] retention_days
 * (src/tasks/undrop.c), and the [undrop] keys and their environment
 * variables (src/config).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "tasks/undrop.h"

#define DAY_MS	(24LL * 3600 * 1000)

static void
test_the_property_overrides_the_setting_fractions_allowed(void **state)
{
	(void)state;
	assert_int_equal(pgl_undrop_retention_ms(NULL, 7), 7 * DAY_MS);
	assert_int_equal(pgl_undrop_retention_ms("{}", 3), 3 * DAY_MS);
	assert_int_equal(pgl_undrop_retention_ms(
	    "{\"pangolin.undrop-retention-days\":\"0.5\"}", 7), DAY_MS / 2);
	assert_int_equal(pgl_undrop_retention_ms(
	    "{\"pangolin.undrop-retention-days\":2}", 7), 2 * DAY_MS);
	assert_int_equal(pgl_undrop_retention_ms(
	    "{\"pangolin.undrop-retention-days\":\"30\"}", 0), 30 * DAY_MS);
}

/* 0 makes drops final; the tiniest fraction still keeps a millisecond. */
static void
test_zero_is_final_and_a_tiny_fraction_keeps_a_millisecond(void **state)
{
	(void)state;
	assert_int_equal(pgl_undrop_retention_ms(NULL, 0), 0);
	assert_int_equal(pgl_undrop_retention_ms(
	    "{\"pangolin.undrop-retention-days\":\"0\"}", 7), 0);
	assert_int_equal(pgl_undrop_retention_ms(
	    "{\"pangolin.undrop-retention-days\":\"1e-12\"}", 7), 1);
	assert_true(pgl_undrop_expired(0, 1000, 1000));
	assert_false(pgl_undrop_expired(10, 1000, 1009));
	assert_true(pgl_undrop_expired(10, 1000, 1010));
}

/* A value that is not a number of days >= 0 is ignored: a typo must not
 * make drops final; a huge one is a century. */
static void
test_a_bad_property_falls_back_and_a_huge_one_is_capped(void **state)
{
	static const char *const bad[] = {
		"{\"pangolin.undrop-retention-days\":\"seven\"}",
		"{\"pangolin.undrop-retention-days\":\"-1\"}",
		"{\"pangolin.undrop-retention-days\":-2}",
		"{\"pangolin.undrop-retention-days\":\"3days\"}",
		"{\"pangolin.undrop-retention-days\":\"\"}",
		"{\"pangolin.undrop-retention-days\":\"nan\"}",
		"{\"pangolin.undrop-retention-days\":true}",
		"not json",
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(pgl_undrop_retention_ms(bad[i], 7), 7 * DAY_MS);
	assert_int_equal(pgl_undrop_retention_ms(
	    "{\"pangolin.undrop-retention-days\":\"1e300\"}", 7),
	    36500 * DAY_MS);
}

/* What a catalog may be set to: whole days in [undrop] retention_days'
 * range; every other value is refused (the API answers 400). */
static void
test_a_settable_property_is_whole_days_in_the_settings_range(void **state)
{
	static const char *const good[] = { "0", "7", "36500", "0036500" };
	static const char *const bad[] = { NULL, "", "-1", "+1", " 7", "7 ",
	    "0.5", "1.0", "1e3", "seven", "3days", "36501", "nan",
	    "99999999999999999999999" };
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(pgl_undrop_days_valid(good[i]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(pgl_undrop_days_valid(bad[i]));
}

/* [undrop] in the file, the environment over it, and their ranges. */
static void
test_settings_default_file_env_and_range(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*c;
	char			 path[] = "/tmp/pgl-undrop-XXXXXX";
	FILE			*fp;
	int			 fd;

	(void)state;
	unsetenv("PANGOLIN_UNDROP_RETENTION_DAYS");
	unsetenv("PANGOLIN_UNDROP_MAX_PER_TENANT");
	setenv("PANGOLIN_JWT_SECRET", "unit-test-jwt-secret-0123456789abcdef",
	    1);
	assert_non_null(c = pgl_config_load(NULL, &err));
	assert_int_equal(c->undrop.retention_days, 7);
	assert_int_equal(c->undrop.max_per_tenant, 1000);
	pgl_config_free(c);

	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(fp = fdopen(fd, "w"));
	fputs("[undrop]\nretention_days = 0\nmax_per_tenant = 5\n", fp);
	fclose(fp);
	assert_non_null(c = pgl_config_load(path, &err));
	assert_int_equal(c->undrop.retention_days, 0);
	assert_int_equal(c->undrop.max_per_tenant, 5);
	pgl_config_free(c);

	setenv("PANGOLIN_UNDROP_RETENTION_DAYS", "30", 1);
	setenv("PANGOLIN_UNDROP_MAX_PER_TENANT", "0", 1);
	assert_non_null(c = pgl_config_load(path, &err));
	assert_int_equal(c->undrop.retention_days, 30);
	assert_int_equal(c->undrop.max_per_tenant, 0);
	pgl_config_free(c);

	setenv("PANGOLIN_UNDROP_RETENTION_DAYS", "-1", 1);
	assert_null(pgl_config_load(path, &err));
	assert_string_equal(err.key, "PANGOLIN_UNDROP_RETENTION_DAYS");
	unsetenv("PANGOLIN_UNDROP_RETENTION_DAYS");
	unsetenv("PANGOLIN_UNDROP_MAX_PER_TENANT");
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_the_property_overrides_the_setting_fractions_allowed),
		cmocka_unit_test(
		    test_zero_is_final_and_a_tiny_fraction_keeps_a_millisecond),
		cmocka_unit_test(
		    test_a_bad_property_falls_back_and_a_huge_one_is_capped),
		cmocka_unit_test(
		    test_a_settable_property_is_whole_days_in_the_settings_range),
		cmocka_unit_test(test_settings_default_file_env_and_range),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
