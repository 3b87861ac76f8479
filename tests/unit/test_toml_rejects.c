/*
 * Unit tests for the TOML reader (src/config/toml.c): what it refuses
 * (floats, dates, multi-line strings, malformed values, redefinitions,
 * nesting past the limit) and how it reports an error (line, key,
 * reason).  What it accepts: test_toml.c.
 */

#include "test_toml_util.h"

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
