/*
 * The worker's parsed-metadata cache (src/api/cache/tree_cache.c): a tree is
 * found by its location, shared by reference, and an evicted tree lives
 * on while someone still holds it; with the write pool's lanes running,
 * an evicted tree is freed on a pool thread, never on the caller's.
 */
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>

#include "api/cache/cache.h"
#include "storage/write_pool.h"

/* jansson's frees, counted by thread while `counting' is set. */
static pthread_t	main_thread;
static int		counting;
static int		frees_here, frees_elsewhere;

static void
counted_free(void *p)
{
	if (p != NULL && __atomic_load_n(&counting, __ATOMIC_SEQ_CST)) {
		if (pthread_equal(pthread_self(), main_thread))
			__atomic_add_fetch(&frees_here, 1, __ATOMIC_SEQ_CST);
		else
			__atomic_add_fetch(&frees_elsewhere, 1,
			    __ATOMIC_SEQ_CST);
	}
	free(p);
}

static void
test_put_then_get_shares_the_tree(void **state)
{
	json_t	*t = json_pack("{s:i}", "format-version", 2), *got;

	(void)state;
	api_tree_put("/w/t/metadata/00001-a.metadata.json", t, NULL, 0);
	got = api_tree_get("/w/t/metadata/00001-a.metadata.json", NULL, NULL);
	assert_ptr_equal(got, t);
	assert_int_equal(t->refcount, 3);	/* ours, the cache's, got */
	json_decref(got);
	assert_null(api_tree_get("/w/t/metadata/00002-b.metadata.json", NULL,
	    NULL));
	assert_null(api_tree_get(NULL, NULL, NULL));
	json_decref(t);
}

static void
test_eviction_drops_the_least_recently_used(void **state)
{
	char	 loc[64];
	json_t	*first = json_object(), *t, *held;
	int	 i;

	(void)state;
	api_tree_put("/w/first", first, NULL, 0);
	held = api_tree_get("/w/first", NULL, NULL);
	json_decref(first);
	/* Enough other trees to push every older one out. */
	for (i = 0; i < 1000; i++) {
		(void)snprintf(loc, sizeof(loc), "/w/t%d", i);
		t = json_integer(i);
		api_tree_put(loc, t, NULL, 0);
		json_decref(t);
	}
	assert_null(api_tree_get("/w/first", NULL, NULL));
	/* Our reference outlives the cache's. */
	assert_int_equal(held->refcount, 1);
	json_decref(held);
	t = api_tree_get("/w/t999", NULL, NULL);
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
	int	 checked;

	(void)state;
	api_tree_put("/w/r/00001-a.metadata.json", t, NULL, 1);
	got = api_tree_get("/w/r/00001-a.metadata.json", &got_read, &checked);
	assert_ptr_equal(got, t);
	assert_null(got_read);
	assert_int_equal(checked, 0);	/* no form: nothing checked */
	json_decref(got);
	api_tree_put("/w/r/00001-a.metadata.json", t, rd, 0);
	got = api_tree_get("/w/r/00001-a.metadata.json", &got_read, &checked);
	assert_ptr_equal(got_read, rd);
	assert_int_equal(checked, 0);
	json_decref(got);
	json_decref(got_read);
	got = api_tree_get("/w/r/00002-b.metadata.json", &got_read, &checked);
	assert_null(got);
	assert_null(got_read);
	assert_int_equal(checked, 0);
	json_decref(t);
	json_decref(rd);
}

/* Whether a kept form is one the engine built (checked) comes back with
 * it; a later put of the same file does not change a form once kept. */
static void
test_a_checked_form_is_said_to_be(void **state)
{
	json_t	*t = json_pack("{s:i}", "v", 2), *rd = json_pack("{s:i}",
	    "n", 2), *got, *got_read;
	int	 checked;

	(void)state;
	api_tree_put("/w/c/00002-c.metadata.json", t, rd, 1);
	got = api_tree_get("/w/c/00002-c.metadata.json", &got_read, &checked);
	assert_ptr_equal(got_read, rd);
	assert_int_equal(checked, 1);
	json_decref(got);
	json_decref(got_read);
	api_tree_put("/w/c/00002-c.metadata.json", t, rd, 0);
	got = api_tree_get("/w/c/00002-c.metadata.json", &got_read, &checked);
	assert_int_equal(checked, 1);
	json_decref(got);
	json_decref(got_read);
	json_decref(t);
	json_decref(rd);
}

/*
 * A file a commit moved past goes at once, and its slot is the next
 * put's: with the cache full, a drop then a put evicts nothing (a
 * storm's current files stay while superseded ones come and go).
 */
static void
test_a_superseded_file_goes_and_leaves_its_slot(void **state)
{
	char	 loc[64];
	json_t	*t, *held, *got;
	int	 i;

	(void)state;
	for (i = 0; i < 128; i++) {	/* every slot, whatever came before */
		(void)snprintf(loc, sizeof(loc), "/w/cur%d", i);
		t = json_integer(i);
		api_tree_put(loc, t, NULL, 0);
		json_decref(t);
	}
	held = api_tree_get("/w/cur5", NULL, NULL);
	api_tree_drop("/w/cur5");
	assert_null(api_tree_get("/w/cur5", NULL, NULL));
	/* Dropped, not freed under whoever holds it. */
	assert_int_equal(json_integer_value(held), 5);
	assert_int_equal(held->refcount, 1);
	json_decref(held);
	api_tree_drop("/w/cur5");		/* twice: nothing */
	api_tree_drop("/w/never");
	api_tree_drop(NULL);
	t = json_integer(1000);
	api_tree_put("/w/next5", t, NULL, 0);
	json_decref(t);
	for (i = 0; i < 128; i++) {
		if (i == 5)
			continue;
		(void)snprintf(loc, sizeof(loc), "/w/cur%d", i);
		assert_non_null(got = api_tree_get(loc, NULL, NULL));
		json_decref(got);
	}
	assert_non_null(got = api_tree_get("/w/next5", NULL, NULL));
	json_decref(got);
}

/* Runs what the pool finished until it has been quiet for 200 ms (a
 * batch of frees takes microseconds). */
static void
drain(int efd)
{
	struct pollfd	p = { .fd = efd, .events = POLLIN };

	while (poll(&p, 1, 200) == 1)
		(void)pgl_wpool_reap();
}

/*
 * The last: it starts the pool.  Every put below evicts a tree (the
 * cache is full of the earlier tests' and these), and none of the
 * evicted trees' nodes is freed on this thread: they go to the CPU lane.
 * Made inline, the 40-member tree's frees counted here.
 */
static void
test_evicted_trees_are_freed_off_the_callers_thread(void **state)
{
	char	 loc[64];
	json_t	*big, *t;
	int	 efd, i;

	(void)state;
	assert_true((efd = pgl_wpool_start(1)) >= 0);
	assert_int_equal(pgl_wpool_start_cpu(1, 0), 0);
	for (i = 0; i < 200; i++) {	/* full, whatever came before */
		(void)snprintf(loc, sizeof(loc), "/w/fill%d", i);
		t = json_integer(i);
		api_tree_put(loc, t, NULL, 0);
		json_decref(t);
		if (i % 32 == 31)
			drain(efd);
	}
	drain(efd);
	big = json_object();
	for (i = 0; i < 40; i++) {
		(void)snprintf(loc, sizeof(loc), "field-%d", i);
		assert_int_equal(json_object_set_new(big, loc,
		    json_pack("{s:i,s:s}", "id", i, "type", "long")), 0);
	}
	api_tree_put("/w/big", big, NULL, 0);
	json_decref(big);		/* the cache's is the last */
	__atomic_store_n(&counting, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < 200; i++) {
		(void)snprintf(loc, sizeof(loc), "/w/after%d", i);
		t = json_integer(i);
		api_tree_put(loc, t, NULL, 0);
		/* Ours; the cache's goes later, elsewhere. */
		json_decref(t);
		assert_int_equal(__atomic_load_n(&frees_here,
		    __ATOMIC_SEQ_CST), 0);
		/* Fewer evictions a batch than it holds: none freed here. */
		if (i % 32 == 31)
			drain(efd);
	}
	drain(efd);
	__atomic_store_n(&counting, 0, __ATOMIC_SEQ_CST);
	assert_null(api_tree_get("/w/big", NULL, NULL));
	/* big: the object, 40 members of two nodes each, their keys. */
	assert_true(frees_elsewhere > 40 * 3);
	/* A commit's last reference, released, goes the same way. */
	big = json_object();
	for (i = 0; i < 40; i++) {
		(void)snprintf(loc, sizeof(loc), "field-%d", i);
		assert_int_equal(json_object_set_new(big, loc,
		    json_pack("{s:i}", "id", i)), 0);
	}
	frees_elsewhere = 0;
	__atomic_store_n(&counting, 1, __ATOMIC_SEQ_CST);
	api_tree_release(big);
	api_tree_release(NULL);
	drain(efd);
	__atomic_store_n(&counting, 0, __ATOMIC_SEQ_CST);
	assert_int_equal(frees_here, 0);
	assert_true(frees_elsewhere > 40 * 2);
	pgl_wpool_stop();
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_put_then_get_shares_the_tree),
		cmocka_unit_test(test_eviction_drops_the_least_recently_used),
		cmocka_unit_test(test_read_form_kept_with_the_tree),
		cmocka_unit_test(test_a_checked_form_is_said_to_be),
		cmocka_unit_test(test_a_superseded_file_goes_and_leaves_its_slot),
		cmocka_unit_test(
		    test_evicted_trees_are_freed_off_the_callers_thread),
	};

	main_thread = pthread_self();
	json_set_alloc_funcs(malloc, counted_free);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
