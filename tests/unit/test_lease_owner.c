/* A push sink's lease owner name, and whether its process is gone
 * (src/events/lease_owner.c). */
#include <sys/wait.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "events/lease_owner.h"

/* A pid that existed and is gone: a child that exited and was reaped. */
static pid_t
dead_pid(void)
{
	pid_t	pid;

	if ((pid = fork()) == 0)
		_exit(0);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return (pid);
}

/* owner with its pid replaced by pid. */
static void
with_pid(const char *owner, pid_t pid, char *out, size_t len)
{
	const char	*c1 = strchr(owner, ':');
	const char	*c2 = strchr(c1 + 1, ':');

	(void)snprintf(out, len, "%.*s:%d%s", (int)(c1 - owner), owner,
	    (int)pid, c2);
}

static void
test_a_live_owner_is_not_gone_and_a_dead_one_of_this_machine_is(void **st)
{
	char	me[256], other[256];
	pid_t	child;

	(void)st;
	assert_int_equal(pgl_lease_owner_make(me, sizeof(me)), 0);
	assert_non_null(strchr(me, '@'));
	assert_int_equal(pgl_lease_owner_gone(me), 0);
	/* The parent of this test is alive. */
	with_pid(me, getppid(), other, sizeof(other));
	assert_int_equal(pgl_lease_owner_gone(other), 0);
	child = dead_pid();
	with_pid(me, child, other, sizeof(other));
	assert_int_equal(pgl_lease_owner_gone(other), 1);
}

static void
test_an_owner_of_another_machine_or_namespace_is_never_judged(void **st)
{
	char	me[256], other[256];
	pid_t	child;

	(void)st;
	assert_int_equal(pgl_lease_owner_make(me, sizeof(me)), 0);
	child = dead_pid();
	with_pid(me, child, other, sizeof(other));
	/* Another boot id or pid namespace: a replica elsewhere. */
	*strrchr(other, '@') = '\0';
	(void)strncat(other, "@another-boot.4026531836",
	    sizeof(other) - strlen(other) - 1);
	assert_int_equal(pgl_lease_owner_gone(other), 0);
	/* Names from before lease_owner.h, or malformed, likewise. */
	assert_int_equal(pgl_lease_owner_gone("vm:1234:7f00"), 0);
	assert_int_equal(pgl_lease_owner_gone(NULL), 0);
	assert_int_equal(pgl_lease_owner_gone("x@y"), 0);
	assert_int_equal(pgl_lease_owner_gone(":@"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_a_live_owner_is_not_gone_and_a_dead_one_of_this_machine_is),
		cmocka_unit_test(
		    test_an_owner_of_another_machine_or_namespace_is_never_judged),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
