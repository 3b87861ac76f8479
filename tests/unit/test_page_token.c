/* Keyset page tokens (src/util/page_token.c): a round trip, and every way
 * a token that is not this list's is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/arena.h"
#include "util/page_token.h"

#define TENANT_A	"7d1c2f5e-0000-4000-8000-00000000000a"
#define TENANT_B	"7d1c2f5e-0000-4000-8000-00000000000b"

static uint64_t
tables_of(const char *tenant, const char *catalog, const char *ns,
    const char *branch)
{
	return (pgl_page_scope("iceberg", "tables", tenant, catalog, ns,
	    branch, NULL));
}

static void
test_a_token_round_trips_its_key_as_url_safe_text(void **state)
{
	struct pgl_arena	*a = pgl_arena_new();
	struct pgl_page_key	 k = { "db" "\x1f" "sales", "orders 2026", -42 };
	struct pgl_page_key	 got;
	uint64_t		 scope = tables_of(TENANT_A, "c1", "db", "main");
	const char		*tok, *p;

	(void)state;
	tok = pgl_page_token(a, scope, &k);
	assert_non_null(tok);
	for (p = tok; *p != '\0'; p++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789-_", *p));
	assert_int_equal(pgl_page_token_read(a, tok, scope, &got), 0);
	assert_string_equal(got.s, k.s);
	assert_string_equal(got.s2, k.s2);
	assert_int_equal(got.n, -42);
	/* No strings: an empty key's token reads as empty strings. */
	k.s = k.s2 = NULL;
	k.n = 7;
	tok = pgl_page_token(a, scope, &k);
	assert_int_equal(pgl_page_token_read(a, tok, scope, &got), 0);
	assert_string_equal(got.s, "");
	assert_int_equal(got.n, 7);
	pgl_arena_free(a);
}

static void
test_a_token_of_another_tenant_catalog_namespace_branch_or_list_is_refused(
    void **state)
{
	struct pgl_arena	*a = pgl_arena_new();
	struct pgl_page_key	 k = { "db", "t1", 0 }, got;
	uint64_t		 mine = tables_of(TENANT_A, "c1", "db", "main");
	uint64_t		 others[] = {
		tables_of(TENANT_B, "c1", "db", "main"),
		tables_of(TENANT_A, "c2", "db", "main"),
		tables_of(TENANT_A, "c1", "db2", "main"),
		tables_of(TENANT_A, "c1", "db", "dev"),
		pgl_page_scope("iceberg", "views", TENANT_A, "c1", "db", "main",
		    NULL),
		/* The parts are not run together: ("c1d", "b") is not
		 * ("c1", "db"). */
		tables_of(TENANT_A, "c1d", "b", "main"),
	};
	const char		*tok;
	size_t			 i;

	(void)state;
	tok = pgl_page_token(a, mine, &k);
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		assert_int_not_equal(others[i], mine);
		assert_int_equal(pgl_page_token_read(a, tok, others[i], &got),
		    -1);
	}
	assert_int_equal(pgl_page_token_read(a, tok, mine, &got), 0);
	pgl_arena_free(a);
}

static void
test_garbage_truncated_extended_and_offset_tokens_are_refused(void **state)
{
	struct pgl_arena	*a = pgl_arena_new();
	struct pgl_page_key	 k = { "db", "t1", 5 }, got;
	uint64_t		 scope = tables_of(TENANT_A, "c1", "db", "main");
	const char		*tok;
	char			 buf[256];
	size_t			 len;

	(void)state;
	tok = pgl_page_token(a, scope, &k);
	len = strlen(tok);
	assert_int_equal(pgl_page_token_read(a, "", scope, &got), -1);
	assert_int_equal(pgl_page_token_read(a, "o30", scope, &got), -1);
	assert_int_equal(pgl_page_token_read(a, "!bogus", scope, &got), -1);
	assert_int_equal(pgl_page_token_read(a, NULL, scope, &got), -1);
	/* Each shorter token, and one with a byte more. */
	while (--len > 0) {
		memcpy(buf, tok, len);
		buf[len] = '\0';
		assert_int_equal(pgl_page_token_read(a, buf, scope, &got), -1);
	}
	(void)snprintf(buf, sizeof(buf), "%sAA", tok);
	assert_int_equal(pgl_page_token_read(a, buf, scope, &got), -1);
	/* Padding and the other alphabet are not this text. */
	(void)snprintf(buf, sizeof(buf), "%s=", tok);
	assert_int_equal(pgl_page_token_read(a, buf, scope, &got), -1);
	pgl_arena_free(a);
}

static void
test_a_key_too_long_makes_no_token(void **state)
{
	struct pgl_arena	*a = pgl_arena_new();
	struct pgl_page_key	 k = { NULL, NULL, 0 }, got;
	char			*big = malloc(PGL_PAGE_TOKEN_KEY_MAX + 2);
	const char		*tok;

	(void)state;
	memset(big, 'x', PGL_PAGE_TOKEN_KEY_MAX + 1);
	big[PGL_PAGE_TOKEN_KEY_MAX + 1] = '\0';
	k.s = big;
	assert_null(pgl_page_token(a, 1, &k));
	big[PGL_PAGE_TOKEN_KEY_MAX] = '\0';
	assert_non_null(tok = pgl_page_token(a, 1, &k));
	assert_int_equal(pgl_page_token_read(a, tok, 1, &got), 0);
	assert_int_equal(strlen(got.s), PGL_PAGE_TOKEN_KEY_MAX);
	free(big);
	pgl_arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_token_round_trips_its_key_as_url_safe_text),
		cmocka_unit_test(test_a_token_of_another_tenant_catalog_namespace_branch_or_list_is_refused),
		cmocka_unit_test(test_garbage_truncated_extended_and_offset_tokens_are_refused),
		cmocka_unit_test(test_a_key_too_long_makes_no_token),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
