/*
 * Unit tests for the TOML reader (src/config/toml.c).
 *
 * cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g \
 *     -fsanitize=address,undefined -fno-omit-frame-pointer -Isrc \
 *     tests/unit/test_toml.c src/config/toml.c -lcmocka -o /tmp/test_toml
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/toml.h"

static struct toml_value *
parse_ok_n(const char *src, size_t len)
{
	struct toml_error	 err;
	struct toml_value	*root;

	if ((root = toml_parse(src, len, &err)) == NULL)
		fail_msg("rejected at line %d key '%s': %s\n--\n%.*s",
		    err.line, err.key, err.reason, (int)len, src);

	return (root);
}

static struct toml_value *
parse_ok(const char *src)
{
	return (parse_ok_n(src, strlen(src)));
}

/* Rejects src at line with key (NULL: any) and a reason holding why. */
static void
rejects_n(const char *src, size_t len, int line, const char *key,
    const char *why)
{
	struct toml_error	 err;
	struct toml_value	*root;

	if ((root = toml_parse(src, len, &err)) != NULL) {
		toml_free(root);
		fail_msg("accepted:\n%.*s", (int)len, src);
	}
	if (err.line != line || (key != NULL && strcmp(err.key, key) != 0) ||
	    strstr(err.reason, why) == NULL)
		fail_msg("got line %d key '%s' reason '%s'; want line %d "
		    "key '%s' reason containing '%s'\n--\n%.*s", err.line,
		    err.key, err.reason, line, key ? key : "*", why,
		    (int)len, src);
}

static void
rejects(const char *src, int line, const char *key, const char *why)
{
	rejects_n(src, strlen(src), line, key, why);
}

static int64_t
int_at(const struct toml_value *root, const char *path)
{
	int64_t		v;

	if (toml_int(toml_get_path(root, path), &v) == -1)
		fail_msg("%s is not an integer", path);

	return (v);
}

static const char *
str_at(const struct toml_value *root, const char *path)
{
	const char	*s;

	if ((s = toml_str(toml_get_path(root, path))) == NULL)
		fail_msg("%s is not a string", path);

	return (s);
}

/* "[[[...]]]" or "{a={a=...}}" nested n deep, as "x = ...". */
static char *
nested(int n, int arrays)
{
	char	*s;
	int	 i, o = 0;

	s = malloc(8 + n * 4 + 1);
	assert_non_null(s);
	o += sprintf(s, "x = ");
	for (i = 0; i < n; i++)
		o += sprintf(s + o, "%s", arrays ? "[" : "{a=");
	o += sprintf(s + o, "1");
	for (i = 0; i < n; i++)
		o += sprintf(s + o, "%s", arrays ? "]" : "}");

	return (s);
}

/* "a.a.a...= 1" (or "[a.a...]" for headers) with n parts. */
static char *
long_key(int n, int header)
{
	char	*s;
	int	 i, o = 0;

	s = malloc(n * 2 + 16);
	assert_non_null(s);
	if (header)
		s[o++] = '[';
	for (i = 0; i < n; i++)
		o += sprintf(s + o, "%sa", i ? "." : "");
	sprintf(s + o, "%s", header ? "]\n" : " = 1\n");

	return (s);
}

/* ---- accepted constructs ---- */

static void
test_empty_input_is_an_empty_table(void **state)
{
	struct toml_value	*root;

	(void)state;
	root = parse_ok_n(NULL, 0);
	assert_int_equal(toml_type(root), TOML_TABLE);
	assert_int_equal(toml_count(root), 0);
	toml_free(root);

	root = parse_ok("\n\n   \t\n# only a comment\n");
	assert_int_equal(toml_count(root), 0);
	toml_free(root);
}

static void
test_comments_and_blank_lines_are_ignored(void **state)
{
	struct toml_value	*root;

	(void)state;
	root = parse_ok("# top\n\n  a = 1 # trailing\n[t] # after header\n"
	    "  # indented\nb = \"#not a comment\"\n# last, no newline");
	assert_int_equal(int_at(root, "a"), 1);
	assert_string_equal(str_at(root, "t.b"), "#not a comment");
	assert_int_equal(toml_count(root), 2);
	toml_free(root);
}

static void
test_bare_keys_allow_letters_digits_dash_underscore(void **state)
{
	struct toml_value	*root;

	(void)state;
	root = parse_ok("key = 1\nbare_key = 2\nbare-key = 3\n1234 = 4\n"
	    "-_- = 5\n");
	assert_int_equal(int_at(root, "key"), 1);
	assert_int_equal(int_at(root, "bare_key"), 2);
	assert_int_equal(int_at(root, "bare-key"), 3);
	assert_int_equal(int_at(root, "1234"), 4);
	assert_int_equal(int_at(root, "-_-"), 5);
	toml_free(root);
}

static void
test_quoted_keys_may_hold_any_character(void **state)
{
	struct toml_value	*root;
	int64_t			 v;

	(void)state;
	root = parse_ok("\"a.b\" = 1\n'x y' = 2\n\"\" = 3\n\"\\u00e9\" = 4\n");
	assert_int_equal(toml_count(root), 4);
	assert_int_equal(toml_int(toml_get(root, "a.b"), &v), 0);
	assert_int_equal(v, 1);
	/* a dotted lookup splits on the dot, so it cannot see "a.b" */
	assert_null(toml_get_path(root, "a.b"));
	assert_int_equal(int_at(root, "x y"), 2);
	assert_int_equal(toml_int(toml_get(root, ""), &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(int_at(root, "\xc3\xa9"), 4);
	toml_free(root);
}

static void
test_dotted_key_creates_nested_table(void **state)
{
	struct toml_value	*root;
	const struct toml_value	*a;

	(void)state;
	root = parse_ok("a.b.c = 1\na.b.d = 2\na.e = \"x\"\n");
	a = toml_get(root, "a");
	assert_non_null(a);
	assert_int_equal(toml_type(a), TOML_TABLE);
	assert_int_equal(toml_count(a), 2);
	assert_int_equal(toml_type(toml_get(a, "b")), TOML_TABLE);
	assert_int_equal(int_at(root, "a.b.c"), 1);
	assert_int_equal(int_at(root, "a.b.d"), 2);
	assert_string_equal(str_at(root, "a.e"), "x");
	toml_free(root);
}

static void
test_whitespace_around_key_dots_is_ignored(void **state)
{
	struct toml_value	*root;

	(void)state;
	root = parse_ok("a . b\t.\"c\" = 1\n[ x . y ]\nz=2\n");
	assert_int_equal(int_at(root, "a.b.c"), 1);
	assert_int_equal(int_at(root, "x.y.z"), 2);
	toml_free(root);
}

static void
test_table_header_collects_following_keys(void **state)
{
	struct toml_value	*root;

	(void)state;
	root = parse_ok("top = 0\n[server]\nbind = \"h\"\nport = 1\n[other]\n"
	    "port = 2\n");
	assert_int_equal(int_at(root, "top"), 0);
	assert_string_equal(str_at(root, "server.bind"), "h");
	assert_int_equal(int_at(root, "server.port"), 1);
	assert_int_equal(int_at(root, "other.port"), 2);
	assert_int_equal(toml_count(toml_get(root, "server")), 2);
	toml_free(root);
}

static void
test_dotted_header_creates_implicit_parents(void **state)
{
	struct toml_value	*root;

	(void)state;
	root = parse_ok("[a.b.c]\nx = 1\n");
	assert_int_equal(toml_type(toml_get(root, "a")), TOML_TABLE);
	assert_int_equal(toml_type(toml_get_path(root, "a.b")), TOML_TABLE);
	assert_int_equal(int_at(root, "a.b.c.x"), 1);
	toml_free(root);
}

static void
test_implicit_table_may_be_defined_once_later(void **state)
{
	struct toml_value	*root;

	(void)state;
	root = parse_ok("[a.b]\nx = 1\n[a]\ny = 2\n[a.c]\nz = 3\n");
	assert_int_equal(int_at(root, "a.b.x"), 1);
	assert_int_equal(int_at(root, "a.y"), 2);
	assert_int_equal(int_at(root, "a.c.z"), 3);
	assert_int_equal(toml_line(toml_get(root, "a")), 3);
	toml_free(root);
}

static void
test_header_may_add_subtable_to_dotted_table(void **state)
{
	struct toml_value	*root;

	(void)state;
	/* The example from the spec's "Table" section. */
	root = parse_ok("[fruit]\napple.color = \"red\"\n"
	    "apple.taste.sweet = true\n[fruit.apple.texture]\nsmooth = true\n");
	assert_string_equal(str_at(root, "fruit.apple.color"), "red");
	assert_non_null(toml_get_path(root, "fruit.apple.taste.sweet"));
	assert_non_null(toml_get_path(root, "fruit.apple.texture.smooth"));
	toml_free(root);
}

static void
test_keys_keep_definition_order(void **state)
{
	struct toml_value	*root;
	const struct toml_value	*t;

	(void)state;
	root = parse_ok("[t]\nzeta = 1\nalpha = 2\nmid.x = 3\nbeta = 4\n");
	t = toml_get(root, "t");
	assert_int_equal(toml_count(t), 4);
	assert_string_equal(toml_key_at(t, 0), "zeta");
	assert_string_equal(toml_key_at(t, 1), "alpha");
	assert_string_equal(toml_key_at(t, 2), "mid");
	assert_string_equal(toml_key_at(t, 3), "beta");
	assert_ptr_equal(toml_value_at(t, 1), toml_get(t, "alpha"));
	toml_free(root);
}

static void
test_basic_string_escapes_are_decoded(void **state)
{
	struct toml_value	*root;

	(void)state;
	root = parse_ok("s = \"q\\\" b\\\\ n\\n t\\t r\\r b\\b f\\f\"\n");
	assert_string_equal(str_at(root, "s"), "q\" b\\ n\n t\t r\r b\b f\f");
	toml_free(root);
}

static void
test_unicode_escapes_are_encoded_as_utf8(void **state)
{
	struct toml_value	*root;

	(void)state;
	root = parse_ok("a = \"\\u0041\\u00e9\\u20AC\"\nb = \"\\U0001F600\"\n"
	    "c = \"\\U0010FFFF\\uD7FF\\uE000\"\n");
	assert_string_equal(str_at(root, "a"), "A\xc3\xa9\xe2\x82\xac");
	assert_string_equal(str_at(root, "b"), "\xf0\x9f\x98\x80");
	assert_string_equal(str_at(root, "c"),
	    "\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80");
	toml_free(root);
}

static void
test_literal_string_keeps_backslashes(void **state)
{
	struct toml_value	*root;

	(void)state;
	root = parse_ok("path = 'C:\\Users\\n\\u0000'\nq = '\"'\ne = ''\n");
	assert_string_equal(str_at(root, "path"), "C:\\Users\\n\\u0000");
	assert_string_equal(str_at(root, "q"), "\"");
	assert_string_equal(str_at(root, "e"), "");
	toml_free(root);
}

static void
test_raw_utf8_and_tabs_are_kept_in_strings(void **state)
{
	struct toml_value	*root;

	(void)state;
	root = parse_ok("a = \"caf\xc3\xa9\t\xf0\x9f\x98\x80\" # \xe2\x82\xac\t\n"
	    "b = 'tab\there'\n");
	assert_string_equal(str_at(root, "a"), "caf\xc3\xa9\t\xf0\x9f\x98\x80");
	assert_string_equal(str_at(root, "b"), "tab\there");
	toml_free(root);
}

static void
test_decimal_integers_allow_sign_and_underscores(void **state)
{
	struct toml_value	*root;

	(void)state;
	root = parse_ok("a = 42\nb = +17\nc = -5\nd = 0\ne = -0\nf = +0\n"
	    "g = 1_000_000\nh = 5_3_4\n");
	assert_int_equal(int_at(root, "a"), 42);
	assert_int_equal(int_at(root, "b"), 17);
	assert_int_equal(int_at(root, "c"), -5);
	assert_int_equal(int_at(root, "d"), 0);
	assert_int_equal(int_at(root, "e"), 0);
	assert_int_equal(int_at(root, "f"), 0);
	assert_int_equal(int_at(root, "g"), 1000000);
	assert_int_equal(int_at(root, "h"), 534);
	toml_free(root);
}

static void
test_hex_octal_binary_integers(void **state)
{
	struct toml_value	*root;

	(void)state;
	root = parse_ok("a = 0xDEADbeef\nb = 0xdead_beef\nc = 0o755\n"
	    "d = 0b1101_0110\ne = 0x0000_0001\nf = 0xE\n");
	assert_int_equal(int_at(root, "a"), 0xdeadbeef);
	assert_int_equal(int_at(root, "b"), 0xdeadbeef);
	assert_int_equal(int_at(root, "c"), 0755);
	assert_int_equal(int_at(root, "d"), 0xd6);
	assert_int_equal(int_at(root, "e"), 1);
	assert_int_equal(int_at(root, "f"), 14);
	toml_free(root);
}

static void
test_int64_bounds_are_accepted(void **state)
{
	struct toml_value	*root;

	(void)state;
	root = parse_ok("max = 9223372036854775807\n"
	    "min = -9223372036854775808\n"
	    "hex = 0x7FFFFFFFFFFFFFFF\n"
	    "oct = 0o777777777777777777777\n"
	    "bin = 0b111111111111111111111111111111111111111111111111111111111"
	    "111111\nsep = 9_223_372_036_854_775_807\n");
	assert_true(int_at(root, "max") == INT64_MAX);
	assert_true(int_at(root, "min") == INT64_MIN);
	assert_true(int_at(root, "hex") == INT64_MAX);
	assert_true(int_at(root, "oct") == INT64_MAX);
	assert_true(int_at(root, "bin") == INT64_MAX);
	assert_true(int_at(root, "sep") == INT64_MAX);
	toml_free(root);
}

static void
test_booleans(void **state)
{
	struct toml_value	*root;
	int			 b;

	(void)state;
	root = parse_ok("t = true\nf = false\n");
	assert_int_equal(toml_bool(toml_get(root, "t"), &b), 0);
	assert_int_equal(b, 1);
	assert_int_equal(toml_bool(toml_get(root, "f"), &b), 0);
	assert_int_equal(b, 0);
	toml_free(root);
}

static void
test_array_of_scalars_keeps_order(void **state)
{
	struct toml_value	*root;
	const struct toml_value	*a;
	int64_t			 v;

	(void)state;
	root = parse_ok("a = [ 1, 2,3 ]\n");
	a = toml_get(root, "a");
	assert_int_equal(toml_type(a), TOML_ARRAY);
	assert_int_equal(toml_count(a), 3);
	assert_int_equal(toml_int(toml_value_at(a, 2), &v), 0);
	assert_int_equal(v, 3);
	assert_null(toml_key_at(a, 0));
	assert_null(toml_value_at(a, 3));
	toml_free(root);
}

static void
test_multiline_array_allows_comments_and_trailing_comma(void **state)
{
	struct toml_value	*root;
	const struct toml_value	*a;

	(void)state;
	root = parse_ok("a = [\n  \"x\", # first\n\n  # alone\n  'y',\n]\n"
	    "b = [\n]\nc = [1,]\n");
	a = toml_get(root, "a");
	assert_int_equal(toml_count(a), 2);
	assert_string_equal(toml_str(toml_value_at(a, 0)), "x");
	assert_string_equal(toml_str(toml_value_at(a, 1)), "y");
	assert_int_equal(toml_line(toml_value_at(a, 1)), 5);
	assert_int_equal(toml_count(toml_get(root, "b")), 0);
	assert_int_equal(toml_count(toml_get(root, "c")), 1);
	toml_free(root);
}

static void
test_arrays_may_nest_and_mix_types(void **state)
{
	struct toml_value	*root;
	const struct toml_value	*a, *inner;

	(void)state;
	root = parse_ok("a = [[1, 2], [\"a\", ['b']], true, {k = 1}, []]\n");
	a = toml_get(root, "a");
	assert_int_equal(toml_count(a), 5);
	inner = toml_value_at(toml_value_at(a, 1), 1);
	assert_int_equal(toml_type(inner), TOML_ARRAY);
	assert_string_equal(toml_str(toml_value_at(inner, 0)), "b");
	assert_int_equal(toml_type(toml_value_at(a, 2)), TOML_BOOL);
	assert_int_equal(toml_type(toml_value_at(a, 3)), TOML_TABLE);
	assert_non_null(toml_get(toml_value_at(a, 3), "k"));
	assert_int_equal(toml_count(toml_value_at(a, 4)), 0);
	toml_free(root);
}

static void
test_inline_table_holds_keys_and_dotted_keys(void **state)
{
	struct toml_value	*root;

	(void)state;
	root = parse_ok("o = { max = 10_000, name = \"x\", sub.k = true, "
	    "in = { deep = [1, 2] } }\ne = {}\n");
	assert_int_equal(int_at(root, "o.max"), 10000);
	assert_string_equal(str_at(root, "o.name"), "x");
	assert_int_equal(toml_type(toml_get_path(root, "o.sub.k")), TOML_BOOL);
	assert_int_equal(toml_count(toml_get_path(root, "o.in.deep")), 2);
	assert_int_equal(toml_type(toml_get(root, "e")), TOML_TABLE);
	assert_int_equal(toml_count(toml_get(root, "e")), 0);
	toml_free(root);
}

static void
test_array_inside_inline_table_may_span_lines(void **state)
{
	struct toml_value	*root;

	(void)state;
	root = parse_ok("o = { a = [\n 1,\n 2,\n], b = 3 }\nnext = 4\n");
	assert_int_equal(toml_count(toml_get_path(root, "o.a")), 2);
	assert_int_equal(int_at(root, "o.b"), 3);
	assert_int_equal(toml_line(toml_get(root, "next")), 5);
	toml_free(root);
}

static void
test_crlf_line_endings_are_accepted(void **state)
{
	struct toml_value	*root;

	(void)state;
	root = parse_ok("# c\r\n[t]\r\na = [\r\n 1,\r\n]\r\nb = 2 # x\r\n");
	assert_int_equal(int_at(root, "t.b"), 2);
	assert_int_equal(toml_line(toml_get_path(root, "t.b")), 6);
	toml_free(root);
}

static void
test_utf8_byte_order_mark_is_skipped(void **state)
{
	struct toml_value	*root;

	(void)state;
	root = parse_ok("\xef\xbb\xbf" "a = 1\n");
	assert_int_equal(int_at(root, "a"), 1);
	toml_free(root);
}

static void
test_realistic_pangolin_config(void **state)
{
	struct toml_value	*root;
	const struct toml_value	*tags;
	int			 b;

	(void)state;
	root = parse_ok(
	    "# Pangolin config\n"
	    "[server]\n"
	    "bind = \"127.0.0.1\"\n"
	    "port = 8080\n"
	    "workers = 2\n"
	    "[store]\n"
	    "plugin = \"store-sqlite\"\n"
	    "[store.options]\n"
	    "path = \"./data/pangolin.db\"\n"
	    "[cache]\n"
	    "plugin = \"cache\"\n"
	    "options = { max_entries = 10_000, ttl_secs = 300 }\n"
	    "[tasks]\n"
	    "enabled = true\n"
	    "tags = [\"a\", \"b\",]\n");
	assert_int_equal(toml_count(root), 4);
	assert_string_equal(toml_key_at(root, 0), "server");
	assert_string_equal(toml_key_at(root, 3), "tasks");
	assert_string_equal(str_at(root, "server.bind"), "127.0.0.1");
	assert_int_equal(int_at(root, "server.port"), 8080);
	assert_int_equal(int_at(root, "server.workers"), 2);
	assert_string_equal(str_at(root, "store.plugin"), "store-sqlite");
	assert_string_equal(str_at(root, "store.options.path"),
	    "./data/pangolin.db");
	assert_string_equal(str_at(root, "cache.plugin"), "cache");
	assert_int_equal(int_at(root, "cache.options.max_entries"), 10000);
	assert_int_equal(int_at(root, "cache.options.ttl_secs"), 300);
	assert_int_equal(toml_bool(toml_get_path(root, "tasks.enabled"), &b), 0);
	assert_true(b);
	tags = toml_get_path(root, "tasks.tags");
	assert_int_equal(toml_count(tags), 2);
	assert_string_equal(toml_str(toml_value_at(tags, 1)), "b");
	assert_int_equal(toml_line(toml_get(root, "store")), 6);
	assert_int_equal(toml_line(toml_get_path(root, "store.options")), 8);
	assert_int_equal(toml_line(toml_get_path(root, "cache.options")), 12);
	toml_free(root);
}

static void
test_nesting_up_to_the_limit_is_accepted(void **state)
{
	struct toml_value	*root;
	char			*s;

	(void)state;
	s = nested(TOML_MAX_DEPTH, 1);
	root = parse_ok(s);
	toml_free(root);
	free(s);

	s = nested(TOML_MAX_DEPTH, 0);
	root = parse_ok(s);
	toml_free(root);
	free(s);

	/* 32 tables and the value */
	s = long_key(TOML_MAX_DEPTH + 1, 0);
	root = parse_ok(s);
	toml_free(root);
	free(s);

	s = long_key(TOML_MAX_DEPTH, 1);
	root = parse_ok(s);
	toml_free(root);
	free(s);
}

/* ---- accessors ---- */

static void
test_get_path_walks_tables_and_misses_cleanly(void **state)
{
	struct toml_value	*root;

	(void)state;
	root = parse_ok("[a.b]\nc = 1\nlist = [1]\n");
	assert_ptr_equal(toml_get_path(root, "a.b"),
	    toml_get(toml_get(root, "a"), "b"));
	assert_ptr_equal(toml_get_path(root, "a"), toml_get(root, "a"));
	assert_null(toml_get_path(root, "a.x"));
	assert_null(toml_get_path(root, "a.b.c.d"));
	assert_null(toml_get_path(root, "a.b.list.0"));
	assert_null(toml_get_path(root, "a..b"));
	assert_null(toml_get_path(root, ""));
	assert_null(toml_get_path(root, "a."));
	assert_null(toml_get_path(root, NULL));
	assert_null(toml_get_path(NULL, "a"));
	assert_null(toml_get(root, NULL));
	assert_null(toml_get(NULL, "a"));
	assert_null(toml_get(toml_get_path(root, "a.b.c"), "x"));
	toml_free(root);
}

static void
test_accessors_reject_wrong_type_and_null(void **state)
{
	struct toml_value	*root;
	const struct toml_value	*s, *i;
	int64_t			 n = 7;
	int			 b = 7;

	(void)state;
	root = parse_ok("s = \"x\"\ni = 1\n");
	s = toml_get(root, "s");
	i = toml_get(root, "i");
	assert_null(toml_str(i));
	assert_null(toml_str(NULL));
	assert_int_equal(toml_int(s, &n), -1);
	assert_int_equal(toml_int(NULL, &n), -1);
	assert_int_equal(toml_bool(i, &b), -1);
	assert_int_equal(toml_bool(NULL, &b), -1);
	assert_int_equal(n, 7);
	assert_int_equal(b, 7);
	assert_int_equal(toml_count(s), 0);
	assert_int_equal(toml_count(NULL), 0);
	assert_null(toml_key_at(s, 0));
	assert_null(toml_key_at(root, 2));
	assert_null(toml_key_at(NULL, 0));
	assert_null(toml_value_at(i, 0));
	assert_null(toml_value_at(NULL, 0));
	assert_int_equal(toml_line(NULL), 0);
	toml_free(root);
	toml_free(NULL);
}

static void
test_type_names_are_human_readable(void **state)
{
	(void)state;
	assert_string_equal(toml_type_name(TOML_STRING), "string");
	assert_string_equal(toml_type_name(TOML_INT), "integer");
	assert_string_equal(toml_type_name(TOML_BOOL), "boolean");
	assert_string_equal(toml_type_name(TOML_ARRAY), "array");
	assert_string_equal(toml_type_name(TOML_TABLE), "table");
	assert_string_equal(toml_type_name((enum toml_type)99), "unknown");
}

static void
test_values_remember_their_line(void **state)
{
	struct toml_value	*root;

	(void)state;
	root = parse_ok("\n\na = 1\n\n[t]\nb.c = 2\n");
	assert_int_equal(toml_line(root), 1);
	assert_int_equal(toml_line(toml_get(root, "a")), 3);
	assert_int_equal(toml_line(toml_get(root, "t")), 5);
	assert_int_equal(toml_line(toml_get_path(root, "t.b")), 6);
	assert_int_equal(toml_line(toml_get_path(root, "t.b.c")), 6);
	toml_free(root);
}

/* ---- rejections ---- */

static void
test_float_is_rejected_with_reason(void **state)
{
	static const char	*floats[] = {
		"x = 1.5", "x = -0.0", "x = 1e5", "x = 5E+22", "x = 6.626e-34",
		"x = 1_000.000_1", "x = inf", "x = +inf", "x = -inf",
		"x = nan", "x = +nan", "x = [1, 2.5]", "x = { a = 3.0 }",
	};
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(floats) / sizeof(floats[0]); i++)
		rejects(floats[i], 1, NULL, "floats are not supported");
}

static void
test_dates_and_times_are_rejected_with_reason(void **state)
{
	static const char	*dates[] = {
		"d = 1979-05-27", "d = 1979-05-27T07:32:00Z",
		"d = 1979-05-27 07:32:00", "d = 1979-05-27T00:32:00-07:00",
		"d = 07:32:00", "d = 00:32:00.999999",
	};
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(dates) / sizeof(dates[0]); i++)
		rejects(dates[i], 1, "d", "dates and times are not supported");
}

static void
test_multiline_strings_are_rejected_with_reason(void **state)
{
	(void)state;
	rejects("s = \"\"\"\nhello\"\"\"\n", 1, "s",
	    "multi-line strings are not supported");
	rejects("s = '''\nhello'''\n", 1, "s",
	    "multi-line strings are not supported");
	rejects("\"\"\"k\"\"\" = 1\n", 1, "",
	    "multi-line strings are not supported");
}

static void
test_array_of_tables_appends_a_table_per_header(void **state)
{
	struct toml_value	*root;
	const struct toml_value	*a, *t;

	(void)state;
	root = parse_ok("[auth]\nno_auth = false\n"
	    "[[auth.oidc]]\nname = \"one\"\n"
	    "roles = { admins = \"tenant-admin\" }\n"
	    "[[auth.oidc]] # a second\nname = \"two\"\n"
	    "[auth.oidc.roles]\n\"data team\" = \"reader\"\n"
	    "[[auth.oidc.extra]]\nk = 1\n[[auth.oidc.extra]]\nk = 2\n"
	    "[server]\nport = 1\n");
	a = toml_get_path(root, "auth");
	assert_non_null(a);
	a = toml_get(a, "oidc");
	assert_int_equal(toml_type(a), TOML_ARRAY);
	assert_int_equal(toml_count(a), 2);
	t = toml_value_at(a, 0);
	assert_string_equal(toml_str(toml_get(t, "name")), "one");
	assert_string_equal(toml_str(toml_get(toml_get(t, "roles"), "admins")),
	    "tenant-admin");
	t = toml_value_at(a, 1);
	assert_string_equal(toml_str(toml_get(t, "name")), "two");
	assert_string_equal(toml_str(toml_get(toml_get(t, "roles"),
	    "data team")), "reader");
	assert_int_equal(toml_count(toml_get(t, "extra")), 2);
	assert_non_null(toml_get_path(root, "server.port"));
	toml_free(root);
}

static void
test_array_of_tables_misuse_is_rejected_with_reason(void **state)
{
	(void)state;
	rejects("[x]\n[[x]]\n", 2, "x", "'x' is already a table (line 1)");
	rejects("x = [1]\n[[x]]\n", 2, "x", "already a static array");
	rejects("x = 1\n[[x]]\n", 2, "x", "already a value");
	rejects("[[x]]\n[x]\n", 2, "x", "'x' is an array of tables");
	rejects("[[x]]\n[[x]\n", 2, "x", "expected ']]'");
	rejects("[[x]]\nk = 1\nk = 2\n", 3, "x.k", "duplicate key");
	rejects("[[x]] y\n", 1, "x", "");
}

static void
test_int64_overflow_is_rejected(void **state)
{
	static const char	*big[] = {
		"n = 9223372036854775808", "n = -9223372036854775809",
		"n = 99999999999999999999999", "n = 0x8000000000000000",
		"n = 0xFFFFFFFFFFFFFFFF", "n = 0o1000000000000000000000",
		"n = 0b1000000000000000000000000000000000000000000000000000000"
		"000000000",
	};
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(big) / sizeof(big[0]); i++)
		rejects(big[i], 1, "n", "does not fit in 64 bits");
}

static void
test_malformed_integers_are_rejected(void **state)
{
	static const char	*bad[] = {
		"n = 1__0", "n = 1_", "n = -_1", "n = +0x1", "n = -0b1",
		"n = 0x", "n = 0X1F", "n = 0b2", "n = 0o8", "n = 0xG",
		"n = 1abc", "n = --1", "n = +", "n = -", "n = 0x_1",
		"n = 1-2", "n = 0b",
	};
	size_t			 i;

	(void)state;
	rejects("n = 01", 1, "n", "leading zeros are not allowed");
	rejects("n = -007", 1, "n", "leading zeros are not allowed");
	rejects("n = 0_1", 1, "n", "leading zeros are not allowed");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		rejects(bad[i], 1, "n", "invalid integer");
}

static void
test_unquoted_words_are_rejected(void **state)
{
	(void)state;
	rejects("bind = localhost\n", 1, "bind",
	    "invalid value 'localhost' (strings must be quoted)");
	rejects("bind = 127.0.0.1\n", 1, "bind", "strings must be quoted");
	rejects("b = True\n", 1, "b", "strings must be quoted");
	rejects("n = _1\n", 1, "n", "strings must be quoted");
	rejects("b = truex\n", 1, "b", "strings must be quoted");
	rejects("b = .5\n", 1, "b", "unexpected character '.'");
	rejects("b = \x01\n", 1, "b", "unexpected byte 0x01");
}

static void
test_invalid_escapes_are_rejected(void **state)
{
	(void)state;
	rejects("s = \"\\a\"", 1, "s", "invalid escape sequence '\\a'");
	rejects("s = \"\\x41\"", 1, "s", "invalid escape sequence '\\x'");
	rejects("s = \"\\e\"", 1, "s", "invalid escape sequence '\\e'");
	rejects("s = \"\\ \"", 1, "s", "invalid escape sequence");
	rejects("s = \"\\\xc3\xa9\"", 1, "s", "invalid escape sequence");
	rejects("s = \"\\u12xy\"", 1, "s", "invalid hex digit in \\u escape");
	rejects("s = \"\\uZZZZ\"", 1, "s", "invalid hex digit");
	rejects("s = \"\\U0000004\"", 1, "s", "invalid hex digit in \\U");
	rejects("s = \"\\u12", 1, "s", "truncated \\u escape");
	rejects("s = \"\\", 1, "s", "unterminated string");
}

static void
test_unicode_escape_must_be_a_scalar_value(void **state)
{
	(void)state;
	rejects("s = \"\\uD800\"", 1, "s", "not a unicode scalar value");
	rejects("s = \"\\uDFFF\"", 1, "s", "not a unicode scalar value");
	rejects("s = \"\\U00110000\"", 1, "s", "not a unicode scalar value");
	rejects("s = \"\\UFFFFFFFF\"", 1, "s", "not a unicode scalar value");
}

static void
test_nul_in_strings_is_rejected(void **state)
{
	(void)state;
	rejects("s = \"a\\u0000b\"", 1, "s", "may not contain U+0000");
	rejects("s = \"\\U00000000\"", 1, "s", "may not contain U+0000");
	rejects("\"k\\u0000\" = 1", 1, "", "may not contain U+0000");
	rejects_n("a = 1\ns = \"a\0b\"\n", 14, 2, "", "NUL bytes");
	rejects_n("a = 1\0", 6, 1, "", "NUL bytes");
}

static void
test_invalid_utf8_is_rejected(void **state)
{
	static const char	*bad[] = {
		"s = \"\x80\"",			/* lone continuation */
		"s = \"\xc0\x80\"",		/* overlong NUL */
		"s = \"\xc1\xbf\"",		/* overlong */
		"s = \"\xe0\x80\xaf\"",		/* overlong */
		"s = \"\xed\xa0\x80\"",		/* surrogate */
		"s = \"\xf0\x80\x80\xaf\"",	/* overlong */
		"s = \"\xf4\x90\x80\x80\"",	/* > U+10FFFF */
		"s = \"\xf5\x80\x80\x80\"",
		"s = \"\xff\"",
		"s = \"\xc3\x28\"",		/* bad continuation */
		"s = \"\xe2\x82\"",		/* truncated */
		"# \xe2\x82",			/* truncated at end */
		"s = \"\xf0\x9f\x98\"",
	};
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		rejects(bad[i], 1, "", "invalid UTF-8");
	rejects("a = 1\n\nb = 2 # \xfe\n", 3, "", "invalid UTF-8");
}

static void
test_control_characters_are_rejected(void **state)
{
	(void)state;
	rejects("s = \"a\x01\"", 1, "s", "control characters must be escaped");
	rejects("s = \"a\x7f\"", 1, "s", "control characters must be escaped");
	rejects("s = 'a\x1b'", 1, "s", "control characters must be escaped");
	rejects("a = 1 # x\x7f\n", 1, "a",
	    "control characters are not allowed in comments");
	rejects("# \x0c\n", 1, "", "control characters are not allowed");
}

static void
test_unterminated_strings_are_rejected(void **state)
{
	(void)state;
	rejects("s = \"abc\n\"\n", 1, "s", "unterminated string");
	rejects("s = 'abc", 1, "s", "unterminated string");
	rejects("s = \"abc\\\"", 1, "s", "unterminated string");
	rejects("\"abc = 1", 1, "", "unterminated string");
}

static void
test_key_value_syntax_errors_are_rejected(void **state)
{
	(void)state;
	rejects("a\n", 1, "a", "expected '=' after key");
	rejects("a b = 1\n", 1, "a", "expected '=' after key");
	rejects("= 1\n", 1, "", "expected a key");
	rejects("a. = 1\n", 1, "", "expected a key");
	rejects(".a = 1\n", 1, "", "expected a key");
	rejects("a =\n", 1, "a", "expected a value");
	rejects("a = # c\n", 1, "a", "expected a value");
	rejects("a = 1 b = 2\n", 1, "a", "expected end of line after value");
	rejects("a = \"x\" \"y\"\n", 1, "a", "expected end of line");
	rejects("[t] x = 1\n", 1, "t",
	    "expected end of line after table header");
	rejects("[t\nx = 1\n", 1, "t", "expected ']' after table name");
	rejects("[]\n", 1, "", "expected a key");
	rejects("a = 1\r", 1, "a", "carriage return not followed by newline");
	rejects("a = 1\rb = 2\n", 1, "a", "carriage return");
}

static void
test_duplicate_key_is_rejected(void **state)
{
	(void)state;
	rejects("a = 1\nb = 2\na = 3\n", 3, "a",
	    "duplicate key (first defined on line 1)");
	rejects("a = 1\n'a' = 2\n", 2, "a", "duplicate key");
	rejects("\"a\" = 1\n\"\\u0061\" = 2\n", 2, "a", "duplicate key");
	rejects("[t]\nx.y = 1\nx.y = 2\n", 3, "t.x.y", "duplicate key");
	rejects("x = { a = 1, a = 2 }\n", 1, "x.a", "duplicate key");
}

static void
test_table_redefinition_is_rejected(void **state)
{
	(void)state;
	rejects("[a]\nx = 1\n[b]\n[a]\n", 4, "a",
	    "table already defined on line 1");
	rejects("[a.b]\n[a]\n[a]\n", 3, "a", "table already defined on line 2");
	rejects("[a]\n[a.b]\n[a.b]\n", 3, "a.b", "already defined on line 2");
}

static void
test_key_cannot_be_both_table_and_value(void **state)
{
	(void)state;
	rejects("a = 1\n[a]\n", 2, "a",
	    "'a' is already a value of type integer (line 1)");
	rejects("a = 1\n[a.b]\n", 2, "a.b", "already a value of type integer");
	rejects("a = [1]\n[a]\n", 2, "a", "already a value of type array");
	rejects("a = 1\na.b = 2\n", 2, "a.b", "already a value of type integer");
	rejects("a.b = 1\na = 2\n", 2, "a", "duplicate key");
	rejects("[t]\nx = 'v'\n[t.x]\n", 3, "t.x",
	    "already a value of type string");
	rejects("[t.x]\n[t]\nx = 1\n", 3, "t.x", "duplicate key");
}

static void
test_dotted_keys_cannot_extend_header_tables(void **state)
{
	(void)state;
	/* toml-test: invalid/table/append-with-dotted-keys-1 */
	rejects("[a.b.c]\nz = 9\n[a]\nb.c.t = 1\n", 4, "a.b.c.t",
	    "table 'b' (line 1) cannot be extended with dotted keys");
	rejects("[a.b]\n[a]\nb.x = 1\n", 3, "a.b.x",
	    "cannot be extended with dotted keys");
}

static void
test_header_cannot_define_dotted_table(void **state)
{
	(void)state;
	rejects("[fruit]\napple.color = 'red'\n[fruit.apple]\n", 3,
	    "fruit.apple", "table already defined by dotted keys on line 2");
	rejects("a.b.c = 1\n[a.b]\n", 2, "a.b", "defined by dotted keys");
}

static void
test_inline_table_cannot_be_extended(void **state)
{
	(void)state;
	rejects("a = { x = 1 }\n[a]\n", 2, "a",
	    "inline table 'a' (line 1) cannot be extended");
	rejects("a = { x = 1 }\n[a.b]\n", 2, "a.b", "cannot be extended");
	rejects("a = { x = 1 }\na.y = 2\n", 2, "a.y", "cannot be extended");
	rejects("a = { x = {} }\na.x.y = 2\n", 2, "a.x.y",
	    "inline table 'a' (line 1) cannot be extended");
	rejects("a = { b = { c = 1 }, b.d = 2 }\n", 1, "a.b.d",
	    "inline table 'b' (line 1) cannot be extended");
}

static void
test_inline_table_syntax_is_strict(void **state)
{
	(void)state;
	rejects("a = { x = 1, }\n", 1, "a", "trailing comma in inline table");
	rejects("a = { x = 1,\n y = 2 }\n", 1, "a",
	    "inline tables must be on one line");
	rejects("a = {\n}\n", 1, "a", "inline tables must be on one line");
	rejects("a = { x = 1 # c\n}\n", 1, "a", "must be on one line");
	rejects("a = { x = 1 y = 2 }\n", 1, "a", "expected ',' or '}'");
	rejects("a = { x = 1", 1, "a", "unterminated inline table");
	rejects("a = { , }\n", 1, "a", "expected a key");
	rejects("a = { x }\n", 1, "a.x", "expected '=' after key");
}

static void
test_array_syntax_errors_are_rejected(void **state)
{
	(void)state;
	rejects("a = [1 2]\n", 1, "a", "expected ',' or ']' in array");
	rejects("a = [,]\n", 1, "a[0]", "expected a value");
	rejects("a = [1,,2]\n", 1, "a[1]", "expected a value");
	rejects("a = [1,\n2\n", 3, "a", "unterminated array (opened on line 1)");
	rejects("a = [\n", 2, "a", "unterminated array (opened on line 1)");
	rejects("a = [1", 1, "a", "unterminated array");
	rejects("a = [1\r]\n", 1, "a", "carriage return");
	rejects("a = [\r1]\n", 1, "a", "carriage return");
	rejects("a = [1 # \x01\n]", 1, "a", "control characters");
}

static void
test_nesting_beyond_the_limit_is_rejected(void **state)
{
	char	*s;

	(void)state;
	s = nested(TOML_MAX_DEPTH + 1, 1);
	rejects(s, 1, NULL, "nesting too deep (more than 32 levels)");
	free(s);

	s = nested(TOML_MAX_DEPTH + 1, 0);
	rejects(s, 1, NULL, "nesting too deep");
	free(s);

	s = nested(100000, 1);
	rejects(s, 1, NULL, "nesting too deep");
	free(s);

	s = long_key(TOML_MAX_DEPTH + 2, 0);
	rejects(s, 1, NULL, "nesting too deep");
	free(s);

	s = long_key(TOML_MAX_DEPTH + 1, 1);
	rejects(s, 1, NULL, "nesting too deep");
	free(s);

	/* depth adds up across headers, dotted keys and values */
	s = long_key(TOML_MAX_DEPTH, 1);
	s = realloc(s, strlen(s) + 16);
	assert_non_null(s);
	strcat(s, "x = []\n");
	rejects(s, 2, NULL, "nesting too deep");
	free(s);
}

/* ---- error reporting ---- */

static void
test_error_reports_line_and_key(void **state)
{
	(void)state;
	rejects("# c\n[server]\nbind = \"x\"\nport = 80.5\n", 4, "server.port",
	    "floats are not supported");
	rejects("[a]\n[b.'c.d']\nx.y = 1.0\n", 3, "b.c.d.x.y", "floats");
}

static void
test_error_key_follows_inline_tables_and_arrays(void **state)
{
	(void)state;
	rejects("[cache]\noptions = { max_entries = 10_000, ttl = 1.5 }\n", 2,
	    "cache.options.ttl", "floats are not supported");
	rejects("[tasks]\ntags = [\"a\",\n  \"b\\q\"]\n", 3, "tasks.tags[1]",
	    "invalid escape");
	rejects("a = [[1], [2, {k = [0, 1.0]}]]\n", 1, "a[1][1].k[1]",
	    "floats");
}

static void
test_error_line_counts_lines_inside_arrays(void **state)
{
	(void)state;
	rejects("a = [\n1,\n# c\n\n2.0,\n]\n", 5, "a[1]", "floats");
	rejects("a = [\r\n1,\r\n1979-01-01]\r\n", 3, "a[1]", "dates");
}

static void
test_error_argument_may_be_null(void **state)
{
	struct toml_value	*root;

	(void)state;
	assert_null(toml_parse("a = 1.0", 7, NULL));
	assert_null(toml_parse(NULL, 5, NULL));
	root = toml_parse("a = 1", 5, NULL);
	assert_non_null(root);
	toml_free(root);
}

static void
test_success_clears_the_error(void **state)
{
	struct toml_error	 err;
	struct toml_value	*root;

	(void)state;
	memset(&err, 'x', sizeof(err));
	root = toml_parse("a = 1", 5, &err);
	assert_non_null(root);
	assert_int_equal(err.line, 0);
	assert_string_equal(err.key, "");
	assert_string_equal(err.reason, "");
	toml_free(root);
}

static void
test_input_need_not_be_nul_terminated(void **state)
{
	struct toml_value	*root;
	char			*buf;

	(void)state;
	/* exact-size heap copy, so ASan catches any read past the end */
	buf = malloc(9);
	assert_non_null(buf);
	memcpy(buf, "a = 12345", 9);
	root = parse_ok_n(buf, 9);
	assert_int_equal(int_at(root, "a"), 12345);
	toml_free(root);
	root = parse_ok_n(buf, 5);
	assert_int_equal(int_at(root, "a"), 1);
	toml_free(root);
	rejects_n(buf, 4, 1, "a", "expected a value");
	memcpy(buf, "s = \"\\u1", 8);
	rejects_n(buf, 8, 1, "s", "truncated");
	free(buf);
}

static void
test_long_keys_truncate_the_error_key(void **state)
{
	struct toml_error	 err;
	char			 src[600];

	(void)state;
	memset(src, 'k', 500);
	strcpy(src + 500, " = 1.5\n");
	assert_null(toml_parse(src, strlen(src), &err));
	assert_int_equal(strlen(err.key), sizeof(err.key) - 1);
	assert_string_equal(err.reason, "floats are not supported");

	/* more parts after the buffer is full are dropped, not overrun */
	strcpy(src + 500, ".a.b = [1.5]\n");
	assert_null(toml_parse(src, strlen(src), &err));
	assert_int_equal(strlen(err.key), sizeof(err.key) - 1);
	assert_string_equal(err.reason, "floats are not supported");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_input_is_an_empty_table),
		cmocka_unit_test(test_comments_and_blank_lines_are_ignored),
		cmocka_unit_test(
		    test_bare_keys_allow_letters_digits_dash_underscore),
		cmocka_unit_test(test_quoted_keys_may_hold_any_character),
		cmocka_unit_test(test_dotted_key_creates_nested_table),
		cmocka_unit_test(test_whitespace_around_key_dots_is_ignored),
		cmocka_unit_test(test_table_header_collects_following_keys),
		cmocka_unit_test(test_dotted_header_creates_implicit_parents),
		cmocka_unit_test(test_implicit_table_may_be_defined_once_later),
		cmocka_unit_test(test_header_may_add_subtable_to_dotted_table),
		cmocka_unit_test(test_keys_keep_definition_order),
		cmocka_unit_test(test_basic_string_escapes_are_decoded),
		cmocka_unit_test(test_unicode_escapes_are_encoded_as_utf8),
		cmocka_unit_test(test_literal_string_keeps_backslashes),
		cmocka_unit_test(test_raw_utf8_and_tabs_are_kept_in_strings),
		cmocka_unit_test(
		    test_decimal_integers_allow_sign_and_underscores),
		cmocka_unit_test(test_hex_octal_binary_integers),
		cmocka_unit_test(test_int64_bounds_are_accepted),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_array_of_scalars_keeps_order),
		cmocka_unit_test(
		    test_multiline_array_allows_comments_and_trailing_comma),
		cmocka_unit_test(test_arrays_may_nest_and_mix_types),
		cmocka_unit_test(test_inline_table_holds_keys_and_dotted_keys),
		cmocka_unit_test(test_array_inside_inline_table_may_span_lines),
		cmocka_unit_test(test_crlf_line_endings_are_accepted),
		cmocka_unit_test(test_utf8_byte_order_mark_is_skipped),
		cmocka_unit_test(test_realistic_pangolin_config),
		cmocka_unit_test(test_nesting_up_to_the_limit_is_accepted),
		cmocka_unit_test(test_get_path_walks_tables_and_misses_cleanly),
		cmocka_unit_test(test_accessors_reject_wrong_type_and_null),
		cmocka_unit_test(test_type_names_are_human_readable),
		cmocka_unit_test(test_values_remember_their_line),
		cmocka_unit_test(test_float_is_rejected_with_reason),
		cmocka_unit_test(test_dates_and_times_are_rejected_with_reason),
		cmocka_unit_test(test_multiline_strings_are_rejected_with_reason),
		cmocka_unit_test(
		    test_array_of_tables_appends_a_table_per_header),
		cmocka_unit_test(
		    test_array_of_tables_misuse_is_rejected_with_reason),
		cmocka_unit_test(test_int64_overflow_is_rejected),
		cmocka_unit_test(test_malformed_integers_are_rejected),
		cmocka_unit_test(test_unquoted_words_are_rejected),
		cmocka_unit_test(test_invalid_escapes_are_rejected),
		cmocka_unit_test(test_unicode_escape_must_be_a_scalar_value),
		cmocka_unit_test(test_nul_in_strings_is_rejected),
		cmocka_unit_test(test_invalid_utf8_is_rejected),
		cmocka_unit_test(test_control_characters_are_rejected),
		cmocka_unit_test(test_unterminated_strings_are_rejected),
		cmocka_unit_test(test_key_value_syntax_errors_are_rejected),
		cmocka_unit_test(test_duplicate_key_is_rejected),
		cmocka_unit_test(test_table_redefinition_is_rejected),
		cmocka_unit_test(test_key_cannot_be_both_table_and_value),
		cmocka_unit_test(test_dotted_keys_cannot_extend_header_tables),
		cmocka_unit_test(test_header_cannot_define_dotted_table),
		cmocka_unit_test(test_inline_table_cannot_be_extended),
		cmocka_unit_test(test_inline_table_syntax_is_strict),
		cmocka_unit_test(test_array_syntax_errors_are_rejected),
		cmocka_unit_test(test_nesting_beyond_the_limit_is_rejected),
		cmocka_unit_test(test_error_reports_line_and_key),
		cmocka_unit_test(test_error_key_follows_inline_tables_and_arrays),
		cmocka_unit_test(test_error_line_counts_lines_inside_arrays),
		cmocka_unit_test(test_error_argument_may_be_null),
		cmocka_unit_test(test_success_clears_the_error),
		cmocka_unit_test(test_input_need_not_be_nul_terminated),
		cmocka_unit_test(test_long_keys_truncate_the_error_key),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
