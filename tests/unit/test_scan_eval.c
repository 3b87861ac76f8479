/*
 * Scan planning's transforms, projections and partition tuples: the
 * spec's Appendix B hash vectors, its transform examples, and the
 * inclusive rules of Java's Projections.  Expressions are built by hand
 * as bound nodes (no parser: test_scan_util.h).  The evaluators of
 * summaries, column metrics and residuals: test_scan_metrics.c.
 */
#include "test_scan_util.h"

static struct ice_value
apply(struct ice_pfield f, struct ice_value v)
{
	struct ice_value	out;

	assert_int_equal(ice_transform_apply(&f, &v, &out), 0);
	return (out);
}

static int64_t
applyi(enum ice_xf xf, int32_t w, struct ice_value v)
{
	struct ice_value	out = apply(pf(1000, 1, xf, w, v.tid), v);

	assert_false(out.is_null);
	return (out.u.i);
}

/* Appendix B gives the 32-bit hash; bucket[INT_MAX] shows it. */
static int64_t
hash_of(struct ice_value v)
{
	return (applyi(ICE_XF_BUCKET, INT32_MAX, v));
}

static int64_t
want_hash(int64_t h)
{
	return ((int64_t)(((uint32_t)h & INT32_MAX) % INT32_MAX));
}

/* ---- transforms --------------------------------------------------- */

static void
test_bucket_hashes_are_appendix_b(void **state)
{
	static const unsigned char uuid[16] = { 0xf7, 0x9c, 0x3e, 0x09,
	    0x67, 0x7c, 0x4b, 0xbd, 0xa4, 0x79, 0x3f, 0x34, 0x9c, 0xb7,
	    0x85, 0xe7 };
	static const char bytes[] = { 0, 1, 2, 3 };

	assert_int_equal(hash_of(iv(ICE_T_INT, 34)), want_hash(2017239379));
	assert_int_equal(hash_of(iv(ICE_T_LONG, 34)), want_hash(2017239379));
	assert_int_equal(hash_of(STR("iceberg")), want_hash(1210000089));
	assert_int_equal(hash_of(iv(ICE_T_DATE, 17486)),
	    want_hash(-653330422));
	assert_int_equal(hash_of(iv(ICE_T_TIME, INT64_C(81068000000))),
	    want_hash(-662762989));
	assert_int_equal(hash_of(iv(ICE_T_TIMESTAMP,
	    INT64_C(1510871468000000))), want_hash(-2047944441));
	assert_int_equal(hash_of(iv(ICE_T_TIMESTAMPTZ,
	    INT64_C(1510871468000000))), want_hash(-2047944441));
	/* nanoseconds hash as their microseconds */
	assert_int_equal(hash_of(iv(ICE_T_TIMESTAMP_NS,
	    INT64_C(1510871468000000001))), want_hash(-2047944441));
	assert_int_equal(hash_of(sv(ICE_T_UUID, (const char *)uuid, 16)),
	    want_hash(1488055340));
	assert_int_equal(hash_of(decv(1420)), want_hash(-500754589));
	assert_int_equal(hash_of(sv(ICE_T_BINARY, bytes, 4)),
	    want_hash(-188683207));
	assert_int_equal(hash_of(sv(ICE_T_FIXED, bytes, 4)),
	    want_hash(-188683207));
	/* bucket[N] is (hash & INT_MAX) % N */
	assert_int_equal(applyi(ICE_XF_BUCKET, 16, iv(ICE_T_INT, 34)),
	    2017239379 % 16);
	assert_int_equal(applyi(ICE_XF_BUCKET, 100, STR("iceberg")),
	    1210000089 % 100);
	assert_int_equal(applyi(ICE_XF_BUCKET, 7, iv(ICE_T_DATE, 17486)),
	    (int64_t)(((uint32_t)-653330422 & INT32_MAX) % 7));
}

static void
test_decimal_hash_uses_minimal_twos_complement(void **state)
{
	/* 0 is one zero byte, -1 one 0xff byte, 128 needs a leading zero:
	 * each must differ from its longer encodings' hashes. */
	int64_t	zero = hash_of(decv(0));
	int64_t	neg = hash_of(decv(-1));
	int64_t	b128 = hash_of(decv(128));
	static const char z1[] = { 0 }, f1[] = { (char)0xff },
	    p128[] = { 0, (char)0x80 };

	assert_int_equal(zero, hash_of(sv(ICE_T_BINARY, z1, 1)));
	assert_int_equal(neg, hash_of(sv(ICE_T_BINARY, f1, 1)));
	assert_int_equal(b128, hash_of(sv(ICE_T_BINARY, p128, 2)));
}

static void
test_truncate_floors_numbers(void **state)
{
	struct ice_value	v;

	assert_int_equal(applyi(ICE_XF_TRUNCATE, 10, iv(ICE_T_INT, 1)), 0);
	assert_int_equal(applyi(ICE_XF_TRUNCATE, 10, iv(ICE_T_INT, -1)), -10);
	assert_int_equal(applyi(ICE_XF_TRUNCATE, 10, iv(ICE_T_INT, 10)), 10);
	assert_int_equal(applyi(ICE_XF_TRUNCATE, 10, iv(ICE_T_INT, -10)),
	    -10);
	assert_int_equal(applyi(ICE_XF_TRUNCATE, 10, iv(ICE_T_LONG, 19)), 10);
	assert_int_equal(applyi(ICE_XF_TRUNCATE, 10, iv(ICE_T_LONG, -11)),
	    -20);
	/* decimal 10.65 truncate[50] = 10.50 */
	v = apply(pf(1000, 1, ICE_XF_TRUNCATE, 50, ICE_T_DECIMAL), decv(1065));
	assert_true(v.u.dec == 1050);
	v = apply(pf(1000, 1, ICE_XF_TRUNCATE, 50, ICE_T_DECIMAL), decv(-1));
	assert_true(v.u.dec == -50);
}

static void
test_truncate_strings_by_code_points(void **state)
{
	struct ice_value	v;
	static const char bin[] = { 1, 2, 3, 4 };

	v = apply(pf(1000, 1, ICE_XF_TRUNCATE, 3, ICE_T_STRING),
	    STR("iceberg"));
	assert_int_equal(v.u.s.n, 3);
	assert_memory_equal(v.u.s.p, "ice", 3);
	/* two code points of "\u00e9\u00e8x" are four bytes */
	v = apply(pf(1000, 1, ICE_XF_TRUNCATE, 2, ICE_T_STRING),
	    STR("\xc3\xa9\xc3\xa8x"));
	assert_int_equal(v.u.s.n, 4);
	v = apply(pf(1000, 1, ICE_XF_TRUNCATE, 10, ICE_T_STRING), STR("ab"));
	assert_int_equal(v.u.s.n, 2);
	v = apply(pf(1000, 1, ICE_XF_TRUNCATE, 3, ICE_T_BINARY),
	    sv(ICE_T_BINARY, bin, 4));
	assert_int_equal(v.u.s.n, 3);
}

static void
test_dates_floor_before_1970(void **state)
{
	/* 2017-11-16 */
	assert_int_equal(applyi(ICE_XF_YEAR, 0, iv(ICE_T_DATE, 17486)), 47);
	assert_int_equal(applyi(ICE_XF_MONTH, 0, iv(ICE_T_DATE, 17486)), 574);
	assert_int_equal(applyi(ICE_XF_DAY, 0, iv(ICE_T_DATE, 17486)), 17486);
	/* 1969-12-31, 1969-01-01, 1968-12-31, 1900-03-01, 2000-02-29 */
	assert_int_equal(applyi(ICE_XF_YEAR, 0, iv(ICE_T_DATE, -1)), -1);
	assert_int_equal(applyi(ICE_XF_MONTH, 0, iv(ICE_T_DATE, -1)), -1);
	assert_int_equal(applyi(ICE_XF_YEAR, 0, iv(ICE_T_DATE, -365)), -1);
	assert_int_equal(applyi(ICE_XF_MONTH, 0, iv(ICE_T_DATE, -365)), -12);
	assert_int_equal(applyi(ICE_XF_YEAR, 0, iv(ICE_T_DATE, -366)), -2);
	assert_int_equal(applyi(ICE_XF_MONTH, 0, iv(ICE_T_DATE, -366)), -13);
	assert_int_equal(applyi(ICE_XF_YEAR, 0, iv(ICE_T_DATE, -25508)), -70);
	assert_int_equal(applyi(ICE_XF_MONTH, 0, iv(ICE_T_DATE, -25508)),
	    -838);
	assert_int_equal(applyi(ICE_XF_MONTH, 0, iv(ICE_T_DATE, 11016)), 361);
	assert_int_equal(applyi(ICE_XF_YEAR, 0, iv(ICE_T_DATE, 0)), 0);
}

static void
test_timestamps_floor_before_1970(void **state)
{
	int64_t	ts = INT64_C(1510871468000000);

	assert_int_equal(applyi(ICE_XF_YEAR, 0, iv(ICE_T_TIMESTAMP, ts)), 47);
	assert_int_equal(applyi(ICE_XF_MONTH, 0, iv(ICE_T_TIMESTAMP, ts)),
	    574);
	assert_int_equal(applyi(ICE_XF_DAY, 0, iv(ICE_T_TIMESTAMPTZ, ts)),
	    17486);
	assert_int_equal(applyi(ICE_XF_HOUR, 0, iv(ICE_T_TIMESTAMP, ts)),
	    419686);
	assert_int_equal(applyi(ICE_XF_HOUR, 0, iv(ICE_T_TIMESTAMP, -1)), -1);
	assert_int_equal(applyi(ICE_XF_DAY, 0, iv(ICE_T_TIMESTAMP, -1)), -1);
	assert_int_equal(applyi(ICE_XF_MONTH, 0, iv(ICE_T_TIMESTAMP, -1)), -1);
	assert_int_equal(applyi(ICE_XF_YEAR, 0, iv(ICE_T_TIMESTAMP, -1)), -1);
	assert_int_equal(applyi(ICE_XF_DAY, 0, iv(ICE_T_TIMESTAMP_NS,
	    ts * 1000)), 17486);
	assert_int_equal(applyi(ICE_XF_HOUR, 0, iv(ICE_T_TIMESTAMPTZ_NS,
	    -1)), -1);
}

static void
test_nulls_void_and_misfits(void **state)
{
	struct ice_pfield	f = pf(1000, 1, ICE_XF_BUCKET, 16, ICE_T_INT);
	struct ice_value	v = nullv(ICE_T_INT), out;

	assert_int_equal(ice_transform_apply(&f, &v, &out), 0);
	assert_true(out.is_null);
	f = pf(1000, 1, ICE_XF_VOID, 0, ICE_T_INT);
	v = iv(ICE_T_INT, 5);
	assert_int_equal(ice_transform_apply(&f, &v, &out), 0);
	assert_true(out.is_null);
	f = pf(1000, 1, ICE_XF_YEAR, 0, ICE_T_DATE);
	v = STR("x");
	assert_int_equal(ice_transform_apply(&f, &v, &out), -1);
	f = pf(1000, 1, ICE_XF_HOUR, 0, ICE_T_DATE);
	v = iv(ICE_T_DATE, 3);
	assert_int_equal(ice_transform_apply(&f, &v, &out), -1);
	f = pf(1000, 1, ICE_XF_IDENTITY, 0, ICE_T_STRING);
	v = STR("x");
	assert_int_equal(ice_transform_apply(&f, &v, &out), 0);
	assert_int_equal(out.u.s.n, 1);
}

/* ---- partition spec binding -------------------------------------- */

static void
test_pspec_bind_types_and_unknowns(void **state)
{
	struct ice_pspec	 s;
	struct ice_err		 e;
	json_t			*schema, *spec;

	schema = json_loads("{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
	    "{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"long\"},"
	    "{\"id\":2,\"name\":\"s\",\"required\":false,\"type\":\"string\"},"
	    "{\"id\":3,\"name\":\"ts\",\"required\":false,"
	    "\"type\":\"timestamp\"}]}", 0, NULL);
	spec = json_loads("{\"spec-id\":3,\"fields\":["
	    "{\"source-id\":1,\"field-id\":1000,\"name\":\"id\","
	    "\"transform\":\"identity\"},"
	    "{\"source-id\":2,\"field-id\":1001,\"name\":\"s_b\","
	    "\"transform\":\"bucket[16]\"},"
	    "{\"source-id\":3,\"field-id\":1002,\"name\":\"ts_day\","
	    "\"transform\":\"day\"},"
	    "{\"source-id\":2,\"field-id\":1003,\"name\":\"s_t\","
	    "\"transform\":\"truncate[3]\"},"
	    "{\"source-id\":9,\"field-id\":1004,\"name\":\"gone\","
	    "\"transform\":\"identity\"},"
	    "{\"source-id\":2,\"field-id\":1005,\"name\":\"s_y\","
	    "\"transform\":\"year\"},"
	    "{\"source-id\":3,\"field-id\":1006,\"name\":\"ts_h\","
	    "\"transform\":\"hour\"},"
	    "{\"source-id\":1,\"field-id\":1007,\"name\":\"v\","
	    "\"transform\":\"void\"}]}", 0, NULL);
	assert_non_null(schema);
	assert_non_null(spec);
	assert_int_equal(ice_pspec_bind(*state, spec, schema, &s, &e), 0);
	assert_int_equal(s.spec_id, 3);
	assert_int_equal(s.nfields, 8);
	assert_int_equal(s.fields[0].xf, ICE_XF_IDENTITY);
	assert_int_equal(s.fields[0].result_type.id, ICE_T_LONG);
	assert_int_equal(s.fields[1].xf, ICE_XF_BUCKET);
	assert_int_equal(s.fields[1].width, 16);
	assert_int_equal(s.fields[1].result_type.id, ICE_T_INT);
	assert_int_equal(s.fields[2].result_type.id, ICE_T_DATE);
	assert_int_equal(s.fields[2].source_type.id, ICE_T_TIMESTAMP);
	assert_int_equal(s.fields[3].width, 3);
	assert_int_equal(s.fields[3].result_type.id, ICE_T_STRING);
	assert_false(s.fields[4].source_known);
	assert_int_equal(s.fields[4].xf, ICE_XF_UNKNOWN);
	/* year of a string cannot be */
	assert_int_equal(s.fields[5].xf, ICE_XF_UNKNOWN);
	assert_int_equal(s.fields[6].result_type.id, ICE_T_INT);
	assert_int_equal(s.fields[7].xf, ICE_XF_VOID);
	assert_string_equal(s.fields[2].name, "ts_day");
	json_decref(spec);
	spec = json_loads("{\"fields\":[{\"source-id\":1,"
	    "\"transform\":\"bucket[x\"}]}", 0, NULL);
	assert_int_equal(ice_pspec_bind(*state, spec, schema, &s, &e), 0);
	assert_int_equal(s.fields[0].xf, ICE_XF_UNKNOWN);
	assert_int_equal(s.fields[0].field_id, 1000);
	json_decref(spec);
	spec = json_loads("{\"fields\":[{\"transform\":\"day\"}]}", 0, NULL);
	assert_int_equal(ice_pspec_bind(*state, spec, schema, &s, &e), -1);
	assert_int_equal(e.status, 400);
	json_decref(spec);
	json_decref(schema);
}

/* ---- projection --------------------------------------------------- */

static void
expect_pred(const struct ice_expr *p, enum ice_op op, int32_t fid,
    size_t nlits)
{
	assert_non_null(p);
	assert_int_equal(p->op, op);
	assert_int_equal(p->field_id, fid);
	assert_int_equal(p->nlits, nlits);
}

static const struct ice_expr *
project1(void **state, struct ice_pfield f, const struct ice_expr *e)
{
	struct ice_pspec	s = { 0, &f, 1 };
	const struct ice_expr	*p;

	p = ice_expr_project(*state, e, &s);
	assert_non_null(p);
	return (p);
}

static void
test_identity_keeps_every_predicate(void **state)
{
	struct ice_pfield	 f = pf(1000, 1, ICE_XF_IDENTITY, 0,
				    ICE_T_DOUBLE);
	static const enum ice_op ops[] = { ICE_OP_LT, ICE_OP_NOT_EQ,
	    ICE_OP_NOT_IN, ICE_OP_IS_NAN, ICE_OP_NOT_NAN, ICE_OP_IS_NULL };
	const struct ice_expr	*p;
	size_t			 i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		p = project1(state, f, pred(ops[i], 1, ICE_T_DOUBLE, 1,
		    dv(1.5)));
		expect_pred(p, ops[i], 1000, 1);
		assert_int_equal(p->type.id, ICE_T_DOUBLE);
	}
}

static void
test_bucket_projects_eq_and_in_only(void **state)
{
	struct ice_pfield	 f = pf(1000, 1, ICE_XF_BUCKET, 16, ICE_T_INT);
	const struct ice_expr	*p;

	p = project1(state, f, pred(ICE_OP_EQ, 1, ICE_T_INT, 1,
	    iv(ICE_T_INT, 34)));
	expect_pred(p, ICE_OP_EQ, 1000, 1);
	assert_int_equal(p->lits[0].u.i, 2017239379 % 16);
	assert_int_equal(p->type.id, ICE_T_INT);
	/* 34 and 34 + 16k may share a bucket: the set is sorted, unique */
	p = project1(state, f, pred(ICE_OP_IN, 1, ICE_T_INT, 3,
	    iv(ICE_T_INT, 34), iv(ICE_T_INT, 34), iv(ICE_T_INT, 1)));
	assert_int_equal(p->op, ICE_OP_IN);
	assert_true(p->nlits <= 2);
	if (p->nlits == 2)
		assert_true(p->lits[0].u.i < p->lits[1].u.i);
	assert_int_equal(project1(state, f, pred(ICE_OP_NOT_EQ, 1, ICE_T_INT,
	    1, iv(ICE_T_INT, 34)))->op, ICE_OP_TRUE);
	assert_int_equal(project1(state, f, pred(ICE_OP_LT, 1, ICE_T_INT,
	    1, iv(ICE_T_INT, 34)))->op, ICE_OP_TRUE);
	assert_int_equal(project1(state, f, pred(ICE_OP_NOT_IN, 1, ICE_T_INT,
	    1, iv(ICE_T_INT, 34)))->op, ICE_OP_TRUE);
	expect_pred(project1(state, f, pred(ICE_OP_IS_NULL, 1, ICE_T_INT, 0)),
	    ICE_OP_IS_NULL, 1000, 0);
	expect_pred(project1(state, f, pred(ICE_OP_NOT_NULL, 1, ICE_T_INT,
	    0)), ICE_OP_NOT_NULL, 1000, 0);
}

static void
test_truncate_int_projects_bounds(void **state)
{
	struct ice_pfield	 f = pf(1000, 1, ICE_XF_TRUNCATE, 10,
				    ICE_T_INT);
	const struct ice_expr	*p;

	p = project1(state, f, pred(ICE_OP_LT, 1, ICE_T_INT, 1,
	    iv(ICE_T_INT, 100)));
	expect_pred(p, ICE_OP_LT_EQ, 1000, 1);
	assert_int_equal(p->lits[0].u.i, 90);
	p = project1(state, f, pred(ICE_OP_LT_EQ, 1, ICE_T_INT, 1,
	    iv(ICE_T_INT, 100)));
	expect_pred(p, ICE_OP_LT_EQ, 1000, 1);
	assert_int_equal(p->lits[0].u.i, 100);
	p = project1(state, f, pred(ICE_OP_GT, 1, ICE_T_INT, 1,
	    iv(ICE_T_INT, 99)));
	expect_pred(p, ICE_OP_GT_EQ, 1000, 1);
	assert_int_equal(p->lits[0].u.i, 100);
	p = project1(state, f, pred(ICE_OP_GT_EQ, 1, ICE_T_INT, 1,
	    iv(ICE_T_INT, 99)));
	assert_int_equal(p->lits[0].u.i, 90);
	p = project1(state, f, pred(ICE_OP_EQ, 1, ICE_T_INT, 1,
	    iv(ICE_T_INT, -1)));
	expect_pred(p, ICE_OP_EQ, 1000, 1);
	assert_int_equal(p->lits[0].u.i, -10);
	p = project1(state, f, pred(ICE_OP_IN, 1, ICE_T_INT, 3,
	    iv(ICE_T_INT, 15), iv(ICE_T_INT, 1), iv(ICE_T_INT, 5)));
	expect_pred(p, ICE_OP_IN, 1000, 2);
	assert_int_equal(p->lits[0].u.i, 0);
	assert_int_equal(p->lits[1].u.i, 10);
	assert_int_equal(project1(state, f, pred(ICE_OP_NOT_EQ, 1, ICE_T_INT,
	    1, iv(ICE_T_INT, 5)))->op, ICE_OP_TRUE);
	assert_int_equal(project1(state, f, pred(ICE_OP_IS_NAN, 1, ICE_T_INT,
	    0))->op, ICE_OP_TRUE);
}

static void
test_truncate_string_projects_prefixes(void **state)
{
	struct ice_pfield	 f = pf(1000, 2, ICE_XF_TRUNCATE, 3,
				    ICE_T_STRING);
	const struct ice_expr	*p;

	p = project1(state, f, pred(ICE_OP_STARTS_WITH, 2, ICE_T_STRING, 1,
	    STR("ab")));
	expect_pred(p, ICE_OP_STARTS_WITH, 1000, 1);
	assert_int_equal(p->lits[0].u.s.n, 2);
	p = project1(state, f, pred(ICE_OP_STARTS_WITH, 2, ICE_T_STRING, 1,
	    STR("abc")));
	expect_pred(p, ICE_OP_EQ, 1000, 1);
	p = project1(state, f, pred(ICE_OP_STARTS_WITH, 2, ICE_T_STRING, 1,
	    STR("abcd")));
	expect_pred(p, ICE_OP_STARTS_WITH, 1000, 1);
	assert_int_equal(p->lits[0].u.s.n, 3);
	p = project1(state, f, pred(ICE_OP_NOT_STARTS_WITH, 2, ICE_T_STRING,
	    1, STR("ab")));
	expect_pred(p, ICE_OP_NOT_STARTS_WITH, 1000, 1);
	p = project1(state, f, pred(ICE_OP_NOT_STARTS_WITH, 2, ICE_T_STRING,
	    1, STR("abc")));
	expect_pred(p, ICE_OP_NOT_EQ, 1000, 1);
	assert_int_equal(project1(state, f, pred(ICE_OP_NOT_STARTS_WITH, 2,
	    ICE_T_STRING, 1, STR("abcd")))->op, ICE_OP_TRUE);
	p = project1(state, f, pred(ICE_OP_LT, 2, ICE_T_STRING, 1,
	    STR("abcd")));
	expect_pred(p, ICE_OP_LT_EQ, 1000, 1);
	assert_int_equal(p->lits[0].u.s.n, 3);
	p = project1(state, f, pred(ICE_OP_GT, 2, ICE_T_STRING, 1,
	    STR("abcd")));
	expect_pred(p, ICE_OP_GT_EQ, 1000, 1);
	p = project1(state, f, pred(ICE_OP_EQ, 2, ICE_T_STRING, 1,
	    STR("abcd")));
	expect_pred(p, ICE_OP_EQ, 1000, 1);
	assert_memory_equal(p->lits[0].u.s.p, "abc", 3);
	/* code points, not bytes: a 3-letter accented prefix is at W */
	p = project1(state, f, pred(ICE_OP_STARTS_WITH, 2, ICE_T_STRING, 1,
	    STR("\xc3\xa9\xc3\xa9\xc3\xa9")));
	expect_pred(p, ICE_OP_EQ, 1000, 1);
}

static void
test_day_of_timestamp_projects_bounds(void **state)
{
	struct ice_pfield	 f = pf(1000, 3, ICE_XF_DAY, 0,
				    ICE_T_TIMESTAMP);
	int64_t			 day = INT64_C(86400000000);
	const struct ice_expr	*p;

	/* ts < midnight of day 10: day <= 9 */
	p = project1(state, f, pred(ICE_OP_LT, 3, ICE_T_TIMESTAMP, 1,
	    iv(ICE_T_TIMESTAMP, 10 * day)));
	expect_pred(p, ICE_OP_LT_EQ, 1000, 1);
	assert_int_equal(p->lits[0].u.i, 9);
	assert_int_equal(p->type.id, ICE_T_DATE);
	p = project1(state, f, pred(ICE_OP_LT_EQ, 3, ICE_T_TIMESTAMP, 1,
	    iv(ICE_T_TIMESTAMP, 10 * day)));
	assert_int_equal(p->lits[0].u.i, 10);
	/* ts > last microsecond of day 9: day >= 10 */
	p = project1(state, f, pred(ICE_OP_GT, 3, ICE_T_TIMESTAMP, 1,
	    iv(ICE_T_TIMESTAMP, 10 * day - 1)));
	expect_pred(p, ICE_OP_GT_EQ, 1000, 1);
	assert_int_equal(p->lits[0].u.i, 10);
	p = project1(state, f, pred(ICE_OP_GT_EQ, 3, ICE_T_TIMESTAMP, 1,
	    iv(ICE_T_TIMESTAMP, 10 * day - 1)));
	assert_int_equal(p->lits[0].u.i, 9);
	p = project1(state, f, pred(ICE_OP_EQ, 3, ICE_T_TIMESTAMP, 1,
	    iv(ICE_T_TIMESTAMP, 10 * day + 5)));
	expect_pred(p, ICE_OP_EQ, 1000, 1);
	assert_int_equal(p->lits[0].u.i, 10);
	p = project1(state, f, pred(ICE_OP_IN, 3, ICE_T_TIMESTAMP, 2,
	    iv(ICE_T_TIMESTAMP, 10 * day), iv(ICE_T_TIMESTAMP, 10 * day + 1)));
	expect_pred(p, ICE_OP_IN, 1000, 1);
	assert_int_equal(project1(state, f, pred(ICE_OP_NOT_EQ, 3,
	    ICE_T_TIMESTAMP, 1, iv(ICE_T_TIMESTAMP, 0)))->op, ICE_OP_TRUE);
	expect_pred(project1(state, f, pred(ICE_OP_NOT_NULL, 3,
	    ICE_T_TIMESTAMP, 0)), ICE_OP_NOT_NULL, 1000, 0);
}

static void
test_year_before_1970_widens(void **state)
{
	struct ice_pfield	 f = pf(1000, 4, ICE_XF_YEAR, 0, ICE_T_DATE);
	const struct ice_expr	*p;

	/* old writers put 1969 in year 0: eq -1 also looks at 0 */
	p = project1(state, f, pred(ICE_OP_EQ, 4, ICE_T_DATE, 1,
	    iv(ICE_T_DATE, -1)));
	expect_pred(p, ICE_OP_IN, 1000, 2);
	assert_int_equal(p->lits[0].u.i, -1);
	assert_int_equal(p->lits[1].u.i, 0);
	p = project1(state, f, pred(ICE_OP_LT_EQ, 4, ICE_T_DATE, 1,
	    iv(ICE_T_DATE, -400)));
	expect_pred(p, ICE_OP_LT_EQ, 1000, 1);
	assert_int_equal(p->lits[0].u.i, -1);
	p = project1(state, f, pred(ICE_OP_IN, 4, ICE_T_DATE, 2,
	    iv(ICE_T_DATE, -1), iv(ICE_T_DATE, 17486)));
	expect_pred(p, ICE_OP_IN, 1000, 3);
	p = project1(state, f, pred(ICE_OP_LT, 4, ICE_T_DATE, 1,
	    iv(ICE_T_DATE, 17486)));
	expect_pred(p, ICE_OP_LT_EQ, 1000, 1);
	assert_int_equal(p->lits[0].u.i, 47);
}

static void
test_projection_combines_and_drops(void **state)
{
	struct ice_pfield	 fs[4];
	struct ice_pspec	 s = { 0, fs, 4 };
	const struct ice_expr	*p;
	struct ice_expr		*on_id, *on_other;

	fs[0] = pf(1000, 1, ICE_XF_IDENTITY, 0, ICE_T_INT);
	fs[1] = pf(1001, 1, ICE_XF_BUCKET, 4, ICE_T_INT);
	fs[2] = pf(1002, 5, ICE_XF_IDENTITY, 0, ICE_T_INT);
	fs[2].source_known = 0;
	fs[3] = pf(1003, 6, ICE_XF_VOID, 0, ICE_T_INT);
	on_id = pred(ICE_OP_EQ, 1, ICE_T_INT, 1, iv(ICE_T_INT, 7));
	on_other = pred(ICE_OP_EQ, 2, ICE_T_INT, 1, iv(ICE_T_INT, 7));
	/* two fields share source 1: both projections hold */
	p = ice_expr_project(*state, on_id, &s);
	assert_int_equal(p->op, ICE_OP_AND);
	expect_pred(p->left, ICE_OP_EQ, 1000, 1);
	expect_pred(p->right, ICE_OP_EQ, 1001, 1);
	p = ice_expr_project(*state, bin(ICE_OP_AND, on_other, on_id), &s);
	assert_int_equal(p->op, ICE_OP_AND);
	assert_int_equal(ice_expr_project(*state, bin(ICE_OP_OR, on_other,
	    on_id), &s)->op, ICE_OP_TRUE);
	/* a dropped source and a void field never prune */
	assert_int_equal(ice_expr_project(*state, pred(ICE_OP_EQ, 5,
	    ICE_T_INT, 1, iv(ICE_T_INT, 1)), &s)->op, ICE_OP_TRUE);
	assert_int_equal(ice_expr_project(*state, pred(ICE_OP_IS_NULL, 6,
	    ICE_T_INT, 0), &s)->op, ICE_OP_TRUE);
	assert_int_equal(ice_expr_project(*state, ice_expr_false(), &s)->op,
	    ICE_OP_FALSE);
	assert_int_equal(ice_expr_project(*state, bin(ICE_OP_AND, on_id,
	    (struct ice_expr *)ice_expr_false()), &s)->op, ICE_OP_FALSE);
}

/* ---- partition tuples --------------------------------------------- */

static int
on_tuple(struct ice_expr *e, struct ice_value v)
{
	struct ice_pfield	f = pf(1000, 1, ICE_XF_IDENTITY, 0, v.tid);
	struct ice_pspec	s = { 0, &f, 1 };

	e->field_id = 1000;
	return (ice_eval_partition(e, &s, &v));
}

static void
test_partition_tuple_exact(void **state)
{
	struct ice_value	v = iv(ICE_T_INT, 5);

	assert_true(on_tuple(pred(ICE_OP_EQ, 0, ICE_T_INT, 1,
	    iv(ICE_T_INT, 5)), v));
	assert_false(on_tuple(pred(ICE_OP_EQ, 0, ICE_T_INT, 1,
	    iv(ICE_T_INT, 6)), v));
	assert_true(on_tuple(pred(ICE_OP_LT, 0, ICE_T_INT, 1,
	    iv(ICE_T_INT, 6)), v));
	assert_false(on_tuple(pred(ICE_OP_LT, 0, ICE_T_INT, 1,
	    iv(ICE_T_INT, 5)), v));
	assert_true(on_tuple(pred(ICE_OP_LT_EQ, 0, ICE_T_INT, 1,
	    iv(ICE_T_INT, 5)), v));
	assert_false(on_tuple(pred(ICE_OP_GT, 0, ICE_T_INT, 1,
	    iv(ICE_T_INT, 5)), v));
	assert_true(on_tuple(pred(ICE_OP_GT_EQ, 0, ICE_T_INT, 1,
	    iv(ICE_T_INT, 5)), v));
	assert_true(on_tuple(pred(ICE_OP_IN, 0, ICE_T_INT, 2,
	    iv(ICE_T_INT, 1), iv(ICE_T_INT, 5)), v));
	assert_false(on_tuple(pred(ICE_OP_NOT_IN, 0, ICE_T_INT, 2,
	    iv(ICE_T_INT, 1), iv(ICE_T_INT, 5)), v));
	assert_true(on_tuple(pred(ICE_OP_NOT_EQ, 0, ICE_T_INT, 1,
	    iv(ICE_T_INT, 4)), v));
	assert_false(on_tuple(pred(ICE_OP_IS_NULL, 0, ICE_T_INT, 0), v));
	assert_true(on_tuple(pred(ICE_OP_NOT_NULL, 0, ICE_T_INT, 0), v));
	assert_true(on_tuple(pred(ICE_OP_STARTS_WITH, 0, ICE_T_STRING, 1,
	    STR("ice")), STR("iceberg")));
	assert_false(on_tuple(pred(ICE_OP_STARTS_WITH, 0, ICE_T_STRING, 1,
	    STR("icy")), STR("iceberg")));
	assert_true(on_tuple(pred(ICE_OP_NOT_STARTS_WITH, 0, ICE_T_STRING, 1,
	    STR("icy")), STR("iceberg")));
}

static void
test_partition_tuple_nulls_and_nan(void **state)
{
	struct ice_value	n = nullv(ICE_T_INT), nan = dv(NAN);

	assert_true(on_tuple(pred(ICE_OP_IS_NULL, 0, ICE_T_INT, 0), n));
	assert_false(on_tuple(pred(ICE_OP_NOT_NULL, 0, ICE_T_INT, 0), n));
	assert_false(on_tuple(pred(ICE_OP_LT, 0, ICE_T_INT, 1,
	    iv(ICE_T_INT, 5)), n));
	assert_false(on_tuple(pred(ICE_OP_EQ, 0, ICE_T_INT, 1,
	    iv(ICE_T_INT, 5)), n));
	assert_true(on_tuple(pred(ICE_OP_NOT_EQ, 0, ICE_T_INT, 1,
	    iv(ICE_T_INT, 5)), n));
	assert_true(on_tuple(pred(ICE_OP_IS_NAN, 0, ICE_T_DOUBLE, 0), nan));
	assert_false(on_tuple(pred(ICE_OP_NOT_NAN, 0, ICE_T_DOUBLE, 0), nan));
	assert_false(on_tuple(pred(ICE_OP_IS_NAN, 0, ICE_T_DOUBLE, 0),
	    dv(1.0)));
	assert_false(on_tuple(pred(ICE_OP_IS_NAN, 0, ICE_T_DOUBLE, 0),
	    nullv(ICE_T_DOUBLE)));
	assert_false(on_tuple(pred(ICE_OP_LT, 0, ICE_T_DOUBLE, 1, dv(1.0)),
	    nan));
	assert_false(on_tuple(pred(ICE_OP_GT, 0, ICE_T_DOUBLE, 1, dv(1.0)),
	    nan));
	assert_true(on_tuple(pred(ICE_OP_NOT_EQ, 0, ICE_T_DOUBLE, 1,
	    dv(1.0)), nan));
}

static void
test_partition_projected_day_filter(void **state)
{
	struct ice_pfield	 f = pf(1000, 3, ICE_XF_DAY, 0,
				    ICE_T_TIMESTAMP);
	struct ice_pspec	 s = { 0, &f, 1 };
	int64_t			 day = INT64_C(86400000000);
	const struct ice_expr	*p;
	struct ice_value	 t;

	/* ts >= day 10 12:00 and ts < day 12 */
	p = ice_expr_project(*state, bin(ICE_OP_AND,
	    pred(ICE_OP_GT_EQ, 3, ICE_T_TIMESTAMP, 1,
	    iv(ICE_T_TIMESTAMP, 10 * day + day / 2)),
	    pred(ICE_OP_LT, 3, ICE_T_TIMESTAMP, 1,
	    iv(ICE_T_TIMESTAMP, 12 * day))), &s);
	t = iv(ICE_T_DATE, 9);
	assert_false(ice_eval_partition(p, &s, &t));
	t = iv(ICE_T_DATE, 10);
	assert_true(ice_eval_partition(p, &s, &t));
	t = iv(ICE_T_DATE, 11);
	assert_true(ice_eval_partition(p, &s, &t));
	t = iv(ICE_T_DATE, 12);
	assert_false(ice_eval_partition(p, &s, &t));
	t = nullv(ICE_T_DATE);
	assert_false(ice_eval_partition(p, &s, &t));
	/* or: either side */
	p = ice_expr_project(*state, bin(ICE_OP_OR,
	    pred(ICE_OP_EQ, 3, ICE_T_TIMESTAMP, 1, iv(ICE_T_TIMESTAMP, 0)),
	    pred(ICE_OP_IS_NULL, 3, ICE_T_TIMESTAMP, 0)), &s);
	assert_true(ice_eval_partition(p, &s, &t));
	t = iv(ICE_T_DATE, 0);
	assert_true(ice_eval_partition(p, &s, &t));
	t = iv(ICE_T_DATE, 1);
	assert_false(ice_eval_partition(p, &s, &t));
}


int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_bucket_hashes_are_appendix_b),
		T(test_decimal_hash_uses_minimal_twos_complement),
		T(test_truncate_floors_numbers),
		T(test_truncate_strings_by_code_points),
		T(test_dates_floor_before_1970),
		T(test_timestamps_floor_before_1970),
		T(test_nulls_void_and_misfits),
		T(test_pspec_bind_types_and_unknowns),
		T(test_identity_keeps_every_predicate),
		T(test_bucket_projects_eq_and_in_only),
		T(test_truncate_int_projects_bounds),
		T(test_truncate_string_projects_prefixes),
		T(test_day_of_timestamp_projects_bounds),
		T(test_year_before_1970_widens),
		T(test_projection_combines_and_drops),
		T(test_partition_tuple_exact),
		T(test_partition_tuple_nulls_and_nan),
		T(test_partition_projected_day_filter),
#undef T
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
