/* The streaming JSON writer: what it writes parses back to what was given. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/jw.h"

static void
test_plain_strings_are_quoted_as_is(void **state)
{
	struct pgl_jw	w;

	(void)state;
	jw_init(&w);
	jw_open(&w, '{');
	jw_str(&w, "name", "cat-0001");
	jw_str(&w, "id", "0b0e8f1c-0000-4000-8000-000000000001");
	jw_str(&w, "none", NULL);
	jw_json(&w, "props", "{\"a\":1}", "{}");
	jw_close(&w, '}');
	assert_false(w.oom);
	assert_string_equal(w.buf, "{\"name\":\"cat-0001\",\"id\":"
	    "\"0b0e8f1c-0000-4000-8000-000000000001\",\"none\":null,"
	    "\"props\":{\"a\":1}}");
	assert_int_equal(w.len, strlen(w.buf));
	jw_free(&w);
}

static void
test_quote_backslash_and_controls_are_escaped(void **state)
{
	struct pgl_jw	w;

	(void)state;
	jw_init(&w);
	jw_open(&w, '[');
	jw_str(&w, NULL, "a\"b\\c\nd\x01" "e\x1f");
	jw_str(&w, NULL, "\"");
	jw_str(&w, NULL, "");
	jw_str(&w, NULL, "caf\xc3\xa9");
	jw_close(&w, ']');
	assert_string_equal(w.buf, "[\"a\\\"b\\\\c\\u000ad\\u0001e\\u001f\","
	    "\"\\\"\",\"\",\"caf\xc3\xa9\"]");
	jw_free(&w);
}

static void
test_strn_writes_only_the_given_bytes(void **state)
{
	struct pgl_jw	w;

	(void)state;
	jw_init(&w);
	jw_key(&w, "ns");
	jw_open(&w, '[');
	jw_strn(&w, NULL, "a\x1f" "b", 1);
	jw_strn(&w, NULL, "q\"x", 2);
	jw_strn(&w, NULL, "", 0);
	jw_close(&w, ']');
	assert_string_equal(w.buf, "\"ns\":[\"a\",\"q\\\"\",\"\"]");
	jw_free(&w);
}

static void
test_long_output_grows_the_buffer(void **state)
{
	struct pgl_jw	w;
	char		name[600];
	int		i;

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	jw_init(&w);
	jw_open(&w, '[');
	for (i = 0; i < 100; i++)
		jw_str(&w, NULL, name);
	jw_close(&w, ']');
	assert_false(w.oom);
	assert_int_equal(w.len, 2 + 100 * (sizeof(name) - 1 + 2) + 99);
	assert_int_equal(w.buf[w.len - 1], ']');
	assert_int_equal(w.buf[w.len], '\0');
	jw_free(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_strings_are_quoted_as_is),
		cmocka_unit_test(test_quote_backslash_and_controls_are_escaped),
		cmocka_unit_test(test_strn_writes_only_the_given_bytes),
		cmocka_unit_test(test_long_output_grows_the_buffer),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
