/*
 * A bound expression back to REST JSON, in one of two forms:
 *  - the form Java's ExpressionParser writes and every client reads: the
 *    deprecated but universal term/value shape with field names,
 *    booleans for true and false, literals as Appendix C JSON
 *    (value_json.c) — what plans answer with (ice_expr_to_json);
 *  - the spec's preferred form, by field id, which read restrictions
 *    require (required-row-filter): {"type":"reference","id":N} terms,
 *    left/right and child, literals as {"type":"literal","value":...}
 *    (ice_expr_to_spec_json).
 */
#include <string.h>

#include "iceberg/scan.h"

static const char *const	names[] = {
	[ICE_OP_TRUE] = "true",
	[ICE_OP_FALSE] = "false",
	[ICE_OP_AND] = "and",
	[ICE_OP_OR] = "or",
	[ICE_OP_NOT] = "not",
	[ICE_OP_IS_NULL] = "is-null",
	[ICE_OP_NOT_NULL] = "not-null",
	[ICE_OP_IS_NAN] = "is-nan",
	[ICE_OP_NOT_NAN] = "not-nan",
	[ICE_OP_LT] = "lt",
	[ICE_OP_LT_EQ] = "lt-eq",
	[ICE_OP_GT] = "gt",
	[ICE_OP_GT_EQ] = "gt-eq",
	[ICE_OP_EQ] = "eq",
	[ICE_OP_NOT_EQ] = "not-eq",
	[ICE_OP_STARTS_WITH] = "starts-with",
	[ICE_OP_NOT_STARTS_WITH] = "not-starts-with",
	[ICE_OP_IN] = "in",
	[ICE_OP_NOT_IN] = "not-in",
};

static json_t *
ref(const struct ice_expr *x)
{
	return (json_pack("{s:s, s:I}", "type", "reference", "id",
	    (json_int_t)x->field_id));
}

/* A predicate without a name (a projection's) is referenced by id. */
static json_t *
term(const struct ice_expr *x)
{
	if (x->name != NULL)
		return (json_string(x->name));
	return (ref(x));
}

static json_t *
values(const struct ice_expr *x)
{
	json_t	*arr, *v;
	size_t	 i;

	if ((arr = json_array()) == NULL)
		return (NULL);
	for (i = 0; i < x->nlits; i++) {
		if ((v = ice_value_to_json(&x->lits[i], &x->type)) == NULL ||
		    json_array_append_new(arr, v) == -1) {
			json_decref(arr);
			return (NULL);
		}
	}
	return (arr);
}

/* A predicate of a leaf in the deprecated term/value shape. */
static json_t *
leaf_named(const struct ice_expr *x, const char *op)
{
	switch (x->op) {
	case ICE_OP_IS_NULL:
	case ICE_OP_NOT_NULL:
	case ICE_OP_IS_NAN:
	case ICE_OP_NOT_NAN:
		return (json_pack("{s:s, s:o}", "type", op, "term", term(x)));
	case ICE_OP_IN:
	case ICE_OP_NOT_IN:
		return (json_pack("{s:s, s:o, s:o}", "type", op, "term",
		    term(x), "values", values(x)));
	default:
		if (x->nlits < 1)
			return (NULL);
		return (json_pack("{s:s, s:o, s:o}", "type", op, "term",
		    term(x), "value", ice_value_to_json(&x->lits[0],
		    &x->type)));
	}
}

/* The same in the spec's by-id shape (child, left/right, literal). */
static json_t *
leaf_by_id(const struct ice_expr *x, const char *op)
{
	json_t	*v;

	switch (x->op) {
	case ICE_OP_IS_NULL:
	case ICE_OP_NOT_NULL:
	case ICE_OP_IS_NAN:
	case ICE_OP_NOT_NAN:
		return (json_pack("{s:s, s:o}", "type", op, "child", ref(x)));
	case ICE_OP_IN:
	case ICE_OP_NOT_IN:
		return (json_pack("{s:s, s:o, s:o}", "type", op, "child",
		    ref(x), "values", values(x)));
	default:
		if (x->nlits < 1 || (v = ice_value_to_json(&x->lits[0],
		    &x->type)) == NULL)
			return (NULL);
		return (json_pack("{s:s, s:o, s:{s:s, s:o}}", "type", op,
		    "left", ref(x), "right", "type", "literal", "value", v));
	}
}

/* The tree's shape is the same in both forms; only the leaves differ. */
static json_t *
tree(const struct ice_expr *x,
    json_t *(*leaf)(const struct ice_expr *, const char *))
{
	const char	*op;

	if (x == NULL || (size_t)x->op >= sizeof(names) / sizeof(names[0]))
		return (NULL);
	op = names[x->op];
	switch (x->op) {
	case ICE_OP_TRUE:
		return (json_true());
	case ICE_OP_FALSE:
		return (json_false());
	case ICE_OP_AND:
	case ICE_OP_OR:
		return (json_pack("{s:s, s:o, s:o}", "type", op, "left",
		    tree(x->left, leaf), "right", tree(x->right, leaf)));
	case ICE_OP_NOT:
		return (json_pack("{s:s, s:o}", "type", op, "child",
		    tree(x->left, leaf)));
	default:
		return (leaf(x, op));
	}
}

json_t *
ice_expr_to_json(const struct ice_expr *x)
{
	return (tree(x, leaf_named));
}

json_t *
ice_expr_to_spec_json(const struct ice_expr *x)
{
	return (tree(x, leaf_by_id));
}
