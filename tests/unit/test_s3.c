/*
 * The S3 client (src/storage/s3.c) against a real server that checks
 * SigV4 signatures: OpenStack Swift with s3api, started by run-unit.sh
 * (tests/servers/swift.sh), at PGL_S3_URL.  Without it every case is
 * skipped and says so.
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

#include "storage/fileio.h"
#include "storage/s3.h"

static struct pgl_s3	s3;
static char		*allowed[2] = { NULL, "http://127.0.0.1:9" };
static char		bucket[64];

static int
setup(void **state)
{
	(void)state;
	(void)snprintf(bucket, sizeof(bucket), "pgl-test-%d", (int)getpid());
	s3 = (struct pgl_s3){ getenv("PGL_S3_URL"), "us-east-1", bucket,
	    "test:tester", "testing", NULL, 1, "wh-test", 0 };
	/* Swift and the dead port are on loopback: allowed, as an operator
	 * would ([storage] allowed_endpoints). */
	allowed[0] = getenv("PGL_S3_URL") != NULL ? getenv("PGL_S3_URL") :
	    "http://127.0.0.1:9";
	pgl_s3_allow_endpoints(allowed, 2);
	return (0);
}

static int
teardown(void **state)
{
	(void)state;
	pgl_s3_shutdown();
	return (0);
}

#define NEEDS_S3() do {							\
	if (s3.endpoint == NULL) {					\
		fprintf(stderr, "PGL_S3_URL is not set\n");		\
		skip();							\
	}								\
} while (0)

static void
ok(int rc, const struct pgl_err *err)
{
	if (rc != PGL_OK)
		fail_msg("%d: %s", rc, err->msg);
}

static void
test_put_get_head_delete(void **state)
{
	struct pgl_file_info	fi;
	struct pgl_err		err;
	const char		*key = "cat/ns/t/metadata/00000-a b+c.metadata.json";
	const char		*body = "{\"format-version\":2}";
	char			*data;
	size_t			 len;

	(void)state;
	NEEDS_S3();
	ok(pgl_s3_create_bucket(&s3, &err), &err);
	ok(pgl_s3_create_bucket(&s3, &err), &err);	/* again: fine */
	ok(pgl_s3_put(&s3, key, body, strlen(body), &err), &err);
	ok(pgl_s3_get(&s3, key, 1 << 20, &data, &len, &err), &err);
	assert_int_equal(len, strlen(body));
	assert_memory_equal(data, body, len);
	free(data);
	ok(pgl_s3_head(&s3, key, &fi, &err), &err);
	assert_int_equal(fi.size, strlen(body));
	assert_true(fi.mtime_ms > 0);
	/* Larger than max: refused, not truncated. */
	assert_int_equal(pgl_s3_get(&s3, key, 4, &data, &len, &err),
	    PGL_EINVAL);
	ok(pgl_s3_delete(&s3, key, &err), &err);
	assert_int_equal(pgl_s3_get(&s3, key, 1 << 20, &data, &len, &err),
	    PGL_ENOTFOUND);
	assert_int_equal(pgl_s3_head(&s3, key, &fi, &err), PGL_ENOTFOUND);
	ok(pgl_s3_delete(&s3, key, &err), &err);	/* gone: fine */
}

struct seen {
	int	n;
	char	last[256];
	int	ordered;
};

static int
count(void *arg, const char *key, uint64_t size, int64_t mtime_ms)
{
	struct seen	*s = arg;

	/* Written in this test run: a LastModified of today, not 0. */
	assert_true(mtime_ms > 1700000000000LL);
	if (s->n > 0 && strcmp(s->last, key) >= 0)
		s->ordered = 0;
	(void)snprintf(s->last, sizeof(s->last), "%s", key);
	s->n++;
	assert_int_equal(size, 1);
	return (0);
}

static void
test_list_follows_continuation_tokens(void **state)
{
	struct pgl_err	err;
	struct seen	seen = { 0, "", 1 };
	char		key[128];
	int		i;

	(void)state;
	NEEDS_S3();
	ok(pgl_s3_create_bucket(&s3, &err), &err);
	for (i = 0; i < 7; i++) {
		(void)snprintf(key, sizeof(key), "list/a b/%02d.json", i);
		ok(pgl_s3_put(&s3, key, "x", 1, &err), &err);
	}
	ok(pgl_s3_put(&s3, "lists/other.json", "x", 1, &err), &err);
	s3.max_keys = 2;	/* four pages */
	ok(pgl_s3_list(&s3, "list/a b/", count, &seen, &err), &err);
	s3.max_keys = 0;
	assert_int_equal(seen.n, 7);
	assert_true(seen.ordered);
	assert_string_equal(seen.last, "list/a b/06.json");
}

static void
test_multi_object_delete(void **state)
{
	const char	*k[] = { "md/a.json", "md/b & c.json", "md/d<e>.json",
			    "md/never-written.json" };
	struct pgl_err	 err;
	struct seen	 seen = { 0, "", 1 };
	size_t		 i;

	(void)state;
	NEEDS_S3();
	ok(pgl_s3_create_bucket(&s3, &err), &err);
	for (i = 0; i < 3; i++)
		ok(pgl_s3_put(&s3, k[i], "x", 1, &err), &err);
	ok(pgl_s3_delete_keys(&s3, k, 4, &err), &err);
	ok(pgl_s3_list(&s3, "md/", count, &seen, &err), &err);
	assert_int_equal(seen.n, 0);
}

static void
test_a_wrong_secret_is_a_clear_error_naming_the_warehouse(void **state)
{
	struct pgl_s3	bad = s3;
	struct pgl_err	err;
	char		*data;
	size_t		 len;

	(void)state;
	NEEDS_S3();
	bad.secret_key = "not-the-secret";
	assert_int_equal(pgl_s3_put(&bad, "x.json", "{}", 2, &err),
	    PGL_EUNAVAIL);
	assert_non_null(strstr(err.msg, "warehouse 'wh-test'"));
	assert_non_null(strstr(err.msg, "SignatureDoesNotMatch"));
	bad = s3;
	bad.bucket = "pgl-no-such-bucket";
	assert_int_equal(pgl_s3_get(&bad, "x.json", 100, &data, &len, &err),
	    PGL_EUNAVAIL);
	assert_non_null(strstr(err.msg, "NoSuchBucket"));
	bad = s3;
	bad.endpoint = "http://127.0.0.1:9";	/* nothing listens */
	assert_int_equal(pgl_s3_put(&bad, "x.json", "{}", 2, &err),
	    PGL_EUNAVAIL);
	assert_non_null(strstr(err.msg, "did not answer"));
}

static void
test_requests_reuse_one_connection(void **state)
{
	struct pgl_s3_stats	before, after;
	struct pgl_err		err;
	int			i;

	(void)state;
	NEEDS_S3();
	ok(pgl_s3_create_bucket(&s3, &err), &err);
	pgl_s3_stats(&before);
	for (i = 0; i < 20; i++)
		ok(pgl_s3_put(&s3, "reuse.json", "{}", 2, &err), &err);
	pgl_s3_stats(&after);
	assert_int_equal(after.requests - before.requests, 20);
	assert_true(after.connections - before.connections <= 1);
	/* OBJECT_STORE_CACHE_ENABLED=false: each request closes its
	 * connection, so every one after the first opens a new one. */
	pgl_s3_keep_clients(0);
	for (i = 0; i < 5; i++)
		ok(pgl_s3_put(&s3, "reuse.json", "{}", 2, &err), &err);
	pgl_s3_keep_clients(1);
	pgl_s3_stats(&before);
	assert_true(before.connections - after.connections >= 4);
}

static void
test_locations_split_into_bucket_and_key(void **state)
{
	char		b[64];
	const char	*k;

	(void)state;
	assert_int_equal(pgl_s3_split("s3://lake/a/b.json", b, sizeof(b), &k),
	    0);
	assert_string_equal(b, "lake");
	assert_string_equal(k, "a/b.json");
	assert_int_equal(pgl_s3_split("s3a://lake", b, sizeof(b), &k), 0);
	assert_string_equal(k, "");
	assert_int_equal(pgl_s3_split("s3:///a", b, sizeof(b), &k), -1);
	assert_int_equal(pgl_s3_split("gs://lake/a", b, sizeof(b), &k), -1);
	assert_int_equal(pgl_s3_split("s3://lake/a", b, 3, &k), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_locations_split_into_bucket_and_key),
		cmocka_unit_test(test_put_get_head_delete),
		cmocka_unit_test(test_list_follows_continuation_tokens),
		cmocka_unit_test(test_multi_object_delete),
		cmocka_unit_test(test_a_wrong_secret_is_a_clear_error_naming_the_warehouse),
		cmocka_unit_test(test_requests_reuse_one_connection),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
