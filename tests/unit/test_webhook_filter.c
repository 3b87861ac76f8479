/* A webhook subscription's filter (src/events/webhook_filter.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "events/webhook_filter.h"

static json_t *
parse(const char *text, char *why, size_t whylen)
{
	json_t	*body = json_loads(text, 0, NULL), *f;

	assert_non_null(body);
	why[0] = '\0';
	f = pgl_webhook_filter_parse(body, why, whylen);
	json_decref(body);
	return (f);
}

/* The reason names the field at fault. */
static void
refused(const char *text, const char *field)
{
	char	why[256];

	assert_null(parse(text, why, sizeof(why)));
	if (strstr(why, field) == NULL)
		fail_msg("%s: \"%s\" does not name %s", text, why, field);
}

static void
test_parse_errors_name_the_field(void **state)
{
	(void)state;
	refused("{\"operation_types\": \"update-table\"}", "operation_types");
	refused("{\"operation_types\": [\"update-table\", \"nope\"]}",
	    "operation_types[1]");
	refused("{\"operation_types\": [3]}", "operation_types[0]");
	refused("{\"catalogs\": {}}", "catalogs");
	refused("{\"catalogs\": [\"lake\", \"\"]}", "catalogs[1]");
	refused("{\"catalogs\": [\"a\\u0001b\"]}", "catalogs[0]");
	refused("{\"namespaces\": [\"a..b\"]}", "namespaces[0]");
	refused("{\"namespaces\": [\"\"]}", "namespaces[0]");
	refused("{\"namespaces\": [\"ok\", []]}", "namespaces[1]");
	refused("{\"namespaces\": [[\"a\", 2]]}", "namespaces[0]");
}

static void
test_parse_normalises_namespaces_to_levels(void **state)
{
	char	 why[256], *text;
	json_t	*f;

	(void)state;
	f = parse("{\"operation_types\": [\"update-table\"], \"catalogs\": "
	    "[], \"namespaces\": [\"sales.eu\", [\"a.b\", \"c\"]], "
	    "\"name\": \"not the filter's\"}", why, sizeof(why));
	assert_non_null(f);
	text = json_dumps(f, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, "{\"namespaces\":[[\"sales\",\"eu\"],"
	    "[\"a.b\",\"c\"]],\"operation_types\":[\"update-table\"]}");
	free(text);
	json_decref(f);
	/* Nothing given: an empty object, which passes every event. */
	f = parse("{}", why, sizeof(why));
	assert_non_null(f);
	assert_int_equal(json_object_size(f), 0);
	json_decref(f);
}

static struct pgl_event
event(const char *catalog, const char *type, const char *object_name)
{
	struct pgl_event	e;

	memset(&e, 0, sizeof(e));
	e.id = "e";
	e.tenant_id = "t";
	e.catalog = catalog;
	e.operation_type = type;
	e.object_name = object_name;
	e.body = "{}";
	return (e);
}

static int
match(const char *filter, struct pgl_event e)
{
	char	why[256];
	json_t	*f = parse(filter, why, sizeof(why));
	int	 m;

	assert_non_null(f);
	m = pgl_webhook_filter_match(f, &e);
	json_decref(f);
	return (m);
}

#define S	PGL_NS_SEP_STR

static void
test_namespaces_match_whole_levels(void **state)
{
	const char	*f = "{\"namespaces\": [\"sales.eu\"]}";

	(void)state;
	assert_true(match(f, event("lake", "update-table", "sales" S "eu")));
	assert_true(match(f, event("lake", "update-table",
	    "sales" S "eu" S "orders")));
	assert_true(match(f, event("lake", "update-table",
	    "sales" S "eu" S "x" S "orders")));
	/* A level that only begins like it is another namespace. */
	assert_false(match(f, event("lake", "update-table",
	    "sales" S "europe" S "orders")));
	assert_false(match(f, event("lake", "update-table", "sales")));
	assert_false(match(f, event("lake", "update-table",
	    "salesXeu" S "t")));
	/* A level holding a dot, given as an array. */
	assert_true(match("{\"namespaces\": [[\"a.b\"]]}", event("lake",
	    "create-table", "a.b" S "t")));
	assert_false(match("{\"namespaces\": [[\"a.b\"]]}", event("lake",
	    "create-table", "a" S "b" S "t")));
	/* No object, or a tenant-level event: not in any namespace. */
	assert_false(match(f, event("lake", "x-pangolin.merge", NULL)));
	assert_false(match(f, event("", "x-pangolin.grant",
	    "sales" S "eu")));
}

static void
test_catalogs_and_types_all_must_match(void **state)
{
	const char	*f = "{\"catalogs\": [\"lake\", \"sea\"], "
			    "\"operation_types\": [\"update-table\", "
			    "\"drop-table\"]}";

	(void)state;
	assert_true(match(f, event("lake", "update-table", "a" S "t")));
	assert_true(match(f, event("sea", "drop-table", "a" S "t")));
	assert_false(match(f, event("pond", "update-table", "a" S "t")));
	assert_false(match(f, event("lake", "create-table", "a" S "t")));
	/* A tenant-level event has no catalog. */
	assert_false(match("{\"catalogs\": [\"lake\"]}", event("",
	    "x-pangolin.grant", NULL)));
	assert_true(match("{}", event("", "x-pangolin.grant", NULL)));
	assert_true(pgl_webhook_filter_match(NULL, &(struct pgl_event){
	    .catalog = "", .operation_type = "x" }));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_errors_name_the_field),
		cmocka_unit_test(test_parse_normalises_namespaces_to_levels),
		cmocka_unit_test(test_namespaces_match_whole_levels),
		cmocka_unit_test(test_catalogs_and_types_all_must_match),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
