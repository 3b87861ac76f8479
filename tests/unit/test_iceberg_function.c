/*
 * SQL functions (the UDF spec; issue 70): a create's metadata with what
 * the server assigns, canonical definition-ids of nested types, a
 * replace's versions and log (monotonic, its newest 1,000 entries
 * kept), and the 400s naming what breaks the spec.
 */
#include "test_iceberg_util.h"

#define FLOC	"s3://bucket/wh/db/f"
#define DEF(types, sql) "{'parameters':[" types "],'return-type':'int'," \
	"'function-type':'udf','versions':[{'representations':[{'type':" \
	"'sql','dialect':'spark','sql':'" sql "'}]}]}"

static json_t *
fn_new(const char *req, int64_t now, struct ice_err *err)
{
	return (keep(ice_function_new(J(req), FLOC, UUID, now, err)));
}

static json_t *
fn_ok(const char *req)
{
	struct ice_err	 err;
	json_t		*md;

	memset(&err, 0, sizeof(err));
	if ((md = fn_new(req, NOW, &err)) == NULL)
		fail_msg("create: %d %s", err.status, err.msg);
	return (md);
}

static json_t *
fn_replace(const json_t *base, const char *req, int64_t now)
{
	struct ice_err	 err;
	json_t		*md;

	memset(&err, 0, sizeof(err));
	if ((md = keep(ice_function_replace(base, J(req), now, &err))) ==
	    NULL)
		fail_msg("replace: %d %s", err.status, err.msg);
	return (md);
}

/* The 400's message of a create of req, which must fail. */
static const char *
refused(const char *req)
{
	static struct ice_err	 err;

	memset(&err, 0, sizeof(err));
	if (fn_new(req, NOW, &err) != NULL)
		fail_msg("create unexpectedly succeeded: %s", req);
	assert_int_equal(err.status, 400);
	assert_string_equal(err.type, "BadRequestException");
	return (err.msg);
}

static void
assert_has(const char *msg, const char *part)
{
	if (strstr(msg, part) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", msg, part);
}

static void
test_create_assigns_ids_versions_time_and_log(void **state)
{
	json_t	*md;

	(void)state;
	md = fn_ok("{'name':'f','doc':'d','definitions':[{'definition-id':"
	    "'bogus','current-version-id':7,'parameters':[{'name':'x',"
	    "'type':'int'}],'return-type':'int','function-type':'udf',"
	    "'versions':[{'version-id':9,'timestamp-ms':1,'representations':"
	    "[{'type':'sql','dialect':'spark','sql':'x+1'}]},{"
	    "'representations':[{'type':'sql','dialect':'spark','sql':"
	    "'x+2'}],'on-null-input':'return-null','deterministic':true}]}]}");
	assert_string_equal(json_string_value(at(md, "function-uuid")), UUID);
	assert_int_equal(json_integer_value(at(md, "format-version")), 1);
	assert_string_equal(json_string_value(at(md, "location")), FLOC);
	assert_string_equal(json_string_value(at(md, "doc")), "d");
	assert_true(json_is_false(at(md, "secure")));
	assert_string_equal(json_string_value(at(md,
	    "definitions.0.definition-id")), "int");
	assert_int_equal(json_integer_value(at(md,
	    "definitions.0.current-version-id")), 2);
	assert_int_equal(json_integer_value(at(md,
	    "definitions.0.versions.0.version-id")), 1);
	assert_int_equal(json_integer_value(at(md,
	    "definitions.0.versions.1.version-id")), 2);
	assert_int_equal(json_integer_value(at(md,
	    "definitions.0.versions.0.timestamp-ms")), NOW);
	assert_string_equal(json_string_value(at(md,
	    "definitions.0.versions.1.on-null-input")), "return-null");
	assert_string_equal(json_string_value(at(md,
	    "definitions.0.versions.0.on-null-input")), "call");
	assert_int_equal(json_array_size(at(md, "definition-log")), 1);
	assert_int_equal(json_integer_value(at(md,
	    "definition-log.0.definition-versions.0.version-id")), 2);
	assert_int_equal(json_integer_value(at(md,
	    "definition-log.0.timestamp-ms")), NOW);
}

static void
test_definition_ids_are_canonical(void **state)
{
	json_t	*md;

	(void)state;
	md = fn_ok("{'name':'f','definitions':["
	    DEF("{'name':'a','type':'int'},{'name':'b','type':{'type':'list',"
	    "'element':'int'}},{'name':'c','type':{'type':'struct','fields':"
	    "[{'name':'id','type':'int'},{'name':'name','type':'string'}]}}",
	    "a") ","
	    DEF("{'name':'m','type':{'type':'map','key':'string','value':"
	    "'decimal(38,0)','key-id':4}}", "m") ","
	    DEF("{'name':'t','type':'timestamptz_ns'},{'name':'u','type':"
	    "'fixed[16]'},{'name':'v','type':'variant'}", "t") ","
	    DEF("", "1") "]}");
	assert_string_equal(json_string_value(at(md,
	    "definitions.0.definition-id")),
	    "int,list<int>,struct<id:int,name:string>");
	assert_string_equal(json_string_value(at(md,
	    "definitions.1.definition-id")), "map<string,decimal(38,0)>");
	assert_string_equal(json_string_value(at(md,
	    "definitions.2.definition-id")), "timestamptz_ns,fixed[16],variant");
	assert_string_equal(json_string_value(at(md,
	    "definitions.3.definition-id")), "");
}

static void
test_bad_requests_name_what_is_wrong(void **state)
{
	(void)state;
	assert_has(refused("{'name':'f','definitions':[" DEF("{'name':'x',"
	    "'type':'integer'}", "x") "]}"),
	    "definitions[0], parameter 0: unknown type \"integer\"");
	assert_has(refused("{'name':'f','definitions':[" DEF("{'name':'x',"
	    "'type':'decimal(39,1)'}", "x") "]}"), "decimal(39,1)");
	assert_has(refused("{'name':'f','definitions':[" DEF("{'name':'x',"
	    "'type':'decimal(4,5)'}", "x") "]}"), "decimal(4,5)");
	assert_has(refused("{'name':'f','definitions':[" DEF("{'name':'x',"
	    "'type':'fixed[0]'}", "x") "]}"), "fixed[0]");
	assert_has(refused("{'name':'f','definitions':[" DEF("{'name':'x',"
	    "'type':{'type':'map','key':'int'}}", "x") "]}"),
	    "a map type needs \"key\" and \"value\"");
	assert_has(refused("{'name':'f','definitions':[" DEF("{'name':'x',"
	    "'type':{'type':'struct','fields':[{'type':'int'}]}}", "x") "]}"),
	    "struct field 0 needs a \"name\"");
	assert_has(refused("{'name':'f','definitions':[" DEF("{'name':'x',"
	    "'type':{'type':'set','element':'int'}}", "x") "]}"),
	    "unknown nested type \"set\"");
	assert_has(refused("{'name':'f','definitions':[" DEF("{'name':'x',"
	    "'type':'int'}", "x") "," DEF("{'name':'y','type':'int'}", "y")
	    "]}"), "definitions[1]: the signature (int) is definitions[0]'s");
	assert_has(refused("{'name':'f','definitions':[{'parameters':[],"
	    "'return-type':'int','function-type':'udtf','versions':[{"
	    "'representations':[{'type':'sql','dialect':'a','sql':'b'}]}]}]}"),
	    "a udtf's \"return-type\" must be a struct");
	assert_has(refused("{'name':'f','definitions':[{'parameters':[],"
	    "'return-type':'int','function-type':'udf','versions':[{"
	    "'representations':[{'type':'sql','dialect':'Spark','sql':'b'},"
	    "{'type':'sql','dialect':'spark','sql':'c'}]}]}]}"),
	    "representation 1: dialect \"spark\" is given twice");
	assert_has(refused("{'name':'f','definitions':[{'parameters':[],"
	    "'return-type':'int','function-type':'udf','versions':[{"
	    "'representations':[{'type':'sql','dialect':'a','sql':''}]}]}]}"),
	    "\"dialect\" and \"sql\" must be non-empty strings");
	assert_has(refused("{'name':'f','definitions':[{'parameters':[],"
	    "'return-type':'int','function-type':'udf','versions':[{"
	    "'deterministic':'yes','representations':[{'type':'sql',"
	    "'dialect':'a','sql':'b'}]}]}]}"),
	    "\"deterministic\" must be a boolean");
	assert_has(refused("{'name':'f','definitions':[" DEF("", "x") "],"
	    "'properties':{'a':1}}"), "properties: \"a\" must be a string");
	assert_has(refused("{'name':'f','definitions':[]}"),
	    "\"definitions\" must be a non-empty array");
}

static void
test_replace_appends_versions_and_a_monotonic_log(void **state)
{
	json_t	*md, *next;

	(void)state;
	md = fn_ok("{'name':'f','definitions':[" DEF("{'name':'x','type':"
	    "'int'}", "x+2") "," DEF("{'name':'x','type':'float'}", "x") "]}");
	/* A clock behind the last entry: the log never goes back. */
	next = fn_replace(md, "{'name':'f','secure':true,'definitions':["
	    DEF("{'name':'x','type':'int'}", "x+1") "," DEF("{'name':'x',"
	    "'type':'long'}", "x") "]}", NOW - 5000);
	assert_true(json_is_true(at(next, "secure")));
	assert_string_equal(json_string_value(at(next, "function-uuid")),
	    UUID);
	assert_int_equal(json_array_size(at(next, "definitions")), 3);
	assert_int_equal(json_integer_value(at(next,
	    "definitions.0.current-version-id")), 2);
	assert_int_equal(json_integer_value(at(next,
	    "definitions.0.versions.1.timestamp-ms")), NOW);
	assert_int_equal(json_integer_value(at(next,
	    "definitions.1.current-version-id")), 1);
	assert_string_equal(json_string_value(at(next,
	    "definitions.2.definition-id")), "long");
	assert_int_equal(json_array_size(at(next, "definition-log")), 2);
	assert_int_equal(json_integer_value(at(next,
	    "definition-log.1.timestamp-ms")), NOW);
	assert_int_equal(json_array_size(at(next,
	    "definition-log.1.definition-versions")), 3);
	/* The base is untouched. */
	assert_int_equal(json_array_size(at(md, "definition-log")), 1);
	assert_int_equal(json_array_size(at(md, "definitions")), 2);
}

static void
test_replace_keeps_a_definitions_return_type(void **state)
{
	struct ice_err	 err;
	json_t		*md;

	(void)state;
	md = fn_ok("{'name':'f','definitions':[" DEF("{'name':'x','type':"
	    "'int'}", "x") "]}");
	memset(&err, 0, sizeof(err));
	assert_null(keep(ice_function_replace(md, J("{'name':'f',"
	    "'definitions':[{'parameters':[{'name':'y','type':'int'}],"
	    "'return-type':'int','function-type':'udf','versions':[{"
	    "'representations':[{'type':'sql','dialect':'a','sql':'b'}]}]}]}"),
	    NOW, &err)));
	assert_int_equal(err.status, 400);
	assert_has(err.msg, "definition (int) exists with another");
}

/* md with its log made n entries long (times NOW - n ... NOW - 1), and
 * its first definition n versions long. */
static json_t *
grown(json_t *md, int n)
{
	json_t	*log = at(md, "definition-log"), *vs = at(md,
		    "definitions.0.versions"), *v;
	int	 i;

	json_array_clear(log);
	json_array_clear(vs);
	for (i = 0; i < n; i++) {
		json_array_append_new(log, json_pack("{s:I,s:[{s:s,s:i}]}",
		    "timestamp-ms", (json_int_t)(NOW - n + i),
		    "definition-versions", "definition-id", "", "version-id",
		    i + 1));
		v = json_pack("{s:i,s:[{s:s,s:s,s:s}],s:I}", "version-id", i + 1,
		    "representations", "type", "sql", "dialect", "spark", "sql",
		    "1", "timestamp-ms", (json_int_t)(NOW - n + i));
		json_array_append_new(vs, v);
	}
	json_object_set_new(at(md, "definitions.0"), "current-version-id",
	    json_integer(n));
	return (md);
}

static void
test_log_keeps_its_newest_1000_entries(void **state)
{
	json_t	*md, *next;

	(void)state;
	md = grown(fn_ok("{'name':'f','definitions':[" DEF("", "1") "]}"), 999);
	/* A new overload: the log's 1,000th entry, nothing dropped. */
	next = fn_replace(md, "{'name':'f','definitions':[" DEF("{'name':"
	    "'x','type':'int'}", "x") "]}", NOW);
	assert_int_equal(json_array_size(at(next, "definition-log")), 1000);
	assert_int_equal(json_integer_value(at(next,
	    "definition-log.0.timestamp-ms")), NOW - 999);
	/* The next one drops the oldest. */
	next = fn_replace(next, "{'name':'f','definitions':[" DEF("{'name':"
	    "'x','type':'int'}", "x + 1") "]}", NOW + 1);
	assert_int_equal(json_array_size(at(next, "definition-log")), 1000);
	assert_int_equal(json_integer_value(at(next,
	    "definition-log.0.timestamp-ms")), NOW - 998);
	assert_int_equal(json_integer_value(at(next,
	    "definition-log.999.timestamp-ms")), NOW + 1);
	assert_int_equal(json_array_size(at(next, "definitions.0.versions")),
	    999);
}

static void
test_a_definitions_1001st_version_is_refused(void **state)
{
	struct ice_err	 err;
	json_t		*md, *next;

	(void)state;
	md = grown(fn_ok("{'name':'f','definitions':[" DEF("", "1") "]}"), 999);
	next = fn_replace(md, "{'name':'f','definitions':[" DEF("", "2") "]}",
	    NOW);
	assert_int_equal(json_integer_value(at(next,
	    "definitions.0.current-version-id")), 1000);
	memset(&err, 0, sizeof(err));
	assert_null(keep(ice_function_replace(next, J("{'name':'f',"
	    "'definitions':[" DEF("", "3") "]}"), NOW, &err)));
	assert_int_equal(err.status, 400);
	assert_has(err.msg, "definitions[0]: a definition keeps at most 1000 "
	    "versions");
}

static void
test_metadata_location_follows_the_base(void **state)
{
	json_t	*md;
	char	*loc;

	(void)state;
	md = fn_ok("{'name':'f','definitions':[" DEF("", "1") "]}");
	loc = ice_function_metadata_location(md, NULL, "u");
	assert_string_equal(loc, FLOC "/metadata/00000-u.metadata.json");
	free(loc);
	loc = ice_function_metadata_location(md, FLOC
	    "/metadata/00004-a.metadata.json", "v");
	assert_string_equal(loc, FLOC "/metadata/00005-v.metadata.json");
	free(loc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_create_assigns_ids_versions_time_and_log),
		T(test_definition_ids_are_canonical),
		T(test_bad_requests_name_what_is_wrong),
		T(test_replace_appends_versions_and_a_monotonic_log),
		T(test_replace_keeps_a_definitions_return_type),
		T(test_log_keeps_its_newest_1000_entries),
		T(test_a_definitions_1001st_version_is_refused),
		T(test_metadata_location_follows_the_base),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
