/*
 * Data policies (src/policy, issue 46): the actions' applicable types,
 * schema columns by dotted name and id, row filters by field id, whom a
 * policy names, and the resolver's ReadRestrictions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "policy/policy.h"

/* id long req, email string, country string, birth date, ts timestamptz,
 * b binary, d decimal, u uuid, attrs map<string,string> (7, 8),
 * addr struct {city string (9), geo struct {lat double (11)} (10)},
 * tags list<string> (13), raw unknown (14), req_name string required. */
static const char SCHEMA[] =
	"{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
	"{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"long\"},"
	"{\"id\":2,\"name\":\"email\",\"required\":false,\"type\":\"string\"},"
	"{\"id\":3,\"name\":\"country\",\"required\":false,\"type\":\"string\"},"
	"{\"id\":4,\"name\":\"birth\",\"required\":false,\"type\":\"date\"},"
	"{\"id\":5,\"name\":\"attrs\",\"required\":false,\"type\":{\"type\":"
	"\"map\",\"key-id\":7,\"key\":\"string\",\"value-id\":8,\"value\":"
	"\"string\",\"value-required\":false}},"
	"{\"id\":6,\"name\":\"addr\",\"required\":false,\"type\":{\"type\":"
	"\"struct\",\"fields\":[{\"id\":9,\"name\":\"city\",\"required\":false,"
	"\"type\":\"string\"},{\"id\":10,\"name\":\"geo\",\"required\":false,"
	"\"type\":{\"type\":\"struct\",\"fields\":[{\"id\":11,\"name\":\"lat\","
	"\"required\":false,\"type\":\"double\"}]}}]}},"
	"{\"id\":12,\"name\":\"ts\",\"required\":false,\"type\":\"timestamptz\"},"
	"{\"id\":13,\"name\":\"tags\",\"required\":false,\"type\":{\"type\":"
	"\"list\",\"element-id\":15,\"element\":\"string\",\"element-required\":"
	"false}},"
	"{\"id\":14,\"name\":\"raw\",\"required\":false,\"type\":\"unknown\"},"
	"{\"id\":16,\"name\":\"b\",\"required\":false,\"type\":\"binary\"},"
	"{\"id\":17,\"name\":\"d\",\"required\":false,\"type\":\"decimal(9,2)\"},"
	"{\"id\":18,\"name\":\"u\",\"required\":false,\"type\":\"uuid\"},"
	"{\"id\":19,\"name\":\"req_name\",\"required\":true,\"type\":\"string\"},"
	"{\"id\":20,\"name\":\"km\",\"required\":false,\"type\":{\"type\":\"map\","
	"\"key-id\":21,\"key\":{\"type\":\"struct\",\"fields\":[{\"id\":22,"
	"\"name\":\"k\",\"required\":true,\"type\":\"string\"}]},\"value-id\":23,"
	"\"value\":\"int\",\"value-required\":false}}"
	"]}";

static json_t	*schema;

static int
setup(void **state)
{
	(void)state;
	schema = json_loads(SCHEMA, 0, NULL);
	return (schema == NULL ? -1 : 0);
}

static int
teardown(void **state)
{
	(void)state;
	json_decref(schema);
	return (0);
}

static int
applies(const char *action, const char *column)
{
	struct pgl_pol_column	c;
	char			why[256];

	if (pgl_pol_column_by_name(schema, column, &c) == -1)
		fail_msg("no column %s", column);
	return (pgl_pol_applicable(pgl_pol_action_parse(action), &c, why,
	    sizeof(why)) == 0);
}

/* Each of the nine, on a type it takes and on one it does not. */
static void
test_each_action_applies_to_its_types_only(void **state)
{
	static const struct {
		const char	*action, *column;
		int		 ok;
	} cases[] = {
		{ "mask-alphanum", "email", 1 }, { "mask-alphanum", "id", 0 },
		{ "mask-alphanum", "birth", 0 },
		{ "show-first-4", "email", 1 }, { "show-first-4", "u", 0 },
		{ "show-last-4", "country", 1 }, { "show-last-4", "b", 0 },
		{ "truncate-to-year", "birth", 1 },
		{ "truncate-to-year", "ts", 1 },
		{ "truncate-to-year", "email", 0 },
		{ "truncate-to-month", "ts", 1 },
		{ "truncate-to-month", "id", 0 },
		{ "sha-256-global", "email", 1 }, { "sha-256-global", "id", 1 },
		{ "sha-256-global", "b", 1 }, { "sha-256-global", "d", 0 },
		{ "sha-256-query-local", "id", 1 },
		{ "sha-256-query-local", "birth", 0 },
		{ "mask-to-fixed-value", "d", 1 },
		{ "mask-to-fixed-value", "addr", 1 },
		{ "mask-to-fixed-value", "attrs", 1 },
		{ "mask-to-fixed-value", "tags", 1 },
		{ "mask-to-fixed-value", "u", 1 },
		{ "mask-to-fixed-value", "raw", 0 },
		{ "replace-with-null", "email", 1 },
		{ "replace-with-null", "addr.geo", 1 },
		{ "replace-with-null", "id", 0 },
		{ "replace-with-null", "req_name", 0 },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (applies(cases[i].action, cases[i].column) != cases[i].ok)
			fail_msg("%s on %s: want %d", cases[i].action,
			    cases[i].column, cases[i].ok);
	assert_int_equal(pgl_pol_action_parse("blur"), -1);
	assert_string_equal(pgl_pol_action_name(pgl_pol_action_parse(
	    "sha-256-query-local")), "sha-256-query-local");
}

/* No action on a map's key, nor inside a struct that is one. */
static void
test_no_action_on_a_map_key_or_inside_one(void **state)
{
	(void)state;
	assert_false(applies("mask-alphanum", "attrs.key"));
	assert_false(applies("mask-to-fixed-value", "attrs.key"));
	assert_true(applies("mask-alphanum", "attrs.value"));
	assert_false(applies("mask-alphanum", "km.key.k"));
	assert_true(applies("replace-with-null", "km.value"));
}

/* Nested names by dots; ids; the fields around a nested one. */
static void
test_columns_by_dotted_name_and_by_id_with_their_ancestors(void **state)
{
	struct pgl_pol_column	c, d;

	(void)state;
	assert_int_equal(pgl_pol_column_by_name(schema, "addr.geo.lat", &c), 0);
	assert_int_equal(c.id, 11);
	assert_int_equal(c.nancestors, 2);
	assert_int_equal(c.ancestors[0], 6);
	assert_int_equal(c.ancestors[1], 10);
	assert_int_equal(pgl_pol_column_by_id(schema, 11, &d), 0);
	assert_int_equal(d.nancestors, 2);
	assert_int_equal(pgl_pol_column_by_name(schema, "tags.element", &c), 0);
	assert_int_equal(c.id, 15);
	assert_int_equal(pgl_pol_column_by_name(schema, "addr.nope", &c), -1);
	assert_int_equal(pgl_pol_column_by_name(schema, "addr.", &c), -1);
	assert_int_equal(pgl_pol_column_by_id(schema, 99, &c), -1);
	/* addr and addr.geo.lat overlap; addr.city and addr.geo do not. */
	assert_int_equal(pgl_pol_column_by_name(schema, "addr", &c), 0);
	assert_int_equal(pgl_pol_column_by_name(schema, "addr.geo.lat", &d),
	    0);
	assert_true(pgl_pol_columns_overlap(&c, &d));
	assert_int_equal(pgl_pol_column_by_name(schema, "addr.city", &c), 0);
	assert_int_equal(pgl_pol_column_by_name(schema, "addr.geo", &d), 0);
	assert_false(pgl_pol_columns_overlap(&c, &d));
}

/* Names become {"type":"reference","id":N}, in the left/right form. */
static void
test_row_filter_is_written_by_field_id(void **state)
{
	json_t	*f, *out;
	char	 why[256], *text;

	(void)state;
	f = json_loads("{\"type\":\"and\",\"left\":{\"type\":\"eq\",\"term\":"
	    "\"country\",\"value\":\"US\"},\"right\":{\"type\":\"in\",\"term\":"
	    "\"id\",\"values\":[1,2]}}", 0, NULL);
	out = pgl_pol_filter_bind(f, schema, why, sizeof(why));
	assert_non_null(out);
	text = json_dumps(out, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(text, "{\"left\":{\"left\":{\"id\":3,\"type\":"
	    "\"reference\"},\"right\":{\"type\":\"literal\",\"value\":\"US\"},"
	    "\"type\":\"eq\"},\"right\":{\"child\":{\"id\":1,\"type\":"
	    "\"reference\"},\"type\":\"in\",\"values\":[1,2]},\"type\":\"and\"}");
	/* Written back, it binds again (a stored filter is re-checked). */
	json_decref(f);
	f = pgl_pol_filter_bind(out, schema, why, sizeof(why));
	assert_non_null(f);
	assert_true(json_equal(f, out));
	free(text);
	json_decref(f);
	json_decref(out);
	f = json_loads("{\"type\":\"eq\",\"term\":\"nope\",\"value\":1}", 0,
	    NULL);
	assert_null(pgl_pol_filter_bind(f, schema, why, sizeof(why)));
	assert_non_null(strstr(why, "nope"));
	json_decref(f);
}

static json_t *
doc_of(const char *text)
{
	json_t	*d = json_loads(text, 0, NULL);

	assert_non_null(d);
	return (d);
}

/* Roles, users, groups; an excepted role wins over each. */
static void
test_applies_to_roles_users_groups_except_roles(void **state)
{
	const char	*roles[] = { "analyst", "contractor" };
	const char	*groups[] = { "eu" };
	struct pgl_pol_principal who = { "u1", roles, 1, groups, 1 };
	json_t		*d;

	(void)state;
	d = doc_of("{\"applies_to\":{\"roles\":[\"analyst\"]}}");
	assert_true(pgl_pol_applies_to(d, &who));
	json_decref(d);
	d = doc_of("{\"applies_to\":{\"users\":[\"u1\"]}}");
	assert_true(pgl_pol_applies_to(d, &who));
	json_decref(d);
	d = doc_of("{\"applies_to\":{\"groups\":[\"eu\"]}}");
	assert_true(pgl_pol_applies_to(d, &who));
	json_decref(d);
	d = doc_of("{\"applies_to\":{\"groups\":[\"us\"],\"users\":[\"u2\"]}}");
	assert_false(pgl_pol_applies_to(d, &who));
	json_decref(d);
	who.nroles = 2;
	d = doc_of("{\"applies_to\":{\"users\":[\"u1\"],\"except_roles\":"
	    "[\"contractor\"]}}");
	assert_false(pgl_pol_applies_to(d, &who));
	json_decref(d);
}

static int
overlap(const char *a, const char *b)
{
	json_t	*x = doc_of(a), *y = doc_of(b);
	int	 o = pgl_pol_principals_overlap(x, y);

	json_decref(x);
	json_decref(y);
	return (o);
}

/* Any caller may hold any roles: two role lists meet, unless excepted. */
static void
test_principals_overlap_unless_they_never_meet(void **state)
{
	(void)state;
	assert_true(overlap("{\"applies_to\":{\"roles\":[\"a\"]}}",
	    "{\"applies_to\":{\"roles\":[\"b\"]}}"));
	assert_true(overlap("{\"applies_to\":{\"roles\":[\"a\"]}}",
	    "{\"applies_to\":{\"users\":[\"u\"]}}"));
	assert_false(overlap("{\"applies_to\":{\"users\":[\"u\"]}}",
	    "{\"applies_to\":{\"users\":[\"v\"]}}"));
	assert_true(overlap("{\"applies_to\":{\"users\":[\"u\"]}}",
	    "{\"applies_to\":{\"users\":[\"v\",\"u\"]}}"));
	assert_false(overlap("{\"applies_to\":{\"roles\":[\"a\"]}}",
	    "{\"applies_to\":{\"users\":[\"u\"],\"except_roles\":[\"a\"]}}"));
	assert_true(overlap("{\"applies_to\":{\"groups\":[\"g\"]}}",
	    "{\"applies_to\":{\"users\":[\"u\"],\"except_roles\":[\"a\"]}}"));
}

/* A policy row: the scope given, the rest in its document. */
static struct pgl_policy
policy(const char *id, const char *ns, const char *table, const char *tag,
    const char *doc, int64_t created)
{
	struct pgl_policy	p;

	memset(&p, 0, sizeof(p));
	p.id = id;
	p.name = id;
	p.tenant_id = "t";
	p.catalog = "lake";
	p.ns = ns;
	p.table_name = table;
	p.tag = tag;
	p.doc = doc;
	p.created_ms = created;
	return (p);
}

static const char	*ANALYST[] = { "analyst" };
static const char	*table_uuid;	/* the table resolved for */

static json_t *
resolve(const struct pgl_policy *ps, size_t n,
    const struct pgl_column_tag *tags, size_t ntags, json_t **flags)
{
	struct pgl_pol_principal who = { "u1", ANALYST, 1, NULL, 0 };
	struct pgl_pol_table	 t = { "lake", "sales" "\x1f" "eu", "people",
				    NULL, tags, ntags, table_uuid };
	struct pgl_pol_result	 r;
	json_t			*out;

	t.schema = schema;
	assert_int_equal(pgl_pol_resolve(ps, n, &who, &t, &r), 0);
	out = json_incref(r.restrictions);
	if (flags != NULL)
		*flags = json_incref(r.flags);
	pgl_pol_result_free(&r);
	return (out);
}

static void
assert_json(json_t *j, const char *want)
{
	char	*got = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);

	if (strcmp(got, want) != 0)
		fail_msg("got %s\nwant %s", got, want);
	free(got);
	json_decref(j);
}

#define ROLE_A	"\"applies_to\":{\"roles\":[\"analyst\"]}"

/* Table and namespace (inherited below), projections by field id;
 * another role's, another table's, another catalog's do not hold. */
static void
test_resolver_takes_a_table_and_the_namespaces_above_it(void **state)
{
	struct pgl_policy	ps[5];

	(void)state;
	ps[0] = policy("p1", "sales" "\x1f" "eu", "people", NULL,
	    "{\"kind\":\"column-action\",\"field_id\":2,\"action\":"
	    "\"mask-alphanum\"," ROLE_A "}", 1);
	ps[1] = policy("p2", "sales", NULL, NULL, "{\"kind\":\"column-action\","
	    "\"column\":\"birth\",\"action\":\"truncate-to-year\"," ROLE_A "}",
	    2);
	ps[2] = policy("p3", "sales", "other", NULL,
	    "{\"kind\":\"column-action\",\"field_id\":3,\"action\":"
	    "\"show-first-4\"," ROLE_A "}", 3);
	ps[3] = policy("p4", "sales" "\x1f" "eu", NULL, NULL,
	    "{\"kind\":\"column-action\",\"column\":\"country\",\"action\":"
	    "\"show-last-4\",\"applies_to\":{\"roles\":[\"other\"]}}", 4);
	ps[4] = policy("p5", "salesx", NULL, NULL, "{\"kind\":\"column-action\","
	    "\"column\":\"country\",\"action\":\"show-last-4\"," ROLE_A "}", 5);
	assert_json(resolve(ps, 5, NULL, 0, NULL),
	    "{\"required-column-projections\":[{\"action\":\"mask-alphanum\","
	    "\"field-id\":2},{\"action\":\"truncate-to-year\",\"field-id\":4}]}");
	/* None: nothing restricted. */
	assert_json(resolve(ps, 0, NULL, 0, NULL), "{}");
}

/* Every row filter that holds, AND-ed, by field id; one that does not
 * bind to this table keeps every row out and is flagged. */
static void
test_resolver_ands_row_filters_and_fails_closed(void **state)
{
	struct pgl_policy	ps[3];
	json_t			*flags;

	(void)state;
	ps[0] = policy("f1", "sales", NULL, NULL, "{\"kind\":\"row-filter\","
	    "\"row_filter\":{\"type\":\"eq\",\"term\":\"country\",\"value\":"
	    "\"US\"}," ROLE_A "}", 1);
	ps[1] = policy("f2", "sales" "\x1f" "eu", "people", NULL,
	    "{\"kind\":\"row-filter\",\"row_filter\":{\"type\":\"gt\",\"left\":"
	    "{\"type\":\"reference\",\"id\":1},\"right\":5}," ROLE_A "}", 2);
	assert_json(resolve(ps, 2, NULL, 0, NULL),
	    "{\"required-row-filter\":{\"left\":{\"left\":{\"id\":3,\"type\":"
	    "\"reference\"},\"right\":{\"type\":\"literal\",\"value\":\"US\"},"
	    "\"type\":\"eq\"},\"right\":{\"left\":{\"id\":1,\"type\":"
	    "\"reference\"},\"right\":{\"type\":\"literal\",\"value\":5},"
	    "\"type\":\"gt\"},\"type\":\"and\"}}");
	ps[2] = policy("f3", "sales", NULL, NULL, "{\"kind\":\"row-filter\","
	    "\"row_filter\":{\"type\":\"eq\",\"term\":\"ghost\",\"value\":1},"
	    ROLE_A "}", 3);
	assert_json(resolve(&ps[2], 1, NULL, 0, &flags),
	    "{\"required-row-filter\":false}");
	assert_int_equal(json_array_size(flags), 1);
	json_decref(flags);
}

/* A tag's policy acts on every column holding the tag, by field id. */
static void
test_resolver_follows_column_tags(void **state)
{
	struct pgl_policy	p;
	struct pgl_column_tag	tags[] = {
		{ "a", 2, "pii:email" }, { "a", 9, "pii:email" },
		{ "a", 3, "other" }, { "a", 99, "pii:email" },
	};

	(void)state;
	p = policy("t1", NULL, NULL, "pii:email", "{\"kind\":"
	    "\"column-action\",\"action\":\"mask-alphanum\"," ROLE_A "}", 1);
	assert_json(resolve(&p, 1, tags, 4, NULL),
	    "{\"required-column-projections\":[{\"action\":\"mask-alphanum\","
	    "\"field-id\":2},{\"action\":\"mask-alphanum\",\"field-id\":9}]}");
	assert_json(resolve(&p, 1, NULL, 0, NULL), "{}");
}

/* One action per field: the table's beats a namespace's beats a tag's;
 * an action on a nested field excludes every one inside it; the other
 * is flagged. */
static void
test_resolver_keeps_one_action_per_field_and_flags_the_rest(void **state)
{
	struct pgl_policy	ps[3];
	struct pgl_column_tag	tags[] = { { "a", 9, "loc" } };
	json_t			*flags;

	(void)state;
	ps[0] = policy("tag", NULL, NULL, "loc", "{\"kind\":\"column-action\","
	    "\"action\":\"mask-alphanum\"," ROLE_A "}", 1);
	ps[1] = policy("ns", "sales", NULL, NULL, "{\"kind\":\"column-action\","
	    "\"column\":\"addr\",\"action\":\"mask-to-fixed-value\"," ROLE_A
	    "}", 2);
	ps[2] = policy("tbl", "sales" "\x1f" "eu", "people", NULL,
	    "{\"kind\":\"column-action\",\"field_id\":9,\"action\":"
	    "\"show-first-4\"," ROLE_A "}", 3);
	assert_json(resolve(ps, 3, tags, 1, &flags),
	    "{\"required-column-projections\":[{\"action\":\"show-first-4\","
	    "\"field-id\":9}]}");
	assert_int_equal(json_array_size(flags), 2);
	json_decref(flags);
	/* Without the table's: the namespace's struct-level action wins. */
	assert_json(resolve(ps, 2, tags, 1, NULL),
	    "{\"required-column-projections\":[{\"action\":"
	    "\"mask-to-fixed-value\",\"field-id\":6}]}");
}

/* A namespace's action on a column of a type it does not take is not
 * returned (the spec forbids it): mask-to-fixed-value, flagged. */
static void
test_resolver_never_returns_an_action_the_type_does_not_take(void **state)
{
	struct pgl_policy	p;
	json_t			*flags;

	(void)state;
	p = policy("n", "sales", NULL, NULL, "{\"kind\":\"column-action\","
	    "\"column\":\"birth\",\"action\":\"mask-alphanum\"," ROLE_A "}", 1);
	assert_json(resolve(&p, 1, NULL, 0, &flags),
	    "{\"required-column-projections\":[{\"action\":"
	    "\"mask-to-fixed-value\",\"field-id\":4}]}");
	assert_int_equal(json_array_size(flags), 1);
	json_decref(flags);
}

/* A table made again under the name: its policy still applies (fail
 * closed), and the explanation says its field ids may be other columns. */
static void
test_resolver_flags_a_table_made_again_under_the_name(void **state)
{
	struct pgl_policy	p;
	json_t			*flags;

	(void)state;
	p = policy("t", "sales" "\x1f" "eu", "people", NULL,
	    "{\"kind\":\"column-action\",\"field_id\":2,\"action\":"
	    "\"mask-alphanum\",\"table_uuid\":\"u-1\"," ROLE_A "}", 1);
	table_uuid = "u-1";
	assert_json(resolve(&p, 1, NULL, 0, &flags),
	    "{\"required-column-projections\":[{\"action\":\"mask-alphanum\","
	    "\"field-id\":2}]}");
	assert_int_equal(json_array_size(flags), 0);
	json_decref(flags);
	table_uuid = "u-2";
	assert_json(resolve(&p, 1, NULL, 0, &flags),
	    "{\"required-column-projections\":[{\"action\":\"mask-alphanum\","
	    "\"field-id\":2}]}");
	assert_int_equal(json_array_size(flags), 1);
	json_decref(flags);
	table_uuid = NULL;
}

/*
 * Issue 67: a table policy holds on the table row it was defined on
 * under any name (a rename that raced its creation left it under the
 * old one), flagged; never on another catalog's row of that id.
 */
static void
test_resolver_binds_a_table_policy_to_its_table_row(void **state)
{
	struct pgl_policy	p;
	json_t			*flags;

	(void)state;
	p = policy("t", "sales" "\x1f" "eu", "old_name", NULL,
	    "{\"kind\":\"column-action\",\"field_id\":2,\"action\":"
	    "\"mask-alphanum\",\"table_uuid\":\"u-7\"," ROLE_A "}", 1);
	table_uuid = "u-7";
	assert_json(resolve(&p, 1, NULL, 0, &flags),
	    "{\"required-column-projections\":[{\"action\":\"mask-alphanum\","
	    "\"field-id\":2}]}");
	assert_int_equal(json_array_size(flags), 1);
	json_decref(flags);
	assert_int_equal(pgl_pol_bound_to(&p, "lake", "u-7"), 1);
	assert_int_equal(pgl_pol_bound_to(&p, "other", "u-7"), 0);
	assert_int_equal(pgl_pol_bound_to(&p, "lake", "u-"), 0);
	assert_int_equal(pgl_pol_holds(&p, "lake", "sales" "\x1f" "eu",
	    "people", "u-7"), 1);
	/* Another row under another name: not its table. */
	table_uuid = "u-8";
	assert_json(resolve(&p, 1, NULL, 0, NULL), "{}");
	table_uuid = NULL;
}

/* Metadata with statistics blobs of email (2), addr.geo.lat (11) and
 * id (1), and a snapshot summary with a per-partition key. */
static json_t *
stats_md(void)
{
	json_t	*md = json_pack("{s:[O], s:[{s:I, s:[{s:s, s:[i]}, {s:s, "
	    "s:[i]}, {s:s, s:[i, i]}]}], s:[{s:I, s:{s:s, s:s, s:s}}]}",
	    "schemas", schema, "statistics", "snapshot-id", (json_int_t)1,
	    "blob-metadata", "type", "ndv", "fields", 2, "type", "ndv",
	    "fields", 11, "type", "ndv", "fields", 1, 3, "snapshots",
	    "snapshot-id", (json_int_t)1, "summary", "operation", "append",
	    "total-records", "5", "partitions.email=anna@a.nl",
	    "added-records=1");

	assert_non_null(md);
	return (md);
}

static size_t
nblobs(const json_t *md)
{
	return (json_array_size(json_object_get(json_array_get(
	    json_object_get(md, "statistics"), 0), "blob-metadata")));
}

/*
 * Issue 67: what a caller's restrictions withhold.  A projection on a
 * struct masks every field inside it (addr 6: city 9, geo 10, lat 11);
 * blobs of a masked field go, the others stay; a row filter withholds
 * every blob; every per-partition summary goes; nothing to withhold,
 * nothing copied (NULL).
 */
static void
test_statistics_of_masked_fields_are_withheld(void **state)
{
	struct pgl_pol_mask	 m;
	json_t			*rr, *md = stats_md(), *out, *u, *ru;
	int			 oom;

	(void)state;
	rr = json_loads("{\"required-column-projections\":[{\"field-id\":2,"
	    "\"action\":\"mask-alphanum\"},{\"field-id\":6,\"action\":"
	    "\"mask-to-fixed-value\"}]}", 0, NULL);
	assert_int_equal(pgl_pol_mask_of(rr, md, &m), 0);
	assert_false(m.all);
	assert_true(pgl_pol_masked(&m, 2) && pgl_pol_masked(&m, 9) &&
	    pgl_pol_masked(&m, 10) && pgl_pol_masked(&m, 11));
	assert_false(pgl_pol_masked(&m, 1) || pgl_pol_masked(&m, 3));
	out = pgl_pol_redact_metadata(md, &m, &oom);
	assert_non_null(out);
	assert_int_equal(nblobs(out), 1);
	assert_int_equal(nblobs(md), 3);
	assert_null(json_object_get(json_object_get(json_array_get(
	    json_object_get(out, "snapshots"), 0), "summary"),
	    "partitions.email=anna@a.nl"));
	assert_non_null(json_object_get(json_object_get(json_array_get(
	    json_object_get(out, "snapshots"), 0), "summary"),
	    "total-records"));
	json_decref(out);
	/* The updates of a commit, the same way. */
	u = json_pack("[{s:s, s:O}, {s:s, s:{s:O}}, {s:s}]", "action",
	    "set-statistics", "statistics", json_array_get(json_object_get(md,
	    "statistics"), 0), "action", "add-snapshot", "snapshot", "summary",
	    json_object_get(json_array_get(json_object_get(md, "snapshots"),
	    0), "summary"), "action", "remove-properties");
	ru = pgl_pol_redact_updates(u, &m, &oom);
	assert_non_null(ru);
	assert_int_equal(json_array_size(json_object_get(json_object_get(
	    json_array_get(ru, 0), "statistics"), "blob-metadata")), 1);
	assert_int_equal(json_object_size(json_object_get(json_object_get(
	    json_array_get(ru, 1), "snapshot"), "summary")), 2);
	json_decref(ru);
	pgl_pol_mask_free(&m);
	json_decref(rr);
	/* A row filter: no blob at all. */
	rr = json_loads("{\"required-row-filter\":true}", 0, NULL);
	assert_int_equal(pgl_pol_mask_of(rr, md, &m), 0);
	assert_true(m.all);
	out = pgl_pol_redact_metadata(md, &m, &oom);
	assert_int_equal(nblobs(out), 0);
	json_decref(out);
	pgl_pol_mask_free(&m);
	json_decref(rr);
	/* Nothing to withhold: NULL, not a copy. */
	json_object_del(md, "statistics");
	json_object_del(json_object_get(json_array_get(json_object_get(md,
	    "snapshots"), 0), "summary"), "partitions.email=anna@a.nl");
	rr = json_loads("{\"required-row-filter\":true}", 0, NULL);
	assert_int_equal(pgl_pol_mask_of(rr, md, &m), 0);
	assert_null(pgl_pol_redact_metadata(md, &m, &oom));
	assert_false(oom);
	pgl_pol_mask_free(&m);
	json_decref(rr);
	json_decref(u);
	json_decref(md);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_action_applies_to_its_types_only),
		cmocka_unit_test(test_no_action_on_a_map_key_or_inside_one),
		cmocka_unit_test(
		    test_columns_by_dotted_name_and_by_id_with_their_ancestors),
		cmocka_unit_test(test_row_filter_is_written_by_field_id),
		cmocka_unit_test(test_applies_to_roles_users_groups_except_roles),
		cmocka_unit_test(test_principals_overlap_unless_they_never_meet),
		cmocka_unit_test(
		    test_resolver_takes_a_table_and_the_namespaces_above_it),
		cmocka_unit_test(test_resolver_ands_row_filters_and_fails_closed),
		cmocka_unit_test(test_resolver_follows_column_tags),
		cmocka_unit_test(
		    test_resolver_keeps_one_action_per_field_and_flags_the_rest),
		cmocka_unit_test(
		    test_resolver_never_returns_an_action_the_type_does_not_take),
		cmocka_unit_test(
		    test_resolver_flags_a_table_made_again_under_the_name),
		cmocka_unit_test(
		    test_resolver_binds_a_table_policy_to_its_table_row),
		cmocka_unit_test(test_statistics_of_masked_fields_are_withheld),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
