/*
 * §4: the table updates of identity, schemas, partition specs and sort
 * orders, valid and invalid; the "-1 = last added" rules; no-op
 * detection; build() (§4.Z): last-updated-ms, the metadata-log and the
 * snapshot-log fix-up; create transactions (§2.6).  The updates of
 * snapshots, refs, location, properties and statistics:
 * test_iceberg_snapshots.c.
 */
#include "test_iceberg_util.h"

#define NEW_SCHEMA(extra) "{'action':'add-schema','schema':{'type':'struct'," \
	"'schema-id':42,'fields':[{'id':1,'name':'id','required':true," \
	"'type':'long'},{'id':2,'name':'ts','required':false,'type':" \
	"'timestamptz'},{'id':3,'name':'data','required':false,'type':" \
	"'string'}" extra "]}}"
#define SCHEMA_PLUS_X	NEW_SCHEMA(",{'id':4,'name':'x','required':false," \
	"'type':'int'}")
#define SAME_SCHEMA	NEW_SCHEMA("")

/* --- dispatch --------------------------------------------------------- */

static void
test_unknown_action_is_400(void **state)
{
	struct ice_err	err;

	(void)state;
	assert_int_equal(apply_err(table(), "[{'action':'make-it-fast'}]",
	    &err), 400);
	assert_string_equal(err.type, "BadRequestException");
	assert_int_equal(apply_status(table(), "[{'action':"
	    "'add-view-version','view-version':{}}]"), 400);
	assert_int_equal(apply_status(table(), "[{'action':"
	    "'set-current-view-version','view-version-id':1}]"), 400);
}

static void
test_malformed_updates_are_400(void **state)
{
	static const char *const bad[] = { "{}", "[1]", "[{}]",
	    "[{'action':7}]", "[[]]", "'x'" };
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(apply_status(table(), bad[i]), 400);
}

static void
test_actions_match_case_insensitively(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table(), "[{'action':'SET-Properties','updates':"
	    "{'a':'b'}}]");
	assert_string_equal(S(md, "properties.a"), "b");
}

static void
test_unknown_fields_of_an_update_are_ignored(void **state)
{
	(void)state;
	changed(table(), "[{'action':'set-properties','updates':{'a':'b'},"
	    "'whatever':[1,2]}]");
}

static void
test_no_updates_write_nothing(void **state)
{
	struct ice_err	 err;
	json_t		*base = table(), *md;

	(void)state;
	unchanged(base, "[]");
	unchanged(base, "null");
	md = keep(ice_table_apply(base, NULL, BASE_FILE, NOW, &err));
	assert_true(ice_table_unchanged(base, md));
}

static void
test_a_failing_update_fails_the_whole_commit(void **state)
{
	struct ice_err	err;

	(void)state;
	assert_int_equal(apply_err(table(), "[{'action':'set-properties',"
	    "'updates':{'a':'b'}},{'action':'set-current-schema',"
	    "'schema-id':9}]", &err), 400);
	assert_non_null(strstr(err.msg, "set-current-schema"));
}

/* --- build(): last-updated-ms, metadata-log ------------------------------ */

static void
test_commit_stamps_last_updated_ms_with_now(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table(), "[{'action':'set-properties','updates':"
	    "{'a':'b'}}]");
	assert_int_equal(I(md, "last-updated-ms"), NOW);
}

static void
test_commit_appends_base_file_to_metadata_log(void **state)
{
	json_t	*base = table(), *md;

	(void)state;
	md = apply(base, "[{'action':'set-properties','updates':{'a':'b'}}]");
	assert_int_equal(N(md, "metadata-log"), 1);
	assert_string_equal(S(md, "metadata-log.0.metadata-file"), BASE_FILE);
	assert_int_equal(I(md, "metadata-log.0.timestamp-ms"),
	    I(base, "last-updated-ms"));
}

/*
 * §1.3-5 on a commit from a kept form (its log's entries not read
 * again): a chain of commits keeps a log in order, and one whose new
 * entry (the base's last-updated-ms, minutes ahead of this server's
 * clock) would come after the new last-updated-ms is still refused.
 */
static void
test_a_commit_from_a_kept_form_still_checks_its_new_log_entry(void **state)
{
	struct ice_err	 err;
	json_t		*md = table(), *read = NULL, *next_read, *next;
	char		 file[64];
	int		 i;

	(void)state;
	for (i = 0; i < 5; i++) {
		snprintf(file, sizeof(file), "s3://m/%05d-x.metadata.json", i);
		next = keep(ice_table_apply_read(md, read, read != NULL,
		    J("[{'action':'set-properties','updates':{'a':'b'}}]"),
		    file, NOW + i * 1000, &next_read, &err));
		assert_non_null(next);
		json_decref(read);
		read = next_read;
		md = next;
	}
	assert_int_equal(N(md, "metadata-log"), 5);
	/* The last commit stamped 10 minutes ahead of the next one's now. */
	next = ice_table_apply_read(md, read, 1, J("[{'action':"
	    "'set-properties','updates':{'a':'c'}}]"), file,
	    NOW + 4000 + 10 * 60 * 1000, &next_read, &err);
	assert_non_null(keep(next));
	json_decref(read);
	read = next_read;
	md = next;
	assert_null(ice_table_apply_read(md, read, 1, J("[{'action':"
	    "'set-properties','updates':{'a':'d'}}]"), file, NOW + 5000,
	    NULL, &err));
	assert_non_null(strstr(err.msg, "before the last metadata-log entry"));
	json_decref(read);
}

static void
test_no_metadata_log_entry_without_a_base_file(void **state)
{
	struct ice_err	 err;
	json_t		*md;

	(void)state;
	md = keep(ice_table_apply(table(), J("[{'action':'set-properties',"
	    "'updates':{'a':'b'}}]"), NULL, NOW, &err));
	assert_non_null(md);
	assert_int_equal(N(md, "metadata-log"), 0);
}

static void
test_metadata_log_trimmed_by_post_update_property(void **state)
{
	struct ice_err	 err;
	json_t		*md = table(), *next, *dropped;
	char		 file[64];
	int		 i;

	(void)state;
	for (i = 0; i < 4; i++) {
		snprintf(file, sizeof(file), "s3://m/%05d-x.metadata.json", i);
		md = keep(ice_table_apply(md, J("[{'action':'set-properties',"
		    "'updates':{'a':'b'}}]"), file, NOW + i, &err));
		assert_non_null(md);
	}
	assert_int_equal(N(md, "metadata-log"), 4);
	next = keep(ice_table_apply(md, J("[{'action':'set-properties',"
	    "'updates':{'write.metadata.previous-versions-max':'2'}}]"),
	    "s3://m/00004-x.metadata.json", NOW + 4, &err));
	assert_int_equal(N(next, "metadata-log"), 2);
	assert_string_equal(S(next, "metadata-log.0.metadata-file"),
	    "s3://m/00003-x.metadata.json");
	assert_string_equal(S(next, "metadata-log.1.metadata-file"),
	    "s3://m/00004-x.metadata.json");
	dropped = keep(ice_table_log_dropped(md, next));
	assert_int_equal(N(dropped, ""), 3);
	assert_string_equal(json_string_value(json_array_get(dropped, 0)),
	    "s3://m/00000-x.metadata.json");
	/* already trimmed: nothing more to drop */
	assert_int_equal(N(keep(ice_table_trim_log(next)), ""), 0);
}

static void
test_metadata_log_default_keeps_100(void **state)
{
	json_t	*md = table();
	int	 i;

	(void)state;
	for (i = 0; i < 103; i++)
		md = apply(md, "[{'action':'remove-properties','removals':"
		    "['x']}]");
	assert_int_equal(N(md, "metadata-log"), 100);
}

/* --- assign-uuid, upgrade-format-version ---------------------------------- */

static void
test_assign_same_uuid_is_a_noop(void **state)
{
	(void)state;
	unchanged(table(), "[{'action':'assign-uuid','uuid':'" UUID "'}]");
	unchanged(table(), "[{'action':'assign-uuid','uuid':"
	    "'9C12D441-03FE-4693-9A96-A0705DDF69C1'}]");
}

static void
test_assign_different_uuid_to_existing_table_is_400(void **state)
{
	(void)state;
	assert_int_equal(apply_status(table(), "[{'action':'assign-uuid',"
	    "'uuid':'00000000-0000-0000-0000-000000000000'}]"), 400);
	assert_int_equal(apply_status(table(), "[{'action':'assign-uuid'}]"),
	    400);
	assert_int_equal(apply_status(table(), "[{'action':'assign-uuid',"
	    "'uuid':''}]"), 400);
}

static void
test_upgrade_to_v3_writes_next_row_id_and_null_current(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table(), "[{'action':'upgrade-format-version',"
	    "'format-version':3}]");
	assert_int_equal(I(md, "format-version"), 3);
	assert_int_equal(I(md, "next-row-id"), 0);
	assert_true(json_is_null(at(md, "current-snapshot-id")));
}

static void
test_upgrade_v1_to_v2_writes_last_sequence_number(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table_v(1), "[{'action':'upgrade-format-version',"
	    "'format-version':2}]");
	assert_int_equal(I(md, "last-sequence-number"), 0);
	assert_null(at(md, "schema"));
	assert_null(at(md, "partition-spec"));
}

static void
test_upgrade_rules(void **state)
{
	(void)state;
	unchanged(table(), "[{'action':'upgrade-format-version',"
	    "'format-version':2}]");
	assert_int_equal(apply_status(table(), "[{'action':"
	    "'upgrade-format-version','format-version':1}]"), 400);
	assert_int_equal(apply_status(table(), "[{'action':"
	    "'upgrade-format-version','format-version':4}]"), 400);
	assert_int_equal(apply_status(table(), "[{'action':"
	    "'upgrade-format-version','format-version':'3'}]"), 400);
}

/* --- schemas ------------------------------------------------------------------ */

static void
test_add_schema_gets_next_id_and_raises_last_column_id(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table(), "[" SCHEMA_PLUS_X "]");
	assert_int_equal(N(md, "schemas"), 2);
	assert_int_equal(I(md, "schemas.1.schema-id"), 1);	/* not 42 */
	assert_int_equal(I(md, "last-column-id"), 4);
	assert_int_equal(I(md, "current-schema-id"), 0);
}

static void
test_add_schema_ignores_deprecated_last_column_id(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table(), "[{'action':'add-schema','last-column-id':99,"
	    "'schema':{'type':'struct','fields':[{'id':1,'name':'id',"
	    "'required':true,'type':'long'},{'id':7,'name':'y',"
	    "'required':false,'type':'int'}]}}]");
	assert_int_equal(I(md, "last-column-id"), 7);
}

static void
test_set_current_schema_minus_one_means_last_added(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table(), "[" SCHEMA_PLUS_X ",{'action':"
	    "'set-current-schema','schema-id':-1}]");
	assert_int_equal(I(md, "current-schema-id"), 1);
}

static void
test_identical_schema_is_reused_and_minus_one_fails(void **state)
{
	(void)state;
	unchanged(table(), "[" SAME_SCHEMA "]");
	assert_int_equal(apply_status(table(), "[" SAME_SCHEMA ",{'action':"
	    "'set-current-schema','schema-id':-1}]"), 400);
}

static void
test_schema_added_twice_in_one_request_is_still_last_added(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table(), "[" SCHEMA_PLUS_X "," SCHEMA_PLUS_X ",{'action':"
	    "'set-current-schema','schema-id':-1}]");
	assert_int_equal(N(md, "schemas"), 2);
	assert_int_equal(I(md, "current-schema-id"), 1);
}

static void
test_set_current_schema_rules(void **state)
{
	(void)state;
	unchanged(table(), "[{'action':'set-current-schema','schema-id':0}]");
	assert_int_equal(apply_status(table(), "[{'action':"
	    "'set-current-schema','schema-id':-1}]"), 400);
	assert_int_equal(apply_status(table(), "[{'action':"
	    "'set-current-schema','schema-id':5}]"), 400);
	assert_int_equal(apply_status(table(), "[{'action':"
	    "'set-current-schema'}]"), 400);
}

static void
test_current_schema_must_keep_partition_source(void **state)
{
	(void)state;
	/* drops ts, the source of the default spec's day(ts) */
	assert_int_equal(apply_status(table(), "[{'action':'add-schema',"
	    "'schema':{'type':'struct','fields':[{'id':1,'name':'id',"
	    "'required':true,'type':'long'}]}},{'action':'set-current-schema',"
	    "'schema-id':-1}]"), 400);
	/* changes the sort source id's type to something unsortable */
	assert_int_equal(apply_status(table(), "[{'action':'add-schema',"
	    "'schema':{'type':'struct','fields':[{'id':1,'name':'id',"
	    "'required':true,'type':{'type':'list','element-id':5,"
	    "'element':'int','element-required':true}},{'id':2,'name':'ts',"
	    "'required':false,'type':'timestamptz'}]}},{'action':"
	    "'set-current-schema','schema-id':-1}]"), 400);
}

static void
test_add_schema_checks_format_version(void **state)
{
	(void)state;
	assert_int_equal(apply_status(table(), "[" NEW_SCHEMA(",{'id':4,"
	    "'name':'v','required':false,'type':'variant'}") "]"), 400);
	changed(table_v(3), "[" NEW_SCHEMA(",{'id':4,'name':'v',"
	    "'required':false,'type':'variant'}") "]");
	assert_int_equal(apply_status(table(), "[{'action':'add-schema'}]"),
	    400);
	assert_int_equal(apply_status(table(), "[{'action':'add-schema',"
	    "'schema':{'type':'struct','fields':[{'id':1}]}}]"), 400);
}

static void
test_remove_schemas(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table(), "[" SCHEMA_PLUS_X "]");
	md = apply(md, "[{'action':'remove-schemas','schema-ids':[1]}]");
	assert_int_equal(N(md, "schemas"), 1);
	assert_int_equal(I(md, "last-column-id"), 4);
	/* unknown ids still count as a change (§9-9) */
	changed(table(), "[{'action':'remove-schemas','schema-ids':[77]}]");
	unchanged(table(), "[{'action':'remove-schemas','schema-ids':[]}]");
	assert_int_equal(apply_status(table(), "[{'action':'remove-schemas',"
	    "'schema-ids':[0]}]"), 400);
	assert_int_equal(apply_status(table(), "[{'action':'remove-schemas',"
	    "'schema-ids':['1']}]"), 400);
	assert_int_equal(apply_status(table(), "[{'action':'remove-schemas'}]"),
	    400);
}

/* --- partition specs -------------------------------------------------------- */

#define SPEC_BUCKET "{'action':'add-spec','spec':{'spec-id':9,'fields':[" \
	"{'name':'ts_day','transform':'day','source-id':2,'field-id':1000}," \
	"{'name':'id_b','transform':'bucket[16]','source-id':1," \
	"'field-id':1001}]}}"

static void
test_add_spec_gets_next_id_and_raises_last_partition_id(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table(), "[" SPEC_BUCKET ",{'action':'set-default-spec',"
	    "'spec-id':-1}]");
	assert_int_equal(I(md, "partition-specs.1.spec-id"), 1);
	assert_int_equal(I(md, "default-spec-id"), 1);
	assert_int_equal(I(md, "last-partition-id"), 1001);
}

static void
test_add_spec_without_field_ids_reuses_and_continues(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table(), "[{'action':'add-spec','spec':{'fields':["
	    "{'name':'id_b','transform':'bucket[16]','source-id':1},"
	    "{'name':'ts_day','transform':'day','source-id':2}]}}]");
	assert_int_equal(I(md, "partition-specs.1.fields.0.field-id"), 1001);
	assert_int_equal(I(md, "partition-specs.1.fields.1.field-id"), 1000);
	assert_int_equal(I(md, "last-partition-id"), 1001);
}

static void
test_compatible_spec_is_reused_and_minus_one_fails(void **state)
{
	(void)state;
	/* same source, transform and name; field ids do not count */
	unchanged(table(), "[{'action':'add-spec','spec':{'fields':[{'name':"
	    "'ts_day','transform':'day','source-id':2,'field-id':1234}]}}]");
	assert_int_equal(apply_status(table(), "[{'action':'add-spec','spec':"
	    "{'fields':[{'name':'ts_day','transform':'day','source-id':2}]}},"
	    "{'action':'set-default-spec','spec-id':-1}]"), 400);
}

static void
test_add_spec_binds_to_the_current_schema(void **state)
{
	(void)state;
	assert_int_equal(apply_status(table(), "[{'action':'add-spec','spec':"
	    "{'fields':[{'name':'x','transform':'identity','source-id':4}]}}]"),
	    400);
	/* the schema added and made current earlier in the request */
	changed(table(), "[" SCHEMA_PLUS_X ",{'action':'set-current-schema',"
	    "'schema-id':-1},{'action':'add-spec','spec':{'fields':[{'name':"
	    "'x','transform':'identity','source-id':4}]}}]");
	assert_int_equal(apply_status(table(), "[{'action':'add-spec','spec':"
	    "{'fields':[{'name':'x','transform':'hour','source-id':3}]}}]"),
	    400);
	assert_int_equal(apply_status(table(), "[{'action':'add-spec','spec':"
	    "{'fields':[{'name':'data','transform':'bucket[2]',"
	    "'source-id':1}]}}]"), 400);
	/* void skips the source checks */
	changed(table(), "[{'action':'add-spec','spec':{'fields':[{'name':"
	    "'gone','transform':'void','source-id':77}]}}]");
}

static void
test_add_spec_malformed(void **state)
{
	(void)state;
	assert_int_equal(apply_status(table(), "[{'action':'add-spec'}]"),
	    400);
	assert_int_equal(apply_status(table(), "[{'action':'add-spec','spec':"
	    "{'fields':[{'name':'a','transform':'identity','source-id':1,"
	    "'field-id':1000},{'name':'b','transform':'identity',"
	    "'source-id':3}]}}]"), 400);
	assert_int_equal(apply_status(table(), "[{'action':'add-spec','spec':"
	    "{'fields':[{'name':'a','transform':'identity','source-id':1,"
	    "'field-id':1005},{'name':'b','transform':'identity',"
	    "'source-id':3,'field-id':1005}]}}]"), 400);
	assert_int_equal(apply_status(table(), "[{'action':'add-spec','spec':"
	    "{'fields':[{'name':'a','transform':'sideways','source-id':1}]}}]"),
	    400);
}

static void
test_v1_spec_field_ids_must_be_sequential(void **state)
{
	json_t	*md;

	(void)state;
	assert_int_equal(apply_status(table_v(1), "[{'action':'add-spec',"
	    "'spec':{'fields':[{'name':'b','transform':'bucket[4]',"
	    "'source-id':1,'field-id':1001}]}}]"), 400);
	md = apply(table_v(1), "[{'action':'add-spec','spec':{'fields':[{"
	    "'name':'b','transform':'bucket[4]','source-id':1}]}}]");
	assert_int_equal(I(md, "partition-specs.1.fields.0.field-id"), 1000);
}

static void
test_set_default_spec_rules(void **state)
{
	(void)state;
	unchanged(table(), "[{'action':'set-default-spec','spec-id':0}]");
	assert_int_equal(apply_status(table(), "[{'action':'set-default-spec',"
	    "'spec-id':-1}]"), 400);
	assert_int_equal(apply_status(table(), "[{'action':'set-default-spec',"
	    "'spec-id':3}]"), 400);
}

static void
test_remove_partition_specs(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table(), "[" SPEC_BUCKET ",{'action':'set-default-spec',"
	    "'spec-id':-1}]");
	md = apply(md, "[{'action':'remove-partition-specs','spec-ids':[0]}]");
	assert_int_equal(N(md, "partition-specs"), 1);
	assert_int_equal(I(md, "last-partition-id"), 1001);
	assert_int_equal(apply_status(md, "[{'action':"
	    "'remove-partition-specs','spec-ids':[1]}]"), 400);
	changed(md, "[{'action':'remove-partition-specs','spec-ids':[8]}]");
}

/* --- sort orders ---------------------------------------------------------- */

#define ORDER_DATA "{'action':'add-sort-order','sort-order':{'order-id':1," \
	"'fields':[{'transform':'identity','source-id':3,'direction':'DESC'," \
	"'null-order':'nulls-last'}]}}"

static void
test_add_sort_order_gets_next_id(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table(), "[" ORDER_DATA ",{'action':"
	    "'set-default-sort-order','sort-order-id':-1}]");
	assert_int_equal(I(md, "sort-orders.1.order-id"), 2);
	assert_int_equal(I(md, "default-sort-order-id"), 2);
	assert_string_equal(S(md, "sort-orders.1.fields.0.direction"), "desc");
}

static void
test_unsorted_order_is_id_0(void **state)
{
	json_t	*md;

	(void)state;
	md = apply(table(), "[{'action':'add-sort-order','sort-order':"
	    "{'order-id':0,'fields':[]}},{'action':'set-default-sort-order',"
	    "'sort-order-id':-1}]");
	assert_int_equal(I(md, "default-sort-order-id"), 0);
	assert_int_equal(I(md, "sort-orders.1.order-id"), 0);
	unchanged(md, "[{'action':'add-sort-order','sort-order':"
	    "{'order-id':0,'fields':[]}}]");
}

static void
test_same_sort_order_is_reused_and_minus_one_fails(void **state)
{
	(void)state;
	unchanged(table(), "[{'action':'add-sort-order','sort-order':{"
	    "'order-id':5,'fields':[{'transform':'identity','source-id':1,"
	    "'direction':'asc','null-order':'nulls-first'}]}}]");
	assert_int_equal(apply_status(table(), "[{'action':'add-sort-order',"
	    "'sort-order':{'order-id':5,'fields':[{'transform':'identity',"
	    "'source-id':1,'direction':'asc','null-order':'nulls-first'}]}},"
	    "{'action':'set-default-sort-order','sort-order-id':-1}]"), 400);
}

static void
test_sort_order_rules(void **state)
{
	(void)state;
	assert_int_equal(apply_status(table(), "[{'action':'add-sort-order',"
	    "'sort-order':{'order-id':1,'fields':[{'transform':'identity',"
	    "'source-id':9,'direction':'asc','null-order':'nulls-first'}]}}]"),
	    400);
	assert_int_equal(apply_status(table(), "[{'action':'add-sort-order',"
	    "'sort-order':{'order-id':0,'fields':[{'transform':'identity',"
	    "'source-id':1,'direction':'asc','null-order':'nulls-first'}]}}]"),
	    400);
	assert_int_equal(apply_status(table(), "[{'action':'add-sort-order',"
	    "'sort-order':{'order-id':3,'fields':[]}}]"), 400);
	assert_int_equal(apply_status(table(), "[{'action':"
	    "'set-default-sort-order','sort-order-id':4}]"), 400);
	assert_int_equal(apply_status(table(), "[{'action':"
	    "'set-default-sort-order','sort-order-id':-1}]"), 400);
	unchanged(table(), "[{'action':'set-default-sort-order',"
	    "'sort-order-id':1}]");
}

/* --- create transactions (§2.6) --------------------------------------------- */

#define JAVA_CREATE(version) "[{'action':'assign-uuid','uuid':" \
	"'0e1e2d3c-4b5a-4697-8877-665544332211'},{'action':" \
	"'upgrade-format-version','format-version':" version "},{'action':" \
	"'add-schema','schema':{'type':'struct','schema-id':0,'fields':[{" \
	"'id':1,'name':'id','required':true,'type':'long'},{'id':2,'name':" \
	"'v','required':false,'type':'string'}]}},{'action':" \
	"'set-current-schema','schema-id':-1},{'action':'add-spec','spec':{" \
	"'spec-id':0,'fields':[{'name':'id_b','transform':'bucket[4]'," \
	"'source-id':1,'field-id':1000}]}},{'action':'set-default-spec'," \
	"'spec-id':-1},{'action':'add-sort-order','sort-order':{'order-id':0," \
	"'fields':[]}},{'action':'set-default-sort-order','sort-order-id':-1}," \
	"{'action':'set-location','location':'s3://b/ctas/'},{'action':" \
	"'set-properties','updates':{'created-by':'spark'}}"

static void
test_create_transaction_builds_from_empty_metadata(void **state)
{
	char	 a[512], b[256], u[4096];
	json_t	*md;

	(void)state;
	snprintf(u, sizeof(u), "%s,%s,%s]", JAVA_CREATE("2"),
	    snap(a, sizeof(a), 77, -1, 1, NOW - 1), main_ref(b, sizeof(b), 77));
	md = apply(NULL, u);
	assert_string_equal(S(md, "table-uuid"),
	    "0e1e2d3c-4b5a-4697-8877-665544332211");
	assert_int_equal(I(md, "format-version"), 2);
	assert_string_equal(S(md, "location"), "s3://b/ctas");
	assert_int_equal(I(md, "schemas.0.schema-id"), 0);
	assert_int_equal(I(md, "last-column-id"), 2);
	assert_int_equal(I(md, "partition-specs.0.fields.0.field-id"), 1000);
	assert_int_equal(I(md, "last-partition-id"), 1000);
	assert_int_equal(I(md, "default-sort-order-id"), 0);
	assert_int_equal(I(md, "current-snapshot-id"), 77);
	assert_int_equal(N(md, "metadata-log"), 0);
	assert_string_equal(S(md, "properties.created-by"), "spark");
	assert_int_equal(I(md, "last-updated-ms"), NOW);
}

static void
test_create_transaction_starts_at_first_upgrade_version(void **state)
{
	char	 u[4096];
	json_t	*md;

	(void)state;
	snprintf(u, sizeof(u), "%s]", JAVA_CREATE("3"));
	md = apply(NULL, u);
	assert_int_equal(I(md, "format-version"), 3);
	assert_true(json_is_null(at(md, "current-snapshot-id")));
	snprintf(u, sizeof(u), "%s]", JAVA_CREATE("1"));
	md = apply(NULL, u);
	assert_int_equal(I(md, "format-version"), 1);
	assert_non_null(at(md, "schema"));
}

static void
test_create_transaction_needs_location_and_schema(void **state)
{
	(void)state;
	assert_int_equal(apply_status(NULL, "[{'action':'add-schema','schema':"
	    "{'type':'struct','fields':[]}},{'action':'add-spec','spec':{"
	    "'fields':[]}},{'action':'add-sort-order','sort-order':{"
	    "'order-id':0,'fields':[]}}]"), 400);
	assert_int_equal(apply_status(NULL, "[{'action':'set-location',"
	    "'location':'s3://x'}]"), 400);
	assert_int_equal(apply_status(NULL, "[]"), 400);
	/* a spec before any schema */
	assert_int_equal(apply_status(NULL, "[{'action':'add-spec','spec':{"
	    "'fields':[]}}]"), 400);
}

static void
test_base_that_breaks_invariants_is_400(void **state)
{
	(void)state;
	assert_int_equal(apply_status(J("{'format-version':2}"), "[]"), 400);
	assert_int_equal(apply_status(J("[]"), "[]"), 400);
}

/*
 * A commit attempt normalises its base once: check_base hands it to
 * apply_base, and the result is exactly what check + apply give.
 */
static void
test_base_read_once_gives_the_same_result(void **state)
{
	static const char	*ups = "[{'action':'set-properties','updates':"
	    "{'a':'b'}},{'action':'remove-properties','removals':['owner']}]";
	struct ice_err		 err;
	json_t			*base, *read, *one, *two;
	char			*a, *b;
	int			 v;

	(void)state;
	for (v = 1; v <= 2; v++) {
		base = table_v(v);
		assert_int_equal(ice_table_check_base(base, J("[{'type':"
		    "'assert-current-schema-id','current-schema-id':0}]"),
		    &read, &err), 0);
		assert_non_null(read);
		one = keep(ice_table_apply(base, J(ups), BASE_FILE, NOW, &err));
		two = keep(ice_table_apply_base(base, read, J(ups), BASE_FILE,
		    NOW, &err));
		assert_non_null(one);
		assert_non_null(two);
		a = json_dumps(one, JSON_COMPACT | JSON_PRESERVE_ORDER);
		b = json_dumps(two, JSON_COMPACT | JSON_PRESERVE_ORDER);
		assert_string_equal(a, b);
		free(a);
		free(b);
		/* Nothing changed: base itself, as from ice_table_apply. */
		two = keep(ice_table_apply_base(base, read, J("[]"), BASE_FILE,
		    NOW, &err));
		assert_true(ice_table_unchanged(base, two));
		json_decref(read);
	}
	/* A failed requirement hands nothing on. */
	assert_int_equal(ice_table_check_base(table(), J("[{'type':"
	    "'assert-current-schema-id','current-schema-id':9}]"), &read,
	    &err), -1);
	assert_int_equal(err.status, 409);
	assert_null(read);
}

/*
 * A commit on a base whose normal form was kept (api/cache/tree_cache.c)
 * gives the same file as one that reads the base again.
 */
static void
test_kept_normal_form_gives_the_same_commit(void **state)
{
	static const char *const steps[] = {
	    "[{'action':'set-properties','updates':{'a':'1'}}]",
	    "[" SCHEMA_PLUS_X ",{'action':'set-current-schema','schema-id':-1}]",
	    "[{'action':'add-snapshot','snapshot':{'snapshot-id':1,"
	    "'sequence-number':1,'timestamp-ms':1,'manifest-list':'l',"
	    "'summary':{'operation':'append'},'first-row-id':0,"
	    "'added-rows':5}},{'action':'set-snapshot-ref','ref-name':'main',"
	    "'type':'branch','snapshot-id':1}]",
	    "[{'action':'remove-properties','removals':['a']}]",
	    "[{'action':'add-snapshot','snapshot':{'snapshot-id':2,"
	    "'parent-snapshot-id':1,'sequence-number':2,'timestamp-ms':2,"
	    "'manifest-list':'l2','summary':{'operation':'append'},"
	    "'first-row-id':5,'added-rows':1}},{'action':'set-snapshot-ref',"
	    "'ref-name':'main','type':'branch','snapshot-id':2}]",
	    "[{'action':'remove-snapshots','snapshot-ids':[1]}]",
	};
	struct ice_err	 err;
	json_t		*base, *read, *next, *next_read, *again;
	char		 file[64];
	size_t		 i;
	int		 v;

	(void)state;
	for (v = 1; v <= 3; v++) {
		base = table_v(v);
		read = NULL;
		for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
			/* v1 and v2 snapshots carry no row ids */
			if (v < 3 && strstr(steps[i], "first-row-id") != NULL)
				continue;
			snprintf(file, sizeof(file), "s3://m/%05zu-x.metadata.json",
			    i);
			next = ice_table_apply_read(base, read, read != NULL,
			    J(steps[i]), file,
			    NOW + (int64_t)i, &next_read, &err);
			if (next == NULL)
				fail_msg("v%d step %zu: %s", v, i, err.msg);
			again = ice_table_apply(base, J(steps[i]), file,
			    NOW + (int64_t)i, &err);
			assert_non_null(again);
			assert_true(json_equal(next, again));
			json_decref(again);
			if (ice_table_unchanged(base, next)) {
				assert_null(next_read);
				json_decref(next);
				continue;
			}
			json_decref(read);
			base = keep(next);
			read = next_read;
			assert_non_null(read);
		}
		json_decref(read);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_unknown_action_is_400),
		T(test_kept_normal_form_gives_the_same_commit),
		T(test_malformed_updates_are_400),
		T(test_actions_match_case_insensitively),
		T(test_unknown_fields_of_an_update_are_ignored),
		T(test_no_updates_write_nothing),
		T(test_a_failing_update_fails_the_whole_commit),
		T(test_commit_stamps_last_updated_ms_with_now),
		T(test_commit_appends_base_file_to_metadata_log),
		T(test_a_commit_from_a_kept_form_still_checks_its_new_log_entry),
		T(test_no_metadata_log_entry_without_a_base_file),
		T(test_metadata_log_trimmed_by_post_update_property),
		T(test_metadata_log_default_keeps_100),
		T(test_assign_same_uuid_is_a_noop),
		T(test_assign_different_uuid_to_existing_table_is_400),
		T(test_upgrade_to_v3_writes_next_row_id_and_null_current),
		T(test_upgrade_v1_to_v2_writes_last_sequence_number),
		T(test_upgrade_rules),
		T(test_add_schema_gets_next_id_and_raises_last_column_id),
		T(test_add_schema_ignores_deprecated_last_column_id),
		T(test_set_current_schema_minus_one_means_last_added),
		T(test_identical_schema_is_reused_and_minus_one_fails),
		T(test_schema_added_twice_in_one_request_is_still_last_added),
		T(test_set_current_schema_rules),
		T(test_current_schema_must_keep_partition_source),
		T(test_add_schema_checks_format_version),
		T(test_remove_schemas),
		T(test_add_spec_gets_next_id_and_raises_last_partition_id),
		T(test_add_spec_without_field_ids_reuses_and_continues),
		T(test_compatible_spec_is_reused_and_minus_one_fails),
		T(test_add_spec_binds_to_the_current_schema),
		T(test_add_spec_malformed),
		T(test_v1_spec_field_ids_must_be_sequential),
		T(test_set_default_spec_rules),
		T(test_remove_partition_specs),
		T(test_add_sort_order_gets_next_id),
		T(test_unsorted_order_is_id_0),
		T(test_same_sort_order_is_reused_and_minus_one_fails),
		T(test_sort_order_rules),
		T(test_create_transaction_builds_from_empty_metadata),
		T(test_create_transaction_starts_at_first_upgrade_version),
		T(test_create_transaction_needs_location_and_schema),
		T(test_base_that_breaks_invariants_is_400),
		T(test_base_read_once_gives_the_same_result),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
