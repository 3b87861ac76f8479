/*
 * libFuzzer target for REST filters bound to a schema (expr*.c) and the
 * single values under them (value*.c).  The first byte picks the mode:
 *
 *   even: the rest is a filter (JSON) bound to a fixed schema holding
 *         every primitive type, a nested struct, a list and a map (bit 1:
 *         case-insensitive).  It must bind or fail with a 400 naming the
 *         problem; a bound filter written back as JSON must bind again
 *         to an expression that writes the same JSON.
 *   odd:  the rest is Appendix D bytes for the type the second byte
 *         picks; a value decoded must encode to bytes that decode to an
 *         equal value, and its JSON must read back as an equal value.
 *
 * clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *     -Iinclude -Isrc tests/fuzz/fuzz_scan_expr.c src/iceberg/value*.c \
 *     src/iceberg/expr*.c src/iceberg/err.c src/iceberg/types.c \
 *     src/util/arena.c -ljansson -lm -o /tmp/fuzz_scan_expr
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iceberg/scan.h"
#include "util/arena.h"

#define CHECK(x)	do { if (!(x)) __builtin_trap(); } while (0)

static const char schema_text[] =
    "{\"type\":\"struct\",\"fields\":["
    "{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"long\"},"
    "{\"id\":2,\"name\":\"i\",\"required\":false,\"type\":\"int\"},"
    "{\"id\":3,\"name\":\"b\",\"required\":false,\"type\":\"boolean\"},"
    "{\"id\":4,\"name\":\"f\",\"required\":false,\"type\":\"float\"},"
    "{\"id\":5,\"name\":\"d\",\"required\":false,\"type\":\"double\"},"
    "{\"id\":6,\"name\":\"dec\",\"required\":false,"
    "\"type\":\"decimal(9, 2)\"},"
    "{\"id\":7,\"name\":\"big\",\"required\":false,"
    "\"type\":\"decimal(38, 10)\"},"
    "{\"id\":8,\"name\":\"day\",\"required\":false,\"type\":\"date\"},"
    "{\"id\":9,\"name\":\"t\",\"required\":false,\"type\":\"time\"},"
    "{\"id\":10,\"name\":\"ts\",\"required\":false,\"type\":\"timestamp\"},"
    "{\"id\":11,\"name\":\"tz\",\"required\":false,"
    "\"type\":\"timestamptz\"},"
    "{\"id\":12,\"name\":\"ns\",\"required\":false,"
    "\"type\":\"timestamp_ns\"},"
    "{\"id\":13,\"name\":\"tzns\",\"required\":false,"
    "\"type\":\"timestamptz_ns\"},"
    "{\"id\":14,\"name\":\"s\",\"required\":false,\"type\":\"string\"},"
    "{\"id\":15,\"name\":\"u\",\"required\":false,\"type\":\"uuid\"},"
    "{\"id\":16,\"name\":\"fx\",\"required\":false,\"type\":\"fixed[3]\"},"
    "{\"id\":17,\"name\":\"bin\",\"required\":false,\"type\":\"binary\"},"
    "{\"id\":18,\"name\":\"st\",\"required\":true,\"type\":{\"type\":"
    "\"struct\",\"fields\":[{\"id\":19,\"name\":\"x\",\"required\":true,"
    "\"type\":\"int\"},{\"id\":20,\"name\":\"y\",\"required\":false,"
    "\"type\":\"string\"}]}},"
    "{\"id\":21,\"name\":\"l\",\"required\":false,\"type\":{\"type\":"
    "\"list\",\"element-id\":22,\"element\":\"int\","
    "\"element-required\":false}},"
    "{\"id\":23,\"name\":\"m\",\"required\":false,\"type\":{\"type\":"
    "\"map\",\"key-id\":24,\"key\":\"string\",\"value-id\":25,"
    "\"value\":\"int\",\"value-required\":false}},"
    "{\"id\":26,\"name\":\"v\",\"required\":false,\"type\":\"variant\"}"
    "]}";

static const char *const	types[] = {
	"boolean", "int", "long", "float", "double", "decimal(9, 2)",
	"decimal(38, 10)", "date", "time", "timestamp", "timestamptz",
	"timestamp_ns", "timestamptz_ns", "string", "uuid", "fixed[3]",
	"binary"
};

static json_t	*schema;

static void
filter(const uint8_t *data, size_t size, int cs)
{
	struct pgl_arena	*a = pgl_arena_new();
	struct ice_err		 e;
	struct ice_expr		*x, *y;
	json_t			*f, *j1, *j2;

	CHECK(a != NULL);
	f = json_loadb((const char *)data, size, JSON_DECODE_ANY |
	    JSON_ALLOW_NUL, NULL);
	if (f == NULL) {
		pgl_arena_free(a);
		return;
	}
	x = ice_expr_bind(a, f, schema, cs, &e);
	if (x == NULL) {
		CHECK(e.status == 400 && e.type != NULL && e.msg[0] != '\0');
		if (getenv("FUZZ_SCAN_EXPR_VERBOSE") != NULL)
			fprintf(stderr, "refused: %s\n", e.msg);
	} else {
		CHECK(x->op != ICE_OP_NOT);
		CHECK((j1 = ice_expr_to_json(x)) != NULL);
		y = ice_expr_bind(a, j1, schema, 1, &e);
		CHECK(y != NULL);
		CHECK((j2 = ice_expr_to_json(y)) != NULL);
		CHECK(json_equal(j1, j2));
		json_decref(j1);
		json_decref(j2);
	}
	json_decref(f);
	pgl_arena_free(a);
}

static void
value(const uint8_t *data, size_t size)
{
	struct pgl_arena	*a;
	struct ice_type		 t;
	struct ice_value	 v, w;
	json_t			*tj, *j;
	const void		*buf;
	size_t			 len;

	if (size < 1)
		return;
	tj = json_string(types[data[0] % (sizeof(types) / sizeof(types[0]))]);
	CHECK(ice_type_parse(tj, &t) == 0);
	json_decref(tj);
	if (ice_value_decode(&t, data + 1, size - 1, &v) != 0)
		return;
	CHECK((a = pgl_arena_new()) != NULL);
	CHECK(ice_value_encode(a, &v, &t, &buf, &len) == 0);
	CHECK(ice_value_decode(&t, buf, len, &w) == 0);
	CHECK(ice_value_cmp(&v, &w) == 0);
	/*
	 * Bytes may hold what no JSON literal may: a time past midnight,
	 * a string that is not UTF-8 (no JSON form); a decimal wider than
	 * its precision, a fixed bound truncated short (refused on the way
	 * back in).  Everything else reads back as itself.
	 */
	if ((j = ice_value_to_json(&v, &t)) == NULL) {
		CHECK(t.id == ICE_T_TIME || t.id == ICE_T_STRING);
	} else {
		if (ice_value_from_json(a, &t, j, &w, NULL) == 0)
			CHECK(ice_value_cmp(&v, &w) == 0);
		else
			CHECK(t.id == ICE_T_DECIMAL || t.id == ICE_T_FIXED);
		json_decref(j);
	}
	pgl_arena_free(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (schema == NULL)
		CHECK((schema = json_loads(schema_text, 0, NULL)) != NULL);
	if (size < 1)
		return (0);
	if (data[0] & 1)
		value(data + 1, size - 1);
	else
		filter(data + 1, size - 1, !(data[0] & 2));
	return (0);
}
