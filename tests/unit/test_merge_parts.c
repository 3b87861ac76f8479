/*
 * Which partitions two sides of a merge touched (src/api/branching/merge_parts.c):
 * manifests meet unless, on some partition field, their summaries'
 * ranges are disjoint, compared as the field's type orders them; what
 * cannot be told apart meets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "api/branching/merge.h"
#include "util/arena.h"

static const char MD[] =
	"{\"current-schema-id\":0,\"schemas\":[{\"schema-id\":0,\"fields\":["
	"{\"id\":1,\"name\":\"id\",\"type\":\"long\"},"
	"{\"id\":2,\"name\":\"name\",\"type\":\"string\"},"
	"{\"id\":3,\"name\":\"ts\",\"type\":\"timestamp\"}]}],"
	"\"partition-specs\":["
	"{\"spec-id\":0,\"fields\":["
	"{\"source-id\":2,\"field-id\":1000,\"name\":\"name\",\"transform\":\"identity\"},"
	"{\"source-id\":3,\"field-id\":1001,\"name\":\"ts_day\",\"transform\":\"day\"}]},"
	"{\"spec-id\":1,\"fields\":[]},"
	"{\"spec-id\":2,\"fields\":["
	"{\"source-id\":1,\"field-id\":1000,\"name\":\"id\",\"transform\":\"identity\"}]}]}";

struct fx {
	struct pgl_req	 r;
	json_t		*md;
	json_t		*out;
	/* Room for the summaries the tests build. */
	struct ice_field_summary s[8][2];
	unsigned char	 ints[8][2][2][8];
};

static int
setup(void **state)
{
	static struct fx	f;

	memset(&f, 0, sizeof(f));
	f.r.arena = pgl_arena_new();
	f.md = json_loads(MD, 0, NULL);
	f.out = json_array();
	assert_non_null(f.md);
	*state = &f;
	return (0);
}

static int
teardown(void **state)
{
	struct fx	*f = *state;

	json_decref(f->md);
	json_decref(f->out);
	pgl_arena_free(f->r.arena);
	return (0);
}

static void
le(unsigned char *p, int64_t v, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)((uint64_t)v >> (8 * i));
}

/* Manifest k of spec 0: names [lo, hi] (NULL: only nulls), days [d0, d1]. */
static struct ice_manifest_ref
spec0(struct fx *f, int k, const char *lo, const char *hi, int32_t d0,
    int32_t d1)
{
	struct ice_manifest_ref	m;

	memset(&m, 0, sizeof(m));
	m.spec_id = 0;
	m.first_row_id = -1;
	f->s[k][0] = (struct ice_field_summary){ lo == NULL, -1, lo,
	    lo != NULL ? strlen(lo) : 0, hi, hi != NULL ? strlen(hi) : 0 };
	le(f->ints[k][1][0], d0, 4);
	le(f->ints[k][1][1], d1, 4);
	f->s[k][1] = (struct ice_field_summary){ 0, -1, f->ints[k][1][0], 4,
	    f->ints[k][1][1], 4 };
	m.partitions = f->s[k];
	m.npartitions = 2;
	return (m);
}

static int
touch(struct fx *f, const struct ice_manifest_ref *a,
    const struct ice_manifest_ref *b)
{
	json_array_clear(f->out);
	return (merge_touching(&f->r, f->md, a, 1, b, 1, f->out));
}

static void
test_disjoint_strings_do_not_meet(void **state)
{
	struct fx		*f = *state;
	struct ice_manifest_ref	 a = spec0(f, 0, "a", "a", 1, 1);
	struct ice_manifest_ref	 b = spec0(f, 1, "c", "d", 1, 1);

	assert_int_equal(touch(f, &a, &b), 0);
	assert_int_equal(json_array_size(f->out), 0);
}

static void
test_overlapping_ranges_meet_and_are_listed(void **state)
{
	struct fx		*f = *state;
	struct ice_manifest_ref	 a = spec0(f, 0, "a", "c", 1, 3);
	struct ice_manifest_ref	 b = spec0(f, 1, "b", "b", 3, 9);

	assert_int_equal(touch(f, &a, &b), 1);
	assert_string_equal(json_string_value(json_array_get(f->out, 0)),
	    "name=[a, c]/ts_day=[1, 3]");
}

static void
test_one_disjoint_field_is_enough(void **state)
{
	struct fx		*f = *state;
	struct ice_manifest_ref	 a = spec0(f, 0, "a", "z", -5, 9);
	struct ice_manifest_ref	 b = spec0(f, 1, "a", "z", 10, 12);

	/* Days compare as signed integers, not as bytes. */
	assert_int_equal(touch(f, &a, &b), 0);
}

static void
test_nulls_meet_only_nulls(void **state)
{
	struct fx		*f = *state;
	struct ice_manifest_ref	 a = spec0(f, 0, NULL, NULL, 1, 1);
	struct ice_manifest_ref	 b = spec0(f, 1, "a", "b", 1, 1);
	struct ice_manifest_ref	 c = spec0(f, 2, NULL, NULL, 1, 1);

	assert_int_equal(touch(f, &a, &b), 0);
	assert_int_equal(touch(f, &a, &c), 1);
	assert_string_equal(json_string_value(json_array_get(f->out, 0)),
	    "name=null/ts_day=1");
}

static void
test_what_cannot_be_told_apart_meets(void **state)
{
	struct fx		*f = *state;
	struct ice_manifest_ref	 a = spec0(f, 0, "a", "a", 1, 1);
	struct ice_manifest_ref	 b = spec0(f, 1, "c", "c", 1, 1);
	struct ice_manifest_ref	 u;

	/* Another spec. */
	b.spec_id = 2;
	assert_int_equal(touch(f, &a, &b), 1);
	/* An unpartitioned table. */
	memset(&u, 0, sizeof(u));
	u.spec_id = 1;
	assert_int_equal(touch(f, &u, &u), 1);
	assert_string_equal(json_string_value(json_array_get(f->out, 0)),
	    "(unpartitioned)");
	/* A bound not recorded. */
	b = spec0(f, 1, "c", "c", 1, 1);
	f->s[1][0].lower = NULL;
	f->s[1][0].contains_null = 0;
	assert_int_equal(touch(f, &a, &b), 1);
}

static void
test_longs_compare_as_signed_64_bit(void **state)
{
	struct fx		*f = *state;
	struct ice_manifest_ref	 a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.spec_id = b.spec_id = 2;
	a.npartitions = b.npartitions = 1;
	le(f->ints[0][0][0], -300, 8);
	le(f->ints[0][0][1], -2, 8);
	le(f->ints[1][0][0], 255, 8);
	le(f->ints[1][0][1], 256, 8);
	f->s[0][0] = (struct ice_field_summary){ 0, -1, f->ints[0][0][0], 8,
	    f->ints[0][0][1], 8 };
	f->s[1][0] = (struct ice_field_summary){ 0, -1, f->ints[1][0][0], 8,
	    f->ints[1][0][1], 8 };
	a.partitions = f->s[0];
	b.partitions = f->s[1];
	assert_int_equal(touch(f, &a, &b), 0);
	le(f->ints[1][0][0], -2, 8);
	assert_int_equal(touch(f, &a, &b), 1);
	assert_string_equal(json_string_value(json_array_get(f->out, 0)),
	    "id=[-300, -2]");
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_disjoint_strings_do_not_meet),
		T(test_overlapping_ranges_meet_and_are_listed),
		T(test_one_disjoint_field_is_enough),
		T(test_nulls_meet_only_nulls),
		T(test_what_cannot_be_told_apart_meets),
		T(test_longs_compare_as_signed_64_bit),
#undef T
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
