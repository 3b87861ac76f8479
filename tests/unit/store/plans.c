/*
 * Scan plan parts (ABI 1.11; counted and renewed from 1.14): bodies of a
 * megabyte kept whole, stored once, scoped by tenant, gone when expired,
 * purged oldest first, and the task runner's sweep.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "tasks/retention.h"

/*
 * The host's one test of "this store keeps plan parts" (the loader):
 * only one that can also count them (ABI 1.14), since stored plans are
 * bounded per tenant.
 */
static void
test_plan_parts_are_offered_from_abi_1_14_with_all_six(void **state)
{
	struct pgl_store_ops	o = *ops;

	(void)state;
	assert_true(pgl_store_has_plan_parts(&o));
	o.abi_minor = 13;
	assert_false(pgl_store_has_plan_parts(&o));
	o = *ops;
	o.delete_plan_parts = NULL;
	assert_false(pgl_store_has_plan_parts(&o));
	o = *ops;
	o.plan_usage = NULL;
	assert_false(pgl_store_has_plan_parts(&o));
	o = *ops;
	o.touch_plan_parts = NULL;
	assert_false(pgl_store_has_plan_parts(&o));
}

/* Scan plan parts (ABI 1.11). */

static struct pgl_plan_part
part(const char *plan, uint32_t seq, const char *body, int64_t expires)
{
	struct pgl_plan_part	p = { plan, seq, "cat\x1fmain\x1f" "db\x1ft1",
				    body, expires };

	return (p);
}

/* A JSON document of about len bytes, not all ASCII, ending in "]}". */
static char *
big_body(size_t len)
{
	static const char	unit[] = "{\"file\":\"s3://b/d/\xc3\xa9t\xc3\xa9-0001"
				    ".parquet\",\"records\":12345},";
	char			*b;
	size_t			 n = 0, u = sizeof(unit) - 1;

	assert_non_null(b = malloc(len + u + 16));
	n += (size_t)sprintf(b, "{\"tasks\":[");
	while (n + u < len) {
		memcpy(b + n, unit, u);
		n += u;
	}
	(void)strcpy(b + n, "{}]}");
	return (b);
}

static void
test_plan_part_round_trip_keeps_a_1mb_body_whole(void **state)
{
	struct fx		*f = *state;
	struct pgl_plan_part	 in, out;
	char			*body = big_body(1024 * 1024);

	seed_tenant(f, "t-a", "acme");
	in = part("plan-1", 0, body, INT64_MAX);
	OK(f, ops->put_plan_part(f->s, "t-a", &in, &f->err));
	in = part("plan-1", UINT32_MAX, "{}", 5000);
	OK(f, ops->put_plan_part(f->s, "t-a", &in, &f->err));

	OK(f, ops->get_plan_part(f->s, f->a, "t-a", "plan-1", 0, 0, &out,
	    &f->err));
	assert_string_equal(out.plan_id, "plan-1");
	assert_int_equal(out.seq, 0);
	assert_string_equal(out.table, "cat\x1fmain\x1f" "db\x1ft1");
	assert_int_equal(strlen(out.body), strlen(body));
	assert_string_equal(out.body, body);
	assert_true(out.expires_at_ms == INT64_MAX);
	OK(f, ops->get_plan_part(f->s, f->a, "t-a", "plan-1", UINT32_MAX, 0,
	    &out, &f->err));
	assert_int_equal(out.seq, UINT32_MAX);
	assert_string_equal(out.body, "{}");
	assert_int_equal(out.expires_at_ms, 5000);
	FAILS(f, PGL_ENOTFOUND, ops->get_plan_part(f->s, f->a, "t-a",
	    "plan-1", 1, 0, &out, &f->err));
	free(body);
}

static void
test_plan_part_stored_twice_is_a_conflict_unless_expired(void **state)
{
	struct fx		*f = *state;
	struct pgl_plan_part	 in, out;

	seed_tenant(f, "t-a", "acme");
	in = part("plan-1", 3, "{\"first\":1}", INT64_MAX);
	OK(f, ops->put_plan_part(f->s, "t-a", &in, &f->err));
	in.body = "{\"second\":2}";
	FAILS(f, PGL_ECONFLICT, ops->put_plan_part(f->s, "t-a", &in,
	    &f->err));
	OK(f, ops->get_plan_part(f->s, f->a, "t-a", "plan-1", 3, 0, &out,
	    &f->err));
	assert_string_equal(out.body, "{\"first\":1}");

	/* Expired is absent: a part past its time (not yet purged) is
	 * replaced. */
	in = part("plan-2", 0, "{\"old\":1}", 10);
	OK(f, ops->put_plan_part(f->s, "t-a", &in, &f->err));
	in = part("plan-2", 0, "{\"new\":1}", INT64_MAX);
	OK(f, ops->put_plan_part(f->s, "t-a", &in, &f->err));
	OK(f, ops->get_plan_part(f->s, f->a, "t-a", "plan-2", 0, 11, &out,
	    &f->err));
	assert_string_equal(out.body, "{\"new\":1}");
}

/* ABI 1.14: a tenant's plans, parts and bytes, unexpired ones only. */
static void
test_plan_usage_counts_unexpired_parts_per_tenant_most_bytes_first(
    void **state)
{
	struct fx		*f = *state;
	struct pgl_plan_part	 in;
	struct pgl_plan_usage	*u;
	size_t			 n;

	seed_tenant(f, "t-a", "acme");
	seed_tenant(f, "t-b", "beta");
	OK(f, ops->plan_usage(f->s, f->a, "t-a", 100, 1, &u, &n, &f->err));
	assert_int_equal(n, 0);
	in = part("p1", 0, "{\"parts\":2}", 1000);
	OK(f, ops->put_plan_part(f->s, "t-a", &in, &f->err));
	in = part("p1", 1, "0123456789", 1000);
	OK(f, ops->put_plan_part(f->s, "t-a", &in, &f->err));
	/* Bytes, not characters: "\xc3\xa9" is one character. */
	in = part("p2", 1, "\xc3\xa9", 1000);
	OK(f, ops->put_plan_part(f->s, "t-a", &in, &f->err));
	in = part("p3", 1, "expired", 50);
	OK(f, ops->put_plan_part(f->s, "t-a", &in, &f->err));
	in = part("p1", 1, "0123456789012345678901234567890123456789", 1000);
	OK(f, ops->put_plan_part(f->s, "t-b", &in, &f->err));

	OK(f, ops->plan_usage(f->s, f->a, "t-a", 100, 1, &u, &n, &f->err));
	assert_int_equal(n, 1);
	assert_string_equal(u[0].tenant, "t-a");
	assert_int_equal(u[0].plans, 2);
	assert_int_equal(u[0].parts, 3);
	assert_int_equal(u[0].bytes, strlen("{\"parts\":2}") + 10 + 2);
	/* Every tenant: the most bytes first, limit honoured. */
	OK(f, ops->plan_usage(f->s, f->a, NULL, 100, 0, &u, &n, &f->err));
	assert_int_equal(n, 2);
	assert_string_equal(u[0].tenant, "t-b");
	assert_int_equal(u[0].bytes, 40);
	assert_string_equal(u[1].tenant, "t-a");
	OK(f, ops->plan_usage(f->s, f->a, NULL, 100, 1, &u, &n, &f->err));
	assert_int_equal(n, 1);
	/* Past 1000 nothing of it counts. */
	OK(f, ops->plan_usage(f->s, f->a, "t-a", 1001, 1, &u, &n, &f->err));
	assert_int_equal(n, 0);
}

/* ABI 1.14: a plan's life renewed, its unexpired parts only. */
static void
test_plan_touch_renews_the_unexpired_parts_of_one_plan(void **state)
{
	struct fx		*f = *state;
	struct pgl_plan_part	 in, out;

	seed_tenant(f, "t-a", "acme");
	seed_tenant(f, "t-b", "beta");
	in = part("p1", 0, "{}", 1000);
	OK(f, ops->put_plan_part(f->s, "t-a", &in, &f->err));
	in = part("p1", 1, "{}", 1000);
	OK(f, ops->put_plan_part(f->s, "t-a", &in, &f->err));
	in = part("p2", 0, "{}", 1000);
	OK(f, ops->put_plan_part(f->s, "t-a", &in, &f->err));
	in = part("p1", 0, "{}", 1000);
	OK(f, ops->put_plan_part(f->s, "t-b", &in, &f->err));
	OK(f, ops->touch_plan_parts(f->s, "t-a", "p1", 500, 9000, &f->err));
	OK(f, ops->get_plan_part(f->s, f->a, "t-a", "p1", 1, 5000, &out,
	    &f->err));
	assert_int_equal(out.expires_at_ms, 9000);
	FAILS(f, PGL_ENOTFOUND, ops->get_plan_part(f->s, f->a, "t-a", "p2",
	    0, 5000, &out, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_plan_part(f->s, f->a, "t-b", "p1",
	    0, 5000, &out, &f->err));
	/* An expired plan is not brought back. */
	OK(f, ops->touch_plan_parts(f->s, "t-a", "p2", 1001, 20000, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_plan_part(f->s, f->a, "t-a", "p2",
	    0, 5000, &out, &f->err));
}

static void
test_plan_part_of_another_tenant_is_not_found(void **state)
{
	struct fx		*f = *state;
	struct pgl_plan_part	 in, out;

	seed_tenant(f, "t-a", "acme");
	seed_tenant(f, "t-b", "beta");
	in = part("plan-1", 0, "{\"a\":1}", INT64_MAX);
	OK(f, ops->put_plan_part(f->s, "t-a", &in, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_plan_part(f->s, f->a, "t-b",
	    "plan-1", 0, 0, &out, &f->err));
	/* B's delete does not reach A's plan, and B's key is its own. */
	OK(f, ops->delete_plan_parts(f->s, "t-b", "plan-1", &f->err));
	in.body = "{\"b\":1}";
	OK(f, ops->put_plan_part(f->s, "t-b", &in, &f->err));
	OK(f, ops->get_plan_part(f->s, f->a, "t-a", "plan-1", 0, 0, &out,
	    &f->err));
	assert_string_equal(out.body, "{\"a\":1}");
	OK(f, ops->get_plan_part(f->s, f->a, "t-b", "plan-1", 0, 0, &out,
	    &f->err));
	assert_string_equal(out.body, "{\"b\":1}");
}

static void
test_plan_part_is_not_found_after_it_expired(void **state)
{
	struct fx		*f = *state;
	struct pgl_plan_part	 in, out;

	seed_tenant(f, "t-a", "acme");
	in = part("plan-1", 0, "{}", 5000);
	OK(f, ops->put_plan_part(f->s, "t-a", &in, &f->err));
	/* Expired means expires_at < now: still served at 5000. */
	OK(f, ops->get_plan_part(f->s, f->a, "t-a", "plan-1", 0, 5000, &out,
	    &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_plan_part(f->s, f->a, "t-a",
	    "plan-1", 0, 5001, &out, &f->err));
}

static void
test_deleting_a_plan_takes_all_its_parts_and_no_other(void **state)
{
	struct fx		*f = *state;
	struct pgl_plan_part	 in, out;
	uint32_t		 i;

	seed_tenant(f, "t-a", "acme");
	for (i = 0; i < 3; i++) {
		in = part("plan-1", i, "{}", INT64_MAX);
		OK(f, ops->put_plan_part(f->s, "t-a", &in, &f->err));
	}
	in = part("plan-2", 0, "{}", INT64_MAX);
	OK(f, ops->put_plan_part(f->s, "t-a", &in, &f->err));
	OK(f, ops->delete_plan_parts(f->s, "t-a", "plan-1", &f->err));
	for (i = 0; i < 3; i++)
		FAILS(f, PGL_ENOTFOUND, ops->get_plan_part(f->s, f->a, "t-a",
		    "plan-1", i, 0, &out, &f->err));
	OK(f, ops->get_plan_part(f->s, f->a, "t-a", "plan-2", 0, 0, &out,
	    &f->err));
	/* A plan with no parts (left, or never stored) deletes fine. */
	OK(f, ops->delete_plan_parts(f->s, "t-a", "plan-1", &f->err));
	OK(f, ops->delete_plan_parts(f->s, "t-a", "plan-9", &f->err));
}

static void
test_plan_parts_purge_takes_expired_oldest_first_up_to_limit(void **state)
{
	struct fx		*f = *state;
	struct pgl_plan_part	 in, out;
	uint64_t		 n = 99;
	uint32_t		 i;

	seed_tenant(f, "t-a", "acme");
	seed_tenant(f, "t-b", "beta");
	/* Expired at 100: five, of two tenants, expiring 10..14. */
	for (i = 0; i < 5; i++) {
		in = part("old", i, "{}", 14 - (int64_t)i);
		OK(f, ops->put_plan_part(f->s, i % 2 ? "t-b" : "t-a", &in,
		    &f->err));
	}
	in = part("live", 0, "{}", 100);
	OK(f, ops->put_plan_part(f->s, "t-a", &in, &f->err));
	in = part("live", 1, "{}", INT64_MAX);
	OK(f, ops->put_plan_part(f->s, "t-b", &in, &f->err));

	FAILS(f, PGL_EINVAL, ops->purge_plan_parts(f->s, 100, 0, &n,
	    &f->err));
	assert_int_equal(n, 0);
	OK(f, ops->purge_plan_parts(f->s, 100, 3, &n, &f->err));
	assert_int_equal(n, 3);
	/* The three oldest (10, 11, 12: seq 4, 3, 2) went. */
	for (i = 0; i < 5; i++) {
		if (i >= 2)
			FAILS(f, PGL_ENOTFOUND, ops->get_plan_part(f->s, f->a,
			    i % 2 ? "t-b" : "t-a", "old", i, 0, &out,
			    &f->err));
		else
			OK(f, ops->get_plan_part(f->s, f->a,
			    i % 2 ? "t-b" : "t-a", "old", i, 0, &out,
			    &f->err));
	}
	OK(f, ops->purge_plan_parts(f->s, 100, 3, &n, &f->err));
	assert_int_equal(n, 2);
	OK(f, ops->purge_plan_parts(f->s, 100, 3, &n, &f->err));
	assert_int_equal(n, 0);
	OK(f, ops->get_plan_part(f->s, f->a, "t-a", "live", 0, 100, &out,
	    &f->err));
	OK(f, ops->get_plan_part(f->s, f->a, "t-b", "live", 1, 100, &out,
	    &f->err));
}

static void
test_deleting_a_tenant_takes_its_plan_parts(void **state)
{
	struct fx		*f = *state;
	struct pgl_plan_part	 in, out;

	seed_tenant(f, "t-a", "acme");
	seed_tenant(f, "t-b", "beta");
	in = part("plan-1", 0, "{}", INT64_MAX);
	OK(f, ops->put_plan_part(f->s, "t-a", &in, &f->err));
	OK(f, ops->put_plan_part(f->s, "t-b", &in, &f->err));
	OK(f, ops->delete_tenant(f->s, "t-a", &f->err));
	seed_tenant(f, "t-a", "again");
	FAILS(f, PGL_ENOTFOUND, ops->get_plan_part(f->s, f->a, "t-a",
	    "plan-1", 0, 0, &out, &f->err));
	OK(f, ops->get_plan_part(f->s, f->a, "t-b", "plan-1", 0, 0, &out,
	    &f->err));
}

/*
 * The task runner's sweep (src/tasks/retention.c) empties a backlog
 * larger than one batch, and leaves a store of an older ABI alone.
 */
static void
test_plan_parts_sweep_purges_a_backlog_in_batches(void **state)
{
	struct fx		*f = *state;
	struct pgl_store_ops	 old = *ops;
	struct pgl_plan_part	 in, out;
	volatile int		 stop = 0;
	uint32_t		 i, n = PGL_RETENTION_BATCH * 2 + 5;

	seed_tenant(f, "t-a", "acme");
	OK(f, ops->begin(f->s, &f->err));
	for (i = 0; i < n; i++) {
		in = part("old", i, "{}", 10 + (int64_t)i);
		OK(f, ops->put_plan_part(f->s, "t-a", &in, &f->err));
	}
	in = part("live", 0, "{}", INT64_MAX);
	OK(f, ops->put_plan_part(f->s, "t-a", &in, &f->err));
	OK(f, ops->commit(f->s, &f->err));

	old.abi_minor = 10;
	assert_int_equal(pgl_plan_parts_sweep(&old, f->s, INT64_MAX - 1,
	    &stop), 0);
	OK(f, ops->get_plan_part(f->s, f->a, "t-a", "old", 0, 0, &out,
	    &f->err));
	assert_int_equal(pgl_plan_parts_sweep(ops, f->s, 10000, &stop), n);
	assert_int_equal(pgl_plan_parts_sweep(ops, f->s, 10000, &stop), 0);
	FAILS(f, PGL_ENOTFOUND, ops->get_plan_part(f->s, f->a, "t-a", "old",
	    n - 1, 0, &out, &f->err));
	OK(f, ops->get_plan_part(f->s, f->a, "t-a", "live", 0, 10000, &out,
	    &f->err));
}

static const struct CMUnitTest	tests[] = {
	T(test_plan_parts_are_offered_from_abi_1_14_with_all_six),
	T(test_plan_part_round_trip_keeps_a_1mb_body_whole),
	T(test_plan_part_stored_twice_is_a_conflict_unless_expired),
	T(test_plan_part_of_another_tenant_is_not_found),
	T(test_plan_part_is_not_found_after_it_expired),
	T(test_deleting_a_plan_takes_all_its_parts_and_no_other),
	T(test_plan_parts_purge_takes_expired_oldest_first_up_to_limit),
	T(test_plan_usage_counts_unexpired_parts_per_tenant_most_bytes_first),
	T(test_plan_touch_renews_the_unexpired_parts_of_one_plan),
	T(test_deleting_a_tenant_takes_its_plan_parts),
	T(test_plan_parts_sweep_purges_a_backlog_in_batches),
};

STORE_FAMILY(plans, tests);
