/*
 * Background tasks: created and listed newest first, claimed oldest first
 * with tenants served in turn, leases that expire and are reclaimed, a
 * task handed back, cancelled, taken with its tenant, and claims racing
 * between processes that never share a task.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static void
seed_task(struct fx *f, const char *tenant, const char *id, const char *kind,
    const char *table, const char *by, int64_t created)
{
	struct pgl_task	t;

	memset(&t, 0, sizeof(t));
	t.id = id;
	t.tenant_id = tenant;
	t.kind = kind;
	t.catalog = "cat";
	t.branch = "main";
	t.ns = "db";
	t.table = table;
	t.params = "{\"operations\":[\"expire_snapshots\"]}";
	t.max_attempts = 3;
	t.created_by = by;
	t.created_at_ms = created;
	OK(f, ops->create_task(f->s, &t, &f->err));
}

static void
test_task_create_get_list_filtered_newest_first(void **state)
{
	struct fx		*f = *state;
	struct pgl_task		 t, *items;
	struct pgl_task_filter	 none = { 0 }, by_kind = { 0 }, by_table = { 0 };
	struct pgl_page		 page = { 2, 1, NULL };
	size_t			 n;
	uint64_t		 total;

	seed_task(f, "t-a", "k1", "maintenance", "t1", "u1", 1000);
	seed_task(f, "t-a", "k2", "purge", "t2", "u2", 2000);
	seed_task(f, "t-a", "k3", "maintenance", "t2", "u1", 3000);
	seed_task(f, "t-b", "k4", "maintenance", "t1", "u9", 4000);
	OK(f, ops->get_task(f->s, f->a, "t-a", "k1", &t, &f->err));
	assert_string_equal(t.status, "queued");
	assert_string_equal(t.kind, "maintenance");
	assert_string_equal(t.catalog, "cat");
	assert_string_equal(t.branch, "main");
	assert_string_equal(t.ns, "db");
	assert_string_equal(t.table, "t1");
	assert_string_equal(t.params, "{\"operations\":[\"expire_snapshots\"]}");
	assert_string_equal(t.created_by, "u1");
	assert_int_equal(t.created_at_ms, 1000);
	assert_int_equal(t.attempts, 0);
	assert_int_equal(t.max_attempts, 3);
	assert_null(t.lease_owner);
	assert_null(t.result);
	FAILS(f, PGL_ENOTFOUND, ops->get_task(f->s, f->a, "t-b", "k1", &t,
	    &f->err));
	OK(f, ops->list_tasks(f->s, f->a, "t-a", &none, NULL, &items, &n,
	    &total, &f->err));
	assert_int_equal(n, 3);
	assert_int_equal(total, 3);
	assert_string_equal(items[0].id, "k3");
	assert_string_equal(items[2].id, "k1");
	OK(f, ops->list_tasks(f->s, f->a, "t-a", &none, &page, &items, &n,
	    &total, &f->err));
	assert_int_equal(n, 2);
	assert_int_equal(total, 3);
	assert_string_equal(items[0].id, "k2");
	by_kind.kind = "maintenance";
	by_kind.created_by = "u1";
	OK(f, ops->list_tasks(f->s, f->a, "t-a", &by_kind, NULL, &items, &n,
	    &total, &f->err));
	assert_int_equal(total, 2);
	by_table.table = "t2";
	by_table.status = "queued";
	by_table.catalog = "cat";
	OK(f, ops->list_tasks(f->s, f->a, "t-a", &by_table, NULL, &items, &n,
	    &total, &f->err));
	assert_int_equal(n, 2);
	assert_string_equal(items[0].id, "k3");
	assert_string_equal(items[1].id, "k2");
}

/*
 * Issue 23: tenants take turns.  One tenant's backlog does not hold back
 * another's first task: after t-a queued 50, t-b's one task, queued after
 * them all, is among the first two claims, and t-a's come in order.
 */
static void
test_task_claims_serve_tenants_in_turn(void **state)
{
	struct fx	*f = *state;
	struct pgl_task	 t, u;
	char		 id[16];
	int		 i, b_at = -1;

	for (i = 0; i < 50; i++) {
		(void)snprintf(id, sizeof(id), "a%02d", i);
		seed_task(f, "t-a", id, "maintenance", "t1", "u1", 1000 + i);
	}
	seed_task(f, "t-b", "b00", "maintenance", "t1", "u1", 5000);
	for (i = 0; i < 2; i++) {
		OK(f, ops->claim_task(f->s, f->a, "r", 10000 + i, 60000, &t,
		    &f->err));
		if (strcmp(t.tenant_id, "t-b") == 0)
			b_at = i;
		else
			assert_string_equal(t.id, "a00");
	}
	assert_int_not_equal(b_at, -1);
	/* Then t-a's backlog, oldest first, and nothing twice. */
	OK(f, ops->claim_task(f->s, f->a, "r", 10002, 60000, &u, &f->err));
	assert_string_equal(u.id, "a01");
	/* t-b queues again: it is served next, ahead of t-a's 47. */
	seed_task(f, "t-b", "b01", "maintenance", "t1", "u1", 6000);
	OK(f, ops->claim_task(f->s, f->a, "r", 10003, 60000, &u, &f->err));
	assert_string_equal(u.id, "b01");
	OK(f, ops->claim_task(f->s, f->a, "r", 10004, 60000, &u, &f->err));
	assert_string_equal(u.id, "a02");
}

static void
test_task_claim_takes_the_oldest_and_leases_it(void **state)
{
	struct fx	*f = *state;
	struct pgl_task	 t, u;

	seed_task(f, "t-a", "k2", "maintenance", "t1", "u1", 2000);
	seed_task(f, "t-b", "k1", "maintenance", "t1", "u1", 1000);
	OK(f, ops->claim_task(f->s, f->a, "runner-a", 10000, 500, &t,
	    &f->err));
	assert_string_equal(t.id, "k1");
	assert_string_equal(t.tenant_id, "t-b");
	assert_string_equal(t.status, "running");
	assert_string_equal(t.lease_owner, "runner-a");
	assert_int_equal(t.lease_expires_ms, 10500);
	assert_int_equal(t.started_at_ms, 10000);
	assert_int_equal(t.attempts, 1);
	OK(f, ops->claim_task(f->s, f->a, "runner-b", 10000, 500, &u,
	    &f->err));
	assert_string_equal(u.id, "k2");
	FAILS(f, PGL_ENOTFOUND, ops->claim_task(f->s, f->a, "runner-c", 10100,
	    500, &u, &f->err));
	/* Progress from the holder; anyone else is refused. */
	t.progress_done = 3;
	t.progress_total = 10;
	t.phase = "expire";
	t.message = "3 of 10";
	t.lease_expires_ms = 11000;
	OK(f, ops->update_task(f->s, &t, &f->err));
	t.lease_owner = "runner-x";
	FAILS(f, PGL_ECONFLICT, ops->update_task(f->s, &t, &f->err));
	OK(f, ops->get_task(f->s, f->a, "t-b", "k1", &u, &f->err));
	assert_int_equal(u.progress_done, 3);
	assert_int_equal(u.progress_total, 10);
	assert_string_equal(u.phase, "expire");
	assert_string_equal(u.message, "3 of 10");
	assert_int_equal(u.lease_expires_ms, 11000);
	assert_true(u.heartbeat_ms > 0);
}

static void
test_task_whose_lease_expired_is_reclaimed_and_the_old_runner_refused(
    void **state)
{
	struct fx	*f = *state;
	struct pgl_task	 t, again, u;

	seed_task(f, "t-a", "k1", "purge", "t1", "u1", 1000);
	OK(f, ops->claim_task(f->s, f->a, "dead", 10000, 500, &t, &f->err));
	/* Within the lease nobody else takes it; after it, someone does. */
	FAILS(f, PGL_ENOTFOUND, ops->claim_task(f->s, f->a, "live", 10499,
	    500, &again, &f->err));
	OK(f, ops->claim_task(f->s, f->a, "live", 10500, 500, &again,
	    &f->err));
	assert_string_equal(again.id, "k1");
	assert_string_equal(again.lease_owner, "live");
	assert_int_equal(again.attempts, 2);
	assert_int_equal(again.started_at_ms, 10000);
	t.status = "succeeded";
	FAILS(f, PGL_ECONFLICT, ops->update_task(f->s, &t, &f->err));
	again.status = "succeeded";
	again.result = "{\"files_deleted\":2}";
	OK(f, ops->update_task(f->s, &again, &f->err));
	OK(f, ops->get_task(f->s, f->a, "t-a", "k1", &u, &f->err));
	assert_string_equal(u.status, "succeeded");
	assert_string_equal(u.result, "{\"files_deleted\":2}");
	assert_true(u.finished_at_ms > 0);
	/* Ended: not claimable, and no more updates. */
	FAILS(f, PGL_ENOTFOUND, ops->claim_task(f->s, f->a, "live", 99999,
	    500, &u, &f->err));
	FAILS(f, PGL_ECONFLICT, ops->update_task(f->s, &again, &f->err));
}

static void
test_task_handed_back_is_claimed_again(void **state)
{
	struct fx	*f = *state;
	struct pgl_task	 t, u;

	seed_task(f, "t-a", "k1", "purge", "t1", "u1", 1000);
	OK(f, ops->claim_task(f->s, f->a, "stopping", 10000, 60000, &t,
	    &f->err));
	t.status = "queued";
	OK(f, ops->update_task(f->s, &t, &f->err));
	OK(f, ops->get_task(f->s, f->a, "t-a", "k1", &u, &f->err));
	assert_string_equal(u.status, "queued");
	assert_null(u.lease_owner);
	OK(f, ops->claim_task(f->s, f->a, "next", 10001, 500, &u, &f->err));
	assert_string_equal(u.lease_owner, "next");
}

static void
test_task_cancel_queued_at_once_running_by_request(void **state)
{
	struct fx	*f = *state;
	struct pgl_task	 t, u;

	seed_task(f, "t-a", "k1", "maintenance", "t1", "u1", 1000);
	seed_task(f, "t-a", "k2", "maintenance", "t1", "u1", 2000);
	OK(f, ops->cancel_task(f->s, "t-a", "k1", &f->err));
	OK(f, ops->get_task(f->s, f->a, "t-a", "k1", &u, &f->err));
	assert_string_equal(u.status, "cancelled");
	assert_true(u.finished_at_ms > 0);
	/* The cancelled one is never claimed. */
	OK(f, ops->claim_task(f->s, f->a, "r", 10000, 500, &t, &f->err));
	assert_string_equal(t.id, "k2");
	FAILS(f, PGL_ENOTFOUND, ops->cancel_task(f->s, "t-b", "k2", &f->err));
	OK(f, ops->cancel_task(f->s, "t-a", "k2", &f->err));
	OK(f, ops->get_task(f->s, f->a, "t-a", "k2", &u, &f->err));
	assert_string_equal(u.status, "running");
	assert_int_equal(u.cancel_requested, 1);
	t.status = "cancelled";
	OK(f, ops->update_task(f->s, &t, &f->err));
	FAILS(f, PGL_ECONFLICT, ops->cancel_task(f->s, "t-a", "k2", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->cancel_task(f->s, "t-a", "nope",
	    &f->err));
}

static void
test_deleting_a_tenant_takes_its_tasks(void **state)
{
	struct fx	*f = *state;
	struct pgl_task	 t;

	seed_tenant(f, "t-a", "acme");
	seed_task(f, "t-a", "k1", "purge", "t1", "u1", 1000);
	OK(f, ops->delete_tenant(f->s, "t-a", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_task(f->s, f->a, "t-a", "k1", &t,
	    &f->err));
}

/* Children race one claim each; the exit status is the store's answer. */
static void
claim_child(int gate, int i)
{
	struct pgl_store	*s;
	struct pgl_arena	*a;
	struct pgl_err		 err;
	struct pgl_task		 t;
	char			 owner[32], c;
	int			 rc;

	if (open_store(&s, &err) != PGL_OK || (a = pgl_arena_new()) == NULL)
		_exit(100);
	if (read(gate, &c, 1) == -1)
		_exit(101);
	snprintf(owner, sizeof(owner), "child-%d", i);
	rc = ops->claim_task(s, a, owner, 10000, 60000, &t, &err);
	if (rc != PGL_OK && rc != PGL_ENOTFOUND)
		fprintf(stderr, "child %d: %d %s\n", i, rc, err.msg);
	ops->close(s);
	_exit(rc);
}

static void
test_task_claims_racing_between_processes_never_share_a_task(void **state)
{
	struct fx		*f = *state;
	struct pgl_task		*items;
	struct pgl_task_filter	 none = { 0 };
	pid_t			 pids[NCHILDREN];
	int			 codes[NCHILDREN], i, j, won = 0;
	size_t			 n;
	char			 id[16];

	if (!needs_file())
		return;
	for (i = 0; i < NCHILDREN / 2; i++) {
		snprintf(id, sizeof(id), "k%d", i);
		seed_task(f, "t-a", id, "purge", "t1", "u1", 1000 + i);
	}
	ops->close(f->s);
	f->s = NULL;
	assert_int_equal(fork_children(claim_child, pids), 0);
	wait_children(pids, codes);
	for (i = 0; i < NCHILDREN; i++) {
		if (codes[i] == PGL_OK)
			won++;
		else
			assert_int_equal(codes[i], PGL_ENOTFOUND);
	}
	assert_int_equal(won, NCHILDREN / 2);
	OK(f, open_store(&f->s, &f->err));
	OK(f, ops->list_tasks(f->s, f->a, "t-a", &none, NULL, &items, &n, NULL,
	    &f->err));
	assert_int_equal(n, NCHILDREN / 2);
	for (i = 0; i < (int)n; i++) {
		assert_string_equal(items[i].status, "running");
		assert_int_equal(items[i].attempts, 1);
		for (j = 0; j < i; j++)
			assert_string_not_equal(items[i].lease_owner,
			    items[j].lease_owner);
	}
}

static const struct CMUnitTest	tests[] = {
	T(test_task_create_get_list_filtered_newest_first),
	T(test_task_claim_takes_the_oldest_and_leases_it),
	T(test_task_claims_serve_tenants_in_turn),
	T(test_task_whose_lease_expired_is_reclaimed_and_the_old_runner_refused),
	T(test_task_handed_back_is_claimed_again),
	T(test_task_cancel_queued_at_once_running_by_request),
	T(test_deleting_a_tenant_takes_its_tasks),
	T(test_task_claims_racing_between_processes_never_share_a_task),
};

STORE_FAMILY(tasks, tests);
