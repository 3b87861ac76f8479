/*
 * Single values (value.c, value_json.c): the table spec's Appendix D
 * bytes and Appendix C JSON for every primitive, Avro physical values
 * retyped, order and NaN.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "iceberg/value.h"
#include "util/arena.h"

static struct ice_type
ty(const char *s)
{
	struct ice_type	 t;
	json_t		*j = json_string(s);

	assert_int_equal(ice_type_parse(j, &t), 0);
	json_decref(j);
	return (t);
}

static int
parses(const char *s)
{
	struct ice_type	 t;
	json_t		*j = json_string(s);
	int		 rc = ice_type_parse(j, &t);

	json_decref(j);
	return (rc);
}

/* bytes -> value -> the same bytes. */
static struct ice_value
round_bytes(const char *type, const void *b, size_t n)
{
	struct pgl_arena	*a = pgl_arena_new();
	struct ice_type		 t = ty(type);
	struct ice_value	 v;
	const void		*out;
	size_t			 len;

	assert_int_equal(ice_value_decode(&t, b, n, &v), 0);
	assert_int_equal(ice_value_encode(a, &v, &t, &out, &len), 0);
	assert_int_equal(len, n);
	assert_memory_equal(out, b, n);
	pgl_arena_free(a);
	return (v);
}

/* JSON text -> value -> JSON equal to want (text). */
static void
json_round(const char *type, const char *in, const char *want)
{
	struct pgl_arena	*a = pgl_arena_new();
	struct ice_type		 t = ty(type);
	struct ice_value	 v;
	json_t			*j, *out, *w;
	const char		*why = NULL;

	j = json_loads(in, JSON_DECODE_ANY, NULL);
	assert_non_null(j);
	if (ice_value_from_json(a, &t, j, &v, &why) != 0)
		fail_msg("%s %s: %s", type, in, why);
	out = ice_value_to_json(&v, &t);
	w = json_loads(want, JSON_DECODE_ANY, NULL);
	assert_non_null(out);
	assert_non_null(w);
	if (!json_equal(out, w)) {
		char	*s = json_dumps(out, JSON_ENCODE_ANY);

		fail_msg("%s %s: got %s want %s", type, in, s, want);
	}
	json_decref(j);
	json_decref(out);
	json_decref(w);
	pgl_arena_free(a);
}

/* Values of from_json() live until the end of the run. */
static struct pgl_arena	*arena;

static int
from_json(const char *type, const char *in, struct ice_value *v)
{
	struct ice_type		 t = ty(type);
	json_t			*j;
	const char		*why = NULL;
	int			 rc;

	j = json_loads(in, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	assert_non_null(j);
	rc = ice_value_from_json(arena, &t, j, v, &why);
	if (rc != 0)
		assert_non_null(why);
	json_decref(j);
	return (rc);
}

static void
test_type_strings_parse_as_java_does(void **state)
{
	struct ice_type	t;
	char		buf[64];

	t = ty("decimal(9,2)");
	assert_int_equal(t.id, ICE_T_DECIMAL);
	assert_int_equal(t.precision, 9);
	assert_int_equal(t.scale, 2);
	assert_string_equal(ice_type_name(&t, buf, sizeof(buf)),
	    "decimal(9, 2)");
	t = ty("fixed[16]");
	assert_int_equal(t.length, 16);
	assert_string_equal(ice_type_name(&t, buf, sizeof(buf)), "fixed[16]");
	assert_int_equal(ty("Timestamptz_NS").id, ICE_T_TIMESTAMPTZ_NS);
	t = ty("uuid");
	assert_string_equal(ice_type_name(&t, buf, sizeof(buf)), "uuid");
	assert_int_equal(parses("variant"), -1);
	assert_int_equal(parses("geometry"), -1);
	assert_int_equal(parses("unknown"), -1);
	assert_int_equal(parses("decimal(39,2)"), -1);
	assert_int_equal(parses("struct"), -1);
	assert_int_equal(ice_type_parse(json_null(), &t), -1);
}

static void
test_ints_and_longs_are_little_endian(void **state)
{
	static const unsigned char	one[] = { 1, 0, 0, 0 };
	static const unsigned char	neg[] = { 0xff, 0xff, 0xff, 0xff };
	static const unsigned char	l[] = { 0, 1, 0, 0, 0, 0, 0, 0x80 };
	struct ice_type			t = ty("long");
	struct ice_value		v;

	assert_int_equal(round_bytes("int", one, 4).u.i, 1);
	assert_int_equal(round_bytes("int", neg, 4).u.i, -1);
	assert_int_equal(round_bytes("date", neg, 4).u.i, -1);
	assert_true(round_bytes("long", l, 8).u.i ==
	    (int64_t)0x8000000000000100ULL);
	assert_int_equal(round_bytes("timestamptz", l, 8).tid,
	    ICE_T_TIMESTAMPTZ);
	/* A long column promoted from int keeps 4-byte bounds. */
	assert_int_equal(ice_value_decode(&t, neg, 4, &v), 0);
	assert_int_equal(v.u.i, -1);
	t = ty("int");
	assert_int_equal(ice_value_decode(&t, l, 8, &v), -1);
	assert_int_equal(ice_value_decode(&t, one, 3, &v), -1);
}

static void
test_floats_are_ieee_little_endian_and_widen(void **state)
{
	static const unsigned char	f1[] = { 0, 0, 0x80, 0x3f };
	static const unsigned char	d1[] = { 0, 0, 0, 0, 0, 0, 0xf0, 0x3f };
	static const unsigned char	fh[] = { 0, 0, 0xc0, 0x3f };
	struct ice_type			t = ty("double");
	struct ice_value		v;

	assert_true(round_bytes("float", f1, 4).u.d == 1.0);
	assert_true(round_bytes("float", fh, 4).u.d == 1.5);
	assert_true(round_bytes("double", d1, 8).u.d == 1.0);
	assert_int_equal(ice_value_decode(&t, fh, 4, &v), 0);
	assert_true(v.u.d == 1.5);
}

static void
test_decimal_is_minimal_big_endian_twos_complement(void **state)
{
	static const unsigned char	d1420[] = { 0x05, 0x8c };
	static const unsigned char	zero[] = { 0 };
	static const unsigned char	m1[] = { 0xff };
	static const unsigned char	p128[] = { 0x00, 0x80 };
	static const unsigned char	m128[] = { 0x80 };
	static const unsigned char	m129[] = { 0xff, 0x7f };
	struct ice_type			t = ty("decimal(4,2)");
	struct ice_value		v;

	/* The spec's example: 14.20 is 1420 unscaled, 0x058c. */
	assert_true(round_bytes("decimal(4,2)", d1420, 2).u.dec == 1420);
	assert_true(round_bytes("decimal(4,2)", zero, 1).u.dec == 0);
	assert_true(round_bytes("decimal(4,2)", m1, 1).u.dec == -1);
	assert_true(round_bytes("decimal(9,0)", p128, 2).u.dec == 128);
	assert_true(round_bytes("decimal(9,0)", m128, 1).u.dec == -128);
	assert_true(round_bytes("decimal(9,0)", m129, 2).u.dec == -129);
	assert_int_equal(ice_value_decode(&t, d1420, 0, &v), -1);
	json_round("decimal(4,2)", "\"14.20\"", "\"14.20\"");
}

static void
test_uuid_string_and_bytes(void **state)
{
	static const unsigned char	u[] = { 0xf7, 0x9c, 0x3e, 0x09, 0x67,
	    0x7c, 0x4b, 0xbd, 0xa4, 0x79, 0x3f, 0x34, 0x9c, 0xb7, 0x85, 0xe7 };
	static const unsigned char	b[] = { 0, 1, 2, 0xff };
	struct ice_type			t = ty("uuid");
	struct ice_value		v;

	round_bytes("uuid", u, 16);
	assert_int_equal(ice_value_decode(&t, u, 15, &v), -1);
	assert_int_equal(round_bytes("string", "iceberg", 7).u.s.n, 7);
	round_bytes("binary", b, 4);
	round_bytes("fixed[4]", b, 4);
	round_bytes("boolean", "\1", 1);
	json_round("uuid", "\"F79C3E09-677C-4BBD-A479-3F349CB785E7\"",
	    "\"f79c3e09-677c-4bbd-a479-3f349cb785e7\"");
	assert_int_equal(from_json("uuid", "\"f79c3e09677c4bbda4793f349cb785e7\"",
	    &v), -1);
	assert_int_equal(from_json("uuid",
	    "\"f79c3e09-677c-4bbd-a479-3f349cb785e7\"", &v), 0);
	assert_memory_equal(v.u.s.p, u, 16);
}

static void
test_json_forms_of_appendix_c(void **state)
{
	struct ice_value	v;

	json_round("boolean", "true", "true");
	json_round("int", "34", "34");
	json_round("long", "34", "34");
	json_round("float", "1.5", "1.5");
	json_round("float", "2", "2.0");
	json_round("double", "-0.25", "-0.25");
	json_round("decimal(9,2)", "\"14.2\"", "\"14.20\"");
	json_round("decimal(9,2)", "\"-0.05\"", "\"-0.05\"");
	json_round("decimal(9,2)", "3", "\"3.00\"");
	json_round("decimal(9,2)", "14.2", "\"14.20\"");
	json_round("decimal(9,8)", "\"1E-8\"", "\"0.00000001\"");
	json_round("decimal(9,0)", "\"123\"", "\"123\"");
	json_round("date", "\"2017-11-16\"", "\"2017-11-16\"");
	json_round("date", "17486", "\"2017-11-16\"");
	json_round("date", "\"1969-12-31\"", "\"1969-12-31\"");
	json_round("time", "\"22:31:08\"", "\"22:31:08\"");
	json_round("time", "\"22:31:08.123456\"", "\"22:31:08.123456\"");
	json_round("time", "\"22:31\"", "\"22:31:00\"");
	json_round("timestamp", "\"2017-11-16T22:31:08\"",
	    "\"2017-11-16T22:31:08\"");
	json_round("timestamp", "\"2017-11-16T22:31:08.123456\"",
	    "\"2017-11-16T22:31:08.123456\"");
	json_round("timestamp", "1510871468123456",
	    "\"2017-11-16T22:31:08.123456\"");
	json_round("timestamp", "-1", "\"1969-12-31T23:59:59.999999\"");
	json_round("timestamptz", "\"2017-11-16T22:31:08.123456+00:00\"",
	    "\"2017-11-16T22:31:08.123456+00:00\"");
	json_round("timestamptz", "\"2017-11-17T00:31:08+02:00\"",
	    "\"2017-11-16T22:31:08+00:00\"");
	json_round("timestamptz", "\"2017-11-16T22:31:08Z\"",
	    "\"2017-11-16T22:31:08+00:00\"");
	json_round("timestamp_ns", "\"2017-11-16T22:31:08.123456789\"",
	    "\"2017-11-16T22:31:08.123456789\"");
	json_round("timestamptz_ns", "\"2017-11-16T22:31:08.1-01:00\"",
	    "\"2017-11-16T23:31:08.100000000+00:00\"");
	json_round("string", "\"iceberg\"", "\"iceberg\"");
	json_round("fixed[4]", "\"000102ff\"", "\"000102FF\"");
	json_round("binary", "\"000102FF\"", "\"000102FF\"");
	json_round("binary", "\"\"", "\"\"");
	json_round("double", "\"NaN\"", "\"NaN\"");
	json_round("double", "\"-Infinity\"", "\"-Infinity\"");
	json_round("float", "\"Infinity\"", "\"Infinity\"");
	json_round("date", "\"+10000-01-01\"", "\"+10000-01-01\"");
	assert_int_equal(from_json("timestamp", "\"2017-11-16T22:31:08\"", &v),
	    0);
	assert_true(v.u.i == INT64_C(1510871468000000));
	assert_int_equal(from_json("date", "\"2017-11-16\"", &v), 0);
	assert_int_equal(v.u.i, 17486);
	assert_int_equal(from_json("int", "null", &v), 0);
	assert_true(v.is_null);
}

static void
test_json_literals_of_the_wrong_kind_are_refused(void **state)
{
	struct ice_value	v;

	assert_int_equal(from_json("long", "\"5\"", &v), -1);
	assert_int_equal(from_json("int", "2147483648", &v), -1);
	assert_int_equal(from_json("int", "1.5", &v), -1);
	assert_int_equal(from_json("boolean", "1", &v), -1);
	assert_int_equal(from_json("float", "1e300", &v), -1);
	assert_int_equal(from_json("float", "\"1.5\"", &v), -1);
	assert_int_equal(from_json("decimal(9,2)", "\"14.205\"", &v), -1);
	assert_int_equal(from_json("decimal(9,2)", "14.205", &v), -1);
	assert_int_equal(from_json("decimal(3,2)", "\"14.20\"", &v), -1);
	assert_int_equal(from_json("decimal(3,2)", "\"\"", &v), -1);
	assert_int_equal(from_json("decimal(3,2)", "\"-\"", &v), -1);
	assert_int_equal(from_json("decimal(3,2)", "\"1.2.3\"", &v), -1);
	assert_int_equal(from_json("decimal(38,0)",
	    "\"99999999999999999999999999999999999999\"", &v), 0);
	assert_int_equal(from_json("decimal(38,0)",
	    "\"999999999999999999999999999999999999999\"", &v), -1);
	assert_int_equal(from_json("decimal(38,10)",
	    "\"9999999999999999999999999999999999\"", &v), -1);
	assert_int_equal(from_json("date", "\"2017-02-29\"", &v), -1);
	assert_int_equal(from_json("date", "\"2017-11-16T00:00:00\"", &v), -1);
	assert_int_equal(from_json("date", "\"2017-1-16\"", &v), -1);
	assert_int_equal(from_json("time", "\"24:00:00\"", &v), -1);
	assert_int_equal(from_json("time", "86400000000", &v), -1);
	assert_int_equal(from_json("timestamp", "\"2017-11-16T22:31:08Z\"",
	    &v), -1);
	assert_int_equal(from_json("timestamptz", "\"2017-11-16T22:31:08\"",
	    &v), -1);
	assert_int_equal(from_json("timestamp", "\"2017-11-16 22:31:08\"",
	    &v), -1);
	assert_int_equal(from_json("fixed[4]", "\"0001\"", &v), -1);
	assert_int_equal(from_json("binary", "\"0g\"", &v), -1);
	assert_int_equal(from_json("binary", "\"012\"", &v), -1);
	assert_int_equal(from_json("string", "5", &v), -1);
	assert_int_equal(from_json("date", "\"2017-11-16\\u0000x\"", &v), -1);
	assert_int_equal(from_json("timestamp", "\"+999999999-01-01T00:00:00\"",
	    &v), -1);
}

static struct ice_value
val(enum ice_tid tid, int64_t i)
{
	struct ice_value	v;

	memset(&v, 0, sizeof(v));
	v.tid = tid;
	v.u.i = i;
	return (v);
}

static struct ice_value
bytes(enum ice_tid tid, const char *s, size_t n)
{
	struct ice_value	v;

	memset(&v, 0, sizeof(v));
	v.tid = tid;
	v.u.s.p = (const unsigned char *)s;
	v.u.s.n = n;
	return (v);
}

static struct ice_value
dbl(enum ice_tid tid, double d)
{
	struct ice_value	v;

	memset(&v, 0, sizeof(v));
	v.tid = tid;
	v.u.d = d;
	return (v);
}

static void
test_avro_physical_values_retype_to_the_field(void **state)
{
	struct ice_type		 t;
	struct ice_value	 in, out;
	static const char	 dec[] = { 0x05, (char)0x8c };

	in = val(ICE_T_INT, 17486);
	t = ty("date");
	assert_int_equal(ice_value_retype(&in, &t, &out), 0);
	assert_int_equal(out.tid, ICE_T_DATE);
	t = ty("long");
	assert_int_equal(ice_value_retype(&in, &t, &out), 0);
	assert_int_equal(out.tid, ICE_T_LONG);
	assert_int_equal(out.u.i, 17486);
	t = ty("timestamp");
	assert_int_equal(ice_value_retype(&in, &t, &out), -1);
	in = val(ICE_T_LONG, 5);
	assert_int_equal(ice_value_retype(&in, &t, &out), 0);
	t = ty("int");
	assert_int_equal(ice_value_retype(&in, &t, &out), -1);
	in = bytes(ICE_T_BINARY, dec, 2);
	t = ty("decimal(4,2)");
	assert_int_equal(ice_value_retype(&in, &t, &out), 0);
	assert_true(out.u.dec == 1420);
	in = bytes(ICE_T_FIXED, "0123456789abcdef", 16);
	t = ty("uuid");
	assert_int_equal(ice_value_retype(&in, &t, &out), 0);
	t = ty("fixed[15]");
	assert_int_equal(ice_value_retype(&in, &t, &out), -1);
	t = ty("string");
	assert_int_equal(ice_value_retype(&in, &t, &out), -1);
	in = bytes(ICE_T_STRING, "abc", 3);
	assert_int_equal(ice_value_retype(&in, &t, &out), 0);
	in = dbl(ICE_T_FLOAT, 1.5);
	t = ty("double");
	assert_int_equal(ice_value_retype(&in, &t, &out), 0);
	assert_true(out.u.d == 1.5);
	in.is_null = 1;
	t = ty("boolean");
	assert_int_equal(ice_value_retype(&in, &t, &out), 0);
	assert_true(out.is_null);
	assert_int_equal(out.tid, ICE_T_BOOLEAN);
}

static void
test_order_is_signed_unsigned_bytes_and_nan_last(void **state)
{
	struct ice_value	a, b;

	a = val(ICE_T_INT, -5);
	b = val(ICE_T_INT, 3);
	assert_true(ice_value_cmp(&a, &b) < 0);
	assert_true(ice_value_cmp(&b, &a) > 0);
	assert_int_equal(ice_value_cmp(&a, &a), 0);
	/* U+00E9 (c3 a9) sorts after 'z' as code points do. */
	a = bytes(ICE_T_STRING, "z", 1);
	b = bytes(ICE_T_STRING, "\xc3\xa9", 2);
	assert_true(ice_value_cmp(&a, &b) < 0);
	a = bytes(ICE_T_STRING, "ab", 2);
	b = bytes(ICE_T_STRING, "abc", 3);
	assert_true(ice_value_cmp(&a, &b) < 0);
	a = bytes(ICE_T_BINARY, "\x01", 1);
	b = bytes(ICE_T_BINARY, "\xff", 1);
	assert_true(ice_value_cmp(&a, &b) < 0);
	a = dbl(ICE_T_DOUBLE, NAN);
	b = dbl(ICE_T_DOUBLE, INFINITY);
	assert_true(ice_value_cmp(&a, &b) > 0);
	assert_true(ice_value_cmp(&b, &a) < 0);
	assert_int_equal(ice_value_cmp(&a, &a), 0);
	assert_true(ice_value_is_nan(&a));
	assert_false(ice_value_is_nan(&b));
	a = dbl(ICE_T_FLOAT, -0.0);
	b = dbl(ICE_T_FLOAT, 0.0);
	assert_true(ice_value_cmp(&a, &b) < 0);
	a = val(ICE_T_BOOLEAN, 0);
	b = val(ICE_T_BOOLEAN, 1);
	a.u.b = 0;
	b.u.b = 1;
	assert_true(ice_value_cmp(&a, &b) < 0);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.tid = b.tid = ICE_T_DECIMAL;
	a.u.dec = -100;
	b.u.dec = 7;
	assert_true(ice_value_cmp(&a, &b) < 0);
	a = val(ICE_T_INT, 1);
	assert_false(ice_value_is_nan(&a));
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_type_strings_parse_as_java_does),
		cmocka_unit_test(test_ints_and_longs_are_little_endian),
		cmocka_unit_test(test_floats_are_ieee_little_endian_and_widen),
		cmocka_unit_test(test_decimal_is_minimal_big_endian_twos_complement),
		cmocka_unit_test(test_uuid_string_and_bytes),
		cmocka_unit_test(test_json_forms_of_appendix_c),
		cmocka_unit_test(test_json_literals_of_the_wrong_kind_are_refused),
		cmocka_unit_test(test_avro_physical_values_retype_to_the_field),
		cmocka_unit_test(test_order_is_signed_unsigned_bytes_and_nan_last),
	};
	int			rc;

	arena = pgl_arena_new();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pgl_arena_free(arena);
	return (rc);
}
