/*
 * Iceberg tables: createTable (§2.3), reading metadata files (§1.1,
 * §1.3), exact int64, metadata file names and the metadata-log.
 */
#include "test_iceberg_util.h"

static json_t *
create(const char *req, struct ice_err *err)
{
	return (keep(ice_table_new(J(req), LOC, UUID, NOW, err)));
}

static json_t *
create_ok(const char *req)
{
	struct ice_err	 err;
	json_t		*md;

	if ((md = create(req, &err)) == NULL)
		fail_msg("create: %d %s", err.status, err.msg);
	return (md);
}

static int
create_status(const char *req)
{
	struct ice_err	err;

	assert_null(create(req, &err));
	assert_non_null(err.type);
	return (err.status);
}

/* A create request around a schema's field list. */
static const char *
with_fields(char *buf, size_t len, const char *fields, const char *extra)
{
	snprintf(buf, len, "{'name':'t','schema':{'type':'struct','fields':"
	    "[%s]}%s%s}", fields, extra[0] ? "," : "", extra);
	return (buf);
}

static void
test_create_assigns_field_ids_level_by_level(void **state)
{
	json_t	*md, *f;

	(void)state;
	/* {a:int, b:struct{c,d}, e:list<struct{f}>, g:map<string,int>} */
	md = create_ok("{'name':'t','schema':{'type':'struct','fields':["
	    "{'id':50,'name':'a','required':true,'type':'int'},"
	    "{'id':51,'name':'b','required':false,'type':{'type':'struct',"
	    "'fields':[{'id':52,'name':'c','required':false,'type':'int'},"
	    "{'id':53,'name':'d','required':false,'type':'int'}]}},"
	    "{'id':54,'name':'e','required':false,'type':{'type':'list',"
	    "'element-id':55,'element-required':false,'element':{'type':"
	    "'struct','fields':[{'id':56,'name':'f','required':false,"
	    "'type':'int'}]}}},"
	    "{'id':57,'name':'g','required':false,'type':{'type':'map',"
	    "'key-id':58,'key':'string','value-id':59,'value':'int',"
	    "'value-required':true}}]}}");
	f = at(md, "schemas.0.fields");
	assert_int_equal(I(f, "0.id"), 1);		/* a */
	assert_int_equal(I(f, "1.id"), 2);		/* b */
	assert_int_equal(I(f, "2.id"), 3);		/* e */
	assert_int_equal(I(f, "3.id"), 4);		/* g */
	assert_int_equal(I(f, "1.type.fields.0.id"), 5);	/* c */
	assert_int_equal(I(f, "1.type.fields.1.id"), 6);	/* d */
	assert_int_equal(I(f, "2.type.element-id"), 7);
	assert_int_equal(I(f, "2.type.element.fields.0.id"), 8);	/* f */
	assert_int_equal(I(f, "3.type.key-id"), 9);
	assert_int_equal(I(f, "3.type.value-id"), 10);
	assert_int_equal(I(md, "last-column-id"), 10);
	assert_int_equal(I(md, "schemas.0.schema-id"), 0);
	assert_int_equal(I(md, "current-schema-id"), 0);
}

static void
test_create_reassigns_spec_and_order_ids_and_follows_columns(void **state)
{
	json_t	*md = table();

	(void)state;
	assert_int_equal(I(md, "default-spec-id"), 0);
	assert_int_equal(I(md, "partition-specs.0.spec-id"), 0);
	assert_int_equal(I(md, "partition-specs.0.fields.0.field-id"), 1000);
	assert_int_equal(I(md, "partition-specs.0.fields.0.source-id"), 2);
	assert_string_equal(S(md, "partition-specs.0.fields.0.name"),
	    "ts_day");
	assert_int_equal(I(md, "last-partition-id"), 1000);
	assert_int_equal(I(md, "default-sort-order-id"), 1);
	assert_int_equal(I(md, "sort-orders.0.order-id"), 1);
	assert_int_equal(I(md, "sort-orders.0.fields.0.source-id"), 1);
	assert_int_equal(I(md, "last-column-id"), 3);
}

static void
test_create_partition_field_ids_start_at_1000_in_order(void **state)
{
	char	 buf[1024];
	json_t	*md;

	(void)state;
	md = create_ok(with_fields(buf, sizeof(buf),
	    "{'id':7,'name':'a','required':true,'type':'int'},"
	    "{'id':8,'name':'b','required':true,'type':'string'}",
	    "'partition-spec':{'fields':[{'name':'b_b','transform':"
	    "'bucket[16]','source-id':8},{'name':'a_t','transform':"
	    "'truncate[4]','source-id':7}]}"));
	assert_int_equal(I(md, "partition-specs.0.fields.0.field-id"), 1000);
	assert_int_equal(I(md, "partition-specs.0.fields.0.source-id"), 2);
	assert_int_equal(I(md, "partition-specs.0.fields.1.field-id"), 1001);
	assert_int_equal(I(md, "partition-specs.0.fields.1.source-id"), 1);
	assert_int_equal(I(md, "last-partition-id"), 1001);
}

static void
test_create_unpartitioned_unsorted_defaults(void **state)
{
	char	 buf[512];
	json_t	*md;

	(void)state;
	md = create_ok(with_fields(buf, sizeof(buf),
	    "{'id':1,'name':'a','required':true,'type':'int'}", ""));
	assert_int_equal(N(md, "partition-specs.0.fields"), 0);
	assert_int_equal(I(md, "last-partition-id"), 999);
	assert_int_equal(I(md, "default-sort-order-id"), 0);
	assert_int_equal(I(md, "sort-orders.0.order-id"), 0);
	assert_int_equal(N(md, "sort-orders.0.fields"), 0);
	assert_int_equal(I(md, "format-version"), 2);
}

static void
test_create_null_spec_and_order_mean_absent(void **state)
{
	char	 buf[512];
	json_t	*md;

	(void)state;
	md = create_ok(with_fields(buf, sizeof(buf),
	    "{'id':1,'name':'a','required':true,'type':'int'}",
	    "'partition-spec':null,'write-order':null,'location':null,"
	    "'properties':null,'stage-create':null"));
	assert_int_equal(I(md, "last-partition-id"), 999);
	assert_int_equal(I(md, "default-sort-order-id"), 0);
}

static void
test_create_format_version_from_properties_reserved_keys_stripped(
    void **state)
{
	char	 buf[1024];
	json_t	*md;

	(void)state;
	md = create_ok(with_fields(buf, sizeof(buf),
	    "{'id':1,'name':'a','required':true,'type':'int'}",
	    "'properties':{'format-version':'1','uuid':'x','snapshot-count':"
	    "'3','current-snapshot-id':'1','current-snapshot-summary':'x',"
	    "'current-snapshot-timestamp-ms':'1','current-schema':'x',"
	    "'default-partition-spec':'x','default-sort-order':'x','k':'v'}"));
	assert_int_equal(I(md, "format-version"), 1);
	assert_int_equal(N(md, "properties"), 2);
	assert_string_equal(S(md, "properties.k"), "v");
	assert_string_equal(json_string_value(json_object_get(at(md,
	    "properties"), "write.parquet.compression-codec")), "zstd");
}

static void
test_create_request_properties_win_over_zstd_default(void **state)
{
	char	 buf[512];
	json_t	*md;

	(void)state;
	md = create_ok(with_fields(buf, sizeof(buf),
	    "{'id':1,'name':'a','required':true,'type':'int'}",
	    "'properties':{'write.parquet.compression-codec':'snappy'}"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    md, "properties"), "write.parquet.compression-codec")), "snappy");
}

static void
test_create_rejects_bad_format_version(void **state)
{
	static const char *const bad[] = { "x", "4", "0", " 2", "2.0", "" };
	char	 props[128], buf[512];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(props, sizeof(props), "'properties':"
		    "{'format-version':'%s'}", bad[i]);
		assert_int_equal(create_status(with_fields(buf, sizeof(buf),
		    "{'id':1,'name':'a','required':true,'type':'int'}",
		    props)), 400);
	}
}

static void
test_create_v3_writes_null_current_snapshot_and_next_row_id(void **state)
{
	json_t	*md = table_v(3);

	(void)state;
	assert_true(json_is_null(at(md, "current-snapshot-id")));
	assert_int_equal(I(md, "next-row-id"), 0);
	assert_int_equal(I(md, "last-sequence-number"), 0);
}

static void
test_create_v2_writes_minus_one_and_last_sequence_number(void **state)
{
	json_t	*md = table();

	(void)state;
	assert_int_equal(I(md, "current-snapshot-id"), -1);
	assert_int_equal(I(md, "last-sequence-number"), 0);
	assert_null(at(md, "next-row-id"));
	assert_null(at(md, "schema"));
	assert_null(at(md, "partition-spec"));
	assert_null(at(md, "encryption-keys"));
	assert_string_equal(S(md, "table-uuid"), UUID);
	assert_int_equal(I(md, "last-updated-ms"), NOW - 1000);
	assert_int_equal(N(md, "refs"), 0);
	assert_int_equal(N(md, "snapshots"), 0);
	assert_int_equal(N(md, "snapshot-log"), 0);
	assert_int_equal(N(md, "metadata-log"), 0);
	assert_int_equal(N(md, "statistics"), 0);
	assert_int_equal(N(md, "partition-statistics"), 0);
}

static void
test_create_v1_writes_schema_and_partition_spec_copies(void **state)
{
	json_t	*md = table_v(1);

	(void)state;
	assert_null(at(md, "last-sequence-number"));
	assert_true(json_equal(at(md, "schema"), at(md, "schemas.0")));
	assert_true(json_equal(at(md, "partition-spec"),
	    at(md, "partition-specs.0.fields")));
	assert_int_equal(I(md, "current-snapshot-id"), -1);
}

static void
test_create_writes_keys_in_java_order(void **state)
{
	static const char *const order[] = { "format-version", "table-uuid",
	    "location", "last-sequence-number", "last-updated-ms",
	    "last-column-id", "current-schema-id", "schemas",
	    "default-spec-id", "partition-specs", "last-partition-id",
	    "default-sort-order-id", "sort-orders", "properties",
	    "current-snapshot-id", "refs", "snapshots", "statistics",
	    "partition-statistics", "snapshot-log", "metadata-log", NULL };
	const char	*k;
	json_t		*v, *md = table();
	size_t		 i = 0;

	(void)state;
	json_object_foreach(md, k, v) {
		if (order[i] == NULL)
			fail_msg("unexpected key %s", k);
		assert_string_equal(k, order[i]);
		i++;
	}
	assert_null(order[i]);
}

static void
test_create_strips_trailing_slashes_but_not_the_scheme(void **state)
{
	struct ice_err	 err;
	char		 buf[512];
	json_t		*req, *md;

	(void)state;
	req = J(with_fields(buf, sizeof(buf),
	    "{'id':1,'name':'a','required':true,'type':'int'}", ""));
	md = keep(ice_table_new(req, "s3://b/t///", UUID, NOW, &err));
	assert_string_equal(S(md, "location"), "s3://b/t");
	md = keep(ice_table_new(req, "s3:///", UUID, NOW, &err));
	assert_string_equal(S(md, "location"), "s3://");
	assert_null(ice_table_new(req, "", UUID, NOW, &err));
	assert_int_equal(err.status, 400);
}

static void
test_create_remaps_identifier_fields(void **state)
{
	json_t	*md;

	(void)state;
	md = create_ok("{'name':'t','schema':{'type':'struct',"
	    "'identifier-field-ids':[20],'fields':["
	    "{'id':30,'name':'x','required':false,'type':'int'},"
	    "{'id':20,'name':'k','required':true,'type':'long'}]}}");
	assert_int_equal(N(md, "schemas.0.identifier-field-ids"), 1);
	assert_int_equal(I(md, "schemas.0.identifier-field-ids.0"), 2);
}

static void
test_create_identifier_field_rules(void **state)
{
	char	buf[1024];

	(void)state;
	/* optional */
	assert_int_equal(create_status("{'name':'t','schema':{'type':'struct',"
	    "'identifier-field-ids':[1],'fields':[{'id':1,'name':'a',"
	    "'required':false,'type':'int'}]}}"), 400);
	/* float */
	assert_int_equal(create_status("{'name':'t','schema':{'type':'struct',"
	    "'identifier-field-ids':[1],'fields':[{'id':1,'name':'a',"
	    "'required':true,'type':'float'}]}}"), 400);
	/* missing */
	assert_int_equal(create_status("{'name':'t','schema':{'type':'struct',"
	    "'identifier-field-ids':[9],'fields':[{'id':1,'name':'a',"
	    "'required':true,'type':'int'}]}}"), 400);
	/* in a list */
	assert_int_equal(create_status("{'name':'t','schema':{'type':'struct',"
	    "'identifier-field-ids':[2],'fields':[{'id':1,'name':'l',"
	    "'required':true,'type':{'type':'list','element-id':2,"
	    "'element':'int','element-required':true}}]}}"), 400);
	/* in an optional struct */
	assert_int_equal(create_status("{'name':'t','schema':{'type':'struct',"
	    "'identifier-field-ids':[2],'fields':[{'id':1,'name':'s',"
	    "'required':false,'type':{'type':'struct','fields':[{'id':2,"
	    "'name':'a','required':true,'type':'int'}]}}]}}"), 400);
	/* in a required struct: fine */
	create_ok(with_fields(buf, sizeof(buf), "{'id':1,'name':'s',"
	    "'required':true,'type':{'type':'struct','fields':[{'id':2,"
	    "'name':'a','required':true,'type':'int'}]}}", ""));
}

static void
test_create_rejects_unknown_partition_or_sort_source(void **state)
{
	char	buf[1024];

	(void)state;
	assert_int_equal(create_status(with_fields(buf, sizeof(buf),
	    "{'id':1,'name':'a','required':true,'type':'int'}",
	    "'partition-spec':{'fields':[{'name':'x','transform':'identity',"
	    "'source-id':2}]}")), 400);
	assert_int_equal(create_status(with_fields(buf, sizeof(buf),
	    "{'id':1,'name':'a','required':true,'type':'int'}",
	    "'write-order':{'order-id':1,'fields':[{'transform':'identity',"
	    "'source-id':2,'direction':'asc','null-order':'nulls-last'}]}")),
	    400);
}

static void
test_create_partition_name_rules(void **state)
{
	char	buf[1024];
	const char *cols = "{'id':1,'name':'a','required':true,'type':'int'},"
	    "{'id':2,'name':'b','required':true,'type':'int'}";

	(void)state;
	/* named after another column */
	assert_int_equal(create_status(with_fields(buf, sizeof(buf), cols,
	    "'partition-spec':{'fields':[{'name':'b','transform':'identity',"
	    "'source-id':1}]}")), 400);
	/* used twice */
	assert_int_equal(create_status(with_fields(buf, sizeof(buf), cols,
	    "'partition-spec':{'fields':[{'name':'x','transform':'identity',"
	    "'source-id':1},{'name':'x','transform':'bucket[2]',"
	    "'source-id':2}]}")), 400);
	/* empty */
	assert_int_equal(create_status(with_fields(buf, sizeof(buf), cols,
	    "'partition-spec':{'fields':[{'name':'','transform':'identity',"
	    "'source-id':1}]}")), 400);
	/* named after its own source: fine */
	create_ok(with_fields(buf, sizeof(buf), cols,
	    "'partition-spec':{'fields':[{'name':'a','transform':'identity',"
	    "'source-id':1}]}"));
}

static void
test_create_rejects_inapplicable_or_unknown_transforms(void **state)
{
	static const char *const bad[] = { "'day','source-id':2",
	    "'bucket[0]','source-id':1", "'truncate[-1]','source-id':1",
	    "'zorder','source-id':1", "'hour','source-id':1",
	    "'identity','source-id':3", "'year','source-id':3" };
	const char *cols = "{'id':1,'name':'a','required':true,'type':'int'},"
	    "{'id':2,'name':'s','required':true,'type':'string'},"
	    "{'id':3,'name':'m','required':true,'type':{'type':'map',"
	    "'key-id':4,'key':'int','value-id':5,'value':'int',"
	    "'value-required':true}}";
	char	 spec[256], buf[1024];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(spec, sizeof(spec), "'partition-spec':{'fields':"
		    "[{'name':'p','transform':%s}]}", bad[i]);
		assert_int_equal(create_status(with_fields(buf, sizeof(buf),
		    cols, spec)), 400);
	}
	/* a map value is a primitive but not under structs only */
	assert_int_equal(create_status(with_fields(buf, sizeof(buf), cols,
	    "'partition-spec':{'fields':[{'name':'p','transform':'identity',"
	    "'source-id':5}]}")), 400);
}

static void
test_create_canonicalizes_transforms_and_types(void **state)
{
	char	 buf[1024];
	json_t	*md;

	(void)state;
	md = create_ok(with_fields(buf, sizeof(buf),
	    "{'id':1,'name':'d','required':true,'type':'DECIMAL( 10 ,2 )'},"
	    "{'id':2,'name':'f','required':true,'type':'Fixed[16]'},"
	    "{'id':3,'name':'b','required':true,'type':'Boolean'}",
	    "'partition-spec':{'fields':[{'name':'p','transform':'BUCKET[08]',"
	    "'source-id':1}]}"));
	assert_string_equal(S(md, "schemas.0.fields.0.type"),
	    "decimal(10, 2)");
	assert_string_equal(S(md, "schemas.0.fields.1.type"), "fixed[16]");
	assert_string_equal(S(md, "schemas.0.fields.2.type"), "boolean");
	assert_string_equal(S(md, "partition-specs.0.fields.0.transform"),
	    "bucket[8]");
	assert_int_equal(create_status(with_fields(buf, sizeof(buf),
	    "{'id':1,'name':'d','required':true,'type':'decimal(39,2)'}",
	    "")), 400);
	md = create_ok(with_fields(buf, sizeof(buf),
	    "{'id':1,'name':'g','required':true,'type':'Geometry( EPSG:4326 )'},"
	    "{'id':2,'name':'h','required':true,'type':'geography(OGC:CRS84)'},"
	    "{'id':3,'name':'i','required':true,'type':'geometry()'}",
	    "'properties':{'format-version':'3'}"));
	assert_string_equal(S(md, "schemas.0.fields.0.type"),
	    "geometry(EPSG:4326)");
	assert_string_equal(S(md, "schemas.0.fields.1.type"),
	    "geography(OGC:CRS84)");
	assert_string_equal(S(md, "schemas.0.fields.2.type"), "geometry");
	assert_int_equal(create_status(with_fields(buf, sizeof(buf),
	    "{'id':1,'name':'g','required':true,'type':'geometry(a, b)'}",
	    "'properties':{'format-version':'3'}")), 400);
	assert_int_equal(create_status(with_fields(buf, sizeof(buf),
	    "{'id':1,'name':'d','required':true,'type':'varchar'}", "")), 400);
}

static void
test_create_v3_types_need_format_v3(void **state)
{
	static const char *const v3[] = { "timestamp_ns", "timestamptz_ns",
	    "variant", "unknown", "geometry", "geography(EPSG:4326, spherical)" };
	char	 field[256], props[64], buf[1024];
	json_t	*md;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(v3) / sizeof(v3[0]); i++) {
		snprintf(field, sizeof(field), "{'id':1,'name':'a',"
		    "'required':false,'type':'%s'}", v3[i]);
		assert_int_equal(create_status(with_fields(buf, sizeof(buf),
		    field, "")), 400);
		snprintf(props, sizeof(props), "'properties':"
		    "{'format-version':'3'}");
		md = create_ok(with_fields(buf, sizeof(buf), field, props));
		assert_string_equal(S(md, "schemas.0.fields.0.type"), v3[i]);
	}
	assert_int_equal(create_status(with_fields(buf, sizeof(buf),
	    "{'id':1,'name':'a','required':false,'type':'int',"
	    "'initial-default':4}", "")), 400);
	create_ok(with_fields(buf, sizeof(buf), "{'id':1,'name':'a',"
	    "'required':false,'type':'int','initial-default':4}",
	    "'properties':{'format-version':'3'}"));
}

static void
test_create_looks_columns_up_through_lists_and_maps(void **state)
{
	const char *cols = "{'id':1,'name':'s','required':true,'type':{"
	    "'type':'struct','fields':[{'id':2,'name':'a','required':true,"
	    "'type':'int'}]}},{'id':3,'name':'l','required':false,'type':{"
	    "'type':'list','element-id':4,'element':'int',"
	    "'element-required':true}},{'id':5,'name':'m','required':true,"
	    "'type':{'type':'map','key-id':6,'key':'string','value-id':7,"
	    "'value':'int','value-required':true}}";
	char	 buf[1024], extra[256];
	json_t	*md;

	(void)state;
	/* nested names in metrics properties */
	snprintf(extra, sizeof(extra), "'properties':{"
	    "'write.metadata.metrics.column.s.a':'full',"
	    "'write.metadata.metrics.column.l.element':'none',"
	    "'write.metadata.metrics.column.m.value':'counts'}");
	md = create_ok(with_fields(buf, sizeof(buf), cols, extra));
	assert_int_equal(I(md, "last-column-id"), 7);
	/* a struct field may be a partition source, a list element not */
	create_ok(with_fields(buf, sizeof(buf), cols, "'partition-spec':{"
	    "'fields':[{'name':'p','transform':'identity','source-id':2}]}"));
	assert_int_equal(create_status(with_fields(buf, sizeof(buf), cols,
	    "'partition-spec':{'fields':[{'name':'p','transform':'identity',"
	    "'source-id':4}]}")), 400);
	/* sort orders may use them (Java checks no parents there) */
	create_ok(with_fields(buf, sizeof(buf), cols, "'write-order':{"
	    "'order-id':1,'fields':[{'transform':'identity','source-id':6,"
	    "'direction':'asc','null-order':'nulls-first'}]}"));
	/* a map key is required but not an identifier field */
	snprintf(buf, sizeof(buf), "{'name':'t','schema':{'type':'struct',"
	    "'identifier-field-ids':[6],'fields':[%s]}}", cols);
	assert_int_equal(create_status(buf), 400);
	/* the struct field is */
	snprintf(buf, sizeof(buf), "{'name':'t','schema':{'type':'struct',"
	    "'identifier-field-ids':[2],'fields':[%s]}}", cols);
	create_ok(buf);
}

static void
test_create_property_checks(void **state)
{
	const char *col = "{'id':1,'name':'a','required':true,'type':'int'}";
	char	buf[1024];

	(void)state;
	assert_int_equal(create_status(with_fields(buf, sizeof(buf), col,
	    "'properties':{'commit.retry.num-retries':'-1'}")), 400);
	assert_int_equal(create_status(with_fields(buf, sizeof(buf), col,
	    "'properties':{'commit.retry.min-wait-ms':'soon'}")), 400);
	create_ok(with_fields(buf, sizeof(buf), col,
	    "'properties':{'commit.retry.num-retries':'0'}"));
	assert_int_equal(create_status(with_fields(buf, sizeof(buf), col,
	    "'properties':{'encryption.key-id':'k'}")), 400);
	create_ok(with_fields(buf, sizeof(buf), col,
	    "'properties':{'encryption.key-id':'k','format-version':'3'}"));
	assert_int_equal(create_status(with_fields(buf, sizeof(buf), col,
	    "'properties':{'write.metadata.metrics.column.nope':'full'}")),
	    400);
	create_ok(with_fields(buf, sizeof(buf), col,
	    "'properties':{'write.metadata.metrics.column.a':'full'}"));
	assert_int_equal(create_status(with_fields(buf, sizeof(buf), col,
	    "'properties':{'k':1}")), 400);
}

static void
test_create_malformed_requests_are_400(void **state)
{
	static const char *const bad[] = {
		"[]", "'x'", "{}", "{'schema':null}", "{'schema':[]}",
		"{'schema':{'type':'struct'}}",
		"{'schema':{'type':'list','fields':[]}}",
		"{'schema':{'type':'struct','fields':{}}}",
		"{'schema':{'type':'struct','fields':[1]}}",
		"{'schema':{'type':'struct','fields':[{'name':'a',"
		    "'required':true,'type':'int'}]}}",
		"{'schema':{'type':'struct','fields':[{'id':'1','name':'a',"
		    "'required':true,'type':'int'}]}}",
		"{'schema':{'type':'struct','fields':[{'id':1.5,'name':'a',"
		    "'required':true,'type':'int'}]}}",
		"{'schema':{'type':'struct','fields':[{'id':4294967296,"
		    "'name':'a','required':true,'type':'int'}]}}",
		"{'schema':{'type':'struct','fields':[{'id':1,'name':'a',"
		    "'required':'yes','type':'int'}]}}",
		"{'schema':{'type':'struct','fields':[{'id':1,'name':'a',"
		    "'required':true}]}}",
		"{'schema':{'type':'struct','fields':[{'id':1,'name':'a',"
		    "'required':true,'type':{'type':'list','element':'int'}}]}}",
		"{'schema':{'type':'struct','fields':[{'id':1,'name':'a',"
		    "'required':true,'type':'int'},{'id':1,'name':'b',"
		    "'required':true,'type':'int'}]}}",
		"{'schema':{'type':'struct','fields':[{'id':1,'name':'a',"
		    "'required':true,'type':'int'},{'id':2,'name':'a',"
		    "'required':true,'type':'int'}]}}",
		"{'schema':{'type':'struct','fields':[{'id':1,'name':'a',"
		    "'required':true,'type':'int'}]},'partition-spec':[]}",
		"{'schema':{'type':'struct','fields':[{'id':1,'name':'a',"
		    "'required':true,'type':'int'}]},'partition-spec':"
		    "{'fields':[{'name':'x','transform':'identity',"
		    "'source-id':1,'field-id':1000},{'name':'y',"
		    "'transform':'bucket[2]','source-id':1}]}}",
		"{'schema':{'type':'struct','fields':[{'id':1,'name':'a',"
		    "'required':true,'type':'int'}]},'write-order':"
		    "{'order-id':0,'fields':[{'transform':'identity',"
		    "'source-id':1,'direction':'asc','null-order':'nulls-last'}]}}",
		"{'schema':{'type':'struct','fields':[{'id':1,'name':'a',"
		    "'required':true,'type':'int'}]},'write-order':"
		    "{'order-id':1,'fields':[{'transform':'identity',"
		    "'source-id':1,'direction':'up','null-order':'nulls-last'}]}}",
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (create_status(bad[i]) != 400)
			fail_msg("not a 400: %s", bad[i]);
	}
}

static void
test_create_nesting_is_bounded(void **state)
{
	char	*buf, *p;
	int	 i, depth = 200;

	(void)state;
	buf = calloc(1, 64 * 1024);
	assert_non_null(buf);
	p = buf + sprintf(buf, "{'name':'t','schema':{'type':'struct',"
	    "'fields':[");
	for (i = 0; i < depth; i++)
		p += sprintf(p, "{'id':%d,'name':'a','required':true,'type':"
		    "{'type':'struct','fields':[", i + 1);
	p += sprintf(p, "{'id':%d,'name':'a','required':true,'type':'int'}",
	    depth + 1);
	for (i = 0; i < depth; i++)
		p += sprintf(p, "]}}");
	sprintf(p, "]}}");
	i = create_status(buf);
	free(buf);
	assert_int_equal(i, 400);
}

/* --- reading metadata files --------------------------------------------- */

static json_t *
parse_ok(const char *raw)
{
	struct ice_err	 err;
	json_t		*md;

	if ((md = keep(ice_table_parse(J(raw), &err))) == NULL)
		fail_msg("parse: %d %s", err.status, err.msg);
	return (md);
}

static int
parse_status(const char *raw)
{
	struct ice_err	err;

	if (keep(ice_table_parse(J(raw), &err)) != NULL)
		fail_msg("parse unexpectedly succeeded: %s", raw);
	assert_non_null(err.type);
	return (err.status);
}

#define V1_BASE	"'format-version':1,'location':'s3://b/old/','last-updated-ms':" \
	"1000,'last-column-id':1,'schema':{'type':'struct','fields':[{'id':1," \
	"'name':'a','required':true,'type':'int'}]},'partition-spec':[{'name':" \
	"'a','transform':'identity','source-id':1}]"

static void
test_parse_v1_reader_defaults(void **state)
{
	json_t	*md, *again;

	(void)state;
	md = parse_ok("{" V1_BASE ",'current-snapshot-id':5,'snapshots':[{"
	    "'snapshot-id':5,'timestamp-ms':900,'manifests':['m1']}]}");
	assert_int_equal(I(md, "current-schema-id"), 0);
	assert_int_equal(I(md, "schemas.0.schema-id"), 0);
	assert_int_equal(I(md, "default-spec-id"), 0);
	assert_int_equal(I(md, "partition-specs.0.fields.0.field-id"), 1000);
	assert_int_equal(I(md, "last-partition-id"), 1000);
	assert_int_equal(I(md, "default-sort-order-id"), 0);
	assert_int_equal(N(md, "sort-orders"), 1);
	assert_int_equal(I(md, "refs.main.snapshot-id"), 5);
	assert_string_equal(S(md, "refs.main.type"), "branch");
	assert_string_equal(S(md, "location"), "s3://b/old");
	assert_string_equal(S(md, "snapshots.0.manifests.0"), "m1");
	/* a uuid is assigned, and the same one on every read */
	assert_int_equal(strlen(S(md, "table-uuid")), 36);
	again = parse_ok("{" V1_BASE ",'current-snapshot-id':5,'snapshots':[{"
	    "'snapshot-id':5,'timestamp-ms':900,'manifests':['m1']}]}");
	assert_string_equal(S(md, "table-uuid"), S(again, "table-uuid"));
}

#define V1_LOCAL "'format-version':1,'location':'%s','last-updated-ms':" \
	"1000,'last-column-id':1,'schema':{'type':'struct','fields':[{'id':1," \
	"'name':'a','required':true,'type':'int'}]},'partition-spec':[]"

/*
 * Issue 22: a table written before locations were URIs reads as one, and
 * a v1 table keeps the uuid derived from the location as written.
 */
static void
test_parse_bare_local_path_reads_as_file_uri(void **state)
{
	char	 raw[512];
	json_t	*bare, *uri;

	(void)state;
	snprintf(raw, sizeof(raw), "{" V1_LOCAL "}", "/data/wh/old/");
	bare = parse_ok(raw);
	assert_string_equal(S(bare, "location"), "file:///data/wh/old");
	snprintf(raw, sizeof(raw), "{" V1_LOCAL "}", "/data/wh/old");
	assert_string_equal(S(parse_ok(raw), "table-uuid"),
	    S(bare, "table-uuid"));
	snprintf(raw, sizeof(raw), "{" V1_LOCAL "}", "file:///data/wh/old");
	uri = parse_ok(raw);
	assert_string_equal(S(uri, "location"), "file:///data/wh/old");
}

static void
test_check_room_refuses_last_sequence_number_past_2_62(void **state)
{
	struct ice_err	 err;
	json_t		*md = json_deep_copy(table());

	(void)state;
	keep(md);
	assert_int_equal(ice_table_check_room(md, &err), 0);
	json_object_set_new(md, "last-sequence-number",
	    json_integer(INT64_MAX));
	assert_int_equal(ice_table_check_room(md, &err), -1);
	assert_int_equal(err.status, 400);
	assert_non_null(strstr(err.msg, "no room for later commits"));
	json_object_set_new(md, "last-sequence-number",
	    json_integer(1LL << 62));
	assert_int_equal(ice_table_check_room(md, &err), 0);
}

static void
test_parse_present_refs_without_main_are_left_alone(void **state)
{
	json_t	*md;

	(void)state;
	md = parse_ok("{" V1_BASE ",'current-snapshot-id':5,'refs':{},"
	    "'snapshots':[{'snapshot-id':5,'timestamp-ms':900,"
	    "'manifest-list':'l'}]}");
	assert_int_equal(N(md, "refs"), 0);
	assert_int_equal(I(md, "current-snapshot-id"), 5);
}

static void
test_parse_no_current_snapshot_absent_null_or_minus_one(void **state)
{
	(void)state;
	assert_int_equal(I(parse_ok("{" V1_BASE "}"), "current-snapshot-id"),
	    -1);
	assert_int_equal(I(parse_ok("{" V1_BASE ",'current-snapshot-id':null}"),
	    "current-snapshot-id"), -1);
	assert_int_equal(I(parse_ok("{" V1_BASE ",'current-snapshot-id':-1}"),
	    "current-snapshot-id"), -1);
}

static void
test_parse_round_trips_what_create_writes(void **state)
{
	json_t	*md = table_v(3), *again;

	(void)state;
	again = keep(ice_table_parse(md, NULL));
	assert_non_null(again);
	assert_true(json_equal(md, again));
	md = table_with_snapshots();
	again = keep(ice_table_parse(md, NULL));
	assert_true(json_equal(md, again));
}

static void
test_snapshot_id_near_int64_max_round_trips(void **state)
{
	struct ice_err	 err;
	json_t		*raw, *md, *back;
	char		*text;

	(void)state;
	raw = keep(json_loads("{\"format-version\":2,\"table-uuid\":\"" UUID
	    "\",\"location\":\"s3://b/t\",\"last-sequence-number\":"
	    "9223372036854775806,\"last-updated-ms\":1,\"last-column-id\":1,"
	    "\"current-schema-id\":0,\"schemas\":[{\"type\":\"struct\","
	    "\"schema-id\":0,\"fields\":[{\"id\":1,\"name\":\"a\","
	    "\"required\":true,\"type\":\"int\"}]}],\"default-spec-id\":0,"
	    "\"partition-specs\":[{\"spec-id\":0,\"fields\":[]}],"
	    "\"last-partition-id\":999,\"default-sort-order-id\":0,"
	    "\"sort-orders\":[{\"order-id\":0,\"fields\":[]}],"
	    "\"current-snapshot-id\":9223372036854775807,\"snapshots\":[{"
	    "\"sequence-number\":9223372036854775806,\"snapshot-id\":"
	    "9223372036854775807,\"parent-snapshot-id\":9007199254740993,"
	    "\"timestamp-ms\":1,\"manifest-list\":\"l\"}]}", 0, NULL));
	assert_non_null(raw);
	md = keep(ice_table_parse(raw, &err));
	assert_non_null(md);
	text = json_dumps(md, JSON_COMPACT);
	assert_non_null(strstr(text, "\"current-snapshot-id\":"
	    "9223372036854775807"));
	assert_non_null(strstr(text, "\"snapshot-id\":9223372036854775807"));
	assert_non_null(strstr(text, "\"parent-snapshot-id\":"
	    "9007199254740993"));
	assert_non_null(strstr(text, "\"last-sequence-number\":"
	    "9223372036854775806"));
	back = keep(json_loads(text, 0, NULL));
	free(text);
	assert_true(json_equal(back, md));
	assert_true(I(md, "refs.main.snapshot-id") == INT64_MAX);
}

static void
test_parse_rejects_invariant_violations(void **state)
{
	static const char *const bad[] = {
		/* ref to a missing snapshot */
		"{" V1_BASE ",'refs':{'b':{'snapshot-id':9,'type':'branch'}}}",
		/* main differs from current */
		"{" V1_BASE ",'current-snapshot-id':5,'refs':{'main':{"
		    "'snapshot-id':6,'type':'branch'}},'snapshots':[{"
		    "'snapshot-id':5,'timestamp-ms':1,'manifest-list':'l'},{"
		    "'snapshot-id':6,'timestamp-ms':1,'manifest-list':'l'}]}",
		/* main without a current snapshot */
		"{" V1_BASE ",'refs':{'main':{'snapshot-id':5,'type':"
		    "'branch'}},'snapshots':[{'snapshot-id':5,'timestamp-ms':1,"
		    "'manifest-list':'l'}]}",
		/* current snapshot missing */
		"{" V1_BASE ",'current-snapshot-id':5}",
		/* duplicate snapshot ids */
		"{" V1_BASE ",'snapshots':[{'snapshot-id':5,'timestamp-ms':1,"
		    "'manifest-list':'l'},{'snapshot-id':5,'timestamp-ms':1,"
		    "'manifest-list':'l'}]}",
		/* snapshot-log out of order by more than a minute */
		"{" V1_BASE ",'snapshot-log':[{'timestamp-ms':900000,"
		    "'snapshot-id':1},{'timestamp-ms':1,'snapshot-id':2}]}",
		/* last-updated-ms a minute before the last log entry */
		"{" V1_BASE ",'metadata-log':[{'timestamp-ms':70000,"
		    "'metadata-file':'f'}]}",
		/* v1 with sequence numbers */
		"{" V1_BASE ",'snapshots':[{'snapshot-id':5,'timestamp-ms':1,"
		    "'sequence-number':1,'manifest-list':'l'}]}",
		/* a snapshot without a manifest list */
		"{" V1_BASE ",'snapshots':[{'snapshot-id':5,'timestamp-ms':1}]}",
		/* no location */
		"{'format-version':1,'last-updated-ms':1,'last-column-id':1,"
		    "'schema':{'type':'struct','fields':[]},'partition-spec':[]}",
		/* v2 without a uuid */
		"{'format-version':2,'location':'s3://x','last-updated-ms':1,"
		    "'last-column-id':0,'current-schema-id':0,'schemas':[{"
		    "'type':'struct','fields':[]}],'default-spec-id':0,"
		    "'partition-specs':[{'fields':[]}]}",
		/* unsupported version */
		"{'format-version':4}",
		/* current schema missing */
		"{'format-version':1,'location':'l','last-updated-ms':1,"
		    "'last-column-id':1,'current-schema-id':3,'schemas':[{"
		    "'type':'struct','fields':[]}],'partition-spec':[]}",
		/* v3 without next-row-id */
		"{'format-version':3,'table-uuid':'" UUID "','location':'l',"
		    "'last-updated-ms':1,'last-column-id':0,'current-schema-id':0,"
		    "'schemas':[{'type':'struct','fields':[]}],'default-spec-id':"
		    "0,'partition-specs':[{'fields':[]}]}",
		/* a tag with min-snapshots-to-keep */
		"{" V1_BASE ",'refs':{'t':{'snapshot-id':5,'type':'tag',"
		    "'min-snapshots-to-keep':1}},'snapshots':[{'snapshot-id':5,"
		    "'timestamp-ms':1,'manifest-list':'l'}]}",
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_status(bad[i]) != 400)
			fail_msg("not a 400: %s", bad[i]);
	}
}

static void
test_parse_garbage_is_400_never_a_crash(void **state)
{
	static const char *const bad[] = { "null", "1", "[]", "'s'", "{}",
	    "{'format-version':'2'}", "{'format-version':2.0}",
	    "{" V1_BASE ",'schemas':{}}", "{" V1_BASE ",'snapshots':[1]}",
	    "{" V1_BASE ",'refs':[]}", "{" V1_BASE ",'refs':{'a':1}}",
	    "{" V1_BASE ",'properties':{'a':1}}", "{" V1_BASE ",'sort-orders':"
	    "[{'order-id':1,'fields':[{'source-id':1}]}]}",
	    "{" V1_BASE ",'snapshot-log':[{}]}", "{" V1_BASE ",'metadata-log':"
	    "[{'timestamp-ms':1}]}", "{" V1_BASE ",'statistics':[{}]}",
	    "{" V1_BASE ",'snapshots':[{'snapshot-id':1,'timestamp-ms':1,"
	    "'manifest-list':'l','summary':{'a':1}}]}" };
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_status(bad[i]) != 400)
			fail_msg("not a 400: %s", bad[i]);
	}
	assert_null(ice_table_parse(NULL, NULL));
}

static void
test_parse_summary_without_operation_reads_as_overwrite(void **state)
{
	json_t	*md;
	const char *k;
	json_t	*v;

	(void)state;
	md = parse_ok("{" V1_BASE ",'snapshots':[{'snapshot-id':5,"
	    "'timestamp-ms':1,'manifest-list':'l','summary':{'added':'1'}}]}");
	assert_string_equal(S(md, "snapshots.0.summary.operation"),
	    "overwrite");
	json_object_foreach(at(md, "snapshots.0.summary"), k, v) {
		assert_string_equal(k, "operation");	/* first */
		break;
	}
	assert_null(at(md, "snapshots.0.sequence-number"));
}

static void
test_refs_only_keeps_referenced_snapshots(void **state)
{
	json_t	*md = table_with_snapshots(), *only;

	(void)state;
	only = keep(ice_table_refs_only(md));
	assert_int_equal(N(only, "snapshots"), 1);
	assert_int_equal(I(only, "snapshots.0.snapshot-id"), 2);
	assert_int_equal(N(md, "snapshots"), 2);
}

/* --- file names and the metadata-log ------------------------------------- */

static void
test_metadata_file_name_follows_the_base_version(void **state)
{
	static const struct {
		const char	*base;
		int		 gzip;
		const char	*want;
	} cases[] = {
		{ NULL, 0, "00000-u.metadata.json" },
		{ "s3://b/t/metadata/00005-x.metadata.json", 0,
		    "00006-u.metadata.json" },
		{ "00041-x.gz.metadata.json", 1, "00042-u.gz.metadata.json" },
		{ "s3://b/t/metadata/v3.metadata.json", 0,
		    "00000-u.metadata.json" },
		{ "s3://b/00007/metadata/x-1.metadata.json", 0,
		    "00000-u.metadata.json" },
		{ "/m/99999-x.metadata.json", 0, "100000-u.metadata.json" },
		{ "/m/99999999999999999999999-x.metadata.json", 0,
		    "00000-u.metadata.json" },
	};
	char	*name;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		name = ice_metadata_file_name(cases[i].base, "u",
		    cases[i].gzip);
		assert_string_equal(name, cases[i].want);
		free(name);
	}
}

static void
test_metadata_location_honours_path_and_codec(void **state)
{
	json_t	*md = table();
	char	*loc;

	(void)state;
	loc = ice_table_metadata_location(md, BASE_FILE, "u");
	assert_string_equal(loc, LOC "/metadata/00004-u.metadata.json");
	free(loc);
	md = apply(md, "[{'action':'set-properties','updates':{"
	    "'write.metadata.path':'s3://other/meta/',"
	    "'write.metadata.compression-codec':'GZIP'}}]");
	loc = ice_table_metadata_location(md, NULL, "u");
	assert_string_equal(loc, "s3://other/meta/00000-u.gz.metadata.json");
	free(loc);
}

static void
test_trim_log_keeps_newest_and_returns_dropped(void **state)
{
	json_t	*md, *dropped;

	(void)state;
	md = J("{'properties':{'write.metadata.previous-versions-max':'2'},"
	    "'metadata-log':[{'timestamp-ms':1,'metadata-file':'a'},"
	    "{'timestamp-ms':2,'metadata-file':'b'},"
	    "{'timestamp-ms':3,'metadata-file':'c'}]}");
	dropped = keep(ice_table_trim_log(md));
	assert_int_equal(N(dropped, ""), 1);
	assert_string_equal(json_string_value(json_array_get(dropped, 0)), "a");
	assert_int_equal(N(md, "metadata-log"), 2);
	assert_string_equal(S(md, "metadata-log.0.metadata-file"), "b");
	/* max(1, ...): zero keeps one */
	json_object_set_new(at(md, "properties"),
	    "write.metadata.previous-versions-max", json_string("0"));
	dropped = keep(ice_table_trim_log(md));
	assert_int_equal(N(md, "metadata-log"), 1);
	assert_string_equal(S(md, "metadata-log.0.metadata-file"), "c");
}

static void
test_delete_after_commit_property(void **state)
{
	json_t	*md = table();

	(void)state;
	assert_false(ice_table_delete_after_commit(md));
	md = apply(md, "[{'action':'set-properties','updates':{"
	    "'write.metadata.delete-after-commit.enabled':'TRUE'}}]");
	assert_true(ice_table_delete_after_commit(md));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_create_assigns_field_ids_level_by_level),
		T(test_create_reassigns_spec_and_order_ids_and_follows_columns),
		T(test_create_partition_field_ids_start_at_1000_in_order),
		T(test_create_unpartitioned_unsorted_defaults),
		T(test_create_null_spec_and_order_mean_absent),
		T(test_create_format_version_from_properties_reserved_keys_stripped),
		T(test_create_request_properties_win_over_zstd_default),
		T(test_create_rejects_bad_format_version),
		T(test_create_v3_writes_null_current_snapshot_and_next_row_id),
		T(test_create_v2_writes_minus_one_and_last_sequence_number),
		T(test_create_v1_writes_schema_and_partition_spec_copies),
		T(test_create_writes_keys_in_java_order),
		T(test_create_strips_trailing_slashes_but_not_the_scheme),
		T(test_create_remaps_identifier_fields),
		T(test_create_identifier_field_rules),
		T(test_create_rejects_unknown_partition_or_sort_source),
		T(test_create_partition_name_rules),
		T(test_create_rejects_inapplicable_or_unknown_transforms),
		T(test_create_canonicalizes_transforms_and_types),
		T(test_create_v3_types_need_format_v3),
		T(test_create_looks_columns_up_through_lists_and_maps),
		T(test_create_property_checks),
		T(test_create_malformed_requests_are_400),
		T(test_create_nesting_is_bounded),
		T(test_parse_v1_reader_defaults),
		T(test_parse_bare_local_path_reads_as_file_uri),
		T(test_check_room_refuses_last_sequence_number_past_2_62),
		T(test_parse_present_refs_without_main_are_left_alone),
		T(test_parse_no_current_snapshot_absent_null_or_minus_one),
		T(test_parse_round_trips_what_create_writes),
		T(test_snapshot_id_near_int64_max_round_trips),
		T(test_parse_rejects_invariant_violations),
		T(test_parse_garbage_is_400_never_a_crash),
		T(test_parse_summary_without_operation_reads_as_overwrite),
		T(test_refs_only_keeps_referenced_snapshots),
		T(test_metadata_file_name_follows_the_base_version),
		T(test_metadata_location_honours_path_and_codec),
		T(test_trim_log_keeps_newest_and_returns_dropped),
		T(test_delete_after_commit_property),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
