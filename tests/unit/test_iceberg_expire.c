/*
 * ice_expire_updates: which snapshots and refs an expire removes, as
 * Iceberg's ExpireSnapshots decides it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "iceberg/iceberg.h"

#define NOW	1700000000000LL
#define DAY	(24LL * 3600 * 1000)

/* Snapshots 1..n, each the child of the one before, one a day apart. */
static json_t *
chain(int n)
{
	json_t	*md = json_pack("{s:i,s:[],s:{},s:{}}", "format-version", 2,
	    "snapshots", "refs", "properties");
	int	 i;

	for (i = 1; i <= n; i++) {
		json_t	*s = json_pack("{s:I,s:I,s:s}", "snapshot-id",
		    (json_int_t)i, "timestamp-ms", (json_int_t)(NOW -
		    (n - i + 1) * DAY), "manifest-list", "ml");

		if (i > 1)
			json_object_set_new(s, "parent-snapshot-id",
			    json_integer(i - 1));
		json_array_append_new(json_object_get(md, "snapshots"), s);
	}
	json_object_set_new(json_object_get(md, "refs"), "main",
	    json_pack("{s:I,s:s}", "snapshot-id", (json_int_t)n, "type",
	    "branch"));
	return (md);
}

static void
add_snapshot(json_t *md, int64_t id, int64_t parent, int64_t ts)
{
	json_t	*s = json_pack("{s:I,s:I,s:s}", "snapshot-id", (json_int_t)id,
	    "timestamp-ms", (json_int_t)ts, "manifest-list", "ml");

	if (parent > 0)
		json_object_set_new(s, "parent-snapshot-id",
		    json_integer(parent));
	json_array_append_new(json_object_get(md, "snapshots"), s);
}

static void
set_ref(json_t *md, const char *name, json_t *ref)
{
	json_object_set_new(json_object_get(md, "refs"), name, ref);
}

/* The expired ids as "1,2,3" (sorted as found), the refs removed too. */
static void
expire(json_t *md, int64_t older, int64_t retain, char *ids, char *refs)
{
	struct ice_expire_opts	 o = { NOW, older, retain };
	struct ice_err		 err;
	json_t			*expired, *ups, *u, *v;
	size_t			 i, j;

	ups = ice_expire_updates(md, &o, &expired, &err);
	assert_non_null(ups);
	ids[0] = refs[0] = '\0';
	json_array_foreach(expired, i, v)
		(void)sprintf(ids + strlen(ids), "%s%lld", i ? "," : "",
		    (long long)json_integer_value(v));
	json_array_foreach(ups, i, u) {
		const char *a = json_string_value(json_object_get(u, "action"));

		if (strcmp(a, "remove-snapshot-ref") == 0)
			(void)sprintf(refs + strlen(refs), "%s%s",
			    refs[0] ? "," : "", json_string_value(
			    json_object_get(u, "ref-name")));
		else {
			assert_string_equal(a, "remove-snapshots");
			j = json_array_size(json_object_get(u, "snapshot-ids"));
			assert_int_equal(j, json_array_size(expired));
		}
	}
	json_decref(ups);
	json_decref(expired);
}

static void
test_everything_older_keeps_only_the_head(void **state)
{
	json_t	*md = chain(5);
	char	 ids[256], refs[256];

	(void)state;
	expire(md, 0, -1, ids, refs);
	assert_string_equal(ids, "1,2,3,4");
	assert_string_equal(refs, "");
	json_decref(md);
}

static void
test_retain_last_keeps_that_many(void **state)
{
	json_t	*md = chain(5);
	char	 ids[256], refs[256];

	(void)state;
	expire(md, 0, 3, ids, refs);
	assert_string_equal(ids, "1,2");
	json_decref(md);
}

static void
test_default_age_is_five_days_or_the_table_property(void **state)
{
	json_t	*md = chain(8);
	char	 ids[256], refs[256];

	(void)state;
	/* Snapshot i is 9-i days old: 1..3 are older than 5 days. */
	expire(md, -1, -1, ids, refs);
	assert_string_equal(ids, "1,2,3");
	json_object_set_new(json_object_get(md, "properties"),
	    "history.expire.max-snapshot-age-ms", json_sprintf("%lld",
	    (long long)(2 * DAY + 1)));
	expire(md, -1, -1, ids, refs);
	assert_string_equal(ids, "1,2,3,4,5,6");
	json_object_set_new(json_object_get(md, "properties"),
	    "history.expire.min-snapshots-to-keep", json_string("4"));
	expire(md, -1, -1, ids, refs);
	assert_string_equal(ids, "1,2,3,4");
	json_decref(md);
}

static void
test_a_tag_keeps_its_snapshot_until_its_max_ref_age(void **state)
{
	json_t	*md = chain(5);
	char	 ids[256], refs[256];

	(void)state;
	set_ref(md, "v1", json_pack("{s:i,s:s}", "snapshot-id", 2, "type",
	    "tag"));
	expire(md, 0, -1, ids, refs);
	assert_string_equal(ids, "1,3,4");
	set_ref(md, "v1", json_pack("{s:i,s:s,s:I}", "snapshot-id", 2, "type",
	    "tag", "max-ref-age-ms", (json_int_t)DAY));
	expire(md, 0, -1, ids, refs);
	assert_string_equal(ids, "1,2,3,4");
	assert_string_equal(refs, "v1");
	json_decref(md);
}

static void
test_a_branch_keeps_its_own_minimum_and_age(void **state)
{
	json_t	*md = chain(5);
	char	 ids[256], refs[256];

	(void)state;
	/* A side branch 6 <- 7 <- 8 off snapshot 2, all old. */
	add_snapshot(md, 6, 2, NOW - 9 * DAY);
	add_snapshot(md, 7, 6, NOW - 8 * DAY);
	add_snapshot(md, 8, 7, NOW - 7 * DAY);
	set_ref(md, "dev", json_pack("{s:i,s:s,s:i}", "snapshot-id", 8, "type",
	    "branch", "min-snapshots-to-keep", 3));
	expire(md, 0, -1, ids, refs);
	assert_string_equal(ids, "1,2,3,4");
	set_ref(md, "dev", json_pack("{s:i,s:s,s:I}", "snapshot-id", 8, "type",
	    "branch", "max-snapshot-age-ms", (json_int_t)(20 * DAY)));
	expire(md, 0, -1, ids, refs);
	assert_string_equal(ids, "3,4");
	json_decref(md);
}

static void
test_main_is_never_removed_by_ref_age(void **state)
{
	json_t	*md = chain(3);
	char	 ids[256], refs[256];

	(void)state;
	json_object_set_new(json_object_get(md, "properties"),
	    "history.expire.max-ref-age-ms", json_string("1"));
	set_ref(md, "old", json_pack("{s:i,s:s}", "snapshot-id", 1, "type",
	    "branch"));
	expire(md, 0, -1, ids, refs);
	assert_string_equal(refs, "old");
	assert_string_equal(ids, "1,2");
	json_decref(md);
}

static void
test_unreferenced_snapshots_go_by_age_only(void **state)
{
	json_t	*md = chain(3);
	char	 ids[256], refs[256];

	(void)state;
	add_snapshot(md, 10, 0, NOW - 10 * DAY);
	add_snapshot(md, 11, 0, NOW - 1000);
	expire(md, 5 * DAY, -1, ids, refs);
	assert_string_equal(ids, "10");
	json_decref(md);
}

static void
test_a_bad_property_is_400(void **state)
{
	struct ice_expire_opts	 o = { NOW, -1, -1 };
	struct ice_err		 err;
	json_t			*md = chain(2), *expired;

	(void)state;
	json_object_set_new(json_object_get(md, "properties"),
	    "history.expire.min-snapshots-to-keep", json_string("many"));
	assert_null(ice_expire_updates(md, &o, &expired, &err));
	assert_int_equal(err.status, 400);
	json_decref(md);
}

static void
test_ten_thousand_snapshots(void **state)
{
	json_t	*md = chain(10000);
	char	 ids[256], refs[256];
	struct ice_expire_opts	 o = { NOW, 0, 10 };
	struct ice_err		 err;
	json_t			*expired, *ups;

	(void)state;
	(void)ids;
	(void)refs;
	ups = ice_expire_updates(md, &o, &expired, &err);
	assert_non_null(ups);
	assert_int_equal(json_array_size(expired), 9990);
	json_decref(ups);
	json_decref(expired);
	json_decref(md);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_everything_older_keeps_only_the_head),
		cmocka_unit_test(test_retain_last_keeps_that_many),
		cmocka_unit_test(test_default_age_is_five_days_or_the_table_property),
		cmocka_unit_test(test_a_tag_keeps_its_snapshot_until_its_max_ref_age),
		cmocka_unit_test(test_a_branch_keeps_its_own_minimum_and_age),
		cmocka_unit_test(test_main_is_never_removed_by_ref_age),
		cmocka_unit_test(test_unreferenced_snapshots_go_by_age_only),
		cmocka_unit_test(test_a_bad_property_is_400),
		cmocka_unit_test(test_ten_thousand_snapshots),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
