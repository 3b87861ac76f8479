/*
 * Scan planning's evaluators over what a manifest says of its files: the
 * inclusive rules of Java's ManifestEvaluator (partition summaries),
 * InclusiveMetricsEvaluator (column bounds and counts, as Appendix D
 * bytes) and ResidualEvaluator.  The transforms, projections and
 * partition tuples: test_scan_eval.c.
 */
#include "test_scan_util.h"

/* ---- Appendix D bytes -------------------------------------------- */

static unsigned char	bbuf[32][8];
static int		nbuf;

static const void *
le32(int32_t v)
{
	unsigned char	*b = bbuf[nbuf++ % 32];
	uint32_t	 u = (uint32_t)v;
	int		 i;

	for (i = 0; i < 4; i++)
		b[i] = (unsigned char)(u >> (8 * i));
	return (b);
}

static const void *
led(double d)
{
	unsigned char	*b = bbuf[nbuf++ % 32];
	uint64_t	 u;
	int		 i;

	memcpy(&u, &d, 8);
	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(u >> (8 * i));
	return (b);
}

/* ---- manifest summaries ------------------------------------------- */

static struct ice_field_summary
isum(int lo, int hi, int has_null)
{
	struct ice_field_summary	s;

	memset(&s, 0, sizeof(s));
	s.contains_null = has_null;
	s.contains_nan = -1;
	s.lower = le32(lo);
	s.lower_len = 4;
	s.upper = le32(hi);
	s.upper_len = 4;
	return (s);
}

static int
on_sum(struct ice_expr *e, struct ice_field_summary sm)
{
	struct ice_pfield	f = pf(1000, 1, ICE_XF_IDENTITY, 0, e->type.id);
	struct ice_pspec	s = { 0, &f, 1 };

	e->field_id = 1000;
	return (ice_eval_summaries(e, &s, &sm, 1));
}

#define I(x)	iv(ICE_T_INT, (x))

static void
test_summaries_bounds(void **state)
{
	struct ice_field_summary	s = isum(10, 20, 0);

	assert_false(on_sum(pred(ICE_OP_LT, 0, ICE_T_INT, 1, I(10)), s));
	assert_true(on_sum(pred(ICE_OP_LT, 0, ICE_T_INT, 1, I(11)), s));
	assert_false(on_sum(pred(ICE_OP_LT_EQ, 0, ICE_T_INT, 1, I(9)), s));
	assert_true(on_sum(pred(ICE_OP_LT_EQ, 0, ICE_T_INT, 1, I(10)), s));
	assert_false(on_sum(pred(ICE_OP_GT, 0, ICE_T_INT, 1, I(20)), s));
	assert_true(on_sum(pred(ICE_OP_GT, 0, ICE_T_INT, 1, I(19)), s));
	assert_false(on_sum(pred(ICE_OP_GT_EQ, 0, ICE_T_INT, 1, I(21)), s));
	assert_true(on_sum(pred(ICE_OP_GT_EQ, 0, ICE_T_INT, 1, I(20)), s));
	assert_false(on_sum(pred(ICE_OP_EQ, 0, ICE_T_INT, 1, I(25)), s));
	assert_false(on_sum(pred(ICE_OP_EQ, 0, ICE_T_INT, 1, I(5)), s));
	assert_true(on_sum(pred(ICE_OP_EQ, 0, ICE_T_INT, 1, I(15)), s));
	assert_false(on_sum(pred(ICE_OP_IN, 0, ICE_T_INT, 3, I(1), I(2),
	    I(30)), s));
	assert_true(on_sum(pred(ICE_OP_IN, 0, ICE_T_INT, 2, I(1), I(15)), s));
	assert_true(on_sum(pred(ICE_OP_NOT_EQ, 0, ICE_T_INT, 1, I(15)), s));
	assert_true(on_sum(pred(ICE_OP_NOT_IN, 0, ICE_T_INT, 1, I(15)), s));
	assert_false(on_sum(pred(ICE_OP_IS_NULL, 0, ICE_T_INT, 0), s));
	assert_true(on_sum(pred(ICE_OP_NOT_NULL, 0, ICE_T_INT, 0), s));
	s.contains_null = 1;
	assert_true(on_sum(pred(ICE_OP_IS_NULL, 0, ICE_T_INT, 0), s));
}

static void
test_summaries_all_null_and_nan(void **state)
{
	struct ice_field_summary	s;
	struct ice_pfield		f = pf(1000, 1, ICE_XF_IDENTITY, 0,
					    ICE_T_INT);
	struct ice_pspec		sp = { 0, &f, 1 };
	struct ice_expr			*e;

	memset(&s, 0, sizeof(s));
	s.contains_null = 1;
	s.contains_nan = -1;
	assert_false(on_sum(pred(ICE_OP_NOT_NULL, 0, ICE_T_INT, 0), s));
	assert_false(on_sum(pred(ICE_OP_LT, 0, ICE_T_INT, 1, I(10)), s));
	assert_false(on_sum(pred(ICE_OP_EQ, 0, ICE_T_INT, 1, I(10)), s));
	assert_false(on_sum(pred(ICE_OP_IN, 0, ICE_T_INT, 1, I(10)), s));
	assert_true(on_sum(pred(ICE_OP_NOT_EQ, 0, ICE_T_INT, 1, I(10)), s));
	assert_true(on_sum(pred(ICE_OP_IS_NULL, 0, ICE_T_INT, 0), s));
	/* a float without bounds may be all NaN: not-null needs nan=0 */
	assert_true(on_sum(pred(ICE_OP_NOT_NULL, 0, ICE_T_DOUBLE, 0), s));
	s.contains_nan = 0;
	assert_false(on_sum(pred(ICE_OP_NOT_NULL, 0, ICE_T_DOUBLE, 0), s));
	assert_false(on_sum(pred(ICE_OP_IS_NAN, 0, ICE_T_DOUBLE, 0), s));
	/* all NaN */
	s.contains_null = 0;
	s.contains_nan = 1;
	assert_false(on_sum(pred(ICE_OP_NOT_NAN, 0, ICE_T_DOUBLE, 0), s));
	assert_true(on_sum(pred(ICE_OP_IS_NAN, 0, ICE_T_DOUBLE, 0), s));
	assert_false(on_sum(pred(ICE_OP_GT, 0, ICE_T_DOUBLE, 1, dv(0)), s));
	s.lower = led(1.0);
	s.lower_len = 8;
	s.upper = led(2.0);
	s.upper_len = 8;
	assert_true(on_sum(pred(ICE_OP_NOT_NAN, 0, ICE_T_DOUBLE, 0), s));
	assert_false(on_sum(pred(ICE_OP_GT, 0, ICE_T_DOUBLE, 1, dv(2.0)), s));
	assert_true(on_sum(pred(ICE_OP_GT, 0, ICE_T_DOUBLE, 1, dv(1.5)), s));
	/* a missing summary may match */
	e = pred(ICE_OP_EQ, 1000, ICE_T_INT, 1, I(99));
	assert_true(ice_eval_summaries(e, &sp, NULL, 0));
	s = isum(1, 2, 0);
	assert_false(ice_eval_summaries(e, &sp, &s, 1));
	assert_true(ice_eval_summaries(bin(ICE_OP_OR, e,
	    pred(ICE_OP_EQ, 1000, ICE_T_INT, 1, I(2))), &sp, &s, 1));
	assert_false(ice_eval_summaries(bin(ICE_OP_AND, e,
	    pred(ICE_OP_EQ, 1000, ICE_T_INT, 1, I(2))), &sp, &s, 1));
}

static void
test_summaries_starts_with(void **state)
{
	struct ice_field_summary	s;

	memset(&s, 0, sizeof(s));
	s.contains_nan = -1;
	s.lower = "abc";
	s.lower_len = 3;
	s.upper = "abz";
	s.upper_len = 3;
	assert_true(on_sum(pred(ICE_OP_STARTS_WITH, 0, ICE_T_STRING, 1,
	    STR("ab")), s));
	assert_true(on_sum(pred(ICE_OP_STARTS_WITH, 0, ICE_T_STRING, 1,
	    STR("abd")), s));
	assert_false(on_sum(pred(ICE_OP_STARTS_WITH, 0, ICE_T_STRING, 1,
	    STR("b")), s));
	assert_false(on_sum(pred(ICE_OP_STARTS_WITH, 0, ICE_T_STRING, 1,
	    STR("aa")), s));
	assert_false(on_sum(pred(ICE_OP_STARTS_WITH, 0, ICE_T_STRING, 1,
	    STR("abb")), s));
	assert_false(on_sum(pred(ICE_OP_NOT_STARTS_WITH, 0, ICE_T_STRING, 1,
	    STR("ab")), s));
	assert_true(on_sum(pred(ICE_OP_NOT_STARTS_WITH, 0, ICE_T_STRING, 1,
	    STR("abc")), s));
	s.contains_null = 1;
	assert_true(on_sum(pred(ICE_OP_NOT_STARTS_WITH, 0, ICE_T_STRING, 1,
	    STR("ab")), s));
}

/* ---- column metrics ----------------------------------------------- */

static struct ice_col_metrics
icol(int32_t id, int64_t vals, int64_t nulls, int lo, int hi)
{
	struct ice_col_metrics	c;

	memset(&c, 0, sizeof(c));
	c.id = id;
	c.column_size = -1;
	c.value_count = vals;
	c.null_count = nulls;
	c.nan_count = -1;
	c.lower = le32(lo);
	c.lower_len = 4;
	c.upper = le32(hi);
	c.upper_len = 4;
	return (c);
}

static int
on_cols(struct ice_expr *e, const struct ice_col_metrics *c, size_t n,
    int64_t rows)
{
	struct ice_file_metrics	m = { rows, c, n };

	return (ice_eval_metrics(e, &m));
}

static void
test_metrics_bounds_and_counts(void **state)
{
	struct ice_col_metrics	c[2];

	c[0] = icol(1, 10, 0, 10, 20);
	c[1] = icol(2, 10, 10, 0, 0);
	c[1].lower = c[1].upper = NULL;
	assert_false(on_cols(pred(ICE_OP_LT, 1, ICE_T_INT, 1, I(10)), c, 2,
	    10));
	assert_true(on_cols(pred(ICE_OP_LT, 1, ICE_T_INT, 1, I(11)), c, 2,
	    10));
	assert_false(on_cols(pred(ICE_OP_GT, 1, ICE_T_INT, 1, I(20)), c, 2,
	    10));
	assert_true(on_cols(pred(ICE_OP_GT_EQ, 1, ICE_T_INT, 1, I(20)), c, 2,
	    10));
	assert_false(on_cols(pred(ICE_OP_EQ, 1, ICE_T_INT, 1, I(21)), c, 2,
	    10));
	assert_true(on_cols(pred(ICE_OP_EQ, 1, ICE_T_INT, 1, I(20)), c, 2,
	    10));
	assert_false(on_cols(pred(ICE_OP_IN, 1, ICE_T_INT, 2, I(1), I(30)),
	    c, 2, 10));
	assert_false(on_cols(pred(ICE_OP_IS_NULL, 1, ICE_T_INT, 0), c, 2, 10));
	assert_true(on_cols(pred(ICE_OP_NOT_NULL, 1, ICE_T_INT, 0), c, 2, 10));
	/* column 2 is all null */
	assert_false(on_cols(pred(ICE_OP_NOT_NULL, 2, ICE_T_INT, 0), c, 2,
	    10));
	assert_false(on_cols(pred(ICE_OP_EQ, 2, ICE_T_INT, 1, I(1)), c, 2,
	    10));
	assert_false(on_cols(pred(ICE_OP_LT, 2, ICE_T_INT, 1, I(1)), c, 2,
	    10));
	assert_false(on_cols(pred(ICE_OP_STARTS_WITH, 2, ICE_T_STRING, 1,
	    STR("a")), c, 2, 10));
	assert_true(on_cols(pred(ICE_OP_IS_NULL, 2, ICE_T_INT, 0), c, 2, 10));
	assert_true(on_cols(pred(ICE_OP_NOT_EQ, 2, ICE_T_INT, 1, I(1)), c, 2,
	    10));
	/* no rows: nothing matches; unknown count: anything may */
	assert_false(on_cols(pred(ICE_OP_NOT_EQ, 1, ICE_T_INT, 1, I(1)), c,
	    2, 0));
	assert_true(on_cols(pred(ICE_OP_EQ, 1, ICE_T_INT, 1, I(99)), c, 2,
	    -1));
	/* a column without metrics may match */
	assert_true(on_cols(pred(ICE_OP_EQ, 3, ICE_T_INT, 1, I(99)), c, 2,
	    10));
	/* and/or */
	assert_false(on_cols(bin(ICE_OP_AND, pred(ICE_OP_EQ, 1, ICE_T_INT, 1,
	    I(15)), pred(ICE_OP_EQ, 2, ICE_T_INT, 1, I(15))), c, 2, 10));
	assert_true(on_cols(bin(ICE_OP_OR, pred(ICE_OP_EQ, 1, ICE_T_INT, 1,
	    I(15)), pred(ICE_OP_EQ, 2, ICE_T_INT, 1, I(15))), c, 2, 10));
}

static void
test_metrics_absent_bounds_and_counts_may_match(void **state)
{
	struct ice_col_metrics	c = icol(1, -1, -1, 0, 0);

	c.lower = c.upper = NULL;
	assert_true(on_cols(pred(ICE_OP_EQ, 1, ICE_T_INT, 1, I(1)), &c, 1,
	    10));
	assert_true(on_cols(pred(ICE_OP_IS_NULL, 1, ICE_T_INT, 0), &c, 1,
	    10));
	assert_true(on_cols(pred(ICE_OP_NOT_NULL, 1, ICE_T_INT, 0), &c, 1,
	    10));
	/* an upper bound alone still rules out gt */
	c.upper = le32(5);
	c.upper_len = 4;
	assert_false(on_cols(pred(ICE_OP_GT, 1, ICE_T_INT, 1, I(5)), &c, 1,
	    10));
	assert_true(on_cols(pred(ICE_OP_LT, 1, ICE_T_INT, 1, I(-100)), &c, 1,
	    10));
	/* a bound that is not a value of the type says nothing */
	c.upper_len = 3;
	assert_true(on_cols(pred(ICE_OP_GT, 1, ICE_T_INT, 1, I(5)), &c, 1,
	    10));
}

static void
test_metrics_nan(void **state)
{
	struct ice_col_metrics	c;

	memset(&c, 0, sizeof(c));
	c.id = 1;
	c.value_count = 10;
	c.null_count = 0;
	c.nan_count = 0;
	c.lower = led(1.0);
	c.lower_len = 8;
	c.upper = led(NAN);
	c.upper_len = 8;
	assert_false(on_cols(pred(ICE_OP_IS_NAN, 1, ICE_T_DOUBLE, 0), &c, 1,
	    10));
	assert_true(on_cols(pred(ICE_OP_NOT_NAN, 1, ICE_T_DOUBLE, 0), &c, 1,
	    10));
	/* a NaN upper bound is not trusted */
	assert_true(on_cols(pred(ICE_OP_GT, 1, ICE_T_DOUBLE, 1, dv(1e9)), &c,
	    1, 10));
	assert_false(on_cols(pred(ICE_OP_LT, 1, ICE_T_DOUBLE, 1, dv(1.0)),
	    &c, 1, 10));
	c.upper = led(2.0);
	assert_false(on_cols(pred(ICE_OP_GT, 1, ICE_T_DOUBLE, 1, dv(1e9)),
	    &c, 1, 10));
	/* all NaN: no comparison holds, not-nan cannot */
	c.nan_count = 10;
	assert_false(on_cols(pred(ICE_OP_NOT_NAN, 1, ICE_T_DOUBLE, 0), &c, 1,
	    10));
	assert_false(on_cols(pred(ICE_OP_GT, 1, ICE_T_DOUBLE, 1, dv(0)), &c,
	    1, 10));
	assert_true(on_cols(pred(ICE_OP_IS_NAN, 1, ICE_T_DOUBLE, 0), &c, 1,
	    10));
	/* all null: no NaN either */
	c.nan_count = -1;
	c.null_count = 10;
	assert_false(on_cols(pred(ICE_OP_IS_NAN, 1, ICE_T_DOUBLE, 0), &c, 1,
	    10));
}

static void
test_metrics_long_in_list_may_match(void **state)
{
	static struct ice_value	lits[201];
	struct ice_col_metrics	c = icol(1, 10, 0, 10, 20);
	struct ice_expr		e;
	int			i;

	for (i = 0; i < 201; i++)
		lits[i] = I(1000 + i);
	memset(&e, 0, sizeof(e));
	e.op = ICE_OP_IN;
	e.field_id = 1;
	e.type = ty(ICE_T_INT);
	e.lits = lits;
	e.nlits = 201;
	assert_true(on_cols(&e, &c, 1, 10));
	e.nlits = 200;
	assert_false(on_cols(&e, &c, 1, 10));
}

static struct ice_col_metrics
scol(const char *lo, const char *hi, int64_t nulls)
{
	struct ice_col_metrics	c;

	memset(&c, 0, sizeof(c));
	c.id = 1;
	c.value_count = 10;
	c.null_count = nulls;
	c.nan_count = -1;
	c.lower = lo;
	c.lower_len = lo ? strlen(lo) : 0;
	c.upper = hi;
	c.upper_len = hi ? strlen(hi) : 0;
	return (c);
}

#define S(op, s)	pred((op), 1, ICE_T_STRING, 1, STR(s))

static void
test_metrics_truncated_string_bounds(void **state)
{
	/* values "abc..." to "abcz...", bounds cut to 3 (upper rounded up) */
	struct ice_col_metrics	c = scol("abc", "abd", 0);

	assert_true(on_cols(S(ICE_OP_EQ, "abcxyz"), &c, 1, 10));
	assert_false(on_cols(S(ICE_OP_EQ, "abe"), &c, 1, 10));
	assert_false(on_cols(S(ICE_OP_EQ, "abb"), &c, 1, 10));
	assert_true(on_cols(S(ICE_OP_LT, "abcd"), &c, 1, 10));
	assert_false(on_cols(S(ICE_OP_LT, "abc"), &c, 1, 10));
	assert_true(on_cols(S(ICE_OP_GT, "abcz"), &c, 1, 10));
	assert_false(on_cols(S(ICE_OP_GT, "abd"), &c, 1, 10));
	assert_true(on_cols(S(ICE_OP_STARTS_WITH, "abc"), &c, 1, 10));
	assert_true(on_cols(S(ICE_OP_STARTS_WITH, "abcdef"), &c, 1, 10));
	assert_true(on_cols(S(ICE_OP_STARTS_WITH, "a"), &c, 1, 10));
	assert_false(on_cols(S(ICE_OP_STARTS_WITH, "abe"), &c, 1, 10));
	assert_false(on_cols(S(ICE_OP_STARTS_WITH, "abb"), &c, 1, 10));
	/* the upper bound "abd" does not carry "abc": may match */
	assert_true(on_cols(S(ICE_OP_NOT_STARTS_WITH, "abc"), &c, 1, 10));
	c = scol("abc1", "abc9", 0);
	assert_false(on_cols(S(ICE_OP_NOT_STARTS_WITH, "abc"), &c, 1, 10));
	assert_true(on_cols(S(ICE_OP_NOT_STARTS_WITH, "abc5"), &c, 1, 10));
	c = scol("abc1", "abc9", -1);
	assert_true(on_cols(S(ICE_OP_NOT_STARTS_WITH, "abc"), &c, 1, 10));
	c = scol("abc1", "abc9", 2);
	assert_true(on_cols(S(ICE_OP_NOT_STARTS_WITH, "abc"), &c, 1, 10));
}

/* ---- residuals ---------------------------------------------------- */

static void
test_residual_identity_decides(void **state)
{
	struct ice_pfield	 f = pf(1000, 1, ICE_XF_IDENTITY, 0,
				    ICE_T_INT);
	struct ice_pspec	 s = { 0, &f, 1 };
	struct ice_value	 t = I(5);
	struct ice_expr		*other = pred(ICE_OP_GT, 2, ICE_T_INT, 1,
				    I(0));
	const struct ice_expr	*r;

	r = ice_expr_residual(*state, pred(ICE_OP_EQ, 1, ICE_T_INT, 1, I(5)),
	    &s, &t);
	assert_int_equal(r->op, ICE_OP_TRUE);
	r = ice_expr_residual(*state, pred(ICE_OP_EQ, 1, ICE_T_INT, 1, I(6)),
	    &s, &t);
	assert_int_equal(r->op, ICE_OP_FALSE);
	r = ice_expr_residual(*state, bin(ICE_OP_AND, pred(ICE_OP_LT, 1,
	    ICE_T_INT, 1, I(9)), other), &s, &t);
	assert_ptr_equal(r, other);
	r = ice_expr_residual(*state, bin(ICE_OP_AND, pred(ICE_OP_LT, 1,
	    ICE_T_INT, 1, I(2)), other), &s, &t);
	assert_int_equal(r->op, ICE_OP_FALSE);
	r = ice_expr_residual(*state, bin(ICE_OP_OR, pred(ICE_OP_LT, 1,
	    ICE_T_INT, 1, I(2)), other), &s, &t);
	assert_ptr_equal(r, other);
	r = ice_expr_residual(*state, bin(ICE_OP_OR, pred(ICE_OP_LT, 1,
	    ICE_T_INT, 1, I(9)), other), &s, &t);
	assert_int_equal(r->op, ICE_OP_TRUE);
	/* a predicate no partition field decides stays itself */
	assert_ptr_equal(ice_expr_residual(*state, other, &s, &t), other);
	/* a null partition value */
	t = nullv(ICE_T_INT);
	assert_int_equal(ice_expr_residual(*state, pred(ICE_OP_IS_NULL, 1,
	    ICE_T_INT, 0), &s, &t)->op, ICE_OP_TRUE);
	assert_int_equal(ice_expr_residual(*state, pred(ICE_OP_EQ, 1,
	    ICE_T_INT, 1, I(5)), &s, &t)->op, ICE_OP_FALSE);
	/* a tuple value of another type decides nothing */
	t = STR("5");
	r = pred(ICE_OP_EQ, 1, ICE_T_INT, 1, I(5));
	assert_ptr_equal(ice_expr_residual(*state, r, &s, &t), r);
}

static void
test_residual_other_transforms_only_exclude(void **state)
{
	struct ice_pfield	 f = pf(1000, 3, ICE_XF_DAY, 0,
				    ICE_T_TIMESTAMP);
	struct ice_pspec	 s = { 0, &f, 1 };
	int64_t			 day = INT64_C(86400000000);
	struct ice_value	 t = iv(ICE_T_DATE, 10);
	struct ice_expr		*gt;

	gt = pred(ICE_OP_GT, 3, ICE_T_TIMESTAMP, 1,
	    iv(ICE_T_TIMESTAMP, 10 * day + 5));
	/* day 10 may hold later rows: kept, not folded to true */
	assert_ptr_equal(ice_expr_residual(*state, gt, &s, &t), gt);
	t = iv(ICE_T_DATE, 11);
	assert_ptr_equal(ice_expr_residual(*state, gt, &s, &t), gt);
	t = iv(ICE_T_DATE, 9);
	assert_int_equal(ice_expr_residual(*state, gt, &s, &t)->op,
	    ICE_OP_FALSE);
	/* not-eq on a day partition is never decided */
	gt = pred(ICE_OP_NOT_EQ, 3, ICE_T_TIMESTAMP, 1,
	    iv(ICE_T_TIMESTAMP, 0));
	assert_ptr_equal(ice_expr_residual(*state, gt, &s, &t), gt);
	/* bucket: eq of another bucket is false */
	f = pf(1000, 1, ICE_XF_BUCKET, 16, ICE_T_INT);
	t = I(2017239379 % 16);
	gt = pred(ICE_OP_EQ, 1, ICE_T_INT, 1, I(34));
	assert_ptr_equal(ice_expr_residual(*state, gt, &s, &t), gt);
	t = I((2017239379 % 16 + 1) % 16);
	assert_int_equal(ice_expr_residual(*state, gt, &s, &t)->op,
	    ICE_OP_FALSE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_summaries_bounds),
		T(test_summaries_all_null_and_nan),
		T(test_summaries_starts_with),
		T(test_metrics_bounds_and_counts),
		T(test_metrics_absent_bounds_and_counts_may_match),
		T(test_metrics_nan),
		T(test_metrics_long_in_list_may_match),
		T(test_metrics_truncated_string_bounds),
		T(test_residual_identity_decides),
		T(test_residual_other_transforms_only_exclude),
#undef T
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
