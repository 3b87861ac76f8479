/*
 * What the shared store suite (test_store.c) cannot show about the
 * PostgreSQL plugin: its options, a server that is unreachable or goes
 * away and comes back, transactions that really run at the same time in
 * several processes, and migrations raced by several processes.
 *
 *	PGL_STORE_PLUGIN=build/test/plugins/store-postgres.so \
 *	PGL_STORE_OPTS='url=postgresql://postgres@127.0.0.1:55432/pangolin;'\
 *	'schema=t{n}' \
 *	[PGL_PG_STOP='sh tests/servers/postgres.sh stop DIR PORT'] \
 *	[PGL_PG_START='sh tests/servers/postgres.sh start DIR PORT'] \
 *	    test_store_pg
 *
 * {n} becomes a number that changes for every test, so each test starts
 * in a fresh schema.  The tests look at the server through psql (which
 * the server package brings) to see what the plugin's handle cannot:
 * its backends, and the migrations table.  The restart test runs only
 * when PGL_PG_STOP and PGL_PG_START say how to stop and start the server.
 * Without PGL_STORE_OPTS every test is skipped.
 */
#include "store_pg/harness.h"

/* Options. */

static void
test_bad_options_are_einval_naming_the_option(void **state)
{
	static const struct pgl_kv	bad[] = {
		{ "bogus_option", "1" },
		{ "connect_timeout", "soon" },
		{ "connect_timeout", "0" },
		{ "port", "0" },
		{ "port", "5432x" },
		{ "sslmode", "sometimes" },
		{ "max_connections", "0" },
		{ "min_connections", "-1" },
		{ "url", "not a connection string" },
		{ "host", "" },
		{ "schema", "a_schema_name_that_is_longer_than_sixty_three_"
		    "bytes_is_truncated" },
		{ "statement_timeout_ms", "-1" },
		{ "lock_timeout_ms", "5s" },
		{ "idle_in_transaction_timeout_ms", "86400001" },
	};
	struct pgl_kv		kv[2] = { { "url", "postgresql:///x" } };
	struct pgl_store	*s;
	struct pgl_err		err;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		kv[1] = bad[i];
		s = (void *)1;
		assert_int_equal(ops->open(&host, kv, 2, &s, &err),
		    PGL_EINVAL);
		assert_null(s);
		if (strstr(err.msg, bad[i].key) == NULL)
			fail_msg("%s=%s: message does not name it: %s",
			    bad[i].key, bad[i].value, err.msg);
	}
	kv[0] = (struct pgl_kv){ "max_connections", "1" };
	kv[1] = (struct pgl_kv){ "min_connections", "2" };
	assert_int_equal(ops->open(&host, kv, 2, &s, &err), PGL_EINVAL);
	assert_non_null(strstr(err.msg, "min_connections"));
}

static void
test_unreachable_server_is_eunavail_with_libpq_message(void **state)
{
	struct pgl_kv		kv[] = { { "url",
				    "postgresql://postgres@127.0.0.1:1/x" } };
	struct pgl_store	*s = (void *)1;
	struct pgl_err		err;

	(void)state;
	assert_int_equal(ops->open(&host, kv, 1, &s, &err), PGL_EUNAVAIL);
	assert_null(s);
	/* libpq's own words, on the one line the start-up failure prints. */
	assert_non_null(strstr(err.msg, "127.0.0.1"));
	assert_non_null(strstr(err.msg, "refused"));
	assert_null(strchr(err.msg, '\n'));
}

/* A server that accepts TCP but never answers: only the timeout ends
 * the wait (libpq rounds 1 s up to 2). */
static void
test_connect_timeout_bounds_the_wait(void **state)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	struct pgl_kv		kv[2] = { { "url", NULL },
				    { "connect_timeout", "1" } };
	struct pgl_store	*s;
	struct pgl_err		err;
	char			url[128];
	double			t0, ms;
	int			fd;

	(void)state;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	snprintf(url, sizeof(url), "postgresql://u@127.0.0.1:%d/x",
	    ntohs(sin.sin_port));
	kv[0].value = url;
	t0 = now_ms();
	assert_int_equal(ops->open(&host, kv, 2, &s, &err), PGL_EUNAVAIL);
	ms = now_ms() - t0;
	close(fd);
	print_message("  silent server: gave up after %.0f ms (%s)\n", ms,
	    err.msg);
	assert_true(ms >= 900.0 && ms < 5000.0);
}

static void
test_max_connections_bounds_handles_per_process(void **state)
{
	struct pgl_kv		max2[] = { { "max_connections", "2" } };
	struct pgl_store	*a, *b, *c;
	struct pgl_err		err;

	(void)state;
	if (!needs_server())
		return;
	test_seq++;
	assert_int_equal(open_with(&a, &err, NULL, max2, 1), PGL_OK);
	assert_int_equal(open_with(&b, &err, NULL, max2, 1), PGL_OK);
	assert_int_equal(open_with(&c, &err, NULL, max2, 1), PGL_EUNAVAIL);
	assert_non_null(strstr(err.msg, "max_connections"));
	ops->close(b);
	assert_int_equal(open_with(&c, &err, NULL, max2, 1), PGL_OK);
	ops->close(a);
	ops->close(c);
}

static void
test_min_connections_zero_connects_on_first_use(void **state)
{
	struct fx		*f = *state;
	struct pgl_kv		min0[] = { { "min_connections", "0" } };
	struct pgl_store	*s;
	char			app[80];

	if (!needs_server())
		return;
	snprintf(app, sizeof(app), "%s_lazy", f->app);
	OK(f, open_with(&s, &f->err, app, min0, 1));
	assert_int_equal(backends(app), 0);
	OK(f, ops->ping(s, &f->err));
	assert_int_equal(backends(app), 1);
	ops->close(s);
	/* The default keeps the connection from open on. */
	assert_int_equal(backends(f->app), 1);
}

static void
test_schemas_do_not_see_each_other(void **state)
{
	struct fx		*f = *state;
	struct pgl_store	*other;
	struct pgl_tenant	t;

	if (!needs_server())
		return;
	seed_tenant(f, f->s, "t-a");
	test_seq++;
	OK(f, open_with(&other, &f->err, NULL, NULL, 0));
	FAILS(f, PGL_ENOTFOUND, ops->get_tenant(other, f->a, "t-a", &t,
	    &f->err));
	seed_tenant(f, other, "t-a");	/* the same key, another schema */
	ops->close(other);
}

/* Lost connections. */

static void
test_reconnects_after_backend_is_killed(void **state)
{
	struct fx		*f = *state;
	struct pgl_tenant	t;

	if (!needs_server())
		return;
	seed_tenant(f, f->s, "t-a");
	assert_int_equal(kill_backends(f->app), 1);
	/* That call finds the connection gone ... */
	FAILS(f, PGL_EUNAVAIL, ops->get_tenant(f->s, f->a, "t-a", &t,
	    &f->err));
	/* ... the next one reconnects, re-preparing what it runs. */
	OK(f, ops->get_tenant(f->s, f->a, "t-a", &t, &f->err));
	assert_string_equal(t.name, "t-a");
	OK(f, ops->ping(f->s, &f->err));
	seed_tenant(f, f->s, "t-b");
}

static void
test_connection_lost_inside_transaction_loses_it_whole(void **state)
{
	struct fx		*f = *state;
	struct pgl_tenant	t, y = { "t-y", "t-y", NULL };

	if (!needs_server())
		return;
	OK(f, ops->begin(f->s, &f->err));
	seed_tenant(f, f->s, "t-x");
	assert_int_equal(kill_backends(f->app), 1);
	FAILS(f, PGL_EUNAVAIL, ops->create_tenant(f->s, &y, &f->err));
	/* No quiet reconnect: the rest would run outside any transaction. */
	FAILS(f, PGL_EUNAVAIL, ops->get_tenant(f->s, f->a, "t-x", &t,
	    &f->err));
	/* A method that opens its own transaction when called outside one
	 * is inside the lost one here: 503, not a nested begin's 400 (CI saw
	 * a commit storm across a failover answer 400 so). */
	FAILS(f, PGL_EUNAVAIL, ops->delete_branch(f->s, "t-x", "cat", "b",
	    &f->err));
	assert_null(strstr(f->err.msg, "no nesting"));
	FAILS(f, PGL_EUNAVAIL, ops->commit(f->s, &f->err));
	assert_non_null(strstr(f->err.msg, "nothing was committed"));
	FAILS(f, PGL_ENOTFOUND, ops->get_tenant(f->s, f->a, "t-x", &t,
	    &f->err));

	/* The same with the host's usual ending, a rollback. */
	OK(f, ops->begin(f->s, &f->err));
	seed_tenant(f, f->s, "t-x");
	assert_int_equal(kill_backends(f->app), 1);
	FAILS(f, PGL_EUNAVAIL, ops->create_tenant(f->s, &y, &f->err));
	OK(f, ops->rollback(f->s, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_tenant(f->s, f->a, "t-x", &t,
	    &f->err));
	OK(f, ops->begin(f->s, &f->err));
	OK(f, ops->create_tenant(f->s, &y, &f->err));
	OK(f, ops->commit(f->s, &f->err));
	OK(f, ops->get_tenant(f->s, f->a, "t-y", &t, &f->err));
}

/*
 * SQLite undoes a failed statement and keeps the transaction; PostgreSQL
 * would abort it.  Every kind of failure (a cast, a foreign key, a
 * duplicate, a lost swap) must leave it usable, and commit what else it
 * did.
 */
static void
test_failed_statements_leave_transaction_usable(void **state)
{
	struct fx		*f = *state;
	struct pgl_tenant	 t, dup = { "t-a", "again", NULL };
	struct pgl_branch	 orphan = { "nope", "b", NULL, NULL, NULL, 0, NULL };
	uint64_t		 copied;

	if (!needs_server())
		return;
	seed_tree(f);
	OK(f, ops->begin(f->s, &f->err));
	FAILS(f, PGL_EINVAL, ops->copy_assets_bulk(f->s, "t-a", "cat", "main",
	    "main", NULL, "{not json", &copied, &f->err));
	seed_tenant(f, f->s, "t-1");
	FAILS(f, PGL_ENOTFOUND, ops->create_branch(f->s, "t-a", &orphan,
	    &f->err));
	seed_tenant(f, f->s, "t-2");
	FAILS(f, PGL_EEXISTS, ops->create_tenant(f->s, &dup, &f->err));
	FAILS(f, PGL_ECONFLICT, ops->update_metadata_location(f->s, "t-a",
	    "cat", "main", "db", "t1", "stale", "m1", &f->err));
	seed_tenant(f, f->s, "t-3");
	OK(f, ops->commit(f->s, &f->err));
	OK(f, ops->get_tenant(f->s, f->a, "t-1", &t, &f->err));
	OK(f, ops->get_tenant(f->s, f->a, "t-2", &t, &f->err));
	OK(f, ops->get_tenant(f->s, f->a, "t-3", &t, &f->err));
	OK(f, ops->get_tenant(f->s, f->a, "t-a", &t, &f->err));
	assert_string_equal(t.name, "t-a");
}

/* Stops and starts the real server: ping says unreachable meanwhile. */
static void
test_server_restart_is_survived(void **state)
{
	struct fx		*f = *state;
	const char		*stop = getenv("PGL_PG_STOP");
	const char		*start = getenv("PGL_PG_START");
	struct pgl_tenant	t;

	if (!needs_server())
		return;
	if (stop == NULL || start == NULL) {
		skip();
		return;
	}
	seed_tenant(f, f->s, "t-a");
	assert_int_equal(system(stop), 0);
	FAILS(f, PGL_EUNAVAIL, ops->ping(f->s, &f->err));
	FAILS(f, PGL_EUNAVAIL, ops->ping(f->s, &f->err));
	FAILS(f, PGL_EUNAVAIL, ops->get_tenant(f->s, f->a, "t-a", &t,
	    &f->err));
	print_message("  while down: %s\n", f->err.msg);
	assert_int_equal(system(start), 0);
	OK(f, ops->ping(f->s, &f->err));
	OK(f, ops->get_tenant(f->s, f->a, "t-a", &t, &f->err));
}

/* Real concurrency. */

/* How the child swaps: alone, in a transaction, or sent ahead in one
 * (ABI 1.24: its answer is then the commit's). */
enum child_swap { CHILD_ALONE, CHILD_IN_TX, CHILD_SENT_AHEAD };

/*
 * A child swaps m0 -> "child" while the parent's open transaction holds
 * the row; it exits with the store's answer.
 */
static void
swap_child(enum child_swap how)
{
	struct pgl_store	*s;
	struct pgl_err		 err;
	int			 rc;

	if (open_with(&s, &err, NULL, NULL, 0) != PGL_OK)
		_exit(100);
	if (how != CHILD_ALONE && ops->begin(s, &err) != PGL_OK)
		_exit(101);
	if (how == CHILD_SENT_AHEAD && ops->defer_writes(s, &err) != PGL_OK)
		_exit(102);
	rc = ops->update_metadata_location(s, "t-a", "cat", "main", "db",
	    "t1", "m0", "child", &err);
	if (how == CHILD_SENT_AHEAD && rc == PGL_OK)
		rc = ops->commit(s, &err);
	if (how != CHILD_ALONE)
		(void)ops->rollback(s, &err);
	_exit(rc);
}

static void
cas_behind_open_transaction(struct fx *f, enum child_swap how, int want)
{
	struct pgl_asset	as;
	pid_t			pid;
	int			st;

	seed_tree(f);
	OK(f, ops->begin(f->s, &f->err));
	OK(f, ops->update_metadata_location(f->s, "t-a", "cat", "main", "db",
	    "t1", "m0", "parent", &f->err));
	if ((pid = fork()) == 0)
		swap_child(how);
	usleep(300 * 1000);
	/* Still waiting for our row lock, not failed early. */
	assert_int_equal(waitpid(pid, &st, WNOHANG), 0);
	OK(f, ops->commit(f->s, &f->err));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), want);
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "db", "t1",
	    &as, &f->err));
	assert_string_equal(as.metadata_location, "parent");
}

/* Autocommit: the UPDATE waits, re-reads the row, no longer matches: a
 * lost compare-and-swap, ECONFLICT. */
static void
test_cas_waits_for_open_transaction_then_loses(void **state)
{
	if (!needs_server())
		return;
	cas_behind_open_transaction(*state, CHILD_ALONE, PGL_ECONFLICT);
}

/*
 * Inside a transaction the row changed after the snapshot: 40001, a race
 * between transactions that the host runs again (ERETRY), not a lost
 * swap (ECONFLICT, which the host answers 409 CommitFailed) nor a row
 * that exists (EEXISTS, answered 409 AlreadyExists).
 */
static void
test_cas_in_transaction_serialization_failure_is_eretry(void **state)
{
	if (!needs_server())
		return;
	cas_behind_open_transaction(*state, CHILD_IN_TX, PGL_ERETRY);
}

/*
 * Writes sent ahead (ABI 1.24, pg_defer.c).  A swap sent ahead behind
 * another transaction's write of the row: it answers at once, the commit
 * then waits for the row and answers the race (ERETRY), as the swap
 * would have; the other's write stands.
 */
static void
test_a_deferred_swap_behind_another_writer_is_eretry_at_commit(
    void **state)
{
	if (!needs_server())
		return;
	cas_behind_open_transaction(*state, CHILD_SENT_AHEAD, PGL_ERETRY);
}

/* A swap m0 -> m1 sent ahead in a transaction, then the connection's
 * backend killed before any answer. */
static void
swap_sent_ahead_then_lost(struct fx *f)
{
	seed_tree(f);
	OK(f, ops->begin(f->s, &f->err));
	OK(f, ops->defer_writes(f->s, &f->err));
	OK(f, ops->update_metadata_location(f->s, "t-a", "cat", "main", "db",
	    "t1", "m0", "m1", &f->err));
	assert_int_equal(kill_backends(f->app), 1);
}

/* The connection lost with writes sent ahead: the commit says so, and
 * nothing was committed; the handle reconnects for the next call. */
static void
test_connection_lost_with_writes_sent_ahead_commits_nothing(void **state)
{
	struct fx		*f = *state;
	struct pgl_asset	 as;

	if (!needs_server())
		return;
	swap_sent_ahead_then_lost(f);
	FAILS(f, PGL_EUNAVAIL, ops->commit(f->s, &f->err));
	/* The writes' answers were read first: the COMMIT never went out,
	 * so the outcome is known. */
	assert_null(strstr(f->err.msg, "unknown"));
	OK(f, ops->rollback(f->s, &f->err));
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "db", "t1",
	    &as, &f->err));
	assert_string_equal(as.metadata_location, "m0");
	/* And the next transaction defers again, on the new connection. */
	OK(f, ops->begin(f->s, &f->err));
	OK(f, ops->defer_writes(f->s, &f->err));
	OK(f, ops->update_metadata_location(f->s, "t-a", "cat", "main", "db",
	    "t1", "m0", "m1", &f->err));
	OK(f, ops->commit(f->s, &f->err));
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "db", "t1",
	    &as, &f->err));
	assert_string_equal(as.metadata_location, "m1");
}

/*
 * A COMMIT answered later (ABI 1.25, pg_flight.c): commit_send returns
 * with the socket to watch, commit_poll takes in what came without
 * waiting until the outcome is in.
 */
static int
send_swap(struct fx *f, const char *expected, const char *next)
{
	int	fd = -1;

	OK(f, ops->begin_tenant(f->s, "t-a", &f->err));
	OK(f, ops->defer_writes(f->s, &f->err));
	OK(f, ops->update_metadata_location(f->s, "t-a", "cat", "main", "db",
	    "t1", expected, next, &f->err));
	OK(f, ops->commit_send(f->s, &fd, &f->err));
	assert_true(fd >= 0);
	return (fd);
}

/* commit_poll without waiting, the socket watched between: the outcome. */
static int
poll_until_landed(struct fx *f, int fd)
{
	struct pollfd	p;
	int		rc, polls = 0;

	for (;;) {
		rc = ops->commit_poll(f->s, 0, &fd, &f->err);
		if (rc != PGL_OK || fd == -1)
			break;
		polls++;
		memset(&p, 0, sizeof(p));
		p.fd = fd;
		p.events = POLLIN;
		assert_int_equal(poll(&p, 1, 10000), 1);
	}
	assert_true(polls < 100);
	return (rc);
}

/* t1's pointer, as a fresh read finds it. */
static void
pointer_is(struct fx *f, const char *want)
{
	struct pgl_asset	as;

	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "db", "t1",
	    &as, &f->err));
	assert_string_equal(as.metadata_location, want);
}

static void
test_a_commit_sent_is_answered_later(void **state)
{
	struct fx		*f = *state;
	struct pgl_store	*other;
	int			 fd;

	if (!needs_server())
		return;
	seed_tree(f);
	fd = send_swap(f, "m0", "m1");
	OK(f, poll_until_landed(f, fd));
	/* Nothing more to take: the transaction is over. */
	FAILS(f, PGL_EINVAL, ops->commit_poll(f->s, 0, &fd, &f->err));
	pointer_is(f, "m1");
	/* The tenant's lock went back with it: another session's writer
	 * begins at once. */
	OK(f, open_with(&other, &f->err, NULL, NULL, 0));
	OK(f, ops->try_begin(other, "t-a", &f->err));
	OK(f, ops->rollback(other, &f->err));
	ops->close(other);
	/* Nothing sent ahead: commit_send is commit (fd -1). */
	OK(f, ops->begin(f->s, &f->err));
	OK(f, ops->commit_send(f->s, &fd, &f->err));
	assert_int_equal(fd, -1);
}

/* Any other call meanwhile waits for the answers first; commit_poll
 * still answers the outcome, once. */
static void
test_a_call_during_a_commit_in_flight_waits_for_it(void **state)
{
	struct fx		*f = *state;
	int			 fd;

	if (!needs_server())
		return;
	seed_tree(f);
	fd = send_swap(f, "m0", "m1");
	pointer_is(f, "m1");
	OK(f, ops->commit_poll(f->s, 0, &fd, &f->err));
	assert_int_equal(fd, -1);
	FAILS(f, PGL_EINVAL, ops->commit_poll(f->s, 0, &fd, &f->err));
	/* A second commit in flight may be sent now. */
	fd = send_swap(f, "m1", "m2");
	OK(f, ops->commit_poll(f->s, 1, &fd, &f->err));
	assert_int_equal(fd, -1);
	pointer_is(f, "m2");
}

/* A swap sent ahead that matched nothing: the poll answers the lost
 * race, nothing was committed, and the handle goes on. */
static void
test_a_lost_swap_in_flight_commits_nothing(void **state)
{
	struct fx		*f = *state;
	struct pgl_commit	 c = { "c-f1", "cat", NULL, 1000, "alice", "m",
				    "[]", NULL };
	int			 fd;

	if (!needs_server())
		return;
	seed_tree(f);
	OK(f, ops->begin_tenant(f->s, "t-a", &f->err));
	OK(f, ops->defer_writes(f->s, &f->err));
	OK(f, ops->update_metadata_location(f->s, "t-a", "cat", "main", "db",
	    "t1", "not-m0", "m1", &f->err));
	OK(f, ops->create_commit(f->s, "t-a", &c, &f->err));
	OK(f, ops->commit_send(f->s, &fd, &f->err));
	assert_true(fd >= 0);
	assert_int_equal(poll_until_landed(f, fd), PGL_ECONFLICT);
	pointer_is(f, "m0");
	FAILS(f, PGL_ENOTFOUND, ops->get_commit(f->s, f->a, "t-a", "c-f1", &c,
	    &f->err));
	fd = send_swap(f, "m0", "m1");
	OK(f, poll_until_landed(f, fd));
}

/* The connection lost before the answers: said, never "unknown" (the
 * COMMIT waits behind the writes' answers), nothing committed, and the
 * handle reconnects for the next call. */
static void
test_connection_lost_with_a_commit_in_flight_commits_nothing(void **state)
{
	struct fx		*f = *state;
	int			 fd = -1;

	if (!needs_server())
		return;
	swap_sent_ahead_then_lost(f);
	if (ops->commit_send(f->s, &fd, &f->err) == PGL_OK && fd != -1)
		FAILS(f, PGL_EUNAVAIL, ops->commit_poll(f->s, 1, &fd,
		    &f->err));
	else
		assert_int_equal(f->err.code, PGL_EUNAVAIL);
	assert_null(strstr(f->err.msg, "unknown"));
	pointer_is(f, "m0");
	fd = send_swap(f, "m0", "m1");
	OK(f, poll_until_landed(f, fd));
}

/*
 * What begin()'s REPEATABLE READ promises the host (pg_store.c), each
 * shown against a second connection that changes rows underneath.
 */

/* Both read the row, both write it: the second writer is told to run
 * its transaction again (ERETRY), the first one's write stands. */
static void
test_lost_update_is_eretry(void **state)
{
	struct fx		*f = *state;
	struct pgl_store	*other;
	struct pgl_tenant	 t, one = { "t-a", "one", NULL },
				 two = { "t-a", "two", NULL };

	if (!needs_server())
		return;
	seed_tenant(f, f->s, "t-a");
	OK(f, open_with(&other, &f->err, NULL, NULL, 0));
	OK(f, ops->begin(f->s, &f->err));
	OK(f, ops->begin(other, &f->err));
	OK(f, ops->get_tenant(f->s, f->a, "t-a", &t, &f->err));
	OK(f, ops->get_tenant(other, f->a, "t-a", &t, &f->err));
	OK(f, ops->update_tenant(f->s, &one, &f->err));
	OK(f, ops->commit(f->s, &f->err));
	FAILS(f, PGL_ERETRY, ops->update_tenant(other, &two, &f->err));
	OK(f, ops->rollback(other, &f->err));
	ops->close(other);
	OK(f, ops->get_tenant(f->s, f->a, "t-a", &t, &f->err));
	assert_string_equal(t.name, "one");
}

/*
 * The host drops a namespace after checking it is empty.  A table created
 * in it meanwhile is not in the checking transaction's snapshot; the
 * cascade must refuse to delete it rather than drop it unseen.
 */
static void
test_cascade_onto_rows_not_in_snapshot_is_eretry(void **state)
{
	struct fx		*f = *state;
	struct pgl_store	*other;
	struct pgl_namespace	 ns = { "cat", "db2", "{}" };
	struct pgl_asset	*items, as = { NULL, "cat", "main", "db2", "new",
				    "ICEBERG_TABLE", "l", "m", "{}", 0, 0, NULL };
	size_t			 n;

	if (!needs_server())
		return;
	seed_tree(f);
	OK(f, ops->create_namespace(f->s, "t-a", &ns, &f->err));
	OK(f, open_with(&other, &f->err, NULL, NULL, 0));
	OK(f, ops->begin(f->s, &f->err));
	OK(f, ops->list_assets(f->s, f->a, "t-a", "cat", "main", "db2", NULL,
	    NULL, &items, &n, NULL, &f->err));
	assert_int_equal(n, 0);
	OK(f, ops->create_asset(other, "t-a", &as, &f->err));
	FAILS(f, PGL_ERETRY, ops->delete_namespace(f->s, "t-a", "cat",
	    "db2", &f->err));
	OK(f, ops->rollback(f->s, &f->err));
	OK(f, ops->get_asset(other, f->a, "t-a", "cat", "main", "db2", "new",
	    &as, &f->err));
	ops->close(other);
}

/*
 * Two transactions each hold a row the other asks for.  PostgreSQL
 * breaks the deadlock by failing one (40P01): that side lost a race
 * and is told to run again (ERETRY), and once it rolls back the other
 * goes on and commits.  The child holds t-b and asks for t-a; the parent
 * holds t-a and asks for t-b.
 */
static void
deadlock_child(int ready, int go)
{
	struct pgl_store	*s;
	struct pgl_err		 err;
	struct pgl_tenant	 a = { "t-a", "a by child", NULL },
				 b = { "t-b", "b by child", NULL };
	char			 c = 'x';
	int			 rc;

	if (open_with(&s, &err, NULL, NULL, 0) != PGL_OK ||
	    ops->begin(s, &err) != PGL_OK ||
	    ops->update_tenant(s, &b, &err) != PGL_OK)
		_exit(100);
	if (write(ready, &c, 1) != 1 || read(go, &c, 1) != 1)
		_exit(101);
	if ((rc = ops->update_tenant(s, &a, &err)) == PGL_OK)
		rc = ops->commit(s, &err);
	else
		(void)ops->rollback(s, &err);
	ops->close(s);
	_exit(rc);
}

static void
test_deadlock_is_eretry_and_the_other_side_commits(void **state)
{
	struct fx		*f = *state;
	struct pgl_tenant	 a = { "t-a", "a by parent", NULL },
				 b = { "t-b", "b by parent", NULL }, t;
	pid_t			 pid;
	char			 c = 'x';
	int			 ready[2], go[2], st, rc;

	if (!needs_server())
		return;
	seed_tenant(f, f->s, "t-a");
	seed_tenant(f, f->s, "t-b");
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	OK(f, ops->begin(f->s, &f->err));
	OK(f, ops->update_tenant(f->s, &a, &f->err));
	if ((pid = fork()) == 0)
		deadlock_child(ready[1], go[0]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(write(go[1], &c, 1), 1);
	rc = ops->update_tenant(f->s, &b, &f->err);
	if (rc == PGL_OK)
		OK(f, ops->commit(f->s, &f->err));
	else
		OK(f, ops->rollback(f->s, &f->err));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	/* One side lost the race, the other committed. */
	if (rc == PGL_OK) {
		assert_int_equal(WEXITSTATUS(st), PGL_ERETRY);
	} else {
		assert_int_equal(rc, PGL_ERETRY);
		assert_int_equal(WEXITSTATUS(st), PGL_OK);
	}
	OK(f, ops->get_tenant(f->s, f->a, "t-b", &t, &f->err));
	assert_string_equal(t.name, rc == PGL_OK ? "b by parent" :
	    "b by child");
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
}

/*
 * A COMMIT that fails with a serialization failure committed nothing:
 * ERETRY then too (the host runs the work again), never an outcome the
 * host must report as unknown.  A deferred trigger raises 40001 at
 * COMMIT, as SERIALIZABLE's checks or a deferred constraint would.
 */
static void
test_commit_failing_serialization_is_eretry_nothing_kept(void **state)
{
	struct fx		*f = *state;
	struct pgl_tenant	 z = { "t-z", "z", NULL }, t;
	const char		*schema;

	if (!needs_server())
		return;
	ext_options();
	assert_non_null(schema = ext_value("schema"));
	assert_int_equal(psql_long("CREATE FUNCTION \"%s\".fail_at_commit()"
	    " RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN RAISE EXCEPTION"
	    " USING ERRCODE = $c$40001$c$, MESSAGE = $m$injected$m$; END $f$;"
	    " CREATE CONSTRAINT TRIGGER fail_at_commit AFTER INSERT ON"
	    " \"%s\".tenants DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
	    " EXECUTE FUNCTION \"%s\".fail_at_commit(); SELECT 1", schema,
	    schema, schema), 1);
	OK(f, ops->begin(f->s, &f->err));
	OK(f, ops->create_tenant(f->s, &z, &f->err));
	FAILS(f, PGL_ERETRY, ops->commit(f->s, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_tenant(f->s, f->a, "t-z", &t,
	    &f->err));
}

/* A branch's head and the assets copied from it come from one state. */
static void
test_transaction_reads_one_snapshot(void **state)
{
	struct fx		*f = *state;
	struct pgl_store	*other;
	struct pgl_branch	 b, dev = { "cat", "dev", NULL, NULL, NULL, 0, NULL };
	struct pgl_asset	 as;
	uint64_t		 copied;

	if (!needs_server())
		return;
	seed_tree(f);
	OK(f, open_with(&other, &f->err, NULL, NULL, 0));
	OK(f, ops->begin(f->s, &f->err));
	OK(f, ops->get_branch(f->s, f->a, "t-a", "cat", "main", &b, &f->err));
	/* A commit lands on main after our snapshot. */
	OK(f, ops->update_metadata_location(other, "t-a", "cat", "main", "db",
	    "t1", "m0", "m1", &f->err));
	dev.head_commit_id = b.head_commit_id;
	OK(f, ops->create_branch(f->s, "t-a", &dev, &f->err));
	OK(f, ops->copy_assets_bulk(f->s, "t-a", "cat", "main", "dev", NULL,
	    NULL, &copied, &f->err));
	OK(f, ops->commit(f->s, &f->err));
	ops->close(other);
	assert_int_equal(copied, 1);
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "dev", "db", "t1", &as,
	    &f->err));
	assert_string_equal(as.metadata_location, "m0");
}

/*
 * The host's commit, as commit/io.c does it: read the head, add a
 * commit on it, swap the head; run the whole transaction again on
 * PGL_ERETRY.  Exits 0 once its commit is in.
 */
static void
commit_child(int gate, int i)
{
	struct pgl_store	*s;
	struct pgl_err		 err;
	struct pgl_branch	 b = { 0 };
	struct pgl_arena	*a = pgl_arena_new();
	char			 id[32], c;
	int			 attempt, rc = PGL_ERETRY;

	if (open_with(&s, &err, NULL, NULL, 0) != PGL_OK)
		_exit(100);
	if (read(gate, &c, 1) == -1)
		_exit(101);
	snprintf(id, sizeof(id), "child-%d", i);
	for (attempt = 0; attempt < 200 && rc == PGL_ERETRY; attempt++) {
		struct pgl_commit	cm = { id, "cat", NULL, 1, "a", "m",
					    "[]", NULL };

		if ((rc = ops->begin(s, &err)) != PGL_OK)
			break;
		if ((rc = ops->get_branch(s, a, "t-a", "cat", "main", &b,
		    &err)) == PGL_OK) {
			cm.parent_id = b.head_commit_id;
			rc = ops->create_commit(s, "t-a", &cm, &err);
		}
		if (rc == PGL_OK)
			rc = ops->update_branch_head(s, "t-a", "cat", "main",
			    b.head_commit_id, id, &err);
		if (rc == PGL_OK)
			rc = ops->commit(s, &err);
		else
			(void)ops->rollback(s, &err);
		if (rc == PGL_ERETRY)
			usleep((useconds_t)(1000 + rand() % 4000));
	}
	if (rc != PGL_OK)
		fprintf(stderr, "child %d: %d %s\n", i, rc, err.msg);
	ops->close(s);
	_exit(rc);
}

static void
fork_children(void (*child)(int, int), pid_t *pids)
{
	int	gate[2], i;

	assert_int_equal(pipe(gate), 0);
	for (i = 0; i < NCHILDREN; i++) {
		if ((pids[i] = fork()) == 0) {
			close(gate[1]);
			srand((unsigned)getpid());
			child(gate[0], i);
		}
	}
	close(gate[0]);
	usleep(200 * 1000);	/* let every child reach the gate */
	close(gate[1]);
}

static void
wait_children(pid_t *pids)
{
	int	i, st;

	for (i = 0; i < NCHILDREN; i++) {
		assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), PGL_OK);
	}
}

static void
test_racing_branch_commits_all_land_in_one_chain(void **state)
{
	struct fx		*f = *state;
	struct pgl_commit	*chain;
	struct pgl_branch	 b;
	pid_t			 pids[NCHILDREN];
	size_t			 n, i;
	int			 seen = 0;

	if (!needs_server())
		return;
	seed_tree(f);
	ops->close(f->s);	/* a connection must not cross fork() */
	f->s = NULL;
	fork_children(commit_child, pids);
	wait_children(pids);
	OK(f, open_with(&f->s, &f->err, NULL, NULL, 0));
	OK(f, ops->get_branch(f->s, f->a, "t-a", "cat", "main", &b, &f->err));
	OK(f, ops->get_commit_ancestry(f->s, f->a, "t-a", b.head_commit_id,
	    0, &chain, &n, &f->err));
	/* Every acknowledged commit is in the one linear history. */
	assert_int_equal(n, NCHILDREN + 1);
	assert_string_equal(chain[n - 1].id, "c0");
	for (i = 0; i + 1 < n; i++) {
		assert_string_equal(chain[i].parent_id, chain[i + 1].id);
		seen |= 1 << atoi(chain[i].id + strlen("child-"));
	}
	assert_int_equal(seen, (1 << NCHILDREN) - 1);
}

static void
open_child(int gate, int i)
{
	struct pgl_store	*s;
	struct pgl_err		 err;
	char			 c;
	int			 rc;

	(void)i;
	if (read(gate, &c, 1) == -1)
		_exit(101);
	if ((rc = open_with(&s, &err, NULL, NULL, 0)) == PGL_OK)
		ops->close(s);
	else
		fprintf(stderr, "child %d: %d %s\n", i, rc, err.msg);
	_exit(rc);
}

/* The newest migration of plugins/store-postgres/pg_migrations.c. */
#define PG_MIGRATIONS	24

static void
test_migrations_raced_by_8_processes_apply_once(void **state)
{
	pid_t	pids[NCHILDREN];

	(void)state;
	if (!needs_server())
		return;
	test_seq++;		/* a schema nobody has created yet */
	fork_children(open_child, pids);
	wait_children(pids);
	ext_options();
	/* Each of the PG_MIGRATIONS once (plugins/store-postgres/pg_migrations.c). */
	assert_int_equal(psql_long("SELECT count(*) * 1000 + max(version)"
	    " FROM \"%s\".schema_migrations", ext_value("schema")),
	    PG_MIGRATIONS * 1000 + PG_MIGRATIONS);
	assert_int_equal(psql_long("SELECT count(*) FROM pg_tables"
	    " WHERE schemaname = $q$%s$q$", ext_value("schema")), 36);
}

/*
 * How long a call may hold a worker (pg_options.c).  Each test opens a
 * handle with one bound set and the others off, and makes it wait on a
 * row another handle holds in an open transaction; alarm() turns a wait
 * that is not bounded into a failure instead of a hang.
 */
static struct pgl_store *
open_bounded(struct fx *f, const char *statement, const char *lock,
    const char *idle)
{
	struct pgl_kv		kv[] = { { "statement_timeout_ms", statement },
				    { "lock_timeout_ms", lock },
				    { "idle_in_transaction_timeout_ms", idle } };
	struct pgl_store	*s;

	OK(f, open_with(&s, &f->err, NULL, kv, 3));
	return (s);
}

/* other holds db.t1's row; s's write of it fails after about ms. */
static void
wait_is_bounded(struct fx *f, struct pgl_store *s, long ms)
{
	struct pgl_store	*other;
	long			 t0, took;

	seed_tree(f);
	OK(f, open_with(&other, &f->err, NULL, NULL, 0));
	OK(f, ops->begin(other, &f->err));
	OK(f, ops->update_metadata_location(other, "t-a", "cat", "main", "db",
	    "t1", "m0", "held", &f->err));
	alarm(20);
	t0 = now_ms();
	FAILS(f, PGL_EUNAVAIL, ops->update_metadata_location(s, "t-a", "cat",
	    "main", "db", "t1", "m0", "m1", &f->err));
	took = now_ms() - t0;
	alarm(0);
	if (took < ms / 2 || took > ms + 3000)
		fail_msg("the wait took %ld ms, the bound is %ld", took, ms);
	OK(f, ops->rollback(other, &f->err));
	ops->close(other);
	/* The handle goes on: the same write succeeds once the row is free. */
	OK(f, ops->update_metadata_location(s, "t-a", "cat", "main", "db",
	    "t1", "m0", "m1", &f->err));
}

static void
test_lock_timeout_bounds_a_wait_for_a_row(void **state)
{
	struct fx		*f = *state;
	struct pgl_store	*s;

	if (!needs_server())
		return;
	s = open_bounded(f, "0", "300", "0");
	wait_is_bounded(f, s, 300);
	ops->close(s);
}

static void
test_statement_timeout_bounds_a_statement(void **state)
{
	struct fx		*f = *state;
	struct pgl_store	*s;

	if (!needs_server())
		return;
	s = open_bounded(f, "400", "0", "0");
	wait_is_bounded(f, s, 400);
	ops->close(s);
}

/* A handle that stops inside its transaction (a frozen replica) loses the
 * session, and with it the lock every other writer of the row waits on. */
static void
test_idle_in_transaction_timeout_frees_a_stuck_sessions_locks(void **state)
{
	struct fx		*f = *state;
	struct pgl_store	*stuck;
	struct pgl_asset	 as;

	if (!needs_server())
		return;
	seed_tree(f);
	stuck = open_bounded(f, "0", "0", "300");
	OK(f, ops->begin(stuck, &f->err));
	OK(f, ops->update_metadata_location(stuck, "t-a", "cat", "main", "db",
	    "t1", "m0", "stuck", &f->err));
	usleep(1000 * 1000);
	alarm(20);
	OK(f, ops->update_metadata_location(f->s, "t-a", "cat", "main", "db",
	    "t1", "m0", "m1", &f->err));
	alarm(0);
	FAILS(f, PGL_EUNAVAIL, ops->commit(stuck, &f->err));
	(void)ops->rollback(stuck, &f->err);
	ops->close(stuck);
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "db", "t1", &as,
	    &f->err));
	assert_string_equal(as.metadata_location, "m1");
}

/*
 * Without pg_trgm (issue 69): a role that may not create the extension
 * (no CREATE on a database that lacks it) opens, logs it, and searches
 * by reading the tenant's rows; once granted CREATE (pg_trgm is trusted,
 * PostgreSQL 13+) the next open makes the extension and the index.  A
 * database and a role of the test's own, dropped after.
 */
static void
admin(const char *db, const char *sql)
{
	char		 url[4200], cmd[5000];
	const char	*base = ext_value("url"), *p, *q;
	int		 rc;

	p = strstr(base, "://");
	q = p != NULL ? strchr(p + 3, '/') : NULL;
	if (q == NULL)
		fail_msg("url without a database: %s", base);
	snprintf(url, sizeof(url), "%.*s%s%s", (int)(q - base + 1), base,
	    db, strchr(q, '?') != NULL ? strchr(q, '?') : "");
	snprintf(cmd, sizeof(cmd), "psql '%s' -tAXq -c '%s' >/dev/null 2>&1",
	    url, sql);
	if ((rc = system(cmd)) != 0)
		fail_msg("psql %s: %s: %d", db, sql, rc);
}

static size_t
search_t1(struct fx *f, struct pgl_store *s)
{
	struct pgl_asset_query	 q;
	struct pgl_asset_hit	*hits;
	struct pgl_page		 all = { 0, 0, NULL };
	uint64_t		 total;
	size_t			 n;

	memset(&q, 0, sizeof(q));
	q.text = "t1";
	OK(f, ops->search_assets(s, f->a, "t-a", &q, &all, &hits, &n, &total,
	    &f->err));
	return (n);
}

static void
test_search_without_pg_trgm_reads_the_rows_until_it_may(void **state)
{
	struct fx		*f = *state;
	struct pgl_store	*mine = f->s, *s;
	struct pgl_kv		 kv[3];
	char			 db[64], role[64], sql[256];

	if (!needs_server())
		return;
	snprintf(db, sizeof(db), "pgl_notrgm_%d", (int)getpid());
	snprintf(role, sizeof(role), "pgl_plain_%d", (int)getpid());
	snprintf(sql, sizeof(sql), "CREATE ROLE %s LOGIN", role);
	admin("postgres", sql);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db);
	admin("postgres", sql);
	snprintf(sql, sizeof(sql), "REVOKE CREATE ON DATABASE %s FROM PUBLIC;"
	    " CREATE SCHEMA s AUTHORIZATION %s", db, role);
	admin(db, sql);
	kv[0] = (struct pgl_kv){ "user", role };
	kv[1] = (struct pgl_kv){ "dbname", db };
	kv[2] = (struct pgl_kv){ "schema", "s" };
	OK(f, open_with(&s, &f->err, NULL, kv, 3));
	f->s = s;
	seed_tree(f);
	f->s = mine;
	assert_int_equal(search_t1(f, s), 1);
	ops->close(s);
	snprintf(sql, sizeof(sql), "GRANT CREATE ON DATABASE %s TO %s", db,
	    role);
	admin(db, sql);
	OK(f, open_with(&s, &f->err, NULL, kv, 3));
	assert_int_equal(search_t1(f, s), 1);
	ops->close(s);
	admin(db, "DO $d$ BEGIN IF to_regclass($q$s.asset_search_trgm$q$)"
	    " IS NULL THEN RAISE EXCEPTION $q$no index$q$; END IF; END $d$");
	snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", db);
	admin("postgres", sql);
	snprintf(sql, sizeof(sql), "DROP ROLE %s", role);
	admin("postgres", sql);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_bad_options_are_einval_naming_the_option),
		cmocka_unit_test(
		    test_unreachable_server_is_eunavail_with_libpq_message),
		cmocka_unit_test(test_connect_timeout_bounds_the_wait),
		cmocka_unit_test(
		    test_max_connections_bounds_handles_per_process),
		cmocka_unit_test(
		    test_migrations_raced_by_8_processes_apply_once),
#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_min_connections_zero_connects_on_first_use),
		T(test_schemas_do_not_see_each_other),
		T(test_failed_statements_leave_transaction_usable),
		T(test_reconnects_after_backend_is_killed),
		T(test_connection_lost_inside_transaction_loses_it_whole),
		T(test_cas_waits_for_open_transaction_then_loses),
		T(test_cas_in_transaction_serialization_failure_is_eretry),
		T(test_a_deferred_swap_behind_another_writer_is_eretry_at_commit),
		T(test_connection_lost_with_writes_sent_ahead_commits_nothing),
		T(test_a_commit_sent_is_answered_later),
		T(test_a_call_during_a_commit_in_flight_waits_for_it),
		T(test_a_lost_swap_in_flight_commits_nothing),
		T(test_connection_lost_with_a_commit_in_flight_commits_nothing),
		T(test_lost_update_is_eretry),
		T(test_cascade_onto_rows_not_in_snapshot_is_eretry),
		T(test_deadlock_is_eretry_and_the_other_side_commits),
		T(test_commit_failing_serialization_is_eretry_nothing_kept),
		T(test_transaction_reads_one_snapshot),
		T(test_racing_branch_commits_all_land_in_one_chain),
		T(test_lock_timeout_bounds_a_wait_for_a_row),
		T(test_statement_timeout_bounds_a_statement),
		T(test_idle_in_transaction_timeout_frees_a_stuck_sessions_locks),
		T(test_server_restart_is_survived),
		T(test_search_without_pg_trgm_reads_the_rows_until_it_may),
		T(test_search_index_of_a_new_schema_has_no_fast_update),
		T(test_migration_24_merges_an_old_index_pending_list),
#undef T
	};
	const char		*plugin = getenv("PGL_STORE_PLUGIN");
	pgl_store_plugin_fn	fn;
	void			*dl;

	if (plugin == NULL) {
		printf("test_store_pg: skipped (set PGL_STORE_PLUGIN to "
		    "store-postgres.so and PGL_STORE_OPTS)\n");
		return (0);
	}
	if ((dl = dlopen(plugin, RTLD_NOW | RTLD_LOCAL)) == NULL ||
	    (fn = (pgl_store_plugin_fn)dlsym(dl, PGL_STORE_SYMBOL)) == NULL) {
		fprintf(stderr, "%s: %s\n", plugin, dlerror());
		return (2);
	}
	ops = fn();
	if ((ext_opts = getenv("PGL_STORE_OPTS")) != NULL) {
		srand((unsigned)getpid());
		test_seq = (unsigned)rand() % 100000 * 1000 + 500;
	}
	return (cmocka_run_group_tests_name("postgres", tests, NULL, NULL));
}
