/*
 * libFuzzer target for the TOML reader: parse, walk every value through
 * every accessor, check the tree is self-consistent, free.
 *
 * clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *     tests/fuzz/fuzz_toml.c src/config/toml.c -o /tmp/fuzz_toml
 * /tmp/fuzz_toml -max_len=4096 corpus-copy/ tests/fuzz/corpus/toml/
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/toml.h"

#define CHECK(x)	do { if (!(x)) __builtin_trap(); } while (0)

static const struct toml_value	*root;

/*
 * path is the dotted path from the root, valid while every key on the
 * way was non-empty and dot-free; then toml_get_path() must find v.
 */
static void
walk(const struct toml_value *v, char *path, size_t len, int addressable,
    int depth)
{
	const struct toml_value	*child;
	const char		*key, *s;
	size_t			 i, n, klen;
	int64_t			 num;
	int			 b, is_str, is_int, is_bool;

	CHECK(v != NULL);
	CHECK(depth <= TOML_MAX_DEPTH + 1);
	CHECK(toml_line(v) >= 1);
	CHECK(strcmp(toml_type_name(toml_type(v)), "unknown") != 0);
	if (addressable && len > 0)
		CHECK(toml_get_path(root, path) == v);

	s = toml_str(v);
	is_str = s != NULL;
	is_int = toml_int(v, &num) == 0;
	is_bool = toml_bool(v, &b) == 0;
	CHECK(is_str == (toml_type(v) == TOML_STRING));
	CHECK(is_int == (toml_type(v) == TOML_INT));
	CHECK(is_bool == (toml_type(v) == TOML_BOOL));
	if (is_str)
		(void)strlen(s);
	if (is_bool)
		CHECK(b == 0 || b == 1);

	n = toml_count(v);
	if (toml_type(v) != TOML_TABLE && toml_type(v) != TOML_ARRAY)
		CHECK(n == 0);
	CHECK(toml_value_at(v, n) == NULL);
	CHECK(toml_key_at(v, n) == NULL);
	for (i = 0; i < n; i++) {
		child = toml_value_at(v, i);
		key = toml_key_at(v, i);
		CHECK(child != NULL);
		if (toml_type(v) == TOML_ARRAY) {
			CHECK(key == NULL);
			walk(child, path, len, 0, depth + 1);
			continue;
		}
		CHECK(key != NULL);
		CHECK(toml_get(v, key) == child);	/* keys are unique */
		klen = strlen(key);
		if (addressable && klen > 0 && strchr(key, '.') == NULL &&
		    len + klen + 2 < 8192) {
			if (len > 0)
				path[len] = '.';
			memcpy(path + len + (len > 0), key, klen + 1);
			walk(child, path, len + (len > 0) + klen, 1,
			    depth + 1);
			path[len] = '\0';
		} else
			walk(child, path, len, 0, depth + 1);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct toml_error	 err;
	struct toml_value	*v;
	char			*path, probe[64];
	size_t			 n;

	v = toml_parse((const char *)data, size, &err);
	if (v == NULL) {
		CHECK(err.line >= 0);
		CHECK(memchr(err.key, '\0', sizeof(err.key)) != NULL);
		CHECK(memchr(err.reason, '\0', sizeof(err.reason)) != NULL);
		CHECK(err.reason[0] != '\0');
		return (0);
	}
	CHECK(toml_type(v) == TOML_TABLE);
	if ((path = calloc(1, 8192)) == NULL)
		return (0);
	root = v;
	walk(v, path, 0, 1, 0);
	free(path);

	/* Arbitrary lookups must miss or hit, never misbehave. */
	n = size < sizeof(probe) - 1 ? size : sizeof(probe) - 1;
	memcpy(probe, data, n);
	probe[n] = '\0';
	(void)toml_get(v, probe);
	(void)toml_get_path(v, probe);
	toml_free(v);

	return (0);
}
