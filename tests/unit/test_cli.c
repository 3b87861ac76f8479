/*
 * pangolin admin's pure parts: body words, escaped paths and queries,
 * where the URL and token come from, and the profile file (the flat file
 * of older releases is the profile "default"; a save keeps the others).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli/cli.h"

static char	dir[64];

static int
setup(void **state)
{
	(void)state;
	(void)snprintf(dir, sizeof(dir), "/tmp/pgl-cli-unit-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return (-1);
	setenv("XDG_CONFIG_HOME", dir, 1);
	unsetenv("PANGOLIN_URL");
	unsetenv("PANGOLIN_TOKEN");
	unsetenv("PANGOLIN_PROFILE");
	return (0);
}

static int
teardown(void **state)
{
	char	path[128];

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/pangolin/cli.json", dir);
	(void)unlink(path);
	(void)snprintf(path, sizeof(path), "%s/pangolin", dir);
	(void)rmdir(path);
	(void)rmdir(dir);
	return (0);
}

/* cli_parse over a NULL-terminated list of words. */
static int
parse(struct cli *c, const char **words)
{
	int	n = 0;

	while (words[n] != NULL)
		n++;
	return (cli_parse(c, n, (char **)words));
}

static void
write_file(const char *text)
{
	char	path[128];
	FILE	*f;

	(void)snprintf(path, sizeof(path), "%s/pangolin", dir);
	(void)mkdir(path, 0700);
	(void)snprintf(path, sizeof(path), "%s/pangolin/cli.json", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static json_t *
read_file(void)
{
	char	path[128];

	(void)snprintf(path, sizeof(path), "%s/pangolin/cli.json", dir);
	return (json_load_file(path, 0, NULL));
}

static void
test_words_are_strings_and_colon_equals_is_json(void **state)
{
	const char	*w[] = { "roles", "create", "name=a b", "n:=2",
			    "m:={\"k\":true}", "e=", NULL };
	struct cli	 c;
	json_t		*j;

	(void)state;
	assert_int_equal(parse(&c, w), 0);
	assert_non_null(j = cli_body(&c, 2));
	assert_string_equal(json_string_value(json_object_get(j, "name")),
	    "a b");
	assert_int_equal(json_integer_value(json_object_get(j, "n")), 2);
	assert_true(json_is_true(json_object_get(json_object_get(j, "m"),
	    "k")));
	assert_string_equal(json_string_value(json_object_get(j, "e")), "");
	json_decref(j);
	free(c.argv);
}

static void
test_a_word_without_a_key_or_bad_json_is_refused(void **state)
{
	const char	*a[] = { "x", "create", "novalue", NULL };
	const char	*b[] = { "x", "create", "=v", NULL };
	const char	*d[] = { "x", "create", "n:={", NULL };
	const char	*both[] = { "x", "create", "a=b", "--data", "{}", NULL };
	struct cli	 c;

	(void)state;
	assert_int_equal(parse(&c, a), 0);
	assert_null(cli_body(&c, 2));
	free(c.argv);
	assert_int_equal(parse(&c, b), 0);
	assert_null(cli_body(&c, 2));
	free(c.argv);
	assert_int_equal(parse(&c, d), 0);
	assert_null(cli_body(&c, 2));
	free(c.argv);
	/* Words and --data: which one was meant?  Neither. */
	assert_int_equal(parse(&c, both), 0);
	assert_null(cli_body(&c, 2));
	free(c.argv);
}

static void
test_query_values_are_escaped_and_joined(void **state)
{
	char	buf[64] = "/api/v1/audit";
	char	small[16] = "/a";

	(void)state;
	assert_int_equal(cli_query(buf, sizeof(buf), "action", "x y&z"), 0);
	assert_int_equal(cli_query(buf, sizeof(buf), "limit", NULL), 0);
	assert_int_equal(cli_query(buf, sizeof(buf), "offset", "5"), 0);
	assert_string_equal(buf, "/api/v1/audit?action=x%20y%26z&offset=5");
	/* Never a cut query: it would ask for something else. */
	assert_int_equal(cli_query(small, sizeof(small), "k",
	    "0123456789abcdef"), -1);
}

static void
test_an_id_is_one_escaped_segment(void **state)
{
	char	buf[64], tiny[12];

	(void)state;
	assert_int_equal(cli_path(buf, sizeof(buf), "/api/v1/roles", "a/b?c",
	    "/x"), 0);
	assert_string_equal(buf, "/api/v1/roles/a%2Fb%3Fc/x");
	assert_int_equal(cli_path(tiny, sizeof(tiny), "/api/v1/roles", "id",
	    NULL), -1);
}

static void
test_unknown_flags_and_bad_output_are_usage(void **state)
{
	const char	*a[] = { "tenants", "list", "--colour", "red", NULL };
	const char	*b[] = { "tenants", "list", "--output", "yaml", NULL };
	const char	*d[] = { "audit", "list", "--limit", NULL };
	const char	*t[] = { "tenants", "list", "--tenant", "ab\r\nX-A: b",
			    NULL };
	struct cli	 c;

	(void)state;
	assert_int_equal(parse(&c, a), -1);
	free(c.argv);
	assert_int_equal(parse(&c, b), -1);
	free(c.argv);
	assert_int_equal(parse(&c, d), -1);	/* a flag without its value */
	free(c.argv);
	/* --tenant becomes a header: an id, nothing that could end it. */
	assert_int_equal(parse(&c, t), -1);
	free(c.argv);
}

static void
test_passed_flags_are_found_by_name(void **state)
{
	const char	*w[] = { "audit", "list", "--action", "create_catalog",
			    "--limit", "5", NULL };
	struct cli	 c;

	(void)state;
	assert_int_equal(parse(&c, w), 0);
	assert_int_equal(c.argc, 2);
	assert_string_equal(cli_opt(&c, "action"), "create_catalog");
	assert_string_equal(cli_opt(&c, "limit"), "5");
	assert_null(cli_opt(&c, "offset"));
	free(c.argv);
}

static void
test_the_flat_file_of_older_releases_is_the_default_profile(void **state)
{
	const char	*plain[] = { "tenants", "list", NULL };
	const char	*other[] = { "tenants", "list", "--profile", "x", NULL };
	struct cli	 c;

	(void)state;
	write_file("{\"url\":\"http://old:1\",\"token\":\"tok-old\"}");
	assert_int_equal(parse(&c, plain), 0);
	assert_string_equal(c.url, "http://old:1");
	assert_string_equal(c.token, "tok-old");
	assert_string_equal(c.profile, "default");
	free(c.argv);
	assert_int_equal(parse(&c, other), 0);
	assert_string_equal(c.url, "http://127.0.0.1:8080");
	assert_string_equal(c.token, "");
	free(c.argv);
}

static void
test_flags_beat_the_environment_which_beats_the_profile(void **state)
{
	const char	*plain[] = { "tenants", "list", NULL };
	const char	*flag[] = { "tenants", "list", "--token", "tok-flag",
			    NULL };
	struct cli	 c;

	(void)state;
	write_file("{\"profiles\":{\"default\":{\"url\":\"http://p:1\","
	    "\"token\":\"tok-file\",\"tenant\":\"0a1b-2c3d\"}}}");
	setenv("PANGOLIN_TOKEN", "tok-env", 1);
	assert_int_equal(parse(&c, plain), 0);
	assert_string_equal(c.token, "tok-env");
	assert_string_equal(c.url, "http://p:1");
	assert_string_equal(c.tenant_ctx, "0a1b-2c3d");
	free(c.argv);
	assert_int_equal(parse(&c, flag), 0);
	assert_string_equal(c.token, "tok-flag");
	free(c.argv);
	unsetenv("PANGOLIN_TOKEN");
}

static void
test_a_login_save_keeps_the_other_profiles_and_mirrors_default(void **state)
{
	const char	*w[] = { "login", "u", "--profile", "p2", "--url",
			    "http://new:2", "--token", "tok-new", NULL };
	struct cli	 c;
	struct stat	 st;
	json_t		*j, *p;
	char		 path[128];

	(void)state;
	write_file("{\"url\":\"http://old:1\",\"token\":\"tok-old\"}");
	assert_int_equal(parse(&c, w), 0);
	assert_int_equal(cli_profile_save(&c), 0);
	free(c.argv);
	assert_non_null(j = read_file());
	p = json_object_get(j, "profiles");
	assert_string_equal(json_string_value(json_object_get(
	    json_object_get(p, "default"), "token")), "tok-old");
	assert_string_equal(json_string_value(json_object_get(
	    json_object_get(p, "p2"), "token")), "tok-new");
	assert_string_equal(json_string_value(json_object_get(j, "token")),
	    "tok-old");
	json_decref(j);
	(void)snprintf(path, sizeof(path), "%s/pangolin/cli.json", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

static void
test_a_broken_file_is_never_overwritten(void **state)
{
	const char	*w[] = { "login", "u", "--profile", "p", "--token", "t",
			    NULL };
	struct cli	 c;
	char		 path[128], buf[64];
	FILE		*f;

	(void)state;
	write_file("{\"profiles\": {\"a\": ");
	assert_int_equal(parse(&c, w), 0);
	assert_int_equal(cli_profile_save(&c), -1);
	free(c.argv);
	(void)snprintf(path, sizeof(path), "%s/pangolin/cli.json", dir);
	assert_non_null(f = fopen(path, "r"));
	assert_non_null(fgets(buf, sizeof(buf), f));
	(void)fclose(f);
	assert_string_equal(buf, "{\"profiles\": {\"a\": ");
}

/* rotate and logout write back only a token that came from the profile. */
static void
test_only_the_profiles_own_token_is_written_back(void **state)
{
	const char	*plain[] = { "whoami", NULL };
	const char	*flag[] = { "whoami", "--token", "tok-flag", NULL };
	struct cli	 c;

	(void)state;
	write_file("{\"profiles\":{\"default\":{\"token\":\"tok-file\"}}}");
	assert_int_equal(parse(&c, plain), 0);
	assert_true(c.token_from_profile);
	free(c.argv);
	assert_int_equal(parse(&c, flag), 0);
	assert_false(c.token_from_profile);
	free(c.argv);
	setenv("PANGOLIN_TOKEN", "tok-env", 1);
	assert_int_equal(parse(&c, plain), 0);
	assert_false(c.token_from_profile);
	free(c.argv);
	unsetenv("PANGOLIN_TOKEN");
}

/* A rotated token replaces the profile's; a logout removes it; the url
 * and tenant stay. */
static void
test_setting_the_token_keeps_the_rest_of_the_profile(void **state)
{
	const char	*w[] = { "tokens", "rotate", "--profile", "p", NULL };
	struct cli	 c;
	json_t		*j, *p;

	(void)state;
	write_file("{\"profiles\":{\"p\":{\"url\":\"http://p:1\","
	    "\"token\":\"old\",\"tenant\":\"0a1b\"}}}");
	assert_int_equal(parse(&c, w), 0);
	(void)snprintf(c.token, sizeof(c.token), "new");
	assert_int_equal(cli_profile_set_token(&c), 0);
	assert_non_null(j = read_file());
	p = json_object_get(json_object_get(j, "profiles"), "p");
	assert_string_equal(json_string_value(json_object_get(p, "token")),
	    "new");
	assert_string_equal(json_string_value(json_object_get(p, "url")),
	    "http://p:1");
	assert_string_equal(json_string_value(json_object_get(p, "tenant")),
	    "0a1b");
	json_decref(j);
	c.token[0] = '\0';
	assert_int_equal(cli_profile_set_token(&c), 0);
	free(c.argv);
	assert_non_null(j = read_file());
	p = json_object_get(json_object_get(j, "profiles"), "p");
	assert_null(json_object_get(p, "token"));
	assert_string_equal(json_string_value(json_object_get(p, "url")),
	    "http://p:1");
	json_decref(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_words_are_strings_and_colon_equals_is_json,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_word_without_a_key_or_bad_json_is_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_values_are_escaped_and_joined,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_an_id_is_one_escaped_segment,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_flags_and_bad_output_are_usage,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_passed_flags_are_found_by_name,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_the_flat_file_of_older_releases_is_the_default_profile,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_flags_beat_the_environment_which_beats_the_profile,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_a_login_save_keeps_the_other_profiles_and_mirrors_default,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_a_broken_file_is_never_overwritten, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_only_the_profiles_own_token_is_written_back, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_setting_the_token_keeps_the_rest_of_the_profile, setup,
		    teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
