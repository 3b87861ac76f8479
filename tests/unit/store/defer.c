/*
 * Writes sent ahead (store ABI 1.24, defer_writes).  Only PostgreSQL
 * defers (a round trip per write is what it saves); on the others
 * defer_writes is NULL and the tests that need it say so and skip.
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static void
test_deferred_writes_are_offered_from_abi_1_24(void **state)
{
	struct pgl_store_ops	o = *ops;

	(void)state;
	o.abi_minor = 23;
	assert_false(pgl_store_can_defer_writes(&o));
	o = *ops;
	o.defer_writes = NULL;
	assert_false(pgl_store_can_defer_writes(&o));
	/* The store that has a server to wait for offers it. */
	assert_int_equal(pgl_store_can_defer_writes(ops),
	    strcmp(ops->name, "postgres") == 0);
}

static void
test_a_commit_answered_later_is_offered_from_abi_1_25(void **state)
{
	struct pgl_store_ops	o = *ops;

	(void)state;
	o.abi_minor = 24;
	assert_false(pgl_store_can_send_commit(&o));
	o = *ops;
	o.commit_poll = NULL;
	assert_false(pgl_store_can_send_commit(&o));
	/* The store with a server to wait for offers it, and only with
	 * writes sent ahead, whose answers are what it waits for. */
	assert_int_equal(pgl_store_can_send_commit(ops),
	    strcmp(ops->name, "postgres") == 0);
	assert_true(!pgl_store_can_send_commit(ops) ||
	    pgl_store_can_defer_writes(ops));
}

static int
defers(void)
{
	if (pgl_store_can_defer_writes(ops))
		return (1);
	print_message("  SKIPPED on %s: no defer_writes (each write waits)\n",
	    ops->name);
	return (0);
}

static void
defer_event(struct pgl_event *e, const char *id)
{
	memset(e, 0, sizeof(*e));
	e->id = id;
	e->tenant_id = "t-d";
	e->catalog = "cat";
	e->ts_ms = 1700000000000;
	e->operation_type = "update-table";
	e->object_type = "table";
	e->body = "{}";
}

static void
defer_audit(struct pgl_audit_event *e, const char *id)
{
	*e = (struct pgl_audit_event){ id, "t-d", 1700000000000, NULL,
	    "update_table", "table", "as-1", "success", "{}" };
}

/*
 * A commit group's writes, sent ahead: each answers at once (a swap as
 * if it matched, an event with no number yet), a read in the same
 * transaction sees them (the connection runs them in order), and the
 * commit keeps them all.  Two swaps of one statement come before any
 * answer: the statement is prepared once.  The writes cost one round
 * trip together, not one each.
 */
static void
test_deferred_writes_take_and_are_read_back(void **state)
{
	struct fx		*f = *state;
	struct pgl_asset	 as;
	struct pgl_branch	 b;
	struct pgl_commit	 c = { "c-d1", "cat", NULL, 1000, "alice", "m",
				    "[]", NULL };
	struct pgl_event	 e, *items;
	struct pgl_audit_event	 au, got;
	uint64_t		 seq = 7, last = 0;

	if (!defers())
		skip();
	seed_catalog_tree(f, "t-d");
	seed_asset(f, "t-d", "cat", "main", "db", "t2", "ICEBERG_TABLE");
	/* A fresh handle: no statement prepared yet. */
	ops->close(f->s);
	OK(f, open_store(&f->s, &f->err));
	OK(f, ops->begin_tenant(f->s, "t-d", &f->err));
	OK(f, ops->defer_writes(f->s, &f->err));
	(void)trips(f, &last);
	OK(f, ops->update_metadata_location(f->s, "t-d", "cat", "main", "db",
	    "t1", "s3://bucket/t1/00000.metadata.json", "m1", &f->err));
	OK(f, ops->update_metadata_location(f->s, "t-d", "cat", "main", "db",
	    "t2", "s3://bucket/t2/00000.metadata.json", "m2", &f->err));
	OK(f, ops->create_commit(f->s, "t-d", &c, &f->err));
	OK(f, ops->update_branch_head(f->s, "t-d", "cat", "main", NULL,
	    "c-d1", &f->err));
	defer_event(&e, "e-d1");
	OK(f, ops->append_event(f->s, &e, &seq, &f->err));
	assert_int_equal(seq, 0);
	defer_audit(&au, "a-d1");
	OK(f, ops->log_audit_event(f->s, &au, &f->err));
	/* One wait for them all so far: whether main has forks, asked
	 * once for both swaps. */
	assert_int_equal(trips(f, &last), 1);
	/* The read settles them first: one round trip for them, one its. */
	OK(f, ops->get_asset(f->s, f->a, "t-d", "cat", "main", "db", "t2",
	    &as, &f->err));
	assert_int_equal(trips(f, &last), 2);
	assert_string_equal(as.metadata_location, "m2");
	OK(f, ops->commit(f->s, &f->err));

	OK(f, ops->get_asset(f->s, f->a, "t-d", "cat", "main", "db", "t1",
	    &as, &f->err));
	assert_string_equal(as.metadata_location, "m1");
	OK(f, ops->get_branch(f->s, f->a, "t-d", "cat", "main", &b, &f->err));
	assert_string_equal(b.head_commit_id, "c-d1");
	assert_int_equal(list_ev(f, "t-d", "cat", 0, 10, &items), 1);
	assert_string_equal(items[0].id, "e-d1");
	assert_true(items[0].seq > 0);
	OK(f, ops->get_audit_event(f->s, f->a, "t-d", "a-d1", &got, &f->err));
	/* The next transaction waits for each answer again. */
	OK(f, ops->begin(f->s, &f->err));
	FAILS(f, PGL_ECONFLICT, ops->update_metadata_location(f->s, "t-d",
	    "cat", "main", "db", "t1", "stale", "m3", &f->err));
	OK(f, ops->rollback(f->s, &f->err));
}

/* Nothing of a transaction whose deferred write failed is kept. */
static void
nothing_kept(struct fx *f)
{
	struct pgl_asset	 as;
	struct pgl_branch	 b;
	struct pgl_commit	 c;
	struct pgl_event	*items;
	struct pgl_audit_event	 got;

	OK(f, ops->get_asset(f->s, f->a, "t-d", "cat", "main", "db", "t1",
	    &as, &f->err));
	assert_string_equal(as.metadata_location,
	    "s3://bucket/t1/00000.metadata.json");
	OK(f, ops->get_branch(f->s, f->a, "t-d", "cat", "main", &b, &f->err));
	assert_null(b.head_commit_id);
	FAILS(f, PGL_ENOTFOUND, ops->get_commit(f->s, f->a, "t-d", "c-d2",
	    &c, &f->err));
	assert_int_equal(list_ev(f, "t-d", "cat", 0, 10, &items), 0);
	FAILS(f, PGL_ENOTFOUND, ops->get_audit_event(f->s, f->a, "t-d",
	    "a-d2", &got, &f->err));
}

/*
 * A swap sent ahead that matches nothing (another writer moved the
 * pointer) fails the transaction: it answered PGL_OK, so every later
 * call answers the conflict, and the commit does too and keeps none of
 * the writes before or after it.  The handle is usable after.
 */
static void
test_a_deferred_swap_that_matches_nothing_fails_the_transaction(
    void **state)
{
	struct fx		*f = *state;
	struct pgl_asset	 as;
	struct pgl_commit	 c = { "c-d2", "cat", NULL, 1000, "alice", "m",
				    "[]", NULL };
	struct pgl_event	 e;
	struct pgl_audit_event	 au;
	uint64_t		 seq;

	if (!defers())
		skip();
	seed_catalog_tree(f, "t-d");
	OK(f, ops->begin_tenant(f->s, "t-d", &f->err));
	OK(f, ops->defer_writes(f->s, &f->err));
	defer_audit(&au, "a-d2");
	OK(f, ops->log_audit_event(f->s, &au, &f->err));
	OK(f, ops->update_metadata_location(f->s, "t-d", "cat", "main", "db",
	    "t1", "someone-elses", "m1", &f->err));
	OK(f, ops->create_commit(f->s, "t-d", &c, &f->err));
	FAILS(f, PGL_ECONFLICT, ops->get_asset(f->s, f->a, "t-d", "cat",
	    "main", "db", "t1", &as, &f->err));
	assert_non_null(strstr(f->err.msg, "rolled back"));
	/* Later writes answer it too, sent or not. */
	defer_event(&e, "e-d2");
	FAILS(f, PGL_ECONFLICT, ops->append_event(f->s, &e, &seq, &f->err));
	FAILS(f, PGL_ECONFLICT, ops->commit(f->s, &f->err));
	OK(f, ops->rollback(f->s, &f->err));	/* the host's, after */
	nothing_kept(f);
	/* The same without a read between: the commit finds it. */
	OK(f, ops->begin_tenant(f->s, "t-d", &f->err));
	OK(f, ops->defer_writes(f->s, &f->err));
	OK(f, ops->update_metadata_location(f->s, "t-d", "cat", "main", "db",
	    "t1", "someone-elses", "m1", &f->err));
	OK(f, ops->create_commit(f->s, "t-d", &c, &f->err));
	FAILS(f, PGL_ECONFLICT, ops->commit(f->s, &f->err));
	nothing_kept(f);
	OK(f, ops->update_metadata_location(f->s, "t-d", "cat", "main", "db",
	    "t1", "s3://bucket/t1/00000.metadata.json", "m1", &f->err));
}

/*
 * A deferred write that errors (an event id already recorded) fails the
 * transaction with that error, and the swap sent before it is not kept.
 * A rollback with writes still unanswered drops them all.
 */
static void
test_a_deferred_write_that_errs_takes_the_transaction_with_it(
    void **state)
{
	struct fx		*f = *state;
	struct pgl_event	 e;
	uint64_t		 seq;

	if (!defers())
		skip();
	seed_catalog_tree(f, "t-d");
	(void)append_ev(f, "t-d", "other", "e-dup", 1000, "create-table");
	OK(f, ops->begin_tenant(f->s, "t-d", &f->err));
	OK(f, ops->defer_writes(f->s, &f->err));
	OK(f, ops->update_metadata_location(f->s, "t-d", "cat", "main", "db",
	    "t1", "s3://bucket/t1/00000.metadata.json", "m1", &f->err));
	defer_event(&e, "e-dup");
	OK(f, ops->append_event(f->s, &e, &seq, &f->err));
	FAILS(f, PGL_EEXISTS, ops->commit(f->s, &f->err));
	OK(f, ops->rollback(f->s, &f->err));
	nothing_kept(f);
	/* Rolled back with writes unanswered: none is kept. */
	OK(f, ops->begin(f->s, &f->err));
	OK(f, ops->defer_writes(f->s, &f->err));
	OK(f, ops->update_metadata_location(f->s, "t-d", "cat", "main", "db",
	    "t1", "s3://bucket/t1/00000.metadata.json", "m1", &f->err));
	OK(f, ops->rollback(f->s, &f->err));
	nothing_kept(f);
	/* Outside a transaction there is nothing to defer. */
	FAILS(f, PGL_EINVAL, ops->defer_writes(f->s, &f->err));
}

/*
 * A statement first used after a write sent ahead failed: its prepare
 * went into the pipeline behind the failure and never ran, so it is
 * prepared again on its next use, not run as if it had been (which the
 * server answers "does not exist", a round trip lost).
 */
static void
test_a_prepare_behind_a_failed_write_is_made_again(void **state)
{
	struct fx		*f = *state;
	struct pgl_event	 e;
	struct pgl_audit_event	 au;
	uint64_t		 seq, last = 0;

	if (!defers())
		skip();
	seed_catalog_tree(f, "t-d");
	(void)append_ev(f, "t-d", "other", "e-dup2", 1000, "create-table");
	ops->close(f->s);
	OK(f, open_store(&f->s, &f->err));	/* nothing prepared */
	OK(f, ops->begin(f->s, &f->err));
	OK(f, ops->defer_writes(f->s, &f->err));
	defer_event(&e, "e-dup2");
	OK(f, ops->append_event(f->s, &e, &seq, &f->err));
	defer_audit(&au, "a-d4");
	OK(f, ops->log_audit_event(f->s, &au, &f->err));
	FAILS(f, PGL_EEXISTS, ops->commit(f->s, &f->err));
	OK(f, ops->rollback(f->s, &f->err));
	(void)trips(f, &last);
	OK(f, ops->log_audit_event(f->s, &au, &f->err));
	assert_int_equal(trips(f, &last), 1);
}

/*
 * A branch with forks cannot swap in one statement (its children must
 * keep what they saw): sent ahead, the short path would match nothing.
 * Deferring, the store asks once a transaction whether the branch has
 * forks, and for one that has takes the long path, waiting; the fork
 * keeps its view.  A fork's row it only inherits cannot swap the short
 * way either, and nothing tells so without a read: sent ahead, that
 * swap fails the transaction as a lost race (the host runs it again
 * with each write awaited, which copies the row up); once the row is
 * the fork's own, its swaps go ahead.
 */
static void
test_a_deferred_swap_on_a_forked_branch_keeps_every_view(void **state)
{
	struct fx		*f = *state;
	struct pgl_branch	 dev = { "cat", "dev", NULL, "experimental",
				    "[]", 0, NULL };
	struct pgl_asset	 as;
	const char		*m0 = "s3://bucket/t1/00000.metadata.json";

	if (!defers())
		skip();
	seed_catalog_tree(f, "t-d");
	OK(f, ops->fork_branch(f->s, "t-d", &dev, "main", &f->err));
	/* dev's inherited row, sent ahead: a lost race, nothing kept. */
	OK(f, ops->begin_tenant(f->s, "t-d", &f->err));
	OK(f, ops->defer_writes(f->s, &f->err));
	OK(f, ops->update_metadata_location(f->s, "t-d", "cat", "dev", "db",
	    "t1", m0, "dev-1", &f->err));
	FAILS(f, PGL_ECONFLICT, ops->commit(f->s, &f->err));
	OK(f, ops->rollback(f->s, &f->err));
	/* The same awaited: the long path copies it up. */
	OK(f, ops->begin_tenant(f->s, "t-d", &f->err));
	OK(f, ops->update_metadata_location(f->s, "t-d", "cat", "dev", "db",
	    "t1", m0, "dev-1", &f->err));
	OK(f, ops->commit(f->s, &f->err));
	/* main has a fork: its swap waits, the long way; dev's own row
	 * goes ahead. */
	OK(f, ops->begin_tenant(f->s, "t-d", &f->err));
	OK(f, ops->defer_writes(f->s, &f->err));
	OK(f, ops->update_metadata_location(f->s, "t-d", "cat", "main", "db",
	    "t1", m0, "main-1", &f->err));
	OK(f, ops->update_metadata_location(f->s, "t-d", "cat", "dev", "db",
	    "t1", "dev-1", "dev-2", &f->err));
	OK(f, ops->commit(f->s, &f->err));
	OK(f, ops->get_asset(f->s, f->a, "t-d", "cat", "main", "db", "t1",
	    &as, &f->err));
	assert_string_equal(as.metadata_location, "main-1");
	OK(f, ops->get_asset(f->s, f->a, "t-d", "cat", "dev", "db", "t1",
	    &as, &f->err));
	assert_string_equal(as.metadata_location, "dev-2");
	/* main's v1, changed after the fork: dev still sees it as it was. */
	OK(f, ops->begin_tenant(f->s, "t-d", &f->err));
	OK(f, ops->defer_writes(f->s, &f->err));
	OK(f, ops->update_metadata_location(f->s, "t-d", "cat", "main", "db",
	    "v1", "s3://bucket/v1/00000.metadata.json", "main-v1", &f->err));
	OK(f, ops->commit(f->s, &f->err));
	OK(f, ops->get_asset(f->s, f->a, "t-d", "cat", "dev", "db", "v1",
	    &as, &f->err));
	assert_string_equal(as.metadata_location,
	    "s3://bucket/v1/00000.metadata.json");
}

/*
 * With no count left to check (only records whose answer is an error or
 * nothing), the writes sent ahead, the COMMIT and the tenant's unlock
 * go out together.  A record that fails there aborts the COMMIT: the
 * transaction's other writes are not kept, the error is the answer, and
 * the tenant's lock is given back all the same (another handle begins
 * at once).
 */
static void
test_records_sent_ahead_commit_with_the_commit_or_not_at_all(void **state)
{
	struct fx		*f = *state;
	struct pgl_namespace	 ns = { "cat", "dx", "{}" }, got;
	struct pgl_audit_event	 au, a2;
	struct pgl_store	*s2;

	if (!defers())
		skip();
	seed_catalog_tree(f, "t-d");
	OK(f, ops->begin_tenant(f->s, "t-d", &f->err));
	OK(f, ops->defer_writes(f->s, &f->err));
	defer_audit(&au, "a-d3");
	OK(f, ops->log_audit_event(f->s, &au, &f->err));
	OK(f, ops->commit(f->s, &f->err));
	OK(f, ops->get_audit_event(f->s, f->a, "t-d", "a-d3", &a2, &f->err));

	OK(f, ops->begin_tenant(f->s, "t-d", &f->err));
	OK(f, ops->defer_writes(f->s, &f->err));
	OK(f, ops->create_namespace(f->s, "t-d", &ns, &f->err));
	OK(f, ops->log_audit_event(f->s, &au, &f->err));	/* its id again */
	FAILS(f, PGL_EEXISTS, ops->commit(f->s, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_namespace(f->s, f->a, "t-d", "cat",
	    "dx", &got, &f->err));
	OK(f, open_store(&s2, &f->err));
	OK(f, ops->try_begin(s2, "t-d", &f->err));
	OK(f, ops->rollback(s2, &f->err));
	ops->close(s2);
}

static const struct CMUnitTest	tests[] = {
	cmocka_unit_test(test_deferred_writes_are_offered_from_abi_1_24),
	cmocka_unit_test(test_a_commit_answered_later_is_offered_from_abi_1_25),
	T(test_deferred_writes_take_and_are_read_back),
	T(test_a_deferred_swap_that_matches_nothing_fails_the_transaction),
	T(test_a_deferred_write_that_errs_takes_the_transaction_with_it),
	T(test_a_deferred_swap_on_a_forked_branch_keeps_every_view),
	T(test_records_sent_ahead_commit_with_the_commit_or_not_at_all),
	T(test_a_prepare_behind_a_failed_write_is_made_again),
};

STORE_FAMILY(defer, tests);
