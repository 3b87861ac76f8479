/*
 * Assets, keyed by (tenant, catalog, branch, namespace, name): create,
 * read, rename, lists by namespace and kind, keyset pages (ABI 1.9) and
 * copy_assets_bulk (a branch's assets copied in one call, 10,000 too).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "harness.h"

static double
clock_ms(clockid_t id)
{
	struct timespec	ts;

	clock_gettime(id, &ts);
	return (ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
}

static double
cpu_ms(void)
{
	return (clock_ms(CLOCK_PROCESS_CPUTIME_ID));
}

/* Assets. */

static void
test_asset_crud(void **state)
{
	struct fx		*f = *state;
	struct pgl_asset	as, by_id;

	seed_catalog_tree(f, "t-a");
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "db", "t1",
	    &as, &f->err));
	assert_string_equal(as.id, "as-t-a-cat-main-db-t1");
	assert_string_equal(as.catalog, "cat");
	assert_string_equal(as.branch, "main");
	assert_string_equal(as.ns, "db");
	assert_string_equal(as.name, "t1");
	assert_string_equal(as.kind, "ICEBERG_TABLE");
	assert_string_equal(as.location, "s3://bucket/t");
	assert_string_equal(as.metadata_location,
	    "s3://bucket/t1/00000.metadata.json");
	assert_string_equal(as.properties, "{}");
	assert_true(as.created_at_ms > 1600000000000LL);
	assert_true(as.updated_at_ms >= as.created_at_ms);

	OK(f, ops->get_asset_by_id(f->s, f->a, "t-a", as.id, &by_id,
	    &f->err));
	assert_string_equal(by_id.name, "t1");
	assert_string_equal(by_id.ns, "db");
	assert_string_equal(by_id.branch, "main");

	as.location = "s3://bucket/moved";
	as.properties = "{\"p\":\"1\"}";
	as.updated_at_ms = 0;
	OK(f, ops->update_asset(f->s, "t-a", &as, &f->err));
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "db", "t1",
	    &by_id, &f->err));
	assert_string_equal(by_id.location, "s3://bucket/moved");
	assert_string_equal(by_id.properties, "{\"p\":\"1\"}");
	assert_int_equal(by_id.created_at_ms, as.created_at_ms);

	OK(f, ops->delete_asset(f->s, "t-a", "cat", "main", "db", "t1",
	    &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_asset(f->s, f->a, "t-a", "cat",
	    "main", "db", "t1", &as, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_asset_by_id(f->s, f->a, "t-a",
	    "as-t-a-cat-main-db-t1", &as, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->delete_asset(f->s, "t-a", "cat", "main",
	    "db", "t1", &f->err));
	as.name = "t1";
	FAILS(f, PGL_ENOTFOUND, ops->update_asset(f->s, "t-a", &as, &f->err));
}

static void
test_asset_needs_branch_and_namespace(void **state)
{
	struct fx		*f = *state;
	struct pgl_asset	as = { "x1", "cat", "nobranch", "db", "t9",
				    "ICEBERG_TABLE", "l", NULL, "{}", 0, 0, NULL };

	seed_catalog_tree(f, "t-a");
	FAILS(f, PGL_ENOTFOUND, ops->create_asset(f->s, "t-a", &as, &f->err));
	as.branch = "main";
	as.ns = "nons";
	FAILS(f, PGL_ENOTFOUND, ops->create_asset(f->s, "t-a", &as, &f->err));
	as.ns = "db";
	as.name = "t1";
	FAILS(f, PGL_EEXISTS, ops->create_asset(f->s, "t-a", &as, &f->err));
	as.name = "t9";
	as.id = "as-t-a-cat-main-db-t1";	/* ids are unique too */
	FAILS(f, PGL_EEXISTS, ops->create_asset(f->s, "t-a", &as, &f->err));
	/* No id: the store makes one. */
	as.id = NULL;
	OK(f, ops->create_asset(f->s, "t-a", &as, &f->err));
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "db", "t9",
	    &as, &f->err));
	assert_int_equal(strlen(as.id), 36);
}

static void
test_rename_asset(void **state)
{
	struct fx		*f = *state;
	struct pgl_asset	as;

	seed_catalog_tree(f, "t-a");
	seed_ns(f, "t-a", "cat", "db2");
	OK(f, ops->rename_asset(f->s, "t-a", "cat", "main", "db", "t1", "db2",
	    "t2", &f->err));
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "db2", "t2",
	    &as, &f->err));
	assert_string_equal(as.id, "as-t-a-cat-main-db-t1");
	FAILS(f, PGL_ENOTFOUND, ops->get_asset(f->s, f->a, "t-a", "cat",
	    "main", "db", "t1", &as, &f->err));

	FAILS(f, PGL_EEXISTS, ops->rename_asset(f->s, "t-a", "cat", "main",
	    "db2", "t2", "db", "v1", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->rename_asset(f->s, "t-a", "cat", "main",
	    "db2", "t2", "nons", "t3", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->rename_asset(f->s, "t-a", "cat", "main",
	    "db", "t1", "db", "t3", &f->err));
}

/* ABI 1.9: keyset pages read each row once, key fields only. */
static void
test_list_assets_after_a_key(void **state)
{
	struct fx		*f = *state;
	struct pgl_asset	*items;
	size_t			n;

	seed_catalog_tree(f, "t-a");
	seed_tenant(f, "t-b", "beta");
	seed_ns(f, "t-a", "cat", "aa");
	seed_asset(f, "t-a", "cat", "main", "aa", "zz", "ICEBERG_TABLE");
	seed_asset(f, "t-a", "cat", "main", "db", "t3", "ICEBERG_TABLE");
	seed_asset(f, "t-a", "cat", "main", "db", "t2", "ICEBERG_TABLE");
	seed_branch(f, "t-a", "cat", "dev");
	seed_asset(f, "t-a", "cat", "dev", "db", "only_dev", "ICEBERG_TABLE");

	OK(f, ops->list_assets_after(f->s, f->a, "t-a", "cat", "main", "db",
	    NULL, NULL, "t1", 2, &items, &n, &f->err));
	assert_int_equal(n, 2);
	assert_string_equal(items[0].name, "t2");
	assert_string_equal(items[1].name, "t3");
	assert_string_equal(items[1].ns, "db");
	assert_string_equal(items[1].id, "as-t-a-cat-main-db-t3");
	assert_string_equal(items[1].kind, "ICEBERG_TABLE");
	assert_null(items[1].location);
	assert_null(items[1].metadata_location);
	assert_null(items[1].properties);
	OK(f, ops->list_assets_after(f->s, f->a, "t-a", "cat", "main", "db",
	    NULL, NULL, "t3", 2, &items, &n, &f->err));
	assert_int_equal(n, 1);
	assert_string_equal(items[0].name, "v1");
	OK(f, ops->list_assets_after(f->s, f->a, "t-a", "cat", "main", "db",
	    NULL, NULL, "v1", 2, &items, &n, &f->err));
	assert_int_equal(n, 0);

	/* kind filters; the branch and the tenant bound the rows. */
	OK(f, ops->list_assets_after(f->s, f->a, "t-a", "cat", "main", "db",
	    "ICEBERG_TABLE", NULL, "", 10, &items, &n, &f->err));
	assert_int_equal(n, 3);
	assert_string_equal(items[2].name, "t3");
	OK(f, ops->list_assets_after(f->s, f->a, "t-a", "cat", "dev", "db",
	    NULL, NULL, "", 10, &items, &n, &f->err));
	assert_int_equal(n, 1);
	assert_string_equal(items[0].name, "only_dev");
	OK(f, ops->list_assets_after(f->s, f->a, "t-b", "cat", "main", "db",
	    NULL, NULL, "", 10, &items, &n, &f->err));
	assert_int_equal(n, 0);

	/* The whole branch: after (namespace, name). */
	OK(f, ops->list_assets_after(f->s, f->a, "t-a", "cat", "main", NULL,
	    NULL, "aa", "zz", 1, &items, &n, &f->err));
	assert_int_equal(n, 1);
	assert_string_equal(items[0].ns, "db");
	assert_string_equal(items[0].name, "t1");
	OK(f, ops->list_assets_after(f->s, f->a, "t-a", "cat", "main", NULL,
	    NULL, "a", "zzz", 10, &items, &n, &f->err));
	assert_int_equal(n, 5);
	assert_string_equal(items[0].ns, "aa");
	assert_string_equal(items[4].name, "v1");

	FAILS(f, PGL_EINVAL, ops->list_assets_after(f->s, f->a, "t-a", "cat",
	    "main", "db", NULL, NULL, "t1", 0, &items, &n, &f->err));
	FAILS(f, PGL_EINVAL, ops->list_assets_after(f->s, f->a, "t-a", "cat",
	    "main", NULL, NULL, NULL, "t1", 5, &items, &n, &f->err));
}

static void
test_list_assets_by_namespace_and_kind(void **state)
{
	struct fx		*f = *state;
	struct pgl_asset	*items;
	size_t			n;
	uint64_t		total;

	seed_catalog_tree(f, "t-a");
	seed_ns(f, "t-a", "cat", "aa");
	seed_asset(f, "t-a", "cat", "main", "aa", "zz", "ICEBERG_TABLE");
	seed_branch(f, "t-a", "cat", "dev");
	seed_asset(f, "t-a", "cat", "dev", "db", "only_dev", "ICEBERG_TABLE");

	OK(f, ops->list_assets(f->s, f->a, "t-a", "cat", "main", "db", NULL,
	    NULL, &items, &n, &total, &f->err));
	assert_int_equal(n, 2);
	assert_int_equal(total, 2);
	assert_string_equal(items[0].name, "t1");
	assert_string_equal(items[1].name, "v1");

	OK(f, ops->list_assets(f->s, f->a, "t-a", "cat", "main", "db", "VIEW",
	    NULL, &items, &n, &total, &f->err));
	assert_int_equal(n, 1);
	assert_int_equal(total, 1);
	assert_string_equal(items[0].name, "v1");

	/* No namespace: the whole branch, ordered by namespace, name. */
	OK(f, ops->list_assets(f->s, f->a, "t-a", "cat", "main", NULL,
	    "ICEBERG_TABLE", NULL, &items, &n, &total, &f->err));
	assert_int_equal(n, 2);
	assert_int_equal(total, 2);
	assert_string_equal(items[0].ns, "aa");
	assert_string_equal(items[1].ns, "db");
	assert_string_equal(items[1].name, "t1");
}

static void
test_list_all_assets_for_branch(void **state)
{
	struct fx		*f = *state;
	struct pgl_asset	*items;
	size_t			n;

	seed_catalog_tree(f, "t-a");
	seed_ns(f, "t-a", "cat", "a" SEP "b");
	seed_asset(f, "t-a", "cat", "main", "a" SEP "b", "x", "VIEW");
	seed_branch(f, "t-a", "cat", "dev");
	seed_asset(f, "t-a", "cat", "dev", "db", "dev_only", "VIEW");
	OK(f, ops->list_all_assets_for_branch(f->s, f->a, "t-a", "cat",
	    "main", &items, &n, &f->err));
	assert_int_equal(n, 3);
	assert_string_equal(items[0].ns, "a" SEP "b");
	assert_string_equal(items[1].name, "t1");
	assert_string_equal(items[2].name, "v1");
	assert_string_equal(items[2].branch, "main");
	OK(f, ops->list_all_assets_for_branch(f->s, f->a, "t-a", "cat",
	    "nope", &items, &n, &f->err));
	assert_int_equal(n, 0);
}

/* copy_assets_bulk. */

/* main holds a.t1, a.b.t2, ab.t3, a%.t4 and their properties. */
static void
seed_copy_source(struct fx *f)
{
	seed_tenant(f, "t-a", "acme");
	seed_catalog(f, "t-a", "cat", NULL);
	seed_branch(f, "t-a", "cat", "main");
	seed_branch(f, "t-a", "cat", "dev");
	seed_ns(f, "t-a", "cat", "a");
	seed_ns(f, "t-a", "cat", "a" SEP "b");
	seed_ns(f, "t-a", "cat", "ab");
	seed_ns(f, "t-a", "cat", "a%");
	seed_asset(f, "t-a", "cat", "main", "a", "t1", "ICEBERG_TABLE");
	seed_asset(f, "t-a", "cat", "main", "a" SEP "b", "t2", "ICEBERG_TABLE");
	seed_asset(f, "t-a", "cat", "main", "ab", "t3", "VIEW");
	seed_asset(f, "t-a", "cat", "main", "a%", "t4", "ICEBERG_TABLE");
}

static void
expect_branch(struct fx *f, const char *branch, const char **names,
    size_t nnames)
{
	struct pgl_asset	*items, src;
	size_t			n, i;

	OK(f, ops->list_all_assets_for_branch(f->s, f->a, "t-a", "cat",
	    branch, &items, &n, &f->err));
	assert_int_equal(n, nnames);
	for (i = 0; i < n; i++) {
		assert_string_equal(items[i].name, names[i]);
		assert_string_equal(items[i].branch, branch);
		OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main",
		    items[i].ns, items[i].name, &src, &f->err));
		/* A copy: same state, its own id (a UUID v4). */
		assert_string_not_equal(items[i].id, src.id);
		assert_int_equal(strlen(items[i].id), 36);
		assert_int_equal(items[i].id[14], '4');
		assert_string_equal(items[i].metadata_location,
		    src.metadata_location);
		assert_string_equal(items[i].kind, src.kind);
		assert_int_equal(items[i].created_at_ms, src.created_at_ms);
	}
}

static void
test_copy_assets_bulk_copies_all_with_new_ids(void **state)
{
	struct fx		*f = *state;
	static const char	*all[] = { "t1", "t2", "t4", "t3" };
	struct pgl_asset	*items;
	uint64_t		copied;
	size_t			n;

	seed_copy_source(f);
	OK(f, ops->copy_assets_bulk(f->s, "t-a", "cat", "main", "dev", NULL,
	    NULL, &copied, &f->err));
	assert_int_equal(copied, 4);
	expect_branch(f, "dev", all, 4);
	OK(f, ops->list_all_assets_for_branch(f->s, f->a, "t-a", "cat",
	    "main", &items, &n, &f->err));
	assert_int_equal(n, 4);		/* the source is untouched */
}

static void
test_copy_assets_bulk_ns_filter_keeps_namespace_and_children(void **state)
{
	struct fx		*f = *state;
	static const char	*under_a[] = { "t1", "t2" };
	static const char	*under_pct[] = { "t4" };
	uint64_t		copied;

	seed_copy_source(f);
	/* "a" keeps a and a.b, not the sibling "ab" or "a%". */
	OK(f, ops->copy_assets_bulk(f->s, "t-a", "cat", "main", "dev", "a",
	    NULL, &copied, &f->err));
	assert_int_equal(copied, 2);
	expect_branch(f, "dev", under_a, 2);

	seed_branch(f, "t-a", "cat", "pct");
	OK(f, ops->copy_assets_bulk(f->s, "t-a", "cat", "main", "pct", "a%",
	    NULL, &copied, &f->err));
	assert_int_equal(copied, 1);
	expect_branch(f, "pct", under_pct, 1);
}

static void
test_copy_assets_bulk_names_json_selects_tables(void **state)
{
	struct fx		*f = *state;
	static const char	*picked[] = { "t1", "t2" };
	static const char	*both[] = { "t2" };
	uint64_t		copied;

	seed_copy_source(f);
	OK(f, ops->copy_assets_bulk(f->s, "t-a", "cat", "main", "dev", NULL,
	    "[\"a.t1\", \"a.b.t2\", \"nope.t9\"]", &copied, &f->err));
	assert_int_equal(copied, 2);
	expect_branch(f, "dev", picked, 2);

	seed_branch(f, "t-a", "cat", "both");
	OK(f, ops->copy_assets_bulk(f->s, "t-a", "cat", "main", "both",
	    "a" SEP "b", "[\"a.t1\", \"a.b.t2\"]", &copied, &f->err));
	assert_int_equal(copied, 1);
	expect_branch(f, "both", both, 1);

	FAILS(f, PGL_EINVAL, ops->copy_assets_bulk(f->s, "t-a", "cat", "main",
	    "both", NULL, "{not json", &copied, &f->err));
	FAILS(f, PGL_EINVAL, ops->copy_assets_bulk(f->s, "t-a", "cat", "main",
	    "both", NULL, "{\"a\":1}", &copied, &f->err));
}

static void
test_copy_assets_bulk_is_all_or_nothing(void **state)
{
	struct fx		*f = *state;
	struct pgl_asset	*items;
	uint64_t		copied = 99;
	size_t			n;

	seed_copy_source(f);
	FAILS(f, PGL_ENOTFOUND, ops->copy_assets_bulk(f->s, "t-a", "cat",
	    "main", "nope", NULL, NULL, &copied, &f->err));
	assert_int_equal(copied, 0);
	seed_asset(f, "t-a", "cat", "dev", "a", "t1", "ICEBERG_TABLE");
	/* t1 already on dev: the statement fails and copies nothing else. */
	FAILS(f, PGL_EEXISTS, ops->copy_assets_bulk(f->s, "t-a", "cat",
	    "main", "dev", NULL, NULL, &copied, &f->err));
	OK(f, ops->list_all_assets_for_branch(f->s, f->a, "t-a", "cat", "dev",
	    &items, &n, &f->err));
	assert_int_equal(n, 1);
	assert_string_equal(items[0].name, "t1");
}

static void
test_copy_assets_bulk_10000_assets(void **state)
{
	struct fx	*f = *state;
	char		ns[16], name[32];
	uint64_t	copied;
	double		t0, c0, ms, cpu;
	int		i;

	seed_tenant(f, "t-a", "acme");
	seed_catalog(f, "t-a", "cat", NULL);
	seed_branch(f, "t-a", "cat", "main");
	seed_branch(f, "t-a", "cat", "dev");
	seed_branch(f, "t-a", "cat", "part");
	OK(f, ops->begin(f->s, &f->err));
	for (i = 0; i < 10; i++) {
		snprintf(ns, sizeof(ns), "ns%d", i);
		seed_ns(f, "t-a", "cat", ns);
	}
	for (i = 0; i < 10000; i++) {
		snprintf(ns, sizeof(ns), "ns%d", i % 10);
		snprintf(name, sizeof(name), "table_%05d", i);
		seed_asset(f, "t-a", "cat", "main", ns, name, "ICEBERG_TABLE");
		seed_batch(f, (size_t)i);
	}
	OK(f, ops->commit(f->s, &f->err));

	t0 = now_ms();
	c0 = cpu_ms();
	OK(f, ops->copy_assets_bulk(f->s, "t-a", "cat", "main", "dev", NULL,
	    NULL, &copied, &f->err));
	ms = now_ms() - t0;
	cpu = cpu_ms() - c0;
	assert_int_equal(copied, 10000);
	print_message("  copy_assets_bulk: 10000 assets in %.1f ms "
	    "(%.1f ms CPU)\n", ms, cpu);

	t0 = now_ms();
	OK(f, ops->copy_assets_bulk(f->s, "t-a", "cat", "main", "part", "ns3",
	    NULL, &copied, &f->err));
	assert_int_equal(copied, 1000);
	print_message("  copy_assets_bulk: ns_filter, 1000 of 10000 in "
	    "%.1f ms\n", now_ms() - t0);
}

static const struct CMUnitTest	tests[] = {
	T(test_asset_crud),
	T(test_asset_needs_branch_and_namespace),
	T(test_rename_asset),
	T(test_list_assets_by_namespace_and_kind),
	T(test_list_assets_after_a_key),
	T(test_list_all_assets_for_branch),
	T(test_copy_assets_bulk_copies_all_with_new_ids),
	T(test_copy_assets_bulk_ns_filter_keeps_namespace_and_children),
	T(test_copy_assets_bulk_names_json_selects_tables),
	T(test_copy_assets_bulk_is_all_or_nothing),
	T(test_copy_assets_bulk_10000_assets),
};

STORE_FAMILY(assets, tests);
