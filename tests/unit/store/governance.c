/*
 * Governance (ABI 1.10): business metadata and access requests (whatever
 * deletes an asset deletes what names it), a tenant's settings and the
 * dashboard's counts.
 */
#include <stdint.h>
#include <time.h>

#include "harness.h"

/*
 * Governance (ABI 1.10): business metadata, access requests, search,
 * settings and the dashboard's counts.
 */

static struct pgl_access_request
request(const char *id, const char *tenant, const char *user_id,
    const char *asset, int64_t at)
{
	struct pgl_access_request	q = { id, tenant, user_id, asset,
	    "for the quarterly report", "pending", at, NULL, 0, NULL };

	return (q);
}

static void
test_business_metadata_upsert_keeps_its_creation(void **state)
{
	struct fx			*f = *state;
	struct pgl_business_metadata	 m, got;

	seed_catalog_tree(f, "t-a");
	seed_catalog_tree(f, "t-b");
	m = metadata(T1, "Orders of the day", "[\"pii\",\"finance\"]", 1,
	    "alice");
	m.created_at_ms = m.updated_at_ms = 1000;
	OK(f, ops->put_business_metadata(f->s, "t-a", &m, &f->err));
	OK(f, ops->get_business_metadata(f->s, f->a, "t-a", T1, &got,
	    &f->err));
	assert_string_equal(got.id, "bm-1");
	assert_string_equal(got.asset_id, T1);
	assert_string_equal(got.description, "Orders of the day");
	assert_string_equal(got.tags, "[\"pii\",\"finance\"]");
	assert_string_equal(got.properties, "{\"owner\":{\"team\":\"data\"}}");
	assert_int_equal(got.discoverable, 1);
	assert_string_equal(got.created_by, "alice");
	assert_int_equal(got.created_at_ms, 1000);
	/* A second put replaces the content, not the creation. */
	m = metadata(T1, NULL, "[]", 0, "bob");
	m.id = "bm-2";
	m.updated_at_ms = 2000;
	OK(f, ops->put_business_metadata(f->s, "t-a", &m, &f->err));
	OK(f, ops->get_business_metadata(f->s, f->a, "t-a", T1, &got,
	    &f->err));
	assert_string_equal(got.id, "bm-1");
	assert_null(got.description);
	assert_string_equal(got.tags, "[]");
	assert_int_equal(got.discoverable, 0);
	assert_string_equal(got.created_by, "alice");
	assert_int_equal(got.created_at_ms, 1000);
	assert_string_equal(got.updated_by, "bob");
	assert_int_equal(got.updated_at_ms, 2000);
	/* Another tenant's asset is missing, its metadata too. */
	FAILS(f, PGL_ENOTFOUND, ops->get_business_metadata(f->s, f->a, "t-b",
	    T1, &got, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->put_business_metadata(f->s, "t-b", &m,
	    &f->err));
	m.asset_id = "no-such-asset";
	FAILS(f, PGL_ENOTFOUND, ops->put_business_metadata(f->s, "t-a", &m,
	    &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->delete_business_metadata(f->s, "t-b", T1,
	    &f->err));
	OK(f, ops->delete_business_metadata(f->s, "t-a", T1, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_business_metadata(f->s, f->a, "t-a",
	    T1, &got, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->delete_business_metadata(f->s, "t-a", T1,
	    &f->err));
}

/* No orphans: whatever deletes an asset deletes what names it. */
static void
expect_gone(struct fx *f, const char *tenant, const char *asset,
    const char *req)
{
	struct pgl_business_metadata	m;
	struct pgl_access_request	q;

	FAILS(f, PGL_ENOTFOUND, ops->get_business_metadata(f->s, f->a, tenant,
	    asset, &m, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_access_request(f->s, f->a, tenant,
	    req, &q, &f->err));
}

static void
describe(struct fx *f, const char *tenant, const char *asset,
    const char *req)
{
	struct pgl_business_metadata	m = metadata(asset, "x", "[\"pii\"]",
					    1, "alice");
	struct pgl_access_request	q = request(req, tenant, "u1", asset,
					    10);

	OK(f, ops->put_business_metadata(f->s, tenant, &m, &f->err));
	OK(f, ops->create_access_request(f->s, &q, &f->err));
}

static void
test_metadata_and_requests_go_with_their_asset(void **state)
{
	struct fx			*f = *state;
	struct pgl_business_metadata	 m;
	struct pgl_asset		*items;
	uint64_t			 copied;
	size_t				 n;

	seed_catalog_tree(f, "t-a");
	describe(f, "t-a", T1, "r1");
	OK(f, ops->delete_asset(f->s, "t-a", "cat", "main", "db", "t1",
	    &f->err));
	expect_gone(f, "t-a", T1, "r1");
	/* A branch's copies are new assets: no metadata; deleting the
	 * branch takes theirs. */
	seed_branch(f, "t-a", "cat", "dev");
	describe(f, "t-a", V1, "r2");
	OK(f, ops->copy_assets_bulk(f->s, "t-a", "cat", "main", "dev", NULL,
	    NULL, &copied, &f->err));
	OK(f, ops->list_assets(f->s, f->a, "t-a", "cat", "dev", NULL, NULL,
	    &(struct pgl_page){ 0, 0, NULL }, &items, &n, NULL, &f->err));
	assert_int_equal(n, 1);
	FAILS(f, PGL_ENOTFOUND, ops->get_business_metadata(f->s, f->a, "t-a",
	    items[0].id, &m, &f->err));
	describe(f, "t-a", items[0].id, "r3");
	OK(f, ops->delete_branch(f->s, "t-a", "cat", "dev", &f->err));
	expect_gone(f, "t-a", items[0].id, "r3");
	OK(f, ops->get_business_metadata(f->s, f->a, "t-a", V1, &m, &f->err));
	/* The namespace, the catalog, the tenant. */
	OK(f, ops->delete_namespace(f->s, "t-a", "cat", "db", &f->err));
	expect_gone(f, "t-a", V1, "r2");
	seed_ns(f, "t-a", "cat", "db");
	seed_asset(f, "t-a", "cat", "main", "db", "t1", "ICEBERG_TABLE");
	describe(f, "t-a", T1, "r4");
	OK(f, ops->delete_catalog(f->s, "t-a", "cat", &f->err));
	expect_gone(f, "t-a", T1, "r4");
	seed_catalog(f, "t-a", "cat", "wh");
	seed_branch(f, "t-a", "cat", "main");
	seed_ns(f, "t-a", "cat", "db");
	seed_asset(f, "t-a", "cat", "main", "db", "t1", "ICEBERG_TABLE");
	describe(f, "t-a", T1, "r5");
	OK(f, ops->put_settings(f->s, "t-a", "{\"smtp_host\":\"x\"}",
	    &f->err));
	OK(f, ops->delete_tenant(f->s, "t-a", &f->err));
	seed_tenant(f, "t-a", "again");
	expect_gone(f, "t-a", T1, "r5");
	FAILS(f, PGL_ENOTFOUND, ops->get_settings(f->s, f->a, "t-a",
	    &(const char *){ NULL }, &f->err));
}

/*
 * Two requests asked in the same millisecond (the second id sorting
 * before the first): the later one still lists first, its time a
 * millisecond after the other's.
 */
static void
test_access_requests_of_one_millisecond_list_in_the_order_asked(void **state)
{
	struct fx			*f = *state;
	struct pgl_access_request	 q, *items;
	struct pgl_page			 all = { 0, 0, NULL };
	uint64_t			 total;
	size_t				 n;

	seed_catalog_tree(f, "t-a");
	q = request("r-zz", "t-a", "u1", T1, 700);
	OK(f, ops->create_access_request(f->s, &q, &f->err));
	q = request("r-aa", "t-a", "u1", V1, 700);
	OK(f, ops->create_access_request(f->s, &q, &f->err));
	OK(f, ops->list_access_requests(f->s, f->a, "t-a", NULL, &all, &items,
	    &n, &total, &f->err));
	assert_int_equal(n, 2);
	assert_string_equal(items[0].id, "r-aa");
	assert_string_equal(items[1].id, "r-zz");
	assert_true(items[0].requested_at_ms > items[1].requested_at_ms);
}

static void
test_access_requests_list_newest_first_and_review_once(void **state)
{
	struct fx			*f = *state;
	struct pgl_access_request	 q, got, *items;
	struct pgl_page			 all = { 0, 0, NULL };
	struct pgl_page			 one = { 1, 1, NULL };
	uint64_t			 total;
	size_t				 n;

	seed_catalog_tree(f, "t-a");
	seed_catalog_tree(f, "t-b");
	q = request("r1", "t-a", "u1", T1, 100);
	OK(f, ops->create_access_request(f->s, &q, &f->err));
	q = request("r2", "t-a", "u2", T1, 200);
	q.reason = NULL;
	OK(f, ops->create_access_request(f->s, &q, &f->err));
	q = request("r3", "t-a", "u1", V1, 300);
	OK(f, ops->create_access_request(f->s, &q, &f->err));
	q = request("r4", "t-a", "u1", "no-such-asset", 400);
	FAILS(f, PGL_ENOTFOUND, ops->create_access_request(f->s, &q, &f->err));
	q = request("r4", "t-b", "u1", T1, 400);
	FAILS(f, PGL_ENOTFOUND, ops->create_access_request(f->s, &q, &f->err));
	OK(f, ops->list_access_requests(f->s, f->a, "t-a", NULL, &all, &items,
	    &n, &total, &f->err));
	assert_int_equal(n, 3);
	assert_int_equal(total, 3);
	assert_string_equal(items[0].id, "r3");
	assert_string_equal(items[2].id, "r1");
	OK(f, ops->list_access_requests(f->s, f->a, "t-a", "u1", &one, &items,
	    &n, &total, &f->err));
	assert_int_equal(n, 1);
	assert_int_equal(total, 2);
	assert_string_equal(items[0].id, "r1");
	OK(f, ops->list_access_requests(f->s, f->a, "t-b", NULL, &all, &items,
	    &n, &total, &f->err));
	assert_int_equal(total, 0);
	OK(f, ops->get_access_request(f->s, f->a, "t-a", "r2", &got, &f->err));
	assert_string_equal(got.user_id, "u2");
	assert_string_equal(got.asset_id, T1);
	assert_null(got.reason);
	assert_string_equal(got.status, "pending");
	assert_int_equal(got.requested_at_ms, 200);
	assert_null(got.reviewed_by);
	q = got;
	q.status = "approved";
	q.reviewed_by = "admin";
	q.reviewed_at_ms = 500;
	q.review_comment = "ok";
	OK(f, ops->review_access_request(f->s, &q, &f->err));
	FAILS(f, PGL_ECONFLICT, ops->review_access_request(f->s, &q, &f->err));
	OK(f, ops->get_access_request(f->s, f->a, "t-a", "r2", &got, &f->err));
	assert_string_equal(got.status, "approved");
	assert_string_equal(got.reviewed_by, "admin");
	assert_int_equal(got.reviewed_at_ms, 500);
	assert_string_equal(got.review_comment, "ok");
	q.id = "r9";
	FAILS(f, PGL_ENOTFOUND, ops->review_access_request(f->s, &q, &f->err));
	q = got;
	q.tenant_id = "t-b";
	q.id = "r1";
	FAILS(f, PGL_ENOTFOUND, ops->review_access_request(f->s, &q, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_access_request(f->s, f->a, "t-b",
	    "r1", &got, &f->err));
}

static void
test_settings_replace_per_tenant(void **state)
{
	struct fx	*f = *state;
	const char	*doc;

	seed_tenant(f, "t-a", "a");
	seed_tenant(f, "t-b", "b");
	FAILS(f, PGL_ENOTFOUND, ops->get_settings(f->s, f->a, "t-a", &doc,
	    &f->err));
	OK(f, ops->put_settings(f->s, "t-a", "{\"smtp_port\":25}", &f->err));
	OK(f, ops->put_settings(f->s, "t-a", "{\"smtp_port\":587}", &f->err));
	OK(f, ops->get_settings(f->s, f->a, "t-a", &doc, &f->err));
	assert_string_equal(doc, "{\"smtp_port\":587}");
	FAILS(f, PGL_ENOTFOUND, ops->get_settings(f->s, f->a, "t-b", &doc,
	    &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->put_settings(f->s, "t-none", "{}",
	    &f->err));
}

static void
test_count_tenant_counts_every_kind(void **state)
{
	struct fx			*f = *state;
	struct pgl_tenant_counts	 c;
	struct pgl_user			 u = user("u1", "t-a", "alice");

	seed_catalog_tree(f, "t-a");
	seed_catalog_tree(f, "t-b");
	seed_branch(f, "t-a", "cat", "dev");
	seed_asset(f, "t-a", "cat", "dev", "db", "t1", "ICEBERG_TABLE");
	seed_asset(f, "t-a", "cat", "main", "db", "m1", "ML_MODEL");
	OK(f, ops->create_user(f->s, &u, &f->err));
	OK(f, ops->count_tenant(f->s, "t-a", &c, &f->err));
	assert_int_equal(c.tenants, 1);
	assert_int_equal(c.warehouses, 1);
	assert_int_equal(c.catalogs, 1);
	assert_int_equal(c.namespaces, 1);
	assert_int_equal(c.tables, 1);
	assert_int_equal(c.views, 1);
	assert_int_equal(c.assets, 3);
	assert_int_equal(c.branches, 2);
	assert_int_equal(c.users, 1);
	OK(f, ops->count_tenant(f->s, NULL, &c, &f->err));
	assert_int_equal(c.tenants, 2);
	assert_int_equal(c.catalogs, 2);
	assert_int_equal(c.tables, 2);
	assert_int_equal(c.assets, 5);
	assert_int_equal(c.branches, 3);
}

/*
 * labels_any (ABI 1.30): a tenant without business metadata or column
 * tags has no labels; either, on any asset, makes it have some, and
 * only its own tenant's count.  A store without it (MongoDB: nothing
 * indexes it there) skips; the host then reads each asset's labels.
 */
static void
test_labels_any_follows_metadata_and_column_tags(void **state)
{
	struct fx			*f = *state;
	struct pgl_business_metadata	 m;
	struct pgl_column_tag		 t = { T1, 2, "pii" };
	int				 any = -1;

	if (ops->abi_minor < 30 || ops->labels_any == NULL)
		skip();
	seed_catalog_tree(f, "t-a");
	seed_catalog_tree(f, "t-b");
	OK(f, ops->labels_any(f->s, "t-a", &any, &f->err));
	assert_int_equal(any, 0);
	m = metadata(T1, "Orders", "[]", 1, "alice");
	OK(f, ops->put_business_metadata(f->s, "t-a", &m, &f->err));
	OK(f, ops->labels_any(f->s, "t-a", &any, &f->err));
	assert_int_equal(any, 1);
	OK(f, ops->labels_any(f->s, "t-b", &any, &f->err));
	assert_int_equal(any, 0);
	OK(f, ops->delete_business_metadata(f->s, "t-a", T1, &f->err));
	OK(f, ops->labels_any(f->s, "t-a", &any, &f->err));
	assert_int_equal(any, 0);
	if (ops->set_column_tags == NULL)
		return;
	OK(f, ops->set_column_tags(f->s, "t-a", T1, &t, 1, &f->err));
	OK(f, ops->labels_any(f->s, "t-a", &any, &f->err));
	assert_int_equal(any, 1);
	OK(f, ops->set_column_tags(f->s, "t-a", T1, NULL, 0, &f->err));
	OK(f, ops->labels_any(f->s, "t-a", &any, &f->err));
	assert_int_equal(any, 0);
}

static const struct CMUnitTest	tests[] = {
	T(test_business_metadata_upsert_keeps_its_creation),
	T(test_metadata_and_requests_go_with_their_asset),
	T(test_access_requests_list_newest_first_and_review_once),
	T(test_access_requests_of_one_millisecond_list_in_the_order_asked),
	T(test_settings_replace_per_tenant),
	T(test_count_tenant_counts_every_kind),
	T(test_labels_any_follows_metadata_and_column_tags),
};

STORE_FAMILY(governance, tests);
