/*
 * The identity providers' keys shared by the workers
 * (src/auth/idp_share.c): one fetch per interval in all, whichever worker
 * makes it; the others wait for it and take its keys; a failure episode
 * is reported once.  Workers are forked processes, as Kore's are.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "auth/idp_share.h"

#define SLOTS		8
#define INTERVAL	1000
#define JWKS		"{\"keys\":[]}"

static void
nap_ms(int ms)
{
	struct timespec	ts = { ms / 1000, (ms % 1000) * 1000000L };

	(void)nanosleep(&ts, NULL);
}

static int
setup(void **state)
{
	(void)state;
	return (pgl_idp_share_init(SLOTS));
}

static void
test_idp_share_one_of_many_workers_fetches_the_others_wait(void **state)
{
	int64_t	now = pgl_idp_share_now();
	pid_t	pids[8];
	int	i, st, fetch = 0, wait = 0;

	(void)state;
	for (i = 0; i < 8; i++) {
		if ((pids[i] = fork()) == 0)
			_exit((int)pgl_idp_share_step(0, 0, now, INTERVAL));
		assert_true(pids[i] > 0);
	}
	for (i = 0; i < 8; i++) {
		assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
		fetch += WEXITSTATUS(st) == PGL_IDP_FETCH;
		wait += WEXITSTATUS(st) == PGL_IDP_WAIT;
	}
	assert_int_equal(fetch, 1);
	assert_int_equal(wait, 7);
}

static void
test_idp_share_published_keys_are_taken_not_fetched_again(void **state)
{
	struct pgl_idp_keys	k;
	int64_t			now = pgl_idp_share_now();
	uint64_t		gen;
	char			why[64];

	(void)state;
	assert_int_equal(pgl_idp_share_step(1, 0, now, INTERVAL),
	    PGL_IDP_FETCH);
	assert_int_equal(pgl_idp_share_publish(1, JWKS, strlen(JWKS),
	    "https://idp/keys", NULL, "https://idp/token", now, &gen), 0);
	assert_int_equal(gen, 1);
	/* A worker still holding nothing takes them. */
	assert_int_equal(pgl_idp_share_step(1, 0, now, INTERVAL),
	    PGL_IDP_TAKE);
	assert_int_equal(pgl_idp_share_take(1, 0, &k, why, sizeof(why)), 1);
	assert_int_equal(k.gen, 1);
	assert_int_equal(k.len, strlen(JWKS));
	assert_string_equal(k.jwks, JWKS);
	assert_string_equal(k.jwks_uri, "https://idp/keys");
	assert_string_equal(k.authz, "");
	assert_string_equal(k.token, "https://idp/token");
	pgl_idp_keys_free(&k);
	assert_int_equal(pgl_idp_share_take(1, 1, &k, why, sizeof(why)), 0);
	/* Holding them, nobody fetches again within the interval. */
	assert_int_equal(pgl_idp_share_step(1, 1, now + INTERVAL - 1,
	    INTERVAL), PGL_IDP_NOTHING);
	assert_int_equal(pgl_idp_share_step(1, 1, now + INTERVAL, INTERVAL),
	    PGL_IDP_FETCH);
	pgl_idp_share_release(1);
}

static void
test_idp_share_a_failure_episode_is_reported_once(void **state)
{
	int64_t		now = pgl_idp_share_now();
	uint64_t	gen;
	char		why[64];
	struct pgl_idp_keys	k;

	(void)state;
	assert_int_equal(pgl_idp_share_step(2, 0, now, INTERVAL),
	    PGL_IDP_FETCH);
	assert_int_equal(pgl_idp_share_publish(2, JWKS, strlen(JWKS), NULL,
	    NULL, NULL, now, &gen), 0);
	now += INTERVAL;
	assert_int_equal(pgl_idp_share_step(2, gen, now, INTERVAL),
	    PGL_IDP_FETCH);
	assert_int_equal(pgl_idp_share_failed(2, "jwks: HTTP 502"), 1);
	now += INTERVAL;
	assert_int_equal(pgl_idp_share_step(2, gen, now, INTERVAL),
	    PGL_IDP_FETCH);
	assert_int_equal(pgl_idp_share_failed(2, "jwks: HTTP 502"), 0);
	/* The others learn why when nothing newer came. */
	assert_int_equal(pgl_idp_share_take(2, gen, &k, why, sizeof(why)), 0);
	assert_string_equal(why, "jwks: HTTP 502");
	now += INTERVAL;
	assert_int_equal(pgl_idp_share_step(2, gen, now, INTERVAL),
	    PGL_IDP_FETCH);
	assert_int_equal(pgl_idp_share_publish(2, JWKS, strlen(JWKS), NULL,
	    NULL, NULL, now, &gen), 0);
	now += INTERVAL;
	assert_int_equal(pgl_idp_share_step(2, gen, now, INTERVAL),
	    PGL_IDP_FETCH);
	assert_int_equal(pgl_idp_share_failed(2, "timeout"), 1);
}

static void
test_idp_share_waiters_wake_when_the_fetch_is_published(void **state)
{
	int64_t		now = pgl_idp_share_now(), t0;
	uint64_t	gen;
	pid_t		pid;
	int		st;

	(void)state;
	assert_int_equal(pgl_idp_share_step(3, 0, now, INTERVAL),
	    PGL_IDP_FETCH);
	if ((pid = fork()) == 0) {
		nap_ms(100);
		_exit(pgl_idp_share_publish(3, JWKS, strlen(JWKS), NULL, NULL,
		    NULL, pgl_idp_share_now(), &gen) == 0 ? 0 : 1);
	}
	assert_true(pid > 0);
	assert_int_equal(pgl_idp_share_step(3, 0, now, INTERVAL),
	    PGL_IDP_WAIT);
	t0 = pgl_idp_share_now();
	pgl_idp_share_wait(3, 0);
	assert_true(pgl_idp_share_now() - t0 < 2000);
	assert_int_equal(pgl_idp_share_gen(3), 1);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void
test_idp_share_a_fetch_whose_worker_died_does_not_hold_the_others(void **state)
{
	int64_t	now = pgl_idp_share_now();

	(void)state;
	assert_int_equal(pgl_idp_share_step(4, 0, now, INTERVAL),
	    PGL_IDP_FETCH);
	/* Never ended: past the stale time it is not waited for. */
	assert_int_equal(pgl_idp_share_step(4, 0,
	    now + PGL_IDP_SHARE_STALE_MS - 1, INTERVAL), PGL_IDP_WAIT);
	assert_int_equal(pgl_idp_share_step(4, 0,
	    now + PGL_IDP_SHARE_STALE_MS, INTERVAL), PGL_IDP_FETCH);
	pgl_idp_share_release(4);
}

static void
test_idp_share_a_key_set_over_the_slot_is_refused(void **state)
{
	int64_t		 now = pgl_idp_share_now();
	uint64_t	 gen = 0;
	char		*big = calloc(1, PGL_IDP_SHARE_JWKS_MAX + 1);

	(void)state;
	assert_non_null(big);
	assert_int_equal(pgl_idp_share_step(5, 0, now, INTERVAL),
	    PGL_IDP_FETCH);
	assert_int_equal(pgl_idp_share_publish(5, big,
	    PGL_IDP_SHARE_JWKS_MAX + 1, NULL, NULL, NULL, now, &gen), -1);
	assert_int_equal(pgl_idp_share_failed(5, "too big"), 1);
	assert_int_equal(pgl_idp_share_gen(5), 0);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_idp_share_one_of_many_workers_fetches_the_others_wait),
		cmocka_unit_test(
		    test_idp_share_published_keys_are_taken_not_fetched_again),
		cmocka_unit_test(
		    test_idp_share_a_failure_episode_is_reported_once),
		cmocka_unit_test(
		    test_idp_share_waiters_wake_when_the_fetch_is_published),
		cmocka_unit_test(
		    test_idp_share_a_fetch_whose_worker_died_does_not_hold_the_others),
		cmocka_unit_test(
		    test_idp_share_a_key_set_over_the_slot_is_refused),
	};

	return (cmocka_run_group_tests(tests, setup, NULL));
}
