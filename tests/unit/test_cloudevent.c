/* Change events as CloudEvents 1.0 JSON (src/events/cloudevent.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "events/cloudevent.h"
#include "util/json.h"

#define TENANT	"7d1c2f5e-0000-4000-8000-000000000001"

static json_t *
parse(const char *text)
{
	json_error_t	 e;
	json_t		*v = json_loads(text, 0, &e);

	assert_non_null(v);
	return (v);
}

/* An update-table event as the feed answers it (the proposal's Event). */
static json_t *
commit_event(void)
{
	return (parse("{\"event-id\": \"0193b6a4-2f6e-7c1d-9d1a-5b8c3e2f1a00\","
	    "\"request-id\": \"req-1\", \"request-event-count\": 1,"
	    "\"timestamp-ms\": 1614265330123, \"actor\": {\"id\": \"alice\"},"
	    "\"operation\": {\"operation-type\": \"update-table\","
	    "\"identifier\": {\"namespace\": [\"db\", \"sales\"], \"name\": "
	    "\"orders\"}, \"table-uuid\": \"9c12d441-03fe-4693-9a96-"
	    "a0705ddf69c1\", \"updates\": []}}"));
}

static void
test_envelope_carries_the_required_attributes_and_the_event_as_data(
    void **state)
{
	char	 why[128];
	json_t	*ev = commit_event(), *ce;

	(void)state;
	ce = pgl_cloudevent_build(ev, TENANT, "lake", why, sizeof(why));
	assert_non_null(ce);
	assert_string_equal(pgl_json_str(ce, "specversion"), "1.0");
	assert_string_equal(pgl_json_str(ce, "id"),
	    "0193b6a4-2f6e-7c1d-9d1a-5b8c3e2f1a00");
	assert_string_equal(pgl_json_str(ce, "type"),
	    "io.pangolin.update-table");
	assert_string_equal(pgl_json_str(ce, "source"),
	    "/pangolin/tenants/" TENANT "/catalogs/lake");
	assert_string_equal(pgl_json_str(ce, "time"),
	    "2021-02-25T15:02:10.123Z");
	assert_string_equal(pgl_json_str(ce, "datacontenttype"),
	    "application/json");
	assert_string_equal(pgl_json_str(ce, "subject"), "db.sales.orders");
	assert_true(json_equal(json_object_get(ce, "data"), ev));
	json_decref(ce);
	/* A tenant-level change (catalog ""): the tenant is the source. */
	ce = pgl_cloudevent_build(ev, TENANT, "", why, sizeof(why));
	assert_non_null(ce);
	assert_string_equal(pgl_json_str(ce, "source"),
	    "/pangolin/tenants/" TENANT);
	json_decref(ce);
	assert_null(pgl_cloudevent_build(ev, TENANT, NULL, why, sizeof(why)));
	json_decref(ev);
}

static void
test_text_is_compact_json_of_the_envelope(void **state)
{
	char	 why[128], *text;
	json_t	*ev = commit_event(), *back;

	(void)state;
	text = pgl_cloudevent_text(ev, TENANT, "lake", why, sizeof(why));
	assert_non_null(text);
	assert_null(strchr(text, '\n'));
	assert_non_null(strstr(text, "\"specversion\":\"1.0\""));
	back = parse(text);
	assert_true(json_equal(json_object_get(back, "data"), ev));
	json_decref(back);
	free(text);
	json_decref(ev);
}

static void
test_names_with_dots_and_spaces_are_escaped_so_levels_split_back(
    void **state)
{
	char	 why[128];
	json_t	*ev, *ce;

	(void)state;
	ev = parse("{\"event-id\": \"e1\", \"request-id\": \"r\","
	    "\"request-event-count\": 1, \"timestamp-ms\": 0, \"operation\": {"
	    "\"operation-type\": \"create-table\", \"identifier\": {"
	    "\"namespace\": [\"a.b\", \"c d\"], \"name\": \"t%\"},"
	    "\"table-uuid\": \"u\", \"updates\": []}}");
	ce = pgl_cloudevent_build(ev, TENANT, "sales.eu", why, sizeof(why));
	assert_non_null(ce);
	assert_string_equal(pgl_json_str(ce, "subject"), "a%2Eb.c%20d.t%25");
	assert_string_equal(pgl_json_str(ce, "source"),
	    "/pangolin/tenants/" TENANT "/catalogs/sales%2Eeu");
	assert_string_equal(pgl_json_str(ce, "time"),
	    "1970-01-01T00:00:00.000Z");
	json_decref(ce);
	json_decref(ev);
}

static void
test_rename_subject_is_the_name_it_had_and_namespace_ops_name_the_namespace(
    void **state)
{
	char	 why[128];
	json_t	*ev, *ce;

	(void)state;
	ev = parse("{\"event-id\": \"e2\", \"request-id\": \"r\","
	    "\"request-event-count\": 1, \"timestamp-ms\": 5, \"operation\": {"
	    "\"operation-type\": \"rename-table\", \"table-uuid\": \"u\","
	    "\"source\": {\"namespace\": [\"db\"], \"name\": \"old\"},"
	    "\"destination\": {\"namespace\": [\"db\"], \"name\": \"new\"}}}");
	ce = pgl_cloudevent_build(ev, TENANT, "lake", why, sizeof(why));
	assert_string_equal(pgl_json_str(ce, "subject"), "db.old");
	json_decref(ce);
	json_decref(ev);

	ev = parse("{\"event-id\": \"e3\", \"request-id\": \"r\","
	    "\"request-event-count\": 1, \"timestamp-ms\": 5, \"operation\": {"
	    "\"operation-type\": \"drop-namespace\", \"namespace\": [\"db\","
	    "\"tmp\"]}}");
	ce = pgl_cloudevent_build(ev, TENANT, "lake", why, sizeof(why));
	assert_string_equal(pgl_json_str(ce, "subject"), "db.tmp");
	json_decref(ce);
	json_decref(ev);

	/* The root namespace names nothing: no subject, never an empty one. */
	ev = parse("{\"event-id\": \"e3\", \"request-id\": \"r\","
	    "\"request-event-count\": 1, \"timestamp-ms\": 5, \"operation\": {"
	    "\"operation-type\": \"x-pangolin.root\", \"namespace\": []}}");
	ce = pgl_cloudevent_build(ev, TENANT, "lake", why, sizeof(why));
	assert_non_null(ce);
	assert_null(json_object_get(ce, "subject"));
	json_decref(ce);
	json_decref(ev);
}

static void
test_pangolin_x_types_keep_their_prefix_and_may_name_no_object(void **state)
{
	char	 why[128];
	json_t	*ev, *ce;

	(void)state;
	ev = parse("{\"event-id\": \"e4\", \"request-id\": \"r\","
	    "\"request-event-count\": 1, \"timestamp-ms\": 5, \"operation\": {"
	    "\"operation-type\": \"x-pangolin.create-branch\", \"branch\":"
	    "\"dev\"}}");
	ce = pgl_cloudevent_build(ev, TENANT, "lake", why, sizeof(why));
	assert_non_null(ce);
	assert_string_equal(pgl_json_str(ce, "type"),
	    "io.pangolin.x-pangolin.create-branch");
	assert_null(json_object_get(ce, "subject"));
	json_decref(ce);
	json_decref(ev);
}

static void
test_a_namespace_of_any_depth_has_its_whole_subject(void **state)
{
	char	 why[128], level[256];
	json_t	*ev, *ns, *ce;
	size_t	 i;

	(void)state;
	memset(level, '.', sizeof(level) - 1);
	level[sizeof(level) - 1] = '\0';
	ns = json_array();
	for (i = 0; i < 40; i++)
		json_array_append_new(ns, json_string(level));
	ev = parse("{\"event-id\": \"e5\", \"request-id\": \"r\","
	    "\"request-event-count\": 1, \"timestamp-ms\": 5, \"operation\": {"
	    "\"operation-type\": \"create-namespace\"}}");
	json_object_set_new(json_object_get(ev, "operation"), "namespace", ns);
	ce = pgl_cloudevent_build(ev, TENANT, "lake", why, sizeof(why));
	assert_non_null(ce);
	/* 40 levels of 255 dots, each "%2E", with 39 separators. */
	assert_int_equal(strlen(pgl_json_str(ce, "subject")),
	    40 * 255 * 3 + 39);
	json_decref(ce);
	json_decref(ev);
}

static void
test_an_event_without_its_required_fields_is_refused_with_a_reason(
    void **state)
{
	static const char *bad[] = {
		"{\"timestamp-ms\": 1, \"operation\": {\"operation-type\": \"x\"}}",
		"{\"event-id\": \"\", \"timestamp-ms\": 1, \"operation\": {"
		    "\"operation-type\": \"x\"}}",
		"{\"event-id\": \"e\", \"timestamp-ms\": -1, \"operation\": {"
		    "\"operation-type\": \"x\"}}",
		"{\"event-id\": \"e\", \"timestamp-ms\": \"1\", \"operation\": {"
		    "\"operation-type\": \"x\"}}",
		"{\"event-id\": \"e\", \"timestamp-ms\": 1, \"operation\": {}}",
		"{\"event-id\": \"e\", \"timestamp-ms\": 1}",
		"{\"event-id\": \"e\", \"timestamp-ms\": 1, \"operation\": {"
		    "\"operation-type\": \"x\", \"identifier\": 7}}",
		"{\"event-id\": \"e\", \"timestamp-ms\": 1, \"operation\": {"
		    "\"operation-type\": \"x\", \"namespace\": [1]}}",
		"[]",
	};
	char	why[128];
	size_t	i;
	json_t	*ev;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ev = parse(bad[i]);
		why[0] = '\0';
		assert_null(pgl_cloudevent_build(ev, TENANT, "lake", why,
		    sizeof(why)));
		assert_true(why[0] != '\0');
		json_decref(ev);
	}
	ev = commit_event();
	assert_null(pgl_cloudevent_build(ev, "", "lake", why, sizeof(why)));
	assert_null(pgl_cloudevent_build(ev, TENANT, NULL, why, sizeof(why)));
	json_decref(ev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_envelope_carries_the_required_attributes_and_the_event_as_data),
		cmocka_unit_test(test_text_is_compact_json_of_the_envelope),
		cmocka_unit_test(test_names_with_dots_and_spaces_are_escaped_so_levels_split_back),
		cmocka_unit_test(test_rename_subject_is_the_name_it_had_and_namespace_ops_name_the_namespace),
		cmocka_unit_test(test_pangolin_x_types_keep_their_prefix_and_may_name_no_object),
		cmocka_unit_test(test_a_namespace_of_any_depth_has_its_whole_subject),
		cmocka_unit_test(test_an_event_without_its_required_fields_is_refused_with_a_reason),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
