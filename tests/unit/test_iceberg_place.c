/*
 * iceberg/place.h: a table reads and names only files in its own place
 * (issue 67).  What lies in a place, and what a commit's updates or a
 * file's metadata name outside it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "iceberg/place.h"

static int
holds(const char *location, const char *path)
{
	struct ice_place	p;

	(void)ice_place_init(&p, location);
	return (ice_place_holds(&p, path));
}

static void
test_a_place_holds_what_lies_below_it_segment_by_segment(void **state)
{
	(void)state;
	assert_true(holds("s3://b/ns/t1", "s3://b/ns/t1/metadata/snap.avro"));
	assert_true(holds("s3://b/ns/t1/", "s3://b/ns/t1/data/x.parquet"));
	assert_true(holds("s3://b/ns/t1", "s3://b/ns/t1"));
	/* t1 holds nothing of t10, nor of its parent or a sibling. */
	assert_false(holds("s3://b/ns/t1", "s3://b/ns/t10/metadata/x.avro"));
	assert_false(holds("s3://b/ns/t1", "s3://b/ns/x.avro"));
	assert_false(holds("s3://b/ns/t1", "s3://c/ns/t1/x.avro"));
	/* One place, any spelling. */
	assert_true(holds("file:///w/ns/t", "/w/ns/t/metadata/a.avro"));
	assert_true(holds("/w/ns/t", "file:/w/ns/t/metadata/a.avro"));
	assert_true(holds("s3://b/t", "s3a://b/t/data/a.parquet"));
	assert_true(holds("abfss://c@acc.dfs.core.windows.net/t",
	    "wasbs://c@acc.blob.core.windows.net/t/data/a.parquet"));
}

static void
test_a_way_out_of_a_place_is_never_in_it(void **state)
{
	(void)state;
	assert_false(holds("s3://b/ns/t", "s3://b/ns/t/../a/metadata/x.avro"));
	assert_false(holds("/w/ns/t", "/w/ns/t/./../a/x.avro"));
	assert_false(holds("/w/ns/t", "/w/ns/t/x\n.avro"));
	assert_false(holds("/w/ns/t", "file://host/w/ns/t/x.avro"));
	assert_false(holds("/w/ns/t", "relative/x.avro"));
	assert_false(holds("/w/ns/t", NULL));
	/* No place (none, or not a location): nothing lies in it. */
	assert_false(holds(NULL, "/w/ns/t/x.avro"));
	assert_false(holds("not a location", "/w/ns/t/x.avro"));
}

static json_t *
ups(const char *text)
{
	json_t	*j = json_loads(text, 0, NULL);

	assert_non_null(j);
	return (j);
}

/* The field a commit's updates name outside /w/t, or "" for none. */
static const char *
named_in(const char *updates)
{
	static char		 field[64];
	struct ice_place	 p;
	struct ice_named	 n;
	json_t			*u = ups(updates);

	(void)ice_place_init(&p, "/w/t");
	field[0] = '\0';
	if (ice_named_updates(u, &p, &n))
		(void)snprintf(field, sizeof(field), "%s", n.field);
	json_decref(u);
	return (field);
}

static void
test_a_commit_is_judged_by_what_its_updates_add(void **state)
{
	(void)state;
	assert_string_equal(named_in("[{\"action\":\"add-snapshot\","
	    "\"snapshot\":{\"snapshot-id\":1,\"manifest-list\":"
	    "\"/w/a/metadata/snap.avro\"}}]"), "manifest-list");
	assert_string_equal(named_in("[{\"action\":\"add-snapshot\","
	    "\"snapshot\":{\"snapshot-id\":1,\"manifests\":"
	    "[\"/w/t/m1.avro\",\"/w/a/m2.avro\"]}}]"), "manifests");
	assert_string_equal(named_in("[{\"action\":\"set-statistics\","
	    "\"statistics\":{\"snapshot-id\":1,\"statistics-path\":"
	    "\"/w/a/s.puffin\"}}]"), "statistics");
	assert_string_equal(named_in("[{\"action\":"
	    "\"set-partition-statistics\",\"partition-statistics\":"
	    "{\"snapshot-id\":1,\"statistics-path\":\"/w/a/p.parquet\"}}]"),
	    "partition-statistics");
	assert_string_equal(named_in("[{\"action\":\"set-properties\","
	    "\"updates\":{\"write.data.path\":\"/w/a/data\"}}]"),
	    "write.data.path");
	assert_string_equal(named_in("[{\"action\":\"set-properties\","
	    "\"updated\":{\"write.folder-storage.path\":\"s3://x/y\"}}]"),
	    "write.folder-storage.path");
	/* In its own place, an empty path, or another property: nothing. */
	assert_string_equal(named_in("[{\"action\":\"add-snapshot\","
	    "\"snapshot\":{\"snapshot-id\":1,\"manifest-list\":"
	    "\"file:///w/t/metadata/snap.avro\"}},{\"action\":"
	    "\"set-properties\",\"updates\":{\"write.metadata.path\":"
	    "\"/w/t/meta\",\"write.data.path\":\"\",\"comment\":\"/w/a\"}}]"),
	    "");
	assert_string_equal(named_in("[{\"action\":\"remove-properties\","
	    "\"removals\":[\"write.data.path\"]}]"), "");
}

static void
test_a_file_is_judged_whole_a_merge_by_what_it_adds(void **state)
{
	struct ice_place	 p;
	struct ice_named	 n;
	char			 text[512];
	json_t			*before, *after;

	(void)state;
	before = ups("{\"location\":\"/w/t\",\"properties\":"
	    "{\"write.data.path\":\"/w/old\"},\"snapshots\":[{\"snapshot-id\":"
	    "1,\"manifest-list\":\"/w/a/snap-1.avro\"}],\"statistics\":[]}");
	after = ups("{\"location\":\"/w/t\",\"properties\":"
	    "{\"write.data.path\":\"/w/old\"},\"snapshots\":[{\"snapshot-id\":"
	    "1,\"manifest-list\":\"/w/a/snap-1.avro\"},{\"snapshot-id\":2,"
	    "\"manifest-list\":\"/w/t/snap-2.avro\"}],\"statistics\":"
	    "[{\"snapshot-id\":2,\"statistics-path\":\"/w/a/2.puffin\"}]}");
	(void)ice_place_init(&p, "/w/t");
	/* Whole: the first thing outside, a snapshot of before included. */
	assert_true(ice_named_added(NULL, after, &p, &n));
	assert_string_equal(n.field, "manifest-list");
	assert_int_equal(n.snapshot_id, 1);
	ice_named_text(&n, text, sizeof(text));
	assert_string_equal(text, "snapshot 1's manifest-list /w/a/snap-1.avro");
	/* Against before: only what it adds. */
	assert_true(ice_named_added(before, after, &p, &n));
	assert_string_equal(n.field, "statistics");
	ice_named_text(&n, text, sizeof(text));
	assert_string_equal(text, "statistics file /w/a/2.puffin (statistics "
	    "of snapshot 2)");
	json_object_set_new(after, "statistics", json_array());
	assert_false(ice_named_added(before, after, &p, &n));
	json_object_set_new(json_object_get(after, "properties"),
	    "write.data.path", json_string("/w/other"));
	assert_true(ice_named_added(before, after, &p, &n));
	assert_string_equal(n.field, "write.data.path");
	json_decref(before);
	json_decref(after);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_a_place_holds_what_lies_below_it_segment_by_segment),
		cmocka_unit_test(test_a_way_out_of_a_place_is_never_in_it),
		cmocka_unit_test(test_a_commit_is_judged_by_what_its_updates_add),
		cmocka_unit_test(
		    test_a_file_is_judged_whole_a_merge_by_what_it_adds),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
