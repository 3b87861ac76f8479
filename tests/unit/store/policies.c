/*
 * Data policies and column tags (store ABI 1.17, issue 46).
 */
#include <stdint.h>
#include <string.h>

#include "harness.h"

#define TBL_ID	"as-t-a-cat-main-db-t1"

static struct pgl_policy
policy_of(const char *tenant, const char *id, const char *name,
    const char *catalog)
{
	struct pgl_policy	p;

	memset(&p, 0, sizeof(p));
	p.id = id;
	p.tenant_id = tenant;
	p.name = name;
	p.catalog = catalog;
	p.ns = "db";
	p.table_name = "t1";
	p.doc = "{\"kind\":\"row-filter\"}";
	p.created_ms = 1000;
	p.updated_ms = 1000;
	return (p);
}

static void
test_policies_are_offered_from_abi_1_17_with_all_six(void **state)
{
	struct pgl_store_ops	o = *ops;

	(void)state;
	assert_true(pgl_store_has_policies(&o));
	o.abi_minor = 16;
	assert_false(pgl_store_has_policies(&o));
	o = *ops;
	o.list_column_tags = NULL;
	assert_false(pgl_store_has_policies(&o));
}

/* Every field back as put; an update writes scope, doc and updated_ms. */
static void
test_policy_round_trip_and_update(void **state)
{
	struct fx		*f = *state;
	struct pgl_policy	 p, got;

	seed_catalog_tree(f, "t-a");
	p = policy_of("t-a", "p-1", "mask email", "cat");
	OK(f, ops->put_policy(f->s, &p, 1, &f->err));
	OK(f, ops->get_policy(f->s, f->a, "t-a", "p-1", &got, &f->err));
	assert_string_equal(got.id, "p-1");
	assert_string_equal(got.tenant_id, "t-a");
	assert_string_equal(got.name, "mask email");
	assert_string_equal(got.catalog, "cat");
	assert_string_equal(got.ns, "db");
	assert_string_equal(got.table_name, "t1");
	assert_null(got.tag);
	assert_string_equal(got.doc, "{\"kind\":\"row-filter\"}");
	assert_int_equal(got.created_ms, 1000);
	p.name = "renamed";
	p.ns = NULL;
	p.table_name = NULL;
	p.tag = "pii:email";
	p.doc = "{}";
	p.updated_ms = 2000;
	p.created_ms = 5;		/* not written by an update */
	OK(f, ops->put_policy(f->s, &p, 0, &f->err));
	OK(f, ops->get_policy(f->s, f->a, "t-a", "p-1", &got, &f->err));
	assert_string_equal(got.name, "renamed");
	assert_null(got.ns);
	assert_null(got.table_name);
	assert_string_equal(got.tag, "pii:email");
	assert_string_equal(got.doc, "{}");
	assert_int_equal(got.updated_ms, 2000);
	assert_int_equal(got.created_ms, 1000);
	p.id = "p-none";
	FAILS(f, PGL_ENOTFOUND, ops->put_policy(f->s, &p, 0, &f->err));
}

/* Ids and names are unique per tenant; the catalog must be there. */
static void
test_policy_id_and_name_are_unique_and_need_their_catalog(void **state)
{
	struct fx		*f = *state;
	struct pgl_policy	 p;

	seed_catalog_tree(f, "t-a");
	seed_catalog_tree(f, "t-b");
	p = policy_of("t-a", "p-1", "one", "cat");
	OK(f, ops->put_policy(f->s, &p, 1, &f->err));
	FAILS(f, PGL_EEXISTS, ops->put_policy(f->s, &p, 1, &f->err));
	p = policy_of("t-a", "p-2", "one", "cat");
	FAILS(f, PGL_EEXISTS, ops->put_policy(f->s, &p, 1, &f->err));
	p = policy_of("t-a", "p-2", "two", "cat");
	OK(f, ops->put_policy(f->s, &p, 1, &f->err));
	p.name = "one";
	FAILS(f, PGL_EEXISTS, ops->put_policy(f->s, &p, 0, &f->err));
	/* Another tenant may use the name. */
	p = policy_of("t-b", "p-3", "one", "cat");
	OK(f, ops->put_policy(f->s, &p, 1, &f->err));
	p = policy_of("t-a", "p-4", "four", "no-such-catalog");
	FAILS(f, PGL_ENOTFOUND, ops->put_policy(f->s, &p, 1, &f->err));
}

/* By name, paged, with the total; by catalog; tenants apart. */
static void
test_policies_list_by_name_paged_per_catalog_and_tenant(void **state)
{
	struct fx		*f = *state;
	struct pgl_policy	 p, *items;
	struct pgl_page		 all = { 0, 0, NULL };
	struct pgl_page		 pg = { 2, 1, NULL };
	uint64_t		 total = 0;
	size_t			 n;

	seed_catalog_tree(f, "t-a");
	seed_catalog(f, "t-a", "cat2", "wh");
	seed_catalog_tree(f, "t-b");
	p = policy_of("t-a", "p-c", "c", "cat");
	OK(f, ops->put_policy(f->s, &p, 1, &f->err));
	p = policy_of("t-a", "p-a", "a", "cat");
	OK(f, ops->put_policy(f->s, &p, 1, &f->err));
	p = policy_of("t-a", "p-b", "b", "cat2");
	OK(f, ops->put_policy(f->s, &p, 1, &f->err));
	p = policy_of("t-a", "p-d", "d", "cat");
	OK(f, ops->put_policy(f->s, &p, 1, &f->err));
	p = policy_of("t-b", "p-x", "x", "cat");
	OK(f, ops->put_policy(f->s, &p, 1, &f->err));
	OK(f, ops->list_policies(f->s, f->a, "t-a", NULL, &all, &items, &n,
	    &total, &f->err));
	assert_int_equal(n, 4);
	assert_int_equal(total, 4);
	assert_string_equal(items[0].name, "a");
	assert_string_equal(items[3].name, "d");
	OK(f, ops->list_policies(f->s, f->a, "t-a", NULL, &pg, &items, &n,
	    &total, &f->err));
	assert_int_equal(n, 2);
	assert_int_equal(total, 4);
	assert_string_equal(items[0].name, "b");
	assert_string_equal(items[1].name, "c");
	OK(f, ops->list_policies(f->s, f->a, "t-a", "cat", &all, &items, &n,
	    &total, &f->err));
	assert_int_equal(n, 3);
	assert_int_equal(total, 3);
	assert_string_equal(items[1].name, "c");
	OK(f, ops->list_policies(f->s, f->a, "t-a", "cat", &all, &items, &n,
	    NULL, &f->err));
	assert_int_equal(n, 3);
	FAILS(f, PGL_ENOTFOUND, ops->get_policy(f->s, f->a, "t-b", "p-a",
	    &p, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->delete_policy(f->s, "t-b", "p-a",
	    &f->err));
	OK(f, ops->delete_policy(f->s, "t-a", "p-a", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->delete_policy(f->s, "t-a", "p-a",
	    &f->err));
	OK(f, ops->list_policies(f->s, f->a, "t-a", NULL, &all, &items, &n,
	    &total, &f->err));
	assert_int_equal(total, 3);
}

/* A catalog's policies go with it, a tenant's with the tenant. */
static void
test_policies_go_with_their_catalog_and_tenant(void **state)
{
	struct fx		*f = *state;
	struct pgl_policy	 p, *items;
	struct pgl_page		 all = { 0, 0, NULL };
	uint64_t		 total = 0;
	size_t			 n;

	seed_catalog_tree(f, "t-a");
	seed_catalog(f, "t-a", "cat2", "wh");
	p = policy_of("t-a", "p-1", "one", "cat2");
	OK(f, ops->put_policy(f->s, &p, 1, &f->err));
	p = policy_of("t-a", "p-2", "two", "cat");
	OK(f, ops->put_policy(f->s, &p, 1, &f->err));
	OK(f, ops->delete_catalog(f->s, "t-a", "cat2", &f->err));
	OK(f, ops->list_policies(f->s, f->a, "t-a", NULL, &all, &items, &n,
	    &total, &f->err));
	assert_int_equal(total, 1);
	assert_string_equal(items[0].id, "p-2");
	OK(f, ops->delete_tenant(f->s, "t-a", &f->err));
	OK(f, ops->list_policies(f->s, f->a, "t-a", NULL, &all, &items, &n,
	    &total, &f->err));
	assert_int_equal(total, 0);
}

/* A set replaces the asset's tags; lists by asset and by tag. */
static void
test_column_tags_replace_and_list_by_asset_and_tag(void **state)
{
	struct fx		*f = *state;
	struct pgl_column_tag	 t[] = {
		{ TBL_ID, 3, "pii:email" }, { TBL_ID, 2, "pii:email" },
		{ TBL_ID, 2, "gdpr" }, { TBL_ID, 2, "gdpr" },
	}, *got;
	size_t			 n;

	seed_catalog_tree(f, "t-a");
	seed_catalog_tree(f, "t-b");
	OK(f, ops->set_column_tags(f->s, "t-a", TBL_ID, t, 4, &f->err));
	OK(f, ops->list_column_tags(f->s, f->a, "t-a", TBL_ID, NULL, &got, &n,
	    &f->err));
	assert_int_equal(n, 3);
	assert_int_equal(got[0].field_id, 2);
	assert_string_equal(got[0].tag, "gdpr");
	assert_string_equal(got[1].tag, "pii:email");
	assert_int_equal(got[2].field_id, 3);
	assert_string_equal(got[2].asset_id, TBL_ID);
	OK(f, ops->list_column_tags(f->s, f->a, "t-a", NULL, "pii:email", &got,
	    &n, &f->err));
	assert_int_equal(n, 2);
	assert_int_equal(got[0].field_id, 2);
	assert_int_equal(got[1].field_id, 3);
	/* Another tenant neither sees nor sets them. */
	OK(f, ops->list_column_tags(f->s, f->a, "t-b", NULL, "pii:email", &got,
	    &n, &f->err));
	assert_int_equal(n, 0);
	FAILS(f, PGL_ENOTFOUND, ops->set_column_tags(f->s, "t-b", TBL_ID, t,
	    1, &f->err));
	FAILS(f, PGL_EINVAL, ops->list_column_tags(f->s, f->a, "t-a", NULL,
	    NULL, &got, &n, &f->err));
	/* Replaced by fewer, then by none. */
	OK(f, ops->set_column_tags(f->s, "t-a", TBL_ID, &t[0], 1, &f->err));
	OK(f, ops->list_column_tags(f->s, f->a, "t-a", TBL_ID, NULL, &got, &n,
	    &f->err));
	assert_int_equal(n, 1);
	assert_int_equal(got[0].field_id, 3);
	OK(f, ops->set_column_tags(f->s, "t-a", TBL_ID, NULL, 0, &f->err));
	OK(f, ops->list_column_tags(f->s, f->a, "t-a", TBL_ID, NULL, &got, &n,
	    &f->err));
	assert_int_equal(n, 0);
}

/* An asset's column tags go with it. */
static void
test_column_tags_go_with_their_asset(void **state)
{
	struct fx		*f = *state;
	struct pgl_column_tag	 t[] = { { TBL_ID, 2, "pii" } }, *got;
	size_t			 n;

	seed_catalog_tree(f, "t-a");
	OK(f, ops->set_column_tags(f->s, "t-a", TBL_ID, t, 1, &f->err));
	OK(f, ops->delete_asset(f->s, "t-a", "cat", "main", "db", "t1",
	    &f->err));
	OK(f, ops->list_column_tags(f->s, f->a, "t-a", NULL, "pii", &got, &n,
	    &f->err));
	assert_int_equal(n, 0);
	OK(f, ops->list_column_tags(f->s, f->a, "t-a", TBL_ID, NULL, &got, &n,
	    &f->err));
	assert_int_equal(n, 0);
	FAILS(f, PGL_ENOTFOUND, ops->set_column_tags(f->s, "t-a", TBL_ID, t,
	    1, &f->err));
}

/* No tags on the asset's id, nor on the tag's list. */
static void
assert_untagged(struct fx *f, const char *asset_id)
{
	struct pgl_column_tag	*got;
	size_t			 n;

	OK(f, ops->list_column_tags(f->s, f->a, "t-a", asset_id, NULL, &got,
	    &n, &f->err));
	assert_int_equal(n, 0);
	OK(f, ops->list_column_tags(f->s, f->a, "t-a", NULL, "pii", &got, &n,
	    &f->err));
	assert_int_equal(n, 0);
}

/*
 * Whatever deletes the asset row (itself, its namespace, branch or
 * catalog) deletes its column tags: a row made again under the same id
 * (seed_asset's ids are its key's) has none.  In SQL by cascade; in
 * MongoDB by the delete itself (mongo_asset_deps.c), which once left
 * them to come back.
 */
static void
test_column_tags_go_with_the_asset_row_however_it_goes(void **state)
{
	struct fx		*f = *state;
	struct pgl_column_tag	 t = { TBL_ID, 2, "pii" };
	struct pgl_column_tag	 dev = { "as-t-a-cat-dev-db-t1", 2, "pii" };

	seed_catalog_tree(f, "t-a");
	OK(f, ops->set_column_tags(f->s, "t-a", TBL_ID, &t, 1, &f->err));
	OK(f, ops->delete_asset(f->s, "t-a", "cat", "main", "db", "t1",
	    &f->err));
	seed_asset(f, "t-a", "cat", "main", "db", "t1", "ICEBERG_TABLE");
	assert_untagged(f, TBL_ID);

	OK(f, ops->set_column_tags(f->s, "t-a", TBL_ID, &t, 1, &f->err));
	OK(f, ops->delete_namespace(f->s, "t-a", "cat", "db", &f->err));
	seed_ns(f, "t-a", "cat", "db");
	seed_asset(f, "t-a", "cat", "main", "db", "t1", "ICEBERG_TABLE");
	assert_untagged(f, TBL_ID);

	seed_branch(f, "t-a", "cat", "dev");
	seed_asset(f, "t-a", "cat", "dev", "db", "t1", "ICEBERG_TABLE");
	OK(f, ops->set_column_tags(f->s, "t-a", dev.asset_id, &dev, 1,
	    &f->err));
	OK(f, ops->delete_branch(f->s, "t-a", "cat", "dev", &f->err));
	seed_branch(f, "t-a", "cat", "dev");
	seed_asset(f, "t-a", "cat", "dev", "db", "t1", "ICEBERG_TABLE");
	assert_untagged(f, dev.asset_id);

	OK(f, ops->set_column_tags(f->s, "t-a", TBL_ID, &t, 1, &f->err));
	OK(f, ops->delete_catalog(f->s, "t-a", "cat", &f->err));
	seed_catalog(f, "t-a", "cat", "wh");
	seed_branch(f, "t-a", "cat", "main");
	seed_ns(f, "t-a", "cat", "db");
	seed_asset(f, "t-a", "cat", "main", "db", "t1", "ICEBERG_TABLE");
	assert_untagged(f, TBL_ID);
}

static const struct CMUnitTest	tests[] = {
	cmocka_unit_test(test_policies_are_offered_from_abi_1_17_with_all_six),
	T(test_policy_round_trip_and_update),
	T(test_policy_id_and_name_are_unique_and_need_their_catalog),
	T(test_policies_list_by_name_paged_per_catalog_and_tenant),
	T(test_policies_go_with_their_catalog_and_tenant),
	T(test_column_tags_replace_and_list_by_asset_and_tag),
	T(test_column_tags_go_with_their_asset),
	T(test_column_tags_go_with_the_asset_row_however_it_goes),
};

STORE_FAMILY(policies, tests);
