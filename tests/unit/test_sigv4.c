/* SigV4 (src/storage/sigv4.c) against AWS's published S3 example. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "storage/sigv4.h"

#define EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static const struct pgl_sigv4_key aws_example = {
	"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	"us-east-1", "s3"
};

/* "Example: GET Object" of the S3 SigV4 documentation. */
static void
test_the_aws_get_object_example(void **state)
{
	const struct pgl_sigv4_header	h[] = {
		{ "Range", "bytes=0-9" },
		{ "x-amz-content-sha256", EMPTY_SHA256 },
		{ "x-amz-date", "20130524T000000Z" },
	};
	struct pgl_sigv4_request	q = { "GET",
	    "examplebucket.s3.amazonaws.com", "/test.txt", "", h, 3,
	    EMPTY_SHA256 };
	char				out[512];

	(void)state;
	assert_int_equal(pgl_sigv4_authorization(&q, &aws_example,
	    "20130524T000000Z", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "Credential=AKIAIOSFODNN7EXAMPLE/20130524/"
	    "us-east-1/s3/aws4_request"));
	assert_non_null(strstr(out,
	    "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date"));
	assert_non_null(strstr(out, "Signature=f0e8bdb87c964420e857bd35b5d6ed"
	    "310bd44f0170aba48dd91039c6036bdb41"));
}

/* Query parameters are signed sorted and encoded whatever their order. */
static void
test_query_order_and_encoding_do_not_change_the_signature(void **state)
{
	const struct pgl_sigv4_header	h[] = {
		{ "x-amz-content-sha256", EMPTY_SHA256 },
		{ "x-amz-date", "20130524T000000Z" },
	};
	struct pgl_sigv4_request	a = { "GET", "h", "/b", "prefix=a%2Fb&"
	    "list-type=2", h, 2, EMPTY_SHA256 };
	struct pgl_sigv4_request	b = a;
	char				x[512], y[512];

	(void)state;
	b.query = "list-type=2&prefix=a/b";
	assert_int_equal(pgl_sigv4_authorization(&a, &aws_example,
	    "20130524T000000Z", x, sizeof(x)), 0);
	assert_int_equal(pgl_sigv4_authorization(&b, &aws_example,
	    "20130524T000000Z", y, sizeof(y)), 0);
	assert_string_equal(x, y);
	b.query = "list-type=3&prefix=a/b";
	assert_int_equal(pgl_sigv4_authorization(&b, &aws_example,
	    "20130524T000000Z", y, sizeof(y)), 0);
	assert_string_not_equal(x, y);
	b.query = "bad=%zz";
	assert_int_equal(pgl_sigv4_authorization(&b, &aws_example,
	    "20130524T000000Z", y, sizeof(y)), -1);
	assert_int_equal(pgl_sigv4_authorization(&a, &aws_example,
	    "2013", y, sizeof(y)), -1);
}

/* "Example: Presigned URL" of the S3 query-parameter documentation. */
static void
test_the_aws_presigned_url_example(void **state)
{
	struct pgl_sigv4_request	q = { "GET",
	    "examplebucket.s3.amazonaws.com", "/test.txt", "", NULL, 0, "" };
	char				out[1024];

	(void)state;
	assert_int_equal(pgl_sigv4_presign(&q, &aws_example,
	    "20130524T000000Z", 86400, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "X-Amz-Algorithm=AWS4-HMAC-SHA256"
	    "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1"
	    "%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z"
	    "&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
	    "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265"
	    "957d157751f604d404");
}

/* A session token is a signed parameter; expiry stays within S3's week. */
static void
test_presign_signs_the_session_token_and_bounds_the_expiry(void **state)
{
	struct pgl_sigv4_request	q = { "GET", "h", "/b/k", "", NULL, 0,
	    "" };
	char				a[2048], b[2048];

	(void)state;
	assert_int_equal(pgl_sigv4_presign(&q, &aws_example,
	    "20130524T000000Z", 60, NULL, a, sizeof(a)), 0);
	assert_int_equal(pgl_sigv4_presign(&q, &aws_example,
	    "20130524T000000Z", 60, "tok/en+=", b, sizeof(b)), 0);
	assert_non_null(strstr(b, "&X-Amz-Security-Token=tok%2Fen%2B%3D&"));
	assert_string_not_equal(strstr(a, "X-Amz-Signature="),
	    strstr(b, "X-Amz-Signature="));
	assert_int_equal(pgl_sigv4_presign(&q, &aws_example,
	    "20130524T000000Z", 0, NULL, a, sizeof(a)), -1);
	assert_int_equal(pgl_sigv4_presign(&q, &aws_example,
	    "20130524T000000Z", 604801, NULL, a, sizeof(a)), -1);
	assert_int_equal(pgl_sigv4_presign(&q, &aws_example,
	    "20130524T000000Z", 60, NULL, a, 100), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_aws_get_object_example),
		cmocka_unit_test(test_query_order_and_encoding_do_not_change_the_signature),
		cmocka_unit_test(test_the_aws_presigned_url_example),
		cmocka_unit_test(test_presign_signs_the_session_token_and_bounds_the_expiry),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
