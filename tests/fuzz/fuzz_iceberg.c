/*
 * libFuzzer target for the Iceberg metadata engine.  The first byte
 * picks what the rest (parsed as JSON) is fed to; every call must fail
 * cleanly (a 400/404/409 with a message) or produce metadata that reads
 * back as itself.
 *
 * clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *     -Iinclude -Isrc tests/fuzz/fuzz_iceberg.c $(ls src/iceberg/[a-z]*.c) \
 *     src/util/json.c src/util/json_in.c src/util/json_bytes.c src/util/json_out.c src/util/uuid.c -ljansson -luuid \
 *     -o /tmp/fuzz_iceberg
 * /tmp/fuzz_iceberg -max_len=4096 corpus-copy/ tests/fuzz/corpus/iceberg/
 *
 * FUZZ_ICEBERG_VERBOSE=1 prints each rejection (to check the seeds).
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iceberg/iceberg.h"
#include "util/json.h"
#include "util/json_out.h"

#define CHECK(x)	do { if (!(x)) __builtin_trap(); } while (0)
#define NOW		1700000000000LL
#define UUID		"9c12d441-03fe-4693-9a96-a0705ddf69c1"
#define BASE_FILE	"s3://b/t/metadata/00003-a.metadata.json"

static const char table_json[] =
    "{\"name\":\"t\",\"schema\":{\"type\":\"struct\",\"fields\":["
    "{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"long\"},"
    "{\"id\":2,\"name\":\"ts\",\"required\":false,\"type\":\"timestamptz\"},"
    "{\"id\":3,\"name\":\"m\",\"required\":false,\"type\":{\"type\":\"map\","
    "\"key-id\":4,\"key\":\"string\",\"value-id\":5,\"value\":\"int\","
    "\"value-required\":false}}]},\"partition-spec\":{\"fields\":[{\"name\":"
    "\"d\",\"transform\":\"day\",\"source-id\":2}]},\"write-order\":{"
    "\"order-id\":1,\"fields\":[{\"transform\":\"identity\",\"source-id\":1,"
    "\"direction\":\"asc\",\"null-order\":\"nulls-first\"}]},"
    "\"properties\":{\"format-version\":\"%d\"}}";

static const char snapshots_json[] =
    "[{\"action\":\"add-snapshot\",\"snapshot\":{\"snapshot-id\":1,"
    "\"sequence-number\":1,\"timestamp-ms\":1699999990000,\"manifest-list\":"
    "\"l\",\"first-row-id\":0,\"added-rows\":5,\"summary\":{\"operation\":"
    "\"append\"}}},{\"action\":\"set-snapshot-ref\",\"ref-name\":\"main\","
    "\"type\":\"branch\",\"snapshot-id\":1},{\"action\":\"set-snapshot-ref\","
    "\"ref-name\":\"tag\",\"type\":\"tag\",\"snapshot-id\":1}]";

static const char view_json[] =
    "{\"name\":\"v\",\"schema\":{\"type\":\"struct\",\"fields\":[{\"id\":1,"
    "\"name\":\"a\",\"required\":false,\"type\":\"int\"}]},\"view-version\":"
    "{\"version-id\":1,\"timestamp-ms\":1,\"schema-id\":0,\"summary\":{},"
    "\"default-namespace\":[\"db\"],\"representations\":[{\"type\":\"sql\","
    "\"sql\":\"select 1\",\"dialect\":\"spark\"}]}}";

static json_t	*tables[4];	/* v1, v2, v3 with a snapshot, ... */
static json_t	*view;

static json_t *
parse(const char *text)
{
	return (json_loads(text, JSON_DECODE_ANY, NULL));
}

static void
init(void)
{
	struct ice_err	 err;
	json_t		*req, *ups;
	char		 buf[2048];
	int		 v;

	for (v = 1; v <= 3; v++) {
		snprintf(buf, sizeof(buf), table_json, v);
		req = parse(buf);
		tables[v - 1] = ice_table_new(req, "s3://b/t/", UUID, NOW - 5000,
		    &err);
		CHECK(tables[v - 1] != NULL);
		json_decref(req);
	}
	ups = parse(snapshots_json);
	tables[3] = ice_table_apply(tables[2], ups, BASE_FILE, NOW, &err);
	CHECK(tables[3] != NULL);
	json_decref(ups);
	req = parse(view_json);
	view = ice_view_new(req, "s3://b/v", UUID, NOW, &err);
	CHECK(view != NULL);
	json_decref(req);
}

static void
check_err(const struct ice_err *err)
{
	if (getenv("FUZZ_ICEBERG_VERBOSE") != NULL)
		fprintf(stderr, "rejected: %d %s %s\n", err->status, err->type,
		    err->msg);
	CHECK(err->status == 400 || err->status == 404 || err->status == 409 ||
	    (err->status == 500 && strcmp(err->msg, "out of memory") == 0));
	CHECK(err->type != NULL && err->type[0] != '\0');
	CHECK(memchr(err->msg, '\0', sizeof(err->msg)) != NULL);
	CHECK(err->msg[0] != '\0');
}

/* What the engine writes must read back as exactly itself. */
static void
check_table(const json_t *md)
{
	struct ice_err	 err;
	json_t		*again, *dropped;
	char		*text, *want, *name;

	again = ice_table_parse(md, &err);
	CHECK(again != NULL);
	CHECK(json_equal(again, md));
	json_decref(again);
	text = pgl_json_dump(md);
	CHECK(text != NULL);
	free(text);
	/* The metadata file's text: json_dumps' very bytes. */
	text = pgl_json_out(md, 17, NULL);
	want = json_dumps(md, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
	CHECK(text != NULL && want != NULL && strcmp(text, want) == 0);
	free(text);
	free(want);
	name = ice_table_metadata_location(md, BASE_FILE, UUID);
	CHECK(name != NULL);
	free(name);
	json_decref(ice_table_refs_only(md));
	again = json_deep_copy(md);
	dropped = ice_table_trim_log(again);
	CHECK(json_array_size(dropped) == 0);
	json_decref(dropped);
	json_decref(again);
}

static void
check_view(const json_t *md)
{
	struct ice_err	 err;
	json_t		*again;
	char		*name;

	again = ice_view_parse(md, &err);
	CHECK(again != NULL);
	CHECK(json_equal(again, md));
	json_decref(again);
	name = ice_view_metadata_location(md, NULL, UUID);
	CHECK(name != NULL);
	free(name);
}

static void
apply_table(const json_t *base, const json_t *in)
{
	struct ice_err	 err;
	json_t		*md;

	md = ice_table_apply(base, in, base ? BASE_FILE : NULL, NOW, &err);
	if (md == NULL) {
		check_err(&err);
		return;
	}
	if (!ice_table_unchanged(base, md))
		check_table(md);
	json_decref(md);
}

/* {"base": metadata, "updates": [...]}: both sides fuzzed. */
static void
apply_pair(const json_t *in)
{
	apply_table(json_object_get(in, "base"), json_object_get(in,
	    "updates"));
}

/*
 * A function's metadata (issue 70) holds what the UDF spec says: every
 * definition's current version among its versions, the log's times
 * never going back and each entry naming a version that exists.
 */
static void
check_function(const json_t *md)
{
	const json_t	*d, *v, *e, *r;
	size_t		 i, j, k;
	int64_t		 last = 0;
	int		 found;

	CHECK(json_integer_value(json_object_get(md, "format-version")) == 1);
	json_array_foreach(json_object_get(md, "definitions"), i, d) {
		found = 0;
		json_array_foreach(json_object_get(d, "versions"), j, v)
			found |= json_equal(json_object_get(v, "version-id"),
			    json_object_get(d, "current-version-id"));
		CHECK(found);
	}
	json_array_foreach(json_object_get(md, "definition-log"), i, e) {
		CHECK(json_integer_value(json_object_get(e,
		    "timestamp-ms")) >= last);
		last = json_integer_value(json_object_get(e, "timestamp-ms"));
		json_array_foreach(json_object_get(e, "definition-versions"),
		    j, r) {
			found = 0;
			json_array_foreach(json_object_get(md, "definitions"),
			    k, d)
				found |= json_equal(json_object_get(d,
				    "definition-id"), json_object_get(r,
				    "definition-id"));
			CHECK(found);
		}
	}
}

static void
function_calls(const json_t *in)
{
	struct ice_err	 err;
	json_t		*md, *next;
	char		*name;

	if ((md = ice_function_new(in, "s3://b/f", UUID, NOW, &err)) ==
	    NULL) {
		check_err(&err);
		return;
	}
	check_function(md);
	/* The same request again: a replace, one version more each. */
	if ((next = ice_function_replace(md, in, NOW - 1, &err)) == NULL)
		check_err(&err);
	else {
		check_function(next);
		json_decref(next);
	}
	name = ice_function_metadata_location(md, BASE_FILE, UUID);
	CHECK(name != NULL);
	free(name);
	json_decref(md);
}

static void
one(uint8_t mode, const json_t *in)
{
	struct ice_err	 err;
	json_t		*md;

	/* Low nibble: what to call; high bits: which fixture. */
	switch ((mode & 0x0f) % 10) {
	case 0:
		if ((md = ice_table_parse(in, &err)) == NULL) {
			check_err(&err);
			break;
		}
		check_table(md);
		json_decref(md);
		break;
	case 1:
		apply_table(tables[(mode >> 4) & 3], in);
		break;
	case 2:
		apply_table(NULL, in);
		break;
	case 3:
		if ((md = ice_table_new(in, "s3://b/n", UUID, NOW,
		    &err)) == NULL) {
			check_err(&err);
			break;
		}
		check_table(md);
		json_decref(md);
		break;
	case 4:
		if (ice_table_check(mode & 0x80 ? NULL : tables[3], in,
		    &err) == -1)
			check_err(&err);
		break;
	case 5:
		if ((md = ice_view_apply(view, in, NULL, NOW, &err)) == NULL) {
			check_err(&err);
			break;
		}
		if (!ice_view_unchanged(view, md))
			check_view(md);
		json_decref(md);
		break;
	case 6:
		if ((md = ice_view_new(in, "s3://b/v", UUID, NOW, &err)) ==
		    NULL) {
			check_err(&err);
			break;
		}
		check_view(md);
		json_decref(md);
		break;
	case 7:
		if ((md = ice_view_parse(in, &err)) == NULL) {
			check_err(&err);
			break;
		}
		check_view(md);
		json_decref(md);
		if (ice_view_check(in, in, &err) == -1)
			check_err(&err);
		break;
	case 8:
		apply_pair(in);
		break;
	case 9:
		function_calls(in);
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t	*in;
	char	 why[128], *name, *loc;

	if (tables[0] == NULL)
		init();
	if (size < 1)
		return (0);
	in = pgl_json_parse(data + 1, size - 1, why, sizeof(why));
	if (in == NULL) {
		/* Not JSON: still a metadata location to number. */
		if ((loc = strndup((const char *)data + 1, size - 1)) == NULL)
			return (0);
		name = ice_metadata_file_name(loc, UUID, data[0] & 1);
		CHECK(name != NULL && strstr(name, ".metadata.json") != NULL);
		free(name);
		free(loc);
		return (0);
	}
	one(data[0], in);
	json_decref(in);
	return (0);
}
