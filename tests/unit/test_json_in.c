/*
 * pgl_json_in against json_loadb(JSON_REJECT_DUPLICATES |
 * JSON_DECODE_ANY): both refuse, or both build trees that write the same
 * bytes (order, integer or real, every string byte), over every JSON file
 * under tests/, hand-made accepted and refused texts, every input of one
 * and two bytes (bare and in quotes), the nesting limit, integer and real
 * bounds, long strings and a few thousand random texts and their
 * mutations from a seeded PRNG.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/json_in.h"

#define JFLAGS	(JSON_REJECT_DUPLICATES | JSON_DECODE_ANY)
#define DFLAGS	(JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | \
		 JSON_REAL_PRECISION(17))

/* Both refuse (0), or both give the same tree (1). */
static int
same_n(const char *text, size_t len)
{
	json_t	*want, *got;
	char	*a, *b, why[200];

	why[0] = '\0';
	got = pgl_json_in(text, len, why, sizeof(why));
	/* The one difference on purpose: a NUL byte is never JSON (RFC 8259),
	 * but jansson skips one that follows a number or a literal (its
	 * reader takes the pushed-back NUL for the end of its buffer). */
	if (memchr(text, '\0', len) != NULL) {
		if (got != NULL)
			fail_msg("a NUL byte accepted: %.*s", (int)len, text);
		return (0);
	}
	want = json_loadb(text, len, JFLAGS, NULL);
	if (want == NULL) {
		if (got != NULL)
			fail_msg("jansson refuses, pgl_json_in accepts: %.*s",
			    (int)(len > 200 ? 200 : len), text);
		assert_true(strncmp(why, "line ", 5) == 0);
		return (0);
	}
	if (got == NULL)
		fail_msg("jansson accepts, pgl_json_in refuses (%s): %.*s", why,
		    (int)(len > 200 ? 200 : len), text);
	a = json_dumps(want, DFLAGS);
	b = json_dumps(got, DFLAGS);
	assert_non_null(a);
	assert_non_null(b);
	if (strcmp(a, b) != 0)
		fail_msg("trees differ:\n  want %.300s\n  got  %.300s", a, b);
	assert_int_equal(json_typeof(want), json_typeof(got));
	free(a);
	free(b);
	json_decref(want);
	json_decref(got);
	return (1);
}

static int
same(const char *text)
{
	return (same_n(text, strlen(text)));
}

/* --- files ---------------------------------------------------------------- */

static char *
slurp(const char *path, size_t *lenp)
{
	FILE	*f;
	char	*buf;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return (NULL);
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) ==
	    NULL) {
		fclose(f);
		return (NULL);
	}
	*lenp = fread(buf, 1, (size_t)n, f);
	fclose(f);
	return (buf);
}

static int
walk(const char *dir, int *accepted)
{
	DIR		*d;
	struct dirent	*e;
	char		 path[1024], *text;
	size_t		 n, len;
	int		 count = 0;

	if ((d = opendir(dir)) == NULL)
		return (0);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, "node_modules") == 0)
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		count += walk(path, accepted);
		n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 5, ".json") != 0)
			continue;
		if ((text = slurp(path, &len)) == NULL)
			continue;
		*accepted += same_n(text, len);
		free(text);
		count++;
	}
	closedir(d);
	return (count);
}

static void
test_every_json_file_under_tests(void **state)
{
	int	accepted = 0;

	(void)state;
	assert_true(walk("tests", &accepted) >= 3);
	assert_true(accepted >= 3);
}

/* --- hand-made ------------------------------------------------------------- */

static const char *const accepted[] = {
	"0", "-0", "1", "-1", "0.5", "-0.0", "1e5", "1E+5", "1e-5", "12.5e3",
	"9223372036854775807", "-9223372036854775808", "1e-400", "1e308",
	"0.1", "123456789012345678901234567890.5", "true", "false", "null",
	"\"\"", "\"a\"", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\u00e9\"",
	"\"\\uD83D\\uDE00\"", "\"\\ud83d\\ude00x\"", "\"caf\xc3\xa9\"",
	"\"\xf0\x9f\x98\x80\"", "\"\xe2\x82\xac\"", "\"\x7f\"",
	"[]", "{}", " [ ] ", "\t\r\n{}\n", "[1,2,3]", "[[],[[]]]",
	"{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}",
	"{\"\":0}", "{\"a\\u0062\":1,\"ac\":2}", "{\"b\":1,\"a\":2}",
	"{\"k\\n\":\"v\\t\"}", "[\"x\\\"y\",\"z\"]",
	"{ \"a\" : 1 , \"b\" : 2 }",
	"\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\n\"",
	"\"12345678\\\"12345678\"", "\"\\u00Af\\u00fA\\u0FfF\"",
};

static const char *const refused[] = {
	"", " ", "[", "]", "{", "}", "[1,]", "[,1]", "{,}", "{\"a\"}",
	"{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "{a:1}", "{1:1}",
	"{\"a\":1,\"a\":2}", "{\"a\\u0062\":1,\"ab\":2}",
	"{\"a\":1 \"b\":2}", "[1 2]", "01", "-01", "-", "+1", ".5", "1.",
	"1.e5", "1e", "1e+", "--1", "0x10", "1 2", "[] x", "tru", "truex",
	"True", "nul", "nulll", "NaN", "Infinity", "-Infinity",
	"9223372036854775808", "-9223372036854775809",
	"99999999999999999999", "1e309", "-1e309",
	"\"abc", "\"\\", "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "\"\\u0000\"",
	"{\"\\u0000\":1}", "\"\\uD800\"", "\"\\uDC00\"", "\"\\uD800\\u0041\"",
	"\"\\uD800x\"", "\"a\nb\"", "\"a\tb\"", "\"\x01\"", "\"\x1f\"",
	"\"\x80\"", "\"\xc0\x80\"", "\"\xc3\"", "\"\xed\xa0\x80\"",
	"\"\xf4\x90\x80\x80\"", "\"\xf5\x80\x80\x80\"", "\"\xe0\x80\x80\"",
	"\xef\xbb\xbf{}", "\"a\" \"b\"", "[\"a\":1]", "/*c*/1", "[1]]",
	"{\"a\":1}}", "\"\\u00\x10" "0\"", "\"\\u00:0\"", "\"\\u00@0\"",
	"\"\\u00G0\"", "\"\\u00g0\"", "\"\\u00 0\"",
};

static void
test_hand_made(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
		if (same(accepted[i]) != 1)
			fail_msg("refused: %s", accepted[i]);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (same(refused[i]) != 0)
			fail_msg("accepted: %s", refused[i]);
	/* A NUL byte anywhere: in a string, after a value (jansson takes
	 * "1\0" for 1), alone. */
	assert_int_equal(same_n("\"a\0b\"", 5), 0);
	assert_int_equal(same_n("1\0", 2), 0);
	assert_int_equal(same_n("[true\0]", 7), 0);
	assert_int_equal(same_n("\0", 1), 0);
	assert_int_equal(same_n("[1]", 2), 0);		/* cut short */
}

static void
test_reason_names_line_and_column(void **state)
{
	char	 why[200];

	(void)state;
	assert_null(pgl_json_in("{\n  \"a\": 1,\n  \"a\": 2\n}", 22, why,
	    sizeof(why)));
	assert_string_equal(why, "line 3, column 3: a duplicate object key");
	assert_null(pgl_json_in("[1,\n\"caf\xc3\xa9\" x]", 15, why,
	    sizeof(why)));
	assert_string_equal(why, "line 2, column 8: ',' or ']' expected");
	assert_null(pgl_json_in(NULL, 0, why, sizeof(why)));
	assert_null(pgl_json_in("1 2", 3, NULL, 0));
}

/* Every input of one and two bytes, bare and between quotes. */
static void
test_every_short_input(void **state)
{
	char	buf[4];
	int	a, b;

	(void)state;
	for (a = 0; a < 256; a++) {
		buf[0] = (char)a;
		(void)same_n(buf, 1);
		for (b = 0; b < 256; b++) {
			buf[1] = (char)b;
			(void)same_n(buf, 2);
			buf[0] = '"';
			buf[1] = (char)a;
			buf[2] = (char)b;
			buf[3] = '"';
			(void)same_n(buf, 4);
			buf[0] = (char)a;
		}
	}
}

/* Values nested up to, at and past the limit, as jansson counts them. */
static void
test_depth(void **state)
{
	size_t	 d, n, i;
	char	*t;

	(void)state;
	for (d = PGL_JSON_IN_MAX_DEPTH - 2; d <= PGL_JSON_IN_MAX_DEPTH + 1;
	    d++) {
		n = 0;
		assert_non_null(t = malloc(d * 2 + 8));
		for (i = 0; i < d; i++)
			t[n++] = '[';
		t[n++] = '1';
		for (i = 0; i < d; i++)
			t[n++] = ']';
		(void)same_n(t, n);
		/* Without the scalar: one value fewer. */
		memmove(t + d, t + d + 1, d);
		(void)same_n(t, n - 1);
		free(t);
	}
	/* Objects count the same. */
	assert_non_null(t = malloc(PGL_JSON_IN_MAX_DEPTH * 6 + 8));
	n = 0;
	for (i = 0; i < PGL_JSON_IN_MAX_DEPTH; i++) {
		memcpy(t + n, "{\"a\":", 5);
		n += 5;
	}
	t[n++] = '0';
	for (i = 0; i < PGL_JSON_IN_MAX_DEPTH; i++)
		t[n++] = '}';
	assert_int_equal(same_n(t, n), 0);
	free(t);
}

/* A long string with escapes and UTF-8 spread over it (scratch growth). */
static void
test_long_strings(void **state)
{
	static const char *const pieces[] = {
		"abcdefgh", "\\n", "\\u00e9", "\xc3\xa9", "\\uD83D\\uDE00",
		"\\\"", "12345678901234567", "\xf0\x9f\x98\x80", "/",
	};
	char	*t;
	size_t	 n = 0, cap = 1 << 20, i;

	(void)state;
	assert_non_null(t = malloc(cap));
	t[n++] = '[';
	t[n++] = '"';
	for (i = 0; n + 64 < cap / 2; i++) {
		memcpy(t + n, pieces[i % 9], strlen(pieces[i % 9]));
		n += strlen(pieces[i % 9]);
	}
	memcpy(t + n, "\",{\"", 4);
	n += 4;
	for (i = 0; n + 64 < cap; i++) {
		memcpy(t + n, pieces[(i * 7) % 9], strlen(pieces[(i * 7) % 9]));
		n += strlen(pieces[(i * 7) % 9]);
	}
	memcpy(t + n, "\":\"x\\ty\"}]", 10);
	n += 10;
	assert_int_equal(same_n(t, n), 1);
	free(t);
}

/* --- random texts ---------------------------------------------------------- */

static uint64_t	rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (rng_state);
}

static const char *const atoms[] = {
	"0", "-1", "42", "3.25", "-0.0", "1e10", "6.02e-23", "true", "false",
	"null", "\"\"", "\"s\"", "\"\\u00e9\\n\"", "\"caf\xc3\xa9\"",
	"9223372036854775807", "-9223372036854775808", "\"\\\\\"",
};

static const char *const keys[] = {
	"\"a\"", "\"b\"", "\"format-version\"", "\"\\u0061\"", "\"\"",
	"\"k\\\"\"", "\"\xc3\xa9\"",
};

/* A random value of at most depth levels appended to t at *n. */
static void
gen(char *t, size_t *n, size_t cap, int depth)
{
	size_t	i, k;
	int	kind = depth > 0 ? (int)(rng() % 4) : 0;
	const char *s;

	if (*n + 64 > cap)
		kind = 0;
	switch (kind) {
	case 1:
		t[(*n)++] = '[';
		k = rng() % 5;
		for (i = 0; i < k && *n + 64 < cap; i++) {
			if (i > 0)
				t[(*n)++] = ',';
			gen(t, n, cap, depth - 1);
		}
		t[(*n)++] = ']';
		break;
	case 2:
		t[(*n)++] = '{';
		k = rng() % 5;
		for (i = 0; i < k && *n + 64 < cap; i++) {
			if (i > 0)
				t[(*n)++] = rng() % 3 == 0 ? ' ' : ',';
			s = keys[rng() % (sizeof(keys) / sizeof(keys[0]))];
			memcpy(t + *n, s, strlen(s));
			*n += strlen(s);
			t[(*n)++] = ':';
			gen(t, n, cap, depth - 1);
		}
		t[(*n)++] = '}';
		break;
	default:
		s = atoms[rng() % (sizeof(atoms) / sizeof(atoms[0]))];
		memcpy(t + *n, s, strlen(s));
		*n += strlen(s);
		break;
	}
}

static void
test_random_texts_and_mutations(void **state)
{
	static const char	specials[] = "{}[],:\"\\ \n0-.eE+tfnu\x80\xc3\x01";
	char			t[4096], m[4096];
	size_t			n, k, at;
	int			i, j, agreed = 0;

	(void)state;
	for (i = 0; i < 4000; i++) {
		n = 0;
		gen(t, &n, sizeof(t) - 8, 1 + (int)(rng() % 5));
		agreed += same_n(t, n);
		for (j = 0; j < 4; j++) {
			memcpy(m, t, n);
			k = n;
			at = (size_t)(rng() % n);
			switch (rng() % 4) {
			case 0:		/* a byte replaced */
				m[at] = specials[rng() % (sizeof(specials) - 1)];
				break;
			case 1:		/* cut short */
				k = at;
				break;
			case 2:		/* a byte dropped */
				memmove(m + at, m + at + 1, n - at - 1);
				k--;
				break;
			default:	/* a byte put in */
				memmove(m + at + 1, m + at, n - at);
				m[at] = specials[rng() % (sizeof(specials) - 1)];
				k++;
				break;
			}
			(void)same_n(m, k);
		}
	}
	/* Most generated texts are JSON (duplicate keys make some not). */
	assert_true(agreed > 2000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_json_file_under_tests),
		cmocka_unit_test(test_hand_made),
		cmocka_unit_test(test_reason_names_line_and_column),
		cmocka_unit_test(test_every_short_input),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_long_strings),
		cmocka_unit_test(test_random_texts_and_mutations),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
