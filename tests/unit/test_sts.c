/*
 * STS vending's pure parts (src/storage/sts.c, sts_cache.c, s3xml.c): the
 * session policy a table's credentials carry, the role ARN's partition,
 * AssumeRole's answer, and the credential cache's reuse and refresh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "storage/s3xml.h"
#include "storage/sts.h"
#include "storage/sts_cache.h"

static json_t *
policy(const char *partition, const char *prefix, int write)
{
	char	out[4096];
	size_t	need;
	int	n;

	n = pgl_sts_policy(partition, "lake", prefix, write, out, sizeof(out),
	    &need);
	assert_true(n > 0);
	assert_int_equal((size_t)n, need);
	/* Compact: STS implementations refuse whitespace between tokens. */
	assert_null(strpbrk(out, " \n\t"));
	return (json_loads(out, 0, NULL));
}

static const char *
at(json_t *p, int stmt, const char *key, int i)
{
	json_t	*s = json_array_get(json_object_get(p, "Statement"),
		    (size_t)stmt);

	return (json_string_value(json_array_get(json_object_get(s, key),
	    (size_t)i)));
}

static void
test_policy_read_only(void **state)
{
	json_t	*p = policy("aws", "wh/db/t1", 0), *acts;
	size_t	 i;

	(void)state;
	assert_string_equal(json_string_value(json_object_get(p, "Version")),
	    "2012-10-17");
	assert_string_equal(at(p, 0, "Resource", 0),
	    "arn:aws:s3:::lake/wh/db/t1/*");
	acts = json_object_get(json_array_get(json_object_get(p, "Statement"),
	    0), "Action");
	for (i = 0; i < json_array_size(acts); i++)
		assert_null(strstr(json_string_value(json_array_get(acts, i)),
		    "Put"));
	assert_string_equal(at(p, 1, "Action", 0), "s3:ListBucket");
	assert_string_equal(at(p, 1, "Resource", 0), "arn:aws:s3:::lake");
	/* Listing only under the table: never "wh/db/t1" bare, which would
	 * list a sibling "wh/db/t10". */
	assert_string_equal(json_string_value(json_array_get(json_object_get(
	    json_object_get(json_object_get(json_array_get(json_object_get(p,
	    "Statement"), 1), "Condition"), "StringLike"), "s3:prefix"), 0)),
	    "wh/db/t1/*");
	json_decref(p);
}

static void
test_policy_write_and_partition(void **state)
{
	json_t	*p = policy("aws-cn", "t", 1);
	char	*text = json_dumps(p, JSON_COMPACT);

	(void)state;
	assert_non_null(strstr(text, "\"s3:PutObject\""));
	assert_non_null(strstr(text, "\"s3:DeleteObject\""));
	assert_string_equal(at(p, 0, "Resource", 0),
	    "arn:aws-cn:s3:::lake/t/*");
	free(text);
	json_decref(p);
}

static void
test_policy_escapes_wildcards(void **state)
{
	json_t	*p = policy("aws", "wh/st*r?$x", 0);

	(void)state;
	assert_string_equal(at(p, 0, "Resource", 0),
	    "arn:aws:s3:::lake/wh/st${*}r${?}${$}x/*");
	json_decref(p);
	/* JSON's own escapes too: a quote cannot end the string. */
	p = policy("aws", "wh/a\"b", 0);
	assert_string_equal(at(p, 0, "Resource", 0),
	    "arn:aws:s3:::lake/wh/a\"b/*");
	json_decref(p);
}

static void
test_policy_too_large(void **state)
{
	char	prefix[800], out[2049];
	size_t	need = 0;

	(void)state;
	memset(prefix, 'x', sizeof(prefix) - 1);
	prefix[sizeof(prefix) - 1] = '\0';
	assert_int_equal(pgl_sts_policy("aws", "lake", prefix, 1, out, 1536,
	    &need), -1);
	assert_true(need > 1536);
	assert_true(pgl_sts_policy("aws", "lake", prefix, 1, out, sizeof(out),
	    &need) > 0);
	assert_true(need < sizeof(out));
}

static void
test_role_partition(void **state)
{
	char	p[40];

	(void)state;
	assert_int_equal(pgl_sts_role_partition(
	    "arn:aws:iam::123456789012:role/lake", p, sizeof(p)), 0);
	assert_string_equal(p, "aws");
	/* Ceph RGW: no account. */
	assert_int_equal(pgl_sts_role_partition("arn:aws:iam:::role/S3Access",
	    p, sizeof(p)), 0);
	assert_int_equal(pgl_sts_role_partition(
	    "arn:aws-us-gov:iam::1:role/path/name", p, sizeof(p)), 0);
	assert_string_equal(p, "aws-us-gov");
	assert_int_equal(pgl_sts_role_partition("arn:x", p, sizeof(p)), -1);
	assert_int_equal(pgl_sts_role_partition("arn:aws:s3:::lake", p,
	    sizeof(p)), -1);
	assert_int_equal(pgl_sts_role_partition("arn:aws:iam::1:user/u", p,
	    sizeof(p)), -1);
	assert_int_equal(pgl_sts_role_partition("arn:AWS:iam::1:role/r", p,
	    sizeof(p)), -1);
	assert_int_equal(pgl_sts_role_partition("arn:aws:iam::1:role/", p,
	    sizeof(p)), -1);
	assert_int_equal(pgl_sts_role_partition("arn:aws:iam::1:role/a b", p,
	    sizeof(p)), -1);
	assert_int_equal(pgl_sts_role_partition("arn:aws:iam::x1:role/r", p,
	    sizeof(p)), -1);
}

static const char answer[] =
    "<AssumeRoleResponse><AssumeRoleResult><Credentials>"
    "<AccessKeyId>AK1</AccessKeyId>"
    "<Expiration>2026-11-25T18:02:55.428514457Z</Expiration>"
    "<SecretAccessKey>S&amp;K</SecretAccessKey>"
    "<SessionToken>tok+en/=</SessionToken></Credentials>"
    "</AssumeRoleResult></AssumeRoleResponse>";

static void
test_parse(void **state)
{
	struct pgl_sts_creds	c;

	(void)state;
	assert_int_equal(pgl_sts_parse(answer, &c), 0);
	assert_string_equal(c.access_key, "AK1");
	assert_string_equal(c.secret_key, "S&K");
	assert_string_equal(c.token, "tok+en/=");
	/* The fraction's first three digits are its milliseconds. */
	assert_int_equal(c.expires_ms % 1000, 428);
	assert_int_equal(c.expires_ms / 1000, 1795629775LL);
	assert_int_equal(pgl_sts_parse("<Error><Code>NoSuchEntity</Code>"
	    "</Error>", &c), -1);
	assert_int_equal(pgl_sts_parse("<Credentials><AccessKeyId>a"
	    "</AccessKeyId></Credentials>", &c), -1);
	assert_string_equal(c.access_key, "");
}

static void
test_iso8601(void **state)
{
	(void)state;
	assert_int_equal(pgl_iso8601_ms("1970-01-01T00:00:01Z"), 1000);
	assert_int_equal(pgl_iso8601_ms("1970-01-01T00:00:01.5Z"), 1500);
	assert_int_equal(pgl_iso8601_ms("1970-01-01T00:00:01.123999Z"), 1123);
	assert_int_equal(pgl_iso8601_ms("yesterday"), 0);
}

static struct pgl_sts_creds
creds(const char *ak, int64_t expires_ms)
{
	struct pgl_sts_creds	c;

	memset(&c, 0, sizeof(c));
	(void)snprintf(c.access_key, sizeof(c.access_key), "%s", ak);
	c.expires_ms = expires_ms;
	return (c);
}

static void
test_cache_reuse_and_refresh(void **state)
{
	struct pgl_sts_creds	c = creds("A", 3600 * 1000), out;
	struct pgl_cache_stats	s;
	int64_t			refresh;

	(void)state;
	pgl_sts_cache_init(4);
	/* At most 300 s before expiry, or half the life of short ones. */
	refresh = pgl_sts_cache_refresh_at(&c, 3600);
	assert_int_equal(refresh, 3300 * 1000);
	assert_int_equal(pgl_sts_cache_refresh_at(&c, 10), 3595 * 1000);
	assert_int_equal(pgl_sts_cache_get("k", 0, &out), -1);
	pgl_sts_cache_put("k", &c, refresh, 0);
	assert_int_equal(pgl_sts_cache_get("k", 1000, &out), 0);
	assert_string_equal(out.access_key, "A");
	assert_int_equal(pgl_sts_cache_get("other", 1000, &out), -1);
	/* Past its refresh time it is a miss, and gone. */
	assert_int_equal(pgl_sts_cache_get("k", refresh, &out), -1);
	pgl_sts_cache_stats(&s);
	assert_int_equal(s.hits, 1);
	assert_int_equal(s.misses, 3);
	assert_int_equal(s.expirations, 1);
	assert_int_equal(s.entries, 0);
}

static void
test_cache_evicts_least_recent(void **state)
{
	struct pgl_sts_creds	c = creds("A", 1000000), out;
	struct pgl_cache_stats	s;

	(void)state;
	pgl_sts_cache_init(2);
	pgl_sts_cache_put("a", &c, 900000, 1);
	pgl_sts_cache_put("b", &c, 900000, 2);
	assert_int_equal(pgl_sts_cache_get("a", 3, &out), 0);
	pgl_sts_cache_put("c", &c, 900000, 4);
	assert_int_equal(pgl_sts_cache_get("b", 5, &out), -1);
	assert_int_equal(pgl_sts_cache_get("a", 5, &out), 0);
	assert_int_equal(pgl_sts_cache_get("c", 5, &out), 0);
	pgl_sts_cache_stats(&s);
	assert_int_equal(s.evictions, 1);
	assert_int_equal(s.entries, 2);
	/* 0 entries keeps nothing. */
	pgl_sts_cache_init(0);
	pgl_sts_cache_put("a", &c, 900000, 1);
	assert_int_equal(pgl_sts_cache_get("a", 2, &out), -1);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_policy_read_only),
		cmocka_unit_test(test_policy_write_and_partition),
		cmocka_unit_test(test_policy_escapes_wildcards),
		cmocka_unit_test(test_policy_too_large),
		cmocka_unit_test(test_role_partition),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_iso8601),
		cmocka_unit_test(test_cache_reuse_and_refresh),
		cmocka_unit_test(test_cache_evicts_least_recent),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
