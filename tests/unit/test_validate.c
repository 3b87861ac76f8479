/* Input validation: JSON bodies, names, locations, paging, Basic auth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "auth/password.h"
#include "auth/principal.h"
#include "util/json.h"
#include "util/location.h"
#include "util/names.h"
#include "util/paging.h"
#include "util/uuid.h"

static const struct pgl_jfield fields[] = {
	{ "name", PGL_J_STRING, 1 },
	{ "properties", PGL_J_STRMAP, 0 },
	{ "assets", PGL_J_STRLIST, 0 },
	{ "use_sts", PGL_J_BOOL, 0 },
	{ NULL, 0, 0 }
};

static int
check(const char *text, char *why)
{
	json_t	*j;
	int	 rc;

	if ((j = pgl_json_parse(text, strlen(text), why, 256)) == NULL)
		return (-2);
	rc = pgl_json_check(j, fields, why, 256);
	json_decref(j);
	return (rc);
}

static void
test_json_valid_body_passes(void **state)
{
	char	why[256];

	(void)state;
	assert_int_equal(check("{\"name\":\"a\",\"properties\":{\"k\":\"v\"},"
	    "\"assets\":[\"n.t\"],\"use_sts\":true}", why), 0);
}

static void
test_json_malformed_is_a_parse_error(void **state)
{
	char	why[256];

	(void)state;
	assert_int_equal(check("{\"name\":", why), -2);
	assert_int_equal(check("{\"name\":\"a\"} trailing", why), -2);
	assert_int_equal(check("{\"name\":\"a\",\"name\":\"b\"}", why), -2);
	assert_int_equal(check("{\"name\":\"\\u0000\"}", why), -2);
	assert_int_equal(check("{\"name\":\"\xff\xfe\"}", why), -2);
	assert_int_equal(check("", why), -2);
}

static void
test_json_unknown_field_is_named(void **state)
{
	char	why[256];

	(void)state;
	assert_int_equal(check("{\"name\":\"a\",\"nme\":1}", why), -1);
	assert_non_null(strstr(why, "unknown field `nme`"));
}

static void
test_json_wrong_types_are_named(void **state)
{
	char	why[256];

	(void)state;
	assert_int_equal(check("{\"name\":1}", why), -1);
	assert_non_null(strstr(why, "`name`"));
	assert_int_equal(check("{\"name\":\"a\",\"properties\":{\"k\":1}}",
	    why), -1);
	assert_int_equal(check("{\"name\":\"a\",\"assets\":[1]}", why), -1);
	assert_int_equal(check("[1,2]", why), -1);
}

static void
test_json_missing_or_null_required_field(void **state)
{
	char	why[256];

	(void)state;
	assert_int_equal(check("{}", why), -1);
	assert_non_null(strstr(why, "missing field `name`"));
	assert_int_equal(check("{\"name\":null}", why), -1);
	assert_int_equal(check("{\"name\":\"a\",\"properties\":null}", why),
	    0);
}

static void
test_names_accept_unicode_and_dots(void **state)
{
	(void)state;
	assert_null(pgl_name_check("sales"));
	assert_null(pgl_name_check("v1.2_final-x"));
	assert_null(pgl_name_check("caf\xc3\xa9"));
}

/* Issue 22: any character a client can percent-encode in a REST path. */
static void
test_names_accept_what_a_client_can_percent_encode(void **state)
{
	(void)state;
	assert_null(pgl_name_check("a%2F"));
	assert_null(pgl_name_check("100%"));
	assert_null(pgl_name_check("a b"));
	assert_null(pgl_name_check("a#b?c+d"));
	assert_null(pgl_name_check("it's \"quoted\""));
	assert_null(pgl_name_check("...")); /* only "." and ".." are paths */
	assert_null(pgl_name_check("\xe6\x97\xa5\xe6\x9c\xac"));
}

static void
test_names_reject_traversal_separators_and_control_bytes(void **state)
{
	char	big[300];

	(void)state;
	assert_non_null(pgl_name_check(""));
	assert_non_null(pgl_name_check("."));
	assert_non_null(pgl_name_check(".."));
	assert_non_null(pgl_name_check("a/b"));
	assert_non_null(pgl_name_check("a\\b"));
	assert_non_null(pgl_name_check("t@dev"));
	assert_non_null(pgl_name_check("a\x1f" "b"));
	assert_non_null(pgl_name_check("a\x7f"));
	assert_non_null(pgl_name_check("\xc0\xaf"));	/* overlong '/' */
	assert_non_null(pgl_name_check("\xed\xa0\x80"));	/* surrogate */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_non_null(pgl_name_check(big));
}

static void
test_locations_reject_dot_segments_not_substrings(void **state)
{
	(void)state;
	assert_null(pgl_location_check("/data/wh/a..b"));
	assert_null(pgl_location_check("s3://bucket/wh"));
	assert_null(pgl_location_check("file:///data/wh"));
	assert_non_null(pgl_location_check("/data/wh/../etc"));
	assert_non_null(pgl_location_check("/data/./wh"));
	assert_non_null(pgl_location_check("relative/path"));
	assert_non_null(pgl_location_check("file://relative"));
	assert_non_null(pgl_location_check("file://host/data/wh"));
	assert_null(pgl_location_check("file:/data/wh"));	/* Hadoop's */
	assert_non_null(pgl_location_check("file:/data/../etc"));
	assert_non_null(pgl_location_check("http://x/y"));
	assert_non_null(pgl_location_check("/"));
	assert_non_null(pgl_location_check("/a\nb"));
}

static void
test_location_within_is_segment_wise(void **state)
{
	(void)state;
	assert_true(pgl_location_within("/data/wh/c1", "/data/wh"));
	assert_true(pgl_location_within("/data/wh", "/data/wh/"));
	assert_false(pgl_location_within("/data/wh2/c1", "/data/wh"));
	assert_false(pgl_location_within("/data", "/data/wh"));
}

static void
test_location_spellings_of_one_local_file_compare_equal(void **state)
{
	(void)state;
	assert_true(pgl_location_within("file:///data/wh/c1", "/data/wh"));
	assert_true(pgl_location_within("/data/wh/c1", "file:///data/wh/"));
	assert_true(pgl_location_within("file:/data/wh/c1", "file:///data/wh"));
	assert_false(pgl_location_within("file://data/wh/c1", "/data/wh"));
	assert_false(pgl_location_within("s3://b/data/wh", "/data/wh"));
	assert_true(pgl_location_same("/data/wh", "file:///data/wh"));
	assert_true(pgl_location_same("file:/data/wh", "file:///data/wh"));
	assert_false(pgl_location_same("/data/wh", "file:///data/wh2"));
	assert_false(pgl_location_same("s3://b/wh", "/b/wh"));
	assert_string_equal(pgl_location_path("file:///data/wh"), "/data/wh");
	assert_string_equal(pgl_location_path("file:/data/wh"), "/data/wh");
	assert_string_equal(pgl_location_path("/data/wh"), "/data/wh");
	assert_true(pgl_location_is_local("file:/data"));
	assert_false(pgl_location_is_local("s3://b/data"));
}

/*
 * One key per place (issue 67): a key is a prefix of another's exactly
 * when its place holds the other's, so "t1" is no prefix of "t10".
 */
static void
test_location_keys_are_one_per_place_and_end_in_one_slash(void **state)
{
	char	k[PGL_LOCATION_KEY_MAX];

	(void)state;
	assert_int_equal(pgl_location_key("/data/wh/t1", k, sizeof(k)), 19);
	assert_string_equal(k, "file:///data/wh/t1/");
	(void)pgl_location_key("file:/data/wh/t1//", k, sizeof(k));
	assert_string_equal(k, "file:///data/wh/t1/");
	(void)pgl_location_key("file:///data/wh/t1", k, sizeof(k));
	assert_string_equal(k, "file:///data/wh/t1/");
	(void)pgl_location_key("s3a://b/wh/t1", k, sizeof(k));
	assert_string_equal(k, "s3://b/wh/t1/");
	(void)pgl_location_key("s3://b/wh/t10/", k, sizeof(k));
	assert_string_equal(k, "s3://b/wh/t10/");
	(void)pgl_location_key("wasbs://c@Acct.blob.core.windows.net/wh/T",
	    k, sizeof(k));
	assert_string_equal(k, "abfss://c@acct.dfs.core.windows.net/wh/T/");
	(void)pgl_location_key("gs://b/x", k, sizeof(k));
	assert_string_equal(k, "gs://b/x/");
	assert_int_equal(pgl_location_key("s3://b/wh/t1", k, 12), -1);
}

static void
test_location_azure_spellings_of_one_blob_compare_equal(void **state)
{
	char	buf[512];

	(void)state;
	assert_string_equal(pgl_location_canon("wasbs://c@Acct.blob.core."
	    "windows.net/a/B", buf, sizeof(buf)),
	    "abfss://c@acct.dfs.core.windows.net/a/B");
	assert_string_equal(pgl_location_canon("abfs://c@acct.dfs.core."
	    "chinacloudapi.cn/x", buf, sizeof(buf)),
	    "abfss://c@acct.dfs.core.chinacloudapi.cn/x");
	assert_string_equal(pgl_location_canon("wasb://c@acct.blob.core."
	    "windows.net", buf, sizeof(buf)),
	    "abfss://c@acct.dfs.core.windows.net");
	/* Not Azure, or not fitting: itself. */
	assert_string_equal(pgl_location_canon("s3://b/k", buf, sizeof(buf)),
	    "s3://b/k");
	assert_string_equal(pgl_location_canon("wasbs://c@a.blob.x/k", buf,
	    8), "wasbs://c@a.blob.x/k");
	assert_true(pgl_location_within("wasbs://c@acct.blob.core.windows.net/"
	    "wh/t1", "abfss://c@acct.dfs.core.windows.net/wh"));
	assert_true(pgl_location_within("abfss://c@acct.dfs.core.windows.net/"
	    "wh/t1", "wasbs://c@ACCT.blob.core.windows.net/wh/"));
	assert_false(pgl_location_within("wasbs://c@acct.blob.core.windows.net/"
	    "wh2/t1", "abfss://c@acct.dfs.core.windows.net/wh"));
	assert_false(pgl_location_within("abfss://d@acct.dfs.core.windows.net/"
	    "wh/t1", "abfss://c@acct.dfs.core.windows.net/wh"));
	assert_false(pgl_location_within("abfss://c@other.dfs.core.windows.net/"
	    "wh", "abfss://c@acct.dfs.core.windows.net/wh"));
	/* Paths are case-sensitive, hosts are not. */
	assert_false(pgl_location_within("abfss://c@acct.dfs.core.windows.net/"
	    "WH/t", "abfss://c@acct.dfs.core.windows.net/wh"));
	assert_true(pgl_location_same("abfs://c@acct.dfs.core.windows.net/w",
	    "wasbs://c@acct.blob.core.windows.net/w"));
	assert_null(pgl_location_check("wasbs://c@a.blob.core.windows.net/w"));
	assert_non_null(pgl_location_check("abfss://c@a.dfs.core.windows.net/"
	    "w/../x"));
}

static void
test_location_to_uri_spells_local_paths_as_file_uris(void **state)
{
	char	*s;

	(void)state;
	s = pgl_location_to_uri("/data/wh");
	assert_string_equal(s, "file:///data/wh");
	free(s);
	s = pgl_location_to_uri("file:/data/wh");
	assert_string_equal(s, "file:///data/wh");
	free(s);
	s = pgl_location_to_uri("file:///data/a b%20");	/* kept raw */
	assert_string_equal(s, "file:///data/a b%20");
	free(s);
	s = pgl_location_to_uri("s3://b/wh");
	assert_string_equal(s, "s3://b/wh");
	free(s);
}

static void
test_location_escape_makes_one_valid_uri_segment(void **state)
{
	char	buf[64];

	(void)state;
	assert_int_equal(pgl_location_escape("sales_2024-v1.x", buf,
	    sizeof(buf)), 15);
	assert_string_equal(buf, "sales_2024-v1.x");
	pgl_location_escape("a b%#?", buf, sizeof(buf));
	assert_string_equal(buf, "a%20b%25%23%3F");
	pgl_location_escape("caf\xc3\xa9", buf, sizeof(buf));
	assert_string_equal(buf, "caf%C3%A9");
	/* '%' itself is escaped: "a%20b" and "a b" get two directories. */
	pgl_location_escape("a%20b", buf, sizeof(buf));
	assert_string_equal(buf, "a%2520b");
	/* Too small: cut before the escape that does not fit, NUL-ended. */
	assert_int_equal(pgl_location_escape("ab#", buf, 4), 5);
	assert_string_equal(buf, "ab");
}

static void
test_paging_defaults_and_clamps(void **state)
{
	struct pgl_page	pg;

	(void)state;
	assert_null(pgl_paging_parse(NULL, NULL, NULL, NULL, &pg));
	assert_int_equal(pg.limit, 100);
	assert_int_equal(pg.offset, 0);
	assert_null(pgl_paging_parse("5000", "7", NULL, NULL, &pg));
	assert_int_equal(pg.limit, 1000);
	assert_int_equal(pg.offset, 7);
	assert_null(pgl_paging_parse(NULL, NULL, "3", "20", &pg));
	assert_int_equal(pg.limit, 20);
	assert_int_equal(pg.offset, 40);
	assert_null(pgl_paging_parse("0", NULL, NULL, NULL, &pg));
	assert_int_equal(pg.limit, 100);
}

static void
test_paging_rejects_garbage(void **state)
{
	struct pgl_page	pg;

	(void)state;
	assert_non_null(pgl_paging_parse("-1", NULL, NULL, NULL, &pg));
	assert_non_null(pgl_paging_parse("ten", NULL, NULL, NULL, &pg));
	assert_non_null(pgl_paging_parse("1 ", NULL, NULL, NULL, &pg));
	assert_non_null(pgl_paging_parse(NULL, "+3", NULL, NULL, &pg));
	assert_non_null(pgl_paging_parse(NULL, NULL, "0", NULL, &pg));
	assert_non_null(pgl_paging_parse("1", NULL, "1", NULL, &pg));
	assert_non_null(pgl_paging_parse("99999999999999999999999", NULL,
	    NULL, NULL, &pg));
}

static void
test_base64_strict(void **state)
{
	char	out[64];

	(void)state;
	assert_int_equal(pgl_base64_decode("dGVzdDp0ZXN0aW5n", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "test:testing");
	assert_int_equal(pgl_base64_decode("YQ==", out, sizeof(out)), 0);
	assert_string_equal(out, "a");
	assert_int_equal(pgl_base64_decode("YQ=", out, sizeof(out)), -1);
	assert_int_equal(pgl_base64_decode("Y*==", out, sizeof(out)), -1);
	assert_int_equal(pgl_base64_decode("YQ==YQ==", out, sizeof(out)), -1);
	assert_int_equal(pgl_base64_decode("AA==", out, sizeof(out)), -1);
	assert_int_equal(pgl_base64_decode("dGVzdDp0ZXN0aW5n", out, 4), -1);
}

static void
test_weak_secrets_are_refused(void **state)
{
	(void)state;
	assert_true(pgl_password_is_weak("short"));
	assert_true(pgl_password_is_weak("password123"));
	assert_true(pgl_password_is_weak("CHANGE-ME-PLEASE"));
	assert_false(pgl_password_is_weak("correct horse battery"));
	assert_true(pgl_secret_equal("abc", "abc"));
	assert_false(pgl_secret_equal("abc", "abd"));
	assert_false(pgl_secret_equal("ab", "abc"));
	assert_false(pgl_secret_equal("abcd", "abc"));
}

static void
test_uuid_shape(void **state)
{
	char	id[PGL_UUID_LEN + 1];

	(void)state;
	pgl_uuid_new(id);
	assert_true(pgl_uuid_valid(id));
	assert_true(pgl_uuid_valid(PGL_NIL_UUID));
	assert_false(pgl_uuid_valid("00000000-0000-0000-0000-00000000000"));
	assert_false(pgl_uuid_valid("00000000x0000-0000-0000-000000000000"));
}

/*
 * Ordered ids sort, as text, in the order they were made: within one
 * millisecond, past the counter's 4,096 a millisecond, and when the
 * clock steps back; each is a version-7, variant-10 UUID.
 */
static void
test_ordered_uuids_sort_in_the_order_made(void **state)
{
	char	prev[PGL_UUID_LEN + 1], id[PGL_UUID_LEN + 1];
	int64_t	ms[] = { 1700000000000, 1700000000000, 1700000000001,
		    1699999999000 };
	int	i, j;

	(void)state;
	pgl_uuid_new_ordered(prev, 1690000000000);
	for (i = 0; i < 4; i++) {
		for (j = 0; j < 5000; j++) {
			pgl_uuid_new_ordered(id, ms[i]);
			assert_true(pgl_uuid_valid(id));
			assert_int_equal(id[14], '7');
			assert_true(strchr("89ab", id[19]) != NULL);
			assert_true(strcmp(prev, id) < 0);
			memcpy(prev, id, sizeof(id));
		}
	}
	/* The time is the first 48 bits: 1800000000000 is 0x01a3185c5000. */
	pgl_uuid_new_ordered(id, 1800000000000);
	assert_memory_equal(id, "01a3185c-5000-7", 15);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_valid_body_passes),
		cmocka_unit_test(test_json_malformed_is_a_parse_error),
		cmocka_unit_test(test_json_unknown_field_is_named),
		cmocka_unit_test(test_json_wrong_types_are_named),
		cmocka_unit_test(test_json_missing_or_null_required_field),
		cmocka_unit_test(test_names_accept_unicode_and_dots),
		cmocka_unit_test(test_names_reject_traversal_separators_and_control_bytes),
		cmocka_unit_test(test_locations_reject_dot_segments_not_substrings),
		cmocka_unit_test(test_location_within_is_segment_wise),
		cmocka_unit_test(test_names_accept_what_a_client_can_percent_encode),
		cmocka_unit_test(test_location_spellings_of_one_local_file_compare_equal),
		cmocka_unit_test(test_location_to_uri_spells_local_paths_as_file_uris),
		cmocka_unit_test(test_location_escape_makes_one_valid_uri_segment),
		cmocka_unit_test(test_paging_defaults_and_clamps),
		cmocka_unit_test(test_location_azure_spellings_of_one_blob_compare_equal),
		cmocka_unit_test(test_location_keys_are_one_per_place_and_end_in_one_slash),
		cmocka_unit_test(test_paging_rejects_garbage),
		cmocka_unit_test(test_base64_strict),
		cmocka_unit_test(test_weak_secrets_are_refused),
		cmocka_unit_test(test_uuid_shape),
		cmocka_unit_test(test_ordered_uuids_sort_in_the_order_made),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
