/* gzip replies: parts compressed apart inflate back to the plain reply. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http/gzip.h"
#include "storage/codec.h"

/* Some metadata-like JSON, long enough to span several deflate blocks. */
static char *
sample(size_t n)
{
	char	*s = malloc(n + 1);
	size_t	 at = 0;
	int	 i = 0;

	assert_non_null(s);
	while (at < n) {
		at += (size_t)snprintf(s + at, n + 1 - at,
		    "{\"snapshot-id\":%d,\"timestamp-ms\":%d,\"manifest-list\":"
		    "\"s3://b/t/metadata/snap-%d.avro\"},", i * 7919,
		    i * 104729, i);
		i++;
	}
	s[n] = '\0';
	return (s);
}

/* Inflate a gzip body and compare it with prefix + mid + suffix. */
static void
assert_inflates_to(const unsigned char *gz, size_t gzlen, const char *a,
    const char *b, const char *c)
{
	char	*plain;
	size_t	 plen, la = strlen(a), lb = strlen(b), lc = strlen(c);

	assert_int_equal(pgl_gunzip(gz, gzlen, 1 << 24, &plain, &plen), 0);
	assert_int_equal(plen, la + lb + lc);
	assert_memory_equal(plain, a, la);
	assert_memory_equal(plain + la, b, lb);
	assert_memory_equal(plain + la + lb, c, lc);
	free(plain);
}

static void
assemble_check(const char *prefix, const char *mid, const char *suffix)
{
	struct pgl_gz_seg	 seg;
	unsigned char		*out;
	char			*blob;
	size_t			 bloblen, cap, n;

	assert_int_equal(pgl_gz_seg_make(mid, strlen(mid), &blob, &bloblen), 0);
	assert_int_equal(pgl_gz_seg_parse(blob, bloblen, &seg), 0);
	assert_int_equal(seg.len, strlen(mid));
	cap = pgl_gz_bound(strlen(prefix), &seg, strlen(suffix));
	out = malloc(cap);
	assert_non_null(out);
	n = pgl_gz_assemble(prefix, strlen(prefix), &seg, suffix,
	    strlen(suffix), out, cap);
	assert_true(n > 0);
	assert_inflates_to(out, n, prefix, mid, suffix);
	free(out);
	free(blob);
}

static void
test_prefix_segment_suffix_inflate_to_the_plain_reply(void **state)
{
	char	*md = sample(40000);

	(void)state;
	assemble_check("{\"metadata-location\":\"s3://b/t/m.json\","
	    "\"metadata\":", md, ",\"config\":{}}");
	free(md);
}

static void
test_segment_is_reused_for_another_reply(void **state)
{
	struct pgl_gz_seg	 seg;
	unsigned char		 out[8192];
	char			*blob, *md = sample(3000);
	size_t			 bloblen, n;

	(void)state;
	assert_int_equal(pgl_gz_seg_make(md, strlen(md), &blob, &bloblen), 0);
	assert_int_equal(pgl_gz_seg_parse(blob, bloblen, &seg), 0);
	n = pgl_gz_assemble("A", 1, &seg, "Z", 1, out, sizeof(out));
	assert_inflates_to(out, n, "A", md, "Z");
	n = pgl_gz_assemble("{\"x\":", 5, &seg, ",\"vended\":1}", 12, out,
	    sizeof(out));
	assert_inflates_to(out, n, "{\"x\":", md, ",\"vended\":1}");
	free(blob);
	free(md);
}

static void
test_empty_parts_still_make_a_valid_member(void **state)
{
	char	*md = sample(2000);

	(void)state;
	assemble_check("", md, "");
	assemble_check("prefix", "", "suffix");
	assemble_check("", "", "");
	free(md);
}

/*
 * Parts up to 1 KiB go as stored blocks, larger ones are deflated: every
 * mix of the two around a segment is one valid member.
 */
static void
test_stored_and_deflated_parts_mix(void **state)
{
	char	*big = sample(3000), *mid = sample(5000);

	(void)state;
	assemble_check(big, mid, "}");
	assemble_check("{\"a\":", mid, big);
	assemble_check(big, mid, big);
	free(big);
	free(mid);
}

static void
test_whole_body_without_segment(void **state)
{
	unsigned char	*out;
	char		*body = sample(10000);
	size_t		 cap, n;

	(void)state;
	cap = pgl_gz_bound(strlen(body), NULL, 0);
	out = malloc(cap);
	assert_non_null(out);
	n = pgl_gz_assemble(body, strlen(body), NULL, "", 0, out, cap);
	assert_true(n > 0 && n < strlen(body) / 2);
	assert_inflates_to(out, n, body, "", "");
	free(out);
	free(body);
}

static void
test_too_small_buffer_fails_cleanly(void **state)
{
	unsigned char	out[64];
	char		*body = sample(5000);

	(void)state;
	assert_int_equal(pgl_gz_assemble(body, strlen(body), NULL, "", 0, out,
	    sizeof(out)), 0);
	free(body);
}

/*
 * The pieces form: head, the segment's bytes where they are kept, tail,
 * sent back to back, are the same member pgl_gz_assemble writes.
 */
static void
frame_check(const char *prefix, const char *mid, const char *suffix)
{
	struct pgl_gz_frame	 f;
	struct pgl_gz_seg	 seg;
	unsigned char		*out, *body, *whole;
	char			*blob;
	size_t			 bloblen, cap, n, wlen;

	assert_int_equal(pgl_gz_seg_make(mid, strlen(mid), &blob, &bloblen), 0);
	assert_int_equal(pgl_gz_seg_parse(blob, bloblen, &seg), 0);
	cap = pgl_gz_bound(strlen(prefix), NULL, strlen(suffix));
	assert_non_null(out = malloc(cap));
	assert_int_equal(pgl_gz_frame(prefix, strlen(prefix), &seg, suffix,
	    strlen(suffix), out, cap, &f), 0);
	assert_true(f.headlen + f.taillen <= cap);
	n = f.headlen + seg.zlen + f.taillen;
	assert_non_null(body = malloc(n));
	memcpy(body, f.head, f.headlen);
	memcpy(body + f.headlen, seg.z, seg.zlen);
	memcpy(body + f.headlen + seg.zlen, f.tail, f.taillen);
	assert_inflates_to(body, n, prefix, mid, suffix);

	cap = pgl_gz_bound(strlen(prefix), &seg, strlen(suffix));
	assert_non_null(whole = malloc(cap));
	wlen = pgl_gz_assemble(prefix, strlen(prefix), &seg, suffix,
	    strlen(suffix), whole, cap);
	assert_int_equal(wlen, n);
	assert_memory_equal(whole, body, n);
	free(whole);
	free(body);
	free(out);
	free(blob);
}

static void
test_frame_pieces_around_a_kept_segment_make_the_same_member(void **state)
{
	char	*md = sample(40000);

	(void)state;
	frame_check("{\"metadata-location\":\"s3://b/t/m.json\","
	    "\"metadata\":", md, ",\"config\":{\"k\":\"v\"}}");
	frame_check("", md, "");
	frame_check("prefix", "", "suffix");
	free(md);
}

static void
test_frame_with_too_small_buffer_fails_cleanly(void **state)
{
	struct pgl_gz_frame	 f;
	struct pgl_gz_seg	 seg;
	unsigned char		 out[16];
	char			*blob, *md = sample(2000);
	size_t			 bloblen;

	(void)state;
	assert_int_equal(pgl_gz_seg_make(md, strlen(md), &blob, &bloblen), 0);
	assert_int_equal(pgl_gz_seg_parse(blob, bloblen, &seg), 0);
	assert_int_equal(pgl_gz_frame(md, strlen(md), &seg, "}", 1, out,
	    sizeof(out), &f), -1);
	free(blob);
	free(md);
}

static void
test_garbage_is_not_a_segment(void **state)
{
	struct pgl_gz_seg	seg;

	(void)state;
	assert_int_equal(pgl_gz_seg_parse("{\"format-version\":2}", 20, &seg),
	    -1);
	assert_int_equal(pgl_gz_seg_parse("PGZ1", 4, &seg), -1);
}

static void
test_accept_encoding_admits_gzip_with_positive_q(void **state)
{
	(void)state;
	assert_true(pgl_gzip_accepted("gzip"));
	assert_true(pgl_gzip_accepted("GZIP"));
	assert_true(pgl_gzip_accepted("x-gzip"));
	assert_true(pgl_gzip_accepted("gzip, deflate, br"));
	assert_true(pgl_gzip_accepted("br;q=1.0, gzip;q=0.5"));
	assert_true(pgl_gzip_accepted("deflate, gzip ; q=0.001"));
	assert_true(pgl_gzip_accepted("*"));
	assert_true(pgl_gzip_accepted("identity, *;q=0.1"));
}

static void
test_accept_encoding_q_zero_or_absent_refuses(void **state)
{
	(void)state;
	assert_false(pgl_gzip_accepted(NULL));
	assert_false(pgl_gzip_accepted(""));
	assert_false(pgl_gzip_accepted("identity"));
	assert_false(pgl_gzip_accepted("deflate, br"));
	assert_false(pgl_gzip_accepted("gzip;q=0"));
	assert_false(pgl_gzip_accepted("gzip; q=0.000"));
	assert_false(pgl_gzip_accepted("gzip;Q=0, deflate"));
	assert_false(pgl_gzip_accepted("*;q=0"));
	/* An explicit refusal is not overridden by "*". */
	assert_false(pgl_gzip_accepted("gzip;q=0, *"));
	assert_false(pgl_gzip_accepted("gzipx, xgzip"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_prefix_segment_suffix_inflate_to_the_plain_reply),
		cmocka_unit_test(test_stored_and_deflated_parts_mix),
		cmocka_unit_test(test_segment_is_reused_for_another_reply),
		cmocka_unit_test(test_empty_parts_still_make_a_valid_member),
		cmocka_unit_test(test_whole_body_without_segment),
		cmocka_unit_test(test_too_small_buffer_fails_cleanly),
		cmocka_unit_test(test_garbage_is_not_a_segment),
		cmocka_unit_test(
		    test_frame_pieces_around_a_kept_segment_make_the_same_member),
		cmocka_unit_test(test_frame_with_too_small_buffer_fails_cleanly),
		cmocka_unit_test(test_accept_encoding_admits_gzip_with_positive_q),
		cmocka_unit_test(test_accept_encoding_q_zero_or_absent_refuses),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
