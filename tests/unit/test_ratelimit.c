/* Login throttle and request rates (src/auth/ratelimit.c): shared fixed
 * windows. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "auth/ratelimit.h"

static void
test_limit_then_retry_after_until_the_window_ends(void **state)
{
	(void)state;
	assert_int_equal(pgl_ratelimit_hit("ip:a", 3, 60, 1000), 0);
	assert_int_equal(pgl_ratelimit_hit("ip:a", 3, 60, 1000), 0);
	assert_int_equal(pgl_ratelimit_hit("ip:a", 3, 60, 1010), 0);
	assert_int_equal(pgl_ratelimit_hit("ip:a", 3, 60, 1010), 50);
	assert_int_equal(pgl_ratelimit_hit("ip:a", 3, 60, 1059), 1);
	/* A new window. */
	assert_int_equal(pgl_ratelimit_hit("ip:a", 3, 60, 1060), 0);
	/* Other keys have their own windows; 0 disables. */
	assert_int_equal(pgl_ratelimit_hit("ip:b", 3, 60, 1010), 0);
	assert_int_equal(pgl_ratelimit_hit("ip:a", 0, 60, 1010), 0);
}

static void
test_clear_forgets_a_key(void **state)
{
	int	i;

	(void)state;
	for (i = 0; i < 2; i++)
		assert_int_equal(pgl_ratelimit_hit("acct:x", 2, 60, 5000), 0);
	assert_true(pgl_ratelimit_hit("acct:x", 2, 60, 5000) > 0);
	pgl_ratelimit_clear("acct:x");
	assert_int_equal(pgl_ratelimit_hit("acct:x", 2, 60, 5000), 0);
}

static void
test_processes_count_into_the_same_window(void **state)
{
	pid_t	pid;
	int	status, i;

	(void)state;
	for (i = 0; i < 4; i++) {
		if ((pid = fork()) == 0)
			_exit(pgl_ratelimit_hit("ip:shared", 4, 60, 9000) != 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	/* The four children used the window up: the parent is refused. */
	assert_true(pgl_ratelimit_hit("ip:shared", 4, 60, 9000) > 0);
}

static void
test_a_flood_of_new_keys_never_blocks_a_fresh_key(void **state)
{
	char	key[32];
	int	i;

	(void)state;
	for (i = 0; i < 50000; i++) {
		(void)snprintf(key, sizeof(key), "ip:flood-%d", i);
		(void)pgl_ratelimit_hit(key, 1, 60, 20000);
	}
	assert_int_equal(pgl_ratelimit_hit("ip:newcomer", 1, 60, 20000), 0);
}

/* Root's Basic counts only failures: a peek answers without counting. */
static void
test_peek_reports_a_full_window_without_counting(void **state)
{
	(void)state;
	assert_int_equal(pgl_ratelimit_peek("basic:p", 2, 60, 30000), 0);
	assert_int_equal(pgl_ratelimit_peek("basic:p", 2, 60, 30000), 0);
	assert_int_equal(pgl_ratelimit_hit("basic:p", 2, 60, 30000), 0);
	assert_int_equal(pgl_ratelimit_peek("basic:p", 2, 60, 30000), 0);
	assert_int_equal(pgl_ratelimit_hit("basic:p", 2, 60, 30000), 0);
	assert_int_equal(pgl_ratelimit_peek("basic:p", 2, 60, 30010), 50);
	assert_int_equal(pgl_ratelimit_peek("basic:p", 2, 60, 30060), 0);
	assert_int_equal(pgl_ratelimit_peek("basic:p", 0, 60, 30010), 0);
}

/* A login that succeeds gives back the hit it was counted with. */
static void
test_forgive_gives_back_one_hit_of_the_current_window(void **state)
{
	(void)state;
	assert_int_equal(pgl_ratelimit_hit("ip:f", 2, 60, 50000), 0);
	pgl_ratelimit_forgive("ip:f", 60, 50000);
	assert_int_equal(pgl_ratelimit_hit("ip:f", 2, 60, 50000), 0);
	assert_int_equal(pgl_ratelimit_hit("ip:f", 2, 60, 50000), 0);
	assert_true(pgl_ratelimit_hit("ip:f", 2, 60, 50000) > 0);
	/* Never below nothing; an unknown key is left alone. */
	pgl_ratelimit_forgive("ip:f", 60, 50000);
	pgl_ratelimit_forgive("ip:f", 60, 50000);
	pgl_ratelimit_forgive("ip:f", 60, 50000);
	pgl_ratelimit_forgive("ip:nobody", 60, 50000);
	assert_int_equal(pgl_ratelimit_hit("ip:f", 2, 60, 50000), 0);
	assert_int_equal(pgl_ratelimit_hit("ip:f", 2, 60, 50000), 0);
	assert_true(pgl_ratelimit_hit("ip:f", 2, 60, 50000) > 0);
	/* An ended window is not touched. */
	pgl_ratelimit_forgive("ip:f", 60, 50060);
	assert_int_equal(pgl_ratelimit_peek("ip:f", 2, 60, 50059), 1);
}

/* Request rates count apart: their flood never touches a login window. */
static void
test_request_table_is_apart_from_logins(void **state)
{
	char	key[32];
	int	i;

	(void)state;
	assert_int_equal(pgl_ratelimit_hit("ip:kept", 2, 60, 40000), 0);
	assert_int_equal(pgl_ratelimit_hit("ip:kept", 2, 60, 40000), 0);
	for (i = 0; i < 200000; i++) {
		(void)snprintf(key, sizeof(key), "p:flood-%d", i);
		(void)pgl_ratelimit_hit_in(PGL_RL_REQUESTS, key, 1, 60, 40000);
	}
	/* The login window is still full; the same key in the request
	 * table has its own count. */
	assert_true(pgl_ratelimit_hit("ip:kept", 2, 60, 40000) > 0);
	assert_int_equal(pgl_ratelimit_hit_in(PGL_RL_REQUESTS, "ip:kept", 1,
	    60, 40000), 0);
	assert_true(pgl_ratelimit_hit_in(PGL_RL_REQUESTS, "ip:kept", 1, 60,
	    40000) > 0);
}

static int
setup(void **state)
{
	(void)state;
	return (pgl_ratelimit_init());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_limit_then_retry_after_until_the_window_ends),
		cmocka_unit_test(test_clear_forgets_a_key),
		cmocka_unit_test(test_processes_count_into_the_same_window),
		cmocka_unit_test(
		    test_a_flood_of_new_keys_never_blocks_a_fresh_key),
		cmocka_unit_test(
		    test_peek_reports_a_full_window_without_counting),
		cmocka_unit_test(test_request_table_is_apart_from_logins),
		cmocka_unit_test(
		    test_forgive_gives_back_one_hit_of_the_current_window),
	};

	return (cmocka_run_group_tests(tests, setup, NULL));
}
