/*
 * Recoverable drops (store ABI 1.18, undrop).
 */
#include <stdint.h>
#include <string.h>

#include "harness.h"

static struct pgl_dropped
dropped_of(const char *tenant, const char *id, const char *name,
    int64_t dropped_at_ms)
{
	struct pgl_dropped	d;

	memset(&d, 0, sizeof(d));
	d.id = id;
	d.tenant_id = tenant;
	d.catalog = "cat";
	d.branch = "main";
	d.ns = "db" SEP "inner";
	d.name = name;
	d.kind = "ICEBERG_TABLE";
	d.asset_id = "as-1";
	d.location = "s3://bucket/db/t";
	d.metadata_location = "s3://bucket/db/t/metadata/00003-x.metadata.json";
	d.properties = "{\"owner\":\"ann\"}";
	d.created_at_ms = 500;
	d.dropped_at_ms = dropped_at_ms;
	d.dropped_by = "ann";
	d.column_tags = "[{\"field_id\":3,\"tag\":\"pii:email\"}]";
	return (d);
}

static void
seed_dropped(struct fx *f, const char *tenant, const char *id,
    const char *name, int64_t at)
{
	struct pgl_dropped	d = dropped_of(tenant, id, name, at);

	OK(f, ops->put_dropped(f->s, &d, &f->err));
}

static void
test_dropped_are_offered_from_abi_1_18_with_all_four(void **state)
{
	struct pgl_store_ops	o = *ops;

	(void)state;
	assert_true(pgl_store_has_dropped(&o));
	o.abi_minor = 17;
	assert_false(pgl_store_has_dropped(&o));
	o = *ops;
	o.delete_dropped = NULL;
	assert_false(pgl_store_has_dropped(&o));
}

/* ABI 1.20: the entry keeps column tags; an older plugin's does not. */
static void
test_dropped_column_tags_are_offered_from_abi_1_20(void **state)
{
	struct pgl_store_ops	o = *ops;

	(void)state;
	assert_true(pgl_store_has_dropped_tags(&o));
	o.abi_minor = 19;
	assert_false(pgl_store_has_dropped_tags(&o));
}

/* Every field back as put; another tenant's id is not found. */
static void
test_dropped_round_trip_keeps_every_field(void **state)
{
	struct fx		*f = *state;
	struct pgl_dropped	 d, got;

	seed_catalog_tree(f, "t-a");
	seed_catalog_tree(f, "t-b");
	d = dropped_of("t-a", "d-1", "t1", 1000);
	OK(f, ops->put_dropped(f->s, &d, &f->err));
	OK(f, ops->get_dropped(f->s, f->a, "t-a", "d-1", &got, &f->err));
	assert_string_equal(got.id, "d-1");
	assert_string_equal(got.tenant_id, "t-a");
	assert_string_equal(got.catalog, "cat");
	assert_string_equal(got.branch, "main");
	assert_string_equal(got.ns, "db" SEP "inner");
	assert_string_equal(got.name, "t1");
	assert_string_equal(got.kind, "ICEBERG_TABLE");
	assert_string_equal(got.asset_id, "as-1");
	assert_string_equal(got.location, d.location);
	assert_string_equal(got.metadata_location, d.metadata_location);
	assert_string_equal(got.properties, d.properties);
	assert_int_equal(got.created_at_ms, 500);
	assert_int_equal(got.dropped_at_ms, 1000);
	assert_string_equal(got.dropped_by, "ann");
	/* ABI 1.20: the asset's column tags, which a restore puts back. */
	assert_non_null(got.column_tags);
	assert_string_equal(got.column_tags, d.column_tags);
	FAILS(f, PGL_ENOTFOUND, ops->get_dropped(f->s, f->a, "t-b", "d-1",
	    &got, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_dropped(f->s, f->a, "t-a", "d-2",
	    &got, &f->err));
}

/* A view without a location, NULL fields, and the two refusals. */
static void
test_dropped_put_twice_is_eexists_and_needs_its_catalog(void **state)
{
	struct fx		*f = *state;
	struct pgl_dropped	 d, got;

	seed_catalog_tree(f, "t-a");
	d = dropped_of("t-a", "d-1", "v1", 1000);
	d.kind = "VIEW";
	d.asset_id = NULL;
	d.location = NULL;
	d.dropped_by = NULL;
	d.column_tags = NULL;
	OK(f, ops->put_dropped(f->s, &d, &f->err));
	OK(f, ops->get_dropped(f->s, f->a, "t-a", "d-1", &got, &f->err));
	assert_string_equal(got.kind, "VIEW");
	assert_null(got.asset_id);
	assert_null(got.location);
	assert_null(got.dropped_by);
	assert_null(got.column_tags);
	FAILS(f, PGL_EEXISTS, ops->put_dropped(f->s, &d, &f->err));
	d.id = "d-2";
	d.catalog = "nocat";
	FAILS(f, PGL_ENOTFOUND, ops->put_dropped(f->s, &d, &f->err));
	d.catalog = "cat";
	d.tenant_id = "t-none";
	FAILS(f, PGL_ENOTFOUND, ops->put_dropped(f->s, &d, &f->err));
}

/* Newest first, paged, with the total: a catalog's, a tenant's, all. */
static void
test_dropped_list_newest_first_per_catalog_tenant_and_all(void **state)
{
	struct fx		*f = *state;
	struct pgl_catalog	 c = { "cat-t-a-other", "t-a", "other", "Local",
				    "wh", "s3://bucket/o", NULL, "{}" };
	struct pgl_page		 all = { 0, 0, NULL };
	struct pgl_page		 p2 = { 2, 1, NULL };
	struct pgl_dropped	*items, d;
	size_t			 n;
	uint64_t		 total;

	seed_catalog_tree(f, "t-a");
	seed_catalog_tree(f, "t-b");
	OK(f, ops->create_catalog(f->s, &c, &f->err));
	seed_dropped(f, "t-a", "d-1", "a", 1000);
	seed_dropped(f, "t-a", "d-2", "b", 3000);
	seed_dropped(f, "t-a", "d-3", "c", 2000);
	seed_dropped(f, "t-a", "d-4", "d", 2000);
	d = dropped_of("t-a", "d-5", "e", 4000);
	d.catalog = "other";
	OK(f, ops->put_dropped(f->s, &d, &f->err));
	seed_dropped(f, "t-b", "d-1", "x", 5000);

	OK(f, ops->list_dropped(f->s, f->a, "t-a", "cat", &all, &items, &n,
	    &total, &f->err));
	assert_int_equal(n, 4);
	assert_int_equal(total, 4);
	assert_string_equal(items[0].id, "d-2");
	assert_string_equal(items[3].column_tags, d.column_tags);
	assert_string_equal(items[1].id, "d-4");	/* same ms: by id */
	assert_string_equal(items[2].id, "d-3");
	assert_string_equal(items[3].id, "d-1");
	OK(f, ops->list_dropped(f->s, f->a, "t-a", "cat", &p2, &items, &n,
	    &total, &f->err));
	assert_int_equal(n, 2);
	assert_int_equal(total, 4);
	assert_string_equal(items[0].id, "d-4");
	assert_string_equal(items[1].id, "d-3");

	OK(f, ops->list_dropped(f->s, f->a, "t-a", NULL, &all, &items, &n,
	    &total, &f->err));
	assert_int_equal(n, 5);
	assert_int_equal(total, 5);
	assert_string_equal(items[0].id, "d-5");
	assert_string_equal(items[0].catalog, "other");

	OK(f, ops->list_dropped(f->s, f->a, NULL, NULL, &all, &items, &n,
	    &total, &f->err));
	assert_int_equal(n, 6);
	assert_int_equal(total, 6);
	assert_string_equal(items[0].tenant_id, "t-b");
	OK(f, ops->list_dropped(f->s, f->a, "t-b", "other", &all, &items, &n,
	    &total, &f->err));
	assert_int_equal(n, 0);
	assert_int_equal(total, 0);
}

/* One delete wins; a second, or another tenant's, is not found. */
static void
test_dropped_delete_once_and_only_the_tenants(void **state)
{
	struct fx		*f = *state;
	struct pgl_dropped	 got;

	seed_catalog_tree(f, "t-a");
	seed_catalog_tree(f, "t-b");
	seed_dropped(f, "t-a", "d-1", "a", 1000);
	seed_dropped(f, "t-b", "d-1", "a", 1000);
	FAILS(f, PGL_ENOTFOUND, ops->delete_dropped(f->s, "t-c", "d-1",
	    &f->err));
	OK(f, ops->delete_dropped(f->s, "t-a", "d-1", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->delete_dropped(f->s, "t-a", "d-1",
	    &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_dropped(f->s, f->a, "t-a", "d-1",
	    &got, &f->err));
	OK(f, ops->get_dropped(f->s, f->a, "t-b", "d-1", &got, &f->err));
}

/* Deleting the catalog, or the tenant, takes its entries. */
static void
test_dropped_go_with_their_catalog_and_tenant(void **state)
{
	struct fx		*f = *state;
	struct pgl_page		 all = { 0, 0, NULL };
	struct pgl_dropped	*items;
	size_t			 n;
	uint64_t		 total;

	seed_catalog_tree(f, "t-a");
	seed_catalog_tree(f, "t-b");
	seed_dropped(f, "t-a", "d-1", "a", 1000);
	seed_dropped(f, "t-b", "d-2", "a", 1000);
	OK(f, ops->delete_catalog(f->s, "t-a", "cat", &f->err));
	OK(f, ops->list_dropped(f->s, f->a, "t-a", NULL, &all, &items, &n,
	    &total, &f->err));
	assert_int_equal(total, 0);
	OK(f, ops->delete_tenant(f->s, "t-b", &f->err));
	OK(f, ops->list_dropped(f->s, f->a, NULL, NULL, &all, &items, &n,
	    &total, &f->err));
	assert_int_equal(total, 0);
}

/* The drop's transaction rolled back keeps no entry. */
static void
test_dropped_put_in_a_rolled_back_transaction_is_not_kept(void **state)
{
	struct fx		*f = *state;
	struct pgl_dropped	 got;

	if (congodb()) {
		print_message("  SKIPPED on CongoDB: no atomic transactions\n");
		skip();
		return;
	}
	seed_catalog_tree(f, "t-a");
	OK(f, ops->begin(f->s, &f->err));
	OK(f, ops->delete_asset(f->s, "t-a", "cat", "main", "db", "t1",
	    &f->err));
	seed_dropped(f, "t-a", "d-1", "t1", 1000);
	OK(f, ops->rollback(f->s, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_dropped(f->s, f->a, "t-a", "d-1",
	    &got, &f->err));
}

static const struct CMUnitTest	tests[] = {
	T(test_dropped_are_offered_from_abi_1_18_with_all_four),
	cmocka_unit_test(test_dropped_column_tags_are_offered_from_abi_1_20),
	T(test_dropped_round_trip_keeps_every_field),
	T(test_dropped_put_twice_is_eexists_and_needs_its_catalog),
	T(test_dropped_list_newest_first_per_catalog_tenant_and_all),
	T(test_dropped_delete_once_and_only_the_tenants),
	T(test_dropped_go_with_their_catalog_and_tenant),
	T(test_dropped_put_in_a_rolled_back_transaction_is_not_kept),
};

STORE_FAMILY(dropped, tests);
