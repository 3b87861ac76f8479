/*
 * Claims among worker processes (src/util/claim.c): one holder a key,
 * a waiter's mark, the hand-over to it, a stale holder taken over, a
 * restarted worker's claims let go, keys that share a slot never wait
 * for each other, and one holder at a time between two real processes.
 * A key below 2^32 with 16 slots is slot key % 16, tag 0; OTHER(k) is
 * another key in k's slot.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/claim.h"

#define STALE	1000
#define OTHER(k)	((uint64_t)1 << 32 | (k))

static void
test_one_holder_and_the_waiter_s_mark(void **state)
{
	struct pgl_claims	*c = pgl_claims_new(16, STALE);

	(void)state;
	assert_non_null(c);
	assert_int_equal(pgl_claim_take(c, 3, 1, 0), 1);
	assert_int_equal(pgl_claim_take(c, 3, 1, 1), 1);	/* again */
	assert_int_equal(pgl_claim_wanted(c, 3, 1), 0);
	assert_int_equal(pgl_claim_take(c, 3, 2, 2), 0);
	assert_int_equal(pgl_claim_wanted(c, 3, 1), 1);
	assert_int_equal(pgl_claim_wanted(c, 3, 2), 0);	/* its own */
	/* Another slot is another claim. */
	assert_int_equal(pgl_claim_take(c, 4, 2, 2), 1);
	/* A drop by one that does not hold it changes nothing. */
	pgl_claim_drop(c, 3, 2, 3);
	assert_int_equal(pgl_claim_take(c, 3, 2, 3), 0);
}

static void
test_a_drop_hands_the_slot_to_its_waiter(void **state)
{
	struct pgl_claims	*c = pgl_claims_new(16, STALE);

	(void)state;
	assert_int_equal(pgl_claim_take(c, 5, 1, 0), 1);
	assert_int_equal(pgl_claim_take(c, 5, 2, 1), 0);
	pgl_claim_drop(c, 5, 1, 2);
	/* Worker 1 cannot take it back before worker 2 looks. */
	assert_int_equal(pgl_claim_take(c, 5, 1, 3), 0);
	assert_int_equal(pgl_claim_take(c, 5, 2, 4), 1);
	assert_int_equal(pgl_claim_wanted(c, 5, 2), 1);	/* 1's mark */
	pgl_claim_drop(c, 5, 2, 5);
	assert_int_equal(pgl_claim_take(c, 5, 1, 6), 1);
	assert_int_equal(pgl_claim_wanted(c, 5, 1), 0);
	/* With nobody waiting the slot is free for anyone. */
	pgl_claim_drop(c, 5, 1, 7);
	assert_int_equal(pgl_claim_take(c, 5, 3, 8), 1);
}

static void
test_a_silent_holder_is_taken_over_when_stale(void **state)
{
	struct pgl_claims	*c = pgl_claims_new(16, STALE);

	(void)state;
	assert_int_equal(pgl_claim_take(c, 0, 1, 100), 1);
	assert_int_equal(pgl_claim_take(c, 0, 2, 100 + STALE - 1), 0);
	/* Each take renews the claim. */
	assert_int_equal(pgl_claim_take(c, 0, 1, 100 + STALE - 1), 1);
	assert_int_equal(pgl_claim_take(c, 0, 2, 100 + STALE), 0);
	assert_int_equal(pgl_claim_take(c, 0, 2, 100 + 2 * STALE - 1), 2);
	assert_int_equal(pgl_claim_take(c, 0, 2, 100 + 2 * STALE - 1), 1);
	assert_int_equal(pgl_claim_take(c, 0, 1, 100 + 2 * STALE), 0);
}

static void
test_a_restarted_worker_lets_its_claims_go(void **state)
{
	struct pgl_claims	*c = pgl_claims_new(16, STALE);

	(void)state;
	assert_int_equal(pgl_claim_take(c, 1, 1, 0), 1);
	assert_int_equal(pgl_claim_take(c, 2, 1, 0), 1);
	assert_int_equal(pgl_claim_take(c, 7, 2, 0), 1);
	assert_int_equal(pgl_claim_take(c, 7, 1, 0), 0);	/* 1 waits */
	pgl_claims_forget(c, 1);
	assert_int_equal(pgl_claim_take(c, 1, 2, 1), 1);
	assert_int_equal(pgl_claim_take(c, 2, 3, 1), 1);
	/* Its mark went too: worker 2 has no one to hand 7 to. */
	assert_int_equal(pgl_claim_wanted(c, 7, 2), 0);
	pgl_claim_drop(c, 7, 2, 2);
	assert_int_equal(pgl_claim_take(c, 7, 3, 2), 1);
}

static void
test_a_key_is_its_seeded_hash(void **state)
{
	struct pgl_claims	*c = pgl_claims_new(1024, STALE);
	struct pgl_claims	*d = pgl_claims_new(1024, STALE);
	const char		*a[] = { "t", "cat", "main", "ns", "tbl" };
	const char		*b[] = { "t", "cat", "main", "ns", "tbl" };
	const char		*n[] = { "t", NULL, "main", NULL, "tbl" };

	(void)state;
	assert_true(pgl_claims_key(c, a, 5) == pgl_claims_key(c, b, 5));
	assert_true(pgl_claims_key(c, n, 5) != pgl_claims_key(c, a, 5));
	/* Another table of claims, another seed. */
	assert_true(pgl_claims_key(d, a, 5) != pgl_claims_key(c, a, 5));
	assert_null(pgl_claims_new(0, STALE));
}

static void
test_keys_that_share_a_slot_never_wait_for_each_other(void **state)
{
	struct pgl_claims	*c = pgl_claims_new(16, STALE);

	(void)state;
	assert_int_equal(pgl_claim_take(c, 6, 1, 0), PGL_CLAIM_HELD);
	/* Another key of slot 6, by another worker or by the holder. */
	assert_int_equal(pgl_claim_take(c, OTHER(6), 2, 1), PGL_CLAIM_NONE);
	assert_int_equal(pgl_claim_take(c, OTHER(6), 1, 1), PGL_CLAIM_NONE);
	/* No mark was left, and a drop of the other key changes nothing. */
	assert_int_equal(pgl_claim_wanted(c, 6, 1), 0);
	assert_int_equal(pgl_claim_wanted(c, OTHER(6), 1), 0);
	pgl_claim_drop(c, OTHER(6), 1, 2);
	pgl_claim_drop(c, OTHER(6), 2, 2);
	assert_int_equal(pgl_claim_take(c, 6, 2, 2), PGL_CLAIM_WAIT);
	/* Even a stale holder of another key is not taken over. */
	assert_int_equal(pgl_claim_take(c, OTHER(6), 3, 2 * STALE),
	    PGL_CLAIM_NONE);
	/* Free, the slot goes to the key that asks first. */
	pgl_claim_drop(c, 6, 1, 3);		/* to 2, its waiter */
	assert_int_equal(pgl_claim_take(c, 6, 2, 3), PGL_CLAIM_HELD);
	pgl_claim_drop(c, 6, 2, 4);
	assert_int_equal(pgl_claim_take(c, OTHER(6), 3, 4), PGL_CLAIM_HELD);
	assert_int_equal(pgl_claim_take(c, 6, 1, 4), PGL_CLAIM_NONE);
}

static void
test_a_drop_hands_over_only_to_a_waiter_for_the_same_key(void **state)
{
	struct pgl_claims	*c = pgl_claims_new(16, STALE);

	(void)state;
	/* 2 waits for key 8, which 1 holds: handed to 2 on its drop. */
	assert_int_equal(pgl_claim_take(c, 8, 1, 0), PGL_CLAIM_HELD);
	assert_int_equal(pgl_claim_take(c, 8, 2, 1), PGL_CLAIM_WAIT);
	pgl_claim_drop(c, 8, 1, 2);			/* handed to 2 */
	assert_int_equal(pgl_claim_take(c, OTHER(8), 1, 3), PGL_CLAIM_NONE);
	assert_int_equal(pgl_claim_take(c, 8, 2, 3), PGL_CLAIM_HELD);
	pgl_claim_drop(c, 8, 2, 4);
	/* 3's mark for key 8 outlives its holder (a worker restarted);
	 * the slot is then OTHER(8)'s, whose drop frees it rather than
	 * hand 3 a key it never asked for. */
	assert_int_equal(pgl_claim_take(c, 8, 2, 5), PGL_CLAIM_HELD);
	assert_int_equal(pgl_claim_take(c, 8, 3, 5), PGL_CLAIM_WAIT);
	pgl_claims_forget(c, 2);
	assert_int_equal(pgl_claim_take(c, OTHER(8), 1, 6), PGL_CLAIM_HELD);
	assert_int_equal(pgl_claim_wanted(c, OTHER(8), 1), 0);
	pgl_claim_drop(c, OTHER(8), 1, 7);
	assert_int_equal(pgl_claim_take(c, OTHER(8), 4, 8), PGL_CLAIM_HELD);
}

/*
 * Two processes take and let go of one slot as fast as they can; while
 * holding, each counts itself in a shared word and checks it is alone.
 */
static void
hammer(struct pgl_claims *c, volatile int *inside, volatile int *bad,
    uint32_t me, int rounds)
{
	int	i, n;

	for (i = 0; i < rounds; i++) {
		while (!pgl_claim_take(c, 9, me, 0))
			;
		n = __atomic_add_fetch(inside, 1, __ATOMIC_SEQ_CST);
		if (n != 1)
			__atomic_add_fetch(bad, 1, __ATOMIC_SEQ_CST);
		(void)__atomic_sub_fetch(inside, 1, __ATOMIC_SEQ_CST);
		pgl_claim_drop(c, 9, me, 0);
	}
}

static void
test_two_processes_never_hold_a_slot_together(void **state)
{
	/* Stale never: time stands at 0. */
	struct pgl_claims	*c = pgl_claims_new(16, INT64_MAX);
	int			*shared, status;
	pid_t			 pid;

	(void)state;
	shared = mmap(NULL, 2 * sizeof(int), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(shared != MAP_FAILED);
	shared[0] = shared[1] = 0;
	if ((pid = fork()) == 0) {
		hammer(c, &shared[0], &shared[1], 2, 20000);
		_exit(0);
	}
	assert_true(pid > 0);
	hammer(c, &shared[0], &shared[1], 1, 20000);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(shared[1], 0);
	/* And the slot ended free. */
	assert_int_equal(pgl_claim_take(c, 9, 3, 0), 1);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_one_holder_and_the_waiter_s_mark),
		cmocka_unit_test(test_a_drop_hands_the_slot_to_its_waiter),
		cmocka_unit_test(test_a_silent_holder_is_taken_over_when_stale),
		cmocka_unit_test(test_a_restarted_worker_lets_its_claims_go),
		cmocka_unit_test(test_a_key_is_its_seeded_hash),
		cmocka_unit_test(
		    test_keys_that_share_a_slot_never_wait_for_each_other),
		cmocka_unit_test(
		    test_a_drop_hands_over_only_to_a_waiter_for_the_same_key),
		cmocka_unit_test(test_two_processes_never_hold_a_slot_together),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
