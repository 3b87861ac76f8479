/*
 * The worker's parsed-metadata cache (src/api/cache/tree_cache.c): a tree is
 * found by its location, shared by reference, and an evicted tree lives
 * on while someone still holds it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>

#include "api/cache/cache.h"

static void
test_put_then_get_shares_the_tree(void **state)
{
	json_t	*t = json_pack("{s:i}", "format-version", 2), *got;

	(void)state;
	api_tree_put("/w/t/metadata/00001-a.metadata.json", t, NULL);
	got = api_tree_get("/w/t/metadata/00001-a.metadata.json", NULL);
	assert_ptr_equal(got, t);
	assert_int_equal(t->refcount, 3);	/* ours, the cache's, got */
	json_decref(got);
	assert_null(api_tree_get("/w/t/metadata/00002-b.metadata.json", NULL));
	assert_null(api_tree_get(NULL, NULL));
	json_decref(t);
}

static void
test_eviction_drops_the_least_recently_used(void **state)
{
	char	 loc[64];
	json_t	*first = json_object(), *t, *held;
	int	 i;

	(void)state;
	api_tree_put("/w/first", first, NULL);
	held = api_tree_get("/w/first", NULL);
	json_decref(first);
	/* Enough other trees to push every older one out. */
	for (i = 0; i < 1000; i++) {
		(void)snprintf(loc, sizeof(loc), "/w/t%d", i);
		t = json_integer(i);
		api_tree_put(loc, t, NULL);
		json_decref(t);
	}
	assert_null(api_tree_get("/w/first", NULL));
	/* Our reference outlives the cache's. */
	assert_int_equal(held->refcount, 1);
	json_decref(held);
	t = api_tree_get("/w/t999", NULL);
	assert_non_null(t);
	assert_int_equal(json_integer_value(t), 999);
	json_decref(t);
}

/* A kept normal form comes back with its tree; a later put adds one. */
static void
test_read_form_kept_with_the_tree(void **state)
{
	json_t	*t = json_pack("{s:i}", "v", 1), *rd = json_pack("{s:i}",
	    "n", 1), *got, *got_read;

	(void)state;
	api_tree_put("/w/r/00001-a.metadata.json", t, NULL);
	got = api_tree_get("/w/r/00001-a.metadata.json", &got_read);
	assert_ptr_equal(got, t);
	assert_null(got_read);
	json_decref(got);
	api_tree_put("/w/r/00001-a.metadata.json", t, rd);
	got = api_tree_get("/w/r/00001-a.metadata.json", &got_read);
	assert_ptr_equal(got_read, rd);
	json_decref(got);
	json_decref(got_read);
	got = api_tree_get("/w/r/00002-b.metadata.json", &got_read);
	assert_null(got);
	assert_null(got_read);
	json_decref(t);
	json_decref(rd);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_put_then_get_shares_the_tree),
		cmocka_unit_test(test_eviction_drops_the_least_recently_used),
		cmocka_unit_test(test_read_form_kept_with_the_tree),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
