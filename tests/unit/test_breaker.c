/* The object-store circuit breaker (src/storage/breaker.c): no clock,
 * the time is passed in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "storage/breaker.h"

static const struct pgl_breaker_cfg	cfg = { 3, 30, 2 };

static void
fail_once(struct pgl_breaker *b, int64_t now, int expect_trip)
{
	enum pgl_breaker_admit	how;
	int			retry = -1;

	how = pgl_breaker_admit(b, &cfg, now, &retry);
	assert_int_equal(how, PGL_BREAKER_GO);
	assert_int_equal(pgl_breaker_done(b, &cfg, how, 1, now), expect_trip);
}

static void
test_opens_after_consecutive_failures(void **state)
{
	struct pgl_breaker	b = { 0 };
	int			retry = -1;

	(void)state;
	fail_once(&b, 100, 0);
	fail_once(&b, 100, 0);
	fail_once(&b, 101, 1);
	assert_int_equal(pgl_breaker_admit(&b, &cfg, 101, &retry),
	    PGL_BREAKER_OPEN);
	assert_int_equal(retry, 30);
	assert_int_equal(pgl_breaker_admit(&b, &cfg, 121, &retry),
	    PGL_BREAKER_OPEN);
	assert_int_equal(retry, 10);
	assert_int_equal(b.inflight, 0);
}

static void
test_a_success_resets_the_count(void **state)
{
	struct pgl_breaker	b = { 0 };
	enum pgl_breaker_admit	how;
	int			retry;

	(void)state;
	fail_once(&b, 1, 0);
	fail_once(&b, 1, 0);
	how = pgl_breaker_admit(&b, &cfg, 1, &retry);
	assert_int_equal(pgl_breaker_done(&b, &cfg, how, 0, 1), 0);
	fail_once(&b, 1, 0);
	fail_once(&b, 1, 0);
	assert_int_equal(b.open, 0);
}

static void
test_half_open_lets_one_probe_through(void **state)
{
	struct pgl_breaker	b = { 0 };
	enum pgl_breaker_admit	how;
	int			retry;

	(void)state;
	fail_once(&b, 0, 0);
	fail_once(&b, 0, 0);
	fail_once(&b, 0, 1);
	how = pgl_breaker_admit(&b, &cfg, 30, &retry);
	assert_int_equal(how, PGL_BREAKER_PROBE);
	/* Only the one probe while it is out. */
	assert_int_equal(pgl_breaker_admit(&b, &cfg, 31, &retry),
	    PGL_BREAKER_OPEN);
	assert_int_equal(retry, 1);
	/* The probe failed: another cooldown from then, no new trip. */
	assert_int_equal(pgl_breaker_done(&b, &cfg, how, 1, 32), 0);
	assert_int_equal(pgl_breaker_admit(&b, &cfg, 40, &retry),
	    PGL_BREAKER_OPEN);
	assert_int_equal(retry, 22);
	how = pgl_breaker_admit(&b, &cfg, 62, &retry);
	assert_int_equal(how, PGL_BREAKER_PROBE);
	/* Its success closes the breaker. */
	assert_int_equal(pgl_breaker_done(&b, &cfg, how, 0, 62), 0);
	assert_int_equal(pgl_breaker_admit(&b, &cfg, 62, &retry),
	    PGL_BREAKER_GO);
}

static void
test_inflight_cap_refuses_rather_than_queues(void **state)
{
	struct pgl_breaker	b = { 0 };
	enum pgl_breaker_admit	a1, a2;
	int			retry = -1;

	(void)state;
	a1 = pgl_breaker_admit(&b, &cfg, 0, &retry);
	a2 = pgl_breaker_admit(&b, &cfg, 0, &retry);
	assert_int_equal(a1, PGL_BREAKER_GO);
	assert_int_equal(a2, PGL_BREAKER_GO);
	assert_int_equal(pgl_breaker_admit(&b, &cfg, 0, &retry),
	    PGL_BREAKER_BUSY);
	assert_int_equal(retry, 1);
	(void)pgl_breaker_done(&b, &cfg, a1, 0, 0);
	assert_int_equal(pgl_breaker_admit(&b, &cfg, 0, &retry),
	    PGL_BREAKER_GO);
}

static void
test_late_failures_of_an_open_breaker_are_not_new_trips(void **state)
{
	struct pgl_breaker_cfg	one = { 1, 10, 0 };
	struct pgl_breaker	b = { 0 };
	enum pgl_breaker_admit	a1, a2;
	int			retry;

	(void)state;
	a1 = pgl_breaker_admit(&b, &one, 0, &retry);
	a2 = pgl_breaker_admit(&b, &one, 0, &retry);
	assert_int_equal(pgl_breaker_done(&b, &one, a1, 1, 5), 1);
	assert_int_equal(pgl_breaker_done(&b, &one, a2, 1, 6), 0);
	assert_int_equal(b.open_until, 15);
	assert_int_equal(b.inflight, 0);
}

static void
test_zero_failures_never_opens(void **state)
{
	struct pgl_breaker_cfg	never = { 0, 10, 0 };
	struct pgl_breaker	b = { 0 };
	enum pgl_breaker_admit	how;
	int			i, retry;

	(void)state;
	for (i = 0; i < 100; i++) {
		how = pgl_breaker_admit(&b, &never, i, &retry);
		assert_int_equal(how, PGL_BREAKER_GO);
		assert_int_equal(pgl_breaker_done(&b, &never, how, 1, i), 0);
	}
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_opens_after_consecutive_failures),
		cmocka_unit_test(test_a_success_resets_the_count),
		cmocka_unit_test(test_half_open_lets_one_probe_through),
		cmocka_unit_test(test_inflight_cap_refuses_rather_than_queues),
		cmocka_unit_test(
		    test_late_failures_of_an_open_breaker_are_not_new_trips),
		cmocka_unit_test(test_zero_failures_never_opens),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
