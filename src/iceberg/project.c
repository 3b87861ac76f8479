/*
 * Inclusive projection (spec "Scan Planning"): a row filter becomes a
 * filter on partition values that is true for every partition that may
 * hold a matching row.  Each transform projects what it can; the rest
 * becomes true.  When several partition fields share a source, their
 * projections all hold, so they are and-ed.
 */
#include <stdlib.h>
#include <string.h>

#include "iceberg/scan.h"
#include "util/arena.h"

#define OOM	(-1)

static const struct ice_expr *
fold_and(struct pgl_arena *a, const struct ice_expr *l,
    const struct ice_expr *r)
{
	struct ice_expr	*e;

	if (l == NULL || r == NULL)
		return (NULL);
	if (l->op == ICE_OP_FALSE || r->op == ICE_OP_TRUE)
		return (l);
	if (r->op == ICE_OP_FALSE || l->op == ICE_OP_TRUE)
		return (r);
	if ((e = pgl_arena_alloc(a, sizeof(*e))) == NULL)
		return (NULL);
	memset(e, 0, sizeof(*e));
	e->op = ICE_OP_AND;
	e->left = (struct ice_expr *)l;
	e->right = (struct ice_expr *)r;
	return (e);
}

static const struct ice_expr *
fold_or(struct pgl_arena *a, const struct ice_expr *l,
    const struct ice_expr *r)
{
	struct ice_expr	*e;

	if (l == NULL || r == NULL)
		return (NULL);
	if (l->op == ICE_OP_TRUE || r->op == ICE_OP_FALSE)
		return (l);
	if (r->op == ICE_OP_TRUE || l->op == ICE_OP_FALSE)
		return (r);
	if ((e = pgl_arena_alloc(a, sizeof(*e))) == NULL)
		return (NULL);
	memset(e, 0, sizeof(*e));
	e->op = ICE_OP_OR;
	e->left = (struct ice_expr *)l;
	e->right = (struct ice_expr *)r;
	return (e);
}

/* A predicate on partition field f. */
static const struct ice_expr *
mkpred(struct pgl_arena *a, enum ice_op op, const struct ice_pfield *f,
    const struct ice_value *lits, size_t nlits)
{
	struct ice_expr	*e;

	if ((e = pgl_arena_alloc(a, sizeof(*e))) == NULL)
		return (NULL);
	memset(e, 0, sizeof(*e));
	e->op = op;
	e->field_id = f->field_id;
	e->name = f->name;
	e->type = f->result_type;
	e->lits = lits;
	e->nlits = nlits;
	return (e);
}

/*
 * Room for n values.  A value holds an __int128, so it needs 16-byte
 * alignment, which the arena's chunks do not promise (their data starts
 * 8 bytes past a 16-byte boundary).
 */
static struct ice_value *
values(struct pgl_arena *a, size_t n)
{
	const uintptr_t	 al = _Alignof(struct ice_value) - 1;
	uintptr_t	 p;

	if ((p = (uintptr_t)pgl_arena_alloc(a, n * sizeof(struct ice_value) +
	    al)) == 0)
		return (NULL);
	return ((struct ice_value *)((p + al) & ~al));
}

/* One transformed literal, in the arena. */
static int
xlit(struct pgl_arena *a, const struct ice_pfield *f,
    const struct ice_value *v, struct ice_value **out)
{
	*out = NULL;
	if ((*out = values(a, 1)) == NULL)
		return (OOM);
	if (ice_transform_apply(f, v, *out) == -1 || (*out)->is_null) {
		*out = NULL;	/* cannot project: true */
		return (0);
	}
	return (0);
}

static int
cmp_values(const void *x, const void *y)
{
	return (ice_value_cmp(x, y));
}

/* Sort and drop duplicates: an in-list's contract. */
static size_t
uniq(struct ice_value *v, size_t n)
{
	size_t	i, k = 0;

	if (n == 0)
		return (0);
	qsort(v, n, sizeof(*v), cmp_values);
	for (i = 1; i < n; i++) {
		if (ice_value_cmp(&v[k], &v[i]) != 0)
			v[++k] = v[i];
	}
	return (k + 1);
}

/* in(transform(v) for each v), with room for one extra per value that
 * the pre-1970 widening below may add. */
static const struct ice_expr *
xset(struct pgl_arena *a, const struct ice_expr *e,
    const struct ice_pfield *f, int widen)
{
	struct ice_value	*out;
	size_t			 i, n = 0;

	if ((out = values(a, 2 * (e->nlits + 1))) == NULL)
		return (NULL);
	for (i = 0; i < e->nlits; i++) {
		if (ice_transform_apply(f, &e->lits[i], &out[n]) == -1 ||
		    out[n].is_null)
			return (ice_expr_true());
		if (widen && out[n].u.i < 0) {
			out[n + 1] = out[n];
			out[n + 1].u.i++;
			n++;
		}
		n++;
	}
	return (mkpred(a, ICE_OP_IN, f, out, uniq(out, n)));
}

/* v + d for the integer-like types ordering is defined on; -1 when it
 * would leave the type's range (no projection then). */
static int
step(const struct ice_value *v, int d, struct ice_value *out)
{
	*out = *v;
	switch (v->tid) {
	case ICE_T_DECIMAL:
		out->u.dec += d;
		return (0);
	case ICE_T_INT:
	case ICE_T_DATE:
		if ((d < 0 && v->u.i <= INT32_MIN) ||
		    (d > 0 && v->u.i >= INT32_MAX))
			return (-1);
		out->u.i += d;
		return (0);
	case ICE_T_LONG:
	case ICE_T_TIME:
	case ICE_T_TIMESTAMP:
	case ICE_T_TIMESTAMPTZ:
	case ICE_T_TIMESTAMP_NS:
	case ICE_T_TIMESTAMPTZ_NS:
		if ((d < 0 && v->u.i == INT64_MIN) ||
		    (d > 0 && v->u.i == INT64_MAX))
			return (-1);
		out->u.i += d;
		return (0);
	default:
		return (-1);
	}
}

/* op(transform(v + d)) on f; true when v + d or its transform is not
 * defined. */
static const struct ice_expr *
xcmp(struct pgl_arena *a, enum ice_op op, const struct ice_expr *e,
    const struct ice_pfield *f, int d)
{
	struct ice_value	 moved, *lit;

	if (e->nlits < 1)
		return (ice_expr_true());
	if (d != 0) {
		if (step(&e->lits[0], d, &moved) == -1)
			return (ice_expr_true());
	} else
		moved = e->lits[0];
	if (xlit(a, f, &moved, &lit) == OOM)
		return (NULL);
	if (lit == NULL)
		return (ice_expr_true());
	return (mkpred(a, op, f, lit, 1));
}

/*
 * Order-preserving transforms on numbers (truncate of int, long,
 * decimal; year, month, day, hour): a strict bound moves by one first,
 * so that it can be compared inclusively on the transformed value.
 */
static const struct ice_expr *
ordered(struct pgl_arena *a, const struct ice_expr *e,
    const struct ice_pfield *f, int widen)
{
	switch (e->op) {
	case ICE_OP_LT:
		return (xcmp(a, ICE_OP_LT_EQ, e, f, -1));
	case ICE_OP_LT_EQ:
		return (xcmp(a, ICE_OP_LT_EQ, e, f, 0));
	case ICE_OP_GT:
		return (xcmp(a, ICE_OP_GT_EQ, e, f, 1));
	case ICE_OP_GT_EQ:
		return (xcmp(a, ICE_OP_GT_EQ, e, f, 0));
	case ICE_OP_EQ:
		return (xcmp(a, ICE_OP_EQ, e, f, 0));
	case ICE_OP_IN:
		return (xset(a, e, f, widen));
	default:
		return (ice_expr_true());
	}
}

/*
 * Writers before Iceberg 1.0 rounded date and time transforms toward
 * zero, so a pre-1970 value may sit in the partition one above its
 * correct one.  Like Java, widen negative bounds by that one partition
 * (only ever widens: still inclusive).
 */
static const struct ice_expr *
widen_negative(struct pgl_arena *a, const struct ice_expr *p,
    const struct ice_pfield *f)
{
	struct ice_value	*v;

	if (p == NULL || p->nlits != 1 || p->lits[0].u.i >= 0)
		return (p);
	if (p->op != ICE_OP_LT_EQ && p->op != ICE_OP_EQ)
		return (p);
	if ((v = values(a, 2)) == NULL)
		return (NULL);
	v[0] = v[1] = p->lits[0];
	v[1].u.i++;
	if (p->op == ICE_OP_LT_EQ)
		return (mkpred(a, ICE_OP_LT_EQ, f, &v[1], 1));
	return (mkpred(a, ICE_OP_IN, f, v, 2));
}

static size_t
codepoints(const struct ice_value *v)
{
	size_t	i, n = 0;

	for (i = 0; i < v->u.s.n; i++) {
		if ((v->u.s.p[i] & 0xc0) != 0x80)
			n++;
	}
	return (n);
}

/*
 * Truncation of strings and binaries: a truncated value is a prefix,
 * so bounds become inclusive on the prefix; a starts-with prefix no
 * longer than the width survives as is (or as equality at the width).
 */
static const struct ice_expr *
prefixes(struct pgl_arena *a, const struct ice_expr *e,
    const struct ice_pfield *f)
{
	size_t	len;

	switch (e->op) {
	case ICE_OP_LT:
	case ICE_OP_LT_EQ:
		return (xcmp(a, ICE_OP_LT_EQ, e, f, 0));
	case ICE_OP_GT:
	case ICE_OP_GT_EQ:
		return (xcmp(a, ICE_OP_GT_EQ, e, f, 0));
	case ICE_OP_EQ:
		return (xcmp(a, ICE_OP_EQ, e, f, 0));
	case ICE_OP_IN:
		return (xset(a, e, f, 0));
	default:
		break;
	}
	if (e->nlits != 1 || e->lits[0].tid != ICE_T_STRING)
		return (ice_expr_true());
	len = codepoints(&e->lits[0]);
	if (e->op == ICE_OP_STARTS_WITH) {
		if (len < (size_t)f->width)
			return (mkpred(a, ICE_OP_STARTS_WITH, f, e->lits, 1));
		if (len == (size_t)f->width)
			return (mkpred(a, ICE_OP_EQ, f, e->lits, 1));
		return (xcmp(a, ICE_OP_STARTS_WITH, e, f, 0));
	}
	if (e->op == ICE_OP_NOT_STARTS_WITH) {
		if (len < (size_t)f->width)
			return (mkpred(a, ICE_OP_NOT_STARTS_WITH, f, e->lits,
			    1));
		if (len == (size_t)f->width)
			return (mkpred(a, ICE_OP_NOT_EQ, f, e->lits, 1));
	}
	return (ice_expr_true());
}

static const struct ice_expr *
one_field(struct pgl_arena *a, const struct ice_expr *e,
    const struct ice_pfield *f)
{
	if (!f->source_known || f->xf == ICE_XF_VOID ||
	    f->xf == ICE_XF_UNKNOWN)
		return (ice_expr_true());
	if (f->xf == ICE_XF_IDENTITY)
		return (mkpred(a, e->op, f, e->lits, e->nlits));
	if (e->op == ICE_OP_IS_NULL || e->op == ICE_OP_NOT_NULL)
		return (mkpred(a, e->op, f, NULL, 0));
	switch (f->xf) {
	case ICE_XF_BUCKET:
		if (e->op == ICE_OP_EQ)
			return (xcmp(a, ICE_OP_EQ, e, f, 0));
		if (e->op == ICE_OP_IN)
			return (xset(a, e, f, 0));
		return (ice_expr_true());
	case ICE_XF_TRUNCATE:
		if (f->source_type.id == ICE_T_STRING ||
		    f->source_type.id == ICE_T_BINARY)
			return (prefixes(a, e, f));
		return (ordered(a, e, f, 0));
	case ICE_XF_YEAR:
	case ICE_XF_MONTH:
	case ICE_XF_DAY:
	case ICE_XF_HOUR:
		return (widen_negative(a, ordered(a, e, f, 1), f));
	default:
		return (ice_expr_true());
	}
}

static const struct ice_expr *
predicate(struct pgl_arena *a, const struct ice_expr *e,
    const struct ice_pspec *spec)
{
	const struct ice_expr	*r = ice_expr_true();
	size_t			 i;

	for (i = 0; i < spec->nfields && r != NULL; i++) {
		if (spec->fields[i].source_id == e->field_id)
			r = fold_and(a, r, one_field(a, e, &spec->fields[i]));
	}
	return (r);
}

/* NULL only when the arena runs out. */
const struct ice_expr *
ice_expr_project(struct pgl_arena *a, const struct ice_expr *e,
    const struct ice_pspec *spec)
{
	switch (e->op) {
	case ICE_OP_TRUE:
	case ICE_OP_FALSE:
		return (e);
	case ICE_OP_AND:
		return (fold_and(a, ice_expr_project(a, e->left, spec),
		    ice_expr_project(a, e->right, spec)));
	case ICE_OP_OR:
		return (fold_or(a, ice_expr_project(a, e->left, spec),
		    ice_expr_project(a, e->right, spec)));
	case ICE_OP_NOT:
		/* Binding removes not; a stray one cannot be projected
		 * inclusively from its child's projection. */
		return (ice_expr_true());
	default:
		return (predicate(a, e, spec));
	}
}
