/* The feed's QueryEventsRequest (src/events/feed_query.c): what is
 * refused, with which reason, and which events a query matches. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "events/feed_query.h"
#include "util/json.h"

#define TUUID	"9c12d441-03fe-4693-9a96-a0705ddf69c1"

/* Parse text as a body: 0 with q filled, or -1 with why. */
static int
parse_q(const char *text, struct pgl_feed_query *q, char *why, size_t len)
{
	json_error_t	 e;
	json_t		*body = json_loads(text, 0, &e);
	int		 rc;

	assert_non_null(body);
	rc = pgl_feed_query_parse(body, q, why, len);
	json_decref(body);
	return (rc);
}

/* Refused, with a reason that holds want. */
static void
refused(const char *text, const char *want)
{
	struct pgl_feed_query	 q;
	char			 why[256] = "";

	if (parse_q(text, &q, why, sizeof(why)) != -1)
		fail_msg("accepted: %s", text);
	if (strstr(why, want) == NULL)
		fail_msg("%s: reason \"%s\" does not name \"%s\"", text, why,
		    want);
	pgl_feed_query_free(&q);
}

static void
test_an_empty_body_reads_everything_from_the_start_a_page_of_100(
    void **state)
{
	struct pgl_feed_query	 q;
	char			 why[256];

	(void)state;
	assert_int_equal(parse_q("{}", &q, why, sizeof(why)), 0);
	assert_null(q.token);
	assert_int_equal(q.page_size, PGL_FEED_PAGE_DEFAULT);
	assert_int_equal(q.since_ms, 0);
	assert_null(q.operation_types);
	assert_null(q.object_types);
	assert_null(q.object_uuids);
	assert_null(q.object_names);
	pgl_feed_query_free(&q);
	/* null counts as absent, "" as no token (a first request). */
	assert_int_equal(parse_q("{\"continuation-token\": \"\", "
	    "\"page-size\": null, \"custom-filters\": {}}", &q, why,
	    sizeof(why)), 0);
	assert_null(q.token);
	assert_int_equal(q.page_size, PGL_FEED_PAGE_DEFAULT);
	pgl_feed_query_free(&q);
}

static void
test_page_size_below_one_is_refused_and_above_the_cap_clamped(void **state)
{
	struct pgl_feed_query	 q;
	char			 why[256];

	(void)state;
	refused("{\"page-size\": 0}", "page-size");
	refused("{\"page-size\": -5}", "page-size");
	refused("{\"page-size\": \"10\"}", "page-size");
	assert_int_equal(parse_q("{\"page-size\": 1000000}", &q, why,
	    sizeof(why)), 0);
	assert_int_equal(q.page_size, PGL_FEED_PAGE_MAX);
	pgl_feed_query_free(&q);
	assert_int_equal(parse_q("{\"page-size\": 7}", &q, why, sizeof(why)),
	    0);
	assert_int_equal(q.page_size, 7);
	pgl_feed_query_free(&q);
}

static void
test_unknown_fields_and_filters_are_refused_by_name(void **state)
{
	(void)state;
	refused("{\"pagesize\": 10}", "pagesize");
	refused("{\"operation-types\": [\"create-table\", \"make-coffee\"]}",
	    "make-coffee");
	refused("{\"operation-types\": [\"x-mycatalog.archive\"]}",
	    "x-mycatalog.archive");
	refused("{\"operation-types\": \"create-table\"}", "operation-types");
	refused("{\"object-types\": [\"table\", \"branch\"]}", "branch");
	refused("{\"catalog-objects-by-uuid\": [\"nope\"]}", "nope");
	refused("{\"catalog-objects-by-name\": [[\"db\"], []]}",
	    "catalog-objects-by-name[1]");
	refused("{\"catalog-objects-by-name\": [[\"db\", 3]]}",
	    "catalog-objects-by-name[0][1]");
	refused("{\"catalog-objects-by-name\": [\"db\"]}",
	    "catalog-objects-by-name[0]");
	refused("{\"catalog-objects-by-name\": [[\"a\\u001fb\"]]}",
	    "catalog-objects-by-name[0][0]");
	refused("{\"custom-filters\": {\"branch\": \"dev\"}}", "branch");
	refused("{\"since-timestamp-ms\": -1}", "since-timestamp-ms");
	refused("[]", "");
}

static void
test_a_filter_list_longer_than_the_cap_is_refused(void **state)
{
	char	*body, *p;
	int	 i;

	(void)state;
	body = malloc(64 + (PGL_FEED_FILTER_MAX + 1) * 16);
	p = body + sprintf(body, "{\"object-types\": [");
	for (i = 0; i <= PGL_FEED_FILTER_MAX; i++)
		p += sprintf(p, "%s\"table\"", i > 0 ? "," : "");
	strcpy(p, "]}");
	refused(body, "at most");
	free(body);
}

static void
test_since_is_ignored_when_a_token_decides_where_to_resume(void **state)
{
	struct pgl_feed_query	 q;
	char			 why[256];

	(void)state;
	assert_int_equal(parse_q("{\"since-timestamp-ms\": 1700000000000}",
	    &q, why, sizeof(why)), 0);
	assert_int_equal(q.since_ms, 1700000000000LL);
	pgl_feed_query_free(&q);
	assert_int_equal(parse_q("{\"continuation-token\": \"abc\", "
	    "\"since-timestamp-ms\": 1700000000000}", &q, why, sizeof(why)),
	    0);
	assert_string_equal(q.token, "abc");
	assert_int_equal(q.since_ms, 0);
	pgl_feed_query_free(&q);
}

static void
test_lists_take_the_form_the_store_filter_takes(void **state)
{
	struct pgl_feed_query	 q;
	char			 why[256], *text;

	(void)state;
	assert_int_equal(parse_q("{\"catalog-objects-by-name\": "
	    "[[\"a\", \"b\"], [\"t\"]], \"catalog-objects-by-uuid\": "
	    "[\"9C12D441-03FE-4693-9A96-A0705DDF69C1\"]}", &q, why,
	    sizeof(why)), 0);
	text = pgl_json_dump(q.object_names);
	assert_string_equal(text, "[\"a\\u001Fb\",\"t\"]");
	free(text);
	assert_string_equal(json_string_value(json_array_get(q.object_uuids,
	    0)), TUUID);
	pgl_feed_query_free(&q);
}

static int
matches(const char *body, const struct pgl_feed_event_fields *e)
{
	struct pgl_feed_query	 q;
	char			 why[256];
	int			 m;

	assert_int_equal(parse_q(body, &q, why, sizeof(why)), 0);
	m = pgl_feed_query_match(&q, e);
	pgl_feed_query_free(&q);
	return (m);
}

static void
test_a_name_matches_itself_and_what_is_under_it_by_whole_levels(
    void **state)
{
	struct pgl_feed_event_fields	 tax = { "create-table", "table",
					    "acc\x1ftax\x1fpaid", NULL, TUUID,
					    10 };
	struct pgl_feed_event_fields	 ns = { "create-namespace",
					    "namespace", "accounting", NULL,
					    NULL, 10 };

	(void)state;
	assert_true(matches("{\"catalog-objects-by-name\": [[\"acc\"]]}",
	    &tax));
	assert_true(matches("{\"catalog-objects-by-name\": [[\"acc\", "
	    "\"tax\", \"paid\"]]}", &tax));
	assert_false(matches("{\"catalog-objects-by-name\": [[\"acc\", "
	    "\"ta\"]]}", &tax));
	assert_false(matches("{\"catalog-objects-by-name\": [[\"acc\"]]}",
	    &ns));
	assert_true(matches("{\"catalog-objects-by-name\": [[\"x\"], "
	    "[\"accounting\"]]}", &ns));
	/* An event that names no object matches no name filter. */
	ns.object_name = NULL;
	assert_false(matches("{\"catalog-objects-by-name\": [[\"acc\"]]}",
	    &ns));
	assert_true(matches("{}", &ns));
}

static void
test_every_filter_must_pass_and_any_entry_of_one_will_do(void **state)
{
	struct pgl_feed_event_fields	 e = { "update-table", "table",
					    "db\x1ft", "db\x1fu", TUUID, 500 };

	(void)state;
	assert_true(matches("{\"operation-types\": [\"drop-table\", "
	    "\"update-table\"], \"object-types\": [\"table\"]}", &e));
	assert_false(matches("{\"operation-types\": [\"update-table\"], "
	    "\"object-types\": [\"view\"]}", &e));
	assert_true(matches("{\"catalog-objects-by-uuid\": [\""
	    "9C12D441-03FE-4693-9A96-A0705DDF69C1\"]}", &e));
	assert_false(matches("{\"catalog-objects-by-uuid\": [\""
	    "00000000-03fe-4693-9a96-a0705ddf69c1\"]}", &e));
	assert_true(matches("{\"since-timestamp-ms\": 500}", &e));
	assert_false(matches("{\"since-timestamp-ms\": 501}", &e));
	/* A rename is found by the name it had and the name it got. */
	assert_true(matches("{\"catalog-objects-by-name\": [[\"db\", "
	    "\"u\"]]}", &e));
	/* Pangolin's own kinds match only a query without object-types. */
	e.object_type = "branch";
	assert_false(matches("{\"object-types\": [\"table\", \"view\", "
	    "\"namespace\"]}", &e));
	assert_true(matches("{\"operation-types\": [\"update-table\"]}", &e));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_empty_body_reads_everything_from_the_start_a_page_of_100),
		cmocka_unit_test(test_page_size_below_one_is_refused_and_above_the_cap_clamped),
		cmocka_unit_test(test_unknown_fields_and_filters_are_refused_by_name),
		cmocka_unit_test(test_a_filter_list_longer_than_the_cap_is_refused),
		cmocka_unit_test(test_since_is_ignored_when_a_token_decides_where_to_resume),
		cmocka_unit_test(test_lists_take_the_form_the_store_filter_takes),
		cmocka_unit_test(test_a_name_matches_itself_and_what_is_under_it_by_whole_levels),
		cmocka_unit_test(test_every_filter_must_pass_and_any_entry_of_one_will_do),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
