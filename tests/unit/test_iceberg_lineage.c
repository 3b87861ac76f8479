/*
 * v3 row lineage (spec "Row Lineage", iceberg-commit.md §4.9): every
 * snapshot's rows take the ids [first-row-id, first-row-id + added-rows),
 * and no id is ever given twice, whatever a request or a file says.
 */
#include "test_iceberg_util.h"

/* An add-snapshot of a v3 snapshot; added < 0 leaves added-rows out. */
static const char *
v3snap(char *buf, size_t len, long long id, long long seq, long long first,
    long long added)
{
	char	a[64] = "";

	if (added >= 0)
		snprintf(a, sizeof(a), ",'added-rows':%lld", added);
	snprintf(buf, len, "{'action':'add-snapshot','snapshot':{"
	    "'snapshot-id':%lld,'sequence-number':%lld,'timestamp-ms':%lld,"
	    "'summary':{'operation':'append'},'manifest-list':'s3://m/%lld',"
	    "'first-row-id':%lld%s}}", id, seq, NOW - 100, id, first, a);
	return (buf);
}

static json_t *
add(const json_t *md, long long id, long long seq, long long first,
    long long added)
{
	char	b[512], u[600];

	snprintf(u, sizeof(u), "[%s]", v3snap(b, sizeof(b), id, seq, first,
	    added));
	return (apply(md, u));
}

static int
add_err(const json_t *md, long long id, long long seq, long long first,
    long long added, struct ice_err *err)
{
	char	b[512], u[600];

	snprintf(u, sizeof(u), "[%s]", v3snap(b, sizeof(b), id, seq, first,
	    added));
	return (apply_err(md, u, err));
}

static void
test_v3_snapshot_without_added_rows_is_400_naming_the_field(void **state)
{
	struct ice_err	 err;
	json_t		*md;

	(void)state;
	md = add(table_v(3), 1, 1, 0, 30);
	assert_int_equal(add_err(md, 2, 2, 30, -1, &err), 400);
	assert_non_null(strstr(err.msg, "added-rows"));
	/* Read as 0, it left next-row-id at 30, and the next snapshot was
	 * given the ids this one's rows already had. */
	assert_int_equal(I(md, "next-row-id"), 30);
}

static void
test_snapshot_at_ids_another_holds_is_a_stale_commit(void **state)
{
	struct ice_err	 err;
	json_t		*md;

	(void)state;
	md = add(table_v(3), 1, 1, 0, 30);
	assert_int_equal(I(md, "next-row-id"), 30);
	assert_int_equal(add_err(md, 2, 2, 0, 5, &err), 409);
	assert_int_equal(add_err(md, 2, 2, 29, 1, &err), 409);
	md = add(md, 2, 2, 30, 0);
	/* A snapshot that adds no rows holds no ids; the next starts there. */
	md = add(md, 3, 3, 30, 4);
	assert_int_equal(I(md, "next-row-id"), 34);
}

static void
test_first_row_id_past_next_row_id_moves_it_past_the_snapshots_rows(
    void **state)
{
	struct ice_err	 err;
	json_t		*md;

	(void)state;
	md = add(table_v(3), 1, 1, 100, 10);
	/* Not 0 + 10: then a snapshot at 10 adding 100 rows would take
	 * [10, 110), and snapshot 1's [100, 110) with them. */
	assert_int_equal(I(md, "next-row-id"), 110);
	assert_int_equal(add_err(md, 2, 2, 10, 100, &err), 409);
	md = add(md, 2, 2, 110, 1);
	assert_int_equal(I(md, "next-row-id"), 111);
}

static void
test_snapshots_of_one_request_take_ranges_one_after_another(void **state)
{
	char		 a[512], b[512], u[1100];
	struct ice_err	 err;
	json_t		*md;

	(void)state;
	snprintf(u, sizeof(u), "[%s,%s]", v3snap(a, sizeof(a), 1, 1, 0, 5),
	    v3snap(b, sizeof(b), 2, 2, 5, 3));
	md = apply(table_v(3), u);
	assert_int_equal(I(md, "next-row-id"), 8);
	snprintf(u, sizeof(u), "[%s,%s]", v3snap(a, sizeof(a), 1, 1, 0, 5),
	    v3snap(b, sizeof(b), 2, 2, 3, 3));
	assert_int_equal(apply_err(table_v(3), u, &err), 409);
}

/* A v3 table as a file says it: snapshots (a JSON list) and next-row-id. */
static const char *
v3file(char *buf, size_t len, const char *snapshots, long long next)
{
	snprintf(buf, len, "{'format-version':3,'table-uuid':'" UUID "',"
	    "'location':'s3://b/t','last-sequence-number':9,"
	    "'last-updated-ms':%lld,'last-column-id':1,'current-schema-id':0,"
	    "'schemas':[{'type':'struct','schema-id':0,'fields':[{'id':1,"
	    "'name':'a','required':true,'type':'int'}]}],'default-spec-id':0,"
	    "'partition-specs':[{'spec-id':0,'fields':[]}],"
	    "'default-sort-order-id':0,'sort-orders':[{'order-id':0,"
	    "'fields':[]}],'next-row-id':%lld,'snapshots':%s}", NOW, next,
	    snapshots);
	return (buf);
}

static json_t *
parse(const char *snapshots, long long next)
{
	char		 buf[4096];
	struct ice_err	 err;
	json_t		*md;

	md = keep(ice_table_parse(J(v3file(buf, sizeof(buf), snapshots,
	    next)), &err));
	if (md == NULL)
		fail_msg("parse: %d %s", err.status, err.msg);
	return (md);
}

#define S1_0_10	"{'snapshot-id':1,'sequence-number':1,'timestamp-ms':1," \
	"'manifest-list':'l1','first-row-id':0,'added-rows':10}"
#define S2_5_15	"{'snapshot-id':2,'sequence-number':2,'timestamp-ms':2," \
	"'manifest-list':'l2','first-row-id':5,'added-rows':10}"
#define S2_10_15 "{'snapshot-id':2,'sequence-number':2,'timestamp-ms':2," \
	"'manifest-list':'l2','first-row-id':10,'added-rows':5}"
#define S3_EMPTY "{'snapshot-id':3,'sequence-number':3,'timestamp-ms':3," \
	"'manifest-list':'l3','first-row-id':3,'added-rows':0}"

static void
test_file_whose_snapshots_share_row_ids_is_refused(void **state)
{
	struct ice_err	err;

	(void)state;
	assert_int_equal(ice_table_check_lineage(parse("[" S1_0_10 ","
	    S2_5_15 "]", 15), &err), -1);
	assert_int_equal(err.status, 400);
	assert_non_null(strstr(err.msg, "snapshots 1 and 2 share row ids"));
	/* Apart, and a snapshot that holds no ids, are fine. */
	assert_int_equal(ice_table_check_lineage(parse("[" S2_10_15 ","
	    S1_0_10 "," S3_EMPTY "]", 15), &err), 0);
}

static void
test_file_with_rows_past_next_row_id_is_refused(void **state)
{
	struct ice_err	err;

	(void)state;
	/* The next commit would start at 12, inside snapshot 2's ids. */
	assert_int_equal(ice_table_check_lineage(parse("[" S1_0_10 ","
	    S2_10_15 "]", 12), &err), -1);
	assert_int_equal(err.status, 400);
	assert_non_null(strstr(err.msg, "past next-row-id 12"));
}

static void
test_file_snapshot_without_added_rows_is_refused(void **state)
{
	char		 buf[4096];
	struct ice_err	 err;

	(void)state;
	assert_null(keep(ice_table_parse(J(v3file(buf, sizeof(buf),
	    "[{'snapshot-id':1,'sequence-number':1,'timestamp-ms':1,"
	    "'manifest-list':'l1','first-row-id':0}]", 0)), &err)));
	assert_int_equal(err.status, 400);
	assert_non_null(strstr(err.msg, "added-rows"));
}

/*
 * A stored file is not a request: a table registered before added-rows
 * was required still loads into a commit (its snapshot's count read as
 * 0 and written so, for Java's readers), and its next-row-id holds.
 */
static void
test_stored_file_without_added_rows_still_takes_commits(void **state)
{
	char		 buf[4096];
	struct ice_err	 err;
	json_t		*base, *md;

	(void)state;
	base = J(v3file(buf, sizeof(buf), "[{'snapshot-id':1,"
	    "'sequence-number':1,'timestamp-ms':1,'manifest-list':'l1',"
	    "'first-row-id':0}]", 10));
	assert_int_equal(ice_table_check(base, J("[{'type':"
	    "'assert-table-uuid','uuid':'" UUID "'}]"), &err), 0);
	md = apply(base, "[{'action':'set-properties','updates':{'k':'v'}}]");
	assert_int_equal(I(md, "snapshots.0.added-rows"), 0);
	assert_int_equal(I(md, "next-row-id"), 10);
	assert_int_equal(add_err(base, 2, 10, 9, 5, &err), 409);
	md = add(base, 2, 10, 10, 5);
	assert_int_equal(I(md, "next-row-id"), 15);
}

static void
test_commit_on_a_table_whose_next_row_id_is_behind_gives_no_id_twice(
    void **state)
{
	struct ice_err	 err;
	json_t		*md;

	(void)state;
	/* Written before this was checked: snapshot 2 holds [10, 15) and
	 * next-row-id says 12. */
	md = parse("[" S1_0_10 "," S2_10_15 "]", 12);
	assert_int_equal(add_err(md, 4, 10, 12, 5, &err), 400);
	assert_non_null(strstr(err.msg, "snapshot 2's [10, 15)"));
	md = add(md, 4, 10, 15, 5);
	assert_int_equal(I(md, "next-row-id"), 20);
}

static void
test_v2_tables_have_no_lineage_to_check(void **state)
{
	struct ice_err	err;

	(void)state;
	assert_int_equal(ice_table_check_lineage(table_with_snapshots(), &err),
	    0);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		T(test_v3_snapshot_without_added_rows_is_400_naming_the_field),
		T(test_snapshot_at_ids_another_holds_is_a_stale_commit),
		T(test_first_row_id_past_next_row_id_moves_it_past_the_snapshots_rows),
		T(test_snapshots_of_one_request_take_ranges_one_after_another),
		T(test_file_whose_snapshots_share_row_ids_is_refused),
		T(test_file_with_rows_past_next_row_id_is_refused),
		T(test_file_snapshot_without_added_rows_is_refused),
		T(test_stored_file_without_added_rows_still_takes_commits),
		T(test_commit_on_a_table_whose_next_row_id_is_behind_gives_no_id_twice),
		T(test_v2_tables_have_no_lineage_to_check),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
