/*
 * §4: the table updates of snapshots and refs, location and properties,
 * statistics, encryption keys and row lineage, valid and invalid, with
 * no-op detection (the schema, spec and sort-order updates, build() and
 * create transactions: test_iceberg_updates.c).
 */
#include "test_iceberg_util.h"

/* --- snapshots and refs ------------------------------------------------------ */

static void
test_add_snapshot_alone_moves_no_ref(void **state)
{
	char	 a[512], u[600];
	json_t	*md;

	(void)state;
	snprintf(u, sizeof(u), "[%s]", snap(a, sizeof(a), 7, -1, 1,
	    NOW - 10));
	md = apply(table(), u);
	assert_int_equal(N(md, "snapshots"), 1);
	assert_int_equal(I(md, "current-snapshot-id"), -1);
	assert_int_equal(N(md, "refs"), 0);
	assert_int_equal(N(md, "snapshot-log"), 0);
	assert_int_equal(I(md, "last-sequence-number"), 1);
}

static void
test_set_main_moves_current_and_logs_snapshot_timestamp(void **state)
{
	json_t	*md = table_with_snapshots();

	(void)state;
	assert_int_equal(I(md, "current-snapshot-id"), 2);
	assert_int_equal(I(md, "refs.main.snapshot-id"), 2);
	assert_string_equal(S(md, "refs.main.type"), "branch");
	assert_int_equal(N(md, "snapshot-log"), 2);
	assert_int_equal(I(md, "snapshot-log.1.timestamp-ms"), NOW - 4000);
	assert_int_equal(I(md, "last-sequence-number"), 2);
	/* last-updated-ms is the server's clock, not the snapshot's */
	assert_int_equal(I(md, "last-updated-ms"), NOW);
}

static void
test_setting_main_to_an_old_snapshot_logs_now(void **state)
{
	char	 b[256], u[300];
	json_t	*md;

	(void)state;
	snprintf(u, sizeof(u), "[%s]", main_ref(b, sizeof(b), 1));
	md = apply(table_with_snapshots(), u);
	assert_int_equal(I(md, "current-snapshot-id"), 1);
	assert_int_equal(N(md, "snapshot-log"), 3);
	assert_int_equal(I(md, "snapshot-log.2.timestamp-ms"), NOW);
}

static void
test_add_snapshot_sequence_number_must_advance(void **state)
{
	char	 a[512], u[600];
	json_t	*md = table_with_snapshots();
	struct ice_err err;

	(void)state;
	snprintf(u, sizeof(u), "[%s]", snap(a, sizeof(a), 3, 2, 2, NOW));
	assert_int_equal(apply_err(md, u, &err), 409);
	assert_string_equal(err.type, "CommitFailedException");
	/* no parent: allowed (and then last-sequence-number follows it) */
	snprintf(u, sizeof(u), "[%s]", snap(a, sizeof(a), 3, -1, 3, NOW));
	changed(md, u);
}

static void
test_add_snapshot_rules(void **state)
{
	char	 a[512], u[600];
	json_t	*md = table_with_snapshots();

	(void)state;
	snprintf(u, sizeof(u), "[%s]", snap(a, sizeof(a), 2, 2, 3, NOW));
	assert_int_equal(apply_status(md, u), 400);	/* exists */
	assert_int_equal(apply_status(md, "[{'action':'add-snapshot'}]"), 400);
	assert_int_equal(apply_status(md, "[{'action':'add-snapshot',"
	    "'snapshot':{'snapshot-id':'9','timestamp-ms':1,"
	    "'manifest-list':'l'}}]"), 400);
	assert_int_equal(apply_status(md, "[{'action':'add-snapshot',"
	    "'snapshot':{'snapshot-id':9,'manifest-list':'l'}}]"), 400);
	/* v1: no sequence numbers */
	snprintf(u, sizeof(u), "[%s]", snap(a, sizeof(a), 5, -1, 1, NOW));
	assert_int_equal(apply_status(table_v(1), u), 400);
	snprintf(u, sizeof(u), "[%s]", snap(a, sizeof(a), 5, -1, 0, NOW));
	changed(table_v(1), u);
}

/* Issue 22: a sequence number no later commit could follow is refused. */
static void
test_add_snapshot_sequence_number_past_2_62_is_400(void **state)
{
	char		 a[512], u[600];
	json_t		*md;
	struct ice_err	 err;

	(void)state;
	snprintf(u, sizeof(u), "[%s]", snap(a, sizeof(a), 7, -1,
	    INT64_MAX, NOW));
	assert_int_equal(apply_err(table(), u, &err), 400);
	assert_string_equal(err.type, "ValidationException");
	assert_non_null(strstr(err.msg, "leaves no room for later commits"));
	snprintf(u, sizeof(u), "[%s]", snap(a, sizeof(a), 7, -1,
	    (1LL << 62) + 1, NOW));
	assert_int_equal(apply_status(table(), u), 400);
	/* A jump up to 2^62 is taken; past it only one step at a time. */
	snprintf(u, sizeof(u), "[%s]", snap(a, sizeof(a), 7, -1, 1LL << 62,
	    NOW));
	md = apply(table(), u);
	assert_true(I(md, "last-sequence-number") == 1LL << 62);
	snprintf(u, sizeof(u), "[%s]", snap(a, sizeof(a), 8, 7,
	    (1LL << 62) + 2, NOW));
	assert_int_equal(apply_status(md, u), 400);
	snprintf(u, sizeof(u), "[%s]", snap(a, sizeof(a), 8, 7,
	    (1LL << 62) + 1, NOW));
	md = apply(md, u);
	assert_true(I(md, "last-sequence-number") == (1LL << 62) + 1);
	snprintf(u, sizeof(u), "[%s]", snap(a, sizeof(a), 9, 8,
	    INT64_MAX, NOW));
	assert_int_equal(apply_status(md, u), 400);
}

static void
test_add_snapshot_id_must_be_positive(void **state)
{
	char		 a[512], u[600];
	struct ice_err	 err;

	(void)state;
	snprintf(u, sizeof(u), "[%s]", snap(a, sizeof(a), 0, -1, 1, NOW));
	assert_int_equal(apply_err(table(), u, &err), 400);
	assert_non_null(strstr(err.msg, "snapshot-id must be positive"));
	snprintf(u, sizeof(u), "[%s]", snap(a, sizeof(a), -5, -1, 1, NOW));
	assert_int_equal(apply_status(table(), u), 400);
	/* -1 is "no snapshot" everywhere else: never an id. */
	snprintf(u, sizeof(u), "[%s]", snap(a, sizeof(a), -2, -1, 1, NOW));
	assert_int_equal(apply_status(table(), u), 400);
}

static void
test_v3_snapshot_row_lineage(void **state)
{
	json_t	*v3 = table_v(3), *md;

	(void)state;
	assert_int_equal(apply_status(v3, "[{'action':'add-snapshot',"
	    "'snapshot':{'snapshot-id':1,'sequence-number':1,'timestamp-ms':1,"
	    "'manifest-list':'l'}}]"), 400);
	md = apply(v3, "[{'action':'add-snapshot','snapshot':{'snapshot-id':1,"
	    "'sequence-number':1,'timestamp-ms':1,'manifest-list':'l',"
	    "'first-row-id':0,'added-rows':30}}]");
	assert_int_equal(I(md, "next-row-id"), 30);
	assert_int_equal(apply_status(md, "[{'action':'add-snapshot',"
	    "'snapshot':{'snapshot-id':2,'parent-snapshot-id':1,"
	    "'sequence-number':2,'timestamp-ms':1,'manifest-list':'l',"
	    "'first-row-id':29,'added-rows':1}}]"), 409);
	/* missing added-rows: refused (test_iceberg_lineage.c) */
	assert_int_equal(apply_status(md, "[{'action':'add-snapshot',"
	    "'snapshot':{'snapshot-id':3,'parent-snapshot-id':1,"
	    "'sequence-number':2,'timestamp-ms':1,'manifest-list':'l',"
	    "'first-row-id':30}}]"), 400);
	assert_int_equal(apply_status(md, "[{'action':'add-snapshot',"
	    "'snapshot':{'snapshot-id':4,'sequence-number':3,"
	    "'timestamp-ms':1,'manifest-list':'l','first-row-id':30,"
	    "'added-rows':9223372036854775807}}]"), 400);
}

static void
test_snapshot_id_near_int64_max_round_trips(void **state)
{
	json_t	*md;
	char	*text;

	(void)state;
	md = apply(table(), "[{'action':'add-snapshot','snapshot':{"
	    "'snapshot-id':9223372036854775807,'sequence-number':1,"
	    "'timestamp-ms':1700000000000,'manifest-list':'l'}},{'action':"
	    "'set-snapshot-ref','ref-name':'main','type':'branch',"
	    "'snapshot-id':9223372036854775807}]");
	assert_true(I(md, "current-snapshot-id") == INT64_MAX);
	text = json_dumps(md, JSON_COMPACT);
	assert_non_null(strstr(text, "\"current-snapshot-id\":"
	    "9223372036854775807"));
	free(text);
	md = apply(md, "[{'action':'add-snapshot','snapshot':{"
	    "'snapshot-id':9223372036854775806,'parent-snapshot-id':"
	    "9223372036854775807,'sequence-number':2,'timestamp-ms':"
	    "1700000000000,'manifest-list':'l'}}]");
	assert_true(I(md, "snapshots.1.snapshot-id") == INT64_MAX - 1);
	assert_true(I(md, "snapshots.1.parent-snapshot-id") == INT64_MAX);
}

static void
test_snapshot_more_than_a_minute_ahead_is_400(void **state)
{
	char	 a[512], b[256], u[800];

	(void)state;
	snprintf(u, sizeof(u), "[%s,%s]", snap(a, sizeof(a), 1, -1, 1,
	    NOW + 61000), main_ref(b, sizeof(b), 1));
	assert_int_equal(apply_status(table(), u), 400);
	snprintf(u, sizeof(u), "[%s,%s]", snap(a, sizeof(a), 1, -1, 1,
	    NOW + 59000), main_ref(b, sizeof(b), 1));
	changed(table(), u);
}

static void
test_set_snapshot_ref_rules(void **state)
{
	json_t	*md = table_with_snapshots();

	(void)state;
	/* identical ref: no-op */
	unchanged(md, "[{'action':'set-snapshot-ref','ref-name':'main',"
	    "'type':'BRANCH','snapshot-id':2}]");
	assert_int_equal(apply_status(md, "[{'action':'set-snapshot-ref',"
	    "'ref-name':'dev','type':'branch','snapshot-id':99}]"), 400);
	assert_int_equal(apply_status(md, "[{'action':'set-snapshot-ref',"
	    "'ref-name':'main','type':'tag','snapshot-id':1}]"), 400);
	assert_int_equal(apply_status(md, "[{'action':'set-snapshot-ref',"
	    "'ref-name':'t','type':'tag','snapshot-id':1,"
	    "'min-snapshots-to-keep':2}]"), 400);
	assert_int_equal(apply_status(md, "[{'action':'set-snapshot-ref',"
	    "'ref-name':'b','type':'branch','snapshot-id':1,"
	    "'max-ref-age-ms':0}]"), 400);
	assert_int_equal(apply_status(md, "[{'action':'set-snapshot-ref',"
	    "'ref-name':'b','type':'leaf','snapshot-id':1}]"), 400);
	assert_int_equal(apply_status(md, "[{'action':'set-snapshot-ref',"
	    "'ref-name':'b','snapshot-id':1}]"), 400);
	assert_int_equal(apply_status(md, "[{'action':'set-snapshot-ref',"
	    "'type':'branch','snapshot-id':1}]"), 400);
}

static void
test_set_snapshot_ref_replaces_retention_wholesale(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table_with_snapshots(), "[{'action':'set-snapshot-ref',"
	    "'ref-name':'main','type':'branch','snapshot-id':2,"
	    "'min-snapshots-to-keep':3,'max-snapshot-age-ms':1000}]");
	assert_int_equal(I(md, "refs.main.min-snapshots-to-keep"), 3);
	/* same snapshot, new retention: still logged (§4.10-5) */
	assert_int_equal(N(md, "snapshot-log"), 3);
	md = apply(md, "[{'action':'set-snapshot-ref','ref-name':'main',"
	    "'type':'branch','snapshot-id':2}]");
	assert_null(at(md, "refs.main.min-snapshots-to-keep"));
	assert_null(at(md, "refs.main.max-snapshot-age-ms"));
}

static void
test_tags_and_branches_do_not_move_current(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table_with_snapshots(), "[{'action':'set-snapshot-ref',"
	    "'ref-name':'v1','type':'tag','snapshot-id':1,"
	    "'max-ref-age-ms':5},{'action':'set-snapshot-ref','ref-name':"
	    "'dev','type':'branch','snapshot-id':1}]");
	assert_int_equal(I(md, "current-snapshot-id"), 2);
	assert_string_equal(S(md, "refs.v1.type"), "tag");
	assert_int_equal(I(md, "refs.v1.max-ref-age-ms"), 5);
	assert_int_equal(N(md, "snapshot-log"), 2);
	/* a non-main ref may change type */
	md = apply(md, "[{'action':'set-snapshot-ref','ref-name':'dev',"
	    "'type':'tag','snapshot-id':1}]");
	assert_string_equal(S(md, "refs.dev.type"), "tag");
}

static void
test_remove_main_ref_clears_current(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table_with_snapshots(), "[{'action':'remove-snapshot-ref',"
	    "'ref-name':'main'}]");
	assert_int_equal(I(md, "current-snapshot-id"), -1);
	assert_null(at(md, "refs.main"));
	assert_int_equal(N(md, "snapshots"), 2);
	unchanged(table_with_snapshots(), "[{'action':'remove-snapshot-ref',"
	    "'ref-name':'nope'}]");
	assert_int_equal(apply_status(table(), "[{'action':"
	    "'remove-snapshot-ref'}]"), 400);
}

static void
test_remove_main_then_set_it_again(void **state)
{
	char	 a[512], b[256], u[900];
	json_t	*md;

	(void)state;
	/* a replace transaction: main removed, a new snapshot made main */
	snprintf(u, sizeof(u), "[{'action':'remove-snapshot-ref','ref-name':"
	    "'main'},%s,%s]", snap(a, sizeof(a), 3, -1, 3, NOW - 10),
	    main_ref(b, sizeof(b), 3));
	md = apply(table_with_snapshots(), u);
	assert_int_equal(I(md, "current-snapshot-id"), 3);
	assert_null(at(md, "snapshots.2.parent-snapshot-id"));
}

static void
test_remove_snapshots_drops_refs_and_log_entries(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table_with_snapshots(), "[{'action':'set-snapshot-ref',"
	    "'ref-name':'old','type':'tag','snapshot-id':1}]");
	md = apply(md, "[{'action':'remove-snapshots','snapshot-ids':[1,"
	    "12345]}]");
	assert_int_equal(N(md, "snapshots"), 1);
	assert_null(at(md, "refs.old"));
	assert_int_equal(I(md, "refs.main.snapshot-id"), 2);
	/* history before the gap is discarded */
	assert_int_equal(N(md, "snapshot-log"), 1);
	assert_int_equal(I(md, "snapshot-log.0.snapshot-id"), 2);
}

static void
test_removing_the_current_snapshot_removes_main(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table_with_snapshots(), "[{'action':'remove-snapshots',"
	    "'snapshot-ids':[2]}]");
	assert_int_equal(I(md, "current-snapshot-id"), -1);
	assert_null(at(md, "refs.main"));
	/* the log ended at the removed snapshot: the gap clears it */
	assert_int_equal(N(md, "snapshot-log"), 0);
}

static void
test_remove_snapshots_drops_their_statistics(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table_with_snapshots(), "[{'action':'set-statistics',"
	    "'statistics':{'snapshot-id':1,'statistics-path':'s3://s/1',"
	    "'file-size-in-bytes':10,'file-footer-size-in-bytes':2,"
	    "'blob-metadata':[]}},{'action':'set-partition-statistics',"
	    "'partition-statistics':{'snapshot-id':1,'statistics-path':"
	    "'s3://p/1','file-size-in-bytes':5}}]");
	assert_int_equal(N(md, "statistics"), 1);
	md = apply(md, "[{'action':'remove-snapshots','snapshot-ids':[1]}]");
	assert_int_equal(N(md, "statistics"), 0);
	assert_int_equal(N(md, "partition-statistics"), 0);
}

static void
test_remove_snapshots_rules(void **state)
{
	(void)state;
	unchanged(table_with_snapshots(), "[{'action':'remove-snapshots',"
	    "'snapshot-ids':[77]}]");
	assert_int_equal(apply_status(table(), "[{'action':"
	    "'remove-snapshots'}]"), 400);
	assert_int_equal(apply_status(table(), "[{'action':"
	    "'remove-snapshots','snapshot-ids':['1']}]"), 400);
	assert_int_equal(apply_status(table(), "[{'action':"
	    "'remove-snapshots','snapshot-ids':null}]"), 400);
}

static void
test_intermediate_snapshots_leave_no_log_entry(void **state)
{
	char	 a[512], b[256], c[512], d[256], u[1800];
	json_t	*md;

	(void)state;
	snprintf(u, sizeof(u), "[%s,%s,%s,%s]",
	    snap(a, sizeof(a), 10, -1, 1, NOW - 30),
	    main_ref(b, sizeof(b), 10),
	    snap(c, sizeof(c), 11, 10, 2, NOW - 20),
	    main_ref(d, sizeof(d), 11));
	md = apply(table(), u);
	assert_int_equal(I(md, "current-snapshot-id"), 11);
	assert_int_equal(N(md, "snapshots"), 2);
	assert_int_equal(N(md, "snapshot-log"), 1);
	assert_int_equal(I(md, "snapshot-log.0.snapshot-id"), 11);
}

static void
test_snapshot_log_must_end_at_current_after_removal(void **state)
{
	json_t	*base;

	(void)state;
	/* a file whose log ends at 2 while main is 1 (another writer) */
	base = J("{'format-version':2,'table-uuid':'" UUID "','location':"
	    "'s3://b/t','last-sequence-number':3,'last-updated-ms':"
	    "1700000000000,'last-column-id':1,'current-schema-id':0,"
	    "'schemas':[{'type':'struct','fields':[{'id':1,'name':'a',"
	    "'required':true,'type':'int'}]}],'default-spec-id':0,"
	    "'partition-specs':[{'fields':[]}],'current-snapshot-id':1,"
	    "'snapshots':[{'snapshot-id':1,'sequence-number':1,"
	    "'timestamp-ms':1,'manifest-list':'l'},{'snapshot-id':2,"
	    "'sequence-number':2,'timestamp-ms':2,'manifest-list':'l'},"
	    "{'snapshot-id':3,'sequence-number':3,'timestamp-ms':3,"
	    "'manifest-list':'l'}],'snapshot-log':[{'timestamp-ms':1,"
	    "'snapshot-id':1},{'timestamp-ms':2,'snapshot-id':2}]}");
	/* untouched logs are not re-checked ... */
	changed(base, "[{'action':'set-properties','updates':{'a':'b'}}]");
	/* ... but a removal rewrites the log, which must end at current */
	assert_int_equal(apply_status(base, "[{'action':'remove-snapshots',"
	    "'snapshot-ids':[3]}]"), 400);
}

/* --- location, properties -------------------------------------------------- */

static void
test_set_location(void **state)
{
	json_t	*md;

	(void)state;
	unchanged(table(), "[{'action':'set-location','location':'" LOC "'}]");
	md = apply(table(), "[{'action':'set-location','location':"
	    "'s3://other/t//'}]");
	assert_string_equal(S(md, "location"), "s3://other/t");
	assert_int_equal(apply_status(table(), "[{'action':'set-location',"
	    "'location':null}]"), 400);
	assert_int_equal(apply_status(table(), "[{'action':'set-location',"
	    "'location':''}]"), 400);
}

/* Issue 22: local locations are written as file:// URIs. */
static void
test_set_location_writes_local_paths_as_file_uris(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table(), "[{'action':'set-location','location':"
	    "'/data/wh/t2/'}]");
	assert_string_equal(S(md, "location"), "file:///data/wh/t2");
	/* The same place spelled as a bare path is no change. */
	unchanged(md, "[{'action':'set-location','location':"
	    "'/data/wh/t2'}]");
	md = apply(table(), "[{'action':'set-location','location':"
	    "'file:/data/wh/t3'}]");
	assert_string_equal(S(md, "location"), "file:///data/wh/t3");
}

static void
test_metadata_log_entry_of_a_bare_path_is_a_uri(void **state)
{
	struct ice_err	 err;
	json_t		*md;

	(void)state;
	md = keep(ice_table_apply(table(), J("[{'action':'set-properties',"
	    "'updates':{'a':'b'}}]"), "/data/wh/t/metadata/00001-x"
	    ".metadata.json", NOW, &err));
	assert_non_null(md);
	assert_string_equal(S(md, "metadata-log.0.metadata-file"),
	    "file:///data/wh/t/metadata/00001-x.metadata.json");
}

static void
test_set_properties_is_a_change_even_when_unchanged(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table(), "[{'action':'set-properties','updates':"
	    "{'owner':'me'}}]");
	assert_false(ice_table_unchanged(table(), md));
	assert_int_equal(N(md, "metadata-log"), 1);
	unchanged(table(), "[{'action':'set-properties','updates':{}}]");
}

static void
test_set_properties_rules(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table(), "[{'action':'set-properties','updated':"
	    "{'legacy':'yes'}}]");
	assert_string_equal(S(md, "properties.legacy"), "yes");
	md = apply(table(), "[{'action':'set-properties','updated':"
	    "{'legacy':'yes'},'updates':{'new':'yes'}}]");
	assert_null(at(md, "properties.legacy"));
	assert_int_equal(apply_status(table(), "[{'action':'set-properties',"
	    "'updates':{'format-version':'3'}}]"), 400);
	assert_int_equal(apply_status(table(), "[{'action':'set-properties',"
	    "'updates':{'a':1}}]"), 400);
	assert_int_equal(apply_status(table(), "[{'action':'set-properties',"
	    "'updates':['a']}]"), 400);
	assert_int_equal(apply_status(table(), "[{'action':"
	    "'set-properties'}]"), 400);
}

static void
test_remove_properties_is_a_change_even_when_missing(void **state)
{
	json_t	*md;

	(void)state;
	changed(table(), "[{'action':'remove-properties','removals':['nope']}]");
	md = apply(table(), "[{'action':'remove-properties','removed':"
	    "['owner']}]");
	assert_null(at(md, "properties.owner"));
	unchanged(table(), "[{'action':'remove-properties','removals':[]}]");
	assert_int_equal(apply_status(table(), "[{'action':"
	    "'remove-properties','removals':[1]}]"), 400);
	assert_int_equal(apply_status(table(), "[{'action':"
	    "'remove-properties'}]"), 400);
}

/* --- statistics, encryption keys, row lineage --------------------------------- */

static void
test_statistics_are_replaced_per_snapshot(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table(), "[{'action':'set-statistics','snapshot-id':1,"
	    "'statistics':{'snapshot-id':1,'statistics-path':'a',"
	    "'file-size-in-bytes':1,'file-footer-size-in-bytes':1,"
	    "'blob-metadata':[{'type':'t','snapshot-id':1,"
	    "'sequence-number':1,'fields':[1],'properties':{'k':'v'}}]}},"
	    "{'action':'set-statistics','statistics':{'snapshot-id':1,"
	    "'statistics-path':'b','file-size-in-bytes':1,"
	    "'file-footer-size-in-bytes':1,'blob-metadata':[]}}]");
	assert_int_equal(N(md, "statistics"), 1);
	assert_string_equal(S(md, "statistics.0.statistics-path"), "b");
	changed(md, "[{'action':'set-statistics','statistics':{'snapshot-id':"
	    "1,'statistics-path':'b','file-size-in-bytes':1,"
	    "'file-footer-size-in-bytes':1,'blob-metadata':[]}}]");
	md = apply(md, "[{'action':'remove-statistics','snapshot-id':1}]");
	assert_int_equal(N(md, "statistics"), 0);
	unchanged(md, "[{'action':'remove-statistics','snapshot-id':1}]");
	assert_int_equal(apply_status(md, "[{'action':'set-statistics',"
	    "'statistics':{'snapshot-id':1}}]"), 400);
	assert_int_equal(apply_status(md, "[{'action':"
	    "'remove-statistics'}]"), 400);
}

static void
test_partition_statistics(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table(), "[{'action':'set-partition-statistics',"
	    "'partition-statistics':{'snapshot-id':4,'statistics-path':'p',"
	    "'file-size-in-bytes':3}}]");
	assert_int_equal(I(md, "partition-statistics.0.file-size-in-bytes"),
	    3);
	md = apply(md, "[{'action':'remove-partition-statistics',"
	    "'snapshot-id':4}]");
	assert_int_equal(N(md, "partition-statistics"), 0);
	unchanged(md, "[{'action':'remove-partition-statistics',"
	    "'snapshot-id':4}]");
	assert_int_equal(apply_status(md, "[{'action':"
	    "'set-partition-statistics','partition-statistics':{}}]"), 400);
}

static void
test_encryption_keys(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table_v(3), "[{'action':'add-encryption-key',"
	    "'encryption-key':{'key-id':'k1','encrypted-key-metadata':"
	    "'AAAA','properties':{'a':'b'}}}]");
	assert_string_equal(S(md, "encryption-keys.0.key-id"), "k1");
	unchanged(md, "[{'action':'add-encryption-key','encryption-key':{"
	    "'key-id':'k1','encrypted-key-metadata':'BBBB'}}]");
	md = apply(md, "[{'action':'remove-encryption-key','key-id':'k1'}]");
	assert_null(at(md, "encryption-keys"));		/* not written empty */
	unchanged(md, "[{'action':'remove-encryption-key','key-id':'k1'}]");
	assert_int_equal(apply_status(md, "[{'action':'add-encryption-key',"
	    "'encryption-key':{'key-id':'k1'}}]"), 400);
}

static void
test_enable_row_lineage_is_a_noop_on_v3_only(void **state)
{
	(void)state;
	unchanged(table_v(3), "[{'action':'enable-row-lineage'}]");
	assert_int_equal(apply_status(table(), "[{'action':"
	    "'enable-row-lineage'}]"), 400);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_add_snapshot_alone_moves_no_ref),
		T(test_set_main_moves_current_and_logs_snapshot_timestamp),
		T(test_setting_main_to_an_old_snapshot_logs_now),
		T(test_add_snapshot_sequence_number_must_advance),
		T(test_add_snapshot_rules),
		T(test_add_snapshot_sequence_number_past_2_62_is_400),
		T(test_add_snapshot_id_must_be_positive),
		T(test_v3_snapshot_row_lineage),
		T(test_snapshot_id_near_int64_max_round_trips),
		T(test_snapshot_more_than_a_minute_ahead_is_400),
		T(test_set_snapshot_ref_rules),
		T(test_set_snapshot_ref_replaces_retention_wholesale),
		T(test_tags_and_branches_do_not_move_current),
		T(test_remove_main_ref_clears_current),
		T(test_remove_main_then_set_it_again),
		T(test_remove_snapshots_drops_refs_and_log_entries),
		T(test_removing_the_current_snapshot_removes_main),
		T(test_remove_snapshots_drops_their_statistics),
		T(test_remove_snapshots_rules),
		T(test_intermediate_snapshots_leave_no_log_entry),
		T(test_snapshot_log_must_end_at_current_after_removal),
		T(test_set_location),
		T(test_set_location_writes_local_paths_as_file_uris),
		T(test_metadata_log_entry_of_a_bare_path_is_a_uri),
		T(test_set_properties_is_a_change_even_when_unchanged),
		T(test_set_properties_rules),
		T(test_remove_properties_is_a_change_even_when_missing),
		T(test_statistics_are_replaced_per_snapshot),
		T(test_partition_statistics),
		T(test_encryption_keys),
		T(test_enable_row_lineage_is_a_noop_on_v3_only),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
