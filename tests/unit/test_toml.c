/*
 * Unit tests for the TOML reader (src/config/toml.c): what it accepts,
 * lookups and accessors; what it refuses: test_toml_rejects.c.
 *
 * cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g \
 *     -fsanitize=address,undefined -fno-omit-frame-pointer -Isrc -Itests/unit \
 *     tests/unit/test_toml.c src/config/toml.c -lcmocka -o /tmp/test_toml
 */

#include "test_toml_util.h"

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
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
