/*
 * Merges (ABI 1.6): a merge commit's second parent in the catalog, the
 * merge base across merges and of a long history, merge operations and
 * their conflicts, tenant-scoped and cascaded.
 */
#include <stdint.h>
#include <stdio.h>

#include "harness.h"

static void
seed_commit2(struct fx *f, const char *tenant, const char *id,
    const char *parent, const char *merge_parent, int64_t ts)
{
	struct pgl_commit	c = { id, "cat", parent, ts, "alice", "msg",
				    "[]", merge_parent };

	OK(f, ops->create_commit(f->s, tenant, &c, &f->err));
}

static const char *
merge_base(struct fx *f, const char *a, const char *b)
{
	const char	*base = (const char *)1;

	OK(f, ops->get_merge_base(f->s, f->a, "t-a", a, b, &base, &f->err));
	return (base);
}

static void
test_merge_commit_keeps_its_second_parent_in_the_catalog(void **state)
{
	struct fx		*f = *state;
	struct pgl_commit	 c, *items;
	size_t			 n;

	seed_catalog_tree(f, "t-a");
	seed_catalog_tree(f, "t-b");
	seed_commit2(f, "t-a", "c1", NULL, NULL, 1);
	seed_commit2(f, "t-a", "c2", "c1", NULL, 2);
	seed_commit2(f, "t-a", "c3", "c1", NULL, 3);
	seed_commit2(f, "t-a", "m1", "c2", "c3", 4);
	OK(f, ops->get_commit(f->s, f->a, "t-a", "m1", &c, &f->err));
	assert_string_equal(c.parent_id, "c2");
	assert_string_equal(c.merge_parent_id, "c3");
	OK(f, ops->get_commit(f->s, f->a, "t-a", "c2", &c, &f->err));
	assert_null(c.merge_parent_id);
	/* The ancestry pages still follow the first parent. */
	OK(f, ops->get_commit_ancestry(f->s, f->a, "t-a", "m1", 0, &items, &n,
	    &f->err));
	assert_int_equal(n, 3);
	assert_string_equal(items[0].merge_parent_id, "c3");
	assert_string_equal(items[2].id, "c1");
	/* A second parent of another tenant, or none at all: refused. */
	seed_commit2(f, "t-b", "x1", NULL, NULL, 1);
	FAILS(f, PGL_ENOTFOUND, ops->create_commit(f->s, "t-a",
	    &(struct pgl_commit){ "m2", "cat", "m1", 5, "a", "m", "[]", "x1" },
	    &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->create_commit(f->s, "t-a",
	    &(struct pgl_commit){ "m3", "cat", "m1", 5, "a", "m", "[]",
	    "nope" }, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_commit(f->s, f->a, "t-a", "m2", &c,
	    &f->err));
}

/*
 *	c1 - c2 ---- m1 - c5        (main)
 *	  \        /
 *	   c3 - c4 - c6             (feature)
 */
static void
test_merge_base_is_the_nearest_common_ancestor_across_merges(void **state)
{
	struct fx	*f = *state;
	const char	*base = (const char *)1;

	seed_catalog_tree(f, "t-a");
	seed_catalog_tree(f, "t-b");
	seed_commit2(f, "t-a", "c1", NULL, NULL, 1);
	seed_commit2(f, "t-a", "c2", "c1", NULL, 2);
	seed_commit2(f, "t-a", "c3", "c1", NULL, 3);
	seed_commit2(f, "t-a", "c4", "c3", NULL, 4);
	assert_string_equal(merge_base(f, "c2", "c4"), "c1");
	assert_string_equal(merge_base(f, "c4", "c2"), "c1");
	/* A head is its own base, and the base of its descendants. */
	assert_string_equal(merge_base(f, "c4", "c4"), "c4");
	assert_string_equal(merge_base(f, "c3", "c4"), "c3");
	/* After feature merged into main, the base is feature's head then. */
	seed_commit2(f, "t-a", "m1", "c2", "c4", 5);
	seed_commit2(f, "t-a", "c5", "m1", NULL, 6);
	seed_commit2(f, "t-a", "c6", "c4", NULL, 7);
	assert_string_equal(merge_base(f, "c5", "c6"), "c4");
	assert_string_equal(merge_base(f, "c6", "c5"), "c4");
	/* Equal timestamps: the nearest to both heads. */
	seed_commit2(f, "t-a", "e1", NULL, NULL, 9);
	seed_commit2(f, "t-a", "e2", "e1", NULL, 9);
	seed_commit2(f, "t-a", "e3", "e2", NULL, 9);
	seed_commit2(f, "t-a", "e4", "e2", NULL, 9);
	assert_string_equal(merge_base(f, "e3", "e4"), "e2");
	/* Unrelated roots have none; a missing or foreign head is missing. */
	assert_null(merge_base(f, "c4", "e3"));
	seed_commit2(f, "t-b", "x1", NULL, NULL, 1);
	FAILS(f, PGL_ENOTFOUND, ops->get_merge_base(f->s, f->a, "t-a", "c4",
	    "x1", &base, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_merge_base(f->s, f->a, "t-a", "nope",
	    "nope", &base, &f->err));
}

static void
test_merge_base_of_a_long_history_is_one_query(void **state)
{
	struct fx	*f = *state;
	char		 id[32], parent[32];
	uint64_t	 before;
	int		 i;

	seed_catalog_tree(f, "t-a");
	seed_commit2(f, "t-a", "r", NULL, NULL, 1);
	OK(f, ops->begin(f->s, &f->err));
	for (i = 0; i < 500; i++) {
		snprintf(id, sizeof(id), "a%d", i);
		snprintf(parent, sizeof(parent), "a%d", i - 1);
		seed_commit2(f, "t-a", id, i == 0 ? "r" : parent, NULL, 2 + i);
		snprintf(id, sizeof(id), "b%d", i);
		snprintf(parent, sizeof(parent), "b%d", i - 1);
		seed_commit2(f, "t-a", id, i == 0 ? "r" : parent, NULL, 2 + i);
	}
	OK(f, ops->commit(f->s, &f->err));
	before = ops->round_trips != NULL ? ops->round_trips(f->s) : 0;
	assert_string_equal(merge_base(f, "a499", "b499"), "r");
	if (ops->round_trips != NULL)
		assert_int_equal(ops->round_trips(f->s) - before, 1);
}

static void
test_merge_op_crud_newest_first_tenant_scoped_and_cascaded(void **state)
{
	struct fx		*f = *state;
	struct pgl_merge_op	 op1 = { "op1", "t-a", "cat", "Pending",
				    "{\"id\":\"op1\"}", 1000 };
	struct pgl_merge_op	 op2 = { "op2", "t-a", "cat", "Conflicted",
				    "{\"id\":\"op2\"}", 2000 };
	struct pgl_merge_op	 m, *items;
	struct pgl_page		 all = { 0, 0, NULL };
	struct pgl_page		 one = { 1, 1, NULL };
	uint64_t		 total;
	size_t			 n;

	seed_catalog_tree(f, "t-a");
	seed_catalog_tree(f, "t-b");
	OK(f, ops->create_merge_op(f->s, &op1, &f->err));
	OK(f, ops->create_merge_op(f->s, &op2, &f->err));
	FAILS(f, PGL_EEXISTS, ops->create_merge_op(f->s, &op1, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->create_merge_op(f->s,
	    &(struct pgl_merge_op){ "op3", "t-a", "nocat", "Pending", "{}", 1 },
	    &f->err));
	OK(f, ops->get_merge_op(f->s, f->a, "t-a", "op1", &m, &f->err));
	assert_string_equal(m.catalog, "cat");
	assert_string_equal(m.status, "Pending");
	assert_string_equal(m.doc, "{\"id\":\"op1\"}");
	assert_int_equal(m.initiated_at_ms, 1000);
	FAILS(f, PGL_ENOTFOUND, ops->get_merge_op(f->s, f->a, "t-b", "op1", &m,
	    &f->err));
	OK(f, ops->list_merge_ops(f->s, f->a, "t-a", "cat", &all, &items, &n,
	    &total, &f->err));
	assert_int_equal(n, 2);
	assert_int_equal(total, 2);
	assert_string_equal(items[0].id, "op2");
	OK(f, ops->list_merge_ops(f->s, f->a, "t-a", "cat", &one, &items, &n,
	    &total, &f->err));
	assert_int_equal(n, 1);
	assert_string_equal(items[0].id, "op1");
	OK(f, ops->list_merge_ops(f->s, f->a, "t-b", "cat", &all, &items, &n,
	    &total, &f->err));
	assert_int_equal(n, 0);
	op1.status = "Completed";
	op1.doc = "{\"id\":\"op1\",\"status\":\"Completed\"}";
	OK(f, ops->update_merge_op(f->s, &op1, &f->err));
	OK(f, ops->get_merge_op(f->s, f->a, "t-a", "op1", &m, &f->err));
	assert_string_equal(m.status, "Completed");
	assert_string_equal(m.doc, op1.doc);
	op1.tenant_id = "t-b";
	FAILS(f, PGL_ENOTFOUND, ops->update_merge_op(f->s, &op1, &f->err));
	/* A catalog takes its operations and their conflicts. */
	OK(f, ops->create_merge_conflict(f->s, "t-a",
	    &(struct pgl_merge_conflict){ "k1", "op2", "{}" }, &f->err));
	OK(f, ops->delete_catalog(f->s, "t-a", "cat", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_merge_op(f->s, f->a, "t-a", "op2", &m,
	    &f->err));
	seed_catalog(f, "t-a", "cat", "wh");
	OK(f, ops->create_merge_op(f->s, &op2, &f->err));
	OK(f, ops->list_merge_conflicts(f->s, f->a, "t-a", "op2", &all,
	    &(struct pgl_merge_conflict *){ NULL }, &n, &total, &f->err));
	assert_int_equal(total, 0);
}

static void
test_merge_conflicts_keep_creation_order_and_are_tenant_scoped(void **state)
{
	struct fx			*f = *state;
	struct pgl_merge_op		 op = { "op1", "t-a", "cat", "Pending",
					    "{}", 1000 };
	struct pgl_merge_conflict	*items;
	struct pgl_page			 all = { 0, 0, NULL };
	struct pgl_page			 page = { 2, 1, NULL };
	const char			*ids[] = { "z", "a", "m", "b" };
	char				 doc[64];
	uint64_t			 total;
	size_t				 n, i;

	seed_catalog_tree(f, "t-a");
	seed_catalog_tree(f, "t-b");
	OK(f, ops->create_merge_op(f->s, &op, &f->err));
	for (i = 0; i < 4; i++) {
		snprintf(doc, sizeof(doc), "{\"n\":%zu}", i);
		OK(f, ops->create_merge_conflict(f->s, "t-a",
		    &(struct pgl_merge_conflict){ ids[i], "op1", doc },
		    &f->err));
	}
	FAILS(f, PGL_ENOTFOUND, ops->create_merge_conflict(f->s, "t-b",
	    &(struct pgl_merge_conflict){ "x", "op1", "{}" }, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->create_merge_conflict(f->s, "t-a",
	    &(struct pgl_merge_conflict){ "y", "nope", "{}" }, &f->err));
	OK(f, ops->list_merge_conflicts(f->s, f->a, "t-a", "op1", &all, &items,
	    &n, &total, &f->err));
	assert_int_equal(n, 4);
	assert_int_equal(total, 4);
	for (i = 0; i < 4; i++)
		assert_string_equal(items[i].id, ids[i]);
	assert_string_equal(items[3].doc, "{\"n\":3}");
	assert_string_equal(items[0].merge_op_id, "op1");
	OK(f, ops->list_merge_conflicts(f->s, f->a, "t-a", "op1", &page,
	    &items, &n, &total, &f->err));
	assert_int_equal(n, 2);
	assert_string_equal(items[0].id, "a");
	OK(f, ops->update_merge_conflict(f->s, "t-a",
	    &(struct pgl_merge_conflict){ "m", "op1", "{\"resolved\":1}" },
	    &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->update_merge_conflict(f->s, "t-b",
	    &(struct pgl_merge_conflict){ "m", "op1", "{}" }, &f->err));
	OK(f, ops->list_merge_conflicts(f->s, f->a, "t-a", "op1", &all, &items,
	    &n, &total, &f->err));
	assert_string_equal(items[2].doc, "{\"resolved\":1}");
	OK(f, ops->get_merge_conflict(f->s, f->a, "t-a", "m",
	    &items[0], &f->err));
	assert_string_equal(items[0].merge_op_id, "op1");
	assert_string_equal(items[0].doc, "{\"resolved\":1}");
	FAILS(f, PGL_ENOTFOUND, ops->get_merge_conflict(f->s, f->a, "t-b", "m",
	    &items[0], &f->err));
	OK(f, ops->list_merge_conflicts(f->s, f->a, "t-b", "op1", &all, &items,
	    &n, &total, &f->err));
	assert_int_equal(n, 0);
}

static const struct CMUnitTest	tests[] = {
	T(test_merge_commit_keeps_its_second_parent_in_the_catalog),
	T(test_merge_base_is_the_nearest_common_ancestor_across_merges),
	T(test_merge_base_of_a_long_history_is_one_query),
	T(test_merge_op_crud_newest_first_tenant_scoped_and_cascaded),
	T(test_merge_conflicts_keep_creation_order_and_are_tenant_scoped),
};

STORE_FAMILY(merges, tests);
