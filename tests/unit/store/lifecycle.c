/*
 * A store's life: open and its options (an unknown or bad one refused by
 * name, the directories made), durability (a write is synced before it
 * returns, counted through fsync), the writers' locks (begin_tenant,
 * try_begin, the log sync left to the caller), ping, the method groups a
 * store fills in, transactions (a rollback leaves nothing, none nests),
 * first opens racing to migrate once, and a reopen that keeps the data.
 */
#include <sys/stat.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static void
test_open_rejects_unknown_option_naming_it(void **state)
{
	struct pgl_kv		kv[] = { { "bogus_option", "1" },
				    { "path", db_path } };
	struct pgl_store	*s = (void *)1;
	struct pgl_err		err = { 0 };

	(void)state;
	assert_int_equal(ops->open(&host, kv, 1, &s, &err), PGL_EINVAL);
	assert_null(s);
	assert_non_null(strstr(err.msg, "bogus_option"));
}

static void
test_open_rejects_bad_option_values(void **state)
{
	static const struct pgl_kv	bad[] = {
		{ "busy_timeout_ms", "soon" },
		{ "busy_timeout_ms", "-1" },
		{ "journal_mode", "WAL; DROP TABLE tenants" },
		{ "synchronous", "sometimes" },
	};
	struct pgl_kv			kv[2] = { { "path", db_path } };
	struct pgl_store		*s;
	struct pgl_err			err;
	size_t				i, n = db_path != NULL ? 2 : 1;

	if (!sqlite_only())
		return;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		kv[n - 1] = bad[i];
		assert_int_equal(ops->open(&host, kv, n, &s, &err),
		    PGL_EINVAL);
		assert_non_null(strstr(err.msg, bad[i].key));
	}
}

/*
 * Syncs, counted.  The binary's fsync and fdatasync come before libc's
 * for every library it loads (it is linked -rdynamic), SQLite's as well,
 * so a write's syncs can be counted without a power loss.
 */
static int	syncs_seen;

int	fsync(int);

int	fdatasync(int);

int	nanosleep(const struct timespec *, struct timespec *);

int
fsync(int fd)
{
	int	(*real)(int);

	syncs_seen++;
	*(void **)&real = dlsym(RTLD_NEXT, "fsync");
	return (real != NULL ? real(fd) : -1);
}

int
fdatasync(int fd)
{
	int	(*real)(int);

	syncs_seen++;
	*(void **)&real = dlsym(RTLD_NEXT, "fdatasync");
	return (real != NULL ? real(fd) : -1);
}

/* Sleeps (a busy handler's waits), counted too. */
static int	sleeps_seen;

int
nanosleep(const struct timespec *req, struct timespec *rem)
{
	int	(*real)(const struct timespec *, struct timespec *);

	sleeps_seen++;
	*(void **)&real = dlsym(RTLD_NEXT, "nanosleep");
	return (real != NULL ? real(req, rem) : -1);
}

/*
 * A write is durable when the store says it is done: with the default
 * options SQLite syncs the WAL at every commit.  The same write on a
 * handle opened with synchronous = NORMAL syncs nothing, which shows
 * that the count sees the difference.
 */
static void
test_a_write_is_synced_before_it_returns(void **state)
{
	struct fx		*f = *state;
	struct pgl_kv		 normal[] = { { "path", db_path },
				    { "synchronous", "NORMAL" } };
	struct pgl_tenant	 t = { "t-synced", "synced", "{}" };
	struct pgl_tenant	 u = { "t-unsynced", "unsynced", "{}" };
	struct pgl_store	*s;

	if (!sqlite_only())
		return;
	if (db_path == NULL)
		skip();		/* the memory store has no file */
	syncs_seen = 0;
	OK(f, ops->create_tenant(f->s, &t, &f->err));
	assert_true(syncs_seen >= 1);

	assert_int_equal(ops->open(&host, normal, 2, &s, &f->err), PGL_OK);
	syncs_seen = 0;
	assert_int_equal(ops->create_tenant(s, &u, &f->err), PGL_OK);
	assert_int_equal(syncs_seen, 0);
	ops->close(s);
}

/*
 * Store ABI 1.22: a tenant's writers one at a time.  A store that offers
 * begin_tenant begins as begin does (its commit keeps, its rollback
 * undoes); a second handle begins on the same tenant only once the first
 * one's transaction has ended: at once after its commit or its rollback,
 * never while it is open (there it waits, and with a short lock timeout
 * fails); another tenant's never waits.  The loader offers it from 1.22
 * only.  A store without it (SQLite and memory serialize their writers
 * anyway; MongoDB) is begun with begin.
 */
static void
test_a_tenants_writers_begin_one_at_a_time(void **state)
{
	struct fx		*f = *state;
	struct pgl_store_ops	 o = *ops;
	struct pgl_tenant	 a = { "t-s1", "s1", "{}" };
	struct pgl_tenant	 b = { "t-s2", "s2", "{}" };
	struct pgl_tenant	 t;
	struct pgl_store	*s2;

	o.abi_minor = 21;
	assert_false(pgl_store_can_begin_tenant(&o));
	if (!pgl_store_can_begin_tenant(ops)) {
		assert_true(ext_opts == NULL ||
		    strcmp(ops->name, "postgres") != 0);
		skip();
	}
	s2 = open_impatient(f);

	/* Commit keeps, rollback undoes, as after begin. */
	OK(f, ops->begin_tenant(f->s, "t-s1", &f->err));
	OK(f, ops->create_tenant(f->s, &a, &f->err));
	OK(f, ops->commit(f->s, &f->err));
	OK(f, ops->get_tenant(s2, f->a, "t-s1", &t, &f->err));
	OK(f, ops->begin_tenant(f->s, "t-s1", &f->err));
	OK(f, ops->create_tenant(f->s, &b, &f->err));
	OK(f, ops->rollback(f->s, &f->err));
	assert_int_equal(ops->get_tenant(s2, f->a, "t-s2", &t, &f->err),
	    PGL_ENOTFOUND);

	/* Ended: the other handle begins at once, on the same tenant. */
	OK(f, ops->begin_tenant(s2, "t-s1", &f->err));
	OK(f, ops->commit(s2, &f->err));

	/* Open: the same tenant waits (and times out), another does not. */
	OK(f, ops->begin_tenant(f->s, "t-s1", &f->err));
	assert_int_not_equal(ops->begin_tenant(s2, "t-s1", &f->err), PGL_OK);
	OK(f, ops->rollback(s2, &f->err));
	OK(f, ops->begin_tenant(s2, "t-s2", &f->err));
	OK(f, ops->commit(s2, &f->err));
	OK(f, ops->commit(f->s, &f->err));
	OK(f, ops->begin_tenant(s2, "t-s1", &f->err));
	OK(f, ops->rollback(s2, &f->err));
	ops->close(s2);
}

/*
 * Store ABI 1.21: the log's sync left to the caller.  SQLite on a WAL
 * file hands out the WAL's descriptor and commits without syncing until
 * told to sync again; a commit inside that window is durable once the
 * caller syncs the descriptor.  A store whose commits never sync (the
 * memory store, or synchronous = NORMAL) has nothing to hand out.  A
 * store without the method (PostgreSQL, MongoDB) is durable as its
 * commits return.
 */
static void
test_the_log_sync_can_be_left_to_the_caller(void **state)
{
	struct fx		*f = *state;
	struct pgl_tenant	 a = { "t-d1", "d1", "{}" };
	struct pgl_tenant	 b = { "t-d2", "d2", "{}" };
	struct pgl_tenant	 c = { "t-d3", "d3", "{}" };
	struct pgl_kv		 normal[] = { { "path", db_path },
				    { "synchronous", "NORMAL" } };
	struct stat		 byfd, byname;
	struct pgl_store	*s;
	char			 wal[4200];
	int			 fd = 0;

	if (!pgl_store_can_defer_sync(ops))
		skip();
	if (db_path == NULL) {
		assert_int_equal(ops->defer_log_sync(f->s, 1, &fd, &f->err),
		    PGL_OK);
		assert_int_equal(fd, -1);
		assert_int_equal(ops->defer_log_sync(f->s, 0, NULL, &f->err),
		    PGL_OK);
		return;
	}
	OK(f, ops->create_tenant(f->s, &a, &f->err));
	assert_int_equal(ops->defer_log_sync(f->s, 1, &fd, &f->err), PGL_OK);
	assert_true(fd >= 0);
	(void)snprintf(wal, sizeof(wal), "%s-wal", db_path);
	assert_int_equal(fstat(fd, &byfd), 0);
	assert_int_equal(stat(wal, &byname), 0);
	assert_true(byfd.st_dev == byname.st_dev &&
	    byfd.st_ino == byname.st_ino);
	syncs_seen = 0;
	OK(f, ops->create_tenant(f->s, &b, &f->err));
	assert_int_equal(syncs_seen, 0);
	assert_int_equal(fdatasync(fd), 0);

	/* Not inside a transaction. */
	OK(f, ops->begin(f->s, &f->err));
	assert_int_equal(ops->defer_log_sync(f->s, 0, NULL, &f->err),
	    PGL_EINVAL);
	OK(f, ops->rollback(f->s, &f->err));
	OK(f, ops->defer_log_sync(f->s, 0, NULL, &f->err));
	syncs_seen = 0;
	OK(f, ops->create_tenant(f->s, &c, &f->err));
	assert_true(syncs_seen >= 1);

	assert_int_equal(ops->open(&host, normal, 2, &s, &f->err), PGL_OK);
	fd = 0;
	assert_int_equal(ops->defer_log_sync(s, 1, &fd, &f->err), PGL_OK);
	assert_int_equal(fd, -1);
	ops->close(s);
}

/*
 * ABI 1.23: try_begin never waits for another handle's writer.  With
 * nobody in the way it begins as begin_tenant (or begin) does.  While
 * another handle holds what a writer takes first (SQLite's write lock,
 * PostgreSQL's tenant lock) it answers PGL_EUNAVAIL at once and begins
 * nothing: no sleep in a busy handler (SQLite), no wait on the server
 * until a lock timeout (PostgreSQL: the handle waits up to a minute, and
 * the answer would name the timeout); another tenant's begins (a store
 * whose locks are per tenant).  Once the other commits, it begins.
 */
static void
test_try_begin_gives_way_to_another_writer(void **state)
{
	struct fx		*f = *state;
	struct pgl_kv		 kv[] = { { "path", db_path } };
	struct pgl_tenant	 a = { "t-try1", "try1", "{}" };
	struct pgl_store	*s2, *s3;
	int			 per_tenant;

	if (!pgl_store_can_try_begin(ops))
		skip();
	OK(f, ops->try_begin(f->s, NULL, &f->err));
	OK(f, ops->create_tenant(f->s, &a, &f->err));
	OK(f, ops->commit(f->s, &f->err));
	OK(f, ops->try_begin(f->s, "t-try1", &f->err));
	OK(f, ops->rollback(f->s, &f->err));
	if (db_path != NULL) {
		assert_int_equal(ops->open(&host, kv, 1, &s2, &f->err),
		    PGL_OK);
		s3 = f->s;
	} else if (ext_opts != NULL) {
		s2 = open_impatient(f);
		s3 = open_waiting(f, "60000");
	} else
		return;		/* the memory store: one handle a database */
	per_tenant = pgl_store_can_begin_tenant(ops);
	if (per_tenant)
		OK(f, ops->begin_tenant(s2, "t-try1", &f->err));
	else
		OK(f, ops->begin(s2, &f->err));
	sleeps_seen = 0;
	assert_int_equal(ops->try_begin(s3, "t-try1", &f->err),
	    PGL_EUNAVAIL);
	assert_int_equal(sleeps_seen, 0);
	assert_null(strstr(f->err.msg, "timeout"));
	if (per_tenant) {
		OK(f, ops->try_begin(s3, "t-other", &f->err));
		OK(f, ops->rollback(s3, &f->err));
	}
	/* Nothing was begun: this begin is not a nested one. */
	OK(f, ops->commit(s2, &f->err));
	OK(f, ops->try_begin(s3, "t-try1", &f->err));
	OK(f, ops->commit(s3, &f->err));
	ops->close(s2);
	if (s3 != f->s)
		ops->close(s3);
}

static void
test_open_where_no_directory_can_be_made_names_the_path(void **state)
{
	struct pgl_kv		kv[] = { { "path", NULL } };
	struct pgl_store	*s;
	struct pgl_err		err;
	char			file[] = "/tmp/pgl-notdir-XXXXXX", path[64];
	int			fd;

	if (!sqlite_only())
		return;

	(void)state;
	/* A file where the database's directory should be. */
	assert_true((fd = mkstemp(file)) != -1);
	close(fd);
	(void)snprintf(path, sizeof(path), "%s/sub/t.db", file);
	kv[0].value = path;
	assert_int_equal(ops->open(&host, kv, 1, &s, &err), PGL_EINVAL);
	if (db_path != NULL)
		assert_non_null(strstr(err.msg, path));
	else	/* the memory store takes no path at all */
		assert_non_null(strstr(err.msg, "path"));
	unlink(file);
}

/* A fresh install's state directory, a fresh clone's ./data: made. */
static void
test_open_makes_the_missing_directories(void **state)
{
	struct pgl_kv		kv[] = { { "path", NULL } };
	struct pgl_store	*s;
	struct pgl_err		err;
	struct stat		st;
	char			dir[] = "/tmp/pgl-mkdir-XXXXXX", path[96];

	if (!sqlite_only() || db_path == NULL)
		return;

	(void)state;
	assert_non_null(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/a/b/t.db", dir);
	kv[0].value = path;
	assert_int_equal(ops->open(&host, kv, 1, &s, &err), PGL_OK);
	ops->close(s);
	assert_int_equal(stat(path, &st), 0);
	(void)snprintf(path, sizeof(path), "%s/a/b", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0750);
	(void)snprintf(path, sizeof(path), "%s/a/b/t.db", dir);
	unlink(path);
	(void)snprintf(path, sizeof(path), "%s/a/b", dir);
	rmdir(path);
	(void)snprintf(path, sizeof(path), "%s/a", dir);
	rmdir(path);
	rmdir(dir);
}

static void
test_open_requires_path_for_sqlite_only(void **state)
{
	struct pgl_kv		kv[] = { { "busy_timeout_ms", "100" },
				    { "synchronous", "full" } };
	struct pgl_store	*s = NULL;
	struct pgl_err		err;
	int			rc;

	if (!sqlite_only())
		return;

	(void)state;
	rc = ops->open(&host, kv, 2, &s, &err);
	if (db_path != NULL) {
		assert_int_equal(rc, PGL_EINVAL);
		assert_non_null(strstr(err.msg, "path"));
	} else {
		assert_int_equal(rc, PGL_OK);
		assert_int_equal(ops->ping(s, &err), PGL_OK);
		ops->close(s);
	}
}

static void
test_sqlite_scheme_prefix_is_stripped(void **state)
{
	struct fx		*f = *state;
	char			url[4200];
	struct pgl_kv		kv[] = { { "path", url } };
	struct pgl_store	*s;
	struct pgl_tenant	t;

	if (!sqlite_only())
		return;

	if (!needs_file())
		return;
	snprintf(url, sizeof(url), "sqlite://%s", db_path);
	OK(f, ops->open(&host, kv, 1, &s, &f->err));
	seed_tenant(f, "t-a", "a");
	/* The same file: the row written through one is read via the other. */
	OK(f, ops->get_tenant(s, f->a, "t-a", &t, &f->err));
	ops->close(s);
}

static void
test_ping_answers(void **state)
{
	struct fx	*f = *state;

	OK(f, ops->ping(f->s, &f->err));
	if (ext_opts == NULL)
		assert_string_equal(ops->name, db_path != NULL ? "sqlite" :
		    "memory");
	assert_int_equal(ops->abi_major, PGL_STORE_ABI_MAJOR);
}

static void
test_later_groups_are_left_null(void **state)
{
	(void)state;
	assert_non_null(ops->create_role);
	assert_non_null(ops->list_user_roles);
	assert_non_null(ops->list_permissions);
	assert_non_null(ops->create_merge_op);
	assert_non_null(ops->get_merge_base);
	assert_non_null(ops->get_settings);
	assert_non_null(ops->search_assets);
	assert_non_null(ops->count_tenant);
	assert_non_null(ops->create_task);
	assert_non_null(ops->claim_task);
	assert_true(ops->abi_minor >= 11);
	assert_non_null(ops->put_plan_part);
	assert_non_null(ops->get_plan_part);
	assert_non_null(ops->delete_plan_parts);
	assert_non_null(ops->purge_plan_parts);
}

static void
open_child(int gate, int i)
{
	struct pgl_store	*s;
	struct pgl_err		err;
	struct pgl_tenant	t;
	char			id[32], c;
	int			rc;

	if (read(gate, &c, 1) == -1)
		_exit(101);
	snprintf(id, sizeof(id), "t-%d", i);
	t.id = t.name = id;
	t.properties = NULL;
	if ((rc = open_store(&s, &err)) == PGL_OK) {
		rc = ops->create_tenant(s, &t, &err);
		ops->close(s);
	}
	if (rc != PGL_OK)
		fprintf(stderr, "child %d: %d %s\n", i, rc, err.msg);
	_exit(rc);
}

static void
test_concurrent_first_opens_migrate_once(void **state)
{
	struct fx		*f = *state;
	struct pgl_tenant	*items;
	pid_t			pids[NCHILDREN];
	int			codes[NCHILDREN], i;
	size_t			n;

	if (!needs_file())
		return;
	ops->close(f->s);
	f->s = NULL;
	remove_db();	/* every child races to create the schema */
	test_seq++;	/* (server stores: a fresh, empty namespace) */
	assert_int_equal(fork_children(open_child, pids), 0);
	wait_children(pids, codes);
	for (i = 0; i < NCHILDREN; i++)
		assert_int_equal(codes[i], PGL_OK);
	OK(f, open_store(&f->s, &f->err));
	OK(f, ops->list_tenants(f->s, f->a, NULL, &items, &n, NULL, &f->err));
	assert_int_equal(n, NCHILDREN);
}

static void
test_reopen_keeps_data(void **state)
{
	struct fx		*f = *state;
	struct pgl_asset	as;

	if (!needs_file())
		return;
	seed_catalog_tree(f, "t-a");
	ops->close(f->s);
	/* The second open finds the schema current and applies nothing. */
	OK(f, open_store(&f->s, &f->err));
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "db", "v1",
	    &as, &f->err));
	assert_string_equal(as.kind, "VIEW");
}

/* Transactions. */

static void
test_rolled_back_transaction_leaves_nothing(void **state)
{
	struct fx		*f = *state;
	struct pgl_tenant	*items;
	struct pgl_asset	as;
	size_t			n;

	/* Named exception: CongoDB accepts transactions but does not make
	 * them atomic; real MongoDB (replica set) does.  See INFRA.md. */
	if (congodb()) {
		print_message("  SKIPPED on CongoDB: no atomic transactions\n");
		skip();
		return;
	}
	seed_tenant(f, "t-keep", "keep");
	OK(f, ops->begin(f->s, &f->err));
	seed_catalog_tree(f, "t-a");
	OK(f, ops->update_metadata_location(f->s, "t-a", "cat", "main", "db",
	    "t1", "s3://bucket/t1/00000.metadata.json", "m1", &f->err));
	/* Reads inside the transaction see its writes. */
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "db", "t1",
	    &as, &f->err));
	OK(f, ops->rollback(f->s, &f->err));

	OK(f, ops->list_tenants(f->s, f->a, NULL, &items, &n, NULL, &f->err));
	assert_int_equal(n, 1);
	assert_string_equal(items[0].id, "t-keep");
	FAILS(f, PGL_ENOTFOUND, ops->get_asset(f->s, f->a, "t-a", "cat",
	    "main", "db", "t1", &as, &f->err));
	/* A failed statement inside a transaction leaves it usable. */
	OK(f, ops->begin(f->s, &f->err));
	seed_tenant(f, "t-b", "b");
	struct pgl_tenant	dup = { "t-b", "b", NULL };
	FAILS(f, PGL_EEXISTS, ops->create_tenant(f->s, &dup, &f->err));
	OK(f, ops->commit(f->s, &f->err));
	OK(f, ops->list_tenants(f->s, f->a, NULL, &items, &n, NULL, &f->err));
	assert_int_equal(n, 2);
}

/*
 * atomic() (ABI 1.13) tells the host whether rollback undoes: commits are
 * swapped in groups only where it does.  A store that says 1 must keep
 * nothing of a rolled back transaction; one that says 0 may keep it.
 */
static void
test_atomic_tells_whether_rollback_undoes(void **state)
{
	struct fx		*f = *state;
	struct pgl_tenant	*items;
	size_t			 n;

	assert_non_null(ops->atomic);
	OK(f, ops->begin(f->s, &f->err));
	seed_tenant(f, "t-gone", "gone");
	OK(f, ops->rollback(f->s, &f->err));
	OK(f, ops->list_tenants(f->s, f->a, NULL, &items, &n, NULL, &f->err));
	if (ops->atomic(f->s))
		assert_int_equal(n, 0);
	else
		print_message("  %s: not atomic, the rolled back tenant %s\n",
		    ops->name, n == 0 ? "is gone anyway" : "was kept");
}

static void
test_transactions_do_not_nest(void **state)
{
	struct fx	*f = *state;

	FAILS(f, PGL_EINVAL, ops->commit(f->s, &f->err));
	OK(f, ops->rollback(f->s, &f->err));	/* nothing open: no-op */
	OK(f, ops->begin(f->s, &f->err));
	FAILS(f, PGL_EINVAL, ops->begin(f->s, &f->err));
	OK(f, ops->commit(f->s, &f->err));
}

static const struct CMUnitTest	tests[] = {
	cmocka_unit_test(test_open_rejects_unknown_option_naming_it),
	cmocka_unit_test(test_open_rejects_bad_option_values),
	cmocka_unit_test(test_open_where_no_directory_can_be_made_names_the_path),
	cmocka_unit_test(test_open_makes_the_missing_directories),
	cmocka_unit_test(test_open_requires_path_for_sqlite_only),
	cmocka_unit_test(test_later_groups_are_left_null),
	T(test_sqlite_scheme_prefix_is_stripped),
	T(test_a_write_is_synced_before_it_returns),
	T(test_the_log_sync_can_be_left_to_the_caller),
	T(test_try_begin_gives_way_to_another_writer),
	T(test_a_tenants_writers_begin_one_at_a_time),
	T(test_ping_answers),
	T(test_concurrent_first_opens_migrate_once),
	T(test_reopen_keeps_data),
	T(test_rolled_back_transaction_leaves_nothing),
	T(test_atomic_tells_whether_rollback_undoes),
	T(test_transactions_do_not_nest),
};

STORE_FAMILY(lifecycle, tests);
