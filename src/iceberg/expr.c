/*
 * A REST filter (the spec's Predicate schema) parsed and bound to a
 * table schema in one pass.  NOT is pushed down while parsing (the
 * negated operator is built directly, De Morgan for and/or), so a bound
 * expression never holds one; always-true/false are folded through
 * and/or as nodes are built.  Every form the spec lists is accepted:
 * bare booleans, {"type":"true"}, left/right and the deprecated
 * term/value, literals bare or as {"type":"literal"}, names bare or as
 * {"type":"reference"} (by name or id).
 *
 * Input is untrusted: nesting, node count and in-list size are bounded
 * (no recursion past MAX_DEPTH), and every refusal is a 400 naming what
 * is wrong.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iceberg/expr_int.h"
#include "iceberg/internal.h"
#include "iceberg/scan.h"
#include "util/arena.h"

#define MAX_DEPTH	64
#define MAX_NODES	10000
#define MAX_VALUES	100000

#define ARG	"IllegalArgumentException"
#define VALID	"ValidationException"

enum kind { K_CONST, K_ANDOR, K_NOT, K_UNARY, K_CMP, K_SET };

static const struct {
	const char	*name;
	enum ice_op	 op;
	enum ice_op	 neg;
	enum kind	 kind;
} ops[] = {
	{ "true",		ICE_OP_TRUE,	ICE_OP_FALSE,	K_CONST },
	{ "false",		ICE_OP_FALSE,	ICE_OP_TRUE,	K_CONST },
	{ "and",		ICE_OP_AND,	ICE_OP_OR,	K_ANDOR },
	{ "or",			ICE_OP_OR,	ICE_OP_AND,	K_ANDOR },
	{ "not",		ICE_OP_NOT,	ICE_OP_NOT,	K_NOT },
	{ "is-null",		ICE_OP_IS_NULL,	ICE_OP_NOT_NULL, K_UNARY },
	{ "not-null",		ICE_OP_NOT_NULL, ICE_OP_IS_NULL, K_UNARY },
	{ "is-nan",		ICE_OP_IS_NAN,	ICE_OP_NOT_NAN,	K_UNARY },
	{ "not-nan",		ICE_OP_NOT_NAN,	ICE_OP_IS_NAN,	K_UNARY },
	{ "lt",			ICE_OP_LT,	ICE_OP_GT_EQ,	K_CMP },
	{ "lt-eq",		ICE_OP_LT_EQ,	ICE_OP_GT,	K_CMP },
	{ "gt",			ICE_OP_GT,	ICE_OP_LT_EQ,	K_CMP },
	{ "gt-eq",		ICE_OP_GT_EQ,	ICE_OP_LT,	K_CMP },
	{ "eq",			ICE_OP_EQ,	ICE_OP_NOT_EQ,	K_CMP },
	{ "not-eq",		ICE_OP_NOT_EQ,	ICE_OP_EQ,	K_CMP },
	{ "starts-with",	ICE_OP_STARTS_WITH, ICE_OP_NOT_STARTS_WITH,
	    K_CMP },
	{ "not-starts-with",	ICE_OP_NOT_STARTS_WITH, ICE_OP_STARTS_WITH,
	    K_CMP },
	{ "in",			ICE_OP_IN,	ICE_OP_NOT_IN,	K_SET },
	{ "not-in",		ICE_OP_NOT_IN,	ICE_OP_IN,	K_SET },
};

#define NOPS	(sizeof(ops) / sizeof(ops[0]))

struct binder {
	struct pgl_arena	*a;
	const json_t		*schema;
	int			 cs;
	size_t			 nodes;
	struct ice_err		*e;
};

static struct ice_expr	*parse(struct binder *, const json_t *, int, int);

static const struct ice_expr	always_true = { .op = ICE_OP_TRUE };
static const struct ice_expr	always_false = { .op = ICE_OP_FALSE };

const struct ice_expr *
ice_expr_true(void)
{
	return (&always_true);
}

const struct ice_expr *
ice_expr_false(void)
{
	return (&always_false);
}

static struct ice_expr *
node(struct binder *b, enum ice_op op)
{
	struct ice_expr	*x;

	if ((x = pgl_arena_alloc(b->a, sizeof(*x))) == NULL) {
		(void)ice_oom(b->e);
		return (NULL);
	}
	memset(x, 0, sizeof(*x));
	x->op = op;
	return (x);
}

static struct ice_expr	*refuse(struct binder *, const char *, const char *,
			    ...) ICE_PRINTF(3, 4);

/* A 400 of type (IllegalArgumentException: malformed; Validation-
 * Exception: well-formed but not bindable); NULL. */
static struct ice_expr *
refuse(struct binder *b, const char *type, const char *fmt, ...)
{
	va_list	ap;

	b->e->status = 400;
	b->e->type = type;
	va_start(ap, fmt);
	(void)vsnprintf(b->e->msg, sizeof(b->e->msg), fmt, ap);
	va_end(ap);
	return (NULL);
}

/* Only the keys a form allows: a typo must not widen a filter. */
static int
keys_ok(struct binder *b, const json_t *j, const char *const *allowed)
{
	const char	*k;
	const json_t	*v;
	size_t		 i;

	json_object_foreach((json_t *)j, k, v) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(k, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL) {
			(void)ice_fail(b->e, 400, ARG, "Unknown key '%s' in "
			    "predicate of type %s", k, json_string_value(
			    json_object_get(j, "type")));
			return (-1);
		}
	}
	return (0);
}

static struct ice_expr *
combine(struct binder *b, enum ice_op op, struct ice_expr *l,
    struct ice_expr *r)
{
	struct ice_expr	*x;
	enum ice_op	 absorb = op == ICE_OP_AND ? ICE_OP_FALSE : ICE_OP_TRUE;
	enum ice_op	 unit = op == ICE_OP_AND ? ICE_OP_TRUE : ICE_OP_FALSE;

	if (l->op == absorb)
		return (l);
	if (r->op == absorb)
		return (r);
	if (l->op == unit)
		return (r);
	if (r->op == unit)
		return (l);
	if ((x = node(b, op)) == NULL)
		return (NULL);
	x->left = l;
	x->right = r;
	return (x);
}

static struct ice_expr *
and_or(struct binder *b, const json_t *j, enum ice_op op, int depth, int neg)
{
	static const char *const	allowed[] = { "type", "left", "right",
					    NULL };
	struct ice_expr			*l, *r;

	if (keys_ok(b, j, allowed) == -1)
		return (NULL);
	if (json_object_get(j, "left") == NULL ||
	    json_object_get(j, "right") == NULL)
		return (refuse(b, ARG, "Invalid %s predicate: left and right "
		    "are required", json_string_value(json_object_get(j,
		    "type"))));
	if ((l = parse(b, json_object_get(j, "left"), depth + 1, neg)) ==
	    NULL || (r = parse(b, json_object_get(j, "right"), depth + 1,
	    neg)) == NULL)
		return (NULL);
	return (combine(b, op, l, r));
}

/* A term: a bare name, or {"type":"reference"} by name or by id. */
static int
is_term(const json_t *j)
{
	const char	*t = json_string_value(json_object_get(j, "type"));

	return (json_is_object(j) && t != NULL &&
	    (strcmp(t, "reference") == 0 || strcmp(t, "transform") == 0 ||
	    strcmp(t, "apply") == 0));
}

static int
resolve(struct binder *b, const json_t *j, struct expr_field *f)
{
	static const char *const	by_name[] = { "type", "name", NULL };
	static const char *const	by_id[] = { "type", "id", NULL };
	const char			*t;

	if (json_is_string(j))
		return (expr_field_by_name(b->a, b->schema,
		    json_string_value(j), b->cs, f, b->e));
	if (!is_term(j))
		return (ice_fail(b->e, 400, ARG, "Invalid term: want a field "
		    "name or a reference"));
	t = json_string_value(json_object_get(j, "type"));
	if (strcmp(t, "reference") != 0)
		return (ice_fail(b->e, 400, ARG, "Unsupported term of type "
		    "%s: only field references can be planned", t));
	if (json_is_string(json_object_get(j, "name")))
		return (keys_ok(b, j, by_name) == -1 ? -1 :
		    expr_field_by_name(b->a, b->schema, json_string_value(
		    json_object_get(j, "name")), b->cs, f, b->e));
	if (json_is_integer(json_object_get(j, "id")))
		return (keys_ok(b, j, by_id) == -1 ? -1 :
		    expr_field_by_id(b->a, b->schema, json_integer_value(
		    json_object_get(j, "id")), f, b->e));
	return (ice_fail(b->e, 400, ARG, "Invalid reference: want a string "
	    "name or an integer id"));
}

/* The JSON value of a literal, bare or {"type":"literal","value"}. */
static const json_t *
literal_json(struct binder *b, const json_t *j)
{
	static const char *const	allowed[] = { "type", "value",
					    "data-type", NULL };
	const json_t			*dt;
	struct ice_type			 t;
	const char			*type;

	if (json_is_array(j)) {
		(void)ice_fail(b->e, 400, ARG, "Invalid literal: an array");
		return (NULL);
	}
	if (!json_is_object(j))
		return (j);
	type = json_string_value(json_object_get(j, "type"));
	if (type == NULL || strcmp(type, "literal") != 0) {
		(void)ice_fail(b->e, 400, ARG, "Invalid literal of type %s",
		    type != NULL ? type : "(none)");
		return (NULL);
	}
	if (keys_ok(b, j, allowed) == -1)
		return (NULL);
	dt = json_object_get(j, "data-type");
	if (dt != NULL && ice_type_parse(dt, &t) == -1) {
		(void)ice_fail(b->e, 400, ARG, "Invalid literal data-type");
		return (NULL);
	}
	if (json_object_get(j, "value") == NULL) {
		(void)ice_fail(b->e, 400, ARG, "Invalid literal: no value");
		return (NULL);
	}
	return (json_object_get(j, "value"));
}

/* A literal of f's type: not null (is-null is), not NaN (is-nan is). */
static int
literal(struct binder *b, const struct expr_field *f, const json_t *j,
    struct ice_value *v)
{
	const char	*why = NULL;
	char		 tn[64];

	if ((j = literal_json(b, j)) == NULL)
		return (-1);
	if (json_is_null(j))
		return (ice_invalid(b->e, "Invalid literal for %s: null (use "
		    "is-null or not-null)", f->name));
	if (ice_value_from_json(b->a, &f->type, j, v, &why) == -1)
		return (ice_invalid(b->e, "Invalid literal for %s of type %s: "
		    "%s", f->name, ice_type_name(&f->type, tn, sizeof(tn)),
		    why != NULL ? why : "cannot convert"));
	if (ice_value_is_nan(v))
		return (ice_invalid(b->e, "Invalid literal for %s: NaN (use "
		    "is-nan or not-nan)", f->name));
	return (0);
}

static struct ice_expr *
predicate(struct binder *b, enum ice_op op, const struct expr_field *f)
{
	struct ice_expr	*x;

	if ((x = node(b, op)) == NULL)
		return (NULL);
	x->field_id = f->id;
	x->name = f->name;
	x->type = f->type;
	return (x);
}

static struct ice_expr *
unary(struct binder *b, const json_t *j, enum ice_op op)
{
	static const char *const	allowed[] = { "type", "child", "term",
					    NULL };
	const json_t			*child = json_object_get(j, "child");
	const json_t			*term = json_object_get(j, "term");
	struct expr_field		 f;
	int				 fp;

	if (keys_ok(b, j, allowed) == -1)
		return (NULL);
	if ((child == NULL) == (term == NULL))
		return (refuse(b, ARG, "Invalid %s predicate: want one of "
		    "child or term", json_string_value(json_object_get(j,
		    "type"))));
	if (resolve(b, child != NULL ? child : term, &f) == -1)
		return (NULL);
	fp = f.type.id == ICE_T_FLOAT || f.type.id == ICE_T_DOUBLE;
	/* Java: a required field is never null; only floats are NaN. */
	if (op == ICE_OP_IS_NULL && f.required)
		return (node(b, ICE_OP_FALSE));
	if (op == ICE_OP_NOT_NULL && f.required)
		return (node(b, ICE_OP_TRUE));
	if (op == ICE_OP_IS_NAN && !fp)
		return (node(b, ICE_OP_FALSE));
	if (op == ICE_OP_NOT_NAN && !fp)
		return (node(b, ICE_OP_TRUE));
	return (predicate(b, op, &f));
}

static enum ice_op
flip(enum ice_op op)
{
	switch (op) {
	case ICE_OP_LT:
		return (ICE_OP_GT);
	case ICE_OP_LT_EQ:
		return (ICE_OP_GT_EQ);
	case ICE_OP_GT:
		return (ICE_OP_LT);
	case ICE_OP_GT_EQ:
		return (ICE_OP_LT_EQ);
	default:
		return (op);
	}
}

/*
 * Which side is the field: term/value as written; of left/right the one
 * that is a reference object (a literal on the left flips the operator),
 * else a bare string on the left is a field name (the old TermReference).
 */
static int
sides(struct binder *b, const json_t *j, enum ice_op *op,
    const json_t **ref, const json_t **lit)
{
	const json_t	*l = json_object_get(j, "left");
	const json_t	*r = json_object_get(j, "right");
	const json_t	*t = json_object_get(j, "term");
	const json_t	*v = json_object_get(j, "value");
	const char	*type = json_string_value(json_object_get(j, "type"));

	if (t != NULL || v != NULL) {
		if (t == NULL || v == NULL || l != NULL || r != NULL)
			return (ice_fail(b->e, 400, ARG, "Invalid %s "
			    "predicate: want term and value, or left and right",
			    type));
		*ref = t;
		*lit = v;
		return (0);
	}
	if (l == NULL || r == NULL)
		return (ice_fail(b->e, 400, ARG, "Invalid %s predicate: want "
		    "left and right, or term and value", type));
	if (is_term(l) && is_term(r))
		return (ice_fail(b->e, 400, ARG, "Invalid %s predicate: "
		    "comparing two terms is not supported", type));
	if (is_term(r)) {
		*ref = r;
		*lit = l;
		*op = flip(*op);
		return (0);
	}
	*ref = l;
	*lit = r;
	return (0);
}

static struct ice_expr *
compare(struct binder *b, const json_t *j, enum ice_op op)
{
	static const char *const	allowed[] = { "type", "left", "right",
					    "term", "value", NULL };
	const json_t			*ref = NULL, *lit = NULL;
	struct expr_field		 f;
	struct ice_value		*v;
	struct ice_expr			*x;

	if (keys_ok(b, j, allowed) == -1 ||
	    sides(b, j, &op, &ref, &lit) == -1 || resolve(b, ref, &f) == -1)
		return (NULL);
	if ((op == ICE_OP_STARTS_WITH || op == ICE_OP_NOT_STARTS_WITH) &&
	    f.type.id != ICE_T_STRING)
		return (refuse(b, VALID, "Invalid starts-with predicate on "
		    "%s: only string fields", f.name));
	if ((v = pgl_arena_alloc(b->a, sizeof(*v))) == NULL) {
		(void)ice_oom(b->e);
		return (NULL);
	}
	if (literal(b, &f, lit, v) == -1 || (x = predicate(b, op, &f)) == NULL)
		return (NULL);
	x->lits = v;
	x->nlits = 1;
	return (x);
}

static int
value_order(const void *a, const void *b)
{
	return (ice_value_cmp(a, b));
}

/* The set's values: a bare array, or {"type":"literals","values"}. */
static const json_t *
set_values(struct binder *b, const json_t *j)
{
	static const char *const	allowed[] = { "type", "values",
					    "data-type", NULL };
	const char			*t;
	struct ice_type			 dt;

	if (json_is_array(j))
		return (j);
	t = json_string_value(json_object_get(j, "type"));
	if (t == NULL || strcmp(t, "literals") != 0 ||
	    keys_ok(b, j, allowed) == -1 ||
	    !json_is_array(json_object_get(j, "values")) ||
	    (json_object_get(j, "data-type") != NULL &&
	    ice_type_parse(json_object_get(j, "data-type"), &dt) == -1)) {
		if (b->e->status == 0)
			(void)ice_fail(b->e, 400, ARG, "Invalid values: want "
			    "an array of literals");
		return (NULL);
	}
	return (json_object_get(j, "values"));
}

static struct ice_expr *
set(struct binder *b, const json_t *j, enum ice_op op)
{
	static const char *const	allowed[] = { "type", "child", "term",
					    "values", NULL };
	const json_t			*child = json_object_get(j, "child");
	const json_t			*term = json_object_get(j, "term");
	const json_t			*vals, *lit;
	struct expr_field		 f;
	struct ice_value		*v;
	struct ice_expr			*x;
	size_t				 i, n, k;

	if (keys_ok(b, j, allowed) == -1)
		return (NULL);
	if ((child == NULL) == (term == NULL) ||
	    json_object_get(j, "values") == NULL)
		return (refuse(b, ARG, "Invalid %s predicate: want values "
		    "and one of child or term",
		    json_string_value(json_object_get(j, "type"))));
	if ((vals = set_values(b, json_object_get(j, "values"))) == NULL ||
	    resolve(b, child != NULL ? child : term, &f) == -1)
		return (NULL);
	if ((n = json_array_size(vals)) > MAX_VALUES)
		return (refuse(b, ARG, "Invalid %s predicate: more than %d "
		    "values", json_string_value(json_object_get(j, "type")),
		    MAX_VALUES));
	if (n == 0)
		return (node(b, op == ICE_OP_IN ? ICE_OP_FALSE : ICE_OP_TRUE));
	if ((v = pgl_arena_alloc(b->a, n * sizeof(*v))) == NULL) {
		(void)ice_oom(b->e);
		return (NULL);
	}
	json_array_foreach(vals, i, lit) {
		if (literal(b, &f, lit, &v[i]) == -1)
			return (NULL);
	}
	qsort(v, n, sizeof(*v), value_order);
	for (i = 1, k = 1; i < n; i++)
		if (ice_value_cmp(&v[k - 1], &v[i]) != 0)
			v[k++] = v[i];
	if (k == 1)
		op = op == ICE_OP_IN ? ICE_OP_EQ : ICE_OP_NOT_EQ;
	if ((x = predicate(b, op, &f)) == NULL)
		return (NULL);
	x->lits = v;
	x->nlits = k;
	return (x);
}

static struct ice_expr *
constant(struct binder *b, const json_t *j, enum ice_op op)
{
	static const char *const	allowed[] = { "type", NULL };

	if (j != NULL && keys_ok(b, j, allowed) == -1)
		return (NULL);
	return (node(b, op));
}

static struct ice_expr *
object(struct binder *b, const json_t *j, int depth, int neg)
{
	static const char *const	not_keys[] = { "type", "child", NULL };
	const char			*type;
	size_t				 i;
	enum ice_op			 op;

	if ((type = json_string_value(json_object_get(j, "type"))) == NULL)
		return (refuse(b, ARG, "Invalid predicate: no type"));
	for (i = 0; i < NOPS; i++)
		if (strcasecmp(type, ops[i].name) == 0)
			break;
	if (i == NOPS)
		return (refuse(b, ARG, "Invalid predicate: unknown type %s",
		    type));
	op = neg ? ops[i].neg : ops[i].op;
	switch (ops[i].kind) {
	case K_CONST:
		return (constant(b, j, op));
	case K_ANDOR:
		return (and_or(b, j, op, depth, neg));
	case K_NOT:
		if (keys_ok(b, j, not_keys) == -1)
			return (NULL);
		if (json_object_get(j, "child") == NULL)
			return (refuse(b, ARG,
			    "Invalid not predicate: no child"));
		return (parse(b, json_object_get(j, "child"), depth + 1, !neg));
	case K_UNARY:
		return (unary(b, j, op));
	case K_CMP:
		return (compare(b, j, op));
	default:
		return (set(b, j, op));
	}
}

/* neg: an odd number of NOTs lies above j. */
static struct ice_expr *
parse(struct binder *b, const json_t *j, int depth, int neg)
{
	const char	*s;

	if (depth > MAX_DEPTH)
		return (refuse(b, ARG, "Invalid filter: nested deeper than "
		    "%d levels", MAX_DEPTH));
	if (++b->nodes > MAX_NODES)
		return (refuse(b, ARG, "Invalid filter: more than %d "
		    "predicates", MAX_NODES));
	if (json_is_boolean(j))
		return (node(b, json_is_true(j) != neg ? ICE_OP_TRUE :
		    ICE_OP_FALSE));
	if (json_is_string(j)) {
		s = json_string_value(j);
		if (strcasecmp(s, "true") == 0)
			return (constant(b, NULL, neg ? ICE_OP_FALSE :
			    ICE_OP_TRUE));
		if (strcasecmp(s, "false") == 0)
			return (constant(b, NULL, neg ? ICE_OP_TRUE :
			    ICE_OP_FALSE));
	}
	if (!json_is_object(j))
		return (refuse(b, ARG, "Invalid predicate: want a boolean or "
		    "an object"));
	return (object(b, j, depth, neg));
}

struct ice_expr *
ice_expr_bind(struct pgl_arena *a, const json_t *filter,
    const json_t *schema, int case_sensitive, struct ice_err *e)
{
	struct binder	b;
	struct ice_err	local;

	if (e == NULL)
		e = &local;
	memset(e, 0, sizeof(*e));
	memset(&b, 0, sizeof(b));
	b.a = a;
	b.schema = schema;
	b.cs = case_sensitive;
	b.e = e;
	if (!json_is_object(schema))
		return (refuse(&b, ARG, "Invalid schema"));
	return (parse(&b, filter, 1, 0));
}
