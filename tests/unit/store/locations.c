/*
 * The owners of locations (store ABI 1.26, issue 67: every table owns its
 * files).
 *
 * The host refuses a location that overlaps another table's or view's;
 * what the store answers is the owner of a place, through the keys it
 * keeps (host->location_key) and the origin each row carries.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cow.h"

static int
owners_supported(void)
{
	if (pgl_store_has_owners(ops))
		return (1);
	skip();
	return (0);
}

/* tenant -> wh -> cat -> main, namespaces db and other. */
static void
own_seed(struct fx *f, const char *tenant)
{
	char	name[128];

	snprintf(name, sizeof(name), "name-%s", tenant);
	seed_tenant(f, tenant, name);
	seed_warehouse(f, tenant, "wh");
	seed_catalog(f, tenant, "cat", "wh");
	seed_branch(f, tenant, "cat", "main");
	seed_ns(f, tenant, "cat", "db");
	seed_ns(f, tenant, "cat", "other");
}

/* ns.name of kind at location on branch of tenant's cat, its id id. */
static void
own_put(struct fx *f, const char *tenant, const char *branch,
    const char *ns, const char *name, const char *kind, const char *id,
    const char *location)
{
	struct pgl_asset	as;

	memset(&as, 0, sizeof(as));
	as.id = id;
	as.catalog = "cat";
	as.branch = branch;
	as.ns = ns;
	as.name = name;
	as.kind = kind;
	as.location = location;
	as.metadata_location = "s3://b/m.metadata.json";
	as.properties = "{}";
	OK(f, ops->create_asset(f->s, tenant, &as, &f->err));
}

/* The owner of location for tenant, leaving out origin and cat's
 * ns.name (NULLs: none): its id, or NULL when there is none. */
static const char *
own_find(struct fx *f, const char *tenant, const char *location,
    const char *origin, const char *ns, const char *name)
{
	struct pgl_location_probe	q;
	struct pgl_location_owner	o;
	int				rc;

	memset(&q, 0, sizeof(q));
	q.location = location;
	q.origin = origin;
	q.catalog = ns != NULL ? "cat" : NULL;
	q.ns = ns;
	q.name = name;
	rc = ops->find_location_owner(f->s, f->a, tenant, &q, &o, &f->err);
	if (rc == PGL_ENOTFOUND)
		return (NULL);
	if (rc != PGL_OK)
		fail_msg("find_location_owner(%s) -> %d: %s", location, rc,
		    f->err.msg);
	assert_non_null(o.key);
	assert_non_null(o.origin);
	return (o.dropped_id != NULL ? "dropped" : o.id);
}

static void
test_owners_are_offered_from_abi_1_26_with_both(void **state)
{
	struct pgl_store_ops	o = *ops;

	(void)state;
	assert_true(pgl_store_has_owners(&o));
	o.abi_minor = 25;
	assert_false(pgl_store_has_owners(&o));
	o = *ops;
	o.list_location_owners = NULL;
	assert_false(pgl_store_has_owners(&o));
}

/*
 * A place is owned by the table at it, at any directory holding it and
 * at any inside it, and by no sibling whose name begins the same ("t1"
 * and "t10"); another tenant's tables own nothing of this one's.
 */
static void
test_a_place_is_owned_at_it_above_it_and_below_it_only(void **state)
{
	struct fx	*f = *state;
	const char	*got;

	if (!owners_supported())
		return;
	own_seed(f, "t-a");
	own_seed(f, "t-b");
	own_put(f, "t-a", "main", "db", "t1", "ICEBERG_TABLE", "as-t1",
	    "s3://b/wh/db/t1");
	own_put(f, "t-b", "main", "db", "x", "ICEBERG_TABLE", "as-x",
	    "s3://b/wh/db/x");

	assert_string_equal(own_find(f, "t-a", "s3://b/wh/db/t1", NULL, NULL,
	    NULL), "as-t1");
	assert_string_equal(own_find(f, "t-a", "s3://b/wh/db/t1/", NULL, NULL,
	    NULL), "as-t1");
	assert_string_equal(own_find(f, "t-a", "s3://b/wh/db/t1/data/sub",
	    NULL, NULL, NULL), "as-t1");
	assert_string_equal(own_find(f, "t-a", "s3://b/wh", NULL, NULL,
	    NULL), "as-t1");
	assert_string_equal(own_find(f, "t-a", "s3://b", NULL, NULL, NULL),
	    "as-t1");
	assert_null(own_find(f, "t-a", "s3://b/wh/db/t10", NULL, NULL, NULL));
	assert_null(own_find(f, "t-a", "s3://b/wh/db/t", NULL, NULL, NULL));
	assert_null(own_find(f, "t-a", "s3://b/wh/db/x", NULL, NULL, NULL));
	assert_null(own_find(f, "t-a", "s3://other/wh/db/t1", NULL, NULL,
	    NULL));
	/* The tenant alone: t-b's table is not found from t-a. */
	got = own_find(f, "t-b", "s3://b/wh", NULL, NULL, NULL);
	assert_string_equal(got, "as-x");
}

/*
 * One place spelled several ways is one place: a bare path, file:/ and
 * file:///, s3a:// and s3://, and Azure's four schemes with the Blob or
 * the DFS host in any case.
 */
static void
test_a_place_is_owned_however_it_is_spelled(void **state)
{
	struct fx	*f = *state;

	if (!owners_supported())
		return;
	own_seed(f, "t-a");
	own_put(f, "t-a", "main", "db", "l", "ICEBERG_TABLE", "as-l",
	    "file:///srv/wh/db/l");
	own_put(f, "t-a", "main", "db", "s", "ICEBERG_TABLE", "as-s",
	    "s3a://b/wh/db/s");
	own_put(f, "t-a", "main", "db", "z", "VIEW", "as-z",
	    "abfss://c@acct.dfs.core.windows.net/wh/db/z");

	assert_string_equal(own_find(f, "t-a", "/srv/wh/db/l", NULL, NULL,
	    NULL), "as-l");
	assert_string_equal(own_find(f, "t-a", "file:/srv/wh/db/l/x", NULL,
	    NULL, NULL), "as-l");
	assert_string_equal(own_find(f, "t-a", "s3://b/wh/db/s", NULL, NULL,
	    NULL), "as-s");
	assert_string_equal(own_find(f, "t-a",
	    "wasbs://c@ACCT.blob.core.windows.net/wh/db/z/data", NULL, NULL,
	    NULL), "as-z");
	assert_string_equal(own_find(f, "t-a",
	    "abfs://c@acct.dfs.core.windows.net/wh", NULL, NULL, NULL), "as-z");
	/* Paths are not case-folded: another directory. */
	assert_null(own_find(f, "t-a", "s3://b/wh/DB/s", NULL, NULL, NULL));
}

/*
 * Tables and views own their places; a generic asset does not, nor a
 * dropped table's tombstone on a forked branch.
 */
static void
test_tables_and_views_own_places_generic_assets_do_not(void **state)
{
	struct fx	*f = *state;

	if (!owners_supported())
		return;
	own_seed(f, "t-a");
	own_put(f, "t-a", "main", "db", "v", "VIEW", "as-v", "s3://b/wh/db/v");
	own_put(f, "t-a", "main", "db", "g", "DELTA_TABLE", "as-g",
	    "s3://b/wh/db/g");

	assert_string_equal(own_find(f, "t-a", "s3://b/wh/db/v/x", NULL, NULL,
	    NULL), "as-v");
	assert_null(own_find(f, "t-a", "s3://b/wh/db/g", NULL, NULL, NULL));
	OK(f, ops->delete_asset(f->s, "t-a", "cat", "main", "db", "v",
	    &f->err));
	assert_null(own_find(f, "t-a", "s3://b/wh/db/v", NULL, NULL, NULL));
}

/*
 * A row's origin is its own id at its create, or the one handed over;
 * a branch's copy, a copy-up, a rename keep it, so the owner of a place
 * leaves out every version of one asset; the rows of a name in a
 * catalog are left out as one too.
 */
static void
test_every_version_of_an_asset_keeps_its_origin(void **state)
{
	struct fx		*f = *state;
	struct pgl_asset	 a, as;

	if (!owners_supported() || !cow_supported())
		return;
	own_seed(f, "t-a");
	own_put(f, "t-a", "main", "db", "t1", "ICEBERG_TABLE", "as-t1",
	    "s3://b/wh/db/t1");
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "db", "t1", &a,
	    &f->err));
	assert_string_equal(a.origin, "as-t1");
	cow_fork(f, "main", "dev");
	/* A change on dev copies the row up: a new id, the same origin. */
	OK(f, ops->update_metadata_location(f->s, "t-a", "cat", "dev", "db",
	    "t1", "s3://b/m.metadata.json", "s3://b/m2.metadata.json",
	    &f->err));
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "dev", "db", "t1", &a,
	    &f->err));
	assert_string_not_equal(a.id, "as-t1");
	assert_string_equal(a.origin, "as-t1");
	/* Renamed on dev: still that asset. */
	OK(f, ops->rename_asset(f->s, "t-a", "cat", "dev", "db", "t1", "other",
	    "moved", &f->err));
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "dev", "other",
	    "moved", &a, &f->err));
	assert_string_equal(a.origin, "as-t1");
	assert_null(own_find(f, "t-a", "s3://b/wh/db/t1", "as-t1", NULL,
	    NULL));
	assert_non_null(own_find(f, "t-a", "s3://b/wh/db/t1", NULL, NULL,
	    NULL));
	/* Left out by name: main's row; dev's moved one is still found. */
	assert_non_null(own_find(f, "t-a", "s3://b/wh/db/t1", NULL, "db",
	    "t1"));
	/* A create handed an origin keeps it (a merge's, a restore's). */
	memset(&as, 0, sizeof(as));
	as.id = "as-merged";
	as.origin = "as-t1";
	as.catalog = "cat";
	as.branch = "main";
	as.ns = "other";
	as.name = "moved";
	as.kind = "ICEBERG_TABLE";
	as.location = "s3://b/wh/db/t1";
	as.properties = "{}";
	OK(f, ops->create_asset(f->s, "t-a", &as, &f->err));
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "other",
	    "moved", &a, &f->err));
	assert_string_equal(a.origin, "as-t1");
	assert_null(own_find(f, "t-a", "s3://b/wh/db/t1", "as-t1", NULL,
	    NULL));
}

/* A branch copied the old way (copy_assets_bulk) keeps the origins. */
static void
test_a_copied_branch_keeps_the_origins(void **state)
{
	struct fx		*f = *state;
	struct pgl_asset	 a;

	if (!owners_supported())
		return;
	own_seed(f, "t-a");
	seed_branch(f, "t-a", "cat", "copy");
	own_put(f, "t-a", "main", "db", "t1", "ICEBERG_TABLE", "as-t1",
	    "s3://b/wh/db/t1");
	OK(f, ops->copy_assets_bulk(f->s, "t-a", "cat", "main", "copy", NULL,
	    NULL, NULL, &f->err));
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "copy", "db", "t1", &a,
	    &f->err));
	assert_string_not_equal(a.id, "as-t1");
	assert_string_equal(a.origin, "as-t1");
	assert_null(own_find(f, "t-a", "s3://b/wh/db/t1/x", "as-t1", NULL,
	    NULL));
}

/* A location changed by update_asset moves its owner. */
static void
test_an_updated_location_moves_its_owner(void **state)
{
	struct fx		*f = *state;
	struct pgl_asset	 a;

	if (!owners_supported())
		return;
	own_seed(f, "t-a");
	own_put(f, "t-a", "main", "db", "t1", "ICEBERG_TABLE", "as-t1",
	    "s3://b/wh/db/t1");
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "db", "t1", &a,
	    &f->err));
	a.location = "s3://b/wh/db/elsewhere";
	OK(f, ops->update_asset(f->s, "t-a", &a, &f->err));
	assert_null(own_find(f, "t-a", "s3://b/wh/db/t1", NULL, NULL, NULL));
	assert_string_equal(own_find(f, "t-a", "s3://b/wh/db/elsewhere/x",
	    NULL, NULL, NULL), "as-t1");
}

/*
 * A dropped table kept recoverable owns its place (after live ones),
 * with its origin; once its entry goes, nothing does.
 */
static void
test_a_recoverable_drop_owns_its_place(void **state)
{
	struct fx		*f = *state;
	struct pgl_dropped	 d, got;

	if (!owners_supported() || !pgl_store_has_dropped(ops))
		return;
	own_seed(f, "t-a");
	memset(&d, 0, sizeof(d));
	d.id = "d-1";
	d.tenant_id = "t-a";
	d.catalog = "cat";
	d.branch = "main";
	d.ns = "db";
	d.name = "gone";
	d.kind = "ICEBERG_TABLE";
	d.asset_id = "as-gone";
	d.origin = "as-first";
	d.location = "s3://b/wh/db/gone";
	d.metadata_location = "s3://b/wh/db/gone/metadata/1.metadata.json";
	d.dropped_at_ms = 1000;
	OK(f, ops->put_dropped(f->s, &d, &f->err));
	OK(f, ops->get_dropped(f->s, f->a, "t-a", "d-1", &got, &f->err));
	assert_string_equal(got.origin, "as-first");
	assert_string_equal(own_find(f, "t-a", "s3://b/wh/db/gone/data", NULL,
	    NULL, NULL), "dropped");
	assert_null(own_find(f, "t-a", "s3://b/wh/db/gone", "as-first", NULL,
	    NULL));
	/* Not left out by its name: a table of that name now is another
	 * one than the one dropped. */
	assert_string_equal(own_find(f, "t-a", "s3://b/wh/db/gone", NULL,
	    "db", "gone"), "dropped");
	/* No origin handed over: the dropped row's id. */
	d.id = "d-2";
	d.origin = NULL;
	d.location = "s3://b/wh/db/gone2";
	OK(f, ops->put_dropped(f->s, &d, &f->err));
	OK(f, ops->get_dropped(f->s, f->a, "t-a", "d-2", &got, &f->err));
	assert_string_equal(got.origin, "as-gone");
	OK(f, ops->delete_dropped(f->s, "t-a", "d-1", &f->err));
	assert_null(own_find(f, "t-a", "s3://b/wh/db/gone", NULL, NULL, NULL));
}

/*
 * Every owner of every tenant (or of one), by tenant, key, then id, in
 * pages after the last one read, live rows and dropped entries together:
 * a place's owners come right after the owners of places holding it.
 */
static void
test_owners_list_by_tenant_key_and_id_in_pages(void **state)
{
	struct fx			*f = *state;
	struct pgl_location_owner	*o;
	struct pgl_dropped		 d;
	size_t				 n;
	char				 got[1024] = "";
	const char			*at = NULL, *ak = NULL, *ai = NULL;

	if (!owners_supported() || !pgl_store_has_dropped(ops))
		return;
	own_seed(f, "t-a");
	own_seed(f, "t-b");
	own_put(f, "t-a", "main", "db", "t10", "ICEBERG_TABLE", "a3",
	    "s3://b/wh/db/t10");
	own_put(f, "t-a", "main", "db", "t1", "ICEBERG_TABLE", "a1",
	    "s3://b/wh/db/t1");
	own_put(f, "t-a", "main", "other", "in", "VIEW", "a2",
	    "s3://b/wh/db/t1/in");
	own_put(f, "t-a", "main", "db", "g", "DELTA_TABLE", "a4",
	    "s3://b/wh/db/g");
	own_put(f, "t-b", "main", "db", "x", "ICEBERG_TABLE", "b1",
	    "s3://c/x");
	memset(&d, 0, sizeof(d));
	d.id = "d-1";
	d.tenant_id = "t-a";
	d.catalog = "cat";
	d.branch = "main";
	d.ns = "db";
	d.name = "t1";
	d.kind = "ICEBERG_TABLE";
	d.asset_id = "a0";
	d.location = "s3://b/wh/db/t1";
	d.dropped_at_ms = 1000;
	OK(f, ops->put_dropped(f->s, &d, &f->err));

	do {
		OK(f, ops->list_location_owners(f->s, f->a, NULL, at, ak, ai,
		    2, &o, &n, &f->err));
		for (size_t i = 0; i < n; i++) {
			strcat(got, o[i].tenant_id);
			strcat(got, ":");
			strcat(got, o[i].dropped_id != NULL ? "d" : "");
			strcat(got, o[i].id);
			strcat(got, " ");
		}
		if (n > 0) {
			at = o[n - 1].tenant_id;
			ak = o[n - 1].key;
			ai = o[n - 1].id;
		}
	} while (n == 2);
	assert_string_equal(got, "t-a:a1 t-a:dd-1 t-a:a2 t-a:a3 t-b:b1 ");
	OK(f, ops->list_location_owners(f->s, f->a, "t-b", NULL, NULL, NULL,
	    10, &o, &n, &f->err));
	assert_int_equal(n, 1);
	assert_string_equal(o[0].key, "s3://c/x/");
}

/*
 * The claim: inside a transaction, two that both claimed a tenant's
 * places cannot both commit where the store does not run them one at a
 * time (PostgreSQL's REPEATABLE READ: the later fails, PGL_ERETRY, and
 * run again sees the other's table).  SQLite runs one writer at a time,
 * and the MongoDB-protocol test server has no transactions: there the
 * claim is only shown to be taken.
 */
static void
test_two_claims_of_a_tenants_places_cannot_both_commit(void **state)
{
	struct fx			*f = *state;
	struct pgl_store		*s2 = NULL;
	struct pgl_location_probe	 q;
	struct pgl_location_owner	 o;
	struct pgl_err			 e2;
	int				 rc;

	if (!owners_supported())
		return;
	own_seed(f, "t-a");
	memset(&q, 0, sizeof(q));
	q.location = "s3://b/wh/db/new";
	q.claim = 1;
	OK(f, ops->begin(f->s, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->find_location_owner(f->s, f->a, "t-a",
	    &q, &o, &f->err));
	if (strcmp(ops->name, "postgres") != 0) {
		OK(f, ops->commit(f->s, &f->err));
		print_message("  the race itself on PostgreSQL only\n");
		return;
	}
	OK(f, open_store(&s2, &e2));
	/* The second takes its snapshot, then the first commits. */
	assert_int_equal(ops->begin(s2, &e2), PGL_OK);
	q.claim = 0;
	assert_int_equal(ops->find_location_owner(s2, f->a, "t-a", &q, &o,
	    &e2), PGL_ENOTFOUND);
	own_put(f, "t-a", "main", "db", "new", "ICEBERG_TABLE", "as-new",
	    "s3://b/wh/db/new");
	OK(f, ops->commit(f->s, &f->err));
	q.claim = 1;
	rc = ops->find_location_owner(s2, f->a, "t-a", &q, &o, &e2);
	assert_int_equal(rc, PGL_ERETRY);
	(void)ops->rollback(s2, &e2);
	/* Run again: the first one's table is there. */
	assert_int_equal(ops->begin(s2, &e2), PGL_OK);
	assert_int_equal(ops->find_location_owner(s2, f->a, "t-a", &q, &o,
	    &e2), PGL_OK);
	assert_string_equal(o.id, "as-new");
	OK(f, ops->commit(s2, &e2));
	ops->close(s2);
}

static const struct CMUnitTest	tests[] = {
	T(test_owners_are_offered_from_abi_1_26_with_both),
	T(test_a_place_is_owned_at_it_above_it_and_below_it_only),
	T(test_a_place_is_owned_however_it_is_spelled),
	T(test_tables_and_views_own_places_generic_assets_do_not),
	T(test_every_version_of_an_asset_keeps_its_origin),
	T(test_a_copied_branch_keeps_the_origins),
	T(test_an_updated_location_moves_its_owner),
	T(test_a_recoverable_drop_owns_its_place),
	T(test_owners_list_by_tenant_key_and_id_in_pages),
	T(test_two_claims_of_a_tenants_places_cannot_both_commit),
};

STORE_FAMILY(locations, tests);
