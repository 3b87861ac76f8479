/*
 * Namespaces: create, read, update and delete, and the children of a
 * parent.
 */
#include <stdint.h>

#include "harness.h"

static void
test_namespace_crud(void **state)
{
	struct fx		*f = *state;
	struct pgl_namespace	ns, upd = { "cat", "a" SEP "b",
				    "{\"owner\":\"x\"}" };

	seed_catalog_tree(f, "t-a");
	seed_ns(f, "t-a", "cat", "a");
	seed_ns(f, "t-a", "cat", "a" SEP "b");
	OK(f, ops->get_namespace(f->s, f->a, "t-a", "cat", "a" SEP "b", &ns,
	    &f->err));
	assert_string_equal(ns.catalog, "cat");
	assert_string_equal(ns.name, "a" SEP "b");
	assert_string_equal(ns.properties, "{}");
	OK(f, ops->update_namespace(f->s, "t-a", &upd, &f->err));
	OK(f, ops->get_namespace(f->s, f->a, "t-a", "cat", "a" SEP "b", &ns,
	    &f->err));
	assert_string_equal(ns.properties, "{\"owner\":\"x\"}");

	FAILS(f, PGL_EEXISTS, ops->create_namespace(f->s, "t-a", &upd,
	    &f->err));
	upd.catalog = "nope";
	FAILS(f, PGL_ENOTFOUND, ops->create_namespace(f->s, "t-a", &upd,
	    &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->update_namespace(f->s, "t-a", &upd,
	    &f->err));

	/* Dropping a namespace drops its assets (on every branch). */
	OK(f, ops->delete_namespace(f->s, "t-a", "cat", "db", &f->err));
	struct pgl_asset	as;
	FAILS(f, PGL_ENOTFOUND, ops->get_asset(f->s, f->a, "t-a", "cat",
	    "main", "db", "t1", &as, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->delete_namespace(f->s, "t-a", "cat",
	    "db", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_namespace(f->s, f->a, "t-a", "cat",
	    "db", &ns, &f->err));
}

static void
expect_namespaces(struct fx *f, const char *parent, const char **want,
    size_t nwant)
{
	struct pgl_namespace	*items;
	size_t			n, i;
	uint64_t		total;

	OK(f, ops->list_namespaces(f->s, f->a, "t-a", "cat", parent, NULL,
	    &items, &n, &total, &f->err));
	assert_int_equal(n, nwant);
	assert_int_equal(total, nwant);
	for (i = 0; i < n; i++)
		assert_string_equal(items[i].name, want[i]);
}

static void
test_list_namespaces_by_parent(void **state)
{
	struct fx		*f = *state;
	static const char	*all[] = { "a", "a" SEP "b",
				    "a" SEP "b" SEP "c",
				    "a" SEP "d", "a%", "a%" SEP "x", "a_", "ab",
				    "b" };
	static const char	*top[] = { "a", "a%", "a_", "ab", "b" };
	static const char	*kids_a[] = { "a" SEP "b", "a" SEP "d" };
	static const char	*kids_ab[] = { "a" SEP "b" SEP "c" };
	static const char	*kids_pct[] = { "a%" SEP "x" };
	size_t			i;

	seed_tenant(f, "t-a", "acme");
	seed_catalog(f, "t-a", "cat", NULL);
	seed_catalog(f, "t-a", "other", NULL);
	seed_ns(f, "t-a", "other", "a" SEP "zz");
	for (i = sizeof(all) / sizeof(all[0]); i > 0; i--)
		seed_ns(f, "t-a", "cat", all[i - 1]);

	expect_namespaces(f, NULL, all, 9);
	expect_namespaces(f, "", top, 5);
	expect_namespaces(f, "a", kids_a, 2);
	expect_namespaces(f, "a" SEP "b", kids_ab, 1);
	/* '%' and '_' are names, not wildcards. */
	expect_namespaces(f, "a%", kids_pct, 1);
	expect_namespaces(f, "a_", NULL, 0);
	expect_namespaces(f, "b", NULL, 0);
	expect_namespaces(f, "nope", NULL, 0);
}

static const struct CMUnitTest	tests[] = {
	T(test_namespace_crud),
	T(test_list_namespaces_by_parent),
};

STORE_FAMILY(namespaces, tests);
