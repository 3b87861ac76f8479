/*
 * Push sinks, webhook subscriptions and the NATS cursor (ABI 1.16): every
 * field kept, configuration written apart from the dispatcher's state,
 * lists in created order, leases claimed by one owner, and creates and
 * claims racing between processes with one winner.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

/* The host's one test of "this store keeps push sinks" (the loader). */
static void
test_webhooks_are_offered_from_abi_1_16_with_all_six(void **state)
{
	struct pgl_store_ops	o = *ops;

	(void)state;
	assert_true(pgl_store_has_webhooks(&o));
	o.abi_minor = 15;
	assert_false(pgl_store_has_webhooks(&o));
	o.abi_minor = 16;
	o.put_webhook = NULL;
	assert_false(pgl_store_has_webhooks(&o));
	o = *ops;
	o.claim_webhook = NULL;
	assert_false(pgl_store_has_webhooks(&o));
	o = *ops;
	o.set_webhook_state = NULL;
	assert_false(pgl_store_has_webhooks(&o));
}

static void
seed_webhook(struct fx *f, const char *tenant, const char *id,
    int64_t created_ms)
{
	struct pgl_webhook	w;

	webhook_of(&w, tenant, id, created_ms);
	OK(f, ops->put_webhook(f->s, &w, 1, &f->err));
}

static void
assert_webhook_state(const struct pgl_webhook *got,
    const struct pgl_webhook *w)
{
	assert_int_equal(got->cursor, w->cursor);
	assert_string_equal(got->status, w->status);
	if (w->status_reason == NULL)
		assert_null(got->status_reason);
	else
		assert_string_equal(got->status_reason, w->status_reason);
	assert_int_equal(got->failing_since_ms, w->failing_since_ms);
	assert_int_equal(got->next_attempt_ms, w->next_attempt_ms);
	assert_int_equal(got->attempts, w->attempts);
	assert_int_equal(got->delivered, w->delivered);
	assert_int_equal(got->failures, w->failures);
	if (w->recent == NULL)
		assert_null(got->recent);
	else
		assert_string_equal(got->recent, w->recent);
}

static void
test_webhook_round_trip_keeps_every_field(void **state)
{
	struct fx		*f = *state;
	struct pgl_webhook	 w, got;

	webhook_of(&w, "t-a", "wh-1", 1000);
	w.cursor = UINT64_C(1) << 40;
	OK(f, ops->put_webhook(f->s, &w, 1, &f->err));
	OK(f, ops->get_webhook(f->s, f->a, "t-a", "wh-1", &got, &f->err));
	assert_string_equal(got.id, "wh-1");
	assert_string_equal(got.tenant_id, "t-a");
	assert_string_equal(got.kind, w.kind);
	assert_string_equal(got.name, w.name);
	assert_string_equal(got.url, w.url);
	assert_string_equal(got.filter, w.filter);
	assert_string_equal(got.secrets, w.secrets);
	assert_int_equal(got.created_ms, 1000);
	assert_int_equal(got.updated_ms, 1001);
	assert_webhook_state(&got, &w);
	/* Created without a lease, whatever w said. */
	assert_null(got.lease_owner);
	assert_int_equal(got.lease_until_ms, 0);

	/* The NATS cursor: no url, no reason, no recent deliveries. */
	memset(&w, 0, sizeof(w));
	w.id = "nats";
	w.tenant_id = "t-a";
	w.kind = "nats";
	w.status = "paused";
	w.created_ms = 2000;
	w.updated_ms = 2000;
	w.lease_owner = "ignored";
	w.lease_until_ms = 99;
	OK(f, ops->put_webhook(f->s, &w, 1, &f->err));
	OK(f, ops->get_webhook(f->s, f->a, "t-a", "nats", &got, &f->err));
	assert_string_equal(got.kind, "nats");
	assert_null(got.name);
	assert_null(got.url);
	assert_null(got.filter);
	assert_null(got.secrets);
	assert_webhook_state(&got, &w);
	assert_null(got.lease_owner);
	assert_int_equal(got.lease_until_ms, 0);
	FAILS(f, PGL_ENOTFOUND, ops->get_webhook(f->s, f->a, "t-b", "nats",
	    &got, &f->err));
}

static void
test_webhook_created_twice_is_eexists(void **state)
{
	struct fx		*f = *state;
	struct pgl_webhook	 w;

	seed_webhook(f, "t-a", "wh-1", 1000);
	webhook_of(&w, "t-a", "wh-1", 5000);
	FAILS(f, PGL_EEXISTS, ops->put_webhook(f->s, &w, 1, &f->err));
	/* The id is the tenant's: another tenant may use it. */
	seed_webhook(f, "t-b", "wh-1", 1000);
	w.tenant_id = NULL;
	FAILS(f, PGL_EINVAL, ops->put_webhook(f->s, &w, 1, &f->err));
}

/* An edit by a route writes the config only: the dispatcher's state and
 * lease stay as they were. */
static void
test_webhook_update_writes_config_not_state_or_lease(void **state)
{
	struct fx		*f = *state;
	struct pgl_webhook	 w, orig, got;
	int			 lease;

	webhook_of(&orig, "t-a", "wh-1", 1000);
	OK(f, ops->put_webhook(f->s, &orig, 1, &f->err));
	OK(f, ops->claim_webhook(f->s, "t-a", "wh-1", "d-1", 1000, 9000,
	    &lease, &f->err));
	assert_true(lease);
	memset(&w, 0, sizeof(w));
	w.id = "wh-1";
	w.tenant_id = "t-a";
	w.kind = "webhook";
	w.name = "renamed";
	w.url = "https://example.org/other";
	w.filter = "{}";
	w.secrets = "sealed:v1:def";
	w.created_ms = 7777;		/* not written */
	w.updated_ms = 8000;
	w.status = "paused";		/* not written */
	w.cursor = 1;
	OK(f, ops->put_webhook(f->s, &w, 0, &f->err));
	OK(f, ops->get_webhook(f->s, f->a, "t-a", "wh-1", &got, &f->err));
	assert_string_equal(got.name, "renamed");
	assert_string_equal(got.url, w.url);
	assert_string_equal(got.filter, "{}");
	assert_string_equal(got.secrets, w.secrets);
	assert_int_equal(got.updated_ms, 8000);
	assert_int_equal(got.created_ms, 1000);
	assert_webhook_state(&got, &orig);
	assert_string_equal(got.lease_owner, "d-1");
	assert_int_equal(got.lease_until_ms, 9000);

	w.id = "wh-missing";
	FAILS(f, PGL_ENOTFOUND, ops->put_webhook(f->s, &w, 0, &f->err));
	w.id = "wh-1";
	w.tenant_id = "t-b";
	FAILS(f, PGL_ENOTFOUND, ops->put_webhook(f->s, &w, 0, &f->err));
}

static size_t
list_wh(struct fx *f, const char *tenant, struct pgl_webhook **items)
{
	size_t	n;

	OK(f, ops->list_webhooks(f->s, f->a, tenant, items, &n, &f->err));
	return (n);
}

/* Oldest created first, then by id; a tenant sees its own only. */
static void
test_webhooks_list_in_created_order_per_tenant_and_across(void **state)
{
	struct fx		*f = *state;
	struct pgl_webhook	*items;

	assert_int_equal(list_wh(f, NULL, &items), 0);
	seed_webhook(f, "t-a", "wh-c", 3000);
	seed_webhook(f, "t-b", "wh-x", 2500);
	seed_webhook(f, "t-a", "wh-b", 1000);
	seed_webhook(f, "t-a", "wh-a", 3000);
	assert_int_equal(list_wh(f, "t-a", &items), 3);
	assert_string_equal(items[0].id, "wh-b");
	assert_string_equal(items[1].id, "wh-a");
	assert_string_equal(items[2].id, "wh-c");
	/* Every field, in a list too. */
	assert_string_equal(items[1].url, "https://example.com/hook");
	assert_string_equal(items[1].recent, "[{\"seq\":42,\"status\":200}]");
	assert_int_equal(items[1].cursor, 42);
	assert_int_equal(list_wh(f, "t-b", &items), 1);
	assert_string_equal(items[0].id, "wh-x");
	assert_string_equal(items[0].tenant_id, "t-b");
	assert_int_equal(list_wh(f, "t-c", &items), 0);
	assert_int_equal(list_wh(f, NULL, &items), 4);
	assert_string_equal(items[0].id, "wh-b");
	assert_string_equal(items[1].id, "wh-x");
	assert_string_equal(items[2].id, "wh-a");
	assert_string_equal(items[3].id, "wh-c");
}

static void
test_webhook_delete_takes_one_and_a_missing_one_is_enotfound(void **state)
{
	struct fx		*f = *state;
	struct pgl_webhook	*items, got;

	seed_webhook(f, "t-a", "wh-1", 1000);
	seed_webhook(f, "t-a", "wh-2", 2000);
	seed_webhook(f, "t-b", "wh-1", 1000);
	FAILS(f, PGL_ENOTFOUND, ops->delete_webhook(f->s, "t-c", "wh-1",
	    &f->err));
	OK(f, ops->delete_webhook(f->s, "t-a", "wh-1", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->delete_webhook(f->s, "t-a", "wh-1",
	    &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_webhook(f->s, f->a, "t-a", "wh-1",
	    &got, &f->err));
	assert_int_equal(list_wh(f, "t-a", &items), 1);
	assert_string_equal(items[0].id, "wh-2");
	/* The other tenant's of the same id stays. */
	OK(f, ops->get_webhook(f->s, f->a, "t-b", "wh-1", &got, &f->err));
}

static int
claim_wh(struct fx *f, const char *id, const char *owner, int64_t now,
    int64_t until)
{
	int	got = -1;

	OK(f, ops->claim_webhook(f->s, "t-a", id, owner, now, until, &got,
	    &f->err));
	return (got);
}

static void
assert_lease(struct fx *f, const char *owner, int64_t until)
{
	struct pgl_webhook	got;

	OK(f, ops->get_webhook(f->s, f->a, "t-a", "wh-1", &got, &f->err));
	if (owner == NULL)
		assert_null(got.lease_owner);
	else
		assert_string_equal(got.lease_owner, owner);
	assert_int_equal(got.lease_until_ms, until);
}

/* Free, the owner's own (a renewal) or expired: got; else not. */
static void
test_webhook_claim_free_held_renewed_expired_and_missing(void **state)
{
	struct fx	*f = *state;
	int		 got = -1;

	seed_webhook(f, "t-a", "wh-1", 1000);
	assert_int_equal(claim_wh(f, "wh-1", "d-1", 1000, 5000), 1);
	assert_lease(f, "d-1", 5000);
	/* Another, while it runs (and at its last millisecond). */
	assert_int_equal(claim_wh(f, "wh-1", "d-2", 4000, 9000), 0);
	assert_int_equal(claim_wh(f, "wh-1", "d-2", 5000, 9000), 0);
	assert_lease(f, "d-1", 5000);
	/* The owner renews it. */
	assert_int_equal(claim_wh(f, "wh-1", "d-1", 4000, 8000), 1);
	assert_lease(f, "d-1", 8000);
	/* Expired: another takes it. */
	assert_int_equal(claim_wh(f, "wh-1", "d-2", 8001, 12000), 1);
	assert_lease(f, "d-2", 12000);
	assert_int_equal(claim_wh(f, "wh-1", "d-1", 9000, 13000), 0);
	FAILS(f, PGL_ENOTFOUND, ops->claim_webhook(f->s, "t-a", "wh-none",
	    "d-1", 1000, 5000, &got, &f->err));
	assert_int_equal(got, 0);
	FAILS(f, PGL_ENOTFOUND, ops->claim_webhook(f->s, "t-b", "wh-1",
	    "d-1", 1000, 5000, &got, &f->err));
	assert_int_equal(got, 0);
}

/* The dispatcher writes only while the lease is its own; a route writes
 * whatever the lease and clears it. */
static void
test_webhook_state_is_written_by_the_lease_owner_or_a_route(void **state)
{
	struct fx		*f = *state;
	struct pgl_webhook	 w, got;

	webhook_of(&w, "t-a", "wh-1", 1000);
	OK(f, ops->put_webhook(f->s, &w, 1, &f->err));
	assert_int_equal(claim_wh(f, "wh-1", "d-1", 1000, 5000), 1);
	w.cursor = 50;
	w.attempts = 0;
	w.failing_since_ms = 0;
	w.status_reason = NULL;
	w.recent = NULL;
	w.delivered = 1008;
	w.name = "not written";
	OK(f, ops->set_webhook_state(f->s, &w, "d-1", &f->err));
	OK(f, ops->get_webhook(f->s, f->a, "t-a", "wh-1", &got, &f->err));
	assert_webhook_state(&got, &w);
	assert_string_equal(got.name, "to the lake");
	assert_lease(f, "d-1", 5000);

	/* A stale dispatcher. */
	w.cursor = 10;
	FAILS(f, PGL_ECONFLICT, ops->set_webhook_state(f->s, &w, "d-2",
	    &f->err));
	OK(f, ops->get_webhook(f->s, f->a, "t-a", "wh-1", &got, &f->err));
	assert_int_equal(got.cursor, 50);

	/* A route's replay: written whatever the lease, which goes. */
	w.cursor = 7;
	w.status = "paused";
	w.status_reason = "paused by alice";
	OK(f, ops->set_webhook_state(f->s, &w, NULL, &f->err));
	OK(f, ops->get_webhook(f->s, f->a, "t-a", "wh-1", &got, &f->err));
	assert_webhook_state(&got, &w);
	assert_lease(f, NULL, 0);
	/* The former owner, halfway through a batch, cannot write its
	 * older cursor over the route's. */
	w.cursor = 60;
	FAILS(f, PGL_ECONFLICT, ops->set_webhook_state(f->s, &w, "d-1",
	    &f->err));
	OK(f, ops->get_webhook(f->s, f->a, "t-a", "wh-1", &got, &f->err));
	assert_int_equal(got.cursor, 7);

	w.id = "wh-none";
	FAILS(f, PGL_ENOTFOUND, ops->set_webhook_state(f->s, &w, "d-1",
	    &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->set_webhook_state(f->s, &w, NULL,
	    &f->err));
}

/* One dispatcher per process, all at once: 0 got it, 1 did not. */
static void
webhook_claim_child(int gate, int i)
{
	struct pgl_store	*s;
	struct pgl_err		err;
	char			owner[32], c;
	int			got = 0, rc;

	if (open_store(&s, &err) != PGL_OK)
		_exit(100);
	if (read(gate, &c, 1) == -1)
		_exit(101);
	snprintf(owner, sizeof(owner), "d-%d", i);
	rc = ops->claim_webhook(s, "t-a", "wh-1", owner, 2000, 60000, &got,
	    &err);
	if (rc != PGL_OK) {
		fprintf(stderr, "child %d: %d %s\n", i, rc, err.msg);
		_exit(102);
	}
	ops->close(s);
	_exit(got ? 0 : 1);
}

/* Dispatchers in several processes race for an expired lease: exactly
 * one gets it, and the lease names that one. */
static void
test_webhook_claims_racing_between_processes_have_one_winner(void **state)
{
	struct fx	*f = *state;
	pid_t		 pids[NCHILDREN];
	int		 codes[NCHILDREN], i, wins = 0, winner = -1;
	char		 owner[32];

	if (!needs_file())
		return;
	seed_webhook(f, "t-a", "wh-1", 1000);
	assert_int_equal(claim_wh(f, "wh-1", "d-old", 1000, 1500), 1);
	ops->close(f->s);	/* a connection must not cross fork() */
	f->s = NULL;
	assert_int_equal(fork_children(webhook_claim_child, pids), 0);
	wait_children(pids, codes);
	for (i = 0; i < NCHILDREN; i++) {
		if (codes[i] == 0) {
			wins++;
			winner = i;
		} else
			assert_int_equal(codes[i], 1);
	}
	assert_int_equal(wins, 1);
	OK(f, open_store(&f->s, &f->err));
	snprintf(owner, sizeof(owner), "d-%d", winner);
	assert_lease(f, owner, 60000);
	if (congodb())
		print_message("  %s: CongoDB runs one command at a time, so "
		    "the racing updates were serialized\n", ops->name);
}

/* One route per process creating the same subscription: 0 created it,
 * 1 found it taken. */
static void
webhook_create_child(int gate, int i)
{
	struct pgl_store	*s;
	struct pgl_err		err;
	struct pgl_webhook	w;
	char			c;
	int			rc;

	if (open_store(&s, &err) != PGL_OK)
		_exit(100);
	if (read(gate, &c, 1) == -1)
		_exit(101);
	webhook_of(&w, "t-a", "wh-1", 1000 + i);
	rc = ops->put_webhook(s, &w, 1, &err);
	ops->close(s);
	_exit(rc == PGL_OK ? 0 : rc == PGL_EEXISTS ? 1 : 102);
}

/* Creates of one (tenant, id) racing: exactly one is made. */
static void
test_webhook_creates_racing_between_processes_have_one_winner(void **state)
{
	struct fx		*f = *state;
	struct pgl_webhook	*items;
	pid_t			 pids[NCHILDREN];
	int			 codes[NCHILDREN], i, wins = 0;

	if (!needs_file())
		return;
	/* The check before the insert cannot decide a race; the unique
	 * index on (tenant_id, id) does, which CongoDB does not enforce. */
	if (congodb()) {
		print_message("  SKIPPED on CongoDB: no unique index "
		    "enforcement (no E11000)\n");
		skip();
		return;
	}
	ops->close(f->s);	/* a connection must not cross fork() */
	f->s = NULL;
	assert_int_equal(fork_children(webhook_create_child, pids), 0);
	wait_children(pids, codes);
	for (i = 0; i < NCHILDREN; i++) {
		if (codes[i] == 0)
			wins++;
		else
			assert_int_equal(codes[i], 1);
	}
	assert_int_equal(wins, 1);
	OK(f, open_store(&f->s, &f->err));
	assert_int_equal(list_wh(f, "t-a", &items), 1);
}

static const struct CMUnitTest	tests[] = {
	T(test_webhooks_are_offered_from_abi_1_16_with_all_six),
	T(test_webhook_round_trip_keeps_every_field),
	T(test_webhook_created_twice_is_eexists),
	T(test_webhook_update_writes_config_not_state_or_lease),
	T(test_webhooks_list_in_created_order_per_tenant_and_across),
	T(test_webhook_delete_takes_one_and_a_missing_one_is_enotfound),
	T(test_webhook_claim_free_held_renewed_expired_and_missing),
	T(test_webhook_state_is_written_by_the_lease_owner_or_a_route),
	T(test_webhook_claims_racing_between_processes_have_one_winner),
	T(test_webhook_creates_racing_between_processes_have_one_winner),
};

STORE_FAMILY(webhooks, tests);
