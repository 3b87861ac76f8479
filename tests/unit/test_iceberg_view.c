/*
 * Views (§7): createView, view updates and build() (history, dialect
 * check, version expiry), reading view metadata files.
 */
#include "test_iceberg_util.h"

#define VLOC	"s3://bucket/wh/db/v"
#define VSCHEMA	"{'type':'struct','schema-id':5,'fields':[{'id':1,'name':" \
	"'a','required':false,'type':'int'}]}"
#define VSCHEMA2 "{'type':'struct','fields':[{'id':1,'name':'a','required':" \
	"false,'type':'int'},{'id':2,'name':'b','required':false," \
	"'type':'string'}]}"

static json_t *
view_new(const char *req, struct ice_err *err)
{
	return (keep(ice_view_new(J(req), VLOC "/", UUID, NOW - 1000, err)));
}

/* A view over select a from t, in spark; version 1. */
static json_t *
view(void)
{
	struct ice_err	 err;
	json_t		*v;

	v = view_new("{'name':'v','schema':" VSCHEMA ",'view-version':{"
	    "'version-id':9,'timestamp-ms':1234,'schema-id':5,'summary':{"
	    "'engine':'spark'},'default-namespace':['db'],'default-catalog':"
	    "'cat','representations':[{'type':'sql','sql':'select a from t',"
	    "'dialect':'spark'}]},'properties':{}}", &err);
	if (v == NULL)
		fail_msg("view: %d %s", err.status, err.msg);
	return (v);
}

static json_t *
vapply(const json_t *base, const char *updates)
{
	struct ice_err	 err;
	json_t		*md;

	md = keep(ice_view_apply(base, J(updates), VLOC "/metadata/00000-x."
	    "gz.metadata.json", NOW, &err));
	if (md == NULL)
		fail_msg("view apply: %d %s", err.status, err.msg);
	return (md);
}

static int
vapply_status(const json_t *base, const char *updates)
{
	struct ice_err	 err;
	json_t		*md;

	md = keep(ice_view_apply(base, J(updates), NULL, NOW, &err));
	if (md != NULL)
		fail_msg("view apply unexpectedly succeeded: %s", updates);
	assert_non_null(err.type);
	return (err.status);
}

/* Java's replaceView: add-schema, add-view-version -1, set-current -1. */
static const char *
replace(char *buf, size_t len, const char *sql, const char *dialect)
{
	snprintf(buf, len, "[{'action':'add-schema','schema':" VSCHEMA2 "},"
	    "{'action':'add-view-version','view-version':{'version-id':1,"
	    "'timestamp-ms':%lld,'schema-id':-1,'summary':{},"
	    "'default-namespace':['db'],'representations':[{'type':'sql',"
	    "'sql':'%s','dialect':'%s'}]}},{'action':"
	    "'set-current-view-version','view-version-id':-1}]",
	    (long long)NOW - 10, sql, dialect);
	return (buf);
}

/* A replace that keeps the current schema (0): no add-schema. */
static const char *
replace_sql(char *buf, size_t len, const char *sql)
{
	snprintf(buf, len, "[{'action':'add-view-version','view-version':{"
	    "'version-id':1,'timestamp-ms':%lld,'schema-id':0,'summary':{},"
	    "'default-namespace':['db'],'representations':[{'type':'sql',"
	    "'sql':'%s','dialect':'spark'}]}},{'action':"
	    "'set-current-view-version','view-version-id':-1}]",
	    (long long)NOW - 10, sql);
	return (buf);
}

static void
test_create_view_assigns_schema_0_and_version_1(void **state)
{
	json_t	*v = view();

	(void)state;
	assert_string_equal(S(v, "view-uuid"), UUID);
	assert_int_equal(I(v, "format-version"), 1);
	assert_string_equal(S(v, "location"), VLOC);
	assert_int_equal(I(v, "schemas.0.schema-id"), 0);
	assert_int_equal(I(v, "current-version-id"), 1);
	assert_int_equal(I(v, "versions.0.version-id"), 1);
	assert_int_equal(I(v, "versions.0.schema-id"), 0);
	assert_int_equal(I(v, "versions.0.timestamp-ms"), 1234);
	assert_string_equal(S(v, "versions.0.default-catalog"), "cat");
	assert_string_equal(S(v, "versions.0.summary.engine"), "spark");
	assert_int_equal(N(v, "version-log"), 1);
	assert_int_equal(I(v, "version-log.0.version-id"), 1);
	assert_int_equal(I(v, "version-log.0.timestamp-ms"), 1234);
	assert_null(at(v, "properties"));	/* written only if non-empty */
}

static void
test_create_view_writes_keys_in_java_order(void **state)
{
	static const char *const order[] = { "view-uuid", "format-version",
	    "location", "schemas", "current-version-id", "versions",
	    "version-log", NULL };
	const char	*k;
	json_t		*x, *v = view();
	size_t		 i = 0;

	(void)state;
	json_object_foreach(v, k, x) {
		if (order[i] == NULL)
			fail_msg("unexpected key %s", k);
		assert_string_equal(k, order[i]);
		i++;
	}
}

static void
test_create_view_keeps_properties(void **state)
{
	struct ice_err	 err;
	json_t		*v;

	(void)state;
	v = view_new("{'name':'v','schema':" VSCHEMA ",'view-version':{"
	    "'version-id':1,'timestamp-ms':1,'schema-id':0,'summary':{},"
	    "'default-namespace':[],'representations':[]},'properties':"
	    "{'comment':'hi'}}", &err);
	assert_non_null(v);
	assert_string_equal(S(v, "properties.comment"), "hi");
	assert_null(at(v, "versions.0.default-catalog"));
}

static void
test_create_view_rejects_bad_representations(void **state)
{
	static const char *const bad[] = {
		/* not SQL */
		"[{'type':'substrait','plan':'x'}]",
		/* two queries for one dialect */
		"[{'type':'sql','sql':'a','dialect':'spark'},{'type':'sql',"
		    "'sql':'b','dialect':'SPARK'}]",
		/* missing sql */
		"[{'type':'sql','dialect':'spark'}]",
	};
	struct ice_err	 err;
	char		 buf[1024];
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "{'name':'v','schema':" VSCHEMA ","
		    "'view-version':{'version-id':1,'timestamp-ms':1,"
		    "'schema-id':0,'summary':{},'default-namespace':[],"
		    "'representations':%s}}", bad[i]);
		assert_null(view_new(buf, &err));
		assert_int_equal(err.status, 400);
	}
}

static void
test_create_view_malformed_requests_are_400(void **state)
{
	static const char *const bad[] = { "[]", "{}",
	    "{'schema':" VSCHEMA "}",
	    "{'schema':" VSCHEMA ",'view-version':[]}",
	    "{'schema':{'type':'struct'},'view-version':{}}",
	    "{'schema':" VSCHEMA ",'view-version':{'summary':{}}}",
	    "{'schema':" VSCHEMA ",'view-version':{'representations':[],"
	    "'default-namespace':[1]}}",
	    "{'schema':" VSCHEMA ",'view-version':{'representations':[]},"
	    "'properties':{'a':1}}" };
	struct ice_err	err;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (view_new(bad[i], &err) != NULL || err.status != 400)
			fail_msg("not a 400: %s", bad[i]);
	}
}

static void
test_replace_adds_version_and_history(void **state)
{
	char	 buf[1024];
	json_t	*v;

	(void)state;
	v = vapply(view(), replace(buf, sizeof(buf), "select a, b from t",
	    "spark"));
	assert_int_equal(N(v, "schemas"), 2);
	assert_int_equal(I(v, "schemas.1.schema-id"), 1);
	assert_int_equal(I(v, "current-version-id"), 2);
	assert_int_equal(I(v, "versions.1.version-id"), 2);
	assert_int_equal(I(v, "versions.1.schema-id"), 1);
	assert_int_equal(N(v, "version-log"), 2);
	assert_int_equal(I(v, "version-log.1.version-id"), 2);
	/* the version was added by this request: its own timestamp */
	assert_int_equal(I(v, "version-log.1.timestamp-ms"), NOW - 10);
	assert_false(ice_view_unchanged(view(), v));
}

static void
test_identical_version_is_reused(void **state)
{
	json_t	*v = view();

	(void)state;
	assert_true(ice_view_unchanged(v, vapply(v, "[{'action':"
	    "'add-view-version','view-version':{'version-id':7,"
	    "'timestamp-ms':99,'schema-id':0,'summary':{'engine':'spark'},"
	    "'default-namespace':['db'],'default-catalog':'cat',"
	    "'representations':[{'type':'sql','sql':'select a from t',"
	    "'dialect':'spark'}]}}]")));
	/* reused from the base: -1 has nothing to point at */
	assert_int_equal(vapply_status(v, "[{'action':'add-view-version',"
	    "'view-version':{'version-id':7,'timestamp-ms':99,'schema-id':0,"
	    "'summary':{'engine':'spark'},'default-namespace':['db'],"
	    "'default-catalog':'cat','representations':[{'type':'sql','sql':"
	    "'select a from t','dialect':'spark'}]}},{'action':"
	    "'set-current-view-version','view-version-id':-1}]"), 400);
}

static void
test_view_version_id_is_max_of_given_and_next(void **state)
{
	json_t	*v;

	(void)state;
	v = vapply(view(), "[{'action':'add-view-version','view-version':{"
	    "'version-id':10,'timestamp-ms':1,'schema-id':0,'summary':{},"
	    "'default-namespace':[],'representations':[{'type':'sql','sql':"
	    "'select 1','dialect':'spark'}]}}]");
	assert_int_equal(I(v, "versions.1.version-id"), 10);
	assert_int_equal(I(v, "current-version-id"), 1);
}

static void
test_add_view_version_rules(void **state)
{
	json_t	*v = view();

	(void)state;
	/* -1 without an added schema */
	assert_int_equal(vapply_status(v, "[{'action':'add-view-version',"
	    "'view-version':{'version-id':1,'timestamp-ms':1,'schema-id':-1,"
	    "'summary':{},'default-namespace':[],'representations':[]}}]"),
	    400);
	/* unknown schema */
	assert_int_equal(vapply_status(v, "[{'action':'add-view-version',"
	    "'view-version':{'version-id':1,'timestamp-ms':1,'schema-id':3,"
	    "'summary':{},'default-namespace':[],'representations':[]}}]"),
	    400);
	assert_int_equal(vapply_status(v, "[{'action':'add-view-version'}]"),
	    400);
}

static void
test_identical_view_schema_is_not_last_added(void **state)
{
	(void)state;
	assert_int_equal(vapply_status(view(), "[{'action':'add-schema',"
	    "'schema':" VSCHEMA "},{'action':'add-view-version',"
	    "'view-version':{'version-id':1,'timestamp-ms':1,'schema-id':-1,"
	    "'summary':{},'default-namespace':[],'representations':[]}}]"),
	    400);
}

static void
test_set_current_view_version_rules(void **state)
{
	json_t	*v = view();

	(void)state;
	assert_int_equal(vapply_status(v, "[{'action':"
	    "'set-current-view-version','view-version-id':-1}]"), 400);
	assert_int_equal(vapply_status(v, "[{'action':"
	    "'set-current-view-version','view-version-id':5}]"), 400);
	assert_true(ice_view_unchanged(v, vapply(v, "[{'action':"
	    "'set-current-view-version','view-version-id':1}]")));
}

static void
test_reactivating_an_old_version_logs_now(void **state)
{
	char	 buf[1024];
	json_t	*v;

	(void)state;
	v = vapply(view(), replace(buf, sizeof(buf), "select 2", "spark"));
	v = vapply(v, "[{'action':'set-current-view-version',"
	    "'view-version-id':1}]");
	assert_int_equal(I(v, "current-version-id"), 1);
	assert_int_equal(N(v, "version-log"), 3);
	assert_int_equal(I(v, "version-log.2.timestamp-ms"), NOW);
}

static void
test_replace_may_not_drop_a_dialect(void **state)
{
	char	 buf[1024];
	json_t	*v;

	(void)state;
	assert_int_equal(vapply_status(view(), replace(buf, sizeof(buf),
	    "select a", "trino")), 400);
	v = vapply(view(), "[{'action':'set-properties','updates':{"
	    "'replace.drop-dialect.allowed':'true'}}]");
	v = vapply(v, replace(buf, sizeof(buf), "select a", "trino"));
	assert_string_equal(S(v, "versions.1.representations.0.dialect"),
	    "trino");
	/* the same dialect in another case is kept */
	vapply(view(), replace(buf, sizeof(buf), "select 3", "SPARK"));
}

static void
test_old_versions_expire_by_history_size(void **state)
{
	char	 buf[1024], sql[32];
	json_t	*v;
	int	 i;

	(void)state;
	v = vapply(view(), "[{'action':'set-properties','updates':{"
	    "'version.history.num-entries':'2'}}]");
	for (i = 0; i < 3; i++) {
		snprintf(sql, sizeof(sql), "select %d", i);
		v = vapply(v, replace_sql(buf, sizeof(buf), sql));
	}
	assert_int_equal(N(v, "versions"), 2);
	assert_int_equal(I(v, "current-version-id"), 4);
	assert_int_equal(I(v, "versions.0.version-id"), 3);
	assert_int_equal(I(v, "versions.1.version-id"), 4);
	/* history stops at the last expired version */
	assert_int_equal(N(v, "version-log"), 2);
	assert_int_equal(I(v, "version-log.0.version-id"), 3);
	assert_int_equal(vapply_status(v, "[{'action':'set-properties',"
	    "'updates':{'version.history.num-entries':'0'}}]"), 400);
}

static void
test_view_uuid_location_and_format(void **state)
{
	json_t	*v = view(), *w;

	(void)state;
	assert_true(ice_view_unchanged(v, vapply(v, "[{'action':'assign-uuid',"
	    "'uuid':'" UUID "'}]")));
	assert_int_equal(vapply_status(v, "[{'action':'assign-uuid','uuid':"
	    "'00000000-0000-0000-0000-000000000000'}]"), 400);
	assert_true(ice_view_unchanged(v, vapply(v, "[{'action':"
	    "'upgrade-format-version','format-version':1}]")));
	assert_int_equal(vapply_status(v, "[{'action':"
	    "'upgrade-format-version','format-version':2}]"), 400);
	assert_int_equal(vapply_status(v, "[{'action':"
	    "'upgrade-format-version','format-version':0}]"), 400);
	w = vapply(v, "[{'action':'set-location','location':'s3://x/v/'}]");
	assert_string_equal(S(w, "location"), "s3://x/v");
	assert_true(ice_view_unchanged(v, vapply(v, "[{'action':"
	    "'set-location','location':'" VLOC "'}]")));
	assert_int_equal(vapply_status(v, "[{'action':'set-location'}]"),
	    400);
}

static void
test_view_properties(void **state)
{
	json_t	*v;

	(void)state;
	v = vapply(view(), "[{'action':'set-properties','updates':{'a':'1',"
	    "'b':'2'}},{'action':'remove-properties','removals':['a']}]");
	assert_null(at(v, "properties.a"));
	assert_string_equal(S(v, "properties.b"), "2");
	assert_false(ice_view_unchanged(v, vapply(v, "[{'action':"
	    "'remove-properties','removals':['nope']}]")));
	assert_int_equal(vapply_status(v, "[{'action':'set-properties',"
	    "'updates':{'a':2}}]"), 400);
}

static void
test_table_updates_on_a_view_are_400(void **state)
{
	(void)state;
	assert_int_equal(vapply_status(view(), "[{'action':'add-spec',"
	    "'spec':{'fields':[]}}]"), 400);
	assert_int_equal(vapply_status(view(), "[{'action':'nope'}]"), 400);
	assert_int_equal(vapply_status(view(), "{}"), 400);
	assert_int_equal(vapply_status(view(), "[7]"), 400);
}

static void
test_missing_view_is_404(void **state)
{
	struct ice_err	err;

	(void)state;
	assert_null(ice_view_apply(NULL, J("[]"), NULL, NOW, &err));
	assert_int_equal(err.status, 404);
}

static void
test_parse_view_round_trips_and_validates(void **state)
{
	struct ice_err	 err;
	json_t		*v = view(), *p;

	(void)state;
	p = keep(ice_view_parse(v, &err));
	assert_non_null(p);
	assert_true(json_equal(v, p));
	assert_null(ice_view_parse(J("{'view-uuid':'u','format-version':2,"
	    "'location':'l','schemas':[],'current-version-id':1,'versions':"
	    "[],'version-log':[]}"), &err));
	assert_int_equal(err.status, 400);
	assert_null(ice_view_parse(J("{'view-uuid':'u','format-version':1,"
	    "'location':'l','schemas':[],'current-version-id':1,'versions':"
	    "[],'version-log':[]}"), &err));
	assert_int_equal(err.status, 400);
	assert_null(ice_view_parse(J("[]"), &err));
	/* unknown representation types survive a read */
	p = keep(ice_view_parse(J("{'view-uuid':'u','format-version':1,"
	    "'location':'l','schemas':[" VSCHEMA "],'current-version-id':1,"
	    "'versions':[{'version-id':1,'timestamp-ms':1,'schema-id':5,"
	    "'summary':{},'default-namespace':[],'representations':[{"
	    "'type':'other','x':1}]}],'version-log':[]}"), &err));
	assert_non_null(p);
	assert_int_equal(I(p, "versions.0.representations.0.x"), 1);
}

static void
test_view_metadata_location_defaults_to_gzip(void **state)
{
	json_t	*v = view();
	char	*loc;

	(void)state;
	loc = ice_view_metadata_location(v, VLOC "/metadata/00001-a.gz."
	    "metadata.json", "u");
	assert_string_equal(loc, VLOC "/metadata/00002-u.gz.metadata.json");
	free(loc);
	v = vapply(v, "[{'action':'set-properties','updates':{"
	    "'write.metadata.compression-codec':'none'}}]");
	loc = ice_view_metadata_location(v, NULL, "u");
	assert_string_equal(loc, VLOC "/metadata/00000-u.metadata.json");
	free(loc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_create_view_assigns_schema_0_and_version_1),
		T(test_create_view_writes_keys_in_java_order),
		T(test_create_view_keeps_properties),
		T(test_create_view_rejects_bad_representations),
		T(test_create_view_malformed_requests_are_400),
		T(test_replace_adds_version_and_history),
		T(test_identical_version_is_reused),
		T(test_view_version_id_is_max_of_given_and_next),
		T(test_add_view_version_rules),
		T(test_identical_view_schema_is_not_last_added),
		T(test_set_current_view_version_rules),
		T(test_reactivating_an_old_version_logs_now),
		T(test_replace_may_not_drop_a_dialect),
		T(test_old_versions_expire_by_history_size),
		T(test_view_uuid_location_and_format),
		T(test_view_properties),
		T(test_table_updates_on_a_view_are_400),
		T(test_missing_view_is_404),
		T(test_parse_view_round_trips_and_validates),
		T(test_view_metadata_location_defaults_to_gzip),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
