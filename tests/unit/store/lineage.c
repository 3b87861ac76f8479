/*
 * Copy-on-write branches (ABI 1.12, issue 29), forks of forks: a
 * grandchild's view past its parent's newer rows, a lineage of three
 * levels, a merge back into a parent, a branch in the middle or at the
 * root deleted, the fork past the maximal depth that falls back to a
 * copy, tombstones, and a namespace dropped on every branch of a lineage
 * (the views are cow.c's).
 */
#include <stdint.h>
#include <stdio.h>

#include "cow.h"

/*
 * main -> a -> b -> c with creates, updates, deletes, re-creates and
 * renames at every level, before and after each fork.  The views:
 */
#define COW_L_MAIN	"a.b.x=m-x db.t1=main-1 db.t2=m-t2 db.v1=m-v1 db2.t3=m-t3"

#define COW_L_A		"a.b.x=m-x db.t1=m-t1 db.t2=a-2 db.tm=a-tm db.v1=m-v1"

#define COW_L_B		"a.b.x=m-x db.t1=b-1 db.t2=a-1 db.ta=b-ta2 " \
			"db.tb2=b-tb2 db.tm=a-tm db.v1=m-v1 db2.t3=b-t3"

#define COW_L_C		"a.b.x=m-x db.t1=b-1 db.t2=a-1 db.tc=b-tb " \
			"db.tm=a-tm db.v1=m-v1 db2.t3=c-t3"

static void
cow_lineage(struct fx *f)
{
	cow_seed_assets(f);
	cow_fork(f, "main", "a");
	cow_cas(f, "main", "db", "t1", "m-t1", "main-1");
	cow_cas(f, "a", "db", "t2", "m-t2", "a-1");
	cow_put(f, "a", "db", "ta", "ICEBERG_TABLE", "a-ta");
	cow_put(f, "a", "db", "tm", "ICEBERG_TABLE", "a-tm");
	cow_del(f, "a", "db2", "t3");

	cow_fork(f, "a", "b");
	cow_cas(f, "a", "db", "t2", "a-1", "a-2");
	cow_del(f, "a", "db", "ta");
	cow_cas(f, "b", "db", "t1", "m-t1", "b-1");
	cow_del(f, "b", "db", "ta");
	cow_put(f, "b", "db", "tb", "ICEBERG_TABLE", "b-tb");
	cow_put(f, "b", "db2", "t3", "ICEBERG_TABLE", "b-t3");

	cow_fork(f, "b", "c");
	cow_rename(f, "b", "db", "tb", "db", "tb2");
	cow_cas(f, "b", "db", "tb2", "b-tb", "b-tb2");
	cow_put(f, "b", "db", "ta", "ICEBERG_TABLE", "b-ta2");
	cow_del(f, "c", "db2", "t3");
	cow_put(f, "c", "db2", "t3", "ICEBERG_TABLE", "c-t3");
	cow_rename(f, "c", "db", "tb", "db", "tc");
}

static void
test_lineage_of_forks_of_forks(void **state)
{
	struct fx	*f = *state;

	if (!cow_supported())
		return;
	cow_lineage(f);
	assert_string_equal(cow_view(f, "main"), COW_L_MAIN);
	assert_string_equal(cow_view(f, "a"), COW_L_A);
	assert_string_equal(cow_view(f, "b"), COW_L_B);
	assert_string_equal(cow_view(f, "c"), COW_L_C);
	assert_string_equal(cow_parent(f, "a"), "main");
	assert_string_equal(cow_parent(f, "b"), "a");
	assert_string_equal(cow_parent(f, "c"), "b");

	/* Deletes and re-creates along it: each level alone changes. */
	cow_del(f, "c", "a" SEP "b", "x");
	cow_del(f, "b", "db", "v1");
	cow_put(f, "b", "db", "v1", "VIEW", "b-v1");
	cow_del(f, "a", "db", "tm");
	cow_put(f, "a", "db", "tm", "VIEW", "a-tm2");
	cow_del(f, "main", "db2", "t3");
	cow_put(f, "main", "db2", "t3", "ICEBERG_TABLE", "main-t3");
	assert_string_equal(cow_view(f, "main"),
	    "a.b.x=m-x db.t1=main-1 db.t2=m-t2 db.v1=m-v1 db2.t3=main-t3");
	assert_string_equal(cow_view(f, "a"),
	    "a.b.x=m-x db.t1=m-t1 db.t2=a-2 db.tm=a-tm2 db.v1=m-v1");
	assert_string_equal(cow_view(f, "b"),
	    "a.b.x=m-x db.t1=b-1 db.t2=a-1 db.ta=b-ta2 db.tb2=b-tb2 "
	    "db.tm=a-tm db.v1=b-v1 db2.t3=b-t3");
	assert_string_equal(cow_view(f, "c"),
	    "db.t1=b-1 db.t2=a-1 db.tc=b-tb db.tm=a-tm db.v1=m-v1 "
	    "db2.t3=c-t3");

	/* A fork of the deepest sees it, and only it. */
	cow_fork(f, "c", "d");
	assert_string_equal(cow_view_of(f, "d", 1, 1),
	    cow_view_of(f, "c", 1, 1));
}

/*
 * "Merge back": a change made on b is applied to its parent a (as the
 * merge does, by update_metadata_location on a).  c, forked from b before
 * the merge, keeps what it saw.  tm is a's own row, which b changed after
 * c's fork, so c reads it from a, past b's newer row.
 */
static void
test_merge_back_into_a_parent_leaves_the_grandchild_as_it_was(void **state)
{
	struct fx	*f = *state;

	if (!cow_supported())
		return;
	cow_lineage(f);
	cow_cas(f, "b", "db", "tm", "a-tm", "b-tm");
	assert_string_equal(cow_get(f, "c", "db", "tm"), "a-tm");

	cow_cas(f, "a", "db", "tm", "a-tm", "b-tm");	/* b's change */
	cow_cas(f, "a", "db", "t1", "m-t1", "b-1");	/* b's change */
	cow_cas(f, "main", "db", "t2", "m-t2", "a-2");	/* a's change */
	assert_string_equal(cow_get(f, "a", "db", "tm"), "b-tm");
	assert_string_equal(cow_get(f, "a", "db", "t1"), "b-1");
	assert_string_equal(cow_get(f, "main", "db", "t2"), "a-2");
	assert_string_equal(cow_view(f, "b"),
	    "a.b.x=m-x db.t1=b-1 db.t2=a-1 db.ta=b-ta2 db.tb2=b-tb2 "
	    "db.tm=b-tm db.v1=m-v1 db2.t3=b-t3");
	assert_string_equal(cow_view(f, "c"), COW_L_C);
}

static void
test_deleting_a_middle_branch_keeps_its_childrens_views(void **state)
{
	struct fx		*f = *state;
	struct pgl_branch	 br;
	const char		*main0, *b0, *c0;

	if (!cow_supported())
		return;
	cow_lineage(f);
	cow_fork(f, "a", "a2");		/* a second child of a */
	cow_del(f, "a2", "db", "t1");
	main0 = cow_view_of(f, "main", 1, 1);
	b0 = cow_view_of(f, "b", 1, 0);
	c0 = cow_view_of(f, "c", 1, 0);

	OK(f, ops->delete_branch(f->s, "t-a", "cat", "a", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_branch(f->s, f->a, "t-a", "cat", "a",
	    &br, &f->err));
	assert_string_equal(cow_get(f, "a", "db", "t2"), "-");
	assert_string_equal(cow_view_of(f, "main", 1, 1), main0);
	assert_string_equal(cow_view_of(f, "b", 1, 0), b0);
	assert_string_equal(cow_view_of(f, "c", 1, 0), c0);
	assert_string_equal(cow_view(f, "b"), COW_L_B);
	assert_string_equal(cow_view(f, "c"), COW_L_C);
	assert_string_equal(cow_view(f, "a2"),
	    "a.b.x=m-x db.t2=a-2 db.tm=a-tm db.v1=m-v1");
	/* b and a2 now hang from main, c still from b. */
	assert_string_equal(cow_parent(f, "b"), "main");
	assert_string_equal(cow_parent(f, "a2"), "main");
	assert_string_equal(cow_parent(f, "c"), "b");

	/* main's later changes still do not reach them (as of a's fork:
	 * main's t1 was m-t1 then, main-1 now). */
	cow_cas(f, "main", "db", "v1", "m-v1", "main-v1");
	cow_cas(f, "main", "db", "t1", "main-1", "main-2");
	cow_del(f, "main", "a" SEP "b", "x");
	assert_string_equal(cow_view_of(f, "b", 1, 0), b0);
	assert_string_equal(cow_view_of(f, "c", 1, 0), c0);
	assert_string_equal(cow_view(f, "a2"),
	    "a.b.x=m-x db.t2=a-2 db.tm=a-tm db.v1=m-v1");
	/* And b's do not reach c. */
	cow_cas(f, "b", "db", "t2", "a-1", "b-2");
	cow_del(f, "b", "db", "tm");
	assert_string_equal(cow_view_of(f, "c", 1, 0), c0);

	/* Deleting the next middle branch again keeps c's view. */
	OK(f, ops->delete_branch(f->s, "t-a", "cat", "b", &f->err));
	assert_string_equal(cow_parent(f, "c"), "main");
	assert_string_equal(cow_view_of(f, "c", 1, 0), c0);
}

/* As above, where c reads a's row past b's newer own row. */
static void
test_deleting_a_middle_branch_keeps_a_grandchilds_view_past_a_newer_row(
    void **state)
{
	struct fx	*f = *state;
	const char	*c0;

	if (!cow_supported())
		return;
	cow_lineage(f);
	cow_cas(f, "b", "db", "tm", "a-tm", "b-tm");	/* after c's fork */
	cow_del(f, "b", "db", "t2");			/* a-1 is b's own */
	c0 = cow_view_of(f, "c", 1, 0);
	assert_string_equal(cow_view(f, "c"), COW_L_C);
	OK(f, ops->delete_branch(f->s, "t-a", "cat", "a", &f->err));
	assert_string_equal(cow_view_of(f, "c", 1, 0), c0);
	OK(f, ops->delete_branch(f->s, "t-a", "cat", "b", &f->err));
	assert_string_equal(cow_view_of(f, "c", 1, 0), c0);
	assert_string_equal(cow_parent(f, "c"), "main");
}

static void
test_deleting_a_root_parent_makes_its_children_roots(void **state)
{
	struct fx	*f = *state;
	const char	*r1_0, *r2_0;

	if (!cow_supported())
		return;
	cow_seed(f);
	seed_branch(f, "t-a", "cat", "r");
	cow_put(f, "r", "db", "t1", "ICEBERG_TABLE", "r-t1");
	cow_put(f, "r", "db", "t2", "ICEBERG_TABLE", "r-t2");
	cow_put(f, "r", "db", "t3", "VIEW", "r-t3");
	cow_fork(f, "r", "r1");
	cow_cas(f, "r", "db", "t1", "r-t1", "r-t1b");	/* after the fork */
	cow_put(f, "r", "db", "t4", "ICEBERG_TABLE", "r-t4");
	cow_del(f, "r1", "db", "t2");			/* a tombstone */
	cow_put(f, "r1", "db", "t5", "ICEBERG_TABLE", "r1-t5");
	cow_fork(f, "r1", "r2");
	cow_cas(f, "r2", "db", "t3", "r-t3", "r2-t3");
	r1_0 = cow_view_of(f, "r1", 1, 0);
	r2_0 = cow_view_of(f, "r2", 1, 0);
	assert_string_equal(cow_view(f, "r1"),
	    "db.t1=r-t1 db.t3=r-t3 db.t5=r1-t5");
	assert_string_equal(cow_view(f, "r2"),
	    "db.t1=r-t1 db.t3=r2-t3 db.t5=r1-t5");

	OK(f, ops->delete_branch(f->s, "t-a", "cat", "r", &f->err));
	assert_string_equal(cow_parent(f, "r1"), "(root)");
	assert_string_equal(cow_parent(f, "r2"), "r1");
	assert_string_equal(cow_view_of(f, "r1", 1, 0), r1_0);
	assert_string_equal(cow_view_of(f, "r2", 1, 0), r2_0);

	/* The new root works as any: its changes stay its own. */
	cow_put(f, "r1", "db", "t2", "ICEBERG_TABLE", "r1-t2");
	cow_cas(f, "r1", "db", "t1", "r-t1", "r1-t1");
	assert_string_equal(cow_view(f, "r1"),
	    "db.t1=r1-t1 db.t2=r1-t2 db.t3=r-t3 db.t5=r1-t5");
	assert_string_equal(cow_view_of(f, "r2", 1, 0), r2_0);
	OK(f, ops->delete_branch(f->s, "t-a", "cat", "r1", &f->err));
	assert_string_equal(cow_parent(f, "r2"), "(root)");
	assert_string_equal(cow_view_of(f, "r2", 1, 0), r2_0);
}

/* b1 .. b16 forked one from another: b16's lineage is 17 levels, the
 * most a read walks, so a fork of b16 is a copy (a root). */
static void
test_fork_at_max_depth_falls_back_to_a_copy(void **state)
{
	struct fx	*f = *state;
	char		 name[16], prev[16], t[16], meta[32];
	const char	*deep;
	int		 i;

	if (!cow_supported())
		return;
	cow_seed_assets(f);
	snprintf(prev, sizeof(prev), "main");
	for (i = 1; i <= PGL_BRANCH_MAX_DEPTH; i++) {
		snprintf(name, sizeof(name), "b%d", i);
		cow_fork(f, prev, name);
		snprintf(t, sizeof(t), "t%d", i + 10);
		snprintf(meta, sizeof(meta), "b%d-new", i);
		cow_put(f, name, "db", t, "ICEBERG_TABLE", meta);
		snprintf(meta, sizeof(meta), "b%d", i);
		OK(f, ops->update_metadata_location(f->s, "t-a", "cat", name,
		    "db", "t2", i == 1 ? "m-t2" : prev, meta, &f->err));
		snprintf(prev, sizeof(prev), "%s", name);
	}
	cow_del(f, "b16", "db", "t11");		/* from 16 levels up */
	assert_string_equal(cow_parent(f, "b16"), "b15");
	assert_string_equal(cow_get(f, "b16", "db", "t12"), "b2-new");
	assert_string_equal(cow_get(f, "b16", "db", "t1"), "m-t1");
	deep = cow_view_of(f, "b16", 1, 0);

	cow_fork(f, "b16", "b17");
	assert_string_equal(cow_parent(f, "b17"), "(root)");
	assert_string_equal(cow_view_of(f, "b17", 1, 0), deep);
	assert_string_equal(cow_get(f, "b17", "db", "t2"), "b16");
	assert_string_equal(cow_get(f, "b17", "db", "t11"), "-");
	/* A copy: rows of its own, and no link either way. */
	assert_string_not_equal(cow_id(f, "b17", "db", "t1"),
	    cow_id(f, "b16", "db", "t1"));
	cow_cas(f, "b16", "db", "t2", "b16", "b16-later");
	cow_cas(f, "b17", "db", "t1", "m-t1", "b17-t1");
	assert_string_equal(cow_get(f, "b17", "db", "t2"), "b16");
	assert_string_equal(cow_get(f, "b16", "db", "t1"), "m-t1");
	/* And it can be forked again. */
	cow_fork(f, "b17", "b18");
	assert_string_equal(cow_parent(f, "b18"), "b17");
	assert_string_equal(cow_view_of(f, "b18", 1, 1),
	    cow_view_of(f, "b17", 1, 1));
}

static void
test_copy_assets_bulk_from_a_fork_copies_its_view(void **state)
{
	struct fx	*f = *state;
	uint64_t	 copied;

	if (!cow_supported())
		return;
	cow_seed_assets(f);
	cow_fork(f, "main", "dev");
	cow_del(f, "dev", "db", "t1");
	cow_cas(f, "dev", "db", "t2", "m-t2", "d-t2");
	cow_put(f, "dev", "db", "t5", "ICEBERG_TABLE", "d-t5");
	cow_put(f, "main", "db", "t6", "ICEBERG_TABLE", "m-t6");  /* later */
	cow_cas(f, "main", "db", "v1", "m-v1", "m-v1b");	  /* later */

	seed_branch(f, "t-a", "cat", "part");
	OK(f, ops->copy_assets_bulk(f->s, "t-a", "cat", "dev", "part", NULL,
	    "[\"db.t1\", \"db.t2\", \"db.t5\", \"db.t6\", \"db.v1\"]",
	    &copied, &f->err));
	assert_int_equal(copied, 3);
	assert_string_equal(cow_view(f, "part"),
	    "db.t2=d-t2 db.t5=d-t5 db.v1=m-v1");
	assert_string_not_equal(cow_id(f, "part", "db", "v1"),
	    cow_id(f, "dev", "db", "v1"));

	seed_branch(f, "t-a", "cat", "ns");
	OK(f, ops->copy_assets_bulk(f->s, "t-a", "cat", "dev", "ns", "db",
	    NULL, &copied, &f->err));
	assert_int_equal(copied, 3);
	assert_string_equal(cow_view(f, "ns"),
	    "db.t2=d-t2 db.t5=d-t5 db.v1=m-v1");

	seed_branch(f, "t-a", "cat", "all");
	OK(f, ops->copy_assets_bulk(f->s, "t-a", "cat", "dev", "all", NULL,
	    NULL, &copied, &f->err));
	assert_int_equal(copied, 5);
	assert_string_equal(cow_view_of(f, "all", 1, 0),
	    cow_view_of(f, "dev", 1, 0));
	/* The copies are roots: dev's later change stays on dev. */
	cow_cas(f, "dev", "db", "t2", "d-t2", "d-t2b");
	assert_string_equal(cow_get(f, "all", "db", "t2"), "d-t2");
}

static void
test_tombstones_are_never_counted_or_found_by_id(void **state)
{
	struct fx			*f = *state;
	struct pgl_catalog_counts	 cnt;
	struct pgl_asset		 as;
	const char			*x_id, *t1_id;

	if (!cow_supported())
		return;
	cow_seed(f);
	cow_put(f, "main", "db", "t1", "ICEBERG_TABLE", "m-t1");
	cow_put(f, "main", "db", "v1", "VIEW", "m-v1");
	t1_id = cow_id(f, "main", "db", "t1");
	cow_fork(f, "main", "dev");

	cow_del(f, "dev", "db", "t1");			/* inherited */
	OK(f, ops->count_catalog(f->s, "t-a", "cat", &cnt, &f->err));
	assert_int_equal(cnt.assets, 2);
	assert_int_equal(cnt.tables, 1);
	/* The row dev no longer sees is main's, found as main's. */
	OK(f, ops->get_asset_by_id(f->s, f->a, "t-a", t1_id, &as, &f->err));
	assert_string_equal(as.branch, "main");

	cow_put(f, "dev", "db", "x", "ICEBERG_TABLE", "d-x");
	x_id = cow_id(f, "dev", "db", "x");
	cow_del(f, "dev", "db", "x");			/* own, on a fork */
	FAILS(f, PGL_ENOTFOUND, ops->get_asset_by_id(f->s, f->a, "t-a", x_id,
	    &as, &f->err));
	cow_rename(f, "dev", "db", "v1", "db", "v2");	/* leaves one at v1 */
	OK(f, ops->count_catalog(f->s, "t-a", "cat", &cnt, &f->err));
	assert_int_equal(cnt.assets, 3);	/* main t1, v1; dev v2 */

	/* main deletes v1, which dev renamed away (its tombstone keeps it
	 * away from dev and g); a root leaves no tombstone. */
	cow_fork(f, "dev", "g");
	cow_del(f, "main", "db", "v1");
	OK(f, ops->count_catalog(f->s, "t-a", "cat", &cnt, &f->err));
	assert_int_equal(cnt.views, 0);
	assert_int_equal(cnt.tables, 1);
	assert_int_equal(cnt.branches, 3);
	assert_string_equal(cow_view(f, "dev"), "db.v2=m-v1");
	assert_string_equal(cow_view(f, "g"), "db.v2=m-v1");
	assert_string_equal(cow_view(f, "main"), "db.t1=m-t1");
	cow_del(f, "g", "db", "v2");
	OK(f, ops->count_catalog(f->s, "t-a", "cat", &cnt, &f->err));
	assert_int_equal(cnt.assets, 2);	/* main t1; dev v2 */
}

static void
test_dropping_a_namespace_drops_it_on_every_branch_of_a_lineage(
    void **state)
{
	struct fx			*f = *state;
	struct pgl_catalog_counts	 cnt;
	const char			*names[] = { "main", "a", "b", "c" };
	size_t				 i;

	if (!cow_supported())
		return;
	cow_lineage(f);
	OK(f, ops->delete_namespace(f->s, "t-a", "cat", "db2", &f->err));
	assert_string_equal(cow_view(f, "main"),
	    "a.b.x=m-x db.t1=main-1 db.t2=m-t2 db.v1=m-v1");
	assert_string_equal(cow_view(f, "a"), COW_L_A);
	assert_string_equal(cow_view(f, "b"),
	    "a.b.x=m-x db.t1=b-1 db.t2=a-1 db.ta=b-ta2 db.tb2=b-tb2 "
	    "db.tm=a-tm db.v1=m-v1");
	assert_string_equal(cow_view(f, "c"),
	    "a.b.x=m-x db.t1=b-1 db.t2=a-1 db.tc=b-tb db.tm=a-tm "
	    "db.v1=m-v1");
	for (i = 0; i < 4; i++)
		assert_string_equal(cow_get(f, names[i], "db2", "t3"), "-");

	/* Made again, it starts empty everywhere, and what main makes in it
	 * now is main's alone (forks made before it do not see it). */
	seed_ns(f, "t-a", "cat", "db2");
	for (i = 0; i < 4; i++) {
		struct pgl_asset	*items;
		size_t			 n;
		uint64_t		 total;

		OK(f, ops->list_assets(f->s, f->a, "t-a", "cat", names[i],
		    "db2", NULL, NULL, &items, &n, &total, &f->err));
		assert_int_equal(n, 0);
		assert_int_equal(total, 0);
	}
	cow_put(f, "main", "db2", "t3", "ICEBERG_TABLE", "main-new");
	cow_put(f, "a", "db2", "t3", "ICEBERG_TABLE", "a-new");
	assert_string_equal(cow_get(f, "b", "db2", "t3"), "-");
	assert_string_equal(cow_get(f, "c", "db2", "t3"), "-");
	assert_string_equal(cow_get(f, "a", "db2", "t3"), "a-new");
	assert_string_equal(cow_get(f, "main", "db2", "t3"), "main-new");

	OK(f, ops->delete_namespace(f->s, "t-a", "cat", "db2", &f->err));
	OK(f, ops->delete_namespace(f->s, "t-a", "cat", "a" SEP "b",
	    &f->err));
	OK(f, ops->count_catalog(f->s, "t-a", "cat", &cnt, &f->err));
	assert_int_equal(cnt.tables, 2);	/* main: db.t1, db.t2 */
	assert_int_equal(cnt.views, 1);
	for (i = 0; i < 4; i++)
		assert_string_equal(cow_get(f, names[i], "a" SEP "b", "x"),
		    "-");
}

static const struct CMUnitTest	tests[] = {
	T(test_lineage_of_forks_of_forks),
	T(test_merge_back_into_a_parent_leaves_the_grandchild_as_it_was),
	T(test_deleting_a_middle_branch_keeps_its_childrens_views),
	T(test_deleting_a_middle_branch_keeps_a_grandchilds_view_past_a_newer_row),
	T(test_deleting_a_root_parent_makes_its_children_roots),
	T(test_fork_at_max_depth_falls_back_to_a_copy),
	T(test_copy_assets_bulk_from_a_fork_copies_its_view),
	T(test_tombstones_are_never_counted_or_found_by_id),
	T(test_dropping_a_namespace_drops_it_on_every_branch_of_a_lineage),
};

STORE_FAMILY(lineage, tests);
