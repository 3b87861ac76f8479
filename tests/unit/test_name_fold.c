/*
 * Principal names as a reader compares them (src/util/name_fold.c): the
 * key two look-alike names share, and what a new name may not hold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/name_fold.h"

static const char *
key(const char *name)
{
	static char	out[256];

	if (pgl_name_key(name, out, sizeof(out)) == -1)
		return (NULL);
	return (out);
}

static void
same_key(const char *a, const char *b)
{
	char	ka[256], kb[256];

	assert_int_not_equal(pgl_name_key(a, ka, sizeof(ka)), -1);
	assert_int_not_equal(pgl_name_key(b, kb, sizeof(kb)), -1);
	if (strcmp(ka, kb) != 0)
		fail_msg("'%s' (%s) and '%s' (%s) should read as one", a, ka,
		    b, kb);
}

static void
test_names_that_differ_in_case_form_spacing_or_invisibles_share_a_key(
    void **state)
{
	same_key("adminA", "ADMINA");
	same_key("Root", "root");
	same_key("Stra\xc3\x9f" "e", "STRASSE");		/* full folding */
	same_key("\xef\xbd\x81" "dmin", "admin");		/* fullwidth a */
	same_key("zo\xc3\xab", "zoe\xcc\x88");			/* NFC vs NFD */
	same_key("\xe2\x84\xab", "\xc3\xa5");			/* U+212B Angstrom */
	same_key("bob ", "bob");
	same_key("  bob", "bob");
	same_key("bo\xe2\x80\x8b" "b", "bob");			/* U+200B */
	same_key("b\xc2\xad" "ob", "bob");			/* soft hyphen */
	same_key("jo  smith", "jo smith");
	same_key("jo\xc2\xa0smith", "jo smith");		/* NBSP */
	assert_string_equal(key("AdminA"), "admina");
}

static void
differ(const char *a, const char *b)
{
	char	ka[256], kb[256];

	assert_int_not_equal(pgl_name_key(a, ka, sizeof(ka)), -1);
	assert_int_not_equal(pgl_name_key(b, kb, sizeof(kb)), -1);
	assert_string_not_equal(ka, kb);
}

static void
test_names_that_read_differently_keep_their_own_keys(void **state)
{
	differ("admin-a", "admina");
	differ("jo smith", "josmith");
	differ("bob1", "bob");
	differ("Ð°" "dmin", "admin");	/* Cyrillic a: UTS #39's */
}

static void
test_the_key_of_a_key_is_itself(void **state)
{
	const char	*names[] = { "Stra\xc3\x9f" "e", "\xef\xbc\xa1" "B",
			    "\xe1\xba\x9e", "\xc7\x85", "\xe2\x84\xab",
			    "\xef\xac\x80", "\xce\x90" };
	char		 k1[256], k2[256];
	size_t		 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_not_equal(pgl_name_key(names[i], k1, sizeof(k1)),
		    -1);
		assert_int_not_equal(pgl_name_key(k1, k2, sizeof(k2)), -1);
		assert_string_equal(k1, k2);
	}
}

static void
test_a_key_that_does_not_fit_or_a_name_that_is_not_utf8_has_none(
    void **state)
{
	char	small[4];

	assert_int_equal(pgl_name_key("alice", small, sizeof(small)), -1);
	assert_int_equal(pgl_name_key("bob", small, sizeof(small)), 3);
	assert_null(key("bad\xff"));
	assert_null(key("\xc3"));
}

static void
test_a_new_name_may_not_hold_invisibles_or_surrounding_space(void **state)
{
	char		 why[128];
	const char	*bad[] = { "bob ", " bob", "\tbob", "bob\n",
			    "bo\xe2\x80\x8b" "b", "bo\xe2\x80\x8d" "b",
			    "\xef\xbb\xbf" "bob", "b\xc2\xad" "ob",
			    "bob\xe2\x80\xae", "jo  smith",
			    "jo\xc2\xa0smith", "jo\xe3\x80\x80smith",
			    "\xe3\x85\xa4", "bad\xff" };
	const char	*good[] = { "bob", "jo smith", "zo\xc3\xab",
			    "\xe5\xb1\xb1\xe7\x94\xb0", "o'neil", "a.b-c_d" };
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (pgl_name_lookalike(bad[i], why, sizeof(why)) == NULL)
			fail_msg("bad name %zu accepted", i);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (pgl_name_lookalike(good[i], why, sizeof(why)) != NULL)
			fail_msg("'%s' refused: %s", good[i], why);
	}
	assert_non_null(pgl_name_lookalike("bo\xe2\x80\x8b" "b", why,
	    sizeof(why)));
	assert_string_equal(why, "holds an invisible character (U+200B)");
	assert_non_null(pgl_name_lookalike("bob ", why, sizeof(why)));
	assert_string_equal(why, "must not begin or end with white space");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_names_that_differ_in_case_form_spacing_or_invisibles_share_a_key),
		cmocka_unit_test(
		    test_names_that_read_differently_keep_their_own_keys),
		cmocka_unit_test(test_the_key_of_a_key_is_itself),
		cmocka_unit_test(
		    test_a_key_that_does_not_fit_or_a_name_that_is_not_utf8_has_none),
		cmocka_unit_test(
		    test_a_new_name_may_not_hold_invisibles_or_surrounding_space),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
