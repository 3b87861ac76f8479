/*
 * REST filters bound to a schema (expr.c, expr_field.c, expr_json.c):
 * every Predicate form of the REST spec, literals of every type, NOT
 * pushed down, true/false folded, the refusals with their status, the
 * limits, and the JSON written back binding to the same expression.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "iceberg/scan.h"
#include "util/arena.h"

static const char schema_text[] =
    "{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
    "{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"long\"},"
    "{\"id\":2,\"name\":\"i\",\"required\":false,\"type\":\"int\"},"
    "{\"id\":3,\"name\":\"b\",\"required\":false,\"type\":\"boolean\"},"
    "{\"id\":4,\"name\":\"f\",\"required\":false,\"type\":\"float\"},"
    "{\"id\":5,\"name\":\"d\",\"required\":false,\"type\":\"double\"},"
    "{\"id\":6,\"name\":\"dec\",\"required\":false,"
    "\"type\":\"decimal(9, 2)\"},"
    "{\"id\":7,\"name\":\"day\",\"required\":false,\"type\":\"date\"},"
    "{\"id\":8,\"name\":\"t\",\"required\":false,\"type\":\"time\"},"
    "{\"id\":9,\"name\":\"ts\",\"required\":false,\"type\":\"timestamp\"},"
    "{\"id\":10,\"name\":\"tz\",\"required\":false,"
    "\"type\":\"timestamptz\"},"
    "{\"id\":11,\"name\":\"ns\",\"required\":false,"
    "\"type\":\"timestamp_ns\"},"
    "{\"id\":12,\"name\":\"tzns\",\"required\":false,"
    "\"type\":\"timestamptz_ns\"},"
    "{\"id\":13,\"name\":\"s\",\"required\":false,\"type\":\"string\"},"
    "{\"id\":14,\"name\":\"u\",\"required\":false,\"type\":\"uuid\"},"
    "{\"id\":15,\"name\":\"fx\",\"required\":false,\"type\":\"fixed[2]\"},"
    "{\"id\":16,\"name\":\"bin\",\"required\":false,\"type\":\"binary\"},"
    "{\"id\":17,\"name\":\"st\",\"required\":true,\"type\":{\"type\":"
    "\"struct\",\"fields\":["
    "{\"id\":18,\"name\":\"Inner\",\"required\":true,\"type\":\"int\"},"
    "{\"id\":19,\"name\":\"deep\",\"required\":false,\"type\":{\"type\":"
    "\"struct\",\"fields\":[{\"id\":20,\"name\":\"x\",\"required\":true,"
    "\"type\":\"string\"}]}}]}},"
    "{\"id\":21,\"name\":\"l\",\"required\":false,\"type\":{\"type\":"
    "\"list\",\"element-id\":22,\"element\":{\"type\":\"struct\","
    "\"fields\":[{\"id\":23,\"name\":\"y\",\"required\":false,"
    "\"type\":\"int\"}]},\"element-required\":false}},"
    "{\"id\":24,\"name\":\"m\",\"required\":false,\"type\":{\"type\":"
    "\"map\",\"key-id\":25,\"key\":\"string\",\"value-id\":26,"
    "\"value\":\"int\",\"value-required\":false}},"
    "{\"id\":27,\"name\":\"ID2\",\"required\":false,\"type\":\"int\"},"
    "{\"id\":28,\"name\":\"id2\",\"required\":false,\"type\":\"int\"},"
    "{\"id\":29,\"name\":\"v\",\"required\":false,\"type\":\"variant\"},"
    "{\"id\":30,\"name\":\"a.b\",\"required\":false,\"type\":\"int\"}"
    "]}";

static json_t			*schema;
static struct pgl_arena		*arena;
static struct ice_err		 err;

static json_t *
load(const char *text)
{
	json_error_t	 je;
	json_t		*j = json_loads(text, JSON_DECODE_ANY, &je);

	if (j == NULL)
		fail_msg("bad test JSON %s: %s", text, je.text);
	return (j);
}

static struct ice_expr *
bind_cs(const char *filter, int cs)
{
	json_t		*f = load(filter);
	struct ice_expr	*x;

	x = ice_expr_bind(arena, f, schema, cs, &err);
	json_decref(f);
	return (x);
}

static struct ice_expr *
bind(const char *filter)
{
	return (bind_cs(filter, 1));
}

/* filter binds, and writes back as want (JSON text). */
static void
binds_to(const char *filter, const char *want)
{
	struct ice_expr	*x = bind(filter);
	json_t		*got, *w;
	char		*s;

	if (x == NULL)
		fail_msg("%s: %d %s", filter, err.status, err.msg);
	got = ice_expr_to_json(x);
	w = load(want);
	assert_non_null(got);
	if (!json_equal(got, w)) {
		s = json_dumps(got, JSON_ENCODE_ANY | JSON_SORT_KEYS);
		fail_msg("%s:\n got %s\nwant %s", filter, s, want);
	}
	json_decref(got);
	json_decref(w);
}

/* filter is refused with a 400 of type, its message holding part. */
static void
refused(const char *filter, const char *type, const char *part)
{
	if (bind(filter) != NULL)
		fail_msg("%s: bound", filter);
	assert_int_equal(err.status, 400);
	assert_string_equal(err.type, type);
	if (strstr(err.msg, part) == NULL)
		fail_msg("%s: message '%s' lacks '%s'", filter, err.msg, part);
}

#define IAE	"IllegalArgumentException"
#define VE	"ValidationException"

static void
test_true_and_false_in_every_spelling(void **state)
{
	binds_to("true", "true");
	binds_to("false", "false");
	binds_to("{\"type\":\"true\"}", "true");
	binds_to("{\"type\":\"false\"}", "false");
	binds_to("\"true\"", "true");
	binds_to("{\"type\":\"not\",\"child\":true}", "false");
	binds_to("{\"type\":\"not\",\"child\":{\"type\":\"false\"}}", "true");
	assert_int_equal(ice_expr_true()->op, ICE_OP_TRUE);
	assert_int_equal(ice_expr_false()->op, ICE_OP_FALSE);
}

static void
test_comparisons_in_both_forms_and_all_references(void **state)
{
	const char	*want = "{\"type\":\"lt\",\"term\":\"i\",\"value\":5}";

	binds_to("{\"type\":\"lt\",\"term\":\"i\",\"value\":5}", want);
	binds_to("{\"type\":\"lt\",\"left\":\"i\",\"right\":5}", want);
	binds_to("{\"type\":\"lt\",\"left\":{\"type\":\"reference\","
	    "\"name\":\"i\"},\"right\":5}", want);
	binds_to("{\"type\":\"lt\",\"left\":{\"type\":\"reference\","
	    "\"id\":2},\"right\":{\"type\":\"literal\",\"value\":5}}", want);
	binds_to("{\"type\":\"lt\",\"left\":{\"type\":\"reference\","
	    "\"name\":\"i\"},\"right\":{\"type\":\"literal\",\"value\":5,"
	    "\"data-type\":\"int\"}}", want);
	binds_to("{\"type\":\"LT\",\"term\":{\"type\":\"reference\","
	    "\"name\":\"i\"},\"value\":{\"type\":\"literal\",\"value\":5}}",
	    want);
	/* A literal on the left flips the operator. */
	binds_to("{\"type\":\"gt\",\"left\":5,\"right\":{\"type\":"
	    "\"reference\",\"name\":\"i\"}}", want);
	binds_to("{\"type\":\"gt-eq\",\"left\":5,\"right\":{\"type\":"
	    "\"reference\",\"name\":\"i\"}}",
	    "{\"type\":\"lt-eq\",\"term\":\"i\",\"value\":5}");
	binds_to("{\"type\":\"eq\",\"left\":5,\"right\":{\"type\":"
	    "\"reference\",\"name\":\"i\"}}",
	    "{\"type\":\"eq\",\"term\":\"i\",\"value\":5}");
	/* A string on the right of a reference is a string literal. */
	binds_to("{\"type\":\"eq\",\"left\":{\"type\":\"reference\","
	    "\"name\":\"s\"},\"right\":\"i\"}",
	    "{\"type\":\"eq\",\"term\":\"s\",\"value\":\"i\"}");
	binds_to("{\"type\":\"starts-with\",\"term\":\"s\",\"value\":\"ab\"}",
	    "{\"type\":\"starts-with\",\"term\":\"s\",\"value\":\"ab\"}");
	binds_to("{\"type\":\"not-starts-with\",\"term\":\"s\","
	    "\"value\":\"ab\"}", "{\"type\":\"not-starts-with\","
	    "\"term\":\"s\",\"value\":\"ab\"}");
	binds_to("{\"type\":\"not-eq\",\"term\":\"id\",\"value\":-1}",
	    "{\"type\":\"not-eq\",\"term\":\"id\",\"value\":-1}");
	binds_to("{\"type\":\"gt\",\"term\":\"i\",\"value\":5}",
	    "{\"type\":\"gt\",\"term\":\"i\",\"value\":5}");
}

static void
test_literals_of_every_type(void **state)
{
	static const char *const	cases[][3] = {
		{ "id", "9007199254740993", "9007199254740993" },
		{ "i", "-7", "-7" },
		{ "b", "true", "true" },
		{ "f", "1.5", "1.5" },
		{ "f", "2", "2.0" },
		{ "d", "0.1", "0.1" },
		{ "dec", "\"14.2\"", "\"14.20\"" },
		{ "dec", "14.2", "\"14.20\"" },
		{ "day", "\"2017-11-16\"", "\"2017-11-16\"" },
		{ "day", "17486", "\"2017-11-16\"" },
		{ "t", "\"22:31:08.123456\"", "\"22:31:08.123456\"" },
		{ "ts", "\"2017-11-16T22:31:08\"", "\"2017-11-16T22:31:08\"" },
		{ "ts", "1510871468000000", "\"2017-11-16T22:31:08\"" },
		{ "tz", "\"2017-11-16T23:31:08+01:00\"",
		    "\"2017-11-16T22:31:08+00:00\"" },
		{ "ns", "\"2017-11-16T22:31:08.000000001\"",
		    "\"2017-11-16T22:31:08.000000001\"" },
		{ "tzns", "\"2017-11-16T22:31:08.5+00:00\"",
		    "\"2017-11-16T22:31:08.500000000+00:00\"" },
		{ "s", "\"h\\u00e9\"", "\"h\\u00e9\"" },
		{ "u", "\"f79c3e09-677c-4bbd-a479-3f349cb785e7\"",
		    "\"f79c3e09-677c-4bbd-a479-3f349cb785e7\"" },
		{ "fx", "\"0aff\"", "\"0AFF\"" },
		{ "bin", "\"\"", "\"\"" },
		{ "st.Inner", "3", "3" },
		{ "st.deep.x", "\"z\"", "\"z\"" },
		{ "a.b", "1", "1" },
	};
	char	f[256], w[256];
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		(void)snprintf(f, sizeof(f), "{\"type\":\"eq\",\"term\":\"%s\","
		    "\"value\":%s}", cases[i][0], cases[i][1]);
		(void)snprintf(w, sizeof(w), "{\"type\":\"eq\",\"term\":\"%s\","
		    "\"value\":%s}", cases[i][0], cases[i][2]);
		binds_to(f, w);
	}
}

static void
test_bound_nodes_carry_id_name_and_type(void **state)
{
	struct ice_expr	*x;

	x = bind("{\"type\":\"eq\",\"term\":\"ST.INNER\",\"value\":3}");
	assert_null(x);
	x = bind_cs("{\"type\":\"eq\",\"term\":\"ST.INNER\",\"value\":3}", 0);
	assert_non_null(x);
	assert_int_equal(x->op, ICE_OP_EQ);
	assert_int_equal(x->field_id, 18);
	assert_string_equal(x->name, "st.Inner");
	assert_int_equal(x->type.id, ICE_T_INT);
	assert_int_equal(x->nlits, 1);
	assert_int_equal(x->lits[0].u.i, 3);
	x = bind("{\"type\":\"eq\",\"term\":\"dec\",\"value\":\"1.5\"}");
	assert_non_null(x);
	assert_int_equal(x->type.precision, 9);
	assert_int_equal(x->type.scale, 2);
	assert_true(x->lits[0].u.dec == 150);
	x = bind("{\"type\":\"is-null\",\"child\":{\"type\":\"reference\","
	    "\"id\":20}}");
	assert_non_null(x);
	assert_string_equal(x->name, "st.deep.x");
}

static void
test_unary_predicates_and_their_folds(void **state)
{
	binds_to("{\"type\":\"is-null\",\"term\":\"i\"}",
	    "{\"type\":\"is-null\",\"term\":\"i\"}");
	binds_to("{\"type\":\"not-null\",\"child\":{\"type\":\"reference\","
	    "\"name\":\"i\"}}", "{\"type\":\"not-null\",\"term\":\"i\"}");
	binds_to("{\"type\":\"is-nan\",\"term\":\"d\"}",
	    "{\"type\":\"is-nan\",\"term\":\"d\"}");
	binds_to("{\"type\":\"not-nan\",\"term\":\"f\"}",
	    "{\"type\":\"not-nan\",\"term\":\"f\"}");
	/* A required field is never null. */
	binds_to("{\"type\":\"is-null\",\"term\":\"id\"}", "false");
	binds_to("{\"type\":\"not-null\",\"term\":\"id\"}", "true");
	binds_to("{\"type\":\"is-null\",\"term\":\"st.Inner\"}", "false");
	/* ...but one inside an optional struct can be. */
	binds_to("{\"type\":\"is-null\",\"term\":\"st.deep.x\"}",
	    "{\"type\":\"is-null\",\"term\":\"st.deep.x\"}");
	/* Only floats are NaN (Java binds the others to a constant). */
	binds_to("{\"type\":\"is-nan\",\"term\":\"i\"}", "false");
	binds_to("{\"type\":\"not-nan\",\"term\":\"s\"}", "true");
	binds_to("{\"type\":\"not\",\"child\":{\"type\":\"is-nan\","
	    "\"term\":\"i\"}}", "true");
}

static void
test_in_sorts_dedupes_and_collapses(void **state)
{
	binds_to("{\"type\":\"in\",\"term\":\"i\",\"values\":[3,1,2,1,3]}",
	    "{\"type\":\"in\",\"term\":\"i\",\"values\":[1,2,3]}");
	binds_to("{\"type\":\"not-in\",\"child\":{\"type\":\"reference\","
	    "\"name\":\"s\"},\"values\":{\"type\":\"literals\","
	    "\"values\":[\"b\",\"a\"],\"data-type\":\"string\"}}",
	    "{\"type\":\"not-in\",\"term\":\"s\",\"values\":[\"a\",\"b\"]}");
	binds_to("{\"type\":\"in\",\"term\":\"i\",\"values\":[4,4]}",
	    "{\"type\":\"eq\",\"term\":\"i\",\"value\":4}");
	binds_to("{\"type\":\"not-in\",\"term\":\"i\",\"values\":[4]}",
	    "{\"type\":\"not-eq\",\"term\":\"i\",\"value\":4}");
	binds_to("{\"type\":\"in\",\"term\":\"i\",\"values\":[]}", "false");
	binds_to("{\"type\":\"not-in\",\"term\":\"i\",\"values\":[]}", "true");
	binds_to("{\"type\":\"in\",\"term\":\"d\",\"values\":[2.5,-1,"
	    "{\"type\":\"literal\",\"value\":0.5}]}",
	    "{\"type\":\"in\",\"term\":\"d\",\"values\":[-1.0,0.5,2.5]}");
}

static void
test_not_is_pushed_to_the_leaves(void **state)
{
	binds_to("{\"type\":\"not\",\"child\":{\"type\":\"lt\",\"term\":\"i\","
	    "\"value\":5}}", "{\"type\":\"gt-eq\",\"term\":\"i\",\"value\":5}");
	binds_to("{\"type\":\"not\",\"child\":{\"type\":\"lt-eq\","
	    "\"term\":\"i\",\"value\":5}}",
	    "{\"type\":\"gt\",\"term\":\"i\",\"value\":5}");
	binds_to("{\"type\":\"not\",\"child\":{\"type\":\"eq\",\"term\":\"i\","
	    "\"value\":5}}", "{\"type\":\"not-eq\",\"term\":\"i\",\"value\":5}");
	binds_to("{\"type\":\"not\",\"child\":{\"type\":\"in\",\"term\":\"i\","
	    "\"values\":[1,2]}}",
	    "{\"type\":\"not-in\",\"term\":\"i\",\"values\":[1,2]}");
	binds_to("{\"type\":\"not\",\"child\":{\"type\":\"is-null\","
	    "\"term\":\"i\"}}", "{\"type\":\"not-null\",\"term\":\"i\"}");
	binds_to("{\"type\":\"not\",\"child\":{\"type\":\"starts-with\","
	    "\"term\":\"s\",\"value\":\"a\"}}",
	    "{\"type\":\"not-starts-with\",\"term\":\"s\",\"value\":\"a\"}");
	binds_to("{\"type\":\"not\",\"child\":{\"type\":\"not\",\"child\":"
	    "{\"type\":\"gt\",\"term\":\"i\",\"value\":5}}}",
	    "{\"type\":\"gt\",\"term\":\"i\",\"value\":5}");
	/* De Morgan. */
	binds_to("{\"type\":\"not\",\"child\":{\"type\":\"and\",\"left\":"
	    "{\"type\":\"lt\",\"term\":\"i\",\"value\":5},\"right\":"
	    "{\"type\":\"is-nan\",\"term\":\"d\"}}}",
	    "{\"type\":\"or\",\"left\":{\"type\":\"gt-eq\",\"term\":\"i\","
	    "\"value\":5},\"right\":{\"type\":\"not-nan\",\"term\":\"d\"}}");
	binds_to("{\"type\":\"not\",\"child\":{\"type\":\"or\",\"left\":"
	    "{\"type\":\"gt\",\"left\":5,\"right\":{\"type\":\"reference\","
	    "\"name\":\"i\"}},\"right\":{\"type\":\"not-null\",\"term\":\"s\"}}}",
	    "{\"type\":\"and\",\"left\":{\"type\":\"gt-eq\",\"term\":\"i\","
	    "\"value\":5},\"right\":{\"type\":\"is-null\",\"term\":\"s\"}}");
}

static void
test_true_and_false_fold_through_and_or(void **state)
{
	const char	*p = "{\"type\":\"eq\",\"term\":\"i\",\"value\":1}";
	char		 f[512];

	(void)snprintf(f, sizeof(f), "{\"type\":\"and\",\"left\":true,"
	    "\"right\":%s}", p);
	binds_to(f, p);
	(void)snprintf(f, sizeof(f), "{\"type\":\"and\",\"left\":%s,"
	    "\"right\":false}", p);
	binds_to(f, "false");
	(void)snprintf(f, sizeof(f), "{\"type\":\"or\",\"left\":%s,"
	    "\"right\":{\"type\":\"true\"}}", p);
	binds_to(f, "true");
	(void)snprintf(f, sizeof(f), "{\"type\":\"or\",\"left\":false,"
	    "\"right\":%s}", p);
	binds_to(f, p);
	(void)snprintf(f, sizeof(f), "{\"type\":\"and\",\"left\":{\"type\":"
	    "\"is-null\",\"term\":\"id\"},\"right\":%s}", p);
	binds_to(f, "false");
	(void)snprintf(f, sizeof(f), "{\"type\":\"not\",\"child\":{\"type\":"
	    "\"and\",\"left\":{\"type\":\"not-null\",\"term\":\"id\"},"
	    "\"right\":%s}}", p);
	binds_to(f, "{\"type\":\"not-eq\",\"term\":\"i\",\"value\":1}");
}

static void
test_names_bind_case_insensitively_unless_asked(void **state)
{
	struct ice_expr	*x;

	x = bind_cs("{\"type\":\"eq\",\"term\":\"I\",\"value\":1}", 0);
	assert_non_null(x);
	assert_string_equal(x->name, "i");
	assert_null(bind("{\"type\":\"eq\",\"term\":\"I\",\"value\":1}"));
	assert_int_equal(err.status, 400);
	/* ID2 and id2 are two fields: case-insensitive is ambiguous. */
	assert_null(bind_cs("{\"type\":\"eq\",\"term\":\"id2\",\"value\":1}",
	    0));
	assert_int_equal(err.status, 400);
	assert_non_null(strstr(err.msg, "Ambiguous"));
	x = bind("{\"type\":\"eq\",\"term\":\"ID2\",\"value\":1}");
	assert_non_null(x);
	assert_int_equal(x->field_id, 27);
}

static void
test_unbindable_fields_are_400(void **state)
{
	refused("{\"type\":\"eq\",\"term\":\"nope\",\"value\":1}", VE,
	    "nope");
	refused("{\"type\":\"eq\",\"term\":\"st\",\"value\":1}", VE,
	    "struct");
	refused("{\"type\":\"is-null\",\"term\":\"l\"}", VE, "list");
	refused("{\"type\":\"is-null\",\"term\":\"m\"}", VE, "map");
	refused("{\"type\":\"eq\",\"term\":\"l.y\",\"value\":1}", VE,
	    "list or map");
	refused("{\"type\":\"eq\",\"term\":{\"type\":\"reference\",\"id\":23},"
	    "\"value\":1}", VE, "list or map");
	refused("{\"type\":\"eq\",\"term\":{\"type\":\"reference\",\"id\":25},"
	    "\"value\":\"k\"}", VE, "list or map");
	refused("{\"type\":\"eq\",\"term\":{\"type\":\"reference\",\"id\":99},"
	    "\"value\":1}", VE, "99");
	refused("{\"type\":\"is-null\",\"term\":\"v\"}", VE, "variant");
}

static void
test_literals_that_do_not_fit_are_400(void **state)
{
	refused("{\"type\":\"eq\",\"term\":\"id\",\"value\":\"5\"}", VE,
	    "long");
	refused("{\"type\":\"eq\",\"term\":\"i\",\"value\":4294967296}", VE,
	    "range");
	refused("{\"type\":\"eq\",\"term\":\"i\",\"value\":null}", VE,
	    "is-null");
	refused("{\"type\":\"in\",\"term\":\"i\",\"values\":[1,null]}", VE,
	    "is-null");
	refused("{\"type\":\"eq\",\"term\":\"d\",\"value\":\"NaN\"}", VE,
	    "is-nan");
	refused("{\"type\":\"lt\",\"term\":\"f\",\"value\":{\"type\":"
	    "\"literal\",\"value\":\"NaN\"}}", VE, "is-nan");
	refused("{\"type\":\"starts-with\",\"term\":\"i\",\"value\":1}", VE,
	    "string");
	refused("{\"type\":\"eq\",\"term\":\"dec\",\"value\":\"1.234\"}", VE,
	    "decimal");
	refused("{\"type\":\"eq\",\"term\":\"day\",\"value\":\"2017-13-01\"}",
	    VE, "date");
	refused("{\"type\":\"eq\",\"term\":\"ts\",\"value\":"
	    "\"2017-11-16T22:31:08+00:00\"}", VE, "timestamp");
	refused("{\"type\":\"eq\",\"term\":\"u\",\"value\":\"xyz\"}", VE,
	    "uuid");
	refused("{\"type\":\"eq\",\"term\":\"fx\",\"value\":\"00\"}", VE,
	    "fixed");
	refused("{\"type\":\"eq\",\"term\":\"b\",\"value\":1}", VE,
	    "boolean");
	refused("{\"type\":\"eq\",\"term\":\"i\",\"value\":[1]}", IAE,
	    "array");
	refused("{\"type\":\"eq\",\"term\":\"i\",\"value\":{\"type\":"
	    "\"literal\",\"value\":1,\"data-type\":\"list\"}}", IAE,
	    "data-type");
	refused("{\"type\":\"eq\",\"term\":\"i\",\"value\":{\"type\":"
	    "\"literal\"}}", IAE, "no value");
}

static void
test_malformed_predicates_are_400(void **state)
{
	refused("{\"type\":\"eq\",\"term\":{\"type\":\"transform\","
	    "\"transform\":\"bucket[4]\",\"term\":\"i\"},\"value\":1}", IAE,
	    "transform");
	refused("{\"type\":\"eq\",\"left\":{\"type\":\"apply\",\"function\":"
	    "\"f\",\"arguments\":[]},\"right\":1}", IAE, "apply");
	refused("{\"type\":\"eq\",\"term\":\"i\",\"value\":1,\"extra\":2}",
	    IAE, "extra");
	refused("{\"type\":\"true\",\"x\":1}", IAE, "x");
	refused("{\"type\":\"like\",\"term\":\"i\",\"value\":1}", IAE, "like");
	refused("{\"term\":\"i\",\"value\":1}", IAE, "type");
	refused("{\"type\":\"and\",\"left\":true}", IAE, "right");
	refused("{\"type\":\"not\"}", IAE, "child");
	refused("{\"type\":\"eq\",\"left\":\"i\"}", IAE, "left and right");
	refused("{\"type\":\"eq\",\"term\":\"i\",\"right\":1}", IAE, "term");
	refused("{\"type\":\"eq\",\"left\":{\"type\":\"reference\",\"name\":"
	    "\"i\"},\"right\":{\"type\":\"reference\",\"name\":\"id\"}}", IAE,
	    "two terms");
	refused("{\"type\":\"is-null\",\"term\":\"i\",\"child\":\"i\"}", IAE,
	    "child or term");
	refused("{\"type\":\"in\",\"term\":\"i\"}", IAE, "values");
	refused("{\"type\":\"in\",\"term\":\"i\",\"values\":5}", IAE,
	    "values");
	refused("{\"type\":\"in\",\"term\":\"i\",\"values\":{\"type\":"
	    "\"literals\",\"values\":[1],\"data-type\":\"nope\"}}", IAE,
	    "values");
	refused("{\"type\":\"eq\",\"term\":{\"type\":\"reference\"},"
	    "\"value\":1}", IAE, "reference");
	refused("{\"type\":\"eq\",\"term\":{\"type\":\"reference\",\"name\":"
	    "\"i\",\"id\":2},\"value\":1}", IAE, "id");
	refused("{\"type\":\"eq\",\"term\":5,\"value\":1}", IAE, "term");
	refused("5", IAE, "boolean or an object");
	refused("\"i\"", IAE, "boolean or an object");
	refused("null", IAE, "boolean or an object");
	refused("[]", IAE, "boolean or an object");
}

/* n nested nots around true. */
static char *
nested(int n)
{
	size_t	 len = (size_t)n * 32 + 16;
	char	*s = malloc(len), *p = s;
	int	 i;

	assert_non_null(s);
	for (i = 0; i < n; i++)
		p += sprintf(p, "{\"type\":\"not\",\"child\":");
	p += sprintf(p, "true");
	for (i = 0; i < n; i++)
		*p++ = '}';
	*p = '\0';
	return (s);
}

/* A balanced and-tree of depth d over i = 1 leaves. */
static json_t *
tree(int d)
{
	if (d == 0)
		return (json_pack("{s:s, s:s, s:i}", "type", "eq", "term", "i",
		    "value", 1));
	return (json_pack("{s:s, s:o, s:o}", "type", "and", "left",
	    tree(d - 1), "right", tree(d - 1)));
}

static void
test_limits_refuse_deep_wide_and_long_filters(void **state)
{
	char		*s;
	json_t		*f, *vals;
	struct ice_expr	*x;
	int		 i;

	s = nested(63);
	assert_non_null(bind(s));
	free(s);
	s = nested(64);
	refused(s, IAE, "deeper");
	free(s);
	s = nested(2000);
	refused(s, IAE, "deeper");
	free(s);
	/* 2^13 - 1 nodes pass, 2^14 - 1 do not. */
	f = tree(12);
	assert_non_null(ice_expr_bind(arena, f, schema, 1, &err));
	json_decref(f);
	f = tree(13);
	assert_null(ice_expr_bind(arena, f, schema, 1, &err));
	assert_int_equal(err.status, 400);
	assert_non_null(strstr(err.msg, "predicates"));
	json_decref(f);
	vals = json_array();
	for (i = 0; i < 100001; i++)
		json_array_append_new(vals, json_integer(i));
	f = json_pack("{s:s, s:s, s:O}", "type", "in", "term", "id", "values",
	    vals);
	assert_null(ice_expr_bind(arena, f, schema, 1, &err));
	assert_int_equal(err.status, 400);
	json_array_remove(vals, 0);
	json_decref(f);
	f = json_pack("{s:s, s:s, s:o}", "type", "in", "term", "id", "values",
	    vals);
	x = ice_expr_bind(arena, f, schema, 1, &err);
	assert_non_null(x);
	assert_int_equal(x->nlits, 100000);
	json_decref(f);
}

/* bind -> JSON -> bind -> the same JSON. */
static void
test_written_json_binds_to_the_same_expression(void **state)
{
	static const char *const	filters[] = {
		"{\"type\":\"and\",\"left\":{\"type\":\"lt\",\"term\":\"ts\","
		    "\"value\":\"2020-01-01T00:00:00.000001\"},\"right\":"
		    "{\"type\":\"or\",\"left\":{\"type\":\"in\",\"term\":\"u\","
		    "\"values\":[\"f79c3e09-677c-4bbd-a479-3f349cb785e7\","
		    "\"00000000-0000-0000-0000-000000000000\"]},\"right\":"
		    "{\"type\":\"not-nan\",\"term\":\"f\"}}}",
		"{\"type\":\"not\",\"child\":{\"type\":\"in\",\"term\":\"dec\","
		    "\"values\":[\"-1.5\",\"0\",\"99.99\"]}}",
		"{\"type\":\"gt-eq\",\"term\":\"tzns\",\"value\":"
		    "\"1900-02-28T23:59:59.999999999-12:00\"}",
		"{\"type\":\"in\",\"term\":\"bin\",\"values\":[\"00\",\"ff\","
		    "\"0001\"]}",
		"{\"type\":\"lt\",\"term\":\"t\",\"value\":\"00:00:00.000001\"}",
		"{\"type\":\"eq\",\"term\":\"d\",\"value\":\"-Infinity\"}",
		"{\"type\":\"not-eq\",\"term\":\"day\",\"value\":\"-0044-03-15\"}",
		"{\"type\":\"eq\",\"term\":\"st.deep.x\",\"value\":\"\\\"q\\\"\"}",
	};
	struct ice_expr	*x, *y;
	json_t		*j1, *j2;
	size_t		 i;
	char		*s;

	for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		x = bind(filters[i]);
		if (x == NULL)
			fail_msg("%s: %s", filters[i], err.msg);
		j1 = ice_expr_to_json(x);
		assert_non_null(j1);
		y = ice_expr_bind(arena, j1, schema, 1, &err);
		s = json_dumps(j1, JSON_ENCODE_ANY);
		if (y == NULL)
			fail_msg("%s: %s", s, err.msg);
		j2 = ice_expr_to_json(y);
		if (!json_equal(j1, j2))
			fail_msg("%s does not read back", s);
		free(s);
		json_decref(j1);
		json_decref(j2);
	}
}

static int
setup(void **state)
{
	schema = load(schema_text);
	arena = pgl_arena_new();
	return (arena == NULL);
}

static int
teardown(void **state)
{
	json_decref(schema);
	pgl_arena_free(arena);
	return (0);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_true_and_false_in_every_spelling),
		cmocka_unit_test(test_comparisons_in_both_forms_and_all_references),
		cmocka_unit_test(test_literals_of_every_type),
		cmocka_unit_test(test_bound_nodes_carry_id_name_and_type),
		cmocka_unit_test(test_unary_predicates_and_their_folds),
		cmocka_unit_test(test_in_sorts_dedupes_and_collapses),
		cmocka_unit_test(test_not_is_pushed_to_the_leaves),
		cmocka_unit_test(test_true_and_false_fold_through_and_or),
		cmocka_unit_test(test_names_bind_case_insensitively_unless_asked),
		cmocka_unit_test(test_unbindable_fields_are_400),
		cmocka_unit_test(test_literals_that_do_not_fit_are_400),
		cmocka_unit_test(test_malformed_predicates_are_400),
		cmocka_unit_test(test_limits_refuse_deep_wide_and_long_filters),
		cmocka_unit_test(test_written_json_binds_to_the_same_expression),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
