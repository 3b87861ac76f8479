/* The feed's continuation token (src/events/feed_token.c): a round trip,
 * and every way a token that is not this stream's is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "events/feed_query.h"
#include "events/feed_token.h"

#define TENANT_A	"7d1c2f5e-0000-4000-8000-00000000000a"
#define TENANT_B	"7d1c2f5e-0000-4000-8000-00000000000b"

static const unsigned char	key[32] = "0123456789abcdef0123456789abcdef";
static const unsigned char	other_key[32] = "fedcba9876543210fedcba9876543210";

static struct pgl_feed_token
catalog_token(const char *tenant, const char *catalog, uint64_t seq)
{
	struct pgl_feed_token	t = { .seq = seq, .ts_ms = 1614265330123 };

	strcpy(t.tenant_id, tenant);
	strcpy(t.catalog, catalog);
	return (t);
}

static char *
encode(const struct pgl_feed_token *t)
{
	const char	*why = NULL;
	char		*text = pgl_feed_token_encode(key, sizeof(key), t, &why);

	if (text == NULL)
		fail_msg("encode: %s", why);
	return (text);
}

static void
test_a_token_round_trips_and_is_url_safe_text(void **state)
{
	struct pgl_feed_token	 t = catalog_token(TENANT_A, "sales.eu",
				    UINT64_MAX - 1), got;
	const char		*why;
	char			*text;

	(void)state;
	t.ts_ms = INT64_MAX;
	text = encode(&t);
	assert_true(strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789-_") == strlen(text));
	assert_true(strlen(text) <= PGL_FEED_TOKEN_TEXT_MAX);
	assert_int_equal(pgl_feed_token_decode(key, sizeof(key), text, &got,
	    &why), 0);
	assert_string_equal(got.tenant_id, TENANT_A);
	assert_string_equal(got.catalog, "sales.eu");
	assert_false(got.tenant_wide);
	assert_true(got.seq == UINT64_MAX - 1);
	assert_true(got.ts_ms == INT64_MAX);
	assert_int_equal(pgl_feed_token_check(&got, TENANT_A, "sales.eu",
	    &why), 0);
	free(text);

	/* The tenant's whole stream, at its start. */
	t = (struct pgl_feed_token){ .tenant_wide = 1 };
	strcpy(t.tenant_id, TENANT_A);
	text = encode(&t);
	assert_int_equal(pgl_feed_token_decode(key, sizeof(key), text, &got,
	    &why), 0);
	assert_true(got.tenant_wide);
	assert_int_equal(got.seq, 0);
	assert_int_equal(pgl_feed_token_check(&got, TENANT_A, NULL, &why), 0);
	free(text);
}

static void
test_a_token_of_another_tenant_or_catalog_is_refused(void **state)
{
	struct pgl_feed_token	 t = catalog_token(TENANT_B, "lake", 42), got;
	const char		*why = NULL;
	char			*text = encode(&t);

	(void)state;
	assert_int_equal(pgl_feed_token_decode(key, sizeof(key), text, &got,
	    &why), 0);
	assert_int_equal(pgl_feed_token_check(&got, TENANT_A, "lake", &why),
	    -1);
	assert_non_null(strstr(why, "another stream"));
	/* Nor does it name whose it is. */
	assert_null(strstr(why, TENANT_B));
	assert_int_equal(pgl_feed_token_check(&got, TENANT_B, "lake2", &why),
	    -1);
	assert_int_equal(pgl_feed_token_check(&got, TENANT_B, NULL, &why),
	    -1);
	free(text);
	/* A tenant-wide token does not read one catalog's feed either. */
	t = (struct pgl_feed_token){ .tenant_wide = 1, .seq = 42 };
	strcpy(t.tenant_id, TENANT_B);
	text = encode(&t);
	assert_int_equal(pgl_feed_token_decode(key, sizeof(key), text, &got,
	    &why), 0);
	assert_int_equal(pgl_feed_token_check(&got, TENANT_B, "", &why), -1);
	free(text);
}

static void
test_a_token_altered_in_any_byte_or_signed_with_another_key_is_refused(
    void **state)
{
	struct pgl_feed_token	 t = catalog_token(TENANT_A, "lake", 7), got;
	const char		*why;
	char			*text = encode(&t), *bad;
	size_t			 i;

	(void)state;
	bad = strdup(text);
	for (i = 0; i < strlen(text); i++) {
		strcpy(bad, text);
		/* Another character of the alphabet at i. */
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		if (pgl_feed_token_decode(key, sizeof(key), bad, &got, &why)
		    != -1)
			fail_msg("altered at %zu and accepted", i);
		assert_non_null(strstr(why, "continuation-token"));
	}
	assert_int_equal(pgl_feed_token_decode(other_key, sizeof(other_key),
	    text, &got, &why), -1);
	assert_non_null(strstr(why, "not made by this server"));
	free(bad);
	free(text);
}

static void
test_truncated_extended_and_garbage_tokens_are_refused_with_a_reason(
    void **state)
{
	static const char *const garbage[] = { "", "a", "abc", "====",
	    "not a token", "AAAA+AAA", "AAAA/AAA", "AAAA=AAA",
	    "\xff\xfe\xfd\xfc", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" };
	struct pgl_feed_token	 t = catalog_token(TENANT_A, "lake", 7), got;
	const char		*why;
	char			*text = encode(&t), *cut;
	size_t			 i, n = strlen(text);

	(void)state;
	cut = malloc(n + 8);
	for (i = 1; i < n; i++) {
		memcpy(cut, text, i);
		cut[i] = '\0';
		why = NULL;
		if (pgl_feed_token_decode(key, sizeof(key), cut, &got, &why)
		    != -1)
			fail_msg("truncated to %zu and accepted", i);
		assert_non_null(why);
	}
	snprintf(cut, n + 8, "%sAAAA", text);
	assert_int_equal(pgl_feed_token_decode(key, sizeof(key), cut, &got,
	    &why), -1);
	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		why = NULL;
		assert_int_equal(pgl_feed_token_decode(key, sizeof(key),
		    garbage[i], &got, &why), -1);
		assert_non_null(why);
	}
	assert_int_equal(pgl_feed_token_decode(key, sizeof(key), NULL, &got,
	    &why), -1);
	free(cut);
	free(text);
}

static void
test_since_is_carried_until_the_reader_is_given_an_event(void **state)
{
	struct pgl_feed_token	 t = catalog_token(TENANT_A, "lake", 0), got;
	const char		*why;
	char			*text;

	(void)state;
	t.since_ms = 1700000000000LL;
	text = encode(&t);
	assert_int_equal(pgl_feed_token_decode(key, sizeof(key), text, &got,
	    &why), 0);
	assert_true(got.since_ms == 1700000000000LL);
	free(text);
	/* Past its first event the seq decides alone. */
	t.seq = 5;
	text = encode(&t);
	assert_int_equal(pgl_feed_token_decode(key, sizeof(key), text, &got,
	    &why), 0);
	assert_int_equal(got.since_ms, 0);
	free(text);
}

static void
test_a_short_key_or_a_nameless_token_is_not_made(void **state)
{
	struct pgl_feed_token	 t = catalog_token(TENANT_A, "lake", 7);
	const char		*why = NULL;

	(void)state;
	assert_null(pgl_feed_token_encode(key, PGL_FEED_TOKEN_KEY_MIN - 1, &t,
	    &why));
	assert_non_null(why);
	t.catalog[0] = '\0';
	assert_null(pgl_feed_token_encode(key, sizeof(key), &t, &why));
	t = catalog_token(TENANT_A, "lake", 7);
	t.tenant_wide = 1;
	assert_null(pgl_feed_token_encode(key, sizeof(key), &t, &why));
	t = catalog_token("", "lake", 7);
	assert_null(pgl_feed_token_encode(key, sizeof(key), &t, &why));
}

static void
test_a_token_below_the_horizon_is_gone_and_at_it_is_not(void **state)
{
	struct pgl_feed_token	 t = catalog_token(TENANT_A, "lake", 100);

	(void)state;
	assert_false(pgl_feed_token_gone(&t, 0));
	assert_false(pgl_feed_token_gone(&t, 99));
	/* Through 100 removed: the reader had it already. */
	assert_false(pgl_feed_token_gone(&t, 100));
	/* 101 removed before the reader got it. */
	assert_true(pgl_feed_token_gone(&t, 101));
	t.seq = 0;
	assert_true(pgl_feed_token_gone(&t, 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_token_round_trips_and_is_url_safe_text),
		cmocka_unit_test(test_a_token_of_another_tenant_or_catalog_is_refused),
		cmocka_unit_test(test_a_token_altered_in_any_byte_or_signed_with_another_key_is_refused),
		cmocka_unit_test(test_truncated_extended_and_garbage_tokens_are_refused_with_a_reason),
		cmocka_unit_test(test_since_is_carried_until_the_reader_is_given_an_event),
		cmocka_unit_test(test_a_short_key_or_a_nameless_token_is_not_made),
		cmocka_unit_test(test_a_token_below_the_horizon_is_gone_and_at_it_is_not),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
