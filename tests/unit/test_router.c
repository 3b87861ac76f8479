/* Router: the route table is matched segment by segment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "http/router.h"

static void h(struct pgl_req *r) { (void)r; }

static const struct pgl_route table[] = {
	{ PGL_GET,    "/api/v1/catalogs",              h, NULL, 0, NULL },
	{ PGL_POST,   "/api/v1/catalogs",              h, NULL, 0, NULL },
	{ PGL_GET,    "/api/v1/catalogs/{name}",       h, NULL, 0, NULL },
	{ PGL_DELETE, "/api/v1/catalogs/{name}",       h, NULL, 0, NULL },
	{ PGL_POST,   "/api/v1/branches/merge",        h, NULL, 0, NULL },
	{ PGL_GET,    "/api/v1/branches/{name}",       h, NULL, 0, NULL },
	{ PGL_GET,    "/v1/{prefix}/namespaces/{ns}/tables/{table}", h,
	    NULL, 0, NULL },
};
#define N	(sizeof(table) / sizeof(table[0]))

static struct pgl_match	m;

static void
test_literal_path_matches_its_method(void **state)
{
	(void)state;
	assert_int_equal(pgl_router_match(table, N, PGL_POST,
	    "/api/v1/catalogs", &m), PGL_MATCH_OK);
	assert_ptr_equal(m.route, &table[1]);
}

static void
test_param_is_captured_and_decoded(void **state)
{
	(void)state;
	assert_int_equal(pgl_router_match(table, N, PGL_GET,
	    "/api/v1/catalogs/sales%20eu", &m), PGL_MATCH_OK);
	assert_string_equal(pgl_match_param(&m, "name"), "sales eu");
	assert_null(pgl_match_param(&m, "nope"));
}

static void
test_three_params_in_order(void **state)
{
	(void)state;
	assert_int_equal(pgl_router_match(table, N, PGL_GET,
	    "/v1/lake/namespaces/a%1Fb/tables/t@dev", &m), PGL_MATCH_OK);
	assert_string_equal(pgl_match_param(&m, "prefix"), "lake");
	assert_string_equal(pgl_match_param(&m, "ns"), "a\x1f" "b");
	assert_string_equal(pgl_match_param(&m, "table"), "t@dev");
}

static void
test_known_path_wrong_method_is_405(void **state)
{
	(void)state;
	assert_int_equal(pgl_router_match(table, N, PGL_PUT,
	    "/api/v1/catalogs/x", &m), PGL_MATCH_BAD_METHOD);
	assert_int_equal(m.allowed, PGL_GET | PGL_DELETE);
	assert_null(m.route);
}

static void
test_unknown_path_is_404(void **state)
{
	(void)state;
	assert_int_equal(pgl_router_match(table, N, PGL_GET,
	    "/api/v1/catalogs/x/y/z", &m), PGL_MATCH_NOT_FOUND);
	assert_int_equal(pgl_router_match(table, N, PGL_GET, "/", &m),
	    PGL_MATCH_NOT_FOUND);
}

static void
test_literal_route_listed_first_wins(void **state)
{
	(void)state;
	assert_int_equal(pgl_router_match(table, N, PGL_POST,
	    "/api/v1/branches/merge", &m), PGL_MATCH_OK);
	assert_ptr_equal(m.route, &table[4]);
	assert_int_equal(pgl_router_match(table, N, PGL_GET,
	    "/api/v1/branches/merge", &m), PGL_MATCH_OK);
	assert_string_equal(pgl_match_param(&m, "name"), "merge");
}

static void
test_empty_segments_are_ignored(void **state)
{
	(void)state;
	assert_int_equal(pgl_router_match(table, N, PGL_GET,
	    "//api/v1//catalogs/", &m), PGL_MATCH_OK);
	assert_ptr_equal(m.route, &table[0]);
}

static void
test_bad_escape_and_encoded_nul_are_bad_path(void **state)
{
	(void)state;
	assert_int_equal(pgl_router_match(table, N, PGL_GET,
	    "/api/v1/catalogs/a%zz", &m), PGL_MATCH_BAD_PATH);
	assert_int_equal(pgl_router_match(table, N, PGL_GET,
	    "/api/v1/catalogs/a%00b", &m), PGL_MATCH_BAD_PATH);
	assert_int_equal(pgl_router_match(table, N, PGL_GET,
	    "/api/v1/catalogs/a%2", &m), PGL_MATCH_BAD_PATH);
}

static void
test_overlong_path_is_rejected_not_truncated(void **state)
{
	char	path[PGL_PATH_MAX + 16];

	(void)state;
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(pgl_router_match(table, N, PGL_GET, path, &m),
	    PGL_MATCH_BAD_PATH);
}

static void
test_head_falls_back_to_get(void **state)
{
	(void)state;
	assert_int_equal(pgl_router_match(table, N, PGL_HEAD,
	    "/api/v1/catalogs/x", &m), PGL_MATCH_OK);
	assert_ptr_equal(m.route, &table[2]);
	assert_int_equal(pgl_router_match(table, N, PGL_HEAD,
	    "/api/v1/branches/merge", &m), PGL_MATCH_OK);
	assert_ptr_equal(m.route, &table[5]);
}

static void
test_method_names_round_trip(void **state)
{
	(void)state;
	assert_int_equal(pgl_method_parse("delete"), PGL_DELETE);
	assert_string_equal(pgl_method_name(PGL_PATCH), "PATCH");
	assert_int_equal(pgl_method_parse("BREW"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal_path_matches_its_method),
		cmocka_unit_test(test_param_is_captured_and_decoded),
		cmocka_unit_test(test_three_params_in_order),
		cmocka_unit_test(test_known_path_wrong_method_is_405),
		cmocka_unit_test(test_unknown_path_is_404),
		cmocka_unit_test(test_literal_route_listed_first_wins),
		cmocka_unit_test(test_empty_segments_are_ignored),
		cmocka_unit_test(test_bad_escape_and_encoded_nul_are_bad_path),
		cmocka_unit_test(test_overlong_path_is_rejected_not_truncated),
		cmocka_unit_test(test_head_falls_back_to_get),
		cmocka_unit_test(test_method_names_round_trip),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
