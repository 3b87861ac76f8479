/* Access decisions (src/auth/rbac.c): grants in, yes or no out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "auth/rbac.h"
#include "util/arena.h"

#define CAT	"6f1c1b9e-5f0e-4d7b-9c1a-2b3c4d5e6f70"
#define CAT2	"11111111-2222-4333-8444-555555555555"
#define ASSET	"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

static struct pgl_arena	*arena;

/* A grant from its JSON text; fails the test if it does not parse. */
static struct pgl_grant
grant(const char *scope, const char *actions)
{
	struct pgl_grant	 g;
	json_t			*s = json_loads(scope, 0, NULL);
	json_t			*a = json_loads(actions, 0, NULL);
	const char		*why = NULL;

	assert_int_equal(pgl_grant_parse(s, a, arena, &g, &why), 0);
	json_decref(s);
	json_decref(a);
	return (g);
}

static int
refused(const char *scope, const char *actions)
{
	struct pgl_grant	 g;
	json_t			*s = json_loads(scope, 0, NULL);
	json_t			*a = json_loads(actions, 0, NULL);
	const char		*why = NULL;
	int			 rc;

	rc = pgl_grant_parse(s, a, arena, &g, &why);
	json_decref(s);
	json_decref(a);
	return (rc == -1 && why != NULL);
}

static int
setup(void **state)
{
	(void)state;
	arena = pgl_arena_new();
	return (arena == NULL);
}

static int
teardown(void **state)
{
	(void)state;
	pgl_arena_free(arena);
	return (0);
}

static void
test_actions_imply_as_the_contract_says(void **state)
{
	(void)state;
	assert_int_equal(pgl_actions_implied(PGL_ACT_ALL), ~0u);
	assert_true(pgl_actions_implied(PGL_ACT_WRITE) & PGL_ACT_DELETE);
	assert_true(pgl_actions_implied(PGL_ACT_WRITE) & PGL_ACT_LIST);
	assert_false(pgl_actions_implied(PGL_ACT_WRITE) &
	    PGL_ACT_INGEST_BRANCHING);
	assert_true(pgl_actions_implied(PGL_ACT_READ) & PGL_ACT_LIST);
	assert_false(pgl_actions_implied(PGL_ACT_READ) & PGL_ACT_UPDATE);
	assert_false(pgl_actions_implied(PGL_ACT_LIST) & PGL_ACT_READ);
	assert_int_equal(pgl_action_parse("manage-discovery"),
	    PGL_ACT_MANAGE_DISCOVERY);
	assert_int_equal(pgl_action_parse("Read"), 0);
	assert_string_equal(pgl_action_name(PGL_ACT_CREATE), "create");
}

static void
test_scopes_nest_tenant_catalog_namespace_asset(void **state)
{
	struct pgl_grant	g;
	struct pgl_target	t = { CAT, "a\x1f" "b", ASSET, NULL, 0, 0 };

	(void)state;
	g = grant("{\"type\":\"tenant\"}", "[\"read\"]");
	assert_true(pgl_grant_covers(&g, &t));
	g = grant("{\"type\":\"catalog\",\"catalog_id\":\"" CAT "\"}",
	    "[\"read\"]");
	assert_true(pgl_grant_covers(&g, &t));
	t.catalog_id = CAT2;
	assert_false(pgl_grant_covers(&g, &t));
	t.catalog_id = CAT;
	/* A namespace covers itself and its children, not a prefix. */
	g = grant("{\"type\":\"namespace\",\"catalog_id\":\"" CAT "\","
	    "\"namespace\":\"a\"}", "[\"read\"]");
	assert_true(pgl_grant_covers(&g, &t));
	t.ns = "ab";
	assert_false(pgl_grant_covers(&g, &t));
	t.ns = "a";
	assert_true(pgl_grant_covers(&g, &t));
	t.ns = "";
	assert_false(pgl_grant_covers(&g, &t));	/* not the catalog */
	/* An asset only itself. */
	g = grant("{\"type\":\"asset\",\"catalog_id\":\"" CAT "\","
	    "\"namespace\":\"a.b\",\"asset_id\":\"" ASSET "\"}", "[\"all\"]");
	t.ns = "a\x1f" "b";
	assert_true(pgl_grant_covers(&g, &t));
	t.asset_id = "";
	assert_false(pgl_grant_covers(&g, &t));
}

static void
test_decisions_need_a_covering_grant_with_the_action(void **state)
{
	struct pgl_grant	g[2];
	struct pgl_target	t = { CAT, "sales", ASSET, NULL, 0, 0 };
	const char		*tags[] = { "PII" };

	(void)state;
	g[0] = grant("{\"type\":\"namespace\",\"catalog_id\":\"" CAT "\","
	    "\"namespace\":\"sales\"}", "[\"read\"]");
	g[1] = grant("{\"type\":\"tag\",\"tag_name\":\"PII\"}", "[\"delete\"]");
	assert_true(pgl_rbac_allows(g, 2, PGL_ACT_READ, &t));
	assert_true(pgl_rbac_allows(g, 2, PGL_ACT_LIST, &t));
	assert_false(pgl_rbac_allows(g, 2, PGL_ACT_DELETE, &t));
	t.tags = tags;
	t.ntags = 1;
	assert_true(pgl_rbac_allows(g, 2, PGL_ACT_DELETE, &t));
	assert_false(pgl_rbac_allows(g, 0, PGL_ACT_READ, &t));
}

static void
test_lists_see_into_what_is_granted_below(void **state)
{
	struct pgl_grant	g;
	struct pgl_target	cat = { CAT, "", "", NULL, 0, 0 };
	struct pgl_target	parent = { CAT, "a", "", NULL, 0, 0 };
	struct pgl_target	sibling = { CAT, "z", "", NULL, 0, 0 };

	(void)state;
	g = grant("{\"type\":\"namespace\",\"catalog_id\":\"" CAT "\","
	    "\"namespace\":\"a.b\"}", "[\"list\"]");
	assert_true(pgl_rbac_sees(&g, 1, &cat));
	assert_true(pgl_rbac_sees(&g, 1, &parent));
	assert_false(pgl_rbac_sees(&g, 1, &sibling));
	cat.catalog_id = CAT2;
	assert_false(pgl_rbac_sees(&g, 1, &cat));
	/* Grants that carry no read or list show nothing. */
	g = grant("{\"type\":\"catalog\",\"catalog_id\":\"" CAT "\"}",
	    "[\"create\"]");
	assert_false(pgl_rbac_sees(&g, 1, &parent));
}

static void
test_malformed_grants_are_refused(void **state)
{
	(void)state;
	assert_true(refused("{\"type\":\"catalog\"}", "[\"read\"]"));
	assert_true(refused("{\"type\":\"catalog\",\"catalog_id\":\"x\"}",
	    "[\"read\"]"));
	assert_true(refused("{\"type\":\"namespace\",\"catalog_id\":\"" CAT
	    "\",\"namespace\":\"a..b\"}", "[\"read\"]"));
	assert_true(refused("{\"type\":\"namespace\",\"catalog_id\":\"" CAT
	    "\",\"namespace\":\".a\"}", "[\"read\"]"));
	assert_true(refused("{\"type\":\"galaxy\"}", "[\"read\"]"));
	assert_true(refused("[]", "[\"read\"]"));
	assert_true(refused("{\"type\":\"tenant\"}", "[]"));
	assert_true(refused("{\"type\":\"tenant\"}", "[\"fly\"]"));
	assert_true(refused("{\"type\":\"tenant\"}", "[1]"));
	assert_true(refused("{\"type\":\"tag\",\"tag_name\":\"\"}",
	    "[\"read\"]"));
}

static void
test_a_discoverable_asset_is_seen_not_read(void **state)
{
	struct pgl_grant	g;
	struct pgl_target	t = { CAT, "sales", ASSET, NULL, 0, 1 };
	struct pgl_target	cat = { CAT, "", "", NULL, 0, 1 };

	(void)state;
	assert_true(pgl_rbac_sees(NULL, 0, &t));
	assert_false(pgl_rbac_allows(NULL, 0, PGL_ACT_READ, &t));
	/* Only an asset: a catalog is not made visible by the flag. */
	assert_false(pgl_rbac_sees(NULL, 0, &cat));
	t.discoverable = 0;
	assert_false(pgl_rbac_sees(NULL, 0, &t));
	g = grant("{\"type\":\"tag\",\"tag_name\":\"PII\"}", "[\"read\"]");
	assert_true(pgl_rbac_has_tag_grants(&g, 1));
	g = grant("{\"type\":\"tenant\"}", "[\"read\"]");
	assert_false(pgl_rbac_has_tag_grants(&g, 1));
}

static void
test_a_copy_keeps_its_strings(void **state)
{
	struct pgl_grant	 g[2], *c;
	size_t			 size;

	(void)state;
	g[0] = grant("{\"type\":\"namespace\",\"catalog_id\":\"" CAT "\","
	    "\"namespace\":\"a.b\"}", "[\"read\"]");
	g[1] = grant("{\"type\":\"tag\",\"tag_name\":\"PII\"}", "[\"read\"]");
	assert_non_null(c = pgl_grants_copy(g, 2, &size));
	assert_true(size > 2 * sizeof(*c));
	assert_string_equal(c[0].ns, "a\x1f" "b");
	assert_string_equal(c[1].tag, "PII");
	assert_string_equal(c[0].catalog_id, CAT);
	assert_int_equal(c[1].kind, PGL_SCOPE_TAG);
	free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_actions_imply_as_the_contract_says),
		cmocka_unit_test(test_scopes_nest_tenant_catalog_namespace_asset),
		cmocka_unit_test(test_decisions_need_a_covering_grant_with_the_action),
		cmocka_unit_test(test_lists_see_into_what_is_granted_below),
		cmocka_unit_test(test_malformed_grants_are_refused),
		cmocka_unit_test(test_a_copy_keeps_its_strings),
		cmocka_unit_test(test_a_discoverable_asset_is_seen_not_read),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
