/*
 * Pagination, the same edges for every list: tenants, warehouses,
 * catalogs, namespaces, assets, branches and tags, each paged by limit
 * and offset with its total.
 */
#include <stdint.h>
#include <stdio.h>

#include "harness.h"

typedef int	(*names_fn)(struct fx *, const struct pgl_page *,
		    const char ***, size_t *, uint64_t *);

#define NAMES(items, n, field) do {					\
	size_t i_;							\
	*names = pgl_arena_alloc(f->a, (n + 1) * sizeof(char *));	\
	for (i_ = 0; i_ < (n); i_++)					\
		(*names)[i_] = (items)[i_].field;			\
} while (0)

static int
tenant_names(struct fx *f, const struct pgl_page *pg, const char ***names,
    size_t *n, uint64_t *total)
{
	struct pgl_tenant	*items;
	int			rc;

	rc = ops->list_tenants(f->s, f->a, pg, &items, n, total, &f->err);
	NAMES(items, *n, name);
	return (rc);
}

static int
warehouse_names(struct fx *f, const struct pgl_page *pg, const char ***names,
    size_t *n, uint64_t *total)
{
	struct pgl_warehouse	*items;
	int			rc;

	rc = ops->list_warehouses(f->s, f->a, "t-a", pg, &items, n, total,
	    &f->err);
	NAMES(items, *n, name);
	return (rc);
}

static int
catalog_names(struct fx *f, const struct pgl_page *pg, const char ***names,
    size_t *n, uint64_t *total)
{
	struct pgl_catalog	*items;
	int			rc;

	rc = ops->list_catalogs(f->s, f->a, "t-a", pg, &items, n, total,
	    &f->err);
	NAMES(items, *n, name);
	return (rc);
}

static int
ns_names(struct fx *f, const struct pgl_page *pg, const char ***names,
    size_t *n, uint64_t *total)
{
	struct pgl_namespace	*items;
	int			rc;

	rc = ops->list_namespaces(f->s, f->a, "t-a", "cat", "", pg, &items, n,
	    total, &f->err);
	NAMES(items, *n, name);
	return (rc);
}

static int
asset_names(struct fx *f, const struct pgl_page *pg, const char ***names,
    size_t *n, uint64_t *total)
{
	struct pgl_asset	*items;
	int			rc;

	rc = ops->list_assets(f->s, f->a, "t-a", "cat", "main", "a", NULL, pg,
	    &items, n, total, &f->err);
	NAMES(items, *n, name);
	return (rc);
}

static int
branch_names(struct fx *f, const struct pgl_page *pg, const char ***names,
    size_t *n, uint64_t *total)
{
	struct pgl_branch	*items;
	int			rc;

	rc = ops->list_branches(f->s, f->a, "t-a", "cat", pg, &items, n,
	    total, &f->err);
	NAMES(items, *n, name);
	return (rc);
}

static int
tag_names(struct fx *f, const struct pgl_page *pg, const char ***names,
    size_t *n, uint64_t *total)
{
	struct pgl_tag	*items;
	int		rc;

	rc = ops->list_tags(f->s, f->a, "t-a", "cat", pg, &items, n, total,
	    &f->err);
	NAMES(items, *n, name);
	return (rc);
}

static void
expect_page(struct fx *f, names_fn list, uint32_t limit, uint64_t offset,
    const char **want, size_t nwant, uint64_t all)
{
	struct pgl_page	pg = { limit, offset, NULL };
	const char	**names;
	size_t		n, i;
	uint64_t	total = 12345;

	OK(f, list(f, &pg, &names, &n, &total));
	assert_int_equal(n, nwant);
	assert_int_equal(total, all);
	for (i = 0; i < n; i++)
		assert_string_equal(names[i], want[i]);
	/* No total pointer: no count, same page. */
	OK(f, list(f, &pg, &names, &n, NULL));
	assert_int_equal(n, nwant);
}

/* The list must hold exactly "a" .. "e" (seeded in another order). */
static void
check_paging(struct fx *f, names_fn list)
{
	static const char	*abc[] = { "a", "b", "c", "d", "e" };
	const char		**names;
	size_t			n;

	expect_page(f, list, 0, 0, abc, 5, 5);		/* 0 = no limit */
	expect_page(f, list, 1, 0, abc, 1, 5);
	expect_page(f, list, 1, 4, abc + 4, 1, 5);
	expect_page(f, list, 5, 0, abc, 5, 5);		/* exact page */
	expect_page(f, list, 2, 2, abc + 2, 2, 5);
	expect_page(f, list, 2, 4, abc + 4, 1, 5);	/* short last page */
	expect_page(f, list, 0, 3, abc + 3, 2, 5);	/* offset, no limit */
	expect_page(f, list, 2, 5, NULL, 0, 5);	/* past the end */
	expect_page(f, list, 10, UINT64_MAX, NULL, 0, 5);
	OK(f, list(f, NULL, &names, &n, NULL));	/* no page at all */
	assert_int_equal(n, 5);
}

static const char	*shuffled[] = { "c", "a", "e", "b", "d" };

static void
test_paging_tenants(void **state)
{
	struct fx	*f = *state;
	char		id[8];
	size_t		i;

	for (i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "id-%zu", i);
		seed_tenant(f, id, shuffled[i]);
	}
	check_paging(f, tenant_names);
}

static void
test_paging_warehouses_and_catalogs(void **state)
{
	struct fx	*f = *state;
	size_t		i;

	seed_tenant(f, "t-a", "acme");
	seed_tenant(f, "t-z", "other");
	seed_warehouse(f, "t-z", "zz");
	seed_catalog(f, "t-z", "zz", NULL);
	for (i = 0; i < 5; i++) {
		seed_warehouse(f, "t-a", shuffled[i]);
		seed_catalog(f, "t-a", shuffled[i], shuffled[i]);
	}
	check_paging(f, warehouse_names);
	check_paging(f, catalog_names);
}

static void
test_paging_namespaces_assets_branches_tags(void **state)
{
	struct fx		*f = *state;
	struct pgl_tag		tag = { "cat", NULL, "c1", 0 };
	size_t			i;

	seed_tenant(f, "t-a", "acme");
	seed_catalog(f, "t-a", "cat", NULL);
	seed_commit(f, "t-a", "cat", "c1", NULL);
	for (i = 0; i < 5; i++) {
		seed_ns(f, "t-a", "cat", shuffled[i]);
		seed_branch(f, "t-a", "cat", shuffled[i]);
		tag.name = shuffled[i];
		OK(f, ops->create_tag(f->s, "t-a", &tag, &f->err));
	}
	seed_ns(f, "t-a", "cat", "a" SEP "child");	/* not top level */
	seed_branch(f, "t-a", "cat", "main");
	for (i = 0; i < 5; i++)
		seed_asset(f, "t-a", "cat", "main", "a", shuffled[i], "VIEW");
	seed_asset(f, "t-a", "cat", "main", "b", "zz", "VIEW");
	check_paging(f, ns_names);
	check_paging(f, asset_names);
	/* Leaves exactly the branches a .. e. */
	OK(f, ops->delete_branch(f->s, "t-a", "cat", "main", &f->err));
	check_paging(f, branch_names);
	check_paging(f, tag_names);
}

static const struct CMUnitTest	tests[] = {
	T(test_paging_tenants),
	T(test_paging_warehouses_and_catalogs),
	T(test_paging_namespaces_assets_branches_tags),
};

STORE_FAMILY(paging, tests);
