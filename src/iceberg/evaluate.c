/*
 * The three evaluators of scan planning.  A partition tuple is exact
 * (every row of a file has that tuple); manifest summaries and column
 * metrics are ranges and counts, so they can only prove that no row
 * matches.  The rules follow the spec's scan planning and Java's
 * Evaluator, ManifestEvaluator and InclusiveMetricsEvaluator, so that
 * the files planned here are the files a Java client would read.
 *
 * Null and NaN semantics are two-valued: a comparison (lt, eq, in,
 * starts-with...) is false on a null or a NaN, and the negated
 * predicates (not-eq, not-in, not-starts-with) are its complement, so
 * they hold on nulls and NaN.
 */
#include <string.h>

#include "iceberg/manifest.h"
#include "iceberg/scan.h"

#define MAY	1
#define NONE	0
/* Java's limit: longer in-lists are not worth checking against bounds. */
#define IN_LIMIT	200

static int
is_float(enum ice_tid t)
{
	return (t == ICE_T_FLOAT || t == ICE_T_DOUBLE);
}

static int
is_nan(const struct ice_value *v)
{
	return (!v->is_null && is_float(v->tid) && ice_value_is_nan(v));
}

static int
pfield(const struct ice_pspec *spec, int32_t id)
{
	size_t	i;

	for (i = 0; i < spec->nfields; i++) {
		if (spec->fields[i].field_id == id)
			return ((int)i);
	}
	return (-1);
}

static int
starts(const unsigned char *p, size_t n, const struct ice_value *pre)
{
	return (n >= pre->u.s.n && memcmp(p, pre->u.s.p, pre->u.s.n) == 0);
}

/* A comparison of a non-null, non-NaN value with e's literals. */
static int
compare(const struct ice_expr *e, const struct ice_value *v)
{
	size_t	i;

	switch (e->op) {
	case ICE_OP_LT:
		return (ice_value_cmp(v, &e->lits[0]) < 0);
	case ICE_OP_LT_EQ:
		return (ice_value_cmp(v, &e->lits[0]) <= 0);
	case ICE_OP_GT:
		return (ice_value_cmp(v, &e->lits[0]) > 0);
	case ICE_OP_GT_EQ:
		return (ice_value_cmp(v, &e->lits[0]) >= 0);
	case ICE_OP_EQ:
		return (ice_value_cmp(v, &e->lits[0]) == 0);
	case ICE_OP_IN:
		for (i = 0; i < e->nlits; i++) {
			if (ice_value_cmp(v, &e->lits[i]) == 0)
				return (1);
		}
		return (0);
	case ICE_OP_STARTS_WITH:
		return (starts(v->u.s.p, v->u.s.n, &e->lits[0]));
	default:
		return (MAY);
	}
}

static enum ice_op
positive(enum ice_op op)
{
	switch (op) {
	case ICE_OP_NOT_EQ:
		return (ICE_OP_EQ);
	case ICE_OP_NOT_IN:
		return (ICE_OP_IN);
	case ICE_OP_NOT_STARTS_WITH:
		return (ICE_OP_STARTS_WITH);
	default:
		return (op);
	}
}

static int
literal_fits(const struct ice_expr *e, const struct ice_value *v)
{
	size_t	i;

	if (e->nlits == 0)
		return (0);
	for (i = 0; i < e->nlits; i++) {
		if (e->lits[i].tid != v->tid || e->lits[i].is_null)
			return (0);
	}
	if ((e->op == ICE_OP_STARTS_WITH || e->op == ICE_OP_NOT_STARTS_WITH) &&
	    v->tid != ICE_T_STRING)
		return (0);
	return (1);
}

/* One predicate on one exact value. */
static int
test(const struct ice_expr *e, const struct ice_value *v)
{
	struct ice_expr	pos;
	int		r;

	switch (e->op) {
	case ICE_OP_IS_NULL:
		return (v->is_null);
	case ICE_OP_NOT_NULL:
		return (!v->is_null);
	case ICE_OP_IS_NAN:
		return (is_nan(v));
	case ICE_OP_NOT_NAN:
		return (!is_nan(v));
	default:
		break;
	}
	pos = *e;
	pos.op = positive(e->op);
	if (v->is_null || is_nan(v))
		r = 0;
	else if (!literal_fits(e, v))
		return (MAY);	/* a tuple of another type: cannot judge */
	else
		r = compare(&pos, v);
	return (pos.op == e->op ? r : !r);
}

int
ice_eval_partition(const struct ice_expr *e, const struct ice_pspec *spec,
    const struct ice_value *tuple)
{
	int	i;

	switch (e->op) {
	case ICE_OP_TRUE:
		return (1);
	case ICE_OP_FALSE:
		return (0);
	case ICE_OP_AND:
		return (ice_eval_partition(e->left, spec, tuple) &&
		    ice_eval_partition(e->right, spec, tuple));
	case ICE_OP_OR:
		return (ice_eval_partition(e->left, spec, tuple) ||
		    ice_eval_partition(e->right, spec, tuple));
	case ICE_OP_NOT:
		return (MAY);
	default:
		if ((i = pfield(spec, e->field_id)) == -1)
			return (MAY);
		return (test(e, &tuple[i]));
	}
}

/* ---- ranges: what [lower, upper] rules out ------------------------ */

static int
within(const struct ice_value *lo, const struct ice_value *hi,
    const struct ice_value *v)
{
	return ((lo == NULL || ice_value_cmp(lo, v) <= 0) &&
	    (hi == NULL || ice_value_cmp(hi, v) >= 0));
}

/*
 * A range of non-null values (lower and upper may each be absent: NULL)
 * against a comparison; lower and upper are never NaN here.  Shared by
 * the summary and the metrics evaluators.
 */
static int
range_cmp(const struct ice_expr *e, const struct ice_value *lo,
    const struct ice_value *hi)
{
	const struct ice_value	*lit = &e->lits[0];
	size_t			 i;

	switch (e->op) {
	case ICE_OP_LT:
		return (lo == NULL || ice_value_cmp(lo, lit) < 0);
	case ICE_OP_LT_EQ:
		return (lo == NULL || ice_value_cmp(lo, lit) <= 0);
	case ICE_OP_GT:
		return (hi == NULL || ice_value_cmp(hi, lit) > 0);
	case ICE_OP_GT_EQ:
		return (hi == NULL || ice_value_cmp(hi, lit) >= 0);
	case ICE_OP_EQ:
		return (within(lo, hi, lit));
	case ICE_OP_IN:
		for (i = 0; i < e->nlits; i++) {
			if (within(lo, hi, &e->lits[i]))
				return (MAY);
		}
		return (NONE);
	default:
		return (MAY);
	}
}

/* Raw bound bytes cut to the prefix's length, against the prefix: the
 * order of UTF-8 bytes is the order of code points. */
static int
cut_cmp(const void *b, size_t n, const struct ice_value *pre)
{
	size_t	m = n < pre->u.s.n ? n : pre->u.s.n;
	int	c;

	if ((c = memcmp(b, pre->u.s.p, m)) != 0)
		return (c);
	return (m < pre->u.s.n ? -1 : 0);
}

/* starts-with against raw (possibly truncated) bounds. */
static int
range_starts(const struct ice_value *pre, const void *lo, size_t lo_n,
    const void *hi, size_t hi_n)
{
	if (lo != NULL && cut_cmp(lo, lo_n, pre) > 0)
		return (NONE);
	if (hi != NULL && cut_cmp(hi, hi_n, pre) < 0)
		return (NONE);
	return (MAY);
}

/* not-starts-with rules out a range only when both ends carry the
 * prefix: every string between them then does too. */
static int
range_not_starts(const struct ice_value *pre, const void *lo, size_t lo_n,
    const void *hi, size_t hi_n)
{
	if (lo == NULL || hi == NULL)
		return (MAY);
	if (starts(lo, lo_n, pre) && starts(hi, hi_n, pre))
		return (NONE);
	return (MAY);
}

static int
decode(const struct ice_type *t, const void *b, size_t n,
    struct ice_value *out)
{
	if (b == NULL || ice_value_decode(t, b, n, out) == -1 ||
	    out->is_null)
		return (0);
	return (1);
}

/*
 * A comparison against Appendix D bounds of e's type.  A bound that
 * does not decode is absent; a NaN bound comes from a writer that did
 * not keep NaN out of its bounds and says nothing: as Java, the bound a
 * comparison needs being NaN means "may match", and eq and in need both.
 */
static int
bounds_cmp(const struct ice_expr *e, const void *lb, size_t ln,
    const void *ub, size_t un)
{
	struct ice_value	lo, hi;
	int			has_lo, has_hi;

	has_lo = decode(&e->type, lb, ln, &lo);
	has_hi = decode(&e->type, ub, un, &hi);
	if ((has_lo && is_nan(&lo)) || (has_hi && is_nan(&hi))) {
		if (e->op == ICE_OP_EQ || e->op == ICE_OP_IN)
			return (MAY);
		if (has_lo && is_nan(&lo))
			has_lo = 0;
		if (has_hi && is_nan(&hi))
			has_hi = 0;
	}
	return (range_cmp(e, has_lo ? &lo : NULL, has_hi ? &hi : NULL));
}

static int
is_comparison(enum ice_op op)
{
	switch (op) {
	case ICE_OP_LT:
	case ICE_OP_LT_EQ:
	case ICE_OP_GT:
	case ICE_OP_GT_EQ:
	case ICE_OP_EQ:
	case ICE_OP_IN:
	case ICE_OP_STARTS_WITH:
		return (1);
	default:
		return (0);
	}
}

/* ---- manifest partition summaries --------------------------------- */

/*
 * A summary's bounds cover its non-null, non-NaN values; both are absent
 * when there are none.  Floats may be absent because all were NaN, so
 * "all null" needs contains_nan known to be false for them.
 */
static int
sum_all_null(const struct ice_field_summary *s, const struct ice_type *t)
{
	if (!s->contains_null || s->lower != NULL)
		return (0);
	if (is_float(t->id))
		return (s->contains_nan == 0);
	return (1);
}

static int
sum_pred(const struct ice_expr *e, const struct ice_field_summary *s)
{
	switch (e->op) {
	case ICE_OP_IS_NULL:
		return (s->contains_null ? MAY : NONE);
	case ICE_OP_NOT_NULL:
		return (sum_all_null(s, &e->type) ? NONE : MAY);
	case ICE_OP_IS_NAN:
		return (s->contains_nan == 0 ? NONE : MAY);
	case ICE_OP_NOT_NAN:
		return (s->contains_nan == 1 && !s->contains_null &&
		    s->lower == NULL ? NONE : MAY);
	case ICE_OP_NOT_STARTS_WITH:
		if (s->contains_null || e->nlits != 1)
			return (MAY);
		return (range_not_starts(&e->lits[0], s->lower, s->lower_len,
		    s->upper, s->upper_len));
	default:
		break;
	}
	if (!is_comparison(e->op) || e->nlits == 0)
		return (MAY);
	if (s->lower == NULL)	/* only nulls and NaN: none holds */
		return (s->contains_null || s->contains_nan == 1 ? NONE : MAY);
	if (e->op == ICE_OP_STARTS_WITH)
		return (range_starts(&e->lits[0], s->lower, s->lower_len,
		    s->upper, s->upper_len));
	return (bounds_cmp(e, s->lower, s->lower_len, s->upper,
	    s->upper_len));
}

int
ice_eval_summaries(const struct ice_expr *e, const struct ice_pspec *spec,
    const struct ice_field_summary *sums, size_t n)
{
	int	i;

	switch (e->op) {
	case ICE_OP_TRUE:
		return (MAY);
	case ICE_OP_FALSE:
		return (NONE);
	case ICE_OP_AND:
		return (ice_eval_summaries(e->left, spec, sums, n) &&
		    ice_eval_summaries(e->right, spec, sums, n));
	case ICE_OP_OR:
		return (ice_eval_summaries(e->left, spec, sums, n) ||
		    ice_eval_summaries(e->right, spec, sums, n));
	case ICE_OP_NOT:
		return (MAY);
	default:
		if ((i = pfield(spec, e->field_id)) == -1 || (size_t)i >= n)
			return (MAY);
		return (sum_pred(e, &sums[i]));
	}
}

/* ---- data file column metrics ------------------------------------- */

static const struct ice_col_metrics *
column(const struct ice_file_metrics *m, int32_t id)
{
	size_t	lo = 0, hi = m->ncols, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (m->cols[mid].id == id)
			return (&m->cols[mid]);
		if (m->cols[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (NULL);
}

static int
nulls_only(const struct ice_col_metrics *c)
{
	return (c->value_count >= 0 && c->null_count >= 0 &&
	    c->value_count == c->null_count);
}

static int
nans_only(const struct ice_col_metrics *c)
{
	return (c->value_count >= 0 && c->nan_count >= 0 &&
	    c->value_count == c->nan_count);
}

static int
col_pred(const struct ice_expr *e, const struct ice_col_metrics *c)
{
	switch (e->op) {
	case ICE_OP_IS_NULL:
		return (c->null_count == 0 ? NONE : MAY);
	case ICE_OP_NOT_NULL:
		return (nulls_only(c) ? NONE : MAY);
	case ICE_OP_IS_NAN:
		return (c->nan_count == 0 || nulls_only(c) ? NONE : MAY);
	case ICE_OP_NOT_NAN:
		return (nans_only(c) ? NONE : MAY);
	case ICE_OP_NOT_STARTS_WITH:
		if (c->null_count != 0 || e->nlits != 1)
			return (MAY);	/* a null does not start with it */
		return (range_not_starts(&e->lits[0], c->lower, c->lower_len,
		    c->upper, c->upper_len));
	default:
		break;
	}
	if (!is_comparison(e->op) || e->nlits == 0)
		return (MAY);
	if (nulls_only(c) || nans_only(c))
		return (NONE);
	if (e->op == ICE_OP_STARTS_WITH)
		return (range_starts(&e->lits[0], c->lower, c->lower_len,
		    c->upper, c->upper_len));
	if (e->op == ICE_OP_IN && e->nlits > IN_LIMIT)
		return (MAY);
	return (bounds_cmp(e, c->lower, c->lower_len, c->upper,
	    c->upper_len));
}

int
ice_eval_metrics(const struct ice_expr *e, const struct ice_file_metrics *m)
{
	const struct ice_col_metrics	*c;

	if (m->record_count == 0)
		return (NONE);
	if (m->record_count < 0)
		return (MAY);	/* imported files without a count */
	switch (e->op) {
	case ICE_OP_TRUE:
		return (MAY);
	case ICE_OP_FALSE:
		return (NONE);
	case ICE_OP_AND:
		return (ice_eval_metrics(e->left, m) &&
		    ice_eval_metrics(e->right, m));
	case ICE_OP_OR:
		return (ice_eval_metrics(e->left, m) ||
		    ice_eval_metrics(e->right, m));
	case ICE_OP_NOT:
		return (MAY);
	default:
		if ((c = column(m, e->field_id)) == NULL)
			return (MAY);
		return (col_pred(e, c));
	}
}
