/*
 * Tenants, warehouses and catalogs: create, read, update and delete,
 * names unique where they must be, a warehouse in use kept, a rename
 * followed by its catalogs, and a catalog's counts.
 */
#include <string.h>

#include "harness.h"

static void
test_tenant_crud(void **state)
{
	struct fx		*f = *state;
	struct pgl_tenant	t, upd = { "t-a", "renamed", "{\"x\":\"1\"}" };
	struct pgl_tenant	bare = { "t-b", "bare", NULL };

	seed_tenant(f, "t-a", "acme");
	OK(f, ops->get_tenant(f->s, f->a, "t-a", &t, &f->err));
	assert_string_equal(t.id, "t-a");
	assert_string_equal(t.name, "acme");
	assert_string_equal(t.properties, "{\"k\":\"v\"}");

	OK(f, ops->update_tenant(f->s, &upd, &f->err));
	OK(f, ops->get_tenant(f->s, f->a, "t-a", &t, &f->err));
	assert_string_equal(t.name, "renamed");
	assert_string_equal(t.properties, "{\"x\":\"1\"}");

	/* NULL properties are stored as the empty object. */
	OK(f, ops->create_tenant(f->s, &bare, &f->err));
	OK(f, ops->get_tenant(f->s, f->a, "t-b", &t, &f->err));
	assert_string_equal(t.properties, "{}");

	OK(f, ops->delete_tenant(f->s, "t-a", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_tenant(f->s, f->a, "t-a", &t,
	    &f->err));
}

static void
test_tenant_id_and_name_are_unique(void **state)
{
	struct fx		*f = *state;
	struct pgl_tenant	same_id = { "t-a", "other", "{}" };
	struct pgl_tenant	same_name = { "t-c", "acme", "{}" };
	struct pgl_tenant	steal = { "t-b", "acme", "{}" };

	seed_tenant(f, "t-a", "acme");
	seed_tenant(f, "t-b", "beta");
	FAILS(f, PGL_EEXISTS, ops->create_tenant(f->s, &same_id, &f->err));
	FAILS(f, PGL_EEXISTS, ops->create_tenant(f->s, &same_name, &f->err));
	FAILS(f, PGL_EEXISTS, ops->update_tenant(f->s, &steal, &f->err));
}

static void
test_missing_tenant_is_enotfound(void **state)
{
	struct fx		*f = *state;
	struct pgl_tenant	t, ghost = { "ghost", "ghost", "{}" };

	FAILS(f, PGL_ENOTFOUND, ops->get_tenant(f->s, f->a, "ghost", &t,
	    &f->err));
	assert_non_null(strstr(f->err.msg, "ghost"));
	FAILS(f, PGL_ENOTFOUND, ops->update_tenant(f->s, &ghost, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->delete_tenant(f->s, "ghost", &f->err));
}

/* Warehouses and catalogs. */

static void
test_warehouse_crud_and_rename_follows_catalogs(void **state)
{
	struct fx		*f = *state;
	struct pgl_warehouse	w, upd = { "ignored", "t-a", "lake",
				    "{\"type\":\"gcs\"}", "\"None\"", 1 };
	struct pgl_catalog	c;

	seed_tenant(f, "t-a", "acme");
	seed_warehouse(f, "t-a", "wh");
	seed_catalog(f, "t-a", "cat", "wh");
	OK(f, ops->get_warehouse(f->s, f->a, "t-a", "wh", &w, &f->err));
	assert_string_equal(w.id, "wh-t-a-wh");
	assert_string_equal(w.tenant_id, "t-a");
	assert_string_equal(w.storage_config, "{\"type\":\"s3\"}");
	assert_null(w.vending_strategy);
	assert_int_equal(w.use_sts, 0);

	/* Renamed: the id stays, and the catalog follows the new name. */
	OK(f, ops->update_warehouse(f->s, "wh", &upd, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_warehouse(f->s, f->a, "t-a", "wh",
	    &w, &f->err));
	OK(f, ops->get_warehouse(f->s, f->a, "t-a", "lake", &w, &f->err));
	assert_string_equal(w.id, "wh-t-a-wh");
	assert_string_equal(w.storage_config, "{\"type\":\"gcs\"}");
	assert_string_equal(w.vending_strategy, "\"None\"");
	assert_int_equal(w.use_sts, 1);
	OK(f, ops->get_catalog(f->s, f->a, "t-a", "cat", &c, &f->err));
	assert_string_equal(c.warehouse_name, "lake");

	FAILS(f, PGL_ENOTFOUND, ops->update_warehouse(f->s, "wh", &upd,
	    &f->err));
	seed_warehouse(f, "t-a", "spare");
	FAILS(f, PGL_EEXISTS, ops->update_warehouse(f->s, "spare", &upd,
	    &f->err));
	OK(f, ops->delete_warehouse(f->s, "t-a", "spare", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->delete_warehouse(f->s, "t-a", "spare",
	    &f->err));
}

static void
test_warehouse_names_are_unique_per_tenant(void **state)
{
	struct fx		*f = *state;
	struct pgl_warehouse	dup = { "other-id", "t-a", "wh", "{}", NULL,
				    0 };
	struct pgl_warehouse	dup_id = { "wh-t-a-wh", "t-a", "wh2", "{}",
				    NULL, 0 };
	struct pgl_warehouse	orphan = { "o", "ghost", "wh", "{}", NULL,
				    0 };

	seed_tenant(f, "t-a", "acme");
	seed_tenant(f, "t-b", "beta");
	seed_warehouse(f, "t-a", "wh");
	/* The same name in another tenant is another warehouse. */
	seed_warehouse(f, "t-b", "wh");
	FAILS(f, PGL_EEXISTS, ops->create_warehouse(f->s, &dup, &f->err));
	FAILS(f, PGL_EEXISTS, ops->create_warehouse(f->s, &dup_id, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->create_warehouse(f->s, &orphan,
	    &f->err));
}

static void
test_delete_warehouse_in_use_is_einuse(void **state)
{
	struct fx		*f = *state;
	struct pgl_catalog	c;
	struct pgl_warehouse	w;

	seed_tenant(f, "t-a", "acme");
	seed_warehouse(f, "t-a", "wh");
	seed_catalog(f, "t-a", "cat", "wh");
	FAILS(f, PGL_EINUSE, ops->delete_warehouse(f->s, "t-a", "wh",
	    &f->err));
	OK(f, ops->get_warehouse(f->s, f->a, "t-a", "wh", &w, &f->err));

	/* Once no catalog names it, it can go. */
	OK(f, ops->get_catalog(f->s, f->a, "t-a", "cat", &c, &f->err));
	c.warehouse_name = NULL;
	OK(f, ops->update_catalog(f->s, "t-a", &c, &f->err));
	OK(f, ops->delete_warehouse(f->s, "t-a", "wh", &f->err));
}

static void
test_catalog_crud(void **state)
{
	struct fx		*f = *state;
	struct pgl_catalog	c;

	seed_tenant(f, "t-a", "acme");
	seed_warehouse(f, "t-a", "wh");
	seed_warehouse(f, "t-a", "wh2");
	seed_catalog(f, "t-a", "cat", "wh");
	OK(f, ops->get_catalog(f->s, f->a, "t-a", "cat", &c, &f->err));
	assert_string_equal(c.id, "cat-t-a-cat");
	assert_string_equal(c.tenant_id, "t-a");
	assert_string_equal(c.catalog_type, "Local");
	assert_string_equal(c.warehouse_name, "wh");
	assert_string_equal(c.storage_location, "s3://bucket/x");
	assert_null(c.federated_config);
	assert_string_equal(c.properties, "{}");

	c.warehouse_name = "wh2";
	c.storage_location = NULL;
	c.properties = "{\"a\":\"b\"}";
	OK(f, ops->update_catalog(f->s, "t-a", &c, &f->err));
	OK(f, ops->get_catalog(f->s, f->a, "t-a", "cat", &c, &f->err));
	assert_string_equal(c.warehouse_name, "wh2");
	assert_null(c.storage_location);
	assert_string_equal(c.properties, "{\"a\":\"b\"}");

	c.warehouse_name = "nope";
	FAILS(f, PGL_ENOTFOUND, ops->update_catalog(f->s, "t-a", &c,
	    &f->err));
	OK(f, ops->delete_catalog(f->s, "t-a", "cat", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_catalog(f->s, f->a, "t-a", "cat", &c,
	    &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->delete_catalog(f->s, "t-a", "cat",
	    &f->err));
	c.name = "cat";
	c.warehouse_name = "wh";
	FAILS(f, PGL_ENOTFOUND, ops->update_catalog(f->s, "t-a", &c,
	    &f->err));
}

static void
test_catalog_needs_tenant_and_warehouse(void **state)
{
	struct fx		*f = *state;
	struct pgl_catalog	no_tenant = { "c1", "ghost", "cat", "Local",
				    NULL, NULL, NULL, "{}" };
	struct pgl_catalog	no_wh = { "c2", "t-a", "cat", "Local", "nope",
				    NULL, NULL, "{}" };
	struct pgl_catalog	dup = { "c3", "t-a", "cat", "Local", NULL,
				    NULL, NULL, "{}" };
	struct pgl_catalog	dup_id = { "cat-t-a-cat", "t-a", "cat2",
				    "Local", NULL, NULL, NULL, "{}" };

	seed_tenant(f, "t-a", "acme");
	FAILS(f, PGL_ENOTFOUND, ops->create_catalog(f->s, &no_tenant,
	    &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->create_catalog(f->s, &no_wh, &f->err));
	/* A warehouse is optional. */
	seed_catalog(f, "t-a", "cat", NULL);
	FAILS(f, PGL_EEXISTS, ops->create_catalog(f->s, &dup, &f->err));
	FAILS(f, PGL_EEXISTS, ops->create_catalog(f->s, &dup_id, &f->err));
}

static void
test_count_catalog(void **state)
{
	struct fx			*f = *state;
	struct pgl_catalog_counts	n;

	seed_catalog_tree(f, "t-a");
	seed_ns(f, "t-a", "cat", "db2");
	seed_asset(f, "t-a", "cat", "main", "db2", "t2", "ICEBERG_TABLE");
	seed_asset(f, "t-a", "cat", "main", "db2", "g", "GENERIC");
	seed_branch(f, "t-a", "cat", "dev");
	seed_asset(f, "t-a", "cat", "dev", "db", "t1", "ICEBERG_TABLE");
	seed_commit(f, "t-a", "cat", "c1", NULL);
	struct pgl_tag	tag = { "cat", "v1", "c1", 0 };
	OK(f, ops->create_tag(f->s, "t-a", &tag, &f->err));

	OK(f, ops->count_catalog(f->s, "t-a", "cat", &n, &f->err));
	assert_int_equal(n.namespaces, 2);
	assert_int_equal(n.tables, 2);		/* on main only */
	assert_int_equal(n.views, 1);
	assert_int_equal(n.assets, 5);		/* every branch */
	assert_int_equal(n.branches, 2);
	assert_int_equal(n.tags, 1);
	FAILS(f, PGL_ENOTFOUND, ops->count_catalog(f->s, "t-a", "nope", &n,
	    &f->err));
}

static const struct CMUnitTest	tests[] = {
	T(test_tenant_crud),
	T(test_tenant_id_and_name_are_unique),
	T(test_missing_tenant_is_enotfound),
	T(test_warehouse_crud_and_rename_follows_catalogs),
	T(test_warehouse_names_are_unique_per_tenant),
	T(test_delete_warehouse_in_use_is_einuse),
	T(test_catalog_crud),
	T(test_catalog_needs_tenant_and_warehouse),
	T(test_count_catalog),
};

STORE_FAMILY(catalogs, tests);
