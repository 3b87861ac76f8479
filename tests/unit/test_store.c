/*
 * The store plugin contract, run against any plugin through its ops
 * table, family by family: each family is a file of tests/unit/store/
 * (the harness they share is store/harness.h), run as one cmocka group.
 *
 *	PGL_STORE_PLUGIN=store-sqlite.so PGL_STORE_PATH=/tmp/t.db test_store
 *	PGL_STORE_PLUGIN=/path/store-memory.so test_store branches forks
 *	PGL_STORE_PLUGIN=store-postgres.so \
 *	    PGL_STORE_OPTS='url=postgresql://127.0.0.1:55432/pangolin;schema=t{n}' \
 *	    test_store
 *
 * The arguments name the families to run (every one without any);
 * `make test FILE=store/branches` runs one on all four stores
 * (tests/README.md).  PGL_TEST_FILTER runs the tests whose names match
 * it (cmocka's filter), in every family named.
 *
 * PGL_STORE_OPTS gives a server-backed store its options ("k=v;k=v"); {n}
 * becomes a number that changes for every test, so each test starts in a
 * fresh schema/database of its own without dropping anything.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/harness.h"

/* The order they run in: a store's life and its rows first. */
static const struct store_family *const families[] = {
	&store_lifecycle,
	&store_catalogs,
	&store_namespaces,
	&store_assets,
	&store_swaps,
	&store_branches,
	&store_merges,
	&store_forks,
	&store_lineage,
	&store_users,
	&store_roles,
	&store_audit,
	&store_tasks,
	&store_cascades,
	&store_governance,
	&store_search,
	&store_idempotency,
	&store_plans,
	&store_paging,
	&store_events,
	&store_webhooks,
	&store_policies,
	&store_dropped,
	&store_defer,
	&store_locations,
	&store_usage,
	&store_keyset,
};

#define NFAMILIES	(sizeof(families) / sizeof(families[0]))

static const struct store_family *
family(const char *name)
{
	size_t	i;

	for (i = 0; i < NFAMILIES; i++)
		if (strcmp(families[i]->name, name) == 0)
			return (families[i]);
	return (NULL);
}

/* Whether a test of fam is one the filter (cmocka's: '*' and '?') runs. */
static int
matches(const struct store_family *fam, const char *filter)
{
	size_t	i;

	if (filter == NULL)
		return (1);
	for (i = 0; i < fam->n; i++)
		if (fnmatch(filter, fam->tests[i].name, 0) == 0)
			return (1);
	return (0);
}

static int
run(const struct store_family *fam, const char *filter)
{
	if (!matches(fam, filter))
		return (0);
	printf("-- %s: %s\n", ops->name, fam->name);
	fflush(stdout);
	return (_cmocka_run_group_tests(fam->name, fam->tests, fam->n, NULL,
	    NULL));
}

int
main(int argc, char **argv)
{
	const char	*filter = getenv("PGL_TEST_FILTER");
	size_t		 i;
	int		 j, failed = 0;

	for (j = 1; j < argc; j++) {
		if (family(argv[j]) != NULL)
			continue;
		fprintf(stderr, "test_store: no family %s; the families:",
		    argv[j]);
		for (i = 0; i < NFAMILIES; i++)
			fprintf(stderr, " %s", families[i]->name);
		fprintf(stderr, "\n");
		return (2);
	}
	if (harness_load() == -1)
		return (2);
	/* One test, or a few, while working on them (tests/README.md). */
	if (filter != NULL)
		cmocka_set_test_filter(filter);
	if (argc == 1)
		for (i = 0; i < NFAMILIES; i++)
			failed += run(families[i], filter);
	for (j = 1; j < argc; j++)
		failed += run(family(argv[j]), filter);
	return (failed > 0);
}
