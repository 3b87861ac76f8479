/*
 * Residuals (spec "Scan Planning"): what a reader must still apply to
 * the rows of a file, given the file's partition.  A predicate on the
 * source of an identity partition field is decided exactly by the
 * partition value; for other transforms only "no partition value can
 * match" is certain (the inclusive projection is false), which makes
 * the predicate false.  Anything else stays, so no row that should be
 * filtered out slips through.
 */
#include <string.h>

#include "iceberg/scan.h"
#include "util/arena.h"

static const struct ice_expr *
node(struct pgl_arena *a, enum ice_op op, const struct ice_expr *l,
    const struct ice_expr *r)
{
	struct ice_expr	*e;

	if ((e = pgl_arena_alloc(a, sizeof(*e))) == NULL)
		return (NULL);
	memset(e, 0, sizeof(*e));
	e->op = op;
	e->left = (struct ice_expr *)l;
	e->right = (struct ice_expr *)r;
	return (e);
}

static const struct ice_expr *
fold(struct pgl_arena *a, const struct ice_expr *e, const struct ice_expr *l,
    const struct ice_expr *r)
{
	enum ice_op	absorb, unit;

	if (l == NULL || r == NULL)
		return (NULL);
	absorb = e->op == ICE_OP_AND ? ICE_OP_FALSE : ICE_OP_TRUE;
	unit = e->op == ICE_OP_AND ? ICE_OP_TRUE : ICE_OP_FALSE;
	if (l->op == absorb || r->op == unit)
		return (l);
	if (r->op == absorb || l->op == unit)
		return (r);
	if (l == e->left && r == e->right)
		return (e);	/* nothing decided below: share it */
	return (node(a, e->op, l, r));
}

/*
 * An identity partition value decides its source's predicates, unless
 * the value is not of the field's type (the evaluator then only says
 * "may match", which must not fold to true).
 */
static int
exact(const struct ice_pfield *f, const struct ice_expr *p,
    const struct ice_value *v)
{
	size_t	i;

	if (f->xf != ICE_XF_IDENTITY || p->op == ICE_OP_TRUE ||
	    p->op == ICE_OP_FALSE)
		return (0);
	if (v->is_null)
		return (1);
	if (v->tid != f->result_type.id)
		return (0);
	for (i = 0; i < p->nlits; i++) {
		if (p->lits[i].tid != v->tid || p->lits[i].is_null)
			return (0);
	}
	return (1);
}

/* The predicate alone, on partition field i alone. */
static const struct ice_expr *
decide(struct pgl_arena *a, const struct ice_expr *e,
    const struct ice_pspec *spec, size_t i, const struct ice_value *tuple,
    int *decided)
{
	struct ice_pspec	 one;
	const struct ice_expr	*p;
	int			 r;

	*decided = 0;
	one.spec_id = spec->spec_id;
	one.fields = &spec->fields[i];
	one.nfields = 1;
	if ((p = ice_expr_project(a, e, &one)) == NULL)
		return (NULL);
	r = ice_eval_partition(p, &one, &tuple[i]);
	if (exact(&spec->fields[i], p, &tuple[i])) {
		*decided = 1;
		return (r ? ice_expr_true() : ice_expr_false());
	}
	if (!r) {
		*decided = 1;
		return (ice_expr_false());
	}
	return (e);
}

static const struct ice_expr *
predicate(struct pgl_arena *a, const struct ice_expr *e,
    const struct ice_pspec *spec, const struct ice_value *tuple)
{
	const struct ice_expr	*r;
	size_t			 i;
	int			 decided;

	for (i = 0; i < spec->nfields; i++) {
		if (spec->fields[i].source_id != e->field_id ||
		    !spec->fields[i].source_known)
			continue;
		r = decide(a, e, spec, i, tuple, &decided);
		if (r == NULL || decided)
			return (r);
	}
	return (e);
}

/* NULL only when the arena runs out. */
const struct ice_expr *
ice_expr_residual(struct pgl_arena *a, const struct ice_expr *e,
    const struct ice_pspec *spec, const struct ice_value *tuple)
{
	switch (e->op) {
	case ICE_OP_TRUE:
	case ICE_OP_FALSE:
	case ICE_OP_NOT:
		return (e);
	case ICE_OP_AND:
	case ICE_OP_OR:
		return (fold(a, e, ice_expr_residual(a, e->left, spec, tuple),
		    ice_expr_residual(a, e->right, spec, tuple)));
	default:
		return (predicate(a, e, spec, tuple));
	}
}
