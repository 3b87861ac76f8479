/*
 * The worker's cache of credentials checked lately (src/auth/token_cache.c):
 * bounded, least recently used out first, never past an entry's expiry,
 * dropped on demand, and every value freed exactly once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "auth/token_cache.h"

#define NOW	1800000000LL

static int	freed;

static void
count_free(void *p)
{
	freed++;
	free(p);
}

static int *
val(int v)
{
	int	*p = malloc(sizeof(*p));

	assert_non_null(p);
	*p = v;
	return (p);
}

static int
got(struct pgl_token_cache *c, const char *token, int64_t now)
{
	int	*p = pgl_token_cache_get(c, token, now);

	return (p != NULL ? *p : -1);
}

static void
test_a_kept_token_is_found_and_another_is_not(void **state)
{
	struct pgl_token_cache	*c = pgl_token_cache_new(4, NULL);

	(void)state;
	assert_int_equal(pgl_token_cache_put(c, "eyJ.a.sig1", NOW + 60,
	    val(1)), 0);
	assert_int_equal(got(c, "eyJ.a.sig1", NOW), 1);
	assert_int_equal(got(c, "eyJ.a.sig2", NOW), -1);
	/* A prefix or an extension of a kept token is another token. */
	assert_int_equal(got(c, "eyJ.a.sig", NOW), -1);
	assert_int_equal(got(c, "eyJ.a.sig11", NOW), -1);
	pgl_token_cache_free(c);
}

static void
test_it_holds_at_most_max_and_drops_the_least_recently_used(void **state)
{
	struct pgl_token_cache	*c = pgl_token_cache_new(3, count_free);

	(void)state;
	freed = 0;
	pgl_token_cache_put(c, "t1", NOW + 60, val(1));
	pgl_token_cache_put(c, "t2", NOW + 60, val(2));
	pgl_token_cache_put(c, "t3", NOW + 60, val(3));
	assert_int_equal(got(c, "t1", NOW), 1);	/* t2 is now the oldest */
	pgl_token_cache_put(c, "t4", NOW + 60, val(4));
	assert_int_equal(pgl_token_cache_count(c), 3);
	assert_int_equal(freed, 1);
	assert_int_equal(got(c, "t2", NOW), -1);
	assert_int_equal(got(c, "t1", NOW), 1);
	assert_int_equal(got(c, "t3", NOW), 3);
	assert_int_equal(got(c, "t4", NOW), 4);
	pgl_token_cache_free(c);
	assert_int_equal(freed, 4);
}

static void
test_an_expired_entry_is_never_returned_and_is_dropped(void **state)
{
	struct pgl_token_cache	*c = pgl_token_cache_new(8, count_free);

	(void)state;
	freed = 0;
	pgl_token_cache_put(c, "short", NOW + 10, val(1));
	assert_int_equal(got(c, "short", NOW + 9), 1);
	assert_int_equal(got(c, "short", NOW + 10), -1);
	assert_int_equal(pgl_token_cache_count(c), 0);
	assert_int_equal(freed, 1);
	assert_int_equal(got(c, "short", NOW), -1);
	pgl_token_cache_free(c);
}

static void
test_put_replaces_and_drop_forgets(void **state)
{
	struct pgl_token_cache	*c = pgl_token_cache_new(8, count_free);

	(void)state;
	freed = 0;
	pgl_token_cache_put(c, "tok", NOW + 60, val(1));
	pgl_token_cache_put(c, "tok", NOW + 60, val(2));
	assert_int_equal(pgl_token_cache_count(c), 1);
	assert_int_equal(freed, 1);
	assert_int_equal(got(c, "tok", NOW), 2);
	pgl_token_cache_drop(c, "tok");
	pgl_token_cache_drop(c, "never-kept");
	assert_int_equal(got(c, "tok", NOW), -1);
	assert_int_equal(pgl_token_cache_count(c), 0);
	assert_int_equal(freed, 2);
	pgl_token_cache_free(c);
}

static void
test_tokens_sharing_their_last_bytes_stay_apart(void **state)
{
	struct pgl_token_cache	*c = pgl_token_cache_new(64, count_free);
	char			 tok[96];
	int			 i;

	(void)state;
	freed = 0;
	/* The hash reads the last 32 bytes: these all share them. */
	for (i = 0; i < 40; i++) {
		(void)snprintf(tok, sizeof(tok), "head%02d.%s", i,
		    "the-same-signature-bytes-0123456789abcdef");
		assert_int_equal(pgl_token_cache_put(c, tok, NOW + 60,
		    val(i)), 0);
	}
	for (i = 0; i < 40; i++) {
		(void)snprintf(tok, sizeof(tok), "head%02d.%s", i,
		    "the-same-signature-bytes-0123456789abcdef");
		assert_int_equal(got(c, tok, NOW), i);
	}
	pgl_token_cache_drop(c, "head07.the-same-signature-bytes-0123456789abcdef");
	assert_int_equal(got(c,
	    "head08.the-same-signature-bytes-0123456789abcdef", NOW), 8);
	assert_int_equal(pgl_token_cache_count(c), 39);
	pgl_token_cache_free(c);
	assert_int_equal(freed, 40);
}

static void
test_a_cache_of_none_keeps_nothing_and_frees_what_it_is_given(void **state)
{
	struct pgl_token_cache	*c = pgl_token_cache_new(0, count_free);

	(void)state;
	freed = 0;
	assert_int_equal(pgl_token_cache_put(c, "tok", NOW + 60, val(1)), -1);
	assert_int_equal(freed, 1);
	assert_int_equal(got(c, "tok", NOW), -1);
	pgl_token_cache_free(c);
	/* A cache that could not be made reads as an empty one. */
	assert_null(pgl_token_cache_get(NULL, "tok", NOW));
	assert_int_equal(pgl_token_cache_count(NULL), 0);
	pgl_token_cache_drop(NULL, "tok");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_kept_token_is_found_and_another_is_not),
		cmocka_unit_test(
		    test_it_holds_at_most_max_and_drops_the_least_recently_used),
		cmocka_unit_test(
		    test_an_expired_entry_is_never_returned_and_is_dropped),
		cmocka_unit_test(test_put_replaces_and_drop_forgets),
		cmocka_unit_test(test_tokens_sharing_their_last_bytes_stay_apart),
		cmocka_unit_test(
		    test_a_cache_of_none_keeps_nothing_and_frees_what_it_is_given),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
