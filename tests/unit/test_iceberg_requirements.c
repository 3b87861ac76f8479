/*
 * §3: commit requirements, each passing and failing; assert-create
 * (§2.6); malformed and unknown requirements.
 */
#include "test_iceberg_util.h"

static int
check(const json_t *md, const char *reqs)
{
	struct ice_err	err;
	int		rc;

	rc = ice_table_check(md, J(reqs), &err);
	if (rc == 0)
		return (0);
	assert_int_equal(rc, -1);
	assert_non_null(err.type);
	if (err.status == 409) {
		assert_string_equal(err.type, "CommitFailedException");
		assert_non_null(strstr(err.msg, "Requirement failed"));
	}
	return (err.status);
}

static void
test_assert_table_uuid_matches_case_insensitively(void **state)
{
	json_t	*md = table();

	(void)state;
	assert_int_equal(check(md, "[{'type':'assert-table-uuid','uuid':'"
	    UUID "'}]"), 0);
	assert_int_equal(check(md, "[{'type':'assert-table-uuid','uuid':"
	    "'9C12D441-03FE-4693-9A96-A0705DDF69C1'}]"), 0);
	assert_int_equal(check(md, "[{'type':'assert-table-uuid','uuid':"
	    "'00000000-0000-0000-0000-000000000000'}]"), 409);
}

static void
test_assert_table_uuid_needs_a_uuid(void **state)
{
	json_t	*md = table();

	(void)state;
	assert_int_equal(check(md, "[{'type':'assert-table-uuid'}]"), 400);
	assert_int_equal(check(md, "[{'type':'assert-table-uuid',"
	    "'uuid':null}]"), 400);
	assert_int_equal(check(md, "[{'type':'assert-table-uuid','uuid':1}]"),
	    400);
}

static void
test_assert_ref_snapshot_id_matches_existing_ref(void **state)
{
	json_t	*md = table_with_snapshots();

	(void)state;
	assert_int_equal(check(md, "[{'type':'assert-ref-snapshot-id',"
	    "'ref':'main','snapshot-id':2}]"), 0);
	assert_int_equal(check(md, "[{'type':'assert-ref-snapshot-id',"
	    "'ref':'main','snapshot-id':1}]"), 409);
}

static void
test_assert_ref_snapshot_id_null_means_ref_must_not_exist(void **state)
{
	json_t	*md = table_with_snapshots();

	(void)state;
	assert_int_equal(check(md, "[{'type':'assert-ref-snapshot-id',"
	    "'ref':'dev','snapshot-id':null}]"), 0);
	assert_int_equal(check(md, "[{'type':'assert-ref-snapshot-id',"
	    "'ref':'dev'}]"), 0);
	/* exists but null was asserted: created concurrently */
	assert_int_equal(check(md, "[{'type':'assert-ref-snapshot-id',"
	    "'ref':'main','snapshot-id':null}]"), 409);
	/* missing but an id was asserted */
	assert_int_equal(check(md, "[{'type':'assert-ref-snapshot-id',"
	    "'ref':'dev','snapshot-id':2}]"), 409);
	assert_int_equal(check(table(), "[{'type':'assert-ref-snapshot-id',"
	    "'ref':'main','snapshot-id':null}]"), 0);
}

static void
test_assert_ref_snapshot_id_is_exact_int64(void **state)
{
	json_t	*md = table_with_snapshots();

	(void)state;
	assert_int_equal(check(md, "[{'type':'assert-ref-snapshot-id',"
	    "'ref':'main','snapshot-id':'2'}]"), 400);
	assert_int_equal(check(md, "[{'type':'assert-ref-snapshot-id',"
	    "'ref':'main','snapshot-id':2.0}]"), 400);
	assert_int_equal(check(md, "[{'type':'assert-ref-snapshot-id',"
	    "'snapshot-id':2}]"), 400);
}

static void
test_int_requirements_pass_and_fail(void **state)
{
	static const struct {
		const char	*type;
		const char	*key;
		long long	 good;
	} reqs[] = {
		{ "assert-last-assigned-field-id", "last-assigned-field-id", 3 },
		{ "assert-current-schema-id", "current-schema-id", 0 },
		{ "assert-last-assigned-partition-id",
		    "last-assigned-partition-id", 1000 },
		{ "assert-default-spec-id", "default-spec-id", 0 },
		{ "assert-default-sort-order-id", "default-sort-order-id", 1 },
	};
	json_t	*md = table();
	char	 buf[256];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		snprintf(buf, sizeof(buf), "[{'type':'%s','%s':%lld}]",
		    reqs[i].type, reqs[i].key, reqs[i].good);
		assert_int_equal(check(md, buf), 0);
		snprintf(buf, sizeof(buf), "[{'type':'%s','%s':%lld}]",
		    reqs[i].type, reqs[i].key, reqs[i].good + 1);
		assert_int_equal(check(md, buf), 409);
		snprintf(buf, sizeof(buf), "[{'type':'%s'}]", reqs[i].type);
		assert_int_equal(check(md, buf), 400);
		snprintf(buf, sizeof(buf), "[{'type':'%s','%s':'%lld'}]",
		    reqs[i].type, reqs[i].key, reqs[i].good);
		assert_int_equal(check(md, buf), 400);
	}
}

static void
test_requirement_types_match_case_insensitively(void **state)
{
	(void)state;
	assert_int_equal(check(table(), "[{'type':'ASSERT-Table-UUID',"
	    "'uuid':'" UUID "'}]"), 0);
}

static void
test_unknown_requirement_is_400(void **state)
{
	(void)state;
	assert_int_equal(check(table(), "[{'type':'assert-everything'}]"),
	    400);
	assert_int_equal(check(table(), "[{'type':'assert-view-uuid',"
	    "'uuid':'" UUID "'}]"), 400);
}

static void
test_malformed_requirements_are_400_even_behind_a_failing_one(void **state)
{
	json_t	*md = table();

	(void)state;
	assert_int_equal(check(md, "[{'type':'assert-current-schema-id',"
	    "'current-schema-id':9},{'type':'assert-default-spec-id'}]"), 400);
	assert_int_equal(check(md, "{}"), 400);
	assert_int_equal(check(md, "[1]"), 400);
	assert_int_equal(check(md, "[{}]"), 400);
	assert_int_equal(check(md, "[{'type':7}]"), 400);
}

static void
test_absent_or_null_requirements_are_empty(void **state)
{
	struct ice_err	err;

	(void)state;
	assert_int_equal(ice_table_check(table(), NULL, &err), 0);
	assert_int_equal(check(table(), "null"), 0);
	assert_int_equal(check(table(), "[]"), 0);
}

static void
test_all_requirements_must_hold(void **state)
{
	json_t	*md = table();

	(void)state;
	assert_int_equal(check(md, "[{'type':'assert-table-uuid','uuid':'"
	    UUID "'},{'type':'assert-current-schema-id',"
	    "'current-schema-id':0}]"), 0);
	assert_int_equal(check(md, "[{'type':'assert-table-uuid','uuid':'"
	    UUID "'},{'type':'assert-current-schema-id',"
	    "'current-schema-id':1}]"), 409);
}

static void
test_assert_create_passes_only_when_the_table_is_missing(void **state)
{
	(void)state;
	assert_int_equal(check(NULL, "[{'type':'assert-create'}]"), 0);
	assert_int_equal(check(table(), "[{'type':'assert-create'}]"), 409);
	assert_true(ice_table_is_create(J("[{'type':'assert-create'}]")));
	assert_false(ice_table_is_create(J("[{'type':'assert-table-uuid'}]")));
	assert_false(ice_table_is_create(NULL));
}

static void
test_assert_create_must_be_the_only_requirement(void **state)
{
	(void)state;
	assert_int_equal(check(NULL, "[{'type':'assert-create'},{'type':"
	    "'assert-table-uuid','uuid':'" UUID "'}]"), 400);
	assert_int_equal(check(NULL, "[{'type':'assert-create'},"
	    "{'type':'assert-create'}]"), 0);
}

static void
test_missing_table_without_assert_create_is_404(void **state)
{
	struct ice_err	err;

	(void)state;
	assert_int_equal(ice_table_check(NULL, J("[{'type':"
	    "'assert-table-uuid','uuid':'" UUID "'}]"), &err), -1);
	assert_int_equal(err.status, 404);
	assert_string_equal(err.type, "NoSuchTableException");
	assert_int_equal(ice_table_check(NULL, NULL, &err), -1);
	assert_int_equal(err.status, 404);
}

static void
test_requirements_see_reader_defaults(void **state)
{
	json_t	*v1;

	(void)state;
	/* no refs key: main is synthesized from current-snapshot-id */
	v1 = J("{'format-version':1,'location':'l','last-updated-ms':1,"
	    "'last-column-id':1,'schema':{'type':'struct','fields':[{'id':1,"
	    "'name':'a','required':true,'type':'int'}]},'partition-spec':[],"
	    "'current-snapshot-id':5,'snapshots':[{'snapshot-id':5,"
	    "'timestamp-ms':1,'manifest-list':'l'}]}");
	assert_int_equal(check(v1, "[{'type':'assert-ref-snapshot-id',"
	    "'ref':'main','snapshot-id':5}]"), 0);
	assert_int_equal(check(v1, "[{'type':'assert-last-assigned-"
	    "partition-id','last-assigned-partition-id':999}]"), 0);
}

static void
test_view_requirements(void **state)
{
	struct ice_err	 err;
	json_t		*view;

	(void)state;
	view = J("{'view-uuid':'" UUID "'}");
	assert_int_equal(ice_view_check(view, J("[{'type':'assert-view-uuid',"
	    "'uuid':'" UUID "'}]"), &err), 0);
	assert_int_equal(ice_view_check(view, J("[{'type':'assert-view-uuid',"
	    "'uuid':'x'}]"), &err), -1);
	assert_int_equal(err.status, 409);
	assert_int_equal(ice_view_check(view, J("[{'type':"
	    "'assert-table-uuid','uuid':'" UUID "'}]"), &err), -1);
	assert_int_equal(err.status, 400);
	assert_int_equal(ice_view_check(view, J("[{'type':'nope'}]"), &err),
	    -1);
	assert_int_equal(err.status, 400);
	assert_int_equal(ice_view_check(view, J("[{'type':"
	    "'assert-view-uuid'}]"), &err), -1);
	assert_int_equal(err.status, 400);
	assert_int_equal(ice_view_check(NULL, NULL, &err), -1);
	assert_int_equal(err.status, 404);
	assert_string_equal(err.type, "NoSuchViewException");
	assert_int_equal(ice_view_check(view, NULL, &err), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_assert_table_uuid_matches_case_insensitively),
		T(test_assert_table_uuid_needs_a_uuid),
		T(test_assert_ref_snapshot_id_matches_existing_ref),
		T(test_assert_ref_snapshot_id_null_means_ref_must_not_exist),
		T(test_assert_ref_snapshot_id_is_exact_int64),
		T(test_int_requirements_pass_and_fail),
		T(test_requirement_types_match_case_insensitively),
		T(test_unknown_requirement_is_400),
		T(test_malformed_requirements_are_400_even_behind_a_failing_one),
		T(test_absent_or_null_requirements_are_empty),
		T(test_all_requirements_must_hold),
		T(test_assert_create_passes_only_when_the_table_is_missing),
		T(test_assert_create_must_be_the_only_requirement),
		T(test_missing_table_without_assert_create_is_404),
		T(test_requirements_see_reader_defaults),
		T(test_view_requirements),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
