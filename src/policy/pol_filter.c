/*
 * Row filters: bound by the planning routes' own binder (ice_expr_bind:
 * every expression form a plan request may hold, names or ids, literals
 * converted to the field's type), then written in the form the spec
 * asks of required-row-filter: predicates whose terms are
 * {"type":"reference","id":N} (rule 3: by field id, so a rename keeps
 * them valid), left/right and child rather than the deprecated
 * term/value, literals as {"type":"literal","value":...}, and the bare
 * booleans for always-true and always-false.
 */
#include <stdio.h>
#include <string.h>

#include "iceberg/iceberg.h"
#include "iceberg/scan.h"
#include "iceberg/value.h"
#include "policy/policy.h"
#include "util/arena.h"

static json_t *
ref(const struct ice_expr *x)
{
	return (json_pack("{s:s, s:I}", "type", "reference", "id",
	    (json_int_t)x->field_id));
}

static json_t *
literal(const struct ice_expr *x, size_t i)
{
	json_t	*v;

	if ((v = ice_value_to_json(&x->lits[i], &x->type)) == NULL)
		return (NULL);
	return (json_pack("{s:s, s:o}", "type", "literal", "value", v));
}

static json_t *
literals(const struct ice_expr *x)
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

static const char *
op_name(enum ice_op op)
{
	static const char *const	n[] = {
		[ICE_OP_AND] = "and", [ICE_OP_OR] = "or", [ICE_OP_NOT] = "not",
		[ICE_OP_IS_NULL] = "is-null", [ICE_OP_NOT_NULL] = "not-null",
		[ICE_OP_IS_NAN] = "is-nan", [ICE_OP_NOT_NAN] = "not-nan",
		[ICE_OP_LT] = "lt", [ICE_OP_LT_EQ] = "lt-eq",
		[ICE_OP_GT] = "gt", [ICE_OP_GT_EQ] = "gt-eq",
		[ICE_OP_EQ] = "eq", [ICE_OP_NOT_EQ] = "not-eq",
		[ICE_OP_STARTS_WITH] = "starts-with",
		[ICE_OP_NOT_STARTS_WITH] = "not-starts-with",
		[ICE_OP_IN] = "in", [ICE_OP_NOT_IN] = "not-in",
	};

	if ((size_t)op >= sizeof(n) / sizeof(n[0]))
		return (NULL);
	return (n[op]);
}

static json_t *
to_json(const struct ice_expr *x)
{
	const char	*op;

	if (x == NULL)
		return (NULL);
	if (x->op == ICE_OP_TRUE)
		return (json_true());
	if (x->op == ICE_OP_FALSE)
		return (json_false());
	if ((op = op_name(x->op)) == NULL)
		return (NULL);
	switch (x->op) {
	case ICE_OP_AND:
	case ICE_OP_OR:
		return (json_pack("{s:s, s:o, s:o}", "type", op, "left",
		    to_json(x->left), "right", to_json(x->right)));
	case ICE_OP_NOT:
		return (json_pack("{s:s, s:o}", "type", op, "child",
		    to_json(x->left)));
	case ICE_OP_IS_NULL:
	case ICE_OP_NOT_NULL:
	case ICE_OP_IS_NAN:
	case ICE_OP_NOT_NAN:
		return (json_pack("{s:s, s:o}", "type", op, "child", ref(x)));
	case ICE_OP_IN:
	case ICE_OP_NOT_IN:
		return (json_pack("{s:s, s:o, s:o}", "type", op, "child",
		    ref(x), "values", literals(x)));
	default:
		if (x->nlits < 1)
			return (NULL);
		return (json_pack("{s:s, s:o, s:o}", "type", op, "left",
		    ref(x), "right", literal(x, 0)));
	}
}

json_t *
pgl_pol_filter_bind(const json_t *filter, const json_t *schema, char *why,
    size_t whylen)
{
	struct pgl_arena	*a;
	struct ice_expr		*x;
	struct ice_err		 e;
	json_t			*out = NULL;

	if (filter == NULL || schema == NULL) {
		(void)snprintf(why, whylen, "no filter or no schema");
		return (NULL);
	}
	if ((a = pgl_arena_new()) == NULL) {
		(void)snprintf(why, whylen, "out of memory");
		return (NULL);
	}
	memset(&e, 0, sizeof(e));
	if ((x = ice_expr_bind(a, filter, schema, 1, &e)) == NULL)
		(void)snprintf(why, whylen, "%s", e.msg[0] != '\0' ? e.msg :
		    "not a valid expression");
	else if ((out = to_json(x)) == NULL)
		(void)snprintf(why, whylen, "cannot write the filter back");
	pgl_arena_free(a);
	return (out);
}
