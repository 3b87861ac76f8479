/*
 * What a delete takes and what a tenant sees: deleting a catalog or a
 * tenant takes everything inside (10,000 commits quickly), and one tenant
 * sees none of another's rows, by any method.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

static void
seed_history(struct fx *f, const char *tenant)
{
	struct pgl_tag		tag = { "cat", "v1", "c2", 0 };
	struct pgl_idempotent	k = { "key-1", "POST /x", 200, "{}",
				    INT64_MAX };

	seed_catalog_tree(f, tenant);
	seed_branch(f, tenant, "cat", "dev");
	seed_asset(f, tenant, "cat", "dev", "db", "t1", "ICEBERG_TABLE");
	seed_commit(f, tenant, "cat", "c1", NULL);
	seed_commit(f, tenant, "cat", "c2", "c1");
	OK(f, ops->update_branch_head(f->s, tenant, "cat", "main", NULL, "c2",
	    &f->err));
	OK(f, ops->create_tag(f->s, tenant, &tag, &f->err));
	OK(f, ops->put_idempotent(f->s, tenant, &k, &f->err));
}

static void
expect_catalog_empty(struct fx *f, const char *tenant)
{
	struct pgl_catalog_counts	n;
	struct pgl_commit		c;

	OK(f, ops->count_catalog(f->s, tenant, "cat", &n, &f->err));
	assert_int_equal(n.namespaces + n.assets + n.branches + n.tags, 0);
	FAILS(f, PGL_ENOTFOUND, ops->get_commit(f->s, f->a, tenant, "c1", &c,
	    &f->err));
}

static void
test_delete_catalog_cascades(void **state)
{
	struct fx	*f = *state;

	seed_history(f, "t-a");
	OK(f, ops->delete_catalog(f->s, "t-a", "cat", &f->err));
	/* Recreated under the same name, it starts empty. */
	seed_catalog(f, "t-a", "cat", "wh");
	expect_catalog_empty(f, "t-a");
}

static void
test_delete_tenant_cascades(void **state)
{
	struct fx		*f = *state;
	struct pgl_idempotent	k;
	struct pgl_catalog_counts n;

	seed_history(f, "t-a");
	seed_catalog_tree(f, "t-b");
	OK(f, ops->delete_tenant(f->s, "t-a", &f->err));
	seed_tenant(f, "t-a", "again");
	seed_warehouse(f, "t-a", "wh");
	seed_catalog(f, "t-a", "cat", "wh");
	expect_catalog_empty(f, "t-a");
	FAILS(f, PGL_ENOTFOUND, ops->get_idempotent(f->s, f->a, "t-a",
	    "key-1", 0, &k, &f->err));
	OK(f, ops->count_catalog(f->s, "t-b", "cat", &n, &f->err));
	assert_int_equal(n.assets, 2);
}

static void
test_catalog_delete_of_10000_commits_is_quick(void **state)
{
	struct fx	*f = *state;
	char		id[16], parent[16];
	double		t0, ms;
	size_t		i;

	seed_catalog_tree(f, "t-a");
	OK(f, ops->begin(f->s, &f->err));
	for (i = 0; i < 10000; i++) {
		snprintf(id, sizeof(id), "c%05zu", i);
		seed_commit(f, "t-a", "cat", id, i == 0 ? NULL : parent);
		memcpy(parent, id, sizeof(id));
		seed_batch(f, i);
	}
	OK(f, ops->update_branch_head(f->s, "t-a", "cat", "main", NULL,
	    parent, &f->err));
	OK(f, ops->commit(f->s, &f->err));
	t0 = now_ms();
	OK(f, ops->delete_catalog(f->s, "t-a", "cat", &f->err));
	ms = now_ms() - t0;
	print_message("  delete catalog with 10000 commits: %.1f ms\n", ms);
	/* Without an index leading with parent_id, each cascaded commit
	 * scanned the catalog's commits for children: 23 s, not 0.1. */
	assert_true(ms < 5000.0);
}

/* Tenant isolation: t-b sees none of t-a's rows, by any method. */

static void
test_tenant_isolation(void **state)
{
	struct fx			*f = *state;
	struct pgl_warehouse		w, *ws;
	struct pgl_catalog		c, *cs;
	struct pgl_namespace		ns, *nss;
	struct pgl_asset		as, *ass;
	struct pgl_branch		b, *bs;
	struct pgl_tag			t, *ts;
	struct pgl_commit		cm, *cms;
	struct pgl_idempotent		k;
	struct pgl_catalog_counts	cnt;
	uint64_t			total, copied;
	size_t				n;
	const char			*B = "t-b";

	seed_history(f, "t-a");
	seed_tenant(f, B, "beta");
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "db", "t1",
	    &as, &f->err));
	const char	*asset_id = as.id;

	FAILS(f, PGL_ENOTFOUND, ops->get_warehouse(f->s, f->a, B, "wh", &w,
	    &f->err));
	OK(f, ops->list_warehouses(f->s, f->a, B, NULL, &ws, &n, &total,
	    &f->err));
	assert_int_equal(n + total, 0);
	w = (struct pgl_warehouse){ "x", B, "wh", "{}", NULL, 0 };
	FAILS(f, PGL_ENOTFOUND, ops->update_warehouse(f->s, "wh", &w,
	    &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->delete_warehouse(f->s, B, "wh", &f->err));

	FAILS(f, PGL_ENOTFOUND, ops->get_catalog(f->s, f->a, B, "cat", &c,
	    &f->err));
	OK(f, ops->list_catalogs(f->s, f->a, B, NULL, &cs, &n, &total,
	    &f->err));
	assert_int_equal(n + total, 0);
	c = (struct pgl_catalog){ "x", B, "cat", "Local", NULL, NULL, NULL,
	    "{}" };
	FAILS(f, PGL_ENOTFOUND, ops->update_catalog(f->s, B, &c, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->count_catalog(f->s, B, "cat", &cnt,
	    &f->err));
	/* t-a's warehouse is not B's warehouse. */
	c.warehouse_name = "wh";
	FAILS(f, PGL_ENOTFOUND, ops->create_catalog(f->s, &c, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->delete_catalog(f->s, B, "cat", &f->err));

	FAILS(f, PGL_ENOTFOUND, ops->get_namespace(f->s, f->a, B, "cat", "db",
	    &ns, &f->err));
	OK(f, ops->list_namespaces(f->s, f->a, B, "cat", NULL, NULL, &nss, &n,
	    &total, &f->err));
	assert_int_equal(n + total, 0);
	ns = (struct pgl_namespace){ "cat", "db", "{}" };
	FAILS(f, PGL_ENOTFOUND, ops->update_namespace(f->s, B, &ns, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->create_namespace(f->s, B, &ns, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->delete_namespace(f->s, B, "cat", "db",
	    &f->err));

	FAILS(f, PGL_ENOTFOUND, ops->get_asset(f->s, f->a, B, "cat", "main",
	    "db", "t1", &as, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_asset_by_id(f->s, f->a, B, asset_id,
	    &as, &f->err));
	OK(f, ops->list_assets(f->s, f->a, B, "cat", "main", "db", NULL, NULL,
	    &ass, &n, &total, &f->err));
	assert_int_equal(n + total, 0);
	OK(f, ops->list_assets(f->s, f->a, B, "cat", "main", NULL, NULL, NULL,
	    &ass, &n, &total, &f->err));
	assert_int_equal(n + total, 0);
	OK(f, ops->list_all_assets_for_branch(f->s, f->a, B, "cat", "main",
	    &ass, &n, &f->err));
	assert_int_equal(n, 0);
	as = (struct pgl_asset){ "y", "cat", "main", "db", "t1",
	    "ICEBERG_TABLE", "l", "m", "{}", 0, 0, NULL };
	FAILS(f, PGL_ENOTFOUND, ops->update_asset(f->s, B, &as, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->create_asset(f->s, B, &as, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->rename_asset(f->s, B, "cat", "main", "db",
	    "t1", "db", "t9", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->update_metadata_location(f->s, B, "cat",
	    "main", "db", "t1", "s3://bucket/t1/00000.metadata.json", "evil",
	    &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->delete_asset(f->s, B, "cat", "main", "db",
	    "t1", &f->err));
	/* B cannot copy t-a's rows into t-a's branch, nor into its own. */
	OK(f, ops->copy_assets_bulk(f->s, B, "cat", "main", "dev",
	    NULL, NULL, &copied, &f->err));
	assert_int_equal(copied, 0);

	FAILS(f, PGL_ENOTFOUND, ops->get_branch(f->s, f->a, B, "cat", "main",
	    &b, &f->err));
	OK(f, ops->list_branches(f->s, f->a, B, "cat", NULL, &bs, &n, &total,
	    &f->err));
	assert_int_equal(n + total, 0);
	FAILS(f, PGL_ENOTFOUND, ops->update_branch_head(f->s, B, "cat", "main",
	    "c2", "c1", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->delete_branch(f->s, B, "cat", "dev",
	    &f->err));

	FAILS(f, PGL_ENOTFOUND, ops->get_tag(f->s, f->a, B, "cat", "v1", &t,
	    &f->err));
	OK(f, ops->list_tags(f->s, f->a, B, "cat", NULL, &ts, &n, &total,
	    &f->err));
	assert_int_equal(n + total, 0);
	FAILS(f, PGL_ENOTFOUND, ops->delete_tag(f->s, B, "cat", "v1",
	    &f->err));

	FAILS(f, PGL_ENOTFOUND, ops->get_commit(f->s, f->a, B, "c1", &cm,
	    &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_commit_ancestry(f->s, f->a, B, "c2",
	    0, &cms, &n, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_idempotent(f->s, f->a, B, "key-1", 0,
	    &k, &f->err));

	/* And t-a's rows are all still there, unchanged. */
	OK(f, ops->count_catalog(f->s, "t-a", "cat", &cnt, &f->err));
	assert_int_equal(cnt.namespaces, 1);
	assert_int_equal(cnt.assets, 3);
	assert_int_equal(cnt.branches, 2);
	assert_int_equal(cnt.tags, 1);
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "db", "t1",
	    &as, &f->err));
	assert_string_equal(as.metadata_location,
	    "s3://bucket/t1/00000.metadata.json");
	OK(f, ops->get_warehouse(f->s, f->a, "t-a", "wh", &w, &f->err));
	OK(f, ops->get_idempotent(f->s, f->a, "t-a", "key-1", 0, &k, &f->err));
}

static const struct CMUnitTest	tests[] = {
	T(test_delete_catalog_cascades),
	T(test_delete_tenant_cascades),
	T(test_catalog_delete_of_10000_commits_is_quick),
	T(test_tenant_isolation),
};

STORE_FAMILY(cascades, tests);
