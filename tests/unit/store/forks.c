/*
 * Copy-on-write branches (ABI 1.12, issue 29), one fork deep.  A forked
 * branch stores only its own changes and reads the rest from its lineage
 * as of each fork; every asset method must answer for it exactly as if
 * it held copies.  The cases drive the store only through its ops and
 * compare whole listings (cow.c), so a resolution that leaks a later
 * change (or hides a key, or shows a tombstone) anywhere fails.  Stores
 * without fork_branch (ABI < 1.12, or NULL: the host then copies rows)
 * skip.
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "cow.h"

/*
 * One asset, asked of a branch, is its row at the lowest level of the
 * lineage: the branch's own (a change made there, or a drop there, which
 * hides the parent's), else its parent's as of the fork, two levels up
 * too; a later change on the parent is not seen.
 */
static void
test_one_asset_of_a_fork_is_its_lowest_levels_row(void **state)
{
	struct fx	*f = *state;

	if (!cow_supported())
		return;
	cow_seed_assets(f);
	cow_fork(f, "main", "dev");
	cow_cas(f, "dev", "db", "t1", "m-t1", "d-t1");
	OK(f, ops->delete_asset(f->s, "t-a", "cat", "dev", "db", "t2",
	    &f->err));
	cow_cas(f, "main", "db", "t2", "m-t2", "m-t2b");
	cow_cas(f, "main", "db2", "t3", "m-t3", "m-t3b");
	cow_fork(f, "dev", "dev2");
	cow_put(f, "dev2", "db", "t2", "ICEBERG_TABLE", "d2-t2");

	assert_string_equal(cow_get(f, "main", "db", "t1"), "m-t1");
	assert_string_equal(cow_get(f, "main", "db", "t2"), "m-t2b");
	assert_string_equal(cow_get(f, "main", "db2", "t3"), "m-t3b");
	assert_string_equal(cow_get(f, "dev", "db", "t1"), "d-t1");
	assert_string_equal(cow_get(f, "dev", "db", "t2"), "-");
	assert_string_equal(cow_get(f, "dev", "db2", "t3"), "m-t3");
	assert_string_equal(cow_get(f, "dev", "db", "v1"), "m-v1");
	assert_string_equal(cow_get(f, "dev2", "db", "t1"), "d-t1");
	assert_string_equal(cow_get(f, "dev2", "db", "t2"), "d2-t2");
	assert_string_equal(cow_get(f, "dev2", "db2", "t3"), "m-t3");
	assert_string_equal(cow_get(f, "dev2", "db", "nope"), "-");
}

static void
test_fork_sees_the_parents_assets(void **state)
{
	struct fx			*f = *state;
	struct pgl_asset		*items;
	struct pgl_branch		 b, *bs;
	struct pgl_catalog_counts	 cnt;
	struct pgl_page			 pg = { 1, 1, NULL };
	size_t				 n, i;
	uint64_t			 total;

	if (!cow_supported())
		return;
	cow_seed_assets(f);
	cow_fork(f, "main", "dev");

	assert_string_equal(cow_view(f, "dev"), COW_MAIN0);
	/* Every field, and the ids: dev has changed nothing, so it shows
	 * main's rows themselves. */
	assert_string_equal(cow_view_of(f, "dev", 1, 1),
	    cow_view_of(f, "main", 1, 1));

	/* Namespace, kind and page together, with the total. */
	OK(f, ops->list_assets(f->s, f->a, "t-a", "cat", "dev", "db",
	    "ICEBERG_TABLE", &pg, &items, &n, &total, &f->err));
	assert_int_equal(n, 1);
	assert_int_equal(total, 2);
	assert_string_equal(items[0].name, "t2");
	assert_string_equal(items[0].branch, "dev");
	OK(f, ops->list_assets_after(f->s, f->a, "t-a", "cat", "dev", NULL,
	    "VIEW", "a" SEP "b", "x", 5, &items, &n, &f->err));
	assert_int_equal(n, 1);
	assert_string_equal(items[0].name, "v1");
	assert_string_equal(items[0].branch, "dev");

	OK(f, ops->get_branch(f->s, f->a, "t-a", "cat", "dev", &b, &f->err));
	assert_string_equal(b.parent, "main");
	assert_string_equal(b.branch_type, "experimental");
	assert_null(b.head_commit_id);
	OK(f, ops->get_branch(f->s, f->a, "t-a", "cat", "main", &b, &f->err));
	assert_null(b.parent);
	OK(f, ops->list_branches(f->s, f->a, "t-a", "cat", NULL, &bs, &n,
	    &total, &f->err));
	assert_int_equal(n, 2);
	assert_int_equal(total, 2);
	for (i = 0; i < n; i++) {
		if (strcmp(bs[i].name, "dev") == 0)
			assert_string_equal(bs[i].parent, "main");
		else
			assert_null(bs[i].parent);
	}

	/* A fork stores no asset rows (what count_catalog counts). */
	OK(f, ops->count_catalog(f->s, "t-a", "cat", &cnt, &f->err));
	assert_int_equal(cnt.assets, 5);
	assert_int_equal(cnt.branches, 2);
	assert_int_equal(cnt.tables, 3);
	assert_int_equal(cnt.views, 2);
}

static void
test_fork_errors(void **state)
{
	struct fx		*f = *state;
	struct pgl_branch	 b = { "cat", "dev", NULL, "experimental", "[]",
				    0, NULL }, got;

	if (!cow_supported())
		return;
	cow_seed_assets(f);
	FAILS(f, PGL_ENOTFOUND, ops->fork_branch(f->s, "t-a", &b, "nope",
	    &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_branch(f->s, f->a, "t-a", "cat",
	    "dev", &got, &f->err));
	cow_fork(f, "main", "dev");
	FAILS(f, PGL_EEXISTS, ops->fork_branch(f->s, "t-a", &b, "main",
	    &f->err));
	b.name = "main";
	FAILS(f, PGL_EEXISTS, ops->fork_branch(f->s, "t-a", &b, "dev",
	    &f->err));
	FAILS(f, PGL_EEXISTS, ops->fork_branch(f->s, "t-a", &b, "main",
	    &f->err));
	/* Another tenant's branch of the same name is not a source. */
	seed_tenant(f, "t-b", "beta");
	b.name = "x";
	FAILS(f, PGL_ENOTFOUND, ops->fork_branch(f->s, "t-b", &b, "main",
	    &f->err));
	/* The failures changed nothing. */
	assert_string_equal(cow_parent(f, "dev"), "main");
	assert_string_equal(cow_parent(f, "main"), "(root)");
	assert_string_equal(cow_view(f, "dev"), COW_MAIN0);
	/* An explicit create_branch is a root. */
	seed_branch(f, "t-a", "cat", "plain");
	assert_string_equal(cow_parent(f, "plain"), "(root)");
	assert_string_equal(cow_view(f, "plain"), "");
}

static void
test_fork_does_not_see_the_parents_later_changes(void **state)
{
	struct fx	*f = *state;
	const char	*dev0, *x_id;

	if (!cow_supported())
		return;
	cow_seed_assets(f);
	cow_fork(f, "main", "dev");
	dev0 = cow_view_of(f, "dev", 1, 0);
	x_id = cow_id(f, "main", "a" SEP "b", "x");

	cow_put(f, "main", "db", "t4", "ICEBERG_TABLE", "m-t4");
	cow_update(f, "main", "db", "t1", "m-t1b");
	cow_cas(f, "main", "db", "t2", "m-t2", "m-t2b");
	cow_del(f, "main", "db2", "t3");
	cow_rename(f, "main", "db", "v1", "db2", "v9");
	assert_string_equal(cow_view(f, "main"),
	    "a.b.x=m-x db.t1=m-t1b db.t2=m-t2b db.t4=m-t4 db2.v9=m-v1");
	assert_string_equal(cow_view_of(f, "dev", 1, 0), dev0);
	/* What dev still reads is what it read (every field). */
	assert_string_equal(cow_view(f, "dev"), COW_MAIN0);
	/* A row neither changed is still the one row. */
	assert_string_equal(cow_id(f, "dev", "a" SEP "b", "x"), x_id);

	/* Again, on rows main now owns after the first round. */
	cow_cas(f, "main", "db", "t2", "m-t2b", "m-t2c");
	cow_del(f, "main", "db", "t1");
	cow_put(f, "main", "db", "t1", "VIEW", "m-t1c");
	cow_rename(f, "main", "db2", "v9", "db", "v1");
	cow_update(f, "main", "a" SEP "b", "x", "m-xb");
	assert_string_equal(cow_view(f, "main"),
	    "a.b.x=m-xb db.t1=m-t1c db.t2=m-t2c db.t4=m-t4 db.v1=m-v1");
	assert_string_equal(cow_view_of(f, "dev", 1, 0), dev0);

	/* A fork made now sees main as it is now. */
	cow_fork(f, "main", "dev2");
	assert_string_equal(cow_view_of(f, "dev2", 1, 1),
	    cow_view_of(f, "main", 1, 1));
	assert_string_equal(cow_view_of(f, "dev", 1, 0), dev0);
}

/*
 * A commit's swap in the host's transaction: the table's own row on a
 * branch nothing was forked from swaps in one statement (one round trip
 * on PostgreSQL); on a branch that was forked from, the fork keeps
 * reading the row it inherited; an inherited row is copied up; a stale
 * expectation loses.  All inside transactions, where the one-statement
 * swap applies.
 */
static void
test_a_swap_in_a_transaction_keeps_forks_whole(void **state)
{
	struct fx	*f = *state;
	uint64_t	 before;

	if (!cow_supported())
		return;
	cow_seed_assets(f);
	OK(f, ops->begin(f->s, &f->err));
	before = ops->round_trips != NULL ? ops->round_trips(f->s) : 0;
	cow_cas(f, "main", "db", "t1", "m-t1", "m-t1b");
	if (ops->round_trips != NULL && strcmp(ops->name, "postgres") == 0)
		assert_int_equal(ops->round_trips(f->s) - before, 1);
	FAILS(f, PGL_ECONFLICT, ops->update_metadata_location(f->s, "t-a",
	    "cat", "main", "db", "t1", "m-t1", "m-t1x", &f->err));
	OK(f, ops->commit(f->s, &f->err));
	assert_string_equal(cow_view(f, "main"),
	    "a.b.x=m-x db.t1=m-t1b db.t2=m-t2 db.v1=m-v1 db2.t3=m-t3");

	/* main forked: a swap on main leaves dev's view as it was. */
	cow_fork(f, "main", "dev");
	OK(f, ops->begin(f->s, &f->err));
	cow_cas(f, "main", "db", "t1", "m-t1b", "m-t1c");
	/* dev's inherited row is copied up for it, main's stays. */
	cow_cas(f, "dev", "db", "t2", "m-t2", "m-t2d");
	OK(f, ops->commit(f->s, &f->err));
	assert_string_equal(cow_view(f, "main"),
	    "a.b.x=m-x db.t1=m-t1c db.t2=m-t2 db.v1=m-v1 db2.t3=m-t3");
	assert_string_equal(cow_view(f, "dev"),
	    "a.b.x=m-x db.t1=m-t1b db.t2=m-t2d db.v1=m-v1 db2.t3=m-t3");
	FAILS(f, PGL_ENOTFOUND, ops->update_metadata_location(f->s, "t-a",
	    "cat", "nobranch", "db", "t1", "m-t1c", "m-t1e", &f->err));
}

static void
test_forks_changes_are_invisible_to_the_parent(void **state)
{
	struct fx		*f = *state;
	struct pgl_asset	 as;
	const char		*main0, *t1_main;

	if (!cow_supported())
		return;
	cow_seed_assets(f);
	cow_fork(f, "main", "dev");
	main0 = cow_view_of(f, "main", 1, 1);
	t1_main = cow_id(f, "main", "db", "t1");

	cow_put(f, "dev", "db", "t4", "ICEBERG_TABLE", "d-t4");
	cow_update(f, "dev", "db", "t1", "d-t1");
	cow_cas(f, "dev", "db", "t2", "m-t2", "d-t2");
	cow_del(f, "dev", "db2", "t3");
	cow_rename(f, "dev", "db", "v1", "db2", "v9");
	assert_string_equal(cow_view(f, "dev"),
	    "a.b.x=m-x db.t1=d-t1 db.t2=d-t2 db.t4=d-t4 db2.v9=m-v1");
	/* main is untouched, ids and all. */
	assert_string_equal(cow_view_of(f, "main", 1, 1), main0);

	/* dev's change is a row of its own: another id; main's row is
	 * still found by its id, on main. */
	assert_string_not_equal(cow_id(f, "dev", "db", "t1"), t1_main);
	assert_string_not_equal(cow_id(f, "dev", "db2", "v9"),
	    cow_id(f, "main", "db", "v1"));
	OK(f, ops->get_asset_by_id(f->s, f->a, "t-a", t1_main, &as, &f->err));
	assert_string_equal(as.branch, "main");
	assert_string_equal(as.metadata_location, "m-t1");
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "dev", "db", "t1", &as,
	    &f->err));
	assert_string_equal(as.location, "s3://bucket/updated");
	assert_string_equal(as.properties, "{\"updated\":\"1\"}");

	/* What dev deleted or renamed away is absent on dev only. */
	assert_string_equal(cow_get(f, "dev", "db2", "t3"), "-");
	assert_string_equal(cow_get(f, "dev", "db", "v1"), "-");
	assert_string_equal(cow_get(f, "main", "db", "v1"), "m-v1");
	FAILS(f, PGL_ENOTFOUND, ops->update_metadata_location(f->s, "t-a",
	    "cat", "dev", "db2", "t3", "m-t3", "x", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->delete_asset(f->s, "t-a", "cat", "dev",
	    "db2", "t3", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->rename_asset(f->s, "t-a", "cat", "dev",
	    "db", "v1", "db", "v2", &f->err));
	as.branch = "dev";
	as.ns = "db2";
	as.name = "t3";
	FAILS(f, PGL_ENOTFOUND, ops->update_asset(f->s, "t-a", &as, &f->err));
	/* An inherited live key is taken, on create and on rename. */
	FAILS(f, PGL_EEXISTS, ops->rename_asset(f->s, "t-a", "cat", "dev",
	    "db", "t4", "a" SEP "b", "x", &f->err));
	as.ns = "a" SEP "b";
	as.name = "x";
	as.id = NULL;
	FAILS(f, PGL_EEXISTS, ops->create_asset(f->s, "t-a", &as, &f->err));

	/* An inherited asset renamed onto a key dev deleted. */
	cow_rename(f, "dev", "a" SEP "b", "x", "db2", "t3");
	assert_string_equal(cow_view(f, "dev"),
	    "db.t1=d-t1 db.t2=d-t2 db.t4=d-t4 db2.t3=m-x db2.v9=m-v1");
	assert_string_equal(cow_view_of(f, "main", 1, 1), main0);

	/* A fork of the fork sees the fork. */
	cow_fork(f, "dev", "dev2");
	assert_string_equal(cow_view_of(f, "dev2", 1, 1),
	    cow_view_of(f, "dev", 1, 1));
	assert_string_equal(cow_parent(f, "dev2"), "dev");
}

static void
test_cas_on_an_inherited_table(void **state)
{
	struct fx	*f = *state;

	if (!cow_supported())
		return;
	cow_seed_assets(f);
	cow_fork(f, "main", "dev");
	cow_fork(f, "dev", "g");

	/* A wrong expectation loses and changes nothing anywhere. */
	FAILS(f, PGL_ECONFLICT, ops->update_metadata_location(f->s, "t-a",
	    "cat", "dev", "db", "t1", "wrong", "x", &f->err));
	FAILS(f, PGL_ECONFLICT, ops->update_metadata_location(f->s, "t-a",
	    "cat", "dev", "db", "t1", NULL, "x", &f->err));
	assert_string_equal(cow_get(f, "dev", "db", "t1"), "m-t1");
	assert_string_equal(cow_get(f, "main", "db", "t1"), "m-t1");

	/* dev compares with what it sees (as of the fork), not with main's
	 * pointer now. */
	cow_cas(f, "main", "db", "t1", "m-t1", "m-main");
	FAILS(f, PGL_ECONFLICT, ops->update_metadata_location(f->s, "t-a",
	    "cat", "dev", "db", "t1", "m-main", "x", &f->err));
	cow_cas(f, "dev", "db", "t1", "m-t1", "m-dev");
	assert_string_equal(cow_get(f, "main", "db", "t1"), "m-main");
	assert_string_equal(cow_get(f, "dev", "db", "t1"), "m-dev");
	assert_string_equal(cow_get(f, "g", "db", "t1"), "m-t1");

	/* Now dev's own row. */
	FAILS(f, PGL_ECONFLICT, ops->update_metadata_location(f->s, "t-a",
	    "cat", "dev", "db", "t1", "m-t1", "x", &f->err));
	cow_cas(f, "dev", "db", "t1", "m-dev", "m-dev2");
	/* g still reads t1 as it was at its fork, whatever dev did since. */
	FAILS(f, PGL_ECONFLICT, ops->update_metadata_location(f->s, "t-a",
	    "cat", "g", "db", "t1", "m-dev2", "x", &f->err));
	cow_cas(f, "g", "db", "t1", "m-t1", "m-g");
	assert_string_equal(cow_get(f, "main", "db", "t1"), "m-main");
	assert_string_equal(cow_get(f, "dev", "db", "t1"), "m-dev2");
	assert_string_equal(cow_get(f, "g", "db", "t1"), "m-g");
	FAILS(f, PGL_ENOTFOUND, ops->update_metadata_location(f->s, "t-a",
	    "cat", "dev", "db", "nope", NULL, "x", &f->err));
	assert_string_equal(cow_view(f, "g"),
	    "a.b.x=m-x db.t1=m-g db.t2=m-t2 db.v1=m-v1 db2.t3=m-t3");
}

static void
test_delete_then_recreate_an_inherited_table(void **state)
{
	struct fx		*f = *state;
	struct pgl_asset	 as, *items;
	size_t			 n;
	uint64_t		 total;
	const char		*gone;

	if (!cow_supported())
		return;
	cow_seed_assets(f);
	cow_fork(f, "main", "dev");
	cow_fork(f, "dev", "g");	/* forked before the delete */

	cow_del(f, "dev", "db", "t1");
	assert_string_equal(cow_get(f, "dev", "db", "t1"), "-");
	assert_string_equal(cow_get(f, "main", "db", "t1"), "m-t1");
	assert_string_equal(cow_get(f, "g", "db", "t1"), "m-t1");
	OK(f, ops->list_assets(f->s, f->a, "t-a", "cat", "dev", "db", NULL,
	    NULL, &items, &n, &total, &f->err));
	assert_int_equal(n, 2);
	assert_int_equal(total, 2);
	assert_string_equal(items[0].name, "t2");
	FAILS(f, PGL_ENOTFOUND, ops->delete_asset(f->s, "t-a", "cat", "dev",
	    "db", "t1", &f->err));

	/* Re-created as something else altogether. */
	cow_put(f, "dev", "db", "t1", "VIEW", "d-new");
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "dev", "db", "t1", &as,
	    &f->err));
	assert_string_equal(as.kind, "VIEW");
	assert_string_equal(as.location, "s3://bucket/dev/t1");
	assert_string_not_equal(as.id, cow_id(f, "main", "db", "t1"));
	gone = as.id;
	assert_string_equal(cow_view(f, "dev"),
	    "a.b.x=m-x db.t1=d-new db.t2=m-t2 db.v1=m-v1 db2.t3=m-t3");
	assert_string_equal(cow_view(f, "main"), COW_MAIN0);
	assert_string_equal(cow_view(f, "g"), COW_MAIN0);

	/* Deleted again (an own row of a fork: a tombstone replaces it),
	 * and the deleted row is not found by its id. */
	cow_del(f, "dev", "db", "t1");
	FAILS(f, PGL_ENOTFOUND, ops->get_asset_by_id(f->s, f->a, "t-a", gone,
	    &as, &f->err));
	assert_string_equal(cow_get(f, "dev", "db", "t1"), "-");
	cow_put(f, "dev", "db", "t1", "ICEBERG_TABLE", "d-new2");
	assert_string_equal(cow_view(f, "dev"),
	    "a.b.x=m-x db.t1=d-new2 db.t2=m-t2 db.v1=m-v1 db2.t3=m-t3");

	/* The same on a root with a child: the child keeps its view. */
	cow_del(f, "main", "db", "t2");
	cow_put(f, "main", "db", "t2", "VIEW", "m-t2b");
	assert_string_equal(cow_get(f, "main", "db", "t2"), "m-t2b");
	assert_string_equal(cow_view(f, "dev"),
	    "a.b.x=m-x db.t1=d-new2 db.t2=m-t2 db.v1=m-v1 db2.t3=m-t3");
	assert_string_equal(cow_view(f, "g"), COW_MAIN0);
}

/*
 * A grandchild g reads a key past its parent dev when dev's own row for
 * it was born after g's fork.  The grandparent's change to its row must
 * then not reach g either (a copy of the old row has to go where g can
 * still read it, not only to dev, which has a row of its own).
 */
static void
test_grandchild_keeps_its_view_past_a_newer_row_of_its_parent(void **state)
{
	struct fx	*f = *state;

	if (!cow_supported())
		return;
	cow_seed_assets(f);
	cow_fork(f, "main", "dev");
	cow_fork(f, "dev", "g");
	cow_cas(f, "dev", "db", "t1", "m-t1", "d-t1");	/* copy-up on dev */
	cow_del(f, "dev", "db", "t2");			/* tombstone on dev */
	cow_update(f, "dev", "db", "v1", "d-v1");
	assert_string_equal(cow_view(f, "g"), COW_MAIN0);

	/* main changes its own rows in place. */
	cow_cas(f, "main", "db", "t1", "m-t1", "m-t1b");
	cow_update(f, "main", "db", "t2", "m-t2b");
	cow_rename(f, "main", "db", "v1", "db", "v2");
	assert_string_equal(cow_view(f, "g"), COW_MAIN0);
	assert_string_equal(cow_view(f, "dev"),
	    "a.b.x=m-x db.t1=d-t1 db.v1=d-v1 db2.t3=m-t3");
	assert_string_equal(cow_view(f, "main"),
	    "a.b.x=m-x db.t1=m-t1b db.t2=m-t2b db.v2=m-v1 db2.t3=m-t3");
	/* ... and deletes them. */
	cow_del(f, "main", "db", "t1");
	cow_del(f, "main", "db", "t2");
	assert_string_equal(cow_view(f, "g"), COW_MAIN0);
}

static const struct CMUnitTest	tests[] = {
	T(test_a_swap_in_a_transaction_keeps_forks_whole),
	T(test_fork_sees_the_parents_assets),
	T(test_one_asset_of_a_fork_is_its_lowest_levels_row),
	T(test_fork_errors),
	T(test_fork_does_not_see_the_parents_later_changes),
	T(test_forks_changes_are_invisible_to_the_parent),
	T(test_cas_on_an_inherited_table),
	T(test_delete_then_recreate_an_inherited_table),
	T(test_grandchild_keeps_its_view_past_a_newer_row_of_its_parent),
};

STORE_FAMILY(forks, tests);
