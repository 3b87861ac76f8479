/*
 * Compare-and-swap of a table's metadata pointer: one winner between two
 * handles and between processes, lookups that see another handle's
 * commit at once, caches that agree with what is stored, and what one
 * lookup costs in statements.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static void
test_update_metadata_location_cas(void **state)
{
	struct fx		*f = *state;
	struct pgl_asset	as;
	const char		*m0 = "s3://bucket/t1/00000.metadata.json";

	seed_catalog_tree(f, "t-a");
	OK(f, ops->update_metadata_location(f->s, "t-a", "cat", "main", "db",
	    "t1", m0, "m1", &f->err));
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "db", "t1",
	    &as, &f->err));
	assert_string_equal(as.metadata_location, "m1");

	/* A stale expectation loses, and changes nothing. */
	FAILS(f, PGL_ECONFLICT, ops->update_metadata_location(f->s, "t-a",
	    "cat", "main", "db", "t1", m0, "m2", &f->err));
	FAILS(f, PGL_ECONFLICT, ops->update_metadata_location(f->s, "t-a",
	    "cat", "main", "db", "t1", NULL, "m2", &f->err));
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "db", "t1",
	    &as, &f->err));
	assert_string_equal(as.metadata_location, "m1");

	FAILS(f, PGL_ENOTFOUND, ops->update_metadata_location(f->s, "t-a",
	    "cat", "main", "db", "nope", "m1", "m2", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->update_metadata_location(f->s, "t-a",
	    "cat", "dev", "db", "t1", "m1", "m2", &f->err));

	/* NULL expected matches only a NULL pointer (a new view, say). */
	struct pgl_asset	v = { "vv", "cat", "main", "db", "nv",
				    "VIEW", "l", NULL, "{}", 0, 0, NULL };
	OK(f, ops->create_asset(f->s, "t-a", &v, &f->err));
	OK(f, ops->update_metadata_location(f->s, "t-a", "cat", "main", "db",
	    "nv", NULL, "m1", &f->err));
}

static void
test_cas_two_handles_exactly_one_wins(void **state)
{
	struct fx		*f = *state;
	struct pgl_store	*other;
	const char		*m0 = "s3://bucket/t1/00000.metadata.json";
	int			a, b;

	if (!needs_file())
		return;
	seed_catalog_tree(f, "t-a");
	OK(f, open_store(&other, &f->err));
	a = ops->update_metadata_location(f->s, "t-a", "cat", "main", "db",
	    "t1", m0, "from-a", &f->err);
	b = ops->update_metadata_location(other, "t-a", "cat", "main", "db",
	    "t1", m0, "from-b", &f->err);
	ops->close(other);
	assert_int_equal(a, PGL_OK);
	assert_int_equal(b, PGL_ECONFLICT);
}

/*
 * A lookup through one handle sees what another handle committed, on the
 * very next call: a store may keep rows it read (store-sqlite does), but
 * never past another connection's commit.  Inside a transaction, a
 * handle sees its own writes before they are committed.
 */
static void
test_lookup_sees_other_handles_commits_at_once(void **state)
{
	struct fx		*f = *state;
	struct pgl_store	*other;
	struct pgl_asset	 as;

	if (!needs_file())
		return;
	seed_catalog_tree(f, "t-a");
	OK(f, open_store(&other, &f->err));
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "db", "t1",
	    &as, &f->err));
	OK(f, ops->update_metadata_location(other, "t-a", "cat", "main",
	    "db", "t1", as.metadata_location, "m-other", &f->err));
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "db", "t1",
	    &as, &f->err));
	assert_string_equal(as.metadata_location, "m-other");
	OK(f, ops->begin(f->s, &f->err));
	OK(f, ops->update_metadata_location(f->s, "t-a", "cat", "main",
	    "db", "t1", "m-other", "m-own", &f->err));
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "db", "t1",
	    &as, &f->err));
	assert_string_equal(as.metadata_location, "m-own");
	OK(f, ops->commit(f->s, &f->err));
	OK(f, ops->get_asset(other, f->a, "t-a", "cat", "main", "db", "t1",
	    &as, &f->err));
	assert_string_equal(as.metadata_location, "m-own");
	OK(f, ops->rename_asset(other, "t-a", "cat", "main", "db", "t1",
	    "db", "t2", &f->err));
	assert_int_equal(ops->get_asset(f->s, f->a, "t-a", "cat", "main",
	    "db", "t1", &as, &f->err), PGL_ENOTFOUND);
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "db", "t2",
	    &as, &f->err));
	OK(f, ops->delete_asset(other, "t-a", "cat", "main", "db", "t2",
	    &f->err));
	ops->close(other);
	assert_int_equal(ops->get_asset(f->s, f->a, "t-a", "cat", "main",
	    "db", "t2", &as, &f->err), PGL_ENOTFOUND);
}

/* ns.name's pointer on branch, read past any cache (inside a
 * transaction, which no store answers from memory); NULL when missing. */
static const char *
uncached_location(struct fx *f, struct pgl_store *s, const char *branch,
    const char *name)
{
	struct pgl_asset	as;
	struct pgl_err		rb;
	int			rc;

	OK(f, ops->begin(s, &f->err));
	rc = ops->get_asset(s, f->a, "t-a", "cat", branch, "db", name, &as,
	    &f->err);
	(void)ops->rollback(s, &rb);
	if (rc == PGL_ENOTFOUND)
		return (NULL);
	OK(f, rc);
	return (as.metadata_location);
}

/* The same through s as it answers, cache and all. */
static const char *
location(struct fx *f, struct pgl_store *s, const char *branch,
    const char *name)
{
	struct pgl_asset	as;
	int			rc;

	rc = ops->get_asset(s, f->a, "t-a", "cat", branch, "db", name, &as,
	    &f->err);
	if (rc == PGL_ENOTFOUND)
		return (NULL);
	OK(f, rc);
	return (as.metadata_location);
}

/* Every lookup through s agrees with a fresh read through other. */
static void
agree(struct fx *f, struct pgl_store *s, struct pgl_store *other)
{
	static const char *const branches[] = { "main", "dev" };
	static const char *const names[] = { "t1", "t2", "t3" };
	const char	*got, *want;
	size_t		 i, j;

	for (i = 0; i < 2; i++) {
		for (j = 0; j < 3; j++) {
			got = location(f, s, branches[i], names[j]);
			want = uncached_location(f, other, branches[i],
			    names[j]);
			if ((got == NULL) != (want == NULL) || (got != NULL &&
			    strcmp(got, want) != 0))
				fail_msg("%s db.%s: cached %s, stored %s",
				    branches[i], names[j], got ? got : "none",
				    want ? want : "none");
		}
	}
}

/* A table commit as the host makes it: the swap, the catalog commit and
 * the branch head, the audit record, in one transaction. */
static void
host_commit(struct fx *f, struct pgl_store *s, const char *branch,
    const char *name, const char *next, const char *id)
{
	struct pgl_branch	b;
	struct pgl_commit	c = { id, "cat", NULL, 1000, "alice", "m",
				    "[]", NULL };
	struct pgl_audit_event	e = { id, "t-a", 1000, NULL, "update_table",
				    "table", name, "success", "{}" };
	const char		*was = uncached_location(f, s, branch, name);

	OK(f, ops->begin(s, &f->err));
	OK(f, ops->update_metadata_location(s, "t-a", "cat", branch, "db",
	    name, was, next, &f->err));
	OK(f, ops->get_branch(s, f->a, "t-a", "cat", branch, &b, &f->err));
	c.parent_id = b.head_commit_id;
	OK(f, ops->create_commit(s, "t-a", &c, &f->err));
	OK(f, ops->update_branch_head(s, "t-a", "cat", branch,
	    b.head_commit_id, id, &f->err));
	OK(f, ops->log_audit_event(s, &e, &f->err));
	OK(f, ops->commit(s, &f->err));
}

/* Tables t1 and t2 on main, its fork dev, and another handle. */
static struct pgl_store *
seed_main_and_dev(struct fx *f)
{
	struct pgl_branch	 dev = { "cat", "dev", NULL, "experimental",
				    "[]", 0, NULL };
	struct pgl_store	*other;

	seed_catalog_tree(f, "t-a");
	seed_asset(f, "t-a", "cat", "main", "db", "t2", "ICEBERG_TABLE");
	seed_commit(f, "t-a", "cat", "c0", NULL);
	OK(f, ops->update_branch_head(f->s, "t-a", "cat", "main", NULL, "c0",
	    &f->err));
	OK(f, ops->fork_branch(f->s, "t-a", &dev, "main", &f->err));
	OK(f, open_store(&other, &f->err));
	return (other);
}

/*
 * Rows a handle keeps (store-sqlite's asset cache) never outlive another
 * handle's commit that changed them, on any branch: table commits as
 * the host makes them on main and on a fork, a swap beside a rename in
 * one transaction, a swap in a transaction of its own, a delete.  Every
 * answer is checked against the stored row.
 */
static void
test_cached_lookups_agree_with_other_handles_commits(void **state)
{
	struct fx		*f = *state;
	struct pgl_store	*other;

	if (!needs_file())
		return;
	other = seed_main_and_dev(f);
	agree(f, f->s, other);

	/* A commit of t1 on main (dev sees main's row). */
	host_commit(f, other, "main", "t1", "m-1", "c1");
	agree(f, f->s, other);

	/* On dev (its own row, copied up): main's t1 is read again too. */
	host_commit(f, other, "dev", "t1", "d-1", "c2");
	agree(f, f->s, other);
	host_commit(f, other, "main", "t1", "m-2", "c3");
	agree(f, f->s, other);

	/* A swap beside a wider change, in one transaction. */
	OK(f, ops->begin(other, &f->err));
	OK(f, ops->update_metadata_location(other, "t-a", "cat", "main", "db",
	    "t1", "m-2", "m-3", &f->err));
	OK(f, ops->rename_asset(other, "t-a", "cat", "main", "db", "t2", "db",
	    "t3", &f->err));
	OK(f, ops->commit(other, &f->err));
	agree(f, f->s, other);

	/* A swap in a transaction of its own, and a wide change alone. */
	OK(f, ops->update_metadata_location(other, "t-a", "cat", "main", "db",
	    "t1", "m-3", "m-4", &f->err));
	agree(f, f->s, other);
	OK(f, ops->delete_asset(other, "t-a", "cat", "dev", "db", "t1",
	    &f->err));
	agree(f, f->s, other);
	ops->close(other);
}

/* Statements s ran for one lookup of db.name on branch. */
static uint64_t
lookup_cost(struct fx *f, struct pgl_store *s, const char *branch,
    const char *name)
{
	uint64_t	before = ops->round_trips(s);

	(void)location(f, s, branch, name);
	return (ops->round_trips(s) - before);
}

/*
 * A kept row outlives another asset's commit (in a commit storm every
 * lookup read its row again, each commit having emptied every handle's
 * rows), and not its own: a commit of t1 by another handle leaves t2's
 * row kept here and t1's read again; on a fork too (dev sees main's
 * t2); a new branch reads everything again, since a lookup's lineage
 * may have moved.  A handle's own commit leaves the row it wrote kept
 * (a table's next commit looks it up), under its new name if renamed in
 * the same transaction, and read again once another handle moves it; a
 * transaction in which a statement failed keeps none.
 */
static void
test_a_kept_row_outlives_another_assets_commit(void **state)
{
	struct fx		*f = *state;
	struct pgl_store	*other;
	struct pgl_branch	 dev2 = { "cat", "dev2", NULL, "experimental",
				    "[]", 0, NULL };
	struct pgl_tenant	 dup = { "t-a", "again", "{}" };

	/* SQLite's asset cache; the memory store's is one handle. */
	if (!sqlite_only())
		return;
	if (db_path == NULL)
		skip();
	other = seed_main_and_dev(f);
	(void)lookup_cost(f, f->s, "main", "t1");
	(void)lookup_cost(f, f->s, "main", "t2");
	(void)lookup_cost(f, f->s, "dev", "t2");
	assert_int_equal(lookup_cost(f, f->s, "main", "t2"), 0);

	host_commit(f, other, "main", "t1", "m-1", "c1");
	assert_int_equal(lookup_cost(f, f->s, "main", "t2"), 0);
	assert_int_equal(lookup_cost(f, f->s, "dev", "t2"), 0);
	assert_true(lookup_cost(f, f->s, "main", "t1") > 0);
	assert_string_equal(location(f, f->s, "main", "t1"), "m-1");

	OK(f, ops->fork_branch(other, "t-a", &dev2, "main", &f->err));
	assert_true(lookup_cost(f, f->s, "main", "t2") > 0);
	agree(f, f->s, other);

	/* Its own commit's row is kept as the commit left it... */
	host_commit(f, f->s, "main", "t1", "m-2", "c2");
	assert_int_equal(lookup_cost(f, f->s, "main", "t1"), 0);
	assert_string_equal(location(f, f->s, "main", "t1"), "m-2");
	/* ... not once renamed in the same transaction. */
	OK(f, ops->begin(f->s, &f->err));
	OK(f, ops->update_metadata_location(f->s, "t-a", "cat", "main", "db",
	    "t1", "m-2", "m-3", &f->err));
	OK(f, ops->rename_asset(f->s, "t-a", "cat", "main", "db", "t1", "db",
	    "t9", &f->err));
	OK(f, ops->commit(f->s, &f->err));
	assert_null(location(f, f->s, "main", "t1"));
	assert_int_equal(lookup_cost(f, f->s, "main", "t9"), 0);
	assert_string_equal(location(f, f->s, "main", "t9"), "m-3");
	assert_string_equal(uncached_location(f, other, "main", "t9"), "m-3");
	/* Another handle's commit after it: read again. */
	OK(f, ops->update_metadata_location(other, "t-a", "cat", "main", "db",
	    "t9", "m-3", "m-4", &f->err));
	assert_string_equal(location(f, f->s, "main", "t9"), "m-4");
	/* A statement that failed in the transaction (SQLite undid its
	 * rows, its triggers had run): the commit keeps none. */
	OK(f, ops->begin(f->s, &f->err));
	OK(f, ops->update_metadata_location(f->s, "t-a", "cat", "main", "db",
	    "t9", "m-4", "m-5", &f->err));
	assert_int_equal(ops->create_tenant(f->s, &dup, &f->err),
	    PGL_EEXISTS);
	OK(f, ops->commit(f->s, &f->err));
	assert_true(lookup_cost(f, f->s, "main", "t9") > 0);
	assert_string_equal(location(f, f->s, "main", "t9"), "m-5");
	agree(f, f->s, other);
	ops->close(other);
}

/* Children race one swap each; the exit status is the store's answer. */
static void
race_child(int gate, int i)
{
	struct pgl_store	*s;
	struct pgl_err		err;
	char			loc[32], c;
	int			rc;

	if (open_store(&s, &err) != PGL_OK)
		_exit(100);
	if (read(gate, &c, 1) == -1)	/* EOF when the parent lets go */
		_exit(101);
	snprintf(loc, sizeof(loc), "child-%d", i);
	rc = ops->update_metadata_location(s, "t-a", "cat", "main", "db", "t1",
	    "s3://bucket/t1/00000.metadata.json", loc, &err);
	if (rc != PGL_OK && rc != PGL_ECONFLICT)
		fprintf(stderr, "child %d: %d %s\n", i, rc, err.msg);
	ops->close(s);
	_exit(rc);
}

static void
test_cas_race_between_processes_has_one_winner(void **state)
{
	struct fx		*f = *state;
	struct pgl_asset	as;
	pid_t			pids[NCHILDREN];
	int			codes[NCHILDREN], i, wins = 0, winner = -1;
	char			want[32];

	if (!needs_file())
		return;
	seed_catalog_tree(f, "t-a");
	/* A connection must not cross fork(): close it, reopen after. */
	ops->close(f->s);
	f->s = NULL;
	assert_int_equal(fork_children(race_child, pids), 0);
	wait_children(pids, codes);
	for (i = 0; i < NCHILDREN; i++) {
		if (codes[i] == PGL_OK) {
			wins++;
			winner = i;
		} else
			assert_int_equal(codes[i], PGL_ECONFLICT);
	}
	assert_int_equal(wins, 1);
	OK(f, open_store(&f->s, &f->err));
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "db", "t1",
	    &as, &f->err));
	snprintf(want, sizeof(want), "child-%d", winner);
	assert_string_equal(as.metadata_location, want);
}

/*
 * A handle whose asset_cache_bytes holds a row or two (issue 69: the
 * rows are bounded by bytes, sql_asset_rows.c): looking up more rows
 * than fit evicts, and what is answered after another handle's commits
 * is still what is stored; 0 keeps nothing.  A store without the option
 * (MongoDB keeps no rows) skips.
 */
static struct pgl_store *
open_budget(struct fx *f, const char *bytes)
{
	struct pgl_kv		 kv[17];
	struct pgl_store	*s2;
	size_t			 n = 0;
	int			 rc;

	if (ext_opts != NULL) {
		n = ext_options();
		memcpy(kv, ext_kv, n * sizeof(kv[0]));
	} else {
		kv[n].key = "path";
		kv[n++].value = db_path;
	}
	kv[n].key = "asset_cache_bytes";
	kv[n++].value = bytes;
	rc = ops->open(&host, kv, n, &s2, &f->err);
	if (rc == PGL_EINVAL && strstr(f->err.msg, "asset_cache_bytes"))
		skip();
	OK(f, rc);
	return (s2);
}

static void
test_rows_past_the_byte_budget_are_read_again_never_stale(void **state)
{
	struct fx		*f = *state;
	struct pgl_store	*other, *tiny, *none;
	char			 next[16], id[16];
	int			 i;

	if (!needs_file())
		return;
	other = seed_main_and_dev(f);
	tiny = open_budget(f, "520");	/* two slots, one row */
	none = open_budget(f, "0");
	for (i = 0; i < 4; i++) {
		/* As the host does before a request's first call: on
		 * PostgreSQL only such a handle answers from its rows. */
		if (ops->read_after != NULL) {
			ops->read_after(tiny, 0);
			ops->read_after(none, 0);
		}
		agree(f, tiny, other);
		agree(f, none, other);
		(void)snprintf(next, sizeof(next), "m-%d", i);
		(void)snprintf(id, sizeof(id), "b%d", i);
		host_commit(f, other, i % 2 ? "dev" : "main", "t1", next, id);
		if (ops->read_after != NULL) {
			ops->read_after(tiny, 0);
			ops->read_after(none, 0);
		}
		agree(f, tiny, other);
		agree(f, none, other);
	}
	/* SQLite's rows are kept at every lookup: one fits, not three. */
	if (ext_opts == NULL) {
		(void)location(f, tiny, "main", "t1");
		assert_int_equal(lookup_cost(f, tiny, "main", "t1"), 0);
		(void)location(f, tiny, "main", "t2");
		(void)location(f, tiny, "dev", "t2");
		assert_true(lookup_cost(f, tiny, "main", "t1") > 0);
		(void)location(f, none, "main", "t1");
		assert_true(lookup_cost(f, none, "main", "t1") > 0);
	}
	ops->close(none);
	ops->close(tiny);
	ops->close(other);
}

static const struct CMUnitTest	tests[] = {
	T(test_update_metadata_location_cas),
	T(test_cas_two_handles_exactly_one_wins),
	T(test_lookup_sees_other_handles_commits_at_once),
	T(test_cached_lookups_agree_with_other_handles_commits),
	T(test_a_kept_row_outlives_another_assets_commit),
	T(test_rows_past_the_byte_budget_are_read_again_never_stale),
	T(test_cas_race_between_processes_has_one_winner),
};

STORE_FAMILY(swaps, tests);
